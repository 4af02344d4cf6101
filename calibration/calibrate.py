"""`calibrate`: a targets file in, a calibrated ensemble and a report out.

    OUT/calibration.json   the targets as run, their hashes, one entry per session
    OUT/prior/             rejection: the prior sample (a sweep directory)
    OUT/abc.db             abc-smc: pyabc's history (SQLite)
    OUT/ensemble/          the calibrated ensemble (parameters.csv, ensemble.json)
    OUT/checks/            the posterior predictive runs (a sweep drawing from the ensemble)
    OUT/report.md, report.html, figures/

Everything is resumable: `resume=True` continues the stored runs (the prior sample's sweep,
or pyabc's history from its last finished generation) and redoes only the analysis.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import analysis, rejection, smc
from calibration.report import write_report
from calibration.targets import Checked, load_targets
from experiments.atomic import write_json
from experiments.sweep import run_sweep, spec_from_dict
from experiments.sweep.engines import make_engine
from experiments.sweep.ensemble import load_ensemble, write_ensemble
from experiments.sweep.manifest import git_state, now, versions
from experiments.sweep.results import load
from experiments.sweep.spec import config_hash
from experiments.sweep.store import Store
from scenarios.errors import InputError

STATE = "calibration.json"
CHECKS_STREAM = 0x5EED


@dataclass
class Calibration:
    """A calibration in progress: what was asked, where it goes, and what it found."""

    checked: Checked
    out: Path
    command: str
    values: pd.DataFrame | None = None
    weights: np.ndarray | None = None
    filtered: rejection.Filtered | None = None
    generations: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None
    runs: int = 0
    failed: int = 0
    note: str = ""
    found: dict[str, object] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def targets(self):
        return self.checked.targets

    @property
    def ensemble(self) -> Path:
        return self.out / "ensemble"

    @property
    def has_ensemble(self) -> bool:
        return self.values is not None and len(self.values) > 0


@dataclass
class Outcome:
    """What `calibrate` wrote and the lines it prints."""

    out: Path
    markdown: Path
    html: Path
    ensemble: Path | None
    lines: list[str]
    seconds: float
    fits: bool


def calibrate(
    targets: str | Path | Checked,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = False,
    command: str | None = None,
) -> Outcome:
    """Calibrate the scenario of a targets file (a name, a path, or targets checked in code);
    write the ensemble and the report into `out` (default results/calibrate/NAME).
    InputError for bad input; KeyboardInterrupt leaves what finished on disk."""
    checked = targets if isinstance(targets, Checked) else load_targets(targets)
    out = Path(out) if out is not None else Path("results") / "calibrate" / checked.targets.name
    command = command or shlex.join(sys.argv)
    state = open_state(checked, out, resume, command)
    job = Calibration(checked, out, command)
    engine = {"workers": workers, "scheduler": scheduler, "quiet": quiet}
    if checked.targets.method.kind == "rejection":
        fit_rejection(job, engine)
    else:
        fit_abc(job, engine)
    if job.has_ensemble:
        job.found["posterior"] = analysis.posterior_table(job.targets, job.values, job.weights)
        write_ensemble(job.ensemble, job.values, job.weights, ensemble_meta(job))
        run_checks(job, engine)
    elif job.ensemble.exists():
        shutil.rmtree(job.ensemble)
    markdown, page = write_report(job)
    close_state(out, state, job)
    return Outcome(
        out,
        markdown,
        page,
        job.ensemble if job.has_ensemble else None,
        key_lines(job),
        time.perf_counter() - job.started,
        bool(job.found.get("fits")),
    )


def runs_digest(checked: Checked) -> str:
    """SHA-256 of what decides the runs: a stored calibration resumes only if it matches."""
    data = checked.targets.resolved()
    data.pop("checks")
    for pattern in data["patterns"].values():
        pattern.pop("source")
        pattern.pop("note")
    if checked.targets.method.kind == "rejection":  # observations only filter stored runs
        for pattern in data["patterns"].values():
            for key in ("observed", "range", "uncertainty", "weight", "held_out"):
                pattern.pop(key)
        for key in ("tolerance", "closest"):
            data["method"].pop(key)
    return config_hash(data)


def open_state(checked: Checked, out: Path, resume: bool, command: str) -> dict:
    """Start a session in OUT/calibration.json, checking a stored calibration matches."""
    path = out / STATE
    digest = runs_digest(checked)
    if path.is_file():
        if not resume:
            raise InputError(
                str(out),
                "already holds a calibration; add --resume to continue it, or choose another --out",
            )
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("runs_hash") != digest:
            raise InputError(
                str(path),
                "belongs to other targets (their scenario, priors, method or measures differ); "
                "resume only with the same targets, or choose another --out",
            )
    else:
        if out.exists() and any(out.iterdir()):
            raise InputError(
                str(out), "exists and is not a calibration folder; choose an empty or new --out"
            )
        state = {"format": 1, "name": checked.targets.name, "runs_hash": digest, "sessions": []}
    state.update(targets_file=checked.targets.source, targets=checked.targets.resolved())
    state["targets_hash"] = checked.targets.digest()
    state["sessions"].append(
        {"command": command, "started": now(), "outcome": "running", "git": git_state()}
        | {"versions": versions()}
    )
    write_json(path, state)
    return state


def close_state(out: Path, state: dict, job: Calibration) -> None:
    state["sessions"][-1].update(
        ended=now(),
        outcome="done",
        runs=job.runs,
        seconds=round(time.perf_counter() - job.started, 1),
        ensemble_members=0 if job.values is None else len(job.values),
    )
    write_json(out / STATE, state)


def _sweep(spec, out: Path, engine: dict, command: str, measures) -> None:
    stats = run_sweep(spec, out, resume=True, command=command, measures=measures, **engine)
    if stats.interrupted:
        raise KeyboardInterrupt


def fit_rejection(job: Calibration, engine: dict) -> None:
    """Run the prior sample, filter it by the patterns, keep the accepted sets."""
    checked = job.checked
    target = job.out / "prior"
    _sweep(rejection.prior_spec(checked), target, engine, job.command, checked.targets.measures())
    runs, sets = rejection.read_prior(checked, target)
    job.runs, job.failed = len(runs), int((runs["status"] != "ok").sum())
    filtered = rejection.filter_sets(checked, sets)
    job.filtered = filtered
    keys = list(checked.targets.priors)
    if not filtered.accepted.empty:
        job.values = filtered.accepted[keys].reset_index(drop=True)
        job.weights = np.ones(len(job.values)) / len(job.values)
    if filtered.filled:
        met = int(filtered.passes["all fitted patterns"])
        job.note = (
            f"{'No' if met == 0 else f'Only {met}'} parameter set{'' if met == 1 else 's'} "
            f"met every fitted pattern; the ensemble holds the {len(job.values)} sets closest "
            f"to them (method.closest), {'none' if met == 0 else f'{met}'} of them accepted."
        )
    elif filtered.accepted.empty:
        job.note = (
            "No parameter set met every fitted pattern, so no ensemble was written "
            "(set method.closest = N to keep the N closest sets)."
        )


def fit_abc(job: Calibration, engine: dict) -> None:
    """Run (or continue) ABC-SMC; its last generation is the posterior."""
    checked = job.checked
    job.out.mkdir(parents=True, exist_ok=True)
    executor = make_engine(engine["workers"], engine["scheduler"])
    try:
        history = smc.run_abc(checked, job.out, executor, True, engine["quiet"])
        executor.shutdown()
    except KeyboardInterrupt:
        executor.shutdown(cancel=True)
        raise
    keys = list(checked.targets.priors)
    job.values, job.weights = smc.posterior(history, keys)
    job.generations = smc.generations(history, checked.targets.method.replicates)
    job.runs = int(job.generations["runs"].sum())
    epsilon = float(job.generations["epsilon"].iloc[-1])
    job.found["epsilon"] = epsilon
    if epsilon > checked.targets.method.epsilon:
        job.note = (
            f"ABC-SMC stopped at ε = {epsilon:.3g} (its budget was spent), above the target "
            f"{checked.targets.method.epsilon:g}: the posterior's sets do not all meet every "
            "pattern within the tolerance."
        )


def ensemble_meta(job: Calibration) -> dict:
    targets = job.targets
    return {
        "name": targets.name,
        "scenario": targets.calibration.scenario,
        "years": job.checked.years,
        "fixed": dict(targets.fixed),
        "method": targets.method.kind,
        "replicates": targets.method.replicates,
        "tolerance": targets.method.tolerance,
        "members": len(job.values),
        "note": job.note,
        "targets_file": targets.source,
        "targets_hash": targets.digest(),
        "created": now(),
        "git": git_state(),
    }


def checks_spec(job: Calibration):
    """The posterior predictive runs: the calibrated scenario, each run drawing a set."""
    targets = job.targets
    stream = np.random.SeedSequence(targets.calibration.seed, spawn_key=(CHECKS_STREAM,))
    seed = int(stream.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    data = {
        "experiment": {
            "name": f"{targets.name}-checks",
            "description": f"posterior predictive runs of the calibration {targets.name}",
            "scenarios": [targets.calibration.scenario],
            "years": job.checked.years,
            "replications": targets.checks.runs,
            "seed": seed,
            "ensemble": beside(job.ensemble, targets.base),
        },
        "fixed": dict(targets.fixed),
        "outputs": {"timeseries_every": 0},
    }
    return spec_from_dict(data, source=targets.source, base=targets.base)


def beside(path: Path, base: Path | None) -> str:
    """`path` relative to `base` (the targets file's folder), as experiment files name files."""
    return str(path.resolve()) if base is None else os.path.relpath(path.resolve(), base)


def run_checks(job: Calibration, engine: dict) -> None:
    """Run the posterior predictive checks (every pattern, held out ones too)."""
    if job.targets.checks.runs == 0:
        return
    target = job.out / "checks"
    spec = checks_spec(job)
    if (target / "manifest.json").is_file():
        stored = Store(target).read_manifest()
        hashes = [e and e["hash"] for e in stored.get("ensembles") or []]
        if stored.get("spec_hash") != spec.digest() or hashes != [_ensemble_hash(job)]:
            shutil.rmtree(target)  # derived from an older ensemble: run them again
    _sweep(spec, target, engine, job.command, job.targets.measures())
    runs = load(target).runs
    job.checks = runs
    job.runs += len(runs)
    table = analysis.predictive_checks(job.targets, runs)
    job.found["checks"] = table
    fitted = table[table["role"] == "fitted"]
    job.found["fits"] = bool((fitted["verdict"] == "fits").all()) and not job.note


def _ensemble_hash(job: Calibration) -> str:
    return load_ensemble(job.ensemble).digest()


def key_lines(job: Calibration) -> list[str]:
    """What the command prints: the verdicts and where the results are."""
    targets = job.targets
    method = targets.method
    lines = []
    if job.filtered is not None:
        f = job.filtered
        lines.append(
            f"Calibration {targets.name} (rejection, {len(f.sets)} parameter sets × "
            f"{method.replicates} seeds): {f.passes['all fitted patterns']} sets pass all "
            f"{len(targets.fitted())} fitted patterns"
        )
        for name in targets.fitted():
            lines.append(f"  {name}: {f.passes[name]} sets pass")
    else:
        lines.append(
            f"Calibration {targets.name} (abc-smc, {len(job.generations)} generations of "
            f"{method.population}, {job.runs} runs): final ε = {job.found['epsilon']:.3g} "
            f"(target {method.epsilon:g})"
        )
    if job.note:
        lines.append(f"  note: {job.note}")
    if "posterior" in job.found:
        for row in job.found["posterior"].to_dict("records"):
            lines.append(
                f"  {row['parameter']}: median {row['median']:.3g}, 90 % {row['90 % interval']}"
                f" of prior {row['prior']} — {row['constrained?']}"
            )
    if "checks" in job.found:
        for row in job.found["checks"].to_dict("records"):
            role = " (held out)" if row["role"] != "fitted" else ""
            lines.append(
                f"  check {row['pattern']}{role}: {row['verdict']} (observed {row['observed']}, "
                f"simulated median {row['simulated median']:.3g}, 90 % {row['simulated 90 %']})"
            )
    return lines
