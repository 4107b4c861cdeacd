"""Derivations in child processes: two at a time, each stopped at its time limit.

Every job is one formula (or one entry's misconceptions) of an entry parsed in
the parent: the child is forked with that parsed entry in memory (or, for the
`Standby` child forked earlier, receives it pickled from the parent), so it
derives from exactly the bytes that keyed the cache and never reads the file
again. A job past the limit is killed and reported as ``file: field: took longer than``;
Ctrl-C kills every child and ends in one line (`glossary.errors.Interrupted`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import limits as limits_module
from ..errors import EntryError, GlossaryError, Interrupted
from ..limits import Child, Limits, raise_outcome, start_child

__all__ = ["WORKERS", "Job", "Standby", "kill_running_children", "preload_in_background", "run_jobs"]

WORKERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Job:
    """Work on one entry: ``call()`` runs in a child and reports each piece it starts and finishes with
    `glossary.limits.report_progress`: ``("start", field)`` then ``("done", field, record)``. The time
    limit holds for each piece; ``file`` and ``field`` name the piece in errors."""

    key: str
    file: str
    field: str
    call: Callable[[], Any]


def _run_job(job: Job) -> Any:
    try:
        return job.call()
    except EntryError:
        raise
    except GlossaryError as error:
        raise EntryError(job.file, job.field, error.show()) from None


_PRELOAD: threading.Thread | None = None
# The children at work, so that a Ctrl-C handler can stop them before the process exits.
_RUNNING: dict[int, Child] = {}


def kill_running_children() -> None:
    """Stop every child at work (used when the person presses Ctrl-C)."""
    for child in list(_RUNNING.values()):
        child.kill()
    _RUNNING.clear()


def import_derivation_modules() -> None:
    """What every job imports, imported once before forking instead of once per child."""
    import scipy.integrate
    import scipy.optimize  # noqa: F401

    from .. import calculus, linalg, neural, numeric, plots, probability  # noqa: F401
    from ..content import claims, examples, records  # noqa: F401

    plots.pyplot()
    limits_module._import_preloads()


def _standby_body(requests: int, unused: int) -> Any:
    """In the standby child: import the mathematics while the parent reads the entries, then run the one
    job the parent sends (None: nothing to derive)."""
    os.close(unused)
    with contextlib.suppress(ImportError):
        import sympy  # noqa: F401  (what every helper needs; the rest is imported by the job itself)
    with os.fdopen(requests, "rb") as pipe:
        data = pipe.read()
    job = pickle.loads(data) if data else None  # bytes from our own parent, as the parent trusts its children
    return None if job is None else _run_job(job)


@dataclass
class Standby:
    """A child forked before the entries are read, importing SymPy on the other core meanwhile.

    The first job of `run_jobs` goes to it; with nothing to derive it is dismissed. A build that
    needs to derive one entry (an edit) then waits for the derivation alone, not for the import.
    """

    child: Child
    requests: int

    @classmethod
    def start(cls, limits: Limits) -> Standby | None:
        """A standby child, or None where it would gain nothing (SymPy already imported, as in a server)."""
        if "sympy" in sys.modules or not limits_module._fork_available():
            return None
        return cls.fork(limits)

    @classmethod
    def fork(cls, limits: Limits) -> Standby:
        if _PRELOAD is not None:
            _PRELOAD.join()
        read_end, write_end = os.pipe()
        child = start_child(_standby_body, read_end, write_end, memory=limits.memory)
        os.close(read_end)
        return cls(child, write_end)

    def send(self, job: Job | None) -> Child | None:
        """Hand over the job (its time limit counts from now); the child then works like any other.
        None if the job cannot travel (the caller forks a child for it instead)."""
        try:
            data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.dismiss()
            return None
        requests, self.requests = self.requests, -1
        with contextlib.suppress(OSError), os.fdopen(requests, "wb") as pipe:
            pipe.write(data)
        self.child.started = time.monotonic()
        return self.child

    def dismiss(self) -> None:
        """Nothing to derive: the child ends without doing anything."""
        if self.requests >= 0:
            requests, self.requests = self.requests, -1
            with contextlib.suppress(OSError):
                os.close(requests)  # the child reads the end of its input and stops
        self.child.kill()


def preload_in_background() -> None:
    """Import the derivation modules on a background thread while a server sits idle.

    Under `mkdocs serve` the process lives on, so the children forked for later
    edits start with SymPy, NumPy and SciPy already imported.
    """
    global _PRELOAD
    if _PRELOAD is None:
        _PRELOAD = threading.Thread(target=import_derivation_modules, name="glossary-preload", daemon=True)
        _PRELOAD.start()


def run_jobs(
    jobs: list[Job],
    limits: Limits,
    on_done: Callable[[Job, str, Any], None],
    workers: int = WORKERS,
    *,
    standby: Standby | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> None:
    """Run jobs in forked children, ``workers`` at a time; each piece a job reports is stopped past
    ``limits.seconds``. ``on_done(job, field, record)`` receives every finished piece as it arrives.
    The first job goes to ``standby`` if there is one; ``while_waiting()`` runs once, after the first
    children have started, so that the parent's own work overlaps theirs.

    The first failure raises EntryError and stops the rest.
    """
    if not jobs:
        if standby is not None:
            standby.dismiss()
        return
    if _PRELOAD is not None:
        # Never fork while another thread is importing: the child would inherit held import locks.
        _PRELOAD.join()
    if len(jobs) > 2:
        # For one or two jobs (an edit) each child imports only what its checks need.
        import_derivation_modules()
    pending = list(jobs)
    # fd -> (child, job, field being worked on, when it started)
    running: dict[int, list] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                child = standby.send(job) if standby is not None else None
                standby = None
                if child is None:
                    child = start_child(_run_job, job, memory=limits.memory)
                running[child.fd] = [child, job, job.field, child.started]
                _RUNNING[child.fd] = child
            if while_waiting is not None:
                while_waiting, waiting = None, while_waiting
                waiting()
            deadline = min(started for _, _, _, started in running.values()) + limits.seconds
            ready, _, _ = select.select(list(running), [], [], max(0.0, min(deadline - time.monotonic(), 0.5)))
            for fd in ready:
                state = running[fd]
                child, job = state[0], state[1]
                finished = child.read()
                for message in child.messages:
                    if message[0] == "start":
                        state[2], state[3] = message[1], time.monotonic()
                    elif message[0] == "done":
                        if os.environ.get("GLOSSARY_DEBUG_JOBS"):
                            print(f"{time.monotonic() - state[3]:6.2f} s  {job.file} {message[1]}")
                        on_done(job, message[1], message[2])
                child.messages.clear()
                if not finished:
                    continue
                del running[fd]
                _RUNNING.pop(fd, None)
                try:
                    raise_outcome(child.outcome(), "the derivation", limits)
                except EntryError:
                    raise
                except GlossaryError as error:
                    raise EntryError(job.file, state[2], error.show()) from None
            now = time.monotonic()
            for _child, job, field, started in running.values():
                if now - started >= limits.seconds:
                    raise EntryError(
                        job.file,
                        field,
                        f"took longer than {limits.seconds:g} s and was stopped (raise the time limit to allow more)",
                    )
    except KeyboardInterrupt:
        raise Interrupted() from None
    finally:
        if standby is not None:
            standby.dismiss()
        for fd, state in running.items():
            state[0].kill()
            _RUNNING.pop(fd, None)
