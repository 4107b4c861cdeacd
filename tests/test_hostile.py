"""Entries from strangers: a corpus of hostile entries through `mkdocs build` and `glossary verify`.

Every case must end the same way in both paths: exit status 1, one line naming the
file, the field and the problem, no traceback, no marker file written by a payload,
and the previous site unchanged. Text that is merely unusual (quotes, bars, braces,
tags in a name) must build and show literally, with nothing that could run.
"""

from __future__ import annotations

import copy
import hashlib
import html.parser
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SOURCE_DATE_EPOCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.cli import main as cli
from glossary.content.catalog import load_entry
from glossary.errors import EntryError

pytestmark = pytest.mark.site

BASE: dict = {
    "id": "demo",
    "category": "calculus",
    "order": 5,
    "names": {"ko": "데모", "en": "demo"},
    "summary": {"ko": "요약", "en": "summary"},
    "definition": {"ko": "정의는 {{first}}이다.", "en": "The result is {{first}}."},
    "symbols": {"x": "real"},
    "formulas": [
        {
            "id": "first",
            "caption": {"ko": "캡션", "en": "caption"},
            "helper": "calculus.partial",
            "args": {"f": "x**3", "x": "x"},
        }
    ],
    "sections": [
        {"id": "part", "names": {"ko": "부분", "en": "part"}, "text": {"ko": "본문", "en": "text"}, "formulas": []}
    ],
}


def entry(**changes: Callable[[dict], None] | object) -> dict:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        keys = path.split("__")
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value
    return data


def dump(data: dict) -> str:
    # Through JSON first, so that a value used twice is written twice, not as a YAML alias.
    return yaml.safe_dump(json.loads(json.dumps(data)), allow_unicode=True, sort_keys=False)


def yaml_with(line: str) -> str:
    """The base entry with one raw YAML line replacing the summary (for tags and aliases)."""
    text = dump(BASE)
    start = text.index("summary:")
    end = text.index("definition:")
    return text[:start] + line + "\n" + text[end:]


ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def _write(folder: Path, text: str | bytes, name: str = "demo.yaml") -> None:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _symlink(target: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / "demo.yaml").symlink_to(target)

    return make


def _cycle(folder: Path) -> None:
    _write(folder, dump(entry(builds_on=["other"])))
    other = entry(id="other", builds_on=["demo"])
    _write(folder, dump(other), "other.yaml")


def _toml_deep(folder: Path) -> None:
    _write(folder, "id = 'demo'\nx = " + "[" * 5000 + "]" * 5000 + "\n", "demo.toml")


SLOW_SYMBOLS = {f"s{i}": "real" for i in range(16)}
SLOW_MATRIX = [[f"s{4 * r + c}" for c in range(4)] for r in range(4)]

# (id, what goes into the entries folder, field, words of the problem)
REFUSED = [
    ("html-in-definition", dump(entry(definition__en="<script>alert(1)</script>")), "definition.en", "raw HTML"),
    (
        "img-onerror-in-notes",
        dump(entry(notes={"ko": "노트", "en": '<img src=x onerror="alert(1)">'})),
        "notes.en",
        "raw HTML",
    ),
    ("html-in-section", dump(entry(sections__0__text__ko="<iframe src=x>")), "sections[0].text.ko", "raw HTML"),
    (
        "attribute-list",
        dump(entry(sections__0__text__en="text { onclick=alert(1) }")),
        "sections[0].text.en",
        "attribute lists",
    ),
    ("javascript-link", dump(entry(definition__en="[click](javascript:alert(1))")), "definition.en", "link target"),
    ("data-link", dump(entry(definition__en="[x](data:text/html,hi)")), "definition.en", "link target"),
    ("mkdocstrings-directive", dump(entry(definition__en="see\n\n::: glossary.evil")), "definition.en", "directives"),
    ("admonition", dump(entry(definition__en='!!! note "x"\n    body')), "definition.en", "admonitions"),
    ("heading", dump(entry(definition__en="# A new title")), "definition.en", "headings"),
    ("image", dump(entry(definition__en="![x](https://example.org/x.png)")), "definition.en", "images"),
    ("entity", dump(entry(definition__en="&lt;script&gt;")), "definition.en", "entities"),
    ("html-in-name", dump(entry(names__en="<b>bold</b>")), "names.en", "raw HTML"),
    ("binary-tag", yaml_with("summary: {ko: x, en: !!binary PHNjcmlwdD4=}"), "(syntax)", "tag"),
    ("python-tag", yaml_with("summary: !!python/object/apply:os.system ['touch MARKER']"), "(syntax)", "tag"),
    ("alias-bomb", yaml_with("summary: {ko: x, en: x}\n" + ALIAS_BOMB), "(syntax)", "anchors and aliases"),
    ("huge-integer", dump(BASE).replace("order: 5", "order: " + "1" * 5001), "(syntax)", "5001 digits"),
    ("deep-toml", _toml_deep, "(syntax)", "nested deeper"),
    (
        "deep-yaml",
        dump(entry(variants={"ko": [], "en": []})).replace(
            "variants:", "extra: " + "[" * 40 + "]" * 40 + "\nvariants:"
        ),
        "(syntax)",
        "nested deeper",
    ),
    ("too-large", dump(BASE) + "#" + "x" * 300_000 + "\n", "(file)", "at most"),
    ("dev-zero", _symlink("/dev/zero"), "(file)", "not a regular file"),
    ("dangling-link", _symlink("/nonexistent/entry.yaml"), "(file)", "does not exist"),
    ("not-utf8", b"id: demo\nnames: {ko: \xff\xfe, en: x}\n", "(file)", "not UTF-8"),
    ("long-text", dump(entry(definition__en="a" * 7000)), "(syntax)", "characters"),
    ("inconsistent-assumptions", dump(entry(symbols={"x": "positive negative"})), "symbols", "contradict"),
    ("factorial-overflow", dump(entry(formulas__0__args__f="factorial(200)*x")), "formulas[0].args.f", "too large"),
    ("float-overflow", dump(entry(formulas__0__args__f="1e999*x")), "formulas[0].args.f", "not finite"),
    (
        "unknown-plot",
        dump(entry(formulas__0__plot={"name": "nope", "caption": {"ko": "그림", "en": "plot"}})),
        "formulas[0].plot.name",
        "unknown plot",
    ),
    (
        "plot-of-another-helper",
        dump(entry(formulas__0__plot={"name": "pca-axes", "caption": {"ko": "그림", "en": "plot"}})),
        "formulas[0].plot.name",
        "draws the result of",
    ),
    (
        "duplicate-formula-id",
        dump(entry(formulas=[BASE["formulas"][0], BASE["formulas"][0]])),
        "(top level)",
        "also used",
    ),
    ("section-id-of-a-formula", dump(entry(sections__0__id="first")), "(top level)", "also used"),
    ("builds-on-cycle", _cycle, "builds_on", "circle"),
    ("order-true", dump(entry(order=True)), "order", "integer"),
    ("symbol-named-print", dump(entry(symbols={"x": "real", "print": "real"})), "symbols", "taken by Python"),
    ("dangling-reference", dump(entry(definition__en="see {{second}}")), "definition.en", "names no formula"),
    ("dangling-part", dump(entry(definition__en="see {{first.nope}}")), "definition.en", "has no part 'nope'"),
    ("unknown-term-link", dump(entry(definition__en="see [it](term:nowhere)")), "definition.en", "names no entry"),
    (
        "misconception-found-true",
        dump(
            entry(
                misconceptions=[
                    {
                        "id": "true-claim",
                        "claim": {"ko": "참", "en": "true"},
                        "check": {"left": "{{first}}", "relation": "=", "right": "3*x**2"},
                        "explanation": {"ko": "설명", "en": "explanation"},
                    }
                ]
            )
        ),
        "misconceptions[0].check",
        "must be false",
    ),
    (
        "runaway",
        dump(
            entry(
                symbols=SLOW_SYMBOLS,
                formulas=[{**BASE["formulas"][0], "helper": "linalg.eigen", "args": {"A": SLOW_MATRIX}}],
                definition={"ko": "정의", "en": "definition"},
            )
        ),
        "formulas[0]",
        "took longer than 3 s",
    ),
]


def _prepare(folder: Path, content) -> None:
    for old in folder.iterdir():
        old.unlink()
    if callable(content):
        content(folder)
    else:
        _write(folder, content)


def digest_tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


def project_with(target: Path, data: dict | None = None) -> Path:
    """A small project: the repository's config, templates and docs, and one entry."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("templates", "docs"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    (target / "entries").mkdir()
    _write(target / "entries", dump(data or BASE))
    return target


def build(project: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "NO_MKDOCS_2_WARNING": "1",
        "GLOSSARY_CACHE": str(project / "cache"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    target = project_with(tmp_path_factory.mktemp("hostile"))
    result = build(target)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def _one_line_naming(output: str, file_name: str, field: str, problem: str) -> None:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if f": {field}: " in line]
    assert lines, output
    assert any(file_name in line and problem in line for line in lines), output


@pytest.mark.parametrize(("case", "content", "field", "problem"), REFUSED, ids=[case[0] for case in REFUSED])
def test_hostile_entries_stop_both_paths_in_one_line(project, tmp_path, capsys, case, content, field, problem):
    entries = project / "entries"
    saved = {p.name: p.read_bytes() for p in entries.iterdir()}
    before = digest_tree(project / "site")
    marker = Path("MARKER")
    env = {"GLOSSARY_TIME_LIMIT": "3"} if case == "runaway" else {}
    try:
        _prepare(entries, content)
        result = build(project, env)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        _one_line_naming(output, "demo", field, problem)
        assert digest_tree(project / "site") == before
        assert not (project / "site.glossary-staging").exists()

        os.environ.update(env)
        try:
            status = cli(["--entries", str(entries), "verify", "--points", "20"])
        finally:
            for key in env:
                os.environ.pop(key, None)
        captured = capsys.readouterr()
        assert status == 1
        _one_line_naming(captured.err, "demo", field, problem)
    finally:
        for old in entries.iterdir():
            old.unlink()
        for name, data in saved.items():
            (entries / name).write_bytes(data)
    assert not marker.exists() and not (project / "MARKER").exists()


# -- text that is merely unusual builds, shows literally, and runs nothing ----------------------------

PAYLOAD = '<script>alert("x")</script>'
# Quotes, bars, braces, backslashes and link syntax: all of it is text in a name, a summary or a caption.
ODD = entry(
    names={"ko": '이름 {: onclick="alert(1)"}', "en": 'the "kernel" | trick'},
    summary={"ko": 'a | b {: onclick="alert(1)"}', "en": 'the so-called "kernel trick" \\ ok --- title: injected'},
    variants={"ko": ['"]}'], "en": ["{ #evil }", "a | b", "javascript:alert(1)"]},
    sections__0__names={"ko": "부분 { .evil }", "en": "x | y [link](javascript:alert(1))"},
    formulas__0__caption={"ko": "{ #dropped } 캡션 $x^2$", "en": "caption | with bar"},
)


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class _Runs(html.parser.HTMLParser):
    """Collects what could run: inline scripts, event handlers and javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.inside_script = False
        self.script_source = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if value and "javascript:" in value.lower():
                self.found.append(f"{tag} {name}={value}")
        if tag == "script":
            self.inside_script = True
            source = dict(attrs).get("src") or ""
            if source and not ("assets/" in source and not source.startswith(("http:", "https:", "//"))):
                self.found.append(f"script src={source}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside_script = False

    def handle_data(self, data):
        if self.inside_script and "alert(" in data:
            self.found.append(f"inline script {data[:60]!r}")


def test_odd_text_builds_and_nothing_from_it_can_run(tmp_path):
    project = project_with(tmp_path / "odd", ODD)
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    for page in _pages(site):
        runs = _Runs()
        runs.feed(page.read_text(encoding="utf-8"))
        assert runs.found == [], (page, runs.found)
    term = (site / "en" / "calculus" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "kernel trick" in term and "X | y [link](javascript:alert(1))" in term
    assert 'id="dropped"' not in term and 'id="evil"' not in term and 'class="evil"' not in term
    assert 'id="first"' in term  # the formula's own anchor survives its caption's braces
    front = (project / ".cache" / "glossary" / "docs" / "en" / "calculus" / "demo.md").read_text(encoding="utf-8")
    head = yaml.safe_load(front.split("---\n")[1])
    assert set(head) == {"title", "description"}  # the summary's quotes did not add keys


# -- the cache is checked, not trusted -----------------------------------------------------------------


def _cache_files(project: Path) -> list[Path]:
    return sorted((project / "cache").glob("formula--*.json"))


@pytest.mark.parametrize(
    "poison",
    [
        "script-in-step-caption",
        "fence-breaking-example",
        "dollar-in-latex",
        "error-above-tolerance",
        "text-for-a-number",
        "directory-in-place",
        "foreign-key",
        "script-in-plot",
        "not-json",
    ],
)
def test_a_poisoned_or_damaged_cache_is_derived_again(tmp_path, poison):
    data = entry(formulas__0__plot=None)
    project = project_with(tmp_path / "cache-project", data)
    assert build(project).returncode == 0
    (cache_file,) = _cache_files(project)
    stored = json.loads(cache_file.read_text(encoding="utf-8"))
    record = stored["record"]
    if poison == "script-in-step-caption":
        record["steps"][0]["en"] = PAYLOAD
    elif poison == "fence-breaking-example":
        record["example"] = "x = 1\n```\n" + PAYLOAD + "\n```"
    elif poison == "dollar-in-latex":
        record["result_latex"] = "x $$\n" + PAYLOAD + "\n$$"
    elif poison == "error-above-tolerance":
        record["report"]["max_error"] = 5.0
    elif poison == "text-for-a-number":
        record["report"]["points"] = "many"
    elif poison == "foreign-key":
        stored["key"] = "0" * 64
    elif poison == "script-in-plot":
        record["plot"] = {"ko": f"<svg>{PAYLOAD}</svg>", "en": "<svg onload='alert(1)'></svg>"}
    if poison == "directory-in-place":
        cache_file.unlink()
        cache_file.mkdir()
        (cache_file / "inside").write_text("x")
    elif poison == "not-json":
        cache_file.write_text("{not json", encoding="utf-8")
    else:
        cache_file.write_text(json.dumps(stored), encoding="utf-8")
    # The last build's pages would be used as they are (nothing changed); without them the records are read.
    (project / "cache" / "site-pages.json").unlink()
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output, output
    for page in _pages(project / "site"):
        runs = _Runs()
        runs.feed(page.read_text(encoding="utf-8"))
        assert runs.found == [], (page, runs.found)
    if poison in ("script-in-step-caption", "fence-breaking-example"):
        # Valid as data: rendered like any text, escaped, inside its code block.
        assert "0 derived and verified now" in output
    else:
        assert "1 derived and verified now" in output  # the damaged record was not used
        fresh = json.loads(_cache_files(project)[0].read_text(encoding="utf-8"))["record"]
        assert fresh["report"]["max_error"] <= fresh["report"]["tolerance"]


def _site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_last_pages_are_used_only_for_the_same_bytes(tmp_path):
    project = project_with(tmp_path / "snapshot-project")
    first = build(project)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 entries; 1 derived and verified now" in first.stderr
    made = _site_bytes(project / "site")
    again = build(project)
    assert again.returncode == 0 and "pages made earlier from these same entries" in again.stderr, again.stderr
    assert "derived and verified now" not in again.stderr
    assert _site_bytes(project / "site") == made  # the kept pages build the same site, byte for byte
    # One byte more in a template: the pages are made again (from the cached records).
    template = project / "templates" / "pages" / "term.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = build(project)
    assert changed.returncode == 0 and "1 entries; 0 derived and verified now" in changed.stderr, changed.stderr


def test_an_edited_formula_builds_the_site_a_clean_build_makes(tmp_path):
    """The edit path (a standby child derives the entry while the other pages are made) and a build from
    nothing give the same site, byte for byte."""
    second = {"id": "second", "caption": {"ko": "둘째", "en": "second"}, "helper": "calculus.partial"}
    two, edited = entry(), entry()
    two["formulas"].append(second | {"args": {"f": "sin(x)", "x": "x"}})
    edited["formulas"].append(second | {"args": {"f": "cos(x)*x", "x": "x"}})
    project = project_with(tmp_path / "edited", two)
    assert build(project).returncode == 0
    _write(project / "entries", dump(edited))
    result = build(project)
    assert result.returncode == 0 and "1 entries; 1 derived and verified now" in result.stderr, result.stderr
    clean = project_with(tmp_path / "clean", edited)
    assert build(clean).returncode == 0
    assert _site_bytes(project / "site") == _site_bytes(clean / "site")
    assert "x \\sin" in (project / "site" / "en" / "calculus" / "demo" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "poison", ["script-in-page", "path-outside", "script-in-plot", "foreign-key", "not-json", "nav"]
)
def test_damaged_or_foreign_last_pages_are_never_served(tmp_path, poison):
    project = project_with(tmp_path / "poisoned-pages", entry())
    assert build(project).returncode == 0
    stored = project / "cache" / "site-pages.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    page = next(path for path in data["pages"] if path.startswith("en/") and "demo" in path)
    if poison == "script-in-page":
        data["pages"][page] += "\n\n" + PAYLOAD + "\n"
    elif poison == "path-outside":
        data["pages"]["../../outside.md"] = "# outside"
    elif poison == "script-in-plot":
        data["pages"]["assets/plots/demo--extra--en.svg"] = "<svg onload='alert(1)'></svg>"
    elif poison == "foreign-key":
        data["key"] = "0" * 64
        data["pages"][page] += "\n\nfrom another project\n"
    elif poison == "nav":
        data["nav"].append("../../outside.md")
    stored.write_text("{not json" if poison == "not-json" else json.dumps(data), encoding="utf-8")
    before = _site_bytes(project / "site")
    result = build(project)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and not (tmp_path / "outside.md").exists()
    if poison == "script-in-page":
        # Caught by the last scan of the page's HTML: one line, the site as it was, the cached pages gone.
        assert result.returncode == 1, output
        assert f"{page.removeprefix('en/')}: the page would contain a <script> element" in output
        assert "the cached pages were removed" in output
        assert _site_bytes(project / "site") == before and not stored.exists()
        result = build(project)
        output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 entries; 0 derived and verified now" in output  # made again from the entry and its records
    for html_page in _pages(project / "site"):
        runs = _Runs()
        runs.feed(html_page.read_text(encoding="utf-8"))
        assert runs.found == [], (html_page, runs.found)
        assert "from another project" not in html_page.read_text(encoding="utf-8")


@pytest.mark.parametrize("poison", ["handler-in-markup", "script-element", "style-that-loads", "not-json"])
def test_a_tampered_katex_cache_is_typeset_again_never_inserted(tmp_path, poison):
    """KaTeX's markup goes into pages after their HTML was scanned: the cache file is checked against what
    KaTeX writes, in a child while the build goes on, and anything else is typeset again by KaTeX."""
    from glossary.render.katex import foreign_markup

    project = project_with(tmp_path / "katex-project", entry())
    assert build(project).returncode == 0
    (store,) = (project / "cache" / "katex").glob("katex-*.json")
    data = json.loads(store.read_text(encoding="utf-8"))
    assert data["items"] and foreign_markup(store.read_bytes(), data["katex"]) == []  # KaTeX's own output passes
    for key, (markup, text) in list(data["items"].items())[:3]:
        if poison == "handler-in-markup":
            markup = markup.replace('<span class="katex">', '<span class="katex" onmouseover="alert(1)">', 1)
        elif poison == "script-element":
            markup = markup + PAYLOAD
        elif poison == "style-that-loads":
            markup = markup.replace('class="katex"', 'class="katex" style="background:url(//x.example/)"', 1)
        data["items"][key] = [markup, text]
    store.write_text("{not json" if poison == "not-json" else json.dumps(data), encoding="utf-8")
    (project / "cache" / "site-pages.json").unlink()  # the pages are made again and typeset
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output, output  # --strict: repaired, not a warning
    if poison != "not-json":
        assert "3 formulas that are not KaTeX's markup; they are typeset again" in output
    for page in _pages(project / "site"):
        text = page.read_text(encoding="utf-8")
        runs = _Runs()
        runs.feed(text)
        assert runs.found == [] and "x.example" not in text, (page, runs.found)
    again = json.loads(store.read_text(encoding="utf-8"))
    assert foreign_markup(store.read_bytes(), again["katex"]) == []
    assert len(again["items"]) == len(data["items"])  # every formula typeset again, by KaTeX


@pytest.mark.parametrize("kind", ["a-file", "read-only-parent"])
def test_an_unusable_cache_folder_is_one_line_and_the_build_goes_on(tmp_path, kind):
    project = project_with(tmp_path / "folder")
    if kind == "a-file":
        target = tmp_path / "cache-file"
        target.write_text("not a folder")
    else:
        blocker = tmp_path / "blocker"
        blocker.write_text("a file where a folder should be")
        target = blocker / "cache"
    result = build(project, {"GLOSSARY_CACHE": str(target)})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert f"the cache folder {target} cannot be used" in output


# -- the edges: environment, command line, Ctrl-C ------------------------------------------------------


def test_bad_limits_are_one_line_before_any_work(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "entries"
    folder.mkdir()
    _write(folder, dump(BASE))
    monkeypatch.setenv("GLOSSARY_TIME_LIMIT", "abc")
    assert cli(["--entries", str(folder), "list"]) == 0  # listing derives nothing and needs no limit
    capsys.readouterr()
    assert cli(["--entries", str(folder), "verify"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: GLOSSARY_TIME_LIMIT='abc' is not a number of seconds (use e.g. 30)"
    )
    monkeypatch.delenv("GLOSSARY_TIME_LIMIT")
    for value in ("nan", "-1", "inf", "0"):
        assert cli(["--entries", str(folder), "show", "demo", "--time-limit", value]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "must be a positive, finite number of seconds" in err
    project = project_with(tmp_path / "p")
    result = build(project, {"GLOSSARY_TIME_LIMIT": "abc"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "GLOSSARY_TIME_LIMIT='abc'" in result.stdout + result.stderr


def test_render_and_new_refuse_bad_targets_in_one_line(tmp_path, capsys):
    folder = tmp_path / "entries"
    folder.mkdir()
    _write(folder, dump(BASE))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for out in (a_file, a_file / "inside"):
        assert cli(["--entries", str(folder), "render", "--out", str(out), "--templates", str(ROOT / "templates")]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert cli(["--entries", str(folder), "new", "x" * 70]) == 1
    assert "at most 60" in capsys.readouterr().err
    _write(folder, dump(entry(id="taken")).replace("demo", "taken"), "taken.toml")
    assert cli(["--entries", str(folder), "new", "taken"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not (folder / "taken.yaml").exists()


def test_ctrl_c_during_a_build_exits_130_in_one_line_and_keeps_the_site(tmp_path):
    data = entry(
        symbols=SLOW_SYMBOLS,
        formulas=[{**BASE["formulas"][0], "helper": "linalg.eigen", "args": {"A": SLOW_MATRIX}}],
        definition={"ko": "정의", "en": "definition"},
    )
    project = project_with(tmp_path / "ctrl-c")
    assert build(project).returncode == 0
    before = digest_tree(project / "site")
    _write(project / "entries", dump(data))
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GLOSSARY_CACHE": str(project / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(6)  # well into the derivation
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert [line for line in err.splitlines() if "interrupted" in line] == [
        "glossary: interrupted; nothing was written; the previous site is unchanged"
    ]
    assert digest_tree(project / "site") == before
    assert not (project / "site.glossary-staging").exists()
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-f", str(project)], capture_output=True, text=True).stdout.split()
    assert leftover == []


# -- fuzzing the file itself: structure, not only values ------------------------------------------------

YAML_PIECES = st.sampled_from(
    [
        "&a [1, 2]",
        "*a",
        "!!binary aGk=",
        "!!python/name:os.system",
        "!custom x",
        "[" * 30,
        "{a: {b: {c: {d: ",
        "? complex key\n: value",
        "%YAML 1.1\n---",
        "--- !!map",
        "'unterminated",
        '"\\x00"',
        "9" * 80,
        "-" * 3,
        "\t",
        "\x00",
        "|\n  block",
        "~",
        "0x1F",
        "1e400",
    ]
)


@settings(max_examples=int(os.environ.get("GLOSSARY_FUZZ_EXAMPLES", "400")), suppress_health_check=list(HealthCheck))
@given(st.data())
def test_structurally_fuzzed_yaml_and_toml_fail_cleanly(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("structure")
    form = data.draw(st.sampled_from(["yaml", "toml"]))
    if form == "yaml":
        lines = dump(BASE).splitlines()
        for _ in range(data.draw(st.integers(1, 4))):
            where = data.draw(st.integers(0, len(lines)))
            lines.insert(where, data.draw(st.sampled_from(["", "  ", "key: "])) + data.draw(YAML_PIECES))
        text, name = "\n".join(lines), "demo.yaml"
    else:
        pieces = st.sampled_from(["[", "]", "{", "}", "=", '"', "'", "\n", "a", "1", ",", ".", "[[x]]", "x = ", "#"])
        text = "id = 'demo'\n" + "".join(data.draw(st.lists(pieces, max_size=200)))
        name = "demo.toml"
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_entry(path)
    except EntryError as error:
        assert error.show().startswith(str(path))


# -- in a real browser: the page built from odd text opens no dialog and runs nothing of the entry's --------


@pytest.mark.browser
def test_a_page_built_from_odd_text_opens_no_dialog(tmp_path):
    import functools
    import http.server
    import threading

    playwright_sync = pytest.importorskip("playwright.sync_api")
    project = project_with(tmp_path / "browser", ODD)
    assert build(project).returncode == 0

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(project / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dialogs: list[str] = []
    try:
        with playwright_sync.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            base = f"http://127.0.0.1:{server.server_address[1]}"
            for path in ("/calculus/demo/", "/en/calculus/demo/", "/", "/en/", "/calculus/", "/en/concept-map/"):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                # Every element is "hovered" and "focused", as a reader would, without aiming the mouse.
                page.evaluate(
                    """() => document.querySelectorAll("*").forEach((element) => {
                        for (const kind of ["mouseover", "mouseenter", "focus", "click"]) {
                            if (kind === "click" && element.closest("a")) continue;
                            element.dispatchEvent(new Event(kind, { bubbles: true }));
                        }
                    })"""
                )
            heading = page.goto(base + "/en/calculus/demo/") and page.locator("h1").inner_text()
            browser.close()
    finally:
        server.shutdown()
    assert dialogs == []
    assert heading.startswith('The "kernel" | trick')
