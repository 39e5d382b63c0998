"""The wake-up scheduler: each due action once, the same as re-evaluating every ticket."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs
import pendulum
import pytest
from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from servicekit import (
    Acknowledged,
    AgentReplied,
    AttributesChanged,
    AttributeValue,
    BusinessCalendar,
    CustomerReplied,
    Escalated,
    FollowUpSent,
    NoteAdded,
    OptedOut,
    PriorityChanged,
    PromiseMade,
    Ticket,
    TicketOpened,
    helpdesk_lifecycle,
)
from servicekit._time import to_micros
from servicekit._timeline import timeline
from servicekit.errors import (
    SchedulerStateError,
    ServiceKitError,
    SlaPolicyError,
    TicketAlreadyHeldError,
    TicketNotHeldError,
)
from servicekit.escalation._evaluate import chain_inputs
from servicekit.protocols import (
    CustomActions,
    DueAction,
    ServiceProtocol,
    TicketAction,
    WakeupScheduler,
    crisis_protocol,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.sla import On, SlaPolicy, SlaReport, SlaTarget
from servicekit.testing import protocol_tickets

H = dt.timedelta(hours=1)
DESK = BusinessCalendar("UTC", "mon-fri 09:00-17:00")
REACTIVE = reactive_protocol(DESK)
CRISIS = crisis_protocol("Europe/Madrid")
T0 = pendulum.datetime(2025, 3, 3, 8, tz="UTC")


class ContractProtocol(ServiceProtocol):
    """A gold contract gets three quarters of every target: an attribute change re-targets
    the clocks."""

    def adjust_target(
        self, target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, AttributeValue]
    ) -> SlaTarget:
        share = 0.75 if attributes.get("contract") == "gold" else 1.0
        return attrs.evolve(target, target=target.target * share)


CONTRACT = ContractProtocol.from_protocol(proactive_protocol(DESK))
PROACTIVE = proactive_protocol(DESK)
assert REACTIVE.sla is not None
# No response targets at P3 (a ticket may still be moved there, and to P4, which no metric
# has): whole evaluations refuse some of these tickets, and a re-plan that reads only the
# metric its chains wait on (resolution) must refuse them just the same.
PARTIAL = attrs.evolve(
    REACTIVE,
    sla=SlaPolicy(
        "partial",
        [t for t in REACTIVE.sla.targets if t.metric.name == "resolution" or t.priority != "P3"],
    ),
)


class NaiveScheduler:
    """The reference: every ticket re-evaluated at every call, each key returned once."""

    def __init__(self, protocol: ServiceProtocol) -> None:
        self.protocol = protocol
        self.tickets: dict[str, Ticket] = {}
        self.emitted: dict[str, set[str]] = {}
        self.now: pendulum.DateTime | None = None

    def due(self, now: pendulum.DateTime) -> list[tuple[object, ...]]:
        if self.now is not None and now < self.now:
            return []
        # Every ticket evaluated before anything is committed: a refusal changes nothing.
        reports = [(i, self.protocol.evaluate(t, now)) for i, t in self.tickets.items()]
        self.now = now
        out = []
        for ticket_id, report in reports:
            for action in report.actions:
                if action.key not in self.emitted[ticket_id]:
                    self.emitted[ticket_id].add(action.key)
                    out.append((action.at, ticket_id, action.key, action.kind, action.detail))
        return sorted(out, key=lambda a: (a[0], a[1], a[2]))


def outcome(call: Callable[[], Sequence[tuple[object, ...]]]) -> object:
    """What ``call`` returns, or the type of the servicekit error it raises."""
    try:
        return list(call())
    except ServiceKitError as exc:
        return type(exc)


def flat(actions: tuple[TicketAction, ...]) -> list[tuple[object, ...]]:
    return [(a.action.at, a.ticket_id, a.key, a.action.kind, a.action.detail) for a in actions]


class SchedulerMatchesNaive(RuleBasedStateMachine):
    """Random tickets, events, saves and due(now) calls (later, the same, earlier)."""

    protocol: ServiceProtocol = REACTIVE
    opened_at: tuple[str, ...] = ("P1", "P2", "P3")
    moved_to: tuple[str, ...] = ("P1", "P2", "P3")

    def __init__(self) -> None:
        super().__init__()
        self.scheduler = WakeupScheduler(self.protocol)
        self.naive = NaiveScheduler(self.protocol)
        self.t = T0
        self.opened = 0

    def _open_ids(self) -> list[str]:
        return sorted(self.naive.tickets)

    @precondition(lambda self: len(self.naive.tickets) < 4)
    @rule(data=st.data())
    def open_ticket(self, data: st.DataObject) -> None:
        priority = data.draw(st.sampled_from(self.opened_at))
        self.opened += 1
        ticket = self.protocol.open(ticket_id=f"T-{self.opened}", at=self.t, priority=priority)
        self.scheduler.add(ticket)
        self.naive.tickets[ticket.id] = ticket
        self.naive.emitted[ticket.id] = set()

    # Coarse steps land on the instants rules fall due at (whole hours, quarter hours).
    @rule(minutes=st.sampled_from([0, 1, 15, 30, 60, 90, 4 * 60, 8 * 60]) | st.integers(0, 600))
    def time_passes(self, minutes: int) -> None:
        self.t = self.t.add(minutes=minutes)

    @precondition(lambda self: bool(self.naive.tickets))
    @rule(
        data=st.data(),
        kind=st.sampled_from(
            [
                *("fire", "fire", "agent", "customer", "ack", "escalate", "promise"),
                *("priority", "note", "sent", "opted_out", "contract"),
            ]
        ),
    )
    def event(self, data: st.DataObject, kind: str) -> None:
        ticket_id = data.draw(st.sampled_from(self._open_ids()))
        ticket = self.scheduler.ticket(ticket_id)
        if kind == "fire":
            triggers = ticket.lifecycle.triggers_from(ticket.status)
            if not triggers:
                return
            trigger = data.draw(st.sampled_from(triggers))
            tr = ticket.lifecycle.transition(ticket.status, trigger)
            reason = (tr.reasons or ("because",))[0] if tr.reason_required or tr.reasons else None
            self.scheduler.fire(ticket_id, trigger, at=self.t, reason=reason)
            return
        event = {
            "agent": lambda: AgentReplied(at=self.t, public=data.draw(st.booleans())),
            "customer": lambda: CustomerReplied(at=self.t),
            "ack": lambda: Acknowledged(
                at=self.t, chain=data.draw(st.sampled_from(["tiers", "lead-at-breach", "war-room"]))
            ),
            "escalate": lambda: Escalated(at=self.t, level="L2"),
            "promise": lambda: PromiseMade(
                at=self.t,
                due=self.t.add(minutes=data.draw(st.integers(1, 600))),
                description="call back",
            ),
            "priority": lambda: PriorityChanged(
                at=self.t,
                from_priority=ticket.priority,
                to_priority=data.draw(st.sampled_from(self.moved_to)),
            ),
            "note": lambda: NoteAdded(at=self.t, text="looked at it"),
            "sent": lambda: FollowUpSent(at=self.t, channel="email"),
            "opted_out": lambda: OptedOut(at=self.t),
            "contract": lambda: AttributesChanged(
                at=self.t, attributes={"contract": data.draw(st.sampled_from(["gold", "silver"]))}
            ),
        }[kind]()
        self.scheduler.record(ticket_id, event)

    @rule(offset=st.sampled_from([-60, 0, 0, 1, 15, 60, 4 * 60]) | st.integers(-180, 600))
    def due(self, offset: int) -> None:
        self._same_at(self.t.add(minutes=offset))

    def _same_at(self, now: pendulum.DateTime) -> None:
        expected = outcome(lambda: self.naive.due(now))
        assert outcome(lambda: flat(self.scheduler.due(now))) == expected

    @precondition(lambda self: self.naive.now is not None and bool(self.naive.tickets))
    @rule(actions_only=st.booleans())
    def due_at_the_next_change(self, actions_only: bool) -> None:
        """Ask at the earliest instant the protocol itself says anything changes: a scheduler
        that woke even a microsecond late would miss what falls due then."""
        assert self.naive.now is not None
        try:
            reports = [
                self.protocol.evaluate(t, self.naive.now) for t in self.naive.tickets.values()
            ]
        except ServiceKitError:
            return  # a refused ticket has no next change (due() compares the refusals)
        changes = [r.next_action_at if actions_only else r.next_wakeup for r in reports]
        events = [e.at for t in self.naive.tickets.values() for e in t if e.at > self.naive.now]
        upcoming = [c for c in changes if c is not None] + events
        if upcoming:
            self._same_at(min(upcoming))

    @precondition(lambda self: bool(self.naive.tickets))
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        ticket_id = data.draw(st.sampled_from(self._open_ids()))
        assert self.scheduler.close(ticket_id) is self.naive.tickets.pop(ticket_id)
        del self.naive.emitted[ticket_id]

    @rule()
    def restart_from_saved_state(self) -> None:
        text = self.scheduler.to_json()
        tickets = [self.scheduler.ticket(i) for i in self.scheduler]
        self.scheduler = WakeupScheduler.from_json(self.protocol, text, tickets)
        assert self.scheduler.to_json() == text

    @invariant()
    def holds_the_same_tickets(self) -> None:
        assert sorted(self.scheduler) == self._open_ids()
        for ticket_id in self.scheduler:
            assert self.scheduler.handed_out(ticket_id) == self.naive.emitted[ticket_id]


class CrisisSchedulerMatchesNaive(SchedulerMatchesNaive):
    protocol = CRISIS


class ContractSchedulerMatchesNaive(SchedulerMatchesNaive):
    """Promises, a periodic update and a target rule reading the ticket's attributes."""

    protocol = CONTRACT


class ProactiveSchedulerMatchesNaive(SchedulerMatchesNaive):
    """A keep-in-loop cadence by priority, and metrics no chain waits on."""

    protocol = PROACTIVE


class PartialPolicySchedulerMatchesNaive(SchedulerMatchesNaive):
    """Priorities some metrics (or all) have no target for: the same refusals."""

    protocol = PARTIAL
    opened_at = ("P1", "P2")
    moved_to = ("P1", "P2", "P3", "P4")


TestSchedulerMatchesNaive = SchedulerMatchesNaive.TestCase
TestProactiveSchedulerMatchesNaive = ProactiveSchedulerMatchesNaive.TestCase
TestPartialPolicySchedulerMatchesNaive = PartialPolicySchedulerMatchesNaive.TestCase
TestCrisisSchedulerMatchesNaive = CrisisSchedulerMatchesNaive.TestCase
TestContractSchedulerMatchesNaive = ContractSchedulerMatchesNaive.TestCase


# -- examples ------------------------------------------------------------------------------------


def test_hands_out_each_action_once_and_only_looks_when_due() -> None:
    scheduler = WakeupScheduler(REACTIVE)
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P1")
    scheduler.add(ticket)
    assert scheduler.next_wakeup == T0.add(hours=1)
    assert scheduler.due(T0.add(hours=1)) == ()
    wake = scheduler.next_wakeup
    assert wake is not None
    assert wake > T0.add(hours=1)
    assert scheduler.wakeup_of("T-1") == wake
    # Nothing is due before the wake-up, and asking then changes nothing.
    assert scheduler.due(wake - dt.timedelta(microseconds=1)) == ()
    assert scheduler.next_wakeup == wake
    # P1: resolution in 8 business hours from 09:00, so L2 at 13:00.
    due = scheduler.due(T0.add(hours=6))
    assert [(a.ticket_id, a.action.detail) for a in due] == [("T-1", "tier:L2")]
    assert due[0].key == due[0].action.key
    assert scheduler.handed_out("T-1") == {due[0].key}
    assert scheduler.due(T0.add(hours=6)) == ()
    assert scheduler.due(T0.add(hours=2)) == ()  # earlier: nothing, and nothing changes
    assert scheduler.now == T0.add(hours=6)


def test_recording_an_event_replans_only_that_ticket() -> None:
    scheduler = WakeupScheduler(REACTIVE)
    for i in (1, 2):
        scheduler.add(REACTIVE.open(ticket_id=f"T-{i}", at=T0.add(hours=1), priority="P1"))
    scheduler.due(T0.add(hours=1))
    before = scheduler.wakeup_of("T-2")
    assert before is not None
    assert before == scheduler.wakeup_of("T-1")
    scheduler.fire("T-1", "solve", at=before - dt.timedelta(minutes=1))
    assert scheduler.wakeup_of("T-1") == before - dt.timedelta(minutes=1)
    assert scheduler.wakeup_of("T-2") == before
    due = scheduler.due(T0.add(hours=6))
    # T-1 solved: its chains stopped; T-2 goes to L2.
    assert {a.ticket_id for a in due} == {"T-2"}
    assert scheduler.fire("T-1", "customer_reply", at=T0.add(hours=7)).to_status == "open"
    wake = scheduler.wakeup_of("T-1")
    assert wake is not None
    assert wake <= T0.add(hours=7)


def test_closing_removes_the_ticket() -> None:
    scheduler = WakeupScheduler(REACTIVE, [REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")])
    assert "T-1" in scheduler
    assert len(scheduler) == 1
    ticket = scheduler.close("T-1")
    assert ticket.id == "T-1"
    assert "T-1" not in scheduler
    assert scheduler.next_wakeup is None
    assert scheduler.due(T0.add(days=10)) == ()
    with pytest.raises(TicketNotHeldError, match="holds no ticket 'T-1'"):
        scheduler.record("T-1", AgentReplied(at=T0.add(days=11)))


def test_refuses_a_second_ticket_with_the_same_id_and_non_tickets() -> None:
    scheduler = WakeupScheduler(REACTIVE, [REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")])
    with pytest.raises(TicketAlreadyHeldError, match="already held"):
        scheduler.add(REACTIVE.open(ticket_id="T-1", at=T0, priority="P2"))
    with pytest.raises(TypeError):
        scheduler.add("T-2")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        WakeupScheduler("reactive")  # type: ignore[arg-type]


def test_a_refused_event_leaves_ticket_and_plan_unchanged() -> None:
    scheduler = WakeupScheduler(REACTIVE, [REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")])
    scheduler.due(T0.add(hours=1))
    state = scheduler.to_json()
    with pytest.raises(ServiceKitError):
        scheduler.record("T-1", AgentReplied(at=T0 - H))  # before the opening
    with pytest.raises(ServiceKitError):
        scheduler.fire("T-1", "close", at=T0.add(hours=2))  # not allowed from new
    assert scheduler.to_json() == state


def test_a_ticket_that_cannot_be_evaluated_leaves_the_scheduler_unchanged() -> None:
    only_p1 = ServiceProtocol(
        name="only-p1",
        lifecycle=helpdesk_lifecycle(),
        sla=SlaPolicy(
            "p1", [SlaTarget(metric="resolution", priority="P1", target=4 * H, calendar=DESK)]
        ),
    )
    scheduler = WakeupScheduler(only_p1)
    scheduler.add(only_p1.open(ticket_id="good", at=T0, priority="P1"))
    # protocol.open refuses P7; a ticket stored before the policy changed still has it.
    scheduler.add(Ticket.open(only_p1.lifecycle, ticket_id="bad", at=T0, priority="P7"))
    state = scheduler.to_json()
    with pytest.raises(SlaPolicyError) as caught:
        scheduler.due(T0.add(hours=1))
    assert any("ticket 'bad'" in note for note in caught.value.__notes__)
    assert scheduler.to_json() == state
    scheduler.close("bad")
    assert scheduler.due(T0.add(hours=1)) == ()
    # An SLA policy alone hands out no actions: nothing to wake up for.
    assert scheduler.wakeup_of("good") is None


def test_an_earlier_now_than_the_latest_event_still_wakes_for_that_event() -> None:
    scheduler = WakeupScheduler(CRISIS)
    ticket = CRISIS.open(ticket_id="C-1", at=T0, priority="P1")
    ticket.record(Escalated(at=T0.add(hours=2), level="L2"))
    scheduler.add(ticket)
    assert scheduler.due(T0.add(minutes=10)) == ()
    # The ticket was read as of 08:10; the escalation at 10:00 pages the crisis manager then.
    wake = scheduler.wakeup_of("C-1")
    assert wake is not None
    assert wake <= T0.add(hours=2)
    paged = [a.action.detail for a in scheduler.due(T0.add(hours=2))]
    assert "role:crisis-manager" in paged


def test_changed_replans_a_ticket_edited_directly() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")
    scheduler = WakeupScheduler(REACTIVE, [ticket])
    scheduler.due(T0.add(hours=1))
    ticket.fire("solve", at=T0.add(hours=1))
    scheduler.changed("T-1", since=T0.add(hours=1))
    assert scheduler.wakeup_of("T-1") == T0.add(hours=1)
    assert scheduler.due(T0.add(hours=6)) == ()


def test_saved_state_round_trips_and_a_grown_history_is_replanned() -> None:
    tickets = [REACTIVE.open(ticket_id=f"T-{i}", at=T0, priority="P1") for i in range(3)]
    scheduler = WakeupScheduler(REACTIVE, tickets)
    first = scheduler.due(T0.add(hours=6))
    assert len(first) == 3
    text = scheduler.to_json(indent=2)
    state = json.loads(text)
    assert state["now"] == T0.add(hours=6).isoformat()
    assert [t["id"] for t in state["tickets"]] == ["T-0", "T-1", "T-2"]
    # After the save, T-0 was solved and T-9 opened; the worker restarts.
    tickets[0].fire("solve", at=T0.add(hours=6, minutes=5))
    newcomer = REACTIVE.open(ticket_id="T-9", at=T0.add(hours=6), priority="P3")
    restored = WakeupScheduler.from_json(REACTIVE, text, [*tickets, newcomer])
    assert restored.wakeup_of("T-0") == T0.add(hours=6, minutes=5)
    assert restored.handed_out("T-1") == scheduler.handed_out("T-1")
    assert restored.due(T0.add(hours=6)) == ()
    later = restored.due(T0.add(days=3))
    assert "T-0" not in {a.ticket_id for a in later}
    assert not {a.key for a in later} & {a.key for a in first}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "not a saved wake-up scheduler"),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 99}',
            "version 99",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "crisis"}',
            "saved under protocol 'crisis'",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive"}',
            "no 'tickets' list",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive",'
            ' "now": "yesterday", "tickets": []}',
            "saved now 'yesterday'",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive",'
            ' "now": null, "tickets": [{"id": "T-1"}]}',
            "needs a string 'id'",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive",'
            ' "now": null, "tickets": [{"id": "T-5", "events": 1, "wake": null,'
            ' "handed_out": []}]}',
            "no history was given",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive",'
            ' "now": null, "tickets": [{"id": "T-1", "events": 4, "wake": null,'
            ' "handed_out": []}]}',
            "had 4 events when saved",
        ),
        (
            '{"format": "servicekit.wakeup-scheduler", "version": 1, "protocol": "reactive",'
            ' "now": null, "tickets": [7]}',
            "must be an object",
        ),
    ],
)
def test_restoring_refuses_state_that_does_not_fit(text: str, message: str) -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")
    with pytest.raises(SchedulerStateError, match=message):
        WakeupScheduler.from_json(REACTIVE, text, [ticket])


def test_restoring_refuses_a_ticket_given_twice() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")
    text = WakeupScheduler(REACTIVE, [ticket]).to_json()
    with pytest.raises(SchedulerStateError, match="two histories"):
        WakeupScheduler.from_json(REACTIVE, text, [ticket, ticket])


def test_rebuilt_from_histories_neither_repeats_nor_skips() -> None:
    def tickets() -> list[Ticket]:
        out = []
        for i in range(4):
            ticket = REACTIVE.open(ticket_id=f"T-{i}", at=T0.add(minutes=30 * i), priority="P2")
            ticket.record(AgentReplied(at=T0.add(hours=2, minutes=i)))
            out.append(ticket)
        return out

    steps = [T0.add(hours=h) for h in range(0, 60, 3)]
    whole = WakeupScheduler(REACTIVE, tickets())
    reference = [a for now in steps for a in whole.due(now)]
    # A worker handles the first half, crashes, and a new one rebuilds from the histories.
    first = WakeupScheduler(REACTIVE, tickets())
    handled = [a for now in steps[:8] for a in first.due(now)]
    rebuilt = WakeupScheduler.from_histories(REACTIVE, tickets(), acted_until=steps[7])
    assert rebuilt.now == steps[7]
    rest = [a for now in steps[8:] for a in rebuilt.due(now)]
    assert handled + rest == reference
    assert rest  # the test would pass vacuously otherwise


# -- re-planning only what an event can change ----------------------------------------------------


def _stale_after(ticket: Ticket, change: object, now: pendulum.DateTime) -> tuple[list[bool], bool]:
    """Which parts of the reactive protocol (tiers, lead-at-breach, keep-in-loop) a re-plan
    at ``now`` evaluates again after ``change`` (an event, or a trigger to fire)."""
    inputs = REACTIVE._replan_inputs()
    assert inputs is not None
    last = REACTIVE._replan(ticket, int(T0.add(hours=1).timestamp() * 1e6), None, inputs)
    seen = len(ticket)
    if isinstance(change, str):
        ticket.fire(change, at=now)
    else:
        ticket.record(change)  # type: ignore[arg-type]
    now_us = int(now.timestamp() * 1e6)
    return inputs.stale(ticket, ticket.history[seen:], last.parts, now_us)


@pytest.mark.parametrize(
    ("change", "stale", "retarget"),
    [
        # A reply (and the move from new to open it causes) meets the first response: no
        # chain waits on it, but the keep-in-loop schedule counts from it.
        (AgentReplied(at=T0.add(hours=2)), [False, False, True], False),
        (NoteAdded(at=T0.add(hours=2), text="seen"), [False, False, False], False),
        (Escalated(at=T0.add(hours=2), level="L2"), [True, False, False], False),
        (Acknowledged(at=T0.add(hours=2), chain="tiers"), [True, True, False], False),
        # A priority change re-targets the clocks the chains wait on; a follow-up run took
        # its cadence when it started, so the schedule's plan stands.
        (
            PriorityChanged(at=T0.add(hours=2), from_priority="P2", to_priority="P1"),
            [True, True, False],
            True,
        ),
        # Attributes re-target the clocks (the chains wait on them); no schedule reads them.
        (
            AttributesChanged(at=T0.add(hours=2), attributes={"vip": True}),
            [True, True, False],
            True,
        ),
        ("solve", [True, True, True], False),
    ],
)
def test_a_re_plan_evaluates_again_only_the_parts_an_event_can_change(
    change: object, stale: list[bool], retarget: bool
) -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P2")
    assert _stale_after(ticket, change, T0.add(hours=2)) == (stale, retarget)


def test_a_part_whose_next_action_has_come_is_evaluated_again() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P1")
    # P1: L2 at half of 8 business hours (13:00), the lead at the breach (17:00).
    stale, _ = _stale_after(ticket, NoteAdded(at=T0.add(hours=5), text="seen"), T0.add(hours=5))
    assert stale == [True, False, False]


def test_a_priority_change_re_plans_the_chains_that_wait_on_the_sla() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P3")
    scheduler = WakeupScheduler(REACTIVE, [ticket])
    scheduler.due(T0.add(hours=2))
    # P3: resolution in 40 business hours, L2 at 20; as P1, L2 at 4 (13:00 the same day).
    assert scheduler.wakeup_of("T-1") == pendulum.datetime(2025, 3, 5, 13, tz="UTC")
    scheduler.record(
        "T-1", PriorityChanged(at=T0.add(hours=2), from_priority="P3", to_priority="P1")
    )
    assert scheduler.due(T0.add(hours=2)) == ()
    assert scheduler.wakeup_of("T-1") == T0.add(hours=5)
    assert scheduler.wakeup_of("T-1") == REACTIVE.evaluate(ticket, T0.add(hours=2)).next_action_at
    assert [a.action.detail for a in scheduler.due(T0.add(hours=5))] == ["tier:L2"]


def test_a_reply_keeps_the_chains_plan_and_re_plans_the_follow_ups() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P1")
    scheduler = WakeupScheduler(REACTIVE, [ticket])
    scheduler.due(T0.add(hours=2))
    assert scheduler.wakeup_of("T-1") == T0.add(hours=5)  # L2
    scheduler.record("T-1", AgentReplied(at=T0.add(hours=2)))
    assert scheduler.due(T0.add(hours=2)) == ()
    assert scheduler.wakeup_of("T-1") == T0.add(hours=5)
    # The customer hears from the team again 4 business hours after the reply (14:00), after
    # L2 (13:00) and before the lead at the breach (17:00).
    assert [a.action.detail for a in scheduler.due(T0.add(hours=5))] == ["tier:L2"]
    assert scheduler.wakeup_of("T-1") == T0.add(hours=6)
    assert [a.action.kind for a in scheduler.due(T0.add(hours=6))] == ["follow_up"]
    # L3 at 90% of the resolution target (16:12).
    assert scheduler.wakeup_of("T-1") == T0.add(hours=8, minutes=12)
    assert [a.action.detail for a in scheduler.due(T0.add(hours=9))] == [
        "tier:L3",
        "role:team-lead",
    ]
    assert scheduler.wakeup_of("T-1") == REACTIVE.evaluate(ticket, T0.add(hours=9)).next_action_at


def test_a_follow_up_run_keeps_the_cadence_of_the_priority_it_started_at() -> None:
    # Proactive keep-in-loop: every 4 business hours at P2, every 2 at P1.
    ticket = PROACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P2")
    scheduler = WakeupScheduler(PROACTIVE, [ticket])
    scheduler.record("T-1", AgentReplied(at=T0.add(hours=1)))
    scheduler.due(T0.add(hours=1))
    plan = scheduler._held["T-1"].parts
    scheduler.record("T-1", _moved(ticket, "P1", 90))
    assert scheduler.due(T0.add(minutes=90)) == ()
    # The chains are re-planned for P1; the schedules' plans stand (the run began at P2).
    after = scheduler._held["T-1"].parts
    assert plan is not None
    assert after is not None
    assert after[16:] == plan[16:]
    assert after[:16] != plan[:16]
    report = PROACTIVE.evaluate(ticket, T0.add(minutes=90))
    assert scheduler.wakeup_of("T-1") == report.next_action_at
    keep = next(r for r in report.follow_ups if r.schedule == "keep-in-loop")
    assert keep.next_at == T0.add(hours=5)  # 4 business hours after the reply at 09:00


def _moved(ticket: Ticket, to: str, minutes: int) -> PriorityChanged:
    return PriorityChanged(
        at=T0.add(minutes=minutes), from_priority=ticket.priority, to_priority=to
    )


@pytest.mark.parametrize(
    ("reply", "later", "refused"),
    [
        # The first response's clock runs: its target at P3 is looked up, and missing.
        (False, (), SlaPolicyError),
        # Met already: P3 re-targets no running cycle of a response metric, and resolution
        # has a P3 target, so nothing is refused.
        (True, (), None),
        # Then the customer writes: a next-response cycle starts, at P3.
        (True, ("customer",), SlaPolicyError),
        # The same if the ticket goes back to P1 before the scheduler looks.
        (True, ("customer", "P1"), SlaPolicyError),
        # A ticket at P4, which no metric has, is refused by the chains' metric too.
        (True, ("P4",), SlaPolicyError),
    ],
)
def test_a_re_plan_refuses_a_priority_as_a_whole_evaluation_does(
    reply: bool, later: tuple[str, ...], refused: type[Exception] | None
) -> None:
    ticket = PARTIAL.open(ticket_id="T-1", at=T0.add(hours=1), priority="P1")
    scheduler = WakeupScheduler(PARTIAL, [ticket])
    if reply:
        scheduler.record("T-1", AgentReplied(at=T0.add(minutes=61)))
    scheduler.due(T0.add(minutes=62))  # planned with the whole policy, at P1
    scheduler.record("T-1", _moved(ticket, "P3", 63))
    if later:
        assert scheduler.due(T0.add(minutes=63)) == ()  # planned at P3: nothing refused yet
    for minutes, change in enumerate(later, 64):
        event = CustomerReplied(at=T0.add(minutes=minutes))
        scheduler.record("T-1", event if change == "customer" else _moved(ticket, change, minutes))
    now = T0.add(minutes=70)
    saved = scheduler.to_json()
    expected = outcome(lambda: PARTIAL.evaluate(ticket, now).actions)
    assert expected == ([] if refused is None else refused)
    assert outcome(lambda: scheduler.due(now)) == expected
    if refused is None:
        assert scheduler.wakeup_of("T-1") == PARTIAL.evaluate(ticket, now).next_action_at
    else:
        assert scheduler.to_json() == saved  # refused: the scheduler is as it was


def test_a_closed_and_added_again_ticket_is_planned_afresh() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=1), priority="P1")
    scheduler = WakeupScheduler(REACTIVE, [ticket])
    first = scheduler.due(T0.add(hours=5))
    assert [a.action.detail for a in first] == ["tier:L2"]
    scheduler.close("T-1")
    # The same id, another ticket: nothing of the closed one's plan or keys is kept.
    again = REACTIVE.open(ticket_id="T-1", at=T0.add(hours=5), priority="P1")
    scheduler.add(again)
    assert scheduler.handed_out("T-1") == frozenset()
    assert scheduler.due(T0.add(hours=5)) == ()
    assert scheduler.wakeup_of("T-1") == REACTIVE.evaluate(again, T0.add(hours=5)).next_action_at


class Reminded(ServiceProtocol):
    """A rule of the team's own: a reminder every hour the ticket is open."""

    def custom_actions(
        self, ticket: Ticket, now: pendulum.DateTime, sla: SlaReport | None
    ) -> CustomActions:
        hours = int((now - ticket.opened.at).total_seconds() // 3600)
        actions = [
            DueAction("remind", ticket.opened.at.add(hours=h), "own", "agent", f"{ticket.id}:{h}")
            for h in range(1, hours + 1)
        ]
        return CustomActions(actions, ticket.opened.at.add(hours=hours + 1))


def test_a_protocol_with_rules_of_its_own_is_evaluated_whole() -> None:
    protocol = Reminded.from_protocol(REACTIVE)
    assert protocol._replan_inputs() is None
    assert REACTIVE._replan_inputs() is not None
    scheduler = WakeupScheduler(protocol, [protocol.open(ticket_id="T-1", at=T0, priority="P3")])
    assert scheduler.due(T0) == ()
    assert scheduler.wakeup_of("T-1") == T0.add(hours=1)
    scheduler.record("T-1", NoteAdded(at=T0.add(minutes=90), text="seen"))
    assert [a.key for a in scheduler.due(T0.add(minutes=90))] == ["T-1:1"]
    assert scheduler.wakeup_of("T-1") == T0.add(hours=2)


def _actions(actions: Iterable[DueAction], done: set[str]) -> set[tuple[object, ...]]:
    return {(a.key, a.at, a.kind, a.detail, a.template) for a in actions if a.key not in done}


@settings(costly())
@given(protocol_tickets(max_events=10), st.integers(0, 4 * 24 * 60), st.integers(0, 3 * 24 * 60))
def test_a_re_plan_from_an_earlier_plan_answers_as_a_whole_evaluation(
    drawn: tuple[ServiceProtocol, Ticket], first_minutes: int, later_minutes: int
) -> None:
    """Whatever happened between two instants (events of every kind, before or after
    either instant, actions falling due), re-planning from the first plan gives the actions
    and the next action instant a whole evaluation gives, but for those handed out."""
    protocol, ticket = drawn
    inputs = protocol._replan_inputs()
    assert inputs is not None
    first_at = ticket.opened.at.add(minutes=first_minutes)
    later_at = first_at.add(minutes=later_minutes)
    first = protocol._replan(ticket, to_micros(first_at), None, inputs)
    whole = protocol.evaluate(ticket, first_at)
    assert _actions(first.actions, set()) == _actions(whole.actions, set())
    assert first.next_action_us == (whole.next_action_at and to_micros(whole.next_action_at))
    done = {a.key for a in first.actions}
    later = protocol._replan(ticket, to_micros(later_at), (first.seen, first.parts), inputs, done)
    whole = protocol.evaluate(ticket, later_at)
    assert _actions(later.actions, done) == _actions(whole.actions, done)
    assert later.next_action_us == (whole.next_action_at and to_micros(whole.next_action_at))


@settings(costly())
@given(protocol_tickets(max_events=10), st.integers(0, 4 * 24 * 60))
def test_what_a_re_plan_hands_its_chains_of_the_sla_is_what_the_report_says(
    drawn: tuple[ServiceProtocol, Ticket], minutes: int
) -> None:
    """The chains of a re-plan read each cycle's start and the instants it reaches fractions
    of its target from a lighter view than the report: the same answers."""
    protocol, ticket = drawn
    policy = protocol.sla
    if policy is None:
        return
    now_us = to_micros(ticket.opened.at.add(minutes=minutes))
    events = timeline(ticket, now_us)
    report = policy._report(ticket, events, now_us)
    instants = policy._instants(ticket, events, now_us)
    assert instants.for_metric("no such metric") == ()
    for metric in policy.metrics:
        cycles = instants.for_metric(metric.name)
        statuses = report.for_metric(metric.name)
        assert [c._started_us for c in cycles] == [s._started_us for s in statuses]
        for fraction in (0, 0.25, 0.5, 0.9, 1, 1.5):
            assert [c._instant_micros(fraction) for c in cycles] == [
                s._instant_micros(fraction) for s in statuses
            ]


def test_what_a_chain_reads_is_remembered_per_chain_value() -> None:
    tiers = REACTIVE.escalations[0]
    assert chain_inputs(tiers) is chain_inputs(tiers)
    assert chain_inputs(tiers).metrics == {"resolution"}
    assert "escalated" in chain_inputs(tiers).kinds
    # Another chain (an evolved copy) is read afresh, never answered from the first's entry.
    at_once = attrs.evolve(tiers, triggers=[On("ticket_opened")])
    assert "escalated" not in chain_inputs(at_once).kinds
    assert "ticket_opened" in chain_inputs(at_once).kinds
    assert "escalated" in chain_inputs(tiers).kinds
