"""Write a synthetic ticket export of N events: BPI Challenge 2013 cases repeated with new ids.

The BPI Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee) has 65,533 events over 7,554 incidents.
Copy k of every incident gets the id ``<incident>-<k>`` and is shifted by k weeks (whole
weeks keep each event's weekday and time, so business-hour answers stay comparable). The
CSV is grouped by ticket (the streaming fast path) and read with
``benchmarks/synthetic.toml``.

Run: python benchmarks/make_synthetic_log.py OUT.csv --events 1000000 [--log PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from servicekit.datasets import BPIC2013_MAPPING
from servicekit.sources import XesSource

DEFAULT_LOG = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "bpic2013"
    / "07_bpic2013_incidents.xes.gz"
)
COLUMNS = ("ticket", "time", "status", "sub_status", "impact", "team", "person", "role", "product")
KEYS = (
    BPIC2013_MAPPING.ticket,
    BPIC2013_MAPPING.time,
    "concept:name",
    "lifecycle:transition",
    "impact",
    "org:group",
    "org:resource",
    "org:role",
    "product",
)


def cases(log: Path) -> list[list[dict[str, object]]]:
    """The log's incidents, each a list of its rows."""
    grouped: dict[str, list[dict[str, object]]] = {}
    for _, row in XesSource(log).rows():
        grouped.setdefault(str(row[BPIC2013_MAPPING.ticket]), []).append(dict(row))
    return list(grouped.values())


def rows(log: Path, events: int) -> Iterator[list[str]]:
    """``events`` rows, copy after copy of the log."""
    incidents = cases(log)
    written, copy = 0, 0
    while True:
        shift = dt.timedelta(weeks=copy)
        for incident in incidents:
            for row in incident:
                values = [row.get(k) for k in KEYS]
                values[0] = f"{values[0]}-{copy}"
                values[1] = (values[1] + shift).isoformat()  # type: ignore[operator]
                yield ["" if v is None else str(v) for v in values]
                written += 1
                if written == events:
                    return
        copy += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    args = parser.parse_args()
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows(args.log, args.events))
    print(f"wrote {args.events:,} events to {args.out}")


if __name__ == "__main__":
    main()
