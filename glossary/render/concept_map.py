"""The concept map as an SVG graph, drawn without any external tool.

A term sits one layer below the deepest term it builds on; arrows point from a
term to the terms that build on it. Labels are escaped: entry names are text.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

__all__ = ["COLORS", "concept_map_svg", "depths"]

COLORS = {"calculus": "#3f7fd9", "linear-algebra": "#2ca58d", "probability": "#b457c9", "deep-learning": "#e0683a"}


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


def concept_map_svg(
    entries: Sequence[Any], builds_on: dict[str, list[str]], names: dict[str, str], links: dict[str, str], label: str
) -> str:
    """Layered drawing of the terms; ``names`` and ``links`` are by entry id."""
    ids = [e.id for e in entries]
    by_id = {e.id: e for e in entries}
    depth = depths(ids, builds_on)
    layers: dict[int, list[str]] = defaultdict(list)
    for node in ids:
        layers[depth[node]].append(node)
    box_w, box_h, gap_x, gap_y = 150, 34, 18, 70
    widest = max(len(v) for v in layers.values())
    width = widest * (box_w + gap_x) + gap_x
    height = len(layers) * (box_h + gap_y) + gap_y // 2
    position: dict[str, tuple[float, float]] = {}
    for level, nodes in sorted(layers.items()):
        row_width = len(nodes) * (box_w + gap_x) - gap_x
        start = (width - row_width) / 2
        for index, node in enumerate(nodes):
            position[node] = (start + index * (box_w + gap_x), gap_y / 2 + level * (box_h + gap_y))
    parts = [
        f'<svg class="concept-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(label)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8f98"/></marker></defs>',
    ]
    for node in ids:
        x2, y2 = position[node]
        for parent in builds_on.get(node, []):
            x1, y1 = position[parent]
            parts.append(
                f'<line x1="{x1 + box_w / 2:.1f}" y1="{y1 + box_h:.1f}" x2="{x2 + box_w / 2:.1f}" y2="{y2:.1f}" '
                'stroke="#8a8f98" stroke-width="1.2" marker-end="url(#arrow)"/>'
            )
    for node in ids:
        x, y = position[node]
        text = names[node]
        size = 13 if len(text) <= 18 else max(9, math.floor(13 * 18 / len(text)))
        parts.append(
            f'<a href="{html.escape(links[node])}"><rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" '
            f'rx="6" fill="none" stroke="{COLORS[by_id[node].category]}" stroke-width="2"/>'
            f'<text x="{x + box_w / 2:.1f}" y="{y + box_h / 2 + 4:.1f}" text-anchor="middle" font-size="{size}" '
            f'fill="currentColor">{html.escape(text)}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
