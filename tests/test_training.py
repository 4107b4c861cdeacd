"""Training helpers against independent computations written here: fractions, NumPy, enumeration."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import glossary
from glossary import neural

w, v, b, x, y, p = sp.symbols("w v b x y p")
R = sp.Rational

# Calls, passes, clean errors and the slowest call per helper, for the closing summary.
STATS: dict[str, dict[str, float]] = {}


def record(helper: str, outcome: str, seconds: float) -> None:
    row = STATS.setdefault(helper, {"calls": 0, "passed": 0, "clean_errors": 0, "slowest": 0.0})
    row["calls"] += 1
    row[outcome] += 1
    row["slowest"] = max(row["slowest"], seconds)


def timed(helper: str, call):
    """Run a helper call and its verify(); a GlossaryError counts as a clean error and is returned."""
    start = time.perf_counter()
    try:
        d = call()
        report = d.verify(points=50)
    except glossary.GlossaryError as error:
        record(helper, "clean_errors", time.perf_counter() - start)
        return error
    elapsed = time.perf_counter() - start
    assert report.passed
    assert elapsed < 10, f"{helper} took {elapsed:.1f} s"
    record(helper, "passed", elapsed)
    return d


# -- gradient descent -----------------------------------------------------------------------------


def test_gradient_descent_page_example_with_named_parts():
    d = neural.gradient_descent(w**2 + 4 * v**2, [w, v], R(1, 10), [-3, R(3, 2)], 15)
    assert d.result[1] == (R(-12, 5), R(3, 10))
    assert d.part("theta_0").value == sp.Matrix([-3, R(3, 2)])
    assert d.part("theta_15").value == d.part("final").value == sp.Matrix(d.result[-1])
    assert d.part("final").latex_name == r"\theta_{15}"
    assert d.part("final_value").value == d.result[-1][0] ** 2 + 4 * d.result[-1][1] ** 2
    assert {"theta_1", "theta_2", "theta_3"} <= {p.key for p in d.parts}
    # θ₁₅ is kept under two keys for prose to quote, and shown once.
    assert str(d).count("θ₁₅ =") == 1 and d._repr_latex_().count(r"\theta_{15} &=") == 1
    # The update rule is written out, never an equation that evaluated itself to False.
    assert all("False" not in s.latex and "True" not in s.latex for s in d.steps)
    rule = d.steps[2]
    assert rule.latex == r"\theta_{k+1} = \theta_{k} - \eta \nabla f(\theta_{k})"
    assert "학습률" in rule.ko and "극솟값" in rule.ko and "정류점" in rule.ko and "최솟값에" not in rule.ko
    assert "local minimum" in rule.en and "stationary point" in rule.en
    # Korean ordinals: "n번 갱신한 뒤", never "1번째".
    assert any(s.ko == "1번 갱신한 뒤" for s in d.steps)
    assert not any("번째" in s.ko for s in d.steps)
    assert d.verify().passed


def test_gradient_descent_with_eight_exact_steps_no_longer_explodes():
    # Exact iterates of a quartic grow their digits geometrically; the run switches to decimals.
    start = time.perf_counter()
    d = neural.gradient_descent(w**4 - w**2 + w**3 / 3, [w], R(1, 3), [R(3, 2)], 8)
    text = str(d)
    assert time.perf_counter() - start < 5
    assert len(d.result) == 9 and len(text) < 10_000
    switch = next(s for s in d.steps if "decimals of 15 significant digits" in s.en)
    assert "유효숫자 15자리 소수" in switch.ko
    assert any(v.has(sp.Float) for it in d.result for v in it)
    assert all(v.is_Rational for v in d.result[1])
    assert d.verify().passed


def test_diverging_run_is_exact_and_verifies():
    d = neural.gradient_descent(w**2, [w], R(11, 10), [1], 10)
    assert d.result[-1] == (R(-6, 5) ** 10,)
    assert d.part("theta_10").value == R(-6, 5) ** 10
    assert d.verify().passed  # a diverging run used to be a false alarm


def test_a_long_diverging_run_in_decimals_does_not_overflow():
    d = neural.gradient_descent(w**4 - 3 * w**2, [w], R(2, 5), [R(1, 3)], 200)
    assert len(d.result) == 201 and d.verify().passed


def test_gradient_descent_verify_uses_the_gradient_not_the_claim():
    d = neural.gradient_descent.__wrapped__((w - 3) ** 2, [w], R(1, 10), [0], 6)
    d.result[4] = (d.result[4][0] + R(1, 10**6),)  # the verifier reads these very iterates
    with pytest.raises(glossary.VerificationError):
        d.verifier(10, 0)


def test_symbolic_learning_rate_stays_exact_or_is_refused_with_the_range():
    eta = sp.Symbol("eta", positive=True)
    d = neural.gradient_descent(w**2, [w], eta, [1], 5)
    assert d.result[-1] == (sp.expand((1 - 2 * eta) ** 5),)
    assert d.verify().passed
    with pytest.raises(glossary.GlossaryError, match=r"use at most \d+ steps"):
        neural.gradient_descent(w**4, [w], eta, [1], 6)


@given(
    st.lists(st.integers(-3, 3), min_size=2, max_size=4),
    st.fractions(min_value=Fraction(1, 20), max_value=Fraction(1, 2), max_denominator=20),
    st.fractions(min_value=-2, max_value=2, max_denominator=4),
    st.integers(0, 12),
)
def test_gradient_descent_matches_an_iteration_in_fractions(coefficients, rate, start, steps):
    # f(w) = Σ cᵢ wⁱ⁺¹ …: its derivative by hand, iterated in Python fractions.
    f = sum(c * w ** (i + 1) for i, c in enumerate(coefficients))
    slope = [Fraction(c * (i + 1)) for i, c in enumerate(coefficients)]

    def derivative(at):
        return sum(s * at**i for i, s in enumerate(slope))

    result = timed(
        "gradient_descent", lambda: neural.gradient_descent(f, [w], sp.Rational(rate), [sp.Rational(start)], steps)
    )
    if isinstance(result, Exception):
        raise result
    current = Fraction(start)
    for iterate in result.result:
        value = iterate[0]
        if value.is_Rational:
            assert Fraction(int(value.p), int(value.q)) == current
        else:  # decimals after the exact fractions grew past 100 digits
            assert float(value) == pytest.approx(float(current), rel=1e-9, abs=1e-12)
            break
        current = current - rate * derivative(current)


# -- batches --------------------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=12),
    st.integers(-3, 3),
    st.integers(-3, 3),
)
def test_batch_gradient_is_the_mean_of_numpy_per_sample_gradients(rows, at_w, at_b):
    result = timed("batch_gradient", lambda: neural.batch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows))
    data = np.array(rows, dtype=float)
    residual = at_w * data[:, 0] + at_b - data[:, 1]
    expected = np.array([np.mean(2 * residual * data[:, 0]), np.mean(2 * residual)])
    got = np.array([float(e.subs({w: at_w, b: at_b})) for e in result.result])
    assert np.allclose(got, expected)
    assert result.part("gradient_w").value == result.result[0]
    assert "샘플" in result.steps[0].ko and "예제" not in " ".join(s.ko for s in result.steps)


def brute_force(gradients, size):
    means = np.array([gradients[list(c)].mean(axis=0) for c in itertools.combinations(range(len(gradients)), size)])
    return means.mean(axis=0), means.var(axis=0)


@given(
    st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=1, max_size=9),
    st.integers(1, 9),
)
def test_minibatch_mean_and_variance_match_enumeration_in_numpy(rows, size):
    size = min(size, len(rows))
    result = timed(
        "minibatch_gradient",
        lambda: neural.minibatch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows, size, [R(1, 2), -1]),
    )
    data = np.array(rows, dtype=float)
    residual = 0.5 * data[:, 0] - 1 - data[:, 1]
    gradients = np.stack([2 * residual * data[:, 0], 2 * residual], axis=1)
    mean, variance = brute_force(gradients, size)
    assert np.allclose([float(e) for e in result.result[0]], mean)
    assert np.allclose([float(e) for e in result.result[1]], variance)
    # The variance is s²/B · (N − B)/N with s² over N − 1, and it shrinks as B grows.
    N = len(rows)
    if N > 1:
        s2 = gradients.var(axis=0, ddof=1)
        assert np.allclose([float(e) for e in result.result[1]], s2 / size * (N - size) / N)


def test_minibatch_page_numbers_and_the_unbiased_caption():
    rows = [[1, 2], [2, 3], [3, 5], [4, 4], [5, 7], [6, 8]]
    two = neural.minibatch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows, 2, [0, 0])
    four = neural.minibatch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows, 4, [0, 0])
    assert two.part("mean").value == sp.Matrix([R(-122, 3), R(-29, 3)])
    assert two.part("variance_w").value == R(18832, 45) and four.part("variance_w").value == R(4708, 45)
    assert any("unbiased" in s.en for s in two.steps) and any("불편" in s.ko for s in two.steps)
    assert any("without replacement" in s.en for s in two.steps)


def test_minibatches_too_many_to_list_use_the_formula_and_say_so():
    rows = [[i, (3 * i) % 7] for i in range(40)]
    start = time.perf_counter()
    d = neural.minibatch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows, 10, [0, 0])
    assert time.perf_counter() - start < 5
    assert "too many to list" in d.steps[1].en
    assert d.verify(points=100).passed
    with pytest.raises(glossary.GlossaryError, match="batch_size"):
        neural.minibatch_gradient((w * x + b - y) ** 2, [w, b], [x, y], rows, 41, [0, 0])


# -- regularisation and dropout --------------------------------------------------------------------


def test_l1_only_pulls_towards_zero_and_says_so():
    real = sp.Symbol("w", real=True)  # |w| is differentiated for a real w
    d = neural.regularized_update((real - 1) ** 2, [real], R(1, 10), 0, R(1, 2))
    plain = real - R(1, 2) * 2 * (real - 1)
    pull = sp.expand(d.part("update").value - plain)
    assert pull == -sp.sign(real) / 20  # against the sign of w, towards zero
    captions = " ".join(s.en for s in d.steps)
    assert "against its sign, towards zero" in captions and "weight decay" not in captions
    assert "do not make a weight exactly zero" in captions and "proximal" in captions
    ko = " ".join(s.ko for s in d.steps)
    assert "0 쪽으로" in ko and "정확히 0이 되지 않는다" in ko
    assert d.verify().passed


def test_l2_is_weight_decay_for_plain_gradient_descent_only():
    d = neural.regularized_update((w - 1) ** 2, [w], 0, R(1, 10), R(1, 2))
    assert d.part("update").value == 1 - w / 20
    step = d.steps[3]
    assert "weight decay" in step.en and "AdamW" in step.en and "plain gradient descent" in step.en
    assert "가중치 감쇠" in step.ko and "AdamW" in step.ko
    assert r"(1 - \eta\lambda_2)\theta = \frac{19 w}{20}" in step.latex


@given(
    st.integers(-3, 3),
    st.integers(-3, 3),
    st.fractions(min_value=0, max_value=1, max_denominator=10),
    st.fractions(min_value=0, max_value=1, max_denominator=10),
    st.fractions(min_value=Fraction(1, 10), max_value=1, max_denominator=10),
)
def test_regularized_update_matches_numpy_finite_differences(c1, c2, l1, l2, lr):
    loss = (w - c1) ** 2 + (v - c2) ** 4 / 4
    result = timed(
        "regularized_update",
        lambda: neural.regularized_update(loss, [w, v], sp.Rational(l1), sp.Rational(l2), sp.Rational(lr)),
    )

    def penalised(a, c):
        return (a - c1) ** 2 + (c - c2) ** 4 / 4 + float(l1) * (abs(a) + abs(c)) + float(l2) / 2 * (a * a + c * c)

    rng = np.random.default_rng(abs(c1) + 7 * abs(c2))
    for a, c in rng.uniform(-3, 3, size=(5, 2)):
        h = 1e-6
        expected = np.array(
            [
                (penalised(a + h, c) - penalised(a - h, c)) / (2 * h),
                (penalised(a, c + h) - penalised(a, c - h)) / (2 * h),
            ]
        )
        got = np.array([float(e.subs({w: a, v: c})) for e in result.result[0]])
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-6)
        moved = np.array([float(e.subs({w: a, v: c})) for e in result.result[1]])
        assert np.allclose(moved, np.array([a, c]) - float(lr) * expected, rtol=1e-5, atol=1e-6)


@given(st.fractions(min_value=0, max_value=Fraction(19, 20), max_denominator=40))
def test_dropout_mask_mean_and_variance(drop):
    result = timed("dropout", lambda: neural.dropout(sp.Rational(drop)))
    mean, variance = result.result
    assert mean == 1 and variance == sp.Rational(drop) / (1 - sp.Rational(drop))
    rng = np.random.default_rng(0)
    masks = (rng.random(400_000) >= float(drop)) / (1 - float(drop))
    assert masks.mean() == pytest.approx(1, abs=0.02)
    assert masks.var() == pytest.approx(float(variance), rel=0.05, abs=0.005)


def test_dropout_says_p_is_the_drop_probability_and_it_is_off_at_inference():
    d = neural.dropout(p)
    assert d.part("variance").value == p / (1 - p) and str(d.part("variance").value) == "p/(1 - p)"
    assert "drop probability" in d.steps[0].en and "드롭 확률" in d.steps[0].ko
    assert "switched off" in d.steps[3].en and "끄기만 하면" in d.steps[3].ko
    for bad in (1, R(3, 2), -R(1, 10)):
        with pytest.raises(glossary.GlossaryError, match=r"\[0, 1\)"):
            neural.dropout(bad)


# -- overfitting ----------------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.integers(-6, 6), st.integers(-9, 9)), min_size=3, max_size=10, unique_by=lambda r: r[0]),
    st.lists(st.tuples(st.integers(-6, 6), st.integers(-9, 9)), min_size=1, max_size=6),
    st.integers(0, 5),
)
def test_polynomial_fit_matches_numpy_and_training_error_never_rises(train, validation, degree):
    degree = min(degree, len(train) - 1)
    result = timed("polynomial_fit", lambda: neural.polynomial_fit(train, validation, degree))
    tx, ty = np.array(train, dtype=float).T
    vx, vy = np.array(validation, dtype=float).T
    previous = None
    for d, train_error, validation_error in result.result:
        fitted = np.polynomial.Polynomial.fit(tx, ty, d)
        scale = 1 + np.mean(ty**2)
        assert float(train_error) == pytest.approx(np.mean((fitted(tx) - ty) ** 2), abs=1e-8 * scale)
        assert float(validation_error) == pytest.approx(np.mean((fitted(vx) - vy) ** 2), rel=1e-6, abs=1e-8 * scale)
        assert previous is None or train_error <= previous
        previous = train_error
    keys = {part.key for part in result.parts}
    assert {"best_degree", f"train_error_{degree}", f"validation_error_{degree}"} <= keys


def test_polynomial_fit_page_data_and_limits():
    train = [[0, 12], [1, 5], [2, 6], [3, 5], [4, 2], [5, 7], [6, 10], [7, 21]]
    noise = [2, -2, -2, 0, -2, 2, 2]
    validation = [[R(k, 2), (R(k, 2) - 3) ** 2 + 3 + e] for k, e in zip(range(1, 14, 2), noise, strict=True)]
    d = neural.polynomial_fit(train, validation, 7)
    assert d.part("best_degree").value == 2
    assert d.part("train_error_7").value == 0 and d.part("validation_error_2").value == R(12575, 4032)
    assert "never rises" in d.steps[1].en and "학습 오차" in d.steps[1].ko and "훈련" not in d.steps[1].ko
    with pytest.raises(glossary.GlossaryError, match="from 0 to 12"):
        neural.polynomial_fit(train, validation, 13)
    with pytest.raises(glossary.GlossaryError, match="distinct"):
        neural.polynomial_fit([[1, 1], [1, 2]], validation, 1)


def test_decimal_data_are_read_as_the_fractions_they_spell():
    d = neural.polynomial_fit([[0, 0.1], [1, 0.2]], [[2, 0.3]], 1)
    assert d.result[1] == (1, 0, 0)


def test_training_property_summary(capsys):
    """Not a check: prints the property run's counts per helper for the closing note when run with -s."""
    with capsys.disabled():
        for helper, row in sorted(STATS.items()):
            print(f"\n{helper}: {row}")
