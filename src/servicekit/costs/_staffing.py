"""How many agents a service level needs: voice (Erlang C or A), chat, email, self-service."""

from __future__ import annotations

import datetime as _dt
import enum
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import attrs

from servicekit.costs._erlang import (
    _c_from_b,
    erlang_a,
    erlang_b,
    erlang_b_from,
    erlang_c_service_level,
)
from servicekit.errors import CostModelError, UnattainableTargetError

__all__ = [
    "DEFAULT_CONCURRENCY_EFFICIENCY",
    "Channel",
    "Staffing",
    "backlog_agents",
    "chat_load_factor",
    "coverage_people",
    "deflect",
    "required_agents",
    "staff_intervals",
    "staffing_for",
]

DEFAULT_CONCURRENCY_EFFICIENCY: Final[Mapping[int, float]] = {
    1: 1.0,
    2: 1.7,
    3: 2.5,
    4: 2.9,
    5: 3.5,
}
"""Conversations an agent handles at once -> how many single conversations' worth of work that is
(an agent with three chats is slower at each).
"""
_SEARCH_LIMIT: Final = 10_000_000


class Channel(enum.Enum):
    """The contact channels a scenario can staff."""

    SELF_SERVICE = "self_service"
    CHAT = "chat"
    VOICE = "voice"
    EMAIL = "email"


def _seconds(value: _dt.timedelta | float, name: str) -> float:
    if isinstance(value, _dt.timedelta):
        seconds = value.total_seconds()
    else:
        # A string ("180") or a bool is refused, not read as a number.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CostModelError(
                f"{name} must be a number of seconds or a timedelta, got "
                f"{type(value).__name__} {value!r}"
            )
        seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise CostModelError(f"{name} must be positive, got {value!r}")
    return seconds


def _fraction(value: float, name: str, *, closed_low: bool = False) -> float:
    ok = (0 <= value < 1) if closed_low else (0 < value < 1)
    if not ok:
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise CostModelError(f"{name} must be in {interval}, got {value!r}")
    return float(value)


@attrs.frozen(kw_only=True)
class Staffing:
    """Staffing for one interval and what it achieves.

    Attributes:
        load: offered load in Erlangs (calls x handle time / interval).
        agents: agents on the phones (the raw requirement).
        scheduled_agents: agents to schedule once shrinkage is allowed for.
        service_level: share of calls answered within the threshold.
        probability_of_waiting: share of calls that wait at all.
        average_speed_of_answer: mean wait in seconds (over all calls).
        occupancy: share of the agents' time spent handling calls.
        abandonment: share of callers who hang up (Erlang A only, else ``None``).
        model: ``"erlang_c"`` or ``"erlang_a"``.
    """

    load: float
    agents: int
    scheduled_agents: int
    service_level: float
    probability_of_waiting: float
    average_speed_of_answer: float
    occupancy: float
    abandonment: float | None
    model: str


def _scheduled(agents: int, shrinkage: float) -> int:
    # A small tolerance keeps 14 / (1 - 0.3) = 20.000000000000004 at 20.
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)


def _metrics(
    n: int,
    load: float,
    b: float,
    aht: float,
    answer_within: float,
    shrinkage: float,
    model: str,
    patience: float | None,
    arrival_rate: float,
) -> Staffing:
    if model == "erlang_a":
        assert patience is not None
        # (Handing Erlang B over only saves recomputing it: the figures are the same.)
        a = erlang_a(n, arrival_rate, aht, patience, answer_within, blocking=b)  # pragma: no mutate
        carried = load * (1.0 - a.abandonment)
        return Staffing(
            load=load,
            agents=n,
            scheduled_agents=_scheduled(n, shrinkage),
            service_level=a.service_level,
            probability_of_waiting=a.probability_of_waiting,
            average_speed_of_answer=a.mean_queue_wait,
            occupancy=min(1.0, carried / n),
            abandonment=a.abandonment,
            model=model,
        )
    c = _c_from_b(n, load, b)
    stable = n > load
    return Staffing(
        load=load,
        agents=n,
        scheduled_agents=_scheduled(n, shrinkage),
        service_level=erlang_c_service_level(n, load, c, answer_within, aht),
        probability_of_waiting=c,
        average_speed_of_answer=c * aht / (n - load) if stable else math.inf,
        occupancy=min(1.0, load / n),
        abandonment=None,
        model=model,
    )


def _inputs(
    volume: float,
    interval: _dt.timedelta | float,
    aht: _dt.timedelta | float,
    answer_within: _dt.timedelta | float,
    shrinkage: float,
    model: str,
    patience: _dt.timedelta | float | None,
) -> tuple[float, float, float, float, float | None]:
    if isinstance(volume, bool) or not isinstance(volume, int | float):
        raise CostModelError(f"volume must be a number, got {type(volume).__name__} {volume!r}")
    if not math.isfinite(volume) or volume <= 0:
        raise CostModelError(f"volume must be positive, got {volume!r}")
    interval_s = _seconds(interval, "interval")
    aht_s = _seconds(aht, "aht")
    if isinstance(answer_within, _dt.timedelta):
        within = answer_within.total_seconds()
    elif isinstance(answer_within, bool) or not isinstance(answer_within, int | float):
        raise CostModelError(
            f"answer_within must be a number of seconds or a timedelta, got {answer_within!r}"
        )
    else:
        within = float(answer_within)
    # NaN compares false with everything, so the search for agents would never stop.
    if not math.isfinite(within) or within < 0:
        raise CostModelError(
            f"answer_within must be finite and not negative, got {answer_within!r}"
        )
    _fraction(shrinkage, "shrinkage", closed_low=True)
    if model not in ("erlang_c", "erlang_a"):
        raise CostModelError(f"model must be 'erlang_c' or 'erlang_a', got {model!r}")
    patience_s = None
    if model == "erlang_a":
        if patience is None:
            raise CostModelError("model='erlang_a' needs the callers' mean patience (patience=...)")
        patience_s = _seconds(patience, "patience")
    return volume / interval_s, interval_s, aht_s, within, patience_s


def staffing_for(
    agents: int,
    volume: float,
    interval: _dt.timedelta | float,
    aht: _dt.timedelta | float,
    answer_within: _dt.timedelta | float,
    *,
    shrinkage: float = 0.0,
    model: str = "erlang_c",
    patience: _dt.timedelta | float | None = None,
) -> Staffing:
    """What ``agents`` agents achieve for ``volume`` calls per ``interval`` (durations as
    ``timedelta`` or seconds)."""
    rate, _, aht_s, within, patience_s = _inputs(
        volume, interval, aht, answer_within, shrinkage, model, patience
    )
    if agents < 1:
        raise CostModelError(f"agents must be at least 1, got {agents}")
    load = rate * aht_s
    return _metrics(
        agents, load, erlang_b(agents, load), aht_s, within, shrinkage, model, patience_s, rate
    )


def required_agents(
    volume: float,
    interval: _dt.timedelta | float,
    aht: _dt.timedelta | float,
    service_level: float,
    answer_within: _dt.timedelta | float,
    *,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    model: str = "erlang_c",
    patience: _dt.timedelta | float | None = None,
    max_abandon: float | None = None,
) -> Staffing:
    """The fewest agents that answer ``service_level`` of ``volume`` calls per ``interval``
    within ``answer_within`` (and respect the occupancy and abandonment caps).

    With ``model="erlang_a"`` callers hang up after an exponential ``patience``;
    the search then starts at one agent, so it finds the true minimum even below
    the offered load.

    Raises:
        CostModelError: non-positive volume or durations, a service level outside
            (0, 1), shrinkage not in [0, 1), an unknown model.
        UnattainableTargetError: no number of agents meets the target (the
            message gives the best that can be reached).
    """
    rate, _, aht_s, within, patience_s = _inputs(
        volume, interval, aht, answer_within, shrinkage, model, patience
    )
    target = _fraction(service_level, "service_level")
    if max_occupancy is not None:
        _fraction(max_occupancy, "max_occupancy")  # (0 refused: the range is open)
    if max_abandon is not None:
        if model != "erlang_a":
            raise CostModelError("max_abandon applies to model='erlang_a' only")
        _fraction(max_abandon, "max_abandon")
    load = rate * aht_s
    if load > _SEARCH_LIMIT:
        raise UnattainableTargetError(
            f"an offered load of {load:,.0f} Erlangs needs more than {_SEARCH_LIMIT:,} agents; "
            "split the volume into smaller queues or check the units of volume and aht"
        )

    def meets(candidate: Staffing) -> bool:
        return (
            candidate.service_level >= target
            and (max_occupancy is None or candidate.occupancy <= max_occupancy + 1e-12)
            and (max_abandon is None or (candidate.abandonment or 0.0) <= max_abandon)
        )

    if model == "erlang_a":
        return _search_erlang_a(load, rate, aht_s, within, shrinkage, patience_s, meets, target)
    # Erlang C needs more agents than the load: walk up from there, one recurrence step each.
    start = math.floor(load)
    if max_occupancy is not None:
        start = max(start, math.ceil(load / max_occupancy) - 1)
        if start > _SEARCH_LIMIT:
            raise UnattainableTargetError(
                f"an occupancy of at most {max_occupancy:g} at {load:,.2f} Erlangs needs more "
                f"than {_SEARCH_LIMIT:,} agents; raise max_occupancy"
            )
    for n, b in erlang_b_from(load, start, erlang_b(start, load)):
        # The service level and occupancy decide; the full Staffing is built once.
        c = _c_from_b(n, load, b)
        if erlang_c_service_level(n, load, c, within, aht_s) >= target and (
            max_occupancy is None or load / n <= max_occupancy + 1e-12
        ):
            return _metrics(n, load, b, aht_s, within, shrinkage, model, None, rate)
        if n > _SEARCH_LIMIT:
            break
    raise UnattainableTargetError(
        f"more than {_SEARCH_LIMIT:,} agents would be needed for {target:.1%} within {within:g} s"
    )


def _search_erlang_a(
    load: float,
    rate: float,
    aht: float,
    within: float,
    shrinkage: float,
    patience: float | None,
    meets: Callable[[Staffing], bool],
    target: float,
) -> Staffing:
    """Binary search over agents (the service level rises with agents), from one agent up,
    so a minimum below the offered load is found too. Erlang B values come from one pass."""
    blocking = [1.0]

    def at(n: int) -> Staffing:
        while len(blocking) <= n:
            m = len(blocking)
            blocking.append(load * blocking[-1] / (m + load * blocking[-1]))
        return _metrics(n, load, blocking[n], aht, within, shrinkage, "erlang_a", patience, rate)

    hi = max(1, math.ceil(load))
    best = at(hi)
    while not meets(best):
        doubled = at(hi * 2)
        # Stalled only when neither the service level nor abandonment improves: an abandonment
        # cap may still be reached after the service level has stopped rising at 100%.
        stalled = doubled.service_level <= best.service_level + 1e-12 and (
            doubled.abandonment or 0.0
        ) >= (best.abandonment or 0.0)
        if stalled and not meets(doubled) and hi > 16:
            raise UnattainableTargetError(
                f"no number of agents answers {target:.1%} within {within:g} s with callers "
                f"who abandon: the service level stops rising at {doubled.service_level:.2%}; "
                "lower the target or the abandonment cap"
            )
        hi, best = hi * 2, doubled
        if hi > _SEARCH_LIMIT:
            raise UnattainableTargetError(f"more than {_SEARCH_LIMIT:,} agents would be needed")
    lo = 0  # at(lo) does not meet the target (or lo is 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        candidate = at(mid)
        if meets(candidate):
            hi, best = mid, candidate
        else:
            lo = mid
    return best


def staff_intervals(
    volumes: Sequence[float],
    interval: _dt.timedelta | float,
    aht: _dt.timedelta | float,
    service_level: float,
    answer_within: _dt.timedelta | float,
    *,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> list[Staffing]:
    """Staff a day or week of intervals (e.g. 48 half-hours) with Erlang C in one call.

    An interval with no calls needs no agents. Erlang B values are carried from
    one interval's search to the next when the load is the same.
    """
    out = []
    for volume in volumes:
        if volume == 0:
            out.append(
                Staffing(
                    load=0.0,
                    agents=0,
                    scheduled_agents=0,
                    service_level=1.0,
                    probability_of_waiting=0.0,
                    average_speed_of_answer=0.0,
                    occupancy=0.0,
                    abandonment=None,
                    model="erlang_c",
                )
            )
            continue
        out.append(
            required_agents(
                volume,
                interval,
                aht,
                service_level,
                answer_within,
                max_occupancy=max_occupancy,
                shrinkage=shrinkage,
            )
        )
    return out


def chat_load_factor(
    concurrency: int, efficiency: Mapping[int, float] = DEFAULT_CONCURRENCY_EFFICIENCY
) -> float:
    """How many single conversations' worth of work one agent does at ``concurrency``.

    Staff chat as voice with the handle time divided by this factor.
    """
    if concurrency not in efficiency:
        raise CostModelError(
            f"no efficiency for {concurrency} concurrent chats; known: {sorted(efficiency)}"
        )
    return efficiency[concurrency]


def backlog_agents(
    work_items: float,
    handle_time: _dt.timedelta | float,
    deadline: _dt.timedelta | float,
    *,
    productive_share: float = 1.0,
) -> float:
    """Agents needed to clear a backlog (email, back office) by a deadline: the work due
    divided by the productive hours each agent has before it (not Erlang: nobody waits on
    the line)."""
    if work_items < 0:
        raise CostModelError(f"work_items must not be negative, got {work_items!r}")
    if not 0 < productive_share <= 1:
        raise CostModelError(f"productive_share must be in (0, 1], got {productive_share!r}")
    return (
        work_items
        * _seconds(handle_time, "handle_time")
        / (_seconds(deadline, "deadline") * productive_share)
    )


def deflect(
    volume: float,
    containment: float,
    aht: _dt.timedelta | float,
    *,
    handle_time_uplift: float = 0.0,
) -> tuple[float, float]:
    """Self-service: of ``volume`` contacts, ``containment`` never reach an agent; what still
    does takes longer (``handle_time_uplift``, e.g. 0.2 for 20% longer). Returns the
    remaining volume and its handle time in seconds."""
    _fraction(containment, "containment", closed_low=True)
    if handle_time_uplift < 0:
        raise CostModelError(f"handle_time_uplift must not be negative, got {handle_time_uplift!r}")
    return volume * (1.0 - containment), _seconds(aht, "aht") * (1.0 + handle_time_uplift)


def coverage_people(
    seats: float, shrinkage: float, *, hours_per_week: float = 168.0, contract_hours: float = 40.0
) -> float:
    """People needed to keep ``seats`` staffed for ``hours_per_week`` (168 = around the clock):
    ``seats x hours / (contract_hours x (1 - shrinkage))``."""
    _fraction(shrinkage, "shrinkage", closed_low=True)
    if seats < 0 or hours_per_week <= 0 or contract_hours <= 0:
        raise CostModelError("seats must be non-negative and the hours positive")
    return seats * hours_per_week / (contract_hours * (1.0 - shrinkage))
