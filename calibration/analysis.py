"""What a calibration found: the posterior's marginals, which parameters the patterns
constrain, how well the posterior predicts every pattern, and which patterns clash."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from calibration.measures import column
from calibration.patterns import band, top_weight, weighted_misfit
from calibration.targets import Targets

CONSTRAINED, PARTLY = 0.5, 0.8
"""Posterior 90 % interval / prior width: at most 0.5 'constrained', at most 0.8 'partly'."""


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of weighted values (inverse of the weighted empirical distribution).

    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    2.0
    """
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights) / weights.sum()
    return float(values[min(np.searchsorted(cumulative, q - 1e-12), len(values) - 1)])


def posterior_table(targets: Targets, values: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    """Per parameter: prior, posterior mean, median and 90 % interval, how much it narrowed."""
    rows = []
    for key, (low, high) in targets.priors.items():
        x = values[key].to_numpy(dtype=float)
        q05, q50, q95 = (weighted_quantile(x, weights, q) for q in (0.05, 0.5, 0.95))
        ratio = (q95 - q05) / (high - low) / 0.9  # a flat posterior gives 1
        rows.append(
            {
                "parameter": key,
                "prior": f"[{low:g}, {high:g}]",
                "mean": float(np.average(x, weights=weights)),
                "median": q50,
                "90 % interval": f"[{q05:.3g}, {q95:.3g}]",
                "width / prior": ratio,
                "constrained?": identifiability(ratio),
            }
        )
    return pd.DataFrame(rows)


def identifiability(ratio: float) -> str:
    if ratio <= CONSTRAINED:
        return "constrained"
    if ratio <= PARTLY:
        return "partly"
    return "not constrained"


def sensitivity(targets: Targets, sets: pd.DataFrame) -> pd.DataFrame:
    """Spearman's ρ of each parameter with each pattern's measure over the prior sample:
    which pattern can inform which parameter."""
    rows = []
    for key in targets.priors:
        row: dict[str, object] = {"parameter": key}
        for name in targets.patterns:
            y = sets[column(name)].to_numpy(dtype=float)
            x = sets[key].to_numpy(dtype=float)
            keep = np.isfinite(y)
            if keep.sum() > 2 and np.ptp(y[keep]) > 0:
                row[name] = float(stats.spearmanr(x[keep], y[keep]).statistic)
            else:
                row[name] = float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def predictive_checks(targets: Targets, runs: pd.DataFrame) -> pd.DataFrame:
    """Per pattern, the posterior predictive runs against the observation: median, 90 %
    interval, share of runs passing the pattern, and a verdict."""
    ok = runs[runs["status"] == "ok"]
    top = top_weight(targets.fitted())
    tolerance = targets.method.tolerance
    rows = []
    for name, pattern in targets.patterns.items():
        values = ok[column(name)].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        low, high = band(pattern, tolerance, top)
        passing = float(np.mean(weighted_misfit(values, pattern, top) <= tolerance))
        if len(finite):
            q05, q50, q95 = np.quantile(finite, [0.05, 0.5, 0.95])
        else:
            q05 = q50 = q95 = float("nan")
        rows.append(
            {
                "pattern": name,
                "role": "held out (validation)" if pattern.held_out else "fitted",
                "observed": pattern.observed_text(),
                "passes within": f"[{low:.3g}, {high:.3g}]",
                "simulated median": float(q50),
                "simulated 90 %": f"[{q05:.3g}, {q95:.3g}]",
                "runs passing": passing,
                "verdict": verdict(q05, q50, q95, low, high),
            }
        )
    return pd.DataFrame(rows)


def verdict(q05: float, q50: float, q95: float, low: float, high: float) -> str:
    """'fits' when the simulated median passes; 'partly' when only some of the central 90 %
    of the simulated values do; 'misses' when none of them do.

    >>> verdict(1, 2, 3, 0, 5), verdict(1, 2, 3, 2.5, 5), verdict(1, 2, 3, 4, 5)
    ('fits', 'partly: simulated lower', 'misses: simulated too low')
    """
    if not np.isfinite(q05):
        return "undefined (no finite value)"
    if q95 < low:
        return "misses: simulated too low"
    if q05 > high:
        return "misses: simulated too high"
    if low <= q50 <= high:
        return "fits"
    return f"partly: simulated {'lower' if q50 < low else 'higher'}"


def clashes(passes: pd.Series, joint: pd.DataFrame) -> list[str]:
    """Sentences on patterns no set meets, and pairs no set meets together."""
    lines = []
    names = list(joint.index)
    for name in names:
        if passes[name] == 0:
            lines.append(
                f"No parameter set in the prior ranges meets pattern `{name}`: the model does "
                "not reach it there (a sign of model inadequacy, or of too narrow priors)."
            )
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if passes[a] > 0 and passes[b] > 0 and joint.loc[a, b] == 0:
                lines.append(
                    f"Patterns `{a}` ({passes[a]} sets) and `{b}` ({passes[b]} sets) are never "
                    "met together: the model cannot reproduce both at once within the priors "
                    "(a sign of model inadequacy)."
                )
    return lines
