"""Math typeset at build time: KaTeX under Node, cached, so pages need no JavaScript to show math.

pymdownx.arithmatex (generic mode) leaves math in the HTML as ``\\(…\\)`` inside
``<span class="arithmatex">`` and ``\\[…\\]`` inside ``<div class="arithmatex">``.
`Katex.page` replaces each with KaTeX's HTML (the visual rendering plus MathML for
screen readers, whose ``<annotation>`` keeps the TeX source for "copy LaTeX").

Rendering is cached by a hash of (TeX, display mode, KaTeX version) in one JSON
file per KaTeX version under the cache folder, written to a temporary name and
renamed; a warm build finds every formula there and starts no Node process. On
a miss, one Node process (``katex_render.js`` beside this file) serves the whole
build, one batch per page.

`plain_text` turns the MathML of a formula into readable text (``λ₁ = 334/45 ≈
7.42``) for the places that cannot show typeset math: the search index and
plain-text titles.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import GlossaryError
from ..limits import Child, start_child

__all__ = ["MATH", "Katex", "normalise", "plain_text"]

SCRIPT = Path(__file__).resolve().with_name("katex_render.js")
#: The math pymdownx.arithmatex (generic mode) writes into a page: where each formula starts, and
#: what ends it (found with str.find, which is faster than one regular expression over the page).
MATH = re.compile(r'<(span|div) class="arithmatex">\\[(\[]')
_END = {"span": "\\)</span>", "div": "\\]</div>"}
#: Seconds one page's batch may take in Node before the build gives up.
NODE_SECONDS = 120
#: Raise when `plain_text` changes: the cache's texts are then made again from its HTML (no Node).
TEXT_FORMAT = 1


# A page repeats its formulas (4,163 formulas on the site, 1,212 different): the pure steps from a
# formula's TeX to its cache key are remembered for the process.
@functools.lru_cache(maxsize=8192)
def normalise(tex: str) -> str:
    """TeX as a cache key: HTML entities decoded, runs of white space made one space (TeX's own rule)."""
    return " ".join(html.unescape(tex).split())


@functools.lru_cache(maxsize=8192)
def _key(tex: str, display: bool, version: str) -> str:
    return hashlib.sha256(f"{version}\x00{'display' if display else 'inline'}\x00{tex}".encode()).hexdigest()


# What KaTeX writes when asked as this project asks (trust: false): these elements and attributes, quoted
# values without markup, and text. Cached markup is inserted into pages after their HTML was scanned, so
# anything else in the cache file (a damaged or foreign file) is typeset again instead of being used.
_KATEX_TAGS = (
    "annotation|g|line|math|menclose|merror|mfrac|mi|mmultiscripts|mn|mo|mover|mpadded|mphantom|mprescripts|"
    "mroot|mrow|ms|mspace|msqrt|mstyle|msub|msubsup|msup|mtable|mtd|mtext|mtr|munder|munderover|none|path|"
    "rect|semantics|span|svg"
)
_KATEX_ATTRIBUTES = (
    "accent|accentunder|aria-hidden|class|columnalign|columnlines|columnspacing|d|depth|display|displaystyle|"
    "encoding|fence|height|largeop|linebreak|linethickness|lspace|mathbackground|mathcolor|mathsize|mathvariant|"
    "maxsize|minsize|movablelimits|notation|preserveAspectRatio|rowalign|rowlines|rowspacing|rspace|rx|ry|"
    "scriptlevel|separator|stretchy|style|symmetric|viewBox|voffset|width|x|x1|x2|xmlns|y|y1|y2"
)


@functools.cache
def _katex_markup() -> re.Pattern[str]:
    """The grammar, compiled where it is used: in the child that checks the cache, off the build's path."""
    return re.compile(
        rf'(?:[^<]++|<(?:{_KATEX_TAGS})(?:\s(?:{_KATEX_ATTRIBUTES})="[^"<>]*+")*+\s*/?>|</(?:{_KATEX_TAGS})>)*+'
    )


_LOADS_OR_RUNS = ("url(", "expression(", "javascript:", "vbscript:")  # looked for in the lower-cased markup


def katex_markup_ok(markup: str) -> bool:
    """Whether ``markup`` is made only of what KaTeX writes.

    >>> katex_markup_ok('<span class="katex"><math><mi>x</mi></math></span>')
    True
    >>> katex_markup_ok('<span class="katex" onmouseover="alert(1)">x</span>')
    False
    """
    if _katex_markup().fullmatch(markup) is None:
        return False
    lowered = markup.lower()
    return not any(text in lowered for text in _LOADS_OR_RUNS)


def _items(raw: bytes, version: str) -> tuple[dict[str, list[str]], object] | None:
    """The well-formed entries of a cache file of this KaTeX version and the file's text format, or None."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("katex") != version or not isinstance(data.get("items"), dict):
        return None
    items = {
        k: v
        for k, v in data["items"].items()
        if isinstance(v, list) and len(v) == 2 and all(isinstance(s, str) for s in v)
    }
    return items, data.get("text")


def _foreign(items: dict[str, list[str]]) -> list[str]:
    return [key for key, (markup, _) in items.items() if not katex_markup_ok(markup)]


def foreign_markup(raw: bytes, version: str) -> list[str]:
    """The keys of a cache file whose markup is not KaTeX's (run in a child by `Katex.check_in_background`)."""
    items, _ = _items(raw, version) or ({}, None)
    return _foreign(items)


class Katex:
    """Renders TeX through a cache and, for what the cache lacks, one Node process per build."""

    def __init__(
        self,
        katex_dir: Path,
        cache_folder: Path | None,
        *,
        node: str | None = None,
        warn: Callable[[str], None] = lambda message: None,
        note: Callable[[str], None] | None = None,
    ) -> None:
        self.katex_dir = Path(katex_dir)
        #: For what the build repairs by itself (a damaged cache): said, without stopping a strict build.
        self.note = note or warn
        self.version = self._version()
        self.store_path = None if cache_folder is None else Path(cache_folder) / "katex" / f"katex-{self.version}.json"
        self.node = node
        self.warn = warn
        self._store: dict[str, list[str]] | None = None  # key → [html, plain text]
        self._used: set[str] = set()
        self._dirty = False
        self._process: subprocess.Popen | None = None
        self._raw: bytes | None = None  # the cache file's bytes, read early by `check_in_background`
        self._checker: Child | None = None
        self.rendered = 0  # formulas Node rendered in this build
        self.node_seconds = 0.0

    def _version(self) -> str:
        manifest = self.katex_dir.parent / "package.json"
        try:
            version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, TypeError):
            raise GlossaryError(f"KaTeX not found at {self.katex_dir}: run `npm ci` (or `make site`) first") from None
        if not (self.katex_dir / "katex.js").is_file() or not (self.katex_dir / "katex.min.css").is_file():
            raise GlossaryError(f"KaTeX at {self.katex_dir} is incomplete: run `npm ci` (or `make site`) again")
        return str(version)

    # -- the cache -----------------------------------------------------------------------------
    def check_in_background(self) -> None:
        """Read the cache file now and check its markup in a child process, on another core, while the
        build goes on; the first formula typeset waits for the verdict (see `_load`)."""
        if self._store is not None or self._raw is not None or self.store_path is None:
            return
        try:
            self._raw = self.store_path.read_bytes()
        except OSError:
            return
        with contextlib.suppress(OSError):
            # The child checks the very bytes this process will use.
            self._checker = start_child(foreign_markup, self._raw, self.version)

    def _verdict(self, items: dict[str, list[str]]) -> list[str] | None:
        """The keys of cached markup that is not KaTeX's: the background check's verdict on the same
        bytes, or checked here if none was started. None if the check itself failed."""
        checker, self._checker = self._checker, None
        if checker is None:
            return _foreign(items)
        try:
            outcome = checker.wait(time.monotonic() + NODE_SECONDS)
        finally:
            checker.kill()
        return outcome[1] if outcome is not None and outcome[0] == "ok" else None

    def _load(self) -> dict[str, list[str]]:
        if self._store is None:
            self._store = {}
            raw, self._raw = self._raw, None
            if raw is None and self.store_path is not None:
                with contextlib.suppress(OSError):
                    raw = self.store_path.read_bytes()
            items, text_format = (_items(raw, self.version) if raw is not None else None) or ({}, None)
            verdict = self._verdict(items)  # also ends a background check of a file with nothing usable
            if items:
                foreign = set(items) if verdict is None else set(verdict)
                kept = {k: v for k, v in items.items() if k not in foreign}
                if len(kept) < len(items):
                    self.note(
                        f"the KaTeX cache {self.store_path} held {len(items) - len(kept)} formulas that are not "
                        "KaTeX's markup; they are typeset again"
                    )
                    self._dirty = True
                self._store = kept
                if text_format != TEXT_FORMAT:
                    self._store = {k: [v[0], plain_text(v[0])] for k, v in self._store.items()}
                    self._dirty = True
        return self._store

    def save(self) -> None:
        """Write the cache if this build added to it or left some of it unused (it holds exactly what
        the last build used); a reader sees the old file or the new one, never half of either."""
        store = self._load()
        stale = set(store) - self._used
        if self.store_path is None or not (self._dirty or (stale and self._used)):
            self._used = set()
            return
        keep = {key: store[key] for key in sorted(self._used) if key in store}
        text = json.dumps(
            {"katex": self.version, "text": TEXT_FORMAT, "items": keep}, ensure_ascii=False, separators=(",", ":")
        )
        try:
            self.store_path.parent.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.store_path.parent, prefix=".tmp-", suffix=".json", delete=False
            )
            with handle:
                handle.write(text)
            os.replace(handle.name, self.store_path)
        except OSError as error:
            self.warn(f"the KaTeX cache {self.store_path} cannot be written ({error.strerror or error})")
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(handle.name)
        self._store = keep
        self._dirty = False
        self._used = set()

    # -- rendering -----------------------------------------------------------------------------
    def render(self, items: Iterable[tuple[str, bool]], where: str = "") -> list[tuple[str, str]]:
        """``[(html, plain text)]`` for ``[(tex, display)]``; TeX is taken as it is (see `normalise`)."""
        items = list(items)
        store = self._load()
        keys = [_key(tex, display, self.version) for tex, display in items]
        missing: dict[str, tuple[str, bool]] = {}
        for key, item in zip(keys, items, strict=True):
            if key not in store:
                missing.setdefault(key, item)
        if missing:
            rendered = self._node([{"tex": tex, "display": display} for tex, display in missing.values()], where)
            for key, markup in zip(missing, rendered, strict=True):
                store[key] = [markup, plain_text(markup)]
            self._dirty = True
        self._used.update(keys)
        return [(store[key][0], store[key][1]) for key in keys]

    def start_early(self) -> None:
        """Start Node now, for a build that will make pages: it loads KaTeX on another core while the
        build goes on. Any problem is left for the first formula to report."""
        with contextlib.suppress(GlossaryError, OSError):
            self._start()

    def _start(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            node = self.node or shutil.which("node") or shutil.which("nodejs")
            if node is None:
                raise GlossaryError("Node.js is needed to typeset the math at build time: install `nodejs`")
            self._process = subprocess.Popen(
                [node, str(SCRIPT), str(self.katex_dir)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        return self._process

    def _node(self, items: list[dict], where: str) -> list[str]:
        started = time.perf_counter()
        process = self._start()
        try:
            process.stdin.write(json.dumps({"items": items}, ensure_ascii=False) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], NODE_SECONDS)
            line = process.stdout.readline() if ready else ""
        except OSError:
            line = ""
        if not line:
            problem = "took too long" if process.poll() is None else (process.stderr.read() or "").strip()[-500:]
            self.close()
            raise GlossaryError(f"KaTeX (Node) failed while typesetting {where or 'a page'}: {problem}")
        reply = json.loads(line)
        if "failure" in reply:
            raise GlossaryError(f"KaTeX (Node) failed while typesetting {where or 'a page'}: {reply['failure']}")
        for message in reply.get("warnings", []):
            self.warn(f"KaTeX in {where or 'a page'}: {message}")
        markups = []
        for item, result in zip(items, reply["results"], strict=True):
            if "error" in result:
                raise GlossaryError(f"{where or 'a page'}: {result['error']} (in {item['tex'][:200]!r})")
            markups.append(result["html"])
        self.rendered += len(items)
        self.node_seconds += time.perf_counter() - started
        return markups

    def close(self) -> None:
        """Stop the Node process and the background check, if they were started."""
        checker, self._checker = self._checker, None
        if checker is not None:
            checker.kill()
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    # -- pages ---------------------------------------------------------------------------------
    def page(
        self,
        output: str,
        where: str = "",
        decorate: Callable[[str], str] | None = None,
        localise: Callable[[str], str] | None = None,
    ) -> str:
        """The page with every arithmatex formula typeset; ``decorate`` wraps each display formula's HTML,
        ``localise`` rewrites each formula's TeX for the page's language first (`korean_tex`)."""
        if 'class="arithmatex">' not in output:
            return output
        found: list[tuple[int, int, str, bool]] = []  # start, end, TeX, display
        for match in MATH.finditer(output):
            end = output.find(_END[match.group(1)], match.end())
            if end < 0:
                continue
            found.append((match.start(), end + len(_END[match.group(1)]), output[match.end() : end], match[1] == "div"))
        if not found:
            return output
        shown = [(normalise(tex), display) for _, _, tex, display in found]
        if localise is not None:
            shown = [(localise(tex), display) for tex, display in shown]
        rendered = self.render(shown, where)
        pieces: list[str] = []
        last = 0
        for (start, end, _, display), (markup, _) in zip(found, rendered, strict=True):
            pieces.append(output[last:start])
            if display:
                block = f'<div class="arithmatex">{markup}</div>'
                pieces.append(decorate(block) if decorate else block)
            else:
                pieces.append(f'<span class="arithmatex">{markup}</span>')
            last = end
        pieces.append(output[last:])
        return "".join(pieces)

    def text(self, tex: str, display: bool, where: str = "") -> str:
        """Readable plain text of a formula (rendered, and cached, like any other)."""
        return self.render([(normalise(tex), display)], where)[0][1]


_FOR = re.compile(r"\\text\{for\}\\:\s*")


@functools.lru_cache(maxsize=8192)
def korean_tex(tex: str) -> str:
    r"""SymPy's English words in cases, for a Korean page: the condition stands alone, as Korean
    textbooks write it, and "otherwise" becomes 그 외.

    >>> print(korean_tex(r"\begin{cases} 1 & \text{for}\: x > 0 \\0 & \text{otherwise} \end{cases}"))
    \begin{cases} 1 & x > 0 \\0 & \text{그 외} \end{cases}
    """
    return _FOR.sub("", tex).replace(r"\text{otherwise}", r"\text{그 외}")


# -- MathML to plain text -----------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("0123456789+-−=()niT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "‾": "\u0304", "¯": "\u0304", "ˉ": "\u0304", "~": "\u0303", "˙": "\u0307"}
_SPACED = set("=≈<>≤≥≠→←↦∈+−±×·⋅∗⊙") | {"≡", "∼", ":="}
_MATHML = "{http://www.w3.org/1998/Math/MathML}"


def _script(text: str, table: dict, mark: str) -> str:
    text = text.replace(" ", "")
    converted = text.translate(table)
    if all(a != b for a, b in zip(text, converted, strict=True)) and text:
        return converted
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


_OPERATORS = re.compile(r"[\s+−\-±=<>/,;·⋅×∗]")


def _atomic(text: str) -> bool:
    return not _OPERATORS.search(text) or (text[0] in "([{|" and text[-1] in ")]}|")


def _grouped(text: str) -> str:
    return text if _atomic(text) else f"({text})"


def _text(node: ElementTree.Element) -> str:
    tag = node.tag.removeprefix(_MATHML)
    children = list(node)
    if tag == "annotation":
        return ""
    if tag == "semantics":
        return _text(children[0]) if children else ""
    if tag in ("mi", "mn", "mtext", "ms"):
        return (node.text or "").replace("\u00a0", " ")
    if tag == "mo":
        symbol = (node.text or "").strip()
        if symbol == "\u2061":  # function application
            return ""
        return f" {symbol} " if symbol in _SPACED else ("," + " " if symbol == "," else symbol)
    if tag == "mfrac" and len(children) == 2:
        # d/dx f(x): a space keeps the fraction apart from what follows it
        return f"{_grouped(_text(children[0]).strip())}/{_grouped(_text(children[1]).strip())} "
    if tag == "mspace":
        return " "
    if tag == "mphantom":
        return ""
    parts = [_text(child) for child in children]
    if tag in ("mrow", "mstyle", "mpadded", "math"):
        # A sign with nothing before it, or after an operator or an opening bracket, is unary: −1, not − 1.
        for index, child in enumerate(children):
            if child.tag.removeprefix(_MATHML) == "mo" and parts[index].strip() in ("−", "+", "±"):
                before = children[index - 1] if index else None
                if before is None or (
                    before.tag.removeprefix(_MATHML) == "mo" and parts[index - 1].strip() not in (")", "]", "}", "|")
                ):
                    parts[index] = parts[index].strip()
    if tag == "msqrt":
        inner = "".join(parts).strip()
        return f"√{_grouped(inner)}"
    if tag == "mroot" and len(parts) == 2:
        return f"{parts[1]}√{_grouped(parts[0].strip())}"
    if tag == "msup" and len(parts) == 2:
        return parts[0] + _script(parts[1].strip(), _SUPERSCRIPT, "^")
    if tag == "msub" and len(parts) == 2:
        return parts[0] + _script(parts[1].strip(), _SUBSCRIPT, "_")
    if tag == "msubsup" and len(parts) == 3:
        return parts[0] + _script(parts[1].strip(), _SUBSCRIPT, "_") + _script(parts[2].strip(), _SUPERSCRIPT, "^")
    if tag == "mover" and len(parts) == 2:
        accent = _ACCENTS.get(parts[1].strip())
        if accent and len(parts[0].strip()) == 1:
            return parts[0].strip() + accent
        return parts[0] + _script(parts[1].strip(), _SUPERSCRIPT, "^")
    if tag == "munder" and len(parts) == 2:
        return parts[0] + _script(parts[1].strip(), _SUBSCRIPT, "_")
    if tag == "munderover" and len(parts) == 3:
        return parts[0] + _script(parts[1].strip(), _SUBSCRIPT, "_") + _script(parts[2].strip(), _SUPERSCRIPT, "^")
    if tag == "mtable":
        return "; ".join(part.strip() for part in parts if part.strip())
    if tag == "mtr":
        return " ".join(part.strip() for part in parts if part.strip())
    return "".join(parts)


_MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.DOTALL)


def plain_text(markup: str) -> str:
    """Readable text of KaTeX's output, from its MathML: ``λ₁ = 334/45 ≈ 7.42``.

    >>> plain_text('<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><msub><mi>λ</mi>'
    ...            '<mn>1</mn></msub><mo>=</mo><mfrac><mn>334</mn><mn>45</mn></mfrac></mrow>'
    ...            '<annotation encoding="application/x-tex">x</annotation></semantics></math>')
    'λ₁ = 334/45'
    """
    found = _MATH_ELEMENT.search(markup)
    if found is None:
        return ""
    try:
        root = ElementTree.fromstring(found.group(0).replace("&nbsp;", "\u00a0"))
    except ElementTree.ParseError:
        return html.unescape(re.sub(r"<annotation\b.*?</annotation>|<[^>]+>", "", found.group(0)))
    text = _text(root)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([),;])", r"\1", text))
