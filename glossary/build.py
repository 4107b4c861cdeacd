"""The whole site as a value: entries in, ``{path: content}`` out.

Used by the MkDocs plugin and by the command line alike; it holds no MkDocs
objects. Three things make rebuilds fast and safe:

- a content-addressed cache of derived entries (entry text, library source,
  SymPy/NumPy versions, points) as JSON in one folder (``GLOSSARY_CACHE``);
- derivations run in child processes, two at a time, each killed after its
  time limit, so a pathological entry ends with an error instead of a hang;
- plots are cached the same way, keyed by the library source and matplotlib.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .content.catalog import (
    EntryError,
    EntryResult,
    FormulaResult,
    derive_entry,
    formula_fields,
    load_entries,
    load_entry,
)
from .content.schema import Entry, Formula
from .errors import GlossaryError
from .render import CATEGORIES, PLOT_ALT, Renderer, term_path

#: The plots an entry may name; glossary.plots draws them (imported only to draw).
PLOT_NAMES = tuple(PLOT_ALT)

__all__ = ["SiteBuild", "cache_folder", "library_digest"]

#: Seconds an entry may take, all its formulas derived and verified, before it is stopped.
ENTRY_TIME_LIMIT = float(os.environ.get("GLOSSARY_TIME_LIMIT", "60"))
WORKERS = max(1, min(2, os.cpu_count() or 1))
PACKAGE = Path(__file__).resolve().parent


def cache_folder(default_root: Path) -> Path:
    """``$GLOSSARY_CACHE`` if set, else ``.cache/glossary/derived`` under ``default_root``."""
    configured = os.environ.get("GLOSSARY_CACHE")
    return Path(configured) if configured else default_root / ".cache" / "glossary" / "derived"


_DIGEST: str | None = None


def library_digest() -> str:
    """A hash of the library's source and the versions its results depend on."""
    global _DIGEST
    if _DIGEST is None:
        digest = hashlib.sha256()
        for source in sorted(PACKAGE.rglob("*.py")):
            digest.update(source.relative_to(PACKAGE).as_posix().encode())
            digest.update(source.read_bytes())
        for name in ("sympy", "numpy", "scipy", "matplotlib"):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        _DIGEST = digest.hexdigest()
    return _DIGEST


@dataclass(frozen=True)
class Job:
    """Work for a child process: ``call()`` returns something JSON-able; ``file`` names it in errors."""

    key: str
    file: str
    call: Callable[[], Any]


def _run_in_child(job: Job, connection: Connection) -> None:
    try:
        connection.send(("ok", job.call()))
    except EntryError as error:
        connection.send(("error", error.file, error.field, error.problem))
    except GlossaryError as error:
        connection.send(("error", job.file, "(derivation)", str(error)))
    except Exception as error:
        connection.send(("error", job.file, "(derivation)", f"unexpected {type(error).__name__}: {error}"))
    finally:
        connection.close()


_PRELOAD: threading.Thread | None = None


def _import_derivation_modules() -> None:
    import scipy.integrate
    import scipy.optimize  # noqa: F401

    from . import calculus, linalg, neural, numeric, probability  # noqa: F401
    from .content import examples  # noqa: F401


def preload_in_background() -> None:
    """Import the derivation modules on a background thread while a server sits idle.

    Under `mkdocs serve` the process lives on, so the children forked for later
    edits start with SymPy, NumPy and SciPy already imported.
    """
    global _PRELOAD
    if _PRELOAD is None:
        _PRELOAD = threading.Thread(target=_import_derivation_modules, name="glossary-preload", daemon=True)
        _PRELOAD.start()


def run_in_children(jobs: list[Job], limit: float, workers: int = WORKERS) -> dict[str, Any]:
    """Run jobs in forked child processes, ``workers`` at a time, killing any that pass ``limit``.

    Returns ``{job key: result}``; the first failure raises EntryError and stops the rest.
    """
    if _PRELOAD is not None:
        # Never fork while another thread is importing: the child would inherit held import locks.
        _PRELOAD.join()
    if len(jobs) > 2:
        # Imported once here, before forking, instead of once in every child; for one or
        # two jobs (an edit) each child imports only what its checks need.
        _import_derivation_modules()

        if any(job.key.startswith("plot:") for job in jobs):
            from . import plots

            plots.pyplot()

    context = multiprocessing.get_context("fork")
    pending = list(jobs)
    running: dict[Connection, tuple[multiprocessing.Process, Job, float]] = {}
    done: dict[str, Any] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_run_in_child, args=(job, sender), daemon=True)
                process.start()
                sender.close()
                running[receiver] = (process, job, time.monotonic())
            deadline = min(started + limit for _, _, started in running.values())
            for receiver in wait(list(running), timeout=max(0.0, deadline - time.monotonic())):
                process, job, _ = running.pop(receiver)
                try:
                    message = receiver.recv()
                except EOFError:
                    message = ("error", job.file, "(derivation)", f"the process died (exit {process.exitcode})")
                process.join()
                if message[0] == "error":
                    raise EntryError(*message[1:])
                done[job.key] = message[1]
            now = time.monotonic()
            for _, job, started in running.values():
                if now - started >= limit:
                    raise EntryError(job.file, "(derivation)", f"took longer than {limit:g} s and was stopped")
    finally:
        for process, *_ in running.values():
            process.kill()
            process.join()
    return done


def _derive_json(path: Path, points: int, skip: frozenset[str]) -> dict:
    return derive_entry(path, load_entry(path), points=points, skip=skip).to_json()


def _draw(name: str) -> str:
    from .plots import render_plot

    try:
        return render_plot(name)
    except Exception as error:
        raise GlossaryError(f"plot {name!r} could not be drawn: {error}") from None


def entry_job(path: Path, entry: Entry, points: int, skip: frozenset[str] = frozenset()) -> Job:
    return Job(entry.id, str(path), functools.partial(_derive_json, path, points, skip))


class SiteBuild:
    def __init__(
        self,
        entries_dir: Path,
        templates_dir: Path,
        points: int = 1000,
        cache_dir: Path | None = None,
        time_limit: float = ENTRY_TIME_LIMIT,
    ) -> None:
        self.entries_dir = Path(entries_dir)
        self.templates_dir = Path(templates_dir)
        self.points = points
        self.time_limit = time_limit
        self.cache_dir = Path(cache_dir) if cache_dir else cache_folder(self.entries_dir.parent)
        self._memory: dict[str, tuple[str, EntryResult]] = {}
        self._parsed: dict[Path, tuple[Any, Entry]] = {}
        self._partial: dict[str, dict[str, FormulaResult]] = {}
        self._pages: tuple[Any, dict[str, str]] | None = None
        self.last_derived: list[str] = []
        self.last_cached = 0
        self.last_seconds = 0.0

    # -- derived entries ------------------------------------------------------------------
    def _key(self, path: Path) -> str:
        digest = hashlib.sha256(path.read_bytes())
        digest.update(library_digest().encode())
        digest.update(str(self.points).encode())
        return digest.hexdigest()

    def _plan(self) -> tuple[dict[str, tuple[Path, Entry]], dict[str, EntryResult], list[tuple[Path, Entry]]]:
        """Entries, the results already known (memory or cache), and the entries to derive."""
        entries = load_entries(self.entries_dir, known_plots=PLOT_NAMES, memo=self._parsed)
        found: dict[str, EntryResult] = {}
        missing: list[tuple[Path, Entry]] = []
        self._keys = {}
        self.last_cached = 0
        for entry_id, (path, entry) in entries.items():
            key = self._keys[entry_id] = self._key(path)
            remembered = self._memory.get(entry_id)
            if remembered and remembered[0] == key:
                found[entry_id] = remembered[1]
                continue
            cached = self._cached_formulas(entry)
            self._partial[entry_id] = cached
            if len(cached) == len(formula_fields(entry)):
                found[entry_id] = self._assemble(path, entry, cached)
                self.last_cached += 1
                continue
            missing.append((path, entry))
        return entries, found, missing

    @staticmethod
    def _assemble(path: Path, entry: Entry, records: dict[str, FormulaResult]) -> EntryResult:
        return EntryResult(path, entry, tuple(records[field] for field, _ in formula_fields(entry)))

    # The cache holds one file per formula, keyed by what the formula's result depends on
    # (helper, arguments, expected answer, declared symbols, library, points): editing an
    # entry's prose or captions derives nothing again.
    def _formula_key(self, entry: Entry, formula: Formula) -> str:
        inputs = json.dumps(
            [formula.helper, formula.args, formula.expect, entry.symbols, self.points, library_digest()],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(inputs.encode("utf-8")).hexdigest()

    def _formula_file(self, entry: Entry, formula: Formula) -> Path:
        return self.cache_dir / f"{entry.id}--{formula.id}-{self._formula_key(entry, formula)[:24]}.json"

    def _cached_formulas(self, entry: Entry) -> dict[str, FormulaResult]:
        """The entry's formulas found in the cache, by field."""
        records = {}
        for field, formula in formula_fields(entry):
            cache_file = self._formula_file(entry, formula)
            try:
                data = json.loads(cache_file.read_text(encoding="utf-8"))
                records[field] = dataclasses.replace(FormulaResult.from_json(formula, data), field=field)
            except FileNotFoundError:
                continue
            except (ValueError, KeyError, TypeError):
                cache_file.unlink(missing_ok=True)  # a damaged cache file is derived again
        return records

    def _store(self, entry: Entry, data: dict) -> None:
        fields = dict(formula_fields(entry))
        for record in data["formulas"]:
            self._formula_file(entry, fields[record["field"]]).write_text(json.dumps(record), encoding="utf-8")

    def _plot_file(self, name: str) -> Path:
        return self.cache_dir / f"plot-{name}-{library_digest()[:24]}.svg"

    def _run(self, with_plots: bool) -> list[EntryResult]:
        started = time.perf_counter()
        entries, found, missing = self._plan()
        plot_names = {plot for _, entry in entries.values() for plot in entry.plots} if with_plots else set()
        # Plots are drawn in the same pool as the derivations, so a cold build uses both cores;
        # the slow jobs (plots, entries with many formulas) start first so the pool drains evenly.
        jobs = [
            Job(f"plot:{n}", f"plot {n}", functools.partial(_draw, n))
            for n in sorted(plot_names)
            if not self._plot_file(n).is_file()
        ]
        by_size = sorted(missing, key=lambda item: -len(item[1].all_formulas()))
        jobs += [entry_job(path, entry, self.points, frozenset(self._partial[entry.id])) for path, entry in by_size]
        done = run_in_children(jobs, self.time_limit) if jobs else {}
        if done:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        for path, entry in missing:
            data = done[entry.id]
            self._store(entry, data)
            fields = dict(formula_fields(entry))
            records = dict(self._partial[entry.id])
            for record in data["formulas"]:
                records[record["field"]] = FormulaResult.from_json(fields[record["field"]], record)
            found[entry.id] = self._assemble(path, entry, records)
        for key, svg in done.items():
            if key.startswith("plot:"):
                self._plot_file(key.removeprefix("plot:")).write_text(svg, encoding="utf-8")
        for entry_id, result in found.items():
            self._memory[entry_id] = (self._keys[entry_id], result)
        for gone in set(self._memory) - set(entries):
            del self._memory[gone]
        self.last_derived = [entry.id for _, entry in missing]
        self.last_seconds = time.perf_counter() - started
        return [found[entry_id] for entry_id in entries]

    def results(self) -> list[EntryResult]:
        """Every entry derived and verified, from memory, the cache or child processes."""
        return self._run(with_plots=False)

    def render(self) -> dict[str, str]:
        """Every page and plot of the site: ``{path: text}``."""
        results = self._run(with_plots=True)
        used = {plot for result in results for plot in result.entry.plots}
        # Each language build of mkdocs-static-i18n asks again; the same inputs give the same pages.
        templates = sorted((p.as_posix(), p.stat().st_mtime_ns) for p in self.templates_dir.rglob("*.j2"))
        signature = (tuple(sorted(self._keys.items())), tuple(templates), tuple(sorted(used)))
        if self._pages is not None and self._pages[0] == signature:
            return dict(self._pages[1])
        pages = Renderer(self.templates_dir).render_pages(results)
        for name in sorted(used):
            pages[f"assets/plots/{name}.svg"] = self._plot_file(name).read_text(encoding="utf-8")
        self._pages = (signature, pages)
        return dict(pages)

    def navigation(self) -> list:
        """The nav: home, one section per category (terms in their order), then the reference pages.

        Titles are English; mkdocs-static-i18n's nav_translations give the Korean ones.
        """
        entries = load_entries(self.entries_dir, known_plots=PLOT_NAMES, memo=self._parsed)
        nav: list = ["index.md"]
        for category, names in CATEGORIES.items():
            members = sorted((e for _, e in entries.values() if e.category == category), key=lambda e: (e.order, e.id))
            nav.append({names["en"]: [f"{category}/index.md", *(term_path(category, e.id) for e in members)]})
        nav += ["concept-map.md", "verification.md", "api.md"]
        return nav

    def summary(self) -> str:
        total = len(self._memory)
        return (
            f"glossary: {total} entries; {len(self.last_derived)} derived and verified now, "
            f"{self.last_cached} from the cache, in {self.last_seconds:.2f} s"
        )
