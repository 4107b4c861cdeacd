"""What the PDF and the Anki deck take from the engine, and how they write their file.

Both exports start from the same `glossary.build.SiteBuild` as the site and the
other commands: the entries are derived and verified under the limits (or read
from the cache), their pages are rendered by the site's own templates, and the
Markdown is turned into HTML with the Markdown extensions the site's
``mkdocs.yml`` declares, so the exports show what the site shows.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..build import SiteBuild
from ..content.catalog import EntryResult
from ..content.prose import escape_text, render_plain
from ..content.schema import CATEGORIES, Entry
from ..errors import GlossaryError
from ..render import LANGUAGES, term_path

__all__ = [
    "LANGUAGES",
    "Note",
    "Source",
    "front_matter_removed",
    "markdown_converter",
    "notation_markdown",
    "ordered",
    "output_path",
    "write_atomically",
]


def ordered(results: list[EntryResult]) -> list[EntryResult]:
    """The terms in the site's order: categories as the site lists them, then each entry's order."""
    order = list(CATEGORIES)
    return sorted(results, key=lambda r: (order.index(r.entry.category), r.entry.order, r.entry.id))


@dataclass(frozen=True)
class Note:
    """One term or one sub-term (a section of a term's page): what a flash card or a contents line needs."""

    entry: Entry
    section: Any  # a `Section`, or None for the term itself

    @property
    def id(self) -> str:
        return self.entry.id if self.section is None else f"{self.entry.id}--{self.section.id}"

    def name(self, lang: str) -> str:
        return (self.entry if self.section is None else self.section).names[lang]

    def variants(self, lang: str) -> list[str]:
        """The other language's name first, then every variant in either language, each once."""
        other = "en" if lang == "ko" else "ko"
        item = self.entry if self.section is None else self.section
        seen: list[str] = []
        for name in [item.names[other], *item.variants[lang], *item.variants[other]]:
            if name not in seen and name != item.names[lang]:
                seen.append(name)
        return seen


def all_notes(results: list[EntryResult]) -> Iterator[tuple[EntryResult, Note]]:
    """Every term followed by its sub-terms, in the site's order."""
    for result in ordered(results):
        yield result, Note(result.entry, None)
        for section in result.entry.sections:
            yield result, Note(result.entry, section)


class Source:
    """The derived glossary in one language, ready for an export."""

    def __init__(self, site: SiteBuild, lang: str, config: Path | None) -> None:
        if lang not in LANGUAGES:
            raise GlossaryError(f"unknown language {lang!r} (use ko or en)")
        self.site = site
        self.lang = lang
        self.config = config
        self.results = ordered(site.results())
        # Rendering resolves every reference of every entry: a dangling one stops the export here.
        self.pages = site.render()
        self.words = export_words(site.templates_dir, lang)
        self.site_words = _site_words(site.templates_dir, lang)
        self._markdown: Any = None

    def notes(self) -> list[tuple[EntryResult, Note]]:
        return list(all_notes(self.results))

    def page(self, result: EntryResult) -> str:
        """The term's page as the site renders it (Markdown, front matter removed)."""
        return front_matter_removed(self.pages[f"{self.lang}/{term_path(result.entry.category, result.entry.id)}"])

    def html(self, markdown_text: str) -> str:
        """Markdown to HTML with the site's Markdown extensions; math stays ``\\(…\\)`` and ``\\[…\\]``."""
        if self._markdown is None:
            self._markdown = markdown_converter(self.config)
        self._markdown.reset()
        return self._markdown.convert(markdown_text)

    def plot(self, entry_id: str, formula_id: str) -> str | None:
        return self.pages.get(f"assets/plots/{entry_id}--{formula_id}--{self.lang}.svg")

    def formula_count(self) -> int:
        return sum(len(r.records) for r in self.results)

    def notation(self) -> str | None:
        """The notation as Markdown: the site's notation page if it has one, else a table made from
        what the entries declare under ``notation:`` (None when no entry declares any)."""
        page = self.pages.get(f"{self.lang}/notation.md")
        if page is not None:
            text = front_matter_removed(page)
            # The page's own title: the export prints its own heading.
            return re.sub(r"\A\s*# [^\n]*\n", "", text)
        return notation_markdown([r.entry for r in self.results], self.lang, self.words)


def notation_markdown(entries: list[Entry], lang: str, words: dict[str, str]) -> str | None:
    """Every symbol the entries declare, with its meaning and the terms that use it, as a Markdown table.

    A symbol declared with different meanings gets one row per meaning.
    """
    rows: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        for item in entry.notation:
            users = rows.setdefault((item.symbol, item.meaning[lang]), [])
            if entry not in users:
                users.append(entry)
    if not rows:
        return None
    lines = [f"| {words['symbol']} | {words['meaning']} | {words['used_in']} |", "| :---: | --- | --- |"]
    for (symbol, meaning), users in rows.items():
        latex = symbol.replace("|", r"\vert ")
        links = ", ".join(f"[{escape_text(e.names[lang])}]({term_path(e.category, e.id)})" for e in users)
        lines.append(f"| ${latex}$ | {render_plain(meaning, math=True)} | {links} |")
    return "\n".join(lines) + "\n"


def front_matter_removed(page: str) -> str:
    if page.startswith("---\n"):
        end = page.find("\n---\n", 4)
        if end != -1:
            return page[end + 5 :]
    return page


def markdown_converter(config: Path | None):
    """A Markdown converter with the extensions of the site's MkDocs configuration."""
    import markdown

    extensions, settings = _markdown_extensions(config)
    try:
        return markdown.Markdown(extensions=extensions, extension_configs=settings)
    except Exception as error:  # an extension the configuration names but Python cannot load
        raise GlossaryError(f"{config}: its Markdown extensions cannot be loaded: {error}") from None


#: Used when there is no MkDocs configuration: what the page templates need.
DEFAULT_EXTENSIONS: list[str] = [
    "attr_list",
    "md_in_html",
    "admonition",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.arithmatex",
]


def _markdown_extensions(config: Path | None) -> tuple[list[Any], dict[str, Any]]:
    if config is None:
        return DEFAULT_EXTENSIONS, {"pymdownx.arithmatex": {"generic": True}}
    if not config.is_file():
        raise GlossaryError(f"{config}: no such MkDocs configuration (pass --config mkdocs.yml from the project)")
    import logging

    from mkdocs.config import load_config

    # MkDocs logs while it validates; the export reports its own problems in one line.
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        loaded = load_config(str(config))
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        raise GlossaryError(f"{config}: cannot be read as a MkDocs configuration: {error}") from None
    finally:
        logger.setLevel(level)
    return list(loaded["markdown_extensions"]), dict(loaded["mdx_configs"])


def export_words(templates_dir: Path, lang: str) -> dict[str, str]:
    path = Path(templates_dir) / "export" / "strings.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        words = data[lang]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise GlossaryError(f"{path}: cannot be read ({error})") from None
    if not isinstance(words, dict):
        raise GlossaryError(f"{path}: {lang} must hold a table of words")
    return {str(key): str(value) for key, value in words.items()}


def _site_words(templates_dir: Path, lang: str) -> dict[str, Any]:
    path = Path(templates_dir) / "strings" / f"{lang}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GlossaryError(f"{path}: cannot be read ({error})") from None
    return data if isinstance(data, dict) else {}


def output_path(out: str | None, default: str) -> Path:
    """The file to write: ``--out`` or the default name, refusing a folder."""
    path = Path(out if out else default)
    if path.is_dir():
        raise GlossaryError(f"--out {path} is a folder; name the file to write")
    return path


def write_atomically(path: Path, write: Callable[[Path], None]) -> int:
    """Write through a temporary file beside ``path`` and rename it, so that an interrupted export
    never leaves half a file; returns the size in bytes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
    except OSError as error:
        raise GlossaryError(f"cannot write into {path.parent}: {error.strerror}") from None
    staged = Path(temporary)
    try:
        write(staged)
        os.chmod(staged, 0o644)
        os.replace(staged, path)
    except OSError as error:
        raise GlossaryError(f"cannot write {path}: {error.strerror}") from None
    finally:
        staged.unlink(missing_ok=True)
    return path.stat().st_size


def plain(text: str) -> str:
    """Text for HTML, escaped."""
    return html.escape(text, quote=True)
