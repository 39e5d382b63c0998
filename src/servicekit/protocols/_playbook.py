"""The protocol as a playbook the team reads: Markdown or one self-contained HTML page.

A protocol that lives in code cannot be consulted by the agents who must follow
it. :func:`playbook` writes it for them from the very values that run: for each
priority what the customer is promised and by when, who owns the ticket at
each tier and when it moves up, how often the customer hears from the team and
never when, how a ticket closes, who in management is told when it goes wrong,
the lifecycle and escalation diagrams, and every message as the customer will
read it. It is generated, so it cannot drift from what runs.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs
import babel
import pendulum

from servicekit._calendar_hours import format_hours
from servicekit._calendars import BusinessCalendar
from servicekit._i18n import babel_locale, format_duration, format_instant, locale_chain
from servicekit._lifecycle import SAME, Lifecycle
from servicekit._status import StatusCategory
from servicekit._time import as_instant
from servicekit.errors import PlaybookError
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    ChainKind,
    Delay,
    EnteredCategory,
    EscalationChain,
    PriorityRaised,
    SlaTrigger,
    Step,
    Target,
)
from servicekit.followup import (
    Backoff,
    Cadence,
    Daily,
    FixedOffsets,
    FollowUpSchedule,
    Interval,
    QuietAction,
)
from servicekit.protocols._protocol import DueAction, ServiceProtocol
from servicekit.protocols._render import message_context, template_uses
from servicekit.protocols._request_types import RequestTypes
from servicekit.protocols._templates import Message
from servicekit.sla import ANY_PRIORITY, On, SlaTarget

__all__ = ["PLAYBOOK_LANGUAGES", "playbook"]

PlaybookFormat = Literal["md", "html"]

# --- words ---------------------------------------------------------------------------------------

_EN = {
    "title": "Service playbook: {name}",
    "title_types": "Service playbook by request type",
    "request_type": "Request type",
    "types_intro": "Each request type is held to its own promise; a ticket's `{attribute}` "
    "attribute names its type.",
    "types_default": " A ticket that names none is a {default}.",
    "generated": "Generated from the protocol itself: change the protocol, not this page.",
    "glance": "At a glance",
    "priority": "Priority",
    "other": "any other",
    "promises": "What the customer is promised",
    "promises_intro": "Targets count in the calendar shown; the clock pauses while the "
    "ticket waits on the customer or a third party.",
    "metric": "Promise",
    "target": "Within",
    "clock": "Counted in",
    "warn": "Warnings at",
    "first_response": "first response",
    "next_response": "next response",
    "periodic_update": "update at least every",
    "resolution": "resolution",
    "no_sla": "This protocol makes no timed promise.",
    "always": "around the clock",
    "owners": "Who owns the ticket, and when it moves up",
    "chain_functional": "**{name}** (up the support tiers): starts {triggers}; stops on {stops}.",
    "chain_hierarchical": "**{name}** (up the management line): starts {triggers}; stops on "
    "{stops}.",
    "step": "Step",
    "when": "When",
    "who": "Who is told",
    "then": "Then",
    "takes": "takes the ticket",
    "by": "by {channel}",
    "repeat_forever": "Then it goes round again from step {step} until stopped.",
    "repeat_times": "Then it goes round again from step {step}, {times} more times.",
    "no_chains": "No escalation: the ticket stays with whoever has it.",
    "crisis": "When it goes wrong: management and crisis rules",
    "no_crisis": "No one in management is alerted by this protocol; a team that must be "
    "told of a crisis adds a hierarchical chain (see the crisis protocol).",
    "follow": "Keeping the customer informed",
    "no_follow": "No follow-up plan: the customer hears from the team only when an agent writes.",
    "cadence": "Attempts",
    "anchor_opened": "counted from the opening (and from each public reply after it)",
    "anchor_last_agent_update": "counted from each public reply of the team",
    "anchor_promise": "counted from each promise an agent makes",
    "anchor_solved": "counted from solving, while the ticket stays solved",
    "business": "in business time ({calendar})",
    "elapsed": "in elapsed time",
    "channels": "Channels, attempt by attempt: {channels} (the last repeats).",
    "max_attempts": "At most {n} attempts.",
    "quiet": "Customers are contacted only {start}–{end} their own time, {days}; an attempt "
    "that falls outside is {action}.",
    "quiet_defer": "moved to the next allowed time",
    "quiet_skip": "skipped (it still counts)",
    "quiet_merge": "merged into the next one",
    "no_quiet": "No quiet hours: customers may be contacted at any time.",
    "pause": "The count pauses while the ticket is {categories}.",
    "stop_on": "A run ends on {events}, or when the ticket is solved or closed.",
    "terminal": "After {n} unanswered attempts: **{action}** (when the next attempt would "
    "have gone).",
    "remind": "Agents are reminded of each promise {before} before it is due; a missed "
    "promise is flagged at once.",
    "every": "every {d}",
    "after": "after {ds}",
    "backoff": "after {first}, then each wait {factor}× the last",
    "cap": " (at most {cap})",
    "daily": "every day at {time}, customer's time",
    "closing": "How a ticket closes",
    "timed": "**{trigger}**: from {sources} to {dest} automatically {after} after entering it.",
    "no_timed": "No automatic closing: an agent closes each ticket.",
    "lifecycle": "Statuses and moves",
    "status": "Status",
    "category": "Meaning",
    "trigger": "Move",
    "from": "From",
    "to": "To",
    "notes": "Rules",
    "reason": "needs a reason",
    "reasons": "reason: {reasons}",
    "roles": "only {roles}",
    "auto": "automatic after {d}",
    "same": "(stays)",
    "diagram_lifecycle": "Lifecycle",
    "diagram_chain": "Escalation: {name}",
    "messages": "What the customer (and the team) will read",
    "messages_intro": "Each message as it would be sent for an example {priority} ticket opened "
    "{at}; the times are real answers of this protocol.",
    "for_team": "for the team",
    "for_customer": "for the customer",
    "channel": "channel",
    "any_channel": "any channel",
    "no_messages": "This protocol has no message templates.",
    "start": "Start",
    "at_once": "at once",
    "at_fraction": "at {pct} of the {metric} target ({per})",
    "after_breach": "{d} after the {metric} target is missed",
    "at_breach": "when the {metric} target is missed",
    "delay": "{d} later",
    "delay_business": "{d} of business time later",
    "and": "and",
    "or": "or",
    "event_ticket_opened": "when a ticket is opened",
    "event_escalated": "when someone escalates the ticket",
    "event_acknowledged": "an acknowledgement",
    "event_assigned": "a reassignment",
    "event_customer_replied": "a customer reply",
    "event_opted_out": "an opt-out",
    "event_agent_replied": "an agent reply",
    "sla_trigger": "when {pct} of the {metric} target is used",
    "entered": "entering {categories}",
    "priority_raised": "when the priority is raised",
    "tier": "tier {name}",
    "role": "{name}",
    "group": "group {name}",
    "person": "{name}",
    "days": "every day",
    "weekdays": "Monday to Friday",
    "on_days": "on {days}",
}
_ES = {
    "title": "Protocolo de servicio: {name}",
    "title_types": "Protocolo de servicio por tipo de solicitud",
    "request_type": "Tipo de solicitud",
    "types_intro": "Cada tipo de solicitud tiene su propio compromiso; el atributo "
    "`{attribute}` del ticket indica su tipo.",
    "types_default": " Un ticket que no indica ninguno se trata como {default}.",
    "generated": "Generado a partir del propio protocolo: cambie el protocolo, no esta página.",
    "glance": "De un vistazo",
    "priority": "Prioridad",
    "other": "cualquier otra",
    "promises": "Lo que se promete al cliente",
    "promises_intro": "Los plazos se cuentan en el calendario indicado; el reloj se detiene "
    "mientras el ticket espera al cliente o a un tercero.",
    "metric": "Compromiso",
    "target": "Plazo",
    "clock": "Se cuenta en",
    "warn": "Avisos al",
    "first_response": "primera respuesta",
    "next_response": "siguiente respuesta",
    "periodic_update": "actualización al menos cada",
    "resolution": "resolución",
    "no_sla": "Este protocolo no promete plazos.",
    "always": "las 24 horas, todos los días",
    "owners": "Quién es responsable del ticket y cuándo sube de nivel",
    "chain_functional": "**{name}** (sube por los niveles de soporte): empieza {triggers}; "
    "se detiene con {stops}.",
    "chain_hierarchical": "**{name}** (sube por la línea de mando): empieza {triggers}; "
    "se detiene con {stops}.",
    "step": "Paso",
    "when": "Cuándo",
    "who": "A quién se avisa",
    "then": "Después",
    "takes": "asume el ticket",
    "by": "por {channel}",
    "repeat_forever": "Después vuelve a empezar desde el paso {step} hasta que se detenga.",
    "repeat_times": "Después vuelve a empezar desde el paso {step}, {times} veces más.",
    "no_chains": "Sin escalamiento: el ticket sigue con quien lo tenga.",
    "crisis": "Cuando algo sale mal: dirección y reglas de crisis",
    "no_crisis": "Este protocolo no avisa a nadie de la dirección; un equipo que deba "
    "enterarse de una crisis añade una cadena jerárquica (vea el protocolo de crisis).",
    "follow": "Mantener informado al cliente",
    "no_follow": "Sin plan de seguimiento: el cliente solo sabe del equipo cuando un agente "
    "escribe.",
    "cadence": "Intentos",
    "anchor_opened": "contados desde la apertura (y desde cada respuesta pública posterior)",
    "anchor_last_agent_update": "contados desde cada respuesta pública del equipo",
    "anchor_promise": "contados desde cada compromiso de un agente",
    "anchor_solved": "contados desde la resolución, mientras siga resuelto",
    "business": "en horario laboral ({calendar})",
    "elapsed": "en tiempo corrido",
    "channels": "Canales, intento a intento: {channels} (el último se repite).",
    "max_attempts": "Como máximo {n} intentos.",
    "quiet": "Solo se contacta a los clientes de {start} a {end} de su hora local, {days}; un "
    "intento que cae fuera se {action}.",
    "quiet_defer": "pasa a la siguiente hora permitida",
    "quiet_skip": "omite (y cuenta como hecho)",
    "quiet_merge": "une al siguiente",
    "no_quiet": "Sin horas de descanso: se puede contactar al cliente a cualquier hora.",
    "pause": "La cuenta se detiene mientras el ticket está {categories}.",
    "stop_on": "Una serie termina con {events}, o cuando el ticket se resuelve o se cierra.",
    "terminal": "Tras {n} intentos sin respuesta: **{action}** (cuando tocaría el siguiente "
    "intento).",
    "remind": "Se recuerda a los agentes cada compromiso {before} antes de su vencimiento; un "
    "compromiso incumplido se señala de inmediato.",
    "every": "cada {d}",
    "after": "a las {ds}",
    "backoff": "a las {first}, y cada espera {factor}× la anterior",
    "cap": " (como máximo {cap})",
    "daily": "todos los días a las {time}, hora del cliente",
    "closing": "Cómo se cierra un ticket",
    "timed": "**{trigger}**: de {sources} a {dest} automáticamente {after} después de entrar.",
    "no_timed": "Sin cierre automático: un agente cierra cada ticket.",
    "lifecycle": "Estados y movimientos",
    "status": "Estado",
    "category": "Significado",
    "trigger": "Movimiento",
    "from": "Desde",
    "to": "Hacia",
    "notes": "Reglas",
    "reason": "requiere motivo",
    "reasons": "motivo: {reasons}",
    "roles": "solo {roles}",
    "auto": "automático tras {d}",
    "same": "(se mantiene)",
    "diagram_lifecycle": "Ciclo de vida",
    "diagram_chain": "Escalamiento: {name}",
    "messages": "Lo que leerá el cliente (y el equipo)",
    "messages_intro": "Cada mensaje tal como se enviaría para un ticket de ejemplo de prioridad "
    "{priority} abierto el {at}; las horas son respuestas reales de este protocolo.",
    "for_team": "para el equipo",
    "for_customer": "para el cliente",
    "channel": "canal",
    "any_channel": "cualquier canal",
    "no_messages": "Este protocolo no tiene plantillas de mensajes.",
    "start": "Inicio",
    "at_once": "de inmediato",
    "at_fraction": "al {pct} del plazo de {metric} ({per})",
    "after_breach": "{d} después de incumplir el plazo de {metric}",
    "at_breach": "al incumplir el plazo de {metric}",
    "delay": "{d} después",
    "delay_business": "{d} laborables después",
    "and": "y",
    "or": "o",
    "event_ticket_opened": "al abrirse un ticket",
    "event_escalated": "cuando alguien escala el ticket",
    "event_acknowledged": "una confirmación de recepción",
    "event_assigned": "una reasignación",
    "event_customer_replied": "una respuesta del cliente",
    "event_opted_out": "una baja del cliente",
    "event_agent_replied": "una respuesta de un agente",
    "sla_trigger": "cuando se consume el {pct} del plazo de {metric}",
    "entered": "al pasar a {categories}",
    "priority_raised": "cuando sube la prioridad",
    "tier": "nivel {name}",
    "role": "{name}",
    "group": "grupo {name}",
    "person": "{name}",
    "days": "todos los días",
    "weekdays": "de lunes a viernes",
    "on_days": "los {days}",
}
_CATEGORIES = {
    "en": {
        "new": "new (not yet worked)",
        "open": "being worked",
        "waiting_on_customer": "waiting on the customer",
        "waiting_on_third_party": "waiting on a third party",
        "solved": "solved",
        "closed": "closed",
        "cancelled": "cancelled",
    },
    "es": {
        "new": "nuevo (sin atender)",
        "open": "en curso",
        "waiting_on_customer": "en espera del cliente",
        "waiting_on_third_party": "en espera de un tercero",
        "solved": "resuelto",
        "closed": "cerrado",
        "cancelled": "cancelado",
    },
}
_WORDS = {"en": _EN, "es": _ES}
PLAYBOOK_LANGUAGES = tuple(sorted(_WORDS))
"""Languages the playbook itself is written in (others fall back to English)."""
_METRIC_ORDER = ("first_response", "next_response", "periodic_update", "resolution")

# --- the document, before it is written out --------------------------------------------------


@attrs.frozen
class _Heading:
    level: int
    text: str


@attrs.frozen
class _Para:
    text: str


@attrs.frozen
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class _Diagram:
    title: str
    mermaid: str
    svg: str


@attrs.frozen
class _Example:
    title: str
    message: Message


_Block = _Heading | _Para | _Table | _Diagram | _Example


class _Writer:
    """Turns protocol values into sentences in one language."""

    def __init__(self, language: str, locale: babel.Locale) -> None:
        self.language = language
        self.words = _WORDS[language]
        self.locale = locale

    def __call__(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def duration(self, d: _dt.timedelta, *, days: bool = False) -> str:
        return format_duration(d, self.locale, days=days)

    def pct(self, fraction: float) -> str:
        return f"{fraction * 100:g}%"

    def metric(self, name: str) -> str:
        return self.words.get(name, name.replace("_", " "))

    def category(self, category: StatusCategory) -> str:
        return _CATEGORIES[self.language][category.value]

    def join(self, items: Sequence[str], word: str = "or") -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self(word)} {items[-1]}"

    def calendar(self, calendar: BusinessCalendar | None) -> str:
        if calendar is None:
            return self("elapsed")
        hours = format_hours(calendar.hours)
        if hours == "mon-sun 00:00-00:00":
            return f"{self('always')} ({calendar.timezone})"
        return f"{hours} ({calendar.timezone})"

    def target(self, target: Target) -> str:
        return self(target.kind, name=target.name)

    def event(self, kind: str) -> str:
        return self.words.get(f"event_{kind}", kind.replace("_", " "))

    def categories(self, categories: Iterable[StatusCategory]) -> str:
        order = list(StatusCategory)
        return self.join([self.category(c) for c in sorted(categories, key=order.index)])


# --- sections ------------------------------------------------------------------------------------


def _priorities(protocol: ServiceProtocol) -> list[str]:
    seen: list[str] = []
    if protocol.sla is not None:
        for t in protocol.sla.targets:
            if t.priority not in seen:
                seen.append(t.priority)
    return seen or [ANY_PRIORITY]


def _target_for(protocol: ServiceProtocol, metric: str, priority: str) -> SlaTarget | None:
    if protocol.sla is None:
        return None
    found = None
    for t in protocol.sla.targets:
        if t.metric.name == metric and t.priority in (priority, ANY_PRIORITY):
            if t.priority == priority:
                return t
            found = t
    return found


def _metrics(protocol: ServiceProtocol) -> list[str]:
    if protocol.sla is None:
        return []
    names = list(dict.fromkeys(t.metric.name for t in protocol.sla.targets))
    return sorted(names, key=lambda m: (*_METRIC_ORDER, m).index(m))


def _priority_label(w: _Writer, priority: str) -> str:
    return w("other") if priority == ANY_PRIORITY else priority


def _promises(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    blocks: list[_Block] = [_Heading(2, w("promises"))]
    metrics = _metrics(protocol)
    if not metrics:
        return [*blocks, _Para(w("no_sla"))]
    blocks.append(_Para(w("promises_intro")))
    rows = []
    for priority in _priorities(protocol):
        for metric in metrics:
            t = _target_for(protocol, metric, priority)
            if t is None:
                continue
            rows.append(
                (
                    _priority_label(w, priority),
                    w.metric(metric),
                    w.duration(t.target),
                    w.calendar(t.calendar),
                    ", ".join(w.pct(f) for f in t.warn_at),
                )
            )
    blocks.append(
        _Table((w("priority"), w("metric"), w("target"), w("clock"), w("warn")), tuple(rows))
    )
    return blocks


def _glance(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    metrics = _metrics(protocol)
    if not metrics:
        return []
    rows = []
    for priority in _priorities(protocol):
        cells = [_priority_label(w, priority)]
        for metric in metrics:
            t = _target_for(protocol, metric, priority)
            cells.append("–" if t is None else w.duration(t.target))
        rows.append(tuple(cells))
    headers = (w("priority"), *(w.metric(m) for m in metrics))
    return [_Heading(2, w("glance")), _Table(headers, tuple(rows))]


def _wait(protocol: ServiceProtocol, w: _Writer, step: Step) -> str:
    wait = step.wait
    if isinstance(wait, Delay):
        if not wait.duration:
            return w("at_once")
        key = "delay" if wait.calendar is None else "delay_business"
        return w(key, d=w.duration(wait.duration))
    if isinstance(wait, AtSlaFraction):
        per = []
        for priority in _priorities(protocol):
            t = _target_for(protocol, wait.metric, priority)
            if t is not None:
                exact = _dt.timedelta(seconds=t.target.total_seconds() * wait.fraction)
                per.append(f"{_priority_label(w, priority)}: {w.duration(_minutes(exact))}")
        return w(
            "at_fraction",
            pct=w.pct(wait.fraction),
            metric=w.metric(wait.metric),
            per="; ".join(per),
        )
    if isinstance(wait, AfterBreach):
        if not wait.duration:
            return w("at_breach", metric=w.metric(wait.metric))
        return w("after_breach", d=w.duration(wait.duration), metric=w.metric(wait.metric))
    return str(wait)  # pragma: no cover - every Wait is handled above


def _minutes(d: _dt.timedelta) -> _dt.timedelta:
    """Rounded to the minute: a playbook says "2 hours and 24 minutes", not seconds."""
    return _dt.timedelta(minutes=math.floor(d.total_seconds() / 60 + 0.5))


def _trigger(w: _Writer, trigger: object) -> str:
    if isinstance(trigger, On):
        return w.event(trigger.kind)
    if isinstance(trigger, SlaTrigger):
        return w("sla_trigger", pct=w.pct(trigger.fraction), metric=w.metric(trigger.metric))
    if isinstance(trigger, EnteredCategory):
        return w("entered", categories=w.categories(trigger.categories))
    if isinstance(trigger, PriorityRaised):
        return w("priority_raised")
    return str(trigger)  # pragma: no cover


def _chain_blocks(protocol: ServiceProtocol, w: _Writer, chain: EscalationChain) -> list[_Block]:
    key = "chain_functional" if chain.kind is ChainKind.FUNCTIONAL else "chain_hierarchical"
    intro = w(
        key,
        name=chain.name,
        triggers=w.join([_trigger(w, t) for t in chain.triggers]),
        stops=w.join([_trigger(w, s) for s in chain.stops]),
    )
    rows = []
    for number, step in enumerate(chain.steps, start=1):
        who = w.join([w.target(t) for t in step.targets], "and")
        if step.channel:
            who += f" ({w('by', channel=step.channel)})"
        then = f"{w.target(step.reassign)} {w('takes')}" if step.reassign else ""
        rows.append((str(number), _wait(protocol, w, step), who, then))
    blocks: list[_Block] = [
        _Para(intro),
        _Table((w("step"), w("when"), w("who"), w("then")), tuple(rows)),
    ]
    if chain.repeat.times is None:
        blocks.append(_Para(w("repeat_forever", step=chain.repeat.from_step + 1)))
    elif chain.repeat.times:
        blocks.append(
            _Para(w("repeat_times", step=chain.repeat.from_step + 1, times=chain.repeat.times))
        )
    mermaid, svg = _chain_diagram(protocol, w, chain)
    blocks.append(_Diagram(w("diagram_chain", name=chain.name), mermaid, svg))
    return blocks


def _escalations(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    functional = [c for c in protocol.escalations if c.kind is ChainKind.FUNCTIONAL]
    hierarchical = [c for c in protocol.escalations if c.kind is ChainKind.HIERARCHICAL]
    blocks: list[_Block] = [_Heading(2, w("owners"))]
    if not functional:
        blocks.append(_Para(w("no_chains")))
    for chain in functional:
        blocks.extend(_chain_blocks(protocol, w, chain))
    blocks.append(_Heading(2, w("crisis")))
    if not hierarchical:
        blocks.append(_Para(w("no_crisis")))
    for chain in hierarchical:
        blocks.extend(_chain_blocks(protocol, w, chain))
    return blocks


def _cadence(w: _Writer, cadence: Cadence, business: bool) -> str:
    days = not business
    if isinstance(cadence, Interval):
        return w("every", d=w.duration(cadence.every, days=days))
    if isinstance(cadence, FixedOffsets):
        return w("after", ds=w.join([w.duration(o, days=days) for o in cadence.offsets], "and"))
    if isinstance(cadence, Backoff):
        text = w(
            "backoff", first=w.duration(cadence.first, days=days), factor=f"{cadence.factor:g}"
        )
        if cadence.cap is not None:
            text += w("cap", cap=w.duration(cadence.cap, days=days))
        return text
    if isinstance(cadence, Daily):
        return w("daily", time=cadence.at.strftime("%H:%M"))
    return str(cadence)  # pragma: no cover


def _schedule_blocks(w: _Writer, schedule: FollowUpSchedule) -> list[_Block]:
    clock = (
        w("elapsed")
        if schedule.clock is None
        else w("business", calendar=w.calendar(schedule.clock))
    )
    anchor = w(f"anchor_{schedule.anchor.value}")
    rows = tuple(
        (
            w("other") if priority == "*" else priority,
            _cadence(w, cadence, schedule.clock is not None),
        )
        for priority, cadence in schedule.cadence
    )
    sentences = [f"**{schedule.name}**: {anchor}, {clock}."]
    sentences.append(w("channels", channels=" → ".join(schedule.channels)))
    if schedule.max_attempts is not None:
        sentences.append(w("max_attempts", n=schedule.max_attempts))
    window = schedule.contact_window
    if window is None:
        sentences.append(w("no_quiet"))
    else:
        if window.weekdays == frozenset(range(7)):
            days = w("days")
        elif window.weekdays == frozenset(range(5)):
            days = w("weekdays")
        else:
            names = babel.dates.get_day_names("abbreviated", locale=w.locale)
            days = w("on_days", days=", ".join(str(names[d]) for d in sorted(window.weekdays)))
        action = {
            QuietAction.DEFER: "quiet_defer",
            QuietAction.SKIP: "quiet_skip",
            QuietAction.MERGE: "quiet_merge",
        }[schedule.quiet_action]
        sentences.append(
            w(
                "quiet",
                start=window.start.strftime("%H:%M"),
                end=window.end.strftime("%H:%M"),
                days=days,
                action=w(action),
            )
        )
    if schedule.pause_in:
        sentences.append(w("pause", categories=w.categories(schedule.pause_in)))
    if schedule.stop_on:
        sentences.append(
            w("stop_on", events=w.join([w.event(k) for k in sorted(schedule.stop_on)]))
        )
    if schedule.terminal is not None:
        sentences.append(
            w("terminal", n=schedule.terminal.after_attempts, action=schedule.terminal.action)
        )
    sentences.append(w("remind", before=w.duration(schedule.remind_before)))
    return [_Para(" ".join(sentences)), _Table((w("priority"), w("cadence")), rows)]


def _follow_ups(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    blocks: list[_Block] = [_Heading(2, w("follow"))]
    if not protocol.follow_ups:
        return [*blocks, _Para(w("no_follow"))]
    for schedule in protocol.follow_ups:
        blocks.extend(_schedule_blocks(w, schedule))
    return blocks


def _closing(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    lifecycle = protocol.lifecycle
    blocks: list[_Block] = [_Heading(2, w("closing"))]
    timed = [t for t in lifecycle.transitions if t.after is not None]
    for t in timed:
        assert t.after is not None
        blocks.append(
            _Para(
                w(
                    "timed",
                    trigger=t.trigger,
                    sources=w.join(list(t.sources)),
                    dest=t.dest,
                    after=w.duration(t.after, days=True),
                )
            )
        )
    if not timed:
        blocks.append(_Para(w("no_timed")))
    for schedule in protocol.follow_ups:
        if schedule.terminal is not None:
            blocks.append(
                _Para(
                    f"**{schedule.name}**: "
                    + w(
                        "terminal",
                        n=schedule.terminal.after_attempts,
                        action=schedule.terminal.action,
                    )
                )
            )
    return blocks


def _lifecycle(protocol: ServiceProtocol, w: _Writer) -> list[_Block]:
    lifecycle = protocol.lifecycle
    statuses = tuple((s.name, w.category(s.category)) for s in lifecycle.statuses)
    rows = []
    for t in lifecycle.transitions:
        notes = []
        if t.reason_required:
            notes.append(w("reason"))
        if t.reasons:
            notes.append(w("reasons", reasons=", ".join(t.reasons)))
        if t.roles:
            notes.append(w("roles", roles=", ".join(t.roles)))
        if t.after is not None:
            notes.append(w("auto", d=w.duration(t.after, days=True)))
        dest = w("same") if t.dest == SAME else t.dest
        rows.append((t.trigger, ", ".join(t.sources), dest, "; ".join(notes)))
    return [
        _Heading(2, w("lifecycle")),
        _Table((w("status"), w("category")), statuses),
        _Table((w("trigger"), w("from"), w("to"), w("notes")), tuple(rows)),
        _Diagram(
            w("diagram_lifecycle"), lifecycle.to_mermaid().strip(), _lifecycle_svg(lifecycle, w)
        ),
    ]


# --- example messages ------------------------------------------------------------------------

_KIND_OF = {
    "first_response": "follow_up",
    "handover": "notify",
}


def _example_messages(
    protocol: ServiceProtocol, w: _Writer, at: pendulum.DateTime, language: str
) -> list[_Block]:
    blocks: list[_Block] = [_Heading(2, w("messages"))]
    uses = template_uses(protocol)
    if not protocol.templates.templates or not uses:
        return [*blocks, _Para(w("no_messages"))]
    priority = next((p for p in _priorities(protocol) if p != ANY_PRIORITY), "P1")
    zone = protocol.templates.default_timezone
    opened = at.in_timezone(zone)
    ticket = protocol.open(
        ticket_id="T-1042",
        at=opened,
        priority=priority,
        customer_timezone=zone,
        attributes={"customer_name": "Ana"},
    )
    now = opened.add(hours=1)
    stamp = format_instant(opened, zone, w.locale)
    blocks.append(_Para(w("messages_intro", priority=priority, at=stamp)))
    owners = [s.reassign.name for c in protocol.escalations for s in c.steps if s.reassign]
    notified = [t.name for c in protocol.escalations for s in c.steps for t in s.targets]
    attempts = [s.max_attempts for s in protocol.follow_ups if s.max_attempts]
    terminal = [s.terminal.action for s in protocol.follow_ups if s.terminal]
    for name, channel in uses:
        kind = _KIND_OF.get(name, name)
        action = DueAction(kind, now, "example", channel or "", "example", template=name)
        context = attrs.evolve(
            message_context(protocol, action, ticket, now),
            channel=channel,
            attempt=1 if kind == "follow_up" else None,
            attempts_left=(attempts[0] - 1) if attempts and kind == "follow_up" else None,
            new_owner=owners[0] if owners and name == "handover" else None,
            notified=notified[0] if notified and kind == "notify" else None,
            promise="call back with the fix" if language == "en" else "llamar con la solución",
            promise_due=now.add(hours=2),
            terminal_action=terminal[0] if terminal else None,
        )
        message = protocol.templates.render(name, context, language, channel=channel)
        audience = w("for_team") if message.audience == "team" else w("for_customer")
        where = channel or w("any_channel")
        blocks.append(_Example(f"{name} · {where} · {audience}", message))
    return blocks


# --- diagrams ----------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# Diagram columns by what a status means, left to right as a ticket usually travels.
_COLUMNS = (
    {StatusCategory.NEW},
    {StatusCategory.OPEN},
    {StatusCategory.WAITING_ON_CUSTOMER, StatusCategory.WAITING_ON_THIRD_PARTY},
    {StatusCategory.SOLVED},
    {StatusCategory.CLOSED, StatusCategory.CANCELLED},
)


def _lifecycle_layers(lifecycle: Lifecycle) -> list[list[str]]:
    layers = [[s.name for s in lifecycle.statuses if s.category in c] for c in _COLUMNS]
    return [layer for layer in layers if layer]


_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _PAD, _TOP = 150, 44, 90, 40, 24, 90


def _lifecycle_svg(lifecycle: Lifecycle, w: _Writer) -> str:
    layers = _lifecycle_layers(lifecycle)
    pos: dict[str, tuple[int, int]] = {}
    for i, layer in enumerate(layers):
        for j, name in enumerate(layer):
            pos[name] = (_PAD + i * (_BOX_W + _GAP_X), _TOP + j * (_BOX_H + _GAP_Y))
    width = _PAD * 2 + len(layers) * (_BOX_W + _GAP_X)
    bottom = _TOP + max(len(layer) for layer in layers) * (_BOX_H + _GAP_Y) - _GAP_Y
    height = bottom + 90
    edges: dict[tuple[str, str], list[str]] = {}
    for t in lifecycle.transitions:
        if t.dest == SAME:
            continue
        for source in t.sources:
            label = (
                t.trigger if t.after is None else f"{t.trigger} ({w.duration(t.after, days=True)})"
            )
            edges.setdefault((source, t.dest), []).append(label)
    label = _esc(w("diagram_lifecycle"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}">',
    ]
    for k, ((source, dest), labels) in enumerate(edges.items()):
        (x1, y1), (x2, y2) = pos[source], pos[dest]
        sx: float
        sy: float
        ex: float
        ey: float
        cx: float
        cy: float
        if x2 - x1 > _BOX_W + _GAP_X:  # forward past a column: under the boxes
            sx, sy, ex, ey = x1 + _BOX_W / 2 + 12, y1 + _BOX_H, x2 + _BOX_W / 2 - 12, y2 + _BOX_H
            cx, cy = (sx + ex) / 2, bottom + 30 + 14 * (k % 3)
        elif x2 > x1:  # to the next column: right side to left side
            fan = 6 * (y2 - y1) / (_BOX_H + _GAP_Y)
            sx, sy, ex, ey = x1 + _BOX_W, y1 + _BOX_H / 2 + fan, x2, y2 + _BOX_H / 2 - fan
            cx, cy = (sx + ex) / 2, (sy + ey) / 2 - 10
        elif x2 == x1:  # same column: bow out to the right
            down = 1 if y2 > y1 else -1
            sx, sy = x1 + _BOX_W, y1 + _BOX_H / 2 + 8 * down
            ex, ey = x2 + _BOX_W, y2 + _BOX_H / 2 - 8 * down
            cx, cy = x1 + _BOX_W + 36 + 6 * (k % 3), (sy + ey) / 2
        else:  # backward: over the top
            sx, sy, ex, ey = x1 + _BOX_W / 2 - 12, y1, x2 + _BOX_W / 2 + 12, y2
            cx, cy = (sx + ex) / 2, min(y1, y2) - 40 - 14 * (k % 3)
        parts.append(
            f'<path d="M{sx:.0f},{sy:.0f} Q{cx:.0f},{cy:.0f} {ex:.0f},{ey:.0f}" fill="none" '
            'stroke="#777" stroke-width="1.3" marker-end="url(#arrow)"/>'
        )
        parts.append(
            f'<text x="{(sx + 2 * cx + ex) / 4:.0f}" y="{(sy + 2 * cy + ey) / 4 - 3:.0f}" '
            f'class="edge">{_esc(", ".join(labels))}</text>'
        )
    for s in lifecycle.statuses:
        x, y = pos[s.name]
        initial = " initial" if s.name == lifecycle.initial else ""
        parts.append(
            f'<g class="status {s.category.value}{initial}"><rect x="{x}" y="{y}" '
            f'width="{_BOX_W}" height="{_BOX_H}" rx="8"/>'
            f'<text x="{x + _BOX_W / 2:.0f}" y="{y + 18}" class="name">{_esc(s.name)}</text>'
            f'<text x="{x + _BOX_W / 2:.0f}" y="{y + 34}" class="cat">'
            f"{_esc(w.category(s.category))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _chain_diagram(
    protocol: ServiceProtocol, w: _Writer, chain: EscalationChain
) -> tuple[str, str]:
    labels = [f"{w('start')}: {w.join([_trigger(w, t) for t in chain.triggers])}"]
    for step in chain.steps:
        who = w.join([w.target(t) for t in step.targets], "and")
        if step.reassign is not None and step.reassign not in step.targets:
            who += f" → {w.target(step.reassign)}"
        labels.append(f"{_wait(protocol, w, step)}: {who}")
    lines = ["flowchart LR"]
    for i, label in enumerate(labels):
        safe = label.replace('"', "'")
        lines.append(f'    n{i}["{safe}"]')
    for i in range(1, len(labels)):
        lines.append(f"    n{i - 1} --> n{i}")
    if chain.repeat.times != 0:
        lines.append(f"    n{len(labels) - 1} -.-> n{chain.repeat.from_step + 1}")
    box_w, box_h, gap = 210, 96, 40
    width = _PAD * 2 + len(labels) * (box_w + gap) - gap
    height = box_h + _PAD * 2 + (30 if chain.repeat.times != 0 else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_esc(chain.name)}">',
    ]
    for i, label in enumerate(labels):
        x = _PAD + i * (box_w + gap)
        cls = "start" if i == 0 else "step"
        parts.append(
            f'<g class="{cls}"><rect x="{x}" y="{_PAD}" width="{box_w}" height="{box_h}" rx="8"/>'
        )
        for k, line in enumerate(_wrap(label, 30)[:5]):
            parts.append(f'<text x="{x + 10}" y="{_PAD + 20 + k * 16}">{_esc(line)}</text>')
        parts.append("</g>")
        if i:
            ax = x - gap
            parts.append(
                f'<path d="M{ax + 2},{_PAD + box_h / 2:.0f} L{x - 2},{_PAD + box_h / 2:.0f}" '
                'stroke="#777" stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
    if chain.repeat.times != 0:
        x1 = _PAD + len(labels) * (box_w + gap) - gap - box_w / 2
        x0 = _PAD + (chain.repeat.from_step + 1) * (box_w + gap) + box_w / 2
        y = _PAD + box_h
        parts.append(
            f'<path d="M{x1:.0f},{y} Q{(x0 + x1) / 2:.0f},{y + 50} {x0:.0f},{y}" fill="none" '
            'stroke="#777" stroke-dasharray="4 3" marker-end="url(#arrow)"/>'
        )
    parts.append("</svg>")
    return "\n".join(lines), "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


# --- writing it out ------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(title: str, blocks: Sequence[_Block]) -> str:
    out = [f"# {title}", ""]
    for block in blocks:
        if isinstance(block, _Heading):
            out += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, _Para):
            out += [block.text, ""]
        elif isinstance(block, _Table):
            out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            out.append("|" + "---|" * len(block.headers))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, _Diagram):
            out += [f"**{block.title}**", "", "```mermaid", block.mermaid, "```", ""]
        else:
            m = block.message
            out += [f"**{block.title}**", ""]
            if m.subject:
                out += [f"> **{m.subject}**", ">"]
            out += [f"> {line}".rstrip() for line in m.body.rstrip("\n").split("\n")]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _inline(text: str) -> str:
    """Escape, then turn the playbook's own ``**bold**`` into <strong>."""
    escaped = _esc(text)
    pieces = escaped.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(pieces))


_CSS = """
:root { --ink: #1d2430; --muted: #5b6472; --line: #d9dee6; --accent: #1f6feb; --bg: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 28px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); }
p.lead { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; margin: 10px 0 18px; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
figure { margin: 12px 0 24px; overflow-x: auto; background: var(--bg); border-radius: 10px;
  padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
details { margin-top: 6px; color: var(--muted); }
pre { white-space: pre-wrap; font-size: 12px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); text-anchor: start; }
svg text.name { font-weight: 600; text-anchor: middle; }
svg text.cat { fill: var(--muted); font-size: 11px; text-anchor: middle; }
svg text.edge { fill: var(--muted); font-size: 10.5px; text-anchor: middle; }
svg rect { fill: #fff; stroke: #8a94a6; stroke-width: 1.2; }
svg .initial rect { stroke: var(--accent); stroke-width: 2.2; }
svg .solved rect, svg .closed rect { fill: #eaf6ec; }
svg .cancelled rect { fill: #f6eaea; }
svg .waiting_on_customer rect, svg .waiting_on_third_party rect { fill: #fff7e0; }
svg .start rect { fill: #eef4ff; }
.messages { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
  gap: 16px; }
.message { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px;
  background: #fff; }
.message h3 { font-size: 12px; color: var(--muted); margin: 0 0 8px; font-weight: 600;
  text-transform: uppercase; letter-spacing: .03em; }
.message .subject { font-weight: 600; margin-bottom: 6px; }
.message .body { white-space: pre-wrap; margin: 0; font: inherit; }
.message.team { background: var(--bg); }
@media print { main { padding: 0; } figure { break-inside: avoid; } }
"""


def _html(title: str, language: str, blocks: Sequence[_Block]) -> str:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _MARKER,
        "<main>",
        f"<h1>{_esc(title)}</h1>",
    ]
    in_messages = False
    for block in blocks:
        if in_messages and not isinstance(block, _Example):
            out.append("</div>")
            in_messages = False
        if isinstance(block, _Heading):
            out.append(f"<h{block.level}>{_esc(block.text)}</h{block.level}>")
        elif isinstance(block, _Para):
            out.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, _Table):
            out.append("<table><thead><tr>")
            out += [f"<th>{_esc(h)}</th>" for h in block.headers]
            out.append("</tr></thead><tbody>")
            for row in block.rows:
                out.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        elif isinstance(block, _Diagram):
            out.append(f"<figure><figcaption>{_esc(block.title)}</figcaption>{block.svg}")
            out.append(
                f"<details><summary>Mermaid</summary><pre>{_esc(block.mermaid)}</pre></details>"
            )
            out.append("</figure>")
        else:
            if not in_messages:
                out.append('<div class="messages">')
                in_messages = True
            m = block.message
            out.append(f'<section class="message {m.audience}"><h3>{_esc(block.title)}</h3>')
            if m.subject:
                out.append(f'<div class="subject">{_esc(m.subject)}</div>')
            out.append(f'<pre class="body">{_esc(m.body.rstrip())}</pre></section>')
    if in_messages:
        out.append("</div>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


# The arrowhead every diagram of the page points with (defined once: ids are page-wide).
_MARKER = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
    "</marker></defs></svg>"
)


def _protocol_blocks(
    protocol: ServiceProtocol, w: _Writer, at: pendulum.DateTime, language: str
) -> list[_Block]:
    blocks: list[_Block] = []
    blocks += _promises(protocol, w)
    blocks += _escalations(protocol, w)
    blocks += _follow_ups(protocol, w)
    blocks += _closing(protocol, w)
    blocks += _lifecycle(protocol, w)
    blocks += _example_messages(protocol, w, at, language)
    return blocks


def _demoted(block: _Block) -> _Block:
    return _Heading(block.level + 1, block.text) if isinstance(block, _Heading) else block


def _types_glance(types: RequestTypes, w: _Writer) -> list[_Block]:
    metrics = list(dict.fromkeys(m for t in types.types for m in _metrics(t.protocol)))
    rows = []
    for kind in types.types:
        for priority in _priorities(kind.protocol):
            cells = [kind.name, _priority_label(w, priority)]
            for metric in metrics:
                t = _target_for(kind.protocol, metric, priority)
                cells.append("–" if t is None else w.duration(t.target))
            rows.append(tuple(cells))
    headers = (w("request_type"), w("priority"), *(w.metric(m) for m in metrics))
    return [_Heading(2, w("glance")), _Table(headers, tuple(rows))]


def playbook(
    subject: ServiceProtocol | RequestTypes,
    *,
    format: PlaybookFormat = "md",
    language: str = "en",
    example_at: _dt.datetime | None = None,
) -> str:
    """A protocol (or a team's request types, each with its protocol) as a document the team
    reads, in Markdown or one self-contained HTML page.

    Sections: the targets per priority at a glance; each promise with its clock;
    who owns the ticket at each tier and when it moves up; management and crisis
    rules; the follow-up cadence, channels and quiet hours; how a ticket closes;
    the statuses and moves, with the lifecycle and escalation diagrams (Mermaid in
    Markdown, inline SVG in HTML, so the page needs nothing from the network);
    and every message the protocol can send, rendered for an example ticket opened
    at ``example_at`` (default Tuesday 2026-03-03 10:00 in the templates' zone).

    ``language`` is ``"en"`` or ``"es"`` (others fall back along the chain to
    English); messages are shown in that language, through the templates'
    own fallback chain.

    Raises:
        InvalidLocaleError: ``language`` is not a language tag.
        PlaybookError: ``format`` is not ``"md"`` or ``"html"``.
        NaiveDatetimeError: ``example_at`` has no time zone.

    Examples:
        >>> from servicekit import BusinessCalendar
        >>> from servicekit.protocols import reactive_protocol
        >>> desk = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
        >>> playbook(reactive_protocol(desk), language="es").splitlines()[0]
        '# Protocolo de servicio: reactive'
    """
    if format not in ("md", "html"):
        raise PlaybookError(f"format must be 'md' or 'html', got {format!r}")
    chain = locale_chain(language)
    own = next((tag.split("-")[0] for tag in chain if tag.split("-")[0] in _WORDS), "en")
    w = _Writer(own, babel_locale([t for t in chain if t.split("-")[0] == own] + [own]))
    first = subject.types[0].protocol if isinstance(subject, RequestTypes) else subject
    zone = first.templates.default_timezone
    at = (
        as_instant(example_at, name="example_at")
        if example_at is not None
        else pendulum.datetime(2026, 3, 3, 10, tz=zone)
    )
    blocks: list[_Block] = []
    if isinstance(subject, ServiceProtocol) and subject.description:
        blocks.append(_Para(subject.description))
    blocks.append(_Para(w("generated")))
    if isinstance(subject, RequestTypes):
        title = w("title_types")
        intro = w("types_intro", attribute=subject.attribute)
        if subject.default is not None:
            intro += w("types_default", default=subject.default)
        blocks += [_Para(intro), *_types_glance(subject, w)]
        for kind in subject.types:
            blocks.append(_Heading(2, f"{w('request_type')}: {kind.name}"))
            blocks += [_Para(d) for d in (kind.description, kind.protocol.description) if d]
            blocks += [_demoted(b) for b in _protocol_blocks(kind.protocol, w, at, language)]
    else:
        title = w("title", name=subject.name)
        blocks += _glance(subject, w)
        blocks += _protocol_blocks(subject, w, at, language)
    return _markdown(title, blocks) if format == "md" else _html(title, own, blocks)
