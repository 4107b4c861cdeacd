"""Validation of helper inputs: every bad value becomes a GlossaryError naming it.

Strings are refused on purpose: turning text into SymPy runs ``eval``, and
entries are parsed by `glossary.content.expressions` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from .errors import GlossaryError


def expression(value: Any, name: str) -> sp.Expr:
    """A SymPy expression from an expression or a Python number."""
    if isinstance(value, str):
        raise GlossaryError(
            f"{name} must be a SymPy expression, not the string {value!r} (build it with sympy.Symbol and operators)"
        )
    try:
        converted = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
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
    if isinstance(values, sp.Symbol) or not isinstance(values, Iterable):
        raise GlossaryError(f"{name} must be a list of SymPy Symbols, got {values!r}")
    result = [symbol(v, f"{name}[{i}]") for i, v in enumerate(values)]
    if not result:
        raise GlossaryError(f"{name} must name at least one Symbol, got an empty list")
    if len(set(result)) != len(result):
        raise GlossaryError(f"{name} repeats a Symbol: {result}")
    return result


def matrix(value: Any, name: str) -> sp.Matrix:
    """A SymPy Matrix with at least one entry, from a Matrix or nested lists."""
    if isinstance(value, sp.MatrixBase):
        result = sp.Matrix(value)
    else:
        try:
            result = sp.Matrix(value)
        except (TypeError, ValueError, sp.SympifyError):
            raise GlossaryError(f"{name} must be a SymPy Matrix, got {value!r}") from None
    if result.rows == 0 or result.cols == 0:
        raise GlossaryError(f"{name} must have at least one entry, got shape {result.shape}")
    for entry in result:
        if isinstance(entry, str) or not isinstance(sp.sympify(entry), sp.Expr):
            raise GlossaryError(f"{name} has an entry that is not an expression: {entry!r}")
    return result


def square_matrix(value: Any, name: str) -> sp.Matrix:
    result = matrix(value, name)
    if not result.is_square:
        raise GlossaryError(f"{name} must be square, got shape {result.shape}")
    return result


def column(value: Any, name: str) -> sp.Matrix:
    result = matrix(value, name)
    if result.cols != 1:
        raise GlossaryError(f"{name} must be a column Matrix (n×1), got shape {result.shape}")
    return result


def positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, sp.Integer)) or int(value) < 1:
        raise GlossaryError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def nonnegative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, sp.Integer)) or int(value) < 0:
        raise GlossaryError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)
