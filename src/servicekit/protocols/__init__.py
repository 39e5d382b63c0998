"""Service protocols: lifecycle, SLA policy, escalation chains and follow-up schedules as one.

``protocol.evaluate(ticket, now)`` answers the three questions an app asks
(where does the ticket stand, what is due now, when must I ask again) in one
:class:`ProtocolReport`. Ready-made protocols cover reactive service,
proactive service, everyday requests and a reputational crisis, each with
Spanish and English messages for its due actions (:func:`render_message`).
"""

from __future__ import annotations

from servicekit.protocols._protocol import DueAction, ProtocolReport, ServiceProtocol
from servicekit.protocols._ready import (
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.protocols._render import (
    message_context,
    missing_templates,
    render_message,
    render_messages,
    template_uses,
)
from servicekit.protocols._templates import (
    Message,
    MessageContext,
    MessageTemplate,
    TemplateSet,
)

__all__ = [
    "DueAction",
    "Message",
    "MessageContext",
    "MessageTemplate",
    "ProtocolReport",
    "ServiceProtocol",
    "TemplateSet",
    "crisis_protocol",
    "daily_requests_protocol",
    "message_context",
    "missing_templates",
    "proactive_protocol",
    "reactive_protocol",
    "ready_made_templates",
    "render_message",
    "render_messages",
    "template_uses",
]
