"""Aware datetimes of every kind callers hold, for the tests of instants and of tickets.

The same wall time with a zoneinfo zone, a pendulum zone, a fixed offset, UTC, pytz (localized,
``is_dst`` from the fold) or a tzinfo of no known kind, or as a pendulum value: built as given
(a pendulum value may stand in a DST gap, or carry fold=1 outside a fold).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
import pytz

KINDS = (
    "zoneinfo",
    "pendulum-zone",
    "fixed",
    "utc",
    "pytz",
    "pytz-utc",
    "pendulum",
    "pendulum-raw",
    "pendulum-fixed",
    "own",
)
"""Every kind :func:`instant_of_kind` builds."""


class PlusTwo(dt.tzinfo):
    """A tzinfo of no known kind: its offset is asked for every time."""

    def utcoffset(self, _: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(hours=2)

    def dst(self, _: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)


def instant_of_kind(local: dt.datetime, zone: str, kind: str) -> dt.datetime:
    """The naive ``local`` (its fold included) made aware in ``zone`` the way ``kind`` does."""
    if kind == "zoneinfo":
        return local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    if kind == "pendulum-zone":
        return local.replace(tzinfo=pendulum.timezone(zone))
    if kind == "fixed":
        return local.replace(tzinfo=dt.timezone(dt.timedelta(minutes=local.minute - 30)))
    if kind == "utc":
        return local.replace(tzinfo=dt.UTC)
    if kind == "pytz":
        return pytz.timezone(zone).localize(local, is_dst=bool(local.fold))
    if kind == "pytz-utc":
        return local.replace(tzinfo=pytz.utc)
    if kind == "pendulum-raw":
        fields = local.timetuple()[:6]
        return pendulum.DateTime(*fields, tzinfo=pendulum.timezone(zone), fold=local.fold)
    if kind == "pendulum-fixed":
        return pendulum.instance(local, tz=pendulum.FixedTimezone(3600 * (local.hour - 12)))
    if kind == "own":
        return local.replace(tzinfo=PlusTwo())
    assert kind == "pendulum", kind
    return pendulum.instance(local.replace(tzinfo=zoneinfo.ZoneInfo(zone)))
