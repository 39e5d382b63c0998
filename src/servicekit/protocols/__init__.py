"""Service protocols: lifecycle, SLA policy, escalation chains and follow-up schedules as one.

``protocol.evaluate(ticket, now)`` answers the three questions an app asks
(where does the ticket stand, what is due now, when must I ask again) in one
:class:`ProtocolReport`. Ready-made protocols cover reactive service,
proactive service, everyday requests and a reputational crisis, in Python and
as protocol files (TOML) that teams copy, edit, check and keep in their
repository: :func:`load_protocol` reads one, ``protocol.to_toml()`` writes one,
:func:`check_protocol` finds what is legal in one but wrong. Each comes with
Spanish and English messages for its due actions (:func:`render_message`).
:class:`WakeupScheduler` holds a live app's open tickets and hands out each due
action once, looking at a ticket only when something of it can fall due.
"""

from __future__ import annotations

from servicekit.protocols._check import FINDING_CODES, Finding, check_protocol
from servicekit.protocols._compare import (
    ComparisonRow,
    OutcomeChange,
    ProtocolComparison,
    compare_protocols,
)
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
from servicekit.protocols._files import (
    READY_MADE,
    FileProblem,
    load_protocol,
    loads_protocol,
    protocol_schema,
    ready_made_path,
    ready_made_text,
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
from servicekit.protocols._playbook import PLAYBOOK_LANGUAGES, playbook
from servicekit.protocols._protocol import (
    CustomActions,
    DueAction,
    ProtocolReport,
    ServiceProtocol,
)
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
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.protocols._render import (
    message_context,
    missing_templates,
    render_message,
    render_messages,
    template_uses,
)
from servicekit.protocols._request_types import (
    RequestType,
    RequestTypes,
    pqrs_request_types,
)
from servicekit.protocols._scheduler import TicketAction, WakeupScheduler
from servicekit.protocols._serialise import (
    REPORT_FORMAT,
    report_json_schema,
    report_to_dict,
    report_to_json,
)
from servicekit.protocols._surveys import survey_actions
from servicekit.protocols._templates import (
    Message,
    MessageContext,
    MessageTemplate,
    TemplateSet,
)

__all__ = [
    "CUSTOMER_FIRST_RESPONSE",
    "FINDING_CODES",
    "HELD_RESOLUTION",
    "METRIC_STATES",
    "PLAYBOOK_LANGUAGES",
    "READY_MADE",
    "REPORT_FORMAT",
    "REVIEW",
    "Broadcast",
    "ComparisonRow",
    "ComplianceReport",
    "ComplianceRow",
    "ComplianceTally",
    "CorrectivePolicy",
    "CorrectiveState",
    "CorrectiveStatus",
    "CustomActions",
    "Delivery",
    "DueAction",
    "FileProblem",
    "Finding",
    "Incident",
    "IncidentProtocol",
    "IncidentReport",
    "LinkPolicy",
    "Message",
    "MessageContext",
    "MessageTemplate",
    "MetricAttainment",
    "OutcomeChange",
    "ProactiveFigures",
    "Propagated",
    "PropagationRule",
    "ProtocolComparison",
    "ProtocolReport",
    "RequestType",
    "RequestTypes",
    "ServiceProtocol",
    "TemplateSet",
    "TicketAction",
    "UpdatePromise",
    "WakeupScheduler",
    "WorstTicket",
    "business_days_deadline",
    "check_protocol",
    "compare_protocols",
    "compliance_rows",
    "crisis_incident_protocol",
    "crisis_protocol",
    "daily_requests_protocol",
    "evaluate_rows",
    "link_intervals",
    "load_protocol",
    "loads_protocol",
    "message_context",
    "missing_templates",
    "playbook",
    "pqrs_request_types",
    "proactive_incident_protocol",
    "proactive_protocol",
    "propagation_actor",
    "protocol_schema",
    "reactive_protocol",
    "ready_made_path",
    "ready_made_templates",
    "ready_made_text",
    "render_message",
    "render_messages",
    "report_json_schema",
    "report_to_dict",
    "report_to_json",
    "survey_actions",
    "template_uses",
    "unmeasurable_metrics",
]
