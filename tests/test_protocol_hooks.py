"""ServiceProtocol hooks: targets from attributes, priorities, foreign events, own actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    AttributesChanged,
    AttributeValue,
    BusinessCalendar,
    CustomerReplied,
    Event,
    PriorityChanged,
    Ticket,
    TicketOpened,
    event_from_dict,
    event_to_dict,
    helpdesk_lifecycle,
)
from servicekit.errors import EventDecodeError, InvalidEventError, UnknownPriorityError
from servicekit.protocols import (
    CustomActions,
    DueAction,
    ServiceProtocol,
    reactive_protocol,
)
from servicekit.sla import SlaReport, SlaTarget
from servicekit.testing import tickets

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
DESK = BusinessCalendar(MADRID, "mon-fri 09:00-17:00")
T0 = pendulum.datetime(2025, 3, 3, 9, tz=MADRID)


class VipProtocol(ServiceProtocol):
    """VIP customers get half of every target; priorities arrive in lower case; phone calls
    logged by the telephony system count as customer replies; VIP tickets get a welcome call."""

    def adjust_target(
        self, target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, AttributeValue]
    ) -> SlaTarget:
        if attributes.get("vip"):
            return attrs.evolve(target, target=target.target / 2)
        return target

    def normalise_priority(self, priority: str) -> str:
        return priority.upper()

    def classify_event(self, data: Mapping[str, Any]) -> Event | None:
        if data.get("type") == "call_logged":
            return CustomerReplied(at=data["at"], actor="phone")
        if data.get("type") == "page_viewed":
            return None
        return super().classify_event(data)

    def custom_actions(
        self, ticket: Ticket, now: pendulum.DateTime, sla: SlaReport | None
    ) -> CustomActions:
        if not ticket.opened.attributes.get("vip"):
            return CustomActions()
        at = ticket.opened.at + 2 * H
        action = DueAction("welcome_call", at, "vip", "account-manager", f"{ticket.id}:welcome")
        if at <= now:
            return CustomActions([action])
        return CustomActions(next_at=at)


BASE = reactive_protocol(DESK)
VIP = VipProtocol.from_protocol(BASE)


def _resolution_due(protocol: ServiceProtocol, ticket: Ticket, at: dt.datetime) -> object:
    report = protocol.evaluate(ticket, at)
    assert report.sla is not None
    return report.sla.for_metric("resolution")[-1].due_at


def test_vip_customers_get_half_of_every_target() -> None:
    plain = VIP.open(ticket_id="T-1", at=T0, priority="p2")
    vip = VIP.open(ticket_id="T-2", at=T0, priority="p2", attributes={"vip": True})
    assert plain.priority == "P2"
    # P2: 24 business hours (three days of 8), halved to 12 (a day and a half).
    assert _resolution_due(VIP, plain, T0) == pendulum.datetime(2025, 3, 5, 17, tz=MADRID)
    assert _resolution_due(VIP, vip, T0) == pendulum.datetime(2025, 3, 4, 13, tz=MADRID)
    assert VIP.evaluate(plain, T0) == BASE.evaluate(plain, T0)


def test_becoming_vip_takes_effect_from_that_instant() -> None:
    ticket = VIP.open(ticket_id="T-3", at=T0, priority="P2")
    VIP.record(ticket, AttributesChanged(at=T0 + 4 * H, attributes={"vip": True}))
    assert ticket.attributes == {"vip": True}
    # 4 business hours used under 24; what remains counts against 12: 8 more hours.
    assert _resolution_due(VIP, ticket, T0 + 4 * H) == pendulum.datetime(2025, 3, 4, 13, tz=MADRID)
    # Before the change the ticket was not VIP.
    assert _resolution_due(VIP, ticket, T0 + H) == pendulum.datetime(2025, 3, 5, 17, tz=MADRID)
    # A protocol without the rule is unaffected.
    assert _resolution_due(BASE, ticket, T0 + 4 * H) == _resolution_due(BASE, ticket, T0 + H)


@given(tickets(helpdesk_lifecycle(), max_events=8), st.integers(0, 3 * 24 * 60))
def test_the_identity_rule_changes_nothing(ticket: Ticket, minutes: int) -> None:
    class Same(ServiceProtocol):
        def adjust_target(
            self, target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, AttributeValue]
        ) -> SlaTarget:
            return target

    now = ticket.last_event_at.add(minutes=minutes)
    assert Same.from_protocol(BASE).evaluate(ticket, now) == BASE.evaluate(ticket, now)


def test_unknown_priorities_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(UnknownPriorityError, match=r"'p1'.*\['P1', 'P2', 'P3'\]"):
        BASE.open(ticket_id="T-1", at=T0, priority="p1")
    with pytest.raises(UnknownPriorityError, match=r"'urgent' \(as 'URGENT'\)"):
        VIP.open(ticket_id="T-1", at=T0, priority="urgent")
    ticket = VIP.open(ticket_id="T-1", at=T0, priority="p3")
    with pytest.raises(UnknownPriorityError):
        VIP.record(ticket, PriorityChanged(at=T0 + H, from_priority="P3", to_priority="P0"))
    assert len(ticket) == 1
    (changed,) = VIP.record(
        ticket, PriorityChanged(at=T0 + H, from_priority="p3", to_priority="p1")
    )
    assert (changed.from_priority, ticket.priority) == ("P3", "P1")


def test_foreign_events_are_classified_or_refused() -> None:
    ticket = VIP.open(ticket_id="T-1", at=T0, priority="P2")
    assert VIP.record(ticket, {"type": "page_viewed"}) == ()
    added = VIP.record(ticket, {"type": "call_logged", "at": T0 + H})
    assert isinstance(added[0], CustomerReplied)
    stored = VIP.record(ticket, event_to_dict(CustomerReplied(at=T0 + 2 * H)))
    assert stored[0] == CustomerReplied(at=T0 + 2 * H)
    with pytest.raises(EventDecodeError, match="Override classify_event"):
        BASE.record(ticket, {"type": "call_logged", "at": T0 + 3 * H})


def test_own_actions_join_the_report_and_the_wakeups() -> None:
    ticket = VIP.open(ticket_id="T-9", at=T0, priority="P3", attributes={"vip": True})
    early = VIP.evaluate(ticket, T0)
    assert early.next_action_at == T0 + 2 * H
    late = VIP.evaluate(ticket, T0 + 2 * H)
    assert [a.kind for a in late.new_actions(T0)] == ["welcome_call"]


def test_attributes_changed_round_trips_and_must_change_something() -> None:
    event = AttributesChanged(at=T0, attributes={"vip": True, "tier": "gold", "seats": 3})
    assert event_from_dict(event_to_dict(event)) == event
    with pytest.raises(InvalidEventError, match="changes nothing"):
        AttributesChanged(at=T0, attributes={})
    with pytest.raises(EventDecodeError):
        event_from_dict({"type": "attributes_changed", "at": "2025-03-03T09:00:00+01:00"})
