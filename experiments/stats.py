"""Statistics for the experiments: t intervals, bootstrap effect sizes, interactions, factorial
effects and replication convergence. scipy supplies every distribution; nothing is hand-rolled.

All intervals are 95 % by default. Bootstrap intervals use `scipy.stats.bootstrap` (percentile
method, resampling each group independently), with a fixed seed so reports are reproducible.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
RESAMPLES = 2000
BOOT_SEED = 20240501


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its confidence interval [low, high]."""

    value: float
    low: float
    high: float

    @property
    def half(self) -> float:
        return (self.high - self.low) / 2

    def excludes_zero(self) -> bool:
        return bool(self.low > 0 or self.high < 0)

    def text(self, digits: int = 3) -> str:
        """'v [lo, hi]' with `digits` significant digits."""
        if np.isnan(self.low):
            return f"{self.value:.{digits}g}"
        return f"{self.value:.{digits}g} [{self.low:.{digits}g}, {self.high:.{digits}g}]"


def _clean(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[~np.isnan(array)]


def t_interval(values, level: float = LEVEL) -> Estimate:
    """Mean and Student-t confidence interval (NaN bounds for fewer than two values).

    >>> t_interval([1.0, 2.0, 3.0]).text()
    '2 [-0.484, 4.48]'
    """
    x = _clean(values)
    if len(x) == 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    mean = float(x.mean())
    if len(x) < 2 or np.all(x == x[0]):
        width = 0.0 if len(x) >= 2 else float("nan")
        return Estimate(mean, mean - width, mean + width)
    low, high = stats.t.interval(level, len(x) - 1, loc=mean, scale=stats.sem(x))
    return Estimate(mean, float(low), float(high))


def _bootstrap(samples: tuple[np.ndarray, ...], statistic, level: float) -> tuple[float, float]:
    if any(len(s) < 2 for s in samples):
        return float("nan"), float("nan")
    if all(np.all(s == samples[0][0]) for s in samples):
        value = float(statistic(*samples))
        return value, value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _resample(samples, statistic, level)
    low, high = result.confidence_interval
    return float(low), float(high)


def _resample(samples: tuple[np.ndarray, ...], statistic, level: float):
    return stats.bootstrap(
        samples,
        statistic,
        n_resamples=RESAMPLES,
        confidence_level=level,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(BOOT_SEED),
    )


def _mean_difference(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def _hedges_g(a, b, axis=-1):
    na, nb = a.shape[axis], b.shape[axis]
    pooled = np.sqrt(
        ((na - 1) * np.var(a, ddof=1, axis=axis) + (nb - 1) * np.var(b, ddof=1, axis=axis))
        / (na + nb - 2)
    )
    correction = 1 - 3 / (4 * (na + nb) - 9)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = correction * _mean_difference(a, b, axis) / pooled
    return np.where(np.isfinite(g), g, np.nan)


def mean_difference(a, b, level: float = LEVEL) -> Estimate:
    """mean(a) − mean(b) with a bootstrap CI (groups resampled independently)."""
    a, b = _clean(a), _clean(b)
    low, high = _bootstrap((a, b), _mean_difference, level)
    return Estimate(float(a.mean() - b.mean()), low, high)


def hedges_g(a, b, level: float = LEVEL) -> Estimate:
    """Hedges' g (bias-corrected Cohen's d, pooled SD) of a vs b with a bootstrap CI."""
    a, b = _clean(a), _clean(b)
    if len(a) < 2 or len(b) < 2:
        return Estimate(float("nan"), float("nan"), float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(_hedges_g(a, b))
    if not np.isfinite(value):
        return Estimate(value, float("nan"), float("nan"))
    low, high = _bootstrap((a, b), _hedges_g, level)
    return Estimate(value, low, high)


def _interaction(a1, a0, b1, b0, axis=-1):
    return _mean_difference(a1, a0, axis) - _mean_difference(b1, b0, axis)


def interaction(a1, a0, b1, b0, level: float = LEVEL) -> Estimate:
    """(mean a1 − mean a0) − (mean b1 − mean b0): a 2×2 interaction with a bootstrap CI.

    E.g. a = self-organised, b = programme-funded, 1 = catalyst present, 0 = absent: the
    catalyst's effect when self-organised minus its effect when programme-funded.
    """
    groups = tuple(_clean(g) for g in (a1, a0, b1, b0))
    value = float(_interaction(*groups))
    low, high = _bootstrap(groups, _interaction, level)
    return Estimate(value, low, high)


def spearman(x, y, level: float = LEVEL) -> Estimate:
    """Spearman's rank correlation with a bootstrap CI over (x, y) pairs."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    value = float(stats.spearmanr(x, y).statistic)
    if len(x) < 4 or not np.isfinite(value):
        return Estimate(value, float("nan"), float("nan"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (x, y),
            lambda u, v: stats.spearmanr(u, v).statistic,
            paired=True,
            vectorized=False,
            n_resamples=500,
            confidence_level=level,
            method="percentile",
            rng=np.random.default_rng(BOOT_SEED),
        )
    ci = result.confidence_interval
    return Estimate(value, float(ci.low), float(ci.high))


def cell_table(runs: pd.DataFrame, by: list[str], outputs: list[str]) -> pd.DataFrame:
    """One row per cell: n, and mean, CI low and high of every output."""
    rows = []
    for key, group in runs.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, object] = dict(zip(by, key, strict=True)) | {"n": len(group)}
        for name in outputs:
            estimate = t_interval(group[name])
            row |= {
                name: estimate.value,
                f"{name}_low": estimate.low,
                f"{name}_high": estimate.high,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def convergence(values, start: int = 2, level: float = LEVEL) -> pd.DataFrame:
    """CI half-width, relative half-width and coefficient of variation for the first n values.

    Replications in run order (replicate 0, 1, …), n from `start` to all of them (Lorscheid
    et al. 2012: the CV stabilises once there are enough replications).
    """
    x = _clean(values)
    rows = []
    for n in range(start, len(x) + 1):
        estimate = t_interval(x[:n], level)
        mean, sd = float(x[:n].mean()), float(x[:n].std(ddof=1))
        rows.append(
            {
                "n": n,
                "mean": mean,
                "half_width": estimate.half,
                "relative_half_width": estimate.half / abs(mean) if mean else float("nan"),
                "cv": sd / abs(mean) if mean else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def settled_at(table: pd.DataFrame, column: str = "cv", tolerance: float = 0.1) -> int | None:
    """The smallest n from which `column` stays within ±tolerance (relative) of its final value.

    None when the table is empty or the final value is not finite.
    """
    if table.empty:
        return None
    final = float(table[column].iloc[-1])
    if not np.isfinite(final):
        return None
    inside = (table[column] - final).abs() <= tolerance * abs(final)
    outside = np.flatnonzero(~inside.to_numpy())
    first = 0 if len(outside) == 0 else outside[-1] + 1
    return int(table["n"].iloc[first]) if first < len(table) else int(table["n"].iloc[-1])


def factorial_effects(
    runs: pd.DataFrame,
    factors: dict[str, tuple[object, object]],
    output: str,
    level: float = LEVEL,
    skip: set[tuple[str, str]] | frozenset = frozenset(),
) -> pd.DataFrame:
    """Main effects and two-way interactions of a two-level factorial, with t intervals.

    `factors` maps a column to its (low, high) values. Each factor is coded −1/+1, an OLS
    model with all main effects and two-way interactions is fitted, and the effect
    (high − low, i.e. twice the coefficient) is reported with a CI from the residual t
    distribution. `skip` names interactions that are not estimable (e.g. a nested factor).
    Returns rows: term, order, effect, low, high.
    """
    coded = {
        name: np.where(runs[name].to_numpy() == high, 1.0, -1.0)
        for name, (low, high) in factors.items()
    }
    names = list(coded)
    terms = [(n,) for n in names] + [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if (a, b) not in skip
    ]
    columns = [np.ones(len(runs))] + [np.prod([coded[t] for t in term], axis=0) for term in terms]
    design = np.column_stack(columns)
    y = runs[output].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = len(y) - design.shape[1]
    residual = y - design @ beta
    sigma2 = float(residual @ residual) / dof if dof > 0 else float("nan")
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    quantile = stats.t.ppf(0.5 + level / 2, dof) if dof > 0 else float("nan")
    rows = []
    for i, term in enumerate(terms, start=1):
        se = np.sqrt(cov[i, i])
        rows.append(
            {
                "term": " × ".join(term),
                "order": len(term),
                "effect": 2 * beta[i],
                "low": 2 * (beta[i] - quantile * se),
                "high": 2 * (beta[i] + quantile * se),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ paired designs


@dataclass(frozen=True)
class PairedTest:
    """A mean of paired differences with its t interval, its two-sided p-value against 0,
    the differences' standard deviation and their number."""

    estimate: Estimate
    p: float
    sd: float
    n: int


def paired_test(differences, level: float = LEVEL) -> PairedTest:
    """Mean of paired differences (one per replicate), Student-t CI and p-value (H0: 0).

    >>> test = paired_test([1.0, 2.0, 3.0])
    >>> test.estimate.text(), round(test.p, 3), test.n
    ('2 [-0.484, 4.48]', 0.074, 3)
    """
    d = _clean(differences)
    estimate = t_interval(d, level)
    if len(d) < 2:
        return PairedTest(estimate, float("nan"), float("nan"), len(d))
    sd = float(d.std(ddof=1))
    if sd == 0:
        return PairedTest(estimate, 1.0 if estimate.value == 0 else 0.0, 0.0, len(d))
    p = float(stats.ttest_1samp(d, 0.0).pvalue)
    return PairedTest(estimate, p, sd, len(d))


def paired_interaction(a1, a0, b1, b0, level: float = LEVEL) -> PairedTest:
    """A 2×2 interaction on pairs: per replicate r, (a1 − a0) − (b1 − b0), then its mean.

    The four arrays are aligned by replicate (common random numbers: replicate r has the same
    seed in all four cells). E.g. a = self-organised, b = programme-funded, 1 = catalyst
    present, 0 = absent.
    """
    a1, a0, b1, b0 = (np.asarray(x, dtype=float) for x in (a1, a0, b1, b0))
    return paired_test((a1 - a0) - (b1 - b0), level)


def holm(pvalues) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1; NaN stays NaN).

    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    if m == 0:
        return adjusted
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def power(effect: float, sd: float, n: int, alpha: float = 1 - LEVEL) -> float:
    """Power of the two-sided one-sample t test of n paired differences with this SD to find
    a true mean `effect` (noncentral t)."""
    if n < 2 or not sd > 0:
        return float("nan")
    dof = n - 1
    critical = stats.t.ppf(1 - alpha / 2, dof)
    shift = abs(effect) / (sd / np.sqrt(n))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = float(stats.nct.sf(critical, dof, shift) + stats.nct.cdf(-critical, dof, shift))
    if not np.isfinite(found):  # far in the tail, where scipy's noncentral t gives up
        return 1.0 if shift > critical else 0.0
    return min(found, 1.0)


def minimum_detectable_effect(
    sd: float, n: int, target: float = 0.8, alpha: float = 1 - LEVEL
) -> float:
    """The smallest true mean of n paired differences (SD `sd`) that the two-sided t test at
    level `alpha` finds with probability `target` (noncentral t, solved exactly).

    >>> round(minimum_detectable_effect(1.0, 30), 3)
    0.529
    """
    if n < 2 or not sd > 0:
        return float("nan")
    from scipy.optimize import brentq

    high = 10 * sd
    while power(high, sd, n, alpha) < target:
        high *= 2
    return float(brentq(lambda e: power(e, sd, n, alpha) - target, 0.0, high, xtol=1e-10))


def replications_for(sd: float, half_width: float, level: float = LEVEL) -> int | None:
    """The smallest n whose Student-t CI of a mean (SD `sd`) has at most this half-width."""
    if not sd > 0:
        return 2
    if not half_width > 0:
        return None
    quantile = 0.5 + level / 2
    n = max(2, int(np.ceil((stats.norm.ppf(quantile) * sd / half_width) ** 2)))
    if n > 10_000_000:
        return None
    while stats.t.ppf(quantile, n - 1) * sd / np.sqrt(n) > half_width:  # t > z: a few steps up
        n += 1
    return n
