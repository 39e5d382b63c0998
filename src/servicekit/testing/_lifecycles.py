"""Strategies for lifecycles and ticket histories."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import pendulum
from hypothesis import strategies as st

from servicekit._events import AgentReplied, CustomerReplied, NoteAdded
from servicekit._lifecycle import SAME, Lifecycle, Status, Transition
from servicekit._lifecycles import (
    helpdesk_lifecycle,
    incident_lifecycle,
    service_request_lifecycle,
)
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket

__all__ = ["lifecycles", "ready_made_lifecycles", "tickets"]

_TRIGGERS = ("advance", "back", "escalate", "park", "finish", "handover")


def ready_made_lifecycles() -> st.SearchStrategy[Lifecycle]:
    """One of servicekit's ready-made lifecycles."""
    return st.sampled_from(
        [incident_lifecycle(), helpdesk_lifecycle(), service_request_lifecycle()]
    )


@st.composite
def _random_lifecycle(draw: st.DrawFn) -> Lifecycle:
    size = draw(st.integers(2, 6))
    names = [f"s{i}" for i in range(size)]
    categories = [draw(st.sampled_from(list(StatusCategory))) for _ in names]
    transitions: dict[tuple[str, str], Transition] = {}
    # A chain through every status keeps them all reachable.
    for i in range(size - 1):
        transitions[(names[i], f"to_{names[i + 1]}")] = Transition(
            trigger=f"to_{names[i + 1]}", sources=names[i], dest=names[i + 1]
        )
    for _ in range(draw(st.integers(0, 8))):
        source = draw(st.sampled_from(names))
        trigger = draw(st.sampled_from(_TRIGGERS))
        if any(key[1] == trigger and key[0] == source for key in transitions):
            continue
        dest = SAME if trigger == "handover" else draw(st.sampled_from(names))
        transitions[(source, trigger)] = Transition(
            trigger=trigger,
            sources=source,
            dest=dest,
            reason_required=draw(st.booleans()),
            reasons=draw(st.sampled_from([None, ("a", "b")])),
            roles=draw(st.sampled_from([None, ("agent",), ("agent", "lead")])),
        )
    leaving = {source for (source, _), tr in transitions.items() if tr.dest not in (SAME, source)}
    for name, category in zip(names, categories, strict=True):
        if not category.is_final and name not in leaving:
            transitions[(name, "restart")] = Transition(
                trigger="restart", sources=name, dest=names[0]
            )
    return Lifecycle(
        "random",
        [Status(n, c) for n, c in zip(names, categories, strict=True)],
        list(transitions.values()),
        names[0],
    )


def lifecycles() -> st.SearchStrategy[Lifecycle]:
    """Valid lifecycles: the ready-made ones and random ones (2-6 statuses, guards-free
    transitions with random reasons, roles and handovers)."""
    return st.one_of(ready_made_lifecycles(), _random_lifecycle())


def fire_drawn(draw: st.DrawFn, ticket: Ticket, triggers: Sequence[str], at: _dt.datetime) -> None:
    """Fire one of ``triggers`` on ``ticket`` at ``at``, with a reason and a role it accepts."""
    trigger = draw(st.sampled_from(triggers))
    tr = ticket.lifecycle.transition(ticket.status, trigger)
    reason = None
    if tr.reason_required or tr.reasons:
        reason = draw(st.sampled_from(tr.reasons or ("because",)))
    role = draw(st.sampled_from(tr.roles)) if tr.roles else None
    ticket.fire(trigger, at=at, reason=reason, role=role)


@st.composite
def tickets(
    draw: st.DrawFn,
    lifecycle: Lifecycle | st.SearchStrategy[Lifecycle] | None = None,
    *,
    max_events: int = 12,
    zone: str = "Europe/Madrid",
) -> Ticket:
    """Tickets with random valid histories: status changes the lifecycle allows, replies
    and notes, minutes to days apart (sometimes at the same instant)."""
    if lifecycle is None:
        lifecycle = lifecycles()
    chosen = draw(lifecycle) if isinstance(lifecycle, st.SearchStrategy) else lifecycle
    at = pendulum.datetime(2025, 1, 1, tz=zone).add(minutes=draw(st.integers(0, 365 * 24 * 60)))
    ticket = Ticket.open(
        chosen,
        ticket_id=f"T-{draw(st.integers(1, 10**6))}",
        at=at,
        priority=draw(st.sampled_from(["P1", "P2", "P3"])),
    )
    for _ in range(draw(st.integers(0, max_events))):
        at = at + _dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        triggers = chosen.triggers_from(ticket.status)
        kind = draw(st.sampled_from(["fire", "fire", "agent", "customer", "note"]))
        if kind == "fire" and triggers:
            fire_drawn(draw, ticket, triggers, at)
        elif kind == "agent":
            ticket.record(AgentReplied(at=at, public=draw(st.booleans())))
        elif kind == "customer":
            ticket.record(CustomerReplied(at=at))
        else:
            ticket.record(NoteAdded(at=at, text="note"))
    return ticket
