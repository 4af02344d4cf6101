"""Experiment 1, compare (the headline): regime × catalyst (absent, present, leaves at year 5).

Per cell the mean and 95 % CI of the key outcomes; the catalyst's effects (difference of means
and Hedges' g, bootstrap CIs); the interaction — the catalyst's effect when self-organised
minus its effect when programme-funded — with a bootstrap CI (the seed's conjecture).
"""

from __future__ import annotations

import pandas as pd

from experiments import figures
from experiments.research import (
    MAIN,
    OUTCOME_LABELS,
    OUTCOMES,
    REGIMES,
    Context,
    Options,
    Outcome,
    cell_means_table,
    cross_sector_erosion,
    finish,
    ok_runs,
    replication_section,
    series_figure,
    snapshot_years,
    snapshots,
    start,
    sweep,
    t_interval,
    text_table,
    value_at,
    verdict,
    years_of,
)
from experiments.stats import hedges_g, interaction, mean_difference

CATALYST = "catalyst.mode"
MODES = ["absent", "present", "leaves"]
CONTRASTS = [("present", "absent"), ("leaves", "present")]
SERIES = ["running", "completed", "actors_involved", "success_rate"]
NETWORK = [
    "resilient_ties",
    "cross_sector_share",
    "giant_component_share",
    "degree_centralisation",
    "hubs",
    "core_share",
]


def run(options: Options) -> Outcome:
    """Run the compare sweep and write its report."""
    ctx = start("compare", "Compare: regime × catalyst", options)
    spec, results = sweep(ctx, "compare", "sweep")
    runs = label_cells(ok_runs(results))
    years = years_of(spec, results)
    introduce(ctx, spec, runs, years)
    cells = outcome_section(ctx, runs)
    effect_section(ctx, runs)
    inter = interaction_section(ctx, runs)
    figure_section(ctx, results, runs, years)
    replication_section(ctx, runs, "cell")
    facts(ctx, results, runs, inter, years)
    key = key_lines(cells, inter, ctx)
    return finish(ctx, key)


def label_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Add regime label and 'regime / catalyst' cell columns, ordered regime, then mode."""
    runs = runs.assign(regime_label=runs["scenario"].map(REGIMES).fillna(runs["scenario"]))
    runs["cell"] = runs["regime_label"] + " / catalyst " + runs[CATALYST].astype(str)
    order = {m: i for i, m in enumerate(MODES)}
    return runs.sort_values(
        ["scenario_index", CATALYST], key=lambda c: c.map(order) if c.name == CATALYST else c
    ).reset_index(drop=True)


def introduce(ctx: Context, spec, runs: pd.DataFrame, years: float) -> None:
    reps = spec.experiment.replications
    ctx.report.text(
        f"Regime (programme-funded, self-organised) × catalyst (absent; present; leaves after "
        f"year {spec.fixed.get('catalyst.leave_year', 5):g} "
        f"without a successor) × {reps} replications × {years:g} years = {len(runs)} runs that "
        f"succeeded (seed {spec.experiment.seed}). Programme-funded: the QM office holds the "
        "catalyst role; self-organised: the initiative's lead. Intervals are 95 %: Student-t "
        "for cell means, percentile bootstrap (2000 resamples, groups resampled "
        "independently) for differences, Hedges' g and the interaction."
    )


def outcome_section(ctx: Context, runs: pd.DataFrame) -> pd.DataFrame:
    ctx.report.heading("Outcomes per cell")
    table = cell_means_table(runs, "cell", OUTCOMES)
    ctx.report.table(table, "mean ± 95 % CI half-width over replications, at the end of the run")
    return table


def _group(runs: pd.DataFrame, scenario: str, mode: str, output: str) -> pd.Series:
    part = runs[(runs["scenario"] == scenario) & (runs[CATALYST] == mode)]
    return part[output]


def effect_section(ctx: Context, runs: pd.DataFrame) -> pd.DataFrame:
    """The catalyst's effects per regime: difference of means and Hedges' g."""
    rows = []
    for scenario, label in REGIMES.items():
        for new, old in CONTRASTS:
            for output in OUTCOMES:
                a, b = _group(runs, scenario, new, output), _group(runs, scenario, old, output)
                if a.empty or b.empty:
                    continue
                diff, g = mean_difference(a, b), hedges_g(a, b)
                rows.append(
                    {
                        "regime": label,
                        "contrast": f"{new} − {old}",
                        "outcome": OUTCOME_LABELS[output],
                        "difference": diff.text(),
                        "Hedges' g": g.text(),
                        "_g": g,
                        "_output": output,
                    }
                )
    table = pd.DataFrame(rows)
    ctx.report.heading("The catalyst's effects")
    ctx.report.text(
        "'present − absent' is the catalyst's effect; 'leaves − present' is the effect of "
        "losing it at year 5 without a successor. Difference of means and Hedges' g "
        "(bias-corrected standardised difference) with percentile-bootstrap 95 % CIs."
    )
    ctx.report.table(table.drop(columns=["_g", "_output"]), "Catalyst effects by regime")
    plot = pd.DataFrame(
        {
            "label": table["regime"] + ": " + table["contrast"] + ", " + table["outcome"],
            "value": [g.value for g in table["_g"]],
            "low": [g.low for g in table["_g"]],
            "high": [g.high for g in table["_g"]],
            "group": table["regime"],
        }
    )
    stem = figures.effects(plot, ctx.out, "effects", "Hedges' g (95 % bootstrap CI)", "group")
    ctx.report.figure(stem, "The catalyst's effects, standardised (Hedges' g), by regime")
    return table


def interaction_section(ctx: Context, runs: pd.DataFrame) -> pd.DataFrame:
    """(catalyst effect when self-organised) − (catalyst effect when programme-funded)."""
    rows = []
    for new, old in CONTRASTS:
        for output in OUTCOMES:
            groups = [
                _group(runs, s, m, output)
                for s in ("self_organised", "programme_funded")
                for m in (new, old)
            ]
            if any(g.empty for g in groups):
                continue
            estimate = interaction(*groups)
            rows.append(
                {
                    "contrast": f"{new} − {old}",
                    "outcome": OUTCOME_LABELS[output],
                    "interaction [95 % CI]": estimate.text(),
                    "reading": _reading(estimate, new),
                    "_estimate": estimate,
                    "_output": output,
                }
            )
    table = pd.DataFrame(rows)
    ctx.report.heading("The interaction: does the catalyst matter more when self-organised?")
    ctx.report.text(
        "Interaction = (effect in the self-organised regime) − (effect in the programme-funded "
        "regime), for each contrast. For 'present − absent' a positive value means the "
        "catalyst adds more when self-organised (the seed's conjecture); for 'leaves − "
        "present' a negative value means losing it costs more when self-organised. The CI is "
        "a percentile bootstrap resampling the four cells independently."
    )
    if not table.empty:
        ctx.report.table(table.drop(columns=["_estimate", "_output"]), "Regime × catalyst")
    return table


def _reading(estimate, new: str) -> str:
    sign = 1 if new == "present" else -1
    judged = verdict(estimate, sign)
    if judged == "yes":
        return "matters more when self-organised"
    if judged.startswith("no —"):
        return "matters more when programme-funded"
    return judged


def figure_section(ctx: Context, results, runs: pd.DataFrame, years: float) -> None:
    ctx.report.heading("Figures")
    series_figure(
        ctx,
        results.timeseries,
        runs,
        SERIES,
        "timeseries",
        "Weekly counters: mean and 95 % CI band per cell",
    )
    series_figure(
        ctx,
        results.network,
        runs,
        NETWORK,
        "network_series",
        "Network metrics every 13 weeks: mean and 95 % CI band per cell",
    )
    from experiments.stats import cell_table

    kinds = [c for c in runs if c.startswith("completed_")]
    types = cell_table(runs, ["cell"], kinds)
    stem = figures.cooperation_types(types, "cell", ctx.out, "cooperation_types")
    ctx.report.figure(stem, "Completed cooperations by type (intensity × formality), mean ± CI")
    shots = {}
    for scenario, label in REGIMES.items():
        chosen = runs[(runs["scenario"] == scenario) & (runs[CATALYST] == "present")]
        if not chosen.empty:
            shots[f"{label} (rep {chosen.iloc[0]['replicate']})"] = snapshots(
                results, chosen.iloc[0], snapshot_years(years)
            )
    if shots:
        stem = figures.network_snapshots(shots, ctx.out, "network_snapshots")
        ctx.report.figure(
            stem,
            "Ties of one run per regime (catalyst present) at years "
            + ", ".join(f"{y:g}" for y in snapshot_years(years))
            + ": colour = sector, width = tie strength, star = catalyst, square = QM office",
        )


def facts(ctx: Context, results, runs: pd.DataFrame, inter: pd.DataFrame, years: float) -> None:
    light = runs["completed_light_informal"] - runs["completed_intensive_formal"]
    estimate = t_interval(light)
    ctx.fact(
        1,
        "completed light-informal − intensive-formal cooperations per run (all cells)",
        estimate.text(),
        verdict(estimate, 1),
    )
    _fact4(ctx, results, runs, years)
    _fact5(ctx, results, runs, years)
    _fact9(ctx, inter)


def _fact4(ctx: Context, results, runs: pd.DataFrame, years: float) -> None:
    absent = runs[runs[CATALYST] == "absent"]
    estimate = cross_sector_erosion(results.network, absent["run_id"], years)
    if estimate is None:
        ctx.fact(4, "cross-sector share, catalyst absent", "—", "not measured (run too short)")
        return
    ctx.fact(
        4,
        f"change of cross-sector share of resilient ties, year 1 → {years:g}, catalyst "
        "absent (forums present here: partial test; conditions has the pure one)",
        estimate.text(),
        verdict(estimate, -1),
    )


def _fact5(ctx: Context, results, runs: pd.DataFrame, years: float) -> None:
    present = runs[runs[CATALYST] == "present"]["run_id"]
    network = results.network[results.network["run_id"].isin(present)]
    if network.empty or years < 2:
        ctx.fact(5, "trajectory, catalyst present", "—", "not measured (run too short)")
        return
    early, mid = 0.25, min(5.0, years / 2)
    steps = [
        ("components", early, mid, -1, "components fall (clusters join)"),
        ("degree_centralisation", early, mid, 1, "centralisation rises (hub-and-spoke)"),
        ("hubs", mid, years, 1, "hubs increase (several hubs)"),
        ("degree_centralisation", mid, years, -1, "centralisation falls (core–periphery)"),
    ]
    parts, verdicts = [], []
    for metric, t0, t1, sign, meaning in steps:
        change = t_interval(value_at(network, metric, t1) - value_at(network, metric, t0))
        parts.append(f"{metric} {t0:g}→{t1:g} y: {change.text()} ({meaning})")
        verdicts.append(verdict(change, sign) == "yes")
    core = t_interval(value_at(network, "core_share", years))
    parts.append(f"core share at year {years:g}: {core.text()}")
    held = sum(verdicts)
    judged = (
        "yes (all four steps)" if held == 4 else f"partly ({held} of 4 steps)" if held else "no"
    )
    ctx.fact(
        5,
        "changes between years per run, catalyst present (both regimes)",
        "; ".join(parts),
        judged,
    )


def _fact9(ctx: Context, inter: pd.DataFrame) -> None:
    if inter.empty:
        ctx.fact(9, "interaction", "—", "not measured")
        return
    for _, row in inter[inter["contrast"] == "present − absent"].iterrows():
        estimate = row["_estimate"]
        ctx.fact(
            9,
            f"interaction on {row['outcome']} (present − absent)",
            estimate.text(),
            verdict(estimate, 1),
        )


def key_lines(cells: pd.DataFrame, inter: pd.DataFrame, ctx: Context) -> list[str]:
    """The short table printed to stdout."""
    lines = text_table(cells)
    main = inter[(inter["contrast"] == "present − absent") & (inter["_output"] == MAIN)]
    if not main.empty:
        row = main.iloc[0]
        lines.append(
            f"Interaction on {row['outcome']} (catalyst effect self-organised − "
            f"programme-funded): {row['interaction [95 % CI]']} — {row['reading']}"
        )
    return lines
