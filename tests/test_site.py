"""The plugin inside real `mkdocs build` runs: complete, offline, reproducible, and safe on failure."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from pathlib import Path

import pytest
from conftest import copy_project, mkdocs_build
from hypothesis import given, settings
from hypothesis import strategies as st

from glossary.content.catalog import load_entries
from glossary.render import capitalise

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = load_entries(ROOT / "entries")


JINJA_LEFTOVER = re.compile(r"\{\{ ?[a-z_.]+ ?\}\}|\{%")


def term_pages(site: Path) -> list[tuple[str, str, Path]]:
    pages = []
    for loaded in ENTRIES.values():
        entry = loaded.entry
        pages.append(("ko", entry.id, site / entry.category / entry.id / "index.html"))
        pages.append(("en", entry.id, site / "en" / entry.category / entry.id / "index.html"))
    return pages


def test_every_term_has_a_page_in_both_languages(built_site):
    for lang, term, page in term_pages(built_site):
        assert page.is_file(), (lang, term)
        html = page.read_text(encoding="utf-8")
        assert f'lang="{lang}"' in html
        assert "arithmatex" in html
        assert not JINJA_LEFTOVER.search(html), term
        entry = ENTRIES[term].entry
        assert capitalise(entry.names[lang]) in html


def test_reference_pages_exist(built_site):
    for prefix in ("", "en/"):
        for page in ("index.html", "concept-map/index.html", "verification/index.html", "api/index.html"):
            assert (built_site / prefix / page).is_file(), prefix + page
    api = (built_site / "en" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("glossary.calculus.partial", "glossary.linalg.svd", "glossary.neural.backprop"):
        assert name in api
    report = (built_site / "en" / "verification" / "index.html").read_text(encoding="utf-8")
    formulas = sum(len(e.all_formulas()) for e in (loaded.entry for loaded in ENTRIES.values()))
    assert report.count("<tr>") - 1 == formulas
    assert "SymPy" in report and "NumPy" in report


EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!127\.0\.0\.1|localhost)""")


def test_pages_load_nothing_from_the_network(built_site):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)[^>]*>", html):
            if 'rel="alternate"' in tag or 'rel="canonical"' in tag:
                continue
            assert not EXTERNAL.search(tag), (page, tag)
    for sheet in built_site.rglob("*.css"):
        assert "fonts.googleapis" not in sheet.read_text(encoding="utf-8")
    assert (built_site / "assets" / "katex" / "katex.min.css").is_file()
    assert list((built_site / "assets" / "katex" / "fonts").glob("*.woff2"))


RAW_TEX = re.compile(r"\\(frac|left|right|begin|end|mathrm|operatorname|sum|partial|lambda|sigma)\b|\\\(|\\\[")


def test_math_is_typeset_when_the_site_is_built(built_site):
    """Pages carry KaTeX's HTML and MathML (with the TeX as its annotation) and load no KaTeX script."""
    assert not (built_site / "assets" / "katex" / "katex.min.js").exists()
    for lang, term, page in term_pages(built_site):
        html = page.read_text(encoding="utf-8")
        formulas = re.findall(r'<(?:span|div) class="arithmatex">', html)
        assert formulas, (lang, term)
        assert html.count('<span class="katex-mathml"><math') == len(formulas), (lang, term)
        assert html.count('<annotation encoding="application/x-tex">') == len(formulas)
        assert not re.search(r'class="arithmatex">\\[(\[]', html), (lang, term)
        assert "katex.min.js" not in html and "katex-init" not in html
        assert "assets/katex/katex.min.css" in html
        displays = html.count('<div class="arithmatex">')
        assert html.count('class="glossary-copy" hidden') == displays, "each display formula has its copy button"


def test_search_index_holds_readable_math_and_no_tex(built_site):
    data = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert set(data) == {"config", "docs"} and data["docs"]
    # code (the API reference's examples) may hold backslashes; prose and formulas may not
    texts = [re.sub(r"<code>.*?</code>", "", doc["title"] + " " + doc["text"], flags=re.DOTALL) for doc in data["docs"]]
    leftovers = [RAW_TEX.search(text) for text in texts]
    assert not any(leftovers), [
        text[max(m.start() - 60, 0) : m.end() + 60] for text, m in zip(texts, leftovers, strict=True) if m
    ]
    # the formulas are there as text a reader recognises
    assert any("λ" in text and "=" in text for text in texts)


def test_a_warm_build_needs_no_node_and_gives_the_same_site(built_project, tmp_path):
    """Every formula comes from the KaTeX cache: with Node out of reach the build still succeeds."""
    result = mkdocs_build(built_project, tmp_path / "warm", clean_cache=False, env={"PATH": str(tmp_path / "empty")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KaTeX typeset" not in result.stderr
    first, warm = digest_tree(built_project / "site"), digest_tree(tmp_path / "warm")
    assert first == warm


def test_concept_map_arrows_cross_no_box():
    from glossary.render import relations
    from glossary.render.concept_map import BOX_H, BOX_W, layout

    results = [type("R", (), {"entry": loaded.entry})() for loaded in ENTRIES.values()]
    builds_on, _ = relations(results)
    drawing = layout(sorted(builds_on), builds_on)
    for parent, child, points in drawing.edges:
        # sample each segment: the S-curves between layers stay between them, the slots inside a layer
        samples = []
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            samples += [(x1 + (x2 - x1) * t / 20, y1 + (y2 - y1) * t / 20) for t in range(1, 20)]
        for node, (bx, by) in drawing.boxes.items():
            inside = [(x, y) for x, y in samples if bx < x < bx + BOX_W and by < y < by + BOX_H]
            assert not inside, f"the arrow {parent} → {child} crosses the box of {node}"


def test_plots_are_deterministic_svg(built_site):
    plots = sorted((built_site / "assets" / "plots").glob("*.svg"))
    declared = [f for loaded in ENTRIES.values() for f in loaded.entry.all_formulas() if f.plot]
    assert len(plots) == 2 * len(declared) and declared
    for plot in plots:
        text = plot.read_text(encoding="utf-8")
        assert text.startswith("<?xml") and "<svg" in text
        assert "<dc:date>" not in text


def digest_tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


def test_two_clean_builds_are_byte_identical(built_project, tmp_path):
    second = mkdocs_build(built_project, tmp_path / "second")
    assert second.returncode == 0, second.stderr
    first, again = digest_tree(built_project / "site"), digest_tree(tmp_path / "second")
    assert first.keys() == again.keys()
    different = sorted(name for name in first if first[name] != again[name])
    assert different == []


MISTAKES = [
    ("bayes.yaml", "  en: Bayes' theorem\n", "  en: [Bayes' theorem\n", "(syntax)", "malformed YAML"),
    ("bayes.yaml", "order: 5\n", "order: 5\nauthor: me\n", "author", "unknown field"),
    (
        "bayes.yaml",
        "helper: probability.bayes\n",
        "helper: probability.bayez\n",
        "formulas[0].helper",
        "did you mean 'probability.bayes'",
    ),
    ("bayes.yaml", "  en: Bayes' theorem\n", "", "names.en", "is missing"),
    (
        "chain-rule.yaml",
        'outer: "sin(u)"',
        "outer: \"__import__('os').system('true')\"",
        "formulas[0].args.outer",
        "only calls of listed functions",
    ),
    (
        "chain-rule.yaml",
        'expect: "2*x*cos(x**2)"',
        'expect: "2*x*sin(x**2)"',
        "formulas[0].expect",
        "differs from the expected",
    ),
]


@pytest.fixture(scope="module")
def failing_project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("failing"))
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "problem"),
    MISTAKES,
    ids=[
        "malformed-yaml",
        "unknown-field",
        "unknown-helper",
        "missing-translation",
        "outside-allow-list",
        "failing-check",
    ],
)
def test_a_mistake_stops_the_build_and_keeps_the_previous_site(failing_project, file, old, new, field, problem):
    entry = failing_project / "entries" / file
    original = entry.read_text(encoding="utf-8")
    before = digest_tree(failing_project / "site")
    assert old in original
    entry.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        result = mkdocs_build(failing_project, failing_project / "site", clean_cache=False)
    finally:
        entry.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{file}: {field}: " in output
    assert problem in output
    assert "Traceback" not in output
    assert digest_tree(failing_project / "site") == before


def test_a_runaway_entry_is_stopped_and_keeps_the_previous_site(failing_project):
    entry = failing_project / "entries" / "batch.yaml"
    original = entry.read_text(encoding="utf-8")
    before = digest_tree(failing_project / "site")
    letters = ["a0", "a1", "a2", "a3", "c0", "c1", "c2", "c3", "d0", "d1", "d2", "d3", "e0", "e1", "e2", "e3"]
    runaway = original.replace(
        "formulas:\n",
        "formulas:\n  - id: runaway\n    caption: {ko: 폭주, en: runaway}\n    helper: linalg.eigen\n"
        f"    args: {{A: [[{', '.join(letters[0:4])}], [{', '.join(letters[4:8])}], "
        f"[{', '.join(letters[8:12])}], [{', '.join(letters[12:16])}]]}}\n",
        1,
    ).replace("symbols:\n", "symbols:\n" + "".join(f"  {name}: real\n" for name in letters), 1)
    entry.write_text(runaway, encoding="utf-8")
    try:
        result = mkdocs_build(
            failing_project, failing_project / "site", clean_cache=False, env={"GLOSSARY_TIME_LIMIT": "3"}
        )
    finally:
        entry.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "batch.yaml: formulas[0]: took longer than 3 s and was stopped" in output
    assert "Traceback" not in output
    assert digest_tree(failing_project / "site") == before


def test_inline_and_display_math_are_typeset_and_read_as_text(tmp_path):
    from glossary.render.katex import Katex

    katex = Katex(ROOT / "node_modules" / "katex" / "dist", tmp_path)
    page = (
        '<p>caption <span class="arithmatex">\\(\\lambda_{1} = 1\\)</span></p>'
        '<div class="arithmatex">\\[\n\\hat{p} = \\frac{3}{4} \\approx 0.75\n\\]</div>'
    )
    try:
        typeset = katex.page(page, decorate=lambda block: f"<section>{block}</section>")
        assert typeset.count('class="katex"') == 2 and "katex-display" in typeset
        assert "<section><div" in typeset and "\\(" not in typeset
        assert katex.text("\\hat{p} = \\frac{3}{4} \\approx 0.75", True) == "p̂ = 3/4 ≈ 0.75"
        katex.save()
    finally:
        katex.close()
    again = Katex(ROOT / "node_modules" / "katex" / "dist", tmp_path, node="/nonexistent/node")
    assert again.page(page) == katex.page(page)  # from the cache: no Node needed


def test_named_parts_show_as_one_aligned_block_with_decimals():
    from glossary.content.records import FormulaRecord, PartRecord
    from glossary.render import display_blocks

    def part(key, name, latex, text, decimal_latex=None, decimal=None):
        return PartRecord.model_construct(
            key=key,
            name_latex=name,
            name_text=key,
            latex=latex,
            decimal_latex=decimal_latex,
            text=text,
            decimal=decimal,
        )

    long_value = " + ".join(f"\\frac{{{i}}}{{{i + 1}}} x^{{{i}}}" for i in range(1, 40))
    record = FormulaRecord.model_construct(
        result_latex="",
        parts=[
            part("lambda_1", "\\lambda_{1}", "\\frac{334}{45}", "334/45", "7.42", "7.42"),
            part("lambda_2", "\\lambda_{2}", "3", "3"),
            part("poly", "p(x)", long_value, long_value),
        ],
    )
    aligned, long = display_blocks(record)
    assert aligned["latex"] == (
        "\\begin{aligned} \\lambda_{1} &= \\frac{334}{45} \\approx 7.42 \\\\ \\lambda_{2} &= 3 \\end{aligned}"
    )
    assert long["name"] == "poly" and long["latex"].startswith("p(x) = ")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-9, 9), st.integers(1, 9)), min_size=2, max_size=4))
def test_named_subexpressions_give_each_long_value_back(fractions):
    """A folded exact value is written with shared names u₁, u₂, …: each is defined before it is used,
    and substituting the definitions back gives the value (checked at 30 digits)."""
    import sympy as sp

    from glossary.content.records import named_subexpressions, shared_subexpressions

    layer = [sp.tanh(sp.Rational(p, q)) for p, q in fractions]
    hidden = sp.tanh(sum((k + 1) * a for k, a in enumerate(layer)) / 3)
    values = [
        sp.Matrix([[(1 - hidden**2) * layer[0], hidden * layer[-1]], [1 - layer[0] ** 2, hidden]]),
        (1 - hidden**2) * (hidden - 1),
        "not SymPy",
    ]
    found = shared_subexpressions(values)
    assert set(found) == {0, 1} and set(named_subexpressions(values)) == {0, 1}
    for index, (definitions, written) in found.items():
        defined = set()
        for symbol, expression in definitions:
            assert expression.free_symbols <= defined, (symbol, expression)
            defined.add(symbol)
        back = written
        for symbol, expression in reversed(definitions):
            back = back.subs(symbol, expression)
        difference = sp.Matrix([back]) - sp.Matrix([values[index]])
        assert all(abs(sp.N(entry, 30)) < sp.Float("1e-25") for entry in difference)
