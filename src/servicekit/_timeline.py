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
    out: list[tuple[int, Event]] = []
    ranks: list[int] = []
    # A history is in time order, and within an instant mostly in rank order too: an event
    # that ranks before those recorded just before it at its instant (the reopening a reply
    # caused, recorded after the reply) moves back past them, as a stable sort would move
    # it. Only an event earlier than the one before it (a list out of order) sorts the lot.
    ordered = True
    last_at = -(2**63)
    for at, event in stamped:
        if at > now_us:
            break
        # _rank, inline: this loop runs for every event of every evaluation.
        rank = (
            0 if isinstance(event, TicketOpened) else 1 if isinstance(event, StatusChanged) else 2
        )
        if at == last_at and rank < ranks[-1]:
            place = len(out) - 1
            while place > 0 and out[place - 1][0] == at and ranks[place - 1] > rank:
                place -= 1
            out.insert(place, (at, event))
            ranks.insert(place, rank)
            continue
        if at < last_at:
            ordered = False
        last_at = at
        out.append((at, event))
        ranks.append(rank)
    if not ordered:
        # Stable: events of one instant and rank keep their order.
        out.sort(key=lambda pair: (pair[0], _rank(pair[1])))
    return out
