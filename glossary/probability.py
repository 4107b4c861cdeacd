"""Probability: moments of distributions, the sample mean, maximum likelihood and Bayes' theorem.

Every helper checks its own inputs (a Bernoulli probability outside [0, 1] or a
Uniform with b ≤ a is refused with the value named) and every result is checked
against an independent computation: scipy.stats or numerical integration and
summation of the density for moments, simulation or exact enumeration for the
sample mean and the variance estimator, optimisation of the log-likelihood with
scipy.optimize for maximum-likelihood estimators, and enumeration of the joint
table with exact fractions for Bayes' theorem.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp
import sympy.stats as stats
from sympy.printing.pretty.stringpict import prettyForm
from sympy.stats.drv import SingleDiscreteDistribution

from . import _inputs, limits
from .derivation import Derivation, Part, Step, VerificationReport, helper, values_equal
from .errors import GlossaryError, VerificationError

__all__ = ["bayes", "bayes_update", "mle", "moments", "sample_mean", "variance_estimator_bias"]


# -- how things are shown -----------------------------------------------------------------

_SEPARATOR = "\x1f"


class _Shown(sp.Symbol):
    """A name shown one way in text and another in LaTeX: ``E[X²]`` and ``\\mathbb{E}[X^{2}]``.

    SymPy splits a symbol's name at ``^`` and ``_`` when it prints LaTeX, which
    is how ``E[X^{2]}`` came about; this symbol prints its LaTeX as given.
    Both forms live in the name, so it pickles and compares like any symbol.
    """

    @property
    def text(self) -> str:
        return self.name.split(_SEPARATOR)[0]

    @property
    def tex(self) -> str:
        return self.name.split(_SEPARATOR)[-1]

    def _latex(self, printer: Any) -> str:
        return self.tex

    def _sympystr(self, printer: Any) -> str:
        return self.text

    def _pretty(self, printer: Any) -> Any:
        return prettyForm(self.text)


def _shown(text: str, latex: str) -> _Shown:
    return _Shown(f"{text}{_SEPARATOR}{latex}")


def _frozen(expr: sp.Basic) -> _Shown:
    """An unevaluated expression (1/100 + 99/100) kept as written: SymPy would evaluate it again
    when the derivation travels back from the process that derived it."""
    return _shown(str(expr), sp.latex(expr))


def _written(term: Any) -> tuple[str, str]:
    """(text, LaTeX) of one term of a written-out sum, in parentheses when it is itself a sum."""
    term = sp.sympify(term)
    text, latex = str(term), sp.latex(term)
    if isinstance(term, sp.Add) or (term.is_number and term.is_negative):
        return f"({text})", rf"\left({latex}\right)"
    return text, latex


def _written_sum(terms: Sequence[Any], factors: Sequence[Any] | None = None) -> _Shown:
    """Σ written out term by term (k·P(X = k) + …), in the order given, as a reader checks it."""
    pieces = []
    for index, term in enumerate(terms):
        text, latex = _written(term)
        if factors is not None:
            factor_text, factor_latex = _written(factors[index])
            text, latex = f"{factor_text}·{text}", rf"{factor_latex} \cdot {latex}"
        pieces.append((text, latex))
    return _shown(" + ".join(t for t, _ in pieces), " + ".join(latex for _, latex in pieces))


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\textdollar{}",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "|": r"\textbar{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _text_latex(label: str) -> str:
    """``\\text{…}`` for a name written by an author, with every special character escaped.

    Examples:
        >>> _text_latex("50% off_{x}")
        '\\\\text{50\\\\% off\\\\_\\\\{x\\\\}}'
    """
    cleaned = " ".join(str(label).split())
    return r"\text{" + "".join(_TEXT_ESCAPES.get(c, c) for c in cleaned) + "}"


_KEY_LIMIT = 40


def _key_fragment(label: str) -> str:
    """A part-key fragment for a name: letters, digits and ``_`` kept, spaces and
    punctuation as ``_``, other letters (Korean, Greek …) by their code point.

    Examples:
        >>> _key_fragment("not sick"), _key_fragment("병")
        ('not_sick', 'uBCD1')
    """
    pieces = []
    for c in str(label).strip():
        if c.isascii() and (c.isalnum() or c == "_"):
            pieces.append(c)
        elif c.isascii() or c.isspace():
            pieces.append("_")
        else:
            pieces.append(f"u{ord(c):04X}")
    fragment = re.sub(r"_+", "_", "".join(pieces)).strip("_") or "_"
    if len(fragment) > _KEY_LIMIT:
        digest = hashlib.sha256(str(label).encode()).hexdigest()[:8]
        fragment = f"{fragment[: _KEY_LIMIT - 9]}_{digest}"
    return fragment


def _labels(names: Sequence[Any], what: str) -> dict[Any, str]:
    """Key fragments for hypothesis (or outcome) names; a clear error where two would share one."""
    seen: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    result = {}
    for name in names:
        text = str(name)
        if not text.strip():
            raise GlossaryError(f"{what} {name!r} has an empty name; give every {what} a name")
        if text in shown:
            raise GlossaryError(f"the {what}s {shown[text]!r} and {name!r} are both written {text!r}; rename one")
        shown[text] = name
        fragment = _key_fragment(text)
        if fragment in seen:
            raise GlossaryError(
                f"the {what}s {seen[fragment]!r} and {name!r} would share the part name {fragment!r} "
                "(part names keep only letters, digits and _); rename one so they differ in those"
            )
        seen[fragment] = name
        result[name] = fragment
    return result


def _parameter_names(symbol: sp.Symbol) -> tuple[str, str]:
    """(LaTeX, text) of a parameter symbol: ``\\mu``/``μ`` for mu, ``p``/``p`` for p."""
    latex = sp.latex(symbol)
    text = sp.pretty(symbol, use_unicode=True)
    if "\n" in text:
        text = str(symbol)
    return latex, text


_VARIANCE_NAMES = ("v", "var", "variance", "sigma2", "sigma_sq")


def _hat_names(symbol: sp.Symbol) -> tuple[str, str]:
    """(LaTeX, text) of an estimator: ``\\hat{\\mu}``/``μ̂``; a variance symbol is ``\\hat{\\sigma}^{2}``/``σ̂²``."""
    if symbol.name.lower() in _VARIANCE_NAMES:
        return r"\hat{\sigma}^{2}", "σ̂²"
    latex, text = _parameter_names(symbol)
    if len(text) == 1 or (text[:1].isalpha() and not text[1:2].isalpha()):
        hatted_text = text[:1] + "\u0302" + text[1:]
    else:
        hatted_text = f"{text}\u0302"
    hat = r"\hat" if len(text) == 1 else r"\widehat"
    return rf"{hat}{{{latex}}}", hatted_text


def _math(symbol: sp.Basic) -> str:
    """Inline math for a caption: ``$\\mu$``."""
    return f"${sp.latex(symbol)}$"


def _rv_names(X: Any) -> tuple[str, str]:
    """(LaTeX, text) of a random variable's name."""
    name = str(getattr(X, "name", X))
    return sp.latex(sp.Symbol(name)), name


def _expectation(inner_latex: str, inner_text: str) -> _Shown:
    return _shown(f"E[{inner_text}]", rf"\mathbb{{E}}[{inner_latex}]")


def _variance_of(inner_latex: str, inner_text: str) -> _Shown:
    return _shown(f"Var[{inner_text}]", rf"\operatorname{{Var}}[{inner_latex}]")


# -- parameters: what each distribution accepts -----------------------------------------------

# A rule is (argument, requirement); a requirement is one of the names below or
# (relation, other argument), read "argument relation other".
_PROBABILITY = "a probability in [0, 1]"
_PROBABILITY_POSITIVE = "a probability in (0, 1]"
_PROBABILITY_OPEN = "a probability in (0, 1)"
_POSITIVE = "positive"
_NONNEGATIVE = "non-negative"
_REAL = "a real number"
_COUNT = "a whole number ≥ 0"
_POSITIVE_INTEGER = "a whole number ≥ 1"
_ABOVE_ONE = "greater than 1"
_AT_LEAST_HALF = "at least 1/2"

_RULES: dict[str, tuple[tuple[str, Any], ...]] = {
    "Bernoulli": (("p", _PROBABILITY), ("succ", _REAL), ("fail", _REAL)),
    "Binomial": (("n", _COUNT), ("p", _PROBABILITY), ("succ", _REAL), ("fail", _REAL)),
    "BetaBinomial": (("n", _COUNT), ("alpha", _POSITIVE), ("beta", _POSITIVE)),
    "Hypergeometric": (("N", _COUNT), ("m", _COUNT), ("n", _COUNT), ("m", ("<=", "N")), ("n", ("<=", "N"))),
    "Die": (("sides", _POSITIVE_INTEGER),),
    "Poisson": (("lamda", _POSITIVE),),
    "Geometric": (("p", _PROBABILITY_POSITIVE),),
    "NegativeBinomial": (("r", _POSITIVE), ("p", _PROBABILITY_OPEN)),
    "Logarithmic": (("p", _PROBABILITY_OPEN),),
    "Skellam": (("mu1", _NONNEGATIVE), ("mu2", _NONNEGATIVE)),
    "YuleSimon": (("rho", _POSITIVE),),
    "Zeta": (("s", _ABOVE_ONE),),
    "Normal": (("mean", _REAL), ("std", _POSITIVE)),
    "Exponential": (("rate", _POSITIVE),),
    "Uniform": (("left", _REAL), ("right", _REAL), ("right", (">", "left"))),
    "Gamma": (("k", _POSITIVE), ("theta", _POSITIVE)),
    "Beta": (("alpha", _POSITIVE), ("beta", _POSITIVE)),
    "Laplace": (("mu", _REAL), ("b", _POSITIVE)),
    "Logistic": (("mu", _REAL), ("s", _POSITIVE)),
    "StudentT": (("nu", _POSITIVE),),
    "Cauchy": (("x0", _REAL), ("gamma", _POSITIVE)),
    "ChiSquared": (("k", _POSITIVE_INTEGER),),
    "Chi": (("k", _POSITIVE),),
    "Erlang": (("k", _POSITIVE_INTEGER), ("l", _POSITIVE)),
    "Rayleigh": (("sigma", _POSITIVE),),
    "Weibull": (("alpha", _POSITIVE), ("beta", _POSITIVE)),
    "LogNormal": (("mean", _REAL), ("std", _POSITIVE)),
    "Pareto": (("xm", _POSITIVE), ("alpha", _POSITIVE)),
    "Maxwell": (("a", _POSITIVE),),
    "Gumbel": (("beta", _POSITIVE), ("mu", _REAL)),
    "Arcsin": (("a", _REAL), ("b", _REAL), ("b", (">", "a"))),
    "Triangular": (("a", _REAL), ("b", _REAL), ("c", _REAL), ("b", (">", "a")), ("c", (">=", "a")), ("c", ("<=", "b"))),
    "FDistribution": (("d1", _POSITIVE), ("d2", _POSITIVE)),
    "BetaPrime": (("alpha", _POSITIVE), ("beta", _POSITIVE)),
    "Nakagami": (("mu", _AT_LEAST_HALF), ("omega", _POSITIVE)),
}

# Families whose tails are too heavy for every moment: (parameter, the mean exists
# above this value, the variance above this one); None: no mean for any parameter.
_TAILS: dict[str, tuple[str, int, int] | None] = {
    "Cauchy": None,
    "Levy": None,
    "LogCauchy": None,
    "StudentT": ("nu", 1, 2),
    "Pareto": ("alpha", 1, 2),
    "BetaPrime": ("beta", 1, 2),
    "FDistribution": ("d2", 2, 4),
}


def _family(distribution: Any) -> str:
    """``Bernoulli`` for a BernoulliDistribution (and ``FDistribution`` for SymPy's FDistributionDistribution)."""
    return type(distribution).__name__.removesuffix("Distribution")


def _arguments(distribution: Any) -> dict[str, sp.Expr]:
    names = getattr(type(distribution), "_argnames", ())
    if not names:
        return {}
    return {name: sp.sympify(value) for name, value in zip(names, distribution.args, strict=False)}


def _requirement(requirement: Any, value: sp.Expr, arguments: Mapping[str, sp.Expr]) -> tuple[Any, str]:
    """(condition as a SymPy boolean, the requirement in words) for one rule."""
    if isinstance(requirement, tuple):
        relation, other = requirement
        bound = arguments[other]
        condition = {">": sp.Gt, ">=": sp.Ge, "<=": sp.Le, "<": sp.Lt}[relation](value, bound)
        words = {">": "greater than", ">=": "at least", "<=": "at most", "<": "less than"}[relation]
        return condition, f"{words} {_argument_name(other)} = {bound}"
    if requirement == _REAL:
        return (sp.false if value.is_extended_real is False else sp.true), requirement
    lower_upper = {
        _PROBABILITY: (sp.Ge, 0, sp.Le, 1),
        _PROBABILITY_POSITIVE: (sp.Gt, 0, sp.Le, 1),
        _PROBABILITY_OPEN: (sp.Gt, 0, sp.Lt, 1),
    }
    if requirement in lower_upper:
        low, a, high, b = lower_upper[requirement]
        if value.is_extended_real is False:
            return sp.false, requirement
        return sp.And(low(value, a), high(value, b)), requirement
    if requirement in (_COUNT, _POSITIVE_INTEGER):
        if value.is_integer is False:
            return sp.false, requirement
        return (sp.Ge(value, 0) if requirement == _COUNT else sp.Ge(value, 1)), requirement
    single = {
        _POSITIVE: (sp.Gt, 0),
        _NONNEGATIVE: (sp.Ge, 0),
        _ABOVE_ONE: (sp.Gt, 1),
        _AT_LEAST_HALF: (sp.Ge, sp.S.Half),
    }
    relation, bound = single[requirement]
    if value.is_extended_real is False:
        return sp.false, requirement
    return relation(value, bound), requirement


def _argument_name(name: str) -> str:
    """A distribution argument as a reader writes it: ν for nu, λ for lamda, x₀ for x0."""
    return sp.pretty(sp.Symbol(name), use_unicode=True)


def _describe(distribution: Any) -> str:
    arguments = _arguments(distribution)
    inside = ", ".join(f"{_argument_name(k)} = {v}" for k, v in arguments.items()) or ", ".join(
        map(str, distribution.args)
    )
    return f"{_family(distribution)}({inside})"


def _check_parameters(distribution: Any) -> list[Any]:
    """Refuse parameters outside the distribution's domain; return the conditions left open by symbols.

    A value that breaks a rule is a `GlossaryError` naming it; a rule SymPy
    cannot decide (a plain symbol) is returned, so that checks sample only
    values that satisfy it.
    """
    family = _family(distribution)
    arguments = _arguments(distribution)
    open_conditions = []
    for name, requirement in _RULES.get(family, ()):
        if name not in arguments:
            continue
        value = arguments[name]
        try:
            condition, words = _requirement(requirement, value, arguments)
        except TypeError:  # SymPy refuses to order a non-real value
            condition, words = sp.false, _REAL
        if condition is sp.false or condition == sp.false:
            raise GlossaryError(
                f"{_describe(distribution)}: {_argument_name(name)} = {value} must be {words}; change that parameter"
            )
        if condition is not sp.true and condition != sp.true:
            open_conditions.append(condition)
    if family not in _RULES:
        check = getattr(type(distribution), "check", None)
        if callable(check):
            try:
                check(*distribution.args)
            except (ValueError, TypeError) as error:
                raise GlossaryError(f"{_describe(distribution)} is not a valid distribution: {error}") from None
    return open_conditions


def _tail_conditions(distribution: Any) -> list[Any]:
    """The conditions under which the mean and the variance exist, or an error where they do not."""
    family = _family(distribution)
    if family not in _TAILS:
        return []
    rule = _TAILS[family]
    if rule is None:
        raise GlossaryError(
            f"{_describe(distribution)} has no mean and no variance: its tails decay so slowly that "
            "∫ |x| f(x) dx diverges. Describe it by its median and quartiles instead"
        )
    argument, mean_above, variance_above = rule
    value = _arguments(distribution)[argument]
    name = _argument_name(argument)
    has_mean = sp.Gt(value, mean_above)
    has_variance = sp.Gt(value, variance_above)
    if has_mean == sp.false:
        raise GlossaryError(
            f"{_describe(distribution)} has no mean (and no variance): ∫ |x| f(x) dx diverges for "
            f"{name} ≤ {mean_above}. The mean exists only for {name} > {mean_above} and the variance only for "
            f"{name} > {variance_above}"
        )
    if has_variance == sp.false:
        raise GlossaryError(
            f"{_describe(distribution)} has a mean but no finite variance: ∫ x² f(x) dx diverges for "
            f"{name} ≤ {variance_above}. The variance exists only for {name} > {variance_above}"
        )
    return [] if has_variance == sp.true else [has_variance]


class _ParameterSpace:
    """Random exact values for the symbols of a distribution that satisfy its rules and conditions."""

    def __init__(self, distribution: Any, conditions: Sequence[Any] = ()) -> None:
        self.distribution = distribution
        self.family = _family(distribution)
        self.arguments = _arguments(distribution)
        self.conditions = list(conditions)
        self.symbols = sorted(
            set().union(
                *(sp.sympify(a).free_symbols for a in distribution.args), *(c.free_symbols for c in conditions)
            ),
            key=sp.default_sort_key,
        )
        self.probabilities = {
            value
            for name, requirement in _RULES.get(self.family, ())
            if isinstance(requirement, str) and requirement.startswith("a probability")
            for value in [self.arguments.get(name)]
            if isinstance(value, sp.Symbol)
        }
        self.counts = {
            value
            for name, requirement in _RULES.get(self.family, ())
            if requirement in (_COUNT, _POSITIVE_INTEGER)
            for value in [self.arguments.get(name)]
            if isinstance(value, sp.Symbol)
        }

    def _draw_one(self, symbol: sp.Symbol, rng: Any) -> sp.Expr:
        if symbol.is_integer or symbol in self.counts:
            return sp.Integer(int(rng.integers(1, 13)))
        if symbol in self.probabilities:
            return sp.Rational(int(rng.integers(20, 981)), 1000)
        if symbol.is_positive or symbol.is_nonnegative:
            return sp.Rational(round(math.exp(rng.uniform(math.log(0.2), math.log(6.0))) * 1000), 1000)
        return sp.Rational(int(rng.integers(-3000, 3001)), 1000)

    def draw(self, rng: Any, tries: int = 400) -> dict[sp.Symbol, sp.Expr]:
        for _ in range(tries):
            values = {s: self._draw_one(s, rng) for s in self.symbols}
            numeric = [sp.sympify(a).xreplace(values) for a in self.distribution.args]
            try:
                candidate = type(self.distribution)(*numeric)
                _check_parameters(candidate)
                _tail_conditions(candidate)
            except (GlossaryError, ValueError, TypeError):
                continue
            if all(sp.sympify(c).xreplace(values) == sp.true for c in self.conditions):
                return values
        raise GlossaryError(f"no random parameter values satisfy the constraints of {_describe(self.distribution)}")


# -- independent checks ---------------------------------------------------------------------


class _Check:
    """Independent values against the symbolic result, with the error measured on a scale
    that fits each quantity (a mean in standard deviations, a variance relative to itself),
    so that tiny values are compared as carefully as large ones."""

    def __init__(self, method: str, tolerance: float) -> None:
        self.method = method
        self.tolerance = tolerance
        self.max_error = 0.0
        self.points = 0

    def add(self, expected: complex, actual: complex, scale: float, point: Mapping[str, Any]) -> None:
        expected, actual = complex(expected), complex(actual)
        shown = {str(k): _plain_number(v) for k, v in point.items()}
        if not (_finite(expected) and _finite(actual)):
            raise VerificationError(
                f"{self.method}: a value is not finite",
                point=shown,
                expected=_plain_number(expected),
                actual=_plain_number(actual),
            )
        difference = abs(expected - actual)
        error = 0.0 if difference == 0 else float(difference / max(abs(float(scale)), 1e-300))
        if error > self.tolerance:
            raise VerificationError(
                f"{self.method}: error {error:.3g} exceeds {self.tolerance:g}",
                point=shown,
                expected=_plain_number(expected),
                actual=_plain_number(actual),
            )
        self.max_error = max(self.max_error, error)
        self.points += 1

    def report(self, points: int | None = None) -> VerificationReport:
        if self.points == 0:
            raise VerificationError(f"{self.method}: no point could be checked")
        return VerificationReport(self.method, points or self.points, self.max_error, self.tolerance)


def _finite(value: complex) -> bool:
    return math.isfinite(value.real) and math.isfinite(value.imag)


def _plain_number(value: Any) -> Any:
    if isinstance(value, sp.Basic):
        return str(value)
    if isinstance(value, complex):
        return value.real if abs(value.imag) <= 1e-12 * (1 + abs(value.real)) else value
    return value


def _number(expr: Any, values: Mapping[Any, Any] | None = None) -> complex:
    """The value of a symbolic result at a point, at 30 digits (values are exact rationals)."""
    expr = sp.sympify(expr)
    if values:
        expr = expr.xreplace(dict(values))
    number = sp.N(expr, 30)
    if number.free_symbols:
        raise GlossaryError(f"the result still holds {sorted(map(str, number.free_symbols))} after substitution")
    return complex(number)


# -- moments -------------------------------------------------------------------------------


def _random_variable(X: Any):
    if not isinstance(X, stats.rv.RandomSymbol):
        raise GlossaryError(f"X must be a sympy.stats random variable such as Normal('X', 0, 1), got {X!r}")
    distribution = getattr(X.pspace, "distribution", None)
    if distribution is None or not hasattr(distribution, "args"):
        raise GlossaryError(f"X = {X} is not a single random variable with one distribution")
    return distribution


def _tidy(value: Any) -> sp.Expr:
    """A readable form: rational functions factored with a positive leading sign (p(1 − p), not
    −p(p − 1)), gamma and beta functions of numbers evaluated, anything else simplified if SymPy
    manages within two seconds."""
    value = sp.sympify(value)
    if value.has(sp.beta, sp.gamma, sp.binomial, sp.factorial, sp.hyper, sp.catalan):
        rewritten = limits.attempt(lambda v: sp.gammasimp(sp.hyperexpand(v).rewrite(sp.gamma)), value, seconds=2)
        value = value if rewritten is None else rewritten
    if sp.count_ops(value) < 300 and value.is_rational_function():
        return _leading_sign(sp.factor(sp.cancel(value)))
    simpler = limits.attempt(sp.simplify, value, seconds=2)
    return value if simpler is None else _leading_sign(simpler)


def _tidy_rational(value: sp.Expr) -> sp.Expr:
    """Factor a rational function (quick); leave anything else as it is."""
    if sp.count_ops(value) < 300 and value.is_rational_function():
        return _leading_sign(sp.factor(sp.cancel(value)))
    return value


def _leading_sign(expr: sp.Expr) -> sp.Expr:
    """−r(p − 1)/p as r(1 − p)/p: a negative coefficient is absorbed by one linear factor of the
    numerator, and a denominator that leads with a minus sign hands it to the numerator."""
    if not isinstance(expr, sp.Mul):
        return expr
    numerator, denominator = sp.fraction(expr)
    if isinstance(denominator, sp.Add) and denominator.as_ordered_terms()[0].could_extract_minus_sign():
        numerator, denominator = -numerator, sp.expand(-denominator)
    coefficient, rest = numerator.as_coeff_Mul()
    if coefficient.is_negative:
        factors = list(sp.Mul.make_args(rest))
        for index, factor in enumerate(factors):
            base, exponent = factor.as_base_exp()
            if isinstance(base, sp.Add) and exponent.is_integer and exponent.is_odd and exponent.is_positive:
                factors[index] = (-base) ** exponent
                numerator = sp.Mul(-coefficient, *factors)
                break
    return numerator / denominator


def _assumed(distribution: Any) -> dict[sp.Symbol, sp.Dummy]:
    """Stand-ins with the assumptions a parameter's rule implies (a rate is positive, a mean real),
    so that SymPy integrates without splitting into cases the rules already exclude."""
    family = _family(distribution)
    arguments = _arguments(distribution)
    positive = {
        value
        for name, requirement in _RULES.get(family, ())
        if requirement in (_POSITIVE, _PROBABILITY_POSITIVE, _PROBABILITY_OPEN, _ABOVE_ONE, _AT_LEAST_HALF)
        or (isinstance(requirement, str) and requirement.startswith("a probability"))
        for value in [arguments.get(name)]
        if isinstance(value, sp.Symbol) and not value.is_positive
    }
    mapping: dict[sp.Symbol, sp.Dummy] = {}
    for symbol in sorted(
        set().union(*(sp.sympify(a).free_symbols for a in distribution.args)), key=sp.default_sort_key
    ):
        if symbol in positive:
            mapping[symbol] = sp.Dummy(symbol.name, positive=True, integer=symbol.is_integer)
        elif symbol.is_extended_real is None:
            mapping[symbol] = sp.Dummy(symbol.name, real=True, integer=symbol.is_integer)
    return mapping


def _replace(obj: Any, mapping: Mapping[Any, Any]) -> Any:
    """xreplace through tuples; equations are rebuilt unevaluated (evaluating them again is slow)."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(_replace(item, mapping) for item in obj)
    if isinstance(obj, sp.Equality):
        return sp.Eq(_replace(obj.lhs, mapping), _replace(obj.rhs, mapping), evaluate=False)
    if isinstance(obj, sp.Basic):
        return obj.xreplace(dict(mapping))
    return obj


@dataclasses.dataclass
class _Moments:
    mean: sp.Expr
    variance: sp.Expr
    steps: list[Step]
    conditions: list[Any]
    distribution: Any


def _mean_names(X: Any) -> tuple[_Shown, _Shown, _Shown]:
    latex, text = _rv_names(X)
    return (
        _expectation(latex, text),
        _shown(f"E[{text}²]", rf"\mathbb{{E}}[{latex}^{{2}}]"),
        _variance_of(latex, text),
    )


def _variance_steps(X: Any, mean: sp.Expr, second: sp.Expr, variance: sp.Expr) -> list[Step]:
    _, _, var = _mean_names(X)
    latex, _ = _rv_names(X)
    rule = rf"$\operatorname{{Var}}[{latex}] = \mathbb{{E}}[{latex}^{{2}}] - \mathbb{{E}}[{latex}]^{{2}}$"
    return [
        Step(rule, rule, sp.Eq(var, second - mean**2, evaluate=False)),
        Step("정리하면", "simplified", sp.Eq(var, variance), equals_previous=True),
    ]


def _binomial_by_mgf(X: Any, distribution: Any) -> tuple[sp.Expr, sp.Expr, list[Step]]:
    """Mean and variance of Binomial(n, p) for symbolic n, from the MGF of n independent Bernoulli trials.

    sympy.stats leaves these as unevaluated sums for symbolic n, so they are
    derived here from M_X(t) = M_B(t)ⁿ.
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
    M_B = _shown("M_B(t)", "M_{B}(t)")
    M_X = _shown("M_X(t)", "M_{X}(t)")
    dM_X = _shown("M_X′(t)", "M_{X}'(t)")
    e_x, e_x2, _ = _mean_names(X)
    i = sp.Symbol("i", integer=True, positive=True)
    n_math, p_math = _math(n), _math(p)
    steps = [
        Step(
            f"$X$는 성공 확률이 {p_math}인 서로 독립인 베르누이 시행 {n_math}개의 합",
            f"$X$ is the sum of {n_math} independent Bernoulli trials with success probability {p_math}",
            sp.Eq(sp.Symbol("X"), sp.Sum(sp.Indexed("B", i), (i, 1, n))),
        ),
        Step(
            r"한 시행의 적률생성함수 $M_{B}(t) = \mathbb{E}[e^{tB}]$",
            r"the moment generating function of one trial, $M_{B}(t) = \mathbb{E}[e^{tB}]$",
            sp.Eq(M_B, trial_mgf),
        ),
        Step(
            r"시행이 서로 독립이므로 합의 적률생성함수는 곱이 된다: $M_{X}(t) = M_{B}(t)^{n}$",
            r"the trials are independent, so the MGF of the sum is the product: $M_{X}(t) = M_{B}(t)^{n}$",
            sp.Eq(M_X, mgf),
        ),
        Step(r"$t$에 대해 한 번 미분", r"differentiate once with respect to $t$", sp.Eq(dM_X, first)),
        Step(r"$\mathbb{E}[X] = M_{X}'(0)$", r"$\mathbb{E}[X] = M_{X}'(0)$", sp.Eq(e_x, mean)),
        Step(r"$\mathbb{E}[X^{2}] = M_{X}''(0)$", r"$\mathbb{E}[X^{2}] = M_{X}''(0)$", sp.Eq(e_x2, raw_second)),
        *_variance_steps(X, mean, raw_second, variance),
    ]
    return mean, variance, steps


_TABLE_SHOWN = 12


def _by_table(X: Any, work: Any) -> tuple[sp.Expr, sp.Expr, list[Step]] | None:
    """Moments of a finite distribution by summing its table: Σ x·P(X = x) and Σ x²·P(X = x)."""
    table = limits.attempt(lambda d: dict(d.dict), work, seconds=3)
    if table is None:
        return None
    if len(table) > 2000:
        return None
    latex, text = _rv_names(X)
    e_x, e_x2, _ = _mean_names(X)
    mean = sp.Add(*(k * v for k, v in table.items()))
    second = sp.Add(*(k**2 * v for k, v in table.items()))
    total = sp.Add(*table.values())
    if not values_equal(total, 1):
        raise GlossaryError(f"the probabilities of {X} add up to {total}, not 1")
    mean, second = _tidy(mean), _tidy(second)
    small = len(table) <= _TABLE_SHOWN
    entries = list(table.items())[:_TABLE_SHOWN]
    row = tuple(
        sp.Eq(_shown(f"P({text} = {k})", rf"P({latex} = {sp.latex(k)})"), v, evaluate=False) for k, v in entries
    )
    steps = [
        Step(
            "확률분포표(값: 확률)" if small else f"확률분포표의 처음 {_TABLE_SHOWN}개 값(모두 {len(table)}개)",
            "the probability table (value: probability)"
            if small
            else f"the first {_TABLE_SHOWN} of the {len(table)} values of the probability table",
            row,
        )
    ]
    if small:
        steps.append(
            Step(
                "전체 확률은 1",
                "the total probability is 1",
                sp.Eq(_written_sum(list(table.values())), 1),
            )
        )
        steps += [
            Step(
                rf"기댓값의 정의 $\mathbb{{E}}[{latex}] = \sum_{{x}} x\,P({latex} = x)$",
                rf"the definition of the mean, $\mathbb{{E}}[{latex}] = \sum_{{x}} x\,P({latex} = x)$",
                sp.Eq(e_x, _written_sum(list(table.values()), list(table))),
            ),
            Step("더하면", "adding up", sp.Eq(e_x, mean)),
            Step(
                rf"$\mathbb{{E}}[{latex}^{{2}}] = \sum_{{x}} x^{{2}}\,P({latex} = x)$",
                rf"$\mathbb{{E}}[{latex}^{{2}}] = \sum_{{x}} x^{{2}}\,P({latex} = x)$",
                sp.Eq(
                    e_x2,
                    _written_sum(list(table.values()), [sp.Pow(k, 2, evaluate=False) for k in table]),
                ),
            ),
            Step("더하면", "adding up", sp.Eq(e_x2, second)),
        ]
    else:
        steps += [
            Step(
                rf"기댓값 $\mathbb{{E}}[{latex}] = \sum_{{x}} x\,P({latex} = x)$",
                rf"the mean $\mathbb{{E}}[{latex}] = \sum_{{x}} x\,P({latex} = x)$",
                sp.Eq(e_x, mean),
            ),
            Step(
                rf"$\mathbb{{E}}[{latex}^{{2}}] = \sum_{{x}} x^{{2}}\,P({latex} = x)$",
                rf"$\mathbb{{E}}[{latex}^{{2}}] = \sum_{{x}} x^{{2}}\,P({latex} = x)$",
                sp.Eq(e_x2, second),
            ),
        ]
    variance = _tidy(second - mean**2)
    return mean, variance, steps + _variance_steps(X, mean, second, variance)


class _Points(Sequence):
    """Eight valid parameter points, in the symbols the derivation works with, drawn only when a
    Piecewise result needs them (drawing checks every rule, which costs time on the common path)."""

    def __init__(self, space: _ParameterSpace, mapping: Mapping[Any, Any]) -> None:
        self.space = space
        self.mapping = mapping
        self._drawn: list[dict[Any, Any]] | None = None

    def _all(self) -> list[dict[Any, Any]]:
        if self._drawn is None:
            self._drawn = []
            if self.space.symbols:
                import numpy as np

                rng = np.random.default_rng(3)
                self._drawn = [{self.mapping.get(s, s): v for s, v in self.space.draw(rng).items()} for _ in range(8)]
        return self._drawn

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def _settle(expr: sp.Expr, points: Sequence[Mapping[Any, Any]]) -> sp.Expr | None:
    """The branch of a Piecewise that holds at every valid parameter point, else None.

    SymPy attaches convergence conditions to sums and integrals (``p < 2`` for a
    geometric series); the parameter rules decide them.
    """
    expr = sp.piecewise_fold(expr)
    if not isinstance(expr, sp.Piecewise):
        return expr
    for value, condition in expr.args:
        if condition == sp.true or (points and all(condition.xreplace(dict(p)) == sp.true for p in points)):
            return _settle(value, points)
    return None


def _closed(value: Any) -> bool:
    return (
        isinstance(value, sp.Expr)
        and not value.has(sp.Integral, sp.Sum, sp.Piecewise, sp.Limit)
        and not value.has(sp.oo, -sp.oo, sp.zoo, sp.nan)
    )


def _integrate_moments(pdf: sp.Expr, variable: sp.Symbol, low: Any, high: Any, discrete: bool):
    if discrete:
        return tuple(sp.summation(variable**power * pdf, (variable, low, high)) for power in (0, 1, 2))
    # With numeric parameters there is no case to distinguish, and skipping SymPy's convergence
    # conditions makes the integrals several times faster; with symbols they say when a moment exists.
    options = {"conds": "none"} if not (pdf.free_symbols - {variable}) else {}
    return tuple(sp.integrate(variable**power * pdf, (variable, low, high), **options) for power in (0, 1, 2))


def _by_definition(X: Any, work: Any, points: Sequence[Mapping[Any, Any]]):
    """Moments straight from the definition, ∫ x f(x) dx (or Σ k f(k)), when SymPy integrates in time."""
    discrete = isinstance(work, SingleDiscreteDistribution)
    variable = sp.Symbol("k", integer=True) if discrete else sp.Symbol("x", real=True)
    support = work.set
    low, high = support.inf, support.sup
    pdf = work.pdf(variable)
    found = limits.attempt(_integrate_moments, pdf, variable, low, high, discrete, seconds=4)
    if found is None:
        return None
    total, first, second = (_settle(v, points) for v in found)
    if total is not None and not total.free_symbols and not (_closed(total) and values_equal(total, 1)):
        raise GlossaryError(
            f"the density SymPy gives for {_describe(work)}, f(x) = {pdf}, integrates to {total} over its support "
            f"{support}, not to 1, so it is not a probability density as SymPy defines it"
        )
    for value, what in ((first, "mean"), (second, "mean of the square")):
        if value is not None and value.has(sp.oo, -sp.oo, sp.zoo, sp.nan) and not value.free_symbols:
            raise GlossaryError(f"the {what} of {_describe(work)} is not finite, so {X} has no finite variance")
    if not (_closed(first) and _closed(second)):
        return None
    latex, _ = _rv_names(X)
    e_x, e_x2, _ = _mean_names(X)
    f = _shown(f"f({variable})", rf"f({variable})")
    density_caption = (
        (r"확률질량함수 $f(k) = P(X = k)$", r"the probability mass function $f(k) = P(X = k)$")
        if discrete
        else (r"확률밀도함수 $f(x)$", r"the probability density $f(x)$")
    )

    def operator(e: sp.Expr) -> sp.Expr:
        return sp.Sum(e, (variable, low, high)) if discrete else sp.Integral(e, (variable, low, high))

    steps = [Step(density_caption[0], density_caption[1], sp.Eq(f, pdf))]
    if total is not None and _closed(total) and values_equal(total, 1):
        steps.append(Step("전체 확률은 1", "the total probability is 1", sp.Eq(_frozen(operator(f)), 1)))
    symbol = r"\sum_{k}" if discrete else r"\int"
    tail = "" if discrete else r"\,dx"
    mean, second = _tidy(first), _tidy(second)
    steps += [
        Step(
            rf"기댓값의 정의 $\mathbb{{E}}[{latex}] = {symbol} {variable} f({variable}){tail}$",
            rf"the definition of the mean, $\mathbb{{E}}[{latex}] = {symbol} {variable} f({variable}){tail}$",
            sp.Eq(e_x, operator(variable * pdf)),
        ),
        Step("계산하면" if discrete else "적분하면", "summing" if discrete else "integrating", sp.Eq(e_x, mean)),
        Step(
            rf"$\mathbb{{E}}[{latex}^{{2}}] = {symbol} {variable}^{{2}} f({variable}){tail}$",
            rf"$\mathbb{{E}}[{latex}^{{2}}] = {symbol} {variable}^{{2}} f({variable}){tail}$",
            sp.Eq(e_x2, operator(variable**2 * pdf)),
        ),
        Step("계산하면" if discrete else "적분하면", "summing" if discrete else "integrating", sp.Eq(e_x2, second)),
    ]
    variance = _tidy(second - mean**2)
    return mean, variance, steps + _variance_steps(X, mean, second, variance)


def _at_zero(expr: sp.Expr, t: sp.Symbol) -> sp.Expr:
    value = expr.subs(t, 0)
    value = value.replace(lambda e: isinstance(e, sp.hyper) and e.argument == 0, lambda e: sp.Integer(1))
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Piecewise):
        value = sp.limit(expr, t, 0)
    return value


def _mgf_derivatives(work: Any, t: sp.Symbol):
    mgf = work._moment_generating_function(t)
    if isinstance(mgf, sp.Piecewise):
        # Piecewise((…/t, Ne(t, 0)), (1, True)): the second branch only fills the removable
        # singularity at 0, and differentiating it would give 0; the moments are limits of the first.
        general = [e for e, c in mgf.args if c != sp.true and t in c.free_symbols]
        if len(general) != 1:
            return None
        mgf = general[0]
        # Its Taylor series about 0 gives the moments as coefficients, far faster than limits.
        series = sp.series(mgf, t, 0, 3).removeO()
        return mgf, sp.diff(mgf, t), series.coeff(t, 0), series.coeff(t, 1), 2 * series.coeff(t, 2)
    first = sp.diff(mgf, t)
    second = sp.diff(first, t)
    return mgf, first, _at_zero(mgf, t), _at_zero(first, t), _at_zero(second, t)


def _by_mgf(X: Any, work: Any, points: Sequence[Mapping[Any, Any]]):
    """Moments from the moment generating function: E[X] = M′(0), E[X²] = M″(0)."""
    t = sp.Symbol("t")
    found = limits.attempt(_mgf_derivatives, work, t, seconds=4)
    if found is None:
        return None
    mgf, derivative, constant, first, second = found
    first, second = _settle(first, points), _settle(second, points)
    if not (_closed(first) and _closed(second)) or not values_equal(constant, 1):
        return None
    latex, _ = _rv_names(X)
    e_x, e_x2, _ = _mean_names(X)
    M = _shown(f"M_{X}(t)", rf"M_{{{latex}}}(t)")
    dM = _shown(f"M_{X}′(t)", rf"M_{{{latex}}}'(t)")
    mean, second = _tidy(first), _tidy(second)
    steps = [
        Step(
            rf"적률생성함수 $M_{{{latex}}}(t) = \mathbb{{E}}[e^{{t{latex}}}]$",
            rf"the moment generating function $M_{{{latex}}}(t) = \mathbb{{E}}[e^{{t{latex}}}]$",
            sp.Eq(M, mgf),
        )
    ]
    if sp.count_ops(derivative) <= 60:
        steps.append(Step(r"$t$에 대해 미분", r"differentiate with respect to $t$", sp.Eq(dM, derivative)))
    steps += [
        Step(
            rf"$\mathbb{{E}}[{latex}] = M_{{{latex}}}'(0)$",
            rf"$\mathbb{{E}}[{latex}] = M_{{{latex}}}'(0)$",
            sp.Eq(e_x, mean),
        ),
        Step(
            rf"$\mathbb{{E}}[{latex}^{{2}}] = M_{{{latex}}}''(0)$",
            rf"$\mathbb{{E}}[{latex}^{{2}}] = M_{{{latex}}}''(0)$",
            sp.Eq(e_x2, second),
        ),
    ]
    variance = _tidy(second - mean**2)
    return mean, variance, steps + _variance_steps(X, mean, second, variance)


def _by_log_transform(X: Any, work: Any, points: Sequence[Mapping[Any, Any]]):
    """A log-normal X = e^Y, Y ~ N(μ, σ²): E[X^k] = E[e^{kY}] is the normal MGF at t = k."""
    if _family(work) != "LogNormal":
        return None
    mu, sigma = work.args
    t = sp.Symbol("t")
    Y = _shown("Y", "Y")
    M = _shown("M_Y(t)", "M_{Y}(t)")
    mgf = sp.exp(mu * t + sigma**2 * t**2 / 2)
    e_x, e_x2, _ = _mean_names(X)
    latex, _ = _rv_names(X)
    mean, second = mgf.subs(t, 1), mgf.subs(t, 2)
    variance = _tidy(sp.factor(sp.expand(second - mean**2)))
    steps = [
        Step(
            rf"${latex} = e^{{Y}}$이고 $Y$는 정규 분포 $N({sp.latex(mu)}, {sp.latex(sigma**2)})$을 따른다",
            rf"${latex} = e^{{Y}}$ with $Y$ normal, $N({sp.latex(mu)}, {sp.latex(sigma**2)})$",
            sp.Eq(sp.Symbol(str(X)), sp.exp(Y)),
        ),
        Step(
            rf"$\mathbb{{E}}[{latex}^{{k}}] = \mathbb{{E}}[e^{{kY}}] = M_{{Y}}(k)$: 정규 분포의 적률생성함수",
            rf"$\mathbb{{E}}[{latex}^{{k}}] = \mathbb{{E}}[e^{{kY}}] = M_{{Y}}(k)$, "
            "the normal moment generating function",
            sp.Eq(M, mgf),
        ),
        Step(rf"$\mathbb{{E}}[{latex}] = M_{{Y}}(1)$", rf"$\mathbb{{E}}[{latex}] = M_{{Y}}(1)$", sp.Eq(e_x, mean)),
        Step(
            rf"$\mathbb{{E}}[{latex}^{{2}}] = M_{{Y}}(2)$",
            rf"$\mathbb{{E}}[{latex}^{{2}}] = M_{{Y}}(2)$",
            sp.Eq(e_x2, second),
        ),
    ]
    return mean, variance, steps + _variance_steps(X, mean, second, variance)


# The moment generating function gives these families' moments faster than the
# definition does (SymPy integrates Beta and Logistic slowly or not at all), and it
# is how textbooks derive the moments of the discrete families.
_MGF_FIRST = {"Beta", "Logistic", "Gumbel", "Poisson", "Geometric", "NegativeBinomial", "Logarithmic", "Skellam"}
# Families whose integrals SymPy finishes at once, while their MGF is piecewise and slow to expand.
_QUICK_BY_DEFINITION = {"Uniform", "Exponential", "Triangular", "Arcsin"}


def _moments(X: Any, quick: bool = False) -> _Moments:
    """Mean, variance and steps of a random variable, or a GlossaryError that says why not.

    ``quick``: only the values matter (the sample-mean helpers show a summary), so the
    moment generating function, usually the fastest way, is tried first for every family.
    """
    distribution = _random_variable(X)
    open_conditions = _check_parameters(distribution)
    existence = _tail_conditions(distribution)
    conditions = open_conditions + existence
    family = _family(distribution)
    if family == "Hypergeometric" and any(sp.sympify(a).free_symbols for a in distribution.args):
        raise GlossaryError(
            f"{_describe(distribution)}: give N, m and n as whole numbers; the table of a hypergeometric "
            "distribution with symbolic sizes cannot be summed here"
        )
    mapping = _assumed(distribution)
    back = {dummy: symbol for symbol, dummy in mapping.items()}
    try:
        work = type(distribution)(*[sp.sympify(a).xreplace(mapping) for a in distribution.args])
    except (ValueError, TypeError) as error:
        raise GlossaryError(f"{_describe(distribution)} is not a valid distribution: {error}") from None
    points = _Points(_ParameterSpace(distribution, conditions), mapping)

    found = None
    if family == "Binomial" and (not sp.sympify(work.n).is_number or work.n > _TABLE_SHOWN):
        found = _binomial_by_mgf(X, work)
    elif hasattr(work, "dict") or family in ("Bernoulli", "Binomial", "Hypergeometric", "Die", "DiscreteUniform"):
        found = _by_table(X, work)
    else:
        mgf_first = family in _MGF_FIRST or (quick and family not in _QUICK_BY_DEFINITION)
        methods = (_by_mgf, _by_definition) if mgf_first else (_by_definition, _by_mgf)
        if family == "LogNormal":
            methods = (_by_log_transform,)
        for method in methods:
            try:
                found = method(X, work, points)
            except NotImplementedError:
                found = None
            if found is not None:
                break
    if found is None:
        raise GlossaryError(
            f"SymPy finds no closed form for the mean and variance of {_describe(distribution)} "
            "(neither by integrating the density nor from the moment generating function)"
        )
    mean, variance, steps = found
    mean, variance = _replace(mean, back), _replace(variance, back)
    steps = [Step(s.ko, s.en, _replace(s.expr, back), s.equals_previous) for s in steps]
    if existence:
        shown = ", ".join(f"${sp.latex(c)}$" for c in existence)
        steps.append(
            Step(
                f"꼬리가 두꺼워서 이 기댓값과 분산은 {shown}일 때만 존재한다",
                f"the tails are heavy: this mean and variance exist only when {shown}",
                tuple(existence) if len(existence) > 1 else existence[0],
            )
        )
    return _Moments(mean, variance, steps, conditions, distribution)


@helper
def moments(X: Any) -> Derivation:
    """Mean and variance ``(mean, variance)`` of a ``sympy.stats`` random variable, in closed form.

    Parameters are checked first: a Bernoulli p outside [0, 1], a Uniform with
    b ≤ a or a non-positive scale is refused with the value named; a Cauchy
    variable (no mean) or a Student-t with ν ≤ 2 (no finite variance) is
    refused with the reason. Finite distributions are summed from their table,
    Binomial with a symbolic number of trials goes through the moment
    generating function of independent Bernoulli trials, and the others through
    the definition ∫ x f(x) dx or the Taylor series of the moment generating
    function. Parts: ``mean`` (𝔼[X]) and ``variance`` (Var[X]).

    Examples:
        >>> from sympy.stats import Binomial
        >>> n = sp.Symbol("n", integer=True, positive=True)
        >>> p = sp.Symbol("p")
        >>> moments(Binomial("X", n, p)).result
        (n*p, n*p*(1 - p))
        >>> print(moments(sp.stats.Poisson("X", sp.Rational(5, 2))).part("variance").text_line())
        Var[X] = 5/2 ≈ 2.5
    """
    found = _moments(X)
    latex, text = _rv_names(X)
    parts = [
        Part("mean", rf"\mathbb{{E}}[{latex}]", f"E[{text}]", found.mean),
        Part("variance", rf"\operatorname{{Var}}[{latex}]", f"Var[{text}]", found.variance),
    ]
    verify = _moments_verifier(found.distribution, found.mean, found.variance, found.conditions)
    return Derivation((found.mean, found.variance), found.steps, verify, parts=parts)


# -- independent moments: scipy.stats, numerical integration, summation ---------------------------


def _scipy_distribution(distribution: Any):
    """The scipy.stats counterpart of a distribution with numeric parameters, as (frozen, shift, scale), or None."""
    from scipy import stats as ss

    a = {k: float(v) for k, v in _arguments(distribution).items() if sp.sympify(v).is_number}
    family = _family(distribution)
    makers: dict[str, Callable[[], Any]] = {
        "Bernoulli": lambda: (ss.bernoulli(a["p"]), a["fail"], a["succ"] - a["fail"]),
        "Binomial": lambda: (ss.binom(round(a["n"]), a["p"]), a["fail"], a["succ"] - a["fail"]),
        "BetaBinomial": lambda: (ss.betabinom(round(a["n"]), a["alpha"], a["beta"]), 0.0, 1.0),
        "Hypergeometric": lambda: (ss.hypergeom(round(a["N"]), round(a["m"]), round(a["n"])), 0.0, 1.0),
        "Die": lambda: (ss.randint(1, round(a["sides"]) + 1), 0.0, 1.0),
        "Poisson": lambda: (ss.poisson(a["lamda"]), 0.0, 1.0),
        "Geometric": lambda: (ss.geom(a["p"]), 0.0, 1.0),
        "NegativeBinomial": lambda: (ss.nbinom(a["r"], a["p"]), 0.0, 1.0),
        "Logarithmic": lambda: (ss.logser(a["p"]), 0.0, 1.0),
        "Skellam": lambda: (ss.skellam(a["mu1"], a["mu2"]), 0.0, 1.0),
        "YuleSimon": lambda: (ss.yulesimon(a["rho"]), 0.0, 1.0),
        "Zeta": lambda: (ss.zipf(a["s"]), 0.0, 1.0),
        "Normal": lambda: (ss.norm(a["mean"], a["std"]), 0.0, 1.0),
        "Exponential": lambda: (ss.expon(scale=1 / a["rate"]), 0.0, 1.0),
        "Uniform": lambda: (ss.uniform(a["left"], a["right"] - a["left"]), 0.0, 1.0),
        "Gamma": lambda: (ss.gamma(a["k"], scale=a["theta"]), 0.0, 1.0),
        "Beta": lambda: (ss.beta(a["alpha"], a["beta"]), 0.0, 1.0),
        "Laplace": lambda: (ss.laplace(a["mu"], a["b"]), 0.0, 1.0),
        "Logistic": lambda: (ss.logistic(a["mu"], a["s"]), 0.0, 1.0),
        "StudentT": lambda: (ss.t(a["nu"]), 0.0, 1.0),
        "ChiSquared": lambda: (ss.chi2(a["k"]), 0.0, 1.0),
        "Chi": lambda: (ss.chi(a["k"]), 0.0, 1.0),
        "Erlang": lambda: (ss.gamma(a["k"], scale=1 / a["l"]), 0.0, 1.0),
        "Rayleigh": lambda: (ss.rayleigh(scale=a["sigma"]), 0.0, 1.0),
        "Weibull": lambda: (ss.weibull_min(a["beta"], scale=a["alpha"]), 0.0, 1.0),
        "LogNormal": lambda: (ss.lognorm(a["std"], scale=math.exp(a["mean"])), 0.0, 1.0),
        "Pareto": lambda: (ss.pareto(a["alpha"], scale=a["xm"]), 0.0, 1.0),
        "Maxwell": lambda: (ss.maxwell(scale=a["a"]), 0.0, 1.0),
        "Arcsin": lambda: (ss.arcsine(loc=a["a"], scale=a["b"] - a["a"]), 0.0, 1.0),
        "Triangular": lambda: (
            ss.triang((a["c"] - a["a"]) / (a["b"] - a["a"]), loc=a["a"], scale=a["b"] - a["a"]),
            0.0,
            1.0,
        ),
        "FDistribution": lambda: (ss.f(a["d1"], a["d2"]), 0.0, 1.0),
        "BetaPrime": lambda: (ss.betaprime(a["alpha"], a["beta"]), 0.0, 1.0),
        "Nakagami": lambda: (ss.nakagami(a["mu"], scale=math.sqrt(a["omega"])), 0.0, 1.0),
    }
    if family == "Gumbel":
        minimum = bool(distribution.args[2]) if len(distribution.args) > 2 else False
        maker = ss.gumbel_l if minimum else ss.gumbel_r
        return maker(loc=a["mu"], scale=a["beta"]), 0.0, 1.0
    if family == "DiscreteUniform":
        return None
    make = makers.get(family)
    if make is None:
        return None
    try:
        return make()
    except (KeyError, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None


def _scipy_moments(distribution: Any) -> tuple[float, float] | None:
    found = _scipy_distribution(distribution)
    if found is None:
        return None
    frozen, shift, scale = found
    mean, variance = (float(v) for v in frozen.stats(moments="mv"))
    return shift + scale * mean, scale * scale * variance


def _safe_log_density(expr: sp.Expr) -> sp.Expr:
    """log of a density with factorials, binomial coefficients and gamma functions as log-gamma,
    so that it never overflows where the density itself is a ratio of huge numbers."""
    logged = sp.expand_log(sp.log(expr), force=True)
    logged = logged.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.factorial),
        lambda e: sp.loggamma(e.args[0].args[0] + 1),
    )
    logged = logged.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.binomial),
        lambda e: (
            sp.loggamma(e.args[0].args[0] + 1)
            - sp.loggamma(e.args[0].args[1] + 1)
            - sp.loggamma(e.args[0].args[0] - e.args[0].args[1] + 1)
        ),
    )
    logged = logged.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma), lambda e: sp.loggamma(e.args[0].args[0])
    )
    # Constants such as log(249!) become floats: NumPy cannot take the log of a huge integer.
    logged = logged.replace(
        lambda e: isinstance(e, sp.log) and e.args[0].is_Number, lambda e: sp.Float(sp.N(e, 20), 20)
    )
    return logged.rewrite(sp.gamma)


def _numeric_function(variables: Sequence[sp.Symbol], expr: sp.Expr) -> Callable[..., Any]:
    """NumPy/SciPy evaluation with complex log-gamma, so that invalid regions show up as complex values."""
    import numpy as np
    from scipy import special

    modules = [
        {
            "loggamma": special.loggamma,
            "gamma": special.gamma,
            "factorial": lambda z: special.gamma(np.asarray(z) + 1),
            "binomial": special.binom,
            "polygamma": special.polygamma,
            "zeta": special.zeta,
            "erf": special.erf,
            "beta": special.beta,
        },
        "numpy",
    ]
    return sp.lambdify(list(variables), expr, modules=modules)


def _numeric_moments(distribution: Any) -> tuple[float, float]:
    """Mean and variance by summing the table, summing the pmf (in log space) or integrating the density."""
    import numpy as np
    from scipy import integrate

    table = getattr(distribution, "dict", None) if hasattr(distribution, "dict") else None
    if table is not None:
        ks = np.array([float(k) for k in table])
        ps = np.array([float(v) for v in table.values()])
        mean = float(ks @ ps)
        return mean, float(((ks - mean) ** 2) @ ps)
    if isinstance(distribution, SingleDiscreteDistribution):
        k = sp.Symbol("k", integer=True)
        log_pmf = _numeric_function([k], _safe_log_density(distribution.pdf(k)))
        start = int(distribution.set.inf) if distribution.set.inf.is_finite else -20000
        ks = np.arange(start, start + 200000, dtype=float)
        with np.errstate(all="ignore"):
            logs = np.real(np.asarray(log_pmf(ks.astype(complex)), dtype=complex))
        ps = np.exp(np.where(np.isfinite(logs), logs, -np.inf))
        mean = float(ks @ ps)
        return mean, float(((ks - mean) ** 2) @ ps)
    x = sp.Symbol("x", real=True)
    pdf = _numeric_function([x], distribution.pdf(x))

    def density(v: float) -> float:
        with np.errstate(all="ignore"):
            value = complex(pdf(v))
        return value.real if math.isfinite(value.real) else 0.0

    low, high = (float(b) for b in (distribution.set.inf, distribution.set.sup))
    options = {"epsabs": 0.0, "epsrel": 1e-11, "limit": 400}
    mean = integrate.quad(lambda v: v * density(v), low, high, **options)[0]
    variance = integrate.quad(lambda v: (v - mean) ** 2 * density(v), low, high, **options)[0]
    return mean, variance


_SCIPY_METHOD = "scipy.stats mean and variance at random valid parameters"
_NUMERIC_METHOD = "direct summation / numerical integration of the density"


def _moments_verifier(distribution: Any, mean: sp.Expr, variance: sp.Expr, conditions: Sequence[Any]):
    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        rng = np.random.default_rng(seed)
        space = _ParameterSpace(distribution, conditions)
        draws = [space.draw(rng) for _ in range(min(points, 25) if space.symbols else 1)]
        instances = [type(distribution)(*[sp.sympify(a).xreplace(v) for a in distribution.args]) for v in draws]
        # scipy.stats where it knows the family and answers finitely (it gives nan for some
        # degenerate hypergeometric tables), otherwise summation or integration of the density.
        expected = [_scipy_moments(d) for d in instances]
        use_scipy = all(e is not None and all(map(math.isfinite, e)) for e in expected)
        if not use_scipy:
            expected = [_numeric_moments(d) for d in instances]
        check = _Check(_SCIPY_METHOD if use_scipy else _NUMERIC_METHOD, 1e-9 if use_scipy else 1e-6)
        for values, (expected_mean, expected_variance) in zip(draws, expected, strict=True):
            spread = math.sqrt(max(expected_variance, 0.0))
            check.add(expected_mean, _number(mean, values), max(abs(expected_mean), spread), values)
            check.add(expected_variance, _number(variance, values), abs(expected_variance), values)
        return check.report()

    return verify


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

    @property
    def mean(self) -> sp.Expr:
        return self.sum_of(self.x) / self.n


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


def _as_real(density: sp.Expr, x: sp.Symbol, params: Sequence[sp.Symbol]):
    """Plain symbols (no assumptions) replaced by real ones of the same name, as a reader means them:
    |x − m| then differentiates to −sign(x − m) instead of a formula in re() and im()."""
    mapping = {}
    for s in sorted(density.free_symbols | {x} | set(params), key=sp.default_sort_key):
        if isinstance(s, sp.Symbol) and s.is_extended_real is None:
            assumptions = {k: v for k, v in s.assumptions0.items() if v is not None and k != "commutative"}
            assumptions["real"] = True
            mapping[s] = sp.Symbol(s.name, **assumptions)
    return density.xreplace(mapping), mapping


_NON_SMOOTH = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.floor, sp.ceiling)


def _relations(condition: Any) -> list[sp.core.relational.Relational]:
    return [r for r in sp.sympify(condition).atoms(sp.core.relational.Relational)]


def _bound(relation: Any, x: sp.Symbol, p: sp.Symbol):
    """For a condition such as x ≤ θ: ("lower", x) when it bounds θ from below by x, ("upper", …) from above."""
    if isinstance(relation, (sp.Ge, sp.Gt)):
        slack = relation.lhs - relation.rhs
    elif isinstance(relation, (sp.Le, sp.Lt)):
        slack = relation.rhs - relation.lhs
    else:
        return None
    slope = sp.diff(slack, p)
    if not slope.is_number or slope == 0 or sp.diff(slack, p, 2) != 0:
        return None
    # slack = slope·p + rest is linear in p, so the bound is p = −rest/slope.
    return ("lower" if slope > 0 else "upper"), sp.expand(p - slack / slope)


def _boundary_message(density: sp.Expr, x: sp.Symbol, params: Sequence[sp.Symbol]) -> str | None:
    """A specific message when the support depends on a parameter (Uniform(0, θ)): the maximum is on
    the boundary of the values the data allow, not where a derivative vanishes."""
    for piecewise in density.atoms(sp.Piecewise):
        for branch, condition in piecewise.args:
            if branch == 0:
                continue
            for p in params:
                relations = [r for r in _relations(condition) if x in r.free_symbols and p in r.free_symbols]
                if not relations:
                    continue
                return _explain_boundary(branch, condition, relations[0], x, p)
    for step in density.atoms(sp.Heaviside):
        for p in params:
            argument = step.args[0]
            if x in argument.free_symbols and p in argument.free_symbols:
                rest = (density / step).subs(step, 1)
                return _explain_boundary(rest, sp.Gt(argument, 0), sp.Gt(argument, 0), x, p)
    return None


def _explain_boundary(branch: sp.Expr, condition: Any, relation: Any, x: sp.Symbol, p: sp.Symbol) -> str:
    generic = (
        f"the density is zero unless {sp.pretty(condition, use_unicode=True)}, so its support depends on {p}: "
        "the likelihood drops to 0 "
        f"as soon as {p} excludes an observation, and its maximum lies on that boundary, not where a derivative "
        "vanishes. This helper finds stationary points only; maximise the likelihood over the values of "
        f"{p} that the data allow instead"
    )
    found = _bound(relation, x, p)
    if found is None:
        return generic
    side, limit = found
    slope = sp.diff(sp.log(branch), p)
    probes = [sp.Rational(3, 2), 2, 5, 20] if side == "lower" else [sp.Rational(-3, 2), -2, -5, -20]
    signs = set()
    for probe in probes:
        value = slope.subs({p: probe, x: sp.Rational(1, 2)})
        if not value.is_number or not value.is_real:
            return generic
        signs.add(bool(value < 0))
    if len(signs) != 1:
        return generic
    decreasing = signs == {True}
    data = limit.subs(x, sp.Symbol("x_i"))
    name, hat = _parameter_names(p)[1], _hat_names(p)[1]
    shown_condition = sp.pretty(condition, use_unicode=True)
    if side == "lower" and decreasing:
        extreme = "max"
    elif side == "upper" and not decreasing:
        extreme = "min"
    else:
        return generic
    shown = "xᵢ" if limit == x else str(data)
    return (
        f"the density is zero unless {shown_condition}: every observation needs {name} "
        f"{'≥' if side == 'lower' else '≤'} {shown}, and the likelihood {'decreases' if decreasing else 'increases'} "
        f"in {name} on the values that remain, so it is largest at the boundary: {hat} = {extreme}({shown}) over the "
        "sample (for Uniform(0, θ), θ̂ = max xᵢ). That is a boundary maximum, not a stationary point, so setting "
        "the derivative to zero (what this helper does) cannot find it"
    )


def _non_smooth_message(density: sp.Expr, x: sp.Symbol, params: Sequence[sp.Symbol]) -> str | None:
    """A specific message when the density has a corner in a parameter (Laplace: |x − m|)."""
    for atom in sorted(density.atoms(*_NON_SMOOTH), key=sp.default_sort_key):
        for p in params:
            if x not in atom.free_symbols or p not in atom.free_symbols:
                continue
            if isinstance(atom, sp.Abs):
                inside = atom.args[0]
                dx, dp = sp.diff(inside, x), sp.diff(inside, p)
                if dx.is_number and dp.is_number and dx != 0 and sp.simplify(dx + dp) == 0:
                    others = [q for q in params if q != p]
                    more = (
                        f" With {p} fixed at the median, the remaining parameters ({', '.join(map(str, others))}) "
                        f"follow from mle with {p} left out of params, as a known constant (for the Laplace scale, "
                        f"b̂ = Σ|xᵢ − {_hat_names(p)[1]}|/n)"
                        if others
                        else ""
                    )
                    name, hat = _parameter_names(p)[1], _hat_names(p)[1]
                    return (
                        f"the log-likelihood contains |{inside}|, which has a corner wherever {name} equals an "
                        f"observation, so it has no stationary point in {name} to solve for. Σᵢ |xᵢ − {name}| is "
                        f"smallest at the sample median: {hat} = median(x₁, …, xₙ) (any value between the two middle "
                        f"observations when n is even).{more}"
                    )
            return (
                f"the density is not differentiable in {p}: it contains {atom}, whose corner moves with the data, so "
                "the maximum of the likelihood need not be a stationary point (it often sits at an observation). "
                "This helper solves ∂ℓ/∂θ = 0 only; maximise the likelihood directly instead"
            )
    return None


def _key_for(symbol: sp.Symbol) -> str:
    latex = sp.latex(symbol).lstrip("\\")
    fragment = _key_fragment(symbol.name)
    if not fragment.isascii() or fragment.startswith("u0"):
        fragment = _key_fragment(latex)
    return fragment


@helper
def mle(density: Any, x: Any, params: Any) -> Derivation:
    """Maximum-likelihood estimators ``{param: estimator}`` for a density (or mass function) of one observation.

    The estimators are written over a sample ``x[i]``, ``i = 1..n`` with ``Sum``.
    Densities with factorials and binomial coefficients work (Poisson, Binomial
    with known n); a density whose support depends on a parameter (Uniform(0, θ),
    MLE max xᵢ) or that has a corner in it (Laplace, MLE the median) is refused
    with the reason, since its maximum is not a stationary point. Symbols without
    assumptions are read as real numbers.

    Parts are named after the parameters: ``p_hat`` (p̂), ``mu_hat`` (μ̂),
    ``sigma_hat`` (σ̂). A parameter named ``v``, ``var``, ``variance``, ``sigma2``
    or ``sigma_sq`` is read as a variance σ², so its part ``v_hat`` is shown as σ̂².

    Examples:
        >>> x, p = sp.symbols("x p")
        >>> d = mle(p**x * (1 - p) ** (1 - x), x, [p])
        >>> d.result
        {p: Sum(x[i], (i, 1, n))/n}
        >>> d.part("p_hat").latex_name
        '\\\\hat{p}'
        >>> lam = sp.Symbol("lambda", positive=True)
        >>> mle(lam**x * sp.exp(-lam) / sp.factorial(x), x, [lam]).result
        {lambda: Sum(x[i], (i, 1, n))/n}
    """
    density = _inputs.expression(density, "density")
    x = _inputs.symbol(x, "x")
    params = _inputs.symbols(params, "params")
    for p in params:
        if p == x:
            raise GlossaryError(f"{x} is the observation and cannot also be a parameter")
    if x not in density.free_symbols:
        raise GlossaryError(
            f"the density {density} does not depend on the observation {x}. If its support depends on the "
            f"parameters (a uniform density 1/θ on 0 ≤ {x} ≤ θ), write the support into it, e.g. "
            f"Piecewise((1/theta, ({x} >= 0) & ({x} <= theta)), (0, True)); its maximum-likelihood estimate is "
            "then a boundary maximum (θ̂ = max xᵢ), which setting a derivative to zero cannot find"
        )
    for p in params:
        if p not in density.free_symbols:
            raise GlossaryError(f"the parameter {p} does not appear in the density {density}")
    keys = {}
    for p in params:
        key = f"{_key_for(p)}_hat"
        if key in keys:
            raise GlossaryError(f"the parameters {keys[key]} and {p} would both be named {key!r}; rename one")
        keys[key] = p

    real_density, mapping = _as_real(density, x, params)
    back = {real: plain for plain, real in mapping.items()}
    rx = mapping.get(x, x)
    rparams = [mapping.get(p, p) for p in params]
    for message in (_boundary_message(real_density, rx, rparams), _non_smooth_message(real_density, rx, rparams)):
        if message:
            raise GlossaryError(message)
    constants = _constant_values(real_density, rx, rparams)
    estimators_real, steps, facts = _derive_mle(real_density, rx, rparams, constants)
    # The steps keep the real symbols (they print the same); the estimators speak the caller's symbols.
    estimators = {p: _replace(estimators_real[mapping.get(p, p)], back) for p in params}
    n = sp.Symbol("n", integer=True, positive=True)
    sample = _Sample(x)

    parts = []
    for p in params:
        hat_latex, hat_text = _hat_names(p)
        parts.append(Part(f"{_key_for(p)}_hat", hat_latex, hat_text, estimators[p]))
    extra = []
    for p in params:
        hat_latex, _ = _hat_names(p)
        kind = facts.get(mapping.get(p, p))
        if kind == "mean":
            xbar = _shown(f"{x}̄", rf"\bar{{{sp.latex(x)}}}")
            extra.append(
                Step(
                    rf"${hat_latex} = \bar{{{sp.latex(x)}}}$: 최대우도추정량은 표본 평균이다",
                    rf"${hat_latex} = \bar{{{sp.latex(x)}}}$: the estimator is the sample mean",
                    sp.Eq(xbar, sample.mean),
                )
            )
        elif kind in ("variance", "deviation"):
            sigma2 = p**2 if kind == "deviation" else p
            expected = _biased_expectation(n, sigma2)
            sigma2_latex = sp.latex(sigma2)
            if kind == "deviation":
                root_ko, root_en = (
                    r"$\hat{\sigma} = \sqrt{\hat{\sigma}^{2}}$에서 ",
                    r"$\hat{\sigma} = \sqrt{\hat{\sigma}^{2}}$, and ",
                )
            else:
                root_ko, root_en = "", ""
            extra.append(
                Step(
                    rf"{root_ko}$\hat{{\sigma}}^{{2}} = \frac{{1}}{{n}}\sum_{{i}} (x_{{i}} - \bar{{x}})^{{2}}$은 "
                    rf"$n - 1$이 아닌 $n$으로 나누므로 편향 추정량이다: $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] = "
                    rf"\frac{{n-1}}{{n}}{sigma2_latex}$. $n - 1$로 나누면 편향이 없어진다",
                    rf"{root_en}$\hat{{\sigma}}^{{2}} = \frac{{1}}{{n}}\sum_{{i}} (x_{{i}} - \bar{{x}})^{{2}}$ "
                    rf"divides by $n$, not $n - 1$, so it is biased: $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] = "
                    rf"\frac{{n-1}}{{n}}{sigma2_latex}$. Dividing by $n - 1$ removes the bias",
                    sp.Eq(_shown("E[σ̂²]", r"\mathbb{E}[\hat{\sigma}^{2}]"), expected),
                )
            )
    numeric_estimators = {q: e.xreplace(constants) for q, e in estimators_real.items()}
    numeric_density = real_density.xreplace(constants)

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_mle(numeric_estimators, numeric_density, rx, rparams, _Sample(rx), points, seed, constants)

    return Derivation(estimators, [*steps, *extra], verify, parts=parts)


def _biased_expectation(n: sp.Expr, variance: sp.Expr) -> sp.Expr:
    """E[(1/n) Σ (Xᵢ − X̄)²] for a variance σ²: n(σ² + μ²) − n(σ²/n + μ²), divided by n."""
    mu = sp.Dummy("mu")
    total = n * (variance + mu**2) - n * (variance / n + mu**2)
    return sp.factor(sp.expand(total) / n)


def _constant_values(density: sp.Expr, x: sp.Symbol, params: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Expr]:
    """Values for the known constants of a density (a Binomial's N, a Gamma's shape k), so that
    candidates can be compared and the result checked on numbers."""
    values = {}
    for s in sorted(density.free_symbols - {x} - set(params), key=sp.default_sort_key):
        if s.is_integer:
            values[s] = sp.Integer(12)
        elif s.is_positive or s.is_nonnegative:
            values[s] = sp.Rational(17, 10)
        else:
            values[s] = sp.Rational(3, 10)
    return values


_SOLVE_OPTIONS = {"dict": True, "simplify": False, "check": False}


def _solve(equations: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], seconds: float) -> list[dict] | None:
    """``sp.solve`` directly where the equations are polynomials of degree ≤ 2 in the unknowns once
    cleared of denominators (quick and certain to end), else bounded by `limits.attempt`."""
    simple = True
    for equation in equations:
        numerator = sp.numer(sp.together(equation))
        try:
            polynomial = sp.Poly(numerator, *unknowns)
        except sp.PolynomialError:
            simple = False
            break
        if polynomial.total_degree() > 2 or sp.count_ops(numerator) > 200:
            simple = False
            break
    if simple:
        try:
            return sp.solve(list(equations), list(unknowns), **_SOLVE_OPTIONS)
        except (NotImplementedError, ValueError, TypeError):
            return None
    return limits.attempt(sp.solve, list(equations), list(unknowns), seconds=seconds, **_SOLVE_OPTIONS)


def _derive_mle(density: sp.Expr, x: sp.Symbol, params: list[sp.Symbol], constants: Mapping[sp.Symbol, sp.Expr]):
    sample = _Sample(x)
    n = sample.n
    log_f = _log_density(density)
    separated = _separate(log_f, x, set(params), expand_all=True)
    if separated is None:
        raise GlossaryError(
            f"the log-likelihood of {density} does not separate into sums of functions of the data "
            "(terms that mix the observation and the parameters inseparably), so it has no closed-form "
            "estimator this helper can find"
        )
    loglik, sums = separated
    equations = [sp.diff(loglik, p) for p in params]
    solved = _solve(equations, params, seconds=6)
    candidates = [c for c in (solved or []) if set(params) <= set(c)]
    candidates = [{p: _tidy_rational(c[p]) for p in params} for c in candidates]
    if not candidates:
        what = "was not found in time" if solved is None else "has no closed-form solution"
        raise GlossaryError(
            f"the likelihood equations ∂ℓ/∂θ = 0 for {params} {what}: {[sp.Eq(e, 0) for e in equations]}"
        )

    def in_sums(expr: sp.Expr) -> sp.Expr:
        return expr.subs({s: sample.sum_of(g) for s, g in sums.items()})

    estimators = [{p: in_sums(c[p]) for p in params} for c in candidates]
    chosen = _best_candidate(estimators, density, x, params, sample, constants)
    pretty = _sequential_forms(density, x, params, sample, chosen, constants)
    facts = _recognise({p: e.xreplace(dict(constants)) for p, e in pretty.items()}, sample)

    theta_latex = ", ".join(sp.latex(p) for p in params)
    theta_text = ", ".join(_parameter_names(p)[1] for p in params)
    f_one = _shown(f"f({x}; {theta_text})", rf"f({sp.latex(x)}; {theta_latex})")
    L = _shown(f"L({theta_text})", rf"L({theta_latex})")
    ell = _shown(f"ℓ({theta_text})", rf"\ell({theta_latex})")
    likelihood = sp.Product(density.subs(x, sample.base[sample.i]), (sample.i, 1, n))
    steps = [
        Step(
            rf"관측 하나의 확률밀도(또는 확률질량) $f({sp.latex(x)}; {theta_latex})$",
            rf"the density (or mass function) of one observation, $f({sp.latex(x)}; {theta_latex})$",
            sp.Eq(f_one, density),
        ),
        Step(
            rf"서로 독립인 관측들의 우도(가능도) $L = \prod_{{i=1}}^{{n}} f(x_{{i}}; {theta_latex})$",
            rf"the likelihood of independent observations, $L = \prod_{{i=1}}^{{n}} f(x_{{i}}; {theta_latex})$",
            sp.Eq(L, likelihood),
        ),
        Step(
            r"로그는 증가함수이므로 로그우도 $\ell = \sum_{i=1}^{n} \log f(x_{i})$를 최대로 만드는 값이 "
            "우도를 최대로 만든다",
            r"the logarithm is increasing, so the log-likelihood $\ell = \sum_{i=1}^{n} \log f(x_{i})$ "
            "has the same maximiser",
            sp.Eq(ell, sample.sum_of(log_f)),
        ),
        Step(
            "로그우도를 전개해 데이터에 대한 합으로 정리",
            "expand the log-likelihood into sums over the data",
            sp.Eq(ell, in_sums(loglik)),
        ),
    ]
    one = len(params) == 1
    for p, equation in zip(params, equations, strict=True):
        symbol = sp.latex(p)
        derivative = rf"\frac{{d\ell}}{{d{symbol}}}" if one else rf"\frac{{\partial \ell}}{{\partial {symbol}}}"
        steps.append(
            Step(
                rf"${symbol}$에 대해 미분하고 0으로 놓는다: ${derivative} = 0$",
                rf"set the derivative with respect to ${symbol}$ to zero: ${derivative} = 0$",
                sp.Eq(in_sums(equation), 0),
            )
        )
    hats = [_shown(_hat_names(p)[1], _hat_names(p)[0]) for p in params]
    steps.append(
        Step(
            "풀면 최대우도추정량" if one else "연립방정식을 풀면 최대우도추정량",
            "solving gives the maximum-likelihood estimator"
            if one
            else "solving gives the maximum-likelihood estimators",
            tuple(sp.Eq(h, pretty[p]) for h, p in zip(hats, params, strict=True)),
        )
    )
    return pretty, steps, facts


def _recognise(estimators: Mapping[sp.Symbol, sp.Expr], sample: _Sample) -> dict[sp.Symbol, str]:
    """Which estimators are the sample mean, the n-divisor variance or its square root (checked on data)."""
    import numpy as np

    rng = np.random.default_rng(5)
    datasets = [rng.normal(0.4, 1.3, size=9) + 2.0, rng.gamma(2.0, 1.5, size=12)]
    facts = {}
    for p, estimator in estimators.items():
        try:
            values = [_numeric_value(estimator, sample, data) for data in datasets]
        except (TypeError, ValueError, ZeroDivisionError, GlossaryError):
            continue
        for kind, reference in (
            ("mean", np.mean),
            ("variance", np.var),
            ("deviation", np.std),
        ):
            if all(
                abs(v - reference(d)) <= 1e-9 * (1 + abs(reference(d))) for v, d in zip(values, datasets, strict=True)
            ):
                facts[p] = kind
                break
    return facts


def _numeric_value(expr: sp.Expr, sample: _Sample, data) -> complex:
    """Evaluate an estimator on a data array by replacing each Sum with its numeric value."""
    import numpy as np

    t = sp.Dummy("t")

    def evaluate_sum(s: sp.Sum) -> sp.Expr:
        summand = s.function.subs(sample.base[s.limits[0][0]], t)
        with np.errstate(all="ignore"):
            values = _numeric_function([t], summand)(data.astype(complex))
        return sp.Float(complex(np.sum(np.broadcast_to(values, data.shape))).real, 30) + sp.I * sp.Float(
            complex(np.sum(np.broadcast_to(values, data.shape))).imag, 30
        )

    # Innermost sums first: an estimator such as Σ(xᵢ − Σxⱼ/n)² nests them.
    replaced = expr.subs(sample.n, len(data))
    while replaced.has(sp.Sum):
        innermost = [s for s in replaced.atoms(sp.Sum) if not s.function.has(sp.Sum)]
        replaced = replaced.xreplace({s: evaluate_sum(s) for s in innermost})
    return complex(sp.N(replaced, 30))


_DATA_KINDS = ("real", "positive", "unit", "counts", "small counts", "binary")


def _draw(kind: str, rng, size: int):
    import numpy as np

    if kind == "binary":
        data = rng.integers(0, 2, size=size).astype(float)
        data[:2] = [0.0, 1.0]  # both outcomes present, so the maximum is interior
        return data
    if kind == "small counts":
        data = rng.integers(0, 4, size=size).astype(float)
        data[:2] = [0.0, 3.0]
        return data
    if kind == "positive":
        return rng.gamma(2.0, 1.0, size=size) + 0.05
    if kind == "unit":
        return rng.beta(2.0, 3.0, size=size) * 0.96 + 0.02
    if kind == "real":
        return rng.normal(0.7, 1.3, size=size)
    return rng.poisson(3.0, size=size).astype(float) + np.arange(size) % 2


def _log_likelihood(density, x, params):
    import numpy as np

    function = _numeric_function([x, *params], _safe_log_density(density))

    def ell(theta, data) -> float:
        with np.errstate(all="ignore"):
            try:
                values = np.asarray(function(data.astype(complex), *[complex(v) for v in theta]), dtype=complex)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return -np.inf
        values = np.broadcast_to(values, data.shape)
        if not np.all(np.isfinite(values)) or np.max(np.abs(values.imag)) > 1e-9:
            return -np.inf
        return float(np.sum(values.real))

    return ell


def _usable_data(estimators, density, x, params, sample, rng, size, kinds=_DATA_KINDS):
    """The first kind of random data on which the estimator and the likelihood are finite."""
    import numpy as np

    ell = _log_likelihood(density, x, params)
    for kind in kinds:
        data = _draw(kind, rng, size)
        try:
            theta = [_numeric_value(estimators[p], sample, data) for p in params]
        except (TypeError, ValueError, ZeroDivisionError, GlossaryError):
            continue
        if all(np.isfinite(t) and abs(t.imag) < 1e-9 for t in theta) and np.isfinite(
            ell([t.real for t in theta], data)
        ):
            return kind, data, np.array([t.real for t in theta])
    return None


def _best_candidate(candidates, density, x, params, sample, constants):
    """Among the stationary points, the one with the highest likelihood on sample data."""
    import numpy as np

    if len(candidates) == 1:
        return candidates[0]
    rng = np.random.default_rng(7)
    density = density.xreplace(dict(constants))
    ell = _log_likelihood(density, x, params)
    best, best_value = None, -np.inf
    for candidate in candidates:
        numeric = {p: e.xreplace(dict(constants)) for p, e in candidate.items()}
        found = _usable_data(numeric, density, x, params, sample, rng, 40)
        if found is None:
            continue
        _, data, theta = found
        value = ell(theta, data)
        if value > best_value:
            best, best_value = candidate, value
    if best is None:
        raise GlossaryError(f"no stationary point of the likelihood of {density} is a real maximum")
    return best


def _sequential_forms(density, x, params, sample, joint, constants):
    """Rewrite estimators in the form a textbook uses, e.g. σ̂² = Σ(xᵢ − x̄)²/n.

    Each parameter is solved alone with the ones before it replaced by their
    estimates; the rewritten form is kept only where it matches the joint
    solution on random data.
    """
    import numpy as np

    result = dict(joint)
    if len(params) == 1:
        return result
    hats: dict[sp.Symbol, sp.Dummy] = {}
    for index, p in enumerate(params):
        later = set(params[index + 1 :])
        substituted = density.subs(hats)
        separated = _separate(_log_density(substituted), x, {p} | later, expand_all=False)
        if separated is None:
            hats[p] = sp.Dummy(f"{p}_hat")
            continue
        loglik, sums = separated
        solutions = _solve([sp.diff(loglik, p)], [p], seconds=3) or []
        for solution in (s[p] for s in solutions if p in s):
            if solution.free_symbols & later:
                continue
            candidate = solution.subs({s: sample.sum_of(g) for s, g in sums.items()})
            # Inserted estimators get their own index j, so the nesting reads clearly.
            j = sp.Symbol("j", integer=True, positive=True)
            candidate = candidate.subs({d: result[q].xreplace({sample.i: j}) for q, d in hats.items()})
            rng = np.random.default_rng(11)
            numeric_joint = {q: e.xreplace(dict(constants)) for q, e in joint.items()}
            found = _usable_data(numeric_joint, density.xreplace(dict(constants)), x, params, sample, rng, 30)
            if found is None:
                break
            _, data, theta = found
            try:
                value = _numeric_value(candidate.xreplace(dict(constants)), sample, data)
            except (TypeError, ValueError, ZeroDivisionError, GlossaryError):
                continue
            if abs(value - theta[index]) <= 1e-9 * (1 + abs(theta[index])):
                result[p] = candidate
                break
        hats[p] = sp.Dummy(f"{p}_hat")
    return result


_MLE_METHOD = "scipy.optimize maximisation of the log-likelihood on random samples"


def _verify_mle(estimators, density, x, params, sample, points, seed, constants) -> VerificationReport:
    """Maximise the log-likelihood numerically (Nelder–Mead, then a bounded polish) on random data
    and compare the maximiser with the estimator evaluated on the same data."""
    import numpy as np
    from scipy import optimize

    rng = np.random.default_rng(seed)
    check = _Check(_MLE_METHOD, 1e-5)
    size = max(10, min(points, 200))
    ell = _log_likelihood(density, x, params)
    values_used = 0
    for _ in range(max(1, min(points // size, 10))):
        found = _usable_data(estimators, density, x, params, sample, rng, size)
        if found is None:
            raise GlossaryError(f"no kind of random data gives a finite likelihood for {density}")
        kind, data, theta = found
        start = theta * (1 + 0.2 * rng.uniform(-1, 1, size=len(theta))) + 0.05 * rng.uniform(-1, 1, size=len(theta))

        def negative(t, data=data):
            value = ell(t, data)
            return -value if np.isfinite(value) else 1e300

        # Tolerances on the scale of the problem: a log-likelihood near −300 cannot be resolved
        # to 1e-14 in floating point, and asking for it only burns evaluations.
        options = {
            "xatol": 1e-10 * (1 + float(np.max(np.abs(theta)))),
            "fatol": 1e-13 * (1 + abs(ell(theta, data))),
            "maxiter": 20000,
            "maxfev": 20000,
        }
        outcome = optimize.minimize(negative, start, method="Nelder-Mead", options=options)
        # A restart from the result: Nelder–Mead's simplex can collapse early, and a fresh one moves on.
        outcome = optimize.minimize(negative, outcome.x, method="Nelder-Mead", options=options)
        point = {
            "data": f"{size} {kind} values",
            **{str(c): str(v) for c, v in constants.items()},
            **{str(p): float(v) for p, v in zip(params, theta, strict=True)},
        }
        spread = float(np.std(data)) or 1.0
        for found_value, claimed in zip(outcome.x, theta, strict=True):
            check.add(found_value, claimed, max(abs(claimed), 1e-3 * spread), point)
        # The optimiser must not find a higher likelihood than the estimate does.
        gain = max(0.0, -outcome.fun - ell(theta, data))
        check.add(0.0, gain, size, point)
        values_used += size
    return check.report(values_used)


# -- Bayes ---------------------------------------------------------------------------------


def _probability_table(table: Any, name: str) -> dict[Any, sp.Expr]:
    if not isinstance(table, Mapping) or not table:
        raise GlossaryError(f"{name} must be a non-empty mapping from hypotheses to probabilities, got {table!r}")
    result = {}
    for key, value in table.items():
        number = _inputs.expression(value, f"{name}[{key!r}]")
        if number.is_number and (number.is_extended_real is False or not (0 <= number <= 1)):
            raise GlossaryError(f"{name}[{key!r}] = {number} is not a probability in [0, 1]")
        result[key] = number
    return result


def _adds_to_one(values: Sequence[sp.Expr]) -> bool | None:
    total = sp.Add(*values)
    if total.free_symbols:
        return True if values_equal(total, 1) else None
    if total.has(sp.Float):
        return abs(complex(sp.N(total)) - 1) <= 1e-12
    return bool(sp.nsimplify(total) == 1)


def _hypothesis_names(hypotheses: Sequence[Any]) -> dict[Any, tuple[str, str, str]]:
    """For each hypothesis: (part-key fragment, LaTeX \\text{…}, plain text)."""
    keys = _labels(hypotheses, "hypothesis")
    return {h: (keys[h], _text_latex(str(h)), " ".join(str(h).split())) for h in hypotheses}


def _evidence_names(k: int) -> tuple[str, str]:
    if k <= 3:
        return ", ".join(f"E{_subscript(j)}" for j in range(1, k + 1)), ", ".join(f"E_{{{j}}}" for j in range(1, k + 1))
    return f"E₁, …, E{_subscript(k)}", rf"E_{{1}}, \dots, E_{{{k}}}"


def _subscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _posterior(prior: Mapping[Any, sp.Expr], likelihood: Mapping[Any, sp.Expr]) -> tuple[sp.Expr, dict[Any, sp.Expr]]:
    evidence = sp.Add(*(likelihood[h] * prior[h] for h in prior))
    if evidence.is_number and evidence == 0:
        raise GlossaryError("the evidence has probability 0 under every hypothesis, so no posterior exists")
    posterior = {h: _leading_sign(sp.factor(sp.cancel(likelihood[h] * prior[h] / evidence))) for h in prior}
    return _leading_sign(sp.factor(evidence)), posterior


def _partition_steps(prior: Mapping[Any, sp.Expr], names: Mapping[Any, tuple[str, str, str]]) -> list[Step]:
    return [
        Step(
            "가설들은 분할을 이루어야 한다: 서로 배반이고 모든 경우를 빠짐없이 덮으므로 사전 확률을 모두 더하면 1",
            "the hypotheses must form a partition (mutually exclusive and together exhaustive), "
            "so their prior probabilities add up to 1",
            sp.Eq(_written_sum(list(prior.values())), 1),
        ),
        Step(
            "사전 확률 $P(H)$",
            "the prior $P(H)$",
            tuple(
                sp.Eq(_shown(f"P({names[h][2]})", rf"P({names[h][1]})"), v, evaluate=False) for h, v in prior.items()
            ),
        ),
    ]


def _check_prior(prior: Mapping[Any, sp.Expr]) -> None:
    verdict = _adds_to_one(list(prior.values()))
    if verdict is False:
        total = sp.Add(*prior.values())
        raise GlossaryError(
            f"the prior probabilities add up to {total}, not 1: the hypotheses must form a partition "
            "(exclusive and exhaustive); rescale them or add the missing hypothesis"
        )


@helper
def bayes(prior: Any, likelihood: Any) -> Derivation:
    """Posterior ``{hypothesis: P(hypothesis | evidence)}`` by Bayes' theorem.

    The hypotheses must form a partition (their priors add up to 1), which is
    what makes the evidence P(E) = Σ P(E | H) P(H). Parts: ``evidence`` and
    ``posterior_<hypothesis>``, the hypothesis name kept to letters, digits and
    ``_`` (``posterior_not_sick`` for "not sick").

    Examples:
        >>> d = bayes({"sick": sp.Rational(1, 100), "healthy": sp.Rational(99, 100)},
        ...           {"sick": sp.Rational(9, 10), "healthy": sp.Rational(1, 10)})
        >>> d.result
        {'sick': 1/12, 'healthy': 11/12}
        >>> print(d.part("evidence").text_line())
        P(E) = 27/250 ≈ 0.108
    """
    prior = _probability_table(prior, "prior")
    likelihood = _probability_table(likelihood, "likelihood")
    if set(prior) != set(likelihood):
        raise GlossaryError(
            "prior and likelihood must name the same hypotheses: "
            f"{sorted(map(str, prior))} vs {sorted(map(str, likelihood))}"
        )
    likelihood = {h: likelihood[h] for h in prior}
    names = _hypothesis_names(list(prior))
    _check_prior(prior)
    evidence, posterior = _posterior(prior, likelihood)
    P_E = _shown("P(E)", "P(E)")

    def given_e(h: Any) -> _Shown:
        return _shown(f"P({names[h][2]} | E)", rf"P({names[h][1]} \mid E)")

    steps = [
        *_partition_steps(prior, names),
        Step(
            r"각 가설이 참일 때 증거가 나올 확률, 우도(가능도) $P(E \mid H)$",
            r"the likelihood $P(E \mid H)$: the probability of the evidence if the hypothesis is true",
            tuple(
                sp.Eq(_shown(f"P(E | {names[h][2]})", rf"P(E \mid {names[h][1]})"), v, evaluate=False)
                for h, v in likelihood.items()
            ),
        ),
        Step(
            r"증거(주변 우도) $P(E) = \sum_{H} P(E \mid H)\,P(H)$: 가설들이 분할을 이루므로 성립하는 전확률 법칙",
            r"the evidence (marginal likelihood) $P(E) = \sum_{H} P(E \mid H)\,P(H)$, "
            "the law of total probability over the partition",
            sp.Eq(
                P_E,
                _written_sum([prior[h] for h in prior], [likelihood[h] for h in prior]),
            ),
        ),
        Step("계산하면", "which is", sp.Eq(P_E, evidence)),
        Step(
            r"베이즈 정리 $P(H \mid E) = \frac{P(E \mid H)\,P(H)}{P(E)}$로 구한 사후 확률",
            r"the posterior by Bayes' theorem, $P(H \mid E) = \frac{P(E \mid H)\,P(H)}{P(E)}$",
            tuple(sp.Eq(given_e(h), v) for h, v in posterior.items()),
        ),
    ]
    if not values_equal(sp.Add(*posterior.values()), 1):  # pragma: no cover - a bug, not an input problem
        raise GlossaryError("bayes: the posteriors do not add up to 1; please report this call")
    steps.append(
        Step(
            "사후 확률을 모두 더하면 1",
            "the posteriors add up to 1",
            sp.Eq(_written_sum(list(posterior.values())), 1),
        )
    )
    parts = [Part("evidence", "P(E)", "P(E)", evidence)]
    parts += [
        Part(f"posterior_{names[h][0]}", rf"P({names[h][1]} \mid E)", f"P({names[h][2]} | E)", v)
        for h, v in posterior.items()
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_by_enumeration(prior, [likelihood], [posterior], points, seed)

    return Derivation(posterior, steps, verify, parts=parts)


@helper
def bayes_update(prior: Any, likelihood: Any, observations: Sequence[Any]) -> Derivation:
    """Posteriors after each observation in turn, each posterior serving as the prior for the next.

    ``likelihood`` maps each hypothesis to ``{outcome: P(outcome | hypothesis)}``.
    Updating one observation at a time equals conditioning on all of them at once
    when the observations are conditionally independent given each hypothesis,
    which this helper assumes (and says in its steps). Parts:
    ``posterior_<k>_<hypothesis>`` after observation k and ``final_<hypothesis>``.

    Examples:
        >>> half = sp.Rational(1, 2)
        >>> coins = {"fair": {"H": half, "T": half}, "biased": {"H": sp.Rational(9, 10), "T": sp.Rational(1, 10)}}
        >>> d = bayes_update({"fair": half, "biased": half}, coins, ["H", "H"])
        >>> d.result[-1]
        {'fair': 25/106, 'biased': 81/106}
        >>> d.part("final_biased").value
        81/106
    """
    prior = _probability_table(prior, "prior")
    if not isinstance(likelihood, Mapping) or set(likelihood) != set(prior):
        raise GlossaryError(f"likelihood must map each hypothesis {sorted(map(str, prior))} to its outcome table")
    if hasattr(observations, "tolist") and not isinstance(observations, (str, bytes)):
        observations = observations.tolist()  # a NumPy array of outcomes
    if isinstance(observations, (str, bytes)) or not isinstance(observations, Sequence) or not observations:
        raise GlossaryError(f"observations must be a non-empty list of outcomes, got {observations!r}")
    if len(observations) > 200:
        raise GlossaryError(f"observations has {len(observations)} outcomes; at most 200 are supported")
    names = _hypothesis_names(list(prior))
    _check_prior(prior)
    tables = []
    for outcome in observations:
        row = {}
        for h in prior:
            if not isinstance(likelihood[h], Mapping) or outcome not in likelihood[h]:
                raise GlossaryError(f"likelihood[{h!r}] gives no probability for the outcome {outcome!r}")
            row[h] = likelihood[h][outcome]
        tables.append(_probability_table(row, f"likelihood of {outcome!r}"))
    outcome_latex = {o: _text_latex(str(o)) for o in observations}
    K = len(observations)
    every_text, every_latex = _evidence_names(K)
    steps = [
        *_partition_steps(prior, names),
        Step(
            r"각 가설 아래에서 관측들이 서로 조건부 독립이라고 가정한다: "
            r"$P(E_{1}, \dots, E_{K} \mid H) = \prod_{k} P(E_{k} \mid H)$. "
            r"그래서 $P(H \mid E_{1}, \dots, E_{k}) \propto P(E_{k} \mid H)\,P(H \mid E_{1}, \dots, E_{k-1})$이고, "
            "방금 얻은 사후 확률을 다음 관측의 사전 확률로 쓸 수 있다",
            r"the observations are assumed conditionally independent given each hypothesis, "
            r"$P(E_{1}, \dots, E_{K} \mid H) = \prod_{k} P(E_{k} \mid H)$, so "
            r"$P(H \mid E_{1}, \dots, E_{k}) \propto P(E_{k} \mid H)\,P(H \mid E_{1}, \dots, E_{k-1})$: "
            "each posterior serves as the prior for the next observation",
            sp.Eq(
                _shown(f"P({every_text} | H)", rf"P({every_latex} \mid H)"),
                _shown("Π P(E_k | H)", rf"\prod_{{k=1}}^{{{K}}} P(E_{{k}} \mid H)"),
                evaluate=False,
            ),
        ),
    ]
    posteriors: list[dict[Any, sp.Expr]] = []
    current = prior
    parts: list[Part] = []
    for number, (outcome, row) in enumerate(zip(observations, tables, strict=True), 1):
        _, current = _posterior(current, row)
        posteriors.append(current)
        seen_text, seen_latex = _evidence_names(number)
        label = outcome_latex[outcome]
        last = number == K
        steps.append(
            Step(
                f"관측 {number}(${label}$) 뒤의 사후 확률" + ("" if last else "(다음 관측의 사전 확률)"),
                f"after observation {number} (${label}$): the posterior"
                + ("" if last else ", the prior for the next observation"),
                tuple(
                    sp.Eq(_shown(f"P({names[h][2]} | {seen_text})", rf"P({names[h][1]} \mid {seen_latex})"), v)
                    for h, v in current.items()
                ),
            )
        )
        parts += [
            Part(
                f"posterior_{number}_{names[h][0]}",
                rf"P({names[h][1]} \mid {seen_latex})",
                f"P({names[h][2]} | {seen_text})",
                v,
            )
            for h, v in current.items()
        ]
    at_once = {h: prior[h] * sp.Mul(*(table[h] for table in tables)) for h in prior}
    _, batch = _posterior(prior, {h: sp.Mul(*(table[h] for table in tables)) for h in prior})
    if not all(values_equal(batch[h], posteriors[-1][h]) for h in prior):  # pragma: no cover - a bug
        raise GlossaryError("bayes_update: sequential and all-at-once posteriors differ; please report this call")
    steps.append(
        Step(
            r"모든 관측을 한꺼번에 반영해도 같다: "
            r"$P(H \mid E_{1}, \dots, E_{K}) \propto P(H)\prod_{k} P(E_{k} \mid H)$",
            r"conditioning on all observations at once gives the same: "
            r"$P(H \mid E_{1}, \dots, E_{K}) \propto P(H)\prod_{k} P(E_{k} \mid H)$",
            tuple(
                sp.Eq(_shown(f"P({names[h][2]} | {every_text})", rf"P({names[h][1]} \mid {every_latex})"), batch[h])
                for h in at_once
            ),
        )
    )
    parts += [
        Part(f"final_{names[h][0]}", rf"P({names[h][1]} \mid {every_latex})", f"P({names[h][2]} | {every_text})", v)
        for h, v in posteriors[-1].items()
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_by_enumeration(prior, tables, posteriors, points, seed)

    return Derivation(posteriors, steps, verify, parts=parts)


def _fraction(value: sp.Expr) -> Fraction:
    value = sp.nsimplify(value) if value.has(sp.Float) else value
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    raise GlossaryError(f"{value} is not an exact number")


_ENUMERATION_METHOD = "exact enumeration of the joint table of hypotheses and observations (fractions)"


def _verify_by_enumeration(prior, tables, posteriors, points, seed) -> VerificationReport:
    """Condition the joint table of (hypothesis, observation outcomes) by enumeration, in exact fractions.

    Each observation is either seen or not seen under each hypothesis; the
    posterior after k observations is the joint weight of "all k seen" for a
    hypothesis over the total weight of "all k seen". Symbols get random
    rational values.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    symbols = sorted(
        set().union(
            *(v.free_symbols for table in [prior, *tables] for v in table.values()),
            *(v.free_symbols for post in posteriors for v in post.values()),
        ),
        key=sp.default_sort_key,
    )
    exact = not any(v.has(sp.Float) for table in [prior, *tables] for v in table.values())
    check = _Check(_ENUMERATION_METHOD, 0.0 if exact else 1e-12)
    hypotheses = list(prior)
    rounds = min(points, 50) if symbols else 1
    for _ in range(rounds):
        for _attempt in range(200):
            values = {s: sp.Rational(int(rng.integers(1, 1000)), 1000) for s in symbols}
            try:
                weights0 = {h: _fraction(prior[h].xreplace(values)) for h in hypotheses}
                chances = [{h: _fraction(t[h].xreplace(values)) for h in hypotheses} for t in tables]
            except GlossaryError:
                continue
            if (
                sum(weights0.values()) > 0
                and all(0 <= w <= 1 for w in weights0.values())
                and all(0 <= c <= 1 for row in chances for c in row.values())
            ):
                break
        else:
            raise GlossaryError("no random values of the symbols give valid probabilities")
        shown = {str(k): str(v) for k, v in values.items()}
        for seen in range(1, len(tables) + 1):
            joint: dict[tuple[Any, tuple[bool, ...]], Fraction] = {}
            for h in hypotheses:
                for pattern in itertools.product((True, False), repeat=min(seen, 12)):
                    weight = weights0[h]
                    for observed, row in zip(pattern, chances[:seen], strict=False):
                        weight *= row[h] if observed else 1 - row[h]
                    joint[(h, pattern)] = weight
            everything = (True,) * min(seen, 12)
            tail = [Fraction(1)] * len(hypotheses)
            if seen > 12:  # beyond 12 observations, the rest enter as a product (the joint table would be huge)
                tail = [math.prod((row[h] for row in chances[12:seen]), start=Fraction(1)) for h in hypotheses]
            evidence = sum(joint[(h, everything)] * t for h, t in zip(hypotheses, tail, strict=True))
            if evidence == 0:
                continue
            for h, t in zip(hypotheses, tail, strict=True):
                expected = joint[(h, everything)] * t / evidence
                claimed = posteriors[seen - 1][h].xreplace(values)
                actual = _fraction(claimed) if exact else complex(sp.N(claimed, 30))
                if exact:
                    difference = abs(expected - actual)
                    check.add(0.0, float(difference), 1.0, shown)
                else:
                    check.add(float(expected), actual, max(float(expected), 1e-300), shown)
    return check.report()


# -- the sample mean and the n-divisor variance -------------------------------------------------


def _sample_size(n: Any) -> tuple[sp.Expr, dict]:
    """A sample size, a positive whole number or a symbol that may stand for one, and the mapping
    back from the positive-integer symbol the derivation uses to the caller's own symbol."""
    if isinstance(n, sp.Symbol):
        if n.is_integer is False or n.is_positive is False or n.is_extended_real is False:
            raise GlossaryError(f"n = {n} must be a positive whole number; its assumptions say it cannot be one")
        if n.is_integer and n.is_positive:
            return n, {}
        work = sp.Symbol(n.name, integer=True, positive=True)
        return work, {work: n}
    if isinstance(n, sp.Basic) and not n.is_Integer:
        raise GlossaryError(f"n must be a positive whole number or a Symbol, got {n}")
    return sp.Integer(_inputs.whole_number(n, "n", 1, 10**6)), {}


def _finite_table(instance: Any) -> dict | None:
    table = getattr(instance, "dict", None) if hasattr(instance, "dict") else None
    if table is None:
        return None
    try:
        return {Fraction(str(sp.nsimplify(k))): _fraction(v) for k, v in table.items()}
    except (GlossaryError, ValueError, TypeError):
        return None


def _sampler(instance: Any):
    """draw(rng, shape) for a distribution with numeric parameters: scipy.stats, or the table itself."""
    import numpy as np

    found = _scipy_distribution(instance)
    if found is not None:
        frozen, shift, scale = found
        return lambda rng, shape: shift + scale * frozen.rvs(size=shape, random_state=rng)
    table = getattr(instance, "dict", None) if hasattr(instance, "dict") else None
    if table is not None:
        values = np.array([float(k) for k in table])
        weights = np.array([float(v) for v in table.values()])
        return lambda rng, shape: rng.choice(values, size=shape, p=weights / weights.sum())
    return None


def _simulation_conditions(distribution: Any) -> list[Any]:
    """Extra conditions for simulated checks: a finite fourth moment, so that standard errors mean something."""
    family = _family(distribution)
    arguments = _arguments(distribution)
    rule = _TAILS.get(family)
    if rule:
        value = arguments[rule[0]]
        if value.free_symbols:
            return [sp.Gt(value, 2 * rule[2] + 1)]
    if family == "LogNormal" and arguments["std"].free_symbols:
        return [sp.Le(arguments["std"], sp.Rational(1, 2))]
    return []


def _sizes(n: sp.Expr) -> list[int]:
    return [1, 2, 3, 5, 8] if n.free_symbols else [int(n)]


_SIMULATION_METHOD = "simulation with scipy.stats: standardised difference (z-score)"
_SAMPLE_ENUMERATION_METHOD = "exact enumeration of all samples (fractions)"


def _sample_verifier(
    distribution: Any, conditions: Sequence[Any], n: sp.Expr, statistic: str, claims: Sequence[sp.Expr]
):
    """Check claims about the sample mean (``mean``) or the n-divisor variance (``variance``) of n draws."""

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        rng = np.random.default_rng(seed)
        space = _ParameterSpace(distribution, [*conditions, *_simulation_conditions(distribution)])
        draws = [space.draw(rng) for _ in range(min(max(points // 100, 1), 5) if space.symbols else 1)]
        instances = [type(distribution)(*[sp.sympify(a).xreplace(v) for a in distribution.args]) for v in draws]
        sizes = _sizes(n)
        tables = [_finite_table(i) for i in instances]
        if all(t is not None and all(len(t) ** m <= 40000 for m in sizes) for t in tables):
            return _enumerate_samples(draws, tables, n, sizes, statistic, claims)
        samplers = [_sampler(i) for i in instances]
        if any(s is None for s in samplers):
            raise GlossaryError(f"no independent sampler for {_describe(distribution)}, so this cannot be checked")
        check = _Check(_SIMULATION_METHOD, 5.0)
        for values, instance, draw in zip(draws, instances, samplers, strict=True):
            for m in sizes:
                replications = int(min(20000, max(50, 4_000_000 // m)))
                estimates = _simulate(draw, rng, replications, m, statistic)
                point = {**{str(k): v for k, v in values.items()}, "n": m}
                at = {**values, n: m} if n.free_symbols else values
                centre = float(estimates.mean())
                spread = float(estimates.std(ddof=1))
                _z_add(check, centre, _number(claims[0], at).real, spread / math.sqrt(replications), point)
                if statistic == "mean":
                    # The variance of the simulated means, with the standard error of a sample variance.
                    variance = float(estimates.var(ddof=1))
                    fourth = float(np.mean((estimates - centre) ** 4))
                    error = math.sqrt(max(fourth - variance**2, 0.0) / replications)
                    _z_add(check, variance, _number(claims[1], at).real, error, point)
                else:
                    # The bias against the variance of X itself, which scipy knows independently.
                    _, true_variance = _scipy_moments(instance) or _numeric_moments(instance)
                    bias = centre - true_variance
                    _z_add(check, bias, _number(claims[1], at).real, spread / math.sqrt(replications), point)
        return check.report()

    return verify


def _simulate(draw, rng, replications: int, size: int, statistic: str):
    """The statistic (sample mean or n-divisor variance) of ``replications`` samples of ``size`` draws,
    generated in chunks of at most four million numbers."""
    import numpy as np

    rows_per_chunk = max(1, 4_000_000 // size)
    results = []
    for start in range(0, replications, rows_per_chunk):
        rows = min(rows_per_chunk, replications - start)
        data = np.asarray(draw(rng, (rows, size)), dtype=float)
        results.append(data.mean(axis=1) if statistic == "mean" else data.var(axis=1))
    return np.concatenate(results)


def _z_add(check: _Check, observed: float, claimed: float, standard_error: float, point: Mapping[str, Any]) -> None:
    """Add |observed − claimed| in standard errors; with no spread at all (the n-divisor variance of
    a single draw is always 0) the two must agree to about nine digits instead."""
    if standard_error <= 1e-300:
        standard_error = max(abs(observed), 1e-12) * 1e-9 / check.tolerance
    check.add(observed, claimed, standard_error, point)


def _enumerate_samples(draws, tables, n, sizes, statistic, claims) -> VerificationReport:
    check = _Check(_SAMPLE_ENUMERATION_METHOD, 0.0)
    for values, table in zip(draws, tables, strict=True):
        outcomes = list(table.items())
        for m in sizes:
            at = {**values, n: m} if n.free_symbols else values
            first = Fraction(0)
            second = Fraction(0)
            for combination in itertools.product(outcomes, repeat=m):
                weight = math.prod((w for _, w in combination), start=Fraction(1))
                xs = [v for v, _ in combination]
                mean = sum(xs, Fraction(0)) / m
                estimate = mean if statistic == "mean" else sum(((v - mean) ** 2 for v in xs), Fraction(0)) / m
                first += weight * estimate
                second += weight * estimate * estimate
            if statistic == "mean":
                expected = [first, second - first * first]
            else:
                true_mean = sum((v * w for v, w in outcomes), Fraction(0))
                true_variance = sum(((v - true_mean) ** 2 * w for v, w in outcomes), Fraction(0))
                expected = [first, first - true_variance]
            point = {**{str(k): str(v) for k, v in values.items()}, "n": m}
            for value, claim in zip(expected, claims, strict=True):
                claimed = claim.xreplace(at)
                difference = abs(value - _fraction(sp.nsimplify(claimed))) if claimed.is_number else None
                if difference is None:
                    raise GlossaryError(f"the claim {claim} did not evaluate to a number at {point}")
                check.add(0.0, float(difference), 1.0, point)
    return check.report()


def _moment_summary_step(X: Any, found: _Moments) -> Step:
    e_x, _, var_x = _mean_names(X)
    latex, _ = _rv_names(X)
    return Step(
        rf"한 관측의 기댓값과 분산(이 분포의 적률에서 유도): "
        rf"$\mathbb{{E}}[{latex}]$, $\operatorname{{Var}}[{latex}]$",
        rf"the mean and variance of one observation (derived from the distribution's moments): "
        rf"$\mathbb{{E}}[{latex}]$, $\operatorname{{Var}}[{latex}]$",
        (sp.Eq(e_x, found.mean), sp.Eq(var_x, found.variance)),
    )


@helper
def sample_mean(X: Any, n: Any) -> Derivation:
    """Mean and variance ``(mean, variance)`` of the sample mean X̄ of n independent copies of X.

    ``n`` is a positive whole number or a symbol (then read as one). By
    linearity E[X̄] = E[X]; by independence Var[X̄] = Var[X]/n. Parts: ``mean``
    (𝔼[X̄]) and ``variance`` (Var[X̄]). Checked by exact enumeration of every
    sample for small finite distributions and by simulation otherwise.

    Examples:
        >>> from sympy.stats import Normal
        >>> mu, sigma = sp.Symbol("mu"), sp.Symbol("sigma", positive=True)
        >>> sample_mean(Normal("X", mu, sigma), sp.Symbol("n", integer=True, positive=True)).result
        (mu, sigma**2/n)
    """
    size, back = _sample_size(n)
    found = _moments(X, quick=True)
    latex, text = _rv_names(X)
    i = sp.Symbol("i", integer=True, positive=True)
    Xi = sp.IndexedBase(sp.Symbol(text))
    xbar_latex, xbar_text = rf"\bar{{{latex}}}", f"{text}̄"
    mean_xbar = _expectation(xbar_latex, xbar_text)
    var_xbar = _variance_of(xbar_latex, xbar_text)
    mean = found.mean
    variance = _tidy(found.variance / size)
    steps = [
        _moment_summary_step(X, found),
        Step(
            rf"서로 독립이고 ${latex}$와 분포가 같은 ${latex}_{{1}}, \dots, {latex}_{{n}}$의 표본 평균",
            rf"the sample mean of ${latex}_{{1}}, \dots, {latex}_{{n}}$, independent and distributed like ${latex}$",
            sp.Eq(_shown(xbar_text, xbar_latex), sp.Sum(Xi[i], (i, 1, size)) / size),
        ),
        Step(
            rf"기댓값의 선형성: $\mathbb{{E}}[{xbar_latex}] = \frac{{1}}{{n}}\sum_{{i}} \mathbb{{E}}[{latex}_{{i}}]$",
            rf"linearity of expectation: "
            rf"$\mathbb{{E}}[{xbar_latex}] = \frac{{1}}{{n}}\sum_{{i}} \mathbb{{E}}[{latex}_{{i}}]$",
            sp.Eq(mean_xbar, sp.Sum(found.mean, (i, 1, size)) / size),
        ),
        Step("정리하면", "simplified", sp.Eq(mean_xbar, mean), equals_previous=True),
        Step(
            rf"독립인 확률변수의 분산은 더해지고 상수 $\frac{{1}}{{n}}$은 제곱으로 나온다: "
            rf"$\operatorname{{Var}}[{xbar_latex}] = "
            rf"\frac{{1}}{{n^{{2}}}}\sum_{{i}} \operatorname{{Var}}[{latex}_{{i}}]$",
            rf"variances of independent variables add, and the constant $\frac{{1}}{{n}}$ comes out squared: "
            rf"$\operatorname{{Var}}[{xbar_latex}] = "
            rf"\frac{{1}}{{n^{{2}}}}\sum_{{i}} \operatorname{{Var}}[{latex}_{{i}}]$",
            sp.Eq(var_xbar, sp.Sum(found.variance, (i, 1, size)) / size**2),
        ),
        Step("정리하면", "simplified", sp.Eq(var_xbar, variance), equals_previous=True),
    ]
    verify = _sample_verifier(found.distribution, found.conditions, size, "mean", [mean, variance])
    mean, variance = _replace(mean, back), _replace(variance, back)
    parts = [
        Part("mean", rf"\mathbb{{E}}[{xbar_latex}]", f"E[{xbar_text}]", mean),
        Part("variance", rf"\operatorname{{Var}}[{xbar_latex}]", f"Var[{xbar_text}]", variance),
    ]
    return Derivation((mean, variance), steps, verify, parts=parts)


@helper
def variance_estimator_bias(X: Any, n: Any) -> Derivation:
    """``(expected_estimate, bias)`` of the n-divisor variance σ̂² = (1/n) Σ (Xᵢ − X̄)² of n independent copies of X.

    E[σ̂²] = (n − 1)/n · Var[X], so the bias E[σ̂²] − Var[X] = −Var[X]/n: the
    maximum-likelihood variance of a normal sample is too small on average, and
    dividing by n − 1 removes the bias. Parts: ``expected_estimate`` (𝔼[σ̂²])
    and ``bias``. Checked by exact enumeration of every sample for small finite
    distributions and by simulation otherwise.

    Examples:
        >>> from sympy.stats import Normal
        >>> mu, sigma = sp.Symbol("mu"), sp.Symbol("sigma", positive=True)
        >>> variance_estimator_bias(Normal("X", mu, sigma), sp.Symbol("n", integer=True, positive=True)).result
        (sigma**2*(n - 1)/n, -sigma**2/n)
    """
    size, back = _sample_size(n)
    found = _moments(X, quick=True)
    latex, text = _rv_names(X)
    i = sp.Symbol("i", integer=True, positive=True)
    Xi = sp.IndexedBase(sp.Symbol(text))
    xbar = _shown(f"{text}̄", rf"\bar{{{latex}}}")
    hat = _shown("σ̂²", r"\hat{\sigma}^{2}")
    e_hat = _expectation(r"\hat{\sigma}^{2}", "σ̂²")
    m, v = found.mean, found.variance
    total = _shown(
        f"E[Σ({text}ᵢ − {text}̄)²]", rf"\mathbb{{E}}\left[\sum_{{i}} ({latex}_{{i}} - \bar{{{latex}}})^{{2}}\right]"
    )
    raw = size * (v + m**2) - size * (v / size + m**2)
    combined = _tidy(raw)
    expected = _tidy(combined / size)
    bias = _tidy(expected - v)
    steps = [
        _moment_summary_step(X, found),
        Step(
            r"분산 추정량 $\hat{\sigma}^{2}$은 $n - 1$이 아닌 $n$으로 나눈다(정규 분포의 최대우도추정량)",
            r"the variance estimate $\hat{\sigma}^{2}$ divides by $n$, not $n - 1$ "
            "(the maximum-likelihood estimate for a normal sample)",
            sp.Eq(hat, sp.Sum((Xi[i] - xbar) ** 2, (i, 1, size)) / size),
        ),
        Step(
            rf"제곱을 전개하면 $\sum_{{i}} ({latex}_{{i}} - \bar{{{latex}}})^{{2}} = \sum_{{i}} {latex}_{{i}}^{{2}} - "
            rf"n\bar{{{latex}}}^{{2}}$",
            rf"expanding the square, "
            rf"$\sum_{{i}} ({latex}_{{i}} - \bar{{{latex}}})^{{2}} = \sum_{{i}} {latex}_{{i}}^{{2}} - "
            rf"n\bar{{{latex}}}^{{2}}$",
            sp.Eq(
                _frozen(sp.Sum((Xi[i] - xbar) ** 2, (i, 1, size))),
                sp.Sum(Xi[i] ** 2, (i, 1, size)) - size * xbar**2,
            ),
        ),
        Step(
            rf"$\mathbb{{E}}[Y^{{2}}] = \operatorname{{Var}}[Y] + \mathbb{{E}}[Y]^{{2}}$을 ${latex}_{{i}}$와 "
            rf"$\bar{{{latex}}}$에 적용한다($\operatorname{{Var}}[\bar{{{latex}}}] = \operatorname{{Var}}[{latex}]/n$)",
            r"apply $\mathbb{E}[Y^{2}] = \operatorname{Var}[Y] + \mathbb{E}[Y]^{2}$ "
            rf"to ${latex}_{{i}}$ and to "
            rf"$\bar{{{latex}}}$ (where $\operatorname{{Var}}[\bar{{{latex}}}] = \operatorname{{Var}}[{latex}]/n$)",
            (
                sp.Eq(_expectation(rf"{latex}_{{i}}^{{2}}", f"{text}ᵢ²"), v + m**2),
                sp.Eq(_expectation(rf"\bar{{{latex}}}^{{2}}", f"{text}̄²"), v / size + m**2),
            ),
        ),
        Step(
            "기댓값의 선형성으로 합의 기댓값을 구한다",
            "so, by linearity, the expected sum of squares is",
            sp.Eq(total, raw),
        ),
        Step("정리하면", "simplified", sp.Eq(total, combined), equals_previous=True),
        Step(
            rf"$n$으로 나누면 $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] = \frac{{n-1}}{{n}}\operatorname{{Var}}[{latex}]$",
            rf"dividing by $n$, $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] = \frac{{n-1}}{{n}}\operatorname{{Var}}[{latex}]$",
            sp.Eq(e_hat, expected),
        ),
        Step(
            rf"편향 $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] - \operatorname{{Var}}[{latex}]$: "
            "평균적으로 실제 분산보다 작다. "
            "$n$ 대신 $n - 1$로 나누면 편향이 없어진다",
            rf"the bias $\mathbb{{E}}[\hat{{\sigma}}^{{2}}] - \operatorname{{Var}}[{latex}]$: "
            "on average the estimate is "
            r"too small; dividing by $n - 1$ instead of $n$ removes the bias",
            sp.Eq(_shown("Bias[σ̂²]", r"\operatorname{Bias}[\hat{\sigma}^{2}]"), bias),
        ),
    ]
    verify = _sample_verifier(found.distribution, found.conditions, size, "variance", [expected, bias])
    expected, bias = _replace(expected, back), _replace(bias, back)
    parts = [
        Part("expected_estimate", r"\mathbb{E}[\hat{\sigma}^{2}]", "E[σ̂²]", expected),
        Part("bias", r"\operatorname{Bias}[\hat{\sigma}^{2}]", "Bias[σ̂²]", bias),
    ]
    return Derivation((expected, bias), steps, verify, parts=parts)


limits.preload("scipy.integrate", "scipy.optimize", "scipy.special", "scipy.stats")
