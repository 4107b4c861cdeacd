"""probability against scipy.stats, scipy.optimize and exact enumeration with fractions.Fraction.

Moments: sympy.stats distributions with random valid parameters (exact
rationals, or symbols later given random values) against scipy.stats' mean
and variance; invalid parameters must be refused. MLE: exponential-family
densities written as a user would, estimators evaluated on random data
against a numeric maximisation of scipy.stats' log-likelihood. Bayes:
posteriors against enumeration in exact rational arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.stats as ss
import sympy as sp
import sympy.stats as stats
from hypothesis import given
from hypothesis import strategies as st
from sympy.stats import crv_types, drv_types, frv_types

from glossary import probability

from .harness import budgeted, case
from .reference import assert_close, maximise, posterior
from .strategies import as_sympy, probability_tables, rationals

# -- moments of distributions with valid parameters -----------------------------------------------------


@dataclass
class Family:
    """A sympy.stats distribution with numeric parameters and the scipy.stats reference for it."""

    label: str
    build: Any  # () → RandomSymbol
    reference: Any  # () → (mean, variance) as floats


def _q(k: int, d: int) -> Fraction:
    return Fraction(k, d)


FAMILY_NAMES = [
    "Bernoulli",
    "Binomial",
    "Poisson",
    "Geometric",
    "NegativeBinomial",
    "Hypergeometric",
    "DiscreteUniform",
    "Normal",
    "Exponential",
    "Uniform",
    "Gamma",
    "Beta",
    "ChiSquared",
    "Laplace",
    "Logistic",
    "Rayleigh",
    "Erlang",
    "Weibull",
    "Pareto",
    "LogNormal",
    "StudentT",
]


@st.composite
def families(draw, name: str) -> Family:
    """The named distribution, with parameters drawn inside their valid range."""
    Q = as_sympy
    if name == "Bernoulli":
        p = _q(draw(st.integers(1, 20)), 20)
        return Family(f"Bernoulli({p})", lambda: stats.Bernoulli("X", Q(p)), lambda: ss.bernoulli(float(p)).stats("mv"))
    if name == "Binomial":
        n, p = draw(st.integers(1, 30)), _q(draw(st.integers(1, 19)), 20)
        return Family(
            f"Binomial({n}, {p})", lambda: stats.Binomial("X", n, Q(p)), lambda: ss.binom(n, float(p)).stats("mv")
        )
    if name == "Poisson":
        lam = _q(draw(st.integers(1, 40)), 4)
        return Family(f"Poisson({lam})", lambda: stats.Poisson("X", Q(lam)), lambda: ss.poisson(float(lam)).stats("mv"))
    if name == "Geometric":
        p = _q(draw(st.integers(1, 20)), 20)
        return Family(f"Geometric({p})", lambda: stats.Geometric("X", Q(p)), lambda: ss.geom(float(p)).stats("mv"))
    if name == "NegativeBinomial":
        # sympy: P(k) = C(k + r − 1, k) (1 − p)^k p^r, which is scipy's nbinom(r, p).
        r, p = draw(st.integers(1, 10)), _q(draw(st.integers(1, 19)), 20)
        return Family(
            f"NegativeBinomial({r}, {p})",
            lambda: stats.NegativeBinomial("X", r, Q(p)),
            lambda: ss.nbinom(r, float(p)).stats("mv"),
        )
    if name == "Hypergeometric":
        N = draw(st.integers(2, 30))
        m, n = draw(st.integers(0, N)), draw(st.integers(1, N))
        return Family(
            f"Hypergeometric({N}, {m}, {n})",
            lambda: stats.Hypergeometric("X", N, m, n),
            lambda: ss.hypergeom(N, m, n).stats("mv"),
        )
    if name == "DiscreteUniform":
        items = draw(st.lists(st.integers(-10, 10), min_size=1, max_size=6, unique=True))
        return Family(
            f"DiscreteUniform({items})",
            lambda: stats.DiscreteUniform("X", items),
            lambda: (np.mean(items), np.var(items)),
        )
    if name == "Normal":
        mu, sigma = draw(rationals(-20, 20, (4,))), _q(draw(st.integers(1, 20)), 4)
        return Family(
            f"Normal({mu}, {sigma})",
            lambda: stats.Normal("X", Q(mu), Q(sigma)),
            lambda: ss.norm(float(mu), float(sigma)).stats("mv"),
        )
    if name == "Exponential":
        rate = _q(draw(st.integers(1, 20)), 4)
        return Family(
            f"Exponential({rate})",
            lambda: stats.Exponential("X", Q(rate)),
            lambda: ss.expon(scale=1 / float(rate)).stats("mv"),
        )
    if name == "Uniform":
        a = draw(rationals(-10, 10, (2,)))
        b = a + _q(draw(st.integers(1, 20)), 2)
        return Family(
            f"Uniform({a}, {b})",
            lambda: stats.Uniform("X", Q(a), Q(b)),
            lambda: ss.uniform(float(a), float(b - a)).stats("mv"),
        )
    if name == "Gamma":
        k, theta = _q(draw(st.integers(1, 10)), 2), _q(draw(st.integers(1, 12)), 4)
        return Family(
            f"Gamma({k}, {theta})",
            lambda: stats.Gamma("X", Q(k), Q(theta)),
            lambda: ss.gamma(float(k), scale=float(theta)).stats("mv"),
        )
    if name == "Beta":
        a, b = _q(draw(st.integers(1, 10)), 2), _q(draw(st.integers(1, 10)), 2)
        return Family(
            f"Beta({a}, {b})", lambda: stats.Beta("X", Q(a), Q(b)), lambda: ss.beta(float(a), float(b)).stats("mv")
        )
    if name == "ChiSquared":
        k = draw(st.integers(1, 10))
        return Family(f"ChiSquared({k})", lambda: stats.ChiSquared("X", k), lambda: ss.chi2(k).stats("mv"))
    if name == "Laplace":
        mu, b = draw(rationals(-8, 8, (2,))), _q(draw(st.integers(1, 8)), 2)
        return Family(
            f"Laplace({mu}, {b})",
            lambda: stats.Laplace("X", Q(mu), Q(b)),
            lambda: ss.laplace(float(mu), float(b)).stats("mv"),
        )
    if name == "Logistic":
        mu, s = draw(rationals(-8, 8, (2,))), _q(draw(st.integers(1, 8)), 2)
        return Family(
            f"Logistic({mu}, {s})",
            lambda: stats.Logistic("X", Q(mu), Q(s)),
            lambda: ss.logistic(float(mu), float(s)).stats("mv"),
        )
    if name == "Rayleigh":
        sigma = _q(draw(st.integers(1, 8)), 2)
        return Family(
            f"Rayleigh({sigma})",
            lambda: stats.Rayleigh("X", Q(sigma)),
            lambda: ss.rayleigh(scale=float(sigma)).stats("mv"),
        )
    if name == "Erlang":
        k, rate = draw(st.integers(1, 6)), _q(draw(st.integers(1, 8)), 2)
        return Family(
            f"Erlang({k}, {rate})",
            lambda: stats.Erlang("X", k, Q(rate)),
            lambda: ss.gamma(k, scale=1 / float(rate)).stats("mv"),
        )
    if name == "Weibull":
        # sympy Weibull(λ, k): scale λ, shape k.
        scale, shape = _q(draw(st.integers(1, 8)), 2), draw(st.integers(1, 4))
        return Family(
            f"Weibull({scale}, {shape})",
            lambda: stats.Weibull("X", Q(scale), shape),
            lambda: ss.weibull_min(shape, scale=float(scale)).stats("mv"),
        )
    if name == "Pareto":
        xm, alpha = _q(draw(st.integers(1, 8)), 2), draw(st.integers(3, 8))
        return Family(
            f"Pareto({xm}, {alpha})",
            lambda: stats.Pareto("X", Q(xm), alpha),
            lambda: ss.pareto(alpha, scale=float(xm)).stats("mv"),
        )
    if name == "LogNormal":
        mu, sigma = draw(rationals(-2, 2, (2,))), _q(draw(st.integers(1, 4)), 4)
        return Family(
            f"LogNormal({mu}, {sigma})",
            lambda: stats.LogNormal("X", Q(mu), Q(sigma)),
            lambda: ss.lognorm(float(sigma), scale=float(np.exp(float(mu)))).stats("mv"),
        )
    nu = draw(st.integers(3, 10))
    return Family(f"StudentT({nu})", lambda: stats.StudentT("X", nu), lambda: ss.t(nu).stats("mv"))


def check_moments(result, expected_mean: float, expected_variance: float, where: str = "") -> None:
    assert isinstance(result, tuple) and len(result) == 2, "moments should give (mean, variance)"
    mean, variance = result
    for name, value in (("mean", mean), ("variance", variance)):
        assert not value.has(sp.Sum, sp.Integral, sp.Product), f"the {name} is not in closed form: {value}"
    assert_close(mean, float(expected_mean), 1e-9, f"mean{where}")
    assert_close(variance, float(expected_variance), 1e-9, f"variance{where}")


@pytest.mark.parametrize("name", FAMILY_NAMES)
@budgeted(2)
@given(data=st.data())
def test_moments_match_scipy_stats(name, data):
    family = data.draw(families(name), label="distribution")
    X = family.build()
    expected_mean, expected_variance = family.reference()
    with case("probability", f"moments({family.label})") as c:
        result = c.call("moments", probability.moments, X, verify=True)
        assert not any(v.has(sp.Float) for v in result), f"exact parameters, so exact moments: {result}"
        check_moments(result, expected_mean, expected_variance)


@dataclass
class SymbolicFamily:
    label: str
    build: Any  # () → (RandomSymbol, symbols)
    values: Any  # strategy of {symbol name: Fraction}
    reference: Any  # values → (mean, variance)


SYMBOLIC = [
    SymbolicFamily(
        "Binomial(n, p)",
        lambda: (
            stats.Binomial("X", sp.Symbol("n", integer=True, positive=True), sp.Symbol("p")),
            ("n", "p"),
        ),
        st.fixed_dictionaries(
            {"n": st.integers(1, 40).map(Fraction), "p": st.integers(0, 20).map(lambda k: _q(k, 20))}
        ),
        lambda v: ss.binom(int(v["n"]), float(v["p"])).stats("mv"),
    ),
    SymbolicFamily(
        "Binomial(n, p) with p in [0, 1]",
        lambda: (
            stats.Binomial("X", sp.Symbol("n", integer=True, positive=True), sp.Symbol("p", nonnegative=True)),
            ("n", "p"),
        ),
        st.fixed_dictionaries(
            {"n": st.integers(1, 40).map(Fraction), "p": st.integers(0, 20).map(lambda k: _q(k, 20))}
        ),
        lambda v: ss.binom(int(v["n"]), float(v["p"])).stats("mv"),
    ),
    SymbolicFamily(
        "Bernoulli(p)",
        lambda: (stats.Bernoulli("X", sp.Symbol("p")), ("p",)),
        st.fixed_dictionaries({"p": st.integers(0, 20).map(lambda k: _q(k, 20))}),
        lambda v: ss.bernoulli(float(v["p"])).stats("mv"),
    ),
    SymbolicFamily(
        "Poisson(lambda)",
        lambda: (stats.Poisson("X", sp.Symbol("lambda", positive=True)), ("lambda",)),
        st.fixed_dictionaries({"lambda": st.integers(1, 40).map(lambda k: _q(k, 4))}),
        lambda v: ss.poisson(float(v["lambda"])).stats("mv"),
    ),
    SymbolicFamily(
        "Geometric(p)",
        lambda: (stats.Geometric("X", sp.Symbol("p", positive=True)), ("p",)),
        st.fixed_dictionaries({"p": st.integers(1, 20).map(lambda k: _q(k, 20))}),
        lambda v: ss.geom(float(v["p"])).stats("mv"),
    ),
    SymbolicFamily(
        "Normal(mu, sigma)",
        lambda: (stats.Normal("X", sp.Symbol("mu"), sp.Symbol("sigma", positive=True)), ("mu", "sigma")),
        st.fixed_dictionaries({"mu": rationals(-8, 8, (2,)), "sigma": st.integers(1, 12).map(lambda k: _q(k, 4))}),
        lambda v: ss.norm(float(v["mu"]), float(v["sigma"])).stats("mv"),
    ),
    SymbolicFamily(
        "Exponential(rate)",
        lambda: (stats.Exponential("X", sp.Symbol("rate", positive=True)), ("rate",)),
        st.fixed_dictionaries({"rate": st.integers(1, 12).map(lambda k: _q(k, 4))}),
        lambda v: ss.expon(scale=1 / float(v["rate"])).stats("mv"),
    ),
    SymbolicFamily(
        "Uniform(a, b)",
        lambda: (stats.Uniform("X", sp.Symbol("a"), sp.Symbol("b")), ("a", "b")),
        st.tuples(rationals(-8, 8, (2,)), st.integers(1, 16).map(lambda k: _q(k, 2))).map(
            lambda t: {"a": t[0], "b": t[0] + t[1]}
        ),
        lambda v: ss.uniform(float(v["a"]), float(v["b"] - v["a"])).stats("mv"),
    ),
    SymbolicFamily(
        "Gamma(k, theta)",
        lambda: (stats.Gamma("X", sp.Symbol("k", positive=True), sp.Symbol("theta", positive=True)), ("k", "theta")),
        st.fixed_dictionaries(
            {"k": st.integers(1, 10).map(lambda k: _q(k, 2)), "theta": st.integers(1, 12).map(lambda k: _q(k, 4))}
        ),
        lambda v: ss.gamma(float(v["k"]), scale=float(v["theta"])).stats("mv"),
    ),
]


@pytest.mark.parametrize("family", SYMBOLIC, ids=[f.label for f in SYMBOLIC])
@budgeted(1)
@given(data=st.data())
def test_moments_with_symbolic_parameters_in_closed_form(family, data):
    X, names = family.build()
    draws = [data.draw(family.values, label="parameter values") for _ in range(3)]
    with case("probability", f"moments({family.label})") as c:
        result = c.call("moments", probability.moments, X, verify=True)
        for values in draws:
            symbols = {s.name: s for v in result for s in v.free_symbols}
            unknown = set(symbols) - set(names)
            assert not unknown, f"the moments mention symbols that are not parameters: {unknown}"
            substituted = tuple(v.subs({symbols[k]: as_sympy(values[k]) for k in symbols}) for v in result)
            mean, variance = family.reference(values)
            check_moments(substituted, mean, variance, f" at {values}")


# -- invalid parameters are refused -----------------------------------------------------------------------

INVALID = [
    (
        "Bernoulli(3/2)",
        lambda: frv_types.rv("X", frv_types.BernoulliDistribution, sp.Rational(3, 2), 1, 0, check=False),
    ),
    (
        "Bernoulli(-1/2)",
        lambda: frv_types.rv("X", frv_types.BernoulliDistribution, sp.Rational(-1, 2), 1, 0, check=False),
    ),
    ("Bernoulli(p).subs(p, 3/2)", lambda: stats.Bernoulli("X", sp.Symbol("p")).subs(sp.Symbol("p"), sp.Rational(3, 2))),
    ("Binomial(5, 2)", lambda: frv_types.rv("X", frv_types.BinomialDistribution, 5, 2, 1, 0, check=False)),
    ("Poisson(-1)", lambda: drv_types.rv("X", drv_types.PoissonDistribution, -1, check=False)),
    ("Geometric(3/2)", lambda: drv_types.rv("X", drv_types.GeometricDistribution, sp.Rational(3, 2), check=False)),
    ("Geometric(0)", lambda: drv_types.rv("X", drv_types.GeometricDistribution, 0, check=False)),
    ("Exponential(-2)", lambda: crv_types.rv("X", crv_types.ExponentialDistribution, (-2,), check=False)),
    ("Normal(0, -1)", lambda: crv_types.rv("X", crv_types.NormalDistribution, (0, -1), check=False)),
    (
        "Normal(mu, sigma).subs(sigma, -1)",
        lambda: stats.Normal("X", 0, sp.Symbol("s", positive=True)).subs(sp.Symbol("s", positive=True), -1),
    ),
    ("Uniform(2, 1)", lambda: crv_types.rv("X", crv_types.UniformDistribution, (2, 1), check=False)),
    ("Gamma(-1, 1)", lambda: crv_types.rv("X", crv_types.GammaDistribution, (-1, 1), check=False)),
    ("Beta(0, 2)", lambda: crv_types.rv("X", crv_types.BetaDistribution, (0, 2), check=False)),
    ("Cauchy(0, 1) (no mean)", lambda: stats.Cauchy("X", 0, 1)),
    ("StudentT(1) (no mean)", lambda: stats.StudentT("X", 1)),
]


@pytest.mark.parametrize("item", INVALID, ids=[label for label, _ in INVALID])
def test_invalid_parameters_or_missing_moments_are_a_glossary_error(item):
    label, build = item
    with case("probability", f"moments({label})", expect="error") as c:
        c.call("moments", probability.moments, build())


# -- maximum likelihood ------------------------------------------------------------------------------------


@dataclass
class MleCase:
    label: str
    density: sp.Expr
    x: sp.Symbol
    params: list
    data: list
    loglik: Any  # (theta array) → float, from scipy.stats
    start: list
    bounds: list


def _floats(data) -> np.ndarray:
    return np.array([float(v) for v in data])


def _positive_data(draw, low=1, high=40):
    return draw(st.lists(st.integers(low, high).map(lambda k: _q(k, 4)), min_size=5, max_size=30))


MLE_FAMILIES = [
    "Bernoulli",
    "Normal(mu, sigma)",
    "Normal(mu, variance)",
    "Normal(sigma | mu known)",
    "Poisson",
    "Exponential(rate)",
    "Exponential(scale)",
    "Geometric",
    "Binomial(m known)",
    "Gamma(shape known)",
]


@st.composite
def mle_cases(draw, family: str) -> MleCase:
    plain = draw(st.booleans())  # a plain Symbol, or one declared positive
    x = sp.Symbol("x")

    def symbol(name):
        return sp.Symbol(name) if plain else sp.Symbol(name, positive=True)

    if family == "Bernoulli":
        p = symbol("p")
        size = draw(st.integers(3, 30))
        data = [Fraction(1), Fraction(0)] + [Fraction(draw(st.integers(0, 1))) for _ in range(size - 2)]
        d = _floats(data)
        return MleCase(
            family,
            p**x * (1 - p) ** (1 - x),
            x,
            [p],
            data,
            lambda t: ss.bernoulli.logpmf(d, t[0]).sum(),
            [0.5],
            [(1e-12, 1 - 1e-12)],
        )
    if family.startswith("Normal"):
        mu, sigma, v = sp.Symbol("mu"), sp.Symbol("sigma", positive=True), sp.Symbol("v", positive=True)
        data = draw(st.lists(rationals(-40, 40, (4,)), min_size=5, max_size=30).filter(lambda l: len(set(l)) > 1))
        d = _floats(data)
        start = [float(np.median(d)) + 0.3, float(np.std(d)) + 0.7]
        if family == "Normal(mu, sigma)":
            density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
            return MleCase(
                family,
                density,
                x,
                [mu, sigma],
                data,
                lambda t: ss.norm.logpdf(d, t[0], t[1]).sum(),
                start,
                [(None, None), (1e-9, None)],
            )
        if family == "Normal(mu, variance)":
            density = sp.exp(-((x - mu) ** 2) / (2 * v)) / sp.sqrt(2 * sp.pi * v)
            start[1] = start[1] ** 2
            return MleCase(
                family,
                density,
                x,
                [mu, v],
                data,
                lambda t: ss.norm.logpdf(d, t[0], np.sqrt(t[1])).sum() if t[1] > 0 else -np.inf,
                start,
                [(None, None), (1e-9, None)],
            )
        m0 = draw(rationals(-4, 4, (2,)))
        density = sp.exp(-((x - as_sympy(m0)) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
        return MleCase(
            f"Normal(sigma | mu = {m0})",
            density,
            x,
            [sigma],
            data,
            lambda t: ss.norm.logpdf(d, float(m0), t[0]).sum(),
            [1.0],
            [(1e-9, 200.0)],
        )
    if family == "Poisson":
        lam = symbol("lambda")
        data = draw(st.lists(st.integers(0, 12).map(Fraction), min_size=5, max_size=30).filter(any))
        d = _floats(data)
        return MleCase(
            family,
            lam**x * sp.exp(-lam) / sp.factorial(x),
            x,
            [lam],
            data,
            lambda t: ss.poisson.logpmf(d, t[0]).sum(),
            [1.0],
            [(1e-9, 50.0)],
        )
    if family == "Exponential(rate)":
        lam = symbol("lambda")
        data = _positive_data(draw)
        d = _floats(data)
        return MleCase(
            family,
            lam * sp.exp(-lam * x),
            x,
            [lam],
            data,
            lambda t: ss.expon.logpdf(d, scale=1 / t[0]).sum(),
            [1.0],
            [(1e-9, 50.0)],
        )
    if family == "Exponential(scale)":
        beta = symbol("beta")
        data = _positive_data(draw)
        d = _floats(data)
        return MleCase(
            family,
            sp.exp(-x / beta) / beta,
            x,
            [beta],
            data,
            lambda t: ss.expon.logpdf(d, scale=t[0]).sum(),
            [1.0],
            [(1e-9, 50.0)],
        )
    if family == "Geometric":
        p = symbol("p")
        data = draw(st.lists(st.integers(1, 10).map(Fraction), min_size=5, max_size=30).filter(lambda l: max(l) > 1))
        d = _floats(data)
        return MleCase(
            family,
            p * (1 - p) ** (x - 1),
            x,
            [p],
            data,
            lambda t: ss.geom.logpmf(d, t[0]).sum(),
            [0.5],
            [(1e-12, 1 - 1e-12)],
        )
    if family == "Binomial(m known)":
        p = symbol("p")
        m = draw(st.integers(1, 15))
        data = draw(
            st.lists(st.integers(0, m).map(Fraction), min_size=5, max_size=30).filter(lambda l: 0 < sum(l) < m * len(l))
        )
        d = _floats(data)
        return MleCase(
            f"Binomial(m = {m} known)",
            sp.binomial(m, x) * p**x * (1 - p) ** (m - x),
            x,
            [p],
            data,
            lambda t: ss.binom.logpmf(d, m, t[0]).sum(),
            [0.5],
            [(1e-12, 1 - 1e-12)],
        )
    theta = symbol("theta")
    k = draw(st.sampled_from([Fraction(1), Fraction(2), Fraction(3), Fraction(3, 2), Fraction(5, 2)]))
    shape = as_sympy(k)
    data = _positive_data(draw)
    d = _floats(data)
    return MleCase(
        f"Gamma(shape {k} known)",
        x ** (shape - 1) * sp.exp(-x / theta) / (sp.gamma(shape) * theta**shape),
        x,
        [theta],
        data,
        lambda t: ss.gamma.logpdf(d, float(k), scale=t[0]).sum(),
        [1.0],
        [(1e-9, 50.0)],
    )


def evaluate_estimator(estimator: sp.Expr, data: list) -> float:
    """An estimator written with Sum over x[i], i = 1..n, on a concrete sample."""
    indexed = estimator.atoms(sp.Indexed)
    labels = {ix.base.label for ix in indexed}
    plain = {s for s in estimator.free_symbols if isinstance(s, sp.Symbol) and s not in labels}
    names = {s.name for s in plain}
    assert names <= {"n"}, f"the estimator depends on {names - {'n'}}, not only on the sample: {estimator}"
    for s in plain:
        assert s.is_integer and s.is_positive, f"n should be a positive integer symbol, got {s!r}"
    concrete = estimator.subs({s: len(data) for s in plain}).doit()
    bases = {ix.base for ix in concrete.atoms(sp.Indexed)}
    values = {}
    for base in bases:
        for i, value in enumerate(data, 1):
            values[base[i]] = as_sympy(value)
    number = concrete.xreplace(values)
    assert not number.free_symbols and not number.atoms(sp.Indexed), f"left over after substitution: {number}"
    return float(sp.N(number, 30))


@pytest.mark.parametrize("family", MLE_FAMILIES)
@budgeted(3)
@given(data=st.data())
def test_mle_estimators_maximise_the_likelihood(family, data):
    item = data.draw(mle_cases(family), label="case")
    shown = f"mle[{item.label}]({item.density}, {item.x}, {item.params}) on {len(item.data)} values"
    optimum = maximise(item.loglik, item.start, item.bounds)
    with case("probability", shown) as c:
        result = c.call("mle", probability.mle, item.density, item.x, item.params, verify=True)
        assert isinstance(result, dict), f"mle should give a dict, got {type(result).__name__}"
        assert set(result) == set(item.params), f"keys {set(result)}, expected exactly {set(item.params)}"
        for estimator in result.values():
            assert estimator.has(sp.Sum), f"the estimator should be a Sum over the sample x_i: {estimator}"
        claimed = np.array([evaluate_estimator(result[p], item.data) for p in item.params])
        for p, got, best in zip(item.params, claimed, optimum, strict=True):
            assert abs(got - best) <= 1e-6 * max(1.0, abs(best)), f"{p}̂ = {got}, the likelihood is maximal at {best}"
        assert item.loglik(claimed) >= item.loglik(optimum) - 1e-8 * max(1.0, abs(item.loglik(optimum))), (
            "the optimiser finds a higher likelihood than the estimate"
        )


def test_mle_of_uniform_upper_bound_is_the_maximum_or_a_clear_refusal():
    x, theta = sp.Symbol("x"), sp.Symbol("theta", positive=True)
    density = sp.Piecewise((1 / theta, (x >= 0) & (x <= theta)), (0, True))
    data = [Fraction(3, 2), Fraction(7, 4), Fraction(1, 2), Fraction(9, 4), Fraction(1)]
    with case("probability", "mle(Uniform(0, theta) density, x, [theta])", expect="either") as c:
        result = c.call("mle", probability.mle, density, x, [theta])
        assert abs(evaluate_estimator(result[theta], data) - 2.25) < 1e-12, "θ̂ should be max xᵢ"


def test_mle_of_laplace_location_is_the_median_or_a_clear_refusal():
    x, mu = sp.Symbol("x"), sp.Symbol("mu")
    density = sp.exp(-sp.Abs(x - mu)) / 2
    data = [Fraction(3), Fraction(-1), Fraction(5, 2), Fraction(7), Fraction(0)]
    with case("probability", "mle(exp(-|x - mu|)/2, x, [mu])", expect="either") as c:
        result = c.call("mle", probability.mle, density, x, [mu])
        assert abs(evaluate_estimator(result[mu], data) - 2.5) < 1e-12, "μ̂ should be the median"


# -- Bayes ---------------------------------------------------------------------------------------------------


def _form(value: Fraction, form: str):
    if form == "numpy":
        return np.float64(value)
    return as_sympy(value)


@budgeted(25)
@given(
    st.integers(2, 5).flatmap(lambda k: st.tuples(st.just(k), probability_tables([f"h{i}" for i in range(k)]))),
    st.data(),
)
def test_bayes_posterior_matches_enumeration(pair, data):
    _, prior = pair
    likelihood = {h: data.draw(st.integers(0, 20).map(lambda j: _q(j, 20)), label=f"P(E|{h})") for h in prior}
    form = data.draw(st.sampled_from(["sympy", "sympy", "numpy"]), label="number form")
    evidence = sum(prior[h] * likelihood[h] for h in prior)
    given_prior = {h: _form(v, form) for h, v in prior.items()}
    given_likelihood = {h: _form(v, form) for h, v in likelihood.items()}
    expect = "answer" if evidence else "error"
    with case("probability", f"bayes({prior}, {likelihood}) as {form}", expect=expect) as c:
        result = c.call("bayes", probability.bayes, given_prior, given_likelihood, verify=True)
        expected = posterior(prior, [likelihood])
        assert set(result) == set(prior), f"hypotheses {set(result)}, expected {set(prior)}"
        for h, value in expected.items():
            if form == "sympy":
                assert sp.simplify(result[h] - as_sympy(value)) == 0, (
                    f"P({h}|E) = {result[h]}, enumeration gives {value}"
                )
            else:
                assert_close(result[h], float(value), 1e-12, f"P({h}|E)")


@budgeted(20)
@given(st.data())
def test_bayes_update_matches_enumeration_after_each_observation(data):
    outcomes = data.draw(st.sampled_from([["H", "T"], ["a", "b", "c"]]), label="outcomes")
    hypotheses = [f"h{i}" for i in range(data.draw(st.integers(2, 4), label="hypotheses"))]
    prior = data.draw(probability_tables(hypotheses, allow_zero=False), label="prior")
    tables = {h: data.draw(probability_tables(outcomes), label=f"P(·|{h})") for h in hypotheses}
    observations = data.draw(st.lists(st.sampled_from(outcomes), min_size=1, max_size=5), label="observations")
    expected, current, possible = [], prior, True
    for outcome in observations:
        row = {h: tables[h][outcome] for h in hypotheses}
        if sum(current[h] * row[h] for h in hypotheses) == 0:
            possible = False
            break
        current = posterior(current, [row])
        expected.append(current)
    likelihood = {h: {o: as_sympy(v) for o, v in t.items()} for h, t in tables.items()}
    given_prior = {h: as_sympy(v) for h, v in prior.items()}
    shown = f"bayes_update({prior}, {tables}, {observations})"
    with case("probability", shown, expect="answer" if possible else "error") as c:
        result = c.call("bayes_update", probability.bayes_update, given_prior, likelihood, observations, verify=True)
        assert len(result) == len(observations), f"{len(result)} posteriors for {len(observations)} observations"
        for step, (got, want) in enumerate(zip(result, expected, strict=True), 1):
            for h in hypotheses:
                assert sp.simplify(got[h] - as_sympy(want[h])) == 0, (
                    f"after {step} observation(s), P({h}) = {got[h]}, enumeration gives {want[h]}"
                )


# -- bad input: a GlossaryError, and strings never evaluated ---------------------------------------------------

x_, p_ = sp.symbols("x p")
BERNOULLI = p_**x_ * (1 - p_) ** (1 - x_)
HALF = sp.Rational(1, 2)

STRING_CALLS = [
    ("moments", probability.moments, ("Normal('X', 0, 1)",)),
    ("mle", probability.mle, ("p**x*(1-p)**(1-x)", x_, [p_])),
    ("mle", probability.mle, (BERNOULLI, "x", [p_])),
    ("mle", probability.mle, (BERNOULLI, x_, ["p"])),
    ("bayes", probability.bayes, ({"a": "1/2", "b": "1/2"}, {"a": HALF, "b": HALF})),
    ("bayes", probability.bayes, ({"a": HALF, "b": HALF}, {"a": "3/10", "b": HALF})),
    ("bayes_update", probability.bayes_update, ({"a": HALF, "b": HALF}, {"a": {"H": "1/2"}, "b": {"H": HALF}}, ["H"])),
]


@pytest.mark.parametrize("target", STRING_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(STRING_CALLS)])
def test_strings_are_refused_without_being_parsed(target):
    name, function, arguments = target
    with case("probability", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


BAD_CALLS = [
    ("moments", probability.moments, (sp.Symbol("X"),)),
    ("moments", probability.moments, (3,)),
    ("moments", probability.moments, (None,)),
    ("moments", probability.moments, (stats.Normal("A", 0, 1) + stats.Normal("B", 0, 1),)),
    ("mle", probability.mle, (BERNOULLI, x_, [sp.Symbol("q")])),
    ("mle", probability.mle, (BERNOULLI, x_, [x_])),
    ("mle", probability.mle, (p_ / 2, x_, [p_])),
    ("mle", probability.mle, (BERNOULLI, x_, p_)),
    ("mle", probability.mle, (BERNOULLI, x_, [])),
    ("mle", probability.mle, (None, x_, [p_])),
    ("bayes", probability.bayes, ({"a": HALF, "b": sp.Rational(1, 3)}, {"a": HALF, "b": HALF})),
    ("bayes", probability.bayes, ({"a": HALF, "b": HALF}, {"a": sp.Rational(3, 2), "b": HALF})),
    ("bayes", probability.bayes, ({"a": HALF, "b": HALF}, {"a": HALF, "c": HALF})),
    ("bayes", probability.bayes, ({"a": HALF, "b": HALF}, {"a": 0, "b": 0})),
    ("bayes", probability.bayes, ({}, {})),
    ("bayes", probability.bayes, ([HALF, HALF], [HALF, HALF])),
    ("bayes", probability.bayes, ({"a": -HALF, "b": sp.Rational(3, 2)}, {"a": HALF, "b": HALF})),
    ("bayes", probability.bayes, ({"a": None, "b": HALF}, {"a": HALF, "b": HALF})),
    ("bayes_update", probability.bayes_update, ({"a": HALF, "b": HALF}, {"a": {"H": HALF}, "b": {"H": HALF}}, ["T"])),
    ("bayes_update", probability.bayes_update, ({"a": HALF, "b": HALF}, {"a": {"H": HALF}, "b": {"H": HALF}}, [])),
    ("bayes_update", probability.bayes_update, ({"a": HALF, "b": HALF}, {"a": {"H": HALF}}, ["H"])),
    ("bayes_update", probability.bayes_update, ({"a": HALF, "b": HALF}, {"a": {"H": 0}, "b": {"H": 0}}, ["H"])),
]


@pytest.mark.parametrize("target", BAD_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(BAD_CALLS)])
def test_bad_input_is_a_glossary_error(target):
    name, function, arguments = target
    with case("probability", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


def test_numpy_floats_in_bayes_are_accepted():
    prior = {"a": np.float64(0.25), "b": np.float64(0.75)}
    likelihood = {"a": np.float64(0.5), "b": np.float64(0.1)}
    with case("probability", "bayes with numpy.float64 probabilities") as c:
        result = c.call("bayes", probability.bayes, prior, likelihood, verify=True)
        assert_close(result["a"], 0.125 / 0.2, 1e-12, "P(a|E)")
        assert_close(result["b"], 0.075 / 0.2, 1e-12, "P(b|E)")


def test_verify_of_moments_with_huge_points_stays_within_budget():
    with case("probability", "moments(Normal(0, 1)).verify(points=10**8)") as c:
        c.call(
            "moments",
            probability.moments,
            stats.Normal("X", 0, 1),
            verify={"points": 10**8},
            verify_expect="either",
        )
