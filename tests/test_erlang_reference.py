"""Erlang B and C against an arbitrary-precision reference (mpmath), and their edge cases."""

from __future__ import annotations

import math
import time

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit.costs import erlang_a, erlang_b, erlang_c, required_agents
from servicekit.costs._erlang import MAX_LOAD
from servicekit.errors import CostModelError

# The smallest value whose relative accuracy is checked: below it the double is subnormal.
_NORMAL = 1e-300


def _reference_b(servers: int, load: float) -> mpmath.mpf:
    with mpmath.workdps(40):
        a = mpmath.mpf(load)
        inverse = mpmath.mpf(1)
        for k in range(1, servers + 1):
            inverse = 1 + inverse * k / a
        return 1 / inverse


def _reference_c(servers: int, load: float, b: mpmath.mpf) -> mpmath.mpf:
    if servers <= load:
        return mpmath.mpf(1)
    with mpmath.workdps(40):
        return servers * b / (servers - mpmath.mpf(load) * (1 - b))


def _assert_close(value: float, reference: mpmath.mpf) -> None:
    if reference < _NORMAL:
        assert value < _NORMAL * 10
        return
    assert abs(mpmath.mpf(value) - reference) <= 1e-9 * reference, (value, reference)


@pytest.mark.parametrize(
    ("servers", "load"),
    [(8501, 10000.0), (101, 400.0), (1, 0.5), (20000, 19700.0), (19000, 20000.0)],
)
def test_erlang_b_just_above_the_warm_start(servers: int, load: float) -> None:
    """The review's cases: a walk started a few steps below ``servers`` kept the guess's error."""
    b = _reference_b(servers, load)
    _assert_close(erlang_b(servers, load), b)
    _assert_close(erlang_c(servers, load), _reference_c(servers, load, b))


@given(st.integers(1, 20_000), st.floats(0.01, 2.0))
def test_erlang_b_and_c_match_the_reference_up_to_twenty_thousand_servers(
    servers: int, ratio: float
) -> None:
    """Every server count up to 20,000, at loads from far below to twice the servers."""
    load = servers * ratio
    b = _reference_b(servers, load)
    _assert_close(erlang_b(servers, load), b)
    _assert_close(erlang_c(servers, load), _reference_c(servers, load, b))


@pytest.mark.parametrize("servers", [0, 1, 10])
def test_zero_load_is_valid(servers: int) -> None:
    assert erlang_b(servers, 0.0) == (1.0 if servers == 0 else 0.0)
    assert erlang_c(servers, 0.0) == (1.0 if servers == 0 else 0.0)


def test_far_more_servers_than_load_is_fast_and_zero() -> None:
    started = time.process_time()
    assert erlang_b(10**9, 1.0) == 0.0
    assert erlang_c(10**9, 1.0) == 0.0
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize("load", [-1.0, math.inf, math.nan, MAX_LOAD * 2, True, "5"])
def test_bad_loads_are_refused(load: object) -> None:
    with pytest.raises(CostModelError, match="load must be"):
        erlang_b(10, load)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_a(10, 1e4, 10.0, 1e5, 20.0),  # arrival x patience 1e9: ran for minutes
        lambda: erlang_a(10, 2.0, 10.0, 1e6, 20.0),
        lambda: required_agents(100, 1800, 180, 0.8, 20, max_occupancy=1e-9),
        lambda: required_agents(100, 1800, 180, 0.8, math.nan),
    ],
)
def test_unbounded_work_fails_fast(call: object) -> None:
    started = time.process_time()
    with pytest.raises(CostModelError):
        call()  # type: ignore[operator]
    assert time.process_time() - started < 1.0
