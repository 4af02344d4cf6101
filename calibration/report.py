"""The calibration report: report.md and a self-contained report.html, built with the
experiments' Report and figure style."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from calibration import analysis, figures
from experiments.research.report import Report, manifest_excerpt
from experiments.sweep.results import load

if TYPE_CHECKING:
    from pathlib import Path

    from calibration.calibrate import Calibration


def write_report(job: Calibration) -> tuple[Path, Path]:
    """Write the report of a finished calibration; return (report.md, report.html)."""
    targets = job.targets
    report = Report(f"Calibration: {targets.name} ({targets.calibration.scenario})", job.out)
    overview(report, job)
    patterns(report, job)
    if job.filtered is not None:
        rejection_section(report, job)
    else:
        abc_section(report, job)
    if job.has_ensemble:
        posterior(report, job)
    if job.checks is not None:
        checks(report, job)
    using(report, job)
    reproduce(report, job)
    return report.write()


def overview(report: Report, job: Calibration) -> None:
    targets, method = job.targets, job.targets.method
    if targets.calibration.description:
        report.text(targets.calibration.description)
    kind = {
        "rejection": "pattern-oriented rejection: a prior sample filtered by all patterns at once",
        "abc-smc": "ABC-SMC (pyabc): populations with a shrinking acceptance threshold",
    }[method.kind]
    report.text(
        f"Scenario `{targets.calibration.scenario}`, runs of {job.checked.years:g} year(s); "
        f"method: {kind}. Targets file: `{targets.source}`."
    )
    report.text(
        f"**Stochasticity.** Every parameter set is run with {method.replicates} seed(s); a "
        "set's value of a measure is the mean over its runs, so the fit compares the model's "
        "expected pattern with the observation. The posterior predictive checks below run "
        "single runs drawn from the calibrated ensemble, so their spread holds both the "
        "parameter uncertainty and the run-to-run noise."
    )
    report.text(
        f"**Fitting.** A pattern passes when the simulated value lies within {method.tolerance:g} "
        "uncertainties of the observed value or range (a pattern of lower weight may miss by "
        "proportionally more); a set fits when it passes every fitted pattern. Held-out "
        "patterns are not fitted; they are checked on the posterior predictive runs "
        f"(validation). Model runs: {job.runs}"
        + (f", {job.failed} failed" if job.failed else "")
        + "."
    )
    if job.note:
        report.text(f"**Note.** {job.note}")


def patterns(report: Report, job: Calibration) -> None:
    report.heading("Patterns")
    rows = []
    for name, p in job.targets.patterns.items():
        when = (
            f"at year {p.at_year:g}"
            if p.at_year is not None
            else f"{p.statistic or 'mean'} over years {p.window[0]:g}–{p.window[1]:g}"
            if p.window is not None
            else "end of run"
        )
        rows.append(
            {
                "pattern": name,
                "measure": f"{p.measure} ({when})",
                "observed ± uncertainty": p.observed_text(),
                "weight": p.weight,
                "role": "held out" if p.held_out else "fitted",
                "source": p.source,
            }
        )
    report.table(pd.DataFrame(rows), "each pattern, its observation and where it comes from")
    notes = [f"`{n}`: {p.note}" for n, p in job.targets.patterns.items() if p.note]
    if notes:
        report.text("Why these uncertainties: " + " ".join(notes))


def rejection_section(report: Report, job: Calibration) -> None:
    f = job.filtered
    report.heading("Which parameter sets pass which pattern")
    table = f.passes.rename("sets passing").reset_index().rename(columns={"index": "pattern"})
    table["share"] = table["sets passing"] / max(len(f.sets), 1)
    report.table(table, f"of {len(f.sets)} parameter sets of the prior sample")
    joint = f.joint.reset_index().rename(columns={"index": "pattern"})
    report.table(joint, "sets passing both patterns (row and column)")
    clashes = analysis.clashes(f.passes, f.joint)
    report.heading("Patterns the model cannot meet together", 3)
    report.text(
        " ".join(clashes)
        if clashes
        else "Every fitted pattern is met by some sets, and every pair of them by some sets "
        "together."
    )
    if f.passes["all fitted patterns"] == 0 and not clashes:
        report.text(
            "Yet no set meets all of them at once: the patterns clash only as a group, a sign "
            "of model inadequacy (or of too narrow priors)."
        )
    report.heading("Which pattern informs which parameter", 3)
    table = analysis.sensitivity(job.targets, f.sets)
    report.table(
        table,
        "Spearman's ρ of each parameter with each pattern's measure over the prior sample "
        "(|ρ| near 0: the pattern says little about the parameter)",
    )


def abc_section(report: Report, job: Calibration) -> None:
    report.heading("ABC-SMC generations")
    report.table(
        job.generations,
        "ε: acceptance threshold (largest weighted misfit, in uncertainties); runs = "
        "evaluations × replicates",
    )


def posterior(report: Report, job: Calibration) -> None:
    report.heading("Posterior")
    report.table(
        job.found["posterior"],
        f"{len(job.values)} parameter sets; width / prior: the 90 % interval over 90 % of the "
        f"prior's width (1 = not narrowed); constrained ≤ {analysis.CONSTRAINED}, partly ≤ "
        f"{analysis.PARTLY}",
    )
    loose = [
        r["parameter"]
        for r in job.found["posterior"].to_dict("records")
        if r["constrained?"] == "not constrained"
    ]
    report.text(
        "Not constrained by these patterns: " + ", ".join(f"`{k}`" for k in loose) + "."
        if loose
        else "Every parameter is at least partly constrained by the patterns."
    )
    stem = figures.marginals(job.targets, job.values, job.weights, job.out, "marginals")
    report.figure(stem, "posterior marginals (blue) over the flat prior (grey)")
    if len(job.targets.priors) > 1:
        stem = figures.pairs(job.targets, job.values, job.weights, job.out, "pairs")
        report.figure(stem, "posterior sets, pairwise (size: weight), over the prior ranges")


def checks(report: Report, job: Calibration) -> None:
    report.heading("Posterior predictive checks")
    report.table(
        job.found["checks"],
        f"{len(job.checks)} runs, each drawing a parameter set from the ensemble; fits: the "
        "simulated median passes; partly: only part of the central 90 % passes; misses: none",
    )
    stem = figures.predictive(job.targets, job.checks, job.out, "checks")
    report.figure(stem, "simulated values (blue), the observation (dark) and what passes (light)")
    table = job.found["checks"]
    misses = table[table["verdict"] != "fits"]
    if misses.empty:
        report.text("Every pattern, fitted or held out, is reproduced by the posterior.")
    else:
        report.text(
            "Not (fully) reproduced: "
            + "; ".join(
                f"`{r['pattern']}` ({r['role']}): {r['verdict']}" for _, r in misses.iterrows()
            )
            + ". A fitted pattern the posterior misses, or a held-out one it does not predict, "
            "is a sign of model inadequacy — reported, not hidden."
        )


def using(report: Report, job: Calibration) -> None:
    report.heading("Using the calibrated ensemble")
    if not job.has_ensemble:
        report.text("No ensemble was written.")
        return
    report.text(
        f"The ensemble is `{job.ensemble}` ({len(job.values)} parameter sets with weights). "
        "Each run that uses it draws one set, by weight, from its own seed: "
        f"`quartier run --scenario {job.targets.calibration.scenario} --ensemble {job.ensemble}`, "
        f'or in an experiment file `[experiment] ensemble = "{job.ensemble}"`.'
    )


def reproduce(report: Report, job: Calibration) -> None:
    report.heading("Reproduce")
    report.text(
        f"Command (it resumes the stored runs and redoes the analysis): `{job.command}`. "
        f"Targets hash {job.targets.digest()[:12]}."
    )
    for folder in ("prior", "checks"):
        if (job.out / folder / "manifest.json").is_file():
            manifest = load(job.out / folder).manifest
            report.text(f"Sweep `{folder}/`:")
            report.code(manifest_excerpt(manifest))
