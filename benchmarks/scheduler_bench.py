"""The wake-up scheduler against the naive loop that polls every open ticket every minute.

100,000 open tickets on the reactive protocol (Mon-Fri 09:00-17:00 Europe/Madrid), opened
over the previous working days, some answered, some acknowledged. Measured:

- build: adding every ticket and the first ``due(now)``, which plans each one;
- a simulated day (a Wednesday, 00:00 to 24:00) in one-minute steps: each step is one round
  in which ``scheduler.due(now)`` and the naive loop run one after the other. The naive loop
  evaluates every ticket at every step; it is timed on a random sample of
  ``--naive-sample`` tickets per round and scaled to all of them (it would take hours
  otherwise), in rounds every ``--naive-every`` minutes;
- ``due(now)`` with nothing due (the fast path: the earliest wake-up is later);
- re-plan after one event on one ticket: ``record()`` alone (the heap moves the ticket),
  and ``record()`` followed by the ``due(now)`` that re-evaluates that one ticket, for a
  reply (it concerns the first response and the keep-in-loop schedule, not the escalation
  chains) and for a priority change (it re-times the SLA clocks both chains wait on).
  Interleaved round by round, in alternating order, with evaluating whole
  (``protocol.evaluate``, what a re-plan did before it re-evaluated only the parts an event
  concerns) another random ticket given the same kind of event: each side reads a ticket
  not read just before (with 100,000 tickets, one no longer in the CPU's caches);
- memory per held ticket beyond its history (tracemalloc, on ``--memory-tickets`` tickets),
  after planning and after the day (the keys handed out are kept).

Goals: re-plan under 200 us, an empty ``due(now)`` under 50 us, under 1 KB per held ticket;
the last lines print each figure beside its goal.

Run: python benchmarks/scheduler_bench.py [--tickets 100000]
(``--no-day --no-memory`` for a short run of the build, empty ``due(now)`` and re-plans.)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence

import pendulum

from servicekit import (
    Acknowledged,
    AgentReplied,
    BusinessCalendar,
    Event,
    PriorityChanged,
    Ticket,
)
from servicekit.protocols import WakeupScheduler, reactive_protocol

ZONE = "Europe/Madrid"
PROTOCOL = reactive_protocol(BusinessCalendar(ZONE, "mon-fri 09:00-17:00"))
DAY = pendulum.datetime(2025, 6, 11, tz=ZONE)  # a Wednesday
MINUTE = pendulum.duration(minutes=1)


def open_tickets(n: int, seed: int = 5) -> list[Ticket]:
    """Tickets opened in business hours over the two and a half working days before DAY."""
    rng = random.Random(seed)
    monday = DAY.subtract(days=2).add(hours=9)
    tickets = []
    for i in range(n):
        day = rng.randrange(3)
        if day < 2:
            opened = monday.add(days=day, minutes=rng.randrange(8 * 60))
        else:  # late on Tuesday, out of hours
            opened = DAY.subtract(minutes=rng.randrange(1, 600))
        ticket = PROTOCOL.open(
            ticket_id=f"T-{i:06}", at=opened, priority=rng.choice(("P1", "P2", "P3"))
        )
        roll = rng.random()
        if roll < 0.4:
            ticket.record(AgentReplied(at=opened.add(minutes=rng.randrange(5, 240))))
        elif roll < 0.5:
            ticket.record(Acknowledged(at=opened.add(minutes=rng.randrange(5, 240)), chain="tiers"))
        tickets.append(ticket)
    return tickets


def reply(ticket: Ticket, now: pendulum.DateTime) -> AgentReplied:
    return AgentReplied(at=now)


def priority_change(ticket: Ticket, now: pendulum.DateTime) -> PriorityChanged:
    to = "P1" if ticket.priority != "P1" else "P2"
    return PriorityChanged(at=now, from_priority=ticket.priority, to_priority=to)


def summary(values: Sequence[float], unit: float = 1e6, suffix: str = "us") -> str:
    if not values:
        return "-"
    return (
        f"median {statistics.median(values) * unit:,.1f} {suffix} "
        f"(range {min(values) * unit:,.1f}-{max(values) * unit:,.1f}, n={len(values)})"
    )


def build(tickets: list[Ticket], now: pendulum.DateTime) -> tuple[WakeupScheduler, float, int]:
    began = time.perf_counter()
    scheduler = WakeupScheduler(PROTOCOL, tickets)
    handed = len(scheduler.due(now))
    return scheduler, time.perf_counter() - began, handed


def time_replan(
    scheduler: WakeupScheduler,
    ticket: Ticket,
    event: Event,
    now: pendulum.DateTime,
    cpu_s: list[float],
) -> tuple[float, float]:
    """Seconds for ``record()`` alone, and for it and the ``due(now)`` that re-plans."""
    cpu = time.thread_time()
    began = time.perf_counter()
    scheduler.record(ticket.id, event)
    mid = time.perf_counter()
    scheduler.due(now)
    end = time.perf_counter()
    cpu_s.append(time.thread_time() - cpu)
    return mid - began, end - began


def time_whole(ticket: Ticket, now: pendulum.DateTime, cpu_s: list[float]) -> float:
    """Seconds to evaluate ``ticket`` whole at ``now``."""
    cpu = time.thread_time()
    began = time.perf_counter()
    PROTOCOL.evaluate(ticket, now)
    spent = time.perf_counter() - began
    cpu_s.append(time.thread_time() - cpu)
    return spent


def memory_per_ticket(n: int) -> tuple[float, float]:
    """Bytes per held ticket beyond its history: after planning, and after the day."""
    tickets = open_tickets(n, seed=17)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scheduler, _, _ = build(tickets, DAY)
    planned = tracemalloc.get_traced_memory()[0]
    for hour in range(1, 25):
        scheduler.due(DAY.add(hours=hour))
    after_day = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (planned - before) / n, (after_day - before) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--naive-every", type=int, default=30, help="minutes between naive rounds")
    parser.add_argument("--events", type=int, default=1000, help="re-plans to time")
    parser.add_argument("--memory-tickets", type=int, default=20_000)
    parser.add_argument("--no-day", action="store_true", help="skip the simulated day")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    args = parser.parse_args()
    rng = random.Random(1)

    print(
        "load average (1, 5, 15 min) at start: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} CPUs: wall times rise with it, CPU times much less"
    )
    tickets = open_tickets(args.tickets)
    scheduler, build_s, handed = build(tickets, DAY)
    print(
        f"build: {args.tickets:,} tickets added and planned in {build_s:,.1f} s "
        f"({build_s / args.tickets * 1e6:,.0f} us per ticket; {handed:,} past actions handed out)"
    )

    step_s: list[float] = []
    empty_s: list[float] = []
    naive_step_s: list[float] = []
    busy = 0
    actions = 0
    for minute in range(1, 0 if args.no_day else 24 * 60 + 1):
        now = DAY.add(minutes=minute)
        top = scheduler.next_wakeup
        began = time.perf_counter()
        out = scheduler.due(now)
        spent = time.perf_counter() - began
        step_s.append(spent)
        actions += len(out)
        if top is None or top > now:
            empty_s.append(spent)
        else:
            busy += 1
        if minute % args.naive_every == 0:
            sample = rng.sample(tickets, min(args.naive_sample, len(tickets)))
            began = time.perf_counter()
            for ticket in sample:
                PROTOCOL.evaluate(ticket, now)
            naive_step_s.append((time.perf_counter() - began) / len(sample) * len(tickets))
    if args.no_day:
        scheduler.due(DAY.add(days=1))  # the day in one step, so events come after it
    else:
        day_s = sum(step_s)
        print(
            f"day in 1-minute steps: scheduler {day_s:,.1f} s for 1,440 steps "
            f"({actions:,} actions; {busy} steps evaluated tickets, {len(empty_s)} did not)"
        )
        print(f"  scheduler due(now) per step: {summary(step_s, 1e3, 'ms')}")
        naive_day_h = statistics.median(naive_step_s) * 1440 / 3600
        print(f"  naive loop per step (scaled from {args.naive_sample} tickets a round):")
        print(f"    {summary(naive_step_s, 1, 's')}; the day would take {naive_day_h:,.1f} h")

    # Empty due(now): the same instant again, and instants short of the next wake-up.
    wake = scheduler.next_wakeup
    assert wake is not None
    probes = [wake.subtract(microseconds=1 + i) for i in range(2000)][::-1]
    fast: list[float] = []
    for now in probes:
        began = time.perf_counter()
        assert scheduler.due(now) == ()
        fast.append(time.perf_counter() - began)
    print(f"due(now) with nothing due: {summary(fast)} (goal < 50 us)")
    print(f"  steps of the day with nothing due: {summary(empty_s)}")

    # Re-plan after one event, on random tickets, one at a time.
    now = probes[-1]  # time does not go back: carry on from the latest instant answered
    replans: dict[str, list[float]] = {}
    for name, make in (("a reply", reply), ("a priority change", priority_change)):
        record_s: list[float] = []
        replan_s: list[float] = []
        whole_s: list[float] = []
        replan_cpu: list[float] = []
        whole_cpu: list[float] = []
        drawn = rng.sample(tickets, min(2 * args.events, len(tickets)))
        for round_ in range(len(drawn) // 2):
            ticket, other = drawn[2 * round_], drawn[2 * round_ + 1]
            now = now.add(seconds=1)
            scheduler.due(now)  # anything else due then is not this measurement
            # The other ticket gets its event on the ticket alone (the scheduler is told
            # after the timed due, which would re-plan it too).
            other.record(make(other, now))
            if round_ % 2:
                whole_s.append(time_whole(other, now, whole_cpu))
            record, total = time_replan(scheduler, ticket, make(ticket, now), now, replan_cpu)
            record_s.append(record)
            replan_s.append(total)
            if not round_ % 2:
                whole_s.append(time_whole(other, now, whole_cpu))
            scheduler.changed(other.id, now)
        replans[name] = replan_s
        print(f"re-plan after {name}: record() {summary(record_s)}")
        print(f"  record() and the due(now) that re-evaluates the ticket: {summary(replan_s)}")
        print(f"  (goal < 200 us); a ticket evaluated whole: {summary(whole_s)}")
        print(
            f"  the same in CPU time of this thread: re-plan {summary(replan_cpu)}; "
            f"whole {summary(whole_cpu)}"
        )

    memory: tuple[float, float] | None = None
    if not args.no_memory:
        memory = memory_per_ticket(args.memory_tickets)
        print(
            f"memory per held ticket beyond its history ({args.memory_tickets:,} tickets): "
            f"{memory[0]:,.0f} B planned, {memory[1]:,.0f} B after the day with its keys "
            "(goal < 1 KB)"
        )

    print(f"\ngoals ({args.tickets:,} open tickets on the reactive protocol; medians, range):")
    rows = [
        (f"re-plan after {name}", "< 200 us", values, 200e-6) for name, values in replans.items()
    ]
    rows.append(("due(now) with nothing due", "< 50 us", fast, 50e-6))
    for label, goal, values, limit in rows:
        met = "met" if statistics.median(values) < limit else "NOT MET"
        print(f"  {label:<32} goal {goal:<9} measured {summary(values)}: {met}")
    if memory is not None:
        worst = max(memory)
        met = "met" if worst < 1024 else "NOT MET"
        print(
            f"  {'memory per held ticket':<32} goal {'< 1 KB':<9} measured {worst:,.0f} B "
            f"(the larger of planned and after the day): {met}"
        )


if __name__ == "__main__":
    main()
