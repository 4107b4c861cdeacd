"""Calculus helpers against mpmath and finite differences computed here, and their error paths.

The property tests draw expressions from the entry language's allow-list (sin,
cos, exp, log of positive things, tanh, sqrt of positive things, polynomials)
and hold every call to a time budget.
"""

from __future__ import annotations

import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from timing import TIMED_CALLS, timed

import glossary
from glossary import calculus
from glossary.numeric import derivative_verifier

x, y, z, u, v = sp.symbols("x y z u v")

UNARY = [sp.sin, sp.cos, sp.exp, sp.tanh, lambda e: e**2, lambda e: e**3 + 2 * e, lambda e: 1 / (1 + e**2)]


def central_difference(function, values, variable, h=1e-6):
    """A plain two-point central difference with mpmath precision, written separately from the library."""
    plus = {**values, variable: values[variable] + h}
    minus = {**values, variable: values[variable] - h}
    return float((function.subs(plus).evalf(30) - function.subs(minus).evalf(30)) / (2 * h))


def mpmath_partial(function, point: dict, variable) -> float:
    """∂f/∂variable at a point by mpmath's own numerical differentiation."""
    symbols = sorted(function.free_symbols, key=sp.default_sort_key)
    f = sp.lambdify(symbols, function, modules="mpmath")
    index = symbols.index(variable) if variable in symbols else None
    if index is None:
        return 0.0
    values = [point[s] for s in symbols]

    def along(t):
        moved = list(values)
        moved[index] = t
        return f(*moved)

    with mpmath.workdps(30):
        return float(mpmath.diff(along, values[index]))


# -- the allow-list, as a strategy --------------------------------------------------------------

LEAVES = [x, y, x + 1, 2 * y - x, x * y, sp.Rational(1, 2) * x**2, sp.Integer(3)]
POSITIVE_WRAP = [lambda e: 1 + e**2, lambda e: sp.exp(e)]  # log and sqrt only of positive things
UNARY_ALLOWED = [
    sp.sin,
    sp.cos,
    sp.tanh,
    lambda e: sp.exp(e / 3),
    lambda e: sp.log(1 + e**2),
    lambda e: sp.sqrt(1 + e**2),
    lambda e: e**2 - 3 * e,
    lambda e: e**3,
]


@st.composite
def allowed(draw, depth=2):
    """A random expression in x and y built from the allow-list."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(LEAVES))
    kind = draw(st.sampled_from(["unary", "add", "mul"]))
    if kind == "unary":
        return draw(st.sampled_from(UNARY_ALLOWED))(draw(allowed(depth - 1)))
    left, right = draw(allowed(depth - 1)), draw(allowed(depth - 1))
    return left + right if kind == "add" else left * right


POINTS = st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))


@given(allowed(), POINTS)
def test_partial_matches_mpmath_on_random_allowed_expressions(f, point):
    d = timed("calculus.partial", calculus.partial, f, x)
    values = {x: point[0], y: point[1]}
    expected = mpmath_partial(f, values, x)
    actual = complex(d.result.subs(values).evalf(20))
    assert actual.real == pytest.approx(expected, rel=1e-7, abs=1e-7)
    assert d.part("derivative").value == d.result


@given(allowed())
def test_gradient_is_the_column_of_partials_in_the_given_order(f):
    d = timed("calculus.gradient", calculus.gradient, f, [y, x])
    assert d.result.shape == (2, 1)
    point = {x: 0.3, y: -0.7}
    assert float(d.result[0].subs(point)) == pytest.approx(mpmath_partial(f, point, y), rel=1e-7, abs=1e-7)
    assert float(d.result[1].subs(point)) == pytest.approx(mpmath_partial(f, point, x), rel=1e-7, abs=1e-7)
    assert timed("calculus.gradient verify", d.verify, 50).passed


@st.composite
def chains(draw):
    """An outer function of u (and maybe v and x itself), with u and v given by allowed expressions in x."""
    inner_u = draw(allowed(1)).subs(y, x / 2)
    inner_v = draw(allowed(1)).subs(y, 1 - x)
    outer = draw(st.sampled_from(UNARY_ALLOWED))(u)
    if draw(st.booleans()):
        outer = outer * draw(st.sampled_from([v, v + u, sp.cos(v)]))
    if draw(st.booleans()):
        outer = outer + draw(st.sampled_from([x, x * u, sp.sin(x) * u]))
    mapping = {u: inner_u}
    if outer.has(v):
        # Sometimes nested: v goes through u.
        mapping[v] = inner_v + (u if draw(st.booleans()) else 0)
    return outer, mapping


@given(chains(), st.floats(-1.2, 1.2))
def test_chain_rule_matches_mpmath_on_random_compositions(case, at):
    outer, mapping = case
    assume_uses_an_intermediate = outer.free_symbols & set(mapping)
    if not assume_uses_an_intermediate:
        return
    d = timed("calculus.chain_rule", calculus.chain_rule, outer, mapping, x)
    composed = outer
    for _ in range(3):
        composed = composed.subs(mapping)
    expected = mpmath_partial(composed, {x: at}, x)
    assert float(d.result.subs(x, at)) == pytest.approx(expected, rel=1e-7, abs=1e-7)


# -- the chain rule: total derivatives, nesting, notation -----------------------------------------


def test_outer_that_also_depends_on_x_gives_the_total_derivative():
    d = calculus.chain_rule(u * x, {u: x**2}, x)
    assert d.result == 3 * x**2
    formula = next(s for s in d.steps if s.en.startswith("chain rule"))
    assert formula.latex == (
        r"\frac{d z}{d x} = \frac{\partial z}{\partial u} \cdot \frac{d u}{d x} + \frac{\partial z}{\partial x}"
    )
    assert "direct dependence on $x$" in formula.en and "직접 의존하는 항" in formula.ko
    assert d.part("derivative").latex_name == r"\frac{d z}{d x}"
    assert d.verify(points=100).passed


def test_nested_substitutions_chain_through_every_level():
    d = calculus.chain_rule(sp.sin(u), {u: v**2, v: x + 1}, x)
    assert sp.simplify(d.result - 2 * (x + 1) * sp.cos((x + 1) ** 2)) == 0
    latex = " ".join(s.latex for s in d.steps)
    assert r"\frac{d u}{d x} = \frac{d u}{d v} \cdot \frac{d v}{d x}" in latex
    assert d.verify(points=100).passed


def test_total_derivative_through_a_nested_intermediate_that_also_uses_x():
    d = calculus.chain_rule(u * x, {u: v * x, v: sp.exp(x)}, x)
    assert sp.simplify(d.result - sp.diff(x**2 * sp.exp(x), x)) == 0


def test_ordinary_derivatives_use_d_and_partials_use_the_round_d():
    single = calculus.chain_rule(sp.sin(u), {u: x**2}, x)
    assert r"\frac{d z}{d x} = \frac{d z}{d u} \cdot \frac{d u}{d x}" in [s.latex for s in single.steps]
    assert all(r"\partial" not in s.latex for s in single.steps)
    a, w, b = sp.symbols("a w b")
    neuron = calculus.chain_rule(1 / (1 + sp.exp(-a)), {a: w * x + b}, w)
    assert r"\frac{\partial z}{\partial w} = \frac{d z}{d a} \cdot \frac{\partial a}{\partial w}" in [
        s.latex for s in neuron.steps
    ]
    many = calculus.chain_rule(u**2 * v, {u: sp.sin(x), v: x**3}, x)
    assert r"\frac{\partial z}{\partial u} \cdot \frac{d u}{d x}" in many.steps[2].latex


def test_captions_name_the_actual_intermediate_and_variable():
    d = calculus.chain_rule(sp.exp(y), {y: 3 * x**2 + 1}, x)
    captions = " ".join(s.en + " " + s.ko for s in d.steps)
    assert "$y$" in captions and "still written in $y$" in captions
    assert "in u" not in captions and "u 로" not in captions
    for step in d.steps:
        assert step.ko.count("$") % 2 == 0 and step.en.count("$") % 2 == 0


def test_abs_and_max_of_plain_symbols_are_differentiated_as_real():
    assert calculus.partial(sp.Abs(x), x).result == sp.sign(x)
    assert not calculus.partial(sp.Abs(x) * y, x).result.has(sp.re, sp.im)
    d = calculus.chain_rule(sp.Max(u, 0), {u: x**2 - 1}, x)
    assert not d.result.has(sp.re, sp.im)
    # In the caller's own (plain) symbol again, so that d.result.subs(x, …) works.
    assert d.result.free_symbols == {x} and next(iter(d.result.free_symbols)).is_real is None
    assert float(d.result.subs(x, 2)) == pytest.approx(4.0)
    assert "real" in d.steps[1].en


def test_partial_and_gradient_carry_textbook_names():
    f = x**2 * y + sp.sin(x * y)
    d = calculus.partial(f, x)
    assert d.part("derivative").latex_name == r"\frac{\partial f}{\partial x}"
    assert d.part("derivative").text_name == "∂f/∂x"
    assert calculus.partial(x**3, x).part("derivative").latex_name == r"\frac{d f}{d x}"
    g = calculus.gradient(f, [x, y])
    assert g.part("gradient").latex_name == r"\nabla f" and g.part("gradient").value == g.result
    assert "holding $y$ constant" in d.steps[-1].en and "($y$ 고정)" in d.steps[-1].ko
    assert isinstance(g.steps[-1].value, sp.MatrixBase)


def test_verify_reports_method_points_error_and_tolerance():
    report = calculus.partial(x**3 * y, x).verify(points=200, seed=3)
    assert report.method.startswith("central finite differences")
    assert report.points >= 100
    assert 0 <= report.max_error <= report.tolerance


def test_the_verifier_catches_a_wrong_derivative():
    wrong = 2 * x  # the derivative of x**2 + x is 2x + 1
    verify = derivative_verifier([(x**2 + x, wrong, x)])
    with pytest.raises(glossary.VerificationError) as caught:
        verify(100, 0)
    assert caught.value.point is not None
    assert "x" in str(caught.value)


def test_verification_skips_points_outside_the_domain():
    report = calculus.partial(sp.log(x) + sp.sqrt(y), x).verify(points=400)
    assert 0 < report.points < 400 * 2


def test_an_undefined_function_derives_but_verify_says_why_it_cannot_check():
    g = sp.Function("g")
    d = calculus.partial(g(x) * y, x)
    assert d.result == y * sp.Derivative(g(x), x)
    with pytest.raises(glossary.GlossaryError, match="undefined function g"):
        d.verify(points=10)
    with pytest.raises(glossary.GlossaryError, match="undefined function"):
        calculus.chain_rule(g(u), {u: x**2}, x).verify(points=10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: calculus.partial("x**2", x), "string"),
        (lambda: calculus.partial(x**2, "x"), "Symbol"),
        (lambda: calculus.partial([1, 2], x), "expression"),
        (lambda: calculus.partial([[x, "y"]], x), "string"),
        (lambda: calculus.partial(sp.Matrix([x**2, x]), x), "scalar"),
        (lambda: calculus.partial(sp.MatrixSymbol("M", 2, 2), x), "scalar"),
        (lambda: calculus.gradient(x**2, []), "at least one"),
        (lambda: calculus.gradient(x**2, [x, x]), "repeats"),
        (lambda: calculus.gradient(sp.Matrix([x]), [x]), "scalar"),
        (lambda: calculus.chain_rule(sp.sin(u), {}, x), "non-empty mapping"),
        (lambda: calculus.chain_rule(sp.sin(u), {x: x**2}, x), "variable of differentiation"),
        (lambda: calculus.chain_rule(sp.sin(u), {v: x**2}, x), "uses none"),
        (lambda: calculus.chain_rule(sp.sin(u), {u: v + x, v: u * x}, x), "circular"),
        (lambda: calculus.chain_rule(sp.sin(u), {u: [["x"]]}, x), "string"),
        (lambda: calculus.chain_rule(sp.sin(u), {u: sp.Matrix([x, 1])}, x), "scalar"),
        (lambda: calculus.chain_rule(sp.sin(u), [(u, x)], x), "mapping"),
    ],
    ids=[
        "string-f",
        "string-x",
        "list-f",
        "nested-string",
        "matrix-f",
        "matrix-symbol-f",
        "no-variables",
        "repeated",
        "matrix-gradient",
        "empty-inner",
        "x-in-inner",
        "unused",
        "circular",
        "nested-string-inner",
        "matrix-inner",
        "list-inner",
    ],
)
def test_bad_input_raises_a_glossary_error_naming_it(call, message):
    start = time.monotonic()
    with pytest.raises(glossary.GlossaryError, match=message):
        call()
    TIMED_CALLS.append(("calculus (bad input)", "clean error", time.monotonic() - start))


def test_steps_claiming_equality_are_checked():
    with pytest.raises(glossary.GlossaryError, match="could not confirm its step 2"):
        glossary.Derivation(
            x,
            [glossary.Step("a", "a", x + 1), glossary.Step("b", "b", x + 2, equals_previous=True)],
            lambda points, seed: None,
            helper="demo",
        )


def test_display_in_terminal_and_notebook():
    d = calculus.partial(x**2 * y, x)
    assert "∂f/∂x = 2*x*y" in str(d)
    assert d._repr_latex_().startswith("$$")
    assert r"\frac{\partial f}{\partial x} = 2 x y" in d._repr_markdown_()
    assert "2 x y" in d.latex
    assert np.isfinite(d.verify(points=10).max_error)
