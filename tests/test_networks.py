"""Backpropagation and stacked linear layers against NumPy forward passes written here.

The oracle is this file's own NumPy forward pass, differentiated by central
differences in every weight and bias; it shares no code with the library.
"""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import glossary
from glossary import neural

NUMPY_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
}


def numpy_loss(weights, biases, x, y, name):
    a = x
    for W, b in zip(weights, biases, strict=True):
        a = NUMPY_ACTIVATIONS[name](W @ a + b)
    return float(np.mean((y - a) ** 2))


def numpy_gradients(weights, biases, x, y, name, h=1e-6):
    """Central differences of the loss in every weight and bias, in the library's layout."""
    grads = []
    for layer in range(len(weights)):
        dW = np.zeros_like(weights[layer])
        db = np.zeros_like(biases[layer])
        for target, into in ((weights, dW), (biases, db)):
            for index in np.ndindex(into.shape):
                up = [m.copy() for m in target]
                down = [m.copy() for m in target]
                up[layer][index] += h
                down[layer][index] -= h
                if target is weights:
                    into[index] = (numpy_loss(up, biases, x, y, name) - numpy_loss(down, biases, x, y, name)) / (2 * h)
                else:
                    into[index] = (numpy_loss(weights, up, x, y, name) - numpy_loss(weights, down, x, y, name)) / (
                        2 * h
                    )
        grads.append((dW, db))
    return grads


def as_sympy(array, exact):
    return sp.Matrix(
        array.shape[0],
        array.shape[1],
        [sp.Rational(float(v)).limit_denominator(100) if exact else sp.Float(float(v)) for v in array.ravel()],
    )


def random_network(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.integers(-4, 5, size=(sizes[i + 1], sizes[i])) / 4 for i in range(len(sizes) - 1)]
    biases = [rng.integers(-2, 3, size=(sizes[i + 1], 1)) / 4 for i in range(len(sizes) - 1)]
    x = rng.integers(-3, 4, size=(sizes[0], 1)) / 2
    y = rng.integers(0, 2, size=(sizes[-1], 1)).astype(float)
    return weights, biases, x, y


def near_a_kink(weights, biases, x, name, margin=1e-4):
    """ReLU units whose input is within ``margin`` of 0, where central differences are not derivatives."""
    if name != "relu":
        return False
    a = x
    for W, b in zip(weights, biases, strict=True):
        z = W @ a + b
        if np.any(np.abs(z) < margin):
            return True
        a = np.where(z > 0, z, 0.0)
    return False


# Counters for the closing summary (printed by test_property_summary).
STATS = {"calls": 0, "passed": 0, "clean_errors": 0, "slowest": 0.0, "slowest_verify": 0.0}


@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=5),
    st.sampled_from(["sigmoid", "tanh", "relu"]),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_backprop_matches_numpy_finite_differences(sizes, name, exact, seed):
    weights, biases, x, y = random_network(sizes, seed)
    args = (
        [as_sympy(W, exact) for W in weights],
        [as_sympy(b, exact) for b in biases],
        as_sympy(x, exact),
        as_sympy(y, True),
        getattr(neural, name),
        neural.mse,
    )
    STATS["calls"] += 1
    start = time.perf_counter()
    # A network of numbers is never refused for its size: past what fits exactly it is computed in decimals.
    d = neural.backprop(*args)
    derived = time.perf_counter() - start
    start = time.perf_counter()
    report = d.verify(points=20)
    verified = time.perf_counter() - start
    STATS["slowest"] = max(STATS["slowest"], derived)
    STATS["slowest_verify"] = max(STATS["slowest_verify"], verified)
    assert report.passed
    assert verified < 10, f"verify took {verified:.1f} s"
    expected = numpy_gradients(weights, biases, x, y, name)
    if near_a_kink(weights, biases, x, name):
        STATS["passed"] += 1
        return  # checked by verify() alone, which knows the convention ReLU'(0) = 0
    for (dW, db), (eW, eb) in zip(d.result, expected, strict=True):
        assert dW.shape == eW.shape and db.shape == eb.shape
        got = np.array([[float(v) for v in row] for row in dW.tolist()])
        assert np.allclose(got, eW, rtol=1e-5, atol=1e-7)
        assert np.allclose(np.array([float(v) for v in db]).reshape(eb.shape), eb, rtol=1e-5, atol=1e-7)
    STATS["passed"] += 1


def test_property_summary(capsys):
    """Not a check: prints the property run's counts for the closing note when run with -s."""
    with capsys.disabled():
        print(f"\nbackprop property calls: {STATS}")


@pytest.mark.parametrize(
    ("sizes", "name"),
    [([2, 5, 5, 1], "relu"), ([10, 10, 10, 10, 10], "relu"), ([10, 10, 10, 10, 10], "tanh")],
    ids=["2-5-5-1-relu", "4-layers-10-units-relu", "4-layers-10-units-tanh-decimals"],
)
def test_backprop_verify_is_fast_for_networks_that_used_to_take_minutes(sizes, name):
    weights, biases, x, y = random_network(sizes, 3)
    exact = name == "relu"
    d = neural.backprop(
        [as_sympy(W, exact) for W in weights],
        [as_sympy(b, exact) for b in biases],
        as_sympy(x, exact),
        as_sympy(y, True),
        getattr(neural, name),
        neural.mse,
    )
    start = time.perf_counter()
    report = d.verify()
    elapsed = time.perf_counter() - start
    assert report.passed and report.points == sum(W.size + b.size for W, b in zip(weights, biases, strict=True))
    assert elapsed < 10, f"verify took {elapsed:.1f} s"
    if exact:
        assert all(e.is_Rational for dW, db in d.result for m in (dW, db) for e in m)


def two_neurons():
    w1, w2, b1, b2, x = sp.symbols("w1 w2 b1 b2 x")
    return (
        [sp.Matrix([[w1]]), sp.Matrix([[w2]])],
        [sp.Matrix([b1]), sp.Matrix([b2])],
        sp.Matrix([x]),
        sp.Matrix([1]),
        neural.sigmoid,
        neural.mse,
    ), (w1, w2, b1, b2, x)


def test_symbolic_backprop_equals_direct_differentiation_in_the_same_form():
    args, (w1, w2, b1, b2, x) = two_neurons()
    d = neural.backprop(*args)
    loss = neural.mse(sp.Matrix([1]), sp.Matrix([neural.sigmoid(w2 * neural.sigmoid(w1 * x + b1) + b2)]))
    point = {w1: 0.4, w2: -1.1, b1: 0.2, b2: 0.3, x: 1.5}
    assert float(d.part("dW_1").value.subs(point)) == pytest.approx(float(sp.diff(loss, w1).subs(point)))
    direct, claimed = d.steps[-2], d.steps[-1]
    assert claimed.equals_previous and direct.latex == claimed.latex  # both sides written the same way
    assert r"\frac{\partial L}{\partial W^{(1)}_{11}}" in direct.latex
    assert d.verify(points=20).passed


def test_steps_are_per_layer_and_never_one_giant_expression():
    args, _ = two_neurons()
    d = neural.backprop(*args)
    captions = [s.en for s in d.steps]
    # The general rules come first, in δ notation with the layer index on every symbol.
    general = [s.latex for s in d.steps[:6]]
    assert general[0] == r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}"
    assert r"\delta^{(L)} = \frac{\partial L}{\partial a^{(L)}} \odot g'\left(z^{(L)}\right)" == general[2]
    assert r"\left(W^{(l+1)}\right)^{\mathsf{T}} \delta^{(l+1)} \odot g'\left(z^{(l)}\right)" in general[3]
    assert general[4] == r"\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} \left(a^{(l-1)}\right)^{\mathsf{T}}"
    # The instance names each layer's values instead of substituting them: δ⁽¹⁾ is written with δ⁽²⁾.
    layer_one = next(s for s in d.steps if s.en.startswith("layer 1: the error signal"))
    assert r"\delta^{(2)}" in layer_one.latex and "e^{" not in layer_one.latex
    assert all("$" not in c or c.count("$") % 2 == 0 for c in captions)
    # Only the final comparison writes a whole-network expression.
    assert max(len(s.latex) for s in d.steps[:-2]) < 300


def page_network():
    R = sp.Rational
    return (
        [
            sp.Matrix([[R(1, 2), R(-1, 4)], [R(1, 4), R(1, 2)], [R(-1, 2), R(1, 4)]]),
            sp.Matrix([[R(1, 2), R(-1, 2), R(1, 4)], [R(1, 4), R(1, 4), R(-1, 2)]]),
        ],
        [sp.Matrix([0, R(1, 10), 0]), sp.Matrix([0, 0])],
        sp.Matrix([1, 2]),
        sp.Matrix([1, 0]),
        neural.tanh,
        neural.mse,
    )


def test_numeric_backprop_shows_decimals_and_keeps_the_result_exact():
    d = neural.backprop(*page_network())
    assert not any(e.has(sp.Float) for dW, db in d.result for m in (dW, db) for e in m)
    decimal_steps = [s for s in d.steps if s.en.endswith("in decimals")]
    assert decimal_steps and all(s.ko.endswith("(소수로 나타냄)") for s in decimal_steps)
    assert all(len(s.latex) < 400 for s in d.steps)
    keys = [p.key for p in d.parts]
    assert keys == ["dW_1", "db_1", "dW_2", "db_2", "delta_1", "delta_2"]
    assert d.part("dW_2").latex_name == r"\frac{\partial L}{\partial W^{(2)}}"
    assert d.part("delta_1").text_name == "δ⁽¹⁾"
    direct, claimed = d.steps[-2], d.steps[-1]
    assert direct.latex == claimed.latex and claimed.equals_previous
    first = float(d.part("dW_1").value[0, 0])
    assert f"{first:.4f}"[:6] in direct.latex


def test_backprop_derivation_pickles_and_prints():
    d = neural.backprop(*page_network())
    again = pickle.loads(pickle.dumps(d))
    assert again.parts == d.parts
    text = str(d)
    assert "∂L/∂W⁽¹⁾" in text and "δ⁽²⁾" in text and "False" not in text


def test_relu_at_a_kink_follows_the_convention_and_verifies():
    # z⁽¹⁾ = 0 exactly: ReLU'(0) = 0, so nothing flows back into the first layer.
    d = neural.backprop(
        [sp.Matrix([[1, -1]]), sp.Matrix([[2]])],
        [sp.Matrix([0]), sp.Matrix([1])],
        sp.Matrix([1, 1]),
        sp.Matrix([0]),
        neural.relu,
        neural.mse,
    )
    assert d.part("dW_1").value == sp.Matrix([[0, 0]]) and d.part("db_1").value == 0
    assert d.verify().passed


def test_softmax_cross_entropy_loss_and_a_callable_activation():
    d = neural.backprop(
        [sp.Matrix([[sp.Rational(1, 2), -1], [1, sp.Rational(1, 3)]])],
        [sp.Matrix([0, 0])],
        sp.Matrix([1, 2]),
        sp.Matrix([0, 1]),
        lambda e: e,
        neural.softmax_cross_entropy,
    )
    assert d.verify().passed
    assert "g = " not in d.steps[6].en  # an unnamed activation is just g


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: neural.backprop([sp.Matrix([[1]])] * 9, [sp.Matrix([0])] * 9, [1], [0], neural.relu, neural.mse), "8"),
        (
            lambda: neural.backprop([sp.ones(40, 40)], [sp.zeros(40, 1)], [1] * 40, [0] * 40, neural.relu, neural.mse),
            "1,000",
        ),
        (lambda: neural.backprop([sp.Matrix([[1]])], [sp.Matrix([0])], [1], [0, 1], neural.relu, neural.mse), "y has"),
        (lambda: neural.backprop([sp.Matrix([[1]])], [sp.Matrix([0])], [1], [0], neural.relu, "mse"), "callable"),
    ],
    ids=["too-deep", "too-many-weights", "target-size", "loss-string"],
)
def test_sizes_that_would_hang_are_refused_up_front(call, message):
    start = time.perf_counter()
    with pytest.raises(glossary.GlossaryError, match=message):
        call()
    assert time.perf_counter() - start < 5


def test_decimal_sigmoid_network_of_four_layers_is_fast():
    weights, biases, x, y = random_network([10, 10, 10, 10, 10], 5)
    start = time.perf_counter()
    d = neural.backprop(
        [as_sympy(W, False) for W in weights],
        [as_sympy(b, False) for b in biases],
        as_sympy(x, False),
        as_sympy(y, True),
        neural.sigmoid,
        neural.mse,
    )
    assert time.perf_counter() - start < 10
    expected = numpy_gradients(weights, biases, x, y, "sigmoid")
    got = np.array([[float(v) for v in row] for row in d.result[0][0].tolist()])
    assert np.allclose(got, expected[0][0], rtol=1e-5, atol=1e-8)


def test_linear_layers_collapse_with_named_parts():
    d = neural.linear_layers(
        [sp.Matrix([[1, 2], [0, 1]]), sp.Matrix([[3, 0]])],
        [sp.Matrix([1, 1]), sp.Matrix([2])],
        sp.Matrix(sp.symbols("a b")),
    )
    assert d.part("W").value == sp.Matrix([[3, 6]]) and d.part("b").value == sp.Matrix([5])
    assert "W = W^{(2)} W^{(1)}" in d.steps[2].en
    rng = np.random.default_rng(0)
    point = rng.normal(size=2)
    layered = np.array([[3, 0]]) @ (np.array([[1, 2], [0, 1]]) @ point + 1) + 2
    assert float((d.part("W").value * sp.Matrix(point) + d.part("b").value)[0]) == pytest.approx(layered[0])
    assert d.verify(points=20).passed


def test_an_exact_network_too_large_to_show_is_computed_in_decimals_and_says_so():
    d = neural.backprop([sp.ones(10, 10)] * 4, [sp.ones(10, 1)] * 4, [1] * 10, [0] * 10, neural.sigmoid, neural.mse)
    assert any("30-digit decimals" in step.en for step in d.steps)
    dW, _ = d.result[0]
    assert all(isinstance(entry, sp.Float) for entry in dW)
    assert d.verify(points=5).max_error <= 1e-6


def test_a_symbolic_network_too_large_to_show_is_refused_with_the_way_out():
    w = sp.symbols("w0:100")
    weights = [sp.Matrix(10, 10, w)] * 3
    with pytest.raises(glossary.GlossaryError, match="decimals"):
        neural.backprop(weights, [sp.zeros(10, 1)] * 3, [1] * 10, [0] * 10, neural.sigmoid, neural.mse)
