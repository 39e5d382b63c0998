"""A ticket's events as the rules engines read them: up to ``now``, in a fixed order."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeAlias

from servicekit._events import Event, StatusChanged, TicketOpened
from servicekit._ticket import Ticket
from servicekit._time import to_micros

__all__ = ["Timeline", "timeline"]

#: A ticket's events up to an instant, as :func:`timeline` gives them: read once per
#: evaluation and handed to every rules engine.
Timeline: TypeAlias = Sequence[tuple[int, Event]]


def _rank(event: Event) -> int:
    return 0 if isinstance(event, TicketOpened) else 1 if isinstance(event, StatusChanged) else 2


def timeline(events: Iterable[Event], now_us: int) -> list[tuple[int, Event]]:
    """The events up to ``now_us`` with their instants in microseconds, in order.

    At one instant the opening comes first, then status changes, then the rest:
    a reply that reopens a solved ticket is a reply to an open ticket.
    """
    stamped: Iterator[tuple[int, Event]]
    if isinstance(events, Ticket):
        # A ticket keeps its events' instants in microseconds: none is converted, and the
        # events after now_us are not even rebuilt (zip stops at the shorter side).
        us = events._us
        stamped = zip(us[: bisect_right(us, now_us)], events, strict=False)
    else:
        stamped = ((to_micros(event.at), event) for event in events)
    out = []
    # A history is in time order, so the list is sorted already unless an event ranks
    # before the one recorded just before it at the same instant: only then is it sorted.
    ordered = True
    last_at, last_rank = -(2**63), 0
    for at, event in stamped:
        if at > now_us:
            break
        # _rank, inline: this loop runs for every event of every evaluation.
        rank = (
            0 if isinstance(event, TicketOpened) else 1 if isinstance(event, StatusChanged) else 2
        )
        if at < last_at or (at == last_at and rank < last_rank):
            ordered = False
        last_at, last_rank = at, rank
        out.append((at, event))
    if not ordered:
        # Stable: events of one instant and rank keep their order.
        out.sort(key=lambda pair: (pair[0], _rank(pair[1])))
    return out
