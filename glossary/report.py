"""The record of a numeric check, kept free of SymPy so that cached results load fast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["VerificationReport"]


@dataclass(frozen=True)
class VerificationReport:
    """The record of one independent numeric check.

    Examples:
        >>> VerificationReport("finite differences", 10, 1e-9, 1e-6).passed
        True
    """

    method: str
    points: int
    max_error: float
    tolerance: float
    helper: str = ""

    @property
    def passed(self) -> bool:
        return self.max_error <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "helper": self.helper,
            "method": self.method,
            "points": self.points,
            "max_error": self.max_error,
            "tolerance": self.tolerance,
        }
