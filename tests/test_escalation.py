"""Escalation chains: stated semantics, invariants, and the BPI Challenge 2013 log."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import (
    Acknowledged,
    Assigned,
    BusinessCalendar,
    Escalated,
    PriorityChanged,
    Ticket,
    helpdesk_lifecycle,
)
from servicekit.errors import InvalidEscalationError, NegativeDurationError, UnknownTimezoneError
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    Delay,
    EnteredCategory,
    EscalationChain,
    OutsideWindow,
    PriorityRaised,
    Repeat,
    Selector,
    Step,
    Target,
    Unreachable,
    Window,
)
from servicekit.sla import On, SlaPolicy, SlaTarget

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
T0 = pendulum.datetime(2025, 3, 3, 9, tz=MADRID)  # Monday
DESK = BusinessCalendar(MADRID, "mon-fri 09:00-17:00")
L2, L3 = Target("tier", "L2"), Target("tier", "L3")
LEAD, MANAGER, DIRECTOR = (
    Target("person", "lead"),
    Target("person", "manager"),
    Target("person", "director"),
)


def escalated_ticket(at: pendulum.DateTime = T0) -> Ticket:
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="T-1", at=at, priority="P1")
    t.record(Escalated(at=at, level="L1"))
    return t


FUNCTIONAL = EscalationChain(
    name="tiers",
    steps=[
        Step(targets=[L2], wait=Delay(H), reassign=L2),
        Step(targets=[L3], wait=Delay(2 * H, DESK), reassign=L3),
    ],
)


def test_functional_chain_in_business_hours() -> None:
    t = escalated_ticket(pendulum.datetime(2025, 3, 7, 15, 30, tz=MADRID))  # Friday
    report = FUNCTIONAL.evaluate(t, pendulum.datetime(2025, 3, 10, 12, tz=MADRID))
    assert [(n.target, n.at) for n in report.notifications] == [
        (L2, pendulum.datetime(2025, 3, 7, 16, 30, tz=MADRID)),
        (L3, pendulum.datetime(2025, 3, 10, 10, 30, tz=MADRID)),  # 30 min Friday, 90 Monday
    ]
    assert report.notifications[0].reassign == L2
    assert report.next_at is None


def test_hierarchical_chain_against_the_sla() -> None:
    sla = SlaPolicy(
        "p", [SlaTarget(metric="resolution", priority="*", target=8 * H, calendar=DESK)]
    )
    chain = EscalationChain(
        name="management",
        kind="hierarchical",
        triggers=[On("ticket_opened")],
        steps=[
            Step(targets=[LEAD], wait=AtSlaFraction("resolution", 0.75)),
            Step(targets=[MANAGER], wait=AtSlaFraction("resolution", 1.0)),
            Step(targets=[DIRECTOR], wait=AfterBreach("resolution", H, DESK)),
        ],
    )
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="T-2", at=T0, priority="P2")
    early = chain.evaluate(t, T0 + 5 * H, sla=sla)
    assert early.notifications == ()
    assert early.next_at == T0 + 6 * H
    late = chain.evaluate(t, T0 + 2 * 24 * H, sla=sla)
    assert [(n.target.name, n.at) for n in late.notifications] == [
        ("lead", T0 + 6 * H),
        ("manager", T0 + 8 * H),
        ("director", T0 + 25 * H),  # Tuesday 10:00: one business hour after the breach
    ]
    with pytest.raises(InvalidEscalationError, match="pass the SLA policy"):
        chain.evaluate(t, T0)


def test_event_at_the_due_instant_wins() -> None:
    t = escalated_ticket()
    t.record(Acknowledged(at=T0 + H, chain="tiers"))  # exactly when L2 falls due
    report = FUNCTIONAL.evaluate(t, T0 + 5 * H)
    assert report.notifications == ()
    assert report.position is None
    assert report.next_at is None


def test_acknowledgement_timeout_restarts_and_a_new_trigger_starts_a_new_run() -> None:
    chain = EscalationChain(
        name="ack",
        steps=[Step(targets=[LEAD], wait=Delay(H)), Step(targets=[MANAGER], wait=Delay(H))],
        ack_timeout=2 * H,
        ack_restart_step=1,
    )
    t = escalated_ticket()
    t.record(Acknowledged(at=T0 + 1.5 * H, chain="ack"))
    report = chain.evaluate(t, T0 + 6 * H)
    assert [(n.target.name, n.loop, n.at) for n in report.notifications] == [
        ("lead", 0, T0 + H),
        ("manager", 1, T0 + 4.5 * H),  # ack at 1.5 h held until 3.5 h, then step 1 after 1 h
    ]
    keys = [n.key for n in report.notifications]
    assert len(set(keys)) == len(keys)
    # Reassignment stops it; a new escalation starts run 2.
    t.record(Assigned(at=T0 + 7 * H, group="L2"))
    t.record(Escalated(at=T0 + 8 * H, level="L1"))
    again = chain.evaluate(t, T0 + 9 * H)
    assert again.notifications[-1].run == 2
    assert again.notifications[-1].key.endswith("run2:loop0:step0:person:lead")


def test_repeat_until_stopped_and_bounded_repeat() -> None:
    endless = EscalationChain(
        name="page", steps=[Step(targets=[LEAD], wait=Delay(0.5 * H))], repeat=Repeat(None, 0)
    )
    t = escalated_ticket()
    report = endless.evaluate(t, T0 + 3 * H)
    assert len(report.notifications) == 6
    assert report.next_at == T0 + 3.5 * H
    bounded = EscalationChain(
        name="page2", steps=[Step(targets=[LEAD], wait=Delay(0.5 * H))], repeat=Repeat(2, 0)
    )
    assert len(bounded.evaluate(t, T0 + 10 * H).notifications) == 3


def test_windows_defer_skip_or_go_elsewhere() -> None:
    office = Window("America/New_York", dt.time(9), dt.time(17), weekdays={0, 1, 2, 3, 4})
    t = escalated_ticket()  # 09:00 Madrid = 03:00 New York
    deferred = EscalationChain(name="w", steps=[Step(targets=[LEAD], window=office)])
    (n,) = deferred.evaluate(t, T0 + 12 * H).notifications
    assert n.at == pendulum.datetime(2025, 3, 3, 9, tz="America/New_York")
    skipping = EscalationChain(
        name="s",
        steps=[
            Step(targets=[LEAD], window=attrs_evolve(office, outside=OutsideWindow.SKIP)),
            Step(targets=[MANAGER], wait=Delay(H)),
        ],
    )
    assert [n.target for n in skipping.evaluate(t, T0 + 12 * H).notifications] == [MANAGER]
    goto = EscalationChain(
        name="g",
        steps=[
            Step(
                targets=[LEAD], window=attrs_evolve(office, outside=OutsideWindow.GOTO, goto_step=1)
            ),
            Step(targets=[Target("group", "night-shift")]),
        ],
    )
    assert [n.target.name for n in goto.evaluate(t, T0 + H).notifications] == ["night-shift"]


def attrs_evolve(window: Window, **changes: object) -> Window:
    import attrs

    return attrs.evolve(window, **changes)


def test_selectors_and_unreachable_targets() -> None:
    people = [Target("person", name) for name in ("ana", "bo", "cy")]

    def only_cy(target: Target, at: pendulum.DateTime) -> bool:
        return target.name == "cy"

    t = escalated_ticket()
    first = EscalationChain(
        name="f", steps=[Step(targets=people, selector=Selector.FIRST_REACHABLE)]
    )
    assert [n.target.name for n in first.evaluate(t, T0, reachable=only_cy).notifications] == ["cy"]
    rr = EscalationChain(name="r", steps=[Step(targets=people, selector="round_robin")])
    assert rr.evaluate(t, T0, cursor=4).notifications[0].target.name == "bo"
    fallback = EscalationChain(
        name="fb",
        steps=[Step(targets=people[:2], unreachable=Unreachable.FALLBACK, fallback=DIRECTOR)],
    )
    assert [n.target for n in fallback.evaluate(t, T0, reachable=only_cy).notifications] == [
        DIRECTOR
    ]

    def back_at_ten(target: Target, at: pendulum.DateTime) -> bool:
        return at >= T0 + H

    hold = EscalationChain(name="h", steps=[Step(targets=[LEAD], unreachable="wait")])
    waiting = hold.evaluate(t, T0 + 0.5 * H, reachable=back_at_ten)
    assert waiting.notifications == ()
    assert waiting.next_at == T0 + 35 * dt.timedelta(minutes=1)
    (n,) = hold.evaluate(t, T0 + 2 * H, reachable=back_at_ten).notifications
    assert n.at == T0 + H


def test_editing_a_chain_keeps_runs_under_way() -> None:
    v1 = EscalationChain(name="v", steps=[Step(targets=[LEAD], wait=Delay(H))], version=1)
    v2 = EscalationChain(
        name="v",
        steps=[Step(targets=[MANAGER], wait=Delay(H))],
        version=2,
        effective_from=T0 + 2 * H,
    )
    t = escalated_ticket()
    (n,) = v2.evaluate(t, T0 + 3 * H, versions=[v1]).notifications
    assert (n.target, n.chain_version) == (LEAD, 1)
    t.record(Acknowledged(at=T0 + 3 * H, chain="v"))
    t.record(Escalated(at=T0 + 4 * H, level="L1"))
    latest = v2.evaluate(t, T0 + 6 * H, versions=[v1]).notifications[-1]
    assert (latest.target, latest.chain_version, latest.run) == (MANAGER, 2, 2)


def test_priority_raise_trigger() -> None:
    chain = EscalationChain(
        name="raise", steps=[Step(targets=[LEAD])], triggers=[PriorityRaised(["P1", "P2", "P3"])]
    )
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="T-3", at=T0, priority="P3")
    t.record(PriorityChanged(at=T0 + H, from_priority="P3", to_priority="P2"))
    assert [n.at for n in chain.evaluate(t, T0 + 2 * H).notifications] == [T0 + H]


@pytest.mark.parametrize(
    ("build", "error", "fragment"),
    [
        (lambda: EscalationChain(name="e", steps=[]), InvalidEscalationError, "no steps"),
        (
            lambda: EscalationChain(name="r", steps=[Step(targets=[LEAD])], repeat=Repeat(1, 3)),
            InvalidEscalationError,
            "outside the chain",
        ),
        (lambda: Delay(-H), NegativeDurationError, "negative"),
        (
            lambda: Window("Mars/Base", dt.time(9), dt.time(17)),
            UnknownTimezoneError,
            "Mars/Base",
        ),
        (
            lambda: EscalationChain(name="z", steps=[Step(targets=[LEAD])], repeat=Repeat(None, 0)),
            InvalidEscalationError,
            "positive wait",
        ),
        (lambda: Target("robot", "r2"), InvalidEscalationError, "target kind"),
    ],
)
def test_bad_definitions(build: object, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        build()  # type: ignore[operator]


# -- invariants ------------------------------------------------------------------------------------

WAITS = st.sampled_from([Delay(0.5 * H), Delay(2 * H), Delay(H, DESK)])
STEPS = st.lists(
    st.builds(
        Step,
        targets=st.lists(
            st.sampled_from([LEAD, MANAGER, DIRECTOR, L2]), min_size=1, max_size=3, unique=True
        ),
        wait=WAITS,
        window=st.sampled_from(
            [None, Window(MADRID, dt.time(8), dt.time(20), weekdays={0, 1, 2, 3, 4})]
        ),
    ),
    min_size=1,
    max_size=4,
)


@st.composite
def chains(draw: st.DrawFn) -> EscalationChain:
    steps = draw(STEPS)
    times = draw(st.sampled_from([0, 1, 3, None]))
    return EscalationChain(
        name="prop", steps=steps, repeat=Repeat(times, draw(st.integers(0, len(steps) - 1)))
    )


@st.composite
def histories(draw: st.DrawFn) -> Ticket:
    start = T0.add(minutes=draw(st.integers(0, 7 * 24 * 60)))
    t = escalated_ticket(start)
    at = start
    for _ in range(draw(st.integers(0, 3))):
        at = at.add(minutes=draw(st.integers(1, 24 * 60)))
        if draw(st.booleans()):
            t.record(Escalated(at=at, level="L1"))
        else:
            t.record(Acknowledged(at=at, chain="prop"))
    return t


# Each example runs a chain over up to five days, hundreds of notifications: costly.
@settings(costly())
@given(chains(), histories(), st.integers(0, 5 * 24 * 60), st.integers(0, 5 * 24 * 60))
def test_escalation_invariants(chain: EscalationChain, t: Ticket, a: int, b: int) -> None:
    last = t.last_event_at
    early, late = last.add(minutes=min(a, b)), last.add(minutes=max(a, b))
    first, second = chain.evaluate(t, early), chain.evaluate(t, late)
    assert second.notifications[: len(first.notifications)] == first.notifications
    if first.next_at is not None:
        assert first.next_at > early
    stops = [e.at for e in t if isinstance(e, Acknowledged)]
    starts = [e.at for e in t if isinstance(e, Escalated)]
    per_run: dict[int, list[str]] = collections.defaultdict(list)
    for n in second.notifications:
        per_run[n.run].append(n.key)
        assert n.loop <= (chain.repeat.times if chain.repeat.times is not None else 10**9)
        window = chain.steps[n.step].window
        if window is not None:
            assert window.calendar().is_open(n.at)
        # Nothing is due between a stop and the next trigger.
        previous_stop = max((s for s in stops if s <= n.at), default=None)
        if previous_stop is not None:
            assert any(previous_stop < s <= n.at for s in starts) or n.at < previous_stop
    for keys in per_run.values():
        assert len(keys) == len(set(keys))


@given(
    st.lists(
        st.tuples(
            st.lists(
                st.sampled_from([LEAD, MANAGER, DIRECTOR]), min_size=1, max_size=2, unique=True
            ),
            st.integers(5, 120),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([0, 1, 2, None]),
    st.integers(0, 24 * 60),
)
def test_levels_and_steps_give_the_same_notifications(
    levels: list[tuple[list[Target], int]], repeat: int | None, later: int
) -> None:
    as_levels = EscalationChain.from_levels(
        "pd", [(targets, dt.timedelta(minutes=m)) for targets, m in levels], repeat=repeat
    )
    # The same policy written by hand: walk the levels, waiting each level's delay.
    expected = []
    at = T0
    passes = 1 if repeat == 0 else (repeat + 1 if repeat is not None else 10**6)
    horizon = T0.add(minutes=later)
    for _ in range(passes):
        for targets, minutes in levels:
            if at > horizon:
                break
            expected.extend((at, target) for target in targets)
            at = at.add(minutes=minutes)
        if at > horizon:
            break
    got = [(n.at, n.target) for n in as_levels.evaluate(escalated_ticket(), horizon).notifications]
    assert got == expected


# -- the BPI Challenge 2013 log ---------------------------------------------------------------


def test_bpi2013_functional_escalations_against_a_declared_chain(bpic2013_path: Path) -> None:
    from servicekit.datasets import bpic2013_tickets

    cet = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
    chain = EscalationChain(
        name="to-2nd-line",
        steps=[
            Step(
                targets=[Target("tier", "2nd")],
                wait=Delay(8 * H, cet),
                reassign=Target("tier", "2nd"),
            )
        ],
        triggers=[On("ticket_opened")],
        stops=[
            On("assigned", tier="2nd"),
            On("assigned", tier="3rd"),
            EnteredCategory(["solved", "closed", "cancelled"]),
        ],
    )
    outcome: collections.Counter[str] = collections.Counter()
    for t in bpic2013_tickets(bpic2013_path):
        actual = next(
            (e.at for e in t if isinstance(e, Assigned) and e.tier in ("2nd", "3rd")), None
        )
        asked = chain.evaluate(t, t.last_event_at).notifications
        if asked:
            # The chain asks exactly 8 business hours after opening, and only before any
            # real escalation or resolution.
            assert asked[0].at == cet.add(t.opened.at, 8 * H)
            assert actual is None or asked[0].at < actual
        outcome[("escalated" if actual else "kept") + ("/asked" if asked else "")] += 1
    assert sum(outcome.values()) == 7554
    assert outcome["escalated/asked"] > 0
    assert outcome["kept/asked"] > 0


def test_an_endless_repeat_asked_far_ahead_is_refused_with_the_limit() -> None:
    """It used to stop after 100,000 notifications saying the chain "does not advance in time"."""
    from servicekit.errors import InvalidEscalationError

    every_minute = EscalationChain(
        name="pager",
        steps=[Step(targets=[LEAD], wait=Delay(dt.timedelta(minutes=1)))],
        repeat=Repeat(None, 0),
    )
    t = escalated_ticket()
    assert len(every_minute.evaluate(t, T0 + 24 * H).notifications) == 24 * 60
    with pytest.raises(InvalidEscalationError, match=r"more than 100,000 steps in one run"):
        every_minute.evaluate(t, T0 + 100 * 24 * H)


_L2 = Target("tier", "L2")


def _chain(**options: object) -> EscalationChain:
    steps = options.pop("steps", [Step(targets=[_L2]), Step(targets=[_L2], wait=Delay(H))])
    return EscalationChain(name="c", steps=steps, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Window(MADRID, dt.time(17), dt.time(9)), "must end after it starts"),
        (lambda: Window(MADRID, dt.time(9), dt.time(17), weekdays=frozenset()), "non-empty set"),
        (lambda: Window(MADRID, dt.time(9), dt.time(17), weekdays=frozenset({7})), "of 0..6"),
        (
            lambda: Window(MADRID, dt.time(9), dt.time(17), outside="goto"),
            "give goto_step exactly when outside is GOTO",
        ),
        (
            lambda: Window(MADRID, dt.time(9), dt.time(17), goto_step=1),
            "give goto_step exactly when outside is GOTO",
        ),
        (lambda: Step(targets=[]), "a step needs at least one target"),
        (
            lambda: Step(targets=[_L2], unreachable="fallback"),
            "give a fallback target exactly when unreachable is FALLBACK",
        ),
        (lambda: Step(targets=[_L2], fallback=_L2), "exactly when unreachable is FALLBACK"),
        (lambda: _chain(repeat=Repeat(-1)), r"repeat.times must be >= 0 or None"),
        (lambda: _chain(ack_restart_step=2), "ack_restart_step must be a step index below 2"),
        (lambda: _chain(ack_timeout=dt.timedelta(0)), "ack_timeout must be positive"),
        (lambda: _chain(hold_poll=dt.timedelta(0)), "hold_poll must be positive"),
        (
            lambda: _chain(
                steps=[
                    Step(
                        targets=[_L2],
                        window=Window(MADRID, dt.time(9), dt.time(17), outside="goto", goto_step=5),
                    )
                ]
            ),
            "step 0 goes to step 5, outside the chain",
        ),
        (lambda: EscalationChain.from_levels("c", []), "chain 'c' has no levels"),
    ],
)
def test_chain_refusals_name_the_rule(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidEscalationError, match=message):
        make()
