"""A worker driven by next_action_at and new_actions against a naive poll-every-minute model:
random events and worker ticks, every action once, none missed, none late."""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from servicekit import (
    Acknowledged,
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Escalated,
    PriorityChanged,
    PromiseMade,
    Ticket,
)
from servicekit.protocols import ServiceProtocol, crisis_protocol, reactive_protocol
from servicekit.testing import EVENT_CHOICES, protocol_tickets, ready_made_protocols

MINUTE = dt.timedelta(minutes=1)
DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
PROTOCOLS = [reactive_protocol(DESK), crisis_protocol("Europe/Madrid")]
T0 = pendulum.datetime(2025, 3, 3, 8, 30, tz="Europe/Madrid")


class WorkerAgainstPolling(RuleBasedStateMachine):
    """The worker sleeps until ``next_action_at`` and remembers only its last instant and
    the keys it did then; the model evaluates every minute and remembers every key."""

    @initialize(protocol=st.sampled_from(PROTOCOLS), priority=st.sampled_from(["P1", "P2"]))
    def open_ticket(self, protocol: ServiceProtocol, priority: str) -> None:
        self.protocol = protocol
        self.ticket: Ticket = protocol.open(ticket_id="T-1", at=T0, priority=priority)
        self.now = T0
        self.polled = T0  # the model's last poll (on the minute)
        self.seen: dict[str, pendulum.DateTime] = {}
        self.done: dict[str, pendulum.DateTime] = {}
        self.since: pendulum.DateTime | None = None
        self.done_at_since: set[str] = set()
        self.wake: pendulum.DateTime | None = None
        self._poll(T0)
        self._tick(T0)

    def _poll(self, at: pendulum.DateTime) -> None:
        for action in self.protocol.evaluate(self.ticket, at).actions:
            self.seen.setdefault(action.key, action.at)
        self.polled = at

    def _tick(self, at: pendulum.DateTime) -> None:
        report = self.protocol.evaluate(self.ticket, at)
        fresh = report.new_actions(self.since, done=self.done_at_since)
        for action in fresh:
            assert action.key not in self.done, f"{action.key} handed out twice"
            assert action.at <= at
            self.done[action.key] = at
        self.done_at_since = {a.key for a in report.actions if a.at == at and a.key in self.done}
        self.since = at
        self.wake = report.next_action_at

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes: int) -> None:
        target = self.now + minutes * MINUTE
        while self.wake is not None and self.wake <= target:
            self._tick(self.wake)
        poll = self.polled + MINUTE
        while poll <= target:
            self._poll(poll)
            poll += MINUTE
        self.now = target

    @rule(
        kind=st.sampled_from(
            ["agent", "customer", "escalated", "acknowledged", "promise", "priority"]
        ),
        seconds=st.integers(1, 59),
        data=st.data(),
    )
    def something_happens(self, kind: str, seconds: int, data: st.DataObject) -> None:
        # Between two of the model's polls, as events come in a real app.
        at = self.now + dt.timedelta(seconds=seconds)
        while self.wake is not None and self.wake <= at:
            self._tick(self.wake)
        if kind == "agent":
            event = AgentReplied(at=at, public=data.draw(st.booleans()))
        elif kind == "customer":
            event = CustomerReplied(at=at)
        elif kind == "escalated":
            event = Escalated(at=at, level="L2")
        elif kind == "acknowledged":
            chains = [c.name for c in self.protocol.escalations]
            event = Acknowledged(at=at, chain=data.draw(st.sampled_from(chains)))
        elif kind == "promise":
            event = PromiseMade(at=at, due=at.add(minutes=data.draw(st.integers(1, 300))))
        else:
            target = data.draw(st.sampled_from(["P1", "P2", "P3"]))
            event = PriorityChanged(at=at, from_priority=self.ticket.priority, to_priority=target)
        if self.protocol.sla is not None and not self.protocol.sla.knows_priority(
            getattr(event, "to_priority", self.ticket.priority)
        ):
            return
        self.ticket.record(event)
        self._tick(at)  # the app tells its worker the ticket changed
        self.now = at

    @invariant()
    def same_actions_as_polling(self) -> None:
        if not hasattr(self, "protocol"):
            return
        polled = self.polled
        model = {k for k, at in self.seen.items() if at <= polled}
        worker = {k for k in self.done if self.seen.get(k) is None or self.seen[k] <= polled}
        assert {k for k in worker if k in self.seen} == model, "the worker missed an action"
        # The worker acted no later than the model saw it.
        for key, seen_at in self.seen.items():
            if key in self.done and seen_at <= polled:
                assert self.done[key] <= polled


# The model evaluates every minute, so each step costs up to 90 evaluations: a run takes half
# the profile's steps (12 in ci, 50 in deep); the profile still sets how many runs.
_PROFILE = settings.get_profile(settings._current_profile or "default")
TestWorkerAgainstPolling = WorkerAgainstPolling.TestCase
TestWorkerAgainstPolling.settings = settings(
    _PROFILE, stateful_step_count=max(1, _PROFILE.stateful_step_count // 2)
)


@given(protocol_tickets(max_events=10))
def test_protocol_tickets_hold_every_event_kind(drawn: tuple[ServiceProtocol, Ticket]) -> None:
    protocol, ticket = drawn
    assert Ticket.replay(ticket.history, ticket.lifecycle) == ticket
    report = protocol.evaluate(ticket, ticket.last_event_at.add(days=1))
    assert report.next_wakeup is None or report.next_wakeup > report.now


def test_protocol_tickets_reach_every_event_kind() -> None:
    kinds: set[str] = set()

    # Whether every kind is reached depends on how many tickets are drawn: the profile's depth,
    # but never fewer than the ci profile's (the 10 examples of .ci/min-deps missed two kinds).
    @settings(settings.default, max_examples=max(25, settings.default.max_examples))
    @given(protocol_tickets(ready_made_protocols(), max_events=14))
    def collect(drawn: tuple[ServiceProtocol, Ticket]) -> None:
        kinds.update(type(e).kind for e in drawn[1].history)

    collect()
    assert len(EVENT_CHOICES) == 11
    assert kinds >= {
        "ticket_opened",
        "status_changed",
        "agent_replied",
        "customer_replied",
        "priority_changed",
        "assigned",
        "escalated",
        "acknowledged",
        "promise_made",
        "attributes_changed",
        "follow_up_sent",
        "opted_out",
    }
