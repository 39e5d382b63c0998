"""SLA policies and clocks: every promise timed exactly, in each team's business hours.

A policy is a set of :class:`SlaTarget` values (metric x priority x target x
calendar). ``policy.evaluate(ticket, now)`` returns an :class:`SlaStatus` for
every cycle of every metric; :class:`SlaTracker` answers the same from events
fed one at a time; :func:`evaluate_many` streams flat rows for many tickets.
"""

from __future__ import annotations

from servicekit.sla._clock import SlaState, SlaStatus, SlaWarning
from servicekit.sla._metrics import (
    AGENT_WORK_TIME,
    BUILT_IN_METRICS,
    FIRST_RESPONSE,
    NEXT_RESPONSE,
    PERIODIC_UPDATE,
    REQUESTER_WAIT_TIME,
    RESOLUTION,
    On,
    SlaMetric,
    StopOutcome,
)
from servicekit.sla._policy import (
    ANY_PRIORITY,
    SlaPolicy,
    SlaReport,
    SlaRow,
    SlaTarget,
    evaluate_many,
)
from servicekit.sla._tracker import SlaTracker

__all__ = [
    "AGENT_WORK_TIME",
    "ANY_PRIORITY",
    "BUILT_IN_METRICS",
    "FIRST_RESPONSE",
    "NEXT_RESPONSE",
    "PERIODIC_UPDATE",
    "REQUESTER_WAIT_TIME",
    "RESOLUTION",
    "On",
    "SlaMetric",
    "SlaPolicy",
    "SlaReport",
    "SlaRow",
    "SlaState",
    "SlaStatus",
    "SlaTarget",
    "SlaTracker",
    "SlaWarning",
    "StopOutcome",
    "evaluate_many",
]
