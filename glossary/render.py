"""Rendering: verified entry results to Markdown pages, with one Jinja environment.

A pure function of its inputs: ``render_pages(results, templates_dir)``
returns ``{path: text}`` for both languages; it knows nothing of MkDocs and
never touches the disk except to read templates.
"""

from __future__ import annotations

import html
import importlib.metadata
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .content.catalog import EntryResult
from .content.registry import HELPER_CONCEPTS

__all__ = ["CATEGORIES", "LANGUAGES", "Renderer", "relations", "term_path"]

LANGUAGES = ("ko", "en")

CATEGORIES: dict[str, dict[str, str]] = {
    "calculus": {"ko": "미적분", "en": "Calculus"},
    "linear-algebra": {"ko": "선형대수", "en": "Linear algebra"},
    "probability": {"ko": "확률과 통계", "en": "Probability and statistics"},
    "deep-learning": {"ko": "딥러닝 기초", "en": "Deep learning basics"},
}

UI: dict[str, dict[str, str]] = {
    "ko": {
        "also": "다른 이름",
        "english": "영어",
        "korean": "한국어",
        "formulas": "유도된 공식",
        "steps": "유도 과정",
        "check": "수치 검증",
        "method": "방법",
        "points": "점 수",
        "max_error": "최대 오차",
        "tolerance": "허용 오차",
        "helper": "함수",
        "example": "실행 가능한 예제",
        "output": "출력",
        "plot": "그림",
        "related": "관련 용어",
        "builds_on": "바탕이 되는 용어",
        "used_by": "이 용어를 바탕으로 하는 용어",
        "none": "없음",
        "convention": "관례",
        "result": "결과",
        "term": "용어",
        "formula": "공식",
        "passed": "통과",
        "category": "분류",
        "home": "홈",
        "concept_map": "개념 지도",
        "verification": "검증 보고서",
        "api": "API 참조",
        "terms": "용어",
        "shown": "처음과 마지막만 표시",
    },
    "en": {
        "also": "Also called",
        "english": "English",
        "korean": "Korean",
        "formulas": "Derived formulas",
        "steps": "Derivation",
        "check": "Numeric check",
        "method": "method",
        "points": "points",
        "max_error": "worst error",
        "tolerance": "tolerance",
        "helper": "helper",
        "example": "Runnable example",
        "output": "Output",
        "plot": "Picture",
        "related": "Related terms",
        "builds_on": "Builds on",
        "used_by": "Used by",
        "none": "none",
        "convention": "Convention",
        "result": "Result",
        "term": "Term",
        "formula": "Formula",
        "passed": "passed",
        "category": "Category",
        "home": "Home",
        "concept_map": "Concept map",
        "verification": "Verification report",
        "api": "API reference",
        "terms": "terms",
        "shown": "first and last shown",
    },
}

PLOT_ALT: dict[str, dict[str, str]] = {
    "activations": {
        "ko": "활성화 함수와 그 도함수, 시그모이드 도함수의 최댓값 1/4 표시",
        "en": "Activation functions and their derivatives, with the sigmoid derivative's maximum 1/4 marked",
    },
    "normal-densities": {
        "ko": "평균과 표준편차가 다른 정규 분포의 밀도",
        "en": "Normal densities with different means and standard deviations",
    },
    "binomial-pmf": {
        "ko": "n = 20 인 이항 분포의 확률질량함수",
        "en": "Binomial probability mass functions with n = 20",
    },
    "pca-axes": {"ko": "데이터 위에 그린 주성분 방향", "en": "Principal directions drawn over the data"},
    "svd-error": {"ko": "랭크에 따른 저랭크 근사 오차", "en": "Low-rank approximation error against the rank"},
    "gradient-descent-path": {"ko": "등고선 위의 경사 하강법 경로", "en": "Gradient descent paths on the contours"},
    "overfitting": {
        "ko": "다항식 차수에 따른 훈련 오차와 검증 오차",
        "en": "Training and validation error against the polynomial degree",
    },
    "gradient-depth": {"ko": "깊이에 따른 기울기 크기의 상한", "en": "The bound on the gradient size against depth"},
}


def term_path(category: str, term_id: str) -> str:
    """Path of a term page inside a language folder."""
    return f"{category}/{term_id}.md"


def relations(results: Sequence[EntryResult]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(builds_on, used_by) for every term: declared relations plus those implied by the helpers used."""
    ids = {r.entry.id for r in results}
    builds_on: dict[str, list[str]] = {}
    for result in results:
        targets = list(result.entry.builds_on)
        for formula in result.formulas:
            for target in HELPER_CONCEPTS.get(formula.formula.helper, ()):
                if target in ids and target != result.entry.id and target not in targets:
                    targets.append(target)
        builds_on[result.entry.id] = targets
    used_by: dict[str, list[str]] = defaultdict(list)
    for source, targets in builds_on.items():
        for target in targets:
            used_by[target].append(source)
    return builds_on, {i: sorted(used_by.get(i, [])) for i in ids}


def capitalise(name: str) -> str:
    """Upper-case the first letter only: "partial derivative" → "Partial derivative", "ReLU" stays."""
    return name[:1].upper() + name[1:]


def _fmt_error(value: float) -> str:
    return "0" if value == 0 else f"{value:.1e}"


@dataclass(frozen=True)
class Link:
    title: str
    path: str


class Renderer:
    """The one Jinja environment; templates live in ``templates/pages``."""

    def __init__(self, templates_dir: str | Path) -> None:
        self.templates_dir = Path(templates_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir / "pages")),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # Markdown, not HTML; values that go into HTML use |e
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["error"] = _fmt_error
        self.env.filters["cap"] = capitalise
        self.env.filters["indent_block"] = lambda text, n=4: "\n".join(
            (" " * n + line) if line else "" for line in str(text).splitlines()
        )

    def render_pages(self, results: Sequence[EntryResult]) -> dict[str, str]:
        """Every page of the site for both languages: ``{path: markdown}``."""
        results = sorted(results, key=lambda r: (list(CATEGORIES).index(r.entry.category), r.entry.order, r.entry.id))
        builds_on, used_by = relations(results)
        by_id = {r.entry.id: r for r in results}
        pages: dict[str, str] = {}
        versions = {name: importlib.metadata.version(name) for name in ("sympy", "numpy", "scipy")}
        for lang in LANGUAGES:
            ui = UI[lang]
            common = {"lang": lang, "ui": ui, "categories": CATEGORIES}

            def link(term_id: str, here: str, lang: str = lang) -> Link:
                target = by_id[term_id].entry
                return Link(capitalise(target.names[lang]), _relative(here, term_path(target.category, target.id)))

            for result in results:
                entry = result.entry
                here = term_path(entry.category, entry.id)
                pages[f"{lang}/{here}"] = self.env.get_template("term.md.j2").render(
                    **common,
                    entry=entry,
                    main=result.for_section(None),
                    sections=[(s, result.for_section(s.id)) for s in entry.sections],
                    example=next((f for f in result.formulas if f.formula.example), result.formulas[0]),
                    builds_on=[link(t, here) for t in builds_on[entry.id]],
                    used_by=[link(t, here) for t in used_by[entry.id]],
                    plots=[
                        (name, _relative(here, f"assets/plots/{name}.svg", up_to_root=True), PLOT_ALT[name][lang])
                        for name in entry.plots
                    ],
                    other=("en" if lang == "ko" else "ko"),
                )
            for category in CATEGORIES:
                here = f"{category}/index.md"
                members = [r.entry for r in results if r.entry.category == category]
                pages[f"{lang}/{here}"] = self.env.get_template("category.md.j2").render(
                    **common,
                    category=category,
                    members=members,
                    links={e.id: _relative(here, term_path(e.category, e.id)) for e in members},
                )
            pages[f"{lang}/index.md"] = self.env.get_template("home.md.j2").render(
                **common,
                results=results,
                links={r.entry.id: term_path(r.entry.category, r.entry.id) for r in results},
                formula_count=sum(len(r.formulas) for r in results),
                closest=max(
                    (
                        f.report.max_error / f.report.tolerance
                        for r in results
                        for f in r.formulas
                        if f.report.tolerance
                    ),
                    default=0.0,
                ),
            )
            pages[f"{lang}/concept-map.md"] = self.env.get_template("concept_map.md.j2").render(
                **common,
                svg=concept_map_svg(results, builds_on, lang),
                results=results,
                builds_on=builds_on,
                links={r.entry.id: term_path(r.entry.category, r.entry.id) for r in results},
                names={r.entry.id: capitalise(r.entry.names[lang]) for r in results},
            )
            pages[f"{lang}/verification.md"] = self.env.get_template("verification.md.j2").render(
                **common,
                results=results,
                links={r.entry.id: term_path(r.entry.category, r.entry.id) for r in results},
                versions=versions,
            )
            pages[f"{lang}/api.md"] = self.env.get_template("api.md.j2").render(**common)
        return pages


def _relative(here: str, target: str, up_to_root: bool = False) -> str:
    """A relative link from one page path to another inside the same language folder
    (or, with ``up_to_root``, to a path at the docs root)."""
    depth = here.count("/") + (1 if up_to_root else 0)
    return "../" * depth + target


# -- the concept map as an SVG graph, drawn without any external tool ---------------------------


def _depths(ids: list[str], builds_on: dict[str, list[str]]) -> dict[str, int]:
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


def concept_map_svg(results: Sequence[EntryResult], builds_on: dict[str, list[str]], lang: str) -> str:
    """Layered drawing: a term sits one layer below the deepest term it builds on."""
    ids = [r.entry.id for r in results]
    entries = {r.entry.id: r.entry for r in results}
    depth = _depths(ids, builds_on)
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
    colors = {"calculus": "#3f7fd9", "linear-algebra": "#2ca58d", "probability": "#b457c9", "deep-learning": "#e0683a"}
    parts = [
        f'<svg class="concept-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(UI[lang]["concept_map"])}">',
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
        entry = entries[node]
        href = f"../{entry.category}/{entry.id}/"
        label = html.escape(capitalise(entry.names[lang]))
        size = 13 if len(label) <= 18 else max(9, math.floor(13 * 18 / len(label)))
        parts.append(
            f'<a href="{href}"><rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" rx="6" '
            f'fill="none" stroke="{colors[entry.category]}" stroke-width="2"/>'
            f'<text x="{x + box_w / 2:.1f}" y="{y + box_h / 2 + 4:.1f}" text-anchor="middle" font-size="{size}" '
            f'fill="currentColor">{label}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
