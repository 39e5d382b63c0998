"""Charts of a compliance report, through matplotlib (the optional ``plot`` extra)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from servicekit._plotting import pyplot
from servicekit.errors import ServiceKitError
from servicekit.protocols import ComplianceReport, MetricAttainment

__all__ = ["write_charts"]


def _keys(rows: tuple[MetricAttainment, ...]) -> list[str]:
    """The rows' keys in the order they first appear (the report's priority order)."""
    return list(dict.fromkeys(a.key for a in rows if a.attainment is not None))


def _decided(rows: tuple[MetricAttainment, ...]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for a in rows:
        if a.attainment is not None:
            out.setdefault(a.metric, {})[a.key] = 100 * a.attainment
    return out


def write_charts(report: ComplianceReport, folder: Path) -> Iterator[Path]:
    """Write the report's charts as PNG files into ``folder``; yields each path.

    ``attainment_by_priority.png`` (grouped bars), ``attainment_by_month.png`` (one line
    per metric) and ``resolution_times.png`` (business hours to resolution per priority
    against its target).
    """
    if folder.exists() and not folder.is_dir():
        raise ServiceKitError(f"--plot {folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    plt = pyplot()
    yield _bars(plt, report, folder / "attainment_by_priority.png")
    yield _months(plt, report, folder / "attainment_by_month.png")
    yield _resolution(plt, report, folder / "resolution_times.png")


def _bars(plt: Any, report: ComplianceReport, path: Path) -> Path:
    data = _decided(report.by_priority)
    priorities = _keys(report.by_priority)
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    width = 0.8 / max(len(data), 1)
    for i, (metric, values) in enumerate(sorted(data.items())):
        xs = [p + i * width for p in range(len(priorities))]
        ax.bar(xs, [values.get(p, 0.0) for p in priorities], width, label=metric)
    ax.set_xticks([p + width * (len(data) - 1) / 2 for p in range(len(priorities))], priorities)
    return _save_attainment(plt, fig, ax, bool(data), "priority", path)


def _save_attainment(plt: Any, fig: Any, ax: Any, legend: bool, by: str, path: Path) -> Path:
    """Label an attainment chart (percent of decided cycles met, by ``by``) and save it."""
    ax.set_ylim(0, 100)
    ax.set_xlabel(by)
    ax.set_ylabel("targets met (% of decided)")
    ax.set_title(f"SLA attainment by {by}")
    if legend:
        ax.legend(loc="lower right", fontsize="small")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _months(plt: Any, report: ComplianceReport, path: Path) -> Path:
    data = _decided(report.by_month)
    months = sorted({k for values in data.values() for k in values})
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    for metric, values in sorted(data.items()):
        ax.plot(
            [months.index(m) for m in sorted(values)],
            [values[m] for m in sorted(values)],
            marker="o",
            label=metric,
        )
    step = max(1, len(months) // 12)  # at most about twelve labels: no overlap
    ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right")
    return _save_attainment(plt, fig, ax, bool(data), "month opened", path)


def _resolution(plt: Any, report: ComplianceReport, path: Path) -> Path:
    items = sorted(report.resolution_hours.items())
    counted = {a.key: a.met + a.breached for a in report.by_priority if a.metric == "resolution"}
    fig, axes = plt.subplots(
        1,
        max(len(items), 1),
        figsize=(3.2 * max(len(items), 1) + 1, 4),
        layout="constrained",
        squeeze=False,
    )
    for ax, (priority, values) in zip(axes[0], items, strict=False):
        hours = [h for h, _ in values]
        target = values[0][1]
        top = max(max(hours), target) * 1.05
        ax.hist(hours, bins=30, range=(0, top), color="#4c72b0")
        ax.axvline(target, color="#c44e52", linestyle="--", label=f"target {target:g} h")
        total = counted.get(priority, len(hours))
        shown = f"{total} tickets" + ("" if total == len(hours) else f", {len(hours)} shown")
        ax.set_title(f"{priority} ({shown})")
        ax.set_xlabel("business hours to resolution")
        ax.legend(fontsize="small")
    axes[0][0].set_ylabel("tickets")
    fig.suptitle("Time to resolution against the target")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
