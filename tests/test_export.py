"""The glossary to take away: `glossary pdf` and `glossary anki`, opened as a reader's tools open them.

The PDF is read with pypdf (pages, text, fonts, destinations, outline); the Anki
package is opened as Anki does: a zip holding a SQLite collection and its media.
The exports run as commands on a copy of the project that the site tests build,
so that their derivations come from its cache.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import copy_project

from glossary import cli
from glossary.content.catalog import load_entries
from glossary.content.schema import Notation
from glossary.export.anki import DECK_IDS, MODEL_IDS, note_guid
from glossary.export.pdf import localise
from glossary.export.source import notation_markdown

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = sorted((x.entry for x in load_entries(ROOT / "entries").values()), key=lambda e: (e.category, e.order))
ENTRIES_BY_ID = {e.id: e for e in ENTRIES}
NOTES = len(ENTRIES) + sum(len(e.sections) for e in ENTRIES)
RAW_TEX = re.compile(r"\\(frac|left|right|begin|end|mathrm|operatorname|sum|partial|cdot)\b|\\\(|\\\[|\$\$")


def squeeze(text: str) -> str:
    """Text to compare: without spaces, in lower case (the book capitalises names where a title does)."""
    return re.sub(r"\s+", "", text).lower()


# -- without a build: the pieces ----------------------------------------------------------------


def test_a_page_becomes_part_of_the_book():
    page = (
        '<h1 id="eigenvalue">Eigenvalue<a class="headerlink" href="#eigenvalue" title="Link">&para;</a></h1>\n'
        '<p>See <a href="../calculus/partial-derivative.md#gradient">the gradient</a>, '
        '<a href="../verification.md">the report</a> and <a href="https://sympy.org">SymPy</a>.</p>\n'
        '<h2 id="steps">Steps</h2><details class="abstract"><summary>Steps</summary><p>1.</p></details>\n'
        '<figure><img alt="plot" src="../../assets/plots/svd--decomposition--en.svg" loading="lazy" /></figure>'
    )
    book = localise(page, "svd")
    assert '<h2 id="svd--eigenvalue">Eigenvalue</h2>' in book, "ids prefixed, heading one level down, no ¶ link"
    assert '<a href="#partial-derivative--gradient">the gradient</a>' in book
    assert "the report" in book and "verification.md" not in book, "a page the book does not hold is plain text"
    assert '<a href="https://sympy.org">SymPy</a>' in book
    assert '<h3 id="svd--steps">' in book and "<details open" in book
    assert 'src="plots/svd--decomposition--en.svg"' in book and "lazy" not in book


def test_notation_declared_by_entries_becomes_a_table():
    eigen = ENTRIES_BY_ID["eigenvalue"]
    svd = ENTRIES_BY_ID["svd"]
    lam = Notation(symbol=r"\lambda", meaning={"ko": "고윳값", "en": "an eigenvalue"})
    sigma = Notation(symbol=r"\sigma_{i}", meaning={"ko": "특잇값 $\\sigma_{i}$", "en": "a singular value"})
    entries = [eigen.model_copy(update={"notation": [lam]}), svd.model_copy(update={"notation": [lam, sigma]})]
    words = {"symbol": "Symbol", "meaning": "Meaning", "used_in": "Used in"}
    table = notation_markdown(entries, "en", words)
    assert table.splitlines()[0] == "| Symbol | Meaning | Used in |"
    assert r"| $\lambda$ | an eigenvalue | [eigenvalue and eigenvector](linear-algebra/eigenvalue.md), " in table
    assert r"| $\sigma_{i}$ | a singular value |" in table
    assert notation_markdown(entries, "ko", words).count("특잇값 $\\sigma_{i}$") == 1
    assert notation_markdown(ENTRIES[:0], "en", words) is None


def test_note_ids_are_stable_and_distinct():
    assert note_guid("svd", None, "ko") == note_guid("svd", None, "ko")
    guids = {note_guid(e, s, lang) for e in ("svd", "pca") for s in (None, "low-rank") for lang in ("ko", "en")}
    assert len(guids) == 8
    assert MODEL_IDS["ko"] != MODEL_IDS["en"] and DECK_IDS["ko"] != DECK_IDS["en"]


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["pdf"], 2, "--lang"),
        (["anki", "--lang", "fr"], 2, "invalid choice: 'fr'"),
        (["pdf", "--lang", "ko", "--points", "many"], 2, "--points"),
        (["anki", "--lang", "ko", "--out", "."], 1, "is a folder"),
        (["pdf", "--lang", "en", "--config", "no-such-mkdocs.yml"], 1, "no-such-mkdocs.yml"),
        (["anki", "--lang", "en", "--time-limit", "abc"], 1, "abc"),
        (["--entries", "no-such-folder", "pdf", "--lang", "ko"], 1, "no-such-folder"),
    ],
)
def test_bad_arguments_are_one_line(argv, status, says, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    try:
        code = cli.main(argv if "--out" in argv else [*argv, "--out", str(tmp_path / "out")])
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert code == status, err
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_is_one_line_and_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(cli, "_source", interrupted)
    assert cli.main(["anki", "--lang", "ko"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err


def test_derivations_run_under_the_time_limit(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GLOSSARY_TIME_LIMIT", raising=False)
    monkeypatch.setenv("GLOSSARY_CACHE", str(tmp_path / "cache"))
    code = cli.main(["anki", "--lang", "en", "--time-limit", "0.05", "--out", str(tmp_path / "deck.apkg")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "took longer than 0.05 s and was stopped" in err, err
    assert not (tmp_path / "deck.apkg").exists()


# -- the real exports of the built project ------------------------------------------------------


def run(project: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "NO_MKDOCS_2_WARNING": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "glossary.cli", *argv],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def exports(built_project, tmp_path_factory) -> dict[str, Path]:
    """The Korean PDF of the built project, the English PDF of a copy whose entries declare their
    notation (sharing the built project's cache), and three decks."""
    out = tmp_path_factory.mktemp("exports")
    cache = os.environ.get("GLOSSARY_CACHE") or str(built_project / ".cache" / "glossary" / "derived")
    files = {}
    for name, argv in {
        "ko.pdf": ["pdf", "--lang", "ko"],
        "ko.apkg": ["anki", "--lang", "ko"],
        "ko-again.apkg": ["anki", "--lang", "ko"],
        "en.apkg": ["anki", "--lang", "en"],
    }.items():
        result = run(built_project, *argv, "--out", str(out / name), env={"GLOSSARY_CACHE": cache})
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("\n") == 1 and result.stdout.startswith(str(out / name)), result.stdout
        files[name] = out / name
    noted = copy_project(tmp_path_factory.mktemp("noted"))
    path = noted / "entries" / "eigenvalue.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notation"] = [
        {"symbol": r"\lambda", "meaning": {"ko": "행렬의 고윳값", "en": "an eigenvalue of a matrix"}},
        {"symbol": r"\det", "meaning": {"ko": "행렬식", "en": "the determinant"}},
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run(noted, "pdf", "--lang", "en", "--out", str(out / "en.pdf"), env={"GLOSSARY_CACHE": cache})
    assert result.returncode == 0, result.stderr
    files["en.pdf"] = out / "en.pdf"
    shutil.rmtree(noted, ignore_errors=True)
    return files


_READ: dict[Path, tuple] = {}


def read_pdf(path: Path):
    """The reader and the text of each page (extracted once per file: it takes seconds)."""
    if path not in _READ:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(path.read_bytes()))
        _READ[path] = (reader, [page.extract_text() for page in reader.pages])
    return _READ[path]


def fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def outline_titles(reader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_pdf_holds_every_term_with_math_and_page_numbers(exports, lang):
    pytest.importorskip("pypdf")
    reader, pages = read_pdf(exports[f"{lang}.pdf"])
    # A cover, the contents and at least a page per term; far fewer than a page per formula line.
    assert len(ENTRIES) + 2 <= len(pages) <= 300
    text = squeeze("\n".join(pages))
    for entry in ENTRIES:
        assert squeeze(entry.names[lang]) in text, entry.id
        for section in entry.sections:
            assert squeeze(section.names[lang]) in text, f"{entry.id}#{section.id}"
    if lang == "ko":
        assert len(re.findall(r"[가-힣]", text)) > 5000, "the Korean text is extractable"
        assert "유도과정" in text and "수치검증" in text
    # A derived result with its decimal: the sigmoid's derivative peaks at exactly 1/4 ≈ 0.25.
    vanishing = next(
        i
        for i, page in enumerate(pages)
        if squeeze(ENTRIES_BY_ID["vanishing-gradient"].names[lang]) in squeeze(page) and "0.25" in page
    )
    assert vanishing > 2
    # Math is typeset by KaTeX (its fonts are embedded), never printed as TeX source.
    embedded = fonts(reader)
    assert any("KaTeX_Main" in name for name in embedded) and any("KaTeX_Math" in name for name in embedded)
    assert not RAW_TEX.search("\n".join(pages)), RAW_TEX.search("\n".join(pages))
    # The contents lead to the page where each term begins, and the pages are numbered.
    destinations = {
        name.lstrip("/"): reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()
    }
    for entry in ENTRIES:
        first = destinations[entry.id]
        assert squeeze(entry.names[lang]) in squeeze(pages[first]), entry.id
        assert re.search(rf"(^|\n){first + 1}(\n|$)", pages[first]), f"page {first + 1} shows its number"
    contents = squeeze(pages[1] + pages[2])
    assert squeeze(ENTRIES[0].names[lang]) in contents
    # No heading ends a page alone.
    headings = {squeeze(title) for title in outline_titles(reader)}
    assert len(headings) >= len(ENTRIES)
    for number, page in enumerate(pages[2:], 3):
        lines = [line for line in page.splitlines() if line.strip()]
        assert lines and squeeze(lines[-1]) not in headings, f"page {number} ends with the heading {lines[-1]!r}"


@pytest.mark.site
@pytest.mark.browser
def test_pdf_prints_the_notation_the_entries_declare(exports):
    reader, pages = read_pdf(exports["en.pdf"])
    start = next(n for n in range(len(pages) - 1, -1, -1) if re.search(r"(^|\n)Notation(\n|$)", pages[n]))
    last = "\n".join(pages[start:])
    assert "Notation" in last and "an eigenvalue of a matrix" in last and "the determinant" in last
    assert "Notation" in outline_titles(reader)


def open_deck(path: Path) -> tuple[list[tuple[str, list[str], str]], dict, dict, dict[str, str]]:
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        assert {"collection.anki2", "media"} <= names
        media = json.loads(package.read("media"))
        for number in media:
            assert number in names
        folder = path.with_suffix(".open")
        folder.mkdir(exist_ok=True)
        package.extract("collection.anki2", folder)
    with sqlite3.connect(folder / "collection.anki2") as db:
        notes = [
            (guid, fields.split("\x1f"), tags)
            for guid, fields, tags in db.execute("select guid, flds, tags from notes order by id")
        ]
        models, decks = (json.loads(value) for value in db.execute("select models, decks from col").fetchone())
    return notes, models, decks, media


@pytest.mark.site
def test_anki_deck_has_a_note_per_term_and_sub_term(exports):
    notes, models, decks, media = open_deck(exports["ko.apkg"])
    assert len(notes) == NOTES
    assert str(MODEL_IDS["ko"]) in models and str(DECK_IDS["ko"]) in decks
    names = [html.unescape(fields[0]) for _, fields, _ in notes]
    for entry in ENTRIES:
        assert entry.names.ko in names
        for section in entry.sections:
            assert section.names.ko in names
    # Math for Anki's MathJax: every card with a formula shows it as \( … \) (named parts) or \[ … \].
    with_formula = [fields for _, fields, _ in notes if fields[4]]
    assert len(with_formula) >= len(ENTRIES)
    for fields in with_formula:
        assert re.search(r"\\\(.+?\\\)|\\\[.+?\\\]", fields[4], re.S), fields[0]
    vanishing = next(fields for _, fields, _ in notes if fields[-1] == "vanishing-gradient")
    assert "0.25" in vanishing[4] and "\\approx" in vanishing[4] and "$" not in vanishing[4]
    assert not any("$" in field for _, fields, _ in notes for field in fields[:5])
    # Figures are packed as media and referenced by the notes that show them.
    referenced = {name for _, fields, _ in notes for name in re.findall(r'<img src="([^"]+)"', fields[5])}
    assert referenced and referenced == set(media.values())


@pytest.mark.site
def test_anki_ids_are_stable_across_exports_and_languages(exports):
    first, _, _, _ = open_deck(exports["ko.apkg"])
    again, _, _, _ = open_deck(exports["ko-again.apkg"])
    english, models, decks, _ = open_deck(exports["en.apkg"])
    assert [guid for guid, _, _ in first] == [guid for guid, _, _ in again]
    assert len({guid for guid, _, _ in first}) == NOTES
    assert not {guid for guid, _, _ in first} & {guid for guid, _, _ in english}
    assert str(MODEL_IDS["en"]) in models and str(DECK_IDS["en"]) in decks
    assert {html.unescape(fields[0]) for _, fields, _ in english} >= {e.names.en for e in ENTRIES}
