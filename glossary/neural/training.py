"""Training: gradient descent, batches and mini-batches, regularisation, dropout, overfitting."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from .. import _inputs, limits
from ..derivation import Derivation, Part, Step, VerificationReport, helper, values_equal
from ..errors import GlossaryError
from ..numeric import derivative_verifier
from .networks import _Named

__all__ = [
    "batch_gradient",
    "dropout",
    "gradient_descent",
    "minibatch_gradient",
    "polynomial_fit",
    "regularized_update",
]

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(number: Any) -> str:
    return str(number).translate(_SUBSCRIPT)


def _vector_or_scalar(values: Sequence[sp.Expr]) -> Any:
    """One parameter: the value itself; several: a column (what parts and steps show)."""
    return values[0] if len(values) == 1 else sp.Matrix(values)


def _key_name(symbol: sp.Symbol) -> str | None:
    """A symbol's name if it can end a part key (``gradient_w``), else None."""
    return symbol.name if symbol.name.isidentifier() and symbol.name.isascii() else None


def _theta(params: list[sp.Symbol]) -> str:
    """θ = w or θ = (w, v), for captions."""
    if len(params) == 1:
        return rf"\theta = {sp.latex(params[0])}"
    return r"\theta = (" + ", ".join(sp.latex(p) for p in params) + ")"


def _iterate_name(k: Any) -> _Named:
    text = f"θ{_sub(k)}" if str(k).isdigit() else f"θ_{k}"
    return _Named(text, rf"\theta_{{{k}}}")


def _at_step(symbol: sp.Symbol, k: str) -> _Named:
    """``w_k`` (or ``w_{1}^{(k)}`` for a symbol that already has a subscript)."""
    latex = sp.latex(symbol)
    shown = f"{latex}_{{{k}}}" if "_" not in latex else rf"{latex}^{{({k})}}"
    return _Named(f"{sp.pretty(symbol)}_{k}", shown, real=True)


# -- gradient descent ---------------------------------------------------------------------------

#: The most updates gradient_descent takes.
MAX_STEPS = 10_000
#: A fraction with more digits than this (numerator or denominator) ends the exact iteration.
EXACT_DIGITS = 100
#: An exact iterate that is not a fraction ends the exact iteration past this many operations.
EXACT_OPERATIONS = 200
#: Significant digits of the iterates after the switch to decimals.
DECIMAL_DIGITS = 15


def _too_long(value: sp.Expr) -> bool:
    if value.is_Rational:
        return max(abs(value.p), value.q).bit_length() > EXACT_DIGITS * math.log2(10)
    return sp.count_ops(value) > EXACT_OPERATIONS


def _updated(current: tuple, grad: list, params: list, lr: sp.Expr) -> tuple:
    at = dict(zip(params, current, strict=True))
    return tuple(sp.expand(c - lr * g.xreplace(at)) for c, g in zip(current, grad, strict=True))


def _exact_update(current: tuple, grad: list, params: list, lr: sp.Expr) -> tuple | None:
    """The next exact iterate, or None if expanding it would take more than a couple of seconds.

    Fractions are added at once; a polynomial in a symbolic learning rate can grow
    to thousands of terms in one update (a cubic gradient triples its degree), so
    that expansion runs under a short limit.
    """
    if (lr.is_Rational and all(c.is_Rational for c in current)) or sum(sp.count_ops(c) for c in current) <= 50:
        return _updated(current, grad, params, lr)
    return limits.attempt(_updated, current, grad, params, lr, seconds=2)


@helper
def gradient_descent(f: Any, params: Any, lr: Any, start: Any, steps: Any) -> Derivation:
    """Iterates of θ ← θ − η∇f(θ): a list of ``steps + 1`` tuples, starting at ``start``.

    Exact input stays exact while the fractions stay short (up to 100 digits);
    from then on the run continues in decimals of 15 significant digits, and the
    steps say where. With a symbolic learning rate or start the iterates must
    stay exact, so a run whose iterates grow past 200 operations is refused with
    the number of updates that fit. Up to 10,000 updates. Gradient descent
    approaches a point where the gradient is 0 (a stationary point, usually a
    local minimum) when the learning rate is small enough, and can diverge
    when it is too large. Parts: ``theta_0 … theta_3``, ``theta_K``, ``final``
    and ``final_value`` (the objective at the last iterate).

    Examples:
        >>> w = sp.Symbol("w")
        >>> gradient_descent(w**2, [w], sp.Rational(1, 4), [1], 3).result
        [(1,), (1/2,), (1/4,), (1/8,)]
    """
    f = _inputs.expression(f, "f")
    params = _inputs.symbols(params, "params")
    lr = _inputs.expression(lr, "lr")
    count = _inputs.whole_number(steps, "steps", 0, MAX_STEPS)
    _inputs.refuse_text(start, "start")
    start = _inputs.listed(start)
    if isinstance(start, (str, bytes)) or not isinstance(start, Sequence) or len(start) != len(params):
        raise GlossaryError(f"start must list one value for each of {params}, got {start!r}")
    start = tuple(_inputs.expression(v, f"start[{i}]") for i, v in enumerate(start))
    extra = f.free_symbols - set(params)
    if extra:
        raise GlossaryError(f"f has symbols {sorted(map(str, extra))} that are not among params {params}")
    if lr.is_number and not lr.is_positive:
        raise GlossaryError(f"lr must be positive, got {lr}")
    if lr.free_symbols & set(params) or any(s.free_symbols & set(params) for s in start):
        raise GlossaryError("lr and start must not contain the parameters themselves")
    grad = [sp.diff(f, p) for p in params]
    symbolic = bool(lr.free_symbols or any(s.free_symbols for s in start))

    iterates: list[tuple[sp.Expr, ...]] = [start]
    switched_at = None  # the first iterate computed in decimals
    for number in range(1, count + 1):
        current = iterates[-1]
        if switched_at is None:
            following = _exact_update(current, grad, params, lr)
            if following is not None and not any(_too_long(v) for v in following):
                iterates.append(following)
                continue
            if symbolic:
                raise GlossaryError(
                    f"after {number} updates the iterates, written in the symbols "
                    f"{sorted(map(str, lr.free_symbols.union(*(s.free_symbols for s in start))))}, grow past "
                    f"{EXACT_OPERATIONS} operations; use at most {number - 1} steps, or give numbers for "
                    "lr and start (decimals take over when fractions grow long)"
                )
            switched_at = number
            iterates.extend(_decimal_run(grad, params, lr, current, count - number + 1, number))
            break

    theta_latex = _theta(params)
    f_of = sp.Function("f")(*params)
    if len(params) == 1:
        gradient_name: Any = sp.Derivative(f_of, params[0])
    else:
        inner = ", ".join(sp.latex(p) for p in params)
        gradient_name = _Named(f"∇f({', '.join(map(str, params))})", rf"\nabla f\left({inner}\right)")
    walk = [
        Step("목적 함수", "the objective", sp.Eq(f_of, f, evaluate=False)),
        Step(
            "기울기" if len(params) > 1 else "도함수",
            "its gradient" if len(params) > 1 else "its derivative",
            {gradient_name: _vector_or_scalar(grad)},
        ),
        Step(
            rf"갱신 규칙(${theta_latex}$, $\eta$: 학습률): 기울기에 $\eta$를 곱한 만큼 기울기의 반대 방향으로 "
            "움직인다. 목적 함수가 매끄럽고 학습률이 충분히 작으면 기울기가 0인 점(정류점, 대개 극솟값)에 "
            "다가가고, 너무 크면 발산할 수 있다",
            rf"the update rule (${theta_latex}$, $\eta$: the learning rate): a step against the gradient, "
            r"scaled by $\eta$; on a smooth objective, with a small enough rate it approaches a point where the "
            "gradient is 0 (a stationary point, usually a local minimum), with too large a rate it can diverge",
            sp.Eq(
                _Named("θₖ₊₁", r"\theta_{k+1}"),
                _Named("θₖ − η∇f(θₖ)", r"\theta_{k} - \eta \nabla f(\theta_{k})"),
                evaluate=False,
            ),
        ),
        Step(
            r"학습률 $\eta$와 시작점 $\theta_0$",
            r"the learning rate $\eta$ and the starting point $\theta_0$",
            {_Named("η", r"\eta"): lr, _iterate_name(0): _vector_or_scalar(start)},
        ),
    ]
    now = {p: _at_step(p, "k") for p in params}
    rule = [sp.expand(now[p] - lr * g.xreplace(now)) for p, g in zip(params, grad, strict=True)]
    if all(sp.count_ops(r) <= 40 for r in rule):
        walk.append(
            Step(
                r"이 학습률로 쓴 한 번의 갱신(좌표마다)",
                r"one update with this learning rate, coordinate by coordinate",
                {_at_step(p, "k+1"): r for p, r in zip(params, rule, strict=True)},
            )
        )
    for number, point in enumerate(iterates[1 : min(len(iterates), 4)], 1):
        shown, decimal = _shown(point)
        ko, en = (" (소수로 나타냄)", ", in decimals") if decimal else ("", "")
        walk.append(
            Step(
                f"{number}번 갱신한 뒤{ko}",
                f"after {number} update{'s' if number > 1 else ''}{en}",
                _named_iterate(number, shown),
            )
        )
    if switched_at is not None:
        walk.append(
            Step(
                rf"$\theta_{{{switched_at}}}$부터는 정확한 분수가 {EXACT_DIGITS}자리를 넘으므로 유효숫자 "
                f"{DECIMAL_DIGITS}자리 소수로 계산한다",
                rf"from $\theta_{{{switched_at}}}$ on the exact fractions would pass {EXACT_DIGITS} digits, so the "
                f"run continues in decimals of {DECIMAL_DIGITS} significant digits",
                _named_iterate(switched_at, _vector_or_scalar(iterates[switched_at])),
            )
        )
    final = iterates[-1]
    at_final = dict(zip(params, final, strict=True))
    final_value = _settle(f.xreplace(at_final))
    final_gradient = [_settle(g.xreplace(at_final)) for g in grad]
    if count >= 4:
        shown, decimal = _shown(final)
        ko, en = (" (소수로 나타냄)", ", in decimals") if decimal else ("", "")
        walk.append(Step(f"{count}번 갱신한 뒤{ko}", f"after {count} updates{en}", _named_iterate(count, shown)))
    first_gradient = [g.xreplace(dict(zip(params, iterates[0], strict=True))) for g in grad]
    if _near_zero(final_gradient, first_gradient):
        ko_note = "기울기가 0에 가까우므로 정류점 근처다"
        en_note = "the gradient is close to 0, so a stationary point is near"
    else:
        ko_note = "기울기가 0에 가깝지 않으므로 아직 정류점에 이르지 못했다"
        en_note = "the gradient is not close to 0, so no stationary point has been reached yet"
    walk.append(
        Step(
            rf"그때의 목적 함숫값 $f(\theta_{{{count}}})$와 기울기: {ko_note}",
            rf"the objective $f(\theta_{{{count}}})$ and the gradient there: {en_note}",
            {
                _Named(f"f(θ{_sub(count)})", rf"f(\theta_{{{count}}})"): _decimal_if_long(final_value),
                _Named(f"∇f(θ{_sub(count)})", rf"\nabla f(\theta_{{{count}}})"): _vector_or_scalar(
                    [_decimal_if_long(g) for g in final_gradient]
                ),
            },
        )
    )

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_descent(f, grad, params, lr, iterates, points, seed)

    parts = [
        Part(f"theta_{k}", rf"\theta_{{{k}}}", f"θ{_sub(k)}", _vector_or_scalar(iterates[k]))
        for k in range(min(4, count + 1))
    ]
    if count >= 4:
        parts.append(Part(f"theta_{count}", rf"\theta_{{{count}}}", f"θ{_sub(count)}", _vector_or_scalar(final)))
    parts.append(Part("final", rf"\theta_{{{count}}}", f"θ{_sub(count)}", _vector_or_scalar(final)))
    parts.append(Part("final_value", rf"f(\theta_{{{count}}})", f"f(θ{_sub(count)})", final_value))
    return Derivation(iterates, walk, verify, parts=parts)


def _near_zero(gradient: list[sp.Expr], first: list[sp.Expr]) -> bool:
    """Whether a numeric gradient has shrunk to at most 1% of the first one's size (or to 10⁻⁹ when
    the first was already 0); a symbolic gradient never counts as near 0."""
    try:
        size = max(abs(float(sp.N(g, 15))) for g in gradient)
        start = max(abs(float(sp.N(g, 15))) for g in first)
    except (TypeError, ValueError):
        return False
    return size <= max(start * 1e-2, 1e-9)


def _named_iterate(k: int, value: Any) -> dict:
    return {_iterate_name(k): value}


def _settle(value: sp.Expr) -> sp.Expr:
    """A value at an iterate, expanded when exact (a Float stays as it is)."""
    return value if value.has(sp.Float) else sp.expand(value)


def _short(value: sp.Expr) -> bool:
    """Shown as it is: symbolic, or an exact number of at most 24 characters."""
    return bool(value.free_symbols) or (not value.has(sp.Float) and len(str(value)) <= 24)


def _decimal_if_long(value: sp.Expr) -> sp.Expr:
    return value if _short(value) else sp.Float(sp.N(value, DECIMAL_DIGITS), 6)


def _shown(point: tuple[sp.Expr, ...]) -> tuple[Any, bool]:
    """An iterate as a step shows it: exact if short, else 6-digit decimals."""
    if all(_short(v) for v in point):
        return _vector_or_scalar(list(point)), False
    return _vector_or_scalar([_decimal_if_long(v) for v in point]), True


def _decimal_run(grad, params, lr, current, remaining: int, first: int) -> list[tuple[sp.Expr, ...]]:
    """The rest of the run in decimals (mpmath, so a diverging run grows without overflowing)."""
    import mpmath

    with mpmath.workdps(DECIMAL_DIGITS):
        slope = sp.lambdify(params, grad, modules="mpmath")
        rate = mpmath.mpf(sp.N(lr, DECIMAL_DIGITS + 5))
        theta = [mpmath.mpf(sp.N(v, DECIMAL_DIGITS + 5)) for v in current]
        out = []
        for number in range(first, first + remaining):
            try:
                values = slope(*theta)
            except (ValueError, ZeroDivisionError, TypeError) as error:
                raise GlossaryError(
                    f"the gradient cannot be evaluated at the iterate before update {number}: {error}"
                ) from None
            if any(isinstance(v, mpmath.mpc) for v in values) or any(mpmath.isnan(v) for v in values):
                raise GlossaryError(f"the gradient is not a real number at the iterate before update {number}")
            theta = [t - rate * v for t, v in zip(theta, values, strict=True)]
            out.append(tuple(sp.Float(t, DECIMAL_DIGITS) for t in theta))
    return out


def _verify_descent(f, grad, params, lr, iterates, points, seed) -> VerificationReport:
    """Each update recomputed from the claimed iterate with the analytic gradient at 30 digits,
    and the analytic gradient checked against finite differences of f at the iterates.

    Checking one update at a time keeps a diverging or chaotic run checkable: an error
    made at one step is caught there instead of being amplified along the run.
    """
    import mpmath
    import numpy as np

    from ..numeric import Comparison, five_point_derivative, lambdify, sample_symbols

    free = sorted(lr.free_symbols.union(*(v.free_symbols for it in iterates for v in it)), key=sp.default_sort_key)
    rng = np.random.default_rng(seed)
    draws = min(points, 10) if free else 1
    samples = sample_symbols(free, draws, rng, spread=0.5)
    comparison = Comparison(
        "each update recomputed with the analytic gradient (mpmath, 30 digits), and the gradient against "
        "finite differences of f",
        1e-8,
    )
    objective = lambdify(params, f)
    width = len(params)
    with mpmath.workdps(30):
        slope = sp.lambdify(params, grad, modules="mpmath")
        for draw in range(draws):
            at = {s: sp.Float(float(samples[s][draw]), 30) for s in free}

            def value_of(value: sp.Expr, at: dict = at) -> Any:
                return mpmath.mpf(sp.N(value.xreplace(at) if at else value, 30))

            rate = value_of(lr)
            claimed = [[value_of(v) for v in iterate] for iterate in iterates]
            point = {str(s): float(samples[s][draw]) for s in free}
            for index in range(len(claimed) - 1):
                here = claimed[index]
                step = [rate * g for g in slope(*here)]
                expected = [h - s for h, s in zip(here, step, strict=True)]
                scale = max([mpmath.mpf(1)] + [abs(v) for v in (*here, *step)])
                comparison.add(
                    np.array([complex(e / scale) for e in expected]),
                    np.array([complex(c / scale) for c in claimed[index + 1]]),
                    {**point, "update": index + 1},
                )
            # The analytic gradient against finite differences of f, where the iterates are moderate.
            for index, here in enumerate(claimed[:50]):
                position = np.array([float(v) for v in here])
                if not np.all(np.isfinite(position)) or np.max(np.abs(position)) > 1e6:
                    continue
                columns = [np.array([v]) for v in position]
                analytic = np.array([complex(v) for v in slope(*here)])
                coarse = np.array([five_point_derivative(objective, columns, i, 1)[0] for i in range(width)])
                fine = np.array(
                    [five_point_derivative(objective, columns, i, 1, scale=2.5e-4)[0] for i in range(width)]
                )
                smooth = np.isfinite(coarse) & (np.abs(coarse - fine) <= 1e-7 * (1 + np.abs(coarse)))
                if smooth.any():
                    comparison.add(coarse[smooth], analytic[smooth], {**point, "iterate": index})
    return comparison.report()


# -- batches --------------------------------------------------------------------------------------

#: The most samples the batch helpers take.
MAX_SAMPLES = 2_000


def _examples(examples: Any, variables: list[sp.Symbol], name: str = "examples") -> list[tuple[sp.Expr, ...]]:
    _inputs.refuse_text(examples, name)
    examples = _inputs.listed(examples)
    if isinstance(examples, (str, bytes)) or not isinstance(examples, Sequence) or not examples:
        raise GlossaryError(f"{name} must be a non-empty list of value tuples, got {examples!r}")
    if len(examples) > MAX_SAMPLES:
        raise GlossaryError(f"{name} has {len(examples):,} rows; at most {MAX_SAMPLES:,} are supported")
    rows = []
    for number, row in enumerate(examples):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != len(variables):
            raise GlossaryError(f"{name}[{number}] must give {len(variables)} values for {variables}, got {row!r}")
        rows.append(tuple(_exact(_inputs.expression(v, f"{name}[{number}]")) for v in row))
    return rows


def _exact(value: sp.Expr) -> sp.Expr:
    """A decimal input read as the decimal fraction it spells (0.1 → 1/10)."""
    if isinstance(value, sp.Float):
        return sp.Rational(str(value))
    return value


def _per_sample(gradients: list[sp.Matrix]) -> sp.Matrix | None:
    """The per-sample gradients stacked (one row per sample, a column per parameter), if few enough
    to read; a row each keeps the matrix narrow on a phone."""
    if len(gradients) > 8:
        return None
    return sp.Matrix.vstack(*(gradient.T for gradient in gradients))


def _gradient_parts(
    key: str, names: tuple[str, str], params: list[sp.Symbol], value: sp.Matrix, component
) -> list[Part]:
    """The whole vector under ``key`` and, for several parameters, each component under ``key_<name>``.

    ``component(latex, text)`` of a parameter's names gives that component's names.
    """
    parts = [Part(key, *names, _vector_or_scalar(list(value)))]
    if len(params) > 1:
        for p, entry in zip(params, value, strict=True):
            name = _key_name(p)
            if name:
                parts.append(Part(f"{key}_{name}", *component(sp.latex(p), sp.pretty(p)), entry))
    return parts


@helper
def batch_gradient(loss: Any, params: Any, variables: Any, examples: Any) -> Derivation:
    """The full-batch gradient: the gradient of the mean loss, equal to the mean of per-sample gradients.

    ``loss`` is the loss of one sample written in ``params`` and the data
    ``variables``; the training loss is the mean over the samples (with a sum,
    the gradient would be N times larger). Up to 2,000 samples. Parts:
    ``gradient`` and, for several parameters, ``gradient_<name>``.

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
    per_sample = [
        sp.Matrix([sp.diff(loss, p) for p in params]).xreplace(dict(zip(variables, r, strict=True))) for r in rows
    ]
    mean_of_gradients = (sum(per_sample, sp.zeros(len(params), 1)) / count).applyfunc(sp.expand)
    mean_loss = sp.Add(*(loss.xreplace(dict(zip(variables, r, strict=True))) for r in rows)) / count
    gradient_of_mean = sp.Matrix([sp.expand(sp.diff(mean_loss, p)) for p in params])
    steps = [
        Step("샘플 하나의 손실", "the loss of one sample", loss),
        Step(
            f"샘플 {count}개의 평균 손실: 학습 손실을 샘플별 손실의 평균으로 정의한다(합으로 정의하면 기울기가 "
            f"{count}배가 된다)",
            f"the mean loss over the {count} samples: the training loss is defined as the mean of the "
            f"per-sample losses (with a sum the gradient would be {count} times larger)",
            sp.expand(mean_loss),
        ),
    ]
    side_by_side = _per_sample(per_sample)
    if side_by_side is not None:
        steps.append(
            Step("샘플별 기울기(행마다 샘플 하나)", "the gradient of each sample (one row each)", side_by_side)
        )
    steps += [
        Step("샘플별 기울기의 평균", "the mean of the per-sample gradients", mean_of_gradients),
        Step(
            "평균 손실의 기울기와 같다(미분은 선형이므로)",
            "equal to the gradient of the mean loss (differentiation is linear)",
            gradient_of_mean,
            equals_previous=True,
        ),
    ]
    pairs = [(mean_loss, gradient_of_mean[j], p) for j, p in enumerate(params)]
    parts = _gradient_parts(
        "gradient",
        (r"\nabla L", "∇L"),
        params,
        gradient_of_mean,
        lambda latex, text: (rf"\frac{{\partial L}}{{\partial {latex}}}", f"∂L/∂{text}"),
    )
    return Derivation(gradient_of_mean, steps, derivative_verifier(pairs), parts=parts)


#: Mini-batches enumerated exactly: fractions are added quickly, symbolic entries slowly.
MAX_ENUMERATED_BATCHES = 100_000
MAX_ENUMERATED_SYMBOLIC_BATCHES = 2_000


def _enumerate_batches(per_sample: list[sp.Matrix], size: int) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Mean and variance (per coordinate) of the batch mean over every batch, exactly."""
    width = per_sample[0].rows
    rational = all(e.is_Rational for g in per_sample for e in g)
    if rational:
        grads = [[Fraction(int(e.p), int(e.q)) for e in g] for g in per_sample]
        total = [Fraction(0)] * width
        squares = [Fraction(0)] * width
        batches = 0
        for batch in itertools.combinations(range(len(grads)), size):
            batches += 1
            for j in range(width):
                m = sum(grads[i][j] for i in batch) / size
                total[j] += m
                squares[j] += m * m
        means = [t / batches for t in total]
        variances = [s / batches - m * m for s, m in zip(squares, means, strict=True)]
        return [sp.Rational(m.numerator, m.denominator) for m in means], [
            sp.Rational(v.numerator, v.denominator) for v in variances
        ]
    batch_means = [
        sum((per_sample[i] for i in batch), sp.zeros(width, 1)) / size
        for batch in itertools.combinations(range(len(per_sample)), size)
    ]
    mean = sum(batch_means, sp.zeros(width, 1)) / len(batch_means)
    variance = sum(((m - mean).applyfunc(lambda e: e**2) for m in batch_means), sp.zeros(width, 1)) / len(batch_means)
    return [sp.expand(e) for e in mean], [sp.factor(sp.expand(e)) for e in variance]


@helper
def minibatch_gradient(loss: Any, params: Any, variables: Any, examples: Any, batch_size: Any, at: Any) -> Derivation:
    """Mean and variance of the mini-batch gradient over every batch drawn without replacement.

    A mini-batch is ``batch_size`` samples drawn uniformly without replacement.
    Returns ``(mean, variance)`` column matrices at the parameter values ``at``,
    the variance per coordinate: the mean equals the full-batch gradient (an
    unbiased estimate) and the variance is s²/B · (N − B)/N, with s² the sample
    variance of the per-sample gradients (divisor N − 1), shrinking as the batch
    size B grows. Every batch is enumerated when there are at most 100,000 of
    them (2,000 with symbolic data); beyond that the formula alone gives the
    values and the steps say so. Parts: ``mean``, ``variance`` and, for several
    parameters, ``mean_<name>``, ``variance_<name>``.

    Examples:
        >>> w, x, y = sp.symbols("w x y")
        >>> mean, variance = minibatch_gradient((w * x - y) ** 2, [w], [x, y], [(1, 0), (2, 0), (3, 0)], 1, [1]).result
        >>> mean, variance
        (Matrix([[28/3]]), Matrix([[392/9]]))
    """
    loss = _inputs.expression(loss, "loss")
    params = _inputs.symbols(params, "params")
    variables = _inputs.symbols(variables, "variables")
    rows = _examples(examples, variables)
    N = len(rows)
    size = _inputs.whole_number(batch_size, "batch_size", 1, N)
    _inputs.refuse_text(at, "at")
    at = _inputs.listed(at)
    if isinstance(at, (str, bytes)) or not isinstance(at, Sequence) or len(at) != len(params):
        raise GlossaryError(f"at must give one value for each of {params}, got {at!r}")
    point = {p: _exact(_inputs.expression(v, f"at[{i}]")) for i, (p, v) in enumerate(zip(params, at, strict=True))}
    gradient = sp.Matrix([sp.diff(loss, p) for p in params])
    per_sample = [
        gradient.xreplace({**dict(zip(variables, r, strict=True)), **point}).applyfunc(sp.expand) for r in rows
    ]
    full = (sum(per_sample, sp.zeros(len(params), 1)) / N).applyfunc(sp.expand)
    spread = (
        sum(((g - full).applyfunc(lambda e: e**2) for g in per_sample), sp.zeros(len(params), 1)) / (N - 1)
        if N > 1
        else sp.zeros(len(params), 1)
    )
    formula = (spread * sp.Rational(N - size, N * size)).applyfunc(sp.factor)
    batches = math.comb(N, size)
    rational = all(e.is_Rational for g in per_sample for e in g)
    limit = MAX_ENUMERATED_BATCHES if rational else MAX_ENUMERATED_SYMBOLIC_BATCHES
    side_by_side = _per_sample(per_sample)
    steps = []
    if side_by_side is not None:
        steps.append(Step("샘플별 기울기(행마다 샘플 하나)", "the per-sample gradients (one row each)", side_by_side))
    steps.append(Step("전체 배치 기울기(샘플별 기울기의 평균)", "the full-batch gradient (their mean)", full))
    if batches <= limit:
        means, variances = _enumerate_batches(per_sample, size)
        mean, variance = sp.Matrix(means), sp.Matrix(variances)
        steps += [
            Step(
                f"중복 없이 뽑은 크기 {size}인 미니배치 {batches:,}개 전체에 대한 평균: 전체 배치 기울기와 같다"
                "(불편 추정량)",
                f"the mean over all {batches:,} mini-batches of size {size} drawn without replacement: the "
                "full-batch gradient (an unbiased estimate)",
                mean,
                equals_previous=True,
            ),
            Step(
                "미니배치 기울기의 분산(성분별, 가능한 배치를 모두 열거)",
                "the variance of the mini-batch gradient (per component, every batch enumerated)",
                variance,
            ),
            Step(
                r"$s^2/B \cdot (N - B)/N$의 값과 같다($s^2$: 샘플별 기울기의 표본 분산, $N - 1$로 나눔): "
                r"$B$가 커질수록 줄어든다",
                r"equal to $s^2/B \cdot (N - B)/N$ ($s^2$: the sample variance of the per-sample gradients, "
                r"divisor $N - 1$): it shrinks as $B$ grows",
                formula,
                equals_previous=True,
            ),
        ]
    else:
        mean, variance = full, formula
        steps += [
            Step(
                f"크기 {size}인 미니배치는 {batches:,}개라 모두 열거하지 않는다. 미니배치 기울기의 평균은 전체 배치 "
                "기울기와 같다(불편 추정량)",
                f"there are {batches:,} mini-batches of size {size}, too many to list; the mean of the mini-batch "
                "gradient is the full-batch gradient (an unbiased estimate)",
                mean,
            ),
            Step(
                r"분산(성분별)은 $s^2/B \cdot (N - B)/N$($s^2$: 샘플별 기울기의 표본 분산, $N - 1$로 나눔): "
                r"$B$가 커질수록 줄어든다",
                r"the variance (per component) is $s^2/B \cdot (N - B)/N$ ($s^2$: the sample variance of the "
                r"per-sample gradients, divisor $N - 1$): it shrinks as $B$ grows",
                variance,
            ),
        ]

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_minibatch(per_sample, size, mean, variance, points, seed)

    parts = _gradient_parts(
        "mean",
        (r"\mathbb{E}\left[\hat{g}_B\right]", "E[ĝ_B]"),
        params,
        mean,
        lambda latex, text: (rf"\mathbb{{E}}\left[\hat{{g}}_{{B,{latex}}}\right]", f"E[ĝ_B,{text}]"),
    )
    parts += _gradient_parts(
        "variance",
        (r"\operatorname{Var}\left[\hat{g}_B\right]", "Var[ĝ_B]"),
        params,
        variance,
        lambda latex, text: (rf"\operatorname{{Var}}\left[\hat{{g}}_{{B,{latex}}}\right]", f"Var[ĝ_B,{text}]"),
    )
    return Derivation((mean, variance), steps, verify, parts=parts)


def _verify_minibatch(per_sample, size, mean, variance, points, seed) -> VerificationReport:
    """Every batch enumerated in NumPy when there are few enough, else random batches (within 5 standard errors)."""
    import numpy as np

    from ..numeric import Comparison, sample_symbols

    free = sorted(
        set().union(*(g.free_symbols for g in per_sample), mean.free_symbols, variance.free_symbols),
        key=sp.default_sort_key,
    )
    rng = np.random.default_rng(seed)
    draws = min(points, 5) if free else 1
    samples = sample_symbols(free, draws, rng)
    N = len(per_sample)
    batches = math.comb(N, size)
    enumerate_all = batches <= 200_000
    if enumerate_all:
        comparison = Comparison("every mini-batch enumerated in NumPy", 1e-9)
    else:
        comparison = Comparison("random mini-batches drawn with NumPy (within 5 standard errors)", 0.5)
    for draw in range(draws):
        at = {s: float(samples[s][draw]) for s in free}
        values = {s: sp.Float(v) for s, v in at.items()}
        grads = np.array([[float(e.xreplace(values)) for e in g] for g in per_sample])
        claimed_mean = np.array([float(e.xreplace(values)) for e in mean])
        claimed_variance = np.array([float(e.xreplace(values)) for e in variance])
        if enumerate_all:
            means = np.array([grads[list(b)].mean(axis=0) for b in itertools.combinations(range(N), size)])
            comparison.add(means.mean(axis=0), claimed_mean, at)
            comparison.add(means.var(axis=0), claimed_variance, at)
            continue
        count = max(points, 1000) * 20
        picks = np.array([rng.choice(N, size=size, replace=False) for _ in range(count)])
        sampled = grads[picks].mean(axis=1)
        mean_error = np.abs(sampled.mean(axis=0) - claimed_mean) / (5 * sampled.std(axis=0) / np.sqrt(count) + 1e-12)
        deviations = (sampled - sampled.mean(axis=0)) ** 2
        variance_error = np.abs(deviations.mean(axis=0) - claimed_variance) / (
            5 * deviations.std(axis=0) / np.sqrt(count) + 1e-12
        )
        # Errors in units of 5 standard errors, mapped so that 1 (five standard errors) meets the tolerance.
        for error in (mean_error, variance_error):
            comparison.add(np.zeros_like(error), error / (1 + error), at)
    report = comparison.report()
    return report if enumerate_all else dataclasses.replace(report, points=max(points, 1000) * 20 * draws)


# -- regularisation and dropout -------------------------------------------------------------------


@helper
def regularized_update(loss: Any, params: Any, l1: Any, l2: Any, lr: Any) -> Derivation:
    """Gradient of loss + l1·Σ|θ| + (l2/2)·Σθ² and the plain gradient-descent update it gives.

    Returns ``(gradient, update)``, the update being θ − lr·gradient. The L1
    term pulls each weight towards zero by lr·l1 (against its sign); such
    sign-gradient steps do not make a weight exactly zero (the minimiser of the
    L1-penalised loss, or a proximal step, does). The L2 term shrinks every
    weight by the factor 1 − lr·l2 (weight decay), which is the same as weight
    decay for plain gradient descent only (with Adam it is not: AdamW decays
    the weights separately). Parts: ``gradient``, ``update`` and, for several
    parameters, ``gradient_<name>``, ``update_<name>``.

    Examples:
        >>> w = sp.Symbol("w", positive=True)
        >>> regularized_update((w - 1) ** 2, [w], 0, sp.Rational(1, 10), sp.Rational(1, 2)).result
        (Matrix([[21*w/10 - 2]]), Matrix([[1 - w/20]]))
    """
    loss = _inputs.expression(loss, "loss")
    params = _inputs.symbols(params, "params")
    l1, l2, lr = (_inputs.expression(v, name) for v, name in ((l1, "l1"), (l2, "l2"), (lr, "lr")))
    for value, name in ((l1, "l1"), (l2, "l2")):
        if value.is_number and value.is_negative:
            raise GlossaryError(f"{name} must not be negative, got {value}")
    if lr.is_number and not lr.is_positive:
        raise GlossaryError(f"lr must be positive, got {lr}")
    # |θ| differentiates to sign(θ) only for real θ: the work is done in real copies of the
    # parameters, and the results are given back in the caller's own symbols.
    real = {p: sp.Symbol(p.name, real=True) for p in params if not p.is_real}
    back = {r: p for p, r in real.items()}
    loss, params = loss.xreplace(real), [real.get(p, p) for p in params]
    theta = sp.Matrix(params)
    penalty = l1 * sum((sp.Abs(p) for p in params), sp.Integer(0)) + l2 / 2 * sum((p**2 for p in params), sp.Integer(0))
    total = loss + penalty
    gradient = sp.Matrix([sp.expand(sp.diff(total, p)) for p in params])
    update = (theta - lr * gradient).applyfunc(sp.expand)
    plain = sp.Matrix([sp.diff(loss, p) for p in params])
    has_l1, has_l2 = l1 != 0, l2 != 0
    steps = [
        Step(
            r"규제항을 더한 손실 $\tilde{L} = L + \lambda_1 \sum|\theta| + (\lambda_2/2) \sum \theta^2$",
            r"the loss with penalties $\tilde{L} = L + \lambda_1 \sum|\theta| + (\lambda_2/2) \sum \theta^2$",
            {_Named("λ₁", r"\lambda_1"): l1, _Named("λ₂", r"\lambda_2"): l2, _Named("L̃", r"\tilde{L}"): total},
        ),
        Step(
            r"기울기: L1 규제는 $\lambda_1 \operatorname{sign}(\theta)$를(0에서는 부분기울기), L2 규제는 "
            r"$\lambda_2 \theta$를 더한다",
            r"its gradient: L1 adds $\lambda_1 \operatorname{sign}(\theta)$ (a subgradient at 0), L2 adds "
            r"$\lambda_2 \theta$",
            gradient,
        ),
        Step(
            r"경사 하강법의 갱신 $\theta - \eta \nabla \tilde{L}$",
            r"the gradient-descent update $\theta - \eta \nabla \tilde{L}$",
            update,
        ),
    ]
    # The update taken apart, term by term, in the form each penalty's caption talks about.
    shrink, pull = sp.expand(1 - lr * l2), sp.expand(lr * l1)
    terms = {
        _Named("θ", r"\theta") if not has_l2 else _Named("(1 − ηλ₂)θ", r"(1 - \eta\lambda_2)\theta"): theta * shrink
    }
    terms[_Named("−η∇L", r"-\eta \nabla L")] = (-lr * plain).applyfunc(sp.expand)
    if has_l1:
        terms[_Named("−ηλ₁sign(θ)", r"-\eta\lambda_1 \operatorname{sign}(\theta)")] = -pull * theta.applyfunc(sp.sign)
    if not values_equal(sum(terms.values(), sp.zeros(len(params), 1)), update):  # pragma: no cover - a library bug
        raise GlossaryError("regularized_update: the terms of the update do not add up; this is a bug in the library")
    decomposed = {key: _vector_or_scalar(list(value)) for key, value in terms.items()}
    if has_l1 or has_l2:
        formula = (r"(1 - \eta\lambda_2)\theta" if has_l2 else r"\theta") + r" - \eta \nabla L"
        formula += r" - \eta\lambda_1 \operatorname{sign}(\theta)" if has_l1 else ""
        ko, en = [], []
        if has_l2:
            ko.append(
                r"L2 규제는 매 걸음 가중치를 먼저 $1 - \eta\lambda_2$배로 줄인다(가중치 감쇠). 이 동치는 일반 "
                "경사 하강법(SGD)에서만 성립하고, Adam 같은 적응형 방법에서는 달라서 가중치를 따로 줄이는 AdamW를 쓴다."
            )
            en.append(
                r"L2 shrinks every weight by the factor $1 - \eta\lambda_2$ first (weight decay); this equivalence "
                "holds for plain gradient descent (SGD) only, and with adaptive methods such as Adam it does not: "
                "AdamW decays the weights separately"
            )
        if has_l1:
            ko.append(r"L1 규제는 가중치를 부호의 반대쪽, 즉 0 쪽으로 $\eta\lambda_1$만큼 일정하게 당긴다.")
            en.append(r"L1 pulls each weight against its sign, towards zero, by a constant $\eta\lambda_1$")
        steps.append(
            Step(
                f"갱신을 항별로 나누면 ${formula}$: " + " ".join(ko),
                f"the update term by term, ${formula}$: " + "; ".join(en),
                decomposed,
            )
        )
    if has_l1:
        plain_step = theta - lr * plain
        proximal = plain_step.applyfunc(lambda u: sp.sign(u) * sp.Max(sp.Abs(u) - lr * l1, 0))
        steps.append(
            Step(
                r"부호 기울기로 한 걸음씩 가면 가중치는 0 근처에서 오갈 뿐 정확히 0이 되지 않는다. 정확한 0은 L1 규제 "
                r"손실의 최솟값이나 근접 갱신 $\operatorname{sign}(u)\max(|u| - \eta\lambda_1, 0)$"
                r"($u = \theta - \eta \nabla L$)이 준다",
                r"sign-gradient steps only jitter around 0 and do not make a weight exactly zero; exact zeros come "
                r"from the minimiser of the L1-penalised loss, or from the proximal step "
                r"$\operatorname{sign}(u)\max(|u| - \eta\lambda_1, 0)$ with $u = \theta - \eta \nabla L$",
                proximal,
            )
        )

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison, evaluate, five_point_derivative, lambdify, point_namer, sample_symbols

        rng = np.random.default_rng(seed)
        comparison = Comparison("central finite differences (five-point stencil) of the penalised loss", 1e-6)
        symbols = sorted(total.free_symbols | gradient.free_symbols | lr.free_symbols, key=sp.default_sort_key)
        samples = sample_symbols(symbols, points, rng)
        columns = [samples[s] for s in symbols]
        function = lambdify(symbols, total)
        rate = evaluate(lambdify(symbols, lr), columns, points)
        for j, p in enumerate(params):
            index = symbols.index(p)
            coarse = five_point_derivative(function, columns, index, points)
            fine = five_point_derivative(function, columns, index, points, scale=2.5e-4)
            smooth = np.isfinite(coarse) & (np.abs(coarse - fine) <= 1e-7 * (1 + np.abs(coarse)))
            keep = np.flatnonzero(smooth)
            name = point_namer(symbols, [c[keep] for c in columns])
            claimed = evaluate(lambdify(symbols, gradient[j]), columns, points)
            comparison.add(coarse[keep], claimed[keep], name)
            moved = evaluate(lambdify(symbols, update[j]), columns, points)
            comparison.add((columns[index] - rate * coarse)[keep], moved[keep], name)
        return comparison.report(minimum_points=max(1, points // 10))

    shown_params = [back.get(q, q) for q in params]
    gradient_out, update_out = gradient.xreplace(back), update.xreplace(back)
    parts = _gradient_parts(
        "gradient",
        (r"\nabla \tilde{L}", "∇L̃"),
        shown_params,
        gradient_out,
        lambda latex, text: (rf"\frac{{\partial \tilde{{L}}}}{{\partial {latex}}}", f"∂L̃/∂{text}"),
    )
    parts += _gradient_parts(
        "update",
        (r"\theta - \eta \nabla \tilde{L}", "θ − η∇L̃"),
        shown_params,
        update_out,
        lambda latex, text: (
            rf"{latex} - \eta \frac{{\partial \tilde{{L}}}}{{\partial {latex}}}",
            f"{text} − η∂L̃/∂{text}",
        ),
    )
    return Derivation((gradient_out, update_out), steps, verify, parts=parts)


@helper
def dropout(p: Any) -> Derivation:
    """Inverted dropout: each unit is dropped with probability ``p`` and the survivors are scaled by 1/(1 − p).

    ``p`` is the drop probability (PyTorch's convention; the original paper's
    p keeps a unit), 0 ≤ p < 1. Returns ``(mean, variance)`` of the mask: the
    mean is 1, so each unit's expected output is unchanged; at inference
    dropout is switched off and nothing needs rescaling. Parts: ``mean``, ``variance``.

    Examples:
        >>> dropout(sp.Rational(1, 2)).result
        (1, 1)
    """
    import sympy.stats as stats

    p = _exact(_inputs.expression(p, "p"))
    if p.is_number and not (p.is_real and 0 <= p < 1):
        raise GlossaryError(f"the drop probability p = {p} must be in [0, 1)")
    keep = stats.Bernoulli("K", 1 - p)
    mask = keep / (1 - p)
    mean = sp.simplify(stats.E(mask))
    variance = sp.simplify(stats.variance(mask))
    plain_mean = sp.simplify(stats.E(keep))
    # Shown as p/(1 − p), the form a reader knows, after checking it is the same value.
    shown_variance = p / (1 - p)
    if not values_equal(variance, shown_variance):  # pragma: no cover - a library bug
        raise GlossaryError("dropout: the mask's variance is not p/(1 − p); this is a bug in the library")
    steps = [
        Step(
            r"$p$는 드롭 확률이다(PyTorch의 관례, 원 논문의 $p$는 유지 확률). 학습 중 각 유닛을 확률 $p$로 끄므로 "
            r"유지 여부는 $K \sim \operatorname{Bernoulli}(1 - p)$",
            r"$p$ is the drop probability (PyTorch's convention; the original paper's $p$ keeps a unit): during "
            r"training each unit is switched off with probability $p$, so it is kept with $K \sim "
            r"\operatorname{Bernoulli}(1 - p)$",
            sp.Eq(_Named("P(K = 1)", r"P(K = 1)"), 1 - p, evaluate=False),
        ),
        Step(
            r"끄기만 하면 출력의 기댓값이 $1 - p$배로 줄어든다",
            r"switching units off alone scales the expected output by $1 - p$",
            sp.Eq(_Named("E[K]", r"\mathbb{E}[K]"), plain_mean, evaluate=False),
        ),
        Step(
            r"역드롭아웃은 남은 출력을 $1/(1 - p)$배 한다: 마스크 $M = K/(1 - p)$의 기댓값",
            r"inverted dropout scales the survivors by $1/(1 - p)$: the mask $M = K/(1 - p)$ has mean",
            sp.Eq(_Named("E[M]", r"\mathbb{E}[M]"), mean, evaluate=False),
        ),
        Step(
            r"그래서 $\mathbb{E}[Ma] = a$: 각 유닛 출력의 기댓값이 그대로다. 추론할 때는 드롭아웃을 끄기만 하면 "
            "되고 보정은 필요 없다",
            r"so $\mathbb{E}[Ma] = a$: each unit's expected output is unchanged; at inference dropout is switched "
            "off and nothing needs rescaling",
            sp.Eq(_Named("E[M]", r"\mathbb{E}[M]"), sp.Integer(1), evaluate=False),
            equals_previous=True,
        ),
        Step(
            r"마스크의 분산: $p$가 클수록 커진다",
            r"the mask's variance: it grows with $p$",
            sp.Eq(_Named("Var[M]", r"\operatorname{Var}[M]"), shown_variance, evaluate=False),
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        rng = np.random.default_rng(seed)
        comparison = Comparison("sampled dropout masks (NumPy)", 2e-2)
        free = sorted(p.free_symbols, key=sp.default_sort_key)
        chances = (
            [dict(zip(free, rng.uniform(0.05, 0.9, size=len(free)), strict=True)) for _ in range(5)] if free else [{}]
        )
        for here in chances:
            chance = float(p.xreplace(here))
            masks = (rng.random(200_000) >= chance) / (1 - chance)
            claimed_variance = float(variance.xreplace(here))
            comparison.add(masks.mean(), float(mean.xreplace(here)))
            # Compared on the scale v/(1 + v), so that a large variance (p near 1) is judged relatively.
            comparison.add(masks.var() / (1 + masks.var()), claimed_variance / (1 + claimed_variance))
        return dataclasses.replace(comparison.report(), points=200_000 * len(chances))

    parts = [
        Part("mean", r"\mathbb{E}[M]", "E[M]", mean),
        Part("variance", r"\operatorname{Var}[M]", "Var[M]", shown_variance),
    ]
    return Derivation((mean, variance), steps, verify, parts=parts)


# -- overfitting ----------------------------------------------------------------------------------

#: The highest polynomial degree and the most points polynomial_fit takes.
MAX_DEGREE = 12
MAX_POINTS = 1_000


@helper
def polynomial_fit(train: Any, validation: Any, max_degree: Any) -> Derivation:
    """Exact least-squares polynomial fits of degree 0..max_degree and their errors.

    Returns ``[(degree, training MSE, validation MSE), ...]``: training error
    never rises with the degree (each fit can use the previous one's
    polynomial), while validation error typically falls and then rises again
    once the polynomial fits the noise. Decimal data are read as the decimal
    fractions they spell. Degrees up to 12 and up to 1,000 points per set.
    Parts: ``best_degree`` (smallest validation error), ``train_error_<d>``
    and ``validation_error_<d>`` for every degree d.

    Examples:
        >>> rows = polynomial_fit([(0, 0), (1, 1), (2, 4)], [(3, 9)], 2).result
        >>> rows[-1]
        (2, 0, 0)
    """
    x = sp.Symbol("x")
    y = sp.Symbol("y")
    max_degree = _inputs.whole_number(max_degree, "max_degree", 0, MAX_DEGREE)
    train_rows = _examples(train, [x, y], "train")
    validation_rows = _examples(validation, [x, y], "validation")
    for rows, name in ((train_rows, "train"), (validation_rows, "validation")):
        if len(rows) > MAX_POINTS:
            raise GlossaryError(f"{name} has {len(rows):,} points; at most {MAX_POINTS:,} are supported")
        if any(v.free_symbols or not v.is_real for row in rows for v in row):
            raise GlossaryError(f"{name} must hold real numbers (x, y); symbols cannot be fitted exactly here")
    if max_degree >= len({xi for xi, _ in train_rows}):
        raise GlossaryError(
            f"max_degree {max_degree} needs at least {max_degree + 1} distinct training x values, "
            f"got {len({xi for xi, _ in train_rows})}"
        )
    rows, fits = [], []
    for degree in range(max_degree + 1):
        design = sp.Matrix([[xi**j for j in range(degree + 1)] for xi, _ in train_rows])
        target = sp.Matrix([yi for _, yi in train_rows])
        coefficients = (design.T * design).LUsolve(design.T * target)
        polynomial = sum((c * x**j for j, c in enumerate(coefficients)), sp.Integer(0))

        def error(data: list[tuple[sp.Expr, sp.Expr]], polynomial: sp.Expr = polynomial) -> sp.Expr:
            squares = sum(((polynomial.xreplace({x: xi}) - yi) ** 2 for xi, yi in data), sp.Integer(0))
            return sp.expand(squares / len(data))

        rows.append((degree, error(train_rows), error(validation_rows)))
        fits.append(sp.expand(polynomial))
    for (_, before, _), (degree, after, _) in itertools.pairwise(rows):
        if (after - before).is_positive:  # pragma: no cover - least squares over nested models cannot do this
            raise GlossaryError(f"polynomial_fit: training error rose at degree {degree}; this is a bug in the library")
    best = min(rows, key=lambda r: (r[2], r[0]))[0]
    decimals = sp.Matrix([[sp.Integer(d), _four_digits(t), _four_digits(v)] for d, t, v in rows])
    steps = [
        Step(
            r"정규방정식 $(X^{\mathsf{T}}X)c = X^{\mathsf{T}}y$로 구한 차수별 최소제곱 다항식(계수는 소수로 나타냄)",
            r"the least-squares polynomial of each degree from $(X^{\mathsf{T}}X)c = X^{\mathsf{T}}y$ "
            "(coefficients in decimals)",
            sp.Matrix([[_rounded_polynomial(fit, x)] for fit in fits]),
        ),
        Step(
            "한 행에 차수 하나: 열은 차례로 차수, 학습 오차, 검증 오차(평균 제곱 오차, 소수로 나타냄)이다. 학습 오차는 "
            "차수가 오를 때 커지지 않고, 검증 오차는 대개 줄다가 다항식이 잡음까지 맞추기 시작하면 다시 커진다",
            "one row per degree, with columns degree, training error, validation error (mean squared, in "
            "decimals); training error never "
            "rises with the degree, validation error typically falls and then rises again once the polynomial "
            "starts fitting the noise",
            decimals,
        ),
        Step(
            "검증 오차가 가장 작은 차수",
            "the degree with the smallest validation error",
            sp.Integer(best),
        ),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from ..numeric import Comparison

        comparison = Comparison("numpy.polyfit on the same data", 1e-6)
        tx = np.array([float(a) for a, _ in train_rows])
        ty = np.array([float(b) for _, b in train_rows])
        vx = np.array([float(a) for a, _ in validation_rows])
        vy = np.array([float(b) for _, b in validation_rows])
        scale = 1 + float(np.mean(ty**2))
        for degree, train_error, validation_error in rows:
            fitted = np.polynomial.Polynomial.fit(tx, ty, degree)
            # Errors relative to the size of the data, so that a fit exact up to rounding counts as exact.
            comparison.add(np.mean((fitted(tx) - ty) ** 2) / scale, float(train_error) / scale)
            comparison.add(np.mean((fitted(vx) - vy) ** 2) / scale, float(validation_error) / scale)
        return comparison.report()

    parts = [Part("best_degree", r"d^{*}", "d*", sp.Integer(best))]
    for degree, train_error, _ in rows:
        parts.append(
            Part(f"train_error_{degree}", rf"E_{{\text{{train}}}}({degree})", f"E_train({degree})", train_error)
        )
    for degree, _, validation_error in rows:
        parts.append(
            Part(f"validation_error_{degree}", rf"E_{{\text{{val}}}}({degree})", f"E_val({degree})", validation_error)
        )
    return Derivation(rows, steps, verify, parts=parts)


def _four_digits(value: sp.Expr) -> sp.Expr:
    return value if value.is_Integer else sp.Float(sp.N(value, 10), 4)


def _rounded_polynomial(polynomial: sp.Expr, x: sp.Symbol) -> sp.Expr:
    return (
        polynomial.xreplace({c: _four_digits(c) for c in polynomial.atoms(sp.Number)})
        if polynomial.free_symbols
        else _four_digits(polynomial)
    )
