"""Experiment 5, catalyst-removal: at year 10 remove the catalyst, the top broker, a random
actor or a random actor of the same degree, in both regimes; fragmentation and lost cooperation.
"""

from __future__ import annotations

import pandas as pd

from experiments import figures
from experiments.research import (
    REGIMES,
    Context,
    Options,
    Outcome,
    cell_means_table,
    finish,
    ok_runs,
    replication_section,
    series_figure,
    start,
    sweep,
    t_interval,
    text_table,
    value_at,
    verdict,
    years_of,
)
from experiments.stats import hedges_g, interaction, mean_difference

TARGET = "disruption.target"
WINDOW = 3.0
"""Years before and after the removal over which completions are counted."""
MEASURES = {
    "fragmentation": "giant-component share lost (before − after)",
    "components_added": "components added (after − before)",
    "resilient_lost": "resilient ties lost (before − after)",
    "completions_change": "completions a year, after − before the removal",
}


def run(options: Options) -> Outcome:
    """Run the removal sweep and write its report."""
    ctx = start("catalyst-removal", "Catalyst removal: targeted vs random", options)
    spec, results = sweep(ctx, "catalyst_removal", "sweep")
    years = years_of(spec, results)
    at = float(spec.fixed.get("disruption.remove_at_year", 10))
    runs = measures(ok_runs(results), results.timeseries, at, years)
    ctx.report.text(
        f"At year {at:g} one actor is removed: the catalyst, the top broker (highest "
        "betweenness), a random actor, or a random actor with the catalyst's degree; both "
        f"regimes; {spec.experiment.replications} replications × {years:g} years, {len(runs)} "
        "runs. Fragmentation is measured just before and just after the removal; cooperation "
        f"as completions a year in the {WINDOW:g} years after minus the {WINDOW:g} before."
    )
    table = cell_section(ctx, runs)
    contrast_section(ctx, runs)
    figure_section(ctx, results, runs, at)
    replication_section(ctx, runs, "cell", "fragmentation")
    _facts(ctx, runs)
    return finish(ctx, text_table(table))


def measures(runs: pd.DataFrame, series: pd.DataFrame, at: float, years: float) -> pd.DataFrame:
    """Per run: fragmentation, components and resilient ties lost, completion-rate change."""
    runs = runs.assign(
        regime_label=runs["scenario"].map(REGIMES).fillna(runs["scenario"]),
        fragmentation=runs["removed_giant_component_share_before"]
        - runs["removed_giant_component_share_after"],
        components_added=runs["removed_components_after"] - runs["removed_components_before"],
        resilient_lost=runs["removed_resilient_ties_before"] - runs["removed_resilient_ties_after"],
    )
    runs["cell"] = runs["regime_label"] + " / remove " + runs[TARGET].astype(str)
    span = min(WINDOW, at, years - at)
    if span > 0 and not series.empty:
        done = lambda y: value_at(series, "completed", y)  # noqa: E731
        change = ((done(at + span) - done(at)) - (done(at) - done(at - span))) / span
        runs["completions_change"] = runs["run_id"].map(change)
    else:
        runs["completions_change"] = float("nan")
    return runs


def cell_section(ctx: Context, runs: pd.DataFrame) -> pd.DataFrame:
    table = cell_means_table(
        runs,
        "cell",
        ["removed_degree", *MEASURES],
        {"removed_degree": "removed degree", **MEASURES},
    )
    ctx.report.heading("Fragmentation and loss of cooperation")
    ctx.report.table(table, "mean ± 95 % CI half-width per cell")
    return table


def contrast_section(ctx: Context, runs: pd.DataFrame) -> None:
    """Each target vs a random actor, per regime; and the regime interaction."""
    rows = []
    for scenario, label in REGIMES.items():
        base = runs[(runs["scenario"] == scenario) & (runs[TARGET] == "random")]
        for target in ("catalyst", "top_broker", "random_same_degree"):
            part = runs[(runs["scenario"] == scenario) & (runs[TARGET] == target)]
            if part.empty or base.empty:
                continue
            for measure in ("fragmentation", "completions_change"):
                rows.append(
                    {
                        "regime": label,
                        "contrast": f"{target} − random",
                        "measure": MEASURES[measure],
                        "difference": mean_difference(part[measure], base[measure]).text(),
                        "Hedges' g": hedges_g(part[measure], base[measure]).text(),
                    }
                )
    ctx.report.heading("Targeted vs random removal")
    ctx.report.table(pd.DataFrame(rows), "difference of means and Hedges' g, bootstrap 95 % CI")
    groups = [
        _part(runs, s, t, "completions_change")
        for s in ("self_organised", "programme_funded")
        for t in ("catalyst", "random")
    ]
    if all(len(g) for g in groups):
        estimate = interaction(*groups)
        ctx.report.text(
            "Does losing the catalyst cost more cooperation when self-organised? Interaction "
            "= (catalyst − random) when self-organised − (catalyst − random) when "
            f"programme-funded, on completions a year after − before: **{estimate.text()}**."
        )
        ctx.fact(
            9,
            "removal: (catalyst − random) completions change, self-organised − "
            "programme-funded (negative = losing it costs more when self-organised)",
            estimate.text(),
            verdict(estimate, -1),
        )


def _part(runs: pd.DataFrame, scenario: str, target: str, measure: str) -> pd.Series:
    return runs[(runs["scenario"] == scenario) & (runs[TARGET] == target)][measure].dropna()


def figure_section(ctx: Context, results, runs: pd.DataFrame, at: float) -> None:
    ctx.report.heading("Figures")
    rows = []
    for cell, group in runs.groupby("cell", sort=False):
        estimate = t_interval(group["fragmentation"])
        rows.append(
            {
                "label": cell,
                "value": estimate.value,
                "low": estimate.low,
                "high": estimate.high,
                "group": group["regime_label"].iloc[0],
            }
        )
    stem = figures.effects(
        pd.DataFrame(rows),
        ctx.out,
        "fragmentation",
        "giant-component share lost at removal (mean, 95 % CI)",
        "group",
    )
    ctx.report.figure(stem, "Fragmentation by removal target and regime")
    series_figure(
        ctx,
        results.network,
        runs,
        ["giant_component_share", "components", "resilient_ties"],
        "network_series",
        f"Network around the removal at year {at:g}: mean ± CI",
    )
    series_figure(
        ctx,
        results.timeseries,
        runs,
        ["running", "completed"],
        "timeseries",
        "Running and completed cooperations: mean ± CI",
    )


def _facts(ctx: Context, runs: pd.DataFrame) -> None:
    for scenario, label in REGIMES.items():
        base = _part(runs, scenario, "random", "fragmentation")
        for target in ("top_broker", "catalyst"):
            part = _part(runs, scenario, target, "fragmentation")
            if part.empty or base.empty:
                continue
            estimate = mean_difference(part, base)
            ctx.fact(
                8,
                f"{label}: giant-component share lost, {target} − random",
                estimate.text(),
                verdict(estimate, 1),
            )
