"""Activations, losses and the vanishing-gradient bound against NumPy, SciPy and mpmath computed here.

Property tests draw activations composed from the entry language's allow-list
and compare `neural.derivative` with finite differences and
`neural.vanishing_gradient` with a dense numeric maximisation (SciPy), each
call held to a time budget; the named cases of the issue are tested one by one.
"""

from __future__ import annotations

import functools
import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize
from timing import TIMED_CALLS, budget, timed

import glossary
from glossary import neural

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)


def refused_quickly(helper: str, call, *args, match: str):
    start = time.monotonic()
    with pytest.raises(glossary.GlossaryError, match=match):
        call(*args)
    seconds = time.monotonic() - start
    TIMED_CALLS.append((helper, "clean error", seconds))
    assert seconds < budget()


def swish(z):
    return z * neural.sigmoid(z)


def gelu_tanh(z):
    return z / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (z + sp.Rational(44715, 10**6) * z**3)))


def gelu_erf(z):
    return z / 2 * (1 + sp.erf(z / sp.sqrt(2)))


def softplus(z):
    return sp.log(1 + sp.exp(z))


def leaky_relu(z):
    return sp.Piecewise((z, z > 0), (z / 100, True))


def elu(z):
    return sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True))


# -- an independent numeric maximum of g′: dense grid of slopes, refined by SciPy -----------------


def numeric_max_slope(activation) -> float:
    """max g′ over the reals from finite differences of g alone: a dense grid, SciPy around the best
    points, and mpmath slopes far out (for a supremum approached at ±∞)."""
    f = sp.lambdify(t, activation(t), modules=["scipy", "numpy"])
    g = sp.lambdify(t, activation(t), modules="mpmath")

    def slope(at, h=1e-4):
        with np.errstate(all="ignore"):
            return (f(at - 2 * h) - 8 * f(at - h) + 8 * f(at + h) - f(at + 2 * h)) / (12 * h)

    def smooth_slope(at):
        # Next to a kink the stencil overshoots; there the two step sizes disagree and the point is left out.
        coarse, fine = slope(at), slope(at, 2.5e-5)
        return np.where(np.abs(coarse - fine) <= 1e-6 * (1 + np.abs(coarse)), fine, -1e300)

    grid = np.unique(np.concatenate([np.linspace(-40, 40, 400_001), np.sinh(np.linspace(-7, 7, 20_001))]))
    slopes = np.asarray(smooth_slope(grid), dtype=float)
    finite = np.isfinite(slopes) & (slopes > -1e299)
    best = float(np.max(slopes[finite]))
    for index in np.argsort(np.where(finite, slopes, -np.inf))[-5:]:
        low, high = grid[max(index - 1, 0)], grid[min(index + 1, grid.size - 1)]
        found = optimize.minimize_scalar(lambda s: -smooth_slope(s), bounds=(low, high), method="bounded")
        if found.success and np.isfinite(found.fun) and found.fun < 1e299:
            best = max(best, -float(found.fun))
    with mpmath.workdps(40):
        for far in (1e3, 1e5, 1e8, -1e3, -1e5, -1e8):
            h = mpmath.mpf(abs(far)) * mpmath.mpf(10) ** -12
            value = mpmath.re((g(mpmath.mpf(far) + h) - g(mpmath.mpf(far) - h)) / (2 * h))
            if mpmath.isfinite(value):
                best = max(best, float(value))
    return best


# -- the named cases ---------------------------------------------------------------------------


def test_swish_maximum_is_found_and_labelled_numeric():
    d = timed("neural.vanishing_gradient", neural.vanishing_gradient, swish, 3)
    maximum, bound = d.result
    assert float(maximum) == pytest.approx(1.0998393201, rel=1e-9)
    assert float(maximum) == pytest.approx(numeric_max_slope(swish), rel=1e-7)
    assert float(bound) == pytest.approx(float(maximum) ** 3, rel=1e-12)
    assert "numeric" in d.part("max_derivative").text_name
    assert any("numerically" in s.en and "수치로" in s.ko for s in d.steps)
    assert timed("neural.vanishing_gradient verify", d.verify).passed


@pytest.mark.parametrize(
    ("activation", "exact"),
    [
        (neural.sigmoid, sp.Rational(1, 4)),
        (neural.tanh, sp.Integer(1)),
        (neural.relu, sp.Integer(1)),
        (leaky_relu, sp.Integer(1)),
        (elu, sp.Integer(1)),
        (softplus, sp.Integer(1)),
        (gelu_erf, sp.Rational(1, 2) + sp.erf(1) / 2 + sp.exp(-1) / sp.sqrt(sp.pi)),
        (lambda z: sp.Max(z, z / 10), sp.Integer(1)),
        (lambda z: 2 * neural.sigmoid(z - 100), sp.Rational(1, 2)),
    ],
    ids=["sigmoid", "tanh", "relu", "leaky-relu", "elu", "softplus", "gelu-erf", "leaky-max", "shifted-sigmoid"],
)
def test_exact_global_maxima_of_common_activations(activation, exact):
    d = timed("neural.vanishing_gradient", neural.vanishing_gradient, activation, 10)
    maximum, bound = d.result
    assert not sp.sympify(maximum).has(sp.Float)
    assert sp.simplify(maximum - exact) == 0
    assert sp.simplify(bound - exact**10) == 0
    assert float(maximum) == pytest.approx(numeric_max_slope(activation), rel=1e-6)
    assert timed("neural.vanishing_gradient verify", d.verify, 300).passed


def test_gelu_with_the_tanh_approximation_is_numeric_and_right():
    d = timed("neural.vanishing_gradient", neural.vanishing_gradient, gelu_tanh, 2)
    assert float(d.result[0]) == pytest.approx(numeric_max_slope(gelu_tanh), rel=1e-7)


def test_a_supremum_that_is_never_attained_is_called_so():
    d = neural.vanishing_gradient(softplus, 4)
    assert d.part("max_derivative").text_name.startswith("sup")
    assert d.part("max_derivative").latex_name.startswith(r"\sup")
    assert any("never attained" in s.en and "닿지는 않는다" in s.ko for s in d.steps)


def test_the_bound_states_its_condition_on_the_weights_and_saturation():
    d = neural.vanishing_gradient(neural.sigmoid, 10)
    bound_step = next(s for s in d.steps if s.en.startswith("depth 10"))
    assert r"|w_l| \le 1" in bound_step.en and r"|w_l| \le 1" in bound_step.ko
    assert r"\prod_{l=1}^{10} w_l" in bound_step.en
    assert any("saturat" in s.en and "포화" in s.ko for s in d.steps)
    assert "a_L" not in bound_step.en  # L is the loss; the depth is a number


def test_a_more_negative_minimum_sets_the_bound():
    d = neural.vanishing_gradient(lambda z: -neural.sigmoid(z), 2)
    maximum, bound = d.result
    assert maximum == 0 and bound == sp.Rational(1, 16)


@pytest.mark.parametrize("depth", [18, 25, 60, 1000])
def test_verify_holds_for_deep_networks(depth):
    d = neural.vanishing_gradient(neural.sigmoid, depth)
    assert d.result[1] == sp.Rational(1, 4) ** depth
    assert timed("neural.vanishing_gradient verify", d.verify).passed


def test_absurd_depths_are_refused_up_front_with_the_range():
    refused_quickly("neural.vanishing_gradient", neural.vanishing_gradient, neural.sigmoid, 10**9, match="1 to 1000")


@pytest.mark.parametrize(
    ("activation", "message"),
    [
        (lambda z: z**3, "without bound"),
        (sp.exp, "without bound"),
        (lambda z: sp.sqrt(z), "not a finite real number"),
        (lambda z: sp.Symbol("a") * z, "free symbols"),
        (lambda z: sp.Matrix([z, z]), "scalar"),
        ("sigmoid", "callable"),
    ],
    ids=["cubic", "exp", "sqrt", "parameter", "matrix", "string"],
)
def test_activations_without_a_bounded_derivative_are_refused(activation, message):
    refused_quickly("neural.vanishing_gradient", neural.vanishing_gradient, activation, 3, match=message)


def test_callables_without_a_name_work():
    scaled = functools.partial(lambda a, z: neural.sigmoid(a * z), 3)

    class Swish:
        def __call__(self, z):
            return z * neural.sigmoid(z)

    d = timed("neural.derivative", neural.derivative, scaled, x)
    assert sp.simplify(d.result - sp.diff(neural.sigmoid(3 * x), x)) == 0
    assert d.part("derivative").latex_name.startswith("g'")
    assert d.verify(points=100).passed
    assert timed("neural.vanishing_gradient", neural.vanishing_gradient, scaled, 2).result == (
        sp.Rational(3, 4),
        sp.Rational(9, 16),
    )
    assert float(neural.vanishing_gradient(Swish(), 1).result[0]) == pytest.approx(1.0998393201, rel=1e-9)
    assert neural.derivative(Swish(), x).verify(points=50).passed


# -- derivative: names, conventions, the caller's variable ---------------------------------------


def test_sigmoid_derivative_shows_sigma_in_its_named_result():
    d = neural.derivative(neural.sigmoid, x)
    assert d.result == neural.sigmoid(x) * (1 - neural.sigmoid(x))
    part = d.part("derivative")
    assert part.latex_name == r"\sigma'\left(x\right)"
    assert sp.latex(part.value) == r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"
    assert str(part.value) == "σ(x)*(1 - σ(x))"
    # Still a number where it should be: σ′(0) = 1/4.
    assert part.value.subs(x, 0) == sp.Rational(1, 4)
    assert float(sp.N(part.value.subs(x, sp.Rational(1, 3)))) == pytest.approx(float(d.result.subs(x, 1 / 3)))


def test_relu_and_step_conventions_are_stated_exactly():
    relu = neural.derivative(neural.relu, x)
    assert relu.result.subs(x, 0) == 0
    convention = next(s for s in relu.steps if "autograd" in s.en)
    assert "PyTorch" in convention.en and "PyTorch" in convention.ko and "$x = 0$" in convention.en
    step = neural.derivative(neural.step, x)
    assert step.result == 0
    assert neural.step(0) == 0
    text = " ".join(s.en for s in step.steps)
    assert "does not exist" in text and "PyTorch" not in text
    assert r"\operatorname{step}(0) = 0" in step.steps[0].en
    assert all("t = 0" not in s.en for s in step.steps + relu.steps)


def test_steps_use_the_callers_variable():
    w = sp.Symbol("w")
    d = neural.derivative(neural.tanh, w)
    assert d.result == 1 - sp.tanh(w) ** 2
    assert all("t" not in s.latex.replace(r"\tanh", "").replace(r"\left", "").replace(r"\right", "") for s in d.steps)
    at_two = neural.derivative(neural.sigmoid, 2)
    assert (
        at_two.result == sp.exp(-2) / (1 + sp.exp(-2)) ** 2
        or sp.simplify(at_two.result - sp.exp(-2) / (1 + sp.exp(-2)) ** 2) == 0
    )


def test_plain_symbols_inside_abs_and_max_are_treated_as_real():
    plain = sp.Symbol("x")
    assert neural.derivative(sp.Abs, plain).result == sp.sign(plain)
    leaky = neural.derivative(lambda z: sp.Max(z, z / 10), plain).result
    assert not leaky.has(sp.re, sp.im)
    assert leaky.subs(plain, 2) == 1 and leaky.subs(plain, -2) == sp.Rational(1, 10)


# -- property tests: random activations from the allow-list ---------------------------------------

UNARY = [
    neural.sigmoid,
    neural.tanh,
    neural.relu,
    sp.sin,
    sp.cos,
    sp.atan,
    lambda e: sp.exp(-(e**2)),
    lambda e: sp.log(1 + sp.exp(e)),
    lambda e: sp.sqrt(1 + e**2),
    lambda e: sp.Max(e, e / 5),
    sp.Abs,
]


@st.composite
def activations(draw):
    """g(z) = f₁(a·z + b) [+ c·f₂(z)] with fᵢ from the allow-list and small rational a, b, c."""
    outer = draw(st.sampled_from(UNARY))
    a = sp.Rational(draw(st.integers(1, 8)), draw(st.integers(1, 4))) * draw(st.sampled_from([1, -1]))
    b = sp.Rational(draw(st.integers(-6, 6)), 2)
    extra = draw(st.sampled_from([None, *UNARY]))
    c = sp.Rational(draw(st.integers(1, 3)), 4)

    return Composed(outer, a, b, extra, c)


class Composed:
    """f₁(a·z + b) + c·f₂(z) as a callable activation that shows its formula when a test fails."""

    def __init__(self, outer, a, b, extra, c):
        self.parts = (outer, a, b, extra, c)

    def __call__(self, z):
        outer, a, b, extra, c = self.parts
        value = outer(a * z + b)
        return value if extra is None else value + c * extra(z)

    def __repr__(self) -> str:
        return f"activation({self(t)})"


def slopes_agree(activation, at, claimed) -> bool:
    f = sp.lambdify(t, activation(t), modules=["scipy", "numpy"])
    h = 1e-5
    left, right = (f(at) - f(at - h)) / h, (f(at + h) - f(at)) / h
    if abs(left - right) > 1e-3 * (1 + abs(left)):
        return True  # a kink at the point: its derivative there is a convention, not a slope
    estimates = [(f(at - 2 * s) - 8 * f(at - s) + 8 * f(at + s) - f(at + 2 * s)) / (12 * s) for s in (1e-4, 2.5e-5)]
    if abs(estimates[0] - estimates[1]) > 1e-6 * (1 + abs(estimates[0])):
        return True  # a kink next to the point: finite differences say nothing there
    return abs(estimates[1] - claimed) <= 1e-6 * (1 + abs(claimed))


@given(activations(), st.lists(st.floats(-4, 4), min_size=3, max_size=3))
def test_derivative_matches_finite_differences_on_random_activations(activation, points):
    d = timed("neural.derivative", neural.derivative, activation, x)
    derivative = sp.lambdify(x, d.result, modules=["scipy", "numpy"])
    for at in points:
        assert slopes_agree(activation, at, float(np.real(derivative(at))))


@given(activations())
def test_vanishing_gradient_maximum_matches_scipy_on_random_activations(activation):
    try:
        d = timed("neural.vanishing_gradient", neural.vanishing_gradient, activation, 5)
    except glossary.GlossaryError as error:
        # Refused only for a derivative that is unbounded or undefined somewhere, saying so.
        assert any(reason in str(error) for reason in ("without bound", "keeps growing", "finite real"))
        return
    maximum, bound = d.result
    numeric = numeric_max_slope(activation)
    kinked = activation(t).has(sp.Piecewise, sp.Max, sp.Abs)
    if kinked:
        # The oracle leaves out points next to a kink, where a supremum may sit: it may fall short, never above.
        assert numeric <= float(maximum) + 1e-6 * (1 + abs(float(maximum)))
        assert float(maximum) - numeric <= 1e-4 * (1 + abs(numeric))
    else:
        assert float(maximum) == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    assert float(bound) >= 0


# -- losses: sizes, zero-based names, the Σy = 1 condition ----------------------------------------


def test_huge_sizes_are_refused_up_front():
    refused_quickly("neural.one_hot", neural.one_hot, 0, 10**9, match="from 1 to 10000")
    refused_quickly(
        "neural.softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, 10**4, match="from 1 to 100"
    )
    refused_quickly("neural.one_hot_encoding", neural.one_hot_encoding, 0, 10**5, match="from 1 to 100")
    refused_quickly("neural.mse_gradient", neural.mse_gradient, 10**6, match="from 1 to 100")
    long = sp.Matrix(sp.symbols("q_0:1001"))
    refused_quickly("neural.softmax", neural.softmax, long, match="1 to 1000 entries")
    refused_quickly("neural.mse", neural.mse, long, long, match="1 to 1000 entries")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: neural.softmax([["z", 1]]), "string"),
        (lambda: neural.cross_entropy([1, 0], [[sp.Rational(1, 2)], ["half"]]), "string"),
        (lambda: neural.one_hot("2", 4), "whole number"),
        (lambda: neural.one_hot_encoding(4, 4), "outside 0..3"),
        (lambda: neural.mse_gradient(2.5), "whole number"),
        (lambda: neural.derivative(neural.sigmoid, sp.Matrix([x])), "scalar"),
        (lambda: neural.derivative(lambda z: 1 / 0, x), "failed"),
    ],
    ids=["nested-string", "string-in-p", "string-index", "index-high", "float-k", "matrix-x", "raising"],
)
def test_bad_inputs_to_losses_and_activations_are_glossary_errors(call, message):
    start = time.monotonic()
    with pytest.raises(glossary.GlossaryError, match=message):
        call()
    TIMED_CALLS.append(("neural (bad input)", "clean error", time.monotonic() - start))


def test_one_hot_encoding_numbers_logits_like_classes():
    d = timed("neural.one_hot_encoding", neural.one_hot_encoding, 2, 4)
    assert list(d.part("vector").value) == [0, 0, 1, 0]
    z = sp.symbols("z_0:4", real=True)
    loss = d.part("loss").value
    assert loss == -sp.log(sp.exp(z[2]) / sum(sp.exp(v) for v in z))
    assert "z_3" not in sp.latex(d.steps[0].expr) and "y_{2} = 1" in d.steps[0].en
    assert any("natural log" in s.en and "자연로그" in s.ko for s in d.steps)
    assert timed("neural.one_hot_encoding verify", d.verify).passed


def test_the_gradient_is_p_minus_y_whenever_the_targets_add_up_to_one():
    d = timed("neural.softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, 3)
    assert d.part("gradient").latex_name == r"\frac{\partial L}{\partial \mathbf{z}}"
    condition = next(s for s in d.steps if r"\sum_i y_i = 1" in s.en)
    assert "one-hot" in condition.en and "원핫" in condition.ko and "label smoothing" in condition.en
    logits = np.array([0.3, -1.2, 2.0])
    target = np.array([0.2, 0.5, 0.3])  # not one-hot, adds up to 1
    z = sp.symbols("z_0:3", real=True)
    y = sp.symbols("y_0:3", real=True)
    values = {**dict(zip(z, logits, strict=True)), **dict(zip(y, target, strict=True))}
    loss = lambda zz: -np.sum(target * (zz - np.log(np.sum(np.exp(zz)))))  # noqa: E731
    for j in range(3):
        bump = np.eye(3)[j] * 1e-6
        expected = (loss(logits + bump) - loss(logits - bump)) / 2e-6
        assert float(d.result[j].subs(values)) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert timed("neural.softmax_cross_entropy_gradient verify", d.verify).passed


@pytest.mark.parametrize("k", [1, 2, 10, 40])
def test_loss_gradients_stay_within_budget_as_classes_grow(k):
    for helper in (neural.softmax_cross_entropy_gradient, neural.mse_gradient):
        d = timed(helper.helper_name, helper, k)
        assert d.result.shape == (k, 1)
    assert timed("neural.one_hot_encoding", neural.one_hot_encoding, k - 1, k).result[k - 1] == 1


def test_loss_parts_have_textbook_names():
    assert neural.mse_gradient(2).part("gradient").latex_name == r"\frac{\partial L}{\partial \hat{\mathbf{y}}}"
    bce = neural.binary_cross_entropy_gradient()
    assert bce.part("gradient").latex_name == r"\frac{\partial L}{\partial z}"
    assert any("natural log" in s.en for s in bce.steps)
