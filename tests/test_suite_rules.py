"""Rules the test suite keeps: the hypothesis profile sets every test's depth."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# A depth written in a test overrides the profile: `deep` would not go deeper. (A depth
# derived from the profile's own, such as half its steps, still follows it.)
PINNED = re.compile(r"\b(max_examples|stateful_step_count)\s*=\s*\d")


def test_no_test_pins_its_depth() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(TESTS.glob("test_*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PINNED.search(line) and path.name != Path(__file__).name
    ]
    assert offenders == [], "depth pinned in code; let tests/conftest.py profiles set it"


def test_the_rule_tells_a_pinned_depth_from_a_derived_one() -> None:
    assert PINNED.search("@settings(max_examples=5)")
    assert PINNED.search("settings(stateful_step_count = 12)")
    assert not PINNED.search("settings(p, stateful_step_count=max(1, p.stateful_step_count // 2))")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert len(commands) >= 2, "README.md opens with the install-and-demo and the test commands"
    ci = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == commands[1]
    assert "servicekit demo" in commands[0]
