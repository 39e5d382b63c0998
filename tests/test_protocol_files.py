"""Protocol files: the ready-made files, round trips, the JSON Schema, durations, and a
corpus of broken files each with its exact message."""

from __future__ import annotations

import datetime as _dt
import json
import re
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import attrs
import jsonschema
import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from servicekit import BusinessCalendar, Lifecycle, StatusCategory
from servicekit._locate import locate
from servicekit._units import (
    BusinessDays,
    UnitError,
    format_duration,
    format_share,
    parse_duration,
    parse_share,
    resolve_duration,
)
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.errors import ProtocolFileError
from servicekit.escalation import (
    AfterBreach,
    AtSlaFraction,
    Delay,
    EnteredCategory,
    EscalationChain,
    Repeat,
    SlaTrigger,
    Step,
    Target,
)
from servicekit.protocols import (
    READY_MADE,
    ServiceProtocol,
    crisis_protocol,
    daily_requests_protocol,
    load_protocol,
    loads_protocol,
    proactive_protocol,
    protocol_schema,
    reactive_protocol,
    ready_made_path,
    ready_made_text,
)
from servicekit.protocols._files import schema_json
from servicekit.sla import ANY_PRIORITY, On, SlaPolicy, SlaTarget
from servicekit.testing import (
    business_calendars,
    follow_up_schedules,
    lifecycles,
    ready_made_protocols,
    service_protocols,
)

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "data" / "broken_protocols"
#: The calendar the shipped files are written for.
FILE_CALENDAR = BusinessCalendar("UTC", "mon-fri 09:00-17:00")
PYTHON_BUILT = {
    "reactive": lambda: reactive_protocol(FILE_CALENDAR),
    "proactive": lambda: proactive_protocol(FILE_CALENDAR),
    "daily-requests": lambda: daily_requests_protocol(FILE_CALENDAR),
    "crisis": lambda: crisis_protocol(),
}


# -- the ready-made files -------------------------------------------------------------------


@pytest.mark.parametrize("name", READY_MADE)
def test_ready_made_file_is_the_python_built_protocol(name: str) -> None:
    assert load_protocol(ready_made_path(name)) == PYTHON_BUILT[name]()


@pytest.mark.parametrize("name", READY_MADE)
def test_ready_made_file_round_trips(name: str) -> None:
    protocol = loads_protocol(ready_made_text(name))
    again = loads_protocol(protocol.to_toml())
    assert again == protocol
    assert again.to_toml() == protocol.to_toml()


@pytest.mark.parametrize("name", READY_MADE)
def test_ready_made_file_matches_the_schema(name: str) -> None:
    jsonschema.validate(tomllib.loads(ready_made_text(name)), protocol_schema())


def _figures(protocol: ServiceProtocol, now: pendulum.DateTime) -> Counter[str]:
    figures: Counter[str] = Counter()
    for report in protocol.evaluate_many(bpic2013_tickets(bpic2013_sample_path()), now):
        figures.update(f"action:{a.kind}" for a in report.actions)
        if report.sla is not None:
            figures.update(f"{s.metric}:{s.state.value}" for s in report.sla.statuses)
    return figures


BPI = ("Major", "High", "Medium", "Low")
PYTHON_BUILT_BPI = {
    "reactive": lambda: reactive_protocol(FILE_CALENDAR, BPI),
    "proactive": lambda: proactive_protocol(FILE_CALENDAR, BPI),
    "daily-requests": lambda: daily_requests_protocol(FILE_CALENDAR, BPI),
    "crisis": lambda: crisis_protocol(),
}


def _bpi_priorities(text: str) -> str:
    """The file as a team with BPI 2013's impacts edits it: P1..P3 renamed, Low as P3."""
    text = re.sub(r"(?m)^P1 = ", "Major = ", text)
    text = re.sub(r"(?m)^P2 = ", "High = ", text)
    return re.sub(r"(?m)^P3 = (.*)$", r"Medium = \1\nLow = \1", text)


@pytest.mark.parametrize("name", READY_MADE)
def test_ready_made_file_replays_bpi2013_like_the_python_protocol(name: str) -> None:
    now = pendulum.datetime(2012, 5, 7, 12, tz="Europe/Brussels")
    from_file = _figures(loads_protocol(_bpi_priorities(ready_made_text(name))), now)
    assert from_file == _figures(PYTHON_BUILT_BPI[name](), now)
    assert sum(v for k, v in from_file.items() if not k.startswith("action:")) >= 90


def test_unknown_ready_made_name() -> None:
    with pytest.raises(Exception, match="no ready-made protocol is called 'nope'"):
        ready_made_path("nope")


# -- the JSON Schema ------------------------------------------------------------------------


def test_published_schemas_are_generated_from_the_format() -> None:
    """Regenerate with: python -c "from servicekit.protocols._files import schema_json;
    print(schema_json(), end='')" > docs/protocol.schema.json (and the package copy)."""
    text = schema_json()
    assert (ROOT / "docs" / "protocol.schema.json").read_text("utf-8") == text
    shipped = ROOT / "src" / "servicekit" / "protocols" / "_data" / "protocol.schema.json"
    assert shipped.read_text("utf-8") == text
    jsonschema.Draft202012Validator.check_schema(json.loads(text))


def test_schema_refuses_what_the_loader_refuses() -> None:
    data = tomllib.loads(ready_made_text("reactive"))
    data["descripton"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, protocol_schema())


# -- durations and shares -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", _dt.timedelta(hours=4)),
        ("30min", _dt.timedelta(minutes=30)),
        ("1h 30min", _dt.timedelta(minutes=90)),
        ("2 hours", _dt.timedelta(hours=2)),
        ("7d", _dt.timedelta(days=7)),
        ("1.5h", _dt.timedelta(minutes=90)),
        ("250ms", _dt.timedelta(milliseconds=250)),
        ("1w", _dt.timedelta(weeks=1)),
    ],
)
def test_parse_duration(text: str, expected: _dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "4", "h", "-4h", "4 parsecs", "4h and more", "0.5us"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(UnitError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "a duration such as '4h'"),
        (4, "a duration such as '4h'"),
        ("0 business days", "a positive number of business days"),
        ("-2 business days", r"a duration of 0 or more \(not negative\)"),
    ],
)
def test_parse_duration_refusals_say_what_a_duration_is(value: object, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_duration(value)


@pytest.mark.parametrize("value", ["75", 75, 0.75, "%", "75 %%", None])
def test_parse_share_wants_a_percentage(value: object) -> None:
    with pytest.raises(UnitError, match="a percentage such as '75%'"):
        parse_share(value)


def test_business_days_on_calendars_without_one_day_length() -> None:
    night = BusinessCalendar("UTC", "mon-fri 22:00-06:00")  # shifts across midnight count whole
    assert resolve_duration(BusinessDays(Decimal(2)), night) == _dt.timedelta(hours=16)
    with pytest.raises(UnitError, match="no opening hours, so it has no business day"):
        resolve_duration(BusinessDays(Decimal(1)), BusinessCalendar("UTC", {}))
    with pytest.raises(UnitError, match="business days count on a calendar"):
        resolve_duration(BusinessDays(Decimal(1)), None)
    with pytest.raises(UnitError, match="not a whole number of microseconds"):
        resolve_duration(parse_duration("0.0000000001 business days"), FILE_CALENDAR)


@given(st.timedeltas(_dt.timedelta(0), _dt.timedelta(days=400)))
def test_format_duration_reads_back_exactly(value: _dt.timedelta) -> None:
    assert parse_duration(format_duration(value)) == value


@given(st.integers(1, 100_000).map(lambda n: n / 1000))
def test_format_share_reads_back_exactly(value: float) -> None:
    assert parse_share(format_share(value)) == value


def test_three_business_days_from_tuesday_afternoon_is_friday_afternoon() -> None:
    desk = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
    days = parse_duration("3 business days")
    assert days == BusinessDays(3)  # type: ignore[arg-type]
    tuesday = pendulum.datetime(2025, 3, 4, 15, tz="Europe/Madrid")
    due = desk.add(tuesday, resolve_duration(days, desk))
    assert due == pendulum.datetime(2025, 3, 7, 15, tz="Europe/Madrid")
    # A holiday on the way is skipped: due on Monday instead.
    closed_wednesday = BusinessCalendar(
        "Europe/Madrid", "mon-fri 09:00-17:00", holidays=[_dt.date(2025, 3, 5)]
    )
    due = closed_wednesday.add(tuesday, resolve_duration(days, closed_wednesday))
    assert due == pendulum.datetime(2025, 3, 10, 15, tz="Europe/Madrid")


def test_business_days_need_days_of_one_length() -> None:
    uneven = BusinessCalendar("UTC", "mon-fri 09:00-17:00; sat 10:00-14:00")
    with pytest.raises(UnitError, match="no single length"):
        resolve_duration(BusinessDays(1), uneven)  # type: ignore[arg-type]
    with pytest.raises(UnitError, match="count on a calendar"):
        resolve_duration(BusinessDays(1), None)  # type: ignore[arg-type]


def test_business_days_in_a_file() -> None:
    text = ready_made_text("daily-requests").replace('P3 = "40h"', 'P3 = "5 business days"')
    protocol = loads_protocol(text)
    assert protocol.sla is not None
    assert protocol.sla.target_for("resolution", "P3").target == _dt.timedelta(hours=40)


# -- broken files ---------------------------------------------------------------------------


# Each broken file NAME.toml has its exact message, as the loader prints it, in NAME.expected.
CORPUS = sorted(p.stem for p in BROKEN.glob("*.toml"))


def test_every_broken_file_has_its_message() -> None:
    assert CORPUS
    assert sorted(p.stem for p in BROKEN.glob("*.expected")) == CORPUS


@pytest.mark.parametrize("stem", CORPUS)
def test_broken_file_message(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    with pytest.raises(ProtocolFileError) as caught:
        load_protocol(f"{stem}.toml")
    assert str(caught.value) == (BROKEN / f"{stem}.expected").read_text("utf-8").rstrip("\n")
    assert caught.value.problems


def test_missing_file() -> None:
    with pytest.raises(ProtocolFileError, match=r"nowhere\.toml: cannot read the protocol file"):
        load_protocol("nowhere.toml")


def test_every_problem_is_reported_with_its_line() -> None:
    with pytest.raises(ProtocolFileError) as caught:
        load_protocol(BROKEN / "several.toml")
    problems = caught.value.problems
    assert [(p.line, p.path) for p in problems] == [  # type: ignore[attr-defined]
        (2, "descripton"),
        (7, "sla.metrics.first_response.targets.P2"),
    ]


# -- extension by importable names ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TeamProtocol(ServiceProtocol):
    """A team's own subclass, named in its file."""


def only_leads(ticket: object, event: object) -> bool:
    """A guard a file names."""
    return True


def test_a_subclass_and_a_guard_named_in_the_file() -> None:
    text = f"""
name = "ours"
class = "{__name__}:TeamProtocol"
[lifecycle]
name = "mini"
initial = "new"
statuses = {{new = "new", solved = "solved", closed = "closed"}}
[[lifecycle.transitions]]
trigger = "solve"
from = "new"
to = "solved"
guards = ["{__name__}:only_leads"]
[[lifecycle.transitions]]
trigger = "close"
from = "solved"
to = "closed"
after = "3 business days"
calendar = "desk"
[calendars.desk]
timezone = "Europe/Madrid"
hours = "mon-fri 09:00-17:00"
holidays = {{country = "ES", subdivision = "MD"}}
"""
    protocol = loads_protocol(text)
    assert type(protocol) is TeamProtocol
    assert protocol.lifecycle.transition("new", "solve").guards == (only_leads,)
    assert protocol.lifecycle.transition("solved", "close").after == _dt.timedelta(hours=24)
    assert loads_protocol(protocol.to_toml()) == protocol


def test_a_metric_of_your_own() -> None:
    text = """
name = "ours"
[lifecycle]
ready = "helpdesk"
[sla.metrics.vip_reply]
targets = {"*" = "30min"}
[sla.metrics.vip_reply.definition]
starts_on = [{event = "customer_replied"}]
met_on = [{event = "agent_replied", public = true}]
clock = {waiting_on_customer = "run"}
"""
    protocol = loads_protocol(text)
    assert protocol.sla is not None
    metric = protocol.sla.metrics[0]
    assert metric.name == "vip_reply"
    assert metric.met_on == (On("agent_replied", public=True),)
    assert loads_protocol(protocol.to_toml()) == protocol


# -- hypothesis: valid protocols write and read back equal ---------------------------------


def _finishes(lifecycle: Lifecycle) -> bool:
    ends = {
        s.name
        for s in lifecycle.statuses
        if s.category.is_final or s.category is StatusCategory.SOLVED
    }
    changed = True
    while changed:
        changed = False
        for s in lifecycle.statuses:
            if s.name not in ends and any(
                lifecycle.destination(s.name, t) in ends for t in lifecycle.triggers_from(s.name)
            ):
                ends.add(s.name)
                changed = True
    return len(ends) == len(lifecycle.statuses)


_MINUTES = st.integers(1, 60 * 24 * 10).map(lambda m: _dt.timedelta(minutes=m))


@st.composite
def protocols(draw: st.DrawFn) -> ServiceProtocol:
    lifecycle = draw(lifecycles())
    assume(_finishes(lifecycle))
    calendar = draw(business_calendars())
    priorities = draw(st.lists(st.sampled_from(["P1", "P2", "P3", ANY_PRIORITY]), unique=True))
    metrics = draw(
        st.lists(
            st.sampled_from(["first_response", "resolution", "periodic_update"]),
            min_size=1,
            unique=True,
        )
    )
    targets = [
        SlaTarget(
            metric=m,
            priority=p,
            target=draw(_MINUTES),
            calendar=draw(st.sampled_from([calendar, BusinessCalendar.always_open()])),
            warn_at=draw(st.sampled_from([(0.5, 0.75, 0.9), (0.8,), ()])),
        )
        for m in metrics
        for p in priorities or [ANY_PRIORITY]
    ]
    sla = SlaPolicy(
        draw(st.sampled_from(["ours", "other"])),
        targets,
        on_reopen=draw(st.sampled_from(["resume", "new_cycle"])),
    )
    waits = st.one_of(
        _MINUTES.map(Delay),
        st.builds(AtSlaFraction, st.sampled_from(metrics), st.sampled_from([0.5, 0.75, 1.0])),
        st.builds(AfterBreach, st.sampled_from(metrics), _MINUTES, st.just(calendar)),
    )
    steps = draw(
        st.lists(
            st.builds(
                Step,
                targets=st.lists(
                    st.builds(Target, st.sampled_from(["tier", "role"]), st.sampled_from(["a"])),
                    min_size=1,
                    max_size=2,
                ),
                wait=waits,
                channel=st.sampled_from([None, "sms"]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    chain = EscalationChain(
        name="chain",
        kind=draw(st.sampled_from(["functional", "hierarchical"])),
        steps=steps,
        triggers=draw(
            st.sampled_from(
                [
                    (On("escalated"),),
                    (On("ticket_opened"), SlaTrigger(metrics[0], 0.5)),
                    (EnteredCategory([StatusCategory.OPEN]),),
                ]
            )
        ),
        repeat=Repeat(0, 0),
    )
    schedules = draw(st.lists(follow_up_schedules(), max_size=1))
    return ServiceProtocol(
        name="random",
        lifecycle=lifecycle,
        sla=sla,
        escalations=draw(st.sampled_from([[], [chain]])),
        follow_ups=schedules,
        description=draw(st.sampled_from(["", "a protocol"])),
    )


_VALIDATOR = jsonschema.Draft202012Validator(protocol_schema())


@given(ready_made_protocols())
def test_valid_protocols_write_and_read_back_equal(protocol: ServiceProtocol) -> None:
    text = protocol.to_toml()
    assert loads_protocol(text) == protocol
    data = tomllib.loads(text)
    _VALIDATOR.validate(_as_json(data))
    # Every key and array item of the file has the line it starts on.
    lines = locate(text)
    for path in _paths(data):
        assert path in lines, path


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _as_json(value: object) -> object:
    """TOML data as editors validate it: dates and times as ISO 8601 text."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return value


def test_locate_handles_what_people_write() -> None:
    text = '''# a comment with [brackets] and = signs
name = "x # not a comment"
description = """
spans lines ] } [
"""
"quoted key" = 'lit]eral'
a.b = 1

[t] # trailing
c = [
  1,  # one
  {d = "e", f = [2, 3]},
]

[[arr]]
g = 1

[[arr]]
g = 2

[[arr.sub]]
h = 3
'''
    data = tomllib.loads(text)
    lines = locate(text)
    assert all(path in lines for path in _paths(data))
    assert lines[("description",)] == 3
    assert lines[("quoted key",)] == 6
    assert lines[("a", "b")] == 7
    assert lines[("t", "c", 1, "f", 1)] == 12
    assert lines[("arr", 1, "g")] == 19
    assert lines[("arr", 1, "sub", 0, "h")] == 22


@given(service_protocols())
def test_the_testing_kits_protocols_write_and_read_back_equal(protocol: ServiceProtocol) -> None:
    assert loads_protocol(protocol.to_toml()) == protocol


def test_a_file_with_every_option_away_from_its_default_reads_back_equal() -> None:
    # The drawn protocols leave many options at their defaults; this file sets each one.
    text = (ROOT / "tests" / "data" / "every_option_protocol.toml").read_text("utf-8")
    _VALIDATOR.validate(_as_json(tomllib.loads(text)))
    protocol = loads_protocol(text)
    written = protocol.to_toml()
    _VALIDATOR.validate(_as_json(tomllib.loads(written)))
    assert loads_protocol(written) == protocol
    chain = protocol.escalations[0]
    assert (chain.repeat.times, chain.repeat.from_step, chain.version) == (2, 1, 2)
    assert chain.hold_poll == _dt.timedelta(minutes=10)
    window = chain.steps[0].window
    assert window is not None
    assert (window.goto_step, sorted(window.weekdays)) == (1, [0, 1])
    assert chain.steps[0].fallback is not None
    reaction = protocol.lifecycle.reactions[0]
    assert (reaction.reason, reaction.role, dict(reaction.where)) == (
        "customer answered",
        "system",
        {"public": "true"},
    )
    assert protocol.sla is not None
    (callback,) = {t.metric for t in protocol.sla.targets if t.metric.name == "callback"}
    assert callback.restarts
    assert callback.reopenable
    assert callback.cancelled_on
    schedule = protocol.follow_ups[0]
    assert schedule.terminal is not None
    assert schedule.terminal.batch == _dt.time(2)
    assert schedule.team_hours is not None
    assert protocol.templates.fallback == ("es",)
