"""The engine's evaluation of misconception claims."""

from __future__ import annotations

import sympy as sp

from glossary.content.claims import _holds


def test_an_inequality_that_fails_is_false_not_just_falsy():
    # The counterexample search for claims with free symbols asks `outcome is False`.
    assert _holds(sp.Integer(-1), sp.Integer(0), ">=") is False
    assert _holds(sp.Rational(1, 3), sp.Integer(0), ">") is True
    assert _holds(sp.Integer(2), sp.Integer(2), "<") is False
