"""XES parsing: servicekit's read_xes against pm4py's read_xes on the full BPI 2013 log.

The BPI Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee): 7,554 traces, 65,533 events. Each round
parses the whole file once with every contender (order rotating), from the gzip file to a
complete in-memory log: pm4py's default importer (a pandas DataFrame) and its legacy EventLog,
servicekit's read_xes (pendulum dates) and read_xes_raw (integer-microsecond dates). Prints the
CPU and wall median and range, the ratios, and whether the logs agree (events, cases, instants).

Run: python benchmarks/xes_bench.py [--rounds 5] [--log path/to/log.xes.gz]
Needs the ``bench`` extra (pm4py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import warnings
from pathlib import Path

from _interleave import interleave, ratio_range, table

from servicekit._time import to_micros
from servicekit.datasets import XesInstant, read_xes, read_xes_raw

BPI = Path(__file__).resolve().parents[2] / "shared/data/bpic2013/07_bpic2013_incidents.xes.gz"
GOAL = 5.0


def quiet_pm4py():  # type: ignore[no-untyped-def]
    """pm4py, imported without its banner, warnings and progress bars."""
    warnings.filterwarnings("ignore")
    logging.getLogger("pm4py").setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pm4py
    return pm4py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--log", type=Path, default=BPI)
    args = parser.parse_args()
    if not args.log.exists():
        print(f"XES log not found at {args.log}; pass --log")
        return
    pm4py = quiet_pm4py()
    path = str(args.log)
    options = {"show_progress_bar": False}

    def pm4py_frame() -> object:
        return pm4py.read_xes(path, **options)

    def pm4py_legacy() -> object:
        return pm4py.read_xes(path, return_legacy_log_object=True, **options)

    def servicekit() -> object:
        return list(read_xes(path))

    def servicekit_raw() -> object:
        return list(read_xes_raw(path))

    samples = interleave(
        {
            "pm4py read_xes (DataFrame)": pm4py_frame,
            "pm4py read_xes (legacy EventLog)": pm4py_legacy,
            "servicekit read_xes": servicekit,
            "servicekit read_xes_raw": servicekit_raw,
        },
        args.rounds,
    )
    print(f"{args.log.name}, {args.rounds} interleaved rounds, whole file to an in-memory log")
    table(samples)
    frame = samples["pm4py read_xes (DataFrame)"]
    for name in ("servicekit read_xes", "servicekit read_xes_raw"):
        verdict = "met" if frame.median() / samples[name].median() >= GOAL else "MISSED"
        print(
            f"  {name} vs pm4py read_xes: CPU {ratio_range(frame, samples[name])}, "
            f"wall {ratio_range(frame, samples[name], cpu=False)}; goal >= {GOAL:g}x {verdict}"
        )

    # Agreement: the same cases, events and instants (to the microsecond).
    df = frame.result
    ours = samples["servicekit read_xes"].result
    raw = samples["servicekit read_xes_raw"].result
    theirs = sorted(
        (case, int(ts.value // 1000))
        for case, ts in zip(df["case:concept:name"], df["time:timestamp"], strict=True)  # type: ignore[index]
    )
    mine = sorted(
        (t.name, to_micros(e["time:timestamp"]))
        for t in ours
        for e in t.events  # type: ignore[attr-defined]
    )
    mine_raw = sorted(
        (t.name, e["time:timestamp"].micros)  # type: ignore[union-attr]
        for t in raw  # type: ignore[attr-defined]
        for e in t.events
        if isinstance(e["time:timestamp"], XesInstant)
    )
    print(
        f"  agreement: {len(mine):,} events, {len({c for c, _ in mine}):,} cases; "
        f"same (case, instant) pairs as pm4py: {mine == theirs}; raw reader agrees: "
        f"{mine_raw == mine}"
    )


if __name__ == "__main__":
    main()
