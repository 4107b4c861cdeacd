"""The last build's pages, kept with a digest of everything they were made from.

Rendering is a pure function of the entry files' bytes, the templates' bytes,
the package's source, the versions of the libraries it calls and the points of
the numeric check. `inputs_digest` hashes all of these; a build whose digest
equals the stored one takes its navigation and pages from here, without
loading, checking or rendering any entry (and without importing the code that
would). Any difference in any byte is a different digest, and the pages are
made again from the entries and the record cache.

The file is checked like the record cache: read with a size bound, parsed as
JSON, its key compared, every path a plain relative path of the site's own
kinds, every plot free of scripts. A file that fails is removed and the pages
are made again. The HTML MkDocs builds from these pages still goes through the
plugin's last safety scan, as on every build.

Beyond the standard library, only the entry files' reader and the safety checks are
imported here: a build served from this file imports no mathematics.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..content.loader import entry_files, read_bounded
from ..errors import GlossaryError
from .safety import check_svg

__all__ = ["Snapshot", "current_digest", "default_folder", "inputs_digest", "remove", "write_atomically"]

PACKAGE = Path(__file__).resolve().parent.parent
FORMAT = 1
MAX_BYTES = 64 * 1024 * 1024
#: Libraries whose versions the pages depend on: the mathematics (through the records) and the rendering.
VERSIONS = ("sympy", "numpy", "scipy", "matplotlib", "mpmath", "jinja2", "pyyaml", "pydantic")
_PATH = re.compile(r"^(?!.*(?:^|/)\.)[A-Za-z0-9_][A-Za-z0-9_./-]*\.(md|svg|json)$")
_PACKAGE_DIGEST: str | None = None


def default_folder(project_root: Path, configured: str | None = None) -> Path:
    """``$GLOSSARY_CACHE``, else the configured folder, else ``.cache/glossary/derived``."""
    from_environment = os.environ.get("GLOSSARY_CACHE", "").strip()
    if from_environment:
        return Path(from_environment).expanduser()
    if configured:
        return (project_root / configured).resolve()
    return project_root / ".cache" / "glossary" / "derived"


def _package_digest() -> str:
    """Every file of the package (the code that is running was read from these) and the library versions.

    Computed once per process, as the code in memory is loaded once.
    """
    global _PACKAGE_DIGEST
    if _PACKAGE_DIGEST is None:
        digest = hashlib.sha256()
        for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        for name in VERSIONS:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        _PACKAGE_DIGEST = digest.hexdigest()
    return _PACKAGE_DIGEST


def folder_digests(folder: Path) -> list[tuple[str, str]]:
    """``(relative path, SHA-256 of its bytes)`` for every file below ``folder``, sorted."""
    return sorted(
        (path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in folder.rglob("*")
        if path.is_file()
    )


def entry_digests(entries_dir: Path) -> list[tuple[str, str]]:
    """``(file name, SHA-256 of its bytes)`` of the entry files, read as the loader reads them."""
    return [(path.name, hashlib.sha256(read_bounded(path)).hexdigest()) for path in entry_files(entries_dir)]


def inputs_digest(entries: Iterable[tuple[str, str]], templates: Iterable[tuple[str, str]], points: int) -> str:
    """The digest of everything the pages are made from; ``entries`` and ``templates`` from the functions above."""
    text = json.dumps(
        {
            "format": FORMAT,
            "package": _package_digest(),
            "points": points,
            "entries": list(entries),
            "templates": list(templates),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_digest(entries_dir: Path, templates_dir: Path, points: int) -> str | None:
    """The digest of the inputs as they are on disk now, or None if an entry cannot be read
    (the full build then reports the problem with the file named)."""
    try:
        return inputs_digest(entry_digests(entries_dir), folder_digests(templates_dir), points)
    except (GlossaryError, OSError):
        return None


def _nav_ok(nav: Any) -> bool:
    if isinstance(nav, str):
        return bool(_PATH.match(nav)) and nav.endswith(".md")
    if isinstance(nav, list):
        return all(_nav_ok(item) for item in nav)
    if isinstance(nav, dict):
        return all(isinstance(title, str) and _nav_ok(items) for title, items in nav.items())
    return False


def _pages_ok(pages: Any) -> bool:
    if not isinstance(pages, dict):
        return False
    for path, text in pages.items():
        if not (isinstance(path, str) and isinstance(text, str) and _PATH.match(path) and ".." not in path):
            return False
        if path.endswith(".svg") and not check_svg(text):
            return False
        if path.endswith(".json"):
            try:
                json.loads(text)
            except ValueError:
                return False
    return True


class Snapshot:
    """The navigation and pages of the last complete render, in one file of the cache folder."""

    def __init__(self, folder: Path | None) -> None:
        self.path = None if folder is None else Path(folder) / "site-pages.json"

    def read(self, key: str | None) -> tuple[list, dict[str, str]] | None:
        """``(nav, pages)`` stored under ``key``, or None (the file is removed if it is damaged)."""
        if self.path is None or key is None:
            return None
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError:
            self.discard()
            return None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            self.discard()
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("key"), str):
            self.discard()
            return None
        if data["key"] != key:
            return None  # the inputs changed: the pages are made again and this file replaced
        if len(raw) > MAX_BYTES or not _nav_ok(data.get("nav")) or not _pages_ok(data.get("pages")):
            self.discard()
            return None
        return data["nav"], data["pages"]

    def write(self, key: str, nav: list, pages: dict[str, str]) -> None:
        """Store the pages under ``key``: written to a temporary name, then renamed over the old file."""
        if self.path is not None:
            text = json.dumps({"format": FORMAT, "key": key, "nav": nav, "pages": pages}, ensure_ascii=False)
            write_atomically(self.path, text)

    def discard(self) -> None:
        if self.path is not None:
            remove(self.path)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary name beside ``path``, then rename it: a reader sees the old
    file or the new one, never half of either. A folder that cannot be written is left alone."""
    handle = None
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
        )
        with handle:
            handle.write(text)
        os.replace(handle.name, path)
    except OSError:
        if handle is not None:
            with contextlib.suppress(OSError):
                os.unlink(handle.name)


def remove(path: Path) -> None:
    """Remove a damaged cache file, or a folder someone put in its place."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
