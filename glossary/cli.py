"""The `glossary` command for authors: list, show, verify, new, render, pdf, anki, bench.

A thin edge: it reads entries through the content layer, derives through the
same `glossary.build.SiteBuild` the MkDocs plugin uses (so the checks are the
same in both paths), prints with rich, and turns every error into one line on
stderr with its exit status (1 for a mistake, 2 for a wrong command line, 130
for Ctrl-C), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from .errors import GlossaryError, Interrupted

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _error(error: GlossaryError) -> None:
    """One unwrapped line on stderr, so that editors and scripts can read file and field."""
    print(f"error: {error.show()}", file=sys.stderr)


def _entries(args) -> Path:
    return Path(args.entries).resolve()


def _limits(args):
    from .limits import Limits, parse_seconds

    seconds = parse_seconds(args.time_limit, "--time-limit") if getattr(args, "time_limit", None) else None
    return Limits.from_environment(seconds=seconds)


def _site(args, cache: bool = True):
    from .build import SiteBuild, default_folder

    templates = Path(getattr(args, "templates", "templates")).resolve()
    root = _entries(args).parent
    return SiteBuild(
        _entries(args),
        templates,
        limits=_limits(args),
        points=_points(args),
        cache_dir=default_folder(root) if cache else None,
        warn=lambda message: print(f"warning: {message}", file=sys.stderr),
    )


def _points(args) -> int:
    from .limits import current

    points = getattr(args, "points", 1000)
    ceiling = current().max_points
    if not 1 <= points <= ceiling:
        raise GlossaryError(f"--points must be from 1 to {ceiling}, got {points}")
    return points


def command_list(args) -> int:
    from rich.table import Table

    from .content.catalog import load_entries

    entries = load_entries(_entries(args))
    table = Table("id", "category", "한국어", "English", "formulas")
    ordered = sorted(entries.items(), key=lambda item: (item[1].entry.category, item[1].entry.order))
    for entry_id, loaded in ordered:
        entry = loaded.entry
        table.add_row(entry_id, entry.category, entry.names.ko, entry.names.en, str(len(entry.all_formulas())))
    _console().print(table)
    return EXIT_OK


def _find(entries: dict, term: str):
    if term not in entries:
        import difflib

        close = difflib.get_close_matches(term, entries, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise GlossaryError(f"no entry with the id {term!r}{hint}")
    return entries[term]


def command_show(args) -> int:
    from rich.panel import Panel

    site = _site(args)
    entries = site.entries()
    loaded = _find(entries, args.term)
    results = site.results(only=[args.term])
    site.check(results)
    result = results[0]
    lang, other = args.lang, "en" if args.lang == "ko" else "ko"
    entry = loaded.entry
    console = _console()
    console.print(Panel(entry.definition[lang], title=f"{entry.names[lang]} · {entry.names[other]}"))
    for formula, record in result.all_records():
        console.rule(formula.caption[lang])
        for part in record.parts:
            shown = f"{part.name_text} = {part.text}" + (f" ≈ {part.decimal}" if part.decimal else "")
            console.print(f"  {shown}", markup=False)
        if not record.parts:
            console.print(textwrap.indent(record.result_text, "  "), markup=False)
        for number, step in enumerate(record.steps, 1):
            console.print(f"{number}. {step.caption(lang)}", markup=False)
        report = record.report
        console.print(
            f"✓ {report.method} · {report.points} points · max error {report.max_error:.1e} ≤ {report.tolerance:.1e}",
            markup=False,
        )
    return EXIT_OK


def command_verify(args) -> int:
    from rich.progress import Progress
    from rich.table import Table

    from .errors import EntryError

    # Fresh derivations (no cache): verify means checking now.
    site = _site(args, cache=False)
    entries = site.entries()
    chosen = args.terms or sorted(entries)
    for term in chosen:
        _find(entries, term)
    table = Table("entry", "formula", "helper", "points", "max error", "tolerance", "status")
    failures = 0
    with Progress(console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task("deriving and verifying", total=len(chosen))
        for term in chosen:
            try:
                results = site.results(only=[term])
                site.check(results)
            except EntryError as error:
                failures += 1
                table.add_row(term, error.field, "", "", "", "", f"✗ {error.problem}")
                _error(error)
            else:
                for formula, record in results[0].all_records():
                    r = record.report
                    table.add_row(
                        term,
                        formula.id,
                        record.helper,
                        str(r.points),
                        f"{r.max_error:.1e}",
                        f"{r.tolerance:.1e}",
                        "✓",
                    )
                for claim in results[0].claims:
                    table.add_row(term, claim.id, "misconception", "", "", "", "✓ refuted")
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
    한국어 정의를 한 문단으로 쓰세요. 유도한 결과는 {{{{first-formula}}}}처럼 인용합니다.
  en: >
    Write a one-paragraph definition in English. Quote derived results as {{{{first-formula}}}}.
symbols:
  x: real
formulas:
  - id: first-formula
    caption:
      ko: x²을 x에 대해 미분
      en: differentiate x² with respect to x
    helper: calculus.partial
    args: {{f: "x**2", x: x}}
    example: true
builds_on: []
"""


def command_new(args) -> int:
    import re

    from .content.catalog import load_entries, load_entry
    from .content.loader import SUFFIXES

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.id) or len(args.id) > 60:
        raise GlossaryError(
            f"{args.id!r} is not a valid id: use at most 60 lowercase letters and digits in words joined by hyphens, "
            "e.g. 'batch-norm'"
        )
    folder = _entries(args)
    if folder.exists() and not folder.is_dir():
        raise GlossaryError(f"{folder} is not a folder")
    for suffix in SUFFIXES:
        if (folder / f"{args.id}{suffix}").exists():
            raise GlossaryError(f"an entry with the id {args.id!r} already exists: {folder / f'{args.id}{suffix}'}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{args.id}.yaml"
        path.write_text(NEW_ENTRY.format(id=args.id), encoding="utf-8")
    except OSError as error:
        raise GlossaryError(f"cannot write the entry in {folder}: {error.strerror}") from None
    try:
        load_entry(path)
        load_entries(folder)
    except GlossaryError:
        path.unlink(missing_ok=True)
        raise
    print(path)
    return EXIT_OK


def command_render(args) -> int:
    import os
    import shutil
    import tempfile

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise GlossaryError(f"--out {out} is a file, not a folder")
    pages = _site(args).render()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".render-", dir=out.parent))
    except OSError as error:
        raise GlossaryError(f"cannot write into {out.parent}: {error.strerror}") from None
    try:
        for relative, content in sorted(pages.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise GlossaryError(f"cannot write {out}: {error.strerror}") from None
    print(f"{len(pages)} files written to {out}")
    return EXIT_OK


def _source(args):
    from .export.source import Source

    config = Path(args.config)
    if not config.is_file():
        raise GlossaryError(f"--config {config}: no such MkDocs configuration (run from the project, or name it)")
    return Source(_site(args), args.lang, config.resolve())


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


def command_pdf(args) -> int:
    from .export.pdf import write_pdf
    from .export.source import output_path

    out = output_path(args.out, f"glossary-{args.lang}.pdf")
    source = _source(args)
    katex = Path(args.config).resolve().parent / "node_modules" / "katex" / "dist"
    report = write_pdf(source, out, katex_dir=katex)
    print(f"{out}: {report.pages} pages, {_size(report.size)}, {report.formulas} formulas, in {report.seconds:.1f} s")
    return EXIT_OK


def command_anki(args) -> int:
    from .export.anki import write_deck
    from .export.source import output_path

    out = output_path(args.out, f"glossary-{args.lang}.apkg")
    report = write_deck(_source(args), out)
    print(f"{out}: {report.notes} notes, {report.media} figures, {_size(report.size)}, in {report.seconds:.1f} s")
    return EXIT_OK


def command_bench(args) -> int:
    from .bench import main as bench_main

    options = ["--config", args.config]
    options += ["--runs", str(args.runs)] if args.runs else []
    options += ["--rounds", str(args.rounds)] if args.rounds else []
    return bench_main(options)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a wrong command line in one line with exit status 2."""

    def error(self, message: str):
        print(f"error: {message} (see `glossary --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="glossary", description="Derive, verify and render the glossary.")
    main.add_argument("--entries", default="entries", help="the folder of entry files (default: entries)")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def limited(command: argparse.ArgumentParser, points: int) -> None:
        command.add_argument("--points", type=int, default=points, help=f"points of each numeric check ({points})")
        command.add_argument("--time-limit", help="seconds each formula may take (default: GLOSSARY_TIME_LIMIT or 30)")

    commands.add_parser("list", help="list the entries").set_defaults(run=command_list)

    show = commands.add_parser("show", help="derive one entry and show its formulas, steps and checks")
    show.add_argument("term")
    show.add_argument("--lang", choices=["ko", "en"], default="en")
    limited(show, 200)
    show.set_defaults(run=command_show)

    verify = commands.add_parser("verify", help="derive and verify entries; exit status 1 on any failure")
    verify.add_argument("terms", nargs="*")
    limited(verify, 1000)
    verify.set_defaults(run=command_verify)

    new = commands.add_parser("new", help="create a new entry file that builds, and print its path")
    new.add_argument("id")
    new.set_defaults(run=command_new)

    render = commands.add_parser("render", help="write the rendered Markdown to a folder")
    render.add_argument("--out", required=True)
    render.add_argument("--templates", default="templates")
    limited(render, 1000)
    render.set_defaults(run=command_render)

    for name, what, suffix in (
        ("pdf", "print the glossary in one language as a PDF", "pdf"),
        ("anki", "write the glossary in one language as an Anki deck (one note per term and sub-term)", "apkg"),
    ):
        export = commands.add_parser(name, help=what)
        export.add_argument("--lang", choices=["ko", "en"], required=True)
        export.add_argument("--out", help=f"the file to write (default: glossary-LANG.{suffix})")
        export.add_argument("--config", default="mkdocs.yml", help="the site's MkDocs configuration (mkdocs.yml)")
        export.add_argument("--templates", default="templates")
        limited(export, 1000)
        export.set_defaults(run=command_pdf if name == "pdf" else command_anki)

    bench = commands.add_parser("bench", help="time cold, warm and one-entry builds against a plain MkDocs build")
    bench.add_argument("--config", default="mkdocs.yml")
    bench.add_argument("--runs", type=int, default=0)
    bench.add_argument("--rounds", type=int, default=0)
    bench.set_defaults(run=command_bench)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        _error(Interrupted())
        return Interrupted.exit_code
    except GlossaryError as error:
        _error(error)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
