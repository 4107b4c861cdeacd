"""Activation functions, their derivatives, and the bound they put on gradients through depth.

``sigmoid``, ``relu``, ``step`` and ``tanh`` return plain SymPy expressions so
that they compose. Conventions: ``step(0) = 0`` is this glossary's choice of the
step function's *value* at its jump (the step function has no derivative
there; PyTorch has no step activation, and ``torch.heaviside`` takes the value
at 0 as an argument). ``relu'(0) = 0`` is what PyTorch's autograd returns,
although ReLU has no derivative at 0.

An activation is any callable that maps a SymPy expression to one: the four
above, a ``lambda``, a ``functools.partial`` or an object with ``__call__``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction
from sympy.printing.pretty.stringpict import prettyForm

from .. import _inputs, limits
from ..calculus import Equation, Notation, _checked, _scalar
from ..derivation import Derivation, Part, Step, VerificationReport, helper, values_equal
from ..errors import GlossaryError
from ..numeric import derivative_verifier

__all__ = ["derivative", "relu", "sigmoid", "step", "tanh", "vanishing_gradient"]

Activation = Callable[[sp.Expr], sp.Expr]

#: The deepest network ``vanishing_gradient`` bounds: (1/4)**1000 already has 603 digits.
MAX_DEPTH = 1000
#: Seconds one helper call spends in all on optional exact work (solve, limit, simplify) together.
OPTIONAL_SECONDS = 1.2

_deadline: float | None = None


@contextlib.contextmanager
def _optional_work(seconds: float = OPTIONAL_SECONDS) -> Iterator[None]:
    """Share one time budget among the optional exact refinements of a call (nested calls keep the outer one)."""
    global _deadline
    previous = _deadline
    if previous is None:
        _deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline = previous


def _attempt(function: Callable[..., Any], *args: Any, seconds: float) -> Any:
    """`limits.attempt` within what is left of the call's budget for optional work (None once it is spent)."""
    if _deadline is not None:
        seconds = min(seconds, _deadline - time.monotonic())
        if seconds < 0.05:
            return None
    return limits.attempt(function, *args, seconds=seconds)


def sigmoid(x: Any) -> sp.Expr:
    """The logistic sigmoid σ(x) = 1 / (1 + e^(−x)).

    Examples:
        >>> sigmoid(0)
        1/2
    """
    x = _inputs.expression(x, "x")
    return 1 / (1 + sp.exp(-x))


def relu(x: Any) -> sp.Expr:
    """ReLU(x) = max(0, x), written piecewise so that relu'(0) = 0 (what PyTorch's autograd returns).

    Examples:
        >>> relu(-3), relu(sp.Rational(5, 2))
        (0, 5/2)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((x, x > 0), (0, True))


def step(x: Any) -> sp.Expr:
    """The step function: 1 for x > 0, else 0.

    The value step(0) = 0 is this glossary's convention; the function jumps
    there and has no derivative at 0.

    Examples:
        >>> step(0), step(2)
        (0, 1)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((1, x > 0), (0, True))


def tanh(x: Any) -> sp.Expr:
    """The hyperbolic tangent.

    Examples:
        >>> tanh(0)
        0
    """
    x = _inputs.expression(x, "x")
    return sp.tanh(x)


class _Sigma(sp.Function):
    """σ(x) kept by name in shown results (σ′ = σ(1 − σ)); it evaluates as 1/(1 + e^(−x))."""

    nargs = 1

    @classmethod
    def class_key(cls) -> tuple:
        # Sorted before sums, so that a product reads σ(x)(1 − σ(x)) as textbooks write it.
        return (2, 0, "σ")

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_Number:
            return 1 / (1 + sp.exp(-arg))
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **hints: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def doit(self, **hints: Any) -> sp.Expr:
        return self.rewrite(sp.exp)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        shown = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return shown if exp is None else rf"{shown}^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"σ({printer._print(self.args[0])})"

    def _pretty(self, printer: Any) -> prettyForm:
        return prettyForm(f"σ({printer._print(self.args[0])})")

    def _numpycode(self, printer: Any) -> str:
        return printer._print(self.rewrite(sp.exp))

    _mpmathcode = _pythoncode = _lambdacode = _numpycode


_NAMES: tuple[tuple[Callable[..., Any], str, str], ...] = (
    (sigmoid, r"\sigma", "σ"),
    (tanh, r"\tanh", "tanh"),
    (relu, r"\operatorname{ReLU}", "ReLU"),
    (step, r"\operatorname{step}", "step"),
)


def _names(activation: Any) -> tuple[str, str]:
    """The activation's name in LaTeX and in text: σ, tanh, ReLU, step, a function's own name, or g."""
    for known, latex, text in _NAMES:
        if activation is known:
            return latex, text
    try:
        name = getattr(activation, "__name__", None)
    except Exception:
        name = None
    if isinstance(name, str) and name.isidentifier() and name.isascii() and not name.startswith("_"):
        return rf"\operatorname{{{name}}}", name
    return "g", "g"


def _applied(latex: str, text: str, at: Any, prime: bool = False) -> Notation:
    mark_latex, mark_text = ("'", "′") if prime else ("", "")
    return Notation(rf"{latex}{mark_latex}\left({sp.latex(at)}\right)", f"{text}{mark_text}({at})")


def _activation(activation: Any, name: str = "activation") -> Activation:
    if isinstance(activation, (str, bytes)) or not callable(activation):
        raise GlossaryError(f"{name} must be a callable such as neural.sigmoid, got {activation!r}")
    value = _call(activation, sp.Symbol("x", real=True), f"{name} {activation!r} failed on a symbol")
    if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)) or not isinstance(value, sp.Expr):
        raise GlossaryError(f"{name} {activation!r} must return a scalar SymPy expression, got {value!r}")
    return activation


def _call(activation: Activation, at: Any, failure: str) -> Any:
    """``activation(at)``; any error but a GlossaryError becomes one, starting with ``failure``."""
    try:
        return activation(at)
    except GlossaryError:
        raise
    except Exception as error:
        raise GlossaryError(f"{failure}: {type(error).__name__}: {error}") from None


def _apply(activation: Activation, at: sp.Expr) -> sp.Expr:
    return _scalar(_call(activation, at, f"the activation failed on {at}"), "the activation's value")


def _in_terms_of_output(d: sp.Expr, y: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """Write d as a polynomial of degree ≤ 2 in the activation's output y, if it is one.

    This finds σ' = σ(1 − σ) and tanh' = 1 − tanh² without special cases: fit
    a + b·y + c·y² at three points, round to small rationals, then confirm.
    Returns the polynomial in a symbol ``Y`` (to be replaced by the output).
    """
    import numpy as np

    points = [sp.Rational(-3, 7), sp.Rational(2, 5), sp.Rational(6, 5)]
    try:
        rows = [[1.0, float(y.subs(x, p)), float(y.subs(x, p)) ** 2] for p in points]
        right = [float(d.subs(x, p)) for p in points]
        a, b, c = np.linalg.solve(np.array(rows), np.array(right))
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return None
    if not all(map(math.isfinite, (a, b, c))):
        return None
    coefficients = [sp.nsimplify(round(v, 9), rational=True) for v in (a, b, c)]
    if any(sp.Abs(v).q > 100 for v in coefficients):
        return None
    Y = sp.Symbol("Y")
    a, b, c = coefficients
    polynomial = a + b * Y + c * Y**2
    if polynomial.free_symbols != {Y}:
        return None
    if b != 0:
        # Factored with a positive sign: Y(1 − Y) rather than −Y(Y − 1).
        polynomial = sp.factor(polynomial)
        if polynomial.could_extract_minus_sign() and polynomial.is_Mul:
            flipped = [(-f if f.is_Add else f) for f in polynomial.args if f != -1]
            if sum(1 for f in polynomial.args if f.is_Add) == 1:
                polynomial = sp.Mul(*flipped)
    candidate = polynomial.subs(Y, y)
    return polynomial if values_equal(candidate, d, "the derivative in terms of the output") else None


# -- breakpoints of piecewise activations --------------------------------------------------------


def _breakpoints(y: sp.Expr, t: sp.Symbol) -> list[sp.Expr]:
    """The real points where a piecewise activation switches formula (from conditions linear in t)."""
    points: set[sp.Expr] = set()
    for piecewise in y.atoms(sp.Piecewise):
        for _, condition in piecewise.args:
            for relation in condition.atoms(sp.core.relational.Relational):
                if not relation.has(t):
                    continue
                try:
                    difference = relation.lhs - relation.rhs
                    solved = sp.solve(difference, t) if sp.degree(difference, t) <= 2 else []
                except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
                    continue
                points |= {s for s in solved if s.is_real and s.is_number}
    return sorted(points, key=lambda p: float(p))


@dataclass(frozen=True)
class _Breakpoint:
    at: sp.Expr
    jumps: bool
    left: sp.Expr | None
    right: sp.Expr | None
    value: sp.Expr


def _one_sided(expr: sp.Expr, t: sp.Symbol, at: sp.Expr, direction: str) -> sp.Expr | None:
    """The limit of ``expr`` as t → at from one side; a piecewise expression first picks its branch there
    (SymPy's own limit of a Piecewise ignores the side)."""
    eps = sp.Dummy("eps", positive=True)
    near = expr.subs(t, at + eps if direction == "+" else at - eps)
    if near.has(sp.Piecewise):
        near = sp.piecewise_fold(near)
        if isinstance(near, sp.Piecewise):
            near = near.subs(eps, sp.Rational(1, 10**12))
            return near if near.is_number and not near.has(sp.Piecewise) else None
    return _attempt(sp.limit, near, eps, 0, "+", seconds=1)


def _classify(y: sp.Expr, d: sp.Expr, t: sp.Symbol, at: sp.Expr) -> _Breakpoint | None:
    def one_sided(expr: sp.Expr, direction: str) -> sp.Expr | None:
        return _one_sided(expr, t, at, direction)

    y_left, y_right = one_sided(y, "-"), one_sided(y, "+")
    d_left, d_right = one_sided(d, "-"), one_sided(d, "+")
    if None in (y_left, y_right):
        return None
    jumps = not values_equal(y_left, y_right)
    if not jumps and d_left is not None and d_right is not None and values_equal(d_left, d_right):
        return None
    return _Breakpoint(at, jumps, d_left, d_right, d.subs(t, at))


@helper
def derivative(activation: Any, x: Any) -> Derivation:
    """The derivative of an activation at ``x``, written in its simplest form.

    With ``x`` a symbol, the steps are written in it. The part ``derivative``
    shows the result by the activation's name where it has one: σ′(x) =
    σ(x)(1 − σ(x)). Where a piecewise activation has no derivative (ReLU at 0
    has a kink, the step function jumps at 0), a step says so and what value
    the formula takes there.

    Examples:
        >>> x = sp.Symbol("x")
        >>> derivative(sigmoid, x).result == sigmoid(x) * (1 - sigmoid(x))
        True
        >>> derivative(sigmoid, x).part("derivative").value
        σ(x)*(1 - σ(x))
        >>> derivative(relu, x).result
        Piecewise((1, x > 0), (0, True))
    """
    with _optional_work():
        return _derivative(activation, x)


def _derivative(activation: Any, x: Any) -> Derivation:
    activation = _activation(activation)
    x = _scalar(x, "x")
    latex_name, text_name = _names(activation)
    t = sp.Symbol(x.name, real=True) if isinstance(x, sp.Symbol) else sp.Symbol("t", real=True)
    y = _apply(activation, t)
    if y.has(sp.Max, sp.Min, sp.Heaviside):
        # max(x, x/10) differentiates to Heaviside sums whose value at the kink (0.55) means nothing;
        # as a piecewise function the kink is found and explained like ReLU's.
        y = y.rewrite(sp.Piecewise)
    raw = sp.piecewise_fold(sp.diff(y, t))
    if isinstance(raw, sp.Piecewise):
        raw = _attempt(sp.simplify, raw, seconds=1) or raw
    polynomial = None if y.has(sp.Piecewise) else _in_terms_of_output(raw, y, t)
    Y = sp.Symbol("Y")
    simplest = polynomial.subs(Y, y) if polynomial is not None else raw
    g_t, g_prime_t = _applied(latex_name, text_name, t), _applied(latex_name, text_name, t, prime=True)
    first_ko, first_en = "활성화 함수", "the activation"
    if activation is step:
        first_ko += r"(이 용어집은 함숫값을 $\operatorname{step}(0) = 0$으로 정한다)"
        first_en += r" (this glossary sets its value at the jump to $\operatorname{step}(0) = 0$)"
    steps = [
        # tanh(x) = tanh(x) would say nothing: the named function alone then.
        Step(first_ko, first_en, y if y == sp.tanh(t) else Equation(g_t, y)),
        Step("직접 미분한다", "differentiate directly", Equation(g_prime_t, raw)),
    ]
    shown = None
    if polynomial is not None:
        by_name = _Sigma(t) if activation is sigmoid else (sp.tanh(t) if activation is tanh else None)
        if simplest != raw:  # tanh′ comes out as 1 − tanh² already
            steps.append(
                Step("출력값으로 다시 쓴다", "write it with the output itself", simplest, equals_previous=True)
            )
        if by_name is not None and polynomial.subs(Y, by_name) != raw:
            shown = polynomial.subs(Y, by_name)
            rule = f"${latex_name}' = {sp.latex(polynomial.subs(Y, sp.Symbol(latex_name)))}$"
            steps.append(
                Step(
                    f"활성화 함수의 이름으로 쓰면 {rule}",
                    f"in terms of the activation: {rule}",
                    Equation(g_prime_t, shown),
                )
            )
    steps += _breakpoint_steps(activation, y, simplest, t, latex_name, text_name)
    result = simplest.subs(t, x)
    if not isinstance(x, sp.Symbol):
        steps.append(
            Step(
                f"${sp.latex(t)} = {sp.latex(x)}$에서의 값",
                f"its value at ${sp.latex(t)} = {sp.latex(x)}$",
                Equation(_applied(latex_name, text_name, x, prime=True), result),
            )
        )
    value = shown.subs(t, x) if shown is not None else result
    name_latex, name_text = rf"{latex_name}'\left({sp.latex(x)}\right)", f"{text_name}′({x})"
    if activation is step and isinstance(x, sp.Symbol):
        # The jump has no derivative: the result holds away from it, and its name says so.
        name_latex, name_text = rf"{name_latex}\ \left({sp.latex(x)} \neq 0\right)", f"{name_text} ({x} ≠ 0)"
    parts = [Part("derivative", name_latex, name_text, value)]
    verify = _checked(derivative_verifier([(y, simplest, t)]), [y], "the activation")
    return Derivation(result, steps, verify, parts=parts)


def _breakpoint_steps(
    activation: Any, y: sp.Expr, d: sp.Expr, t: sp.Symbol, latex_name: str, text_name: str
) -> list[Step]:
    """What a piecewise activation's derivative does where its formula switches."""
    if not y.has(sp.Piecewise):
        return []
    steps = []
    for at in _breakpoints(y, t):
        point = _classify(y, d, t, at)
        if point is None:
            continue
        where = f"${sp.latex(t)} = {sp.latex(at)}$"
        elsewhere = f"${sp.latex(t)} \\neq {sp.latex(at)}$"
        value_name = _applied(latex_name, text_name, at, prime=True)
        if point.jumps:
            value_ko, value_en = (
                (f"${sp.latex(d)}$이고", f"${sp.latex(d)}$") if d.is_number else ("위와 같고", "as above")
            )
            ko = f"{elsewhere}에서 도함수는 {value_ko}, 함수가 끊어지는 {where}에서는 도함수가 존재하지 않는다"
            en = (
                f"the derivative is {value_en} for {elsewhere}; at {where}, where the function jumps, it does not exist"
            )
            steps.append(Step(ko, en, Equation(_applied(latex_name, text_name, t, prime=True), d)))
            continue
        sides_ko = sides_en = ""
        if point.left is not None and point.right is not None:
            sides_ko = f"(왼쪽에서 ${sp.latex(point.left)}$, 오른쪽에서 ${sp.latex(point.right)}$)"
            sides_en = f" (${sp.latex(point.left)}$ from the left, ${sp.latex(point.right)}$ from the right)"
        if activation is relu:
            ko = (
                f"{where}에서는 한쪽 도함수가 서로 달라{sides_ko} 미분할 수 없지만, "
                "PyTorch의 자동 미분이 돌려주는 값과 같이 0으로 정한다"
            )
            en = (
                f"at {where} the one-sided derivatives differ{sides_en}, so ReLU has no derivative there; "
                "it is taken to be 0, the value PyTorch's autograd returns"
            )
        else:
            ko = f"{where}에서는 한쪽 도함수가 서로 달라{sides_ko} 미분할 수 없다. 위 식이 그 점에 주는 값은 관례다"
            en = (
                f"at {where} the one-sided derivatives differ{sides_en}, so there is no derivative there; "
                "the value the formula gives at that point is a convention"
            )
        steps.append(Step(ko, en, Equation(value_name, point.value)))
    return steps


# -- depth: how the derivative bounds the gradient through many layers ---------------------------

_REWRITE = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)
_GRID_REACH = 600.0  # beyond this, exp overflows in floating point; the far field is read with mpmath
_FAR = [10.0**k for k in (3, 4, 6, 8, 12)]


@dataclass
class _Peak:
    """A candidate for the supremum of a function: its value (30 digits) and, once confirmed, its exact form."""

    value: Any
    kind: str  # "interior", "endpoint", "limit", "point" or "constant" (a whole interval)
    at: Any  # an exact point, an mpmath number, ±oo, or the interval of a constant piece
    attained: bool
    piece: int = -1
    exact: sp.Expr | None = None
    exact_at: sp.Expr | None = None  # the exact location, once confirmed


@dataclass
class _Supremum:
    peak: _Peak
    critical: list[sp.Expr]  # exact critical points SymPy found on the winning piece (shown in the steps)
    second: sp.Expr | None  # the derivative that was set to zero to find them


def _mp(expr: sp.Expr, t: sp.Symbol) -> Callable[[Any], Any]:
    function = sp.lambdify(t, expr, modules="mpmath")

    def value(at: Any) -> Any:
        import mpmath

        try:
            result = mpmath.mpmathify(function(mpmath.mpf(at)))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError, AttributeError):
            return mpmath.nan
        if isinstance(result, mpmath.mpc):
            if abs(result.imag) > mpmath.mpf(10) ** -20 * (1 + abs(result.real)):
                return mpmath.nan
            result = result.real
        return result

    return value


def _numpy(expr: sp.Expr, t: sp.Symbol) -> Callable[[Any], Any]:
    """Vectorised evaluation, with SciPy for special functions such as erf (NumPy has none)."""
    import numpy as np

    try:
        function = sp.lambdify([t], expr, modules=["scipy", "numpy"])
        with np.errstate(all="ignore"):
            function(np.array([0.5, -0.5]))
        return function
    except Exception:  # nested Piecewise and other forms NumPy's select() rejects: point by point
        from ..numeric import lambdify

        return lambdify([t], expr)


def _kernels(expr: sp.Expr, t: sp.Symbol) -> set[sp.Expr]:
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function) and node.has(t):
            found.add(node)
        elif isinstance(node, sp.Pow) and node.exp.has(t):
            found.add(node)
    return found


def _critical_points(d: sp.Expr, t: sp.Symbol) -> list[sp.Expr]:
    """Exact real zeros of ``d`` where SymPy finds them: polynomial factors by their real roots (radicals or
    ``CRootOf``), factors in a single transcendental kernel (e^t, tanh t) by ``solve``. Runs under
    `limits.attempt`, since factoring and solving may take long."""
    numerator = sp.numer(sp.together(d))
    if not numerator.has(t):
        return []
    try:
        _, factors = sp.factor_list(numerator)
    except sp.PolynomialError:  # e^(100 − t) beside e^(200 − 2t): no common generator
        factors = [(numerator, 1)]
    points: list[sp.Expr] = []
    for factor, _ in factors:
        if not factor.has(t) or isinstance(factor, sp.exp):
            continue
        if factor.is_polynomial(t):
            points += sp.Poly(factor, t).real_roots()
            continue
        kernels = _kernels(factor, t)
        if len(kernels) != 1 or factor.xreplace({next(iter(kernels)): sp.Dummy()}).has(t):
            continue
        inverted = _through_kernel(factor, next(iter(kernels)), t)
        solutions = inverted if inverted is not None else sp.solve(factor, t)
        points += [s for s in solutions if s.is_real]
    return sorted(set(points), key=lambda p: float(p))


def _through_kernel(factor: sp.Expr, kernel: sp.Expr, t: sp.Symbol) -> list[sp.Expr] | None:
    """Zeros of a polynomial in e^(at + b) or tanh(at + b): the polynomial's real roots, mapped back
    through log or artanh (much quicker than ``solve``); None for other kernels."""
    if isinstance(kernel, sp.exp):
        inverse, inside = sp.log, lambda r: r.is_positive
    elif isinstance(kernel, sp.tanh):
        inverse, inside = sp.atanh, lambda r: (r**2 < 1) is sp.true
    else:
        return None
    argument = kernel.args[0]
    if not (argument.is_polynomial(t) and sp.degree(argument, t) == 1):
        return None
    a, b = sp.Poly(argument, t).all_coeffs()
    s = sp.Dummy("s")
    polynomial = factor.xreplace({kernel: s})
    if not polynomial.is_polynomial(s):
        return None
    roots = sp.Poly(polynomial, s).real_roots()
    return [(inverse(r) - b) / a for r in roots if inside(r)]


def _may_have_closed_form(d: sp.Expr, t: sp.Symbol) -> bool:
    """A quick test before asking SymPy for the zeros of ``d``: False when they can only solve a
    transcendental equation (swish: t(eᵗ − 1) = 2(eᵗ + 1)), where factoring and solving would run
    for seconds and find nothing."""
    import numpy as np

    numerator = sp.numer(sp.together(d))
    kernels = _kernels(numerator, t)
    if not kernels:
        return True
    dummies = {kernel: sp.Dummy() for kernel in kernels}
    replaced = numerator.xreplace(dummies)
    if not replaced.has(t):
        # Solvable when one substitution turns it into a polynomial: exponentials only, or sines and
        # cosines only; sin t mixed with eᵗ is transcendental.
        families = {"trig" if isinstance(k, TrigonometricFunction) else "exp" for k in kernels}
        exponential = all(isinstance(k, (sp.exp, sp.Pow, HyperbolicFunction)) for k in kernels)
        return len(families) == 1 and (exponential or families == {"trig"})
    try:
        coefficients = sp.Poly(replaced, *dummies.values()).coeffs()
        polynomials = [sp.Poly(c, t) for c in coefficients]
    except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError, ValueError):
        return False
    if any(not p.free_symbols_in_domain == set() for p in polynomials):
        return False
    # A zero in closed form needs a factor in t alone: a real root common to every coefficient.
    lowest = min((p for p in polynomials if p.degree() > 0), key=lambda p: p.degree(), default=None)
    if lowest is None:
        return False
    try:
        roots = np.roots([complex(sp.N(c)) for c in lowest.all_coeffs()])
    except (TypeError, ValueError):
        return False
    for root in roots[np.abs(roots.imag) < 1e-9].real:
        scale = [max(1.0, float(sum(abs(complex(sp.N(c))) for c in p.all_coeffs()))) for p in polynomials]
        if all(abs(complex(p.eval(root))) < 1e-8 * s for p, s in zip(polynomials, scale, strict=True)):
            return True
    return False


def _closed_form(text: str) -> sp.Expr | None:
    """A short closed form for a 30-digit number, if one fits (run under `_attempt`: PSLQ may take long)."""
    candidate = sp.nsimplify(sp.Float(text, 30), [sp.pi, sp.E], tolerance=1e-24)
    if sp.count_ops(candidate) > 12 or (candidate.is_Rational and candidate.q > 1000):
        return None
    return candidate


def _is_zero(residual: sp.Expr) -> bool:
    return sp.simplify(residual) == 0


def _identify(guess: Any, d: sp.Expr, t: sp.Symbol) -> sp.Expr | None:
    """A closed form for a zero of ``d`` located numerically, if SymPy confirms it is exactly a zero."""
    import mpmath

    candidate = _attempt(_closed_form, mpmath.nstr(guess, 30), seconds=1)
    if candidate is None:
        return None
    residual = d.subs(t, candidate)
    if abs(sp.N(residual, 50)) > 1e-40:
        return None
    return candidate if _attempt(_is_zero, residual, seconds=1) else None


def _interval_parts(where: sp.Set) -> list[sp.Set] | None:
    if isinstance(where, sp.Union):
        parts = []
        for piece in where.args:
            inner = _interval_parts(piece)
            if inner is None:
                return None
            parts += inner
        return parts
    if where == sp.S.Reals:
        return [sp.Interval(-sp.oo, sp.oo)]
    if isinstance(where, (sp.Interval, sp.FiniteSet)):
        return [where]
    if where is sp.S.EmptySet:
        return []
    return None


def _pieces(prime: sp.Expr, t: sp.Symbol) -> list[tuple[sp.Expr, sp.Set]]:
    """The derivative as formulas on intervals (and single points) of the real line."""
    if isinstance(prime, sp.Piecewise):
        try:
            pairs = prime.as_expr_set_pairs(sp.S.Reals)
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            pairs = None
        split: list[tuple[sp.Expr, sp.Set]] | None = [] if pairs is not None else None
        for expr, where in pairs or []:
            parts = _interval_parts(where)
            if parts is None or expr.has(sp.Piecewise):
                split = None
                break
            split += [(expr, part) for part in parts]
        if split is not None:
            return split
    return [(prime, sp.Interval(-sp.oo, sp.oo))]


def _grid() -> Any:
    import numpy as np

    reach = math.asinh(_GRID_REACH)
    return np.sinh(np.linspace(-reach, reach, 120_001))


def _refine(f: Callable, df: Callable, low: float, high: float, start: float) -> Any:
    """The point of [low, high] where f is largest, near ``start``: Newton on f′, else golden section."""
    import mpmath

    with mpmath.workdps(30):
        low, high, start = mpmath.mpf(low), mpmath.mpf(high), mpmath.mpf(start)
        try:
            root = mpmath.findroot(df, start, tol=mpmath.mpf(10) ** -25)
            if low <= root <= high and f(root) >= f(start) - mpmath.mpf(10) ** -20:
                return root
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            pass
        ratio = (mpmath.sqrt(5) - 1) / 2
        a, b = low, high
        for _ in range(60):
            c, e = b - ratio * (b - a), a + ratio * (b - a)
            fc, fe = f(c), f(e)
            if mpmath.isnan(fc) or (not mpmath.isnan(fe) and fc < fe):
                a = c
            else:
                b = e
        return (a + b) / 2


def _bigger(a: Any, b: Any) -> bool:
    """Whether value a is larger than b beyond rounding."""
    import mpmath

    return a > b + mpmath.mpf(10) ** -18 * (1 + abs(b))


def _far_field(f_mp: Callable, direction: int) -> tuple[Any, bool]:
    """The value of f far out in one direction and whether it has settled (else it keeps moving)."""
    import mpmath

    with mpmath.workdps(30):
        values = [f_mp(direction * mpmath.mpf(r)) for r in _FAR]
    if any(mpmath.isnan(v) for v in values):
        return mpmath.nan, False
    settled = abs(values[-1] - values[-2]) <= mpmath.mpf(10) ** -9 * (1 + abs(values[-1]))
    return values[-1], settled


def _infinity(direction: int) -> str:
    return "∞" if direction > 0 else "−∞"


def _candidates(prime: sp.Expr, t: sp.Symbol, name: str) -> tuple[list[tuple[sp.Expr, sp.Set]], list[_Peak]]:
    """Where the supremum of ``prime`` may be: the largest grid points of each piece refined, each piece's
    ends, its values at single points, and its limits as t → ±∞."""
    import mpmath

    grid = _grid()
    pieces = _pieces(prime, t)
    peaks: list[_Peak] = []
    for number, (expr, where) in enumerate(pieces):
        if isinstance(where, sp.FiniteSet):
            for point in where:
                value = expr.subs(t, point)
                if value.is_real and value.is_finite:
                    peaks.append(_Peak(mpmath.mpf(sp.N(value, 30)), "point", point, True, number, value))
            continue
        if not expr.has(t):
            if not (expr.is_real and expr.is_finite):
                raise GlossaryError(f"the derivative of {name} is {expr}, not a finite real number")
            peaks.append(_Peak(mpmath.mpf(sp.N(expr, 30)), "constant", where, True, number, expr))
            continue
        f_mp, df_mp = _mp(expr, t), _mp(sp.diff(expr, t), t)
        points, values = _values(expr, t, grid[_mask(grid, where)], f_mp, name)
        best = max(values, default=None)
        for index in _local_maxima(values):
            if values[index] < best - 1e-2 * (1 + abs(best)):
                continue  # far below the largest grid value: refining cannot make it the maximum
            low = points[max(index - 1, 0)]
            high = points[min(index + 1, points.size - 1)]
            at = _refine(f_mp, df_mp, low, high, points[index])
            peaks.append(_Peak(f_mp(at), "interior", at, True, number))
        for end, is_low in ((where.start, True), (where.end, False)):
            if end.is_finite:
                included = not (where.left_open if is_low else where.right_open)
                value = f_mp(mpmath.mpf(sp.N(end, 30)))
                if mpmath.isnan(value) or not included:
                    value = f_mp(mpmath.mpf(sp.N(end, 30)) + mpmath.mpf(10) ** -20 * (1 if is_low else -1))
                if not mpmath.isnan(value):
                    peaks.append(_Peak(value, "endpoint", end, included, number))
            else:
                peak = _far_peak(expr, t, 1 if end is sp.oo else -1, f_mp, name, number)
                if peak is not None:
                    peaks.append(peak)
    return pieces, peaks


def _far_peak(expr: sp.Expr, t: sp.Symbol, direction: int, f_mp: Callable, name: str, number: int) -> _Peak | None:
    import mpmath

    end = sp.oo if direction > 0 else -sp.oo
    far, settled = _far_field(f_mp, direction)
    if settled:
        return _Peak(far, "limit", end, False, number)
    exact = _attempt(sp.limit, expr, t, end, seconds=1)
    if exact is sp.oo:
        raise GlossaryError(
            f"the derivative of {name} grows without bound as t → {_infinity(direction)}, so it has no maximum "
            "and gives no bound through depth"
        )
    if exact is -sp.oo:
        return None
    if isinstance(exact, sp.AccumBounds):
        # It keeps oscillating. SymPy's bounds are not tight (cos t − sin t/4 gets [−5/4, 5/4], while its
        # largest value is √17/4), so they count only if the far field comes back close to them.
        return _oscillating_peak(expr, t, exact.max, f_mp, direction, number)
    if exact is not None and exact.is_real and exact.is_finite:
        return _Peak(mpmath.mpf(sp.N(exact, 30)), "limit", end, False, number, exact)
    return _sampled_far_peak(expr, t, f_mp, direction, number, name)


def _far_samples(expr: sp.Expr, t: sp.Symbol, f_mp: Callable, direction: int, decades: tuple[int, int]) -> Any:
    """Values of ``expr`` at 300 fixed pseudo-random points with |t| in 10^a … 10^b on one side: NumPy
    first, mpmath for at most 100 points where floating point overflows, the rest left out."""
    import mpmath
    import numpy as np

    rng = np.random.default_rng(0)
    far = direction * np.exp(rng.uniform(decades[0] * math.log(10), decades[1] * math.log(10), 300))
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(_numpy(expr, t)(far), dtype=complex), far.shape)
    good = np.isfinite(values) & (np.abs(values.imag) <= 1e-9 * (1 + np.abs(values.real)))
    found = list(values.real[good])
    for at in far[~good][:100]:
        value = f_mp(at)
        if not mpmath.isnan(value) and not mpmath.isinf(value):
            found.append(float(value))
    return np.array(found)


def _sampled_far_peak(
    expr: sp.Expr, t: sp.Symbol, f_mp: Callable, direction: int, number: int, name: str
) -> _Peak | None:
    """Without a limit from SymPy: the largest value far out, decade by decade; still growing is an error."""
    import mpmath

    end = sp.oo if direction > 0 else -sp.oo
    highest = []
    for decades in ((3, 4), (5, 6), (7, 8)):
        values = _far_samples(expr, t, f_mp, direction, decades)
        if values.size == 0:
            return None
        highest.append(float(values.max()))
    # Bounded oscillation moves the sampled maximum by rounding-sized amounts; growth (log t) by whole units.
    tolerance = 1e-3 * (1 + abs(highest[0]))
    if highest[2] > highest[1] + tolerance and highest[1] > highest[0] + tolerance:
        raise GlossaryError(
            f"the derivative of {name} keeps growing as t → {_infinity(direction)} and SymPy finds no limit, "
            "so no maximum can be confirmed"
        )
    return _Peak(mpmath.mpf(max(highest)), "limit", end, False, number)


def _oscillating_peak(expr: sp.Expr, t: sp.Symbol, top: sp.Expr, f_mp: Callable, direction: int, number: int) -> _Peak:
    """The upper end of SymPy's bounds as t → ±∞ if the function comes within 10⁻⁶ of it far out; else
    the largest sampled value far out stands for that end."""
    import mpmath

    end = sp.oo if direction > 0 else -sp.oo
    values = _far_samples(expr, t, f_mp, direction, (3, 7))
    bound = mpmath.mpf(sp.N(top, 30))
    if values.size and bound - float(values.max()) <= 1e-6 * (1 + abs(float(bound))):
        return _Peak(bound, "limit", end, False, number, top)
    return _Peak(mpmath.mpf(float(values.max()) if values.size else -math.inf), "limit", end, False, number)


def _mask(grid: Any, where: sp.Interval) -> Any:
    import numpy as np

    inside = np.ones(grid.shape, dtype=bool)
    if where.start.is_finite:
        low = float(where.start)
        inside &= grid > low if where.left_open else grid >= low
    if where.end.is_finite:
        high = float(where.end)
        inside &= grid < high if where.right_open else grid <= high
    return inside


def _supremum(prime: sp.Expr, t: sp.Symbol, name: str) -> _Supremum:
    """The least upper bound of ``prime`` over the reals: located numerically, then confirmed exactly
    where SymPy can (a critical point it solves for or recognises, an endpoint, a limit)."""
    import mpmath

    with mpmath.workdps(30):
        pieces, peaks = _candidates(prime, t, name)
        if not peaks:
            raise GlossaryError(f"could not find the maximum of the derivative of {name}")
        top = max(peaks, key=lambda p: p.value)
        ties = [p for p in peaks if not _bigger(top.value, p.value)]
        # Cheap exact candidates first (constants, endpoints, limits); interior points need solving.
        ties.sort(key=lambda p: (p.exact is None, p.kind == "interior", not p.attained))
        for peak in ties[:4]:
            critical, second = _confirm(peak, pieces, t)
            if peak.exact is not None:
                single = len(pieces) == 1
                return _Supremum(peak, critical if single else [], second if single else None)
        return _Supremum(ties[0], [], None)


def _confirm(peak: _Peak, pieces: list[tuple[sp.Expr, sp.Set]], t: sp.Symbol) -> tuple[list[sp.Expr], sp.Expr | None]:
    """Fill in ``peak.exact`` where SymPy confirms the value; return the critical points it solved for."""
    import mpmath

    if peak.exact is not None:
        return [], None
    expr, where = pieces[peak.piece]
    critical: list[sp.Expr] = []
    second = None
    exact = None
    if peak.kind == "interior":
        second = sp.diff(expr, t)
        hopeful = sp.count_ops(second) <= 400 and _may_have_closed_form(second, t)
        if hopeful:
            found = _attempt(_critical_points, second, t, seconds=1.2) or []
            critical = [p for p in found if where.contains(p) is sp.true]
        for point in critical:
            if abs(mpmath.mpf(sp.N(point, 30)) - peak.at) <= mpmath.mpf(10) ** -8 * (1 + abs(peak.at)):
                peak.exact_at = point
                exact = _simplest(expr.subs(t, point))
                break
        else:
            identified = _identify(peak.at, second, t) if hopeful else None
            if identified is not None:
                peak.exact_at = identified
                exact = _simplest(expr.subs(t, identified))
    elif peak.kind == "endpoint":
        exact = expr.subs(t, peak.at)
        if not (exact.is_real and exact.is_finite):
            side = "+" if peak.at == where.start else "-"
            exact = _attempt(sp.limit, expr, t, peak.at, side, seconds=1)
    elif peak.kind == "limit":
        exact = _attempt(sp.limit, expr, t, peak.at, seconds=1)
    if exact is not None and exact.is_number and not exact.has(sp.Float, sp.AccumBounds):
        with mpmath.workdps(30):
            close = abs(mpmath.mpf(sp.N(exact, 30)) - peak.value) <= mpmath.mpf(10) ** -12 * (1 + abs(peak.value))
        if close:
            peak.exact = exact
    return critical, second


def _values(expr: sp.Expr, t: sp.Symbol, points: Any, f_mp: Callable, name: str) -> tuple[Any, Any]:
    """``(points, values)`` of ``expr`` on the grid: NumPy first; where floating point overflows (e^(3t) far
    out), up to 200 of those points evaluated again with mpmath and the rest left out. A value that is
    not a finite real number even then is an error: an activation must be defined on the whole line."""
    import mpmath
    import numpy as np

    if points.size == 0:
        return points, np.zeros(0)
    with np.errstate(all="ignore"):
        raw = np.broadcast_to(np.asarray(_numpy(expr, t)(points), dtype=complex), points.shape)
    values = raw.real.copy()
    bad = ~np.isfinite(raw) | (np.abs(raw.imag) > 1e-9 * (1 + np.abs(raw.real)))
    indices = np.flatnonzero(bad)
    keep = ~bad
    for index in indices[np.unique(np.linspace(0, indices.size - 1, min(indices.size, 200)).astype(int))]:
        value = f_mp(points[index])
        if mpmath.isnan(value) or mpmath.isinf(value):
            raise GlossaryError(
                f"the derivative of {name} is not a finite real number at t = {points[index]:.6g}: an activation "
                "must be real and differentiable everywhere (except at isolated points)"
            )
        values[index] = float(value)
        keep[index] = True
    return points[keep], values[keep]


def _local_maxima(values: Any, keep: int = 6) -> list[int]:
    """Indices of the largest strict local maxima of the grid values, apart from the two ends."""
    import numpy as np

    if values.size < 3:
        return []
    middle = values[1:-1]
    left, right = values[:-2], values[2:]
    peak = (middle >= left) & (middle >= right) & ((middle > left) | (middle > right))
    candidates = np.flatnonzero(peak) + 1
    order = candidates[np.argsort(values[candidates])[::-1]]
    chosen: list[int] = []
    for index in order:
        if all(abs(index - c) > 2 for c in chosen):
            chosen.append(int(index))
        if len(chosen) == keep:
            break
    return chosen


def _simplest(value: sp.Expr) -> sp.Expr:
    if value.is_Rational or sp.count_ops(value) < 6:
        return value
    simpler = _attempt(sp.simplify, value, seconds=1)
    if simpler is not None and sp.count_ops(simpler) <= sp.count_ops(value):
        return simpler
    return value


def _float(value: Any) -> sp.Float:
    """A numeric value with 15 significant digits; below 10⁻²⁵, under what the search resolves, it is 0."""
    import mpmath

    if abs(value) < mpmath.mpf(10) ** -25:
        return sp.Float(0, 15)
    return sp.Float(mpmath.nstr(value, 15), 15)


@helper
def vanishing_gradient(activation: Any, depth: Any) -> Derivation:
    """``(max_derivative, bound)``: the global maximum of g′ over the reals and the bound (max |g′|)**depth.

    The maximum is located numerically (a dense grid, then refinement, with the
    ends of each piece of a piecewise derivative and the limits as t → ±∞) and
    made exact where SymPy confirms it: a critical point it solves for (radicals
    or ``CRootOf``) or recognises, an endpoint, a limit. Where no closed form
    exists (swish x·σ(x)), the value is numeric, with 15 digits, and its part
    and a step say so. A supremum that is approached but never attained
    (softplus: σ < 1) is reported as such. The bound holds when every weight
    has |w| ≤ 1; depth runs from 1 to 1000.

    Examples:
        >>> from glossary import neural
        >>> neural.vanishing_gradient(neural.sigmoid, 10).result
        (1/4, 1/1048576)
        >>> neural.vanishing_gradient(lambda t: t * neural.sigmoid(t), 2).result[0]
        1.0998393...
    """
    with _optional_work():
        return _vanishing_gradient(activation, depth)


def _vanishing_gradient(activation: Any, depth: Any) -> Derivation:
    activation = _activation(activation)
    depth = _inputs.whole_number(depth, "depth", 1, MAX_DEPTH)
    latex_name, text_name = _names(activation)
    t = sp.Symbol("t", real=True)
    y = _apply(activation, t)
    if y.free_symbols - {t}:
        extra = ", ".join(sorted(str(s) for s in y.free_symbols - {t}))
        raise GlossaryError(f"the activation has the free symbols {extra}; give them numbers to bound its derivative")
    if y.has(*_REWRITE):
        y = y.rewrite(sp.Piecewise)
    prime = sp.piecewise_fold(sp.diff(y, t))
    if prime.has(sp.DiracDelta, sp.Derivative, sp.Subs):
        raise GlossaryError(f"cannot differentiate {y} on the real line to find the maximum of its derivative")
    top = _supremum(prime, t, text_name)
    maximum_peak = top.peak
    exact = maximum_peak.exact is not None
    maximum = maximum_peak.exact if exact else _float(maximum_peak.value)
    # The bound needs the largest |g′|: the maximum, unless the minimum is further from 0.
    magnitude_from_minimum = False
    if _may_reach(-prime, t, float(maximum_peak.value)):
        low = _supremum(-prime, t, text_name)
        magnitude_from_minimum = _bigger(low.peak.value, maximum_peak.value)
    if magnitude_from_minimum:
        base = low.peak.exact if low.peak.exact is not None else _float(low.peak.value)
        base_exact = low.peak.exact is not None
    else:
        base, base_exact = maximum, exact
    bound = base**depth
    if not base_exact:
        # A power of a numeric maximum is small, not zero: no cut-off here, only 15 significant digits.
        import mpmath

        bound = sp.Float(mpmath.nstr(_mpmath_power(base, depth), 15), 15)

    g_prime = _applied(latex_name, text_name, t, prime=True)
    word = r"\max" if maximum_peak.attained else r"\sup"
    max_latex = rf"{word}_{{t}} {latex_name}'(t)"
    max_text = f"{'max' if maximum_peak.attained else 'sup'} {text_name}′" + ("" if exact else " (numeric)")
    base_latex = rf"\max_{{t}} \left|{latex_name}'(t)\right|" if magnitude_from_minimum else max_latex
    base_text = f"max |{text_name}′|" if magnitude_from_minimum else max_text.removesuffix(" (numeric)")
    bound_latex = rf"\left({base_latex}\right)^{{{depth}}}"
    bound_text = f"({base_text})^{depth}" + ("" if base_exact else " (numeric)")
    steps = [Step("활성화 함수의 도함수", "the derivative of the activation", Equation(g_prime, prime))]
    if top.critical and top.second is not None:
        steps += [
            Step(
                "도함수의 극값: 한 번 더 미분해 0으로 놓는다",
                "its extrema: differentiate once more and set it to zero",
                Equation(top.second, 0),
            ),
            Step(
                "임계점",
                "the critical points",
                _one_or_many([Equation(t, point) for point in top.critical]),
            ),
        ]
    steps.append(_search_step(maximum_peak, g_prime))
    steps.append(_maximum_step(maximum_peak, maximum, max_latex, max_text))
    if magnitude_from_minimum:
        steps.append(
            Step(
                "도함수의 최솟값이 최댓값보다 0에서 더 멀어서, 상한에는 도함수 절댓값의 최댓값을 쓴다",
                "the minimum of the derivative is further from 0 than its maximum, so the bound uses the largest "
                "absolute value of the derivative",
                Equation(Notation(base_latex, base_text), base),
            )
        )
    steps.append(_bound_step(depth, latex_name, Notation(bound_latex, bound_text), bound))
    saturation = _saturation_step(prime, t, float(maximum_peak.value), latex_name, text_name)
    if saturation is not None:
        steps.append(saturation)
    if base_exact and bound.is_number and not bound.is_Integer:
        steps.append(Step("소수로 나타내면", "as a decimal", sp.Float(sp.N(bound, 6), 6)))

    verify = _depth_verifier(activation, depth, float(sp.N(maximum, 20)), float(sp.N(base, 20)), maximum_peak.attained)
    parts = [
        Part("max_derivative", max_latex, max_text, maximum),
        Part("bound", bound_latex, bound_text, bound),
    ]
    return Derivation((maximum, bound), steps, verify, parts=parts)


def _mpmath_power(base: sp.Expr, depth: int) -> Any:
    import mpmath

    with mpmath.workdps(30):
        return mpmath.mpf(sp.N(base, 30)) ** depth


def _may_reach(expr: sp.Expr, t: sp.Symbol, level: float) -> bool:
    """Whether ``expr`` may come within rounding of ``level`` or above it, judged on the grid and far out."""
    import numpy as np

    grid = _grid()
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(_numpy(expr, t)(grid), dtype=complex), grid.shape)
    finite = np.isfinite(values) & (np.abs(values.imag) <= 1e-9 * (1 + np.abs(values.real)))
    if finite.sum() < values.size // 2:
        return True
    f_mp = _mp(expr, t)
    far = [float(_far_field(f_mp, direction)[0]) for direction in (1, -1)]
    if any(math.isnan(v) for v in far):
        return True
    highest = max(float(np.max(values.real[finite])), *far)
    return not highest < level - 1e-9 * (1 + abs(level))


def _one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else tuple(items)


def _interval_latex(where: sp.Interval) -> str:
    return sp.latex(where).replace(r"\left(", "(").replace(r"\right)", ")")


def _search_step(peak: _Peak, g_prime: Notation) -> Step:
    star = Notation("t^{*}", "t*")
    search_ko, search_en = (
        "수치 탐색(촘촘한 격자와 그 주변의 세밀한 탐색)",
        "numeric search (a dense grid, then refined)",
    )
    if peak.kind == "constant":
        where = f"$t \\in {_interval_latex(peak.at)}$"
        return Step(
            f"{search_ko}: 도함수는 {where}에서 상수이고, 그 값이 가장 크다",
            f"{search_en}: the derivative is constant for {where}, and largest there",
            Equation(g_prime, peak.exact),
        )
    if peak.kind == "limit":
        where = f"$t \\to {sp.latex(peak.at)}$"
        return Step(
            f"{search_ko}: 도함수는 {where}에서 가장 크다",
            f"{search_en}: the derivative is largest as {where}",
            Equation(star, peak.at),
        )
    located = f"{float(sp.N(peak.at, 15)) if isinstance(peak.at, sp.Expr) else float(peak.at):.10g}"
    return Step(
        f"{search_ko}: 도함수가 가장 큰 곳",
        f"{search_en}: where the derivative is largest",
        Notation(rf"t^{{*}} \approx {located}", f"t* ≈ {located}"),
    )


def _maximum_step(peak: _Peak, maximum: sp.Expr, max_latex: str, max_text: str) -> Step:
    name = Notation(max_latex, max_text)
    if peak.exact is None:
        return Step(
            "닫힌 식을 찾지 못해 최댓값을 수치로 구했다(유효숫자 15자리)",
            "no closed form was found: the maximum is computed numerically (15 significant digits)",
            Equation(name, maximum),
        )
    if not peak.attained:
        if peak.kind == "limit":
            where = f"$t \\to {sp.latex(peak.at)}$"
            return Step(
                f"도함수의 상한(최소 상계): {where}에서 이 값에 다가가지만 닿지는 않는다",
                f"the supremum of the derivative: approached as {where}, never attained",
                Equation(name, maximum),
            )
        where = f"$t = {sp.latex(peak.at)}$"
        return Step(
            f"도함수의 상한(최소 상계): {where}에 한쪽에서 다가갈 때의 극한이며, 그 점에서의 값은 아니다",
            f"the supremum of the derivative: its one-sided limit at {where}, not its value there",
            Equation(name, maximum),
        )
    if peak.kind == "constant":
        return Step("도함수의 최댓값", "the maximum of the derivative", Equation(name, maximum))
    at = peak.exact_at if peak.exact_at is not None else peak.at
    located = isinstance(at, sp.Expr) and sp.count_ops(at) < 15
    where = f"$t = {sp.latex(at)}$" if located else ""
    return Step(
        f"도함수의 최댓값({where}에서)" if where else "도함수의 최댓값",
        f"the maximum of the derivative (at {where})" if where else "the maximum of the derivative",
        Equation(name, maximum),
    )


def _bound_step(depth: int, latex_name: str, name: Notation, bound: sp.Expr) -> Step:
    gradient = rf"\frac{{\partial a_{{{depth}}}}}{{\partial a_{{0}}}}"
    layers = rf"$z_l = w_l a_{{l-1}} + b_l$, $a_l = {latex_name}(z_l)$"
    product = rf"${gradient} = \prod_{{l=1}}^{{{depth}}} w_l \, {latex_name}'(z_l)$"
    return Step(
        f"깊이 {depth}: 층마다 {layers}이면 {product}이므로, 모든 층에서 $|w_l| \\le 1$이면 그 크기는 "
        f"도함수 최댓값의 {depth}제곱 이하다",
        f"depth {depth}: with {layers} in every layer, {product}, so if every $|w_l| \\le 1$ its size is at most "
        f"the maximum of the derivative to the power {depth}",
        Equation(name, bound),
    )


def _saturation_step(prime: sp.Expr, t: sp.Symbol, maximum: float, latex_name: str, text_name: str) -> Step | None:
    """In practice saturation shrinks gradients more than the bound does: the derivative at t = ±5."""
    if maximum <= 0:
        return None
    shown = []
    for at in (-5, 5):
        value = prime.subs(t, at)
        try:
            number = float(sp.N(value, 15))
        except (TypeError, ValueError):
            return None
        if value.is_Rational:
            shown.append((at, value, number))
        else:
            shown.append((at, sp.Float(f"{number:.3g}", 3), number))
    small = [abs(number) <= maximum / 10 for _, _, number in shown]
    values = tuple(Equation(_applied(latex_name, text_name, at, prime=True), v) for at, v, _ in shown)
    if all(small):
        return Step(
            "실제로는 포화가 더 큰 원인이다: 활성화 함수가 양쪽 끝에서 평평해지는(포화되는) 곳에서는 도함수가 "
            "최댓값보다 훨씬 작다",
            "in practice saturation matters more: where the activation flattens out (saturates) at both ends, the "
            "derivative is far below its maximum",
            values,
        )
    if any(small):
        # ReLU-like: flat on one side only. That is not saturation; a unit stuck there passes nothing back.
        return Step(
            "한쪽에서만 도함수가 0이거나 0에 가깝다: 입력이 늘 그쪽에 머무는 뉴런은 기울기를 거의 전하지 못한다"
            "(ReLU에서는 '죽은 뉴런')",
            "the derivative is 0 or nearly 0 on one side only: a unit whose input always stays there passes "
            "almost no gradient back (a 'dead' unit, for ReLU)",
            values,
        )
    return None


def _slopes(f: Callable[[Any], Any], at: Any) -> tuple[Any, Any]:
    """Central five-point slopes of f at two absolute step sizes; where they agree f is smooth there."""
    import numpy as np

    def stencil(h: float) -> Any:
        with np.errstate(all="ignore"):
            values = [np.asarray(f(at + k * h), dtype=complex) for k in (-2, -1, 1, 2)]
        return (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)

    coarse, fine = stencil(1e-3), stencil(2.5e-4)
    smooth = np.isfinite(coarse) & np.isfinite(fine) & (np.abs(coarse - fine) <= 1e-7 * (1 + np.abs(coarse)))
    smooth &= np.abs(coarse.imag) < 1e-9
    return coarse.real, smooth


def _depth_verifier(activation: Activation, depth: int, maximum: float, base: float, attained: bool):
    """An independent check: finite-difference slopes of the activation itself (not its symbolic derivative)
    on a dense grid and far out, and, through random layers with |w| ≤ 1, the product of the layer slopes
    compared with base**depth in log space (so 4⁻¹⁰⁰⁰ is as easy to check as 4⁻¹)."""

    def verify(points: int, seed: int) -> VerificationReport:
        import mpmath
        import numpy as np

        from ..numeric import Comparison

        t = sp.Symbol("t", real=True)
        y = activation(t)
        f = _numpy(y, t)
        comparison = Comparison(
            "dense grid of finite-difference slopes and products of layer slopes in log space", 1e-6
        )
        grid = np.unique(np.concatenate([np.linspace(-30, 30, 60_001), np.sinh(np.linspace(-6.5, 6.5, 60_001))]))
        slopes, smooth = _slopes(f, grid)
        observed = float(np.max(slopes[smooth]))
        for _ in range(2):  # zoom in twice around the largest slope
            best = int(np.flatnonzero(smooth)[np.argmax(slopes[smooth])])
            grid = np.linspace(grid[max(best - 2, 0)], grid[min(best + 2, grid.size - 1)], 2001)
            slopes, smooth = _slopes(f, grid)
            if not smooth.any():
                break
            observed = max(observed, float(np.max(slopes[smooth])))
        if not attained:
            # A supremum approached far out or at a kink: finite differences at high precision there.
            g = sp.lambdify(t, y, modules="mpmath")
            with mpmath.workdps(40):
                for r in (1e3, 1e6, 1e9, -1e3, -1e6, -1e9):
                    h = mpmath.mpf(abs(r)) * mpmath.mpf(10) ** -15
                    try:
                        slope = mpmath.re((g(mpmath.mpf(r) + h) - g(mpmath.mpf(r) - h)) / (2 * h))
                    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                        continue
                    if mpmath.isfinite(slope):
                        observed = max(observed, float(slope))
        comparison.add(observed, maximum)

        rng = np.random.default_rng(seed)
        count = min(points, 1000)
        a = rng.uniform(-3, 3, size=count)
        log_product = np.zeros(count)
        valid = np.ones(count, dtype=bool)
        largest = np.zeros(count)
        with np.errstate(all="ignore"):
            for _ in range(depth):
                w = rng.uniform(-1, 1, size=count)
                b = rng.uniform(-1, 1, size=count)
                z = w * a + b
                slope, smooth = _slopes(f, z)
                valid &= smooth
                factor = np.abs(w * slope)
                largest = np.maximum(largest, np.abs(slope))
                log_product += np.log(np.where(factor > 0, factor, 1e-300))
                a = np.real(np.asarray(f(z), dtype=complex))
        if base > 0:
            excess = np.maximum(0.0, log_product[valid] - depth * math.log(base))
        else:
            excess = largest[valid]
        comparison.add(np.zeros_like(excess), excess)
        return comparison.report()

    return verify
