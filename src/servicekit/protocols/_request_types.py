"""Request types: what the customer is asking for decides the promise it is held to.

Service teams sort what comes in by what the customer wants: a **petition** (a
request for information or a service), a **complaint** (dissatisfaction with how
they were treated), a **claim** (something owed: a refund, a repair, a
compensation) and a **suggestion** (an idea to do better), plus any type of the
team's own. Each type has its own protocol, so a complaint can be answered faster
than a petition and a claim can be watched by the person who can pay it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence

import attrs

from servicekit._calendars import BusinessCalendar
from servicekit._events import AttributeValue
from servicekit._lifecycles import helpdesk_lifecycle
from servicekit._ticket import Ticket
from servicekit.errors import UnknownRequestTypeError
from servicekit.protocols._protocol import ProtocolReport, ServiceProtocol
from servicekit.protocols._ready import (
    _DEFAULT_PRIORITIES,
    _alert,
    _targets,
    reactive_protocol,
)
from servicekit.sla import SlaPolicy

__all__ = ["RequestType", "RequestTypes", "pqrs_request_types"]


@attrs.frozen
class RequestType:
    """One kind of request and the protocol it is held to."""

    name: str
    protocol: ServiceProtocol
    description: str = ""


def _types(value: Iterable[RequestType]) -> tuple[RequestType, ...]:
    types = tuple(value)
    names = [t.name for t in types]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UnknownRequestTypeError(f"request types {duplicated} are defined twice")
    if not types:
        raise UnknownRequestTypeError("give at least one request type")
    return types


@attrs.frozen(kw_only=True)
class RequestTypes:
    """A team's request types, read from each ticket's ``attributes[attribute]``.

    Attributes:
        types: the request types.
        attribute: the ticket attribute that names the type.
        default: the type of a ticket that names none (``None``: such a ticket is refused,
            so nothing is held to a promise nobody chose).

    Examples:
        >>> from servicekit import BusinessCalendar
        >>> desk = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
        >>> types = pqrs_request_types(desk)
        >>> types.names
        ('petition', 'complaint', 'claim', 'suggestion')
    """

    types: tuple[RequestType, ...] = attrs.field(converter=_types)
    attribute: str = "request_type"
    default: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.default is not None and self.default not in self.names:
            raise UnknownRequestTypeError(
                f"the default request type {self.default!r} is not one of {list(self.names)}"
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The types' names, in order."""
        return tuple(t.name for t in self.types)

    def get(self, name: str) -> RequestType:
        """The request type called ``name``.

        Raises:
            UnknownRequestTypeError: there is none; the message lists the known ones.
        """
        for request_type in self.types:
            if request_type.name == name:
                return request_type
        raise UnknownRequestTypeError(
            f"unknown request type {name!r}; known types: {list(self.names)} (add yours with "
            "RequestTypes.with_type)"
        )

    def with_type(self, request_type: RequestType) -> RequestTypes:
        """A copy with ``request_type`` added, or replacing the type of the same name."""
        kept = [t for t in self.types if t.name != request_type.name]
        return attrs.evolve(self, types=[*kept, request_type])

    def type_of(self, ticket: Ticket) -> RequestType:
        """The request type of ``ticket``.

        Raises:
            UnknownRequestTypeError: it names none and there is no default, or an unknown one.
        """
        value = ticket.opened.attributes.get(self.attribute)
        if value is None:
            if self.default is None:
                raise UnknownRequestTypeError(
                    f"ticket {ticket.id!r} has no {self.attribute!r} attribute and there is no "
                    f"default type; open it with one of {list(self.names)}"
                )
            return self.get(self.default)
        return self.get(str(value))

    def protocol_for(self, ticket: Ticket) -> ServiceProtocol:
        """The protocol ``ticket`` is held to."""
        return self.type_of(ticket).protocol

    def open(
        self,
        request_type: str,
        *,
        ticket_id: str,
        at: _dt.datetime,
        priority: str,
        attributes: dict[str, AttributeValue] | None = None,
        **details: object,
    ) -> Ticket:
        """Open a ticket of ``request_type`` in that type's lifecycle, naming the type in
        its attributes so every later evaluation finds its protocol."""
        protocol = self.get(request_type).protocol
        merged = {**(attributes or {}), self.attribute: request_type}
        return protocol.open(
            ticket_id=ticket_id, at=at, priority=priority, attributes=merged, **details
        )

    def evaluate(self, ticket: Ticket, now: _dt.datetime) -> ProtocolReport:
        """The ticket's report under its type's protocol."""
        return self.protocol_for(ticket).evaluate(ticket, now)


def pqrs_request_types(
    calendar: BusinessCalendar, priorities: Sequence[str] = _DEFAULT_PRIORITIES
) -> RequestTypes:
    """Petitions, complaints, claims and suggestions, each with its own promise.

    - **petition**: :func:`reactive_protocol` (first response 1/4/8 business hours,
      resolution 8/24/40).
    - **complaint**: the customer is already unhappy, so twice as fast: first response
      1/2/4, resolution 4/12/20, and the team lead alerted at half the resolution target.
    - **claim**: something is owed; first response 2/4/8, resolution within 40/60/80
      business hours (a week to two), and the claims manager, who can approve a refund,
      alerted at 75%.
    - **suggestion**: thanked within 16 business hours; no resolution promise.
    """
    petition = attrs.evolve(reactive_protocol(calendar, priorities), name="petition")

    def held_to(name: str, first: Sequence[float], resolution: Sequence[float]) -> SlaPolicy:
        return SlaPolicy(
            name,
            [
                *_targets("first_response", first, priorities, calendar),
                *_targets("resolution", resolution, priorities, calendar),
            ],
        )

    complaint = attrs.evolve(
        petition,
        name="complaint",
        sla=held_to("complaint", (1, 2, 4), (4, 12, 20)),
        escalations=[*petition.escalations[:1], _alert("lead-at-half", "team-lead", 0.5)],
        description="An unhappy customer: answered and put right twice as fast.",
    )
    claim = attrs.evolve(
        petition,
        name="claim",
        sla=held_to("claim", (2, 4, 8), (40, 60, 80)),
        escalations=[_alert("claims-manager", "claims-manager", 0.75)],
        description="Something is owed: the person who can pay it watches the clock.",
    )
    suggestion = attrs.evolve(
        petition,
        name="suggestion",
        lifecycle=helpdesk_lifecycle(),
        sla=SlaPolicy("suggestion", _targets("first_response", (16,), priorities, calendar)),
        escalations=(),
        follow_ups=(),
        description="An idea: thanked promptly, weighed without a deadline.",
    )
    return RequestTypes(
        types=[
            RequestType("petition", petition, "A request for information or a service."),
            RequestType("complaint", complaint, "Dissatisfaction with the service received."),
            RequestType("claim", claim, "A demand for something owed: refund, repair, redress."),
            RequestType("suggestion", suggestion, "An idea to improve the service."),
        ]
    )
