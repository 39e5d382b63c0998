"""The CSV source read in batches against a record-at-a-time reading.

The source cuts a batch of plain lines with whole-list calls and hands anything else to the
standard library's reader; the reference here reads every record alone, as the sources did
before. The rows handed out before the reading stopped, their lines, and the error that
stopped it must be identical, batch boundaries anywhere (the batch size is made tiny).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicekit.errors import SourceError, UnmappedStatusError
from servicekit.sources import CsvSource, SourceMapping, _readers
from servicekit.sources._tickets import TicketReader, _RowReader, _ScanTally

Outcome = tuple[list[tuple[int, dict[str, object]]], str | None]


def _outcome(rows: Callable[[], Iterator[tuple[int, object]]]) -> Outcome:
    seen: list[tuple[int, dict[str, object]]] = []
    try:
        for line, row in rows():
            seen.append((line, dict(row)))  # type: ignore[call-overload]
    except SourceError as exc:
        return seen, str(exc)
    return seen, None


def _csv_one_by_one(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Every record with its first line, one ``csv.reader`` step at a time (the headers
    drawn here name distinct columns)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, [])
            start = reader.line_num + 1
            for record in reader:
                if record and len(record) != len(header):
                    raise SourceError(
                        f"{path}, line {start}: {len(record)} fields where the header has "
                        f"{len(header)}; quote values that contain {delimiter!r}"
                    )
                if record:
                    yield start, dict(zip(header, record, strict=True))
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not utf-8 text ({exc}); pass the file's encoding") from exc
    except csv.Error as exc:
        raise SourceError(f"{path}: malformed CSV: {exc}") from exc


# Fields of every kind: plain, empty, blank, long (over a small field limit), quoted (with a
# delimiter, a line break, a doubled quote inside), a stray quote, the other delimiter.
_FIELDS = st.sampled_from(
    ["x", "yz", "", " 1", "a long field", '"q"', '"a,b"', '"x\ny"', '"a""b"', 'a"b', "\t"]
)
_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", ""])


@st.composite
def _csv_bytes(draw: st.DrawFn, delimiter: str, fields: st.SearchStrategy[str] = _FIELDS) -> bytes:
    width = draw(st.integers(1, 3))
    text = delimiter.join(f"c{i}" for i in range(width)) + draw(st.sampled_from(["\n", "\r\n"]))
    for _ in range(draw(st.integers(0, 12))):
        # Mostly the header's width, so that whole batches are plain.
        record = draw(st.lists(fields, min_size=width, max_size=width + 1))
        if draw(st.integers(0, 4)):
            record = record[:width]
        text += delimiter.join(record) + draw(_ENDS)
    data = text.encode()
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


_DELIMITED = st.sampled_from([",", "\t"]).flatmap(lambda d: st.tuples(st.just(d), _csv_bytes(d)))


@given(_DELIMITED, st.integers(1, 4), st.sampled_from([0, 8]))
@example((",", b'c0,c1\nx,"q"\n'), 1, 0)  # quoted
@example((",", b"c0,c1\nx,a long field\n"), 1, 8)  # over the field limit
@example(("\t", b"c0\tc1\r\n\r\nx\ty\r"), 2, 0)  # a blank line, a lone return
def test_csv_batches_read_as_one_record_at_a_time(
    delimited: tuple[str, bytes], batch: int, limit: int
) -> None:
    delimiter, content = delimited
    old_limit = csv.field_size_limit()
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(content)
        patch.setattr(_readers, "_LINE_BATCH", batch)
        if limit:
            csv.field_size_limit(limit)  # a field over the limit is the reader's error
        try:
            expected = _outcome(lambda: _csv_one_by_one(path, delimiter))
            assert _outcome(lambda: CsvSource(path, delimiter=delimiter).rows()) == expected
        finally:
            csv.field_size_limit(old_limit)


@pytest.mark.parametrize("bad_byte_at", [None, 20_000, 70_000])
def test_csv_batches_of_the_real_size(tmp_path: Path, bad_byte_at: int | None) -> None:
    """A file of many batches, plain and quoted, with the default batch size; the rows before
    a byte that is not UTF-8 (past the first chunk the file is decoded in) come first."""
    path = tmp_path / "many.csv"
    lines = ["id,at,note\r\n"]
    for i in range(3 * _readers._LINE_BATCH):
        note = f'"a note, with\r\na break {i}"' if i % 997 == 0 else f"plain {i}"
        lines.append(f"T{i // 7},2025-01-01T00:00:{i % 60:02}+00:00,{note}\r\n")
    data = "".join(lines).encode()
    if bad_byte_at is not None:
        data = data[:bad_byte_at] + b"\xff" + data[bad_byte_at:]
    path.write_bytes(data)
    outcome = _outcome(lambda: CsvSource(path).rows())
    assert outcome == _outcome(lambda: _csv_one_by_one(path, ","))
    rows, error = outcome
    if bad_byte_at is None:
        assert error is None
        assert len(rows) == 3 * _readers._LINE_BATCH
        # The first record and the 998th hold a line break: the 999th starts on line 1002.
        note = "plain 998"
        assert rows[998] == (1002, {"id": "T142", "at": "2025-01-01T00:00:38+00:00", "note": note})
    else:
        assert error is not None
        assert "not utf-8 text" in error
        assert 0 < len(rows) < bad_byte_at // 40


# Times too (with an offset, local, in a fold of the mapping's zone, not a time), so that
# the first pass reads ids, statuses, priorities and times from the same columns.
_SCAN_FIELDS = st.one_of(
    _FIELDS,
    st.sampled_from(["x", "yz", ""]),
    st.sampled_from(
        [
            "2025-03-03T09:00:00+01:00",
            "2025-03-03T10:00:00+02:00",
            "2025-03-03T08:30:00",
            "2025-10-26T02:30:00",
        ]
    ),
)
_SCAN_MAPPING = SourceMapping(
    ticket="c0",
    time="c1",
    status=["c0", "c2"],
    priority="c2",
    timezone="Europe/Brussels",
    lifecycle="helpdesk",
)


@given(
    st.sampled_from([",", "\t"]).flatmap(
        lambda d: st.tuples(st.just(d), _csv_bytes(d, _SCAN_FIELDS))
    )
)
# Plain batches of several records (the status column c2 missing).
@example((",", b"c0,c1\na,2025-03-03T09:00:00+01:00\na,x\nb,\nb,2025-03-03T08:30:00\nc,y\n"))
def test_a_first_pass_reads_a_csv_file_by_position_as_row_by_row(
    delimited: tuple[str, bytes],
) -> None:
    delimiter, content = delimited
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(content)
        patch.setattr(_readers, "_LINE_BATCH", 3)
        source = CsvSource(path, delimiter=delimiter)

        def by_row() -> object:
            tally = _ScanTally(_RowReader(_SCAN_MAPPING))
            for line, row in source.rows():
                tally.add(line, row)
            return tally.result()

        def by_position() -> object:
            reader = TicketReader(source, _SCAN_MAPPING)
            try:
                return reader.scan()
            except UnmappedStatusError:
                return reader._scan  # the figures are kept before the statuses are checked

        def outcome(scan: Callable[[], object]) -> object:
            try:
                return scan()
            except SourceError as exc:
                return str(exc)

        assert outcome(by_position) == outcome(by_row)
