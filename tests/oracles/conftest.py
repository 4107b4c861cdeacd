"""The oracle suite's plumbing: each test's collected failures, and the tally at the end.

Tests record their calls through `harness.case`. A test whose calls include a
wrong answer, an exception other than `glossary.GlossaryError`, a refusal of
valid input or a call over its budget fails after all its examples ran, with
every failing case listed. At the end of the session the tally of all calls
is written to ``test-artifacts/oracles.json`` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sympy.core.cache import clear_cache

from .harness import RECORDER

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = Path(os.environ.get("GLOSSARY_ORACLES_JSON", ROOT / "test-artifacts" / "oracles.json"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Every call runs in a forked child: a lean parent forks faster.
    clear_cache()
    RECORDER.begin(item.nodeid)
    outcome = yield
    failures = RECORDER.failures(item.nodeid)
    if failures:
        lines = [f"{len(failures)} failing call(s):"]
        for record in failures[:25]:
            detail = [line for line in record.detail.splitlines() if line.strip()]
            if record.outcome == "crash" and len(detail) > 1:
                detail = [detail[0], "  ...", detail[-1]]  # the whole traceback is in the JSON
            lines.append(
                f"- {record.module}.{record.call} [{record.outcome}, {record.seconds:.2f} s] on {record.inputs[:240]}"
            )
            lines.extend(f"    {line[:400]}" for line in detail[:3])
        if len(failures) > 25:
            lines.append(f"... and {len(failures) - 25} more in {ARTIFACT}")
        pytest.fail("\n".join(lines), pytrace=False)
    return outcome


def pytest_sessionfinish(session, exitstatus):
    if RECORDER.records:
        RECORDER.write(ARTIFACT)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RECORDER.records:
        return
    terminalreporter.section("oracle tally (calls per module)")
    for line in RECORDER.table():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"details: {ARTIFACT}")
