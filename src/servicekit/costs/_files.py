"""Scenario files: a company's stages x channels and both sides' costs, in TOML.

Read with the same checks as protocol files: every problem at once, each with
the file, the line and the dotted path of the field. Amounts are exact
(``2400`` or ``"2400.50"``), shares are ``"30%"``, durations ``"6min"``.
A replayed history can supply the monthly volume (:func:`volume_from_replay`),
so staffing and cost rest on the same data as the protocol.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path as _FsPath
from typing import Any, Final, TypeVar

import attrs

from servicekit._fileformat import INVALID, Array, Field, Path, Problem, Scalar, Table, check
from servicekit._locate import line_of, locate
from servicekit._units import parse_duration, parse_share
from servicekit.costs._sourcing import (
    _PARAMETERS,
    Cell,
    InHouseCost,
    Money,
    OutsourcedCost,
    Pricing,
    Scenario,
    Sourcing,
    Stage,
)
from servicekit.costs._staffing import Channel
from servicekit.errors import CostModelError, ScenarioFileError, ServiceKitError

__all__ = ["ScenarioFile", "load_scenario", "loads_scenario", "volume_from_replay"]

T = TypeVar("T")


def _plain_duration(value: str) -> _dt.timedelta:
    found = parse_duration(value)
    if not isinstance(found, _dt.timedelta):
        raise ValueError("a duration in hours, minutes or seconds (business days need a calendar)")
    return found


def _amount(value: object) -> Decimal:
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        amount = Decimal(text)
    except ArithmeticError:
        raise ValueError('an amount such as 2400 or "2400.50"') from None
    if not amount.is_finite() or amount < 0:
        raise ValueError('an amount of 0 or more, such as 2400 or "2400.50"')
    return amount


AMOUNT = Scalar(
    "number", 'an amount such as 2400 or "2400.50"', types=(int, float, str), parse=_amount
)
SHARE = Scalar("string", "a percentage such as '30%'", parse=parse_share)
DURATION = Scalar("string", "a duration such as '6min' or '20s'", parse=_plain_duration)
NUMBER = Scalar("number", "a positive number", types=(int, float), exclusive_minimum=0)
COUNT = Scalar("integer", "a whole number, 0 or more", types=(int,), minimum=0)


def _choice(values: Any, what: str) -> Scalar:
    return Scalar("string", what, enum=tuple(v.value for v in values))


IN_HOUSE = Table(
    {
        "wage": Field(AMOUNT, True, "Monthly wage per full-time agent."),
        "benefits_load": Field(SHARE),
        "shrinkage": Field(SHARE),
        "paid_hours": Field(NUMBER),
        "span_of_control": Field(NUMBER),
        "supervisor_wage": Field(AMOUNT),
        "seat_cost": Field(AMOUNT),
        "facilities": Field(AMOUNT),
        "training_per_hire": Field(AMOUNT),
        "attrition": Field(SHARE),
        "overhead": Field(SHARE),
    },
    name="in_house",
)
OUTSOURCED = Table(
    {
        "pricing": Field(_choice(Pricing, "a pricing model"), True),
        "rate": Field(AMOUNT, True, "The price per unit of the pricing model."),
        "billing_increment": Field(COUNT),
        "setup_fee": Field(AMOUNT),
        "exit_cost": Field(AMOUNT),
        "contract_months": Field(COUNT),
        "minimum_contacts": Field(NUMBER),
        "minimum_seats": Field(NUMBER),
        "governance": Field(SHARE),
        "governance_fixed": Field(AMOUNT),
        "first_contact_resolution_gap": Field(SHARE),
        "resolution_rate": Field(SHARE),
    },
    name="outsourced",
)
CELL = Table(
    {
        "stage": Field(_choice(Stage, "a stage"), True),
        "channel": Field(_choice(Channel, "a channel"), True),
        "volume": Field(NUMBER, True, "Contacts per month."),
        "aht": Field(DURATION, True, "Average handle time."),
        "open_hours": Field(NUMBER),
        "service_level": Field(SHARE),
        "answer_within": Field(DURATION),
        "sourcing": Field(_choice(Sourcing, "a sourcing")),
        "concurrency": Field(COUNT),
        "containment": Field(SHARE),
        "overflow_agents": Field(COUNT),
        "after_hours_share": Field(SHARE),
        "escalation_rate": Field(SHARE),
        "offer": Field(
            OUTSOURCED,
            doc=(
                "The vendor's price for this cell, when it differs from [outsourced]; "
                "its governance share and first-contact resolution gap are the contract's "
                "unless given here."
            ),
        ),
    },
    name="cell",
)
ANALYSIS = Table(
    {
        "break_even": Field(
            Scalar("string", "a parameter", enum=tuple(sorted(_PARAMETERS))),
            doc="The parameter whose break-even multiplier is reported.",
        ),
        "swing": Field(SHARE, doc="How far each parameter is moved for the tornado chart."),
    },
    name="analysis",
)
SCENARIO = Table(
    {
        "currency": Field(Scalar("string", "an ISO 4217 code such as 'EUR'"), True),
        "in_house": Field(IN_HOUSE, True),
        "outsourced": Field(OUTSOURCED, True),
        "cells": Field(Array(CELL, min_items=1), True),
        "analysis": Field(ANALYSIS),
    },
    name="scenario",
)
_MONEY: Final = frozenset(
    {
        "wage",
        "supervisor_wage",
        "seat_cost",
        "facilities",
        "training_per_hire",
        "rate",
        "setup_fee",
        "exit_cost",
        "governance_fixed",
    }
)


# What a cell's offer takes from [outsourced] unless it says otherwise.
_VENDOR_TERMS: Final = ("governance", "first_contact_resolution_gap")


@attrs.frozen
class ScenarioFile:
    """A scenario as read from a file, with the analysis it asks for.

    Attributes:
        scenario: the :class:`Scenario`.
        break_even: the parameter whose break-even multiplier to report.
        swing: how far each parameter moves in the sensitivity (tornado) analysis.
    """

    scenario: Scenario
    break_even: str = "outsourced_rate"
    swing: float = 0.2


def _options(data: Mapping[str, Any], currency: str) -> dict[str, Any]:
    options = {k: Money(v, currency) if k in _MONEY else v for k, v in data.items()}
    if "pricing" in options:
        options["pricing"] = Pricing(options["pricing"])
    return options


def _cell(data: Mapping[str, Any], currency: str, contract: Mapping[str, Any]) -> Cell:
    offer = data.get("offer")
    if offer is None:
        return Cell(**data)
    # The same vendor: how it is managed and how well it solves are the contract's terms.
    inherited = {k: contract[k] for k in _VENDOR_TERMS if k in contract}
    terms = _options({**inherited, **offer}, currency)
    return Cell(**{**data, "offer": OutsourcedCost(**terms)})


def _attempt(problems: list[Problem], path: Path, build: Callable[[], T]) -> T | None:
    try:
        return build()
    except ServiceKitError as exc:
        problems.append(Problem(path, None, str(exc)))
        return None


def loads_scenario(text: str, *, source: str = "<string>") -> ScenarioFile:
    """Read a scenario from the text of a scenario file (see :func:`load_scenario`)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{source}: not valid TOML: {exc}") from None
    data, problems = check(SCENARIO, raw)
    result = None
    if data is not INVALID:
        currency = data["currency"]
        in_house = _attempt(
            problems, ("in_house",), lambda: InHouseCost(**_options(data["in_house"], currency))
        )
        outsourced = _attempt(
            problems,
            ("outsourced",),
            lambda: OutsourcedCost(**_options(data["outsourced"], currency)),
        )
        built = [
            _attempt(
                problems, ("cells", i), functools.partial(_cell, c, currency, data["outsourced"])
            )
            for i, c in enumerate(data["cells"])
        ]
        cells = [c for c in built if c is not None]
        if in_house is not None and outsourced is not None and len(cells) == len(built):
            scenario = _attempt(
                problems,
                (),
                lambda: Scenario(cells=cells, in_house=in_house, outsourced=outsourced),
            )
            if scenario is not None:
                analysis = data.get("analysis", {})
                result = ScenarioFile(
                    scenario,
                    analysis.get("break_even", "outsourced_rate"),
                    analysis.get("swing", 0.2),
                )
    if problems or result is None:
        lines = locate(text)
        messages = [
            f"{source}:{line_of(lines, p.path) or 1}: {p.dotted}: {p.message}" for p in problems
        ]
        raise ScenarioFileError("\n".join(messages))
    return result


def load_scenario(path: str | os.PathLike[str]) -> ScenarioFile:
    """Read a scenario file.

    Raises:
        ScenarioFileError: the file cannot be read, or has problems (all are listed).
    """
    name = os.fspath(path)
    try:
        text = _FsPath(name).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioFileError(f"{name}: cannot read the scenario file: {reason}") from None
    return loads_scenario(text, source=name)


def volume_from_replay(scenario: Scenario, report: Mapping[str, Any]) -> Scenario:
    """``scenario`` with its total monthly volume taken from a replay report.

    ``report`` is the JSON of ``servicekit replay --format json``: tickets are counted
    per month of opening (from its ``months`` rows) and averaged over the months the
    history covers; each cell keeps its share of the scenario's volume. Handle times stay
    the scenario's (a replay measures time to resolve, not time spent handling).

    Raises:
        CostModelError: the report has no monthly ticket counts.
    """
    months = report.get("months") if isinstance(report, Mapping) else None
    if not isinstance(months, list) or not months:
        raise CostModelError(
            "the replay report has no 'months' rows; give the JSON of servicekit replay "
            "--format json"
        )
    metric = months[0].get("metric")
    per_month: Counter[str] = Counter()
    keys = ("met", "breached", "open", "cancelled", "not_applicable", "not_measurable")
    for row in months:
        if isinstance(row, Mapping) and row.get("metric") == metric:
            per_month[str(row.get("month"))] += sum(int(row.get(k, 0)) for k in keys)
    monthly = sum(per_month.values()) / len(per_month)
    if monthly <= 0:
        raise CostModelError("the replay report counts no tickets")
    total = sum(c.volume for c in scenario.cells)
    factor = monthly / total
    return attrs.evolve(
        scenario, cells=[attrs.evolve(c, volume=c.volume * factor) for c in scenario.cells]
    )
