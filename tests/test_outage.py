"""The simulated outage: 1 parent, 500 customers over 40 minutes in 6 zones and 3 channels,
solved after 3 hours, under the ready-made crisis incident protocol. Every figure of the
report is checked against an independent count over the customers' histories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pendulum
import pytest

from servicekit import (
    BusinessCalendar,
    CorrectiveActionDone,
    CustomerReplied,
    StatusChanged,
    Ticket,
    TicketLinked,
    UpdateDelivered,
    UpdatePosted,
)
from servicekit.protocols import (
    REVIEW,
    CorrectiveState,
    crisis_incident_protocol,
    proactive_incident_protocol,
)
from servicekit.testing import OUTAGE_ZONES, OutageRun, OutageScenario, run_outage

START = pendulum.datetime(2025, 6, 3, 14, tz="UTC")  # a Tuesday; Tokyo is asleep
SOLVED = START.add(hours=3)
PROTOCOL = crisis_incident_protocol("Europe/Madrid")
MINUTE = dt.timedelta(minutes=1)
# The outage is played once for the module: under xdist its tests share a worker.
pytestmark = pytest.mark.xdist_group("outage")


@pytest.fixture(scope="module")
def run() -> OutageRun:
    scenario = OutageScenario(start=START, customers=500, proactive_share=0.2)
    return run_outage(PROTOCOL, scenario, until=START.add(days=1))


def _tick(t: dt.datetime) -> dt.datetime:
    """The scheduler's minute at or after ``t``."""
    floor = t.replace(second=0, microsecond=0)
    return floor if floor == t else floor + MINUTE


def _waking(t: dt.datetime, zone: str) -> dt.datetime:
    """``t``, or 08:00 local when ``t`` falls outside 08:00-21:00 in ``zone``."""
    local = t.astimezone(ZoneInfo(zone))
    if 8 <= local.hour < 21:
        return t
    day = local.date() if local.hour < 8 else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(8), ZoneInfo(zone))


def _expected(child: Ticket, updates: list[UpdatePosted]) -> set[str]:
    """The updates this customer must receive: the latest one before they were linked and
    every later one, except one still waiting for their morning when a newer one came."""
    linked = next(e.at for e in child if isinstance(e, TicketLinked))
    before = [u for u in updates if u.at < linked]
    candidates = before[-1:] + [u for u in updates if u.at >= linked]
    windowed = child.opened.channel != "email"
    zone = child.opened.customer_timezone
    assert zone is not None
    kept = set()
    for index, update in enumerate(candidates):
        base = max(update.at, linked)
        ready = _waking(base, zone) if windowed else base
        later = candidates[index + 1] if index + 1 < len(candidates) else None
        if later is None or later.at > ready:
            kept.add(update.update_id)
    return kept


def test_every_customer_gets_each_update_exactly_once(run: OutageRun) -> None:
    incident = run.incident
    updates = [e for e in incident.parent if isinstance(e, UpdatePosted)]
    assert len(updates) == 7  # u1..u6 every 30 minutes, and the note that came with the solve
    assert len(incident.children) == 500
    assert set(run.sent.values()) == {1}
    expected = {
        (child.id, u) for child in incident.children.values() for u in _expected(child, updates)
    }
    assert set(run.sent) == expected
    # and nobody was sent a key twice over all the scheduler's reports
    keys = [d.key for report in run.reports for d in report.deliveries]
    assert len(keys) == len(set(keys)) == len(expected)
    zones = Counter(c.opened.customer_timezone for c in incident.children.values())
    assert set(zones) == set(OUTAGE_ZONES)
    channels = Counter(c.opened.channel for c in incident.children.values())
    assert set(channels) == {"email", "chat", "voice"}


def test_nobody_is_woken(run: OutageRun) -> None:
    windowed = 0
    for child in run.incident.children.values():
        zone = ZoneInfo(child.opened.customer_timezone or "UTC")
        for event in child:
            if isinstance(event, UpdateDelivered):
                assert event.channel == {"voice": "sms"}.get(
                    child.opened.channel or "", child.opened.channel
                )
                if event.channel != "email":
                    windowed += 1
                    assert 8 <= event.at.astimezone(zone).hour < 21, (child.id, event)
                # sent at the scheduler's tick, at most a minute after it fell due
    assert windowed > 1000


def test_children_solve_with_the_parent(run: OutageRun) -> None:
    for child in run.incident.children.values():
        assert child.status == "Resolved"
        solve = next(e for e in child if isinstance(e, StatusChanged) and e.to_status == "Resolved")
        assert solve.at == SOLVED
        assert solve.actor == "incident:INC-1"
        # the customer's own clocks: answered by the incident, resolution paused while held
        report = PROTOCOL.for_children.evaluate(child, SOLVED.add(days=1))
        assert report.sla is not None
        (resolution,) = report.sla.for_metric("resolution")
        assert resolution.state.value == "met"
        assert resolution.elapsed.total_seconds() == 0


def test_report_figures(run: OutageRun) -> None:
    incident = run.incident
    final = PROTOCOL.evaluate(incident.parent, incident.children.values(), START.add(days=1))
    children = list(incident.children.values())
    delivered = sum(isinstance(e, UpdateDelivered) for c in children for e in c)
    assert final.status == "Resolved"
    assert final.linked == 500
    assert final.children_by_status == (("Resolved", 500),)
    assert final.updates_posted == 7
    assert final.delivered == delivered == len(run.sent)
    candidates = 0
    updates = [e for e in incident.parent if isinstance(e, UpdatePosted)]
    for child in children:
        linked = next(e.at for e in child if isinstance(e, TicketLinked))
        candidates += min(1, sum(u.at < linked for u in updates)) + sum(
            u.at >= linked for u in updates
        )
    assert final.superseded == candidates - delivered
    assert final.superseded > 0  # the sleeping zones got only the news that still mattered
    assert (final.waiting, final.suppressed, final.overdue) == (0, 0, 0)
    assert final.promises == ()  # solved customers are owed no more updates
    assert [a.kind for a in final.actions] == []
    # during the outage nobody waited more than 30 waking minutes for news
    assert all(r.overdue == 0 for r in run.reports)


def test_proactive_figures(run: OutageRun) -> None:
    children = list(run.incident.children.values())
    proactive = [c for c in children if c.opened.detected_by == "monitoring"]
    assert len(proactive) == 100
    told_first = []
    for child in proactive:
        told = next(e.at for e in child if isinstance(e, UpdateDelivered))
        wrote = next(e.at for e in child if isinstance(e, CustomerReplied))
        if told < wrote:
            told_first.append(wrote - told)
    figures = PROTOCOL.evaluate(run.incident.parent, children, START.add(days=1)).proactive
    assert figures.affected == 500
    assert figures.unknown == 0
    assert figures.told_first == len(told_first)
    assert 0 < len(told_first) < 100  # the sleepers among them were not told before they wrote
    assert figures.share_told_first == pytest.approx(len(told_first) / 500)
    assert sorted(t.total_seconds() for t in figures.lead_times) == sorted(
        t.total_seconds() for t in told_first
    )
    first_report = min(c.opened.at for c in children if c.opened.detected_by == "customer")
    first_written = min(e.at for c in proactive for e in c if isinstance(e, CustomerReplied))
    assert figures.detection_lead == min(first_report, first_written) - START


def test_corrective_actions_fall_due_and_escalate(run: OutageRun) -> None:
    parent, children = run.incident.parent, run.incident.children.values()

    def actions(at: pendulum.DateTime) -> list[tuple[str, str, str]]:
        report = PROTOCOL.evaluate(parent, children, at)
        return [
            (a.kind, a.detail, a.key.split(":")[2])
            for a in report.actions
            if a.source == "corrective"
        ]

    madrid = "Europe/Madrid"
    report = PROTOCOL.evaluate(parent, children, START.add(days=1))
    states = {c.action_id: (c.state, c.due) for c in report.corrective}
    assert states == {
        REVIEW: ("pending", pendulum.datetime(2025, 6, 10, 17, tz=madrid)),
        "add-failover": ("pending", pendulum.datetime(2025, 6, 6, 17, tz=madrid)),
        "alert-on-queue-depth": ("pending", pendulum.datetime(2025, 6, 17, 17, tz=madrid)),
    }
    # next: the surveys, a day after the solve, in each customer's office hours
    assert report.next_wakeup == SOLVED.add(days=1)
    saturday = pendulum.datetime(2025, 6, 7, 12, tz=madrid)
    assert actions(saturday) == [("corrective_overdue", "platform-team", "add-failover")]
    tuesday = pendulum.datetime(2025, 6, 10, 18, tz=madrid)
    assert actions(tuesday) == [
        ("corrective_overdue", "platform-team", "add-failover"),
        ("corrective_escalated", "head-of-service", "add-failover"),
        ("corrective_overdue", "problem-manager", REVIEW),
    ]
    replay = Ticket.replay(parent.history, parent.lifecycle)
    replay.record(CorrectiveActionDone(at=tuesday, action_id="add-failover"))
    replay.record(CorrectiveActionDone(at=tuesday, action_id=REVIEW))
    done = PROTOCOL.evaluate(replay, children, tuesday)
    assert [a for a in done.actions if a.source == "corrective"] == []
    assert {c.action_id: c.state for c in done.corrective} == {
        REVIEW: CorrectiveState.DONE,
        "add-failover": CorrectiveState.DONE,
        "alert-on-queue-depth": CorrectiveState.PENDING,
    }


def test_every_customer_is_asked_how_it_went_in_their_office_hours(run: OutageRun) -> None:
    parent, children = run.incident.parent, run.incident.children.values()
    report = PROTOCOL.evaluate(parent, children, START.add(days=3))
    assert report.surveys is not None
    assert len(report.surveys.due) == 500
    by_id = run.incident.children
    for due in report.surveys.due:
        local = due.at.astimezone(ZoneInfo(by_id[due.ticket_id].opened.customer_timezone or ""))
        assert 9 <= local.hour < 19
        assert due.at >= SOLVED.add(days=1)
    assert sum(a.kind == "survey" for a in report.actions) == 500
    # nobody is phoned to rate a phone call
    assert {d.channel for d in report.surveys.due} == {"email", "chat", "sms"}


def test_proactive_protocol_tells_customers_first() -> None:
    desk = BusinessCalendar("Europe/Madrid", "mon-fri 08:00-20:00")
    protocol = proactive_incident_protocol(desk)
    start = pendulum.datetime(2025, 6, 3, 9, tz="Europe/Madrid")
    scenario = OutageScenario(
        start=start, customers=60, proactive_share=1.0, zones=("Europe/Madrid",)
    )
    run = run_outage(protocol, scenario, until=start.add(hours=6))
    report = protocol.evaluate(
        run.incident.parent, run.incident.children.values(), start.add(hours=6)
    )
    figures = report.proactive
    # every customer was contacted by the team, in their waking hours, before writing in
    assert (figures.affected, figures.told_first, figures.share_told_first) == (60, 60, 1.0)
    assert len(figures.lead_times) == 60
    assert figures.median_lead_time is not None
    assert figures.median_lead_time <= dt.timedelta(minutes=20)
    assert report.status == "Resolved"
    assert set(run.sent.values()) == {1}
