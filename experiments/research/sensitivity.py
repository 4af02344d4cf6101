"""sensitivity: Morris screening and Sobol' indices for the parameters, bounds and scenario of
sensitivity_morris.toml and sensitivity.toml; bar plots; sample counts and a convergence check.

Morris (SALib) on the replicate means of each design point. Sobol' indices of each output's
mean at a design point, corrected for the run-to-run noise left in the mean of its replicates
(experiments.research.sobol), with the noise share and whether the parameters' share of the
variance is distinguishable from zero. Convergence: the indices are recomputed from the first
half of the base samples (a valid Saltelli design of N/2) and compared with those from all N,
and the CI widths are reported.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis

from experiments.research import figures
from experiments.research.analysis import MAIN, text_table
from experiments.research.experiment import Experiment, Part, Study, Sweep
from experiments.research.sobol import (
    CONVERGED,
    design_grid,
    indices_and_checks,
    uncorrected_text,
)
from experiments.stats import BOOT_SEED, t_interval
from experiments.sweep.plan import replicates as sweep_replicates

OUTPUTS = [MAIN, "giant_component_share", "cross_sector_share"]


def introduce(study: Study) -> None:
    morris, sobol = study.parts["morris"], study.parts["sobol"]
    points = sobol.results.manifest["design"]["points"]
    study.report.text(
        f"Scenario {', '.join(sobol.spec.experiment.scenarios)}, "
        f"{sobol.spec.experiment.years:g} years. Morris: N = {morris.spec.design.samples} "
        f"trajectories, {len(morris.results.runs)} runs "
        f"({morris.spec.experiment.replications} replication(s) per design point, averaged); "
        f"Sobol' (Saltelli): N = {sobol.spec.design.samples} base samples, {points} design "
        f"points × R = {sobol.spec.experiment.replications} replication(s), "
        f"{len(sobol.results.runs)} runs (the replicates' spread measures the run-to-run "
        "noise the indices are corrected for). Parameters and bounds:"
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


def replicate_values(part: Part, output: str) -> np.ndarray:
    """One output per design point (rows, in point order) and replicate (columns); NaN where
    a run is missing."""
    values = part.runs.groupby(["point", "replicate"])[output].mean()
    points = part.results.manifest["design"]["points"]
    return design_grid(values, points, sweep_replicates(part.spec))


def sobol_section(study: Study) -> None:
    part = study.parts["sobol"]
    problem = part.results.manifest["design"]["problem"]
    n = part.spec.design.samples
    tables, checks, missing = [], [], []
    for output in OUTPUTS:
        table, check = indices_and_checks(problem, n, replicate_values(part, output))
        if check["missing"]:
            missing.append(output)
            continue
        checks.append({"output": output, **check})
        if check["distinguishable"] or not check["corrected"]:
            tables.append(table.assign(output=output))
    study.report.heading("Sobol' indices")
    study.report.text(_SOBOL_TEXT)
    if missing:
        study.report.text(f"No indices (runs missing or output constant): {', '.join(missing)}.")
    table = _sobol_results(study, tables, checks)
    _convergence_text(study, n, checks)
    main = table[table["output"] == MAIN].reset_index(drop=True)
    if not main.empty:
        stem = figures.indices(
            main, [("S1", "S1 CI"), ("ST", "ST CI")], study.out, "sobol", f"Sobol': {MAIN}"
        )
        study.report.figure(stem, f"Sobol' S1 and ST with 95 % CIs for {MAIN} ({_kind(checks)})")
    study.found["sobol"] = main[["parameter", "S1", "ST"]]


_SOBOL_TEXT = (
    "S1 = first-order index (share of the output variance due to the parameter alone), "
    "ST = total index (with all its interactions); CI = 95 % half-width from a bootstrap over "
    "the N base-sample blocks. The model is stochastic, so each output's indices are those of "
    "its mean m(x) = E[Y | x] at a design point, corrected for the run-to-run noise left in "
    "the mean of the R replicates (Marrel et al. 2012; Hart et al. 2017): τ² = the mean "
    "within-point variance / R, noise share η = τ²/V of the variance V across points, and the "
    "parameters' share V_m = V − τ² with its 95 % CI. Where that CI includes 0 the output does "
    "not measurably depend on the parameters at this budget (the differences between design "
    "points are within run-to-run noise) and no indices are shown."
)


def _kind(checks: list[dict]) -> str:
    corrected = bool(checks) and checks[0]["corrected"]
    return "noise-corrected, of the mean output" if corrected else "uncorrected, noise-inflated"


def _sobol_results(study: Study, tables: list[pd.DataFrame], checks: list[dict]) -> pd.DataFrame:
    """Report the noise checks and the indices of the outputs that have them; return those."""
    columns = ["output", "parameter", "S1", "S1 CI", "ST", "ST CI"]
    table = pd.concat(tables)[columns] if tables else pd.DataFrame(columns=columns)
    if checks and not checks[0]["corrected"]:
        study.report.text(uncorrected_text("sensitivity.toml", 2))
    elif checks:
        study.report.table(noise_table(checks), "Run-to-run noise and the parameters' share")
        study.report.text(_distinguishable_text(checks))
    if not table.empty:
        study.report.table(table, f"Sobol' indices ({_kind(checks)})")
    return table


def noise_table(checks: list[dict]) -> pd.DataFrame:
    """Per output (with R ≥ 2): R, V, η, V_m with its CI, and whether V_m is distinguishable."""
    return pd.DataFrame(
        {
            "output": c["output"],
            "R": c["replicates"],
            "V": c["variance"],
            "η = τ²/V": c["noise_share"],
            "V_m": c["signal_variance"],
            "V_m 95 % CI": f"[{c['signal_variance'] - c['signal_ci']:.3g}, "
            f"{c['signal_variance'] + c['signal_ci']:.3g}]",
            "distinguishable": "yes" if c["distinguishable"] else "no",
        }
        for c in checks
    )


def _distinguishable_text(checks: list[dict]) -> str:
    found = [c["output"] for c in checks if c["distinguishable"]]
    not_found = [c["output"] for c in checks if not c["distinguishable"]]
    return f"The parameters' share is distinguishable from zero for {_names(found)}" + (
        f"; not for {_names(not_found)} (no indices)." if not_found else "."
    )


def _names(outputs: list[str]) -> str:
    return ", ".join(outputs) if outputs else "no output"


def _convergence_text(study: Study, n: int, checks: list[dict]) -> None:
    table = pd.DataFrame(
        {
            "output": c["output"],
            "max ΔST, N vs N/2": c["change"],
            "max ST CI half-width": c["widest"],
            "converged": "yes" if c["converged"] else "no",
        }
        for c in checks
    )
    failed = [c["output"] for c in checks if not c["converged"]]
    study.report.text(
        f"Convergence: the indices from all N = {n} base samples are compared with those "
        f"from the first N/2 = {n // 2}; they count as converged when they are noise-corrected, "
        f"the parameters' share is distinguishable from zero, and the largest change of ST "
        f"and the largest ST CI half-width are both below {CONVERGED}. "
        + (
            f"Not converged for: {', '.join(failed)} — use more samples (--samples) or more "
            "replicates (`replications`), which lower the noise share."
            if failed
            else "All outputs converged by this criterion."
        )
    )
    if not table.empty:
        study.report.table(table, "Convergence of the Sobol' indices")


def fact_2(study: Study) -> None:
    runs = study.parts["sobol"].runs
    points = runs.groupby("point")
    level, outcome = points["resources.level"].first(), points[MAIN].mean()
    scarce, ample = outcome[level < 0.1], outcome[level >= 0.75]
    if scarce.empty:
        study.fact(2, "completed at resources.level < 0.1", "—", "not measured (no such point)")
        return
    estimate = t_interval(scarce)
    study.fact(
        2,
        f"completed cooperations at resources.level < 0.1 ({len(scarce)} design points, "
        f"replicates averaged; at ≥ 0.75: {t_interval(ample).text()})",
        estimate.text(),
        "yes (none complete)"
        if scarce.max() == 0
        else "yes (almost none: < 5 % of ample)"
        if estimate.value < 0.05 * ample.mean()
        else "no: cooperations complete with scarce resources",
    )


def key_lines(study: Study) -> list[str]:
    """The Sobol' and Morris indices of the main outcome, for the terminal (Sobol' NaN when
    it has none)."""
    sobol, morris = study.found["sobol"], study.found["morris"]
    return text_table(sobol.merge(morris, on="parameter", how="right"))


SENSITIVITY = Experiment(
    name="sensitivity",
    title="Sensitivity: Morris screening and Sobol' indices",
    sweeps=(Sweep("sensitivity_morris", "morris"), Sweep("sensitivity", "sobol")),
    sections=(introduce, morris_section, sobol_section),
    facts=(fact_2,),
    key_lines=key_lines,
)
