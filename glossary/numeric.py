"""Seeded numeric building blocks for the independent checks.

Pure helpers in the spirit of SymPy's ``verify_numerically``: random points
that respect each symbol's domain, finite differences, and comparison with a
tolerance that raises `glossary.VerificationError` with the point.
NumPy is imported here and only here, so ``import glossary`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from .derivation import VerificationReport
from .errors import GlossaryError, VerificationError

__all__ = [
    "Comparison",
    "derivative_verifier",
    "five_point_derivative",
    "lambdify",
    "sample_symbols",
]


def sample_symbols(
    symbols: Sequence[sp.Symbol], count: int, rng: np.random.Generator, spread: float = 2.5
) -> dict[sp.Symbol, np.ndarray]:
    """Random values for each symbol, respecting integer and positive assumptions.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> p = sp.Symbol("p", positive=True)
        >>> bool((sample_symbols([p], 100, rng)[p] > 0).all())
        True
    """
    values: dict[sp.Symbol, np.ndarray] = {}
    for symbol in symbols:
        if symbol.is_integer:
            low = 1 if (symbol.is_positive or symbol.is_nonnegative) else -6
            values[symbol] = rng.integers(low, 9, size=count).astype(float)
        elif symbol.is_positive or symbol.is_nonnegative:
            values[symbol] = rng.uniform(0.15, spread, size=count)
        else:
            values[symbol] = rng.uniform(-spread, spread, size=count)
    return values


def lambdify(symbols: Sequence[sp.Symbol], expr: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` to NumPy, wrapping SymPy's failures as GlossaryError."""
    try:
        vectorised = sp.lambdify(list(symbols), expr, modules="numpy")
    except Exception as error:
        raise GlossaryError(f"cannot evaluate {expr} numerically: {error}") from None
    try:
        with np.errstate(all="ignore"):
            vectorised(*([np.array([0.5, -0.5])] * len(symbols)))
        return vectorised
    except TypeError:
        # NumPy's select() rejects the scalar branches SymPy prints for nested
        # Piecewise conditions (ReLU after ReLU): those run point by point.
        scalar = sp.lambdify(list(symbols), expr, modules="math")

    def guarded(*args: float) -> Any:
        try:
            return scalar(*(float(np.real(a)) for a in args))
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("nan")

    def pointwise(*columns: Any) -> Any:
        if not columns or np.ndim(columns[0]) == 0:
            return guarded(*columns)
        arrays = np.broadcast_arrays(*(np.asarray(c) for c in columns))
        rows = [guarded(*point) for point in zip(*(a.ravel() for a in arrays), strict=True)]
        # One row per point; transposed so each output is one array, as NumPy gives.
        return np.array(rows, dtype=complex).T

    return pointwise


def evaluate(func: Callable[..., Any], columns: Sequence[np.ndarray], count: int) -> np.ndarray:
    """Call a lambdified function on arrays, broadcasting constants, as complex."""
    with np.errstate(all="ignore"):
        out = func(*columns)
    return np.broadcast_to(np.asarray(out, dtype=complex), (count,)).copy()


def five_point_derivative(
    func: Callable[..., Any],
    columns: list[np.ndarray],
    index: int,
    count: int,
    scale: float = 1e-3,
) -> np.ndarray:
    """Central five-point finite difference of ``func`` along argument ``index``.

    The step scales with the point so that large coordinates keep precision.

    Examples:
        >>> f = lambda x: x**3
        >>> round(float(five_point_derivative(f, [np.array([2.0])], 0, 1)[0].real), 9)
        12.0
    """
    base = columns[index]
    h = scale * np.maximum(1.0, np.abs(base))

    def shifted(k: float) -> np.ndarray:
        moved = list(columns)
        moved[index] = base + k * h
        return evaluate(func, moved, count)

    # Differences of neighbours first: where f is flat they are exactly 0, and rounding does not pile up.
    return (8 * (shifted(1) - shifted(-1)) - (shifted(2) - shifted(-2))) / (12 * h)


class Comparison:
    """Accumulates independent-vs-symbolic values and the worst relative error.

    The error is ``|a - b| / (1 + |a|)``: absolute near zero, relative for large
    values. The first point beyond tolerance raises VerificationError.
    """

    def __init__(self, method: str, tolerance: float) -> None:
        self.method = method
        self.tolerance = tolerance
        self.max_error = 0.0
        self.points = 0

    def add(
        self,
        expected: np.ndarray | complex | float,
        actual: np.ndarray | complex | float,
        point: Callable[[int], dict[str, float]] | dict[str, float] | None = None,
    ) -> None:
        expected = np.atleast_1d(np.asarray(expected, dtype=complex))
        actual = np.atleast_1d(np.asarray(actual, dtype=complex))
        usable = np.isfinite(expected) & np.isfinite(actual)
        error = np.zeros(expected.shape)
        error[usable] = np.abs(expected[usable] - actual[usable]) / (1 + np.abs(expected[usable]))
        if error.size:
            worst = int(np.argmax(error))
            if error[worst] > self.tolerance:
                where = point(worst) if callable(point) else point
                raise VerificationError(
                    f"{self.method}: relative error {error[worst]:.3g} exceeds {self.tolerance:g}",
                    point=where,
                    expected=_plain(expected[worst]),
                    actual=_plain(actual[worst]),
                )
            self.max_error = max(self.max_error, float(error[worst]))
        self.points += int(usable.sum())

    def report(self, minimum_points: int = 1) -> VerificationReport:
        if self.points < minimum_points:
            raise VerificationError(f"{self.method}: only {self.points} usable points, fewer than {minimum_points}")
        return VerificationReport(self.method, self.points, self.max_error, self.tolerance)


def _plain(value: complex) -> float | complex:
    value = complex(value)
    return value.real if abs(value.imag) < 1e-12 else value


def point_namer(symbols: Sequence[sp.Symbol], columns: Sequence[np.ndarray]):
    """A callable giving the named coordinates of point ``i`` for error messages."""

    def name(i: int) -> dict[str, float]:
        return {str(s): _plain(np.asarray(c, dtype=complex).ravel()[i]) for s, c in zip(symbols, columns, strict=True)}

    return name


def _step_of(base: np.ndarray) -> np.ndarray:
    """The finest step `five_point_derivative` takes around each point (a quarter of the default)."""
    return 2.5e-4 * np.maximum(1.0, np.abs(base))


def derivative_verifier(pairs: Sequence[tuple[sp.Expr, sp.Expr, sp.Symbol]]):
    """Compare each claimed derivative with finite differences of its function.

    Points near a singularity or a kink are recognised because two step sizes
    disagree there, and are skipped rather than counted.
    """

    def verify(points: int, seed: int) -> VerificationReport:
        rng = np.random.default_rng(seed)
        comparison = Comparison("central finite differences (five-point stencil)", 1e-6)
        for function, derivative, variable in pairs:
            symbols = sorted(function.free_symbols | derivative.free_symbols | {variable}, key=sp.default_sort_key)
            columns = list(sample_symbols(symbols, points, rng).values())
            index = symbols.index(variable)
            f = lambdify(symbols, function)
            df = lambdify(symbols, derivative)
            claimed = evaluate(df, columns, points)
            coarse = five_point_derivative(f, columns, index, points)
            # The same stencil at a quarter of the step: where the two agree the
            # function is smooth around the point, so the estimate is trusted.
            half = five_point_derivative(f, columns, index, points, scale=2.5e-4)
            values = evaluate(f, columns, points)
            smooth = (
                np.isfinite(coarse)
                & np.isfinite(half)
                # Rounding in f itself (about 1e-16·|f| per value, divided by the step) is not a kink.
                & (
                    np.abs(coarse - half)
                    <= 1e-7 * (1 + np.abs(coarse)) + 1e-12 * np.abs(values) / _step_of(columns[index])
                )
                & (np.abs(values.imag) < 1e-12)
                & (np.abs(values) < 1e8)
            )
            keep = np.flatnonzero(smooth)
            comparison.add(
                coarse[keep],
                claimed[keep],
                point_namer(symbols, [c[keep] for c in columns]),
            )
        return comparison.report(minimum_points=max(1, points // 10))

    return verify
