"""Linked incidents: links, propagation recorded on every child, replayable histories."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    CorrectiveActionAssigned,
    CorrectiveActionDone,
    Event,
    NoteAdded,
    OptedOut,
    StatusChanged,
    SurveyAnswered,
    SurveySent,
    Ticket,
    TicketLinked,
    TicketOpened,
    TicketUnlinked,
    UpdateDelivered,
    UpdatePosted,
    event_from_dict,
    event_to_dict,
    helpdesk_lifecycle,
    incident_lifecycle,
)
from servicekit.errors import (
    EventDecodeError,
    IncidentError,
    InvalidEventError,
    OutOfOrderEventError,
)
from servicekit.followup import ContactWindow
from servicekit.protocols import (
    Broadcast,
    Incident,
    IncidentProtocol,
    LinkPolicy,
    PropagationRule,
    crisis_incident_protocol,
    link_intervals,
)
from servicekit.testing import aware_datetimes

H = dt.timedelta(hours=1)
T0 = pendulum.datetime(2025, 6, 2, 9, tz="UTC")
text = st.text(min_size=1, max_size=10)

NEW_EVENTS: st.SearchStrategy[Event] = st.one_of(
    st.builds(
        TicketOpened,
        at=aware_datetimes(),
        ticket_id=text,
        priority=text,
        detected_by=st.sampled_from([None, "customer", "monitoring", "social_media"]),
    ),
    st.builds(TicketLinked, at=aware_datetimes(), parent_id=text),
    st.builds(TicketUnlinked, at=aware_datetimes(), parent_id=text),
    st.builds(UpdatePosted, at=aware_datetimes(), update_id=text, text=st.text(max_size=20)),
    st.builds(UpdateDelivered, at=aware_datetimes(), parent_id=text, update_id=text, channel=text),
    st.builds(
        CorrectiveActionAssigned,
        at=aware_datetimes(),
        action_id=text,
        description=text,
        owner=text,
        business_days=st.integers(1, 60),
    ),
    st.builds(CorrectiveActionDone, at=aware_datetimes(), action_id=text),
    st.builds(SurveySent, at=aware_datetimes(), survey=text, channel=text),
    st.builds(
        SurveyAnswered,
        at=aware_datetimes(),
        survey=text,
        scale=st.just(5),
        score=st.integers(0, 5),
        comment=st.text(max_size=20),
    ),
)


@given(NEW_EVENTS)
def test_new_events_round_trip(event: Event) -> None:
    assert event_from_dict(event_to_dict(event)) == event


def test_event_values_are_checked() -> None:
    with pytest.raises(InvalidEventError, match="from 0 to the scale 5"):
        SurveyAnswered(at=T0, survey="csat", score=6)
    with pytest.raises(InvalidEventError, match="business_days"):
        CorrectiveActionAssigned(at=T0, action_id="a", description="d", owner="o", business_days=0)
    bad = {**event_to_dict(SurveyAnswered(at=T0, survey="csat", score=4)), "score": 9}
    with pytest.raises(EventDecodeError, match="scale"):
        event_from_dict(bad)
    old = event_to_dict(TicketOpened(at=T0, ticket_id="T", priority="P1"))
    del old["detected_by"]  # histories stored before the field existed still load
    assert event_from_dict(old) == TicketOpened(at=T0, ticket_id="T", priority="P1")


def _ticket(ticket_id: str, at: pendulum.DateTime = T0) -> Ticket:
    return Ticket.open(incident_lifecycle(), ticket_id=ticket_id, at=at, priority="P2")


def test_link_holds_child_and_resolve_propagates_with_a_note() -> None:
    incident = Incident(_ticket("INC-1"))
    incident.parent.fire("start", at=T0)
    children = [_ticket(f"C-{i}") for i in range(3)]
    for i, child in enumerate(children):
        incident.link(child, at=T0 + i * 0.1 * H)
    assert {c.status for c in children} == {"On Hold"}
    incident.unlink("C-2", at=T0 + H)
    assert children[2].status == "In Progress"  # the link held it, so unlinking resumes it
    result = incident.fire("resolve", at=T0 + 2 * H, actor="major-incident-manager")
    assert [c.status for c in children] == ["Resolved", "Resolved", "In Progress"]
    assert result.note is not None
    assert result.note in incident.parent.history
    assert dict(result.child_events).keys() == {"C-0", "C-1"}
    solved = children[0].history[-1]
    assert isinstance(solved, StatusChanged)
    assert solved.actor == "incident:INC-1"
    # reopening reopens the children, which wait on the parent again
    incident.fire("reopen", at=T0 + 3 * H, reason="came back")
    assert [c.status for c in children] == ["On Hold", "On Hold", "In Progress"]
    assert link_intervals(children[2], "INC-1") == [
        (int((T0.timestamp() + 0.2 * 3600) * 1e6), int((T0 + H).timestamp() * 1e6))
    ]


def test_late_link_to_a_solved_parent_solves_the_child_at_once() -> None:
    incident = Incident(_ticket("INC-1"))
    incident.fire("resolve", at=T0 + H)
    child = _ticket("C-1", T0 + 2 * H)
    events = incident.link(child, at=T0 + 2 * H)
    assert [type(e).__name__ for e in events] == ["TicketLinked", "StatusChanged"]
    assert child.status == "Resolved"


def test_refusals_change_nothing() -> None:
    incident = Incident(_ticket("INC-1"))
    child = _ticket("C-1")
    incident.link(child, at=T0)
    with pytest.raises(IncidentError, match="already linked"):
        incident.link(child, at=T0)
    with pytest.raises(IncidentError, match="own child"):
        incident.link(incident.parent, at=T0)
    with pytest.raises(IncidentError, match="not linked"):
        incident.unlink("C-9", at=T0)
    # a child with a later event makes the whole propagation fail, parent included
    late = _ticket("C-2")
    incident.link(late, at=T0)
    late.record(NoteAdded(at=T0 + 5 * H, text="written later"))
    before = (incident.parent.history, child.history, late.history)
    with pytest.raises(OutOfOrderEventError):
        incident.fire("resolve", at=T0 + H)
    assert (incident.parent.history, child.history, late.history) == before
    incident.post_update("u1", at=T0 + 6 * H)
    with pytest.raises(IncidentError, match="already posted"):
        incident.post_update("u1", at=T0 + 6 * H)


def test_policy_errors_are_named() -> None:
    with pytest.raises(IncidentError, match="two rules"):
        LinkPolicy(rules=[PropagationRule("resolve", "resolve")] * 2)
    # the child's reopen needs a reason the rule does not give
    policy = LinkPolicy(
        rules=[PropagationRule("resolve", "resolve"), PropagationRule("reopen", "reopen")]
    )
    incident = Incident(_ticket("INC-1"), policy)
    incident.link(_ticket("C-1"), at=T0)
    incident.fire("resolve", at=T0 + H)
    with pytest.raises(IncidentError, match="needs a reason"):
        incident.fire("reopen", at=T0 + 2 * H, reason="again")
    assert incident.parent.status == "Resolved"
    helpdesk = Ticket.open(helpdesk_lifecycle(), ticket_id="H-1", at=T0, priority="P2")
    bad_hold = Incident(_ticket("INC-2"), LinkPolicy(hold="pend"))
    with pytest.raises(IncidentError, match="hold trigger"):
        bad_hold.link(_ticket("C-3"), at=T0)
    Incident(_ticket("INC-3"), LinkPolicy(hold="hold", hold_reason=None)).link(helpdesk, at=T0)
    assert helpdesk.status == "on-hold"


OPS = st.lists(
    st.tuples(
        st.sampled_from(["link", "unlink", "resolve", "reopen", "update"]),
        st.integers(0, 5),
        st.integers(1, 90),
    ),
    max_size=30,
)


def _apply(incident: Incident, op: str, child: Ticket, at: pendulum.DateTime) -> None:
    """One random operation, where it makes sense."""
    linked = {c.id for c in incident.linked()}
    if op == "link" and child.id not in linked:
        incident.link(child, at=at)
    elif op == "unlink" and child.id in linked:
        incident.unlink(child.id, at=at)
    elif op == "resolve" and incident.parent.status != "Resolved":
        incident.fire("resolve", at=at)
    elif op == "reopen" and incident.parent.status == "Resolved":
        incident.fire("reopen", at=at, reason="again")
    elif op == "update":
        incident.post_update(f"u{len(incident.parent)}", at=at)


@given(OPS)
def test_random_link_sequences_replay_to_the_same_state(ops: list[tuple[str, int, int]]) -> None:
    incident = Incident(_ticket("INC-1"))
    pool = [_ticket(f"C-{i}") for i in range(6)]
    at = T0
    for op, index, minutes in ops:
        at = at.add(minutes=minutes)
        _apply(incident, op, pool[index], at)
    parent_solved = incident.parent.status == "Resolved"
    for child in pool:
        replayed = Ticket.replay(child.history, incident_lifecycle())
        assert replayed.status == child.status
        assert replayed == child
        if child.id in {c.id for c in incident.linked()}:
            # a linked child stands where its parent stands
            assert (child.status == "Resolved") == parent_solved
    assert Ticket.replay(incident.parent.history, incident_lifecycle()) == incident.parent


# -- broadcast updates ------------------------------------------------------------------------

TOKYO = "Asia/Tokyo"


def _customer(ticket_id: str, at: pendulum.DateTime, channel: str, zone: str) -> Ticket:
    return Ticket.open(
        incident_lifecycle(),
        ticket_id=ticket_id,
        at=at,
        priority="P3",
        channel=channel,
        customer_timezone=zone,
        detected_by="customer",
    )


def _send(incident: Incident, report: object, at: pendulum.DateTime) -> None:
    for d in report.deliveries:  # type: ignore[attr-defined]
        incident.children[d.child_id].record(
            UpdateDelivered(at=at, parent_id=incident.id, update_id=d.update_id, channel=d.channel)
        )


def test_merge_off_sends_every_update_and_opt_outs_are_counted() -> None:
    base = crisis_incident_protocol("UTC")
    protocol = IncidentProtocol(
        name="all", protocol=base.protocol, broadcast=Broadcast(merge=False)
    )
    incident = protocol.incident(_ticket("INC-1"))
    night = pendulum.datetime(2025, 6, 2, 14, tz="UTC")  # 23:00 in Tokyo
    sleeper = _customer("C-1", night, "sms", TOKYO)
    quitter = _customer("C-2", night, "email", "UTC")
    incident.link(sleeper, at=night)
    incident.link(quitter, at=night)
    quitter.record(OptedOut(at=night, channel="email"))
    for n in range(3):
        incident.post_update(f"u{n}", at=night.add(minutes=10 * n))
    report = protocol.evaluate(incident.parent, incident.children.values(), night.add(hours=1))
    assert (report.waiting, report.suppressed, report.superseded) == (3, 3, 0)
    morning = pendulum.datetime(2025, 6, 3, 8, tz=TOKYO)
    assert report.next_wakeup == morning
    report = protocol.evaluate(incident.parent, incident.children.values(), morning)
    assert [d.update_id for d in report.deliveries] == ["u0", "u1", "u2"]
    # the same question asked after the window closed again: nothing goes out at night
    late = pendulum.datetime(2025, 6, 3, 22, tz=TOKYO)
    report = protocol.evaluate(incident.parent, incident.children.values(), late)
    assert report.deliveries == ()
    assert report.next_wakeup == morning.add(days=1)


def test_update_promise_is_per_customer_and_unlink_stops_updates() -> None:
    protocol = crisis_incident_protocol("UTC")
    incident = protocol.incident(_ticket("INC-1"))
    incident.post_update("u1", at=T0)
    early = _customer("C-1", T0, "email", "UTC")
    late = _customer("C-2", T0 + 0.4 * H, "email", "UTC")
    incident.link(early, at=T0)
    _send(incident, protocol.evaluate(incident.parent, incident.children.values(), T0), T0)
    incident.link(late, at=T0 + 0.4 * H)
    report = protocol.evaluate(incident.parent, incident.children.values(), T0 + 0.4 * H)
    # the late customer is told the latest update at once, not at the next tick
    assert [(d.child_id, d.update_id) for d in report.deliveries] == [("C-2", "u1")]
    _send(incident, report, T0 + 0.4 * H)
    report = protocol.evaluate(incident.parent, incident.children.values(), T0 + 0.6 * H)
    assert [p.overdue for p in report.promises] == [True, False]
    (overdue,) = [a for a in report.actions if a.kind == "update_overdue"]
    assert overdue.detail == "1 customers"
    assert overdue.at == T0 + 0.5 * H
    incident.unlink("C-2", at=T0 + 0.7 * H)
    incident.post_update("u2", at=T0 + 0.8 * H)
    report = protocol.evaluate(incident.parent, incident.children.values(), T0 + 0.8 * H)
    assert [d.child_id for d in report.deliveries] == ["C-1"]
    assert report.linked == 1


def test_incident_definition_errors() -> None:
    with pytest.raises(IncidentError, match="update_every must be positive"):
        Broadcast(update_every=dt.timedelta(0))
    protocol = crisis_incident_protocol("UTC")
    parent = _ticket("INC-1")
    parent.record(UpdatePosted(at=T0, update_id="u"))
    parent.record(UpdatePosted(at=T0, update_id="u"))
    with pytest.raises(IncidentError, match="posted twice"):
        protocol.evaluate(parent, [], T0)
    window = ContactWindow()
    assert Broadcast(windows={"sms": window}).window_for("sms") is window


@given(OPS)
def test_no_idempotency_key_is_issued_twice(ops: list[tuple[str, int, int]]) -> None:
    protocol = crisis_incident_protocol("UTC")
    incident = protocol.incident(_ticket("INC-1"))
    zones = ["UTC", TOKYO, "America/Los_Angeles"]
    pool = [_customer(f"C-{i}", T0, ["sms", "email"][i % 2], zones[i % 3]) for i in range(6)]
    issued: set[str] = set()
    at = T0
    for op, index, minutes in ops:
        at = at.add(minutes=minutes * 7)
        _apply(incident, op, pool[index], at)
        report = protocol.evaluate(incident.parent, incident.children.values(), at)
        keys = [a.key for a in report.actions if a.kind == "broadcast_update"]
        assert not issued & set(keys)
        assert len(keys) == len(set(keys))
        issued.update(keys)
        _send(incident, report, at)


def test_a_delivery_message_says_what_the_update_says_and_when_the_next_comes() -> None:
    """The broadcast message once left out the update itself (every customer read the same
    "we know about it" however the incident went) and when the next update was due."""
    crisis = crisis_incident_protocol("Europe/Madrid")
    t0 = pendulum.datetime(2025, 6, 6, 20, 40, tz="Europe/Madrid")
    incident = crisis.incident(
        Ticket.open(incident_lifecycle(), ticket_id="INC-1", at=t0, priority="P1")
    )
    incident.parent.fire("start", at=t0)
    bogota = Ticket.open(
        incident_lifecycle(),
        ticket_id="C-1",
        at=t0,
        priority="P3",
        channel="voice",
        customer_timezone="America/Bogota",
    )
    incident.link(bogota, at=t0)
    incident.post_update("u1", at=t0.add(minutes=5), text="Refunds are on their way.")
    now = t0.add(minutes=5)
    (delivery,) = crisis.evaluate(incident.parent, [bogota], now).deliveries
    message = crisis.render_delivery(delivery, bogota, now, "es")
    assert "reportarlo.\n\nRefunds are on their way.\nPróxima actualización" in message.body
    # 30 waking minutes later in Bogotá (13:45 there), written in Spanish, in their zone
    assert "antes del viernes, 6 de junio de 2025, 14:15 (hora de Bogotá)" in message.body
    spanish = crisis.render_delivery(delivery, bogota, now, "es", text="Le devolvemos el dinero.")
    assert "Le devolvemos el dinero." in spanish.body
    assert "Refunds" not in spanish.body
    assert crisis.render_delivery(delivery, bogota, now, "es") == message  # pure
    bogota.record(
        UpdateDelivered(at=now, parent_id="INC-1", update_id="u1", channel=delivery.channel)
    )
    incident.fire("resolve", at=t0.add(hours=1))
    later = t0.add(hours=1)
    note = next(d for d in crisis.evaluate(incident.parent, [bogota], later).deliveries)
    solved = crisis.render_delivery(note, bogota, later, "en")
    assert "The incident is resolved" in solved.body
    assert "working on it" not in solved.body  # the frame does not contradict the solve
    assert "working on it" in crisis.render_delivery(delivery, bogota, now, "en").body
    assert "Next update" not in solved.body  # nothing more is promised on a solved ticket
