"""sensitivity: Morris screening and Sobol' indices (SALib) for the parameters, bounds and
scenario of sensitivity_morris.toml and sensitivity.toml; bar plots; sample counts and a
convergence check.

Convergence of the Sobol' indices: they are recomputed from the first half of the base samples
(a valid Saltelli design of N/2) and compared with those from all N, and the CI widths are
reported. Replicates of a design point are averaged before the analysis.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis

from experiments.research import figures
from experiments.research.analysis import MAIN, text_table
from experiments.research.experiment import Experiment, Part, Study, Sweep
from experiments.stats import BOOT_SEED, t_interval

OUTPUTS = [MAIN, "giant_component_share", "cross_sector_share"]
TOLERANCE = 0.1
"""Sobol' indices count as converged when N/2 and N differ by less than this (absolute)."""


def introduce(study: Study) -> None:
    morris, sobol = study.parts["morris"], study.parts["sobol"]
    study.report.text(
        f"Scenario {', '.join(sobol.spec.experiment.scenarios)}, "
        f"{sobol.spec.experiment.years:g} years. Morris: N = {morris.spec.design.samples} "
        f"trajectories, {len(morris.results.runs)} runs; "
        f"Sobol' (Saltelli): N = {sobol.spec.design.samples} base samples, "
        f"{len(sobol.results.runs)} runs; {sobol.spec.experiment.replications} replication(s) "
        "per design point (averaged). Parameters and bounds:"
    )
    problem = sobol.results.manifest["design"]["problem"]
    study.report.table(
        pd.DataFrame(
            {
                "parameter": problem["names"],
                "low": [b[0] for b in problem["bounds"]],
                "high": [b[1] for b in problem["bounds"]],
            }
        ),
        "Parameters varied (uniform between the bounds)",
    )


def point_means(part: Part, output: str) -> np.ndarray:
    """The output per design point (replicates averaged), in point order; NaN if missing."""
    runs = part.runs
    total = part.results.manifest["design"]["points"]
    means = runs.groupby("point")[output].mean()
    return means.reindex(range(total)).to_numpy(dtype=float)


def morris_section(study: Study) -> None:
    part = study.parts["morris"]
    results = part.results
    design = results.manifest["design"]
    problem, matrix = design["problem"], np.asarray(design["matrix"])
    levels = results.manifest["spec"]["design"]["num_levels"]
    rows = []
    for output in OUTPUTS:
        y = point_means(part, output)
        if np.isnan(y).any():
            continue
        found = _quietly(
            morris_analysis.analyze, problem, matrix, y, num_levels=levels, seed=BOOT_SEED
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "mu*": found["mu_star"][i],
                    "mu* CI": found["mu_star_conf"][i],
                    "sigma": found["sigma"][i],
                }
            )
    table = pd.DataFrame(rows)
    study.report.heading("Morris screening")
    study.report.text(
        "mu* = mean absolute elementary effect (importance), sigma = their standard deviation "
        "(non-linearity or interactions); mu* CI is SALib's bootstrap 95 % half-width."
    )
    study.report.table(table, "Morris indices")
    main = table[table["output"] == MAIN].reset_index(drop=True)
    if not main.empty:
        stem = figures.indices(
            main, [("mu*", "mu* CI"), ("sigma", "")], study.out, "morris", f"Morris: {MAIN}"
        )
        study.report.figure(stem, f"Morris mu* (with CI) and sigma for {MAIN}")
    study.found["morris"] = (
        main[["parameter", "mu*", "sigma"]]
        if not main.empty
        else pd.DataFrame(columns=["parameter", "mu*", "sigma"])
    )


def _quietly(analyze, *args, **kwargs) -> dict:
    """A SALib analysis without its warnings (small designs warn on every call)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(*args, **kwargs)


def _sobol(problem: dict, y: np.ndarray) -> dict:
    return _quietly(sobol_analysis.analyze, problem, y, calc_second_order=False, seed=BOOT_SEED)


def sobol_section(study: Study) -> None:
    part = study.parts["sobol"]
    spec, results = part.spec, part.results
    problem = results.manifest["design"]["problem"]
    n, d = spec.design.samples, problem["num_vars"]
    rows, checks = [], []
    for output in OUTPUTS:
        y = point_means(part, output)
        if np.isnan(y).any() or np.allclose(y, y[0]):
            continue
        full = _sobol(problem, y)
        half = _sobol(problem, y[: (n // 2) * (d + 2)]) if n >= 4 else None
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "S1": full["S1"][i],
                    "S1 CI": full["S1_conf"][i],
                    "ST": full["ST"][i],
                    "ST CI": full["ST_conf"][i],
                }
            )
        checks.append(_convergence(output, full, half))
    table = pd.DataFrame(rows)
    study.report.heading("Sobol' indices")
    study.report.text(
        "S1 = first-order index (share of the output variance due to the parameter alone), "
        "ST = total index (with all its interactions); CI = SALib's bootstrap 95 % "
        "half-width. Runs are stochastic: replicate noise counts as unexplained variance."
    )
    study.report.table(table, "Sobol' indices")
    _convergence_text(study, n, checks)
    main = table[table["output"] == MAIN].reset_index(drop=True)
    if not main.empty:
        stem = figures.indices(
            main, [("S1", "S1 CI"), ("ST", "ST CI")], study.out, "sobol", f"Sobol': {MAIN}"
        )
        study.report.figure(stem, f"Sobol' S1 and ST with 95 % CIs for {MAIN}")
        study.found["sobol"] = main[["parameter", "S1", "ST"]]
    else:
        study.found["sobol"] = pd.DataFrame(columns=["parameter", "S1", "ST"])


def _convergence(output: str, full: dict, half: dict | None) -> dict:
    change = float(np.nanmax(np.abs(full["ST"] - half["ST"]))) if half else float("nan")
    return {
        "output": output,
        "max |ST(N) − ST(N/2)|": change,
        "max ST CI half-width": float(np.nanmax(full["ST_conf"])),
        "max S1 CI half-width": float(np.nanmax(full["S1_conf"])),
        "converged": bool(change < TOLERANCE and np.nanmax(full["ST_conf"]) < TOLERANCE),
    }


def _convergence_text(study: Study, n: int, checks: list[dict]) -> None:
    table = pd.DataFrame(checks)
    study.report.text(
        f"Convergence: the indices from all N = {n} base samples are compared with those "
        f"from the first N/2 = {n // 2}; they count as converged when the largest change of "
        f"ST and the largest ST CI half-width are both below {TOLERANCE}. "
        + (
            "Not converged for: "
            + ", ".join(table.loc[~table["converged"], "output"])
            + " — use more samples (--samples)."
            if not table.empty and not table["converged"].all()
            else "All outputs converged by this criterion."
        )
    )
    if not table.empty:
        study.report.table(table, "Convergence of the Sobol' indices")


def fact_2(study: Study) -> None:
    runs = study.parts["sobol"].runs
    scarce = runs[runs["resources.level"] < 0.1][MAIN]
    ample = runs[runs["resources.level"] >= 0.75][MAIN]
    estimate = t_interval(scarce)
    if scarce.empty:
        study.fact(2, "completed at resources.level < 0.1", "—", "not measured (no such point)")
        return
    study.fact(
        2,
        f"completed cooperations at resources.level < 0.1 ({len(scarce)} points; "
        f"at ≥ 0.75: {t_interval(ample).text()})",
        estimate.text(),
        "yes (none complete)"
        if scarce.max() == 0
        else "yes (almost none: < 5 % of ample)"
        if estimate.value < 0.05 * ample.mean()
        else "no: cooperations complete with scarce resources",
    )


def key_lines(study: Study) -> list[str]:
    """The Sobol' and Morris indices of the main outcome, for the terminal."""
    return text_table(study.found["sobol"].merge(study.found["morris"], on="parameter"))


SENSITIVITY = Experiment(
    name="sensitivity",
    title="Sensitivity: Morris screening and Sobol' indices",
    sweeps=(Sweep("sensitivity_morris", "morris"), Sweep("sensitivity", "sobol")),
    sections=(introduce, morris_section, sobol_section),
    facts=(fact_2,),
    key_lines=key_lines,
)
