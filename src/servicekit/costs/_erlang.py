"""Erlang B, C and A: exact, numerically stable for any size, and incremental.

No factorials and no powers: Erlang B comes from the recurrence
``B(n) = A B(n-1) / (n + A B(n-1))``, which stays in [0, 1] for every ``n``;
Erlang C and the service levels follow from it. A search for the fewest
agents walks ``n`` upwards from one Erlang B value, so it costs one pass over
the agents instead of one pass per candidate. Erlang A (callers who abandon
after an exponential patience) is computed from the birth-death chain in
closed form: the waiting positions' weights and, for the service level, a
regularized incomplete beta function with an integer parameter, summed in
log space.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Final

from servicekit.errors import CostModelError

__all__ = [
    "MAX_LOAD",
    "MAX_QUEUE",
    "ErlangAMetrics",
    "erlang_a",
    "erlang_b",
    "erlang_b_from",
    "erlang_c",
    "erlang_c_service_level",
]


#: The largest offered load (Erlangs) the Erlang functions accept: the work grows with
#: its square root, and no contact centre comes near it.
MAX_LOAD: Final = 1e8


#: The largest queue (waiting callers) Erlang A sums over; the work grows with it.
MAX_QUEUE: Final = 100_000


def _check_load(servers: int, load: float) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise CostModelError(f"servers must be a non-negative integer, got {servers!r}")
    if isinstance(load, bool) or not isinstance(load, int | float):
        raise CostModelError(f"load must be a number of Erlangs, got {load!r}")
    if not math.isfinite(load) or load < 0 or load > MAX_LOAD:
        raise CostModelError(
            f"load must be a finite number of Erlangs between 0 and {MAX_LOAD:g}, got {load!r}"
        )


def erlang_b_from(load: float, start: int, value: float) -> Iterator[tuple[int, float]]:
    """Yield ``(n, B(n, load))`` for ``n = start + 1, start + 2, ...`` from ``B(start) = value``."""
    n, b = start, value
    while True:
        n += 1
        b = load * b / (n + load * b)
        yield n, b


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of ``servers`` lines offered ``load`` Erlangs (Erlang B).

    Accurate to about 1e-12 relative wherever the value is a normal double; a
    value below the smallest double (``servers`` far above ``load``) is 0.0.
    The work grows with the square root of the load, never with ``servers``.

    >>> round(erlang_b(10, 5.0), 6)
    0.018385

    Raises:
        CostModelError: a negative or non-integer number of servers, or a bad
            load (negative, not finite, or above :data:`MAX_LOAD`).
    """
    _check_load(servers, load)
    if load == 0:
        return 1.0 if servers == 0 else 0.0
    n, inverse = _warm_start(servers, load)
    # The recurrence on 1/B: 1/B(n) = 1 + (n / A) / B(n - 1).
    for k in range(n + 1, servers + 1):
        inverse = 1.0 + inverse * k / load
        if inverse == math.inf:  # B is below the smallest double and only falls from here
            return 0.0
    return 1.0 / inverse


def _warm_start(servers: int, load: float) -> tuple[int, float]:
    """Where the recurrence may start without changing the answer.

    An error in ``1/B(n0)`` is multiplied by ``k / A`` at every later step
    ``k``: it shrinks while ``k < A`` and grows after. Summing ``log(k / A)``
    (bounded by ``(k - A) / A`` on both sides of ``A``) shows the error that
    reaches ``servers`` is at most ``exp(-((A - n0)**2 - (servers - A)**2) / 2A)``;
    choosing ``(A - n0)**2 = (servers - A)**2 + 100 A`` makes it ``exp(-50)``,
    far below double precision, wherever ``servers`` lies. Starting there costs
    ``O(sqrt(A) + |servers - A|)`` steps, and past ``A + 40 sqrt(A)`` the value
    underflows, so the walk is ``O(sqrt(A))`` in all.
    """
    start = math.floor(load - math.sqrt((servers - load) ** 2 + 100.0 * load))
    if start <= 0:
        return 0, 1.0
    # 1/B(n0) for n0 well below the load is close to A / (A - n0); any value near it will do.
    return start, load / (load - start)


def _c_from_b(n: int, load: float, b: float) -> float:
    if n <= load:
        return 1.0
    return n * b / (n - load * (1.0 - b))


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits, with ``agents`` agents and ``load`` Erlangs (Erlang C).

    It is 1 when ``agents <= load``: the queue grows without bound.
    """
    return _c_from_b(agents, load, erlang_b(agents, load))


def erlang_c_service_level(
    n: int, load: float, c: float, answer_within: float, aht: float
) -> float:
    """Share of calls answered within ``answer_within`` seconds, given Erlang C's ``c``."""
    if n <= load:
        return 0.0
    return max(0.0, 1.0 - c * math.exp(-(n - load) * answer_within / aht))


class ErlangAMetrics:
    """Steady-state figures of an M/M/n+M queue (Erlang A)."""

    __slots__ = ("abandonment", "mean_queue_wait", "probability_of_waiting", "service_level")

    def __init__(
        self,
        probability_of_waiting: float,
        abandonment: float,
        service_level: float,
        mean_queue_wait: float,
    ) -> None:
        self.probability_of_waiting = probability_of_waiting
        self.abandonment = abandonment
        self.service_level = service_level
        self.mean_queue_wait = mean_queue_wait


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = (a, b) if a > b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


def erlang_a(
    agents: int,
    arrival_rate: float,
    aht: float,
    patience: float,
    answer_within: float,
    *,
    blocking: float | None = None,
) -> ErlangAMetrics:
    """Erlang A: ``agents`` agents, Poisson arrivals, exponential handling and patience.

    Args:
        agents: number of agents ``n`` (at least 1).
        arrival_rate: calls per second.
        aht: mean handling time in seconds (service rate ``1 / aht``).
        patience: mean patience in seconds (abandonment rate ``1 / patience``).
        answer_within: the service-level threshold in seconds.
        blocking: Erlang B of ``agents`` at the offered load, when already known.

    The service level is the share of **all** arrivals that are answered within
    ``answer_within`` (callers who abandon count as not answered). A caller who
    finds ``j`` callers queued ahead is answered within ``t`` with probability
    ``a / (a + (j+1) theta) * (1 - I_x(a/theta + 1, j + 1))``, where ``a = n mu``,
    ``theta = 1 / patience``, ``x = exp(-theta t)`` and ``I`` is the regularized
    incomplete beta function; for an integer second parameter it is a finite
    sum, accumulated here in log space. ``mean_queue_wait`` is the mean time
    in queue over all arrivals (abandoning ones included), by Little's law.
    """
    if agents < 1:
        raise CostModelError(f"Erlang A needs at least one agent, got {agents}")
    for name, value in (("arrival_rate", arrival_rate), ("aht", aht), ("patience", patience)):
        if not math.isfinite(value) or value <= 0:
            raise CostModelError(f"{name} must be positive and finite, got {value!r}")
    if answer_within < 0:
        raise CostModelError(f"answer_within must not be negative, got {answer_within!r}")
    mu, theta, lam = 1.0 / aht, 1.0 / patience, arrival_rate
    # Overloaded, the queue settles around (lam - n mu) / theta callers, and every one of those
    # states is summed: refuse a queue no contact centre has rather than run for minutes.
    settled = (lam - agents * mu) / theta
    if settled > MAX_QUEUE:
        raise CostModelError(
            f"with {agents} agents the queue would settle near {settled:,.0f} waiting callers "
            f"(arrival_rate x patience is {lam * patience:,.0g}); Erlang A is limited to "
            f"{MAX_QUEUE:,} - check the units (calls per second, seconds)"
        )
    load = lam * aht
    # A known Erlang B only saves recomputing it: the figures are the same.
    b = erlang_b(agents, load) if blocking is None else blocking  # pragma: no mutate
    a = agents * mu
    # Weights relative to the state "all agents busy, nobody waiting" (log space).
    log_below = math.log(1.0 / b - 1.0) if b < 1.0 else -math.inf  # states with a free agent
    log_queue = 0.0  # sum over j >= 0 of w_j, w_0 = 1
    log_ahead = -math.inf  # sum of j * w_j
    log_served = -math.inf  # sum of w_j * P(answered within t | j ahead)
    alpha = a / theta + 1.0
    x = math.exp(-theta * answer_within)
    log_one_minus_x = math.log1p(-x) if x < 1.0 else -math.inf
    log_term = alpha * -theta * answer_within  # log of I's first term, x ** alpha
    log_partial = log_term  # log I_x(alpha, j + 1)
    log_w = 0.0
    j = 0
    while True:
        partial = math.exp(log_partial) if log_partial < 0 else 1.0
        answered = (a / (a + (j + 1) * theta)) * max(0.0, 1.0 - partial)
        if answered > 0:
            log_served = _logsumexp(log_served, log_w + math.log(answered))
        if j:
            log_ahead = _logsumexp(log_ahead, log_w + math.log(j))
        j += 1
        log_w += math.log(lam / (a + j * theta))
        log_queue_next = _logsumexp(log_queue, log_w)
        # Stop once further weights cannot change the sums in double precision.
        if log_w - log_queue_next < -40 and j > 1 and lam < a + j * theta:
            break
        log_queue = log_queue_next
        log_term += math.log((alpha + j - 1) / j) + log_one_minus_x
        log_partial = _logsumexp(log_partial, log_term)
    log_total = _logsumexp(log_below, log_queue)
    wait = math.exp(log_queue - log_total)
    queue_length = math.exp(log_ahead - log_total) if log_ahead > -math.inf else 0.0
    served = math.exp(_logsumexp(log_below, log_served) - log_total)
    return ErlangAMetrics(
        probability_of_waiting=wait,
        abandonment=theta * queue_length / lam,
        service_level=min(1.0, served),
        mean_queue_wait=queue_length / lam,
    )
