"""Service protocols: one report per ticket, actions with keys, and the single next wakeup."""

from __future__ import annotations

import datetime as dt
import re

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    Acknowledged,
    AgentReplied,
    BusinessCalendar,
    Escalated,
    PromiseMade,
    helpdesk_lifecycle,
)
from servicekit.cli import main
from servicekit.errors import ServiceKitError
from servicekit.escalation import AtSlaFraction, EscalationChain, Step, Target
from servicekit.protocols import (
    ServiceProtocol,
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.testing import tickets

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
DESK = BusinessCalendar(MADRID, "mon-fri 09:00-17:00")
T0 = pendulum.datetime(2025, 3, 3, 9, tz=MADRID)


def test_reactive_protocol_answers_everything_at_once() -> None:
    protocol = reactive_protocol(DESK)
    ticket = protocol.open(ticket_id="T-1", at=T0, priority="P2", customer_timezone=MADRID)
    ticket.record(AgentReplied(at=T0 + 0.5 * H))
    ticket.record(PromiseMade(at=T0 + 0.5 * H, due=T0 + 3 * H, description="call back"))
    report = protocol.evaluate(ticket, T0 + 5 * H)
    kinds = [a.kind for a in report.actions]
    assert kinds == ["promise_broken", "follow_up"]  # at 12:00, then 13:30 (4 h after the reply)
    assert report.sla is not None
    assert {s.metric for s in report.sla.statuses} == {"first_response", "resolution"}
    assert report.next_wakeup is not None
    assert report.next_wakeup > T0 + 5 * H
    keys = [a.key for a in report.actions]
    assert len(keys) == len(set(keys))


def test_next_wakeup_is_the_earliest_change() -> None:
    protocol = reactive_protocol(DESK)
    ticket = protocol.open(ticket_id="T-2", at=T0, priority="P1")
    report = protocol.evaluate(ticket, T0)
    assert report.sla is not None
    candidates = [report.sla.next_change_at, *(r.next_at for r in report.escalations)]
    candidates += [r.next_at for r in report.follow_ups]
    assert report.next_wakeup == min(c for c in candidates if c is not None)
    # Nothing changes before the wakeup; at it, something does.
    before = protocol.evaluate(ticket, report.next_wakeup - dt.timedelta(microseconds=1))
    after = protocol.evaluate(ticket, report.next_wakeup)
    assert before.actions == report.actions
    assert (after.actions, after.sla) != (before.actions, before.sla)


def test_crisis_pages_until_acknowledged() -> None:
    protocol = crisis_protocol(MADRID)
    ticket = protocol.open(ticket_id="C-1", at=T0, priority="P1")
    ticket.record(Escalated(at=T0 + 0.1 * H, level="crisis"))
    paged = [a for a in protocol.evaluate(ticket, T0 + 2 * H).actions if a.kind == "notify"]
    assert [a.detail for a in paged[:3]] == [
        "role:crisis-manager",
        "role:director",
        "role:crisis-manager",
    ]
    ticket.record(Acknowledged(at=T0 + 2 * H, chain="war-room"))
    later = [a for a in protocol.evaluate(ticket, T0 + 6 * H).actions if a.kind == "notify"]
    war_room = [a for a in later if a.source == "war-room"]
    assert war_room == [a for a in paged if a.source == "war-room"]


def test_daily_requests_and_proactive_protocols() -> None:
    requests = daily_requests_protocol(DESK)
    request = requests.open(ticket_id="SR-1", at=T0, priority="P3")
    assert request.lifecycle.name == "service_request"
    assert requests.evaluate(request, T0 + H).next_wakeup is not None
    proactive = proactive_protocol(DESK)
    ticket = proactive.open(ticket_id="P-1", at=T0, priority="P2", customer_timezone=MADRID)
    first = [a for a in proactive.evaluate(ticket, T0 + 2 * H).actions if a.kind == "follow_up"]
    assert [a.at for a in first] == [T0 + H]  # the team reaches out first


def test_protocols_need_an_sla_for_sla_chains() -> None:
    chain = EscalationChain(
        name="x",
        steps=[Step(targets=[Target("person", "lead")], wait=AtSlaFraction("resolution", 0.5))],
    )
    with pytest.raises(ServiceKitError, match="give it an sla policy"):
        ServiceProtocol(name="p", lifecycle=helpdesk_lifecycle(), escalations=[chain])


@given(tickets(helpdesk_lifecycle(), max_events=8), st.integers(0, 10 * 24 * 60))
def test_next_wakeup_is_after_now(ticket: object, minutes: int) -> None:
    protocol = reactive_protocol(DESK)
    now = ticket.last_event_at.add(minutes=minutes)  # type: ignore[attr-defined]
    report = protocol.evaluate(ticket, now)  # type: ignore[arg-type]
    assert report.next_wakeup is None or report.next_wakeup > now


def test_replay_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--protocol", "reactive", "--width", "120", "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "reactive protocol over 90 tickets" in out
    assert "SLA attainment" in out
    assert main(["replay", "--now", "yesterday", "--width", "120"]) == 2
    assert "not an ISO 8601 instant" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "2025-03-03T09:00"], "has no UTC offset; it is never read as UTC"),
        (["--protocol", "nope"], r"unknown protocol 'nope'; choose one of \['crisis'"),
        (["--compare", "reactive", "--workers", "2"], "--compare runs in this process"),
    ],
)
def test_replay_refusals_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.search(message, err)
