"""Chromium printing the book: run as its own process by `glossary.export.pdf`.

``python -m glossary.export.printer BOOK.html OUT.pdf CHROMIUM`` loads the book,
lets KaTeX typeset it (what is already typeset is left alone), fits wide formulas
to the column, prints, reads on which page each contents target landed (Chromium
writes a named destination for every link target), fills in the page numbers
and prints again. On success it writes the PDF and prints one line of JSON with
what it did; on failure one line ``error: …`` on stderr and exit status 1.

Why a process of its own, in a session of its own: Ctrl-C at the terminal goes to
every process of the foreground group, and Playwright's driver dies of it in the
middle of a call. Out of that group, the printing is stopped only by the command
that started it, which then ends in one line with exit status 130; and the
command can bound the printing's time and stop it whole.

Only Playwright and pypdf are imported here (never SymPy), so the process starts
quickly.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["COLUMN_PX", "FLAGS", "TIMEOUT_MS", "PrintError", "main", "print_book"]

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: The width of the printed column (A4 less the margins of print.css) in CSS pixels, so that
#: formulas are measured at the width they are printed.
COLUMN_PX = round((210 - 2 * 18) / 25.4 * 96)
#: Milliseconds Chromium may take for one step: loading the book, typesetting it, one printing.
TIMEOUT_MS = 180_000


class PrintError(Exception):
    """What went wrong, in one line."""


def print_book(book: Path, chromium: str) -> tuple[bytes, dict[str, Any]]:
    """The PDF of ``book`` and the facts of its printing."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PrintError("the PDF is printed by Playwright, which is not installed: pip install playwright") from None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
            try:
                return _print_with(browser, book)
            finally:
                browser.close()
    except PlaywrightError as error:
        first = str(error.message if hasattr(error, "message") else error).strip().splitlines()
        raise PrintError(f"Chromium could not print the book: {first[0] if first else error}") from None


def _print_with(browser, book: Path) -> tuple[bytes, dict[str, Any]]:
    clock = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - clock
        clock = now

    page = browser.new_page(viewport={"width": COLUMN_PX, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def offline(route) -> None:
        # Everything the book needs is a local file; nothing may be fetched.
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.emulate_media(media="print", color_scheme="light")
    page.goto(book.as_uri(), wait_until="load")
    lap("load")
    if not page.evaluate("() => typeof katex === 'object' && typeof window.glossaryPrint === 'object'"):
        raise PrintError("KaTeX or the print script did not load in Chromium")
    typeset = page.evaluate("() => window.glossaryPrint.typeset()")
    if typeset["errors"]:
        raise PrintError(f"KaTeX could not typeset {len(typeset['errors'])} formulas, e.g. {typeset['errors'][0]}")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    fitted = page.evaluate("() => window.glossaryPrint.fit()")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    lap("typeset")
    if outside:
        raise PrintError(f"the book asked for {outside[0]}; it must print from local files only")

    options = {"prefer_css_page_size": True, "print_background": True, "outline": True, "tagged": True}
    numbers: dict[str, int] = {}
    for _ in range(3):
        missing = page.evaluate("(pages) => window.glossaryPrint.number(pages)", numbers)
        data = page.pdf(**options)
        lap("print")
        found, count = _destinations(data)
        lap("contents")
        if found == numbers and not missing:
            break
        numbers = found
    return data, {
        "pages": count,
        "formulas": typeset["formulas"],
        "shrunk": fitted["shrunk"],
        "broken": fitted["broken"],
        "phases": phases,
    }


def _destinations(data: bytes) -> tuple[dict[str, int], int]:
    """Named destinations of a PDF Chromium printed (one per link target) → page numbers from 1."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        if number is not None and number >= 0:
            pages[name.lstrip("/")] = number + 1
    return pages, len(reader.pages)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("error: usage: python -m glossary.export.printer BOOK.html OUT.pdf CHROMIUM", file=sys.stderr)
        return 2
    book, out, chromium = Path(argv[0]), Path(argv[1]), argv[2]
    try:
        data, facts = print_book(book, chromium)
        out.write_bytes(data)
    except PrintError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {out}: {error.strerror}", file=sys.stderr)
        return 1
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
