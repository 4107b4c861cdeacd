"""Validation of helper inputs: every bad value becomes a GlossaryError naming it.

Strings are refused everywhere, also inside lists, tuples, matrices and NumPy
arrays: turning text into SymPy runs ``eval``, and entries are parsed by
`glossary.content.expressions` instead. NumPy integers and arrays are accepted
wherever Python integers and lists are.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from .errors import GlossaryError

#: The most entries a matrix or vector argument may have: beyond this SymPy's exact
#: arithmetic cannot finish, and the building blocks run outside any time limit.
MAX_ENTRIES = 10_000
_MAX_NESTING = 20


def refuse_text(value: Any, name: str, depth: int = 0) -> None:
    """Raise `GlossaryError` if ``value`` is or holds a string (or bytes), at any depth."""
    if isinstance(value, (str, bytes, bytearray)):
        raise GlossaryError(
            f"{name} must be a SymPy expression, not the string {value!r} (build it with sympy.Symbol and operators)"
        )
    if depth > _MAX_NESTING:
        raise GlossaryError(f"{name} is nested more than {_MAX_NESTING} levels deep")
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind in ("U", "S"):
        raise GlossaryError(f"{name} is an array of text; pass numbers or SymPy expressions")
    if kind == "O" or isinstance(value, (list, tuple)):
        items = value.tolist() if hasattr(value, "tolist") else value
        if isinstance(items, list) and len(items) > MAX_ENTRIES:
            raise GlossaryError(f"{name} has {len(items)} items; at most {MAX_ENTRIES} are supported")
        for index, item in enumerate(items if isinstance(items, (list, tuple)) else [items]):
            refuse_text(item, f"{name}[{index}]", depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_text(item, f"{name}[{key!r}]", depth + 1)


def listed(value: Any) -> Any:
    """A NumPy array as the nested list it holds (so that it passes where a list does); else unchanged."""
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) >= 1 and not isinstance(value, sp.MatrixBase):
        return value.tolist()
    return value


def expression(value: Any, name: str) -> sp.Expr:
    """A SymPy expression from an expression or a Python or NumPy number."""
    refuse_text(value, name)
    try:
        converted = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError, AttributeError):
        raise GlossaryError(f"{name} must be a SymPy expression, got {value!r}") from None
    if not isinstance(converted, sp.Expr):
        raise GlossaryError(f"{name} must be a SymPy expression, got {value!r}")
    return converted


def symbol(value: Any, name: str) -> sp.Symbol:
    """A SymPy Symbol."""
    if not isinstance(value, sp.Symbol):
        raise GlossaryError(f"{name} must be a SymPy Symbol, got {value!r}")
    return value


def symbols(values: Any, name: str) -> list[sp.Symbol]:
    """A non-empty sequence of distinct Symbols."""
    if isinstance(values, (sp.Symbol, str)) or not isinstance(values, Iterable):
        raise GlossaryError(f"{name} must be a list of SymPy Symbols, got {values!r}")
    result = [symbol(v, f"{name}[{i}]") for i, v in enumerate(values)]
    if not result:
        raise GlossaryError(f"{name} must name at least one Symbol, got an empty list")
    if len(set(result)) != len(result):
        raise GlossaryError(f"{name} repeats a Symbol: {result}")
    return result


def matrix(value: Any, name: str) -> sp.Matrix:
    """A SymPy Matrix with at least one entry, from a Matrix, nested lists or a NumPy array."""
    if isinstance(value, sp.MatrixBase):
        result = sp.Matrix(value)
    else:
        refuse_text(value, name)
        if hasattr(value, "tolist") and hasattr(value, "shape"):
            value = value.tolist()
        try:
            result = sp.Matrix(value)
        except (TypeError, ValueError, IndexError, AttributeError, sp.SympifyError):
            raise GlossaryError(f"{name} must be a SymPy Matrix or a list of rows, got {value!r}") from None
    if result.rows == 0 or result.cols == 0:
        raise GlossaryError(f"{name} must have at least one entry, got shape {result.shape}")
    if result.rows * result.cols > MAX_ENTRIES:
        raise GlossaryError(f"{name} has {result.rows}×{result.cols} entries; at most {MAX_ENTRIES} are supported")
    for entry in result:
        if not isinstance(entry, sp.Expr):
            raise GlossaryError(f"{name} has an entry that is not an expression: {entry!r}")
    return result


def square_matrix(value: Any, name: str) -> sp.Matrix:
    result = matrix(value, name)
    if not result.is_square:
        raise GlossaryError(f"{name} must be square, got shape {result.shape}")
    return result


def column(value: Any, name: str) -> sp.Matrix:
    """A column Matrix from a column Matrix, a flat list or a 1-D NumPy array."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "ndim") and getattr(value, "ndim", 0) == 1):
        refuse_text(value, name)
        value = [[v] for v in (value.tolist() if hasattr(value, "tolist") else value)]
    result = matrix(value, name)
    if result.cols != 1:
        raise GlossaryError(f"{name} must be a column Matrix (n×1), got shape {result.shape}")
    return result


def whole_number(value: Any, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer (Python, NumPy or SymPy) within ``minimum..maximum``."""
    if isinstance(value, bool):
        raise GlossaryError(f"{name} must be a whole number, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        if isinstance(value, sp.Integer):
            number = int(value)
        else:
            raise GlossaryError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is not None:
            kind = f"an integer from {minimum} to {maximum}"
        else:
            named = {0: "a non-negative integer", 1: "a positive integer"}
            kind = named.get(minimum, f"an integer of at least {minimum}")
        raise GlossaryError(f"{name} must be {kind}, got {number}")
    return number


def positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    return whole_number(value, name, 1, maximum)


def nonnegative_int(value: Any, name: str, maximum: int | None = None) -> int:
    return whole_number(value, name, 0, maximum)
