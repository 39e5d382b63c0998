"""Shared test configuration.

Hypothesis profiles: ``ci`` (derandomized, so CI is repeatable; the default
when the ``CI`` environment variable is set), ``dev`` (the default locally)
and ``deep`` (many more examples, for a long local run:
``HYPOTHESIS_PROFILE=deep pytest``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client
from hypothesis import HealthCheck, Phase, settings

from servicekit.batch import dask_client

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
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
# For scripts/mutation.sh: the ci examples, but a failing mutant fails at once instead of being
# shrunk (shrinking is for reading a failure, and a mutant's is never read).
settings.register_profile(
    "mutation",
    parent=settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent
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
    """Run ``python -m servicekit ARGS`` on this checkout's sources, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "servicekit", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
    )


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """A real Dask cluster of two worker processes, shared by the batch tests."""
    with dask_client(workers=2) as c:
        yield c
