"""Reading a user's text file: unreadable, binary, non-UTF-8 and empty files are InputErrors."""

from __future__ import annotations

from pathlib import Path

from scenarios.errors import InputError


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
