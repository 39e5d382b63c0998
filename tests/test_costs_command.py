"""Scenario files and ``servicekit costs``."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import runpy
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from conftest import _run_servicekit as _run

from servicekit.costs import (
    compare,
    load_scenario,
    loads_scenario,
    volume_from_replay,
)
from servicekit.errors import CostModelError, ScenarioFileError

ROOT = Path(__file__).resolve().parent.parent
COMPANY = ROOT / "examples" / "scenarios" / "company.toml"
MINUTE = dt.timedelta(minutes=1)


def test_the_example_file_is_the_example_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["costs_sourcing.py"])
    expected = runpy.run_path(str(ROOT / "examples" / "costs_sourcing.py"))["company"]
    loaded = load_scenario(COMPANY)
    assert loaded.scenario == expected
    assert (loaded.break_even, loaded.swing) == ("outsourced_rate", 0.2)


def test_every_problem_with_its_line() -> None:
    text = COMPANY.read_text("utf-8").replace('aht = "8min"', 'aht = "8 parsecs"')
    text = text.replace("wage = 2400", "wage = -5").replace(
        'pricing = "per_staffed_hour"', 'pricing = "per_hug"'
    )
    with pytest.raises(ScenarioFileError) as caught:
        loads_scenario(text, source="s.toml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("s.toml:6: in_house.wage: found -5; expected an amount of 0 or more")
    assert lines[1].startswith('s.toml:14: outsourced.pricing: found "per_hug"; expected one of')
    assert lines[2].startswith('s.toml:24: cells[0].aht: found "8 parsecs"')


def test_volume_from_a_replay_keeps_the_mix() -> None:
    scenario = load_scenario(COMPANY).scenario
    report = {"months": [{"metric": "resolution", "month": "2012-05", "met": 80, "breached": 10}]}
    scaled = volume_from_replay(scenario, report)
    assert sum(c.volume for c in scaled.cells) == pytest.approx(90)
    assert scaled.cells[0].volume / scaled.cells[1].volume == pytest.approx(6_000 / 9_000)
    with pytest.raises(CostModelError, match="no 'months' rows"):
        volume_from_replay(scenario, {"sla": []})


def test_costs_command(tmp_path: Path) -> None:
    assert _run("costs", "--help").returncode == 0
    done = _run("costs", str(COMPANY), "--width", "80")
    assert done.returncode == 0, done.stderr
    assert "monthly cost per stage and channel, EUR" in done.stdout
    assert "outsourced minus in-house" in done.stdout
    data = json.loads(_run("costs", str(COMPANY), "--format", "json").stdout)
    expected = compare(load_scenario(COMPANY).scenario)
    assert data["total"]["chosen"] == str(expected.chosen.rounded().amount)
    assert data["break_even"]["parameter"] == "outsourced_rate"


def test_costs_from_a_replay(tmp_path: Path) -> None:
    report = tmp_path / "replay.json"
    replay = _run("replay", "--format", "json", "--quiet", "--out", str(report))
    assert replay.returncode == 0, replay.stderr
    data = json.loads(
        _run("costs", str(COMPANY), "--from-replay", str(report), "--format", "json").stdout
    )
    assert sum(c["volume"] for c in data["cells"]) == pytest.approx(90)


def test_costs_charts(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    done = _run("costs", str(COMPANY), "--plot", str(tmp_path / "charts"))
    assert done.returncode == 0, done.stderr
    for name in ("costs_tornado.png", "costs_break_even.png"):
        assert (tmp_path / "charts" / name).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["costs", "missing.toml"], "missing.toml: cannot read the scenario file"),
        (["costs", str(COMPANY), "--from-replay", "missing.json"], "--from-replay missing.json"),
        (["costs", str(COMPANY), "--format", "csv"], "invalid choice: 'csv'"),
    ],
)
def test_costs_user_errors(args: list[str], message: str) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr


def test_every_costs_command_of_the_docs_runs(tmp_path: Path) -> None:
    """Every ``$ servicekit`` line of docs/costs.md runs (in a scratch folder)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    text = (ROOT / "docs" / "costs.md").read_text("utf-8")
    commands = [
        line[len("$ servicekit ") :]
        for line in text.splitlines()
        if line.startswith("$ servicekit ")
    ]
    assert len(commands) == 5
    for command in commands:
        if "--plot" in command and importlib.util.find_spec("matplotlib") is None:
            continue
        done = _run(*command.split(), cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)


def test_the_sourcing_guide_file_is_the_guide_decision() -> None:
    """examples/scenarios/fibra_norte.toml is the company docs/howto/in-house-or-outsourced.md
    decides on, cell by cell, with each cell's own offer."""
    from test_docs_and_examples import _blocks

    namespace: dict[str, object] = {}
    for block, _ in _blocks(ROOT / "docs" / "howto" / "in-house-or-outsourced.md")[:3]:
        exec(block, namespace)
    company, decided = namespace["company"], namespace["decided"]
    loaded = load_scenario(ROOT / "examples" / "scenarios" / "fibra_norte.toml")
    assert loaded.scenario == attrs.evolve(company, cells=decided)  # type: ignore[misc]
    assert {c.channel.value: c.offer.pricing.value for c in loaded.scenario.cells if c.offer} == {
        "chat": "per_contact",
        "email": "per_contact",
        "self_service": "per_resolution",
        "voice": "per_minute",
    }


def test_a_cell_offer_in_a_file_must_not_carry_the_contract_fees() -> None:
    text = COMPANY.read_text("utf-8").replace(
        'sourcing = "outsourced"\n',
        'sourcing = "outsourced"\n'
        'offer = {pricing = "per_contact", rate = "2.10", setup_fee = 900}\n',
        1,
    )
    with pytest.raises(ScenarioFileError, match=r"s.toml:20: cells\[0\]: .*paid once"):
        loads_scenario(text, source="s.toml")
    priced = compare(loads_scenario(text.replace(", setup_fee = 900", "")).scenario)
    assert priced.cells[0].outsourced.amount == Decimal("2.10") * 6000 * Decimal("1.05") * Decimal(
        "1.05"
    )
