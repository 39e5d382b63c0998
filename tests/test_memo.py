"""The answers remembered per object that chains and protocols share (servicekit._memo)."""

from __future__ import annotations

from servicekit._memo import IdentityMemo


def test_an_answer_is_remembered_per_object_not_per_equal_value() -> None:
    asked: list[object] = []

    def compute(key: list[int]) -> int:
        asked.append(key)
        return sum(key)

    memo: IdentityMemo[list[int], int] = IdentityMemo(compute)
    one, twin = [1, 2], [1, 2]  # equal, unhashable, two objects
    assert memo(one) == memo(one) == memo(twin) == 3
    assert asked == [one, twin]


def test_past_its_limit_every_answer_is_dropped_and_asked_again() -> None:
    asked: list[object] = []
    memo: IdentityMemo[object, int] = IdentityMemo(lambda key: asked.append(key) or 0, limit=2)
    keys = [object(), object(), object()]
    for key in keys:
        memo(key)
    memo(keys[0])  # the third key dropped the first two
    memo(keys[2])  # kept
    assert asked == [*keys, keys[0]]
