"""The release artefacts work for someone who installs them with no extras.

``python -m build`` makes the sdist and, from it, the wheel (so the sdist is
proven complete); ``twine check`` accepts both. The wheel is then installed
into a fresh virtual environment that sees exactly servicekit's declared
runtime dependencies and nothing else, and the demo, an example and the
``testing`` extra's advice are run from there.

How the environment stays honest without a network download: the venv is made
*without* the system site-packages; a ``.pth`` file adds one directory holding
links to the installed files of the wheel's ``Requires-Dist`` closure (the
dependencies' own dependencies included, extras excluded). hypothesis, pandas,
matplotlib and every other package of the development set-up are therefore not
importable there, so an accidental import of one fails these tests, and
``pip check`` proves the declared version ranges are met by what is linked.
One build and one venv serve the whole session (about ten seconds).
"""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import servicekit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "business_calendar.py"
# One build and one venv for the session: under xdist, every test of this module runs on the
# same worker, or each worker would build and install its own. Slow: what it measures is the
# built wheel in a venv of its own, which coverage of the working tree cannot see anyway.
pytestmark = [pytest.mark.xdist_group("packaging"), pytest.mark.slow]


def _run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH would let the venv import the working tree instead of the wheel.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _ok(*args: str | Path, cwd: Path = ROOT) -> str:
    done = _run(*args, cwd=cwd)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    _ok(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(zf.read(name).decode("utf-8"))


def _runtime_closure(wheel: Path) -> list[md.Distribution]:
    """The installed distributions a plain ``pip install servicekit`` would bring."""
    todo = [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]
    seen: dict[str, md.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = req.name.lower().replace("_", "-")
        if key in seen:
            continue
        dist = md.distribution(req.name)
        assert dist.version in req.specifier, f"installed {req.name} {dist.version} is not {req}"
        seen[key] = dist
        todo.extend(Requirement(r) for r in dist.requires or [])
    return list(seen.values())


@pytest.fixture(scope="session")
def venv_bin(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a venv holding the wheel and only its runtime dependencies."""
    base = tmp_path_factory.mktemp("venv")
    env = base / "env"
    _ok(sys.executable, "-m", "venv", "--without-pip", env)
    python = env / "bin" / "python"
    site = Path(_ok(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    deps = base / "runtime-deps"
    deps.mkdir()
    for installed in _runtime_closure(dist["wheel"]):
        assert installed.files is not None, f"{installed.metadata['Name']} has no RECORD"
        tops = {f.parts[0] for f in installed.files if f.parts[0] not in {"..", "__pycache__"}}
        for top in tops:
            target = Path(str(installed.locate_file(top)))
            if target.exists() and not (deps / top).exists():
                (deps / top).symlink_to(target)
    (site / "runtime-deps.pth").write_text(f"{deps}\n", "utf-8")
    _ok(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
        "--no-deps", "--no-index", dist["wheel"],
    )  # fmt: skip
    return env / "bin"


def test_twine_accepts_sdist_and_wheel(dist: dict[str, Path]) -> None:
    out = _ok(sys.executable, "-m", "twine", "check", "--strict", dist["sdist"], dist["wheel"])
    assert out.count("PASSED") == 2, out


def test_wheel_holds_types_data_and_one_version(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as zf:
        names = set(zf.namelist())
    assert "servicekit/py.typed" in names
    assert "servicekit/_data/bpic2013_sample.xes.gz" in names
    assert "servicekit/_data/README.md" in names, "the extract's citation must ship with it"
    for shipped in ("reactive.toml", "crisis.toml", "protocol.schema.json"):
        assert f"servicekit/protocols/_data/{shipped}" in names, "protocol files must ship"
    assert not any(n.startswith(("tests/", "docs/", "examples/")) for n in names)
    meta = _metadata(dist["wheel"])
    assert meta["Version"] == servicekit.__version__
    assert dist["wheel"].name.startswith(f"servicekit-{servicekit.__version__}-")
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Description-Content-Type"] == "text/markdown"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert set(urls) >= {"Documentation", "Source", "Issues", "Changelog"}
    assert all(u.startswith("https://") for u in urls.values()), urls
    extras = set(meta.get_all("Provides-Extra") or [])
    assert "testing" in extras
    testing = [r for r in meta.get_all("Requires-Dist") or [] if "extra == 'testing'" in r]
    assert [Requirement(r).name for r in testing] == ["hypothesis"]


def test_sdist_holds_tests_docs_and_changelog(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for needed in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "mkdocs.yml"):
        assert needed in names, needed
    assert "tests/conftest.py" in names
    assert "src/servicekit/py.typed" in names


def test_installed_wheel_is_the_one_imported_and_its_deps_are_met(venv_bin: Path) -> None:
    where = _ok(
        venv_bin / "python",
        "-c",
        "import importlib.metadata as m, servicekit; "
        "print(servicekit.__file__); print(m.version('servicekit') == servicekit.__version__)",
        cwd=venv_bin,
    ).split()
    assert where[0].startswith(str(venv_bin.parent)), where
    assert where[1] == "True"
    _ok(sys.executable, "-m", "pip", "--python", venv_bin / "python", "check")


def test_demo_and_an_example_run_without_extras(venv_bin: Path) -> None:
    demo = _ok(venv_bin / "servicekit", "demo", "--width", "100", cwd=venv_bin)
    assert "BPI" in demo, demo
    _ok(venv_bin / "python", EXAMPLE)


def test_testing_without_hypothesis_names_the_extra(venv_bin: Path) -> None:
    done = _run(venv_bin / "python", "-c", "import servicekit.testing", cwd=venv_bin)
    assert done.returncode != 0
    assert "MissingExtraError" in done.stderr
    assert "pip install 'servicekit[testing]'" in done.stderr


def test_changelog_has_an_entry_for_this_version() -> None:
    """Keep a Changelog: `## [Unreleased]` first, then one dated entry per release, newest first;
    a release version (not `.devN`) must have its entry."""
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.MULTILINE)
    assert headings[0] == ("Unreleased", ""), "the first section is ## [Unreleased]"
    releases = [Version(v) for v, _ in headings[1:]]
    assert all(date for _, date in headings[1:]), "every release heading carries its date"
    assert releases == sorted(releases, reverse=True), "releases newest first"
    version = Version(servicekit.__version__)
    if not version.is_devrelease:
        assert releases[:1] == [version], f"no changelog entry for {version}"
    for release in releases:
        assert f"[{release}]: https://github.com/servicekit/servicekit/" in text, (
            f"add a link reference for [{release}] at the end of CHANGELOG.md"
        )
