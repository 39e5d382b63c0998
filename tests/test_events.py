"""Events: lossless round trips through plain data and JSON; decode errors name the field."""

from __future__ import annotations

from collections.abc import Callable

import pendulum
import pytest
from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import (
    Acknowledged,
    AgentReplied,
    Assigned,
    AttributesChanged,
    CustomerReplied,
    Escalated,
    Event,
    FollowUpSent,
    NoteAdded,
    OptedOut,
    PriorityChanged,
    PromiseMade,
    StatusChanged,
    TicketOpened,
    event_from_dict,
    event_to_dict,
    history_from_json,
    history_to_json,
)
from servicekit._events import FrozenAttributes
from servicekit.errors import EventDecodeError, InvalidEventError
from servicekit.testing import aware_datetimes

text = st.text(min_size=1, max_size=12)
maybe = st.none() | text
values = st.one_of(st.booleans(), st.integers(-(10**6), 10**6), text)

EVENTS: st.SearchStrategy[Event] = st.one_of(
    st.builds(
        TicketOpened,
        at=aware_datetimes(),
        actor=maybe,
        ticket_id=text,
        priority=text,
        channel=maybe,
        customer_timezone=st.sampled_from([None, "Europe/Madrid", "Asia/Kolkata"]),
        attributes=st.dictionaries(text, values, max_size=3),
    ),
    st.builds(
        StatusChanged,
        at=aware_datetimes(),
        actor=maybe,
        trigger=text,
        from_status=text,
        to_status=text,
        reason=maybe,
        role=maybe,
    ),
    st.builds(AgentReplied, at=aware_datetimes(), actor=maybe, public=st.booleans()),
    st.builds(CustomerReplied, at=aware_datetimes(), actor=maybe),
    st.builds(PriorityChanged, at=aware_datetimes(), from_priority=text, to_priority=text),
    st.builds(Assigned, at=aware_datetimes(), agent=maybe, group=maybe, tier=maybe),
    st.builds(Escalated, at=aware_datetimes(), level=text, reason=maybe),
    st.builds(Acknowledged, at=aware_datetimes(), actor=maybe, key=text, chain=maybe),
    st.builds(Acknowledged, at=aware_datetimes(), actor=maybe, chain=text, run=st.integers(1, 9)),
    st.builds(
        AttributesChanged,
        at=aware_datetimes(),
        attributes=st.dictionaries(
            st.text(max_size=5), st.one_of(st.none(), st.booleans(), text), min_size=1
        ),
    ),
    st.builds(FollowUpSent, at=aware_datetimes(), channel=text),
    st.builds(NoteAdded, at=aware_datetimes(), text=text),
    st.builds(
        PromiseMade,
        at=aware_datetimes(),
        due=aware_datetimes(),
        description=st.text(max_size=20),
        channel=maybe,
    ),
    st.builds(OptedOut, at=aware_datetimes(), channel=maybe),
)


@settings(costly())
@given(EVENTS)
def test_every_event_round_trips(event: Event) -> None:
    data = event_to_dict(event)
    assert data["type"] == type(event).kind
    back = event_from_dict(data)
    assert back == event
    assert back.at.timezone_name == event.at.timezone_name


@given(st.lists(EVENTS, max_size=6))
def test_histories_round_trip_through_json(history: list[Event]) -> None:
    assert list(history_from_json(history_to_json(history))) == history


def test_decode_errors_name_the_field() -> None:
    good = event_to_dict(AgentReplied(at=pendulum.datetime(2025, 1, 1, tz="UTC")))
    with pytest.raises(EventDecodeError, match="unknown event type 'agent_replyed'"):
        event_from_dict({**good, "type": "agent_replyed"})
    with pytest.raises(EventDecodeError, match="no 'type' key"):
        event_from_dict({k: v for k, v in good.items() if k != "type"})
    with pytest.raises(EventDecodeError, match=r"\.at"):
        event_from_dict({k: v for k, v in good.items() if k != "at"})
    with pytest.raises(EventDecodeError, match=r"\.public"):
        event_from_dict({**good, "public": "yes"})
    with pytest.raises(EventDecodeError, match="colour"):
        event_from_dict({**good, "colour": "red"})


# -- stored data that would be guessed at is refused (review items 8 and 9) -----------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b'[{"type": "agent_replied", "at": "\xff"}]', "not UTF-8"),
        ("[" * 100_000, "nested too deeply"),
        ("[1" + "0" * 5000 + "]", "not valid JSON"),
        (None, "JSON text"),
        (
            '[{"type": "agent_replied", "at": "2025-03-03T09:00:00+02:00[Europe/Madrid]"}]',
            r"offset \+02:00 is not the offset of Europe/Madrid at that instant \(\+01:00\)",
        ),
    ],
)
def test_bad_stored_histories_are_refused(text: object, fragment: str) -> None:
    with pytest.raises(EventDecodeError, match=fragment):
        history_from_json(text)  # type: ignore[arg-type]


def test_deeply_nested_attributes_are_refused() -> None:
    nested: object = 1
    for _ in range(5000):
        nested = {"x": nested}
    data = {
        "type": "ticket_opened",
        "at": "2025-03-03T09:00:00+00:00",
        "ticket_id": "T",
        "priority": "P1",
        "attributes": nested,
    }
    with pytest.raises(EventDecodeError):
        event_from_dict(data)


_AT = pendulum.datetime(2025, 3, 3, 9)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: TicketOpened(at=_AT, ticket_id=5, priority="P2"),
            "ticket_id must be a str, got int 5",
        ),
        (lambda: AgentReplied(at=_AT, actor=5), "actor must be a str or None, got int 5"),
        (lambda: AgentReplied(at=_AT, public="yes"), "public must be True or False, got str 'yes'"),
    ],
)
def test_event_fields_of_the_wrong_type_are_named(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidEventError, match=message):
        make()


def test_decoding_refuses_what_is_no_event() -> None:
    with pytest.raises(EventDecodeError, match="an event must be a mapping, got list"):
        event_from_dict([1])  # type: ignore[arg-type]
    with pytest.raises(EventDecodeError, match="expected an ISO 8601 string, got int"):
        event_from_dict({"type": "agent_replied", "at": 5})
    with pytest.raises(EventDecodeError, match="a history must be a JSON array, got dict"):
        history_from_json("{}")
    with pytest.raises(TypeError, match="expected a servicekit event, got str"):
        event_to_dict("x")  # type: ignore[arg-type]


def test_free_form_attributes_are_a_frozen_value() -> None:
    a, b = FrozenAttributes({"a": 1, "b": None}), FrozenAttributes({"b": None, "a": 1})
    assert a == b == {"a": 1, "b": None}
    assert hash(a) == hash(b)
    assert a != 5
    assert repr(a) == "FrozenAttributes({'a': 1, 'b': None})"
    with pytest.raises(TypeError, match="attribute names must be strings, got 1"):
        FrozenAttributes({1: 2})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="attribute 'a' must be a str, int, float, bool or None"):
        FrozenAttributes({"a": [1]})  # type: ignore[dict-item]
