"""The names an entry's expressions may use, known without importing SymPy.

Checking that a symbol does not shadow a function needs only the names; the
SymPy objects behind them (`glossary.content.expressions`) are loaded when an
expression is parsed, so a build served from the cache never imports SymPy.
"""

from __future__ import annotations

__all__ = ["CONSTANT_NAMES", "FUNCTION_NAMES"]

#: Functions an expression may call.
FUNCTION_NAMES = frozenset(
    {
        "sin",
        "cos",
        "tan",
        "exp",
        "log",
        "sqrt",
        "tanh",
        "sinh",
        "cosh",
        "atan",
        "Abs",
        "abs",
        "Max",
        "Min",
        "binomial",
        "factorial",
        "Rational",
        "sigmoid",
        "relu",
        "step",
    }
)
#: Constants an expression may name.
CONSTANT_NAMES = frozenset({"pi", "E", "oo"})
