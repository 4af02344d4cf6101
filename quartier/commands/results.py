"""`quartier results`: summarise a sweep directory, optionally export its runs as CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.atomic import write_csv
from experiments.sweep.results import format_summary, load


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "results",
        help="summarise a sweep's results, export CSV",
        description="Counts by status and mean ± 95 %% CI per cell.",
    )
    parser.add_argument("directory", type=Path, help="a directory written by `quartier sweep`")
    parser.add_argument(
        "--csv",
        type=Path,
        default=None,
        metavar="OUT",
        help="write the runs table (one row per run) to this CSV file",
    )
    parser.add_argument(
        "--timeseries-csv",
        type=Path,
        default=None,
        metavar="OUT",
        help="write the stored time series to this CSV file",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    results = load(args.directory)
    print(format_summary(results, args.directory))
    if args.csv is not None:
        write_csv(args.csv, results.runs)
        print(f"runs written to {args.csv}")
    if args.timeseries_csv is not None:
        write_csv(args.timeseries_csv, results.timeseries)
        print(f"time series written to {args.timeseries_csv}")
    return 0
