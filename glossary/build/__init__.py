"""Building the site from the entries: the cache, the worker processes and the site assembly.

`SiteBuild` is what the MkDocs plugin and the command line use; it holds no
MkDocs objects and touches the disk only through `Cache`.
"""

from __future__ import annotations

from .cache import Cache, default_folder, library_digest
from .site import VERIFY_POINTS, SiteBuild
from .workers import Job, preload_in_background, run_jobs

__all__ = [
    "VERIFY_POINTS",
    "Cache",
    "Job",
    "SiteBuild",
    "default_folder",
    "library_digest",
    "preload_in_background",
    "run_jobs",
]
