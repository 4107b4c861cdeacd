"""The whole site as a value: entries in, ``{path: content}`` out, with a memory of what was derived.

Used by the MkDocs plugin and by the command line alike; it holds no MkDocs
objects. Derived entries are remembered by the hash of their file, so a
rebuild re-derives only the entries that changed.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from .content.catalog import EntryResult, derive_entry, load_entries
from .plots import PLOTS, render_plot
from .render import CATEGORIES, Renderer, term_path

__all__ = ["SiteBuild"]


class SiteBuild:
    def __init__(self, entries_dir: Path, templates_dir: Path, points: int = 1000) -> None:
        self.entries_dir = Path(entries_dir)
        self.templates_dir = Path(templates_dir)
        self.points = points
        self._derived: dict[str, tuple[str, EntryResult]] = {}
        self._plots: dict[str, str] = {}
        self.last_derived: list[str] = []
        self.last_seconds = 0.0

    def results(self) -> list[EntryResult]:
        """Every entry derived and verified, reusing unchanged ones."""
        started = time.perf_counter()
        entries = load_entries(self.entries_dir, known_plots=PLOTS)
        results, derived = [], []
        for entry_id, (path, entry) in entries.items():
            key = hashlib.sha256(path.read_bytes()).hexdigest()
            remembered = self._derived.get(entry_id)
            if remembered is None or remembered[0] != key:
                remembered = (key, derive_entry(path, entry, points=self.points))
                self._derived[entry_id] = remembered
                derived.append(entry_id)
            results.append(remembered[1])
        for gone in set(self._derived) - set(entries):
            del self._derived[gone]
        self.last_derived = derived
        self.last_seconds = time.perf_counter() - started
        return results

    def plots(self, names: set[str]) -> dict[str, str]:
        for name in sorted(names - set(self._plots)):
            self._plots[name] = render_plot(name)
        return {name: self._plots[name] for name in sorted(names)}

    def render(self) -> dict[str, str]:
        results = self.results()
        renderer = Renderer(self.templates_dir)
        pages = renderer.render_pages(results)
        used = {plot for r in results for plot in r.entry.plots}
        for name, svg in self.plots(used).items():
            pages[f"assets/plots/{name}.svg"] = svg
        return pages

    def navigation(self) -> list:
        """The nav: home, one section per category (terms in their order), then the reference pages.

        Titles are English; mkdocs-static-i18n's nav_translations give the Korean ones.
        """
        entries = load_entries(self.entries_dir, known_plots=PLOTS)
        nav: list = ["index.md"]
        for category, names in CATEGORIES.items():
            members = sorted((e for _, e in entries.values() if e.category == category), key=lambda e: (e.order, e.id))
            nav.append({names["en"]: [f"{category}/index.md", *(term_path(category, e.id) for e in members)]})
        nav += ["concept-map.md", "verification.md", "api.md"]
        return nav

    def summary(self) -> str:
        total = len(self._derived)
        return (
            f"glossary: {total} entries, {len(self.last_derived)} derived and verified now "
            f"in {self.last_seconds:.2f} s, {total - len(self.last_derived)} unchanged"
        )
