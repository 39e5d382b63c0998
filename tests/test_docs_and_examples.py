"""Run every Python code block of the docs and every script in examples/.

A page's blocks run in order in one namespace, as a reader would type them.
A block whose first line is ``# skip-test`` is shown but not run (used only
for snippets that need the reader's own data).
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").rglob("*.md"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(page: Path) -> list[str]:
    return [b for b in _BLOCK.findall(page.read_text("utf-8")) if not b.startswith("# skip-test")]


@pytest.mark.parametrize("page", [p for p in DOCS if _blocks(p)], ids=lambda p: p.name)
def test_doc_code_blocks_run(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for number, block in enumerate(_blocks(page), start=1):
        code = compile(block, f"{page.name} (block {number})", "exec")
        exec(code, namespace)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(script), run_name="__main__")


def test_there_are_docs_and_examples() -> None:
    assert DOCS, "docs/ has no pages"
    assert EXAMPLES, "examples/ has no scripts"
