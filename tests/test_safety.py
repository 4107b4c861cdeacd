"""The last HTML check: what a browser would run is found, and ordinary page HTML passes.

The generated fragments know what they contain (the oracle is the generator's own
record of what it inserted), and the scanner must find exactly that.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glossary.build.safety import unsafe_html

# <frame> is left out: in a page body a browser drops it, as the parser here does.
RUNNING = ["script", "iframe", "object", "embed", "base", "form", "meta", "link", "applet"]
HARMLESS = ["p", "span", "div", "a", "img", "em", "code", "table", "svg", "path", "button"]


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=x></SCRIPT>",
        "<svg><script>alert(1)</script></svg>",
        "<p>text<iframe src=x></iframe></p>",
        "<img src=x OnError=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="  JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="java\nscript:alert(1)">x</a>',
        '<a href="&#1;javascript:alert(1)">x</a>',
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        '<object data="data:text/html,&lt;script&gt;">',
        '<div style="background: url(x)">x</div>',
        "<details open ontoggle=alert(1)>",
        "<base href=//evil.example/>",
        "<math><a href=vbscript:x>x</a></math>",
    ],
)
def test_what_could_run_is_found(fragment):
    assert unsafe_html(fragment) is not None


@pytest.mark.parametrize(
    "fragment",
    [
        "",
        "<p>plain text with &lt;script&gt; written as text</p>",
        '<span class="katex"><span style="height:1.2em;vertical-align:-0.25em;"></span></span>',
        '<a href="../sigmoid/#derivative" title="onerror=1">link</a>',
        '<img src="plot.svg" alt="javascript: in the alt text is only text">',
        "<pre><code>&lt;iframe src=x&gt;</code></pre>",
        '<p data-note="javascript:x">a data- attribute is not a URL</p>',
    ],
)
def test_ordinary_page_html_passes(fragment):
    assert unsafe_html(fragment) is None


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@st.composite
def fragments(draw):
    """A fragment of nested harmless elements, with at most one runnable thing put in on purpose."""
    parts, planted = [], None
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(st.sampled_from(HARMLESS))
        value = html.escape(draw(_text), quote=True)
        parts.append(f'<{tag} class="{value}" title="{value}">{html.escape(draw(_text))}</{tag}>')
    kind = draw(st.sampled_from(["none", "tag", "handler", "link"]))
    if kind == "tag":
        planted = f"<{draw(st.sampled_from(RUNNING))}>"
    elif kind == "handler":
        planted = f"<{draw(st.sampled_from(HARMLESS))} on{draw(st.sampled_from(['click', 'load', 'error']))}=x>"
    elif kind == "link":
        scheme = draw(st.sampled_from(["javascript", "JavaScript", "vbscript", "java\tscript"]))
        planted = f'<a href="{html.escape(scheme)}:alert(1)">x</a>'
    if planted:
        parts.insert(draw(st.integers(0, len(parts))), planted)
    return "".join(parts), planted is not None


@settings(max_examples=300, deadline=None)
@given(fragments())
def test_the_scanner_finds_exactly_what_was_planted(case):
    fragment, planted = case
    assert (unsafe_html(fragment) is not None) == planted
