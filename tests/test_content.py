"""Entries as data: schema errors name file and field, expressions never execute, examples run."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.content import registry
from glossary.content.catalog import EntryError, EntryResult, derive_entry, load_entries, load_entry
from glossary.content.expressions import ExpressionError, parse_expression
from glossary.content.prose import escape_text
from glossary.render import Renderer, capitalise

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = ROOT / "entries"

VALID = textwrap.dedent(
    """\
    id: demo
    category: calculus
    order: 5
    names: {ko: 데모, en: demo}
    summary: {ko: 요약, en: summary}
    definition: {ko: 정의, en: definition}
    symbols: {x: real}
    formulas:
      - id: first
        caption: {ko: 캡션, en: caption}
        helper: calculus.partial
        args: {f: "x**3", x: x}
    """
)


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_entry_derives_and_verifies(tmp_path):
    path = write(tmp_path, VALID)
    result = derive_entry(load_entry(path), points=50)
    record = result.record("first")
    assert record.result_text == "3*x**2"
    assert record.report.max_error <= record.report.tolerance


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (VALID.replace("names: {ko: 데모, en: demo}", "names: {ko: 데모}"), "names.en", "missing"),
        (VALID.replace("order: 5", "order: 5\ncolour: red"), "colour", "unknown field"),
        (VALID.replace("calculus.partial", "calculus.integrate"), "formulas[0].helper", "unknown helper"),
        (VALID.replace('f: "x**3"', 'f: "x**"'), "formulas[0].args.f", "not a valid expression"),
        (VALID.replace('f: "x**3"', 'f: "y**3"'), "formulas[0].args.f", "unknown name 'y'"),
        (VALID.replace("x: x}", "x: z}"), "formulas[0].args.x", "not a declared symbol"),
        (VALID.replace('args: {f: "x**3", x: x}', 'args: {f: "x**3"}'), "formulas[0].args", "needs the argument 'x'"),
        (VALID.replace("x: x}", "x: x, g: 1}"), "formulas[0].args", "takes no argument 'g'"),
        (VALID.replace("category: calculus", "category: poetry"), "category", "unknown category 'poetry'"),
        (VALID.replace("id: demo", "id: other"), "id", "must match the file name"),
        (VALID.replace("symbols: {x: real}", "symbols: {x: reel}"), "symbols", "unknown assumption"),
        (VALID + '    expect: "2*x"\n', "formulas[0].expect", "differs from the expected"),
        (VALID.replace("order: 5", "order: 5\norder: 6"), "(syntax)", "given twice"),
        (VALID.replace("names: {ko: 데모, en: demo}", "names: {ko: 데모, en: [demo"), "(syntax)", "malformed YAML"),
        ("- just\n- a list\n", "(top level)", "must be a mapping"),
    ],
    ids=[
        "missing-translation",
        "unknown-field",
        "unknown-helper",
        "syntax-in-expression",
        "undeclared-name",
        "undeclared-symbol-argument",
        "missing-argument",
        "extra-argument",
        "bad-category",
        "id-mismatch",
        "bad-assumption",
        "wrong-expected-formula",
        "duplicate-key",
        "malformed-yaml",
        "not-a-mapping",
    ],
)
def test_mistakes_name_the_file_the_field_and_the_problem(tmp_path, text, field, problem):
    path = write(tmp_path, text)
    with pytest.raises(EntryError) as caught:
        derive_entry(load_entry(path), points=20)
    error = caught.value
    assert error.file == str(path)
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"{path}: {field}: ")


def test_malformed_toml_is_reported(tmp_path):
    path = write(tmp_path, 'id = "demo"\nnames = {ko = "x"', name="demo.toml")
    with pytest.raises(EntryError, match="malformed TOML"):
        load_entry(path)


def test_a_toml_entry_works(tmp_path):
    toml = textwrap.dedent(
        """\
        id = "demo"
        category = "calculus"
        order = 1
        names = {ko = "데모", en = "demo"}
        summary = {ko = "요약", en = "summary"}
        definition = {ko = "정의", en = "definition"}
        symbols = {x = "real"}
        [[formulas]]
        id = "first"
        caption = {ko = "캡션", en = "caption"}
        helper = "calculus.partial"
        args = {f = "sin(x)", x = "x"}
        """
    )
    path = write(tmp_path, toml, name="demo.toml")
    assert derive_entry(load_entry(path), points=20).record("first").result_text == "cos(x)"


INJECTIONS = [
    "().__class__.__base__.__subclasses__()",
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('x')",
    "exec(\"open('{marker}','w')\")",
    "eval('1')",
    "x.__class__",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "lambda: open('{marker}', 'w')",
    "getattr(x, 'func')",
    "x if open('{marker}', 'w') else x",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_is_rejected_without_running(tmp_path, payload):
    marker = tmp_path / "pwned"
    # JSON strings are YAML strings: the payload arrives in the field exactly as written.
    text = VALID.replace(
        'args: {f: "x**3", x: x}', "args: {x: x, f: " + json.dumps(payload.format(marker=marker)) + "}"
    )
    path = write(tmp_path, text)
    with pytest.raises(EntryError) as caught:
        derive_entry(load_entry(path), points=20)
    assert caught.value.field == "formulas[0].args.f"
    assert not marker.exists()


@pytest.mark.parametrize("payload", ["factorial(10**6)", "2**(10**8)", "9**9**9", "x**(10**9)", "1/0"])
def test_expressions_that_would_stall_or_are_undefined_are_refused(payload):
    with pytest.raises(ExpressionError):
        parse_expression(payload, {"x": sp.Symbol("x")})


@given(st.text(max_size=80))
def test_the_parser_never_raises_anything_but_expression_error(text):
    with contextlib.suppress(ExpressionError):
        parse_expression(text, {"x": sp.Symbol("x")})


@given(
    st.recursive(
        st.sampled_from(["x", "2", "0.5", "pi"]),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["sin", "cos", "exp", "tanh"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        ),
        max_leaves=8,
    )
)
def test_parsed_expressions_equal_their_meaning(text):
    x = sp.Symbol("x")
    try:
        parsed = parse_expression(text, {"x": x})
    except ExpressionError:
        return  # a division by zero in the generated text
    # The oracle: Python's own arithmetic on floats, at x = 0.3, with math functions.
    import math

    namespace = {"x": 0.3, "pi": math.pi, "sin": math.sin, "cos": math.cos, "exp": math.exp, "tanh": math.tanh}
    try:
        expected = eval(text, {"__builtins__": {}}, namespace)
    except (ZeroDivisionError, OverflowError):
        return
    assert complex(parsed.subs(x, 0.3).evalf()) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_every_repository_entry_loads_with_known_plots_and_relations():
    entries = load_entries(ENTRIES)
    spec_ids = {
        "partial-derivative",
        "chain-rule",
        "eigenvalue",
        "pca",
        "svd",
        "bernoulli",
        "binomial",
        "normal",
        "mle",
        "bayes",
        "activation-function",
        "loss-function",
        "gradient-descent",
        "batch",
        "mini-batch",
        "overfitting",
        "regularization",
        "backpropagation",
        "one-hot",
        "vanishing-gradient",
    }
    assert spec_ids <= set(entries)


def test_unknown_relation_names_the_field(tmp_path):
    write(tmp_path, VALID.replace("order: 5", "order: 5\nbuilds_on: [nowhere]"))
    with pytest.raises(EntryError, match=r"builds_on\[0\]: no entry has the id 'nowhere'"):
        load_entries(tmp_path)


def test_every_helper_in_the_registry_has_a_parameter_kind():
    for name, helper in registry.HELPERS.items():
        assert name.split(".")[0] == helper.family, name
        for kind in helper.parameters.values():
            assert kind in registry.KINDS


@pytest.fixture(scope="module")
def derived_entries():
    entries = load_entries(ENTRIES)
    return [derive_entry(loaded, points=200) for loaded in entries.values()]


def test_every_example_runs_and_prints_what_the_page_shows(derived_entries):
    pages = Renderer(ROOT / "templates").render_pages(derived_entries)
    for result in derived_entries:
        for formula, record in result.all_records():
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(record.example, f"<example {result.entry.id}/{formula.id}>", "exec"), {})
            printed = output.getvalue().strip()
            assert printed == record.output, (result.entry.id, formula.id)
        _, shown = result.example()
        page = pages[f"en/{result.entry.category}/{result.entry.id}.md"]
        assert shown.example in page
        assert shown.output in page


def test_rendered_pages_cover_every_term_in_both_languages(derived_entries):
    pages = Renderer(ROOT / "templates").render_pages(derived_entries)
    for result in derived_entries:
        for lang in ("ko", "en"):
            page = pages[f"{lang}/{result.entry.category}/{result.entry.id}.md"]
            assert capitalise(result.entry.names[lang]) in page
            # a term named in the first word is linked: [역전파](…){ .glossary-term … }에서
            unlinked = re.sub(r"\[([^\]]*)\]\([^)]*\)\{ \.glossary-term[^}]*\}", r"\1", page)
            assert escape_text(result.entry.definition[lang].split()[0]) in unlinked
            assert "$$" in page
            for section in result.entry.sections:
                assert f"{{ #{section.id} }}" in page
    assert {"ko/index.md", "en/index.md", "ko/concept-map.md", "en/verification.md", "en/api.md"} <= set(pages)


def test_a_failed_check_stops_with_the_entry_name(tmp_path, monkeypatch):
    """A helper whose result disagrees with its independent check fails the entry, naming it."""
    from glossary import calculus
    from glossary.derivation import Derivation
    from glossary.numeric import derivative_verifier

    right_partial = calculus.partial

    def wrong_partial(f, x):
        right = right_partial(f, x)
        wrong = right.result + 1
        return Derivation(wrong, right.steps, derivative_verifier([(f, wrong, x)]), helper="calculus.partial")

    monkeypatch.setattr(calculus, "partial", wrong_partial)
    path = write(tmp_path, VALID)
    with pytest.raises(
        EntryError, match=r"demo.yaml: formulas\[0\]: calculus.partial failed its numeric check: .*relative error"
    ):
        derive_entry(load_entry(path), points=50)


def test_copying_an_entry_folder_keeps_it_valid(tmp_path):
    target = tmp_path / "entries"
    shutil.copytree(ENTRIES, target)
    assert len(load_entries(target)) == len(list(ENTRIES.glob("*.yaml")))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_term_pages_made_while_others_derive_are_the_pages_made_after(derived_entries, data):
    """The early term pages of a build see the entries being derived without their records: the site
    must not change by a byte for it, whichever entries were still being derived."""
    renderer = Renderer(ROOT / "templates")
    deriving = data.draw(st.sets(st.sampled_from([r.entry.id for r in derived_entries]), min_size=1))
    everyone = [r if r.entry.id not in deriving else EntryResult(r.loaded, {}) for r in derived_entries]
    early = renderer.term_pages(everyone, {r.entry.id for r in derived_entries} - deriving)
    assert len(early) == 2 * (len(derived_entries) - len(deriving))
    assert renderer.render_pages(derived_entries, early) == Renderer(ROOT / "templates").render_pages(derived_entries)
