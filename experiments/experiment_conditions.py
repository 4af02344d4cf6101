"""Experiment 2, conditions: the guide's six conditions at a low and a high level, both regimes.

Four conditions are config settings in a full 2^4 grid; fixed meetings and regular exchange are
the scenario dimension (no meetings | meetings without exchange | meetings with exchange, in
each regime). Main effects and two-way interactions come from a least-squares fit with CIs
(experiments.stats.factorial_effects). A control sweep (meetings × catalyst) measures facts 3
and 4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import figures
from experiments.research import (
    MAIN,
    OUTCOME_LABELS,
    OUTCOMES,
    Context,
    Options,
    Outcome,
    cell_means_table,
    cross_sector_erosion,
    finish,
    ok_runs,
    replication_section,
    series_figure,
    start,
    sweep,
    t_interval,
    verdict,
    years_of,
)
from experiments.stats import factorial_effects, mean_difference

SCENARIOS = {
    # scenario label in the spec: (regime, meetings, exchange)
    "programme_funded": ("programme-funded", "yes", "yes"),
    "scenarios/programme_no_exchange.toml": ("programme-funded", "yes", "no"),
    "scenarios/programme_no_meetings.toml": ("programme-funded", "no", "no"),
    "self_organised": ("self-organised", "yes", "yes"),
    "scenarios/self_organised_no_exchange.toml": ("self-organised", "yes", "no"),
    "no_meetings": ("self-organised", "no", "no"),
}
CONDITIONS = {
    "resources": ("resources.level", 0.3, 1.0),
    "resilient ties": ("ties.initial_strength", 0.25, 0.6),
    "fixed meetings": ("meetings", "no", "yes"),
    "regular exchange": ("exchange", "no", "yes"),
    "clear goals": ("cooperation.clear_goals", False, True),
    "clear roles": ("cooperation.coordinator_role", False, True),
}
NESTED = {"fixed meetings × regular exchange"}
"""Exchange happens at meetings: this interaction is not estimable in the nested design."""


def run(options: Options) -> Outcome:
    """Run the conditions sweep and its control sweep, and write the report."""
    ctx = start("conditions", "Conditions: the guide's six conditions in both regimes", options)
    spec, results = sweep(ctx, "conditions", "sweep")
    runs = code(ok_runs(results))
    years = years_of(spec, results)
    introduce(ctx, spec, runs, years)
    effects = effect_section(ctx, runs)
    replication_section(ctx, runs, "regime_label")
    _, control = sweep(ctx, "conditions_control", "control")
    control_runs = control_cells(ok_runs(control))
    control_section(ctx, control, control_runs, years)
    _fact2(ctx, runs)
    _fact3(ctx, runs, control_runs)
    _fact4(ctx, control, control_runs, years)
    return finish(ctx, key_lines(effects))


def code(runs: pd.DataFrame) -> pd.DataFrame:
    """Regime, meetings and exchange columns from the scenario; matching the spec's labels."""
    parts = runs["scenario"].map(SCENARIOS)
    return runs.assign(regime_label=parts.str[0], meetings=parts.str[1], exchange=parts.str[2])


def introduce(ctx: Context, spec, runs: pd.DataFrame, years: float) -> None:
    levels = pd.DataFrame(
        [
            {"condition": name, "setting": key, "low": str(low), "high": str(high)}
            for name, (key, low, high) in CONDITIONS.items()
        ]
    )
    ctx.report.text(
        f"Six conditions of the guide (Gliszczynski 2017), each at a low and a high level, in "
        f"both regimes: a full 2^4 grid of four settings × 3 meeting structures (none; "
        f"meetings without exchange; meetings with exchange) × 2 regimes × "
        f"{spec.experiment.replications} replications × {years:g} years = {len(runs)} runs. "
        "Exchange on neighbourhood development happens at meetings, so 'regular exchange' is "
        "nested in 'fixed meetings': the effect of **fixed meetings** is meetings without "
        "exchange − no meetings, the effect of **regular exchange** is meetings with exchange − "
        "meetings without, and their interaction is not estimable."
    )
    ctx.report.table(levels, "Conditions and their levels")


def _fit(runs: pd.DataFrame, output: str) -> pd.DataFrame:
    factors = {key: (low, high) for key, low, high in CONDITIONS.values()}
    table = factorial_effects(runs, factors, output, skip={("meetings", "exchange")})
    names = {key: name for name, (key, _, _) in CONDITIONS.items()}
    table["term"] = [
        " × ".join(names[part] for part in term.split(" × ")) for term in table["term"]
    ]
    return table


def effect_section(ctx: Context, runs: pd.DataFrame) -> pd.DataFrame:
    """Main effects on every outcome, and two-way interactions on the main outcome."""
    fits = {
        (regime, output): _fit(part, output)
        for regime, part in runs.groupby("regime_label", sort=False)
        for output in OUTCOMES
    }
    rows = []
    for (regime, output), table in fits.items():
        for _, row in table[table["order"] == 1].iterrows():
            rows.append(
                {
                    "regime": regime,
                    "outcome": OUTCOME_LABELS[output],
                    "condition": row["term"],
                    "effect (high − low) [95 % CI]": _text(row),
                }
            )
    ctx.report.heading("Main effects")
    ctx.report.text(
        "Effect = mean at the high level − mean at the low level, from a least-squares fit "
        "with all main effects and two-way interactions (factors coded −1/+1), with a "
        "Student-t 95 % CI from the residual variance."
    )
    ctx.report.table(pd.DataFrame(rows), "Main effects per regime and outcome")
    main = pd.concat([fits[(r, MAIN)].assign(regime=r) for r in runs["regime_label"].unique()])
    ctx.report.heading(f"Two-way interactions on {MAIN}")
    pairs = main[main["order"] == 2]
    ctx.report.table(
        pairs.assign(**{"interaction [95 % CI]": [_text(r) for _, r in pairs.iterrows()]})[
            ["regime", "term", "interaction [95 % CI]"]
        ],
        "Two-way interactions (half the difference of a factor's effect at the other's "
        "high and low level, ×2 as in the usual 2^k convention)",
    )
    _plots(ctx, main)
    return main


def _text(row: pd.Series) -> str:
    return f"{row['effect']:.3g} [{row['low']:.3g}, {row['high']:.3g}]"


def _plots(ctx: Context, main: pd.DataFrame) -> None:
    for order, stem, caption in (
        (1, "main_effects", "Main effects"),
        (2, "interactions", "Two-way interactions"),
    ):
        part = main[main["order"] == order]
        plot = pd.DataFrame(
            {
                "label": part["regime"] + ": " + part["term"],
                "value": part["effect"],
                "low": part["low"],
                "high": part["high"],
                "group": part["regime"],
            }
        )
        name = figures.effects(
            plot.reset_index(drop=True), ctx.out, stem, f"effect on {MAIN} (95 % CI)", "group"
        )
        ctx.report.figure(name, f"{caption} on {MAIN}, per regime")


def control_cells(runs: pd.DataFrame) -> pd.DataFrame:
    regime = np.where(runs["regime"] == "programme", "programme-funded", "self-organised")
    meetings = np.where(runs["meetings_held"] > 0, "meetings", "no meetings")
    runs = runs.assign(regime_label=regime, meetings=meetings)
    runs["cell"] = (
        runs["regime_label"]
        + " / "
        + runs["meetings"]
        + " / catalyst "
        + runs["catalyst.mode"].astype(str)
    )
    return runs


def control_section(ctx: Context, control, runs: pd.DataFrame, years: float) -> None:
    ctx.report.heading("Control: meetings × catalyst")
    measures = ["cross_sector_acquaintances", "newcomer_share", "cross_sector_share", MAIN]
    table = cell_means_table(runs, "cell", measures, labels={})  # columns: the measures' names
    ctx.report.table(table, "mean ± 95 % CI half-width at the end")
    series_figure(
        ctx,
        control.network,
        runs,
        ["cross_sector_share", "cross_sector_acquaintances", "giant_component_share"],
        "control_series",
        "Cross-sector ties over time, with and without meetings and catalyst: mean ± CI",
    )


def _fact2(ctx: Context, runs: pd.DataFrame) -> None:
    low = runs[runs["resources.level"] == 0.3][MAIN]
    high = runs[runs["resources.level"] == 1.0][MAIN]
    estimate = t_interval(low)
    ctx.fact(
        2,
        "completed cooperations at 30 % resources (all other cells pooled); vs 100 %: "
        f"{mean_difference(low, high).text()}",
        estimate.text(),
        "yes"
        if estimate.high < 1
        else "no at 30 % resources: cooperations still "
        "complete (the zero level is in the sensitivity experiment)",
    )


def _fact3(ctx: Context, runs: pd.DataFrame, control: pd.DataFrame) -> None:
    present = control[control["catalyst.mode"] == "present"]
    for measure in ("cross_sector_acquaintances", "newcomer_share"):
        for regime, part in present.groupby("regime_label", sort=False):
            estimate = mean_difference(
                part[part["meetings"] == "meetings"][measure],
                part[part["meetings"] == "no meetings"][measure],
            )
            ctx.fact(
                3,
                f"{regime}, catalyst present: {measure}, meetings − none",
                estimate.text(),
                verdict(estimate, 1),
            )


def _fact4(ctx: Context, control, runs: pd.DataFrame, years: float) -> None:
    for regime, part in runs.groupby("regime_label", sort=False):
        neither = part[(part["meetings"] == "no meetings") & (part["catalyst.mode"] == "absent")]
        estimate = cross_sector_erosion(control.network, neither["run_id"], years)
        if estimate is None:
            ctx.fact(4, f"{regime}: neither forums nor catalyst", "—", "not measured")
            continue
        ctx.fact(
            4,
            f"{regime}, neither meetings nor catalyst: change of cross-sector share "
            f"of resilient ties, year 1 → {years:g}",
            estimate.text(),
            verdict(estimate, -1),
        )


def key_lines(main: pd.DataFrame) -> list[str]:
    lines = [f"Main effects on {MAIN} (high − low) [95 % CI]:"]
    for _, row in main[main["order"] == 1].iterrows():
        lines.append(f"  {row['regime']:<17} {row['term']:<17} {_text(row)}")
    return lines
