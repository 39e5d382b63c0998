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

from servicekit._events import Event
from servicekit._lifecycle import Lifecycle
from servicekit._status import StatusCategory as C
from servicekit._ticket import Ticket
from servicekit.errors import SourceRowError, XesFormatError
from servicekit.sources import SourceMapping, XesSource, read_tickets
from servicekit.sources._xes import XesTrace

__all__ = [
    "BPIC2013_MAPPING",
    "BPIC2013_ZONE",
    "bpic2013_history",
    "bpic2013_lifecycle",
    "bpic2013_sample_path",
    "bpic2013_tickets",
]

BPIC2013_ZONE = "Europe/Brussels"
"""The log's timestamps are Central European time (they carry +01:00/+02:00 offsets)."""

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

BPIC2013_MAPPING = SourceMapping(
    name="bpic2013",
    ticket="case:concept:name",
    time="time:timestamp",
    timezone=BPIC2013_ZONE,
    status=("concept:name", "lifecycle:transition"),
    priority="impact",
    priority_order=("Major", "High", "Medium", "Low"),
    actor="org:resource",
    agent="org:resource",
    group="org:group",
    tier_pattern=" (2nd|3rd)$",
    default_tier="1st",
    role="org:role",
    attributes=("product", "organization country", "organization involved"),
    categories=dict(_STATUSES),
    assignment_on=("group",),
)
"""The BPI Challenge 2013 log as a mapping over the generic XES source: the status is the activity
and its lifecycle transition ("Accepted/In Progress"), the priority the impact, the support line
the suffix of the team's name ("2nd", "3rd"; otherwise "1st").
"""


@functools.cache
def bpic2013_lifecycle() -> Lifecycle:
    """The lifecycle of the Volvo IT incidents, mapped from the log's status pairs.

    The log moves between statuses freely (closed incidents are even reopened),
    so every status can be reached from every other: the trigger is the name of
    the destination, and an event that repeats the current status is a handover.
    """
    built = BPIC2013_MAPPING.build_lifecycle()
    return Lifecycle(
        built.name, built.statuses, built.transitions, built.initial, _factory=bpic2013_lifecycle
    )


class _TraceSource:
    """One trace, as the rows of an XES source."""

    grouped = True

    def __init__(self, trace: XesTrace) -> None:
        self.trace = trace

    def rows(self) -> Iterator[tuple[int, Mapping[str, object]]]:
        case = {f"case:{key}": value for key, value in self.trace.attributes.items()}
        for event in self.trace.events:
            yield self.trace.line, {**case, **event}

    def describe(self) -> str:
        return f"trace {self.trace.name!r}"


def bpic2013_history(trace: XesTrace) -> list[Event]:
    """The servicekit events of one incident.

    The first log event opens the ticket (priority = impact; product and
    countries as attributes); a change of support team is an :class:`Assigned`
    (tier from the team's suffix); a change of impact a :class:`PriorityChanged`;
    and every log event a :class:`StatusChanged` to its status pair.

    Raises:
        XesFormatError: the trace has no name or events, or an event lacks what the
            mapping needs.
    """
    if not trace.events or trace.name is None:
        raise XesFormatError("a BPI 2013 incident needs a name and events", line=trace.line)
    try:
        tickets = list(
            read_tickets(_TraceSource(trace), BPIC2013_MAPPING, lifecycle=bpic2013_lifecycle())
        )
    except SourceRowError as exc:
        raise XesFormatError(f"BPI 2013 incident {trace.name!r}: {exc}", line=trace.line) from exc
    return list(tickets[0].history)


def bpic2013_tickets(source: str | os.PathLike[str]) -> Iterator[Ticket]:
    """Stream the incidents of a BPI Challenge 2013 log (full or extract) as tickets.

    Raises:
        XesFormatError: the file is not a well-formed XES log.
        SourceRowError: an incident does not replay (names the line and the rule).
    """
    return iter(read_tickets(XesSource(source), BPIC2013_MAPPING, lifecycle=bpic2013_lifecycle()))


def bpic2013_sample_path() -> Path:
    """The shipped extract: the 90 incidents opened on 2012-05-03 between 14:00 and 14:40 CEST."""
    resource = importlib.resources.files("servicekit") / "_data" / "bpic2013_sample.xes.gz"
    return Path(str(resource))
