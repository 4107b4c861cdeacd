"""Neural-network helpers against NumPy forward passes and finite differences written here."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import glossary
from glossary import neural

x = sp.Symbol("x", real=True)


def numeric_slope(function, at, h=1e-6):
    return (function(at + h) - function(at - h)) / (2 * h)


@pytest.mark.parametrize(
    ("activation", "numpy_function"),
    [
        (neural.sigmoid, lambda t: 1 / (1 + np.exp(-t))),
        (neural.tanh, np.tanh),
        (neural.relu, lambda t: np.maximum(t, 0.0)),
    ],
    ids=["sigmoid", "tanh", "relu"],
)
def test_derivatives_match_numpy_slopes(activation, numpy_function):
    derivative = sp.lambdify(x, neural.derivative(activation, x).result, "numpy")
    for at in (-2.3, -0.4, 0.7, 3.1):
        assert float(derivative(at)) == pytest.approx(numeric_slope(numpy_function, at), rel=1e-6, abs=1e-9)


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    assert neural.derivative(neural.sigmoid, x).result == neural.sigmoid(x) * (1 - neural.sigmoid(x))


def test_pytorch_conventions_at_zero():
    assert neural.step(0) == 0
    assert neural.derivative(neural.relu, x).result.subs(x, 0) == 0
    assert neural.derivative(neural.step, x).result == 0


def test_softmax_cross_entropy_gradient_is_p_minus_y():
    d = neural.softmax_cross_entropy_gradient(3)
    z = sp.Matrix(sp.symbols("z_0:3", real=True))
    y = sp.Matrix(sp.symbols("y_0:3", real=True))
    assert d.result == neural.softmax(z) - y
    logits = np.array([0.3, -1.2, 2.0])
    target = np.array([0.0, 0.0, 1.0])
    loss = lambda zz: -np.sum(target * (zz - np.log(np.sum(np.exp(zz)))))  # noqa: E731
    values = {**dict(zip(z, logits, strict=True)), **dict(zip(y, target, strict=True))}
    for j in range(3):
        bump = np.eye(3)[j] * 1e-6
        expected = (loss(logits + bump) - loss(logits - bump)) / 2e-6
        assert float(d.result[j].subs(values)) == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_losses_match_numpy():
    y = sp.Matrix([1, 0, 3])
    yhat = sp.Matrix([sp.Rational(1, 2), 2, 3])
    assert (
        neural.mse(y, yhat)
        == sp.Rational(np.mean((np.array([1, 0, 3]) - np.array([0.5, 2, 3])) ** 2)).limit_denominator()
    )
    p = sp.Matrix([sp.Rational(1, 5), sp.Rational(3, 10), sp.Rational(1, 2)])
    assert float(neural.cross_entropy(neural.one_hot(2, 3), p)) == pytest.approx(-np.log(0.5))


@given(st.integers(1, 8).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, k - 1))))
def test_one_hot_has_a_single_one_at_the_index(case):
    k, index = case
    vector = neural.one_hot(index, k)
    assert vector.shape == (k, 1)
    assert list(vector) == [1 if i == index else 0 for i in range(k)]


def forward_numpy(weights, biases, inputs, function):
    activations = [inputs]
    for W, b in zip(weights, biases, strict=True):
        activations.append(function(W @ activations[-1] + b))
    return activations


@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 10_000))
def test_backprop_matches_finite_differences_on_random_layer_sizes(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.integers(-3, 4, size=(sizes[i + 1], sizes[i])) / 4 for i in range(len(sizes) - 1)]
    biases = [rng.integers(-2, 3, size=(sizes[i + 1], 1)) / 4 for i in range(len(sizes) - 1)]
    inputs = rng.integers(-2, 3, size=(sizes[0], 1)) / 2
    target = rng.integers(0, 2, size=(sizes[-1], 1)).astype(float)
    # Decimal weights: exact tanh networks of this size are refused (their exact results are too long to show).
    to_sympy = lambda a: sp.Matrix(a.shape[0], a.shape[1], [sp.Float(float(v), 30) for v in a.ravel()])  # noqa: E731
    grads = neural.backprop(
        [to_sympy(W) for W in weights],
        [to_sympy(b) for b in biases],
        to_sympy(inputs),
        to_sympy(target),
        neural.tanh,
        neural.mse,
    ).result
    loss = lambda ws, bs: float(np.mean((forward_numpy(ws, bs, inputs, np.tanh)[-1] - target) ** 2))  # noqa: E731
    for layer, (dW, db) in enumerate(grads):
        assert dW.shape == weights[layer].shape and db.shape == biases[layer].shape
        for i in range(dW.rows):
            for j in range(dW.cols):
                bumped = [w.copy() for w in weights]
                bumped[layer][i, j] += 1e-6
                lowered = [w.copy() for w in weights]
                lowered[layer][i, j] -= 1e-6
                expected = (loss(bumped, biases) - loss(lowered, biases)) / 2e-6
                assert float(dW[i, j]) == pytest.approx(expected, rel=1e-5, abs=1e-8)


def test_backprop_with_symbols_equals_direct_differentiation():
    w1, w2, b1, b2, inp = sp.symbols("w1 w2 b1 b2 x")
    d = neural.backprop(
        [sp.Matrix([[w1]]), sp.Matrix([[w2]])],
        [sp.Matrix([b1]), sp.Matrix([b2])],
        sp.Matrix([inp]),
        sp.Matrix([1]),
        neural.sigmoid,
        neural.mse,
    )
    loss = neural.mse(sp.Matrix([1]), sp.Matrix([neural.sigmoid(w2 * neural.sigmoid(w1 * inp + b1) + b2)]))
    point = {w1: 0.4, w2: -1.1, b1: 0.2, b2: 0.3, inp: 1.5}
    assert float(d.result[0][0][0].subs(point)) == pytest.approx(float(sp.diff(loss, w1).subs(point)))
    assert d.verify(points=20).passed


def test_gradient_descent_converges_and_diverges():
    w = sp.Symbol("w")
    converging = neural.gradient_descent((w - 3) ** 2, [w], sp.Rational(1, 10), [0], 60).result
    assert len(converging) == 61 and converging[0] == (0,)
    assert abs(float(converging[-1][0]) - 3) < 1e-4
    assert all(isinstance(v[0], sp.Rational) for v in converging)
    diverging = neural.gradient_descent((w - 3) ** 2, [w], sp.Rational(11, 10), [0], 30).result
    assert abs(float(diverging[-1][0]) - 3) > 100


def test_vanishing_gradient_bound_is_exact():
    maximum, bound = neural.vanishing_gradient(neural.sigmoid, 10).result
    assert maximum == sp.Rational(1, 4) and bound == sp.Rational(1, 4) ** 10
    grid = np.linspace(-10, 10, 200_001)
    sig = 1 / (1 + np.exp(-grid))
    assert float(maximum) == pytest.approx(np.max(sig * (1 - sig)), rel=1e-9)
    assert neural.vanishing_gradient(neural.tanh, 3).result == (1, 1)


def test_linear_layers_collapse():
    W, b = neural.linear_layers(
        [sp.Matrix([[1, 2], [0, 1]]), sp.Matrix([[3, 0]])],
        [sp.Matrix([1, 1]), sp.Matrix([2])],
        sp.Matrix(sp.symbols("a b")),
    ).result
    assert W == sp.Matrix([[3, 6]]) and b == sp.Matrix([5])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: neural.one_hot(3, 3), "outside 0..2"),
        (lambda: neural.one_hot(-1, 3), "non-negative"),
        (lambda: neural.one_hot(0, 0), "from 1 to"),
        (lambda: neural.derivative("sigmoid", x), "callable"),
        (lambda: neural.mse(sp.Matrix([1, 2]), sp.Matrix([1])), "same shape"),
        (lambda: neural.softmax_cross_entropy_gradient(0), "from 1 to"),
        (lambda: neural.gradient_descent(x**2, [x], -1, [0], 3), "positive"),
        (lambda: neural.gradient_descent(x**2, [x], 1, [0, 1], 3), "one value"),
        (
            lambda: neural.backprop(
                [sp.Matrix([[1, 2]])], [sp.Matrix([0])], sp.Matrix([1]), sp.Matrix([0]), neural.sigmoid, neural.mse
            ),
            "columns",
        ),
        (lambda: neural.vanishing_gradient(neural.sigmoid, 0), "from 1 to"),
    ],
    ids=[
        "index-high",
        "index-negative",
        "no-classes",
        "string-activation",
        "shapes",
        "k-zero",
        "negative-lr",
        "start-length",
        "layer-shapes",
        "depth-zero",
    ],
)
def test_bad_input_raises_a_glossary_error(call, message):
    with pytest.raises(glossary.GlossaryError, match=message):
        call()
