"""The command line: the demo runs on built-in data and prints the same every time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from servicekit.cli import main


def _demo(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["demo", "--width", "140"]) == 0
    return capsys.readouterr().out


def test_demo_answers_calendar_questions(capsys: pytest.CaptureFixture[str]) -> None:
    out = _demo(capsys)
    assert "Business calendar" in out
    # Wed 16:30 + 4 business hours on 08:00-18:00 skips Ascension Thursday: Fri 10:30.
    assert "Fri 2012-05-18 10:30" in out
    assert "BPI Challenge 2013" in out


def test_demo_runs_every_protocol_over_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    out = _demo(capsys)
    assert "90 incidents, 919 events replayed" in out
    assert "breached_running" in out
    assert "Notifications due by Fri 2012-05-04 15:00: 12" in out
    assert "predicted to the hour by the schedule: 38" in out
    assert "│ 60             │ 6.0     │ 9 " in out


def test_demo_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    assert _demo(capsys) == _demo(capsys)


def test_console_script_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "servicekit", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("servicekit ")
