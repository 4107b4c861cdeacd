"""The schema of an entry file, validated with pydantic.

Unknown fields are errors (``extra="forbid"``), every text exists in both
languages, ids are lowercase slugs, and every text is checked for what it may
hold: plain text (names, summaries, variants), captions (plain text and inline
math) or prose (the small Markdown subset of `glossary.content.prose`).
"""

from __future__ import annotations

import builtins
import keyword
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from .prose import ProseError, check_plain, check_prose
from .vocabulary import CONSTANT_NAMES, FUNCTION_NAMES

__all__ = ["CATEGORIES", "Entry", "Formula", "Misconception", "Notation", "PlotSpec", "Section"]

#: The categories, in the order the site shows them, with their names in both languages.
CATEGORIES: dict[str, dict[str, str]] = {
    "calculus": {"ko": "미적분", "en": "Calculus"},
    "linear-algebra": {"ko": "선형대수", "en": "Linear algebra"},
    "probability": {"ko": "확률과 통계", "en": "Probability and statistics"},
    "deep-learning": {"ko": "딥러닝 기초", "en": "Deep learning basics"},
}

ASSUMPTIONS = ("real", "positive", "negative", "nonnegative", "integer", "nonzero")
_CONTRADICTIONS = ({"positive", "negative"}, {"nonnegative", "negative"})
# Names the runnable example on each page uses itself; a symbol of the same name would shadow them.
_EXAMPLE_NAMES = {"sp", "stats", "derivation", "calculus", "linalg", "probability", "neural", "glossary"}

MAX_TEXT = 6000
MAX_LINE = 300


def _as_problem(check, value: str) -> str:
    try:
        check(value)
    except ProseError as error:
        raise ValueError(str(error)) from None
    return value


def _plain(value: str) -> str:
    return _as_problem(check_plain, value)


def _caption(value: str) -> str:
    return _as_problem(lambda v: check_plain(v, math=True), value)


def _prose(value: str) -> str:
    return _as_problem(check_prose, value)


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Plain = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(_plain)
]
Caption = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(_caption)
]
Prose = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), AfterValidator(_prose)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bilingual(kind: Any, name: str) -> type[Strict]:
    model = type(
        name,
        (Strict,),
        {
            "__annotations__": {"ko": kind, "en": kind},
            "__getitem__": lambda self, lang: self.ko if lang == "ko" else self.en,
            "__doc__": "A text in Korean and in English; neither may be missing or empty.",
        },
    )
    return model


PlainText = _bilingual(Plain, "PlainText")
CaptionText = _bilingual(Caption, "CaptionText")
ProseText = _bilingual(Prose, "ProseText")

# Kept for readers of older code: a bilingual plain text.
Bilingual = PlainText


class Variants(Strict):
    ko: list[Plain] = Field(default=[], max_length=40)
    en: list[Plain] = Field(default=[], max_length=40)

    def __getitem__(self, lang: str) -> list[str]:
        return self.ko if lang == "ko" else self.en


class PlotSpec(Strict):
    """A picture drawn from the verified result of the formula it belongs to."""

    name: Slug
    caption: ProseText


class Formula(Strict):
    """One derivation on a page: which library helper, with which arguments."""

    id: Slug
    caption: CaptionText
    helper: Annotated[str, StringConstraints(pattern=r"^[a-z]+\.[a-z_]+$", max_length=80)]
    args: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=40)], Any] = {}
    note: ProseText | None = None
    example: StrictBool = False
    #: The textbook answer, if the author wants it checked: the build fails when SymPy's differs.
    expect: str | StrictInt | float | list | None = None
    plot: PlotSpec | None = None


class Section(Strict):
    """A sub-term with its own name, anchor and search entry."""

    id: Slug
    names: PlainText
    variants: Variants = Variants()
    text: ProseText
    formulas: list[Formula] = Field(default=[], max_length=40)


class Check(Strict):
    """A claim the engine evaluates: ``left relation right``, expressions that may quote results."""

    left: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | StrictInt | float
    relation: str = "="
    right: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | StrictInt | float

    @field_validator("relation")
    @classmethod
    def _known_relation(cls, relation: str) -> str:
        if relation not in ("=", "<", ">", "<=", ">="):
            raise ValueError(f"unknown relation {relation!r} (use =, <, >, <= or >=)")
        return relation


class Misconception(Strict):
    """A belief learners hold, stated as a claim the engine evaluates and must find false."""

    id: Slug
    claim: CaptionText
    check: Check
    explanation: ProseText


class Notation(Strict):
    """A symbol the entry uses, as LaTeX, with its meaning; the notation page gathers them all."""

    symbol: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    meaning: CaptionText

    @field_validator("symbol")
    @classmethod
    def _math_only(cls, symbol: str) -> str:
        return _as_problem(lambda v: check_plain(f"${v}$", math=True), symbol)


class Entry(Strict):
    id: Slug
    category: str
    order: StrictInt = Field(ge=0, le=999)
    names: PlainText
    variants: Variants = Variants()
    summary: PlainText
    definition: ProseText
    symbols: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=30)], str] = Field(
        default={}, max_length=40
    )
    formulas: list[Formula] = Field(min_length=1, max_length=40)
    sections: list[Section] = Field(default=[], max_length=30)
    misconceptions: list[Misconception] = Field(default=[], max_length=20)
    notation: list[Notation] = Field(default=[], max_length=40)
    builds_on: list[Slug] = Field(default=[], max_length=30)
    notes: ProseText | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, category: str) -> str:
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r} (use {', '.join(CATEGORIES)})")
        return category

    @field_validator("symbols")
    @classmethod
    def _usable_symbols(cls, symbols: dict[str, str]) -> dict[str, str]:
        for name, words in symbols.items():
            if keyword.iskeyword(name) or hasattr(builtins, name) or name in _EXAMPLE_NAMES:
                raise ValueError(f"symbol {name!r}: the name is taken by Python or the page's example; choose another")
            if name in FUNCTION_NAMES or name in CONSTANT_NAMES:
                raise ValueError(f"symbol {name!r}: the name is a function or constant of the expression language")
            if not isinstance(words, str):
                raise ValueError(f"symbol {name!r}: assumptions must be text such as 'real' or 'positive integer'")
            chosen = set(words.split())
            for word in chosen:
                if word not in ASSUMPTIONS:
                    raise ValueError(f"symbol {name!r}: unknown assumption {word!r} (use {', '.join(ASSUMPTIONS)})")
            for pair in _CONTRADICTIONS:
                if pair <= chosen:
                    raise ValueError(f"symbol {name!r}: the assumptions {' and '.join(sorted(pair))} contradict")
        return symbols

    @model_validator(mode="after")
    def _unique_anchors(self) -> Entry:
        # Formulas, sections and misconceptions share the page's anchors.
        seen: dict[str, str] = {}
        for kind, ids in (
            ("formula", [f.id for f in self.all_formulas()]),
            ("section", [s.id for s in self.sections]),
            ("misconception", [m.id for m in self.misconceptions]),
        ):
            for identifier in ids:
                if identifier in seen:
                    raise ValueError(f"the id {identifier!r} of a {kind} is also used by a {seen[identifier]}")
                seen[identifier] = kind
        return self

    def all_formulas(self) -> list[Formula]:
        return [*self.formulas, *(f for s in self.sections for f in s.formulas)]
