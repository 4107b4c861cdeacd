"""The errors the library raises for bad input, one small hierarchy.

Every error is a `GlossaryError`, itself a `ValueError`, so that
callers who only know the standard library can still catch it.
"""

from __future__ import annotations

__all__ = ["DerivationTimeout", "GlossaryError", "VerificationError"]


class GlossaryError(ValueError):
    """Bad input to a helper, or a derivation the library cannot carry out.

    Examples:
        >>> try:
        ...     raise GlossaryError("index 5 is outside 0..2")
        ... except ValueError as error:
        ...     print(error)
        index 5 is outside 0..2
    """


class VerificationError(GlossaryError):
    """A symbolic result disagreed with its independent numeric check.

    ``point`` holds the values at which the two disagreed, ``expected`` the
    independent value and ``actual`` the value of the symbolic result.

    Examples:
        >>> error = VerificationError("mismatch", point={"x": 0.5}, expected=1.0, actual=2.0)
        >>> error.point
        {'x': 0.5}
    """

    def __init__(self, message: str, *, point=None, expected=None, actual=None) -> None:
        detail = message
        if point is not None:
            detail += f" at {point}"
        if expected is not None or actual is not None:
            detail += f": independent value {expected!r}, symbolic value {actual!r}"
        super().__init__(detail)
        self.point = point
        self.expected = expected
        self.actual = actual


class DerivationTimeout(GlossaryError):
    """A derivation ran past its time limit and was stopped.

    Examples:
        >>> str(DerivationTimeout("svd took longer than 2 s"))
        'svd took longer than 2 s'
    """
