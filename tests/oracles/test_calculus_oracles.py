"""calculus.partial, gradient and chain_rule against mpmath's high-precision numeric derivatives.

Every function is a random tree over an allow-list (sin, cos, exp, tanh,
polynomials, log and sqrt of positive arguments) in one to three variables;
the reference differentiates the tree's own mpmath evaluation, never the
library's output.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from glossary import calculus

from .harness import budgeted, case
from .reference import assert_close, mp_number
from .strategies import as_sympy, coordinates, evaluate, points, show, to_sympy, trees, uses

NAMES = ("x", "y", "z")
RELATIVE = 1e-12


def numeric_partial(tree, at: dict, wrt: str):
    """∂tree/∂wrt at a point, by mpmath's numeric differentiation at 40 digits."""
    with mpmath.workdps(40):
        base = {name: mp_number(value) for name, value in at.items()}
        return mpmath.diff(lambda t: evaluate(tree, {**base, wrt: t}), base[wrt])


def symbols_for(names, real: bool) -> dict[str, sp.Symbol]:
    return {name: sp.Symbol(name, real=True) if real else sp.Symbol(name) for name in names}


def at_point(symbols: dict[str, sp.Symbol], at: dict) -> dict:
    return {symbols[name]: as_sympy(value) for name, value in at.items()}


@pytest.mark.parametrize("count", [1, 2, 3], ids=["1 variable", "2 variables", "3 variables"])
@budgeted(9)
@given(data=st.data())
def test_partial_matches_numeric_differentiation(count, data):
    names = NAMES[:count]
    tree = data.draw(trees(names), label="f")
    wrt = data.draw(st.sampled_from(names), label="wrt")
    symbols = symbols_for(names, data.draw(st.booleans(), label="real symbols"))
    where = data.draw(st.lists(points(count), min_size=2, max_size=3), label="points")
    f = to_sympy(tree, symbols)
    with case("calculus", f"partial({show(tree)}, {wrt})") as c:
        result = c.call("partial", calculus.partial, f, symbols[wrt], verify=True)
        assert isinstance(result, sp.Expr), f"∂f/∂{wrt} should be an expression, got {type(result).__name__}"
        for point in where:
            at = dict(zip(names, point, strict=True))
            assert_close(result.subs(at_point(symbols, at)), numeric_partial(tree, at, wrt), RELATIVE, f"at {at}")


@budgeted(20)
@given(st.data())
def test_gradient_is_the_column_of_partials_in_the_order_given(data):
    count = data.draw(st.integers(1, 3), label="variables")
    names = NAMES[:count]
    tree = data.draw(trees(names), label="f")
    order = data.draw(st.permutations(names), label="order")
    extra = data.draw(st.booleans(), label="with an unused variable")
    symbols = symbols_for((*names, "w"), data.draw(st.booleans(), label="real symbols"))
    variables = [symbols[name] for name in order] + ([symbols["w"]] if extra else [])
    point = data.draw(points(count), label="point")
    f = to_sympy(tree, symbols)
    with case("calculus", f"gradient({show(tree)}, {variables})") as c:
        result = c.call("gradient", calculus.gradient, f, variables, verify=True)
        assert isinstance(result, sp.MatrixBase), f"the gradient should be a Matrix, got {type(result).__name__}"
        assert result.shape == (len(variables), 1), f"shape {result.shape}, expected ({len(variables)}, 1)"
        at = dict(zip(names, point, strict=True))
        values = {**at_point(symbols, at), symbols["w"]: sp.Rational(1, 3)}
        for row, name in enumerate(order):
            assert_close(result[row].subs(values), numeric_partial(tree, at, name), RELATIVE, f"∂f/∂{name} at {at}")
        if extra:
            assert sp.simplify(result[-1]) == 0, f"∂f/∂w for an unused w should be 0, got {result[-1]}"


def _with(tree, name: str, how: str):
    return tree if uses(tree, name) else (how, tree, ("var", name))


@st.composite
def outer_with_direct_x(draw):
    """An outer function of u (and maybe v) that also uses x directly, with u(x) and v(x)."""
    outer = draw(trees(("u", "v", "x"), max_leaves=5))
    outer = _with(_with(outer, "u", draw(st.sampled_from(["add", "mul"]))), "x", draw(st.sampled_from(["add", "mul"])))
    inner = {"u": _with(draw(trees(("x",), max_leaves=4)), "x", draw(st.sampled_from(["add", "mul"])))}
    if uses(outer, "v"):
        inner["v"] = _with(draw(trees(("x",), max_leaves=4)), "x", draw(st.sampled_from(["add", "mul"])))
    return outer, inner


@st.composite
def nested_substitutions(draw):
    """u is written in v (and maybe x), v in x: the substitution has to be carried through."""
    outer = _with(draw(trees(("u", "x"), max_leaves=4)), "u", draw(st.sampled_from(["add", "mul"])))
    u_in_v = _with(draw(trees(("v", "x"), max_leaves=4)), "v", draw(st.sampled_from(["add", "mul"])))
    v_in_x = _with(draw(trees(("x",), max_leaves=4)), "x", draw(st.sampled_from(["add", "mul"])))
    return outer, {"u": u_in_v, "v": v_in_x}


def composed_derivative(outer, inner: dict, at):
    """d/dx of outer(u(…), v(…), x), composing the trees numerically (v first, then u)."""
    with mpmath.workdps(40):

        def composed(t):
            env = {"x": t}
            if "v" in inner:
                env["v"] = evaluate(inner["v"], env)
            env["u"] = evaluate(inner["u"], env)
            return evaluate(outer, env)

        return mpmath.diff(composed, mp_number(at))


def check_chain_rule(outer_tree, inner_trees, where):
    symbols = symbols_for(("u", "v", "x"), real=False)
    x = symbols["x"]
    outer = to_sympy(outer_tree, symbols)
    inner = {symbols[name]: to_sympy(tree, symbols) for name, tree in inner_trees.items()}
    shown = f"chain_rule({show(outer_tree)}, {{{', '.join(f'{k}: {show(v)}' for k, v in inner_trees.items())}}}, x)"
    with case("calculus", shown) as c:
        result = c.call("chain_rule", calculus.chain_rule, outer, inner, x, verify=True)
        assert isinstance(result, sp.Expr), f"the result should be an expression, got {type(result).__name__}"
        leftover = result.free_symbols - {x}
        assert not leftover, f"the result should be written in x alone, but it still has {leftover}: {result}"
        for at in where:
            assert_close(
                result.subs(x, as_sympy(at)), composed_derivative(outer_tree, inner_trees, at), RELATIVE, f"x={at}"
            )


@budgeted(25)
@given(outer_with_direct_x(), st.lists(coordinates(), min_size=2, max_size=3))
def test_chain_rule_with_an_outer_function_that_also_uses_x(pair, where):
    check_chain_rule(*pair, where)


@budgeted(15)
@given(nested_substitutions(), st.lists(coordinates(), min_size=2, max_size=3))
def test_chain_rule_through_nested_substitutions(pair, where):
    check_chain_rule(*pair, where)


def test_chain_rule_total_derivative_of_u_times_x():
    """The issue's case: chain_rule(u*x, {u: x**2}, x) is d/dx x³ = 3x²."""
    x, u = sp.symbols("x u")
    with case("calculus", "chain_rule(u*x, {u: x**2}, x)") as c:
        result = c.call("chain_rule", calculus.chain_rule, u * x, {u: x**2}, x, verify=True)
        assert sp.expand(result - 3 * x**2) == 0, f"expected 3*x**2, got {result}"


# -- bad input: a GlossaryError, quickly, and nothing else ----------------------------------------------

x, y, u = sp.symbols("x y u")
f_undefined = sp.Function("f")

JUNK = [None, object(), b"x**2", {1: 2}, {x}, 2.5j, [[x]], float("nan")]

# (name, function, valid arguments): each position is replaced by junk in turn.
CALLS = [
    ("partial", calculus.partial, (x**2 * y, x)),
    ("gradient", calculus.gradient, (x**2 * y, [x, y])),
    ("chain_rule", calculus.chain_rule, (sp.sin(u) * x, {u: x**2}, x)),
]


def _valid_junk(name: str, position: int, junk) -> bool:
    """Junk that is, after all, acceptable input at this position (skipped)."""
    if isinstance(junk, (complex, float)) and position == 0:
        return True  # a number is an expression
    return name == "gradient" and position == 1 and isinstance(junk, set)  # a set of one Symbol names it


@pytest.mark.parametrize("junk", JUNK, ids=[f"junk{i}" for i in range(len(JUNK))])
@pytest.mark.parametrize(
    "target", [(n, f, a, i) for n, f, a in CALLS for i in range(len(a))], ids=lambda t: f"{t[0]}-arg{t[3]}"
)
def test_junk_in_any_position_is_a_glossary_error(target, junk):
    name, function, arguments, position = target
    if _valid_junk(name, position, junk):
        return
    bad = list(arguments)
    bad[position] = junk
    with case("calculus", f"{name} with argument {position} = {junk!r}", expect="error") as c:
        c.call(name, function, *bad)


STRING_CALLS = [
    ("partial", calculus.partial, ("x**2", x)),
    ("partial", calculus.partial, (x**2, "x")),
    ("gradient", calculus.gradient, ("x*y", [x, y])),
    ("gradient", calculus.gradient, (x * y, ["x", y])),
    ("chain_rule", calculus.chain_rule, ("u*x", {u: x**2}, x)),
    ("chain_rule", calculus.chain_rule, (u * x, {u: "x**2"}, x)),
    ("chain_rule", calculus.chain_rule, (u * x, {"u": x**2}, x)),
    ("chain_rule", calculus.chain_rule, (u * x, {u: x**2}, "x")),
]


@pytest.mark.parametrize("target", STRING_CALLS, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(STRING_CALLS)])
def test_strings_are_refused_without_being_parsed(target):
    name, function, arguments = target
    with case("calculus", f"{name}{arguments!r}", expect="error") as c:
        c.call(name, function, *arguments)


def test_matrix_valued_partial_is_refused_or_right():
    F = sp.Matrix([x**2 * y, sp.sin(x)])
    with case("calculus", "partial(Matrix([x**2*y, sin(x)]), x)", expect="either") as c:
        result = c.call("partial", calculus.partial, F, x, verify=True, verify_expect="either")
        expected = [2 * x * y, sp.cos(x)]
        values = {x: sp.Rational(3, 7), y: sp.Rational(-5, 4)}
        assert len(list(result)) == 2, f"expected two entries, got {result}"
        for got, want in zip(result, expected, strict=True):
            assert_close(got.subs(values), float(want.subs(values)), 1e-12, "entry")


def test_undefined_function_is_differentiated_and_verify_refuses_cleanly():
    with case("calculus", "partial(f(x)**2 * x, x) with f undefined", expect="either") as c:
        result = c.call("partial", calculus.partial, f_undefined(x) ** 2 * x, x, verify=True, verify_expect="either")
        # With f = sin the derivative is 2 sin cos x + sin²: check through that instance.
        instance = result.replace(f_undefined, sp.sin).doit()
        at = sp.Rational(2, 5)
        assert_close(instance.subs(x, at), float(sp.sin(at) ** 2 + at * sp.sin(2 * at)), 1e-12, "with f = sin")


def test_undefined_outer_function_in_chain_rule_verify_refuses_cleanly():
    g = sp.Function("g")
    with case("calculus", "chain_rule(g(u), {u: x**2}, x) with g undefined", expect="either") as c:
        result = c.call("chain_rule", calculus.chain_rule, g(u), {u: x**2}, x, verify=True, verify_expect="either")
        instance = result.replace(g, sp.exp).doit()
        at = sp.Rational(3, 4)
        assert_close(instance.subs(x, at), float(2 * at * sp.exp(at**2)), 1e-12, "with g = exp")


def test_numpy_array_of_variables_is_accepted():
    with case("calculus", "gradient(x**2*y, np.array([x, y]))") as c:
        result = c.call("gradient", calculus.gradient, x**2 * y, np.array([x, y], dtype=object), verify=True)
        values = {x: sp.Rational(1, 2), y: sp.Rational(3, 2)}
        assert result.shape == (2, 1), f"shape {result.shape}"
        assert_close(result[0].subs(values), 1.5, 1e-12, "∂/∂x")
        assert_close(result[1].subs(values), 0.25, 1e-12, "∂/∂y")


def test_verify_accepts_a_numpy_integer_for_points():
    with case("calculus", "partial(sin(x)*y, x).verify(points=np.int64(50))") as c:
        # A refusal of the NumPy integer is recorded against verify() as a refused valid input.
        c.call("partial", calculus.partial, sp.sin(x) * y, x, verify={"points": np.int64(50)})


def test_verify_with_a_huge_number_of_points_stays_within_budget():
    with case("calculus", "partial(sin(x)*y, x).verify(points=10**8)") as c:
        c.call("partial", calculus.partial, sp.sin(x) * y, x, verify={"points": 10**8}, verify_expect="either")
