"""The one error type for bad user input: its message is a single line for stderr."""


class InputError(Exception):
    """Bad input from a user file or command line; the CLI prints it and exits with 2."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}" if source else message)
