"""Message templates: what to tell the customer (or the team) for each due action.

Templates are data, not code: they come from protocol files that support leads
edit. So they run in Jinja2's sandbox with less than the sandbox allows: a
template may only print the names of :class:`MessageContext`, pass them
through a few filters, compare them and branch on them. Attribute and item
access, calls, loops, macros, includes, assignments and arithmetic are refused
when the template is loaded, as is any name the context does not have; what is
left renders in one pass over the template, so its time and size are bounded
by the template's own length (and the output is capped besides).
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
import babel
import jinja2
import jinja2.meta
import jinja2.nodes
import pendulum
from jinja2.sandbox import SandboxedEnvironment

from servicekit._i18n import (
    babel_locale,
    format_duration,
    format_instant,
    locale_chain,
    normalize_locale,
)
from servicekit._time import get_timezone
from servicekit.errors import (
    InvalidTemplateError,
    MissingTemplateError,
    TemplateOutputError,
    UnsafeTemplateError,
)

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_SUBJECT_CHARS",
    "Audience",
    "Message",
    "MessageContext",
    "MessageTemplate",
    "TemplateSet",
]

#: The longest template source accepted (subject or body), in characters.
MAX_SOURCE_CHARS = 20_000
#: The longest rendered subject, in characters.
MAX_SUBJECT_CHARS = 300
#: The longest rendered body, in characters.
MAX_BODY_CHARS = 50_000

Audience = Literal["customer", "team"]

_Instant = pendulum.DateTime | None
_Span = _dt.timedelta | None


@attrs.frozen(kw_only=True)
class MessageContext:
    """Everything a template can name: its documented context, one variable per field.

    Optional values are ``None`` when they do not apply (no promise, no agent yet),
    and templates say what to write then (``{% if promise %}...{% endif %}``).
    Instants print in the customer's zone and language and durations as words
    (``{{ resolution_due }}``, ``{{ resolution_target }}``); the filters
    ``datetime``, ``date``, ``time`` and ``duration`` choose the form.

    Attributes:
        ticket_id: the ticket's id.
        customer_name: the customer's name (the ticket's ``customer_name`` attribute).
        customer_zone: the customer's IANA time zone (the ticket's, else the templates').
        priority: the ticket's priority now.
        status: the ticket's status now.
        channel: the channel the message goes through (``email``, ``sms``, ``call``...).
        protocol: the protocol's name.
        action: the kind of the due action (``follow_up``, ``notify``...).
        detail: the due action's detail, as the protocol wrote it (a channel, a target,
            an owner, a count of customers).
        due_at: when the action fell due.
        now: when the message is written.
        first_response_due: when the first response is due (latest cycle), if timed.
        next_response_due: when the next response is due.
        periodic_update_due: when the next update is due.
        resolution_due: when the resolution is due.
        first_response_target: the first-response target for the ticket's priority.
        next_response_target: the next-response target.
        periodic_update_target: the periodic-update target.
        resolution_target: the resolution target.
        promise: what an agent promised (the promise the action is about).
        promise_due: when the promise is due.
        agent: the agent the ticket is assigned to.
        group: the group the ticket is assigned to.
        tier: the support tier that owns the ticket.
        notified: whom the action notifies (an escalation's target).
        new_owner: who owns the ticket after this action (an escalation's handover).
        attempt: the follow-up attempt number (1 for the first).
        attempts_left: follow-up attempts left after this one (``None``: no limit).
        next_contact_at: when the customer hears from the team next, if planned.
        terminal_action: what happens when reminders go unanswered (``solve``...).
        parent_incident: the incident this ticket is linked to (its id).
        update: what an incident update delivered to the customer says (see
            :meth:`IncidentProtocol.render_delivery`).
    """

    ticket_id: str
    customer_name: str | None = None
    customer_zone: str = "UTC"
    priority: str
    status: str
    channel: str | None = None
    protocol: str = ""
    action: str
    detail: str = ""
    due_at: pendulum.DateTime
    now: pendulum.DateTime
    first_response_due: _Instant = None
    next_response_due: _Instant = None
    periodic_update_due: _Instant = None
    resolution_due: _Instant = None
    first_response_target: _Span = None
    next_response_target: _Span = None
    periodic_update_target: _Span = None
    resolution_target: _Span = None
    promise: str | None = None
    promise_due: _Instant = None
    agent: str | None = None
    group: str | None = None
    tier: str | None = None
    notified: str | None = None
    new_owner: str | None = None
    attempt: int | None = None
    attempts_left: int | None = None
    next_contact_at: _Instant = None
    terminal_action: str | None = None
    parent_incident: str | None = None
    update: str | None = None

    def __attrs_post_init__(self) -> None:
        get_timezone(self.customer_zone, name="customer_zone")


#: The names a template may use.
CONTEXT_NAMES = frozenset(f.name for f in attrs.fields(MessageContext))

# --- the sandbox --------------------------------------------------------------------------------

_ALLOWED_NODES = (
    jinja2.nodes.Template,
    jinja2.nodes.Output,
    jinja2.nodes.TemplateData,
    jinja2.nodes.Const,
    jinja2.nodes.Name,
    jinja2.nodes.If,
    jinja2.nodes.CondExpr,
    jinja2.nodes.Compare,
    jinja2.nodes.Operand,
    jinja2.nodes.And,
    jinja2.nodes.Or,
    jinja2.nodes.Not,
    jinja2.nodes.Filter,
    jinja2.nodes.Test,
    jinja2.nodes.Concat,
    jinja2.nodes.List,
    jinja2.nodes.Tuple,
)
_WHAT = {
    "Getattr": "attribute access",
    "Getitem": "item access",
    "Add": "arithmetic",
    "Sub": "arithmetic",
    "Mul": "arithmetic",
    "Div": "arithmetic",
    "FloorDiv": "arithmetic",
    "Mod": "arithmetic",
    "Pow": "arithmetic",
    "Neg": "arithmetic",
    "Pos": "arithmetic",
    "Call": "calling",
    "For": "a loop",
    "Macro": "a macro",
    "CallBlock": "a macro call",
    "Include": "including",
    "Extends": "template inheritance",
    "Import": "importing",
    "FromImport": "importing",
    "Block": "a block",
    "Assign": "assignment",
    "AssignBlock": "assignment",
    "With": "a with block",
    "FilterBlock": "a filter block",
    "Slice": "slicing",
    "Dict": "a dict",
}


def _locale_of(ctx: jinja2.runtime.Context) -> babel.Locale:
    found = ctx.get("_servicekit_locale")
    assert isinstance(found, babel.Locale)
    return found


def _zone_of(ctx: jinja2.runtime.Context) -> str:
    return str(ctx.get("customer_zone") or "UTC")


def _instant_filter(style: str) -> Any:
    @jinja2.pass_context
    def instant(ctx: jinja2.runtime.Context, value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, _dt.datetime):
            raise InvalidTemplateError(f"the {style} filter takes an instant, got {value!r}")
        return format_instant(value, _zone_of(ctx), _locale_of(ctx), style=style)

    return instant


@jinja2.pass_context
def _duration(ctx: jinja2.runtime.Context, value: object, days: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, _dt.timedelta):
        raise InvalidTemplateError(f"the duration filter takes a duration, got {value!r}")
    return format_duration(value, _locale_of(ctx), days=bool(days))


@jinja2.pass_context
def _finalize(ctx: jinja2.runtime.Context, value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return format_instant(value, _zone_of(ctx), _locale_of(ctx))
    if isinstance(value, _dt.timedelta):
        return format_duration(value, _locale_of(ctx))
    return value


class _Sandbox(SandboxedEnvironment):
    """The sandbox with nothing reachable: no attributes, no callables."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False


def _environment() -> _Sandbox:
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.globals.clear()
    builtin = env.filters
    kept = ("capitalize", "lower", "title", "trim", "upper")
    env.filters = {name: builtin[name] for name in kept}
    env.filters.update(
        datetime=_instant_filter("full"),
        date=_instant_filter("date"),
        time=_instant_filter("time"),
        duration=_duration,
    )
    env.tests = {name: env.tests[name] for name in ("none", "number", "string")}
    return env


_ENV = _environment()


def _refuse(node: jinja2.nodes.Node, where: str) -> None:
    unknown: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, _ALLOWED_NODES):
            kind = type(current).__name__
            what = _WHAT.get(kind, f"a {kind} expression")
            raise UnsafeTemplateError(
                f"{where}, line {current.lineno}: {what} is not allowed in a message template; "
                f"print context names ({', '.join(sorted(CONTEXT_NAMES)[:4])}, ...), pass them "
                "through filters and branch with {% if %}"
            )
        if isinstance(current, jinja2.nodes.Name):
            if current.ctx != "load":
                raise UnsafeTemplateError(
                    f"{where}, line {current.lineno}: assignment is not allowed"
                )
            if current.name not in CONTEXT_NAMES:
                unknown.add(current.name)
        stack.extend(current.iter_child_nodes())
    if unknown:
        # Jinja's own names (self, loop, varargs...) are not undeclared to it; they are to us.
        raise InvalidTemplateError(
            f"{where}: unknown names {sorted(unknown)}; a template can use only "
            f"{sorted(CONTEXT_NAMES)}"
        )


@functools.lru_cache(maxsize=1024)
def _compile(source: str, where: str) -> jinja2.Template:
    """Check and compile one template source (pure, so cached)."""
    if len(source) > MAX_SOURCE_CHARS:
        raise InvalidTemplateError(
            f"{where}: the template is {len(source)} characters long; the limit is "
            f"{MAX_SOURCE_CHARS} (a message, not a document)"
        )
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidTemplateError(f"{where}, line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise UnsafeTemplateError(f"{where}: the template nests too deeply") from None
    _refuse(tree, where)
    try:
        unknown = jinja2.meta.find_undeclared_variables(tree) - CONTEXT_NAMES
    except jinja2.TemplateSyntaxError as exc:  # e.g. a filter or test the sandbox lacks
        raise InvalidTemplateError(
            f"{where}, line {exc.lineno}: {str(exc.message).rstrip('.')}; "
            f"filters: {sorted(_ENV.filters)}, tests: {sorted(_ENV.tests)}"
        ) from None
    if unknown:
        raise InvalidTemplateError(
            f"{where}: unknown names {sorted(unknown)}; a template can use only "
            f"{sorted(CONTEXT_NAMES)}"
        )
    return _ENV.from_string(tree)  # a parsed tree compiles as its source would


def _render_bounded(template: jinja2.Template, values: Mapping[str, object], limit: int) -> str:
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(values):
            size += len(chunk)
            if size > limit:
                raise TemplateOutputError(
                    f"the message is longer than {limit} characters; shorten the template or "
                    "the values it prints"
                )
            parts.append(chunk)
    except jinja2.exceptions.SecurityError as exc:  # defence in depth: refused at load time
        raise UnsafeTemplateError(str(exc)) from None
    except jinja2.UndefinedError as exc:
        raise InvalidTemplateError(str(exc)) from None
    return "".join(parts)


# --- templates and sets -------------------------------------------------------------------------


def _language(value: str) -> str:
    return normalize_locale(value)


@attrs.frozen(kw_only=True)
class MessageTemplate:
    """One message: for a due action's template name, a language and (optionally) a channel.

    Checked when built: a template that does not parse, names anything outside
    :class:`MessageContext` or uses a construct the sandbox refuses raises then,
    not when a message is sent.

    Attributes:
        name: the template name a due action carries (``"follow_up"``, ``"notify"``...).
        language: the language it is written in (``"es"``, ``"en"``, ``"es-CO"``).
        body: the body's template source.
        subject: the subject's template source (``""`` for channels without one).
        channel: the channel it is for, or ``None`` for any channel.
        audience: who reads it: ``"customer"`` or ``"team"``.

    Examples:
        >>> t = MessageTemplate(name="follow_up", language="en", body="Hi {{ customer_name }}")
        >>> t.language
        'en'
    """

    name: str
    language: str = attrs.field(converter=_language)
    body: str
    subject: str = ""
    channel: str | None = None
    audience: Audience = "customer"

    def __attrs_post_init__(self) -> None:
        if self.audience not in ("customer", "team"):
            raise InvalidTemplateError(
                f"template {self.name!r}: audience must be 'customer' or 'team', "
                f"got {self.audience!r}"
            )
        _compile(self.subject, f"{self._where} subject")
        _compile(self.body, f"{self._where} body")

    @property
    def _where(self) -> str:
        channel = "any channel" if self.channel is None else self.channel
        return f"template {self.name!r} ({self.language}, {channel})"


@attrs.frozen
class Message:
    """A rendered message: what to send, and which template and language made it."""

    subject: str
    body: str
    template: str
    language: str
    channel: str | None
    audience: Audience


def _templates(value: Iterable[MessageTemplate]) -> tuple[MessageTemplate, ...]:
    return tuple(value)


def _fallback(value: Iterable[str] | str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    return tuple(normalize_locale(v) for v in items)


@attrs.frozen(kw_only=True)
class TemplateSet:
    """A protocol's messages: templates by name, language and channel, with a fallback chain.

    A message in ``es-CO`` is looked up in ``es-CO``, then ``es``, then each
    fallback language in order (``("en",)`` by default); in each language a
    template for the action's channel wins over one for any channel.

    Attributes:
        templates: the templates; at most one per (name, language, channel).
        fallback: languages to fall back to, in order.
        default_timezone: the customer's zone when a ticket does not say.

    Examples:
        >>> s = TemplateSet(templates=[MessageTemplate(name="hi", language="en", body="Hi")])
        >>> s.names
        ('hi',)
    """

    templates: tuple[MessageTemplate, ...] = attrs.field(default=(), converter=_templates)
    fallback: tuple[str, ...] = attrs.field(default=("en",), converter=_fallback)
    default_timezone: str = "UTC"

    def __attrs_post_init__(self) -> None:
        get_timezone(self.default_timezone, name="default_timezone")
        seen: set[tuple[str, str, str | None]] = set()
        for t in self.templates:
            key = (t.name, t.language, t.channel)
            if key in seen:
                raise InvalidTemplateError(
                    f"{t._where} is defined twice; keep one per name, language and channel"
                )
            seen.add(key)

    @property
    def names(self) -> tuple[str, ...]:
        """The template names, sorted."""
        return tuple(sorted({t.name for t in self.templates}))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages templates are written in, sorted."""
        return tuple(sorted({t.language for t in self.templates}))

    def find(self, name: str, locale: str, channel: str | None = None) -> MessageTemplate:
        """The template that renders ``name`` for ``locale`` and ``channel``.

        Raises:
            MissingTemplateError: no language of the chain has one (the chain is named).
        """
        for language in locale_chain(locale, self.fallback):
            found = self._exact(name, language, channel)
            if found is not None:
                return found
        chain = " -> ".join(locale_chain(locale, self.fallback))
        where = "any channel" if channel is None else f"channel {channel!r}"
        raise MissingTemplateError(
            f"no template {name!r} for {where} in {chain}; add one (names in this set: "
            f"{list(self.names)})"
        )

    def _exact(self, name: str, language: str, channel: str | None) -> MessageTemplate | None:
        general = None
        for t in self.templates:
            if t.name == name and t.language == language:
                if t.channel == channel and channel is not None:
                    return t
                if t.channel is None:
                    general = t
        return general

    def missing(
        self, names: Iterable[str], channels: Iterable[str | None], languages: Iterable[str]
    ) -> tuple[tuple[str, str | None, str], ...]:
        """The (name, channel, language) combinations no template covers without falling
        back to another language (what ``servicekit check`` reports)."""
        out = []
        for name in sorted(set(names)):
            for channel in sorted(set(channels), key=lambda c: c or ""):
                for language in sorted({normalize_locale(x) for x in languages}):
                    chain = [x for x in locale_chain(language, ()) if x]
                    if all(self._exact(name, x, channel) is None for x in chain):
                        out.append((name, channel, language))
        return tuple(out)

    def render(
        self,
        name: str,
        context: MessageContext,
        locale: str,
        *,
        channel: str | None = None,
    ) -> Message:
        """Render template ``name`` with ``context`` for a reader of ``locale``.

        Instants and durations are written in the template's language, with the
        reader's region when it speaks that language (``es-CO`` reads ``es``
        templates with Colombian formats), and in ``context.customer_zone``.

        Raises:
            MissingTemplateError: no template in the fallback chain.
            TemplateOutputError: the message exceeds the size limits.
        """
        template = self.find(name, locale, channel)
        chain = locale_chain(locale, self.fallback)
        own = template.language.split("-")[0]
        speaks = [x for x in chain if x.split("-")[0] == own] + [template.language]
        values: dict[str, object] = attrs.asdict(context, recurse=False)
        values["_servicekit_locale"] = babel_locale(speaks)
        subject = _render_bounded(
            _compile(template.subject, f"{template._where} subject"), values, MAX_SUBJECT_CHARS
        )
        body = _render_bounded(
            _compile(template.body, f"{template._where} body"), values, MAX_BODY_CHARS
        )
        return Message(
            subject=" ".join(subject.split()),
            body=body.strip() + "\n" if body.strip() else "",
            template=template.name,
            language=template.language,
            channel=channel,
            audience=template.audience,
        )

    def __iter__(self) -> Iterator[MessageTemplate]:
        return iter(self.templates)
