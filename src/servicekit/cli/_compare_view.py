"""How ``servicekit replay --compare`` shows two protocols over one history."""

from __future__ import annotations

import json
import sys
from typing import IO

import pendulum
from rich.console import Console
from rich.table import Table

from servicekit.protocols import ProtocolComparison
from servicekit.protocols._compliance import MetricAttainment

__all__ = ["write"]


def _pct(value: MetricAttainment | None) -> str:
    if value is None:
        return "no target"
    return "-" if value.attainment is None else f"{100 * value.attainment:.1f}%"


def _breached(value: MetricAttainment | None) -> str:
    return "-" if value is None else str(value.breached)


def write(
    source: str,
    now: pendulum.DateTime,
    comparison: ProtocolComparison,
    labels: tuple[str, str],
    fmt: str,
    console: Console,
    out: IO[str],
) -> None:
    """Write the comparison as JSON or as tables (``labels``: how the user named A and B)."""
    if fmt == "json":
        payload = {
            "source": source,
            "now": now.isoformat(),
            "labels": {"a": labels[0], "b": labels[1]},
            **comparison.as_dict(),
        }
        json.dump(payload, out, indent=2)
        out.write("\n")
        return
    target = console if out is sys.stdout else Console(file=out, width=console.width)
    target.print(
        f"{comparison.report_a.tickets} tickets of {source} as of {now.isoformat()}\n"
        f"A: {labels[0]} (protocol {comparison.a!r})\nB: {labels[1]} (protocol {comparison.b!r})",
        highlight=False,
    )
    sla = Table("metric", "priority", "A met", "B met", "A breached", "B breached")
    unmeasurable = {**comparison.report_a.unmeasurable, **comparison.report_b.unmeasurable}
    for row in comparison.rows:
        if row.metric in unmeasurable:
            continue
        sla.add_row(
            row.metric, row.priority, _pct(row.a), _pct(row.b), _breached(row.a), _breached(row.b)
        )
    target.print(sla)
    for metric, why in sorted(unmeasurable.items()):
        target.print(f"{metric}: not measurable ({why})", highlight=False)
    actions = Table("due actions over the history", "A", "B")
    for kind in sorted(set(comparison.actions_a) | set(comparison.actions_b)):
        actions.add_row(
            kind, str(comparison.actions_a.get(kind, 0)), str(comparison.actions_b.get(kind, 0))
        )
    actions.add_row(
        "escalations recorded",
        str(comparison.report_a.escalations),
        str(comparison.report_b.escalations),
    )
    target.print(actions)
    target.print(
        f"{comparison.changed_tickets} ticket(s) end differently; the first "
        f"{len(comparison.changes)}:",
        highlight=False,
    )
    changes = Table("ticket", "metric", "priority", "A", "B")
    for change in comparison.changes:
        changes.add_row(change.ticket, change.metric, change.priority, change.a, change.b)
    target.print(changes)
