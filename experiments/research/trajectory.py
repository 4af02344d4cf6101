"""trajectory: does the network pass from scattered clusters to hub-and-spoke around the
catalyst or the QM office, then to several hubs and a core–periphery structure (stylised fact
5)? Each run of trajectory.toml is re-run with an observer that classifies the resilient-tie
network every half year from week 0 on (the warm-up is never observed;
experiments.research.structure.stage gives the rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from experiments.research import figures
from experiments.research.analysis import text_table
from experiments.research.cells import Cells, regime
from experiments.research.experiment import Experiment, Study, Sweep
from experiments.research.facts import verdict
from experiments.research.observers import Stages
from experiments.research.rerun import rerun
from experiments.research.structure import BROKERS, NO_HUB, STAGES
from experiments.stats import t_interval

CATALYST = "catalyst.mode"
ORDER = {name: i for i, name in enumerate(STAGES)}


def classify(study: Study) -> None:
    part = study.main
    found = rerun(part.results, part.runs, part.years, Stages, workers=study.options.workers)
    rows = [dict(row, run_id=run_id) for run_id, shots in found.items() for row in shots]
    frame = pd.DataFrame(rows).merge(part.runs[["run_id", "cell", "regime_label", CATALYST]])
    study.found["stages"] = frame
    frame["with_catalyst"] = frame["catalyst_active"] | (frame[CATALYST] == "absent")
    per_run = frame.groupby("run_id").apply(_run_measures, include_groups=False)
    part.runs = part.runs.join(per_run, on="run_id")


def _run_measures(shots: pd.DataFrame) -> pd.Series:
    """Per run: the order of its stages while its catalyst is active (all snapshots of a run
    without one), whether its hub-and-spoke hub is the catalyst or the QM office, and which
    stages it reaches."""
    ordered = shots[shots["stage"].isin(STAGES) & shots["with_catalyst"]]
    index = ordered["stage"].map(ORDER)
    tau = float("nan")
    if len(ordered) >= 3 and index.nunique() > 1:
        tau = float(stats.kendalltau(ordered["year"], index).statistic)
    spokes = shots[shots["stage"] == STAGES[1]]
    broker = float(spokes["hub"].isin(BROKERS).mean()) if len(spokes) else float("nan")
    reached = {f"reached {name}": float((shots["stage"] == name).any()) for name in STAGES}
    return pd.Series({"order_tau": tau, "hub_is_broker": broker, **reached})


def introduce(study: Study) -> None:
    part = study.main
    study.report.text(
        f"Scenarios {', '.join(part.spec.experiment.scenarios)} × catalyst absent or present, "
        f"{part.spec.experiment.replications} replications × {part.years:g} years, "
        f"{len(part.runs)} runs, re-run with an observer (same seeds, same results). Every "
        "half year from week 0 on — the warm-up is never observed — the network of "
        "resilient ties is classified, in this order: **scattered clusters** if its giant "
        "component holds less than half of the actors; **core–periphery** if a "
        "Borgatti–Everett core–periphery fit (the correlation of the ties with the ideal "
        "pattern of a dense core and a sparse periphery, best core among the actors of "
        "highest degree) is at least 0.5 with a core of at least 3; **several hubs** with two "
        "hubs or more (degree ≥ 3 and ≥ mean + 2 sd); **hub-and-spoke** with one hub; "
        f"otherwise '{NO_HUB}', outside the sequence. Who the top hub is (the catalyst, the "
        "QM office or someone else) is recorded. The order of the stages is read while the "
        "catalyst is active: in the programme-funded scenario the QM office holds the role "
        "and leaves when funding ends."
    )


def stage_section(study: Study) -> None:
    frame = study.found["stages"]
    runs = study.main.runs
    table = (
        frame.assign(stage=pd.Categorical(frame["stage"], [*STAGES, NO_HUB]))
        .groupby("cell", sort=False)["stage"]
        .value_counts(normalize=True)
        .unstack()
        .round(2)
        .reset_index()
    )
    study.report.heading("Stages")
    study.report.table(table, "Share of the half-yearly snapshots in each stage, per cell")
    reached = runs.groupby("cell", sort=False)[[f"reached {s}" for s in STAGES]].mean().round(2)
    study.report.table(reached.reset_index(), "Share of runs that reach each stage")
    order = runs.groupby("cell", sort=False)[["order_tau", "hub_is_broker"]].agg(
        lambda v: f"{t_interval(v).text()} (n = {v.notna().sum()})"
    )
    study.report.table(
        order.reset_index(),
        "Kendall τ of stage order with time (> 0: stages come in the predicted order), and the "
        "share of hub-and-spoke snapshots whose hub is the catalyst or the QM office; mean "
        "[95 % CI] over runs",
    )
    study.found["table"] = order.reset_index()
    _figure(study, frame)


def _figure(study: Study, frame: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    cells = list(dict.fromkeys(frame["cell"]))
    names = [*STAGES, NO_HUB]
    colours = ["#c7c7c7", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd"]
    fig, axes = plt.subplots(1, len(cells), figsize=(3.4 * len(cells), 3.4), sharey=True)
    for ax, cell in zip(np.atleast_1d(axes), cells, strict=True):
        part = frame[frame["cell"] == cell]
        shares = part.groupby("year")["stage"].value_counts(normalize=True).unstack(fill_value=0)
        shares = shares.reindex(columns=names, fill_value=0)
        ax.stackplot(shares.index, shares.T.to_numpy(), colors=colours, labels=names)
        ax.set_title(cell, fontsize=9)
        ax.set_xlabel("year")
    np.atleast_1d(axes)[0].set_ylabel("share of runs")
    fig.legend(names, loc="lower center", ncol=5, fontsize=8)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    stem = figures.save(fig, study.out, "stages", tight=False)
    study.report.figure(stem, "Share of runs in each stage over time, per cell")


def fact_5(study: Study) -> None:
    runs = study.main.runs
    present = runs[runs[CATALYST] == "present"]
    for label, part in present.groupby("regime_label", sort=False):
        order = t_interval(part["order_tau"])
        runs_with = int(part["order_tau"].notna().sum())
        study.fact(
            5,
            f"{label}, catalyst present: Kendall τ of the stage (clusters → hub-and-spoke → "
            f"several hubs → core–periphery) with time, per run (n = {runs_with})",
            order.text(),
            verdict(order, 1),
        )
        broker = t_interval(part["hub_is_broker"])
        n = int(part["hub_is_broker"].notna().sum())
        judged = (
            "not measured: no run passes through hub-and-spoke"
            if n == 0
            else "yes"
            if broker.low > 0.5
            else "no — mostly someone else"
            if broker.high < 0.5
            else "not resolved (CI includes one half)"
        )
        study.fact(
            5,
            f"{label}, catalyst present: share of hub-and-spoke snapshots whose hub is the "
            f"catalyst or the QM office (predicted: most, > 0.5; runs with such a stage: {n})",
            broker.text(),
            judged,
        )


TRAJECTORY = Experiment(
    name="trajectory",
    title="Trajectory: from scattered clusters to hubs and a core (fact 5)",
    sweeps=(
        Sweep(
            "trajectory",
            cells=Cells(scenario={"regime_label": regime}, factors={CATALYST: "catalyst"}),
        ),
    ),
    sections=(introduce, classify, stage_section),
    facts=(fact_5,),
    key_lines=lambda study: text_table(study.found["table"]),
)
