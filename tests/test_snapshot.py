"""The last build's pages are reused only for the same bytes: the digest sees every byte of every input,
and a stored file of the wrong shape is never returned."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.build.snapshot import Snapshot, current_digest


def _inputs(tmp_path):
    entries, templates = tmp_path / "entries", tmp_path / "templates"
    if not entries.exists():
        shutil.copytree(ROOT / "entries", entries)
        shutil.copytree(ROOT / "templates", templates)
    files = sorted(p for folder in (entries, templates) for p in folder.rglob("*") if p.is_file())
    return entries, templates, files


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_changed_byte_anywhere_is_another_digest(tmp_path, data):
    entries, templates, files = _inputs(tmp_path)
    before = current_digest(entries, templates, 1000)
    assert before is not None and before == current_digest(entries, templates, 1000)
    path = data.draw(st.sampled_from(files))
    raw = path.read_bytes()
    at = data.draw(st.integers(0, len(raw) - 1))
    changed = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
    path.write_bytes(changed)
    try:
        after = current_digest(entries, templates, 1000)
        # An entry made unreadable (not UTF-8, say) gives no digest: the full build then names the problem.
        assert after != before
    finally:
        path.write_bytes(raw)
    assert current_digest(entries, templates, 1000) == before
    assert current_digest(entries, templates, 999) != before


def test_a_new_template_file_or_a_renamed_entry_is_another_digest(tmp_path):
    entries, templates, _ = _inputs(tmp_path)
    before = current_digest(entries, templates, 1000)
    (templates / "pages" / "extra.md.j2").write_text("", encoding="utf-8")
    assert current_digest(entries, templates, 1000) != before
    (templates / "pages" / "extra.md.j2").unlink()
    (entries / "bayes.yaml").rename(entries / "bayes-rule.yaml")
    assert current_digest(entries, templates, 1000) != before


def test_a_stored_file_of_the_wrong_shape_is_removed_and_never_returned(tmp_path):
    snapshot = Snapshot(tmp_path)
    nav = ["index.md", {"Calculus": ["calculus/index.md"]}]
    good = {"format": 1, "key": "k", "nav": nav, "pages": {"ko/a.md": "x"}}
    snapshot.write("k", good["nav"], good["pages"])
    assert snapshot.read("k") == (good["nav"], good["pages"])
    assert snapshot.read("other") is None and snapshot.path.exists()  # another key: kept, to be replaced
    for bad in (
        {**good, "pages": {"../a.md": "x"}},
        {**good, "pages": {"/etc/a.md": "x"}},
        {**good, "pages": {"ko/.hidden.md": "x"}},
        {**good, "pages": {"ko/a.html": "x"}},
        {**good, "pages": {"ko/a.md": 1}},
        {**good, "pages": {"assets/p.svg": "<svg><script>alert(1)</script></svg>"}},
        {**good, "pages": {"assets/terms.json": "{not json"}},
        {**good, "nav": ["../a.md"]},
        {**good, "nav": [{"Calculus": 3}]},
        {**good, "format": 2},
        ["not", "a", "mapping"],
    ):
        snapshot.path.write_text(json.dumps(bad), encoding="utf-8")
        assert snapshot.read("k") is None, bad
        assert not snapshot.path.exists(), bad
    snapshot.path.write_bytes(b"\xff\xfe not json")
    assert snapshot.read("k") is None and not snapshot.path.exists()
