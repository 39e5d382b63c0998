"""Optional extras: a feature whose dependency is missing names the extra that brings it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from servicekit._extras import optional_import
from servicekit._plotting import pyplot
from servicekit.errors import MissingExtraError, ServiceKitError
from servicekit.sources import ParquetSource, SqlSource


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    # a None entry in sys.modules makes `import` raise ImportError, as if not installed
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_an_installed_module_is_returned() -> None:
    assert optional_import("json", needed_for="x", extra="y").dumps([]) == "[]"


def test_a_missing_module_names_the_feature_and_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "pyarrow.parquet")
    with pytest.raises(MissingExtraError) as caught:
        optional_import("pyarrow.parquet", needed_for="reading Parquet", extra="sources")
    assert str(caught.value) == (
        "reading Parquet needs pyarrow, which is not installed: pip install 'servicekit[sources]'"
    )
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, ServiceKitError)


def test_sources_and_charts_say_which_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    export = tmp_path / "events.parquet"
    export.write_bytes(b"PAR1")
    _without(monkeypatch, "pyarrow.parquet", "sqlalchemy", "matplotlib")
    with pytest.raises(MissingExtraError, match=r"reading Parquet.*servicekit\[sources\]"):
        list(ParquetSource(export).rows())
    with pytest.raises(MissingExtraError, match=r"reading SQL.*servicekit\[sources\]"):
        list(SqlSource("sqlite://", "SELECT 1").rows())
    with pytest.raises(MissingExtraError, match=r"charts needs matplotlib.*servicekit\[plot\]"):
        pyplot()
