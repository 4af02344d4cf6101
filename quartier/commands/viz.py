"""`quartier viz`: the interactive browser app (Mesa SolaraViz), offline, on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import scenarios
from quartier.viz.model import SCENARIO_ENV
from quartier.viz.offline import OFFLINE_ENV, frontend_mismatch
from scenarios.errors import InputError

LOOPBACK = "127.0.0.1"
APP = Path(__file__).resolve().parent.parent / "viz" / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "viz",
        help="explore the model live in the browser",
        description="Start the interactive browser app (Mesa SolaraViz).",
    )
    parser.add_argument(
        "--scenario",
        default="self_organised",
        help="preset name or path to a scenario file (default: self_organised)",
    )
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError("--port", f"must be in 1..65535, got {args.port}")
    scenarios.load(args.scenario)  # fail here, with a one-line error, not in the browser
    if args.host != LOOPBACK:
        print(
            f"quartier: warning: listening on {args.host}; anyone who can reach this "
            "address can use the app",
            file=sys.stderr,
        )
    if mismatch := frontend_mismatch():
        print(f"quartier: warning: {mismatch}", file=sys.stderr)
    print(f"quartier: open http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    scenario = args.scenario
    if Path(scenario).exists():
        scenario = str(Path(scenario).resolve())
    env = {**os.environ, **OFFLINE_ENV, SCENARIO_ENV: scenario}
    command = server_command(args.host, args.port)
    os.execve(command[0], command, env)  # the server takes over this process and its pid
    return 0


def server_command(host: str, port: int) -> list[str]:
    """`solara run` on the app module, production mode, no browser, no version check."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]
