"""glossary: the mathematics behind deep learning, derived by SymPy and checked numerically.

The submodules and the result types load on first use, so that tools which only
read cached results (the MkDocs plugin on a warm build) never import SymPy.

Examples:
    >>> import sympy as sp
    >>> from glossary import calculus
    >>> x, y = sp.symbols("x y")
    >>> calculus.partial(x**2 * y, x).result
    2*x*y
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import DerivationTimeout, GlossaryError, VerificationError
from .report import VerificationReport

__all__ = [
    "Derivation",
    "DerivationTimeout",
    "GlossaryError",
    "Step",
    "VerificationError",
    "VerificationReport",
    "calculus",
    "linalg",
    "neural",
    "probability",
]

__version__ = "0.1.0"

_SUBMODULES = {"calculus", "linalg", "neural", "probability"}
_FROM_DERIVATION = {"Derivation", "Step"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_DERIVATION:
        return getattr(importlib.import_module(".derivation", __name__), name)
    raise AttributeError(f"module 'glossary' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
