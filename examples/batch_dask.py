"""Replay the shipped BPI Challenge 2013 extract on a local Dask cluster of two workers.

The events are cut into partitions that split tickets (as files from several desks would);
``evaluate_dask`` shuffles them by ticket and evaluates every partition in parallel. The rows
equal those of one process, and they add up to the same compliance report.

Data: BPI Challenge 2013 incidents (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee).

Run: python examples/batch_dask.py
"""

from __future__ import annotations

import logging

import pendulum
from distributed import Client, LocalCluster

from servicekit import BusinessCalendar
from servicekit.batch import (
    SOURCE_LINE,
    SOURCE_ROW,
    evaluate_dask,
    evaluate_partition,
    report_from_rows,
    source_frame,
)
from servicekit.datasets import BPIC2013_MAPPING, bpic2013_lifecycle, bpic2013_sample_path
from servicekit.protocols import reactive_protocol
from servicekit.sources import open_source

MAPPING = BPIC2013_MAPPING
ZONE = "Europe/Brussels"


def main() -> None:
    priorities = list(MAPPING.priority_order)
    protocol = reactive_protocol(BusinessCalendar(ZONE, "mon-fri 08:00-18:00"), priorities)
    now = pendulum.datetime(2012, 6, 1, tz=ZONE)
    lifecycle = bpic2013_lifecycle()
    events = source_frame(open_source(bpic2013_sample_path()), npartitions=6)
    one = evaluate_partition(
        events.compute(), protocol, now, MAPPING, lifecycle=lifecycle, position=SOURCE_ROW
    )
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster),
    ):
        # Without the positions, as any Dask frame would come: evaluate_dask numbers the rows.
        plain = events.drop(columns=[SOURCE_ROW, SOURCE_LINE])
        rows = evaluate_dask(plain, protocol, now, MAPPING, lifecycle=lifecycle).compute()
    rows = rows.sort_values("row", kind="stable").reset_index(drop=True)
    assert rows.equals(one), "the cluster and one process disagree"
    print(f"{rows['ticket'].nunique()} tickets, {len(rows)} rows: the same on two workers")
    report = report_from_rows(rows, priorities=priorities)
    for a in report.by_priority:
        share = "-" if a.attainment is None else f"{a.attainment:.0%}"
        print(f"  {a.metric:15} {a.key:7} met {a.met:3} breached {a.breached:3} ({share})")


if __name__ == "__main__":
    main()
