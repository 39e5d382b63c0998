"""The ticket ids a pass over a source has met, in memory that does not grow with them.

Telling a ticket that comes back (rows split over two places of a source) from a new one
means remembering every id met so far. Held in a set, that memory grows with the export:
about a hundred bytes a ticket, 11 MB for a million events. :class:`SeenIds` keeps the
latest few thousand ids in a set and moves older ones to a temporary SQLite file on disk,
in front of which a fixed-size Bloom filter answers "never met" without touching the
disk. A Bloom filter can only err towards "maybe met", and every "maybe" is settled by
the file, so the answers are exact whatever the size of the export.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Final

__all__ = ["SeenIds"]

_IN_MEMORY = 4_096  # not Final: tests lower it to reach the disk with a few ids
_FILTER_BYTES: Final = 1 << 20  # 8 Mi bits: under 1e-5 false "maybe" at 100k ids
_HASHES: Final = 4
_MASK64: Final = (1 << 64) - 1


class _Disk:
    """The ids moved out of memory: a Bloom filter and the SQLite file behind it."""

    def __init__(self, filter_bytes: int) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="servicekit-seen-")
        self.db = sqlite3.connect(Path(self.folder.name) / "seen.sqlite")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.bloom = bytearray(filter_bytes)
        self.bits = filter_bytes * 8

    def _positions(self, ticket: str) -> list[int]:
        # Two halves of one 64-bit hash give every probe (Kirsch and Mitzenmacher): the
        # false-positive rate of independent hashes for one hash call.
        h = hash(ticket) & _MASK64
        low, step, bits = h & 0xFFFFFFFF, (h >> 32) | 1, self.bits
        return [(low + i * step) % bits for i in range(_HASHES)]

    def holds(self, ticket: str) -> bool:
        bloom = self.bloom
        for p in self._positions(ticket):
            if not bloom[p >> 3] & (1 << (p & 7)):
                return False
        found = self.db.execute("SELECT 1 FROM seen WHERE id = ?", (ticket,)).fetchone()
        return found is not None

    def put(self, tickets: set[str]) -> None:
        bloom = self.bloom
        for ticket in tickets:
            for p in self._positions(ticket):
                bloom[p >> 3] |= 1 << (p & 7)
        self.db.executemany("INSERT INTO seen VALUES (?)", ((t,) for t in tickets))

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


class SeenIds:
    """Answers, for each id in turn, whether it was met before; exact, in bounded memory.

    Args:
        in_memory: how many of the latest ids stay in memory before they move to disk
            (default: the module's ``_IN_MEMORY``, read when the record is made).
        filter_bytes: the size of the Bloom filter in front of the ids on disk.
    """

    def __init__(self, *, in_memory: int | None = None, filter_bytes: int = _FILTER_BYTES):
        self._limit = _IN_MEMORY if in_memory is None else in_memory
        self._filter_bytes = filter_bytes
        self._recent: set[str] = set()
        self._disk: _Disk | None = None

    def add(self, ticket: str) -> bool:
        """Record ``ticket``; whether it was recorded before."""
        if ticket in self._recent:
            return True
        disk = self._disk
        if disk is not None and disk.holds(ticket):
            return True
        self._recent.add(ticket)
        if len(self._recent) >= self._limit:
            if disk is None:
                disk = self._disk = _Disk(self._filter_bytes)
            disk.put(self._recent)
            self._recent.clear()
        return False

    def close(self) -> None:
        """Forget every id and remove the file on disk, if any."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self._recent.clear()
