"""Rules the test suite keeps: the hypothesis profile sets every test's depth."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# A depth written in a test overrides the profile: `deep` would not go deeper.
PINNED = re.compile(r"\b(max_examples|stateful_step_count)\s*=")


def test_no_test_pins_its_depth() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(TESTS.glob("test_*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PINNED.search(line) and path.name != Path(__file__).name
    ]
    assert offenders == [], "depth pinned in code; let tests/conftest.py profiles set it"
