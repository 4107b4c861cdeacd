"""The one result type of every helper: `Derivation`, made of `Step` s.

A derivation carries the answer (``result``), the way to it (``steps``, each
captioned in Korean and English) and a way to check it against an independent
numeric computation (``verify``). Consecutive steps that claim equality are
checked when the derivation is built, so a wrong step never reaches a reader.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .errors import DerivationTimeout, GlossaryError
from .report import VerificationReport

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "Derivation",
    "Step",
    "VerificationReport",
    "time_limit",
]

#: Seconds a single derivation may run before it is stopped.
DEFAULT_TIME_LIMIT = 10.0


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Stop the body with `DerivationTimeout` after ``seconds``.

    SymPy has no cancellation of its own, so the limit is a real-time timer
    signal. Signals only reach the main thread; elsewhere the body runs
    unlimited (the MkDocs plugin and the CLI run derivations in a child
    process whose main thread this is).

    Examples:
        >>> with time_limit(1, "a quick sum"):
        ...     sp.Integer(2) + 2
        4
    """
    usable = (
        seconds is not None
        and seconds > 0
        and threading.current_thread() is threading.main_thread()
        and hasattr(signal, "setitimer")
    )
    if not usable:
        yield
        return

    def _expired(signum, frame):
        raise DerivationTimeout(f"{what} took longer than {seconds:g} s and was stopped")

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, _expired)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0]:
            # An outer limit was running: give it back what is left of it.
            elapsed = time.monotonic() - started
            signal.setitimer(signal.ITIMER_REAL, max(previous_timer[0] - elapsed, 1e-3))


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a caption in each language and a SymPy object.

    ``equals_previous`` claims that this step's value (the right-hand side of
    an ``Eq``, or the expression itself) equals the previous step's value.

    Examples:
        >>> x = sp.Symbol("x")
        >>> Step("미분한다", "differentiate", sp.Eq(sp.Derivative(x**2, x), 2 * x)).value
        2*x
    """

    ko: str
    en: str
    expr: Any
    equals_previous: bool = False

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


def to_latex(obj: Any) -> str:
    """LaTeX for SymPy objects and for the tuples, lists and dicts helpers return."""
    if isinstance(obj, dict):
        return r",\quad ".join(f"{to_latex(k)} = {to_latex(v)}" for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        inner = ", ".join(to_latex(item) for item in obj)
        return rf"\left( {inner} \right)"
    return sp.latex(obj)


Verifier = Callable[[int, int], VerificationReport]


@dataclass
class Derivation:
    """A derived result with its steps and its independent numeric check.

    Examples:
        >>> from glossary import calculus
        >>> x, y = sp.symbols("x y")
        >>> d = calculus.partial(x**2 * y, x)
        >>> d.result
        2*x*y
        >>> d.verify(points=50).passed
        True
    """

    helper: str
    result: Any
    steps: Sequence[Step]
    verifier: Verifier = field(repr=False)
    check_steps: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        self.steps = tuple(self.steps)
        if self.check_steps:
            check_step_chain(self.steps, self.helper)

    @property
    def latex(self) -> str:
        """LaTeX of the result."""
        return to_latex(self.result)

    def verify(self, points: int = 1000, seed: int = 0) -> VerificationReport:
        """Check the result against an independent numeric computation.

        Raises `glossary.VerificationError` with the failing point on a
        mismatch and returns the report otherwise.
        """
        if not isinstance(points, int) or isinstance(points, bool) or points < 1:
            raise GlossaryError(f"points must be a positive integer, got {points!r}")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise GlossaryError(f"seed must be an integer, got {seed!r}")
        report = self.verifier(points, seed)
        if not report.helper:
            report = VerificationReport(report.method, report.points, report.max_error, report.tolerance, self.helper)
        return report

    # -- display -------------------------------------------------------------------
    def _repr_latex_(self) -> str:
        lines = [rf"\text{{{step.en}}}: && {step.latex}" for step in self.steps]
        body = r" \\ ".join(lines)
        return rf"$$\begin{{aligned}} {body} \end{{aligned}}$$"

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.helper}**", ""]
        for number, step in enumerate(self.steps, 1):
            parts.append(f"{number}. {step.en} ({step.ko}): ${step.latex}$")
        parts += ["", f"Result: ${self.latex}$"]
        return "\n".join(parts)

    def __str__(self) -> str:
        lines = [self.helper]
        for number, step in enumerate(self.steps, 1):
            lines.append(f"{number}. {step.en} / {step.ko}")
            lines.extend("   " + row for row in sp.pretty(step.expr).splitlines())
        lines.append("result:")
        lines.extend("   " + row for row in sp.pretty(self.result).splitlines())
        return "\n".join(lines)


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
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - SymPy quirks
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


def _numeric_zero(difference: sp.Expr, trials: int = 4) -> bool | None:
    """True if zero at random points, False on a clear mismatch, None if unknown."""
    rng = random.Random(1234)
    symbols = sorted(difference.free_symbols, key=sp.default_sort_key)
    decided = 0
    for _ in range(trials * 3):
        values = {s: _random_value(s, rng) for s in symbols if isinstance(s, sp.Symbol)}
        try:
            number = sp.N(difference.subs(values).doit(), 30)
        except (TypeError, ValueError, ZeroDivisionError, NotImplementedError):
            continue
        if number.free_symbols or not number.is_number:
            return None
        if number.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            continue
        if abs(complex(number)) > 1e-12:
            return False
        decided += 1
        if decided >= trials:
            return True
    return None


def values_equal(left: Any, right: Any, what: str = "step") -> bool:
    """Whether two SymPy values are equal: canonical forms, then random points,
    then ``simplify`` under a time limit.

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
    difference = sp.sympify(left) - sp.sympify(right)
    if difference == 0:
        return True
    # Canonical forms are cheap on small expressions and explode on large ones
    # (backpropagated sigmoids), where random points decide faster.
    if sp.count_ops(difference) < 80 and _cheap_zero(difference):
        return True
    decided = _numeric_zero(difference)
    if decided is not None:
        return decided
    with time_limit(5, f"simplifying {what}"):
        return sp.simplify(difference.doit()) == 0


def check_step_chain(steps: Sequence[Step], helper: str) -> None:
    """Raise `GlossaryError` if a step claiming equality is not equal."""
    for number, (before, after) in enumerate(itertools.pairwise(steps), 2):
        if not after.equals_previous:
            continue
        if not values_equal(before.value, after.value, f"{helper} step {number}"):
            raise GlossaryError(
                f"{helper}: step {number} ({after.en!r}) claims {after.value} "
                f"equals the previous step's {before.value}, and it does not"
            )
