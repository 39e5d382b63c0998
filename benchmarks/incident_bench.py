"""Major incidents end to end: one parent, N customers, a scheduler acting on every report.

The outage of the tests (customers reporting over 40 minutes in six zones and three
channels, an update every 30 minutes, solved after three hours, two corrective actions) is
played by ``servicekit.testing.run_outage`` under the ready-made crisis incident protocol:
tickets open and are linked, updates are posted, the parent is resolved and passes it on,
and a scheduler on one-minute ticks evaluates the incident at every wakeup and records every
delivery, until a day after the start.

There is no external library that does this, so the baseline is the naive approach of the
same library: at every wakeup, evaluate every child separately (``evaluate(parent, [child],
now)``), re-reading the parent's history for each customer; the review, corrective actions
and surveys are evaluated once per wakeup in both. The two run interleaved, round by
round, in one process; both must send exactly the same deliveries. Prints the median and
range of the wall time over the rounds, and each approach's peak traced memory (measured in
a separate run, since tracing slows everything down).

Run: python benchmarks/incident_bench.py [--sizes 500 10000] [--rounds 3] [--trace-up-to 1000]
     python benchmarks/incident_bench.py --only servicekit --sizes 10000   (peak RSS alone)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Iterable

import attrs
import pendulum

from servicekit import Ticket
from servicekit.followup import plan_surveys
from servicekit.protocols import IncidentProtocol, IncidentReport, crisis_incident_protocol
from servicekit.testing import OutageRun, OutageScenario, run_outage

START = pendulum.datetime(2025, 6, 3, 14, tz="UTC")
UNTIL = START.add(days=1)
PROTOCOL = crisis_incident_protocol("Europe/Madrid")


class NaiveProtocol:
    """The same protocol, asked about one customer at a time."""

    def __init__(self, protocol: IncidentProtocol) -> None:
        self.protocol = protocol
        self.per_child = attrs.evolve(protocol, corrective=None, survey=None)
        self.for_children = protocol.for_children

    def incident(self, parent: Ticket, children: Iterable[Ticket] = ()) -> object:
        return self.protocol.incident(parent, children)

    def evaluate(
        self, parent: Ticket, children: Iterable[Ticket], now: dt.datetime
    ) -> IncidentReport:
        children = list(children)
        base = self.protocol.evaluate(parent, [], now)  # the parent's own part, once
        surveys = base.surveys
        if self.protocol.survey is not None:  # and the surveys, over all customers, once
            surveys = plan_surveys(self.protocol.survey, children, now)
        deliveries = []
        promises = []
        wakeups = [base.next_wakeup] if base.next_wakeup is not None else []
        for child in children:
            report = self.per_child.evaluate(parent, [child], now)
            deliveries.extend(report.deliveries)
            promises.extend(report.promises)
            if report.next_wakeup is not None:
                wakeups.append(report.next_wakeup)
        if surveys is not None and surveys.next_at is not None:
            wakeups.append(surveys.next_at)
        return attrs.evolve(
            base,
            deliveries=tuple(deliveries),
            promises=tuple(promises),
            surveys=surveys,
            next_wakeup=min(wakeups, default=None),
        )


def play(protocol: object, customers: int) -> OutageRun:
    scenario = OutageScenario(start=START, customers=customers, proactive_share=0.2)
    return run_outage(protocol, scenario, UNTIL)  # type: ignore[arg-type]


def timed(protocol: object, customers: int) -> tuple[float, OutageRun]:
    gc.collect()
    started = time.perf_counter()
    run = play(protocol, customers)
    return time.perf_counter() - started, run


def peak_mib(protocol: object, customers: int) -> float:
    gc.collect()
    tracemalloc.start()
    play(protocol, customers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):8.2f} s  range {min(times):.2f}-{max(times):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 10_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--trace-up-to",
        type=int,
        default=1000,
        help="trace memory (slow) only for outages up to this many customers",
    )
    parser.add_argument(
        "--only",
        choices=["servicekit", "naive"],
        help="run one approach alone, once per size, and print the process's peak RSS",
    )
    args = parser.parse_args()
    naive = NaiveProtocol(PROTOCOL)
    if args.only is not None:
        chosen = PROTOCOL if args.only == "servicekit" else naive
        for customers in args.sizes:
            seconds, run = timed(chosen, customers)
            print(
                f"{customers:>6} customers, {args.only} alone: {seconds:.2f} s, "
                f"{len(run.sent)} deliveries"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of the process: {rss:.0f} MiB")
        return
    for customers in args.sizes:
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.rounds):
            t_ours, run_ours = timed(PROTOCOL, customers)
            t_naive, run_naive = timed(naive, customers)
            assert run_ours.sent == run_naive.sent, "the two approaches sent different updates"
            assert set(run_ours.sent.values()) == {1}
            ours.append(t_ours)
            theirs.append(t_naive)
        print(
            f"{customers:>6} customers, {len(run_ours.sent)} deliveries, "
            f"{run_ours.evaluations} wakeups, {args.rounds} rounds"
        )
        print(f"  servicekit (one pass per wakeup):  {summary(ours)}")
        print(f"  naive (each child separately):     {summary(theirs)}")
        print(f"  speed-up (median): {statistics.median(theirs) / statistics.median(ours):.1f}x")
        if customers <= args.trace_up_to:
            print(
                f"  peak traced memory: servicekit {peak_mib(PROTOCOL, customers):.1f} MiB, "
                f"naive {peak_mib(naive, customers):.1f} MiB"
            )


if __name__ == "__main__":
    main()
