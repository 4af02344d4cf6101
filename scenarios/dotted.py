"""Dotted keys into a configuration: ``ties.decay_per_month``, ``actors.counts.residents``,
``meetings.0.interval_weeks``.

The one place that reads (`get`), writes (`put`, `apply_overrides`) and lists (`flatten`) them,
and that parses the command line's ``--set KEY=VALUE`` (`parse_assignments`). Overrides,
experiment files' ``[fixed]`` and ``[factors]``, ``quartier scenarios diff`` and ``--set`` all
use it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from scenarios.errors import InputError
from scenarios.explain import Flag, Loc, Locator, describe, key_of, show, unwrap
from scenarios.files import suggest
from simulation.config import ScenarioConfig


class UnknownKey(KeyError):
    """A dotted key that leads nowhere; `loc` is the key, `text` says why."""

    def __init__(self, loc: Loc, text: str) -> None:
        super().__init__(f"{key_of(loc)}: {text}")
        self.loc, self.text = loc, text


def get(data: object, key: str, default: object = None) -> object:
    """The value at a dotted key of nested dicts and lists, or `default` when absent.

    >>> get({"meetings": [{"name": "x"}]}, "meetings.0.name")
    'x'
    """
    node = data
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def put(data: dict[str, Any], key: str, value: object) -> None:
    """Set the value at a dotted key in place; the last part may be a new key of a table.

    >>> data = {"ties": {"decay_per_month": 0.05}}
    >>> put(data, "ties.decay_per_month", 0.1); data
    {'ties': {'decay_per_month': 0.1}}
    """
    parts = key.split(".")
    loc = tuple(parts)
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                where = key_of(loc[:depth]) or "the list"
                raise UnknownKey(
                    loc, f"no list position {part!r} ({where} has {len(node)} entries)"
                )
            part = int(part)
        elif isinstance(node, dict):
            if not last and node.get(part) is None:
                raise UnknownKey(
                    loc, f"unknown key {part!r}; " + suggest(part, list(node), "allowed keys")
                )
        else:
            above = key_of(loc[:depth])
            raise UnknownKey(loc, f"{above} is a value ({show(node)}), not a table")
        if last:
            node[part] = value
        else:
            node = node[part]


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys for every leaf; positions in lists of tables become numbers.

    >>> flatten({"ties": {"a": 1}, "meetings": [{"name": "x"}]})
    {'ties.a': 1, 'meetings.0.name': 'x'}
    """
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        items = ((str(k), v) for k, v in enumerate(data))
    else:
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def apply_overrides(config: ScenarioConfig, overrides: Mapping[str, object]) -> ScenarioConfig:
    """A new, validated config with dotted keys replaced (KeyError, ValidationError if not).

    >>> apply_overrides(ScenarioConfig(), {"ties.decay_per_month": 0.1}).ties.decay_per_month
    0.1
    """
    data = config.model_dump()
    for key, value in overrides.items():
        put(data, key, value)
    return ScenarioConfig.model_validate(data)


class Blame:
    """A locator that names the override a problem comes from: a problem below or above an
    overridden key is that key's; a problem elsewhere is the only override's, when there is
    one (with the key it showed up at)."""

    def __init__(self, where: Locator, keys: Iterable[str]) -> None:
        self.where, self.keys = where, [tuple(key.split(".")) for key in keys]

    def place(self, loc: Loc) -> str:
        return self.where.place(loc)

    def error(self, loc: Loc, text: str) -> InputError:
        loc = tuple(str(part) for part in loc)
        for key in self.keys:
            if loc[: len(key)] == key:
                return self.where.error(loc, text)
            if loc and key[: len(loc)] == loc:
                return self.where.error(key, text)
        if len(self.keys) == 1:
            return self.where.error(self.keys[0], f"{key_of(loc) or '(top level)'}: {text}")
        return self.where.error(loc, text)


def parse_assignments(
    texts: Iterable[str], flag: str = "--set", root: type[BaseModel] = ScenarioConfig
) -> dict[str, object]:
    """``KEY=VALUE`` texts as overrides, each key and value checked against `root`'s schema.

    The value is read as TOML (a number, true/false, a quoted string, a list), else taken as
    a string. Whether the key exists in a particular scenario (a list position) and checks
    across keys are left to applying the overrides.
    """
    overrides: dict[str, object] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(flag, f"expected KEY=VALUE, got {text!r}")
        try:
            parsed = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = value.strip()
        check_key(root, key, parsed, Flag(flag))
        overrides[key] = parsed
    return overrides


def check_key(root: type[BaseModel], key: str, value: object, where: Locator) -> None:
    """Raise where `key` names no setting of `root`'s schema or `value` cannot be one."""
    loc = tuple(key.split("."))
    annotation: Any = root
    for depth, part in enumerate(loc):
        node, _ = unwrap(annotation, [])
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = node.model_fields.get(part)
            if info is None:
                name = "" if depth == len(loc) - 1 else f" {part!r}"
                allowed = suggest(part, list(node.model_fields), "allowed keys")
                raise where.error(loc, f"unknown key{name}; {allowed}")
            annotation = info.annotation
            if info.metadata:
                annotation = Annotated[annotation, *info.metadata]
        elif get_origin(node) is list and part.isdigit():
            annotation = get_args(node)[0]
        elif get_origin(node) is dict:
            annotation = get_args(node)[1]
        elif get_origin(node) is list:
            raise where.error(loc, f"{part!r} is not a list position (0, 1, ...)")
        else:
            raise where.error(loc, f"{key_of(loc[:depth])} is a value, not a table")
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        problem["loc"] = (*loc, *problem["loc"])
        raise where.error(problem["loc"], describe(problem, root)) from None
