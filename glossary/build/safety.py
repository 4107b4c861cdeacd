"""A last check on every page's HTML: nothing from an entry may run in a reader's browser.

Entry text is escaped and its prose is a checked Markdown subset long before
this point; this pass is the defence behind those, on the HTML MkDocs made of
each page's Markdown (before the theme adds the site's own scripts). A tag that
runs or loads something, an event-handler attribute or a ``javascript:`` link
stops the build with the page named.

The HTML is parsed by lexbor (through selectolax), a parser that follows the
HTML standard, so the elements and attributes checked here are the ones a
browser would build from the same text, and it reads a page in a few
milliseconds.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["unsafe_html"]

_RUNNING_TAGS = {"script", "iframe", "object", "embed", "base", "form", "meta", "link", "frame", "frameset", "applet"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
# Browsers drop tabs and line breaks anywhere in a URL and leading controls and spaces,
# so "java\tscript:" is a javascript: link.
_URL_IGNORED = re.compile(r"[\t\n\r]|^[\x00-\x20]+")
_BAD_SCHEME = re.compile(r"(javascript|vbscript|data\s*:\s*text/html)", re.I)
_BAD_STYLE = re.compile(r"expression\(|javascript:|url\(", re.I)


def _problem(tag: str, attributes: dict[str, str | None]) -> str | None:
    if tag in _RUNNING_TAGS:
        return f"a <{tag}> element"
    for name, value in attributes.items():
        if name.startswith("on"):
            return f"an event handler attribute {name}= on <{tag}>"
        if name in _URL_ATTRIBUTES and value and _BAD_SCHEME.match(_URL_IGNORED.sub("", value)):
            return f"a {_URL_IGNORED.sub('', value).split(':')[0]}: link on <{tag}>"
        if name == "style" and value and _BAD_STYLE.search(value):
            return f"a style that loads or runs something on <{tag}>"
    return None


def unsafe_html(html: str) -> str | None:
    """What in ``html`` could run in a browser, or None.

    Examples:
        >>> unsafe_html('<p>safe <a href="../x/">link</a></p>') is None
        True
        >>> unsafe_html('<img src=x onerror="alert(1)">')
        'an event handler attribute onerror= on <img>'
        >>> unsafe_html('<a href="java&#x09;script:alert(1)">x</a>')
        'a javascript: link on <a>'
    """
    for node in LexborHTMLParser(html).root.traverse(include_text=False):
        problem = _problem(node.tag, node.attributes)
        if problem:
            return problem
    return None
