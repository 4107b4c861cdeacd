"""Calculus: partial derivatives, gradients and the chain rule.

Each helper returns a `glossary.Derivation` checked against central
finite differences of the input function, never against its own result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from . import _inputs
from .derivation import Derivation, Step, helper
from .errors import GlossaryError
from .numeric import derivative_verifier

__all__ = ["chain_rule", "gradient", "partial"]


def _one_partial(f: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, list[Step]]:
    others = sorted(f.free_symbols - {x}, key=sp.default_sort_key)
    held = ", ".join(str(s) for s in others) or "—"
    terms = sp.Add.make_args(sp.expand(f)) if f.is_Add else (f,)
    result = sp.diff(f, x)
    steps = [Step("미분할 함수", "the function to differentiate", f)]
    if len(terms) > 1:
        steps.append(
            Step(
                f"합의 미분은 미분의 합: 각 항을 {x}에 대해 미분한다 (상수로 고정: {held})",
                f"the derivative of a sum is the sum of derivatives; hold {held} constant",
                sp.Add(*(sp.Derivative(t, x) for t in terms), evaluate=False),
                equals_previous=False,
            )
        )
        steps.append(
            Step(
                "각 항을 미분한 결과",
                "each term differentiated",
                sp.Add(*(sp.diff(t, x) for t in terms)),
                equals_previous=True,
            )
        )
    steps.append(
        Step(
            f"{x}에 대한 편미분 (상수로 고정: {held})",
            f"the partial derivative with respect to {x} (holding {held} constant)",
            sp.Eq(sp.Derivative(f, x), result),
            equals_previous=len(terms) > 1,
        )
    )
    return result, steps


@helper
def partial(f: Any, x: Any) -> Derivation:
    """The partial derivative ∂f/∂x, holding every other symbol constant.

    Examples:
        >>> x, y = sp.symbols("x y")
        >>> partial(x**2 * y + sp.sin(y), x).result
        2*x*y
    """
    f = _inputs.expression(f, "f")
    x = _inputs.symbol(x, "x")
    result, steps = _one_partial(f, x)
    return Derivation(result, steps, derivative_verifier([(f, result, x)]))


@helper
def gradient(f: Any, variables: Any) -> Derivation:
    """The gradient: the column of partial derivatives, in the order given.

    Examples:
        >>> x, y = sp.symbols("x y")
        >>> gradient(x**2 + 3 * x * y, [x, y]).result
        Matrix([
        [2*x + 3*y],
        [      3*x]])
    """
    f = _inputs.expression(f, "f")
    variables = _inputs.symbols(variables, "variables")
    partials = []
    steps = [Step("미분할 함수", "the function to differentiate", f)]
    for v in variables:
        result, _ = _one_partial(f, v)
        partials.append(result)
        steps.append(
            Step(
                f"{v}에 대한 편미분",
                f"the partial derivative with respect to {v}",
                sp.Eq(sp.Derivative(f, v), result),
            )
        )
    grad = sp.Matrix(partials)
    steps.append(Step("편미분을 모은 기울기 벡터 ∇f", "the gradient vector ∇f collects the partials", grad))
    pairs = [(f, p, v) for p, v in zip(partials, variables, strict=True)]
    return Derivation(grad, steps, derivative_verifier(pairs))


@helper
def chain_rule(outer: Any, inner: Any, x: Any) -> Derivation:
    """d/dx of ``outer`` after substituting ``inner``, by the multivariate chain rule.

    ``inner`` maps each intermediate symbol u to an expression in ``x``; the
    steps show Σ ∂outer/∂u · du/dx and compare it with direct differentiation.

    Examples:
        >>> x, u = sp.symbols("x u")
        >>> chain_rule(sp.sin(u), {u: x**2}, x).result
        2*x*cos(x**2)
    """
    outer = _inputs.expression(outer, "outer")
    x = _inputs.symbol(x, "x")
    if not isinstance(inner, Mapping) or not inner:
        raise GlossaryError(
            f"inner must be a non-empty mapping from intermediate symbols to expressions, got {inner!r}"
        )
    mapping = {_inputs.symbol(u, "inner key"): _inputs.expression(g, f"inner[{u}]") for u, g in inner.items()}
    if x in mapping:
        raise GlossaryError(f"inner maps {x}, the variable of differentiation, to {mapping[x]}")
    unused = [u for u in mapping if u not in outer.free_symbols]
    if len(unused) == len(mapping):
        raise GlossaryError(f"outer {outer} uses none of the intermediate symbols {list(mapping)}")
    z = sp.Symbol("z")
    outer_partials = {u: sp.diff(outer, u) for u in mapping}
    inner_derivatives = {u: sp.diff(g, x) for u, g in mapping.items()}
    in_u = sp.Add(*(outer_partials[u] * inner_derivatives[u] for u in mapping))
    result = in_u.subs(mapping)
    direct = sp.diff(outer.subs(mapping), x)
    us = list(mapping)
    steps = [
        Step("바깥 함수", "the outer function", sp.Eq(z, outer)),
        Step(
            "안쪽 함수 (중간 변수)",
            "the inner functions (intermediate variables)",
            tuple(sp.Eq(u, g) for u, g in mapping.items()),
        ),
        Step(
            "연쇄 법칙: 중간 변수마다 ∂z/∂u · du/dx 를 더한다",
            "chain rule: add ∂z/∂u · du/dx over the intermediate variables",
            sp.Eq(
                sp.Derivative(z, x),
                sp.Add(*(sp.Derivative(z, u) * sp.Derivative(u, x) for u in us), evaluate=False),
            ),
        ),
        Step(
            "각 편미분을 계산한다",
            "compute each partial derivative",
            tuple(sp.Eq(sp.Derivative(z, u), outer_partials[u]) for u in us)
            + tuple(sp.Eq(sp.Derivative(u, x), inner_derivatives[u]) for u in us),
        ),
        Step("곱하여 더한다 (아직 u 로 표현)", "multiply and add (still written in u)", in_u),
        Step(f"중간 변수에 {x}의 식을 대입한다", f"substitute the expressions in {x}", result),
        Step(
            "합성 함수를 직접 미분한 결과와 같다",
            "the same as differentiating the composition directly",
            sp.Eq(sp.Derivative(outer.subs(mapping), x), direct),
            equals_previous=True,
        ),
    ]
    composed = outer.subs(mapping)
    return Derivation(result, steps, derivative_verifier([(composed, result, x)]))
