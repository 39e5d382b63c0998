"""Satisfaction surveys: after the solve, at a decent hour, once, and what the answers say."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit import OptedOut, SurveyAnswered, SurveySent, Ticket, helpdesk_lifecycle
from servicekit.errors import InvalidSurveyError
from servicekit.followup import (
    ContactWindow,
    SurveyOnce,
    SurveySchedule,
    plan_surveys,
    survey_report,
)
from servicekit.protocols import survey_actions

H = dt.timedelta(hours=1)
MADRID = "Europe/Madrid"
T0 = pendulum.datetime(2025, 3, 3, 15, tz=MADRID)  # a Monday afternoon
SCHEDULE = SurveySchedule(name="csat", delay=2 * H, default_timezone=MADRID, reopen_below=3)


def _solved(ticket_id: str, at: pendulum.DateTime = T0, **details: object) -> Ticket:
    ticket = Ticket.open(
        helpdesk_lifecycle(),
        ticket_id=ticket_id,
        at=at,
        priority="P2",
        **details,  # type: ignore[arg-type]
    )
    ticket.fire("solve", at=at.add(hours=1))
    return ticket


def test_survey_follows_the_solve_outside_quiet_hours() -> None:
    ticket = _solved("T-1", channel="chat")
    assert plan_surveys(SCHEDULE, [ticket], T0).next_at is None  # not solved yet at T0
    plan = plan_surveys(SCHEDULE, [ticket], T0.add(hours=1))
    assert plan.due == ()
    assert plan.next_at == T0.add(hours=3)
    late = _solved("T-2", T0.add(hours=4))  # solved 20:00, survey at 22:00 is quiet: 08:00
    plan = plan_surveys(SCHEDULE, [ticket, late], T0.add(days=1))
    assert [(d.ticket_id, d.at, d.channel) for d in plan.due] == [
        ("T-1", T0.add(hours=3), "chat"),
        ("T-2", pendulum.datetime(2025, 3, 4, 8, tz=MADRID), "email"),
    ]
    assert [a.kind for a in survey_actions(SCHEDULE, plan)] == ["survey", "survey"]
    # once sent it is not due again
    ticket.record(SurveySent(at=T0.add(hours=3), survey="csat", channel="chat"))
    assert [d.ticket_id for d in plan_surveys(SCHEDULE, [ticket], T0.add(days=1)).due] == []


def test_opt_outs_expiry_and_reopened_tickets() -> None:
    quitter = _solved("T-1")
    quitter.record(OptedOut(at=T0.add(hours=1)))
    reopened = _solved("T-2")
    reopened.fire("customer_reply", at=T0.add(hours=2))
    plan = plan_surveys(SCHEDULE, [quitter, reopened], T0.add(days=1))
    assert plan.due == ()
    assert plan.skipped == (("opted_out", 1),)
    short = SurveySchedule(name="csat", delay=2 * H, expires_after=3 * H, default_timezone=MADRID)
    night = _solved("T-3", T0.add(hours=4))
    assert plan_surveys(short, [night], T0.add(days=2)).skipped == (("expired", 1),)


def test_once_per_customer_per_period() -> None:
    schedule = SurveySchedule(
        name="csat",
        delay=H,
        contact_window=None,
        once_per=SurveyOnce.CUSTOMER,
        period=dt.timedelta(days=30),
    )
    first = _solved("T-1", attributes={"customer_id": "ana"})
    second = _solved("T-2", T0.add(hours=2), attributes={"customer_id": "ana"})
    other = _solved("T-3", attributes={"customer_id": "bo"})
    plan = plan_surveys(schedule, [second, first, other], T0.add(days=1))
    assert [d.ticket_id for d in plan.due] == ["T-1", "T-3"]
    assert plan.skipped == (("customer_recently_surveyed", 1),)
    first.record(SurveySent(at=T0.add(hours=2), survey="csat", channel="email"))
    later = _solved("T-4", T0.add(days=40), attributes={"customer_id": "ana"})
    plan = plan_surveys(schedule, [first, second, later], T0.add(days=41))
    assert [d.ticket_id for d in plan.due] == ["T-4"]


def test_bad_score_reopens_and_the_report_counts() -> None:
    good = _solved("T-1", channel="chat")
    bad = _solved("T-2", channel="email")
    silent = _solved("T-3", channel="email")
    for ticket, score in ((good, 5), (bad, 1), (silent, None)):
        ticket.record(SurveySent(at=T0.add(hours=3), survey="csat", channel="x"))
        if score is not None:
            ticket.record(SurveyAnswered(at=T0.add(hours=4), survey="csat", score=score))
    plan = plan_surveys(SCHEDULE, [good, bad, silent], T0.add(hours=5))
    assert [(r.ticket_id, r.score, r.trigger) for r in plan.reopens] == [("T-2", 1, "reopen")]
    rows = survey_report(SCHEDULE, {"reactive": [good, bad, silent]}, T0.add(hours=5))
    table = {(r.protocol, r.channel, r.priority): r for r in rows}
    total = table[("*", "*", "*")]
    assert (total.sent, total.answered, total.mean_score, total.satisfied_share) == (3, 2, 3.0, 0.5)
    assert total.response_rate == pytest.approx(2 / 3)
    email = table[("reactive", "email", "P2")]
    assert (email.sent, email.answered, email.satisfied_share) == (2, 1, 0.0)
    bad.fire("customer_reply", at=T0.add(hours=6))  # reopened: no reopen due any more
    assert plan_surveys(SCHEDULE, [bad], T0.add(hours=7)).reopens == ()


def test_definition_errors() -> None:
    with pytest.raises(InvalidSurveyError, match="satisfied_from"):
        SurveySchedule(scale=5, satisfied_from=6)
    with pytest.raises(InvalidSurveyError, match="reopen_below"):
        SurveySchedule(reopen_below=0)
    with pytest.raises(InvalidSurveyError, match="expires_after"):
        SurveySchedule(expires_after=dt.timedelta(0))


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 72 * 60)), min_size=1, max_size=12),
    st.integers(0, 96),
)
def test_no_customer_is_surveyed_twice_in_a_period(
    solves: list[tuple[int, int]], hours: int
) -> None:
    schedule = SurveySchedule(
        name="csat",
        delay=H,
        contact_window=ContactWindow(dt.time(9), dt.time(19)),
        default_timezone=MADRID,
        once_per=SurveyOnce.CUSTOMER,
        period=dt.timedelta(days=2),
    )
    tickets = [
        _solved(f"T-{i}", T0.add(minutes=minute), attributes={"customer_id": f"c{customer}"})
        for i, (customer, minute) in enumerate(solves)
    ]
    plan = plan_surveys(schedule, tickets, T0.add(hours=hours))
    seen: dict[str, list[pendulum.DateTime]] = {}
    for due in plan.due:
        customer = next(t for t in tickets if t.id == due.ticket_id).opened.attributes[
            "customer_id"
        ]
        assert 9 <= due.at.in_timezone(MADRID).hour < 19
        for earlier in seen.get(str(customer), []):
            assert abs(due.at - earlier) >= dt.timedelta(days=2)
        seen.setdefault(str(customer), []).append(due.at)
    assert len({d.key for d in plan.due}) == len(plan.due)
