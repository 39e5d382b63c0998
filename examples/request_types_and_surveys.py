"""Petitions, complaints, claims and suggestions under their own promises, then a survey.

Four requests arrive at a Madrid desk on a Monday morning and get the same treatment: a
first answer after three hours, solved the next afternoon. Each type's protocol judges that
treatment differently. A day later every customer is asked how it went; the answers give the
response rate and satisfaction per type, and the angry one reopens its ticket.

Run: python examples/request_types_and_surveys.py
"""

from __future__ import annotations

import datetime as dt

import pendulum

from servicekit import AgentReplied, BusinessCalendar, SurveyAnswered, SurveySent
from servicekit.followup import SurveySchedule, plan_surveys, survey_report
from servicekit.protocols import pqrs_request_types

desk = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
types = pqrs_request_types(desk)
t0 = pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid")
solved_at = t0.add(days=1, hours=6)

tickets = {}
for kind in types.names:
    ticket = types.open(
        kind,
        ticket_id=f"{kind[:3].upper()}-1",
        at=t0,
        priority="P2",
        channel="email",
        customer_timezone="Europe/Madrid",
    )
    ticket.record(AgentReplied(at=t0.add(hours=3)))
    ticket.fire("solve", at=solved_at)
    tickets[kind] = ticket

print("The same handling, judged by each type's promise:")
for kind, ticket in tickets.items():
    report = types.evaluate(ticket, solved_at)
    assert report.sla is not None
    states = ", ".join(f"{s.metric} {s.state.value}" for s in report.sla.statuses)
    print(f"  {kind:<10} {states}")

survey = SurveySchedule(
    name="csat", delay=dt.timedelta(days=1), reopen_below=2, default_timezone="Europe/Madrid"
)
plan = plan_surveys(survey, tickets.values(), solved_at.add(days=2))
print(f"Surveys due: {[(d.ticket_id, f'{d.at:%a %H:%M}') for d in plan.due]}")
scores = {"petition": 5, "complaint": 1, "claim": 4}  # the suggestion goes unanswered
for due in plan.due:
    ticket = next(t for t in tickets.values() if t.id == due.ticket_id)
    ticket.record(SurveySent(at=due.at, survey="csat", channel=due.channel))
for kind, score in scores.items():
    tickets[kind].record(SurveyAnswered(at=solved_at.add(days=2), survey="csat", score=score))

later = solved_at.add(days=3)
for row in survey_report(survey, {k: [t] for k, t in tickets.items()}, later):
    if row.channel == "*":
        rate = "-" if row.response_rate is None else f"{row.response_rate:.0%}"
        mean = "-" if row.mean_score is None else f"{row.mean_score:.1f}"
        print(
            f"  {row.protocol:<10} sent {row.sent} answered {row.answered} "
            f"response {rate:>4} mean score {mean}"
        )
reopens = plan_surveys(survey, tickets.values(), later).reopens
print(f"Reopen after a bad score: {[r.ticket_id for r in reopens]}")
