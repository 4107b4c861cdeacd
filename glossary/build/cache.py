"""The cache of derived records: checked on read, written atomically, never trusted.

One JSON file per formula (and one per entry's misconceptions), named by a key
computed from everything the record depends on: the entry's parsed formula data
(read once, from the same bytes the worker derives from), the declared symbols,
the points of the check and the library's digest (its source and the versions
of SymPy, NumPy, SciPy and matplotlib). A file is used only if it parses, its
stored key and digest match, and every field passes the same validation as a
fresh record (a passed check within its tolerance, plots free of scripts). A
file that fails any of this is removed and derived again.

The folder is ``$GLOSSARY_CACHE``, the plugin's ``cache`` option, or
``.cache/glossary/derived`` beside the project. If it cannot be used (read-only,
a file in its place), the build says so in one line and uses a temporary folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..content.records import ClaimRecord, FormulaRecord
from .safety import check_svg
from .snapshot import remove, write_atomically

__all__ = ["Cache", "library_digest"]

PACKAGE = Path(__file__).resolve().parent.parent
_DIGEST: str | None = None


#: What a derived record depends on: the mathematics, the content layer that turns entries into
#: calls and records, and the plots. The edges (plugin, command line, export, rendering, the build
#: itself) are left out, so that editing them keeps the cache.
_DERIVING = (
    "_inputs.py",
    "derivation.py",
    "errors.py",
    "limits.py",
    "numeric.py",
    "plots.py",
    "report.py",
    "calculus.py",
    "linalg.py",
    "probability.py",
    "neural",
    "content",
)


def library_digest() -> str:
    """A hash of the source the records derive from and the versions their results depend on."""
    global _DIGEST
    if _DIGEST is None:
        digest = hashlib.sha256()
        sources = [
            path
            for name in _DERIVING
            for path in ([PACKAGE / name] if name.endswith(".py") else sorted((PACKAGE / name).rglob("*.py")))
        ]
        for source in sorted(sources):
            digest.update(source.relative_to(PACKAGE).as_posix().encode())
            digest.update(source.read_bytes())
        for name in ("sympy", "numpy", "scipy", "matplotlib", "mpmath"):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        _DIGEST = digest.hexdigest()
    return _DIGEST


def key_of(*parts: Any) -> str:
    """A stable hash of JSON-able parts (with the library digest always included)."""
    text = json.dumps([*parts, library_digest()], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _usable(folder: Path) -> str | None:
    """None if records can be written in ``folder``, else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "a file is in the way"
    except OSError as error:
        return error.strerror or str(error)
    if not folder.is_dir():
        return "it is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-", delete=True):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return None


class Cache:
    """Derived records on disk, validated on every read."""

    def __init__(self, folder: Path | None, warn: Callable[[str], None] = lambda message: None) -> None:
        self.folder: Path | None = None
        if folder is not None:
            problem = _usable(Path(folder))
            if problem is None:
                self.folder = Path(folder)
            else:
                fallback = Path(tempfile.gettempdir()) / f"glossary-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"
                second = _usable(fallback)
                self.folder = fallback if second is None else None
                where = f"using {fallback} instead" if second is None else "working without a cache"
                warn(f"the cache folder {folder} cannot be used ({problem}); {where}")
        self.rejected = 0

    # -- files ---------------------------------------------------------------------------------
    def _file(self, kind: str, name: str, key: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"{kind}--{name}--{key[:32]}.json"

    def _read(self, path: Path | None, key: str) -> Any | None:
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                raw = handle.read(8 * 1024 * 1024 + 1)
        except FileNotFoundError:
            return None
        except (IsADirectoryError, PermissionError, OSError):
            self._discard(path)
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("key") != key or data.get("library") != library_digest():
                raise ValueError("not a record of this key and library")
            return data["record"]
        except (ValueError, KeyError, TypeError, RecursionError):
            self._discard(path)
            return None

    def _discard(self, path: Path) -> None:
        self.rejected += 1
        remove(path)

    def _write(self, path: Path | None, key: str, record: Any) -> None:
        if path is not None:
            text = json.dumps({"key": key, "library": library_digest(), "record": record}, ensure_ascii=False)
            write_atomically(path, text)

    # -- records -------------------------------------------------------------------------------
    def formula(self, name: str, key: str) -> FormulaRecord | None:
        path = self._file("formula", name, key)
        data = self._read(path, key)
        if data is None:
            return None
        try:
            record = FormulaRecord.model_validate(data)
        except ValidationError:
            self._discard(path)
            return None
        if record.plot is not None and not all(check_svg(svg) for svg in record.plot.values()):
            self._discard(path)
            return None
        return record

    def store_formula(self, name: str, key: str, record: dict[str, Any]) -> None:
        self._write(self._file("formula", name, key), key, record)

    def claims(self, name: str, key: str) -> list[ClaimRecord] | None:
        path = self._file("claims", name, key)
        data = self._read(path, key)
        if data is None:
            return None
        try:
            if not isinstance(data, list):
                raise ValueError("claims must be a list")
            return [ClaimRecord.model_validate(item) for item in data]
        except (ValidationError, ValueError):
            self._discard(path)
            return None

    def store_claims(self, name: str, key: str, records: list[dict[str, Any]]) -> None:
        self._write(self._file("claims", name, key), key, records)
