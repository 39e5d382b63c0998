"""Every public value changes with attrs.evolve, or with its documented replace."""

from __future__ import annotations

import attrs
import pytest

from servicekit import BusinessCalendar, Lifecycle
from servicekit.protocols import (
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)

DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00", special_days={})


def _values() -> list[object]:
    values: list[object] = []
    for protocol in (
        reactive_protocol(DESK),
        proactive_protocol(DESK),
        daily_requests_protocol(DESK),
        crisis_protocol("Europe/Madrid"),
    ):
        assert protocol.sla is not None
        values += [protocol, protocol.sla, *protocol.sla.targets, *protocol.sla.metrics]
        values += [protocol.lifecycle, *protocol.lifecycle.statuses]
        values += [*protocol.lifecycle.transitions, *protocol.lifecycle.reactions]
        for chain in protocol.escalations:
            values += [chain, *chain.steps, *chain.triggers, *chain.stops]
            values += [t for s in chain.steps for t in (*s.targets, s.wait)]
        for schedule in protocol.follow_ups:
            values += [schedule, *(c for _, c in schedule.cadence), schedule.contact_window]
    return [v for v in values if v is not None]


@pytest.mark.parametrize("value", _values(), ids=lambda v: type(v).__name__)
def test_every_public_value_evolves(value: object) -> None:
    if isinstance(value, Lifecycle | BusinessCalendar):
        assert value.replace() == value
        return
    assert attrs.has(type(value)), type(value)
    assert attrs.evolve(value) == value


def test_replace_changes_and_checks() -> None:
    bogota = DESK.replace(timezone="America/Bogota")
    assert (bogota.timezone, bogota.hours) == ("America/Bogota", DESK.hours)
    lifecycle = reactive_protocol(DESK).lifecycle
    renamed = lifecycle.replace(name="ours")
    assert (renamed.name, renamed.transitions) == ("ours", lifecycle.transitions)
    with pytest.raises(TypeError, match="unknown fields"):
        lifecycle.replace(colour="red")
    with pytest.raises(ValueError, match="initial status"):
        lifecycle.replace(initial="nowhere")
