"""The term index, Korean-aware matching, automatic term links and the notation table.

`QUERIES` is the search suite: queries as readers type them (particles attached, spaces left
out or added, variant spellings, loanwords, words from inside a compound, sub-terms, English
names and abbreviations, half-typed syllables), each with the term that must come FIRST. The
matcher is the browser's own script (term-search.js), run here under Node against the index
built from the repository's entries; test_browser.py types the same queries into the real
search box.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest

from glossary.content.catalog import load_entries
from glossary.content.prose import PARTICLES, LinkTarget, Reference, TermLinker, plain_text, render_prose
from glossary.render import term_path
from glossary.render.search import (
    EQUIVALENTS,
    abbreviation,
    build_term_index,
    demote_reference_pages,
    index_json,
    latex_to_text,
    link_targets,
    name_keys,
    notation_rows,
    site_url,
)

ROOT = Path(__file__).resolve().parent.parent
MATCHER = ROOT / "templates" / "theme" / "assets" / "javascripts" / "term-search.js"
ENTRIES = [loaded.entry for loaded in load_entries(ROOT / "entries").values()]
PATHS = {e.id: term_path(e.category, e.id) for e in ENTRIES}

# (page language, query, the term or sub-term that must come first)
QUERIES: list[tuple[str, str, str]] = [
    # particles attached
    ("ko", "역전파는", "backpropagation"),
    ("ko", "역전파를", "backpropagation"),
    ("ko", "경사 하강법으로", "gradient-descent"),
    ("ko", "학습률이", "gradient-descent#learning-rate"),
    ("ko", "고윳값이란", "eigenvalue"),
    ("ko", "편미분의", "partial-derivative"),
    ("ko", "연쇄 법칙을", "chain-rule"),
    ("ko", "손실함수를", "loss-function"),
    ("ko", "ReLU는", "activation-function#relu"),
    ("ko", "미니 배치를", "mini-batch"),
    ("ko", "정규분포를", "normal"),
    ("ko", "소프트맥스의", "loss-function#softmax"),
    ("ko", "베이즈 정리란?", "bayes"),
    # names as written, spaces left out or added
    ("ko", "역전파", "backpropagation"),
    ("ko", "경사 하강법", "gradient-descent"),
    ("ko", "경사하강법", "gradient-descent"),
    ("ko", "활성화함수", "activation-function"),
    ("ko", "주성분분석", "pca"),
    ("ko", "베이즈정리", "bayes"),
    ("ko", "사후확률", "bayes#posterior"),
    ("ko", "표준정규분포", "normal#standard-normal"),
    ("ko", "평균제곱오차", "loss-function#mse"),
    ("ko", "교차엔트로피", "loss-function#cross-entropy"),
    ("ko", "원 핫 인코딩", "one-hot"),
    ("ko", "확률적 경사 하강법", "mini-batch#sgd"),
    ("ko", "최대 우도 추정", "mle"),
    ("ko", "이항 분포", "binomial"),
    ("ko", "베르누이 분포", "bernoulli"),
    ("ko", "과적합", "overfitting"),
    ("ko", "배치", "batch"),
    ("ko", "계단 함수", "activation-function#step-function"),
    ("ko", "사전 확률", "bayes#prior"),
    ("ko", "우도", "bayes#likelihood"),
    # words from inside a compound, and syllables still being typed
    ("ko", "하강법", "gradient-descent"),
    ("ko", "주성분", "pca"),
    ("ko", "저랭크 근사", "svd#low-rank-approximation"),
    ("ko", "하강버", "gradient-descent"),
    ("ko", "역전ㅍ", "backpropagation"),
    ("ko", "ㄱㅅㅎㄱㅂ", "gradient-descent"),
    # variant spellings
    ("ko", "고유값", "eigenvalue"),
    ("ko", "고윳값", "eigenvalue"),
    ("ko", "고유치", "eigenvalue"),
    ("ko", "고유벡터", "eigenvalue"),
    ("ko", "특이값 분해", "svd"),
    ("ko", "특잇값", "svd"),
    ("ko", "특잇값분해", "svd"),
    ("ko", "최대가능도 추정", "mle"),
    ("ko", "최우추정", "mle"),
    ("ko", "정규화", "regularization"),
    ("ko", "규제", "regularization"),
    ("ko", "L2 규제", "regularization#l1-l2"),
    ("ko", "기울기 소실", "vanishing-gradient"),
    ("ko", "기울기 소멸", "vanishing-gradient"),
    ("ko", "기울기 폭주", "vanishing-gradient#exploding-gradient"),
    ("ko", "쌍곡탄젠트", "activation-function#tanh"),
    ("ko", "기울기", "partial-derivative#gradient"),
    # loanwords
    ("ko", "그래디언트", "partial-derivative#gradient"),
    ("ko", "그레이디언트 소실", "vanishing-gradient"),
    ("ko", "크로스 엔트로피", "loss-function#cross-entropy"),
    ("ko", "크로스엔트로피", "loss-function#cross-entropy"),
    ("ko", "렐루", "activation-function#relu"),
    ("ko", "하이퍼볼릭 탄젠트", "activation-function#tanh"),
    ("ko", "시그모이드", "activation-function#sigmoid"),
    ("ko", "드랍아웃", "regularization#dropout"),
    ("ko", "드롭아웃", "regularization#dropout"),
    ("ko", "오버피팅", "overfitting"),
    ("ko", "백프로퍼게이션", "backpropagation"),
    ("ko", "가우시안 분포", "normal"),
    # English names and abbreviations on the Korean site
    ("ko", "MLE", "mle"),
    ("ko", "PCA", "pca"),
    ("ko", "SVD", "svd"),
    ("ko", "softmax", "loss-function#softmax"),
    ("ko", "tanh", "activation-function#tanh"),
    # Korean typed with the keyboard left in English
    ("ko", "durwjsvk", "backpropagation"),
    ("ko", "rhdbrkqt", "eigenvalue"),
    # English
    ("en", "backpropagation", "backpropagation"),
    ("en", "backprop", "backpropagation"),
    ("en", "gradient descent", "gradient-descent"),
    ("en", "learning rate", "gradient-descent#learning-rate"),
    ("en", "eigenvalue", "eigenvalue"),
    ("en", "eigenvectors", "eigenvalue"),
    ("en", "SVD", "svd"),
    ("en", "singular value decomposition", "svd"),
    ("en", "low-rank approximation", "svd#low-rank-approximation"),
    ("en", "PCA", "pca"),
    ("en", "principal component analysis", "pca"),
    ("en", "MLE", "mle"),
    ("en", "maximum likelihood", "mle"),
    ("en", "softmax", "loss-function#softmax"),
    ("en", "cross entropy", "loss-function#cross-entropy"),
    ("en", "cross-entropy", "loss-function#cross-entropy"),
    ("en", "MSE", "loss-function#mse"),
    ("en", "mean squared error", "loss-function#mse"),
    ("en", "ReLU", "activation-function#relu"),
    ("en", "sigmoid", "activation-function#sigmoid"),
    ("en", "step function", "activation-function#step-function"),
    ("en", "SGD", "mini-batch#sgd"),
    ("en", "minibatch", "mini-batch"),
    ("en", "mini batch", "mini-batch"),
    ("en", "one hot encoding", "one-hot"),
    ("en", "overfitting", "overfitting"),
    ("en", "regularisation", "regularization"),
    ("en", "L2 regularization", "regularization#l1-l2"),
    ("en", "dropout", "regularization#dropout"),
    ("en", "Bayes theorem", "bayes"),
    ("en", "Bayes' rule", "bayes"),
    ("en", "posterior", "bayes#posterior"),
    ("en", "Gaussian", "normal"),
    ("en", "normal distribution", "normal"),
    ("en", "standard normal", "normal#standard-normal"),
    ("en", "binomial", "binomial"),
    ("en", "Bernoulli", "bernoulli"),
    ("en", "chain rule", "chain-rule"),
    ("en", "partial derivatives", "partial-derivative"),
    ("en", "gradient", "partial-derivative#gradient"),
    ("en", "vanishing gradient", "vanishing-gradient"),
    ("en", "exploding gradients", "vanishing-gradient#exploding-gradient"),
    ("en", "activation functions", "activation-function"),
    ("en", "cost function", "loss-function"),
    ("en", "overtraining", "overfitting"),
    # Korean names on the English site
    ("en", "역전파", "backpropagation"),
    ("en", "고윳값", "eigenvalue"),
    # symbols: the notation table
    ("ko", "η", "notation#symbol-eta"),
    ("en", "δ⁽ˡ⁾", "notation#symbol-delta-sup-l"),
    ("ko", "⊙", "notation#symbol-odot"),
]


def test_the_suite_is_large_and_its_answers_exist():
    index = build_term_index(ENTRIES, PATHS, {"ko": {}, "en": {}})
    ids = {doc["id"] for doc in index["docs"]}
    assert len(QUERIES) >= 60
    assert sum(lang == "ko" for lang, _, _ in QUERIES) >= 60
    assert len({(lang, q) for lang, q, _ in QUERIES}) == len(QUERIES), "a query is listed twice"
    assert {expected for _, _, expected in QUERIES} <= ids


def run_matcher(index: dict, queries: list[tuple[str, str]], tmp_path: Path) -> list[list[dict]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: `make site` installs it with KaTeX (npm)")
    (tmp_path / "terms.json").write_text(index_json(index), encoding="utf-8")
    (tmp_path / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    script = """
        const fs = require("fs");
        const search = require(process.argv[1]);
        const index = search.prepare(JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
        const queries = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
        const started = process.hrtime.bigint();
        const answers = queries.map(([lang, q]) => search.search(index, q, lang).map(
            r => ({ id: r.doc.id, score: r.score, matched: r.matched })));
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        process.stdout.write(JSON.stringify({ answers, ms }));
    """
    done = subprocess.run(
        [node, "-e", script, str(MATCHER), str(tmp_path / "terms.json"), str(tmp_path / "queries.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data = json.loads(done.stdout)
    run_matcher.ms = data["ms"]
    return data["answers"]


def test_every_query_finds_its_term_first(tmp_path):
    index = build_term_index(ENTRIES, PATHS, {"ko": {}, "en": {}})
    answers = run_matcher(index, [(lang, q) for lang, q, _ in QUERIES], tmp_path)
    misses = []
    for (lang, query, expected), found in zip(QUERIES, answers, strict=True):
        first = found[0]["id"] if found else None
        if first != expected:
            misses.append(f"{lang} {query!r}: expected {expected}, got {[f['id'] for f in found[:3]]}")
    score = len(QUERIES) - len(misses)
    print(f"search suite: {score}/{len(QUERIES)} first; {run_matcher.ms:.1f} ms for all queries in Node")
    assert not misses, f"{score}/{len(QUERIES)}:\n" + "\n".join(misses)


def test_nonsense_and_empty_queries_find_nothing(tmp_path):
    index = build_term_index(ENTRIES, PATHS, {"ko": {}, "en": {}})
    answers = run_matcher(index, [("ko", ""), ("ko", "   "), ("en", "zzqx"), ("ko", "냠냠쩝쩝"), ("en", "a")], tmp_path)
    assert answers[:4] == [[], [], [], []]
    assert len(answers[4]) <= 6


def test_reference_pages_never_enter_the_term_index():
    index = build_term_index(ENTRIES, PATHS, {"ko": {}, "en": {}})
    kinds = {doc["kind"] for doc in index["docs"]}
    assert kinds == {"term", "section", "symbol"}
    for doc in index["docs"]:
        assert not doc["url"]["ko"].startswith(("api", "verification", "concept-map"))
        if doc["kind"] != "symbol":
            assert doc["url"]["en"] == "en/" + doc["url"]["ko"]


def test_the_index_is_small_and_quick_to_build():
    started = time.perf_counter()
    text = index_json(build_term_index(ENTRIES, PATHS, {"ko": {}, "en": {}}))
    seconds = time.perf_counter() - started
    print(f"term index: {len(text.encode())} bytes in {seconds * 1000:.1f} ms")
    assert len(text.encode()) < 200_000
    json.loads(text)


def test_the_index_carries_the_normalisation_tables():
    index = build_term_index(ENTRIES, PATHS, {"ko": {"search": {"heading": "용어"}}, "en": {}})
    assert index["particles"] == list(PARTICLES)
    assert [tuple(p) for p in index["equivalents"]] == list(EQUIVALENTS)
    assert index["ui"]["ko"] == {"heading": "용어"}
    # a typed spelling is never also a glossary spelling, or replacing would loop on itself
    typed = {a for a, _ in EQUIVALENTS}
    assert not typed & {b for _, b in EQUIVALENTS}


# -- the pieces of the index ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\sigma", "σ"),
        (r"\eta", "η"),
        (r"\lambda_{1}", "λ₁"),
        (r"\delta^{(l)}", "δ⁽ˡ⁾"),
        (r"\odot", "⊙"),
        (r"\nabla", "∇"),
        (r"\bar{x}", "x̄"),
        (r"\hat{y}", "ŷ"),
        (r"W^{\top}", "Wᵀ"),
        (r"\sigma^{2}", "σ²"),
        (r"g^{\prime}", "g′"),
        (r"\frac{\partial L}{\partial z}", "∂L/∂z"),
        (r"\operatorname{Var}[X]", "Var[X]"),
        (r"\mathbb{E}[X]", "𝔼[X]"),
        (r"x^{n+1}_{ij}", "xⁿ⁺¹ᵢⱼ"),
        (r"e^{-x^2}", "e^(-x²)"),
    ],
)
def test_latex_becomes_the_text_a_reader_types(tex, text):
    assert latex_to_text(tex) == text


def test_names_give_their_parts_and_abbreviations():
    assert name_keys("정규화 (규제)") == [("정규화 (규제)", "name"), ("정규화", "part"), ("규제", "part")]
    assert ("L2 규제", "part") in name_keys("L1·L2 규제")
    assert ("L1", "part") not in name_keys("L1·L2 규제")  # too short to mean anything alone
    assert ("exploding gradient", "part") in name_keys("vanishing and exploding gradient")
    assert abbreviation("principal component analysis") == "PCA"
    assert abbreviation("stochastic gradient descent") == "SGD"
    assert abbreviation("L1 and L2 regularization") is None
    assert abbreviation("characteristic value") is None


def test_site_urls():
    assert site_url("deep-learning/batch.md", "ko") == "deep-learning/batch/"
    assert site_url("deep-learning/batch.md", "en", "size") == "en/deep-learning/batch/#size"
    assert site_url("notation.md", "en", "symbol-eta") == "en/notation/#symbol-eta"


def test_reference_pages_are_demoted_in_the_full_text_search():
    pages = {
        "ko/api.md": "---\ntitle: API 참조\n---\n\n# API\n",
        "en/verification.md": "---\ntitle: Verification\n---\nbody\n",
        "ko/deep-learning/batch.md": "---\ntitle: 배치\n---\nbody\n",
    }
    out = demote_reference_pages(pages)
    assert "search:\n  boost: 0.0001\n" in out["ko/api.md"] and out["ko/api.md"].endswith("\n# API\n")
    assert "boost" in out["en/verification.md"]
    assert out["ko/deep-learning/batch.md"] == pages["ko/deep-learning/batch.md"]


# -- notation ------------------------------------------------------------------------------------


def test_notation_rows_group_symbols_by_meaning():
    rows = notation_rows(ENTRIES)
    assert rows, "some entries declare their notation"
    anchors = [row.anchor for row in rows]
    assert len(anchors) == len(set(anchors))
    by_text: dict[str, list] = {}
    for row in rows:
        by_text.setdefault(row.text, []).append(row)
        assert row.entries and all(e in PATHS for e in row.entries)
    # one symbol, two meanings: θ is a parameter to estimate in MLE and the parameters in gradient descent
    if len(by_text.get("θ", [])) > 1:
        assert len({r.meaning["en"] for r in by_text["θ"]}) == len(by_text["θ"])

    # Latin letters first, then Greek, then operators
    def group(text: str) -> int:
        base = unicodedata.normalize("NFKD", text)[:1]
        return 0 if base.isascii() and base.isalpha() else 1 if "\u0370" <= base <= "\u03ff" else 2

    groups = [group(row.text) for row in rows]
    assert groups == sorted(groups)


def test_the_same_symbol_and_meaning_in_two_entries_is_one_row():
    base = next(e for e in ENTRIES if e.notation)
    twin = base.model_copy(update={"id": "twin"})
    rows = notation_rows([base, twin])
    assert all(row.entries == [base.id, "twin"] for row in rows)


# -- automatic term links ---------------------------------------------------------------------


def _linker(lang: str, page: str) -> TermLinker:
    return TermLinker(link_targets(ENTRIES, lang), page)


def _render(text: str, linker: TermLinker | None) -> str:
    return render_prose(
        text, lambda ref: "$x$", lambda entry, anchor: f"{entry}.md" + (f"#{anchor}" if anchor else ""), linker
    )


def test_the_first_mention_links_also_with_a_particle():
    out = _render(
        "출력층에서 역전파를 시작하고, 다시 역전파는 끝납니다. 행렬의 고유값은 크기입니다.", _linker("ko", "chain-rule")
    )
    assert '[역전파](backpropagation.md){ .glossary-term data-term="backpropagation" }를' in out
    assert out.count("backpropagation.md") == 1  # only the first mention
    assert '[고유값](eigenvalue.md){ .glossary-term data-term="eigenvalue" }은' in out


def test_a_page_never_links_to_itself_or_its_sections():
    out = _render("역전파와 경사 하강법, 학습률", _linker("ko", "gradient-descent"))
    assert "backpropagation.md" in out
    assert "gradient-descent.md" not in out


def test_no_links_inside_math_code_or_existing_links():
    linker = _linker("en", "chain-rule")
    out = _render(
        "See $backpropagation$, `backpropagation` and [backprop](term:backpropagation); then backpropagation.",
        linker,
    )
    assert "$backpropagation$" in out and "`backpropagation`" in out
    assert out.count("](backpropagation.md)") == 1  # the author's link is the mention
    assert "then backpropagation." in out


def test_words_inside_other_words_are_not_mentions():
    out = _render("미니배치와 배치정규화, 그리고 batches of minibatch data", _linker("ko", "overfitting"))
    assert "batch.md" not in out.replace("mini-batch.md", "")
    out = _render("미니배치와 배치를 비교합니다", _linker("ko", "overfitting"))
    assert '[미니배치](mini-batch.md){ .glossary-term data-term="mini-batch" }와' in out
    assert '[배치](batch.md){ .glossary-term data-term="batch" }를' in out


def test_english_plurals_and_sections_link():
    out = _render("Two eigenvalues and a softmax output.", _linker("en", "svd"))
    assert '[eigenvalues](eigenvalue.md){ .glossary-term data-term="eigenvalue" }' in out
    assert '[softmax](loss-function.md#softmax){ .glossary-term data-term="loss-function#softmax" }' in out


def test_acronyms_link_only_as_written():
    out = _render("an svd of it, then the SVD again", _linker("en", "pca"))
    assert "[SVD](svd.md)" in out and "[svd]" not in out


def test_descriptive_section_names_are_not_link_targets():
    keys = {t.key for t in link_targets(ENTRIES, "ko")}
    assert "eigenvalue#geometric-meaning" not in keys
    assert "chain-rule#backpropagation-role" not in keys
    assert "loss-function#softmax" in keys


def test_escaping_is_kept_around_links():
    linker = TermLinker([LinkTarget("x", None, ("역전파",))], "page")
    out = _render("a <b> 역전파의 *강조* [링크](https://example.org)", linker)
    assert "&lt;b&gt;" in out and "*강조*" in out and "[링크](https://example.org)" in out
    assert '[역전파](x.md){ .glossary-term data-term="x" }의' in out


def test_plain_text_of_prose():
    text = "**강조**된 $\\sigma$와 {{f.part}}, `code`, [링크](term:x)\n- 목록"
    out = plain_text(text, lambda ref: f"<{ref.formula}.{ref.part}>", latex_to_text)
    assert out == "강조된 σ와 <f.part>, code, 링크 목록"
    assert isinstance(Reference("f", None, "math").source, str)


def test_every_entry_name_is_linkable_in_its_language():
    for lang in ("ko", "en"):
        targets = {t.entry for t in link_targets(ENTRIES, lang)}
        assert targets == {e.id for e in ENTRIES}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ko", "딥러닝에서 정규화는 보통 배치 정규화처럼 활성값을 맞추는 기법이고, 배치는 그다음에 나옵니다."),
        ("en", "Batch normalization rescales activations; a batch comes later."),
    ],
)
def test_a_name_inside_another_concept_is_not_a_mention(lang, text):
    """배치 정규화 (batch normalization) is not the batch: the first real mention after it links."""
    out = _render(text, _linker(lang, "overfitting"))
    assert out.count("](batch.md)") == 1
    first = "배치 정규화" if lang == "ko" else "Batch normalization"
    assert first + ("처럼" if lang == "ko" else " rescales") in out
