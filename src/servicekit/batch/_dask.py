"""The Dask driver: number the events, shuffle them by ticket, evaluate partitions in parallel.

Dask does the distribution (scheduling, shuffling, spilling, retries); servicekit only gives it
a pure partition function. Protocols, mappings and lifecycles travel to workers by pickling.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Final

import dask.base
import dask.config
import dask.dataframe
import distributed
import numpy as np
import pandas as pd
from dask.delayed import delayed as _delayed

from servicekit._lifecycle import Lifecycle
from servicekit.batch._partition import (
    PartitionResult,
    empty_rows,
    evaluate_partition,
    evaluate_partition_result,
)
from servicekit.errors import ServiceKitError
from servicekit.protocols import ServiceProtocol
from servicekit.sources import RowSource, SourceMapping

__all__ = [
    "CLUSTER_CONFIG",
    "dask_client",
    "evaluate_dask",
    "evaluate_dask_result",
    "source_frame",
]

_POSITION: Final = "__servicekit_position"

# Dask is typed only in part: its entry points are used through these names.
dd: Any = dask.dataframe
delayed: Any = _delayed
compute: Any = dask.base.compute
Client: Any = distributed.Client
LocalCluster: Any = distributed.LocalCluster
_distributed: Any = distributed


def _with_position(part: pd.DataFrame, offset: int) -> pd.DataFrame:
    return part.assign(**{_POSITION: np.arange(offset, offset + len(part), dtype="int64")})


def _shuffled(events: Any, mapping: SourceMapping, position: str | None) -> Any:
    """``events`` with each ticket's rows in one partition, and their input positions."""
    if mapping.ticket not in events.columns:
        raise ServiceKitError(
            f"the events have no column {mapping.ticket!r} (the mapping's ticket column); "
            f"they have {list(events.columns)}"
        )
    if position is None:
        # Positions across partitions: each partition's rows after all earlier ones. The
        # lengths are a pass of their own (the input is read twice): in the same graph, every
        # partition would wait in a worker's memory until the last one was read and counted.
        lengths = events.map_partitions(len).compute()
        offsets = np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype="int64"))[:-1]])
        meta = _with_position(events._meta, 0)
        parts = [
            delayed(_with_position)(part, int(offset))
            for part, offset in zip(events.to_delayed(), offsets, strict=True)
        ]
        events = dd.from_delayed(parts, meta=meta, verify_meta=False)
        position = _POSITION
    return events.shuffle(on=mapping.ticket, npartitions=events.npartitions), position


def evaluate_dask(
    events: Any,
    protocol: ServiceProtocol,
    now: _dt.datetime,
    mapping: SourceMapping,
    *,
    lifecycle: Lifecycle | None = None,
    lenient: bool = False,
    position: str | None = None,
) -> Any:
    """Every ticket's compliance rows, evaluated in parallel: a lazy Dask DataFrame.

    The events are shuffled by ticket id so each ticket's rows meet in one partition (however
    the input was split), then :func:`~servicekit.batch.evaluate_partition` runs on every
    partition. Rows have the columns and dtypes of :data:`~servicekit.batch.ROW_SCHEMA`;
    ``row`` numbers events across the whole input (or is read from ``position``), so the rows
    equal those of one process over the same events.
    See the guide "Batch evaluation on Dask" for a whole run.
    """
    shuffled, position = _shuffled(events, mapping, position)
    return shuffled.map_partitions(
        evaluate_partition,
        protocol,
        now,
        mapping,
        lifecycle=lifecycle,
        lenient=lenient,
        position=position,
        meta=empty_rows(),
        align_dataframes=False,
    )


def evaluate_dask_result(
    events: Any,
    protocol: ServiceProtocol,
    now: _dt.datetime,
    mapping: SourceMapping,
    *,
    lifecycle: Lifecycle | None = None,
    lenient: bool = False,
    position: str | None = None,
    line: str | None = None,
) -> PartitionResult:
    """:func:`evaluate_dask`, computed, with what the reads saw added up (stats, rejections,
    event kinds, tickets after ``now``): what ``servicekit replay --dask`` reports.

    On a distributed client each partition's result comes back to this process as soon as it
    is done, so the workers' memory does not grow with the number of events; this process
    holds every row (as the report and ``--format csv`` need)."""
    shuffled, position = _shuffled(events, mapping, position)
    # Shared arguments go into the graph once, not once per partition.
    shared = delayed(_bundle, pure=True)(protocol, now, mapping, lifecycle)
    tasks = [
        delayed(_evaluate_part)(part, shared, lenient, position, line)
        for part in shuffled.to_delayed()
    ]
    return PartitionResult.combine(_gathered(tasks))


def _gathered(tasks: list[Any]) -> list[PartitionResult]:
    """Every task's result. On a distributed client each is fetched as soon as it is done
    and released, so a worker holds the rows of the partitions it is evaluating, not of all
    it has evaluated (``compute`` keeps every result on its worker until the last is done)."""
    try:
        client = _distributed.default_client()
    except ValueError:  # no client: Dask's local scheduler, in this process
        return list(compute(*tasks))
    results = []
    for future in _distributed.as_completed(client.compute(tasks)):
        results.append(future.result())
        future.release()
    return results


def _bundle(*values: object) -> tuple[object, ...]:
    return values


def _evaluate_part(
    part: pd.DataFrame,
    shared: tuple[ServiceProtocol, _dt.datetime, SourceMapping, Lifecycle | None],
    lenient: bool,
    position: str,
    line: str | None,
) -> PartitionResult:
    protocol, now, mapping, lifecycle = shared
    return evaluate_partition_result(
        part,
        protocol,
        now,
        mapping,
        lifecycle=lifecycle,
        lenient=lenient,
        position=position,
        line=line,
    )


def source_frame(source: RowSource, *, npartitions: int, client: Any = None) -> Any:
    """A source's rows as a Dask DataFrame of ``npartitions`` partitions, with each row's
    position in :data:`SOURCE_ROW` and its line number in :data:`SOURCE_LINE` (pass them as
    ``position`` and ``line``).

    The rows are read by this process; with a ``client`` the partitions are sent to its
    workers at once (not carried in every task graph). A log already split into files is
    better read by Dask itself (``dd.read_parquet``, ``dd.read_csv``).
    """
    lines, records = [], []
    for line, row in source.rows():
        lines.append(line)
        records.append(row)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    frame[SOURCE_LINE] = np.asarray(lines, dtype="int64")
    frame[SOURCE_ROW] = np.arange(len(frame), dtype="int64")
    count = max(1, min(npartitions, len(frame) or 1))
    if client is None:
        return dd.from_pandas(frame, npartitions=count, sort=False)
    bounds = np.linspace(0, len(frame), count + 1).astype(int)
    parts = [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    return dd.from_delayed(client.scatter(parts), meta=frame.iloc[:0], verify_meta=False)


SOURCE_LINE: Final = "__servicekit_line"
"""The column :func:`source_frame` puts each row's line number in (the rows of one XES trace
share their trace's line)."""
SOURCE_ROW: Final = "__servicekit_row"
"""The column :func:`source_frame` puts each row's position in (0, 1, 2...)."""


CLUSTER_CONFIG: Final[Mapping[str, object]] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
"""Dask settings for the processes of a servicekit job (scheduler, nannies, workers): the
local clusters :func:`dask_client` starts use them; put them in your own cluster's Dask
configuration. They turn diagnostics down, never what the job computes:

- the worker profiler off: it samples every thread's stack every 10 ms and keeps a call tree
  per second for the last 1,000 seconds. On servicekit's deep evaluation stacks it cost a
  worker 20% more CPU and about 65 KiB of memory per busy second, so a worker's peak grew
  with the length of the job;
- the event-loop latency check every second (not every 20 ms) and the system monitor (what
  the dashboard plots) every 5 seconds (not 0.5): an idle two-worker local cluster used 9%
  of a core with Dask's defaults and 3.4% with these, taken from the workers when every
  core evaluates. Memory limits (spilling, pausing) are watched as before.

The figures are from the measurements ``benchmarks/batch_bench.py`` describes.
"""


@contextlib.contextmanager
def dask_client(
    address: str | None = None, *, workers: int | None = None, timeout: float = 10.0
) -> Iterator[Any]:
    """A Dask client: connected to the scheduler at ``address``, or to a local cluster of
    ``workers`` processes started (and stopped) here.

    ``timeout`` is how many seconds to wait for the scheduler at ``address`` to answer before
    giving up with a :class:`~servicekit.errors.ServiceKitError`. A local cluster runs with
    :data:`CLUSTER_CONFIG`."""
    if (address is None) == (workers is None):
        raise ServiceKitError("give either a scheduler address or a number of local workers")
    if address is not None:
        if not timeout > 0:  # (NaN too)
            raise ServiceKitError(
                f"the timeout must be a positive number of seconds, got {timeout}"
            )
        try:
            client = Client(address, timeout=f"{timeout}s")
        except OSError as exc:
            raise ServiceKitError(
                f"no Dask scheduler answers at {address!r} ({exc}); start one with "
                "'dask scheduler' or use --workers N for a local cluster"
            ) from exc
        with client:
            yield client
        return
    assert workers is not None
    if workers < 1:
        raise ServiceKitError(f"--workers must be at least 1, got {workers}")
    with dask.config.set(dict(CLUSTER_CONFIG)):  # the workers read it as they start
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client
