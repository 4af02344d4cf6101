"""Find, read, merge and validate scenario files.

A scenario file is TOML. ``extends = "NAME_OR_PATH"`` starts it from another scenario: a
path (with ``/`` or ending in ``.toml``) is relative to the extending file; a bare name is a
file ``NAME.toml`` beside it, else a preset. ``extends`` may also be a list; its entries
merge left to right. Chains resolve; a cycle is an error.

Merge rule: tables merge key by key, at every depth; every other value — a number, a string,
an array, an array of tables such as ``[[meetings]]`` — replaces the inherited one wholesale.
``name`` and ``description`` are never inherited (a file without ``name`` is named after
itself).

``[actors] map = "FILE.csv"`` and ``[ties] map = "FILE.csv"`` read an actor map and a ties
file (paths relative to the scenario file that names them) into ``actors.roster`` and
``ties.initial``; the model itself never reads files.

Every problem is raised as one `InputError` naming the file, the line or key, and what is
allowed; `explain` is the one place that turns a pydantic error into such a line.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scenarios.actor_map import read_actors, read_ties
from scenarios.errors import InputError
from scenarios.files import read_user_text
from simulation.config import (
    SECTOR_ALIASES,
    SECTORS,
    ActorsConfig,
    ActorSpec,
    ScenarioConfig,
    TieSpec,
)

PRESET_DIR = Path(__file__).resolve().parent
MAX_CHAIN = 16
LOADER_KEYS = {"": ("extends",), "actors": ("map",), "ties": ("map",)}
"""Keys the loader consumes before validation, by section ("" is the top level)."""
_NOT_INHERITED = ("name", "description")
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


@dataclass(frozen=True)
class MapRef:
    """A CSV file named in a scenario file, resolved against that file's folder."""

    path: Path
    declared_in: Path
    key: str


def presets() -> list[str]:
    """Names of the scenario files shipped with Quartier."""
    return sorted(path.stem for path in PRESET_DIR.glob("*.toml"))


def is_file(path: Path) -> bool:
    """Path.is_file that says False, not raises, for names the OS rejects."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve(name_or_path: str | Path) -> Path:
    """A preset name or a path to a scenario file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or is_file(path) or "/" in str(name_or_path):
        if not is_file(path):
            raise InputError(str(path), "no such scenario file")
        return path
    preset = PRESET_DIR / f"{name_or_path}.toml"
    if not is_file(preset):
        raise InputError(
            str(name_or_path),
            f"unknown scenario; {_suggest(str(name_or_path), presets(), 'presets')}",
        )
    return preset


def load(name_or_path: str | Path) -> ScenarioConfig:
    """Read a scenario (following `extends`, reading actor maps) and validate it."""
    path = resolve(name_or_path)
    return validate(resolved_data(path), path)


def resolved_data(path: Path) -> dict[str, Any]:
    """The merged, not yet validated contents of a scenario file and its parents."""
    data = _read_chain(path, ())
    data.setdefault("name", path.stem)
    _read_maps(data)
    return data


def validate(data: dict[str, Any], source: str | Path) -> ScenarioConfig:
    """A ScenarioConfig from plain data, or one InputError line naming `source`."""
    try:
        config = ScenarioConfig.model_validate(data)
    except ValidationError as error:
        raise InputError(str(source), _first_error(error, ScenarioConfig)) from None
    _check_names(config, source)
    return config


# -- reading and merging -------------------------------------------------------------------


def _read_chain(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    real = path.resolve()
    if real in chain:
        loop = " -> ".join(p.name for p in (*chain[chain.index(real) :], real))
        raise InputError(str(path), f"extends: circular chain {loop}")
    if len(chain) >= MAX_CHAIN:
        raise InputError(str(path), f"extends: chain longer than {MAX_CHAIN} files")
    data = read_toml(path)
    _anchor_maps(data, path)
    merged: dict[str, Any] = {}
    for parent in _parents(data.pop("extends", None), path):
        base = _read_chain(_find_parent(parent, path), (*chain, real))
        merged = merge(merged, {k: v for k, v in base.items() if k not in _NOT_INHERITED})
    return merge(merged, data)


def _parents(value: object, path: Path) -> list[str]:
    """`extends` as a list of names or paths (a single string or a list of them)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise InputError(
            str(path),
            "extends: must be a preset name or a path to a .toml file "
            f"(or a list of them), got {_show(value)}",
        )
    return [item.strip() for item in items]


def read_toml(path: Path) -> dict[str, Any]:
    """One TOML file as a dict; empty, binary and malformed files are InputErrors."""
    text = read_user_text(
        path,
        "a TOML scenario",
        "a scenario file is TOML",
        'a scenario needs e.g. extends = "self_organised"',
    )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), _toml_message(str(error))) from None


def _toml_message(message: str) -> str:
    """'Invalid value (at line 3, column 7)' -> 'line 3, column 7: invalid TOML: invalid value'."""
    found = re.match(r"(?s)(.*) \(at (line \d+, column \d+|end of document)\)$", message)
    if not found:
        return f"invalid TOML: {message}"
    what, where = found.groups()
    return f"{where}: invalid TOML: {what[:1].lower()}{what[1:]}"


def _find_parent(ref: str, path: Path) -> Path:
    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        candidate = path.parent / ref
        if not is_file(candidate):
            raise InputError(str(path), f"extends: no such file {ref!r} (relative to this file)")
        return candidate
    for candidate in (path.parent / f"{ref}.toml", PRESET_DIR / f"{ref}.toml"):
        if is_file(candidate):
            return candidate
    raise InputError(
        str(path), f"extends: unknown scenario {ref!r}; " + _suggest(ref, presets(), "presets")
    )


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


# -- actor maps and ties files ---------------------------------------------------------------


def _anchor_maps(data: dict[str, Any], path: Path) -> None:
    """Replace each `map` path by a MapRef resolved against this file's folder."""
    for section in ("actors", "ties"):
        table = data.get(section)
        if not isinstance(table, dict) or "map" not in table:
            continue
        value = table["map"]
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                str(path), f"{section}.map: must be a path to a CSV file, got {_show(value)}"
            )
        table["map"] = MapRef(path.parent / value.strip(), path, f"{section}.map")


def _read_maps(data: dict[str, Any]) -> None:
    """Fill actors.roster and ties.initial from the CSV files the scenario names."""
    actors, ties = data.get("actors"), data.get("ties")
    names: list[str] | None = None
    if isinstance(actors, dict) and "map" in actors:
        ref = actors.pop("map")
        _one_source(ref, actors, "roster")
        actors["roster"] = _actor_roster(_existing(ref), _topic_count(actors))
    if isinstance(actors, dict) and isinstance(actors.get("roster"), list):
        names = [
            a["name"]
            for a in actors["roster"]
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
    if isinstance(ties, dict) and "map" in ties:
        ref = ties.pop("map")
        _one_source(ref, ties, "initial")
        if names is None:
            raise InputError(
                str(ref.declared_in),
                "ties.map: a ties file needs an actor map "
                '([actors] map = "...") so that its names are real actors',
            )
        ties["initial"] = _tie_list(_existing(ref), names)


def _one_source(ref: MapRef, table: dict[str, Any], inline_key: str) -> None:
    if table.get(inline_key) is not None:
        section = ref.key.split(".")[0]
        raise InputError(
            str(ref.declared_in),
            f"{ref.key}: give either {section}.map or {section}.{inline_key}, not both",
        )


def _existing(ref: MapRef) -> Path:
    if not is_file(ref.path):
        raise InputError(
            str(ref.declared_in),
            f"{ref.key}: no such file {str(ref.path)!r} (paths are relative to the scenario file)",
        )
    return ref.path


def _topic_count(actors: dict[str, Any]) -> int:
    count = actors.get("topics")
    return count if isinstance(count, int) else ActorsConfig.model_fields["topics"].default


def _row_spec(path: Path, row, model: type[ActorSpec] | type[TieSpec]):
    """One CSV row validated as `model`; a bad cell names its line and column."""
    try:
        return model.model_validate(row.values)
    except ValidationError as error:
        raise InputError(
            str(path), f"line {row.line}, column " + _first_error(error, model)
        ) from None


def _actor_roster(path: Path, topics: int) -> list[dict[str, Any]]:
    roster: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for row in read_actors(path):
        spec = _row_spec(path, row, ActorSpec)
        bad = [t for t in spec.topics if t >= topics]
        if bad:
            raise InputError(
                str(path),
                f"line {row.line}, column topics: topic {bad[0]} out of "
                f"range; allowed 0 to {topics - 1} (actors.topics = {topics})",
            )
        if spec.name in first_line:
            raise InputError(
                str(path),
                f"line {row.line}: duplicate actor name {spec.name!r} "
                f"(first on line {first_line[spec.name]}); names must be unique",
            )
        first_line[spec.name] = row.line
        roster.append(spec.model_dump(exclude_none=True))
    if not roster:
        raise InputError(str(path), "no actors; expected one row per actor below the header")
    return roster


def _tie_list(path: Path, names: list[str]) -> list[dict[str, Any]]:
    known = set(names)
    ties: list[dict[str, Any]] = []
    first_line: dict[frozenset[str], int] = {}
    for row in read_ties(path):
        spec = _row_spec(path, row, TieSpec)
        where = f"line {row.line}"
        for column, name in (("a", spec.a), ("b", spec.b)):
            if name not in known:
                raise InputError(
                    str(path),
                    f"{where}, column {column}: unknown actor {name!r}; "
                    + _suggest(name, names, "actors in the actor map"),
                )
        pair = frozenset((spec.a, spec.b))
        if len(pair) == 1:
            raise InputError(str(path), f"{where}: a tie needs two different actors")
        if pair in first_line:
            raise InputError(
                str(path),
                f"{where}: duplicate tie {spec.a} - {spec.b} (first on line {first_line[pair]})",
            )
        first_line[pair] = row.line
        ties.append(spec.model_dump())
    return ties


def _check_names(config: ScenarioConfig, source: str | Path) -> None:
    """Cross-checks pydantic cannot do field by field: unique names, known ties, topics."""
    roster = config.actors.roster
    if roster is not None:
        seen: set[str] = set()
        for k, spec in enumerate(roster):
            if spec.name in seen:
                raise InputError(
                    str(source),
                    f"actors.roster.{k}.name: duplicate actor name "
                    f"{spec.name!r}; names must be unique",
                )
            seen.add(spec.name)
            bad = [t for t in spec.topics if not 0 <= t < config.actors.topics]
            if bad:
                raise InputError(
                    str(source),
                    f"actors.roster.{k}.topics: topic {bad[0]} out of "
                    f"range; allowed 0 to {config.actors.topics - 1} "
                    "(actors.topics topics, numbered from 0)",
                )
    if config.ties.initial is not None:
        _check_ties(config, source)


def _check_ties(config: ScenarioConfig, source: str | Path) -> None:
    from simulation.neighbourhood import planned_sectors

    names = [name for _, name, _ in planned_sectors(config)]
    known = set(names)
    for k, tie in enumerate(config.ties.initial or []):
        for column in ("a", "b"):
            name = getattr(tie, column)
            if name not in known:
                raise InputError(
                    str(source),
                    f"ties.initial.{k}.{column}: unknown actor "
                    f"{name!r}; " + _suggest(name, names, "actors"),
                )


# -- one line per pydantic error -------------------------------------------------------------


def _first_error(error: ValidationError, root: type[BaseModel]) -> str:
    errors = error.errors(include_url=False)
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return explain(errors[0], root) + more


def explain(error: Any, root: type[BaseModel] = ScenarioConfig) -> str:
    """'key: what is wrong; what is allowed' for one pydantic error dict."""
    loc = tuple(error["loc"])
    key = ".".join(str(part) for part in loc) or "(top level)"
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        allowed = _keys_at(root, loc[:-1])
        return f"{key}: unknown key; {_suggest(str(loc[-1]), allowed, 'allowed keys')}"
    if kind in _RANGE_ERRORS:
        bounds = _range_text(_constraints(root, loc) or _ctx_bounds(error.get("ctx", {})))
        return f"{key}: {_show(value)} is out of range; allowed {bounds}"
    if kind == "missing":
        return f"{key}: missing; this key is required"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return f"{key}: {message}{_sector_hint(message)}"
    return f"{key}: {message[:1].lower()}{message[1:]} (got {_show(value)})"


def _walk(root: type[BaseModel], loc: tuple) -> tuple[Any, list[Any]]:
    """The type found at `loc` below `root`, and the constraints on its last field."""
    node: Any = root
    constraints: list[Any] = []
    for part in loc:
        node, constraints = _unwrap(node, [])
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = node.model_fields.get(str(part))
            if info is None:
                return None, []
            node, constraints = info.annotation, list(info.metadata)
        elif get_origin(node) in (list, dict):
            node, constraints = get_args(node)[-1], []
        else:
            return None, []
    node, extra = _unwrap(node, [])
    return node, constraints + extra


def _unwrap(node: Any, constraints: list[Any]) -> tuple[Any, list[Any]]:
    """Strip Annotated and unions (keeping the structured member), collecting constraints."""
    while True:
        origin = get_origin(node)
        if origin is Annotated:
            node, *meta = get_args(node)
            for item in meta:
                constraints += item.metadata if isinstance(item, FieldInfo) else [item]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(node) if arg is not type(None)]
            structured = [
                arg
                for arg in members
                if get_origin(arg) in (list, dict)
                or (isinstance(arg, type) and issubclass(arg, BaseModel))
            ]
            node = (structured or members)[0]
        else:
            return node, constraints


def _keys_at(root: type[BaseModel], loc: tuple) -> list[str]:
    node, _ = _walk(root, loc)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return []
    loader: tuple[str, ...] = ()
    if root is ScenarioConfig and len(loc) <= 1:
        loader = LOADER_KEYS.get(str(loc[0]) if loc else "", ())
    return [*node.model_fields, *loader]


def _constraints(root: type[BaseModel], loc: tuple) -> dict[str, float]:
    _, found = _walk(root, loc)
    bounds: dict[str, float] = {}
    for item in found:
        for name, kind in (("ge", Ge), ("gt", Gt), ("le", Le), ("lt", Lt)):
            if isinstance(item, kind):
                bounds[name] = getattr(item, name)
    return bounds


def _ctx_bounds(ctx: dict[str, Any]) -> dict[str, float]:
    return {name: ctx[name] for name in ("ge", "gt", "le", "lt") if name in ctx}


def _range_text(bounds: dict[str, float]) -> str:
    """Interval notation: [0, 1], (0, 1], >= 0.

    >>> _range_text({"ge": 0, "lt": 1.0})
    '[0, 1)'
    """
    low = ("[", bounds["ge"]) if "ge" in bounds else ("(", bounds.get("gt"))
    high = ("]", bounds["le"]) if "le" in bounds else (")", bounds.get("lt"))
    if low[1] is None and high[1] is None:
        return "(see the schema)"
    if high[1] is None:
        return f"{'>=' if low[0] == '[' else '>'} {_number(low[1])}"
    if low[1] is None:
        return f"{'<=' if high[0] == ']' else '<'} {_number(high[1])}"
    return f"{low[0]}{_number(low[1])}, {_number(high[1])}{high[0]}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _sector_hint(message: str) -> str:
    found = re.search(r"unknown sector '(.*?)'", message)
    if not found:
        return ""
    key = found.group(1).strip().lower().replace(" ", "_").replace("-", "_")
    hint = difflib.get_close_matches(key, SECTORS, n=1, cutoff=0.75) or difflib.get_close_matches(
        key, list(SECTOR_ALIASES), n=1
    )
    return f"; did you mean {hint[0]!r}?" if hint else ""


def _suggest(word: str, choices: list[str], label: str) -> str:
    """'did you mean X? allowed keys: ...' (the list shortened when long)."""
    hint = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    shown = ", ".join(choices[:30]) + (", ..." if len(choices) > 30 else "")
    return (f"did you mean {hint[0]!r}? " if hint else "") + f"{label}: {shown}"


def _show(value: object) -> str:
    """A short, one-line representation of a user's value."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, dict | list):
        text = type(value).__name__ if len(text) > 60 else text
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 60 else text[:57] + "..."
