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
_FILTER_POWER: Final = 23  # 2**23 bits, 1 MiB; two probes: 1 false "maybe" in 1,000 at 100k ids


class _Disk:
    """The ids moved out of memory, in a temporary SQLite file."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="servicekit-seen-")
        self.db = sqlite3.connect(Path(self.folder.name) / "seen.sqlite")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        # Lookups are rare (a Bloom "maybe") and inserts come sorted: a small page cache
        # does, and SQLite's default 2 MB would be memory that grows with the export.
        self.db.execute("PRAGMA cache_size = -256")
        self.db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")

    def holds(self, ticket: str) -> bool:
        found = self.db.execute("SELECT 1 FROM seen WHERE id = ?", (ticket,)).fetchone()
        return found is not None

    def put(self, tickets: set[str]) -> None:
        # In key order, each insert lands next to the previous one in the index.
        self.db.executemany("INSERT INTO seen VALUES (?)", ((t,) for t in sorted(tickets)))

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


class SeenIds:
    """Answers, for each id in turn, whether it was met before; exact, in bounded memory.

    Every id sets two bits of a fixed Bloom filter (two probes from the two halves of
    one hash: Kirsch and Mitzenmacher). An id with a bit clear was never met; only one
    with both bits set ("maybe") is looked up, in memory and then on disk.

    Args:
        in_memory: how many of the latest ids stay in memory before they move to disk
            (default: the module's ``_IN_MEMORY``, read when the record is made).
        filter_power: the Bloom filter holds ``2 ** filter_power`` bits (at least 3).
    """

    def __init__(self, *, in_memory: int | None = None, filter_power: int = _FILTER_POWER):
        self._limit = _IN_MEMORY if in_memory is None else in_memory
        self._power, self._low = filter_power, (1 << filter_power) - 1
        self._recent: set[str] = set()
        self._bloom = bytearray(1 << (filter_power - 3))
        self._disk: _Disk | None = None

    def add(self, ticket: str) -> bool:
        """Record ``ticket``; whether it was recorded before."""
        h, low = hash(ticket), self._low
        one, two = h & low, (h >> self._power) & low
        bloom = self._bloom
        b1, m1, b2, m2 = one >> 3, 1 << (one & 7), two >> 3, 1 << (two & 7)
        if bloom[b1] & m1 and bloom[b2] & m2:
            if ticket in self._recent:
                return True
            if self._disk is not None and self._disk.holds(ticket):
                return True
        else:
            bloom[b1] |= m1
            bloom[b2] |= m2
        self._recent.add(ticket)
        if len(self._recent) >= self._limit:
            if self._disk is None:
                self._disk = _Disk()
            self._disk.put(self._recent)
            self._recent.clear()
        return False

    def close(self) -> None:
        """Forget every id and remove the file on disk, if any."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self._recent.clear()
        self._bloom = bytearray(len(self._bloom))
