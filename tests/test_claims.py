"""Misconceptions with free symbols: the engine finds a point where an inequality fails."""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from glossary.content.claims import _evaluate, _holds
from glossary.content.schema import Misconception


def _misconception(left: str, relation: str, right: str) -> Misconception:
    return Misconception.model_validate(
        {
            "id": "claim",
            "claim": {"ko": "주장", "en": "claim"},
            "check": {"left": left, "relation": relation, "right": right},
            "explanation": {"ko": "설명", "en": "explanation"},
        }
    )


def test_an_inequality_is_answered_with_python_booleans():
    assert _holds(sp.Integer(1), sp.Integer(2), "<") is True
    assert _holds(sp.Integer(3), sp.Integer(2), "<") is False
    assert _holds(sp.Rational(1, 4), sp.Rational(3, 10), ">=") is False


def test_an_inequality_with_a_free_symbol_is_refuted_at_a_point():
    x = sp.Symbol("x", real=True)
    record = _evaluate(_misconception("x**2", "<", "0"), {"x": x}, {}, "misconceptions[0]", Path("entry.yaml"))
    assert record["symbolic"] and list(record["point"]) == ["x"]
