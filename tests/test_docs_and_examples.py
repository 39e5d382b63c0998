"""Run every Python code block of the docs, and every script in examples/, checking what they print.

A page's blocks run in order in one namespace, as a reader would type them. A
block whose first line is ``# skip-test`` is shown but not run (used only for
snippets that need the reader's own data). A block followed directly by a
fence opened as ```` ```text title="Output" ```` must print exactly that
text (trailing spaces ignored), so the shown output cannot drift. A
```` ```console ```` block that shows what its ``$ servicekit ...`` commands
print (lines after a command, up to the next ``$``) is checked the same way;
one that shows only commands is left to the guide's own test.

Docstring examples (``>>>``) in the package run as doctests.

Each example prints what ``examples/output/<name>.txt`` holds, at a console
width of 100 columns without colour. After a deliberate change, rewrite those
files with ``SERVICEKIT_UPDATE_OUTPUT=1 pytest tests/test_docs_and_examples.py``
and read the diff before committing it.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import os
import pkgutil
import re
import runpy
import shlex
import sys
from pathlib import Path

import pytest

import servicekit
from servicekit.cli import main as servicekit_main

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").rglob("*.md"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# Whole simulations and long scenarios (seconds each): the other examples and the tests of each
# part run the same code.
SLOW_EXAMPLES = {
    "batch_dask.py",
    "major_incident.py",
    "simulated_week.py",
    "testing_your_protocol.py",
}
OUTPUTS = ROOT / "examples" / "output"
_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*\n?", re.MULTILINE | re.DOTALL)
_OUTPUT_INFO = 'text title="Output"'


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _blocks(page: Path) -> list[tuple[str, str | None]]:
    """The page's runnable blocks, each with the output shown right after it (or None)."""
    text = page.read_text("utf-8")
    fences = list(_FENCE.finditer(text))
    blocks: list[tuple[str, str | None]] = []
    for i, fence in enumerate(fences):
        info = fence["info"].strip()
        if info == _OUTPUT_INFO:
            previous = fences[i - 1] if i else None
            follows_python = previous is not None and previous["info"].split()[:1] == ["python"]
            assert follows_python, f"{page.name}: an Output block must follow a python block"
            assert previous is not None
            assert not text[previous.end() : fence.start()].strip(), (
                f"{page.name}: nothing may stand between a python block and its Output"
            )
            continue
        if info.split()[:1] != ["python"] or fence["body"].startswith("# skip-test"):
            continue
        after = fences[i + 1] if i + 1 < len(fences) else None
        shown = None
        if after is not None and after["info"].strip() == _OUTPUT_INFO:
            shown = after["body"]
        blocks.append((fence["body"], shown))
    return blocks


def _console_runs(page: Path) -> list[tuple[list[str], str]]:
    """The page's console commands that show what they print: (arguments, shown output)."""
    runs: list[tuple[list[str], str]] = []
    for fence in _FENCE.finditer(page.read_text("utf-8")):
        lines = fence["body"].splitlines()
        if (
            fence["info"].strip() != "console"
            or fence["body"].startswith("# skip-test")
            or all(line.startswith("$ ") for line in lines)
        ):
            continue
        assert lines[0].startswith("$ servicekit "), (
            f"{page.name}: a console block showing output starts with a servicekit command"
        )
        for line in lines:
            if line.startswith("$ "):
                assert line.startswith("$ servicekit "), f"{page.name}: {line!r} is not servicekit"
                runs.append((shlex.split(line)[2:], ""))
            else:
                runs[-1] = (runs[-1][0], runs[-1][1] + line + "\n")
    return runs


@pytest.fixture
def plain_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich prints the same text everywhere: 100 columns, no colour, no terminal tricks."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("page", [p for p in DOCS if _blocks(p)], ids=lambda p: p.name)
@pytest.mark.usefixtures("plain_console")
def test_doc_code_blocks_run_and_print_what_is_shown(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for number, (block, shown) in enumerate(_blocks(page), start=1):
        code = compile(block, f"{page.name} (block {number})", "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
        if shown is not None:
            assert _normal(printed.getvalue()) == _normal(shown), (
                f"{page.name} block {number} printed something else than its Output block"
            )


@pytest.mark.parametrize("page", [p for p in DOCS if _console_runs(p)], ids=lambda p: p.name)
@pytest.mark.usefixtures("plain_console")
def test_doc_commands_print_what_is_shown(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for arguments, shown in _console_runs(page):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = servicekit_main(arguments)
        assert code == 0, f"{page.name}: servicekit {shlex.join(arguments)} exited with {code}"
        assert _normal(printed.getvalue()) == _normal(shown), (
            f"{page.name}: servicekit {shlex.join(arguments)} printed something else than shown"
        )


def _modules() -> list[str]:
    found = ["servicekit"]
    for info in pkgutil.walk_packages(servicekit.__path__, "servicekit."):
        if not info.name.endswith(".__main__"):  # importing it would run the command line
            found.append(info.name)
    return sorted(found)


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples(module: str) -> None:
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(mod, module):
        if test.examples and test.name.startswith(module):
            runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {module} failed"


def _example_output(script: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(script), run_name="__main__")
    return printed.getvalue()


@pytest.mark.parametrize(
    "script",
    [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW_EXAMPLES else p for p in EXAMPLES],
    ids=lambda p: p.name,
)
@pytest.mark.usefixtures("plain_console")
def test_example_prints_its_recorded_output(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = _example_output(script, monkeypatch)
    recorded = OUTPUTS / f"{script.stem}.txt"
    if os.environ.get("SERVICEKIT_UPDATE_OUTPUT"):
        OUTPUTS.mkdir(exist_ok=True)
        recorded.write_text(printed, "utf-8")
    assert recorded.exists(), (
        f"record what {script.name} prints: SERVICEKIT_UPDATE_OUTPUT=1 pytest {Path(__file__).name}"
    )
    assert _normal(printed) == _normal(recorded.read_text("utf-8")), (
        f"{script.name} printed something else than {recorded.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_says_what_it_shows(script: Path) -> None:
    source = script.read_text("utf-8")
    assert source.startswith('"""'), f"{script.name}: start with a docstring saying what it shows"
    assert "Run: python examples/" in source, f"{script.name}: say how to run it"


def test_there_are_docs_and_examples() -> None:
    assert DOCS, "docs/ has no pages"
    assert EXAMPLES, "examples/ has no scripts"
    unrecorded = {p.stem for p in OUTPUTS.glob("*.txt")} - {p.stem for p in EXAMPLES}
    assert not unrecorded, f"recorded outputs of no example: {sorted(unrecorded)}"


def test_output_blocks_are_checked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        '```python\nprint("hi")\n```\n\n```text title="Output"\nhi\n```\n```python\nx = 1\n```\n',
        "utf-8",
    )
    assert _blocks(page) == [('print("hi")\n', "hi\n"), ("x = 1\n", None)]
    page.write_text(
        "```console\n$ servicekit demo\n```\n```console\n$ servicekit a b\nout\n"
        "$ servicekit c\n\nmore\n```\n",
        "utf-8",
    )
    assert _console_runs(page) == [(["a", "b"], "out\n"), (["c"], "\nmore\n")]
