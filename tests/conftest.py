"""Shared fixtures and Hypothesis settings for the test suite."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Symbolic work is slow per example; a modest number of examples without a
# deadline keeps property tests meaningful and the suite within CI's time.
settings.register_profile(
    "glossary",
    max_examples=int(os.environ.get("GLOSSARY_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("glossary")

# No test writes into the repository's own cache: every build in the session shares one
# temporary cache, so the entries are derived once per test session (a test that needs a
# cold cache sets GLOSSARY_CACHE itself).
import tempfile  # noqa: E402

os.environ.setdefault("GLOSSARY_CACHE", tempfile.mkdtemp(prefix="glossary-test-cache-"))

# Builds and browsers are slow: `pytest -m "not site and not browser"` is the quick loop.
_SITE_MODULES = {"test_site.py", "test_hostile.py", "test_search.py", "test_export.py", "test_properdocs.py"}
_SITE_TESTS = {"test_serve_picks_up_a_new_term_without_restart", "test_render_writes_markdown_for_other_builders"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        module = item.path.name
        if module == "test_browser.py":
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.site)
        elif module in _SITE_MODULES or item.name in _SITE_TESTS or "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.site)


# -- a real MkDocs build of the project, shared by the site and browser tests -----------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DATE_EPOCH = "1700000000"


def copy_project(target: Path) -> Path:
    """The files a build reads, copied so tests may break entries without touching the repository."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("entries", "templates", "docs"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def mkdocs_build(
    project: Path, site: Path, *, clean_cache: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    if clean_cache:
        shutil.rmtree(project / ".cache", ignore_errors=True)
    environment = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("project"))
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="session")
def built_site(built_project) -> Path:
    return built_project / "site"


def pytest_sessionfinish(session, exitstatus):
    # The calls timed by the property tests, written once for the whole session (see tests/timing.py).
    timing = sys.modules.get("timing")
    if timing is not None:
        timing.write_report()
