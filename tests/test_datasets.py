"""The XES reader: typed values, streaming, and precise errors for bad logs."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pendulum
import pytest

from servicekit.datasets import XesTrace, read_xes
from servicekit.errors import XesFormatError

LOG = b"""<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <string key="concept:name" value="log attributes are skipped"/>
  <trace>
    <string key="concept:name" value="case-1"/>
    <event>
      <string key="concept:name" value="Accepted"/>
      <date key="time:timestamp" value="2012-05-03T14:00:00+02:00"/>
      <int key="count" value="3"/>
      <float key="cost" value="2.5"/>
      <boolean key="urgent" value="true"/>
      <list key="nested"><string key="inner" value="ignored"/></list>
    </event>
    <event>
      <string key="concept:name" value="Completed"/>
      <date key="time:timestamp" value="2012-05-03T15:30:00.250+02:00"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="case-2"/>
  </trace>
</log>
"""


def test_reads_typed_values_from_bytes_and_gzip(tmp_path: Path) -> None:
    plain = list(read_xes(io.BytesIO(LOG)))
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(LOG))
    assert list(read_xes(path)) == plain
    first = plain[0]
    assert isinstance(first, XesTrace)
    assert first.name == "case-1"
    assert first.line == 4
    assert len(first.events) == 2
    event = first.events[0]
    assert event["time:timestamp"] == pendulum.datetime(2012, 5, 3, 12, tz="UTC")
    assert (event["count"], event["cost"], event["urgent"]) == (3, 2.5, True)
    assert "inner" not in event
    assert "nested" not in event
    assert first.events[1]["time:timestamp"].microsecond == 250_000  # type: ignore[union-attr]
    assert plain[1].events == ()


def test_streams_traces_before_the_end_of_the_file() -> None:
    traces = read_xes(io.BytesIO(LOG + b"<!-- trailing garbage that is never reached"))
    assert next(traces).name == "case-1"


def test_truncated_log_never_passes_for_complete() -> None:
    cut = LOG[: LOG.index(b"</trace>") + len(b"</trace>") + 30]
    seen = []
    with pytest.raises(XesFormatError, match=r"malformed XML.*line \d+|line \d+"):
        seen.extend(read_xes(io.BytesIO(cut)))
    assert [t.name for t in seen] == ["case-1"]  # the half-read second trace is not handed out


def test_truncated_gzip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress(LOG)[:-20])
    with pytest.raises(XesFormatError):
        list(read_xes(path))


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        (LOG.replace(b"2012-05-03T14:00:00+02:00", b"yesterday"), "not a valid XES date", 8),
        (LOG.replace(b'value="3"', b'value="three"'), "not a valid XES int", 9),
        (
            LOG.replace(b"2012-05-03T14:00:00+02:00", b"2012-05-03T14:00:00"),
            "not a valid XES date",
            8,
        ),
        (
            LOG.replace(b'<string key="concept:name" value="Accepted"/>', b"<string/>"),
            "key and a value",
            7,
        ),
        (LOG.replace(b"</event>", b"</evnt>", 1), "malformed XML", 13),
        (b"<notxes/>", "no XES <log>", 1),
    ],
)
def test_malformed_logs_name_the_line(text: bytes, fragment: str, line: int) -> None:
    with pytest.raises(XesFormatError, match=fragment) as info:
        list(read_xes(io.BytesIO(text)))
    assert info.value.line == line
    assert f"line {line}" in str(info.value)


def test_entities_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<log><trace><string key="concept:name" value="&b;"/></trace></log>"""
    with pytest.raises(XesFormatError, match="must not declare entities"):
        list(read_xes(io.BytesIO(bomb)))
