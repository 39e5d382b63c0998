"""A small declarative description of a file format, read two ways.

The protocol file format is written once as a tree of :class:`Table`,
:class:`Array`, :class:`Scalar` and :class:`OneOf` nodes. :func:`check` walks
parsed TOML against it and collects *every* problem (dotted path, what was
found, what was expected) instead of stopping at the first; :func:`json_schema`
turns the same tree into the published JSON Schema. One definition, so the
schema editors use and the loader that runs cannot disagree.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

import attrs

__all__ = [
    "INVALID",
    "Array",
    "Field",
    "Node",
    "OneOf",
    "Path",
    "Problem",
    "Scalar",
    "Table",
    "check",
    "describe",
    "json_schema",
]

#: A dotted path into a file: keys and array indices.
Path: TypeAlias = tuple[str | int, ...]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


#: What :func:`check` returns for a value it could not read (its problem is recorded).
INVALID: Final = _Invalid()


@attrs.frozen
class Problem:
    """One thing wrong with a file: where, what was found, what was expected."""

    path: Path
    found: str | None
    expected: str

    @property
    def dotted(self) -> str:
        """The path as ``sla.metrics.first_response.targets.P1`` (indices in brackets)."""
        return dotted(self.path)

    @property
    def message(self) -> str:
        """``found X; expected Y`` (or only what is expected, for a rule across fields)."""
        if self.found is None:
            return self.expected
        return f"found {self.found}; expected {self.expected}"


def dotted(path: Path) -> str:
    """``("a", 0, "b c")`` as ``a[0]."b c"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
        out += f".{text}" if out else text
    return out or "(top level)"


def describe(value: object) -> str:
    """A short description of a parsed TOML value, for 'found ...'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    return repr(value)


class Node:
    """Base class of the format's nodes."""

    doc: str

    def accepts(self, value: object) -> bool:
        """Whether ``value`` has the right shape for this node (for :class:`OneOf`)."""
        raise NotImplementedError

    def read(self, value: object, path: Path, problems: list[Problem]) -> Any:
        """The checked value, or :data:`INVALID` with its problems recorded."""
        raise NotImplementedError

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema of this node (named tables go to ``defs``)."""
        raise NotImplementedError

    @property
    def expected(self) -> str:
        """What a valid value is, in words."""
        raise NotImplementedError


@attrs.frozen
class Scalar(Node):
    """A string, number, boolean or date, optionally read through ``parse``.

    ``parse`` turns the raw value into the loader's value and raises
    ``ValueError`` with a message saying what was expected.
    """

    json_type: str
    what: str
    doc: str = ""
    types: tuple[type, ...] = (str,)
    parse: Callable[[Any], Any] | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    format: str | None = None
    minimum: float | None = None
    exclusive_minimum: float | None = None
    examples: tuple[Any, ...] = ()

    @property
    def expected(self) -> str:
        if self.enum is not None:
            return "one of " + ", ".join(f'"{e}"' for e in self.enum)
        return self.what

    def _near(self, value: object) -> str:
        """What was expected, naming the closest choice when the list is long."""
        assert self.enum is not None
        if len(self.enum) <= 8:
            return self.expected
        close = difflib.get_close_matches(str(value), self.enum, n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        return f"{self.what} ({hint}the {len(self.enum)} choices: {', '.join(self.enum)})"

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) and bool not in self.types:
            return False
        if isinstance(value, _dt.datetime) and _dt.datetime not in self.types:
            return False
        return isinstance(value, self.types)

    def read(self, value: object, path: Path, problems: list[Problem]) -> Any:
        if not self.accepts(value):
            problems.append(Problem(path, describe(value), self.expected))
            return INVALID
        if self.enum is not None and value not in self.enum:
            problems.append(Problem(path, describe(value), self._near(value)))
            return INVALID
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is not None and (
            (self.minimum is not None and number < self.minimum)
            or (self.exclusive_minimum is not None and number <= self.exclusive_minimum)
        ):
            problems.append(Problem(path, describe(value), self.expected))
            return INVALID
        if self.parse is None:
            return value
        try:
            return self.parse(value)
        except ValueError as exc:
            problems.append(Problem(path, describe(value), str(exc) or self.expected))
            return INVALID

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.json_type}
        if self.doc:
            out["description"] = self.doc
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.format is not None:
            out["format"] = self.format
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            out["exclusiveMinimum"] = self.exclusive_minimum
        if self.examples:
            out["examples"] = list(self.examples)
        return out


@attrs.frozen
class Array(Node):
    """A list of one kind of item."""

    item: Node
    doc: str = ""
    min_items: int = 0
    unique: bool = False

    @property
    def expected(self) -> str:
        return f"an array of {self.item.expected}"

    def accepts(self, value: object) -> bool:
        return isinstance(value, list)

    def read(self, value: object, path: Path, problems: list[Problem]) -> Any:
        if not isinstance(value, list):
            problems.append(Problem(path, describe(value), self.expected))
            return INVALID
        if len(value) < self.min_items:
            problems.append(
                Problem(path, f"{len(value)} items", f"at least {self.min_items} item(s)")
            )
            return INVALID
        items = [self.item.read(v, (*path, i), problems) for i, v in enumerate(value)]
        if self.unique:
            seen: list[object] = []
            for i, v in enumerate(value):
                if v in seen:
                    problems.append(Problem((*path, i), describe(v), "no repeated items"))
                    return INVALID
                seen.append(v)
        return INVALID if any(i is INVALID for i in items) else items

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema(defs)}
        if self.doc:
            out["description"] = self.doc
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        return out


@attrs.frozen
class Field:
    """A key of a table: its node, whether it must be given, and what it means."""

    node: Node
    required: bool = False
    doc: str = ""
    default: Any = None


@attrs.frozen
class Table(Node):
    """A table with named keys (``fields``) or with free keys (``values``), never unknown ones.

    Named tables are published once in the schema's ``$defs``.
    """

    fields: Mapping[str, Field] = attrs.field(factory=dict)
    doc: str = ""
    values: Node | None = None
    key_pattern: str | None = None
    key_what: str = "name"
    name: str | None = None

    @property
    def expected(self) -> str:
        if self.name:
            return f"a {self.name} table"
        return f"a table of {self.key_what} keys" if self.values is not None else "a table"

    def accepts(self, value: object) -> bool:
        return isinstance(value, Mapping)

    def read(self, value: object, path: Path, problems: list[Problem]) -> Any:
        if not isinstance(value, Mapping):
            problems.append(Problem(path, describe(value), self.expected))
            return INVALID
        out: dict[str, Any] = {}
        bad = False
        for key, field in self.fields.items():
            if field.required and key not in value:
                problems.append(
                    Problem((*path, key), "nothing", f"{field.node.expected} (required)")
                )
                bad = True
        for key, item in value.items():
            known = self.fields.get(key)
            if known is not None:
                node: Node = known.node
            elif self.values is not None and (
                self.key_pattern is None or re.fullmatch(self.key_pattern, key)
            ):
                node = self.values
            else:
                problems.append(Problem((*path, key), "an unknown key", _known(self)))
                bad = True
                continue
            checked = node.read(item, (*path, key), problems)
            bad = bad or checked is INVALID
            out[key] = checked
        return INVALID if bad else out

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        if self.name is not None:
            if self.name not in defs:
                defs[self.name] = {}  # a placeholder first: the format may refer to itself
                defs[self.name] = self._schema(defs)
            return {"$ref": f"#/$defs/{self.name}"}
        return self._schema(defs)

    def _schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object"}
        if self.doc:
            out["description"] = self.doc
        if self.fields:
            properties = {}
            for key, field in self.fields.items():
                prop = dict(field.node.schema(defs))
                if field.doc:
                    if "$ref" in prop:
                        prop = {"allOf": [prop]}
                    prop["description"] = field.doc
                if field.default is not None:
                    prop["default"] = field.default
                properties[key] = prop
            out["properties"] = properties
            required = [k for k, f in self.fields.items() if f.required]
            if required:
                out["required"] = required
        if self.values is None:
            out["additionalProperties"] = False
        elif self.key_pattern is not None:
            out["patternProperties"] = {self.key_pattern: self.values.schema(defs)}
            out["additionalProperties"] = False
        else:
            out["additionalProperties"] = self.values.schema(defs)
        return out


def _known(table: Table) -> str:
    names = ", ".join(table.fields)
    if table.values is not None:
        extra = f"a {table.key_what}"
        return f"one of {names}, or {extra}" if names else extra
    return f"one of {names}"


@attrs.frozen
class OneOf(Node):
    """One of several shapes, told apart by the parsed value's type (first match wins)."""

    options: tuple[Node, ...]
    doc: str = ""

    @property
    def expected(self) -> str:
        return " or ".join(o.expected for o in self.options)

    def accepts(self, value: object) -> bool:
        return any(o.accepts(value) for o in self.options)

    def read(self, value: object, path: Path, problems: list[Problem]) -> Any:
        for option in self.options:
            if option.accepts(value):
                return option.read(value, path, problems)
        problems.append(Problem(path, describe(value), self.expected))
        return INVALID

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"oneOf": [o.schema(defs) for o in self.options]}
        if self.doc:
            out["description"] = self.doc
        return out


def check(node: Node, value: object) -> tuple[Any, list[Problem]]:
    """Read ``value`` against ``node``: the checked value and every problem found."""
    problems: list[Problem] = []
    return node.read(value, (), problems), problems


def json_schema(node: Node, *, title: str, schema_id: str, description: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the format whose root is ``node``."""
    defs: dict[str, Any] = {}
    body = node.schema(defs)
    if "$ref" in body:
        root_name = body["$ref"].rsplit("/", 1)[-1]
        body = dict(defs.pop(root_name))
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        "description": description,
    }
    out.update(body)
    out["description"] = description
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out
