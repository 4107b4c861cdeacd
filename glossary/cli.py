"""The `glossary` command for authors: list, show, verify, new, render, bench.

A thin edge: it reads entries through the content layer, prints with rich, and
turns every GlossaryError into one line on stderr and exit status 1, without
a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from .errors import GlossaryError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _error(error: Exception) -> None:
    """One unwrapped line on stderr, so that editors and scripts can read file and field."""
    print(f"error: {error}", file=sys.stderr)


def _entries(args) -> Path:
    return Path(args.entries).resolve()


def command_list(args) -> int:
    from rich.table import Table

    from .content.catalog import load_entries

    entries = load_entries(_entries(args))
    table = Table("id", "category", "한국어", "English", "formulas")
    for entry_id, (_, entry) in sorted(entries.items(), key=lambda item: (item[1][1].category, item[1][1].order)):
        table.add_row(entry_id, entry.category, entry.names.ko, entry.names.en, str(len(entry.all_formulas())))
    _console().print(table)
    return EXIT_OK


def _find(args, term: str):
    from .content.catalog import load_entries

    entries = load_entries(_entries(args))
    if term not in entries:
        import difflib

        close = difflib.get_close_matches(term, entries, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise GlossaryError(f"no entry with the id {term!r}{hint}")
    return entries[term]


def command_show(args) -> int:
    import sympy as sp
    from rich.panel import Panel

    from .content.catalog import derive_entry

    path, entry = _find(args, args.term)
    result = derive_entry(path, entry, points=args.points)
    lang = args.lang
    console = _console()
    console.print(
        Panel(entry.definition[lang], title=f"{entry.names[lang]} · {entry.names['en' if lang == 'ko' else 'ko']}")
    )
    for formula in result.formulas:
        console.rule(formula.formula.caption[lang])
        for number, step in enumerate(formula.derivation.steps, 1):
            console.print(f"[bold]{number}.[/bold] {step.caption(lang)}")
            console.print(textwrap.indent(sp.pretty(step.expr, use_unicode=True), "   "))
        report = formula.report
        console.print(
            f"[green]✓[/green] {report.method} · {report.points} points · "
            f"max error {report.max_error:.1e} ≤ {report.tolerance:.1e}"
        )
    return EXIT_OK


def command_verify(args) -> int:
    from rich.progress import Progress
    from rich.table import Table

    from .build import entry_job, run_in_children
    from .content.catalog import EntryError, EntryResult, load_entries

    entries = load_entries(_entries(args))
    chosen = args.terms or sorted(entries)
    for term in chosen:
        if term not in entries:
            raise GlossaryError(f"no entry with the id {term!r}")
    table = Table("entry", "formula", "helper", "points", "max error", "tolerance", "status")
    failures = 0
    with Progress(console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task("deriving and verifying", total=len(chosen))
        for term in chosen:
            path, entry = entries[term]
            try:
                data = run_in_children([entry_job(path, entry, args.points)], args.time_limit, workers=1)[term]
            except EntryError as error:
                failures += 1
                table.add_row(term, error.field, "", "", "", "", f"[red]✗ {error.problem}[/red]")
                _error(error)
            else:
                for formula in EntryResult.from_json(path, entry, data).formulas:
                    r = formula.report
                    table.add_row(
                        term,
                        formula.formula.id,
                        formula.formula.helper,
                        str(r.points),
                        f"{r.max_error:.1e}",
                        f"{r.tolerance:.1e}",
                        "[green]✓[/green]",
                    )
            progress.advance(task)
    _console().print(table)
    return EXIT_FAILED if failures else EXIT_OK


NEW_ENTRY = """\
# A new glossary entry. Every text needs Korean (ko) and English (en).
# Formulas name a library helper and its arguments; expressions are parsed
# by a whitelist (arithmetic, declared symbols, listed functions), never run.
id: {id}
category: deep-learning
order: 100
names:
  ko: {id} (한국어 이름)
  en: {id}
variants:
  ko: []
  en: []
summary:
  ko: 한 줄 요약을 쓰세요.
  en: Write a one-line summary.
definition:
  ko: >
    한국어 정의를 한 문단으로 쓰세요.
  en: >
    Write a one-paragraph definition in English.
symbols:
  x: real
formulas:
  - id: first-formula
    caption:
      ko: x² 를 x 에 대해 미분
      en: differentiate x² with respect to x
    helper: calculus.partial
    args: {{f: "x**2", x: x}}
    example: true
builds_on: []
plots: []
"""


def command_new(args) -> int:
    import re

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.id):
        raise GlossaryError(f"{args.id!r} is not a valid id: use lowercase words joined by hyphens, e.g. 'batch-norm'")
    folder = _entries(args)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{args.id}.yaml"
    if path.exists():
        raise GlossaryError(f"{path} already exists")
    path.write_text(NEW_ENTRY.format(id=args.id), encoding="utf-8")
    print(path)
    return EXIT_OK


def command_render(args) -> int:
    from .build import SiteBuild

    out = Path(args.out)
    site = SiteBuild(_entries(args), Path(args.templates).resolve(), points=args.points, time_limit=args.time_limit)
    pages = site.render()
    for relative, content in sorted(pages.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    print(f"{len(pages)} files written to {out}")
    return EXIT_OK


def command_bench(args) -> int:
    from .bench import main as bench_main

    return bench_main(["--config", args.config, *(["--runs", str(args.runs)] if args.runs else [])])


def parser() -> argparse.ArgumentParser:
    from .build import ENTRY_TIME_LIMIT

    main = argparse.ArgumentParser(prog="glossary", description="Derive, verify and render the glossary.")
    main.add_argument("--entries", default="entries", help="the folder of entry files (default: entries)")
    commands = main.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="list the entries").set_defaults(run=command_list)

    show = commands.add_parser("show", help="derive one entry and show its formulas, steps and checks")
    show.add_argument("term")
    show.add_argument("--lang", choices=["ko", "en"], default="en")
    show.add_argument("--points", type=int, default=200)
    show.set_defaults(run=command_show)

    verify = commands.add_parser("verify", help="derive and verify entries; exit status 1 on any failure")
    verify.add_argument("terms", nargs="*")
    verify.add_argument("--points", type=int, default=1000)
    verify.add_argument("--time-limit", type=float, default=ENTRY_TIME_LIMIT)
    verify.set_defaults(run=command_verify)

    new = commands.add_parser("new", help="create a new entry file that builds, and print its path")
    new.add_argument("id")
    new.set_defaults(run=command_new)

    render = commands.add_parser("render", help="write the rendered Markdown to a folder")
    render.add_argument("--out", required=True)
    render.add_argument("--templates", default="templates")
    render.add_argument("--points", type=int, default=1000)
    render.add_argument("--time-limit", type=float, default=ENTRY_TIME_LIMIT)
    render.set_defaults(run=command_render)

    bench = commands.add_parser("bench", help="time cold, warm and one-entry builds against a plain MkDocs build")
    bench.add_argument("--config", default="mkdocs.yml")
    bench.add_argument("--runs", type=int, default=0)
    bench.set_defaults(run=command_bench)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GlossaryError as error:
        _error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
