"""Major-incident protocols: broadcast updates per customer, the per-customer update
promise, the proactive figures and the corrective actions, in one report.

A parent incident posts updates (``UpdatePosted``); each linked customer is due
each update on their own channel, in their own time zone, outside their quiet
hours, under an idempotency key of their own. The app sends it and records
``UpdateDelivered`` on the customer's ticket, so the next evaluation knows.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping

import attrs
import pendulum
from pendulum import Timezone

from servicekit._calendars import BusinessCalendar
from servicekit._events import (
    AgentReplied,
    CustomerReplied,
    Event,
    FollowUpSent,
    OptedOut,
    StatusChanged,
    TicketLinked,
    TicketOpened,
    TicketUnlinked,
    UpdateDelivered,
    UpdatePosted,
)
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import (
    duration_from_micros,
    duration_micros,
    from_micros,
    get_timezone,
    to_micros,
)
from servicekit._timeline import timeline
from servicekit.errors import IncidentError
from servicekit.followup import ContactWindow, SurveyPlan, SurveySchedule, plan_surveys
from servicekit.protocols._corrective import (
    CorrectivePolicy,
    CorrectiveStatus,
    corrective_actions,
    corrective_statuses,
    next_corrective_change,
)
from servicekit.protocols._links import Incident, LinkPolicy
from servicekit.protocols._protocol import DueAction, ServiceProtocol
from servicekit.protocols._render import message_context
from servicekit.protocols._surveys import survey_actions
from servicekit.protocols._templates import Message

__all__ = [
    "Broadcast",
    "Delivery",
    "IncidentProtocol",
    "IncidentReport",
    "ProactiveFigures",
    "UpdatePromise",
]

_CUSTOMER = "customer"
_ENDED = frozenset({StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED})


def _channel_map(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items))


def _window_map(
    value: Mapping[str, ContactWindow | None] | Iterable[tuple[str, ContactWindow | None]],
) -> tuple[tuple[str, ContactWindow | None], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items, key=lambda kv: kv[0]))


def _optional_positive(
    _: object, attribute: attrs.Attribute[_dt.timedelta | None], value: _dt.timedelta | None
) -> None:
    if value is not None and duration_micros(value, name=attribute.name) <= 0:
        raise IncidentError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True)
class Broadcast:
    """How one update on the parent reaches every linked customer.

    Attributes:
        name: part of every delivery's idempotency key.
        channels: the channel a ticket came in on -> the channel its updates go out on
            (a caller is sent an SMS, not called back for each update); unlisted
            channels are kept as they are.
        default_channel: for tickets that do not say how they came in.
        windows: delivery channel -> the contact window of that channel (``None``: any
            hour); unlisted channels use ``default_window``.
        default_window: when customers may be contacted, in their own time zone.
        default_timezone: the customer's zone when the ticket does not say.
        merge: an update still waiting for the customer's hours when a newer one is
            posted is not sent: the newer one stands for it (nobody wakes up to six
            stale messages). ``False`` sends every update.
        update_every: the periodic-update promise, per customer: no customer goes
            longer than this without being told something, counted in their contact
            window (a customer asleep is not waiting); ``None`` for no promise.
    """

    name: str = "broadcast"
    channels: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_channel_map)
    default_channel: str = "email"
    windows: tuple[tuple[str, ContactWindow | None], ...] = attrs.field(
        default=(), converter=_window_map
    )
    default_window: ContactWindow | None = attrs.field(factory=ContactWindow)
    default_timezone: str = "UTC"
    merge: bool = True
    update_every: _dt.timedelta | None = attrs.field(default=None, validator=_optional_positive)
    # Contact windows as calendars, per zone: built once (their year tables are costly),
    # never compared.
    _calendars: dict[tuple[str, ContactWindow], BusinessCalendar] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        get_timezone(self.default_timezone, name="default_timezone")

    def waking_calendar(self, window: ContactWindow, zone: str) -> BusinessCalendar:
        """``window`` in ``zone`` as a calendar: the hours in which a customer is waiting
        for news (the update promise is counted in them)."""
        key = (zone, window)
        found = self._calendars.get(key)
        if found is None:
            hours = {day: [(window.start, window.end)] for day in window.weekdays}
            found = self._calendars[key] = BusinessCalendar(zone, hours)
        return found

    def channel_for(self, opened: TicketOpened) -> str:
        """The channel the customer of this ticket is sent updates on."""
        came_in = opened.channel or self.default_channel
        return dict(self.channels).get(came_in, came_in)

    def window_for(self, channel: str) -> ContactWindow | None:
        """The contact window of ``channel``."""
        windows = dict(self.windows)
        return windows.get(channel, self.default_window)


@attrs.frozen
class Delivery:
    """One update due to one customer: send ``update_id`` to ``child_id`` on ``channel``,
    then record ``UpdateDelivered`` on the child. ``key`` is unique per child and update."""

    child_id: str
    update_id: str
    text: str
    channel: str
    at: pendulum.DateTime
    key: str


@attrs.frozen
class UpdatePromise:
    """The periodic-update promise of one linked customer: told last at ``last_told_at``
    (or linked then), next due by ``due_by``."""

    child_id: str
    last_told_at: pendulum.DateTime
    due_by: pendulum.DateTime
    overdue: bool


@attrs.frozen
class ProactiveFigures:
    """Were customers told before they had to report?

    Attributes:
        affected: customers ever linked to the incident.
        unknown: those whose ticket does not say how the failure was detected.
        told_first: customers told (an update delivered, a public reply, a follow-up)
            before they reported; a customer whose ticket the team opened and who never
            wrote counts as told first once told.
        share_told_first: ``told_first`` over the affected customers whose detection is
            known (``None`` when none is).
        lead_times: for customers told first who reported later, how long before.
        detection_lead: when the parent was not detected by a customer, how long before
            the first customer report it was opened.
    """

    affected: int
    unknown: int
    told_first: int
    share_told_first: float | None
    lead_times: tuple[pendulum.Duration, ...]
    detection_lead: pendulum.Duration | None

    @property
    def median_lead_time(self) -> pendulum.Duration | None:
        """The median of ``lead_times`` (``None`` when there are none)."""
        if not self.lead_times:
            return None
        micros = statistics.median_low([duration_micros(t) for t in self.lead_times])
        return duration_from_micros(micros)


@attrs.frozen
class IncidentReport:
    """Everything an incident protocol says about one parent and its customers at ``now``.

    Attributes:
        incident_id: the parent's id.
        now: the instant described.
        status: the parent's status.
        linked: customers linked now.
        children_by_status: how many linked customers are in each status.
        updates_posted: updates posted on the parent so far.
        deliveries: the updates due now, one per customer and update.
        waiting: deliveries held until a customer's contact window opens.
        delivered: deliveries recorded so far.
        superseded: updates not sent because a newer one stands for them.
        suppressed: updates not sent because the customer opted out of that channel.
        promises: the periodic-update promise of each linked customer not yet solved.
        proactive: who was told before they reported.
        corrective: the post-incident review and the corrective actions.
        surveys: the satisfaction surveys due to the customers (``None``: no survey).
        actions: everything due now (``broadcast_update``, ``update_overdue``,
            ``corrective_overdue``, ``corrective_escalated``, ``survey``,
            ``survey_reopen``), sorted, each with a key.
        next_wakeup: the next instant any of it changes with no new event.
    """

    incident_id: str
    now: pendulum.DateTime
    status: str
    linked: int
    children_by_status: tuple[tuple[str, int], ...]
    updates_posted: int
    deliveries: tuple[Delivery, ...]
    waiting: int
    delivered: int
    superseded: int
    suppressed: int
    promises: tuple[UpdatePromise, ...]
    proactive: ProactiveFigures
    corrective: tuple[CorrectiveStatus, ...]
    surveys: SurveyPlan | None
    actions: tuple[DueAction, ...]
    next_wakeup: pendulum.DateTime | None

    @property
    def overdue(self) -> int:
        """Linked customers whose periodic-update promise is broken now."""
        return sum(p.overdue for p in self.promises)


def _promised_by(
    broadcast: Broadcast,
    every: _dt.timedelta,
    last: int,
    window: ContactWindow | None,
    zone: str,
) -> int:
    """When a customer told at ``last`` must be told again: ``every`` later, counted in the
    hours they may be contacted (a customer asleep is not waiting)."""
    if window is None:
        return last + duration_micros(every)
    return broadcast.waking_calendar(window, zone).add_micros(last, duration_micros(every))


class _Tally:
    __slots__ = (
        "affected",
        "delivered",
        "deliveries",
        "first_report",
        "lead",
        "posted",
        "promises",
        "superseded",
        "suppressed",
        "told_first",
        "unknown",
        "upcoming",
        "waiting",
        "zones",
    )

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.promises: list[UpdatePromise] = []
        self.upcoming: list[int] = []
        self.lead: list[int] = []
        self.waiting = self.delivered = self.superseded = self.suppressed = 0
        self.affected = self.unknown = self.told_first = 0
        self.first_report: int | None = None
        self.posted: set[str] = set()
        self.zones: dict[str, Timezone] = {}

    def zone(self, name: str) -> Timezone:
        found = self.zones.get(name)
        if found is None:
            found = self.zones[name] = get_timezone(name)
        return found


@attrs.frozen(kw_only=True)
class IncidentProtocol:
    """A protocol for one failure with many affected customers.

    Attributes:
        name: the protocol's name.
        protocol: the service protocol of the parent (its clocks, chains, follow-ups).
        child_protocol: the service protocol each customer's ticket keeps its own clocks
            under (``None``: the parent's). Chains usually belong to the parent only: one
            failure pages the war room once, not once per customer.
        links: how children follow the parent.
        broadcast: how updates reach the customers, and the per-customer update promise.
        corrective: the post-incident review and corrective actions (``None``: not tracked).
        survey: the satisfaction survey the customers get after the solve (``None``: none).
        description: what it is for, in a sentence.
    """

    name: str
    protocol: ServiceProtocol
    child_protocol: ServiceProtocol | None = None
    links: LinkPolicy = attrs.field(factory=LinkPolicy)
    broadcast: Broadcast = attrs.field(factory=Broadcast)
    corrective: CorrectivePolicy | None = None
    survey: SurveySchedule | None = None
    description: str = ""

    @property
    def for_children(self) -> ServiceProtocol:
        """The service protocol of the customers' tickets."""
        return self.child_protocol or self.protocol

    def incident(self, parent: Ticket, children: Iterable[Ticket] = ()) -> Incident:
        """An :class:`Incident` of ``parent`` following this protocol's link policy."""
        return Incident(parent, self.links, children)

    def render_delivery(
        self,
        delivery: Delivery,
        child: Ticket,
        now: _dt.datetime,
        locale: str = "en",
        *,
        text: str | None = None,
    ) -> Message:
        """The message that carries ``delivery`` to the customer of ``child``, written at
        ``now`` in ``locale`` (pure).

        The child protocol's ``broadcast_update`` template, with what the update says
        (``update``: ``text``, the update in the reader's language when the team wrote
        one, else the text it was posted with) and, while the customer's ticket is not
        solved and the broadcast promises updates, when the next one is due
        (``next_contact_at``: ``update_every`` after ``now``, counted in the customer's
        contact window), in the customer's zone.

        Raises:
            MissingTemplateError: the child protocol has no ``broadcast_update`` template
                in the locale's fallback chain.

        Examples:
            >>> import pendulum
            >>> from servicekit import Ticket, incident_lifecycle
            >>> from servicekit.protocols import crisis_incident_protocol
            >>> crisis = crisis_incident_protocol("Europe/Madrid")
            >>> t0 = pendulum.datetime(2025, 6, 6, 12, tz="Europe/Madrid")
            >>> incident = crisis.incident(
            ...     Ticket.open(incident_lifecycle(), ticket_id="INC-1", at=t0, priority="P1")
            ... )
            >>> child = Ticket.open(
            ...     incident_lifecycle(), ticket_id="C-1", at=t0, priority="P3", channel="email"
            ... )
            >>> _ = incident.link(child, at=t0)
            >>> _ = incident.post_update("u1", at=t0, text="Payments are back.")
            >>> report = crisis.evaluate(incident.parent, [child], t0)
            >>> message = crisis.render_delivery(report.deliveries[0], child, t0, "en")
            >>> "Payments are back." in message.body
            True
        """
        protocol = self.for_children
        action = DueAction(
            "broadcast_update", delivery.at, self.broadcast.name, delivery.channel, delivery.key
        )
        context = message_context(protocol, action, child, now)
        next_contact = context.next_contact_at
        every = self.broadcast.update_every
        if every is not None and child.lifecycle.category(context.status) not in _ENDED:
            window = self.broadcast.window_for(delivery.channel)
            zone = child.opened.customer_timezone or self.broadcast.default_timezone
            due = _promised_by(self.broadcast, every, to_micros(now, name="now"), window, zone)
            next_contact = from_micros(due, get_timezone(zone))
        context = attrs.evolve(
            context,
            update=(delivery.text if text is None else text) or None,
            channel=delivery.channel,
            next_contact_at=next_contact,
        )
        return protocol.templates.render(
            "broadcast_update", context, locale, channel=delivery.channel
        )

    def evaluate(
        self, parent: Ticket, children: Iterable[Ticket], now: _dt.datetime
    ) -> IncidentReport:
        """Where the incident and its customers stand at ``now``, what is due, and when to
        ask again. ``children`` are the tickets ever linked (others are ignored); events
        after ``now`` are ignored.

        Raises:
            IncidentError: two updates share an id, or two corrective actions do.
        """
        children = tuple(children)
        now_us = to_micros(now, name="now")
        events = timeline(parent, now_us)
        updates: list[tuple[int, UpdatePosted]] = []
        seen: set[str] = set()
        for at, event in events:
            if isinstance(event, UpdatePosted):
                if event.update_id in seen:
                    raise IncidentError(
                        f"update {event.update_id!r} is posted twice on {parent.id!r}"
                    )
                seen.add(event.update_id)
                updates.append((at, event))
        status = parent.lifecycle.initial
        for _, event in events:
            status = getattr(event, "to_status", status)
        tally = _Tally()
        tally.posted = seen
        statuses: Counter[str] = Counter()
        for child in children:
            self._child(parent.id, child, updates, now_us, tally, statuses)
        proactive = self._proactive(parent, tally, now_us)
        corrective: tuple[CorrectiveStatus, ...] = ()
        actions = [
            DueAction("broadcast_update", d.at, self.broadcast.name, d.channel, d.key)
            for d in tally.deliveries
        ]
        overdue = [p for p in tally.promises if p.overdue]
        if overdue:
            first = min(overdue, key=lambda p: to_micros(p.due_by))
            actions.append(
                DueAction(
                    "update_overdue",
                    first.due_by,
                    self.broadcast.name,
                    f"{len(overdue)} customers",
                    f"{parent.id}:{self.broadcast.name}:overdue:{first.due_by.isoformat()}",
                )
            )
        if self.corrective is not None:
            corrective = corrective_statuses(self.corrective, parent, now)
            actions.extend(corrective_actions(self.corrective, parent.id, corrective))
            change = next_corrective_change(corrective, now_us)
            if change is not None:
                tally.upcoming.append(change)
        surveys = None
        if self.survey is not None:
            surveys = plan_surveys(self.survey, children, now)
            actions.extend(survey_actions(self.survey, surveys))
            if surveys.next_at is not None:
                tally.upcoming.append(to_micros(surveys.next_at))
        actions.sort(key=lambda a: (to_micros(a.at), a.key))
        zone = get_timezone(parent.opened.at.tz)
        return IncidentReport(
            incident_id=parent.id,
            now=pendulum.instance(now),
            status=status,
            linked=sum(statuses.values()),
            children_by_status=tuple(sorted(statuses.items())),
            updates_posted=len(updates),
            deliveries=tuple(sorted(tally.deliveries, key=lambda d: (to_micros(d.at), d.key))),
            waiting=tally.waiting,
            delivered=tally.delivered,
            superseded=tally.superseded,
            suppressed=tally.suppressed,
            promises=tuple(tally.promises),
            proactive=proactive,
            corrective=corrective,
            surveys=surveys,
            actions=tuple(actions),
            next_wakeup=from_micros(min(tally.upcoming), zone) if tally.upcoming else None,
        )

    # -- one customer ---------------------------------------------------------------------------

    def _child(
        self,
        parent_id: str,
        child: Ticket,
        updates: list[tuple[int, UpdatePosted]],
        now_us: int,
        tally: _Tally,
        statuses: Counter[str],
    ) -> None:
        # One pass over the child's history (recorded in order): its links to this parent,
        # what it was told, whether it opted out or wrote in, and its status at now. Instants
        # are converted only where needed: this runs for every customer at every wakeup.
        spans: list[tuple[int, int | None]] = []
        linked_at: int | None = None
        delivered: set[str] = set()
        first_told: Event | None = None
        last_told: Event | None = None
        opted_out: int | None = None
        wrote: int | None = None
        status = child.lifecycle.initial
        broadcast = self.broadcast
        opened = child.opened
        channel = broadcast.channel_for(opened)
        events: Iterable[Event] = child
        if to_micros(child.last_event_at) > now_us:
            events = child.as_of(from_micros(now_us, tally.zone("UTC")))
        for event in events:
            kind = type(event)
            if kind is StatusChanged:
                status = event.to_status  # type: ignore[attr-defined]
            elif (
                kind is UpdateDelivered
                or kind is FollowUpSent
                or (isinstance(event, AgentReplied) and event.public)
            ):
                if kind is UpdateDelivered:
                    if event.parent_id != parent_id:  # type: ignore[attr-defined]
                        continue
                    delivered.add(event.update_id)  # type: ignore[attr-defined]
                first_told = first_told or event
                last_told = event
            elif kind is TicketLinked:
                if event.parent_id == parent_id:  # type: ignore[attr-defined]
                    linked_at = to_micros(event.at)
            elif kind is TicketUnlinked:
                if event.parent_id == parent_id and linked_at is not None:  # type: ignore[attr-defined]
                    spans.append((linked_at, to_micros(event.at)))
                    linked_at = None
            elif kind is OptedOut:
                if opted_out is None and event.channel in (None, channel):  # type: ignore[attr-defined]
                    opted_out = to_micros(event.at)
            elif kind is CustomerReplied and wrote is None:
                wrote = to_micros(event.at)
        told = (
            (to_micros(first_told.at), to_micros(last_told.at))
            if first_told is not None and last_told is not None
            else None
        )
        if linked_at is not None:
            spans.append((linked_at, None))
        if not spans:
            return
        window = broadcast.window_for(channel)
        zone = opened.customer_timezone or broadcast.default_timezone
        tally.delivered += len(delivered & tally.posted)
        # Which updates this customer is due, and from when: those posted while linked,
        # and, on each link, the latest one posted before it (a late customer is told at once).
        due: dict[str, tuple[int, int, UpdatePosted]] = {}
        for start, end in spans:
            latest_before: tuple[int, UpdatePosted] | None = None
            for posted, update in updates:
                if posted < start:
                    latest_before = (posted, update)
                    continue
                if end is not None and posted >= end:
                    break
                if latest_before is not None:
                    self._candidate(due, delivered, latest_before, start, end, window, zone)
                    latest_before = None
                self._candidate(due, delivered, (posted, update), start, end, window, zone)
            if latest_before is not None:
                self._candidate(due, delivered, latest_before, start, end, window, zone)
        if due:
            self._deliveries(
                child.id, due, delivered, opted_out, channel, window, zone, now_us, tally
            )
        linked_now = spans[-1][1] is None
        if linked_now:
            statuses[status] += 1
        category = child.lifecycle.category(status)
        if broadcast.update_every is not None and linked_now and category not in _ENDED:
            self._promise(child.id, spans[-1][0], told, window, zone, now_us, tally)
        self._detection(opened, told, wrote, tally)

    @staticmethod
    def _candidate(
        due: dict[str, tuple[int, int, UpdatePosted]],
        delivered: set[str],
        item: tuple[int, UpdatePosted],
        start: int,
        end: int | None,
        window: ContactWindow | None,
        zone: str,
    ) -> None:
        posted, update = item
        if update.update_id in due:
            return
        base = max(posted, start)
        if update.update_id in delivered:
            due[update.update_id] = (posted, base, update)  # told already: the instant is moot
            return
        at = base if window is None else window.allowed_at(base, zone)
        if end is not None and at >= end:
            return  # unlinked before the customer could be told
        due[update.update_id] = (posted, at, update)

    def _deliveries(
        self,
        child_id: str,
        due: dict[str, tuple[int, int, UpdatePosted]],
        delivered: set[str],
        opted_out: int | None,
        channel: str,
        window: ContactWindow | None,
        zone: str,
        now_us: int,
        tally: _Tally,
    ) -> None:
        broadcast = self.broadcast
        ordered = sorted(due.values(), key=lambda item: item[0])
        for index, (_posted, at, update) in enumerate(ordered):
            if update.update_id in delivered:
                continue
            later = ordered[index + 1] if index + 1 < len(ordered) else None
            if broadcast.merge and later is not None and later[0] <= at:
                tally.superseded += 1
                continue
            if opted_out is not None and opted_out <= at:
                tally.suppressed += 1
                continue
            if at <= now_us and window is not None and not window.is_open(now_us, zone):
                # Due while the window was open, but asked about after it closed: a late
                # scheduler must not send it now; it waits for the next opening.
                at = window.allowed_at(now_us, zone)
            if at > now_us:
                tally.waiting += 1
                tally.upcoming.append(at)
                continue
            tally.deliveries.append(
                Delivery(
                    child_id,
                    update.update_id,
                    update.text,
                    channel,
                    from_micros(at, tally.zone(zone)),
                    f"{child_id}:{broadcast.name}:{update.update_id}",
                )
            )

    def _promise(
        self,
        child_id: str,
        linked_at: int,
        told: tuple[int, int] | None,
        window: ContactWindow | None,
        zone: str,
        now_us: int,
        tally: _Tally,
    ) -> None:
        assert self.broadcast.update_every is not None
        last = linked_at if told is None else max(linked_at, told[1])
        due_by = _promised_by(self.broadcast, self.broadcast.update_every, last, window, zone)
        tz = tally.zone(zone)
        tally.promises.append(
            UpdatePromise(child_id, from_micros(last, tz), from_micros(due_by, tz), now_us > due_by)
        )
        if due_by >= now_us:
            # The promise breaks the first microsecond past due_by.
            tally.upcoming.append(due_by + 1)

    @staticmethod
    def _detection(
        opened: TicketOpened, told: tuple[int, int] | None, wrote: int | None, tally: _Tally
    ) -> None:
        tally.affected += 1
        if opened.detected_by is None:
            tally.unknown += 1
            return
        reported = to_micros(opened.at) if opened.detected_by == _CUSTOMER else wrote
        if reported is not None and (tally.first_report is None or reported < tally.first_report):
            tally.first_report = reported
        first_told = None if told is None else told[0]
        if first_told is None or (reported is not None and reported <= first_told):
            return
        tally.told_first += 1
        if reported is not None:
            tally.lead.append(reported - first_told)

    @staticmethod
    def _proactive(parent: Ticket, tally: _Tally, now_us: int) -> ProactiveFigures:
        known = tally.affected - tally.unknown
        opened = parent.opened
        detection_lead = None
        if (
            opened.detected_by not in (None, _CUSTOMER)
            and tally.first_report is not None
            and tally.first_report > to_micros(opened.at)
        ):
            detection_lead = duration_from_micros(tally.first_report - to_micros(opened.at))
        return ProactiveFigures(
            affected=tally.affected,
            unknown=tally.unknown,
            told_first=tally.told_first,
            share_told_first=tally.told_first / known if known else None,
            lead_times=tuple(duration_from_micros(m) for m in sorted(tally.lead)),
            detection_lead=detection_lead,
        )
