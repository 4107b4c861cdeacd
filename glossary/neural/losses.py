"""Losses, encodings and their gradients: softmax, cross-entropy, MSE, one-hot.

The building blocks return plain SymPy objects over column matrices; the
gradients are `glossary.Derivation` s checked by finite differences. Entries
are numbered from 0, as class indices are: logits z₀ … z_{k−1}, targets
y₀ … y_{k−1}, so class 2 is z₂. Logarithms are natural logarithms.

Sizes are capped up front with the supported range, because a building block
runs outside any time limit: ``softmax``, ``cross_entropy`` and ``mse`` take
vectors of up to `MAX_LENGTH` entries, ``one_hot`` up to 10000 classes, and a
derivation up to `MAX_CLASSES` classes (its exact result grows with the square
of the number of classes).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .. import _inputs
from ..calculus import Equation, Notation
from ..derivation import Derivation, Part, Step, VerificationReport, helper
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

#: The most classes (logits, predictions) a derivation takes: its exact gradient has k entries of k terms.
MAX_CLASSES = 100
#: The longest vector softmax, cross_entropy and mse take: they run outside any time limit.
MAX_LENGTH = 1000


def _vector(value: Any, name: str) -> sp.Matrix:
    vector = _inputs.column(value, name)
    if vector.rows > MAX_LENGTH:
        raise GlossaryError(
            f"{name} has {vector.rows} entries; the building blocks take vectors of 1 to {MAX_LENGTH} entries "
            "(they run outside any time limit, and exact work grows quickly with the length)"
        )
    return vector


def _same_shape(a: sp.Matrix, b: sp.Matrix, names: str) -> None:
    if a.shape != b.shape:
        raise GlossaryError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


def _classes(value: Any, name: str) -> int:
    return _inputs.whole_number(value, name, 1, MAX_CLASSES)


def softmax(z: Any) -> sp.Matrix:
    """softmax(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) for a column of logits.

    Examples:
        >>> softmax(sp.Matrix([0, 0]))
        Matrix([
        [1/2],
        [1/2]])
    """
    z = _vector(z, "z")
    exps = z.applyfunc(sp.exp)
    return exps / sp.Add(*exps)


def cross_entropy(y: Any, p: Any) -> sp.Expr:
    """Cross-entropy −Σᵢ yᵢ log pᵢ of one sample, with the natural logarithm.

    Examples:
        >>> cross_entropy(sp.Matrix([0, 1]), sp.Matrix([sp.Rational(1, 4), sp.Rational(3, 4)]))
        -log(3/4)
    """
    y, p = _vector(y, "y"), _vector(p, "p")
    _same_shape(y, p, "y and p")
    return -sp.Add(*(yi * sp.log(pi) for yi, pi in zip(y, p, strict=True) if yi != 0))


def softmax_cross_entropy(y: Any, logits: Any) -> sp.Expr:
    """cross_entropy(y, softmax(logits)): the usual classification loss, on logits (natural log).

    Examples:
        >>> softmax_cross_entropy(sp.Matrix([1, 0]), sp.Matrix([0, 0]))
        log(2)
    """
    return cross_entropy(y, softmax(logits))


def binary_cross_entropy(y: Any, p: Any) -> sp.Expr:
    """Binary cross-entropy −[y log p + (1 − y) log(1 − p)] for a single probability (natural log).

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
    return sp.Add(*((a - b) ** 2 for a, b in zip(y, yhat, strict=True))) / len(y)


def one_hot(index: Any, num_classes: Any) -> sp.Matrix:
    """The column with a single 1 at the zero-based ``index``.

    ``num_classes`` runs from 1 to `glossary._inputs.MAX_ENTRIES` (10000).

    Examples:
        >>> one_hot(2, 4).T
        Matrix([[0, 0, 1, 0]])
    """
    num_classes = _inputs.whole_number(num_classes, "num_classes", 1, _inputs.MAX_ENTRIES)
    index = _inputs.nonnegative_int(index, "index")
    if index >= num_classes:
        raise GlossaryError(f"index {index} is outside 0..{num_classes - 1} for {num_classes} classes")
    vector = sp.zeros(num_classes, 1)
    vector[index] = 1
    return vector


def _numbered(name: str, k: int) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"{name}_0:{k}", real=True))


def _exactly_equal(left: sp.Matrix, right: sp.Matrix, what: str) -> None:
    """A step's claim between two vectors of integer polynomials, checked in exact rational arithmetic
    (Python fractions) at random points.

    Two different polynomials of low degree agree at a random point of a large grid with negligible
    probability (Schwartz–Zippel), and evaluating is far cheaper than expanding k² terms in SymPy.
    """
    import random
    from fractions import Fraction

    symbols = sorted(left.free_symbols | right.free_symbols, key=sp.default_sort_key)
    both = sp.lambdify(symbols, [list(left), list(right)], modules=[{}])
    rng = random.Random(20240611)
    for _ in range(3):
        point = [Fraction(rng.randint(-(10**6), 10**6), rng.randint(1, 10**6)) for _ in symbols]
        values, claimed = both(*point)
        if values != claimed:
            raise GlossaryError(
                f"{what}: the derivation could not confirm its own step; this is a bug in the library, "
                "not in your input: please report it with the call you made"
            )


def _vectorised(symbols: list[sp.Symbol], exprs: list[sp.Expr]) -> Any:
    """NumPy evaluation of several expressions sharing subexpressions (the softmax's sum), computed once."""
    try:
        return sp.lambdify(symbols, exprs, modules="numpy", cse=True)
    except Exception as error:
        raise GlossaryError(f"cannot evaluate the result numerically: {error}") from None


def _central_difference(loss: Any, values: Any, j: int) -> Any:
    """The five-point central difference of ``loss`` along row ``j`` of ``values`` (one column per point)."""
    h = 1e-3 * max(1.0, float(abs(values[j]).max()))

    def moved(step: float) -> Any:
        shifted = values.copy()
        shifted[j] = shifted[j] + step * h
        return loss(shifted)

    return (moved(-2) - 8 * moved(-1) + 8 * moved(1) - moved(2)) / (12 * h)


_SMALL = 4  # up to this many classes the steps show every entry; beyond, the entry j


@helper
def softmax_cross_entropy_gradient(k: Any) -> Derivation:
    """∂L/∂z of L = cross_entropy(y, softmax(z)) for k logits z₀ … z_{k−1}: p·Σy − y, which is p − y when Σy = 1.

    The targets need not be one-hot: any y whose entries add up to 1 gives
    p − y. Its part ``gradient`` is ∂L/∂z; k runs from 1 to 100.

    Examples:
        >>> softmax_cross_entropy_gradient(2).result
        Matrix([
        [-y_0 + exp(z_0)/(exp(z_0) + exp(z_1))],
        [-y_1 + exp(z_1)/(exp(z_0) + exp(z_1))]])
    """
    k = _classes(k, "k")
    z, y, p = _numbered("z", k), _numbered("y", k), _numbered("p", k)
    loss_in_p = -sp.Add(*(y[i] * sp.log(p[i]) for i in range(k)))
    delta = sp.KroneckerDelta
    total_y = sp.Add(*y)
    collected = sp.Matrix([p[j] * total_y - y[j] for j in range(k)])
    # With Σy = 1 (y_{k−1} = 1 − the others), p·Σy − y is p − y: checked for every k.
    with_one = {y[k - 1]: 1 - sp.Add(*y[: k - 1])}
    _exactly_equal(collected.xreplace(with_one), (p - y).xreplace(with_one), "softmax_cross_entropy_gradient")
    probabilities = softmax(z)
    result = probabilities - y

    L = sp.Symbol("L")
    grad = Notation(r"\frac{\partial L}{\partial \mathbf{z}}", "∂L/∂z")
    sums = rf"\sum_{{j=0}}^{{{k - 1}}} e^{{z_j}}"
    if k <= _SMALL:
        # Every entry written out: ∂L/∂z_j = Σ_i (−y_i/p_i) p_i (δ_ij − p_j), checked against the next step.
        chained = sp.Matrix([sp.Add(*(-y[i] * (delta(i, j) - p[j]) for i in range(k))) for j in range(k)])
        softmax_shown: Any = tuple(Equation(p[i], probabilities[i]) for i in range(k))
        jacobian: Any = sp.Matrix(k, k, lambda i, j: p[i] * (delta(i, j) - p[j]))
        chained_shown: Any = Equation(grad, sp.ImmutableMatrix(chained))
    else:
        softmax_shown = Equation(Notation("p_i", "p_i"), Notation(rf"\frac{{e^{{z_i}}}}{{{sums}}}", "softmax(z)_i"))
        jacobian = Equation(
            Notation(r"\frac{\partial p_i}{\partial z_j}", "∂p_i/∂z_j"),
            Notation(r"p_i \left(\delta_{ij} - p_j\right)", "p_i(δ_ij − p_j)"),
        )
        chained_shown = Equation(
            Notation(r"\frac{\partial L}{\partial z_j}", "∂L/∂z_j"),
            Notation(
                rf"\sum_{{i=0}}^{{{k - 1}}} \left(-\frac{{y_i}}{{p_i}}\right) p_i \left(\delta_{{ij}} - p_j\right)",
                "Σ_i (−y_i/p_i) p_i(δ_ij − p_j)",
            ),
        )
    steps = [
        Step(
            r"손실: 소프트맥스 출력 $\mathbf{p}$에 대한 교차 엔트로피($\log$는 자연로그)",
            r"the loss: the cross-entropy of the softmax output $\mathbf{p}$ ($\log$ is the natural logarithm)",
            Equation(L, loss_in_p),
        ),
        Step(
            rf"소프트맥스: $p_i = e^{{z_i}} / {sums}$(성분 번호는 0부터 센다)",
            rf"the softmax: $p_i = e^{{z_i}} / {sums}$ (entries are numbered from 0)",
            softmax_shown,
        ),
        Step(
            r"소프트맥스의 도함수: $\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j)$",
            r"the derivative of the softmax: $\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j)$",
            jacobian,
        ),
        Step(
            r"연쇄 법칙: $\frac{\partial L}{\partial z_j} = \sum_i \frac{\partial L}{\partial p_i}"
            r"\frac{\partial p_i}{\partial z_j}$, $\frac{\partial L}{\partial p_i} = -\frac{y_i}{p_i}$",
            r"the chain rule: $\frac{\partial L}{\partial z_j} = \sum_i \frac{\partial L}{\partial p_i}"
            r"\frac{\partial p_i}{\partial z_j}$ with $\frac{\partial L}{\partial p_i} = -\frac{y_i}{p_i}$",
            chained_shown,
        ),
        Step(
            r"정리하면 $p_j \sum_i y_i - y_j$",
            r"collect: $p_j \sum_i y_i - y_j$",
            Equation(grad, sp.ImmutableMatrix(collected)),
            equals_previous=k <= _SMALL,
        ),
        Step(
            r"$\sum_i y_i = 1$이면 기울기는 $\mathbf{p} - \mathbf{y}$이다. 원핫 정답이 그렇고, "
            r"원핫이 아니어도 성분의 합이 1인 정답(레이블 스무딩 등)이면 된다",
            r"if $\sum_i y_i = 1$ the gradient is $\mathbf{p} - \mathbf{y}$: one-hot targets satisfy this, "
            r"and so does any target whose entries add up to 1 (label smoothing, for one)",
            Equation(grad, sp.ImmutableMatrix(p - y)),
        ),
        Step(
            "소프트맥스를 대입해 로짓으로 쓴다",
            "written in the logits",
            Equation(grad, sp.ImmutableMatrix(result)),
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        rng = np.random.default_rng(seed)
        comparison = Comparison("central finite differences of the loss at targets on the simplex", 1e-6)
        claimed_at = _vectorised(list(z) + list(y), list(result))
        count = min(points, 500)
        logits = rng.normal(0, 2, size=(k, count))
        # Targets anywhere on the simplex (entries ≥ 0 adding up to 1), not only one-hot vectors.
        targets = rng.dirichlet(np.ones(k), size=count).T
        claimed = np.array(claimed_at(*logits, *targets), dtype=float).reshape(k, -1)

        def loss(values: np.ndarray) -> np.ndarray:
            # −Σ yᵢ log softmax(z)ᵢ with a shifted log-sum-exp, in NumPy.
            top = values.max(axis=0)
            log_total = top + np.log(np.exp(values - top).sum(axis=0))
            return -(targets * (values - log_total)).sum(axis=0)

        for j in range(k):
            comparison.add(_central_difference(loss, logits, j), claimed[j])
        return comparison.report()

    parts = [Part("gradient", r"\frac{\partial L}{\partial \mathbf{z}}", "∂L/∂z", result)]
    return Derivation(result, steps, verify, parts=parts)


@helper
def mse_gradient(k: Any) -> Derivation:
    """The gradient of mse(y, ŷ) with respect to the k predictions ŷ₀ … ŷ_{k−1}: (2/k)(ŷ − y).

    Its part ``gradient`` is ∂L/∂ŷ; k runs from 1 to 100.

    Examples:
        >>> mse_gradient(2).result
        Matrix([
        [-y_0 + yhat_0],
        [-y_1 + yhat_1]])
    """
    k = _classes(k, "k")
    y, yhat = _numbered("y", k), _numbered("yhat", k)
    loss = mse(y, yhat)
    # Only the j-th square depends on ŷ_j: differentiating that term is ∂L/∂ŷ_j (k diffs of one term each,
    # not k diffs of all k terms).
    result = sp.Matrix([sp.diff((y[j] - yhat[j]) ** 2 / k, yhat[j]) for j in range(k)])
    grad = Notation(r"\frac{\partial L}{\partial \hat{\mathbf{y}}}", "∂L/∂ŷ")
    steps = [
        Step(
            rf"평균 제곱 오차 $L = \frac{{1}}{{{k}}} \sum_{{i=0}}^{{{k - 1}}} (y_i - \hat{{y}}_i)^2$",
            rf"the mean squared error $L = \frac{{1}}{{{k}}} \sum_{{i=0}}^{{{k - 1}}} (y_i - \hat{{y}}_i)^2$",
            Equation(sp.Symbol("L"), loss),
        ),
        Step(
            "예측값 각각에 대해 미분한다",
            "differentiate with respect to each prediction",
            Equation(grad, sp.ImmutableMatrix(result)),
        ),
        Step(
            rf"$\frac{{2}}{{{k}}}(\hat{{\mathbf{{y}}}} - \mathbf{{y}})$와 같다",
            rf"the same as $\frac{{2}}{{{k}}}(\hat{{\mathbf{{y}}}} - \mathbf{{y}})$",
            sp.ImmutableMatrix(sp.Rational(2, k) * (yhat - y)),
            equals_previous=True,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        rng = np.random.default_rng(seed)
        comparison = Comparison("central finite differences (five-point stencil)", 1e-6)
        count = min(points, 500)
        targets = rng.uniform(-3, 3, size=(k, count))
        predictions = rng.uniform(-3, 3, size=(k, count))
        claimed = np.array(_vectorised(list(y) + list(yhat), list(result))(*targets, *predictions), dtype=float)
        claimed = np.broadcast_to(claimed.reshape(k, -1), (k, count))

        def loss(values: np.ndarray) -> np.ndarray:
            return ((targets - values) ** 2).mean(axis=0)

        for j in range(k):
            comparison.add(_central_difference(loss, predictions, j), claimed[j])
        return comparison.report()

    parts = [Part("gradient", r"\frac{\partial L}{\partial \hat{\mathbf{y}}}", "∂L/∂ŷ", result)]
    return Derivation(result, steps, verify, parts=parts)


@helper
def binary_cross_entropy_gradient() -> Derivation:
    """d/dz of binary_cross_entropy(y, sigmoid(z)) (natural log): σ(z) − y, the gradient with respect to the logit.

    Its part ``gradient`` is ∂L/∂z.

    Examples:
        >>> binary_cross_entropy_gradient().result
        -y + 1/(1 + exp(-z))
    """
    y, z = sp.Symbol("y", real=True), sp.Symbol("z", real=True)
    loss = binary_cross_entropy(y, sigmoid(z))
    raw = sp.diff(loss, z)
    result = sigmoid(z) - y
    grad = Notation(r"\frac{\partial L}{\partial z}", "∂L/∂z")
    steps = [
        Step(
            r"이진 교차 엔트로피에 $p = \sigma(z)$를 대입한다($\log$는 자연로그)",
            r"the binary cross-entropy with $p = \sigma(z)$ ($\log$ is the natural logarithm)",
            Equation(sp.Symbol("L"), loss),
        ),
        Step(
            r"로짓 $z$에 대해 미분한다($\sigma' = \sigma(1 - \sigma)$ 이용)",
            r"differentiate with respect to the logit $z$ (using $\sigma' = \sigma(1 - \sigma)$)",
            Equation(grad, raw),
        ),
        Step(
            r"정리하면 $\sigma(z) - y$",
            r"which simplifies to $\sigma(z) - y$",
            Equation(grad, result),
            equals_previous=True,
        ),
    ]
    parts = [Part("gradient", r"\frac{\partial L}{\partial z}", "∂L/∂z", result)]
    return Derivation(result, steps, derivative_verifier([(loss, result, z)]), parts=parts)


@helper
def one_hot_encoding(index: Any, num_classes: Any) -> Derivation:
    """The one-hot vector of class ``index`` (counted from 0), with its cross-entropy against a softmax.

    The logits are z₀ … z_{k−1}, numbered like the classes, so class 2 keeps
    the term of z₂. Parts: ``vector`` (y) and ``loss`` (L = −log p_index);
    ``num_classes`` runs from 1 to 100.

    Examples:
        >>> one_hot_encoding(1, 3).result.T
        Matrix([[0, 1, 0]])
        >>> one_hot_encoding(1, 3).part("loss").value
        -log(exp(z_1)/(exp(z_0) + exp(z_1) + exp(z_2)))
    """
    num_classes = _classes(num_classes, "num_classes")
    vector = one_hot(index, num_classes)
    index = int(_inputs.nonnegative_int(index, "index"))
    k = vector.rows
    z = _numbered("z", k)
    probabilities = softmax(z)
    loss = cross_entropy(vector, probabilities)
    log_sum = sp.log(sp.Add(*z.applyfunc(sp.exp)))
    L = sp.Symbol("L")
    named = Notation(r"\mathbf{y}", "y")
    steps = [
        Step(
            f"클래스 {index}의 원핫 벡터(성분 번호는 0부터 센다: $y_{{{index}}} = 1$)",
            f"the one-hot vector of class {index} (entries are numbered from 0: $y_{{{index}}} = 1$)",
            Equation(named, sp.ImmutableMatrix(vector)),
        ),
        Step(
            "성분은 음이 아니고 합이 1이다: 정답 클래스에 확률을 모두 둔 확률 분포로 볼 수 있다",
            "its entries are non-negative and add up to 1: a probability distribution with all its mass on the "
            "true class",
            Equation(Notation(r"\sum_i y_i", "Σ y_i"), sp.Add(*vector)),
        ),
        Step(
            rf"소프트맥스 출력과의 교차 엔트로피($\log$는 자연로그)에는 "
            rf"정답 클래스의 항 $-\log p_{{{index}}}$만 남는다",
            rf"the cross-entropy (natural log) against a softmax output keeps only the true class's term "
            rf"$-\log p_{{{index}}}$",
            Equation(L, loss),
        ),
        Step(
            rf"$\log p_{{{index}}} = z_{{{index}}} - \log \sum_j e^{{z_j}}$이므로",
            rf"since $\log p_{{{index}}} = z_{{{index}}} - \log \sum_j e^{{z_j}}$",
            Equation(L, -z[index] + log_sum),
            equals_previous=True,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, lambdify

        comparison = Comparison("row of numpy.eye, and the loss by log-sum-exp of the logits", 1e-9)
        comparison.add(np.eye(k)[index], np.array([float(v) for v in vector]))
        # The loss against an independent log-softmax at random logits.
        rng = np.random.default_rng(seed)
        logits = rng.normal(0, 2, size=(k, min(points, 200)))
        shifted = logits - logits.max(axis=0)
        expected = -(shifted[index] - np.log(np.exp(shifted).sum(axis=0)))
        actual = np.broadcast_to(np.asarray(lambdify(list(z), loss)(*logits), dtype=float), expected.shape)
        comparison.add(expected, actual)
        return comparison.report()

    parts = [
        Part("vector", r"\mathbf{y}", "y", vector),
        Part("loss", "L", "L", loss),
    ]
    return Derivation(vector, steps, verify, parts=parts)
