"""Calculus helpers against finite differences computed here, and their error paths."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

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


@st.composite
def compositions(draw):
    """Random compositions of smooth functions of x and y."""
    inner = draw(st.sampled_from([x * y, x + y, x**2 - y, x * sp.exp(y / 3)]))
    outer = draw(st.sampled_from(UNARY))
    other = draw(st.sampled_from(UNARY))
    return outer(inner) + other(x) * draw(st.integers(-3, 3))


@given(compositions(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_partial_matches_a_central_difference(f, a, b):
    d = calculus.partial(f, x)
    point = {x: a, y: b}
    expected = central_difference(f, point, x)
    actual = float(d.result.subs(point).evalf())
    assert actual == pytest.approx(expected, rel=1e-6, abs=1e-6)


@given(compositions())
def test_gradient_is_the_column_of_partials_in_the_given_order(f):
    d = calculus.gradient(f, [y, x])
    assert d.result.shape == (2, 1)
    point = {x: 0.3, y: -0.7}
    assert float(d.result[0].subs(point)) == pytest.approx(central_difference(f, point, y), rel=1e-6, abs=1e-6)
    assert float(d.result[1].subs(point)) == pytest.approx(central_difference(f, point, x), rel=1e-6, abs=1e-6)
    assert d.verify(points=50).passed


@pytest.mark.parametrize(
    ("outer", "inner"),
    [
        (sp.sin(u), {u: x**2}),
        (u * v, {u: sp.exp(x), v: sp.cos(x)}),
        (sp.log(1 + u**2), {u: 3 * x - 1}),
    ],
    ids=["sin-of-square", "product-of-two", "log-of-affine"],
)
def test_chain_rule_equals_direct_differentiation(outer, inner):
    d = calculus.chain_rule(outer, inner, x)
    composed = outer.subs(inner)
    for a in (-0.9, 0.2, 1.4):
        expected = central_difference(composed, {x: a}, x)
        assert float(d.result.subs(x, a)) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    captions = " ".join(step.en for step in d.steps)
    assert "chain rule" in captions
    assert any(isinstance(step.expr, sp.Eq) and step.expr.rhs.has(sp.Derivative) for step in d.steps)


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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: calculus.partial("x**2", x), "string"),
        (lambda: calculus.partial(x**2, "x"), "Symbol"),
        (lambda: calculus.partial([1, 2], x), "expression"),
        (lambda: calculus.gradient(x**2, []), "at least one"),
        (lambda: calculus.gradient(x**2, [x, x]), "repeats"),
        (lambda: calculus.chain_rule(sp.sin(u), {}, x), "non-empty mapping"),
        (lambda: calculus.chain_rule(sp.sin(u), {x: x**2}, x), "variable of differentiation"),
        (lambda: calculus.chain_rule(sp.sin(u), {v: x**2}, x), "uses none"),
    ],
    ids=["string-f", "string-x", "list-f", "no-variables", "repeated", "empty-inner", "x-in-inner", "unused"],
)
def test_bad_input_raises_a_glossary_error_naming_it(call, message):
    with pytest.raises(glossary.GlossaryError, match=message):
        call()


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
    assert "2⋅x⋅y" in str(d)
    assert d._repr_latex_().startswith("$$")
    assert "2 x y" in d.latex
    assert np.isfinite(d.verify(points=10).max_error)
