"""SLA policies and clocks: worked cases, documented behaviour of other systems, invariants,
and a real history checked against an independent computation."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Lifecycle,
    PriorityChanged,
    Status,
    StatusCategory,
    Ticket,
    TicketOpened,
    Transition,
    helpdesk_lifecycle,
)
from servicekit.errors import NegativeDurationError, OutOfOrderEventError, SlaPolicyError
from servicekit.sla import (
    ANY_PRIORITY,
    RESOLUTION,
    On,
    SlaMetric,
    SlaPolicy,
    SlaState,
    SlaTarget,
    SlaTracker,
    evaluate_many,
)
from servicekit.testing import business_calendars, tickets

H = dt.timedelta(hours=1)
US = dt.timedelta(microseconds=1)
UTC = "UTC"
NINE_TO_FIVE = BusinessCalendar(UTC, "mon-fri 09:00-17:00")


def at(*args: int, tz: str = UTC) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=tz)


def policy(calendar: BusinessCalendar = NINE_TO_FIVE, **options: str) -> SlaPolicy:
    return SlaPolicy(
        "standard",
        [
            SlaTarget(metric="first_response", priority="Medium", target=3 * H, calendar=calendar),
            SlaTarget(metric="first_response", priority="High", target=2 * H, calendar=calendar),
            SlaTarget(
                metric="next_response", priority=ANY_PRIORITY, target=2 * H, calendar=calendar
            ),
            SlaTarget(metric="resolution", priority=ANY_PRIORITY, target=8 * H, calendar=calendar),
        ],
        **options,  # type: ignore[arg-type]
    )


def helpdesk(start: pendulum.DateTime, priority: str = "Medium") -> Ticket:
    return Ticket.open(helpdesk_lifecycle(), ticket_id="T-1", at=start, priority=priority)


# -- worked cases --------------------------------------------------------------------------


def test_priority_raise_keeps_time_used() -> None:
    t0 = at(2025, 3, 3, 10)
    ticket = helpdesk(t0)
    ticket.record(PriorityChanged(at=t0 + H, from_priority="Medium", to_priority="High"))
    (first,) = policy().evaluate(ticket, t0 + 1.5 * H).for_metric("first_response")
    assert first.due_at == at(2025, 3, 3, 12)
    assert first.priority == "High"
    assert first.elapsed == 1.5 * H
    assert first.remaining == 0.5 * H
    # 50% of the new two-hour target was already used when the priority rose.
    assert first.warnings[0].fraction == 0.5
    assert first.warnings[0].at == t0 + H


def test_priority_raise_can_restart_the_clock() -> None:
    t0 = at(2025, 3, 3, 10)
    ticket = helpdesk(t0)
    ticket.record(PriorityChanged(at=t0 + H, from_priority="Medium", to_priority="High"))
    (first,) = (
        policy(on_priority_change="restart")
        .evaluate(ticket, t0 + 1.5 * H)
        .for_metric("first_response")
    )
    assert first.due_at == at(2025, 3, 3, 13)
    assert first.elapsed == 0.5 * H


def test_breach_stays_recorded_after_a_priority_drop() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0, priority="High")
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="High", to_priority="Medium"))
    (first,) = policy().evaluate(ticket, t0 + 3.5 * H).for_metric("first_response")
    assert first.breached_at == t0 + 2 * H + US
    assert first.state is SlaState.BREACHED_RUNNING


def test_pause_across_a_weekend_counts_business_time_only() -> None:
    friday = at(2025, 3, 7, 9)
    ticket = helpdesk(friday)
    ticket.fire("open", at=friday)
    ticket.fire("pend", at=at(2025, 3, 7, 16))
    ticket.fire("customer_reply", at=at(2025, 3, 10, 10))
    (resolution,) = policy().evaluate(ticket, at(2025, 3, 10, 10)).for_metric("resolution")
    # Paused Fri 16:00 -> Mon 10:00 removes 2 business hours (16-17 and 9-10), not 66.
    assert resolution.elapsed == 7 * H
    assert resolution.due_at == at(2025, 3, 10, 11)
    paused = policy().evaluate(ticket, at(2025, 3, 9, 12)).for_metric("resolution")[0]
    assert paused.state is SlaState.PAUSED
    assert paused.due_at is None
    assert paused.next_change_at is None


def test_met_and_breached_stopped() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + 2 * H))
    ticket.record(CustomerReplied(at=t0 + 3 * H))
    ticket.record(AgentReplied(at=t0 + 6 * H))
    report = policy().evaluate(ticket, t0 + 7 * H)
    (first,) = report.for_metric("first_response")
    assert (first.state, first.elapsed, first.ended_at) == (SlaState.MET, 2 * H, t0 + 2 * H)
    (nxt,) = report.for_metric("next_response")
    assert nxt.state is SlaState.BREACHED_STOPPED
    assert nxt.breached_at == t0 + 5 * H + US


def test_internal_notes_do_not_answer_the_customer() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H, public=False))
    (first,) = policy().evaluate(ticket, t0 + 2 * H).for_metric("first_response")
    assert first.state is SlaState.RUNNING


def test_reopen_resumes_or_starts_a_new_cycle() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + 2 * H)
    ticket.fire("customer_reply", at=t0 + 4 * H)
    resumed = policy().evaluate(ticket, t0 + 5 * H).for_metric("resolution")
    assert [(s.cycle, s.state, s.elapsed) for s in resumed] == [(1, SlaState.RUNNING, 3 * H)]
    fresh = policy(on_reopen="new_cycle").evaluate(ticket, t0 + 5 * H).for_metric("resolution")
    assert [(s.cycle, s.state, s.elapsed) for s in fresh] == [
        (1, SlaState.MET, 2 * H),
        (2, SlaState.RUNNING, H),
    ]


def test_customer_reply_that_reopens_starts_next_response() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H))
    ticket.fire("solve", at=t0 + H)
    ticket.record(CustomerReplied(at=t0 + 2 * H))  # reopens the solved ticket by itself
    assert ticket.status == "open"
    (nxt,) = policy().evaluate(ticket, t0 + 3 * H).for_metric("next_response")
    assert nxt.state is SlaState.RUNNING
    assert nxt.due_at == t0 + 4 * H


def test_next_change_at_and_instant_at() -> None:
    t0 = at(2025, 3, 3, 9)
    report = policy().evaluate(helpdesk(t0), t0 + 30 * dt.timedelta(minutes=1))
    (first,) = report.for_metric("first_response")
    assert first.next_change_at == t0 + 1.5 * H  # the 50% warning of a 3-hour target
    assert report.next_change_at == t0 + 1.5 * H
    assert first.instant_at(0.25) == t0 + 0.75 * H
    assert first.instant_at(1.0) == first.due_at == t0 + 3 * H


def test_rows_for_csv() -> None:
    t0 = at(2025, 3, 3, 9)
    rows = list(evaluate_many(policy(), [helpdesk(t0), helpdesk(t0, "High")], t0 + 4 * H))
    assert [(r.metric, r.priority, r.state, r.breached) for r in rows] == [
        ("first_response", "Medium", "breached_running", True),
        ("resolution", "Medium", "running", False),
        ("first_response", "High", "breached_running", True),
        ("resolution", "High", "running", False),
    ]
    row = rows[0].as_dict()
    assert row["elapsed_seconds"] == 4 * 3600
    assert row["due_at"] == "2025-03-03T12:00:00+00:00"


def _escalation_answer(**options: object) -> SlaMetric:
    """Escalated -> acknowledged."""
    return SlaMetric(
        name="escalation_answer",
        starts_on=[On("escalated")],
        met_on=[On("acknowledged")],
        **options,  # type: ignore[arg-type]
    )


def test_custom_metric_from_conditions() -> None:
    escalated_to_answer = _escalation_answer(
        clock={StatusCategory.WAITING_ON_CUSTOMER: "run"},
    )
    from servicekit import Acknowledged, Escalated

    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(Escalated(at=t0 + H, level="L2"))
    ticket.record(Acknowledged(at=t0 + 1.25 * H, chain="tiers"))
    p = SlaPolicy("custom", [SlaTarget(metric=escalated_to_answer, priority="*", target=0.5 * H)])
    (status,) = p.evaluate(ticket, t0 + 2 * H).statuses
    assert (status.state, status.elapsed) == (SlaState.MET, 0.25 * H)


# -- documented behaviour of other systems ---------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "clock_starts", "due"),
    [
        ("America/New_York", at(2007, 1, 1, 22), at(2007, 1, 2, 15)),
        ("Europe/Moscow", at(2007, 1, 2, 6), at(2007, 1, 2, 8)),
    ],
)
def test_request_tracker_business_hours_example(
    zone: str, clock_starts: pendulum.DateTime, due: pendulum.DateTime
) -> None:
    """Request Tracker's documented SLA example: Mon-Fri 09:00-18:00 in the queue's zone,
    120 business minutes, a ticket created 2007-01-01 22:00Z."""
    calendar = BusinessCalendar(zone, "mon-fri 09:00-18:00")
    p = SlaPolicy(
        "rt", [SlaTarget(metric="first_response", priority="*", target=2 * H, calendar=calendar)]
    )
    created = at(2007, 1, 1, 22)
    ticket = Ticket.open(helpdesk_lifecycle(), ticket_id="rt", at=created, priority="normal")
    (status,) = p.evaluate(ticket, created).statuses
    assert status.started_at == created
    assert (
        calendar.next_open(status.started_at) == clock_starts
    )  # the clock's first running instant
    assert status.due_at == due


# -- bad input --------------------------------------------------------------------------------


def test_bad_definitions_are_refused() -> None:
    with pytest.raises(SlaPolicyError, match="must be positive"):
        SlaTarget(metric="resolution", priority="P1", target=dt.timedelta(0))
    with pytest.raises(NegativeDurationError):
        SlaTarget(metric="resolution", priority="P1", target=-H)
    with pytest.raises(SlaPolicyError, match=r"outside \(0, 1\)"):
        SlaTarget(metric="resolution", priority="P1", target=H, warn_at=(0.5, 1.0))
    with pytest.raises(SlaPolicyError, match="unknown metric 'reply'"):
        SlaTarget(metric="reply", priority="P1", target=H)
    with pytest.raises(SlaPolicyError, match="two targets"):
        SlaPolicy("p", [SlaTarget(metric="resolution", priority="P1", target=H)] * 2)
    with pytest.raises(SlaPolicyError, match="unknown event kind"):
        On("replied")


def test_missing_target_for_a_priority_that_occurs() -> None:
    p = SlaPolicy("p", [SlaTarget(metric="resolution", priority="P1", target=H)])
    with pytest.raises(SlaPolicyError, match="no 'resolution' target for priority 'P3'"):
        p.evaluate(helpdesk(at(2025, 1, 6, 9), "P3"), at(2025, 1, 6, 10))


def test_tracker_refuses_out_of_order_events() -> None:
    ticket = helpdesk(at(2025, 1, 6, 9))
    tracker = SlaTracker(policy(), helpdesk_lifecycle())
    tracker.record(ticket.opened)
    tracker.record(AgentReplied(at=at(2025, 1, 6, 10)))
    with pytest.raises(OutOfOrderEventError):
        tracker.record(AgentReplied(at=at(2025, 1, 6, 9, 30)))
    with pytest.raises(OutOfOrderEventError):
        tracker.evaluate(at(2025, 1, 6, 9, 45))


# -- invariants --------------------------------------------------------------------------------

PRIORITIES = ("P1", "P2", "P3")


def random_policy(calendar: BusinessCalendar) -> SlaPolicy:
    targets = [
        SlaTarget(metric=metric, priority=priority, target=hours * H, calendar=calendar)
        for metric, hours_by_priority in {
            "first_response": (1, 4, 8),
            "next_response": (2, 4, 8),
            "periodic_update": (4, 8, 16),
            "resolution": (8, 24, 40),
        }.items()
        for priority, hours in zip(PRIORITIES, hours_by_priority, strict=True)
    ]
    return SlaPolicy("random", targets)


histories = tickets(helpdesk_lifecycle(), max_events=10)


@given(business_calendars(), histories, st.integers(0, 20 * 24 * 60), st.integers(0, 20 * 24 * 60))
def test_elapsed_is_monotone_bounded_and_frozen_when_not_running(
    calendar: BusinessCalendar, ticket: Ticket, later1: int, later2: int
) -> None:
    p = random_policy(calendar)
    last = ticket.last_event_at
    now1 = last.add(minutes=min(later1, later2))
    now2 = last.add(minutes=max(later1, later2))
    first, second = p.evaluate(ticket, now1), p.evaluate(ticket, now2)
    assert len(first.statuses) == len(second.statuses)
    for a, b in zip(first.statuses, second.statuses, strict=True):
        assert (a.metric, a.cycle) == (b.metric, b.cycle)
        assert b.elapsed >= a.elapsed
        assert b.elapsed <= now2 - b.started_at
        if a.state in (
            SlaState.PAUSED,
            SlaState.MET,
            SlaState.CANCELLED,
            SlaState.BREACHED_STOPPED,
        ):
            assert b.elapsed == a.elapsed
        assert a.breached == (a.elapsed > a.target)


@given(business_calendars(), histories, st.integers(0, 20 * 24 * 60))
def test_without_pauses_due_is_calendar_add(
    calendar: BusinessCalendar, ticket: Ticket, later: int
) -> None:
    p = random_policy(calendar)
    now = ticket.last_event_at.add(minutes=later)
    for status in p.evaluate(ticket, now).for_metric("first_response"):
        if status.state in (SlaState.RUNNING, SlaState.BREACHED_RUNNING):
            assert status.due_at == calendar.add(status.started_at, status.target)


@given(business_calendars(), histories, st.integers(1, 20 * 24 * 60))
def test_tracker_agrees_with_evaluate_after_every_event(
    calendar: BusinessCalendar, ticket: Ticket, later: int
) -> None:
    p = random_policy(calendar)
    tracker = SlaTracker(p, ticket.lifecycle)
    events = ticket.history
    for index, event in enumerate(events):
        tracker.record(event)
        now = event.at.add(minutes=later)
        if index + 1 < len(events) and events[index + 1].at <= now:
            now = events[index + 1].at.subtract(microseconds=1)
            if now < event.at:
                continue
        assert tracker.evaluate(now) == p.evaluate(ticket, now)


@given(business_calendars(), histories, st.integers(0, 10 * 24 * 60))
def test_next_change_is_after_now_and_shows_the_change(
    calendar: BusinessCalendar, ticket: Ticket, later: int
) -> None:
    p = random_policy(calendar)
    now = ticket.last_event_at.add(minutes=later)
    report = p.evaluate(ticket, now)
    if report.next_change_at is None:
        assert all(s.next_change_at is None for s in report.statuses)
        return
    change = report.next_change_at
    assert change > now
    before = p.evaluate(ticket, change - US)
    after = p.evaluate(ticket, change)
    assert [(s.state, s.warnings) for s in before.statuses] != [
        (s.state, s.warnings) for s in after.statuses
    ]


# -- a real history ------------------------------------------------------------------------------

CET = "Europe/Brussels"
BPI_HOURS = BusinessCalendar(CET, "mon-fri 08:00-18:00")
BPI_TARGETS = {"Low": 40, "Medium": 24, "High": 8, "Major": 4}  # business hours to resolve


def _bpi_policy() -> SlaPolicy:
    return SlaPolicy(
        "volvo-it",
        [
            SlaTarget(metric=RESOLUTION, priority=impact, target=hours * H, calendar=BPI_HOURS)
            for impact, hours in BPI_TARGETS.items()
        ],
    )


def _business_seconds_by_day_walk(start: dt.datetime, end: dt.datetime) -> float:
    """Independent reference: walk the local days and clip each 08:00-18:00 weekday window."""
    zone = zoneinfo.ZoneInfo(CET)
    total = 0.0
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
            closes = dt.datetime.combine(day, dt.time(18), tzinfo=zone)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total


def test_bpi2013_resolution_compliance_matches_an_independent_computation(
    bpic2013_path: Path,
) -> None:
    from servicekit.datasets import bpic2013_tickets

    p = _bpi_policy()
    now = pendulum.datetime(2012, 6, 1, tz=CET)
    running = {StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.WAITING_ON_THIRD_PARTY}
    checked = breached = 0
    for ticket in itertools.islice(bpic2013_tickets(bpic2013_path), 0, None, 5):
        (status,) = p.evaluate(ticket, now).statuses
        # Resolution resumes on reopening, so its time is all the time spent in running
        # categories before the last solve (or until now when still open).
        seconds = sum(
            _business_seconds_by_day_walk(i.start, i.end)
            for i in ticket.status_intervals(now)
            if i.category in running
        )
        assert status.elapsed.total_seconds() == pytest.approx(seconds, abs=1e-6), ticket.id
        target = BPI_TARGETS[status.priority] * 3600
        assert status.breached == (seconds > target), ticket.id
        expected_state = {
            StatusCategory.SOLVED: "met",
            StatusCategory.CLOSED: "met",
            StatusCategory.CANCELLED: "cancelled",
        }.get(ticket.category, "running")
        if expected_state == "met" and seconds > target:
            expected_state = "breached_stopped"
        if ticket.category is StatusCategory.WAITING_ON_CUSTOMER:
            expected_state = "paused"
        if expected_state == "running" and seconds > target:
            expected_state = "breached_running"
        assert status.state.value == expected_state, ticket.id
        checked += 1
        breached += status.breached
    assert checked > 1500
    assert 0 < breached < checked


# -- a priority change while solved applies from the moment it was made (review item 4) -----------


def _by_priority(**options: str) -> SlaPolicy:
    return SlaPolicy(
        "by-priority",
        [
            SlaTarget(metric="resolution", priority="Medium", target=8 * H, calendar=NINE_TO_FIVE),
            SlaTarget(metric="resolution", priority="High", target=4 * H, calendar=NINE_TO_FIVE),
        ],
        **options,  # type: ignore[arg-type]
    )


def test_a_priority_raised_while_solved_applies_when_the_ticket_reopens() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + 2 * H)
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="Medium", to_priority="High"))
    solved = _by_priority().evaluate(ticket, t0 + 3.5 * H).for_metric("resolution")
    assert [(s.state, s.priority, s.target) for s in solved] == [(SlaState.MET, "Medium", 8 * H)]
    ticket.fire("customer_reply", at=t0 + 4 * H)
    (resumed,) = _by_priority().evaluate(ticket, t0 + 5 * H).for_metric("resolution")
    assert (resumed.priority, resumed.target, resumed.elapsed) == ("High", 4 * H, 3 * H)
    assert resumed.due_at == t0 + 6 * H
    (restarted,) = (
        _by_priority(on_priority_change="restart")
        .evaluate(ticket, t0 + 5 * H)
        .for_metric("resolution")
    )
    assert (restarted.priority, restarted.elapsed, restarted.due_at) == ("High", H, t0 + 8 * H)


def _reopens_waiting() -> Lifecycle:
    c = StatusCategory
    return Lifecycle(
        "reopens-waiting",
        [
            Status("new", c.NEW),
            Status("open", c.OPEN),
            Status("pending", c.WAITING_ON_CUSTOMER),
            Status("solved", c.SOLVED),
        ],
        [
            Transition(trigger="open", sources=("new", "pending"), dest="open"),
            Transition(trigger="solve", sources=("new", "open", "pending"), dest="solved"),
            Transition(trigger="ask", sources="solved", dest="pending"),
        ],
        "new",
    )


def test_a_reopen_into_a_paused_status_takes_the_new_target() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = Ticket.open(_reopens_waiting(), ticket_id="T-2", at=t0, priority="Medium")
    ticket.fire("solve", at=t0 + 2 * H)
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="Medium", to_priority="High"))
    ticket.fire("ask", at=t0 + 4 * H)
    (paused,) = _by_priority().evaluate(ticket, t0 + 5 * H).for_metric("resolution")
    assert (paused.state, paused.priority, paused.target) == (SlaState.PAUSED, "High", 4 * H)
    assert paused.remaining == 2 * H
    ticket.fire("open", at=t0 + 6 * H)
    (running,) = _by_priority().evaluate(ticket, t0 + 6 * H).for_metric("resolution")
    assert running.due_at == t0 + 8 * H


def test_with_clock_as_the_docs_show_it() -> None:
    from servicekit import ClockAction

    paused = RESOLUTION.with_clock({StatusCategory.WAITING_ON_THIRD_PARTY: ClockAction.PAUSE})
    assert paused.clock_action(StatusCategory.WAITING_ON_THIRD_PARTY) is ClockAction.PAUSE
    assert paused.clock_action(StatusCategory.OPEN) is ClockAction.RUN
    with pytest.raises(SlaPolicyError, match="clock action must be one of"):
        RESOLUTION.with_clock({StatusCategory.OPEN: "sprint"})  # type: ignore[dict-item]


def test_instant_at_on_a_met_cycle_and_bad_fractions() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H))
    (met,) = policy().evaluate(ticket, t0 + 2 * H).for_metric("first_response")
    assert met.instant_at(0.0) == t0
    assert met.instant_at(1 / 3) == t0 + H  # reached exactly when it was met
    assert met.instant_at(0.5) is None  # stopped before reaching it: no projection
    for bad in (-0.1, float("nan"), "half"):
        with pytest.raises(SlaPolicyError, match="fraction must be"):
            met.instant_at(bad)  # type: ignore[arg-type]


def test_instant_at_of_a_stopped_clock_and_bad_fractions() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H, actor="ana"))
    (first,) = policy().evaluate(ticket, t0 + 2 * H).for_metric("first_response")
    assert first.instant_at(0.25) == t0 + 0.75 * H  # reached before the reply stopped it
    assert first.instant_at(1.0) is None  # never reached: the clock stopped at 1 of 3 hours
    assert first.instant_at(0) == t0
    for bad in ("half", True, -0.1, float("nan"), float("inf")):
        with pytest.raises(SlaPolicyError, match="fraction must be"):
            first.instant_at(bad)  # type: ignore[arg-type]


# -- the exact instants of a cycle ---------------------------------------------------------------


@pytest.mark.parametrize("late", [dt.timedelta(0), US])
def test_a_reply_on_the_target_meets_it_and_one_microsecond_later_breaches(
    late: dt.timedelta,
) -> None:
    """Breached means elapsed *exceeds* the target: a reply at 3 h on a 3 h target is met."""
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + 3 * H + late))
    (first,) = policy().evaluate(ticket, t0 + 5 * H).for_metric("first_response")
    assert first.state is (SlaState.BREACHED_STOPPED if late else SlaState.MET)
    assert first.breached_at == (t0 + 3 * H + US if late else None)
    assert first.breached is bool(late)
    assert first.due_at == first.instant_at(1.0) == t0 + 3 * H
    assert (first.ended_at, first.elapsed, first.remaining) == (
        t0 + 3 * H + late,
        3 * H + late,
        -late,
    )
    assert first.percent_used == 100.0 * (3 * H + late) / (3 * H)
    assert [(w.fraction, w.at) for w in first.warnings] == [
        (0.5, t0 + 1.5 * H),
        (0.75, t0 + 2.25 * H),
        (0.9, t0 + 2.7 * H),
    ]
    assert first.next_change_at is None
    assert first.started_at == t0
    assert first.calendar == NINE_TO_FIVE
    assert (first.metric, first.cycle, first.priority) == ("first_response", 1, "Medium")


def test_a_running_clock_announces_each_warning_and_then_the_breach() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    expected = [t0 + 1.5 * H, t0 + 2.25 * H, t0 + 2.7 * H, t0 + 3 * H + US]
    now = t0
    for change in expected:
        (first,) = policy().evaluate(ticket, now).for_metric("first_response")
        assert first.next_change_at == change
        assert first.state is SlaState.RUNNING
        assert first.due_at == t0 + 3 * H
        now = change
    (first,) = policy().evaluate(ticket, now).for_metric("first_response")
    assert first.state is SlaState.BREACHED_RUNNING
    assert (first.breached_at, first.next_change_at) == (t0 + 3 * H + US, None)
    assert len(first.warnings) == 3
    # Reached on the instant it is reached: a warning at 1.5 h is listed at 1.5 h.
    (at_warning,) = policy().evaluate(ticket, t0 + 1.5 * H).for_metric("first_response")
    assert [w.at for w in at_warning.warnings] == [t0 + 1.5 * H]
    (before,) = policy().evaluate(ticket, t0 + 1.5 * H - US).for_metric("first_response")
    assert before.warnings == ()


def test_a_paused_cycle_keeps_its_warnings_and_announces_nothing() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("open", at=t0)
    ticket.fire("pend", at=t0 + 5 * H)  # 5 of 8 hours used: the 50% warning is reached
    (status,) = policy().evaluate(ticket, t0 + 6 * H).for_metric("resolution")
    assert status.state is SlaState.PAUSED
    assert [(w.fraction, w.at) for w in status.warnings] == [(0.5, t0 + 4 * H)]
    assert (status.due_at, status.next_change_at, status.breached_at) == (None, None, None)
    assert status.elapsed == 5 * H
    assert status.instant_at(0.5) == t0 + 4 * H
    assert status.instant_at(0.75) is None  # never reached while paused: no projection
    ticket.fire("customer_reply", at=t0 + 7 * H)  # Mon 16:00: 1 h today, 2 h from Tue 09:00
    (resumed,) = policy().evaluate(ticket, t0 + 7 * H).for_metric("resolution")
    assert resumed.due_at == at(2025, 3, 4, 11)
    assert [(w.fraction, w.at) for w in resumed.warnings] == [(0.5, t0 + 4 * H)]  # kept as is
    # 75% = 6 h is reached at closing time on Monday (the earliest instant), not on Tuesday.
    assert resumed.next_change_at == resumed.instant_at(0.75) == at(2025, 3, 3, 17)


def test_a_breach_before_a_restart_stays_recorded() -> None:
    """Restarting on a priority change starts the count again but never erases a breach."""
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0, priority="High")
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="High", to_priority="Medium"))
    restart = policy(on_priority_change="restart")
    (first,) = restart.evaluate(ticket, t0 + 4 * H).for_metric("first_response")
    assert first.breached_at == t0 + 2 * H + US
    assert first.state is SlaState.BREACHED_RUNNING
    assert first.elapsed == H
    assert first.due_at == t0 + 6 * H
    assert first.target == 3 * H
    ticket.record(AgentReplied(at=t0 + 5 * H))
    (met,) = restart.evaluate(ticket, t0 + 6 * H).for_metric("first_response")
    assert met.state is SlaState.BREACHED_STOPPED
    assert (met.elapsed, met.breached_at) == (2 * H, t0 + 2 * H + US)


def test_a_cancelled_cycle_stops_and_reports_no_breach_to_come() -> None:
    c = StatusCategory
    lifecycle = Lifecycle(
        "with-cancel",
        [Status("new", c.NEW), Status("open", c.OPEN), Status("cancelled", c.CANCELLED)],
        [
            Transition(trigger="open", sources="new", dest="open"),
            Transition(trigger="cancel", sources=("new", "open"), dest="cancelled"),
        ],
        "new",
    )
    t0 = at(2025, 3, 3, 9)
    ticket = Ticket.open(lifecycle, ticket_id="C-1", at=t0, priority="Medium")
    ticket.fire("open", at=t0 + H)
    ticket.fire("cancel", at=t0 + 2 * H)
    (status,) = policy().evaluate(ticket, t0 + 20 * H).for_metric("resolution")
    assert status.state is SlaState.CANCELLED
    assert (status.ended_at, status.elapsed) == (t0 + 2 * H, 2 * H)
    assert (status.due_at, status.breached_at, status.next_change_at) == (None, None, None)


def test_a_metric_cancelled_by_an_event() -> None:
    from servicekit import Escalated

    watched = SlaMetric(
        name="escalation_reply",
        starts_on=[On("escalated")],
        met_on=[On("agent_replied")],
        cancelled_on=[On("priority_changed")],
    )
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(Escalated(at=t0 + H, level="L2"))
    ticket.record(PriorityChanged(at=t0 + 2 * H, from_priority="Medium", to_priority="High"))
    ticket.record(AgentReplied(at=t0 + 3 * H))
    p = SlaPolicy("w", [SlaTarget(metric=watched, priority="*", target=4 * H)])
    (status,) = p.evaluate(ticket, t0 + 4 * H).statuses
    assert (status.state, status.elapsed, status.ended_at) == (SlaState.CANCELLED, H, t0 + 2 * H)


# -- a team's own target rule (adjust) -------------------------------------------------------------


def _gold_halves(target: SlaTarget, opened: object, attributes: Mapping[str, object]) -> SlaTarget:
    if attributes.get("tier") == "gold":
        return attrs.evolve(target, target=target.target / 2)
    return target


def test_a_target_rule_reads_the_attributes_from_the_moment_they_change() -> None:
    from servicekit import AttributesChanged

    t0 = at(2025, 3, 3, 9)
    gold = Ticket.open(
        helpdesk_lifecycle(), ticket_id="G", at=t0, priority="Medium", attributes={"tier": "gold"}
    )
    (first,) = policy().evaluate(gold, t0, adjust=_gold_halves).for_metric("first_response")
    assert (first.target, first.due_at) == (1.5 * H, t0 + 1.5 * H)
    plain = helpdesk(t0)
    plain.record(AttributesChanged(at=t0 + H, attributes={"tier": "gold"}))
    (first,) = policy().evaluate(plain, t0 + H, adjust=_gold_halves).for_metric("first_response")
    assert (first.target, first.due_at, first.elapsed) == (1.5 * H, t0 + 1.5 * H, H)
    (unadjusted,) = policy().evaluate(plain, t0 + H).for_metric("first_response")
    assert unadjusted.target == 3 * H  # without a rule, attributes change nothing
    tracker = SlaTracker(policy(), helpdesk_lifecycle(), adjust=_gold_halves)
    for event in plain.history:
        tracker.record(event)
    assert tracker.evaluate(t0 + 2 * H) == policy().evaluate(plain, t0 + 2 * H, adjust=_gold_halves)


def test_a_target_rule_that_returns_something_else_is_refused() -> None:
    def wrong(target: SlaTarget, opened: object, attributes: object) -> SlaTarget:
        return SlaTarget(metric="resolution", priority="*", target=H)

    ticket = helpdesk(at(2025, 3, 3, 9))
    with pytest.raises(
        SlaPolicyError,
        match=r"the target rule '.*wrong' returned .* for a 'first_response' target; it must "
        r"return an SlaTarget of the same metric \(e.g. attrs.evolve\(target, target=...\)\)",
    ):
        policy().evaluate(ticket, at(2025, 3, 3, 10), adjust=wrong)
    with pytest.raises(SlaPolicyError, match="returned 'nothing'"):
        policy().evaluate(ticket, at(2025, 3, 3, 10), adjust=lambda t, o, a: "nothing")  # type: ignore[arg-type,return-value]


def test_periodic_updates_run_one_cycle_per_update_and_pause_on_hold() -> None:
    t0 = at(2025, 3, 3, 9)
    p = SlaPolicy(
        "updates",
        [SlaTarget(metric="periodic_update", priority="*", target=2 * H, calendar=NINE_TO_FIVE)],
    )
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H))  # starts the first cycle (and opens the ticket)
    ticket.record(AgentReplied(at=t0 + 2.5 * H))  # meets it and starts the next
    ticket.fire("hold", at=t0 + 3 * H)
    ticket.fire("open", at=t0 + 4 * H)
    ticket.record(AgentReplied(at=t0 + 5 * H, public=False))  # a note is not an update
    cycles = p.evaluate(ticket, t0 + 6 * H).statuses
    assert [(s.cycle, s.state, s.started_at, s.elapsed) for s in cycles] == [
        (1, SlaState.MET, t0 + H, 1.5 * H),
        (2, SlaState.BREACHED_RUNNING, t0 + 2.5 * H, 2.5 * H),
    ]
    assert cycles[1].breached_at == t0 + 5.5 * H + US  # 0.5 h, the hour on hold, 1.5 h more
    assert cycles[1].due_at == t0 + 5.5 * H


def test_a_status_shows_its_documented_fields_in_order() -> None:
    t0 = at(2025, 3, 3, 9)
    (first,) = policy().evaluate(helpdesk(t0), t0 + H).for_metric("first_response")
    shown = repr(first)
    assert shown.startswith(
        "SlaStatus(metric='first_response', cycle=1, priority='Medium', "
        "state=<SlaState.RUNNING: 'running'>, target=Duration(hours=3), calendar=BusinessCalendar("
    )
    names = [
        "started_at",
        "ended_at=None",
        "elapsed=Duration(hours=1)",
        "remaining=Duration(hours=2)",
        "due_at=DateTime(2025, 3, 3, 12, 0, 0, tzinfo=Timezone('UTC'))",
        "breached_at=None",
        "percent_used=33.3",
        "warnings=()",
        "next_change_at=DateTime(2025, 3, 3, 10, 30, 0, tzinfo=Timezone('UTC'))",
    ]
    positions = [shown.index(name) for name in names]
    assert positions == sorted(positions)
    assert shown.endswith(")")
    assert "_segments" not in shown


def test_instants_on_the_edges_of_a_cycle() -> None:
    """Nothing is used at the instant a cycle starts, a reply then meets it with nothing used,
    and a reply exactly on a warning's instant has reached that warning."""
    t0 = at(2025, 3, 3, 9)
    (fresh,) = policy().evaluate(helpdesk(t0), t0).for_metric("first_response")
    assert (fresh.elapsed, fresh.remaining, fresh.percent_used) == (dt.timedelta(0), 3 * H, 0.0)
    assert (fresh.state, fresh.warnings, fresh.next_change_at) == (
        SlaState.RUNNING,
        (),
        t0 + 1.5 * H,
    )
    at_once = helpdesk(t0)
    at_once.record(AgentReplied(at=t0))
    (met,) = policy().evaluate(at_once, t0 + H).for_metric("first_response")
    assert (met.state, met.elapsed, met.ended_at, met.due_at) == (
        SlaState.MET,
        dt.timedelta(0),
        t0,
        None,
    )
    on_warning = helpdesk(t0)
    on_warning.record(AgentReplied(at=t0 + 1.5 * H))
    (met,) = policy().evaluate(on_warning, t0 + 2 * H).for_metric("first_response")
    assert [(w.fraction, w.at) for w in met.warnings] == [(0.5, t0 + 1.5 * H)]
    assert met.due_at is None  # stopped before reaching the target: no projection


def test_a_finished_cycle_keeps_the_warnings_of_its_own_priority() -> None:
    t0 = at(2025, 3, 3, 9)
    p = SlaPolicy(
        "warn",
        [
            SlaTarget(metric="first_response", priority="Medium", target=4 * H, warn_at=(0.25,)),
            SlaTarget(metric="first_response", priority="High", target=4 * H, warn_at=(0.75,)),
        ],
    )
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + 2 * H))
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="Medium", to_priority="High"))
    (met,) = p.evaluate(ticket, t0 + 4 * H).for_metric("first_response")
    assert (met.priority, [(w.fraction, w.at) for w in met.warnings]) == (
        "Medium",
        [(0.25, t0 + H)],
    )


@pytest.mark.parametrize(
    ("trigger", "options", "state"),
    [
        ("solve", {"on_stop": {StatusCategory.SOLVED: "met"}}, SlaState.MET),
        ("pend", {}, SlaState.PAUSED),  # runs while open, paused while waiting on the customer
    ],
)
def test_a_cycle_started_where_its_clock_does_not_run_uses_nothing(
    trigger: str, options: dict[str, object], state: SlaState
) -> None:
    """A metric's start event arriving in a stop category starts and ends its cycle there; in
    a paused one the cycle waits with nothing used."""
    from servicekit import Escalated

    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire(trigger, at=t0 + H)
    ticket.record(Escalated(at=t0 + 2 * H, level="L2"))
    target = SlaTarget(metric=_escalation_answer(**options), priority="*", target=4 * H)
    p = SlaPolicy("w", [target])
    (status,) = p.evaluate(ticket, t0 + 3 * H).statuses
    assert (status.state, status.started_at, status.elapsed) == (state, t0 + 2 * H, 0 * H)
    assert status.calendar == target.calendar
    assert (status.due_at, status.next_change_at) == (None, None)
    assert status.ended_at == (t0 + 2 * H if state is SlaState.MET else None)
    if state is SlaState.PAUSED:
        ticket.fire("open", at=t0 + 4 * H)
        (running,) = p.evaluate(ticket, t0 + 5 * H).statuses
        assert (running.elapsed, running.due_at) == (H, t0 + 8 * H)


def test_stopped_cycles_stay_stopped() -> None:
    """Closing a solved ticket does not end its met cycle again; a cancelled cycle is not
    resumed when its ticket comes back."""
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + 2 * H)
    ticket.fire("close", at=t0 + 100 * H)
    (resolution,) = policy().evaluate(ticket, t0 + 101 * H).for_metric("resolution")
    assert (resolution.state, resolution.ended_at, resolution.elapsed) == (
        SlaState.MET,
        t0 + 2 * H,
        2 * H,
    )
    c = StatusCategory
    lifecycle = Lifecycle(
        "cancel-and-back",
        [Status("open", c.OPEN), Status("cancelled", c.CANCELLED)],
        [
            Transition(trigger="cancel", sources="open", dest="cancelled"),
            Transition(trigger="restore", sources="cancelled", dest="open"),
        ],
        "open",
    )
    back = Ticket.open(lifecycle, ticket_id="C-2", at=t0, priority="Medium")
    back.fire("cancel", at=t0 + H)
    back.fire("restore", at=t0 + 2 * H)
    (cancelled,) = policy().evaluate(back, t0 + 3 * H).for_metric("resolution")
    assert (cancelled.state, cancelled.elapsed, cancelled.ended_at) == (
        SlaState.CANCELLED,
        H,
        t0 + H,
    )


def test_the_tracker_agrees_when_a_priority_changes_while_solved() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + 2 * H)
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="Medium", to_priority="High"))
    ticket.fire("customer_reply", at=t0 + 4 * H)
    for options in ({}, {"on_priority_change": "restart"}, {"on_reopen": "new_cycle"}):
        _assert_tracker_agrees(_by_priority(**options), ticket, t0 + 5 * H)


def test_a_priority_change_while_paused_takes_the_new_calendar_at_once() -> None:
    always = BusinessCalendar.always_open()
    p = SlaPolicy(
        "calendars",
        [
            SlaTarget(metric="resolution", priority="Medium", target=8 * H, calendar=NINE_TO_FIVE),
            SlaTarget(metric="resolution", priority="High", target=4 * H, calendar=always),
        ],
    )
    t0 = at(2025, 3, 7, 15)  # a Friday afternoon
    ticket = helpdesk(t0)
    ticket.fire("pend", at=t0 + H)
    ticket.record(PriorityChanged(at=t0 + 2 * H, from_priority="Medium", to_priority="High"))
    (paused,) = p.evaluate(ticket, t0 + 3 * H).for_metric("resolution")
    assert (paused.state, paused.calendar, paused.target, paused.elapsed) == (
        SlaState.PAUSED,
        always,
        4 * H,
        H,
    )
    ticket.fire("open", at=t0 + 4 * H)  # Friday 19:00: the new target counts every hour
    (running,) = p.evaluate(ticket, t0 + 4 * H).for_metric("resolution")
    assert running.due_at == t0 + 7 * H


def test_reopened_twice_the_resolution_clock_resumes_each_time() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + H)
    ticket.record(PriorityChanged(at=t0 + 1.5 * H, from_priority="Medium", to_priority="High"))
    ticket.record(CustomerReplied(at=t0 + 2 * H))  # reopens
    ticket.record(AgentReplied(at=t0 + 2.5 * H))
    ticket.fire("solve", at=t0 + 3 * H)
    ticket.record(CustomerReplied(at=t0 + 4 * H))  # reopens again
    ticket.record(AgentReplied(at=t0 + 4.5 * H))
    p = _by_priority()
    (resolution,) = p.evaluate(ticket, t0 + 5 * H).for_metric("resolution")
    assert (resolution.cycle, resolution.state, resolution.elapsed) == (1, SlaState.RUNNING, 3 * H)
    assert (resolution.priority, resolution.due_at) == ("High", t0 + 6 * H)
    _assert_tracker_agrees(p, ticket, t0 + 5 * H)


def _assert_tracker_agrees(p: SlaPolicy, ticket: Ticket, end: pendulum.DateTime) -> None:
    """Fed the history event by event, a tracker reports what evaluating the ticket does at
    every instant once all of that instant's events are in (a reply and the reopening it
    causes share one)."""
    tracker = SlaTracker(p, ticket.lifecycle)
    history = ticket.history
    for index, event in enumerate(history):
        tracker.record(event)
        if index + 1 == len(history) or history[index + 1].at > event.at:
            assert tracker.evaluate(event.at) == p.evaluate(ticket, event.at)
    assert tracker.evaluate(end) == p.evaluate(ticket, end)


def test_the_tracker_reports_in_the_tickets_zone() -> None:
    madrid = "Europe/Madrid"
    t0 = at(2025, 3, 3, 9, tz=madrid)
    ticket = helpdesk(t0)
    ticket.record(AgentReplied(at=t0 + H))
    tracker = SlaTracker(policy(), ticket.lifecycle)
    for event in ticket.history:
        tracker.record(event)
    expected = policy().evaluate(ticket, t0 + 2 * H)
    report = tracker.evaluate(t0 + 2 * H)
    assert report == expected
    for status in report.statuses:
        assert status.started_at.timezone_name == madrid
        assert status.started_at == t0


def test_a_cycle_that_ran_paused_and_ran_again_counts_both_runs_when_it_stops() -> None:
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("open", at=t0)
    ticket.fire("pend", at=t0 + 2 * H)
    ticket.fire("customer_reply", at=t0 + 3 * H)
    ticket.fire("solve", at=t0 + 5 * H)
    (met,) = policy().evaluate(ticket, t0 + 6 * H).for_metric("resolution")
    assert (met.state, met.elapsed, met.ended_at) == (SlaState.MET, 4 * H, t0 + 5 * H)
    # 50% of 8 h is reached at the solve, in the second run: 2 h before the pause, 2 h after.
    assert [(w.fraction, w.at) for w in met.warnings] == [(0.5, t0 + 5 * H)]
    assert met.instant_at(0.25) == t0 + 2 * H
    assert met.instant_at(0.375) == t0 + 4 * H
    assert met.instant_at(0.5) == t0 + 5 * H
    assert met.instant_at(0.75) is None


def test_a_target_rule_reads_how_the_ticket_was_opened() -> None:
    def phone_halves(
        target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, object]
    ) -> SlaTarget:
        if opened.channel == "phone":
            return attrs.evolve(target, target=target.target / 2)
        return target

    t0 = at(2025, 3, 3, 9)
    phoned = Ticket.open(
        helpdesk_lifecycle(), ticket_id="P", at=t0, priority="Medium", channel="phone"
    )
    (first,) = policy().evaluate(phoned, t0, adjust=phone_halves).for_metric("first_response")
    assert first.target == 1.5 * H
    (first,) = policy().evaluate(helpdesk(t0), t0, adjust=phone_halves).for_metric("first_response")
    assert first.target == 3 * H


def test_a_target_rule_without_a_name_is_shown_by_its_repr() -> None:
    class Broken:
        def __call__(self, target: SlaTarget, opened: object, attributes: object) -> object:
            return None

        def __repr__(self) -> str:
            return "Broken()"

    with pytest.raises(SlaPolicyError, match=r"^the target rule Broken\(\) returned None for a"):
        policy().evaluate(helpdesk(at(2025, 3, 3, 9)), at(2025, 3, 3, 10), adjust=Broken())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcome", "after_reopen"),
    [("met", SlaState.RUNNING), ("cancel", SlaState.CANCELLED)],
)
def test_a_reopenable_cycle_started_while_solved_resumes_only_when_met(
    outcome: str, after_reopen: SlaState
) -> None:
    from servicekit import Escalated

    metric = _escalation_answer(on_stop={StatusCategory.SOLVED: outcome}, reopenable=True)
    p = SlaPolicy("w", [SlaTarget(metric=metric, priority="*", target=4 * H)])
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.fire("solve", at=t0 + H)
    ticket.record(Escalated(at=t0 + 2 * H, level="L2"))
    ticket.record(CustomerReplied(at=t0 + 3 * H))  # reopens
    statuses = p.evaluate(ticket, t0 + 4 * H).statuses
    assert [(s.cycle, s.state) for s in statuses] == [(1, after_reopen)]
    assert statuses[0].elapsed == (H if after_reopen is SlaState.RUNNING else 0 * H)


def test_only_matching_events_cancel_or_start_a_cycle() -> None:
    """A cancel condition with a field test cancels on matching events only; a start event
    while a cycle is running does not start another."""
    from servicekit import Escalated

    metric = _escalation_answer(cancelled_on=[On("priority_changed", to_priority="Low")])
    p = SlaPolicy("w", [SlaTarget(metric=metric, priority="*", target=4 * H)])
    t0 = at(2025, 3, 3, 9)
    ticket = helpdesk(t0)
    ticket.record(Escalated(at=t0 + H, level="L2"))
    ticket.record(PriorityChanged(at=t0 + 2 * H, from_priority="Medium", to_priority="High"))
    ticket.record(Escalated(at=t0 + 2.5 * H, level="L3"))
    (running,) = p.evaluate(ticket, t0 + 3 * H).statuses
    assert (running.cycle, running.state, running.elapsed) == (1, SlaState.RUNNING, 2 * H)
    ticket.record(PriorityChanged(at=t0 + 3 * H, from_priority="High", to_priority="Low"))
    (cancelled,) = p.evaluate(ticket, t0 + 4 * H).statuses
    assert (cancelled.state, cancelled.ended_at) == (SlaState.CANCELLED, t0 + 3 * H)


def test_a_metric_reading_status_changes_sees_the_events_fired_on_the_ticket() -> None:
    # A condition on a status change reads the event's fields (here its trigger): the fold
    # must see the change itself, not only the status it led to.
    handover = SlaMetric(
        name="since_opened_by_agent",
        starts_on=[On("status_changed", trigger="open")],
        met_on=[On("agent_replied", public=True)],
    )
    policy = SlaPolicy("p", [SlaTarget(metric=handover, priority="*", target=2 * H)])
    t = pendulum.datetime(2025, 3, 3, 9, tz=UTC)
    ticket = Ticket.open(helpdesk_lifecycle(), ticket_id="T-1", at=t, priority="P2")
    ticket.fire("open", at=t.add(minutes=5), actor="ana")  # kept with its actor
    ticket.record(AgentReplied(at=t.add(minutes=50)))
    ticket.fire("pend", at=t.add(hours=1))
    plain = Ticket.open(helpdesk_lifecycle(), ticket_id="T-2", at=t, priority="P2")
    plain.fire("open", at=t.add(minutes=5))  # kept as the lifecycle's bare route
    for fired in (ticket, plain):
        (status,) = policy.evaluate(fired, t.add(hours=3)).statuses
        assert status.started_at == t.add(minutes=5)
