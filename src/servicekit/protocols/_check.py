"""``servicekit check``: what is legal in a protocol but wrong.

Loading already refuses what cannot work (unknown statuses, unreachable ones,
lifecycles with no way to an end, malformed durations). These checks find
what works but breaks a promise: a priority with no target, an escalation
that fires after the breach it should prevent, reminders slower than the
update promise, calendars that hardly open, quiet hours that swallow every
follow-up, reminders that close a ticket before its resolution target, and
messages missing for a channel or language the protocol uses. Each finding
has a code, the dotted path of the field in the protocol file,
what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

import attrs

from servicekit._calendars import BusinessCalendar
from servicekit._fileformat import dotted
from servicekit._i18n import locale_chain, normalize_locale
from servicekit._units import format_duration
from servicekit.errors import MissingTemplateError
from servicekit.escalation import AfterBreach, AtSlaFraction, Delay, SlaTrigger
from servicekit.followup import Backoff, Daily, FixedOffsets, Interval, QuietAction
from servicekit.protocols._protocol import ServiceProtocol
from servicekit.protocols._render import template_uses
from servicekit.sla import ANY_PRIORITY, On, SlaPolicy, SlaTarget

__all__ = ["FINDING_CODES", "Finding", "check_protocol"]

FINDING_CODES: Final = {
    "SK101": "a priority has targets for some metrics but not for this one",
    "SK102": "an escalation step waits on an SLA metric the policy has no target for",
    "SK103": "an escalation step waits longer than the SLA target it guards",
    "SK104": "a follow-up cadence is slower than the periodic-update target",
    "SK105": "a calendar never opens",
    "SK106": "a calendar is open less in a week than its shortest target",
    "SK107": "the customer's quiet hours swallow every follow-up of a schedule",
    "SK108": "a follow-up's terminal action falls due before the resolution target",
    "SK109": "a due action has no message in a language, even through the fallback chain",
    "SK110": "a message is missing in a language or for a channel, so another one stands in",
}
"""Every finding code :func:`check_protocol` reports, with what it means."""
_WEEK: Final = _dt.timedelta(days=7)


@attrs.frozen
class Finding:
    """Something legal but wrong in a protocol.

    Attributes:
        code: a stable code such as ``"SK103"`` (see :data:`FINDING_CODES`).
        path: the dotted path of the field in the protocol file.
        parts: the same path as keys and indices (to find its line in the file).
        message: what is wrong.
        fix: how to fix it.
    """

    code: str
    path: str
    message: str
    fix: str
    parts: tuple[str | int, ...] = attrs.field(default=(), repr=False)

    def __str__(self) -> str:
        return f"{self.code} {self.path}: {self.message}; fix: {self.fix}"


def _finding(code: str, parts: tuple[str | int, ...], message: str, fix: str) -> Finding:
    return Finding(code, dotted(parts), message, fix, parts)


def check_protocol(protocol: ServiceProtocol, languages: Iterable[str] = ()) -> tuple[Finding, ...]:
    """Every finding for ``protocol``, in file order (the same protocol gives the same list).

    Messages are checked in every language the protocol's templates are written
    in, its fallback languages, and ``languages`` (the languages your customers
    read, such as ``["es-CO", "pt"]``), for every channel its due actions use.

    Raises:
        InvalidLocaleError: a tag in ``languages`` is not a language tag.

    Examples:
        >>> from servicekit.protocols import load_protocol, ready_made_path
        >>> check_protocol(load_protocol(ready_made_path("reactive")))
        ()
    """
    found = [
        *_priorities_without_targets(protocol.sla),
        *_calendars(protocol),
        *_escalations(protocol),
        *_follow_ups(protocol),
        *_messages(protocol, languages),
    ]
    return tuple(found)


def _priorities(policy: SlaPolicy) -> list[str]:
    seen: list[str] = []
    for target in policy.targets:
        if target.priority != ANY_PRIORITY and target.priority not in seen:
            seen.append(target.priority)
    return seen


def _targets(policy: SlaPolicy | None, metric: str) -> list[SlaTarget]:
    if policy is None:
        return []
    return [t for t in policy.targets if t.metric.name == metric]


def _priorities_without_targets(policy: SlaPolicy | None) -> Iterator[Finding]:
    if policy is None:
        return
    priorities = _priorities(policy)
    for metric in policy.metrics:
        have = {t.priority for t in _targets(policy, metric.name)}
        if ANY_PRIORITY in have:
            continue
        missing = [p for p in priorities if p not in have]
        if missing:
            yield _finding(
                "SK101",
                ("sla", "metrics", metric.name, "targets"),
                f"priorities {missing} have other targets but none for {metric.name!r}; a "
                "ticket at them fails when this metric is evaluated",
                f'add targets for {missing}, or a catch-all "*" target',
            )


def _calendar_paths(protocol: ServiceProtocol) -> dict[BusinessCalendar, tuple[str | int, ...]]:
    """Each calendar the protocol counts in, with the path of its first use."""
    paths: dict[BusinessCalendar, tuple[str | int, ...]] = {}
    if protocol.sla is not None:
        for target in protocol.sla.targets:
            paths.setdefault(
                target.calendar,
                ("sla", "metrics", target.metric.name, "targets", target.priority),
            )
    for i, schedule in enumerate(protocol.follow_ups):
        if schedule.clock is not None:
            paths.setdefault(schedule.clock, ("follow_ups", i, "calendar"))
    return paths


def _weekly_open(calendar: BusinessCalendar) -> _dt.timedelta:
    total = 0
    for shifts in calendar.hours:
        for start, end in shifts:
            a = start.hour * 3600 + start.minute * 60 + start.second
            b = end.hour * 3600 + end.minute * 60 + end.second
            total += b - a if b > a else b - a + 86_400
    return _dt.timedelta(seconds=total)


def _calendars(protocol: ServiceProtocol) -> Iterator[Finding]:
    for calendar, path in _calendar_paths(protocol).items():
        weekly = _weekly_open(calendar)
        if not weekly and not any(shifts for _, shifts in calendar.special_days):
            yield _finding(
                "SK105",
                path,
                f"its calendar {calendar!r} never opens, so nothing counted on it ever falls due",
                "give the calendar weekly hours",
            )
            continue
        if protocol.sla is None or not weekly:
            continue
        targets = [t.target for t in protocol.sla.targets if t.calendar == calendar]
        shortest = min(targets, default=None)
        if shortest is not None and weekly < shortest and weekly < _WEEK:
            yield _finding(
                "SK106",
                path,
                f"its calendar is open {format_duration(weekly)} a week, less than the shortest "
                f"target counted on it ({format_duration(shortest)}): every such ticket waits "
                "more than a week",
                "open the calendar longer, or shorten the targets counted on it",
            )


def _guarded_metric(policy: SlaPolicy | None, referenced: list[str]) -> str | None:
    if policy is None:
        return None
    names = [m.name for m in policy.metrics]
    for name in (*referenced, "resolution", "first_response"):
        if name in names:
            return name
    return None


def _escalations(protocol: ServiceProtocol) -> Iterator[Finding]:
    policy = protocol.sla
    known = {m.name for m in policy.metrics} if policy is not None else set()
    for i, chain in enumerate(protocol.escalations):
        referenced: list[str] = []
        for j, step in enumerate(chain.steps):
            wait = step.wait
            if isinstance(wait, AtSlaFraction | AfterBreach):
                referenced.append(wait.metric)
                if wait.metric not in known:
                    yield _finding(
                        "SK102",
                        ("escalations", i, "steps", j, "wait"),
                        f"the step waits on {wait.metric!r}, which has no SLA target, so it "
                        "never fires",
                        f"add {wait.metric!r} targets under [sla.metrics], or wait a duration",
                    )
        for t, trigger in enumerate(chain.triggers):
            if isinstance(trigger, SlaTrigger) and trigger.metric not in known:
                yield _finding(
                    "SK102",
                    ("escalations", i, "triggers", t),
                    f"the chain starts on {trigger.metric!r}, which has no SLA target, so this "
                    "trigger never fires",
                    f"add {trigger.metric!r} targets under [sla.metrics], or remove the trigger",
                )
        if On("ticket_opened") not in chain.triggers:
            continue  # waits count from another instant than the SLA clocks' start
        guarded = _guarded_metric(policy, referenced)
        if guarded is None:
            continue
        elapsed = _dt.timedelta(0)
        for j, step in enumerate(chain.steps):
            if not isinstance(step.wait, Delay):
                break
            elapsed += step.wait.duration
            late = [t.priority for t in _targets(policy, guarded) if elapsed > t.target]
            if late:
                yield _finding(
                    "SK103",
                    ("escalations", i, "steps", j, "wait"),
                    f"the step fires {format_duration(elapsed)} after opening, after the "
                    f"{guarded!r} target it guards for priorities {late}",
                    f'wait less, or wait a share of the target such as "75% of {guarded}"',
                )


def _first_gap(cadence: object) -> _dt.timedelta | None:
    if isinstance(cadence, Interval):
        return cadence.every
    if isinstance(cadence, FixedOffsets):
        return cadence.offsets[0]
    if isinstance(cadence, Backoff):
        return cadence.first
    return None


def _terminal_offset(cadence: object, attempts: int) -> _dt.timedelta | None:
    if isinstance(cadence, Interval):
        return cadence.every * (attempts + 1)
    if isinstance(cadence, FixedOffsets) and attempts < len(cadence.offsets):
        return cadence.offsets[attempts]
    return None


def _applies(target: SlaTarget, cadences: Mapping[str, object]) -> object | None:
    """The cadence a ticket at the target's priority follows."""
    key = target.priority
    return cadences.get(key) if key in cadences else cadences.get(ANY_PRIORITY)


def _follow_ups(protocol: ServiceProtocol) -> Iterator[Finding]:
    policy = protocol.sla
    for i, schedule in enumerate(protocol.follow_ups):
        cadences = dict(schedule.cadence)
        one = len(cadences) == 1 and ANY_PRIORITY in cadences
        cadence_path = ("follow_ups", i, "cadence" if one else "cadence_per_priority")
        slow = []
        for target in _targets(policy, "periodic_update"):
            gap = _first_gap(_applies(target, cadences))
            if gap is not None and gap > target.target:
                slow.append(
                    f"{target.priority} ({format_duration(gap)} > {format_duration(target.target)})"
                )
        if slow:
            yield _finding(
                "SK104",
                cadence_path,
                f"reminders come slower than the periodic-update target for {', '.join(slow)}",
                "give a cadence per priority (cadence_per_priority) no slower than each target",
            )
        window = schedule.contact_window
        if window is not None and schedule.quiet_action is not QuietAction.DEFER:
            swallowed = [
                p
                for p, c in schedule.cadence
                if isinstance(c, Daily) and not window.start <= c.at < window.end
            ]
            if swallowed:
                yield _finding(
                    "SK107",
                    cadence_path,
                    f"the daily time falls in the customer's quiet hours ({window.start:%H:%M}-"
                    f"{window.end:%H:%M} is the contact window), and quiet attempts are "
                    f"{schedule.quiet_action.value}ped, so no follow-up is ever made",
                    'move the daily time into the contact window, or set quiet_action = "defer"',
                )
        terminal = schedule.terminal
        if terminal is None:
            continue
        early = []
        for target in _targets(policy, "resolution"):
            offset = _terminal_offset(_applies(target, cadences), terminal.after_attempts)
            if offset is not None and offset < target.target:
                early.append(target.priority)
        if early:
            yield _finding(
                "SK108",
                ("follow_ups", i, "terminal"),
                f"{terminal.action!r} falls due before the resolution target of priorities "
                f"{early}, so tickets close before the team has had its promised time",
                "make more attempts first, or space them further apart",
            )


def _messages(protocol: ServiceProtocol, languages: Iterable[str]) -> Iterator[Finding]:
    templates = protocol.templates
    asked = [normalize_locale(x) for x in languages]
    # The last language of the fallback chain must be complete, or the chain ends in a
    # failure; a protocol without messages is held only to the languages asked for.
    declared = (*templates.languages, *templates.fallback) if templates.templates else ()
    wanted = sorted({*declared, *asked})
    uses = template_uses(protocol)
    for language in wanted:
        own = locale_chain(language, ())  # es-CO -> es: the reader's own language
        absent: list[str] = []
        standing_in: list[str] = []
        for name, channel in uses:
            label = name if channel is None else f"{name} ({channel})"
            try:
                found = templates.find(name, language, channel)
            except MissingTemplateError:
                absent.append(label)
                continue
            if found.language not in own:
                standing_in.append(f"{label} in {found.language!r}")
            elif (
                channel is not None
                and found.channel is None
                and _has_channel(protocol, name, channel)
            ):
                standing_in.append(f"{label} by the any-channel {found.language!r} message")
        chain = " -> ".join(locale_chain(language, templates.fallback))
        if absent:
            yield _finding(
                "SK109",
                ("messages",),
                f"no message for {', '.join(absent)} in {chain}: rendering them for "
                f"{language!r} readers fails",
                f"add templates for them in {language!r} or in a fallback language",
            )
        if standing_in:
            yield _finding(
                "SK110",
                ("messages",),
                f"{language!r} readers get {', '.join(standing_in)}",
                f"add the {language!r} templates (per channel where the others have one)",
            )


def _has_channel(protocol: ServiceProtocol, name: str, channel: str) -> bool:
    """Whether some language has a message written for this channel itself."""
    return any(t.name == name and t.channel == channel for t in protocol.templates.templates)
