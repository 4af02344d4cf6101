"""compare's robustness: the verdict over independent random streams, over a calibrated
ensemble of parameter sets, and which parameters drive the interaction (Sobol' indices).

Streams: the primary design again with other experiment seeds (seed + 1, seed + 2, …), each
grown by the same precision rule. Ensemble: the primary design with every run drawing its
parameters from a calibrated ensemble (by its seed, so the four runs of a replicate draw the
same set). Sensitivity: compare_sensitivity.toml's Sobol' design run with the catalyst absent
and present; per design point and replicate the interaction of the primary outcome. The model
is stochastic, so the indices are those of the mean interaction m(x) = E[Y | x], corrected for
the run-to-run noise left in the mean of R replicates (Marrel et al. 2012; Hart et al. 2017),
and checked for convergence (all N base samples against the first N/2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.research import compare_design as design
from experiments.research.experiment import Part, Study, Sweep, run_part
from experiments.research.sobol import design_grid, indices_and_checks
from experiments.sweep.ensemble import SHIPPED, find_ensemble
from experiments.sweep.plan import replicates as sweep_replicates
from experiments.sweep.spec import Spec, spec_from_dict

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


def replicate_interactions(parts: dict[str, Part], output: str) -> np.ndarray:
    """Per design point (rows, in point order) and replicate (columns): the paired
    interaction (self-organised: present − absent) − (programme-funded: present − absent);
    NaN where a run is missing."""
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
    points = parts["absent"].results.manifest["design"]["points"]
    return design_grid(per_run, points, sweep_replicates(parts["absent"].spec))


def sobol_indices(parts: dict[str, Part], output: str) -> tuple[pd.DataFrame, dict]:
    """Noise-corrected Sobol' S1 and ST of the mean interaction, and the checks."""
    manifest = parts["absent"].results.manifest
    problem = manifest["design"]["problem"]
    n = int(manifest["spec"]["design"]["samples"])
    return indices_and_checks(problem, n, replicate_interactions(parts, output))
