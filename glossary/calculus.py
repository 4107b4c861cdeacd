"""Calculus: partial derivatives, gradients and the chain rule.

Each helper returns a `glossary.Derivation` checked against central
finite differences of the input function, never against its own result.

Symbols without assumptions are complex in SymPy, which makes ``Abs`` and
``Max`` awkward to differentiate (``d|x|/dx`` comes out in terms of ``re`` and
``im``). A reader means a real variable, so wherever such functions appear
the symbols are treated as real, and the steps say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.core.symbol import Str
from sympy.printing.pretty.stringpict import prettyForm

from . import _inputs
from .derivation import Derivation, Part, Step, VerificationReport, helper
from .errors import GlossaryError
from .numeric import derivative_verifier

__all__ = ["chain_rule", "gradient", "partial"]


class Notation(sp.Expr):
    """Notation shown exactly as a textbook writes it (``dz/du``, ``σ′(x)``), with no value of its own.

    SymPy prints an unevaluated derivative as ``d/du z`` and orders the factors
    of a product its own way; steps name derivatives with this instead.

    Examples:
        >>> sp.latex(Notation(r"\\frac{dz}{du}", "dz/du"))
        '\\\\frac{dz}{du}'
        >>> str(Notation(r"\\frac{dz}{du}", "dz/du"))
        'dz/du'
    """

    is_commutative = True

    def __new__(cls, latex: str | Str, text: str | Str) -> Notation:
        # Unpickling passes the stored Str arguments back in.
        return sp.Expr.__new__(cls, *(v if isinstance(v, Str) else Str(v) for v in (latex, text)))

    def _latex(self, printer: Any, **kwargs: Any) -> str:
        return self.args[0].name

    def _sympystr(self, printer: Any) -> str:
        return self.args[1].name

    def _pretty(self, printer: Any) -> prettyForm:
        return prettyForm(self.args[1].name)


class Equation(sp.Equality):
    """An equation shown as written, never evaluated: ``Eq(∇f, Matrix(...))`` would become ``False``,
    and an ``Eq`` is evaluated again when a derivation comes back from its child process.

    Examples:
        >>> x = sp.Symbol("x")
        >>> Equation(Notation(r"\\nabla f", "∇f"), sp.ImmutableMatrix([2 * x, 1])).rhs
        Matrix([
        [2*x],
        [  1]])
    """

    def __new__(cls, lhs: Any, rhs: Any, **options: Any) -> Equation:
        if isinstance(rhs, sp.MatrixBase) and not isinstance(rhs, sp.ImmutableMatrix):
            rhs = sp.ImmutableMatrix(rhs)
        return sp.Equality.__new__(cls, lhs, rhs, evaluate=False)


def _leibniz(top: Any, bottom: Any, partial: bool) -> Notation:
    """The derivative of ``top`` with respect to ``bottom`` as ``dz/du`` or ``∂z/∂u``.

    Examples:
        >>> u, z = sp.symbols("u z")
        >>> str(_leibniz(z, u, partial=True))
        '∂z/∂u'
    """
    top_latex, bottom_latex = sp.latex(top), sp.latex(bottom)
    if partial:
        return Notation(rf"\frac{{\partial {top_latex}}}{{\partial {bottom_latex}}}", f"∂{top}/∂{bottom}")
    return Notation(rf"\frac{{d {top_latex}}}{{d {bottom_latex}}}", f"d{top}/d{bottom}")


def _math(symbols: Any) -> str:
    """Symbols as inline math for a caption: ``$x$`` or ``$x, y$``."""
    items = list(symbols) if isinstance(symbols, (list, tuple, set)) else [symbols]
    return "$" + ", ".join(sp.latex(s) for s in items) + "$"


def _scalar(value: Any, name: str) -> sp.Expr:
    """A scalar SymPy expression: a Matrix (or anything matrix-valued) is refused with a hint."""
    if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)) or getattr(value, "is_Matrix", False):
        raise GlossaryError(
            f"{name} must be a scalar expression, got a matrix of shape {getattr(value, 'shape', '?')}; "
            "differentiate each entry on its own"
        )
    result = _inputs.expression(value, name)
    if isinstance(result, sp.MatrixExpr) or result.has(sp.MatrixExpr):
        raise GlossaryError(f"{name} must be a scalar expression, got the matrix expression {result}")
    return result


# Functions whose derivative SymPy writes with re/im unless their argument is known to be real.
_NEEDS_REAL = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.re, sp.im, sp.arg, sp.conjugate)


def _real_symbols(*exprs: Any) -> tuple[dict[sp.Symbol, sp.Symbol], dict[sp.Symbol, sp.Symbol]]:
    """``(to_real, back)``: plain symbols of ``exprs`` replaced by real ones of the same name, where it matters.

    Only symbols with no assumption about being real are replaced, and only when
    a function such as ``Abs`` or ``Max`` appears: elsewhere SymPy differentiates
    complex and real symbols alike.
    """
    if not any(sp.sympify(e).has(*_NEEDS_REAL) for e in exprs):
        return {}, {}
    plain = set()
    for e in exprs:
        plain |= {s for s in sp.sympify(e).free_symbols if isinstance(s, sp.Symbol) and s.is_real is None}
    to_real = {s: sp.Symbol(s.name, real=True) for s in sorted(plain, key=sp.default_sort_key)}
    return to_real, {r: s for s, r in to_real.items()}


def _restore(value: Any, back: Mapping[sp.Symbol, sp.Symbol]) -> Any:
    if not back:
        return value
    if isinstance(value, tuple):
        return tuple(_restore(v, back) for v in value)
    return value.xreplace(back) if isinstance(value, sp.Basic) else value


def _restore_steps(steps: list[Step], back: Mapping[sp.Symbol, sp.Symbol]) -> list[Step]:
    if not back:
        return steps
    return [Step(s.ko, s.en, _restore(s.expr, back), s.equals_previous) for s in steps]


def _checked(verify: Any, exprs: list[Any], what: str) -> Any:
    """``verify``, or a check that says plainly why an undefined function cannot be evaluated."""
    undefined = sorted({str(a.func) for e in exprs for a in sp.sympify(e).atoms(AppliedUndef)})
    if not undefined:
        return verify
    names = ", ".join(undefined)

    def refuse(points: int, seed: int) -> VerificationReport:
        raise GlossaryError(
            f"{what} holds the undefined function {names}, which has no values to compute with; "
            "give it a formula to check the result numerically"
        )

    return refuse


def _function_name(f: sp.Expr, first: sp.Symbol) -> Notation:
    variables = [first, *sorted(f.free_symbols - {first}, key=sp.default_sort_key)]
    latex = ", ".join(sp.latex(v) for v in variables)
    text = ", ".join(str(v) for v in variables)
    return Notation(rf"f\left({latex}\right)", f"f({text})")


class _Partial(sp.Derivative):
    """∂/∂x of one term of a function of several variables, printed with ∂ even when the term itself
    holds x alone (SymPy would print d/dx there)."""

    def _latex(self, printer: Any) -> str:
        text = printer._print_Derivative(self)
        return text.replace(r"\frac{d}{d ", r"\frac{\partial}{\partial ", 1)


def _one_partial(f: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, list[Step], Notation]:
    others = sorted(f.free_symbols - {x}, key=sp.default_sort_key)
    name = _leibniz(sp.Symbol("f"), x, partial=bool(others))
    terms = sp.Add.make_args(sp.expand(f)) if f.is_Add else (f,)
    result = sp.diff(f, x)
    held_ko = f"({_math(others)} 고정)" if others else ""
    held_en = f", holding {_math(others)} constant" if others else ""
    steps = []
    if len(terms) > 1:
        steps.append(
            Step(
                f"합의 미분은 미분의 합: 각 항을 {_math(x)}에 대해 미분한다{held_ko}",
                f"the derivative of a sum is the sum of the derivatives: differentiate each term with respect to "
                f"{_math(x)}{held_en}",
                sp.Add(*((_Partial if others else sp.Derivative)(t, x) for t in terms)),
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
    if others:
        ko, en = f"{_math(x)}에 대한 편미분{held_ko}", f"the partial derivative with respect to {_math(x)}{held_en}"
    else:
        ko, en = f"{_math(x)}에 대해 미분한다", f"the derivative with respect to {_math(x)}"
    steps.append(Step(ko, en, Equation(name, result), equals_previous=len(terms) > 1))
    return result, steps, name


def _first_step(f: sp.Expr, first: sp.Symbol, made_real: bool) -> Step:
    ko, en = "미분할 함수", "the function to differentiate"
    if made_real:
        ko += "(변수는 모두 실수로 본다)"
        en += " (its variables are taken to be real)"
    return Step(ko, en, Equation(_function_name(f, first), f))


@helper
def partial(f: Any, x: Any) -> Derivation:
    """The partial derivative ∂f/∂x, holding every other symbol constant.

    Its part ``derivative`` is ∂f/∂x (written df/dx when f depends on x alone).

    Examples:
        >>> x, y = sp.symbols("x y")
        >>> partial(x**2 * y + sp.sin(y), x).result
        2*x*y
        >>> partial(sp.Abs(x), x).result
        sign(x)
    """
    f = _scalar(f, "f")
    x = _inputs.symbol(x, "x")
    to_real, back = _real_symbols(f, x)
    f_real, x_real = f.xreplace(to_real), x.xreplace(to_real)
    result, steps, name = _one_partial(f_real, x_real)
    steps = [_first_step(f_real, x_real, bool(to_real)), *steps]
    result = _restore(result, back)
    verify = _checked(derivative_verifier([(f_real, result.xreplace(to_real), x_real)]), [f], "f")
    parts = [Part("derivative", sp.latex(name), str(name), result)]
    return Derivation(result, _restore_steps(steps, back), verify, parts=parts)


@helper
def gradient(f: Any, variables: Any) -> Derivation:
    """The gradient: the column of partial derivatives, in the order given.

    Its part ``gradient`` is ∇f.

    Examples:
        >>> x, y = sp.symbols("x y")
        >>> gradient(x**2 + 3 * x * y, [x, y]).result
        Matrix([
        [2*x + 3*y],
        [      3*x]])
    """
    f = _scalar(f, "f")
    variables = _inputs.symbols(variables, "variables")
    to_real, back = _real_symbols(f, *variables)
    f_real = f.xreplace(to_real)
    reals = [v.xreplace(to_real) for v in variables]
    partials = []
    steps = [_first_step(f_real, reals[0], bool(to_real))]
    for v in reals:
        result, _, name = _one_partial(f_real, v)
        partials.append(result)
        others = sorted(f_real.free_symbols - {v}, key=sp.default_sort_key)
        held_ko = f"({_math(others)} 고정)" if others else ""
        held_en = f", holding {_math(others)} constant" if others else ""
        steps.append(
            Step(
                f"{_math(v)}에 대한 편미분{held_ko}",
                f"the partial derivative with respect to {_math(v)}{held_en}",
                Equation(name, result),
            )
        )
    grad = sp.Matrix(partials)
    nabla = Notation(r"\nabla f", "∇f")
    steps.append(
        Step(
            r"편도함수를 모은 기울기 벡터 $\nabla f$",
            r"the gradient vector $\nabla f$ collects the partial derivatives",
            Equation(nabla, grad),
        )
    )
    pairs = [(f_real, p, v) for p, v in zip(partials, reals, strict=True)]
    grad = _restore(grad, back)
    parts = [Part("gradient", r"\nabla f", "∇f", grad)]
    return Derivation(grad, _restore_steps(steps, back), _checked(derivative_verifier(pairs), [f], "f"), parts=parts)


# -- the chain rule ------------------------------------------------------------------------------


def _innermost_first(mapping: Mapping[sp.Symbol, sp.Expr]) -> list[sp.Symbol]:
    """The intermediate symbols ordered so that each comes after those it depends on."""
    order: list[sp.Symbol] = []
    state: dict[sp.Symbol, str] = {}

    def visit(u: sp.Symbol, path: list[sp.Symbol]) -> None:
        if state.get(u) == "done":
            return
        if state.get(u) == "open":
            cycle = " → ".join(str(s) for s in [*path[path.index(u) :], u])
            raise GlossaryError(f"inner is circular: {cycle}; each intermediate must come down to x in the end")
        state[u] = "open"
        for v in mapping:
            if v in mapping[u].free_symbols:
                visit(v, [*path, u])
        state[u] = "done"
        order.append(u)

    for u in mapping:
        visit(u, [])
    return order


def _compose(expr: sp.Expr, mapping: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with every intermediate replaced, through all levels, by its expression in x."""
    for _ in range(len(mapping) + 1):
        if not expr.free_symbols & set(mapping):
            return expr
        expr = expr.subs(mapping, simultaneous=True)
    return expr  # pragma: no cover - the order check rules out cycles


def _one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else tuple(items)


def _tidy(expr: sp.Expr) -> sp.Expr:
    """The expanded form when it is shorter (x(xeˣ + eˣ) + xeˣ becomes x²eˣ + 2xeˣ), else ``expr``."""
    if sp.count_ops(expr) > 200:
        return expr
    expanded = sp.expand(expr)
    return expanded if sp.count_ops(expanded) < sp.count_ops(expr) else expr


def _unique_name(taken: set[str]) -> sp.Symbol:
    for name in ("z", "f", "F", "h", "q"):
        if name not in taken:
            return sp.Symbol(name)
    return sp.Symbol("z_out")  # pragma: no cover - every short name taken


@helper
def chain_rule(outer: Any, inner: Any, x: Any) -> Derivation:
    """d/dx of ``outer`` after substituting ``inner``, by the multivariate chain rule.

    ``inner`` maps each intermediate symbol u to an expression in ``x`` (which may
    use other intermediates: nested substitutions). ``outer`` may also depend on
    ``x`` directly; the steps then show the total derivative
    dz/dx = Σ ∂z/∂u · du/dx + ∂z/∂x. Ordinary derivatives are written with d,
    partial ones with ∂, and the result is compared with direct differentiation.
    Its part ``derivative`` is dz/dx.

    Examples:
        >>> x, u = sp.symbols("x u")
        >>> chain_rule(sp.sin(u), {u: x**2}, x).result
        2*x*cos(x**2)
        >>> chain_rule(u * x, {u: x**2}, x).result
        3*x**2
    """
    outer = _scalar(outer, "outer")
    x = _inputs.symbol(x, "x")
    if not isinstance(inner, Mapping) or not inner:
        raise GlossaryError(
            f"inner must be a non-empty mapping from intermediate symbols to expressions, got {inner!r}"
        )
    _inputs.refuse_text(inner, "inner")
    mapping = {_inputs.symbol(u, "inner key"): _scalar(g, f"inner[{u}]") for u, g in inner.items()}
    if x in mapping:
        raise GlossaryError(f"inner maps {x}, the variable of differentiation, to {mapping[x]}")
    if not outer.free_symbols & set(mapping):
        raise GlossaryError(f"outer {outer} uses none of the intermediate symbols {list(mapping)}")
    order = _innermost_first(mapping)

    to_real, back = _real_symbols(outer, x, *mapping, *mapping.values())
    if to_real:
        outer, x = outer.xreplace(to_real), x.xreplace(to_real)
        mapping = {u.xreplace(to_real): g.xreplace(to_real) for u, g in mapping.items()}
        order = [u.xreplace(to_real) for u in order]
    intermediates = set(mapping)
    z = _unique_name({s.name for s in outer.free_symbols | intermediates | {x}} | {x.name})

    def uses(expr: sp.Expr) -> list[sp.Symbol]:
        return [v for v in order if v in expr.free_symbols]

    def total_name(top: sp.Symbol, expr: sp.Expr) -> Notation:
        """d top/dx, or ∂ top/∂x when other inputs stay fixed and no direct term could be confused with it."""
        others = _compose(expr, mapping).free_symbols - {x}
        total_and_direct = bool(uses(expr)) and x in expr.free_symbols
        return _leibniz(top, x, partial=bool(others) and not total_and_direct)

    def factor_name(top: sp.Symbol, expr: sp.Expr, by: sp.Symbol) -> Notation:
        return _leibniz(top, by, partial=len(expr.free_symbols) > 1)

    def rule(top: sp.Symbol, expr: sp.Expr) -> tuple[sp.Expr, sp.Equality | None, list[sp.Equality]]:
        """The total derivative of ``expr`` (still in intermediates), its rule and its primitive factors."""
        terms_latex, terms_text, value, factors = [], [], sp.Integer(0), []
        for v in uses(expr):
            outer_factor = factor_name(top, expr, v)
            inner_factor = names[v]
            terms_latex.append(f"{sp.latex(outer_factor)} \\cdot {sp.latex(inner_factor)}")
            terms_text.append(f"{outer_factor} · {inner_factor}")
            partial_value = sp.diff(expr, v)
            factors.append(Equation(outer_factor, partial_value))
            value += partial_value * totals[v]
        if x in expr.free_symbols:
            direct = _leibniz(top, x, partial=True) if uses(expr) else names_of(top, expr)
            terms_latex.append(sp.latex(direct))
            terms_text.append(str(direct))
            factors.append(Equation(direct, sp.diff(expr, x)))
            value += sp.diff(expr, x)
        if not uses(expr):
            if x not in expr.free_symbols:
                factors.append(Equation(names_of(top, expr), 0))
            return value, None, factors
        formula = Equation(
            names_of(top, expr),
            Notation(" + ".join(terms_latex), " + ".join(terms_text)),
        )
        return value, formula, factors

    def names_of(top: sp.Symbol, expr: sp.Expr) -> Notation:
        return names[top] if top in names else total_name(top, expr)

    names: dict[sp.Symbol, Notation] = {}
    totals: dict[sp.Symbol, sp.Expr] = {}
    own_formulas: dict[sp.Symbol, sp.Equality] = {}
    own_factors: dict[sp.Symbol, list[sp.Equality]] = {}
    for u in order:
        names[u] = total_name(u, mapping[u])
        totals[u], formula, own_factors[u] = rule(u, mapping[u])
        if formula is not None:
            own_formulas[u] = formula
    names[z] = total_name(z, outer)
    in_intermediates, outer_formula, factors = rule(z, outer)
    # Shown in the caller's order of the intermediates, the outer function first.
    formulas = [outer_formula] + [own_formulas[u] for u in mapping if u in own_formulas]
    factors = factors + [f for u in mapping for f in own_factors[u]]
    nested = [Equation(names[u], totals[u]) for u in mapping if u in own_formulas]
    substituted = _compose(in_intermediates, mapping)
    result = _tidy(substituted)
    composed = _compose(outer, mapping)
    direct = sp.diff(composed, x)

    used = uses(outer)
    has_direct = x in outer.free_symbols
    single = len(used) == 1 and not has_direct and not nested
    outer_is_partial = len(outer.free_symbols) > 1
    if single:
        inner_is_partial = "partial" in sp.latex(names[used[0]])
        kind_ko = ["도함수", "편도함수"]
        kind_en = ["derivative", "partial derivative"]
        rule_ko = (
            f"연쇄 법칙: 바깥 함수의 {kind_ko[outer_is_partial]}에 안쪽 함수의 {kind_ko[inner_is_partial]}를 곱한다"
        )
        rule_en = f"chain rule: the outer {kind_en[outer_is_partial]} times the inner {kind_en[inner_is_partial]}"
    else:
        rule_ko = "연쇄 법칙: 중간 변수마다 바깥 함수의 편도함수와 중간 변수의 도함수를 곱해 모두 더한다"
        rule_en = (
            "chain rule: for each intermediate variable, multiply the outer partial derivative by the "
            "intermediate's derivative, and add the products"
        )
    if has_direct:
        direct_name = sp.latex(_leibniz(z, x, partial=True))
        rule_ko += f". 바깥 함수가 {_math(x)}에 직접 의존하는 항 ${direct_name}$도 더한다"
        rule_en += f"; add ${direct_name}$ for the direct dependence on {_math(x)}"
    if nested:
        rule_ko += ". 다른 중간 변수에 의존하는 중간 변수는 같은 법칙으로 미분한다"
        rule_en += "; an intermediate that depends on another is differentiated by the same rule"
    any_partial = any("partial" in sp.latex(f.lhs) for f in factors)
    steps = [
        Step(
            "바깥 함수" + (f"({_math(x)}에도 직접 의존한다)" if has_direct else ""),
            "the outer function" + (f" (it also depends on {_math(x)} directly)" if has_direct else ""),
            Equation(z, outer),
        ),
        Step(
            "안쪽 함수(중간 변수)" + (". 변수는 모두 실수로 본다" if to_real else ""),
            "the inner functions (intermediate variables)"
            + ("; all variables are taken to be real" if to_real else ""),
            _one_or_many([Equation(u, mapping[u]) for u in mapping]),
        ),
        Step(rule_ko, rule_en, formulas[0] if len(formulas) == 1 else tuple(formulas)),
        Step(
            "각 편도함수와 도함수를 계산한다" if any_partial else "각 도함수를 계산한다",
            "compute each partial and ordinary derivative" if any_partial else "compute each derivative",
            tuple(factors),
        ),
    ]
    if nested:
        steps.append(
            Step(
                "다른 중간 변수를 거치는 중간 변수의 도함수",
                "the derivatives of the intermediates that go through others",
                nested[0] if len(nested) == 1 else tuple(nested),
            )
        )
    shown_used = [u for u in mapping if in_intermediates.has(u)] or used
    verb_ko, verb_en = ("곱한다", "multiply") if single else ("곱해서 더한다", "multiply and add")
    steps += [
        Step(
            f"{verb_ko}(아직 중간 변수 {_math(shown_used)}에 대한 식)",
            f"{verb_en} (still written in {_math(shown_used)})",
            Equation(names[z], in_intermediates),
        ),
        Step(
            f"중간 변수에 {_math(x)}의 식을 대입한다",
            f"substitute the expressions in {_math(x)}",
            Equation(names[z], substituted),
        ),
    ]
    if result != substituted:
        steps.append(Step("정리한다", "tidy up", Equation(names[z], result), equals_previous=True))
    steps += [
        Step(
            "합성함수를 직접 미분한 결과와 같다",
            "the same as differentiating the composition directly",
            Equation(sp.Derivative(composed, x), direct),
            equals_previous=True,
        ),
    ]
    verify = _checked(derivative_verifier([(composed, result, x)]), [composed], "the composition")
    result = _restore(result, back)
    parts = [Part("derivative", sp.latex(names[z]), str(names[z]), result)]
    return Derivation(result, _restore_steps(steps, back), verify, parts=parts)
