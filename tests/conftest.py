"""Shared fixtures and Hypothesis settings for the test suite."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Symbolic work is slow per example; a modest number of examples without a
# deadline keeps property tests meaningful and the suite within CI's time.
settings.register_profile(
    "glossary",
    max_examples=int(os.environ.get("GLOSSARY_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("glossary")
