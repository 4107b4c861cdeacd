"""glossary: the mathematics behind deep learning, derived by SymPy and checked numerically.

Examples:
    >>> import sympy as sp
    >>> from glossary import calculus
    >>> x, y = sp.symbols("x y")
    >>> calculus.partial(x**2 * y, x).result
    2*x*y
"""

from __future__ import annotations

from . import calculus, linalg, neural, probability
from .derivation import Derivation, Step, VerificationReport
from .errors import DerivationTimeout, GlossaryError, VerificationError

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
