"""Strategies for SLA policies, escalation chains and whole service protocols."""

from __future__ import annotations

import datetime as _dt

from hypothesis import strategies as st

from servicekit._calendars import BusinessCalendar
from servicekit.escalation import AfterBreach, AtSlaFraction, Delay, EscalationChain, Step, Target
from servicekit.protocols import ServiceProtocol
from servicekit.sla import ANY_PRIORITY, On, SlaPolicy, SlaTarget
from servicekit.testing._calendars import business_calendars
from servicekit.testing._followup import follow_up_schedules
from servicekit.testing._lifecycles import ready_made_lifecycles

__all__ = ["escalation_chains", "service_protocols", "sla_policies"]

_PRIORITIES = ("P1", "P2", "P3")
_METRICS = ("first_response", "next_response", "periodic_update", "resolution")
# Minutes, biased towards round targets teams actually write (1 h, 4 h, 8 h, 3 days).
_TARGET_MINUTES = st.one_of(
    st.sampled_from([15, 30, 60, 120, 240, 480, 1440, 4320]), st.integers(1, 5 * 24 * 60)
)


def _calendars(
    calendar: BusinessCalendar | st.SearchStrategy[BusinessCalendar] | None,
) -> st.SearchStrategy[BusinessCalendar]:
    if calendar is None:
        return st.one_of(st.just(BusinessCalendar.always_open("UTC")), business_calendars())
    if isinstance(calendar, BusinessCalendar):
        return st.just(calendar)
    return calendar


@st.composite
def sla_policies(
    draw: st.DrawFn,
    calendar: BusinessCalendar | st.SearchStrategy[BusinessCalendar] | None = None,
) -> SlaPolicy:
    """SLA policies over the built-in metrics: one to four metrics, each with a target for
    ``ANY_PRIORITY`` and sometimes tighter ones for P1 and P2, in ``calendar`` (a calendar, a
    strategy of them, or by default random business calendars and round-the-clock time),
    with random warning fractions and priority-change and reopen rules.

    Examples:
        ``@given(sla_policies(calendar=my_desk), tickets(helpdesk_lifecycle()))``
    """
    calendars = _calendars(calendar)
    targets = []
    for metric in draw(st.lists(st.sampled_from(_METRICS), min_size=1, max_size=4, unique=True)):
        cal = draw(calendars)
        base = draw(_TARGET_MINUTES)
        warn_at = tuple(sorted(draw(st.sets(st.sampled_from([0.5, 0.75, 0.8, 0.9]), max_size=3))))
        targets.append(
            SlaTarget(
                metric=metric,
                priority=ANY_PRIORITY,
                target=_dt.timedelta(minutes=base),
                calendar=cal,
                warn_at=warn_at,
            )
        )
        for priority in draw(st.lists(st.sampled_from(_PRIORITIES[:2]), max_size=2, unique=True)):
            tighter = _dt.timedelta(minutes=max(1, base // draw(st.sampled_from([2, 4, 8]))))
            targets.append(
                SlaTarget(
                    metric=metric, priority=priority, target=tighter, calendar=cal, warn_at=warn_at
                )
            )
    return SlaPolicy(
        f"policy-{draw(st.integers(1, 999))}",
        targets,
        on_priority_change=draw(st.sampled_from(["retarget", "restart"])),
        on_reopen=draw(st.sampled_from(["resume", "new_cycle"])),
    )


@st.composite
def escalation_chains(
    draw: st.DrawFn,
    metrics: tuple[str, ...] = (),
    calendar: BusinessCalendar | st.SearchStrategy[BusinessCalendar] | None = None,
) -> EscalationChain:
    """Escalation chains of one to four steps, functional (tiers L1, L2, ...) or hierarchical
    (lead, manager, director), started when a ticket opens or is escalated. Each step waits
    an elapsed or business-time delay; given the SLA ``metrics`` a protocol measures, steps
    also wait for a fraction of a target or a time after its breach.
    """
    kind = draw(st.sampled_from(["functional", "hierarchical"]))
    names = ("L1", "L2", "L3", "L4") if kind == "functional" else ("lead", "manager", "director")
    calendars = _calendars(calendar)
    steps = []
    for name in names[: draw(st.integers(1, len(names)))]:
        waits: list[st.SearchStrategy[Delay | AtSlaFraction | AfterBreach]] = [
            st.builds(
                Delay,
                st.integers(0, 2 * 24 * 60).map(lambda m: _dt.timedelta(minutes=m)),
                st.one_of(st.none(), calendars),
            )
        ]
        if metrics:
            waits.append(
                st.builds(AtSlaFraction, st.sampled_from(metrics), st.sampled_from([0.5, 0.9, 1.0]))
            )
            waits.append(
                st.builds(
                    AfterBreach,
                    st.sampled_from(metrics),
                    st.integers(0, 8 * 60).map(lambda m: _dt.timedelta(minutes=m)),
                )
            )
        target = Target("tier" if kind == "functional" else "role", name)
        steps.append(Step(targets=[target], wait=draw(st.one_of(*waits))))
    triggers = draw(st.sampled_from([[On("ticket_opened")], [On("escalated")]]))
    return EscalationChain(
        name=f"{kind}-{draw(st.integers(1, 999))}", kind=kind, steps=steps, triggers=triggers
    )


@st.composite
def service_protocols(
    draw: st.DrawFn,
    calendar: BusinessCalendar | st.SearchStrategy[BusinessCalendar] | None = None,
) -> ServiceProtocol:
    """Whole protocols: a ready-made lifecycle, an SLA policy (or none), zero to two
    escalation chains on its metrics and zero to two follow-up schedules, all in
    ``calendar`` when given. Open tickets with ``protocol.open(...)`` or draw them with
    :func:`tickets` over ``protocol.lifecycle``.
    """
    sla = draw(st.one_of(st.none(), sla_policies(calendar)))
    metrics = tuple(sorted({m.name for m in sla.metrics})) if sla is not None else ()
    chains = draw(st.lists(escalation_chains(metrics, calendar), max_size=2))
    unique_chains = list({chain.name: chain for chain in chains}.values())
    schedules = draw(st.lists(follow_up_schedules(), max_size=2))
    unique_schedules = list({s.name: s for s in schedules}.values())
    return ServiceProtocol(
        name=f"protocol-{draw(st.integers(1, 999))}",
        lifecycle=draw(ready_made_lifecycles()),
        sla=sla,
        escalations=unique_chains,
        follow_ups=unique_schedules,
    )
