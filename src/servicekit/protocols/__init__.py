"""Service protocols: lifecycle, SLA policy, escalation chains and follow-up schedules as one.

``protocol.evaluate(ticket, now)`` answers the three questions an app asks
(where does the ticket stand, what is due now, when must I ask again) in one
:class:`ProtocolReport`. Ready-made protocols cover reactive service,
proactive service, everyday requests and a reputational crisis.
"""

from __future__ import annotations

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

__all__ = [
    "DueAction",
    "Incident",
    "LinkPolicy",
    "Propagated",
    "PropagationRule",
    "ProtocolReport",
    "ServiceProtocol",
    "crisis_protocol",
    "daily_requests_protocol",
    "link_intervals",
    "proactive_protocol",
    "propagation_actor",
    "reactive_protocol",
]
