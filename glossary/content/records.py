"""Derived results as records: what pages need of a derivation, as checked JSON.

A record is made in the child process that derived the formula (where SymPy
is loaded) and read by the renderer and the cache without SymPy. The same
pydantic models validate a fresh record and one read back from the cache, so a
damaged or tampered cache file is refused, never rendered: every field has its
type and range, and a record that claims its check passed must hold an error
within its tolerance.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

__all__ = ["ClaimRecord", "FormulaRecord", "PartRecord", "ReportRecord", "StepRecord", "formula_record"]

FORMAT = 2
_LONG = 400_000  # characters: a long exact result is still text of bounded size
#: A named part whose exact LaTeX is longer than this (about a line of the text column) is shown
#: by its decimals; its exact value is folded, written with its repeated subexpressions named.
LONG_LATEX = 500
#: How long naming the subexpressions of one formula's long parts may take (it is optional).
_NAMING_SECONDS = 5.0


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _latex_stays_math(self):
        # A display block is $$ … $$ on the page: LaTeX holding "$$" would end it early and let the
        # rest through as Markdown (raw HTML included). SymPy never writes it; a tampered record might.
        for name, value in self:
            if ("latex" in name or name in ("left_value", "right_value")) and isinstance(value, str):
                if "$" in value:
                    raise ValueError(f"{name} holds a dollar sign, which LaTeX from SymPy never does")
        return self


Text = Field(max_length=_LONG)


class StepRecord(_Record):
    ko: StrictStr = Field(max_length=2000)
    en: StrictStr = Field(max_length=2000)
    latex: StrictStr = Text

    def caption(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


class PartRecord(_Record):
    key: StrictStr = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=60)
    name_latex: StrictStr = Field(max_length=300)
    name_text: StrictStr = Field(max_length=300)
    latex: StrictStr = Text
    decimal_latex: StrictStr | None = Field(default=None, max_length=_LONG)
    text: StrictStr = Text
    decimal: StrictStr | None = Field(default=None, max_length=_LONG)
    #: The exact value of a long part as aligned lines: the subexpressions it repeats, named
    #: u₁, u₂, … one per line, then the part written with them. None for a short part.
    exact_latex: StrictStr | None = Field(default=None, max_length=_LONG)


class ReportRecord(_Record):
    helper: StrictStr = Field(max_length=80)
    method: StrictStr = Field(max_length=300)
    points: StrictInt = Field(ge=1)
    max_error: StrictFloat | StrictInt = Field(ge=0)
    tolerance: StrictFloat | StrictInt = Field(ge=0)

    @model_validator(mode="after")
    def _within_tolerance(self) -> ReportRecord:
        if not (math.isfinite(self.max_error) and math.isfinite(self.tolerance)):
            raise ValueError("error and tolerance must be finite numbers")
        if self.max_error > self.tolerance:
            raise ValueError(f"a passed check cannot have error {self.max_error} above tolerance {self.tolerance}")
        return self

    @property
    def passed(self) -> bool:
        return True


class FormulaRecord(_Record):
    format: Literal[2] = FORMAT
    field: StrictStr = Field(max_length=200)
    helper: StrictStr = Field(pattern=r"^[a-z]+\.[a-z_]+$", max_length=80)
    result_latex: StrictStr = Text
    result_text: StrictStr = Text
    parts: list[PartRecord] = Field(max_length=400)
    steps: list[StepRecord] = Field(max_length=400)
    report: ReportRecord
    example: StrictStr = Field(max_length=20_000)
    output: StrictStr = Text
    seconds: StrictFloat | StrictInt = Field(ge=0)
    plot: dict[Literal["ko", "en"], StrictStr] | None = None

    def part(self, key: str) -> PartRecord | None:
        return next((p for p in self.parts if p.key == key), None)


class ClaimRecord(_Record):
    """A misconception as the engine found it: false, with the values or the point that show it."""

    format: Literal[2] = FORMAT
    id: StrictStr = Field(max_length=60)
    holds: Literal[False] = False
    relation: Literal["=", "<", ">", "<=", ">="]
    left_latex: StrictStr = Text
    right_latex: StrictStr = Text
    point: dict[StrictStr, StrictStr] = Field(default={}, max_length=40)
    #: Each side's value with its relation, as LaTeX: ``= exact ≈ decimal``, or ``≈ decimal`` alone.
    left_value: StrictStr = Field(max_length=_LONG, pattern=r"^(= |\\approx )")
    right_value: StrictStr = Field(max_length=_LONG, pattern=r"^(= |\\approx )")
    symbolic: StrictBool = False


# -- made from a live derivation (SymPy available) -----------------------------------------------


def _part_records(parts: Any) -> list[dict[str, Any]]:
    from ..derivation import _plain, decimal_latex, decimal_text, to_latex
    from ..limits import attempt

    records = [
        {
            "key": part.key,
            "name_latex": part.latex_name,
            "name_text": part.text_name,
            "latex": to_latex(part.value),
            "decimal_latex": decimal_latex(part.value),
            "text": _plain(part.value),
            "decimal": decimal_text(part.value),
        }
        for part in parts
    ]
    long = [(part, record) for part, record in zip(parts, records, strict=True) if len(record["latex"]) > LONG_LATEX]
    if long:
        named = attempt(named_subexpressions, [part.value for part, _ in long], seconds=_NAMING_SECONDS) or {}
        for index, (part, record) in enumerate(long):
            if index in named:
                record["exact_latex"] = named[index].replace("@NAME@", part.latex_name)
    return records


def named_subexpressions(values: list[Any]) -> dict[int, str]:
    r"""Long exact values written with the subexpressions they repeat named, one aligned line each.

    The names are shared by all the values (one formula's parts), so u₁ means the same number in
    every fold of a page. ``@NAME@`` stands for the part's own name on the last line. Values that
    are not SymPy expressions or matrices are left out.

    >>> import sympy as sp
    >>> t = sp.tanh(sp.Rational(3, 4))
    >>> folded = named_subexpressions([sp.Matrix([[1 - t**2, t * (1 - t**2)]])])[0]
    >>> print(folded.replace(" \\\\ ", "\n"))
    \begin{aligned} u_{1} &= \tanh{\left(\frac{3}{4} \right)}
    u_{2} &= 1 - u_{1}^{2}
    @NAME@ &= \left[\begin{matrix}u_{2} & u_{1} u_{2}\end{matrix}\right] \end{aligned}
    """
    import sympy as sp

    shown = {}
    for index, (definitions, value) in shared_subexpressions(values).items():
        lines = [f"{sp.latex(symbol)} &= {sp.latex(expression)}" for symbol, expression in definitions]
        lines.append(f"@NAME@ &= {sp.latex(value)}")
        shown[index] = "\\begin{aligned} " + " \\\\ ".join(lines) + " \\end{aligned}"
    return shown


def shared_subexpressions(values: list[Any]) -> dict[int, tuple[list[tuple[Any, Any]], Any]]:
    """For each SymPy value (by index): the definitions it needs, in order, and the value written
    with their names. Substituting the definitions back, last first, gives the value again."""
    import itertools

    import sympy as sp

    chosen = {i: v for i, v in enumerate(values) if isinstance(v, (sp.Basic, sp.MatrixBase))}
    if not chosen:
        return {}
    taken = {str(s) for v in chosen.values() for s in v.free_symbols}
    letter = next((c for c in "uvqr" if not any(name.startswith(c) for name in taken)), None)
    if letter is None:
        return {}
    names = (sp.Symbol(f"{letter}{k}") for k in itertools.count(1))
    replacements, reduced = sp.cse(list(chosen.values()), symbols=names)
    definitions = dict(replacements)
    found = {}
    for index, value in zip(chosen, reduced, strict=True):
        needed: set = set()
        pending = [s for s in value.free_symbols if s in definitions]
        while pending:
            symbol = pending.pop()
            if symbol not in needed:
                needed.add(symbol)
                pending.extend(s for s in definitions[symbol].free_symbols if s in definitions)
        found[index] = ([(s, e) for s, e in replacements if s in needed], value)
    return found


def short_latex(value: Any) -> str:
    """LaTeX of a result, eliding the middle of long lists (gradient-descent iterates)."""
    from ..derivation import to_latex

    if isinstance(value, list) and len(value) > 6:
        head = ", ".join(to_latex(v) for v in value[:3])
        return rf"\left[ {head}, \ldots, {to_latex(value[-1])} \right]"
    return to_latex(value)


def formula_record(
    *, field: str, derivation: Any, report: Any, example: str, seconds: float, plot: dict[str, str] | None
) -> dict[str, Any]:
    """The record of a derived and verified formula, validated, as JSON-able data."""
    record = FormulaRecord(
        field=field,
        helper=derivation.helper,
        result_latex=short_latex(derivation.result),
        result_text=str(derivation.result),
        parts=_part_records(derivation.parts),
        steps=[{"ko": s.ko, "en": s.en, "latex": s.latex} for s in derivation.steps],
        report={**report.as_dict(), "helper": derivation.helper},
        example=example,
        output=f"{derivation.result}\n{report.passed}",
        seconds=seconds,
        plot=plot,
    )
    return record.model_dump(mode="json")
