"""Entries from files to verified results: load, validate, derive, verify.

An entry's journey reads top to bottom here: the file is parsed as data
(YAML or TOML, never code), validated by the schema, its arguments converted
by the registry, each formula derived by the core library under a time limit
and checked by its independent verifier. Every failure becomes an
`EntryError` naming the file, the field and the problem.
"""

from __future__ import annotations

import dataclasses
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import GlossaryError
from ..report import VerificationReport
from .registry import HELPERS, KINDS, ArgumentError, convert_arguments, unknown_helper_message
from .schema import Entry, Formula

# SymPy and the derivation machinery are imported inside the functions that
# derive: loading entries and cached results must stay light (warm builds).

__all__ = [
    "FORMULA_TIME_LIMIT",
    "EntryError",
    "EntryResult",
    "FormulaResult",
    "StepRecord",
    "derive_entry",
    "entry_files",
    "formula_fields",
    "load_entries",
    "load_entry",
]

#: Seconds one formula may take to derive and verify before the build stops.
FORMULA_TIME_LIMIT = 20.0
#: Points for each page's numeric check.
VERIFY_POINTS = 1000

SUFFIXES = (".yaml", ".yml", ".toml")


class EntryError(GlossaryError):
    """A mistake in an entry file: ``file: field: problem``."""

    def __init__(self, file: str | Path, field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.file}: {field}: {problem}")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML (no object tags) that refuses a key given twice."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise EntryError(path, "(file)", f"is not UTF-8 text: {error.reason} at byte {error.start}") from None
    except OSError as error:
        raise EntryError(path, "(file)", f"cannot be read: {error.strerror}") from None
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise EntryError(path, "(syntax)", f"malformed TOML: {error}") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise EntryError(path, "(syntax)", f"malformed YAML{where}: {problem}") from None


def _field_path(location: Sequence[Any]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _pydantic_problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see an existing entry for the fields)"
    if kind == "missing":
        return "is missing (every text needs both ko and en)"
    return error.get("msg", "is invalid")


def load_entry(path: str | Path) -> Entry:
    """Read and validate one entry file."""
    path = Path(path)
    data = _read_data(path)
    if not isinstance(data, dict):
        raise EntryError(path, "(top level)", f"must be a mapping of fields, got {type(data).__name__}")
    try:
        entry = Entry.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise EntryError(path, _field_path(first["loc"]), _pydantic_problem(first)) from None
    if entry.id != path.stem:
        raise EntryError(path, "id", f"{entry.id!r} must match the file name {path.stem!r}")
    seen: set[str] = set()
    for index, formula in enumerate(entry.formulas):
        _check_formula_shape(path, f"formulas[{index}]", formula, seen)
    for s_index, section in enumerate(entry.sections):
        for f_index, formula in enumerate(section.formulas):
            _check_formula_shape(path, f"sections[{s_index}].formulas[{f_index}]", formula, seen)
    return entry


def _check_formula_shape(path: Path, field: str, formula: Formula, seen: set[str]) -> None:
    if formula.id in seen:
        raise EntryError(path, f"{field}.id", f"{formula.id!r} is used twice in this entry")
    seen.add(formula.id)
    if formula.helper not in HELPERS:
        raise EntryError(path, f"{field}.helper", unknown_helper_message(formula.helper))


def entry_files(directory: str | Path) -> list[Path]:
    """Entry files in a folder, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EntryError(directory, "(folder)", "the entries folder does not exist")
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))


def load_entries(
    directory: str | Path, known_plots: Iterable[str] = (), memo: dict[Path, tuple[Any, Entry]] | None = None
) -> dict[str, tuple[Path, Entry]]:
    """Every entry of a folder, with relations and plots checked across entries.

    ``memo`` keeps parsed entries between calls; a file is parsed again only when
    its modification time or size changed.
    """
    entries: dict[str, tuple[Path, Entry]] = {}
    for path in entry_files(directory):
        if memo is None:
            entry = load_entry(path)
        else:
            status = path.stat()
            signature = (status.st_mtime_ns, status.st_size)
            remembered = memo.get(path)
            if remembered is None or remembered[0] != signature:
                remembered = memo[path] = (signature, load_entry(path))
            entry = remembered[1]
        if entry.id in entries:
            raise EntryError(path, "id", f"{entry.id!r} is also defined in {entries[entry.id][0]}")
        entries[entry.id] = (path, entry)
    plots = set(known_plots)
    for path, entry in entries.values():
        for index, target in enumerate(entry.builds_on):
            if target not in entries:
                raise EntryError(path, f"builds_on[{index}]", f"no entry has the id {target!r}")
            if target == entry.id:
                raise EntryError(path, f"builds_on[{index}]", "an entry cannot build on itself")
        for index, plot in enumerate(entry.plots):
            if plots and plot not in plots:
                raise EntryError(path, f"plots[{index}]", f"unknown plot {plot!r} (known: {', '.join(sorted(plots))})")
    return entries


def entry_symbols(entry: Entry) -> dict[str, Any]:
    import sympy as sp

    return {name: sp.Symbol(name, **{word: True for word in words.split()}) for name, words in entry.symbols.items()}


@dataclass(frozen=True)
class StepRecord:
    """A derivation step as the pages need it: captions and LaTeX."""

    ko: str
    en: str
    latex: str

    def caption(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class FormulaResult:
    """A derived and verified formula, in a form that can be cached as JSON.

    ``derivation`` holds the live SymPy objects when the formula was derived in
    this process, and is None when it came from the cache.
    """

    formula: Formula
    field: str
    result_latex: str
    result_text: str
    steps: tuple[StepRecord, ...]
    report: VerificationReport
    example: str
    seconds: float
    derivation: Any = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def output(self) -> str:
        """What the example prints: the result, then whether its check passed."""
        return f"{self.result_text}\n{self.report.passed}"

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "result_latex": self.result_latex,
            "result_text": self.result_text,
            "steps": [[s.ko, s.en, s.latex] for s in self.steps],
            "report": self.report.as_dict(),
            "example": self.example,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, formula: Formula, data: dict[str, Any]) -> FormulaResult:
        return cls(
            formula=formula,
            field=data["field"],
            result_latex=data["result_latex"],
            result_text=data["result_text"],
            steps=tuple(StepRecord(*s) for s in data["steps"]),
            report=VerificationReport(**data["report"]),
            example=data["example"],
            seconds=data["seconds"],
        )


@dataclass(frozen=True)
class EntryResult:
    path: Path
    entry: Entry
    formulas: tuple[FormulaResult, ...]

    def for_section(self, section_id: str | None) -> list[FormulaResult]:
        if section_id is None:
            ids = {f.id for f in self.entry.formulas}
        else:
            ids = {f.id for s in self.entry.sections if s.id == section_id for f in s.formulas}
        return [r for r in self.formulas if r.formula.id in ids]

    def to_json(self) -> dict[str, Any]:
        return {"formulas": [f.to_json() for f in self.formulas]}

    @classmethod
    def from_json(cls, path: Path, entry: Entry, data: dict[str, Any]) -> EntryResult:
        fields = dict(formula_fields(entry))
        return cls(path, entry, tuple(FormulaResult.from_json(fields[f["field"]], f) for f in data["formulas"]))


def short_latex(value: Any) -> str:
    """LaTeX of a result, eliding the middle of long lists (gradient-descent iterates)."""
    from ..derivation import to_latex

    if isinstance(value, list) and len(value) > 6:
        head = ", ".join(to_latex(v) for v in value[:3])
        return rf"\left[ {head}, \ldots, {to_latex(value[-1])} \right]"
    return to_latex(value)


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


def formula_fields(entry: Entry) -> list[tuple[str, Formula]]:
    fields = [(f"formulas[{i}]", f) for i, f in enumerate(entry.formulas)]
    for s, section in enumerate(entry.sections):
        fields += [(f"sections[{s}].formulas[{i}]", f) for i, f in enumerate(section.formulas)]
    return fields


def derive_entry(
    path: Path,
    entry: Entry,
    points: int = VERIFY_POINTS,
    limit: float | None = FORMULA_TIME_LIMIT,
    skip: frozenset[str] = frozenset(),
) -> EntryResult:
    """Derive and verify the formulas of an entry (all but the fields in ``skip``, known already).

    The first failure raises EntryError.
    """
    from ..derivation import time_limit
    from .examples import example_code

    symbols = entry_symbols(entry)
    results = []
    for field, formula in formula_fields(entry):
        if field in skip:
            continue
        try:
            arguments = convert_arguments(formula.helper, formula.args, symbols, field)
        except ArgumentError as error:
            raise EntryError(path, error.field, error.problem) from None
        started = time.perf_counter()
        try:
            with time_limit(limit, f"{path.name}: {field} ({formula.helper})"):
                derivation = HELPERS[formula.helper].function(**arguments)
                report = derivation.verify(points=points, seed=0)
        except GlossaryError as error:
            raise EntryError(path, field, f"{formula.helper} failed: {error}") from None
        if formula.expect is not None:
            _check_expected(path, f"{field}.expect", formula.expect, derivation.result, symbols)
        results.append(
            FormulaResult(
                formula=formula,
                field=field,
                result_latex=short_latex(derivation.result),
                result_text=str(derivation.result),
                steps=tuple(StepRecord(s.ko, s.en, s.latex) for s in derivation.steps),
                report=report,
                example=example_code(formula.helper, arguments, symbols),
                seconds=time.perf_counter() - started,
                derivation=derivation,
            )
        )
    return EntryResult(path, entry, tuple(results))
