"""A whitelist parser from entry text to SymPy, so that no entry ever runs code.

``sympify`` and ``parse_expr`` call ``eval``; here Python's ``ast`` reads the
text, every node is checked against an allow-list, and the SymPy object is
built by walking the tree. Names must be declared symbols or listed
constants and functions; attribute access, subscripts, keywords, lambdas and
comprehensions are refused, and so are numbers big enough to stall SymPy.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

import sympy as sp

from ..errors import GlossaryError
from .vocabulary import CONSTANT_NAMES, FUNCTION_NAMES

__all__ = ["CONSTANTS", "FUNCTIONS", "ExpressionError", "parse_expression"]

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_EXPONENT = 1000
MAX_INTEGER_DIGITS = 60
MAX_FACTORIAL = 200
#: Numbers beyond this cannot be checked in floating point (about 1.8e308 is the largest double).
MAX_MAGNITUDE = 10**300


class ExpressionError(GlossaryError):
    """An expression in an entry is outside the allow-list or malformed."""


def _factorial(value: sp.Expr) -> sp.Expr:
    if value.is_number and (not value.is_integer or value > MAX_FACTORIAL):
        raise ExpressionError(f"factorial({value}) is refused: only integers up to {MAX_FACTORIAL}")
    return sp.factorial(value)


def _activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    def apply(value: sp.Expr) -> sp.Expr:
        from .. import neural

        return getattr(neural, name)(value)

    return apply


FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "atan": sp.atan,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "Max": sp.Max,
    "Min": sp.Min,
    "binomial": sp.binomial,
    "factorial": _factorial,
    "Rational": lambda p, q: sp.Rational(p, q),
    "sigmoid": _activation("sigmoid"),
    "relu": _activation("relu"),
    "step": _activation("step"),
}

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "oo": sp.oo}
if set(FUNCTIONS) != FUNCTION_NAMES or set(CONSTANTS) != CONSTANT_NAMES:
    raise ImportError("glossary.content.vocabulary must name exactly the functions and constants defined here")

_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_CHAINS = _ADDITIVE + _MULTIPLICATIVE
MAX_CHAIN = 500

_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: None,  # checked separately
}


def _power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    if exponent.is_number and abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"the exponent {exponent} is refused: at most {MAX_EXPONENT} in size")
    if base.is_number and exponent.is_number and base.is_integer and abs(base) > 10**6 and abs(exponent) > 50:
        raise ExpressionError(f"{base}**{exponent} is refused: the number would be too large")
    return base**exponent


def parse_expression(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Parse ``text`` into SymPy using only declared ``symbols``, listed functions and arithmetic.

    Examples:
        >>> x = sp.Symbol("x")
        >>> parse_expression("x**2 + sin(x) / 2", {"x": x})
        x**2 + sin(x)/2
        >>> parse_expression("().__class__", {})
        Traceback (most recent call last):
        ...
        glossary.content.expressions.ExpressionError: '().__class__': attribute access (.) is not allowed
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ExpressionError(f"{text!r} is not an expression (write it as text or a number)")
    source = str(text).strip()
    if not source:
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters long; at most {MAX_LENGTH}")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{source!r} is not a valid expression: {error.msg}") from None
    result = _Builder(source, symbols).build(tree.body, 0)
    if result.has(sp.zoo, sp.nan):
        raise ExpressionError(f"{source!r} has an undefined value (a division by zero?)")
    for number in result.atoms(sp.Number):
        if number.is_finite and abs(number) > MAX_MAGNITUDE:
            raise ExpressionError(f"{source!r}: the number {sp.N(number, 3)} is too large to check numerically")
    return result


_REFUSED = {
    ast.Attribute: "attribute access (.)",
    ast.Subscript: "indexing ([])",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Starred: "* unpacking",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Dict: "dictionaries",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: ":=",
}


class _Builder:
    def __init__(self, source: str, symbols: Mapping[str, sp.Symbol]) -> None:
        self.source = source
        self.symbols = symbols

    def fail(self, what: str) -> ExpressionError:
        return ExpressionError(f"{self.source!r}: {what}")

    def build(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.constant(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, _CHAINS):
            return self.chain(node, depth)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return _power(left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        for kind, label in _REFUSED.items():
            if isinstance(node, kind):
                raise self.fail(f"{label} is not allowed")
        raise self.fail(f"{type(node).__name__} is not allowed")

    def chain(self, node: ast.BinOp, depth: int) -> sp.Expr:
        """a + b − c + … (or a·b/c·…) as one level: Python nests such chains to the left, one
        level per operand, and a long flat sum is not deep."""
        family = _ADDITIVE if isinstance(node.op, _ADDITIVE) else _MULTIPLICATIVE
        operations = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, family):
            operations.append((node.op, node.right))
            node = node.left
        if len(operations) > MAX_CHAIN:
            raise self.fail(f"more than {MAX_CHAIN} terms in a row")
        result = self.build(node, depth + 1)
        for operation, operand in reversed(operations):
            value = self.build(operand, depth + 1)
            try:
                result = _OPERATORS[type(operation)](result, value)
            except ZeroDivisionError:
                raise self.fail("division by zero") from None
        return result

    def constant(self, value: object) -> sp.Expr:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"the constant {value!r} is not a number")
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_INTEGER_DIGITS:
                raise self.fail(f"integers are limited to {MAX_INTEGER_DIGITS} digits")
            return sp.Integer(value)
        if not math.isfinite(value):
            raise self.fail(f"the number {value!r} is not finite")
        # A decimal written in an entry is meant exactly: 0.1 is 1/10.
        return sp.Rational(repr(value))

    def name(self, identifier: str) -> sp.Expr:
        if identifier in self.symbols:
            return self.symbols[identifier]
        if identifier in CONSTANTS:
            return CONSTANTS[identifier]
        if identifier in FUNCTIONS:
            raise self.fail(f"{identifier} is a function; call it as {identifier}(...)")
        declared = ", ".join(sorted(self.symbols)) or "none"
        raise self.fail(f"unknown name {identifier!r} (declared symbols: {declared})")

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only calls of listed functions by name are allowed")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise self.fail(f"unknown function {name!r} (allowed: {allowed})")
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments")
        args = [self.build(arg, depth + 1) for arg in node.args]
        try:
            return FUNCTIONS[name](*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError) as error:
            raise self.fail(f"{name}() cannot take these arguments: {error}") from None
