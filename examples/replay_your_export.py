"""Replay a ServiceNow-style export under the reactive protocol, from Python.

Shows: a mapping file (examples/exports/servicenow.toml) reading a CSV audit export with
naive local times, ties and backwards timestamps; lenient reading that rejects the bad
ticket with the line and the fix; and the compliance report a support lead reads.

Run: python examples/replay_your_export.py
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from servicekit import BusinessCalendar
from servicekit.protocols import (
    ComplianceTally,
    compliance_rows,
    reactive_protocol,
    unmeasurable_metrics,
)
from servicekit.sources import load_mapping, open_source, read_tickets

HERE = Path(__file__).parent / "exports"


def main() -> None:
    console = Console(width=100)
    mapping = load_mapping(HERE / "servicenow.toml")
    reader = read_tickets(open_source(HERE / "servicenow_incidents.csv"), mapping, lenient=True)
    calendar = BusinessCalendar("America/New_York", "mon-fri 08:00-18:00")
    protocol = reactive_protocol(calendar, mapping.priority_order)
    now = reader.scan().last_at
    assert now is not None
    tally = ComplianceTally()
    for ticket in reader:
        tally.add_all(compliance_rows(protocol, ticket, protocol.evaluate(ticket, now)))
    report = tally.report(
        unmeasurable=unmeasurable_metrics(protocol, reader.event_kinds),
        priority_order=mapping.priority_order,
    )
    stats = reader.stats
    console.print(
        f"{stats.tickets_accepted} tickets replayed, {stats.tickets_rejected} rejected, "
        f"{stats.rows_ignored} rows ignored, as of {now.in_timezone(calendar.timezone)}"
    )
    table = Table("metric", "priority", "met", "breached", "open", "attainment")
    for a in report.by_priority:
        if a.not_measurable:
            continue
        share = "-" if a.attainment is None else f"{a.attainment:.0%}"
        table.add_row(a.metric, a.key, str(a.met), str(a.breached), str(a.open), share)
    console.print(table)
    for metric, why in report.unmeasurable.items():
        console.print(f"{metric}: not measurable ({why})")
    for r in reader.rejections:
        console.print(f"rejected {r.ticket} at line {r.line} ({r.rule}); fix: {r.fix}")


if __name__ == "__main__":
    main()
