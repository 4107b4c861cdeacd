"""The helpers an entry may call, and how each argument is read from entry data.

An entry names a helper (``calculus.partial``) and gives its arguments as
plain data; each argument has a kind that says how to turn that data into
SymPy objects, always through the whitelist parser.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import GlossaryError

__all__ = ["HELPERS", "ArgumentError", "Helper", "convert_arguments"]


class ArgumentError(GlossaryError):
    """An argument in an entry has the wrong form; ``field`` says which."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


Symbols = Mapping[str, Any]


def _expr(value: Any, symbols: Symbols, field: str) -> Any:
    from .expressions import parse_expression

    try:
        return parse_expression(value, symbols)
    except GlossaryError as error:
        raise ArgumentError(field, str(error)) from None


def _list(value: Any, field: str) -> list:
    if not isinstance(value, list) or not value:
        raise ArgumentError(field, f"expected a non-empty list, got {value!r}")
    return value


def _mapping(value: Any, field: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise ArgumentError(field, f"expected a non-empty mapping, got {value!r}")
    return value


def _symbol(value: Any, symbols: Symbols, field: str) -> Any:
    if not isinstance(value, str) or value not in symbols:
        declared = ", ".join(sorted(symbols)) or "none"
        raise ArgumentError(field, f"{value!r} is not a declared symbol (declared: {declared})")
    return symbols[value]


def _matrix(value: Any, symbols: Symbols, field: str) -> Any:
    import sympy as sp

    rows = _list(value, field)
    if all(not isinstance(row, list) for row in rows):
        return sp.Matrix([_expr(v, symbols, f"{field}[{i}]") for i, v in enumerate(rows)])
    width = len(_list(rows[0], f"{field}[0]"))
    converted = []
    for i, row in enumerate(rows):
        row = _list(row, f"{field}[{i}]")
        if len(row) != width:
            raise ArgumentError(f"{field}[{i}]", f"has {len(row)} entries; the first row has {width}")
        converted.append([_expr(v, symbols, f"{field}[{i}][{j}]") for j, v in enumerate(row)])
    return sp.Matrix(converted)


def _int(value: Any, symbols: Symbols, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(field, f"expected a whole number, got {value!r}")
    return value


def _neural(name: str) -> Callable[..., Any]:
    from .. import neural

    return getattr(neural, name)


_ACTIVATIONS = ("sigmoid", "relu", "step", "tanh")
_LOSSES = ("mse", "cross_entropy", "softmax_cross_entropy")
#: The sympy.stats distributions an entry may name (those `probability.moments` derives in closed form).
_DISTRIBUTIONS = (
    "Bernoulli",
    "Binomial",
    "Hypergeometric",
    "DiscreteUniform",
    "Poisson",
    "Geometric",
    "NegativeBinomial",
    "Normal",
    "Exponential",
    "Uniform",
    "Gamma",
    "Beta",
    "Laplace",
    "Logistic",
    "StudentT",
    "ChiSquared",
    "LogNormal",
)


def _named(names: tuple[str, ...], what: str) -> Callable[[Any, Symbols, str], Any]:
    def convert(value: Any, symbols: Symbols, field: str) -> Any:
        if value not in names:
            raise ArgumentError(field, f"unknown {what} {value!r} (known: {', '.join(names)})")
        return _neural(value)

    return convert


def _random_variable(value: Any, symbols: Symbols, field: str) -> Any:
    import sympy.stats as stats

    spec = _mapping(value, field)
    unknown = set(spec) - {"distribution", "args"}
    if unknown:
        raise ArgumentError(field, f"unknown keys {sorted(unknown)}; use distribution and args")
    name = spec.get("distribution")
    if name not in _DISTRIBUTIONS:
        raise ArgumentError(f"{field}.distribution", f"{name!r} is not one of {', '.join(_DISTRIBUTIONS)}")
    args = [_expr(v, symbols, f"{field}.args[{i}]") for i, v in enumerate(_list(spec.get("args"), f"{field}.args"))]
    try:
        if name == "DiscreteUniform":  # its argument is the list of values
            return stats.DiscreteUniform("X", args)
        return getattr(stats, name)("X", *args)
    except (ValueError, TypeError) as error:
        raise ArgumentError(field, f"{name}{tuple(args)} is not a valid distribution: {error}") from None


KINDS: dict[str, Callable[[Any, Symbols, str], Any]] = {
    "expr": _expr,
    "symbol": _symbol,
    "symbols": lambda v, s, f: [_symbol(x, s, f"{f}[{i}]") for i, x in enumerate(_list(v, f))],
    "exprs": lambda v, s, f: [_expr(x, s, f"{f}[{i}]") for i, x in enumerate(_list(v, f))],
    "matrix": _matrix,
    "matrices": lambda v, s, f: [_matrix(m, s, f"{f}[{i}]") for i, m in enumerate(_list(v, f))],
    "rows": lambda v, s, f: [
        [_expr(x, s, f"{f}[{i}][{j}]") for j, x in enumerate(_list(r, f"{f}[{i}]"))] for i, r in enumerate(_list(v, f))
    ],
    "int": _int,
    "activation": _named(_ACTIVATIONS, "activation"),
    "loss": _named(_LOSSES, "loss"),
    "symbol_map": lambda v, s, f: {
        _symbol(k, s, f"{f}.{k}"): _expr(x, s, f"{f}.{k}") for k, x in _mapping(v, f).items()
    },
    "table": lambda v, s, f: {str(k): _expr(x, s, f"{f}.{k}") for k, x in _mapping(v, f).items()},
    "nested_table": lambda v, s, f: {
        str(k): {str(o): _expr(x, s, f"{f}.{k}.{o}") for o, x in _mapping(t, f"{f}.{k}").items()}
        for k, t in _mapping(v, f).items()
    },
    "strings": lambda v, s, f: [str(x) for x in _list(v, f)],
    "random_variable": _random_variable,
}


@dataclass(frozen=True)
class Helper:
    """A row of the registry: a library helper, how entries give each of its arguments, and the
    terms a page using it builds on (drawn on the concept map).

    The function is found by its public name and imported on first use, so that reading
    entries never loads SymPy; the API tests hold these rows against the helpers the library
    declares with `glossary.derivation.helper`, both ways.
    """

    name: str
    parameters: dict[str, str]
    builds_on: tuple[str, ...] = ()

    @property
    def function(self) -> Callable[..., Any]:
        import importlib

        family, function = self.name.split(".")
        return getattr(importlib.import_module(f"glossary.{family}"), function)

    @property
    def family(self) -> str:
        return self.name.split(".")[0]


def _h(name: str, *, builds_on: tuple[str, ...] = (), **parameters: str) -> Helper:
    return Helper(name, parameters, builds_on)


_TABLE = (
    _h("calculus.partial", f="expr", x="symbol"),
    _h("calculus.gradient", f="expr", variables="symbols", builds_on=("partial-derivative",)),
    _h("calculus.chain_rule", outer="expr", inner="symbol_map", x="symbol", builds_on=("partial-derivative",)),
    _h("linalg.characteristic_polynomial", A="matrix", lam="symbol"),
    _h("linalg.eigen", A="matrix"),
    _h("linalg.svd", A="matrix", builds_on=("eigenvalue",)),
    _h("linalg.low_rank_approximation", A="matrix", rank="int", builds_on=("svd",)),
    _h("linalg.pca", X="matrix", k="int", ddof="int", builds_on=("eigenvalue",)),
    _h("probability.moments", X="random_variable"),
    _h("probability.mle", density="expr", x="symbol", params="symbols", builds_on=("partial-derivative",)),
    _h("probability.bayes", prior="table", likelihood="table"),
    _h(
        "probability.bayes_update",
        prior="table",
        likelihood="nested_table",
        observations="strings",
        builds_on=("bayes",),
    ),
    _h("probability.sample_mean", X="random_variable", n="expr"),
    _h("probability.variance_estimator_bias", X="random_variable", n="expr"),
    _h("neural.derivative", activation="activation", x="symbol"),
    _h("neural.softmax_cross_entropy_gradient", k="int", builds_on=("partial-derivative",)),
    _h("neural.mse_gradient", k="int"),
    _h("neural.binary_cross_entropy_gradient"),
    _h(
        "neural.gradient_descent",
        f="expr",
        params="symbols",
        lr="expr",
        start="exprs",
        steps="int",
        builds_on=("partial-derivative",),
    ),
    _h(
        "neural.backprop",
        weights="matrices",
        biases="matrices",
        x="matrix",
        y="matrix",
        activation="activation",
        loss="loss",
        builds_on=("chain-rule", "activation-function", "loss-function"),
    ),
    _h(
        "neural.vanishing_gradient",
        activation="activation",
        depth="int",
        builds_on=("activation-function", "chain-rule"),
    ),
    _h("neural.linear_layers", weights="matrices", biases="matrices", x="matrix"),
    _h(
        "neural.batch_gradient",
        loss="expr",
        params="symbols",
        variables="symbols",
        examples="rows",
        builds_on=("gradient-descent",),
    ),
    _h(
        "neural.minibatch_gradient",
        loss="expr",
        params="symbols",
        variables="symbols",
        examples="rows",
        batch_size="int",
        at="exprs",
        builds_on=("batch", "gradient-descent"),
    ),
    _h(
        "neural.regularized_update",
        loss="expr",
        params="symbols",
        l1="expr",
        l2="expr",
        lr="expr",
        builds_on=("gradient-descent", "loss-function"),
    ),
    _h("neural.dropout", p="expr", builds_on=("bernoulli",)),
    _h("neural.polynomial_fit", train="rows", validation="rows", max_degree="int"),
    _h("neural.one_hot_encoding", index="int", num_classes="int"),
)

#: Every helper an entry may name, by its public name.
HELPERS: dict[str, Helper] = {helper.name: helper for helper in _TABLE}


def unknown_helper_message(name: str) -> str:
    close = difflib.get_close_matches(name, HELPERS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown helper {name!r}; {hint}known helpers: {', '.join(sorted(HELPERS))}"


def convert_arguments(helper_name: str, args: dict[str, Any], symbols: Symbols, field: str) -> dict[str, Any]:
    """Check an entry's arguments against the helper and convert them; errors name the field."""
    if helper_name not in HELPERS:
        raise ArgumentError(f"{field}.helper", unknown_helper_message(helper_name))
    helper = HELPERS[helper_name]
    unknown = sorted(set(args) - set(helper.parameters))
    if unknown:
        raise ArgumentError(
            f"{field}.args",
            f"{helper_name} takes no argument {unknown[0]!r} (it takes {', '.join(helper.parameters) or 'none'})",
        )
    optional = _optional_parameters(helper)
    missing = [name for name in helper.parameters if name not in args and name not in optional]
    if missing:
        raise ArgumentError(f"{field}.args", f"{helper_name} needs the argument {missing[0]!r}")
    return {
        name: KINDS[kind](args[name], symbols, f"{field}.args.{name}")
        for name, kind in helper.parameters.items()
        if name in args
    }


def _optional_parameters(helper: Helper) -> set[str]:
    """The parameters an entry may leave out: those with a default value in the library."""
    import inspect

    signature = inspect.signature(helper.function)
    return {name for name, parameter in signature.parameters.items() if parameter.default is not parameter.empty}
