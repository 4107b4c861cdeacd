"""Entries from files to verified results: load, validate, derive, verify.

An entry's journey reads top to bottom here: the file is read once within its
limits and parsed as data (`glossary.content.loader`), validated by the schema
and against the other entries, then each formula is derived by the core
library, checked by its independent verifier and turned into a JSON record
that the renderer and the cache use. Every failure is an `EntryError` naming
the file, the field and the problem.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import EntryError, GlossaryError
from .loader import EntrySource, entry_files, parse_entry_bytes, read_bounded, read_entry_source
from .prose import Reference, check_prose
from .records import ClaimRecord, FormulaRecord
from .registry import HELPERS, KINDS, ArgumentError, convert_arguments, unknown_helper_message
from .schema import Entry, Formula

# SymPy and the derivation machinery are imported inside the functions that
# derive: loading entries and cached results must stay light (warm builds).

__all__ = [
    "EntryError",
    "EntryResult",
    "LoadedEntry",
    "derive_entry",
    "derive_formula",
    "entry_files",
    "entry_symbols",
    "formula_fields",
    "load_entries",
    "load_entry",
    "prose_fields",
]


@dataclass(frozen=True)
class LoadedEntry:
    """An entry as read once: where it came from, its exact bytes and the validated data."""

    source: EntrySource
    entry: Entry

    @property
    def path(self) -> Path:
        return self.source.path

    def __reduce__(self):
        # Pickled as its bytes: the receiver parses and validates the very bytes this entry was read from.
        return (_loaded_from_bytes, (self.source.path, self.source.raw))

    @property
    def digest(self) -> str:
        """SHA-256 of the exact bytes the entry was parsed from."""
        return hashlib.sha256(self.source.raw).hexdigest()


def _field_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, str) and (part.startswith("function-after[") or part == "[key]"):
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _pydantic_problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see an existing entry for the fields)"
    if kind == "missing":
        return "is missing (every text needs both ko and en)"
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


def formula_fields(entry: Entry) -> list[tuple[str, Formula]]:
    """Every formula with the field path that names it in errors (``sections[1].formulas[0]``)."""
    fields = [(f"formulas[{i}]", f) for i, f in enumerate(entry.formulas)]
    for s, section in enumerate(entry.sections):
        fields += [(f"sections[{s}].formulas[{i}]", f) for i, f in enumerate(section.formulas)]
    return fields


def prose_fields(entry: Entry) -> Iterator[tuple[str, str, str]]:
    """Every prose text as (field path, language, text)."""
    for lang in ("ko", "en"):
        yield f"definition.{lang}", lang, entry.definition[lang]
        if entry.notes:
            yield f"notes.{lang}", lang, entry.notes[lang]
        for field, formula in formula_fields(entry):
            if formula.note:
                yield f"{field}.note.{lang}", lang, formula.note[lang]
            if formula.plot:
                yield f"{field}.plot.caption.{lang}", lang, formula.plot.caption[lang]
        for index, section in enumerate(entry.sections):
            yield f"sections[{index}].text.{lang}", lang, section.text[lang]
        for index, misconception in enumerate(entry.misconceptions):
            yield f"misconceptions[{index}].explanation.{lang}", lang, misconception.explanation[lang]


def entry_references(entry: Entry) -> Iterator[tuple[str, Reference]]:
    """Every reference to a derived result in the entry's prose and checks, with its field."""
    for field, _, text in prose_fields(entry):
        for reference in check_prose(text):
            yield field, reference
    from .claims import check_references

    for index, misconception in enumerate(entry.misconceptions):
        for side in ("left", "right"):
            for reference in check_references(getattr(misconception.check, side)):
                yield f"misconceptions[{index}].check.{side}", reference


def validate(source: EntrySource) -> Entry:
    """The schema, then what the schema cannot see: the file name, helpers, plots, references."""
    from ..plots import PLOTS

    path = source.path
    if not isinstance(source.data, dict):
        raise EntryError(path, "(top level)", f"must be a mapping of fields, got {type(source.data).__name__}")
    try:
        entry = Entry.model_validate(source.data)
    except ValidationError as error:
        first = error.errors()[0]
        raise EntryError(path, _field_path(first["loc"]), _pydantic_problem(first)) from None
    if entry.id != path.stem:
        raise EntryError(path, "id", f"{entry.id!r} must match the file name {path.stem!r}")
    formula_ids = {f.id for f in entry.all_formulas()}
    for field, formula in formula_fields(entry):
        if formula.helper not in HELPERS:
            raise EntryError(path, f"{field}.helper", unknown_helper_message(formula.helper))
        if formula.plot is not None:
            plot = PLOTS.get(formula.plot.name)
            if plot is None:
                raise EntryError(
                    path, f"{field}.plot.name", f"unknown plot {formula.plot.name!r} (known: {', '.join(PLOTS)})"
                )
            if formula.helper not in plot.helpers:
                raise EntryError(
                    path,
                    f"{field}.plot.name",
                    f"the plot {plot.name!r} draws the result of {' or '.join(plot.helpers)}, not {formula.helper}",
                )
    examples = [field for field, formula in formula_fields(entry) if formula.example]
    if len(examples) > 1:
        raise EntryError(path, f"{examples[1]}.example", f"only one formula may be the example (also {examples[0]})")
    try:
        references = list(entry_references(entry))
    except GlossaryError as error:  # pragma: no cover - the schema has checked the prose already
        raise EntryError(path, "(prose)", str(error)) from None
    for field, reference in references:
        if reference.formula not in formula_ids:
            raise EntryError(
                path,
                field,
                f"{reference.source} names no formula of this entry (formulas: {', '.join(sorted(formula_ids))})",
            )
    return entry


def _loaded_from_bytes(path: Path, raw: bytes) -> LoadedEntry:
    source = EntrySource(path, raw, parse_entry_bytes(path, raw))
    return LoadedEntry(source, validate(source))


def load_entry(path: str | Path) -> LoadedEntry:
    """Read and validate one entry file."""
    source = read_entry_source(path)
    return LoadedEntry(source, validate(source))


def load_entries(directory: str | Path, memo: dict[Path, LoadedEntry] | None = None) -> dict[str, LoadedEntry]:
    """Every entry of a folder, with the relations between entries checked.

    ``memo`` keeps validated entries between calls: a file is parsed again only
    when its bytes differ from those the kept entry was parsed from.
    """
    entries: dict[str, LoadedEntry] = {}
    for path in entry_files(directory):
        remembered = memo.get(path) if memo is not None else None
        loaded = _reuse_or_load(path, remembered) if remembered is not None else load_entry(path)
        if memo is not None:
            memo[path] = loaded
        if loaded.entry.id in entries:
            raise EntryError(path, "id", f"{loaded.entry.id!r} is also defined in {entries[loaded.entry.id].path}")
        entries[loaded.entry.id] = loaded
    _check_relations(entries)
    return entries


def _reuse_or_load(path: Path, remembered: LoadedEntry) -> LoadedEntry:
    raw = read_bounded(path)
    if raw == remembered.source.raw:
        return remembered
    source = EntrySource(path, raw, parse_entry_bytes(path, raw))
    return LoadedEntry(source, validate(source))


def _check_relations(entries: dict[str, LoadedEntry]) -> None:
    for loaded in entries.values():
        entry, path = loaded.entry, loaded.path
        for index, target in enumerate(entry.builds_on):
            if target == entry.id:
                raise EntryError(path, f"builds_on[{index}]", "an entry cannot build on itself")
            if target not in entries:
                raise EntryError(path, f"builds_on[{index}]", f"no entry has the id {target!r}")
        for field, _, text in prose_fields(entry):
            for target in _term_links(text):
                if target not in entries:
                    raise EntryError(path, field, f"the link term:{target} names no entry")
    cycle = _find_cycle({i: list(loaded.entry.builds_on) for i, loaded in entries.items()})
    if cycle:
        first = entries[cycle[0]]
        raise EntryError(
            first.path, "builds_on", f"the terms build on each other in a circle: {' → '.join([*cycle, cycle[0]])}"
        )


def _term_links(text: str) -> list[str]:
    import re

    return re.findall(r"\]\(term:([a-z0-9]+(?:-[a-z0-9]+)*)", text)


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for target in graph.get(node, []):
            if state.get(target) == 1:
                return trail[trail.index(target) :]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = 2
        trail.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def entry_symbols(entry: Entry) -> dict[str, Any]:
    import sympy as sp

    return {name: sp.Symbol(name, **{word: True for word in words.split()}) for name, words in entry.symbols.items()}


@dataclass(frozen=True)
class EntryResult:
    """An entry with the records of its derived formulas and its refuted misconceptions."""

    loaded: Any
    records: dict[str, FormulaRecord]
    claims: tuple[ClaimRecord, ...] = ()

    @property
    def entry(self) -> Entry:
        return self.loaded.entry

    @property
    def path(self) -> Path:
        return self.loaded.path

    @cached_property
    def fields(self) -> dict[str, tuple[str, Formula]]:
        return {formula.id: (field, formula) for field, formula in formula_fields(self.entry)}

    def record(self, formula_id: str) -> FormulaRecord:
        return self.records[self.fields[formula_id][0]]

    def formulas(self, section_id: str | None = None) -> list[tuple[Formula, FormulaRecord]]:
        """The formulas of the page's main part (None) or of one section, with their records."""
        if section_id is None:
            chosen = self.entry.formulas
        else:
            chosen = next(s.formulas for s in self.entry.sections if s.id == section_id)
        return [(formula, self.record(formula.id)) for formula in chosen]

    def all_records(self) -> list[tuple[Formula, FormulaRecord]]:
        return [(formula, self.records[field]) for field, formula in self.fields.values()]

    def example(self) -> tuple[Formula, FormulaRecord]:
        pairs = self.all_records()
        return next((pair for pair in pairs if pair[0].example), pairs[0])


def derive_entry(loaded: LoadedEntry, points: int = 1000) -> EntryResult:
    """Derive and verify every formula of an entry in this process, then its misconceptions.

    The site build runs the same steps in child processes, under the limits; this is for
    notebooks and tests that want the records directly.
    """
    from .claims import evaluate_misconceptions

    records = {
        field: FormulaRecord.model_validate(derive_formula(loaded, field, points))
        for field, _ in formula_fields(loaded.entry)
    }
    claims = tuple(ClaimRecord.model_validate(item) for item in evaluate_misconceptions(loaded))
    return EntryResult(loaded, records, claims)


# -- deriving one formula (in a child process, under the limits) -------------------------------------


def _check_expected(path: Path, field: str, expect: Any, result: Any, symbols: dict[str, Any]) -> None:
    """Compare the derived result with the answer the author expects."""
    import sympy as sp

    from ..derivation import values_equal

    if not isinstance(result, (sp.Expr, sp.MatrixBase)):
        raise EntryError(path, field, "expect can only check a result that is one expression or one matrix")
    kind = "matrix" if isinstance(expect, list) else "expr"
    try:
        expected = KINDS[kind](expect, symbols, field)
    except ArgumentError as error:
        raise EntryError(path, error.field, error.problem) from None
    if not values_equal(result, expected, field):
        raise EntryError(path, field, f"SymPy derived {result}, which differs from the expected {expected}")


def derive(loaded: LoadedEntry, field: str) -> Any:
    """The `glossary.Derivation` of one formula (no verification)."""
    path, entry = loaded.path, loaded.entry
    formula = dict(formula_fields(entry))[field]
    symbols = entry_symbols(entry)
    try:
        arguments = convert_arguments(formula.helper, formula.args, symbols, field)
    except ArgumentError as error:
        raise EntryError(path, error.field, error.problem) from None
    try:
        return HELPERS[formula.helper].function(**arguments), arguments, symbols
    except EntryError:
        raise
    except GlossaryError as error:
        raise EntryError(path, field, f"{formula.helper} failed: {error.show()}") from None


def derive_formula(loaded: LoadedEntry, field: str, points: int) -> dict[str, Any]:
    """Derive and verify one formula and return its record (JSON-able). Raises `EntryError`."""
    from ..plots import PLOTS, require_korean_font
    from .examples import example_code
    from .records import formula_record

    path = loaded.path
    formula = dict(formula_fields(loaded.entry))[field]
    started = time.perf_counter()
    derivation, arguments, symbols = derive(loaded, field)
    try:
        report = derivation.verify(points=points, seed=0)
    except GlossaryError as error:
        raise EntryError(path, field, f"{formula.helper} failed its numeric check: {error.show()}") from None
    if formula.expect is not None:
        _check_expected(path, f"{field}.expect", formula.expect, derivation.result, symbols)
    plot = None
    if formula.plot is not None:
        try:
            require_korean_font()
            plot = {lang: PLOTS[formula.plot.name].draw(derivation, arguments, lang) for lang in ("ko", "en")}
        except GlossaryError as error:
            raise EntryError(path, f"{field}.plot", f"the plot could not be drawn: {error.show()}") from None
    return formula_record(
        field=field,
        derivation=derivation,
        report=report,
        example=example_code(formula.helper, arguments, symbols),
        seconds=time.perf_counter() - started,
        plot=plot,
    )
