"""The same project builds with ProperDocs, the maintained fork of MkDocs 1.6 that runs the same plugins.

If MkDocs or Material reach their end of life, moving builders is an upgrade, not a rewrite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SOURCE_DATE_EPOCH, copy_project

from glossary.content.catalog import load_entries

ROOT = Path(__file__).resolve().parent.parent


def test_properdocs_builds_every_page_in_both_languages(tmp_path):
    executable = Path(sys.executable).with_name("properdocs")
    if not executable.exists():
        pytest.fail("properdocs is a test dependency: `make test` installs it")
    project = copy_project(tmp_path / "project")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [str(executable), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    site = tmp_path / "site"
    for loaded in load_entries(ROOT / "entries").values():
        entry = loaded.entry
        for prefix, lang in (("", "ko"), ("en/", "en")):
            page = site / prefix / entry.category / entry.id / "index.html"
            html = page.read_text(encoding="utf-8")
            assert f'lang="{lang}"' in html and entry.names[lang].split()[0] in html, page
            assert "arithmatex" in html or "katex" in html, page
    assert (site / "en" / "api" / "index.html").is_file()
    shutil.rmtree(project / ".cache", ignore_errors=True)
