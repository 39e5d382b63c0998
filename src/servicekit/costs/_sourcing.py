"""In-house versus outsourced: what each side really costs, per stage and channel.

Money is :class:`decimal.Decimal` with an ISO 4217 currency code; adding two
currencies is an error. Staffing comes from :mod:`servicekit.costs._staffing`
(queueing, not division), and both sides are priced on the same workload.
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

import attrs

from servicekit._convert import to_enum
from servicekit.costs._staffing import (
    Channel,
    backlog_agents,
    chat_load_factor,
    deflect,
    required_agents,
)
from servicekit.errors import CostModelError, CurrencyMismatchError

__all__ = [
    "Cell",
    "CellCost",
    "Comparison",
    "InHouseCost",
    "Money",
    "OutsourcedCost",
    "Pricing",
    "Scenario",
    "SensitivityRow",
    "Sourcing",
    "Stage",
    "break_even",
    "compare",
    "sensitivity",
]

_CENT: Final = Decimal("0.01")
# What still reaches an agent after self-service takes longer: the customer tried alone first.
_SELF_SERVICE_UPLIFT: Final = 0.2


#: Amounts must be smaller than this in magnitude: rounding to the cent stays exact within
#: decimal's default 28 digits.
MAX_AMOUNT: Final = Decimal(10) ** 24


def _decimal(value: Decimal | int | str | float) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise CostModelError(
            f"an amount must be a Decimal, int, str or float, got {type(value).__name__} {value!r}"
        )
    if isinstance(value, float):
        # Through str: Decimal(0.1) would carry the float's binary error into the accounts.
        value = repr(value)
    try:
        result = Decimal(value)
    except Exception as exc:
        raise CostModelError(f"{value!r} is not an amount of money") from exc
    if not result.is_finite():
        raise CostModelError(f"an amount must be finite, got {value!r}")
    if abs(result) >= MAX_AMOUNT:
        raise CostModelError(
            f"an amount must be below {MAX_AMOUNT:.0e} in magnitude, got {value!r}"
        )
    return result


@attrs.frozen(order=False)
class Money:
    """An amount in one currency.

    Attributes:
        amount: a ``Decimal`` (ints, strings and floats are converted exactly as written).
        currency: an ISO 4217 code such as ``"EUR"``.
    """

    amount: Decimal = attrs.field(converter=_decimal)
    currency: str = attrs.field()

    @currency.validator
    def _check_currency(self, _: object, value: str) -> None:
        if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
            raise CostModelError(f"currency must be an ISO 4217 code such as 'EUR', got {value!r}")

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} and {other.currency}; convert one first"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int | float) -> Money:
        return Money(self.amount * _decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int | float) -> Money:
        by = _decimal(divisor)
        if not by:
            raise CostModelError(f"cannot divide {self} by zero")
        return Money(self.amount / by, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def rounded(self) -> Money:
        """Rounded to the cent (banker's rounding)."""
        return Money(self.amount.quantize(_CENT, rounding=ROUND_HALF_EVEN), self.currency)

    def __str__(self) -> str:
        return f"{self.rounded().amount:,} {self.currency}"


class Stage(enum.Enum):
    """The stages of the customer's journey that a team serves."""

    PRE_SALE = "pre_sale"
    SALE = "sale"
    DELIVERY = "delivery"
    AFTER_SALE = "after_sale"


class Pricing(enum.Enum):
    """How an outsourcer charges."""

    PER_STAFFED_HOUR = "per_staffed_hour"
    PER_PRODUCTIVE_HOUR = "per_productive_hour"
    PER_MINUTE = "per_minute"
    PER_CONTACT = "per_contact"
    PER_RESOLUTION = "per_resolution"


class Sourcing(enum.Enum):
    """Who serves a cell."""

    IN_HOUSE = "in_house"
    OUTSOURCED = "outsourced"
    OVERFLOW = "overflow"  # in-house up to a number of agents, the rest outsourced
    AFTER_HOURS = "after_hours"  # in-house in office hours, outsourced outside them
    TIER1_OUTSOURCED = "tier1_outsourced"  # vendor tier 1, a share escalated to in-house tier 2


def _pricing(value: object) -> Pricing:
    return to_enum(Pricing, value, name="pricing", error=CostModelError)


def _stage(value: object) -> Stage:
    return to_enum(Stage, value, name="stage", error=CostModelError)


def _channel(value: object) -> Channel:
    return to_enum(Channel, value, name="channel", error=CostModelError)


def _sourcing(value: object) -> Sourcing:
    return to_enum(Sourcing, value, name="sourcing", error=CostModelError)


def _rate(value: float, name: str, *, upper: float | None = None) -> float:
    if not math.isfinite(value) or value < 0 or (upper is not None and value >= upper):
        bound = f"[0, {upper})" if upper is not None else ">= 0"
        raise CostModelError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def _check_rate(upper: float | None = None) -> Callable[[Any, Any, float], None]:
    def check(_: Any, attribute: Any, value: float) -> None:
        _rate(value, attribute.name, upper=upper)

    return check


def _check_positive(_: Any, attribute: Any, value: float) -> None:
    _positive(value, attribute.name)


def _cells(value: Iterable[Cell]) -> tuple[Cell, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class InHouseCost:
    """What an own agent costs per month, all in.

    Attributes:
        wage: monthly wage per agent (full-time).
        benefits_load: employer's charges and benefits as a share of the wage.
        shrinkage: share of paid time not available for contacts (breaks,
            training, absence), in [0, 1).
        paid_hours: paid hours per agent per month.
        span_of_control: agents per supervisor.
        supervisor_wage: monthly wage of a supervisor (benefits loaded alike).
        seat_cost: seat and technology per scheduled agent per month.
        facilities: fixed monthly facilities cost.
        training_per_hire: cost to recruit and train a replacement.
        attrition: share of agents who leave per year.
        overhead: management overhead as a share of the other costs.
    """

    wage: Money
    benefits_load: float = attrs.field(default=0.3, validator=_check_rate())
    shrinkage: float = attrs.field(default=0.3, validator=_check_rate(upper=1))
    paid_hours: float = 160.0
    span_of_control: float = 12.0
    supervisor_wage: Money | None = None
    seat_cost: Money | None = None
    facilities: Money | None = None
    training_per_hire: Money | None = None
    attrition: float = attrs.field(default=0.3, validator=_check_rate())
    overhead: float = attrs.field(default=0.1, validator=_check_rate())

    def monthly(self, agents_on_line: float, open_hours: float) -> tuple[Money, float]:
        """Monthly cost and full-time people to keep ``agents_on_line`` staffed for
        ``open_hours`` a month."""
        productive = self.paid_hours * (1.0 - self.shrinkage)
        people = agents_on_line * open_hours / productive
        loaded = 1.0 + self.benefits_load
        cost = self.wage * (people * loaded)
        if self.supervisor_wage is not None and people > 0:
            cost += self.supervisor_wage * (math.ceil(people / self.span_of_control) * loaded)
        if self.seat_cost is not None:
            cost += self.seat_cost * math.ceil(agents_on_line / (1.0 - self.shrinkage))
        if self.training_per_hire is not None:
            cost += self.training_per_hire * (people * self.attrition / 12.0)
        return cost * (1.0 + self.overhead), people

    def fixed(self) -> Money:
        """Monthly costs that do not depend on the workload (facilities), overhead included."""
        zero = Money(0, self.wage.currency)
        return (self.facilities or zero) * (1.0 + self.overhead)


@attrs.frozen(kw_only=True)
class OutsourcedCost:
    """What an outsourcer charges, and what managing it costs.

    Attributes:
        pricing: the pricing model.
        rate: the price per unit of the model (hour, minute, contact, resolution).
        billing_increment: seconds each contact is rounded up to, for per-minute pricing
            (1, 6, 30 or 60).
        setup_fee: one-off transition fee, spread over the contract.
        exit_cost: one-off cost of leaving, spread over the contract.
        contract_months: the contract's length.
        minimum_contacts: contacts billed at least, per month.
        minimum_seats: seats billed at least (per-hour pricing).
        governance: share added for managing the vendor.
        governance_fixed: fixed monthly vendor-management cost.
        first_contact_resolution_gap: how much lower the vendor's first-contact
            resolution is; the repeat contacts it causes are paid too.
        resolution_rate: share of contacts resolved (per-resolution pricing).
    """

    pricing: Pricing = attrs.field(converter=_pricing)
    rate: Money
    billing_increment: int = 60
    setup_fee: Money | None = None
    exit_cost: Money | None = None
    contract_months: int = 36
    minimum_contacts: float = 0.0
    minimum_seats: float = 0.0
    governance: float = attrs.field(default=0.05, validator=_check_rate())
    governance_fixed: Money | None = None
    first_contact_resolution_gap: float = attrs.field(default=0.0, validator=_check_rate(upper=1))
    resolution_rate: float = attrs.field(default=0.8, validator=_check_rate())

    def __attrs_post_init__(self) -> None:
        if self.billing_increment not in (1, 6, 30, 60):
            raise CostModelError(
                f"billing_increment must be 1, 6, 30 or 60 seconds, got {self.billing_increment!r}"
            )
        if self.contract_months < 1:
            raise CostModelError(f"contract_months must be at least 1, got {self.contract_months}")

    def monthly(
        self, contacts: float, aht_seconds: float, agents_on_line: float, open_hours: float
    ) -> Money:
        """The monthly bill for ``contacts`` contacts (repeats from the quality gap included)."""
        contacts = contacts * (1.0 + self.first_contact_resolution_gap)
        billed_contacts = max(contacts, self.minimum_contacts)
        if self.pricing is Pricing.PER_STAFFED_HOUR:
            units = max(agents_on_line, self.minimum_seats) * open_hours
        elif self.pricing is Pricing.PER_PRODUCTIVE_HOUR:
            units = billed_contacts * aht_seconds / 3600.0
        elif self.pricing is Pricing.PER_MINUTE:
            increment = self.billing_increment
            units = billed_contacts * math.ceil(aht_seconds / increment) * increment / 60.0
        elif self.pricing is Pricing.PER_CONTACT:
            units = billed_contacts
        else:
            units = billed_contacts * self.resolution_rate
        return self.rate * units * (1.0 + self.governance)

    def fixed(self) -> Money:
        """Monthly costs that do not depend on the workload: setup and exit fees spread over
        the contract, and the fixed cost of managing the vendor."""
        zero = Money(0, self.rate.currency)
        one_off = (self.setup_fee or zero) + (self.exit_cost or zero)
        return one_off / self.contract_months * (1.0 + self.governance) + (
            self.governance_fixed or zero
        )


def _positive(value: float, name: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise CostModelError(f"{name} must be positive, got {value!r}")
    return float(value)


@attrs.frozen(kw_only=True)
class Cell:
    """One stage x channel of the scenario: its workload, its target and who serves it.

    Attributes:
        stage: the :class:`Stage`.
        channel: the :class:`Channel`.
        volume: contacts per month.
        aht: average handle time.
        open_hours: hours per month the channel is staffed (730 around the clock).
        service_level: share answered within ``answer_within`` (voice, chat).
        answer_within: the answer threshold (voice, chat). E-mail is staffed at its
            workload over the open hours (the work each hour brings), so a reply deadline
            given here does not change its agents.
        sourcing: who serves it.
        concurrency: chats per agent (chat only).
        containment: share self-service resolves without an agent (self-service only).
        overflow_agents: in-house agents before the vendor takes the rest (overflow).
        after_hours_share: share of the volume outside office hours (after hours).
        escalation_rate: share escalated from vendor tier 1 to in-house tier 2.
        offer: the vendor's price for this cell when it differs from the scenario's
            offer (voice per minute, email per contact...); ``None``: the scenario's.
            It prices the work only: setup, exit and fixed governance fees belong to
            the contract, on the scenario's offer, and are paid once.
    """

    stage: Stage = attrs.field(converter=_stage)
    channel: Channel = attrs.field(converter=_channel)
    volume: float = attrs.field(validator=_check_positive)
    aht: _dt.timedelta
    open_hours: float = attrs.field(default=220.0, validator=_check_positive)
    service_level: float = 0.8
    answer_within: _dt.timedelta = _dt.timedelta(seconds=20)
    sourcing: Sourcing = attrs.field(default=Sourcing.IN_HOUSE, converter=_sourcing)
    concurrency: int = 1
    containment: float = 0.0
    overflow_agents: int = 0
    after_hours_share: float = 0.0
    escalation_rate: float = 0.0
    offer: OutsourcedCost | None = None

    def __attrs_post_init__(self) -> None:
        _positive(self.aht.total_seconds(), "aht")
        if self.offer is not None and self.offer.fixed().amount:
            raise CostModelError(
                f"the {self.stage.value} {self.channel.value} cell's offer has setup, exit or "
                "fixed governance fees; a cell's offer prices its work only: put those fees "
                "on the scenario's offer, where they are paid once"
            )
        if not 0 < self.service_level < 1:
            raise CostModelError(f"service_level must be in (0, 1), got {self.service_level!r}")
        for name in ("after_hours_share", "escalation_rate", "containment"):
            _rate(getattr(self, name), name, upper=1)

    def agent_contacts(self, volume: float | None = None) -> tuple[float, float]:
        """Of ``volume`` contacts (default: the cell's), those that reach an agent, and their
        handle time in seconds: on self-service, what it does not contain, 20% longer (the
        customer tried alone first); on other channels, all of them at ``aht``. Both sides
        are priced on this workload: a vendor is not paid for what self-service solved.

        Examples:
            >>> import datetime as dt
            >>> Cell(
            ...     stage="after_sale",
            ...     channel="self_service",
            ...     volume=1000,
            ...     aht=dt.timedelta(minutes=5),
            ...     containment=0.6,
            ... ).agent_contacts()
            (400.0, 360.0)
        """
        volume = self.volume if volume is None else volume
        aht = self.aht.total_seconds()
        if self.channel is Channel.SELF_SERVICE:
            return deflect(volume, self.containment, aht, handle_time_uplift=_SELF_SERVICE_UPLIFT)
        return volume, aht

    def agents(self, volume: float | None = None, hours: float | None = None) -> float:
        """Agents on line for ``volume`` contacts a month spread over ``hours`` (defaults:
        the cell's volume and open hours)."""
        hours = self.open_hours if hours is None else hours
        contacts, aht = self.agent_contacts(volume)
        if contacts <= 0:
            return 0.0
        per_hour = contacts / hours
        if self.channel is Channel.EMAIL:
            return backlog_agents(per_hour, aht, 3600.0)
        if self.channel is Channel.CHAT:
            aht = aht / chat_load_factor(self.concurrency)
        staffing = required_agents(per_hour, 3600.0, aht, self.service_level, self.answer_within)
        return float(staffing.agents)


@attrs.frozen
class CellCost:
    """One cell priced three ways."""

    cell: Cell
    agents: float
    in_house: Money
    outsourced: Money
    chosen: Money
    people: float

    @property
    def cost_per_contact(self) -> Money:
        """The chosen sourcing's cost per contact."""
        return self.chosen / self.cell.volume


@attrs.frozen
class Comparison:
    """A scenario's monthly cost: all in-house, all outsourced, and as chosen per cell."""

    cells: tuple[CellCost, ...]
    in_house: Money
    outsourced: Money
    chosen: Money
    agents: float
    contacts: float

    @property
    def cost_per_contact(self) -> Money:
        """The chosen sourcing's cost per contact."""
        return self.chosen / self.contacts


@attrs.frozen(kw_only=True)
class Scenario:
    """A company's stages x channels, with the cost of each side.

    Attributes:
        cells: the :class:`Cell` values.
        in_house: the in-house cost model.
        outsourced: the outsourcer's offer.
    """

    cells: tuple[Cell, ...] = attrs.field(converter=_cells)
    in_house: InHouseCost
    outsourced: OutsourcedCost

    def __attrs_post_init__(self) -> None:
        if not self.cells:
            raise CostModelError("a scenario needs at least one cell")
        for offer in (self.outsourced, *(c.offer for c in self.cells if c.offer is not None)):
            if self.in_house.wage.currency != offer.rate.currency:
                raise CurrencyMismatchError(
                    f"in-house costs are in {self.in_house.wage.currency} and an offer in "
                    f"{offer.rate.currency}; convert one first"
                )


def _price(scenario: Scenario, cell: Cell) -> CellCost:
    inh, out = scenario.in_house, cell.offer or scenario.outsourced
    agents = cell.agents()
    # The vendor bills the contacts that reach its agents, as the in-house side staffs them.
    contacts, aht = cell.agent_contacts()
    all_in, people = inh.monthly(agents, cell.open_hours)
    all_out = out.monthly(contacts, aht, agents, cell.open_hours)
    if cell.sourcing is Sourcing.IN_HOUSE:
        chosen = all_in
    elif cell.sourcing is Sourcing.OUTSOURCED:
        chosen, people = all_out, 0.0
    elif cell.sourcing is Sourcing.OVERFLOW:
        kept = min(agents, float(cell.overflow_agents))
        share = 0.0 if agents == 0 else (agents - kept) / agents
        own, people = inh.monthly(kept, cell.open_hours)
        chosen = own + out.monthly(contacts * share, aht, agents - kept, cell.open_hours)
    elif cell.sourcing is Sourcing.AFTER_HOURS:
        # The after-hours share of the volume arrives in the same share of the open hours.
        share = cell.after_hours_share
        day_hours, night_hours = cell.open_hours * (1 - share), cell.open_hours * share
        day_volume, night_volume = cell.volume * (1 - share), cell.volume * share
        own, people = inh.monthly(cell.agents(day_volume, day_hours), day_hours)
        night_agents = cell.agents(night_volume, night_hours) if share else 0.0
        chosen = own + out.monthly(contacts * share, aht, night_agents, night_hours)
    else:
        escalated = cell.volume * cell.escalation_rate
        tier2 = cell.agents(escalated) if escalated > 0 else 0.0
        own, people = inh.monthly(tier2, cell.open_hours)
        chosen = own + all_out
    return CellCost(cell, agents, all_in, all_out, chosen, people)


def compare(scenario: Scenario) -> Comparison:
    """Price every cell in-house, outsourced and as chosen; totals for each.

    Fixed costs (facilities; the vendor's setup, exit and fixed governance) are
    counted once per scenario, by each side that uses them.

    Raises:
        UnattainableTargetError: a cell's service target cannot be met.
    """
    cells = tuple(_price(scenario, cell) for cell in scenario.cells)
    currency = scenario.in_house.wage.currency
    zero = Money(0, currency)
    own_fixed, vendor_fixed = scenario.in_house.fixed(), scenario.outsourced.fixed()
    uses_own = any(c.cell.sourcing is not Sourcing.OUTSOURCED for c in cells)
    uses_vendor = any(c.cell.sourcing is not Sourcing.IN_HOUSE for c in cells)
    chosen = sum((c.chosen for c in cells), zero)
    chosen += (own_fixed if uses_own else zero) + (vendor_fixed if uses_vendor else zero)
    return Comparison(
        cells,
        sum((c.in_house for c in cells), own_fixed),
        sum((c.outsourced for c in cells), vendor_fixed),
        chosen,
        sum(c.agents for c in cells),
        sum(c.cell.volume for c in cells),
    )


def _money_field(obj: Any, name: str, factor: float) -> Any:
    value = getattr(obj, name)
    return attrs.evolve(obj, **{name: value * factor})


def _every_offer(
    scenario: Scenario, change: Callable[[OutsourcedCost], OutsourcedCost]
) -> Scenario:
    """``scenario`` with ``change`` made to its offer and to every cell's own offer."""
    cells = [
        c if c.offer is None else attrs.evolve(c, offer=change(c.offer)) for c in scenario.cells
    ]
    return attrs.evolve(scenario, cells=cells, outsourced=change(scenario.outsourced))


#: Parameters ``break_even`` and ``sensitivity`` can vary: name -> how to scale it.
_PARAMETERS: Final[dict[str, Callable[[Scenario, float], Scenario]]] = {
    "volume": lambda s, f: attrs.evolve(
        s, cells=[attrs.evolve(c, volume=c.volume * f) for c in s.cells]
    ),
    "aht": lambda s, f: attrs.evolve(s, cells=[attrs.evolve(c, aht=c.aht * f) for c in s.cells]),
    "wage": lambda s, f: attrs.evolve(s, in_house=_money_field(s.in_house, "wage", f)),
    "benefits_load": lambda s, f: attrs.evolve(
        s, in_house=attrs.evolve(s.in_house, benefits_load=s.in_house.benefits_load * f)
    ),
    "shrinkage": lambda s, f: attrs.evolve(
        s, in_house=attrs.evolve(s.in_house, shrinkage=min(s.in_house.shrinkage * f, 0.95))
    ),
    "attrition": lambda s, f: attrs.evolve(
        s, in_house=attrs.evolve(s.in_house, attrition=s.in_house.attrition * f)
    ),
    "outsourced_rate": lambda s, f: _every_offer(s, lambda o: _money_field(o, "rate", f)),
    "governance": lambda s, f: _every_offer(
        s, lambda o: attrs.evolve(o, governance=o.governance * f)
    ),
}


def _gap(scenario: Scenario) -> Decimal:
    result = compare(scenario)
    return (result.outsourced - result.in_house).amount


def break_even(
    scenario: Scenario, parameter: str, *, low: float = 0.01, high: float = 100.0
) -> float:
    """The multiplier of ``parameter`` at which all-in-house and all-outsourced cost the same.

    ``parameter`` is one of ``volume``, ``aht``, ``wage``, ``benefits_load``,
    ``shrinkage``, ``attrition``, ``outsourced_rate`` or ``governance``; the
    answer multiplies its current value (1.0 = today); ``outsourced_rate`` and
    ``governance`` move every offer, the cells' own included. Found by bisection to
    within a cent. Agents come in whole numbers, so the costs step as a parameter
    that changes staffing (``volume``, ``aht``) moves, and the gap can cross zero
    more than once: the answer is then one of the crossings between ``low`` and
    ``high``, and the decision flips back and forth in a band around it.

    Raises:
        CostModelError: an unknown parameter, or no break-even between ``low`` and ``high``.
    """
    vary = _lookup(parameter)
    lo_gap, hi_gap = _gap(vary(scenario, low)), _gap(vary(scenario, high))
    if (lo_gap > 0) == (hi_gap > 0):
        raise CostModelError(
            f"the two sides do not cost the same anywhere between {low}x and {high}x of "
            f"{parameter}; widen the range or vary another parameter"
        )
    lo, hi = low, high
    for _ in range(200):
        mid = (lo + hi) / 2
        gap = _gap(vary(scenario, mid))
        if abs(gap) < _CENT / 2:
            return mid
        if (gap > 0) == (lo_gap > 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _lookup(parameter: str) -> Callable[[Scenario, float], Scenario]:
    vary = _PARAMETERS.get(parameter)
    if vary is None:
        raise CostModelError(f"unknown parameter {parameter!r}; use one of {sorted(_PARAMETERS)}")
    return vary


@attrs.frozen
class SensitivityRow:
    """One bar of a tornado chart: the outsourced-minus-in-house gap at today's value of a
    parameter (``base``) and at its low and high values."""

    parameter: str
    low: Money
    high: Money
    base: Money

    @property
    def swing(self) -> Decimal:
        """How far the gap moves across the range."""
        return abs(self.high.amount - self.low.amount)


def sensitivity(
    scenario: Scenario, swing: float = 0.2, parameters: Sequence[str] | None = None
) -> list[SensitivityRow]:
    """Vary each parameter by ``±swing`` and report the outsourced-minus-in-house monthly gap;
    largest swing first (the rows of a tornado chart)."""
    if not 0 < swing < 1:
        raise CostModelError(f"swing must be in (0, 1), got {swing!r}")
    currency = scenario.in_house.wage.currency
    base = Money(_gap(scenario), currency)
    rows = []
    for name in parameters or sorted(_PARAMETERS):
        vary = _lookup(name)
        rows.append(
            SensitivityRow(
                name,
                Money(_gap(vary(scenario, 1 - swing)), currency),
                Money(_gap(vary(scenario, 1 + swing)), currency),
                base,
            )
        )
    return sorted(rows, key=lambda r: (-r.swing, r.parameter))
