"""The research questions as experiments: common machinery (specs, sweeps, reports, facts).

Each experiment (`experiments.experiments_*` modules, registered in EXPERIMENTS) runs one or
more sweeps through the sweep engine (resumable, any Executor) into a sub-folder of its output
directory, analyses the stored runs with experiments.stats, draws experiments.figures and
writes report.md and report.html. It never reaches into the model beyond `simulate` for the
network snapshots of single runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from experiments import figures
from experiments.report import Report, manifest_excerpt
from experiments.stats import Estimate, t_interval
from experiments.sweep.results import MAIN_OUTPUTS, SweepResults, load
from experiments.sweep.runner import run_sweep
from experiments.sweep.spec import Spec, read_spec_data, resolve_path, spec_from_dict
from scenarios.errors import InputError
from simulation import ScenarioConfig, apply_overrides
from simulation.config import WEEKS_PER_YEAR
from simulation.run import simulate_keeping_graphs

MAIN = "completed"
PRECISION = 0.05
"""Target: the 95 % CI half-width of the main outcome at most this share of its mean."""
OUTCOMES = list(MAIN_OUTPUTS)
OUTCOME_LABELS = {
    "completed": "cooperations completed",
    "success_rate": "success rate",
    "actors_involved_share": "actors involved",
    "cross_sector_share": "cross-sector share of resilient ties",
    "giant_component_share": "giant-component share",
}
REGIMES = {
    "programme_funded": "programme-funded",
    "self_organised": "self-organised",
}
FACTS = {
    1: "Light, informal cooperations outnumber intensive, formalised ones",
    2: "Without resources (time above all) no cooperation completes",
    3: "Regular meetings raise cross-sector acquaintance and the share of cooperations "
    "with newcomers",
    4: "Without forums or a catalyst, the share of cross-sector ties erodes",
    5: "With a catalyst: scattered clusters → hub-and-spoke → several hubs → core–periphery",
    6: "High repetition / few newcomers give closed clusters; newcomers give one network",
    7: "After funding ends, funding-induced ties decay faster than pre-existing ones",
    8: "Removing the top broker fragments the network far more than removing a random actor",
    9: "The catalyst matters more in self-organised than in programme-funded networks",
}


@dataclass
class Options:
    """What the command line may change; None keeps the spec's value."""

    replications: int | None = None
    years: float | None = None
    out: Path | None = None
    workers: int | None = None
    scheduler: str | None = None
    quiet: bool = False
    samples: int | None = None
    fixed: dict[str, object] = field(default_factory=dict)
    command: str = ""


@dataclass
class Outcome:
    """What an experiment wrote and the key lines it prints."""

    name: str
    out: Path
    markdown: Path
    html: Path
    key_lines: list[str]
    seconds: float


@dataclass
class Context:
    """An experiment in progress: options, output folder, report, sweep sessions."""

    name: str
    options: Options
    out: Path
    report: Report
    sweeps: list[tuple[str, SweepResults, float]] = field(default_factory=list)
    facts: list[dict[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def fact(self, number: int, measured: str, estimate: str, verdict: str) -> None:
        """One row of the stylised-facts table."""
        self.facts.append(
            {
                "fact": f"{number}. {FACTS[number]}",
                "measured": measured,
                "estimate [95 % CI]": estimate,
                "pattern appears?": verdict,
            }
        )


def start(name: str, title: str, options: Options) -> Context:
    """A context whose output folder is --out or results/NAME."""
    out = Path(options.out) if options.out else Path("results") / name
    out.mkdir(parents=True, exist_ok=True)
    return Context(name, options, out, Report(title, out))


def build_spec(name: str, options: Options) -> Spec:
    """A shipped spec with the command line's replications, years, samples and overrides."""
    path = resolve_path(name)
    data = read_spec_data(path)
    experiment = data.setdefault("experiment", {})
    if options.replications is not None:
        experiment["replications"] = options.replications
    if options.years is not None:
        experiment["years"] = options.years
    if options.samples is not None and data.get("design", {}).get("kind", "grid") != "grid":
        data["design"]["samples"] = options.samples
    if options.fixed:
        data["fixed"] = {**data.get("fixed", {}), **options.fixed}
    return spec_from_dict(data, source=str(path), base=path.parent)


def sweep(ctx: Context, spec_name: str, folder: str) -> tuple[Spec, SweepResults]:
    """Run (or resume) a shipped spec into OUT/FOLDER and load its results."""
    spec = build_spec(spec_name, ctx.options)
    target = ctx.out / folder
    stats = run_sweep(
        spec,
        target,
        workers=ctx.options.workers,
        scheduler=ctx.options.scheduler,
        resume=True,
        quiet=ctx.options.quiet,
        command=ctx.options.command or None,
    )
    if stats.interrupted:
        raise KeyboardInterrupt
    results = load(target)
    ctx.sweeps.append((folder, results, stats.seconds))
    if stats.failed_total:
        print(
            f"quartier: warning: {stats.failed_total} runs failed in {target}; the report "
            "uses the others (tracebacks in failures/)"
        )
    return spec, results


def ok_runs(results: SweepResults) -> pd.DataFrame:
    """The runs that succeeded, with `years` simulated."""
    runs = results.runs
    return runs[runs["status"] == "ok"].reset_index(drop=True)


def with_cells(frame: pd.DataFrame, runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Attach the runs' cell columns to a series table by run_id."""
    return frame.merge(runs[["run_id", *columns]], on="run_id", how="inner")


def years_of(spec: Spec, results: SweepResults) -> float:
    """The simulated years (the spec's, else the first scenario's)."""
    if spec.experiment.years is not None:
        return float(spec.experiment.years)
    return float(results.manifest["scenarios"][0]["config"]["years"])


# ------------------------------------------------------------------ formatting


def pm(estimate: Estimate, digits: int = 3) -> str:
    """'mean ± half-width' (the half-width of the 95 % t interval)."""
    if np.isnan(estimate.low):
        return f"{estimate.value:.{digits}g}"
    return f"{estimate.value:.{digits}g} ± {estimate.half:.2g}"


def verdict(estimate: Estimate, expected_sign: int) -> str:
    """'yes' when the CI lies on the expected side of zero, 'reversed', or 'not resolved'."""
    if np.isnan(estimate.low):
        return "not resolved (too few runs for a CI)"
    if expected_sign * estimate.low > 0 and expected_sign * estimate.high > 0:
        return "yes"
    if expected_sign * estimate.low < 0 and expected_sign * estimate.high < 0:
        return "no — reversed (CI on the other side of 0)"
    return "not resolved (CI includes 0)"


def cell_means_table(
    runs: pd.DataFrame, cell: str, outputs: list[str], labels: dict[str, str] = OUTCOME_LABELS
) -> pd.DataFrame:
    """Cells as rows, n and outputs as 'mean ± CI half-width' columns (named by `labels`;
    an output not in it keeps its name)."""
    rows = []
    for name, group in runs.groupby(cell, sort=False):
        row = {"cell": name, "n": len(group)}
        for output in outputs:
            row[labels.get(output, output)] = pm(t_interval(group[output]))
        rows.append(row)
    return pd.DataFrame(rows)


def text_table(frame: pd.DataFrame) -> list[str]:
    """A plain fixed-width table for the terminal."""
    show = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)  # noqa: E731
    cells = [[str(c) for c in frame.columns]] + [[show(v) for v in r] for r in frame.values]
    widths = [max(len(row[i]) for row in cells) for i in range(len(frame.columns))]
    return [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


def series_figure(
    ctx: Context,
    series: pd.DataFrame,
    runs: pd.DataFrame,
    metrics: list[str],
    stem: str,
    caption: str,
) -> None:
    """A figure of `metrics` over time, mean and CI band per cell of `runs` (none without
    data)."""
    frame = with_cells(series, runs, ["cell"])
    if not frame.empty:
        ctx.report.figure(figures.timeseries(frame, "cell", metrics, ctx.out, stem), caption)


def value_at(series: pd.DataFrame, metric: str, year: float) -> pd.Series:
    """Per run: the metric at the measurement nearest to `year` (series with run_id, week)."""
    week = year * WEEKS_PER_YEAR
    distance = (series["week"] - week).abs()
    nearest = series.assign(_d=distance).sort_values("_d").drop_duplicates("run_id")
    return nearest.set_index("run_id")[metric]


def cross_sector_erosion(
    network: pd.DataFrame, run_ids: pd.Series, years: float
) -> Estimate | None:
    """Fact 4's measure: the change of the cross-sector share of resilient ties from year 1
    to `years` in the runs `run_ids`, with its t interval; None when those runs have no
    network series or last less than 2 years."""
    network = network[network["run_id"].isin(run_ids)]
    if network.empty or years < 2:
        return None
    metric = "cross_sector_share"
    return t_interval(value_at(network, metric, years) - value_at(network, metric, 1.0))


# ------------------------------------------------------------------ network snapshots


def snapshot_years(years: float) -> list[float]:
    """Years 2, 10 and 20 where the run is long enough, else its end."""
    chosen = [y for y in (2.0, 10.0, 20.0) if y <= years + 1e-9]
    return chosen or [float(years)]


def snapshots(
    results: SweepResults, run: pd.Series, years: list[float]
) -> list[tuple[float, nx.Graph]]:
    """Re-run one stored run (same config, overrides and seed) and keep its tie graph."""
    entry = results.manifest["scenarios"][int(run["scenario_index"])]
    config = ScenarioConfig.model_validate(entry["config"])
    factors = results.manifest["design"]["factors"]
    config = apply_overrides(config, {f: _plain(run[f]) for f in factors})
    wanted = {round(y * WEEKS_PER_YEAR): y for y in years}
    _, graphs = simulate_keeping_graphs(config, int(run["seed"]), max(years), list(wanted))
    return [(wanted[week], graph) for week, graph in graphs.items()]


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------ closing the report


def replication_section(ctx: Context, runs: pd.DataFrame, cell: str, outcome: str = MAIN) -> str:
    """How the CI of the main outcome shrinks with replications; returns a one-line summary."""
    from experiments import figures
    from experiments.stats import convergence, settled_at

    tables, rows = [], []
    for name, group in runs.groupby(cell, sort=False):
        table = convergence(group.sort_values("replicate")[outcome]).assign(cell=name)
        tables.append(table)
        if table.empty:
            continue
        last = table.iloc[-1]
        rows.append(
            {
                "cell": name,
                "n": int(last["n"]),
                "CI half-width": float(last["half_width"]),
                "half-width / mean": float(last["relative_half_width"]),
                "CV": float(last["cv"]),
                "CV settled (±10 %) from n": settled_at(table),
                "half-width ≤ 5 % of mean from n": _precise_from(table, PRECISION),
            }
        )
    ctx.report.heading("How many replications")
    if not rows:
        ctx.report.text("Fewer than two replications per cell: no confidence intervals.")
        return "fewer than two replications: no CIs"
    summary = pd.DataFrame(rows)
    settled = [s for s in summary["CV settled (±10 %) from n"] if s is not None]
    worst = max(settled) if settled else None
    total = int(summary["n"].max())
    precise = [p for p in summary["half-width ≤ 5 % of mean from n"] if p is not None]
    line = (
        f"the 95 % CI half-width is at most {PRECISION:.0%} of the mean in every cell from "
        f"n = {max(precise) if len(precise) == len(summary) else 'more than ' + str(total)} "
        f"on; the coefficient of variation of '{outcome}' stays within ±10 % of its final value "
        f"from n = {worst} replications on (of {total}); the 95 % CI half-width at n = "
        f"{total} is at most {summary['half-width / mean'].max():.1%} of the mean"
    )
    ctx.report.text(
        f"Replications are justified by measurement, not guessed (Lorscheid et al. 2012; Lee "
        f"et al. 2015): for each cell the runs are taken in replicate order, and for n = 2 … "
        f"{total} the table and figure show the Student-t 95 % CI half-width of "
        f"**{outcome}** and its coefficient of variation (CV). The half-width shrinks like "
        f"1/√n once the CV has settled; {line}."
        + (
            f" The precision target ({PRECISION:.0%} of the mean) is not reached in every "
            "cell: use more replications (--replications)."
            if len(precise) < len(summary)
            else ""
        )
    )
    ctx.report.table(summary, f"{outcome}: CI width and CV at the full replication count")
    stem = figures.convergence(pd.concat(tables), outcome, ctx.out, "replications")
    ctx.report.figure(stem, f"CI half-width / mean (solid) and CV (dotted) of {outcome} vs n")
    return line


def _precise_from(table: pd.DataFrame, target: float) -> int | None:
    """The smallest n from which the relative CI half-width stays at or below `target`."""
    above = np.flatnonzero(~(table["relative_half_width"] <= target).to_numpy())
    if len(above) and above[-1] == len(table) - 1:
        return None
    return int(table["n"].iloc[above[-1] + 1 if len(above) else 0])


def finish(ctx: Context, key_lines: list[str]) -> Outcome:
    """Append the facts table and the provenance, write the report, return the outcome."""
    report = ctx.report
    report.heading("Stylised facts this experiment bears on")
    report.text(
        "From ../shared/MODEL-BACKGROUND.md §4. 'yes' means the 95 % CI lies on the side the "
        "fact predicts; nothing in the model is written to make a pattern appear, and a "
        "pattern that does not appear is reported as such."
    )
    ordered = sorted(ctx.facts, key=lambda row: int(row["fact"].split(".")[0]))
    report.table(pd.DataFrame(ordered), "Stylised facts: measured quantity, CI, verdict")
    report.heading("Reproduce")
    seconds = time.perf_counter() - ctx.started
    report.text(
        f"Command (run from the repository root; it resumes the stored sweeps if they are "
        f"there and only redoes the analysis): `{ctx.options.command or 'quartier experiment'}`"
        f". Wall time of this call: {seconds:.0f} s."
    )
    for folder, results, sweep_seconds in ctx.sweeps:
        report.text(
            f"Sweep `{folder}/`: {len(results.runs)} runs, manifest `{folder}/manifest.json` "
            f"(sweep time this call: {sweep_seconds:.1f} s). The same runs: `quartier sweep` "
            f"on the spec below with `--out {ctx.out / folder}`."
        )
        report.code(manifest_excerpt(results.manifest))
    markdown, page = report.write()
    return Outcome(ctx.name, ctx.out, markdown, page, key_lines, seconds)


EXPERIMENTS: dict[str, str] = {
    "compare": "experiments.experiment_compare",
    "funding-exit": "experiments.experiment_funding_exit",
    "catalyst-removal": "experiments.experiment_catalyst_removal",
    "conditions": "experiments.experiment_conditions",
    "sensitivity": "experiments.experiment_sensitivity",
}
"""Experiment name -> module with `run(options) -> Outcome`."""


def run_experiment(name: str, options: Options) -> Outcome:
    """Run the named experiment (sweeps, analysis, figures, report)."""
    from importlib import import_module

    if name not in EXPERIMENTS:
        raise InputError(name, f"unknown experiment; choose one of {', '.join(EXPERIMENTS)}")
    return import_module(EXPERIMENTS[name]).run(options)
