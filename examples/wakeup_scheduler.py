"""A worker that sleeps until the next wake-up instead of polling, and survives a crash.

Fifty tickets arrive over a working day on the reactive protocol; agents reply to some and
acknowledge others. The worker's loop jumps from one wake-up to the next (no fixed polling
step) and hands out every due action once. Half-way through it "crashes" and a new worker is
rebuilt from the histories alone; the actions handed out match those of a worker that never
crashed, none repeated and none skipped.

Run: python examples/wakeup_scheduler.py
"""

from __future__ import annotations

import random
from collections import Counter

import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import Acknowledged, AgentReplied, BusinessCalendar, Event, Ticket
from servicekit.protocols import TicketAction, WakeupScheduler, reactive_protocol

DESK = BusinessCalendar("Europe/Amsterdam", "mon-fri 08:30-17:30")
PROTOCOL = reactive_protocol(DESK)
MONDAY = pendulum.datetime(2025, 6, 2, 8, 30, tz="Europe/Amsterdam")
END = MONDAY.add(days=4)


def arrivals(seed: int = 3) -> list[tuple[pendulum.DateTime, str, Event | None]]:
    """(instant, ticket id, event) in time order; ``None`` opens the ticket."""
    rng = random.Random(seed)
    out: list[tuple[pendulum.DateTime, str, Event | None]] = []
    for i in range(50):
        opened = MONDAY.add(minutes=rng.randrange(9 * 60))
        out.append((opened, f"INC-{i:03}", None))
        answer = opened.add(minutes=rng.randrange(5, 300))
        if rng.random() < 0.6:
            out.append((answer, f"INC-{i:03}", AgentReplied(at=answer)))
        else:
            out.append((answer, f"INC-{i:03}", Acknowledged(at=answer, chain="tiers")))
    return sorted(out, key=lambda item: (item[0], item[1], item[2] is not None))


def run(crash_at: pendulum.DateTime | None) -> tuple[list[TicketAction], int]:
    """Run the worker to END; at ``crash_at`` throw it away and rebuild one from histories."""
    pending = arrivals()
    worker = WakeupScheduler(PROTOCOL)
    histories: dict[str, Ticket] = {}
    handed_out: list[TicketAction] = []
    last_now = MONDAY
    turns = 0
    while True:
        wake = worker.next_wakeup
        arrival = pending[0][0] if pending else None
        candidates = [t for t in (wake, arrival) if t is not None]
        if not candidates or min(candidates) > END:
            break
        now = max(min(candidates), last_now)
        if crash_at is not None and now >= crash_at:
            # Only the histories survive; everything handed out up to last_now was committed.
            worker = WakeupScheduler.from_histories(
                PROTOCOL, histories.values(), acted_until=last_now
            )
            crash_at = None
        while pending and pending[0][0] <= now:
            at, ticket_id, event = pending.pop(0)
            if event is None:
                histories[ticket_id] = PROTOCOL.open(ticket_id=ticket_id, at=at, priority="P2")
                worker.add(histories[ticket_id])
            else:
                worker.record(ticket_id, event)
        handed_out.extend(worker.due(now))
        last_now = now
        turns += 1
    return handed_out, turns


def main() -> None:
    steady, turns = run(crash_at=None)
    crashed, _ = run(crash_at=MONDAY.add(days=1, hours=3))
    kinds = Counter(item.action.kind for item in steady)
    console = Console()
    console.print(f"{len(steady)} actions over four days in {turns} wake-ups ({dict(kinds)})")
    console.print(f"polling every minute would have evaluated 50 tickets x {4 * 24 * 60} minutes")
    assert [a.key for a in crashed] == [a.key for a in steady], "a restart repeated or skipped"
    assert len({a.key for a in steady}) == len(steady)
    console.print("after a crash and a rebuild from histories: the same actions, each once")
    first = Table("at", "ticket", "kind", "detail", title="The first actions handed out")
    for item in steady[:5]:
        a = item.action
        first.add_row(f"{a.at.in_tz(DESK.timezone):%a %H:%M}", item.ticket_id, a.kind, a.detail)
    console.print(first)


if __name__ == "__main__":
    main()
