"""The simulated-week worker (examples/simulated_week.py) as a test: each action once, the
same actions whether it wakes on next_action_at or next_wakeup, none missed against polling."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

SIM: dict[str, Any] = runpy.run_path(
    str(Path(__file__).resolve().parent.parent / "examples" / "simulated_week.py"),
    run_name="sim",
)


@pytest.mark.slow
def test_waking_on_actions_hands_out_what_waking_on_every_change_does() -> None:
    by_action, _ = SIM["run"](120, seed=5, until="action")
    by_change, _ = SIM["run"](120, seed=5, until="wakeup")
    keys = [a.key for _, a, _ in by_action.handed_out]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted(a.key for _, a, _ in by_change.handed_out)
    assert by_action.empty_wakeups == 0
    assert by_change.empty_wakeups > 0  # SLA warnings wake it for nothing
    assert by_action.evaluations < by_change.evaluations


def test_nothing_missed_or_late_against_polling_every_minute() -> None:
    worker, tickets = SIM["run"](60, seed=11)
    when = {(t, a.key): now for t, a, now in worker.handed_out}
    for ticket in tickets[::20]:
        horizon = min(ticket.opened.at.add(hours=12), SIM["WEEK_END"])
        for key, minute in SIM["polled"](ticket, horizon).items():
            assert when[(ticket.id, key)] <= minute
