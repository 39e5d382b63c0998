"""An SLA tracker: events in one at a time, the same answers as ``SlaPolicy.evaluate``."""

from __future__ import annotations

import datetime as _dt

from servicekit._events import Event, StatusChanged, TicketOpened
from servicekit._lifecycle import Lifecycle
from servicekit._time import to_micros
from servicekit._timeline import timeline
from servicekit.errors import OutOfOrderEventError, SlaPolicyError
from servicekit.sla._clock import MetricFold
from servicekit.sla._policy import SlaPolicy, SlaReport, TargetRule, opened_zone, report_of

__all__ = ["SlaTracker"]


class SlaTracker:
    """Feed a ticket's events one at a time and ask where its promises stand.

    The tracker keeps the clocks' running state instead of the history, so a
    worker can follow many tickets from an event stream. ``evaluate(now)``
    answers exactly what :meth:`SlaPolicy.evaluate` would for the events fed
    so far. Events at the latest instant are held until time moves on, so
    that, as in ``evaluate``, status changes at one instant come first.

    Args:
        policy: the SLA policy.
        lifecycle: the lifecycle of the ticket (it gives the status categories).
        adjust: the team's target rule, as for :meth:`SlaPolicy.evaluate`.
    """

    __slots__ = (
        "_adjust",
        "_folds",
        "_last_us",
        "_lifecycle",
        "_pending",
        "_policy",
        "_ticket_id",
        "_zone",
    )

    def __init__(
        self, policy: SlaPolicy, lifecycle: Lifecycle, *, adjust: TargetRule | None = None
    ) -> None:
        self._adjust = adjust
        self._policy = policy
        self._lifecycle = lifecycle
        self._folds: list[MetricFold] = []
        self._pending: list[Event] = []
        self._last_us: int | None = None
        self._ticket_id = ""
        self._zone: object = None

    def record(self, event: Event) -> None:
        """Take the next event of the ticket (the first must be its :class:`TicketOpened`).

        Raises:
            OutOfOrderEventError: the event is earlier than the previous one.
            SlaPolicyError: the first event does not open a ticket.
        """
        at_us = to_micros(event.at)
        if self._last_us is None:
            if not isinstance(event, TicketOpened):
                raise SlaPolicyError("an SlaTracker must be fed the TicketOpened event first")
            self._ticket_id, self._zone = event.ticket_id, opened_zone(event)
            self._folds = self._policy.folds(event, self._zone, adjust=self._adjust)
        elif at_us < self._last_us:
            raise OutOfOrderEventError(
                f"{type(event).__name__} at {event.at.isoformat()} is earlier than the previous "
                "event; feed events in the order they happened"
            )
        if isinstance(event, StatusChanged):
            self._lifecycle.status(event.to_status)  # unknown statuses fail here, not later
        if self._pending and at_us > self._last_us:  # type: ignore[operator]
            self._apply(self._folds, self._pending)
            self._pending = []
        self._pending.append(event)
        self._last_us = at_us

    def _apply(self, folds: list[MetricFold], events: list[Event]) -> None:
        category_of = self._lifecycle.category
        for at_us, event in timeline(events, 2**62):
            category = category_of(event.to_status) if isinstance(event, StatusChanged) else None
            for fold in folds:
                fold.feed(event, at_us, category)

    def evaluate(self, now: _dt.datetime) -> SlaReport:
        """Where every promise stands at ``now`` (not before the last event fed).

        Raises:
            OutOfOrderEventError: ``now`` is before the last event fed.
            SlaPolicyError: nothing was fed yet.
        """
        if self._last_us is None:
            raise SlaPolicyError("feed the TicketOpened event before evaluating")
        now_us = to_micros(now, name="now")
        if now_us < self._last_us:
            raise OutOfOrderEventError(
                "a tracker cannot look back before its last event; use SlaPolicy.evaluate on "
                "the ticket to ask about an earlier instant"
            )
        folds = [fold.copy() for fold in self._folds]
        self._apply(folds, self._pending)
        return report_of(self._ticket_id, folds, now_us, self._zone)
