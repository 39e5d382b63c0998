"""Lifecycle replay: servicekit's Ticket.fire against transitions (one machine bound per ticket).

In one process, round by round (order rotating): firing 10 events on each of --tickets synthetic
helpdesk tickets, with the instants given as pendulum values, zoneinfo datetimes, fixed-offset
datetimes and pytz datetimes, against the same trigger paths on --bound-tickets transitions
models (binding a machine per ticket is slow and large, so that peer runs on fewer tickets and is
compared per event). Construction is timed the same way; memory (tracemalloc) is measured once
per kind for a ticket holding ten events against a bound model that fired the same ten, and so is
the size of each pickled (pickle's highest protocol). Then the
BPI Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee): Ticket.replay of every incident against a
bound model per incident. Prints CPU medians and ranges, and the ratios against the goals.

Run: python benchmarks/lifecycle_bench.py [--tickets 20000] [--bound-tickets 2000] [--rounds 5]
[--no-bpi]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import pickle
import random
import time
import tracemalloc
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pendulum

try:
    import pytz
except ImportError:  # optional: its datetimes are measured when it is installed
    pytz = None
from _interleave import interleave, per_item, ratio_range, table
from transitions import Machine

from servicekit import StatusChanged, Ticket, TicketOpened, helpdesk_lifecycle
from servicekit.datasets import bpic2013_history, bpic2013_lifecycle, read_xes

BPI = Path(__file__).resolve().parents[2] / "shared/data/bpic2013/07_bpic2013_incidents.xes.gz"
EVENTS_PER_TICKET = 10
ZONE = "Europe/Madrid"


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


def stamps_of_every_kind() -> dict[str, list[dt.datetime]]:
    """Ten instants a minute apart, as each kind of caller holds them."""
    first = dt.datetime(2025, 1, 6, 9)
    local = [first + dt.timedelta(minutes=m) for m in range(1, EVENTS_PER_TICKET + 1)]
    kinds = {
        # As pendulum.datetime() makes them (with fold=1, which it gives every wall time).
        "pendulum": [pendulum.datetime(*t.timetuple()[:6], tz=ZONE) for t in local],
        "zoneinfo": [t.replace(tzinfo=zoneinfo.ZoneInfo(ZONE)) for t in local],
        "fixed offset": [t.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))) for t in local],
    }
    if pytz is None:
        print("pytz is not installed: its datetimes are not measured")
    else:
        madrid = pytz.timezone(ZONE)
        kinds["pytz"] = [madrid.localize(t) for t in local]
    return kinds


def bytes_per(build: Callable[[], list[object]]) -> float:
    """tracemalloc bytes per object of what ``build`` returns (kept alive while measured)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objects = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / len(objects)


def pickled_size(objects: Sequence[object]) -> float:
    """Mean bytes of each object pickled on its own (what a store of one row per ticket holds)."""
    return sum(len(pickle.dumps(o, protocol=pickle.HIGHEST_PROTOCOL)) for o in objects) / len(
        objects
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--bound-tickets", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-bpi", action="store_true", help="skip the BPI 2013 replay")
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
    opened_at = pendulum.datetime(2025, 1, 6, 9, tz=ZONE)
    openings = [
        TicketOpened(at=opened_at, ticket_id=str(i), priority="P2") for i in range(args.tickets)
    ]
    paths = synthetic_paths(args.tickets)
    kinds = stamps_of_every_kind()
    n_bound = min(args.bound_tickets, args.tickets)
    n_events = args.tickets * EVENTS_PER_TICKET

    def fire_all(stamps: Sequence[dt.datetime]) -> Callable[[], object]:
        def run() -> object:
            for opening, path in zip(openings, paths, strict=True):
                ticket = Ticket(lc, opening)
                for trigger, stamp in zip(path, stamps, strict=True):
                    ticket.fire(trigger, at=stamp)
            return None

        return run

    def fire_bound() -> object:
        models = [BoundModel(states, spec, lc.initial) for _ in range(n_bound)]
        wall, cpu = time.perf_counter(), time.process_time()
        for model, path in zip(models, paths, strict=False):
            for trigger in path:
                model.trigger(trigger)  # type: ignore[attr-defined]
        # Firing only: the models are built before.
        return time.perf_counter() - wall, time.process_time() - cpu

    print(
        f"Synthetic helpdesk tickets x {EVENTS_PER_TICKET} events: servicekit {args.tickets:,} "
        f"tickets (construction included), transitions {n_bound:,} bound models (firing only); "
        f"{args.rounds} interleaved rounds; per event"
    )
    contenders = {f"servicekit fire, {k}": fire_all(v) for k, v in kinds.items()}
    contenders["transitions bound, fire"] = fire_bound
    samples = interleave(contenders, args.rounds)
    # The bound peer's own figure excludes building its models: take what it returned.
    bound = samples["transitions bound, fire"]
    bound.wall = [r[0] for r in bound.results]  # type: ignore[index]
    bound.cpu = [r[1] for r in bound.results]  # type: ignore[index]
    per_event = {
        name: per_item(s, n_bound * EVENTS_PER_TICKET if s is bound else n_events)
        for name, s in samples.items()
    }
    table(per_event, scale=1e6, unit="us")
    for kind in kinds:
        ours = per_event[f"servicekit fire, {kind}"]
        print(
            f"  fire with {kind:12} vs bound transitions: "
            f"{ratio_range(per_event['transitions bound, fire'], ours)} (goal >= 3x)"
        )

    construction = interleave(
        {
            "servicekit Ticket()": lambda: [Ticket(lc, o) for o in openings],
            "transitions bound model": lambda: [
                BoundModel(states, spec, lc.initial) for _ in range(n_bound)
            ],
        },
        args.rounds,
    )
    built = {
        "servicekit Ticket()": per_item(construction["servicekit Ticket()"], args.tickets),
        "transitions bound model": per_item(construction["transitions bound model"], n_bound),
    }
    print("\nConstruction, per object")
    table(built, scale=1e6, unit="us")
    print(
        "  construction vs bound transitions: "
        f"1/{built['transitions bound model'].median() / built['servicekit Ticket()'].median():.0f}"
        " (goal <= 1/50)"
    )

    n_mem = min(2_000, n_bound)

    def tickets_with(stamps: Sequence[dt.datetime]) -> Callable[[], list[object]]:
        def build() -> list[object]:
            out: list[object] = []
            for i, path in enumerate(paths[:n_mem]):
                ticket = Ticket.open(lc, ticket_id=f"T{i}", at=opened_at, priority="P2")
                for trigger, stamp in zip(path, stamps, strict=True):
                    ticket.fire(trigger, at=stamp)
                out.append(ticket)
            return out

        return build

    def bound_models() -> list[object]:
        out: list[object] = []
        for path in paths[:n_mem]:
            model = BoundModel(states, spec, lc.initial)
            for trigger in path:
                model.trigger(trigger)  # type: ignore[attr-defined]
            out.append(model)
        return out

    bound_size = bytes_per(bound_models)
    bound_pickled = pickled_size(bound_models()[:100])
    print(
        f"\nMemory (tracemalloc, {n_mem:,} objects) and pickled size: bound transitions model "
        f"{bound_size:,.0f} B, pickled {bound_pickled:,.0f} B"
    )
    for kind, stamps in kinds.items():
        size = bytes_per(tickets_with(stamps))
        pickled = pickled_size(tickets_with(stamps)()[:100])
        print(
            f"  ticket with ten events, {kind:12} {size:8,.0f} B = 1/{bound_size / size:.1f} "
            f"of a bound model (goal <= 1/20); pickled {pickled:,.0f} B = "
            f"1/{bound_pickled / pickled:.1f}"
        )

    if args.no_bpi:
        return
    if not BPI.exists():
        print(f"\nBPI Challenge 2013 log not found at {BPI}; skipped")
        return
    histories = [bpic2013_history(trace) for trace in read_xes(BPI)]
    bpi = bpic2013_lifecycle()
    bpi_states = [s.name for s in bpi.statuses]
    bpi_spec = [{"trigger": s, "source": "*", "dest": s} for s in bpi_states]
    changes = [[e.trigger for e in h if isinstance(e, StatusChanged)] for h in histories]
    n_changes = sum(len(c) for c in changes)

    def replay_all() -> object:
        for history in histories:
            Ticket.replay(history, bpi)
        return None

    def bound_all() -> object:
        for triggers in changes:
            model = BoundModel(bpi_states, bpi_spec, bpi.initial)
            for trigger in triggers:
                model.trigger(trigger)  # type: ignore[attr-defined]
        return None

    total = sum(len(h) for h in histories)
    print(
        f"\nBPI Challenge 2013: {len(histories):,} incidents, {total:,} servicekit events "
        f"({n_changes:,} status changes); whole log per round, construction included"
    )
    bpi_samples = interleave(
        {"servicekit Ticket.replay (all events)": replay_all, "transitions bound": bound_all},
        args.rounds,
    )
    table(bpi_samples)
    print(
        "  servicekit vs transitions: "
        f"{ratio_range(bpi_samples['transitions bound'], bpi_samples['servicekit Ticket.replay (all events)'])}"  # noqa: E501
    )


if __name__ == "__main__":
    main()
