"""The worker children: a job handed to the standby child is run, limited and reported like a job in any
forked child; a standby with nothing to do ends; an entry travels to a child as its own bytes."""

from __future__ import annotations

import functools
import os
import pickle
import time
from pathlib import Path

import pytest

from glossary.build.workers import Job, Standby, run_jobs
from glossary.content.catalog import load_entries
from glossary.errors import EntryError
from glossary.limits import Limits, report_progress

ROOT = Path(__file__).resolve().parent.parent


def _piece(value: int) -> None:
    report_progress(("start", "formulas[0]"))
    report_progress(("done", "formulas[0]", {"value": value, "pid": os.getpid()}))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_job_handed_to_the_standby_arrives_like_any_other():
    standby = Standby.fork(Limits(seconds=10))
    done = []
    jobs = [Job(f"demo{n}", f"demo{n}.yaml", "formulas[0]", functools.partial(_piece, n)) for n in range(3)]
    run_jobs(jobs, Limits(seconds=10), lambda job, field, record: done.append((job.key, record)), standby=standby)
    assert sorted((key, record["value"]) for key, record in done) == [("demo0", 0), ("demo1", 1), ("demo2", 2)]
    # The first job ran in the standby child; the others in children forked for them.
    assert dict(done)["demo0"]["pid"] == standby.child.pid
    assert {record["pid"] for _, record in done} - {standby.child.pid}
    assert _gone(standby.child.pid)


def test_a_slow_job_in_the_standby_is_stopped_at_the_limit():
    standby = Standby.fork(Limits(seconds=1))
    time.sleep(0.3)  # the standby's wait before the job does not count against the job
    started = time.monotonic()
    with pytest.raises(EntryError, match="took longer than 1 s"):
        run_jobs(
            [Job("slow", "slow.yaml", "formulas[0]", functools.partial(time.sleep, 30))],
            Limits(seconds=1),
            print,
            standby=standby,
        )
    assert 0.9 < time.monotonic() - started < 5
    assert _gone(standby.child.pid)


def test_a_job_that_cannot_travel_runs_in_a_forked_child_instead():
    standby = Standby.fork(Limits(seconds=10))
    done = []
    job = Job("local", "local.yaml", "formulas[0]", lambda: _piece(7))  # a lambda does not pickle
    run_jobs([job], Limits(seconds=10), lambda job, field, record: done.append(record), standby=standby)
    assert [record["value"] for record in done] == [7] and done[0]["pid"] != standby.child.pid
    assert _gone(standby.child.pid)


def test_a_standby_with_nothing_to_derive_ends():
    standby = Standby.fork(Limits(seconds=10))
    run_jobs([], Limits(seconds=10), print, standby=standby)
    assert _gone(standby.child.pid)


def test_an_entry_travels_as_its_own_bytes():
    for loaded in load_entries(ROOT / "entries").values():
        again = pickle.loads(pickle.dumps(loaded))
        assert again.source.raw == loaded.source.raw and again.digest == loaded.digest
        assert again.entry == loaded.entry and again.path == loaded.path
