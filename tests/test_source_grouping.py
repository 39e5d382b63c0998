"""Grouping a source's rows by ticket: interleaved exports, split tickets, bounded memory.

Whether a ticket's rows come back after another ticket's is decided over ids kept partly on
disk (``servicekit.sources._seen``); these tests lower the in-memory part to a couple of ids
so that every answer below goes through the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit.errors import SourceRowError
from servicekit.sources import CsvSource, _seen, load_mapping, read_tickets

EXPORTS = Path(__file__).resolve().parent.parent / "examples" / "exports"
MAPPING = load_mapping(EXPORTS / "servicenow.toml")
ROWS = [row for _, row in CsvSource(EXPORTS / "servicenow_incidents.csv").rows()]


@attrs.frozen
class ListSource:
    """Rows held in a list; ``grouped`` as a source that promises them grouped by ticket."""

    items: tuple[Mapping[str, object], ...]
    grouped: bool = False

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        yield from enumerate(self.items, start=2)

    def describe(self) -> str:
        return f"{len(self.items)} rows in a list"


def _by_ticket() -> dict[str, list[Mapping[str, object]]]:
    out: dict[str, list[Mapping[str, object]]] = {}
    for row in ROWS:
        out.setdefault(str(row["number"]), []).append(row)
    return out


TICKETS = _by_ticket()
SLOTS = [ticket for ticket, rows in TICKETS.items() for _ in rows]


def _histories(source: ListSource) -> list[tuple[str, object]]:
    reader = read_tickets(source, MAPPING, lenient=True)
    found = [(t.id, t.history) for t in reader]
    return [*found, *((r.ticket, r.rule) for r in reader.rejections)]


@given(st.permutations(SLOTS))
def test_an_interleaved_export_reads_as_the_same_export_grouped(order: list[str]) -> None:
    taken: dict[str, int] = {}
    interleaved = []
    for ticket in order:  # each ticket's rows keep their own order
        interleaved.append(TICKETS[ticket][taken.get(ticket, 0)])
        taken[ticket] = taken.get(ticket, 0) + 1
    firsts = list(dict.fromkeys(order))
    grouped = [row for ticket in firsts for row in TICKETS[ticket]]
    runs = [t for i, t in enumerate(order) if i == 0 or order[i - 1] != t]
    with mock.patch.object(_seen, "_IN_MEMORY", 2):
        source = ListSource(tuple(interleaved))
        assert read_tickets(source, MAPPING).scan().contiguous is (len(runs) == len(firsts))
        assert _histories(source) == _histories(ListSource(tuple(grouped)))


@pytest.mark.parametrize("scanned", [False, True], ids=["streamed", "scanned-first"])
def test_a_ticket_split_over_a_grouped_source_is_refused_where_it_comes_back(
    scanned: bool,
) -> None:
    first, second, third = list(TICKETS)[:3]
    rows = [*TICKETS[first], *TICKETS[second], *TICKETS[first], *TICKETS[third]]
    source = ListSource(tuple(rows), grouped=True)
    with mock.patch.object(_seen, "_IN_MEMORY", 1):
        reader = read_tickets(source, MAPPING, lenient=True)
        if scanned:
            assert not reader.scan().contiguous
        ids = [t.id for t in reader]
        assert ids == [first, second, third]
        (refused,) = reader.rejections
        assert (refused.ticket, refused.rule) == (first, "duplicate-ticket")
        assert refused.line == 2 + len(TICKETS[first]) + len(TICKETS[second])
        with pytest.raises(SourceRowError, match="two separate places") as info:
            list(read_tickets(source, MAPPING))
        assert info.value.rule == "duplicate-ticket"


def test_a_row_without_a_ticket_id_is_refused_alone_where_it_stands() -> None:
    first, second = list(TICKETS)[:2]
    a, b = TICKETS[first], TICKETS[second]
    lost = {**a[1], "number": None}
    rows = (a[0], b[0], lost, *a[1:], *b[1:])  # interleaved: read through the spool
    with mock.patch.object(_seen, "_IN_MEMORY", 1):
        reader = read_tickets(ListSource(rows), MAPPING, lenient=True)
        assert not reader.scan().contiguous
        assert [t.id for t in reader] == [first, second]
    (refused,) = reader.rejections
    assert (refused.ticket, refused.rule, refused.line) == (None, "missing-ticket", 4)
    assert reader.stats.tickets == 3
