"""Misconceptions, refuted by the engine.

An entry may list beliefs learners hold, each with a claim ``left relation
right`` written in the expression language and quoting derived results as
``{{formula-id.part}}``. The engine evaluates the claim: for numbers it compares
the exact values; with free symbols it looks for a point of the symbols' domains
where the claim fails. The page shows that evidence. A claim the engine finds
true is an error in the entry: a misconception must be false.
"""

from __future__ import annotations

import random
import re
from typing import Any

from ..errors import EntryError, GlossaryError
from .prose import Reference

#: A claim's side whose exact value is longer than this (in LaTeX) shows only its decimal.
CLAIM_EXACT_LATEX = 160

__all__ = ["check_references", "evaluate_misconceptions"]

_REFERENCE = re.compile(r"\{\{\s*([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}")
_TRIALS = 60


def check_references(text: Any) -> list[Reference]:
    """The references in one side of a check (formats are not used there)."""
    if not isinstance(text, str):
        return []
    return [Reference(m.group(1), m.group(2), "math") for m in _REFERENCE.finditer(text)]


def _value(derivations: dict[str, Any], reference: Reference) -> tuple[Any, str]:
    derivation = derivations[reference.formula]
    if reference.part is None:
        return derivation.result, f"\\operatorname{{{reference.formula}}}"
    part = derivation.part(reference.part)
    return part.value, part.latex_name


def _parse_side(text: Any, symbols: dict[str, Any], derivations: dict[str, Any], field: str, path) -> tuple:
    """The side as a SymPy expression, and the LaTeX names for its quoted results."""
    import sympy as sp

    from .expressions import parse_expression

    names: dict[Any, str] = {}
    table = dict(symbols)

    def placeholder(match: re.Match) -> str:
        reference = Reference(match.group(1), match.group(2), "math")
        try:
            value, latex_name = _value(derivations, reference)
        except GlossaryError as error:
            raise EntryError(path, field, f"{reference.source}: {error.show()}") from None
        if not isinstance(value, sp.Expr):
            raise EntryError(
                path, field, f"{reference.source} is not a number or an expression, so it cannot be compared"
            )
        name = f"quoted_{len(names)}"
        table[name] = value
        names[sp.Symbol(name)] = latex_name
        return name

    source = _REFERENCE.sub(placeholder, text) if isinstance(text, str) else text
    try:
        expression = parse_expression(source, table)
    except GlossaryError as error:
        raise EntryError(path, field, error.show()) from None
    # The same expression with each quoted value shown by its name, for the page.
    shown_table = dict(symbols) | {str(s): s for s in names}
    shown = parse_expression(source, shown_table)
    return expression, sp.latex(shown, symbol_names=names)


def _holds(left: Any, right: Any, relation: str) -> bool | None:
    """The relation between two numbers, or None if they cannot be compared."""
    import sympy as sp

    from ..derivation import values_equal

    if relation == "=":
        return values_equal(left, right, "a claim")
    difference = sp.N(left - right, 30)
    if not difference.is_real:
        return None
    # A Python bool: SymPy's BooleanFalse is falsy but not `False`, and the search for a
    # counterexample below asks `is False`.
    return bool(
        {
            "<": difference < 0,
            ">": difference > 0,
            "<=": difference <= 0,
            ">=": difference >= 0,
        }[relation]
    )


def _point(symbols: list, rng: random.Random) -> dict:
    import sympy as sp

    values = {}
    for symbol in symbols:
        if symbol.is_integer:
            low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -6)
            values[symbol] = sp.Integer(rng.randint(low, 9))
        else:
            magnitude = sp.Rational(rng.randint(1, 40), 10)
            negative = symbol.is_negative or (not (symbol.is_positive or symbol.is_nonnegative) and rng.random() < 0.5)
            values[symbol] = -magnitude if negative else magnitude
    return values


def _evaluate(misconception, symbols, derivations, field: str, path) -> dict[str, Any]:
    import sympy as sp

    from ..derivation import decimal_latex, value_latex

    def shown(value: Any) -> str:
        """The value after its side: ``= exact ≈ decimal``, or only ``≈ decimal`` when the exact
        value is too long to read in a box on a phone."""
        exact = value_latex(value)
        approximation = decimal_latex(value)
        if approximation and len(exact) > CLAIM_EXACT_LATEX:
            return f"\\approx {approximation}"
        return f"= {exact}"

    check = misconception.check
    left, left_latex = _parse_side(check.left, symbols, derivations, f"{field}.check.left", path)
    right, right_latex = _parse_side(check.right, symbols, derivations, f"{field}.check.right", path)
    free = sorted((left - right).free_symbols, key=sp.default_sort_key)
    record: dict[str, Any] = {
        "id": misconception.id,
        "relation": check.relation,
        "left_latex": left_latex,
        "right_latex": right_latex,
        "symbolic": bool(free),
    }
    if not free:
        if _holds(left, right, check.relation):
            raise EntryError(
                path,
                f"{field}.check",
                f"the engine finds this claim true ({left} {check.relation} {right}): a misconception must be false",
            )
        return record | {"left_value": shown(sp.nsimplify(left)), "right_value": shown(right)}
    if check.relation == "=" and _holds(left, right, "="):
        raise EntryError(
            path, f"{field}.check", "the engine finds the two sides equal everywhere: a misconception must be false"
        )
    rng = random.Random(2024)
    for _ in range(_TRIALS):
        point = _point(free, rng)
        a, b = left.subs(point), right.subs(point)
        if not (a.is_finite and b.is_finite):
            continue
        outcome = _holds(a, b, check.relation)
        if outcome is False:
            return record | {
                "point": {sp.latex(s): sp.latex(v) for s, v in point.items()},
                "left_value": shown(sp.nsimplify(a) if a.is_Rational else a),
                "right_value": shown(b),
            }
    raise EntryError(
        path,
        f"{field}.check",
        f"the claim held at all {_TRIALS} points the engine tried: a misconception must be false",
    )


def evaluate_misconceptions(loaded) -> list[dict[str, Any]]:
    """Evaluate every misconception of an entry; the records show why each is false."""
    from .catalog import derive, entry_symbols, formula_fields
    from .records import ClaimRecord

    entry = loaded.entry
    if not entry.misconceptions:
        return []
    by_id = {formula.id: field for field, formula in formula_fields(entry)}
    wanted = sorted(
        {
            reference.formula
            for misconception in entry.misconceptions
            for side in (misconception.check.left, misconception.check.right)
            for reference in check_references(side)
        }
    )
    derivations = {formula_id: derive(loaded, by_id[formula_id])[0] for formula_id in wanted}
    symbols = entry_symbols(entry)
    records = []
    for index, misconception in enumerate(entry.misconceptions):
        record = _evaluate(misconception, symbols, derivations, f"misconceptions[{index}]", loaded.path)
        records.append(ClaimRecord(**record).model_dump(mode="json"))
    return records
