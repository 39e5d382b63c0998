"""Follow-up schedules: the customer is never left wondering.

A :class:`FollowUpSchedule` says when the customer hears from us (a cadence
per priority, counted from an anchor), through which channel, never in their
quiet hours, and when we stop; :meth:`FollowUpSchedule.evaluate` lists what
is due, and promises made to the customer are tracked until kept or broken.
"""

from __future__ import annotations

from servicekit.followup._cadence import (
    Backoff,
    Cadence,
    ContactWindow,
    Daily,
    FixedOffsets,
    Interval,
)
from servicekit.followup._ical import to_ical
from servicekit.followup._schedule import (
    Anchor,
    FollowUp,
    FollowUpReport,
    FollowUpSchedule,
    PromiseState,
    PromiseStatus,
    QuietAction,
    TerminalAction,
    TerminalDue,
)
from servicekit.followup._survey import (
    SurveyDue,
    SurveyOnce,
    SurveyPlan,
    SurveyReopen,
    SurveyRow,
    SurveySchedule,
    plan_surveys,
    survey_report,
)

__all__ = [
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
]
