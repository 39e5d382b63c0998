"""Batch evaluation: one process against local Dask clusters of one and two workers.

Synthetic helpdesk events (tickets moving new -> open -> pending/open... -> solved, about ten
events each, over two years) at 1M and 5M events, evaluated under the reactive protocol at one
``now``. The events are written once as Parquet files of a fixed size. Each round runs, one
after the other, the single-process partition function (in a fresh process, so its peak
memory is its own) and ``evaluate_dask`` on a one-worker and a two-worker ``LocalCluster``
(started before the rounds). All three do the same job on the same input: read the Parquet
files, evaluate (the clusters shuffle by ticket first) and write the rows to Parquet; nothing is
gathered into one process.
Prints events per second (median and range over the rounds), the speed-up of two workers over
one (goal: at least 1.7x) and the peak resident memory of each worker (it should not grow with
the number of events).

The clusters run with ``servicekit.batch.CLUSTER_CONFIG`` (``--dask-defaults`` leaves Dask's
defaults), as ``servicekit replay --workers`` does. With Dask's defaults the worker profiler
samples every thread's stack every 10 ms and keeps a call tree per second for the last 1,000
seconds: at 200k events on one worker it cost 20% more worker CPU (38.3 s against 31.5 s) and
held 10 MiB of call trees after 100 seconds, about 65 KiB per busy second, so a worker's peak
grew with the length of the job (+18-24% from 1M to 5M events). Without it, two workers
peaked at 278/280 MiB at 400k events and 277/288 MiB at 1M. The event-loop check and system
monitor at Dask's default rates used 9% of a core in an idle two-worker cluster (3.4% with
``CLUSTER_CONFIG``), taken from the workers when both cores evaluate.

Wall time on a shared machine moves with the neighbours' load, so each configuration's CPU
seconds (the worker processes' own, all threads) are printed next to it: events per
CPU-second say whether a slow round was slow work or a busy machine.

Peak memory is each process's own high-water mark (``VmHWM`` in ``/proc/self/status``), not
``ru_maxrss``: Linux keeps a process's peak across ``exec``, and the worker processes (and the
single-process run) are started from this process, which holds the generated events, so
``ru_maxrss`` would report this process's size at the time whatever the worker used (it did:
1,214 MiB for every worker at 5M events). Where ``/proc`` is missing, ``ru_maxrss`` is used and
the figure is marked as an upper bound.

Run: python benchmarks/batch_bench.py [--events 1000000 5000000] [--rounds 3]
     [--events-per-partition 62500] [--dask-defaults]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import logging
import multiprocessing
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pendulum
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

from servicekit import BusinessCalendar
from servicekit.batch import CLUSTER_CONFIG, evaluate_dask, evaluate_partition
from servicekit.protocols import reactive_protocol
from servicekit.sources import SourceMapping

MAPPING = SourceMapping(
    ticket="ticket",
    time="at",
    status="status",
    priority="priority",
    lifecycle="helpdesk",
    timezone="UTC",
)
PROTOCOL = reactive_protocol(BusinessCalendar("UTC", "mon-fri 09:00-17:00"))
NOW = pendulum.datetime(2026, 1, 1, tz="UTC")


def synthetic_events(n_events: int, seed: int = 7) -> pd.DataFrame:
    """About ``n_events`` status rows, ticket by ticket, times increasing within a ticket."""
    rng = np.random.default_rng(seed)
    loops = rng.integers(2, 5, size=max(1, n_events // 9))  # pending/open loops per ticket
    lengths = 3 + 2 * loops  # new, open, (pending, open) * loops, solved
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), n_events) + 1]
    n_tickets, total = len(lengths), int(lengths.sum())
    ticket = np.repeat(np.arange(n_tickets), lengths)
    step = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    last = np.repeat(lengths - 1, lengths)
    status = np.where(step == 0, "new", np.where(step % 2 == 1, "open", "pending"))
    status = np.where(step == last, "solved", status)
    opened = rng.integers(0, 2 * 365 * 24 * 60, size=n_tickets)  # minutes into 2024-2025
    gaps = rng.integers(5, 8 * 60, size=total)
    gaps[np.cumsum(lengths) - lengths] = 0  # the opening row starts each ticket's clock
    minutes = np.repeat(opened, lengths) + (
        np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(lengths) - lengths], lengths)
    )
    start = np.datetime64("2024-01-01T00:00", "m")
    return pd.DataFrame(
        {
            "ticket": pd.Series(ticket).map("S-{:07}".format),
            "at": pd.to_datetime(start + minutes.astype("timedelta64[m]")).tz_localize("UTC"),
            "status": status,
            "priority": np.repeat(rng.choice(["P1", "P2", "P3"], size=n_tickets), lengths),
        }
    )


def own_peak() -> tuple[int, bool]:
    """This process's peak resident bytes, and whether it is its own (``VmHWM``) rather than
    the ``ru_maxrss`` upper bound inherited across ``exec``."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024, True
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, False


def cpu_seconds() -> float:
    """CPU seconds this process has used, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _single(source: Path, target: Path) -> tuple[float, float, int, tuple[int, bool]]:
    began, cpu = time.perf_counter(), cpu_seconds()
    rows = evaluate_partition(pd.read_parquet(source), PROTOCOL, NOW, MAPPING)
    rows.to_parquet(target, index=False)
    return time.perf_counter() - began, cpu_seconds() - cpu, len(rows), own_peak()


def single_process(source: Path, target: Path) -> tuple[float, float, int, tuple[int, bool]]:
    """Seconds, CPU seconds, rows and peak RSS of reading the Parquet parts, evaluating every
    ticket and writing the rows, in one fresh process."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_single, source, target).result()


def write_parts(events: pd.DataFrame, partitions: int, directory: Path) -> Path:
    """The events as ``partitions`` Parquet files, in input order."""
    bounds = np.linspace(0, len(events), partitions + 1).astype(int)
    for index, (a, b) in enumerate(itertools.pairwise(bounds)):
        events.iloc[a:b].to_parquet(directory / f"part-{index:05}.parquet", index=False)
    return directory


def on_cluster(client: Client, source: Path, target: Path) -> tuple[float, float, int]:
    """Seconds, workers' CPU seconds and rows of reading, evaluating and writing the rows on
    the cluster."""
    shutil.rmtree(target, ignore_errors=True)
    cpu: dict[str, float] = client.run(cpu_seconds)
    began = time.perf_counter()
    with client.as_current():
        rows = evaluate_dask(dd.read_parquet(source), PROTOCOL, NOW, MAPPING)
        rows.to_parquet(target, write_index=False)
    seconds = time.perf_counter() - began
    after: dict[str, float] = client.run(cpu_seconds)
    return (
        seconds,
        sum(after[w] - cpu[w] for w in after),
        sum(pq.ParquetFile(f).metadata.num_rows for f in target.glob("*.parquet")),
    )


def local_cluster(workers: int, dask_defaults: bool) -> LocalCluster:
    """A local cluster of ``workers`` one-thread processes, with ``CLUSTER_CONFIG`` or Dask's
    defaults."""
    config = {} if dask_defaults else dict(CLUSTER_CONFIG)
    with dask.config.set(config):  # read when the workers start
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )


def worker_peaks(client: Client) -> list[tuple[int, bool]]:
    peaks: dict[str, Any] = client.run(own_peak)
    return sorted(tuple(p) for p in peaks.values())  # type: ignore[misc]


def rate(n_events: int, seconds: list[float], unit: str = "s") -> str:
    values = [n_events / s for s in seconds]
    return (
        f"median {statistics.median(values):,.0f} events/{unit} "
        f"(range {min(values):,.0f}-{max(values):,.0f}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    # Partitions of a fixed size, so a worker holds as much at 5M events as at 1M: what keeps
    # its memory flat is the size of a partition, not the size of the log.
    parser.add_argument("--events-per-partition", type=int, default=62_500)
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="run the clusters with Dask's default settings, not servicekit.batch.CLUSTER_CONFIG",
    )
    args = parser.parse_args()
    mib = 1024 * 1024
    for n_events in args.events:
        events = synthetic_events(n_events)
        # An even number: two workers share the partitions equally (13 would leave one worker
        # a seventh partition to evaluate alone while the other waits).
        partitions = 2 * max(1, round(len(events) / (2 * args.events_per_partition)))
        print(
            f"{len(events):,} events of {events['ticket'].nunique():,} tickets, "
            f"{partitions} partitions"
        )
        times: dict[str, list[float]] = {"single": [], "1 worker": [], "2 workers": []}
        cpus: dict[str, list[float]] = {k: [] for k in times}
        peaks: dict[str, list[tuple[int, bool]]] = {}
        single_peak = (0, True)
        with (
            tempfile.TemporaryDirectory() as scratch,
            local_cluster(1, args.dask_defaults) as one,
            local_cluster(2, args.dask_defaults) as two,
            Client(one, set_as_default=False) as c1,
            Client(two, set_as_default=False) as c2,
        ):
            source = Path(scratch, "events")
            source.mkdir()
            write_parts(events, partitions, source)
            for round_ in range(args.rounds):
                seconds, cpu, rows, peak = single_process(source, Path(scratch, "rows.parquet"))
                times["single"].append(seconds)
                cpus["single"].append(cpu)
                single_peak = max(single_peak, peak)
                for name, client in (("1 worker", c1), ("2 workers", c2)):
                    seconds, cpu, cluster_rows = on_cluster(client, source, Path(scratch, "rows"))
                    assert cluster_rows == rows, "a cluster lost or added rows"
                    times[name].append(seconds)
                    cpus[name].append(cpu)
                print(
                    f"  round {round_ + 1}: "
                    + ", ".join(f"{k} {v[-1]:,.1f} s" for k, v in times.items())
                )
            peaks = {"1 worker": worker_peaks(c1), "2 workers": worker_peaks(c2)}
        for name, seconds in times.items():
            print(
                f"  {name:9}: {rate(len(events), seconds)}; "
                f"{rate(len(events), cpus[name], 'CPU-s')}"
            )
        speedup = [a / b for a, b in zip(times["1 worker"], times["2 workers"], strict=True)]
        speedup_list = ", ".join(f"{x:.2f}" for x in speedup)
        added = [b / a for a, b in zip(cpus["1 worker"], cpus["2 workers"], strict=True)]
        print(
            f"  2 workers over 1: median {statistics.median(speedup):.2f}x "
            f"(range {min(speedup):.2f}-{max(speedup):.2f}, per round {speedup_list}; "
            "goal >= 1.7x)"
        )
        print(
            f"  CPU of 2 workers over 1 worker's (work the second worker adds): median "
            f"{statistics.median(added):.2f}x (range {min(added):.2f}-{max(added):.2f})"
        )

        def shown(peak: tuple[int, bool]) -> str:
            return f"{peak[0] / mib:,.0f}" + ("" if peak[1] else " (upper bound: ru_maxrss)")

        print(
            f"  peak RSS ({'Dask defaults' if args.dask_defaults else 'CLUSTER_CONFIG'}): "
            f"single process {shown(single_peak)} MiB; per worker "
            + "; ".join(f"{k}: {', '.join(shown(p) for p in v)} MiB" for k, v in peaks.items())
        )


if __name__ == "__main__":
    main()
