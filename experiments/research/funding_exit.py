"""funding-exit: the programme ends, with and without Verstetigung (the scenarios of
funding_exit.toml).

What persists 5 and 10 years after the end (cooperations, resilient ties, giant component),
and whether ties the programme induced decay faster than ties that existed before it.
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
from experiments.stats import mean_difference, t_interval
from experiments.sweep.spec import Spec
from scenarios.errors import InputError
from simulation import ScenarioConfig

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


def fact_7(study: Study) -> None:
    read = checks(study)
    if len(read) < 2:
        study.fact(7, "decay after funding", "—", "not measured (run ends at the exit)")
        return
    end, later = read[0], read[1]
    for cell, part in network(study).groupby("cell", sort=False):
        programme = _ratio(part, "ties_from_programme", end, later)
        before = _ratio(part, "ties_from_start", end, later)
        both = pd.concat([programme, before], axis=1, join="inner").dropna()
        difference = t_interval(both.iloc[:, 0] - both.iloc[:, 1])
        study.fact(
            7,
            f"{cell}: share of programme ties kept − share of pre-existing ties kept, year "
            f"{end:g} → {later:g} (runs with pre-existing ties left at the exit: {len(both)})",
            difference.text(),
            verdict(difference, -1)
            if len(both) >= 2
            else "not measured (too few runs with pre-existing ties left at the exit)",
        )
    study.fact(
        7,
        "hysteresis (rebuilding needs more than the original push)",
        "—",
        "not measured: no experiment restarts funding",
    )


FUNDING_EXIT = Experiment(
    name="funding-exit",
    title="Funding exit: what persists after the programme ends",
    sweeps=(Sweep("funding_exit", cells=Cells(scenario={"exit": verstetigung}), check=check_exit),),
    sections=(introduce, persistence, figure_section, replications()),
    facts=(fact_7,),
    key_lines=lambda study: text_table(study.found["persistence"]),
)
