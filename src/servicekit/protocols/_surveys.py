"""Surveys as due actions: what a satisfaction-survey plan asks the app to do."""

from __future__ import annotations

from collections.abc import Iterator

from servicekit.followup import SurveyPlan, SurveySchedule
from servicekit.protocols._protocol import DueAction

__all__ = ["survey_actions"]


def survey_actions(schedule: SurveySchedule, plan: SurveyPlan) -> Iterator[DueAction]:
    """``survey`` (send it; ``detail`` is the channel) and ``survey_reopen`` (a bad score
    on a ticket still solved; ``detail`` is the trigger) actions, keyed as the plan's."""
    for due in plan.due:
        yield DueAction("survey", due.at, schedule.name, due.channel, due.key)
    for reopen in plan.reopens:
        yield DueAction("survey_reopen", reopen.at, schedule.name, reopen.trigger, reopen.key)
