"""Ready-made lifecycles: ITIL incidents, a Zendesk-style helpdesk, service requests.

Each factory returns the same shared value on every call, and tickets pickle
it as a reference to the factory.
"""

from __future__ import annotations

import datetime as _dt
import functools

from servicekit._lifecycle import SAME, Lifecycle, Reaction, Status, Transition
from servicekit._status import StatusCategory as C

__all__ = ["helpdesk_lifecycle", "incident_lifecycle", "service_request_lifecycle"]

#: The On Hold reasons of an ITIL-style incident.
HOLD_REASONS = ("awaiting_caller", "awaiting_change", "awaiting_problem", "awaiting_vendor")


@functools.cache
def incident_lifecycle() -> Lifecycle:
    """An ITIL-style incident lifecycle, in the manner of ServiceNow.

    New -> In Progress -> Resolved -> Closed, with On Hold (a reason is
    required: awaiting caller, change, problem or vendor), Canceled, reopening
    from Resolved, handovers (``reassign``) inside the open statuses, and an
    automatic ``close`` seven days after resolution. A customer's reply reopens a
    resolved incident (reason ``"customer_replied"``); an agent's public reply
    starts a new one.

    On Hold is *waiting on a third party* by category, whatever the reason; an
    SLA policy that pauses on hold says so explicitly.
    """
    working = ("New", "In Progress", "On Hold")
    return Lifecycle(
        "incident",
        [
            Status("New", C.NEW),
            Status("In Progress", C.OPEN),
            Status("On Hold", C.WAITING_ON_THIRD_PARTY),
            Status("Resolved", C.SOLVED),
            Status("Closed", C.CLOSED),
            Status("Canceled", C.CANCELLED),
        ],
        [
            Transition(trigger="start", sources="New", dest="In Progress"),
            Transition(
                trigger="hold",
                sources=("New", "In Progress"),
                dest="On Hold",
                reason_required=True,
                reasons=HOLD_REASONS,
            ),
            Transition(trigger="resume", sources="On Hold", dest="In Progress"),
            Transition(trigger="resolve", sources=working, dest="Resolved"),
            Transition(
                trigger="reopen", sources="Resolved", dest="In Progress", reason_required=True
            ),
            Transition(
                trigger="close", sources="Resolved", dest="Closed", after=_dt.timedelta(days=7)
            ),
            Transition(trigger="cancel", sources=working, dest="Canceled", reason_required=True),
            Transition(trigger="reassign", sources=working, dest=SAME),
        ],
        "New",
        [
            Reaction(
                on="customer_replied",
                sources="Resolved",
                trigger="reopen",
                reason="customer_replied",
            ),
            Reaction(on="agent_replied", sources="New", trigger="start", where={"public": True}),
        ],
        _factory=incident_lifecycle,
    )


@functools.cache
def helpdesk_lifecycle() -> Lifecycle:
    """A helpdesk lifecycle in the style of Zendesk.

    new, open, pending (waiting on the customer), on-hold (waiting on a third
    party), solved, closed. A customer's reply reopens a pending or solved
    ticket by itself (the ``customer_reply`` transition, recorded with the
    reply); an agent's public reply moves a new ticket to open; solved tickets
    close four days after solving; closed is final.
    """
    active = ("new", "open", "pending", "on-hold")
    return Lifecycle(
        "helpdesk",
        [
            Status("new", C.NEW),
            Status("open", C.OPEN),
            Status("pending", C.WAITING_ON_CUSTOMER),
            Status("on-hold", C.WAITING_ON_THIRD_PARTY),
            Status("solved", C.SOLVED),
            Status("closed", C.CLOSED),
        ],
        [
            Transition(trigger="open", sources=("new", "pending", "on-hold"), dest="open"),
            Transition(trigger="pend", sources=("new", "open", "on-hold"), dest="pending"),
            Transition(trigger="hold", sources=("new", "open", "pending"), dest="on-hold"),
            Transition(trigger="solve", sources=active, dest="solved"),
            Transition(trigger="customer_reply", sources=("pending", "solved"), dest="open"),
            Transition(
                trigger="close", sources="solved", dest="closed", after=_dt.timedelta(days=4)
            ),
            Transition(trigger="reassign", sources=active, dest=SAME),
        ],
        "new",
        [
            Reaction(
                on="customer_replied", sources=("pending", "solved"), trigger="customer_reply"
            ),
            Reaction(on="agent_replied", sources="new", trigger="open", where={"public": True}),
        ],
        _factory=helpdesk_lifecycle,
    )


@functools.cache
def service_request_lifecycle() -> Lifecycle:
    """A service-request lifecycle: submitted, approved, in fulfilment, fulfilled, closed, rejected.

    Rejection needs a reason; only an ``approver`` may approve or reject; a
    fulfilled request can be sent back to fulfilment (a customer's reply does
    it, reason ``"customer_replied"``) and closes three days after fulfilment.
    """
    return Lifecycle(
        "service_request",
        [
            Status("submitted", C.NEW),
            Status("approved", C.OPEN),
            Status("in fulfilment", C.OPEN),
            Status("fulfilled", C.SOLVED),
            Status("closed", C.CLOSED),
            Status("rejected", C.CANCELLED),
        ],
        [
            Transition(trigger="approve", sources="submitted", dest="approved", roles="approver"),
            Transition(
                trigger="reject",
                sources="submitted",
                dest="rejected",
                roles="approver",
                reason_required=True,
            ),
            Transition(trigger="start_fulfilment", sources="approved", dest="in fulfilment"),
            Transition(trigger="fulfil", sources="in fulfilment", dest="fulfilled"),
            Transition(
                trigger="return", sources="fulfilled", dest="in fulfilment", reason_required=True
            ),
            Transition(
                trigger="close", sources="fulfilled", dest="closed", after=_dt.timedelta(days=3)
            ),
            Transition(trigger="reassign", sources=("approved", "in fulfilment"), dest=SAME),
        ],
        "submitted",
        [
            Reaction(
                on="customer_replied",
                sources="fulfilled",
                trigger="return",
                reason="customer_replied",
            )
        ],
        _factory=service_request_lifecycle,
    )
