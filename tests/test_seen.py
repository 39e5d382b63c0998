"""Ticket ids met by a pass over a source, in bounded memory (servicekit.sources._seen)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from servicekit.sources._seen import SeenIds

ids = st.lists(st.text(max_size=4), max_size=200)


@given(ids, st.integers(1, 8), st.integers(3, 9))
def test_answers_as_a_set_would_however_small_memory_and_filter(
    stream: list[str], in_memory: int, filter_power: int
) -> None:
    # An eight-bit filter says "maybe" to almost everything: the file behind it must settle.
    seen = SeenIds(in_memory=in_memory, filter_power=filter_power)
    model: set[str] = set()
    try:
        for ticket in stream:
            assert seen.add(ticket) is (ticket in model)
            model.add(ticket)
    finally:
        seen.close()


def test_ids_move_to_a_file_that_closing_removes() -> None:
    seen = SeenIds(in_memory=3)
    for n in range(10):
        assert not seen.add(f"T{n}")
    disk = seen._disk
    assert disk is not None
    folder = Path(disk.folder.name)
    assert folder.exists()
    assert len(seen._recent) < 3  # memory holds the latest few only
    assert all(seen.add(f"T{n}") for n in range(10))
    seen.close()
    assert not folder.exists()
    assert not seen.add("T0")  # a closed record starts afresh


def test_a_short_pass_never_touches_the_disk() -> None:
    seen = SeenIds()
    for n in range(1_000):
        seen.add(str(n))
    assert seen._disk is None
