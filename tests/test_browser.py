"""The built site as its readers use it: headless Chromium, offline, Korean search, both languages.

Every request leaving 127.0.0.1 is blocked and counted. On failure a screenshot of
the page is saved under test-artifacts/. Every term page is also photographed at
1280 and 390 px in both languages (test-artifacts/screens/), for a person to look at.
A summary (pages, requests, links, search results, page weight, display formulas wider
than their column, page widths on a phone) is written to test-artifacts/browser-report.json.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import statistics
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from glossary.content.catalog import load_entries

playwright_sync = pytest.importorskip("playwright.sync_api", reason="Playwright is a test dependency")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SCREENS = ARTIFACTS / "screens"
CHROMIUM = "/usr/bin/chromium"
ENTRIES = sorted((x.entry for x in load_entries(ROOT / "entries").values()), key=lambda e: (e.category, e.order))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
RAW_TEX = re.compile(r"\\(frac|left|right|begin|end|mathrm|operatorname|sum|partial)\b|\$\$|\\\(|\\\[")
REPORT: dict = {
    "pages": 0,
    "external_requests": 0,
    "broken_links": [],
    "search": {},
    "weights": [],
    "wide_formulas": {"1280": {}, "390": {}},
    "page_width_390": {},
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with playwright_sync.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()
    ARTIFACTS.mkdir(exist_ok=True)
    if REPORT["weights"]:
        REPORT["median_page_weight_bytes"] = statistics.median(REPORT["weights"])
        REPORT["max_page_weight_bytes"] = max(REPORT["weights"])
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(REPORT, indent=2, ensure_ascii=False), encoding="utf-8")


class Visit:
    """One page load with its console errors, blocked requests and transferred bytes."""

    def __init__(self, browser, url: str, width: int = 1280, **options) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        self.blocked: list[str] = []
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.bytes = 0
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", self._count)
        self.page.goto(url, wait_until="load")
        self.page.evaluate("document.fonts.ready")

    def _route(self, route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            self.requested.append(route.request.url)
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            REPORT["external_requests"] += 1
            route.abort()

    def _count(self, response):
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} for {response.url}")
        try:
            self.bytes += len(response.body())
        except Exception:
            pass

    def fail(self, name: str, message: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        pytest.fail(message)

    def close(self) -> None:
        self.context.close()


def term_url(server: str, lang: str, category: str, term: str) -> str:
    prefix = "" if lang == "ko" else "en/"
    return f"{server}/{prefix}{category}/{term}/"


PAGES = [(lang, e) for e in ENTRIES for lang in ("ko", "en")]


@pytest.mark.parametrize(("lang", "entry"), PAGES, ids=[f"{lang}-{e.id}" for lang, e in PAGES])
def test_term_page_renders_offline(browser, server, lang, entry):
    visit = Visit(browser, term_url(server, lang, entry.category, entry.id))
    page = visit.page
    name = f"{lang}-{entry.id}"
    try:
        # Plots load lazily; a reader scrolling down would load them, so the test asks for them now.
        page.evaluate(
            """async () => {
                const images = [...document.querySelectorAll('.md-content img')];
                images.forEach(i => { i.loading = 'eager'; });
                await Promise.all(images.map(i => i.decode().catch(() => null)));
            }"""
        )
        checks = page.evaluate(
            """() => {
                const main = document.querySelector('.md-content').cloneNode(true);
                main.querySelectorAll('.katex-mathml, pre, code, script').forEach(e => e.remove());
                const images = [...document.querySelectorAll('.md-content img')];
                return {
                  katex: document.querySelectorAll('.md-content .katex').length,
                  untypeset: [...document.querySelectorAll('.arithmatex')]
                    .filter(e => !e.querySelector('.katex')).length,
                  errors: document.querySelectorAll('.katex-error').length,
                  text: main.textContent,
                  images: images.length,
                  broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
                  steps: document.querySelectorAll('.md-content details.abstract').length,
                  checks: document.querySelectorAll('.md-content .admonition.success').length,
                  example: document.querySelectorAll('.md-content .language-python').length,
                  links: [...document.querySelectorAll('.md-content a[href], .md-nav a[href]')].map(a => a.href),
                };
            }"""
        )
        raw = RAW_TEX.search(checks["text"])
        problems = []
        if checks["katex"] == 0:
            problems.append("no rendered math")
        if checks["errors"]:
            problems.append(f"{checks['errors']} KaTeX errors")
        if checks["untypeset"]:
            problems.append(f"{checks['untypeset']} formulas left as TeX")
        scripts = [url for url in visit.requested if url.endswith(".js") and "katex" in url]
        if scripts:
            problems.append(f"KaTeX's script loaded although the math is typeset at build time: {scripts}")
        if raw:
            start = max(raw.start() - 40, 0)
            problems.append(f"raw TeX visible: {checks['text'][start : raw.end() + 40]!r}")
        if visit.errors:
            problems.append(f"console errors: {visit.errors}")
        if visit.blocked:
            problems.append(f"requests leaving the machine: {visit.blocked}")
        if checks["broken"]:
            problems.append(f"images not loaded: {checks['broken']}")
        plots = [f for f in entry.all_formulas() if f.plot]
        if checks["images"] < len(plots):
            problems.append("plot missing")
        formulas = len(entry.all_formulas())
        if checks["steps"] != formulas or checks["checks"] != formulas:
            problems.append(f"{checks['steps']} derivations and {checks['checks']} checks for {formulas} formulas")
        if checks["example"] < 1:
            problems.append("no example")
        if problems:
            visit.fail(name, "; ".join(problems))
        REPORT["pages"] += 1
        REPORT["weights"].append(visit.bytes)
        LINKS.update(link for link in checks["links"] if link.startswith(server))
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}-1280.png"), full_page=True)
    finally:
        visit.close()


# -- nothing wider than the page ---------------------------------------------------------------

#: Display formulas whose content is wider than their box, with every derivation opened, and the
#: page's own width; each formula's box scrolls on its own, the page never does.
MEASURE_WIDTHS = """() => {
  document.querySelectorAll('.md-content details').forEach(d => { d.open = true; });
  const boxes = [...document.querySelectorAll('.md-content div.arithmatex')];
  const wide = boxes.filter(b => b.scrollWidth > b.clientWidth + 1);
  return {
    formulas: boxes.length,
    wide: wide.map(b => ((b.querySelector('annotation') || {}).textContent || '').slice(0, 80)),
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  };
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(("lang", "entry"), PAGES, ids=[f"{lang}-{e.id}" for lang, e in PAGES])
def test_no_display_formula_is_wider_than_its_column(browser, server, lang, entry, width):
    visit = Visit(browser, term_url(server, lang, entry.category, entry.id), width=width)
    name = f"{lang}-{entry.id}"
    try:
        found = visit.page.evaluate(MEASURE_WIDTHS)
        REPORT["wide_formulas"][str(width)][name] = len(found["wide"])
        if width == 390:
            REPORT["page_width_390"][name] = found["page"]
            visit.page.evaluate("document.querySelectorAll('.md-content details').forEach(d => { d.open = false; })")
            SCREENS.mkdir(parents=True, exist_ok=True)
            visit.page.screenshot(path=str(SCREENS / f"{name}-390.png"), full_page=True)
        if found["page"] > found["viewport"]:
            visit.fail(f"width-{name}-{width}", f"the page is {found['page']} px wide in a {width} px window")
        if width == 1280 and found["wide"]:
            visit.fail(f"wide-{name}", f"{len(found['wide'])} formulas wider than the column: {found['wide']}")
    finally:
        visit.close()


def test_at_most_a_handful_of_formulas_scroll_on_a_phone():
    counts = REPORT["wide_formulas"]["390"]
    assert len(counts) == len(PAGES), "the width tests collect the counts"
    # A handful: at most two on any page and ten in the whole site (both languages).
    scrolling = {name: n for name, n in counts.items() if n}
    assert max(counts.values()) <= 2 and sum(counts.values()) <= 10, scrolling


# -- math without JavaScript, and copying its LaTeX ----------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_math_shows_with_javascript_disabled(browser, server, lang):
    entry = next(e for e in ENTRIES if e.id == "eigenvalue")
    visit = Visit(browser, term_url(server, lang, entry.category, entry.id), java_script_enabled=False)
    try:
        found = visit.page.evaluate(
            """() => ({
              shown: [...document.querySelectorAll('.md-content .katex-html')]
                .filter(e => e.getBoundingClientRect().width > 0).length,
              mathml: document.querySelectorAll('.md-content .katex-mathml math').length,
              fonts: [...document.fonts].filter(f => f.family.startsWith('KaTeX') && f.status === 'loaded').length,
              buttons: [...document.querySelectorAll('.glossary-copy')].filter(b => !b.hidden).length,
            })"""
        )
        scripts = [url for url in visit.requested if url.endswith(".js")]
        if not found["shown"] or found["mathml"] < found["shown"]:
            visit.fail(f"nojs-{lang}", f"math not rendered without JavaScript: {found}")
        if not found["fonts"]:
            visit.fail(f"nojs-{lang}", "KaTeX's fonts were not loaded from the site")
        assert found["buttons"] == 0, "a copy button that cannot work is shown without JavaScript"
        assert scripts == [], scripts
    finally:
        visit.close()


def _copied(visit) -> tuple[str, str]:
    return visit.page.evaluate(
        """async () => {
          const math = document.querySelector('.glossary-math');
          const tex = math.querySelector('annotation[encoding="application/x-tex"]').textContent;
          return [await navigator.clipboard.readText(), tex.replace(/\\s*\\\\allowbreak\\s*/g, " ").trim()];
        }"""
    )


@pytest.mark.parametrize(("lang", "label"), [("ko", "LaTeX 복사"), ("en", "Copy LaTeX")])
def test_copy_latex_with_mouse_keyboard_and_touch(browser, server, lang, label):
    entry = next(e for e in ENTRIES if e.id == "vanishing-gradient")
    url = term_url(server, lang, entry.category, entry.id)
    visit = Visit(browser, url)
    try:
        visit.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        displays = visit.page.locator(".md-content div.arithmatex").count()
        buttons = visit.page.locator(".glossary-copy:not([hidden])")
        assert buttons.count() == displays > 0, "every display formula has a copy button"
        first = buttons.first
        assert first.get_attribute("aria-label") == label
        first.click()
        visit.page.wait_for_selector(".glossary-copy.is-copied", timeout=3000)
        bubble = visit.page.evaluate(
            "getComputedStyle(document.querySelector('.glossary-copy.is-copied'), '::after').content"
        )
        assert bubble.strip('"') == first.get_attribute("data-copied")
        copied, source = _copied(visit)
        assert copied == source and "\\" in copied
        visit.page.evaluate("navigator.clipboard.writeText('')")
        first.focus()
        visit.page.keyboard.press("Enter")
        visit.page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)", timeout=3000)
        assert _copied(visit)[0] == source
    finally:
        visit.close()
    phone = Visit(browser, url, width=390, has_touch=True, is_mobile=True)
    try:
        phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        phone.page.locator(".glossary-copy:not([hidden])").first.tap()
        phone.page.wait_for_selector(".glossary-copy.is-copied", timeout=3000)
        copied, source = _copied(phone)
        assert copied == source
    finally:
        phone.close()


LINKS: set[str] = set()


def test_every_internal_link_and_anchor_resolves(server):
    assert LINKS, "the term page tests collect the links"
    fetched: dict[str, str | None] = {}
    broken = []
    for link in sorted(LINKS):
        address, _, fragment = link.partition("#")
        if address not in fetched:
            try:
                with urllib.request.urlopen(address, timeout=10) as response:
                    fetched[address] = response.read().decode("utf-8", "replace")
            except OSError:
                fetched[address] = None
        html = fetched[address]
        if html is None:
            broken.append(link)
        elif fragment and f'id="{urllib.parse.unquote(fragment)}"' not in html:
            broken.append(link)
    REPORT["broken_links"] = broken
    REPORT["links_checked"] = len(LINKS)
    assert broken == []


SEARCHES = [
    ("ko", "편미분", "partial-derivative"),
    ("ko", "고유값", "eigenvalue"),
    ("ko", "역전파", "backpropagation"),
    ("ko", "과적합", "overfitting"),
    ("ko", "정규 분포", "normal"),
    ("ko", "베이즈", "bayes"),
    ("ko", "특이값", "svd"),
    ("ko", "경사 하강법", "gradient-descent"),
    ("ko", "최대우도", "mle"),
    ("en", "partial derivative", "partial-derivative"),
    ("en", "eigenvalue", "eigenvalue"),
    ("en", "backpropagation", "backpropagation"),
    ("en", "one-hot", "one-hot"),
    ("en", "Bayes", "bayes"),
]


@pytest.mark.parametrize(("lang", "query", "term"), SEARCHES, ids=[f"{lang}-{q}" for lang, q, _ in SEARCHES])
def test_search_puts_the_term_first(browser, server, lang, query, term):
    visit = Visit(browser, f"{server}/{'' if lang == 'ko' else 'en/'}")
    page = visit.page
    try:
        page.click("label.md-search__icon, .md-search__input", timeout=5000)
        box = page.locator("input.md-search__input")
        # Hangul typed key by key does not fire keyup, which Material listens to:
        # fill the box, then press a key.
        box.fill(query)
        box.press("End")
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        first = page.locator(".md-search-result__item a").first
        href = first.get_attribute("href")
        excerpt = page.locator(".md-search-result__item").first.inner_text()
        REPORT["search"][f"{lang}: {query}"] = href
        if f"/{term}/" not in href:
            visit.fail(f"search-{lang}-{term}", f"first result for {query!r} is {href}, expected the {term} page")
        raw = RAW_TEX.search(excerpt)
        if raw:
            visit.fail(f"search-{lang}-{term}", f"search excerpt shows raw TeX: {excerpt[:200]!r}")
    finally:
        visit.close()


def test_search_finds_a_word_with_a_particle(browser, server):
    """역전파는 (backpropagation + topic particle) still reaches the backpropagation page among the results."""
    visit = Visit(browser, f"{server}/")
    try:
        visit.page.click(".md-search__input")
        box = visit.page.locator("input.md-search__input")
        box.fill("역전파는")
        box.press("End")
        visit.page.wait_for_selector(".md-search-result__item", timeout=15000)
        hrefs = visit.page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
        REPORT["search"]["ko: 역전파는 (any result)"] = [h.split("?")[0] for h in hrefs[:3]]
        if not any("/backpropagation/" in h for h in hrefs):
            visit.fail("search-particle", f"no backpropagation page among {hrefs}")
    finally:
        visit.close()


@pytest.mark.parametrize(
    "path", ["", "en/", "en/api/", "calculus/"], ids=["ko-home", "en-home", "en-api", "ko-category"]
)
def test_pages_without_math_load_no_katex(browser, server, path):
    visit = Visit(browser, f"{server}/{path}")
    try:
        assert visit.page.locator(".arithmatex").count() == 0
        katex = [url for url in visit.requested if "katex" in url]
        if katex:
            visit.fail(f"katex-{path.strip('/') or 'home'}", f"KaTeX loaded on a page without math: {katex}")
        REPORT.setdefault("weights_without_math", {})[path or "/"] = visit.bytes
    finally:
        visit.close()


SWITCHES = [(lang, e) for e in ENTRIES[::3] for lang in ("ko", "en")]


@pytest.mark.parametrize(("lang", "entry"), SWITCHES, ids=[f"{lang}-{e.id}" for lang, e in SWITCHES])
def test_language_switch_stays_on_the_term(browser, server, lang, entry):
    other = "en" if lang == "ko" else "ko"
    visit = Visit(browser, term_url(server, lang, entry.category, entry.id))
    page = visit.page
    try:
        page.hover(".md-header__option .md-select")
        page.click(f'a.md-select__link[hreflang="{other}"]')
        page.wait_for_load_state("load")
        expected = term_url(server, other, entry.category, entry.id)
        if page.url != expected:
            visit.fail(f"switch-{lang}-{entry.id}", f"switching language went to {page.url}, expected {expected}")
        assert entry.names[other].lower() in page.title().lower()
    finally:
        visit.close()


# =============================================================================================
# Term search, term links with previews, notation (the term index: glossary/render/search.py,
# templates/theme/assets/javascripts/term-search.js and term-ui.js)
# =============================================================================================

from test_search import QUERIES  # noqa: E402


def _type_query(page, query: str) -> dict:
    """Type a query into the real search box; return the term results and the first result of all."""
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        "q => { const s = document.querySelector('.gl-terms'); return s && s.dataset.query === q; }",
        arg=query,
        timeout=10000,
    )
    return page.evaluate(
        """() => {
            const first = document.querySelector('.md-search-result__item a[href]');
            const terms = [...document.querySelectorAll('.gl-terms__item')];
            return {
              first: first ? first.getAttribute('href') : null,
              terms: terms.map(t => t.dataset.term),
              visible: terms.length > 0 && terms[0].getBoundingClientRect().height > 0,
            };
        }"""
    )


def _expected_href(server: str, lang: str, expected: str) -> str:
    page, _, anchor = expected.partition("#")
    if page == "notation":
        path = "notation/"
    else:
        entry = next(e for e in ENTRIES if e.id == page)
        path = f"{entry.category}/{entry.id}/"
    return f"{server}/{'' if lang == 'ko' else 'en/'}{path}" + (f"#{anchor}" if anchor else "")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_query_suite_in_the_search_box(browser, server, lang):
    """Every query of the suite, typed into the search box, shows its term first."""
    suite = [(query, expected) for page_lang, query, expected in QUERIES if page_lang == lang]
    visit = Visit(browser, f"{server}/{'' if lang == 'ko' else 'en/'}")
    page = visit.page
    misses = []
    try:
        page.click("label.md-search__icon, .md-search__input", timeout=5000)
        for query, expected in suite:
            found = _type_query(page, query)
            want = _expected_href(server, lang, expected)
            if found["first"] != want or not found["visible"]:
                misses.append(f"{query!r}: first {found['first']}, terms {found['terms'][:3]}, expected {want}")
        score = len(suite) - len(misses)
        REPORT.setdefault("search_suite", {})[lang] = f"{score}/{len(suite)}"
        if misses or visit.errors:
            visit.fail(f"search-suite-{lang}", f"{score}/{len(suite)} first; {misses}; errors {visit.errors}")
    finally:
        visit.close()


def test_enter_opens_the_best_term(browser, server):
    visit = Visit(browser, f"{server}/")
    page = visit.page
    try:
        page.click(".md-search__input")
        _type_query(page, "역전파는")
        page.wait_for_selector(".md-search-result__list .md-search-result__item", timeout=15000)
        with page.expect_navigation():
            page.locator("input.md-search__input").press("Enter")
        assert page.url.split("?")[0] == f"{server}/deep-learning/backpropagation/"
    finally:
        visit.close()


@pytest.mark.parametrize("query", ["MLE", "PCA", "softmax", "SVD"])
def test_reference_pages_rank_below_term_pages_in_the_full_text(browser, server, query):
    """Material's own results too: the API reference, report and map never come before a term page."""
    visit = Visit(browser, f"{server}/en/")
    page = visit.page
    try:
        page.click(".md-search__input")
        _type_query(page, query)
        page.wait_for_selector(".md-search-result__list .md-search-result__item", timeout=15000)
        page.wait_for_timeout(300)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item > a:first-child", "ls => ls.map(a => a.href)"
        )
        REPORT.setdefault("search_full_text_first", {})[query] = hrefs[:1]
        reference = ("/api/", "/verification/", "/concept-map/", "/notation/")
        first_reference = next((i for i, h in enumerate(hrefs) if any(r in h for r in reference)), len(hrefs))
        first_term = next((i for i, h in enumerate(hrefs) if not any(r in h for r in reference)), len(hrefs))
        if first_reference < first_term:
            visit.fail(f"full-text-{query}", f"a reference page comes before every term page: {hrefs[:4]}")
    finally:
        visit.close()


def test_results_show_and_filter_their_language(browser, server):
    visit = Visit(browser, f"{server}/")
    page = visit.page
    try:
        page.click(".md-search__input")
        page.evaluate("() => localStorage.removeItem('glossary.search.language')")
        _type_query(page, "backpropagation")
        page.wait_for_selector(".md-search-result__list .md-search-result__item[data-lang='en']", timeout=15000)
        badges = page.eval_on_selector_all(".md-search-result__list .gl-lang", "b => b.map(x => x.textContent)")
        assert "EN" in badges and "KO" in badges
        page.click(".gl-terms__filter")
        assert page.get_attribute(".gl-terms__filter", "aria-pressed") == "true"
        shown = page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item",
            "items => items.filter(i => i.offsetParent !== null).map(i => i.dataset.lang)",
        )
        assert shown and set(shown) == {"ko"}
        page.click(".gl-terms__filter")
        page.evaluate("() => localStorage.removeItem('glossary.search.language')")
    finally:
        visit.close()


def test_an_automatic_term_link_previews_and_leads_to_its_term(browser, server):
    """Chain rule's prose mentions 역전파는: a link with a preview on hover and focus; Escape closes it."""
    visit = Visit(browser, f"{server}/calculus/chain-rule/")
    page = visit.page
    try:
        link = page.locator('.md-content a.glossary-term[data-term="backpropagation"]').first
        assert link.inner_text() == "역전파"
        backprop = next(e for e in ENTRIES if e.id == "backpropagation")
        link.hover()
        preview = page.locator("#gl-preview")
        preview.wait_for(state="visible", timeout=5000)
        page.wait_for_function(
            "s => document.getElementById('gl-preview').textContent.includes(s)", arg=backprop.summary.ko[:12]
        )
        assert preview.get_attribute("role") == "tooltip"
        assert link.get_attribute("aria-describedby") == "gl-preview"
        page.keyboard.press("Escape")
        preview.wait_for(state="hidden", timeout=3000)
        link.focus()
        preview.wait_for(state="visible", timeout=3000)
        page.keyboard.press("Escape")
        preview.wait_for(state="hidden", timeout=3000)
        with page.expect_navigation():
            link.click()
        assert page.url == f"{server}/deep-learning/backpropagation/"
        assert not visit.errors, visit.errors
    finally:
        visit.close()


def test_on_a_phone_a_button_beside_the_term_opens_its_preview(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    try:
        page.goto(f"{server}/en/calculus/chain-rule/", wait_until="load")
        button = page.locator('.md-content a.glossary-term[data-term="backpropagation"] + .gl-preview-toggle').first
        button.wait_for(state="visible", timeout=5000)
        assert button.get_attribute("aria-expanded") == "false"
        button.tap()
        preview = page.locator("#gl-preview")
        preview.wait_for(state="visible", timeout=5000)
        assert button.get_attribute("aria-expanded") == "true"
        assert preview.get_attribute("role") == "dialog"
        page.wait_for_selector("#gl-preview .gl-preview__open", timeout=5000)
        assert page.url.endswith("/en/calculus/chain-rule/")  # the page did not change
        page.keyboard.press("Escape")
        preview.wait_for(state="hidden", timeout=3000)
        assert page.evaluate("() => document.activeElement.classList.contains('gl-preview-toggle')")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_notation_page_lists_symbols_with_their_terms(browser, server, lang):
    prefix = "" if lang == "ko" else "en/"
    visit = Visit(browser, f"{server}/{prefix}notation/")
    page = visit.page
    try:
        rows = page.locator(".md-content table tbody tr")
        declared = {e.id for e in ENTRIES if e.notation}
        assert rows.count() >= sum(len(e.notation) for e in ENTRIES) // 2
        page.wait_for_function("document.querySelectorAll('.md-content table .katex').length > 0", timeout=15000)
        assert page.locator(".md-content table .katex-error").count() == 0
        linked = page.eval_on_selector_all(".md-content table a[href]", "ls => ls.map(a => a.href)")
        assert all(any(f"/{i}/" in h for i in declared) for h in linked)
        assert page.locator(".md-content table a[id^='symbol-']").count() == rows.count()
        nav = page.eval_on_selector_all(".md-nav a[href]", "ls => ls.map(a => a.href)")
        assert f"{server}/{prefix}notation/" in nav
        LINKS.update(linked)
        assert not visit.errors, visit.errors
    finally:
        visit.close()
    home = Visit(browser, f"{server}/{prefix}")
    try:
        hrefs = home.page.eval_on_selector_all(".md-content a[href]", "ls => ls.map(a => a.href)")
        assert f"{server}/{prefix}notation/" in hrefs
    finally:
        home.close()
