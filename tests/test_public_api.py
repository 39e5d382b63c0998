"""The public API is exactly what is documented: a change here is a release note."""

from __future__ import annotations

import importlib

import pytest

import servicekit

TOP_LEVEL = {
    "ANY",
    "Acknowledged",
    "AgentReplied",
    "Assigned",
    "AttributeValue",
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
    "event_to_dict",
    "helpdesk_lifecycle",
    "history_from_json",
    "history_to_json",
    "incident_lifecycle",
    "service_request_lifecycle",
}

SUBPACKAGES: dict[str, set[str]] = {
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
    "servicekit.costs": {
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
        "XesTrace",
        "XesValue",
        "bpic2013_history",
        "bpic2013_lifecycle",
        "bpic2013_sample_path",
        "bpic2013_tickets",
        "read_xes",
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
        "TerminalAction",
        "TerminalDue",
        "to_ical",
    },
    "servicekit.protocols": {
        "METRIC_STATES",
        "ComplianceReport",
        "ComplianceRow",
        "ComplianceTally",
        "DueAction",
        "MetricAttainment",
        "WorstTicket",
        "compliance_rows",
        "evaluate_rows",
        "unmeasurable_metrics",
        "Incident",
        "LinkPolicy",
        "Propagated",
        "PropagationRule",
        "ProtocolReport",
        "ServiceProtocol",
        "TicketAction",
        "WakeupScheduler",
        "crisis_protocol",
        "daily_requests_protocol",
        "link_intervals",
        "proactive_protocol",
        "propagation_actor",
        "reactive_protocol",
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
        "aware_datetimes",
        "boundary_durations",
        "boundary_instants",
        "business_calendars",
        "cadences",
        "contact_windows",
        "dst_edge_datetimes",
        "durations",
        "follow_up_schedules",
        "lifecycles",
        "ready_made_lifecycles",
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


def test_every_public_name_is_documented() -> None:
    modules = [servicekit, *(importlib.import_module(m) for m in SUBPACKAGES)]
    for mod in modules:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if name.startswith("__") or not callable(obj):
                continue
            assert (obj.__doc__ or "").strip(), f"{mod.__name__}.{name} has no docstring"


def test_errors_are_servicekit_errors() -> None:
    from servicekit import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ServiceKitError), name
        assert (cls.__doc__ or "").strip(), name
