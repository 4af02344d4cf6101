"""catalyst-removal: one actor is removed during the run — each removal target of
catalyst_removal.toml, in each of its scenarios; fragmentation and lost cooperation.

Fact 8 is measured as its sources measure it: percolation curves (the network of the runs
with a random removal, re-run to the week before the removal, taken apart actor by actor by
betweenness and at random), and the fragmentation a year after removing the catalyst or the
top broker against a random actor. One removal measured at once changes the giant component
by about 1/n whoever goes, unless the actor is a cut-vertex: the cell table reports it, the
facts do not rest on it.
"""

from __future__ import annotations

import pandas as pd

from experiments.research import figures
from experiments.research.analysis import (
    cell_means_table,
    replications,
    series_figure,
    text_table,
    value_at,
)
from experiments.research.cells import REGIME_LABELS, Cells, regime
from experiments.research.experiment import Experiment, Part, Study, Sweep, run_years
from experiments.research.facts import verdict
from experiments.research.observers import Percolation
from experiments.research.rerun import rerun
from experiments.stats import hedges_g, interaction, mean_difference, t_interval
from experiments.sweep.spec import Spec
from scenarios.errors import InputError
from simulation import ScenarioConfig
from simulation.config import WEEKS_PER_YEAR

TARGET = "disruption.target"
BASELINE = "random"
"""The removal every other target is compared with: a random actor."""
SELF_ORGANISED, PROGRAMME = REGIME_LABELS["self_organised"], REGIME_LABELS["programme"]
REMOVED = {
    "catalyst": "the catalyst",
    "qm": "the QM office",
    "top_broker": "the top broker (highest betweenness)",
    "random": "a random actor",
    "random_same_degree": "a random actor with the catalyst's degree",
}
"""The model's removal targets, as the report describes them."""
WINDOW = 3.0
"""Years before and after the removal over which completions are counted."""
MEASURES = {
    "fragmentation": "giant-component share lost (before − after)",
    "components_added": "components added (after − before)",
    "resilient_lost": "resilient ties lost (before − after)",
    "completions_change": "completions a year, after − before the removal",
    "fragmentation_year": "giant-component share lost a year after (before − a year after)",
}


def removal_year(part: Part) -> float:
    """When the actor is removed (the first scenario's, the spec's fixed value applied)."""
    return float(part.configs[0].disruption.remove_at_year)


def check_removal(spec: Spec, configs: list[ScenarioConfig]) -> None:
    """Every scenario removes an actor before its runs end."""
    for name, config in zip(spec.experiment.scenarios, configs, strict=True):
        at, years = config.disruption.remove_at_year, run_years(spec, config)
        if at is None:
            raise InputError(
                spec._source, f"scenario {name} removes no actor (disruption.remove_at_year)"
            )
        if at >= years:
            raise InputError(
                "--years",
                f"the actor is removed at year {at:g}, but the runs of {name} end at year "
                f"{years:g}: run longer, or remove earlier with --set "
                f"disruption.remove_at_year=Y (Y < {years:g})",
            )


def measures(part: Part) -> pd.DataFrame:
    """Per run: fragmentation, components and resilient ties lost, completion-rate change."""
    runs, series = part.runs, part.results.timeseries
    at, years = removal_year(part), part.years
    runs = runs.assign(
        fragmentation=runs["removed_giant_component_share_before"]
        - runs["removed_giant_component_share_after"],
        components_added=runs["removed_components_after"] - runs["removed_components_before"],
        resilient_lost=runs["removed_resilient_ties_before"] - runs["removed_resilient_ties_after"],
    )
    network = part.results.network
    if at + 1 <= years and not network.empty:
        later = value_at(network, "giant_component_share", at + 1)
        runs["fragmentation_year"] = runs["removed_giant_component_share_before"] - runs[
            "run_id"
        ].map(later)
    else:
        runs["fragmentation_year"] = float("nan")
    span = min(WINDOW, at, years - at)
    if span > 0 and not series.empty:
        done = lambda y: value_at(series, "completed", y)  # noqa: E731
        change = ((done(at + span) - done(at)) - (done(at) - done(at - span))) / span
        runs["completions_change"] = runs["run_id"].map(change)
    else:
        runs["completions_change"] = float("nan")
    return runs


def targets(study: Study) -> list[str]:
    """The removal targets of the spec other than the baseline, in its order."""
    return [str(t) for t in study.main.spec.factors[TARGET] if t != BASELINE]


def regimes(study: Study) -> list[str]:
    return list(dict.fromkeys(regime(config) for config in study.main.configs))


def _either(items: list[str]) -> str:
    """'a', 'a or b', 'a, b, or c'."""
    if len(items) <= 2:
        return " or ".join(items)
    return ", ".join(items[:-1]) + ", or " + items[-1]


def introduce(study: Study) -> None:
    part = study.main
    removed = _either([REMOVED.get(str(t), str(t)) for t in part.spec.factors[TARGET]])
    where = "both regimes" if len(regimes(study)) == 2 else ", ".join(regimes(study))
    study.report.text(
        f"At year {removal_year(part):g} one actor is removed: {removed}; {where}; "
        f"{part.spec.experiment.replications} replications × {part.years:g} "
        f"years, {len(part.runs)} runs. Fragmentation is measured just before and just after "
        f"the removal; cooperation as completions a year in the {WINDOW:g} years after minus "
        f"the {WINDOW:g} before."
    )


def cell_section(study: Study) -> None:
    table = cell_means_table(
        study.main.runs,
        "cell",
        ["removed_degree", *MEASURES],
        {"removed_degree": "removed degree", **MEASURES},
    )
    study.report.heading("Fragmentation and loss of cooperation")
    study.report.table(table, "mean ± 95 % CI half-width per cell")
    study.found["cells"] = table


def _part(runs: pd.DataFrame, label: str, target: str, measure: str) -> pd.Series:
    return runs[(runs["regime_label"] == label) & (runs[TARGET] == target)][measure].dropna()


def contrast_section(study: Study) -> None:
    """Each target vs a random actor, per regime; and the regime interaction."""
    runs, rows = study.main.runs, []
    for label in regimes(study):
        base = runs[(runs["regime_label"] == label) & (runs[TARGET] == BASELINE)]
        for target in targets(study):
            part = runs[(runs["regime_label"] == label) & (runs[TARGET] == target)]
            if part.empty or base.empty:
                continue
            for measure in ("fragmentation", "fragmentation_year", "completions_change"):
                rows.append(
                    {
                        "regime": label,
                        "contrast": f"{target} − {BASELINE}",
                        "measure": MEASURES[measure],
                        "difference": mean_difference(part[measure], base[measure]).text(),
                        "Hedges' g": hedges_g(part[measure], base[measure]).text(),
                    }
                )
    study.report.heading("Targeted vs random removal")
    study.report.table(pd.DataFrame(rows), "difference of means and Hedges' g, bootstrap 95 % CI")
    groups = [
        _part(runs, label, target, "completions_change")
        for label in (SELF_ORGANISED, PROGRAMME)
        for target in ("catalyst", BASELINE)
    ]
    study.found["interaction"] = None
    if all(len(g) for g in groups):
        estimate = interaction(*groups)
        study.report.text(
            "Does losing the catalyst cost more cooperation when self-organised? Interaction "
            "= (catalyst − random) when self-organised − (catalyst − random) when "
            f"programme-funded, on completions a year after − before: **{estimate.text()}**."
        )
        study.found["interaction"] = estimate


def figure_section(study: Study) -> None:
    part, runs = study.main, study.main.runs
    study.report.heading("Figures")
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
        study.out,
        "fragmentation",
        "giant-component share lost at removal (mean, 95 % CI)",
        "group",
    )
    study.report.figure(stem, "Fragmentation by removal target and regime")
    series_figure(
        study,
        part.results.network,
        runs,
        ["giant_component_share", "components", "resilient_ties"],
        "network_series",
        f"Network around the removal at year {removal_year(part):g}: mean ± CI",
    )
    series_figure(
        study,
        part.results.timeseries,
        runs,
        ["running", "completed"],
        "timeseries",
        "Running and completed cooperations: mean ± CI",
    )


def percolation_section(study: Study) -> None:
    """Percolation curves of the networks just before a random removal, per regime."""
    part = study.main
    base = part.runs[part.runs[TARGET] == BASELINE]
    years = removal_year(part) - 1 / WEEKS_PER_YEAR  # the week before the removal
    found = rerun(part.results, base, years, Percolation, workers=study.options.workers)
    rows = [
        {
            "run_id": run_id,
            "R_targeted": f["robustness_targeted"],
            "R_random": f["robustness_random"],
            "gap_rewired": f["gap_rewired"],
        }
        for run_id, f in found.items()
    ]
    measured = pd.DataFrame(rows).merge(base[["run_id", "regime_label"]], on="run_id")
    measured["R_gap"] = measured["R_random"] - measured["R_targeted"]
    measured["beyond_degree"] = measured["R_gap"] - measured["gap_rewired"]
    study.found["percolation"] = measured
    study.report.heading("Percolation: actors removed one by one")
    study.report.text(
        f"The resilient-tie network of each run with a random removal, the week before the "
        f"removal (year {removal_year(part):g}), is taken apart actor by actor: by highest "
        "betweenness, recomputed after each removal (an adaptive attack), and in random "
        "order (mean of 10 orders). R = the mean giant-component share over the removals "
        "(Schneider et al. 2011); a network held together by brokers has a much smaller R "
        "under attack than at random. Almost any network loses more to an attack than to "
        "chance, so the same gap is measured on the network with its ties rewired at random, "
        "every actor keeping its degree (10 double edge swaps per tie): a gap larger than "
        "there means brokers hold the network together beyond what their degrees explain."
    )
    table = cell_means_table(
        measured,
        "regime_label",
        ["R_targeted", "R_random", "R_gap", "gap_rewired", "beyond_degree"],
        {
            "R_targeted": "R, by betweenness",
            "R_random": "R, at random",
            "R_gap": "R at random − R by betweenness",
            "gap_rewired": "the same, ties rewired keeping degrees",
            "beyond_degree": "difference: brokerage beyond degree",
        },
    )
    study.report.table(table, "Robustness R, mean ± 95 % CI half-width over runs")
    _percolation_figure(study, found, base)


def _percolation_figure(study: Study, found: dict, base: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, (label, runs) in zip(axes, base.groupby("regime_label", sort=False), strict=False):
        for kind, colour in (("targeted", "#d62728"), ("random", "#1f77b4")):
            curves = [np.asarray(found[r][kind]) for r in runs["run_id"] if r in found]
            width = min(len(c) for c in curves)
            mean = np.mean([c[:width] for c in curves], axis=0)
            x = np.arange(width) / (width - 1)
            name = "by betweenness" if kind == "targeted" else "at random"
            ax.plot(x, mean, color=colour, label=name)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("share of actors removed")
    axes[0].set_ylabel("giant-component share")
    axes[0].legend(fontsize=8)
    stem = figures.save(fig, study.out, "percolation")
    study.report.figure(stem, "Percolation curves: mean over the runs with a random removal")


def fact_8(study: Study) -> None:
    measured = study.found.get("percolation")
    if measured is not None:
        for label, part in measured.groupby("regime_label", sort=False):
            estimate = t_interval(part["R_gap"])
            study.fact(
                8,
                f"{label}: robustness R at random − R by betweenness (actors removed one by one)",
                estimate.text(),
                verdict(estimate, 1),
            )
            beyond = t_interval(part["beyond_degree"])
            study.fact(
                8,
                f"{label}: that gap − the gap of the same network rewired keeping degrees "
                "(brokers hold it together beyond their degrees)",
                beyond.text(),
                verdict(beyond, 1),
            )
    runs = study.main.runs
    for label in regimes(study):
        base = _part(runs, label, BASELINE, "fragmentation_year")
        for target in ("top_broker", "catalyst"):
            part = _part(runs, label, target, "fragmentation_year")
            if part.empty or base.empty:
                continue
            estimate = mean_difference(part, base)
            study.fact(
                8,
                f"{label}: giant-component share lost a year after the removal, "
                f"{target} − {BASELINE}",
                estimate.text(),
                verdict(estimate, 1),
            )


def fact_9(study: Study) -> None:
    estimate = study.found["interaction"]
    if estimate is None:
        return
    study.fact(
        9,
        "removal: (catalyst − random) completions change, self-organised − "
        "programme-funded (negative = losing it costs more when self-organised)",
        estimate.text(),
        verdict(estimate, -1),
    )


CATALYST_REMOVAL = Experiment(
    name="catalyst-removal",
    title="Catalyst removal: targeted vs random",
    sweeps=(
        Sweep(
            "catalyst_removal",
            cells=Cells(scenario={"regime_label": regime}, factors={TARGET: "remove"}),
            measures=measures,
            check=check_removal,
        ),
    ),
    sections=(
        introduce,
        cell_section,
        contrast_section,
        figure_section,
        percolation_section,
        replications(outcome="fragmentation"),
    ),
    facts=(fact_8, fact_9),
    key_lines=lambda study: text_table(study.found["cells"]),
)
