"""The protocol file format: its definition (read by the loader and the JSON Schema alike)
and the writer that turns a protocol back into a file.

The writer only needs the protocol's parts, never the :class:`ServiceProtocol`
class itself, so the class's ``to_toml`` method can call it without an import
cycle.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import holidays as _holidays
import tomlkit
from tomlkit.items import AoT
from tomlkit.items import Table as TomlTable

from servicekit._calendar_hours import DAY_NAMES, format_hours
from servicekit._calendars import BusinessCalendar
from servicekit._events import EVENT_TYPES
from servicekit._fileformat import Array, Field, Node, OneOf, Scalar, Table
from servicekit._lifecycle import Lifecycle, Reaction, Transition
from servicekit._lifecycles import helpdesk_lifecycle, incident_lifecycle, service_request_lifecycle
from servicekit._status import ClockAction, StatusCategory
from servicekit._units import (
    DURATION_EXAMPLES,
    DURATION_PATTERN,
    SHARE_PATTERN,
    format_duration,
    format_share,
    parse_duration,
    parse_share,
)
from servicekit.errors import ServiceKitError
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    ChainKind,
    Delay,
    EnteredCategory,
    EscalationChain,
    OutsideWindow,
    PriorityRaised,
    Repeat,
    Selector,
    SlaTrigger,
    Step,
    Target,
    Unreachable,
    Window,
)
from servicekit.followup import (
    Anchor,
    Backoff,
    Daily,
    FixedOffsets,
    FollowUpSchedule,
    Interval,
    QuietAction,
)
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.protocols._templates import TemplateSet
from servicekit.sla import BUILT_IN_METRICS, On, SlaMetric, SlaPolicy, StopOutcome

__all__ = [
    "FORMAT_VERSION",
    "PROTOCOL",
    "READY_LIFECYCLES",
    "dump_parts",
]

#: The version of the file format this module reads and writes.
FORMAT_VERSION: Final = 1

#: Ready-made lifecycles a file may name with ``ready = "..."``.
READY_LIFECYCLES: Final = {
    "helpdesk": helpdesk_lifecycle,
    "incident": incident_lifecycle,
    "service_request": service_request_lifecycle,
}

_DEFAULT_WARN: Final = (0.5, 0.75, 0.9)
_UTC_24X7: Final = BusinessCalendar.always_open("UTC")


# -- scalars -------------------------------------------------------------------------------


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("a non-empty name")
    return value


def _time(value: object) -> _dt.time:
    if isinstance(value, _dt.time):
        return value
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("a time of day such as '08:00'")
    return _dt.time(int(match.group(1)), int(match.group(2)))


def _date(value: object) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("a date such as 2025-12-25") from None


def _dotted_path(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", value):
        raise ValueError("an importable name such as 'mypackage.rules:vip_metric'")
    return value


def _target(value: str) -> Target:
    kind, sep, name = value.partition(":")
    if not sep or not name or kind not in ("person", "group", "role", "tier"):
        raise ValueError("a target such as 'tier:L2', 'role:team-lead', 'group:x' or 'person:x'")
    return Target(kind, name)


_WAIT_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?\s*%)\s+of\s+(\S+)\s*$")
_WAIT_BREACH = re.compile(r"^\s*(?:(.+?)\s+after|at)\s+(\S+)\s+breach\s*$")


def _wait(value: str) -> tuple[str, Any, Any]:
    """``"30min"``, ``"50% of resolution"``, ``"at resolution breach"`` or
    ``"1h after resolution breach"`` as a tagged tuple (calendars come later)."""
    fraction = _WAIT_FRACTION.match(value)
    if fraction:
        return ("fraction", fraction.group(2), parse_share(fraction.group(1)))
    breach = _WAIT_BREACH.match(value)
    if breach:
        delay = parse_duration(breach.group(1)) if breach.group(1) else _dt.timedelta(0)
        return ("breach", breach.group(2), delay)
    try:
        return ("delay", None, parse_duration(value))
    except ValueError:
        raise ValueError(
            f"a wait such as '30min', '50% of resolution', 'at resolution breach' or "
            f"'1h after resolution breach' (durations: {DURATION_EXAMPLES})"
        ) from None


def _zone(value: str) -> str:
    # Checked when the calendar or schedule is built, where the error names the zone.
    return value


STRING = Scalar("string", "a string")
NAME = Scalar("string", "a non-empty name", parse=_non_empty)
BOOL = Scalar("boolean", "true or false", types=(bool,))
COUNT = Scalar("integer", "a whole number, 0 or more", types=(int,), minimum=0)
POSITIVE_COUNT = Scalar("integer", "a whole number, 1 or more", types=(int,), minimum=1)
DURATION = Scalar(
    "string",
    f"a duration such as {DURATION_EXAMPLES}",
    parse=parse_duration,
    pattern=DURATION_PATTERN,
    examples=("4h", "30min", "3 business days"),
)
SHARE = Scalar(
    "string",
    "a percentage such as '75%'",
    parse=parse_share,
    pattern=SHARE_PATTERN,
    examples=("75%",),
)
TIME = Scalar(
    "string",
    "a time of day such as '08:00'",
    types=(str, _dt.time),
    parse=_time,
    pattern=r"^\d{1,2}:\d{2}$",
)
DATE = Scalar(
    "string", "a date such as 2025-12-25", types=(str, _dt.date), parse=_date, format="date"
)
ZONE = Scalar(
    "string",
    "an IANA time zone such as 'Europe/Madrid'",
    parse=_zone,
    examples=("Europe/Madrid",),
)
DOTTED = Scalar(
    "string",
    "an importable name such as 'mypackage.rules:vip_metric'",
    parse=_dotted_path,
    pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$",
)
TARGET = Scalar(
    "string",
    "a target such as 'tier:L2', 'role:team-lead', 'group:x' or 'person:x'",
    parse=_target,
    pattern=r"^(person|group|role|tier):.+$",
)
WAIT = Scalar(
    "string",
    "a wait such as '30min', '50% of resolution', 'at resolution breach' or "
    "'1h after resolution breach'",
    parse=_wait,
    examples=("30min", "50% of resolution", "1h after resolution breach"),
)
CATEGORY = Scalar("string", "a status category", enum=tuple(c.value for c in StatusCategory))
EVENT_KIND = Scalar("string", "an event kind", enum=tuple(c.kind for c in EVENT_TYPES))
WEEKDAY = Scalar("string", "a weekday", enum=DAY_NAMES)
MATCH_VALUE = Scalar(
    "string",
    "a value the event's field must have (string, number or boolean)",
    types=(str, int, float, bool),
)


def _enum(values: Iterable[Any], what: str) -> Scalar:
    return Scalar("string", what, enum=tuple(v.value for v in values))


# -- tables --------------------------------------------------------------------------------

CALENDAR = Table(
    {
        "timezone": Field(ZONE, True, "IANA zone the hours are given in."),
        "hours": Field(
            STRING,
            True,
            "Weekly opening hours, e.g. 'mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00'; "
            "'daily 00:00-24:00' is around the clock.",
        ),
        "holidays": Field(
            OneOf(
                (
                    Array(DATE, unique=True),
                    Table(
                        {
                            "country": Field(
                                Scalar("string", "an ISO 3166 country code such as 'BE'"),
                                True,
                                "ISO 3166 country code known to the holidays package.",
                            ),
                            "subdivision": Field(STRING, doc="State, province or region code."),
                            "observed": Field(BOOL, doc="Include observed (moved) holidays."),
                        },
                        name="country_holidays",
                        doc="Public holidays of a country (and subdivision).",
                    ),
                )
            ),
            doc="Closed dates: a list of dates, or a country's public holidays.",
        ),
        "special_days": Field(
            Array(
                Table(
                    {
                        "date": Field(DATE, True),
                        "hours": Field(
                            STRING,
                            True,
                            "That day's intervals, e.g. '09:00-13:00', or 'closed'.",
                        ),
                    },
                    name="special_day",
                )
            ),
            doc="Dates whose hours replace the weekly ones (half days, extra openings).",
        ),
    },
    name="calendar",
    doc="When a team is open: weekly hours, holidays and special days in one time zone.",
)

TRANSITION = Table(
    {
        "trigger": Field(NAME, True, "The name used to fire it."),
        "from": Field(
            OneOf((NAME, Array(NAME, min_items=1))),
            True,
            "The status(es) it leaves, or '*' for every status.",
        ),
        "to": Field(NAME, True, "The status it leads to, or '=' to stay (a handover)."),
        "after": Field(DURATION, doc="Makes it a timed transition, due this long after entry."),
        "calendar": Field(NAME, doc="Counts `after` in this calendar's business time."),
        "reason_required": Field(BOOL),
        "reasons": Field(Array(NAME, min_items=1), doc="The reasons allowed."),
        "roles": Field(Array(NAME, min_items=1), doc="The roles that may fire it."),
        "guards": Field(Array(DOTTED), doc="Importable guard functions ('module:function')."),
    },
    name="transition",
)

REACTION = Table(
    {
        "on": Field(EVENT_KIND, True, "The event kind that causes the status change."),
        "from": Field(OneOf((NAME, Array(NAME, min_items=1))), True, "The statuses it happens in."),
        "trigger": Field(NAME, True, "The transition fired."),
        "where": Field(
            Table(values=MATCH_VALUE, key_what="event field"),
            doc="Field values the event must have, e.g. {public = true}.",
        ),
        "reason": Field(STRING),
        "role": Field(STRING),
    },
    name="reaction",
    doc="An event that moves a ticket, e.g. a customer reply reopens a pending ticket.",
)

LIFECYCLE = Table(
    {
        "ready": Field(
            Scalar("string", "a ready-made lifecycle", enum=tuple(READY_LIFECYCLES)),
            doc="A ready-made lifecycle; give this alone, or define your own below.",
        ),
        "name": Field(NAME),
        "initial": Field(NAME, doc="The status a new ticket starts in."),
        "statuses": Field(
            Table(values=CATEGORY, key_what="status name"),
            doc="Status name -> category, in order.",
        ),
        "transitions": Field(Array(TRANSITION)),
        "reactions": Field(Array(REACTION)),
    },
    name="lifecycle",
    doc="How tickets move: a ready-made lifecycle, or statuses and transitions.",
)

CONDITION = Table(
    {"event": Field(EVENT_KIND, True, "The event kind.")},
    values=MATCH_VALUE,
    key_what="event field (e.g. public = true)",
    name="condition",
    doc="An event, optionally with field values it must have.",
)

METRIC_DEFINITION = Table(
    {
        "starts_on": Field(Array(CONDITION, min_items=1), True),
        "met_on": Field(Array(CONDITION)),
        "cancelled_on": Field(Array(CONDITION)),
        "clock": Field(
            Table({c.value: Field(_enum(ClockAction, "a clock action")) for c in StatusCategory}),
            doc="Clock action per status category (others keep their default).",
        ),
        "on_stop": Field(
            Table({c.value: Field(_enum(StopOutcome, "an outcome")) for c in StatusCategory}),
            doc="What entering a stop category does to a running cycle.",
        ),
        "restarts": Field(BOOL),
        "reopenable": Field(BOOL),
    },
    name="metric_definition",
)

TARGET_DETAIL = Table(
    {
        "target": Field(DURATION, True),
        "calendar": Field(NAME),
        "warn_at": Field(Array(SHARE)),
    },
    name="target",
)

METRIC = Table(
    {
        "targets": Field(
            Table(values=OneOf((DURATION, TARGET_DETAIL)), key_what='priority (or "*")'),
            True,
            "Priority -> target; '*' for every other priority.",
        ),
        "calendar": Field(NAME, doc="The calendar its targets count in."),
        "warn_at": Field(Array(SHARE), doc="Warnings at these shares of the target."),
        "definition": Field(
            OneOf((DOTTED, METRIC_DEFINITION)),
            doc="For a metric of your own: its rules, or an importable SlaMetric.",
        ),
    },
    name="metric",
)

SLA = Table(
    {
        "name": Field(NAME, doc="Defaults to the protocol's name."),
        "on_priority_change": Field(Scalar("string", "an option", enum=("retarget", "restart"))),
        "on_reopen": Field(Scalar("string", "an option", enum=("resume", "new_cycle"))),
        "calendar": Field(NAME, doc="The calendar every target counts in unless it says."),
        "warn_at": Field(Array(SHARE)),
        "metrics": Field(Table(values=METRIC, key_what="metric name"), True),
    },
    name="sla",
)

TRIGGER = Table(
    {
        "event": Field(EVENT_KIND),
        "sla": Field(NAME, doc="Start when this SLA metric reaches `at` of its target."),
        "at": Field(SHARE),
        "entered": Field(Array(CATEGORY, min_items=1)),
        "priority_raised": Field(
            Array(NAME, min_items=1), doc="Priorities from highest; a raise starts it."
        ),
    },
    values=MATCH_VALUE,
    key_what="event field",
    name="trigger",
)

WINDOW = Table(
    {
        "timezone": Field(ZONE, True),
        "start": Field(TIME, True),
        "end": Field(TIME, True),
        "weekdays": Field(Array(WEEKDAY, min_items=1, unique=True)),
        "outside": Field(_enum(OutsideWindow, "what to do outside")),
        "goto_step": Field(COUNT),
    },
    name="window",
)

STEP = Table(
    {
        "notify": Field(Array(TARGET, min_items=1), True, "Who is notified."),
        "wait": Field(WAIT, doc="When it falls due (default: at once)."),
        "calendar": Field(NAME, doc="Counts the wait in this calendar's business time."),
        "selector": Field(_enum(Selector, "a selector")),
        "importance": Field(STRING),
        "channel": Field(STRING),
        "window": Field(WINDOW),
        "reassign": Field(TARGET),
        "unreachable": Field(_enum(Unreachable, "what to do")),
        "fallback": Field(TARGET),
    },
    name="step",
)

ESCALATION = Table(
    {
        "name": Field(NAME, True),
        "kind": Field(_enum(ChainKind, "a kind of chain")),
        "triggers": Field(Array(TRIGGER), doc="What starts a run (default: escalated)."),
        "stops": Field(Array(TRIGGER), doc="What stops it (events or entered categories)."),
        "steps": Field(Array(STEP, min_items=1), True),
        "repeat": Field(
            OneOf((COUNT, Scalar("string", '"forever"', enum=("forever",)))),
            doc="Loops after the first, or 'forever' (until stopped).",
        ),
        "repeat_from": Field(COUNT, doc="The step (from 0) the loop starts at."),
        "ack_timeout": Field(DURATION),
        "ack_restart_step": Field(COUNT),
        "version": Field(COUNT),
        "effective_from": Field(
            Scalar(
                "string",
                "a date-time with an offset such as 2025-01-01T00:00:00+01:00",
                types=(_dt.datetime,),
                format="date-time",
            )
        ),
        "hold_poll": Field(DURATION),
    },
    name="escalation_chain",
)

CADENCE = Table(
    {
        "every": Field(DURATION, doc="An attempt every so often."),
        "offsets": Field(Array(DURATION, min_items=1), doc="Attempts at these offsets."),
        "backoff": Field(DURATION, doc="The first delay of a geometric back-off."),
        "factor": Field(Scalar("number", "a number, 1 or more", types=(int, float), minimum=1)),
        "cap": Field(DURATION),
        "daily": Field(TIME, doc="Once a day at this local time."),
    },
    name="cadence",
)

FOLLOW_UP = Table(
    {
        "name": Field(NAME, True),
        "cadence": Field(CADENCE),
        "cadence_per_priority": Field(
            Table(values=CADENCE, key_what='priority (or "*")'),
            doc="Priority -> cadence, instead of one cadence.",
        ),
        "anchor": Field(_enum(Anchor, "an anchor")),
        "calendar": Field(NAME, doc="Counts the cadence in this calendar's business time."),
        "contact_window": Field(
            OneOf(
                (
                    Scalar("boolean", "false (no quiet hours)", types=(bool,)),
                    Table(
                        {
                            "start": Field(TIME),
                            "end": Field(TIME),
                            "weekdays": Field(Array(WEEKDAY, min_items=1, unique=True)),
                        },
                        name="contact_window",
                    ),
                )
            ),
            doc="When customers may be reached, in their zone (default 08:00-21:00).",
        ),
        "quiet_action": Field(_enum(QuietAction, "a quiet-hours action")),
        "channels": Field(Array(NAME, min_items=1)),
        "min_gap_after_update": Field(DURATION),
        "max_attempts": Field(POSITIVE_COUNT),
        "max_span": Field(DURATION),
        "pause_in": Field(Array(CATEGORY)),
        "stop_on": Field(Array(EVENT_KIND)),
        "terminal": Field(
            Table(
                {
                    "action": Field(NAME, True),
                    "after_attempts": Field(COUNT, True),
                    "batch": Field(TIME),
                },
                name="terminal_action",
            )
        ),
        "remind_before": Field(DURATION),
        "default_timezone": Field(ZONE),
        "agent_channels": Field(
            Array(NAME), doc="Channels that need an agent (they wait for team_hours)."
        ),
        "team_hours": Field(NAME, doc="The calendar of the team's working hours."),
    },
    name="follow_up_schedule",
)

TEMPLATE = Table(
    {
        "name": Field(NAME, True, "The template name a due action carries."),
        "language": Field(NAME, True, "e.g. 'es', 'en', 'es-CO'."),
        "body": Field(STRING, True, "The body (sandboxed Jinja2)."),
        "subject": Field(STRING),
        "channel": Field(NAME, doc="The channel it is for (default: any)."),
        "audience": Field(Scalar("string", "an audience", enum=("customer", "team"))),
    },
    name="message_template",
)

MESSAGES = Table(
    {
        "ready": Field(BOOL, doc="The ready-made Spanish and English messages."),
        "templates": Field(Array(TEMPLATE), doc="The team's own messages (instead of ready)."),
        "fallback": Field(Array(NAME, min_items=1), doc="Languages to fall back to, in order."),
        "default_timezone": Field(ZONE, doc="The customer's zone when a ticket does not say."),
    },
    name="messages",
    doc="The messages that go with each due action.",
)

PROTOCOL = Table(
    {
        "format": Field(
            Scalar("integer", f"the format version, {FORMAT_VERSION}", types=(int,), enum=None),
            doc="The file format's version.",
        ),
        "name": Field(NAME, True, "The protocol's name."),
        "description": Field(STRING),
        "class": Field(DOTTED, doc="A ServiceProtocol subclass to build ('module:Class')."),
        "calendars": Field(
            Table(values=CALENDAR, key_pattern=r"^[A-Za-z0-9_-]+$", key_what="calendar name"),
            doc="Named calendars the rest of the file refers to.",
        ),
        "lifecycle": Field(LIFECYCLE, True),
        "sla": Field(SLA),
        "escalations": Field(Array(ESCALATION)),
        "follow_ups": Field(Array(FOLLOW_UP)),
        "messages": Field(MESSAGES),
    },
    name="protocol",
    doc="A servicekit service protocol.",
)


def root() -> Node:
    """The root node of the format."""
    return PROTOCOL


# -- writing -------------------------------------------------------------------------------


class _Calendars:
    """Gives each distinct calendar of a protocol a name, in order of first use."""

    def __init__(self) -> None:
        self.names: dict[BusinessCalendar, str] = {}

    def name(
        self, calendar: BusinessCalendar | None, *, default: BusinessCalendar | None = None
    ) -> str | None:
        if calendar is None or calendar == default:
            return None
        found = self.names.get(calendar)
        if found is None:
            base = (
                "24x7"
                if all(day == ((_dt.time(0), _dt.time(0)),) for day in calendar.hours)
                else "team"
            )
            taken = set(self.names.values())
            found, n = base, 2
            while found in taken:
                found, n = f"{base}_{n}", n + 1
            self.names[calendar] = found
        return found


def _hours_text(calendar: BusinessCalendar) -> str:
    if all(day == ((_dt.time(0), _dt.time(0)),) for day in calendar.hours):
        return "daily 00:00-24:00"
    return format_hours(calendar.hours)


def _calendar_data(calendar: BusinessCalendar) -> dict[str, Any]:
    data: dict[str, Any] = {"timezone": calendar.timezone, "hours": _hours_text(calendar)}
    source = calendar.holidays
    if isinstance(source, _holidays.HolidayBase):
        country = getattr(source, "country", None)
        if not country:
            raise ServiceKitError(
                f"calendar {calendar!r} takes its holidays from {type(source).__name__}, which a "
                "protocol file cannot name; give the country's holidays or a list of dates"
            )
        table: dict[str, Any] = {"country": country}
        if getattr(source, "subdiv", None):
            table["subdivision"] = source.subdiv
        if getattr(source, "observed", True) is False:
            table["observed"] = False
        data["holidays"] = table
    elif source:
        data["holidays"] = sorted(source)
    if calendar.special_days:
        data["special_days"] = [
            {
                "date": day,
                "hours": ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in shifts) or "closed",
            }
            for day, shifts in calendar.special_days
        ]
    return data


def _lifecycle_data(lifecycle: Lifecycle, calendars: _Calendars) -> dict[str, Any]:
    for name, factory in READY_LIFECYCLES.items():
        if lifecycle == factory():
            return {"ready": name}
    return {
        "name": lifecycle.name,
        "initial": lifecycle.initial,
        "statuses": {s.name: s.category.value for s in lifecycle.statuses},
        "transitions": [_transition_data(t, calendars) for t in lifecycle.transitions],
        **(
            {"reactions": [_reaction_data(r) for r in lifecycle.reactions]}
            if lifecycle.reactions
            else {}
        ),
    }


def _reaction_data(reaction: Reaction) -> dict[str, Any]:
    data: dict[str, Any] = {
        "on": reaction.on,
        "from": reaction.sources[0] if len(reaction.sources) == 1 else list(reaction.sources),
        "trigger": reaction.trigger,
    }
    if reaction.where:
        data["where"] = dict(reaction.where)
    if reaction.reason is not None:
        data["reason"] = reaction.reason
    if reaction.role is not None:
        data["role"] = reaction.role
    return data


def _importable(obj: object) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise ServiceKitError(f"{obj!r} is not importable by name, so a file cannot refer to it")
    return f"{module}:{qualname}"


def _transition_data(tr: Transition, calendars: _Calendars) -> dict[str, Any]:
    data: dict[str, Any] = {
        "trigger": tr.trigger,
        "from": tr.sources[0] if len(tr.sources) == 1 else list(tr.sources),
        "to": tr.dest,
    }
    if tr.after is not None:
        data["after"] = format_duration(tr.after)
    if tr.calendar is not None:
        data["calendar"] = calendars.name(tr.calendar)
    if tr.reason_required:
        data["reason_required"] = True
    if tr.reasons is not None:
        data["reasons"] = list(tr.reasons)
    if tr.roles is not None:
        data["roles"] = list(tr.roles)
    if tr.guards:
        data["guards"] = [_importable(g) for g in tr.guards]
    return data


def _condition(on: On) -> dict[str, Any]:
    return {"event": on.kind, **dict(on.where)}


def _metric_definition(metric: SlaMetric) -> dict[str, Any]:
    data: dict[str, Any] = {"starts_on": [_condition(c) for c in metric.starts_on]}
    if metric.met_on:
        data["met_on"] = [_condition(c) for c in metric.met_on]
    if metric.cancelled_on:
        data["cancelled_on"] = [_condition(c) for c in metric.cancelled_on]
    clock = {c.value: a.value for c, a in metric.clock if a is not c.default_clock_action}
    if clock:
        data["clock"] = clock
    if metric.on_stop:
        data["on_stop"] = {c.value: o.value for c, o in metric.on_stop}
    if metric.restarts:
        data["restarts"] = True
    if metric.reopenable:
        data["reopenable"] = True
    return data


def _shares(values: Sequence[float]) -> list[str]:
    return [format_share(v) for v in values]


def _sla_data(policy: SlaPolicy, protocol_name: str, calendars: _Calendars) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if policy.name != protocol_name:
        data["name"] = policy.name
    if policy.on_priority_change != "retarget":
        data["on_priority_change"] = policy.on_priority_change
    if policy.on_reopen != "resume":
        data["on_reopen"] = policy.on_reopen
    shared_calendar = _shared(t.calendar for t in policy.targets)
    shared_warn = _shared(t.warn_at for t in policy.targets)
    if shared_calendar is not None and calendars.name(shared_calendar, default=_UTC_24X7):
        data["calendar"] = calendars.name(shared_calendar, default=_UTC_24X7)
    if shared_warn is not None and shared_warn != _DEFAULT_WARN:
        data["warn_at"] = _shares(shared_warn)
    metrics: dict[str, Any] = {}
    for metric in policy.metrics:
        targets = [t for t in policy.targets if t.metric.name == metric.name]
        entry: dict[str, Any] = {}
        m_calendar = shared_calendar or _shared(t.calendar for t in targets)
        m_warn = shared_warn or _shared(t.warn_at for t in targets)
        if shared_calendar is None and m_calendar is not None:
            name = calendars.name(m_calendar, default=_UTC_24X7)
            if name:
                entry["calendar"] = name
        if shared_warn is None and m_warn is not None and m_warn != _DEFAULT_WARN:
            entry["warn_at"] = _shares(m_warn)
        table: dict[str, Any] = {}
        for t in targets:
            if m_calendar is not None and m_warn is not None:
                table[t.priority] = format_duration(t.target)
                continue
            detail: dict[str, Any] = {"target": format_duration(t.target)}
            name = calendars.name(t.calendar, default=_UTC_24X7)
            if name:
                detail["calendar"] = name
            if t.warn_at != _DEFAULT_WARN:
                detail["warn_at"] = _shares(t.warn_at)
            table[t.priority] = detail
        entry["targets"] = table
        if BUILT_IN_METRICS.get(metric.name) != metric:
            entry["definition"] = _metric_definition(metric)
        metrics[metric.name] = entry
    data["metrics"] = metrics
    return data


def _shared(values: Iterable[Any]) -> Any:
    items = list(values)
    return items[0] if items and all(v == items[0] for v in items) else None


def _target_text(target: Target) -> str:
    return f"{target.kind}:{target.name}"


def _trigger_data(trigger: object) -> dict[str, Any]:
    if isinstance(trigger, On):
        return _condition(trigger)
    if isinstance(trigger, SlaTrigger):
        return {"sla": trigger.metric, "at": format_share(trigger.fraction)}
    if isinstance(trigger, EnteredCategory):
        order = list(StatusCategory)
        return {"entered": [c.value for c in sorted(trigger.categories, key=order.index)]}
    if isinstance(trigger, PriorityRaised):
        return {"priority_raised": list(trigger.order)}
    raise ServiceKitError(f"a protocol file cannot hold the trigger {trigger!r}")


def _wait_data(step: Step, calendars: _Calendars, data: dict[str, Any]) -> None:
    wait = step.wait
    if isinstance(wait, Delay):
        if wait.duration:
            data["wait"] = format_duration(wait.duration)
        if wait.calendar is not None:
            data["calendar"] = calendars.name(wait.calendar)
    elif isinstance(wait, AtSlaFraction):
        data["wait"] = f"{format_share(wait.fraction)} of {wait.metric}"
    elif isinstance(wait, AfterBreach):
        data["wait"] = (
            f"{format_duration(wait.duration)} after {wait.metric} breach"
            if wait.duration
            else f"at {wait.metric} breach"
        )
        if wait.calendar is not None:
            data["calendar"] = calendars.name(wait.calendar)


def _window_data(window: Window) -> dict[str, Any]:
    data: dict[str, Any] = {
        "timezone": window.timezone,
        "start": f"{window.start:%H:%M}",
        "end": f"{window.end:%H:%M}",
    }
    if window.weekdays != frozenset(range(7)):
        data["weekdays"] = [DAY_NAMES[d] for d in sorted(window.weekdays)]
    if window.outside is not OutsideWindow.DEFER:
        data["outside"] = window.outside.value
    if window.goto_step is not None:
        data["goto_step"] = window.goto_step
    return data


def _step_data(step: Step, calendars: _Calendars) -> dict[str, Any]:
    data: dict[str, Any] = {"notify": [_target_text(t) for t in step.targets]}
    _wait_data(step, calendars, data)
    if step.selector is not Selector.ALL:
        data["selector"] = step.selector.value
    if step.importance is not None:
        data["importance"] = step.importance
    if step.channel is not None:
        data["channel"] = step.channel
    if step.window is not None:
        data["window"] = _window_data(step.window)
    if step.reassign is not None:
        data["reassign"] = _target_text(step.reassign)
    if step.unreachable is not Unreachable.SKIP:
        data["unreachable"] = step.unreachable.value
    if step.fallback is not None:
        data["fallback"] = _target_text(step.fallback)
    return data


_CHAIN_DEFAULTS = EscalationChain(name="-", steps=[Step(targets=[Target("role", "-")])])


def _chain_data(chain: EscalationChain, calendars: _Calendars) -> dict[str, Any]:
    data: dict[str, Any] = {"name": chain.name}
    if chain.kind is not ChainKind.FUNCTIONAL:
        data["kind"] = chain.kind.value
    if chain.triggers != _CHAIN_DEFAULTS.triggers:
        data["triggers"] = [_trigger_data(t) for t in chain.triggers]
    if chain.stops != _CHAIN_DEFAULTS.stops:
        data["stops"] = [_trigger_data(t) for t in chain.stops]
    if chain.repeat != Repeat():
        data["repeat"] = "forever" if chain.repeat.times is None else chain.repeat.times
        if chain.repeat.from_step:
            data["repeat_from"] = chain.repeat.from_step
    if chain.ack_timeout is not None:
        data["ack_timeout"] = format_duration(chain.ack_timeout)
    if chain.ack_restart_step:
        data["ack_restart_step"] = chain.ack_restart_step
    if chain.version != 1:
        data["version"] = chain.version
    if chain.effective_from is not None:
        data["effective_from"] = chain.effective_from
    if chain.hold_poll != _CHAIN_DEFAULTS.hold_poll:
        data["hold_poll"] = format_duration(chain.hold_poll)
    data["steps"] = [_step_data(s, calendars) for s in chain.steps]
    return data


def _cadence_data(cadence: object) -> dict[str, Any]:
    if isinstance(cadence, Interval):
        return {"every": format_duration(cadence.every)}
    if isinstance(cadence, FixedOffsets):
        return {"offsets": [format_duration(o) for o in cadence.offsets]}
    if isinstance(cadence, Backoff):
        data: dict[str, Any] = {"backoff": format_duration(cadence.first), "factor": cadence.factor}
        if cadence.cap is not None:
            data["cap"] = format_duration(cadence.cap)
        return data
    if isinstance(cadence, Daily):
        return {"daily": f"{cadence.at:%H:%M}"}
    raise ServiceKitError(f"a protocol file cannot hold the cadence {cadence!r}")


_SCHEDULE_DEFAULTS = FollowUpSchedule(name="-", cadence=Interval(_dt.timedelta(hours=1)))


def _schedule_data(schedule: FollowUpSchedule, calendars: _Calendars) -> dict[str, Any]:
    d = _SCHEDULE_DEFAULTS
    data: dict[str, Any] = {"name": schedule.name}
    if len(schedule.cadence) == 1 and schedule.cadence[0][0] == "*":
        data["cadence"] = _cadence_data(schedule.cadence[0][1])
    else:
        data["cadence_per_priority"] = {p: _cadence_data(c) for p, c in schedule.cadence}
    if schedule.anchor is not d.anchor:
        data["anchor"] = schedule.anchor.value
    if schedule.clock is not None:
        data["calendar"] = calendars.name(schedule.clock)
    if schedule.contact_window is None:
        data["contact_window"] = False
    elif schedule.contact_window != d.contact_window:
        window = schedule.contact_window
        data["contact_window"] = {
            "start": f"{window.start:%H:%M}",
            "end": f"{window.end:%H:%M}",
            "weekdays": [DAY_NAMES[w] for w in sorted(window.weekdays)],
        }
    if schedule.quiet_action is not d.quiet_action:
        data["quiet_action"] = schedule.quiet_action.value
    if schedule.channels != d.channels:
        data["channels"] = list(schedule.channels)
    for name in ("min_gap_after_update", "max_span", "remind_before"):
        value = getattr(schedule, name)
        if value != getattr(d, name):
            data[name] = format_duration(value)
    if schedule.max_attempts is not None:
        data["max_attempts"] = schedule.max_attempts
    if schedule.pause_in:
        order = list(StatusCategory)
        data["pause_in"] = [c.value for c in sorted(schedule.pause_in, key=order.index)]
    if schedule.stop_on != d.stop_on:
        data["stop_on"] = sorted(schedule.stop_on)
    if schedule.terminal is not None:
        terminal: dict[str, Any] = {
            "action": schedule.terminal.action,
            "after_attempts": schedule.terminal.after_attempts,
        }
        if schedule.terminal.batch is not None:
            terminal["batch"] = f"{schedule.terminal.batch:%H:%M}"
        data["terminal"] = terminal
    if schedule.default_timezone != d.default_timezone:
        data["default_timezone"] = schedule.default_timezone
    if schedule.agent_channels != d.agent_channels:
        data["agent_channels"] = sorted(schedule.agent_channels)
    if schedule.team_hours is not None:
        data["team_hours"] = calendars.name(schedule.team_hours)
    return data


def _messages_data(templates: TemplateSet) -> dict[str, Any] | None:
    if templates == TemplateSet():
        return None
    if templates == ready_made_templates(templates.default_timezone):
        data: dict[str, Any] = {"ready": True}
    else:
        data = {
            "templates": [
                {
                    "name": t.name,
                    "language": t.language,
                    "body": t.body,
                    **({"subject": t.subject} if t.subject else {}),
                    **({"channel": t.channel} if t.channel is not None else {}),
                    **({"audience": t.audience} if t.audience != "customer" else {}),
                }
                for t in templates.templates
            ]
        }
        if templates.fallback != TemplateSet().fallback:
            data["fallback"] = list(templates.fallback)
    if templates.default_timezone != "UTC":
        data["default_timezone"] = templates.default_timezone
    return data


def dump_parts(
    *,
    name: str,
    description: str,
    lifecycle: Lifecycle,
    sla: SlaPolicy | None,
    escalations: Sequence[EscalationChain],
    follow_ups: Sequence[FollowUpSchedule],
    templates: TemplateSet | None = None,
    cls: type | None = None,
) -> dict[str, Any]:
    """A protocol's parts as the plain data of a protocol file (the inverse of loading).

    Raises:
        ServiceKitError: a part a file cannot name (a guard defined in a function,
            a holidays calendar that is not a country's).
    """
    calendars = _Calendars()
    data: dict[str, Any] = {"format": FORMAT_VERSION, "name": name}
    if description:
        data["description"] = description
    if cls is not None:
        data["class"] = _importable(cls)
    body: dict[str, Any] = {"lifecycle": _lifecycle_data(lifecycle, calendars)}
    if sla is not None:
        body["sla"] = _sla_data(sla, name, calendars)
    if escalations:
        body["escalations"] = [_chain_data(c, calendars) for c in escalations]
    if follow_ups:
        body["follow_ups"] = [_schedule_data(s, calendars) for s in follow_ups]
    messages = _messages_data(templates) if templates is not None else None
    if messages is not None:
        body["messages"] = messages
    if calendars.names:
        data["calendars"] = {n: _calendar_data(c) for c, n in calendars.names.items()}
    data.update(body)
    return data


def to_toml_text(data: Mapping[str, Any]) -> str:
    """Plain protocol data as TOML text: short values inline, chains and steps as tables."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("A servicekit protocol file: servicekit check FILE lints it."))
    for key, value in data.items():
        if key in ("escalations", "follow_ups"):
            doc.add(tomlkit.nl())
            doc.add(key, _aot(value))
        elif isinstance(value, Mapping):
            doc.add(tomlkit.nl())
            doc.add(key, _table(value, children_are_tables=key in _TABLES_OF_TABLES))
        else:
            doc.add(key, _item(value))
    return tomlkit.dumps(doc)


def _aot(items: Sequence[Mapping[str, Any]]) -> AoT:
    aot = tomlkit.aot()
    for item in items:
        aot.append(_table(item))
    return aot


_NESTED_TABLES: Final = frozenset({"definition"})
_TABLES_OF_TABLES: Final = frozenset({"calendars", "metrics"})
_INLINE: Final = frozenset({"cadence", "terminal", "contact_window", "window", "holidays"})


def _table(
    value: Mapping[str, Any], *, children_are_tables: bool = False, inline: bool = False
) -> TomlTable:
    table = tomlkit.table()
    for key, item in value.items():
        if inline:
            # A table's plain values must come before its sub-tables, so tomlkit would reorder
            # a mix; keeping every child inline keeps the order (priorities are ordered).
            table.add(key, _item(item))
        elif key in ("steps", "templates") or (key in ("transitions", "reactions") and item):
            table.add(key, _aot(item))
        elif key in _INLINE:
            table.add(key, _item(item))
        elif key in ("targets", "cadence_per_priority"):
            table.add(key, _table(item, inline=True))
        elif isinstance(item, Mapping) and key in _TABLES_OF_TABLES:
            table.add(key, _table(item, children_are_tables=True))
        elif isinstance(item, Mapping) and (
            children_are_tables or key in _NESTED_TABLES or _is_big(item)
        ):
            table.add(key, _table(item))
        else:
            table.add(key, _item(item))
    return table


def _is_big(value: Mapping[str, Any]) -> bool:
    return any(isinstance(v, Mapping | list) for v in value.values()) or len(value) > 4


def _item(value: Any) -> Any:
    if isinstance(value, Mapping):
        inline = tomlkit.inline_table()
        for key, item in value.items():
            inline.append(key, _item(item))
        return inline
    if isinstance(value, list):
        array = tomlkit.array()
        for item in value:
            array.append(_item(item))
        if sum(len(str(v)) for v in value) > 60 or (
            len(value) > 1 and any(isinstance(v, Mapping) for v in value)
        ):
            array.multiline(True)
        return array
    return value
