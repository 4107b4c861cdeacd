"""Benchmarks: printed figures, not timed tests.

Part 1, the library: every formula the glossary needs, derived and verified
per helper, cold (a fresh process) and warm (the same process again), and
``import glossary`` against ``import sympy`` in the same run.

Part 2, the site: a cold build (empty cache), a warm build, a rebuild after
editing one entry, each against the floor: a plain MkDocs build of the same
rendered Markdown with the same theme and no derivation. All builds run on a
copy of the project in a temporary folder.

The last line reads ``bench: cold/floor=X warm/floor=Y edit/floor=Z import/sympy=W``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

CORE_SCRIPT = """
import json, sys, time
from pathlib import Path
from glossary.content.catalog import load_entries
from glossary.content.registry import HELPERS, convert_arguments
from glossary.content.catalog import entry_symbols, formula_fields

def run():
    timings = []
    for loaded in load_entries(sys.argv[1]).values():
        entry = loaded.entry
        symbols = entry_symbols(entry)
        for field, formula in formula_fields(entry):
            arguments = convert_arguments(formula.helper, formula.args, symbols, field)
            started = time.perf_counter()
            derivation = HELPERS[formula.helper].function(**arguments)
            derived = time.perf_counter()
            derivation.verify(points=1000, seed=0)
            timings.append((formula.helper, derived - started, time.perf_counter() - derived))
    return timings

cold = run()
warm = run()
print(json.dumps({"cold": cold, "warm": warm}))
"""


def _python() -> str:
    return sys.executable


IMPORTS = {
    "glossary": "import glossary",
    "sympy": "import sympy",
    # The helpers load SymPy on first use; this is the cost a notebook pays to use them.
    "glossary+helpers": "import glossary.calculus, glossary.linalg, glossary.probability, glossary.neural",
    "glossary.calculus": "import glossary.calculus",
    "glossary.linalg": "import glossary.linalg",
    "glossary.probability": "import glossary.probability",
    "glossary.neural": "import glossary.neural",
}


def import_times(runs: int = 7) -> dict[str, float]:
    """Best wall time of a fresh interpreter running each import, interleaved."""
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, code in IMPORTS.items():
            started = time.perf_counter()
            subprocess.run([_python(), "-c", code], check=True)
            times[name].append(time.perf_counter() - started)
    return {name: min(values) for name, values in times.items()}


def core(entries: Path) -> None:
    output = subprocess.run([_python(), "-c", CORE_SCRIPT, str(entries)], check=True, capture_output=True, text=True)
    data = json.loads(output.stdout)
    print("library: derive + verify (1000 points) per helper, cold process then warm")
    print(f"{'helper':42} {'calls':>5} {'cold s':>8} {'warm s':>8} {'slowest cold':>13}")
    rows: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for (helper, derive, check), (_, derive_w, check_w) in zip(data["cold"], data["warm"], strict=True):
        row = rows[helper]
        row[0] += 1
        row[1] += derive + check
        row[2] += derive_w + check_w
        row[3] = max(row[3], derive + check)
    for helper, (calls, cold, warm, slowest) in sorted(rows.items(), key=lambda item: -item[1][1]):
        print(f"{helper:42} {calls:>5} {cold:>8.3f} {warm:>8.3f} {slowest:>13.3f}")
    total_cold = sum(r[1] for r in rows.values())
    total_warm = sum(r[2] for r in rows.values())
    print(f"{'total':42} {sum(r[0] for r in rows.values()):>5} {total_cold:>8.3f} {total_warm:>8.3f}")


def _copy_project(source: Path, target: Path) -> None:
    shutil.copy2(source / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("entries", "templates", "docs"):
        shutil.copytree(source / folder, target / folder)
    (target / "node_modules").symlink_to((source / "node_modules").resolve())


def _floor_config(project: Path, nav: list) -> Path:
    """The same mkdocs.yml without the glossary plugin, over the already rendered pages."""
    config = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "glossary" in p)]
    config["docs_dir"] = "floor-docs"
    config["nav"] = nav
    shutil.copytree(project / ".cache" / "glossary" / "docs", project / "floor-docs")
    path = project / "floor.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def site(project_root: Path, runs: int, rounds: int) -> dict[str, float]:
    from .build import SiteBuild
    from .limits import Limits

    with tempfile.TemporaryDirectory(prefix="glossary-bench-") as folder:
        project = Path(folder)
        _copy_project(project_root, project)
        cache = project / "derived-cache"
        environment = {**os.environ, "GLOSSARY_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
        build = [_python(), "-m", "mkdocs", "build", "--quiet", "--site-dir", str(project / "site")]

        def timed(command: list[str]) -> float:
            started = time.perf_counter()
            result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"bench: build failed:\n{result.stdout}{result.stderr}")
            return time.perf_counter() - started

        colds = []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(project / ".cache", ignore_errors=True)
            colds.append(timed(build))
        nav = SiteBuild(project / "entries", project / "templates", Limits(), cache_dir=cache).navigation()
        floor_config = _floor_config(project, nav)
        floor_build = [*build[:5], "-f", str(floor_config), "--site-dir", str(project / "floor-site")]
        entry = project / "entries" / "bayes.yaml"
        original = entry.read_text(encoding="utf-8")
        # Why rounds: the machine's speed drifts over a run by more than the differences measured, so each
        # round times the floor next to a warm build and the two kinds of edit: prose (nothing to derive
        # again) and a formula's input (one entry derived again). Each figure is the best of its rounds.
        warms, floors, edits, formula_edits = [], [], [], []
        for number in range(rounds):
            warms.append(timed(build))
            floors.append(timed(floor_build))
            entry.write_text(original.replace("Bayes' rule", f"Bayes' rule {number}"), encoding="utf-8")
            edits.append(timed(build))
            changed = original.replace(
                'sick: "1/100", healthy: "99/100"', f'sick: "1/{50 + number}", healthy: "{49 + number}/{50 + number}"'
            )
            assert changed != original, "the benchmark's formula edit no longer matches bayes.yaml"
            entry.write_text(changed, encoding="utf-8")
            formula_edits.append(timed(build))
            entry.write_text(original, encoding="utf-8")
            timed(build)  # back to the original pages, so that the next round's warm build is warm
        if os.environ.get("GLOSSARY_BENCH_VERBOSE"):
            for name, times in (("cold", colds), ("warm", warms), ("floor", floors), ("edit", edits)):
                print(f"{name} runs", [round(t, 2) for t in times])
            print("formula edit runs", [round(t, 2) for t in formula_edits])
        serve_latency = _serve_edit_latency(project, entry, environment)
        import statistics

        built = project / "site"
        terms = [
            built / prefix / loaded.entry.category / loaded.entry.id / "index.html"
            for loaded in SiteBuild(project / "entries", project / "templates", Limits()).entries().values()
            for prefix in ("", "en")
        ]
        weights = page_weights(built, terms)
        index_seconds = term_index_seconds(project)
    return {
        "cold": min(colds),
        "warm": min(warms),
        "edit": min(edits),
        "edit-formula": min(formula_edits),
        "floor": min(floors),
        "serve": serve_latency,
        "weight_median": statistics.median(w for w, _ in weights),
        "weight_max": max(w for w, _ in weights),
        "weight_gzip_median": statistics.median(g for _, g in weights),
        "weight_gzip_max": max(g for _, g in weights),
        "index": index_seconds,
    }


_ASSET = __import__("re").compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def page_weights(site: Path, term_pages: list[Path]) -> list[tuple[int, int]]:
    """(bytes, gzip bytes) each term page costs a first visit: its HTML and the stylesheets, scripts and
    images it names (fonts are left out: a browser fetches only the glyphs a page shows)."""
    import gzip
    import urllib.parse

    weights = []
    for page in term_pages:
        files = [page]
        html = page.read_text(encoding="utf-8")
        for reference in _ASSET.findall(html):
            if reference.startswith(("http:", "https:", "//", "data:")):
                continue
            target = (page.parent / urllib.parse.urlsplit(reference).path).resolve()
            if target.is_file():
                files.append(target)
        raw = sum(f.stat().st_size for f in files)
        packed = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
        weights.append((raw, packed))
    return weights


def term_index_seconds(project: Path, runs: int = 5) -> float:
    """Best time to build the search box's term index from the loaded entries, as every build does."""
    from .build import SiteBuild
    from .limits import Limits
    from .render import Renderer

    site = SiteBuild(project / "entries", project / "templates", Limits(), cache_dir=project / "derived-cache")
    results = site.results()
    renderer = Renderer(project / "templates")
    best = float("inf")
    for _ in range(runs):
        site.term_index(results, renderer)
        best = min(best, site.last_index_seconds)
    return best


def _serve_edit_latency(project: Path, entry: Path, environment: dict[str, str]) -> float:
    """Seconds from saving an entry to `mkdocs serve` serving the re-derived page."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [_python(), "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def page() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/probability/bayes/", timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 120
        while "베이즈" not in page() and time.monotonic() < deadline:
            time.sleep(0.1)
        original = entry.read_text(encoding="utf-8")
        # A formula edit: with a 1/50 prior the posterior of "sick" becomes 9/58, which SymPy must derive.
        marker = r"\frac{9}{58}"
        started = time.perf_counter()
        entry.write_text(
            original.replace('sick: "1/100", healthy: "99/100"', 'sick: "1/50", healthy: "49/50"'), encoding="utf-8"
        )
        while marker not in page():
            if time.perf_counter() - started > 60:
                return float("nan")
            time.sleep(0.05)
        latency = time.perf_counter() - started
        entry.write_text(original, encoding="utf-8")
        return latency
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="glossary bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="mkdocs.yml", help="the project's mkdocs.yml")
    parser.add_argument("--runs", type=int, default=3, help="cold builds and other repetitions; the best is reported")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of a warm build, the floor and two edits; the best is reported"
    )
    parser.add_argument("--skip-core", action="store_true")
    args = parser.parse_args(argv)
    root = Path(args.config).resolve().parent
    # Why: an installed package has its bytecode compiled (pip does it at install). Where the environment
    # says not to write bytecode (PYTHONDONTWRITEBYTECODE), each build would compile the package's source
    # again, a cost no reader's build pays and the floor never does.
    compileall.compile_dir(Path(__file__).resolve().parent, quiet=1)
    if not args.skip_core:
        core(root / "entries")
        print()
    imports = import_times()
    glossary_import, sympy_import = imports["glossary"], imports["sympy"]
    print(
        f"import glossary {glossary_import:.3f} s, import sympy {sympy_import:.3f} s, "
        f"glossary with every helper module {imports['glossary+helpers']:.3f} s "
        f"({imports['glossary+helpers'] / sympy_import:.2f} × sympy)"
    )
    print(
        "  each helper module: "
        + ", ".join(f"{name} {imports[name]:.3f} s" for name in IMPORTS if name.startswith("glossary."))
    )
    timings = site(root, max(1, args.runs), max(1, args.rounds))
    floor = timings["floor"]
    labels = {
        "cold": "cold (empty cache)",
        "warm": "warm",
        "edit": "edit one entry's prose",
        "edit-formula": "edit one entry's formula",
        "floor": "floor (plain MkDocs)",
    }
    for name, label in labels.items():
        print(f"site build, {label:26} {timings[name]:7.2f} s  ({timings[name] / floor:.2f} × floor)")
    print(f"mkdocs serve: an entry whose formula was edited is served re-derived {timings['serve']:.2f} s after saving")
    print(
        f"term pages, first visit: median {timings['weight_median'] / 1024:.0f} KiB "
        f"({timings['weight_gzip_median'] / 1024:.0f} KiB gzip), largest {timings['weight_max'] / 1024:.0f} KiB "
        f"({timings['weight_gzip_max'] / 1024:.0f} KiB gzip); fonts not counted"
    )
    print(
        f"search term index: {timings['index'] * 1000:.1f} ms per build "
        f"({timings['index'] / timings['warm'] * 100:.2f}% of a warm build)"
    )
    print(
        f"bench: cold/floor={timings['cold'] / floor:.2f} warm/floor={timings['warm'] / floor:.2f} "
        f"edit/floor={timings['edit-formula'] / floor:.2f} import/sympy={glossary_import / sympy_import:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
