"""Source mappings: which column of a team's export means what, written once.

A mapping is a frozen value, built in Python or loaded from a small TOML file
(:func:`load_mapping`). It names the columns (ticket id, instant, status,
priority, actor, group, tier, channel...), how source statuses map to
lifecycle statuses and categories, how a row becomes an event, and the zone
of instants written without an offset. Nothing is guessed: a value the
mapping does not cover is an error that says what to add.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from servicekit._lifecycle import Lifecycle
from servicekit._lifecycles import helpdesk_lifecycle, incident_lifecycle, service_request_lifecycle
from servicekit._status import StatusCategory
from servicekit._time import get_timezone
from servicekit.errors import MappingError, UnknownTimezoneError

__all__ = ["READY_LIFECYCLES", "ROW_KINDS", "SourceMapping", "load_mapping"]


ROW_KINDS: Final[tuple[str, ...]] = (
    "snapshot",
    "status",
    "agent_reply",
    "agent_note",
    "customer_reply",
    "assignment",
    "priority",
    "ignore",
)
"""What a row can become (the values of :attr:`SourceMapping.kinds`): ``snapshot`` compares the row
with the ticket's previous state and records every change (assignment, priority, status; a
repeated status is a handover); ``status``, ``assignment`` and ``priority`` record only that
change; ``agent_reply`` (public unless the ``public`` column says otherwise), ``agent_note``
(internal) and ``customer_reply`` record a reply; ``ignore`` skips the row (it is counted, never
silently lost).
"""

READY_LIFECYCLES: Final[Mapping[str, Any]] = {
    "helpdesk": helpdesk_lifecycle,
    "incident": incident_lifecycle,
    "service_request": service_request_lifecycle,
}
"""The ready-made lifecycles a mapping may name in ``lifecycle``."""

_ASSIGNMENT_FIELDS: Final = ("group", "agent", "tier")


def _columns(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _table(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


def _category_table(value: Mapping[str, StatusCategory | str] | None) -> Mapping[str, Any]:
    return {k: StatusCategory(v) for k, v in (value or {}).items()}


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _filters(value: Mapping[str, str | Iterable[str]] | None) -> Mapping[str, tuple[str, ...]]:
    return {k: _strings(v) for k, v in (value or {}).items()}


_opt_str = attrs.validators.optional(attrs.validators.instance_of(str))


@attrs.frozen(kw_only=True)
class SourceMapping:
    """How rows of a team's export become ticket events.

    Attributes:
        ticket: the column holding the ticket id.
        time: the column holding the instant of the row.
        time_format: a ``strptime`` format for the time column; ``None`` reads ISO 8601.
        timezone: the IANA zone of instants written without an offset. Without it, such
            an instant is an error: it is never read as UTC.
        status: the column holding the status, or several columns joined with
            ``status_separator`` (``["concept:name", "lifecycle:transition"]``).
        status_separator: what joins several status columns.
        priority: the column holding the priority.
        actor: the column naming who made the change.
        agent: the column naming the assignee.
        group: the column naming the team or group.
        tier: the column naming the support tier.
        tier_pattern: a regular expression over the group whose first group is the tier
            (``" (2nd|3rd)$"``); groups that do not match get ``default_tier``.
        default_tier: the tier of groups ``tier_pattern`` does not match.
        channel: the column naming the channel the ticket came in through.
        customer_timezone: the column holding the customer's IANA zone.
        role: the column naming the role the actor acted in.
        public: the column telling whether a reply is public (true/false, 1/0, yes/no).
        order: a column that orders a ticket's rows when timestamps tie or run backwards
            (ServiceNow's ``sys_mod_count``); without it, rows keep the file's order.
        kind: the column saying what a row is; its values map through ``kinds``.
        kinds: kind column value -> one of :data:`ROW_KINDS`. Rows without a kind column,
            or whose value is not listed, are snapshots.
        statuses: source status -> lifecycle status (omit to keep the source's names).
        categories: lifecycle status -> :class:`~servicekit.StatusCategory`; builds the
            lifecycle with :meth:`~servicekit.Lifecycle.from_categories` (every observed
            move allowed) unless ``lifecycle`` names a ready-made one.
        lifecycle: a ready-made lifecycle (``helpdesk``, ``incident``, ``service_request``).
        initial_status: the lifecycle's initial status (default: the first category listed).
        priorities: source priority -> the protocol's priority (omit to keep the values).
        priority_order: the protocol's priorities, highest first (ready-made protocols
            set their targets in this order).
        default_priority: the priority of tickets whose first row has none (a log that
            records no priority); without it such a ticket is rejected.
        attributes: columns kept as the ticket's attributes (from its first row).
        filter: column -> the values kept; other rows are skipped and counted.
        assignment_on: the fields (``group``, ``agent``, ``tier``) whose change is an
            assignment on a snapshot row.
        name: a name for the mapping (and the lifecycle it builds).
    """

    ticket: str = attrs.field(validator=attrs.validators.instance_of(str))
    time: str = attrs.field(validator=attrs.validators.instance_of(str))
    time_format: str | None = attrs.field(default=None, validator=_opt_str)
    timezone: str | None = attrs.field(default=None, validator=_opt_str)
    status: tuple[str, ...] | None = attrs.field(default=None, converter=_columns)
    status_separator: str = attrs.field(default="/", validator=attrs.validators.instance_of(str))
    priority: str | None = attrs.field(default=None, validator=_opt_str)
    actor: str | None = attrs.field(default=None, validator=_opt_str)
    agent: str | None = attrs.field(default=None, validator=_opt_str)
    group: str | None = attrs.field(default=None, validator=_opt_str)
    tier: str | None = attrs.field(default=None, validator=_opt_str)
    tier_pattern: str | None = attrs.field(default=None, validator=_opt_str)
    default_tier: str | None = attrs.field(default=None, validator=_opt_str)
    channel: str | None = attrs.field(default=None, validator=_opt_str)
    customer_timezone: str | None = attrs.field(default=None, validator=_opt_str)
    role: str | None = attrs.field(default=None, validator=_opt_str)
    public: str | None = attrs.field(default=None, validator=_opt_str)
    order: str | None = attrs.field(default=None, validator=_opt_str)
    kind: str | None = attrs.field(default=None, validator=_opt_str)
    kinds: Mapping[str, str] = attrs.field(factory=dict, converter=_table)
    statuses: Mapping[str, str] = attrs.field(factory=dict, converter=_table)
    categories: Mapping[str, StatusCategory] = attrs.field(factory=dict, converter=_category_table)
    lifecycle: str | None = attrs.field(default=None, validator=_opt_str)
    initial_status: str | None = attrs.field(default=None, validator=_opt_str)
    priorities: Mapping[str, str] = attrs.field(factory=dict, converter=_table)
    priority_order: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    default_priority: str | None = attrs.field(default=None, validator=_opt_str)
    attributes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    filter: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_filters)
    assignment_on: tuple[str, ...] = attrs.field(default=("group",), converter=_strings)
    name: str = attrs.field(default="source", validator=attrs.validators.instance_of(str))
    _tier_re: re.Pattern[str] | None = attrs.field(
        init=False, default=None, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.timezone is not None:
            try:
                get_timezone(self.timezone, name="timezone")
            except UnknownTimezoneError as exc:
                problems.append(str(exc))
        for value, kind in self.kinds.items():
            if kind not in ROW_KINDS:
                problems.append(
                    f"kinds.{value}: {kind!r} is not a row kind; use one of {ROW_KINDS}"
                )
        if self.kinds and self.kind is None:
            problems.append("kinds is given but no kind column; set kind = '<column>'")
        for field in self.assignment_on:
            if field not in _ASSIGNMENT_FIELDS:
                problems.append(f"assignment_on: {field!r} is not one of {_ASSIGNMENT_FIELDS}")
        if self.lifecycle is not None and self.lifecycle not in READY_LIFECYCLES:
            problems.append(
                f"lifecycle: {self.lifecycle!r} is not a ready-made lifecycle; use one of "
                f"{sorted(READY_LIFECYCLES)} or give a [categories] table instead"
            )
        if self.lifecycle is not None and self.categories:
            problems.append("give either lifecycle or [categories], not both")
        if self.lifecycle is None and not self.categories:
            problems.append(
                "the mapping needs a [categories] table (status -> category) or a ready-made "
                f"lifecycle (one of {sorted(READY_LIFECYCLES)})"
            )
        if self.categories and self.status is None:
            problems.append("[categories] maps statuses, but no status column is named")
        if self.categories and self.initial_status not in (None, *self.categories):
            problems.append(
                f"initial_status {self.initial_status!r} is not in [categories] "
                f"({sorted(self.categories)})"
            )
        unknown = sorted(set(self.statuses.values()) - set(self.categories))
        if self.categories and unknown:
            problems.append(
                f"[statuses] maps to {unknown}, which [categories] does not list; add them there"
            )
        if self.tier_pattern is not None:
            try:
                compiled = re.compile(self.tier_pattern)
            except re.error as exc:
                problems.append(
                    f"tier_pattern {self.tier_pattern!r} is not a regular expression: {exc}"
                )
            else:
                if compiled.groups < 1:
                    problems.append(
                        f"tier_pattern {self.tier_pattern!r} needs a group: the tier is its first "
                        "group, e.g. ' (2nd|3rd)$'"
                    )
                object.__setattr__(self, "_tier_re", compiled)
        if problems:
            raise MappingError(f"mapping {self.name!r}: " + "; ".join(problems))

    def build_lifecycle(self) -> Lifecycle:
        """The lifecycle tickets of this source follow."""
        if self.lifecycle is not None:
            lifecycle: Lifecycle = READY_LIFECYCLES[self.lifecycle]()
            return lifecycle
        return Lifecycle.from_categories(self.name, self.categories, initial=self.initial_status)

    def tier_of(self, group: str) -> str | None:
        """The tier ``tier_pattern`` reads from ``group`` (else ``default_tier``)."""
        if self._tier_re is None:
            return None
        found = self._tier_re.search(group)
        return found.group(1) if found else self.default_tier

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the mapping reads, in a stable order."""
        named = [
            self.ticket,
            self.time,
            *(self.status or ()),
            self.priority,
            self.actor,
            self.agent,
            self.group,
            self.tier,
            self.channel,
            self.customer_timezone,
            self.role,
            self.public,
            self.order,
            self.kind,
            *self.attributes,
            *self.filter,
        ]
        return tuple(dict.fromkeys(c for c in named if c is not None))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str | None = None) -> SourceMapping:
        """A mapping from plain data (as read from its TOML file).

        Raises:
            MappingError: unknown keys, wrong types or values; the message lists them all.
        """
        if not isinstance(data, Mapping):
            raise MappingError(f"a mapping must be a table, got {type(data).__name__}")
        fields = {a.name for a in attrs.fields(cls) if a.init}
        problems = [f"unknown key {key!r}" for key in data if key not in fields]
        problems += [f"missing key {key!r}" for key in ("ticket", "time") if key not in data]
        for key, value in data.items():
            if key in fields and not _plain(value):
                problems.append(f"{key}: {value!r} is not a string, list of strings or table")
        label = name or str(data.get("name", "source"))
        if problems:
            raise MappingError(f"mapping {label!r}: " + "; ".join(problems))
        kwargs = dict(data)
        if name is not None and "name" not in kwargs:
            kwargs["name"] = name
        try:
            return cls(**kwargs)
        except MappingError:
            raise
        except (TypeError, ValueError) as exc:
            raise MappingError(f"mapping {label!r}: {exc}") from exc


def _plain(value: object) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def load_mapping(path: str | os.PathLike[str]) -> SourceMapping:
    """Read a mapping from a TOML file.

    Raises:
        SourceError: the file is missing or unreadable.
        MappingError: the TOML is invalid, or a key is unknown or of the wrong type (the
            message names the file and every problem).
    """
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError as exc:
        raise MappingError(f"{file}: no such mapping file") from exc
    except IsADirectoryError as exc:
        raise MappingError(f"{file}: is a directory, not a mapping file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{file}: cannot read the mapping: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{file}: not valid TOML: {exc}") from exc
    try:
        return SourceMapping.from_dict(data, name=file.stem)
    except MappingError as exc:
        raise MappingError(f"{file}: {exc}") from exc
