"""Linear algebra helpers against numpy.linalg, on fixed matrices and on generated families.

The property tests draw integer matrices 2×2 to 5×5 with a known spectral
structure (symmetric, defective, complex spectrum, repeated eigenvalues,
companion matrices of random polynomials, plain random) and data sets up to
50×5, and hold every result against NumPy, with a time budget on every call.
The budget is charged in CPU seconds of the caller and of the child process
that does the work, so that other work on a shared machine does not count; the
wall time is recorded too and bounded by the limit the calls run under.
"""

from __future__ import annotations

import os
import pickle
import re
import time
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glossary
from glossary import limits, linalg

lam = sp.Symbol("lambda")
BUDGET = 2.0  # seconds of CPU per helper call and per verify()
WALL = 20.0  # the limit the calls run under here: a runaway call fails the test instead of hanging it
TIMES: dict[str, list[tuple[float, float, str]]] = defaultdict(list)


@pytest.fixture(scope="module", autouse=True)
def limited_and_timed():
    """Run every call under a wall-clock limit, warm the one-time imports, and print the slowest calls."""
    with limits.using(limits.Limits(seconds=WALL)):
        linalg.eigen(sp.Matrix([[1, 2], [3, 4]])).verify()  # imports numpy and mpmath once, before any timing
        yield
    if TIMES:
        print("\nslowest calls: CPU s (with its wall s) and wall s (with its CPU s)")
        for name, times in sorted(TIMES.items()):
            wall, cpu, case = max(times, key=lambda t: t[1])
            slow_wall, slow_cpu, _ = max(times, key=lambda t: t[0])
            counts = f"{name:40s} {len(times):3d} calls"
            print(f"  {counts}  CPU {cpu:4.2f} ({wall:4.2f})  wall {slow_wall:4.2f} ({slow_cpu:4.2f})")
            print(f"      slowest by CPU: {case[:150]}")


def timed(name: str, case: str, function, *args, **kwargs):
    """Call and record the time; fail if the call used more than the budget."""
    before, start = os.times(), time.perf_counter()
    result = function(*args, **kwargs)
    wall, after = time.perf_counter() - start, os.times()
    cpu = sum(a - b for a, b in zip(after[:4], before[:4], strict=True))
    TIMES[name].append((wall, cpu, case))
    assert cpu < BUDGET, f"{name} took {cpu:.2f} s of CPU (wall {wall:.2f} s) for {case}"
    return result


def derive_and_verify(helper, *args, **kwargs):
    name = helper.helper_name
    case = ", ".join(repr(a.tolist() if isinstance(a, sp.MatrixBase) else a) for a in args)
    derivation = timed(name, case, helper, *args, **kwargs)
    report = timed(f"{name}.verify", case, derivation.verify)
    assert report.passed and report.max_error <= report.tolerance
    return derivation


# -- families of integer matrices ------------------------------------------------------------------


def integer_matrices(rows, cols, low=-5, high=5):
    return st.lists(st.integers(low, high), min_size=rows * cols, max_size=rows * cols).map(
        lambda entries: sp.Matrix(rows, cols, entries)
    )


@st.composite
def unimodular(draw, n):
    """An integer matrix with determinant ±1: a few row additions and a permutation of the identity."""
    P = sp.eye(n)
    for _ in range(draw(st.integers(1, 3))):
        i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        P[i, :] = P[i, :] + draw(st.sampled_from([-1, 1])) * P[j, :]
    order = draw(st.permutations(list(range(n))))
    return P.extract(order, list(range(n)))


def blocks(parts):
    return sp.diag(*parts)


@st.composite
def conjugated(draw, n, block_strategy):
    """P B P⁻¹ for a block matrix B of the family and a unimodular P: integers, same spectrum."""
    B = draw(block_strategy(n))
    P = draw(unimodular(n))
    return P * B * P.inv()


def jordan_blocks(n):
    @st.composite
    def build(draw):
        sizes, left = [], n
        first = draw(st.integers(2, n))  # at least one block of size 2 or more: defective
        sizes.append(first)
        left -= first
        while left:
            size = draw(st.integers(1, left))
            sizes.append(size)
            left -= size
        parts = []
        for size in sizes:
            value = draw(st.integers(-3, 3))
            parts.append(sp.Matrix(size, size, lambda i, j: value if i == j else (1 if j == i + 1 else 0)))
        return blocks(parts)

    return build()


def rotation_blocks(n):
    @st.composite
    def build(draw):
        parts, left = [], n
        while left >= 2:
            a, b = draw(st.integers(-3, 3)), draw(st.integers(1, 3))
            parts.append(sp.Matrix([[a, -b], [b, a]]))
            left -= 2
        if left:
            parts.append(sp.Matrix([[draw(st.integers(-3, 3))]]))
        return blocks(parts)

    return build()


def repeated_diagonal(n):
    @st.composite
    def build(draw):
        values = draw(st.lists(st.integers(-3, 3), min_size=1, max_size=max(1, n - 1)))
        diagonal = [values[i % len(values)] for i in range(n)]
        return sp.diag(*diagonal)

    return build()


@st.composite
def symmetric(draw, n):
    B = draw(integer_matrices(n, n, -3, 3))
    return B + B.T


@st.composite
def companion(draw, n):
    """The companion matrix of a random monic polynomial: often irreducible, with complex roots."""
    coefficients = draw(st.lists(st.integers(-6, 6), min_size=n, max_size=n))
    C = sp.zeros(n, n)
    for i in range(1, n):
        C[i, i - 1] = 1
    for i, c in enumerate(coefficients):
        C[i, n - 1] = -c
    return C


FAMILIES = {
    "random": lambda n: integer_matrices(n, n),
    "symmetric": symmetric,
    "defective": lambda n: conjugated(n, jordan_blocks),
    "complex": lambda n: conjugated(n, rotation_blocks),
    "repeated": lambda n: conjugated(n, repeated_diagonal),
    "companion": companion,
}


def square_matrices(sizes=(2, 3, 4, 5)):
    return st.tuples(st.sampled_from(sorted(FAMILIES)), st.sampled_from(sizes)).flatmap(
        lambda pair: FAMILIES[pair[0]](pair[1]).map(lambda A: (pair[0], A))
    )


# -- independent references ---------------------------------------------------------------------


def as_float(M):
    return np.array(M.tolist(), dtype=float)


def numbers(M, digits=30):
    """A Matrix of exact entries as complex numbers, evaluated by mpmath at ``digits`` digits."""
    return np.array([[complex(sp.N(e, digits)) for e in row] for row in M.tolist()], dtype=complex)


def faddeev_leverrier(A):
    """Coefficients of det(λI − A), highest first, in exact fractions (independent of SymPy)."""
    n = A.rows
    a = [[Fraction(int(A[i, j].p), int(A[i, j].q)) for j in range(n)] for i in range(n)]
    coefficients = [Fraction(1)]
    M = [[Fraction(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        for i in range(n):
            M[i][i] += coefficients[-1]
        AM = [[sum(a[i][t] * M[t][j] for t in range(n)) for j in range(n)] for i in range(n)]
        coefficients.append(-sum(AM[i][i] for i in range(n)) / k)
        M = AM
    return coefficients


def has_float(value):
    if isinstance(value, (list, tuple)):
        return any(has_float(v) for v in value)
    return sp.sympify(value).has(sp.Float)


def match_with_multiplicity(claimed, expected):
    """Pair each claimed eigenvalue copy with a NumPy eigenvalue, nearest pairs first."""
    distance = np.abs(np.subtract.outer(np.array(claimed), np.array(expected)))
    pairs, used_rows, used_columns = {}, set(), set()
    for index in np.argsort(distance, axis=None):
        r, c = np.unravel_index(index, distance.shape)
        if r not in used_rows and c not in used_columns:
            pairs[int(r)] = int(c)
            used_rows.add(r)
            used_columns.add(c)
    return pairs


# -- characteristic polynomial ---------------------------------------------------------------------


def test_general_two_by_two_characteristic_polynomial():
    a, b, c, d = sp.symbols("a b c d")
    derivation = linalg.characteristic_polynomial(sp.Matrix([[a, b], [c, d]]), lam)
    assert sp.expand(derivation.result - (lam**2 - (a + d) * lam + (a * d - b * c))) == 0
    assert sp.expand(derivation.part("trace").value - (a + d)) == 0
    assert sp.expand(derivation.part("determinant").value - (a * d - b * c)) == 0
    promised = [step for step in derivation.steps if r"(\operatorname{tr} A)" in step.en]
    assert promised, "the 2×2 step promises λ² − tr(A)λ + det(A) and must show it"
    assert promised[0].latex.endswith(r"= \lambda^{2} - \lambda \left(a + d\right) + a d - b c")


@settings(max_examples=40)
@given(square_matrices())
def test_characteristic_polynomial_matches_exact_and_numpy(pair):
    _, A = pair
    derivation = derive_and_verify(linalg.characteristic_polynomial, A, lam)
    claimed = sp.Poly(derivation.result, lam).all_coeffs()
    assert claimed == [sp.Rational(f.numerator, f.denominator) for f in faddeev_leverrier(A)]
    expected = np.poly(as_float(A)).real
    scale = max(1.0, float(np.abs(expected).max()))
    assert np.allclose([float(c) for c in claimed], expected, atol=1e-8 * scale, rtol=0)
    assert [p.key for p in derivation.parts][:1] == ["polynomial"]


# -- eigenpairs --------------------------------------------------------------------------------------


def check_eigen(A, derivation):
    result = derivation.result
    n = A.rows
    assert not has_float([v for v, _, _ in result]) and not has_float([e for _, _, vs in result for v in vs for e in v])
    assert sum(m for _, m, _ in result) == n
    values = [complex(sp.N(v, 30)) for v, _, _ in result]
    assert [round(v.real, 9) for v in values] == sorted(round(v.real, 9) for v in values), "ordered by real part"
    numeric, scale = as_float(A), max(1.0, float(np.linalg.norm(as_float(A), 2)))
    expected = np.linalg.eigvals(numeric)
    copies = [v for v, (_, m, _) in zip(values, result, strict=True) for _ in range(m)]
    pairs = match_with_multiplicity(copies, expected)
    start = 0
    for value, (_, multiplicity, vectors) in zip(values, result, strict=True):
        cluster = expected[[pairs[i] for i in range(start, start + multiplicity)]]
        start += multiplicity
        # The mean of a cluster is accurate; single copies move by about eps^(1/m).
        assert abs(cluster.mean() - value) <= 1e-8 * scale, (value, cluster)
        assert np.max(np.abs(cluster - value)) <= 1e-3 * scale
        shifted = numeric - value * np.eye(n)
        nullity = int(np.sum(np.linalg.svd(shifted, compute_uv=False) <= 1e-9 * scale))
        assert len(vectors) == nullity, f"{len(vectors)} eigenvectors for a null space of dimension {nullity}"
        assert 1 <= len(vectors) <= multiplicity
        stacked = np.array([numbers(v).ravel() for v in vectors])
        assert np.linalg.matrix_rank(stacked, tol=1e-9) == len(vectors)
        for v in stacked:
            assert np.linalg.norm(numeric @ v - value * v) <= 1e-9 * scale * np.linalg.norm(v)
    keys = [p.key for p in derivation.parts]
    m, r = len(result), sum(len(vs) for _, _, vs in result)
    expected_keys = [f"lambda_{i}" for i in range(1, m + 1)] + [f"v_{j}" for j in range(1, r + 1)]
    assert keys == expected_keys + [f"multiplicity_{i}" for i in range(1, m + 1)]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(square_matrices())
def test_eigen_matches_numpy_across_families(pair):
    family, A = pair
    derivation = derive_and_verify(linalg.eigen, A)
    check_eigen(A, derivation)
    if family == "symmetric":
        assert all(sp.N(v, 20).is_real for v, _, _ in derivation.result)
    if family == "defective":
        assert any(len(vectors) < m for _, m, vectors in derivation.result)


EIGEN_CASES = {
    "symmetric 3×3": [[2, 0, 0], [0, 3, 4], [0, 4, 9]],
    "defective (Jordan block)": [[2, 1], [0, 2]],
    "rotation (complex)": [[0, -1], [1, 0]],
    "repeated, diagonalizable": [[2, 0, 0], [0, 2, 0], [0, 0, 3]],
    "irrational (quadratic)": [[1, 2], [3, 4]],
    "cube roots (radicals)": [[0, 0, 2], [1, 0, 0], [0, 1, 0]],
    "Jordan block beside a rotation": [[2, 1, 0, 0], [0, 2, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]],
    # Integer 4×4 and 5×5 matrices with irreducible characteristic polynomials: eigenvalues are
    # CRootOf (complex ones too); these took 24–70 s before.
    "random 4×4": [[-3, 4, -4, -1], [-4, 2, 2, 2], [5, 1, -2, -4], [2, -5, 1, 1]],
    "random 5×5": [[1, 3, 5, -4, -3], [5, -1, -4, 0, 3], [1, 3, 5, -2, -1], [-1, 4, 2, 3, 1], [4, -5, 2, -2, 1]],
    "5×5, one quintic": [[5, -3, -3, 3, -2], [-5, -2, 3, 3, -2], [1, 3, 0, 4, 0], [2, -1, 5, 3, 4], [-5, 1, 3, -3, 3]],
}


@pytest.mark.parametrize("rows", EIGEN_CASES.values(), ids=EIGEN_CASES.keys())
def test_eigen_named_cases(rows):
    A = sp.Matrix(rows)
    check_eigen(A, derive_and_verify(linalg.eigen, A))


def test_eigen_is_exact_and_labels_its_forms():
    derivation = linalg.eigen(sp.Matrix(EIGEN_CASES["random 5×5"]))
    values = [v for v, _, _ in derivation.result]
    assert all(isinstance(v, sp.polys.rootoftools.ComplexRootOf) for v in values)
    assert any(not v.is_real for v in values), "this matrix has complex eigenvalues"
    captions = " ".join(step.en for step in derivation.steps)
    assert "CRootOf" in captions and "no short radical form" in captions and "in decimals" in captions
    assert "complex eigenvalues" in captions
    # The result is exact and prints as a plain CRootOf.
    assert str(values[0]).startswith("CRootOf(") and r"\operatorname{CRootOf}" in sp.latex(values[0])
    again = pickle.loads(pickle.dumps(values[-1]))
    assert again == values[-1] and abs(complex(sp.N(again, 20)) - complex(sp.N(values[-1], 20))) < 1e-15


def test_eigen_says_when_a_matrix_is_defective():
    derivation = linalg.eigen(sp.Matrix([[3, 1, 0], [0, 3, 1], [0, 0, 3]]))
    ((value, multiplicity, vectors),) = derivation.result
    assert (value, multiplicity, [list(v) for v in vectors]) == (3, 3, [[1, 0, 0]])
    assert any("not diagonalizable" in step.en and "대각화할 수 없다" in step.ko for step in derivation.steps)


def test_eigen_of_a_symbolic_matrix_still_works():
    a = sp.Symbol("a", positive=True)
    derivation = linalg.eigen(sp.Matrix([[a, 1], [1, a]]))
    assert {sp.simplify(v - a) for v, _, _ in derivation.result} == {-1, 1}
    assert derivation.verify(points=20).passed


def test_verify_evaluates_exact_radicals_at_high_precision():
    """An eigenvalue that is exactly 2, written as Cardano's radicals: in float64 it is off by
    about 1e-8 (a false alarm against a 1e-8 tolerance); at 30 digits it is exact."""
    x = sp.Symbol("x")
    A = sp.diag(2, 10**7, -(10**7) - 2)
    radicals = sp.polys.polyroots.roots_cubic(sp.Poly(sp.expand((x - 2) * (x - 10**7) * (x + 10**7 + 2)), x))
    two = next(r for r in radicals if abs(complex(sp.N(r, 30)) - 2) < 1e-6)
    assert abs(complex(sp.lambdify([], two, "numpy")()) - 2) / 3 > 1e-9  # float64 loses it
    claimed = [(two, 1, [sp.Matrix([1, 0, 0])]), (sp.Integer(10**7), 1, [sp.Matrix([0, 1, 0])])]
    claimed.append((sp.Integer(-(10**7) - 2), 1, [sp.Matrix([0, 0, 1])]))
    report = linalg._check_eigen(A, claimed, "eigen")
    assert report.max_error < 1e-15


def test_verify_catches_a_wrong_eigenpair():
    A = sp.Matrix([[2, 1], [1, 2]])
    wrong = [(sp.Integer(1), 1, [sp.Matrix([1, 1])]), (sp.Integer(3), 1, [sp.Matrix([1, 1])])]
    with pytest.raises(glossary.VerificationError):
        linalg._check_eigen(A, wrong, "eigen")


def test_eigen_result_is_exact():
    pairs = linalg.eigen(sp.Matrix([[1, 2], [3, 4]])).result
    for value, _, vectors in pairs:
        assert not value.has(sp.Float)
        assert all(not entry.has(sp.Float) for v in vectors for entry in v)


# -- singular value decomposition ----------------------------------------------------------------


@st.composite
def svd_matrices(draw):
    m, n = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    if draw(st.booleans()):
        r = draw(st.integers(1, min(m, n)))
        A = draw(integer_matrices(m, r, -3, 3)) * draw(integer_matrices(r, n, -3, 3))
    else:
        A = draw(integer_matrices(m, n))
    if A.is_zero_matrix:
        A[0, 0] = 1
    return A


def check_svd(A, derivation):
    U, S, V = derivation.result
    r = S.rows
    assert U.shape == (A.rows, r) and V.shape == (A.cols, r) and S.is_diagonal()
    assert not has_float([U, S, V])
    expected = np.linalg.svd(as_float(A), compute_uv=False)
    scale = max(1.0, float(expected[0]))
    sigmas = numbers(S).diagonal()
    assert np.all(np.abs(sigmas.imag) < 1e-12) and np.all(sigmas.real > 0)
    assert np.all(np.diff(sigmas.real) <= 1e-12 * scale), "non-increasing"
    assert np.allclose(sigmas.real, expected[:r], atol=1e-9 * scale, rtol=0)
    assert np.all(expected[r:] <= 1e-9 * scale)
    u, v = numbers(U), numbers(V)
    assert np.allclose(u.conj().T @ u, np.eye(r), atol=1e-10) and np.allclose(v.conj().T @ v, np.eye(r), atol=1e-10)
    assert np.allclose(u @ np.diag(sigmas) @ v.T, as_float(A), atol=1e-9 * scale)
    keys = [p.key for p in derivation.parts]
    assert keys == ["U", "Sigma", "V"] + [f"sigma_{i}" for i in range(1, r + 1)]


@settings(max_examples=40)
@given(svd_matrices())
def test_svd_matches_numpy_and_reconstructs(A):
    check_svd(A, derive_and_verify(linalg.svd, A))


@pytest.mark.parametrize(
    "rows",
    [
        [[1, 2, 3], [4, 5, 6], [7, 8, 10]],  # ran past 150 s before
        [[3, -2, 1], [-5, 2, 0], [4, 3, -2]],
        [[5, -3, 3, 4, -3], [-4, 3, -1, -5, 5], [-4, -4, -5, 2, -5], [-1, -2, -1, -4, 4], [-3, 0, -1, -4, -3]],
        [[1, 1], [0, 1]],
        [[2, 0], [0, 2]],
        [[3, 2, 2], [2, 3, -2]],
    ],
    ids=["3×3 (was > 150 s)", "3×3", "5×5", "shear", "repeated σ", "page example"],
)
def test_svd_named_cases(rows):
    A = sp.Matrix(rows)
    check_svd(A, derive_and_verify(linalg.svd, A))


def test_svd_golden_ratio_is_denested():
    _, S, _ = linalg.svd(sp.Matrix([[1, 1], [0, 1]])).result
    assert sp.simplify(S[0, 0] - (1 + sp.sqrt(5)) / 2) == 0
    assert S[0, 0] == sp.Rational(1, 2) + sp.sqrt(5) / 2


@settings(max_examples=20)
@given(svd_matrices(), st.integers(1, 5))
def test_low_rank_approximation_is_the_truncated_svd(A, rank):
    rank = min(rank, min(A.shape))
    derivation = derive_and_verify(linalg.low_rank_approximation, A, rank)
    approximation, error = derivation.result
    u, s, vt = np.linalg.svd(as_float(A), full_matrices=False)
    scale = max(1.0, float(s[0]))
    # The truncation is unique when σ_k > σ_{k+1}; the error always is.
    if rank == len(s) or s[rank - 1] - s[rank] > 1e-6 * scale:
        expected = u[:, :rank] @ np.diag(s[:rank]) @ vt[:rank]
        assert np.allclose(numbers(approximation), expected, atol=1e-9 * scale)
    assert abs(complex(sp.N(error, 30)) - float(np.sum(s[rank:] ** 2))) <= 1e-9 * scale**2
    assert [p.key for p in derivation.parts] == ["approximation", "error"]


def test_low_rank_error_is_the_dropped_energy():
    A = sp.Matrix([[3, 2, 2], [2, 3, -2]])
    approximation, error = linalg.low_rank_approximation(A, 1).result
    u, s, vt = np.linalg.svd(np.array(A, dtype=float))
    assert error == 9 and float(error) == pytest.approx(s[1] ** 2)
    assert approximation == sp.Matrix([[sp.Rational(5, 2), sp.Rational(5, 2), 0]] * 2)
    assert np.allclose(np.array(approximation, dtype=float), s[0] * np.outer(u[:, 0], vt[0]))


# -- principal component analysis ------------------------------------------------------------------


@st.composite
def data_sets(draw):
    N = draw(st.sampled_from([3, 5, 8, 12, 20, 35, 50]))
    d = draw(st.integers(1, 5))
    X = draw(integer_matrices(N, d, -9, 9))
    if d >= 3 and draw(st.booleans()):
        X[:, d - 1] = X[:, 0] - X[:, 1]  # a dependent feature: a zero eigenvalue
    return X, draw(st.integers(1, d)), draw(st.sampled_from([0, 1]))


def check_pca(X, k, ddof, derivation):
    W, explained = derivation.result
    N, d = X.shape
    assert W.shape == (d, k) and len(explained) == k and not has_float([W, *explained])
    data = as_float(X)
    cov = np.atleast_2d(np.cov(data, rowvar=False, ddof=ddof))
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    scale = max(1.0, float(values[0]))
    claimed = np.array([complex(sp.N(v, 30)) for v in explained])
    assert np.allclose(claimed, values[:k], atol=1e-9 * scale, rtol=0)
    w = numbers(W)
    assert np.max(np.abs(w.imag)) < 1e-12
    w = w.real
    assert np.allclose(w.T @ w, np.eye(k), atol=1e-10)
    for j in range(k):
        assert np.linalg.norm(cov @ w[:, j] - values[j] * w[:, j]) <= 1e-9 * scale
        assert w[np.argmax(np.abs(w[:, j]) - 1e-12 * np.arange(d)), j] > 0, "largest entry positive"
        gaps = [abs(values[j] - values[i]) for i in range(d) if i != j]
        if not gaps or min(gaps) > 1e-6 * scale:
            assert abs(abs(w[:, j] @ vectors[:, j]) - 1) < 1e-8, "numpy's direction up to sign"
    parts = {p.key: p.value for p in derivation.parts}
    named = ("w", "lambda", "ratio") if values.sum() > 1e-12 else ("w", "lambda")
    assert set(parts) == {"mean", "reconstruction_error"} | {f"{name}_{j}" for name in named for j in range(1, k + 1)}
    for j in range(1, k + 1 if "ratio" in named else 1):
        assert abs(complex(sp.N(parts[f"ratio_{j}"], 30)) - values[j - 1] / values.sum()) < 1e-9
    centered = data - data.mean(axis=0)
    top = vectors[:, :k]
    expected_error = float(np.sum((centered - centered @ top @ top.T) ** 2)) / N
    assert abs(complex(sp.N(parts["reconstruction_error"], 30)) - expected_error) <= 1e-9 * scale
    assert np.allclose(numbers(parts["mean"]).real, data.mean(axis=0), atol=1e-12)


@settings(max_examples=40)
@given(data_sets())
def test_pca_matches_numpy_cov_and_eigh(triple):
    X, k, ddof = triple
    check_pca(X, k, ddof, derive_and_verify(linalg.pca, X, k, ddof=ddof))


DATA_5x3 = [[1, 2, 0], [3, 5, 1], [4, 4, 2], [0, 1, 2], [2, 2, 2]]
DATA_50x5 = np.random.default_rng(7).integers(-9, 10, size=(50, 5)).tolist()


@pytest.mark.parametrize(
    ("rows", "k", "ddof"),
    [(DATA_5x3, 2, 1), (DATA_5x3, 3, 0), (DATA_50x5, 2, 1), (DATA_50x5, 5, 0)],
    ids=["5×3 (timed out before)", "5×3, all components, ddof=0", "50×5", "50×5, ddof=0"],
)
def test_pca_named_cases(rows, k, ddof):
    X = sp.Matrix(rows)
    check_pca(X, k, ddof, derive_and_verify(linalg.pca, X, k, ddof=ddof))


def test_pca_matches_numpy_covariance():
    X = sp.Matrix([[2, 0], [0, 1], [3, 3], [4, 2], [1, 1]])
    components, variance = linalg.pca(X, 2).result
    data = np.array(X, dtype=float)
    expected = np.sort(np.linalg.eigvalsh(np.cov(data, rowvar=False)))[::-1]
    assert np.allclose([float(v) for v in variance], expected)
    w = np.array(components.evalf(), dtype=float)
    assert np.allclose(w.T @ w, np.eye(2))


def test_pca_divisor_is_a_parameter_and_the_steps_say_which():
    X = sp.Matrix([[1, 2], [2, 1], [3, 5], [5, 3], [4, 4], [6, 7], [7, 6], [2, 2], [5, 6], [6, 5]])
    sample = linalg.pca(X, 1)
    population = linalg.pca(X, 1, ddof=0)
    assert sample.part("lambda_1").value == sp.Rational(334, 45)
    assert population.part("lambda_1").value == sp.Rational(167, 25)  # "PCA divides by N" gives 6.68
    assert sample.part("ratio_1").value == population.part("ratio_1").value == sp.Rational(334, 369)
    assert sample.part("reconstruction_error").value == sp.Rational(7, 10)
    assert population.part("reconstruction_error").value == sp.Rational(7, 10)
    shown = " ".join(step.en for step in sample.steps)
    assert "divided by $N - 1 = 9$" in shown and "sample variance" in shown
    shown = " ".join(step.en for step in population.steps)
    assert "divided by $N = 10$" in shown and "population" in shown
    decimal_steps = [step for step in sample.steps if "in decimals" in step.en]
    assert len(decimal_steps) == 2  # the centred data and the projections
    for step in decimal_steps:
        assert all(entry.is_Float or entry == 0 for entry in step.value)


def test_pca_of_data_without_variance():
    X = sp.Matrix([[1, 2, 3]] * 4)
    derivation = derive_and_verify(linalg.pca, X, 2)
    components, variance = derivation.result
    assert components == sp.Matrix([[1, 0], [0, 1], [0, 0]]) and variance == [0, 0]
    assert derivation.part("reconstruction_error").value == 0
    assert not any(part.key.startswith("ratio") for part in derivation.parts)
    assert any("no variance and no ratio" in step.en for step in derivation.steps)


def test_pca_page_example():
    X = sp.Matrix([[1, 2], [2, 1], [3, 5], [5, 3], [4, 4], [6, 7], [7, 6], [2, 2], [5, 6], [6, 5]])
    derivation = linalg.pca(X, 1)
    components, variance = derivation.result
    assert components == sp.Matrix([sp.sqrt(2) / 2, sp.sqrt(2) / 2]) and variance == [sp.Rational(334, 45)]
    assert derivation.part("mean").value == sp.Matrix([[sp.Rational(41, 10), sp.Rational(41, 10)]])


# -- readable steps and names ------------------------------------------------------------------------

SAMPLES = [
    lambda: linalg.characteristic_polynomial(sp.Matrix([[2, 1], [1, 2]]), lam),
    lambda: linalg.eigen(sp.Matrix([[1, 2], [3, 4]])),
    lambda: linalg.eigen(sp.Matrix(EIGEN_CASES["5×5, one quintic"])),
    lambda: linalg.eigen(sp.Matrix([[2, 1], [0, 2]])),
    lambda: linalg.svd(sp.Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 10]])),
    lambda: linalg.low_rank_approximation(sp.Matrix([[3, 2, 2], [2, 3, -2]]), 1),
    lambda: linalg.pca(sp.Matrix(DATA_5x3), 2),
]
PARTICLE_AFTER_SPACE = re.compile(r"[\w$)\]}] (을|를|은|는|이|가|과|와|으로|로|의|에|에서)(?=[\s.,:;)]|$)")


@pytest.mark.parametrize("make", SAMPLES, ids=["charpoly", "eigen", "eigen-5", "defective", "svd", "low-rank", "pca"])
def test_captions_keep_their_math_inside_dollars(make):
    derivation = make()
    for step in derivation.steps:
        for caption in (step.ko, step.en):
            assert caption.count("$") % 2 == 0, caption
            outside = re.sub(r"\$[^$]*\$", "", caption)
            assert "\\" not in outside and "_" not in outside and "^" not in outside, caption
            assert "λ_" not in caption and "A_k" not in caption, caption
        assert not PARTICLE_AFTER_SPACE.search(step.ko), step.ko
        assert "고유값" not in step.ko and "특이값" not in step.ko, step.ko  # 고윳값, 특잇값
        assert not isinstance(step.expr, sp.logic.boolalg.BooleanAtom), f"{step.en}: shows {step.expr}"
        if isinstance(step.expr, tuple):
            assert not any(isinstance(e, sp.logic.boolalg.BooleanAtom) for e in step.expr), step.en
    again = pickle.loads(pickle.dumps(derivation))
    assert [s.latex for s in again.steps] == [s.latex for s in derivation.steps]
    assert "False" not in " ".join(s.latex for s in again.steps)
    text, markdown = str(derivation), derivation._repr_markdown_()
    for part in derivation.parts:
        assert part.text_name in text and part.latex_name in markdown


def test_part_names_are_textbook_names():
    eigen = linalg.eigen(sp.Matrix([[2, 1], [1, 2]]))
    assert [(p.latex_name, p.text_name) for p in eigen.parts[:3]] == [
        (r"\lambda_{1}", "λ₁"),
        (r"\lambda_{2}", "λ₂"),
        (r"\mathbf{v}_{1}", "v₁"),
    ]
    svd = linalg.svd(sp.Matrix([[3, 0], [0, 4]]))
    assert [(p.key, p.latex_name, p.text_name) for p in svd.parts] == [
        ("U", "U", "U"),
        ("Sigma", r"\Sigma", "Σ"),
        ("V", "V", "V"),
        ("sigma_1", r"\sigma_{1}", "σ₁"),
        ("sigma_2", r"\sigma_{2}", "σ₂"),
    ]
    assert svd.part("sigma_1").value == 4
    low = linalg.low_rank_approximation(sp.Matrix([[3, 0], [0, 4]]), 1)
    assert low.part("approximation").latex_name == "A_{1}" and low.part("error").value == 9
    pca = linalg.pca(sp.Matrix([[1, 1], [2, 2], [3, 3]]), 1)
    assert pca.part("w_1").latex_name == r"\mathbf{w}_{1}" and pca.part("lambda_1").text_name == "λ₁"


def test_decimal_entries_are_read_exactly():
    derivation = linalg.eigen(np.array([[0.5, 0.25], [0.25, 0.5]]))
    assert {v for v, _, _ in derivation.result} == {sp.Rational(1, 4), sp.Rational(3, 4)}
    assert "0.1 = 1/10" in derivation.steps[0].en


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: linalg.characteristic_polynomial(sp.Matrix([[1, 2, 3]]), lam), "square"),
        (lambda: linalg.characteristic_polynomial(sp.Matrix([[lam]]), lam), "fresh symbol"),
        (lambda: linalg.eigen("[[1, 2], [3, 4]]"), "Matrix|expression"),
        (lambda: linalg.svd(sp.Matrix([[sp.Symbol("a"), 1]])), "symbolic"),
        (lambda: linalg.svd(sp.Matrix([[sp.sqrt(2), 1]])), "rational entries"),
        (lambda: linalg.svd(sp.zeros(2, 2)), "zero matrix"),
        (lambda: linalg.pca(sp.Matrix([[1, 2]]), 1), "at least 2 samples"),
        (lambda: linalg.pca(sp.Matrix([[1, 2], [3, 4]]), 3), "exceeds"),
        (lambda: linalg.pca(sp.Matrix([[1, 2], [3, 4]]), 1, ddof=2), "ddof"),
        (lambda: linalg.pca(sp.Matrix([[1, 2], [3, 4]]), 1, ddof="1"), "ddof"),
        (lambda: linalg.low_rank_approximation(sp.Matrix([[1, 2], [3, 4]]), 0), "positive integer"),
        (lambda: linalg.low_rank_approximation(sp.Matrix([[1, 2], [3, 4]]), 3), "exceeds"),
    ],
    ids=[
        "non-square",
        "lam-in-A",
        "string",
        "symbolic-svd",
        "irrational-svd",
        "zero-svd",
        "one-sample",
        "k-too-big",
        "ddof-too-big",
        "ddof-text",
        "rank-zero",
        "rank-too-big",
    ],
)
def test_bad_input_raises_a_glossary_error(call, message):
    with pytest.raises(glossary.GlossaryError, match=message):
        call()


@pytest.mark.parametrize(
    "helper",
    [
        lambda: linalg.eigen(sp.Matrix([[4, 1], [2, 3]])),
        lambda: linalg.svd(sp.Matrix([[1, 1], [0, 1], [1, 0]])),
        lambda: linalg.pca(sp.Matrix([[1, 2], [2, 3], [3, 5], [4, 4]]), 1),
    ],
    ids=["eigen", "svd", "pca"],
)
def test_verify_passes_on_correct_results(helper):
    report = helper().verify()
    assert report.passed and report.points > 0


def test_entries_may_leave_out_ddof_or_give_it():
    from glossary.content.registry import HELPERS, convert_arguments

    assert HELPERS["linalg.pca"].parameters == {"X": "matrix", "k": "int", "ddof": "int"}
    plain = convert_arguments("linalg.pca", {"X": [[1, 2], [3, 4], [5, 7]], "k": 1}, {}, "formulas[0]")
    assert set(plain) == {"X", "k"}
    given_ddof = convert_arguments("linalg.pca", {"X": [[1, 2], [3, 4], [5, 7]], "k": 1, "ddof": 0}, {}, "f")
    assert given_ddof["ddof"] == 0
    with pytest.raises(glossary.GlossaryError, match="needs the argument 'k'"):
        convert_arguments("linalg.pca", {"X": [[1, 2], [3, 4]]}, {}, "f")
