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
_DISTRIBUTIONS = ("Bernoulli", "Binomial", "Normal", "Poisson", "Exponential", "Uniform", "Geometric")


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
    """A library function by name ("module.function") or as a callable, with its parameters' kinds.

    The function is imported on first call, so that reading entries never loads SymPy.
    """

    target: str | Callable[..., Any]
    parameters: dict[str, str]

    @property
    def function(self) -> Callable[..., Any]:
        if callable(self.target):
            return self.target
        import importlib

        module, name = self.target.split(".")
        return getattr(importlib.import_module(f"glossary.{module}"), name)

    @property
    def module(self) -> str:
        if callable(self.target):
            return self.target.__module__.rsplit(".", 1)[-1]
        return self.target.split(".")[0]


def _h(target: str, **parameters: str) -> Helper:
    return Helper(target, parameters)


_TABLE = (
    _h("calculus.partial", f="expr", x="symbol"),
    _h("calculus.gradient", f="expr", variables="symbols"),
    _h("calculus.chain_rule", outer="expr", inner="symbol_map", x="symbol"),
    _h("linalg.characteristic_polynomial", A="matrix", lam="symbol"),
    _h("linalg.eigen", A="matrix"),
    _h("linalg.svd", A="matrix"),
    _h("linalg.low_rank_approximation", A="matrix", rank="int"),
    _h("linalg.pca", X="matrix", k="int"),
    _h("probability.moments", X="random_variable"),
    _h("probability.mle", density="expr", x="symbol", params="symbols"),
    _h("probability.bayes", prior="table", likelihood="table"),
    _h("probability.bayes_update", prior="table", likelihood="nested_table", observations="strings"),
    _h("neural.derivative", activation="activation", x="symbol"),
    _h("neural.softmax_cross_entropy_gradient", k="int"),
    _h("neural.mse_gradient", k="int"),
    _h("neural.binary_cross_entropy_gradient"),
    _h("neural.gradient_descent", f="expr", params="symbols", lr="expr", start="exprs", steps="int"),
    _h(
        "neural.backprop",
        weights="matrices",
        biases="matrices",
        x="matrix",
        y="matrix",
        activation="activation",
        loss="loss",
    ),
    _h("neural.vanishing_gradient", activation="activation", depth="int"),
    _h("neural.linear_layers", weights="matrices", biases="matrices", x="matrix"),
    _h("neural.batch_gradient", loss="expr", params="symbols", variables="symbols", examples="rows"),
    _h(
        "neural.minibatch_gradient",
        loss="expr",
        params="symbols",
        variables="symbols",
        examples="rows",
        batch_size="int",
        at="exprs",
    ),
    _h("neural.regularized_update", loss="expr", params="symbols", l1="expr", l2="expr", lr="expr"),
    _h("neural.dropout", p="expr"),
    _h("neural.polynomial_fit", train="rows", validation="rows", max_degree="int"),
    _h("neural.one_hot_encoding", index="int", num_classes="int"),
)

#: Every helper an entry may name, by its dotted name.
HELPERS: dict[str, Helper] = {helper.target: helper for helper in _TABLE}


#: Which terms a helper builds on: the concept map draws these edges for every entry using it.
HELPER_CONCEPTS: dict[str, tuple[str, ...]] = {
    "calculus.gradient": ("partial-derivative",),
    "calculus.chain_rule": ("partial-derivative",),
    "linalg.pca": ("eigenvalue",),
    "linalg.svd": ("eigenvalue",),
    "linalg.low_rank_approximation": ("svd",),
    "probability.mle": ("partial-derivative",),
    "probability.bayes_update": ("bayes",),
    "neural.backprop": ("chain-rule", "activation-function", "loss-function"),
    "neural.gradient_descent": ("partial-derivative",),
    "neural.softmax_cross_entropy_gradient": ("partial-derivative",),
    "neural.vanishing_gradient": ("activation-function", "chain-rule"),
    "neural.batch_gradient": ("gradient-descent",),
    "neural.minibatch_gradient": ("batch",),
    "neural.regularized_update": ("gradient-descent", "loss-function"),
}


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
    missing = [name for name in helper.parameters if name not in args]
    if missing:
        raise ArgumentError(f"{field}.args", f"{helper_name} needs the argument {missing[0]!r}")
    return {name: KINDS[kind](args[name], symbols, f"{field}.args.{name}") for name, kind in helper.parameters.items()}
