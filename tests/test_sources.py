"""Sources: a team's export in (CSV, JSON Lines, Parquet, SQL, DataFrame, XES), tickets out."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shlex
import sqlite3
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import attrs
import jsonschema
import pandas as pd
import pytest
from conftest import _run_servicekit as _run
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Lifecycle,
    StatusChanged,
    Ticket,
)
from servicekit.cli import main
from servicekit.datasets import BPIC2013_MAPPING, bpic2013_sample_path, bpic2013_tickets
from servicekit.errors import (
    MappingError,
    ServiceKitError,
    SourceError,
    SourceRowError,
    UnmappedStatusError,
)
from servicekit.protocols import (
    ComplianceTally,
    compliance_rows,
    reactive_protocol,
    unmeasurable_metrics,
)
from servicekit.sources import (
    CsvSource,
    SourceMapping,
    SqlSource,
    XesSource,
    load_mapping,
    open_source,
    read_tickets,
)
from servicekit.testing import tickets

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "examples" / "exports"
SNOW = EXPORTS / "servicenow_incidents.csv"


def _replay_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["replay", *args, "--format", "json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


# -- the shipped extract and the full log ------------------------------------------------


def test_shipped_extract_replays_with_the_default_mapping(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _replay_json(capsys)
    assert report["tickets"] == 90
    assert report["events"] == 642
    assert report["read"]["events"] == 919
    # The same figures from the Python API.
    api = list(bpic2013_tickets(bpic2013_sample_path()))
    assert len(api) == report["tickets"]
    assert sum(len(t) for t in api) == report["read"]["events"]
    assert sum(report["statuses"].values()) == 90
    assert report["not_measurable"].keys() == {"first_response", "next_response"}
    calendar = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
    protocol = reactive_protocol(calendar, BPIC2013_MAPPING.priority_order)
    now = max(t.last_event_at for t in api)
    assert report["now"] == now.in_timezone("Europe/Brussels").isoformat()
    tally = ComplianceTally().add_all(
        row for t in api for row in compliance_rows(protocol, t, protocol.evaluate(t, now))
    )
    expected = tally.report(
        unmeasurable=unmeasurable_metrics(protocol, {e.kind for t in api for e in t}),
        priority_order=BPIC2013_MAPPING.priority_order,
    )
    assert report["sla"] == expected.sla_dicts()
    assert report["statuses"] == dict(expected.statuses)
    resolution = [r for r in report["sla"] if r["metric"] == "resolution"]
    assert sum(r["met"] + r["breached"] + r["open"] + r["cancelled"] for r in resolution) == 90


def test_full_bpi_log_counts(bpic2013_path: Path) -> None:
    reader = read_tickets(XesSource(bpic2013_path), BPIC2013_MAPPING)
    assert sum(1 for _ in reader) == 7_554
    assert reader.stats.rows == 65_533
    assert reader.stats.tickets_accepted == 7_554
    assert reader.stats.events == 90_095


# -- sample exports of other shapes, each with a mapping and no code ---------------------


def test_servicenow_csv_with_ties_backwards_times_and_junk(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _replay_json(
        capsys, str(SNOW), "--mapping", str(EXPORTS / "servicenow.toml"), "--lenient"
    )
    assert report["tickets"] == 4
    assert report["read"]["rows_ignored"] == 1  # the junk "99" state
    [rejected] = report["rejected"]
    assert rejected["ticket"] == "INC0010005"
    assert rejected["rule"] == "out-of-order"
    assert rejected["line"] == 20
    # INC0010004's rows are out of file order; sys_mod_count puts them right.
    assert report["statuses"] == {"Closed": 1, "In Progress": 1, "Resolved": 2}
    assert report["now"] == "2024-03-07T15:30:00-05:00"


def test_servicenow_strict_stops_at_the_first_bad_ticket() -> None:
    mapping = load_mapping(EXPORTS / "servicenow.toml")
    with pytest.raises(SourceRowError, match=r"line 20: ticket 'INC0010005'") as info:
        list(read_tickets(CsvSource(SNOW), mapping))
    assert info.value.rule == "out-of-order"
    assert "order" in info.value.fix


def test_zendesk_jsonl_interleaved_tickets_are_grouped(capsys: pytest.CaptureFixture[str]) -> None:
    report = _replay_json(
        capsys,
        str(EXPORTS / "zendesk_events.jsonl"),
        "--mapping",
        str(EXPORTS / "zendesk.toml"),
        "--zone",
        "Europe/Madrid",
    )
    assert report["tickets"] == 3
    assert report["not_measurable"] == {}
    first = {r["priority"]: r for r in report["sla"] if r["metric"] == "first_response"}
    assert first["urgent"]["met"] == 1
    assert first["high"]["open"] == 1
    assert report["escalated_tickets"] == 1  # ticket 103 moved to Billing L2


def test_generic_xes_log(capsys: pytest.CaptureFixture[str]) -> None:
    report = _replay_json(
        capsys,
        str(EXPORTS / "helpdesk_log.xes"),
        "--mapping",
        str(EXPORTS / "helpdesk_log.toml"),
        "--zone",
        "Europe/Amsterdam",
    )
    assert report["tickets"] == 3
    assert report["statuses"] == {"Analyse": 1, "Close without fix": 1, "Resolve": 1}


def test_sqlite_parquet_and_dataframe_give_the_csv_answer(tmp_path: Path) -> None:
    mapping = load_mapping(EXPORTS / "servicenow.toml")

    def histories(source: Any) -> list[tuple[object, ...]]:
        return [t.history for t in read_tickets(source, mapping, lenient=True)]

    expected = histories(CsvSource(SNOW))
    frame = pd.read_csv(SNOW, dtype=str)
    db = tmp_path / "snow.db"
    with sqlite3.connect(db) as conn:
        frame.to_sql("incident_audit", conn, index=False)
    sql = SqlSource(f"sqlite:///{db}", "SELECT * FROM incident_audit")
    assert histories(sql) == expected
    frame.to_parquet(tmp_path / "snow.parquet")
    assert histories(open_source(tmp_path / "snow.parquet")) == expected
    assert histories(open_source(frame)) == expected


# -- refusals ------------------------------------------------------------------------------


def test_unmapped_statuses_are_listed_with_a_snippet(tmp_path: Path) -> None:
    mapping = SourceMapping(
        ticket="number",
        time="sys_updated_on",
        time_format="%Y-%m-%d %H:%M:%S",
        timezone="America/New_York",
        status="state",
        priority="priority",
        categories={"1": "new", "2": "open"},
    )
    with pytest.raises(UnmappedStatusError) as info:
        list(read_tickets(CsvSource(SNOW), mapping))
    assert info.value.statuses == ("3", "6", "7", "99")
    assert '"99" = "open"' in info.value.snippet


def test_naive_times_without_a_zone_and_ambiguous_times_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "id,at,state,prio\n"
        "A,2024-03-04 09:00:00,new,P1\n"
        "B,2024-11-03 01:30:00,new,P1\n"  # happens twice in New York
        "C,2024-03-10 02:30:00,new,P1\n"  # never happens in New York
        "D,2024-03-10 12:30:00+01:00,new,P1\n"
    )
    base = {"ticket": "id", "time": "at", "status": "state", "priority": "prio"}
    no_zone = SourceMapping(**base, categories={"new": "new", "done": "solved"})
    reader = read_tickets(CsvSource(path), no_zone, lenient=True)
    assert [t.id for t in reader] == ["D"]
    assert {r.rule for r in reader.rejections} == {"naive-time"}
    zoned = SourceMapping(
        **base, timezone="America/New_York", categories={"new": "new", "done": "solved"}
    )
    reader = read_tickets(CsvSource(path), zoned, lenient=True)
    assert [t.id for t in reader] == ["A", "D"]
    assert [(r.ticket, r.rule) for r in reader.rejections] == [
        ("B", "ambiguous-time"),
        ("C", "ambiguous-time"),
    ]
    assert "happens twice" in reader.rejections[0].message
    assert "never happens" in reader.rejections[1].message


def test_mapping_files_report_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('ticket = "id"\ntiem = "at"\nkind = "k"\n[kinds]\nx = "reply"\n')
    with pytest.raises(MappingError) as info:
        load_mapping(bad)
    message = str(info.value)
    assert "unknown key 'tiem'" in message
    assert "missing key 'time'" in message
    with pytest.raises(MappingError, match="not a row kind"):
        SourceMapping(ticket="a", time="b", kind="k", kinds={"x": "reply"}, lifecycle="helpdesk")
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping(tmp_path / "missing.toml")
    with pytest.raises(SourceError, match="is a directory"):
        open_source(tmp_path)
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(SourceError, match="cannot tell the format"):
        open_source(tmp_path / "x.txt")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "2012-05-01T12:00:00"], "has no UTC offset"),
        (["--now", "yesterday"], "not an ISO 8601 instant"),
        (["missing.csv", "--mapping", "x.toml"], "no such mapping file"),
        (["examples/exports/servicenow_incidents.csv"], "give --mapping FILE"),
        (["examples"], "give --mapping FILE"),
        (["--protocol", "nope"], "unknown protocol"),
    ],
)
def test_replay_user_errors_are_one_line_exit_2(args: list[str], message: str) -> None:
    done = _run("replay", *args, cwd=ROOT)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_csv_rows_and_charts(tmp_path: Path) -> None:
    out = tmp_path / "rows.csv"
    assert (
        main(["replay", "--format", "csv", "--out", str(out), "--plot", str(tmp_path), "--quiet"])
        == 0
    )
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 90 * 3
    assert {r["state"] for r in rows if r["metric"] == "first_response"} == {"not_measurable"}
    for name in ("attainment_by_priority", "attainment_by_month", "resolution_times"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000


def test_json_report_matches_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads((ROOT / "src/servicekit/cli/replay-report.schema.json").read_text())
    jsonschema.validate(_replay_json(capsys), schema)


# -- properties ------------------------------------------------------------------------------

_LOG = Lifecycle.from_categories(
    "log", {"new": "new", "open": "open", "pending": "waiting_on_customer", "done": "solved"}
)
_MAPPING = SourceMapping(
    ticket="id",
    time="at",
    kind="kind",
    kinds={
        "opened": "snapshot",
        "status": "status",
        "agent": "agent_reply",
        "customer": "customer_reply",
    },
    status="status",
    priority="priority",
    public="public",
    categories={s.name: s.category for s in _LOG.statuses},
)


def _rows(ticket: Ticket) -> list[dict[str, str]]:
    rows = [
        {
            "id": ticket.id,
            "at": ticket.opened.at.isoformat(),
            "kind": "opened",
            "status": "",
            "priority": ticket.priority,
            "public": "",
        }
    ]
    for event in ticket.history[1:]:
        row = {
            "id": ticket.id,
            "at": event.at.isoformat(),
            "kind": "",
            "status": "",
            "priority": "",
            "public": "",
        }
        if isinstance(event, StatusChanged):
            row.update(kind="status", status=event.to_status)
        elif isinstance(event, AgentReplied):
            row.update(kind="agent", public="true" if event.public else "false")
        elif isinstance(event, CustomerReplied):
            row.update(kind="customer")
        else:
            continue
        rows.append(row)
    return rows


_XES_MAPPING = attrs.evolve(_MAPPING, ticket="case:concept:name", time="time:timestamp")


def _xes(originals: list[Ticket]) -> str:
    """The tickets as an XES log: a trace per ticket, an event per row."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016">']
    for ticket in originals:
        out.append(f'<trace><string key="concept:name" value="{escape(ticket.id)}"/>')
        for row in _rows(ticket):
            out.append("<event>")
            for key, value in row.items():
                if key == "at":
                    out.append(f'<date key="time:timestamp" value="{value}"/>')
                elif key != "id" and value:
                    out.append(f'<string key="{key}" value="{escape(value)}"/>')
            out.append("</event>")
        out.append("</trace>")
    out.append("</log>")
    return "\n".join(out)


def _plain(ticket: Ticket) -> Ticket:
    kept = [
        e
        for e in ticket.history
        if isinstance(e, StatusChanged | AgentReplied | CustomerReplied) or e is ticket.opened
    ]
    return Ticket.replay(kept, ticket.lifecycle)


@given(
    st.lists(tickets(_LOG, max_events=8), min_size=1, max_size=4, unique_by=lambda t: t.id),
    st.sampled_from(["csv", "jsonl", "xes"]),
)
def test_written_histories_read_back_equal(
    tmp_path_factory: pytest.TempPathFactory, originals: list[Ticket], fmt: str
) -> None:
    originals = [_plain(t) for t in originals]
    path = tmp_path_factory.mktemp("rt") / f"log.{fmt}"
    rows = [r for t in originals for r in _rows(t)]
    if fmt == "csv":
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        path.write_text(_xes(originals))
    mapping = _XES_MAPPING if fmt == "xes" else _MAPPING
    back = list(read_tickets(open_source(path), mapping, lifecycle=_LOG))
    assert [t.history for t in back] == [t.history for t in originals]


@given(tickets(_LOG, max_events=8), st.booleans(), st.data())
def test_lenient_rejects_exactly_the_broken_tickets(
    tmp_path_factory: pytest.TempPathFactory, ticket: Ticket, corrupt: bool, data: st.DataObject
) -> None:
    ticket = _plain(ticket)
    rows = _rows(ticket)
    if corrupt:
        index = data.draw(st.integers(0, len(rows) - 1))
        rows[index]["at"] = data.draw(st.sampled_from(["", "not a time", "2025-01-01T00:00:00"]))
    path = tmp_path_factory.mktemp("lenient") / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    reader = read_tickets(open_source(path), _MAPPING, lenient=True, lifecycle=_LOG)
    back = list(reader)
    assert len(back) + len(reader.rejections) == 1
    assert bool(reader.rejections) == corrupt
    if not corrupt:
        assert back[0].history == ticket.history


def test_the_replay_guide_commands_run(tmp_path: Path) -> None:
    """Every ``$ servicekit`` line of docs/replay.md runs (in a scratch folder)."""
    text = (ROOT / "docs" / "replay.md").read_text("utf-8")
    blocks = re.findall(r"^```console\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    commands = [
        line[len("$ servicekit ") :]
        for block in blocks
        if not block.startswith("# skip-test")
        for line in block.splitlines()
        if line.startswith("$ servicekit ")
    ]
    assert len(commands) >= 6
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for command in commands:
        done = _run(*shlex.split(command), cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
    assert (tmp_path / "report.json").exists()
    assert (tmp_path / "charts" / "attainment_by_month.png").exists()


# -- hostile and broken inputs: a value or a servicekit error, never a raw exception -------

_BASE = {"ticket": "id", "time": "at", "status": "s", "priority": "p"}
_CATS = {"new": "new", "done": "solved"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dup.csv", "id,id,at\n1,2,3\n", "repeats the columns"),
        ("wide.csv", "id,at,s,p\n1,2024-01-01T00:00:00Z,new,P1,extra\n", "5 fields"),
        ("latin.csv", b"id,at,s,p\n\xe9,x,y,z\n", "not utf-8 text"),
        ("bad.jsonl", '{"id": 1}\n{nope\n', "line 2: not JSON"),
        ("list.jsonl", "[1, 2]\n", "must be an object"),
        ("deep.jsonl", "[" * 100_000 + "\n", "not JSON"),
        ("latin.jsonl", b'{"id": "\xe9"}\n', "not UTF-8"),
        ("broken.parquet", b"PAR1 not really", "cannot read Parquet"),
        ("broken.xes", "<log><trace>", "line"),
    ],
)
def test_unreadable_files_raise_source_errors(
    tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    mapping = SourceMapping(**_BASE, categories=_CATS)
    with pytest.raises(ServiceKitError, match=re.compile(re.escape(message), re.IGNORECASE)):
        list(read_tickets(open_source(path), mapping))


def test_sql_errors_are_source_errors(tmp_path: Path) -> None:
    mapping = SourceMapping(**_BASE, categories=_CATS)
    with pytest.raises(SourceError, match="needs a query"):
        open_source("sqlite:///x.db")
    db = tmp_path / "t.db"
    sqlite3.connect(db).close()
    source = SqlSource(f"sqlite:///{db}", "SELECT * FROM missing")
    with pytest.raises(SourceError, match="no such table"):
        list(read_tickets(source, mapping))
    with pytest.raises(SourceError, match="not a usable database URL"):
        list(read_tickets(SqlSource("nodb://", "SELECT 1"), mapping))
    assert "secret" not in SqlSource("postgresql://u:secret@h/db", "SELECT 1").describe()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"kinds": {"x": "snapshot"}}, "no kind column"),
        ({"assignment_on": ["team"]}, "'team' is not one of"),
        ({"lifecycle": "nope", "categories": {}}, "not a ready-made lifecycle"),
        ({"lifecycle": "helpdesk"}, "either lifecycle or [categories]"),
        ({"categories": {}}, "needs a [categories] table"),
        ({"status": None}, "no status column"),
        ({"initial_status": "open"}, "initial_status 'open'"),
        ({"statuses": {"1": "gone"}}, "which [categories] does not list"),
        ({"tier_pattern": "("}, "is not a regular expression"),
        ({"tier_pattern": "L2"}, "needs a group"),
    ],
)
def test_mapping_refusals(kwargs: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {**_BASE, "categories": _CATS, **kwargs}
    with pytest.raises(MappingError, match=re.escape(message)):
        SourceMapping(**values)


def test_mapping_from_plain_data_refuses_wrong_types(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="is not a string"):
        SourceMapping.from_dict({**_BASE, "categories": _CATS, "order": 3})
    with pytest.raises(MappingError, match="must be a table"):
        SourceMapping.from_dict(["ticket"])  # type: ignore[arg-type]
    bad = tmp_path / "bad.toml"
    bad.write_text("ticket = \n")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="is a directory"):
        load_mapping(tmp_path)


def test_rows_that_break_rules_reject_their_ticket(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "id,at,s,p,o,pub,k\n"
        ",2024-01-01T09:00:00Z,new,P1,1,,\n"  # no ticket id
        "A,2024-01-01T09:00:00Z,new,,1,,\n"  # no priority on the first row
        "B,2024-01-01T09:00:00Z,new,P9,1,,\n"  # a priority the mapping does not know
        "C,2024-01-01T09:00:00Z,new,P1,x,,\n"  # order is not a number
        "D,2024-01-01T09:00:00Z,new,P1,1,,\n"
        "D,2024-01-01T10:00:00Z,new,P1,2,maybe,reply\n"  # public is not a boolean
        "E,2024-01-01T09:00:00Z,new,P1,1,,skip\n"  # every row ignored
        "F,2024-01-01T09:00:00Z,new,P1,1,,\n"
        "F,2024-01-01T10:00:00Z,done,P1,2,,\n"
        "F,2024-01-01T11:00:00Z,new,P1,3,,\n"  # solved -> new: the helpdesk has no such move
    )
    mapping = SourceMapping(
        **{**_BASE, "status": "s"},
        order="o",
        public="pub",
        kind="k",
        kinds={"reply": "agent_reply", "skip": "ignore"},
        priorities={"P1": "P1"},
        statuses={"new": "new", "done": "solved"},
        lifecycle="helpdesk",
    )
    reader = read_tickets(CsvSource(path), mapping, lenient=True)
    assert list(reader) == []
    rules = {(r.ticket, r.rule) for r in reader.rejections}
    assert rules == {
        (None, "missing-ticket"),
        ("A", "missing-priority"),
        ("B", "bad-value"),
        ("C", "bad-order"),
        ("D", "bad-value"),
        ("E", "bad-value"),
        ("F", "invalid-transition"),
    }
    assert reader.stats.tickets_rejected == 7
    assert reader.stats.rows_ignored == 1


def test_table_output_and_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--width", "120", "--quiet", "--show", "3"]) == 0
    out = capsys.readouterr().out
    assert "SLA attainment" in out
    assert "not measurable" in out
    assert "Worst tickets" in out
    target = tmp_path / "table.txt"
    assert main(["replay", "--out", str(target), "--quiet", "--holidays", "BE"]) == 0
    assert "Attainment by month" in target.read_text()
    assert main(["replay", "--out", str(tmp_path), "--quiet"]) == 2
    assert main(["replay", "--out", str(tmp_path / "no" / "x.txt"), "--quiet"]) == 2
    assert main(["replay", "--holidays", "XX", "--quiet"]) == 2
    assert main(["replay", "--priorities", "Major,High,Medium,Low", "--quiet"]) == 0
    capsys.readouterr()
    # A priority of the log the protocol does not know is refused, never given other targets.
    assert main(["replay", "--priorities", "Major,High", "--quiet"]) == 2
    assert "target for priority 'Low'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [target]  # nothing half-written is left behind


# -- a grouped source's first pass keeps the tickets of a small log ------------------------


class _Counted:
    """A source that counts how often its rows are read (grouped as XES logs are)."""

    grouped = True

    def __init__(self, inner: Any) -> None:
        self.inner, self.reads = inner, 0

    def rows(self) -> Any:
        self.reads += 1
        yield from self.inner.rows()

    def describe(self) -> str:
        return str(self.inner.describe())


def test_a_small_grouped_log_is_read_once_a_large_one_twice_with_one_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicekit.sources import _tickets

    def read(keep: int) -> tuple[int, list[object], object, object]:
        monkeypatch.setattr(_tickets, "_KEEP_EVENTS", keep)
        source = _Counted(XesSource(bpic2013_sample_path()))
        reader = read_tickets(source, BPIC2013_MAPPING)
        scan = reader.scan()
        assert reader.stats == _tickets.ReadStats()  # nothing is counted before iterating
        histories = [t.history for t in reader]
        return source.reads, histories, reader.stats, scan

    once, kept, kept_stats, kept_scan = read(10**9)
    twice, read_again, stats, scan = read(10)
    assert (once, twice) == (1, 2)
    assert kept == read_again
    assert kept_stats == stats
    assert kept_scan == scan


def test_kept_tickets_are_handed_out_once_and_strict_errors_still_come_from_the_iteration(
    tmp_path: Path,
) -> None:
    source = _Counted(XesSource(bpic2013_sample_path()))
    reader = read_tickets(source, BPIC2013_MAPPING)
    reader.scan()
    first, second = list(reader), list(reader)
    assert source.reads == 2  # the second iteration reads the log again: fresh tickets
    assert [t.history for t in first] == [t.history for t in second]
    assert all(a is not b for a, b in zip(first, second, strict=True))

    opened = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    good = _rows(Ticket.open(_LOG, ticket_id="A", at=opened, priority="P2"))
    bad = [{**r, "id": "B", "at": "not a time"} for r in good]
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*good, *bad]))
    strict = read_tickets(_Counted(open_source(path)), _MAPPING, lifecycle=_LOG)
    assert strict.scan().rows == 2  # the scan reads every row and does not judge tickets
    with pytest.raises(SourceRowError, match="ticket 'B'"):
        list(strict)
    lenient = read_tickets(_Counted(open_source(path)), _MAPPING, lenient=True, lifecycle=_LOG)
    lenient.scan()
    assert [t.id for t in lenient] == ["A"]
    assert [r.ticket for r in lenient.rejections] == ["B"]
