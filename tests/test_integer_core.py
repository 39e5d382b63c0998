"""The integer core of evaluation against its reference: what reports give as pendulum values
is exactly what the integer microseconds they were built from say.

Evaluation works in integer microseconds and builds pendulum values only for what a report
returns (an SLA status converts each of its instants the first time it is read; a follow-up
or an escalation builds its public values only for the due ones). These tests hold the fast
paths to the plain conversions and the uncached rules they stand for.
"""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import zoneinfo
from collections.abc import Iterable

import pendulum
from _depth import costly
from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    Event,
    StatusChanged,
    Ticket,
    TicketOpened,
)
from servicekit._calendars import _POSITIONS_MAX
from servicekit._time import (
    _slow_instant,
    _unambiguous,
    as_instant,
    duration_from_micros,
    from_micros,
    get_timezone,
    to_micros,
)
from servicekit._timeline import timeline
from servicekit.followup import ContactWindow
from servicekit.protocols import ServiceProtocol, compliance_rows
from servicekit.protocols._compliance import _seconds
from servicekit.sla import SlaPolicy, SlaReport, SlaStatus
from servicekit.sla._clock import _closed, _crossing, _reach, _reach_all, _Segment, _settle, _walk
from servicekit.sla._policy import report_of
from servicekit.testing import (
    business_calendars,
    contact_windows,
    dst_edge_datetimes,
    protocol_tickets,
    service_protocols,
)

ZONES = ("Europe/Madrid", "America/Bogota", "Asia/Tokyo", "UTC", "Australia/Lord_Howe")
NOW_HOURS = st.integers(0, 60 * 24)


def _reference_allowed_at(window: ContactWindow, t_us: int, zone: str) -> int:
    """The contact-window rule without the per-day cache: the next instant from ``t_us``
    inside the window on one of its weekdays, in ``zone``."""
    tz = get_timezone(zone)
    day = dt.datetime.fromtimestamp(t_us / 1_000_000, tz).date()
    for _ in range(8):
        if day.weekday() in window.weekdays:
            opens = to_micros(dt.datetime.combine(day, window.start, tzinfo=tz))
            closes = to_micros(dt.datetime.combine(day, window.end, tzinfo=tz))
            if t_us < closes:
                return max(t_us, opens)
        day += dt.timedelta(days=1)
        t_us = max(t_us, to_micros(dt.datetime.combine(day, dt.time(0), tzinfo=tz)))
    raise AssertionError("a window with a weekday opens within a week")


@given(
    contact_windows(),
    st.lists(st.integers(0, 3 * 365 * 24 * 3600), min_size=1, max_size=20),
    st.sampled_from(ZONES),
)
def test_contact_window_days_cached_answer_as_the_rule(
    window: ContactWindow, seconds: list[int], zone: str
) -> None:
    base = to_micros(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for s in seconds + seconds:  # twice: the second pass reads the cache
        t_us = base + s * 1_000_000 + s % 1_000_000
        assert window.allowed_at(t_us, zone) == _reference_allowed_at(window, t_us, zone)
        assert window.is_open(t_us, zone) == (_reference_allowed_at(window, t_us, zone) == t_us)


def _statuses(protocol: ServiceProtocol, ticket: Ticket, hours: int) -> tuple[SlaStatus, ...]:
    now = ticket.opened.at.add(hours=hours)
    report = protocol.evaluate(ticket, now)
    return () if report.sla is None else report.sla.statuses


@given(protocol_tickets(), NOW_HOURS)
def test_sla_status_values_are_its_microseconds(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    zone = ticket.opened.at.tz
    assert zone is not None
    for s in _statuses(protocol, ticket, hours):
        assert s.started_at == from_micros(s._started_us, zone)
        assert s.started_at.tz == zone
        assert to_micros(s.started_at) == s._started_us
        for instant, micros in (
            (s.ended_at, s._ended_us),
            (s.due_at, s._due_us),
            (s.breached_at, s._breached_us),
            (s.next_change_at, s._next_us),
        ):
            assert (instant is None) == (micros is None)
            if instant is not None:
                assert to_micros(instant) == micros
                assert instant.tz == zone
        assert s.target == duration_from_micros(s._target_us)
        assert s.elapsed == duration_from_micros(s._elapsed_us)
        assert s.remaining == s.target - s.elapsed
        assert s.breached is (s.breached_at is not None)
        assert [(w.fraction, to_micros(w.at)) for w in s.warnings] == list(s._warnings_us)
        # Read once, the same object after: a value, not a fresh conversion each time.
        assert s.due_at is s.due_at
        assert s.warnings is s.warnings


@settings(costly())
@given(protocol_tickets(), NOW_HOURS)
def test_sla_status_equality_hash_pickle_and_repr(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    first = _statuses(protocol, ticket, hours)
    again = _statuses(protocol, ticket, hours)
    assert first == again
    assert [hash(s) for s in first] == [hash(s) for s in again]
    for s in first:
        copy = pickle.loads(pickle.dumps(s))
        assert copy == s
        assert (copy.due_at, copy.warnings, copy.elapsed) == (s.due_at, s.warnings, s.elapsed)
        shown = repr(s)
        assert shown.startswith("SlaStatus(metric=")
        assert "_started_us" not in shown
        assert "_segments" not in shown
        assert f"next_change_at={s.next_change_at!r})" in shown


@given(protocol_tickets(), NOW_HOURS)
def test_compliance_seconds_are_the_statuses_durations(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    now = ticket.opened.at.add(hours=hours)
    report = protocol.evaluate(ticket, now)
    for row in compliance_rows(protocol, ticket, report):
        if report.sla is None or not row.metric:
            continue
        statuses = report.sla.for_metric(row.metric)
        assert row.elapsed_seconds == sum(s.elapsed.total_seconds() for s in statuses)
        breached = [s for s in statuses if s.breached]
        assert row.overrun_seconds == max(
            ((s.elapsed - s.target).total_seconds() for s in breached), default=0.0
        )
        if statuses:
            assert row.target_seconds == statuses[-1].target.total_seconds()


@given(st.integers(-(10**15), 10**15))
def test_seconds_of_microseconds_are_timedelta_total_seconds(micros: int) -> None:
    assert _seconds(micros) == dt.timedelta(microseconds=micros).total_seconds()


@settings(costly())
@given(
    business_calendars(),
    st.lists(
        st.tuples(st.integers(0, 2 * 365 * 24 * 3600), st.integers(0, 400 * 3600)),
        min_size=1,
        max_size=40,
    ),
)
def test_calendar_positions_remembered_answer_as_a_fresh_calendar(
    calendar: BusinessCalendar, pairs: list[tuple[int, int]]
) -> None:
    base = to_micros(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    # Fill the remembered positions past their bound, so answers are also checked after a
    # clear; every question is asked twice (the second answer is remembered).
    for i in range(_POSITIONS_MAX + 5):
        calendar.between_micros(base, base + i * 977_000_000)
    for seconds, duration in pairs + pairs:
        start = base + seconds * 1_000_000 + seconds % 999_983
        fresh = calendar.replace()
        assert calendar.add_micros(start, duration * 1_000_000) == fresh.add_micros(
            start, duration * 1_000_000
        )
        end = start + duration * 1_000_000
        assert calendar.between_micros(start, end) == fresh.between_micros(start, end)


def _every_move_report(policy: SlaPolicy, ticket: Ticket, now_us: int) -> SlaReport:
    """The SLA report with every event, every status change included, fed to every fold:
    the reference for the policy's skipping of moves that change no clock."""
    opened = ticket.opened
    zone = opened.at.tz
    folds = policy.folds(opened, zone)
    for at_us, event in timeline(ticket, now_us):
        category = (
            ticket.lifecycle.category(event.to_status) if isinstance(event, StatusChanged) else None
        )
        for fold in folds:
            fold.feed(event, at_us, category)
    return report_of(opened.ticket_id, folds, now_us, zone)


@given(protocol_tickets(service_protocols(), max_events=20), NOW_HOURS)
def test_sla_report_skipping_quiet_moves_and_rebuilding_equals_feeding_every_move(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    if protocol.sla is None:
        return
    now = ticket.opened.at.add(hours=hours)
    report = protocol.sla.evaluate(ticket, now)
    now_us = to_micros(now)
    reference = _every_move_report(protocol.sla, ticket, now_us)
    assert report == reference
    assert repr(report) == repr(reference)
    # evaluate also shows the folds stand-ins of the status changes a ticket keeps compactly
    # (the status they led to); the rebuilt events give the same report.
    assert report == protocol.sla._report(ticket, timeline(ticket, now_us), now_us)
    bare = timeline(ticket, now_us, bare_changes=True)
    assert [(at, type(e), getattr(e, "to_status", None)) for at, e in bare] == [
        (at, type(e), getattr(e, "to_status", None)) for at, e in timeline(ticket, now_us)
    ]


def _reference_instant(value: dt.datetime) -> pendulum.DateTime:
    """``as_instant`` of a zoneinfo datetime asked per instant: the wall time copied when it
    names one instant, else the general path (which resolves gaps and folds)."""
    assert isinstance(value.tzinfo, zoneinfo.ZoneInfo)
    if _unambiguous(value.tzinfo, value):
        v = value
        zone = get_timezone(v.tzinfo.key)  # type: ignore[union-attr]
        return pendulum.DateTime(
            v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=zone
        )
    return _slow_instant(value)


# Wall times at and beside DST changes, and anywhere in eight years, in either fold.
_WALL_TIMES = dst_edge_datetimes() | st.builds(
    lambda seconds, zone, fold: (
        dt.datetime(2020, 1, 1) + dt.timedelta(seconds=seconds, microseconds=seconds % 997)
    ).replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=fold),
    st.integers(0, 8 * 365 * 24 * 3600),
    st.sampled_from(ZONES),
    st.integers(0, 1),
)


@given(_WALL_TIMES)
@example(dt.datetime(2025, 10, 26, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"), fold=1))
@example(dt.datetime(2025, 10, 26, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")))
@example(dt.datetime(2025, 3, 30, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")))
@example(dt.datetime(2025, 10, 26, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"), fold=1))
def test_as_instant_with_steady_days_equals_the_check_per_instant(value: dt.datetime) -> None:
    for _ in range(2):  # the second time the day is known
        got, want = as_instant(value), _reference_instant(value)
        assert to_micros(got) == to_micros(want) == to_micros(value)
        assert got.timezone_name == want.timezone_name
        assert (got.year, got.month, got.day, got.hour, got.minute, got.second) == (
            want.year,
            want.month,
            want.day,
            want.hour,
            want.minute,
            want.second,
        )
        assert (got.microsecond, got.fold) == (want.microsecond, want.fold)


@given(_WALL_TIMES)
@example(dt.datetime(2025, 10, 26, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"), fold=1))
@example(dt.datetime(2025, 3, 30, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")))
def test_to_micros_of_pendulum_values_by_day_offset_equals_asking_the_zone(
    value: dt.datetime,
) -> None:
    # A pendulum DateTime with the same wall time and fold, in the pendulum zone of the same
    # name: the same instant as the plain datetime, whose zone is asked directly.
    key = value.tzinfo.key  # type: ignore[union-attr]
    wall = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    fast = pendulum.DateTime(*wall, value.microsecond, tzinfo=get_timezone(key), fold=value.fold)
    plain = value.replace(tzinfo=get_timezone(key))
    naive = value.replace(tzinfo=None) - dt.datetime(1970, 1, 1)
    offset = value.utcoffset()
    assert offset is not None
    want = (naive - offset) // dt.timedelta(microseconds=1)
    for _ in range(2):  # the second time the day's offset is remembered
        assert to_micros(fast) == to_micros(plain) == to_micros(value) == want


@st.composite
def _uniform_segments(draw: st.DrawFn) -> tuple[_Segment, ...]:
    """Segments of one target on a random calendar, the last one possibly still running
    (``before`` drawn freely: a restarted cycle's is not the sum of the earlier ones)."""
    calendar = draw(business_calendars())
    target = draw(st.integers(1, 200 * 3600 * 10**6))
    start = to_micros(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    segments = []
    count = draw(st.integers(1, 5))
    for i in range(count):
        start += draw(st.integers(0, 20 * 24 * 3600)) * 10**6
        before = draw(st.integers(0, 2 * target))
        if i == count - 1 and draw(st.booleans()):
            segments.append(_Segment(start, None, calendar, target, before))
        else:
            end = start + draw(st.integers(0, 10 * 24 * 3600)) * 10**6
            segments.append(_closed(_Segment(start, start, calendar, target, before), end))
            start = end
    return tuple(segments)


@given(_uniform_segments(), st.data())
def test_one_walk_for_many_values_equals_a_walk_for_each(
    segments: tuple[_Segment, ...], data: st.DataObject
) -> None:
    # Values at and beside the segments' edges (where a walk moves on), and anywhere.
    edges = [e + d for s in segments for e in (s.before, s.before + s.used) for d in (-1, 0, 1)]
    values = data.draw(
        st.lists(st.sampled_from([e for e in edges if e >= 0]) | st.integers(0, 4 * 10**11))
    )
    values.sort()
    want = [_crossing(segments, lambda _, v=v: v) for v in values]  # type: ignore[misc]
    assert _reach_all(segments, values) == want
    assert [_reach(segments, v) for v in values] == want
    calendar, start = segments[0].calendar, segments[0].start
    assert calendar._add_many_micros(start, values) == [
        calendar.add_micros(start, v) for v in values
    ]


@given(protocol_tickets(service_protocols(), max_events=20), st.data())
def test_timeline_of_a_ticket_equals_the_timeline_of_its_events(
    case: tuple[ServiceProtocol, Ticket], data: st.DataObject
) -> None:
    # A ticket's timeline reads the instants it keeps; a plain list of events converts each.
    _, ticket = case
    instants = [to_micros(e.at) + d for e in ticket for d in (-1, 0, 1)]
    hours = st.integers(-2, 60 * 24).map(lambda h: to_micros(ticket.opened.at.add(hours=h)))
    now_us = data.draw(st.sampled_from(instants) | hours)
    assert timeline(ticket, now_us) == timeline(list(ticket), now_us) == _sorted(ticket, now_us)
    shuffled = data.draw(st.permutations(list(ticket)))
    assert timeline(shuffled, now_us) == _sorted(shuffled, now_us)


def _sorted(events: Iterable[Event], now_us: int) -> list[tuple[int, Event]]:
    """The timeline's rule as one sort: the events up to the first one after ``now_us``, by
    instant, then the opening, status changes and the rest, then as given."""
    stamped = itertools.takewhile(lambda s: s[0] <= now_us, ((to_micros(e.at), e) for e in events))
    ranked = [
        (at, 0 if isinstance(e, TicketOpened) else 1 if isinstance(e, StatusChanged) else 2, i, e)
        for i, (at, e) in enumerate(stamped)
    ]
    return [(at, e) for at, _, _, e in sorted(ranked, key=lambda r: r[:3])]


@given(protocol_tickets(), NOW_HOURS)
def test_sla_status_of_a_stopped_clock_read_later_equals_walking_at_once(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    # A stopped clock's status defers its walk, and says whether it was breached from its
    # elapsed time; the full walk, skipping nothing, gives the same answers.
    protocol, ticket = case
    for s in _statuses(protocol, ticket, hours):
        if s._found is not None:
            continue  # walked when built
        segments, target_us, warn_at = s._segments, s._target_us, s._warn_at
        walked = _walk(segments, 0, target_us, warn_at, s._elapsed_us, False)
        found, next_us = _settle(s._now, False, *walked[:2], warn_at, walked[2])
        assert (s._due_us, s._breached_us, s._warnings_us) == found
        assert s.breached is (found.breached is not None)
        assert next_us is None


@given(_uniform_segments(), st.data())
def test_a_stopped_clock_skipping_values_above_elapsed_equals_the_full_walk(
    drawn: tuple[_Segment, ...], data: st.DataObject
) -> None:
    # The segments of a clock stopped at its last segment's end, never restarted: each
    # starts with the elapsed time of those before it. Targets at and beside the elapsed
    # time and twice it (where a warning at one half lands on it), and anywhere.
    segments: list[_Segment] = []
    for seg in drawn:
        before = segments[-1].before + segments[-1].used if segments else 0
        end = seg.start if seg.end is None else seg.end
        segments.append(_closed(seg._replace(before=before), end))
    elapsed = segments[-1].before + segments[-1].used
    near = [k * elapsed + d for k in (1, 2) for d in (-1, 0, 1) if k * elapsed + d > 0]
    target = data.draw(
        st.sampled_from(near) | st.integers(1, 4 * 10**11) if near else st.integers(1, 4 * 10**11)
    )
    warn_at = data.draw(st.sampled_from([(), (0.5,), (0.5, 0.75, 0.9)]))
    stopped = tuple(seg._replace(target=target) for seg in segments)
    end = stopped[-1].end
    assert end is not None

    def settled(skip: bool) -> tuple[object, ...]:
        due, breach, warnings = _walk(stopped, 0, target, warn_at, elapsed, skip)
        return _settle(end, False, due, breach, warn_at, warnings)

    fast, slow = settled(True), settled(False)
    assert fast == slow
    assert (elapsed > target) is (slow[0].breached is not None)  # type: ignore[attr-defined]


def test_timeline_moves_an_event_back_only_past_those_ranked_after_it() -> None:
    t = pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid")
    opened = TicketOpened(at=t, ticket_id="T-1", priority="P2")
    first = StatusChanged(at=t, trigger="open", from_status="new", to_status="open")
    reply = CustomerReplied(at=t)
    second = StatusChanged(at=t, trigger="pend", from_status="open", to_status="pending")
    answer = AgentReplied(at=t)
    events = [reply, opened, first, reply, second, answer, second]
    want = [opened, first, second, second, reply, reply, answer]
    assert [e for _, e in timeline(events, to_micros(t))] == want
    assert timeline(events, to_micros(t)) == _sorted(events, to_micros(t))
