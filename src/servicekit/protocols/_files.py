"""Protocol files: load a TOML file into a :class:`ServiceProtocol`, write one back, and
publish the format's JSON Schema.

Loading reports every problem at once, each with the file, the line, the
dotted path of the field, what was found and what was expected. Unknown keys
are errors. Teams extend a file with their own Python by naming it
(``"module:attribute"``): a :class:`ServiceProtocol` subclass, an
:class:`~servicekit.sla.SlaMetric`, a transition guard. Names are imported,
never evaluated, and nothing is unpickled.
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path as _FsPath
from typing import Any, Final, TypeVar

import attrs
import holidays as _holidays

from servicekit._calendars import BusinessCalendar
from servicekit._fileformat import INVALID, Path, Problem, check, describe, json_schema
from servicekit._lifecycle import Lifecycle, Reaction, Status, Transition
from servicekit._locate import line_of, locate
from servicekit._status import StatusCategory
from servicekit._units import BusinessDays, UnitError, resolve_duration
from servicekit.errors import (
    InvalidHolidayError,
    InvalidScheduleError,
    ProtocolFileError,
    ServiceKitError,
    UnknownTimezoneError,
)
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    Delay,
    EnteredCategory,
    EscalationChain,
    PriorityRaised,
    Repeat,
    SlaTrigger,
    Step,
    Window,
)
from servicekit.followup import (
    Backoff,
    ContactWindow,
    Daily,
    FixedOffsets,
    FollowUpSchedule,
    Interval,
    TerminalAction,
)
from servicekit.protocols._format import FORMAT_VERSION, PROTOCOL, READY_LIFECYCLES
from servicekit.protocols._protocol import ServiceProtocol
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.protocols._templates import MessageTemplate, TemplateSet
from servicekit.sla import BUILT_IN_METRICS, On, SlaMetric, SlaPolicy, SlaTarget

__all__ = [
    "READY_MADE",
    "FileProblem",
    "load_protocol",
    "loads_protocol",
    "protocol_schema",
    "ready_made_path",
    "ready_made_text",
    "schema_json",
]

READY_MADE: Final = ("crisis", "daily-requests", "proactive", "reactive")
"""The ready-made protocols shipped as files, by name (see :func:`ready_made_path`)."""
SCHEMA_ID: Final = "https://servicekit.readthedocs.io/en/latest/protocol.schema.json"
_DEFAULT_WARN: Final = (0.5, 0.75, 0.9)
_UTC: Final = BusinessCalendar.always_open("UTC")
_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

P = TypeVar("P", bound=ServiceProtocol)
T = TypeVar("T")


@attrs.frozen
class FileProblem:
    """One problem in a protocol file.

    Attributes:
        file: the file's name as given.
        line: the line (from 1) of the field, or of its nearest enclosing table.
        path: the dotted path of the field, e.g. ``sla.metrics.resolution.targets.P1``.
        message: what was found and what was expected.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}"


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema of protocol files, generated from the format's definition.

    Examples:
        >>> protocol_schema()["title"]
        'servicekit protocol file'
    """
    return json_schema(
        PROTOCOL,
        title="servicekit protocol file",
        schema_id=SCHEMA_ID,
        description=(
            "A team's service protocol: calendars, lifecycle, SLA targets, escalation chains "
            "and follow-up schedules. Durations are written '4h', '30min', '3 business days'; "
            "shares '75%'."
        ),
    )


def ready_made_path(name: str) -> _FsPath:
    """The shipped file of a ready-made protocol (``reactive``, ``proactive``,
    ``daily-requests`` or ``crisis``), to copy and edit.

    Raises:
        ServiceKitError: no ready-made protocol has that name.
    """
    if name not in READY_MADE:
        raise ServiceKitError(
            f"no ready-made protocol is called {name!r}; choose one of {list(READY_MADE)}"
        )
    return _FsPath(str(resources.files("servicekit.protocols") / "_data" / f"{name}.toml"))


def ready_made_text(name: str) -> str:
    """The text of a ready-made protocol's file (see :func:`ready_made_path`)."""
    return ready_made_path(name).read_text("utf-8")


def load_protocol(path: str | os.PathLike[str]) -> ServiceProtocol:
    """Load a protocol file.

    Raises:
        ProtocolFileError: the file cannot be read, or has problems (all of
            them are listed, each with its line and dotted path).
    """
    name = os.fspath(path)
    try:
        text = _FsPath(name).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ProtocolFileError(
            f"{name}: cannot read the protocol file: {reason}", problems=()
        ) from None
    return loads_protocol(text, source=name)


def loads_protocol(text: str, *, source: str = "<string>") -> ServiceProtocol:
    """Load a protocol from the text of a protocol file (see :func:`load_protocol`).

    Examples:
        >>> protocol = loads_protocol(ready_made_text("crisis"))
        >>> protocol.name
        'crisis'
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = FileProblem(source, _decode_line(exc), "(file)", f"not valid TOML: {exc}")
        raise ProtocolFileError(str(problem), problems=(problem,)) from None
    checked, problems = check(PROTOCOL, raw)
    protocol = None
    if checked is not INVALID:
        builder = _Builder(raw, problems)
        protocol = builder.protocol(checked)
    if problems or protocol is None:
        lines = locate(text)
        found = [
            FileProblem(source, line_of(lines, p.path) or 1, p.dotted, p.message) for p in problems
        ]
        found.sort(key=lambda f: (f.line or 0, f.path))
        raise ProtocolFileError("\n".join(str(f) for f in found), problems=tuple(found))
    return protocol


def _decode_line(exc: tomllib.TOMLDecodeError) -> int | None:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    text = str(exc)
    marker = "(at line "
    if marker in text:
        return int(text.split(marker, 1)[1].split(",", 1)[0])
    return None


def _import(dotted: str, kind: type[T] | None, what: str) -> Any:
    module_name, _, attribute = dotted.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ServiceKitError(f"cannot import {dotted!r} ({exc}); expected {what}") from None
    if kind is not None and not (
        isinstance(found, kind) or (isinstance(found, type) and issubclass(found, kind))
    ):
        raise ServiceKitError(f"{dotted!r} is {found!r}; expected {what}")
    return found


class _Builder:
    """Turns checked file data into domain values, recording each refusal at its path."""

    def __init__(self, raw: Mapping[str, Any], problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems
        self.calendars: dict[str, BusinessCalendar] = {}

    def fail(self, path: Path, message: str, *, found: bool = False) -> None:
        value = self.raw_at(path)
        shown = None
        if found and value is not INVALID:
            shown = describe(value)
        self.problems.append(Problem(path, shown, message))

    def raw_at(self, path: Path) -> Any:
        node: Any = self.raw
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return INVALID
        return node

    def attempt(
        self,
        path: Path,
        build: Callable[[], T],
        *,
        where: Mapping[type[Exception], str] | None = None,
    ) -> T | None:
        """``build()``, or ``None`` with its refusal recorded at ``path`` (or at the key
        ``where`` names for the error's type)."""
        try:
            return build()
        except (ServiceKitError, UnitError) as exc:
            for kind, key in (where or {}).items():
                if isinstance(exc, kind):
                    path = (*path, key)
                    break
            self.fail(path, str(exc))
            return None

    # -- parts -----------------------------------------------------------------------------

    def calendar_ref(self, name: str | None, path: Path) -> BusinessCalendar | None:
        if name is None:
            return None
        found = self.calendars.get(name)
        if found is None:
            known = sorted(self.calendars) or "none"
            self.fail(path, f"a calendar defined under [calendars] (defined: {known})", found=True)
        return found

    def duration(
        self, value: _dt.timedelta | BusinessDays, calendar: BusinessCalendar | None, path: Path
    ) -> _dt.timedelta | None:
        return self.attempt(path, lambda: resolve_duration(value, calendar))

    def calendar(self, name: str, data: Mapping[str, Any]) -> BusinessCalendar | None:
        path: Path = ("calendars", name)
        holidays_spec: Any = ()
        source = data.get("holidays")
        if isinstance(source, Mapping):
            holidays_spec = self.attempt(
                (*path, "holidays", "country"), lambda: _country_holidays(source)
            )
            if holidays_spec is None:
                return None
        elif source is not None:
            holidays_spec = source
        special = {}
        for i, day in enumerate(data.get("special_days", ())):
            hours = day["hours"].strip()
            if day["date"] in special:
                self.fail((*path, "special_days", i, "date"), "each date once", found=True)
            special[day["date"]] = [] if hours.lower() in ("closed", "") else hours
        return self.attempt(
            path,
            lambda: BusinessCalendar(data["timezone"], data["hours"], holidays_spec, special),
            where={
                UnknownTimezoneError: "timezone",
                InvalidScheduleError: "hours",
                InvalidHolidayError: "holidays",
            },
        )

    def lifecycle(self, data: Mapping[str, Any]) -> Lifecycle | None:
        path: Path = ("lifecycle",)
        ready = data.get("ready")
        own = [k for k in ("name", "initial", "statuses", "transitions", "reactions") if k in data]
        if ready is not None:
            if own:
                self.fail(
                    (*path, own[0]),
                    f"either `ready` or your own lifecycle, not both (remove {own})",
                )
                return None
            return READY_LIFECYCLES[ready]()
        missing = [k for k in ("name", "initial", "statuses") if k not in data]
        if missing:
            self.fail(
                path,
                f'`ready = "helpdesk"` (or incident, service_request), or a lifecycle of your '
                f"own with name, initial and statuses (missing: {', '.join(missing)})",
            )
            return None
        statuses = [Status(n, StatusCategory(c)) for n, c in data["statuses"].items()]
        transitions = []
        for i, t in enumerate(data.get("transitions", ())):
            built = self.transition(t, (*path, "transitions", i))
            if built is None:
                return None
            transitions.append(built)
        reactions = []
        for i, r in enumerate(data.get("reactions", ())):
            reaction = self.attempt(
                (*path, "reactions", i),
                functools.partial(
                    Reaction,
                    on=r["on"],
                    sources=r["from"],
                    trigger=r["trigger"],
                    where=r.get("where", {}),
                    reason=r.get("reason"),
                    role=r.get("role"),
                ),
            )
            if reaction is None:
                return None
            reactions.append(reaction)
        lifecycle = self.attempt(
            path,
            lambda: Lifecycle(
                data["name"], statuses, transitions, data["initial"], reactions=reactions
            ),
        )
        if lifecycle is not None and not self.can_finish(lifecycle, path):
            return None
        return lifecycle

    def can_finish(self, lifecycle: Lifecycle, path: Path) -> bool:
        """Refuse statuses from which no solved, closed or cancelled status can be reached."""
        finishing = {
            s.name
            for s in lifecycle.statuses
            if s.category.is_final or s.category is StatusCategory.SOLVED
        }
        if not finishing:
            self.fail(
                (*path, "statuses"),
                "at least one status in a solved, closed or cancelled category: tickets must be "
                "able to end",
            )
            return False
        reaches = set(finishing)
        changed = True
        while changed:
            changed = False
            for s in lifecycle.statuses:
                if s.name in reaches:
                    continue
                if any(
                    lifecycle.destination(s.name, t) in reaches
                    for t in lifecycle.triggers_from(s.name)
                ):
                    reaches.add(s.name)
                    changed = True
        stuck = [s.name for s in lifecycle.statuses if s.name not in reaches]
        if stuck:
            self.fail(
                (*path, "transitions"),
                f"statuses {stuck} form a cycle with no way to a solved, closed or cancelled "
                "status; add a transition out of the cycle",
            )
            return False
        return True

    def transition(self, data: Mapping[str, Any], path: Path) -> Transition | None:
        calendar = self.calendar_ref(data.get("calendar"), (*path, "calendar"))
        if "calendar" in data and calendar is None:
            return None
        after = None
        if "after" in data:
            after = self.duration(data["after"], calendar, (*path, "after"))
            if after is None:
                return None
        guards = []
        for i, dotted in enumerate(data.get("guards", ())):
            guard = self.attempt(
                (*path, "guards", i),
                functools.partial(_import, dotted, None, "a guard function"),
            )
            if guard is None:
                return None
            guards.append(guard)
        sources = data["from"]
        return self.attempt(
            path,
            lambda: Transition(
                trigger=data["trigger"],
                sources=sources,
                dest=data["to"],
                guards=guards,
                reason_required=data.get("reason_required", False),
                reasons=data.get("reasons"),
                roles=data.get("roles"),
                after=after,
                calendar=calendar,
            ),
        )

    def metric(self, name: str, data: Mapping[str, Any], path: Path) -> SlaMetric | None:
        definition = data.get("definition")
        if definition is None:
            found = BUILT_IN_METRICS.get(name)
            if found is None:
                self.fail(
                    path,
                    f"a built-in metric ({', '.join(sorted(BUILT_IN_METRICS))}), or a "
                    "`definition` for a metric of your own",
                )
            return found
        if isinstance(definition, str):
            metric = self.attempt(
                (*path, "definition"),
                lambda: _import(definition, SlaMetric, "an SlaMetric value"),
            )
            if metric is not None and metric.name != name:
                self.fail(
                    (*path, "definition"),
                    f"a metric called {name!r}, but {definition!r} is called {metric.name!r}",
                )
                return None
            return metric
        return self.attempt(
            (*path, "definition"),
            lambda: SlaMetric(
                name=name,
                starts_on=[_on(c) for c in definition["starts_on"]],
                met_on=[_on(c) for c in definition.get("met_on", ())],
                cancelled_on=[_on(c) for c in definition.get("cancelled_on", ())],
                clock=definition.get("clock"),
                on_stop=definition.get("on_stop"),
                restarts=definition.get("restarts", False),
                reopenable=definition.get("reopenable", False),
            ),
        )

    def sla(self, data: Mapping[str, Any], protocol_name: str) -> SlaPolicy | None:
        path: Path = ("sla",)
        default_calendar = self.calendar_ref(data.get("calendar"), (*path, "calendar"))
        default_warn = data.get("warn_at", _DEFAULT_WARN)
        targets: list[SlaTarget] = []
        ok = True
        for name, entry in data["metrics"].items():
            m_path: Path = (*path, "metrics", name)
            metric = self.metric(name, entry, m_path)
            m_calendar = self.calendar_ref(entry.get("calendar"), (*m_path, "calendar"))
            if metric is None or ("calendar" in entry and m_calendar is None):
                ok = False
                continue
            m_calendar = m_calendar or default_calendar
            m_warn = entry.get("warn_at", default_warn)
            if not entry["targets"]:
                self.fail((*m_path, "targets"), "at least one priority -> target")
                ok = False
            for priority, spec in entry["targets"].items():
                t_path: Path = (*m_path, "targets", priority)
                detail = spec if isinstance(spec, Mapping) else {"target": spec}
                calendar = self.calendar_ref(detail.get("calendar"), (*t_path, "calendar"))
                if "calendar" in detail and calendar is None:
                    ok = False
                    continue
                calendar = calendar or m_calendar or _UTC
                t_target_path = (*t_path, "target") if isinstance(spec, Mapping) else t_path
                target = self.duration(detail["target"], calendar, t_target_path)
                if target is None:
                    ok = False
                    continue
                built = self.attempt(
                    t_target_path,
                    functools.partial(
                        SlaTarget,
                        metric=metric,
                        priority=priority,
                        target=target,
                        calendar=calendar,
                        warn_at=detail.get("warn_at", m_warn),
                    ),
                )
                if built is None:
                    ok = False
                    continue
                targets.append(built)
        if not ok:
            return None
        return self.attempt(
            path,
            lambda: SlaPolicy(
                data.get("name", protocol_name),
                targets,
                on_priority_change=data.get("on_priority_change", "retarget"),
                on_reopen=data.get("on_reopen", "resume"),
            ),
        )

    def trigger(self, data: Mapping[str, Any], path: Path, *, stop: bool) -> object | None:
        kinds = [k for k in ("event", "sla", "entered", "priority_raised") if k in data]
        allowed = ("event", "entered") if stop else ("event", "sla", "entered", "priority_raised")
        if len(kinds) != 1 or kinds[0] not in allowed:
            shown = " or ".join(f"`{k}`" for k in allowed)
            self.fail(path, f"exactly one of {shown}")
            return None
        kind = kinds[0]
        extra = [k for k in data if k not in (kind, "at") and kind != "event"]
        if extra or ("at" in data and kind != "sla"):
            self.fail((*path, (extra or ["at"])[0]), f"no other key with `{kind}`")
            return None
        if kind == "event":
            return self.attempt(path, lambda: _on(data))
        if kind == "sla":
            return SlaTrigger(data["sla"], data.get("at", 1.0))
        if kind == "entered":
            return EnteredCategory(data["entered"])
        return PriorityRaised(data["priority_raised"])

    def step(self, data: Mapping[str, Any], path: Path) -> Step | None:
        calendar = self.calendar_ref(data.get("calendar"), (*path, "calendar"))
        if "calendar" in data and calendar is None:
            return None
        tag, metric, amount = data.get("wait", ("delay", None, _dt.timedelta(0)))
        wait: Delay | AtSlaFraction | AfterBreach | None
        if tag == "fraction":
            wait = self.attempt((*path, "wait"), lambda: AtSlaFraction(metric, amount))
        else:
            duration = self.duration(amount, calendar, (*path, "wait"))
            if duration is None:
                return None
            if tag == "breach":
                wait = AfterBreach(metric, duration, calendar)
            else:
                wait = Delay(duration, calendar)
        if wait is None:
            return None
        window = None
        if "window" in data:
            w = data["window"]
            window = self.attempt(
                (*path, "window"),
                lambda: Window(
                    w["timezone"],
                    w["start"],
                    w["end"],
                    weekdays=_weekdays(w.get("weekdays")),  # type: ignore[arg-type]
                    outside=w.get("outside", "defer"),
                    goto_step=w.get("goto_step"),
                ),
            )
            if window is None:
                return None
        return self.attempt(
            path,
            lambda: Step(
                targets=data["notify"],
                wait=wait,
                selector=data.get("selector", "all"),
                importance=data.get("importance"),
                channel=data.get("channel"),
                window=window,
                reassign=data.get("reassign"),
                unreachable=data.get("unreachable", "skip"),
                fallback=data.get("fallback"),
            ),
        )

    def chain(self, data: Mapping[str, Any], path: Path) -> EscalationChain | None:
        options: dict[str, Any] = {}
        ok = True
        for key, stop in (("triggers", False), ("stops", True)):
            if key in data:
                items = [
                    self.trigger(t, (*path, key, i), stop=stop) for i, t in enumerate(data[key])
                ]
                ok = ok and all(t is not None for t in items)
                options[key] = items
        built = [self.step(s, (*path, "steps", i)) for i, s in enumerate(data["steps"])]
        steps = [s for s in built if s is not None]
        if not ok or len(steps) != len(built):
            return None
        if "repeat" in data or "repeat_from" in data:
            times = data.get("repeat", 0)
            options["repeat"] = Repeat(
                None if times == "forever" else times, data.get("repeat_from", 0)
            )
        for key in ("ack_timeout", "hold_poll"):
            if key in data:
                value = self.duration(data[key], None, (*path, key))
                if value is None:
                    return None
                options[key] = value
        for key in ("kind", "ack_restart_step", "version", "effective_from"):
            if key in data:
                options[key] = data[key]
        return self.attempt(
            path, lambda: EscalationChain(name=data["name"], steps=steps, **options)
        )

    def cadence(
        self, data: Mapping[str, Any], path: Path, calendar: BusinessCalendar | None
    ) -> Any:
        kinds = [k for k in ("every", "offsets", "backoff", "daily") if k in data]
        if len(kinds) != 1:
            self.fail(path, "exactly one of `every`, `offsets`, `backoff` or `daily`")
            return None
        kind = kinds[0]
        extra = [
            k for k in data if k != kind and not (kind == "backoff" and k in ("factor", "cap"))
        ]
        if extra:
            self.fail((*path, extra[0]), f"no other key with `{kind}`")
            return None

        def span(key: str, value: Any) -> _dt.timedelta | None:
            return self.duration(value, calendar, (*path, key))

        if kind == "every":
            every = span("every", data["every"])
            return None if every is None else self.attempt(path, lambda: Interval(every))
        if kind == "offsets":
            found = [
                self.duration(o, calendar, (*path, "offsets", i))
                for i, o in enumerate(data["offsets"])
            ]
            offsets = [o for o in found if o is not None]
            if len(offsets) != len(found):
                return None
            return self.attempt((*path, "offsets"), lambda: FixedOffsets(offsets))
        if kind == "backoff":
            first = span("backoff", data["backoff"])
            cap = span("cap", data["cap"]) if "cap" in data else None
            if first is None or ("cap" in data and cap is None):
                return None
            return self.attempt(path, lambda: Backoff(first, float(data.get("factor", 2.0)), cap))
        return Daily(data["daily"])

    def schedule(self, data: Mapping[str, Any], path: Path) -> FollowUpSchedule | None:
        calendar = self.calendar_ref(data.get("calendar"), (*path, "calendar"))
        if "calendar" in data and calendar is None:
            return None
        team_hours = self.calendar_ref(data.get("team_hours"), (*path, "team_hours"))
        if "team_hours" in data and team_hours is None:
            return None
        given = [k for k in ("cadence", "cadence_per_priority") if k in data]
        if len(given) != 1:
            self.fail(path, "exactly one of `cadence` or `cadence_per_priority`")
            return None
        if given[0] == "cadence":
            cadence: Any = self.cadence(data["cadence"], (*path, "cadence"), calendar)
            if cadence is None:
                return None
        else:
            cadence = {
                p: self.cadence(c, (*path, "cadence_per_priority", p), calendar)
                for p, c in data["cadence_per_priority"].items()
            }
            if any(c is None for c in cadence.values()):
                return None
        options: dict[str, Any] = {}
        for key in ("min_gap_after_update", "max_span", "remind_before"):
            if key in data:
                value = self.duration(data[key], calendar, (*path, key))
                if value is None:
                    return None
                options[key] = value
        window = data.get("contact_window")
        if window is True:
            self.fail((*path, "contact_window"), "false, or a table with start and end", found=True)
            return None
        if isinstance(window, Mapping):
            w = window
            contact = self.attempt(
                (*path, "contact_window"),
                lambda: ContactWindow(
                    w.get("start", _dt.time(8)),
                    w.get("end", _dt.time(21)),
                    _weekdays(w.get("weekdays")),
                ),
            )
            if contact is None:
                return None
            options["contact_window"] = contact
        elif "contact_window" in data:
            options["contact_window"] = None
        if "terminal" in data:
            t = data["terminal"]
            terminal = self.attempt(
                (*path, "terminal"),
                lambda: TerminalAction(t["action"], t["after_attempts"], t.get("batch")),
            )
            if terminal is None:
                return None
            options["terminal"] = terminal
        for key in (
            "anchor",
            "quiet_action",
            "channels",
            "max_attempts",
            "pause_in",
            "stop_on",
            "default_timezone",
            "agent_channels",
        ):
            if key in data:
                options[key] = data[key]
        if team_hours is not None:
            options["team_hours"] = team_hours
        return self.attempt(
            path,
            lambda: FollowUpSchedule(name=data["name"], cadence=cadence, clock=calendar, **options),
        )

    def protocol(self, data: Mapping[str, Any]) -> ServiceProtocol | None:
        if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
            self.fail(("format",), f"format {FORMAT_VERSION}", found=True)
            return None
        cls: type[ServiceProtocol] = ServiceProtocol
        if "class" in data:
            found = self.attempt(
                ("class",),
                lambda: _import(data["class"], ServiceProtocol, "a ServiceProtocol subclass"),
            )
            if found is None:
                return None
            cls = found
        for name, spec in data.get("calendars", {}).items():
            calendar = self.calendar(name, spec)
            if calendar is not None:
                self.calendars[name] = calendar
        lifecycle = self.lifecycle(data["lifecycle"])
        sla = self.sla(data["sla"], data["name"]) if "sla" in data else None
        chains = [
            self.chain(c, ("escalations", i)) for i, c in enumerate(data.get("escalations", ()))
        ]
        schedules = [
            self.schedule(s, ("follow_ups", i)) for i, s in enumerate(data.get("follow_ups", ()))
        ]
        templates = self.messages(data["messages"]) if "messages" in data else TemplateSet()
        if self.problems or lifecycle is None or templates is None:
            return None
        if "sla" in data and sla is None:
            return None
        self.unique_names(chains, "escalations")
        self.unique_names(schedules, "follow_ups")
        if self.problems:
            return None
        return self.attempt(
            (),
            lambda: cls(
                name=data["name"],
                lifecycle=lifecycle,
                sla=sla,
                escalations=[c for c in chains if c is not None],
                follow_ups=[s for s in schedules if s is not None],
                description=data.get("description", ""),
                templates=templates,
            ),
        )

    def messages(self, data: Mapping[str, Any]) -> TemplateSet | None:
        path: Path = ("messages",)
        zone = data.get("default_timezone", "UTC")
        if data.get("ready"):
            if "templates" in data or "fallback" in data:
                self.fail(path, "either `ready = true` or your own templates, not both")
                return None
            return self.attempt(path, lambda: ready_made_templates(zone))
        templates = []
        for i, t in enumerate(data.get("templates", ())):
            built = self.attempt(
                (*path, "templates", i),
                functools.partial(
                    MessageTemplate,
                    name=t["name"],
                    language=t["language"],
                    body=t["body"],
                    subject=t.get("subject", ""),
                    channel=t.get("channel"),
                    audience=t.get("audience", "customer"),
                ),
            )
            if built is None:
                return None
            templates.append(built)
        return self.attempt(
            path,
            lambda: TemplateSet(
                templates=templates,
                fallback=data.get("fallback", ("en",)),
                default_timezone=zone,
            ),
        )

    def unique_names(self, items: list[Any], key: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                self.fail((key, i, "name"), "a name not used by another entry", found=True)
            seen.add(item.name)


def _on(data: Mapping[str, Any]) -> On:
    where = {k: v for k, v in data.items() if k != "event"}
    return On(data["event"], **where)


def _weekdays(names: list[str] | None) -> frozenset[int]:
    if names is None:
        return frozenset(range(7))
    return frozenset(_WEEKDAYS.index(n) for n in names)


def _country_holidays(spec: Mapping[str, Any]) -> _holidays.HolidayBase:
    country = spec["country"]
    try:
        return _holidays.country_holidays(
            country, subdiv=spec.get("subdivision"), observed=spec.get("observed", True)
        )
    except NotImplementedError as exc:
        message = str(exc)
        if "subdivision" in message.lower() or "subdiv" in message.lower():
            raise ServiceKitError(
                f"the holidays package knows no subdivision {spec.get('subdivision')!r} of "
                f"{country!r}"
            ) from None
        raise ServiceKitError(
            f"the holidays package knows no country {country!r}; use an ISO 3166 code such as "
            "'BE', 'ES' or 'US'"
        ) from None


def schema_json() -> str:
    """The JSON Schema as the text published in the package and the docs."""
    return json.dumps(protocol_schema(), indent=2, ensure_ascii=False) + "\n"
