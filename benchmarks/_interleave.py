"""Run contenders round by round in one process and report median and range.

Every benchmark in this directory measures servicekit against a peer the same way: each round
runs every contender once (the order rotates from round to round, so neither always runs on a
warm or a cold machine), and the figures are the median and the range over the rounds. The
machine is shared, so CPU time of this process is reported beside wall-clock time, and ratios
are taken between medians.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Samples:
    """The wall-clock and CPU seconds of one contender, one entry per round."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    result: object = None
    results: list[object] = field(default_factory=list)

    def median(self, cpu: bool = True) -> float:
        return statistics.median(self.cpu if cpu else self.wall)

    def spread(self, cpu: bool = True, scale: float = 1.0, unit: str = "s") -> str:
        values = [v * scale for v in (self.cpu if cpu else self.wall)]
        return (
            f"{statistics.median(values):,.3g} {unit} (range {min(values):,.3g}-{max(values):,.3g})"
        )


def interleave(contenders: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, Samples]:
    """Run each contender once per round, rotating the order; keep every timing.

    Each contender's last result is kept (``Samples.result``) so callers can compare answers,
    and every round's (``Samples.results``) for contenders that time part of their own work.
    """
    samples = {name: Samples() for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            result = contenders[name]()
            samples[name].cpu.append(time.process_time() - cpu)
            samples[name].wall.append(time.perf_counter() - wall)
            samples[name].result = result
            samples[name].results.append(result)
            del result
    return samples


def interleave_slices(
    contenders: Mapping[str, Callable[[Sequence[Any]], Sequence[object]]],
    items: Sequence[Any],
    size: int,
    passes: int = 1,
) -> dict[str, Samples]:
    """Run every contender over the same short slice of ``items``, slice after slice.

    Round r runs each contender once over slice r (``size`` items; the order rotates from
    round to round), so the host's noise, which comes and goes over seconds, meets the
    contenders alike within a round, however lopsided their speeds: a round lasts a fraction
    of a second. ``passes`` walks the items that many times. Timings are per item (a round's
    seconds over its slice's length). ``Samples.result`` holds each contender's answers for
    every item, in order (from the last pass), for callers to compare.
    """
    if size < 1 or passes < 1:
        raise ValueError("size and passes must be at least 1")
    samples = {name: Samples() for name in contenders}
    names = list(contenders)
    answers: dict[str, list[object]] = {}
    r = 0
    for _ in range(passes):
        answers = {name: [] for name in names}
        # Once per pass, not per round: a full collection walks the whole heap and leaves the
        # processor's caches cold, which costs a contender that runs a few milliseconds a
        # round a fifth of its time (measured). Each contender's own garbage stays its cost.
        gc.collect()
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            order = names[r % len(names) :] + names[: r % len(names)]
            r += 1
            for name in order:
                wall, cpu = time.perf_counter(), time.process_time()
                result = contenders[name](chunk)
                samples[name].cpu.append((time.process_time() - cpu) / len(chunk))
                samples[name].wall.append((time.perf_counter() - wall) / len(chunk))
                answers[name].extend(result)
                del result
    for name in names:
        samples[name].result = answers[name]
    return samples


def round_ratios(slow: Samples, fast: Samples, cpu: bool = True) -> str:
    """The ratio of the medians, and the median and range of the per-round ratios."""
    a, b = (slow.cpu, fast.cpu) if cpu else (slow.wall, fast.wall)
    rounds = [x / y for x, y in zip(a, b, strict=True)]
    return (
        f"{ratio(slow, fast, cpu):,.1f}x (ratio of medians); per round median "
        f"{statistics.median(rounds):,.1f}x, range {min(rounds):,.1f}x-{max(rounds):,.1f}x"
    )


def per_item(samples: Samples, items: int, cpu: bool = True) -> Samples:
    """The same samples divided by ``items`` (seconds per item)."""
    out = Samples(wall=[v / items for v in samples.wall], cpu=[v / items for v in samples.cpu])
    out.result = samples.result
    return out


def ratio(slow: Samples, fast: Samples, cpu: bool = True) -> float:
    """How many times faster ``fast`` is than ``slow``, median against median."""
    return slow.median(cpu) / fast.median(cpu)


def ratio_range(slow: Samples, fast: Samples, cpu: bool = True) -> str:
    """The median ratio and the range of the per-round ratios."""
    a, b = (slow.cpu, fast.cpu) if cpu else (slow.wall, fast.wall)
    rounds = [x / y for x, y in zip(a, b, strict=True)]
    return f"{ratio(slow, fast, cpu):,.1f}x (per round {min(rounds):,.1f}x-{max(rounds):,.1f}x)"


def table(
    samples: Mapping[str, Samples], *, scale: float = 1.0, unit: str = "s", width: int = 34
) -> None:
    """Print one line per contender: CPU and wall median with range."""
    print(f"  {'':{width}} {'CPU median (range)':>32} {'wall median (range)':>32}")
    for name, s in samples.items():
        print(
            f"  {name:{width}} {s.spread(True, scale, unit):>32} {s.spread(False, scale, unit):>32}"
        )


def measure(fn: Callable[[], object]) -> tuple[float, float, object]:
    """One timed call: (wall seconds, CPU seconds, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result
