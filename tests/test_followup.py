"""Follow-up schedules: worked patterns, quiet hours and DST, promises, iCalendar, invariants,
and the BPI Challenge 2013 nightly closing batch."""

from __future__ import annotations

import collections
import datetime as dt
import zoneinfo
from pathlib import Path

import icalendar
import pendulum
import pytest
import recurring_ical_events
from hypothesis import given
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    FollowUpSent,
    OptedOut,
    PromiseMade,
    StatusChanged,
    Ticket,
    helpdesk_lifecycle,
)
from servicekit.errors import InvalidFollowUpError, ServiceKitError, UnknownTimezoneError
from servicekit.followup import (
    Backoff,
    ContactWindow,
    Daily,
    FixedOffsets,
    FollowUpSchedule,
    Interval,
    PromiseState,
    QuietAction,
    TerminalAction,
    to_ical,
)
from servicekit.testing import follow_up_schedules, tickets

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
T0 = pendulum.datetime(2025, 3, 3, 10, tz=MADRID)  # a Monday


def ticket(zone: str | None = "America/New_York", priority: str = "P2") -> Ticket:
    return Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-1", at=T0, priority=priority, customer_timezone=zone
    )


BUMP_BUMP_SOLVE = FollowUpSchedule(
    name="bump-bump-solve",
    cadence=FixedOffsets([24 * H, 72 * H, 120 * H]),
    pause_in={"new", "open", "waiting_on_third_party"},  # counts only while pending
    terminal=TerminalAction("solve", after_attempts=2),
    contact_window=None,
)


def test_bump_bump_solve() -> None:
    t = ticket()
    t.record(AgentReplied(at=T0 + H))
    t.fire("pend", at=T0 + H)
    report = BUMP_BUMP_SOLVE.evaluate(t, T0 + 6 * 24 * H)
    assert [f.at for f in report.due] == [T0 + 25 * H, T0 + 73 * H]
    assert report.terminal is not None
    assert (report.terminal.action, report.terminal.at) == ("solve", T0 + 121 * H)
    assert report.next_at is None
    # A customer answer stops it; nothing more is due.
    t.record(CustomerReplied(at=T0 + 30 * H))  # it reopens the ticket by itself
    later = BUMP_BUMP_SOLVE.evaluate(t, T0 + 6 * 24 * H)
    assert [f.attempt for f in later.due] == [1]
    assert later.terminal is None


def test_keep_in_loop_in_business_hours() -> None:
    desk = BusinessCalendar(MADRID, "mon-fri 09:00-17:00")
    keep = FollowUpSchedule(
        name="keep-in-loop",
        cadence=Interval(4 * H),
        clock=desk,
        channels=("email", "sms", "call"),
        max_attempts=3,
    )
    t = ticket()
    t.record(AgentReplied(at=T0 + H))  # Monday 11:00 in Madrid
    report = keep.evaluate(t, T0 + 3 * 24 * H)
    ny = "America/New_York"
    assert [(f.at, f.channel) for f in report.due] == [
        (pendulum.datetime(2025, 3, 3, 9, tz=ny), "email"),  # Mon 15:00 Madrid
        # Tue 11:00 Madrid is 05:00 in New York: deferred to the customer's 08:00.
        (pendulum.datetime(2025, 3, 4, 8, tz=ny), "sms"),
        (pendulum.datetime(2025, 3, 4, 9, tz=ny), "call"),
    ]
    # Every agent update resets the cadence.
    t.record(AgentReplied(at=T0 + 4 * H))
    reset = keep.evaluate(t, T0 + 4 * H)
    # Monday 14:00 + 4 business hours = Tuesday 10:00 in Madrid, 04:00 in New York: 08:00 there.
    assert reset.next_at == pendulum.datetime(2025, 3, 4, 8, tz=ny)


def test_quiet_hours_skip_and_merge() -> None:
    every_two_hours = {"cadence": Interval(2 * H), "max_attempts": 6}
    t = ticket(zone="Asia/Tokyo")  # Madrid's working day is Tokyo's evening and night
    t.record(AgentReplied(at=T0))
    defer = FollowUpSchedule(name="d", **every_two_hours).evaluate(t, T0 + 24 * H)
    skip = FollowUpSchedule(name="s", quiet_action=QuietAction.SKIP, **every_two_hours).evaluate(
        t, T0 + 24 * H
    )
    merge = FollowUpSchedule(name="m", quiet_action=QuietAction.MERGE, **every_two_hours).evaluate(
        t, T0 + 24 * H
    )
    window = ContactWindow()
    for report in (defer, skip, merge):
        assert all(window.is_open(int(f.at.timestamp() * 1e6), "Asia/Tokyo") for f in report.due)
    # Deferred attempts merge into one at the window's opening, never stack.
    assert len({f.at for f in defer.due}) == len(defer.due)
    assert len(skip.due) < len(merge.due) <= 6


def test_daily_wall_clock_time_never_lands_in_a_dst_gap() -> None:
    daily = FollowUpSchedule(name="daily", cadence=Daily(dt.time(2, 30)), contact_window=None)
    berlin = "Europe/Berlin"
    t = Ticket.open(
        helpdesk_lifecycle(),
        ticket_id="B",
        at=pendulum.datetime(2025, 3, 28, 12, tz=berlin),
        priority="P3",
        customer_timezone=berlin,
    )
    t.record(AgentReplied(at=pendulum.datetime(2025, 3, 28, 12, tz=berlin)))
    due = daily.evaluate(t, pendulum.datetime(2025, 4, 1, tz=berlin)).due
    local = [f.at.in_timezone(berlin) for f in due]
    assert [(d.day, d.hour, d.minute) for d in local] == [(29, 2, 30), (30, 3, 30), (31, 2, 30)]


def test_promises_are_reminded_kept_or_broken() -> None:
    schedule = FollowUpSchedule(name="p", cadence=FixedOffsets([48 * H]), remind_before=0.5 * H)
    t = ticket()
    t.record(PromiseMade(at=T0, due=T0 + 5 * H, description="call back with the fix"))
    (pending,) = schedule.evaluate(t, T0 + H).promises
    assert pending.state is PromiseState.PENDING
    assert pending.remind_at == T0 + 4.5 * H
    assert not pending.reminder_due
    assert schedule.evaluate(t, T0 + H).next_at == T0 + 4.5 * H
    assert schedule.evaluate(t, T0 + 4.75 * H).promises[0].reminder_due
    assert schedule.evaluate(t, T0 + 5 * H).promises[0].state is PromiseState.BROKEN
    t.record(FollowUpSent(at=T0 + 5 * H, channel="call"))  # at the due instant: kept
    kept = schedule.evaluate(t, T0 + 6 * H).promises[0]
    assert (kept.state, kept.kept_at) == (PromiseState.KEPT, T0 + 5 * H)


def test_opt_out_and_solve_stop_everything() -> None:
    schedule = FollowUpSchedule(name="x", cadence=Interval(H), contact_window=None)
    t = ticket()
    t.record(AgentReplied(at=T0))
    t.record(OptedOut(at=T0 + 2.5 * H))
    report = schedule.evaluate(t, T0 + 10 * H)
    assert [f.attempt for f in report.due] == [1, 2]
    assert report.next_at is None


@pytest.mark.parametrize("action", [QuietAction.SKIP, QuietAction.MERGE])
def test_attempts_always_in_quiet_hours_end_the_run(action: QuietAction) -> None:
    night = FollowUpSchedule(name="n", cadence=Daily(dt.time(2, 30)), quiet_action=action)
    t = ticket()
    t.record(AgentReplied(at=T0))
    report = night.evaluate(t, T0 + 72 * H)
    assert report.due == ()
    assert report.next_at is None


def test_backoff_is_capped_and_deterministic() -> None:
    schedule = FollowUpSchedule(
        name="b", cadence=Backoff(H, factor=2, cap=4 * H), contact_window=None, max_attempts=5
    )
    t = ticket()
    t.record(AgentReplied(at=T0))
    due = schedule.evaluate(t, T0 + 48 * H).due
    assert [(f.at - T0).total_seconds() / 3600 for f in due] == [1, 3, 7, 11, 15]


def test_ical_export_round_trips() -> None:
    schedule = FollowUpSchedule(
        name="ics", cadence=Interval(2 * H), contact_window=None, max_attempts=3
    )
    t = ticket()
    t.record(AgentReplied(at=T0))
    t.record(PromiseMade(at=T0, due=T0 + 3 * H, description="send the invoice"))
    exported = schedule.to_ical(t, T0, 24 * H)
    assert exported == to_ical(schedule, t, T0, 24 * H)
    parsed = icalendar.Calendar.from_ical(exported)
    todos = list(parsed.walk("VTODO"))
    dues = sorted(c.decoded("due") for c in todos if "rrule" not in c)
    assert dues[:2] == [T0 + 2 * H, T0 + 3 * H]
    assert all(c.walk("VALARM") for c in todos if "rrule" not in c)
    (recurring,) = [c for c in todos if "rrule" in c]
    assert recurring["rrule"]["FREQ"] == ["MINUTELY"]
    assert recurring["rrule"]["INTERVAL"] == [120]
    assert recurring["rrule"]["COUNT"] == [3]
    assert recurring.decoded("dtstart") == T0 + 2 * H
    # Once the first attempt is made, the rule starts at the second and counts two.
    later = icalendar.Calendar.from_ical(schedule.to_ical(t, T0 + 2.5 * H, 24 * H))
    (recurring,) = [c for c in later.walk("VTODO") if "rrule" in c]
    assert recurring.decoded("dtstart") == T0 + 4 * H
    assert recurring["rrule"]["COUNT"] == [2]


def test_negative_offsets_and_empty_windows_are_refused() -> None:
    with pytest.raises(InvalidFollowUpError, match="negative"):
        FixedOffsets([-H])
    with pytest.raises(InvalidFollowUpError, match="whole day"):
        ContactWindow(dt.time(8), dt.time(8))
    with pytest.raises(InvalidFollowUpError, match="at least one offset"):
        FixedOffsets([])
    with pytest.raises(InvalidFollowUpError, match="weekdays"):
        ContactWindow(weekdays=())
    with pytest.raises(InvalidFollowUpError, match="factor"):
        Backoff(H, factor=0.5)
    with pytest.raises(InvalidFollowUpError, match="positive"):
        Interval(dt.timedelta(0))


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"cadence": {}}, InvalidFollowUpError, "needs a cadence"),
        ({"default_timezone": "Mars/Olympus"}, UnknownTimezoneError, "Mars/Olympus"),
        ({"max_attempts": 0}, InvalidFollowUpError, "at least 1"),
        ({"channels": ()}, InvalidFollowUpError, "at least one channel"),
    ],
)
def test_bad_definitions(kwargs: dict[str, object], error: type[Exception], fragment: str) -> None:
    args: dict[str, object] = {"name": "bad", "cadence": Interval(H)}
    args.update(kwargs)
    with pytest.raises(error, match=fragment):
        FollowUpSchedule(**args)  # type: ignore[arg-type]


# -- invariants --------------------------------------------------------------------------------

SCHEDULES = st.builds(
    FollowUpSchedule,
    name=st.just("prop"),
    cadence=st.sampled_from(
        [Interval(3 * H), FixedOffsets([H, 5 * H, 30 * H]), Backoff(H, 3.0, 20 * H)]
    ),
    quiet_action=st.sampled_from(list(QuietAction)),
    max_attempts=st.sampled_from([None, 1, 4]),
    channels=st.just(("email", "sms", "call")),
    min_gap_after_update=st.sampled_from([dt.timedelta(0), 2 * H]),
)
ZONES = st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)


@st.composite
def histories(draw: st.DrawFn) -> Ticket:
    t = draw(tickets(helpdesk_lifecycle(), max_events=8))
    zone = draw(ZONES)
    rebuilt = Ticket.open(
        t.lifecycle,
        ticket_id=t.id,
        at=t.opened.at,
        priority=t.opened.priority,
        customer_timezone=zone,
    )
    for event in t.history[1:]:
        rebuilt.record(event, react=False)  # the history holds the reactions already
    return rebuilt


@given(SCHEDULES, histories(), st.integers(0, 30 * 24), st.integers(0, 30 * 24))
def test_follow_up_invariants(schedule: FollowUpSchedule, t: Ticket, a: int, b: int) -> None:
    zone = t.opened.customer_timezone
    assert zone is not None
    last = t.last_event_at
    early, late = last.add(hours=min(a, b)), last.add(hours=max(a, b))
    first, second = schedule.evaluate(t, early), schedule.evaluate(t, late)
    # With no new events, the later list extends the earlier one.
    assert second.due[: len(first.due)] == first.due
    if first.next_at is not None:
        assert first.next_at > early
    tz = zoneinfo.ZoneInfo(zone)
    per_run = collections.Counter(f.run for f in second.due)
    for f in second.due:
        local = f.at.astimezone(tz)
        assert dt.time(8) <= local.time() < dt.time(21), local  # never in quiet hours
        assert local.replace(tzinfo=None).replace(tzinfo=tz) == local  # a real local time
    if schedule.max_attempts is not None:
        assert max(per_run.values(), default=0) <= schedule.max_attempts
    assert len({f.key for f in second.due}) == len(second.due)
    # Nothing is due after a stop event within its run.
    stops = [e.at for e in t if type(e).__name__ in ("CustomerReplied", "OptedOut")]
    for f in second.due:
        assert not any(f.anchor < s <= f.at for s in stops)


# -- the BPI Challenge 2013 log: the nightly closing batch --------------------------------------


def test_bpi2013_nightly_batch_closes_seven_days_after_resolution(bpic2013_path: Path) -> None:
    from servicekit.datasets import bpic2013_tickets

    auto_close = FollowUpSchedule(
        name="auto-close",
        anchor="solved",
        cadence=FixedOffsets([7 * 24 * H]),
        terminal=TerminalAction("close", after_attempts=0, batch=dt.time(1, 0)),
        contact_window=None,
        stop_on=(),
        default_timezone="Europe/Brussels",
    )
    errors: list[float] = []  # observed closing minus predicted, in days
    for t in bpic2013_tickets(bpic2013_path):
        for e in t:
            if not isinstance(e, StatusChanged):
                continue
            if (e.from_status, e.to_status) != ("Completed/Resolved", "Completed/Closed"):
                continue
            report = auto_close.evaluate(t, e.at.subtract(microseconds=1))
            expected = report.terminal.at if report.terminal else report.next_at
            assert expected is not None
            errors.append((e.at - expected).total_seconds() / 86400)
    total = len(errors)
    by_hand = sum(d < -1 for d in errors)  # closed by hand before the batch was due
    within_hour = sum(abs(d) < 1 / 24 for d in errors)
    within_day = sum(abs(d) <= 1 for d in errors)
    late = sum(d > 1 for d in errors)
    assert total > 5000
    # Figures on the full log: 64.2% to the hour, 64.4% within a day, 35.1% closed by hand
    # earlier, 0.5% more than a day late.
    assert within_hour / total > 0.6
    assert within_day / (total - by_hand) > 0.98
    assert late / total < 0.01


@given(
    follow_up_schedules(windows=st.just(ContactWindow())),
    histories(),
    st.integers(0, 72),
    st.integers(1, 72),
)
def test_every_agent_update_resets_the_cadence(
    schedule: FollowUpSchedule, t: Ticket, u: int, later: int
) -> None:
    update = t.last_event_at.add(hours=u)
    t.record(AgentReplied(at=update))
    now = update.add(hours=later)
    report = schedule.evaluate(t, now)
    after = [f for f in report.due if f.at > update]
    # Every follow-up after the update counts from it, numbered afresh from 1.
    assert all(f.anchor >= update for f in after)
    runs = collections.defaultdict(list)
    for f in report.due:
        runs[f.run].append(f.attempt)
    for attempts in runs.values():
        assert attempts == sorted(set(attempts))
        if schedule.quiet_action is not QuietAction.SKIP:  # a skipped attempt still counts
            assert attempts == list(range(1, len(attempts) + 1))
    if report.next_at is not None:
        assert report.next_at > now


@given(
    st.sampled_from([dt.time(2, 30), dt.time(2), dt.time(3), dt.time(1, 59)]),
    st.sampled_from([dt.date(2025, 3, 27), dt.date(2025, 10, 24), dt.date(2026, 3, 27)]),
    st.integers(0, 6),
)
def test_daily_times_are_deterministic_across_dst(
    at: dt.time, day: dt.date, horizon_days: int
) -> None:
    berlin = "Europe/Berlin"
    opened = pendulum.datetime(day.year, day.month, day.day, 12, tz=berlin)
    t = Ticket.open(
        helpdesk_lifecycle(), ticket_id="D", at=opened, priority="P3", customer_timezone=berlin
    )
    t.record(AgentReplied(at=opened))
    schedule = FollowUpSchedule(name="daily", cadence=Daily(at), contact_window=None)
    now = opened.add(days=horizon_days + 1)
    report = schedule.evaluate(t, now)
    # The same instant given in another zone gives the same answer.
    assert schedule.evaluate(t, now.in_timezone("UTC")) == report
    tz = zoneinfo.ZoneInfo(berlin)
    for f in report.due:
        local = dt.datetime.fromtimestamp(f.at.timestamp(), tz)
        wall = local.replace(tzinfo=None, fold=0).replace(tzinfo=tz)
        assert wall.astimezone(dt.UTC).astimezone(tz).time() == local.time()  # on the wall
        wanted = dt.datetime.combine(local.date(), at, tzinfo=tz)
        real = wanted.astimezone(dt.UTC).astimezone(tz)
        if real.time() == at:
            assert local.time() == at
        else:  # the wall time is in the spring-forward gap: moved forward by the gap
            assert local == real
    assert len({f.at.date() for f in report.due}) == len(report.due)


# -- a later event never rewrites what has fallen due (review item 3) -----------------------------

LATER_EVENTS = st.sampled_from(
    [
        lambda at: AgentReplied(at=at, public=False),
        lambda at: AgentReplied(at=at),
        lambda at: CustomerReplied(at=at),
        lambda at: OptedOut(at=at),
        lambda at: FollowUpSent(at=at, channel="email"),
    ]
)


def test_an_internal_note_does_not_move_attempts_already_due() -> None:
    schedule = FollowUpSchedule(
        name="every-2h",
        cadence=Interval(2 * H),
        contact_window=None,
        min_gap_after_update=H,
    )
    t = ticket()
    t.record(AgentReplied(at=T0))
    now = T0 + 11.75 * H
    before = schedule.evaluate(t, now).due
    assert [f.at for f in before] == [T0 + 2 * k * H for k in range(1, 6)]
    t.record(AgentReplied(at=T0 + 11.5 * H, public=False))
    after = schedule.evaluate(t, now).due
    assert after == before
    # The note holds back only the attempt after it: +12 h moves to the note + 1 h.
    nxt = schedule.evaluate(t, T0 + 13 * H).due[-1]
    assert (nxt.attempt, nxt.at) == (6, T0 + 12.5 * H)


@given(SCHEDULES, histories(), st.integers(0, 20 * 24), st.integers(1, 10 * 24 * 60), LATER_EVENTS)
def test_attempts_due_stay_due_with_the_same_key_whatever_comes_later(
    schedule: FollowUpSchedule, t: Ticket, hours: int, minutes: int, make: object
) -> None:
    now = t.last_event_at.add(hours=hours)
    due = schedule.evaluate(t, now).due
    later = now.add(minutes=minutes)
    try:
        t.record(make(later))  # type: ignore[operator]
    except ServiceKitError:
        return  # the ticket refuses it (e.g. an opt-out twice); nothing to compare
    again = schedule.evaluate(t, later).due
    by_key = {f.key: f for f in again}
    for f in due:
        assert by_key.get(f.key) == f
    assert len(by_key) == len(again)  # one key, one instant


@pytest.mark.parametrize("factor", [2.0, 10.0])
def test_a_capped_backoff_keeps_its_cap_for_thousands_of_attempts(factor: float) -> None:
    """The delay used to be multiplied past the cap until the float overflowed (~990 at x2)."""
    offsets = Backoff(H, factor, 4 * H).offsets_micros()
    steps = [next(offsets) for _ in range(5000)]
    assert steps[-1] - steps[-2] == 4 * 3_600_000_000


def test_an_uncapped_backoff_ends_before_its_delay_overflows() -> None:
    assert sum(1 for _ in Backoff(H, 10.0).offsets_micros()) < 400


# -- the iCalendar export expands to exactly the preview (review item 7) ---------------------------


def _expanded(ics: bytes, start: pendulum.DateTime, end: pendulum.DateTime) -> list[float]:
    """What a calendar program shows for the cadence's RRULE between ``start`` and ``end``."""
    parsed = icalendar.Calendar.from_ical(ics)
    only_rule = icalendar.Calendar()
    for component in parsed.subcomponents:
        if component.name == "VTIMEZONE" or "RRULE" in component:
            only_rule.add_component(component)
    found = recurring_ical_events.of(only_rule, components=["VTODO"]).between(start, end)
    return sorted(c.decoded("dtstart").timestamp() for c in found)


def _check_export(schedule: FollowUpSchedule, t: Ticket, now: pendulum.DateTime) -> bool:
    horizon = 10 * 24 * H
    ics = schedule.to_ical(t, now, horizon)
    parsed = icalendar.Calendar.from_ical(ics)
    zones = {str(c["TZID"]) for c in parsed.walk("VTIMEZONE")}
    used = {
        str(c[name].params["TZID"])
        for c in parsed.walk("VTODO")
        for name in ("DUE", "DTSTART")
        if name in c and "TZID" in c[name].params
    }
    assert used <= zones  # RFC 5545: a TZID needs its VTIMEZONE
    # Instants compare as timestamps: PEP 495 makes a time in a fold unequal across zones.
    preview = [f.at.timestamp() for f in schedule.preview(t, now, horizon)]
    dues = sorted(
        c.decoded("due").timestamp()
        for c in parsed.walk("VTODO")
        if "summary" in c and "RRULE" not in c and "Promised" not in str(c["summary"])
    )
    assert dues == preview
    has_rule = any("RRULE" in c for c in parsed.walk("VTODO"))
    if has_rule:
        # between() is inclusive of its start; the preview starts strictly after now.
        shown = _expanded(ics, now.add(microseconds=1), now + horizon + dt.timedelta(seconds=1))
        assert shown == preview
    return has_rule


@pytest.mark.parametrize(
    ("zone", "night"),
    [("Europe/Madrid", dt.date(2025, 3, 30)), ("America/New_York", dt.date(2025, 11, 2))],
)
def test_an_interval_cadence_keeps_real_time_across_a_dst_night(zone: str, night: dt.date) -> None:
    schedule = FollowUpSchedule(name="ics", cadence=Interval(2 * H), contact_window=None)
    start = pendulum.datetime(night.year, night.month, night.day, tz=zone).subtract(hours=6)
    t = Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-9", at=start, priority="P2", customer_timezone=zone
    )
    t.record(AgentReplied(at=start))
    assert _check_export(schedule, t, start)


@pytest.mark.parametrize(
    ("extra", "attempts"),
    [
        ({"terminal": TerminalAction("solve", after_attempts=4)}, 4),
        ({"max_attempts": 3}, 3),
        ({"max_span": 5.5 * H}, 5),
    ],
)
def test_the_rule_ends_where_the_run_ends(extra: dict[str, object], attempts: int) -> None:
    schedule = FollowUpSchedule(
        name="ics",
        cadence=Interval(H),
        contact_window=None,
        **extra,  # type: ignore[arg-type]
    )
    t = ticket()
    t.record(AgentReplied(at=T0))
    assert len(schedule.preview(t, T0, 48 * H)) == attempts
    assert _check_export(schedule, t, T0)


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/Berlin", pendulum.datetime(2025, 3, 27, 12, tz="Europe/Berlin")),
        ("Europe/Berlin", pendulum.datetime(2025, 10, 23, 12, tz="Europe/Berlin")),
        ("America/New_York", pendulum.datetime(2025, 3, 7, 12, tz="America/New_York")),
    ],
)
@pytest.mark.parametrize("time", [dt.time(2, 30), dt.time(1, 30), dt.time(9)])
def test_a_daily_cadence_expands_to_the_preview_on_dst_nights(
    zone: str, start: pendulum.DateTime, time: dt.time
) -> None:
    schedule = FollowUpSchedule(
        name="daily", cadence=Daily(time), contact_window=None, max_attempts=6
    )
    t = Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-8", at=start, priority="P2", customer_timezone=zone
    )
    t.record(AgentReplied(at=start))
    assert _check_export(schedule, t, start)


@given(
    st.sampled_from([Interval(90 * dt.timedelta(minutes=1)), Interval(H), Daily(dt.time(2, 30))]),
    st.sampled_from([None, 2, 5]),
    st.sampled_from([None, TerminalAction("close", after_attempts=3)]),
    st.sampled_from([None, 7 * H, 50 * H]),
    ZONES,
    st.integers(0, 24 * 14),
)
def test_every_exported_rule_expands_to_the_preview(
    cadence: Interval | Daily,
    max_attempts: int | None,
    terminal: TerminalAction | None,
    max_span: dt.timedelta | None,
    zone: str,
    hours: int,
) -> None:
    schedule = FollowUpSchedule(
        name="prop",
        cadence=cadence,
        contact_window=None,
        max_attempts=max_attempts,
        terminal=terminal,
        max_span=max_span,
    )
    start = pendulum.datetime(2025, 3, 20, tz=zone).add(hours=hours)
    t = Ticket.open(
        helpdesk_lifecycle(), ticket_id="T-7", at=start, priority="P2", customer_timezone=zone
    )
    t.record(AgentReplied(at=start))
    _check_export(schedule, t, start)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Interval(dt.timedelta(microseconds=1)),
        lambda: Interval(dt.timedelta(seconds=59)),
        lambda: Backoff(dt.timedelta(seconds=1)),
    ],
)
def test_a_repeating_step_below_a_minute_is_refused(build: object) -> None:
    with pytest.raises(InvalidFollowUpError, match="at least 0:01:00"):
        build()  # type: ignore[operator]
