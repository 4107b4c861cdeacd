"""Activation functions and their derivatives.

``sigmoid``, ``relu``, ``step`` and ``tanh`` return plain SymPy expressions so
that they compose. Conventions: ``relu'(0) = 0`` (what PyTorch's autograd
returns) and ``step(0) = 0`` (this glossary's choice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from .. import _inputs
from ..derivation import Derivation, Step, helper, values_equal
from ..errors import GlossaryError
from ..numeric import derivative_verifier

__all__ = ["derivative", "relu", "sigmoid", "step", "tanh"]

Activation = Callable[[sp.Expr], sp.Expr]


def sigmoid(x: Any) -> sp.Expr:
    """The logistic sigmoid σ(x) = 1 / (1 + e^(−x)).

    Examples:
        >>> sigmoid(0)
        1/2
    """
    x = _inputs.expression(x, "x")
    return 1 / (1 + sp.exp(-x))


def relu(x: Any) -> sp.Expr:
    """ReLU(x) = max(0, x), written piecewise so that relu'(0) = 0.

    Examples:
        >>> relu(-3), relu(sp.Rational(5, 2))
        (0, 5/2)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((x, x > 0), (0, True))


def step(x: Any) -> sp.Expr:
    """The step function: 1 for x > 0, else 0 (so step(0) = 0).

    Examples:
        >>> step(0), step(2)
        (0, 1)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((1, x > 0), (0, True))


def tanh(x: Any) -> sp.Expr:
    """The hyperbolic tangent.

    Examples:
        >>> tanh(0)
        0
    """
    x = _inputs.expression(x, "x")
    return sp.tanh(x)


_LATEX_NAMES = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{ReLU}", "step": r"\operatorname{step}"}


def _activation_latex(activation: Any) -> str:
    """The LaTeX name of an activation: σ for the sigmoid, ReLU, tanh …, else its own name or g."""
    name = getattr(activation, "__name__", "") or "g"
    if name in _LATEX_NAMES:
        return _LATEX_NAMES[name]
    return rf"\operatorname{{{name}}}" if name.isidentifier() and name != "<lambda>" else "g"


def _activation(activation: Any, name: str = "activation") -> Activation:
    if not callable(activation):
        raise GlossaryError(f"{name} must be a callable such as neural.sigmoid, got {activation!r}")
    probe = sp.Symbol("x", real=True)
    try:
        value = activation(probe)
    except Exception as error:
        raise GlossaryError(f"{name} {activation!r} failed on a symbol: {error}") from None
    if not isinstance(value, sp.Expr):
        raise GlossaryError(f"{name} {activation!r} must return a SymPy expression, got {value!r}")
    return activation


def _in_terms_of_output(d: sp.Expr, y: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """Write d as a polynomial of degree ≤ 2 in the activation's output y, if it is one.

    This finds σ' = σ(1 − σ) and tanh' = 1 − tanh² without special cases: fit
    a + b·y + c·y² at three points, round to small rationals, then confirm.
    """
    import numpy as np

    points = [sp.Rational(-3, 7), sp.Rational(2, 5), sp.Rational(6, 5)]
    try:
        rows = [[1.0, float(y.subs(x, p)), float(y.subs(x, p)) ** 2] for p in points]
        right = [float(d.subs(x, p)) for p in points]
        a, b, c = np.linalg.solve(np.array(rows), np.array(right))
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return None
    coefficients = [sp.nsimplify(round(v, 9), rational=True) for v in (a, b, c)]
    if any(sp.Abs(v).q > 100 for v in coefficients):
        return None
    Y = sp.Symbol("Y")
    a, b, c = coefficients
    polynomial = a + b * Y + c * Y**2
    if polynomial.free_symbols != {Y}:
        return None
    if b != 0:
        # Factored with a positive sign: Y(1 − Y) rather than −Y(Y − 1).
        polynomial = sp.factor(polynomial)
        if polynomial.could_extract_minus_sign() and polynomial.is_Mul:
            flipped = [(-f if f.is_Add else f) for f in polynomial.args if f != -1]
            if sum(1 for f in polynomial.args if f.is_Add) == 1:
                polynomial = sp.Mul(*flipped)
    candidate = polynomial.subs(Y, y)
    return candidate if values_equal(candidate, d, "the derivative in terms of the output") else None


@helper
def derivative(activation: Any, x: Any) -> Derivation:
    """The derivative of an activation at ``x``, written in its simplest form.

    Examples:
        >>> x = sp.Symbol("x")
        >>> derivative(sigmoid, x).result == sigmoid(x) * (1 - sigmoid(x))
        True
        >>> derivative(relu, x).result
        Piecewise((1, x > 0), (0, True))
    """
    activation = _activation(activation)
    x = _inputs.expression(x, "x")
    t = sp.Symbol("t", real=True)
    y = activation(t)
    raw = sp.piecewise_fold(sp.diff(y, t))
    raw = sp.simplify(raw) if isinstance(raw, sp.Piecewise) else raw
    in_output = None if y.has(sp.Piecewise) else _in_terms_of_output(raw, y, t)
    simplest = in_output if in_output is not None else raw
    name = getattr(activation, "__name__", "g")
    g = sp.Function(name)
    steps = [
        Step("활성화 함수", "the activation", sp.Eq(g(t), y)),
        Step("직접 미분", "differentiate directly", sp.Eq(sp.Derivative(g(t), t), raw)),
    ]
    if in_output is not None:
        shown = in_output.xreplace({y: g(t)})
        steps.append(Step("출력 자신으로 표현한다", "write it with the output itself", in_output, equals_previous=True))
        steps.append(Step("간단히 쓰면", "in short", sp.Eq(sp.Derivative(g(t), t), shown)))
    if y.has(sp.Piecewise):
        steps.append(
            Step(
                "x = 0 에서는 0 으로 정한다 (PyTorch 관례)",
                "at x = 0 it is taken to be 0 (PyTorch's convention)",
                raw.subs(t, 0),
            )
        )
    result = simplest.subs(t, x)
    return Derivation(result, steps, derivative_verifier([(y, simplest, t)]))
