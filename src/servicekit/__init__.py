"""servicekit: service-protocol primitives for customer-service and helpdesk software.

Every answer servicekit gives is a pure function of what the team promised
(a protocol), what happened to a ticket (its history) and ``now``. See the
documentation for a tour; this module re-exports the public API.
"""

from __future__ import annotations

from servicekit import errors
from servicekit._calendars import BusinessCalendar
from servicekit._events import (
    Acknowledged,
    AgentReplied,
    Assigned,
    AttributesChanged,
    AttributeValue,
    CorrectiveActionAssigned,
    CorrectiveActionDone,
    CustomerReplied,
    Escalated,
    Event,
    FollowUpSent,
    FrozenAttributes,
    NoteAdded,
    OptedOut,
    PriorityChanged,
    PromiseMade,
    StatusChanged,
    SurveyAnswered,
    SurveySent,
    TicketLinked,
    TicketOpened,
    TicketUnlinked,
    UpdateDelivered,
    UpdatePosted,
    event_from_dict,
    event_kinds,
    event_to_dict,
    history_from_json,
    history_to_json,
)
from servicekit._lifecycle import (
    ANY,
    SAME,
    DueTransition,
    Lifecycle,
    Reaction,
    Status,
    Transition,
)
from servicekit._lifecycles import (
    helpdesk_lifecycle,
    incident_lifecycle,
    service_request_lifecycle,
)
from servicekit._status import ClockAction, StatusCategory
from servicekit._ticket import StatusInterval, Ticket, TicketView
from servicekit._time import format_instant, parse_instant

__version__ = "0.1.0"
"""This release's version (PEP 440); the one place it is written, read by the build too."""

__all__ = [
    "ANY",
    "SAME",
    "Acknowledged",
    "AgentReplied",
    "Assigned",
    "AttributeValue",
    "AttributesChanged",
    "BusinessCalendar",
    "ClockAction",
    "CorrectiveActionAssigned",
    "CorrectiveActionDone",
    "CustomerReplied",
    "DueTransition",
    "Escalated",
    "Event",
    "FollowUpSent",
    "FrozenAttributes",
    "Lifecycle",
    "NoteAdded",
    "OptedOut",
    "PriorityChanged",
    "PromiseMade",
    "Reaction",
    "Status",
    "StatusCategory",
    "StatusChanged",
    "StatusInterval",
    "SurveyAnswered",
    "SurveySent",
    "Ticket",
    "TicketLinked",
    "TicketOpened",
    "TicketUnlinked",
    "TicketView",
    "Transition",
    "UpdateDelivered",
    "UpdatePosted",
    "__version__",
    "errors",
    "event_from_dict",
    "event_kinds",
    "event_to_dict",
    "format_instant",
    "helpdesk_lifecycle",
    "history_from_json",
    "history_to_json",
    "incident_lifecycle",
    "parse_instant",
    "service_request_lifecycle",
]
