"""compare's robustness: the verdict over independent random streams, over a calibrated
ensemble of parameter sets, and which parameters drive the interaction (Sobol' indices).

Streams: the primary design again with other experiment seeds (seed + 1, seed + 2, …), each
grown by the same precision rule. Ensemble: the primary design with every run drawing its
parameters from a calibrated ensemble (by its seed, so the four runs of a replicate draw the
same set). Sensitivity: compare_sensitivity.toml's Sobol' design run with the catalyst absent
and present; per design point the interaction of the primary outcome, then its indices,
checked for convergence (all N base samples against the first N/2).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analysis

from experiments.research import compare_design as design
from experiments.research.experiment import Part, Study, Sweep, run_part
from experiments.stats import BOOT_SEED
from experiments.sweep.ensemble import SHIPPED, find_ensemble
from experiments.sweep.spec import Spec, spec_from_dict

CONVERGED = 0.1
"""Sobol' indices count as converged when N/2 and N differ by less than this and the ST CI
half-widths are below it (as in the sensitivity experiment)."""


NO_ENSEMBLE = "none"
"""--ensemble none: the primary design again with the presets' own parameter values."""


def check_ensemble(reference: str | None) -> str | None:
    """The calibrated ensemble --ensemble names: a shipped name as given, a folder as an
    absolute path (experiment files resolve relative paths from their own folder), or
    "none"; an InputError, before any run, when there is no such ensemble."""
    if reference is None or reference == NO_ENSEMBLE:
        return reference
    folder = find_ensemble(reference, Path.cwd())
    return reference if folder.parent == SHIPPED else str(folder.resolve())


def run_streams(
    study: Study, sweep: Sweep, spec: Spec, rule: design.Settings, cap: int, holder: str
) -> list[tuple[Part, design.Growth]]:
    """The primary design in streams 2 … K (experiment seeds seed + 1 …), each grown alike."""
    found = []
    for k in range(1, rule.streams):
        seed = spec.experiment.seed + k
        parts, growth = design.grow(
            study, [(sweep, spec)], seed, f"stream-{k + 1}/", rule, cap, holder
        )
        ((name, part),) = parts.items()
        study.parts[name] = part
        found.append((part, growth))
    return found


def run_ensemble(study: Study, sweep: Sweep, spec: Spec, reference: str, n: int) -> Part:
    """The primary design with n replicates, every run drawing its parameters from the
    calibrated ensemble `reference` (both regimes alike), or with the presets' own values
    ("none")."""
    chosen = None if reference == NO_ENSEMBLE else reference
    data_spec = design.batch_spec(spec, spec.experiment.seed, 0, n, ensemble=chosen)
    folder = "ensemble" if chosen else "presets"
    part = design.keyed(run_part(study, sweep, data_spec, folder), f"{folder}/")
    study.parts[folder] = part
    return part


# ------------------------------------------------------------------ sensitivity


def variant(spec: Spec, mode: str) -> Spec:
    """The sensitivity design with the catalyst absent or present."""
    data = spec.resolved()
    data["fixed"] = {**data["fixed"], design.CATALYST: mode}
    return spec_from_dict(data, source=spec._source, base=spec._base)


def run_sensitivity(study: Study, sweep: Sweep, spec: Spec) -> dict[str, Part]:
    """compare_sensitivity.toml's Sobol' design with the catalyst absent and with it present."""
    parts = {}
    for mode in ("absent", "present"):
        part = run_part(study, sweep, variant(spec, mode), f"sensitivity/{mode}")
        study.parts[f"sensitivity/{mode}"] = part
        parts[mode] = part
    return parts


def point_interactions(parts: dict[str, Part], output: str) -> np.ndarray:
    """Per design point (in point order): the mean over replicates of the paired interaction
    (self-organised: present − absent) − (programme-funded: present − absent)."""
    frames = []
    for mode, part in parts.items():
        runs = part.runs.assign(
            _regime=[design.regime(part.configs[int(i)]) for i in part.runs["scenario_index"]],
            _mode=mode,
        )
        frames.append(runs[["point", "replicate", "_regime", "_mode", output]])
    runs = pd.concat(frames)
    table = runs.pivot_table(
        index=["point", "replicate"], columns=["_regime", "_mode"], values=output
    )
    s, p = design.SELF_ORGANISED, design.PROGRAMME
    per_run = (table[(s, "present")] - table[(s, "absent")]) - (
        table[(p, "present")] - table[(p, "absent")]
    )
    total = parts["absent"].results.manifest["design"]["points"]
    return per_run.groupby(level="point").mean().reindex(range(total)).to_numpy(dtype=float)


def _sobol(problem: dict, y: np.ndarray) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sobol_analysis.analyze(problem, y, calc_second_order=False, seed=BOOT_SEED)


def sobol_indices(parts: dict[str, Part], output: str) -> tuple[pd.DataFrame, dict]:
    """Sobol' S1 and ST of the interaction, and the convergence check (N against N/2)."""
    manifest = parts["absent"].results.manifest
    problem = manifest["design"]["problem"]
    n = int(manifest["spec"]["design"]["samples"])
    d = problem["num_vars"]
    y = point_interactions(parts, output)
    if np.isnan(y).any() or np.allclose(y, y[0]):
        return pd.DataFrame(), {"n": n, "converged": False, "missing": True}
    full = _sobol(problem, y)
    half = _sobol(problem, y[: (n // 2) * (d + 2)]) if n >= 4 else None
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": full["S1"],
            "S1 CI": full["S1_conf"],
            "ST": full["ST"],
            "ST CI": full["ST_conf"],
        }
    )
    change = float(np.nanmax(np.abs(full["ST"] - half["ST"]))) if half else float("nan")
    widest = float(np.nanmax(full["ST_conf"]))
    check = {
        "n": n,
        "names": problem["names"],
        "points": len(y),
        "change": change,
        "widest": widest,
        "converged": bool(change < CONVERGED and widest < CONVERGED),
        "missing": False,
        "mean": float(np.mean(y)),
        "sd": float(np.std(y, ddof=1)),
    }
    return table, check
