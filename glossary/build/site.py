"""The whole site as a value: entries in, ``{path: content}`` out.

Used by the MkDocs plugin and by the command line alike; it holds no MkDocs
objects. The journey of the entries reads top to bottom: load (each file read
once), plan (what the cache already holds), derive the rest in child processes,
check references, render.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..content.catalog import LoadedEntry, derive_formula, formula_fields, load_entries
from ..content.claims import check_references as claim_references
from ..content.claims import evaluate_misconceptions
from ..content.records import ClaimRecord, FormulaRecord
from ..content.schema import CATEGORIES
from ..limits import Limits, report_progress
from ..render import EntryResult, Renderer, term_path
from ..render.search import INDEX_PATH, build_term_index, demote_reference_pages, index_json
from .cache import Cache, key_of
from .workers import Job, Standby, run_jobs

__all__ = ["SiteBuild"]

#: Points of each page's numeric check.
VERIFY_POINTS = 1000


def formula_key(loaded: LoadedEntry, field: str, points: int) -> str:
    """What a formula's record depends on: its data as parsed, the symbols, the points, the library."""
    formula = dict(formula_fields(loaded.entry))[field]
    data = formula.model_dump(mode="json", include={"helper", "args", "expect", "id"})
    data["plot"] = formula.plot.name if formula.plot else None
    return key_of("formula", data, loaded.entry.symbols, points)


def claims_key(loaded: LoadedEntry, formula_keys: dict[str, str]) -> str:
    entry = loaded.entry
    checks = [m.check.model_dump(mode="json") | {"id": m.id} for m in entry.misconceptions]
    used = sorted(
        {
            r.formula
            for m in entry.misconceptions
            for side in (m.check.left, m.check.right)
            for r in claim_references(side)
        }
    )
    by_id = {formula.id: field for field, formula in formula_fields(entry)}
    return key_of("claims", checks, entry.symbols, [formula_keys[by_id[f]] for f in used if f in by_id])


def _entry_job(loaded: LoadedEntry, fields: list[str], points: int, claims: bool) -> None:
    """In a child: derive the missing formulas of one entry, then its misconceptions, reporting each."""
    for field in fields:
        report_progress(("start", field))
        report_progress(("done", field, derive_formula(loaded, field, points)))
    if claims:
        report_progress(("start", "misconceptions"))
        report_progress(("done", "misconceptions", evaluate_misconceptions(loaded)))


class SiteBuild:
    def __init__(
        self,
        entries_dir: Path,
        templates_dir: Path,
        limits: Limits,
        points: int = VERIFY_POINTS,
        cache_dir: Path | None = None,
        warn: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.entries_dir = Path(entries_dir)
        self.templates_dir = Path(templates_dir)
        self.limits = limits
        self.points = points
        self.cache = Cache(cache_dir, warn)
        self._parsed: dict[Path, LoadedEntry] = {}
        self._records: dict[str, FormulaRecord] = {}  # by key, this process's memory of the cache
        self._claims: dict[str, tuple[ClaimRecord, ...]] = {}
        self.last_derived: list[str] = []
        self.last_cached = 0
        self.last_seconds = 0.0
        self.last_index_seconds = 0.0
        #: Of the last `render`: the entry files' names and digests it rendered, and their navigation.
        self.last_inputs: list[tuple[str, str]] = []
        self.last_nav: list = []

    def entries(self) -> dict[str, LoadedEntry]:
        return load_entries(self.entries_dir, memo=self._parsed)

    # -- derived records ---------------------------------------------------------------------
    def _known(self, name: str, key: str) -> FormulaRecord | None:
        record = self._records.get(key)
        if record is None:
            record = self.cache.formula(name, key)
            if record is not None:
                self._records[key] = record
                self.last_cached += 1
        return record

    def results(
        self,
        only: list[str] | None = None,
        *,
        standby: Standby | None = None,
        while_waiting: Callable[[list[EntryResult], list[EntryResult]], None] | None = None,
    ) -> list[EntryResult]:
        """Every entry (or the ``only`` ones) derived and verified, from memory, the cache or children.

        ``standby`` takes the first job; ``while_waiting(ready, everyone)`` runs while the children work,
        with the results of the entries that needed no derivation and every entry (those still being
        derived without records), so that their pages can be made meanwhile."""
        started = time.perf_counter()
        entries = self.entries()
        chosen = {i: e for i, e in entries.items() if only is None or i in only}
        self.last_cached = 0
        keys: dict[str, dict[str, str]] = {}
        jobs: list[Job] = []
        for entry_id, loaded in chosen.items():
            keys[entry_id] = {}
            missing = []
            for field, formula in formula_fields(loaded.entry):
                key = keys[entry_id][field] = formula_key(loaded, field, self.points)
                if self._known(f"{entry_id}--{formula.id}", key) is None:
                    missing.append(field)
            claims = False
            if loaded.entry.misconceptions:
                key = keys[entry_id]["misconceptions"] = claims_key(loaded, keys[entry_id])
                if key not in self._claims:
                    cached = self.cache.claims(entry_id, key)
                    if cached is not None:
                        self._claims[key] = tuple(cached)
                    else:
                        claims = True
            if missing or claims:
                first = missing[0] if missing else "misconceptions"
                call = functools.partial(_entry_job, loaded, missing, self.points, claims)
                jobs.append(Job(entry_id, str(loaded.path), first, call))
        # The entries with the most to derive start first, so that the workers drain evenly.
        jobs.sort(key=lambda job: -len(job.call.args[1]) - 2 * job.call.args[3])

        def store(job: Job, field: str, data: Any) -> None:
            key = keys[job.key][field]
            if field == "misconceptions":
                self._claims[key] = tuple(ClaimRecord.model_validate(item) for item in data)
                self.cache.store_claims(job.key, key, data)
                return
            self._records[key] = FormulaRecord.model_validate(data)
            formula = dict(formula_fields(chosen[job.key].entry))[field]
            self.cache.store_formula(f"{job.key}--{formula.id}", key, data)

        def result(entry_id: str, loaded: LoadedEntry) -> EntryResult:
            records = {field: self._records[key] for field, key in keys[entry_id].items() if field != "misconceptions"}
            return EntryResult(loaded, records, self._claims.get(keys[entry_id].get("misconceptions", ""), ()))

        waiting = None
        if while_waiting is not None and jobs:
            deriving = {job.key for job in jobs}
            known = {i: result(i, loaded) for i, loaded in chosen.items() if i not in deriving}
            everyone = [known.get(i) or EntryResult(loaded, {}) for i, loaded in chosen.items()]
            waiting = functools.partial(while_waiting, list(known.values()), everyone)
        run_jobs(jobs, self.limits, store, standby=standby, while_waiting=waiting)
        results = [result(entry_id, loaded) for entry_id, loaded in chosen.items()]
        self.last_derived = sorted(job.key for job in jobs)
        self.last_seconds = time.perf_counter() - started
        return results

    def render(self, standby: Standby | None = None) -> dict[str, str]:
        """Every page and plot of the site: ``{path: text}``. The term pages of entries that need no
        derivation are made while the others are derived."""
        renderer = Renderer(self.templates_dir)
        early: dict[str, str] = {}

        def meanwhile(ready: list[EntryResult], everyone: list[EntryResult]) -> None:
            early.update(renderer.term_pages(everyone, {r.entry.id for r in ready}))

        results = self.results(standby=standby, while_waiting=meanwhile)
        self.last_inputs = sorted((r.loaded.path.name, r.loaded.digest) for r in results)
        self.last_nav = self.navigation({r.entry.id: r.loaded for r in results})
        pages = demote_reference_pages(renderer.render_pages(results, early))
        pages[INDEX_PATH] = self.term_index(results, renderer)
        for result in results:
            for formula, record in result.all_records():
                for lang, svg in (record.plot or {}).items():
                    pages[f"assets/plots/{result.entry.id}--{formula.id}--{lang}.svg"] = svg
        return pages

    def term_index(self, results: list[EntryResult], renderer: Renderer) -> str:
        """The search box's term index (JSON), timed: it is built on every build."""
        started = time.perf_counter()
        by_id = {r.entry.id: r for r in results}

        def quoted(entry, reference) -> str:
            record = by_id[entry.id].record(reference.formula)
            part = record.part(reference.part) if reference.part else None
            if reference.format in ("decimal", "approx") and part is not None and part.decimal:
                return part.decimal
            return part.text if part is not None else record.result_text

        paths = {r.entry.id: term_path(r.entry.category, r.entry.id) for r in results}
        text = index_json(build_term_index([r.entry for r in results], paths, renderer.strings, quoted))
        self.last_index_seconds = time.perf_counter() - started
        return text

    def check(self, results: list[EntryResult]) -> None:
        """What rendering would find wrong, without rendering: dangling references to parts."""
        renderer = Renderer(self.templates_dir)
        for result in results:
            renderer.check_references(result)

    def navigation(self, entries: dict[str, LoadedEntry] | None = None) -> list:
        """The nav: home, one section per category (terms in their order), then the reference pages.

        Titles are English; mkdocs-static-i18n's nav_translations give the Korean ones.
        """
        entries = self.entries() if entries is None else entries
        nav: list = ["index.md"]
        for category, names in CATEGORIES.items():
            members = sorted(
                (loaded.entry for loaded in entries.values() if loaded.entry.category == category),
                key=lambda e: (e.order, e.id),
            )
            nav.append({names["en"]: [f"{category}/index.md", *(term_path(category, e.id) for e in members)]})
        nav += ["concept-map.md", "notation.md", "verification.md", "api.md"]
        return nav

    def summary(self) -> str:
        return (
            f"{len(self._parsed)} entries; {len(self.last_derived)} derived and verified now, "
            f"{self.last_cached} formulas from the cache, in {self.last_seconds:.2f} s; "
            f"term index in {self.last_index_seconds * 1000:.0f} ms"
        )
