"""The schema of an entry file, validated with pydantic.

Unknown fields are errors (``extra="forbid"``), every text exists in both
languages, and ids are lowercase slugs, so a typo never passes silently.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=6000)]

CATEGORIES = ("calculus", "linear-algebra", "probability", "deep-learning")
Category = Literal["calculus", "linear-algebra", "probability", "deep-learning"]

ASSUMPTIONS = ("real", "positive", "negative", "nonnegative", "integer", "nonzero")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    """A text in Korean and in English; neither may be missing or empty."""

    ko: Text
    en: Text

    def __getitem__(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


class Variants(Strict):
    ko: list[Text] = []
    en: list[Text] = []

    def __getitem__(self, lang: str) -> list[str]:
        return self.ko if lang == "ko" else self.en


class Formula(Strict):
    """One derivation on a page: which library helper, with which arguments."""

    id: Slug
    caption: Bilingual
    helper: Annotated[str, StringConstraints(pattern=r"^[a-z]+\.[a-z_]+$")]
    args: dict[str, Any] = {}
    note: Bilingual | None = None
    example: bool = False
    #: The textbook answer, if the author wants it checked: the build fails when SymPy's differs.
    expect: str | int | float | list | None = None


class Section(Strict):
    """A sub-term with its own name, anchor and search entry."""

    id: Slug
    names: Bilingual
    text: Bilingual
    formulas: list[Formula] = []


class Entry(Strict):
    id: Slug
    category: Category
    order: int = Field(ge=0, le=999)
    names: Bilingual
    variants: Variants = Variants()
    summary: Bilingual
    definition: Bilingual
    symbols: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], str] = {}
    formulas: list[Formula] = Field(min_length=1)
    sections: list[Section] = []
    builds_on: list[Slug] = []
    plots: list[Slug] = []
    notes: Bilingual | None = None

    @field_validator("symbols")
    @classmethod
    def _known_assumptions(cls, symbols: dict[str, str]) -> dict[str, str]:
        for name, words in symbols.items():
            for word in str(words).split():
                if word not in ASSUMPTIONS:
                    raise ValueError(f"symbol {name!r}: unknown assumption {word!r} (use {', '.join(ASSUMPTIONS)})")
        return symbols

    def all_formulas(self) -> list[Formula]:
        return [*self.formulas, *(f for s in self.sections for f in s.formulas)]
