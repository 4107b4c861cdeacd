"""Training: gradient descent, batches and mini-batches, regularisation, dropout, overfitting."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import sympy as sp

from .. import _inputs
from ..derivation import Derivation, Step, VerificationReport, helper
from ..errors import GlossaryError
from ..numeric import derivative_verifier

__all__ = [
    "batch_gradient",
    "dropout",
    "gradient_descent",
    "minibatch_gradient",
    "polynomial_fit",
    "regularized_update",
]


@helper
def gradient_descent(f: Any, params: Any, lr: Any, start: Any, steps: Any) -> Derivation:
    """Iterates of θ ← θ − η∇f(θ): a list of ``steps + 1`` tuples, starting at ``start``.

    Exact input gives exact iterates.

    Examples:
        >>> w = sp.Symbol("w")
        >>> gradient_descent(w**2, [w], sp.Rational(1, 4), [1], 3).result
        [(1,), (1/2,), (1/4,), (1/8,)]
    """
    f = _inputs.expression(f, "f")
    params = _inputs.symbols(params, "params")
    lr = _inputs.expression(lr, "lr")
    count = _inputs.nonnegative_int(steps, "steps")
    if isinstance(start, (str, bytes)) or not isinstance(start, Sequence) or len(start) != len(params):
        raise GlossaryError(f"start must list one value for each of {params}, got {start!r}")
    start = tuple(_inputs.expression(v, f"start[{i}]") for i, v in enumerate(start))
    extra = f.free_symbols - set(params)
    if extra:
        raise GlossaryError(f"f has symbols {sorted(map(str, extra))} that are not among params {params}")
    if lr.is_number and not lr.is_positive:
        raise GlossaryError(f"lr must be positive, got {lr}")
    grad = [sp.diff(f, p) for p in params]
    step_function = sp.lambdify(params, grad, modules="sympy")
    iterates = [start]
    for _ in range(count):
        current = iterates[-1]
        slope = step_function(*current)
        iterates.append(tuple(sp.expand(c - lr * s) for c, s in zip(current, slope, strict=True)))
    theta = sp.Matrix(params)
    eta = sp.Symbol("eta")
    shown = iterates[: min(len(iterates), 4)]
    walk = [
        Step("목적 함수", "the objective", f),
        Step("기울기 ∇f", "its gradient ∇f", sp.Matrix(grad)),
        Step(
            "갱신 규칙 θ ← θ − η∇f(θ) (η: 학습률)",
            "the update θ ← θ − η∇f(θ) (η: learning rate)",
            sp.Eq(sp.Symbol("theta_{k+1}"), theta - eta * sp.Matrix(grad)),
        ),
        Step(f"학습률 η = {lr}, 시작점", f"learning rate η = {lr}, starting point", sp.Matrix(start)),
    ]
    for number, point in enumerate(shown[1:], 1):
        walk.append(Step(f"{number}번째 갱신", f"update {number}", sp.Matrix(point)))
    if count >= len(shown):
        walk.append(Step(f"{count}번 갱신 후", f"after {count} updates", sp.Matrix(iterates[-1])))
        walk.append(
            Step("그때의 목적 함수 값", "the objective there", f.subs(dict(zip(params, iterates[-1], strict=True))))
        )

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, five_point_derivative, lambdify, sample_symbols

        rng = np.random.default_rng(seed)
        comparison = Comparison("iteration in NumPy with finite-difference gradients", 1e-6)
        free = sorted(lr.free_symbols | set().union(*(s.free_symbols for s in start)), key=sp.default_sort_key)
        draws = min(points, 20) if free else 1
        samples = sample_symbols(free, draws, rng, spread=0.5)
        objective = lambdify(params, f)
        for d in range(draws):
            values = {s: samples[s][d] for s in free}
            rate = float(lr.subs(values))
            theta = np.array([float(s.subs(values)) for s in start])
            for number, exact in enumerate(iterates):
                claimed = np.array([complex(sp.N(v.subs(values), 20)) for v in exact])
                comparison.add(theta, claimed, {"iterate": number, **{str(k): v for k, v in values.items()}})
                if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > 1e12:
                    break  # diverged: later iterates overflow floats
                columns = [np.array([v]) for v in theta]
                slope = np.array([five_point_derivative(objective, columns, i, 1)[0].real for i in range(len(params))])
                theta = theta - rate * slope
        return comparison.report()

    return Derivation(iterates, walk, verify)


def _examples(examples: Any, variables: list[sp.Symbol]) -> list[tuple[sp.Expr, ...]]:
    if isinstance(examples, (str, bytes)) or not isinstance(examples, Sequence) or not examples:
        raise GlossaryError(f"examples must be a non-empty list of value tuples, got {examples!r}")
    rows = []
    for number, row in enumerate(examples):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != len(variables):
            raise GlossaryError(f"examples[{number}] must give {len(variables)} values for {variables}, got {row!r}")
        rows.append(tuple(_inputs.expression(v, f"examples[{number}]") for v in row))
    return rows


@helper
def batch_gradient(loss: Any, params: Any, variables: Any, examples: Any) -> Derivation:
    """The full-batch gradient: the gradient of the mean loss, equal to the mean of per-example gradients.

    ``loss`` is the loss of one example written in ``params`` and the data ``variables``.

    Examples:
        >>> w, x, y = sp.symbols("w x y")
        >>> batch_gradient((w * x - y) ** 2, [w], [x, y], [(1, 2), (2, 2)]).result
        Matrix([[5*w - 6]])
    """
    loss = _inputs.expression(loss, "loss")
    params = _inputs.symbols(params, "params")
    variables = _inputs.symbols(variables, "variables")
    rows = _examples(examples, variables)
    count = len(rows)
    per_example = [
        sp.Matrix([sp.diff(loss, p) for p in params]).subs(dict(zip(variables, r, strict=True))) for r in rows
    ]
    mean_of_gradients = (sum(per_example, sp.zeros(len(params), 1)) / count).applyfunc(sp.expand)
    mean_loss = sp.Add(*(loss.subs(dict(zip(variables, r, strict=True))) for r in rows)) / count
    gradient_of_mean = sp.Matrix([sp.expand(sp.diff(mean_loss, p)) for p in params])
    steps = [
        Step("예제 하나의 손실", "the loss of one example", loss),
        Step(f"예제 {count}개의 평균 손실", f"the mean loss over the {count} examples", sp.expand(mean_loss)),
        Step("예제별 기울기", "the gradient of each example", tuple(per_example)),
        Step("예제별 기울기의 평균", "the mean of the per-example gradients", mean_of_gradients),
        Step(
            "평균 손실의 기울기와 같다 (미분은 선형)",
            "equal to the gradient of the mean loss (differentiation is linear)",
            gradient_of_mean,
            equals_previous=True,
        ),
    ]
    pairs = [(mean_loss, gradient_of_mean[j], p) for j, p in enumerate(params)]
    return Derivation(gradient_of_mean, steps, derivative_verifier(pairs))


@helper
def minibatch_gradient(loss: Any, params: Any, variables: Any, examples: Any, batch_size: Any, at: Any) -> Derivation:
    """Mean and variance of the mini-batch gradient over every batch drawn without replacement.

    Returns ``(mean, variance)`` column matrices at the parameter values ``at``:
    the mean equals the full-batch gradient (an unbiased estimate) and the
    variance is s²/B · (N − B)/N, shrinking as the batch size B grows.

    Examples:
        >>> w, x, y = sp.symbols("w x y")
        >>> mean, variance = minibatch_gradient((w * x - y) ** 2, [w], [x, y], [(1, 0), (2, 0), (3, 0)], 1, [1]).result
        >>> mean, variance
        (Matrix([[28/3]]), Matrix([[392/9]]))
    """
    import itertools

    loss = _inputs.expression(loss, "loss")
    params = _inputs.symbols(params, "params")
    variables = _inputs.symbols(variables, "variables")
    rows = _examples(examples, variables)
    size = _inputs.positive_int(batch_size, "batch_size")
    N = len(rows)
    if size > N:
        raise GlossaryError(f"batch_size {size} exceeds the {N} examples")
    if isinstance(at, (str, bytes)) or not isinstance(at, Sequence) or len(at) != len(params):
        raise GlossaryError(f"at must give one value for each of {params}, got {at!r}")
    point = {p: _inputs.expression(v, f"at[{i}]") for i, (p, v) in enumerate(zip(params, at, strict=True))}
    gradient = sp.Matrix([sp.diff(loss, p) for p in params])
    per_example = [gradient.subs({**dict(zip(variables, r, strict=True)), **point}) for r in rows]
    full = sum(per_example, sp.zeros(len(params), 1)) / N
    batches = list(itertools.combinations(range(N), size))
    if len(batches) > 20000:
        raise GlossaryError(f"{len(batches)} mini-batches are too many to enumerate; use fewer examples")
    batch_means = [sum((per_example[i] for i in b), sp.zeros(len(params), 1)) / size for b in batches]
    mean = sum(batch_means, sp.zeros(len(params), 1)) / len(batches)
    variance = sum(((m - mean).applyfunc(lambda e: e**2) for m in batch_means), sp.zeros(len(params), 1)) / len(batches)
    spread = sum(((g - full).applyfunc(lambda e: e**2) for g in per_example), sp.zeros(len(params), 1)) / (
        N - 1 if N > 1 else 1
    )
    formula = spread / size * sp.Rational(N - size, N)
    steps = [
        Step("예제별 기울기", "the per-example gradients", tuple(per_example)),
        Step("전체 배치 기울기 (평균)", "the full-batch gradient (their mean)", full),
        Step(
            f"크기 {size}인 미니 배치 {len(batches)}개 전부의 평균",
            f"the mean over all {len(batches)} mini-batches of size {size}",
            mean,
            equals_previous=True,
        ),
        Step(
            "미니 배치 기울기의 분산 (모든 배치를 열거)",
            "the variance of the mini-batch gradient (every batch enumerated)",
            variance,
        ),
        Step(
            "s²/B · (N − B)/N 과 같다: B 가 커질수록 줄어든다",
            "equal to s²/B · (N − B)/N: it shrinks as B grows",
            formula,
            equals_previous=True,
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        rng = np.random.default_rng(seed)
        grads = np.array([[float(v) for v in g] for g in per_example])
        draws = max(points, 1000) * 20
        picks = np.array([rng.choice(N, size=size, replace=False) for _ in range(draws)])
        sampled = grads[picks].mean(axis=1)
        comparison = Comparison("random mini-batches drawn with NumPy", 5e-2)
        comparison.add(sampled.mean(axis=0), np.array([float(v) for v in mean]))
        comparison.add(sampled.var(axis=0), np.array([float(v) for v in variance]))
        return dataclasses.replace(comparison.report(), points=draws)

    return Derivation((mean, variance), steps, verify)


@helper
def regularized_update(loss: Any, params: Any, l1: Any, l2: Any, lr: Any) -> Derivation:
    """Gradient of loss + l1·Σ|θ| + (l2/2)·Σθ² and the update it gives (L2 is weight decay).

    Returns ``(gradient, update)``, the update being θ − lr·gradient.

    Examples:
        >>> w = sp.Symbol("w", positive=True)
        >>> regularized_update((w - 1) ** 2, [w], 0, sp.Rational(1, 10), sp.Rational(1, 2)).result
        (Matrix([[21*w/10 - 2]]), Matrix([[1 - w/20]]))
    """
    loss = _inputs.expression(loss, "loss")
    params = _inputs.symbols(params, "params")
    l1, l2, lr = (_inputs.expression(v, name) for v, name in ((l1, "l1"), (l2, "l2"), (lr, "lr")))
    # |θ| differentiates to sign(θ) only for real θ; complex symbols give re/im terms.
    real = {p: sp.Symbol(p.name, real=True) for p in params if not p.is_real}
    loss, params = loss.subs(real), [real.get(p, p) for p in params]
    theta = sp.Matrix(params)
    penalty = l1 * sum((sp.Abs(p) for p in params), sp.Integer(0)) + l2 / 2 * sum((p**2 for p in params), sp.Integer(0))
    total = loss + penalty
    gradient = sp.Matrix([sp.expand(sp.diff(total, p)) for p in params])
    update = (theta - lr * gradient).applyfunc(sp.expand)
    plain = sp.Matrix([sp.diff(loss, p) for p in params])
    decay = ((1 - lr * l2) * theta - lr * plain - lr * l1 * theta.applyfunc(sp.sign)).applyfunc(sp.expand)
    steps = [
        Step("규제항을 더한 손실 L + λ₁Σ|θ| + (λ₂/2)Σθ²", "the loss with penalties L + λ₁Σ|θ| + (λ₂/2)Σθ²", total),
        Step(
            "기울기: L1 은 λ₁·sign(θ), L2 는 λ₂·θ 를 더한다", "its gradient: L1 adds λ₁·sign(θ), L2 adds λ₂·θ", gradient
        ),
        Step("갱신 θ − η∇", "the update θ − η∇", update),
        Step(
            "(1 − ηλ₂)θ − η∇L − ηλ₁ sign(θ): L2 는 가중치를 매번 줄인다 (가중치 감쇠)",
            "(1 − ηλ₂)θ − η∇L − ηλ₁ sign(θ): L2 shrinks the weights every step (weight decay)",
            decay,
            equals_previous=True,
        ),
    ]
    pairs = [(total, gradient[j], p) for j, p in enumerate(params)]
    return Derivation((gradient, update), steps, derivative_verifier(pairs))


@helper
def dropout(p: Any) -> Derivation:
    """Inverted dropout keeps each unit with probability 1 − p and scales it by 1/(1 − p).

    Returns ``(mean, variance)`` of the mask: the mean is 1, so E[output] = input.

    Examples:
        >>> dropout(sp.Rational(1, 2)).result
        (1, 1)
    """
    import sympy.stats as stats

    p = _inputs.expression(p, "p")
    if p.is_number and not (0 <= p < 1):
        raise GlossaryError(f"the drop probability p = {p} must be in [0, 1)")
    keep = stats.Bernoulli("K", 1 - p)
    mask = keep / (1 - p)
    mean = sp.simplify(stats.E(mask))
    variance = sp.simplify(stats.variance(mask))
    plain_mean = sp.simplify(stats.E(keep))
    steps = [
        Step(
            "유지 여부 K ~ Bernoulli(1 − p)", "keep indicator K ~ Bernoulli(1 − p)", sp.Eq(sp.Symbol("P(K=1)"), 1 - p)
        ),
        Step(
            "그냥 끄기만 하면 기댓값이 1 − p 로 줄어든다", "dropping alone shrinks the expectation to 1 − p", plain_mean
        ),
        Step("역드롭아웃 마스크 K/(1 − p) 의 기댓값", "the inverted-dropout mask K/(1 − p) has mean", mean),
        Step(
            "그래서 E[마스크·a] = a: 추론 때 보정이 필요 없다",
            "so E[mask·a] = a: nothing to rescale at inference",
            sp.Integer(1),
            equals_previous=True,
        ),
        Step("마스크의 분산 p/(1 − p)", "the mask's variance p/(1 − p)", variance),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, sample_symbols

        rng = np.random.default_rng(seed)
        comparison = Comparison("sampled dropout masks (NumPy)", 2e-2)
        free = sorted(p.free_symbols, key=sp.default_sort_key)
        values = sample_symbols(free, 5, rng) if free else {}
        for d in range(5 if free else 1):
            chance = float(p.subs({s: min(abs(values[s][d]) / 3, 0.9) for s in free}))
            masks = (rng.random(200_000) >= chance) / (1 - chance)
            here = {s: min(abs(values[s][d]) / 3, 0.9) for s in free}
            comparison.add(masks.mean(), float(mean.subs(here)))
            comparison.add(
                masks.var() / (1 + masks.var()), float(variance.subs(here)) / (1 + float(variance.subs(here)))
            )
        return dataclasses.replace(comparison.report(), points=200_000 * (5 if free else 1))

    return Derivation((mean, variance), steps, verify)


@helper
def polynomial_fit(train: Any, validation: Any, max_degree: Any) -> Derivation:
    """Exact least-squares polynomial fits of degree 0..max_degree and their errors.

    Returns ``[(degree, training MSE, validation MSE), ...]``: training error
    never rises with the degree, while validation error eventually does.

    Examples:
        >>> rows = polynomial_fit([(0, 0), (1, 1), (2, 4)], [(3, 9)], 2).result
        >>> rows[-1]
        (2, 0, 0)
    """
    x = sp.Symbol("x")
    train_rows = _examples(train, [x, sp.Symbol("y")])
    validation_rows = _examples(validation, [x, sp.Symbol("y")])
    max_degree = _inputs.nonnegative_int(max_degree, "max_degree")
    if max_degree >= len(train_rows):
        raise GlossaryError(
            f"max_degree {max_degree} needs at least {max_degree + 1} training points, got {len(train_rows)}"
        )
    rows, fits = [], []
    for degree in range(max_degree + 1):
        design = sp.Matrix([[xi**j for j in range(degree + 1)] for xi, _ in train_rows])
        target = sp.Matrix([yi for _, yi in train_rows])
        coefficients = (design.T * design).LUsolve(design.T * target)
        polynomial = sum((c * x**j for j, c in enumerate(coefficients)), sp.Integer(0))
        train_error = sum(((polynomial.subs(x, xi) - yi) ** 2 for xi, yi in train_rows), sp.Integer(0)) / len(
            train_rows
        )
        validation_error = sum(((polynomial.subs(x, xi) - yi) ** 2 for xi, yi in validation_rows), sp.Integer(0)) / len(
            validation_rows
        )
        rows.append((degree, sp.nsimplify(train_error), sp.nsimplify(validation_error)))
        fits.append(sp.expand(polynomial))
    best = min(rows, key=lambda r: float(r[2]))[0]
    steps = [
        Step(
            "정규 방정식 (XᵀX)c = Xᵀy 로 차수별 최소제곱 다항식",
            "least-squares polynomials of each degree from (XᵀX)c = Xᵀy",
            tuple(fits),
        ),
        Step(
            "훈련 오차 (차수가 오를수록 줄어든다)",
            "training error (falls as the degree rises)",
            tuple(r[1] for r in rows),
        ),
        Step("검증 오차", "validation error", tuple(r[2] for r in rows)),
        Step("검증 오차가 가장 작은 차수", "the degree with the smallest validation error", sp.Integer(best)),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        comparison = Comparison("numpy.polyfit on the same data", 1e-6)
        tx = np.array([float(a) for a, _ in train_rows])
        ty = np.array([float(b) for _, b in train_rows])
        vx = np.array([float(a) for a, _ in validation_rows])
        vy = np.array([float(b) for _, b in validation_rows])
        for degree, train_error, validation_error in rows:
            fitted = np.polynomial.Polynomial.fit(tx, ty, degree)
            comparison.add(np.mean((fitted(tx) - ty) ** 2), float(train_error))
            comparison.add(np.mean((fitted(vx) - vy) ** 2), float(validation_error))
        return comparison.report()

    return Derivation(rows, steps, verify)
