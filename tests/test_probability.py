"""Probability helpers against scipy.stats, scipy.optimize, simulation and exact fractions.

The property tests draw families: sympy.stats distributions with random valid
parameters (against scipy.stats), invalid parameters (a GlossaryError naming the
value), exponential-family likelihoods on random data (against scipy.optimize on
scipy.stats log-likelihoods) and Bayes tables (against enumeration with
fractions.Fraction). Every helper call runs under a time budget of 2 s of machine
time (GLOSSARY_PROBABILITY_BUDGET): on a shared machine whose load average exceeds
its cores, the wall-clock limit grows with the load per core, so that other
people's work does not fail the suite. Calls are tallied (calls, passes, clean
errors, the slowest call and the load when it ran) and written as JSON to the file
named by GLOSSARY_PROBABILITY_REPORT when that is set.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import sympy.stats as stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as ss
from timing import budget as call_budget

import glossary
from glossary import limits, probability

n = sp.Symbol("n", integer=True, positive=True)
p = sp.Symbol("p")
mu = sp.Symbol("mu")
sigma = sp.Symbol("sigma", positive=True)
x = sp.Symbol("x")


def budget() -> float:
    """The wall-clock seconds a call may take now (``GLOSSARY_PROBABILITY_BUDGET``, 2 s by default)."""
    return call_budget("GLOSSARY_PROBABILITY_BUDGET")


# -- a tally of every helper call the suite makes ------------------------------------------------

TALLY: dict[str, dict] = {}


class Call:
    """Run one helper call under the time budget and count it: passed, clean error or failure."""

    def __init__(self, helper: str, what: str) -> None:
        self.helper = helper
        self.what = what
        self.row = TALLY.setdefault(
            helper, {"calls": 0, "passed": 0, "clean_errors": 0, "slowest": 0.0, "slowest_call": "", "load": 0.0}
        )

    def __enter__(self) -> Call:
        self.started = time.perf_counter()
        self.row["calls"] += 1
        self.seconds = budget()
        self.context = limits.using(limits.Limits(seconds=self.seconds))
        self.context.__enter__()
        return self

    def __exit__(self, kind, error, trace) -> bool:
        self.context.__exit__(None, None, None)
        seconds = time.perf_counter() - self.started
        if seconds > self.row["slowest"]:
            self.row["slowest"], self.row["slowest_call"] = seconds, self.what
            self.row["load"] = os.getloadavg()[0]
        if error is None:
            self.row["passed"] += 1
        elif isinstance(error, glossary.DerivationTimeout):
            pytest.fail(f"{self.what} exceeded its budget of {self.seconds:.3g} s")
        elif isinstance(error, glossary.GlossaryError):
            self.row["clean_errors"] += 1
        return False

    def expect_clean_error(self, call, match: str | None = None) -> glossary.GlossaryError:
        """Run ``call`` and require a GlossaryError (counted as a clean error)."""
        with pytest.raises(glossary.GlossaryError, match=match) as caught:
            call()
        if isinstance(caught.value, glossary.DerivationTimeout):
            pytest.fail(f"{self.what} exceeded its budget")
        return caught.value


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    yield
    target = os.environ.get("GLOSSARY_PROBABILITY_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(TALLY, out, indent=2, ensure_ascii=False)


def timed(helper: str, what: str, function, *args):
    """A helper call counted in the tally; returns the derivation."""
    with Call(helper, what):
        return function(*args)


def refused(helper: str, what: str, function, *args, match: str | None = None) -> glossary.GlossaryError:
    """A helper call that must end in a GlossaryError, counted as a clean error."""
    call = Call(helper, what)
    call.row["calls"] += 1
    started = time.perf_counter()
    with limits.using(limits.Limits(seconds=budget())):
        error = call.expect_clean_error(lambda: function(*args), match)
    seconds = time.perf_counter() - started
    call.row["clean_errors"] += 1
    if seconds > call.row["slowest"]:
        call.row["slowest"], call.row["slowest_call"] = seconds, what
        call.row["load"] = os.getloadavg()[0]
    return error


# -- moments: random valid parameters against scipy.stats ------------------------------------------

fractions_01 = st.fractions(Fraction(1, 50), Fraction(49, 50), max_denominator=100)
positive = st.fractions(Fraction(1, 5), Fraction(8), max_denominator=20)
real = st.fractions(Fraction(-5), Fraction(5), max_denominator=20)


def R(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


@st.composite
def valid_distribution(draw):
    """(name, sympy.stats variable, scipy.stats frozen distribution) with random valid parameters."""
    family = draw(
        st.sampled_from(
            [
                "Bernoulli",
                "Binomial",
                "Hypergeometric",
                "DiscreteUniform",
                "Poisson",
                "Geometric",
                "NegativeBinomial",
                "Normal",
                "Exponential",
                "Uniform",
                "Gamma",
                "Beta",
                "Laplace",
                "Logistic",
                "StudentT",
                "ChiSquared",
            ]
        )
    )
    if family == "Bernoulli":
        q = draw(fractions_01)
        return family, stats.Bernoulli("X", R(q)), ss.bernoulli(float(q))
    if family == "Binomial":
        trials, q = draw(st.integers(1, 30)), draw(fractions_01)
        return family, stats.Binomial("X", trials, R(q)), ss.binom(trials, float(q))
    if family == "Hypergeometric":
        size = draw(st.integers(1, 25))
        successes, drawn = draw(st.integers(0, size)), draw(st.integers(0, size))
        # From scipy's pmf: its closed-form moments are nan for some degenerate tables.
        support = np.arange(0, drawn + 1)
        weights = ss.hypergeom(size, successes, drawn).pmf(support)
        mean = float(support @ weights)
        reference = (mean, float(((support - mean) ** 2) @ weights))
        return family, stats.Hypergeometric("X", size, successes, drawn), reference
    if family == "DiscreteUniform":
        values = draw(st.lists(st.integers(-20, 20), min_size=1, max_size=8, unique=True))
        items = np.array(values, dtype=float)
        return family, stats.DiscreteUniform("X", values), (items.mean(), items.var())
    if family == "Poisson":
        rate = draw(positive)
        return family, stats.Poisson("X", R(rate)), ss.poisson(float(rate))
    if family == "Geometric":
        q = draw(fractions_01)
        return family, stats.Geometric("X", R(q)), ss.geom(float(q))
    if family == "NegativeBinomial":
        r, q = draw(positive), draw(fractions_01)
        return family, stats.NegativeBinomial("X", R(r), R(q)), ss.nbinom(float(r), float(q))
    if family == "Normal":
        m, s = draw(real), draw(positive)
        return family, stats.Normal("X", R(m), R(s)), ss.norm(float(m), float(s))
    if family == "Exponential":
        rate = draw(positive)
        return family, stats.Exponential("X", R(rate)), ss.expon(scale=1 / float(rate))
    if family == "Uniform":
        a, width = draw(real), draw(positive)
        return family, stats.Uniform("X", R(a), R(a + width)), ss.uniform(float(a), float(width))
    if family == "Gamma":
        k, theta = draw(positive), draw(positive)
        return family, stats.Gamma("X", R(k), R(theta)), ss.gamma(float(k), scale=float(theta))
    if family == "Beta":
        a, b = draw(positive), draw(positive)
        return family, stats.Beta("X", R(a), R(b)), ss.beta(float(a), float(b))
    if family == "Laplace":
        m, b = draw(real), draw(positive)
        return family, stats.Laplace("X", R(m), R(b)), ss.laplace(float(m), float(b))
    if family == "Logistic":
        m, s = draw(real), draw(positive)
        return family, stats.Logistic("X", R(m), R(s)), ss.logistic(float(m), float(s))
    if family == "StudentT":
        nu = draw(st.fractions(Fraction(21, 10), Fraction(30), max_denominator=10))
        return family, stats.StudentT("X", R(nu)), ss.t(float(nu))
    degrees = draw(st.integers(1, 30))
    return family, stats.ChiSquared("X", degrees), ss.chi2(degrees)


def scipy_moments(reference) -> tuple[float, float]:
    if isinstance(reference, tuple):
        return reference
    mean, variance = reference.stats(moments="mv")
    return float(mean), float(variance)


def close(claimed, expected: float, scale: float) -> bool:
    return abs(complex(sp.N(claimed, 30)) - expected) <= 1e-9 * max(abs(expected), scale, 1e-300)


@settings(max_examples=40)
@given(valid_distribution())
def test_moments_of_random_valid_distributions_match_scipy(case):
    family, X, reference = case
    expected_mean, expected_variance = scipy_moments(reference)
    with Call("probability.moments", f"moments({family}{X.pspace.distribution.args})"):
        mean, variance = probability.moments(X).result
        spread = math.sqrt(max(expected_variance, 0.0))
        assert close(mean, expected_mean, spread), (mean, expected_mean)
        assert close(variance, expected_variance, expected_variance), (variance, expected_variance)


@st.composite
def invalid_distribution(draw):
    """A distribution whose parameter breaks its rule, built through a symbol so that
    sympy.stats' own constructor check is bypassed (as `.subs` does)."""
    s = sp.Symbol("s")
    family = draw(
        st.sampled_from(
            [
                "Bernoulli",
                "Binomial",
                "Geometric",
                "Poisson",
                "Normal",
                "Exponential",
                "Uniform",
                "Gamma",
                "Beta",
                "Laplace",
                "Hypergeometric",
            ]
        )
    )
    above_one = st.fractions(Fraction(101, 100), Fraction(5), max_denominator=100)
    not_positive = st.fractions(Fraction(-5), Fraction(0), max_denominator=20)
    if family == "Bernoulli":
        bad = draw(st.one_of(above_one, st.fractions(Fraction(-3), Fraction(-1, 100), max_denominator=100)))
        return family, stats.Bernoulli("X", s).subs(s, R(bad)), "p"
    if family == "Binomial":
        bad = draw(above_one)
        return family, stats.Binomial("X", 5, s).subs(s, R(bad)), "p"
    if family == "Geometric":
        bad = draw(st.one_of(above_one, not_positive))
        return family, stats.Geometric("X", s).subs(s, R(bad)), "p"
    if family == "Poisson":
        return family, stats.Poisson("X", s).subs(s, R(draw(not_positive))), "λ"
    if family == "Normal":
        return family, stats.Normal("X", 0, s).subs(s, R(draw(not_positive))), "std"
    if family == "Exponential":
        return family, stats.Exponential("X", s).subs(s, R(draw(not_positive))), "rate"
    if family == "Uniform":
        a = draw(real)
        return family, stats.Uniform("X", R(a), s).subs(s, R(a - draw(st.fractions(0, 5, max_denominator=20)))), "right"
    if family == "Gamma":
        return family, stats.Gamma("X", s, 2).subs(s, R(draw(not_positive))), "k"
    if family == "Beta":
        return family, stats.Beta("X", 2, s).subs(s, R(draw(not_positive))), "β"
    if family == "Laplace":
        return family, stats.Laplace("X", 0, s).subs(s, R(draw(not_positive))), "b"
    size = draw(st.integers(1, 10))
    return family, stats.Hypergeometric("X", size, s, 1).subs(s, size + draw(st.integers(1, 5))), "m"


@settings(max_examples=30)
@given(invalid_distribution())
def test_invalid_parameters_are_refused_with_the_value_named(case):
    family, X, parameter = case
    error = refused("probability.moments", f"moments({family}{X.pspace.distribution.args})", probability.moments, X)
    assert f"{parameter} = " in str(error) and family in str(error)


# -- moments: the specific cases the issue names ---------------------------------------------------


def test_bernoulli_with_p_three_halves_is_refused():
    X = stats.Bernoulli("X", p).subs(p, sp.Rational(3, 2))
    refused(
        "probability.moments",
        "moments(Bernoulli(3/2))",
        probability.moments,
        X,
        match=r"p = 3/2 must be a probability in \[0, 1\]",
    )


def test_hypergeometric_moments_are_exact():
    d = timed(
        "probability.moments",
        "moments(Hypergeometric(10, 5, 3))",
        probability.moments,
        stats.Hypergeometric("X", 10, 5, 3),
    )
    assert d.result == (sp.Rational(3, 2), sp.Rational(7, 12))
    assert d.verify(points=10).passed
    refused(
        "probability.moments",
        "moments(Hypergeometric(N, m, n))",
        probability.moments,
        stats.Hypergeometric("X", *sp.symbols("N m k", integer=True, positive=True)),
        match="whole numbers",
    )


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        (stats.Cauchy("X", 0, 1), "no mean and no variance"),
        (stats.StudentT("X", 1), r"has no mean .*ν > 1"),
        (stats.StudentT("X", 2), r"no finite variance.*ν > 2"),
        (stats.StudentT("X", sp.Rational(3, 2)), r"no finite variance"),
    ],
    ids=["cauchy", "student-t-1", "student-t-2", "student-t-3/2"],
)
def test_heavy_tails_say_which_moment_does_not_exist(variable, message):
    refused(
        "probability.moments", f"moments({variable.pspace.distribution})", probability.moments, variable, match=message
    )


def test_student_t_moments_where_they_exist():
    assert probability.moments(stats.StudentT("X", 5)).result == (0, sp.Rational(5, 3))
    nu = sp.Symbol("nu", positive=True)
    d = probability.moments(stats.StudentT("X", nu))
    assert d.result == (0, nu / (nu - 2))
    assert "exist only when" in d.steps[-1].en and d.steps[-1].value == sp.Gt(nu, 2)
    assert d.verify(points=10).passed


def test_binomial_with_symbolic_n_is_closed_form():
    mean, variance = probability.moments(stats.Binomial("X", n, p)).result
    assert mean == n * p and variance == n * p * (1 - p)
    for trials, chance in [(7, 0.3), (20, 0.55)]:
        expected_mean, expected_variance = ss.binom.stats(trials, chance, moments="mv")
        assert float(mean.subs({n: trials, p: chance})) == pytest.approx(expected_mean)
        assert float(variance.subs({n: trials, p: chance})) == pytest.approx(expected_variance)


@pytest.mark.parametrize(
    "variable",
    [
        stats.Uniform("X", sp.Symbol("a"), sp.Symbol("b")),
        stats.NegativeBinomial("X", sp.Symbol("r", positive=True), sp.Symbol("q")),
        stats.Poisson("X", sp.Symbol("l", positive=True)),
        stats.Exponential("X", sp.Symbol("r", positive=True)),
        stats.Binomial("X", 6, p),
        stats.Beta("X", sp.Symbol("a", positive=True), sp.Symbol("b", positive=True)),
        stats.LogNormal("X", mu, sigma),
    ],
    ids=["uniform", "negative-binomial", "poisson", "exponential", "binomial-6", "beta", "log-normal"],
)
def test_moments_verify_with_valid_parameters(variable):
    d = timed("probability.moments", f"moments({variable.pspace.distribution})", probability.moments, variable)
    report = d.verify(points=25)
    assert report.passed and report.points > 0


def test_uniform_moments_and_its_ordering_rule():
    a, b = sp.symbols("a b")
    mean, variance = probability.moments(stats.Uniform("X", a, b)).result
    assert sp.simplify(mean - (a + b) / 2) == 0 and sp.simplify(variance - (b - a) ** 2 / 12) == 0
    X = stats.Uniform("X", 3, b).subs(b, 1)
    refused(
        "probability.moments",
        "moments(Uniform(3, 1))",
        probability.moments,
        X,
        match="right = 1 must be greater than left = 3",
    )


def test_negative_binomial_verifies_where_the_pmf_overflows():
    r = sp.Symbol("r", positive=True)
    d = probability.moments(stats.NegativeBinomial("X", r, sp.Rational(999, 1000)))
    assert d.result == (r / 999, 1000 * r / 998001)
    assert d.verify(points=10).passed


def test_normal_steps_show_total_probability_and_proper_latex():
    d = probability.moments(stats.Normal("X", mu, sigma))
    totals = [s for s in d.steps if s.en == "the total probability is 1"]
    assert totals and totals[0].value == 1 and "True" not in totals[0].latex
    latex = " ".join(s.latex for s in d.steps) + " ".join(s.en + s.ko for s in d.steps)
    assert r"\mathbb{E}[X^{2}]" in latex and "X^{2]" not in latex
    assert [(part.key, part.latex_name, part.text_name) for part in d.parts] == [
        ("mean", r"\mathbb{E}[X]", "E[X]"),
        ("variance", r"\operatorname{Var}[X]", "Var[X]"),
    ]
    assert d.part("variance").value == sigma**2


def test_bernoulli_table_steps_keep_the_sums_as_written():
    d = probability.moments(stats.Bernoulli("X", p))
    latex = [s.latex for s in d.steps]
    assert not any("True" in item for item in latex)
    assert r"\left(1 - p\right) + p = 1" in latex
    assert r"\mathbb{E}[X] = 0 \cdot \left(1 - p\right) + 1 \cdot p" in latex
    assert d.result == (p, p * (1 - p))


# -- maximum likelihood ------------------------------------------------------------------------------


def evaluate_estimator(expression, data):
    """Evaluate an estimator with Sum over x[i] on a concrete sample by SymPy's own doit."""
    base = sp.IndexedBase("x")
    concrete = expression.subs(n, len(data)).doit()
    values = {base[k + 1]: sp.Float(v, 30) for k, v in enumerate(data)}
    return float(concrete.subs(values).evalf(30))


lam = sp.Symbol("lambda", positive=True)
theta = sp.Symbol("theta", positive=True)
N = sp.Symbol("N", integer=True, positive=True)
k = sp.Symbol("k", positive=True)

FAMILIES = {
    # name: (density, params, data strategy, scipy log-likelihood of (theta, data, known))
    "bernoulli": (p**x * (1 - p) ** (1 - x), [p]),
    "poisson": (lam**x * sp.exp(-lam) / sp.factorial(x), [lam]),
    "binomial": (sp.binomial(N, x) * p**x * (1 - p) ** (N - x), [p]),
    "geometric": (p * (1 - p) ** x, [p]),
    "exponential": (lam * sp.exp(-lam * x), [lam]),
    "gamma": (x ** (k - 1) * sp.exp(-x / theta) / (sp.gamma(k) * theta**k), [theta]),
    "normal-mean": (sp.exp(-((x - mu) ** 2) / 2) / sp.sqrt(2 * sp.pi), [mu]),
    "normal": (sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2), [mu, sigma]),
}
_DERIVED: dict[str, dict] = {}


def estimators_of(family: str) -> dict:
    if family not in _DERIVED:
        density, params = FAMILIES[family]
        _DERIVED[family] = timed("probability.mle", f"mle({family})", probability.mle, density, x, params).result
    return _DERIVED[family]


def negative_log_likelihood(family: str, values, data, known):
    if family == "bernoulli":
        return -ss.bernoulli.logpmf(data, values[0]).sum()
    if family == "poisson":
        return -ss.poisson.logpmf(data, values[0]).sum()
    if family == "binomial":
        return -ss.binom.logpmf(data, known, values[0]).sum()
    if family == "geometric":
        return -ss.geom.logpmf(data + 1, values[0]).sum()
    if family == "exponential":
        return -ss.expon.logpdf(data, scale=1 / values[0]).sum()
    if family == "gamma":
        return -ss.gamma.logpdf(data, known, scale=values[0]).sum()
    if family == "normal-mean":
        return -ss.norm.logpdf(data, values[0], 1).sum()
    return -ss.norm.logpdf(data, values[0], values[1]).sum()


@st.composite
def likelihood_case(draw):
    family = draw(st.sampled_from(sorted(FAMILIES)))
    size = draw(st.integers(5, 30))
    known = None
    if family == "bernoulli":
        data = draw(st.lists(st.integers(0, 1), min_size=size, max_size=size).filter(lambda d: 0 < sum(d) < len(d)))
    elif family in ("poisson", "geometric"):
        data = draw(st.lists(st.integers(0, 12), min_size=size, max_size=size).filter(lambda d: sum(d) > 0))
    elif family == "binomial":
        known = draw(st.integers(1, 15))
        data = draw(
            st.lists(st.integers(0, known), min_size=size, max_size=size).filter(lambda d: 0 < sum(d) < known * len(d))
        )
    elif family in ("exponential", "gamma"):
        data = draw(st.lists(st.floats(0.05, 20), min_size=size, max_size=size))
        known = float(draw(positive)) if family == "gamma" else None
    else:
        values = st.floats(-10, 10).map(lambda v: round(v, 6))
        data = draw(st.lists(values, min_size=size, max_size=size).filter(lambda d: np.std(d) > 0.05))
    return family, np.array(data, dtype=float), known


@settings(max_examples=40)
@given(likelihood_case())
def test_exponential_family_mles_match_scipy_optimize(case):
    family, data, known = case
    estimators = estimators_of(family)
    row = TALLY["probability.mle"]
    row["data_checks"] = row.get("data_checks", 0) + 1
    _, params = FAMILIES[family]
    constants = {N: known, k: sp.Rational(known).limit_denominator(10**6)} if known is not None else {}
    claimed = [evaluate_estimator(estimators[q].subs(constants), data) for q in params]
    if len(params) == 1:
        if family in ("bernoulli", "binomial", "geometric"):
            bounds = (1e-9, 1 - 1e-9)
        elif family == "normal-mean":
            bounds = (-20, 20)
        else:
            bounds = (1e-9, 1e4)
        found = optimize.minimize_scalar(
            lambda t: negative_log_likelihood(family, [t], data, known),
            bounds=bounds,
            method="bounded",
            options={"xatol": 1e-12},
        ).x
        assert claimed[0] == pytest.approx(found, rel=1e-6, abs=1e-8)
    else:
        # scipy's own maximum-likelihood fit, polished by optimising its log-likelihood.
        location, scale = ss.norm.fit(data)
        found = optimize.minimize(
            lambda t: negative_log_likelihood(family, [t[0], abs(t[1])], data, known),
            [location, scale],
            method="Nelder-Mead",
            options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000},
        ).x
        assert claimed[0] == pytest.approx(found[0], rel=1e-6, abs=1e-7 * (1 + scale))
        assert claimed[1] == pytest.approx(abs(found[1]), rel=1e-6)


@pytest.mark.parametrize(
    ("density", "params", "expected"),
    [
        (lam**x * sp.exp(-lam) / sp.factorial(x), [lam], {lam: "mean"}),
        (sp.binomial(10, x) * p**x * (1 - p) ** (10 - x), [p], {p: "mean/10"}),
        (p * (1 - p) ** x, [p], {p: "1/(1+mean)"}),
        (lam * sp.exp(-lam * x), [lam], {lam: "1/mean"}),
        (x**2 * sp.exp(-x / theta) / (2 * theta**3), [theta], {theta: "mean/3"}),
    ],
    ids=["poisson", "binomial-10", "geometric", "exponential", "gamma-shape-3"],
)
def test_factorial_and_known_constant_densities(density, params, expected):
    d = timed("probability.mle", f"mle({density})", probability.mle, density, x, params)
    data = [1.0, 4.0, 2.0, 0.0, 3.0, 5.0]
    mean = float(np.mean(data))
    formula = {"mean": mean, "mean/10": mean / 10, "1/(1+mean)": 1 / (1 + mean), "1/mean": 1 / mean, "mean/3": mean / 3}
    for q, form in expected.items():
        assert evaluate_estimator(d.result[q], data) == pytest.approx(formula[form])
    assert d.verify(points=200).passed


@pytest.mark.parametrize(
    ("density", "params", "message"),
    [
        (sp.Piecewise((1 / theta, (x >= 0) & (x <= theta)), (0, True)), [theta], r"θ ≥ xᵢ.*θ̂ = max\(xᵢ\)"),
        (1 / theta, [theta], r"does not depend on the observation .*max xᵢ"),
        (sp.exp(-sp.Abs(x - mu)) / 2, [mu], r"median"),
        (sp.exp(-sp.Abs(x - mu) / sigma) / (2 * sigma), [mu, sigma], r"median.*left out of params"),
        (p**x, [mu], "does not appear"),
        (p, [p], "does not depend"),
        (sp.exp(-sp.sin(p * x)), [p], "separate"),
    ],
    ids=[
        "uniform-boundary",
        "uniform-without-support",
        "laplace-median",
        "laplace-both",
        "missing",
        "no-x",
        "inseparable",
    ],
)
def test_mle_says_why_it_cannot(density, params, message):
    refused("probability.mle", f"mle({density}, {params})", probability.mle, density, x, params, match=message)


def test_uniform_from_sympy_stats_gets_the_boundary_message():
    density = stats.density(stats.Uniform("U", 0, theta))(x)
    refused("probability.mle", "mle(Uniform(0, θ) density)", probability.mle, density, x, [theta], match="max")


def test_plain_symbols_inside_abs_are_read_as_real():
    m, b = sp.symbols("m b")
    d = timed(
        "probability.mle",
        "mle(Laplace scale, plain symbols)",
        probability.mle,
        sp.exp(-sp.Abs(x - m) / b) / (2 * b),
        x,
        [b],
    )
    data = [0.5, -1.0, 2.0, 3.5]
    estimate = evaluate_estimator(d.result[b].subs(m, sp.Rational(1, 2)), data)
    assert estimate == pytest.approx(np.mean(np.abs(np.array(data) - 0.5)))
    assert d.verify(points=100).passed


def test_bernoulli_mle_is_the_sample_mean_with_named_parts_and_steps():
    d = probability.mle(p**x * (1 - p) ** (1 - x), x, [p])
    i = sp.Symbol("i", integer=True, positive=True)
    assert d.result == {p: sp.Sum(sp.IndexedBase("x")[i], (i, 1, n)) / n}
    part = d.part("p_hat")
    assert (part.latex_name, part.text_name) == (r"\hat{p}", "p̂")
    captions = [s.en for s in d.steps]
    assert any("likelihood of independent observations" in c for c in captions)
    assert any("log-likelihood" in c and "same maximiser" in c for c in captions)
    assert any(r"\frac{d\ell}{dp} = 0" in c for c in captions)
    assert any(r"$\hat{p} = \bar{x}$: the estimator is the sample mean" in c for c in captions)
    assert "풀면 최대우도추정량" in [s.ko for s in d.steps]


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=3, max_size=8).filter(lambda d: np.std(d) > 0.01))
@settings(max_examples=10)
def test_normal_mle_is_the_sample_mean_and_population_variance(data):
    variance_symbol = sp.Symbol("v", positive=True)
    density = sp.exp(-((x - mu) ** 2) / (2 * variance_symbol)) / sp.sqrt(2 * sp.pi * variance_symbol)
    d = probability.mle(density, x, [mu, variance_symbol])
    estimators = d.result
    assert set(estimators) == {mu, variance_symbol}
    assert evaluate_estimator(estimators[mu], data) == pytest.approx(np.mean(data))
    assert evaluate_estimator(estimators[variance_symbol], data) == pytest.approx(np.var(data), rel=1e-9, abs=1e-9)
    assert [(q.key, q.latex_name, q.text_name) for q in d.parts] == [
        ("mu_hat", r"\hat{\mu}", "μ̂"),
        ("v_hat", r"\hat{\sigma}^{2}", "σ̂²"),
    ]
    bias = [s for s in d.steps if "biased" in s.en]
    assert bias and bias[0].value == variance_symbol * (n - 1) / n


def test_sigma_mle_is_the_root_of_the_variance_estimate_and_says_it_is_biased():
    density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    d = probability.mle(density, x, [mu, sigma])
    data = [1.0, 2.5, -0.5, 4.0]
    assert evaluate_estimator(d.result[sigma], data) == pytest.approx(np.std(data))
    assert d.part("sigma_hat").latex_name == r"\hat{\sigma}"
    assert any(r"\frac{n-1}{n}\sigma^{2}" in s.en for s in d.steps)
    assert any(r"\frac{\partial \ell}{\partial \sigma} = 0" in s.en for s in d.steps)
    assert any("연립방정식을 풀면" in s.ko for s in d.steps)
    assert d.verify(points=200).passed


# -- Bayes ---------------------------------------------------------------------------------------


@st.composite
def bayes_tables(draw):
    size = draw(st.integers(2, 4))
    weights = draw(
        st.lists(st.fractions(Fraction(1, 100), Fraction(99, 100), max_denominator=100), min_size=size, max_size=size)
    )
    total = sum(weights)
    names = draw(
        st.lists(
            st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=6
            ).filter(lambda t: t.strip()),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    prior = {h: w / total for h, w in zip(names, weights, strict=True)}
    outcomes = ["head", "tail"]
    tables = {}
    for h in names:
        head = draw(st.fractions(Fraction(1, 50), Fraction(49, 50), max_denominator=50))
        tables[h] = {"head": head, "tail": 1 - head}
    observations = draw(st.lists(st.sampled_from(outcomes), min_size=1, max_size=4))
    return prior, tables, observations


def exact(table: dict) -> dict:
    return {h: sp.Rational(v.numerator, v.denominator) for h, v in table.items()}


@settings(max_examples=40)
@given(bayes_tables())
def test_bayes_matches_exact_fractions_and_keeps_names_safe(case):
    prior, tables, observations = case
    likelihood = {h: tables[h][observations[0]] for h in prior}
    call = Call("probability.bayes", f"bayes({len(prior)} hypotheses)")
    try:
        with call:
            d = probability.bayes(exact(prior), exact(likelihood))
    except glossary.GlossaryError as error:
        # Names that collapse to the same part key are refused with both names.
        assert "rename one" in str(error)
        return
    joint = {h: prior[h] * likelihood[h] for h in prior}
    evidence = sum(joint.values())
    for h in prior:
        assert Fraction(str(d.result[h])) == joint[h] / evidence
    assert Fraction(str(d.part("evidence").value)) == evidence
    for part in d.parts:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part.key) and len(part.key) <= 60
    for part in d.parts[1:]:
        assert part.latex_name.startswith(r"P(\text{") and "$" not in part.latex_name


@settings(max_examples=25)
@given(bayes_tables())
def test_bayes_update_matches_sequential_fractions(case):
    prior, tables, observations = case
    call = Call("probability.bayes_update", f"bayes_update({len(prior)} hypotheses, {len(observations)} observations)")
    try:
        with call:
            d = probability.bayes_update(exact(prior), {h: exact(t) for h, t in tables.items()}, observations)
    except glossary.GlossaryError as error:
        assert "rename one" in str(error)
        return
    current = dict(prior)
    for number, outcome in enumerate(observations, 1):
        joint = {h: current[h] * tables[h][outcome] for h in current}
        total = sum(joint.values())
        current = {h: w / total for h, w in joint.items()}
        for h in prior:
            assert Fraction(str(d.result[number - 1][h])) == current[h]
    keys = {part.key for part in d.parts}
    assert len(keys) == len(d.parts) == (len(observations) + 1) * len(prior)


def test_bayes_parts_steps_and_escaped_names():
    prior = {"sick": sp.Rational(1, 100), "not sick_{x} & 50%": sp.Rational(99, 100)}
    likelihood = {"sick": sp.Rational(9, 10), "not sick_{x} & 50%": sp.Rational(1, 10)}
    d = timed("probability.bayes", "bayes(escaped names)", probability.bayes, prior, likelihood)
    assert [part.key for part in d.parts] == ["evidence", "posterior_sick", "posterior_not_sick_x_50"]
    assert d.part("posterior_sick").value == sp.Rational(1, 12)
    assert d.part("evidence").value == sp.Rational(27, 250)
    assert r"\text{not sick\_\{x\} \& 50\%}" in d.parts[2].latex_name
    captions = " ".join(s.en for s in d.steps)
    assert "partition" in captions and "law of total probability" in captions
    assert not any("True" in s.latex for s in d.steps)
    assert d.verify().passed
    text = str(d)
    assert "P(sick | E) = 1/12 ≈ 0.08333" in text
    assert r"P(\text{sick} \mid E) = \frac{1}{12} \approx 0.08333" in d._repr_markdown_()


def test_hypotheses_that_share_a_part_name_are_refused():
    refused(
        "probability.bayes",
        "bayes(colliding names)",
        probability.bayes,
        {"a b": sp.Rational(1, 2), "a-b": sp.Rational(1, 2)},
        {"a b": sp.Rational(1, 2), "a-b": sp.Rational(1, 3)},
        match="would share the part name 'a_b'",
    )


def test_sequential_updates_equal_one_batch_update_and_say_why():
    half = sp.Rational(1, 2)
    tables = {"fair": {"H": half, "T": half}, "biased": {"H": sp.Rational(9, 10), "T": sp.Rational(1, 10)}}
    d = probability.bayes_update({"fair": half, "biased": half}, tables, ["H", "H", "T"])
    batch = probability.bayes(
        {"fair": half, "biased": half},
        {h: tables[h]["H"] * tables[h]["H"] * tables[h]["T"] for h in tables},
    ).result
    assert d.result[-1] == batch
    assert [d.part(f"posterior_{k}_biased").value for k in (1, 2, 3)] == [
        sp.Rational(9, 14),
        sp.Rational(81, 106),
        sp.Rational(81, 206),
    ]
    assert d.part("final_fair").value == sp.Rational(125, 206)
    assert any("conditionally independent" in s.en for s in d.steps)
    assert any("조건부 독립" in s.ko for s in d.steps)
    assert d.verify().passed


# -- the sample mean and the variance estimator -------------------------------------------------


@settings(max_examples=20)
@given(valid_distribution(), st.integers(1, 40))
def test_sample_mean_matches_scipy_moments(case, size):
    family, X, reference = case
    expected_mean, expected_variance = scipy_moments(reference)
    with Call("probability.sample_mean", f"sample_mean({family}{X.pspace.distribution.args}, {size})"):
        mean, variance = probability.sample_mean(X, size).result
        spread = math.sqrt(max(expected_variance, 0.0))
        assert close(mean, expected_mean, spread)
        assert close(variance, expected_variance / size, expected_variance / size)


@settings(max_examples=20)
@given(valid_distribution(), st.integers(1, 40))
def test_variance_estimator_bias_matches_scipy_moments(case, size):
    family, X, reference = case
    _, expected_variance = scipy_moments(reference)
    with Call("probability.variance_estimator_bias", f"variance_estimator_bias({family}, {size})"):
        expected, bias = probability.variance_estimator_bias(X, size).result
        scale = max(expected_variance, 1e-300)
        assert close(expected, (size - 1) * expected_variance / size, scale)
        assert close(bias, -expected_variance / size, scale)


def test_sample_mean_symbolic_and_verified():
    d = timed(
        "probability.sample_mean",
        "sample_mean(Normal(μ, σ), n)",
        probability.sample_mean,
        stats.Normal("X", mu, sigma),
        n,
    )
    assert d.result == (mu, sigma**2 / n)
    assert [(q.key, q.latex_name) for q in d.parts] == [
        ("mean", r"\mathbb{E}[\bar{X}]"),
        ("variance", r"\operatorname{Var}[\bar{X}]"),
    ]
    report = d.verify(points=300)
    assert report.passed and "simulation" in report.method
    plain = sp.Symbol("n")
    assert probability.sample_mean(stats.Bernoulli("X", p), plain).result == (p, p * (1 - p) / plain)


def test_sample_mean_of_a_die_is_checked_by_exact_enumeration():
    d = timed("probability.sample_mean", "sample_mean(Die(6), 3)", probability.sample_mean, stats.Die("X", 6), 3)
    assert d.result == (sp.Rational(7, 2), sp.Rational(35, 36))
    report = d.verify()
    assert report.passed and report.max_error == 0 and "enumeration" in report.method


def test_variance_estimator_bias_symbolic_and_verified():
    d = timed(
        "probability.variance_estimator_bias",
        "variance_estimator_bias(Normal(μ, σ), n)",
        probability.variance_estimator_bias,
        stats.Normal("X", mu, sigma),
        n,
    )
    assert d.result == (sigma**2 * (n - 1) / n, -(sigma**2) / n)
    assert [q.key for q in d.parts] == ["expected_estimate", "bias"]
    assert d.verify(points=300).passed
    exact_check = probability.variance_estimator_bias(stats.Bernoulli("X", sp.Rational(1, 3)), 3)
    assert exact_check.result == (sp.Rational(4, 27), -sp.Rational(2, 27))
    report = exact_check.verify()
    assert report.passed and report.max_error == 0


def test_sample_sizes_are_checked():
    refused(
        "probability.sample_mean",
        "sample_mean(n = 0)",
        probability.sample_mean,
        stats.Normal("X", 0, 1),
        0,
        match="n must be",
    )
    negative = sp.Symbol("m", negative=True)
    refused(
        "probability.variance_estimator_bias",
        "variance_estimator_bias(n negative)",
        probability.variance_estimator_bias,
        stats.Normal("X", 0, 1),
        negative,
        match="positive whole number",
    )


# -- inputs, Korean captions and verify() outcomes -----------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: probability.moments(sp.Symbol("X")), "random variable"),
        (lambda: probability.bayes({"a": 0.5}, {"b": 0.5}), "same hypotheses"),
        (lambda: probability.bayes({"a": sp.Rational(1, 3), "b": sp.Rational(1, 3)}, {"a": 1, "b": 1}), "partition"),
        (lambda: probability.bayes({"a": 2, "b": -1}, {"a": 1, "b": 1}), "not a probability"),
        (lambda: probability.bayes({"a": 1}, {"a": 0}), "probability 0"),
        (lambda: probability.bayes_update({"a": 1}, {"a": {"H": 1}}, ["T"]), "no probability for the outcome"),
    ],
    ids=["not-random", "keys", "prior-sum", "range", "zero-evidence", "unknown-outcome"],
)
def test_bad_input_raises_a_glossary_error(call, message):
    with pytest.raises(glossary.GlossaryError, match=message):
        call()


_SPACED_PARTICLE = re.compile(
    r"(\$|\)|[0-9A-Za-z]) (은|는|이|가|을|를|와|과|로|으로|의|에|에서|이다|이고)(?=[\s,.:)]|$)"
)


def test_korean_captions_attach_particles():
    half = sp.Rational(1, 2)
    derivations = [
        probability.moments(stats.Binomial("X", n, p)),
        probability.moments(stats.Normal("X", mu, sigma)),
        probability.mle(sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2), x, [mu, sigma]),
        probability.bayes_update({"a": half, "b": half}, {"a": {"H": half}, "b": {"H": sp.Rational(1, 5)}}, ["H", "H"]),
        probability.variance_estimator_bias(stats.Normal("X", mu, sigma), n),
    ]
    for d in derivations:
        for step in d.steps:
            assert not _SPACED_PARTICLE.search(step.ko), step.ko
            assert "1번째" not in step.ko and "mu" not in step.ko.replace(r"\mu", "")
            assert step.ko.count("$") % 2 == 0 and step.en.count("$") % 2 == 0


def test_verify_raises_nothing_but_glossary_errors():
    for d in (
        probability.moments(stats.Uniform("X", sp.Symbol("a"), sp.Symbol("b"))),
        probability.moments(stats.Gamma("X", sp.Symbol("k"), sp.Symbol("t"))),
        probability.mle(sp.binomial(N, x) * p**x * (1 - p) ** (N - x), x, [p]),
    ):
        for points, seed in ((1, 0), (7, 3)):
            try:
                d.verify(points=points, seed=seed)
            except glossary.GlossaryError:
                pass
