"""Service protocols: lifecycle, SLA policy, escalation chains and follow-up schedules as one.

``protocol.evaluate(ticket, now)`` answers the three questions an app asks
(where does the ticket stand, what is due now, when must I ask again) in one
:class:`ProtocolReport`. Ready-made protocols cover reactive service,
proactive service, everyday requests and a reputational crisis.
:class:`WakeupScheduler` holds a live app's open tickets and hands out each due
action once, looking at a ticket only when something of it can fall due.
"""

from __future__ import annotations

from servicekit.protocols._compliance import (
    METRIC_STATES,
    ComplianceReport,
    ComplianceRow,
    ComplianceTally,
    MetricAttainment,
    WorstTicket,
    compliance_rows,
    evaluate_rows,
    unmeasurable_metrics,
)
from servicekit.protocols._links import (
    Incident,
    LinkPolicy,
    Propagated,
    PropagationRule,
    link_intervals,
    propagation_actor,
)
from servicekit.protocols._protocol import DueAction, ProtocolReport, ServiceProtocol
from servicekit.protocols._ready import (
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.protocols._scheduler import TicketAction, WakeupScheduler

__all__ = [
    "METRIC_STATES",
    "ComplianceReport",
    "ComplianceRow",
    "ComplianceTally",
    "DueAction",
    "Incident",
    "LinkPolicy",
    "MetricAttainment",
    "Propagated",
    "PropagationRule",
    "ProtocolReport",
    "ServiceProtocol",
    "TicketAction",
    "WakeupScheduler",
    "WorstTicket",
    "compliance_rows",
    "crisis_protocol",
    "daily_requests_protocol",
    "evaluate_rows",
    "link_intervals",
    "proactive_protocol",
    "propagation_actor",
    "reactive_protocol",
    "unmeasurable_metrics",
]
