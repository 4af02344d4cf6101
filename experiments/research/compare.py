"""compare (the headline): regime × catalyst mode, as compare.toml lists them.

Per cell the mean and 95 % CI of the key outcomes; the catalyst's effects (each mode against
the one before it in the spec: difference of means and Hedges' g, bootstrap CIs); the
interaction — the catalyst's effect when self-organised minus its effect when
programme-funded — with a bootstrap CI (stylised fact 9, docs/FACTS.md).
"""

from __future__ import annotations

import pandas as pd

from experiments.research import figures
from experiments.research.analysis import (
    MAIN,
    OUTCOME_LABELS,
    OUTCOMES,
    cell_means_table,
    cross_sector_erosion,
    replications,
    series_figure,
    snapshot_years,
    snapshots,
    text_table,
    value_at,
)
from experiments.research.cells import REGIME_LABELS, Cells, regime
from experiments.research.experiment import Experiment, Study, Sweep
from experiments.research.facts import verdict
from experiments.stats import cell_table, hedges_g, interaction, mean_difference, t_interval
from simulation import ScenarioConfig

CATALYST = "catalyst.mode"
SELF_ORGANISED, PROGRAMME = REGIME_LABELS["self_organised"], REGIME_LABELS["programme"]
PRESENCE = {"absent": 0, "start_phase": 1, "leaves": 1, "present": 2}
"""How much of the run each of the model's catalyst modes has a catalyst: the sign of a
contrast between two modes (more catalyst − less catalyst is the catalyst's effect)."""
SERIES = ["running", "completed", "actors_involved", "success_rate"]
NETWORK = [
    "resilient_ties",
    "cross_sector_share",
    "giant_component_share",
    "degree_centralisation",
    "hubs",
    "core_share",
]


def _config(study: Study) -> ScenarioConfig:
    return study.main.configs[0]


def modes(study: Study) -> list[str]:
    """The catalyst modes of the spec, in its order."""
    return [str(mode) for mode in study.main.spec.factors[CATALYST]]


def contrasts(study: Study) -> list[tuple[str, str]]:
    """Each catalyst mode against the one before it in the spec: (new, old)."""
    levels = modes(study)
    return list(zip(levels[1:], levels[:-1], strict=True))


def regimes(study: Study) -> list[str]:
    """The regimes of the spec's scenarios, in its order."""
    return list(dict.fromkeys(regime(config) for config in study.main.configs))


def _sign(new: str, old: str) -> int:
    """+1 when `new` has more catalyst than `old`, −1 when less, 0 when as much."""
    difference = PRESENCE.get(new, 0) - PRESENCE.get(old, 0)
    return (difference > 0) - (difference < 0)


def _leaving(config: ScenarioConfig) -> str:
    successor = "to a successor" if config.catalyst.successor else "without a successor"
    return f"year {config.catalyst.leave_year:g} {successor}"


def _mode_text(mode: str, config: ScenarioConfig) -> str:
    return f"leaves after {_leaving(config)}" if mode == "leaves" else mode


def _contrast_meaning(new: str, old: str, config: ScenarioConfig) -> str:
    if (new, old) == ("present", "absent"):
        return "the catalyst's effect"
    if (new, old) == ("leaves", "present"):
        return f"the effect of losing it at {_leaving(config)}"
    return f"catalyst {new} against catalyst {old}"


def introduce(study: Study) -> None:
    spec, runs, config = study.main.spec, study.main.runs, _config(study)
    study.report.text(
        f"Regime ({', '.join(regimes(study))}) × catalyst "
        f"({'; '.join(_mode_text(m, config) for m in modes(study))}) × "
        f"{spec.experiment.replications} replications × {study.main.years:g} years = "
        f"{len(runs)} runs that succeeded (seed {spec.experiment.seed}). Programme-funded: the "
        "QM office holds the catalyst role; self-organised: the initiative's lead. Intervals "
        "are 95 %: Student-t for cell means, percentile bootstrap (2000 resamples, groups "
        "resampled independently) for differences, Hedges' g and the interaction."
    )


def outcomes(study: Study) -> None:
    study.report.heading("Outcomes per cell")
    table = cell_means_table(study.main.runs, "cell", OUTCOMES)
    study.report.table(table, "mean ± 95 % CI half-width over replications, at the end of the run")
    study.found["cells"] = table


def _group(runs: pd.DataFrame, label: str, mode: str, output: str) -> pd.Series:
    part = runs[(runs["regime_label"] == label) & (runs[CATALYST] == mode)]
    return part[output]


def effects(study: Study) -> None:
    """The catalyst's effects per regime: difference of means and Hedges' g."""
    runs, rows = study.main.runs, []
    for label in regimes(study):
        for new, old in contrasts(study):
            for output in OUTCOMES:
                a, b = _group(runs, label, new, output), _group(runs, label, old, output)
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
    study.report.heading("The catalyst's effects")
    meanings = "; ".join(
        f"'{new} − {old}' is {_contrast_meaning(new, old, _config(study))}"
        for new, old in contrasts(study)
    )
    study.report.text(
        f"{meanings}. Difference of means and Hedges' g (bias-corrected standardised "
        "difference) with percentile-bootstrap 95 % CIs."
    )
    study.report.table(table.drop(columns=["_g", "_output"]), "Catalyst effects by regime")
    plot = pd.DataFrame(
        {
            "label": table["regime"] + ": " + table["contrast"] + ", " + table["outcome"],
            "value": [g.value for g in table["_g"]],
            "low": [g.low for g in table["_g"]],
            "high": [g.high for g in table["_g"]],
            "group": table["regime"],
        }
    )
    stem = figures.effects(plot, study.out, "effects", "Hedges' g (95 % bootstrap CI)", "group")
    study.report.figure(stem, "The catalyst's effects, standardised (Hedges' g), by regime")


def interactions(study: Study) -> None:
    """(catalyst effect when self-organised) − (catalyst effect when programme-funded)."""
    runs, rows = study.main.runs, []
    for new, old in contrasts(study):
        for output in OUTCOMES:
            groups = [
                _group(runs, label, mode, output)
                for label in (SELF_ORGANISED, PROGRAMME)
                for mode in (new, old)
            ]
            if any(g.empty for g in groups):
                continue
            estimate = interaction(*groups)
            rows.append(
                {
                    "contrast": f"{new} − {old}",
                    "outcome": OUTCOME_LABELS[output],
                    "interaction [95 % CI]": estimate.text(),
                    "reading": _reading(estimate, new, old),
                    "_estimate": estimate,
                    "_output": output,
                    "_sign": _sign(new, old),
                    "_presence": {new, old} == {"present", "absent"},
                }
            )
    table = pd.DataFrame(rows)
    study.report.heading("The interaction: does the catalyst matter more when self-organised?")
    study.report.text(
        "Interaction = (effect in the self-organised regime) − (effect in the programme-funded "
        f"regime), for each contrast. {_readings(contrasts(study))}. The CI is a percentile "
        "bootstrap resampling the four cells independently."
    )
    if not table.empty:
        hidden = ["_estimate", "_output", "_sign", "_presence"]
        study.report.table(table.drop(columns=hidden), "Regime × catalyst")
    study.found["interaction"] = table


def _readings(pairs: list[tuple[str, str]]) -> str:
    """How to read the interaction of each contrast."""
    parts = []
    for new, old in pairs:
        sign = _sign(new, old)
        if sign > 0:
            meaning = "a positive value means the catalyst adds more when self-organised"
            if (new, old) == ("present", "absent"):
                meaning += " (stylised fact 9)"
        elif sign < 0:
            meaning = "a negative value means losing it costs more when self-organised"
        else:
            meaning = "both modes have the catalyst as long: no reading"
        parts.append(f"for '{new} − {old}' {meaning}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _reading(estimate, new: str, old: str) -> str:
    sign = _sign(new, old)
    if sign == 0:
        return "—"
    judged = verdict(estimate, sign)
    if judged == "yes":
        return "matters more when self-organised"
    if judged.startswith("no —"):
        return "matters more when programme-funded"
    return judged


def figure_section(study: Study) -> None:
    part, runs = study.main, study.main.runs
    study.report.heading("Figures")
    series_figure(
        study,
        part.results.timeseries,
        runs,
        SERIES,
        "timeseries",
        "Weekly counters: mean and 95 % CI band per cell",
    )
    series_figure(
        study,
        part.results.network,
        runs,
        NETWORK,
        "network_series",
        "Network metrics every 13 weeks: mean and 95 % CI band per cell",
    )
    kinds = [c for c in runs if c.startswith("completed_")]
    types = cell_table(runs, ["cell"], kinds)
    stem = figures.cooperation_types(types, "cell", study.out, "cooperation_types")
    study.report.figure(stem, "Completed cooperations by type (intensity × formality), mean ± CI")
    years = snapshot_years(part.years)
    shots = {}
    for label in regimes(study):
        chosen = runs[(runs["regime_label"] == label) & (runs[CATALYST] == "present")]
        if not chosen.empty:
            run = chosen.iloc[0]
            shots[f"{label} (rep {run['replicate']})"] = snapshots(part.results, run, years)
    if shots:
        stem = figures.network_snapshots(shots, study.out, "network_snapshots")
        study.report.figure(
            stem,
            "Ties of one run per regime (catalyst present) at years "
            + ", ".join(f"{y:g}" for y in years)
            + ": colour = sector, width = tie strength, star = catalyst, square = QM office",
        )


def fact_1(study: Study) -> None:
    runs = study.main.runs
    estimate = t_interval(runs["completed_light_informal"] - runs["completed_intensive_formal"])
    study.fact(
        1,
        "completed light-informal − intensive-formal cooperations per run (all cells)",
        estimate.text(),
        verdict(estimate, 1),
    )


def fact_4(study: Study) -> None:
    part = study.main
    absent = part.runs[part.runs[CATALYST] == "absent"]
    estimate = cross_sector_erosion(part.results.network, absent["run_id"], part.years)
    if estimate is None:
        study.fact(4, "cross-sector share, catalyst absent", "—", "not measured (run too short)")
        return
    study.fact(
        4,
        f"change of cross-sector share of resilient ties, year 1 → {part.years:g}, catalyst "
        "absent (forums present here: partial test; conditions has the pure one)",
        estimate.text(),
        verdict(estimate, -1),
    )


def fact_5(study: Study) -> None:
    part, years = study.main, study.main.years
    present = part.runs[part.runs[CATALYST] == "present"]["run_id"]
    network = part.results.network[part.results.network["run_id"].isin(present)]
    if network.empty or years < 2:
        study.fact(5, "trajectory, catalyst present", "—", "not measured (run too short)")
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
    study.fact(
        5,
        "changes between years per run, catalyst present (both regimes)",
        "; ".join(parts),
        judged,
    )


def _presence_rows(study: Study) -> pd.DataFrame:
    """The interaction rows of the contrast between catalyst present and absent."""
    inter = study.found["interaction"]
    return inter[inter["_presence"]] if not inter.empty else inter


def fact_9(study: Study) -> None:
    rows = _presence_rows(study)
    if rows.empty:
        study.fact(9, "interaction", "—", "not measured")
        return
    for _, row in rows.iterrows():
        estimate = row["_estimate"]
        study.fact(
            9,
            f"interaction on {row['outcome']} ({row['contrast']})",
            estimate.text(),
            verdict(estimate, row["_sign"]),
        )


def key_lines(study: Study) -> list[str]:
    """The cells table and the interaction on the main outcome, for the terminal."""
    lines = text_table(study.found["cells"])
    rows = _presence_rows(study)
    main = rows[rows["_output"] == MAIN] if not rows.empty else rows
    if not main.empty:
        row = main.iloc[0]
        effect = "catalyst effect" if row["_sign"] > 0 else f"'{row['contrast']}'"
        lines.append(
            f"Interaction on {row['outcome']} ({effect} self-organised − "
            f"programme-funded): {row['interaction [95 % CI]']} — {row['reading']}"
        )
    return lines


COMPARE = Experiment(
    name="compare",
    title="Compare: regime × catalyst",
    sweeps=(
        Sweep(
            "compare",
            cells=Cells(scenario={"regime_label": regime}, factors={CATALYST: "catalyst"}),
        ),
    ),
    sections=(
        introduce,
        outcomes,
        effects,
        interactions,
        figure_section,
        replications(),
    ),
    facts=(fact_1, fact_4, fact_5, fact_9),
    key_lines=key_lines,
)
