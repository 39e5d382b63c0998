"""The strategies servicekit.testing offers extenders draw valid, usable values."""

from __future__ import annotations

import pickle

from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import BusinessCalendar
from servicekit.escalation import EscalationChain
from servicekit.sla import SlaPolicy
from servicekit.testing import escalation_chains, service_protocols, sla_policies, tickets

DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")


@given(sla_policies(calendar=DESK))
def test_sla_policies_use_the_given_calendar(policy: SlaPolicy) -> None:
    assert policy.targets
    assert {t.calendar for t in policy.targets} == {DESK}
    assert pickle.loads(pickle.dumps(policy)) == policy


@given(escalation_chains(metrics=("resolution",)))
def test_escalation_chains_are_valid_and_ordered(chain: EscalationChain) -> None:
    assert 1 <= len(chain.steps) <= 4
    assert pickle.loads(pickle.dumps(chain)) == chain


@settings(costly())
@given(st.data())
def test_drawn_protocols_answer_for_drawn_histories(data: st.DataObject) -> None:
    protocol = data.draw(service_protocols())
    ticket = data.draw(tickets(protocol.lifecycle, max_events=6))
    now = ticket.last_event_at.add(hours=data.draw(st.integers(0, 72)))
    report = protocol.evaluate(ticket, now)
    assert report.next_wakeup is None or report.next_wakeup > now
    assert len({a.key for a in report.actions}) == len(report.actions)
    assert protocol.evaluate(ticket, now) == report  # pure: the same question, the same answer
