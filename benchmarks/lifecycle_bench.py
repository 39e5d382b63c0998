"""Lifecycle replay: servicekit against transitions (one machine bound per ticket) and a dict.

In one run: replay 1,000,000 events over 100,000 synthetic helpdesk tickets, and the BPI
Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee), printing events per second, bytes per ticket
(not counting the events) and construction time per ticket.

Binding a transitions machine per ticket is slow and large, so that peer runs on the first
--bound-tickets tickets (default 10,000) and its per-ticket figures are reported as measured.

Run: python benchmarks/lifecycle_bench.py [--tickets 100000] [--bound-tickets 10000]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
from transitions import Machine

from servicekit import Ticket, TicketOpened, helpdesk_lifecycle
from servicekit.datasets import bpic2013_history, bpic2013_lifecycle, read_xes

BPI = Path(__file__).resolve().parents[2] / "shared/data/bpic2013/07_bpic2013_incidents.xes.gz"
EVENTS_PER_TICKET = 10


def synthetic_paths(n: int, seed: int = 7) -> list[list[str]]:
    """Random valid trigger sequences of EVENTS_PER_TICKET steps on the helpdesk lifecycle."""
    lc = helpdesk_lifecycle()
    rng = random.Random(seed)
    paths = []
    for _ in range(n):
        status, path = lc.initial, []
        while len(path) < EVENTS_PER_TICKET:
            # Avoid the final status so that every ticket gets the same number of events.
            choices = [t for t in lc.triggers_from(status) if lc.destination(status, t) != "closed"]
            trigger = rng.choice(choices)
            path.append(trigger)
            status = lc.destination(status, trigger)
        paths.append(path)
    return paths


class BoundModel:
    """A ticket as transitions users write it: the machine is bound to the model."""

    def __init__(self, states: list[str], spec: list[dict[str, Any]], initial: str) -> None:
        self.machine = Machine(
            model=self, states=states, transitions=spec, initial=initial, auto_transitions=False
        )


def measure(build: Callable[[int], list[object]], n: int) -> tuple[float, float]:
    """Construction seconds per object and bytes per object (tracemalloc) for ``n`` objects."""
    gc.collect()
    began = time.perf_counter()
    objects = build(n)
    elapsed = time.perf_counter() - began
    del objects
    gc.collect()
    # Memory in a second pass: tracemalloc slows allocation down, so it must not be timed.
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objects = build(n)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del objects
    return elapsed / n, (after - before) / n


def row(name: str, events: int, seconds: float, build_s: float, size: float) -> None:
    print(
        f"  {name:28} {events / seconds:14,.0f} ev/s {size:12,.0f} B/ticket "
        f"{build_s * 1e6:10.2f} us/ticket"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--bound-tickets", type=int, default=10_000)
    args = parser.parse_args()

    lc = helpdesk_lifecycle()
    states = [s.name for s in lc.statuses]
    spec = [
        {
            "trigger": tr.trigger,
            "source": "*" if "*" in tr.sources else list(tr.sources),
            "dest": None if tr.dest == "=" else tr.dest,
        }
        for tr in lc.transitions
    ]
    table = {(s, t): lc.destination(s, t) for s in states for t in lc.triggers_from(s)}
    at = pendulum.datetime(2025, 1, 6, 9, tz="Europe/Madrid")
    openings = [TicketOpened(at=at, ticket_id=str(i), priority="P2") for i in range(args.tickets)]
    paths = synthetic_paths(args.tickets)
    stamps = [at.add(minutes=m) for m in range(1, EVENTS_PER_TICKET + 1)]
    n_events = args.tickets * EVENTS_PER_TICKET
    n_bound = min(args.bound_tickets, args.tickets)

    print(
        f"Synthetic: {args.tickets:,} helpdesk tickets x {EVENTS_PER_TICKET} events "
        f"= {n_events:,} events (bound transitions: first {n_bound:,} tickets)"
    )
    print(f"  {'':28} {'events/s':>17} {'memory':>21} {'construction':>23}")

    sk_build, sk_size = measure(lambda n: [Ticket(lc, openings[i]) for i in range(n)], args.tickets)
    began = time.perf_counter()
    for opening, path in zip(openings, paths, strict=True):
        ticket = Ticket(lc, opening)
        for trigger, stamp in zip(path, stamps, strict=True):
            ticket.fire(trigger, at=stamp)
    sk_seconds = time.perf_counter() - began
    row("servicekit Ticket", n_events, sk_seconds, sk_build, sk_size)

    tr_build, tr_size = measure(
        lambda n: [BoundModel(states, spec, lc.initial) for _ in range(n)], n_bound
    )
    models = [BoundModel(states, spec, lc.initial) for _ in range(n_bound)]
    began = time.perf_counter()
    for model, path in zip(models, paths, strict=False):
        for trigger in path:
            model.trigger(trigger)  # type: ignore[attr-defined]
    tr_seconds = time.perf_counter() - began  # firing only
    del models
    row("transitions, bound per ticket", n_bound * EVENTS_PER_TICKET, tr_seconds, tr_build, tr_size)

    d_build, d_size = measure(lambda n: [[lc.initial] for _ in range(n)], args.tickets)
    began = time.perf_counter()
    for path in paths:
        status = lc.initial
        for trigger in path:
            status = table[(status, trigger)]
    d_seconds = time.perf_counter() - began
    row("plain dict table (no checks)", n_events, d_seconds, d_build, d_size)

    sk_rate = n_events / sk_seconds
    tr_rate = n_bound * EVENTS_PER_TICKET / tr_seconds
    print(
        f"  goals: events/s >= 3x bound transitions: {sk_rate / tr_rate:.1f}x; memory <= 1/20: "
        f"1/{tr_size / sk_size:.0f}; construction <= 1/50: 1/{tr_build / sk_build:.0f}"
    )

    if not BPI.exists():
        print(f"\nBPI Challenge 2013 log not found at {BPI}; skipped")
        return
    histories = [bpic2013_history(trace) for trace in read_xes(BPI)]
    bpi = bpic2013_lifecycle()
    bpi_states = [s.name for s in bpi.statuses]
    bpi_spec = [{"trigger": s, "source": "*", "dest": s} for s in bpi_states]
    total = sum(len(h) for h in histories)
    changes = [[e.trigger for e in h if type(e).__name__ == "StatusChanged"] for h in histories]
    n_changes = sum(len(c) for c in changes)
    print(f"\nBPI Challenge 2013: {len(histories):,} incidents, {total:,} servicekit events")
    began = time.perf_counter()
    for history in histories:
        Ticket.replay(history, bpi)
    sk_bpi = time.perf_counter() - began
    print(f"  {'servicekit Ticket.replay':28} {total / sk_bpi:14,.0f} ev/s (all events, checked)")
    began = time.perf_counter()
    for triggers in changes:
        model = BoundModel(bpi_states, bpi_spec, bpi.initial)
        for trigger in triggers:
            model.trigger(trigger)  # type: ignore[attr-defined]
    tr_bpi = time.perf_counter() - began
    print(
        f"  {'transitions, bound per ticket':28} {n_changes / tr_bpi:14,.0f} ev/s "
        "(status changes only, machine construction included)"
    )


if __name__ == "__main__":
    main()
