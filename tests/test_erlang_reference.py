"""Erlang B and C against an arbitrary-precision reference (mpmath), and their edge cases."""

from __future__ import annotations

import math
import time

import mpmath
import pytest
from _depth import costly
from hypothesis import given, settings
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


@settings(costly())
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


# -- Erlang A against the birth-death chain itself ---------------------------------------------


def _reference_erlang_a(
    agents: int, arrival_rate: float, aht: float, patience: float, answer_within: float
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """(probability of waiting, abandonment, service level, mean queue wait) of M/M/n+M, from
    the chain's stationary distribution (truncated where the weights vanish) and, for the
    service level, the distribution of a caller's wait written out stage by stage.

    A caller who finds ``j`` callers queued ahead moves up one place at rate ``n mu + m theta``
    with ``m`` still ahead, and abandons at rate ``theta``: the stages leave at rates
    ``n mu + k theta`` (k = 1 .. j + 1), he is served when all of them advance, and the time
    they take is hypoexponential (its distribution function by partial fractions, whose
    alternating terms need the high precision).
    """
    with mpmath.workdps(80):
        lam, mu, theta = mpmath.mpf(arrival_rate), 1 / mpmath.mpf(aht), 1 / mpmath.mpf(patience)
        t = mpmath.mpf(answer_within)
        a = agents * mu
        weights = [mpmath.mpf(1)]
        total = weights[0]
        while len(weights) <= agents or weights[-1] > mpmath.mpf(10) ** -30 * total:
            i = len(weights)
            deaths = min(i, agents) * mu + max(i - agents, 0) * theta
            weights.append(weights[-1] * lam / deaths)
            total += weights[-1]
        pi = [w / total for w in weights]
        waiting = sum(pi[agents:])
        queue = sum((i - agents) * p for i, p in enumerate(pi) if i > agents)
        answered = sum(pi[:agents])
        for j, p in enumerate(pi[agents:]):
            # Rates r_i = a + i theta, i = 1 .. m: the partial-fraction coefficient
            # prod_{k != i} r_k / (r_k - r_i) has denominator theta^(m-1) (-1)^(i-1) (i-1)! (m-i)!.
            m = j + 1
            product = mpmath.fprod(a + k * theta for k in range(1, m + 1))
            cdf = mpmath.mpf(1)
            for i in range(1, m + 1):
                r_i = a + i * theta
                denominator = theta ** (m - 1) * mpmath.factorial(i - 1) * mpmath.factorial(m - i)
                cdf -= (-1) ** (i - 1) * product / r_i / denominator * mpmath.exp(-r_i * t)
            answered += p * a / (a + m * theta) * cdf
        return waiting, theta * queue / lam, answered, queue / lam


@settings(costly())
@given(
    st.integers(1, 8),
    st.floats(0.2, 1.6),
    st.floats(30.0, 600.0),
    st.floats(0.05, 4.0),
    st.floats(0.0, 2.0),
)
def test_erlang_a_matches_the_birth_death_chain(
    agents: int, utilisation: float, aht: float, patience_ratio: float, within_ratio: float
) -> None:
    """Every figure of Erlang A, for loads below and above the agents, against the chain."""
    rate = agents * utilisation / aht
    patience, within = aht * patience_ratio, aht * within_ratio
    got = erlang_a(agents, rate, aht, patience, within)
    waiting, abandonment, service_level, wait = _reference_erlang_a(
        agents, rate, aht, patience, within
    )
    for value, reference in (
        (got.probability_of_waiting, waiting),
        (got.abandonment, abandonment),
        (got.service_level, service_level),
        (got.mean_queue_wait, wait),
    ):
        assert abs(mpmath.mpf(value) - reference) <= 1e-9 * reference + 1e-15, (value, reference)


def test_the_edges_of_the_erlang_inputs_are_accepted() -> None:
    """No servers block every call; the largest load allowed is answered."""
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_c(0, 5.0) == 1.0
    assert erlang_b(1, MAX_LOAD) == pytest.approx(MAX_LOAD / (1 + MAX_LOAD), rel=1e-12)
    # B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19; C = 3 B / (3 - 2 (1 - B)) = 4/9.
    _assert_close(erlang_b(3, 2.0), mpmath.mpf(4) / 19)
    _assert_close(erlang_c(3, 2.0), mpmath.mpf(4) / 9)


@pytest.mark.parametrize("answer_within", [0.0, 1e-3, 30.0])
def test_erlang_a_at_its_edges(answer_within: float) -> None:
    """Answering at once (t = 0) is answering with no wait; a single agent; three times more
    calls than the agents can take."""
    for agents, rate, aht, patience in ((1, 0.01, 60.0, 30.0), (2, 0.1, 60.0, 10.0)):
        got = erlang_a(agents, rate, aht, patience, answer_within)
        waiting, abandonment, level, wait = _reference_erlang_a(
            agents, rate, aht, patience, answer_within
        )
        assert float(waiting) == pytest.approx(got.probability_of_waiting, rel=1e-9)
        assert float(abandonment) == pytest.approx(got.abandonment, rel=1e-9)
        assert float(level) == pytest.approx(got.service_level, rel=1e-9)
        assert float(wait) == pytest.approx(got.mean_queue_wait, rel=1e-9)
        if answer_within == 0:
            assert got.service_level == pytest.approx(1 - got.probability_of_waiting, rel=1e-12)


def test_erlang_a_a_hundred_times_overloaded() -> None:
    """One agent taking a call every 100 s, offered one a second, callers patient for 1,000 s:
    nearly a thousand wait, the agent is never idle, so 99% abandon (every figure finite)."""
    got = erlang_a(1, 1.0, 100.0, 1000.0, 20.0)
    assert got.probability_of_waiting == pytest.approx(1.0, abs=1e-12)
    assert got.abandonment == pytest.approx(0.99, rel=1e-9)
    assert got.mean_queue_wait == pytest.approx(990.0, rel=1e-9)  # abandonment x patience
    assert 0.0 <= got.service_level < 1e-6
