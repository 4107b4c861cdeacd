"""neural against NumPy forward passes, finite differences and mpmath written here.

Activations are drawn from an allow-list (sigmoid, tanh, ReLU in three
spellings, softplus, swish, leaky ReLU, ELU, the tanh form of GELU), rescaled
and composed, and handed over as functions, lambdas, callable objects or
functools.partial. Networks have one to four layers of one to five units.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from glossary import neural

from .harness import DEEP_BACKPROP_VERIFY_BUDGET, budgeted, case
from .reference import (
    assert_close,
    backprop_finite_differences,
    backprop_numpy,
    forward,
    has_float,
    mp_number,
    softmax,
    to_mp,
)
from .strategies import (
    BASE_ACTIVATIONS,
    WRAPPINGS,
    activations,
    as_sympy,
    coordinates,
    networks,
    rationals,
    variants_of,
    wrap,
)

# -- derivatives of activations ----------------------------------------------------------------------


def away_from_kinks(value: Fraction) -> Fraction:
    return value if abs(value) >= Fraction(1, 20) else Fraction(1, 20) if value >= 0 else Fraction(-1, 20)


BASE_NAMES = [a.name for a in BASE_ACTIVATIONS]


@pytest.mark.parametrize("base", BASE_ACTIVATIONS, ids=BASE_NAMES)
@budgeted(3)
@given(data=st.data())
def test_derivative_matches_numeric_differentiation(base, data):
    activation = data.draw(variants_of(base), label="activation")
    how = data.draw(st.sampled_from(WRAPPINGS), label="wrapped as")
    where = data.draw(st.lists(coordinates().map(away_from_kinks), min_size=2, max_size=4), label="points")
    x = sp.Symbol("x")
    with case("neural", f"derivative({activation.name} as {how}, x)") as c:
        result = c.call("derivative", neural.derivative, wrap(activation, how), x, verify=True)
        assert isinstance(result, sp.Expr), f"the derivative should be an expression, got {type(result).__name__}"
        for at in where:
            with mpmath.workdps(40):
                expected = mpmath.diff(activation.mp, mp_number(at))
            assert_close(result.subs(x, as_sympy(at)), expected, 1e-12, f"{activation.name}' at {at}")


def test_relu_derivative_at_zero_is_zero():
    x = sp.Symbol("x")
    with case("neural", "derivative(relu, x) at 0") as c:
        result = c.call("derivative", neural.derivative, neural.relu, x)
        assert result.subs(x, 0) == 0, f"relu'(0) should be 0 (PyTorch's convention), got {result.subs(x, 0)}"


# -- vanishing gradients: the maximum of the derivative ------------------------------------------------------


def derivative_supremum(mp_function) -> float:
    """sup g′ over the reals: a grid on [−30, 30], refined by Brent, and the far tails (mpmath)."""
    with mpmath.workdps(20):

        def slope(t: float) -> float:
            return float(mpmath.diff(mp_function, mpmath.mpf(t)))

        grid = np.linspace(-30, 30, 1201) + 0.0123
        values = np.array([slope(t) for t in grid])
        best = int(np.argmax(values))
        low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
        refined = minimize_scalar(lambda t: -slope(t), bounds=(low, high), method="bounded", options={"xatol": 1e-10})
        tails = [slope(t) for t in (-200.0, 200.0, -1e-9, 1e-9)]
        return max([-refined.fun, float(values[best]), *tails])


DEPTHS = st.one_of(st.integers(1, 12), st.integers(18, 40))


@pytest.mark.parametrize("base", BASE_ACTIVATIONS, ids=BASE_NAMES)
@budgeted(2)
@given(data=st.data())
def test_vanishing_gradient_maximum_is_the_global_maximum_of_the_derivative(base, data):
    activation = data.draw(variants_of(base, compose=False), label="activation")
    check_vanishing_gradient(
        activation, data.draw(st.sampled_from(WRAPPINGS), label="wrapped as"), data.draw(DEPTHS, label="depth")
    )


@budgeted(8)
@given(activations().filter(lambda a: "∘" in a.name), st.sampled_from(WRAPPINGS), DEPTHS)
def test_vanishing_gradient_of_composed_activations_is_right_or_refused(activation, how, depth):
    check_vanishing_gradient(activation, how, depth)


def check_vanishing_gradient(activation, how: str, depth: int) -> None:
    composed = "∘" in activation.name
    expected = derivative_supremum(activation.mp)
    shown = f"vanishing_gradient({activation.name} as {how}, {depth})"
    with case("neural", shown, expect="either" if composed else "answer") as c:
        result = c.call("vanishing_gradient", neural.vanishing_gradient, wrap(activation, how), depth, verify=True)
        assert isinstance(result, tuple) and len(result) == 2, "vanishing_gradient should give (max_derivative, bound)"
        maximum, bound = result
        assert sp.sympify(maximum).is_number and sp.sympify(bound).is_number, f"not numbers: {result}"
        if activation.exact_max:
            assert not has_float(result), f"the maximum has a closed form, so it must be exact: {result}"
        assert_close(maximum, expected, 1e-7, f"max {activation.name}'")
        with mpmath.workdps(40):
            ratio = to_mp(bound, 40) / mpmath.mpf(expected) ** depth
        assert abs(ratio - 1) <= 1e-6 * depth, f"bound {bound} is not max**{depth} = {expected}**{depth}"


def test_swish_maximum_derivative_is_not_one():
    """The issue's case: swish′ peaks at ≈ 1.0998, above 1."""
    swish = next(a for a in BASE_ACTIVATIONS if a.name == "swish")
    expected = derivative_supremum(swish.mp)
    with case("neural", "vanishing_gradient(swish, 3)") as c:
        maximum, bound = c.call(
            "vanishing_gradient", neural.vanishing_gradient, wrap(swish, "function"), 3, verify=True
        )
        assert_close(maximum, expected, 1e-7, "max swish'")
        assert_close(bound, expected**3, 1e-6, "bound")


# -- softmax, cross-entropy, mean squared error, one-hot ---------------------------------------------------------


def vector_form(values: list, form: str):
    if form == "matrix":
        return sp.Matrix([as_sympy(v) for v in values])
    if form == "list":
        return [as_sympy(v) for v in values]
    return np.array([float(v) for v in values])


@budgeted(20)
@given(st.lists(rationals(-16, 16, (4,)), min_size=1, max_size=6), st.sampled_from(["matrix", "list", "numpy"]))
def test_softmax_matches_numpy(z, form):
    with case("neural", f"softmax({[str(v) for v in z]} as {form})") as c:
        result = c.call("softmax", neural.softmax, vector_form(z, form))
        assert isinstance(result, sp.MatrixBase) and result.shape == (len(z), 1), f"expected a {len(z)}×1 column"
        expected = softmax(np.array([float(v) for v in z]))
        for i, value in enumerate(expected):
            assert_close(result[i], value, 1e-12, f"softmax(z)[{i}]")


@budgeted(20)
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(*[st.integers(1, 20)] * k)), st.data())
def test_cross_entropy_matches_numpy(weights, data):
    k = len(weights)
    p = [Fraction(w, sum(weights)) for w in weights]
    y = data.draw(st.lists(st.integers(0, 4).map(Fraction), min_size=k, max_size=k), label="y")
    form = data.draw(st.sampled_from(["matrix", "list", "numpy"]), label="form")
    with case("neural", f"cross_entropy({[str(v) for v in y]}, {[str(v) for v in p]}) as {form}") as c:
        result = c.call("cross_entropy", neural.cross_entropy, vector_form(y, form), vector_form(p, form))
        expected = -np.sum(np.array([float(v) for v in y]) * np.log(np.array([float(v) for v in p])))
        assert_close(result, expected, 1e-12, "cross-entropy")


@budgeted(20)
@given(
    st.integers(1, 6).flatmap(lambda k: st.tuples(*[st.tuples(rationals(), rationals())] * k)),
    st.sampled_from(["matrix", "list", "numpy"]),
)
def test_mse_is_the_mean_of_squared_differences(pairs, form):
    y, yhat = [a for a, _ in pairs], [b for _, b in pairs]
    exact = sum((a - b) ** 2 for a, b in pairs) / len(pairs)
    with case("neural", f"mse({[str(v) for v in y]}, {[str(v) for v in yhat]}) as {form}") as c:
        result = c.call("mse", neural.mse, vector_form(y, form), vector_form(yhat, form))
        if form == "numpy":
            assert_close(result, float(exact), 1e-12, "mse")
        else:
            assert sp.simplify(result - as_sympy(exact)) == 0, f"mse = {result}, exactly {exact}"


@budgeted(20)
@given(
    st.integers(1, 12).flatmap(lambda k: st.tuples(st.integers(0, k - 1), st.just(k))),
    st.sampled_from(["int", "sympy", "numpy"]),
)
def test_one_hot_is_a_column_of_the_identity(pair, form):
    index, k = pair
    convert = {"int": int, "sympy": sp.Integer, "numpy": np.int64}[form]
    with case("neural", f"one_hot({index}, {k}) as {form}") as c:
        result = c.call("one_hot", neural.one_hot, convert(index), convert(k))
        assert isinstance(result, sp.MatrixBase) and result.shape == (k, 1), f"expected a {k}×1 column, got {result!r}"
        assert [int(v) for v in result] == list(np.eye(k, dtype=int)[index]), (
            f"{list(result)} is not row {index} of eye({k})"
        )


@budgeted(15)
@given(
    st.integers(1, 12).flatmap(lambda k: st.tuples(st.one_of(st.integers(k, k + 5), st.integers(-5, -1)), st.just(k)))
)
def test_one_hot_out_of_range_is_a_glossary_error(pair):
    index, k = pair
    with case("neural", f"one_hot({index}, {k})", expect="error") as c:
        c.call("one_hot", neural.one_hot, index, k)


# -- the softmax cross-entropy gradient -----------------------------------------------------------------------


def _numbered(symbols, prefix: str) -> list:
    chosen = [s for s in symbols if s.name.startswith(prefix)]
    return sorted(chosen, key=lambda s: int("".join(ch for ch in s.name if ch.isdigit()) or 0))


@budgeted(12)
@given(st.integers(1, 6), st.data())
def test_softmax_cross_entropy_gradient_matches_finite_differences(k, data):
    points = []
    for _ in range(3):
        z = np.array([float(data.draw(rationals(-16, 16, (4,)), label="logit")) for _ in range(k)])
        y = np.eye(k)[data.draw(st.integers(0, k - 1), label="class")]
        points.append((z, y))
    with case("neural", f"softmax_cross_entropy_gradient({k})") as c:
        result = c.call("softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, k, verify=True)
        assert isinstance(result, sp.MatrixBase) and result.shape == (k, 1), f"expected a {k}×1 column, got {result!r}"
        free = result.free_symbols
        logits, targets = _numbered(free, "z"), _numbered(free, "y")
        assert len(logits) <= k and len(targets) <= k, f"cannot tell the {k} logits and targets apart in {free}"
        for z, y in points:

            def loss(v, y=y):
                return -np.sum(y * np.log(softmax(v)))

            h = 1e-6
            numeric = np.array([(loss(z + h * e) - loss(z - h * e)) / (2 * h) for e in np.eye(k)])
            # Symbols may be numbered from 0 or from 1: the smallest number present is the first entry.
            number = lambda s: int("".join(ch for ch in s.name if ch.isdigit()))  # noqa: E731
            base = min(number(s) for s in [*logits, *targets])
            values = {s: sp.Float(z[number(s) - base], 30) for s in logits}
            values.update({s: int(y[number(s) - base]) for s in targets})
            for j in range(k):
                got = result[j].subs(values)
                assert_close(got, numeric[j], 1e-6, f"∂L/∂z_{j + 1} at z={z}, y={y} (finite differences)")
                assert_close(got, softmax(z)[j] - y[j], 1e-12, f"∂L/∂z_{j + 1} at z={z}, y={y} (softmax − y)")


# -- gradient descent ------------------------------------------------------------------------------------------


@st.composite
def descent_problems(draw, kind: str):
    """``(f, params, gradient in NumPy, lr, start, steps)`` for four kinds of objectives."""
    dims = draw(st.integers(1, 2))
    params = list(sp.symbols(f"w1:{dims + 1}"))
    w = sp.Matrix(params)
    if kind == "quadratic":
        a = sp.Matrix(dims, dims, [draw(st.integers(-2, 2)) for _ in range(dims * dims)])
        Q = a.T * a + sp.eye(dims)
        b = sp.Matrix([draw(st.integers(-3, 3)) for _ in range(dims)])
        f = (w.T * Q * w)[0] / 2 + (b.T * w)[0]
        q, bb = np.array(Q.tolist(), dtype=float), np.array(b.tolist(), dtype=float).ravel()
        gradient = lambda t: q @ t + bb  # noqa: E731
        lr = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(1)]))
    elif kind == "quartic":
        a = [draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)])) for _ in range(dims)]
        c = [draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(1)])) for _ in range(dims)]
        f = sum(as_sympy(ai) * p**4 + as_sympy(ci) * p**2 for ai, ci, p in zip(a, c, params, strict=True))
        af, cf = np.array([float(v) for v in a]), np.array([float(v) for v in c])
        gradient = lambda t: 4 * af * t**3 + 2 * cf * t  # noqa: E731
        lr = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 50), Fraction(1, 20)]))
    elif kind == "softplus":
        a = [draw(st.sampled_from([-2, -1, 1, 2])) for _ in range(dims)]
        c = [draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)])) for _ in range(dims)]
        f = sum(sp.log(1 + sp.exp(ai * p)) + as_sympy(ci) * p**2 for ai, ci, p in zip(a, c, params, strict=True))
        af, cf = np.array(a, dtype=float), np.array([float(v) for v in c])
        gradient = lambda t: af / (1 + np.exp(-af * t)) + 2 * cf * t  # noqa: E731
        lr = draw(st.sampled_from([Fraction(1, 20), Fraction(1, 10), Fraction(1, 5)]))
    else:
        c = [draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)])) for _ in range(dims)]
        f = sum(1 - sp.cos(p) + as_sympy(ci) * p**2 / 2 for ci, p in zip(c, params, strict=True))
        cf = np.array([float(v) for v in c])
        gradient = lambda t: np.sin(t) + cf * t  # noqa: E731
        lr = draw(st.sampled_from([Fraction(1, 20), Fraction(1, 10), Fraction(1, 5)]))
    start = [draw(rationals(-6, 6, (4,))) for _ in range(dims)]
    steps = draw(st.sampled_from([8, 6, 4, 2, 1, 0]))
    return f, params, gradient, lr, start, steps


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "float"])
@pytest.mark.parametrize("kind", ["quadratic", "quartic", "softplus", "cosine"])
@budgeted(3)
@given(data=st.data())
def test_gradient_descent_iterates_match_a_numpy_loop(kind, exact, data):
    f, params, gradient, lr, start, steps = data.draw(descent_problems(kind), label="problem")
    given_lr = as_sympy(lr) if exact else float(lr)
    given_start = [as_sympy(v) for v in start] if exact else [float(v) for v in start]
    expected = [np.array([float(v) for v in start])]
    for _ in range(steps):
        expected.append(expected[-1] - float(lr) * gradient(expected[-1]))
    shown = (
        f"gradient_descent[{kind}]({f}, {params}, lr={lr}, start={[str(v) for v in start]}, "
        f"steps={steps}, exact={exact})"
    )
    with case("neural", shown) as c:
        result = c.call(
            "gradient_descent",
            neural.gradient_descent,
            f,
            params,
            given_lr,
            given_start,
            steps,
            verify=True,
            render=True,
        )
        assert isinstance(result, list) and len(result) == steps + 1, (
            f"expected {steps + 1} iterates, got {len(result)}"
        )
        assert all(len(point) == len(params) for point in result), "each iterate should give every parameter"
        if exact:
            assert [sp.sympify(v) for v in result[0]] == given_start, f"the first iterate {result[0]} is not the start"
        if exact and kind == "quadratic":
            assert not has_float(result), "exact input on a quadratic gives rational iterates; got Floats"
        for number, (point, want) in enumerate(zip(result, expected, strict=True)):
            for value, reference in zip(point, want, strict=True):
                assert_close(value, reference, 1e-9, f"iterate {number}")


# -- backpropagation -------------------------------------------------------------------------------------------

NET_ACTIVATIONS = {"sigmoid": neural.sigmoid, "tanh": neural.tanh, "relu": neural.relu}


def to_sympy_number(value):
    return as_sympy(value) if isinstance(value, Fraction) else sp.Float(value)


def check_backprop(result, weights, biases, x, y, activation: str) -> None:
    Ws = [np.array([[float(v) for v in row] for row in W]) for W in weights]
    bs = [np.array([[float(v)] for v in b]) for b in biases]
    xs, ys = np.array([[float(v)] for v in x]), np.array([[float(v)] for v in y])
    assert isinstance(result, list) and len(result) == len(Ws), f"expected {len(Ws)} (dL/dW, dL/db) pairs"
    analytic = backprop_numpy(Ws, bs, xs, ys, activation)
    pre, _ = forward(Ws, bs, xs, activation)
    smooth = activation != "relu" or min(float(np.min(np.abs(z))) for z in pre) > 1e-4
    numeric = backprop_finite_differences(Ws, bs, xs, ys, activation) if smooth else None
    for layer, (pair, (gW, gb)) in enumerate(zip(result, analytic, strict=True), 1):
        assert len(pair) == 2, f"layer {layer}: expected (dL/dW, dL/db)"
        dW, db = (sp.Matrix(M) for M in pair)
        assert dW.shape == gW.shape, f"layer {layer}: dL/dW has shape {dW.shape}, W has {gW.shape}"
        assert db.shape == gb.shape, f"layer {layer}: dL/db has shape {db.shape}, b has {gb.shape}"
        claimed_W = np.array(dW.evalf(30).tolist(), dtype=float)
        claimed_b = np.array(db.evalf(30).tolist(), dtype=float)
        assert np.allclose(claimed_W, gW, rtol=1e-8, atol=1e-10), f"layer {layer} dL/dW {claimed_W} vs chain rule {gW}"
        assert np.allclose(claimed_b, gb, rtol=1e-8, atol=1e-10), f"layer {layer} dL/db {claimed_b} vs chain rule {gb}"
        if numeric is not None:
            nW, nb = numeric[layer - 1]
            assert np.allclose(claimed_W, nW, rtol=1e-5, atol=1e-7), f"layer {layer} dL/dW vs finite differences {nW}"
            assert np.allclose(claimed_b, nb, rtol=1e-5, atol=1e-7), f"layer {layer} dL/db vs finite differences {nb}"


@pytest.mark.parametrize("layers", [1, 2, 3, 4], ids=["1 layer", "2 layers", "3 layers", "4 layers"])
@budgeted(4)
@given(data=st.data())
def test_backprop_matches_chain_rule_and_finite_differences(layers, data):
    net = data.draw(networks(min_layers=layers, max_layers=layers), label="network")
    activation = data.draw(st.sampled_from(sorted(NET_ACTIVATIONS)), label="activation")
    form = data.draw(st.sampled_from(["sympy", "numpy"]), label="form")
    widths, weights, biases, x, y = net
    if form == "numpy":
        W_in = [np.array([[float(v) for v in row] for row in W]) for W in weights]
        b_in = [np.array([[float(v)] for v in b]) for b in biases]
        x_in, y_in = np.array([[float(v)] for v in x]), np.array([[float(v)] for v in y])
    else:
        W_in = [sp.Matrix([[to_sympy_number(v) for v in row] for row in W]) for W in weights]
        b_in = [sp.Matrix([to_sympy_number(v) for v in b]) for b in biases]
        x_in, y_in = sp.Matrix([to_sympy_number(v) for v in x]), sp.Matrix([as_sympy(v) for v in y])
    verify_budget = DEEP_BACKPROP_VERIFY_BUDGET if layers >= 4 else None
    shown = f"backprop[{activation}, widths {widths}, {form}]"
    with case("neural", shown) as c:
        result = c.call(
            "backprop",
            neural.backprop,
            W_in,
            b_in,
            x_in,
            y_in,
            NET_ACTIVATIONS[activation],
            neural.mse,
            verify=True,
            verify_budget=verify_budget,
        )
        check_backprop(result, weights, biases, x, y, activation)


def fixed_network(widths: list[int], seed: int):
    """Rational weights and biases in [−1, 1] (offset by 1/97 to keep ReLU's kink away)."""
    rng = np.random.default_rng(seed)
    weights = [
        [[Fraction(int(v), 8) + Fraction(1, 97) for v in row] for row in rng.integers(-8, 9, (o, i))]
        for i, o in itertools.pairwise(widths)
    ]
    biases = [[Fraction(int(v), 8) + Fraction(1, 97) for v in rng.integers(-8, 9, o)] for o in widths[1:]]
    x = [Fraction(int(v), 4) for v in rng.integers(-4, 5, widths[0])]
    y = [Fraction(int(v), 4) for v in rng.integers(0, 5, widths[-1])]
    return weights, biases, x, y


@pytest.mark.parametrize(
    ("widths", "activation"),
    [([2, 5, 5, 1], "relu"), ([3, 5, 5, 5, 2], "sigmoid"), ([3, 5, 5, 5, 2], "tanh"), ([4, 5, 5, 5, 5], "relu")],
    ids=["2-5-5-1 relu", "3-5-5-5-2 sigmoid", "3-5-5-5-2 tanh", "4-5-5-5-5 relu"],
)
def test_backprop_of_networks_five_units_wide(widths, activation):
    """The issue's case (verify() of a 2-5-5-1 ReLU network ran for over 13 minutes) and four-layer nets."""
    weights, biases, x, y = fixed_network(widths, seed=len(widths) * 10 + len(activation))
    verify_budget = DEEP_BACKPROP_VERIFY_BUDGET if len(weights) >= 4 else None
    with case("neural", f"backprop[{activation}, widths {widths}]") as c:
        result = c.call(
            "backprop",
            neural.backprop,
            [sp.Matrix([[as_sympy(v) for v in row] for row in W]) for W in weights],
            [sp.Matrix([as_sympy(v) for v in b]) for b in biases],
            sp.Matrix([as_sympy(v) for v in x]),
            sp.Matrix([as_sympy(v) for v in y]),
            NET_ACTIVATIONS[activation],
            neural.mse,
            verify=True,
            verify_budget=verify_budget,
        )
        check_backprop(result, weights, biases, x, y, activation)


@budgeted(10)
@given(st.sampled_from(["sigmoid", "tanh"]), st.lists(rationals(-8, 8, (4,)), min_size=2, max_size=2), st.data())
def test_backprop_with_symbolic_weights_matches_at_random_values(activation, values, data):
    a, b = sp.symbols("a b")
    numbers = [data.draw(rationals(-8, 8, (4,)), label="weight") for _ in range(7)]
    q = [as_sympy(v) for v in numbers]
    W1 = sp.Matrix([[a, q[0]], [q[1], q[2]]])
    b1 = sp.Matrix([q[3], q[4]])
    W2 = sp.Matrix([[q[5], q[6]]])
    b2 = sp.Matrix([b])
    x_, y_ = sp.Matrix([1, sp.Rational(-1, 2)]), sp.Matrix([sp.Rational(1, 4)])
    at = {a: as_sympy(values[0]), b: as_sympy(values[1])}
    with case("neural", f"backprop[{activation}, symbolic a, b at {at}]") as c:
        result = c.call(
            "backprop",
            neural.backprop,
            [W1, W2],
            [b1, b2],
            x_,
            y_,
            NET_ACTIVATIONS[activation],
            neural.mse,
            verify=True,
        )
        numeric = [(sp.Matrix(dW).subs(at), sp.Matrix(db).subs(at)) for dW, db in result]
        weights = [W1.subs(at).tolist(), W2.tolist()]
        biases = [list(b1), list(b2.subs(at))]
        as_fraction = lambda v: Fraction(int(v.p), int(v.q))  # noqa: E731
        check_backprop(
            numeric,
            [[[as_fraction(v) for v in row] for row in W] for W in weights],
            [[as_fraction(v) for v in bias] for bias in biases],
            [Fraction(1), Fraction(-1, 2)],
            [Fraction(1, 4)],
            activation,
        )


# -- bad input, NumPy input and huge sizes ---------------------------------------------------------------------

x = sp.Symbol("x")
w = sp.Symbol("w")
W_OK = [sp.Matrix([[sp.Rational(1, 2), -1]])]
B_OK = [sp.Matrix([sp.Rational(1, 4)])]
X_OK, Y_OK = sp.Matrix([1, 2]), sp.Matrix([0])


class _Nameless:
    def __call__(self, t):
        return neural.sigmoid(2 * t)


BAD_CALLS = [
    ("one_hot", neural.one_hot, (0, 0)),
    ("one_hot", neural.one_hot, (1.5, 3)),
    ("one_hot", neural.one_hot, (None, 3)),
    ("softmax", neural.softmax, (sp.Matrix([[1, 2], [3, 4]]),)),
    ("softmax", neural.softmax, ([],)),
    ("softmax", neural.softmax, (None,)),
    ("cross_entropy", neural.cross_entropy, ([1, 0], [sp.Rational(1, 2)])),
    ("mse", neural.mse, ([1, 2, 3], [1, 2])),
    ("derivative", neural.derivative, (None, x)),
    ("derivative", neural.derivative, (lambda t: "t", x)),
    ("derivative", neural.derivative, (lambda t: 1 / 0, x)),
    ("derivative", neural.derivative, (lambda t: [t], x)),
    ("derivative", neural.derivative, (neural.sigmoid, [x])),
    ("vanishing_gradient", neural.vanishing_gradient, (neural.sigmoid, 0)),
    ("vanishing_gradient", neural.vanishing_gradient, (neural.sigmoid, -3)),
    ("vanishing_gradient", neural.vanishing_gradient, (neural.sigmoid, 2.5)),
    ("vanishing_gradient", neural.vanishing_gradient, (None, 3)),
    ("vanishing_gradient", neural.vanishing_gradient, (lambda t: t**2, 3)),
    ("softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, (0,)),
    ("softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, (2.5,)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], -1, [1], 3)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], sp.Rational(1, 4), [1, 2], 3)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], sp.Rational(1, 4), [1], -1)),
    ("gradient_descent", neural.gradient_descent, (w**2 + x, [w], sp.Rational(1, 4), [1], 3)),
    ("gradient_descent", neural.gradient_descent, (w**2, w, sp.Rational(1, 4), [1], 3)),
    ("backprop", neural.backprop, ([sp.Matrix([[1, 2, 3]])], B_OK, X_OK, Y_OK, neural.sigmoid, neural.mse)),
    ("backprop", neural.backprop, (W_OK, [sp.Matrix([1, 2])], X_OK, Y_OK, neural.sigmoid, neural.mse)),
    ("backprop", neural.backprop, (W_OK, B_OK, X_OK, sp.Matrix([0, 1]), neural.sigmoid, neural.mse)),
    ("backprop", neural.backprop, (W_OK, B_OK, X_OK, Y_OK, None, neural.mse)),
    ("backprop", neural.backprop, (W_OK, B_OK, X_OK, Y_OK, neural.sigmoid, None)),
    ("backprop", neural.backprop, (W_OK, B_OK, X_OK, Y_OK, neural.sigmoid, lambda a, b: "loss")),
    ("backprop", neural.backprop, ([], [], X_OK, Y_OK, neural.sigmoid, neural.mse)),
]


@pytest.mark.parametrize("target", BAD_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(BAD_CALLS)])
def test_bad_input_is_a_glossary_error(target):
    name, function, arguments = target
    with case("neural", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


STRING_CALLS = [
    ("sigmoid", neural.sigmoid, ("x",)),
    ("softmax", neural.softmax, (["1", 2],)),
    ("softmax", neural.softmax, ([["1"], ["2"]],)),
    ("cross_entropy", neural.cross_entropy, ([1, 0], ["0.5", "0.5"])),
    ("mse", neural.mse, ([1, 2], ["1", "2"])),
    ("one_hot", neural.one_hot, ("1", 3)),
    ("one_hot", neural.one_hot, (1, "3")),
    ("derivative", neural.derivative, (neural.sigmoid, "x")),
    ("vanishing_gradient", neural.vanishing_gradient, (neural.sigmoid, "3")),
    ("softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, ("3",)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], "0.1", [1], 2)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], sp.Rational(1, 10), ["1"], 2)),
    ("backprop", neural.backprop, ([[[1, "2"]]], [[0]], [1, 1], [0], neural.sigmoid, neural.mse)),
    ("backprop", neural.backprop, (W_OK, B_OK, ["1", "2"], Y_OK, neural.sigmoid, neural.mse)),
]


@pytest.mark.parametrize("target", STRING_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(STRING_CALLS)])
def test_strings_are_refused_without_being_parsed(target):
    name, function, arguments = target
    with case("neural", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


def test_numpy_integers_in_one_hot():
    with case("neural", "one_hot(np.int64(2), np.int64(5))") as c:
        result = c.call("one_hot", neural.one_hot, np.int64(2), np.int64(5))
        assert [int(v) for v in result] == list(np.eye(5, dtype=int)[2])


def test_numpy_integer_depth_in_vanishing_gradient():
    with case("neural", "vanishing_gradient(sigmoid, np.int64(3))") as c:
        maximum, bound = c.call(
            "vanishing_gradient", neural.vanishing_gradient, neural.sigmoid, np.int64(3), verify=True
        )
        assert_close(maximum, 0.25, 1e-12, "max σ'")
        assert_close(bound, 0.25**3, 1e-12, "bound")


def test_numpy_integer_in_softmax_cross_entropy_gradient():
    with case("neural", "softmax_cross_entropy_gradient(np.int64(2))") as c:
        result = c.call(
            "softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, np.int64(2), verify=True
        )
        assert result.shape == (2, 1), f"shape {result.shape}"


def test_numpy_start_and_steps_in_gradient_descent():
    with case("neural", "gradient_descent(w**2, [w], 1/4, np.array([1.0]), np.int64(3))") as c:
        result = c.call(
            "gradient_descent",
            neural.gradient_descent,
            w**2,
            [w],
            sp.Rational(1, 4),
            np.array([1.0]),
            np.int64(3),
            verify=True,
        )
        assert [float(p[0]) for p in result] == [1.0, 0.5, 0.25, 0.125], f"got {result}"


def test_callable_object_without_a_name_in_backprop():
    with case("neural", "backprop with an activation object that has no __name__") as c:
        result = c.call("backprop", neural.backprop, W_OK, B_OK, X_OK, Y_OK, _Nameless(), neural.mse, verify=True)
        z = 0.5 * 1 - 2 + 0.25
        s = 1 / (1 + np.exp(-2 * z))
        delta = 2 * s * 2 * s * (1 - s)
        assert_close(result[0][1][0], delta, 1e-12, "dL/db")
        assert_close(result[0][0][0, 1], delta * 2, 1e-12, "dL/dW[0, 1]")


HUGE = [
    ("one_hot", neural.one_hot, (0, 10**9)),
    ("vanishing_gradient", neural.vanishing_gradient, (neural.sigmoid, 10**9)),
    ("softmax_cross_entropy_gradient", neural.softmax_cross_entropy_gradient, (10**4,)),
    ("gradient_descent", neural.gradient_descent, (w**2, [w], sp.Rational(1, 4), [1], 10**7)),
]


@pytest.mark.parametrize("target", HUGE, ids=[name for name, _, _ in HUGE])
def test_huge_sizes_are_refused_or_stopped_within_budget(target):
    name, function, arguments = target
    with case("neural", f"{name}{arguments!r}", expect="either") as c:
        result = c.call(name, function, *arguments)
        if name == "one_hot":
            assert result.shape == (10**9, 1) and result[0] == 1 and result[1] == 0, "a wrong one-hot vector"
        elif name == "vanishing_gradient":
            maximum, bound = result
            assert maximum == sp.Rational(1, 4), f"max σ' is 1/4, got {maximum}"
            assert bound.is_number and not has_float(bound), f"the bound should be exact, got {type(bound).__name__}"
            # The logarithm is checked from the parts, never by evaluating 4**(10**9).
            if isinstance(bound, sp.Rational):  # 2·10⁹ + 1 bits
                assert bound.p == 1 and bound.q.bit_length() == 2 * 10**9 + 1 and bound.q & (bound.q - 1) == 0
            elif isinstance(bound, sp.exp):
                assert_close(bound.args[0], -(10**9) * mpmath.log(4), 1e-12, "log of the bound")
            else:
                assert isinstance(bound, sp.Pow), f"the bound should be max**depth, got {sp.srepr(bound)[:200]}"
                logarithm = to_mp(bound.exp) * mpmath.log(to_mp(bound.base))
                assert_close(logarithm, -(10**9) * mpmath.log(4), 1e-12, "log of the bound")
        elif name == "softmax_cross_entropy_gradient":
            assert result.shape == (10**4, 1)
        else:
            assert len(result) == 10**7 + 1


def test_verify_with_huge_points_stays_within_budget():
    with case("neural", "softmax_cross_entropy_gradient(2).verify(points=10**8)") as c:
        c.call(
            "softmax_cross_entropy_gradient",
            neural.softmax_cross_entropy_gradient,
            2,
            verify={"points": 10**8},
            verify_expect="either",
        )
