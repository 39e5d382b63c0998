"""The XES reader: typed values, streaming, and precise errors for bad logs."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit._time import to_micros
from servicekit.datasets import XesInstant, XesTrace, read_xes, read_xes_raw
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


# -- hardening: every failure an XesFormatError with the line, in bounded time -------------------


def _event_value(kind: str, value: str) -> bytes:
    element = f'<{kind} key="x" value="{value}"/>'.encode()
    return LOG.replace(b'<int key="count" value="3"/>', element)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("float", "nan"),
        ("float", "NaN"),
        ("float", "inf"),
        ("float", "-Infinity"),
        ("float", "1e999"),
        ("float", "1_0.5"),
        ("float", " 2.5"),
        ("int", "1_000"),
        ("int", " 3"),
        ("int", "\u0663"),  # an Arabic-Indic three
        ("int", "9" * 5000),
        ("int", str(1 << 63)),
        ("boolean", "yes"),
        ("date", "2012-05-03T14:00:00.5+02:00:00.5"),
    ],
)
def test_values_outside_their_xes_type_are_refused(kind: str, value: str) -> None:
    with pytest.raises(XesFormatError, match=f"not a valid XES {kind}") as info:
        list(read_xes(io.BytesIO(_event_value(kind, value))))
    assert info.value.line == 9


def test_a_key_given_twice_in_one_element_is_refused() -> None:
    twice = LOG.replace(b'<int key="count" value="3"/>', b'<string key="cost" value="x"/>')
    with pytest.raises(XesFormatError, match="'cost' is given twice") as info:
        list(read_xes(io.BytesIO(twice)))
    assert info.value.line == 10
    # The same key on an event and on its trace is no conflict.
    shared = LOG.replace(b'value="case-1"/>', b'value="case-1"/><string key="count" value="t"/>')
    first = next(read_xes(io.BytesIO(shared)))
    assert (first.attributes["count"], first.events[0]["count"]) == ("t", 3)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE log [<!ATTLIST string value CDATA "injected">]>',
        b'<!DOCTYPE log [<!ENTITY % p "x">]>',
        b'<!DOCTYPE log [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE log [<!ENTITY u SYSTEM "x" NDATA gif>]>',
        b"<!DOCTYPE log [ %pe; ]>",
        b"<!DOCTYPE log [ <!ELEMENT log ANY> ]>",
        b'<!DOCTYPE log SYSTEM "http://example.com/x.dtd">',
        b'<!DOCTYPE log PUBLIC "-//x//y" "x.dtd">',
    ],
)
def test_dtd_declarations_that_change_the_document_are_refused(doctype: bytes) -> None:
    text = LOG.replace(b"?>\n", b"?>\n" + doctype + b"\n", 1)
    with pytest.raises(XesFormatError, match="refused") as info:
        list(read_xes(io.BytesIO(text)))
    assert info.value.line == 2


def test_a_plain_doctype_is_accepted() -> None:
    text = LOG.replace(b"?>\n", b"?>\n<!DOCTYPE log>\n", 1)
    assert [t.name for t in read_xes(io.BytesIO(text))] == ["case-1", "case-2"]


def test_an_undefined_entity_is_an_error_never_dropped() -> None:
    text = LOG.replace(b'value="case-1"', b'value="a&ext;b"')
    with pytest.raises(XesFormatError, match="undefined entity"):
        list(read_xes(io.BytesIO(text)))


def test_corrupt_gzip_is_an_error(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(LOG * 20))
    packed[40:60] = b"\xff" * 20  # the deflate stream, not the header
    path = tmp_path / "corrupt.xes.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(XesFormatError, match="cannot read the log"):
        list(read_xes(path))


@pytest.mark.parametrize("encoding", [b"klingon", b"utf-7-bogus", b"cp932"])
def test_an_encoding_expat_cannot_use_is_an_error(encoding: bytes) -> None:
    text = LOG.replace(b'encoding="UTF-8"', b'encoding="' + encoding + b'"')
    with pytest.raises(XesFormatError, match=r"cannot decode the log|malformed XML") as info:
        list(read_xes(io.BytesIO(text)))
    assert info.value.line == 1


def test_a_huge_token_is_refused_with_the_limit() -> None:
    huge = b"x" * (8 << 20)
    text = LOG.replace(b'value="case-1"', b'value="' + huge + b'"')
    with pytest.raises(XesFormatError, match="longer than 1,048,576 bytes"):
        list(read_xes(io.BytesIO(text)))
    # The limit is the caller's to raise.
    assert next(read_xes(io.BytesIO(text), max_token_bytes=16 << 20)).name == huge.decode()
    with pytest.raises(XesFormatError, match="max_token_bytes"):
        next(read_xes(io.BytesIO(LOG), max_token_bytes=10))


@pytest.mark.parametrize("source", [None, b"/no/such/file.xes", 42])
def test_a_source_that_is_no_path_or_file_is_an_error(source: object) -> None:
    with pytest.raises(XesFormatError, match="path or a binary file object"):
        list(read_xes(source))  # type: ignore[arg-type]


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(XesFormatError, match="cannot open the log"):
        list(read_xes(tmp_path / "missing.xes"))
    with pytest.raises(XesFormatError, match="cannot open the log"):
        list(read_xes(tmp_path))


def test_prefixed_xes_and_other_roots() -> None:
    prefixed = (
        LOG.replace(b'xmlns="', b'xmlns:x="')
        .replace(b"<", b"<x:")
        .replace(b"<x:/", b"</x:")
        .replace(b"<x:?xml", b"<?xml")
        .replace(b"</x:", b"</x:")
    )
    assert [t.name for t in read_xes(io.BytesIO(prefixed))] == ["case-1", "case-2"]
    with pytest.raises(XesFormatError, match=r"no XES <log> element \(the root is <feed>\)"):
        list(read_xes(io.BytesIO(b"<feed><trace/></feed>")))
    with pytest.raises(XesFormatError, match="<trace> inside a <trace>"):
        list(read_xes(io.BytesIO(b"<log><trace><trace/></trace></log>")))


def test_the_raw_reader_gives_the_same_instants_as_integer_microseconds() -> None:
    plain = list(read_xes(io.BytesIO(LOG)))
    raw = list(read_xes_raw(io.BytesIO(LOG)))
    assert [t.name for t in raw] == [t.name for t in plain]
    for ours, theirs in zip(raw, plain, strict=True):
        for a, b in zip(ours.events, theirs.events, strict=True):
            assert a.keys() == b.keys()
            instant = a["time:timestamp"]
            assert isinstance(instant, XesInstant)
            assert instant.micros == to_micros(b["time:timestamp"])
            assert instant.offset == 7200
            assert instant.to_datetime() == b["time:timestamp"]
            assert repr(instant.to_datetime()) == repr(b["time:timestamp"])


@given(
    at=st.datetimes(
        min_value=dt.datetime(1900, 1, 2),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.sampled_from([-12 * 60, -570, -60, 0, 60, 120, 345, 14 * 60]).map(
            lambda m: dt.timezone(dt.timedelta(minutes=m))
        ),
    ),
    micro=st.booleans(),
)
def test_any_written_date_reads_back_exactly(at: dt.datetime, micro: bool) -> None:
    at = at if micro else at.replace(microsecond=0)
    text = (
        b'<log><trace><event><date key="t" value="' + at.isoformat().encode() + b'"/>'
        b"</event></trace></log>"
    )
    value = next(read_xes(io.BytesIO(text))).events[0]["t"]
    instant = next(read_xes_raw(io.BytesIO(text))).events[0]["t"]
    assert value == at
    assert value.utcoffset() == at.utcoffset()  # type: ignore[union-attr]
    assert instant == XesInstant(to_micros(at), int(at.utcoffset().total_seconds()))  # type: ignore[union-attr]
    assert instant.to_datetime() == value  # type: ignore[union-attr]


@given(
    cut=st.integers(min_value=0, max_value=len(LOG)),
    junk=st.binary(max_size=12),
    gzipped=st.booleans(),
)
def test_fuzzed_logs_give_traces_or_an_xes_format_error(
    cut: int, junk: bytes, gzipped: bool
) -> None:
    text = LOG[:cut] + junk + LOG[cut + len(junk) :]
    data = gzip.compress(text) if gzipped else text
    line: int | None = None
    try:
        traces = list(read_xes(io.BytesIO(data)))
    except XesFormatError as exc:
        line = exc.line
        traces = []
    assert line is None or line >= 1
    assert all(isinstance(t, XesTrace) for t in traces)
