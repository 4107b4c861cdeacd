"""Probability helpers against scipy.stats, numpy statistics and exact fractions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from sympy.stats import Bernoulli, Binomial, Exponential, Normal, Poisson

import glossary
from glossary import probability

n = sp.Symbol("n", integer=True, positive=True)
p = sp.Symbol("p")
mu = sp.Symbol("mu")
sigma = sp.Symbol("sigma", positive=True)
x = sp.Symbol("x")


def test_binomial_with_symbolic_n_is_closed_form():
    mean, variance = probability.moments(Binomial("X", n, p)).result
    assert not mean.has(sp.Sum) and not variance.has(sp.Sum)
    for trials, chance in [(7, 0.3), (20, 0.55)]:
        expected_mean, expected_variance = scipy_stats.binom.stats(trials, chance, moments="mv")
        assert float(mean.subs({n: trials, p: chance})) == pytest.approx(expected_mean)
        assert float(variance.subs({n: trials, p: chance})) == pytest.approx(expected_variance)


@given(st.floats(0.01, 0.99), st.floats(-3, 3), st.floats(0.2, 4))
def test_moments_match_scipy(chance, location, scale):
    mean, variance = probability.moments(Bernoulli("B", p)).result
    assert float(mean.subs(p, chance)) == pytest.approx(scipy_stats.bernoulli.mean(chance))
    assert float(variance.subs(p, chance)) == pytest.approx(scipy_stats.bernoulli.var(chance))
    mean, variance = probability.moments(Normal("X", mu, sigma)).result
    assert float(mean.subs(mu, location)) == pytest.approx(location)
    assert float(variance.subs(sigma, scale)) == pytest.approx(scipy_stats.norm.var(scale=scale))


@pytest.mark.parametrize(
    "variable",
    [Poisson("P", sp.Symbol("l", positive=True)), Exponential("E", sp.Symbol("r", positive=True)), Binomial("B", 6, p)],
    ids=["poisson", "exponential", "binomial-6"],
)
def test_moments_verify_by_direct_summation(variable):
    report = probability.moments(variable).verify(points=10)
    assert report.passed and report.points > 0


def test_normal_total_probability_step_is_one():
    d = probability.moments(Normal("X", mu, sigma))
    totals = [s for s in d.steps if s.en == "the total probability is 1"]
    assert totals and totals[0].value == 1


def evaluate_estimator(expression, data):
    """Evaluate an estimator with Sum over x[i] on a concrete sample by SymPy's own doit."""
    base = sp.IndexedBase("x")
    i = sp.Symbol("i", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    concrete = expression.subs(sp.Symbol("n", integer=True, positive=True), len(data)).doit()
    values = {base[k + 1]: sp.Float(v, 30) for k, v in enumerate(data)}
    return float(concrete.subs(values).evalf(30)) if not concrete.has(i, j) else None


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=3, max_size=8).filter(lambda d: np.std(d) > 0.01))
def test_normal_mle_is_the_sample_mean_and_population_variance(data):
    variance_symbol = sp.Symbol("v", positive=True)
    density = sp.exp(-((x - mu) ** 2) / (2 * variance_symbol)) / sp.sqrt(2 * sp.pi * variance_symbol)
    estimators = probability.mle(density, x, [mu, variance_symbol]).result
    assert set(estimators) == {mu, variance_symbol}
    assert evaluate_estimator(estimators[mu], data) == pytest.approx(np.mean(data))
    assert evaluate_estimator(estimators[variance_symbol], data) == pytest.approx(np.var(data), rel=1e-9, abs=1e-9)


def test_bernoulli_mle_is_the_sample_mean():
    (estimator,) = probability.mle(p**x * (1 - p) ** (1 - x), x, [p]).result.values()
    assert (
        estimator
        == sp.Sum(
            sp.IndexedBase("x")[sp.Symbol("i", integer=True, positive=True)],
            (sp.Symbol("i", integer=True, positive=True), 1, n),
        )
        / n
    )


def test_sigma_mle_is_the_root_of_the_variance_estimate():
    density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    estimators = probability.mle(density, x, [mu, sigma]).result
    data = [1.0, 2.5, -0.5, 4.0]
    assert evaluate_estimator(estimators[sigma], data) == pytest.approx(np.std(data))
    assert probability.mle(density, x, [mu, sigma]).verify(points=200).passed


@given(st.lists(st.fractions(Fraction(1, 100), Fraction(99, 100)), min_size=2, max_size=4), st.data())
def test_bayes_matches_exact_fractions(weights, data):
    total = sum(weights)
    prior = {
        f"H{k}": sp.Rational(w.numerator, w.denominator) / sp.Rational(total.numerator, total.denominator)
        for k, w in enumerate(weights)
    }
    chances = data.draw(st.lists(st.fractions(Fraction(1, 50), 1), min_size=len(weights), max_size=len(weights)))
    likelihood = {f"H{k}": sp.Rational(c.numerator, c.denominator) for k, c in enumerate(chances)}
    posterior = probability.bayes(prior, likelihood).result
    joint = {h: Fraction(str(prior[h])) * Fraction(str(likelihood[h])) for h in prior}
    evidence = sum(joint.values())
    for h in prior:
        assert Fraction(str(posterior[h])) == joint[h] / evidence


def test_sequential_updates_equal_one_batch_update():
    half = sp.Rational(1, 2)
    tables = {"fair": {"H": half, "T": half}, "biased": {"H": sp.Rational(4, 5), "T": sp.Rational(1, 5)}}
    d = probability.bayes_update({"fair": half, "biased": half}, tables, ["H", "T", "H"])
    batch = probability.bayes(
        {"fair": half, "biased": half},
        {h: tables[h]["H"] * tables[h]["T"] * tables[h]["H"] for h in tables},
    ).result
    assert d.result[-1] == batch
    assert d.verify().passed


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: probability.moments(sp.Symbol("X")), "random variable"),
        (lambda: probability.mle(p**x, x, [mu]), "does not appear"),
        (lambda: probability.mle(p, x, [p]), "does not depend"),
        (lambda: probability.mle(sp.exp(-sp.sin(p * x)), x, [p]), "separate"),
        (lambda: probability.bayes({"a": 0.5}, {"b": 0.5}), "same hypotheses"),
        (lambda: probability.bayes({"a": sp.Rational(1, 3), "b": sp.Rational(1, 3)}, {"a": 1, "b": 1}), "add up"),
        (lambda: probability.bayes({"a": 2, "b": -1}, {"a": 1, "b": 1}), "not a probability"),
        (lambda: probability.bayes({"a": 1}, {"a": 0}), "probability 0"),
    ],
    ids=["not-random", "missing-param", "no-x", "inseparable", "keys", "prior-sum", "range", "zero-evidence"],
)
def test_bad_input_raises_a_glossary_error(call, message):
    with pytest.raises(glossary.GlossaryError, match=message):
        call()
