"""The simulated-week worker: what waking on ``next_action_at`` costs, against waking on
``next_wakeup`` and against polling every minute.

Three workers play the same week (examples/simulated_week.py: tickets in Bogota's hours,
customers in Madrid, a VIP rule), interleaved round by round in one process:

- ``next_action_at``: sleeps until the next due action of each ticket;
- ``next_wakeup``: sleeps until anything in each ticket's report changes (SLA warnings too);
- polling: evaluates every open ticket every minute. It is measured on the first
  ``--poll-tickets`` tickets over their first day (polling thousands of tickets for a week
  would take hours); its cost is given per ticket-day next to the others'.

Printed: median and range over rounds of CPU seconds, evaluations, wake-ups that emitted
nothing, and peak traced memory of one round of each.

Run: python benchmarks/worker_bench.py [--tickets 2000] [--rounds 3] [--poll-tickets 5]
"""

from __future__ import annotations

import argparse
import runpy
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

SIM: dict[str, Any] = runpy.run_path(
    str(Path(__file__).resolve().parents[1] / "examples" / "simulated_week.py"), run_name="sim"
)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):10.2f}  [{min(values):.2f} .. {max(values):.2f}]"


def worker_round(count: int, until: str) -> dict[str, float]:
    started = time.process_time()
    worker, tickets = SIM["run"](count, until=until)
    cpu = time.process_time() - started
    days = sum(
        min(t.last_event_at.add(days=1), SIM["WEEK_END"]).diff(t.opened.at).in_minutes()
        for t in tickets
    ) / (24 * 60)
    return {
        "cpu": cpu,
        "evaluations": worker.evaluations,
        "wakeups": worker.wakeups,
        "empty": worker.empty_wakeups,
        "actions": len(worker.handed_out),
        "cpu_per_ticket_day_ms": 1000 * cpu / days,
    }


def poll_round(count: int, poll_tickets: int) -> dict[str, float]:
    _, tickets = SIM["run"](count)
    sample = tickets[:poll_tickets]
    started = time.process_time()
    evaluations = 0
    empty = 0
    for ticket in sample:
        seen: set[str] = set()
        now = ticket.opened.at
        end = now.add(days=1)
        while now < end:
            keys = {a.key for a in SIM["PROTOCOL"].evaluate(ticket, now).actions}
            empty += keys <= seen
            seen |= keys
            evaluations += 1
            now = now.add(minutes=1)
    cpu = time.process_time() - started
    return {
        "cpu": cpu,
        "evaluations": evaluations,
        "wakeups": evaluations,
        "empty": empty,
        "actions": 0,
        "cpu_per_ticket_day_ms": 1000 * cpu / len(sample),
    }


def peak_memory(count: int, until: str) -> float:
    tracemalloc.start()
    SIM["run"](count, until=until)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--poll-tickets", type=int, default=5)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"next_action_at": [], "next_wakeup": [], "poll": []}
    for number in range(args.rounds):
        # Interleaved: each round runs every worker once, in turn.
        runs["next_action_at"].append(worker_round(args.tickets, "action"))
        runs["next_wakeup"].append(worker_round(args.tickets, "wakeup"))
        runs["poll"].append(poll_round(args.tickets, args.poll_tickets))
        print(f"round {number + 1}/{args.rounds} done")
    print(f"\n{args.tickets} tickets over a simulated week; median [range] of {args.rounds} rounds")
    header = (
        f"{'worker':<15}{'CPU s':>30}{'evaluations':>32}{'empty wake-ups':>32}"
        f"{'ms CPU / ticket-day':>34}"
    )
    print(header)
    for name, rows in runs.items():
        label = name if name != "poll" else f"poll ({args.poll_tickets} t.)"
        print(
            f"{label:<15}"
            + "".join(
                f"{spread([r[k] for r in rows]):>32}"
                for k in ("cpu", "evaluations", "empty", "cpu_per_ticket_day_ms")
            )
        )
    for name in ("next_action_at", "next_wakeup"):
        rows = runs[name]
        share = statistics.median(r["empty"] / max(r["wakeups"], 1) for r in rows)
        print(f"{name}: {100 * share:.1f}% of wake-ups emitted no action")
    until = {"next_action_at": "action", "next_wakeup": "wakeup"}
    for name, mode in until.items():
        mib = peak_memory(args.tickets, mode)
        print(f"peak traced memory, {name} worker with {args.tickets} tickets: {mib:.1f} MiB")


if __name__ == "__main__":
    main()
