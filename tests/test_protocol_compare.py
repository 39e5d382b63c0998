"""Two promises over one history: ``compare_protocols`` and ``servicekit replay --compare``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pendulum
from conftest import _run_servicekit as _run

from servicekit import BusinessCalendar
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.protocols import compare_protocols, reactive_protocol

ROOT = Path(__file__).resolve().parent.parent
BPI = ("Major", "High", "Medium", "Low")
NOW = pendulum.datetime(2012, 5, 15, tz="Europe/Brussels")
DESK = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")


def test_a_protocol_against_itself_changes_nothing() -> None:
    protocol = reactive_protocol(DESK, BPI)
    result = compare_protocols(
        protocol, protocol, bpic2013_tickets(bpic2013_sample_path()), NOW, priorities=BPI
    )
    assert result.report_a == result.report_b
    assert result.actions_a == result.actions_b
    assert (result.changed_tickets, result.changes) == (0, ())
    assert result.report_a.tickets == 90


def test_a_looser_promise_turns_breaches_into_met() -> None:
    # The same business hours counted around the clock are a tighter promise.
    tight = reactive_protocol(BusinessCalendar("Europe/Brussels", "daily 00:00-24:00"), BPI)
    loose = reactive_protocol(DESK, BPI)
    result = compare_protocols(
        tight, loose, bpic2013_tickets(bpic2013_sample_path()), NOW, priorities=BPI, limit=500
    )
    breached = {r.key: r.breached for r in result.report_a.by_priority if r.metric == "resolution"}
    loosened = {r.key: r.breached for r in result.report_b.by_priority if r.metric == "resolution"}
    assert sum(breached.values()) > sum(loosened.values())
    assert result.changed_tickets == len({c.ticket for c in result.changes}) > 0
    for change in result.changes:
        assert change.a != change.b
    rows = {(r.metric, r.priority): r for r in result.rows}
    assert rows[("resolution", "High")].a is not None
    assert json.loads(json.dumps(result.as_dict()))["changed_tickets"] == result.changed_tickets


def test_tickets_opened_after_now_are_left_out() -> None:
    protocol = reactive_protocol(DESK, BPI)
    early = pendulum.datetime(2012, 5, 3, 14, 20, tz="Europe/Brussels")
    result = compare_protocols(protocol, protocol, bpic2013_tickets(bpic2013_sample_path()), early)
    assert result.after_now > 0
    assert result.report_a.tickets + result.after_now == 90


def test_replay_compare_with_a_protocol_file(tmp_path: Path) -> None:
    ours = tmp_path / "ours.toml"
    text = _run("protocol", "show", "reactive").stdout
    text = text.replace('hours = "mon-fri 09:00-17:00"', 'hours = "daily 00:00-24:00"')
    # BPI 2013 names its priorities by impact: the team renames P1..P3, Low as P3.
    text = re.sub(r"(?m)^P1 = ", "Major = ", text)
    text = re.sub(r"(?m)^P2 = ", "High = ", text)
    text = re.sub(r"(?m)^P3 = (.*)$", r"Medium = \1\nLow = \1", text)
    ours.write_text(text)
    done = _run("replay", "--compare", str(ours), "--quiet", "--width", "100")
    assert done.returncode == 0, done.stderr
    assert "A: reactive (protocol 'reactive')" in done.stdout
    assert "end differently" in done.stdout
    data = json.loads(_run("replay", "--compare", str(ours), "--format", "json").stdout)
    assert data["labels"] == {"a": "reactive", "b": str(ours)}
    assert data["tickets"] == 90
    assert data["changed_tickets"] >= 1


def test_replay_compare_refusals_exit_2_with_one_line(tmp_path: Path) -> None:
    csv = _run("replay", "--compare", "proactive", "--format", "csv")
    assert csv.returncode == 2
    assert csv.stderr.count("\n") == 1
    assert "--compare writes a table or JSON" in csv.stderr
    missing = _run("replay", "--compare", str(tmp_path / "missing.toml"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "cannot read the protocol file" in missing.stderr
