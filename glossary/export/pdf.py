"""The glossary as one PDF per language, printed by headless Chromium.

The pages are the site's own: each term page rendered by the site's templates,
turned into HTML with the site's Markdown extensions, with Material's, the
site's and KaTeX's style sheets, then a print style sheet of its own
(``templates/export/print.css``), written to a temporary folder with the plots.
`glossary.export.printer`, in a process of its own, has Chromium typeset the
math with KaTeX, fit wide formulas to the column and print; the contents get
their page numbers from a first printing and the book is printed again.

Why not a full site build: the site's Markdown, converted here with the same
extensions, is the same text, and a warm build of both languages (search index
and API reference included) took 11 s against 3 s for this; the export also
derives through the same `SiteBuild` under the same limits as the other commands.

Why Chromium: the site is made for it (KaTeX's layout, Material's CSS), the
tests already drive Debian's Chromium, it runs KaTeX itself, so math prints
whether or not the site typesets it at build time, and it supports what print
needs: page margin boxes for page numbers, ``break-after: avoid`` for headings,
``break-inside: avoid`` for figures, and a PDF outline and tags.
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
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

__all__ = ["CHROMIUM", "PRINT_SECONDS", "PdfReport", "write_pdf"]

CHROMIUM = "/usr/bin/chromium"
#: Seconds the whole printing may take before it is stopped.
PRINT_SECONDS = 900


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
    """Print the book in a process of its own session (see `glossary.export.printer`); Ctrl-C or
    too long a printing stops that process and everything it started."""
    out = book.with_name("book.pdf")
    package_root = str(Path(__file__).resolve().parents[2])
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "glossary.export.printer", str(book), str(out), chromium]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            start_new_session=True,
        )
    except OSError as error:
        raise GlossaryError(f"cannot start the printing: {error.strerror}") from None
    try:
        stdout, stderr = process.communicate(timeout=PRINT_SECONDS)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise GlossaryError(f"printing took longer than {PRINT_SECONDS} s and was stopped") from None
    except BaseException:
        _stop(process)
        raise
    if process.returncode != 0:
        said = [line for line in stderr.splitlines() if line.startswith("error: ")]
        problem = said[-1].removeprefix("error: ") if said else f"Chromium stopped (exit status {process.returncode})"
        raise GlossaryError(problem)
    try:
        return out.read_bytes(), json.loads(stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        raise GlossaryError("the printing ended without writing the PDF") from None


def _stop(process: subprocess.Popen) -> None:
    """Stop the printing's whole session: Playwright's driver closes Chromium on SIGTERM."""
    for signal_number, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, signal_number)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def check_fonts(lang: str) -> None:
    """Korean text needs a font with Hangul; Chromium would print empty boxes without one."""
    if lang != "ko" or shutil.which("fc-list") is None:
        return
    import subprocess

    listed = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=60).stdout
    if not listed.strip():
        raise GlossaryError("no font with Hangul is installed: install Debian's fonts-noto-cjk (`make fonts`)")
