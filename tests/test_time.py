"""The aware-time helpers every module counts with."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit._time import from_micros, get_timezone, to_micros
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
