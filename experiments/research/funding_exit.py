"""funding-exit: the programme ends, with and without Verstetigung (the scenarios of
funding_exit.toml).

What persists 5 and 10 years after the end (cooperations, resilient ties, giant component),
and whether ties the programme induced decay faster than ties that existed before it: the
runs are re-run with an observer that follows every tie alive at the exit (its origin,
strength and age then) until it is gone, for survival curves and comparisons of matched
ties. A second sweep (hysteresis.toml) funds, ends funding and funds again, to see whether
rebuilding takes longer than the first build did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.research import figures
from experiments.research.analysis import (
    pm,
    replications,
    text_table,
    value_at,
    with_cells,
)
from experiments.research.cells import Cells
from experiments.research.experiment import Experiment, Study, Sweep, run_years
from experiments.research.facts import verdict
from experiments.research.observers import TieSurvival
from experiments.research.rerun import rerun
from experiments.stats import mean_difference, t_interval
from experiments.sweep.spec import Spec
from scenarios.errors import InputError
from simulation import ScenarioConfig
from simulation.config import WEEKS_PER_YEAR
from simulation.ties import BEFORE, OWN, PROGRAMME

WITH, WITHOUT = "with Verstetigung", "without Verstetigung"
STOCKS = [
    "resilient_ties",
    "giant_component_share",
    "ties_from_programme",
    "ties_from_start",
    "resilient_from_programme",
    "resilient_from_start",
]


def verstetigung(config: ScenarioConfig) -> str:
    """Whether a scenario keeps structures going after the programme ends."""
    measures = config.programme.verstetigung
    kept = measures.anchor_place or measures.coordination_handover or measures.small_fund_per_year
    return WITH if kept else WITHOUT


def check_exit(spec: Spec, configs: list[ScenarioConfig]) -> None:
    """Every scenario's programme ends before its runs do."""
    for name, config in zip(spec.experiment.scenarios, configs, strict=True):
        end, years = config.programme.end_year, run_years(spec, config)
        if not config.programme.enabled:
            raise InputError(spec._source, f"scenario {name} has no programme to end")
        if end >= years:
            raise InputError(
                "--years",
                f"the programme ends at year {end:g}, but the runs of {name} end at year "
                f"{years:g}: run longer, or end it earlier with --set "
                f"programme.funding_years=Y (start year + Y < {years:g})",
            )


def exit_year(study: Study) -> float:
    """When the programme ends (the first scenario's)."""
    return study.main.configs[0].programme.end_year


def checks(study: Study) -> list[float]:
    """The years values are read: the exit, 5 and 10 years later, and the run's end."""
    years, end = study.main.years, exit_year(study)
    found = [end] + [end + k for k in (5, 10) if end + k <= years + 1e-9]
    if found[-1] < years:
        found.append(years)
    return found


def network(study: Study) -> pd.DataFrame:
    return with_cells(study.main.results.network, study.main.runs, ["cell"])


def series(study: Study) -> pd.DataFrame:
    return with_cells(study.main.results.timeseries, study.main.runs, ["cell"])


def introduce(study: Study) -> None:
    spec, end, read = study.main.spec, exit_year(study), checks(study)
    study.report.text(
        f"The programme ends at year {end:g} (degressive transition as in the presets); "
        f"{spec.experiment.replications} replications × {study.main.years:g} years per cell, "
        f"{len(study.main.runs)} runs. Values are read at the end of funding and "
        + ", ".join(f"{c - end:g}" for c in read[1:])
        + " years later. 'ties from programme' were made while the programme ran; 'ties from "
        "start' existed before it (the model's tie origins)."
    )


def completions_in_year(series: pd.DataFrame, year: float) -> pd.Series:
    """Per run: cooperations completed in the year before `year`."""
    return value_at(series, "completed", year) - value_at(series, "completed", year - 1)


def persistence(study: Study) -> None:
    net, ts_all, read = network(study), series(study), checks(study)
    rows, ratios = [], []
    for cell, part in net.groupby("cell", sort=False):
        ts = ts_all[ts_all["cell"] == cell]
        for year in read:
            row = {"cell": cell, "year": f"{year:g}"}
            row |= {m: pm(t_interval(value_at(part, m, year))) for m in STOCKS}
            row["completed in the year before"] = pm(t_interval(completions_in_year(ts, year)))
            rows.append(row)
        for year in read[1:]:
            row = {"cell": cell, "years after the end": f"{year - read[0]:g}"}
            for metric in ("resilient_ties", "giant_component_share", "ties_from_programme"):
                row[f"{metric} kept"] = pm(t_interval(_ratio(part, metric, read[0], year)))
            kept = completions_in_year(ts, year) / completions_in_year(ts, read[0])
            row["yearly completions kept"] = pm(t_interval(kept.replace(np.inf, np.nan)))
            ratios.append(row)
    table = pd.DataFrame(rows)
    study.report.heading("What persists")
    study.report.table(table, "mean ± 95 % CI half-width at the end of funding and after")
    if ratios:
        study.report.table(pd.DataFrame(ratios), "share kept: value later / value at the end")
    _verstetigung(study, net, ts_all, read)
    study.found["persistence"] = table[
        ["cell", "year", "resilient_ties", "giant_component_share", "completed in the year before"]
    ]


def _ratio(part: pd.DataFrame, metric: str, t0: float, t1: float) -> pd.Series:
    before = value_at(part, metric, t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (value_at(part, metric, t1) / before.replace(0, np.nan)).dropna()


def _verstetigung(
    study: Study, network: pd.DataFrame, series: pd.DataFrame, read: list[float]
) -> None:
    rows = []
    for year in read[1:]:
        for metric in ("resilient_ties", "giant_component_share"):
            with_v = value_at(network[network["cell"] == WITH], metric, year)
            without = value_at(network[network["cell"] == WITHOUT], metric, year)
            rows.append(
                {
                    "year": f"{year:g}",
                    "outcome": metric,
                    "with − without [95 % CI]": mean_difference(with_v, without).text(),
                }
            )
        done = [completions_in_year(series[series["cell"] == c], year) for c in (WITH, WITHOUT)]
        rows.append(
            {
                "year": f"{year:g}",
                "outcome": "completed in the year before",
                "with − without [95 % CI]": mean_difference(*done).text(),
            }
        )
    if rows:
        study.report.heading("The effect of Verstetigung")
        study.report.table(pd.DataFrame(rows), "difference of means, bootstrap 95 % CI")


def figure_section(study: Study) -> None:
    net, ts = network(study), series(study)
    study.report.heading("Figures")
    if not net.empty:
        stem = figures.timeseries(net, "cell", STOCKS, study.out, "network_series")
        study.report.figure(stem, "Ties by origin, resilient ties, giant component: mean ± CI")
    if not ts.empty:
        stem = figures.timeseries(
            ts, "cell", ["running", "completed", "fund_balance"], study.out, "timeseries"
        )
        study.report.figure(stem, "Running and completed cooperations, fund balance: mean ± CI")


HORIZON = 5.0
"""Years after the exit at which survival is compared."""
STRENGTH_BINS = [0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.01]
AGE_BINS = [0.0, 1.0, 2.0, 4.0, 7.0, 1e9]  # years
ORIGIN_NAMES = {BEFORE: "before", PROGRAMME: "programme", OWN: "own"}


def survival(study: Study) -> None:
    """Re-run every run to HORIZON years after the exit (or its end), following the ties."""
    part, end = study.main, exit_year(study)
    years = min(part.years, end + HORIZON)
    week = round(end * WEEKS_PER_YEAR)
    found = rerun(
        part.results, part.runs, years, TieSurvival, {"exit_week": week}, study.options.workers
    )
    frames = []
    for run_id, ties in found.items():
        frame = pd.DataFrame({k: ties[k] for k in ("origin", "strength", "age", "gone")})
        frame["alive_weeks"] = np.where(frame["gone"] < 0, ties["end"], frame["gone"]) - week
        frames.append(frame.assign(run_id=run_id, end=ties["end"] - week))
    ties = pd.concat(frames, ignore_index=True).merge(part.runs[["run_id", "cell"]])
    ties["age"] = ties["age"] / WEEKS_PER_YEAR
    ties["strength_bin"] = pd.cut(ties["strength"], STRENGTH_BINS, right=False)
    ties["age_bin"] = pd.cut(ties["age"], AGE_BINS, right=False)
    study.found["ties"] = ties
    study.found["horizon"] = years - end
    _survival_figure(study, ties)
    study.report.heading("Survival of the ties alive at the exit")
    counts = ties.groupby(["cell", "origin"]).size().unstack(fill_value=0)
    counts.columns = [ORIGIN_NAMES[c] for c in counts.columns]
    study.report.text(
        f"Every tie alive when funding ends is followed until it is gone (checked every 4 "
        f"weeks) for {years - end:g} years. Ties made 'before' existed at week 0; 'programme' "
        "ties were made by the programme's structures; 'own' ties by the actors themselves "
        "while the programme ran. Pre-existing ties are older than any tie made since, so "
        "they are matched to programme ties on strength at the exit only; programme and own "
        "ties are matched on strength and age at the exit (strata of strength "
        f"{STRENGTH_BINS[1:-1]} and age {AGE_BINS[1:-1]} years; each stratum weighted by its "
        "share of the programme ties, strata without both kinds left out)."
    )
    study.report.table(counts.reset_index(), "Ties alive at the exit, by origin (all runs)")


def _survival_figure(study: Study, ties: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    cells = list(dict.fromkeys(ties["cell"]))
    fig, axes = plt.subplots(1, len(cells), figsize=(5 * len(cells), 3.6), sharey=True)
    months = np.arange(0, int(study.found["horizon"] * 12) + 1)
    for ax, cell in zip(np.atleast_1d(axes), cells, strict=True):
        part = ties[ties["cell"] == cell]
        for i, (code, name) in enumerate(ORIGIN_NAMES.items()):
            chosen = part[part["origin"] == code]
            if chosen.empty:
                continue
            weeks = chosen["alive_weeks"].to_numpy()
            alive = [(weeks >= m * WEEKS_PER_YEAR / 12).mean() for m in months]
            ax.plot(months / 12, alive, color=figures.CELL_COLOURS[i], label=name)
        ax.set_title(cell, fontsize=10)
        ax.set_xlabel("years after the exit")
    np.atleast_1d(axes)[0].set_ylabel("share of ties still there")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    stem = figures.save(fig, study.out, "tie_survival")
    study.report.figure(stem, "Survival of the ties alive at the exit, by origin (all runs)")


def matched_difference(ties: pd.DataFrame, other: int, strata: list[str], weeks: float) -> float:
    """Survival to `weeks` of programme ties − of `other` ties, standardised to the programme
    ties' strata (strata with both kinds only); NaN when none overlap."""
    alive = ties.assign(kept=ties["alive_weeks"] >= weeks)
    programme = alive[alive["origin"] == PROGRAMME].groupby(strata, observed=True)["kept"]
    rest = alive[alive["origin"] == other].groupby(strata, observed=True)["kept"]
    both = pd.concat([programme.mean(), rest.mean(), programme.size()], axis=1, join="inner")
    both.columns = ["programme", "other", "n"]
    if both.empty:
        return float("nan")
    weights = both["n"] / both["n"].sum()
    return float((weights * (both["programme"] - both["other"])).sum())


def fact_7(study: Study) -> None:
    ties, horizon = study.found["ties"], study.found["horizon"]
    weeks = horizon * WEEKS_PER_YEAR
    for cell, part in ties.groupby("cell", sort=False):
        for other, strata, name in (
            (OWN, ["strength_bin", "age_bin"], "own ties of the same strength and age"),
            (BEFORE, ["strength_bin"], "pre-existing ties of the same strength"),
        ):
            per_run = part.groupby("run_id").apply(
                lambda r, o=other, s=strata: matched_difference(r, o, s, weeks),
                include_groups=False,
            )
            estimate = t_interval(per_run.dropna())
            study.fact(
                7,
                f"{cell}: share of programme ties still there {horizon:g} years after the "
                f"exit − share of {name} (runs: {per_run.notna().sum()})",
                estimate.text(),
                verdict(estimate, -1)
                if per_run.notna().sum() >= 2
                else "not measured (too few runs with both kinds of ties)",
            )
    hysteresis_fact(study)


# ------------------------------------------------------------------ hysteresis

LEVEL = 0.9
"""Rebuilt when a measure is back at this share of the rise of the first funding period."""
REBUILT = ("resilient_ties", "giant_component_share")


def periods(study: Study) -> tuple[tuple[float, float], tuple[float, float]]:
    config = study.parts["hysteresis"].configs[0]
    first, second = config.programme.periods()
    return first, second


def time_to(series: pd.DataFrame, metric: str, start: float, stop: float, level: float) -> float:
    """Years from `start` until `metric` first reaches `level` before `stop`; NaN if never."""
    years = series["week"] / WEEKS_PER_YEAR
    window = series[(years >= start - 1e-9) & (years <= stop + 1e-9)]
    hit = window[window[metric] >= level]
    return float(hit["week"].iloc[0] / WEEKS_PER_YEAR - start) if len(hit) else float("nan")


def hysteresis_measures(study: Study) -> pd.DataFrame:
    part = study.parts["hysteresis"]
    (s1, e1), (s2, e2) = periods(study)
    rows = []
    for run_id, series in part.results.network.groupby("run_id"):
        series = series.sort_values("week")
        for metric in REBUILT:
            start = value_at(series, metric, s1).iloc[0]
            peak = value_at(series, metric, e1).iloc[0]
            if peak <= start:
                continue
            level = start + LEVEL * (peak - start)
            first = time_to(series, metric, s1, e1, level)
            second = time_to(series, metric, s2, e2, level)
            rows.append(
                {
                    "run_id": run_id,
                    "metric": metric,
                    "at refunding": value_at(series, metric, s2).iloc[0],
                    "start": start,
                    "peak": peak,
                    "build": first,
                    "rebuild": e2 - s2 if np.isnan(second) else second,
                    "rebuilt": not np.isnan(second),
                }
            )
    return pd.DataFrame(rows)


def hysteresis_section(study: Study) -> None:
    part = study.parts["hysteresis"]
    (s1, e1), (s2, e2) = periods(study)
    measured = hysteresis_measures(study)
    study.found["hysteresis"] = measured
    study.report.heading("Hysteresis: fund, exit, fund again")
    study.report.text(
        f"Scenario {part.spec.experiment.scenarios[0]}, funded from year {s1:g} to {e1:g}, "
        f"again from {s2:g} to {e2:g}; {part.spec.experiment.replications} replications × "
        f"{part.years:g} years. For each measure, the level to reach is the start value plus "
        f"{LEVEL:.0%} of its rise during the first funding; *build* = years from the first "
        f"start until it is reached, *rebuild* = years from the second start (not reached "
        f"within the second period: counted as the whole period, {e2 - s2:g} years). "
        "Hysteresis — rebuilding needs more than the original push — means rebuild > build."
    )
    if measured.empty:
        study.report.text("No run's measures rose during the first funding period.")
        return
    table = measured.groupby("metric")[["start", "peak", "at refunding", "build", "rebuild"]].agg(
        lambda v: pm(t_interval(v))
    )
    table["rebuilt within the period"] = measured.groupby("metric")["rebuilt"].mean().round(2)
    study.report.table(table.reset_index(), "mean ± 95 % CI half-width over runs")
    series_runs = part.runs.assign(cell="fund, exit, fund again")
    frame = with_cells(part.results.network, series_runs, ["cell"])
    stem = figures.timeseries(frame, "cell", list(REBUILT), study.out, "hysteresis")
    study.report.figure(stem, "Resilient ties and giant component: fund, exit, fund again")


def hysteresis_fact(study: Study) -> None:
    measured = study.found.get("hysteresis")
    if measured is None or measured.empty:
        study.fact(7, "hysteresis: rebuild − build", "—", "not measured: no rise to rebuild")
        return
    for metric, part in measured.groupby("metric"):
        estimate = t_interval(part["rebuild"] - part["build"])
        study.fact(
            7,
            f"hysteresis, {metric}: years to rebuild − years to build (to {LEVEL:.0%} of the "
            f"first rise; runs: {len(part)})",
            estimate.text(),
            verdict(estimate, 1),
        )


FUNDING_EXIT = Experiment(
    name="funding-exit",
    title="Funding exit: what persists after the programme ends",
    sweeps=(
        Sweep("funding_exit", cells=Cells(scenario={"exit": verstetigung}), check=check_exit),
        Sweep("hysteresis", "hysteresis"),
    ),
    sections=(
        introduce,
        persistence,
        figure_section,
        survival,
        hysteresis_section,
        replications(),
    ),
    facts=(fact_7,),
    key_lines=lambda study: text_table(study.found["persistence"]),
)
