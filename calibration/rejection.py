"""Pattern-oriented rejection: a prior sample through the sweep engine, filtered by all
patterns at once (Grimm et al. 2005).

The prior sample is a sweep (Latin hypercube or Saltelli's Sobol' design over the priors'
bounds, `replicates` seeds per set) run by `experiments.sweep.run_sweep`: resumable, on a
process pool or a Dask cluster, every run stored as it finishes. Each run's row carries its
patterns' measures (computed on the worker), so the filter reads only the runs table, and a
changed observation or uncertainty is re-filtered without running anything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.measures import column
from calibration.patterns import top_weight, weighted_misfit
from calibration.targets import Checked
from experiments.sweep import Spec, run_sweep, spec_from_dict
from experiments.sweep.results import load
from experiments.sweep.runner import SweepStats


def prior_spec(checked: Checked) -> Spec:
    """The sweep of the prior sample, as an experiment file built in code."""
    targets = checked.targets
    method = targets.method
    data = {
        "experiment": {
            "name": f"{targets.name}-prior",
            "description": f"prior sample of the calibration {targets.name}",
            "scenarios": [targets.calibration.scenario],  # resolved beside the targets file
            "years": checked.years,
            "replications": method.replicates,
            "seed": targets.calibration.seed,
        },
        "design": {"kind": method.design, "samples": method.samples},
        "factors": {key: list(bounds) for key, bounds in targets.priors.items()},
        "fixed": dict(targets.fixed),
        "outputs": {"timeseries_every": 0},
    }
    return spec_from_dict(data, source=targets.source, base=targets.base)


def run_prior(checked: Checked, out: Path, **engine) -> SweepStats:
    """Run (or resume) the prior sample into `out`; `engine`: workers, scheduler, quiet,
    command, resume."""
    return run_sweep(prior_spec(checked), out, measures=checked.targets.measures(), **engine)


def parameter_sets(runs: pd.DataFrame, keys: list[str], names: list[str]) -> pd.DataFrame:
    """One row per parameter set (design point): its values, how many replicates ran, and
    per pattern the mean and standard deviation of its measure over the replicates."""
    ok = runs[runs["status"] == "ok"]
    grouped = ok.groupby("point", sort=True)
    columns = [column(n) for n in names]
    means = grouped[columns].mean()
    spread = grouped[columns].std(ddof=1).add_suffix(".sd")
    values = grouped[keys].first()
    table = pd.concat([values, grouped.size().rename("replicates"), means, spread], axis=1)
    return table.reset_index()


@dataclass
class Filtered:
    """The prior sample filtered by the patterns."""

    sets: pd.DataFrame
    """One row per set: parameters, measures, per pattern `pass.NAME`, `distance`, `accepted`."""
    passes: pd.Series
    """Sets passing each fitted pattern, and 'all fitted patterns together'."""
    joint: pd.DataFrame
    """Sets passing both of two fitted patterns (rows × columns)."""
    accepted: pd.DataFrame
    """The accepted sets; if fewer than `closest`, the `closest` sets nearest the patterns
    (the accepted ones among them)."""
    filled: bool
    """Whether the ensemble was filled with sets that are closest but not accepted."""


def filter_sets(checked: Checked, sets: pd.DataFrame) -> Filtered:
    """Which sets pass which pattern, all of them together, and every pair."""
    targets = checked.targets
    fitted = targets.fitted()
    top = top_weight(fitted)
    tolerance = targets.method.tolerance
    sets = sets.copy()
    misfits = {}
    for name, pattern in targets.patterns.items():
        misfits[name] = weighted_misfit(sets[column(name)].to_numpy(), pattern, top)
        sets[f"pass.{name}"] = misfits[name] <= tolerance
    sets["distance"] = np.max([misfits[n] for n in fitted], axis=0) if len(sets) else []
    sets["accepted"] = sets["distance"] <= tolerance
    names = list(fitted)
    passes = pd.Series({n: int(sets[f"pass.{n}"].sum()) for n in names})
    passes["all fitted patterns"] = int(sets["accepted"].sum())
    joint = pd.DataFrame(
        [[int((sets[f"pass.{a}"] & sets[f"pass.{b}"]).sum()) for b in names] for a in names],
        index=names,
        columns=names,
    )
    accepted = sets[sets["accepted"]]
    filled = len(accepted) < targets.method.closest
    if filled:  # accepted sets are the nearest (distance ≤ tolerance), so they stay in
        accepted = sets.nsmallest(targets.method.closest, "distance")
    return Filtered(sets, passes, joint, accepted.reset_index(drop=True), filled)


def read_prior(checked: Checked, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prior sample's runs and its parameter sets."""
    results = load(out)
    sets = parameter_sets(
        results.runs, list(checked.targets.priors), list(checked.targets.patterns)
    )
    return results.runs, sets
