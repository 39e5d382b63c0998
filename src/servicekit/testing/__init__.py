"""Hypothesis strategies for testing code built on servicekit.

Import them in your own tests to check your protocols against random
calendars, lifecycles and histories::

    from hypothesis import given
    from servicekit import testing as skt

Requires ``hypothesis``, which the ``testing`` extra brings and nothing else
does: ``pip install 'servicekit[testing]'``. Without it, importing this module
raises :class:`servicekit.errors.MissingExtraError` naming that extra.
"""

from __future__ import annotations

from servicekit.errors import MissingExtraError

try:
    import hypothesis  # noqa: F401  # only to turn a bare ModuleNotFoundError into advice
except ImportError as exc:
    raise MissingExtraError(
        "servicekit.testing needs hypothesis, which the 'testing' extra installs: "
        "pip install 'servicekit[testing]'"
    ) from exc

from servicekit.testing._calendars import (
    DST_ZONES,
    aware_datetimes,
    boundary_durations,
    boundary_instants,
    business_calendars,
    dst_edge_datetimes,
    durations,
)
from servicekit.testing._followup import cadences, contact_windows, follow_up_schedules
from servicekit.testing._lifecycles import lifecycles, ready_made_lifecycles, tickets
from servicekit.testing._outage import OUTAGE_ZONES, OutageRun, OutageScenario, run_outage
from servicekit.testing._protocol_tickets import (
    EVENT_CHOICES,
    protocol_tickets,
    ready_made_protocols,
)
from servicekit.testing._protocols import escalation_chains, service_protocols, sla_policies

__all__ = [
    "DST_ZONES",
    "EVENT_CHOICES",
    "OUTAGE_ZONES",
    "OutageRun",
    "OutageScenario",
    "aware_datetimes",
    "boundary_durations",
    "boundary_instants",
    "business_calendars",
    "cadences",
    "contact_windows",
    "dst_edge_datetimes",
    "durations",
    "escalation_chains",
    "follow_up_schedules",
    "lifecycles",
    "protocol_tickets",
    "ready_made_lifecycles",
    "ready_made_protocols",
    "run_outage",
    "service_protocols",
    "sla_policies",
    "tickets",
]
