"""Protocol reports for an app's own loop: one SLA evaluation, next_action_at, new_actions,
JSON with a schema, and the instant format read back."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo

import attrs
import jsonschema
import pendulum
import pytest
from _depth import costly
from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    PromiseMade,
    Ticket,
    format_instant,
    helpdesk_lifecycle,
    parse_instant,
)
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.errors import (
    InstantFormatError,
    InstantTypeError,
    NaiveDatetimeError,
    UnknownTimezoneError,
)
from servicekit.protocols import (
    REPORT_FORMAT,
    ComplianceRow,
    ComplianceTally,
    compliance_rows,
    proactive_protocol,
    reactive_protocol,
    report_json_schema,
    report_to_dict,
    report_to_json,
)
from servicekit.sla import SlaPolicy
from servicekit.testing import dst_edge_datetimes, tickets

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
DESK = BusinessCalendar(MADRID, "mon-fri 09:00-17:00")
T0 = pendulum.datetime(2025, 3, 3, 9, tz=MADRID)
REACTIVE = reactive_protocol(DESK)
PROACTIVE = proactive_protocol(DESK)
US = dt.timedelta(microseconds=1)


def test_the_sla_policy_is_evaluated_once_per_report(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every evaluation of a policy (its own evaluate, or a protocol's on the timeline it read
    # once) folds the events in _report.
    calls = []
    original = SlaPolicy._report

    def counting(self: SlaPolicy, *args: object, **kwargs: object) -> object:
        calls.append(self.name)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SlaPolicy, "_report", counting)
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    assert sum(c.needs_sla for c in REACTIVE.escalations) == 2
    REACTIVE.evaluate(ticket, T0 + 30 * H)
    assert calls == ["reactive"]


@given(tickets(helpdesk_lifecycle(), max_events=8), st.integers(0, 5 * 24 * 60))
def test_a_chain_reads_the_report_as_it_reads_the_policy(ticket: Ticket, minutes: int) -> None:
    now = ticket.last_event_at.add(minutes=minutes)
    assert REACTIVE.sla is not None
    report = REACTIVE.sla.evaluate(ticket, now)
    for chain in REACTIVE.escalations:
        assert chain.evaluate(ticket, now, sla=report) == chain.evaluate(
            ticket, now, sla=REACTIVE.sla
        )


def test_a_report_for_another_instant_is_refused() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    assert REACTIVE.sla is not None
    stale = REACTIVE.sla.evaluate(ticket, T0 + H)
    with pytest.raises(ValueError, match="evaluate the policy for this ticket and instant"):
        REACTIVE.escalations[0].evaluate(ticket, T0 + 2 * H, sla=stale)


def _keys(protocol: object, ticket: Ticket, at: dt.datetime) -> set[str]:
    return {a.key for a in protocol.evaluate(ticket, at).actions}  # type: ignore[attr-defined]


@given(
    tickets(helpdesk_lifecycle(), max_events=8),
    st.integers(0, 5 * 24 * 60),
    st.sampled_from([REACTIVE, PROACTIVE]),
)
def test_next_action_at_is_the_next_instant_an_action_appears(
    ticket: Ticket, minutes: int, protocol: object
) -> None:
    now = ticket.last_event_at.add(minutes=minutes)
    report = protocol.evaluate(ticket, now)  # type: ignore[attr-defined]
    keys = {a.key for a in report.actions}
    nxt = report.next_action_at
    if nxt is None:
        assert _keys(protocol, ticket, now + 60 * 24 * H) == keys
        return
    assert nxt > now
    assert report.next_wakeup is not None
    assert report.next_wakeup <= nxt
    assert _keys(protocol, ticket, nxt - US) == keys
    later = protocol.evaluate(ticket, nxt)  # type: ignore[attr-defined]
    assert {a.key for a in later.actions} > keys
    assert [a.at for a in later.new_actions(now)] == [nxt] * len(later.new_actions(now))


def test_next_wakeup_counts_warnings_and_next_action_at_does_not() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P1")
    report = REACTIVE.evaluate(ticket, T0)
    # P1: first response in 1 business hour; its 50% warning at 09:30 is no action.
    assert report.next_wakeup == T0.add(minutes=30)
    assert report.next_action_at is not None
    assert report.next_action_at > report.next_wakeup
    assert REACTIVE.evaluate(ticket, report.next_action_at).actions


def test_new_actions_since_the_previous_evaluation() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2", customer_timezone=MADRID)
    ticket.record(AgentReplied(at=T0 + 0.5 * H))
    ticket.record(PromiseMade(at=T0 + 0.5 * H, due=T0 + 3 * H, description="call back"))
    first = REACTIVE.evaluate(ticket, T0 + 2.75 * H)
    assert [a.kind for a in first.new_actions(None)] == ["promise_reminder"]
    second = REACTIVE.evaluate(ticket, T0 + 5 * H)
    assert [a.kind for a in second.new_actions(first.now)] == ["promise_broken", "follow_up"]
    assert second.new_actions(second.now) == ()
    # An action at exactly the previous instant is new unless it was done then.
    at_broken = REACTIVE.evaluate(ticket, T0 + 3 * H)
    broken = at_broken.actions[-1]
    assert broken.kind == "promise_broken"
    assert broken in at_broken.new_actions(T0 + 3 * H)
    assert broken not in at_broken.new_actions(T0 + 3 * H, done={broken.key})


def test_a_promise_recorded_after_its_deadline_breaks_when_recorded() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    ticket.record(PromiseMade(at=T0 + 2 * H, due=T0 + H, description="late note"))
    (broken,) = [a for a in REACTIVE.evaluate(ticket, T0 + 3 * H).actions if a.kind.startswith("p")]
    assert broken.kind == "promise_broken"
    assert broken.at == T0 + 2 * H


# Each example validates whole reports against the JSON schema: costly.
@settings(costly())
@given(
    tickets(helpdesk_lifecycle(), max_events=10, zone="America/Bogota"),
    st.integers(0, 10 * 24 * 60),
    st.sampled_from([REACTIVE, PROACTIVE]),
)
def test_reports_serialise_to_the_documented_schema(
    ticket: Ticket, minutes: int, protocol: object
) -> None:
    report = protocol.evaluate(ticket, ticket.last_event_at.add(minutes=minutes))  # type: ignore[attr-defined]
    data = json.loads(report_to_json(report))
    jsonschema.validate(data, report_json_schema())
    assert data == report_to_dict(report)
    assert data["format"] == REPORT_FORMAT
    assert parse_instant(data["now"]) == report.now
    assert [parse_instant(a["at"]) for a in data["actions"]] == [a.at for a in report.actions]
    assert [a["key"] for a in data["actions"]] == [a.key for a in report.actions]
    if report.next_action_at is not None:
        assert parse_instant(data["next_action_at"]) == report.next_action_at
    assert [e["chain"] for e in data["escalations"]] == [
        c.name
        for c in protocol.escalations  # type: ignore[attr-defined]
    ]


def test_the_schema_rejects_what_the_library_never_writes() -> None:
    ticket = REACTIVE.open(ticket_id="T-1", at=T0, priority="P2")
    data = report_to_dict(REACTIVE.evaluate(ticket, T0 + 30 * H))
    data["now"] = "2025-03-03 09:00"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_json_schema())


@given(
    st.datetimes(
        min_value=dt.datetime(1990, 1, 1),
        max_value=dt.datetime(2090, 1, 1),
        timezones=st.sampled_from(
            [zoneinfo.ZoneInfo(z) for z in ("Europe/Madrid", "America/Bogota", "UTC")]
            + [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]
        ),
    )
    | dst_edge_datetimes(("Europe/Madrid", "America/New_York"))
)
@example(dt.datetime(1999, 3, 28, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")))
@example(dt.datetime(1999, 3, 28, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"), fold=1))
@example(dt.datetime(1999, 10, 31, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"), fold=1))
def test_parse_instant_reads_what_format_instant_writes(value: dt.datetime) -> None:
    # Wall times in DST gaps and folds included: the text names the instant the value stands for
    # (what as_instant reads), with the wall time and offset that instant has in the zone.
    text = format_instant(value)
    back = parse_instant(text)
    real = value.astimezone(dt.UTC).astimezone(value.tzinfo)
    assert back.astimezone(dt.UTC) == value.astimezone(dt.UTC)
    assert back.replace(tzinfo=None) == real.replace(tzinfo=None)
    assert back.utcoffset() == real.utcoffset()
    again = format_instant(back)  # a fixed UTC offset of zero is written as [UTC]
    assert format_instant(parse_instant(again)) == again


def test_format_instant_writes_a_wall_time_in_a_dst_gap_as_the_instant_it_stands_for() -> None:
    # 02:30 does not exist in Madrid on 1999-03-28: like calendars and cadences, it is read as
    # moved forward by the gap (fold=0, PEP 495), and written so that parse_instant reads it.
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    gap = dt.datetime(1999, 3, 28, 2, 30, tzinfo=madrid)
    assert format_instant(gap) == "1999-03-28T03:30:00+02:00[Europe/Madrid]"
    assert parse_instant(format_instant(gap)) == parse_instant("1999-03-28T01:30:00Z")
    # fold=1 takes the offset after the jump: the same wall time an hour earlier.
    assert format_instant(gap.replace(fold=1)) == "1999-03-28T01:30:00+01:00[Europe/Madrid]"
    # A time in a fold keeps its wall time, each fold its own offset.
    fold = dt.datetime(1999, 10, 31, 2, 30, tzinfo=madrid)
    assert format_instant(fold) == "1999-10-31T02:30:00+02:00[Europe/Madrid]"
    assert format_instant(fold.replace(fold=1)) == "1999-10-31T02:30:00+01:00[Europe/Madrid]"
    assert parse_instant(format_instant(fold.replace(fold=1))).fold == 1


def test_parse_instant_reads_the_zone_name_pendulum_cannot() -> None:
    text = "2025-03-03T09:00:00+01:00[Europe/Madrid]"
    with pytest.raises(ValueError, match="Unable to parse"):
        pendulum.parse(text)
    instant = parse_instant(text)
    assert instant.timezone_name == "Europe/Madrid"
    assert instant.add(months=6).utcoffset() == dt.timedelta(hours=2)  # the zone, not +01:00
    assert parse_instant("2025-03-03T08:00:00Z") == instant


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("2025-03-03T09:00:00", NaiveDatetimeError, "no UTC offset"),
        ("yesterday", InstantFormatError, "not an ISO 8601 instant"),
        ("2025-03-03T09:00:00+02:00[Europe/Madrid]", InstantFormatError, "not the offset"),
        ("2025-03-03T09:00:00+01:00[Europe/Madird]", UnknownTimezoneError, "Did you mean"),
    ],
)
def test_parse_instant_refuses_what_it_cannot_read(
    text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        parse_instant(text)


def test_text_passed_as_an_instant_is_named_as_such() -> None:
    with pytest.raises(InstantTypeError, match=r"got the string .*parse_instant\("):
        REACTIVE.open(ticket_id="T-1", at="2025-03-03T09:00:00+01:00", priority="P1")  # type: ignore[arg-type]


def test_attrs_evolve_works_on_an_sla_policy() -> None:
    assert REACTIVE.sla is not None
    policy = attrs.evolve(REACTIVE.sla, name="faster", on_reopen="new_cycle")
    assert policy.name == "faster"
    assert policy.target_for("resolution", "P1") == REACTIVE.sla.target_for("resolution", "P1")
    with pytest.raises(ValueError, match="has no targets"):
        attrs.evolve(policy, targets=[])


def _bpi_resolution_rows() -> list[ComplianceRow]:
    priorities = ("Major", "High", "Medium", "Low")
    protocol = reactive_protocol(BusinessCalendar.always_open("Europe/Brussels"), priorities)
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    rows = []
    for ticket in bpic2013_tickets(bpic2013_sample_path()):
        rows += compliance_rows(protocol, ticket, protocol.evaluate(ticket, now))
    return rows


BPI_ROWS = _bpi_resolution_rows()


@given(st.randoms(use_true_random=False), st.integers(1, 40))
def test_the_resolution_sample_depends_on_the_rows_not_their_order(
    shuffle: random.Random, keep: int
) -> None:
    everything = ComplianceTally().add_all(BPI_ROWS).report().resolution_hours
    resolved = sorted(
        (r.priority, r.elapsed_seconds / 3600, r.target_seconds / 3600)
        for r in BPI_ROWS
        if r.metric == "resolution" and r.state in ("met", "breached") and r.target_seconds
    )
    assert sorted((p, *v) for p, vs in everything.items() for v in vs) == resolved
    rows = list(BPI_ROWS)
    shuffle.shuffle(rows)
    sample = ComplianceTally(keep=keep).add_all(BPI_ROWS).report().resolution_hours
    assert ComplianceTally(keep=keep).add_all(rows).report().resolution_hours == sample
    assert sum(map(len, sample.values())) == min(keep, len(resolved))
    for priority, values in sample.items():
        assert set(values) <= set(everything[priority])
