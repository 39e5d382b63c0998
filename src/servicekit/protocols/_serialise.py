"""Protocol reports as plain data: JSON an app can store, send or show, with a JSON Schema.

Instants are written by :func:`servicekit.format_instant` (ISO 8601 with the offset and the
IANA zone in brackets) and read back by :func:`servicekit.parse_instant`; durations are
seconds.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from importlib import resources
from typing import Any

from servicekit._lifecycle import DueTransition
from servicekit._time import format_instant
from servicekit.escalation import EscalationReport, Notification, Position, Target
from servicekit.followup import FollowUp, FollowUpReport, PromiseStatus, TerminalDue
from servicekit.protocols._protocol import DueAction, ProtocolReport
from servicekit.sla import SlaReport, SlaStatus

__all__ = ["REPORT_FORMAT", "report_json_schema", "report_to_dict", "report_to_json"]

REPORT_FORMAT = "servicekit.protocol-report/1"
"""The ``"format"`` every serialised report carries; the number changes with the schema."""


def _instant(value: _dt.datetime | None) -> str | None:
    return None if value is None else format_instant(value)


def _seconds(value: _dt.timedelta) -> float:
    return value.total_seconds()


def _action(a: DueAction) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "at": format_instant(a.at),
        "source": a.source,
        "detail": a.detail,
        "key": a.key,
    }


def _target(t: Target | None) -> dict[str, str] | None:
    return None if t is None else {"kind": t.kind, "name": t.name}


def _status(s: SlaStatus) -> dict[str, Any]:
    return {
        "metric": s.metric,
        "cycle": s.cycle,
        "priority": s.priority,
        "state": s.state.value,
        "target_seconds": _seconds(s.target),
        "started_at": format_instant(s.started_at),
        "ended_at": _instant(s.ended_at),
        "elapsed_seconds": _seconds(s.elapsed),
        "remaining_seconds": _seconds(s.remaining),
        "due_at": _instant(s.due_at),
        "breached_at": _instant(s.breached_at),
        "percent_used": s.percent_used,
        "warnings": [{"fraction": w.fraction, "at": format_instant(w.at)} for w in s.warnings],
        "next_change_at": _instant(s.next_change_at),
    }


def _sla(r: SlaReport | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "statuses": [_status(s) for s in r.statuses],
        "next_change_at": _instant(r.next_change_at),
    }


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "at": format_instant(n.at),
        "run": n.run,
        "loop": n.loop,
        "step": n.step,
        "target": _target(n.target),
        "key": n.key,
        "importance": n.importance,
        "channel": n.channel,
        "reassign": _target(n.reassign),
        "chain_version": n.chain_version,
    }


def _position(p: Position | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"run": p.run, "loop": p.loop, "step": p.step, "due_at": _instant(p.due_at)}


def _escalation(r: EscalationReport) -> dict[str, Any]:
    return {
        "chain": r.chain,
        "notifications": [_notification(n) for n in r.notifications],
        "position": _position(r.position),
        "next_at": _instant(r.next_at),
        "next_notification_at": _instant(r.next_notification_at),
    }


def _follow_up(f: FollowUp) -> dict[str, Any]:
    return {
        "at": format_instant(f.at),
        "attempt": f.attempt,
        "channel": f.channel,
        "run": f.run,
        "key": f.key,
        "anchor": format_instant(f.anchor),
    }


def _terminal(t: TerminalDue | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"action": t.action, "at": format_instant(t.at), "run": t.run, "key": t.key}


def _promise(p: PromiseStatus) -> dict[str, Any]:
    return {
        "made_at": format_instant(p.made_at),
        "due": format_instant(p.due),
        "description": p.description,
        "channel": p.channel,
        "state": p.state.value,
        "remind_at": format_instant(p.remind_at),
        "reminder_due": p.reminder_due,
        "kept_at": _instant(p.kept_at),
    }


def _schedule(r: FollowUpReport) -> dict[str, Any]:
    return {
        "schedule": r.schedule,
        "due": [_follow_up(f) for f in r.due],
        "terminal": _terminal(r.terminal),
        "promises": [_promise(p) for p in r.promises],
        "next_at": _instant(r.next_at),
    }


def _transition(t: DueTransition) -> dict[str, Any]:
    return {"trigger": t.trigger, "dest": t.dest, "at": format_instant(t.at), "due": t.due}


def report_to_dict(report: ProtocolReport) -> dict[str, Any]:
    """Plain, JSON-ready data for ``report``, as described by :func:`report_json_schema`.

    Instants are text as :func:`servicekit.format_instant` writes them (read them back with
    :func:`servicekit.parse_instant`); durations are seconds.
    """
    return {
        "format": REPORT_FORMAT,
        "ticket_id": report.ticket_id,
        "now": format_instant(report.now),
        "status": report.status,
        "next_wakeup": _instant(report.next_wakeup),
        "next_action_at": _instant(report.next_action_at),
        "actions": [_action(a) for a in report.actions],
        "sla": _sla(report.sla),
        "escalations": [_escalation(r) for r in report.escalations],
        "follow_ups": [_schedule(r) for r in report.follow_ups],
        "transitions": [_transition(t) for t in report.transitions],
    }


def report_to_json(report: ProtocolReport, *, indent: int | None = None) -> str:
    """:func:`report_to_dict` as JSON text."""
    return json.dumps(report_to_dict(report), indent=indent, ensure_ascii=False)


@functools.cache
def _schema_text() -> str:
    return (resources.files("servicekit.protocols") / "protocol-report.schema.json").read_text(
        encoding="utf-8"
    )


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`report_to_dict`'s output (a fresh copy).

    It ships with the package as ``servicekit/protocols/protocol-report.schema.json``.
    """
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
