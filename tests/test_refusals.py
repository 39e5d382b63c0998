"""Values servicekit used to coerce or guess at are refused with a message (review items 8, 10).

Each case names the field and what to give instead; none is a bare attrs or stdlib exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from servicekit.costs import Money, erlang_c, required_agents
from servicekit.errors import (
    CostModelError,
    InvalidEscalationError,
    InvalidFollowUpError,
    ServiceKitError,
    SlaPolicyError,
)
from servicekit.escalation import Window
from servicekit.followup import ContactWindow, Daily, TerminalAction
from servicekit.sla import SlaTarget

UTC = dt.UTC
H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("build", "error", "fragment"),
    [
        (lambda: Daily(dt.time(10, tzinfo=UTC)), InvalidFollowUpError, "has a time zone"),
        (lambda: Daily("10:00"), InvalidFollowUpError, "must be a datetime.time"),
        (
            lambda: ContactWindow(dt.time(8, tzinfo=UTC), dt.time(20)),
            InvalidFollowUpError,
            "start .* has a time zone",
        ),
        (
            lambda: TerminalAction("close", 1, batch=dt.time(1, tzinfo=UTC)),
            InvalidFollowUpError,
            "batch .* has a time zone",
        ),
        (
            lambda: Window("UTC", dt.time(9, tzinfo=UTC), dt.time(17)),
            InvalidEscalationError,
            "has a time zone",
        ),
        (
            lambda: required_agents(100, 1800, "180", 0.8, 20),
            CostModelError,
            "must be a number of seconds or a timedelta, got str '180'",
        ),
        (lambda: Money(True, "EUR"), CostModelError, "got bool True"),
        (lambda: Money(Decimal(10) ** 26, "EUR"), CostModelError, "must be below 1e\\+24"),
        (lambda: Money(10, "EUR") / 0, CostModelError, "by zero"),
        (
            lambda: SlaTarget(metric="resolution", priority="P1", target=H, calendar="UTC"),
            SlaPolicyError,
            "calendar must be a BusinessCalendar, got str 'UTC'",
        ),
    ],
)
def test_guesses_are_refused(
    build: Callable[[], object], error: type[ServiceKitError], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        build()


def test_the_largest_amount_still_prints() -> None:
    big = Money(Decimal(10) ** 24 - 1, "EUR")
    assert str(big).endswith("EUR")
    assert erlang_c(10, 0.0) == 0.0


@pytest.mark.parametrize("path", [None, b"/no/such/log.xes", 3])
def test_dataset_helpers_refuse_what_is_not_a_path(path: object) -> None:
    from servicekit.datasets import bpic2013_tickets, read_xes

    for read in (bpic2013_tickets, read_xes):
        with pytest.raises(ServiceKitError, match="path"):
            list(read(path))  # type: ignore[arg-type]
