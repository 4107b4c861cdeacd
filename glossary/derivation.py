"""The one result type of every helper: `Derivation`, made of `Step` s and named `Part` s.

A derivation carries the answer (``result``), its parts with the names a
textbook gives them (``parts``: λ₁, v₁, p̂, ∂L/∂W⁽²⁾ …), the way to it
(``steps``, each captioned in Korean and English) and a way to check it against
an independent numeric computation (``verify``). Consecutive steps that claim
equality are checked when the derivation is built, so a wrong step never
reaches a reader.

Helpers are declared with `helper`: it names the derivation after the function
and runs the work under the limits of `glossary.limits`, in a child process.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from . import limits
from .errors import GlossaryError
from .report import VerificationReport

__all__ = [
    "Derivation",
    "Part",
    "Step",
    "VerificationReport",
    "helper",
    "values_equal",
]


class _ShownEquality(sp.Equality):
    """An equation kept as written. SymPy rebuilds an ``Eq`` when it is unpickled and may evaluate
    it to ``True`` or ``False``; a step's equation must arrive as the equation it shows."""

    def __new__(cls, lhs: Any, rhs: Any, **options: Any) -> Any:
        options["evaluate"] = False
        return sp.Equality.__new__(cls, lhs, rhs, **options)


def _keep_equations(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return type(obj)(_keep_equations(item) for item in obj)
    if isinstance(obj, sp.Basic) and obj.has(sp.Equality):
        return obj.xreplace(
            {e: _ShownEquality(*e.args) for e in obj.atoms(sp.Equality) if not isinstance(e, _ShownEquality)}
        )
    return obj


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a caption in each language and a SymPy object.

    Captions may hold inline math between dollar signs (``$\\lambda_1 = 1$``).
    ``equals_previous`` claims that this step's value (the right-hand side of an
    ``Eq``, or the expression itself) equals the previous step's value.

    Examples:
        >>> x = sp.Symbol("x")
        >>> Step("미분한다", "differentiate", sp.Eq(sp.Derivative(x**2, x), 2 * x)).value
        2*x
    """

    ko: str
    en: str
    expr: Any
    equals_previous: bool = False

    def __reduce__(self):
        return (Step, (self.ko, self.en, _keep_equations(self.expr), self.equals_previous))

    @property
    def value(self) -> Any:
        """The right-hand side of an equation, else the expression."""
        if isinstance(self.expr, sp.Equality):
            return self.expr.rhs
        return self.expr

    @property
    def latex(self) -> str:
        """LaTeX of the step's expression."""
        return to_latex(self.expr)

    def caption(self, lang: str) -> str:
        """The caption in ``lang`` (``"ko"`` or ``"en"``)."""
        if lang not in ("ko", "en"):
            raise GlossaryError(f"language {lang!r} is not 'ko' or 'en'")
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Part:
    """A named part of a result: ``key`` for references, the name in LaTeX and in plain text, the value.

    Examples:
        >>> part = Part("max_derivative", r"\\max \\sigma'", "max σ′", sp.Rational(1, 4))
        >>> part.text_line()
        'max σ′ = 1/4 ≈ 0.25'
    """

    key: str
    latex_name: str
    text_name: str
    value: Any

    def latex_line(self) -> str:
        """``name = value`` in LaTeX, with the decimal value beside an exact non-integer number."""
        return f"{self.latex_name} = {value_latex(self.value)}"

    def text_line(self) -> str:
        approximation = decimal_text(self.value)
        shown = f"{self.text_name} = {_plain(self.value)}"
        return f"{shown} ≈ {approximation}" if approximation else shown


def to_latex(obj: Any) -> str:
    """LaTeX for SymPy objects and for the tuples, lists and dicts helpers return."""
    if isinstance(obj, dict):
        return r",\quad ".join(f"{to_latex(k)} = {to_latex(v)}" for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        inner = ", ".join(to_latex(item) for item in obj)
        return rf"\left( {inner} \right)"
    return sp.latex(obj)


# -- decimals beside exact numbers --------------------------------------------------------------


def _is_inexact_looking(value: Any) -> bool:
    """An exact number that is not an integer: it deserves a decimal beside it."""
    try:
        number = sp.sympify(value)
    except (sp.SympifyError, TypeError):
        return False
    return bool(number.is_number and not number.is_Integer and not number.is_Float and number.is_finite)


def _decimal(number: sp.Expr, digits: int = 4) -> str:
    value = sp.N(number, digits + 2)
    if value.is_real is False:
        real, imaginary = (float(v) for v in value.as_real_imag())
        sign = "+" if imaginary >= 0 else "-"
        return f"{_short(real, digits)} {sign} {_short(abs(imaginary), digits)}i"
    return _short(float(value), digits)


def _short(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e6:
        text = f"{value:.{digits}g}"
    else:
        text = f"{value:.{digits - 1}e}"
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def decimal_text(value: Any) -> str | None:
    """The decimal of an exact non-integer number (or of a matrix holding some), else None.

    Examples:
        >>> decimal_text(sp.Rational(334, 45))
        '7.422'
        >>> decimal_text(sp.Integer(3)) is None
        True
    """
    if isinstance(value, sp.MatrixBase):
        if not any(_is_inexact_looking(e) for e in value):
            return None
        rows = [
            "(" + ", ".join(_decimal(e) if sp.sympify(e).is_number else str(e) for e in row) + ")"
            for row in value.tolist()
        ]
        return rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"
    if _is_inexact_looking(value):
        return _decimal(sp.sympify(value))
    return None


def decimal_latex(value: Any) -> str | None:
    """LaTeX of the decimal value of an exact non-integer number or matrix, else None."""
    if isinstance(value, sp.MatrixBase):
        if not any(_is_inexact_looking(e) for e in value):
            return None
        rows = [
            " & ".join(_latex_number(_decimal(e)) if sp.sympify(e).is_number else sp.latex(e) for e in row)
            for row in value.tolist()
        ]
        return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"
    if _is_inexact_looking(value):
        return _latex_number(_decimal(sp.sympify(value)))
    return None


def _latex_number(text: str) -> str:
    if "e" in text and not text.endswith("i"):
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def value_latex(value: Any) -> str:
    """LaTeX of a value, followed by ``\\approx`` and its decimal when it is an exact non-integer."""
    exact = to_latex(value)
    approximation = decimal_latex(value)
    return f"{exact} \\approx {approximation}" if approximation else exact


def _plain(value: Any) -> str:
    if isinstance(value, sp.MatrixBase):
        rows = value.tolist()
        if value.cols == 1:
            return "(" + ", ".join(str(r[0]) for r in rows) + ")ᵀ"
        return "[" + "; ".join(", ".join(str(e) for e in r) for r in rows) + "]"
    return str(value)


# -- the result type ----------------------------------------------------------------------------

#: Exact values longer than this (as text) are printed as decimals, with a pointer to the exact value.
_LONG_TEXT = 600

Verifier = Callable[[int, int], VerificationReport]


@dataclass
class Derivation:
    """A derived result with its named parts, its steps and its independent numeric check.

    Examples:
        >>> from glossary import calculus
        >>> x, y = sp.symbols("x y")
        >>> d = calculus.partial(x**2 * y, x)
        >>> d.result
        2*x*y
        >>> d.verify(points=50).passed
        True
    """

    result: Any
    steps: Sequence[Step]
    verifier: Verifier | None = field(default=None, repr=False)
    parts: Sequence[Part] = ()
    helper: str = ""
    check_steps: bool = field(default=True, repr=False)
    # (function, args, kwargs): how to derive this again in a child process to verify it there.
    _recipe: tuple | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.steps = tuple(self.steps)
        self.parts = tuple(self.parts)
        keys = [p.key for p in self.parts]
        if len(set(keys)) != len(keys):
            raise GlossaryError(f"part names repeat: {keys}")
        if self.check_steps:
            check_step_chain(self.steps, self.helper or "derivation")

    def __getstate__(self) -> dict[str, Any]:
        # The verifier is a closure and stays behind in the process that derived; the
        # receiving side verifies by deriving again in a child (see `verify`).
        state = dict(self.__dict__)
        state["verifier"] = None
        state["_recipe"] = None
        return state

    @property
    def latex(self) -> str:
        """LaTeX of the result."""
        return to_latex(self.result)

    def part(self, key: str) -> Part:
        """The part named ``key``; a `GlossaryError` lists the names there are."""
        for part in self.parts:
            if part.key == key:
                return part
        known = ", ".join(p.key for p in self.parts) or "none"
        raise GlossaryError(f"{self.helper or 'this derivation'} has no part {key!r} (parts: {known})")

    def verify(self, points: int = 1000, seed: int = 0) -> VerificationReport:
        """Check the result against an independent numeric computation.

        Raises `glossary.VerificationError` with the failing point on a
        mismatch and returns the report otherwise. Runs under the same limits
        as the derivation.
        """
        from . import _inputs

        points = _inputs.whole_number(points, "points", 1, limits.current().max_points)
        seed = _inputs.whole_number(seed, "seed", -(2**63), 2**63 - 1)
        what = f"{self.helper or 'the derivation'}: verify(points={points})"
        if self.verifier is not None:
            report = limits.run(_checked_verify, self.verifier, points, seed, what=what)
        elif self._recipe is not None:
            function, args, kwargs = self._recipe
            report = limits.run(_derive_and_verify, function, args, kwargs, points, seed, what=what)
        else:
            raise GlossaryError(f"{what}: this copy of the derivation has no way to verify itself")
        if not report.helper:
            report = VerificationReport(report.method, report.points, report.max_error, report.tolerance, self.helper)
        return report

    # -- display -------------------------------------------------------------------
    def _shown_parts(self) -> list[Part]:
        """The parts to show: one kept under two keys (θ₈ also as ``final``) is shown once."""
        shown: list[Part] = []
        for part in self.parts:
            if not any(p.latex_name == part.latex_name and p.value == part.value for p in shown):
                shown.append(part)
        return shown

    def _repr_latex_(self) -> str:
        lines = [p.latex_line().replace(" = ", " &= ", 1) for p in self._shown_parts()] or [rf"&{self.latex}"]
        body = r" \\ ".join(lines)
        return rf"$$\begin{{aligned}} {body} \end{{aligned}}$$"

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.helper}**", ""]
        if self.parts:
            parts += [f"- ${p.latex_line()}$" for p in self._shown_parts()]
        else:
            parts.append(f"Result: ${self.latex}$")
        parts += ["", "Steps:", ""]
        for number, step in enumerate(self.steps, 1):
            parts.append(f"{number}. {step.en} ({step.ko}): ${step.latex}$")
        return "\n".join(parts)

    def __str__(self) -> str:
        lines = [self.helper or "derivation"]
        if self.parts:
            for part in self._shown_parts():
                head = f"{part.text_name} = "
                approximation = decimal_text(part.value)
                if approximation and len(str(part.value)) > _LONG_TEXT:
                    # A long exact value is summarised, as on the pages; d.part(key).value holds it.
                    lines.append(f"  {part.text_name} ≈ {approximation}  (exact: d.part({part.key!r}).value)")
                    continue
                body = sp.pretty(part.value, use_unicode=True).splitlines()
                if len(body) == 1:
                    lines.append("  " + part.text_line())
                else:
                    lines.append("  " + head)
                    lines.extend("    " + row for row in body)
                    if approximation:
                        lines.append(f"    ≈ {approximation}")
        else:
            lines.append("  result:")
            lines.extend("    " + row for row in sp.pretty(self.result, use_unicode=True).splitlines())
        lines.append("steps:")
        for number, step in enumerate(self.steps, 1):
            lines.append(f"{number}. {step.en.replace('$', '')} / {step.ko.replace('$', '')}")
            lines.extend("   " + row for row in sp.pretty(step.expr, use_unicode=True).splitlines())
        return "\n".join(lines)


def _checked_verify(verifier: Verifier, points: int, seed: int) -> VerificationReport:
    try:
        return verifier(points, seed)
    except GlossaryError:
        raise
    except (ArithmeticError, ValueError, TypeError, NameError, AttributeError, NotImplementedError) as error:
        problem = f"{type(error).__name__}: {error}"
        raise GlossaryError(f"the numeric check could not evaluate the result: {problem}") from None


def _derive_and_verify(function: Callable[..., Derivation], args: tuple, kwargs: dict, points: int, seed: int):
    derivation = function(*args, **kwargs)
    return _checked_verify(derivation.verifier, points, seed)


def _derive(function: Callable[..., Derivation], name: str, args: tuple, kwargs: dict) -> Derivation:
    derivation = function(*args, **kwargs)
    if not isinstance(derivation, Derivation):  # pragma: no cover - a programming error in a helper
        raise GlossaryError(f"{name} returned {type(derivation).__name__}, not a Derivation")
    derivation.helper = name
    return derivation


#: Every helper by its public name ("calculus.partial"), filled as the modules load.
HELPERS: dict[str, Callable[..., Derivation]] = {}


def helper(function: Callable[..., Derivation]) -> Callable[..., Derivation]:
    """Declare a helper: its name is ``family.function`` and every call runs under the limits.

    The family is the subpackage or module under ``glossary`` that defines it, so
    ``glossary.neural.training.dropout`` is ``neural.dropout``.
    """
    family = function.__module__.split(".")[1]
    name = f"{family}.{function.__name__}"

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Derivation:
        derivation = limits.run(_derive, function, name, args, kwargs, what=name)
        if derivation.verifier is None:
            derivation._recipe = (function, args, kwargs)
        return derivation

    call.helper_name = name  # type: ignore[attr-defined]
    HELPERS[name] = call
    return call


# -- checking that consecutive steps are equal -----------------------------------------


def _as_matrix_or_expr(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return sp.Matrix(value)
    return value


def _cheap_zero(difference: sp.Expr) -> bool:
    for canon in (sp.expand, sp.cancel, sp.together):
        try:
            if canon(difference) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError, AttributeError):  # pragma: no cover - SymPy quirks
            continue
    return False


def _random_value(symbol: sp.Symbol, rng: random.Random) -> sp.Expr:
    if symbol.is_integer:
        low = 1 if symbol.is_positive or symbol.is_nonnegative else -5
        return sp.Integer(rng.randint(low, 7))
    magnitude = sp.Rational(rng.randint(11, 290), 100)
    if symbol.is_positive or symbol.is_nonnegative:
        return magnitude
    return magnitude if rng.random() < 0.5 else -magnitude


def _evaluate(expr: sp.Expr, symbols: list, values: list) -> complex | None:
    """The value of ``expr`` at a point, by mpmath at a fixed 30 digits (no adaptive precision)."""
    import mpmath

    try:
        with mpmath.workdps(30):
            function = sp.lambdify(symbols, expr, modules="mpmath")
            number = function(*values)
            return complex(number)
    except NameError:
        # Objects mpmath cannot name (CRootOf): SymPy evaluates each side on its own, to 30 digits.
        try:
            number = sp.N(expr.subs(dict(zip(symbols, values, strict=True))), 30)
            return complex(number)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, NotImplementedError):
            return None
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, NotImplementedError):
        return None


def _numeric_zero(left: sp.Expr, right: sp.Expr, trials: int = 4) -> bool | None:
    """True if the two sides agree at random points, False on a clear mismatch, None if unknown.

    Each side is evaluated on its own at a fixed precision, so an exact zero
    difference never sends evalf chasing digits.
    """
    rng = random.Random(1234)
    symbols = sorted((left - right).free_symbols, key=sp.default_sort_key)
    if any(not isinstance(s, sp.Symbol) for s in symbols):
        return None
    decided = 0
    for _ in range(trials * 3):
        values = [_random_value(s, rng) for s in symbols]
        a = _evaluate(left, symbols, values)
        b = _evaluate(right, symbols, values)
        if a is None or b is None:
            continue
        if not all(map(_finite, (a, b))):
            continue
        if abs(a - b) > 1e-12 * (1 + abs(a) + abs(b)):
            return False
        decided += 1
        if decided >= trials or not symbols:
            return True
    return None


def _finite(value: complex) -> bool:
    return value.real == value.real and abs(value) != float("inf")


def _simplifies_to_zero(difference: sp.Expr) -> bool:
    return sp.simplify(difference.doit()) == 0


def values_equal(left: Any, right: Any, what: str = "step") -> bool:
    """Whether two SymPy values are equal: canonical forms, then random points,
    then ``simplify`` for at most a few seconds.

    Examples:
        >>> x = sp.Symbol("x")
        >>> values_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)
        True
        >>> values_equal(x + 1, x)
        False
    """
    left, right = _as_matrix_or_expr(left), _as_matrix_or_expr(right)
    left_is_matrix = isinstance(left, sp.MatrixBase)
    if left_is_matrix != isinstance(right, sp.MatrixBase):
        return False
    if left_is_matrix:
        if left.shape != right.shape:
            return False
        return all(values_equal(a, b, what) for a, b in zip(left, right, strict=True))
    left, right = sp.sympify(left), sp.sympify(right)
    difference = left - right
    if difference == 0:
        return True
    # Canonical forms are cheap on small expressions and explode on large ones
    # (backpropagated sigmoids, radicals of 5×5 eigenvalues), where points decide faster.
    if sp.count_ops(difference) < 80 and _cheap_zero(difference):
        return True
    decided = _numeric_zero(left, right)
    if decided is not None:
        return decided
    return bool(limits.attempt(_simplifies_to_zero, difference, seconds=5))


def check_step_chain(steps: Sequence[Step], helper: str) -> None:
    """Raise `GlossaryError` if a step claiming equality is not equal."""
    for number, (before, after) in enumerate(itertools.pairwise(steps), 2):
        if not after.equals_previous:
            continue
        if not values_equal(before.value, after.value, f"{helper} step {number}"):
            raise GlossaryError(
                f"{helper}: the derivation could not confirm its step {number} ({after.en!r}); "
                "this is a bug in the library, not in your input: please report it with the call you made"
            )


# What the work in a child imports: imported once in the parent, so no child imports it again.
limits.preload("numpy", "mpmath", "glossary.numeric")
