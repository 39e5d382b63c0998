"""Test your own protocol class with the hypothesis strategies of servicekit.testing.

Shows: a team's protocol as a subclass of ServiceProtocol (named accounts: the reactive
protocol plus an account manager alerted at 75% of the resolution target), and four
properties checked over random business calendars and random ticket histories drawn by
servicekit.testing. A failing property prints the smallest history that breaks it.

Needs the testing extra: pip install 'servicekit[testing]'.
Run: python examples/testing_your_protocol.py
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from servicekit import BusinessCalendar, Ticket
from servicekit.escalation import AtSlaFraction, EscalationChain, Step, Target
from servicekit.protocols import ServiceProtocol, reactive_protocol
from servicekit.sla import On
from servicekit.testing import business_calendars, tickets

MICROSECOND = dt.timedelta(microseconds=1)


@attrs.frozen
class AccountDesk(ServiceProtocol):
    """The reactive protocol, plus the named account manager alerted at 75% of resolution."""

    account_manager: str = "account-manager"

    @classmethod
    def for_calendar(cls, calendar: BusinessCalendar) -> AccountDesk:
        """The desk's protocol in its business hours."""
        base = reactive_protocol(calendar)
        alert = EscalationChain(
            name="account-manager",
            kind="hierarchical",
            triggers=[On("ticket_opened")],
            steps=[
                Step(
                    targets=[Target("role", "account-manager")],
                    wait=AtSlaFraction("resolution", 0.75),
                )
            ],
        )
        return cls(
            name="account-desk",
            lifecycle=base.lifecycle,
            sla=base.sla,
            escalations=[*base.escalations, alert],
            follow_ups=base.follow_ups,
            description="Named accounts: the account manager hears before a breach.",
        )


@st.composite
def cases(draw: st.DrawFn) -> tuple[AccountDesk, Ticket, dt.datetime]:
    """A desk in random business hours, a random history under its lifecycle, and a now."""
    desk = AccountDesk.for_calendar(draw(business_calendars()))
    ticket = draw(tickets(desk.lifecycle, max_events=8))
    now = ticket.last_event_at + dt.timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
    return desk, ticket, now


@given(cases())
def wakes_up_in_the_future(case: tuple[AccountDesk, Ticket, dt.datetime]) -> None:
    desk, ticket, now = case
    report = desk.evaluate(ticket, now)
    assert report.next_wakeup is None or report.next_wakeup > now


@given(cases())
def nothing_is_due_before_its_time(case: tuple[AccountDesk, Ticket, dt.datetime]) -> None:
    desk, ticket, now = case
    assert all(action.at <= now for action in desk.evaluate(ticket, now).actions)


@given(cases())
def later_events_do_not_change_the_past(case: tuple[AccountDesk, Ticket, dt.datetime]) -> None:
    desk, ticket, now = case
    earlier = ticket.opened.at + (now - ticket.opened.at) / 2
    assert desk.evaluate(ticket, earlier) == desk.evaluate(ticket.as_of(earlier), earlier)


@given(cases())
def nothing_changes_before_the_wakeup(case: tuple[AccountDesk, Ticket, dt.datetime]) -> None:
    desk, ticket, now = case
    report = desk.evaluate(ticket, now)
    if report.next_wakeup is not None:
        just_before = desk.evaluate(ticket, report.next_wakeup - MICROSECOND)
        assert [a.key for a in just_before.actions] == [a.key for a in report.actions]


PROPERTIES = {
    "next_wakeup is None or after now": wakes_up_in_the_future,
    "every due action's instant has come": nothing_is_due_before_its_time,
    "events after now do not change an answer": later_events_do_not_change_the_past,
    "no action appears before next_wakeup": nothing_changes_before_the_wakeup,
}

if __name__ == "__main__":
    table = Table("property of AccountDesk", "over random calendars and histories")
    for label, check in PROPERTIES.items():
        check()  # hypothesis runs the property; a counterexample raises here
        table.add_row(label, "held")
    Console().print(table)
