"""One line per validation error, for every input file and the command line.

`describe` turns one pydantic error into what is wrong and what is allowed ("1.5 is out of
range; allowed [0, 1)", "unknown key; did you mean 'years'? allowed keys: ..."), reading
bounds and keys from the model the data was validated against. A `Locator` then says where
that was — a key in a file (`At`), a row of an actor map (`scenarios.chain.Origins`) or a
command-line option (`Flag`) — so scenario files, actor maps, experiment files and ``--set``
all report alike.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scenarios.errors import InputError
from scenarios.files import close_match, suggest

Loc = tuple[str | int, ...]
ExtraKeys = Mapping[str, Sequence[str]]
"""Keys a reader consumes before validation, by section ("" is the top level)."""
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_KEYED_MESSAGE = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w-]+)*): (.+)$", re.S)


class Locator(Protocol):
    """Where a value at `loc` was written, and an InputError saying so."""

    def place(self, loc: Loc) -> str: ...

    def error(self, loc: Loc, text: str) -> InputError: ...


class At:
    """Keys of one file (or of a part of it, after `prefix`): 'spec.toml: fixed.years: ...'."""

    def __init__(self, source: str, prefix: str = "") -> None:
        self.source, self.prefix = source, prefix

    def place(self, loc: Loc) -> str:
        return self.prefix + key_of(loc) if loc else self.prefix.rstrip(".") or "(top level)"

    def error(self, loc: Loc, text: str) -> InputError:
        return InputError(self.source, f"{self.place(loc)}: {text}")


class Flag:
    """A command-line option naming a key: '--set ties.decay_per_month: ...'."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def place(self, loc: Loc) -> str:
        return key_of(loc) if loc else "(top level)"

    def error(self, loc: Loc, text: str) -> InputError:
        return InputError(f"{self.flag} {self.place(loc)}", text)


def key_of(loc: Loc) -> str:
    """('meetings', 0, 'name') -> 'meetings.0.name'; a part with control characters is quoted.

    >>> key_of(("meetings", 0, "name")), key_of(("ties", "a\\r"))
    ('meetings.0.name', "ties.'a\\\\r'")
    """
    return ".".join(str(p) if str(p).isprintable() else repr(str(p)) for p in loc)


def input_error(
    error: ValidationError,
    root: type[BaseModel],
    where: Locator,
    extra_keys: ExtraKeys | None = None,
) -> InputError:
    """The first problem of `error`, located by `where`, with a count of the others."""
    loc, text = first_problem(error, root, extra_keys)
    return where.error(loc, text)


def first_problem(
    error: ValidationError, root: type[BaseModel], extra_keys: ExtraKeys | None = None
) -> tuple[Loc, str]:
    """The location and description of the first problem (and how many more there are)."""
    problems = error.errors(include_url=False)
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    loc, text = tuple(problems[0]["loc"]), describe(problems[0], root, extra_keys)
    keyed = _KEYED_MESSAGE.match(text) if not loc else None
    if keyed:  # a whole-model check that names its own key: "factors.x: needs a value"
        loc, text = tuple(keyed.group(1).split(".")), keyed.group(2)
    return loc, text + more


def describe(error: Any, root: type[BaseModel], extra_keys: ExtraKeys | None = None) -> str:
    """What is wrong with the value and what is allowed, without the key."""
    loc = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return "unknown key; " + suggest(
            str(loc[-1]), keys_at(root, loc[:-1], extra_keys), "allowed keys"
        )
    if kind in _RANGE_ERRORS:
        bounds = range_text(_constraints(root, loc) or _ctx_bounds(error.get("ctx", {})))
        return f"{show(value)} is out of range; allowed {bounds}"
    if kind == "missing":
        return "missing; this key is required"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return message
    text = f"{message[:1].lower()}{message[1:]} (got {show(value)})"
    if kind == "literal_error" and isinstance(value, str):
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        hint = close_match(value, choices)
        return f"{text}; did you mean {hint!r}?" if hint else text
    return text


def keys_at(root: type[BaseModel], loc: Loc, extra_keys: ExtraKeys | None = None) -> list[str]:
    """The keys allowed in the table at `loc` (and those a reader consumes there)."""
    node, _ = walk(root, loc)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return []
    extra = (extra_keys or {}).get(key_of(loc), ()) if len(loc) <= 1 else ()
    return [*node.model_fields, *extra]


def walk(root: type[BaseModel], loc: Loc) -> tuple[Any, list[Any]]:
    """The type found at `loc` below `root`, and the constraints on its last field."""
    node: Any = root
    constraints: list[Any] = []
    for part in loc:
        node, constraints = unwrap(node, [])
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = node.model_fields.get(str(part))
            if info is None:
                return None, []
            node, constraints = info.annotation, list(info.metadata)
        elif get_origin(node) in (list, dict):
            node, constraints = get_args(node)[-1], []
        else:
            return None, []
    node, extra = unwrap(node, [])
    return node, constraints + extra


def unwrap(node: Any, constraints: list[Any]) -> tuple[Any, list[Any]]:
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


def _constraints(root: type[BaseModel], loc: Loc) -> dict[str, float]:
    _, found = walk(root, loc)
    bounds: dict[str, float] = {}
    for item in found:
        for name, kind in (("ge", Ge), ("gt", Gt), ("le", Le), ("lt", Lt)):
            if isinstance(item, kind):
                bounds[name] = getattr(item, name)
    return bounds


def _ctx_bounds(ctx: dict[str, Any]) -> dict[str, float]:
    return {name: ctx[name] for name in ("ge", "gt", "le", "lt") if name in ctx}


def range_text(bounds: dict[str, float]) -> str:
    """Interval notation: [0, 1], (0, 1], >= 0.

    >>> range_text({"ge": 0, "lt": 1.0})
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


def show(value: object) -> str:
    """A short, one-line representation of a user's value."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, dict | list):
        text = type(value).__name__ if len(text) > 60 else text
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 60 else text[:57] + "..."
