"""The term index: what the search box finds before the full text, and what term previews show.

Built once per site build from the entries (no derivation needed except for the
values a section's first sentence quotes): every term and sub-term with its
names, variants, abbreviations and summary in both languages, and every symbol
of the notation table. The Korean-aware matching itself runs in the browser
(``templates/theme/assets/javascripts/term-search.js``); this module hands it
the data and the two tables it normalises with:

- `PARTICLES` (from `glossary.content.prose`): endings a reader attaches to a
  term (역전파는, 고윳값이란), stripped from the query;
- `EQUIVALENTS`: spellings of the same word that a reader may type instead of
  the glossary's (그래디언트 → 기울기, 크로스 → 교차, 드랍 → 드롭), applied to the
  query and the names alike.

The same module lists the link targets for automatic term links and the rows of
the notation page, so that the index, the links and the page agree.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..content.prose import PARTICLES, LinkTarget, Reference, plain_text
from ..content.schema import CATEGORIES, Entry

__all__ = [
    "EQUIVALENTS",
    "INDEX_PATH",
    "NotationRow",
    "abbreviation",
    "build_term_index",
    "demote_reference_pages",
    "index_json",
    "latex_to_text",
    "link_targets",
    "name_keys",
    "notation_rows",
    "site_url",
]

#: Where the index is served from, relative to the site's root.
INDEX_PATH = "assets/glossary/terms.json"

#: Spellings a reader may type for a word the glossary spells otherwise, as (typed, glossary's).
#: Word pieces, matched inside compounds after spaces are removed, on the query and the names
#: alike (so either spelling in an entry finds both). Loanwords and their native terms
#: (그래디언트 → 기울기), transliteration variants (드랍 → 드롭), synonyms of a morpheme
#: (가능도 → 우도, 소멸 → 소실). Whole-term synonyms belong in the entries' variants instead.
EQUIVALENTS: tuple[tuple[str, str], ...] = (
    ("그레이디언트", "기울기"),
    ("그래디언트", "기울기"),
    ("그라디언트", "기울기"),
    ("그레디언트", "기울기"),
    ("크로스", "교차"),
    ("하이퍼볼릭", "쌍곡"),
    ("쌍곡선", "쌍곡"),
    ("렐루", "relu"),
    ("드랍", "드롭"),
    ("백프로퍼게이션", "역전파"),
    ("백프로파게이션", "역전파"),
    ("백프롭", "역전파"),
    ("가우시안", "가우스"),
    ("가능도", "우도"),
    ("라이클리후드", "우도"),
    ("최우", "최대우도"),
    ("소멸", "소실"),
    ("폭발", "폭주"),
    ("레귤러라이제이션", "규제"),
    ("오버피팅", "과적합"),
    ("언더피팅", "과소적합"),
    ("트레이닝", "학습"),
    ("훈련", "학습"),
    ("러닝레이트", "학습률"),
    ("스토캐스틱", "확률적"),
    ("사이즈", "크기"),
    ("고유치", "고유값"),
    ("특이치", "특이값"),
)

# Section names that describe rather than name (기하학적 의미, its role in backpropagation):
# searchable, but prose that says "의미" or "role" is not a mention of them.
_GENERIC_HEADS = {
    "의미",
    "역할",
    "해석",
    "직관",
    "성질",
    "예",
    "예제",
    "meaning",
    "role",
    "interpretation",
    "intuition",
}
_STOPWORDS = {"and", "of", "the", "is", "in", "its", "a", "an", "to", "with", "for", "on", "by"}
_HANGUL = re.compile("[\uac00-\ud7a3]")


# -- LaTeX to text ------------------------------------------------------------------------------

_SYMBOLS = {
    **{
        name: chr(code)
        for name, code in zip(
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
            "varsigma sigma tau upsilon phi chi psi omega".split(),
            range(0x3B1, 0x3CA),
            strict=True,
        )
    },
    **{
        name: chr(code)
        for name, code in zip(
            "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho".split(),
            range(0x391, 0x3A2),
            strict=True,
        )
    },
    **dict(
        zip(
            "Sigma Tau Upsilon Phi Chi Psi Omega".split(),
            "ΣΤΥΦΧΨΩ",
            strict=True,
        )
    ),
    "varepsilon": "ε",
    "vartheta": "ϑ",
    "varphi": "φ",
    "nabla": "∇",
    "odot": "⊙",
    "otimes": "⊗",
    "oplus": "⊕",
    "partial": "∂",
    "sum": "Σ",
    "prod": "Π",
    "cdot": "·",
    "times": "×",
    "circ": "∘",
    "top": "ᵀ",
    "intercal": "ᵀ",
    "infty": "∞",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "sim": "∼",
    "propto": "∝",
    "in": "∈",
    "mid": "∣",
    "|": "‖",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
    "vert": "|",
    "lvert": "|",
    "rvert": "|",
    "ell": "ℓ",
    "prime": "′",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "gets": "←",
    "mapsto": "↦",
    "int": "∫",
    "sqrt": "√",
    "langle": "⟨",
    "rangle": "⟩",
    "{": "{",
    "}": "}",
    "_": "_",
    "%": "%",
}
_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "tilde": "\u0303",
    "dot": "\u0307",
    "vec": "\u20d7",
}
_FONTS = {
    "mathbf",
    "mathrm",
    "mathit",
    "mathsf",
    "boldsymbol",
    "bm",
    "operatorname",
    "text",
    "textrm",
    "mathcal",
    "mathbb",
}
_BLACKBOARD = {"E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ"}
_SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big", "bigg", "Bigg", "displaystyle"}
_SUPERSCRIPT = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWᵀ′−",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀ′⁻",
        strict=True,
    )
)
_SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvx−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₋", strict=True))


def latex_to_text(tex: str) -> str:
    """A plain-text rendering of a short LaTeX symbol, as a reader would type or read it.

    Examples:
        >>> latex_to_text(r"\\delta^{(l)}"), latex_to_text(r"\\bar{x}"), latex_to_text(r"\\nabla_{\\theta} L")
        ('δ⁽ˡ⁾', 'x̄', '∇_θ L')
        >>> latex_to_text(r"\\frac{\\partial L}{\\partial W^{(2)}}"), latex_to_text(r"\\mathbb{E}[X]")
        ('∂L/∂W⁽²⁾', '𝔼[X]')
    """
    text, _ = _convert(tex, 0, None)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())


def _convert(tex: str, position: int, stop: str | None) -> tuple[str, int]:
    out: list[str] = []
    while position < len(tex):
        char = tex[position]
        if char == stop:
            return "".join(out), position
        if char == "{":
            inner, position = _convert(tex, position + 1, "}")
            out.append(inner)
            position += 1
        elif char in "^_":
            argument, position = _argument(tex, position + 1)
            out.append(_script(argument, char))
        elif char == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", tex[position:])
            name = match.group(1) if match else "\\"
            position += match.end() if match else 1
            if name.isalpha():  # TeX drops the spaces after a command word
                while position < len(tex) and tex[position] == " ":
                    position += 1
            if name in _ACCENTS:
                argument, position = _argument(tex, position)
                out.append(argument[:1] + _ACCENTS[name] + argument[1:])
            elif name == "frac":
                top, position = _argument(tex, position)
                bottom, position = _argument(tex, position)
                out.append(f"{_wrap(top)}/{_wrap(bottom)}")
            elif name == "sqrt":
                argument, position = _argument(tex, position)
                out.append("√" + _wrap(argument))
            elif name in _FONTS:
                argument, position = _argument(tex, position)
                out.append("".join(_BLACKBOARD.get(c, c) for c in argument) if name == "mathbb" else argument)
            elif name in _SPACING:
                out.append(" " if name in ("quad", "qquad", " ") else "")
            else:
                out.append(_SYMBOLS.get(name, name))
        else:
            out.append(char)
            position += 1
    return "".join(out), position


def _argument(tex: str, position: int) -> tuple[str, int]:
    while position < len(tex) and tex[position] == " ":
        position += 1
    if position >= len(tex):
        return "", position
    if tex[position] == "{":
        inner, position = _convert(tex, position + 1, "}")
        return inner, position + 1
    if tex[position] == "\\":
        match = re.match(r"\\([A-Za-z]+|.)", tex[position:])
        return _convert(match.group(0), 0, None)[0], position + match.end()
    return tex[position], position + 1


def _script(argument: str, kind: str) -> str:
    table = _SUPERSCRIPT if kind == "^" else _SUBSCRIPT
    if argument and all(c in table for c in argument):
        return "".join(table[c] for c in argument)
    return kind + (argument if len(argument) == 1 else f"({argument})" if kind == "^" else argument)


def _wrap(text: str) -> str:
    return f"({text})" if re.search(r"[\s+−-]", text) else text


# -- names, abbreviations, keys ---------------------------------------------------------------


def abbreviation(name: str) -> str | None:
    """The initials of an English name of three or four words, as readers abbreviate it.

    Shorter names give initials that mean other things too (CV, PD); names joined by "and"
    name two things.

    Examples:
        >>> abbreviation("maximum likelihood estimation"), abbreviation("binary cross-entropy")
        ('MLE', 'BCE')
        >>> abbreviation("softmax"), abbreviation("partial derivative"), abbreviation("역전파")
        (None, None, None)
    """
    if not name.isascii() or re.search(r"\band\b", name):
        return None
    words = re.split(r"[\s\-–]+", re.sub(r"\([^)]*\)", " ", name))
    words = [w for w in words if re.match(r"[A-Za-z]", w) and w.lower() not in _STOPWORDS]
    if not 3 <= len(words) <= 4:
        return None
    return "".join(w[0] for w in words).upper()


def name_keys(name: str) -> list[tuple[str, str]]:
    """The strings a name can be searched or mentioned by, with their kind.

    ``name`` the whole name; ``part`` the name without a parenthesis, the parenthesis
    itself, and each side of "·" or " and " (고유값·고유벡터, L1 and L2 regularization).

    Examples:
        >>> name_keys("mean squared error (MSE)")
        [('mean squared error (MSE)', 'name'), ('mean squared error', 'part'), ('MSE', 'part')]
        >>> name_keys("고유값·고유벡터")
        [('고유값·고유벡터', 'name'), ('고유값', 'part'), ('고유벡터', 'part')]
    """
    keys = [(name, "name")]
    bare = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()
    inside = re.findall(r"\(([^)]*)\)", name)
    pieces = [bare] if bare != name else []
    pieces += [i.strip() for i in inside]
    split = re.split(r"\s*·\s*|\s+and\s+", bare)
    if len(split) > 1:
        pieces += [s.strip() for s in split]
    for piece in pieces:
        compact = re.sub(r"[\s\-]", "", piece)
        long_enough = len(compact) >= (2 if _HANGUL.search(compact) else 3)
        if long_enough and piece not in (k for k, _ in keys):
            keys.append((piece, "part"))
    return keys


def site_url(path: str, lang: str, anchor: str | None = None) -> str:
    """The URL of a page of the docs (``category/id.md``) from the site's root, in a language."""
    page = path.removesuffix(".md")
    page = "" if page == "index" else page.removesuffix("/index") + "/"
    return ("" if lang == "ko" else f"{lang}/") + page + (f"#{anchor}" if anchor else "")


def link_targets(entries: Sequence[Entry], lang: str) -> list[LinkTarget]:
    """What prose in ``lang`` may link to: every entry by its names and variants, then every
    section that names a sub-term (not one that describes, such as 기하학적 의미)."""
    targets = []
    for entry in entries:
        names = [k for n in (entry.names[lang], *entry.variants[lang]) for k, _ in name_keys(n)]
        targets.append(LinkTarget(entry.id, None, tuple(dict.fromkeys(names))))
    for entry in entries:
        for section in entry.sections:
            heads = {section.names[lang].split()[-1].lower(), section.names["en"].split()[-1].lower()}
            if heads & _GENERIC_HEADS or "=" in section.names[lang]:
                continue
            names = [k for n in (section.names[lang], *section.variants[lang]) for k, _ in name_keys(n)]
            targets.append(LinkTarget(entry.id, section.id, tuple(dict.fromkeys(names))))
    return targets


# -- notation ---------------------------------------------------------------------------------


@dataclass
class NotationRow:
    """One symbol with one meaning, and the entries that use it so."""

    anchor: str
    latex: str
    text: str
    meaning: dict[str, str]
    entries: list[str] = field(default_factory=list)


def _symbol_order(text: str) -> tuple[int, str]:
    base = unicodedata.normalize("NFKD", text)[:1]  # ℓ → l, 𝔼 → E, x̄ → x
    if base.isascii() and base.isalpha():
        return 0, base.lower() + text
    if "\u0370" <= base <= "\u03ff":
        return 1, base.lower() + text
    return 2, text


def _slug(latex: str) -> str:
    """An anchor for a symbol: letters and digits of its LaTeX, ^ and _ spelled out."""
    words = latex.replace("^", " sup ").replace("_", " sub ").replace("\\", " ").lower()
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "symbol"


def notation_rows(entries: Sequence[Entry]) -> list[NotationRow]:
    """Every symbol the entries declare, one row per symbol and meaning, in reading order:
    Latin letters, then Greek in alphabetical order, then operators."""
    rows: dict[tuple[str, str, str], NotationRow] = {}
    for entry in entries:
        for item in entry.notation:
            latex = re.sub(r"\s+", " ", item.symbol.strip())
            key = (latex.replace(" ", ""), item.meaning.ko, item.meaning.en)
            if key not in rows:
                rows[key] = NotationRow("", latex, latex_to_text(latex), {"ko": item.meaning.ko, "en": item.meaning.en})
            if entry.id not in rows[key].entries:
                rows[key].entries.append(entry.id)
    ordered = sorted(rows.values(), key=lambda row: (_symbol_order(row.text), row.meaning["en"]))
    used: set[str] = set()
    for row in ordered:
        anchor = base = f"symbol-{_slug(row.latex)}"
        number = 1
        while anchor in used:
            number += 1
            anchor = f"{base}--{number}"
        used.add(anchor)
        row.anchor = anchor
    return ordered


def _caption_text(caption: str) -> str:
    """A caption (plain text with inline math) as plain text."""
    return re.sub(r"\$([^$\n]+)\$", lambda m: latex_to_text(m.group(1)), caption)


# -- the index --------------------------------------------------------------------------------

SectionResolve = Callable[[Entry, Reference], str]


def _first_sentence(text: str, limit: int = 220) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    chosen = sentences[0]
    if len(chosen) < 30 and len(sentences) > 1:
        chosen += " " + sentences[1]
    return chosen if len(chosen) <= limit else chosen[: limit - 1].rstrip() + "…"


def _keys(names: Iterable[tuple[str, str, str]]) -> list[list[str]]:
    out: list[list[str]] = []
    seen = set()
    for text, kind, lang in names:
        for key, key_kind in name_keys(text):
            kind_here = kind if key_kind == "name" else ("part" if kind == "name" else kind)
            if (key, lang) not in seen:
                seen.add((key, lang))
                out.append([key, kind_here, lang])
        abbreviated = abbreviation(text) if lang == "en" else None
        if abbreviated and (abbreviated, "") not in seen:
            seen.add((abbreviated, ""))
            out.append([abbreviated, "abbr", ""])
    return out


def build_term_index(
    entries: Sequence[Entry],
    paths: dict[str, str],
    strings: dict[str, dict[str, Any]],
    resolve: SectionResolve | None = None,
) -> dict[str, Any]:
    """The index the search box and the term previews read, as JSON-ready data.

    ``paths`` maps entry ids to their page path (``category/id.md``); ``strings`` are the two
    languages' strings files (their ``search`` tables become the box's words); ``resolve`` gives
    the text of a ``{{formula.part}}`` a section's first sentence quotes (left out without it).
    """
    order = list(CATEGORIES)
    entries = sorted(entries, key=lambda e: (order.index(e.category), e.order, e.id))
    docs: list[dict[str, Any]] = []
    for entry in entries:
        path = paths[entry.id]
        title = {lang: entry.names[lang][:1].upper() + entry.names[lang][1:] for lang in ("ko", "en")}
        docs.append(
            {
                "id": entry.id,
                "kind": "term",
                "url": {lang: site_url(path, lang) for lang in ("ko", "en")},
                "title": title,
                "summary": {lang: entry.summary[lang] for lang in ("ko", "en")},
                "keys": _keys(
                    [(entry.names[lang], "name", lang) for lang in ("ko", "en")]
                    + [(v, "variant", lang) for lang in ("ko", "en") for v in entry.variants[lang]]
                ),
            }
        )
        for section in entry.sections:

            def quoted(reference: Reference, entry: Entry = entry) -> str:
                return resolve(entry, reference) if resolve else ""

            docs.append(
                {
                    "id": f"{entry.id}#{section.id}",
                    "kind": "section",
                    "url": {lang: site_url(path, lang, section.id) for lang in ("ko", "en")},
                    "title": {lang: section.names[lang][:1].upper() + section.names[lang][1:] for lang in ("ko", "en")},
                    "parent": title,
                    "summary": {
                        lang: _first_sentence(plain_text(section.text[lang], quoted, latex_to_text))
                        for lang in ("ko", "en")
                    },
                    "keys": _keys(
                        [(section.names[lang], "name", lang) for lang in ("ko", "en")]
                        + [(v, "variant", lang) for lang in ("ko", "en") for v in section.variants[lang]]
                    ),
                }
            )
    names = {e.id: {lang: e.names[lang] for lang in ("ko", "en")} for e in entries}
    for row in notation_rows(entries):
        meaning = {lang: _caption_text(row.meaning[lang]) for lang in ("ko", "en")}
        docs.append(
            {
                "id": f"notation#{row.anchor}",
                "kind": "symbol",
                "symbol": row.text,
                "url": {lang: site_url("notation.md", lang, row.anchor) for lang in ("ko", "en")},
                "title": {"ko": row.text, "en": row.text},
                "summary": {
                    lang: f"{meaning[lang]} — " + ", ".join(names[i][lang] for i in row.entries)
                    for lang in ("ko", "en")
                },
                "keys": [[meaning[lang], "meaning", lang] for lang in ("ko", "en")],
            }
        )
    return {
        "version": 1,
        "particles": list(PARTICLES),
        "equivalents": [list(pair) for pair in EQUIVALENTS],
        "ui": {lang: dict(strings[lang].get("search") or {}) for lang in ("ko", "en")},
        "docs": docs,
    }


def index_json(index: dict[str, Any]) -> str:
    """The index as compact, stable JSON."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- reference pages in Material's full-text index ----------------------------------------------

#: Pages that mention every term but explain none. Material weighs a title match a thousand times a
#: text match; this boost puts even a heading of these pages below a mention in a term page.
REFERENCE_PAGES = ("api.md", "verification.md", "concept-map.md", "notation.md")
REFERENCE_BOOST = 1e-4


def demote_reference_pages(pages: dict[str, str]) -> dict[str, str]:
    """Give the reference pages a low search boost in their front matter, so that a term's name
    finds its term page above the API reference, the verification report or the concept map."""
    out = dict(pages)
    for path, text in pages.items():
        if path.split("/", 1)[-1] not in REFERENCE_PAGES or not text.startswith("---\n"):
            continue
        end = text.index("\n---\n", 3) + 1
        if re.search(r"^search:", text[:end], re.M):
            continue  # the page says itself how search should treat it
        # The front matter is the renderer's own YAML: a top-level key can be appended to it.
        out[path] = text[:end] + f"search:\n  boost: {REFERENCE_BOOST}\n" + text[end:]
    return out
