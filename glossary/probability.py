"""Probability: moments of distributions, maximum likelihood and Bayes' theorem.

Moments are checked by summing or integrating the density numerically,
maximum-likelihood estimators by optimising the log-likelihood of seeded random
data, and posteriors by enumerating the joint table of hypothesis and evidence.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp
import sympy.stats as stats
from sympy.stats.crv import SingleContinuousDistribution
from sympy.stats.drv import SingleDiscreteDistribution
from sympy.stats.frv_types import BinomialDistribution

from . import _inputs, limits
from .derivation import Derivation, Step, VerificationReport, helper
from .errors import GlossaryError

__all__ = ["bayes", "bayes_update", "mle", "moments"]


# -- moments -------------------------------------------------------------------------------


def _random_variable(X: Any):
    if not isinstance(X, stats.rv.RandomSymbol):
        raise GlossaryError(f"X must be a sympy.stats random variable such as Normal('X', 0, 1), got {X!r}")
    distribution = getattr(X.pspace, "distribution", None)
    if distribution is None:
        raise GlossaryError(f"X = {X} is not a single random variable with one distribution")
    return distribution


def _closed_form(value: sp.Expr, what: str, X: Any) -> sp.Expr:
    if value.has(sp.Sum, sp.Integral, sp.Product):
        raise GlossaryError(f"SymPy leaves the {what} of {X} as an unevaluated sum or integral: {value}")
    return value


def _tidy(value: sp.Expr) -> sp.Expr:
    simpler = limits.attempt(sp.simplify, value, seconds=2)
    return value if simpler is None else simpler


def _binomial_by_mgf(X, distribution) -> tuple[sp.Expr, sp.Expr, list[Step]]:
    """Mean and variance of Binomial(n, p) for symbolic n, from the MGF of n Bernoulli trials.

    sympy.stats leaves these as unevaluated sums for symbolic n, so they are
    derived here from M_X(t) = (M_B(t))^n.
    """
    n, p = distribution.n, distribution.p
    t = sp.Symbol("t")
    trial = stats.Bernoulli("B", p)
    trial_mgf = sp.expand(stats.E(sp.exp(t * trial)))
    mgf = trial_mgf**n
    first = sp.diff(mgf, t)
    second = sp.diff(mgf, t, 2)
    mean = sp.factor(first.subs(t, 0))
    raw_second = sp.expand(sp.simplify(second.subs(t, 0)))
    variance = sp.simplify(sp.factor(raw_second - mean**2))
    M = sp.Function("M")
    steps = [
        Step(
            f"X 는 성공 확률 {p} 인 독립 베르누이 시행 {n}개의 합",
            f"X is the sum of {n} independent Bernoulli trials with success probability {p}",
            sp.Eq(sp.Symbol("X"), sp.Sum(sp.Indexed("B", sp.Symbol("i")), (sp.Symbol("i"), 1, n))),
        ),
        Step(
            "한 시행의 적률생성함수 E[e^{tB}]",
            "the moment generating function of one trial, E[e^{tB}]",
            sp.Eq(M(t), trial_mgf),
        ),
        Step(
            "독립이므로 곱이 된다: M_X(t) = M_B(t)ⁿ", "independence turns the sum into a product: M_X(t) = M_B(t)ⁿ", mgf
        ),
        Step("한 번 미분", "differentiate once", sp.Eq(sp.Derivative(M(t), t), first)),
        Step("E[X] = M′(0)", "E[X] = M′(0)", mean),
        Step("E[X²] = M″(0)", "E[X²] = M″(0)", raw_second),
        Step("Var[X] = E[X²] − E[X]²", "Var[X] = E[X²] − E[X]²", raw_second - mean**2),
        Step("정리하면", "simplified", variance, equals_previous=True),
    ]
    return mean, variance, steps


def _general_moments(X, distribution) -> tuple[sp.Expr, sp.Expr, list[Step]]:
    f = sp.Function("f")
    steps: list[Step] = []
    if isinstance(distribution, (SingleContinuousDistribution, SingleDiscreteDistribution)):
        continuous = isinstance(distribution, SingleContinuousDistribution)
        variable = sp.Symbol("x", real=True) if continuous else sp.Symbol("k", integer=True)
        pdf = distribution.pdf(variable)
        support = distribution.set
        steps.append(
            Step(
                "확률밀도함수" if continuous else "확률질량함수",
                "the probability density" if continuous else "the probability mass function",
                sp.Eq(f(variable), pdf),
            )
        )
        if continuous and isinstance(support, sp.Interval):
            total = sp.simplify(sp.integrate(pdf, (variable, support.inf, support.sup)))
            steps.append(
                Step(
                    "전체 확률은 1",
                    "the total probability is 1",
                    sp.Eq(sp.Integral(f(variable), (variable, support.inf, support.sup)), total),
                )
            )
            if total.is_number and total != 1:
                raise GlossaryError(f"the density of {X} integrates to {total}, not 1")
            steps.append(
                Step(
                    "기댓값의 정의 E[X] = ∫ x f(x) dx",
                    "the definition E[X] = ∫ x f(x) dx",
                    sp.Integral(variable * f(variable), (variable, support.inf, support.sup)),
                )
            )
    elif hasattr(distribution, "dict"):
        table = distribution.dict
        steps.append(
            Step(
                "확률질량함수 (값: 확률)",
                "the probability mass function (value: probability)",
                tuple(sp.Eq(sp.Symbol(f"P(X={k})"), v) for k, v in table.items()),
            )
        )
        steps.append(
            Step(
                "전체 확률은 1",
                "the total probability is 1",
                sp.Eq(sp.Add(*table.values(), evaluate=False), sp.simplify(sp.Add(*table.values()))),
            )
        )
        steps.append(
            Step(
                "E[X] = Σ x·P(X = x)",
                "E[X] = Σ x·P(X = x)",
                sp.Add(*(sp.Mul(k, v, evaluate=False) for k, v in table.items()), evaluate=False),
            )
        )
    mean = _tidy(stats.E(X))
    second = _tidy(stats.E(X**2))
    variance = _tidy(stats.variance(X))
    steps.append(
        Step("기댓값", "the mean", sp.Eq(sp.Symbol("E[X]"), mean), equals_previous=hasattr(distribution, "dict"))
    )
    steps.append(Step("제곱의 기댓값", "the mean of the square", sp.Eq(sp.Symbol("E[X^2]"), second)))
    steps.append(Step("Var[X] = E[X²] − E[X]²", "Var[X] = E[X²] − E[X]²", second - mean**2))
    steps.append(Step("정리하면 분산", "simplified, the variance", variance, equals_previous=True))
    return mean, variance, steps


@helper
def moments(X: Any) -> Derivation:
    """Mean and variance ``(mean, variance)`` of a ``sympy.stats`` random variable, in closed form.

    Works for Binomial with a symbolic number of trials, through the moment
    generating function of independent Bernoulli trials.

    Examples:
        >>> from sympy.stats import Binomial
        >>> n = sp.Symbol("n", integer=True, positive=True)
        >>> p = sp.Symbol("p")
        >>> moments(Binomial("X", n, p)).result
        (n*p, n*p*(1 - p))
    """
    distribution = _random_variable(X)
    if isinstance(distribution, BinomialDistribution) and not distribution.n.is_number:
        mean, variance, steps = _binomial_by_mgf(X, distribution)
    else:
        mean, variance, steps = _general_moments(X, distribution)
    mean = _closed_form(mean, "mean", X)
    variance = _closed_form(variance, "variance", X)

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        rng = np.random.default_rng(seed)
        comparison = Comparison("direct summation / numerical integration of the density", 1e-7)
        for _ in range(min(points, 25)):
            values, numeric = _valid_parameters(distribution, rng)
            expected_mean, expected_variance = _numeric_moments(numeric)
            comparison.add(expected_mean, complex(sp.N(mean.subs(values))), {str(k): v for k, v in values.items()})
            comparison.add(
                expected_variance, complex(sp.N(variance.subs(values))), {str(k): v for k, v in values.items()}
            )
        return comparison.report()

    return Derivation((mean, variance), steps, verify)


def _valid_parameters(distribution, rng):
    """Random numeric parameters that the distribution's own checks accept."""
    symbols = sorted(set().union(*(sp.sympify(a).free_symbols for a in distribution.args)), key=sp.default_sort_key)
    for attempt in range(200):
        values = {}
        for s in symbols:
            if s.is_integer or s.name in ("n", "N"):
                values[s] = sp.Integer(int(rng.integers(1, 25)))
            else:
                # Probabilities first: most parameters accept (0, 1); wider ranges
                # only when the distribution's own check keeps refusing.
                low, high = [(0.05, 0.95), (0.3, 3.0), (-2.0, 2.0)][min(attempt // 60, 2)]
                values[s] = sp.Float(round(float(rng.uniform(low, high)), 6))
        try:
            numeric = type(distribution)(*[sp.sympify(a).subs(values) for a in distribution.args])
        except (ValueError, TypeError):
            continue
        table = getattr(numeric, "dict", None)
        if table is not None and not all(0 <= float(v) <= 1 for v in table.values()):
            continue
        return values, numeric
    raise GlossaryError(f"no random parameter values satisfy {distribution}'s constraints")


def _numeric_moments(distribution) -> tuple[float, float]:
    import numpy as np
    from scipy import integrate

    if hasattr(distribution, "dict"):
        table = {float(k): float(v) for k, v in distribution.dict.items()}
        ks = np.array(list(table))
        ps = np.array(list(table.values()))
        mean = float(ks @ ps)
        return mean, float(((ks - mean) ** 2) @ ps)
    if isinstance(distribution, SingleDiscreteDistribution):
        k = sp.Symbol("k", integer=True)
        pmf = sp.lambdify(k, distribution.pdf(k), modules=["scipy", "numpy"])
        start = int(distribution.set.inf) if distribution.set.inf.is_finite else -2000
        ks = np.arange(start, start + 4000, dtype=float)
        ps = np.nan_to_num(np.asarray(pmf(ks), dtype=float))
        mean = float(ks @ ps)
        return mean, float(((ks - mean) ** 2) @ ps)
    x = sp.Symbol("x", real=True)
    pdf = sp.lambdify(x, distribution.pdf(x), modules=["scipy", "numpy"])
    low, high = (float(b) for b in (distribution.set.inf, distribution.set.sup))
    options = {"epsabs": 1e-13, "epsrel": 1e-12, "limit": 200}
    mean = integrate.quad(lambda v: v * pdf(v), low, high, **options)[0]
    variance = integrate.quad(lambda v: (v - mean) ** 2 * pdf(v), low, high, **options)[0]
    return mean, variance


# -- maximum likelihood ---------------------------------------------------------------------


class _Sample:
    """The symbols of a sample x_1..x_n: an IndexedBase, the index i and the size n."""

    def __init__(self, x: sp.Symbol) -> None:
        self.n = sp.Symbol("n", integer=True, positive=True)
        self.i = sp.Symbol("i", integer=True, positive=True)
        self.base = sp.IndexedBase(x.name)
        self.x = x

    def sum_of(self, term: sp.Expr) -> sp.Sum:
        return sp.Sum(term.subs(self.x, self.base[self.i]), (self.i, 1, self.n))


def _separate(log_density: sp.Expr, x: sp.Symbol, unknowns: set, expand_all: bool):
    """Split Σᵢ log f(xᵢ) into coefficients times data sums.

    SymPy's ``solve`` cannot see through ``Sum`` over an ``IndexedBase``, so each
    data-dependent factor g(x) becomes a plain symbol standing for Σᵢ g(xᵢ),
    and constant terms are multiplied by n. Returns (expression, {symbol: g}).
    """
    sums: dict[sp.Expr, sp.Dummy] = {}
    n = sp.Symbol("n", integer=True, positive=True)
    total = sp.Integer(0)
    source = sp.expand(log_density) if expand_all else log_density
    for term in sp.Add.make_args(source):
        coefficient, data_part = term.as_independent(x, as_Add=False)
        if data_part == 1:
            total += n * term
            continue
        if data_part.free_symbols & unknowns:
            if expand_all:
                return None
            expanded, more = _separate(sp.expand(term), x, unknowns, expand_all=True) or (None, None)
            if expanded is None:
                return None
            for symbol_, g in more.items():
                key = sums.setdefault(g, sp.Dummy("S"))
                expanded = expanded.subs(symbol_, key)
            total += expanded
            continue
        # Σᵢ (a + g(xᵢ)) = n·a + Σᵢ g(xᵢ): constants inside the data part leave the sum.
        for piece in sp.Add.make_args(data_part):
            free, rest = piece.as_independent(x, as_Add=False)
            if rest == 1:
                total += n * coefficient * free
            else:
                key = sums.setdefault(rest, sp.Dummy("S"))
                total += coefficient * free * key
    return total, {symbol_: g for g, symbol_ in sums.items()}


def _log_density(density: sp.Expr) -> sp.Expr:
    return sp.expand_log(sp.log(density), force=True)


@helper
def mle(density: Any, x: Any, params: Any) -> Derivation:
    """Maximum-likelihood estimators ``{param: estimator}`` for a density of one observation.

    Estimators are written over samples ``x[i]``, ``i = 1..n`` with ``Sum``.

    Examples:
        >>> x, p = sp.symbols("x p")
        >>> mle(p**x * (1 - p) ** (1 - x), x, [p]).result
        {p: Sum(x[i], (i, 1, n))/n}
    """
    density = _inputs.expression(density, "density")
    x = _inputs.symbol(x, "x")
    params = _inputs.symbols(params, "params")
    if x not in density.free_symbols:
        raise GlossaryError(f"the density {density} does not depend on the observation {x}")
    for p in params:
        if p not in density.free_symbols:
            raise GlossaryError(f"the parameter {p} does not appear in the density {density}")
        if p == x:
            raise GlossaryError(f"{x} is the observation and cannot also be a parameter")
    sample = _Sample(x)
    n = sample.n
    log_f = _log_density(density)
    separated = _separate(log_f, x, set(params), expand_all=True)
    if separated is None:
        raise GlossaryError(
            f"the log-likelihood of {density} does not separate into sums of functions of the data, "
            "so it has no closed-form estimator this helper can find"
        )
    loglik, sums = separated
    equations = [sp.diff(loglik, p) for p in params]
    try:
        candidates = sp.solve(equations, params, dict=True)
    except NotImplementedError:
        candidates = []
    candidates = [c for c in candidates if set(params) <= set(c)]
    if not candidates:
        raise GlossaryError(f"the likelihood equations for {params} have no closed-form solution: {equations}")

    def in_sums(expr: sp.Expr) -> sp.Expr:
        return expr.subs({s: sample.sum_of(g) for s, g in sums.items()})

    estimators = [{p: in_sums(c[p]) for p in params} for c in candidates]
    chosen = _best_candidate(estimators, density, x, params, sample)
    pretty = _sequential_forms(density, x, params, sample, chosen)

    likelihood = sp.Product(density.subs(x, sample.base[sample.i]), (sample.i, 1, n))
    ell = sp.Function("ell")
    theta = tuple(params)
    steps = [
        Step("관측 하나의 밀도 (또는 확률질량)", "the density (or mass) of one observation", density),
        Step(
            "독립 표본의 우도 L(θ) = Πᵢ f(xᵢ; θ)",
            "the likelihood of an independent sample, L(θ) = Πᵢ f(xᵢ; θ)",
            sp.Eq(sp.Function("L")(*theta), likelihood),
        ),
        Step(
            "로그우도 ℓ(θ) = Σᵢ log f(xᵢ; θ)",
            "the log-likelihood ℓ(θ) = Σᵢ log f(xᵢ; θ)",
            sp.Eq(ell(*theta), sample.sum_of(log_f)),
        ),
        Step(
            "합을 전개하여 데이터의 합으로 정리",
            "expand the sum into sums over the data",
            sp.Eq(ell(*theta), in_sums(loglik)),
        ),
    ]
    for p, equation in zip(params, equations, strict=True):
        steps.append(
            Step(
                f"{p} 에 대해 미분하고 0 으로 놓는다",
                f"set the derivative with respect to {p} to zero",
                sp.Eq(in_sums(equation), 0),
            )
        )
    steps.append(
        Step(
            "연립하여 풀면 최대우도추정량",
            "solving gives the maximum-likelihood estimators",
            tuple(sp.Eq(sp.Symbol(f"\\hat{{{sp.latex(p)}}}"), pretty[p]) for p in params),
        )
    )

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_mle(pretty, density, x, params, sample, points, seed)

    return Derivation(pretty, steps, verify)


def _numeric_value(expr: sp.Expr, sample: _Sample, data) -> complex:
    """Evaluate an estimator on a data array by replacing each Sum with its numeric value."""
    import numpy as np

    t = sp.Dummy("t")

    def evaluate_sum(s: sp.Sum) -> sp.Expr:
        summand = s.function.subs(sample.base[s.limits[0][0]], t)
        values = sp.lambdify(t, summand, modules="numpy")(data)
        return sp.Float(float(np.sum(np.broadcast_to(values, data.shape))), 30)

    # Innermost sums first: an estimator such as Σ(xᵢ − Σxⱼ/n)² nests them.
    replaced = expr.subs(sample.n, len(data))
    while replaced.has(sp.Sum):
        innermost = [s for s in replaced.atoms(sp.Sum) if not s.function.has(sp.Sum)]
        replaced = replaced.xreplace({s: evaluate_sum(s) for s in innermost})
    return complex(sp.N(replaced, 30))


_DATA_KINDS = ("binary", "positive", "real", "counts")


def _draw(kind: str, rng, size: int):
    import numpy as np

    if kind == "binary":
        data = rng.integers(0, 2, size=size).astype(float)
        data[:2] = [0.0, 1.0]  # both outcomes present, so the maximum is interior
        return data
    if kind == "positive":
        return rng.gamma(2.0, 1.0, size=size) + 0.05
    if kind == "real":
        return rng.normal(0.7, 1.3, size=size)
    return rng.poisson(3.0, size=size).astype(float) + np.arange(size) % 2


def _log_likelihood(density, x, params):
    import numpy as np

    function = sp.lambdify([x, *params], _log_density(density), modules="numpy")

    def ell(theta, data) -> float:
        with np.errstate(all="ignore"):
            values = np.asarray(function(data.astype(complex), *[complex(v) for v in theta]), dtype=complex)
        values = np.broadcast_to(values, data.shape)
        if not np.all(np.isfinite(values)) or np.max(np.abs(values.imag)) > 1e-9:
            return -np.inf
        return float(np.sum(values.real))

    return ell


def _usable_data(estimators, density, x, params, sample, rng, size):
    """The first kind of random data on which the estimator and the likelihood are finite."""
    import numpy as np

    ell = _log_likelihood(density, x, params)
    for kind in _DATA_KINDS:
        data = _draw(kind, rng, size)
        try:
            theta = [_numeric_value(estimators[p], sample, data) for p in params]
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if all(np.isfinite(t) and abs(t.imag) < 1e-9 for t in theta) and np.isfinite(
            ell([t.real for t in theta], data)
        ):
            return kind, data, np.array([t.real for t in theta])
    return None


def _best_candidate(candidates, density, x, params, sample):
    """Among the stationary points, the one with the highest likelihood on sample data."""
    import numpy as np

    if len(candidates) == 1:
        return candidates[0]
    rng = np.random.default_rng(7)
    ell = _log_likelihood(density, x, params)
    best, best_value = None, -np.inf
    for candidate in candidates:
        found = _usable_data(candidate, density, x, params, sample, rng, 40)
        if found is None:
            continue
        _, data, theta = found
        value = ell(theta, data)
        if value > best_value:
            best, best_value = candidate, value
    if best is None:
        raise GlossaryError(f"no stationary point of the likelihood of {density} is a real maximum")
    return best


def _sequential_forms(density, x, params, sample, joint):
    """Rewrite estimators in the form a textbook uses, e.g. σ̂² = Σ(xᵢ − x̄)²/n.

    Each parameter is solved alone with the ones before it replaced by their
    estimates; the rewritten form is kept only where it matches the joint
    solution on random data.
    """
    import numpy as np

    result = dict(joint)
    hats: dict[sp.Symbol, sp.Dummy] = {}
    for index, p in enumerate(params):
        later = set(params[index + 1 :])
        substituted = density.subs(hats)
        separated = _separate(_log_density(substituted), x, {p} | later, expand_all=False)
        if separated is None:
            hats[p] = sp.Dummy(f"{p}_hat")
            continue
        loglik, sums = separated
        solutions = limits.attempt(sp.solve, sp.diff(loglik, p), p, seconds=3) or []
        for solution in solutions:
            if solution.free_symbols & later:
                continue
            candidate = solution.subs({s: sample.sum_of(g) for s, g in sums.items()})
            # Inserted estimators get their own index j, so the nesting reads clearly.
            j = sp.Symbol("j", integer=True, positive=True)
            candidate = candidate.subs({d: result[q].xreplace({sample.i: j}) for q, d in hats.items()})
            rng = np.random.default_rng(11)
            found = _usable_data(joint, density, x, params, sample, rng, 30)
            if found is None:
                break
            _, data, theta = found
            try:
                value = _numeric_value(candidate, sample, data)
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if abs(value - theta[index]) <= 1e-9 * (1 + abs(theta[index])):
                result[p] = candidate
                break
        hats[p] = sp.Dummy(f"{p}_hat")
    return result


def _verify_mle(estimators, density, x, params, sample, points, seed) -> VerificationReport:
    import numpy as np
    from scipy import optimize

    from .numeric import Comparison

    rng = np.random.default_rng(seed)
    comparison = Comparison("numeric optimisation of the log-likelihood (Nelder–Mead) on random samples", 1e-4)
    size = max(10, min(points, 200))
    ell = _log_likelihood(density, x, params)
    values_used = 0
    for _ in range(max(1, points // size)):
        found = _usable_data(estimators, density, x, params, sample, rng, size)
        if found is None:
            raise GlossaryError(f"no kind of random data gives a finite likelihood for {density}")
        kind, data, theta = found
        start = theta * (1 + 0.3 * rng.uniform(-1, 1, size=len(theta))) + 0.05
        outcome = optimize.minimize(
            lambda t: -ell(t, data) if np.isfinite(ell(t, data)) else 1e300,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000},
        )
        point = {"data": f"{size} {kind} values", **{str(p): float(v) for p, v in zip(params, theta, strict=True)}}
        comparison.add(outcome.x, theta, point)
        # The optimiser must not find a higher likelihood than the estimate.
        comparison.add(0.0, max(0.0, -outcome.fun - ell(theta, data)) / size, point)
        values_used += size
    return dataclasses.replace(comparison.report(), points=values_used)


# -- Bayes ---------------------------------------------------------------------------------


def _probability_table(table: Any, name: str) -> dict[Any, sp.Expr]:
    if not isinstance(table, Mapping) or not table:
        raise GlossaryError(f"{name} must be a non-empty mapping from hypotheses to probabilities, got {table!r}")
    result = {}
    for key, value in table.items():
        number = _inputs.expression(value, f"{name}[{key!r}]")
        if number.is_number and not (0 <= number <= 1):
            raise GlossaryError(f"{name}[{key!r}] = {number} is not a probability in [0, 1]")
        result[key] = number
    return result


@helper
def bayes(prior: Any, likelihood: Any) -> Derivation:
    """Posterior ``{hypothesis: P(hypothesis | evidence)}`` by Bayes' theorem.

    Examples:
        >>> bayes({"sick": sp.Rational(1, 100), "healthy": sp.Rational(99, 100)},
        ...       {"sick": sp.Rational(9, 10), "healthy": sp.Rational(1, 10)}).result
        {'sick': 1/12, 'healthy': 11/12}
    """
    prior = _probability_table(prior, "prior")
    likelihood = _probability_table(likelihood, "likelihood")
    if set(prior) != set(likelihood):
        raise GlossaryError(
            "prior and likelihood must name the same hypotheses: "
            f"{sorted(map(str, prior))} vs {sorted(map(str, likelihood))}"
        )
    total_prior = sp.nsimplify(sp.Add(*prior.values()))
    if total_prior.is_number and total_prior != 1:
        raise GlossaryError(f"the prior probabilities add up to {total_prior}, not 1")
    evidence = sp.Add(*(likelihood[h] * prior[h] for h in prior))
    if evidence.is_number and evidence == 0:
        raise GlossaryError("the evidence has probability 0 under every hypothesis, so no posterior exists")
    posterior = {h: sp.factor(sp.cancel(likelihood[h] * prior[h] / evidence)) for h in prior}
    P = sp.Function("P")
    E = sp.Symbol("E")
    steps = [
        Step("사전 확률 P(H)", "the prior P(H)", tuple(sp.Eq(P(sp.Symbol(str(h))), v) for h, v in prior.items())),
        Step(
            "우도 P(E | H)",
            "the likelihood P(E | H)",
            tuple(sp.Eq(sp.Symbol(f"P(E|{h})"), v) for h, v in likelihood.items()),
        ),
        Step(
            "증거 P(E) = Σ P(E | H) P(H) (전확률 법칙)",
            "the evidence P(E) = Σ P(E | H) P(H) (total probability)",
            sp.Eq(P(E), evidence),
        ),
        Step(
            "사후 확률 P(H | E) = P(E | H) P(H) / P(E)",
            "the posterior P(H | E) = P(E | H) P(H) / P(E)",
            tuple(sp.Eq(sp.Symbol(f"P({h}|E)"), v) for h, v in posterior.items()),
        ),
        Step("사후 확률의 합", "the posteriors add up to", sp.Add(*posterior.values())),
        Step("1 이 된다", "one", sp.Integer(1), equals_previous=True),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_by_enumeration(prior, [likelihood], [posterior], points, seed)

    return Derivation(posterior, steps, verify)


@helper
def bayes_update(prior: Any, likelihood: Any, observations: Sequence[Any]) -> Derivation:
    """Posteriors after each observation in turn, yesterday's posterior being today's prior.

    ``likelihood`` maps each hypothesis to ``{outcome: P(outcome | hypothesis)}``.

    Examples:
        >>> half = sp.Rational(1, 2)
        >>> coins = {"fair": {"H": half, "T": half}, "biased": {"H": sp.Rational(9, 10), "T": sp.Rational(1, 10)}}
        >>> bayes_update({"fair": half, "biased": half}, coins, ["H", "H"]).result[-1]
        {'fair': 25/106, 'biased': 81/106}
    """
    prior = _probability_table(prior, "prior")
    if not isinstance(likelihood, Mapping) or set(likelihood) != set(prior):
        raise GlossaryError(f"likelihood must map each hypothesis {sorted(map(str, prior))} to its outcome table")
    if isinstance(observations, (str, bytes)) or not isinstance(observations, Sequence) or not observations:
        raise GlossaryError(f"observations must be a non-empty list of outcomes, got {observations!r}")
    tables = []
    for outcome in observations:
        row = {}
        for h in prior:
            if outcome not in likelihood[h]:
                raise GlossaryError(f"likelihood[{h!r}] gives no probability for the outcome {outcome!r}")
            row[h] = likelihood[h][outcome]
        tables.append(_probability_table(row, f"likelihood of {outcome!r}"))
    posteriors, steps, current = [], [], prior
    for number, (outcome, row) in enumerate(zip(observations, tables, strict=True), 1):
        update = bayes(current, row)
        current = update.result
        posteriors.append(current)
        steps.append(
            Step(
                f"{number}번째 관측 {outcome}: 직전 사후 확률을 사전 확률로 쓴다",
                f"observation {number}, {outcome}: the last posterior becomes the prior",
                tuple(sp.Eq(sp.Symbol(str(h)), v) for h, v in current.items()),
            )
        )

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_by_enumeration(prior, tables, posteriors, points, seed)

    return Derivation(posteriors, steps, verify)


def _verify_by_enumeration(prior, tables, posteriors, points, seed) -> VerificationReport:
    """Condition the joint table of (hypothesis, observations) by enumeration."""
    import itertools

    import numpy as np

    from .numeric import Comparison

    rng = np.random.default_rng(seed)
    symbols = sorted(
        set().union(
            *(v.free_symbols for table in [prior, *tables] for v in table.values()),
            *(v.free_symbols for post in posteriors for v in post.values()),
        ),
        key=sp.default_sort_key,
    )
    comparison = Comparison("enumeration of the joint table of hypotheses and observations", 1e-9)
    hypotheses = list(prior)
    for _ in range(min(points, 200) if symbols else 1):
        values = {s: float(rng.uniform(0.05, 0.95)) for s in symbols}
        numeric = lambda e: float(sp.N(sp.sympify(e).subs(values), 20))  # noqa: E731
        for steps_seen in range(1, len(tables) + 1):
            joint = {}
            # Every outcome sequence: True where the observation was seen, False otherwise.
            for h in hypotheses:
                for pattern in itertools.product((True, False), repeat=steps_seen):
                    weight = numeric(prior[h])
                    for seen, table in zip(pattern, tables[:steps_seen], strict=True):
                        chance = numeric(table[h])
                        weight *= chance if seen else 1 - chance
                    joint[(h, pattern)] = weight
            observed = (True,) * steps_seen
            evidence = sum(w for (h, pattern), w in joint.items() if pattern == observed)
            expected = np.array([joint[(h, observed)] / evidence for h in hypotheses])
            actual = np.array([numeric(posteriors[steps_seen - 1][h]) for h in hypotheses])
            comparison.add(expected, actual, {str(k): v for k, v in values.items()})
    return comparison.report()


limits.preload("scipy.integrate", "scipy.optimize", "scipy.special")
