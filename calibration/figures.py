"""Figures of a calibration report (matplotlib, in the experiments' style: PNG and SVG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from calibration.measures import column
from calibration.patterns import band, top_weight
from calibration.targets import Targets
from experiments.research.figures import CELL_COLOURS, save

PRIOR, POSTERIOR, OBSERVED = "#bbbbbb", CELL_COLOURS[0], CELL_COLOURS[3]


def _short(key: str) -> str:
    return key if len(key) <= 28 else "…" + key[-27:]


def marginals(
    targets: Targets, values: pd.DataFrame, weights: np.ndarray, out: Path, stem: str
) -> str:
    """One panel per parameter: the posterior histogram over the prior range (flat grey)."""
    keys = list(targets.priors)
    columns = min(3, len(keys))
    rows = -(-len(keys) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.0 * columns, 2.8 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        low, high = targets.priors[key]
        bins = np.linspace(low, high, 21)
        ax.axhspan(0, 1 / (high - low), color=PRIOR, alpha=0.5, lw=0, label="prior")
        ax.hist(values[key], bins=bins, weights=weights, density=True, color=POSTERIOR, alpha=0.8)
        ax.set_xlim(low, high)
        ax.set_title(_short(key), fontsize=9)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    return save(fig, out, stem)


def pairs(targets: Targets, values: pd.DataFrame, weights: np.ndarray, out: Path, stem: str) -> str:
    """Pairwise plot: histograms on the diagonal, the posterior's sets below it (size by
    weight), over the prior ranges."""
    keys = list(targets.priors)
    k = len(keys)
    fig, axes = plt.subplots(k, k, figsize=(2.3 * k + 0.6, 2.3 * k + 0.6), squeeze=False)
    size = 6 + 40 * weights / weights.max() if len(weights) else 6
    for i, yk in enumerate(keys):
        for j, xk in enumerate(keys):
            ax = axes[i][j]
            xl = targets.priors[xk]
            if i == j:
                ax.hist(values[xk], bins=np.linspace(*xl, 16), weights=weights, color=POSTERIOR)
                ax.set_xlim(*xl)
                ax.set_yticks([])
            elif i > j:
                ax.scatter(values[xk], values[yk], s=size, color=POSTERIOR, alpha=0.5, lw=0)
                ax.set_xlim(*xl)
                ax.set_ylim(*targets.priors[yk])
            else:
                ax.axis("off")
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(_short(xk), fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(_short(yk), fontsize=7)
    return save(fig, out, stem)


def predictive(targets: Targets, runs: pd.DataFrame, out: Path, stem: str) -> str:
    """One panel per pattern: the posterior predictive runs' values, the observation
    (dark band) and what passes (light band)."""
    ok = runs[runs["status"] == "ok"]
    names = list(targets.patterns)
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.8 * rows), squeeze=False)
    top = top_weight(targets.fitted())
    for ax, name in zip(axes.flat, names, strict=False):
        pattern = targets.patterns[name]
        values = ok[column(name)].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        low, high = pattern.interval
        wide = band(pattern, targets.method.tolerance, top)
        ax.axvspan(*_clip(wide, values), color=OBSERVED, alpha=0.15, lw=0, label="passes")
        if high > low:
            ax.axvspan(*_clip((low, high), values), color=OBSERVED, alpha=0.35, lw=0)
        else:
            ax.axvline(low, color=OBSERVED, lw=2, label="observed")
        if len(values):
            ax.hist(values, bins=25, color=POSTERIOR, alpha=0.85, label="simulated")
        role = " (held out)" if pattern.held_out else ""
        ax.set_title(f"{name}{role}", fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    return save(fig, out, stem)


def _clip(interval: tuple[float, float], values: np.ndarray) -> tuple[float, float]:
    """An interval with infinite ends cut to the data's range (for drawing)."""
    low, high = interval
    if len(values):
        span = max(np.ptp(values), 1e-9)
        low = low if np.isfinite(low) else min(values.min(), high) - span
        high = high if np.isfinite(high) else max(values.max(), low) + span
    return (low if np.isfinite(low) else 0.0), (high if np.isfinite(high) else 1.0)
