"""Hostile input to every reader of outside data: the outcome is a value or a servicekit error.

Never a raw ``ValueError``, ``UnicodeDecodeError``, ``RecursionError`` or a hang. The
``ci`` profile runs a short pass; ``HYPOTHESIS_PROFILE=deep`` a long one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    Ticket,
    event_from_dict,
    helpdesk_lifecycle,
    history_from_json,
)
from servicekit.errors import ServiceKitError
from servicekit.sources import CsvSource, JsonLinesSource, SourceMapping, read_tickets

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


def _valid_history() -> str:
    t0 = pendulum.datetime(2025, 3, 30, 1, 30, tz="Europe/Madrid")
    ticket = Ticket.open(helpdesk_lifecycle(), ticket_id="F-1", at=t0, priority="P2")
    ticket.record(AgentReplied(at=t0.add(hours=1)))
    ticket.fire("solve", at=t0.add(hours=2))
    return ticket.to_json()


VALID = _valid_history()


def _value_or_servicekit_error(read: Callable[[], object]) -> None:
    with contextlib.suppress(ServiceKitError):
        read()


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> bytes:
    """A valid document with a few bytes changed, cut or repeated."""
    data = bytearray(text.encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@given(st.one_of(st.binary(max_size=200), st.text(max_size=200), _mutated(VALID)))
def test_json_history_reader_never_leaks(data: bytes | str) -> None:
    _value_or_servicekit_error(lambda: history_from_json(data))


@given(JSON_VALUES, st.sampled_from(["ticket_opened", "agent_replied", "status_changed", "x"]))
def test_event_from_dict_never_leaks(fields: object, kind: str) -> None:
    data = dict(fields) if isinstance(fields, dict) else {"value": fields}
    data["type"] = kind
    _value_or_servicekit_error(lambda: event_from_dict(data))


HOURS_ALPHABET = st.sampled_from([*list("monteusdwhfriat-:;, 0123456789"), "٠", "٩", "７", "\n"])


@given(
    st.one_of(
        st.text(HOURS_ALPHABET, max_size=60),
        st.text(max_size=40),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(-2, 9), st.booleans()),
            st.one_of(st.text(HOURS_ALPHABET, max_size=20), JSON_VALUES),
            max_size=4,
        ),
    )
)
def test_hours_reader_never_leaks(hours: object) -> None:
    def build() -> None:
        cal = BusinessCalendar("UTC", hours)  # type: ignore[arg-type]
        start = pendulum.datetime(2025, 1, 1, tz="UTC")
        if any(cal.hours):
            cal.add(start, dt.timedelta(hours=30))

    _value_or_servicekit_error(build)


MAPPING = SourceMapping(
    ticket="number",
    time="updated",
    timezone="America/Bogota",
    status="state",
    priority="priority",
    categories={"New": "new", "In Progress": "open", "Resolved": "solved"},
)
CSV = (
    "number,updated,state,priority\n"
    "INC1,2025-03-03 09:00:00,New,P2\n"
    "INC1,2025-03-03 10:00:00,In Progress,P2\n"
    "INC1,2025-03-03 12:00:00,Resolved,P2\n"
    "INC2,2025-03-04 09:00:00,New,P1\n"
)
JSONL = "\n".join(
    json.dumps(dict(zip(["number", "updated", "state", "priority"], line.split(","), strict=True)))
    for line in CSV.splitlines()[1:]
)


def _read_file(kind: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{kind}"
        path.write_bytes(data)

        def read() -> None:
            source = CsvSource(path) if kind == "csv" else JsonLinesSource(path)
            for lenient in (False, True):
                list(read_tickets(source, MAPPING, lenient=lenient))

        _value_or_servicekit_error(read)


@given(st.one_of(_mutated(CSV), st.binary(max_size=300)))
def test_csv_source_never_leaks(data: bytes) -> None:
    _read_file("csv", data)


@given(st.one_of(_mutated(JSONL), st.binary(max_size=300)))
def test_json_lines_source_never_leaks(data: bytes) -> None:
    _read_file("jsonl", data)


def test_the_seeds_are_valid() -> None:
    """The documents the fuzzers mutate are read without error, so mutations test something."""
    assert len(history_from_json(VALID)) == len(json.loads(VALID)) >= 3
    with tempfile.TemporaryDirectory() as folder:
        for kind, text in (("csv", CSV), ("jsonl", JSONL)):
            path = Path(folder) / f"export.{kind}"
            path.write_text(text)
            source = CsvSource(path) if kind == "csv" else JsonLinesSource(path)
            assert [t.id for t in read_tickets(source, MAPPING)] == ["INC1", "INC2"]


def _xes_seed() -> bytes:
    from servicekit.datasets import bpic2013_sample_path

    with gzip.open(bpic2013_sample_path(), "rb") as handle:
        text = handle.read()
    # The first two traces: small enough to mutate quickly, with every construct of the log.
    end = text.index(b"</trace>", text.index(b"</trace>") + 1) + len(b"</trace>")
    return text[:end] + b"\n</log>\n"


XES = _xes_seed()


@given(st.one_of(_mutated(XES.decode()), st.binary(max_size=300)), st.booleans())
def test_xes_reader_never_leaks(data: bytes, compress: bool) -> None:
    from servicekit.datasets import read_xes

    payload = gzip.compress(data) if compress else data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("log.xes.gz" if compress else "log.xes")
        path.write_bytes(payload)
        _value_or_servicekit_error(lambda: list(read_xes(path)))


def test_the_xes_seed_is_valid() -> None:
    from servicekit.datasets import read_xes

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.xes"
        path.write_bytes(XES)
        assert len(list(read_xes(path))) == 2
