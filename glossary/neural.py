"""Neural networks: activations, losses, gradient descent, backpropagation.

The building blocks (``sigmoid``, ``relu``, ``step``, ``tanh``, ``softmax``,
``cross_entropy``, ``mse``, ``one_hot``) return plain SymPy objects so that
they compose; the rest return `glossary.Derivation` s. Conventions
follow PyTorch: ``step(0) = 0`` and ``relu'(0) = 0``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from . import _inputs
from .calculus import _derivative_verifier
from .derivation import DEFAULT_TIME_LIMIT, Derivation, Step, VerificationReport, time_limit, values_equal
from .errors import GlossaryError

__all__ = [
    "backprop",
    "binary_cross_entropy",
    "cross_entropy",
    "derivative",
    "gradient_descent",
    "linear_layers",
    "mse",
    "one_hot",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "step",
    "tanh",
    "vanishing_gradient",
]

Activation = Callable[[sp.Expr], sp.Expr]


# -- activations ---------------------------------------------------------------------------


def sigmoid(x: Any) -> sp.Expr:
    """The logistic sigmoid σ(x) = 1 / (1 + e^(−x)).

    Examples:
        >>> sigmoid(0)
        1/2
    """
    x = _inputs.expression(x, "x")
    return 1 / (1 + sp.exp(-x))


def relu(x: Any) -> sp.Expr:
    """ReLU(x) = max(0, x), written piecewise so that relu'(0) = 0.

    Examples:
        >>> relu(-3), relu(sp.Rational(5, 2))
        (0, 5/2)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((x, x > 0), (0, True))


def step(x: Any) -> sp.Expr:
    """The step function: 1 for x > 0, else 0 (so step(0) = 0).

    Examples:
        >>> step(0), step(2)
        (0, 1)
    """
    x = _inputs.expression(x, "x")
    return sp.Piecewise((1, x > 0), (0, True))


def tanh(x: Any) -> sp.Expr:
    """The hyperbolic tangent.

    Examples:
        >>> tanh(0)
        0
    """
    x = _inputs.expression(x, "x")
    return sp.tanh(x)


def _activation(activation: Any, name: str = "activation") -> Activation:
    if not callable(activation):
        raise GlossaryError(f"{name} must be a callable such as neural.sigmoid, got {activation!r}")
    probe = sp.Symbol("x", real=True)
    try:
        value = activation(probe)
    except Exception as error:
        raise GlossaryError(f"{name} {activation!r} failed on a symbol: {error}") from None
    if not isinstance(value, sp.Expr):
        raise GlossaryError(f"{name} {activation!r} must return a SymPy expression, got {value!r}")
    return activation


def _in_terms_of_output(d: sp.Expr, y: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """Write d as a polynomial of degree ≤ 2 in the activation's output y, if it is one.

    This finds σ' = σ(1 − σ) and tanh' = 1 − tanh² without special cases: fit
    a + b·y + c·y² at three points, round to small rationals, then confirm.
    """
    import numpy as np

    points = [sp.Rational(-3, 7), sp.Rational(2, 5), sp.Rational(6, 5)]
    try:
        rows = [[1.0, float(y.subs(x, p)), float(y.subs(x, p)) ** 2] for p in points]
        right = [float(d.subs(x, p)) for p in points]
        a, b, c = np.linalg.solve(np.array(rows), np.array(right))
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return None
    coefficients = [sp.nsimplify(round(v, 9), rational=True) for v in (a, b, c)]
    if any(sp.Abs(v).q > 100 for v in coefficients):
        return None
    Y = sp.Symbol("Y")
    a, b, c = coefficients
    polynomial = a + b * Y + c * Y**2
    if polynomial.free_symbols != {Y}:
        return None
    if b != 0:
        # Factored with a positive sign: Y(1 − Y) rather than −Y(Y − 1).
        polynomial = sp.factor(polynomial)
        if polynomial.could_extract_minus_sign() and polynomial.is_Mul:
            flipped = [(-f if f.is_Add else f) for f in polynomial.args if f != -1]
            if sum(1 for f in polynomial.args if f.is_Add) == 1:
                polynomial = sp.Mul(*flipped)
    candidate = polynomial.subs(Y, y)
    return candidate if values_equal(candidate, d, "the derivative in terms of the output") else None


def derivative(activation: Any, x: Any) -> Derivation:
    """The derivative of an activation at ``x``, written in its simplest form.

    Examples:
        >>> x = sp.Symbol("x")
        >>> derivative(sigmoid, x).result == sigmoid(x) * (1 - sigmoid(x))
        True
        >>> derivative(relu, x).result
        Piecewise((1, x > 0), (0, True))
    """
    activation = _activation(activation)
    x = _inputs.expression(x, "x")
    t = sp.Symbol("t", real=True)
    y = activation(t)
    with time_limit(DEFAULT_TIME_LIMIT, f"the derivative of {activation.__name__}"):
        raw = sp.piecewise_fold(sp.diff(y, t))
        raw = sp.simplify(raw) if isinstance(raw, sp.Piecewise) else raw
        in_output = None if y.has(sp.Piecewise) else _in_terms_of_output(raw, y, t)
    simplest = in_output if in_output is not None else raw
    name = getattr(activation, "__name__", "g")
    g = sp.Function(name)
    steps = [
        Step("활성화 함수", "the activation", sp.Eq(g(t), y)),
        Step("직접 미분", "differentiate directly", sp.Eq(sp.Derivative(g(t), t), raw)),
    ]
    if in_output is not None:
        shown = in_output.xreplace({y: g(t)})
        steps.append(Step("출력 자신으로 표현한다", "write it with the output itself", in_output, equals_previous=True))
        steps.append(Step("간단히 쓰면", "in short", sp.Eq(sp.Derivative(g(t), t), shown)))
    if y.has(sp.Piecewise):
        steps.append(
            Step(
                "x = 0 에서는 0 으로 정한다 (PyTorch 관례)",
                "at x = 0 it is taken to be 0 (PyTorch's convention)",
                raw.subs(t, 0),
            )
        )
    result = simplest.subs(t, x)
    return Derivation("neural.derivative", result, steps, _derivative_verifier([(y, simplest, t)]))


# -- losses and encodings ------------------------------------------------------------------


def _vector(value: Any, name: str) -> sp.Matrix:
    if isinstance(value, (list, tuple)):
        value = sp.Matrix(value)
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
    with time_limit(DEFAULT_TIME_LIMIT, f"the softmax cross-entropy gradient for k = {k}"):
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

        from .numeric import Comparison, five_point_derivative, lambdify

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

    return Derivation("neural.softmax_cross_entropy_gradient", result, steps, verify)


# -- gradient descent ----------------------------------------------------------------------


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
    with time_limit(DEFAULT_TIME_LIMIT, f"{count} steps of gradient descent on {f}"):
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

        from .numeric import Comparison, five_point_derivative, lambdify, sample_symbols

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

    return Derivation("neural.gradient_descent", iterates, walk, verify)


# -- backpropagation ------------------------------------------------------------------------


def _layers(weights: Any, biases: Any, x: Any) -> tuple[list[sp.Matrix], list[sp.Matrix], sp.Matrix]:
    if isinstance(weights, sp.MatrixBase) or not isinstance(weights, Sequence) or not weights:
        raise GlossaryError(f"weights must be a non-empty list of matrices, got {weights!r}")
    if isinstance(biases, sp.MatrixBase) or not isinstance(biases, Sequence) or len(biases) != len(weights):
        raise GlossaryError(f"biases must be a list with one column per layer ({len(weights)}), got {biases!r}")
    Ws = [_inputs.matrix(W, f"weights[{i}]") for i, W in enumerate(weights)]
    bs = [_vector(b, f"biases[{i}]") for i, b in enumerate(biases)]
    x = _vector(x, "x")
    width = x.rows
    for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        if W.cols != width:
            raise GlossaryError(f"weights[{i}] has {W.cols} columns but its input has {width} entries")
        if b.rows != W.rows:
            raise GlossaryError(f"biases[{i}] has {b.rows} entries but weights[{i}] has {W.rows} rows")
        width = W.rows
    return Ws, bs, x


def _forward(Ws, bs, x, activation):
    activations, pre = [x], []
    for W, b in zip(Ws, bs, strict=True):
        z = W * activations[-1] + b
        pre.append(z)
        activations.append(z.applyfunc(activation))
    return pre, activations


def backprop(weights: Any, biases: Any, x: Any, y: Any, activation: Any, loss: Any) -> Derivation:
    """Gradients ``[(dL/dW, dL/db), ...]`` per layer by the chain rule, layer by layer.

    ``weights[l]`` is out×in, ``biases[l]`` a column; the activation follows
    every layer; ``loss(y, output)`` gives the loss, e.g. ``neural.mse``.

    Examples:
        >>> w, b = sp.symbols("w b")
        >>> grads = backprop([sp.Matrix([[w]])], [sp.Matrix([b])], sp.Matrix([1]), sp.Matrix([0]),
        ...                  lambda e: e, mse).result
        >>> grads
        [(Matrix([[2*b + 2*w]]), Matrix([[2*b + 2*w]]))]
    """
    Ws, bs, x = _layers(weights, biases, x)
    activation = _activation(activation)
    if not callable(loss):
        raise GlossaryError(f"loss must be a callable such as neural.mse, got {loss!r}")
    y = _vector(y, "y")
    if y.rows != Ws[-1].rows:
        raise GlossaryError(f"y has {y.rows} entries but the network outputs {Ws[-1].rows}")
    t = sp.Symbol("t", real=True)
    with time_limit(DEFAULT_TIME_LIMIT, "backpropagation"):
        prime = derivative(activation, t).result
        slope = lambda z: prime.subs(t, z)  # noqa: E731
        pre, acts = _forward(Ws, bs, x, activation)
        outputs = sp.Matrix(sp.symbols(f"o_1:{y.rows + 1}"))
        try:
            symbolic_loss = loss(y, outputs)
        except GlossaryError:
            raise
        except Exception as error:
            raise GlossaryError(f"loss {loss!r} failed on (y, output): {error}") from None
        if not isinstance(symbolic_loss, sp.Expr):
            raise GlossaryError(f"loss must return a SymPy expression, got {symbolic_loss!r}")
        at_output = dict(zip(outputs, acts[-1], strict=True))
        output_gradient = sp.Matrix([sp.diff(symbolic_loss, o) for o in outputs]).subs(at_output)
        delta = output_gradient.multiply_elementwise(pre[-1].applyfunc(slope))
        grads: list[tuple[sp.Matrix, sp.Matrix]] = []
        deltas = []
        for layer in range(len(Ws) - 1, -1, -1):
            deltas.append(delta)
            grads.append((delta * acts[layer].T, delta))
            if layer:
                delta = (Ws[layer].T * delta).multiply_elementwise(pre[layer - 1].applyfunc(slope))
        grads.reverse()
        deltas.reverse()
        total_loss = loss(y, acts[-1])
    steps: list[Step] = [Step("입력", "the input", x)]
    for layer, (z, a) in enumerate(zip(pre, acts[1:], strict=True), 1):
        steps.append(Step(f"{layer}층 순전파: z = W a + b", f"layer {layer} forward: z = W a + b", z))
        steps.append(Step(f"{layer}층 활성화 a = g(z)", f"layer {layer} activation a = g(z)", a))
    steps.append(Step("손실", "the loss", total_loss))
    steps.append(Step("출력에 대한 손실의 기울기 ∂L/∂a", "the loss gradient at the output ∂L/∂a", output_gradient))
    for layer in range(len(Ws), 0, -1):
        steps.append(
            Step(
                f"{layer}층의 오차 신호 δ = ∂L/∂z (연쇄 법칙)",
                f"layer {layer} error signal δ = ∂L/∂z (chain rule)",
                deltas[layer - 1],
            )
        )
        steps.append(Step(f"{layer}층 ∂L/∂W = δ aᵀ", f"layer {layer} ∂L/∂W = δ aᵀ", grads[layer - 1][0]))
    first = Ws[0][0, 0]
    if isinstance(first, sp.Symbol) and sum(W.has(first) for W in Ws) + sum(b.has(first) for b in bs) == 1:
        steps.append(
            Step(
                f"직접 미분 ∂L/∂{first} 와 같다",
                f"the same as differentiating L by {first} directly",
                sp.diff(total_loss, first),
            )
        )
        steps.append(
            Step("역전파로 얻은 값", "the value backpropagation found", grads[0][0][0, 0], equals_previous=True)
        )

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_backprop(Ws, bs, x, y, activation, loss, grads, points, seed)

    return Derivation("neural.backprop", grads, steps, verify)


def _verify_backprop(Ws, bs, x, y, activation, loss, grads, points, seed) -> VerificationReport:
    """Finite differences of the loss with every weight and bias entry as a free variable."""
    import numpy as np

    from .numeric import Comparison, five_point_derivative, lambdify, sample_symbols

    slots = [sp.Matrix(W.rows, W.cols, lambda i, j, l=l: sp.Dummy(f"W{l}_{i}{j}")) for l, W in enumerate(Ws)]
    bias_slots = [sp.Matrix(b.rows, 1, lambda i, j, l=l: sp.Dummy(f"b{l}_{i}")) for l, b in enumerate(bs)]
    others = sorted(set().union(*(m.free_symbols for m in [*Ws, *bs, x, y])), key=sp.default_sort_key)
    _, acts = _forward(slots, bias_slots, x, activation)
    loss_expression = loss(y, acts[-1])
    entries = [e for m in [*slots, *bias_slots] for e in m]
    f = lambdify([*entries, *others], loss_expression)
    rng = np.random.default_rng(seed)
    comparison = Comparison("central finite differences of the loss in every weight and bias", 1e-6)
    draws = min(points, 20) if others else 1
    samples = sample_symbols(others, draws, rng, spread=1.5)
    claimed_entries = [e for W_grad, b_grad in grads for e in W_grad] + [e for _, b_grad in grads for e in b_grad]
    claimed_function = lambdify(others, claimed_entries)
    values_at = [e for m in [*Ws, *bs] for e in m]
    value_function = lambdify(others, values_at)
    for d in range(draws):
        other_values = [np.array([samples[s][d]]) for s in others]
        parameters = [
            np.array([float(np.real(v))]) for v in np.atleast_1d(value_function(*[v[0] for v in other_values]))
        ]
        columns = [*parameters, *other_values]
        claimed = np.atleast_1d(np.array(claimed_function(*[v[0] for v in other_values]), dtype=complex))
        expected = np.array([five_point_derivative(f, columns, i, 1)[0] for i in range(len(entries))])
        point = {str(s): float(v[0]) for s, v in zip(others, other_values, strict=True)}
        comparison.add(expected, claimed, point)
    return comparison.report()


# -- depth and gradients ---------------------------------------------------------------------


def vanishing_gradient(activation: Any, depth: Any) -> Derivation:
    """``(max_derivative, bound)``: the exact maximum of g' over the reals and max**depth.

    Examples:
        >>> vanishing_gradient(sigmoid, 10).result
        (1/4, 1/1048576)
    """
    activation = _activation(activation)
    depth = _inputs.positive_int(depth, "depth")
    t = sp.Symbol("t", real=True)
    prime = derivative(activation, t).result
    with time_limit(DEFAULT_TIME_LIMIT, f"the maximum of the derivative of {activation.__name__}"):
        critical = []
        if prime.has(sp.Piecewise):
            candidates = [sp.sympify(piece) for piece, _ in prime.args]
            maximum = sp.Max(*[c for c in candidates if c.is_number])
        else:
            try:
                critical = [c for c in sp.solve(sp.diff(prime, t), t) if c.is_real is not False]
            except NotImplementedError:
                critical = []
            values = [sp.simplify(prime.subs(t, c)) for c in critical]
            values += [sp.limit(prime, t, sp.oo), sp.limit(prime, t, -sp.oo)]
            values = [v for v in values if v.is_finite]
            if not values:
                raise GlossaryError(f"cannot find the maximum of {prime} over the reals")
            maximum = sp.Max(*values)
    if not maximum.is_number or maximum.has(sp.Float):
        raise GlossaryError(f"the maximum of the derivative {prime} is not an exact number: {maximum}")
    bound = maximum**depth
    name = getattr(activation, "__name__", "g")
    g = sp.Function(name)
    steps = [
        Step("활성화 함수의 도함수", "the derivative of the activation", sp.Eq(sp.Derivative(g(t), t), prime)),
    ]
    if critical:
        steps.append(
            Step(
                "도함수의 극값: 한 번 더 미분해 0 으로 놓는다",
                "its extremum: differentiate again and set to zero",
                sp.Eq(sp.diff(prime, t), 0),
            )
        )
        steps.append(Step("임계점", "the critical points", tuple(critical)))
    steps += [
        Step("도함수의 최댓값", "the maximum of the derivative", maximum),
        Step(
            f"깊이 {depth}: ∂a_L/∂a_0 = Π g′(z_l) 이므로 크기는 최댓값의 {depth}제곱 이하",
            f"depth {depth}: ∂a_L/∂a_0 = Π g′(z_l), so its size is at most the maximum to the power {depth}",
            bound,
        ),
        Step("소수로", "as a decimal", sp.Float(sp.N(bound, 6), 6)),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison, five_point_derivative, lambdify

        comparison = Comparison("dense grid of finite-difference slopes and chained compositions", 1e-6)
        f = lambdify([t], activation(t))
        grid = np.linspace(-30, 30, 600_001)
        slopes = five_point_derivative(f, [grid], 0, grid.size).real
        finer = five_point_derivative(f, [grid], 0, grid.size, scale=2.5e-4).real
        # Near a kink (ReLU at 0) the two step sizes disagree: those points are skipped.
        smooth = np.abs(slopes - finer) <= 1e-7 * (1 + np.abs(slopes))
        comparison.add(np.max(slopes[smooth]), float(maximum))
        rng = np.random.default_rng(seed)
        starts = rng.uniform(-4, 4, size=min(points, 1000))

        def chain(values):
            out = values
            with np.errstate(all="ignore"):
                for _ in range(depth):
                    out = np.real(np.asarray(f(out), dtype=complex))
            return out

        chained = np.abs(five_point_derivative(chain, [starts], 0, starts.size, scale=1e-5).real)
        excess = np.maximum(0.0, chained - float(bound)) / max(float(bound), 1e-300)
        comparison.add(np.zeros_like(excess), excess)
        return comparison.report()

    return Derivation("neural.vanishing_gradient", (maximum, bound), steps, verify)


def linear_layers(weights: Any, biases: Any, x: Any) -> Derivation:
    """Stacked linear layers without activation collapse to one: ``(W, b)`` with W·x + b.

    Examples:
        >>> W, b = linear_layers([sp.Matrix([[2]]), sp.Matrix([[3]])], [sp.Matrix([1]), sp.Matrix([0])],
        ...                      sp.Matrix([sp.Symbol("x")])).result
        >>> W, b
        (Matrix([[6]]), Matrix([[3]]))
    """
    Ws, bs, x = _layers(weights, biases, x)
    combined_W, combined_b = sp.eye(x.rows), sp.zeros(x.rows, 1)
    for W, b in zip(Ws, bs, strict=True):
        combined_W, combined_b = W * combined_W, W * combined_b + b
    _, acts = _forward(Ws, bs, x, lambda e: e)
    steps = [
        Step("층을 차례로 적용", "apply the layers one after another", acts[-1].applyfunc(sp.expand)),
        Step(
            "하나의 선형 변환 W x + b 와 같다",
            "the same as one linear map W x + b",
            (combined_W * x + combined_b).applyfunc(sp.expand),
            equals_previous=True,
        ),
        Step("합쳐진 가중치 W = W_L ⋯ W_1", "the combined weight W = W_L ⋯ W_1", combined_W),
        Step("합쳐진 편향", "the combined bias", combined_b),
    ]

    def verify(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison, lambdify, sample_symbols

        rng = np.random.default_rng(seed)
        free = sorted(set().union(*(m.free_symbols for m in [*Ws, *bs, x])), key=sp.default_sort_key)
        comparison = Comparison("layer-by-layer evaluation in NumPy", 1e-9)
        count = min(points, 200)
        samples = sample_symbols(free, count, rng)
        numeric = lambdify(free, [*Ws, *bs, x, combined_W, combined_b])
        for d in range(count if free else 1):
            *matrices, input_, W_all, b_all = (
                np.array(m, dtype=float) for m in numeric(*[samples[s][d] for s in free])
            )
            layer_W, layer_b = matrices[: len(Ws)], matrices[len(Ws) :]
            out = input_
            for W, b in zip(layer_W, layer_b, strict=True):
                out = W @ out + b
            comparison.add(out.ravel(), (W_all @ input_ + b_all).ravel())
        return comparison.report()

    return Derivation("neural.linear_layers", (combined_W, combined_b), steps, verify)


# -- training: losses' gradients, batches, regularisation, dropout, overfitting ---------------


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
    return Derivation("neural.mse_gradient", result, steps, _derivative_verifier(pairs))


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
    return Derivation("neural.binary_cross_entropy_gradient", result, steps, _derivative_verifier([(loss, result, z)]))


def _examples(examples: Any, variables: list[sp.Symbol]) -> list[tuple[sp.Expr, ...]]:
    if isinstance(examples, (str, bytes)) or not isinstance(examples, Sequence) or not examples:
        raise GlossaryError(f"examples must be a non-empty list of value tuples, got {examples!r}")
    rows = []
    for number, row in enumerate(examples):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != len(variables):
            raise GlossaryError(f"examples[{number}] must give {len(variables)} values for {variables}, got {row!r}")
        rows.append(tuple(_inputs.expression(v, f"examples[{number}]") for v in row))
    return rows


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
    return Derivation("neural.batch_gradient", gradient_of_mean, steps, _derivative_verifier(pairs))


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

        from .numeric import Comparison

        rng = np.random.default_rng(seed)
        grads = np.array([[float(v) for v in g] for g in per_example])
        draws = max(points, 1000) * 20
        picks = np.array([rng.choice(N, size=size, replace=False) for _ in range(draws)])
        sampled = grads[picks].mean(axis=1)
        comparison = Comparison("random mini-batches drawn with NumPy", 5e-2)
        comparison.add(sampled.mean(axis=0), np.array([float(v) for v in mean]))
        comparison.add(sampled.var(axis=0), np.array([float(v) for v in variance]))
        return dataclasses.replace(comparison.report(), points=draws)

    return Derivation("neural.minibatch_gradient", (mean, variance), steps, verify)


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
    return Derivation("neural.regularized_update", (gradient, update), steps, _derivative_verifier(pairs))


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

        from .numeric import Comparison, sample_symbols

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

    return Derivation("neural.dropout", (mean, variance), steps, verify)


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

        from .numeric import Comparison

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

    return Derivation("neural.polynomial_fit", rows, steps, verify)


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

        from .numeric import Comparison

        comparison = Comparison("row of numpy.eye", 0.0)
        comparison.add(np.eye(k)[int(index)], np.array([float(v) for v in vector]))
        return comparison.report()

    return Derivation("neural.one_hot_encoding", vector, steps, verify)
