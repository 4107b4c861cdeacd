"""Independent reference computations: exact rational algebra, mpmath, NumPy and SciPy.

Nothing here calls the library, and nothing re-evaluates an expression the
library produced: the references work from the *inputs* (a matrix, a data
set, an expression tree, a network's numbers) by other means.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

# -- turning library output into numbers (the only place library values are read) --------------


def to_mp(value: Any, dps: int = 50) -> mpmath.mpc:
    """A SymPy number (radicals, CRootOf, …) as an mpmath complex at ``dps`` digits."""
    with mpmath.workdps(dps):
        evaluated = sp.sympify(value).evalf(dps)
        if evaluated.free_symbols:
            raise AssertionError(f"{value} is not a number: it has free symbols {evaluated.free_symbols}")
        number = evaluated._to_mpmath(mpmath.mp.prec)
        return mpmath.mpc(number)


def to_mp_matrix(matrix: Any, dps: int = 50) -> mpmath.matrix:
    matrix = sp.Matrix(matrix)
    with mpmath.workdps(dps):
        return mpmath.matrix([[to_mp(matrix[i, j], dps) for j in range(matrix.cols)] for i in range(matrix.rows)])


def to_float(value: Any) -> float:
    number = complex(sp.N(sp.sympify(value), 30))
    if abs(number.imag) > 1e-12 * (1 + abs(number.real)):
        raise AssertionError(f"{value} is not real: {number}")
    return number.real


def has_float(value: Any) -> bool:
    """Whether a (nested) SymPy result contains a Float anywhere."""
    if isinstance(value, dict):
        return any(has_float(k) or has_float(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_float(v) for v in value)
    if isinstance(value, sp.MatrixBase):
        return any(has_float(v) for v in value)
    if isinstance(value, sp.Basic):
        return value.has(sp.Float)
    return isinstance(value, float)


def close(actual: Any, expected: Any, rel: float, abs_: float = 0.0) -> bool:
    actual, expected = complex(actual), complex(expected)
    return abs(actual - expected) <= abs_ + rel * max(abs(expected), abs(actual), 1.0)


def assert_close(actual: Any, expected: Any, rel: float, what: str) -> None:
    """``actual`` (a library value, SymPy or number) within ``rel`` of ``expected`` (a reference number)."""
    if isinstance(actual, sp.Basic):
        actual = to_mp(actual, 40)
    difference = abs(mpmath.mpc(actual) - mpmath.mpc(expected))
    scale = max(abs(mpmath.mpc(expected)), 1)
    assert difference <= rel * scale, (
        f"{what}: the library gives {mpmath.nstr(actual, 15)}, the reference {mpmath.nstr(expected, 15)}"
    )


def mp_number(value: Fraction) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator


# -- exact rational linear algebra ---------------------------------------------------------------


def fraction_matrix(matrix: Any) -> list[list[Fraction]]:
    """Integer or rational entries of a SymPy Matrix as Fractions."""
    matrix = sp.Matrix(matrix)
    rows = []
    for i in range(matrix.rows):
        row = []
        for j in range(matrix.cols):
            entry = matrix[i, j]
            row.append(Fraction(int(entry.p), int(entry.q)))
        rows.append(row)
    return rows


def characteristic_coefficients(matrix: list[list[Fraction]]) -> list[Fraction]:
    """Coefficients of det(λI − A), highest degree first, by Faddeev–LeVerrier (exact)."""
    n = len(matrix)
    identity = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]

    def product(a, b):
        return [[sum(a[i][k] * b[k][j] for k in range(n)) for j in range(n)] for i in range(n)]

    coefficients = [Fraction(1)]
    m = [[Fraction(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        # M_k = A M_{k−1} + c_{n−k+1} I, c_{n−k} = −tr(A M_k) / k
        m = [[m_ij + coefficients[-1] * identity[i][j] for j, m_ij in enumerate(row)] for i, row in enumerate(m)]
        am = product(matrix, m)
        coefficients.append(-sum(am[i][i] for i in range(n)) / k)
        m = am
    return coefficients


def rank(matrix: list[list[Fraction]]) -> int:
    """Exact rank by Gaussian elimination over the rationals."""
    rows = [list(r) for r in matrix]
    rank_ = 0
    columns = len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank_, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for r in range(len(rows)):
            if r != rank_ and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank_][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank_], strict=True)]
        rank_ += 1
    return rank_


# -- exact polynomials over the rationals (coefficient lists, highest degree first) --------------


def _trim(p: list[Fraction]) -> list[Fraction]:
    while len(p) > 1 and p[0] == 0:
        p = p[1:]
    return p


def _divmod(a: list[Fraction], b: list[Fraction]) -> tuple[list[Fraction], list[Fraction]]:
    a, b = _trim(list(a)), _trim(list(b))
    if len(a) < len(b):
        return [Fraction(0)], a
    quotient = [Fraction(0)] * (len(a) - len(b) + 1)
    remainder = list(a)
    for i in range(len(quotient)):
        factor = remainder[i] / b[0]
        quotient[i] = factor
        for j, coefficient in enumerate(b):
            remainder[i + j] -= factor * coefficient
    return quotient, _trim(remainder[len(quotient) :] or [Fraction(0)])


def _gcd(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    a, b = _trim(a), _trim(b)
    while not (len(b) == 1 and b[0] == 0):
        a, b = b, _divmod(a, b)[1]
    return [c / a[0] for c in a]


def _derivative(p: list[Fraction]) -> list[Fraction]:
    degree = len(p) - 1
    return _trim([c * (degree - i) for i, c in enumerate(p[:-1])] or [Fraction(0)])


def squarefree_factors(p: list[Fraction]) -> list[tuple[list[Fraction], int]]:
    """Yun's algorithm: p = Π fᵢ^i with squarefree, pairwise coprime fᵢ."""
    p = _trim(p)
    factors = []
    g = _gcd(p, _derivative(p))
    w = _divmod(p, g)[0]
    multiplicity = 1
    while len(w) > 1:
        y = _gcd(w, g)
        factor = _divmod(w, y)[0]
        if len(factor) > 1:
            factors.append((factor, multiplicity))
        w, g = y, _divmod(g, y)[0]
        multiplicity += 1
    return factors


def roots_with_multiplicity(coefficients: list[Fraction], dps: int = 50) -> list[tuple[mpmath.mpc, int]]:
    """Every root of an exact polynomial with its multiplicity, each root to ``dps`` digits."""
    found = []
    with mpmath.workdps(dps):
        for factor, multiplicity in squarefree_factors(coefficients):
            numeric = [mpmath.mpf(c.numerator) / c.denominator for c in factor]
            if len(numeric) == 2:
                roots = [-numeric[1] / numeric[0]]
            else:
                roots = mpmath.polyroots(numeric, maxsteps=400, extraprec=4 * dps)
            found += [(mpmath.mpc(r), multiplicity) for r in roots]
    return found


def numeric_rank(matrix: mpmath.matrix, dps: int = 50, threshold: float = 1e-25) -> int:
    with mpmath.workdps(dps):
        if matrix.rows == 0 or matrix.cols == 0:
            return 0
        values = mpmath.svd_c(matrix, compute_uv=False)
        scale = max([abs(v) for v in values] + [mpmath.mpf(1)])
        return sum(1 for v in values if abs(v) > threshold * scale)


# -- probability ----------------------------------------------------------------------------------


def posterior(prior: dict[Any, Fraction], likelihoods: Sequence[dict[Any, Fraction]]) -> dict[Any, Fraction]:
    """P(h | all evidence) by enumerating prior × Π likelihood and normalising."""
    joint = {}
    for h, p in prior.items():
        weight = p
        for table in likelihoods:
            weight *= table[h]
        joint[h] = weight
    total = sum(joint.values())
    return {h: w / total for h, w in joint.items()}


def maximise(objective: Callable[[np.ndarray], float], start: Sequence[float], bounds: Sequence[tuple]) -> np.ndarray:
    """The maximiser of ``objective``: bounded Brent in one dimension, Nelder–Mead polished by L-BFGS-B otherwise."""
    from scipy import optimize

    if len(start) == 1:
        (low, high) = bounds[0]
        outcome = optimize.minimize_scalar(
            lambda t: -objective(np.array([t])), bounds=(low, high), method="bounded", options={"xatol": 1e-13}
        )
        return np.array([outcome.x])

    def negative(theta):
        value = objective(theta)
        return -value if np.isfinite(value) else 1e300

    outcome = optimize.minimize(
        negative,
        np.asarray(start, dtype=float),
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 40000, "maxfev": 80000},
    )
    polished = optimize.minimize(negative, outcome.x, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15})
    return polished.x if polished.fun <= outcome.fun else outcome.x


# -- neural networks ------------------------------------------------------------------------------

ACTIVATIONS_NUMPY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}
SLOPES_NUMPY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
    "tanh": lambda z: 1 / np.cosh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),  # relu'(0) = 0, as PyTorch's autograd
}


def forward(weights, biases, x, activation: str):
    """Pre-activations and activations of a dense network, in float64."""
    g = ACTIVATIONS_NUMPY[activation]
    pre, acts = [], [x]
    for W, b in zip(weights, biases, strict=True):
        z = W @ acts[-1] + b
        pre.append(z)
        acts.append(g(z))
    return pre, acts


def mse_loss(weights, biases, x, y, activation: str) -> float:
    _, acts = forward(weights, biases, x, activation)
    return float(np.mean((y - acts[-1]) ** 2))


def backprop_numpy(weights, biases, x, y, activation: str):
    """The chain rule, layer by layer, for the mean squared error (written here, in NumPy)."""
    pre, acts = forward(weights, biases, x, activation)
    slope = SLOPES_NUMPY[activation]
    delta = (2.0 / y.size) * (acts[-1] - y) * slope(pre[-1])
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        grads.append((delta @ acts[layer].T, delta.copy()))
        if layer:
            delta = (weights[layer].T @ delta) * slope(pre[layer - 1])
    return grads[::-1]


def backprop_finite_differences(weights, biases, x, y, activation: str, h: float = 1e-6):
    """Central differences of the loss in every weight and bias entry."""
    grads = []
    for layer in range(len(weights)):
        parts = []
        for matrices in (weights, biases):
            target = matrices[layer]
            out = np.zeros_like(target)
            for index in np.ndindex(target.shape):
                saved = target[index]
                target[index] = saved + h
                up = mse_loss(weights, biases, x, y, activation)
                target[index] = saved - h
                down = mse_loss(weights, biases, x, y, activation)
                target[index] = saved
                out[index] = (up - down) / (2 * h)
            parts.append(out)
        grads.append(tuple(parts))
    return grads


def softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - np.max(z))
    return shifted / shifted.sum()
