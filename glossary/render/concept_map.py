"""The concept map as an SVG graph, drawn without any external tool.

A layered drawing: a term sits one layer below the deepest term it builds on, and
arrows point from a term to the terms that build on it. An arrow that skips layers
passes through a free slot of every layer it crosses (a slot as wide as the gap
between boxes), so that no arrow ever crosses a box or its label; the order within
each layer is chosen to keep arrows short and crossings few (barycentre sweeps).
Labels are escaped (entry names are text) and wrap onto two lines instead of shrinking.
"""

from __future__ import annotations

import html
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COLORS", "Layout", "concept_map_svg", "depths", "edge_path", "layout", "wrap_label"]

COLORS = {"calculus": "#3f7fd9", "linear-algebra": "#2ca58d", "probability": "#b457c9", "deep-learning": "#e0683a"}

BOX_W, BOX_H = 150, 44
SLOT_W = 22  # the width a passing arrow takes in a layer it crosses
GAP_X, GAP_Y = 20, 64
FONT = 13
MARGIN = 12


def depths(ids: list[str], builds_on: dict[str, list[str]]) -> dict[str, int]:
    depth: dict[str, int] = {}

    def visit(node: str, trail: frozenset[str]) -> int:
        if node in depth:
            return depth[node]
        parents = [p for p in builds_on.get(node, []) if p not in trail]
        value = 0 if not parents else 1 + max(visit(p, trail | {node}) for p in parents)
        depth[node] = value
        return value

    for node in ids:
        visit(node, frozenset())
    return depth


def _text_width(text: str) -> float:
    """Rough width of a label at FONT px: Hangul and other wide letters take a full em."""
    return sum(FONT * (1.0 if ord(ch) > 0x2E80 else 0.58 if ch.isupper() else 0.5) for ch in text)


def wrap_label(text: str, width: float = BOX_W - 14) -> list[str]:
    """A label in at most two lines that fit the box, split between words."""
    if _text_width(text) <= width:
        return [text]
    words = text.split(" ")
    best: list[str] = [text]
    best_width = float("inf")
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        widest = max(_text_width(line) for line in lines)
        if widest < best_width:
            best, best_width = lines, widest
    return best


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, tuple[float, float]]  # node → top-left corner
    edges: list[tuple[str, str, list[tuple[float, float]]]] = field(default_factory=list)  # parent, child, points


def layout(ids: list[str], builds_on: dict[str, list[str]]) -> Layout:
    """Positions of the boxes and the points each arrow passes through (its path bends only
    between layers)."""
    depth = depths(ids, builds_on)
    layers: dict[int, list[Any]] = defaultdict(list)
    for node in ids:
        layers[depth[node]].append(node)
    # An arrow that skips layers gets a slot (a dummy) in every layer in between.
    chains: list[tuple[str, str, list[Any]]] = []
    for child in ids:
        for parent in builds_on.get(child, []):
            if parent not in depth or depth[parent] >= depth[child]:
                continue
            chain: list[Any] = [parent]
            for level in range(depth[parent] + 1, depth[child]):
                dummy = ("slot", parent, child, level)
                layers[level].append(dummy)
                chain.append(dummy)
            chain.append(child)
            chains.append((parent, child, chain))
    neighbours_up: dict[Any, list[Any]] = defaultdict(list)
    neighbours_down: dict[Any, list[Any]] = defaultdict(list)
    for _, _, chain in chains:
        for upper, lower in itertools.pairwise(chain):
            neighbours_up[lower].append(upper)
            neighbours_down[upper].append(lower)
    levels = sorted(layers)
    order = {level: list(layers[level]) for level in levels}

    def rank() -> dict[Any, float]:
        return {node: index for level in levels for index, node in enumerate(order[level])}

    # Barycentre sweeps, down then up; ties keep the entries' order, so the drawing is deterministic.
    for _ in range(6):
        for sweep, neighbours in ((levels[1:], neighbours_up), (levels[-2::-1], neighbours_down)):
            for level in sweep:
                position = rank()
                current = order[level]

                def centre(node: Any, position=position, current=current, neighbours=neighbours) -> float:
                    linked = neighbours.get(node, [])
                    if not linked:
                        return float(current.index(node))
                    return sum(position[n] for n in linked) / len(linked)

                order[level] = sorted(current, key=lambda n: (centre(n), current.index(n)))

    def size(node: Any) -> float:
        return SLOT_W if isinstance(node, tuple) else BOX_W

    row_widths = {level: sum(size(n) for n in order[level]) + GAP_X * (len(order[level]) - 1) for level in levels}
    width = max(row_widths.values()) + 2 * MARGIN
    x_of: dict[Any, float] = {}
    y_of: dict[int, float] = {}
    for level in levels:
        x = (width - row_widths[level]) / 2
        y_of[level] = MARGIN + level * (BOX_H + GAP_Y)
        for node in order[level]:
            x_of[node] = x
            x += size(node) + GAP_X
    height = MARGIN * 2 + len(levels) * BOX_H + (len(levels) - 1) * GAP_Y
    boxes = {node: (x_of[node], y_of[depth[node]]) for node in ids}

    # Ports: arrows leave a box's bottom and enter a box's top at points spread by where they go.
    def ports(node: str, others: list[Any]) -> dict[Any, float]:
        others = sorted(others, key=lambda n: x_of[n] + size(n) / 2)
        left, span = x_of[node] + BOX_W * 0.2, BOX_W * 0.6
        count = len(others)
        return {n: left + span * ((i + 1) / (count + 1)) for i, n in enumerate(others)}

    out_ports = {node: ports(node, neighbours_down.get(node, [])) for node in ids}
    in_ports = {node: ports(node, neighbours_up.get(node, [])) for node in ids}
    result = Layout(width, height, boxes)
    for parent, child, chain in chains:
        points = [(out_ports[parent][chain[1]], y_of[depth[parent]] + BOX_H)]
        for dummy in chain[1:-1]:
            x = x_of[dummy] + SLOT_W / 2
            level = dummy[3]
            points += [(x, y_of[level]), (x, y_of[level] + BOX_H)]
        points.append((in_ports[child][chain[-2]], y_of[depth[child]]))
        result.edges.append((parent, child, points))
    return result


def edge_path(points: list[tuple[float, float]]) -> str:
    """Straight down through a layer, an S-curve with vertical ends between layers."""
    (x, y), *rest = points
    commands = [f"M {x:.1f} {y:.1f}"]
    for index, (nx, ny) in enumerate(rest):
        if index % 2 == 0:  # between layers
            middle = (y + ny) / 2
            commands.append(f"C {x:.1f} {middle:.1f} {nx:.1f} {middle:.1f} {nx:.1f} {ny:.1f}")
        else:  # through a slot of a layer
            commands.append(f"L {nx:.1f} {ny:.1f}")
        x, y = nx, ny
    return " ".join(commands)


def concept_map_svg(
    entries: Sequence[Any], builds_on: dict[str, list[str]], names: dict[str, str], links: dict[str, str], label: str
) -> str:
    """Layered drawing of the terms; ``names`` and ``links`` are by entry id."""
    ids = [e.id for e in entries]
    by_id = {e.id: e for e in entries}
    drawing = layout(ids, builds_on)
    parts = [
        f'<svg class="concept-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawing.width:.0f} '
        f'{drawing.height:.0f}" role="img" aria-label="{html.escape(label)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8f98"/></marker></defs>',
    ]
    for _, _, points in drawing.edges:
        parts.append(
            f'<path d="{edge_path(points)}" fill="none" stroke="#8a8f98" stroke-width="1.3" marker-end="url(#arrow)"/>'
        )
    for node in ids:
        x, y = drawing.boxes[node]
        lines = wrap_label(names[node])
        first = y + BOX_H / 2 + FONT * 0.35 - (len(lines) - 1) * FONT * 0.6
        text = "".join(
            f'<tspan x="{x + BOX_W / 2:.1f}" y="{first + i * FONT * 1.2:.1f}">{html.escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<a href="{html.escape(links[node])}"><rect class="concept-map__plate" x="{x:.1f}" y="{y:.1f}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="6" fill="#fff" stroke="{COLORS[by_id[node].category]}" '
            f'stroke-width="2.2"/><text text-anchor="middle" font-size="{FONT}" fill="currentColor">{text}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
