"""Replay at the speed of the data: the full BPI 2013 log and synthetic logs up to 1M events.

Part 1, interleaved round by round in this process: ``servicekit replay`` over the full BPI
Challenge 2013 log (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee) under the reactive protocol (SLA, two
escalation chains, a follow-up schedule), in CPU seconds (goal < 5 s, stretch 2 s); and XES
parsing alone, servicekit's reader against pm4py's ``read_xes`` (goal >= 5x).

Part 2: synthetic CSV exports of 100k, 300k and 1M events (``make_synthetic_log.py``), each
replayed in a fresh process, sizes interleaved round by round: events per second and peak RSS
(goals: 1M under 60 s, peak under 200 MB and the same at 100k and 1M).

Peak RSS is the child's own high-water mark (``VmHWM`` of ``/proc/self/status``), which the
child reads as it exits and writes to a file. The ``ru_maxrss`` that ``wait4`` reports is not
it: Linux keeps a process's peak across ``exec``, so a child forked from this process (grown
by pm4py and the parsed BPI log in part 1) would report this process's peak whatever the
replay used. Where ``/proc`` is missing, ``ru_maxrss`` is printed, marked as an upper bound.

Run: python benchmarks/replay_bench.py [--rounds 3] [--sizes 100000,300000,1000000] [--log PATH]
Needs the ``bench`` extra for pm4py (the XES comparison is skipped without it).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from pathlib import Path

from servicekit.cli import main as servicekit_main
from servicekit.sources import XesSource

HERE = Path(__file__).resolve().parent
LOG = HERE.parents[1] / "shared" / "data" / "bpic2013" / "07_bpic2013_incidents.xes.gz"


def spread(values: Sequence[float], unit: str = "s", scale: float = 1.0) -> str:
    """Median and range, as the benchmarks print them."""
    v = [x * scale for x in values]
    return f"median {statistics.median(v):.2f} {unit} (range {min(v):.2f}-{max(v):.2f})"


def cpu(fn: Callable[[], object]) -> float:
    began = time.process_time()
    fn()
    return time.process_time() - began


def replay_full(log: Path) -> None:
    with redirect_stdout(io.StringIO()):
        code = servicekit_main(
            ["replay", str(log), "--protocol", "reactive", "--format", "json", "--quiet"]
        )
    assert code == 0


def parse_servicekit(log: Path) -> None:
    for _ in XesSource(log).rows():
        pass


def parse_pm4py(log: Path) -> None:
    import pm4py

    with redirect_stdout(io.StringIO()):
        pm4py.read_xes(str(log), return_legacy_log_object=True, show_progress_bar=False)


def part1(rounds: int, log: Path) -> None:
    try:
        import pm4py  # noqa: F401
    except ImportError:
        peers: dict[str, Callable[[Path], None]] = {}
        print("pm4py is not installed: the XES comparison is skipped (pip install -e '.[bench]')")
    else:
        peers = {"pm4py read_xes": parse_pm4py}
    runs: dict[str, Callable[[Path], None]] = {
        "servicekit replay (reactive)": replay_full,
        "servicekit XES rows": parse_servicekit,
        **peers,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            times[name].append(cpu(lambda fn=fn: fn(log)))
    print(f"Full BPI 2013 log ({log.name}), CPU seconds over {rounds} interleaved rounds:")
    for name, values in times.items():
        print(f"  {name:32} {spread(values)}")
    if peers:
        ratios = [
            p / s
            for p, s in zip(times["pm4py read_xes"], times["servicekit XES rows"], strict=True)
        ]
        print(
            f"  XES parsing: servicekit is {statistics.median(ratios):.1f}x pm4py "
            f"(range {min(ratios):.1f}-{max(ratios):.1f}; goal >= 5x)"
        )
    print("  replay goal: under 5 s CPU (stretch 2 s)")


# Run in the child: the replay, then the child's own peak resident memory (kB) written to
# the file named first (see the module docstring for why not ru_maxrss).
_CHILD = """
import sys
from pathlib import Path
from servicekit.cli import main
code = main(sys.argv[2:])
status = Path("/proc/self/status")
if status.exists():
    lines = status.read_text().splitlines()
    peak = [line.split()[1] for line in lines if line.startswith("VmHWM:")]
    Path(sys.argv[1]).write_text(peak[0] if peak else "")
raise SystemExit(code)
"""


def run_child(csv_path: Path) -> tuple[float, float, float, bool]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one replay in a fresh process, and
    whether the peak is the child's own (``VmHWM``) rather than ``ru_maxrss``."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        wall, cpu_s, maxrss = _run(csv_path, peak_file.name)
        text = Path(peak_file.name).read_text().strip()
    if text:
        return wall, cpu_s, int(text) / 1024, True
    return wall, cpu_s, maxrss, False


def _run(csv_path: Path, peak_path: str) -> tuple[float, float, float]:
    command = [
        sys.executable,
        "-c",
        _CHILD,
        peak_path,
        "replay",
        str(csv_path),
        "--mapping",
        str(HERE / "synthetic.toml"),
        "--zone",
        "Europe/Brussels",
        "--format",
        "json",
        "--out",
        os.devnull,
        "--quiet",
    ]
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"replay of {csv_path} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def part2(rounds: int, sizes: Sequence[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="servicekit-bench-") as folder:
        files = {}
        for size in sizes:
            path = Path(folder) / f"{size}.csv"
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "make_synthetic_log.py"),
                    str(path),
                    "--events",
                    str(size),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            files[size] = path
        results: dict[int, list[tuple[float, float, float, bool]]] = {s: [] for s in sizes}
        for _ in range(rounds):
            for size in sizes:
                results[size].append(run_child(files[size]))
        print(f"Synthetic exports, one fresh process per replay, {rounds} interleaved rounds:")
        for size in sizes:
            walls = [r[0] for r in results[size]]
            cpus = [r[1] for r in results[size]]
            rss = [r[2] for r in results[size]]
            own = all(r[3] for r in results[size])
            rates = [size / c for c in cpus]
            print(
                f"  {size:>9,} events: CPU {spread(cpus)}; wall {spread(walls)}; "
                f"{statistics.median(rates):,.0f} events/CPU-s "
                f"(range {min(rates):,.0f}-{max(rates):,.0f}); "
                f"peak RSS {spread(rss, 'MB')}"
                + ("" if own else " (ru_maxrss: an upper bound, /proc is missing)")
            )
        print("  goals: 1M events under 60 s, peak RSS under 200 MB and flat from 100k to 1M")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--skip-full", action="store_true", help="skip part 1")
    parser.add_argument(
        "--log", type=Path, default=LOG, help=f"the BPI 2013 XES log (default: {LOG})"
    )
    args = parser.parse_args()
    if not args.skip_full:
        if args.log.exists():
            part1(args.rounds, args.log)
        else:
            print(f"{args.log} not found: part 1 skipped (give its path with --log)")
    part2(args.rounds, [int(s) for s in args.sizes.split(",") if s])


if __name__ == "__main__":
    main()
