"""The replay's fast paths against the plain reading they stand for.

A replay reads every ticket's history several times (the protocol's timeline, the compliance
counts, the kinds of event a log holds). Tickets keep the status changes fired on them
compactly, and these readers read that compact history without rebuilding the events: each
test here holds a fast path to the answer of iterating the rebuilt events.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicekit import Assigned, BusinessCalendar, Escalated, StatusChanged, Ticket
from servicekit._time import instant_micros, to_micros
from servicekit.cli import main
from servicekit.cli._replay import _fewer_collections
from servicekit.errors import ServiceKitError
from servicekit.escalation import Delay, EscalationChain, Step, Target
from servicekit.followup import FollowUpSchedule, Interval
from servicekit.protocols import (
    CustomActions,
    DueAction,
    ServiceProtocol,
    compliance_rows,
    evaluate_rows,
    reactive_protocol,
)
from servicekit.protocols._compliance import _DONE, _ticket_counts, ticket_rows
from servicekit.sla import On
from servicekit.sources import SourceMapping
from servicekit.sources._tickets import _Problem, _RowReader, _ScanTally
from servicekit.testing import protocol_tickets, service_protocols

NOW_HOURS = st.integers(-2, 60 * 24)
_ANY_TICKET = protocol_tickets(max_events=20) | protocol_tickets(service_protocols(), max_events=20)


@given(_ANY_TICKET)
def test_compact_history_readers_equal_reading_the_events(
    case: tuple[ServiceProtocol, Ticket],
) -> None:
    _, ticket = case
    events = list(ticket)
    assert list(ticket._kinds()) == [type(e).kind for e in events]
    assert list(ticket._moves()) == [
        (e.from_status, e.to_status) for e in events if isinstance(e, StatusChanged)
    ]
    recorded = list(ticket._recorded())
    # The events kept as given are the very objects the history holds, in order.
    assert [e for e in events if any(e is r for r in recorded)] == recorded
    assert all(isinstance(e, StatusChanged) for e in events if not any(e is r for r in recorded))


def _reference_counts(ticket: Ticket) -> tuple[int, int]:
    """Reopens and escalations read from the rebuilt events: moves out of a done category
    into another, and manual escalations plus changes between successive tiers."""
    category = ticket.lifecycle.category
    events = list(ticket)
    reopens = sum(
        category(e.from_status) in _DONE and category(e.to_status) not in _DONE
        for e in events
        if isinstance(e, StatusChanged)
    )
    tiers = [e.tier for e in events if isinstance(e, Assigned) and e.tier is not None]
    escalations = sum(a != b for a, b in pairwise(tiers))
    return reopens, escalations + sum(isinstance(e, Escalated) for e in events)


@given(_ANY_TICKET)
def test_ticket_counts_from_the_compact_history_equal_reading_the_events(
    case: tuple[ServiceProtocol, Ticket],
) -> None:
    _, ticket = case
    assert _ticket_counts(ticket) == _reference_counts(ticket)


def _rebuilt(method: Callable[[], object]) -> object:
    """``method()`` with every status change rebuilt for the protocol's timeline."""
    with mock.patch.object(ServiceProtocol, "_bare_changes", return_value=False):
        return method()


@given(_ANY_TICKET, NOW_HOURS)
def test_evaluation_on_stand_ins_equals_evaluation_on_rebuilt_changes(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    now = ticket.opened.at.add(hours=hours)
    report = protocol.evaluate(ticket, now)
    reference = _rebuilt(lambda: protocol.evaluate(ticket, now))
    assert report == reference
    assert repr(report) == repr(reference)
    assert protocol.evaluate_sla(ticket, now) == _rebuilt(
        lambda: protocol.evaluate_sla(ticket, now)
    )
    assert compliance_rows(protocol, ticket, report) == compliance_rows(
        protocol,
        ticket,
        reference,  # type: ignore[arg-type]
    )


class _OwnActions(ServiceProtocol):
    """A protocol with an action rule of its own: a replay evaluates it whole."""

    def custom_actions(self, ticket: Ticket, now: pendulum.DateTime, sla: object) -> CustomActions:
        key = f"{ticket.id}:own"
        return CustomActions([DueAction("own", ticket.opened.at, "own", "-", key)])


@given(_ANY_TICKET, NOW_HOURS)
def test_replay_rows_equal_the_rows_of_the_whole_report(
    case: tuple[ServiceProtocol, Ticket], hours: int
) -> None:
    protocol, ticket = case
    now = ticket.opened.at.add(hours=hours)
    if hours < 0:  # a replay evaluates only tickets opened by now; evaluate refuses none
        now = ticket.opened.at
    for p in (protocol, _OwnActions.from_protocol(protocol)):
        expected = compliance_rows(p, ticket, p.evaluate(ticket, now))
        assert ticket_rows(p, ticket, now) == expected
        assert list(evaluate_rows(p, [ticket], now)) == expected
    assert protocol._counted(ticket, now) is not None
    assert _OwnActions.from_protocol(protocol)._counted(ticket, now) is None


_CALENDAR = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
_SOLVED = On("status_changed", to_status="solved")


def _reading_changes() -> list[ServiceProtocol]:
    """The reactive protocol with one part that reads status changes as events."""
    base = reactive_protocol(_CALENDAR)
    assert base.sla is not None
    chain = EscalationChain(
        name="on-solved",
        triggers=[On("ticket_opened")],
        stops=[_SOLVED],
        steps=[Step(targets=[Target("role", "lead")], wait=Delay(pendulum.duration(hours=1)))],
    )
    schedule = FollowUpSchedule(
        name="until-solved",
        cadence=Interval(pendulum.duration(hours=4)),
        channels=("email",),
        stop_on=("status_changed",),
    )
    return [
        ServiceProtocol.from_protocol(base, escalations=[*base.escalations, chain]),
        ServiceProtocol.from_protocol(base, follow_ups=[schedule]),
    ]


@pytest.mark.parametrize("protocol", _reading_changes())
def test_a_part_reading_status_changes_gets_them_rebuilt(protocol: ServiceProtocol) -> None:
    assert not protocol._bare_changes()
    assert reactive_protocol(_CALENDAR)._bare_changes()
    ticket = protocol.open(
        ticket_id="T-1", at=pendulum.datetime(2025, 3, 3, 9, tz="UTC"), priority="P2"
    )
    ticket.fire("open", at=pendulum.datetime(2025, 3, 3, 10, tz="UTC"))
    ticket.fire("solve", at=pendulum.datetime(2025, 3, 3, 11, tz="UTC"))
    now = pendulum.datetime(2025, 3, 4, 12, tz="UTC")
    assert protocol.evaluate(ticket, now) == _rebuilt(lambda: protocol.evaluate(ticket, now))


_MAPPING = SourceMapping(
    name="fast-paths",
    ticket="ticket",
    time="time",
    status=["status", "sub_status"],
    priority="impact",
    timezone="Europe/Brussels",
    group="team",
    tier_pattern=" (2nd|3rd)$",
    default_tier="1st",
    lifecycle="helpdesk",
)
_TEXTS = st.sampled_from(["", "Accepted", "In Progress", "V5 3rd", "V30", "x/y"])
_RAW = _TEXTS | st.none() | st.integers(0, 2) | st.booleans() | st.floats(0, 2)
_TIMES = st.datetimes(
    min_value=dt.datetime(1990, 1, 1),
    max_value=dt.datetime(2040, 1, 1),
    timezones=st.sampled_from(
        [None, dt.UTC, dt.timezone(dt.timedelta(hours=2)), ZoneInfo("Europe/Brussels")]
    ),
)
# A time column's values: text (with spaces around, at the ends of the calendar, or not a
# time), standard-library and pendulum datetimes, naive ones, and nothing.
_ROW_TIMES = st.one_of(
    _TIMES.map(lambda t: t.isoformat()),
    _TIMES.map(lambda t: f" {t.isoformat()} "),
    _TIMES,
    _TIMES.map(lambda t: pendulum.instance(t) if t.tzinfo is not None else t),
    st.builds(
        pendulum.datetime,
        st.integers(1, 9999),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        tz=st.sampled_from(
            [pendulum.FixedTimezone(-36000), pendulum.FixedTimezone(19800), pendulum.UTC]
        ),
    ),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:00:00-05:00",
            "",
            "not a time",
            "2025-03-30T02:30:00",
            "2025-10-26T01:59:00",
            "2025-10-26T02:30:00",
            "2025-10-26T03:30:00",
        ]
    ),
    st.text(max_size=30),
    st.none(),
)


@given(
    _ROW_TIMES,
    st.lists(st.tuples(_RAW, _RAW, _TEXTS), min_size=1, max_size=8),
)
# Local times in a gap and a fold of the mapping's zone, and on a steady day.
@example("2025-03-30T02:30:00", [("Accepted", None, "V30")])
@example("2025-10-26T02:30:00", [("Accepted", None, "V30")])
@example(dt.datetime(2025, 10, 26, 3, 30), [("Accepted", None, "V30")])
def test_row_reader_fast_paths_equal_the_plain_reading(
    time: object, rows: list[tuple[object, object, str]]
) -> None:
    reader = _RowReader(_MAPPING)
    fresh = _RowReader(_MAPPING)

    def outcome(read: Callable[[], object]) -> object:
        try:
            return read()
        except (_Problem, ServiceKitError) as exc:
            return type(exc), str(exc)

    def moment(found: tuple[pendulum.DateTime, int, bool]) -> tuple[object, ...]:
        instant, micros, exact = found
        return instant, repr(instant.tzinfo), instant.fold, micros, exact

    row = {"time": time}
    for _ in range(2):  # the second time, the offset is one met before
        assert outcome(lambda: reader.instant_us(row, 1)) == outcome(
            lambda: to_micros(fresh.instant(row, 1))
        )
        assert outcome(lambda: moment(reader.moment(row, 1))) == outcome(
            lambda: moment(instant_micros(fresh.instant(row, 1)))
        )
    # Asked again (remembered) and fresh, statuses and tiers read alike.
    for status, sub_status, team in [*rows, *rows]:
        record = {"status": status, "sub_status": sub_status, "team": team}
        assert reader.status(record) == fresh._status((status, sub_status))
        if team:
            assert reader.tier_of(team) == _MAPPING.tier_of(team)


def test_a_replay_collects_garbage_less_often_and_puts_the_thresholds_back(
    tmp_path: Path,
) -> None:

    before = gc.get_threshold()
    with _fewer_collections():
        assert gc.get_threshold()[0] > before[0]
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError), _fewer_collections():
        1 / 0
    assert gc.get_threshold() == before
    assert main(["replay", "--quiet", "--format", "json", "--out", str(tmp_path / "r.json")]) == 0
    assert gc.get_threshold() == before


# Values equal to a Counter or a group but not as text (1, 1.0, True and "1").
_CLASHING = st.sampled_from(["", "1", "True", "V30", None, 1, 1.0, True, 0, False])


@given(
    st.lists(
        st.fixed_dictionaries(
            {"ticket": _CLASHING, "time": _ROW_TIMES, "status": _CLASHING},
            optional={"sub_status": _CLASHING, "impact": _CLASHING, "team": _TEXTS},
        ),
        max_size=40,
    ),
    st.lists(st.integers(1, 12), max_size=6),
    st.booleans(),
)
# The latest local time is in a fold (skipped), or one instant.
@example(
    [
        {"ticket": "a", "time": t, "status": "x"}
        for t in ("2025-10-26T01:59:00", "2025-10-26T02:30:00")
    ],
    [],
    False,
)
@example(
    [
        {"ticket": "a", "time": t, "status": "x"}
        for t in ("2025-10-26T03:30:00", "2025-10-25T01:59:00")
    ],
    [],
    False,
)
def test_a_chunked_first_pass_tallies_what_a_row_by_row_one_does(
    rows: list[dict[str, object]], cuts: list[int], filtered: bool
) -> None:
    mapping = attrs.evolve(_MAPPING, filter={"team": ["V30", "V5 3rd"]} if filtered else {})
    by_row, by_chunk = _ScanTally(_RowReader(mapping)), _ScanTally(_RowReader(mapping))
    lines = list(enumerate(rows, start=2))
    for line, row in lines:
        by_row.add(line, row)
    start = 0
    for size in [*cuts, len(lines)]:
        by_chunk.add_chunk(lines[start : start + size])
        start += size
    one, other = by_row.result(), by_chunk.result()
    assert one == other
    # The same values first seen in the same order (a report lists them so).
    assert list(one.statuses) == list(other.statuses)
    assert list(one.priorities) == list(other.priorities)
