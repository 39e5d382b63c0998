"""Ready-made protocols: reactive service, proactive service, daily requests, a crisis.

Each is a starting point with stated targets that a team adjusts (they are
plain values: ``attrs.evolve`` them, or subclass :class:`ServiceProtocol` and start
from one with ``from_protocol``). Priorities are given highest first; priorities
past the three tiers get the lowest tier's targets, and a priority not listed is
refused.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from servicekit._calendars import BusinessCalendar
from servicekit._lifecycles import helpdesk_lifecycle, incident_lifecycle, service_request_lifecycle
from servicekit._status import StatusCategory
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    Delay,
    EnteredCategory,
    EscalationChain,
    Repeat,
    SlaTrigger,
    Step,
    Target,
)
from servicekit.followup import FixedOffsets, FollowUpSchedule, Interval, TerminalAction
from servicekit.protocols._protocol import ServiceProtocol
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.sla import ANY_PRIORITY, On, SlaPolicy, SlaTarget

__all__ = [
    "crisis_protocol",
    "daily_requests_protocol",
    "proactive_protocol",
    "reactive_protocol",
]

H = _dt.timedelta(hours=1)
# Ready-made chains run through (re)assignments, which are what functional steps ask for:
# an acknowledgement naming the chain (or one of its notifications) or the end of the
# ticket stops them.
_STOPS = (
    On("acknowledged"),
    EnteredCategory([StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED]),
)
MINUTE = _dt.timedelta(minutes=1)
_DEFAULT_PRIORITIES = ("P1", "P2", "P3")


def _targets(
    metric: str, hours: Sequence[float], priorities: Sequence[str], calendar: BusinessCalendar
) -> list[SlaTarget]:
    """One target per listed priority (highest first); priorities past the hours given get
    the last (lowest) tier's. There is no catch-all: an unknown priority is refused."""
    return [
        SlaTarget(
            metric=metric,
            priority=priority,
            target=hours[min(index, len(hours) - 1)] * H,
            calendar=calendar,
        )
        for index, priority in enumerate(priorities)
    ]


def _functional(name: str) -> EscalationChain:
    """L2 when someone escalates by hand or half the resolution target is used, whichever
    comes first; L3 at 90%."""
    return EscalationChain(
        name=name,
        kind="functional",
        triggers=[On("escalated"), SlaTrigger("resolution", 0.5)],
        stops=_STOPS,
        steps=[
            Step(targets=[Target("tier", "L2")], reassign=Target("tier", "L2")),
            Step(
                targets=[Target("tier", "L3")],
                wait=AtSlaFraction("resolution", 0.9),
                reassign=Target("tier", "L3"),
            ),
        ],
    )


def _alert(name: str, role: str, fraction: float) -> EscalationChain:
    """A hierarchical chain of one step: tell ``role`` at ``fraction`` of the resolution target."""
    return EscalationChain(
        name=name,
        kind="hierarchical",
        triggers=[On("ticket_opened")],
        stops=_STOPS,
        steps=[Step(targets=[Target("role", role)], wait=AtSlaFraction("resolution", fraction))],
    )


def reactive_protocol(
    calendar: BusinessCalendar, priorities: Sequence[str] = _DEFAULT_PRIORITIES
) -> ServiceProtocol:
    """Reactive service done well: the customer reports, the team answers fast, keeps them
    informed and takes the ticket up a tier before it is late.

    First response 1/4/8 business hours and resolution 8/24/40 business hours by priority
    (resolution pauses while waiting on the customer); L2 at half the resolution target (or
    at once when someone escalates the ticket by hand) and L3 at 90%, the team lead at the
    breach; after each staff reply the customer hears from the
    team again within four business hours (email, then call), and agents are reminded of
    promises half an hour before they are due.
    """
    sla = SlaPolicy(
        "reactive",
        [
            *_targets("first_response", (1, 4, 8), priorities, calendar),
            *_targets("next_response", (2, 4, 8), priorities, calendar),
            *_targets("resolution", (8, 24, 40), priorities, calendar),
        ],
    )
    lead = _alert("lead-at-breach", "team-lead", 1.0)
    keep_in_loop = FollowUpSchedule(
        name="keep-in-loop",
        cadence=Interval(4 * H),
        clock=calendar,
        channels=("email", "call"),
        max_attempts=3,
    )
    return ServiceProtocol(
        name="reactive",
        lifecycle=helpdesk_lifecycle(),
        sla=sla,
        escalations=[_functional("tiers"), lead],
        follow_ups=[keep_in_loop],
        description="Answer fast, keep the customer informed, escalate before it is late.",
        templates=ready_made_templates(calendar.timezone),
    )


def proactive_protocol(
    calendar: BusinessCalendar, priorities: Sequence[str] = _DEFAULT_PRIORITIES
) -> ServiceProtocol:
    """Proactive service: the team contacts the customer first and keeps a steady cadence.

    As :func:`reactive_protocol`, plus a periodic-update promise (an update at least every
    2/4/8 business hours by priority), a first contact one business hour after a ticket is
    opened (then at 24 and 72 hours) whether or not the customer writes again, and the
    manager alerted at 75% of the resolution target rather than at the breach.
    """
    base = reactive_protocol(calendar, priorities)
    assert base.sla is not None
    sla = SlaPolicy(
        "proactive",
        [*base.sla.targets, *_targets("periodic_update", (2, 4, 8), priorities, calendar)],
    )
    manager = _alert("manager-early", "manager", 0.75)
    first_contact = FollowUpSchedule(
        name="first-contact",
        anchor="opened",
        cadence=FixedOffsets([H, 24 * H, 72 * H]),
        clock=calendar,
        channels=("email", "sms", "call"),
        stop_on=("opted_out",),
    )
    return ServiceProtocol(
        name="proactive",
        lifecycle=base.lifecycle,
        sla=sla,
        escalations=[*base.escalations[:1], manager],
        follow_ups=[first_contact, *base.follow_ups],
        description="Reach the customer first and keep a steady, promised cadence.",
        templates=ready_made_templates(calendar.timezone),
    )


def daily_requests_protocol(
    calendar: BusinessCalendar, priorities: Sequence[str] = _DEFAULT_PRIORITIES
) -> ServiceProtocol:
    """Everyday service requests: approve, fulfil, close, without chasing.

    Service-request lifecycle; first response in 4/8/8 business hours and fulfilment in
    16/24/40 business hours; the request moves to L2 at 90% of its target (or at once when
    someone escalates it by hand); while waiting on
    the customer, reminders after one and three days and closure after five (bump, bump,
    solve).
    """
    sla = SlaPolicy(
        "daily-requests",
        [
            *_targets("first_response", (4, 8, 8), priorities, calendar),
            *_targets("resolution", (16, 24, 40), priorities, calendar),
        ],
    )
    to_l2 = EscalationChain(
        name="to-l2",
        triggers=[On("escalated"), SlaTrigger("resolution", 0.9)],
        stops=_STOPS,
        steps=[Step(targets=[Target("tier", "L2")], reassign=Target("tier", "L2"))],
    )
    bump = FollowUpSchedule(
        name="bump-bump-solve",
        cadence=FixedOffsets([24 * H, 72 * H, 120 * H]),
        pause_in={"new", "open", "waiting_on_third_party"},
        terminal=TerminalAction("solve", after_attempts=2),
    )
    return ServiceProtocol(
        name="daily-requests",
        lifecycle=service_request_lifecycle(),
        sla=sla,
        escalations=[to_l2],
        follow_ups=[bump],
        description="Routine requests: fulfilled on time, reminders instead of chasing.",
        templates=ready_made_templates(calendar.timezone),
    )


def crisis_protocol(timezone: str = "UTC") -> ServiceProtocol:
    """A reputational crisis: around the clock, minutes not hours, management in the loop.

    ITIL incident lifecycle on a 24x7 clock; first response in 15 minutes, an update at least
    every 30 minutes, resolution in 4 hours; the crisis manager is paged at once when an
    incident is escalated, the director after 30 minutes, repeating every hour until someone
    acknowledges; customers hear from the team every hour (email and SMS; no calls at night).
    """
    clock = BusinessCalendar.always_open(timezone)
    sla = SlaPolicy(
        "crisis",
        [
            SlaTarget(
                metric="first_response", priority=ANY_PRIORITY, target=15 * MINUTE, calendar=clock
            ),
            SlaTarget(
                metric="periodic_update", priority=ANY_PRIORITY, target=30 * MINUTE, calendar=clock
            ),
            SlaTarget(metric="resolution", priority=ANY_PRIORITY, target=4 * H, calendar=clock),
        ],
    )
    war_room = EscalationChain(
        name="war-room",
        kind="hierarchical",
        triggers=[On("escalated"), SlaTrigger("first_response", 1.0)],
        stops=_STOPS,
        steps=[
            Step(targets=[Target("role", "crisis-manager")], channel="call", importance="high"),
            Step(targets=[Target("role", "director")], wait=Delay(30 * MINUTE), channel="call"),
            Step(
                targets=[Target("role", "crisis-manager")], wait=Delay(30 * MINUTE), channel="call"
            ),
        ],
        repeat=Repeat(None, 1),
    )
    after_breach = EscalationChain(
        name="communications",
        kind="hierarchical",
        triggers=[On("ticket_opened")],
        stops=_STOPS,
        steps=[
            Step(targets=[Target("role", "communications")], wait=AfterBreach("resolution", 0 * H))
        ],
    )
    hourly = FollowUpSchedule(
        name="hourly-update",
        anchor="opened",
        cadence=Interval(H),
        channels=("email", "sms"),
        stop_on=("opted_out",),
    )
    return ServiceProtocol(
        name="crisis",
        lifecycle=incident_lifecycle(),
        sla=sla,
        escalations=[war_room, after_breach],
        follow_ups=[hourly],
        description="Minutes, not hours: management paged, customers updated every hour.",
        templates=ready_made_templates(timezone),
    )
