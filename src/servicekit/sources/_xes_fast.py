"""The fast path of the XES reader: a trace in the canonical form XES writers emit.

OpenXES, pm4py, ProM and Disco write every trace the same way: ``<trace>``, its scalar
attributes and its events, each attribute one ``<string key="..." value="..."/>`` (or
``date``, ``int``...) with double quotes, no entity and no nested attribute. For such a
trace the reader does not need a Python call per XML element: :func:`canonical_trace`
recognises the whole trace with one regular-expression pass (C speed) and reads its values
from the matches. It is a recogniser, not a parser: it accepts only text whose meaning
under XML is exactly what it reads (no ``&`` so no entity or character reference, no
control character so no attribute-value normalisation, the fixed element and attribute
names so no namespace prefix) and says ``None`` for anything else, and the reader then
reads the trace through expat's handlers as it reads every other part of the file. expat
still parses every byte of a recognised trace (with no handlers set) to check it, and the
error of a trace that breaks a rule is always the handler path's: a wrong value or a key
given twice makes the recogniser give up, so the handler path meets and reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Final

__all__ = ["canonical_trace"]

# A value or key as a writer emits it: anything but a quote, markup (<, &) and the
# characters XML normalises (tab, newline, return) or refuses (other controls, U+FFFE/F).
_TEXT: Final = r'[^"&<\x00-\x1f\ufffe\uffff]*'
# Each match is one token and the blanks after it. The last alternative takes any other
# single character, so the matches tile the whole text and anything unexpected shows up as
# a one-character mark, which the reader refuses.
_TOKEN: Final = re.compile(
    rf'(?:<(string|date|int|float|boolean|id) key="({_TEXT})" value="({_TEXT})"/>'
    r"|(</?event>|</?trace>|[\s\S]))[ \t\r\n]*"
)

Converters = Mapping[str, Callable[[str], object] | None]
"""The value reader of each scalar XES element name (``None``: kept as the text it is)."""


def canonical_trace(
    text: str, converters: Converters
) -> tuple[dict[str, object], list[dict[str, object]]] | None:
    """The attributes and events of ``text`` (``<trace>`` to ``</trace>``), if canonical.

    ``None`` when the trace holds anything else (another element or attribute, an entity,
    a nested attribute, non-blank text), a key given twice in one element, a nested or
    unclosed ``<event>``, or a value its converter refuses: the handler path then reads it
    and reports what is wrong.

    Examples:
        >>> canonical_trace(
        ...     '<trace><string key="a" value="x"/><event><int key="n" value="2"/></event></trace>',
        ...     {"string": None, "int": int},
        ... )
        ({'a': 'x'}, [{'n': 2}])
        >>> canonical_trace('<trace><string key="a" value="&amp;"/></trace>', {"string": None})
    """
    tokens = _TOKEN.findall(text)
    if len(tokens) < 2 or tokens.pop()[3] != "</trace>" or tokens[0][3] != "<trace>":
        return None
    attributes: dict[str, object] = {}
    events: list[dict[str, object]] = []
    owner = attributes
    for kind, key, value, mark in islice(tokens, 1, None):
        if kind == "string":  # nearly every value
            owner[key] = value
        elif kind:
            convert = converters[kind]
            if convert is None:
                owner[key] = value
                continue
            try:
                owner[key] = convert(value)
            except ValueError:
                return None
        elif mark == "<event>" and owner is attributes:
            owner = {}
        elif mark == "</event>" and owner is not attributes:
            events.append(owner)
            owner = attributes
        else:
            return None  # any other character, a nested trace or event, a stray </event>
    if owner is not attributes:
        return None
    # Every token left is a value or an event's two tags: a key given twice in one element
    # left one value fewer in its dictionary than the trace holds.
    if len(attributes) + sum(map(len, events)) != len(tokens) - 1 - 2 * len(events):
        return None
    return attributes, events
