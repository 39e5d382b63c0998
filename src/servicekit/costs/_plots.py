"""Charts for the sourcing decision, through matplotlib (the optional ``plot`` extra)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from servicekit._plotting import pyplot
from servicekit.costs._sourcing import _PARAMETERS, Scenario, SensitivityRow, compare

__all__ = ["plot_break_even", "plot_tornado"]


def plot_tornado(rows: Sequence[SensitivityRow], path: str | os.PathLike[str]) -> None:
    """Write a tornado chart (PNG) of :func:`sensitivity` rows to ``path``."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    ordered = list(reversed(rows))  # the largest swing at the top
    names = [r.parameter for r in ordered]
    base = float(ordered[0].base.amount) if ordered else 0.0
    lows = [float(r.low.amount) - base for r in ordered]
    highs = [float(r.high.amount) - base for r in ordered]
    ax.barh(names, lows, left=base, color="#4c72b0", label="parameter -swing")
    ax.barh(names, highs, left=base, color="#dd8452", label="parameter +swing")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    currency = rows[0].low.currency if rows else ""
    ax.set_xlabel(
        f"outsourced minus in-house, {currency} per month (below 0: outsourcing is cheaper)"
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_break_even(
    scenario: Scenario, path: str | os.PathLike[str], *, factors: Sequence[float] | None = None
) -> None:
    """Write the monthly cost of both sides against volume (PNG) to ``path``."""
    plt = pyplot()
    factors = factors or [0.25 * i for i in range(1, 13)]
    vary = _PARAMETERS["volume"]
    volumes, inside, outside = [], [], []
    base = sum(c.volume for c in scenario.cells)
    for f in factors:
        result = compare(vary(scenario, f))
        volumes.append(base * f)
        inside.append(float(result.in_house.amount))
        outside.append(float(result.outsourced.amount))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(volumes, inside, marker="o", label="in-house")
    ax.plot(volumes, outside, marker="s", label="outsourced")
    ax.set_xlabel("contacts per month")
    ax.set_ylabel(f"monthly cost, {scenario.in_house.wage.currency}")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
