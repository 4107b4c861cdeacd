"""Linear algebra helpers against numpy.linalg, on fixed and generated matrices."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import glossary
from glossary import linalg

lam = sp.Symbol("lambda")


def integer_matrices(rows, cols, low=-5, high=5):
    return st.lists(st.integers(low, high), min_size=rows * cols, max_size=rows * cols).map(
        lambda entries: sp.Matrix(rows, cols, entries)
    )


def as_numpy(matrix):
    return np.array(matrix.evalf(30), dtype=complex)


def test_general_two_by_two_characteristic_polynomial():
    a, b, c, d = sp.symbols("a b c d")
    A = sp.Matrix([[a, b], [c, d]])
    result = linalg.characteristic_polynomial(A, lam).result
    assert sp.expand(result - (lam**2 - (a + d) * lam + (a * d - b * c))) == 0


@given(st.integers(2, 4).flatmap(lambda n: integer_matrices(n, n)))
def test_characteristic_polynomial_coefficients_match_numpy(A):
    coefficients = sp.Poly(linalg.characteristic_polynomial(A, lam).result, lam).all_coeffs()
    expected = np.poly(as_numpy(A))
    assert np.allclose([complex(c) for c in coefficients], expected, atol=1e-8)


@given(integer_matrices(2, 2))
def test_eigenvalues_match_numpy_with_multiplicity(A):
    pairs = linalg.eigen(A).result
    claimed = sorted(
        (complex(sp.N(value)) for value, multiplicity, _ in pairs for _ in range(multiplicity)),
        key=lambda c: (round(c.real, 6), c.imag),
    )
    expected = sorted(np.linalg.eigvals(as_numpy(A)), key=lambda c: (round(c.real, 6), c.imag))
    assert np.allclose(claimed, expected, atol=1e-6)
    for value, _, vectors in pairs:
        for vector in vectors:
            residual = as_numpy(A) @ as_numpy(vector).ravel() - complex(sp.N(value)) * as_numpy(vector).ravel()
            assert np.linalg.norm(residual) < 1e-9


def test_eigen_result_is_exact():
    pairs = linalg.eigen(sp.Matrix([[1, 2], [3, 4]])).result
    for value, _, vectors in pairs:
        assert not value.has(sp.Float)
        assert all(not entry.has(sp.Float) for v in vectors for entry in v)


@given(st.sampled_from([(2, 2), (3, 2), (2, 3)]).flatmap(lambda shape: integer_matrices(*shape, low=-3, high=3)))
def test_svd_matches_numpy_and_reconstructs(A):
    if A.is_zero_matrix:
        with pytest.raises(glossary.GlossaryError, match="zero matrix"):
            linalg.svd(A)
        return
    U, S, V = linalg.svd(A).result
    sigmas = [float(S[i, i]) for i in range(S.rows)]
    expected = np.linalg.svd(np.array(A, dtype=float), compute_uv=False)
    assert np.allclose(sigmas, expected[: len(sigmas)], atol=1e-9)
    assert sigmas == sorted(sigmas, reverse=True)
    assert all(s > 0 for s in sigmas)
    assert np.allclose(np.array((U * S * V.T).evalf(), dtype=float), np.array(A, dtype=float), atol=1e-9)
    u = np.array(U.evalf(), dtype=float)
    assert np.allclose(u.T @ u, np.eye(len(sigmas)), atol=1e-9)


def test_low_rank_error_is_the_dropped_energy():
    A = sp.Matrix([[3, 2, 2], [2, 3, -2]])
    approximation, error = linalg.low_rank_approximation(A, 1).result
    u, s, vt = np.linalg.svd(np.array(A, dtype=float))
    assert float(error) == pytest.approx(s[1] ** 2)
    assert np.allclose(np.array(approximation, dtype=float), s[0] * np.outer(u[:, 0], vt[0]))


def test_pca_matches_numpy_covariance():
    X = sp.Matrix([[2, 0], [0, 1], [3, 3], [4, 2], [1, 1]])
    components, variance = linalg.pca(X, 2).result
    data = np.array(X, dtype=float)
    expected = np.sort(np.linalg.eigvalsh(np.cov(data, rowvar=False)))[::-1]
    assert np.allclose([float(v) for v in variance], expected)
    w = np.array(components.evalf(), dtype=float)
    assert w.shape == (2, 2)
    assert np.allclose(w.T @ w, np.eye(2))
    top = np.linalg.eigh(np.cov(data, rowvar=False))[1][:, -1]
    assert abs(abs(top @ w[:, 0]) - 1) < 1e-9


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: linalg.characteristic_polynomial(sp.Matrix([[1, 2, 3]]), lam), "square"),
        (lambda: linalg.characteristic_polynomial(sp.Matrix([[lam]]), lam), "fresh symbol"),
        (lambda: linalg.eigen("[[1, 2], [3, 4]]"), "Matrix|expression"),
        (lambda: linalg.svd(sp.Matrix([[sp.Symbol("a"), 1]])), "symbolic"),
        (lambda: linalg.pca(sp.Matrix([[1, 2]]), 1), "at least 2 samples"),
        (lambda: linalg.pca(sp.Matrix([[1, 2], [3, 4]]), 3), "exceeds"),
        (lambda: linalg.low_rank_approximation(sp.Matrix([[1, 2], [3, 4]]), 0), "positive integer"),
    ],
    ids=["non-square", "lam-in-A", "string", "symbolic-svd", "one-sample", "k-too-big", "rank-zero"],
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
