"""A fast, streaming, hardened reader for XES (IEEE 1849) event logs.

Event logs come from outside. The file is fed to the C expat parser in chunks,
driven directly through ``pyexpat`` (no ElementTree layer, no per-element
Python objects beyond the attribute values kept), and each trace is handed out
as soon as its closing tag is read, so a log larger than memory works. A trace
written the way XES writers write it is read without a Python call per element
(see :mod:`servicekit.sources._xes_fast`), with the same values, lines and errors.

Safety, stricter than ``defusedxml``: no DTD is read but a bare
``<!DOCTYPE log>`` (an internal subset could declare entities or ``ATTLIST``
defaults that add attributes the file does not show, and an external subset or a
parameter entity reference makes expat drop undefined entities silently);
parameter entities are never parsed; a single XML token may not exceed
:data:`MAX_TOKEN_BYTES` (expat re-scans an unfinished token on every chunk, so a
multi-megabyte attribute would otherwise cost quadratic time).

Every failure is an :class:`~servicekit.errors.XesFormatError` carrying the
line: malformed or truncated XML, a corrupt gzip stream, an unknown encoding,
a value that does not match its declared type (``nan`` and ``inf`` floats
included), a key given twice in one element. The trace being read when the
error struck is never handed out; every trace that ended before it has been.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import io
import math
import os
import pyexpat
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from itertools import repeat
from typing import IO, Final, NamedTuple, NoReturn, TypeAlias

import attrs
import pendulum

from servicekit.errors import XesFormatError
from servicekit.sources._xes_fast import CanonicalTraces

__all__ = [
    "MAX_TOKEN_BYTES",
    "XesInstant",
    "XesRawTrace",
    "XesRawValue",
    "XesTrace",
    "XesValue",
    "read_xes",
    "read_xes_raw",
    "xes_rows",
]

XesValue: TypeAlias = str | int | float | bool | pendulum.DateTime
"""A typed XES attribute value."""

MAX_TOKEN_BYTES: Final = 1 << 20
"""The longest single XML token (a tag with its attributes, a comment...) read by default."""

_CHUNK: Final = 1 << 16
# Bytes read at a time: a trace that straddles two reads goes through the handlers, so reads
# are larger than most traces.
_READ: Final = 1 << 20
_GZIP_MAGIC: Final = b"\x1f\x8b"
_XES_NS: Final = "http://www.xes-standard.org/"

_EPOCH_NAIVE: Final = _dt.datetime(1970, 1, 1)
_MICROSECOND: Final = _dt.timedelta(microseconds=1)
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
# xs:long and xs:double as XES writes them: ASCII only (Python's int() and float() also take
# underscores, surrounding blanks and non-ASCII digits, which an XES value may not hold).
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


class XesInstant(NamedTuple):
    """An XES ``date`` as :func:`read_xes_raw` gives it: exact integer microseconds.

    A named tuple rather than an attrs class: one is built per event, and a tuple is
    built several times faster.

    Attributes:
        micros: microseconds since 1970-01-01T00:00:00Z.
        offset: the UTC offset the log wrote it with, in seconds (east positive).

    Examples:
        >>> XesInstant(1336046400000000, 7200).to_datetime().isoformat()
        '2012-05-03T14:00:00+02:00'
    """

    micros: int
    offset: int

    def to_datetime(self) -> pendulum.DateTime:
        """The same instant as a pendulum ``DateTime`` at the offset it was written with."""
        local = _EPOCH_NAIVE + _dt.timedelta(microseconds=self.micros + self.offset * 1_000_000)
        return _at(local, _zone(self.offset))


XesRawValue: TypeAlias = str | int | float | bool | XesInstant
"""A typed XES attribute value as :func:`read_xes_raw` gives it (dates as :class:`XesInstant`)."""


class _Named:
    """The ``name`` of a trace, shared by both kinds."""

    __slots__ = ()
    attributes: Mapping[str, object]

    @property
    def name(self) -> str | None:
        """The trace's ``concept:name``, if it has one."""
        value = self.attributes.get("concept:name")
        return value if isinstance(value, str) else None


@attrs.frozen
class XesTrace(_Named):
    """One trace of an XES log: its attributes and its events' attributes, in file order.

    Values are typed as the log declares them: ``string`` and ``id`` as ``str``,
    ``int``, ``float``, ``boolean`` as ``bool`` and ``date`` as an aware pendulum
    ``DateTime``. Nested attributes are not kept (servicekit does not use them).
    """

    attributes: Mapping[str, XesValue]
    events: tuple[Mapping[str, XesValue], ...]
    line: int


@attrs.frozen
class XesRawTrace(_Named):
    """A trace as :func:`read_xes_raw` gives it, with :class:`XesInstant` dates."""

    attributes: Mapping[str, XesRawValue]
    events: tuple[Mapping[str, XesRawValue], ...]
    line: int


# -- values ------------------------------------------------------------------------------------

_ZONES: dict[int, _dt.tzinfo] = {}


def _zone(offset: int) -> _dt.tzinfo:
    zone = _ZONES.get(offset)
    if zone is None:
        # What pendulum.instance gives for a fixed offset (UTC for 0), built once per offset.
        made = pendulum.instance(
            _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(seconds=offset)))
        ).tzinfo
        assert made is not None
        zone = _ZONES[offset] = made
    return zone


def _parse_date(raw: str) -> _dt.datetime:
    """The aware datetime an XES date holds; ``ValueError`` when it is not one."""
    try:
        parsed: object = _dt.datetime.fromisoformat(raw)
    except ValueError:
        # fromisoformat covers what XES writers emit; pendulum reads the rest of ISO 8601.
        try:
            parsed = pendulum.parse(raw)
        except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError) as exc:
            raise ValueError(raw) from exc
    if not isinstance(parsed, _dt.datetime) or parsed.utcoffset() is None:
        raise ValueError(raw)
    return parsed


def _offset_seconds(parsed: _dt.datetime) -> int:
    off = parsed.utcoffset()
    assert off is not None
    if off.microseconds:
        raise ValueError("a UTC offset must be whole seconds")
    return off.days * 86400 + off.seconds


# "+HH:MM" -> seconds for the offsets real zones use; a date ending in one of them is read as a
# naive local time plus a dictionary lookup, three times faster than an aware parse.
_OFFSETS: Final = {
    f"{sign}{h:02}:{m:02}": (1 if sign == "+" else -1) * (h * 3600 + m * 60)
    for sign in "+-"
    for h in range(24)
    for m in (0, 15, 30, 45)
}
_fromisoformat = _dt.datetime.fromisoformat
# The pendulum zone of each of those offsets, by the text it is written as.
_SUFFIX_ZONES: Final = {text: _zone(offset) for text, offset in _OFFSETS.items()}


def _local_and_offset(raw: str) -> tuple[_dt.datetime, int]:
    """The naive local datetime of an XES date and its UTC offset in seconds."""
    if len(raw) >= 25 and raw[10] == "T":
        offset = _OFFSETS.get(raw[-6:])
        if offset is not None:
            try:
                local = _fromisoformat(raw[:-6])
            except ValueError:
                pass  # the general path below says what is wrong
            else:
                if local.tzinfo is None:
                    return local, offset
    parsed = _parse_date(raw)
    return parsed.replace(tzinfo=None), _offset_seconds(parsed)


def _at(local: _dt.datetime, zone: _dt.tzinfo) -> pendulum.DateTime:
    """The pendulum ``DateTime`` of naive ``local`` time in ``zone``."""
    return pendulum.DateTime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        zone,
    )


def _fixed_layout(raw: str) -> _dt.datetime | None:
    """The naive local time of a date in the layout XES writers use,
    ``2012-05-03T14:19:01+02:00``, without its offset; ``None`` for any other text."""
    if len(raw) == 25 and raw[10] == "T":
        try:
            local = _fromisoformat(raw[:19])
        except ValueError:
            return None  # the general path says what is wrong
        if local.tzinfo is None:
            return local
    return None


def _date_pendulum(raw: str) -> pendulum.DateTime:
    zone = _SUFFIX_ZONES.get(raw[19:])
    if zone is not None and (local := _fixed_layout(raw)) is not None:
        return _at(local, zone)
    local, offset = _local_and_offset(raw)
    return _at(local, _zone(offset))


_new_tuple = tuple.__new__


def _date_instant(raw: str) -> XesInstant:
    offset = _OFFSETS.get(raw[19:])
    if offset is None or (local := _fixed_layout(raw)) is None:
        local, offset = _local_and_offset(raw)
    # tuple.__new__ rather than the named tuple's own __new__: one C call, not a Python one.
    return _new_tuple(
        XesInstant, ((local - _EPOCH_NAIVE) // _MICROSECOND - offset * 1_000_000, offset)
    )


def _int(raw: str) -> int:
    if _INT.fullmatch(raw) is None:
        raise ValueError(raw)
    value = int(raw)
    if not _LONG_MIN <= value <= _LONG_MAX:
        raise ValueError("outside the 64-bit range of an XES int")
    return value


def _float(raw: str) -> float:
    if _FLOAT.fullmatch(raw) is None:
        # nan, inf and infinity are spelled out by Python but are no measurement.
        raise ValueError(raw)
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("too large for a float")
    return value


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise ValueError(raw)
    return lowered == "true"


def _other_element(raw: str) -> NoReturn:
    """Marks an element name that is no value element (never called)."""
    raise AssertionError(raw)  # pragma: no cover


def _converters(date: Callable[[str], object]) -> dict[str, Callable[[str], object] | None]:
    """The value reader of each scalar XES element (``None``: kept as the text it is)."""
    return {
        "string": None,
        "id": None,
        "int": _int,
        "float": _float,
        "boolean": _boolean,
        "date": date,
    }


# -- the parser --------------------------------------------------------------------------------


def _open(source: str | os.PathLike[str] | IO[bytes]) -> tuple[IO[bytes], list[IO[bytes]]]:
    """The decompressed byte stream, and the streams this reader opened (to close)."""
    raw: IO[bytes]
    owned: list[IO[bytes]] = []
    if isinstance(source, str | os.PathLike):
        try:
            raw = open(source, "rb")  # noqa: SIM115 - closed by the reader
        except OSError as exc:
            raise XesFormatError(f"cannot open the log: {exc}") from exc
        owned.append(raw)
    elif hasattr(source, "read"):
        raw = source
    else:
        raise XesFormatError(
            f"an XES source must be a path or a binary file object, got {type(source).__name__}"
        )
    head = raw.peek(2)[:2] if isinstance(raw, io.BufferedReader) else b""
    if not head and hasattr(raw, "seekable") and raw.seekable():
        pos = raw.tell()
        head = raw.read(2)
        raw.seek(pos)
    if head == _GZIP_MAGIC:
        unzipped: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        owned.insert(0, unzipped)
        return unzipped, owned
    return raw, owned


_Parsed: TypeAlias = tuple[dict[str, object], list[dict[str, object]], int]


def _traces(
    source: str | os.PathLike[str] | IO[bytes],
    date: Callable[[str], object],
    max_token_bytes: int,
    *,
    cut_traces: bool = True,
    case_prefix: str | None = None,
) -> Iterator[_Parsed]:
    """The traces of an XES log as (attributes, events, line), dates read by ``date``.

    ``cut_traces=False`` reads every trace through the handlers (the tests compare both).
    With ``case_prefix``, each event comes out as a row, after its trace's attributes with
    their keys prefixed (see :func:`xes_rows`).
    """
    if not isinstance(max_token_bytes, int) or max_token_bytes < 2 * _CHUNK:
        raise XesFormatError(
            f"max_token_bytes must be an int of at least {2 * _CHUNK}, got {max_token_bytes!r}"
        )
    stream, owned = _open(source)
    # namespace_separator gives names as "uri}local", as ElementTree did: prefixed XES parses.
    parser = pyexpat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True  # a list is built faster than a dict
    converters = _converters(date)
    canonical = CanonicalTraces(converters, case_prefix)
    local_names: dict[str, str] = {}
    # The reader of each value element by its name as expat gives it ("uri}local"): start()'s
    # fast path. Learned as names are met; the XES names are known from the start.
    readers = {
        f"{ns}{local}": reader
        for local, reader in converters.items()
        for ns in ("", f"{_XES_NS}}}")
    }
    done: deque[_Parsed] = deque()

    # Parser state, kept in closure cells: the handlers run ~1.6 million times on BPI 2013.
    depth = 0
    trace_depth = -1  # depth of the open <trace>, -1 outside one
    owner_depth = -1  # depth of the trace or event whose attributes are read
    value_depth = -1  # owner_depth + 1: where its attributes sit
    trace_line = 0
    trace_attrs: dict[str, object] = {}
    events: list[dict[str, object]] = []
    owner: dict[str, object] = trace_attrs

    def fail(message: str) -> NoReturn:
        raise XesFormatError(message, line=parser.CurrentLineNumber)

    def start(name: str, attrib: list[str]) -> None:
        nonlocal depth
        depth += 1
        # Nearly every element is a <string key=".." value=".."/> (or a date...) of an event.
        if depth == value_depth:
            reader = readers.get(name, _other_element)
            if reader is not _other_element:
                try:
                    k, key, v, value = attrib
                except ValueError:
                    k = v = ""  # another shape: other() says what is wrong
                if k == "key" and v == "value" and key not in owner:
                    if reader is None:
                        owner[key] = value
                        return
                    try:
                        owner[key] = reader(value)
                    except ValueError as exc:
                        name = local_names.get(name) or name.rpartition("}")[2]
                        fail(f"attribute {key!r}: {value!r} is not a valid XES {name} ({exc})")
                    return
        elif depth > 2 and trace_depth < 0 and not name.endswith("trace"):
            # Within a log-level attribute (BPI 2013 opens with 22,000): nothing is kept, and
            # nothing but a <trace> can be out of place there.
            return
        other(name, dict(zip(attrib[::2], attrib[1::2], strict=True)))

    def other(name: str, attrib: dict[str, str]) -> None:
        nonlocal trace_depth, owner_depth, value_depth, trace_line, trace_attrs, events, owner
        local = local_names.get(name)
        if local is None:
            local = local_names[name] = name.rpartition("}")[2]
            if local in converters:
                readers[name] = converters[local]
        if depth == value_depth:
            if local in converters:
                key, value = attrib.get("key"), attrib.get("value")
                check_value(local, key, value)
                assert key is not None
                assert value is not None
                convert = converters[local]
                try:
                    owner[key] = value if convert is None else convert(value)
                except ValueError as exc:
                    fail(f"attribute {key!r}: {value!r} is not a valid XES {local} ({exc})")
                return
            if local == "event":
                if owner_depth != trace_depth:
                    fail("<event> must be a child of <trace>")
                owner = {}
                owner_depth, value_depth = depth, depth + 1
                return
            if local == "trace":
                fail("<trace> inside a <trace>")
            return  # a list or container: its members are not kept
        if trace_depth < 0:
            if depth == 1 and local != "log":
                fail(f"the file holds no XES <log> element (the root is <{local}>)")
            if local == "trace":
                if depth != 2:
                    fail("<trace> outside <log>")
                trace_depth = owner_depth = depth
                value_depth = depth + 1
                trace_line = parser.CurrentLineNumber
                trace_attrs = owner = {}
                events = []
        elif local in ("event", "trace"):
            fail(f"<{local}> must be a child of " + ("<trace>" if local == "event" else "<log>"))

    def check_value(local: str, key: str | None, value: str | None) -> None:
        if key is None or value is None:
            fail(f"<{local}> needs both a key and a value attribute")
        if key in owner:
            fail(f"attribute {key!r} is given twice in one element; XES keys must be unique")

    def end(name: str) -> None:
        nonlocal depth, trace_depth, owner_depth, value_depth, owner
        if depth == owner_depth:
            if owner_depth == trace_depth:
                if case_prefix is None:
                    done.append((trace_attrs, events, trace_line))
                else:
                    done.append((trace_attrs, _rows(case_prefix, trace_attrs, events), trace_line))
                trace_depth = owner_depth = value_depth = -1
            else:
                events.append(owner)
                owner = trace_attrs
                owner_depth, value_depth = trace_depth, trace_depth + 1
        depth -= 1

    def doctype(name: str, system: str | None, public: str | None, subset: int) -> None:
        # A DTD can add attributes (ATTLIST defaults), expand entities, or make expat drop
        # undefined entity references silently (an external subset, or a parameter entity
        # reference); no XES file needs one, so only a bare <!DOCTYPE log> is read.
        if subset or system is not None or public is not None:
            fail(
                "refused: event logs must not declare entities, attribute defaults or an "
                "external DTD; remove the internal subset and the identifiers of <!DOCTYPE>"
            )

    in_cdata = False
    fast = cut_traces  # and the encoding is UTF-8 (the XML declaration may say otherwise)

    def xml_decl(version: str, encoding: str | None, standalone: int) -> None:
        nonlocal fast
        # The fast path reads a trace's bytes as UTF-8 (the default, and what writers emit).
        fast = fast and (encoding is None or encoding.lower() == "utf-8")

    def cdata(opened: bool) -> Callable[[], None]:
        def handler() -> None:
            nonlocal in_cdata
            in_cdata = opened

        return handler

    def handlers(on: bool) -> None:
        parser.StartElementHandler = start if on else None
        parser.EndElementHandler = end if on else None

    handlers(True)
    parser.StartDoctypeDeclHandler = doctype
    parser.XmlDeclHandler = xml_decl
    parser.StartCdataSectionHandler = cdata(True)
    parser.EndCdataSectionHandler = cdata(False)

    fed = 0  # bytes of the file parsed
    given = 0  # bytes given to expat: the file's, with each skipped trace's stand-in

    def feed(data: bytes, final: bool = False) -> None:
        """Parse ``data``, in pieces that end where a ``_CHUNK`` of the file ends."""
        nonlocal fed, given
        view = memoryview(data)
        while view or final:
            piece = view[: _CHUNK - fed % _CHUNK]
            view = view[len(piece) :]
            try:
                parser.Parse(piece, final and not view)
            except pyexpat.ExpatError as exc:
                raise XesFormatError(
                    f"malformed XML: {pyexpat.ErrorString(exc.code)}: column {exc.offset + 1}",
                    line=exc.lineno,
                ) from exc
            except XesFormatError:
                raise
            except (LookupError, ValueError, UnicodeError) as exc:
                # An encoding Python does not know, or one expat cannot use.
                raise XesFormatError(f"cannot decode the log: {exc}", line=1) from exc
            fed += len(piece)
            given += len(piece)
            # The bytes given but not parsed are the unfinished token. Checked at every
            # _CHUNK of the file (the same places however the bytes were cut into feeds), a
            # token longer than the limit is always caught (one within a chunk of it may be).
            if (
                piece
                and not fed % _CHUNK
                and given - parser.CurrentByteIndex > max_token_bytes - _CHUNK
            ):
                raise XesFormatError(
                    f"a single XML token is longer than {max_token_bytes:,} bytes; "
                    "pass a larger max_token_bytes if the log really holds one",
                    line=parser.CurrentLineNumber,
                )
            if final and not view:
                return

    def skip(size: int, stand_in: bytes) -> None:
        """Pass over ``size`` bytes of the file, a trace shown well-formed, as its stand-in.

        Blanks in ``<log>``'s content, they move expat to the line and column where the
        trace ends and to nothing else: every later error and line reads as if expat had
        parsed the trace. No check of the token limit falls within it: no token of a trace
        shorter than the limit can be longer.
        """
        nonlocal fed, given
        parser.Parse(stand_in, False)
        fed += size
        given += len(stand_in)

    def read() -> bytes:
        try:
            return stream.read(_READ)
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
            raise XesFormatError(f"cannot read the log: {exc}") from exc

    # The file goes through expat in order, a read at a time, and each trace is handed out
    # as soon as expat has parsed (or the recogniser has shown well-formed) its end: when
    # an error stops the reading, every trace that ended before it has been handed out.
    # Where a "<trace" turns out to open a trace of the log (expat has read everything
    # before it and stands in <log>, outside any token or CDATA section) and the text up to
    # the next "</trace>", in the same read, is a canonical trace, the recogniser reads it;
    # expat parses its stand-in when the recogniser has shown it well-formed, else the trace
    # itself with no handlers set (a whole element leaves the handlers' depth count as it
    # was). Everything else goes through the handlers.
    longest_skipped = max_token_bytes - _CHUNK
    try:
        while chunk := read():
            pos = 0
            while fast:
                cut = chunk.find(b"<trace", pos)
                if cut < 0:
                    break
                feed(chunk[pos:cut])
                pos = cut
                while done:
                    yield done.popleft()
                close = chunk.find(b"</trace>", cut)
                recognised = None
                if (
                    fast  # the XML declaration may just have named another encoding
                    and close >= 0
                    and depth == 1
                    and trace_depth < 0
                    and not in_cdata
                    and parser.CurrentByteIndex == given
                ):
                    close += 8
                    try:
                        text = chunk[cut:close].decode("utf-8")
                    except UnicodeDecodeError:
                        pass  # expat says where
                    else:
                        recognised = canonical(text)
                if recognised is None:
                    # No trace of the log opens here, or the handlers read it.
                    feed(chunk[cut : cut + 6])
                    pos = cut + 6
                    continue
                attributes, events, stand_in = recognised
                line = parser.CurrentLineNumber
                if stand_in is not None and close - cut <= longest_skipped:
                    skip(close - cut, stand_in)
                else:
                    handlers(False)
                    feed(chunk[cut:close])
                    handlers(True)
                pos = close
                yield attributes, events, line
            feed(chunk[pos:])
            while done:
                yield done.popleft()
        feed(b"", final=True)
        yield from done
    except XesFormatError:
        yield from done  # the traces that ended before the error
        raise
    finally:
        for opened in owned:
            opened.close()


def _rows(
    prefix: str, attributes: dict[str, object], events: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Each event as a row: its trace's attributes (keys prefixed), then its own."""
    case = {prefix + key: value for key, value in attributes.items()}
    return [{**case, **event} for event in events]


def xes_rows(
    source: str | os.PathLike[str] | IO[bytes],
) -> Iterator[tuple[int, dict[str, XesValue]]]:
    """Every event of an XES log as one row with the line of its trace: its trace's
    attributes first, each key as ``case:<key>``, then the event's own (which win).

    What :meth:`~servicekit.sources.XesSource.rows` gives; the rows of a trace read by the
    fast path are built at once, never through an event's dictionary.
    """
    for _, rows, line in _traces(source, _date_pendulum, MAX_TOKEN_BYTES, case_prefix="case:"):
        yield from zip(repeat(line), rows)


def read_xes(
    source: str | os.PathLike[str] | IO[bytes], *, max_token_bytes: int = MAX_TOKEN_BYTES
) -> Iterator[XesTrace]:
    """Stream the traces of an XES log (plain or gzip-compressed), one at a time.

    Args:
        source: a path, or a binary file object.
        max_token_bytes: the longest single XML token (a tag with its
            attributes) and attribute value accepted.

    Raises:
        XesFormatError: the file cannot be opened or decompressed, is not
            well-formed XML, is truncated, is not XES, declares entities or
            attribute defaults, holds a value that does not match its declared
            type, gives a key twice in one element, or holds a token longer
            than ``max_token_bytes``; the message gives the line.

    Examples:
        >>> from servicekit.datasets import bpic2013_sample_path
        >>> first = next(read_xes(bpic2013_sample_path()))
        >>> first.events[0]["time:timestamp"].isoformat()
        '2012-05-03T14:19:01+02:00'
    """
    for attributes, events, line in _traces(source, _date_pendulum, max_token_bytes):
        yield XesTrace(attributes, tuple(events), line)  # type: ignore[arg-type]


def read_xes_raw(
    source: str | os.PathLike[str] | IO[bytes], *, max_token_bytes: int = MAX_TOKEN_BYTES
) -> Iterator[XesRawTrace]:
    """Like :func:`read_xes`, with dates as exact integer microseconds (:class:`XesInstant`).

    The fast path for readers that convert many events: no datetime object is
    built per date, and :meth:`XesInstant.to_datetime` gives one when needed.
    """
    for attributes, events, line in _traces(source, _date_instant, max_token_bytes):
        yield XesRawTrace(attributes, tuple(events), line)  # type: ignore[arg-type]
