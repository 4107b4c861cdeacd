"""The runnable example shown on each page, generated from the entry's own formula.

The code is printed from the SymPy objects the entry's arguments became, so
it always matches what the page derived; the tests run every example and
compare its output with the page.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.pycode import SymPyPrinter

__all__ = ["example_code"]


class _Printer(SymPyPrinter):
    """SymPy's code printer, with ``sp.`` as the module name."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True})

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return expr.name

    def _module_format(self, fqn: str, register: bool = True) -> str:
        return "sp." + fqn.split(".")[-1] if fqn.startswith("sympy") else fqn

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"sp.Rational({expr.p}, {expr.q})"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return str(expr.p)


def _source(value: Any, printer: _Printer) -> str:
    from sympy.stats.rv import RandomSymbol

    if isinstance(value, RandomSymbol):
        distribution = value.pspace.distribution
        name = type(distribution).__name__.removesuffix("Distribution")
        args = ", ".join(_source(a, printer) for a in distribution.args)
        return f'stats.{name}("X", {args})'
    if isinstance(value, sp.MatrixBase):
        rows = ", ".join("[" + ", ".join(_source(v, printer) for v in value.row(i)) + "]" for i in range(value.rows))
        return f"sp.Matrix([{rows}])"
    if callable(value) and not isinstance(value, sp.Basic):
        name = getattr(value, "__name__", "")
        return f"neural.{name}"
    if isinstance(value, dict):
        items = ", ".join(f"{_source(k, printer)}: {_source(v, printer)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_source(v, printer) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return printer.doprint(sp.sympify(value))


def _free_names(value: Any) -> set[str]:
    """Names of the symbols inside nested lists, dicts, matrices and random variables."""
    from sympy.stats.rv import RandomSymbol

    if isinstance(value, RandomSymbol):
        return _free_names(list(value.pspace.distribution.args))
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return {s.name for s in value.free_symbols}
    if isinstance(value, dict):
        return _free_names(list(value.keys())) | _free_names(list(value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(_free_names(v) for v in value)) if value else set()
    return set()


def _symbols_line(symbols: dict[str, sp.Symbol]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for name, symbol in symbols.items():
        # The assumptions as declared, not the many SymPy derives from them.
        declared = sorted(k for k, v in symbol._assumptions_orig.items() if v)
        key = ", ".join(f"{k}=True" for k in declared)
        groups.setdefault(key, []).append(name)
    lines = []
    for key, names in groups.items():
        extra = f", {key}" if key else ""
        if len(names) == 1:
            lines.append(f'{names[0]} = sp.Symbol("{names[0]}"{extra})')
        else:
            lines.append(f'{", ".join(names)} = sp.symbols("{" ".join(names)}"{extra})')
    return lines


def example_code(helper: str, arguments: dict[str, Any], symbols: dict[str, sp.Symbol]) -> str:
    """Python source that calls ``helper`` with ``arguments`` and prints the result and its check.

    Examples:
        >>> x, y = sp.symbols("x y", real=True)
        >>> print(example_code("calculus.partial", {"f": x**2 * y, "x": x}, {"x": x, "y": y}))
        import sympy as sp
        from glossary import calculus
        <BLANKLINE>
        x, y = sp.symbols("x y", real=True)
        derivation = calculus.partial(x**2*y, x)
        print(derivation.result)
        print(derivation.verify(points=200).passed)
    """
    printer = _Printer()
    module, function = helper.split(".")
    used = _free_names(list(arguments.values()))
    imports = {module}
    if any(callable(v) and not isinstance(v, sp.Basic) for v in arguments.values()):
        imports.add("neural")
    lines = ["import sympy as sp"]
    if any(type(v).__name__ == "RandomSymbol" for v in arguments.values()):
        lines.append("import sympy.stats as stats")
    lines.append(f"from glossary import {', '.join(sorted(imports))}")
    lines.append("")
    lines += _symbols_line({name: s for name, s in symbols.items() if name in used})
    call_args = ", ".join(_source(v, printer) for v in arguments.values())
    lines.append(f"derivation = {module}.{function}({call_args})")
    lines.append("print(derivation.result)")
    lines.append("print(derivation.verify(points=200).passed)")
    return "\n".join(lines)
