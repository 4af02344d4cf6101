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

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from experiments.research import compare_design as design
from experiments.research.experiment import Part, Study, Sweep, run_part
from experiments.stats import BOOT_SEED, LEVEL
from experiments.sweep.ensemble import SHIPPED, find_ensemble
from experiments.sweep.plan import replicates as sweep_replicates
from experiments.sweep.spec import Spec, spec_from_dict

CONVERGED = 0.1
"""Sobol' indices count as converged when N/2 and N differ by less than this and the ST CI
half-widths are below it (as in the sensitivity experiment)."""
RESAMPLES = 1000
"""Bootstrap resamples of the N base-sample blocks for the CIs of the indices."""
Z = float(norm.ppf(0.5 + LEVEL / 2))
"""CI half-width = Z × bootstrap SD, as SALib computes it."""


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
    points = range(parts["absent"].results.manifest["design"]["points"])
    replicates = sweep_replicates(parts["absent"].spec)
    grid = pd.MultiIndex.from_product([points, replicates], names=["point", "replicate"])
    return per_run.reindex(grid).to_numpy(dtype=float).reshape(len(points), len(replicates))


@dataclass(frozen=True)
class NoisySobol:
    """Sobol' indices of the mean output m(x) = E[Y | x] from R replicates per design point,
    corrected for the noise left in the replicate mean (none with R = 1: then uncorrected).
    CIs are 95 % half-widths from a bootstrap over the base-sample blocks."""

    s1: np.ndarray
    s1_ci: np.ndarray
    st: np.ndarray
    st_ci: np.ndarray
    variance: float
    """V: the variance of the replicate means over the A and B points."""
    noise: float
    """τ²: the noise variance of a point's replicate mean (0 when R = 1)."""
    signal: float
    """V_m = V − τ²: the variance of m(x), the parameters' share."""
    signal_ci: float
    replicates: int

    @property
    def noise_share(self) -> float:
        """η = τ² / V."""
        return self.noise / self.variance

    @property
    def distinguishable(self) -> bool:
        """Whether V_m > 0 and its CI excludes 0."""
        return bool(self.signal > 0 and self.signal - self.signal_ci > 0)


def noisy_sobol(
    values: np.ndarray, d: int, seed: int = BOOT_SEED, resamples: int = RESAMPLES
) -> NoisySobol:
    """Noise-corrected Sobol' S1 and ST (SALib's estimators, calc_second_order=False).

    `values`: outputs per Saltelli point (rows, in SALib's order: blocks of A, AB_1 … AB_D,
    B) and replicate (columns). With V the variance of the A and B replicate means and τ²
    the mean over points of the within-point variance (ddof=1) / R:
    S1_i = mean(B·(AB_i − A)) / (V − τ²) (Saltelli 2010) and
    ST_i = (mean((A − AB_i)²) / 2 − τ²) / (V − τ²) (Jansen). With τ² = 0 these are SALib's.
    """
    replicates = values.shape[1]
    means = values.mean(axis=1)
    noise = values.var(axis=1, ddof=1) / replicates if replicates > 1 else np.zeros_like(means)
    outputs = (means - means.mean()).reshape(-1, d + 2)  # centred on all outputs, as SALib
    noise = noise.reshape(-1, d + 2)
    n = len(outputs)
    s1, st, variance, tau2 = _estimates(outputs, noise, np.arange(n)[:, None])
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))  # as SALib draws
    boot_s1, boot_st, boot_v, boot_tau2 = _estimates(outputs, noise, rows)
    return NoisySobol(
        s1=s1[0],
        s1_ci=Z * _spread(boot_s1),
        st=st[0],
        st_ci=Z * _spread(boot_st),
        variance=float(variance[0]),
        noise=float(tau2[0]),
        signal=float(variance[0] - tau2[0]),
        signal_ci=float(Z * _spread(boot_v - boot_tau2)),
        replicates=replicates,
    )


def _estimates(outputs: np.ndarray, noise: np.ndarray, rows: np.ndarray) -> tuple:
    """S1 and ST (resamples × D), V and τ² (resamples) of the blocks `rows` (N × resamples)."""
    blocks = outputs[rows]  # N × resamples × (D + 2)
    a, ab, b = blocks[..., :1], blocks[..., 1:-1], blocks[..., -1:]
    tau2 = noise[rows].mean(axis=(0, 2))
    variance = np.var(np.concatenate([a, b]), axis=0)[:, 0]
    signal = (variance - tau2)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(b * (ab - a), axis=0) / signal
        st = (0.5 * np.mean((a - ab) ** 2, axis=0) - tau2[:, None]) / signal
    valid = signal > 0
    return np.where(valid, s1, np.nan), np.where(valid, st, np.nan), variance, tau2


def _spread(resampled: np.ndarray) -> np.ndarray:
    """The bootstrap SD (ddof=1) over the resamples (axis 0), leaving out undefined ones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no defined resample: NaN
        return np.nanstd(resampled, axis=0, ddof=1)


def sobol_indices(parts: dict[str, Part], output: str) -> tuple[pd.DataFrame, dict]:
    """Noise-corrected Sobol' S1 and ST of the mean interaction, and the checks."""
    manifest = parts["absent"].results.manifest
    problem = manifest["design"]["problem"]
    n = int(manifest["spec"]["design"]["samples"])
    return interaction_indices(problem, n, replicate_interactions(parts, output))


def interaction_indices(problem: dict, n: int, values: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """The indices of `values` (design points × replicates) and the checks: noise and signal
    variance, whether the signal is distinguishable from zero, convergence (N against N/2)."""
    d = problem["num_vars"]
    means = values.mean(axis=1)
    if np.isnan(values).any() or np.allclose(means, means[0]):
        return pd.DataFrame(), {"n": n, "converged": False, "missing": True}
    full = noisy_sobol(values, d)
    half = noisy_sobol(values[: (n // 2) * (d + 2)], d) if n >= 4 else None
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": full.s1,
            "S1 CI": full.s1_ci,
            "ST": full.st,
            "ST CI": full.st_ci,
        }
    )
    change = _largest(np.abs(full.st - half.st)) if half is not None else float("nan")
    widest = _largest(full.st_ci)
    corrected = full.replicates > 1
    measured = corrected and full.distinguishable
    check = {
        "n": n,
        "names": problem["names"],
        "points": len(values),
        "replicates": full.replicates,
        "corrected": corrected,
        "variance": full.variance,
        "noise_variance": full.noise if corrected else float("nan"),
        "noise_share": full.noise_share if corrected else float("nan"),
        "signal_variance": full.signal if corrected else float("nan"),
        "signal_ci": full.signal_ci if corrected else float("nan"),
        "distinguishable": measured,
        "change": change,
        "widest": widest,
        "converged": bool(measured and change < CONVERGED and widest < CONVERGED),
        "missing": False,
        "mean": float(np.mean(means)),
        "sd": float(np.std(means, ddof=1)),
    }
    return table, check


def _largest(values: np.ndarray) -> float:
    """The largest value, NaN if any is undefined."""
    return float(np.max(values))
