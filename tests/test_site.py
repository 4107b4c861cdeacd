"""The plugin inside real `mkdocs build` runs: complete, offline, reproducible, and safe on failure."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import copy_project, mkdocs_build

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
    assert (built_site / "assets" / "katex" / "katex.min.js").is_file()
    assert list((built_site / "assets" / "katex" / "fonts").glob("*.woff2"))


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
