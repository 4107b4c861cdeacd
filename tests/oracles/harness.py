"""Run each library call in a forked child under a time budget, and tally what happened.

A call that hangs inside SymPy cannot be interrupted safely from the test
process, so every helper call (and its ``verify()``) runs in a child forked
from the test process: the child inherits everything already imported, runs
the call, sends the result back through a pipe, and is killed by its process
id once the budget (plus a short grace for the pipe) has run out.

Each call is recorded as ``(test, module, call, outcome, seconds)`` with one
of the outcomes

- ``passed``: it answered and the independent oracle agreed (or, where an
  error was the right answer, it raised a `glossary.GlossaryError`);
- ``clean error``: it raised a `glossary.GlossaryError`;
- ``wrong``: it answered and the oracle disagreed, or it answered where only
  an error is right, or ``verify()`` rejected a result the oracle accepts;
- ``timeout``: it ran past its budget (killed, or finished too late; see
  `load_slack` for a machine busy with other work);
- ``crash``: it raised anything but a `GlossaryError`, or the child died.

Failures do not stop a Hypothesis run: they are collected, and the test
fails once all its examples ran (see ``conftest.py``), listing every failing
case. That keeps the tally complete and spares shrinking, which would rerun
calls that may each cost a whole budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import resource
import select
import signal
import struct
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import sympy.parsing.sympy_parser as parser

import glossary

#: Seconds a helper call or a ``verify()`` call may take.
CALL_BUDGET = 2.0
#: Seconds ``verify()`` of backprop through a four-layer network may take.
DEEP_BACKPROP_VERIFY_BUDGET = 10.0
#: Extra seconds before a child past its budget is killed (pipe and fork overhead).
GRACE = 0.5
#: The most a busy machine may stretch a wall-clock budget (see `load_slack`).
MAX_SLACK = 4.0
#: Seconds a child may take to start a call, or to go on to the next one.
STARTUP = 10.0
#: Memory a child may add to the parent's address space before allocation fails.
CHILD_EXTRA_MEMORY = 4 * 1024**3
#: After this many calls over budget in one test, its remaining examples are skipped.
TIMEOUTS_PER_TEST = 1
#: After this many seconds in one test, its remaining examples are skipped.
SECONDS_PER_TEST = 15.0

OUTCOMES = ("passed", "clean error", "wrong", "timeout", "crash")
EXPECTATIONS = ("answer", "error", "either")


@dataclass
class CallRecord:
    test: str
    module: str
    call: str
    outcome: str
    seconds: float
    budget: float
    expect: str
    inputs: str
    detail: str = ""
    ok: bool = True
    cpu_seconds: float | None = None
    load: float = 0.0
    slack: float = 1.0


class _Stop(Exception):
    """Ends a case early once its outcome is known (suppressed by `Case`)."""


def short(value: Any, limit: int = 300) -> str:
    """A repr cut to ``limit`` characters, for records and messages."""
    try:
        text = repr(value)
    except Exception as error:  # pragma: no cover - a repr that fails is itself a finding
        text = f"<repr failed: {type(error).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def strings_in(value: Any, depth: int = 0) -> list[str]:
    """Every string (or bytes) inside nested lists, tuples, dicts and NumPy object arrays."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace")]
    if depth > 6:
        return []
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif type(value).__module__ == "numpy" and getattr(value, "dtype", None) is not None and value.dtype == object:
        items = list(value.ravel())
    else:
        return []
    return [s for item in items for s in strings_in(item, depth + 1)]


# -- the child process ---------------------------------------------------------------------


def _send(fd: int, message: tuple) -> None:
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        kind, name, seconds = message[0], message[1], message[2] if len(message) > 2 else 0.0
        payload = pickle.dumps(
            (kind, name, seconds, "unpicklable", f"{type(error).__name__}: {error}"),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    data = struct.pack("!Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _limit_memory() -> None:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        size = pages * os.sysconf("SC_PAGE_SIZE") + CHILD_EXTRA_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass


def _cpu() -> float:
    """CPU seconds of this process and the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Watch:
    """Records, inside the child, strings that reach SymPy's parser (``eval``)."""

    def __init__(self) -> None:
        self.parsed: list[str] = []

    def install(self) -> None:
        original = parser.parse_expr

        def parse_expr(s, *args, **kwargs):
            self.parsed.append(str(s))
            return original(s, *args, **kwargs)

        parser.parse_expr = parse_expr


def _child(fd: int, steps: list[tuple[str, Callable[[Any], Any]]]) -> None:
    """Run the steps in order, the later ones on the first one's value, reporting each one."""
    _limit_memory()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    watch = _Watch()
    watch.install()
    first: Any = None
    for index, (name, step) in enumerate(steps):
        _send(fd, ("start", name))
        began, cpu_began = time.perf_counter(), _cpu()
        try:
            value = step(first)
        except glossary.GlossaryError as error:
            seconds = time.perf_counter() - began
            kind = "timeout_error" if isinstance(error, glossary.DerivationTimeout) else "glossary_error"
            if isinstance(error, glossary.VerificationError):
                kind = "verification_error"
            _send(
                fd, ("done", name, seconds, kind, f"{type(error).__name__}: {error}", watch.parsed, _cpu() - cpu_began)
            )
            return
        except BaseException as error:
            seconds = time.perf_counter() - began
            tail = "".join(traceback.format_exception(error)[-4:])
            _send(
                fd,
                (
                    "done",
                    name,
                    seconds,
                    "exception",
                    f"{type(error).__name__}: {error}\n{tail}",
                    watch.parsed,
                    _cpu() - cpu_began,
                ),
            )
            return
        seconds = time.perf_counter() - began
        shipped = value.result if isinstance(value, glossary.Derivation) else value
        if hasattr(shipped, "method") and hasattr(shipped, "max_error"):
            shipped = {
                "method": shipped.method,
                "points": shipped.points,
                "max_error": shipped.max_error,
                "tolerance": shipped.tolerance,
            }
        _send(fd, ("done", name, seconds, "return", shipped, watch.parsed, _cpu() - cpu_began))
        if index == 0:
            first = value


# -- the parent side -------------------------------------------------------------------------


@dataclass
class StepOutcome:
    name: str
    kind: str  # return, glossary_error, timeout_error, verification_error, exception, killed, died, unpicklable
    seconds: float
    value: Any = None
    message: str = ""
    parsed: list[str] = field(default_factory=list)
    cpu: float | None = None
    slack: float = 1.0


def load_slack() -> float:
    """How much the wall-clock budgets stretch on a machine busy with other work.

    On a machine with no more runnable processes than cores this is 1: the
    budgets are plain wall-clock seconds. When other work keeps more
    processes runnable than there are cores, a call gets only its share of a
    core, so the wall-clock budget grows by load / cores (at most `MAX_SLACK`)
    while the call's own CPU time must still stay within the plain budget.
    ``GLOSSARY_ORACLES_STRICT=1`` turns the stretching off.
    """
    if os.environ.get("GLOSSARY_ORACLES_STRICT") == "1":
        return 1.0
    cores = os.cpu_count() or 1
    return min(MAX_SLACK, max(1.0, os.getloadavg()[0] / cores))


def run_steps(steps: list[tuple[str, Callable[[Any], Any], float]]) -> list[StepOutcome]:
    """Fork, run the steps in the child, and collect one outcome per step reached.

    Each step is ``(name, function of the first step's value, budget in seconds)``.
    The child leads its own process group, so that whatever it starts (a
    library that stops work in worker processes) ends with it.
    """
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.setpgid(0, 0)
            os.close(read_fd)
            _child(write_fd, [(name, function) for name, function, _ in steps])
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    slack = load_slack()
    budgets = {name: budget * slack for name, _, budget in steps}
    outcomes: list[StepOutcome] = []
    buffer = b""
    current: str | None = None
    started = time.monotonic()
    deadline = started + STARTUP
    killed = finished = False
    try:
        while not finished:
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                killed = True
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 8 and not finished:
                (length,) = struct.unpack("!Q", buffer[:8])
                if len(buffer) < 8 + length:
                    break
                message = pickle.loads(buffer[8 : 8 + length])
                buffer = buffer[8 + length :]
                if message[0] == "start":
                    current = message[1]
                    started = time.monotonic()
                    deadline = started + budgets[current] + GRACE
                    continue
                _, name, seconds, kind, payload, *rest = message
                parsed, cpu = [*rest, [], None][:2]
                if kind == "return":
                    outcomes.append(
                        StepOutcome(name, kind, seconds, value=payload, parsed=parsed, cpu=cpu, slack=slack)
                    )
                else:
                    outcomes.append(
                        StepOutcome(name, kind, seconds, message=str(payload), parsed=parsed, cpu=cpu, slack=slack)
                    )
                current, deadline = None, time.monotonic() + STARTUP
                # After an error the child stops; after the last step it is done.
                finished = kind != "return" or len(outcomes) == len(steps)
    finally:
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    if current is not None:
        elapsed = time.monotonic() - started
        # The child's whole CPU time, less what the steps before this one reported.
        cpu = usage.ru_utime + usage.ru_stime - sum(o.cpu or 0.0 for o in outcomes)
        if killed:
            outcomes.append(
                StepOutcome(current, "killed", elapsed, message=f"killed after {elapsed:.1f} s", cpu=cpu, slack=slack)
            )
        else:
            signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            why = f"signal {signal.Signals(signal_number).name}" if signal_number else f"exit {status >> 8}"
            outcomes.append(StepOutcome(current, "died", elapsed, message=f"the process died ({why})"))
    elif not finished and not outcomes:
        outcomes.append(StepOutcome(steps[0][0], "died", 0.0, message="the child never started the call"))
    return outcomes


# -- cases and the recorder ------------------------------------------------------------------


class Case:
    """One library call (and optionally its ``verify()``) on one input, judged by an oracle.

    Use as a context manager. ``call`` returns the result (a Derivation's
    ``.result``, or the plain return value); assertions after it are the
    oracle. On leaving, every call of the case is recorded.
    """

    def __init__(self, recorder: Recorder, module: str, inputs: Any, expect: str) -> None:
        if expect not in EXPECTATIONS:
            raise ValueError(f"expect must be one of {EXPECTATIONS}")
        self.recorder = recorder
        self.module = module
        self.inputs = inputs if isinstance(inputs, str) else short(inputs)
        self.expect = expect
        self.steps: list[StepOutcome] = []
        self.budgets: dict[str, float] = {}
        self.strings: list[str] = []
        self.verify_expect = "answer"
        self.answered = False
        self.errored = False
        self.skipped = False

    # -- running ----------------------------------------------------------------------------
    def call(
        self,
        name: str,
        function: Callable[..., Any],
        *args: Any,
        budget: float = CALL_BUDGET,
        verify: bool | dict = False,
        verify_budget: float | None = None,
        verify_expect: str = "answer",
        render: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Run ``function(*args, **kwargs)`` in a child; with ``verify``, then ``.verify(**verify)``.

        Any string found in the arguments must never reach SymPy's parser.
        ``verify_expect="either"`` lets ``verify()`` refuse with a GlossaryError.
        With ``render``, ``str()`` of the result (what ``print(d)`` shows) runs too.
        """
        if self.skipped:
            raise _Stop
        self.strings = strings_in((args, kwargs))
        self.verify_expect = verify_expect
        steps = [(name, lambda _: function(*args, **kwargs), budget)]
        self.budgets[name] = budget
        if render:
            steps.append((f"{name}.str", lambda derivation: len(str(derivation)), budget))
            self.budgets[f"{name}.str"] = budget
        if verify is not False:
            options = verify if isinstance(verify, dict) else {}
            verify_name = f"{name}.verify"
            steps.append((verify_name, lambda derivation: derivation.verify(**options), verify_budget or budget))
            self.budgets[verify_name] = verify_budget or budget
        self.steps = run_steps(steps)
        first = self.steps[0]
        self.answered = first.kind == "return"
        self.errored = first.kind in ("glossary_error", "timeout_error", "verification_error")
        if not self.answered:
            raise _Stop
        if self.expect == "error":
            raise _Stop
        return first.value

    # -- judging ----------------------------------------------------------------------------
    def __enter__(self) -> Case:
        # A test that already spent its time on calls over budget would only
        # repeat that: its remaining examples make no call and record nothing.
        self.skipped = self.recorder.should_skip()
        if self.skipped:
            self.recorder.skipped[self.recorder.test] += 1
        return self

    def __exit__(self, kind, error, tb) -> bool:
        if self.skipped and kind is not None and issubclass(kind, _Stop):
            return True
        if kind is not None and not issubclass(kind, Exception):
            return False  # KeyboardInterrupt and the like
        if kind is not None and not self.steps:
            return False  # failed before any library call: a bug in the test itself
        verdict = None
        if kind is not None and not issubclass(kind, _Stop):
            frame = traceback.extract_tb(tb)[-1]
            where = f"(at {Path(frame.filename).name}:{frame.lineno}: {frame.line})"
            if issubclass(kind, AssertionError):
                verdict = f"{error or 'an oracle assertion failed'} {where}"
            else:
                # The result has a shape or type the contract does not allow.
                verdict = f"the result cannot be read as the contract says: {type(error).__name__}: {error} {where}"
        self._record(verdict)
        return True

    def _record(self, verdict: str | None) -> None:
        parsed_inputs = [
            s for s in self.strings if any(s == p or s.strip() == p.strip() for step in self.steps for p in step.parsed)
        ]
        for index, step in enumerate(self.steps):
            budget = self.budgets.get(step.name, CALL_BUDGET)
            outcome, ok, detail = self._judge(index, step, verdict, budget, parsed_inputs)
            self.recorder.add(
                CallRecord(
                    test=self.recorder.test,
                    module=self.module,
                    call=step.name,
                    outcome=outcome,
                    seconds=round(step.seconds, 4),
                    budget=budget,
                    expect=self.expect if index == 0 else "answer",
                    inputs=self.inputs,
                    detail=detail,
                    ok=ok,
                    cpu_seconds=None if step.cpu is None else round(step.cpu, 4),
                    load=round(os.getloadavg()[0], 2),
                    slack=round(step.slack, 2),
                )
            )

    def _judge(self, index, step, verdict, budget, parsed_inputs) -> tuple[str, bool, str]:
        message = step.message.strip().splitlines()[0] if step.message else ""
        over = step.kind == "killed" or step.seconds > budget * step.slack or (step.cpu or 0.0) > budget
        if over:
            cpu = "" if step.cpu is None else f", {step.cpu:.2f} s of CPU"
            killed = " (killed)" if step.kind == "killed" else ""
            if step.kind == "killed" and step.slack > 1 and (step.cpu or 0.0) <= budget:
                killed = " (killed with less CPU than the budget: the machine was too busy to tell)"
            stretched = f", stretched ×{step.slack:.2f} for the machine's load" if step.slack > 1 else ""
            return "timeout", False, f"ran {step.seconds:.2f} s{cpu}, over its {budget:g} s budget{stretched}{killed}"
        if step.kind in ("exception", "died", "unpicklable"):
            return "crash", False, step.message.strip()[:1500]
        if parsed_inputs:
            return "wrong", False, f"the input string(s) {parsed_inputs} were parsed by SymPy (eval)"
        is_error = step.kind in ("glossary_error", "timeout_error", "verification_error")
        if index == 0:
            if is_error:
                if self.expect == "answer":
                    return "clean error", False, f"refused valid input: {message}"
                return "clean error", True, message
            if self.expect == "error":
                return "wrong", False, f"answered {short(step.value)} where a GlossaryError is right"
            if verdict is not None:
                return "wrong", False, verdict
            return "passed", True, ""
        if step.name.endswith(".str"):
            if step.kind == "return":
                return "passed", True, f"{step.value} characters"
            return "clean error", False, f"str() of a valid result failed: {message}"
        # verify(): right when it agrees with the oracle's verdict on the result.
        result_is_right = verdict is None
        if step.kind == "return":
            if result_is_right:
                return "passed", True, short(step.value, 200)
            return "wrong", False, f"verify() passed a result the oracle rejects ({verdict})"
        if step.kind == "verification_error":
            if result_is_right:
                return "wrong", False, f"verify() rejected a result the oracle accepts: {message}"
            return "passed", True, f"verify() caught it: {message}"
        if self.verify_expect == "answer" and result_is_right:
            return "clean error", False, f"verify() refused a valid result: {message}"
        return "clean error", True, message


class Recorder:
    """Collects every call's record for the session and the failures of each test."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.test = "<outside a test>"
        self.test_started = time.monotonic()
        self.skipped: Counter[str] = Counter()

    def begin(self, test: str) -> None:
        self.test = test
        self.test_started = time.monotonic()

    def case(self, module: str, inputs: Any, expect: str = "answer") -> Case:
        return Case(self, module, inputs, expect)

    def add(self, record: CallRecord) -> None:
        self.records.append(record)

    def should_skip(self) -> bool:
        """Whether this test already used up its time on calls over budget."""
        mine = [r for r in self.records if r.test == self.test]
        timeouts = sum(r.outcome == "timeout" for r in mine)
        return timeouts >= TIMEOUTS_PER_TEST or time.monotonic() - self.test_started > SECONDS_PER_TEST

    def failures(self, test: str) -> list[CallRecord]:
        return [r for r in self.records if r.test == test and not r.ok]

    # -- the tally ----------------------------------------------------------------------------
    def summary(self) -> dict:
        modules: dict[str, dict] = {}
        by_module: dict[str, list[CallRecord]] = defaultdict(list)
        for record in self.records:
            by_module[record.module].append(record)
        for module, records in sorted(by_module.items()):
            counts = Counter(r.outcome for r in records)
            slowest = max(records, key=lambda r: r.seconds)
            calls: dict[str, dict] = {}
            for call in sorted({r.call for r in records}):
                mine = [r for r in records if r.call == call]
                call_counts = Counter(r.outcome for r in mine)
                calls[call] = {
                    "tried": len(mine),
                    **{outcome: call_counts.get(outcome, 0) for outcome in OUTCOMES},
                    "failed": sum(not r.ok for r in mine),
                    "slowest_seconds": max(r.seconds for r in mine),
                }
            modules[module] = {
                "tried": len(records),
                **{outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
                "failed": sum(not r.ok for r in records),
                "slowest": {"call": slowest.call, "seconds": slowest.seconds, "inputs": slowest.inputs},
                "calls": calls,
            }
        return {
            "glossary": str(Path(glossary.__file__).resolve().parent),
            "load_average_at_end": os.getloadavg(),
            "budgets": {
                "call": CALL_BUDGET,
                "verify": CALL_BUDGET,
                "deep_backprop_verify": DEEP_BACKPROP_VERIFY_BUDGET,
            },
            "modules": modules,
            "skipped_examples": dict(self.skipped),
            "records": [asdict(r) for r in self.records],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(self.summary(), indent=1, ensure_ascii=False, default=str))
        temporary.replace(path)

    def table(self) -> list[str]:
        header = f"{'module':<12}{'tried':>7}{'passed':>8}{'clean':>7}{'wrong':>7}{'timeout':>9}{'crash':>7}  slowest"
        lines = [header]
        for module, row in self.summary()["modules"].items():
            slowest = row["slowest"]
            lines.append(
                f"{module:<12}{row['tried']:>7}{row['passed']:>8}{row['clean error']:>7}{row['wrong']:>7}"
                f"{row['timeout']:>9}{row['crash']:>7}  {slowest['call']} {slowest['seconds']:.2f} s"
            )
        return lines


RECORDER = Recorder()


def budgeted(max_examples: int) -> Callable:
    """Hypothesis settings for an oracle test: ``max_examples`` examples (scaled like the
    suite's profile by ``GLOSSARY_HYPOTHESIS_EXAMPLES``, 25 by default), and no complaint
    about the few inputs a strategy filters out."""
    suppressed = [*hypothesis.settings.default.suppress_health_check, hypothesis.HealthCheck.filter_too_much]
    scale = int(os.environ.get("GLOSSARY_HYPOTHESIS_EXAMPLES", "25")) / 25
    return hypothesis.settings(max_examples=max(1, round(max_examples * scale)), suppress_health_check=suppressed)


def case(module: str, inputs: Any, expect: str = "answer") -> Case:
    """``with case("linalg", A) as c: value = c.call("eigen", linalg.eigen, A, verify=True); assert ...``

    ``expect`` is ``"answer"`` (valid input: a `GlossaryError` is a refusal and
    fails), ``"error"`` (only a `GlossaryError` is right) or ``"either"`` (an
    answer the oracle accepts, or a `GlossaryError`).
    """
    return RECORDER.case(module, inputs, expect)
