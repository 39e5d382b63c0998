"""The aware-time helpers every module counts with."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
import pytest
from _instants import KINDS, PlusTwo, instant_of_kind
from hypothesis import given
from hypothesis import strategies as st

from servicekit import errors
from servicekit._time import (
    _slow_instant,
    as_instant,
    duration_micros,
    from_micros,
    get_timezone,
    instant_micros,
    parse_instant,
    to_micros,
)
from servicekit.errors import InstantTypeError, NaiveDatetimeError, UnknownTimezoneError
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
    value = instant_of_kind(local.replace(fold=fold), zone, kind)
    fast = as_instant(value)
    slow = value if isinstance(value, pendulum.DateTime) else _slow_instant(value)
    assert type(fast) is pendulum.DateTime
    assert repr(fast) == repr(slow)
    assert to_micros(fast) == to_micros(slow) == to_micros(value)
    assert fast.fold == slow.fold


@given(
    local=st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1)),
    zone=st.sampled_from(["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    kind=st.sampled_from(KINDS),
    fold=st.sampled_from([0, 1]),
)
def test_instant_micros_is_as_instant_and_to_micros_and_says_when_it_rebuilds(
    local: dt.datetime, zone: str, kind: str, fold: int
) -> None:
    value = instant_of_kind(local.replace(fold=fold), zone, kind)
    instant, micros, exact = instant_micros(value)
    assert type(instant) is pendulum.DateTime
    assert repr(instant) == repr(as_instant(value))
    assert instant.fold == as_instant(value).fold
    assert micros == to_micros(value) == to_micros(instant)
    if exact:
        # What a ticket's compact history relies on: the integer, the zone and the fold give
        # it back.
        rebuilt = from_micros(micros, instant.tzinfo, fold=instant.fold)  # type: ignore[arg-type]
        assert type(rebuilt) is pendulum.DateTime
        assert rebuilt.tzinfo is instant.tzinfo
        assert (repr(rebuilt), rebuilt.fold) == (repr(instant), instant.fold)
    # The kinds callers hold are kept compactly (pendulum values but on the days their zone
    # changes its offset, when it is no use asking).
    if kind in ("zoneinfo", "pendulum-zone", "fixed", "utc", "pytz", "pytz-utc", "pendulum-fixed"):
        assert exact
    elif kind in ("pendulum", "pendulum-raw") and not exact:
        day = dt.timedelta(days=1)
        assert {(instant + d).utcoffset() for d in (-day, day)} != {instant.utcoffset()}


def test_instant_micros_raises_what_as_instant_raises() -> None:
    with pytest.raises(NaiveDatetimeError):
        instant_micros(dt.datetime(2025, 3, 3, 9), name="at")
    with pytest.raises(InstantTypeError, match="at must be an aware datetime, got the string"):
        instant_micros("2025-03-03T09:00:00+01:00", name="at")
    with pytest.raises(InstantTypeError, match="got int 5"):
        instant_micros(5, name="at")


def test_get_timezone_takes_names_and_zone_objects_only() -> None:
    assert get_timezone(zoneinfo.ZoneInfo("Europe/Madrid")).name == "Europe/Madrid"
    assert get_timezone(dt.UTC).name == "UTC"
    assert get_timezone(get_timezone("America/Bogota")).name == "America/Bogota"
    for bad in (5, "", None):
        with pytest.raises(UnknownTimezoneError, match="must be an IANA time-zone name"):
            get_timezone(bad)


@pytest.mark.parametrize(
    "tz",
    [PlusTwo(), dt.timezone(dt.timedelta(hours=1, microseconds=5))],
    ids=["own tzinfo", "offset with microseconds"],
)
def test_instants_of_any_tzinfo_keep_their_instant(tz: dt.tzinfo) -> None:
    value = dt.datetime(2025, 3, 3, 9, tzinfo=tz)
    got = as_instant(value)
    assert got == value
    assert to_micros(got) == to_micros(value)  # (pendulum's fixed zones hold whole seconds)
    assert as_instant(value) == got  # asked twice: no cached answer of another kind


def test_instants_at_the_ends_of_the_range() -> None:
    utc = get_timezone("UTC")
    last = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert from_micros(to_micros(last), utc) == last
    first = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert from_micros(to_micros(first), utc) == first
    for beyond in (to_micros(last) + 1, to_micros(first) - 1):
        with pytest.raises(errors.InstantOutOfRangeError, match="outside the years 1 to 9999"):
            from_micros(beyond, utc)


def test_wrong_types_for_instants_and_durations_are_named() -> None:
    with pytest.raises(errors.InstantTypeError, match="must be an aware datetime, got int 5"):
        to_micros(5)
    with pytest.raises(errors.InstantTypeError, match="must be a string, got int 5"):
        parse_instant(5)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidDurationError, match=r"must be a datetime\.timedelta"):
        duration_micros(5)
    with pytest.raises(errors.InvalidDurationError, match="months or years, which have no fixed"):
        duration_micros(pendulum.duration(months=1))
    with pytest.raises(errors.NegativeDurationError, match="must not be negative"):
        duration_micros(dt.timedelta(seconds=-1))
    assert duration_micros(dt.timedelta(seconds=-1), allow_negative=True) == -1_000_000


@given(
    st.integers(-(14 * 3600), 14 * 3600),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
)
def test_a_fixed_offset_day_is_steady_without_asking(seconds: int, local: dt.datetime) -> None:
    # steady_day answers at once for the zones with one offset (what exports write); the
    # answer is the one the quarter-hour scan of any zone gives, and instants agree.
    from servicekit._time import _STEADY, instant_micros, steady_day

    for zone in (pendulum.FixedTimezone(seconds), dt.timezone(dt.timedelta(seconds=seconds))):
        value = local.replace(tzinfo=zone)
        assert steady_day(zone, value)
        assert (zone, value.toordinal()) not in _STEADY  # nothing asked, nothing kept
        offsets = {zone.utcoffset(value.replace(hour=h, fold=f)) for h in range(24) for f in (0, 1)}
        assert len(offsets) == 1
        exact = (value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        assert instant_micros(value)[1] == exact
