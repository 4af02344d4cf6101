"""docking: the model reproduces a published model — Guimerà et al.'s (2005) team assembly.

Sweep `docking` runs the model reduced to team assembly (specs/scenarios/team_assembly.toml)
over p × q; each run is re-run with an observer that measures Guimerà's S (the share of
incumbents in the giant component), the teams a week, the effective incumbent share of team
members and how often the initiator was an incumbent. A reference implementation of the
published rules (experiments.research.team_assembly) gives S(p) for the same m, q and τ.
Sweep `neighbourhood` measures stylised fact 6 in the full model: the giant component against
p for several q, and the share of repeat partnerships against q.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.research import figures
from experiments.research.analysis import text_table
from experiments.research.experiment import Experiment, Part, Study, Sweep
from experiments.research.facts import verdict
from experiments.research.rerun import rerun
from experiments.research.team_assembly import (
    RepeatPartners,
    TeamAssemblyObserver,
    reference_giant,
)
from experiments.stats import BOOT_SEED, Estimate, mean_difference, spearman

P, Q = "cooperation.incumbent_share", "cooperation.repeat_bias"
REFERENCE_SEEDS = 2
BOOT = 2000


def _levels(part: Part, key: str) -> list[float]:
    return sorted(float(v) for v in part.spec.factors[key])


def introduce(study: Study) -> None:
    part = study.parts["docking"]
    config = part.configs[0]
    kind = config.cooperation.types["light_informal"]
    study.found["m"] = kind.partners_min + 1
    study.report.text(
        "The model reproduces a published model. Guimerà, Uzzi, Spiro & Amaral (2005, "
        "Science 308:697) assemble teams of m agents: each member is an incumbent with "
        "probability p, else a newcomer; an incumbent is, with probability q, a previous "
        "collaborator of an incumbent already on the team; all members are linked; an agent "
        "in no new team for τ steps retires. As p rises the network passes from many small "
        "clusters to one giant component — a phase transition. Here the neighbourhood model "
        "runs reduced to those rules through its own recruiting code "
        f"(scenario `{config.name}`): {len(part.runs)} runs, p ∈ "
        f"{_levels(part, P)}, q ∈ {_levels(part, Q)}, {part.spec.experiment.replications} "
        f"replications, {part.years:g} years after a {config.warmup_years:g}-year warm-up."
    )
    study.report.table(_settings(config, study.found["m"]), "How the rules are matched")


def _settings(config, m: int) -> pd.DataFrame:
    c, t = config.cooperation, config.turnover
    rows = [
        ("team size m", f"{m}", f"one cooperation type with exactly {m - 1} partners"),
        ("p, q", "incumbent / repeat", "cooperation.incumbent_share, cooperation.repeat_bias"),
        ("whom a team draws on", "anyone", f'cooperation.partner_search = "{c.partner_search}"'),
        ("newcomers", "an endless pool", "arrivals (turnover.sectors.residents)"),
        (
            "retirement after τ steps",
            "τ = 40 (NetLogo)",
            f"drops_out_when_idle, max_inactive_weeks = {t.max_inactive_weeks}",
        ),
        (
            "links",
            "kept while both are active",
            "no decay, no pruning; resilient threshold = new tie strength",
        ),
        (
            "no resources, meetings, catalyst",
            "—",
            "needs 0, time 40 h; no meetings; catalyst absent; no everyday contact",
        ),
        (
            "first member of a team",
            "incumbent with p",
            "the initiator: whoever has an idea (NOT drawn by p — see below)",
        ),
        (
            "repeat collaborators",
            "of any incumbent on the team",
            "of the initiator only",
        ),
    ]
    return pd.DataFrame(rows, columns=["rule", "Guimerà et al.", "here"])


def measure_docking(study: Study) -> None:
    """Re-run each docking run with the observer; the reference curves for the same m, τ."""
    part = study.parts["docking"]
    found = rerun(
        part.results, part.runs, part.years, TeamAssemblyObserver, workers=study.options.workers
    )
    measured = pd.DataFrame.from_dict(found, orient="index")
    part.runs = part.runs.join(measured, on="run_id")
    teams = float(part.runs["teams_per_week"].mean())
    weeks = part.configs[0].turnover.max_inactive_weeks + 2  # checked monthly: ~2 weeks later
    tau = max(1, round(teams * weeks))
    m = study.found["m"]
    steps = max(2000, 60 * tau)
    rows = []
    for q in _levels(part, Q):
        for p in _levels(part, P):
            s = [
                reference_giant(m, p, q, tau, steps, BOOT_SEED + i) for i in range(REFERENCE_SEEDS)
            ]
            rows.append({"q": q, "p": p, "S": float(np.mean(s))})
    study.found["reference"] = pd.DataFrame(rows)
    study.found["tau"] = tau
    study.found["teams"] = teams


def _curve(runs: pd.DataFrame, q: float, x: str = P) -> pd.DataFrame:
    part = runs[np.isclose(runs[Q], q)]
    return part.groupby(x)["S"].agg(["mean", "std", "count"]).reset_index()


def crossing(p: np.ndarray, s: np.ndarray, level: float = 0.5) -> float:
    """The p where S first reaches `level` (linear interpolation); NaN if it never does."""
    above = np.flatnonzero(s >= level)
    if not len(above):
        return float("nan")
    i = above[0]
    if i == 0:
        return float(p[0])
    return float(p[i - 1] + (level - s[i - 1]) * (p[i] - p[i - 1]) / (s[i] - s[i - 1]))


def docking_section(study: Study) -> None:
    part, reference = study.parts["docking"], study.found["reference"]
    runs, rows = part.runs, []
    for q in _levels(part, Q):
        mine = _curve(runs, q)
        theirs = reference[np.isclose(reference["q"], q)]
        effective = runs[np.isclose(runs[Q], q)].groupby(P)[["p_effective", "S"]].mean()
        gap = np.abs(mine["mean"].to_numpy() - theirs["S"].to_numpy())
        at_half = crossing(mine[P].to_numpy(), mine["mean"].to_numpy())
        published = crossing(theirs["p"].to_numpy(), theirs["S"].to_numpy())
        rows.append(
            {
                "q": q,
                "S at p = 0 (model | reference)": f"{mine['mean'].iloc[0]:.2f} | "
                f"{theirs['S'].iloc[0]:.2f}",
                "S at p = 1": f"{mine['mean'].iloc[-1]:.2f} | {theirs['S'].iloc[-1]:.2f}",
                "p where S reaches 0.5": f"{at_half:.2f} | {published:.2f}",
                "same, on the model's effective p": f"{_effective_crossing(effective):.2f}",
                "largest |ΔS| over p": f"{gap.max():.2f}",
                "mean |ΔS|": f"{gap.mean():.2f}",
            }
        )
    table = pd.DataFrame(rows)
    study.found["docking"] = table
    study.report.heading("Docking: S against p")
    study.report.text(
        f"The reference is the published rules run for the same team size m = "
        f"{study.found['m']} and the same retirement time, τ = {study.found['tau']} teams "
        f"(the model makes {study.found['teams']:.2f} teams a week and retires an actor idle "
        f"for more than {part.configs[0].turnover.max_inactive_weeks} weeks, checked "
        f"monthly), {REFERENCE_SEEDS} seeds each, S averaged over the second half of the run. "
        "The effective p is the share of the model's team members who were incumbents: the "
        "initiator of a cooperation is whoever has an idea, not a member drawn by p, so at "
        "small p the model's teams hold more incumbents than p says."
    )
    study.report.table(table, "The model vs the published rules (reference implementation)")
    first = runs.groupby(P)["first_incumbent"].mean()
    study.report.text(
        "Share of teams whose initiator was an incumbent, by p: "
        + ", ".join(f"p = {p:g}: {v:.2f}" for p, v in first.items())
        + "."
    )
    stem = _docking_figure(study)
    study.report.figure(
        stem,
        "S, the share of active incumbents in the giant component, against p: the model "
        "(points, mean ± 95 % CI over runs; left on p, right on the effective p) and the "
        "published rules (lines)",
    )


def _effective_crossing(effective: pd.DataFrame) -> float:
    ordered = effective.sort_values("p_effective")
    return crossing(ordered["p_effective"].to_numpy(), ordered["S"].to_numpy())


def _docking_figure(study: Study) -> str:
    import matplotlib.pyplot as plt

    part, reference = study.parts["docking"], study.found["reference"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for i, q in enumerate(_levels(part, Q)):
        colour = figures.CELL_COLOURS[i]
        theirs = reference[np.isclose(reference["q"], q)]
        mine = _curve(part.runs, q)
        half = 1.96 * mine["std"].fillna(0) / np.sqrt(mine["count"])
        for ax in axes:
            ax.plot(
                theirs["p"], theirs["S"], color=colour, lw=1.4, label=f"published rules, q={q:g}"
            )
        axes[0].errorbar(
            mine[P],
            mine["mean"],
            yerr=half,
            fmt="o",
            ms=4,
            color=colour,
            capsize=2,
            label=f"model, q={q:g}",
        )
        effective = part.runs[np.isclose(part.runs[Q], q)].groupby(P)[["p_effective", "S"]]
        points = effective.mean()
        axes[1].plot(points["p_effective"], points["S"], "o", ms=4, color=colour)
    axes[0].set_xlabel("p (incumbent share set)")
    axes[1].set_xlabel("effective p (share of team members who were incumbents)")
    axes[0].set_ylabel("S (giant component share)")
    axes[0].legend(fontsize=7)
    return figures.save(fig, study.out, "docking")


# ------------------------------------------------------------------ fact 6 in the neighbourhood


def measure_neighbourhood(study: Study) -> None:
    part = study.parts["neighbourhood"]
    found = rerun(
        part.results, part.runs, part.years, RepeatPartners, workers=study.options.workers
    )
    part.runs = part.runs.join(pd.DataFrame.from_dict(found, orient="index"), on="run_id")


def neighbourhood_section(study: Study) -> None:
    part = study.parts["neighbourhood"]
    runs = part.runs
    table = (
        runs.groupby([Q, P])[["giant_component_share", "repeat_pair_share"]]
        .mean()
        .reset_index()
        .rename(columns={Q: "q", P: "p"})
    )
    study.report.heading("Fact 6 in the neighbourhood: the giant component against p")
    study.report.text(
        f"Scenario {', '.join(part.spec.experiment.scenarios)}, p × q as in the table, "
        f"{part.spec.experiment.replications} replications × {part.years:g} years; the giant "
        "component of the resilient ties at the end (all active actors), and the share of "
        "member pairs of the cooperations begun in the run who had been partners before."
    )
    study.report.table(table, "Means per p and q")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for i, q in enumerate(_levels(part, Q)):
        rows = runs[np.isclose(runs[Q], q)].groupby(P)
        for ax, column in zip(axes, ("giant_component_share", "repeat_pair_share"), strict=True):
            stats = rows[column].agg(["mean", "std", "count"])
            half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"])
            ax.errorbar(
                stats.index,
                stats["mean"],
                yerr=half,
                fmt="o-",
                ms=4,
                capsize=2,
                color=figures.CELL_COLOURS[i],
                label=f"q = {q:g}",
            )
    axes[0].set_ylabel("giant-component share (resilient ties)")
    axes[1].set_ylabel("repeat partnerships (share of member pairs)")
    for ax in axes:
        ax.set_xlabel("p (incumbent share)")
    axes[0].legend(fontsize=8)
    stem = figures.save(fig, study.out, "incumbents")
    study.report.figure(stem, "The neighbourhood model: S against p for each q, mean ± 95 % CI")


def sharpness(runs: pd.DataFrame, column: str) -> Estimate:
    """The largest rise of the mean of `column` between neighbouring p levels, as a share of
    the rise from the lowest to the highest p; bootstrap CI (runs resampled within levels).
    A straight line gives 1 / (levels − 1); a transition more."""
    groups = [g[column].to_numpy(dtype=float) for _, g in runs.groupby(P)]
    rng = np.random.default_rng(BOOT_SEED)

    def statistic(samples) -> float:
        means = np.array([s.mean() for s in samples])
        total = means[-1] - means[0]
        return float(np.diff(means).max() / total) if total > 0 else float("nan")

    value = statistic(groups)
    draws = [statistic([rng.choice(g, len(g)) for g in groups]) for _ in range(BOOT)]
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return Estimate(value, float(low), float(high))


def fact_6(study: Study) -> None:
    for name, column, label in (
        ("neighbourhood", "giant_component_share", "neighbourhood model"),
        ("docking", "S", "reduced to team assembly"),
    ):
        part = study.parts[name]
        runs, levels = part.runs, _levels(part, P)
        for q in _levels(part, Q):
            at = runs[np.isclose(runs[Q], q)]
            rise = mean_difference(
                at[np.isclose(at[P], levels[-1])][column], at[np.isclose(at[P], levels[0])][column]
            )
            study.fact(
                6,
                f"{label}, q = {q:g}: giant component at p = {levels[-1]:g} − at p = {levels[0]:g}",
                rise.text(),
                verdict(rise, 1),
            )
            sharp = sharpness(at, column)
            linear = 1 / (len(levels) - 1)
            measured = (
                f"{label}, q = {q:g}: largest rise between neighbouring p as a share of the "
                f"whole rise (a transition: above {linear:.2f}, a straight line)"
            )
            if not rise.low > 0:
                study.fact(6, measured, "—", "not measured: S does not rise with p")
                continue
            study.fact(
                6,
                measured,
                sharp.text(),
                "yes"
                if sharp.low > linear
                else "no — not sharper than a straight line"
                if sharp.high < linear
                else "not resolved (CI includes a straight line)",
            )
    runs = study.parts["neighbourhood"].runs
    rho = spearman(runs[Q], runs["repeat_pair_share"])
    study.fact(
        6,
        "neighbourhood model: Spearman ρ of the share of repeat partnerships with q "
        "(q concentrates links among established partners: ρ > 0)",
        rho.text(),
        verdict(rho, 1),
    )


DOCKING = Experiment(
    name="docking",
    title="Docking: the model reduced to Guimerà et al.'s team assembly; fact 6",
    sweeps=(Sweep("docking", "docking"), Sweep("incumbents", "neighbourhood")),
    sections=(
        introduce,
        measure_docking,
        docking_section,
        measure_neighbourhood,
        neighbourhood_section,
    ),
    facts=(fact_6,),
    key_lines=lambda study: text_table(study.found["docking"]),
)
