"""The `quartier` command line: one subcommand per module in quartier.commands."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

from scenarios.errors import InputError

COMMANDS = ("run", "scenarios", "sweep", "results", "experiment", "calibrate", "viz")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quartier", description="Simulate how cooperations form in an urban neighbourhood."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        import_module(f"quartier.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as error:
        print(f"quartier: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("quartier: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) closed the pipe: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
