"""Experiment 3, sensitivity: Morris screening and Sobol' indices (SALib) for chosen parameters
of the self-organised scenario; bar plots; sample counts and a convergence check.

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

from experiments import figures
from experiments.research import (
    MAIN,
    Context,
    Options,
    Outcome,
    finish,
    ok_runs,
    start,
    sweep,
    t_interval,
    text_table,
    verdict,
)
from experiments.stats import BOOT_SEED, spearman

OUTPUTS = [MAIN, "giant_component_share", "cross_sector_share"]
TOLERANCE = 0.1
"""Sobol' indices count as converged when N/2 and N differ by less than this (absolute)."""


def run(options: Options) -> Outcome:
    """Run the Morris and Sobol' sweeps and write the report."""
    ctx = start("sensitivity", "Sensitivity: Morris screening and Sobol' indices", options)
    morris_spec, morris_results = sweep(ctx, "sensitivity_morris", "morris")
    sobol_spec, sobol_results = sweep(ctx, "sensitivity", "sobol")
    ctx.report.text(
        f"Scenario self_organised, {sobol_spec.experiment.years:g} years. Morris: "
        f"N = {morris_spec.design.samples} trajectories, {len(morris_results.runs)} runs; "
        f"Sobol' (Saltelli): N = {sobol_spec.design.samples} base samples, "
        f"{len(sobol_results.runs)} runs; {sobol_spec.experiment.replications} replication(s) "
        "per design point (averaged). Parameters and bounds:"
    )
    problem = sobol_results.manifest["design"]["problem"]
    ctx.report.table(
        pd.DataFrame(
            {
                "parameter": problem["names"],
                "low": [b[0] for b in problem["bounds"]],
                "high": [b[1] for b in problem["bounds"]],
            }
        ),
        "Parameters varied (uniform between the bounds)",
    )
    morris_table = morris_section(ctx, morris_results)
    sobol_table = sobol_section(ctx, sobol_spec, sobol_results)
    runs = ok_runs(sobol_results)
    _fact2(ctx, runs)
    _fact6(ctx, runs)
    key = text_table(sobol_table.merge(morris_table, on="parameter"))
    return finish(ctx, key)


def point_means(results, output: str) -> np.ndarray:
    """The output per design point (replicates averaged), in point order; NaN if missing."""
    runs = ok_runs(results)
    total = results.manifest["design"]["points"]
    means = runs.groupby("point")[output].mean()
    return means.reindex(range(total)).to_numpy(dtype=float)


def morris_section(ctx: Context, results) -> pd.DataFrame:
    design = results.manifest["design"]
    problem, matrix = design["problem"], np.asarray(design["matrix"])
    levels = results.manifest["spec"]["design"]["num_levels"]
    rows = []
    for output in OUTPUTS:
        y = point_means(results, output)
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
    ctx.report.heading("Morris screening")
    ctx.report.text(
        "mu* = mean absolute elementary effect (importance), sigma = their standard deviation "
        "(non-linearity or interactions); mu* CI is SALib's bootstrap 95 % half-width."
    )
    ctx.report.table(table, "Morris indices")
    main = table[table["output"] == MAIN].reset_index(drop=True)
    if not main.empty:
        stem = figures.indices(
            main, [("mu*", "mu* CI"), ("sigma", "")], ctx.out, "morris", f"Morris: {MAIN}"
        )
        ctx.report.figure(stem, f"Morris mu* (with CI) and sigma for {MAIN}")
    return (
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


def sobol_section(ctx: Context, spec, results) -> pd.DataFrame:
    problem = results.manifest["design"]["problem"]
    n, d = spec.design.samples, problem["num_vars"]
    rows, checks = [], []
    for output in OUTPUTS:
        y = point_means(results, output)
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
    ctx.report.heading("Sobol' indices")
    ctx.report.text(
        "S1 = first-order index (share of the output variance due to the parameter alone), "
        "ST = total index (with all its interactions); CI = SALib's bootstrap 95 % "
        "half-width. Runs are stochastic: replicate noise counts as unexplained variance."
    )
    ctx.report.table(table, "Sobol' indices")
    _convergence_text(ctx, n, checks)
    main = table[table["output"] == MAIN].reset_index(drop=True)
    if not main.empty:
        stem = figures.indices(
            main, [("S1", "S1 CI"), ("ST", "ST CI")], ctx.out, "sobol", f"Sobol': {MAIN}"
        )
        ctx.report.figure(stem, f"Sobol' S1 and ST with 95 % CIs for {MAIN}")
        return main[["parameter", "S1", "ST"]]
    return pd.DataFrame(columns=["parameter", "S1", "ST"])


def _convergence(output: str, full: dict, half: dict | None) -> dict:
    change = float(np.nanmax(np.abs(full["ST"] - half["ST"]))) if half else float("nan")
    return {
        "output": output,
        "max |ST(N) − ST(N/2)|": change,
        "max ST CI half-width": float(np.nanmax(full["ST_conf"])),
        "max S1 CI half-width": float(np.nanmax(full["S1_conf"])),
        "converged": bool(change < TOLERANCE and np.nanmax(full["ST_conf"]) < TOLERANCE),
    }


def _convergence_text(ctx: Context, n: int, checks: list[dict]) -> None:
    table = pd.DataFrame(checks)
    ctx.report.text(
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
        ctx.report.table(table, "Convergence of the Sobol' indices")


def _fact2(ctx: Context, runs: pd.DataFrame) -> None:
    scarce = runs[runs["resources.level"] < 0.1][MAIN]
    ample = runs[runs["resources.level"] >= 0.75][MAIN]
    estimate = t_interval(scarce)
    if scarce.empty:
        ctx.fact(2, "completed at resources.level < 0.1", "—", "not measured (no such point)")
        return
    ctx.fact(
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


def _fact6(ctx: Context, runs: pd.DataFrame) -> None:
    for key, meaning in (
        ("cooperation.repeat_bias", "q (repetition)"),
        ("cooperation.incumbent_share", "p (incumbents; 1 − p newcomers)"),
    ):
        estimate = spearman(runs[key], runs["giant_component_share"])
        ctx.fact(
            6,
            f"Spearman ρ of giant-component share with {meaning} over the Sobol' "
            "points (the fact predicts ρ < 0 for both)",
            estimate.text(),
            verdict(estimate, -1),
        )
