"""``servicekit check``, ``diagram`` and ``protocol``, each run as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import _run_servicekit as _run

from servicekit.protocols._reference import format_reference

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "data" / "broken_protocols"


@pytest.mark.parametrize("command", [["check"], ["diagram"], ["protocol"], ["protocol", "show"]])
def test_help(command: list[str]) -> None:
    done = _run(*command, "--help")
    assert done.returncode == 0
    assert "usage: servicekit" in done.stdout


@pytest.fixture
def ours(tmp_path: Path) -> Path:
    done = _run("protocol", "show", "reactive")
    assert done.returncode == 0
    path = tmp_path / "ours.toml"
    path.write_text(done.stdout, "utf-8")
    return path


def test_show_then_check_clean(ours: Path) -> None:
    done = _run("check", str(ours))
    assert (done.returncode, done.stderr) == (0, "")
    assert "is clean" in done.stdout


def test_check_findings_exit_1_with_line_and_fix(ours: Path) -> None:
    ours.write_text(
        ours.read_text("utf-8").replace('wait = "100% of resolution"', 'wait = "10h"'), "utf-8"
    )
    line = ours.read_text("utf-8").splitlines().index('wait = "10h"') + 1
    done = _run("check", str(ours))
    assert done.returncode == 1
    assert f"{ours}:{line}: SK103 escalations[1].steps[0].wait:" in done.stdout
    assert "fix: wait less" in done.stdout
    report = json.loads(_run("check", str(ours), "--format", "json").stdout)
    assert report["clean"] is False
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("SK103", line)]


def test_check_languages_customers_read(ours: Path) -> None:
    line = ours.read_text("utf-8").splitlines().index("[messages]") + 1
    assert _run("check", str(ours), "--lang", "es-CO").returncode == 0
    done = _run("check", str(ours), "--lang", "pt", "--lang", "en-GB")
    assert done.returncode == 1
    assert f"{ours}:{line}: SK110 messages: 'pt' readers get " in done.stdout
    assert "1 finding(s)" in done.stdout
    bad = _run("check", str(ours), "--lang", "not a tag")
    assert bad.returncode == 2
    assert "'not a tag' is not a language tag" in bad.stderr


def test_check_json_clean(ours: Path) -> None:
    done = _run("check", str(ours), "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {
        "file": str(ours),
        "readable": True,
        "clean": True,
        "findings": [],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.toml"], "missing.toml: cannot read the protocol file"),
        (["check", "wrong_type.toml"], "wrong_type.toml:5: sla.metrics.first_response"),
        (["diagram", "unknown_zone.toml"], "unknown_zone.toml:3: calendars.team.timezone"),
        (["diagram", "missing.toml"], "missing.toml: cannot read the protocol file"),
        (["diagram", "cycle.toml", "--format", "png"], "--format png writes a binary picture"),
        (["protocol", "show", "nope"], "no ready-made protocol is called 'nope'"),
        (["check"], "the following arguments are required: file"),
        (["diagram", "x.toml", "--format", "gif"], "invalid choice: 'gif'"),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    done = _run(*args, cwd=BROKEN)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""


def test_diagram_mermaid(ours: Path) -> None:
    done = _run("diagram", str(ours))
    assert done.returncode == 0
    assert "```mermaid\nstateDiagram-v2" in done.stdout
    assert "s4 --> s5: close (after 4d)" in done.stdout
    assert "    title tiers (functional)\n    at once : tier L2" in done.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_diagram_pictures(ours: Path, tmp_path: Path, fmt: str) -> None:
    pytest.importorskip("graphviz")
    out = tmp_path / f"ours.{fmt}"
    done = _run("diagram", str(ours), "--format", fmt, "--out", str(out))
    assert done.returncode == 0
    head = out.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if fmt == "png" else b"<" in head


def test_protocol_schema_is_the_published_one() -> None:
    done = _run("protocol", "schema")
    assert done.returncode == 0
    assert done.stdout == (ROOT / "docs" / "protocol.schema.json").read_text("utf-8")


def test_every_command_of_the_how_to_runs(tmp_path: Path) -> None:
    """Every ``$ servicekit`` line of docs/protocol-files.md runs (in a scratch folder)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    text = (ROOT / "docs" / "protocol-files.md").read_text("utf-8")
    commands = [
        line[len("$ servicekit ") :]
        for line in text.splitlines()
        if line.startswith("$ servicekit ")
    ]
    assert len(commands) >= 6
    for command in commands:
        words, _, redirect = command.partition(" > ")
        done = _run(*words.split(), cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        if redirect:
            (tmp_path / redirect.strip()).write_text(done.stdout, "utf-8")


def test_the_how_to_shows_the_diagram_the_command_draws() -> None:
    text = (ROOT / "docs" / "protocol-files.md").read_text("utf-8")
    drawn = _run("diagram", str(ROOT / "examples" / "protocols" / "ours.toml")).stdout
    shown = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown in drawn


def test_the_format_reference_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "protocol-format.md").read_text("utf-8") == format_reference()


def test_every_link_of_the_format_reference_names_one_of_its_headings() -> None:
    text = format_reference()
    # The anchor of a heading as MkDocs (toc) and GitHub write it: lower case, blanks as dashes,
    # underscores kept.
    anchors = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links, "the reference links its tables to one another"
    assert links <= anchors, f"links to no heading: {sorted(links - anchors)}"


def test_the_demo_tours_protocol_files() -> None:
    done = _run("demo", "--width", "80")
    assert done.returncode == 0
    tour = done.stdout.split("7. Protocols as files", 1)[1]
    assert "servicekit check ours.toml: 0 findings" in tour
    assert 'with wait = "10h" instead: SK103 escalations[1].steps[0].wait' in tour
    assert "at 90% of resolution : tier L3" in tour
    assert "Tickets that end differently: 6" in tour
    assert max(len(line) for line in tour.splitlines()) <= 80
