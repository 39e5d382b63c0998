"""Cost models: published Erlang values, invariants against slow exact references, sourcing."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from servicekit.costs import (
    Cell,
    InHouseCost,
    Money,
    OutsourcedCost,
    Pricing,
    Scenario,
    Staffing,
    backlog_agents,
    break_even,
    chat_load_factor,
    compare,
    coverage_people,
    deflect,
    erlang_a,
    erlang_b,
    erlang_c,
    plot_break_even,
    plot_tornado,
    required_agents,
    sensitivity,
    staff_intervals,
    staffing_for,
)
from servicekit.errors import CostModelError, CurrencyMismatchError, UnattainableTargetError

HALF_HOUR = dt.timedelta(minutes=30)


# -- published values ----------------------------------------------------------------------


def test_the_textbook_call_centre() -> None:
    """100 calls in 30 minutes, AHT 180 s, 80% answered within 20 s."""
    s = required_agents(100, HALF_HOUR, dt.timedelta(seconds=180), 0.8, dt.timedelta(seconds=20))
    assert s.load == pytest.approx(10.0)
    assert s.agents == 14
    assert s.service_level == pytest.approx(0.888, abs=5e-4)
    assert s.probability_of_waiting == pytest.approx(0.174, abs=5e-4)
    assert s.average_speed_of_answer == pytest.approx(7.8, abs=0.05)
    assert s.occupancy == pytest.approx(0.714, abs=5e-4)
    assert required_agents(100, HALF_HOUR, 180, 0.8, 20, shrinkage=0.3).scheduled_agents == 20
    capped = required_agents(100, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.7, shrinkage=0.3)
    assert (capped.agents, capped.scheduled_agents) == (15, 22)


@pytest.mark.parametrize(("servers", "load"), [(10, 4.46), (20, 12.03), (50, 37.90), (100, 84.06)])
def test_erlang_b_table_at_one_percent(servers: int, load: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(0.01, abs=2e-4)


def test_twenty_thousand_agents_without_overflow() -> None:
    for calls in (20_000, 200_000, 2_000_000):
        s = required_agents(calls, 3600, 300, 0.8, 20)
        assert math.isfinite(s.service_level)
        assert s.agents > s.load
    assert 0 < erlang_c(20_000, 19_800.0) < 1


def test_erlang_a_finds_the_minimum_below_the_load() -> None:
    s = required_agents(100, HALF_HOUR, 180, 0.5, 20, model="erlang_a", patience=30)
    assert s.agents < s.load
    below = staffing_for(s.agents - 1, 100, HALF_HOUR, 180, 20, model="erlang_a", patience=30)
    assert below.service_level < 0.5
    assert s.abandonment is not None


def test_erlang_a_abandonment_cap() -> None:
    free = required_agents(1000, 3600, 300, 0.5, 20, model="erlang_a", patience=60)
    capped = required_agents(
        1000, 3600, 300, 0.5, 20, model="erlang_a", patience=60, max_abandon=0.01
    )
    assert capped.agents > free.agents
    assert capped.abandonment is not None
    assert capped.abandonment <= 0.01


# -- channels -------------------------------------------------------------------------------


def test_channel_helpers() -> None:
    assert chat_load_factor(3) == 2.5
    assert backlog_agents(
        400, dt.timedelta(minutes=6), dt.timedelta(hours=8), productive_share=0.8
    ) == pytest.approx(6.25)
    remaining, aht = deflect(1000, 0.6, 300, handle_time_uplift=0.2)
    assert (remaining, aht) == (pytest.approx(400), pytest.approx(360))
    assert coverage_people(1, 0.3) == pytest.approx(168 / (40 * 0.7))
    day = [0, 10, 40, 120, 80, 0] * 8
    staffed = staff_intervals(day, HALF_HOUR, 240, 0.8, 20)
    assert len(staffed) == 48
    assert staffed[0].agents == 0
    assert staffed[3].agents == required_agents(120, HALF_HOUR, 240, 0.8, 20).agents


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"volume": 0}, "volume must be positive"),
        ({"aht": -1}, "aht must be positive"),
        ({"service_level": 1.0}, r"service_level must be in \(0, 1\)"),
        ({"shrinkage": 1.0}, r"shrinkage must be in \[0, 1\)"),
        ({"model": "erlang_x"}, "model must be"),
        ({"model": "erlang_a"}, "patience"),
        ({"service_level": 0.0}, r"service_level must be in \(0, 1\), got 0.0"),
        ({"max_occupancy": 1.0}, r"max_occupancy must be in \(0, 1\), got 1.0"),
        ({"interval": dt.timedelta(0)}, "interval must be positive"),
        ({"interval": "1800"}, "interval must be a number of seconds or a timedelta, got str"),
        ({"aht": math.nan}, "aht must be positive"),
        ({"volume": math.inf}, "volume must be positive"),
        ({"answer_within": -1}, "answer_within must be finite and not negative, got -1"),
        ({"answer_within": dt.timedelta(seconds=-1)}, "answer_within must be finite"),
        ({"model": "erlang_a", "patience": 0}, "patience must be positive"),
        ({"model": "erlang_a", "patience": 60, "max_abandon": 0.0}, r"max_abandon must be in"),
        ({"model": "erlang_a", "patience": 60, "max_abandon": 1.0}, r"max_abandon must be in"),
        ({"shrinkage": -0.1}, r"shrinkage must be in \[0, 1\)"),
    ],
)
def test_bad_staffing_input(kwargs: dict[str, object], fragment: str) -> None:
    args: dict[str, object] = {
        "volume": 100,
        "interval": 1800,
        "aht": 180,
        "service_level": 0.8,
        "answer_within": 20,
    }
    args.update(kwargs)
    with pytest.raises(CostModelError, match=fragment):
        required_agents(**args)  # type: ignore[arg-type]


def test_unattainable_target_says_the_limit() -> None:
    with pytest.raises(UnattainableTargetError, match="more than 10,000,000 agents"):
        required_agents(1e12, 3600, 300, 0.8, 20)


# -- invariants --------------------------------------------------------------------------------


def _exact_erlang_b(n: int, load: Fraction) -> Fraction:
    terms = [load**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


@given(
    st.integers(1, 40),
    st.fractions(Fraction(1, 10), Fraction(60)).map(lambda f: f.limit_denominator(1000)),
)
def test_erlang_b_and_c_match_exact_fractions(n: int, load: Fraction) -> None:
    b = _exact_erlang_b(n, load)
    assert erlang_b(n, float(load)) == pytest.approx(float(b), rel=1e-9)
    c_exact = 1 if n <= load else n * b / (n - load * (1 - b))
    assert erlang_c(n, float(load)) == pytest.approx(float(c_exact), rel=1e-9)
    assert 0 <= erlang_b(n, float(load)) <= 1


@given(st.floats(1, 500), st.floats(30, 900), st.integers(1, 60))
def test_more_agents_serve_better(calls: float, aht: float, extra: int) -> None:
    base = required_agents(calls, 3600, aht, 0.8, 20)
    more = staffing_for(base.agents + extra, calls, 3600, aht, 20)
    assert more.service_level >= base.service_level
    assert more.probability_of_waiting <= base.probability_of_waiting
    # Little's law: mean queue = arrival rate x mean wait.
    queue = more.probability_of_waiting * more.load / (more.agents - more.load)
    assert queue == pytest.approx(calls / 3600 * more.average_speed_of_answer)


@given(st.integers(2, 60), st.floats(0.2, 0.95))
def test_erlang_a_limits(n: int, utilisation: float) -> None:
    aht = 300.0
    rate = n * utilisation / aht
    patient = erlang_a(n, rate, aht, 1e9, 20)
    c = erlang_c(n, rate * aht)
    assert patient.probability_of_waiting == pytest.approx(c, rel=1e-4)
    impatient = erlang_a(n, rate, aht, 1e-6, 20)
    assert impatient.abandonment == pytest.approx(erlang_b(n, rate * aht), rel=1e-4)


# -- sourcing ------------------------------------------------------------------------------------


def eur(amount: str | int) -> Money:
    return Money(amount, "EUR")


def scenario(rate: str = "24", **cell: object) -> Scenario:
    return Scenario(
        cells=[
            Cell(stage="sale", channel="voice", volume=9000, aht=dt.timedelta(minutes=6), **cell),  # type: ignore[arg-type]
            Cell(stage="after_sale", channel="email", volume=8000, aht=dt.timedelta(minutes=10)),
            Cell(
                stage="pre_sale",
                channel="chat",
                volume=6000,
                aht=dt.timedelta(minutes=8),
                concurrency=3,
            ),
        ],
        in_house=InHouseCost(
            wage=eur(2400),
            supervisor_wage=eur(3600),
            seat_cost=eur(350),
            facilities=eur(4000),
            training_per_hire=eur(3000),
        ),
        outsourced=OutsourcedCost(
            pricing=Pricing.PER_STAFFED_HOUR, rate=eur(rate), setup_fee=eur(30000)
        ),
    )


def test_money_refuses_mixed_currencies() -> None:
    with pytest.raises(CurrencyMismatchError, match="EUR and USD"):
        eur(1) + Money(1, "USD")
    assert eur("0.1") + eur("0.2") == eur("0.3")
    assert Money(0.1, "EUR").amount == Decimal("0.1")
    with pytest.raises(CostModelError, match="ISO 4217"):
        Money(1, "euro")


def test_compare_and_break_even() -> None:
    s = scenario()
    result = compare(s)
    assert result.in_house.currency == "EUR"
    assert result.contacts == 23000
    assert result.chosen == result.in_house  # every cell is in-house by default
    factor = break_even(s, "outsourced_rate")
    from servicekit.costs._sourcing import _PARAMETERS

    balanced = compare(_PARAMETERS["outsourced_rate"](s, factor))
    assert abs((balanced.in_house - balanced.outsourced).amount) < Decimal("0.01")
    with pytest.raises(CostModelError, match="unknown parameter"):
        break_even(s, "colour")


@given(st.integers(1, 5))
def test_costs_scale_linearly_with_unit_prices(k: int) -> None:
    one = compare(scenario("10")).outsourced - compare(scenario("0")).outsourced
    many = compare(scenario(str(10 * k))).outsourced - compare(scenario("0")).outsourced
    assert many.amount == pytest.approx(one.amount * k)


def test_sensitivity_rows_are_sorted_and_plots_are_written(tmp_path: Path) -> None:
    rows = sensitivity(scenario(), swing=0.2)
    assert [r.swing for r in rows] == sorted((r.swing for r in rows), reverse=True)
    plot_tornado(rows, tmp_path / "tornado.png")
    plot_break_even(scenario(), tmp_path / "volume.png")
    assert (tmp_path / "tornado.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "volume.png").stat().st_size > 1000


def test_bad_scenarios() -> None:
    with pytest.raises(CostModelError, match="volume must be positive"):
        Cell(stage="sale", channel="voice", volume=0, aht=dt.timedelta(minutes=5))
    with pytest.raises(CostModelError, match=r"channel must be one of .*'voice'.*'teleport'"):
        Cell(stage="sale", channel="teleport", volume=1, aht=dt.timedelta(minutes=5))
    with pytest.raises(CostModelError, match="billing_increment"):
        OutsourcedCost(pricing=Pricing.PER_MINUTE, rate=eur(1), billing_increment=15)


@given(st.floats(400, 50_000), st.floats(-10, 10))
def test_warm_started_erlang_b_equals_the_full_recurrence(load: float, offset: float) -> None:
    servers = max(1, round(load + offset * math.sqrt(load)))
    b = 1.0
    for n in range(1, servers + 1):
        b = load * b / (n + load * b)
    assert erlang_b(servers, load) == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize("pricing", list(Pricing))
def test_pricing_given_as_a_string_prices_like_the_member(pricing: Pricing) -> None:
    """``pricing="per_minute"`` used to fall through to per-resolution pricing."""
    by_name = OutsourcedCost(pricing=pricing.value, rate=eur(1))  # type: ignore[arg-type]
    assert by_name.pricing is pricing
    assert by_name == OutsourcedCost(pricing=pricing, rate=eur(1))
    args = (10_000.0, 300.0, 12.0, 220.0)
    assert by_name.monthly(*args) == OutsourcedCost(pricing=pricing, rate=eur(1)).monthly(*args)


def test_unknown_pricing_lists_the_choices() -> None:
    with pytest.raises(CostModelError, match="pricing must be one of 'per_staffed_hour'"):
        OutsourcedCost(pricing="per_minutes", rate=eur(1))  # type: ignore[arg-type]


@pytest.mark.parametrize("pricing", [p for p in Pricing if p is not Pricing.PER_STAFFED_HOUR])
@given(containment=st.floats(0.0, 0.95))
def test_a_vendor_bills_only_what_reaches_its_agents(pricing: Pricing, containment: float) -> None:
    """A self-service cell's per-contact, per-minute, per-resolution or per-productive-hour bill
    once counted the sessions self-service solved alone: at 90% containment the vendor was
    paid for ten times the contacts its agents handled, while the in-house side staffed one
    tenth of them."""
    cell = Cell(
        stage="after_sale",
        channel="self_service",
        volume=15_000,
        aht=dt.timedelta(minutes=5),
        containment=containment,
    )
    offer = OutsourcedCost(pricing=pricing, rate=eur(3), governance=0)
    priced = compare(Scenario(cells=[cell], in_house=InHouseCost(wage=eur(2400)), outsourced=offer))
    contacts, aht = cell.agent_contacts()
    assert contacts == pytest.approx(15_000 * (1 - containment))
    assert aht == pytest.approx(360.0)  # what reaches an agent takes 20% longer
    assert priced.cells[0].outsourced == offer.monthly(contacts, aht, priced.cells[0].agents, 220)
    voice = attrs.evolve(cell, channel="voice", containment=0.0)
    assert voice.agent_contacts() == (15_000, 300.0)  # every call reaches an agent


def test_a_cell_can_have_its_own_price() -> None:
    """A vendor prices voice per minute and email per contact: each cell is billed on its own
    offer, the contract's fixed fees once, and the rate analyses move every offer."""
    base = scenario()
    per_minute = OutsourcedCost(pricing="per_minute", rate=eur("0.6"), billing_increment=6)  # type: ignore[arg-type]
    voice = attrs.evolve(base.cells[0], offer=per_minute)
    mixed = attrs.evolve(base, cells=[voice, *base.cells[1:]])
    priced = compare(mixed)
    contacts, aht = voice.agent_contacts()
    assert priced.cells[0].outsourced == per_minute.monthly(
        contacts, aht, priced.cells[0].agents, 220
    )
    assert priced.cells[1:] == compare(base).cells[1:]  # the others keep the scenario's offer
    factor = break_even(mixed, "outsourced_rate")
    from servicekit.costs._sourcing import _PARAMETERS

    balanced = compare(_PARAMETERS["outsourced_rate"](mixed, factor))
    assert balanced.cells[0].cell.offer is not None
    assert balanced.cells[0].cell.offer.rate == per_minute.rate * factor
    assert abs((balanced.in_house - balanced.outsourced).amount) < Decimal("0.01")
    with pytest.raises(CostModelError, match="paid once"):
        attrs.evolve(voice, offer=attrs.evolve(per_minute, setup_fee=eur(1000)))
    with pytest.raises(CurrencyMismatchError, match="EUR and an offer in USD"):
        attrs.evolve(
            mixed, cells=[attrs.evolve(voice, offer=attrs.evolve(per_minute, rate=Money(1, "USD")))]
        )


# -- refusals, each with the value and the fix in its message -----------------------------

_A, _W = dt.timedelta(minutes=4), dt.timedelta(seconds=20)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: required_agents("100", HALF_HOUR, _A, 0.8, _W),
            "volume must be a number, got str",
        ),
        (
            lambda: required_agents(True, HALF_HOUR, _A, 0.8, _W),
            "volume must be a number, got bool",
        ),
        (lambda: required_agents(100, HALF_HOUR, _A, 0.8, "20s"), "answer_within must be a number"),
        (lambda: required_agents(100, HALF_HOUR, _A, 0.8, True), "answer_within must be a number"),
        (lambda: staffing_for(0, 100, HALF_HOUR, _A, _W), "agents must be at least 1, got 0"),
        (
            lambda: required_agents(100, HALF_HOUR, _A, 0.8, _W, max_occupancy=0.0),
            r"max_occupancy must be in \(0, 1\), got 0.0",
        ),
        (
            lambda: required_agents(100, HALF_HOUR, _A, 0.8, _W, max_abandon=0.1),
            "max_abandon applies to model='erlang_a' only",
        ),
        (lambda: chat_load_factor(7), r"no efficiency for 7 concurrent chats; known: \[1, 2"),
        (lambda: backlog_agents(-1, _A, HALF_HOUR), "work_items must not be negative, got -1"),
        (
            lambda: backlog_agents(10, _A, HALF_HOUR, productive_share=0),
            r"productive_share must be in \(0, 1\], got 0",
        ),
        (
            lambda: backlog_agents(10, _A, HALF_HOUR, productive_share=1.5),
            r"productive_share must be in \(0, 1\], got 1.5",
        ),
        (
            lambda: deflect(100, 0.2, _A, handle_time_uplift=-0.1),
            "handle_time_uplift must not be negative, got -0.1",
        ),
        (lambda: coverage_people(-1, 0.3), "seats must be non-negative and the hours positive"),
        (
            lambda: coverage_people(1, 0.3, hours_per_week=0),
            "seats must be non-negative and the hours positive",
        ),
        (
            lambda: coverage_people(1, 0.3, contract_hours=0),
            "seats must be non-negative and the hours positive",
        ),
        (lambda: erlang_a(0, 1.0, 1.0, 1.0, 1.0), "Erlang A needs at least one agent, got 0"),
        (lambda: erlang_a(1, 0.0, 1.0, 1.0, 1.0), "arrival_rate must be positive and finite"),
        (lambda: erlang_a(1, 1.0, float("inf"), 1.0, 1.0), "aht must be positive and finite"),
        (lambda: erlang_a(1, 1.0, 1.0, float("nan"), 1.0), "patience must be positive and finite"),
        (lambda: erlang_a(1, 1.0, 1.0, 1.0, -1.0), "answer_within must not be negative, got -1.0"),
        (lambda: erlang_b(-1, 1.0), "servers must be a non-negative integer, got -1"),
        (lambda: erlang_b(2.0, 1.0), "servers must be a non-negative integer, got 2.0"),
        (lambda: erlang_b(True, 1.0), "servers must be a non-negative integer, got True"),
    ],
)
def test_staffing_refusals_say_what_and_how(call: Callable[[], object], message: str) -> None:
    with pytest.raises(CostModelError, match=message):
        call()


def test_the_exact_edges_of_the_staffing_helpers() -> None:
    # Boundaries a mutated comparison would move: each edge value is accepted.
    assert backlog_agents(0, _A, HALF_HOUR) == 0.0
    assert backlog_agents(30, _A, HALF_HOUR, productive_share=1.0) == 30 * 240 / 1800
    assert deflect(100, 0.2, _A) == (pytest.approx(80.0), 240.0)
    assert deflect(100, 0.0, _A, handle_time_uplift=0.25) == (100.0, 300.0)
    assert coverage_people(0, 0.0) == 0.0
    assert coverage_people(1, 0.0) == pytest.approx(168 / 40)
    assert coverage_people(2, 0.5, hours_per_week=40, contract_hours=40) == pytest.approx(4.0)
    assert chat_load_factor(1) == 1.0
    # Fewer agents than the load: every call waits, none is answered in time.
    assert erlang_c(2, 5.0) == 1.0
    assert staffing_for(2, 100, HALF_HOUR, _A, _W).service_level == 0.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Money("abc", "EUR"), CostModelError, "'abc' is not an amount of money"),
        (lambda: Money(float("inf"), "EUR"), CostModelError, "an amount must be finite"),
        (lambda: Money("NaN", "EUR"), CostModelError, "an amount must be finite"),
        (lambda: Money(1, "eur"), CostModelError, "ISO 4217 code such as 'EUR', got 'eur'"),
        (lambda: Money(1, "EURO"), CostModelError, "ISO 4217 code such as 'EUR', got 'EURO'"),
        (lambda: Money(1, "EUR") + 1, TypeError, "cannot combine Money with int"),
        (lambda: Money(1, "EUR") < Money(2, "USD"), CurrencyMismatchError, "EUR and USD"),
        (lambda: Money(3, "EUR") / 0, CostModelError, "cannot divide 3.00 EUR by zero"),
    ],
)
def test_money_refusals(call: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_money_orders_and_scales_within_one_currency() -> None:
    assert Money(1, "EUR") < Money(2, "EUR")
    assert not Money(2, "EUR") < Money(2, "EUR")
    assert 2 * Money(3, "EUR") == Money(6, "EUR") == Money(3, "EUR") * 2
    assert Money(6, "EUR") / 4 == Money("1.5", "EUR")


# -- staffing against its definitions --------------------------------------------------------


def _reference_erlang_c_staffing(
    agents: int, load: Fraction, aht: float, within: float
) -> tuple[float, float, float, float]:
    """(service level, probability of waiting, mean wait, occupancy) from the textbook formulas
    on exact fractions: C = n B / (n - A (1 - B)), SL = 1 - C exp(-(n - A) t / aht),
    ASA = C aht / (n - A), occupancy A / n."""
    b = _exact_erlang_b(agents, load)
    c = agents * b / (agents - load * (1 - b))
    gap = float(agents - load)
    return (
        1 - float(c) * math.exp(-gap * within / aht),
        float(c),
        float(c) * aht / gap,
        float(load / agents),
    )


@given(
    st.integers(1, 40),
    st.fractions(Fraction(1, 10), Fraction(40)).map(lambda f: f.limit_denominator(100)),
    st.integers(10, 900),
    st.integers(0, 120),
    st.sampled_from([0.0, 0.1, 0.35]),
)
def test_staffing_for_matches_the_erlang_c_formulas(
    agents: int, load: Fraction, aht: int, within: int, shrinkage: float
) -> None:
    assume(agents > load)
    interval = 1800
    volume = float(load * interval / aht)
    s = staffing_for(agents, volume, interval, aht, within, shrinkage=shrinkage)
    level, waiting, asa, occupancy = _reference_erlang_c_staffing(agents, load, aht, within)
    assert s.load == pytest.approx(float(load), rel=1e-12)
    assert s.agents == agents
    assert s.service_level == pytest.approx(level, rel=1e-9, abs=1e-12)
    assert s.probability_of_waiting == pytest.approx(waiting, rel=1e-9)
    assert s.average_speed_of_answer == pytest.approx(asa, rel=1e-9)
    assert s.occupancy == pytest.approx(occupancy, rel=1e-12)
    assert (s.abandonment, s.model) == (None, "erlang_c")
    # Scheduled agents: the fewest whose share left after shrinkage covers the agents.
    assert s.scheduled_agents * (1 - shrinkage) >= agents - 1e-9
    assert (s.scheduled_agents - 1) * (1 - shrinkage) < agents


def test_fewer_agents_than_the_load_never_catch_up() -> None:
    """At or below the offered load every call waits and the queue grows without bound."""
    for agents in (5, 6):  # 6 agents for 6 Erlangs: exactly at the load
        s = staffing_for(agents, 60, 3600, 360, 20)
        assert s.load == pytest.approx(6.0)
        assert (s.service_level, s.probability_of_waiting) == (0.0, 1.0)
        assert s.average_speed_of_answer == math.inf
        assert s.occupancy == 1.0
    assert erlang_c(6, 6.0) == 1.0


def _assert_same_staffing(found: Staffing, direct: Staffing) -> None:
    """The search's answer is what those agents achieve (to rounding: the search carries Erlang
    B along its walk, the direct call computes it afresh)."""
    assert attrs.asdict(found) == pytest.approx(attrs.asdict(direct), rel=1e-9)


@given(
    st.floats(1, 400),
    st.integers(60, 600),
    st.sampled_from([0.5, 0.8, 0.95]),
    st.integers(0, 60),
    st.one_of(st.none(), st.sampled_from([0.6, 0.75, 0.9])),
)
def test_required_agents_is_the_fewest_that_meet_every_cap(
    calls: float, aht: int, level: float, within: int, max_occupancy: float | None
) -> None:
    s = required_agents(calls, 3600, aht, level, within, max_occupancy=max_occupancy)
    assert s.service_level >= level
    assert max_occupancy is None or s.occupancy <= max_occupancy
    _assert_same_staffing(s, staffing_for(s.agents, calls, 3600, aht, within))
    if s.agents > 1:
        fewer = staffing_for(s.agents - 1, calls, 3600, aht, within)
        assert fewer.service_level < level or (
            max_occupancy is not None and fewer.occupancy > max_occupancy
        )


@given(
    st.floats(5, 300),
    st.integers(60, 600),
    st.sampled_from([0.3, 0.6, 0.8]),
    st.integers(0, 60),
    st.integers(5, 300),
    st.one_of(st.none(), st.sampled_from([0.02, 0.1])),
)
def test_required_erlang_a_agents_are_the_fewest(
    calls: float, aht: int, level: float, within: int, patience: int, max_abandon: float | None
) -> None:
    s = required_agents(
        calls,
        3600,
        aht,
        level,
        within,
        model="erlang_a",
        patience=patience,
        max_abandon=max_abandon,
    )
    assert s.model == "erlang_a"
    assert s.abandonment is not None
    assert s.service_level >= level
    assert max_abandon is None or s.abandonment <= max_abandon
    _assert_same_staffing(
        s, staffing_for(s.agents, calls, 3600, aht, within, model="erlang_a", patience=patience)
    )
    if s.agents > 1:
        fewer = staffing_for(
            s.agents - 1, calls, 3600, aht, within, model="erlang_a", patience=patience
        )
        assert fewer.abandonment is not None
        assert fewer.service_level < level or (
            max_abandon is not None and fewer.abandonment > max_abandon
        )


def test_erlang_a_staffing_reads_the_model() -> None:
    """An Erlang A staffing reports the queue's figures: mean wait over all callers (Little's
    law), abandonment, and occupancy from the calls actually carried."""
    s = staffing_for(12, 500, 3600, 90, 15, model="erlang_a", patience=45, shrinkage=0.2)
    rate = 500 / 3600
    a = erlang_a(12, rate, 90, 45, 15)
    assert s.load == pytest.approx(12.5)
    assert (s.service_level, s.probability_of_waiting) == (
        a.service_level,
        a.probability_of_waiting,
    )
    assert (s.average_speed_of_answer, s.abandonment) == (a.mean_queue_wait, a.abandonment)
    assert s.occupancy == pytest.approx(12.5 * (1 - a.abandonment) / 12)
    assert s.scheduled_agents == 15
    # Abandonment is the patience rate times the mean queue, over the arrival rate.
    assert a.abandonment == pytest.approx(a.mean_queue_wait / 45)


def test_staff_intervals_gives_empty_intervals_no_agents() -> None:
    day = [0, 30, 0.0, 90]
    staffed = staff_intervals(day, HALF_HOUR, 240, 0.8, 20, max_occupancy=0.8, shrinkage=0.25)
    idle = staffed[0]
    assert idle == staffed[2]
    assert (idle.load, idle.agents, idle.scheduled_agents) == (0.0, 0, 0)
    assert (idle.service_level, idle.probability_of_waiting) == (1.0, 0.0)
    assert (idle.average_speed_of_answer, idle.occupancy) == (0.0, 0.0)
    assert (idle.abandonment, idle.model) == (None, "erlang_c")
    for volume, s in zip(day, staffed, strict=True):
        if volume:
            assert s == required_agents(
                volume, HALF_HOUR, 240, 0.8, 20, max_occupancy=0.8, shrinkage=0.25
            )


def test_staffing_inputs_at_their_edges_are_accepted() -> None:
    """Durations as timedelta or seconds mean the same; zero seconds to answer is a target of
    answering at once; one agent is a team; a whole Erlang A search can end at one agent."""
    by_seconds = required_agents(100, 1800, 180, 0.8, 20)
    assert required_agents(100, HALF_HOUR, dt.timedelta(minutes=3), 0.8, _W) == by_seconds
    at_once = required_agents(100, 1800, 180, 0.5, 0)
    assert at_once.service_level == pytest.approx(1 - at_once.probability_of_waiting)
    assert at_once.service_level >= 0.5
    single = staffing_for(1, 1, 3600, 60, 20)
    assert single.agents == 1
    assert single.occupancy == pytest.approx(1 / 60)
    one = required_agents(1, 3600, 60, 0.5, 20, model="erlang_a", patience=30)
    assert one.agents == 1
    assert required_agents(0.5, 1, 1e-9, 0.5, 20).agents == 1  # a tiny load still needs one


def test_a_load_just_below_the_search_limit_still_says_the_limit() -> None:
    """The walk starts at the load and stops past ten million agents instead of running on."""
    with pytest.raises(UnattainableTargetError, match="more than 10,000,000 agents would be"):
        required_agents(9_999_999, 3600, 3600, 0.99, 0)
    with pytest.raises(UnattainableTargetError, match="raise max_occupancy"):
        required_agents(100, 1800, 180, 0.8, 20, max_occupancy=1e-7)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: backlog_agents(10, 0, HALF_HOUR), "handle_time must be positive, got 0"),
        (lambda: backlog_agents(10, _A, -1.0), "deadline must be positive, got -1.0"),
        (lambda: deflect(100, 1.0, _A), r"containment must be in \[0, 1\), got 1.0"),
        (lambda: deflect(100, 0.2, 0), "aht must be positive, got 0"),
        (lambda: coverage_people(1, 1.0), r"shrinkage must be in \[0, 1\), got 1.0"),
        (lambda: coverage_people(-1, 0.3), "seats must be non-negative and the hours positive"),
    ],
)
def test_channel_helpers_name_the_argument_they_refuse(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(CostModelError, match=f"^{message}$"):
        call()


def test_coverage_for_short_weeks_and_contracts() -> None:
    assert coverage_people(3, 0.0, hours_per_week=1, contract_hours=1) == 3.0
    assert coverage_people(1, 0.5, hours_per_week=10, contract_hours=0.5) == 40.0


def test_staff_intervals_applies_the_occupancy_cap_and_shrinkage() -> None:
    (capped,) = staff_intervals([90], HALF_HOUR, 240, 0.8, 20, max_occupancy=0.6, shrinkage=0.5)
    assert capped.load == pytest.approx(12.0)
    assert capped.agents == 20  # the service level alone needs fewer; 12 / 0.6 = 20
    assert capped.occupancy == pytest.approx(0.6)
    assert capped.scheduled_agents == 40


def test_a_strict_abandonment_cap_is_met_after_the_service_level_tops_out() -> None:
    """With 44 agents the service level rounds to 100% while abandonment still falls; a cap
    of 1e-15 is met there, not refused as 'the service level stops rising'."""
    s = required_agents(100, 1800, 180, 0.5, 20, model="erlang_a", patience=30, max_abandon=1e-15)
    assert s.abandonment is not None
    assert s.abandonment <= 1e-15
    fewer = staffing_for(s.agents - 1, 100, 1800, 180, 20, model="erlang_a", patience=30)
    assert fewer.abandonment is not None
    assert fewer.abandonment > 1e-15


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: required_agents(1e12, 3600, 300, 0.8, 20),
            "an offered load of 83,333,333,333 Erlangs needs more than 10,000,000 agents; split "
            "the volume into smaller queues or check the units of volume and aht",
        ),
        (
            lambda: required_agents(100, 1800, 180, 0.8, 20, model="erlang_a"),
            "model='erlang_a' needs the callers' mean patience (patience=...)",
        ),
        (
            lambda: required_agents(100, 1800, 180, 0.8, 20, max_abandon=0.1),
            "max_abandon applies to model='erlang_a' only",
        ),
        (
            lambda: erlang_a(10, 1e4, 10.0, 1e5, 20.0),
            "with 10 agents the queue would settle near 999,900,000 waiting callers "
            "(arrival_rate x patience is 1e+09); Erlang A is limited to 100,000 - check the "
            "units (calls per second, seconds)",
        ),
    ],
)
def test_staffing_refusals_are_whole_sentences(call: Callable[[], object], message: str) -> None:
    with pytest.raises(CostModelError, match=f"^{re.escape(message)}$"):
        call()
