"""Staffing speed and agreement: servicekit against pyworkforce (the version pip installs).

In one process, round by round (order rotating): required agents for 20,000 and 200,000 calls
an hour (AHT 300 s, 80% answered within 20 s) and a 48-interval day, printing CPU median and
range of each side; then a sweep up to 2,000,000 calls an hour for overflow or NaN, and Erlang A
for 20,000 calls an hour (servicekit alone).

Run: python benchmarks/costs_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from _interleave import interleave, ratio_range
from pyworkforce.queuing import ErlangC

from servicekit.costs import required_agents, staff_intervals


def timed(fn: Callable[[], Any], peer_fn: Callable[[], Any], rounds: int) -> tuple[Any, ...]:
    """Interleaved: (servicekit median s, its result, peer median s, its result, ratio text)."""
    samples = interleave({"servicekit": fn, "pyworkforce": peer_fn}, rounds)
    ours, theirs = samples["servicekit"], samples["pyworkforce"]
    return ours.median(), ours.result, theirs.median(), theirs.result, ratio_range(theirs, ours)


def peer(calls: float, interval_min: float = 60) -> int:
    # pyworkforce takes minutes; its "asa" is the answer threshold.
    queue = ErlangC(transactions=calls, aht=5, asa=20 / 60, interval=interval_min)
    return int(queue.required_positions(service_level=0.8)["raw_positions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"pyworkforce {version('pyworkforce')}; AHT 300 s, 80% answered within 20 s\n")
    print(f"{args.rounds} interleaved rounds; CPU medians")
    print(f"{'case':34} {'servicekit':>12} {'pyworkforce':>12} {'agents':>7}")
    for calls in (20_000, 200_000):
        ours_s, ours, theirs_s, theirs, ratio = timed(
            lambda c=calls: required_agents(c, 3600, 300, 0.8, 20),
            lambda c=calls: peer(c),
            args.rounds,
        )
        same = "same" if ours.agents == theirs else f"{ours.agents} vs {theirs}"
        print(
            f"{calls:>9,} calls/h{'':17} {ours_s * 1e3:10.2f}ms {theirs_s * 1e3:10.2f}ms "
            f"{ours.agents:>7,} {same}; speed-up {ratio}"
        )
    # A day of 48 half-hours shaped like a service desk: quiet nights, a morning peak.
    day = [
        max(20.0, 2500 * math.exp(-(((i - 21) / 6) ** 2)) + 1200 * math.exp(-(((i - 31) / 5) ** 2)))
        for i in range(48)
    ]
    ours_s, ours_day, theirs_s, theirs_day, ratio = timed(
        lambda: staff_intervals(day, 1800, 300, 0.8, 20),
        lambda: [peer(v, 30) for v in day],
        args.rounds,
    )
    same = sum(a.agents == b for a, b in zip(ours_day, theirs_day, strict=True))
    print(
        f"{'48 half-hours':34} {ours_s * 1e3:10.2f}ms {theirs_s * 1e3:10.2f}ms "
        f"{same:>7}/48 same; speed-up {ratio}"
    )
    bad = []
    for calls in (10, 1_000, 100_000, 1_000_000, 2_000_000):
        s = required_agents(calls, 3600, 300, 0.8, 20)
        if not all(
            math.isfinite(v) for v in (s.service_level, s.probability_of_waiting, s.occupancy)
        ):
            bad.append(calls)
    print(f"\nNo overflow or NaN up to 2,000,000 calls/h: {bad or 'yes'}")
    erlang_a = interleave(
        {
            "erlang_a": lambda: required_agents(
                20_000, 3600, 300, 0.8, 20, model="erlang_a", patience=120
            )
        },
        args.rounds,
    )["erlang_a"]
    a_s, a = erlang_a.median(), erlang_a.result
    print(
        f"Erlang A, 20,000 calls/h, patience 120 s: {a.agents:,} agents, abandonment "
        f"{a.abandonment:.2%}, in {a_s * 1e3:.1f} ms (goal < 50 ms)"
    )


if __name__ == "__main__":
    main()
