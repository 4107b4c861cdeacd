"""Time budgets for property tests that call the library directly, and a record of those calls.

A call may take 2 s on an idle machine (``GLOSSARY_CALL_BUDGET`` changes it), stretched by
the load per core when other work shares the machine. With ``GLOSSARY_PROPERTY_REPORT=path``
the session appends every timed call to that file (for measurements).
"""

from __future__ import annotations

import os
import time

import glossary

#: (helper, outcome, seconds) of every timed call: "passed" or "clean error" (a GlossaryError).
TIMED_CALLS: list[tuple[str, str, float]] = []


def budget(variable: str = "GLOSSARY_CALL_BUDGET") -> float:
    """Seconds one call may take now: the base budget times the load per core (at least 1)."""
    base = float(os.environ.get(variable, "2"))
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return base * max(1.0, load)


def timed(helper: str, call, *args):
    """Run a call, record how long it took and how it ended, and hold it to the budget."""
    start = time.monotonic()
    try:
        result = call(*args)
    except glossary.GlossaryError:
        TIMED_CALLS.append((helper, "clean error", time.monotonic() - start))
        raise
    seconds = time.monotonic() - start
    TIMED_CALLS.append((helper, "passed", seconds))
    assert seconds < budget(), f"{helper} took {seconds:.2f} s"
    return result


def write_report() -> None:
    target = os.environ.get("GLOSSARY_PROPERTY_REPORT")
    if target and TIMED_CALLS:
        with open(target, "a", encoding="utf-8") as out:
            out.writelines(f"{helper}\t{outcome}\t{seconds:.4f}\n" for helper, outcome, seconds in TIMED_CALLS)
