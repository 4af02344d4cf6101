"""The one error type for bad user input: its message is a single line for stderr."""

from __future__ import annotations

import re

_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Every character str.splitlines breaks a line at."""


class InputError(Exception):
    """Bad input from a user file or command line; the CLI prints it and exits with 2."""

    def __init__(self, source: str, message: str) -> None:
        self.source = _one_line(source)
        self.message = _one_line(message)
        super().__init__(f"{self.source}: {self.message}" if self.source else self.message)

    def via(self, source: str, key: str) -> InputError:
        """This error as reached from `key` in `source`.

        >>> str(InputError("base.toml", "years: missing").via("my.toml", "extends"))
        'my.toml: extends → base.toml: years: missing'
        """
        return InputError(source, f"{key} → {self}")


def _one_line(text: str) -> str:
    """Line breaks a user wrote (in a key, a file name) shown escaped: the error stays one line.

    >>> _one_line("a\\nb\\u2028c")
    'a\\\\nb\\\\u2028c'
    """
    return _BREAKS.sub(lambda found: repr(found.group())[1:-1], text)
