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
from servicekit.protocols._corrective import (
    REVIEW,
    CorrectivePolicy,
    CorrectiveState,
    CorrectiveStatus,
    business_days_deadline,
)
from servicekit.protocols._incidents import (
    Broadcast,
    Delivery,
    IncidentProtocol,
    IncidentReport,
    ProactiveFigures,
    UpdatePromise,
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
from servicekit.protocols._ready_incidents import (
    CUSTOMER_FIRST_RESPONSE,
    HELD_RESOLUTION,
    crisis_incident_protocol,
    proactive_incident_protocol,
)
from servicekit.protocols._scheduler import TicketAction, WakeupScheduler

__all__ = [
    "CUSTOMER_FIRST_RESPONSE",
    "HELD_RESOLUTION",
    "METRIC_STATES",
    "REVIEW",
    "Broadcast",
    "ComplianceReport",
    "ComplianceRow",
    "ComplianceTally",
    "CorrectivePolicy",
    "CorrectiveState",
    "CorrectiveStatus",
    "Delivery",
    "DueAction",
    "Incident",
    "IncidentProtocol",
    "IncidentReport",
    "LinkPolicy",
    "MetricAttainment",
    "ProactiveFigures",
    "Propagated",
    "PropagationRule",
    "ProtocolReport",
    "ServiceProtocol",
    "TicketAction",
    "UpdatePromise",
    "WakeupScheduler",
    "WorstTicket",
    "business_days_deadline",
    "compliance_rows",
    "crisis_incident_protocol",
    "crisis_protocol",
    "daily_requests_protocol",
    "evaluate_rows",
    "link_intervals",
    "proactive_incident_protocol",
    "proactive_protocol",
    "propagation_actor",
    "reactive_protocol",
    "unmeasurable_metrics",
]
