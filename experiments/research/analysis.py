"""What the experiments share: outcomes, formatting, measures over time, network snapshots,
and the standard section on how many replications are enough."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from experiments.research import figures
from experiments.research.experiment import Section, Study
from experiments.research.rerun import run_config
from experiments.stats import Estimate, convergence, settled_at, t_interval
from experiments.sweep.results import SweepResults
from simulation.config import WEEKS_PER_YEAR
from simulation.run import simulate_keeping_graphs

MAIN = "completed"
PRECISION = 0.05
"""Target: the 95 % CI half-width of the main outcome at most this share of its mean."""
OUTCOME_LABELS = {
    "completed": "cooperations completed",
    "success_rate": "success rate",
    "actors_involved_share": "actors involved",
    "cross_sector_share": "cross-sector share of resilient ties",
    "giant_component_share": "giant-component share",
}
OUTCOMES = list(OUTCOME_LABELS)
"""The key outcomes the research questions compare, as the reports name them."""


# ------------------------------------------------------------------ formatting


def pm(estimate: Estimate, digits: int = 3) -> str:
    """'mean ± half-width' (the half-width of the 95 % t interval)."""
    if np.isnan(estimate.low):
        return f"{estimate.value:.{digits}g}"
    return f"{estimate.value:.{digits}g} ± {estimate.half:.2g}"


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


# ------------------------------------------------------------------ over time


def with_cells(frame: pd.DataFrame, runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Attach the runs' cell columns to a series table by run_id."""
    return frame.merge(runs[["run_id", *columns]], on="run_id", how="inner")


def series_figure(
    study: Study,
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
        stem = figures.timeseries(frame, "cell", metrics, study.out, stem)
        study.report.figure(stem, caption)


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
    """Re-run one stored run (same config, parameter set, overrides and seed) and keep its
    tie graph."""
    config = run_config(results, run)
    wanted = {round(y * WEEKS_PER_YEAR): y for y in years}
    _, graphs = simulate_keeping_graphs(config, int(run["seed"]), max(years), list(wanted))
    return [(wanted[week], graph) for week, graph in graphs.items()]


# ------------------------------------------------------------------ replications


def replications(cell: str = "cell", outcome: str = MAIN, sweep: str | None = None) -> Section:
    """The standard section "How many replications", on the runs of `sweep` (default: the
    experiment's first) grouped by `cell`."""

    def section(study: Study) -> None:
        runs = (study.parts[sweep] if sweep else study.main).runs
        study.found["replications"] = replication_section(study, runs, cell, outcome)

    return section


def replication_section(study: Study, runs: pd.DataFrame, cell: str, outcome: str) -> str:
    """How the CI of the main outcome shrinks with replications; returns a one-line summary."""
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
    study.report.heading("How many replications")
    if not rows:
        study.report.text("Fewer than two replications per cell: no confidence intervals.")
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
    study.report.text(
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
    study.report.table(summary, f"{outcome}: CI width and CV at the full replication count")
    stem = figures.convergence(pd.concat(tables), outcome, study.out, "replications")
    study.report.figure(stem, f"CI half-width / mean (solid) and CV (dotted) of {outcome} vs n")
    return line


def _precise_from(table: pd.DataFrame, target: float) -> int | None:
    """The smallest n from which the relative CI half-width stays at or below `target`."""
    above = np.flatnonzero(~(table["relative_half_width"] <= target).to_numpy())
    if len(above) and above[-1] == len(table) - 1:
        return None
    return int(table["n"].iloc[above[-1] + 1 if len(above) else 0])
