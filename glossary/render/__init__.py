"""Rendering: verified entry results to Markdown pages (`glossary.render.pages`), math typeset by
KaTeX at build time (`glossary.render.katex`), the term index and notation table
(`glossary.render.search`) and the concept map (`glossary.render.concept_map`).

The page renderer is imported on first use, so that a build whose pages come from the
cache (and the KaTeX step of every build) does not load the entry model and its validators.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LANGUAGES", "EntryResult", "Renderer", "capitalise", "display_blocks", "relations", "term_path"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(".pages", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
