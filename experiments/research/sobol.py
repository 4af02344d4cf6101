"""Sobol' indices of a stochastic model's mean output, corrected for run-to-run noise.

From R replicates per point of a Saltelli design: first-order and total indices S1, ST of the
mean output m(x) = E[Y | x] (SALib's estimators, calc_second_order=False), corrected for the
noise left in the mean of the R replicates, with bootstrap CIs over the N base-sample blocks,
whether the parameters' share of the variance is distinguishable from zero, and a convergence
check (all N base samples against the first N/2). Without the correction the noise adds its
variance to every total index's numerator and pushes every ST towards 1 (Marrel et al. 2012,
Statistics and Computing 22; Hart, Alexanderian & Gremaud 2017, SIAM/ASA JUQ 5).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from experiments.stats import BOOT_SEED, LEVEL

CONVERGED = 0.1
"""Sobol' indices count as converged when N/2 and N differ by less than this and the ST CI
half-widths are below it."""
RESAMPLES = 1000
"""Bootstrap resamples of the N base-sample blocks for the CIs of the indices."""
Z = float(norm.ppf(0.5 + LEVEL / 2))
"""CI half-width = Z × bootstrap SD, as SALib computes it."""


def design_grid(values: pd.Series, points: int, replicates: range) -> np.ndarray:
    """`values` indexed by (point, replicate) as a points × replicates array, in point and
    replicate order; NaN where a run is missing."""
    grid = pd.MultiIndex.from_product([range(points), replicates], names=["point", "replicate"])
    return values.reindex(grid).to_numpy(dtype=float).reshape(points, len(replicates))


def uncorrected_text(spec_file: str, shipped: int) -> str:
    """What a report says of indices from one replicate per design point."""
    return (
        "One replicate per design point, so the run-to-run noise cannot be estimated: the "
        "indices below are **uncorrected: run-to-run noise inflates every total index** (the "
        "noise adds its variance to every ST's numerator and to the variance, pushing every ST "
        "towards 1). They are not interpretable and count as not converged; `replications` ≥ 2 "
        f"in {spec_file} (it ships with {shipped}) gives noise-corrected indices."
    )


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


def indices_and_checks(problem: dict, n: int, values: np.ndarray) -> tuple[pd.DataFrame, dict]:
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
        **_half_signal(half if corrected else None),
        "change": change,
        "widest": widest,
        "converged": bool(measured and change < CONVERGED and widest < CONVERGED),
        "missing": False,
        "mean": float(np.mean(means)),
        "sd": float(np.std(means, ddof=1)),
    }
    return table, check


def _half_signal(half: NoisySobol | None) -> dict:
    """The parameters' share of the variance from the first N/2 base samples: whether the
    conclusion about it holds with half the design."""
    if half is None:
        return {"signal_half": float("nan"), "signal_half_ci": float("nan")}
    return {
        "signal_half": half.signal,
        "signal_half_ci": half.signal_ci,
        "distinguishable_half": half.distinguishable,
    }


def _largest(values: np.ndarray) -> float:
    """The largest value, NaN if any is undefined."""
    return float(np.max(values))
