"""`quartier calibrate`: fit a scenario to observed patterns; write a calibrated ensemble."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from calibration import calibrate
from quartier.commands.sweep import add_engine_arguments, check_engine_arguments


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "calibrate",
        help="fit a scenario to observed patterns (rejection or ABC-SMC); write an ensemble",
        description="Calibrate a scenario against the observed patterns of a targets file: "
        "pattern-oriented rejection on a prior sample, or ABC-SMC (pyabc). Writes the "
        "calibrated ensemble (OUT/ensemble), posterior predictive checks and report.html, "
        "report.md and figures into --out. docs/CALIBRATION.md describes targets files.",
    )
    parser.add_argument("targets", help="targets file, or the name of one in calibration/targets/")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/calibrate/NAME)"
    )
    add_engine_arguments(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the calibration in --out: reuse its stored runs, redo the analysis",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    check_engine_arguments(args)
    try:
        outcome = calibrate(
            args.targets,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            quiet=args.quiet,
            command=_command(args),
        )
    except KeyboardInterrupt:
        print(
            "quartier: interrupted; the finished runs are stored. Continue with: "
            + _command(args, resume=True),
            file=sys.stderr,
        )
        return 130
    print("\n".join(outcome.lines))
    where = f"ensemble: {outcome.ensemble}; " if outcome.ensemble else "no ensemble; "
    print(
        f"{where}report: {outcome.html} (and {outcome.markdown.name}, figures/) — "
        f"{outcome.seconds:.0f} s"
    )
    return 0 if outcome.ensemble else 1


def _command(args: argparse.Namespace, resume: bool = False) -> str:
    words = ["quartier", "calibrate", args.targets]
    for flag in ("out", "workers", "scheduler"):
        value = getattr(args, flag)
        if value is not None:
            words += [f"--{flag}", str(value)]
    if resume or args.resume:
        words.append("--resume")
    return shlex.join(words)
