"""Exceptions raised by servicekit.

Every exception derives from :class:`ServiceKitError`, so one ``except`` clause
catches anything servicekit refuses. Each also derives from the built-in
exception Python users would expect for the same mistake (``ValueError`` for a
bad value, ``TypeError`` for a value of the wrong kind), so code written
against the standard library keeps working.

Messages say what was wrong and how to fix it. A failed operation never leaves
a value half changed.
"""

from __future__ import annotations

__all__ = [
    "CalendarNeverClosesError",
    "CalendarNeverOpenError",
    "CostModelError",
    "CurrencyMismatchError",
    "EventConflictError",
    "EventDecodeError",
    "GuardRejectedError",
    "HistoryReplayError",
    "IncidentError",
    "InstantFormatError",
    "InstantOutOfRangeError",
    "InstantTypeError",
    "InvalidDurationError",
    "InvalidEscalationError",
    "InvalidEventError",
    "InvalidFollowUpError",
    "InvalidHolidayError",
    "InvalidLifecycleError",
    "InvalidLocaleError",
    "InvalidScheduleError",
    "InvalidSurveyError",
    "InvalidTemplateError",
    "InvalidTransitionError",
    "MappingError",
    "MissingExtraError",
    "MissingTemplateError",
    "NaiveDatetimeError",
    "NegativeDurationError",
    "OutOfOrderEventError",
    "PlaybookError",
    "ProtocolFileError",
    "ReadOnlyTicketError",
    "ReasonError",
    "RoleNotAllowedError",
    "ScenarioFileError",
    "SchedulerError",
    "SchedulerStateError",
    "ServiceKitError",
    "SlaPolicyError",
    "SourceError",
    "SourceRowError",
    "TemplateError",
    "TemplateOutputError",
    "TicketAlreadyHeldError",
    "TicketNotHeldError",
    "TransitionError",
    "UnattainableTargetError",
    "UnknownPriorityError",
    "UnknownRequestTypeError",
    "UnknownStatusError",
    "UnknownTimezoneError",
    "UnmappedStatusError",
    "UnsafeTemplateError",
    "XesFormatError",
]


class ServiceKitError(Exception):
    """Base class of every error servicekit raises."""


class MissingExtraError(ServiceKitError, ImportError):
    """A feature needs an optional dependency that is not installed.

    The message names the extra that brings it, e.g.
    ``pip install 'servicekit[testing]'``.
    """


# --- time -------------------------------------------------------------------


class NaiveDatetimeError(ServiceKitError, ValueError):
    """A datetime without a time zone was given where an instant is needed.

    servicekit never guesses a zone: attach one (``datetime(..., tzinfo=UTC)``
    or ``pendulum.datetime(..., tz="Europe/Madrid")``).
    """


class InstantOutOfRangeError(ServiceKitError, ValueError):
    """An instant (given, or the result of a computation) falls outside the years 1 to 9999
    that Python's datetimes can hold."""


class InstantTypeError(NaiveDatetimeError, TypeError):
    """Something other than a datetime was given where an instant is needed (a string,
    a date, a number): parse text with :func:`servicekit.parse_instant` first.

    It derives from :class:`NaiveDatetimeError` so code that caught that error for any
    bad instant keeps working.
    """


class InstantFormatError(ServiceKitError, ValueError):
    """Text is not an ISO 8601 instant, or its offset contradicts its bracketed zone."""


class UnknownTimezoneError(ServiceKitError, ValueError):
    """A time-zone name is not in the IANA database."""


class InvalidDurationError(ServiceKitError, TypeError, ValueError):
    """A duration is not a ``timedelta``, or has months or years (no fixed length)."""


class NegativeDurationError(InvalidDurationError):
    """A duration that must not be negative was negative."""


# --- calendars --------------------------------------------------------------


class InvalidScheduleError(ServiceKitError, ValueError):
    """Opening hours could not be understood: a malformed string, a bad time,
    overlapping intervals, or an unknown weekday."""


class InvalidHolidayError(ServiceKitError, TypeError):
    """A holiday was given that is not a date (or a ``holidays`` calendar)."""


class CalendarNeverOpenError(ServiceKitError, ValueError):
    """Business time had to be counted on a calendar that never opens, so the
    computation would never finish."""


class CalendarNeverClosesError(ServiceKitError, ValueError):
    """The next closing instant was asked of a calendar that stays open for ever
    (for example :meth:`BusinessCalendar.always_open`)."""


# --- lifecycles and tickets -------------------------------------------------


class InvalidLifecycleError(ServiceKitError, ValueError):
    """A lifecycle definition is inconsistent (unknown or unreachable statuses,
    dead ends, ambiguous triggers, a missing initial status)."""


class UnknownStatusError(ServiceKitError, ValueError):
    """A status name is not part of the lifecycle."""


class TransitionError(ServiceKitError, ValueError):
    """Base class of the errors raised when a trigger cannot be fired."""


class InvalidTransitionError(TransitionError):
    """The trigger is not allowed from the ticket's current status."""


class GuardRejectedError(TransitionError):
    """A guard of the transition refused it."""


class ReasonError(TransitionError):
    """A reason was required and missing, or was not one of those allowed."""


class RoleNotAllowedError(TransitionError):
    """The actor's role may not fire this transition."""


class OutOfOrderEventError(ServiceKitError, ValueError):
    """An event is earlier than the last event of the history."""


class ReadOnlyTicketError(ServiceKitError, TypeError):
    """A guard tried to change the ticket it was given: guards get a read-only view."""


class EventConflictError(ServiceKitError, ValueError):
    """An event contradicts the ticket it is recorded on: a second opening, or a
    priority change from a priority the ticket does not have."""


class EventDecodeError(ServiceKitError, ValueError):
    """Plain data could not be turned back into an event (unknown type tag,
    missing or mistyped field)."""


class InvalidEventError(ServiceKitError, ValueError, TypeError):
    """An event was given a value its kind forbids (a survey score above the scale, a
    deadline of zero business days) or a value of the wrong type (a number for a name)."""


class HistoryReplayError(ServiceKitError, ValueError):
    """A stored history breaks its lifecycle; carries the index and the event."""

    def __init__(self, message: str, *, index: int, event: object) -> None:
        super().__init__(message)
        self.index = index
        self.event = event


class XesFormatError(ServiceKitError, ValueError):
    """An XES event log is malformed; carries the line where it went wrong."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


# --- sources: a team's own exports --------------------------------------------


class SourceError(ServiceKitError, ValueError):
    """A ticket export cannot be read: a missing or unreadable file, an unknown format."""


class MappingError(SourceError):
    """A source mapping is invalid: an unknown key, a wrong type, a column or value that
    cannot be used. The message names every problem found."""


class UnmappedStatusError(MappingError):
    """The export holds statuses the mapping does not map; carries them all (``statuses``)
    and a snippet to paste into the mapping (``snippet``)."""

    def __init__(self, message: str, *, statuses: tuple[str, ...], snippet: str) -> None:
        super().__init__(message)
        self.statuses = statuses
        self.snippet = snippet


class SourceRowError(SourceError):
    """A row of an export breaks a rule (strict mode); carries the ticket, the line or row
    number, the rule's code and how to fix it."""

    def __init__(self, message: str, *, ticket: str | None, line: int, rule: str, fix: str) -> None:
        super().__init__(message)
        self.ticket = ticket
        self.line = line
        self.rule = rule
        self.fix = fix


# --- SLA, escalation, follow-up ---------------------------------------------


class SlaPolicyError(ServiceKitError, ValueError):
    """An SLA policy or target is inconsistent, or a history needs a target the
    policy does not define."""


class UnknownPriorityError(SlaPolicyError):
    """A ticket's priority is not one the protocol's SLA policy has targets for (``"p1"``
    for ``"P1"``): it is refused, never given some other priority's targets."""


class InvalidEscalationError(ServiceKitError, ValueError):
    """An escalation chain definition is inconsistent."""


class InvalidFollowUpError(ServiceKitError, ValueError):
    """A follow-up schedule definition is inconsistent."""


class ProtocolFileError(ServiceKitError, ValueError):
    """A protocol file cannot be read or has problems.

    ``problems`` lists every problem found (each with the file, the line, the
    dotted path of the field, what was found and what was expected); the
    message has one line per problem.
    """

    def __init__(self, message: str, *, problems: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class InvalidSurveyError(ServiceKitError, ValueError):
    """A satisfaction-survey schedule is inconsistent."""


# --- message templates ---------------------------------------------------------


class TemplateError(ServiceKitError, ValueError):
    """Base class of the errors raised by message templates."""


class InvalidTemplateError(TemplateError):
    """A template does not parse, or names something its context does not have.

    Raised when the template is loaded, never when a message is sent.
    """


class UnsafeTemplateError(InvalidTemplateError):
    """A template uses a construct the sandbox refuses: attribute or item access
    (``x.__class__``, ``x['y']``), calls, loops, macros, includes, assignments or
    arithmetic. Templates are data from protocol files, never code."""


class InvalidLocaleError(TemplateError):
    """A language tag is malformed, or no language of a fallback chain is known."""


class MissingTemplateError(TemplateError):
    """No template for a message in the language, its fallbacks or the channel asked."""


class TemplateOutputError(TemplateError):
    """A rendered message is larger than the limit (a value in its context is too long)."""


class PlaybookError(ServiceKitError, ValueError):
    """A playbook was asked for in a format servicekit does not write."""


# --- linked incidents, request types ------------------------------------------


class IncidentError(ServiceKitError, ValueError):
    """A link, unlink, update or propagation on a parent incident was refused (a ticket
    linked twice, an update id reused, a child that cannot follow its parent)."""


class UnknownRequestTypeError(ServiceKitError, ValueError):
    """A ticket's request type has no protocol."""


# --- wake-up scheduler ----------------------------------------------------------


class SchedulerError(ServiceKitError, ValueError):
    """Base class of what the wake-up scheduler refuses."""


class TicketAlreadyHeldError(SchedulerError):
    """A ticket was added to a scheduler that already holds a ticket with its id."""


class TicketNotHeldError(SchedulerError, LookupError):
    """A ticket id was asked of a scheduler that does not hold it (never added, or closed)."""


class SchedulerStateError(SchedulerError):
    """Saved scheduler state does not match the protocol or the histories it is restored with."""


# --- cost models --------------------------------------------------------------


class CostModelError(ServiceKitError, ValueError):
    """A staffing or cost input is out of range, or a model cannot answer."""


class UnattainableTargetError(CostModelError):
    """No number of agents can meet the requested service target."""


class ScenarioFileError(CostModelError):
    """A cost scenario file cannot be read or has problems (each listed on its own line,
    with the file, the line and the dotted path of the field)."""


class CurrencyMismatchError(CostModelError):
    """Amounts in different currencies were combined."""
