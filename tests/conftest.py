"""Shared test configuration.

Hypothesis profiles: ``ci`` (derandomized, so CI is repeatable; the default
when the ``CI`` environment variable is set), ``dev`` (the default locally)
and ``deep`` (many more examples, for a long local run:
``HYPOTHESIS_PROFILE=deep pytest``); ``mutation`` and ``min-deps`` serve the scripts of the
same names.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _depth import PROFILE
from distributed import Client
from hypothesis import HealthCheck, Phase, settings

from servicekit.batch import dask_client
from servicekit.cli import main

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, stateful_step_count=30, deadline=None)
settings.register_profile(
    "deep",
    max_examples=2000,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# For scripts/mutation.sh: derandomized like ci but with more examples (the score measures the
# tests' power), and a failing mutant fails at once instead of being shrunk (shrinking is for
# reading a failure, and a mutant's is never read).
settings.register_profile(
    "mutation",
    parent=settings.get_profile("ci"),
    max_examples=60,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
# For .ci/min-deps: the suite's fast tier on the lowest declared versions asks whether the code
# runs on them, which a few derandomized examples per property answer; depth is the test
# command's job, on the current versions.
settings.register_profile(
    "min-deps", parent=settings.get_profile("ci"), max_examples=5, stateful_step_count=10
)
settings.load_profile(PROFILE)

ROOT = Path(__file__).resolve().parent.parent


def _runs_whole_suite(config: pytest.Config) -> bool:
    """Whether this run is the whole suite: every test path, nothing selected or left out."""
    option = config.option
    selected = (
        option.keyword,
        option.markexpr,
        option.deselect,
        option.ignore,
        option.ignore_glob,
        getattr(option, "lf", False),  # (absent with -p no:cacheprovider)
    )
    given = sorted(Path(arg).resolve() for arg in config.args)
    testpaths = sorted(config.rootpath / path for path in config.getini("testpaths"))
    return given == testpaths and not any(selected)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """The branch-coverage bar (pyproject.toml) is the whole suite's. A run of some tests (the
    fast checks while working on one module) is not held to it, and measures nothing unless
    asked to on the command line (``pytest tests/test_x.py --cov-report=term``): coverage would
    only slow it down and fail it for the modules it does not test.

    pytest-cov starts measuring before any conftest is read, so this stops what it started.
    """
    plugin = config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    if controller is None or _runs_whole_suite(config):
        return
    plugin.options.cov_fail_under = None
    if any(str(arg).startswith("--cov") for arg in config.invocation_params.args):
        return  # asked for on the command line: measured and reported, but not held to the bar
    controller.cov.stop()
    os.environ.pop("COVERAGE_PROCESS_CONFIG", None)  # subprocesses measure nothing either
    plugin.options.cov_report = {}


BPIC2013 = ROOT.parent / "shared" / "data" / "bpic2013" / "07_bpic2013_incidents.xes.gz"


@pytest.fixture(scope="session")
def bpic2013_path() -> Path:
    """The BPI Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium;
    4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee),
    read from ``../shared/data/``; tests that need it are skipped without it."""
    if not BPIC2013.exists():
        pytest.skip(f"BPI Challenge 2013 log not found at {BPIC2013}")
    return BPIC2013


def _run_servicekit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line with ``ARGS`` as ``python -m servicekit`` does, in this process.

    Standard output and error are captured, the exit status is ``main``'s (or argparse's
    ``SystemExit``), ``cwd`` is the working directory and the terminal is 100 columns wide.
    Starting Python and importing the library again for every command would make the tests
    that run each command of a guide several times slower; tests/test_cli.py runs the real
    ``python -m servicekit`` process. A raw exception is not caught: it fails the test, as its
    traceback on stderr would.
    """
    # Text streams over bytes, like a process's: commands that write binary use ``.buffer``.
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
    here = Path.cwd()
    with contextlib.ExitStack() as stack:
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        patch.setenv("COLUMNS", "100")
        if cwd is not None:
            patch.chdir(cwd)
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    assert Path.cwd() == here
    printed = []
    for stream in (out, err):
        stream.flush()
        printed.append(stream.buffer.getvalue().decode("utf-8"))
    return subprocess.CompletedProcess(["servicekit", *args], code, *printed)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks that follow from the fixtures a test uses, and the order the tests start in.

    - Under ``pytest -n`` (xdist, ``--dist loadgroup``) the tests of the shared Dask cluster run
      in one worker process: each worker would otherwise start a cluster of its own, two more
      processes competing for the same cores. They are marked ``cluster``: the lower-bounds
      run (``.ci/min-deps``) leaves them out (Dask is an optional extra it does not pin).
    - A test of the full BPI 2013 log is ``slow``; a ``slow`` test is not measured by coverage
      (``no_cover``): it runs code the lighter tests measure already, and tracing it would
      make it two to three times slower for nothing.
    - ``slow`` tests start first (a stable sort: the rest keep their order). xdist hands tests
      out in collection order, so a long test collected last would keep one worker busy while
      the other has finished: longest first is what lets two workers end together.
    """
    plugin = config.pluginmanager.get_plugin("_cov")
    # (Only while measuring: pytest-cov cannot pause what --no-cov or a partial run never ran.)
    measuring = getattr(plugin, "cov_controller", None) is not None and _runs_whole_suite(config)
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "client" in fixtures:
            item.add_marker(pytest.mark.xdist_group("dask"))
            item.add_marker(pytest.mark.cluster)
        if "bpic2013_path" in fixtures:
            item.add_marker(pytest.mark.slow)
        if measuring and item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.no_cover)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _subprocesses_measured_as_the_test(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The processes a ``no_cover`` test starts are not measured either."""
    if request.node.get_closest_marker("no_cover"):
        monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """A real Dask cluster of two worker processes, shared by the batch tests."""
    # Its workers run functions the in-process tests measure already: tracing them as well
    # (coverage's subprocess patch) would only slow the longest tests down.
    with contextlib.ExitStack() as stack:
        measuring = os.environ.pop("COVERAGE_PROCESS_CONFIG", None)
        try:
            c = stack.enter_context(dask_client(workers=2))
        finally:
            if measuring is not None:
                os.environ["COVERAGE_PROCESS_CONFIG"] = measuring
        yield c
