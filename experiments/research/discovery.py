"""discovery: which conditions make cooperations thrive? Scenario discovery (Bryant & Lempert
2010) on a Latin hypercube over the guide's six conditions, the catalyst and the regime.

The conditions that are settings are the spec's LHS factors; fixed meetings and regular
exchange, the catalyst and the regime are read from each scenario's config. A run "thrives"
when it completes at least `RATE` cooperations per actor and year and its giant component
holds at least `GIANT` of the actors at the end. PRIM (EMA Workbench's `prim`) finds the boxes
of conditions where thriving runs concentrate, with coverage and density; extra-trees feature
scores (EMA Workbench's `feature_scoring`) rank the conditions. PRIM on the runs with and
without a catalyst separately says what the catalyst substitutes for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from experiments.research import figures
from experiments.research.analysis import text_table
from experiments.research.cells import Cells, regime
from experiments.research.experiment import Experiment, Part, Study, Sweep

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # optional parallel back-ends it does not find
    from ema_workbench.analysis import feature_scoring, prim

RATE = 0.15
"""Thriving: at least this many completed cooperations per actor (at week 0) and year..."""
GIANT = 0.5
"""...and a giant component of at least this share of the actors at the end."""
DENSITY = 0.8
"""The box chosen on PRIM's peeling trajectory: the largest coverage with at least this
density (else the densest)."""
BOXES = 2
SCORE_SEED = 2028
CONDITIONS = {
    "resources.level": "resources",
    "ties.initial_strength": "resilient relationships",
    "meetings": "fixed meetings",
    "cooperation.structure.goals_base": "clear goals",
    "cooperation.structure.coordinator_base": "clear responsibilities",
    "catalyst": "catalyst",
    "regime_label": "the regime",
}
"""The features PRIM sees, as the report names them (regular exchange is a level of
'fixed meetings': none, meetings without exchange, meetings with exchange)."""


def meetings(config) -> str:
    if not config.meetings:
        return "none"
    exchange = any(m.exchange for m in config.meetings)
    return "with exchange" if exchange else "without exchange"


def catalyst(config) -> str:
    return "absent" if config.catalyst.mode == "absent" else "present"


def measures(part: Part) -> pd.DataFrame:
    runs = part.runs
    rate = runs["completed"] / runs["actors_start"] / part.years
    thrives = (rate >= RATE) & (runs["giant_component_share"] >= GIANT)
    return runs.assign(completion_rate=rate, thrives=thrives)


def features(runs: pd.DataFrame) -> pd.DataFrame:
    x = runs[list(CONDITIONS)].rename(columns=CONDITIONS).reset_index(drop=True)
    for column in ("fixed meetings", "catalyst", "the regime"):
        x[column] = pd.Categorical(x[column].astype(str))
    return x


def introduce(study: Study) -> None:
    part = study.main
    runs = part.runs
    study.report.text(
        f"A Latin hypercube of {part.spec.design.samples} points over the conditions that are "
        f"settings, run in each of {len(part.spec.experiment.scenarios)} scenarios (fixed "
        "meetings: none, without exchange, with exchange × catalyst present, absent × "
        f"programme-funded, self-organised), {part.years:g} years: {len(runs)} runs. "
        f"**Cooperations thrive** in a run when it completes at least {RATE:g} cooperations "
        f"per actor and year (actors at week 0) and its giant component of resilient ties "
        f"holds at least {GIANT:.0%} of the actors at the end. Thriving runs: "
        f"{int(runs['thrives'].sum())} of {len(runs)} ({runs['thrives'].mean():.0%})."
    )
    rows = [
        {
            "condition": CONDITIONS[key],
            "setting": key,
            "range": f"{bounds[0]:g} – {bounds[1]:g}",
        }
        for key, bounds in part.spec.factors.items()
    ]
    rows += [
        {
            "condition": "fixed meetings, regular exchange",
            "setting": "scenario",
            "range": "none | without exchange | with exchange",
        },
        {"condition": "catalyst", "setting": "catalyst.mode", "range": "absent | present"},
        {"condition": "regime", "setting": "scenario", "range": "programme | self-organised"},
    ]
    study.report.table(pd.DataFrame(rows), "Conditions and their ranges")


def find_boxes(x: pd.DataFrame, y: np.ndarray, count: int = BOXES) -> list[dict]:
    """Up to `count` PRIM boxes: each a dict of restrictions, coverage, density, mass."""
    if y.sum() == 0 or y.all():
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = prim.Prim(x, y, peel_alpha=0.05, mass_min=0.05)
        found = []
        for _ in range(count):
            box = search.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory
            dense = trajectory[trajectory["density"] >= DENSITY]
            chosen = (
                int(dense.sort_values(["coverage", "density"]).index[-1])
                if len(dense)
                else int(trajectory["density"].idxmax())
            )
            box.select(chosen)
            row = trajectory.loc[chosen]
            limits = restrictions(box.box_lims[0], box.box_lims[chosen])
            if not limits or row["coverage"] == 0:
                break
            found.append(
                {
                    "restrictions": limits,
                    "coverage": float(row["coverage"]),
                    "density": float(row["density"]),
                    "mass": float(row["mass"]),
                }
            )
    return found


def restrictions(initial: pd.DataFrame, limits: pd.DataFrame) -> dict[str, object]:
    """The dimensions a box restricts: (low, high) for numbers, the kept set for categories."""
    out: dict[str, object] = {}
    for column in limits.columns:
        before, after = initial[column], limits[column]
        if isinstance(after.iloc[0], set):
            if after.iloc[0] != before.iloc[0]:
                out[column] = sorted(after.iloc[0])
        elif not np.allclose([after.iloc[0], after.iloc[1]], [before.iloc[0], before.iloc[1]]):
            low = None if np.isclose(after.iloc[0], before.iloc[0]) else float(after.iloc[0])
            high = None if np.isclose(after.iloc[1], before.iloc[1]) else float(after.iloc[1])
            out[column] = (low, high)
    return out


def needed(restricted: dict[str, object]) -> set[str]:
    """The conditions a box needs: a category kept, or a number bounded from below (a box
    that only caps a condition does not need it)."""
    return {
        name
        for name, value in restricted.items()
        if isinstance(value, list) or value[0] is not None
    }


def describe(restricted: dict[str, object]) -> str:
    """A box's restrictions in words."""
    parts = []
    for name, value in restricted.items():
        if isinstance(value, list):
            parts.append(f"{name} is {' or '.join(value)}")
        else:
            low, high = value
            if low is not None and high is not None:
                parts.append(f"{name} is between {low:.2g} and {high:.2g}")
            elif low is not None:
                parts.append(f"{name} is at least {low:.2g}")
            else:
                parts.append(f"{name} is at most {high:.2g}")
    return " and ".join(parts) if parts else "(no restriction)"


def prim_section(study: Study) -> None:
    runs = study.main.runs
    x, y = features(runs), runs["thrives"].to_numpy(dtype=bool)
    boxes = find_boxes(x, y)
    study.found["boxes"] = boxes
    study.report.heading("Where cooperations thrive: PRIM boxes")
    study.report.text(
        "PRIM (Friedman & Fisher 1999; EMA Workbench) peels the space of conditions down to "
        "boxes where thriving runs are dense. **Coverage** = the share of all thriving runs "
        "inside the box; **density** = the share of runs inside the box that thrive; mass = "
        f"the share of all runs inside. Chosen on the peeling trajectory: the largest coverage "
        f"with a density of at least {DENSITY:.0%} (else the densest box). A second box is "
        "searched among the runs the first leaves out."
    )
    if not boxes:
        study.report.text("No box: every run thrives, or none does.")
        return
    study.report.table(_box_table(boxes), "PRIM boxes: restrictions, coverage and density")
    stem = _scatter(study, runs, boxes[0])
    if stem:
        study.report.figure(stem, "The runs on the first box's two leading conditions")


def _box_table(boxes: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "box": i + 1,
                "conditions": describe(b["restrictions"]),
                "coverage": round(b["coverage"], 2),
                "density": round(b["density"], 2),
                "mass": round(b["mass"], 2),
            }
            for i, b in enumerate(boxes)
        ]
    )


def _scatter(study: Study, runs: pd.DataFrame, box: dict) -> str | None:
    import matplotlib.pyplot as plt

    numeric = [k for k, v in box["restrictions"].items() if isinstance(v, tuple)]
    names = {v: k for k, v in CONDITIONS.items()}
    axes_of = numeric + [n for n in ("resources", "resilient relationships") if n not in numeric]
    first, second = axes_of[:2]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    for thrives, colour, label in (
        (False, "#bbbbbb", "does not thrive"),
        (True, "#1f77b4", "thrives"),
    ):
        part = runs[runs["thrives"] == thrives]
        ax.scatter(part[names[first]], part[names[second]], s=12, color=colour, label=label)
    ax.set_xlabel(first)
    ax.set_ylabel(second)
    ax.legend(fontsize=8)
    return figures.save(fig, study.out, "prim_box")


def importance_section(study: Study) -> None:
    runs = study.main.runs
    x, y = features(runs), runs["thrives"].to_numpy(dtype=bool)
    study.report.heading("Which conditions matter most")
    if y.all() or not y.any():
        study.found["importance"] = pd.DataFrame(columns=["condition", "score"])
        study.report.text("No ranking: every run thrives, or none does.")
        return
    coded = x.apply(lambda c: c.cat.codes if isinstance(c.dtype, pd.CategoricalDtype) else c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = feature_scoring.get_ex_feature_scores(coded, y, random_state=SCORE_SEED)
    table = scores.reset_index()
    table.columns = ["condition", "score"]
    study.found["importance"] = table
    study.report.text(
        "Extra-trees feature scores (EMA Workbench's `feature_scoring`, 100 trees, fixed "
        "seed): each condition's share of the forest's impurity reduction in telling "
        "thriving runs from the others; they sum to 1."
    )
    study.report.table(table.round(3), "Feature importance for 'cooperations thrive'")


def substitution_section(study: Study) -> None:
    """PRIM on the runs with a catalyst and on those without: what the box needs in each."""
    runs = study.main.runs
    found = {}
    for level in ("present", "absent"):
        part = runs[runs["catalyst"] == level]
        x = features(part).drop(columns=["catalyst"])
        boxes = find_boxes(x, part["thrives"].to_numpy(dtype=bool), count=1)
        found[level] = boxes[0] if boxes else None
    study.found["by_catalyst"] = found
    study.report.heading("What the catalyst substitutes for")
    rows = [
        {
            "catalyst": level,
            "thriving runs": f"{int(runs[runs['catalyst'] == level]['thrives'].sum())} of "
            f"{int((runs['catalyst'] == level).sum())}",
            "box": describe(box["restrictions"]) if box else "—",
            "coverage": round(box["coverage"], 2) if box else float("nan"),
            "density": round(box["density"], 2) if box else float("nan"),
        }
        for level, box in found.items()
    ]
    study.report.text(
        "PRIM run separately on the runs with and without a catalyst. A condition the box "
        "needs (a category kept, or a number bounded from below) without a catalyst but not "
        "with one is one the catalyst substitutes for; a condition both boxes need is one it "
        "does not substitute for."
    )
    study.report.table(pd.DataFrame(rows), "PRIM boxes with and without a catalyst")
    study.report.heading("The answer")
    study.found["answer"] = answer(study)
    study.report.text(study.found["answer"])


def answer(study: Study) -> str:
    boxes, by = study.found["boxes"], study.found["by_catalyst"]
    if not boxes:
        return "No condition separates thriving runs from the others in this design."
    first = boxes[0]
    text = (
        f"Cooperations thrive when {describe(first['restrictions'])} (PRIM box: "
        f"{first['coverage']:.0%} of the thriving runs lie in it, {first['density']:.0%} of "
        "the runs in it thrive)"
    )
    if len(boxes) > 1:
        text += f", or when {describe(boxes[1]['restrictions'])}"
    ranked = study.found["importance"]
    if len(ranked):
        text += f"; the conditions matter in this order: {_and(list(ranked['condition']))}"
    with_c, without = by.get("present"), by.get("absent")
    if with_c and without:
        need_with, need_without = needed(with_c["restrictions"]), needed(without["restrictions"])
        substitutes = sorted(need_without - need_with)
        not_for = sorted(need_with & need_without)
        text += (
            ". The catalyst substitutes for "
            + (_and(substitutes) if substitutes else "none of the conditions")
            + " but not for "
            + (_and(not_for) if not_for else "any condition that both boxes need")
            + "."
        )
    else:
        text += "."
    return text


def _and(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def key_lines(study: Study) -> list[str]:
    lines = [study.found.get("answer", "")]
    boxes = study.found.get("boxes") or []
    if boxes:
        lines += text_table(_box_table(boxes))
    return lines


DISCOVERY = Experiment(
    name="discovery",
    title="Discovery: which conditions make cooperations thrive?",
    sweeps=(
        Sweep(
            "discovery",
            cells=Cells(
                scenario={"regime_label": regime, "meetings": meetings, "catalyst": catalyst}
            ),
            measures=measures,
        ),
    ),
    sections=(introduce, prim_section, importance_section, substitution_section),
    key_lines=key_lines,
)
