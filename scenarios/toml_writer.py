"""A small TOML emitter for resolved scenarios (`quartier scenarios show`).

Covers what TOML data can hold — tables, arrays, strings, numbers, booleans — and skips
`None` (TOML has no null; every optional field defaults to None). Top-level tables become
`[section]` headers, top-level arrays of tables `[[section]]` blocks; deeper tables whose
values are all plain become inline tables. The output reads back with `tomllib`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def dumps(data: Mapping[str, object]) -> str:
    """TOML text for a mapping of plain values.

    >>> print(dumps({"name": "x", "ties": {"decay_per_month": 0.05}}), end="")
    name = "x"
    <BLANKLINE>
    [ties]
    decay_per_month = 0.05
    """
    lines = _key_values(data)
    for key, value in data.items():
        if _is_table(value):
            lines += ["", f"[{_key(key)}]", *_table_body((key,), value)]
        elif _is_table_array(value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]", *_table_body((key,), item)]
    return "\n".join(lines).lstrip("\n") + "\n"


def _table_body(path: tuple[str, ...], table: Mapping[str, object]) -> list[str]:
    return _key_values(table, inline_tables=True) + _sub_tables(path, table)


def _sub_tables(path: tuple[str, ...], table: Mapping[str, object]) -> list[str]:
    lines: list[str] = []
    for key, value in table.items():
        if _is_table(value) and not _is_flat(value):
            header = ".".join(_key(part) for part in (*path, key))
            lines += ["", f"[{header}]", *_table_body((*path, key), value)]
    return lines


def _key_values(table: Mapping[str, object], inline_tables: bool = False) -> list[str]:
    """`key = value` lines for the values that are not written as their own table."""
    lines = []
    for key, value in table.items():
        if value is None or (_is_table_array(value) and not inline_tables):
            continue
        if _is_table(value) and not (inline_tables and _is_flat(value)):
            continue
        lines.append(f"{_key(key)} = {_value(value, multiline=True)}")
    return lines


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _is_flat(table: Mapping[str, object]) -> bool:
    """A table small enough to write inline: no tables inside."""
    return not any(_is_table(value) or _is_table_array(value) for value in table.values())


def _key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else _string(text)


def _value(value: object, multiline: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = [f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(value, Sequence):
        items = [_value(item) for item in value if item is not None]
        if multiline and _is_table_array(value):
            return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
