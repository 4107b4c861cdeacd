"""Every error the project raises, one small hierarchy.

Every error is a `GlossaryError`, itself a `ValueError`, so that callers who
only know the standard library can still catch it. Each knows its exit status
and shows itself as one line (the command line and the MkDocs plugin print
exactly that line, never a traceback). Errors survive pickling, because work
runs in child processes and its errors travel back to the parent.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DerivationTimeout",
    "EntryError",
    "GlossaryError",
    "Interrupted",
    "VerificationError",
]


def _rebuild(cls: type, message: str, state: dict[str, Any]) -> GlossaryError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class GlossaryError(ValueError):
    """Bad input to a helper, or a derivation the library cannot carry out.

    Examples:
        >>> try:
        ...     raise GlossaryError("index 5 is outside 0..2")
        ... except ValueError as error:
        ...     print(error.show())
        index 5 is outside 0..2
    """

    exit_code = 1

    def show(self) -> str:
        """The error as the one line a person reads."""
        return " ".join(str(self).split())

    def __reduce__(self):
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


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


class EntryError(GlossaryError):
    """A mistake in an entry file, shown as ``file: field: problem``.

    Examples:
        >>> EntryError("entries/x.yaml", "names.ko", "is missing").show()
        'entries/x.yaml: names.ko: is missing'
    """

    def __init__(self, file: Any, field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.file}: {field}: {problem}")


class Interrupted(GlossaryError):
    """The person pressed Ctrl-C; the work was stopped and nothing was half-written.

    Examples:
        >>> Interrupted().exit_code
        130
    """

    exit_code = 130

    def __init__(self, message: str = "interrupted; nothing was written") -> None:
        super().__init__(message)
