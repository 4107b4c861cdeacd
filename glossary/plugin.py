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

import os
import re
import shutil
import signal
import sys
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from .build import SiteBuild, default_folder, preload_in_background
from .build.safety import unsafe_html
from .build.workers import kill_running_children
from .errors import GlossaryError, Interrupted
from .limits import Limits

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
        self.site: SiteBuild | None = None
        self.command = "build"
        self.depth = 0
        self.final_site: Path | None = None
        self.staging: Path | None = None

    def on_startup(self, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds,
        # so entries whose text did not change are not derived again.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).resolve().parent
        if self.site is None:
            try:
                limits = Limits.from_environment(seconds=self.config.time_limit)
                if not 1 <= self.config.verify_points <= limits.max_points:
                    raise GlossaryError(
                        f"verify_points must be from 1 to {limits.max_points}, got {self.config.verify_points}"
                    )
            except GlossaryError as error:
                raise PluginError(f"glossary: {error.show()}") from None
            self.entries_dir = Path(self.config.entries).resolve()
            self.templates_dir = Path(self.config.templates).resolve()
            self.katex_dir = (root / self.config.katex).resolve()
            self.real_docs = Path(config.docs_dir).resolve()
            self.build_docs = root / ".cache" / "glossary" / "docs"
            self.site = SiteBuild(
                self.entries_dir,
                self.templates_dir,
                limits=limits,
                points=self.config.verify_points,
                cache_dir=default_folder(root, self.config.cache),
                # One line, and the build goes on (a warning would stop a --strict build).
                warn=log.info,
            )
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
            try:
                config.nav = self.site.navigation()
            except GlossaryError as error:
                raise PluginError(f"glossary: {error.show()}") from None
        return config

    def _interrupted(self, signum, frame) -> None:
        kill_running_children()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        print(f"glossary: {Interrupted().show()}; the previous site is unchanged", file=sys.stderr)
        os._exit(Interrupted.exit_code)

    # Why on_pre_build: MkDocs empties the site folder only after this event, so an entry
    # mistake raised here leaves the previous site untouched.
    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.depth += 1
        if not (self.katex_dir / "katex.min.js").is_file():
            raise PluginError(f"KaTeX not found at {self.katex_dir}: run `npm ci` (or `make site`) first")
        try:
            pages = self.site.render()
        except GlossaryError as error:
            raise PluginError(f"glossary: {error.show()}") from None
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
        log.info(f"{self.site.summary()}; {written} files written")

    # Why on_page_content: this is each page's own HTML, before the theme adds the site's scripts;
    # anything here that could run came from an entry, and stops the build.
    def on_page_content(self, html: str, page, config: MkDocsConfig, files) -> str:
        problem = unsafe_html(html)
        if problem:
            raise PluginError(f"glossary: {page.file.src_uri}: the page would contain {problem}; refusing to build it")
        return html

    # Why: mkdocs-static-i18n gives every page <link rel="alternate"> tags that point at the same
    # page in each language, and Material's script fetches "sitemap.xml" next to each of them,
    # a 404 on every page. The language menu keeps its per-page links and the sitemap keeps hreflang.
    def on_post_page(self, output: str, page, config: MkDocsConfig) -> str:
        return _HEAD_ALTERNATE.sub("", output)

    # Why the lowest priority: mkdocs-static-i18n builds the other languages inside its own
    # on_post_build (priority -100); the site is complete only after the outermost build ends.
    @event_priority(-200)
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.depth -= 1
        if self.depth == 0 and self.staging is not None and self.final_site is not None:
            _swap(self.staging, self.final_site)
            config.site_dir = str(self.final_site)
            self.staging = None
            self.final_site = None
        if self.command == "serve":
            preload_in_background()

    def on_build_error(self, error: Exception) -> None:
        self.depth = 0
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
    """The files a browser needs: the minified script and style sheet and the woff2 fonts."""
    name = relative.as_posix()
    return name in ("katex.min.js", "katex.min.css") or (name.startswith("fonts/") and name.endswith(".woff2"))
