"""Answers remembered per object, for values asked the same question at every evaluation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["IdentityMemo"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``compute(key)``, remembered per key object for at most ``limit`` keys at once.

    Keys are told apart by identity: a frozen value (a protocol, a chain) is asked again and
    again, and hashing it would walk every field each time. Each entry holds its key, so the
    key's id cannot pass to another object while the entry lasts; past ``limit`` keys every
    entry is dropped (bounded: a program may build many keys).
    """

    __slots__ = ("_compute", "_found", "_limit")

    def __init__(self, compute: Callable[[K], V], limit: int = 256) -> None:
        self._compute = compute
        self._found: dict[int, tuple[K, V]] = {}
        self._limit = limit

    def __call__(self, key: K) -> V:
        found = self._found.get(id(key))
        if found is not None and found[0] is key:
            return found[1]
        value = self._compute(key)
        if len(self._found) >= self._limit:
            self._found.clear()
        self._found[id(key)] = (key, value)
        return value
