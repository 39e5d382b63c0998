"""A ticket's events as the rules engines read them: up to ``now``, in a fixed order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from servicekit._events import Event, StatusChanged, TicketOpened
from servicekit._time import to_micros

__all__ = ["Timeline", "timeline"]

#: A ticket's events up to an instant, as :func:`timeline` gives them: read once per
#: evaluation and handed to every rules engine.
Timeline: TypeAlias = Sequence[tuple[int, Event]]


def timeline(events: Iterable[Event], now_us: int) -> list[tuple[int, Event]]:
    """The events up to ``now_us`` with their instants in microseconds, in order.

    At one instant the opening comes first, then status changes, then the rest:
    a reply that reopens a solved ticket is a reply to an open ticket.
    """
    stamped = []
    # A history is in time order, so the list is sorted already unless an event ranks
    # before the one recorded just before it at the same instant: only then is it sorted.
    ordered = True
    last = (-(2**63), 0)
    for index, event in enumerate(events):
        at = to_micros(event.at)
        if at > now_us:
            break
        rank = (
            0 if isinstance(event, TicketOpened) else 1 if isinstance(event, StatusChanged) else 2
        )
        if (at, rank) < last:
            ordered = False
        last = (at, rank)
        stamped.append((at, rank, index, event))
    if not ordered:
        stamped.sort(key=lambda item: item[:3])
    return [(at, event) for at, _, _, event in stamped]
