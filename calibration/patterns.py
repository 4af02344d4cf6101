"""How far a simulated value is from an observed pattern, and whether it passes.

A pattern's observation is an interval [low, high] (a value is an interval of width 0) with
one standard uncertainty u. A simulated value's *misfit* is its distance from the interval in
units of u (0 inside it); divided by the pattern's relative weight (weight / the largest
weight), so a pattern of half the weight may miss by twice as much. A value *passes* when its
weighted misfit is at most the method's tolerance (default 2: within two uncertainties). The
distance of a parameter set to all fitted patterns at once is its largest weighted misfit,
so "distance ≤ tolerance" is the same as "passes every fitted pattern": rejection and
ABC-SMC agree on what fitting means.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from calibration.targets import Pattern


def misfit(values: np.ndarray | float, pattern: Pattern) -> np.ndarray:
    """Distance from the observed interval in uncertainties (inf when undefined or u = 0)."""
    values = np.asarray(values, dtype=float)
    low, high = pattern.interval
    with np.errstate(invalid="ignore"):
        gap = np.maximum(0.0, np.maximum(low - values, values - high))
    u = pattern.uncertainty
    out = gap / u if u > 0 else np.where(gap > 0, np.inf, 0.0)
    return np.where(np.isfinite(values), out, np.inf)


def weighted_misfit(values: np.ndarray | float, pattern: Pattern, top_weight: float) -> np.ndarray:
    """The misfit divided by the pattern's relative weight."""
    return misfit(values, pattern) * (pattern.weight / top_weight)


def top_weight(patterns: Mapping[str, Pattern]) -> float:
    return max(p.weight for p in patterns.values())


def distance(values: Mapping[str, float], patterns: Mapping[str, Pattern]) -> float:
    """The largest weighted misfit over `patterns` (their measures' values by name)."""
    top = top_weight(patterns)
    return float(
        max(weighted_misfit(values[name], pattern, top) for name, pattern in patterns.items())
    )


def band(pattern: Pattern, tolerance: float, top: float) -> tuple[float, float]:
    """The values that pass the pattern: its interval widened by tolerance × u / weight."""
    low, high = pattern.interval
    width = tolerance * pattern.uncertainty * top / pattern.weight
    return low - width, high + width
