"""The engine's evaluation of misconception claims."""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from glossary.content.claims import _evaluate, _holds
from glossary.content.schema import Misconception


def test_an_inequality_that_fails_is_false_not_just_falsy():
    # The counterexample search for claims with free symbols asks `outcome is False`.
    assert _holds(sp.Integer(-1), sp.Integer(0), ">=") is False
    assert _holds(sp.Rational(1, 3), sp.Integer(0), ">") is True
    assert _holds(sp.Integer(2), sp.Integer(2), "<") is False


def test_an_inequality_with_a_free_symbol_is_refuted_at_a_point():
    claim = Misconception.model_validate(
        {
            "id": "claim",
            "claim": {"ko": "주장", "en": "claim"},
            "check": {"left": "x**2", "relation": "<", "right": "0"},
            "explanation": {"ko": "설명", "en": "explanation"},
        }
    )
    x = sp.Symbol("x", real=True)
    record = _evaluate(claim, {"x": x}, {}, "misconceptions[0]", Path("entry.yaml"))
    assert record["symbolic"] and list(record["point"]) == ["x"]
