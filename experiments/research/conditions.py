"""conditions: the guide's six conditions at a low and a high level, in both regimes.

The conditions that are config settings are the factors of conditions.toml (their two levels
are low and high); fixed meetings and regular exchange are the scenario dimension, read from
each scenario's meetings (none | meetings without exchange | meetings with exchange). Main
effects and two-way interactions come from a least-squares fit with CIs
(experiments.stats.factorial_effects). A control sweep (meetings × catalyst,
conditions_control.toml) measures facts 3 and 4; for fact 3 its runs with a catalyst are
re-run with an observer that records who were strangers before the first meeting (no tie at
week 0) and what they did together by the end. The discovery experiment answers the question
"which conditions make cooperations thrive" by scenario discovery; this one estimates the
conditions' effects in a factorial design.
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
)
from experiments.research.cells import Cells, regime
from experiments.research.experiment import Experiment, Study, Sweep
from experiments.research.facts import verdict
from experiments.research.observers import Strangers
from experiments.research.rerun import rerun
from experiments.stats import factorial_effects, mean_difference, t_interval
from scenarios.errors import InputError
from simulation import ScenarioConfig

CONDITION_NAMES = {
    "resources.level": "resources",
    "ties.initial_strength": "resilient ties",
    "meetings": "fixed meetings",
    "exchange": "regular exchange",
    "cooperation.clear_goals": "clear goals",
    "cooperation.coordinator_role": "clear roles",
}
"""The guide's conditions in its order: the setting (or scenario dimension) and its name."""
STRUCTURE = ("no", "yes")
"""The levels of the scenario dimensions 'meetings' and 'exchange' (low, high)."""
NESTED = ("meetings", "exchange")
"""Exchange happens at meetings: this interaction is not estimable in the nested design."""
RESOURCES = "resources.level"
CATALYST = "catalyst.mode"
NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def meetings(config: ScenarioConfig) -> str:
    """'yes' when the scenario has fixed meetings."""
    return STRUCTURE[bool(config.meetings)]


def exchange(config: ScenarioConfig) -> str:
    """'yes' when its meetings hold exchange on neighbourhood development."""
    return STRUCTURE[any(meeting.exchange for meeting in config.meetings)]


def meetings_held(config: ScenarioConfig) -> str:
    return "meetings" if config.meetings else "no meetings"


def levels(study: Study) -> dict[str, tuple[object, object]]:
    """Each condition's (low, high): the spec's two levels of a factor, or no/yes for the
    scenario dimensions; in the guide's order, then any other factor of the spec."""
    spec = study.main.spec
    found: dict[str, tuple[object, object]] = {}
    for key in [*CONDITION_NAMES, *(k for k in spec.factors if k not in CONDITION_NAMES)]:
        if key in NESTED:
            found[key] = STRUCTURE
        elif key in spec.factors:
            values = spec.factors[key]
            if len(values) != 2:
                raise InputError(spec._source, f"factors.{key}: needs two levels (low, high)")
            found[key] = (values[0], values[1])
    return found


def _number(n: int) -> str:
    return NUMBERS[n] if n < len(NUMBERS) else str(n)


def introduce(study: Study) -> None:
    spec, runs, found = study.main.spec, study.main.runs, levels(study)
    table = pd.DataFrame(
        [
            {
                "condition": CONDITION_NAMES.get(key, key),
                "setting": key,
                "low": str(low),
                "high": str(high),
            }
            for key, (low, high) in found.items()
        ]
    )
    configs, settings = study.main.configs, len(spec.factors)
    structures = sorted({(meetings(c), exchange(c)) for c in configs})
    names = {("no", "no"): "none", ("yes", "no"): "meetings without exchange"}
    described = [names.get(s, "meetings with exchange") for s in structures]
    regimes = len({regime(c) for c in configs})
    study.report.text(
        f"{_number(len(found)).capitalize()} conditions of the guide (Gliszczynski 2017), each "
        f"at a low and a high level, in {'both regimes' if regimes == 2 else 'one regime'}: a "
        f"full 2^{settings} grid of {_number(settings)} settings × {len(structures)} meeting "
        f"structures ({'; '.join(described)}) × {regimes} regimes × "
        f"{spec.experiment.replications} replications × {study.main.years:g} years = "
        f"{len(runs)} runs. Exchange on neighbourhood development happens at meetings, so "
        "'regular exchange' is nested in 'fixed meetings': the effect of **fixed meetings** is "
        "meetings without exchange − no meetings, the effect of **regular exchange** is "
        "meetings with exchange − meetings without, and their interaction is not estimable."
    )
    study.report.table(table, "Conditions and their levels")


def _fit(study: Study, runs: pd.DataFrame, output: str) -> pd.DataFrame:
    table = factorial_effects(runs, levels(study), output, skip={NESTED})
    table["term"] = [
        " × ".join(CONDITION_NAMES.get(part, part) for part in term.split(" × "))
        for term in table["term"]
    ]
    return table


def effects(study: Study) -> None:
    """Main effects on every outcome, and two-way interactions on the main outcome."""
    runs = study.main.runs
    fits = {
        (label, output): _fit(study, part, output)
        for label, part in runs.groupby("regime_label", sort=False)
        for output in OUTCOMES
    }
    rows = []
    for (label, output), table in fits.items():
        for _, row in table[table["order"] == 1].iterrows():
            rows.append(
                {
                    "regime": label,
                    "outcome": OUTCOME_LABELS[output],
                    "condition": row["term"],
                    "effect (high − low) [95 % CI]": _text(row),
                }
            )
    study.report.heading("Main effects")
    study.report.text(
        "Effect = mean at the high level − mean at the low level, from a least-squares fit "
        "with all main effects and two-way interactions (factors coded −1/+1), with a "
        "Student-t 95 % CI from the residual variance."
    )
    study.report.table(pd.DataFrame(rows), "Main effects per regime and outcome")
    main = pd.concat([fits[(r, MAIN)].assign(regime=r) for r in runs["regime_label"].unique()])
    study.report.heading(f"Two-way interactions on {MAIN}")
    pairs = main[main["order"] == 2]
    study.report.table(
        pairs.assign(**{"interaction [95 % CI]": [_text(r) for _, r in pairs.iterrows()]})[
            ["regime", "term", "interaction [95 % CI]"]
        ],
        "Two-way interactions (half the difference of a factor's effect at the other's "
        "high and low level, ×2 as in the usual 2^k convention)",
    )
    _plots(study, main)
    study.found["effects"] = main


def _text(row: pd.Series) -> str:
    return f"{row['effect']:.3g} [{row['low']:.3g}, {row['high']:.3g}]"


def _plots(study: Study, main: pd.DataFrame) -> None:
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
            plot.reset_index(drop=True), study.out, stem, f"effect on {MAIN} (95 % CI)", "group"
        )
        study.report.figure(name, f"{caption} on {MAIN}, per regime")


def control_section(study: Study) -> None:
    control = study.parts["control"]
    study.report.heading("Control: meetings × catalyst")
    measures = ["cross_sector_acquaintances", "newcomer_share", "cross_sector_share", MAIN]
    table = cell_means_table(control.runs, "cell", measures, labels={})  # the measures' names
    study.report.table(table, "mean ± 95 % CI half-width at the end")
    series_figure(
        study,
        control.results.network,
        control.runs,
        ["cross_sector_share", "cross_sector_acquaintances", "giant_component_share"],
        "control_series",
        "Cross-sector ties over time, with and without meetings and catalyst: mean ± CI",
    )


def _percent(level: object) -> str:
    return f"{float(level) * 100:g} %"


def fact_2(study: Study) -> None:
    runs, found = study.main.runs, levels(study)
    if RESOURCES not in found:
        study.fact(2, "completed cooperations at low resources", "—", "not measured")
        return
    low_level, high_level = found[RESOURCES]
    low = runs[runs[RESOURCES] == low_level][MAIN]
    high = runs[runs[RESOURCES] == high_level][MAIN]
    estimate = t_interval(low)
    study.fact(
        2,
        f"completed cooperations at {_percent(low_level)} resources (all other cells pooled); "
        f"vs {_percent(high_level)}: {mean_difference(low, high).text()}",
        estimate.text(),
        "yes"
        if estimate.high < 1
        else f"no at {_percent(low_level)} resources: cooperations still "
        "complete (the zero level is in the sensitivity experiment)",
    )


STRANGER_MEASURES = {
    "cross_sector_acquaintances": "ties across sectors (any strength)",
    "stranger_ties": "ties between actors who were strangers at week 0",
    "stranger_cooperations": "cooperations begun with a pair of week-0 strangers",
    "stranger_cooperation_share": "share of cooperations begun with a pair of week-0 strangers",
}


def strangers_section(study: Study) -> None:
    """Re-run the control runs with a catalyst and record what week-0 strangers did."""
    control = study.parts["control"]
    present = control.runs[control.runs[CATALYST] == "present"]
    found = rerun(control.results, present, control.years, Strangers, workers=study.options.workers)
    measured = pd.DataFrame.from_dict(found, orient="index")
    control.runs = control.runs.join(measured, on="run_id")
    study.report.heading("Strangers before the first meeting (fact 3)")
    study.report.text(
        "Meetings, catalyst and programme begin at week 0, after the warm-up. Two actors "
        "present at week 0 without a tie then are *strangers before the first meeting*. The "
        "runs with a catalyst are re-run (same seed, same results) and, at the end, count the "
        "live ties between such strangers and the cooperations begun from week 0 on with at "
        "least one pair of them among their members."
    )
    table = cell_means_table(
        control.runs[control.runs[CATALYST] == "present"],
        "cell",
        list(STRANGER_MEASURES),
        labels=STRANGER_MEASURES,
    )
    study.report.table(table, "mean ± 95 % CI half-width at the end, catalyst present")


def fact_3(study: Study) -> None:
    control = study.parts["control"].runs
    present = control[control[CATALYST] == "present"]
    for measure, meaning in STRANGER_MEASURES.items():
        if measure == "stranger_cooperations":
            continue
        for label, part in present.groupby("regime_label", sort=False):
            estimate = mean_difference(
                part[part["meetings"] == "meetings"][measure],
                part[part["meetings"] == "no meetings"][measure],
            )
            study.fact(
                3,
                f"{label}, catalyst present: {meaning}, meetings − none",
                estimate.text(),
                verdict(estimate, 1),
            )


def fact_4(study: Study) -> None:
    control = study.parts["control"]
    for label, part in control.runs.groupby("regime_label", sort=False):
        neither = part[(part["meetings"] == "no meetings") & (part[CATALYST] == "absent")]
        estimate = cross_sector_erosion(control.results.network, neither["run_id"], control.years)
        if estimate is None:
            study.fact(4, f"{label}: neither forums nor catalyst", "—", "not measured")
            continue
        study.fact(
            4,
            f"{label}, neither meetings nor catalyst: change of cross-sector share "
            f"of resilient ties, year 1 → {control.years:g}",
            estimate.text(),
            verdict(estimate, -1),
        )


def key_lines(study: Study) -> list[str]:
    main = study.found["effects"]
    lines = [f"Main effects on {MAIN} (high − low) [95 % CI]:"]
    for _, row in main[main["order"] == 1].iterrows():
        lines.append(f"  {row['regime']:<17} {row['term']:<17} {_text(row)}")
    return lines


CONDITIONS = Experiment(
    name="conditions",
    title="Conditions: the guide's six conditions in both regimes",
    sweeps=(
        Sweep(
            "conditions",
            cells=Cells(
                scenario={"regime_label": regime, "meetings": meetings, "exchange": exchange},
                label_columns=("regime_label",),
            ),
        ),
        Sweep(
            "conditions_control",
            "control",
            cells=Cells(
                scenario={"regime_label": regime, "meetings": meetings_held},
                factors={CATALYST: "catalyst"},
            ),
        ),
    ),
    sections=(introduce, effects, replications(), control_section, strangers_section),
    facts=(fact_2, fact_3, fact_4),
    key_lines=key_lines,
)
