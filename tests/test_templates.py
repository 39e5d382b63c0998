"""Message templates: sandboxed, checked at load time, rendered in the customer's zone and
language for every due action the ready-made protocols produce."""

from __future__ import annotations

import datetime as dt
import pickle

import pendulum
import pytest
from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import (
    AgentReplied,
    Assigned,
    BusinessCalendar,
    PromiseMade,
    Ticket,
    TicketLinked,
    TicketOpened,
    TicketUnlinked,
)
from servicekit._i18n import babel_locale, format_duration, format_instant, locale_chain
from servicekit.datasets import BPIC2013_ZONE, bpic2013_sample_path, bpic2013_tickets
from servicekit.errors import (
    InvalidLocaleError,
    InvalidTemplateError,
    MissingTemplateError,
    TemplateOutputError,
    UnsafeTemplateError,
)
from servicekit.protocols import (
    DueAction,
    MessageContext,
    MessageTemplate,
    ServiceProtocol,
    TemplateSet,
    crisis_incident_protocol,
    crisis_protocol,
    daily_requests_protocol,
    message_context,
    missing_templates,
    proactive_protocol,
    reactive_protocol,
    ready_made_templates,
    render_message,
    render_messages,
    template_uses,
)
from servicekit.testing import business_calendars, tickets

H = dt.timedelta(hours=1)
BOGOTA = "America/Bogota"
DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
T0 = pendulum.datetime(2026, 3, 3, 9, tz="Europe/Madrid")
READY = ready_made_templates()


def _context(**overrides: object) -> MessageContext:
    values: dict[str, object] = {
        "ticket_id": "T-1",
        "priority": "P1",
        "status": "open",
        "action": "follow_up",
        "due_at": T0,
        "now": T0,
    }
    values.update(overrides)
    return MessageContext(**values)  # type: ignore[arg-type]


FULL = _context(
    customer_name="Ana",
    customer_zone=BOGOTA,
    channel="email",
    protocol="reactive",
    first_response_due=T0 + H,
    next_response_due=T0 + 2 * H,
    periodic_update_due=T0 + 3 * H,
    resolution_due=T0 + 8 * H,
    first_response_target=H,
    next_response_target=2 * H,
    periodic_update_target=3 * H,
    resolution_target=8 * H,
    promise="call back with the fix",
    promise_due=T0 + 4 * H,
    agent="Rolf",
    group="service desk",
    tier="L1",
    notified="team-lead",
    new_owner="L2",
    attempt=2,
    attempts_left=1,
    next_contact_at=T0 + 5 * H,
    terminal_action="solve",
    parent_incident="INC-9",
)


# --- the ready-made messages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "template", READY.templates, ids=lambda t: f"{t.name}-{t.language}-{t.channel}"
)
@pytest.mark.parametrize("context", [FULL, _context()], ids=["full", "bare"])
def test_every_ready_made_template_renders_with_full_and_bare_contexts(
    template: MessageTemplate, context: MessageContext
) -> None:
    locale = "es-CO" if template.language == "es" else "en"
    message = READY.render(template.name, context, locale, channel=template.channel)
    assert message.language == template.language
    assert message.body.strip()
    assert "None" not in message.body + message.subject
    assert "{{" not in message.body
    if template.channel is None:
        assert message.subject.strip()
        assert "T-1" in message.subject


def test_times_read_in_the_customers_zone_and_language() -> None:
    message = READY.render("follow_up", FULL, "es-CO")
    # 14:00 in Madrid is 08:00 in Bogotá; Colombian Spanish writes "a. m.".
    assert "martes, 3 de marzo de 2026, 8:00\u202fa.\u202fm. (hora de Bogotá)" in message.body
    assert message.subject == "Novedades de su solicitud T-1"
    assert message.body.startswith("Hola, Ana:")
    english = READY.render("follow_up", FULL, "en")
    assert "Tuesday, March 3, 2026, 8:00\u202fAM (Bogota Time)" in english.body
    assert "we will mark the request as solve" in english.body


def test_a_follow_up_says_when_the_next_one_comes_and_a_handover_who_owns_it() -> None:
    follow_up = READY.render("follow_up", FULL, "en")
    assert "Our next update will reach you by" in follow_up.body
    last = READY.render("follow_up", _context(attempts_left=0), "en")
    assert "This is our last reminder" in last.body
    handover = READY.render("handover", FULL, "es")
    assert "nuestro equipo L2, que a partir de ahora es el responsable" in handover.body


def test_locale_falls_back_along_the_declared_chain() -> None:
    assert locale_chain("es-CO") == ("es-CO", "es", "en")
    assert locale_chain("pt_br", ["es", "en"]) == ("pt-BR", "pt", "es", "en")
    assert READY.render("survey", FULL, "es-CO").language == "es"
    french = READY.render("survey", FULL, "fr-FR")
    assert french.language == "en"
    assert "Hello Ana" in french.body
    spanish_only = TemplateSet(
        templates=[MessageTemplate(name="x", language="es", body="{{ resolution_due }}")],
        fallback=["es"],
    )
    assert spanish_only.render("x", FULL, "de").body.startswith("martes")
    with pytest.raises(InvalidLocaleError, match="not a language tag"):
        READY.render("survey", FULL, "español!")


def test_a_channel_template_wins_over_the_general_one() -> None:
    sms = READY.render("follow_up", FULL, "en", channel="sms")
    assert sms.subject == ""
    assert sms.body.startswith("T-1 is open. Next update by")
    assert READY.render("follow_up", FULL, "en", channel="fax").subject  # the general one


def test_missing_templates_are_named_with_the_chain() -> None:
    with pytest.raises(MissingTemplateError, match=r"'nope' for any channel in es-CO -> es -> en"):
        READY.render("nope", FULL, "es-CO")
    only_en = TemplateSet(templates=[MessageTemplate(name="x", language="en", body="x")])
    assert only_en.missing(["x"], [None], ["es", "en"]) == (("x", None, "es"),)


def test_durations_and_instants_read_as_people_say_them() -> None:
    es, en = babel_locale(["es"]), babel_locale(["en"])
    assert format_duration(40 * H, es) == "40 horas"
    assert format_duration(dt.timedelta(minutes=90), en) == "1 hour and 30 minutes"
    assert format_duration(96 * H, en, days=True) == "4 days"
    assert format_duration(dt.timedelta(0), en) == "0 minutes"
    at = pendulum.datetime(2026, 3, 3, 15, tz="UTC")
    assert format_instant(at, "UTC", en, style="time") == "3:00\u202fPM (UTC)"
    assert format_instant(at, BOGOTA, es, style="date") == "martes, 3 de marzo de 2026"
    with pytest.raises(InvalidLocaleError, match="no locale of"):
        babel_locale(["xx"])


def test_filters_choose_the_form() -> None:
    body = "{{ resolution_due | date }} | {{ resolution_due | time }} | {{ resolution_target | duration }} | {{ ticket_id | upper }}"  # noqa: E501
    s = TemplateSet(templates=[MessageTemplate(name="x", language="en", body=body)])
    assert s.render("x", FULL, "en").body == (
        "Tuesday, March 3, 2026 | 11:00\u202fAM (Bogota Time) | 8 hours | T-1\n"
    )
    assert s.render("x", _context(), "en").body == "|  |  | T-1\n"  # the body is stripped


# --- the sandbox ---------------------------------------------------------------------------

HOSTILE = [
    ("{{ ticket_id.__class__ }}", UnsafeTemplateError, "attribute access"),
    ("{{ ticket_id.__class__.__mro__[1].__subclasses__() }}", UnsafeTemplateError, "not allowed"),
    ("{{ ticket_id['__class__'] }}", UnsafeTemplateError, "item access"),
    ("{{ ticket_id|attr('__class__') }}", InvalidTemplateError, "No filter named 'attr'"),
    ("{% for i in [1, 2] %}{% endfor %}", UnsafeTemplateError, "a loop"),
    ("{{ range(10**9) }}", UnsafeTemplateError, "calling"),
    (
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        UnsafeTemplateError,
        "(macro|calling)",
    ),
    ("{{ 'x' * 10**9 }}", UnsafeTemplateError, "arithmetic"),
    ("{% set a = ticket_id ~ ticket_id %}{{ a }}", UnsafeTemplateError, "assignment"),
    ("{% include 'secrets.txt' %}", UnsafeTemplateError, "including"),
    ("{% extends 'base' %}", UnsafeTemplateError, "inheritance"),
    ("{% import 'm' as m %}", UnsafeTemplateError, "importing"),
    ("{{ cycler }}", InvalidTemplateError, "unknown names"),
    ("{{ self }}", InvalidTemplateError, "unknown names"),
    ("{{ ticket }}", InvalidTemplateError, r"unknown names \['ticket'\]"),
    ("{{ ticket_id | wordwrap(1000000000) }}", InvalidTemplateError, "No filter named .wordwrap."),
    ("{{ ticket_id is divisibleby 3 }}", InvalidTemplateError, "No test named"),
    ("{% if ticket_id %}", InvalidTemplateError, "line 1"),
    ("x" * 20_001, InvalidTemplateError, "limit is 20000"),
]


@pytest.mark.parametrize(("source", "error", "match"), HOSTILE)
def test_hostile_templates_are_refused_at_load_time(
    source: str, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        MessageTemplate(name="evil", language="en", body=source)
    with pytest.raises(error):
        MessageTemplate(name="evil", language="en", body="ok", subject=source)


def test_output_is_bounded_in_size() -> None:
    many = "{{ customer_name }}" * 1000
    s = TemplateSet(templates=[MessageTemplate(name="x", language="en", body=many)])
    assert len(s.render("x", _context(customer_name="ab"), "en").body) == 2001
    with pytest.raises(TemplateOutputError, match="longer than 50000"):
        s.render("x", _context(customer_name="a" * 100), "en")
    subject = TemplateSet(
        templates=[MessageTemplate(name="x", language="en", subject=many, body="")]
    )
    with pytest.raises(TemplateOutputError, match="longer than 300"):
        subject.render("x", _context(customer_name="a"), "en")


def test_template_sets_are_checked_and_pickle() -> None:
    t = MessageTemplate(name="x", language="EN_gb", body="hi")
    assert t.language == "en-GB"
    with pytest.raises(InvalidTemplateError, match="defined twice"):
        TemplateSet(templates=[t, t])
    with pytest.raises(InvalidTemplateError, match="audience"):
        MessageTemplate(name="x", language="en", body="", audience="everyone")  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(READY)) == READY
    protocol = reactive_protocol(DESK)
    assert pickle.loads(pickle.dumps(protocol)) == protocol


# --- due actions carry their template ------------------------------------------------------


def test_due_actions_name_their_template() -> None:
    plain = DueAction("notify", T0, "chain", "role:x", "k")
    assert plain.template == "notify"
    assert DueAction("notify", T0, "c", "d", "k", template="mine").template == "mine"
    protocol = proactive_protocol(DESK)
    ticket = protocol.open(ticket_id="T-1", at=T0, priority="P1", customer_timezone=BOGOTA)
    report = protocol.evaluate(ticket, T0 + 30 * H)
    templates = [(a.kind, a.template) for a in report.actions]
    assert ("follow_up", "first_response") in templates
    assert ("notify", "handover") in templates
    assert ("notify", "notify") in templates


def test_a_rendered_action_tells_what_the_protocol_knows() -> None:
    protocol = daily_requests_protocol(DESK)
    ticket = protocol.open(
        ticket_id="R-7",
        at=T0,
        priority="P2",
        customer_timezone=BOGOTA,
        attributes={"customer_name": "Ana"},
    )
    ticket.fire("approve", at=T0 + H, role="approver")
    ticket.record(Assigned(at=T0 + H, agent="Rolf", tier="L1"))
    ticket.fire("start_fulfilment", at=T0 + H)
    now = T0 + 100 * H
    report = protocol.evaluate(ticket, now)
    (handover,) = [a for a in report.actions if a.template == "handover"]
    context = message_context(protocol, handover, ticket, now)
    assert (context.new_owner, context.tier, context.agent) == ("L2", "L2", None)
    message = render_message(protocol, handover, ticket, now, "es-CO")
    assert message.subject == "Su solicitud R-7 pasa al equipo L2"
    assert message.body.startswith("Hola, Ana:")


def test_follow_up_attempts_know_their_number_and_what_is_left() -> None:
    protocol = reactive_protocol(DESK)
    ticket = protocol.open(ticket_id="T-9", at=T0, priority="P2", customer_timezone=BOGOTA)
    ticket.record(AgentReplied(at=T0 + H))
    ticket.record(PromiseMade(at=T0 + H, due=T0 + 30 * H, description="send the invoice"))
    now = T0 + 100 * H
    pairs = render_messages(protocol, ticket, now, "en")
    follow_ups = [(a, m) for a, m in pairs if a.kind == "follow_up"]
    contexts = [message_context(protocol, a, ticket, now) for a, _ in follow_ups]
    assert [(c.attempt, c.attempts_left, c.channel) for c in contexts] == [
        (1, 2, "email"),
        (2, 1, "call"),
        (3, 0, "call"),
    ]
    assert [m.audience for _, m in follow_ups] == ["customer", "team", "team"]
    broken = [m for a, m in pairs if a.kind == "promise_broken"]
    assert broken
    assert "send the invoice" in broken[0].body
    assert [m for _, m in pairs] == [
        render_message(protocol, a, ticket, now, "en") for a, _ in pairs
    ]


def test_ready_made_protocols_cover_every_template_they_use() -> None:
    for protocol in (
        reactive_protocol(DESK),
        proactive_protocol(DESK),
        daily_requests_protocol(DESK),
        crisis_protocol(BOGOTA),
    ):
        assert missing_templates(protocol, ["es", "en", "es-CO"]) == ()
        assert template_uses(protocol)
    bare = ServiceProtocol(
        name="bare",
        lifecycle=reactive_protocol(DESK).lifecycle,
        follow_ups=reactive_protocol(DESK).follow_ups,
        templates=TemplateSet(
            templates=[MessageTemplate(name="follow_up", language="en", body="x")]
        ),
    )
    found = missing_templates(bare, ["en"])
    assert ("promise_reminder", None, "en") in found
    assert ("transition", None, "en") in found
    assert not [f for f in found if f[0] == "follow_up"]


# --- over real histories and random ones -----------------------------------------------------


BPI_PRIORITIES = ("Major", "High", "Medium", "Low")
PROTOCOLS = {
    "reactive": lambda cal: reactive_protocol(cal, BPI_PRIORITIES),
    "proactive": lambda cal: proactive_protocol(cal, BPI_PRIORITIES),
    "daily-requests": lambda cal: daily_requests_protocol(cal, BPI_PRIORITIES),
    "crisis": lambda cal: crisis_protocol(cal.timezone),
}

# When to ask: soon after opening, the next day, four days on (the crisis protocol's hourly
# updates and half-hourly pages make a day plenty).
HOURS = {"reactive": (2, 26, 90), "proactive": (2, 26, 90), "daily-requests": (26, 90, 150)}


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_every_due_action_over_the_bpi_2013_extract_renders_in_both_languages(name: str) -> None:
    calendar = BusinessCalendar(BPIC2013_ZONE, "mon-fri 08:00-18:00")
    protocol = PROTOCOLS[name](calendar)
    rendered: set[str] = set()
    actions = 0
    for ticket in bpic2013_tickets(bpic2013_sample_path()):
        for hours in HOURS.get(name, (2, 26)):
            now = ticket.opened.at.add(hours=hours)
            for locale in ("es-CO", "en"):
                for action, message in render_messages(protocol, ticket, now, locale):
                    actions += 1
                    rendered.add(action.template)
                    assert message.language == locale[:2]
                    assert message.body.strip()
                    assert "None" not in message.body
                    if message.channel is None or message.channel == "email":
                        assert message.subject
    assert actions > 0
    assert rendered <= set(READY.names)


READY_PROTOCOLS = st.sampled_from(
    [reactive_protocol, proactive_protocol, daily_requests_protocol, crisis_protocol]
)


@settings(costly())
@given(
    make=READY_PROTOCOLS,
    calendar=business_calendars(),
    ticket=tickets(max_events=6),
    template=st.sampled_from([*READY.names, "unknown"]),
    kind=st.sampled_from(["notify", "follow_up", "terminal", "promise_reminder", "transition"]),
    offset=st.integers(0, 200),
    later=st.integers(0, 300),
    locale=st.sampled_from(["es", "es-CO", "en", "en-GB", "fr", "pt-BR"]),
    zone=st.sampled_from([None, BOGOTA, "Asia/Kuala_Lumpur", "UTC"]),
)
def test_random_actions_render_for_random_protocols(
    make: object,
    calendar: BusinessCalendar,
    ticket: object,
    template: str,
    kind: str,
    offset: int,
    later: int,
    locale: str,
    zone: str | None,
) -> None:
    assert isinstance(ticket, Ticket)
    protocol: ServiceProtocol = make(calendar.timezone if make is crisis_protocol else calendar)  # type: ignore[operator]
    opened = ticket.opened
    history = [
        TicketOpened(
            at=opened.at,
            ticket_id=opened.ticket_id,
            priority=opened.priority,
            customer_timezone=zone,
        ),
        *ticket.history[1:],
    ]
    ticket = Ticket.replay(history, ticket.lifecycle)
    at = opened.at.add(hours=offset)
    now = at.add(hours=later)
    action = DueAction(kind, at, "anything", "role:someone", "key", template=template)
    if template == "unknown":
        with pytest.raises(MissingTemplateError):
            render_message(protocol, action, ticket, now, locale)
        return
    message = render_message(protocol, action, ticket, now, locale)
    assert message.template == template
    assert message.language == (locale[:2] if locale[:2] in ("es", "en") else "en")
    assert "None" not in message.body + message.subject
    assert message.body.endswith("\n")
    assert render_message(protocol, action, ticket, now, locale) == message  # pure


def test_a_linked_customer_reads_the_broadcast_with_its_parent_incident() -> None:
    incident = crisis_incident_protocol("America/Bogota")
    customer = incident.child_protocol
    assert customer is not None
    child = customer.open(
        ticket_id="C-7", at=T0, priority="P1", customer_timezone=BOGOTA, channel="email"
    )
    child.record(TicketLinked(at=T0 + 0.1 * H, parent_id="INC-1"))
    action = DueAction("broadcast_update", T0 + 0.5 * H, "broadcast", "sms", "INC-1:u1:C-7")
    message = render_message(customer, action, child, T0 + 0.5 * H, "es")
    assert message.subject == "Incidente INC-1: actualización de C-7"
    assert "(INC-1)" in message.body
    child.record(TicketUnlinked(at=T0 + H, parent_id="INC-1"))
    assert message_context(customer, action, child, T0 + 2 * H).parent_incident is None
