"""The public API is exactly what is documented: a change here is a release note.

"Documented" means what the reference pages show: each public module has a page
``docs/reference/<name>.md`` rendered by mkdocstrings, which reads the sources
through griffe; these tests ask griffe the same questions (see
docs/versioning.md for what is public).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import griffe
import pytest

import servicekit

TOP_LEVEL = {
    "ANY",
    "Acknowledged",
    "AgentReplied",
    "Assigned",
    "AttributeValue",
    "AttributesChanged",
    "BusinessCalendar",
    "ClockAction",
    "CorrectiveActionAssigned",
    "CorrectiveActionDone",
    "CustomerReplied",
    "DueTransition",
    "Escalated",
    "Event",
    "FollowUpSent",
    "FrozenAttributes",
    "Lifecycle",
    "NoteAdded",
    "OptedOut",
    "PriorityChanged",
    "PromiseMade",
    "Reaction",
    "SAME",
    "Status",
    "StatusCategory",
    "StatusChanged",
    "StatusInterval",
    "SurveyAnswered",
    "SurveySent",
    "Ticket",
    "TicketLinked",
    "TicketOpened",
    "TicketUnlinked",
    "TicketView",
    "Transition",
    "UpdateDelivered",
    "UpdatePosted",
    "__version__",
    "errors",
    "event_from_dict",
    "event_kinds",
    "event_to_dict",
    "format_instant",
    "helpdesk_lifecycle",
    "history_from_json",
    "history_to_json",
    "incident_lifecycle",
    "parse_instant",
    "service_request_lifecycle",
}

SUBPACKAGES: dict[str, set[str]] = {
    "servicekit.cli": {"COMMANDS", "main", "parser"},
    "servicekit.sources": {
        "READY_LIFECYCLES",
        "ROW_KINDS",
        "CsvSource",
        "DataFrameSource",
        "JsonLinesSource",
        "ParquetSource",
        "ReadStats",
        "Rejection",
        "RowSource",
        "SourceMapping",
        "SourceScan",
        "SqlSource",
        "TicketReader",
        "XesSource",
        "load_mapping",
        "open_source",
        "read_tickets",
    },
    "servicekit.batch": {
        "PartitionResult",
        "ROW_SCHEMA",
        "SOURCE_LINE",
        "SOURCE_ROW",
        "CLUSTER_CONFIG",
        "dask_client",
        "empty_rows",
        "evaluate_dask",
        "evaluate_dask_result",
        "evaluate_partition",
        "evaluate_partition_result",
        "report_from_rows",
        "rows_to_compliance",
        "source_frame",
    },
    "servicekit.costs": {
        "ScenarioFile",
        "load_scenario",
        "loads_scenario",
        "volume_from_replay",
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
        "SensitivityRow",
        "Sourcing",
        "Stage",
        "Staffing",
        "backlog_agents",
        "break_even",
        "chat_load_factor",
        "compare",
        "coverage_people",
        "deflect",
        "erlang_a",
        "erlang_b",
        "erlang_c",
        "plot_break_even",
        "plot_tornado",
        "required_agents",
        "sensitivity",
        "staff_intervals",
        "staffing_for",
    },
    "servicekit.datasets": {
        "BPIC2013_MAPPING",
        "BPIC2013_ZONE",
        "MAX_TOKEN_BYTES",
        "XesInstant",
        "XesRawTrace",
        "XesRawValue",
        "XesTrace",
        "XesValue",
        "bpic2013_history",
        "bpic2013_lifecycle",
        "bpic2013_sample_path",
        "bpic2013_tickets",
        "read_xes",
        "read_xes_raw",
    },
    "servicekit.escalation": {
        "AfterBreach",
        "AtSlaFraction",
        "ChainKind",
        "Delay",
        "EnteredCategory",
        "EscalationChain",
        "EscalationReport",
        "Notification",
        "OutsideWindow",
        "Position",
        "PriorityRaised",
        "Repeat",
        "Selector",
        "SlaTrigger",
        "Step",
        "Stop",
        "Target",
        "Trigger",
        "Unreachable",
        "Wait",
        "Window",
    },
    "servicekit.followup": {
        "Anchor",
        "Backoff",
        "Cadence",
        "ContactWindow",
        "Daily",
        "FixedOffsets",
        "FollowUp",
        "FollowUpReport",
        "FollowUpSchedule",
        "Interval",
        "PromiseState",
        "PromiseStatus",
        "QuietAction",
        "SurveyDue",
        "SurveyOnce",
        "SurveyPlan",
        "SurveyReopen",
        "SurveyRow",
        "SurveySchedule",
        "TerminalAction",
        "TerminalDue",
        "plan_surveys",
        "survey_report",
        "to_ical",
    },
    "servicekit.protocols": {
        "Broadcast",
        "CUSTOMER_FIRST_RESPONSE",
        "ComparisonRow",
        "ComplianceReport",
        "ComplianceRow",
        "ComplianceTally",
        "CorrectivePolicy",
        "CorrectiveState",
        "CorrectiveStatus",
        "CustomActions",
        "Delivery",
        "DueAction",
        "FINDING_CODES",
        "FileProblem",
        "Finding",
        "HELD_RESOLUTION",
        "Incident",
        "IncidentProtocol",
        "IncidentReport",
        "LinkPolicy",
        "METRIC_STATES",
        "Message",
        "MessageContext",
        "MessageTemplate",
        "MetricAttainment",
        "OutcomeChange",
        "PLAYBOOK_LANGUAGES",
        "ProactiveFigures",
        "Propagated",
        "PropagationRule",
        "ProtocolComparison",
        "ProtocolReport",
        "READY_MADE",
        "REPORT_FORMAT",
        "REVIEW",
        "RequestType",
        "RequestTypes",
        "ServiceProtocol",
        "TemplateSet",
        "TicketAction",
        "UpdatePromise",
        "WakeupScheduler",
        "WorstTicket",
        "business_days_deadline",
        "check_protocol",
        "compare_protocols",
        "compliance_rows",
        "crisis_incident_protocol",
        "crisis_protocol",
        "daily_requests_protocol",
        "evaluate_rows",
        "link_intervals",
        "load_protocol",
        "loads_protocol",
        "message_context",
        "missing_templates",
        "playbook",
        "pqrs_request_types",
        "proactive_incident_protocol",
        "proactive_protocol",
        "propagation_actor",
        "protocol_schema",
        "reactive_protocol",
        "ready_made_path",
        "ready_made_templates",
        "ready_made_text",
        "render_message",
        "render_messages",
        "report_json_schema",
        "report_to_dict",
        "report_to_json",
        "survey_actions",
        "template_uses",
        "unmeasurable_metrics",
    },
    "servicekit.sla": {
        "AGENT_WORK_TIME",
        "ANY_PRIORITY",
        "BUILT_IN_METRICS",
        "FIRST_RESPONSE",
        "NEXT_RESPONSE",
        "PERIODIC_UPDATE",
        "REQUESTER_WAIT_TIME",
        "RESOLUTION",
        "On",
        "SlaMetric",
        "SlaPolicy",
        "SlaReport",
        "SlaRow",
        "SlaState",
        "SlaStatus",
        "SlaTarget",
        "SlaTracker",
        "SlaWarning",
        "StopOutcome",
        "evaluate_many",
    },
    "servicekit.testing": {
        "DST_ZONES",
        "EVENT_CHOICES",
        "OUTAGE_ZONES",
        "OutageRun",
        "OutageScenario",
        "aware_datetimes",
        "boundary_durations",
        "boundary_instants",
        "business_calendars",
        "cadences",
        "contact_windows",
        "dst_edge_datetimes",
        "durations",
        "escalation_chains",
        "follow_up_schedules",
        "lifecycles",
        "protocol_tickets",
        "ready_made_protocols",
        "ready_made_lifecycles",
        "run_outage",
        "service_protocols",
        "sla_policies",
        "tickets",
    },
}


def test_top_level_exports() -> None:
    assert set(servicekit.__all__) == TOP_LEVEL
    for name in servicekit.__all__:
        assert hasattr(servicekit, name), name


@pytest.mark.parametrize("module", sorted(SUBPACKAGES))
def test_subpackage_exports(module: str) -> None:
    mod = importlib.import_module(module)
    assert set(mod.__all__) == SUBPACKAGES[module]
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_errors_are_servicekit_errors() -> None:
    from servicekit import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ServiceKitError), name
        assert (cls.__doc__ or "").strip(), name


ROOT = Path(__file__).resolve().parent.parent
PUBLIC_MODULES = ["servicekit", *sorted(SUBPACKAGES), "servicekit.errors"]
# What mkdocs.yml's reference filters hide: private names and the integer fast paths.
_HIDDEN = re.compile(r"^_|_micros$")


def _ruff_sort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    loaded = griffe.load("servicekit", search_paths=[str(ROOT / "src")], resolve_aliases=True)
    assert isinstance(loaded, griffe.Module)
    return loaded


def _griffe_module(package: griffe.Module, name: str) -> griffe.Module:
    found = package if name == "servicekit" else package[name.removeprefix("servicekit.")]
    assert isinstance(found, griffe.Module)
    return found


def test_every_public_module_is_listed_here() -> None:
    public = {
        f"servicekit.{m.name}"
        for m in pkgutil.iter_modules(servicekit.__path__)
        if not m.name.startswith("_")
    }
    assert public == set(PUBLIC_MODULES) - {"servicekit"}, (
        "a new public module needs its names in SUBPACKAGES here and a reference page"
    )


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_all_is_sorted_and_unique(module: str) -> None:
    names = list(importlib.import_module(module).__all__)
    assert names == sorted(set(names), key=_ruff_sort_key)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_reference_page_shows_exactly_all(module: str, package: griffe.Module) -> None:
    """Each public module has a page, listed in the nav, that renders exactly ``__all__``."""
    short = module.rsplit(".", 1)[-1]
    page = ROOT / "docs" / "reference" / f"{short}.md"
    assert page.exists(), f"add {page.relative_to(ROOT)} holding '::: {module}'"
    assert re.search(rf"^::: {re.escape(module)}$", page.read_text("utf-8"), re.MULTILINE)
    assert f"reference/{short}.md" in (ROOT / "mkdocs.yml").read_text("utf-8"), "add it to nav"
    gmod = _griffe_module(package, module)
    # mkdocstrings shows a module's own public-looking members and the aliases it exports.
    shown = {
        name
        for name, member in gmod.members.items()
        if not _HIDDEN.search(name)
        and (name in gmod.exports if member.is_alias else not member.is_module)  # type: ignore[operator]
    }
    exported = set(importlib.import_module(module).__all__) - {"__version__", "errors"}
    assert shown == exported, (
        f"shown but not in __all__: {sorted(shown - exported)}; "
        f"in __all__ but not shown: {sorted(exported - shown)}"
    )


def _public_api() -> list[tuple[str, str, Any]]:
    api = []
    for module in PUBLIC_MODULES:
        mod = importlib.import_module(module)
        api += [(module, name, getattr(mod, name)) for name in mod.__all__]
    return api


def _annotation_gaps(qualname: str, func: Callable[..., Any]) -> list[str]:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without a signature: nothing to check
        return []
    annotations = getattr(func, "__annotations__", {})
    gaps = [
        f"{qualname}({p.name})"
        for p in signature.parameters.values()
        if p.name not in {"self", "cls"} and p.name not in annotations
    ]
    if "return" not in annotations and func.__name__ != "__init__":
        gaps.append(f"{qualname} -> ?")
    return gaps


def _members(cls: type) -> list[tuple[str, Any]]:
    """A class's own public methods and properties (unwrapped), as the reference shows them."""
    out = []
    for name, value in vars(cls).items():
        if _HIDDEN.search(name):
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if isinstance(value, property):
            out.append((name, value.fget))
        elif inspect.isfunction(value):
            out.append((name, value))
    return out


def test_every_public_name_has_a_docstring(package: griffe.Module) -> None:
    missing = []
    for module, name, obj in _public_api():
        if name in {"errors"}:
            continue
        member = _griffe_module(package, module)[name]
        target = member.final_target if member.is_alias else member
        if not target.docstring:  # constants: a docstring right after the assignment
            missing.append(f"{module}.{name}")
        if inspect.isclass(obj):
            missing += [
                f"{module}.{name}.{attr}"
                for attr, func in _members(obj)
                if func is not None and not (func.__doc__ or "").strip()
            ]
    assert not missing, f"no docstring: {missing}"


def test_every_public_callable_is_fully_annotated() -> None:
    gaps = []
    for module, name, obj in _public_api():
        qualname = f"{module}.{name}"
        if inspect.isfunction(obj):
            gaps += _annotation_gaps(qualname, obj)
        elif inspect.isclass(obj):
            gaps += [
                gap
                for attr, func in _members(obj)
                if func is not None
                for gap in _annotation_gaps(f"{qualname}.{attr}", func)
            ]
            if attrs.has(obj):  # the generated __init__ loses types to converters; fields keep them
                gaps += [f"{qualname}.{f.name}: ?" for f in attrs.fields(obj) if f.type is None]
            elif "__init__" in vars(obj) and not getattr(obj, "_is_protocol", False):
                gaps += _annotation_gaps(f"{qualname}.__init__", obj.__init__)
    assert not gaps, f"not annotated: {gaps}"


def test_the_checks_above_can_fail() -> None:
    def bare(x, y: int):  # type: ignore[no-untyped-def]
        return x

    assert _annotation_gaps("bare", bare) == ["bare(x)", "bare -> ?"]
    assert _ruff_sort_key("ZONES") < _ruff_sort_key("Zone") < _ruff_sort_key("zone")


def test_docstring_examples_use_the_examples_section() -> None:
    """Google style renders an ``Examples:`` section's ``>>>`` lines as code; under
    ``Example:`` they are Markdown, where ``["a"]`` becomes a broken link and fails
    ``mkdocs build --strict``."""
    singular = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if line.strip() == "Example:"
    ]
    assert not singular, f"write 'Examples:' (plural) at {singular}"
