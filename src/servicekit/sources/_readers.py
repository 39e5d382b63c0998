"""Row sources: a team's export read as numbered rows, in chunks, whatever its format.

Each source yields ``(line, row)`` pairs: ``line`` is where a person finds the
row (the CSV or JSON Lines line, the Parquet or SQL row number, the XES line
of the trace) and ``row`` maps column names to values. A source can be read
more than once (files are reopened, queries re-run), which is what lets a
replay take a cheap first pass before it evaluates.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Generator, Iterator, Mapping, Sequence
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any, Final, Protocol

import attrs

from servicekit._extras import optional_import
from servicekit.errors import SourceError
from servicekit.sources._xes import xes_rows

__all__ = [
    "CsvSource",
    "DataFrameSource",
    "JsonLinesSource",
    "ParquetSource",
    "RowSource",
    "SqlSource",
    "XesSource",
    "open_source",
]

_CHUNK_ROWS: Final = 10_000
# Lines of a CSV file taken at a time: a batch of plain records is cut by whole-list C calls.
_LINE_BATCH: Final = 1_000
_FORMATS: Final = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xes": "xes",
}


class RowSource(Protocol):
    """Anything that yields numbered rows and says what it is."""

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every row with its line or row number, in the source's order."""
        ...  # pragma: no cover

    @property
    def grouped(self) -> bool:
        """Whether each ticket's rows are known to come together (XES traces)."""
        ...  # pragma: no cover

    def describe(self) -> str:
        """What the source is, for reports."""
        ...  # pragma: no cover


def _existing(path: str | os.PathLike[str]) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise SourceError(f"expected a path to an export, got {type(path).__name__} {path!r}")
    file = Path(path)
    if file.is_dir():
        raise SourceError(f"{file}: is a directory; give the export file inside it")
    if not file.exists():
        raise SourceError(f"{file}: no such file")
    return file


@attrs.frozen
class CsvSource:
    """A CSV (or TSV) export with a header row.

    Attributes:
        path: the file.
        delimiter: the field delimiter (``","``; ``"\\t"`` for TSV).
        encoding: the text encoding.
    """

    path: Path = attrs.field(converter=_existing)
    delimiter: str = ","
    encoding: str = "utf-8"

    grouped: bool = attrs.field(default=False, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every record with the line it starts on (the header is line 1)."""
        # Handed out a batch at a time: no generator is resumed per record.
        return chain.from_iterable(
            list(zip(lines, map(dict, map(zip, repeat(header), records)), strict=True))
            for lines, records, header in self.record_batches()
        )

    def record_batches(self) -> Iterator[tuple[Sequence[int], list[list[str]], list[str]]]:
        """What :meth:`rows` gives, as lists of fields a batch at a time: each batch's lines,
        its records (each as wide as the header) and the header. A pass that reads a few
        columns of every record reads them by position, without building the mappings.

        The file's lines are taken a batch at a time, as the csv module would take them. A
        batch where every line is one record of plain fields (see :func:`_plain_records`)
        is cut at line ends and delimiters by whole-list C calls; any other goes through
        ``csv.reader``, which may read on past the batch (a quoted field holding line
        breaks); the next batch starts where it stopped. The records before an error are
        handed out, then the error.
        """
        try:
            with self.path.open(encoding=self.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                header = next(reader, None)
                if header is None:
                    return
                if len(set(header)) != len(header):
                    dup = sorted({h for h in header if header.count(h) > 1})
                    raise SourceError(f"{self.path}: the header repeats the columns {dup}")
                line = reader.line_num + 1
                plain = self.delimiter not in ('"', "\r", "\n")
                for lines, error in _line_batches(handle):
                    records = _plain_records(lines, self.delimiter, len(header)) if plain else None
                    if records is not None:
                        yield range(line, line + len(records)), records, header
                        line += len(records)
                    elif lines:
                        rest = handle if error is None else _raising(error)
                        line = yield from self._one_by_one(
                            chain(lines, rest), len(lines), header, line
                        )
                    if error is not None:
                        raise error
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{self.path}: not {self.encoding} text ({exc}); pass the file's encoding"
            ) from exc
        except csv.Error as exc:
            raise SourceError(f"{self.path}: malformed CSV: {exc}") from exc

    def _one_by_one(
        self, lines: Iterator[str], size: int, header: list[str], line: int
    ) -> Generator[tuple[Sequence[int], list[list[str]], list[str]], None, int]:
        """The records of ``lines`` one at a time, read by ``csv.reader`` until ``size`` lines
        are read, the first on ``line``; returns the line after them."""
        width = len(header)
        reader = csv.reader(lines, delimiter=self.delimiter)
        before = line - 1  # the line before the batch
        for record in reader:
            if len(record) != width and record:
                raise SourceError(
                    f"{self.path}, line {line}: {len(record)} fields where the header "
                    f"has {width}; quote values that contain {self.delimiter!r}"
                )
            if record:
                yield (line,), [record], header
            line = before + reader.line_num + 1
            if reader.line_num >= size:
                break
        return line

    def describe(self) -> str:
        """The file, as a report names it."""
        return str(self.path)


def _plain_records(lines: list[str], delimiter: str, width: int) -> list[list[str]] | None:
    """The records of ``lines`` when each is a record of ``width`` plain fields (no quote,
    no field over the csv module's limit), as ``csv.reader`` reads them; ``None`` when any
    is not.

    A file opened with ``newline=""`` ends each line at its first line break (``"\\r\\n"``,
    ``"\\r"`` or ``"\\n"``), so a line holds no other: stripped of it, a line without
    quotes is its fields and delimiters (a blank one is one field, where csv reads none:
    the width tells them apart but for a one-column header).
    """
    text = "".join(lines)
    if width < 2 or '"' in text:
        return None
    limit = csv.field_size_limit()
    if len(text) > limit and max(map(len, lines)) > limit:
        return None  # a field may be over the limit: csv.reader says so
    records = list(map(str.split, map(str.rstrip, lines, repeat("\r\n")), repeat(delimiter)))
    if set(map(len, records)) != {width}:
        return None
    return records


def _line_batches(handle: Iterator[str]) -> Iterator[tuple[list[str], Exception | None]]:
    """The lines of an open text file a batch at a time, and the error that cut a batch short
    (the lines before text that does not decode are read first); the reader of a batch may
    read on from ``handle``, and the next batch starts where it stopped."""
    while True:
        lines: list[str] = []
        try:
            lines.extend(islice(handle, _LINE_BATCH))  # extend keeps what it read before an error
        except UnicodeDecodeError as exc:
            yield lines, exc
            return
        if not lines:
            return
        yield lines, None


def _raising(error: Exception) -> Iterator[str]:
    """Where a file's lines stop with ``error``: raises it when reached."""
    raise error
    yield  # a generator: raises on the first next()


@attrs.frozen
class JsonLinesSource:
    """A JSON Lines export: one JSON object per line (blank lines are skipped).

    Attributes:
        path: the file.
    """

    path: Path = attrs.field(converter=_existing)

    grouped: bool = attrs.field(default=False, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every object with its line number."""
        try:
            with self.path.open(encoding="utf-8") as handle:
                for line, text in enumerate(handle, start=1):
                    if not text.strip():
                        continue
                    try:
                        row = json.loads(text)
                    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
                        raise SourceError(f"{self.path}, line {line}: not JSON: {exc}") from exc
                    if not isinstance(row, dict):
                        raise SourceError(
                            f"{self.path}, line {line}: a JSON Lines row must be an object, "
                            f"got {type(row).__name__}"
                        )
                    yield line, row
        except UnicodeDecodeError as exc:
            raise SourceError(f"{self.path}: not UTF-8 text ({exc})") from exc

    def describe(self) -> str:
        """The file, as a report names it."""
        return str(self.path)


@attrs.frozen
class ParquetSource:
    """A Parquet export, read in record batches (needs ``pyarrow``: ``servicekit[sources]``).

    Attributes:
        path: the file.
        columns: read only these columns (``None``: all).
    """

    path: Path = attrs.field(converter=_existing)
    columns: tuple[str, ...] | None = None

    grouped: bool = attrs.field(default=False, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every row with its 1-based row number."""
        pq = _pyarrow_parquet()
        try:
            file = pq.ParquetFile(self.path)
            batches = file.iter_batches(
                batch_size=_CHUNK_ROWS, columns=list(self.columns) if self.columns else None
            )
            number = 0
            for batch in batches:
                for row in batch.to_pylist():
                    number += 1
                    yield number, row
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise SourceError(f"{self.path}: cannot read Parquet: {exc}") from exc

    def describe(self) -> str:
        """The file, as a report names it."""
        return str(self.path)


def _pyarrow_parquet() -> Any:
    return optional_import("pyarrow.parquet", needed_for="reading Parquet", extra="sources")


@attrs.frozen(eq=False)
class DataFrameSource:
    """A pandas ``DataFrame`` of events, one row per event.

    Attributes:
        frame: the data frame; missing values (``NaN``, ``NaT``, ``None``) read as missing.
    """

    frame: Any  # a pandas DataFrame (pandas is an optional extra)

    grouped: bool = attrs.field(default=False, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every row with its 1-based position."""
        columns = [str(c) for c in self.frame.columns]
        for start in range(0, len(self.frame), _CHUNK_ROWS):
            chunk = self.frame.iloc[start : start + _CHUNK_ROWS]
            for offset, values in enumerate(chunk.itertuples(index=False, name=None)):
                row = {c: _missing_as_none(v) for c, v in zip(columns, values, strict=True)}
                yield start + offset + 1, row

    def describe(self) -> str:
        """A short description of the frame."""
        return f"a DataFrame of {len(self.frame)} rows"


def _missing_as_none(value: object) -> object:
    # NaN and NaT are the frame's "missing"; NaN != NaN, and NaT compares unequal too.
    if value is None or (isinstance(value, float) and value != value):
        return None
    if type(value).__name__ == "NaTType":
        return None
    return value


@attrs.frozen
class SqlSource:
    """Rows of a SQL query, streamed with SQLAlchemy (``servicekit[sources]``).

    Attributes:
        url: an SQLAlchemy database URL (``sqlite:///tickets.db``,
            ``postgresql+psycopg://user@host/db``).
        query: the query; its result columns are what the mapping names.
    """

    url: str
    query: str

    grouped: bool = attrs.field(default=False, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every result row with its 1-based position."""
        sqlalchemy = _sqlalchemy()
        try:
            engine = sqlalchemy.create_engine(self.url)
        except (sqlalchemy.exc.ArgumentError, ImportError) as exc:
            raise SourceError(f"{self.url!r} is not a usable database URL: {exc}") from exc
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=_CHUNK_ROWS)
                cursor = result.execute(sqlalchemy.text(self.query))
                keys = list(cursor.keys())
                for number, record in enumerate(cursor, start=1):
                    yield number, dict(zip(keys, record, strict=True))
        except sqlalchemy.exc.SQLAlchemyError as exc:
            message = " ".join(str(exc).split())
            raise SourceError(f"query on {self.describe()} failed: {message}") from exc
        finally:
            engine.dispose()

    def describe(self) -> str:
        """The database, without any password."""
        sqlalchemy = _sqlalchemy()
        try:
            url = sqlalchemy.engine.make_url(self.url)
        except sqlalchemy.exc.ArgumentError:
            return "a database"
        return str(url.render_as_string(hide_password=True))


def _sqlalchemy() -> Any:
    return optional_import("sqlalchemy", needed_for="reading SQL", extra="sources")


@attrs.frozen
class XesSource:
    """An XES (IEEE 1849) log: each event a row, with its trace's attributes as ``case:<key>``.

    Standard extensions name the columns: ``case:concept:name`` (the trace, i.e. the
    ticket), ``time:timestamp``, ``concept:name`` (the activity), ``lifecycle:transition``,
    ``org:resource``, ``org:group``, ``org:role``; any other attribute keeps its key.

    Attributes:
        path: the file (plain or gzip).
    """

    path: Path = attrs.field(converter=_existing)

    grouped: bool = attrs.field(default=True, init=False)

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        """Every event with the line of its trace."""
        return xes_rows(self.path)

    def describe(self) -> str:
        """The file, as a report names it."""
        return str(self.path)


def open_source(
    spec: str | os.PathLike[str] | Any,
    *,
    query: str | None = None,
    format: str | None = None,
) -> RowSource:
    """The row source for a path (format from its suffix), a database URL or a data frame.

    Args:
        spec: a file path (``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``, ``.parquet``,
            ``.xes``, each optionally ``.gz`` for XES), an SQLAlchemy URL
            (``sqlite:///tickets.db``; needs ``query``) or a pandas ``DataFrame``.
        query: the SQL query, for a database URL.
        format: ``csv``, ``tsv``, ``jsonl``, ``parquet`` or ``xes`` when the suffix does
            not say.

    Raises:
        SourceError: a missing file, a directory, an unknown format, a URL without a query.
    """
    if type(spec).__name__ == "DataFrame":
        return DataFrameSource(spec)
    if isinstance(spec, str) and "://" in spec:
        if query is None:
            raise SourceError(f"{spec}: a database URL needs a query (--query 'SELECT ...')")
        return SqlSource(spec, query)
    if not isinstance(spec, str | os.PathLike):
        raise SourceError(
            f"expected a file path, a database URL or a DataFrame, got {type(spec).__name__}"
        )
    path = Path(spec)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    kind = format or (_FORMATS.get(suffixes[-1]) if suffixes else None)
    if format == "tsv" or (format is None and suffixes and suffixes[-1] == ".tsv"):
        return CsvSource(path, delimiter="\t")
    if kind == "csv":
        return CsvSource(path)
    if kind == "jsonl":
        return JsonLinesSource(path)
    if kind == "parquet":
        return ParquetSource(path)
    if kind == "xes":
        return XesSource(path)
    _existing(path)
    raise SourceError(
        f"{path}: cannot tell the format from its name; use a .csv, .tsv, .jsonl, .parquet or "
        ".xes file, or say the format (--format)"
    )
