"""The author's loop: `glossary` commands, time limits, fuzzed entries, and `mkdocs serve` picking up a new term."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml
from conftest import copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.cli import main as cli
from glossary.content.catalog import EntryError, derive_entry, load_entry
from glossary.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
SLOW_FORMULA = {
    # The eigenvectors of a general symbolic 4×4 matrix are quartic radicals that SymPy cannot finish.
    "id": "runaway",
    "caption": {"ko": "폭주하는 계산", "en": "a runaway computation"},
    "helper": "linalg.eigen",
    "args": {"A": [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["k", "l", "m", "n"], ["o", "q", "r", "s"]]},
}
SLOW_SYMBOLS = {name: "real" for name in "abcdefghklmnoqrs"}


def entry_data(**changes) -> dict:
    data = {
        "id": "demo",
        "category": "calculus",
        "order": 5,
        "names": {"ko": "데모", "en": "demo"},
        "summary": {"ko": "요약", "en": "summary"},
        "definition": {"ko": "정의", "en": "definition"},
        "symbols": {"x": "real", "w": "real"},
        "formulas": [
            {
                "id": "first",
                "caption": {"ko": "캡션", "en": "caption"},
                "helper": "calculus.partial",
                "args": {"f": "x**3", "x": "x"},
            }
        ],
    }
    data.update(changes)
    return data


def write_entry(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_new_creates_an_entry_that_derives(tmp_path, capsys):
    entries = tmp_path / "entries"
    assert cli(["--entries", str(entries), "new", "layer-norm"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == entries / "layer-norm.yaml"
    result = derive_entry(load_entry(path), points=50)
    assert result.record("first-formula").result_text == "2*x"
    assert cli(["--entries", str(entries), "new", "layer-norm"]) == 1  # already exists
    assert "already exists" in capsys.readouterr().err
    assert cli(["--entries", str(entries), "new", "Bad Name"]) == 1


def test_list_show_and_verify(capsys):
    entries = str(ROOT / "entries")
    assert cli(["--entries", entries, "list"]) == 0
    assert "편미분" in capsys.readouterr().out
    assert cli(["--entries", entries, "show", "chain-rule", "--lang", "ko", "--points", "50"]) == 0
    shown = capsys.readouterr().out
    assert "연쇄 법칙" in shown and "central finite differences" in shown
    assert cli(["--entries", entries, "verify", "bayes", "one-hot", "--points", "100"]) == 0
    assert "✓" in capsys.readouterr().out
    assert cli(["--entries", entries, "show", "no-such-term"]) == 1
    assert "no entry with the id" in capsys.readouterr().err


def test_verify_exits_one_on_a_failing_entry(tmp_path, capsys):
    data = entry_data()
    data["formulas"][0]["expect"] = "2*x"
    write_entry(tmp_path, data)
    assert cli(["--entries", str(tmp_path), "verify"]) == 1
    err = capsys.readouterr().err
    assert "demo.yaml: formulas[0].expect" in err
    assert "Traceback" not in err


def test_a_runaway_derivation_is_stopped_within_the_limit(tmp_path, capsys):
    write_entry(tmp_path, entry_data(formulas=[SLOW_FORMULA], symbols=SLOW_SYMBOLS))
    started = time.monotonic()
    assert cli(["--entries", str(tmp_path), "verify", "--time-limit", "3"]) == 1
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert "demo.yaml" in err and "took longer than 3 s" in err
    assert elapsed < 20


def test_render_writes_markdown_for_other_builders(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        cli(
            [
                "--entries",
                str(ROOT / "entries"),
                "render",
                "--out",
                str(out),
                "--templates",
                str(ROOT / "templates"),
                "--points",
                "100",
            ]
        )
        == 0
    )
    assert (out / "ko" / "calculus" / "partial-derivative.md").is_file()
    assert (out / "en" / "deep-learning" / "backpropagation.md").is_file()
    assert (out / "assets" / "plots" / "activation-function--sigmoid-derivative--ko.svg").is_file()


# -- fuzzing: thousands of broken entries, never a traceback, never code executed -------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
PAYLOADS = st.sampled_from(
    [
        "__import__('os').system('touch MARKER')",
        "open('MARKER', 'w')",
        "().__class__.__mro__",
        "x.__class__",
        "eval('1')",
        "[x for x in ()]",
        "lambda: 0",
        "x[0]",
        "x if x else 1",
        "factorial(10**9)",
        "10**10**10",
        "x**",
        "",
        "   ",
        "sin(",
        "x @ x",
        "x < 1",
        "not x",
        "{}",
        "'text'",
        "b'bytes'",
        "1/0",
        "x; import os",
    ]
)


@st.composite
def broken_entries(draw):
    data = entry_data()
    formula = data["formulas"][0]
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["drop", "junk", "payload", "extra", "helper", "arg"]))
        if action == "drop":
            key = draw(st.sampled_from(sorted(data)))
            data.pop(key, None)
        elif action == "junk":
            key = draw(st.sampled_from(sorted(data)))
            data[key] = draw(JUNK)
        elif action == "payload":
            formula["args"]["f"] = draw(PAYLOADS)
        elif action == "extra":
            data[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
        elif action == "helper":
            formula["helper"] = draw(
                st.one_of(st.text(max_size=20), st.sampled_from(["calculus.partial", "neural.one_hot_encoding"]))
            )
        else:
            formula["args"][draw(st.sampled_from(["f", "x", "k"]))] = draw(JUNK)
    return data


@settings(max_examples=int(os.environ.get("GLOSSARY_FUZZ_EXAMPLES", "1500")), suppress_health_check=list(HealthCheck))
@given(broken_entries(), st.sampled_from(["yaml", "garbled"]))
def test_fuzzed_entries_fail_cleanly(tmp_path_factory, data, form):
    folder = tmp_path_factory.mktemp("fuzz")
    marker = folder / "MARKER"
    text = yaml.safe_dump(data, allow_unicode=True).replace("MARKER", str(marker))
    if form == "garbled":
        text = text[: len(text) // 2] + "\n  - : {[" + text[len(text) // 2 :]
    path = folder / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        derive_entry(load_entry(path), points=10)
    except EntryError as error:
        assert str(error).startswith(str(path))
    assert not marker.exists()


# -- mkdocs serve: a new term appears after saving, without a restart -------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_picks_up_a_new_term_without_restart(tmp_path):
    project = copy_project(tmp_path / "project")
    port = free_port()
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GLOSSARY_CACHE": str(tmp_path / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        home = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: fetch(home) is not None, 180), "mkdocs serve did not start"
        assert cli(["--entries", str(project / "entries"), "new", "weight-decay"]) == 0
        path = project / "entries" / "weight-decay.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace('f: "x**2"', 'f: "x**2*exp(x)"').replace("(한국어 이름)", "(가중치 감쇠)"), encoding="utf-8"
        )
        page = f"http://127.0.0.1:{port}/deep-learning/weight-decay/"
        assert wait_for(lambda: (fetch(page) or "").find("가중치 감쇠") >= 0, 120), "the new term never appeared"
        html = fetch(page)
        assert "x^{2} e^{x}" in html and "2 x e^{x}" in html  # derived by SymPy, not typed
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output
    builds = output.count("Building documentation")
    assert builds < 8, f"serve rebuilt {builds} times"


def test_the_cache_rederives_only_what_an_edit_changed(tmp_path):
    from glossary.build import SiteBuild

    entries = tmp_path / "entries"
    data = entry_data()
    data["formulas"].append(
        {
            "id": "second",
            "caption": {"ko": "둘째", "en": "second"},
            "helper": "calculus.partial",
            "args": {"f": "sin(x)", "x": "x"},
        }
    )
    path = write_entry(entries, data)
    limits = Limits()
    site = SiteBuild(entries, ROOT / "templates", limits, points=20, cache_dir=tmp_path / "cache")
    site.results()
    assert site.last_derived == ["demo"]

    fresh = SiteBuild(entries, ROOT / "templates", limits, points=20, cache_dir=tmp_path / "cache")
    fresh.results()
    assert fresh.last_derived == [] and fresh.last_cached == 2  # from the cache folder, in a new process

    data["definition"]["en"] = "a new definition"
    data["formulas"][1]["caption"]["en"] = "a new caption"
    write_entry(entries, data)
    results = fresh.results()
    assert fresh.last_derived == [] and fresh.last_cached == 0  # prose only: nothing derived, nothing re-read
    assert results[0].entry.formulas[1].caption.en == "a new caption"

    data["formulas"][1]["args"]["f"] = "cos(x)"
    write_entry(entries, data)
    results = fresh.results()
    assert fresh.last_derived == ["demo"]
    assert results[0].record("second").result_text == "-sin(x)"
    assert results[0].record("first").result_text == "3*x**2"
    assert path.is_file()
