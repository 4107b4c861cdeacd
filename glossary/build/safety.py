"""A last check on every page's HTML: nothing from an entry may run in a reader's browser.

Entry text is escaped and its prose is a checked Markdown subset long before
this point; this pass is the defence behind those, on the HTML MkDocs made of
each page's Markdown (before the theme adds the site's own scripts). A tag that
runs or loads something, an event-handler attribute or a ``javascript:`` link
stops the build with the page named.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["unsafe_html"]

_RUNNING_TAGS = {"script", "iframe", "object", "embed", "base", "form", "meta", "link", "frame", "frameset", "applet"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.I)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem:
            return
        if tag in _RUNNING_TAGS:
            self.problem = f"a <{tag}> element"
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.problem = f"an event handler attribute {name}= on <{tag}>"
                return
            if name in _URL_ATTRIBUTES and value and _BAD_SCHEME.match(value):
                self.problem = f"a {value.split(':')[0]}: link on <{tag}>"
                return
            if name == "style" and value and re.search(r"expression\(|javascript:|url\(", value, re.I):
                self.problem = f"a style that loads or runs something on <{tag}>"
                return

    handle_startendtag = handle_starttag


def unsafe_html(html: str) -> str | None:
    """What in ``html`` could run in a browser, or None.

    Examples:
        >>> unsafe_html('<p>safe <a href="../x/">link</a></p>') is None
        True
        >>> unsafe_html('<img src=x onerror="alert(1)">')
        'an event handler attribute onerror= on <img>'
    """
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problem
