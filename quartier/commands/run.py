"""`quartier run`: one scenario, one seed; a readable summary, JSON, or files."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import networkx as nx

import scenarios
from experiments.atomic import atomic_write, write_csv, write_json, write_parquet
from experiments.sweep.ensemble import PARAMETERS, load_ensemble
from scenarios.dotted import parse_assignments
from scenarios.errors import InputError
from scenarios.explain import At, Flag
from simulation import RunResult, ScenarioConfig, result_of
from simulation.config import COOPERATION_TYPES, WEEKS_PER_YEAR
from simulation.run import simulate_keeping_graphs

NETWORK_FORMATS = {"graphml": nx.write_graphml, "gexf": nx.write_gexf}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="run one scenario with one seed",
        description="Run one scenario with one seed and summarise it.",
    )
    parser.add_argument(
        "--scenario",
        default="self_organised",
        help="preset name or path to a scenario file (default: self_organised)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--years", type=float, default=None, help="years to simulate (default: the scenario's)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. ties.decay_per_month=0.1 (repeatable)",
    )
    parser.add_argument(
        "--ensemble",
        default=None,
        metavar="DIR",
        help="a calibrated ensemble (folder or shipped name): the run takes the parameter set "
        "its seed draws (before --set)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write time series and cooperation table (Parquet and CSV) here",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object and nothing else"
    )
    parser.add_argument(
        "--export-network",
        choices=tuple(NETWORK_FORMATS),
        default=None,
        help="also write the tie network into --out (Gephi, networkx)",
    )
    parser.add_argument(
        "--export-at",
        default=None,
        metavar="YEARS",
        help="years at which to export the network, e.g. 2,10,20 (default: the last year)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise InputError("--seed", f"must be a non-negative integer, got {args.seed}")
    config = scenarios.load(args.scenario)
    member = None
    if args.ensemble is not None:
        config, member = ensemble_member(config, args.ensemble, args.seed)
    if args.overrides:
        overrides = parse_assignments(args.overrides)
        config = scenarios.override(config, overrides, Flag("--set"))
    if args.years is not None:  # checked against the config's own bounds
        config = scenarios.loader.validate({**config.model_dump(), "years": args.years}, "--years")
    export_weeks = export_times(args, config.years)
    started = time.perf_counter()
    model, graphs = simulate_keeping_graphs(config, args.seed, None, export_weeks)
    result = result_of(model, args.seed)
    graphs = {week: network_for_export(graph) for week, graph in graphs.items()}
    seconds = time.perf_counter() - started
    if args.out is not None:
        write_result(result, args.out)
        write_networks(graphs, args.out, args.export_network)
    if member is not None:
        result.summary["ensemble_member"] = member
    if args.json:
        print(json.dumps(result.summary, sort_keys=False))
    else:
        print(format_summary(result, seconds, args.out))
        if member is not None:
            print(f"  ensemble member   {member} of {args.ensemble} (drawn from seed {args.seed})")
        if graphs:
            files = [f"{network_file_stem(week)}.{args.export_network}" for week in graphs]
            print(f"  networks          {', '.join(files)}")
    return 0


def ensemble_member(config: ScenarioConfig, ref: str, seed: int) -> tuple[ScenarioConfig, int]:
    """`config` with the parameter set that `seed` draws from the ensemble, and its number."""
    ensemble = load_ensemble(ref)
    k = ensemble.pick(seed)
    where = At(str(ensemble.path / PARAMETERS), f"member {k}: ")
    return scenarios.override(config, ensemble.member(k), where), k


def export_times(args: argparse.Namespace, years: float) -> list[int]:
    """Weeks at which to export the network; checks the export options first."""
    if args.export_network is None:
        if args.export_at is not None:
            raise InputError("--export-at", "needs --export-network graphml or gexf")
        return []
    if args.out is None:
        raise InputError("--export-network", "needs --out DIR to write the network files into")
    if args.export_at is None:
        return [round(years * WEEKS_PER_YEAR)]
    weeks = []
    for part in args.export_at.split(","):
        try:
            year = float(part)
        except ValueError:
            raise InputError(
                "--export-at",
                f"{part.strip()!r} is not a number; expected years "
                "separated by commas, e.g. 2,10,20",
            ) from None
        if not 0 <= year <= years:
            raise InputError(
                "--export-at", f"year {part.strip()} is outside the run; allowed 0 to {years:g}"
            )
        weeks.append(round(year * WEEKS_PER_YEAR))
    return sorted(set(weeks))


def network_for_export(graph: nx.Graph) -> nx.Graph:
    """The tie graph with a `label` (the actor's name) that Gephi shows."""
    for _, data in graph.nodes(data=True):
        data["label"] = data.get("name", "")
    return graph


def write_networks(graphs: dict[int, nx.Graph], out: Path, fmt: str | None) -> None:
    """One file per export time: network_year02.graphml and so on."""
    for week, graph in graphs.items():
        path = out / f"{network_file_stem(week)}.{fmt}"
        atomic_write(path, lambda tmp, graph=graph: NETWORK_FORMATS[fmt](graph, tmp))


def network_file_stem(week: int) -> str:
    """'network_year02' at a whole year, else 'network_week0130'."""
    year, rest = divmod(week, WEEKS_PER_YEAR)
    return f"network_year{year:02d}" if rest == 0 else f"network_week{week:04d}"


def write_result(result: RunResult, out: Path) -> None:
    """Time series, network series and cooperations as Parquet and CSV, plus the summary."""
    for name, frame in (
        ("timeseries", result.timeseries),
        ("network", result.network),
        ("cooperations", result.cooperations),
    ):
        write_parquet(out / f"{name}.parquet", frame)
        write_csv(out / f"{name}.csv", frame)
    write_json(out / "summary.json", result.summary)


def format_summary(result: RunResult, seconds: float, out: Path | None) -> str:
    s = result.summary
    years = s["weeks"] / WEEKS_PER_YEAR
    lines = [
        f"Scenario {s['scenario']} ({s['regime']}), seed {s['seed']}, {years:g} years "
        f"({seconds:.2f} s)",
        f"  actors            {s['actors_start']} at start, {s['actors_end']} at end",
        f"  cooperations      {s['started']} started: {s['completed']} completed, "
        f"{s['failed']} failed, {s['running_end']} still running; "
        f"{s['abandoned']} ideas abandoned in formation",
        f"  success rate      {s['success_rate']:.0%}",
        "  by type (completed/started)  "
        + ", ".join(
            f"{t.replace('_', ' ')} {s[f'completed_{t}']}/{s[f'started_{t}']}"
            for t in COOPERATION_TYPES
        ),
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
