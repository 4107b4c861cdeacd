"""The glossary as an Anki deck, one per language, written with genanki.

One note per term and per sub-term (a section of a term's page). The front
holds the name, the other language's name and the variants (and, for a
sub-term, the term it belongs to); the back holds the definition, the key
formula (the first the term or sub-term derives) with its derived result, the
named parts with their decimals, and its figure when it has one.

Math is in the syntax Anki's MathJax reads: ``\\(…\\)`` inline and ``\\[…\\]``
displayed. Identifiers never change between exports: the note type and the deck
have fixed ids per language, and each note's GUID is derived from the entry's
id, the section's id and the language, so importing a newer deck updates the
cards (and keeps their review history) instead of adding duplicates.

Figures are the plots the site shows, as the SVG files the engine drew (their
text is drawn as outlines, so no font is needed); Anki shows SVG images on the
desktop and on phones, so they are packed as they are.
"""

from __future__ import annotations

import html
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..content.catalog import EntryResult
from ..content.prose import render_plain
from ..content.schema import CATEGORIES
from ..errors import GlossaryError
from ..render import Renderer, display_blocks, term_path
from ..render.katex import korean_tex
from .source import Note, Source, write_atomically

__all__ = ["DECK_IDS", "MODEL_IDS", "DeckReport", "note_guid", "write_deck"]

#: Fixed forever: Anki recognises the note type and the deck of a re-import by these ids.
MODEL_IDS = {"ko": 1_591_370_214, "en": 1_591_370_215}
DECK_IDS = {"ko": 2_059_184_360, "en": 2_059_184_361}

FIELDS = ["Name", "Names", "Context", "Definition", "Formula", "Figure", "Id"]

FRONT = """\
<div class="context">{{Context}}</div>
<div class="name">{{Name}}</div>
{{#Names}}<div class="names">{{Names}}</div>{{/Names}}
"""

BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="definition">{{Definition}}</div>
{{#Formula}}<div class="formula">{{Formula}}</div>{{/Formula}}
{{#Figure}}<div class="figure">{{Figure}}</div>{{/Figure}}
"""

CSS = """\
.card { font-family: "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif;
  font-size: 19px; line-height: 1.5; text-align: left; color: #1f1f1f; background: #fff;
  max-width: 42em; margin: 0 auto; padding: 0 0.6em; word-break: keep-all; overflow-wrap: anywhere; }
.card.nightMode { color: #e8e8e8; background: #2b2b2b; }
.name { font-size: 1.6em; font-weight: 700; text-align: center; margin-top: 0.4em; }
.names { text-align: center; color: #666; }
.nightMode .names, .nightMode .context, .nightMode .caption { color: #aaa; }
.context { text-align: center; color: #777; font-size: 0.8em; }
.definition p { margin: 0.5em 0; }
.formula { margin-top: 1em; overflow-x: auto; }
.caption { font-weight: 700; color: #444; margin: 0.8em 0 0.2em; }
.parts { padding-left: 1.2em; }
.parts li { margin: 0.3em 0; }
.figure img { display: block; max-width: 100%; height: auto; margin: 1em auto 0; }
"""


@dataclass(frozen=True)
class DeckReport:
    path: Path
    notes: int
    media: int
    size: int
    seconds: float


def note_guid(entry_id: str, section_id: str | None, lang: str) -> str:
    """The note's GUID: the same term or sub-term in the same language always gets the same one."""
    import genanki

    return genanki.guid_for("glossary", lang, entry_id, section_id or "")


def write_deck(source: Source, out: Path) -> DeckReport:
    """Write the Anki package of ``source`` (one language of the glossary) to ``out``."""
    try:
        import genanki
    except ImportError:
        raise GlossaryError(
            "the Anki deck is written by genanki, which is not installed: pip install genanki"
        ) from None
    started = time.perf_counter()
    lang = source.lang
    words = source.words
    model = genanki.Model(
        MODEL_IDS[lang],
        words["model"],
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": words["model"], "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
        sort_field_index=0,
    )
    deck = genanki.Deck(DECK_IDS[lang], words["deck"])
    cards = Cards(source)
    with tempfile.TemporaryDirectory(prefix="glossary-anki-") as folder:
        media: list[str] = []
        for position, (result, note) in enumerate(source.notes()):
            fields, figure = cards.fields(result, note)
            if figure is not None:
                name, svg = figure
                path = Path(folder) / name
                path.write_text(svg, encoding="utf-8")
                media.append(str(path))
            deck.add_note(
                genanki.Note(
                    model=model,
                    fields=fields,
                    guid=note_guid(note.entry.id, note.section.id if note.section else None, lang),
                    tags=[f"glossary::{note.entry.category}", f"glossary::{note.entry.id}"],
                    due=position,
                )
            )
        package = genanki.Package(deck, media_files=media)
        stamp = _timestamp()
        size = write_atomically(out, lambda path: package.write_to_file(str(path), timestamp=stamp))
    return DeckReport(out, len(deck.notes), len(media), size, time.perf_counter() - started)


def _timestamp() -> float | None:
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return float(epoch) if epoch and epoch.isdigit() else None


class Cards:
    """The fields of each note, as HTML with math for Anki's MathJax."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.renderer = Renderer(source.site.templates_dir)
        self.paths = {r.entry.id: term_path(r.entry.category, r.entry.id) for r in source.results}

    def fields(self, result: EntryResult, note: Note) -> tuple[list[str], tuple[str, str] | None]:
        lang = self.source.lang
        entry = note.entry
        here = self.paths[entry.id]
        context = CATEGORIES[entry.category][lang]
        if note.section is None:
            field, text = f"definition.{lang}", entry.definition[lang]
            formulas = entry.formulas
        else:
            index = entry.sections.index(note.section)
            field, text = f"sections[{index}].text.{lang}", note.section.text[lang]
            formulas = note.section.formulas
            context = f"{context} · {html.escape(entry.names[lang], quote=False)}"
        prose = self.renderer.prose(result, field, text, lang, here, self.paths)
        definition = _links_as_text(self.source.html(prose))
        formula = ""
        figure = None
        if formulas:
            formula = self._formula(result, _key_formula(result, formulas))
            for candidate in formulas:
                svg = self.source.plot(entry.id, candidate.id) if candidate.plot else None
                if svg is not None:
                    figure = (f"glossary-{entry.id}--{candidate.id}--{lang}.svg", svg)
                    break
        names = " · ".join(html.escape(name, quote=False) for name in note.variants(lang))
        image = f'<img src="{figure[0]}">' if figure else ""
        return [html.escape(note.name(lang), quote=False), names, context, definition, formula, image, note.id], figure

    def _formula(self, result: EntryResult, formula) -> str:
        """The caption, then the named parts (exact value ≈ decimal) as a list of inline formulas,
        which wrap on a phone's screen; a result without named parts is one displayed formula."""
        record = result.record(formula.id)
        lang = self.source.lang
        caption = _links_as_text(_inline_math(self.source.html(render_plain(formula.caption[lang], math=True))))
        blocks = [block for block in display_blocks(record) if not _unreadable(block)]
        local = korean_tex if lang == "ko" else str
        if record.parts:
            items = "".join(f"<li>\\(\\displaystyle {_tex(local(block['latex']))}\\)</li>" for block in blocks)
            shown = f'<ul class="parts">{items}</ul>' if items else ""
        else:
            shown = "".join(f"\\[{_tex(local(block['latex']))}\\]" for block in blocks)
        return f'<div class="caption">{caption}</div>{shown}'


def _unreadable(block: dict) -> bool:
    """A long exact result with no decimal to show instead: a card cannot hold it."""
    return bool(block["long"]) and "\\approx" not in str(block["latex"])


def _key_formula(result: EntryResult, formulas: list):
    """The first formula whose result a card can show; the first one if none can."""
    for formula in formulas:
        if not all(_unreadable(block) for block in display_blocks(result.record(formula.id))):
            return formula
    return formulas[0]


def _tex(latex: str) -> str:
    """LaTeX inside HTML: Anki's MathJax reads the text, so ``&`` and ``<`` are written as entities."""
    return html.escape(str(latex), quote=False)


_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.S)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def _inline_math(fragment: str) -> str:
    """A caption is one line: its paragraph tags are dropped."""
    match = _PARAGRAPH.match(fragment.strip())
    return match.group(1) if match else fragment


def _links_as_text(fragment: str) -> str:
    """Links to other pages of the site mean nothing in Anki: their text stays, the link goes.
    Links to the web stay."""
    return _LINK.sub(lambda m: m.group(0) if m.group(1).startswith("https://") else m.group(2), fragment)
