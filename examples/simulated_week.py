"""A helpdesk worker over a simulated week: 500 tickets, a team in Bogota serving customers
in Madrid, a VIP rule, and a worker that sleeps until each ticket's ``next_action_at``.

Events arrive as they would in a live app (replies, customers waiting and answering,
manual escalations, acknowledgements, customers becoming VIP, solves). After each event the
app asks the protocol again; otherwise the worker wakes only when an action falls due. It
keeps per ticket only the instant of its last look and the keys it did at that instant.

The run checks that every action was handed out once, and, on a sample, that none was
missed or late against a naive worker that evaluates every minute.

Run: python examples/simulated_week.py [TICKETS]
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import sys
from collections import Counter
from collections.abc import Mapping

import attrs
import pendulum

from servicekit import (
    Acknowledged,
    AgentReplied,
    AttributesChanged,
    AttributeValue,
    BusinessCalendar,
    CustomerReplied,
    Escalated,
    Event,
    Ticket,
    TicketOpened,
)
from servicekit.protocols import DueAction, ServiceProtocol, reactive_protocol
from servicekit.sla import SlaTarget

BOGOTA = BusinessCalendar("America/Bogota", "mon-fri 07:00-19:00")
MONDAY = pendulum.datetime(2025, 3, 3, 0, tz="America/Bogota")
WEEK_END = MONDAY.add(days=7)
MINUTE = dt.timedelta(minutes=1)


class VipDesk(ServiceProtocol):
    """The reactive protocol, with half of every target for VIP customers."""

    def adjust_target(
        self, target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, AttributeValue]
    ) -> SlaTarget:
        return attrs.evolve(target, target=target.target / 2) if attributes.get("vip") else target


PROTOCOL = VipDesk.from_protocol(reactive_protocol(BOGOTA))

#: A step of a ticket's script: an event to record, or a trigger to fire, at an instant.
Step = tuple[pendulum.DateTime, Event | str]


def script(rng: random.Random, number: int) -> tuple[Ticket, list[Step]]:
    """A ticket opened some time in the week and what will happen to it."""
    opened = MONDAY.add(minutes=rng.randrange(5 * 24 * 60))
    ticket = PROTOCOL.open(
        ticket_id=f"T-{number:05}",
        at=opened,
        priority=rng.choice(["P1", "P2", "P2", "P3", "P3", "P3"]),
        customer_timezone="Europe/Madrid",
        attributes={"vip": rng.random() < 0.1},
    )
    steps: list[Step] = []
    at = opened.add(minutes=rng.randrange(5, 240))
    steps.append((at, AgentReplied(at=at, actor="agent")))
    if rng.random() < 0.15:
        at = at.add(minutes=rng.randrange(1, 600))
        steps.append((at, Escalated(at=at, level="L2", reason="customer asked")))
    if rng.random() < 0.1:
        at = at.add(minutes=rng.randrange(1, 600))
        steps.append((at, AttributesChanged(at=at, attributes={"vip": True})))
    if rng.random() < 0.5:
        at = at.add(minutes=rng.randrange(10, 600))
        steps.append((at, "pend"))
        at = at.add(minutes=rng.randrange(30, 2 * 24 * 60))
        steps.append((at, CustomerReplied(at=at, actor="customer")))  # reopens by itself
    if rng.random() < 0.3:
        at = at.add(minutes=rng.randrange(1, 24 * 60))
        steps.append((at, Acknowledged(at=at, chain="tiers", actor="L2")))
    if rng.random() < 0.8:
        at = at.add(minutes=rng.randrange(30, 3 * 24 * 60))
        steps.append((at, "solve"))
    return ticket, [(t, s) for t, s in steps if t < WEEK_END]


@attrs.define
class Worker:
    """Per ticket: the last instant it looked and the keys it did then; nothing else."""

    until: str = "action"  # sleep until "action" (next_action_at) or "wakeup" (next_wakeup)
    since: dict[str, pendulum.DateTime] = attrs.field(factory=dict)
    done_then: dict[str, set[str]] = attrs.field(factory=dict)
    handed_out: list[tuple[str, DueAction, pendulum.DateTime]] = attrs.field(factory=list)
    evaluations: int = 0
    wakeups: int = 0
    empty_wakeups: int = 0

    def look(self, ticket: Ticket, now: pendulum.DateTime, *, woke: bool) -> dt.datetime | None:
        """Evaluate, act on what is new, record what was done; return when to come back."""
        report = PROTOCOL.evaluate(ticket, now)
        self.evaluations += 1
        fresh = report.new_actions(
            self.since.get(ticket.id), done=self.done_then.get(ticket.id, ())
        )
        for action in fresh:
            self.handed_out.append((ticket.id, action, now))
            if action.kind == "transition":
                ticket.fire(action.detail, at=max(action.at, ticket.last_event_at), actor="worker")
        if woke:
            self.wakeups += 1
            self.empty_wakeups += not fresh
        self.since[ticket.id] = now
        self.done_then[ticket.id] = {a.key for a in report.actions if a.at == now}
        return report.next_action_at if self.until == "action" else report.next_wakeup


def run(count: int, *, seed: int = 19, until: str = "action") -> tuple[Worker, list[Ticket]]:
    """Play the week: a heap of script steps and wake-ups, in time order."""
    rng = random.Random(seed)
    worker = Worker(until=until)
    tickets: list[Ticket] = []
    queue: list[tuple[int, int, int, pendulum.DateTime, Event | str | None]] = []
    order = 0
    for number in range(count):
        ticket, steps = script(rng, number)
        tickets.append(ticket)
        wake = worker.look(ticket, ticket.opened.at, woke=False)
        for at, step in [(wake, None), *steps]:
            if at is not None and at < WEEK_END:
                order += 1
                heapq.heappush(queue, (int(at.timestamp() * 1e6), order, number, at, step))
    planned: dict[int, int] = {}  # a ticket's current wake-up; older ones in the heap are stale
    for _, seq, number, _, step in queue:
        if step is None:
            planned[number] = seq
    while queue:
        _, seq, number, at, step = heapq.heappop(queue)
        ticket = tickets[number]
        if step is None and planned.get(number) != seq:
            continue  # superseded by a later look at this ticket
        if isinstance(step, str):
            if step not in ticket.lifecycle.triggers_from(ticket.status):
                continue  # e.g. the worker closed it meanwhile
            ticket.fire(step, at=at, actor="agent")
        elif step is not None:
            ticket.record(step)
        wake = worker.look(ticket, at, woke=step is None)
        order += 1
        planned[number] = order  # every earlier wake-up of this ticket is stale now
        if wake is not None and wake < WEEK_END:
            heapq.heappush(queue, (int(wake.timestamp() * 1e6), order, number, wake, None))
    return worker, tickets


def polled(ticket: Ticket, until: pendulum.DateTime) -> dict[str, pendulum.DateTime]:
    """What a worker evaluating every minute would have seen, and the minute it saw it."""
    seen: dict[str, pendulum.DateTime] = {}
    now = ticket.opened.at
    while now < until:
        for action in PROTOCOL.evaluate(ticket, now).actions:
            seen.setdefault(action.key, now)
        now = now + MINUTE
    return seen


def main(count: int = 500) -> None:
    worker, tickets = run(count)
    keys = [a.key for _, a, _ in worker.handed_out]
    assert len(keys) == len(set(keys)), "an action was handed out twice"
    kinds = Counter(a.kind for _, a, _ in worker.handed_out)
    print(f"{count} tickets over a week: {len(keys)} actions, each once: {dict(kinds)}")
    print(
        f"{worker.evaluations} evaluations ({worker.evaluations / count:.1f} a ticket); "
        f"{worker.wakeups} wake-ups, {worker.empty_wakeups} with nothing to do "
        "(benchmarks/worker_bench.py measures time and memory, and compares with polling)"
    )
    # A sample against polling every minute, over each ticket's first day.
    sample = tickets[:: max(1, count // 3)][:3]
    when = {(t, a.key): now for t, a, now in worker.handed_out}
    for ticket in sample:
        horizon = min(ticket.opened.at.add(days=1), WEEK_END)
        for key, minute in polled(ticket, horizon).items():
            acted = when.get((ticket.id, key))
            assert acted is not None, f"{ticket.id}: the worker missed {key}"
            assert acted <= minute, f"{ticket.id}: {key} handed out after the poller saw it"
    print(f"against polling every minute on {len(sample)} tickets: nothing missed, nothing late")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
