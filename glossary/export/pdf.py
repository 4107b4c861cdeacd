"""The glossary as one PDF per language, printed by headless Chromium.

The pages are the site's own: each term page rendered by the site's templates,
turned into HTML with the site's Markdown extensions, with Material's, the
site's and KaTeX's style sheets, then a print style sheet of its own
(``templates/export/print.css``). Chromium typesets the math with KaTeX
(whatever is already typeset is left alone), fits wide formulas to the column
and prints; the contents get their page numbers from a first printing, whose
PDF tells on which page each term begins (Chromium writes a named destination
for every link target), and the book is printed again with them.

Why Chromium: the site is made for it (KaTeX's layout, Material's CSS), the
tests already drive Debian's Chromium, it runs KaTeX itself, so math prints
whether or not the site typesets it at build time, and it supports what print
needs: page margin boxes for page numbers, ``break-after: avoid`` for headings,
``break-inside: avoid`` for figures, and a PDF outline and tags.
"""

from __future__ import annotations

import html
import importlib.metadata
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..content.schema import CATEGORIES
from ..errors import GlossaryError
from ..render import capitalise
from .source import Source, write_atomically

__all__ = ["CHROMIUM", "FLAGS", "PdfReport", "write_pdf"]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: The width of the printed column (A4 less the margins of print.css) in CSS pixels, so that
#: formulas are measured at the width they are printed.
COLUMN_PX = round((210 - 2 * 18) / 25.4 * 96)
#: Milliseconds Chromium may take to load the book or to print it once.
TIMEOUT_MS = 180_000


@dataclass(frozen=True)
class PdfReport:
    path: Path
    pages: int
    size: int
    seconds: float
    formulas: int
    shrunk: int
    broken: int
    #: Seconds of each stage: the book's HTML, Chromium's load and typesetting, each printing.
    phases: dict[str, float]


def write_pdf(source: Source, out: Path, *, katex_dir: Path, chromium: str = CHROMIUM) -> PdfReport:
    """Print ``source`` (one language of the glossary) into the PDF ``out``."""
    started = time.perf_counter()
    katex_dir = Path(katex_dir).resolve()
    if not (katex_dir / "katex.min.js").is_file():
        raise GlossaryError(f"KaTeX not found at {katex_dir}: run `npm ci` (or `make site`) first")
    if not Path(chromium).is_file():
        raise GlossaryError(f"Chromium not found at {chromium}: install Debian's chromium (`make browser`)")
    check_fonts(source.lang)
    with tempfile.TemporaryDirectory(prefix="glossary-pdf-") as folder:
        book = Path(folder) / "book.html"
        _write_book(source, Path(folder), katex_dir)
        html_done = time.perf_counter()
        data, facts = _print(book, chromium)
        size = write_atomically(out, lambda path: path.write_bytes(data))
    return PdfReport(
        path=out,
        pages=facts["pages"],
        size=size,
        seconds=time.perf_counter() - started,
        formulas=facts["formulas"],
        shrunk=facts["shrunk"],
        broken=facts["broken"],
        phases={"html": html_done - started, **facts["phases"]},
    )


# -- the book as HTML ---------------------------------------------------------------------------


def _write_book(source: Source, folder: Path, katex_dir: Path) -> None:
    lang = source.lang
    other = "en" if lang == "ko" else "ko"
    (folder / "plots").mkdir()
    categories = []
    for category, names in CATEGORIES.items():
        terms = []
        for result in (r for r in source.results if r.entry.category == category):
            entry = result.entry
            for formula in entry.all_formulas():
                svg = source.plot(entry.id, formula.id)
                if svg is not None:
                    (folder / "plots" / f"{entry.id}--{formula.id}--{lang}.svg").write_text(svg, encoding="utf-8")
            terms.append(
                {
                    "id": entry.id,
                    "name": capitalise(entry.names[lang]),
                    "other": entry.names[other],
                    "sections": [
                        {"id": f"{entry.id}--{s.id}", "name": capitalise(s.names[lang])} for s in entry.sections
                    ],
                    "fragment": Markup(localise(source.html(source.page(result)), entry.id)),
                }
            )
        if terms:
            categories.append(
                {"id": f"category-{category}", "name": names[lang], "other": names[other], "terms": terms}
            )
    notation = source.notation()
    words = source.words
    site_words = source.site_words
    title = str(site_words.get("site_name") or words["deck"])
    versions = {name: importlib.metadata.version(name) for name in ("sympy", "numpy", "scipy")}
    counts = {
        "terms": len(source.results),
        "sections": sum(len(r.entry.sections) for r in source.results),
        "formulas": source.formula_count(),
    }
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    templates = source.site.templates_dir.resolve() / "export"
    stylesheets = [*_site_stylesheets(source), katex_dir / "katex.min.css", templates / "print.css"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = env.get_template("print.html.j2").render(
        lang=lang,
        title=title,
        words=words,
        cover={
            "counts": words["counts"].format(**counts),
            "versions": words["made_with"].format(**versions),
            "date": moment.strftime("%Y-%m-%d"),
        },
        categories=categories,
        notation=Markup(localise(source.html(notation), "notation")) if notation else None,
        notation_title=(site_words.get("ui") or {}).get("notation") or words["notation"],
        stylesheets=[path.as_uri() for path in stylesheets],
        katex_script=(katex_dir / "katex.min.js").as_uri(),
        print_script=(templates / "print.js").as_uri(),
    )
    # The running title; the cover has none (the rule for :first comes after, and wins).
    running = (
        f'<style>@page {{ @top-right {{ content: "{css_string(title)}"; }} }}\n'
        "@page :first { @top-right { content: none; } }</style>\n</head>"
    )
    page = page.replace("</head>", running, 1)
    (folder / "book.html").write_text(page, encoding="utf-8")


def css_string(text: str) -> str:
    """Text inside a double-quoted CSS string."""
    return re.sub(r'[\\"\n<>]', lambda m: f"\\{ord(m.group(0)):x} ", text)


def _site_stylesheets(source: Source) -> list[Path]:
    """Material's style sheet and the site's own (``extra_css`` of mkdocs.yml), as files."""
    sheets: list[Path] = []
    try:
        import material

        folder = Path(material.__file__).resolve().parent / "templates" / "assets" / "stylesheets"
        sheets += sorted(folder.glob("main.*.min.css"))[:1]
    except ImportError:
        pass
    theme = source.site.templates_dir / "theme"
    for name in _extra_css(source):
        for base in (theme, source.config.parent / "docs" if source.config else theme):
            candidate = base / name
            if candidate.is_file():
                sheets.append(candidate)
                break
    return sheets


def _extra_css(source: Source) -> list[str]:
    if source.config is None or not source.config.is_file():
        return ["assets/stylesheets/glossary.css"]
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml may hold tags such as !ENV; only extra_css is read here.
    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml.load(source.config.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [str(item) for item in data.get("extra_css") or [] if isinstance(item, str)]


_ID = re.compile(r'(<[a-zA-Z][^<>]*?\s)id="([^"]+)"')
_LINK = re.compile(r"<a\s([^<>]*)>(.*?)</a>", re.S)
_TARGET = re.compile(r'\bhref="([^"]*)"')
_TERM_LINK = re.compile(r"^(?:\.\./)*(?:[a-z0-9-]+/)?([a-z0-9-]+)\.md(?:#([A-Za-z0-9_-]+))?$")
_PLOT = re.compile(r'src="(?:\.\./)*assets/plots/([a-z0-9-]+\.svg)"')
_HEADING = re.compile(r"<(/?)h([1-5])\b")


def localise(fragment: str, prefix: str) -> str:
    """One page's HTML made part of the book: its ids prefixed with the page's, links between terms
    made links inside the book, plots read from the book's folder, folded blocks open and headings
    one level down (the book's categories are its first level)."""
    fragment = _ID.sub(lambda m: f'{m.group(1)}id="{prefix}--{m.group(2)}"', fragment)

    def link(match: re.Match) -> str:
        attributes, text = match.group(1), match.group(2)
        if 'class="headerlink"' in attributes:
            return ""
        found = _TARGET.search(attributes)
        if found is None:
            return match.group(0)
        target = html.unescape(found.group(1))
        if target.startswith("#"):
            local = f"#{prefix}--{target[1:]}"
        elif term := _TERM_LINK.match(target):
            local = "#" + term.group(1) + (f"--{term.group(2)}" if term.group(2) else "")
        elif target.startswith(("https://", "http://")):
            return match.group(0)
        else:
            return text  # a page of the site the book does not hold
        attributes = _TARGET.sub(lambda _: 'href="' + html.escape(local) + '"', attributes, count=1)
        return f"<a {attributes}>{text}</a>"

    fragment = _LINK.sub(link, fragment)
    fragment = _PLOT.sub(r'src="plots/\1"', fragment)
    fragment = fragment.replace(' loading="lazy"', "")
    fragment = re.sub(r"<details(?![^>]*\bopen\b)", "<details open", fragment)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", fragment)


# -- printing -----------------------------------------------------------------------------------


def _print(book: Path, chromium: str) -> tuple[bytes, dict[str, Any]]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise GlossaryError(
            "the PDF is printed by Playwright, which is not installed: pip install playwright"
        ) from None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
            try:
                return _print_with(browser, book)
            finally:
                browser.close()
    except PlaywrightError as error:
        first = str(error.message if hasattr(error, "message") else error).strip().splitlines()
        raise GlossaryError(f"Chromium could not print the book: {first[0] if first else error}") from None


def _print_with(browser, book: Path) -> tuple[bytes, dict[str, Any]]:
    clock = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - clock
        clock = now

    page = browser.new_page(viewport={"width": COLUMN_PX, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def offline(route) -> None:
        # Everything the book needs is a local file; nothing may be fetched.
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.emulate_media(media="print", color_scheme="light")
    page.goto(book.as_uri(), wait_until="load")
    lap("load")
    if not page.evaluate("() => typeof katex === 'object' && typeof window.glossaryPrint === 'object'"):
        raise GlossaryError("KaTeX or the print script did not load in Chromium")
    typeset = page.evaluate("() => window.glossaryPrint.typeset()")
    if typeset["errors"]:
        raise GlossaryError(f"KaTeX could not typeset {len(typeset['errors'])} formulas, e.g. {typeset['errors'][0]}")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    fitted = page.evaluate("() => window.glossaryPrint.fit()")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    lap("typeset")
    if outside:
        raise GlossaryError(f"the book asked for {outside[0]}; it must print from local files only")

    options = {"prefer_css_page_size": True, "print_background": True, "outline": True, "tagged": True}
    numbers: dict[str, int] = {}
    for _ in range(3):
        missing = page.evaluate("(pages) => window.glossaryPrint.number(pages)", numbers)
        data = page.pdf(**options)
        lap("print")
        found, count = _destinations(data)
        lap("contents")
        if found == numbers and not missing:
            break
        numbers = found
    return data, {
        "pages": count,
        "formulas": typeset["formulas"],
        "shrunk": fitted["shrunk"],
        "broken": fitted["broken"],
        "phases": phases,
    }


def _destinations(data: bytes) -> tuple[dict[str, int], int]:
    """Named destinations of a PDF Chromium printed (one per link target) → page numbers from 1."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        if number is not None and number >= 0:
            pages[name.lstrip("/")] = number + 1
    return pages, len(reader.pages)


def check_fonts(lang: str) -> None:
    """Korean text needs a font with Hangul; Chromium would print empty boxes without one."""
    if lang != "ko" or shutil.which("fc-list") is None:
        return
    import subprocess

    listed = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=60).stdout
    if not listed.strip():
        raise GlossaryError("no font with Hangul is installed: install Debian's fonts-noto-cjk (`make fonts`)")
