"""Lifecycles and tickets: definition checks, firing rules, replay, and a stateful test."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import pickle
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import cloudpickle
import pendulum
import pytest
from _instants import KINDS, instant_of_kind
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from servicekit import (
    ANY,
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Lifecycle,
    PriorityChanged,
    Status,
    StatusCategory,
    StatusChanged,
    Ticket,
    TicketOpened,
    Transition,
    event_to_dict,
    helpdesk_lifecycle,
    incident_lifecycle,
    service_request_lifecycle,
)
from servicekit._time import to_micros
from servicekit.errors import (
    EventConflictError,
    GuardRejectedError,
    HistoryReplayError,
    InvalidLifecycleError,
    InvalidTransitionError,
    OutOfOrderEventError,
    ReasonError,
    RoleNotAllowedError,
    ServiceKitError,
    UnknownStatusError,
)
from servicekit.testing import lifecycles, tickets

C = StatusCategory
T0 = pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid")
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def minutes(n: int) -> pendulum.DateTime:
    return T0.add(minutes=n)


def only_with_assignee(ticket: Ticket, event: StatusChanged) -> bool | str:
    """A guard: solving needs an agent assigned (recorded as an Assigned event)."""
    if any(type(e).__name__ == "Assigned" for e in ticket):
        return True
    return "assign the ticket before solving it"


# -- definition-time checks ---------------------------------------------------------------


def _lc(statuses: list[Status], transitions: list[Transition], initial: str = "a") -> Lifecycle:
    return Lifecycle("t", statuses, transitions, initial)


@pytest.mark.parametrize(
    ("statuses", "transitions", "initial", "fragment"),
    [
        ([Status("a", C.OPEN), Status("a", C.CLOSED)], [], "a", "defined twice"),
        ([Status("a", C.CLOSED)], [], "x", "initial status 'x'"),
        (
            [Status("a", C.OPEN), Status("b", C.CLOSED)],
            [Transition(trigger="go", sources="a", dest="c")],
            "a",
            "unknown status 'c'",
        ),
        (
            [Status("a", C.OPEN), Status("b", C.CLOSED), Status("c", C.CLOSED)],
            [Transition(trigger="go", sources="a", dest="b")],
            "a",
            "cannot be reached",
        ),
        (
            [Status("a", C.OPEN), Status("b", C.OPEN)],
            [Transition(trigger="go", sources="a", dest="b")],
            "a",
            r"'b' \(open\) has no way out",
        ),
        (
            [Status("a", C.OPEN), Status("b", C.CLOSED), Status("c", C.CLOSED)],
            [
                Transition(trigger="go", sources="a", dest="b"),
                Transition(trigger="go", sources=ANY, dest="c"),
            ],
            "a",
            "two transitions named 'go' leave status 'a'",
        ),
    ],
)
def test_lifecycle_definition_errors(
    statuses: list[Status], transitions: list[Transition], initial: str, fragment: str
) -> None:
    with pytest.raises(InvalidLifecycleError, match=fragment):
        _lc(statuses, transitions, initial)


def test_guards_must_be_named_functions() -> None:
    with pytest.raises(InvalidLifecycleError, match="module-level"):
        Transition(trigger="x", sources="a", dest="b", guards=[lambda t, e: True])


def test_lookups_and_unknown_status() -> None:
    lc = helpdesk_lifecycle()
    assert lc.category("pending") is C.WAITING_ON_CUSTOMER
    assert lc.triggers_from("solved") == ("customer_reply", "close")
    with pytest.raises(UnknownStatusError, match="no status 'done'"):
        lc.status("done")


def test_machine_is_a_copy_of_the_one_tickets_run_on() -> None:
    lc = incident_lifecycle()
    machine = lc.machine
    assert machine is not lc.machine  # a fresh copy each time: the lifecycle's own is private
    assert machine.models == []
    assert set(machine.states) == {s.name for s in lc.statuses}
    assert machine.get_transitions("close", source="Resolved")[0].dest == "Closed"
    assert lc._machine.models == []  # tickets are never bound to the lifecycle's machine
    # Changing the copy changes neither the lifecycle nor its tickets.
    machine.add_transition("close", "In Progress", "Closed")
    machine.get_transitions("resolve", source="New")[0].dest = "Canceled"
    ticket = Ticket.open(lc, ticket_id="M", at=T0, priority="P1")
    with pytest.raises(InvalidTransitionError):
        ticket.fire("close", at=T0)
    assert ticket.fire("resolve", at=T0).to_status == "Resolved"


@pytest.mark.parametrize(
    "factory", [incident_lifecycle, helpdesk_lifecycle, service_request_lifecycle]
)
def test_what_the_machine_shows_is_what_tickets_do(factory: Callable[[], Lifecycle]) -> None:
    lc = factory()
    machine = lc.machine
    for status in lc.statuses:
        for trigger, event in machine.events.items():
            found = event.transitions.get(status.name)
            if not found:
                with pytest.raises(InvalidTransitionError):
                    lc.destination(status.name, trigger)
                continue
            assert lc.destination(status.name, trigger) == found[0].dest
    assert sorted(machine.events) == sorted({t.trigger for t in lc.transitions})


def test_mermaid_is_generated_from_the_table() -> None:
    text = helpdesk_lifecycle().to_mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert 'state "on-hold" as s3' in text
    assert "s4 --> s1: customer_reply" in text  # solved reopens
    assert "s4 --> s5: close (after 4d)" in text
    assert "s5 --> [*]" in text


def test_ready_made_lifecycles_pickle_by_reference() -> None:
    for factory in (incident_lifecycle, helpdesk_lifecycle, service_request_lifecycle):
        assert pickle.loads(pickle.dumps(factory())) is factory()
        assert len(pickle.dumps(factory())) < 120


# -- firing ---------------------------------------------------------------------------------


def _incident() -> Ticket:
    return Ticket.open(incident_lifecycle(), ticket_id="INC-1", at=T0, priority="P2")


def test_fire_records_status_changes_and_intervals() -> None:
    t = _incident()
    t.fire("start", at=minutes(5), actor="ana")
    t.fire("hold", at=minutes(30), reason="awaiting_caller")
    t.fire("reassign", at=minutes(40))  # handover inside On Hold
    t.fire("resume", at=minutes(90))
    t.fire("resolve", at=minutes(120))
    assert t.status == "Resolved"
    assert t.category is C.SOLVED
    assert [type(e).__name__ for e in t.history] == ["TicketOpened"] + ["StatusChanged"] * 5
    intervals = t.status_intervals(minutes(200))
    assert [(i.status, i.start, i.end) for i in intervals] == [
        ("New", T0, minutes(5)),
        ("In Progress", minutes(5), minutes(30)),
        ("On Hold", minutes(30), minutes(90)),
        ("In Progress", minutes(90), minutes(120)),
        ("Resolved", minutes(120), minutes(200)),
    ]
    # As of an earlier instant, later events are ignored.
    assert [i.status for i in t.status_intervals(minutes(35))] == ["New", "In Progress", "On Hold"]
    assert t.status_intervals(T0.subtract(minutes=1)) == ()


def test_due_transitions_auto_close_seven_days_after_resolution() -> None:
    t = _incident()
    t.fire("resolve", at=minutes(60))
    lc = t.lifecycle
    (scheduled,) = lc.due_transitions(t, minutes(61))
    assert (scheduled.trigger, scheduled.dest, scheduled.due) == ("close", "Closed", False)
    assert scheduled.at == minutes(60).add(days=7)
    assert lc.due_transitions(t, minutes(60).add(days=7))[0].due
    t.fire("reopen", at=minutes(70), reason="not fixed")
    assert lc.due_transitions(t, minutes(70).add(days=30)) == ()


def test_timed_transition_in_business_time() -> None:
    from servicekit import BusinessCalendar

    desk = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
    lc = Lifecycle(
        "short",
        [Status("open", C.OPEN), Status("solved", C.SOLVED), Status("closed", C.CLOSED)],
        [
            Transition(trigger="solve", sources="open", dest="solved"),
            Transition(trigger="reopen", sources="solved", dest="open"),
            Transition(
                trigger="close",
                sources="solved",
                dest="closed",
                after=dt.timedelta(hours=16),
                calendar=desk,
            ),
        ],
        "open",
    )
    t = Ticket.open(lc, ticket_id="1", at=T0, priority="P3")
    t.fire("solve", at=pendulum.datetime(2025, 3, 7, 15, tz="Europe/Madrid"))  # Friday 15:00
    (due,) = lc.due_transitions(t, T0)
    assert due.at == pendulum.datetime(2025, 3, 11, 15, tz="Europe/Madrid")


@pytest.mark.parametrize(
    ("trigger", "kwargs", "error", "fragment"),
    [
        ("resolve", {}, InvalidTransitionError, None),
        ("close", {}, InvalidTransitionError, r"allowed from there: \['start', 'hold'"),
        ("hold", {}, ReasonError, "needs a reason"),
        ("hold", {"reason": "lunch"}, ReasonError, "not an allowed reason"),
        ("nope", {}, InvalidTransitionError, "'nope' cannot be fired from status 'New'"),
    ],
)
def test_refused_fires_change_nothing(
    trigger: str, kwargs: dict[str, str], error: type[Exception], fragment: str | None
) -> None:
    t = _incident()
    if trigger == "resolve":  # allowed from New: use a backwards time instead
        with pytest.raises(OutOfOrderEventError, match="earlier than the ticket's latest"):
            t.fire("resolve", at=T0.subtract(seconds=1))
        assert t.history == _incident().history
        return
    before = copy.copy(t.history)
    with pytest.raises(error, match=fragment):
        t.fire(trigger, at=minutes(1), **kwargs)
    assert t.history == before
    assert t.status == "New"


def test_roles_and_guards() -> None:
    sr = Ticket.open(service_request_lifecycle(), ticket_id="SR-1", at=T0, priority="low")
    with pytest.raises(RoleNotAllowedError, match="role 'agent' may not fire 'approve'"):
        sr.fire("approve", at=minutes(1), role="agent")
    sr.fire("approve", at=minutes(1), role="approver")
    lc = Lifecycle(
        "guarded",
        [Status("open", C.OPEN), Status("solved", C.CLOSED)],
        [Transition(trigger="solve", sources="open", dest="solved", guards=[only_with_assignee])],
        "open",
    )
    t = Ticket.open(lc, ticket_id="G-1", at=T0, priority="P1")
    with pytest.raises(GuardRejectedError, match="assign the ticket before solving it"):
        t.fire("solve", at=minutes(1))
    assert len(t) == 1
    from servicekit import Assigned

    t.record(Assigned(at=minutes(2), agent="ana"))
    t.fire("solve", at=minutes(3))
    assert t.status == "solved"


def test_record_checks_other_events() -> None:
    t = _incident()
    t.record(PriorityChanged(at=minutes(1), from_priority="P2", to_priority="P1"))
    assert t.priority == "P1"
    with pytest.raises(EventConflictError, match="has priority 'P1'"):
        t.record(PriorityChanged(at=minutes(2), from_priority="P2", to_priority="P3"))
    with pytest.raises(EventConflictError, match="already open"):
        t.record(TicketOpened(at=minutes(2), ticket_id="x", priority="P1"))
    with pytest.raises(InvalidTransitionError, match="leads from 'New' to 'In Progress'"):
        t.record(
            StatusChanged(at=minutes(3), trigger="start", from_status="New", to_status="Closed")
        )
    assert len(t) == 2


def test_replay_reports_the_first_bad_event() -> None:
    t = _incident()
    t.fire("start", at=minutes(1))
    t.record(AgentReplied(at=minutes(2)))
    events = [
        *t.history,
        StatusChanged(
            at=minutes(3), trigger="close", from_status="In Progress", to_status="Closed"
        ),
    ]
    with pytest.raises(HistoryReplayError) as info:
        Ticket.replay(events, incident_lifecycle())
    assert info.value.index == 3
    assert info.value.event is events[3]
    assert "'close' cannot be fired" in str(info.value)
    with pytest.raises(HistoryReplayError, match="must start with TicketOpened"):
        Ticket.replay([], incident_lifecycle())


def test_ticket_is_small_and_round_trips() -> None:
    t = _incident()
    t.fire("start", at=minutes(1))
    t.record(CustomerReplied(at=minutes(2)))
    assert Ticket.from_json(t.to_json(), incident_lifecycle()) == t
    clone = pickle.loads(pickle.dumps(t))
    assert clone == t
    assert clone.status == "In Progress"
    events_only = len(pickle.dumps(list(t.history)))
    assert len(pickle.dumps(t)) - events_only < 200  # no machine inside


# -- properties ------------------------------------------------------------------------------


@given(tickets())
def test_random_histories_replay_and_round_trip(ticket: Ticket) -> None:
    assert Ticket.replay(ticket.history, ticket.lifecycle) == ticket
    assert Ticket.from_json(ticket.to_json(), ticket.lifecycle) == ticket
    assert pickle.loads(pickle.dumps(ticket)) == ticket


@given(tickets(), st.integers(0, 60 * 24 * 40))
def test_status_intervals_cover_life_without_gaps(ticket: Ticket, offset: int) -> None:
    now = ticket.opened.at.add(minutes=offset)
    intervals = ticket.status_intervals(now)
    assert intervals[0].start == ticket.opened.at
    assert intervals[-1].end == now
    for before, after in itertools.pairwise(intervals):
        assert before.end == after.start
        assert before.start < before.end
        assert before.status != after.status
    assert all(ticket.lifecycle.status(i.status).category is i.category for i in intervals)


def assert_same_event(recorded: object, fired: StatusChanged) -> None:
    """The history's value for a fired change is the one ``fire`` returned: every field, the
    very zone object, the fold and the text it is written as."""
    assert type(recorded) is StatusChanged
    assert recorded == fired
    assert recorded.at.tzinfo is fired.at.tzinfo
    assert (repr(recorded), recorded.at.fold) == (repr(fired), fired.at.fold)
    assert event_to_dict(recorded) == event_to_dict(fired)


_LOG = Lifecycle.from_categories("log", {"a": "new", "b": "open", "c": "solved"})
_ZONES = ("Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "UTC")


_STEPS = st.lists(
    st.tuples(
        # Around the nights European and American clocks change, and any time of a year.
        st.one_of(
            st.datetimes(dt.datetime(2025, 3, 29), dt.datetime(2025, 4, 7)),
            st.datetimes(dt.datetime(2025, 10, 25), dt.datetime(2025, 11, 3)),
            st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1)),
        ),
        st.sampled_from(_ZONES),
        st.sampled_from(KINDS),
        st.sampled_from([0, 1]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([None, "agent-7"]),
        st.sampled_from([None, "because"]),
    ),
    max_size=12,
)


@given(_STEPS)
def test_a_compact_history_reads_back_what_was_fired(
    steps: list[tuple[dt.datetime, str, str, int, str, str | None, str | None]],
) -> None:
    """Fired changes kept compactly read back as the values fire returned, and the ticket
    answers exactly as one holding those values does (every kind of instant, gaps, folds,
    mixed zones, actors and reasons)."""
    ats = [
        instant_of_kind(local.replace(fold=fold), zone, kind)
        for local, zone, kind, fold, *_ in steps
    ]
    order = sorted(range(len(steps)), key=lambda i: to_micros(ats[i]))
    opened = min([T0, *ats], key=to_micros)
    ticket = Ticket.open(_LOG, ticket_id="C-1", at=opened, priority="P2")
    fired = [ticket.history[0]]
    for i in order:
        *_, trigger, actor, reason = steps[i]
        fired.append(ticket.fire(trigger, at=ats[i], actor=actor, reason=reason))
    assert len(ticket) == len(fired)
    for recorded, event in zip(ticket.history, fired, strict=True):
        if isinstance(event, StatusChanged):
            assert_same_event(recorded, event)
    whole = Ticket.replay(fired, _LOG)  # the same history, held as values
    assert ticket == whole
    assert whole == ticket
    for now in {event.at for event in fired}:
        assert ticket.status_intervals(now) == whole.status_intervals(now)
        assert ticket.as_of(now) == whole.as_of(now)
    assert (ticket.status, ticket.status_since, ticket.last_event_at) == (
        whole.status,
        whole.status_since,
        whole.last_event_at,
    )
    assert ticket.to_json() == whole.to_json()
    for clone in (pickle.loads(pickle.dumps(ticket)), cloudpickle.loads(cloudpickle.dumps(ticket))):
        assert clone == ticket
        assert [repr(e) for e in clone] == [repr(e) for e in ticket]


@pytest.mark.parametrize(
    "stamp",
    [
        lambda minute: dt.datetime(2025, 3, 3, 10, minute, tzinfo=MADRID),
        lambda minute: pendulum.datetime(2025, 3, 3, 10, minute, tz="Europe/Madrid"),  # fold=1
        lambda minute: T0.add(minutes=minute),
    ],
    ids=["zoneinfo", "pendulum.datetime", "pendulum add"],
)
def test_fired_changes_are_kept_compactly(stamp: Callable[[int], dt.datetime]) -> None:
    """Plain changes fired in one zone cost a word or two each (a shared route and an integer),
    not an event and an instant each (about 180 bytes)."""
    lc = helpdesk_lifecycle()

    def ticket_with_ten() -> Ticket:
        t = Ticket.open(lc, ticket_id="M-1", at=T0, priority="P2")
        for k in range(5):
            t.fire("open", at=stamp(2 * k + 1))
            t.fire("pend", at=stamp(2 * k + 2))
        return t

    one, other = ticket_with_ten(), ticket_with_ten()
    assert all(a is b for a, b in zip(one._items[1:], other._items[1:], strict=True))
    own = sys.getsizeof(one) + sys.getsizeof(one._items) + sys.getsizeof(one._us)
    assert own < 500, own
    assert [e.at.fold for e in one] == [T0.fold] + [stamp(0).fold] * 10


def test_pickles_compactly_and_reads_the_earlier_form() -> None:
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="P-1", at=T0, priority="P2")
    t.fire("open", at=minutes(1))
    t.fire("pend", at=minutes(2), actor="ana")
    t.record(CustomerReplied(at=minutes(3)))
    plain = len(pickle.dumps((t.lifecycle, list(t.history))))
    assert len(pickle.dumps(t)) < plain
    lifecycle, entries, *_ = t.__getstate__()
    assert entries[1:] == [
        "open",
        ("pend", T0.tzinfo, minutes(2).fold, "ana", None, None),
        t.history[-2],
        t.history[-1],
    ]
    # The (lifecycle, events) form: pickles made before, and rollbacks to a shorter history.
    earlier = Ticket.__new__(Ticket)
    earlier.__setstate__((lifecycle, list(t.history[:2])))
    assert earlier.history == t.history[:2]
    assert earlier.status == "open"


def test_unpickling_checks_the_history_again() -> None:
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="P-2", at=T0, priority="P2")
    t.fire("open", at=minutes(1))
    t.fire("solve", at=minutes(2))
    _, entries, first, steps, zone, fold = t.__getstate__()
    stricter = Lifecycle(
        "stricter",
        [Status("new", C.NEW), Status("open", C.OPEN), Status("solved", C.CLOSED)],
        [
            Transition(trigger="open", sources="new", dest="open"),
            Transition(trigger="close", sources="open", dest="solved"),
        ],
        "new",
    )
    clone = Ticket.__new__(Ticket)
    with pytest.raises(HistoryReplayError, match="event 2 of the history") as info:
        clone.__setstate__((stricter, entries, first, steps, zone, fold))
    assert info.value.index == 2


class TicketMachine(RuleBasedStateMachine):
    """Fire random triggers, valid or not, and check that failures change nothing."""

    ticket: Ticket
    at: pendulum.DateTime

    @initialize(lifecycle=lifecycles())
    def start(self, lifecycle: Lifecycle) -> None:
        self.at = T0
        self.ticket = Ticket.open(lifecycle, ticket_id="S-1", at=T0, priority="P2")
        self.triggers = sorted({tr.trigger for tr in lifecycle.transitions} | {"bogus"})

    @rule(
        data=st.data(),
        step=st.integers(-30, 600),
        reason=st.sampled_from([None, "a", "b", "because", "awaiting_caller"]),
        role=st.sampled_from([None, "agent", "lead", "approver"]),
    )
    def fire(self, data: st.DataObject, step: int, reason: str | None, role: str | None) -> None:
        trigger = data.draw(st.sampled_from(self.triggers))
        at = self.at.add(minutes=step)
        before = (self.ticket.history, self.ticket.status, self.ticket.priority)
        try:
            event = self.ticket.fire(trigger, at=at, reason=reason, role=role)
        except ServiceKitError:
            assert (self.ticket.history, self.ticket.status, self.ticket.priority) == before
        else:
            # The history keeps the change compactly and rebuilds an equal value.
            assert_same_event(self.ticket.history[-1], event)
            assert self.ticket.status == event.to_status
            self.at = at

    @rule(step=st.integers(0, 120), public=st.booleans())
    def reply(self, step: int, public: bool) -> None:
        self.at = self.at.add(minutes=step)
        self.ticket.record(AgentReplied(at=self.at, public=public))

    @invariant()
    def status_is_known(self) -> None:
        self.ticket.lifecycle.status(self.ticket.status)

    @invariant()
    def replay_and_json_are_identity(self) -> None:
        assert Ticket.replay(self.ticket.history, self.ticket.lifecycle) == self.ticket
        assert Ticket.from_json(self.ticket.to_json(), self.ticket.lifecycle) == self.ticket

    @invariant()
    def intervals_cover_life(self) -> None:
        intervals = self.ticket.status_intervals(self.at)
        assert intervals[0].start == T0
        assert intervals[-1].end == self.at
        assert all(a.end == b.start for a, b in itertools.pairwise(intervals))


test_ticket_machine = TicketMachine.TestCase


# -- the BPI Challenge 2013 log ----------------------------------------------------------------


def test_every_bpi2013_incident_replays(bpic2013_path: Path) -> None:
    from servicekit.datasets import bpic2013_tickets

    count = events = handovers = 0
    tiers: set[str | None] = set()
    for ticket in bpic2013_tickets(bpic2013_path):
        count += 1
        events += len(ticket)
        for e in ticket:
            if isinstance(e, StatusChanged) and e.from_status == e.to_status:
                handovers += 1
            if type(e).__name__ == "Assigned":
                tiers.add(e.tier)  # type: ignore[attr-defined]
    assert count == 7554
    assert handovers > 0
    assert tiers == {"1st", "2nd", "3rd"}
    assert events > 65_533  # every log event plus openings, assignments and priority changes


def test_shipped_sample_replays() -> None:
    from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets

    sample = list(bpic2013_tickets(bpic2013_sample_path()))
    assert len(sample) == 90
    assert {t.priority for t in sample} <= {"Low", "Medium", "High", "Major"}


def test_an_instant_in_another_status_does_not_split_a_stay() -> None:
    t = Ticket.open(helpdesk_lifecycle(), ticket_id="Z", at=T0, priority="P2")
    t.fire("open", at=minutes(1))
    t.fire("pend", at=minutes(5))
    t.fire("open", at=minutes(5))  # pending for no time at all
    assert [(i.status, i.start, i.end) for i in t.status_intervals(minutes(9))] == [
        ("new", T0, minutes(1)),
        ("open", minutes(1), minutes(9)),
    ]


def notes_then_refuses(ticket: Ticket, event: StatusChanged) -> str:
    """A misbehaving guard: it tries to change the ticket, then refuses."""
    from servicekit import AgentReplied

    ticket.record(AgentReplied(at=event.at, public=False))
    return "refused after writing"


def sees_everything(ticket: Ticket, event: StatusChanged) -> bool:
    """A guard reading what a ticket offers, as of the moment of the transition."""
    assert ticket.status == "open"
    assert ticket.history[-1].at <= event.at
    assert ticket.status_intervals(event.at)[-1].status == "open"
    assert len(ticket.as_of(event.at)) == len(ticket)
    return True


def test_a_guard_gets_a_read_only_view() -> None:
    from servicekit import TicketView
    from servicekit.errors import ReadOnlyTicketError

    lc = Lifecycle(
        "guarded-view",
        [Status("open", C.OPEN), Status("solved", C.CLOSED), Status("done", C.CLOSED)],
        [
            Transition(trigger="solve", sources="open", dest="solved", guards=[notes_then_refuses]),
            Transition(trigger="finish", sources="open", dest="done", guards=[sees_everything]),
        ],
        "open",
    )
    t = Ticket.open(lc, ticket_id="G-2", at=T0, priority="P1")
    with pytest.raises(ReadOnlyTicketError, match="read-only view of ticket 'G-2'"):
        t.fire("solve", at=minutes(1))
    assert (len(t), t.status) == (1, "open")
    t.fire("finish", at=minutes(2))
    assert t.status == "done"
    view = TicketView(t)
    with pytest.raises(ReadOnlyTicketError):
        view.fire("finish", at=minutes(3))
    assert pickle.loads(pickle.dumps(view)) == t


def _tr(**options: object) -> Transition:
    return Transition(trigger="t", sources="a", dest="b", **options)  # type: ignore[arg-type]


_AB = [Status("a", "new"), Status("b", "closed")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _tr(after=dt.timedelta(0)), "after must be positive"),
        (
            lambda: _tr(calendar=BusinessCalendar("UTC", "mon-fri 09:00-17:00")),
            "has a calendar but no `after` delay",
        ),
        (lambda: _tr(reasons=[]), r"allows no reason at all; give `reasons=None`"),
        (lambda: _tr().due_at(pendulum.datetime(2025, 1, 1)), r"'t' is not timed \(no `after`\)"),
        (
            lambda: Lifecycle("x", _AB, [_tr()], "a", reactions=["r"]),  # type: ignore[list-item]
            "reactions must be Reaction values, got 'r'",
        ),
        (lambda: Lifecycle("x", [], [], "a"), "a lifecycle needs at least one status"),
        (
            lambda: Lifecycle("x", ["a"], [], "a"),  # type: ignore[list-item]
            "statuses must be Status values, got 'a'",
        ),
        (
            lambda: Lifecycle("x", _AB, ["t"], "a"),  # type: ignore[list-item]
            "transitions must be Transition values, got 't'",
        ),
        (lambda: Lifecycle.from_categories("log", {}), "needs a non-empty mapping"),
        (
            lambda: Lifecycle.from_categories("log", {"New": "newish"}),
            r"status 'New': 'newish' is not a status category; use one of \['new'",
        ),
    ],
)
def test_lifecycle_refusals_name_the_fix(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidLifecycleError, match=message):
        make()


@given(lifecycles(), st.data())
def test_fire_route_keeps_what_fire_keeps(lifecycle: Lifecycle, data: st.DataObject) -> None:
    # Ticket._fire_route (a source reader's fire: the route resolved, the instant converted)
    # leaves the history, status and pickle fire leaves, and refuses what fire refuses.
    from servicekit._time import instant_micros

    zone = data.draw(st.sampled_from(["UTC", "Europe/Madrid", "America/Bogota"]))
    kind = data.draw(st.sampled_from(KINDS))
    start = dt.datetime(2025, 3, 29, 23, 30)
    opened = TicketOpened(at=pendulum.datetime(2025, 3, 1, tz="UTC"), ticket_id="T", priority="P")
    fired, routed = Ticket(lifecycle, opened), Ticket(lifecycle, opened)
    for _ in range(data.draw(st.integers(1, 8))):
        trigger = data.draw(st.sampled_from(lifecycle.triggers_from(fired.status) or ("none",)))
        tr = lifecycle._table.get((fired.status, trigger))
        role = data.draw(st.sampled_from(tr.roles)) if tr is not None and tr.roles else None
        actor = data.draw(st.sampled_from([None, "ana"]))
        local = start + dt.timedelta(minutes=data.draw(st.integers(-60, 3 * 24 * 60)))
        at = instant_of_kind(local, zone, kind)
        route = lifecycle._route(fired.status, trigger)
        refused: type[ServiceKitError] | None = None
        try:
            fired.fire(trigger, at=at, actor=actor, role=role)
        except ServiceKitError as exc:
            refused = type(exc)
        if refused is not None:
            if route is not None:
                assert refused in (OutOfOrderEventError, ReasonError)
                with pytest.raises(refused):
                    routed._fire_route(route, *instant_micros(at), actor, role)
            continue
        assert route is not None
        assert route.source == routed.status
        routed._fire_route(route, *instant_micros(at), actor, role)
        assert routed.status == fired.status
        assert routed.history == fired.history
        assert routed.status_since == fired.status_since
    assert pickle.loads(pickle.dumps(routed)) == fired


def test_category_of_reads_like_category() -> None:
    for lifecycle in (helpdesk_lifecycle(), incident_lifecycle(), service_request_lifecycle()):
        table = lifecycle._category_of
        assert lifecycle._category_of is table  # remembered
        for status in lifecycle.statuses:
            assert table[status.name] is lifecycle.category(status.name)
        with pytest.raises(UnknownStatusError, match="no status 'nowhere'"):
            table["nowhere"]
