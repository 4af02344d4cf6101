"""Parameter recovery: the calibration's own correctness test.

Draw known parameter sets ("truths") from the priors, simulate each, treat its outputs as the
observations, calibrate, and count how often the posterior's 90 % interval covers the truth —
over several truths, not one lucky case. A calibration that works covers the truths about as
often as it claims (or more: rejection with a tolerance is conservative) *and* narrows the
parameters the patterns inform.

The prior sample is run once (pattern-oriented rejection through the sweep engine) and
filtered once per truth. A truth's observation is the mean of `observed_runs` runs at the
truth (1 by default: a field observation is one realisation); each pattern's uncertainty is
the model's own run-to-run noise: σ·√(1/n + 1/R), with σ the median standard deviation over
the prior sample's replicates, n the observed runs and R the replicates a set's mean is taken
over.

    python -m calibration.recovery TARGETS --truths 10 --out DIR [--observed-runs N]
                                          [--workers N | --scheduler ADDRESS]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import rejection
from calibration.analysis import weighted_quantile
from calibration.measures import column
from calibration.targets import Checked, load_targets
from experiments.atomic import write_csv
from scenarios.dotted import apply_overrides
from simulation.run import run

RECOVERY_STREAM = 0x7E57


@dataclass
class Recovery:
    """One row per truth and parameter, and the coverage it adds up to."""

    table: pd.DataFrame
    uncertainties: dict[str, float]

    @property
    def coverage(self) -> float:
        return float(self.table["covered"].mean())

    def by_parameter(self) -> pd.DataFrame:
        return (
            self.table.groupby("parameter", sort=False)
            .agg(
                truths=("covered", "size"),
                covered=("covered", "sum"),
                coverage=("covered", "mean"),
                width_over_prior=("width / prior", "mean"),
                mean_abs_error=("abs error / prior", "mean"),
            )
            .reset_index()
        )


def draw_truths(checked: Checked, n: int) -> list[dict[str, float]]:
    """`n` parameter sets drawn uniformly from the priors (reproducible from the seed)."""
    stream = np.random.SeedSequence(checked.targets.calibration.seed, spawn_key=(RECOVERY_STREAM,))
    rng = np.random.default_rng(stream)
    truths = []
    for _ in range(n):
        truth = {}
        for key, (low, high) in checked.targets.priors.items():
            value = rng.uniform(low, high)
            truth[key] = round(value) if key in checked.integer_keys else float(value)
        truths.append(truth)
    return truths


def observe(checked: Checked, truth: dict[str, float], seeds: list[int]) -> dict[str, float]:
    """Runs at the truth: the mean of their measure of every pattern."""
    config = apply_overrides(checked.config, truth)
    measures = checked.targets.measures()
    recording = measures.recording()
    runs = [measures(run(config, seed=seed, years=checked.years, **recording)) for seed in seeds]
    return {
        name: float(np.mean([r[column(name)] for r in runs])) for name in checked.targets.patterns
    }


def noise(checked: Checked, sets: pd.DataFrame, observed_runs: int) -> dict[str, float]:
    """Each pattern's uncertainty from the model's run-to-run noise (see the module doc)."""
    replicates = checked.targets.method.replicates
    out = {}
    for name in checked.targets.patterns:
        sd = float(np.nanmedian(sets[f"{column(name)}.sd"].to_numpy(dtype=float)))
        out[name] = max(sd, 1e-9) * math.sqrt(1 / observed_runs + 1 / replicates)
    return out


def with_observations(checked: Checked, observed: dict[str, float], u: dict[str, float]) -> Checked:
    """The targets with each pattern's observation and uncertainty replaced."""
    targets = checked.targets
    patterns = {
        name: p.model_copy(
            update={"observed": observed[name], "range": None, "uncertainty": u[name]}
        )
        for name, p in targets.patterns.items()
    }
    new = targets.model_copy(update={"patterns": patterns})
    new._source, new._base = targets.source, targets.base
    return dataclasses.replace(checked, targets=new)


def recover(checked: Checked, truths: int, out: Path, observed_runs: int = 1, **engine) -> Recovery:
    """Run the prior sample into OUT/prior (resumably), then recover each truth."""
    if checked.targets.method.replicates < 2:
        raise ValueError("recovery needs method.replicates >= 2 to measure the run-to-run noise")
    rejection.run_prior(checked, out / "prior", resume=True, **engine)
    _, sets = rejection.read_prior(checked, out / "prior")
    u = noise(checked, sets, observed_runs)
    rows = []
    for k, truth in enumerate(draw_truths(checked, truths)):
        seeds = [10_000_019 + 1_000 * k + j for j in range(observed_runs)]
        observed = observe(checked, truth, seeds)
        filtered = rejection.filter_sets(with_observations(checked, observed, u), sets)
        rows += _rows(checked, k, truth, filtered.accepted)
    return Recovery(pd.DataFrame(rows), u)


def _rows(checked: Checked, k: int, truth: dict, accepted: pd.DataFrame) -> list[dict]:
    rows = []
    weights = np.ones(len(accepted))
    for key, (low, high) in checked.targets.priors.items():
        if accepted.empty:
            q05 = q50 = q95 = math.nan
        else:
            x = accepted[key].to_numpy(dtype=float)
            q05, q50, q95 = (weighted_quantile(x, weights, q) for q in (0.05, 0.5, 0.95))
        rows.append(
            {
                "truth": k,
                "parameter": key,
                "true value": truth[key],
                "accepted sets": len(accepted),
                "median": q50,
                "q05": q05,
                "q95": q95,
                "covered": bool(q05 <= truth[key] <= q95),
                "width / prior": (q95 - q05) / (high - low) / 0.9,
                "abs error / prior": abs(q50 - truth[key]) / (high - low),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Parameter recovery of a targets file.")
    parser.add_argument("targets")
    parser.add_argument("--truths", type=int, default=10)
    parser.add_argument("--observed-runs", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args(argv)
    checked = load_targets(args.targets)
    result = recover(
        checked,
        args.truths,
        args.out,
        args.observed_runs,
        workers=args.workers,
        scheduler=args.scheduler,
        quiet=True,
    )
    write_csv(args.out / "recovery.csv", result.table)
    print(result.by_parameter().to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"coverage of the 90 % intervals over all truths and parameters: {result.coverage:.2f}")


if __name__ == "__main__":
    main()
