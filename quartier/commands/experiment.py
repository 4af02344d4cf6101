"""`quartier experiment NAME`: run one of the research experiments and write its report."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from experiments.research.catalogue import EXPERIMENTS, run_experiment
from experiments.research.compare_robustness import check_ensemble
from experiments.research.experiment import Options
from quartier.commands.sweep import add_engine_arguments, check_engine_arguments
from scenarios.dotted import parse_assignments
from scenarios.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "experiment",
        help="run a research experiment (sweep, statistics, figures, report)",
        description="Run a research experiment — its sweeps (resumable, on a process pool or "
        "a Dask cluster), statistics and figures — and write report.html, report.md and "
        "figures into --out. docs/EXPERIMENTS.md describes each experiment.",
    )
    parser.add_argument("name", choices=list(EXPERIMENTS), help="which experiment")
    parser.add_argument(
        "--replications", type=int, default=None, help="replications per cell (default: the spec's)"
    )
    parser.add_argument(
        "--years", type=float, default=None, help="simulated years (default: the spec's)"
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=None,
        help="SALib's N: sensitivity's Morris and Sobol' designs; compare: also runs the "
        "sensitivity analysis of the interaction with N base samples",
    )
    parser.add_argument(
        "--streams",
        type=int,
        default=None,
        help="compare only: repeat the experiment with this many independent random streams "
        "(experiment seeds) and report the verdict in each (default: the spec's)",
    )
    parser.add_argument(
        "--ensemble",
        default=None,
        metavar="ENSEMBLE",
        help="compare only: also run the primary contrast with every run of both regimes "
        "drawing its parameters from this calibrated ensemble (a folder or a shipped name), "
        "or with the presets' own values (none); by default each regime draws from its own",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: results/NAME)"
    )
    add_engine_arguments(parser)
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key in every run, e.g. actors.counts.residents=10",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    _check(args)
    options = Options(
        replications=args.replications,
        years=args.years,
        out=args.out or Path("results") / args.name,
        workers=args.workers,
        scheduler=args.scheduler,
        quiet=args.quiet,
        samples=args.samples,
        streams=args.streams,
        ensemble=args.ensemble,
        fixed=parse_assignments(args.overrides),
        command=_command(args),
    )
    outcome = run_experiment(args.name, options)
    print("\n".join(outcome.key_lines))
    print(
        f"Report: {outcome.html} (and {outcome.markdown.name}, figures/) — {outcome.seconds:.0f} s"
    )
    return 0


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this call, from the parsed arguments."""
    words = ["quartier", "experiment", args.name]
    for flag in (
        "replications",
        "years",
        "samples",
        "streams",
        "ensemble",
        "out",
        "workers",
        "scheduler",
    ):
        value = getattr(args, flag)
        if value is not None:
            words += [f"--{flag}", f"{value:g}" if isinstance(value, float) else str(value)]
    for text in args.overrides:
        words += ["--set", text]
    return shlex.join(words)


def _check(args: argparse.Namespace) -> None:
    for flag in ("replications", "samples", "streams"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise InputError(f"--{flag}", f"must be at least 1, got {value}")
    if args.years is not None and args.years <= 0:
        raise InputError("--years", f"must be positive, got {args.years}")
    for flag in ("streams", "ensemble"):
        if getattr(args, flag) is not None and args.name != "compare":
            raise InputError(f"--{flag}", f"only the compare experiment takes it, not {args.name}")
    check_ensemble(args.ensemble)  # refused before any run; compare resolves it again
    check_engine_arguments(args)
