"""Protocols behave as helpdesks do: acknowledgements stop what they name, replies reopen,
manual escalations start the functional chain, calls wait for the team's hours."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    Acknowledged,
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Escalated,
    Lifecycle,
    Reaction,
    Status,
    StatusCategory,
    StatusChanged,
    Ticket,
    Transition,
    event_from_dict,
    event_to_dict,
    helpdesk_lifecycle,
    incident_lifecycle,
    service_request_lifecycle,
)
from servicekit._time import to_micros
from servicekit.errors import (
    EventDecodeError,
    GuardRejectedError,
    InvalidEventError,
    InvalidLifecycleError,
)
from servicekit.followup import ContactWindow, FixedOffsets, FollowUpSchedule
from servicekit.protocols import (
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
REACTIVE = reactive_protocol(DESK)


# -- acknowledgements name what they acknowledge ---------------------------------------------


def test_an_early_acknowledgement_does_not_silence_the_breach() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    ticket.record(Acknowledged(at=T0.add(minutes=10), chain="tiers"))
    week = REACTIVE.evaluate(ticket, T0.add(weeks=1))
    by_chain = {a.source for a in week.actions if a.kind == "notify"}
    # Nothing was under way at +10 minutes: the acknowledgement stops no later run, and the
    # lead hears of the breach.
    assert by_chain == {"tiers", "lead-at-breach"}
    # Acknowledging the tiers run once it notified stops it, and only it.
    ticket.record(Acknowledged(at=T0.add(weeks=1), chain="tiers"))
    after = REACTIVE.evaluate(ticket, T0.add(weeks=2))
    assert after.new_actions(week.now) == ()


def test_an_acknowledgement_by_key_stops_only_that_run() -> None:
    protocol = crisis_protocol(MADRID)
    ticket = protocol.open(ticket_id="C-1", at=T0, priority="P1")
    ticket.record(Escalated(at=T0 + 0.1 * H, level="crisis"))
    paged = protocol.evaluate(ticket, T0 + 0.5 * H).new_actions(None)
    ticket.record(Acknowledged(at=T0 + 0.5 * H, key=paged[0].key, actor="crisis-manager"))
    after = protocol.evaluate(ticket, T0 + 6 * H)
    war_room = [a for a in after.actions if a.source == "war-room"]
    assert war_room == [a for a in paged if a.source == "war-room"]
    assert any(a.source == "communications" for a in after.actions)  # breach at 4 h still told
    # An acknowledgement of an earlier run stops nothing now.
    ticket.record(Escalated(at=T0 + 7 * H, level="crisis"))
    ticket.record(Acknowledged(at=T0 + 7.1 * H, chain="war-room", run=1))
    rerun = [a for a in protocol.evaluate(ticket, T0 + 8 * H).actions if ":run2:" in a.key]
    assert len(rerun) >= 2


def test_an_acknowledgement_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="must name what it acknowledges"):
        Acknowledged(at=T0)
    with pytest.raises(InvalidEventError, match="names its chain"):
        Acknowledged(at=T0, key="T-1:tiers:v1:run1:loop0:step0:tier:L2", run=1)
    with pytest.raises(EventDecodeError, match="must name"):
        event_from_dict({"type": "acknowledged", "at": "2025-03-03T09:00:00+01:00"})
    named = Acknowledged(at=T0, chain="tiers", run=2)
    assert event_from_dict(event_to_dict(named)) == named


# -- reactions ---------------------------------------------------------------------------------


def test_a_customer_reply_reopens_a_pending_ticket_and_restarts_the_clock() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    ticket.record(AgentReplied(at=T0 + 0.5 * H))
    assert ticket.status == "open"  # an agent's public reply opens a new ticket
    ticket.fire("pend", at=T0 + H)
    paused = REACTIVE.evaluate(ticket, T0 + 2 * H)
    assert paused.next_wakeup is None or paused.next_wakeup > T0 + 2 * H
    ticket.record(CustomerReplied(at=T0 + 3 * H, actor="customer"))
    assert ticket.status == "open"
    change = ticket.history[-1]
    assert isinstance(change, StatusChanged)
    assert (change.trigger, change.actor, change.at) == ("customer_reply", "customer", T0 + 3 * H)
    report = REACTIVE.evaluate(ticket, T0 + 3 * H)
    assert report.sla is not None
    (resolution,) = report.sla.for_metric("resolution")
    assert resolution.state.value == "running"
    assert report.next_wakeup is not None
    assert Ticket.replay(ticket.history, ticket.lifecycle) == ticket


@pytest.mark.parametrize(
    ("lifecycle", "path", "status"),
    [
        (incident_lifecycle(), [("start", None), ("resolve", None)], "In Progress"),
        (
            service_request_lifecycle(),
            [("approve", "approver"), ("start_fulfilment", None), ("fulfil", None)],
            "in fulfilment",
        ),
        (helpdesk_lifecycle(), [("solve", None)], "open"),
    ],
)
def test_ready_made_lifecycles_reopen_on_a_customer_reply(
    lifecycle: Lifecycle, path: list[tuple[str, str | None]], status: str
) -> None:
    ticket = Ticket.open(lifecycle, ticket_id="T-1", at=T0, priority="P2")
    for minutes, (trigger, role) in enumerate(path, start=1):
        ticket.fire(trigger, at=T0.add(minutes=minutes), role=role)
    ticket.record(CustomerReplied(at=T0 + H))
    assert ticket.status == status


def _refuse(ticket: Ticket, event: StatusChanged) -> str:
    return "frozen"


def test_a_refused_reaction_records_nothing() -> None:
    lifecycle = Lifecycle(
        "guarded",
        [Status("waiting", StatusCategory.WAITING_ON_CUSTOMER), Status("open", "open")],
        [
            Transition(trigger="wake", sources="waiting", dest="open", guards=[_refuse]),
            Transition(trigger="wait", sources="open", dest="waiting"),
        ],
        "waiting",
        [Reaction(on="customer_replied", sources="waiting", trigger="wake")],
    )
    ticket = Ticket.open(lifecycle, ticket_id="T-1", at=T0, priority="P1")
    with pytest.raises(GuardRejectedError, match="frozen"):
        ticket.record(CustomerReplied(at=T0 + H))
    assert len(ticket) == 1
    ticket.record(CustomerReplied(at=T0 + H), react=False)
    assert (len(ticket), ticket.status) == (2, "waiting")


@pytest.mark.parametrize(
    ("reaction", "message"),
    [
        (Reaction(on="customer_replied", sources="open", trigger="wake"), "cannot be fired"),
        (Reaction(on="status_changed", sources="waiting", trigger="wake"), "other than"),
        (Reaction(on="customer_replied", sources="gone", trigger="wake"), "is not one of"),
        (Reaction(on="customer_replied", sources="open", trigger="wait"), "needs a reason"),
    ],
)
def test_reactions_are_checked_when_the_lifecycle_is_defined(
    reaction: Reaction, message: str
) -> None:
    with pytest.raises(InvalidLifecycleError, match=message):
        Lifecycle(
            "x",
            [Status("waiting", "waiting_on_customer"), Status("open", "open")],
            [
                Transition(trigger="wake", sources="waiting", dest="open"),
                Transition(trigger="wait", sources="open", dest="waiting", reason_required=True),
            ],
            "waiting",
            [reaction],
        )


@given(tickets(helpdesk_lifecycle(), max_events=10))
def test_histories_with_reactions_replay_to_the_same_ticket(ticket: Ticket) -> None:
    replayed = Ticket.replay(ticket.history, ticket.lifecycle)
    assert replayed == ticket
    assert replayed.status == ticket.status
    history = ticket.history
    status = ticket.lifecycle.initial
    for index, event in enumerate(history):
        if isinstance(event, StatusChanged):
            status = event.to_status
        elif isinstance(event, CustomerReplied) and status in ("pending", "solved"):
            reopened = history[index + 1]
            assert isinstance(reopened, StatusChanged)
            assert (reopened.trigger, reopened.at) == ("customer_reply", event.at)


# -- manual escalations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "chain"),
    [
        (REACTIVE, "tiers"),
        (proactive_protocol(DESK), "tiers"),
        (daily_requests_protocol(DESK), "to-l2"),
        (crisis_protocol(MADRID), "war-room"),
    ],
    ids=lambda p: getattr(p, "name", p),
)
def test_every_ready_made_protocol_starts_its_chain_on_a_manual_escalation(
    protocol: object, chain: str
) -> None:
    ticket = protocol.open(ticket_id="T-1", at=T0, priority="P3")  # type: ignore[attr-defined]
    ticket.record(Escalated(at=T0 + 0.25 * H, level="L2", reason="angry customer"))
    report = protocol.evaluate(ticket, T0 + 0.25 * H)  # type: ignore[attr-defined]
    (first,) = [a for a in report.actions if a.source == chain]
    assert (first.kind, first.at) == ("notify", T0 + 0.25 * H)


def test_without_a_manual_escalation_l2_still_hears_at_half_the_target() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")  # resolution: 8 business h
    report = REACTIVE.evaluate(ticket, T0 + 5 * H)
    assert [(a.detail, a.at) for a in report.actions] == [("tier:L2", T0 + 4 * H)]


# -- follow-ups wait for an agent ------------------------------------------------------------


def test_a_call_goes_to_the_first_instant_the_team_and_the_customer_allow() -> None:
    bogota = BusinessCalendar("America/Bogota", "mon-fri 08:00-17:00")
    schedule = FollowUpSchedule(
        name="callback",
        anchor="opened",
        cadence=FixedOffsets([13 * H, 14 * H]),
        channels=("call", "email"),
        contact_window=ContactWindow(dt.time(8), dt.time(21)),
        team_hours=bogota,
    )
    opened = pendulum.datetime(2025, 3, 3, 9, tz=MADRID)  # Monday 09:00 Madrid, 03:00 Bogota
    ticket = Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-1", at=opened, priority="P2", customer_timezone=MADRID
    )
    due = schedule.evaluate(ticket, opened.add(days=3)).due
    # The call at 22:00 Madrid is quiet for the customer; 08:00 Madrid is 02:00 in Bogota;
    # the first instant both allow is 08:00 Bogota, 14:00 Madrid. The e-mail needs no agent:
    # deferred to 08:00 Madrid, before the call, it merges into it.
    assert [(f.channel, f.at) for f in due] == [
        ("call", pendulum.datetime(2025, 3, 4, 14, tz=MADRID)),
    ]
    email_first = attrs.evolve(schedule, channels=("email", "call"))
    assert [(f.channel, f.at) for f in email_first.evaluate(ticket, opened.add(days=3)).due] == [
        ("email", pendulum.datetime(2025, 3, 4, 8, tz=MADRID)),
        ("call", pendulum.datetime(2025, 3, 4, 14, tz=MADRID)),
    ]


@given(st.integers(0, 7 * 24 * 60), st.integers(1, 72))
def test_calls_are_always_inside_both_windows(minutes: int, hours: int) -> None:
    bogota = BusinessCalendar("America/Bogota", "mon-fri 08:00-17:00")
    window = ContactWindow(dt.time(8), dt.time(21))
    schedule = FollowUpSchedule(
        name="callback",
        anchor="opened",
        cadence=FixedOffsets([hours * H, (hours + 5) * H]),
        channels=("call",),
        contact_window=window,
        team_hours=bogota,
    )
    opened = T0.add(minutes=minutes)
    ticket = Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-1", at=opened, priority="P2", customer_timezone=MADRID
    )
    for follow_up in schedule.evaluate(ticket, opened.add(days=10)).due:
        at = to_micros(follow_up.at)
        assert bogota.is_open_micros(at)
        assert window.is_open(at, MADRID)
