"""`quartier scenarios`: list, show, validate, diff and describe scenario files."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scenarios.dotted import flatten
from scenarios.errors import InputError
from scenarios.loader import load, presets
from scenarios.toml_writer import dumps
from simulation.config import ScenarioConfig


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scenarios",
        help="list, show, validate and compare scenarios",
        description="Work with scenario files and the presets.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="presets with a one-line description").set_defaults(
        handler=handle_list
    )
    show = actions.add_parser("show", help="the fully resolved configuration as TOML")
    show.add_argument("scenario", metavar="NAME_OR_FILE")
    show.set_defaults(handler=handle_show)
    check = actions.add_parser("validate", help="check scenario files; exit 0 when all are valid")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(handler=handle_validate)
    diff = actions.add_parser("diff", help="keys whose resolved values differ")
    diff.add_argument("first", metavar="A")
    diff.add_argument("second", metavar="B")
    diff.set_defaults(handler=handle_diff)
    actions.add_parser("schema", help="JSON Schema of a scenario file").set_defaults(
        handler=handle_schema
    )


def handle_list(args: argparse.Namespace) -> int:
    configs = [load(name) for name in presets()]
    width = max(len(config.name) for config in configs)
    for name, config in zip(presets(), configs, strict=True):
        print(f"{name:<{width}}  {config.description}")
    return 0


def handle_show(args: argparse.Namespace) -> int:
    print(resolved_toml(load(args.scenario)), end="")
    return 0


def resolved_toml(config: ScenarioConfig) -> str:
    """The whole configuration as TOML that the loader reads back unchanged."""
    header = f"# Resolved scenario {config.name!r}: every key, inherited and default ones too.\n"
    return header + dumps(config.model_dump())


def handle_validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            config = load(file)
        except InputError as error:
            print(f"quartier: error: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{file}: ok ({config.name})")
    return 2 if failed else 0


def handle_diff(args: argparse.Namespace) -> int:
    first, second = load(args.first), load(args.second)
    left, right = flatten(first.model_dump()), flatten(second.model_dump())
    missing = object()
    for key in sorted(left.keys() | right.keys(), key=_natural):
        a, b = left.get(key, missing), right.get(key, missing)
        if a != b:
            print(f"{key}: {_text(a, missing)} -> {_text(b, missing)}")
    return 0


def _natural(key: str) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in key.split(".")]


def _text(value: object, missing: object) -> str:
    return "(absent)" if value is missing else json.dumps(value, ensure_ascii=False)


def handle_schema(args: argparse.Namespace) -> int:
    print(json.dumps(schema(), indent=2, ensure_ascii=False))
    return 0


def schema() -> dict[str, Any]:
    """JSON Schema of a scenario file: the configuration plus the loader's own keys."""
    result = ScenarioConfig.model_json_schema()
    result["title"] = "Quartier scenario"
    name_or_path = {
        "type": "string",
        "description": "a preset name or a path to a .toml file (relative to this file)",
    }
    result["properties"]["extends"] = {
        "description": "start from these scenarios; tables merge, other values replace",
        "anyOf": [name_or_path, {"type": "array", "items": name_or_path}],
    }
    csv_file = "path of a .csv, .tsv or .txt file, relative to this scenario file"
    defs = result["$defs"]
    defs["ActorsConfig"]["properties"]["map"] = {
        "type": "string",
        "description": f"actor map: {csv_file}; fills roster",
    }
    defs["TiesConfig"]["properties"]["map"] = {
        "type": "string",
        "description": f"ties file (a, b, strength): {csv_file}; fills initial",
    }
    return result
