"""Losses, encodings and their gradients: softmax, cross-entropy, MSE, one-hot.

The building blocks return plain SymPy objects over column matrices; the
gradients are `glossary.Derivation` s checked by finite differences.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .. import _inputs
from ..derivation import Derivation, Step, VerificationReport, helper
from ..errors import GlossaryError
from ..numeric import derivative_verifier
from .activations import sigmoid

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "cross_entropy",
    "mse",
    "mse_gradient",
    "one_hot",
    "one_hot_encoding",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
]


def _vector(value: Any, name: str) -> sp.Matrix:
    return _inputs.column(value, name)


def _same_shape(a: sp.Matrix, b: sp.Matrix, names: str) -> None:
    if a.shape != b.shape:
        raise GlossaryError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


def softmax(z: Any) -> sp.Matrix:
    """softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ) for a column of logits.

    Examples:
        >>> softmax(sp.Matrix([0, 0]))
        Matrix([
        [1/2],
        [1/2]])
    """
    z = _vector(z, "z")
    exps = z.applyfunc(sp.exp)
    total = sum(exps, sp.Integer(0))
    return exps / total


def cross_entropy(y: Any, p: Any) -> sp.Expr:
    """Cross-entropy −Σᵢ yᵢ log pᵢ of one example (natural log).

    Examples:
        >>> cross_entropy(sp.Matrix([0, 1]), sp.Matrix([sp.Rational(1, 4), sp.Rational(3, 4)]))
        -log(3/4)
    """
    y, p = _vector(y, "y"), _vector(p, "p")
    _same_shape(y, p, "y and p")
    return -sum((yi * sp.log(pi) for yi, pi in zip(y, p, strict=True)), sp.Integer(0))


def softmax_cross_entropy(y: Any, logits: Any) -> sp.Expr:
    """cross_entropy(y, softmax(logits)): the usual classification loss, on logits.

    Examples:
        >>> softmax_cross_entropy(sp.Matrix([1, 0]), sp.Matrix([0, 0]))
        log(2)
    """
    return cross_entropy(y, softmax(logits))


def binary_cross_entropy(y: Any, p: Any) -> sp.Expr:
    """Binary cross-entropy −[y log p + (1 − y) log(1 − p)] for a single probability.

    Examples:
        >>> binary_cross_entropy(1, sp.Rational(1, 2))
        log(2)
    """
    y, p = _inputs.expression(y, "y"), _inputs.expression(p, "p")
    return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


def mse(y: Any, yhat: Any) -> sp.Expr:
    """Mean squared error: the mean of (yᵢ − ŷᵢ)² over the entries.

    Examples:
        >>> mse(sp.Matrix([1, 2]), sp.Matrix([1, 4]))
        2
    """
    y, yhat = _vector(y, "y"), _vector(yhat, "yhat")
    _same_shape(y, yhat, "y and yhat")
    return sum(((a - b) ** 2 for a, b in zip(y, yhat, strict=True)), sp.Integer(0)) / len(y)


def one_hot(index: Any, num_classes: Any) -> sp.Matrix:
    """The column with a single 1 at the zero-based ``index``.

    Examples:
        >>> one_hot(2, 4).T
        Matrix([[0, 0, 1, 0]])
    """
    num_classes = _inputs.positive_int(num_classes, "num_classes")
    index = _inputs.nonnegative_int(index, "index")
    if index >= num_classes:
        raise GlossaryError(f"index {index} is outside 0..{num_classes - 1} for {num_classes} classes")
    vector = sp.zeros(num_classes, 1)
    vector[index] = 1
    return vector


@helper
def softmax_cross_entropy_gradient(k: Any) -> Derivation:
    """∂/∂z of cross_entropy(y, softmax(z)) for k logits, with Σy = 1: softmax(z) − y.

    Examples:
        >>> softmax_cross_entropy_gradient(2).result
        Matrix([
        [-y_1 + exp(z_1)/(exp(z_1) + exp(z_2))],
        [-y_2 + exp(z_2)/(exp(z_1) + exp(z_2))]])
    """
    k = _inputs.positive_int(k, "k")
    z = sp.Matrix(sp.symbols(f"z_1:{k + 1}", real=True))
    y = sp.Matrix(sp.symbols(f"y_1:{k + 1}", real=True))
    p = softmax(z)
    loss = cross_entropy(y, p)
    raw = sp.Matrix([sp.diff(loss, zj) for zj in z])
    total_y = sum(y, sp.Integer(0))
    factored = sp.Matrix([p[j] * total_y - y[j] for j in range(k)])
    result = p - y
    log_sum = sp.log(sum(z.applyfunc(sp.exp), sp.Integer(0)))
    steps = [
        Step("손실 L = −Σ yᵢ log softmax(z)ᵢ", "the loss L = −Σ yᵢ log softmax(z)ᵢ", loss),
        Step(
            "log softmax(z)ᵢ = zᵢ − log Σⱼ e^(zⱼ) 를 대입",
            "use log softmax(z)ᵢ = zᵢ − log Σⱼ e^(zⱼ)",
            -sum((y[i] * (z[i] - log_sum) for i in range(k)), sp.Integer(0)),
            equals_previous=True,
        ),
        Step("로짓으로 미분", "differentiate with respect to the logits", raw),
        Step("정리: pⱼ·Σᵢ yᵢ − yⱼ", "collect: pⱼ·Σᵢ yᵢ − yⱼ", factored, equals_previous=True),
        Step("원-핫 (Σᵢ yᵢ = 1) 이면 기울기는 p − y", "for one-hot targets (Σᵢ yᵢ = 1) the gradient is p − y", result),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, five_point_derivative, lambdify

        rng = np.random.default_rng(seed)
        comparison = Comparison("central finite differences of the loss at targets on the simplex", 1e-6)
        symbols = list(z) + list(y)
        f = lambdify(symbols, loss)
        g = lambdify(symbols, list(result))
        count = min(points, 500)
        logits = rng.normal(0, 2, size=(k, count))
        targets = rng.dirichlet(np.ones(k), size=count).T
        columns = [*logits, *targets]
        claimed = np.array(g(*columns), dtype=float).reshape(k, -1)
        for j in range(k):
            expected = five_point_derivative(f, columns, j, count)
            comparison.add(expected, np.broadcast_to(claimed[j], (count,)))
        return comparison.report()

    return Derivation(result, steps, verify)


# -- training: losses' gradients, batches, regularisation, dropout, overfitting ---------------


@helper
def mse_gradient(k: Any) -> Derivation:
    """The gradient of mse(y, ŷ) with respect to the k predictions: (2/k)(ŷ − y).

    Examples:
        >>> mse_gradient(2).result
        Matrix([
        [-y_1 + yhat_1],
        [-y_2 + yhat_2]])
    """
    k = _inputs.positive_int(k, "k")
    y = sp.Matrix(sp.symbols(f"y_1:{k + 1}", real=True))
    yhat = sp.Matrix(sp.symbols(f"yhat_1:{k + 1}", real=True))
    loss = mse(y, yhat)
    result = sp.Matrix([sp.diff(loss, v) for v in yhat])
    steps = [
        Step("평균 제곱 오차", "the mean squared error", loss),
        Step("예측값마다 미분", "differentiate by each prediction", result),
        Step("(2/k)(ŷ − y) 와 같다", "the same as (2/k)(ŷ − y)", sp.Rational(2, k) * (yhat - y), equals_previous=True),
    ]
    pairs = [(loss, result[j], yhat[j]) for j in range(k)]
    return Derivation(result, steps, derivative_verifier(pairs))


@helper
def binary_cross_entropy_gradient() -> Derivation:
    """d/dz of binary_cross_entropy(y, sigmoid(z)): σ(z) − y.

    Examples:
        >>> binary_cross_entropy_gradient().result
        -y + 1/(1 + exp(-z))
    """
    y, z = sp.Symbol("y", real=True), sp.Symbol("z", real=True)
    loss = binary_cross_entropy(y, sigmoid(z))
    raw = sp.diff(loss, z)
    result = sigmoid(z) - y
    steps = [
        Step("이진 교차 엔트로피에 p = σ(z) 를 넣는다", "binary cross-entropy with p = σ(z)", loss),
        Step("z 로 미분 (σ′ = σ(1 − σ) 사용)", "differentiate by z (using σ′ = σ(1 − σ))", raw),
        Step("정리하면 σ(z) − y", "which simplifies to σ(z) − y", result, equals_previous=True),
    ]
    return Derivation(result, steps, derivative_verifier([(loss, result, z)]))


@helper
def one_hot_encoding(index: Any, num_classes: Any) -> Derivation:
    """The one-hot vector as a derivation, with its cross-entropy against a softmax.

    Examples:
        >>> one_hot_encoding(1, 3).result.T
        Matrix([[0, 1, 0]])
    """
    vector = one_hot(index, num_classes)
    k = vector.rows
    z = sp.Matrix(sp.symbols(f"z_1:{k + 1}", real=True))
    loss = cross_entropy(vector, softmax(z))
    steps = [
        Step(
            f"클래스 {index} (0부터 셈) 의 원-핫 벡터", f"the one-hot vector of class {index} (counting from 0)", vector
        ),
        Step(
            "성분의 합은 1: 확률 분포로 볼 수 있다", "its entries add up to 1: a probability distribution", sum(vector)
        ),
        Step(
            "소프트맥스와의 교차 엔트로피는 정답 클래스의 −log p 만 남는다",
            "cross-entropy with a softmax keeps only −log p of the true class",
            loss,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        comparison = Comparison("row of numpy.eye", 0.0)
        comparison.add(np.eye(k)[int(index)], np.array([float(v) for v in vector]))
        return comparison.report()

    return Derivation(vector, steps, verify)
