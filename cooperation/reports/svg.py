"""Pictures for reports, drawn as SVG text by our own layout (no Graphviz needed).

`workflow_svg` lays a workflow's prerequisite graph out in layers, left to right: what is
needed first on the left, what needs it to its right, each arrow meaning "is needed by".
Layers come from networkx's topological generations; the order inside a layer is
improved by a few barycentre sweeps, which keeps most arrows short and uncrossed.
`progress_svg` draws one initiative: its ladder of stages, where it stands, and how far
each prerequisite of its next stage has come.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

import networkx as nx

from cooperation.reports.model import ConditionLine, InitiativeReport, WorkflowPicture

_FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""
_NODE_WIDTH, _NODE_HEIGHT, _LAYER_GAP, _ROW_GAP, _MARGIN = 176, 38, 64, 12, 16
_CHARS_PER_LINE = 26  # what fits in a node at 11px
_SWEEPS = 8
_WAYPOINT_HEIGHT = 14
_EDGE_STYLES = {
    "requires": 'stroke="#6b7785" stroke-width="1.2"',
    "follows": 'stroke="#1f4e79" stroke-width="2.2"',
    "composes": 'stroke="#6b7785" stroke-width="1.2" stroke-dasharray="4 3"',
    "leads to": 'stroke="#6b3fa0" stroke-width="1.4" stroke-dasharray="6 3"',
}

_NODE_STYLES = {
    "stage": 'fill="#1f4e79" stroke="#1f4e79"',
    "stage-off": 'fill="#5b6770" stroke="#5b6770"',
    "required": 'fill="#ffffff" stroke="#1f4e79"',
    "waivable": 'fill="#ffffff" stroke="#1f4e79" stroke-dasharray="6 3"',
    "advisory": 'fill="#f3f4f6" stroke="#8a94a0" stroke-dasharray="2 3"',
    "transition": 'fill="#f4ecfa" stroke="#6b3fa0"',
}


# Characters XML 1.0 (and so SVG and HTML) does not allow: C0 controls other than tab and newlines,
# lone surrogates, and the two non-characters at the end of the basic plane.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """`text` without the characters a web page or an SVG file may not hold."""
    return _NOT_XML.sub("", text)


def escape(text: str) -> str:
    return _xml_escape(printable(text))


def _attribute(text: str) -> str:
    return _xml_escape(printable(text), {'"': "&quot;", "'": "&#39;"})


def _lines(text: str, width: int, most: int) -> list[str]:
    wrapped = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(wrapped) > most:
        wrapped = wrapped[:most]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def _text_block(
    x: float, y: float, lines: Sequence[str], *, size: int, fill: str, anchor: str = "middle", weight: str = "normal"
) -> str:
    """Lines of text centred vertically on y."""
    first = y - (len(lines) - 1) * (size + 2) / 2 + size * 0.35
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + index * (size + 2):.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" fill="{fill}">{spans}</text>'


# --- the prerequisite graph ---------------------------------------------------------------------


@dataclass(frozen=True)
class GraphLayout:
    """Where each node of a workflow picture goes, and the waypoints of each edge.

    `layers` lists node ids by column, top to bottom; an edge that spans several columns
    passes through one waypoint (a name starting with `~`) in each column between.
    """

    layers: list[list[str]]
    routes: dict[tuple[str, str], list[str]]

    def column(self, name: str) -> int:
        return next(index for index, members in enumerate(self.layers) if name in members)


def graph_layout(picture: WorkflowPicture) -> GraphLayout:
    """Columns by prerequisite depth, each node as close to what needs it as it can be, then rows ordered
    by barycentre sweeps so that arrows stay short and rarely cross."""
    graph = nx.DiGraph()
    graph.add_nodes_from(node.id for node in picture.nodes)
    graph.add_edges_from((edge.source, edge.target) for edge in picture.edges)
    declared = {node.id: index for index, node in enumerate(picture.nodes)}
    column: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        for name in generation:
            column[name] = depth
    # Pull each prerequisite right, next to the first thing that needs it, so its arrow is short.
    for name in reversed(list(nx.topological_sort(graph))):
        successors = [column[other] for other in graph.successors(name)]
        if successors:
            column[name] = min(successors) - 1
    layers: list[list[str]] = [[] for _ in range(max(column.values(), default=0) + 1)]
    for name in sorted(column, key=declared.__getitem__):
        layers[column[name]].append(name)
    routes: dict[tuple[str, str], list[str]] = {}
    neighbours: dict[str, tuple[list[str], list[str]]] = {name: ([], []) for name in column}
    for source, target in graph.edges:
        chain = [source]
        for between in range(column[source] + 1, column[target]):
            waypoint = f"~{source}>{target}@{between}"
            layers[between].append(waypoint)
            neighbours[waypoint] = ([], [])
            chain.append(waypoint)
        chain.append(target)
        routes[source, target] = chain[1:-1]
        for before, after in itertools.pairwise(chain):
            neighbours[before][1].append(after)
            neighbours[after][0].append(before)
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for index in indices:
            place = {name: row for row, name in enumerate(layers[index - 1 if downward else index + 1])}
            current = {name: row for row, name in enumerate(layers[index])}

            def centre(
                name: str,
                place: dict[str, int] = place,
                current: dict[str, int] = current,
                side: int = 0 if downward else 1,
            ) -> float:
                rows = [place[other] for other in neighbours[name][side] if other in place]
                # Nodes without neighbours on that side keep their place relative to the others.
                return sum(rows) / len(rows) if rows else float(current[name])

            layers[index] = sorted(layers[index], key=centre)
    return GraphLayout(layers, routes)


def workflow_svg(picture: WorkflowPicture) -> str:
    """The prerequisite graph of a workflow as a standalone SVG element."""
    layout = graph_layout(picture)
    slot = {True: _WAYPOINT_HEIGHT, False: _NODE_HEIGHT + _ROW_GAP}
    heights = [sum(slot[name.startswith("~")] for name in members) for members in layout.layers]
    tallest = max(heights, default=0)
    legend_height = 34
    height = int(_MARGIN * 2 + tallest + legend_height)
    width = max(760, _MARGIN * 2 + max(len(layout.layers), 1) * (_NODE_WIDTH + _LAYER_GAP) - _LAYER_GAP)
    top: dict[str, float] = {}
    left: dict[str, float] = {}
    for index, members in enumerate(layout.layers):
        y = legend_height + _MARGIN + (tallest - heights[index]) / 2
        for name in members:
            top[name], left[name] = y, _MARGIN + index * (_NODE_WIDTH + _LAYER_GAP)
            y += slot[name.startswith("~")]
    marker_id = "arrow-" + "".join(character if character.isalnum() else "-" for character in picture.id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" {_FONT} '
        f'aria-label="{_attribute("Prerequisite graph of " + picture.title)}">',
        f"<title>{escape('Prerequisite graph of ' + picture.title)}</title>",
        f'<defs><marker id="{marker_id}" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#6b7785"/></marker></defs>',
        _legend(),
    ]
    middle = _NODE_HEIGHT / 2
    for edge in picture.edges:
        points = [(left[edge.source] + _NODE_WIDTH, top[edge.source] + middle)]
        for waypoint in layout.routes[edge.source, edge.target]:
            y = top[waypoint] + _WAYPOINT_HEIGHT / 2
            points += [(left[waypoint], y), (left[waypoint] + _NODE_WIDTH, y)]
        points.append((left[edge.target], top[edge.target] + middle))
        path = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
        for index in range(1, len(points)):
            (x1, y1), (x2, y2) = points[index - 1], points[index]
            if index % 2:  # across a gap between columns: a smooth S-curve
                bend = (x2 - x1) / 2
                path.append(f"C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
            else:  # through a column, between its nodes
                path.append(f"L{x2:.1f},{y2:.1f}")
        style = _EDGE_STYLES.get(edge.relation, _EDGE_STYLES["requires"])
        parts.append(
            f'<path class="edge {escape(edge.relation)}" d="{" ".join(path)}" fill="none" {style} '
            f'marker-end="url(#{marker_id})"/>'
        )
    parts.extend(
        _node(node.kind, node.strength, node.ladder, node.title, node.name, left[node.id], top[node.id])
        for node in picture.nodes
    )
    parts.append("</svg>")
    return "".join(parts)


def _style_key(kind: str, strength: str | None, ladder: bool) -> str:
    if kind == "stage":
        return "stage" if ladder else "stage-off"
    if kind == "transition":
        return "transition"
    return strength if strength in _NODE_STYLES else "required"


def _node(kind: str, strength: str | None, ladder: bool, title: str, name: str, x: float, y: float) -> str:
    key = _style_key(kind, strength, ladder)
    style = _NODE_STYLES[key]
    light = key in ("stage", "stage-off")
    if kind == "transition":
        inset = 10
        points = (
            f"{x + inset},{y} {x + _NODE_WIDTH - inset},{y} {x + _NODE_WIDTH},{y + _NODE_HEIGHT / 2} "
            f"{x + _NODE_WIDTH - inset},{y + _NODE_HEIGHT} {x + inset},{y + _NODE_HEIGHT} "
            f"{x},{y + _NODE_HEIGHT / 2}"
        )
        shape = f'<polygon points="{points}" {style} stroke-width="1.4"/>'
    else:
        radius = 16 if kind == "stage" else 4
        shape = (
            f'<rect x="{x}" y="{y}" width="{_NODE_WIDTH}" height="{_NODE_HEIGHT}" rx="{radius}" {style} '
            f'stroke-width="1.4"/>'
        )
    label = _text_block(
        x + _NODE_WIDTH / 2,
        y + _NODE_HEIGHT / 2,
        _lines(title, _CHARS_PER_LINE, 2),
        size=11,
        fill="#ffffff" if light else "#1b1f24",
        weight="bold" if kind == "stage" else "normal",
    )
    tooltip = f"{kind} {name}: {title}" + (f" ({strength})" if strength else "")
    return f'<g class="node {key}"><title>{escape(tooltip)}</title>{shape}{label}</g>'


def _legend() -> str:
    entries = [
        ("stage", "stage"),
        ("required", "required condition"),
        ("waivable", "waivable"),
        ("advisory", "advisory"),
        ("transition", "move"),
    ]
    parts = ['<g class="legend">']
    x: float = _MARGIN
    for key, label in entries:
        parts.append(f'<rect x="{x:.1f}" y="{_MARGIN - 4}" width="18" height="12" rx="3" {_NODE_STYLES[key]}/>')
        parts.append(f'<text x="{x + 24:.1f}" y="{_MARGIN + 6}" font-size="11" fill="#1b1f24">{escape(label)}</text>')
        x += 36 + len(label) * 6.8
    for relation, label in (("requires", "is needed by"), ("composes", "is part of"), ("leads to", "leads to")):
        parts.append(f'<path d="M{x:.1f},{_MARGIN + 2} h22" fill="none" {_EDGE_STYLES[relation]}/>')
        parts.append(f'<text x="{x + 28:.1f}" y="{_MARGIN + 6}" font-size="11" fill="#1b1f24">{escape(label)}</text>')
        x += 44 + len(label) * 6.8
    parts.append("</g>")
    return "".join(parts)


# --- one initiative's progress -------------------------------------------------------------------

_STATE_COLOURS = {"met": "#2e7d32", "waived": "#1565c0", "blocking": "#c62828", "advisory": "#8a94a0"}
_STEP, _TRACK_Y, _ROW, _BAR_X, _BAR_WIDTH = 84, 34, 22, 200, 200
_PILL_WIDTH, _PILL_CHARACTERS = 124, 16  # an off-ladder stage's pill: 16 bold characters of 11 px fit in it


def condition_state(met: bool, waived: bool, blocking: bool) -> str:
    """One word for a condition's state: met, waived, blocking or advisory (unmet but not blocking)."""
    if met:
        return "met"
    if waived:
        return "waived"
    return "blocking" if blocking else "advisory"


def progress_svg(initiative: InitiativeReport, picture: WorkflowPicture) -> str:
    """The initiative's ladder, where it stands, and each prerequisite of its next stage as a bar."""
    ladder = picture.ladder
    here = ladder.index(initiative.stage) if initiative.stage in ladder else None
    off_ladder = here is None
    pending = [line for line in initiative.conditions if line.for_next_stage]
    bars_top = _TRACK_Y + 74
    height = bars_top + (len(pending) * _ROW + 24 if pending else 0) + 8
    x0 = _MARGIN + 46  # room for the first stage's label
    pill_x = x0 + len(ladder) * _STEP  # an off-ladder stage is drawn a step after the track's end
    track_width = (pill_x - 10 + _PILL_WIDTH + _MARGIN) if off_ladder else x0 + (len(ladder) - 1) * _STEP + 50
    width = max(track_width, _BAR_X + _BAR_WIDTH + 110)
    name = initiative.name
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" {_FONT} aria-label="{_attribute("Progress of " + name)}">',
        f"<title>{escape('Progress of ' + name)}</title>",
    ]
    parts += _ladder_track(initiative, picture, here, x0)
    if off_ladder:
        parts += _off_ladder_stage(initiative, pill_x)
    if pending:
        parts += _prerequisite_bars(initiative, pending, bars_top)
    parts.append("</svg>")
    return "".join(parts)


def _ladder_track(initiative: InitiativeReport, picture: WorkflowPicture, here: int | None, x0: int) -> list[str]:
    """The ladder as a track of stages: passed, current, next (ready or blocked) and ahead, with dates entered."""
    ladder = picture.ladder
    titles = {stage.id: stage.title for stage in picture.stages}
    parts: list[str] = []
    # Off the ladder (handed off, escalated), the stages it went through are behind it, not ahead.
    entered = [index for index, stage in enumerate(ladder) if stage in initiative.stage_entered]
    passed_until = here if here is not None else (max(entered) + 1 if entered else 0)  # stages before it passed
    if len(ladder) > 1:
        reached_x = x0 + (here if here is not None else max(0, passed_until - 1)) * _STEP
        parts.append(
            f'<line x1="{x0}" y1="{_TRACK_Y}" x2="{x0 + (len(ladder) - 1) * _STEP}" y2="{_TRACK_Y}" '
            'stroke="#c9d1d9" stroke-width="4"/>'
        )
        if reached_x > x0:
            parts.append(
                f'<line x1="{x0}" y1="{_TRACK_Y}" x2="{reached_x}" y2="{_TRACK_Y}" stroke="#2e7d32" stroke-width="4"/>'
            )
    for index, stage in enumerate(ladder):
        x = x0 + index * _STEP
        if index < passed_until:
            fill, stroke, state = "#2e7d32", "#2e7d32", "passed"
        elif index == here:
            fill, stroke, state = "#1f4e79", "#1f4e79", "current stage"
        elif stage == initiative.next:
            fill, stroke = "#ffffff", "#2e7d32" if initiative.can_advance else "#c62828"
            state = "next: ready" if initiative.can_advance else "next: blocked"
        else:
            fill, stroke, state = "#ffffff", "#c9d1d9", "ahead"
        radius = 11 if index == here else 8
        parts.append(
            f'<g class="stage-step"><title>{escape(f"{titles.get(stage, stage)}: {state}")}</title>'
            f'<circle cx="{x}" cy="{_TRACK_Y}" r="{radius}" fill="{fill}" stroke="{stroke}" '
            'stroke-width="3"/>'
        )
        parts.append(
            _text_block(
                x,
                _TRACK_Y + 26,
                _lines(titles.get(stage, stage), 11, 2),
                size=11,
                fill="#1b1f24",
                weight="bold" if index == here else "normal",
            )
        )
        since = initiative.stage_entered.get(stage)
        if since and (index < passed_until or index == here):
            parts.append(_text_block(x, _TRACK_Y + 52, [since[:10]], size=10, fill="#5b6770"))
        parts.append("</g>")
    return parts


def _off_ladder_stage(initiative: InitiativeReport, x: int) -> list[str]:
    """A stage off the ladder (after a hand-off or an escalation), drawn as a pill after the track's end."""
    middle = x - 10 + _PILL_WIDTH / 2
    title = _lines(initiative.stage_title, _PILL_CHARACTERS, 1)
    parts = [
        f'<rect x="{x - 10}" y="{_TRACK_Y - 16}" width="{_PILL_WIDTH}" height="32" rx="16" fill="#5b6770"/>',
        _text_block(middle, _TRACK_Y, title, size=11, fill="#ffffff", weight="bold"),
    ]
    if initiative.stage_since:
        parts.append(_text_block(middle, _TRACK_Y + 52, [initiative.stage_since[:10]], size=10, fill="#5b6770"))
    return parts


def _prerequisite_bars(initiative: InitiativeReport, pending: list[ConditionLine], bars_top: int) -> list[str]:
    """A bar per prerequisite of the next stage, filled as far as it has progressed, coloured by its state."""
    heading = f"Prerequisites of {initiative.next_title or initiative.next}"
    parts = [
        f'<text x="{_MARGIN}" y="{bars_top}" font-size="12" font-weight="bold" fill="#1b1f24">{escape(heading)}</text>'
    ]
    for row, line in enumerate(pending):
        y = bars_top + 12 + row * _ROW
        state = condition_state(line.met, line.waived, line.blocking)
        colour = _STATE_COLOURS[state]
        filled = _BAR_WIDTH * (1.0 if line.met or line.waived else max(0.0, min(1.0, line.progress)))
        parts.append(
            f'<g class="condition-bar {state}"><title>{escape(f"{line.title}: {state}, {line.detail}")}</title>'
            f'<text x="{_MARGIN}" y="{y + 12}" font-size="11" fill="#1b1f24">'
            f"{escape(_lines(line.title, 30, 1)[0])}</text>"
            f'<rect x="{_BAR_X}" y="{y + 2}" width="{_BAR_WIDTH}" height="12" rx="3" fill="#eef1f4"/>'
            f'<rect x="{_BAR_X}" y="{y + 2}" width="{filled:.1f}" height="12" rx="3" fill="{colour}"/>'
            f'<text x="{_BAR_X + _BAR_WIDTH + 8}" y="{y + 12}" font-size="11" fill="{colour}">{state}</text></g>'
        )
    return parts
