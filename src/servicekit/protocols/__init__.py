"""Service protocols: lifecycle, SLA policy, escalation chains and follow-up schedules as one.

``protocol.evaluate(ticket, now)`` answers the three questions an app asks
(where does the ticket stand, what is due now, when must I ask again) in one
:class:`ProtocolReport`. Ready-made protocols cover reactive service,
proactive service, everyday requests and a reputational crisis, in Python and
as protocol files (TOML) that teams copy, edit, check and keep in their
repository: :func:`load_protocol` reads one, ``protocol.to_toml()`` writes one.
"""

from __future__ import annotations

from servicekit.protocols._files import (
    READY_MADE,
    FileProblem,
    load_protocol,
    loads_protocol,
    protocol_schema,
    ready_made_path,
    ready_made_text,
)
from servicekit.protocols._protocol import DueAction, ProtocolReport, ServiceProtocol
from servicekit.protocols._ready import (
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)

__all__ = [
    "READY_MADE",
    "DueAction",
    "FileProblem",
    "ProtocolReport",
    "ServiceProtocol",
    "crisis_protocol",
    "daily_requests_protocol",
    "load_protocol",
    "loads_protocol",
    "proactive_protocol",
    "protocol_schema",
    "reactive_protocol",
    "ready_made_path",
    "ready_made_text",
]
