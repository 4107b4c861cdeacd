"""The MkDocs plugin: a thin edge around the pure core.

It derives and verifies the entries, renders them to Markdown and layers the
pages over the real ``docs/`` in a build folder under ``.cache/`` (git-ignored;
nothing generated is written into a committed folder). The build folder
becomes MkDocs' ``docs_dir`` because mkdocs-static-i18n only sorts files that
live in ``docs_dir`` into languages. Mistakes in entries stop the build with
the file, the field and the problem, and the previous ``site/`` stays as it was:
``mkdocs build`` writes into a staging folder beside it, swapped in only once
every language has been built.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from .build.safety import unsafe_html
from .build.snapshot import Snapshot, current_digest, default_folder, folder_digests, inputs_digest
from .errors import GlossaryError, Interrupted
from .limits import Limits
from .render.katex import Katex, korean_tex

log = get_plugin_logger(__name__)


class GlossaryConfig(Config):
    entries = c.Dir(exists=True, default="entries")
    templates = c.Dir(exists=True, default="templates")
    katex = c.Type(str, default="node_modules/katex/dist")
    verify_points = c.Type(int, default=1000)
    #: Seconds each formula may take to derive and verify (GLOSSARY_TIME_LIMIT overrides it).
    time_limit = c.Optional(c.Type((int, float)))
    #: The cache folder, relative to mkdocs.yml (GLOSSARY_CACHE overrides it).
    cache = c.Optional(c.Type(str))


class GlossaryPlugin(BasePlugin[GlossaryConfig]):
    """Derive, verify and render the glossary inside ``mkdocs build`` and ``mkdocs serve``."""

    def __init__(self) -> None:
        self.site = None  # a SiteBuild, made when pages must be rendered (not for a build served by the snapshot)
        self.limits: Limits | None = None
        self.snapshot: Snapshot | None = None
        self.unchanged: tuple[list, dict[str, str]] | None = None
        self.snapshot_key: str | None = None
        self.to_store: tuple[str, list, dict[str, str]] | None = None
        self.standby = None  # a `Standby` child while one waits for a job
        self.katex: Katex | None = None
        self.ui: dict[tuple[str, int], dict[str, str]] = {}
        self.command = "build"
        self.depth = 0
        self.final_site: Path | None = None
        self.staging: Path | None = None
        self.placed: dict[str, str] | None = None  # the pages the build folder holds

    def on_startup(self, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds,
        # so entries whose text did not change are not derived again.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).resolve().parent
        if self.limits is None:
            try:
                limits = Limits.from_environment(seconds=self.config.time_limit)
                if not 1 <= self.config.verify_points <= limits.max_points:
                    raise GlossaryError(
                        f"verify_points must be from 1 to {limits.max_points}, got {self.config.verify_points}"
                    )
            except GlossaryError as error:
                raise PluginError(f"glossary: {error.show()}") from None
            self.limits = limits
            self.entries_dir = Path(self.config.entries).resolve()
            self.templates_dir = Path(self.config.templates).resolve()
            self.katex_dir = (root / self.config.katex).resolve()
            self.real_docs = Path(config.docs_dir).resolve()
            self.build_docs = root / ".cache" / "glossary" / "docs"
            self.cache_dir = default_folder(root, self.config.cache)
            self.snapshot = Snapshot(self.cache_dir if self.cache_dir.is_dir() else None)
        # Why: when no byte of the entries, templates or package changed since the last build,
        # its pages are the pages of this one; nothing is loaded, derived or rendered.
        # mkdocs-static-i18n configures each language again: the snapshot read for a digest is kept.
        key = current_digest(self.entries_dir, self.templates_dir, self.config.verify_points)
        if key is None or key != self.snapshot_key:
            self.unchanged, self.snapshot_key = self.snapshot.read(key), key
        if self.unchanged is None and self.standby is None:
            # Pages must be made, and perhaps an entry derived: a child starts importing SymPy now, on the
            # other core, while this process reads the entries and the cache.
            from .build.workers import Standby

            self.standby = Standby.start(self.limits)
        if self.katex is None:
            folder = self.cache_dir if self.unchanged is not None else self._site().cache.folder
            try:
                self.katex = Katex(self.katex_dir, folder, warn=log.warning, note=log.info)
            except GlossaryError as error:
                raise PluginError(f"glossary: {error.show()}") from None
        self.build_docs.mkdir(parents=True, exist_ok=True)
        config.docs_dir = str(self.build_docs)
        if self.command == "build" and self.final_site is None:
            # Why: MkDocs writes pages into site_dir as it goes; an interrupted or failed build
            # must not leave a half-written site. The staging folder is swapped in at the end.
            self.final_site = Path(config.site_dir).resolve()
            self.staging = self.final_site.with_name(self.final_site.name + ".glossary-staging")
            shutil.rmtree(self.staging, ignore_errors=True)
            config.site_dir = str(self.staging)
            signal.signal(signal.SIGINT, self._interrupted)
        if config.nav is None:
            if self.unchanged is not None:
                config.nav = self.unchanged[0]
            else:
                try:
                    config.nav = self._site().navigation()
                except GlossaryError as error:
                    raise PluginError(f"glossary: {error.show()}") from None
        return config

    def _site(self):
        """The `SiteBuild` (imported and made on first need: a build from the snapshot never needs it)."""
        if self.site is None:
            from .build.site import SiteBuild

            self.site = SiteBuild(
                self.entries_dir,
                self.templates_dir,
                limits=self.limits,
                points=self.config.verify_points,
                cache_dir=self.cache_dir,
                # One line, and the build goes on (a warning would stop a --strict build).
                warn=log.info,
            )
            if self.site.cache.folder is not None and self.snapshot.path is None:
                self.snapshot = Snapshot(self.site.cache.folder)
        return self.site

    def _pages(self) -> tuple[dict[str, str], str]:
        """Every page and plot, and a line saying where they came from."""
        if self.unchanged is not None:
            return self.unchanged[1], "the pages made earlier from these same entries, templates and package are used"
        site = self._site()
        templates = folder_digests(self.templates_dir)
        standby, self.standby = self.standby, None
        pages = site.render(standby=standby)
        # Stored under the digest of the bytes this render read (templates unchanged while it ran).
        if folder_digests(self.templates_dir) == templates:
            key = inputs_digest(site.last_inputs, templates, self.config.verify_points)
            self.unchanged, self.snapshot_key = (site.last_nav, pages), key
            # Written once the whole build has passed (on_post_build), never for a build that failed.
            self.to_store = (key, site.last_nav, pages)
        return pages, site.summary()

    def _interrupted(self, signum, frame) -> None:
        if self.standby is not None:
            self.standby.dismiss()
        if self.site is not None:
            from .build.workers import kill_running_children

            kill_running_children()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        print(f"glossary: {Interrupted().show()}; the previous site is unchanged", file=sys.stderr)
        os._exit(Interrupted.exit_code)

    # Why on_pre_build: MkDocs empties the site folder only after this event, so an entry
    # mistake raised here leaves the previous site untouched.
    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.depth += 1
        try:
            pages, summary = self._pages()
        except GlossaryError as error:
            raise PluginError(f"glossary: {error.show()}") from None
        if self.depth > 1 and pages is self.placed:
            return  # another language of the same build: the build folder holds these very pages
        # Why here and not earlier: the first page typeset comes after MkDocs has read every page, so the
        # check of the KaTeX cache, and Node for formulas it lacks, run on the other core meanwhile, once
        # a derivation no longer needs that core.
        self.katex.check_in_background()
        if self.to_store is not None:
            self.katex.start_early()  # new pages may hold formulas the KaTeX cache has not seen
        layers: dict[str, bytes] = {}
        for source in sorted(self.real_docs.rglob("*")):
            if source.is_file() and not source.name.startswith("."):
                layers[source.relative_to(self.real_docs).as_posix()] = source.read_bytes()
        for source in sorted(self.katex_dir.rglob("*")):
            relative = source.relative_to(self.katex_dir)
            if source.is_file() and _katex_asset(relative):
                layers[f"assets/katex/{relative.as_posix()}"] = source.read_bytes()
        for path, content in pages.items():
            layers[path] = content.encode("utf-8")
        written = sync_folder(self.build_docs, layers)
        self.placed = pages
        log.info(f"{summary}; {written} files written")

    # Why on_page_content: this is each page's own HTML, before the theme adds the site's scripts;
    # anything here that could run came from an entry, and stops the build.
    def on_page_content(self, html: str, page, config: MkDocsConfig, files) -> str:
        problem = unsafe_html(html)
        if problem:
            remedy = ""
            if self.unchanged is not None and self.to_store is None:
                # The page may have come from the cached pages: those are removed, so that the next build
                # makes every page again from the entries (and names the entry if the problem is there).
                self.snapshot.discard()
                self.unchanged, self.snapshot_key = None, None
                remedy = " (the cached pages were removed; build again to make them from the entries)"
            raise PluginError(
                f"glossary: {page.file.src_uri}: the page would contain {problem}; refusing to build it{remedy}"
            )
        return html

    # Why: mkdocs-static-i18n gives every page <link rel="alternate"> tags that point at the same
    # page in each language, and Material's script fetches "sitemap.xml" next to each of them,
    # a 404 on every page. The language menu keeps its per-page links and the sitemap keeps hreflang.
    #
    # Why math is typeset here, in on_post_page: it sees the final HTML of each page, where
    # pymdownx.arithmatex left every formula as \(…\) or \[…\] in a marked element; typesetting
    # there needs no Markdown hook. The search plugin took its text earlier (on_page_context), so
    # on_post_build turns the TeX in the search index into plain text.
    def on_post_page(self, output: str, page, config: MkDocsConfig) -> str:
        output = _HEAD_ALTERNATE.sub("", output)
        lang = _PAGE_LANG.search(output)
        language = lang.group(1) if lang else "en"
        labels = self._labels(language)
        try:
            return self.katex.page(
                output,
                where=page.file.src_uri,
                decorate=lambda block: _copyable(block, labels),
                localise=korean_tex if language == "ko" else None,
            )
        except GlossaryError as error:
            raise PluginError(f"glossary: {error.show()}") from None

    def _labels(self, lang: str) -> dict[str, str]:
        """The copy button's words in the page's language, from templates/strings (read once per edit)."""
        path = self.templates_dir / "strings" / f"{lang if lang in ('ko', 'en') else 'en'}.yaml"
        stamp = (str(path), path.stat().st_mtime_ns)
        if stamp not in self.ui:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            ui = (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).get("ui", {})
            self.ui[stamp] = {key: html.escape(str(ui.get(key, key)), quote=True) for key in ("copy_latex", "copied")}
        return self.ui[stamp]

    # Why the lowest priority: mkdocs-static-i18n builds the other languages inside its own
    # on_post_build (priority -100); the site is complete only after the outermost build ends.
    @event_priority(-200)
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.depth -= 1
        if self.depth == 0:
            try:
                for index in sorted(Path(config.site_dir).rglob("search_index.json")):
                    rewrite_search_index(index, self.katex)
            except GlossaryError as error:
                raise PluginError(f"glossary: {error.show()}") from None
            self.katex.save()
            self.katex.close()
            if self.to_store is not None:
                self.snapshot.write(*self.to_store)
                self.to_store = None
            if self.katex.rendered:
                log.info(f"KaTeX typeset {self.katex.rendered} formulas in {self.katex.node_seconds:.2f} s")
                self.katex.rendered, self.katex.node_seconds = 0, 0.0
        if self.depth == 0 and self.staging is not None and self.final_site is not None:
            _swap(self.staging, self.final_site)
            config.site_dir = str(self.final_site)
            self.staging = None
            self.final_site = None
        if self.command == "serve":
            from .build.workers import preload_in_background

            preload_in_background()

    def on_build_error(self, error: Exception) -> None:
        self.depth = 0
        if self.standby is not None:
            self.standby.dismiss()
            self.standby = None
        self.to_store = None
        self.unchanged, self.snapshot_key = None, None
        if self.katex is not None:
            self.katex.close()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def on_serve(self, server, config: MkDocsConfig, builder):
        # The build folder changes because of builds; watching it would rebuild forever.
        # The inputs are the entries, the templates and the real docs/.
        server.unwatch(str(self.build_docs))
        for folder in (self.entries_dir, self.templates_dir, self.real_docs):
            server.watch(str(folder))
        return server


_HEAD_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\s*')
_PAGE_LANG = re.compile(r'<html lang="([a-z-]+)"')
_COPY_ICON = (
    '<svg class="glossary-copy__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
    '<rect x="8.5" y="8.5" width="11" height="12.5" rx="1.8"/>'
    '<path d="M15.5 8.5V5.3a1.8 1.8 0 0 0-1.8-1.8H6.3a1.8 1.8 0 0 0-1.8 1.8v9.4a1.8 1.8 0 0 0 1.8 1.8h2.2"/></svg>'
    '<svg class="glossary-copy__done" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
    '<path d="M4.5 12.5l5 5 10-11"/></svg>'
)


def _copyable(block: str, labels: dict[str, str]) -> str:
    """A display formula with its "copy LaTeX" button. The button starts hidden: the script that
    copies (assets/javascripts/glossary.js) shows it, so a page without JavaScript shows no dead button."""
    return (
        f'<div class="glossary-math">{block}<button type="button" class="glossary-copy" hidden '
        f'title="{labels["copy_latex"]}" aria-label="{labels["copy_latex"]}" data-copied="{labels["copied"]}">'
        f"{_COPY_ICON}</button></div>"
    )


def rewrite_search_index(path: Path, katex: Katex) -> None:
    """Math in the search index as readable text (λ₁ = 334/45), not TeX: Material's search plugin
    reads each page before the math is typeset. The file keeps its structure; only the texts change."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    changed = False
    for doc in data.get("docs", []) if isinstance(data, dict) else []:
        for field in ("title", "text"):
            value = doc.get(field)
            if isinstance(value, str) and ("\\(" in value or "\\[" in value):
                doc[field] = _INDEX_MATH.sub(
                    lambda m: html.escape(
                        katex.text(m.group(1) if m.group(1) is not None else m.group(2), m.group(2) is not None),
                        quote=False,
                    ),
                    value,
                )
                changed = True
    if changed:
        path.write_text(json.dumps(data, separators=(",", ":"), default=str), encoding="utf-8")


_INDEX_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def _swap(staging: Path, final: Path) -> None:
    """Put the freshly built site in place of the old one with two renames."""
    old = final.with_name(final.name + ".glossary-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def sync_folder(folder: Path, files: dict[str, bytes]) -> int:
    """Make ``folder`` hold exactly ``files``, writing only what changed; returns the count written."""
    written = 0
    for relative, content in files.items():
        target = folder / relative
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    for existing in sorted(folder.rglob("*"), reverse=True):
        relative = existing.relative_to(folder).as_posix()
        if existing.is_file() and relative not in files:
            existing.unlink()
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()
    return written


def _katex_asset(relative: Path) -> bool:
    """The files a browser needs: the style sheet and the woff2 fonts (the math is typeset at build time)."""
    name = relative.as_posix()
    return name == "katex.min.css" or (name.startswith("fonts/") and name.endswith(".woff2"))
