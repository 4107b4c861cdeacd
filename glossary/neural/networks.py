"""Networks: stacked layers and backpropagation in δ notation.

A layer ``l`` computes z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = g(z⁽ˡ⁾), with
a⁽⁰⁾ = x. Backpropagation sends the error signal δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ from the
output back to the input; the derivation shows those rules first for a general
layer, then for the network at hand, layer by layer and never as one expression
with every layer substituted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm

from .. import _inputs, limits
from ..derivation import Derivation, Part, Step, VerificationReport, helper
from ..errors import GlossaryError
from .activations import _activation, derivative
from .losses import _vector

__all__ = ["backprop", "linear_layers"]

#: The largest networks backprop accepts: beyond these the exact gradients stop being useful to read.
MAX_LAYERS = 8
MAX_PARAMETERS = 1_000


# -- names a textbook writes: z⁽ˡ⁾, δ⁽²⁾, ∂L/∂W⁽¹⁾ ----------------------------------------------


class _Named(sp.Symbol):
    """A symbol shown with a textbook name: its LaTeX on pages, its Unicode text in ``print``.

    Both forms live in the symbol's name, so the symbol pickles and compares like
    any other; it never meets the user's own symbols, which are plain `Symbol` s.
    """

    _SEPARATOR = "\x1f"

    def __new__(cls, text: str, latex: str | None = None, **assumptions: Any) -> _Named:
        name = text if latex is None else f"{text}{cls._SEPARATOR}{latex}"
        return super().__new__(cls, name, **assumptions)

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return ((self.name,), self.assumptions0)

    @property
    def text(self) -> str:
        return self.name.split(self._SEPARATOR)[0]

    def _latex(self, printer: Any) -> str:
        return self.name.split(self._SEPARATOR)[-1]

    def _sympystr(self, printer: Any) -> str:
        return self.text

    def _pretty(self, printer: Any) -> prettyForm:
        return prettyForm(self.text)


_SUPERSCRIPT = str.maketrans("0123456789+-()lLk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ˡᴸᵏ")
_SUBSCRIPT = str.maketrans("0123456789+-k", "₀₁₂₃₄₅₆₇₈₉₊₋ₖ")


def _sup(text: Any) -> str:
    return str(text).translate(_SUPERSCRIPT)


def _sub(text: Any) -> str:
    return str(text).translate(_SUBSCRIPT)


def _index_text(index: tuple[int, ...]) -> tuple[str, str]:
    """Subscript of an entry: ``₁₂`` / ``{12}`` for one-digit indices, ``₁₀,₂`` / ``{10,2}`` otherwise."""
    separator = "," if any(i >= 10 for i in index) else ""
    return separator.join(_sub(i) for i in index), separator.join(str(i) for i in index)


def _layered(base_text: str, base_latex: str, layer: Any, index: tuple[int, ...] = (), **assumptions: Any) -> _Named:
    """``W⁽²⁾``, ``a⁽¹⁾₃``, ``δ⁽ᴸ⁾`` …: a per-layer symbol, optionally one entry of it."""
    text = f"{base_text}⁽{_sup(layer)}⁾"
    latex = f"{base_latex}^{{({layer})}}"
    if index:
        sub_text, sub_latex = _index_text(index)
        text += sub_text
        latex += f"_{{{sub_latex}}}"
    return _Named(text, latex, **assumptions)


def _rule(text: str, latex: str) -> _Named:
    """A formula shown as written (a general rule); it is never computed with."""
    return _Named(text, latex, commutative=False)


def _gradient_name(of: str, of_latex: str, layer: Any, index: tuple[int, ...] = ()) -> _Named:
    """``∂L/∂W⁽¹⁾`` or one entry ``∂L/∂W⁽¹⁾₁₂``."""
    target = _layered(of, of_latex, layer, index)
    text = f"∂L/∂{target.text}"
    return _Named(text, rf"\frac{{\partial L}}{{\partial {sp.latex(target)}}}")


# -- validation -----------------------------------------------------------------------------------


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


def _check_size(Ws: list[sp.Matrix], bs: list[sp.Matrix]) -> None:
    count = sum(W.rows * W.cols for W in Ws) + sum(b.rows for b in bs)
    if len(Ws) > MAX_LAYERS or count > MAX_PARAMETERS:
        raise GlossaryError(
            f"the network has {len(Ws)} layer(s) and {count:,} weights and biases; backprop takes up to "
            f"{MAX_LAYERS} layers and {MAX_PARAMETERS:,} weights and biases: use a smaller network"
        )


def _product(A: sp.Matrix, B: sp.Matrix) -> sp.Matrix:
    """A·B entry by entry.

    SymPy's own product first converts the entries to a polynomial domain, which for
    the nested exponentials of a sigmoid network costs minutes; a plain sum of
    products costs what the expressions cost.
    """
    return sp.Matrix(A.rows, B.cols, lambda i, j: sp.Add(*[A[i, k] * B[k, j] for k in range(A.cols)]))


def _forward(Ws, bs, x, activation):
    activations, pre = [x], []
    for W, b in zip(Ws, bs, strict=True):
        z = _product(W, activations[-1]) + b
        pre.append(z)
        activations.append(z.applyfunc(activation))
    return pre, activations


# -- exact values, layer by layer -------------------------------------------------------------------

#: Exact values larger than this (in tree nodes) are put into the next layer unevaluated.
_EVALUATE_UP_TO = 150
#: The largest exact result backprop returns: tree nodes of all the gradients together, as printed.
#: A 2-8-2 sigmoid network with exact weights needs about 6,000 (and prints in a few seconds).
MAX_EXACT_SIZE = 8_000
#: The deepest network whose values nest exactly (σ of σ of …); SymPy's printing of deeper nests takes minutes.
MAX_EXACT_DEPTH = 5


def _sizes() -> Callable[[Any], int]:
    """The printed size (tree nodes) of expressions, counted once per shared subexpression."""
    memo: dict[Any, int] = {}

    def size(expr: Any) -> int:
        known = memo.get(expr)
        if known is None:
            known = 1 + sum(size(a) for a in expr.args)
            memo[expr] = known
        return known

    return size


def _put(expression: sp.Expr, values: dict, size: Callable[[Any], int]) -> sp.Expr:
    """``expression`` with ``values`` put in for its placeholders.

    Small values go in evaluated (SymPy tidies them); large exact numbers go in
    unevaluated. Evaluating a function of a large exact number (σ of a sum of σ's)
    makes SymPy ask for its sign, which it answers by evaluating the whole nested
    number again, at every layer: minutes for a network SymPy otherwise builds at once.
    """
    small = {k: v for k, v in values.items() if v.is_Number or size(v) <= _EVALUATE_UP_TO}
    large = {k: v for k, v in values.items() if k not in small}
    expression = expression.xreplace(small) if small else expression
    if not large:
        return expression
    with sp.evaluate(False):
        return expression.xreplace(large)


def _numbers(expressions: Sequence[sp.Expr], at: dict | None = None, digits: int = 30) -> list[sp.Expr]:
    """Each expression as a Float of ``digits`` digits, with ``at`` giving values to its symbols.

    Works through each distinct subexpression once, so the exact gradients of a deep
    network (whose trees repeat every layer below) cost what their shared graph
    costs, not what their printed form would.
    """
    memo: dict[Any, Any] = {}
    at = at or {}

    def value(expr: Any) -> Any:
        known = memo.get(expr)
        if known is not None:
            return known
        if expr in at:
            result = at[expr]
        elif not expr.args:
            result = expr.evalf(digits) if isinstance(expr, sp.Expr) and not expr.is_Rational else expr
        else:
            rebuilt = expr.func(*[value(a) for a in expr.args])
            if isinstance(rebuilt, sp.Expr) and not rebuilt.is_Number:
                rebuilt = rebuilt.evalf(digits)
            result = rebuilt
        memo[expr] = result
        return result

    return [value(sp.sympify(e)) for e in expressions]


def _applier(expression: sp.Expr, t: sp.Symbol, size: Callable[[Any], int]) -> Callable[[sp.Expr], sp.Expr]:
    """z ↦ expression at t = z: the activation (or its derivative) at one exact value.

    For a piecewise activation at an exact value that is not a plain number, the
    piece that holds there is chosen numerically, so no undecided condition is left.
    """

    def apply(z: sp.Expr) -> sp.Expr:
        chosen = expression
        if isinstance(expression, sp.Piecewise) and not z.is_Number and not z.free_symbols:
            at = _numbers([z])[0]
            for piece, condition in expression.args:
                if condition.xreplace({t: at}) == sp.true:
                    chosen = piece
                    break
        return _put(chosen, {t: z}, size)

    return apply


def _entry_symbols(base_text: str, base_latex: str, layer: int, size: int) -> sp.Matrix:
    """The named entries of a per-layer column: ``a⁽¹⁾₁ … a⁽¹⁾ₙ``, or ``a⁽¹⁾`` when it has one entry."""
    if size == 1:
        return sp.Matrix([_layered(base_text, base_latex, layer, real=True)])
    return sp.Matrix([_layered(base_text, base_latex, layer, (i,), real=True) for i in range(1, size + 1)])


def _loss_expression(loss: Callable, y: sp.Matrix, outputs: sp.Matrix) -> sp.Expr:
    try:
        value = loss(y, outputs)
    except GlossaryError:
        raise
    except Exception as error:
        raise GlossaryError(f"loss {loss!r} failed on (y, output): {error}") from None
    if not isinstance(value, sp.Expr):
        raise GlossaryError(f"loss must return a SymPy expression, got {value!r}")
    return value


class _TooLarge(GlossaryError):
    """Exact gradients too large to show; a network of numbers is then computed in decimals instead."""


def _refuse_if_large(total: int) -> None:
    if total > MAX_EXACT_SIZE:
        raise _TooLarge(
            f"the exact gradients of this network are expressions of at least {total:,} terms (each layer's "
            f"activation nests the layers below it); backprop keeps gradients exact up to {MAX_EXACT_SIZE:,} terms "
            "in all (about a 2-8-2 sigmoid network): give the weights and inputs as decimals (Python floats or "
            "sympy.Float) for decimal gradients of any supported size, or use fewer or narrower layers"
        )


class _Network:
    """Backpropagation written with a named symbol for every per-layer value, then made exact.

    The rules (``z_rule``, ``delta_rule``, ``weight_rule``) are small expressions in
    z⁽ˡ⁾, a⁽ˡ⁾, δ⁽ˡ⁺¹⁾ and a placeholder for g′(z⁽ˡ⁾); the steps show them. The
    exact values put each layer's values into the next layer's rules, bottom up
    for the forward pass and top down for δ, so no layer's work is repeated.
    """

    def __init__(self, Ws, bs, x, y, activation, prime, t, loss) -> None:
        depth = len(Ws)
        self.depth, self.Ws, self.x, self.y, self.activation = depth, Ws, x, y, activation
        self.z = [_entry_symbols("z", "z", layer, W.rows) for layer, W in enumerate(Ws, 1)]
        self.a = [_entry_symbols("a", "a", layer, W.rows) for layer, W in enumerate(Ws, 1)]
        self.delta = [_entry_symbols("δ", r"\delta", layer, W.rows) for layer, W in enumerate(Ws, 1)]
        slopes = [sp.Matrix([sp.Dummy(f"g{layer}_{i}") for i in range(W.rows)]) for layer, W in enumerate(Ws, 1)]
        inputs = [x, *self.a[:-1]]
        self.z_rule = [_product(W, inputs[i]) + bs[i] for i, W in enumerate(Ws)]
        self.loss_rule = _loss_expression(loss, y, self.a[-1])
        self.gradient_rule = sp.Matrix([sp.diff(self.loss_rule, o) for o in self.a[-1]])
        delta_rule = [sp.zeros(1, 1)] * depth
        delta_rule[-1] = self.gradient_rule.multiply_elementwise(slopes[-1])
        for i in range(depth - 2, -1, -1):
            delta_rule[i] = _product(Ws[i + 1].T, self.delta[i + 1]).multiply_elementwise(slopes[i])
        self.weight_rule = [_product(self.delta[i], inputs[i].T) for i in range(depth)]
        # What the steps show: g′(z) written with the layer's own output where it can be (σ′ = a(1 − a)).
        shown = {}
        for i in range(depth):
            for slot, zi, ai in zip(slopes[i], self.z[i], self.a[i], strict=True):
                shown[slot] = prime.xreplace({t: zi}).xreplace({activation(zi): ai})
        self.delta_shown = [rule.xreplace(shown) for rule in delta_rule]

        # The exact values.
        size = _sizes()
        g, slope = _applier(activation(t), t, size), _applier(prime, t, size)
        z_values, a_values, slope_values = [], [], []
        previous: dict = {}
        for i in range(depth):
            z_value = self.z_rule[i].applyfunc(lambda e, known=previous: _put(e, known, size))
            z_values.append(z_value)
            a_values.append(z_value.applyfunc(g))
            slope_values.append(z_value.applyfunc(slope))
            previous = dict(zip(self.a[i], a_values[-1], strict=True))
            _refuse_if_large(sum(size(e) for e in a_values[-1]))
        if depth > MAX_EXACT_DEPTH and not all(e.is_Number for e in a_values[-1]):
            raise _TooLarge(
                f"the exact gradients of a {depth}-layer network nest its activation {depth} times; backprop keeps "
                f"them exact for up to {MAX_EXACT_DEPTH} layers unless every value is a plain number (ReLU with "
                "rational weights): give the weights and inputs as decimals (Python floats or sympy.Float) for "
                "decimal gradients, or use fewer layers"
            )
        outputs = dict(zip(self.a[-1], a_values[-1], strict=True))
        self.loss_value = _put(self.loss_rule, outputs, size)
        self.gradient_value = self.gradient_rule.applyfunc(lambda e: _put(e, outputs, size))
        delta_values = [sp.zeros(1, 1)] * depth
        known = dict(outputs)
        for i in range(depth - 1, -1, -1):
            known.update(zip(slopes[i], slope_values[i], strict=True))
            delta_values[i] = delta_rule[i].applyfunc(lambda e, known=known: _put(e, known, size))
            known = dict(zip(self.delta[i], delta_values[i], strict=True))
        weight_values = []
        for i in range(depth):
            here = dict(zip(self.delta[i], delta_values[i], strict=True))
            if i:
                here.update(zip(self.a[i - 1], a_values[i - 1], strict=True))
            weight_values.append(self.weight_rule[i].applyfunc(lambda e, here=here: _put(e, here, size)))
        self.z_values, self.a_values = z_values, a_values
        self.delta_values, self.weight_values = delta_values, weight_values
        _refuse_if_large(sum(size(e) for m in [*weight_values, *delta_values] for e in m))


def _scalar_or_matrix(matrix: sp.Matrix) -> Any:
    return matrix[0, 0] if matrix.shape == (1, 1) else matrix


def _rounded(matrix: sp.Matrix) -> tuple[sp.Matrix, bool]:
    """The matrix as shown in a step: exact if its entries are short fractions, else 4-digit decimals.

    Returns the shown matrix and whether it is in decimals.
    """
    if all(e.is_Rational and len(str(e)) <= 10 for e in matrix):
        return matrix, False
    values = _numbers(list(matrix))
    shown = [
        e if e.is_Integer else sp.Float(v, 4) if v.is_real is not False else v.evalf(4)
        for e, v in zip(matrix, values, strict=True)
    ]
    return sp.Matrix(matrix.rows, matrix.cols, shown), True


# -- backpropagation ------------------------------------------------------------------------------


def _activation_name(activation: Callable) -> tuple[str, str]:
    names = {"sigmoid": ("σ", r"\sigma"), "tanh": ("tanh", r"\tanh"), "relu": ("ReLU", r"\operatorname{ReLU}")}
    return names.get(getattr(activation, "__name__", ""), ("g", "g"))


def _general_steps() -> list[Step]:
    """The rules for any layer, in δ notation with the layer index on every symbol."""

    def eq(left: tuple[str, str], right: tuple[str, str]) -> sp.Equality:
        return sp.Eq(_rule(*left), _rule(*right), evaluate=False)

    return [
        Step(
            r"순전파: 층 $l = 1, \dots, L$마다 가중합을 구한다($a^{(0)} = x$)",
            r"forward pass: each layer $l = 1, \dots, L$ forms its weighted sum (with $a^{(0)} = x$)",
            eq(("z⁽ˡ⁾", "z^{(l)}"), ("W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾", "W^{(l)} a^{(l-1)} + b^{(l)}")),
        ),
        Step(
            "활성화: 가중합의 원소마다 활성화 함수 $g$를 적용한다",
            "activation: the activation $g$ applied to each entry of the weighted sum",
            eq(("a⁽ˡ⁾", "a^{(l)}"), ("g(z⁽ˡ⁾)", "g\\left(z^{(l)}\\right)")),
        ),
        Step(
            r"마지막 층 $L$의 오차 신호 $\delta^{(L)} = \partial L/\partial z^{(L)}$: 연쇄 법칙에 따라 "
            r"출력에 대한 손실의 기울기에 $g'(z^{(L)})$을 원소별로 곱한다($\odot$)",
            r"the error signal of the last layer $L$, $\delta^{(L)} = \partial L/\partial z^{(L)}$: by the chain "
            r"rule, the loss gradient at the output times $g'(z^{(L)})$ entry by entry ($\odot$)",
            eq(
                ("δ⁽ᴸ⁾", r"\delta^{(L)}"),
                ("∂L/∂a⁽ᴸ⁾ ⊙ g′(z⁽ᴸ⁾)", r"\frac{\partial L}{\partial a^{(L)}} \odot g'\left(z^{(L)}\right)"),
            ),
        ),
        Step(
            r"오차 신호를 한 층씩 뒤로 보낸다($l = L - 1, \dots, 1$): 다음 층의 가중치를 전치해 곱하고 "
            r"$g'(z^{(l)})$을 원소별로 곱한다",
            r"the error signal travels back one layer at a time ($l = L - 1, \dots, 1$): through the next "
            r"layer's transposed weights, then times $g'(z^{(l)})$ entry by entry",
            eq(
                ("δ⁽ˡ⁾", r"\delta^{(l)}"),
                (
                    "(W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ g′(z⁽ˡ⁾)",
                    r"\left(W^{(l+1)}\right)^{\mathsf{T}} \delta^{(l+1)} \odot g'\left(z^{(l)}\right)",
                ),
            ),
        ),
        Step(
            r"층 $l$의 가중치 기울기: 오차 신호 $\delta^{(l)}$와 그 층의 입력 $a^{(l-1)}$의 외적",
            r"the weight gradient of layer $l$: the outer product of the error signal $\delta^{(l)}$ and the "
            r"layer's input $a^{(l-1)}$",
            eq(
                ("∂L/∂W⁽ˡ⁾", r"\frac{\partial L}{\partial W^{(l)}}"),
                ("δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ", r"\delta^{(l)} \left(a^{(l-1)}\right)^{\mathsf{T}}"),
            ),
        ),
        Step(
            "편향의 기울기는 오차 신호 그대로다",
            "the bias gradient is the error signal itself",
            eq(("∂L/∂b⁽ˡ⁾", r"\frac{\partial L}{\partial b^{(l)}}"), ("δ⁽ˡ⁾", r"\delta^{(l)}")),
        ),
    ]


@helper
def backprop(weights: Any, biases: Any, x: Any, y: Any, activation: Any, loss: Any) -> Derivation:
    """Gradients ``[(dL/dW, dL/db), ...]`` per layer by the chain rule, layer by layer.

    ``weights[l]`` is out×in, ``biases[l]`` a column; the activation follows
    every layer; ``loss(y, output)`` gives the loss, e.g. ``neural.mse``. The
    result is exact; the steps state the rules for a general layer in δ notation,
    then apply them to this network one layer at a time (decimals for numeric
    networks, per-layer symbols for symbolic ones). Parts: ``dW_1, db_1, …,
    dW_L, db_L`` and the error signals ``delta_1 … delta_L`` (numbers where
    the layer has one unit and one input, so that they can be quoted and compared).

    Up to 8 layers and 1,000 weights and biases. Exact gradients through σ or
    tanh nest every layer inside the next: past 8,000 terms in all (about a 2-8-2
    network) or past 5 layers they are refused with a hint to give decimal
    weights, whose gradients are decimals for any supported size.

    Examples:
        >>> from glossary import neural
        >>> w, b = sp.symbols("w b")
        >>> grads = neural.backprop([sp.Matrix([[w]])], [sp.Matrix([b])], sp.Matrix([1]), sp.Matrix([0]),
        ...                         lambda e: e, neural.mse).result
        >>> grads
        [(Matrix([[2*b + 2*w]]), Matrix([[2*b + 2*w]]))]
    """
    Ws, bs, x = _layers(weights, biases, x)
    _check_size(Ws, bs)
    activation = _activation(activation)
    if not callable(loss):
        raise GlossaryError(f"loss must be a callable such as neural.mse, got {loss!r}")
    y = _vector(y, "y")
    if y.rows != Ws[-1].rows:
        raise GlossaryError(f"y has {y.rows} entries but the network outputs {Ws[-1].rows}")
    t = sp.Symbol("t", real=True)
    prime = derivative(activation, t).result
    free = set().union(*(m.free_symbols for m in [*Ws, *bs, x, y]))
    in_decimals = False
    try:
        net = _Network(Ws, bs, x, y, activation, prime, t, loss)
    except _TooLarge:
        if free:
            raise
        # A network of numbers whose exact gradients would not fit on a page: the same computation in
        # 30-digit decimals, said so in the steps, instead of a refusal.
        Ws, bs = [_decimals(W) for W in Ws], [_decimals(b) for b in bs]
        x, y = _decimals(x), _decimals(y)
        net = _Network(Ws, bs, x, y, activation, prime, t, loss)
        in_decimals = True
    deltas = [_tidy(d) for d in net.delta_values] if free else net.delta_values
    weight_gradients = [_tidy(w) for w in net.weight_values] if free else net.weight_values
    grads = list(zip(weight_gradients, deltas, strict=True))

    steps = _general_steps()
    if in_decimals:
        steps.append(
            Step(
                f"정확한 기울기는 항이 {MAX_EXACT_SIZE:,}개를 넘는 식이 되므로, "
                "가중치와 입력을 30자리 소수로 바꿔 계산한다",
                f"the exact gradients would be expressions of more than {MAX_EXACT_SIZE:,} terms, so the weights and "
                "inputs are taken as 30-digit decimals",
                sp.Integer(MAX_EXACT_SIZE),
            )
        )
    _, g_latex = _activation_name(activation)
    g_of_t = sp.Function("g", real=True)(t)
    named = f" = {g_latex}" if g_latex != "g" else ""
    steps.append(
        Step(
            f"이 신경망의 활성화 함수 $g{named}$와 그 도함수",
            f"this network's activation $g{named}$ and its derivative",
            {g_of_t: activation(t), sp.Derivative(g_of_t, t): prime},
        )
    )
    steps += _symbolic_instance(net) if free else _numeric_instance(net, bs)
    steps += _direct_comparison(Ws, bs, x, y, activation, prime, t, loss, grads, numeric=not free)

    def verify(points: int, seed: int) -> VerificationReport:
        return _verify_backprop(Ws, bs, x, y, activation, prime, t, loss, grads, points, seed)

    parts = []
    for layer, (dW, db) in enumerate(grads, 1):
        for key, name, value in (("dW", "W", dW), ("db", "b", db)):
            latex = rf"\frac{{\partial L}}{{\partial {name}^{{({layer})}}}}"
            parts.append(Part(f"{key}_{layer}", latex, f"∂L/∂{name}⁽{_sup(layer)}⁾", _scalar_or_matrix(value)))
    for layer, delta in enumerate(deltas, 1):
        parts.append(Part(f"delta_{layer}", rf"\delta^{{({layer})}}", f"δ⁽{_sup(layer)}⁾", _scalar_or_matrix(delta)))
    return Derivation(grads, steps, verify, parts=parts)


def _decimals(matrix: sp.Matrix) -> sp.Matrix:
    return matrix.applyfunc(lambda e: sp.Float(e, 30))


def _tidy(matrix: sp.Matrix) -> sp.Matrix:
    """Each entry over a common denominator when that is cheap (the form the comparison step shows)."""
    return matrix.applyfunc(lambda e: sp.together(e) if sp.count_ops(e) <= 400 else e)


def _in_decimals(decimal: bool) -> tuple[str, str]:
    return (" (소수로 나타냄)", ", in decimals") if decimal else ("", "")


def _numeric_instance(net: _Network, bs: list[sp.Matrix]) -> list[Step]:
    """The rules applied to a network of numbers: every value a short fraction or a 4-digit decimal."""
    depth = net.depth
    steps = [
        Step(
            "입력 $a^{(0)} = x$와 정답 $y$",
            "the input $a^{(0)} = x$ and the target $y$",
            {_Named("x", "x"): net.x, _Named("y", "y"): net.y},
        )
    ]
    for layer in range(1, depth + 1):
        steps.append(
            Step(
                f"{layer}층의 가중치와 편향",
                f"layer {layer}: weights and bias",
                {_layered("W", "W", layer): net.Ws[layer - 1], _layered("b", "b", layer): bs[layer - 1]},
            )
        )
    for layer in range(1, depth + 1):
        z, z_decimal = _rounded(net.z_values[layer - 1])
        a, a_decimal = _rounded(net.a_values[layer - 1])
        ko, en = _in_decimals(z_decimal or a_decimal)
        rule = (
            rf"$z^{{({layer})}} = W^{{({layer})}} a^{{({layer - 1})}} + b^{{({layer})}}$, "
            rf"$a^{{({layer})}} = g(z^{{({layer})}})$"
        )
        steps.append(
            Step(
                f"{layer}층의 순전파: {rule}{ko}",
                f"layer {layer} forward: {rule}{en}",
                {_layered("z", "z", layer): z, _layered("a", "a", layer): a},
            )
        )
    loss_value, loss_decimal = _rounded(sp.Matrix([net.loss_value]))
    ko, en = _in_decimals(loss_decimal)
    steps.append(Step("손실" + ko, "the loss" + en, sp.Eq(_Named("L", "L"), loss_value[0, 0], evaluate=False)))
    gradient, gradient_decimal = _rounded(net.gradient_value)
    ko, en = _in_decimals(gradient_decimal)
    steps.append(
        Step(
            rf"출력에 대한 손실의 기울기 $\partial L/\partial a^{{({depth})}}${ko}",
            rf"the loss gradient at the output, $\partial L/\partial a^{{({depth})}}${en}",
            {_gradient_name("a", "a", depth): _scalar_or_matrix(gradient)},
        )
    )
    for layer in range(depth, 0, -1):
        delta, delta_decimal = _rounded(net.delta_values[layer - 1])
        weight_gradient, weight_decimal = _rounded(net.weight_values[layer - 1])
        ko, en = _in_decimals(delta_decimal or weight_decimal)
        rule = rf"$\partial L/\partial W^{{({layer})}} = \delta^{{({layer})}} (a^{{({layer - 1})}})^{{\mathsf{{T}}}}$"
        source = "출력층" if layer == depth else f"{layer + 1}층의 오차 신호에서"
        source_en = "at the output" if layer == depth else f"from layer {layer + 1}'s error signal"
        steps.append(
            Step(
                f"{layer}층의 오차 신호 $\\delta^{{({layer})}}$({source})와 가중치 기울기 {rule}{ko}",
                f"layer {layer}: the error signal $\\delta^{{({layer})}}$ ({source_en}) and the weight gradient "
                f"{rule}{en}",
                {_layered("δ", r"\delta", layer): delta, _gradient_name("W", "W", layer): weight_gradient},
            )
        )
    return steps


def _symbolic_instance(net: _Network) -> list[Step]:
    """The rules applied with a named symbol for each layer's values: no layer is substituted into the next."""
    depth = net.depth
    steps = []
    for layer in range(1, depth + 1):
        previous = "입력 $x$" if layer == 1 else f"앞 층의 출력 $a^{{({layer - 1})}}$"
        previous_en = "the input $x$" if layer == 1 else f"the previous layer's output $a^{{({layer - 1})}}$"
        z = net.z[layer - 1]
        steps.append(
            Step(
                f"{layer}층의 순전파: {previous}에서 가중합 $z^{{({layer})}}$, 출력 $a^{{({layer})}}$",
                f"layer {layer} forward: from {previous_en}, the weighted sum $z^{{({layer})}}$ and the output "
                f"$a^{{({layer})}}$",
                {
                    _layered("z", "z", layer): _scalar_or_matrix(net.z_rule[layer - 1]),
                    _layered("a", "a", layer): _scalar_or_matrix(z.applyfunc(net.activation)),
                },
            )
        )
    steps.append(
        Step(
            f"출력 $a^{{({depth})}}$로 쓴 손실",
            f"the loss in terms of the output $a^{{({depth})}}$",
            sp.Eq(_Named("L", "L"), net.loss_rule, evaluate=False),
        )
    )
    steps.append(
        Step(
            rf"출력에 대한 손실의 기울기 $\partial L/\partial a^{{({depth})}}$",
            rf"the loss gradient at the output, $\partial L/\partial a^{{({depth})}}$",
            {_gradient_name("a", "a", depth): _scalar_or_matrix(net.gradient_rule)},
        )
    )
    for layer in range(depth, 0, -1):
        source = "출력층" if layer == depth else f"{layer + 1}층의 오차 신호에서"
        source_en = "at the output" if layer == depth else f"from layer {layer + 1}'s error signal"
        steps.append(
            Step(
                f"{layer}층의 오차 신호 $\\delta^{{({layer})}}$({source})와 가중치 기울기",
                f"layer {layer}: the error signal $\\delta^{{({layer})}}$ ({source_en}) and the weight gradient",
                {
                    _layered("δ", r"\delta", layer): _scalar_or_matrix(net.delta_shown[layer - 1]),
                    _gradient_name("W", "W", layer): _scalar_or_matrix(net.weight_rule[layer - 1]),
                },
            )
        )
    return steps


def _direct_derivative(Ws, bs, x, y, activation, prime, t, loss) -> sp.Expr:
    """∂L/∂W⁽¹⁾₁₁ by differentiating the loss written out in that one weight.

    A piecewise activation takes, at each unit, the piece that holds at the network's
    own weights (the derivative there does not depend on the other pieces).
    """
    theta = sp.Dummy("theta", real=True)
    first = Ws[0].copy()
    value = first[0, 0]
    first[0, 0] = theta
    expression = activation(t)

    def apply(z: sp.Expr) -> sp.Expr:
        chosen = expression
        if isinstance(expression, sp.Piecewise):
            at = _numbers([z], {theta: value} if value.is_Number else None)[0]
            if at.is_Number:
                for piece, condition in expression.args:
                    if condition.xreplace({t: at}) == sp.true:
                        chosen = piece
                        break
        return chosen.xreplace({t: z})

    _, acts = _forward([first, *Ws[1:]], bs, x, apply)
    return sp.diff(loss(y, acts[-1]), theta).xreplace({theta: value})


def _direct_comparison(Ws, bs, x, y, activation, prime, t, loss, grads, numeric: bool) -> list[Step]:
    """Differentiate the loss directly in the first weight and show it beside backpropagation's value.

    Both sides are shown the same way: the same decimal for a numeric network (after
    confirming the exact values agree), the same common-denominator form otherwise.
    Only for small networks, where the loss written out in one weight stays small.
    """
    if sum(W.rows * W.cols for W in Ws) > 60:
        return []
    direct = limits.attempt(_direct_derivative, Ws, bs, x, y, activation, prime, t, loss, seconds=5)
    if direct is None:
        return []
    claimed = grads[0][0][0, 0]
    name = _gradient_name("W", "W", 1, (1, 1))
    if numeric:
        left, right = _numbers([direct, claimed], digits=30)
        # Exact networks must agree to 30 digits; decimal ones to what 15-digit arithmetic keeps.
        decimal = any(m.has(sp.Float) for m in [*Ws, *bs, x, y])
        tolerance = sp.Float("1e-9" if decimal else "1e-20")
        if not (left.is_Number and right.is_Number) or abs(left - right) > tolerance * (1 + abs(right)):
            raise GlossaryError(
                "backprop: direct differentiation disagrees with backpropagation; this is a bug in the library, "
                "not in your input: please report it with the call you made"
            )
        shown_direct = shown_claimed = sp.Float(right, 6)
        ko, en = _in_decimals(True)
    else:
        if sp.count_ops(direct) > 400:
            return []
        shown_direct, shown_claimed = sp.together(direct), sp.together(claimed)
        ko = en = ""
    return [
        Step(
            f"확인: 손실 전체를 $W^{{(1)}}_{{11}}$ 하나의 식으로 써서 직접 미분하면{ko}",
            f"check: writing the whole loss in $W^{{(1)}}_{{11}}$ alone and differentiating directly{en}",
            sp.Eq(name, shown_direct, evaluate=False),
        ),
        Step(
            rf"역전파로 구한 $\partial L/\partial W^{{(1)}}$의 (1, 1) 성분과 같다{ko}",
            rf"the same as the (1, 1) entry of $\partial L/\partial W^{{(1)}}$ from backpropagation{en}",
            sp.Eq(name, shown_claimed, evaluate=False),
            equals_previous=True,
        ),
    ]


# -- the independent check: a NumPy forward pass, differentiated by finite differences --------------


def _numpy_function(symbols: list[sp.Symbol], expression: sp.Expr) -> Callable:
    from ..numeric import lambdify

    return lambdify(symbols, expression)


def _apply(function: Callable, values: Any) -> Any:
    import numpy as np

    flat = np.asarray(values, dtype=float).ravel()
    with np.errstate(all="ignore"):
        out = np.asarray(function(flat), dtype=complex)
    return np.real(np.broadcast_to(out, flat.shape)).reshape(np.shape(values))


def _verify_backprop(Ws, bs, x, y, activation, prime, t, loss, grads, points, seed) -> VerificationReport:
    """Finite differences of a NumPy forward pass in every weight and bias.

    Where the network has a kink (ReLU at 0), the one-sided differences disagree;
    there the check uses a NumPy reverse pass with the activation's derivative instead.
    """
    import numpy as np

    from ..numeric import Comparison, sample_symbols

    shapes = [W.shape for W in Ws] + [b.shape for b in bs]
    sizes = [r * c for r, c in shapes]
    offsets = np.cumsum([0, *sizes])
    g = _numpy_function([t], activation(t))
    g_prime = _numpy_function([t], prime)
    y_symbols = [sp.Dummy(f"y{i}") for i in range(y.rows)]
    o_symbols = [sp.Dummy(f"o{i}") for i in range(y.rows)]
    loss_function = _numpy_function([*y_symbols, *o_symbols], loss(sp.Matrix(y_symbols), sp.Matrix(o_symbols)))
    depth = len(Ws)

    def forward(theta: Any, inputs: Any, targets: Any, keep: bool = False) -> Any:
        """The loss for each row of parameters ``theta`` (shape B × P)."""
        a = np.broadcast_to(inputs, (theta.shape[0], inputs.size))
        layers = []
        for layer in range(depth):
            rows, cols = shapes[layer]
            W = theta[:, offsets[layer] : offsets[layer + 1]].reshape(-1, rows, cols)
            b = theta[:, offsets[depth + layer] : offsets[depth + layer + 1]]
            z = np.einsum("brc,bc->br", W, a) + b
            a = _apply(g, z)
            layers.append((z, a))
        with np.errstate(all="ignore"):
            value = np.real(np.asarray(loss_function(*targets, *[a[:, i] for i in range(a.shape[1])]), dtype=complex))
        value = np.broadcast_to(value, (theta.shape[0],))
        return (value, layers) if keep else value

    def reverse(theta: Any, inputs: Any, targets: Any) -> Any:
        """Backpropagation in NumPy, with the loss gradient at the output by finite differences."""
        _, layers = forward(theta[None, :], inputs, targets, keep=True)
        output = layers[-1][1][0]
        step = 1e-4 * np.maximum(1.0, np.abs(output))
        slopes = []
        for i in range(output.size):
            shifted = [output.copy() for _ in range(4)]
            for k, h in enumerate((-2, -1, 1, 2)):
                shifted[k][i] += h * step[i]
            values = [np.real(complex(loss_function(*targets, *s))) for s in shifted]
            slopes.append((values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * step[i]))
        delta = np.array(slopes) * _apply(g_prime, layers[-1][0][0])
        gradient = np.zeros(theta.size)
        for layer in range(depth - 1, -1, -1):
            below = inputs if layer == 0 else layers[layer - 1][1][0]
            gradient[offsets[layer] : offsets[layer + 1]] = np.outer(delta, below).ravel()
            gradient[offsets[depth + layer] : offsets[depth + layer + 1]] = delta
            if layer:
                rows, cols = shapes[layer]
                W = theta[offsets[layer] : offsets[layer + 1]].reshape(rows, cols)
                delta = (W.T @ delta) * _apply(g_prime, layers[layer - 1][0][0])
        return gradient

    free = sorted(set().union(*(m.free_symbols for m in [*Ws, *bs, x, y])), key=sp.default_sort_key)
    rng = np.random.default_rng(seed)
    draws = min(points, 10) if free else 1
    samples = sample_symbols(free, draws, rng, spread=1.5)
    parameters = [e for m in [*Ws, *bs] for e in m]
    claimed_entries = [e for dW, _ in grads for e in dW] + [e for _, db in grads for e in db]
    count = len(parameters)
    comparison = Comparison(
        "finite differences of a NumPy forward pass in every weight and bias (a NumPy reverse pass at kinks)", 1e-6
    )
    for draw in range(draws):
        at = {s: sp.Float(float(samples[s][draw]), 30) for s in free}
        theta = np.array([float(v) for v in _numbers(parameters, at)])
        inputs = np.array([float(v) for v in _numbers(list(x), at)])
        targets = [float(v) for v in _numbers(list(y), at)]
        claimed = np.array([complex(v) for v in _numbers(claimed_entries, at)])
        scale = np.maximum(1.0, np.abs(theta))

        def stencil(h: Any, theta: Any = theta) -> Any:
            rows = []
            for k in (-2, -1, 1, 2):
                rows.append(theta + k * np.diag(h))
            values = forward(np.vstack(rows), inputs, targets).reshape(4, count)
            return (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)

        coarse = stencil(1e-3 * scale)
        fine = stencil(2.5e-4 * scale)
        small = 1e-6 * scale
        sided = forward(np.vstack([theta + np.diag(small), theta - np.diag(small), theta[None, :]]), inputs, targets)
        up, down, base = sided[:count], sided[count : 2 * count], sided[-1]
        forward_slope, backward_slope = (up - base) / small, (base - down) / small
        smooth = (
            np.isfinite(coarse)
            & (np.abs(coarse - fine) <= 1e-7 * (1 + np.abs(coarse)))
            & (np.abs(forward_slope - backward_slope) <= 1e-3 * (1 + np.abs(coarse)))
        )
        expected = coarse.astype(complex)
        if not smooth.all():
            expected[~smooth] = reverse(theta, inputs, targets)[~smooth]
        point = {str(s): float(samples[s][draw]) for s in free}
        comparison.add(expected, claimed, point)
    return comparison.report()


@helper
def linear_layers(weights: Any, biases: Any, x: Any) -> Derivation:
    """Stacked linear layers without activation collapse to one: ``(W, b)`` with W·x + b.

    Parts: ``W`` (the product of the weights, last layer first) and ``b``.

    Examples:
        >>> W, b = linear_layers([sp.Matrix([[2]]), sp.Matrix([[3]])], [sp.Matrix([1]), sp.Matrix([0])],
        ...                      sp.Matrix([sp.Symbol("x")])).result
        >>> W, b
        (Matrix([[6]]), Matrix([[3]]))
    """
    Ws, bs, x = _layers(weights, biases, x)
    if len(Ws) > 50:
        raise GlossaryError(f"linear_layers takes up to 50 layers, got {len(Ws)}")
    depth = len(Ws)
    combined_W, combined_b = sp.eye(x.rows), sp.zeros(x.rows, 1)
    for W, b in zip(Ws, bs, strict=True):
        combined_W, combined_b = W * combined_W, W * combined_b + b
    _, acts = _forward(Ws, bs, x, lambda e: e)
    product = {1: "W = W^{(1)}", 2: "W = W^{(2)} W^{(1)}"}.get(depth, rf"W = W^{{({depth})}} \cdots W^{{(1)}}")
    steps = [
        Step(
            "층을 차례로 적용한다(활성화 함수 없이)",
            "apply the layers one after another (no activation)",
            acts[-1].applyfunc(sp.expand),
        ),
        Step(
            "하나의 선형 변환 $Wx + b$와 같다",
            "the same as one linear map $Wx + b$",
            (combined_W * x + combined_b).applyfunc(sp.expand),
            equals_previous=True,
        ),
        Step(f"합친 가중치 ${product}$", f"the combined weight ${product}$", combined_W),
        Step(
            "합친 편향: 각 층의 편향을 뒤의 가중치들로 옮긴 합",
            "the combined bias: each layer's bias carried through the weights after it",
            combined_b,
        ),
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

    parts = [Part("W", "W", "W", combined_W), Part("b", "b", "b", combined_b)]
    return Derivation((combined_W, combined_b), steps, verify, parts=parts)
