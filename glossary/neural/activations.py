"""Activation functions, their derivatives, and the bound they put on gradients through depth.

``sigmoid``, ``relu``, ``step`` and ``tanh`` return plain SymPy expressions so
that they compose. Conventions: ``relu'(0) = 0`` (what PyTorch's autograd
returns) and ``step(0) = 0`` (this glossary's choice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from .. import _inputs
from ..derivation import Derivation, Part, Step, VerificationReport, helper, values_equal
from ..errors import GlossaryError
from ..numeric import derivative_verifier

__all__ = ["derivative", "relu", "sigmoid", "step", "tanh", "vanishing_gradient"]

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


# -- depth: how the derivative bounds the gradient through many layers ---------------------------


@helper
def vanishing_gradient(activation: Any, depth: Any) -> Derivation:
    """``(max_derivative, bound)``: the exact maximum of g' over the reals and max**depth.

    Examples:
        >>> from glossary import neural
        >>> neural.vanishing_gradient(neural.sigmoid, 10).result
        (1/4, 1/1048576)
    """
    activation = _activation(activation)
    depth = _inputs.positive_int(depth, "depth")
    t = sp.Symbol("t", real=True)
    prime = derivative(activation, t).result
    critical = []
    if prime.has(sp.Piecewise):
        candidates = [sp.sympify(piece) for piece, _ in prime.args]
        maximum = sp.Max(*[c for c in candidates if c.is_number])
    else:
        try:
            critical = [c for c in sp.solve(sp.diff(prime, t), t) if c.is_real is not False]
        except NotImplementedError:
            critical = []
        values = [sp.simplify(prime.subs(t, c)) for c in critical]
        values += [sp.limit(prime, t, sp.oo), sp.limit(prime, t, -sp.oo)]
        values = [v for v in values if v.is_finite]
        if not values:
            raise GlossaryError(f"cannot find the maximum of {prime} over the reals")
        maximum = sp.Max(*values)
    if not maximum.is_number or maximum.has(sp.Float):
        raise GlossaryError(f"the maximum of the derivative {prime} is not an exact number: {maximum}")
    bound = maximum**depth
    name = getattr(activation, "__name__", "g")
    g = sp.Function(name)
    steps = [
        Step("활성화 함수의 도함수", "the derivative of the activation", sp.Eq(sp.Derivative(g(t), t), prime)),
    ]
    if critical:
        steps.append(
            Step(
                "도함수의 극값: 한 번 더 미분해 0 으로 놓는다",
                "its extremum: differentiate again and set to zero",
                sp.Eq(sp.diff(prime, t), 0),
            )
        )
        steps.append(Step("임계점", "the critical points", tuple(critical)))
    steps += [
        Step("도함수의 최댓값", "the maximum of the derivative", maximum),
        Step(
            f"깊이 {depth}: ∂a_L/∂a_0 = Π g′(z_l) 이므로 크기는 최댓값의 {depth}제곱 이하",
            f"depth {depth}: ∂a_L/∂a_0 = Π g′(z_l), so its size is at most the maximum to the power {depth}",
            bound,
        ),
        Step("소수로", "as a decimal", sp.Float(sp.N(bound, 6), 6)),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, five_point_derivative, lambdify

        comparison = Comparison("dense grid of finite-difference slopes and chained compositions", 1e-6)
        f = lambdify([t], activation(t))
        grid = np.linspace(-30, 30, 600_001)
        slopes = five_point_derivative(f, [grid], 0, grid.size).real
        finer = five_point_derivative(f, [grid], 0, grid.size, scale=2.5e-4).real
        # Near a kink (ReLU at 0) the two step sizes disagree: those points are skipped.
        smooth = np.abs(slopes - finer) <= 1e-7 * (1 + np.abs(slopes))
        comparison.add(np.max(slopes[smooth]), float(maximum))
        rng = np.random.default_rng(seed)
        starts = rng.uniform(-4, 4, size=min(points, 1000))

        def chain(values):
            out = values
            with np.errstate(all="ignore"):
                for _ in range(depth):
                    out = np.real(np.asarray(f(out), dtype=complex))
            return out

        chained = np.abs(five_point_derivative(chain, [starts], 0, starts.size, scale=1e-5).real)
        excess = np.maximum(0.0, chained - float(bound)) / max(float(bound), 1e-300)
        comparison.add(np.zeros_like(excess), excess)
        return comparison.report()

    shown = _activation_latex(activation)
    parts = [
        Part("max_derivative", rf"\max_t {shown}'(t)", f"max {name}′", maximum),
        Part("bound", rf"\left(\max_t {shown}'(t)\right)^{{{depth}}}", f"(max {name}′)^{depth}", bound),
    ]
    return Derivation((maximum, bound), steps, verify, parts=parts)
