"""Korean pages read as a Korean lecturer writes: particles attached, and no English left in the boxes.

A particle, copula or counter attaches directly to the symbol, number, Latin word, closing
bracket, inline code or inline math before it (0으로, tanh는, C(n, k)가지, 정규화(규제)는).
The check runs on the built HTML, outside code and display math; inline code and math are
replaced by a placeholder so that the particle after them is still checked.
"""

from __future__ import annotations

import html.parser
import re
import unicodedata
from pathlib import Path

import pytest

# What may end a symbol, number, Latin word or bracket: the left side of the forbidden space.
PREVIOUS = (
    r"(?:[0-9A-Za-z"
    r"\u0370-\u03FF"  # Greek
    r"\u2070-\u209F\u1D2C-\u1DBF\u02B0-\u02FF\u2C7C\u00B2\u00B3\u00B9"  # super- and subscripts
    r"\u0300-\u036F"  # combining hat and bar
    r"\u2032-\u2037'%∞…§"  # primes, percent, infinity, ellipsis; § stands for inline math or code
    r")\]}⟩`\"”’」』"  # closing brackets and quotes
    r"]|(?<=\S)[|‖])"  # a closing |w| or ‖x‖, not a table's " | "
)
SPACE = r"[ \u00A0\u2009\u202F]+"
HEAD = (
    r"(?:으로|로|에서|에게|에|은|는|이|가|을|를|의|와|과|도|만큼|만|이나|나|이랑|랑|처럼|보다|부터|까지|마다|뿐|대로|"
    r"이라고|라고|이라는|라는|이라면|라면|이란|란|입니다|이다|이고|이며|이면|이므로|이라서|이라|이어서|여서|이어야|"
    r"이지만|이었습니다|였습니다|이었다|였다|인|일)"
)
COUNTER = r"(?:번째|번|개|가지|차원|차|층|배|회|쌍|제곱)(?:이|가)?"
TAIL = (
    r"(?:에서|에게|으로|로|에|는|은|의|를|을|와|과|도|만|씩|별|째|마다|까지|부터|보다|처럼|"
    r"이다|입니다|이고|이며|이면|이므로|이라|라|인|일)*"
)
END = r"(?=$|[\s.,;:!?)\]」』”’\"'…·—–/~-])"
PARTICLE_SPACE = re.compile(PREVIOUS + "(" + SPACE + ")" + "((?:" + HEAD + "|" + COUNTER + ")" + TAIL + ")" + END)
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?:[ -][A-Za-z][a-z]+){2,}\b")


class _Text(html.parser.HTMLParser):
    """The readable text of a page's article: code, display math, scripts and drawings left out,
    inline code and inline math kept as a placeholder. Text inside boxes is collected apart."""

    SKIP = frozenset({"script", "style", "svg", "pre", "math", "annotation", "button"})
    BOX_CLASSES = ("admonition", "glossary-figure")
    # Boxes: admonitions (checks, notes, misconceptions), folded derivations and figure captions. Tables
    # are not boxes: a category's table lists each term's English name on purpose.
    BOX_TAGS = frozenset({"details", "figcaption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool, bool]] = []
        self.text: list[str] = []
        self.boxes: list[str] = []
        self.in_article = False

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "article":
            self.in_article = True
        parent_skip = self.stack[-1][1] if self.stack else False
        parent_box = self.stack[-1][3] if self.stack else False
        placeholder = tag == "code" or "arithmatex" in classes or "katex" in classes.split()
        skip = parent_skip or tag in self.SKIP or "katex-display" in classes or "headerlink" in classes
        box = parent_box or tag in self.BOX_TAGS or any(name in classes for name in self.BOX_CLASSES)
        if placeholder and not parent_skip:
            self.text.append("§")
            if box:
                self.boxes.append("§")
        self.stack.append((tag, skip or placeholder, placeholder, box))
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "div", "summary", "figcaption", "br"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        while self.stack:
            opened = self.stack.pop()[0]
            if opened == tag:
                break
        if tag == "article":
            self.in_article = False

    def handle_data(self, data):
        if not self.in_article or (self.stack and self.stack[-1][1]):
            return
        self.text.append(data)
        if self.stack and self.stack[-1][3]:
            self.boxes.append(data + " ")


def decompose(text: str) -> str:
    """Latin letters with a hat or bar (ŷ) split into letter and accent; Hangul syllables kept whole."""
    return "".join(ch if "\uac00" <= ch <= "\ud7a3" else unicodedata.normalize("NFD", ch) for ch in text)


def readable(page: Path) -> tuple[str, str]:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return decompose("".join(parser.text)), "".join(parser.boxes)


def korean_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if not p.relative_to(site).as_posix().startswith("en/"))


def test_the_checks_catch_what_they_should_and_nothing_else():
    caught = [
        "tanh 는",
        "0 으로",
        "C(n, k) 가지",
        "정규화(규제) 는",
        "§ 를",
        "σ² 를",
        "1/4 에",
        "10 개를",
        "|w| 나",
        "ŷ 과",
    ]
    passed = [
        "x가 증가하면 가장 큰 값",
        "w 가중치",
        "z 로짓",
        "10 이상",
        "0 쪽으로",
        "크기 B 배치",
        "L1 규제",
        "x 임의의 점",
    ]
    for text in caught:
        assert PARTICLE_SPACE.search(decompose(text)), text
    for text in passed:
        assert not PARTICLE_SPACE.search(decompose(text)), text
    assert ENGLISH_PHRASE.search("central finite differences")
    assert not ENGLISH_PHRASE.search("SymPy의 NumPy 검사")


@pytest.fixture(scope="module")
def korean_texts(built_site):
    return {page: readable(page) for page in korean_pages(built_site)}


def test_no_space_before_a_korean_particle(korean_texts, built_site):
    problems = []
    for page, (text, _) in korean_texts.items():
        for line in text.splitlines():
            for match in PARTICLE_SPACE.finditer(line):
                snippet = line[max(0, match.start() - 20) : match.end() + 5].strip()
                problems.append(f"{page.relative_to(built_site)}: …{snippet}…")
    assert problems == [], f"{len(problems)} particles written apart:\n" + "\n".join(problems[:80])


def test_no_english_phrase_inside_the_boxes_of_a_korean_page(korean_texts, built_site):
    problems = []
    for page, (_, boxes) in korean_texts.items():
        if page.relative_to(built_site).as_posix().startswith("api/"):
            continue  # the Korean API page links to the English reference by design
        for match in ENGLISH_PHRASE.finditer(boxes):
            problems.append(f"{page.relative_to(built_site)}: {match.group(0)!r}")
    assert problems == [], f"{len(problems)} English phrases in Korean boxes:\n" + "\n".join(problems[:80])


def test_cases_in_korean_math_carry_no_english_words(built_site):
    """SymPy writes piecewise results with "for" and "otherwise"; a Korean page shows the condition
    alone and 그 외 (in the typeset math and in the TeX a reader copies)."""
    problems = []
    for page in korean_pages(built_site):
        if page.relative_to(built_site).as_posix().startswith("api/"):
            continue
        for annotation in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page.read_text()):
            if "\\text{otherwise}" in annotation or "\\text{for}" in annotation:
                problems.append(f"{page.relative_to(built_site)}: {annotation[:80]}")
    assert problems == [], "\n".join(problems)
    english = (built_site / "en" / "deep-learning" / "activation-function" / "index.html").read_text()
    korean = (built_site / "deep-learning" / "activation-function" / "index.html").read_text()
    assert "\\text{otherwise}" in english and "\\text{그 외}" in korean
