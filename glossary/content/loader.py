"""Reading an entry file as bounded data, before any other work.

An entry comes from a stranger's pull request, so the file is read with a size
limit, must be a regular file, and is parsed as data only: YAML without
anchors, aliases or tags (no alias bombs, no ``!!binary`` hiding text), TOML
through the standard library; nesting depth, string lengths and integer sizes
are checked while loading. The exact bytes read are returned with the data, so
that the cache is keyed by what was parsed and nothing reads the file twice.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import EntryError

__all__ = ["LIMITS", "EntrySource", "parse_entry_bytes", "read_bounded", "read_entry_source"]

SUFFIXES = (".yaml", ".yml", ".toml")


@dataclass(frozen=True)
class InputLimits:
    """Bounds on an entry file, checked before anything else reads it."""

    file_bytes: int = 256 * 1024
    depth: int = 12
    string_chars: int = 6000
    integer_digits: int = 60
    items: int = 2000


LIMITS = InputLimits()


@dataclass(frozen=True)
class EntrySource:
    """An entry file as read once: its path, its exact bytes and the data parsed from them."""

    path: Path
    raw: bytes
    data: Any


def read_bounded(path: Path) -> bytes:
    try:
        status = os.stat(path)  # follows a link: what matters is what would be read
    except FileNotFoundError:
        raise EntryError(path, "(file)", "does not exist (a link pointing nowhere?)") from None
    except OSError as error:
        raise EntryError(path, "(file)", f"cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise EntryError(path, "(file)", "is not a regular file (entries must be plain text files)")
    if status.st_size > LIMITS.file_bytes:
        raise EntryError(path, "(file)", f"is {status.st_size} bytes; an entry may have at most {LIMITS.file_bytes}")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(LIMITS.file_bytes + 1)
    except OSError as error:
        raise EntryError(path, "(file)", f"cannot be read: {error.strerror}") from None
    if len(raw) > LIMITS.file_bytes:
        raise EntryError(path, "(file)", f"is larger than {LIMITS.file_bytes} bytes")
    return raw


def _text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EntryError(path, "(file)", f"is not UTF-8 text: {error.reason} at byte {error.start}") from None


# -- YAML: scan the event stream first, construct only what passed --------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_INTEGER = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")


def _scan_yaml(path: Path, text: str) -> None:
    """Refuse anchors, aliases, explicit tags, deep nesting, long strings and huge integers."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            where = f" at line {event.start_mark.line + 1}" if event.start_mark else ""
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise EntryError(path, "(syntax)", f"YAML anchors and aliases (& and *) are not allowed{where}")
            tag = getattr(event, "tag", None)
            if tag not in _PLAIN_TAGS:
                raise EntryError(path, "(syntax)", f"the YAML tag {tag!r} is not allowed{where}; write plain text")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > LIMITS.depth:
                    raise EntryError(path, "(syntax)", f"nested deeper than {LIMITS.depth} levels{where}")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                _check_scalar(path, event.value, where, plain=event.implicit[0] and not event.style)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise EntryError(path, "(syntax)", f"malformed YAML{where}: {problem}") from None


def _check_scalar(path: Path, value: str, where: str, plain: bool) -> None:
    if len(value) > LIMITS.string_chars:
        raise EntryError(path, "(syntax)", f"a text of {len(value)} characters{where}; at most {LIMITS.string_chars}")
    if plain and _INTEGER.match(value.strip()):
        digits = len(value.strip().lstrip("+-").replace("_", ""))
        if digits > LIMITS.integer_digits:
            raise EntryError(path, "(syntax)", f"an integer of {digits} digits{where}; at most {LIMITS.integer_digits}")


class _UniqueKeyLoader(_Loader):
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


def _parse_yaml(path: Path, text: str) -> Any:
    _scan_yaml(path, text)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader, after the scan above
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise EntryError(path, "(syntax)", f"malformed YAML{where}: {problem}") from None


def _parse_toml(path: Path, text: str) -> Any:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EntryError(path, "(syntax)", f"malformed TOML: {error}") from None
    except RecursionError:
        raise EntryError(path, "(syntax)", f"nested deeper than {LIMITS.depth} levels") from None
    _check_tree(path, data, 0)
    return data


def _check_tree(path: Path, value: Any, depth: int) -> None:
    """The same bounds as the YAML scan, on data already parsed (TOML)."""
    if isinstance(value, (dict, list)):
        if depth >= LIMITS.depth:
            raise EntryError(path, "(syntax)", f"nested deeper than {LIMITS.depth} levels")
        if len(value) > LIMITS.items:
            raise EntryError(path, "(syntax)", f"a list or table of {len(value)} items; at most {LIMITS.items}")
        for item in value.values() if isinstance(value, dict) else value:
            _check_tree(path, item, depth + 1)
    elif isinstance(value, str) and len(value) > LIMITS.string_chars:
        raise EntryError(path, "(syntax)", f"a text of {len(value)} characters; at most {LIMITS.string_chars}")
    elif isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > LIMITS.integer_digits:
        raise EntryError(path, "(syntax)", f"an integer of more than {LIMITS.integer_digits} digits")


def parse_entry_bytes(path: Path, raw: bytes) -> Any:
    """The data of an entry file's bytes (YAML or TOML by the file's suffix)."""
    text = _text(path, raw)
    if path.suffix == ".toml":
        return _parse_toml(path, text)
    data = _parse_yaml(path, text)
    _check_tree(path, data, 0)
    return data


def read_entry_source(path: str | Path) -> EntrySource:
    """Read an entry file once, within the limits, and parse it as data."""
    path = Path(path)
    raw = read_bounded(path)
    return EntrySource(path, raw, parse_entry_bytes(path, raw))


def entry_files(directory: str | Path) -> list[Path]:
    """Entry files in a folder, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EntryError(directory, "(folder)", "the entries folder does not exist")
    return sorted(
        p for p in directory.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".") and not p.is_dir()
    )
