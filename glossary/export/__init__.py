"""The glossary to take away: one PDF and one Anki deck per language.

`Source` gathers one language of the derived glossary (the same derivations,
limits and templates as the site); `write_pdf` prints it with headless
Chromium, `write_deck` packs it as an Anki deck with genanki.
"""

from __future__ import annotations

__all__ = ["Source", "write_deck", "write_pdf"]


def __getattr__(name: str):
    # Loaded on first use: the printing process imports this package and must not load SymPy.
    if name == "Source":
        from .source import Source

        return Source
    raise AttributeError(name)


def write_pdf(*args, **kwargs):
    from .pdf import write_pdf as write

    return write(*args, **kwargs)


def write_deck(*args, **kwargs):
    from .anki import write_deck as write

    return write(*args, **kwargs)
