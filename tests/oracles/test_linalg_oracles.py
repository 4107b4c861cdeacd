"""linalg against exact rational algebra, mpmath at 50 digits and numpy.linalg.

Integer matrices 2×2 to 5×5 come in families with known spectral structure:
general, symmetric, defective (Jordan blocks), complex spectra (rotation
blocks) and repeated eigenvalues (diagonalizable), each conjugated by a random
unimodular matrix so that the entries stay integers.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from glossary import linalg

from .harness import budgeted, case
from .reference import (
    characteristic_coefficients,
    fraction_matrix,
    has_float,
    numeric_rank,
    rank,
    roots_with_multiplicity,
    to_mp,
    to_mp_matrix,
)
from .strategies import MATRIX_KINDS, integer_matrices, square_matrices

lam = sp.Symbol("lambda")
DPS = 50
TIGHT = mpmath.mpf(10) ** -25


def as_float(A: sp.Matrix) -> np.ndarray:
    return np.array(A.tolist(), dtype=float)


def shown(kind: str, A: sp.Matrix) -> str:
    return f"{kind} {A.rows}×{A.cols} {A.tolist()}"


# -- characteristic polynomial -------------------------------------------------------------------


@pytest.mark.parametrize("kind", MATRIX_KINDS)
@budgeted(5)
@given(data=st.data())
def test_characteristic_polynomial_is_det_of_lambda_minus_a(kind, data):
    kind, A = data.draw(square_matrices(kinds=(kind,)), label="A")
    exact = characteristic_coefficients(fraction_matrix(A))
    with case("linalg", shown(kind, A)) as c:
        result = c.call("characteristic_polynomial", linalg.characteristic_polynomial, A, lam, verify=True)
        polynomial = sp.Poly(result, lam)
        assert polynomial.free_symbols == {lam}, f"not a polynomial in lambda alone: {result}"
        assert polynomial.degree() == A.rows, f"degree {polynomial.degree()}, expected {A.rows}"
        claimed = polynomial.all_coeffs()
        expected = [sp.Rational(f.numerator, f.denominator) for f in exact]
        assert claimed == expected, f"coefficients {claimed}, Faddeev–LeVerrier gives {expected}"
        numeric = np.poly(as_float(A))
        scale = max(1.0, float(np.max(np.abs(numeric))))
        assert np.allclose([float(v) for v in claimed], numeric.real, atol=1e-6 * scale, rtol=0), (
            f"coefficients {claimed} vs numpy.poly {numeric}"
        )


# -- eigenpairs ------------------------------------------------------------------------------------


def check_eigen(A: sp.Matrix, result) -> None:
    n = A.rows
    assert isinstance(result, list), f"eigen should give a list, got {type(result).__name__}"
    assert all(len(triple) == 3 for triple in result), "each entry should be (eigenvalue, multiplicity, vectors)"
    assert not has_float(result), "the input is exact, so eigenvalues and eigenvectors must be exact (no Floats)"
    multiplicities = [int(m) for _, m, _ in result]
    assert sum(multiplicities) == n, f"algebraic multiplicities add up to {sum(multiplicities)}, not {n}"
    oracle = roots_with_multiplicity(characteristic_coefficients(fraction_matrix(A)), DPS)
    with mpmath.workdps(DPS):
        a_mp = to_mp_matrix(A, DPS)
        norm = max(mpmath.mnorm(a_mp, 1), 1)
        used = set()
        for value, multiplicity, vectors in result:
            claimed = to_mp(value, DPS)
            distances = [abs(claimed - root) for root, _ in oracle]
            best = int(np.argmin([float(d) for d in distances]))
            assert distances[best] <= TIGHT * norm, (
                f"eigenvalue {value} ≈ {mpmath.nstr(claimed, 12)} is not a root of det(λI − A); "
                f"the roots are {[mpmath.nstr(r, 12) for r, _ in oracle]}"
            )
            assert best not in used, f"eigenvalue {value} is listed twice"
            used.add(best)
            root, algebraic = oracle[best]
            assert multiplicity == algebraic, (
                f"eigenvalue {value}: multiplicity {multiplicity}, the reference has {algebraic}"
            )
            shifted = a_mp - root * mpmath.eye(n)
            geometric = n - numeric_rank(shifted, DPS)
            assert len(vectors) == geometric, (
                f"eigenvalue {value}: {len(vectors)} eigenvector(s), but the eigenspace has dimension {geometric}"
            )
            stacked = []
            for vector in vectors:
                v = to_mp_matrix(vector, DPS)
                assert v.rows == n and v.cols == 1, f"an eigenvector should be an {n}×1 column, got {v.rows}×{v.cols}"
                size = mpmath.mnorm(v, "F")
                assert size > TIGHT, f"eigenvector {list(vector)} is zero"
                residual = mpmath.mnorm(a_mp * v - claimed * v, "F")
                assert residual <= TIGHT * norm * size, (
                    f"|Av − λv| = {mpmath.nstr(residual, 5)} for λ = {value}, v = {list(vector)}"
                )
                stacked.append([v[i] for i in range(n)])
            if stacked:
                independent = numeric_rank(mpmath.matrix(stacked), DPS)
                assert independent == len(vectors), f"the eigenvectors of {value} are linearly dependent"
    # numpy.linalg.eigvals, within what double precision can resolve for each multiplicity.
    claimed_all = [complex(sp.N(v, 30)) for v, m, _ in result for _ in range(int(m))]
    tolerance = [max(1e-6, 100 * (1e-15 * float(norm)) ** (1 / int(m))) for v, m, _ in result for _ in range(int(m))]
    numeric = np.linalg.eigvals(as_float(A))
    cost = np.abs(np.subtract.outer(np.array(claimed_all), numeric))
    rows, columns = linear_sum_assignment(cost)
    for r, col in zip(rows, columns, strict=True):
        assert cost[r, col] <= tolerance[r] * max(1.0, abs(numeric[col])), (
            f"eigenvalue {claimed_all[r]} has no match among numpy's {numeric}"
        )


@pytest.mark.parametrize("kind", MATRIX_KINDS)
@budgeted(4)
@given(data=st.data())
def test_eigen_of_two_and_three_square_integer_matrices(kind, data):
    kind, A = data.draw(square_matrices(kinds=(kind,), sizes=(2, 3)), label="A")
    with case("linalg", shown(kind, A)) as c:
        check_eigen(A, c.call("eigen", linalg.eigen, A, verify=True))


@pytest.mark.parametrize("kind", MATRIX_KINDS)
@budgeted(3)
@given(data=st.data())
def test_eigen_of_four_and_five_square_integer_matrices(kind, data):
    kind, A = data.draw(square_matrices(kinds=(kind,), sizes=(4, 5)), label="A")
    with case("linalg", shown(kind, A)) as c:
        check_eigen(A, c.call("eigen", linalg.eigen, A, verify=True))


# -- singular value decomposition ----------------------------------------------------------------

SHAPES = {
    "up to 3×3": [(2, 2), (2, 3), (3, 2), (3, 3)],
    "4×4 and up": [(2, 4), (4, 2), (3, 4), (4, 3), (4, 4), (5, 3), (5, 5)],
}


@st.composite
def svd_inputs(draw, shapes, low_rank: bool):
    m, n = draw(st.sampled_from(shapes))
    if low_rank:
        r = draw(st.integers(1, min(m, n)))
        A = draw(integer_matrices(m, r, -3, 3)) * draw(integer_matrices(r, n, -3, 3))
        kind = f"rank≤{r}"
    else:
        A, kind = draw(integer_matrices(m, n, -5, 5)), "general"
    if A.is_zero_matrix:
        A[0, 0] = 1
    return kind, A


def check_svd(A: sp.Matrix, result) -> None:
    m, n = A.shape
    assert isinstance(result, tuple) and len(result) == 3, "svd should give (U, S, V)"
    U, S, V = result
    assert all(isinstance(M, sp.MatrixBase) for M in (U, S, V)), "U, S and V should be SymPy matrices"
    r = S.rows
    exact_rank = rank(fraction_matrix(A))
    assert S.shape == (r, r), f"S should be square, got {S.shape}"
    assert U.shape == (m, r) and V.shape == (n, r), f"shapes U {U.shape}, S {S.shape}, V {V.shape} for A {A.shape}"
    assert exact_rank <= r <= min(m, n), f"{r} singular values for a rank-{exact_rank} {m}×{n} matrix"
    assert all(S[i, j] == 0 for i in range(r) for j in range(r) if i != j), f"S is not diagonal: {S}"
    assert not has_float(result), "the input is exact, so U, S and V must be exact (no Floats)"
    numeric = np.linalg.svd(as_float(A), compute_uv=False)
    top = float(numeric[0])
    with mpmath.workdps(DPS):
        sigmas = [to_mp(S[i, i], DPS) for i in range(r)]
        for i, s in enumerate(sigmas):
            assert abs(s.imag) <= TIGHT and s.real >= -TIGHT, f"σ_{i + 1} = {S[i, i]} is not a non-negative real"
            assert abs(float(s.real) - numeric[i]) <= 1e-10 * top, f"σ_{i + 1} = {S[i, i]}, numpy gives {numeric[i]}"
        for i in range(r - 1):
            assert sigmas[i].real >= sigmas[i + 1].real - TIGHT, f"singular values increase: {list(S.diagonal())}"
        assert all(abs(s) <= 1e-10 * top for s in numeric[r:]), f"numpy has more nonzero singular values: {numeric}"
        u, s_, v, a = (to_mp_matrix(M, DPS) for M in (U, S, V, A))
        scale = max(mpmath.mnorm(a, 1), 1)
        for name, M in (("U", u), ("V", v)):
            gram = M.T * M - mpmath.eye(r)
            assert mpmath.mnorm(gram, 1) <= TIGHT, f"the columns of {name} are not orthonormal ({name}ᵀ{name} ≠ I)"
            assert max(abs(M[i, j].imag) for i in range(M.rows) for j in range(M.cols)) <= TIGHT, f"{name} is not real"
        assert mpmath.mnorm(u * s_ * v.T - a, 1) <= TIGHT * scale, "U*S*V.T does not give back A"


@pytest.mark.parametrize("low_rank", [False, True], ids=["general", "low rank"])
@pytest.mark.parametrize("size", SHAPES)
@budgeted(3)
@given(data=st.data())
def test_svd_reconstructs_and_matches_numpy(size, low_rank, data):
    kind, A = data.draw(svd_inputs(SHAPES[size], low_rank), label="A")
    with case("linalg", shown(kind, A)) as c:
        check_svd(A, c.call("svd", linalg.svd, A, verify=True))


# -- principal component analysis ------------------------------------------------------------------


@st.composite
def pca_inputs(draw, d: int):
    N = draw(st.sampled_from([5, 6, 8, 12, 20, 35, 50]))
    X = draw(integer_matrices(N, d, -9, 9))
    kind = "general"
    if d >= 3 and draw(st.booleans()):
        X[:, d - 1] = X[:, 0] + X[:, 1]  # a dependent feature: a zero eigenvalue
        kind = "dependent column"
    return kind, X, draw(st.integers(1, d))


def check_pca(X: sp.Matrix, k: int, result) -> None:
    d = X.cols
    assert isinstance(result, tuple) and len(result) == 2, "pca should give (components, explained_variance)"
    W, explained = result
    assert isinstance(W, sp.MatrixBase) and W.shape == (d, k), f"components should be a {d}×{k} Matrix, got {W!r}"
    assert len(explained) == k, f"{len(explained)} explained variances for k = {k}"
    assert not has_float(result), "the input is exact, so the components and variances must be exact (no Floats)"
    data = as_float(X)
    covariance = np.atleast_2d(np.cov(data, rowvar=False, ddof=1))
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    scale = max(1.0, float(values[0]))
    claimed = [float(sp.N(v, 30)) for v in explained]
    assert np.allclose(claimed, values[:k], atol=1e-9 * scale, rtol=0), (
        f"explained variance {claimed}, numpy.cov + eigh gives {values[:k]}"
    )
    w = np.array(W.evalf(30).tolist(), dtype=complex)
    assert np.max(np.abs(w.imag)) < 1e-12, "components are not real"
    w = w.real
    assert np.allclose(w.T @ w, np.eye(k), atol=1e-9), "the components are not orthonormal"
    for j in range(k):
        residual = np.linalg.norm(covariance @ w[:, j] - values[j] * w[:, j])
        assert residual <= 1e-8 * scale, (
            f"component {j + 1} is not an eigenvector of the covariance: residual {residual}"
        )
        gaps = [abs(values[j] - values[i]) for i in range(d) if i != j]
        if min(gaps) > 1e-6 * scale:
            assert abs(abs(w[:, j] @ vectors[:, j]) - 1) < 1e-8, f"component {j + 1} differs from numpy's (up to sign)"


@pytest.mark.parametrize("d", [2, 3, 4, 5])
@budgeted(3)
@given(data=st.data())
def test_pca_matches_numpy_covariance_eigenvectors(d, data):
    kind, X, k = data.draw(pca_inputs(d), label="X, k")
    with case("linalg", f"pca[{kind}] {X.rows}×{X.cols}, k={k}: {X.tolist()}") as c:
        check_pca(X, k, c.call("pca", linalg.pca, X, k, verify=True))


# -- NumPy input is accepted where lists are ---------------------------------------------------------

ARRAY = np.array([[2, 1], [1, 3]], dtype=np.int64)
DATA = np.array([[1, 2, 0], [3, 5, 1], [4, 4, 2], [0, 1, 2], [2, 2, 2]], dtype=np.int64)


def test_numpy_array_in_eigen():
    with case("linalg", "eigen(np.array([[2, 1], [1, 3]]))") as c:
        check_eigen(sp.Matrix(ARRAY.tolist()), c.call("eigen", linalg.eigen, ARRAY, verify=True))


def test_numpy_array_in_characteristic_polynomial():
    with case("linalg", "characteristic_polynomial(np.array([[2, 1], [1, 3]]), lam)") as c:
        result = c.call("characteristic_polynomial", linalg.characteristic_polynomial, ARRAY, lam, verify=True)
        assert sp.expand(result - (lam**2 - 5 * lam + 5)) == 0, f"got {result}"


def test_numpy_array_in_svd():
    with case("linalg", "svd(np.array([[2, 1], [1, 3]]))") as c:
        check_svd(sp.Matrix(ARRAY.tolist()), c.call("svd", linalg.svd, ARRAY, verify=True))


def test_numpy_array_and_integer_in_pca():
    with case("linalg", "pca(np.array(5×3 ints), np.int64(2))") as c:
        check_pca(sp.Matrix(DATA.tolist()), 2, c.call("pca", linalg.pca, DATA, np.int64(2), verify=True))


# -- bad input: a GlossaryError, and strings never evaluated -------------------------------------------

GOOD = sp.Matrix([[2, 1], [1, 3]])
X3 = sp.Matrix(DATA.tolist())

STRING_CALLS = [
    ("eigen", linalg.eigen, ([["1", "2"], ["3", "4"]],)),
    ("eigen", linalg.eigen, ([[1, "2"], [3, 4]],)),
    ("eigen", linalg.eigen, ("[[1, 2], [3, 4]]",)),
    ("characteristic_polynomial", linalg.characteristic_polynomial, ([["1", "2"], ["3", "4"]], lam)),
    ("characteristic_polynomial", linalg.characteristic_polynomial, (GOOD, "lambda")),
    ("svd", linalg.svd, ([["1", 2], [3, 4]],)),
    ("pca", linalg.pca, ([[1, "2"], [3, 4], [5, 6]], 1)),
    ("pca", linalg.pca, (X3, "1")),
]


@pytest.mark.parametrize("target", STRING_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(STRING_CALLS)])
def test_strings_are_refused_without_being_parsed(target):
    name, function, arguments = target
    with case("linalg", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


JUNK = [None, object(), {1: 2}, [], [[]], [[1, 2], [3]], 2.5, [[1, 2, 3], [4, 5, 6]], sp.zeros(0, 0), np.zeros((0, 2))]

CALLS = [
    ("eigen", linalg.eigen, (GOOD,)),
    ("characteristic_polynomial", linalg.characteristic_polynomial, (GOOD, lam)),
    ("svd", linalg.svd, (GOOD,)),
    ("pca", linalg.pca, (X3, 2)),
]


def _acceptable(name: str, position: int, junk) -> bool:
    """Junk that is valid input after all at this position: a 2×3 matrix where any matrix goes."""
    rectangular = isinstance(junk, list) and len(junk) == 2 and len(junk[0]) == 3
    return name in ("svd", "pca") and position == 0 and rectangular


@pytest.mark.parametrize("junk", JUNK, ids=[f"junk{i}" for i in range(len(JUNK))])
@pytest.mark.parametrize(
    "target", [(n, f, a, i) for n, f, a in CALLS for i in range(len(a))], ids=lambda t: f"{t[0]}-arg{t[3]}"
)
def test_junk_in_any_position_is_a_glossary_error(target, junk):
    name, function, arguments, position = target
    if _acceptable(name, position, junk):
        return
    bad = list(arguments)
    bad[position] = junk
    with case("linalg", f"{name} with argument {position} = {junk!r}", expect="error") as c:
        c.call(name, function, *bad)
