"""The MkDocs plugin: a thin edge around the pure core.

It derives and verifies the entries, renders them to Markdown and layers the
pages over the real ``docs/`` in a build folder under ``.cache/`` (git-ignored;
nothing generated is written into a committed folder). The build folder
becomes MkDocs' ``docs_dir`` because mkdocs-static-i18n only sorts files that
live in ``docs_dir`` into languages. Mistakes in entries stop the build with
the file, the field and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from .build import ENTRY_TIME_LIMIT, SiteBuild, cache_folder, preload_in_background
from .errors import GlossaryError

log = get_plugin_logger(__name__)


class GlossaryConfig(Config):
    entries = c.Type(str, default="entries")
    templates = c.Type(str, default="templates")
    katex = c.Type(str, default="node_modules/katex/dist")
    verify_points = c.Type(int, default=1000)
    time_limit = c.Type(float, default=ENTRY_TIME_LIMIT)


class GlossaryPlugin(BasePlugin[GlossaryConfig]):
    """Derive, verify and render the glossary inside ``mkdocs build`` and ``mkdocs serve``."""

    def __init__(self) -> None:
        self.site: SiteBuild | None = None

    def on_startup(self, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds,
        # so entries whose text did not change are not derived again.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).resolve().parent
        self.entries_dir = (root / self.config.entries).resolve()
        self.templates_dir = (root / self.config.templates).resolve()
        self.katex_dir = (root / self.config.katex).resolve()
        if not hasattr(self, "real_docs"):
            self.real_docs = Path(config.docs_dir).resolve()
            self.build_docs = root / ".cache" / "glossary" / "docs"
        self.build_docs.mkdir(parents=True, exist_ok=True)
        config.docs_dir = str(self.build_docs)
        if self.site is None:
            self.site = SiteBuild(
                self.entries_dir,
                self.templates_dir,
                points=self.config.verify_points,
                cache_dir=cache_folder(root),
                time_limit=self.config.time_limit,
            )
        if config.nav is None:
            try:
                config.nav = self.site.navigation()
            except GlossaryError as error:
                raise PluginError(f"glossary: {error}") from None
        return config

    # Why on_pre_build: MkDocs empties site/ only after this event, so an entry
    # mistake raised here leaves the previous site untouched.
    def on_pre_build(self, config: MkDocsConfig) -> None:
        if not (self.katex_dir / "katex.min.js").is_file():
            raise PluginError(f"KaTeX not found at {self.katex_dir}: run `npm ci` (or `make site`) first")
        try:
            pages = self.site.render()
        except GlossaryError as error:
            raise PluginError(f"glossary: {error}") from None
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

    # Why: mkdocs-static-i18n gives every page <link rel="alternate"> tags that point at the same
    # page in each language, and Material's script fetches "sitemap.xml" next to each of them,
    # a 404 on every page. The language menu keeps its per-page links and the sitemap keeps hreflang.
    def on_post_page(self, output: str, page, config: MkDocsConfig) -> str:
        return _HEAD_ALTERNATE.sub("", output)

    def on_post_build(self, config: MkDocsConfig) -> None:
        if getattr(self, "command", None) == "serve":
            preload_in_background()

    def on_serve(self, server, config: MkDocsConfig, builder):
        # The build folder changes because of builds; watching it would rebuild forever.
        # The inputs are the entries, the templates and the real docs/.
        server.unwatch(str(self.build_docs))
        for folder in (self.entries_dir, self.templates_dir, self.real_docs):
            server.watch(str(folder))
        return server


_HEAD_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\s*')


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
