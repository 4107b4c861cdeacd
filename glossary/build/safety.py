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

__all__ = ["check_svg", "unsafe_html"]

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


# SVG files (the plots) are checked as text, on their bytes lower-cased: HTML and XML fold only ASCII
# letters, and bytes.lower() folds exactly those, several times faster than str.lower() on text with
# Hangul. Each pattern starts with a literal, which the regular-expression engine finds fast.
_SVG_REFUSED = (
    re.compile(rb"<\s*(script|foreignobject|iframe|object|embed|image|a|animate|set)\b"),
    # "href" also finds "xlink:href"; a pattern that starts with an optional group would not start with a literal.
    re.compile(rb"href\s*=\s*(?![\"']?#)"),
)
_SVG_REFUSED_TEXT = (b"javascript:", b"data:text/html")
_SVG_HANDLER = re.compile(rb"on[a-z]+\s*=")
# What may stand before an attribute's name: white space, the slash of <svg/onload=…>, or the quote
# that closed the previous value (a browser's HTML parser reads <a x="1"onclick=…> as two attributes).
_SVG_BEFORE_ATTRIBUTE = frozenset(b" \t\n\r\f\v/\"'")


def check_svg(svg: str) -> bool:
    """Whether an SVG string is a plain drawing: no scripts, event handlers or outside references.

    Examples:
        >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>')
        True
        >>> check_svg('<svg onload="alert(1)"></svg>')
        False
        >>> check_svg('<svg/onload="alert(1)"></svg>')
        False
    """
    if not (isinstance(svg, str) and svg.lstrip().startswith(("<?xml", "<svg"))):
        return False
    low = svg.encode("utf-8", "surrogatepass").lower()
    if any(text in low for text in _SVG_REFUSED_TEXT) or any(p.search(low) for p in _SVG_REFUSED):
        return False
    # The literal "on" is found fast; what stands before it tells an attribute from a word such as "lone=".
    return not any(low[match.start() - 1] in _SVG_BEFORE_ATTRIBUTE for match in _SVG_HANDLER.finditer(low, 1))
