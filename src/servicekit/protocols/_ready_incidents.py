"""Ready-made incident protocols: a reputational crisis, and proactive service.

Both are plain values built from the pieces of :mod:`servicekit.protocols`; the
guide (``docs/incidents.md``) explains each rule by the failure it prevents.
"""

from __future__ import annotations

import datetime as _dt

from servicekit._calendars import BusinessCalendar
from servicekit._lifecycles import incident_lifecycle
from servicekit._status import ClockAction, StatusCategory
from servicekit.followup import ContactWindow, SurveyOnce, SurveySchedule
from servicekit.protocols._corrective import CorrectivePolicy
from servicekit.protocols._incidents import Broadcast, IncidentProtocol
from servicekit.protocols._links import LinkPolicy
from servicekit.protocols._protocol import ServiceProtocol
from servicekit.protocols._ready import crisis_protocol, proactive_protocol
from servicekit.protocols._ready_messages import ready_made_templates
from servicekit.sla import ANY_PRIORITY, RESOLUTION, On, SlaMetric, SlaPolicy, SlaTarget

__all__ = [
    "CUSTOMER_FIRST_RESPONSE",
    "HELD_RESOLUTION",
    "crisis_incident_protocol",
    "proactive_incident_protocol",
]

_MINUTE = _dt.timedelta(minutes=1)
_HOUR = _dt.timedelta(hours=1)

CUSTOMER_FIRST_RESPONSE = SlaMetric(
    name="first_response",
    starts_on=[On("ticket_opened")],
    met_on=[On("agent_replied", public=True), On("update_delivered")],
    clock={StatusCategory.WAITING_ON_CUSTOMER: ClockAction.RUN},
)
"""First response for a customer of an incident: met by a public reply or by the first incident
update delivered to them (either tells them someone is on it).
"""
HELD_RESOLUTION = RESOLUTION.with_clock({StatusCategory.WAITING_ON_THIRD_PARTY: ClockAction.PAUSE})
"""Resolution that pauses while the ticket waits on a third party, which is where a linked child
waits while its parent incident is worked.
"""

# A caller is not called back for every update: they get a text message.
_CHANNELS = {"voice": "sms", "phone": "sms", "call": "sms"}
# Messages that can wake someone keep to the day; an e-mail waits in the inbox.
_WAKING = ContactWindow(_dt.time(8), _dt.time(21))
# A survey is a favour asked of the customer: office hours only.
_ASKING = ContactWindow(_dt.time(9), _dt.time(19))


def _survey(name: str, delay: _dt.timedelta, timezone: str) -> SurveySchedule:
    """Once per customer a month (one outage is one experience, not one per ticket); a
    score of 1 or 0 out of 5 reopens the customer's ticket."""
    return SurveySchedule(
        name=name,
        delay=delay,
        contact_window=_ASKING,
        default_timezone=timezone,
        channels=_CHANNELS,
        once_per=SurveyOnce.CUSTOMER,
        period=30 * 24 * _HOUR,
        reopen_below=2,
    )


def _customer_protocol(
    name: str, first_response: _dt.timedelta, resolution: _dt.timedelta, calendar: BusinessCalendar
) -> ServiceProtocol:
    return ServiceProtocol(
        name=name,
        lifecycle=incident_lifecycle(),
        sla=SlaPolicy(
            name,
            [
                SlaTarget(
                    metric=CUSTOMER_FIRST_RESPONSE,
                    priority=ANY_PRIORITY,
                    target=first_response,
                    calendar=calendar,
                ),
                SlaTarget(
                    metric=HELD_RESOLUTION,
                    priority=ANY_PRIORITY,
                    target=resolution,
                    calendar=calendar,
                ),
            ],
        ),
        description="A customer of a major incident: answered by its updates, solved with it.",
        templates=ready_made_templates(calendar.timezone),
    )


def crisis_incident_protocol(
    timezone: str = "UTC", calendar: BusinessCalendar | None = None
) -> IncidentProtocol:
    """One failure, many customers, reputation at stake.

    The parent follows :func:`crisis_protocol` (24x7, war room paged at once). Each
    customer keeps a ticket of their own (first response in 15 minutes, met by the first
    incident update they receive; resolution in 4 hours, paused while held on the parent)
    and no chains of its own. Linked tickets are held on the parent, solved with it (with a
    public note) and reopened with it. Every update reaches every linked customer on their
    channel (callers by SMS), SMS and calls only 08:00-21:00 in their zone, a newer update
    standing for older ones still waiting; nobody goes 30 minutes of their waking hours
    without news. After the solve, a post-incident review within 5 business days of
    ``calendar`` (Mon-Fri 09:00-17:00 in ``timezone`` by default), corrective actions
    with deadlines in business days, the head of service told a business day after any
    slips. A day after the solve each customer is asked how it went (09:00-19:00 their
    time, once a month per customer at most; a score of 0 or 1 out of 5 reopens their
    ticket).
    """
    business = calendar or BusinessCalendar(timezone, "mon-fri 09:00-17:00")
    always = BusinessCalendar.always_open(timezone)
    return IncidentProtocol(
        name="crisis-incident",
        protocol=crisis_protocol(timezone),
        child_protocol=_customer_protocol("crisis-customer", 15 * _MINUTE, 4 * _HOUR, always),
        links=LinkPolicy(),
        broadcast=Broadcast(
            name="crisis-updates",
            channels=_CHANNELS,
            windows={"email": None},
            default_window=_WAKING,
            default_timezone=timezone,
            merge=True,
            update_every=30 * _MINUTE,
        ),
        corrective=CorrectivePolicy(calendar=business, review_within=5, escalate_after=1),
        survey=_survey("crisis-csat", 24 * _HOUR, timezone),
        description="One failure, many customers: one war room, everyone told, fixed for good.",
    )


def proactive_incident_protocol(calendar: BusinessCalendar) -> IncidentProtocol:
    """A failure the team found first, told to the affected customers before they call.

    The parent follows :func:`proactive_protocol` on ``calendar``; each customer's ticket
    (often opened by the team, ``detected_by="monitoring"``) has a first response of one
    business hour, met by the first update, and resolution in 8 business hours paused while
    held on the parent. Updates go out on the customer's channel, never outside 08:00-21:00
    in their zone, at least every two waking hours; the report measures the share of
    customers told before they reported and the lead time. After the solve, a review within
    10 business days and corrective actions tracked like any promise, and a survey two
    hours later (09:00-19:00 their time, once a month per customer at most) to hear where
    the service fell short.
    """
    base = proactive_protocol(calendar)
    return IncidentProtocol(
        name="proactive-incident",
        protocol=base,
        child_protocol=_customer_protocol("proactive-customer", _HOUR, 8 * _HOUR, calendar),
        links=LinkPolicy(),
        broadcast=Broadcast(
            name="proactive-updates",
            channels=_CHANNELS,
            default_window=_WAKING,
            default_timezone=calendar.timezone,
            merge=True,
            update_every=2 * _HOUR,
        ),
        corrective=CorrectivePolicy(calendar=calendar, review_within=10, escalate_after=2),
        survey=_survey("proactive-csat", 2 * _HOUR, calendar.timezone),
        description="Tell customers before they find out; hear them afterwards.",
    )
