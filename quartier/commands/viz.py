"""`quartier viz`: the interactive browser app (a Solara page), offline, on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import scenarios
from quartier.viz.offline import OFFLINE_ENV, frontend_mismatch
from quartier.viz.session import MAX_RUNS
from quartier.viz.start import REGIME_COMPARISON, SCENARIOS_ENV, SEED_ENV
from scenarios.errors import InputError

LOOPBACK = "127.0.0.1"
APP = Path(__file__).resolve().parent.parent / "viz" / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "viz",
        help="explore the model live in the browser",
        description="Start the interactive browser app: neighbourhoods side by side, week "
        "by week. Without --scenario or --compare it compares "
        + " and ".join(REGIME_COMPARISON)
        + ".",
    )
    parser.add_argument(
        "--scenario",
        default=None,
        help="preset name or path to a scenario file: start with this one run",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        default=None,
        metavar="SCENARIO",
        help=f"start with these runs side by side (2 to {MAX_RUNS} presets or files)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
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
    if args.seed < 0:
        raise InputError("--seed", f"must be a non-negative integer, got {args.seed}")
    chosen = starting_scenarios(args)
    for scenario in chosen:
        scenarios.load(scenario)  # fail here, with a one-line error, not in the browser
    if args.host != LOOPBACK:
        print(
            f"quartier: warning: listening on {args.host}; anyone who can reach this "
            "address can use the app",
            file=sys.stderr,
        )
    if mismatch := frontend_mismatch():
        print(f"quartier: warning: {mismatch}", file=sys.stderr)
    print(f"quartier: open http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    env = {
        **os.environ,
        **OFFLINE_ENV,
        SCENARIOS_ENV: "\n".join(absolute(s) for s in chosen),
        SEED_ENV: str(args.seed),
    }
    command = server_command(args.host, args.port)
    os.execve(command[0], command, env)  # the server takes over this process and its pid
    return 0


def starting_scenarios(args: argparse.Namespace) -> list[str]:
    """The runs to start with: --compare, else --scenario, else the regime comparison."""
    if args.compare is not None and args.scenario is not None:
        raise InputError("--compare", "give either --scenario or --compare, not both")
    if args.compare is not None:
        if not 2 <= len(args.compare) <= MAX_RUNS:
            raise InputError(
                "--compare", f"takes 2 to {MAX_RUNS} scenarios, got {len(args.compare)}"
            )
        return list(args.compare)
    return [args.scenario] if args.scenario is not None else list(REGIME_COMPARISON)


def absolute(scenario: str) -> str:
    """A scenario file as an absolute path (the server may run elsewhere); a preset as is."""
    path = Path(scenario)
    return str(path.resolve()) if path.is_file() else scenario


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
