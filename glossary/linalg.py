"""Linear algebra: characteristic polynomials, eigenpairs, SVD, low-rank approximation, PCA.

Results are exact (rationals, radicals or ``CRootOf``) for exact input and are
checked against ``numpy.linalg`` on the same matrix, with random values put in
for any symbols.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import _inputs
from .derivation import Derivation, Step, VerificationReport, helper
from .errors import GlossaryError

__all__ = [
    "characteristic_polynomial",
    "eigen",
    "low_rank_approximation",
    "pca",
    "svd",
]


# -- shared numeric plumbing ------------------------------------------------------------


def _numeric_instances(matrices: list[sp.Matrix], points: int, seed: int, extra: Sequence[Any] = ()):
    """Yield (values, numeric matrices, numeric extras) for random values of the symbols.

    Everything is lambdified once, so hundreds of instances cost milliseconds.
    """
    import numpy as np

    from .numeric import sample_symbols

    symbols = sorted(
        set().union(*(m.free_symbols for m in matrices), *(sp.sympify(e).free_symbols for e in extra)),
        key=sp.default_sort_key,
    )
    rng = np.random.default_rng(seed)
    count = points if symbols else 1
    samples = sample_symbols(symbols, count, rng)
    evaluate = sp.lambdify(symbols, [*matrices, *extra], modules="numpy")
    for i in range(count):
        values = {s: float(samples[s][i]) for s in symbols}
        outputs = evaluate(*values.values())
        numeric = [np.array(m, dtype=complex) for m in outputs[: len(matrices)]]
        yield values, numeric, [np.asarray(e, dtype=complex) for e in outputs[len(matrices) :]]


def _to_complex(value: Any, values: dict) -> complex:
    return complex(sp.N(sp.sympify(value).subs(values), 20))


def _matrix_to_numpy(m: sp.Matrix, values: dict):
    import numpy as np

    return np.array(m.subs(values).evalf(20), dtype=complex)


def _orthonormal(vectors: list[sp.Matrix]) -> list[sp.Matrix]:
    """Gram–Schmidt, normalised; exact for exact input."""
    return [sp.Matrix(v).applyfunc(sp.radsimp) for v in sp.GramSchmidt(vectors, orthonormal=True)]


def _require_numeric(m: sp.Matrix, name: str, why: str) -> None:
    if m.free_symbols:
        symbols = ", ".join(sorted(str(s) for s in m.free_symbols))
        raise GlossaryError(f"{name} has symbolic entries ({symbols}); {why}")


def _sort_key(value: sp.Expr) -> float:
    return float(sp.re(sp.N(value, 30)))


# -- characteristic polynomial ------------------------------------------------------------


@helper
def characteristic_polynomial(A: Any, lam: Any) -> Derivation:
    """The monic polynomial det(λI − A) in ``lam``, whose roots are the eigenvalues of A.

    For a 2×2 matrix the steps also show λ² − tr(A)·λ + det(A).

    Examples:
        >>> lam = sp.Symbol("lambda")
        >>> characteristic_polynomial(sp.Matrix([[2, 1], [1, 2]]), lam).result
        lambda**2 - 4*lambda + 3
    """
    A = _inputs.square_matrix(A, "A")
    lam = _inputs.symbol(lam, "lam")
    if lam in A.free_symbols:
        raise GlossaryError(f"lam {lam} already appears in A; pass a fresh symbol")
    n = A.rows
    identity = sp.eye(n)
    shifted = A - lam * identity
    determinant = sp.expand(shifted.det(method="berkowitz"))
    result = sp.expand((-1) ** n * determinant)
    steps = [
        Step("행렬", "the matrix", sp.Eq(sp.Symbol("A"), A, evaluate=False)),
        Step(
            "고유값 방정식 Av = λv 를 (A − λI)v = 0 으로 옮긴다",
            "rewrite Av = λv as (A − λI)v = 0",
            sp.Eq(sp.Symbol("A") - lam * sp.Symbol("I"), shifted, evaluate=False),
        ),
        Step(
            "v ≠ 0 인 해가 있으려면 det(A − λI) = 0",
            "a nonzero v exists exactly when det(A − λI) = 0",
            sp.Eq(sp.Function("det")(sp.Symbol("A") - lam * sp.Symbol("I")), determinant, evaluate=False),
        ),
        Step(
            "최고차 계수를 1로 맞춘 특성다항식 det(λI − A)",
            "the monic characteristic polynomial det(λI − A)",
            result,
            equals_previous=(n % 2 == 0),
        ),
    ]
    if n == 2:
        trace_form = lam**2 - A.trace() * lam + A.det()
        steps.append(
            Step(
                "2×2 에서는 λ² − tr(A)·λ + det(A)",
                "for 2×2 it is λ² − tr(A)·λ + det(A)",
                trace_form,
                equals_previous=True,
            )
        )

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison("numpy.poly (coefficients from numpy eigenvalues)", 1e-8)
        coefficients = sp.Poly(result, lam).all_coeffs()
        for values, (numeric,), actual in _numeric_instances([A], min(points, 200), seed, coefficients):
            comparison.add(np.poly(numeric), np.array(actual, dtype=complex), values)
        return comparison.report()

    return Derivation(result, steps, verify)


# -- eigenpairs -------------------------------------------------------------------------


@helper
def eigen(A: Any) -> Derivation:
    """Eigenpairs as ``[(eigenvalue, algebraic multiplicity, [eigenvectors]), ...]``.

    Examples:
        >>> pairs = eigen(sp.Matrix([[2, 1], [1, 2]])).result
        >>> [(value, multiplicity, [list(v) for v in vectors]) for value, multiplicity, vectors in pairs]
        [(1, 1, [[-1, 1]]), (3, 1, [[1, 1]])]
    """
    A = _inputs.square_matrix(A, "A")
    n = A.rows
    lam = sp.Dummy("lambda")
    shown_lam = sp.Symbol("lambda")
    try:
        triples = A.eigenvects()
        polynomial = sp.expand((lam * sp.eye(n) - A).det(method="berkowitz"))
    except (NotImplementedError, sp.matrices.exceptions.MatrixError) as error:
        raise GlossaryError(f"SymPy cannot express the eigenvectors of A = {A.tolist()}: {error}") from None
    result = [(value, int(mult), [sp.Matrix(v) for v in vectors]) for value, mult, vectors in triples]
    steps = [
        Step(
            "특성방정식 det(λI − A) = 0",
            "the characteristic equation det(λI − A) = 0",
            sp.Eq(polynomial.subs(lam, shown_lam), 0),
        ),
        Step(
            "고유값 (중복도와 함께)",
            "the eigenvalues (with multiplicity)",
            tuple(sp.Eq(sp.Symbol(f"lambda_{i}"), value) for i, (value, _, _) in enumerate(result, 1)),
        ),
    ]
    for i, (value, _, vectors) in enumerate(result, 1):
        steps.append(
            Step(
                f"λ_{i} = {value}: (A − λI)v = 0 의 해공간에서 고유벡터를 얻는다",
                f"λ_{i} = {value}: eigenvectors span the null space of A − λI",
                tuple(vectors),
            )
        )
        for v in vectors:
            steps.append(Step("Av 를 계산", "compute Av", A * v))
            steps.append(Step("λv 와 같다", "it equals λv", value * v, equals_previous=True))

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison("numpy.linalg.eigvals and residuals |Av − λv|", 1e-8)
        for values, (numeric,), _ in _numeric_instances([A], min(points, 100), seed):
            expected = np.sort_complex(np.linalg.eigvals(numeric))
            claimed = []
            for value, mult, vectors in result:
                number = _to_complex(value, values)
                claimed += [number] * mult
                for v in vectors:
                    vector = _matrix_to_numpy(v, values).ravel()
                    residual = numeric @ vector - number * vector
                    scale = np.linalg.norm(vector) * (1 + abs(number))
                    comparison.add(0.0, np.linalg.norm(residual) / scale, values)
            if len(claimed) != n:
                raise GlossaryError(f"multiplicities add up to {len(claimed)}, not {n}")
            comparison.add(_match(expected, np.array(claimed)), expected, values)
        return comparison.report()

    return Derivation(result, steps, verify)


def _match(reference, claimed):
    """Reorder ``claimed`` to pair each reference value with its nearest claim."""
    import numpy as np

    remaining = list(claimed)
    ordered = []
    for value in reference:
        index = int(np.argmin([abs(value - c) for c in remaining]))
        ordered.append(remaining.pop(index))
    return np.array(ordered)


# -- singular value decomposition ----------------------------------------------------------


def _svd_parts(A: sp.Matrix):
    gram = A.T * A
    pairs = gram.eigenvects()
    pairs = sorted(pairs, key=lambda triple: -_sort_key(triple[0]))
    sigmas, v_columns = [], []
    for value, _, vectors in pairs:
        if _sort_key(value) <= 1e-25 and sp.simplify(value) == 0:
            continue
        for v in _orthonormal(vectors):
            sigmas.append(sp.sqrt(value))
            v_columns.append(v)
    if not sigmas:
        raise GlossaryError(f"A = {A.tolist()} is the zero matrix; its compact SVD has no singular values")
    u_columns = [(A * v / s).applyfunc(sp.radsimp) for s, v in zip(sigmas, v_columns, strict=True)]
    U = sp.Matrix.hstack(*u_columns)
    V = sp.Matrix.hstack(*v_columns)
    S = sp.diag(*sigmas)
    return gram, pairs, U, S, V


@helper
def svd(A: Any) -> Derivation:
    """The compact singular value decomposition ``(U, S, V)`` with ``A = U*S*V.T``.

    Singular values are the square roots of the nonzero eigenvalues of AᵀA,
    largest first; U and V have orthonormal columns.

    Examples:
        >>> U, S, V = svd(sp.Matrix([[3, 0], [0, 4]])).result
        >>> S
        Matrix([
        [4, 0],
        [0, 3]])
    """
    A = _inputs.matrix(A, "A")
    _require_numeric(A, "A", "svd orders singular values by size, which needs numbers")
    gram, pairs, U, S, V = _svd_parts(A)
    steps = [
        Step("AᵀA 를 만든다 (대칭, 양의 준정부호)", "form AᵀA (symmetric, positive semi-definite)", gram),
        Step(
            "AᵀA 의 고유값 (큰 것부터)", "the eigenvalues of AᵀA, largest first", tuple(value for value, _, _ in pairs)
        ),
        Step("특이값 σᵢ = √λᵢ (0 이 아닌 것만)", "singular values σᵢ = √λᵢ (the nonzero ones)", S),
        Step("V: AᵀA 의 정규직교 고유벡터", "V: orthonormal eigenvectors of AᵀA", V),
        Step("U: uᵢ = A vᵢ / σᵢ", "U: uᵢ = A vᵢ / σᵢ", U),
        Step("원래 행렬", "the original matrix", A),
        Step("U Σ Vᵀ 를 곱하면 A 가 된다", "multiplying U Σ Vᵀ gives back A", U * S * V.T, equals_previous=True),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison("numpy.linalg.svd and orthonormality", 1e-9)
        numeric = np.array(A.evalf(20), dtype=float)
        expected = np.linalg.svd(numeric, compute_uv=False)
        rank = S.rows
        claimed = np.array([float(S[i, i]) for i in range(rank)])
        comparison.add(expected[:rank], claimed)
        comparison.add(expected[rank:], np.zeros(len(expected) - rank))
        u = np.array(U.evalf(20), dtype=float)
        v = np.array(V.evalf(20), dtype=float)
        comparison.add(np.eye(rank).ravel(), (u.T @ u).ravel())
        comparison.add(np.eye(rank).ravel(), (v.T @ v).ravel())
        comparison.add(numeric.ravel(), (u @ np.diag(claimed) @ v.T).ravel())
        return comparison.report()

    return Derivation((U, S, V), steps, verify)


@helper
def low_rank_approximation(A: Any, rank: Any) -> Derivation:
    """The best rank-``rank`` approximation of A and its squared Frobenius error.

    By the Eckart–Young theorem the error is the sum of the squares of the
    singular values that were dropped.

    Examples:
        >>> approximation, error = low_rank_approximation(sp.Matrix([[3, 0], [0, 4]]), 1).result
        >>> approximation, error
        (Matrix([
        [0, 0],
        [0, 4]]), 9)
    """
    A = _inputs.matrix(A, "A")
    rank = _inputs.positive_int(rank, "rank")
    _require_numeric(A, "A", "low-rank approximation orders singular values, which needs numbers")
    _, _, U, S, V = _svd_parts(A)
    full_rank = S.rows
    if rank > min(A.shape):
        raise GlossaryError(f"rank {rank} exceeds min{A.shape} = {min(A.shape)}")
    kept = min(rank, full_rank)
    approximation = (U[:, :kept] * S[:kept, :kept] * V[:, :kept].T).applyfunc(sp.radsimp)
    dropped = [S[i, i] ** 2 for i in range(kept, full_rank)]
    error = sp.nsimplify(sp.radsimp(sp.Add(*dropped))) if dropped else sp.Integer(0)
    frobenius = sp.expand(sum(((A - approximation).applyfunc(lambda e: e**2)), sp.Integer(0)))
    steps = [
        Step("특이값 분해 A = UΣVᵀ", "the SVD A = UΣVᵀ", S),
        Step(
            f"큰 특이값 {kept}개만 남긴 A_k = Σᵢ σᵢ uᵢ vᵢᵀ",
            f"keep the {kept} largest singular values: A_k = Σᵢ σᵢ uᵢ vᵢᵀ",
            approximation,
        ),
        Step(
            "오차의 프로베니우스 노름 제곱 ‖A − A_k‖²", "the squared Frobenius error ‖A − A_k‖²", sp.radsimp(frobenius)
        ),
        Step(
            "버린 특이값의 제곱합과 같다 (에카르트–영 정리)",
            "equals the sum of the squared dropped singular values (Eckart–Young)",
            error,
            equals_previous=True,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison("numpy.linalg.svd truncation", 1e-9)
        numeric = np.array(A.evalf(20), dtype=float)
        u, s, vt = np.linalg.svd(numeric, full_matrices=False)
        expected = u[:, :rank] @ np.diag(s[:rank]) @ vt[:rank, :]
        comparison.add(expected.ravel(), np.array(approximation.evalf(20), dtype=float).ravel())
        comparison.add(float(np.sum((numeric - expected) ** 2)), float(error))
        return comparison.report()

    return Derivation((approximation, error), steps, verify)


# -- principal component analysis ----------------------------------------------------------


@helper
def pca(X: Any, k: Any) -> Derivation:
    """Principal components of the rows of X: ``(components, explained_variance)``.

    ``components`` is a d×k Matrix of unit directions (columns), and
    ``explained_variance`` the k largest eigenvalues of the sample covariance
    (divisor N − 1), largest first.

    Examples:
        >>> X = sp.Matrix([[1, 1], [2, 2], [3, 3]])
        >>> components, variance = pca(X, 1).result
        >>> components.T, variance
        (Matrix([[sqrt(2)/2, sqrt(2)/2]]), [2])
    """
    X = _inputs.matrix(X, "X")
    k = _inputs.positive_int(k, "k")
    N, d = X.shape
    if N < 2:
        raise GlossaryError(f"X needs at least 2 samples (rows) for a sample covariance, got {N}")
    if k > d:
        raise GlossaryError(f"k = {k} exceeds the number of features d = {d}")
    _require_numeric(X, "X", "PCA orders components by variance, which needs numbers")
    mean = sp.Matrix([[sum(X[:, j]) / N for j in range(d)]])
    centered = X - sp.ones(N, 1) * mean
    covariance = centered.T * centered / (N - 1)
    pairs = sorted(covariance.eigenvects(), key=lambda triple: -_sort_key(triple[0]))
    values, directions = [], []
    for value, _, vectors in pairs:
        for v in _orthonormal(vectors):
            # Sign convention: the largest entry of each direction is positive.
            largest = max(v, key=lambda e: abs(_sort_key(e)))
            values.append(value)
            directions.append(v if _sort_key(largest) > 0 else -v)
    W = sp.Matrix.hstack(*directions[:k])
    explained = values[:k]
    projected = centered * W
    residual = centered - projected * W.T
    reconstruction = sp.radsimp(sum(residual.applyfunc(lambda e: e**2)) / N)
    tail = sp.radsimp(sp.Rational(N - 1, N) * sp.Add(*values[k:]))
    lam = sp.Symbol("lambda")
    total = sp.Add(*values)
    steps = [
        Step("표본 평균", "the sample mean", mean),
        Step("중심화한 데이터 X − x̄", "centre the data: X − x̄", centered),
        Step("표본 공분산 C = XcᵀXc / (N − 1)", "the sample covariance C = XcᵀXc / (N − 1)", covariance),
        Step(
            "공분산의 특성다항식",
            "the characteristic polynomial of the covariance",
            sp.Eq(sp.factor(covariance.charpoly(lam).as_expr()), 0),
        ),
        Step(
            "고유값 = 각 주성분 방향의 분산 (큰 것부터)",
            "eigenvalues = variance along each principal direction, largest first",
            tuple(values),
        ),
        Step(f"상위 {k}개 고유벡터 (단위 벡터)", f"the top {k} unit eigenvectors", W),
        Step(
            "설명된 분산 비율",
            "explained variance ratio",
            tuple(sp.radsimp(v / total) for v in explained) if total != 0 else tuple(explained),
        ),
        Step("주성분으로 사영 Z = Xc W", "project onto the components: Z = Xc W", projected),
        Step(
            "평균 제곱 재구성 오차 ‖Xc − Z Wᵀ‖² / N",
            "mean squared reconstruction error ‖Xc − Z Wᵀ‖² / N",
            reconstruction,
        ),
        Step(
            "버린 고유값의 합 × (N − 1)/N 과 같다: 상위 성분이 오차를 최소화한다",
            "equals (N − 1)/N × the dropped eigenvalues: the top components minimise it",
            tail,
            equals_previous=True,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison("numpy.cov + numpy.linalg.eigh", 1e-9)
        data = np.array(X.evalf(20), dtype=float)
        cov = np.cov(data, rowvar=False)
        expected = np.sort(np.linalg.eigvalsh(np.atleast_2d(cov)))[::-1][:k]
        comparison.add(expected, np.array([float(v) for v in explained]))
        w = np.array(W.evalf(20), dtype=float)
        comparison.add(np.eye(k).ravel(), (w.T @ w).ravel())
        for j in range(k):
            residual = np.atleast_2d(cov) @ w[:, j] - float(explained[j]) * w[:, j]
            comparison.add(0.0, float(np.linalg.norm(residual)))
        return comparison.report()

    return Derivation((W, explained), steps, verify)
