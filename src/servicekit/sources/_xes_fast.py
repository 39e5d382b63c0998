"""The fast path of the XES reader: a trace in the canonical form XES writers emit.

OpenXES, pm4py, ProM and Disco write every trace the same way: ``<trace>``, its scalar
attributes and its events, each attribute one ``<string key="..." value="..."/>`` (or
``date``, ``int``...) with double quotes, no entity and no nested attribute. For such a
trace the reader does not need a Python call per XML element. :class:`CanonicalTraces`
cuts the trace's text at its double quotes (one C call): the pieces alternate between
markup and the keys and values. The markup of a trace (the tags between the values) is
the same for every trace of the same shape, so it is read once per shape into a
:class:`_Plan` (which value belongs to which event, and which values are converted) and
every later trace of that shape is read with a few C-level calls and no Python loop per
attribute.

It is a recogniser, not a parser: it accepts only text whose meaning under XML is exactly
what it reads (no ``&`` so no entity or character reference; no tab, newline or return
inside a value, which XML would normalise to a space; no ``<`` inside a value; the fixed
element and attribute names and the blanks between them, so no namespace prefix, no other
attribute and no other quoting) and says ``None`` for anything else; the reader then reads
the trace through expat's handlers as it reads every other part of the file. The error of
a trace that breaks a rule is always the handler path's: a wrong value or a key given twice
makes the recogniser give up, so the handler path meets and reports it.

What is left to check is well-formedness, which expat does. When every key and value of a
recognised trace is printable (``str.isprintable``: no control character, surrogate or
non-character, no blank but the space), every character is one XML allows, and with the
markup read above the trace is a well-formed element as it stands: expat, which stands in
``<log>``'s content outside any token when a trace is cut out, would parse it without
error and end where it began but for its line and column. So expat parses a stand-in, the
blanks that move it to the same line and column, and every later error and line reads
the same. A trace with any other character (a C1 control, a no-break space...) is parsed
by expat with no handlers set; one longer than the token limit too (the limit's checks
then fall where they would).
"""

from __future__ import annotations

import functools
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from itertools import compress, repeat
from operator import add, itemgetter
from typing import Any, Final, NamedTuple, cast

__all__ = ["CanonicalTraces", "canonical_trace"]

Converters = Mapping[str, Callable[[str], object] | None]
"""The value reader of each scalar XES element name (``None``: kept as the text it is)."""

Trace = tuple[dict[str, object], list[dict[str, object]], bytes | None]
"""A trace's attributes, its events' attributes (in file order), and its stand-in.

The stand-in, when the trace is well-formed as it stands, is the blanks that leave expat
where the trace would: on the same line and column (see :func:`_stand_in`).
"""

# The markup between two values, cut into tags and blanks (XML's blanks: space, tab,
# newline, return). The last alternative takes any other single character, so the tokens
# tile the text and anything unexpected shows up as a one-character token.
_MARKUP_TOKEN: Final = re.compile(
    r"/>|</?event>|</?trace>|<(string|date|int|float|boolean|id) key=|[ \t\r\n]+|[\s\S]"
)
_BLANK: Final = frozenset(" \t\r\n")
_ELEMENTS: Final = frozenset(("string", "date", "int", "float", "boolean", "id"))
_CONVERTED: Final = _ELEMENTS - {"string", "id"}  # the elements whose text is read
# The most trace layouts kept at once: each keeps its trace's markup and keys, about 5 kB for
# BPI 2013's traces (520 shapes), so a log of ever-new shapes keeps a few megabytes.
_MAX_LAYOUTS: Final = 1024


class _Plan(NamedTuple):
    """Where the values of every trace of one shape go."""

    trace: tuple[int, ...]  # the index of each of the trace's own attributes
    events: tuple[slice, ...]  # each event's attributes
    converted: tuple[tuple[int, str], ...]  # (index, element name) of each non-text value
    breaks: int  # the line breaks of the trace (all in its markup: no value holds one)
    # The characters after the last line break, when the last markup holds one (then every
    # trace of the shape ends at that column), else -1.
    tail: int


class _Layout(NamedTuple):
    """A plan with the keys of a trace: the dictionaries every event's is copied from."""

    plan: _Plan
    trace: tuple[str, ...]  # the trace's own keys
    events: tuple[dict[str, None], ...]  # each event's keys, in order, as a dictionary
    # Each converter with the indices of the values it reads.
    converted: tuple[tuple[Callable[[str], object], tuple[int, ...]], ...]
    printable: bool  # whether every key is printable (see CanonicalTraces.__call__)


_Markup = tuple[str, tuple[str, ...], str, int]


def _plan(shape: list[str]) -> _Plan | None:
    """The plan of a trace whose text between its keys and values is ``shape``, if canonical.

    ``shape[0]`` runs from ``<trace>`` to the first key's opening quote, ``shape[2 * i + 1]``
    sits between key ``i`` and its value (`` value=``), ``shape[2 * i + 2]`` from the
    closing quote of value ``i`` to the opening quote of key ``i + 1``, and the last piece
    from the last value's closing quote to ``</trace>``.
    """
    if shape[1::2].count(" value=") != len(shape) >> 1:
        return None
    markups = shape[::2]
    # Each markup read once per distinct text; a plan is learned once per trace shape, but
    # shapes are many (one per number of events, at least), so whole-list C calls do most.
    maybe = list(map(_markup, markups))
    if None in maybe:
        return None
    read = cast("list[_Markup]", maybe)
    last = len(read) - 1
    opening = list(map(itemgetter(0), read))
    closing = list(map(itemgetter(2), read))
    # Every markup but the first closes a value's element and every one but the last opens
    # one; the first opens the trace and the last closes it.
    if (
        opening[0] != "<trace>"
        or opening.count("/>") != last
        or closing.pop() != "</trace>"
        or not all(map(_ELEMENTS.__contains__, closing))
    ):
        return None
    events: list[slice] = []
    opened = -1  # the index of the first attribute of the open event, -1 outside one
    for index in compress(range(len(read)), map(itemgetter(1), read)):
        for tag in read[index][1]:
            if tag == "<event>" and opened < 0:
                opened = index
            elif tag == "</event>" and opened >= 0:
                events.append(slice(opened, index))
                opened = -1
            else:
                return None  # a nested or stray event tag, a trace tag
    if opened >= 0:
        return None
    trace: list[int] = []
    outside = 0  # the first attribute after the last event seen
    for event in (*events, slice(last, last)):
        trace.extend(range(outside, event.start))
        outside = event.stop
    converted = tuple(
        (index, closing[index])
        for index in compress(range(last), map(_CONVERTED.__contains__, closing))
    )
    breaks = sum(map(itemgetter(3), read))
    end = markups[-1]
    tail = len(end) - 1 - max(end.rfind("\n"), end.rfind("\r")) if breaks else -1
    if tail >= len(end):
        tail = -1
    return _Plan(tuple(trace), tuple(events), converted, breaks, tail)


def _stand_in(text: str, plan: _Plan) -> bytes:
    """Blanks that take expat from where ``text`` begins to the line and column it ends at.

    expat counts lines at each line break and columns in characters. The stand-in begins
    with a space, not a line break: a return just before the trace and a newline would count
    as one break where the trace's ``<`` makes them two.
    """
    if not plan.breaks:
        return b" " * len(text)
    tail = plan.tail
    if tail < 0:
        tail = len(text) - 1 - max(text.rfind("\n"), text.rfind("\r"))
    return b" " + b"\n" * plan.breaks + b" " * tail


@functools.lru_cache(maxsize=1024)
def _markup(markup: str) -> _Markup | None:
    """The first tag of ``markup``, the tags between, the last (an attribute's opening as
    its element name) and its line breaks; blanks are left out.

    ``None`` when it holds anything else, or fewer than two tags (every piece of markup
    closes or opens the trace or an attribute at both ends). expat counts line breaks as XML
    does: ``"\\r\\n"``, ``"\\r"`` and ``"\\n"`` (no piece ends in ``"\\r"`` where the next
    begins with ``"\\n"``: a quote and a key or value sit between them).
    """
    tokens = []
    for match in _MARKUP_TOKEN.finditer(markup):
        token = match.group()
        if token[0] in _BLANK:
            continue
        if len(token) == 1:
            return None  # any other character
        tokens.append(match.group(1) or token)
    if len(tokens) < 2:
        return None
    breaks = markup.count("\n") + markup.count("\r") - markup.count("\r\n")
    return tokens[0], tuple(tokens[1:-1]), tokens[-1], breaks


# Runs an iterator to its end, keeping nothing.
_drain: Final[Callable[[Iterable[object]], None]] = deque[object](maxlen=0).extend


class CanonicalTraces:
    """Reads canonical traces, remembering the plan of each trace shape it meets.

    Args:
        converters: the value reader of each scalar element name.
        case_prefix: when given, each event comes out as a row: its trace's attributes
            first, each key after the prefix, then the event's own (the rows of
            :class:`~servicekit.sources.XesSource`); a trace where a prefixed key is also an
            event's key is left to the handler path.

    Examples:
        >>> read = CanonicalTraces({"string": None, "int": int})
        >>> read('<trace><string key="a" value="x"/><event><int key="n" value="2"/></event>'
        ...      "</trace>")
        ({'a': 'x'}, [{'n': 2}], b'                                                  ...')
        >>> read('<trace><string key="a" value="&amp;"/></trace>') is None
        True
    """

    __slots__ = ("_case_prefix", "_converters", "_layouts", "_plans", "_templates")

    def __init__(self, converters: Converters, case_prefix: str | None = None) -> None:
        self._converters = converters
        self._case_prefix = case_prefix
        self._plans: dict[str, _Plan | None] = {}
        self._layouts: dict[str, _Layout | None] = {}
        self._templates: dict[tuple[str, ...], dict[str, None]] = {}

    def __call__(self, text: str) -> Trace | None:
        """The attributes, events and stand-in of ``text`` (``<trace>`` to ``</trace>``),
        if canonical.

        ``None`` when the trace holds anything else (another element or attribute, an
        entity, a nested attribute, non-blank text, another quoting), a key given twice in
        one element, a nested or unclosed ``<event>``, or a value its converter refuses: the
        handler path then reads it and reports what is wrong. The stand-in is ``None`` when a
        key or value holds a character that is not printable (expat must check it).
        """
        pieces: list[Any] = text.split('"')
        if len(pieces) & 3 != 1:  # key, " value=", value, markup: four pieces an attribute
            return None
        values = pieces[3::4]
        del pieces[3::4]
        # Neither key nor value holds a quote, so joined at quotes the pieces come apart
        # again the one way they were cut: the skeleton (the trace but its values) names
        # its markup and keys.
        skeleton = '"'.join(pieces)
        layout = self._layouts.get(skeleton)
        if layout is None:
            if skeleton in self._layouts:
                return None  # a shape met before, not canonical
            layout = self._layout(skeleton, pieces)
            if layout is None:
                return None
        # The keys were read with the layout; the values are read here.
        joined = "".join(values)
        if "&" in joined or "<" in joined:
            return None
        # A printable character is one XML allows (no control, surrogate or non-character)
        # and no blank but the space: then the trace is well-formed as it stands.
        stand_in = None
        if layout.printable and joined.isprintable():
            stand_in = _stand_in(text, layout.plan)
        elif "\n" in joined or "\t" in joined or "\r" in joined:
            return None  # XML reads each as a space
        try:
            for convert, indices in layout.converted:
                _drain(
                    map(values.__setitem__, indices, map(convert, map(values.__getitem__, indices)))
                )
        except ValueError:
            return None
        trace_values = list(map(values.__getitem__, layout.plan.trace))
        attributes = dict(zip(layout.trace, trace_values, strict=True))
        event_values: Iterable[list[Any]] = map(values.__getitem__, layout.plan.events)
        if self._case_prefix is not None:
            event_values = map(add, repeat(trace_values), event_values)
        # Each event is a copy of its keys' dictionary (already sized, keys already hashed)
        # updated with its values.
        events: list[dict[str, Any]] = list(map(dict.copy, layout.events))
        _drain(map(dict.update, events, map(zip, layout.events, event_values)))
        return attributes, events, stand_in

    def _layout(self, skeleton: str, pieces: list[str]) -> _Layout | None:
        """The layout of a trace not met before (``None``: not canonical), remembered.

        ``pieces`` are the trace's pieces but its values: markup, key, `` value=``, markup...
        """
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._layouts.clear()
            self._plans.clear()
            self._templates.clear()
        keys = pieces[1::3]
        shape = pieces[:]
        del shape[1::3]
        markup = '"'.join(shape)
        plan = self._plans.get(markup)
        if plan is None and markup not in self._plans:
            plan = self._plans[markup] = _plan(shape)
        layout = None
        joined = "".join(keys)
        if plan is not None and not any(map(joined.__contains__, ("&", "<", "\t", "\n", "\r"))):
            keys = list(map(sys.intern, keys))
            trace = tuple(keys[i] for i in plan.trace)
            case: tuple[str, ...] = ()
            if self._case_prefix is not None:
                case = tuple(sys.intern(self._case_prefix + k) for k in trace)
            events = tuple(self._template(case + tuple(keys[run])) for run in plan.events)
            # A key given twice in one element (or a case key an event holds too) leaves its
            # dictionary shorter than its keys.
            if len(set(trace)) == len(trace) and all(
                len(t) == len(case) + run.stop - run.start
                for t, run in zip(events, plan.events, strict=True)
            ):
                converted: dict[Callable[[str], object], list[int]] = {}
                for index, element in plan.converted:
                    convert = self._converters[element]
                    if convert is not None:
                        converted.setdefault(convert, []).append(index)
                layout = _Layout(
                    plan,
                    trace,
                    events,
                    tuple((c, tuple(i)) for c, i in converted.items()),
                    joined.isprintable(),
                )
        self._layouts[skeleton] = layout
        return layout

    def _template(self, keys: tuple[str, ...]) -> dict[str, None]:
        template = self._templates.get(keys)
        if template is None:
            template = self._templates[keys] = dict.fromkeys(keys)
        return template


def canonical_trace(text: str, converters: Converters) -> Trace | None:
    """:class:`CanonicalTraces` for one trace (its plans are not kept).

    Examples:
        >>> canonical_trace('<trace><int key="n" value="x"/></trace>', {"int": int}) is None
        True
    """
    return CanonicalTraces(converters)(text)
