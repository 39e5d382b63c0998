"""Status categories: what a lifecycle status means to the clocks.

A lifecycle names its own statuses ("pending", "Accepted/Wait - User"...);
each belongs to one :class:`StatusCategory`, and the category tells SLA
clocks and follow-up schedules whether to run, pause or stop while a ticket
is in it, unless a policy says otherwise.
"""

from __future__ import annotations

import enum

__all__ = ["ClockAction", "StatusCategory"]


class ClockAction(enum.Enum):
    """What a clock does while a ticket is in a status."""

    RUN = "run"
    """The clock counts time."""
    PAUSE = "pause"
    """The clock holds its elapsed time and resumes later."""
    STOP = "stop"
    """The clock's current cycle ends."""

    # Members are singletons compared by identity: the identity hash is as right as Enum's
    # and computed in C (Enum's hashes the name in Python), and these are looked up for
    # every event of every ticket a replay folds.
    __hash__ = object.__hash__


class StatusCategory(enum.Enum):
    """The meaning of a lifecycle status, shared by every lifecycle."""

    NEW = "new"
    """Received, nobody has started on it."""
    OPEN = "open"
    """Being worked on by the team."""
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    """The team needs something from the customer."""
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    """The team waits on a vendor, a change or another team."""
    SOLVED = "solved"
    """The team considers it solved; the customer may still reopen it."""
    CLOSED = "closed"
    """Final: the ticket is done."""
    CANCELLED = "cancelled"
    """Final: the ticket was withdrawn or rejected."""

    __hash__ = object.__hash__  # as ClockAction's: one of the hottest dictionary keys

    @property
    def default_clock_action(self) -> ClockAction:
        """The clocks' default in this category: run while new or open (or
        waiting on a third party, which is the team's own problem), pause while
        waiting on the customer, stop when solved, closed or cancelled."""
        return _DEFAULT_ACTION[self]

    @property
    def is_final(self) -> bool:
        """Whether a ticket in this category can never change again by default."""
        return self in (StatusCategory.CLOSED, StatusCategory.CANCELLED)


_DEFAULT_ACTION = {
    StatusCategory.NEW: ClockAction.RUN,
    StatusCategory.OPEN: ClockAction.RUN,
    StatusCategory.WAITING_ON_CUSTOMER: ClockAction.PAUSE,
    StatusCategory.WAITING_ON_THIRD_PARTY: ClockAction.RUN,
    StatusCategory.SOLVED: ClockAction.STOP,
    StatusCategory.CLOSED: ClockAction.STOP,
    StatusCategory.CANCELLED: ClockAction.STOP,
}
