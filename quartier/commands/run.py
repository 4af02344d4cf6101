"""`quartier run`: one scenario, one seed; a readable summary, JSON, or files."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import scenarios
from experiments.atomic import write_csv, write_json, write_parquet
from scenarios.errors import InputError
from simulation import RunResult, run


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run one scenario with one seed",
                            description="Run one scenario with one seed and summarise it.")
    parser.add_argument("--scenario", default="self_organised",
                        help="preset name or path to a scenario file (default: self_organised)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--years", type=float, default=None,
                        help="years to simulate (default: the scenario's)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write time series and cooperation table (Parquet and CSV) here")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object and nothing else")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.years is not None and not 0 < args.years <= 200:
        raise InputError("--years", f"must be in (0, 200], got {args.years}")
    if args.seed < 0:
        raise InputError("--seed", f"must be a non-negative integer, got {args.seed}")
    config = scenarios.load(args.scenario)
    started = time.perf_counter()
    result = run(config, seed=args.seed, years=args.years)
    seconds = time.perf_counter() - started
    if args.out is not None:
        write_result(result, args.out)
    if args.json:
        print(json.dumps(result.summary, sort_keys=False))
    else:
        print(format_summary(result, seconds, args.out))
    return 0


def write_result(result: RunResult, out: Path) -> None:
    """Time series, network series and cooperations as Parquet and CSV, plus the summary."""
    for name, frame in (("timeseries", result.timeseries), ("network", result.network),
                        ("cooperations", result.cooperations)):
        write_parquet(out / f"{name}.parquet", frame)
        write_csv(out / f"{name}.csv", frame)
    write_json(out / "summary.json", result.summary)


def format_summary(result: RunResult, seconds: float, out: Path | None) -> str:
    s = result.summary
    years = s["weeks"] / 52
    lines = [
        f"Scenario {s['scenario']} ({s['regime']}), seed {s['seed']}, {years:g} years "
        f"({seconds:.2f} s)",
        f"  actors            {s['actors_start']} at start, {s['actors_end']} at end",
        f"  cooperations      {s['started']} started: {s['completed']} completed, "
        f"{s['failed']} failed, {s['running_end']} still running; "
        f"{s['abandoned']} ideas found too few partners",
        f"  success rate      {s['success_rate']:.0%}",
        "  by type (completed/started)  " + ", ".join(
            f"{t.replace('_', ' ')} {s[f'completed_{t}']}/{s[f'started_{t}']}"
            for t in ("light_informal", "light_formal", "intensive_informal",
                      "intensive_formal")),
        f"  with newcomers    {s['newcomer_share']:.0%} of cooperations",
        f"  actors involved   {s['actors_involved_share']:.0%} ever took part",
        f"  resilient ties    {s['resilient_ties']:.0f} (density {s['density_resilient']:.3f}, "
        f"cross-sector share {s['cross_sector_share']:.0%})",
        f"  giant component   {s['giant_component_share']:.0%} of active actors",
        f"  meetings held     {s['meetings_held']}; fund spent {s['fund_spent']:,.0f} EUR",
    ]
    if out is not None:
        lines.append(f"  written to        {out}/")
    return "\n".join(lines)
