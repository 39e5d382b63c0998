"""Ticket events: what happened to a ticket, each at an aware instant.

Events are frozen values. A ticket's history is the ordered tuple of its
events, and everything servicekit answers (status, SLA clocks, escalations,
follow-ups) is computed from that history and a ``now``. Apps store events
wherever they like; :func:`event_to_dict` and :func:`event_from_dict` turn
them into plain, JSON-ready data and back without loss.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final, TypeAlias

import attrs
import cattrs
import pendulum

from servicekit._time import as_instant, format_instant, get_timezone, parse_instant
from servicekit.errors import (
    EventDecodeError,
    InvalidEventError,
    UnknownTimezoneError,
)

__all__ = [
    "Acknowledged",
    "AgentReplied",
    "Assigned",
    "AttributeValue",
    "AttributesChanged",
    "CorrectiveActionAssigned",
    "CorrectiveActionDone",
    "CustomerReplied",
    "Escalated",
    "Event",
    "FollowUpSent",
    "FrozenAttributes",
    "NoteAdded",
    "OptedOut",
    "PriorityChanged",
    "PromiseMade",
    "StatusChanged",
    "SurveyAnswered",
    "SurveySent",
    "TicketLinked",
    "TicketOpened",
    "TicketUnlinked",
    "UpdateDelivered",
    "UpdatePosted",
    "event_from_dict",
    "event_kinds",
    "event_to_dict",
    "history_from_json",
    "history_to_json",
]

AttributeValue: TypeAlias = str | int | float | bool | None
"""The plain values a ticket's free-form attributes may hold."""


class FrozenAttributes(Mapping[str, AttributeValue]):
    """An immutable, hashable, picklable mapping of a ticket's free-form attributes."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, AttributeValue] | None = None) -> None:
        items = dict(data or {})
        for key, value in items.items():
            if not isinstance(key, str):
                raise TypeError(f"attribute names must be strings, got {key!r}")
            if value is not None and not isinstance(value, str | int | float | bool):
                raise TypeError(
                    f"attribute {key!r} must be a str, int, float, bool or None, "
                    f"got {type(value).__name__} {value!r}"
                )
        self._data = items
        self._hash: int | None = None

    def __getitem__(self, key: str) -> AttributeValue:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenAttributes({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenAttributes, (self._data,))


_NO_ATTRIBUTES: Final = FrozenAttributes()


def _no_attributes() -> FrozenAttributes:
    return _NO_ATTRIBUTES


def _to_attributes(value: Mapping[str, AttributeValue] | None) -> FrozenAttributes:
    if isinstance(value, FrozenAttributes):
        return value
    # Most tickets carry no attributes: they share one empty (immutable) mapping.
    return _NO_ATTRIBUTES if not value else FrozenAttributes(value)


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, name="at")


def _optional_instant(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, name="due")


def _zone_name(value: object) -> str | None:
    if value is None:
        return None
    return get_timezone(value, name="customer_timezone").name


def _str(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidEventError(
            f"{attribute.name} must be a str, got {type(value).__name__} {value!r}"
        )


def _opt_str(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidEventError(
            f"{attribute.name} must be a str or None, got {type(value).__name__} {value!r}"
        )


def _bool(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidEventError(
            f"{attribute.name} must be True or False, got {type(value).__name__} {value!r}"
        )


@attrs.frozen(kw_only=True)
class Event:
    """Base class of every ticket event.

    Attributes:
        at: when it happened; an aware datetime (stored as a pendulum ``DateTime``).
        actor: who did it (an agent, the customer, a system job), if known.
    """

    kind: ClassVar[str] = "event"

    at: pendulum.DateTime = attrs.field(converter=_instant)
    actor: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class TicketOpened(Event):
    """The ticket was created.

    Attributes:
        ticket_id: the app's identifier of the ticket.
        priority: its priority, e.g. ``"P1"`` or ``"high"``.
        channel: where it came in: ``"email"``, ``"chat"``, ``"voice"``, ``"web"``...
        customer_timezone: the customer's IANA time zone, for quiet hours.
        attributes: free-form plain values (impact, product, customer tier...).
        detected_by: who noticed the failure first: ``"customer"`` (they reported it),
            ``"agent"``, ``"monitoring"``, ``"social_media"``, or the team's own word;
            ``None`` when not recorded. The proactive figures read it.
    """

    kind: ClassVar[str] = "ticket_opened"

    ticket_id: str = attrs.field(validator=_str)
    priority: str = attrs.field(validator=_str)
    channel: str | None = attrs.field(default=None, validator=_opt_str)
    customer_timezone: str | None = attrs.field(default=None, converter=_zone_name)
    attributes: FrozenAttributes = attrs.field(factory=_no_attributes, converter=_to_attributes)
    detected_by: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class StatusChanged(Event):
    """A lifecycle transition fired (``from_status == to_status`` for a handover).

    Attributes:
        trigger: the transition's trigger.
        from_status: the status before.
        to_status: the status after.
        reason: why, where the transition takes a reason.
        role: the role the actor fired it in, where the transition is limited to roles.
    """

    kind: ClassVar[str] = "status_changed"

    trigger: str = attrs.field(validator=_str)
    from_status: str = attrs.field(validator=_str)
    to_status: str = attrs.field(validator=_str)
    reason: str | None = attrs.field(default=None, validator=_opt_str)
    role: str | None = attrs.field(default=None, validator=_opt_str)


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    # The slots' own descriptors, found along the class's MRO: setting through them skips
    # the frozen class's __setattr__ and object.__setattr__'s lookup.
    return tuple(
        next(vars(c)[name] for c in cls.__mro__ if name in vars(c)).__set__ for name in names
    )


_new_event: Final = object.__new__
(
    _set_at,
    _set_actor,
    _set_trigger,
    _set_from_status,
    _set_to_status,
    _set_reason,
    _set_role,
) = _slot_setters(
    StatusChanged, ("at", "actor", "trigger", "from_status", "to_status", "reason", "role")
)


def status_changed(
    at: pendulum.DateTime,
    actor: str | None,
    trigger: str,
    from_status: str,
    to_status: str,
    reason: str | None,
    role: str | None,
) -> StatusChanged:
    """A :class:`StatusChanged` from fields already checked (a ticket's hot path: firing and
    rebuilding its compact history), without running the validators again."""
    event: StatusChanged = _new_event(StatusChanged)
    _set_at(event, at)
    _set_actor(event, actor)
    _set_trigger(event, trigger)
    _set_from_status(event, from_status)
    _set_to_status(event, to_status)
    _set_reason(event, reason)
    _set_role(event, role)
    return event


@attrs.frozen(kw_only=True)
class AgentReplied(Event):
    """An agent wrote on the ticket: a public reply the customer sees, or an
    internal note (``public=False``)."""

    kind: ClassVar[str] = "agent_replied"

    public: bool = attrs.field(default=True, validator=_bool)


@attrs.frozen(kw_only=True)
class CustomerReplied(Event):
    """The customer wrote on the ticket."""

    kind: ClassVar[str] = "customer_replied"


@attrs.frozen(kw_only=True)
class PriorityChanged(Event):
    """The ticket's priority changed from ``from_priority`` to ``to_priority``."""

    kind: ClassVar[str] = "priority_changed"

    from_priority: str = attrs.field(validator=_str)
    to_priority: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class Assigned(Event):
    """The ticket was assigned: to an agent, a group, a support tier, or all three."""

    kind: ClassVar[str] = "assigned"

    agent: str | None = attrs.field(default=None, validator=_opt_str)
    group: str | None = attrs.field(default=None, validator=_opt_str)
    tier: str | None = attrs.field(default=None, validator=_opt_str)


_set_agent, _set_group, _set_tier = _slot_setters(Assigned, ("agent", "group", "tier"))


def assigned_event(
    at: pendulum.DateTime, actor: str | None, group: str | None, agent: str | None, tier: str | None
) -> Assigned:
    """An :class:`Assigned` from fields already checked (a source reader's hot path), without
    running the validators."""
    event: Assigned = _new_event(Assigned)
    _set_at(event, at)
    _set_actor(event, actor)
    _set_group(event, group)
    _set_agent(event, agent)
    _set_tier(event, tier)
    return event


@attrs.frozen(kw_only=True)
class Escalated(Event):
    """The ticket was escalated by hand to ``level`` (a tier or a manager level)."""

    kind: ClassVar[str] = "escalated"

    level: str = attrs.field(validator=_str)
    reason: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Acknowledged(Event):
    """Someone notified by an escalation acknowledged it, naming what they acknowledge.

    An acknowledgement stops only what it names: the run that sent the notification
    whose ``key`` it gives, or the run under way of the ``chain`` it names (only run
    ``run`` of it, when given). Other chains go on.

    Attributes:
        key: the idempotency key of the notification acknowledged.
        chain: the name of the escalation chain acknowledged.
        run: with ``chain``: only this run of it.

    Raises:
        InvalidEventError: it names nothing (an acknowledgement of nothing would stop
            nothing, or, as it once did, everything), or a run without a chain.
    """

    kind: ClassVar[str] = "acknowledged"

    key: str | None = attrs.field(default=None, validator=_opt_str)
    chain: str | None = attrs.field(default=None, validator=_opt_str)
    run: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(int)),
    )

    def __attrs_post_init__(self) -> None:
        if self.key is None and self.chain is None:
            raise InvalidEventError(
                "an acknowledgement must name what it acknowledges: a notification's key "
                "(Acknowledged(key=action.key)), or a chain (chain='tiers', optionally run=2)"
            )
        if self.run is not None and self.chain is None:
            raise InvalidEventError("an acknowledgement of a run names its chain too")


@attrs.frozen(kw_only=True)
class FollowUpSent(Event):
    """A proactive follow-up went to the customer through ``channel``."""

    kind: ClassVar[str] = "follow_up_sent"

    channel: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class NoteAdded(Event):
    """A free-text note that changes nothing but is kept in the history."""

    kind: ClassVar[str] = "note_added"

    text: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class PromiseMade(Event):
    """An agent promised the customer something by ``due``
    ("I will call you back by 15:00")."""

    kind: ClassVar[str] = "promise_made"

    due: pendulum.DateTime = attrs.field(converter=_instant)
    description: str = attrs.field(default="", validator=_str)
    channel: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class OptedOut(Event):
    """The customer asked not to be contacted proactively (on ``channel``, or at all)."""

    kind: ClassVar[str] = "opted_out"

    channel: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class AttributesChanged(Event):
    """Some of the ticket's free-form attributes changed (a customer became VIP, a contract
    tier changed): the values given replace those of the same names, from this instant.

    Rules that read attributes (a protocol's target rule, for example) apply the new
    values from ``at`` on, as they do a priority change.

    Attributes:
        attributes: the new values by name (other attributes stay as they were).
    """

    kind: ClassVar[str] = "attributes_changed"

    attributes: FrozenAttributes = attrs.field(converter=_to_attributes)

    def __attrs_post_init__(self) -> None:
        if not self.attributes:
            raise InvalidEventError(
                "an AttributesChanged event changes nothing: give the attributes that changed, "
                "e.g. attributes={'vip': True}"
            )


@attrs.frozen(kw_only=True)
class TicketLinked(Event):
    """This customer ticket was linked to the parent incident ``parent_id`` (one failure,
    many customers): from now on the parent's updates and status changes reach it."""

    kind: ClassVar[str] = "ticket_linked"

    parent_id: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class TicketUnlinked(Event):
    """This customer ticket was unlinked from the parent incident ``parent_id``."""

    kind: ClassVar[str] = "ticket_unlinked"

    parent_id: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class UpdatePosted(Event):
    """A status update posted on a parent incident, to be told to every linked customer.

    Attributes:
        update_id: unique on the incident; part of every delivery's idempotency key.
        text: what the customers are told.
    """

    kind: ClassVar[str] = "update_posted"

    update_id: str = attrs.field(validator=_str)
    text: str = attrs.field(default="", validator=_str)


@attrs.frozen(kw_only=True)
class UpdateDelivered(Event):
    """The parent incident's update ``update_id`` reached this customer through ``channel``."""

    kind: ClassVar[str] = "update_delivered"

    parent_id: str = attrs.field(validator=_str)
    update_id: str = attrs.field(validator=_str)
    channel: str = attrs.field(validator=_str)


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise InvalidEventError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class CorrectiveActionAssigned(Event):
    """After an incident, ``owner`` must do ``description`` within ``business_days``
    business days, so the failure does not happen again."""

    kind: ClassVar[str] = "corrective_action_assigned"

    action_id: str = attrs.field(validator=_str)
    description: str = attrs.field(validator=_str)
    owner: str = attrs.field(validator=_str)
    business_days: int = attrs.field(validator=_positive_int)


@attrs.frozen(kw_only=True)
class CorrectiveActionDone(Event):
    """The corrective action (or the post-incident review) ``action_id`` was done."""

    kind: ClassVar[str] = "corrective_action_done"

    action_id: str = attrs.field(validator=_str)


@attrs.frozen(kw_only=True)
class SurveySent(Event):
    """The satisfaction survey ``survey`` went to the customer through ``channel``."""

    kind: ClassVar[str] = "survey_sent"

    survey: str = attrs.field(validator=_str)
    channel: str = attrs.field(validator=_str)


def _score(instance: SurveyAnswered, _: object, value: int) -> None:
    if type(value) is not int or not 0 <= value <= instance.scale:
        raise InvalidEventError(
            f"score must be a whole number from 0 to the scale {instance.scale}, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class SurveyAnswered(Event):
    """The customer answered the survey ``survey``: ``score`` out of ``scale``."""

    kind: ClassVar[str] = "survey_answered"

    survey: str = attrs.field(validator=_str)
    scale: int = attrs.field(default=5, validator=_positive_int)
    score: int = attrs.field(validator=_score)
    comment: str = attrs.field(default="", validator=_str)


EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    TicketOpened,
    StatusChanged,
    AgentReplied,
    CustomerReplied,
    PriorityChanged,
    Assigned,
    Escalated,
    Acknowledged,
    FollowUpSent,
    NoteAdded,
    PromiseMade,
    OptedOut,
    AttributesChanged,
    TicketLinked,
    TicketUnlinked,
    UpdatePosted,
    UpdateDelivered,
    CorrectiveActionAssigned,
    CorrectiveActionDone,
    SurveySent,
    SurveyAnswered,
)
_BY_KIND: Final = {cls.kind: cls for cls in EVENT_TYPES}
_KINDS: Final = frozenset(_BY_KIND)
_TAG: Final = "type"


def _structure_instant(value: object, _: object) -> pendulum.DateTime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return parse_instant(value)


def _strict(expected: type) -> Any:
    # cattrs coerces by default (str(1) == "1"); stored histories must not be guessed at.
    def structure(value: object, _: object) -> object:
        if type(value) is not expected and not (expected is float and type(value) is int):
            raise TypeError(f"expected {expected.__name__}, got {type(value).__name__} {value!r}")
        return value

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    for scalar in (str, int, float, bool):
        conv.register_structure_hook(scalar, _strict(scalar))
    conv.register_unstructure_hook(pendulum.DateTime, format_instant)
    conv.register_structure_hook(pendulum.DateTime, _structure_instant)
    conv.register_unstructure_hook(FrozenAttributes, dict)
    conv.register_structure_hook(
        FrozenAttributes, lambda value, _: FrozenAttributes(conv.structure(value, dict[str, Any]))
    )
    return conv


_converter: Final = _make_converter()


def event_kinds() -> frozenset[str]:
    """The type tags of servicekit's events (``"ticket_opened"``, ``"customer_replied"``...).

    >>> "attributes_changed" in event_kinds()
    True
    """
    return _KINDS


def event_to_dict(event: Event) -> dict[str, Any]:
    """Plain, JSON-ready data for ``event``, with its type under ``"type"``.

    Instants are ISO 8601 strings with their offset and, when the zone has an
    IANA name, the name in brackets (RFC 9557), e.g.
    ``"2025-03-03T09:00:00+01:00[Europe/Madrid]"``.
    """
    if not isinstance(event, Event) or type(event).kind not in _BY_KIND:
        raise TypeError(f"expected a servicekit event, got {type(event).__name__}")
    data: dict[str, Any] = {_TAG: type(event).kind}
    data.update(_converter.unstructure(event))
    return data


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event described by ``data`` (as made by :func:`event_to_dict`).

    Raises:
        EventDecodeError: the type tag is missing or unknown, or a field is
            missing, unexpected or of the wrong type; the message names it.
    """
    if not isinstance(data, Mapping):
        raise EventDecodeError(f"an event must be a mapping, got {type(data).__name__}")
    fields = dict(data)
    tag = fields.pop(_TAG, None)
    if tag is None:
        raise EventDecodeError(
            f"event data has no {_TAG!r} key; expected one of {sorted(_BY_KIND)}"
        )
    cls = _BY_KIND.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise EventDecodeError(f"unknown event type {tag!r}; expected one of {sorted(_BY_KIND)}")
    try:
        return _converter.structure(fields, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as exc:
        details = "; ".join(cattrs.transform_error(exc, path=tag, format_exception=_describe_error))
        raise EventDecodeError(f"invalid {tag} event: {details}") from exc
    except (TypeError, ValueError, UnknownTimezoneError) as exc:
        raise EventDecodeError(f"invalid {tag} event: {exc}") from exc
    except RecursionError as exc:
        raise EventDecodeError(f"invalid {tag} event: its values are nested too deeply") from exc


def _describe_error(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unexpected fields {sorted(exc.extra_fields)}"
    return str(exc)


def history_to_json(events: Iterable[Event], *, indent: int | None = None) -> str:
    """A JSON array of the events' plain data."""
    return json.dumps([event_to_dict(e) for e in events], indent=indent)


def history_from_json(text: str | bytes) -> tuple[Event, ...]:
    """The events of a JSON array written by :func:`history_to_json`.

    Raises:
        EventDecodeError: the text is not a JSON array of events; the message
            gives the index of the first bad one and what is wrong with it.
    """
    if not isinstance(text, str | bytes | bytearray):
        raise EventDecodeError(f"a history is JSON text (str or bytes), got {type(text).__name__}")
    try:
        raw = json.loads(text)
    except UnicodeDecodeError as exc:
        raise EventDecodeError(f"history is not UTF-8 (nor UTF-16/32) JSON: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, and numbers past Python's digit limit
        raise EventDecodeError(f"history is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise EventDecodeError("history is not valid JSON: it is nested too deeply") from exc
    if not isinstance(raw, list):
        raise EventDecodeError(f"a history must be a JSON array, got {type(raw).__name__}")
    events = []
    for index, item in enumerate(raw):
        try:
            events.append(event_from_dict(item))
        except EventDecodeError as exc:
            raise EventDecodeError(f"event {index}: {exc}") from exc
    return tuple(events)
