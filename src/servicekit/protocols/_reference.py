"""The protocol file format reference, written from the published JSON Schema.

``docs/protocol-format.md`` is this function's output (a test keeps them equal),
so the reference cannot say anything the schema, and so the loader, does not.
"""

from __future__ import annotations

from typing import Any

from servicekit.protocols._files import protocol_schema

__all__ = ["format_reference"]

_INTRO = """\
# Protocol file format

This page is generated from the JSON Schema of protocol files
([`protocol.schema.json`](protocol.schema.json); `servicekit protocol schema` prints it), which
is itself generated from the definition the loader reads. Every table refuses keys it does not
list. Durations are written `"4h"`, `"30min"`, `"1h 30min"`, `"7d"` or `"3 business days"` (whole
open days of the calendar the duration counts in); shares are written `"75%"`.

To have your editor complete and check protocol files, point it at the schema: with
Even Better TOML (Taplo), put `#:schema ./protocol.schema.json` as the first line of the file,
or associate `*.protocol.toml` with the schema in the editor's settings.
"""


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name})"  # the heading's own anchor: toc keeps underscores
    if "allOf" in prop:
        return _type(prop["allOf"][0])
    if "oneOf" in prop:
        return " or ".join(_type(p) for p in prop["oneOf"])
    kind = prop.get("type", "")
    if kind == "array":
        return f"array of {_type(prop['items'])}"
    if kind == "object":
        values = prop.get("additionalProperties")
        if isinstance(values, dict):
            return f"table of {_type(values)}"
        patterns = prop.get("patternProperties")
        if patterns:
            return f"table of {_type(next(iter(patterns.values())))}"
        return "table"
    if "enum" in prop:
        choices = ", ".join(f"`{e}`" for e in prop["enum"])
        return f"{kind}: {choices}" if len(prop["enum"]) <= 8 else f"{kind} (one of {choices})"
    if "examples" in prop:
        return f"{kind}, e.g. " + ", ".join(f"`{e}`" for e in prop["examples"])
    return str(kind)


def _table(schema: dict[str, Any]) -> list[str]:
    props = schema.get("properties", {})
    if not props:
        return [f"Keys: any; values: {_type(schema)}.", ""]
    required = set(schema.get("required", ()))
    lines = ["| key | type | required | meaning |", "| --- | --- | --- | --- |"]
    for key, prop in props.items():
        meaning = prop.get("description", "").replace("|", "\\|")
        if "default" in prop:
            meaning += f" Default: `{prop['default']}`."
        kind = _type(prop).replace("|", "\\|")
        needed = "yes" if key in required else ""
        lines.append(f"| `{key}` | {kind} | {needed} | {meaning.strip()} |")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        lines.append(f"| *any other key* | {_type(extra)} | | |")
    return [*lines, ""]


def format_reference() -> str:
    """The Markdown reference of the protocol file format."""
    schema = protocol_schema()
    lines = [_INTRO, "## protocol", "", schema["description"], "", *_table(schema)]
    for name, definition in schema.get("$defs", {}).items():
        if name == "protocol":
            continue
        lines += [f"## {name}", ""]
        if definition.get("description"):
            lines += [definition["description"], ""]
        lines += _table(definition)
    return "\n".join(lines).rstrip() + "\n"
