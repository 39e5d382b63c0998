"""``servicekit diagram``: a protocol's lifecycle and escalation chains as pictures.

Mermaid text needs nothing to produce (GitHub, GitLab and MkDocs render it);
SVG and PNG go through Graphviz (the optional ``diagram`` extra and Graphviz's
``dot`` program). Both are generated from the protocol's values, so a diagram
cannot drift from what runs.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from typing import Any

from servicekit._extras import optional_import
from servicekit._lifecycle import ANY, SAME, Lifecycle
from servicekit._units import format_duration, format_share
from servicekit.errors import ServiceKitError
from servicekit.escalation import AfterBreach, AtSlaFraction, Delay, EscalationChain, Step
from servicekit.protocols._protocol import ServiceProtocol

__all__ = ["chain_mermaid", "protocol_graphviz", "protocol_mermaid"]


def _wait_text(step: Step, elapsed: _dt.timedelta | None) -> str:
    wait = step.wait
    if isinstance(wait, AtSlaFraction):
        return f"at {format_share(wait.fraction)} of {wait.metric}"
    if isinstance(wait, AfterBreach):
        if wait.duration:
            return f"{format_duration(wait.duration)} after {wait.metric} breach"
        return f"at {wait.metric} breach"
    assert isinstance(wait, Delay)
    business = " business" if wait.calendar is not None else ""
    if elapsed is None:
        return f"{format_duration(wait.duration)}{business} after the previous step"
    return "at once" if not elapsed else f"after {format_duration(elapsed)}{business}"


def _step_texts(chain: EscalationChain) -> list[tuple[str, str]]:
    """(when, who) per step; Delay waits add up while every earlier wait was a Delay."""
    out = []
    elapsed: _dt.timedelta | None = _dt.timedelta(0)
    for step in chain.steps:
        if isinstance(step.wait, Delay) and elapsed is not None:
            elapsed += step.wait.duration
        elif not isinstance(step.wait, Delay):
            elapsed = None
        who = ", ".join(f"{t.kind} {t.name}" for t in step.targets)
        extras = [f"by {step.channel}" if step.channel else ""]
        if step.reassign is not None:
            extras.append(f"reassign to {step.reassign.kind} {step.reassign.name}")
        detail = "; ".join(e for e in extras if e)
        out.append((_wait_text(step, elapsed), f"{who} ({detail})" if detail else who))
    return out


def _clean(text: str) -> str:
    # Mermaid's timeline reads ':' as a separator and '#' as an entity.
    return text.replace(":", " ").replace("#", "")


def chain_mermaid(chain: EscalationChain) -> str:
    """An escalation chain as a Mermaid ``timeline``: when each step fires and whom it tells."""
    lines = ["timeline", f"    title {_clean(chain.name)} ({chain.kind.value})"]
    for when, who in _step_texts(chain):
        lines.append(f"    {_clean(when)} : {_clean(who)}")
    repeat = chain.repeat
    if repeat.times != 0:
        times = "until stopped" if repeat.times is None else f"{repeat.times} more time(s)"
        lines.append(f"    then : again from step {repeat.from_step + 1}, {times}")
    return "\n".join(lines) + "\n"


def protocol_mermaid(protocol: ServiceProtocol) -> str:
    """The protocol as Markdown: its lifecycle (with timed transitions) and one timeline
    per escalation chain, each in a ```` ```mermaid ```` block."""
    parts = [
        f"# {protocol.name}\n",
        f"## Lifecycle: {protocol.lifecycle.name}\n",
        f"```mermaid\n{protocol.lifecycle.to_mermaid()}```\n",
    ]
    for chain in protocol.escalations:
        parts.append(f"## Escalation: {chain.name}\n")
        parts.append(f"```mermaid\n{chain_mermaid(chain)}```\n")
    return "\n".join(parts)


def _lifecycle_graph(graph: Any, lifecycle: Lifecycle) -> None:
    names = [s.name for s in lifecycle.statuses]
    for status in lifecycle.statuses:
        shape = "doublecircle" if status.category.is_final else "box"
        graph.node(
            f"s{names.index(status.name)}",
            f"{status.name}\n({status.category.value})",
            shape=shape,
            style="rounded" if shape == "box" else "",
        )
    graph.node("start", "", shape="point")
    graph.edge("start", f"s{names.index(lifecycle.initial)}")
    for tr in lifecycle.transitions:
        sources = names if ANY in tr.sources else list(tr.sources)
        label = tr.trigger
        if tr.after is not None:
            label += f"\n(after {format_duration(tr.after)})"
        for source in sources:
            dest = source if tr.dest == SAME else tr.dest
            graph.edge(
                f"s{names.index(source)}",
                f"s{names.index(dest)}",
                label=label,
                style="dashed" if tr.after is not None else "solid",
            )


def protocol_graphviz(protocol: ServiceProtocol, fmt: str) -> bytes:
    """The lifecycle and the escalation chains as one picture (``fmt``: ``svg`` or ``png``).

    Raises:
        ServiceKitError: the ``graphviz`` package or Graphviz's ``dot`` program is missing.
    """
    if fmt not in ("svg", "png"):
        raise ServiceKitError(f"unknown picture format {fmt!r}; use svg or png")
    graphviz = optional_import(
        "graphviz",
        needed_for="pictures (or use --format mermaid, which needs nothing)",
        extra="diagram",
    )
    if shutil.which("dot") is None:
        raise ServiceKitError(
            "pictures need Graphviz's dot program (e.g. apt install graphviz, brew install "
            "graphviz), or use --format mermaid, which needs nothing"
        )
    graph = graphviz.Digraph(protocol.name, graph_attr={"rankdir": "LR", "fontname": "Helvetica"})
    with graph.subgraph(name="cluster_lifecycle") as sub:
        sub.attr(label=f"lifecycle: {protocol.lifecycle.name}")
        _lifecycle_graph(sub, protocol.lifecycle)
    for i, chain in enumerate(protocol.escalations):
        with graph.subgraph(name=f"cluster_chain{i}") as sub:
            sub.attr(label=f"escalation: {chain.name} ({chain.kind.value})")
            previous = None
            for j, (when, who) in enumerate(_step_texts(chain)):
                node = f"c{i}_{j}"
                sub.node(node, f"{when}\n{who}", shape="note")
                if previous is not None:
                    sub.edge(previous, node)
                previous = node
            if chain.repeat.times != 0 and previous is not None:
                sub.edge(previous, f"c{i}_{chain.repeat.from_step}", label="repeat", style="dashed")
    rendered: bytes = graph.pipe(format=fmt)
    return rendered
