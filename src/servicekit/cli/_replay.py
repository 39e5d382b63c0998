"""``servicekit replay``: a team's ticket export in, a compliance report out.

The export is read through a mapping (``--mapping``; XES logs default to the
BPI Challenge 2013 mapping), streamed ticket by ticket through a protocol at
an explicit ``--now``, and added up into a report: a table, JSON, CSV rows
and, with ``--plot``, charts.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import gc
import importlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, Final

import attrs
import holidays
import pendulum
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from servicekit._calendars import BusinessCalendar
from servicekit._extras import optional_import
from servicekit._ticket import Ticket
from servicekit._time import as_instant, get_timezone, to_micros
from servicekit.cli import _charts, _compare_view
from servicekit.datasets import BPIC2013_MAPPING, bpic2013_lifecycle, bpic2013_sample_path
from servicekit.errors import ServiceKitError, SourceError
from servicekit.protocols import (
    ComplianceReport,
    ComplianceRow,
    ComplianceTally,
    ProtocolComparison,
    ServiceProtocol,
    compare_protocols,
    crisis_protocol,
    daily_requests_protocol,
    load_protocol,
    proactive_protocol,
    reactive_protocol,
    unmeasurable_metrics,
)
from servicekit.protocols._compliance import ticket_rows
from servicekit.sources import (
    ReadStats,
    Rejection,
    RowSource,
    SourceMapping,
    TicketReader,
    load_mapping,
    open_source,
    read_tickets,
)

__all__ = ["PROTOCOLS", "ReplayRun", "add_parser", "build_report", "run", "run_replay"]

#: Ready-made protocols by name: each takes the team's calendar and priorities, highest first.
PROTOCOLS: Final[dict[str, Callable[[BusinessCalendar, Sequence[str]], ServiceProtocol]]] = {
    "reactive": reactive_protocol,
    "proactive": proactive_protocol,
    "daily-requests": daily_requests_protocol,
    "crisis": lambda calendar, _: crisis_protocol(calendar.timezone),
}
_XES_SUFFIXES: Final = (".xes", ".xes.gz")
_SHIPPED: Final = "the shipped BPI Challenge 2013 extract"
SCHEMA_PATH: Final = Path(__file__).with_name("replay-report.schema.json")


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit replay``."""
    replay = subparsers.add_parser(
        "replay",
        help="run a protocol over a team's ticket export and report SLA compliance",
        description=(
            "Read EVENTS (CSV, TSV, JSON Lines, Parquet, XES, or a database URL with --query) "
            "through a mapping, evaluate every ticket under a protocol at --now, and report "
            "SLA attainment, reopens, escalations, promises and due actions."
        ),
    )
    replay.add_argument(
        "events",
        nargs="?",
        default=None,
        help="the export (default: the shipped BPI Challenge 2013 extract)",
    )
    replay.add_argument(
        "--mapping",
        default=None,
        help="a TOML source mapping (default for XES logs: the BPI Challenge 2013 mapping)",
    )
    replay.add_argument("--query", default=None, help="the SQL query, for a database URL")
    replay.add_argument(
        "--protocol",
        default="reactive",
        help=f"a ready-made protocol ({', '.join(sorted(PROTOCOLS))}) or a protocol file (.toml)",
    )
    replay.add_argument(
        "--compare",
        default=None,
        metavar="OTHER",
        help="a second protocol (name or .toml file): both side by side, and the tickets "
        "whose outcome differs",
    )
    replay.add_argument(
        "--zone", default=None, help="the team's IANA time zone (default: the mapping's)"
    )
    replay.add_argument("--hours", default="mon-fri 08:00-18:00", help="the team's business hours")
    replay.add_argument(
        "--holidays", default=None, help="public holidays of a country code (BE, CO, US-NY...)"
    )
    replay.add_argument(
        "--priorities",
        default=None,
        help="the protocol's priorities, highest first, comma-separated (default: the mapping's)",
    )
    replay.add_argument(
        "--now", default=None, help="ISO 8601 instant with its offset (default: the last event)"
    )
    replay.add_argument(
        "--lenient", action="store_true", help="reject bad tickets and go on (listed in the report)"
    )
    replay.add_argument(
        "--format", default="table", choices=("table", "json", "csv"), help="the output format"
    )
    replay.add_argument("--out", default=None, help="write the output to this file")
    replay.add_argument("--plot", default=None, help="write PNG charts into this folder")
    replay.add_argument("--show", type=int, default=10, help="worst tickets to list (default 10)")
    cluster = replay.add_mutually_exclusive_group()
    cluster.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="evaluate on the Dask cluster whose scheduler is at ADDRESS (servicekit[dask])",
    )
    cluster.add_argument(
        "--workers",
        type=int,
        default=None,
        help="evaluate on a local Dask cluster of N worker processes (servicekit[dask])",
    )
    replay.add_argument(
        "--partitions",
        type=int,
        default=16,
        help="partitions the events are split into with --dask/--workers (default 16)",
    )
    replay.add_argument("--quiet", action="store_true", help="no progress bar")
    replay.add_argument(
        "--width", type=int, default=None, help="console width in characters (default: terminal)"
    )
    replay.set_defaults(run=run)


@attrs.frozen(kw_only=True)
class ReplayRun:
    """What one replay read and found."""

    source: str
    protocol: str
    now: pendulum.DateTime
    calendar: BusinessCalendar
    reader: TicketReader
    report: ComplianceReport
    after_now: int
    stats: ReadStats
    rejections: tuple[Rejection, ...]
    comparison: ProtocolComparison | None = None


def _parse_now(text: str) -> pendulum.DateTime:
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ServiceKitError(
            f"--now {text!r} is not an ISO 8601 instant; write e.g. 2012-05-22T12:00:00+02:00"
        ) from None
    if parsed.tzinfo is None:
        raise ServiceKitError(
            f"--now {text!r} has no UTC offset; it is never read as UTC: write e.g. "
            f"{text}+02:00 or {text}Z"
        )
    return as_instant(parsed, name="--now")


def _mapping_for(events: str | None, mapping: str | None) -> SourceMapping:
    if mapping is not None:
        return load_mapping(mapping)
    if events is None or events.lower().endswith(_XES_SUFFIXES):
        return BPIC2013_MAPPING
    raise SourceError(
        f"{events}: give --mapping FILE to say what its columns mean (see the guide "
        "'Replay your own history')"
    )


def _priorities(option: str | None, mapping: SourceMapping, reader: TicketReader) -> list[str]:
    if option is not None:
        return [p.strip() for p in option.split(",") if p.strip()]
    if mapping.priority_order:
        return list(mapping.priority_order)
    seen = sorted(reader.scan().priorities)
    raise ServiceKitError(
        f"the protocol needs the priorities highest first; the export has {seen}: add "
        "priority_order = [...] to the mapping or pass --priorities"
    )


def _protocol(name: str, calendar: BusinessCalendar, priorities: Sequence[str]) -> ServiceProtocol:
    if name.endswith(".toml"):
        # A protocol file states its own calendars and priorities.
        return load_protocol(name)
    builder = PROTOCOLS.get(name)
    if builder is None:
        raise ServiceKitError(f"unknown protocol {name!r}; choose one of {sorted(PROTOCOLS)}")
    return builder(calendar, priorities)


def _calendar(zone: str, hours: str, country: str | None) -> BusinessCalendar:
    if country is None:
        return BusinessCalendar(zone, hours)
    code, _, subdivision = country.partition("-")
    try:
        days = holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError:
        raise ServiceKitError(
            f"--holidays {country!r}: no holiday calendar for that country; use an ISO "
            "3166 code such as BE, CO or US-NY"
        ) from None
    return BusinessCalendar(zone, hours, holidays=days)


def build_report(
    reader: TicketReader,
    protocol: ServiceProtocol,
    now: pendulum.DateTime,
    *,
    worst: int = 10,
    priorities: Sequence[str] = (),
    on_ticket: Callable[[Ticket, list[ComplianceRow]], None] | None = None,
) -> tuple[ComplianceReport, int]:
    """Evaluate every ticket of ``reader`` and add up the report (``by_priority`` in the
    order of ``priorities``); also the tickets opened after ``now`` (left out)."""
    tally = ComplianceTally(worst=worst)
    now_us = to_micros(now)
    after = 0
    for ticket in reader:
        if to_micros(ticket.opened.at) > now_us:
            after += 1
            continue
        rows = ticket_rows(protocol, ticket, now)
        for row in rows:
            tally.add(row)
        if on_ticket is not None:
            on_ticket(ticket, rows)
    unmeasurable = unmeasurable_metrics(protocol, reader.event_kinds)
    return tally.report(unmeasurable=unmeasurable, priority_order=priorities), after


def run_replay(args: argparse.Namespace, console: Console, out: IO[str]) -> ReplayRun:
    """Run the replay the arguments ask for, writing the chosen format to ``out``."""
    mapping = _mapping_for(args.events, args.mapping)
    source = open_source(
        args.events if args.events is not None else bpic2013_sample_path(), query=args.query
    )
    lifecycle = bpic2013_lifecycle() if mapping is BPIC2013_MAPPING else None
    reader = read_tickets(source, mapping, lenient=args.lenient, lifecycle=lifecycle)
    zone = args.zone or mapping.timezone
    if zone is None:
        raise ServiceKitError("give the team's time zone with --zone (e.g. --zone Europe/Madrid)")
    get_timezone(zone, name="--zone")
    calendar = _calendar(zone, args.hours, args.holidays)
    priorities = _priorities(args.priorities, mapping, reader)
    protocol = _protocol(args.protocol, calendar, priorities)
    other = _protocol(args.compare, calendar, priorities) if args.compare is not None else None
    if other is not None and args.format == "csv":
        raise ServiceKitError("--compare writes a table or JSON: use --format table or json")
    if other is not None and (args.dask is not None or args.workers is not None):
        raise ServiceKitError("--compare runs in this process: leave out --dask and --workers")
    quiet = args.quiet or not console.is_terminal
    with ExitStack() as stack:
        stack.enter_context(_fewer_collections())
        progress = stack.enter_context(_progress(console, quiet))
        task = progress.add_task("scanning", total=None)
        scan = reader.scan()
        if args.now is not None:
            now = _parse_now(args.now)
        elif scan.last_at is not None:
            now = scan.last_at.in_timezone(zone)
        else:
            raise SourceError(f"{source.describe()}: no row has a readable time")
        progress.update(task, description="evaluating", total=scan.rows, completed=0)
        csv_out = stack.enter_context(_CsvRows(out)) if args.format == "csv" else None

        def tick(ticket: Ticket, rows: list[ComplianceRow]) -> None:
            if not quiet:  # the rows read so far, counted afresh for every ticket
                progress.update(task, completed=reader.stats.rows)
            if csv_out is not None:
                csv_out.write(rows)

        comparison = None
        if other is not None:
            comparison = compare_protocols(
                protocol,
                other,
                reader,
                now,
                priorities=priorities,
                event_kinds=lambda: reader.event_kinds,
                limit=args.show,
            )
            report, after = comparison.report_a, comparison.after_now
            stats, rejections = reader.stats, reader.rejections
        elif args.dask is not None or args.workers is not None:
            report, after, stats, rejections = _on_dask(
                args, source, mapping, lifecycle, protocol, now, priorities, csv_out
            )
        else:
            report, after = build_report(
                reader, protocol, now, worst=args.show, priorities=priorities, on_ticket=tick
            )
            stats, rejections = reader.stats, reader.rejections
        if csv_out is not None:
            csv_out.finish(report.unmeasurable)
    run_ = ReplayRun(
        source=source.describe() if args.events is not None else _SHIPPED,
        protocol=protocol.name,
        now=now,
        calendar=calendar,
        reader=reader,
        report=report,
        after_now=after,
        comparison=comparison,
        stats=stats,
        rejections=rejections,
    )
    if comparison is not None:
        labels = (args.protocol, args.compare)
        _compare_view.write(run_.source, run_.now, comparison, labels, args.format, console, out)
        return run_
    if args.format == "json":
        json.dump(report_json(run_), out, indent=2)
        out.write("\n")
    elif args.format == "table":
        _print_tables(
            run_, Console(file=out, width=console.width) if out is not sys.stdout else console
        )
    if args.plot is not None:
        for path in _charts.write_charts(report, Path(args.plot)):
            if not args.quiet:
                console.print(f"wrote {path}", highlight=False, style="dim")
    return run_


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector runs less often while a replay builds and drops its objects.

    A replay allocates millions of small objects that hold no cycles, and a first pass keeps
    up to a quarter of a million events of tickets alive: with the default thresholds the
    collector walks them again and again (about 5% of a replay of the BPI 2013 log). The
    thresholds are put back afterwards: the process may be a caller's.
    """
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


# Collections of the youngest generation every 10,000 net allocations (the default: 700),
# and of the older ones ten times rarer than by default.
_GC_THRESHOLD: Final = (10_000, 100, 100)


def _on_dask(
    args: argparse.Namespace,
    source: RowSource,
    mapping: SourceMapping,
    lifecycle: Any,
    protocol: ServiceProtocol,
    now: pendulum.DateTime,
    priorities: Sequence[str],
    csv_out: _CsvRows | None,
) -> tuple[ComplianceReport, int, ReadStats, tuple[Rejection, ...]]:
    """The same report, evaluated on a Dask cluster (servicekit.batch does the work)."""
    optional_import("dask.distributed", needed_for="--dask and --workers", extra="dask")
    batch: Any = importlib.import_module("servicekit.batch")
    if args.partitions < 1:
        raise ServiceKitError(f"--partitions must be at least 1, got {args.partitions}")
    with batch.dask_client(args.dask, workers=args.workers) as client:
        events = batch.source_frame(source, npartitions=args.partitions, client=client)
        result = batch.evaluate_dask_result(
            events,
            protocol,
            now,
            mapping,
            lifecycle=lifecycle,
            lenient=args.lenient,
            position=batch.SOURCE_ROW,
            line=batch.SOURCE_LINE,
        )
    report: ComplianceReport = batch.report_from_rows(
        result.rows,
        unmeasurable=unmeasurable_metrics(protocol, result.event_kinds),
        priorities=priorities,
        worst=args.show,
    )
    if csv_out is not None:
        csv_out.write(batch.rows_to_compliance(result.rows))
    return report, result.after_now, result.stats, result.rejections


class _RateColumn(ProgressColumn):
    """Rows per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        _RateColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


class _CsvRows:
    """CSV rows streamed to a temporary file, copied out once the log's metrics are known."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        fields = [a.name for a in attrs.fields(ComplianceRow)]
        self.fields = fields

    def __enter__(self) -> _CsvRows:
        self.file = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")
        self.writer = csv.DictWriter(self.file, self.fields)
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, rows: list[ComplianceRow]) -> None:
        for row in rows:
            self.writer.writerow(row.as_dict())

    def finish(self, unmeasurable: Any) -> None:
        self.file.seek(0)
        writer = csv.DictWriter(self.out, self.fields, lineterminator="\n")
        writer.writeheader()
        for row in csv.DictReader(self.file, self.fields):
            if row["metric"] in unmeasurable:
                row["state"] = "not_measurable"
            writer.writerow(row)


def report_json(run_: ReplayRun) -> dict[str, Any]:
    """The JSON report (see ``replay-report.schema.json``)."""
    report, stats = run_.report, run_.stats
    return {
        "source": run_.source,
        "protocol": run_.protocol,
        "now": run_.now.isoformat(),
        "calendar": repr(run_.calendar),
        "tickets": report.tickets,
        "events": stats.rows,
        "read": attrs.asdict(stats),
        "tickets_after_now": run_.after_now,
        "rejected": [r.as_dict() for r in run_.rejections],
        "sla": report.sla_dicts(),
        "months": [a.as_dict("month") for a in report.by_month],
        "not_measurable": dict(report.unmeasurable),
        "statuses": dict(report.statuses),
        "open_tickets": report.open_tickets,
        "reopened_tickets": report.reopened_tickets,
        "reopens": report.reopens,
        "escalated_tickets": report.escalated_tickets,
        "escalations": report.escalations,
        "promises": {"kept": report.promises_kept, "broken": report.promises_broken},
        "due_actions_open_tickets": report.due_actions,
        "worst": [attrs.asdict(w) for w in report.worst],
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _print_tables(run_: ReplayRun, console: Console) -> None:
    report, stats = run_.report, run_.stats
    console.print(
        f"[bold]{run_.protocol}[/] protocol over {stats.tickets_accepted} tickets "
        f"({stats.rows} events) of {run_.source}",
        highlight=False,
    )
    console.print(
        f"as of {run_.now.isoformat()}; calendar {run_.calendar!r}",
        highlight=False,
    )
    if stats.tickets_rejected or stats.rows_ignored:
        console.print(
            f"rejected {stats.tickets_rejected} tickets ({stats.rows_rejected} rows); "
            f"ignored {stats.rows_ignored} rows",
            highlight=False,
        )
    sla = Table(
        "metric", "priority", "met", "breached", "open", "n/a", "attainment", title="SLA attainment"
    )
    for a in report.by_priority:
        if a.metric in report.unmeasurable:
            continue
        sla.add_row(
            a.metric,
            a.key,
            str(a.met),
            str(a.breached),
            str(a.open),
            str(a.not_applicable + a.cancelled),
            _pct(a.attainment),
        )
    for metric in report.unmeasurable:
        sla.add_row(metric, "all", "-", "-", "-", "-", "not measurable")
    console.print(sla)
    for metric, why in report.unmeasurable.items():
        console.print(f"{metric}: not measurable from this log: {why}", highlight=False)
    months = Table(
        "month",
        *sorted({a.metric for a in report.by_month if not a.not_measurable}),
        title="Attainment by month",
    )
    by_month: dict[str, dict[str, str]] = {}
    for a in report.by_month:
        if not a.not_measurable:
            by_month.setdefault(a.key, {})[a.metric] = _pct(a.attainment)
    metrics = months.columns[1:]
    for month, values in sorted(by_month.items()):
        months.add_row(month, *(values.get(str(c.header), "-") for c in metrics))
    console.print(months)
    statuses = Table("status", "tickets", title="Status at now")
    for status, count in report.statuses.items():
        statuses.add_row(status, str(count))
    console.print(statuses)
    console.print(
        f"open tickets: {report.open_tickets}; reopened: {report.reopened_tickets} tickets "
        f"({report.reopens} reopens); escalated: {report.escalated_tickets} tickets "
        f"({report.escalations} escalations); promises kept {report.promises_kept}, broken "
        f"{report.promises_broken}; due actions on open tickets: {report.due_actions}",
        highlight=False,
    )
    if report.worst:
        worst = Table(
            "ticket", "metric", "priority", "hours past target", "status", title="Worst tickets"
        )
        for w in report.worst:
            worst.add_row(
                w.ticket, w.metric, w.priority, f"{w.overrun_seconds / 3600:.1f}", w.status
            )
        console.print(worst)
    for r in run_.rejections[:20]:
        console.print(
            f"rejected {r.ticket!r} (line {r.line}, {r.rule}): {r.message}; fix: {r.fix}",
            highlight=False,
        )


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``servicekit replay``."""
    if args.out is None:
        run_replay(args, console, sys.stdout)
        return 0
    target = Path(args.out)
    if target.is_dir():
        raise ServiceKitError(f"--out {target}: is a directory; give a file name")
    if not target.parent.is_dir():
        raise ServiceKitError(f"--out {target}: the folder {target.parent} does not exist")
    # Written beside the target and moved into place: a failed run leaves no half file.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as tmp:
            run_replay(args, console, tmp)
        shutil.move(name, target)
    finally:
        Path(name).unlink(missing_ok=True)
    return 0
