"""Strategies for ready-made protocols and the tickets they look after, with every event kind."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import pendulum
from hypothesis import strategies as st

from servicekit._calendars import BusinessCalendar
from servicekit._events import (
    Acknowledged,
    AgentReplied,
    Assigned,
    AttributesChanged,
    CustomerReplied,
    Escalated,
    Event,
    FollowUpSent,
    NoteAdded,
    OptedOut,
    PriorityChanged,
    PromiseMade,
)
from servicekit._ticket import Ticket
from servicekit.protocols import (
    ServiceProtocol,
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.testing._lifecycles import fire_drawn

__all__ = ["EVENT_CHOICES", "protocol_tickets", "ready_made_protocols"]

EVENT_CHOICES = (
    "agent",
    "customer",
    "note",
    "assigned",
    "priority",
    "escalated",
    "acknowledged",
    "promise",
    "attributes",
    "follow_up_sent",
    "opted_out",
)
"""What :func:`protocol_tickets` draws at each step besides firing a transition."""

_CALENDARS = (
    ("Europe/Madrid", "mon-fri 09:00-17:00"),
    ("America/Bogota", "mon-fri 08:00-12:00, 13:00-18:00"),
    ("Asia/Tokyo", "mon-sat 22:00-06:00"),
    ("UTC", "mon-sun 00:00-24:00"),
)


def ready_made_protocols(
    calendars: Sequence[BusinessCalendar] | None = None,
) -> st.SearchStrategy[ServiceProtocol]:
    """The ready-made protocols (reactive, proactive, daily requests, crisis) on calendars
    drawn from ``calendars`` (default: office hours in Madrid, a split day in Bogota, a
    night shift in Tokyo, and 24x7)."""
    chosen = (
        list(calendars)
        if calendars is not None
        else [BusinessCalendar(zone, hours) for zone, hours in _CALENDARS]
    )
    return st.builds(
        lambda make, calendar: make(calendar),
        st.sampled_from(
            [
                reactive_protocol,
                proactive_protocol,
                daily_requests_protocol,
                lambda calendar: crisis_protocol(calendar.timezone),
            ]
        ),
        st.sampled_from(chosen),
    )


def _priorities(protocol: ServiceProtocol) -> list[str]:
    if protocol.sla is None:
        return ["P1", "P2", "P3"]
    known = [p for p in protocol.sla.priorities if p != "*"]
    return known or ["P1", "P2", "P3"]


@st.composite
def protocol_tickets(
    draw: st.DrawFn,
    protocol: ServiceProtocol | st.SearchStrategy[ServiceProtocol] | None = None,
    *,
    max_events: int = 12,
    zone: str = "Europe/Madrid",
) -> tuple[ServiceProtocol, Ticket]:
    """A protocol and a ticket it opened, with a random valid history holding every kind
    of event: status changes its lifecycle allows (reactions included), public and internal
    replies, customer replies, notes, assignments, priority changes among the priorities the
    protocol knows, manual escalations, acknowledgements naming its chains (or their
    notifications' keys), promises, attribute changes (``vip``, ``tier``), follow-ups sent
    and opt-outs; minutes to days apart, sometimes at one instant."""
    if protocol is None:
        protocol = ready_made_protocols()
    chosen = draw(protocol) if isinstance(protocol, st.SearchStrategy) else protocol
    priorities = _priorities(chosen)
    chains = [c.name for c in chosen.escalations] or ["tiers"]
    at = pendulum.datetime(2025, 1, 1, tz=zone).add(minutes=draw(st.integers(0, 365 * 24 * 60)))
    ticket = chosen.open(
        ticket_id=f"T-{draw(st.integers(1, 10**6))}",
        at=at,
        priority=draw(st.sampled_from(priorities)),
        customer_timezone=draw(st.sampled_from([None, zone, "America/Bogota"])),
        attributes=draw(st.sampled_from([{}, {"vip": True}, {"tier": "gold"}])),
    )
    for _ in range(draw(st.integers(0, max_events))):
        at = at + _dt.timedelta(minutes=draw(st.integers(0, 2 * 24 * 60)))
        triggers = ticket.lifecycle.triggers_from(ticket.status)
        if triggers and draw(st.integers(0, 3)) == 0:
            fire_drawn(draw, ticket, triggers, at)
            continue
        kind = draw(st.sampled_from(EVENT_CHOICES))
        ticket.record(_event(draw, kind, at, ticket, priorities, chains))
    return chosen, ticket


def _event(
    draw: st.DrawFn,
    kind: str,
    at: pendulum.DateTime,
    ticket: Ticket,
    priorities: list[str],
    chains: list[str],
) -> Event:
    if kind == "agent":
        return AgentReplied(at=at, public=draw(st.booleans()), actor="agent")
    if kind == "customer":
        return CustomerReplied(at=at, actor="customer")
    if kind == "note":
        return NoteAdded(at=at, text="note")
    if kind == "assigned":
        return Assigned(at=at, group="desk", tier=draw(st.sampled_from(["L1", "L2", "L3"])))
    if kind == "priority":
        return PriorityChanged(
            at=at, from_priority=ticket.priority, to_priority=draw(st.sampled_from(priorities))
        )
    if kind == "escalated":
        return Escalated(at=at, level=draw(st.sampled_from(["L2", "L3", "manager"])))
    if kind == "acknowledged":
        chain = draw(st.sampled_from(chains))
        if draw(st.booleans()):
            key = f"{ticket.id}:{chain}:v1:run{draw(st.integers(1, 2))}:loop0:step0:tier:L2"
            return Acknowledged(at=at, key=key, actor="lead")
        return Acknowledged(at=at, chain=chain, actor="lead")
    if kind == "promise":
        due = at + _dt.timedelta(minutes=draw(st.integers(-60, 3 * 24 * 60)))
        return PromiseMade(at=at, due=due, description="call back")
    if kind == "attributes":
        return AttributesChanged(at=at, attributes={"vip": draw(st.booleans())})
    if kind == "follow_up_sent":
        return FollowUpSent(at=at, channel=draw(st.sampled_from(["email", "call"])))
    return OptedOut(at=at, channel=draw(st.sampled_from([None, "call"])))
