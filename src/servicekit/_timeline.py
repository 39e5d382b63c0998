"""A ticket's events as the rules engines read them: up to ``now``, in a fixed order."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, TypeAlias

import pendulum

from servicekit._events import Event, StatusChanged, TicketOpened
from servicekit._ticket import Ticket
from servicekit._time import to_micros

__all__ = ["Stamped", "Timeline", "classes_of", "timeline"]

#: A ticket's events up to an instant, as :func:`timeline` gives them: read once per
#: evaluation and handed to every rules engine.
Timeline: TypeAlias = Sequence[tuple[int, Event]]


class Stamped(list[tuple[int, Event]]):
    """What :func:`timeline` gives: the events with their instants, and ``classes``, the
    classes of event among them (a rules engine skips what no event of the ticket can
    start without reading the events again)."""

    __slots__ = ("classes",)

    classes: frozenset[type[Event]] | set[type[Event]]


def classes_of(events: Timeline) -> frozenset[type[Event]] | set[type[Event]]:
    """The classes of event in ``events`` (remembered by a timeline, else read)."""
    found: frozenset[type[Event]] | set[type[Event]] | None = getattr(events, "classes", None)
    return {type(event) for _, event in events} if found is None else found


def _rank(event: Event) -> int:
    kind = type(event)
    rank = _RANKS.get(kind)
    if rank is None:
        rank = 0 if issubclass(kind, TicketOpened) else 1 if issubclass(kind, StatusChanged) else 2
        if len(_RANKS) >= _BARE_MAX:
            _RANKS.clear()
        _RANKS[kind] = rank
    return rank


# An event's class -> its rank at an instant (a dictionary look-up, not two isinstance calls
# per event: the timeline loop runs for every event of every evaluation).
_RANKS: dict[type, int] = {}


class _BareChanges(dict[str, StatusChanged]):
    """Destination status -> the stand-in of a status change to it (see timeline's
    bare_changes): a subscript for every status change of every evaluation, a new stand-in
    only for a status not met yet."""

    __slots__ = ()

    def __missing__(self, to_status: str) -> StatusChanged:
        bare = StatusChanged(at=_NOWHERE, trigger="-", from_status="-", to_status=to_status)
        if len(self) >= _BARE_MAX:
            self.clear()
        self[to_status] = bare
        return bare


_BARE_MAX: Final = 4096
_NOWHERE: Final = pendulum.datetime(1970, 1, 1)
_BARE = _BareChanges()
#: The stand-in of a status change to a status (see timeline's bare_changes).
_bare_change: Final = _BARE.__getitem__


def timeline(events: Iterable[Event], now_us: int, *, bare_changes: bool = False) -> Stamped:
    """The events up to ``now_us`` with their instants in microseconds, in order.

    At one instant the opening comes first, then status changes, then the rest:
    a reply that reopens a solved ticket is a reply to an open ticket.

    ``bare_changes``: of a ticket, give each status change it keeps compactly (those fired
    on it) as a shared stand-in that carries only the status it led to (every other field,
    its instant among them, is a placeholder), sparing the rebuilding of the event, for a
    reader that reads nothing else of a status change and keeps none.
    """
    stamped: Iterator[tuple[int, Event]]
    if isinstance(events, Ticket):
        # A ticket keeps its events' instants in microseconds: none is converted, and the
        # events after now_us are not even rebuilt (zip stops at the shorter side).
        us = events._us
        n = bisect_right(us, now_us)
        if bare_changes:
            stamped = zip(us[:n], events._stand_ins(n, _bare_change), strict=True)
        else:
            stamped = zip(us[:n], events, strict=False)
    else:
        stamped = ((to_micros(event.at), event) for event in events)
    out = Stamped()
    ranks: list[int] = []
    classes: set[type[Event]] = set()
    # A history is in time order, and within an instant mostly in rank order too: an event
    # that ranks before those recorded just before it at its instant (the reopening a reply
    # caused, recorded after the reply) moves back past them, as a stable sort would move
    # it. Only an event earlier than the one before it (a list out of order) sorts the lot.
    ordered = True
    last_at = -(2**63)
    ranks_of = _RANKS
    for at, event in stamped:
        if at > now_us:
            break
        kind = type(event)
        classes.add(kind)
        rank = ranks_of.get(kind)
        if rank is None:
            rank = _rank(event)
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
    out.classes = classes
    return out
