"""Escalation chains: the right person, at the right time, nothing forgotten, nothing sent twice.

Functional chains take a ticket up the support tiers (L1 -> L2 -> L3, by
skill; ownership stays with the service desk); hierarchical chains take it up
the management line (team lead -> manager -> director, by authority). A chain
is a tuple of :class:`Step` values with waits (elapsed, business time, or
relative to an SLA target), windows, selectors and repeats;
:meth:`EscalationChain.evaluate` lists the notifications due, each with an
idempotency key.
"""

from __future__ import annotations

from servicekit.escalation._chain import (
    AfterBreach,
    AtSlaFraction,
    ChainKind,
    Delay,
    EnteredCategory,
    EscalationChain,
    OutsideWindow,
    PriorityRaised,
    Repeat,
    Selector,
    SlaTrigger,
    Step,
    Stop,
    Target,
    Trigger,
    Unreachable,
    Wait,
    Window,
)
from servicekit.escalation._evaluate import EscalationReport, Notification, Position

__all__ = [
    "AfterBreach",
    "AtSlaFraction",
    "ChainKind",
    "Delay",
    "EnteredCategory",
    "EscalationChain",
    "EscalationReport",
    "Notification",
    "OutsideWindow",
    "Position",
    "PriorityRaised",
    "Repeat",
    "Selector",
    "SlaTrigger",
    "Step",
    "Stop",
    "Target",
    "Trigger",
    "Unreachable",
    "Wait",
    "Window",
]
