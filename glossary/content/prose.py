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

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import GlossaryError

__all__ = [
    "FORMATS",
    "PARTICLES",
    "LinkTarget",
    "Markdown",
    "ProseError",
    "Reference",
    "TermLinker",
    "check_plain",
    "check_prose",
    "escape_text",
    "plain_text",
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


def render_prose(
    text: str,
    resolve: Resolve,
    term_link: Callable[[str, str | None], str],
    linker: TermLinker | None = None,
) -> Markdown:
    """Safe Markdown for checked prose: references resolved, links rewritten, text escaped.

    ``resolve`` turns a `Reference` into Markdown (math or text); ``term_link`` turns an entry
    id and anchor into a relative URL. With a ``linker``, the first mention of another term's
    name in the text becomes a link to it (see `TermLinker`).
    """
    keep_emphasis = _balanced_emphasis(text)
    escape = _emphasis_text if keep_emphasis else escape_text
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
                out.append(_linked_text(body, escape, linker, term_link) + ending)
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
                label = escape_text(piece.group("label"))
                if term:
                    entry_id, anchor = term.group("id"), term.group("anchor")
                    if linker is not None:
                        linker.mark(entry_id, anchor)
                    out.append(f"[{label}]({term_link(entry_id, anchor)}){_term_attributes(entry_id, anchor)}")
                else:
                    out.append(f"[{label}]({target})")
    return Markdown("".join(out))


def plain_text(text: str, resolve: Callable[[Reference], str], math: Callable[[str], str]) -> str:
    """Prose as one line of plain text (for previews and the search index): references through
    ``resolve``, inline math through ``math``, link labels and code as their text, no emphasis marks."""
    keep_emphasis = _balanced_emphasis(text)
    out: list[str] = []
    for kind, piece in _segments(text):
        if kind == "text":
            out.append(_EMPHASIS.sub("", piece) if keep_emphasis else piece)
        elif kind == "math":
            out.append(math(piece.group("tex")))
        elif kind == "code":
            out.append(piece.group("code_text"))
        elif kind == "link":
            out.append(piece.group("label"))
        elif kind == "ref":
            out.append(resolve(Reference(piece.group("formula"), piece.group("part"), piece.group("format") or "math")))
    lines = (re.sub(r"^\s*- ", "", line) for line in "".join(out).splitlines())
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


# -- automatic links to other terms --------------------------------------------------------------

#: Korean particles, copula endings and their stacks that may follow a term's name inside the
#: same word (역전파를, 행렬의, 고윳값이란, 경사 하강법으로는). Longest first where one ends another.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        {
            *"은 는 이 가 을 를 의 에 도 만 와 과 로 나 란 라 인 랑 야".split(),
            *"으로 에서 에게 께서 까지 부터 보다 처럼 마다 이나 이란 이라 이랑".split(),
            *"만큼 조차 마저 대로 이야 이며 이고 이다 이면 이요 하고 에는 에도".split(),
            *"에서는 에서의 에서도 으로는 로는 으로도 로도 으로서 로서 으로써 로써".split(),
            *"와의 과의 와는 과는 와도 과도 에게는 까지는 부터는 보다는 만으로 만의".split(),
            *"이라는 라는 이라고 라고 이라면 라면 이라서 라서 입니다 이므로 이지만".split(),
            *"이었다 였다 이어서 여서 이었습니다 였습니다".split(),
        },
        key=lambda particle: (-len(particle), particle),
    )
)

_WORD_CHAR = "0-9A-Za-z\uac00-\ud7a3"
_GENERIC_SEPARATORS = re.compile(r"[\s\-‐–]+")


@dataclass(frozen=True)
class LinkTarget:
    """A term prose may link to: an entry or one of its sections, with the names prose writes."""

    entry: str
    anchor: str | None
    names: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.entry + (f"#{self.anchor}" if self.anchor else "")


def _fold(name: str) -> str:
    return _GENERIC_SEPARATORS.sub("", name).lower()


def _linkable(name: str) -> bool:
    """Names long enough to be a term rather than a common word: two syllables, or three letters."""
    compact = _fold(name)
    if re.search("[\uac00-\ud7a3]", compact):
        return len(compact) >= 2
    return len(compact) >= 3


def _name_pattern(name: str) -> str:
    parts = []
    for char in name.strip():
        if char.isspace():
            parts.append(r"\s?")
        elif char in "-‐–":
            parts.append(r"[-‐–\s]?")
        else:
            parts.append(re.escape(char))
    pattern = "".join(parts)
    # Acronyms match only as written: SVD, not "svd" inside an ordinary word.
    if name.isascii() and name.isupper():
        return f"(?-i:{pattern})"
    return pattern


#: Phrases that hold a term's name but name another concept: matched, so the name inside them is
#: never taken for a mention, and left as text (배치 정규화 is batch normalization, not a batch).
NOT_MENTIONS = ("배치 정규화", "batch normalization", "batch normalisation")


@functools.lru_cache(maxsize=8)
def _compile_names(targets: tuple[LinkTarget, ...]) -> tuple[re.Pattern | None, dict[str, LinkTarget]]:
    """One pattern for every linkable name (longest first) and the target of each folded name;
    the phrases of `NOT_MENTIONS` are in the pattern but have no target."""
    by_name: dict[str, LinkTarget] = {}
    for target in targets:
        for name in target.names:
            if _linkable(name):
                by_name.setdefault(_fold(name), target)
    names = {n.strip() for t in targets for n in t.names if _linkable(n)}
    if not names:
        return None, by_name
    names = sorted(names | set(NOT_MENTIONS), key=lambda n: (-len(n), n))
    particles = "|".join(re.escape(p) for p in PARTICLES)
    pattern = re.compile(
        rf"(?<![{_WORD_CHAR}])(?P<name>{'|'.join(_name_pattern(n) for n in names)})"
        rf"(?P<plural>(?<=[A-Za-z])(?:es|s))?(?=(?:{particles})?(?![{_WORD_CHAR}]))",
        re.IGNORECASE,
    )
    return pattern, by_name


class TermLinker:
    """Links the first mention of each other term on one page, in one language.

    A mention is a name or variant as a whole word, optionally followed by a Korean particle
    (역전파를 → [역전파](…)를) or an English plural (eigenvalues). The longest name wins where
    names overlap (미니 배치 before 배치). The page's own entry and its sections are never
    linked (and their names hide the shorter names inside them); every target is linked once
    per page, and a link the author wrote counts as its mention. Math, code, references and
    existing links are never searched: `render_prose` hands the linker only the plain text
    between them.
    """

    def __init__(self, targets: Sequence[LinkTarget], page_entry: str) -> None:
        self.page_entry = page_entry
        self.linked: set[str] = set()
        self._pattern, self._targets = _compile_names(tuple(targets))

    def mark(self, entry: str, anchor: str | None) -> None:
        """A link the author wrote: later mentions of that term stay text."""
        self.linked.add(entry + (f"#{anchor}" if anchor else ""))

    def split(self, text: str) -> list[tuple[str, LinkTarget | None]]:
        """The text in pieces: (text, None) stays text, (label, target) becomes a link."""
        if self._pattern is None:
            return [(text, None)]
        pieces: list[tuple[str, LinkTarget | None]] = []
        position = 0
        for match in self._pattern.finditer(text):
            target = self._targets.get(_fold(match.group("name")))
            if target is None or target.key in self.linked or target.entry == self.page_entry:
                continue
            self.linked.add(target.key)
            if match.start() > position:
                pieces.append((text[position : match.start()], None))
            pieces.append((match.group(0), target))
            position = match.end()
        if position < len(text):
            pieces.append((text[position:], None))
        return pieces


def _term_attributes(entry: str, anchor: str | None) -> str:
    """The attribute list that marks a link to a term, for its preview."""
    key = entry + (f"#{anchor}" if anchor else "")
    return '{ .glossary-term data-term="' + key + '" }'


def _linked_text(
    text: str,
    escape: Callable[[str], str],
    linker: TermLinker | None,
    term_link: Callable[[str, str | None], str],
) -> str:
    if linker is None or not text:
        return escape(text)
    out = []
    for piece, target in linker.split(text):
        if target is None:
            out.append(escape(piece))
        else:
            url = term_link(target.entry, target.anchor)
            out.append(f"[{escape_text(piece)}]({url}){_term_attributes(target.entry, target.anchor)}")
    return "".join(out)


def render_plain(text: str, math: bool = False) -> Markdown:
    """Safe Markdown for plain text (and inline math, for captions)."""
    out = []
    for kind, piece in _segments(str(text)):
        if kind == "math" and math:
            out.append("$" + piece.group("tex") + "$")
        else:
            out.append(escape_text(piece if kind == "text" else piece.group(0)))
    return Markdown("".join(out))
