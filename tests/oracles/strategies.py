"""Hypothesis strategies for the oracle suite: families of inputs, each with its own reference.

Expressions and activations are generated as small trees, turned both into
SymPy (the library's input) and into mpmath/NumPy functions written here (the
oracle's input), so that no reference value ever comes from SymPy evaluating
the library's output.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from glossary import neural

# -- expression trees over an allow-list ---------------------------------------------------------
#
# A node is a tuple: ("var", name), ("const", Fraction), (op, child, ...) with op in
# add, mul, pow (exponent 2 or 3), sin, cos, exp, tanh, log (of child² + c), sqrt (of child² + c).
# log and sqrt only ever see positive arguments, so every tree is smooth everywhere.

UNARY = ("sin", "cos", "exp", "tanh")
POSITIVE_SHIFTS = (Fraction(1), Fraction(1, 2), Fraction(2))


def constants() -> st.SearchStrategy:
    return st.sampled_from([Fraction(k, 2) for k in range(-6, 7) if k]).map(lambda c: ("const", c))


def trees(variables: tuple[str, ...], max_leaves: int = 6) -> st.SearchStrategy:
    leaves = st.one_of(st.sampled_from(variables).map(lambda v: ("var", v)), constants())

    def extend(children):
        return st.one_of(
            st.tuples(st.just("add"), children, children),
            st.tuples(st.just("mul"), children, children),
            st.tuples(st.just("pow"), children, st.sampled_from([2, 3])),
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.sampled_from(["log", "sqrt"]), children, st.sampled_from(POSITIVE_SHIFTS)),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def uses(tree, name: str) -> bool:
    if tree[0] == "var":
        return tree[1] == name
    return any(uses(child, name) for child in tree[1:] if isinstance(child, tuple))


def depth(tree) -> int:
    children = [c for c in tree[1:] if isinstance(c, tuple)]
    return 1 + max((depth(c) for c in children), default=0)


def to_sympy(tree, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    op = tree[0]
    if op == "var":
        return symbols[tree[1]]
    if op == "const":
        return sp.Rational(tree[1].numerator, tree[1].denominator)
    if op == "add":
        return to_sympy(tree[1], symbols) + to_sympy(tree[2], symbols)
    if op == "mul":
        return to_sympy(tree[1], symbols) * to_sympy(tree[2], symbols)
    if op == "pow":
        return to_sympy(tree[1], symbols) ** tree[2]
    inner = to_sympy(tree[1], symbols)
    if op in ("log", "sqrt"):
        shifted = inner**2 + sp.Rational(tree[2].numerator, tree[2].denominator)
        return sp.log(shifted) if op == "log" else sp.sqrt(shifted)
    return {"sin": sp.sin, "cos": sp.cos, "exp": sp.exp, "tanh": sp.tanh}[op](inner)


def evaluate(tree, env: dict[str, Any]):
    """The tree as a number, with mpmath (call inside ``mpmath.workdps``)."""
    op = tree[0]
    if op == "var":
        return env[tree[1]]
    if op == "const":
        return mpmath.mpf(tree[1].numerator) / tree[1].denominator
    if op == "add":
        return evaluate(tree[1], env) + evaluate(tree[2], env)
    if op == "mul":
        return evaluate(tree[1], env) * evaluate(tree[2], env)
    if op == "pow":
        return evaluate(tree[1], env) ** tree[2]
    inner = evaluate(tree[1], env)
    if op in ("log", "sqrt"):
        shifted = inner**2 + mpmath.mpf(tree[2].numerator) / tree[2].denominator
        return mpmath.log(shifted) if op == "log" else mpmath.sqrt(shifted)
    return {"sin": mpmath.sin, "cos": mpmath.cos, "exp": mpmath.exp, "tanh": mpmath.tanh}[op](inner)


def show(tree) -> str:
    op = tree[0]
    if op == "var":
        return tree[1]
    if op == "const":
        return str(tree[1])
    if op == "add":
        return f"({show(tree[1])} + {show(tree[2])})"
    if op == "mul":
        return f"{show(tree[1])}*{show(tree[2])}"
    if op == "pow":
        return f"({show(tree[1])})**{tree[2]}"
    if op in ("log", "sqrt"):
        return f"{op}(({show(tree[1])})**2 + {tree[2]})"
    return f"{op}({show(tree[1])})"


def coordinates() -> st.SearchStrategy:
    """A rational coordinate in [−1.5, 1.5] (exact, so both sides see the same point)."""
    return st.integers(-150, 150).map(lambda k: Fraction(k, 100))


def points(count: int) -> st.SearchStrategy:
    """A point with ``count`` rational coordinates."""
    return st.tuples(*[coordinates()] * count)


# -- integer matrices with chosen spectra ----------------------------------------------------------


def integer_matrices(rows: int, cols: int, low: int = -5, high: int = 5) -> st.SearchStrategy:
    return st.lists(st.integers(low, high), min_size=rows * cols, max_size=rows * cols).map(
        lambda entries: sp.Matrix(rows, cols, entries)
    )


@st.composite
def unimodular(draw, n: int) -> sp.Matrix:
    """An integer matrix with determinant 1 (so its inverse is an integer matrix too)."""
    lower = sp.eye(n)
    upper = sp.eye(n)
    for i in range(n):
        for j in range(n):
            if i > j:
                lower[i, j] = draw(st.integers(-2, 2))
            elif i < j:
                upper[i, j] = draw(st.integers(-2, 2))
    order = draw(st.permutations(range(n)))
    permutation = sp.Matrix(n, n, lambda i, j: 1 if order[i] == j else 0)
    return permutation * lower * upper * permutation.T


def _conjugate(block: sp.Matrix, p: sp.Matrix) -> sp.Matrix:
    return p * block * p.inv()


@st.composite
def defective_matrices(draw, n: int) -> sp.Matrix:
    """P J P⁻¹ with a Jordan block of size ≥ 2: fewer eigenvectors than the multiplicity."""
    size = draw(st.integers(2, n))
    blocks = [sp.Matrix(sp.jordan_cell(draw(st.integers(-3, 3)), size))]
    remaining = n - size
    while remaining:
        part = draw(st.integers(1, remaining))
        blocks.append(sp.Matrix(sp.jordan_cell(draw(st.integers(-3, 3)), part)))
        remaining -= part
    return _conjugate(sp.diag(*blocks), draw(unimodular(n)))


@st.composite
def complex_spectrum_matrices(draw, n: int) -> sp.Matrix:
    """P B P⁻¹ with rotation–scaling blocks [[a, −b], [b, a]] (b ≠ 0): complex eigenvalues."""
    blocks = []
    remaining = n
    while remaining >= 2 and (not blocks or draw(st.booleans())):
        a, b = draw(st.integers(-3, 3)), draw(st.integers(1, 3))
        blocks.append(sp.Matrix([[a, -b], [b, a]]))
        remaining -= 2
    blocks += [sp.Matrix([[draw(st.integers(-3, 3))]]) for _ in range(remaining)]
    return _conjugate(sp.diag(*blocks), draw(unimodular(n)))


@st.composite
def repeated_eigenvalue_matrices(draw, n: int) -> sp.Matrix:
    """Diagonalizable with a repeated eigenvalue: P diag(λ, λ, …) P⁻¹."""
    repeated = draw(st.integers(-3, 3))
    count = draw(st.integers(2, n))
    others = [draw(st.integers(-3, 3)) for _ in range(n - count)]
    return _conjugate(sp.diag(*([repeated] * count + others)), draw(unimodular(n)))


@st.composite
def symmetric_matrices(draw, n: int) -> sp.Matrix:
    b = draw(integer_matrices(n, n, -3, 3))
    return b + b.T


MATRIX_KINDS = {
    "general": lambda n: integer_matrices(n, n),
    "symmetric": symmetric_matrices,
    "defective": defective_matrices,
    "complex": complex_spectrum_matrices,
    "repeated": repeated_eigenvalue_matrices,
}


def square_matrices(kinds=tuple(MATRIX_KINDS), sizes=(2, 3, 4, 5)) -> st.SearchStrategy:
    """``(kind, A)`` for integer square matrices of the given kinds and sizes."""
    return st.tuples(st.sampled_from(kinds), st.sampled_from(sizes)).flatmap(
        lambda pair: MATRIX_KINDS[pair[0]](pair[1]).map(lambda A: (pair[0], A))
    )


# -- activations from an allow-list -------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """A named activation: how to build it in SymPy and how to compute it here, in mpmath."""

    name: str
    build: Any  # SymPy expression → SymPy expression
    mp: Any  # mpmath number → mpmath number
    exact_max: bool = True  # its derivative's maximum has a closed form
    kinks: tuple = ()  # points where it is not differentiable


def _mp_sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


GELU_C = Fraction(44715, 1000000)


def _gelu_sympy(t):
    c = sp.Rational(GELU_C.numerator, GELU_C.denominator)
    return t / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (t + c * t**3)))


def _gelu_mp(t):
    c = mpmath.mpf(GELU_C.numerator) / GELU_C.denominator
    return t / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (t + c * t**3)))


def _leaky(a: Fraction, spelling: str) -> Activation:
    slope = sp.Rational(a.numerator, a.denominator)
    if spelling == "max":
        build = lambda t: sp.Max(t, slope * t)  # noqa: E731
    else:
        build = lambda t: sp.Piecewise((t, t > 0), (slope * t, True))  # noqa: E731
    value = mpmath.mpf(a.numerator) / a.denominator
    return Activation(f"leaky_relu[{a}, {spelling}]", build, lambda t: t if t > 0 else value * t, True, (0,))


def _elu(alpha: Fraction) -> Activation:
    a = sp.Rational(alpha.numerator, alpha.denominator)
    value = mpmath.mpf(alpha.numerator) / alpha.denominator
    return Activation(
        f"elu[{alpha}]",
        lambda t: sp.Piecewise((t, t > 0), (a * (sp.exp(t) - 1), True)),
        lambda t: t if t > 0 else value * (mpmath.exp(t) - 1),
        True,
        (0,),
    )


BASE_ACTIVATIONS = [
    Activation("sigmoid", neural.sigmoid, _mp_sigmoid),
    Activation("tanh", neural.tanh, mpmath.tanh),
    Activation("relu", neural.relu, lambda t: t if t > 0 else 0 * t, True, (0,)),
    Activation("relu[Max]", lambda t: sp.Max(0, t), lambda t: t if t > 0 else 0 * t, True, (0,)),
    Activation("relu[Abs]", lambda t: (t + sp.Abs(t)) / 2, lambda t: t if t > 0 else 0 * t, True, (0,)),
    Activation("softplus", lambda t: sp.log(1 + sp.exp(t)), lambda t: mpmath.log(1 + mpmath.exp(t))),
    Activation("swish", lambda t: t * neural.sigmoid(t), lambda t: t * _mp_sigmoid(t), False),
    Activation("gelu_tanh", _gelu_sympy, _gelu_mp, False),
    _leaky(Fraction(1, 100), "piecewise"),
    _leaky(Fraction(1, 10), "max"),
    _elu(Fraction(1)),
    _elu(Fraction(1, 2)),
]


def _scaled(base: Activation, s: Fraction) -> Activation:
    scale = sp.Rational(s.numerator, s.denominator)
    value = mpmath.mpf(s.numerator) / s.denominator
    return Activation(
        f"{base.name}({s}·x)",
        lambda t: base.build(scale * t),
        lambda t: base.mp(value * t),
        base.exact_max,
        base.kinks,
    )


def _composed(outer: Activation, inner: Activation) -> Activation:
    return Activation(
        f"{outer.name}∘{inner.name}",
        lambda t: outer.build(inner.build(t)),
        lambda t: outer.mp(inner.mp(t)),
        False,
        (0,) if outer.kinks or inner.kinks else (),
    )


def base_activations() -> st.SearchStrategy:
    return st.sampled_from(BASE_ACTIVATIONS)


SCALES = (Fraction(1, 2), Fraction(2), Fraction(3, 2))


def variants_of(base: Activation, compose: bool = True) -> st.SearchStrategy:
    """The activation itself, g(s·x), and (with ``compose``) g∘h for an allow-listed h."""
    options = [st.just(base), st.sampled_from(SCALES).map(lambda s: _scaled(base, s))]
    if compose:
        options.append(base_activations().map(lambda inner: _composed(base, inner)))
    return st.one_of(*options)


def activations() -> st.SearchStrategy:
    """Allow-list activations, rescaled inputs (g(s·x)) and compositions g∘h."""
    return st.one_of(
        base_activations(),
        st.tuples(base_activations(), st.sampled_from(SCALES)).map(lambda pair: _scaled(*pair)),
        st.tuples(base_activations(), base_activations()).map(lambda pair: _composed(*pair)),
    )


class _CallableActivation:
    """An activation as an object with ``__call__`` and no ``__name__`` (as a user may write one)."""

    def __init__(self, build) -> None:
        self._build = build

    def __call__(self, t):
        return self._build(t)

    def __repr__(self) -> str:
        return "<callable activation object>"


def _apply(build, t):
    return build(t)


def wrap(activation: Activation, how: str):
    """The activation as a plain function, a lambda, a callable object or a functools.partial."""
    build = activation.build
    if how == "function":

        def function(t):
            return build(t)

        function.__name__ = activation.name.split("[")[0].split("(")[0].replace("∘", "_of_")
        return function
    if how == "lambda":
        return lambda t: build(t)
    if how == "object":
        return _CallableActivation(build)
    return functools.partial(_apply, build)


WRAPPINGS = ("function", "lambda", "object", "partial")


# -- small numbers ------------------------------------------------------------------------------


def rationals(low: int = -12, high: int = 12, denominators=(1, 2, 4, 8)) -> st.SearchStrategy:
    return st.tuples(st.integers(low, high), st.sampled_from(denominators)).map(lambda t: Fraction(t[0], t[1]))


def as_sympy(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def probability_tables(keys: list, allow_zero: bool = True) -> st.SearchStrategy:
    """A map from keys to probabilities that add up to exactly 1."""
    low = 0 if allow_zero else 1
    return (
        st.lists(st.integers(low, 20), min_size=len(keys), max_size=len(keys))
        .filter(lambda w: sum(w) > 0)
        .map(lambda weights: {k: Fraction(w, sum(weights)) for k, w in zip(keys, weights, strict=True)})
    )


def unit_probabilities() -> st.SearchStrategy:
    return st.integers(0, 20).map(lambda k: Fraction(k, 20))


@st.composite
def networks(draw, min_layers: int = 1, max_layers: int = 4, max_width: int = 5, float_weights: bool | None = None):
    """A dense network with numeric weights: ``(widths, weights, biases, x, y)`` as Fractions or floats."""
    layers = draw(st.integers(min_layers, max_layers))
    widths = [draw(st.integers(1, max_width)) for _ in range(layers + 1)]
    use_floats = draw(st.booleans()) if float_weights is None else float_weights

    def number():
        value = draw(rationals(-12, 12, (4, 8)))
        # A small irrational-looking offset keeps pre-activations away from ReLU's kink.
        return float(value) + 0.0137 if use_floats else value + Fraction(1, 97)

    weights = [[[number() for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(layers)]
    biases = [[number() for _ in range(widths[l + 1])] for l in range(layers)]
    x = [number() for _ in range(widths[0])]
    y = [draw(rationals(0, 8, (8,))) for _ in range(widths[-1])]
    return widths, weights, biases, x, y


def to_numpy(values) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in values], dtype=float)
