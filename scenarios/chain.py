"""Read a scenario file and the files it extends, remembering who wrote each value.

``extends = "NAME_OR_PATH"`` starts a file from another scenario: a path is relative to the
extending file and must end in ``.toml``; a bare name is a file ``NAME.toml`` beside it, else
a preset. ``extends`` may also be a list; its entries merge left to right. Chains resolve; a
cycle is an error. Tables merge key by key at every depth; every other value — a number, a
string, an array, an array of tables such as ``[[meetings]]`` — replaces the inherited one
wholesale. ``name`` and ``description`` are never inherited.

Every value keeps its `Origin`: the file that wrote it and the chain of files and keys that
led there from the user's file, so that an error names the chain
(``my.toml: extends → base.toml: ties.decay_per_month: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.errors import InputError
from scenarios.explain import Loc, key_of, show
from scenarios.files import FileKind, find, read_toml, shown

PRESET_DIR = Path(__file__).resolve().parent
SCENARIO = FileKind(
    noun="scenario",
    shipped=PRESET_DIR,
    shipped_label="presets",
    name_hint="a preset name",
    empty_hint='a scenario needs e.g. extends = "self_organised"',
)
MAX_CHAIN = 16
MAP_SUFFIXES = (".csv", ".tsv", ".txt")
_NOT_INHERITED = ("name", "description")


@dataclass(frozen=True)
class Origin:
    """Where a value was written: a file (and a row of it, for an actor map), and the files
    and keys that led there from the file the user gave."""

    file: str
    via: tuple[tuple[str, str], ...] = ()
    line: int | None = None

    def reached(self, file: str, key: str, line: int | None = None) -> Origin:
        """The origin of `file`, named by `key` in this one."""
        return Origin(file, (*self.via, (self.file, key)), line)

    def at_line(self, line: int) -> Origin:
        """The origin of one row of this file."""
        return Origin(self.file, self.via, line)

    def wrap(self, error: InputError) -> InputError:
        """`error` (raised in this origin's file) as reached from the user's file."""
        for file, key in reversed(self.via):
            error = error.via(file, key)
        return error

    def error(self, where: str, text: str) -> InputError:
        """'FILE: WHERE: TEXT' (or 'FILE: TEXT'), as reached from the user's file."""
        return self.wrap(InputError(self.file, f"{where}: {text}" if where else text))


class Origins:
    """Which file — and which row of an actor map — wrote each value of a scenario's data.

    A `Locator` (scenarios.explain): an error at a key names the file that wrote the key, or
    the line and column of the actor-map row it came from.
    """

    def __init__(self, top: Origin, table: dict[Loc, Origin] | None = None) -> None:
        self.top, self.table = top, dict(table or {})

    def origin(self, loc: Loc) -> tuple[Origin, int]:
        """The origin of the longest recorded prefix of `loc`, and that prefix's length."""
        for depth in range(len(loc), 0, -1):
            found = self.table.get(tuple(loc[:depth]))
            if found is not None:
                return found, depth
        return self.top, 0

    def place(self, loc: Loc) -> str:
        origin, depth = self.origin(loc)
        if origin.line is None:
            return key_of(loc) or "(top level)"
        return f"line {origin.line}" + (f", column {loc[depth]}" if len(loc) > depth else "")

    def error(self, loc: Loc, text: str) -> InputError:
        return self.origin(loc)[0].error(self.place(loc), text)


@dataclass(frozen=True)
class MapRef:
    """An actor map or ties file named in a scenario file, resolved against its folder."""

    path: Path
    written: str
    origin: Origin
    key: str

    def target(self) -> Origin:
        """The origin of the map file itself."""
        return self.origin.reached(shown(self.path), self.key)


def read_chain(path: Path) -> tuple[dict[str, Any], Origins]:
    """The merged, not yet validated contents of a scenario file and its parents."""
    top = Origin(str(path))
    data, table = _read(path, top, ())
    data.setdefault("name", path.stem)
    leaves = set(_leaves(data))
    return data, Origins(top, {loc: o for loc, o in table.items() if loc in leaves})


def _read(path: Path, origin: Origin, chain: tuple[Path, ...]) -> tuple[dict, dict]:
    try:
        data = read_toml(path, SCENARIO)
    except InputError as error:
        raise origin.error("", error.message) from None
    _anchor_maps(data, path, origin)
    real = path.resolve()
    merged: dict[str, Any] = {}
    table: dict[Loc, Origin] = {}
    for key, ref in _parents(data.pop("extends", None), origin):
        try:
            parent = find(
                ref, SCENARIO, beside=path.parent, names_beside=True, where=(origin.file, key)
            )
        except InputError as error:
            raise origin.wrap(error) from None
        files = (*chain, real)
        if parent.resolve() in files:
            loop = files[files.index(parent.resolve()) :]
            names = " -> ".join(p.name for p in (*loop, parent.resolve()))
            raise origin.error(key, f"circular chain {names}")
        if len(files) >= MAX_CHAIN:
            raise origin.error(key, f"chain longer than {MAX_CHAIN} files")
        base, base_table = _read(parent, origin.reached(shown(parent), key), files)
        merged = merge(merged, {k: v for k, v in base.items() if k not in _NOT_INHERITED})
        table.update({loc: o for loc, o in base_table.items() if loc[0] not in _NOT_INHERITED})
    table.update(dict.fromkeys(_leaves(data), origin))
    return merge(merged, data), table


def _parents(value: object, origin: Origin) -> list[tuple[str, str]]:
    """`extends` as (key, name or path) pairs: one string, or a list of them."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise origin.error(
            "extends",
            "must be a preset name or a path to a .toml file "
            f"(or a list of them), got {show(value)}",
        )
    if isinstance(value, str):
        return [("extends", value.strip())]
    return [(f"extends.{k}", item.strip()) for k, item in enumerate(items)]


def _anchor_maps(data: dict[str, Any], path: Path, origin: Origin) -> None:
    """Replace each `map` path by a MapRef resolved against this file's folder."""
    for section, what in (("actors", "an actor map"), ("ties", "a ties file")):
        table = data.get(section)
        if not isinstance(table, dict) or "map" not in table:
            continue
        key, value = f"{section}.map", table["map"]
        if not isinstance(value, str) or not value.strip():
            raise origin.error(key, f"must be a path to a CSV file, got {show(value)}")
        written = value.strip()
        if Path(written).suffix.lower() not in MAP_SUFFIXES:
            raise origin.error(
                key,
                f"{written!r} is not a CSV file; {what} is a .csv, .tsv or .txt file "
                "(save the spreadsheet as CSV)",
            )
        table["map"] = MapRef(path.parent / written, written, origin, key)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; any other value in `override` replaces the one in `base`.

    >>> merge({"ties": {"a": 1, "b": 2}, "meetings": [1, 2]}, {"ties": {"b": 3}, "meetings": []})
    {'ties': {'a': 1, 'b': 3}, 'meetings': []}
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _leaves(data: dict[str, Any], prefix: Loc = ()) -> list[Loc]:
    """The key of every value that is not a table (arrays are values)."""
    found: list[Loc] = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            found += _leaves(value, (*prefix, key))
        else:
            found.append((*prefix, key))
    return found
