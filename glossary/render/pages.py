"""Verified entry results to Markdown pages, with one Jinja environment.

A pure function of its inputs: `Renderer.render_pages` returns ``{path: text}``
for both languages; it knows nothing of MkDocs and reads only templates.

Text is escaped by default, the way Jinja's autoescape works for HTML: every
``{{ value }}`` in a page template goes through `escape_text` unless the value
is already `Markdown` (prose and captions rendered by `glossary.content.prose`,
LaTeX from the engine, front matter written by a YAML serializer).
"""

from __future__ import annotations

import html
import importlib.metadata
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..content.catalog import EntryResult
from ..content.prose import Markdown, Reference, TermLinker, escape_text, render_plain, render_prose
from ..content.records import LONG_LATEX, FormulaRecord
from ..content.registry import HELPERS
from ..content.schema import CATEGORIES
from ..errors import EntryError, GlossaryError
from ..plots import PLOTS
from .concept_map import COLORS, concept_map_svg
from .search import link_targets, notation_rows

__all__ = ["LANGUAGES", "EntryResult", "Renderer", "capitalise", "relations", "term_path"]

LANGUAGES = ("ko", "en")


def term_path(category: str, term_id: str) -> str:
    """Path of a term page inside a language folder."""
    return f"{category}/{term_id}.md"


def capitalise(name: str) -> str:
    """Upper-case the first letter only: "partial derivative" → "Partial derivative", "ReLU" stays."""
    return name[:1].upper() + name[1:]


def relations(results: Sequence[EntryResult]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(builds_on, used_by) for every term: declared relations plus those implied by the helpers used."""
    ids = {r.entry.id for r in results}
    builds_on: dict[str, list[str]] = {}
    for result in results:
        targets = list(result.entry.builds_on)
        for formula in result.entry.all_formulas():
            for target in HELPERS[formula.helper].builds_on:
                if target in ids and target != result.entry.id and target not in targets:
                    targets.append(target)
        builds_on[result.entry.id] = targets
    used_by: dict[str, list[str]] = defaultdict(list)
    for source, targets in builds_on.items():
        for target in targets:
            used_by[target].append(source)
    return builds_on, {i: sorted(used_by.get(i, [])) for i in ids}


_SAFE_URL = re.compile(r"^(\.\./)*[a-z0-9][a-z0-9/#_-]*(\.[a-z0-9]+)?(#[a-z0-9-]+)?/?$")


def _url(path: str) -> Markdown:
    """A link target the site made itself (slugs and relative paths): checked, then printed as it is."""
    if not _SAFE_URL.match(str(path)):
        raise GlossaryError(f"refusing to print the link target {path!r}")
    return Markdown(str(path))


def _fence(text: str) -> Markdown:
    """A run of backticks longer than any inside ``text``, so a code block cannot be closed from within."""
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    return Markdown("`" * max(3, longest + 1))


def _fmt_error(value: float) -> Markdown:
    return Markdown("0" if value == 0 else f"{value:.1e}")


def _finalize(value: Any) -> Any:
    """Jinja's last word on every ``{{ … }}``: text is escaped unless it is already Markdown."""
    if isinstance(value, Markdown) or value is None:
        return "" if value is None else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape_text(str(value))


def front_matter(**fields: Any) -> Markdown:
    """YAML front matter written by a serializer. Titles are HTML-escaped too, because themes
    print ``page.title`` and the description into HTML without escaping."""
    clean: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            clean[key] = value
        elif isinstance(value, (list, tuple)):
            clean[key] = [html.escape(str(item), quote=True) for item in value]
        else:
            clean[key] = html.escape(str(value), quote=True)
    text = yaml.safe_dump(clean, allow_unicode=True, sort_keys=False, width=10_000)
    return Markdown(f"---\n{text}---\n")


@dataclass(frozen=True)
class Link:
    title: str
    path: str


class Renderer:
    """The one Jinja environment; templates live in ``templates/pages``, words in ``templates/strings``."""

    def __init__(self, templates_dir: str | Path) -> None:
        self.templates_dir = Path(templates_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir / "pages")),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # Markdown, not HTML: `_finalize` escapes for Markdown instead
            finalize=_finalize,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["error"] = _fmt_error
        self.env.filters["cap"] = capitalise
        # Text the project itself wrote (LaTeX from the engine, strings files): printed as it is.
        self.env.filters["md"] = lambda text: Markdown(str(text))
        self.env.filters["url"] = _url
        self.env.filters["indent_block"] = lambda text, n=4: Markdown(
            "\n".join((" " * n + line) if line else "" for line in str(text).splitlines())
        )
        self.env.filters["caption"] = lambda text: render_plain(text, math=True)
        self.env.filters["fence"] = _fence
        self.env.filters["cell"] = _table_cell
        self.env.filters["breakable"] = lambda text: Markdown(breakable(str(text)))
        self.env.filters["inputs"] = inputs_line
        self.strings = {lang: self._strings(lang) for lang in LANGUAGES}
        self._link_targets: dict[str, Any] = {}

    def _strings(self, lang: str) -> dict[str, Any]:
        path = self.templates_dir / "strings" / f"{lang}.yaml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise GlossaryError(f"{path}: cannot be read: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("ui"), dict):
            raise GlossaryError(f"{path}: must hold a mapping with a 'ui' table")
        return data

    def method(self, method: str, lang: str) -> str:
        """A verification method described in the page's language."""
        if lang == "en":
            return method
        translated = (self.strings[lang].get("methods") or {}).get(method)
        if not translated:
            raise GlossaryError(
                f"no {lang} description of the verification method {method!r}: "
                f"add it under methods: in {self.templates_dir / 'strings' / f'{lang}.yaml'}"
            )
        return translated

    # -- prose and references ---------------------------------------------------------------
    def _resolver(self, result: EntryResult, field: str) -> Callable[[Reference], str]:
        def resolve(reference: Reference) -> str:
            record = result.record(reference.formula)
            if reference.part is None:
                latex, decimal_latex, text, decimal = record.result_latex, None, record.result_text, None
            else:
                part = record.part(reference.part)
                if part is None:
                    known = ", ".join(p.key for p in record.parts) or "none"
                    raise EntryError(
                        result.path,
                        field,
                        f"{reference.source}: {reference.formula} has no part {reference.part!r} (parts: {known})",
                    )
                latex, decimal_latex, text, decimal = part.latex, part.decimal_latex, part.text, part.decimal
            if reference.format == "decimal":
                return escape_text(decimal or text)
            if reference.format == "text":
                return escape_text(text)
            if reference.format == "approx" and decimal_latex:
                return f"${latex} \\approx {decimal_latex}$"
            return f"${latex}$"

        return resolve

    def prose(
        self,
        result: EntryResult,
        field: str,
        text: str,
        lang: str,
        here: str,
        paths: dict[str, str],
        linker: TermLinker | None = None,
    ) -> Markdown:
        def term_link(entry_id: str, anchor: str | None) -> str:
            return _relative(here, paths[entry_id]) + (f"#{anchor}" if anchor else "")

        return render_prose(text, self._resolver(result, field), term_link, linker)

    def term_linker(self, results: Sequence[EntryResult], lang: str, entry_id: str) -> TermLinker:
        """Links for one term page: the first mention of every other term in its prose."""
        key = tuple(r.loaded.digest for r in results)
        if self._link_targets.get("key") != key:
            self._link_targets = {"key": key, "targets": {}}
        targets = self._link_targets["targets"]
        if lang not in targets:
            targets[lang] = tuple(link_targets([r.entry for r in results], lang))
        return TermLinker(targets[lang], entry_id)

    def check_references(self, result: EntryResult) -> None:
        """Resolve every reference of an entry once, so a dangling part is an entry error."""
        from ..content.catalog import prose_fields

        for field, _, text in prose_fields(result.entry):
            render_prose(text, self._resolver(result, field), lambda entry_id, anchor: "#")

    # -- pages ------------------------------------------------------------------------------
    def render_pages(self, results: Sequence[EntryResult], early: dict[str, str] | None = None) -> dict[str, str]:
        """Every page of the site for both languages: ``{path: markdown}``. ``early`` holds term pages
        already made by `term_pages` from these same entries; the others are made here."""
        try:
            pages = self._render_pages(results, early or {})
            pages.update(self.notation_pages(results))
            return pages
        except jinja2.TemplateError as error:
            where = f"{error.filename}:{error.lineno}" if getattr(error, "lineno", None) else "templates"
            raise GlossaryError(f"{where}: {error.message or type(error).__name__}") from None

    def term_pages(self, results: Sequence[EntryResult], ids: set[str]) -> dict[str, str]:
        """The term pages of the entries ``ids``, both languages. A term page needs the records of its
        own entry only; ``results`` give every entry's names and relations (their records may be empty)."""
        order = list(CATEGORIES)
        results = sorted(results, key=lambda r: (order.index(r.entry.category), r.entry.order, r.entry.id))
        builds_on, used_by = relations(results)
        by_id = {r.entry.id: r for r in results}
        paths = {r.entry.id: term_path(r.entry.category, r.entry.id) for r in results}
        pages: dict[str, str] = {}
        for lang in LANGUAGES:
            strings = self.strings[lang]
            common = {"lang": lang, "other": "en" if lang == "ko" else "ko", "ui": strings["ui"]}
            common |= {"categories": CATEGORIES, "strings": strings}

            def link(term_id: str, here: str) -> Link:
                target = by_id[term_id].entry
                return Link(capitalise(target.names[lang]), _relative(here, paths[target.id]))

            for result in results:
                entry = result.entry
                if entry.id not in ids:
                    continue
                here = paths[entry.id]
                linker = self.term_linker(results, lang, entry.id)

                def prose(field: str, text: str, result=result, here=here, linker=linker) -> Markdown:
                    return self.prose(result, field, text, lang, here, paths, linker)

                pages[f"{lang}/{here}"] = self.env.get_template("term.md.j2").render(
                    **common,
                    front=front_matter(title=capitalise(entry.names[lang]), description=entry.summary[lang]),
                    entry=entry,
                    result=result,
                    prose=prose,
                    display=display_blocks,
                    method=lambda m: self.method(m, lang),
                    field_of=lambda formula, result=result: result.fields[formula.id][0],
                    plot_alt=lambda formula: PLOTS[formula.plot.name].alt[lang],
                    plot_path=lambda formula, here=here, entry=entry: _relative(
                        here, f"assets/plots/{entry.id}--{formula.id}--{lang}.svg", up_to_root=True
                    ),
                    builds_on=[link(t, here) for t in builds_on[entry.id]],
                    used_by=[link(t, here) for t in used_by[entry.id]],
                )
        return pages

    def _render_pages(self, results: Sequence[EntryResult], early: dict[str, str]) -> dict[str, str]:
        order = list(CATEGORIES)
        results = sorted(results, key=lambda r: (order.index(r.entry.category), r.entry.order, r.entry.id))
        builds_on, _ = relations(results)
        paths = {r.entry.id: term_path(r.entry.category, r.entry.id) for r in results}
        made_early = {path.split("/", 1)[1] for path in early}
        pages: dict[str, str] = dict(early)
        pages.update(self.term_pages(results, {i for i, path in paths.items() if path not in made_early}))
        versions = {name: importlib.metadata.version(name) for name in ("sympy", "numpy", "scipy")}
        for lang in LANGUAGES:
            strings = self.strings[lang]
            ui = strings["ui"]
            other = "en" if lang == "ko" else "ko"
            common = {"lang": lang, "other": other, "ui": ui, "categories": CATEGORIES, "strings": strings}

            for category in CATEGORIES:
                here = f"{category}/index.md"
                members = [r.entry for r in results if r.entry.category == category]
                pages[f"{lang}/{here}"] = self.env.get_template("category.md.j2").render(
                    **common,
                    front=front_matter(title=CATEGORIES[category][lang]),
                    category=category,
                    members=members,
                    links={e.id: _relative(here, paths[e.id]) for e in members},
                )
            pages[f"{lang}/index.md"] = self.env.get_template("home.md.j2").render(
                **common,
                front=_home_front(strings["site_name"]),
                results=results,
                links=paths,
                formula_count=sum(len(r.records) for r in results),
                closest=max(
                    (
                        f.report.max_error / f.report.tolerance
                        for r in results
                        for f in r.records.values()
                        if f.report.tolerance
                    ),
                    default=0.0,
                ),
            )
            names = {r.entry.id: capitalise(r.entry.names[lang]) for r in results}
            pages[f"{lang}/concept-map.md"] = self.env.get_template("concept_map.md.j2").render(
                **common,
                # The drawing needs the width: no sidebars on this page.
                front=front_matter(title=ui["concept_map"], hide=["navigation", "toc"]),
                svg=Markdown(
                    concept_map_svg(
                        [r.entry for r in results],
                        builds_on,
                        names,
                        {i: f"../{p.removesuffix('.md')}/" for i, p in paths.items()},
                        ui["concept_map"],
                    )
                ),
                colors=COLORS,
                results=results,
                builds_on=builds_on,
                links=paths,
                names=names,
            )
            pages[f"{lang}/verification.md"] = self.env.get_template("verification.md.j2").render(
                **common,
                # The table has seven columns: the page gives it the whole width.
                front=front_matter(title=ui["verification"], hide=["navigation", "toc"]),
                results=results,
                links=paths,
                versions=versions,
                method=lambda m: self.method(m, lang),
            )
            pages[f"{lang}/api.md"] = self.env.get_template("api.md.j2").render(
                **common, front=front_matter(title=ui["api"]), families=sorted({h.family for h in HELPERS.values()})
            )
        return pages

    def notation_pages(self, results: Sequence[EntryResult]) -> dict[str, str]:
        """The notation page in both languages: every symbol the entries declare, its meaning
        and the terms that use it."""
        order = list(CATEGORIES)
        entries = sorted((r.entry for r in results), key=lambda e: (order.index(e.category), e.order, e.id))
        paths = {e.id: term_path(e.category, e.id) for e in entries}
        rows = notation_rows(entries)
        pages = {}
        for lang in LANGUAGES:
            strings = self.strings[lang]
            ui = strings["ui"]
            pages[f"{lang}/notation.md"] = self.env.get_template("notation.md.j2").render(
                lang=lang,
                other="en" if lang == "ko" else "ko",
                ui=ui,
                strings=strings,
                front=front_matter(title=ui["notation"]),
                rows=rows,
                table_latex=lambda latex: Markdown(latex.replace("|", r"\vert ")),
                links={e.id: Link(capitalise(e.names[lang]), paths[e.id]) for e in entries},
            )
        return pages


#: The longest input value shown in full on a page; a longer one is cut with an ellipsis.
INPUT_CHARS = 240


def _input_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_input_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_input_text(item) for item in value) + "]"
    return str(value)


def inputs_line(args: dict[str, Any]) -> Markdown:
    """A formula's inputs as the entry gives them, each as code: `` `X = [[1, 2], [2, 1]]` · `k = 1` ``.

    >>> print(inputs_line({"A": [[2, 1], [1, 2]], "prior": {"sick": "1/100"}}))
    `A = [[2, 1], [1, 2]]` · `prior = {sick: 1/100}`
    """
    shown = []
    for name, value in args.items():
        text = " ".join(f"{name} = {_input_text(value)}".replace("`", "'").split())
        if len(text) > INPUT_CHARS:
            text = text[: INPUT_CHARS - 1] + "…"
        shown.append(f"`{text}`")
    return Markdown(" · ".join(shown))


_INLINE_MATH = re.compile(r"\$[^$]*\$")


def _table_cell(text: Any) -> Markdown:
    """Markdown for a table cell: a bar inside inline math would end the cell, so it becomes ``\\vert``
    (text outside math is already escaped).

    >>> print(_table_cell(Markdown(r"$|A - \\lambda I| = 0$ a\\|b")))
    $\\vert A - \\lambda I\\vert  = 0$ a\\|b
    """
    return Markdown(_INLINE_MATH.sub(lambda m: m.group(0).replace("|", "\\vert "), str(text)))


def _home_front(title: str) -> Markdown:
    text = yaml.safe_dump({"title": html.escape(title), "hide": ["navigation"]}, allow_unicode=True, sort_keys=False)
    return Markdown(f"---\n{text}---\n")


#: A named part whose plain text is longer than this gets a display line of its own instead of a
#: row in the aligned block (an aligned block cannot wrap, a line of its own can).
ROW_TEXT = 44


def display_blocks(record: FormulaRecord) -> list[dict[str, Any]]:
    """What a formula shows as its result: the named parts, or the bare result when it has none.

    Short parts share one aligned block, a row each, ``λ₁ = 334/45 ≈ 7.42``: the decimal stands beside
    every exact value that is not an integer. A longer part gets a display line of its own that can
    wrap; a part whose exact LaTeX is very long shows its decimal value, the exact value folded
    and written with its repeated subexpressions named (u₁ = tanh(3/4), …).
    """
    if not record.parts:
        # Nothing shorter to show in its place: the result itself, never folded behind a copy of itself.
        latex = Markdown(breakable(record.result_latex))
        return [{"latex": latex, "long": False, "exact": latex, "name": None}]
    blocks: list[dict[str, Any]] = []
    rows: list[str] = []

    def flush() -> None:
        if rows:
            body = " \\\\ ".join(rows)
            latex = Markdown(
                f"\\begin{{aligned}} {body} \\end{{aligned}}" if len(rows) > 1 else rows[0].replace("&", "")
            )
            blocks.append({"latex": latex, "long": False, "exact": latex, "name": None})
            rows.clear()

    seen = set()
    for part in record.parts:
        # A part under two keys (θ₄ also as ``final``, for prose to quote) is shown once.
        if (part.name_latex, part.latex) in seen:
            continue
        seen.add((part.name_latex, part.latex))
        long = len(part.latex) > LONG_LATEX
        width = len(part.name_text) + len(part.text) + len(part.decimal or "")
        if not long and width <= ROW_TEXT and "\\\\" not in part.latex.replace("\\end{matrix}", ""):
            shown = f"{part.name_latex} &= {part.latex}"
            rows.append(shown + (f" \\approx {part.decimal_latex}" if part.decimal_latex else ""))
            continue
        flush()
        if long and part.decimal_latex:
            shown = f"{part.name_latex} \\approx {part.decimal_latex}"
        elif part.decimal_latex:
            shown = f"{part.name_latex} = {breakable(part.latex)} \\approx {part.decimal_latex}"
        else:
            shown = f"{part.name_latex} = {breakable(part.latex)}"
        blocks.append(
            {
                "latex": Markdown(shown),
                "long": long,
                "exact": Markdown(part.exact_latex or f"{part.name_latex} = {breakable(part.latex)}"),
                "name": part.key,
            }
        )
    flush()
    return blocks


_TEX_TOKEN = re.compile(
    r"\\left\s*(?:\\[a-zA-Z]+|\S)|\\right\s*(?:\\[a-zA-Z]+|\S)|\\begin\{[a-zA-Z*]+\}|\\end\{[a-zA-Z*]+\}|\\[a-zA-Z]+|\\.|[{},]"
)
#: Display LaTeX shorter than this keeps its tuples' stretchy brackets: it fits a line anyway.
BREAK_AT = 80


def _top_level(tex: str) -> tuple[list[str], bool]:
    """``tex`` cut at its commas of depth 0, and whether its brackets and braces balance."""
    depth, pieces, start = 0, [], 0
    for token in _TEX_TOKEN.finditer(tex):
        text = token.group(0)
        if text.startswith(("\\left", "\\begin{")) or text == "{":
            depth += 1
        elif text.startswith(("\\right", "\\end{")) or text == "}":
            depth -= 1
            if depth < 0:
                return [tex], False
        elif text == "," and depth == 0:
            pieces.append(tex[start : token.start()])
            start = token.end()
    pieces.append(tex[start:])
    return pieces, depth == 0


_OUTER = re.compile(r"^\\left\s*([(\[])(?P<inner>.*)\\right\s*([)\]])$", re.DOTALL)


def breakable(tex: str, depth: int = 0) -> str:
    """A long display formula that may wrap at the commas of its outermost tuple or list.

    KaTeX breaks a line only between the top-level pieces of a formula (after relations, binary
    operators and ``\\allowbreak``); a SymPy tuple ``\\left( a, b \\right)`` is one piece, as wide as
    all its members. A long one loses its stretchy brackets for fixed large ones, so its members may
    flow onto the next line, each kept whole.

    >>> print(breakable(r"\\left( " + ", ".join(["x_{%d}" % i for i in range(30)]) + r"\\right)")[:44])
    \\bigl( x_{0}, \\allowbreak x_{1}, \\allowbreak
    >>> print(breakable(r"\\left( a, b \\right)"))
    \\left( a, b \\right)
    """
    text = tex.strip()
    match = _OUTER.match(text)
    if len(text) <= BREAK_AT or match is None or depth > 1:
        return tex
    pieces, balanced = _top_level(match.group("inner"))
    if not balanced or len(pieces) < 2:
        return tex
    opening, closing = match.group(1), text[-1]
    if "matrix" in text:
        size = ("\\Biggl", "\\Biggr")
    elif "\\frac" in text:
        size = ("\\Bigl", "\\Bigr")
    else:
        size = ("\\bigl", "\\bigr")
    members = [breakable(piece.strip(), depth + 1) for piece in pieces]
    return f"{size[0]}{opening} " + ", \\allowbreak ".join(members) + f" {size[1]}{closing}"


def _relative(here: str, target: str, up_to_root: bool = False) -> str:
    """A relative link from one page path to another inside the same language folder
    (or, with ``up_to_root``, to a path at the docs root)."""
    depth = here.count("/") + (1 if up_to_root else 0)
    return "../" * depth + target
