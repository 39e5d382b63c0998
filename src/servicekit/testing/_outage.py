"""A simulated outage: one parent incident, many customers, a scheduler that acts on the
reports. Used to test incident protocols end to end (and by the incident benchmark)."""

from __future__ import annotations

import datetime as _dt
import random
from collections import Counter

import attrs
import pendulum

from servicekit._events import CorrectiveActionAssigned, CustomerReplied, UpdateDelivered
from servicekit._lifecycles import incident_lifecycle
from servicekit._ticket import Ticket
from servicekit._time import as_instant, duration_micros, from_micros, get_timezone, to_micros
from servicekit.protocols import Incident, IncidentProtocol, IncidentReport

__all__ = ["OUTAGE_ZONES", "OutageRun", "OutageScenario", "run_outage"]

_MINUTE = _dt.timedelta(minutes=1)
_HOUR_US = 3_600_000_000

OUTAGE_ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/Madrid",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Tokyo",
)
"""Six zones around the world, so some customers are always asleep."""


@attrs.frozen(kw_only=True)
class OutageScenario:
    """What happens in the simulated outage.

    Attributes:
        start: when monitoring detects the failure and the parent is opened.
        customers: how many customers are affected.
        reports_over: customers report it (or are contacted) over this stretch.
        zones: their time zones, in turn.
        channels: the channels they come in on, in turn.
        solved_after: when the parent is resolved, after ``start``.
        update_every: how often the parent posts an update until then.
        proactive_share: the share of customers the team opens a ticket for first
            (``detected_by="monitoring"``) and who write in later.
        corrective: (action id, owner, business days) assigned an hour after the solve.
        seed: for the reporting instants.
    """

    start: pendulum.DateTime = attrs.field(converter=as_instant)
    customers: int = 500
    reports_over: _dt.timedelta = 40 * _MINUTE
    zones: tuple[str, ...] = OUTAGE_ZONES
    channels: tuple[str, ...] = ("email", "chat", "voice")
    solved_after: _dt.timedelta = _dt.timedelta(hours=3)
    update_every: _dt.timedelta = 30 * _MINUTE
    proactive_share: float = 0.0
    corrective: tuple[tuple[str, str, int], ...] = (
        ("add-failover", "platform-team", 3),
        ("alert-on-queue-depth", "sre-team", 10),
    )
    seed: int = 7


@attrs.frozen
class OutageRun:
    """The incident as the scheduler left it, with every report it acted on and what it
    sent: ``sent`` counts deliveries per (customer, update)."""

    incident: Incident
    reports: tuple[IncidentReport, ...]
    sent: Counter[tuple[str, str]]
    evaluations: int


@attrs.frozen
class _Step:
    at: int
    order: int
    what: str
    index: int = 0
    name: str = ""
    owner: str = ""
    days: int = 0
    proactive: bool = False


def _script(scenario: OutageScenario) -> list[_Step]:
    """The scripted events of the outage, in order."""
    rng = random.Random(scenario.seed)
    start = to_micros(scenario.start)
    span = duration_micros(scenario.reports_over)
    offsets = sorted(rng.randrange(span) for _ in range(scenario.customers))
    proactive = round(scenario.proactive_share * scenario.customers)
    steps = [
        _Step(start + offset, 1, "customer", index=i, proactive=i < proactive)
        for i, offset in enumerate(offsets)
    ]
    every = duration_micros(scenario.update_every)
    solved = start + duration_micros(scenario.solved_after)
    at, n = start + every // 3, 1
    while at < solved:
        steps.append(_Step(at, 0, "update", name=f"u{n}"))
        at, n = at + every, n + 1
    steps.append(_Step(solved, 0, "resolve"))
    for action_id, owner, days in scenario.corrective:
        steps.append(
            _Step(solved + _HOUR_US, 0, "corrective", name=action_id, owner=owner, days=days)
        )
    steps.sort(key=lambda step: (step.at, step.order))
    return steps


def run_outage(
    protocol: IncidentProtocol,
    scenario: OutageScenario,
    until: _dt.datetime,
    *,
    tick: _dt.timedelta = _MINUTE,
) -> OutageRun:
    """Play the outage under ``protocol`` until ``until``.

    Tickets arrive, updates are posted and the parent is resolved at their own instants;
    a scheduler that runs on ``tick`` boundaries (a worker every minute) wakes at the tick
    after each of them and after each report's ``next_wakeup``, sends every delivery due
    and records it on the customer's ticket at the instant it sends.
    """
    utc = get_timezone("UTC")
    parent = Ticket.open(
        incident_lifecycle(),
        ticket_id="INC-1",
        at=scenario.start,
        priority="P1",
        detected_by="monitoring",
    )
    parent.fire("start", at=scenario.start)
    incident = protocol.incident(parent)
    script = _script(scenario)
    step_us = duration_micros(tick, name="tick")
    end = to_micros(until, name="until")
    sent: Counter[tuple[str, str]] = Counter()
    reports: list[IncidentReport] = []
    writes: dict[str, int] = {}  # proactive customers who write in later, and when
    index = 0
    wakeup: int | None = None
    while True:
        upcoming = [t for t in (wakeup, *writes.values()) if t is not None]
        if index < len(script):
            upcoming.append(script[index].at)
        if not upcoming or min(upcoming) > end:
            break
        now_us = -(-min(upcoming) // step_us) * step_us  # the tick at or after it
        while index < len(script) and script[index].at <= now_us:
            _play(scenario, incident, script[index], writes)
            index += 1
        for child_id, wrote_at in sorted(writes.items(), key=lambda kv: kv[1]):
            if wrote_at <= now_us:
                incident.children[child_id].record(CustomerReplied(at=from_micros(wrote_at, utc)))
                del writes[child_id]
        now = from_micros(now_us, utc)
        report = protocol.evaluate(incident.parent, incident.children.values(), now)
        reports.append(report)
        for delivery in report.deliveries:
            sent[(delivery.child_id, delivery.update_id)] += 1
            incident.children[delivery.child_id].record(
                UpdateDelivered(
                    at=now,
                    parent_id=incident.id,
                    update_id=delivery.update_id,
                    channel=delivery.channel,
                )
            )
        wakeup = to_micros(report.next_wakeup) if report.next_wakeup is not None else None
    return OutageRun(incident, tuple(reports), sent, len(reports))


def _play(
    scenario: OutageScenario, incident: Incident, step: _Step, writes: dict[str, int]
) -> None:
    now = from_micros(step.at, get_timezone("UTC"))
    if step.what == "customer":
        i = step.index
        child = Ticket.open(
            incident.parent.lifecycle,
            ticket_id=f"C-{i:05d}",
            at=now,
            priority="P3",
            channel=scenario.channels[i % len(scenario.channels)],
            customer_timezone=scenario.zones[i % len(scenario.zones)],
            detected_by="monitoring" if step.proactive else "customer",
        )
        incident.link(child, at=now)
        if step.proactive:
            # the team reached out first; the customer writes in twenty minutes later
            writes[child.id] = step.at + 20 * 60_000_000
    elif step.what == "update":
        incident.post_update(step.name, at=now, text=f"Update {step.name}: we are on it.")
    elif step.what == "resolve":
        incident.fire("resolve", at=now, actor="incident-manager")
    else:
        incident.parent.record(
            CorrectiveActionAssigned(
                at=now,
                action_id=step.name,
                description=step.name,
                owner=step.owner,
                business_days=step.days,
            )
        )
