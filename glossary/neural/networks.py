"""Networks: stacked layers and backpropagation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from .. import _inputs
from ..derivation import Derivation, Step, VerificationReport, helper
from ..errors import GlossaryError
from .activations import _activation, derivative
from .losses import _vector

__all__ = ["backprop", "linear_layers"]


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


@helper
def backprop(weights: Any, biases: Any, x: Any, y: Any, activation: Any, loss: Any) -> Derivation:
    """Gradients ``[(dL/dW, dL/db), ...]`` per layer by the chain rule, layer by layer.

    ``weights[l]`` is out×in, ``biases[l]`` a column; the activation follows
    every layer; ``loss(y, output)`` gives the loss, e.g. ``neural.mse``.

    Examples:
        >>> from glossary import neural
        >>> w, b = sp.symbols("w b")
        >>> grads = neural.backprop([sp.Matrix([[w]])], [sp.Matrix([b])], sp.Matrix([1]), sp.Matrix([0]),
        ...                         lambda e: e, neural.mse).result
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

    return Derivation(grads, steps, verify)


def _verify_backprop(Ws, bs, x, y, activation, loss, grads, points, seed) -> VerificationReport:
    """Finite differences of the loss with every weight and bias entry as a free variable."""
    import numpy as np

    from ..numeric import Comparison, five_point_derivative, lambdify, sample_symbols

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


@helper
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

        from ..numeric import Comparison, lambdify, sample_symbols

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

    return Derivation((combined_W, combined_b), steps, verify)
