"""The BPI Challenge 2013 incident log as servicekit tickets.

BPI Challenge 2013, Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee. Each incident is a trace;
each event carries a status and sub-status (``Accepted``/``In Progress``, ...),
the support team (``org:group``, whose suffix ``2nd`` or ``3rd`` gives the
support line), the person, the impact and the product.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from servicekit._events import Assigned, Event, PriorityChanged, StatusChanged, TicketOpened
from servicekit._lifecycle import ANY, Lifecycle, Status, Transition
from servicekit._status import StatusCategory as C
from servicekit._ticket import Ticket
from servicekit.datasets._xes import XesTrace, read_xes
from servicekit.errors import XesFormatError

__all__ = [
    "BPIC2013_ZONE",
    "bpic2013_history",
    "bpic2013_lifecycle",
    "bpic2013_sample_path",
    "bpic2013_tickets",
]

#: The log's timestamps are Central European time (they carry +01:00/+02:00 offsets).
BPIC2013_ZONE = "Europe/Brussels"

# Status/sub-status pairs seen in the log, and what each means to the clocks.
_STATUSES = (
    ("Queued/Awaiting Assignment", C.NEW),
    ("Accepted/Assigned", C.OPEN),
    ("Accepted/In Progress", C.OPEN),
    ("Accepted/Wait - User", C.WAITING_ON_CUSTOMER),
    ("Accepted/Wait - Customer", C.WAITING_ON_CUSTOMER),
    ("Accepted/Wait", C.WAITING_ON_THIRD_PARTY),
    ("Accepted/Wait - Implementation", C.WAITING_ON_THIRD_PARTY),
    ("Accepted/Wait - Vendor", C.WAITING_ON_THIRD_PARTY),
    ("Completed/Resolved", C.SOLVED),
    ("Completed/In Call", C.SOLVED),
    ("Completed/Closed", C.CLOSED),
    ("Completed/Cancelled", C.CANCELLED),
    ("Unmatched/Unmatched", C.OPEN),
)


@functools.cache
def bpic2013_lifecycle() -> Lifecycle:
    """The lifecycle of the Volvo IT incidents, mapped from the log's status pairs.

    The log moves between statuses freely (closed incidents are even reopened),
    so every status can be reached from every other: the trigger is the name of
    the destination, and an event that repeats the current status is a handover.
    """
    return Lifecycle(
        "bpic2013",
        [Status(name, category) for name, category in _STATUSES],
        [Transition(trigger=name, sources=ANY, dest=name) for name, _ in _STATUSES],
        "Queued/Awaiting Assignment",
        _factory=bpic2013_lifecycle,
    )


def _tier(group: str) -> str:
    suffix = group.rsplit(" ", 1)[-1]
    return suffix if suffix in ("2nd", "3rd") else "1st"


def _text(event: Mapping[str, object], key: str, line: int) -> str:
    value = event.get(key)
    if not isinstance(value, str):
        raise XesFormatError(f"BPI 2013 event without a text {key!r} attribute", line=line)
    return value


def bpic2013_history(trace: XesTrace) -> list[Event]:
    """The servicekit events of one incident.

    The first log event opens the ticket (priority = impact; product and
    countries as attributes); a change of support team is an :class:`Assigned`
    (tier from the team's suffix); a change of impact a :class:`PriorityChanged`;
    and every log event a :class:`StatusChanged` to its status pair.
    """
    if not trace.events or trace.name is None:
        raise XesFormatError("a BPI 2013 incident needs a name and events", line=trace.line)
    history: list[Event] = []
    status, group, impact = "Queued/Awaiting Assignment", None, None
    for raw in trace.events:
        event = dict(raw)
        at = event.get("time:timestamp")
        if at is None:
            raise XesFormatError("BPI 2013 event without a timestamp", line=trace.line)
        person = event.get("org:resource")
        actor = person if isinstance(person, str) else None
        new_impact = _text(event, "impact", trace.line)
        new_group = _text(event, "org:group", trace.line)
        if not history:
            attributes = {
                key: value
                for key in ("product", "organization country", "organization involved")
                if isinstance(value := event.get(key), str)
            }
            history.append(
                TicketOpened(
                    at=at,
                    actor=actor,
                    ticket_id=trace.name,
                    priority=new_impact,
                    attributes=attributes,
                )
            )
        elif new_impact != impact:
            assert impact is not None
            history.append(
                PriorityChanged(at=at, actor=actor, from_priority=impact, to_priority=new_impact)
            )
        if new_group != group:
            history.append(
                Assigned(at=at, actor=actor, agent=actor, group=new_group, tier=_tier(new_group))
            )
        activity = _text(event, "concept:name", trace.line)
        target = f"{activity}/{_text(event, 'lifecycle:transition', trace.line)}"
        role = event.get("org:role")
        history.append(
            StatusChanged(
                at=at,
                actor=actor,
                trigger=target,
                from_status=status,
                to_status=target,
                role=role if isinstance(role, str) else None,
            )
        )
        status, group, impact = target, new_group, new_impact
    return history


def bpic2013_tickets(source: str | os.PathLike[str] | IO[bytes]) -> Iterator[Ticket]:
    """Stream the incidents of a BPI Challenge 2013 log (full or extract) as tickets.

    Raises:
        XesFormatError: the file is not a well-formed XES log.
        HistoryReplayError: an incident does not replay (names the event).
    """
    lifecycle = bpic2013_lifecycle()
    for trace in read_xes(source):
        yield Ticket.replay(bpic2013_history(trace), lifecycle)


def bpic2013_sample_path() -> Path:
    """The shipped extract: the 90 incidents opened on 2012-05-03 between 14:00 and 14:40 CEST."""
    resource = importlib.resources.files("servicekit") / "_data" / "bpic2013_sample.xes.gz"
    return Path(str(resource))
