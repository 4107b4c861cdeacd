"""The small, safe Markdown that entry prose may use, and plain text everywhere else.

Prose (definitions, section texts, notes, misconception explanations) may hold:

- paragraphs (a blank line between them) and ``- `` bullet lists;
- ``*emphasis*``, ``**strong**`` and ```code```;
- inline math between single dollar signs, ``$\\sigma'(0)$``;
- links to ``https://`` (or ``http://``) addresses, ``[text](https://…)``, and to
  other terms, ``[text](term:eigenvalue)`` or ``[text](term:activation-function#relu)``;
- references to derived results, ``{{formula-id}}`` or ``{{formula-id.part}}``,
  optionally with a format: ``{{sigmoid-bound.max_derivative:decimal}}``
  (formats: ``math`` (the default), ``decimal``, ``approx``, ``text``).

Everything else is text: raw HTML, attribute lists, ``:::`` directives,
admonitions, headings, images and other link schemes are refused with the field
named, and the characters Markdown or HTML would interpret are escaped on the
way out. Names, captions, summaries and variants are plain text (captions may
hold inline math) and are escaped the same way wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import GlossaryError

__all__ = [
    "FORMATS",
    "Markdown",
    "ProseError",
    "Reference",
    "check_plain",
    "check_prose",
    "escape_text",
    "render_plain",
    "render_prose",
]

FORMATS = ("math", "decimal", "approx", "text")


class ProseError(GlossaryError):
    """Prose outside the allowed subset; the message says what to write instead."""


class Markdown(str):
    """Text that is already safe Markdown: the page templates print it as it is."""

    __slots__ = ()


@dataclass(frozen=True)
class Reference:
    """``{{formula.part:format}}`` in prose: a value the page quotes from a derivation."""

    formula: str
    part: str | None
    format: str

    @property
    def source(self) -> str:
        inner = self.formula + (f".{self.part}" if self.part else "")
        return "{{" + inner + (f":{self.format}" if self.format != "math" else "") + "}}"


# Order matters: the first alternative that matches at a position wins.
_TOKEN = re.compile(
    r"(?P<ref>\{\{\s*(?P<formula>[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(?P<part>[A-Za-z_][A-Za-z0-9_]*))?"
    r"(?::(?P<format>[a-z]+))?\s*\}\})"
    r"|(?P<math>\$(?P<tex>[^$\n]+)\$)"
    r"|(?P<code>`(?P<code_text>[^`\n]+)`)"
    r"|(?P<link>\[(?P<label>[^\]\n]+)\]\((?P<target>[^)\s]+)\))"
)
_TERM_TARGET = re.compile(r"^term:(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)(?:#(?P<anchor>[a-z0-9]+(?:-[a-z0-9]+)*))?$")
_WEB_TARGET = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*)?$")
_EMPHASIS = re.compile(r"(\*\*|\*)")

# Constructs that are refused in plain text, each with what to do instead.
_REFUSED_TEXT = [
    (re.compile(r"<\s*[A-Za-z/!?]"), "raw HTML is not allowed (write the text without tags)"),
    (re.compile(r"\{[:#.]|\{\s*[A-Za-z_-]+\s*=|\{\s*[.#]"), "attribute lists { … } are not allowed"),
    (re.compile(r"!\["), "images are not allowed in prose (plots are declared on a formula)"),
    (re.compile(r"\[[^\]]*\]\["), "reference-style links are not allowed; write [text](https://…)"),
    (re.compile(r"&[A-Za-z#][A-Za-z0-9]*;"), "HTML entities are not allowed; write the character itself"),
    (re.compile(r"\{\{|\}\}"), "a reference must look like {{formula-id}} or {{formula-id.part}}"),
]
_REFUSED_LINE = [
    (re.compile(r"^\s*(:::|!!!|\?\?\?|===|%%)"), "directives and admonitions (:::, !!!, ???) are not allowed"),
    (re.compile(r"^\s*#"), "headings are not allowed in prose"),
    (re.compile(r"^\s*(```|~~~)"), "code blocks are not allowed in prose; use `code` inline"),
    (re.compile(r"^\s*>"), "block quotes are not allowed in prose"),
    (re.compile(r"^\s*\|"), "tables are not allowed in prose"),
    (re.compile(r"^ {4,}\S"), "indented code blocks are not allowed; do not indent by four spaces"),
    (re.compile(r"^\s*([*_-]\s*){3,}$"), "horizontal rules are not allowed in prose"),
]


def _segments(text: str) -> Iterator[tuple[str, re.Match | str]]:
    """Split text into ("text", str) and (kind, match) pieces."""
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()]
        kind = next(k for k in ("ref", "math", "code", "link") if match.group(k))
        yield kind, match
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def _check_text_piece(piece: str) -> None:
    for pattern, problem in _REFUSED_TEXT:
        if pattern.search(piece):
            raise ProseError(problem)
    if "$" in piece:
        raise ProseError("a $ without its closing $ (inline math is $…$ on one line)")
    if "`" in piece:
        raise ProseError("a ` without its closing ` (code is `…` on one line)")


def _check_tex(tex: str) -> None:
    # KaTeX runs without trust, but commands that fetch or link are refused outright.
    for command in (r"\href", r"\url", r"\includegraphics", r"\htmlId", r"\htmlClass", r"\htmlStyle", r"\htmlData"):
        if command in tex:
            raise ProseError(f"the math command {command} is not allowed")


def _check_link(match: re.Match) -> None:
    target = match.group("target")
    if not (_TERM_TARGET.match(target) or _WEB_TARGET.match(target)):
        raise ProseError(f"the link target {target!r} is not allowed: link to https://… or to term:<entry-id>")
    _check_text_piece(match.group("label"))


def _check_reference(match: re.Match) -> None:
    format_ = match.group("format") or "math"
    if format_ not in FORMATS:
        raise ProseError(f"unknown reference format {format_!r} in {match.group(0)} (use {', '.join(FORMATS)})")


def check_prose(text: str) -> list[Reference]:
    """Check prose against the subset; return its references. Raises `ProseError`."""
    found: list[Reference] = []
    for line in text.splitlines():
        for pattern, problem in _REFUSED_LINE:
            if pattern.search(line):
                raise ProseError(problem)
    previous = ""
    for kind, piece in _segments(text):
        if kind == "text":
            _check_text_piece(piece)
        elif kind == "math":
            _check_tex(piece.group("tex"))
        elif kind == "link":
            if previous.endswith("!"):
                raise ProseError("images are not allowed in prose (plots are declared on a formula)")
            _check_link(piece)
        elif kind == "ref":
            _check_reference(piece)
            found.append(Reference(piece.group("formula"), piece.group("part"), piece.group("format") or "math"))
        previous = piece if kind == "text" else ""
    return found


def check_plain(text: str, math: bool = False) -> None:
    """Plain text (names, summaries, variants; captions with ``math=True``) may hold no markup at all
    beyond inline math in captions. Markdown characters are escaped on output, so only what would
    surprise a reviewer is refused: raw HTML, entities and references."""
    for kind, piece in _segments(text):
        if kind == "math" and math:
            _check_tex(piece.group("tex"))
            continue
        shown = piece if kind == "text" else piece.group(0)
        for pattern, problem in _REFUSED_TEXT[:1] + _REFUSED_TEXT[4:5]:
            if pattern.search(shown):
                raise ProseError(problem)
        if kind == "ref":
            raise ProseError("references {{…}} are only allowed in prose fields")
    if "\n" in text.strip():
        raise ProseError("must be one line")


# -- output ---------------------------------------------------------------------------------------

# Characters that Markdown, its extensions (attribute lists, tables, arithmatex) or HTML would
# interpret. Backslash escapes are the Markdown way; <, > and & become entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|$])")
# At the start of a line these begin a list, a heading or a rule.
_LINE_START = re.compile(r"^(\s*)([-+!]|\d+(?=[.)]))")


def escape_text(text: str) -> str:
    """Text shown literally in Markdown and in the HTML Markdown becomes.

    Examples:
        >>> print(escape_text('the "kernel trick" <b> {: .x} a|b'))
        the "kernel trick" &lt;b&gt; \\{: .x\\} a\\|b
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    match = _LINE_START.match(text)
    if match and match.group(2)[0].isdigit():  # "1. " starts a list: escape the dot after the number
        end = match.end()
        return text[:end] + "\\" + text[end:]
    if match:
        return match.group(1) + "\\" + text[match.start(2) :]
    return text


def _emphasis_text(piece: str) -> str:
    """Escape a text piece but keep * and ** emphasis markers (balanced per paragraph)."""
    parts = _EMPHASIS.split(piece)
    return "".join(part if part in ("*", "**") else escape_text(part) for part in parts)


def _balanced_emphasis(text: str) -> bool:
    outside = re.sub(r"\$[^$\n]+\$|`[^`\n]+`", "", text)
    return outside.count("**") % 2 == 0 and (outside.count("*") - 2 * outside.count("**")) % 2 == 0


Resolve = Callable[[Reference], str]


def render_prose(text: str, resolve: Resolve, term_link: Callable[[str, str | None], str]) -> Markdown:
    """Safe Markdown for checked prose: references resolved, links rewritten, text escaped.

    ``resolve`` turns a `Reference` into Markdown (math or text); ``term_link`` turns an entry
    id and anchor into a relative URL.
    """
    keep_emphasis = _balanced_emphasis(text)
    out: list[str] = []
    for paragraph_line in text.splitlines(keepends=True):
        bullet = re.match(r"^(\s*)- ", paragraph_line)
        line = paragraph_line[bullet.end() :] if bullet else paragraph_line
        if bullet:
            out.append("- ")
        for kind, piece in _segments(line):
            if kind == "text":
                ending = "\n" if piece.endswith("\n") else ""
                body = piece[:-1] if ending else piece
                out.append((_emphasis_text(body) if keep_emphasis else escape_text(body)) + ending)
            elif kind == "math":
                out.append("$" + piece.group("tex") + "$")
            elif kind == "code":
                out.append("`" + piece.group("code_text") + "`")
            elif kind == "ref":
                reference = Reference(piece.group("formula"), piece.group("part"), piece.group("format") or "math")
                out.append(resolve(reference))
            elif kind == "link":
                target = piece.group("target")
                term = _TERM_TARGET.match(target)
                url = term_link(term.group("id"), term.group("anchor")) if term else target
                out.append(f"[{escape_text(piece.group('label'))}]({url})")
    return Markdown("".join(out))


def render_plain(text: str, math: bool = False) -> Markdown:
    """Safe Markdown for plain text (and inline math, for captions)."""
    out = []
    for kind, piece in _segments(str(text)):
        if kind == "math" and math:
            out.append("$" + piece.group("tex") + "$")
        else:
            out.append(escape_text(piece if kind == "text" else piece.group(0)))
    return Markdown("".join(out))
