"""Experiment 4, funding-exit: the programme ends at year 10, with and without Verstetigung.

What persists 5 and 10 years after the end (cooperations, resilient ties, giant component),
and whether ties the programme induced decay faster than ties that existed before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import figures
from experiments.research import (
    Context,
    Options,
    Outcome,
    finish,
    ok_runs,
    pm,
    replication_section,
    start,
    sweep,
    t_interval,
    text_table,
    value_at,
    verdict,
    with_cells,
    years_of,
)
from experiments.stats import mean_difference
from simulation import ScenarioConfig

CELLS = {
    "funding_exit_abrupt": "without Verstetigung",
    "funding_exit_verstetigung": "with Verstetigung",
}
STOCKS = [
    "resilient_ties",
    "giant_component_share",
    "ties_from_programme",
    "ties_from_start",
    "resilient_from_programme",
    "resilient_from_start",
]


def run(options: Options) -> Outcome:
    """Run the funding-exit sweep and write its report."""
    ctx = start("funding-exit", "Funding exit: what persists after the programme ends", options)
    spec, results = sweep(ctx, "funding_exit", "sweep")
    runs = ok_runs(results)
    runs["cell"] = runs["scenario"].map(CELLS).fillna(runs["scenario"])
    years = years_of(spec, results)
    exit_year = _exit_year(results)
    checks = [exit_year] + [exit_year + k for k in (5, 10) if exit_year + k <= years + 1e-9]
    if checks[-1] < years:
        checks.append(years)
    ctx.report.text(
        f"The programme ends at year {exit_year:g} (degressive transition as in the presets); "
        f"{spec.experiment.replications} replications × {years:g} years per cell, "
        f"{len(runs)} runs. Values are read at the end of funding and "
        + ", ".join(f"{c - exit_year:g}" for c in checks[1:])
        + " years later. 'ties from programme' were made at programme meetings or in funded "
        "cooperations; 'ties from start' existed before it (the model's tie origins)."
    )
    network = with_cells(results.network, runs, ["cell"])
    series = with_cells(results.timeseries, runs, ["cell"])
    table = persistence_section(ctx, network, series, runs, checks)
    figure_section(ctx, network, series)
    replication_section(ctx, runs, "cell")
    _fact7(ctx, network, checks)
    return finish(ctx, text_table(table))


def _exit_year(results) -> float:
    config = ScenarioConfig.model_validate(results.manifest["scenarios"][0]["config"])
    return config.programme.end_year


def completions_in_year(series: pd.DataFrame, year: float) -> pd.Series:
    """Per run: cooperations completed in the year before `year`."""
    return value_at(series, "completed", year) - value_at(series, "completed", year - 1)


def persistence_section(
    ctx: Context,
    network: pd.DataFrame,
    series: pd.DataFrame,
    runs: pd.DataFrame,
    checks: list[float],
) -> pd.DataFrame:
    rows, ratios = [], []
    for cell, part in network.groupby("cell", sort=False):
        ts = series[series["cell"] == cell]
        for year in checks:
            row = {"cell": cell, "year": f"{year:g}"}
            row |= {m: pm(t_interval(value_at(part, m, year))) for m in STOCKS}
            row["completed in the year before"] = pm(t_interval(completions_in_year(ts, year)))
            rows.append(row)
        for year in checks[1:]:
            row = {"cell": cell, "years after the end": f"{year - checks[0]:g}"}
            for metric in ("resilient_ties", "giant_component_share", "ties_from_programme"):
                row[f"{metric} kept"] = pm(t_interval(_ratio(part, metric, checks[0], year)))
            kept = completions_in_year(ts, year) / completions_in_year(ts, checks[0])
            row["yearly completions kept"] = pm(t_interval(kept.replace(np.inf, np.nan)))
            ratios.append(row)
    table = pd.DataFrame(rows)
    ctx.report.heading("What persists")
    ctx.report.table(table, "mean ± 95 % CI half-width at the end of funding and after")
    if ratios:
        ctx.report.table(pd.DataFrame(ratios), "share kept: value later / value at the end")
    _verstetigung(ctx, network, series, checks)
    return table[
        ["cell", "year", "resilient_ties", "giant_component_share", "completed in the year before"]
    ]


def _ratio(part: pd.DataFrame, metric: str, t0: float, t1: float) -> pd.Series:
    before = value_at(part, metric, t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (value_at(part, metric, t1) / before.replace(0, np.nan)).dropna()


def _verstetigung(
    ctx: Context, network: pd.DataFrame, series: pd.DataFrame, checks: list[float]
) -> None:
    rows = []
    for year in checks[1:]:
        for metric in ("resilient_ties", "giant_component_share"):
            with_v = value_at(network[network["cell"] == "with Verstetigung"], metric, year)
            without = value_at(network[network["cell"] == "without Verstetigung"], metric, year)
            rows.append(
                {
                    "year": f"{year:g}",
                    "outcome": metric,
                    "with − without [95 % CI]": mean_difference(with_v, without).text(),
                }
            )
        done = [
            completions_in_year(series[series["cell"] == c], year)
            for c in ("with Verstetigung", "without Verstetigung")
        ]
        rows.append(
            {
                "year": f"{year:g}",
                "outcome": "completed in the year before",
                "with − without [95 % CI]": mean_difference(*done).text(),
            }
        )
    if rows:
        ctx.report.heading("The effect of Verstetigung")
        ctx.report.table(pd.DataFrame(rows), "difference of means, bootstrap 95 % CI")


def figure_section(ctx: Context, network: pd.DataFrame, series: pd.DataFrame) -> None:
    ctx.report.heading("Figures")
    if not network.empty:
        stem = figures.timeseries(network, "cell", STOCKS, ctx.out, "network_series")
        ctx.report.figure(stem, "Ties by origin, resilient ties, giant component: mean ± CI")
    if not series.empty:
        stem = figures.timeseries(
            series, "cell", ["running", "completed", "fund_balance"], ctx.out, "timeseries"
        )
        ctx.report.figure(stem, "Running and completed cooperations, fund balance: mean ± CI")


def _fact7(ctx: Context, network: pd.DataFrame, checks: list[float]) -> None:
    if len(checks) < 2:
        ctx.fact(7, "decay after funding", "—", "not measured (run ends at the exit)")
        return
    end, later = checks[0], checks[1]
    for cell, part in network.groupby("cell", sort=False):
        programme = _ratio(part, "ties_from_programme", end, later)
        before = _ratio(part, "ties_from_start", end, later)
        both = pd.concat([programme, before], axis=1, join="inner").dropna()
        difference = t_interval(both.iloc[:, 0] - both.iloc[:, 1])
        ctx.fact(
            7,
            f"{cell}: share of programme ties kept − share of pre-existing ties kept, year "
            f"{end:g} → {later:g} (runs with pre-existing ties left at the exit: {len(both)})",
            difference.text(),
            verdict(difference, -1)
            if len(both) >= 2
            else "not measured (too few runs with pre-existing ties left at the exit)",
        )
    ctx.fact(
        7,
        "hysteresis (rebuilding needs more than the original push)",
        "—",
        "not measured: no experiment restarts funding",
    )
