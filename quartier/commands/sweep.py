"""`quartier sweep`: run an experiment file's runs into a results directory, resumably."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from experiments.sweep.runner import SweepStats, run_sweep
from experiments.sweep.spec import load_spec
from scenarios.errors import InputError


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """--workers and --scheduler: where the runs go (shared with `quartier experiment`)."""
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local processes; 1 = in this process (default: all cores)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786",
    )


def check_engine_arguments(args: argparse.Namespace) -> None:
    """--workers at least 1, and not together with --scheduler."""
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", f"must be at least 1, got {args.workers}")
    if args.workers is not None and args.scheduler:
        raise InputError("--workers", "not with --scheduler (the cluster has its workers)")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "sweep",
        help="run an experiment file (designs, replications, parallel, resumable)",
        description="Run every scenario × design point × replicate of an experiment file.",
    )
    parser.add_argument("spec", help="experiment file, or the name of one in experiments/specs/")
    parser.add_argument(
        "--out", type=Path, default=None, help="results directory (default: results/NAME)"
    )
    add_engine_arguments(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out: skip runs already stored",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="like --resume, and run failed runs again"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    check_engine_arguments(args)
    spec = load_spec(args.spec)
    out = args.out or Path("results") / spec.name
    stats = run_sweep(
        spec,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        retry_failed=args.retry_failed,
        quiet=args.quiet,
        command=shlex.join(["quartier", *sys.argv[1:]]),
    )
    return report(stats, args, out)


def report(stats: SweepStats, args: argparse.Namespace, out: Path) -> int:
    """Print the end of the session; the exit code: 130 interrupted, 1 failures, else 0."""
    if stats.interrupted:
        print(
            f"quartier: interrupted; {stats.skipped + stats.ran} of {stats.total} runs are "
            f"stored in {out}. Continue with: quartier sweep {shlex.quote(args.spec)} "
            f"--out {shlex.quote(str(out))} --resume",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        print(
            f"{stats.ran} runs in {stats.seconds:.1f} s ({stats.runs_per_second:.1f} runs/s, "
            f"{stats.engine}); {stats.skipped} already stored; results in {out}"
        )
    if stats.failed_total:
        print(
            f"quartier: {stats.failed_total} of {stats.total} runs failed; tracebacks in "
            f"{out / 'failures'}; rerun them with --retry-failed",
            file=sys.stderr,
        )
        return 1
    return 0
