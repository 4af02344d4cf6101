"""Finding and reading a user's files: one name-or-path rule, one reader for text and TOML.

A reference is a *name* (``programme_funded``: a file ``NAME.toml`` among the shipped ones,
or beside the file that names it where that is allowed) or a *path* (it contains ``/`` or
``\\``, or has a suffix), which must end in ``.toml``. Unreadable, binary, non-UTF-8,
empty and malformed files are InputErrors.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.errors import InputError


@dataclass(frozen=True)
class FileKind:
    """One kind of TOML input file: what it is called, where the shipped ones are."""

    noun: str
    """'scenario', 'experiment'."""
    shipped: Path
    shipped_label: str
    """How the list of shipped names is introduced: 'presets'."""
    name_hint: str
    """What a name is: 'a preset name'."""
    empty_hint: str
    """What a minimal file holds, for the error on an empty file."""

    @property
    def a_file(self) -> str:
        """'a scenario file', 'an experiment file'."""
        return f"{'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun} file"

    def shipped_names(self) -> list[str]:
        return sorted(path.stem for path in self.shipped.glob("*.toml"))


def is_file(path: Path) -> bool:
    """Path.is_file that says False, not raises, for names the OS rejects."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def shown(path: Path) -> str:
    """A path as an error message shows it: `..` and `.` folded away.

    >>> shown(Path("a/b/../../../etc/passwd"))
    '../etc/passwd'
    """
    return os.path.normpath(path)


def is_path(ref: str) -> bool:
    """A reference with a folder or a suffix (``.toml``, ``.csv``) is a path, else a name.

    >>> is_path("programme_funded"), is_path("parts/catalyst_leaves.toml"), is_path("a.csv")
    (False, True, True)
    """
    return "/" in ref or "\\" in ref or bool(Path(ref).suffix) or Path(ref).is_absolute()


def find(
    ref: str | Path,
    kind: FileKind,
    *,
    beside: Path | None = None,
    names_beside: bool = False,
    where: tuple[str, str] | None = None,
) -> Path:
    """The file a name or path refers to.

    Paths are relative to `beside` (else to the working directory). A name is
    ``beside/NAME.toml`` when `names_beside`, else (or when that does not exist) a shipped
    file. `where` is the (file, key) that wrote `ref`, named in the error; without it (a
    command-line argument) the error names `ref` itself.
    """
    text = str(ref).strip()

    def refuse(problem: str) -> InputError:
        if where is None:
            return InputError(text, problem)
        return InputError(where[0], f"{where[1]}: {problem}")

    named = "" if where is None else f" {text!r}"
    if is_path(text):
        path = Path(text) if beside is None else beside / text
        if path.suffix.lower() != ".toml":
            subject = "" if where is None else f"{text!r} is "
            raise refuse(
                f"{subject}not {kind.a_file}; give {kind.name_hint} or a path to a .toml file"
            )
        if not is_file(path):
            if where is None:
                raise refuse(f"no such {kind.noun} file")
            relative = beside is not None and not Path(text).is_absolute()
            raise refuse(
                f"no such file {text!r}" + (" (relative to this file)" if relative else "")
            )
        return path
    names = [beside / f"{text}.toml"] if names_beside and beside is not None else []
    for candidate in (*names, kind.shipped / f"{text}.toml"):
        if is_file(candidate):
            return candidate
    if where is None and is_file(Path(text)):
        raise refuse(f"not {kind.a_file}; give {kind.name_hint} or a path to a .toml file")
    raise refuse(
        f"unknown {kind.noun}{named}; " + suggest(text, kind.shipped_names(), kind.shipped_label)
    )


def suggest(word: str, choices: list[str], label: str) -> str:
    """'did you mean X? LABEL: a, b, c' (the list shortened when long).

    >>> suggest("yeras", ["name", "years"], "allowed keys")
    "did you mean 'years'? allowed keys: name, years"
    """
    hint = close_match(word, choices)
    shown_choices = ", ".join(choices[:30]) + (", ..." if len(choices) > 30 else "")
    return (f"did you mean {hint!r}? " if hint else "") + f"{label}: {shown_choices}"


def close_match(word: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    """The choice nearest to `word`, if one is near enough, else the only one it begins.

    >>> close_match("yeras", ["years"]), close_match("decay", ["decay_per_month", "years"])
    ('years', 'decay_per_month')
    """
    found = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if found:
        return found[0]
    begun = [choice for choice in choices if word and choice.startswith(word)]
    return begun[0] if len(begun) == 1 else None


def read_user_text(path: Path, kind: str, encoding_hint: str, empty_hint: str) -> str:
    """The file's text; `kind` names what it should be ("CSV text", "a TOML scenario")."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read the file ({error.strerror})") from None
    if b"\x00" in raw:
        raise InputError(str(path), f"a binary file, not {kind}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(path), f"not UTF-8 text; {encoding_hint}") from None
    if not text.strip():
        raise InputError(str(path), f"empty file; {empty_hint}")
    return text


def read_toml(path: Path, kind: FileKind) -> dict[str, Any]:
    """One TOML file as a dict; empty, binary and malformed files are InputErrors."""
    text = read_user_text(
        path, f"a TOML {kind.noun} file", f"{kind.a_file} is TOML", kind.empty_hint
    )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), toml_message(str(error))) from None


def toml_message(message: str) -> str:
    """'Invalid value (at line 3, column 7)' -> 'line 3, column 7: invalid TOML: invalid value'.

    >>> toml_message("Invalid value (at line 3, column 7)")
    'line 3, column 7: invalid TOML: invalid value'
    """
    found = re.match(r"(?s)(.*) \(at (line \d+, column \d+|end of document)\)$", message)
    if not found:
        return f"invalid TOML: {message}"
    what, where = found.groups()
    return f"{where}: invalid TOML: {what[:1].lower()}{what[1:]}"
