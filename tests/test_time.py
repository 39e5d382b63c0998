"""The aware-time helpers every module counts with."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
import pytest
import pytz
from hypothesis import given
from hypothesis import strategies as st

from servicekit._time import _slow_instant, as_instant, from_micros, get_timezone, to_micros
from servicekit.errors import NaiveDatetimeError, UnknownTimezoneError
from servicekit.testing import aware_datetimes


class _Broken(dt.tzinfo):
    def utcoffset(self, _: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(days=2)

    def dst(self, _: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)


@given(aware_datetimes())
def test_micros_round_trip_exactly(t: pendulum.DateTime) -> None:
    us = to_micros(t)
    assert (
        us == round((t - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() * 1e6)
        or abs(us - (t - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1))
        == 0
    )
    assert from_micros(us, t.tz) == t  # type: ignore[arg-type]


def test_bad_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="naive"):
        to_micros(dt.datetime(2025, 1, 1))
    with pytest.raises(NaiveDatetimeError, match="aware datetime"):
        to_micros("2025-01-01")
    with pytest.raises(UnknownTimezoneError, match="within a day"):
        to_micros(dt.datetime(2025, 1, 1, tzinfo=_Broken()))
    with pytest.raises(UnknownTimezoneError, match="Did you mean 'Europe/Madrid'"):
        get_timezone("Europe/Madird")


@given(st.integers(-(10**15), 10**16))
def test_from_micros_then_to_micros_is_identity(us: int) -> None:
    assert to_micros(from_micros(us, get_timezone("Australia/Lord_Howe"))) == us


_ZONE_KINDS = st.sampled_from(
    ["zoneinfo", "pendulum-zone", "fixed", "utc", "pytz", "pytz-utc", "pendulum"]
)


@given(
    local=st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1)),
    zone=st.sampled_from(["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    kind=_ZONE_KINDS,
    fold=st.sampled_from([0, 1]),
)
def test_as_instant_is_the_same_for_every_kind_of_tzinfo(
    local: dt.datetime, zone: str, kind: str, fold: int
) -> None:
    """The fast path for standard-library datetimes gives exactly what the general one does,
    DST gaps and folds included."""
    local = local.replace(fold=fold)
    if kind == "zoneinfo":
        value = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    elif kind == "pendulum-zone":
        value = local.replace(tzinfo=pendulum.timezone(zone))
    elif kind == "fixed":
        value = local.replace(tzinfo=dt.timezone(dt.timedelta(minutes=local.minute - 30)))
    elif kind == "utc":
        value = local.replace(tzinfo=dt.UTC)
    elif kind == "pytz":
        value = pytz.timezone(zone).localize(local, is_dst=bool(fold))
    elif kind == "pytz-utc":
        value = local.replace(tzinfo=pytz.utc)
    else:
        value = pendulum.instance(local.replace(tzinfo=zoneinfo.ZoneInfo(zone)))
    fast = as_instant(value)
    slow = value if isinstance(value, pendulum.DateTime) else _slow_instant(value)
    assert type(fast) is pendulum.DateTime
    assert repr(fast) == repr(slow)
    assert to_micros(fast) == to_micros(slow) == to_micros(value)
    assert fast.fold == slow.fold
