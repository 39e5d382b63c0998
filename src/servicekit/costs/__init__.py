"""Cost models: how many agents a service level needs, and whether to staff or outsource it.

Staffing is queueing, not division: :func:`erlang_b`, :func:`erlang_c` and
Erlang A (:func:`erlang_a`, callers who abandon) behind :func:`required_agents`,
plus chat concurrency, email backlogs, self-service deflection and 24x7
coverage. :func:`compare`, :func:`break_even` and :func:`sensitivity` price a
:class:`Scenario` of stages x channels in-house (:class:`InHouseCost`) and
outsourced (:class:`OutsourcedCost`), in :class:`Money`.
"""

from __future__ import annotations

from servicekit.costs._erlang import ErlangAMetrics, erlang_a, erlang_b, erlang_c
from servicekit.costs._files import (
    ScenarioFile,
    load_scenario,
    loads_scenario,
    volume_from_replay,
)
from servicekit.costs._plots import plot_break_even, plot_tornado
from servicekit.costs._sourcing import (
    Cell,
    CellCost,
    Comparison,
    InHouseCost,
    Money,
    OutsourcedCost,
    Pricing,
    Scenario,
    SensitivityRow,
    Sourcing,
    Stage,
    break_even,
    compare,
    sensitivity,
)
from servicekit.costs._staffing import (
    DEFAULT_CONCURRENCY_EFFICIENCY,
    Channel,
    Staffing,
    backlog_agents,
    chat_load_factor,
    coverage_people,
    deflect,
    required_agents,
    staff_intervals,
    staffing_for,
)

__all__ = [
    "DEFAULT_CONCURRENCY_EFFICIENCY",
    "Cell",
    "CellCost",
    "Channel",
    "Comparison",
    "ErlangAMetrics",
    "InHouseCost",
    "Money",
    "OutsourcedCost",
    "Pricing",
    "Scenario",
    "ScenarioFile",
    "SensitivityRow",
    "Sourcing",
    "Staffing",
    "Stage",
    "backlog_agents",
    "break_even",
    "chat_load_factor",
    "compare",
    "coverage_people",
    "deflect",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "load_scenario",
    "loads_scenario",
    "plot_break_even",
    "plot_tornado",
    "required_agents",
    "sensitivity",
    "staff_intervals",
    "staffing_for",
    "volume_from_replay",
]
