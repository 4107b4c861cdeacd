"""Limits on time, memory and work: one value, set at the edges, enforced here.

The numbers live in one place, `Limits`; the plugin, the command line and the
environment (``GLOSSARY_TIME_LIMIT``, ``GLOSSARY_MEMORY_LIMIT``) choose them, and
the core only calls `run` and `attempt`.

SymPy cannot be interrupted safely from inside: an exception raised by a signal
handler can land in the middle of its caches or its assumption system. So a
limited call runs in a forked child process, which the parent kills when time is
up; the interpreter that asked is never interrupted. Inside such a child, calls
run directly (the child as a whole is already limited), and `attempt` forks a
grandchild for optional work such as a ``simplify`` that may never end.

Examples:
    >>> Limits(seconds=5).seconds
    5.0
    >>> with using(Limits(seconds=2)):
    ...     current().seconds
    2.0
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import pickle
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .errors import DerivationTimeout, GlossaryError

__all__ = [
    "Child",
    "Limits",
    "attempt",
    "current",
    "inside_limit",
    "parse_seconds",
    "preload",
    "run",
    "start_child",
    "using",
]

_GIB = 1024**3


@dataclasses.dataclass(frozen=True)
class Limits:
    """How long a derivation may take, how much memory it may use and how many points a check may draw.

    ``seconds``: wall time of one helper call or one ``verify()`` (the build gives
    each formula this much to derive and verify). ``memory``: bytes of address
    space of the child process that does the work (None: no cap). ``max_points``:
    the most points ``verify()`` accepts.
    """

    seconds: float = 30.0
    memory: int | None = 4 * _GIB
    max_points: int = 100_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", _positive_seconds(self.seconds, "seconds"))
        if self.memory is not None and (
            isinstance(self.memory, bool) or not isinstance(self.memory, int) or self.memory < 64 * 1024**2
        ):
            raise GlossaryError(f"memory limit must be a whole number of bytes of at least 64 MiB, got {self.memory!r}")
        if isinstance(self.max_points, bool) or not isinstance(self.max_points, int) or self.max_points < 1:
            raise GlossaryError(f"max_points must be a positive whole number, got {self.max_points!r}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Limits:
        """Defaults, then ``GLOSSARY_TIME_LIMIT`` (seconds) and ``GLOSSARY_MEMORY_LIMIT`` (MiB), then overrides.

        A malformed variable is a `GlossaryError` naming it and its value.

        Examples:
            >>> Limits.from_environment({"GLOSSARY_TIME_LIMIT": "12"}).seconds
            12.0
            >>> Limits.from_environment({"GLOSSARY_TIME_LIMIT": "abc"})
            Traceback (most recent call last):
            ...
            glossary.errors.GlossaryError: GLOSSARY_TIME_LIMIT='abc' is not a number of seconds (use e.g. 30)
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if environ.get("GLOSSARY_TIME_LIMIT", "").strip():
            values["seconds"] = parse_seconds(environ["GLOSSARY_TIME_LIMIT"], "GLOSSARY_TIME_LIMIT")
        if environ.get("GLOSSARY_MEMORY_LIMIT", "").strip():
            text = environ["GLOSSARY_MEMORY_LIMIT"].strip()
            if text.lower() in ("none", "off", "0"):
                values["memory"] = None
            elif text.isdigit() and 64 <= int(text) <= 1024**2:
                values["memory"] = int(text) * 1024**2
            else:
                raise GlossaryError(
                    f"GLOSSARY_MEMORY_LIMIT={text!r} is not a size in MiB between 64 and 1048576 (or 'none')"
                )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def parse_seconds(text: Any, name: str) -> float:
    """A positive, finite number of seconds from text, or a `GlossaryError` naming ``name``.

    Examples:
        >>> parse_seconds("2.5", "--time-limit")
        2.5
        >>> parse_seconds("nan", "--time-limit")
        Traceback (most recent call last):
        ...
        glossary.errors.GlossaryError: --time-limit='nan' must be a positive, finite number of seconds
    """
    try:
        value = float(str(text).strip())
    except ValueError:
        raise GlossaryError(f"{name}={text!r} is not a number of seconds (use e.g. 30)") from None
    return _positive_seconds(value, name, shown=text)


def _positive_seconds(value: Any, name: str, shown: Any = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GlossaryError(f"{name}={value!r} must be a positive, finite number of seconds")
    if not math.isfinite(value) or value <= 0 or value > 24 * 3600:
        shown = value if shown is None else shown
        raise GlossaryError(f"{name}={shown!r} must be a positive, finite number of seconds")
    return float(value)


_current: Limits | None = None
#: True in a child process that is itself under a limit: calls there run directly.
_inside = False


def current() -> Limits:
    """The limits in force: set by `using`, else read from the environment once."""
    global _current
    if _current is None:
        _current = Limits.from_environment()
    return _current


@contextlib.contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Run the body with other limits (restored afterwards)."""
    global _current
    if not isinstance(limits, Limits):
        raise GlossaryError(f"limits must be a glossary.limits.Limits, got {limits!r}")
    previous = _current
    _current = limits
    try:
        yield limits
    finally:
        _current = previous


def inside_limit() -> bool:
    """Whether this process is a child already running under a limit."""
    return _inside


def _fork_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


_FRAME = struct.Struct("!Q")


def _frame(message: tuple) -> bytes:
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        payload = pickle.dumps(("failed", f"the result could not be sent back ({type(error).__name__}: {error})"))
    return _FRAME.pack(len(payload)) + payload


_progress: Callable[[Any], None] | None = None


def report_progress(message: Any) -> None:
    """From work running in a limited child: tell the parent how far it got (see `Child.messages`)."""
    if _progress is not None:
        _progress(message)


def _child(write_fd: int, function: Callable[..., Any], args: tuple, kwargs: dict, memory: int | None) -> None:
    global _inside, _progress
    _inside = True
    # Ctrl-C is the parent's to handle: it kills this child and reports one line.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory is not None:
        with contextlib.suppress(ValueError, OSError, ImportError):
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    with contextlib.suppress(OSError), os.fdopen(write_fd, "wb", buffering=0) as pipe:
        _progress = lambda message: pipe.write(_frame(("progress", message)))  # noqa: E731
        try:
            outcome: tuple = ("ok", function(*args, **kwargs))
        except GlossaryError as error:
            outcome = ("error", error)
        except MemoryError:
            outcome = ("memory", None)
        except RecursionError:
            outcome = ("failed", "the expression is nested too deeply to process")
        except Exception as error:  # an unexpected failure still reaches the caller as one line
            outcome = ("failed", f"{type(error).__name__}: {error}")
        pipe.write(_frame(outcome))


class _Expired(Exception):
    pass


@dataclasses.dataclass
class Child:
    """A forked child working on one call. `read` collects its framed messages as they arrive:
    progress reports (`report_progress`) and, last, the outcome."""

    pid: int
    fd: int
    started: float
    buffer: bytearray = dataclasses.field(default_factory=bytearray)
    messages: list[Any] = dataclasses.field(default_factory=list)
    final: tuple | None = None
    done: bool = False

    def read(self) -> bool:
        """Read what is available; True once the child has closed its end."""
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.done = True
            return True
        self.buffer.extend(chunk)
        while len(self.buffer) >= _FRAME.size:
            (length,) = _FRAME.unpack_from(self.buffer)
            if len(self.buffer) < _FRAME.size + length:
                break
            payload = bytes(self.buffer[_FRAME.size : _FRAME.size + length])
            del self.buffer[: _FRAME.size + length]
            message = pickle.loads(payload)  # bytes from our own forked child
            if message[0] == "progress":
                self.messages.append(message[1])
            else:
                self.final = message
        return False

    def wait(self, deadline: float) -> tuple[str, Any] | None:
        """Read until the child ends and return its `outcome`, or None at ``deadline`` (a monotonic time)."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 0.5))
            if ready and self.read():
                return self.outcome()

    def outcome(self) -> tuple[str, Any]:
        """The outcome after `read` returned True: ("ok", value), ("error", exception) …"""
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        if self.final is None:
            return ("died", os.waitstatus_to_exitcode(status))
        return self.final

    def kill(self) -> None:
        if self.done:
            return
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.done = True


def start_child(function: Callable[..., Any], *args: Any, memory: int | None = None, **kwargs: Any) -> Child:
    """Fork a child that runs ``function(*args, **kwargs)`` and sends back its pickled outcome."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(read_fd)
            _child(write_fd, function, args, kwargs, memory)
        finally:
            os._exit(0)
    os.close(write_fd)
    return Child(pid, read_fd, time.monotonic())


def _call_in_child(function: Callable[..., Any], args: tuple, kwargs: dict, seconds: float, memory: int | None):
    """Fork, run the call in the child, and read its pickled outcome within ``seconds``."""
    child = start_child(function, *args, memory=memory, **kwargs)
    try:
        outcome = child.wait(child.started + seconds)
    finally:
        child.kill()
    if outcome is None:
        raise _Expired
    return outcome


def raise_outcome(outcome: tuple[str, Any], what: str, limits: Limits) -> Any:
    """The value of a child's outcome, or the error it stands for."""
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "memory":
        shown = f"{limits.memory / _GIB:g} GiB" if limits.memory else "the machine's memory"
        raise GlossaryError(f"{what} ran out of memory (limit {shown}); try smaller input")
    if kind == "died":
        raise GlossaryError(f"{what} stopped unexpectedly (exit status {value}); try smaller input")
    raise GlossaryError(f"{what} failed: {value}")


_preload: set[str] = set()
_preloaded: set[str] = set()


def preload(*modules: str) -> None:
    """Modules the work will import: the parent imports them once before its first fork,
    so that each child starts with them instead of importing them again."""
    _preload.update(modules)


def _import_preloads() -> None:
    import importlib

    for name in sorted(_preload - _preloaded):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
        _preloaded.add(name)


def run(function: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` under the current limits and return its result.

    Past the time limit the work is stopped and `DerivationTimeout` names ``what``;
    any failure in the work arrives as a `GlossaryError`. The result comes back
    by pickling, so it must be picklable (SymPy objects are).
    """
    limits = current()
    if _inside or not _fork_available():
        return function(*args, **kwargs)
    _import_preloads()
    try:
        outcome = _call_in_child(function, args, kwargs, limits.seconds, limits.memory)
    except _Expired:
        raise DerivationTimeout(
            f"{what} took longer than {limits.seconds:g} s and was stopped "
            "(allow more with GLOSSARY_TIME_LIMIT or glossary.limits.using(Limits(seconds=...)))"
        ) from None
    return raise_outcome(outcome, what, limits)


def attempt(function: Callable[..., Any], *args: Any, seconds: float, **kwargs: Any) -> Any | None:
    """Optional work: ``function(*args)`` if it finishes within ``seconds``, else None.

    Used for refinements that may never end in SymPy (``simplify``, ``solve``):
    the caller goes on without them. Errors inside also give None.
    """
    if not _fork_available():
        try:
            return function(*args, **kwargs)
        except Exception:
            return None
    limits = current()
    try:
        kind, value = _call_in_child(function, args, kwargs, min(seconds, limits.seconds), limits.memory)
    except _Expired:
        return None
    return value if kind == "ok" else None
