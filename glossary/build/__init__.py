"""Building the site from the entries: the cache, the worker processes, the site assembly
and the snapshot of the last build's pages.

`SiteBuild` is what the MkDocs plugin and the command line use; it holds no
MkDocs objects and touches the disk only through `Cache` and `Snapshot`. The
modules are imported on first use: a build whose inputs have not changed reads
the snapshot and never loads the derivation machinery.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "VERIFY_POINTS": "site",
    "SiteBuild": "site",
    "Cache": "cache",
    "library_digest": "cache",
    "default_folder": "snapshot",
    "Snapshot": "snapshot",
    "Job": "workers",
    "preload_in_background": "workers",
    "run_jobs": "workers",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
