"""Request types: a complaint is held to a tighter promise than a petition."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from servicekit import AgentReplied, BusinessCalendar, Ticket, helpdesk_lifecycle
from servicekit.errors import UnknownRequestTypeError
from servicekit.protocols import RequestType, RequestTypes, pqrs_request_types, reactive_protocol

DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
T0 = pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid")
TYPES = pqrs_request_types(DESK)


def _states(kind: str, reply_after: dt.timedelta, now: pendulum.DateTime) -> dict[str, str]:
    ticket = TYPES.open(kind, ticket_id=f"{kind}-1", at=T0, priority="P2")
    ticket.record(AgentReplied(at=T0 + reply_after))
    report = TYPES.evaluate(ticket, now)
    assert report.sla is not None
    return {s.metric: s.state.value for s in report.sla.statuses}


def test_a_complaint_is_held_tighter_than_a_petition() -> None:
    three_hours = dt.timedelta(hours=3)
    now = T0.add(hours=16)  # 01:00 Tuesday: 8 business hours used
    petition = _states("petition", three_hours, now)
    complaint = _states("complaint", three_hours, now)
    assert petition == {"first_response": "met", "resolution": "running"}
    assert complaint == {"first_response": "breached_stopped", "resolution": "running"}
    later = T0.add(days=1, hours=5)  # 14:00 Tuesday: 13 business hours used
    assert _states("complaint", three_hours, later)["resolution"] == "breached_running"
    assert _states("petition", three_hours, later)["resolution"] == "running"
    assert _states("suggestion", dt.timedelta(hours=10), later) == {"first_response": "met"}


def test_types_are_found_by_name_and_refused_when_unknown() -> None:
    ticket = TYPES.open("claim", ticket_id="C-1", at=T0, priority="P1", attributes={"x": 1})
    assert ticket.opened.attributes == {"x": 1, "request_type": "claim"}
    assert TYPES.protocol_for(ticket).name == "claim"
    bare = Ticket.open(helpdesk_lifecycle(), ticket_id="B-1", at=T0, priority="P2")
    with pytest.raises(UnknownRequestTypeError, match="no 'request_type' attribute"):
        TYPES.type_of(bare)
    with pytest.raises(UnknownRequestTypeError, match="known types"):
        TYPES.get("compliment")
    own = TYPES.with_type(RequestType("compliment", reactive_protocol(DESK)))
    assert own.names == ("petition", "complaint", "claim", "suggestion", "compliment")
    assert attrs_default(own, "petition").type_of(bare).name == "petition"
    with pytest.raises(UnknownRequestTypeError, match="defined twice"):
        RequestTypes(types=[TYPES.types[0], TYPES.types[0]])
    with pytest.raises(UnknownRequestTypeError, match="default request type"):
        RequestTypes(types=TYPES.types, default="nope")


def attrs_default(types: RequestTypes, default: str) -> RequestTypes:
    return RequestTypes(types=types.types, attribute=types.attribute, default=default)
