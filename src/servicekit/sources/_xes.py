"""A small streaming reader for XES (IEEE 1849) event logs.

Event logs come from outside, so they are parsed with ``defusedxml`` (no
entity expansion, no external entities, no DTD tricks) and streamed: the file
is fed to the parser in chunks and each trace is handed out as soon as its
closing tag is read, so a log larger than memory works. A malformed or
truncated file raises :class:`~servicekit.errors.XesFormatError` with the line;
the trace being read when the error struck is never handed out.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import io
import os
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator, Mapping
from typing import IO

import attrs
import pendulum
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from servicekit.errors import XesFormatError

__all__ = ["XesTrace", "XesValue", "read_xes"]

XesValue = str | int | float | bool | pendulum.DateTime
"""A typed XES attribute value."""

_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"


@attrs.frozen
class XesTrace:
    """One trace of an XES log: its attributes and its events' attributes, in file order.

    Values are typed as the log declares them: ``string`` and ``id`` as ``str``,
    ``int``, ``float``, ``boolean`` as ``bool`` and ``date`` as an aware pendulum
    ``DateTime``. Nested attributes are not kept (servicekit does not use them).
    """

    attributes: Mapping[str, XesValue]
    events: tuple[Mapping[str, XesValue], ...]
    line: int

    @property
    def name(self) -> str | None:
        """The trace's ``concept:name``, if it has one."""
        value = self.attributes.get("concept:name")
        return value if isinstance(value, str) else None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _typed(kind: str, raw: str, line: int, key: str) -> XesValue:
    try:
        if kind in ("string", "id"):
            return raw
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if kind == "date":
            # fromisoformat is fast and covers what XES writers emit; pendulum reads the rest.
            try:
                parsed: object = _dt.datetime.fromisoformat(raw)
            except ValueError:
                parsed = pendulum.parse(raw)
            if not isinstance(parsed, _dt.datetime) or parsed.tzinfo is None:
                raise ValueError(raw)
            return pendulum.instance(parsed)
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError) as exc:
        raise XesFormatError(
            f"attribute {key!r}: {raw!r} is not a valid XES {kind}", line=line
        ) from exc
    raise XesFormatError(f"attribute {key!r} has unknown XES type {kind!r}", line=line)


_SCALARS = frozenset({"string", "id", "int", "float", "boolean", "date"})


class _Target:
    """Parser target: collects finished traces; everything outside traces is skipped."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.done: deque[XesTrace] = deque()
        self.depth = 0  # depth of the element stack
        self.trace_depth = -1
        self.trace_line = 0
        self.trace_attrs: dict[str, XesValue] = {}
        self.events: list[dict[str, XesValue]] = []
        self.event: dict[str, XesValue] | None = None
        self.owner_depth = -1  # depth of the trace or event whose attributes are read

    def _line(self) -> int:
        assert self.parser is not None
        return int(self.parser.parser.CurrentLineNumber)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        name = _local(tag)
        if name == "trace" and self.trace_depth < 0:
            if self.depth != 2:
                raise XesFormatError("<trace> outside <log>", line=self._line())
            self.trace_depth, self.trace_line = self.depth, self._line()
            self.trace_attrs, self.events = {}, []
            self.owner_depth = self.depth
        elif name == "event" and self.trace_depth > 0:
            if self.depth != self.trace_depth + 1:
                raise XesFormatError("<event> must be a child of <trace>", line=self._line())
            self.event = {}
            self.owner_depth = self.depth
        elif name in _SCALARS and self.depth == self.owner_depth + 1:
            key, value = attrib.get("key"), attrib.get("value")
            if key is None or value is None:
                raise XesFormatError(
                    f"<{name}> needs both a key and a value attribute", line=self._line()
                )
            target = self.event if self.event is not None else self.trace_attrs
            target[key] = _typed(name, value, self._line(), key)

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name == "event" and self.event is not None and self.depth == self.owner_depth:
            self.events.append(self.event)
            self.event = None
            self.owner_depth = self.trace_depth
        elif name == "trace" and self.depth == self.trace_depth:
            self.done.append(XesTrace(dict(self.trace_attrs), tuple(self.events), self.trace_line))
            self.trace_depth = self.owner_depth = -1
        self.depth -= 1

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _open(source: str | os.PathLike[str] | IO[bytes]) -> tuple[IO[bytes], list[IO[bytes]]]:
    """The decompressed byte stream, and the streams this reader opened (to close)."""
    raw: IO[bytes]
    owned: list[IO[bytes]] = []
    if isinstance(source, str | os.PathLike):
        raw = open(source, "rb")  # noqa: SIM115 - closed by read_xes
        owned.append(raw)
    else:
        raw = source
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


def read_xes(source: str | os.PathLike[str] | IO[bytes]) -> Iterator[XesTrace]:
    """Stream the traces of an XES log (plain or gzip-compressed), one at a time.

    Args:
        source: a path, or a binary file object.

    Raises:
        XesFormatError: the file is not well-formed XML, is truncated, is not
            XES, declares entities, or holds a value that does not match its
            declared type; the message gives the line.
    """
    stream, owned = _open(source)
    target = _Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=False)
    target.parser = parser
    try:
        saw_log = False
        while True:
            try:
                chunk = stream.read(_CHUNK)
            except (OSError, EOFError) as exc:  # e.g. a truncated gzip stream
                raise XesFormatError(f"cannot read the log: {exc}") from exc
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except ET.ParseError as exc:
                line = exc.position[0] if exc.position else None
                raise XesFormatError(f"malformed XML: {exc}", line=line) from exc
            except DefusedXmlException as exc:
                raise XesFormatError(
                    f"refused: {exc!r}; event logs must not declare entities or DTDs",
                    line=target._line(),
                ) from exc
            except UnicodeDecodeError as exc:
                raise XesFormatError(f"not UTF-8 text: {exc}") from exc
            saw_log = saw_log or target.depth > 0 or bool(target.done)
            while target.done:
                yield target.done.popleft()
            if not chunk:
                break
        if not saw_log:
            raise XesFormatError("the file holds no XES <log> element", line=1)
    finally:
        for opened in owned:
            opened.close()
