"""Read actor maps and ties files (CSV) into plain rows, with a line number each.

An actor map has one actor per row: ``name, sector, time, money, material, rooms`` and
optionally ``topics``, ``engagement`` and ``role`` (``initiative`` for members of the
residents' initiative, ``lead`` for its lead). Topics are numbers or words, separated by
``;``, ``|`` or ``,`` (numbers also by spaces): ``0;3``, ``Jugend; Sport``. A ties file has
``a, b, strength``. The separator is ``,``, a tab, or, as in German spreadsheet exports, ``;``
(with a tab or ``;``, a decimal comma is accepted). Blank lines and lines starting with ``#``
are skipped. Checking values is the loader's job; this module only turns text into numbers
and words and says exactly where it could not.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from scenarios.errors import InputError
from scenarios.files import read_user_text, suggest

ACTOR_COLUMNS = ("name", "sector", "time", "money", "material", "rooms")
ACTOR_OPTIONAL = ("topics", "engagement", "role")
TIE_COLUMNS = ("a", "b", "strength")
NUMBER_COLUMNS = frozenset({"time", "money", "material", "rooms", "engagement", "strength"})
_TOPIC_SPLIT = re.compile(r"[;|,]")


@dataclass(frozen=True)
class Row:
    """One data row: its physical line in the file and its values by column."""

    line: int
    values: dict[str, object]


def read_actors(path: Path) -> list[Row]:
    """Rows of an actor map; numbers parsed, empty optional cells left out."""
    return _read(path, ACTOR_COLUMNS, ACTOR_OPTIONAL)


def read_ties(path: Path) -> list[Row]:
    """Rows of a ties file; strength parsed."""
    return _read(path, TIE_COLUMNS, ())


def _read(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> list[Row]:
    text = _text(path)
    lines = text.splitlines()
    delimiter = _delimiter(lines)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = _header(path, reader.line_num, cells, required, optional)
                continue
            rows.append(_row(path, reader.line_num, header, cells, delimiter))
    except csv.Error as error:
        raise InputError(str(path), f"line {reader.line_num}: not valid CSV ({error})") from None
    if header is None:
        raise InputError(str(path), "no header row; expected columns " + ", ".join(required))
    return rows


def _text(path: Path) -> str:
    return read_user_text(
        path, "CSV text", "save the CSV as UTF-8", "expected a header row and one row per entry"
    )


def _delimiter(lines: list[str]) -> str:
    """A tab when the header line has one; `;` when it has semicolons and no commas; else `,`."""
    first = next((line for line in lines if line.strip() and not line.startswith("#")), "")
    if "\t" in first:
        return "\t"
    return ";" if ";" in first and "," not in first else ","


def _header(
    path: Path, line: int, cells: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    allowed = (*required, *optional)
    for name in names:
        if name not in allowed:
            raise InputError(
                str(path),
                f"line {line}: unknown column {name!r}; " + suggest(name, list(allowed), "allowed"),
            )
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InputError(str(path), f"line {line}: column {duplicated[0]!r} appears twice")
    missing = [name for name in required if name not in names]
    if missing:
        raise InputError(
            str(path),
            f"line {line}: missing column(s) {', '.join(missing)}; required: {', '.join(required)}",
        )
    return names


def _row(path: Path, line: int, header: list[str], cells: list[str], delimiter: str) -> Row:
    if len(cells) != len(header):
        raise InputError(
            str(path),
            f"line {line}: {len(cells)} fields, expected {len(header)} ({', '.join(header)})",
        )
    values: dict[str, object] = {}
    for column, cell in zip(header, cells, strict=True):
        cell = cell.strip()
        if column in NUMBER_COLUMNS:
            if cell or column != "engagement":
                values[column] = _number(path, line, column, cell, delimiter)
        elif column == "topics":
            values[column] = topic_items(cell)
        elif column == "role":
            if cell:
                values[column] = cell.lower()
        else:
            values[column] = cell
    return Row(line, values)


def _number(path: Path, line: int, column: str, cell: str, delimiter: str) -> float:
    text = cell.replace(",", ".") if delimiter in ";\t" else cell
    try:
        value = float(text)
    except ValueError:
        what = "empty; write 0 for none" if not cell else f"{cell!r} is not a number"
        raise InputError(str(path), f"line {line}, column {column}: {what}") from None
    if not math.isfinite(value):
        raise InputError(
            str(path), f"line {line}, column {column}: {cell!r} is not a finite number"
        )
    return value


def topic_items(cell: str) -> list[int | str]:
    """A topics cell as numbers and words (whitespace inside a word is kept, once).

    >>> topic_items("0;3"), topic_items("1 3"), topic_items("Kinder und Jugend | Sport")
    ([0, 3], [1, 3], ['Kinder und Jugend', 'Sport'])
    """
    items: list[int | str] = []
    for part in _TOPIC_SPLIT.split(cell):
        words = part.split()
        if words and all(word.isascii() and word.isdigit() for word in words):
            items += [int(word) for word in words]
        elif words:
            items.append(" ".join(words))
    return items
