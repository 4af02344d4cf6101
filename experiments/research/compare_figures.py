"""compare's own figure: the interaction over the years, with its CI band."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from experiments.research.figures import CELL_COLOURS, save


def interaction_over_time(curves: dict[tuple[str, str], pd.DataFrame], out: Path, stem: str) -> str:
    """One panel per outcome, one line per contrast: mean and 95 % CI band over the years,
    with the zero line (no difference between the regimes)."""
    outcomes = list(dict.fromkeys(outcome for outcome, _ in curves))
    contrasts = list(dict.fromkeys(contrast for _, contrast in curves))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.2 * len(outcomes), 3.4), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=True):
        for i, contrast in enumerate(contrasts):
            curve = curves.get((outcome, contrast))
            if curve is None:
                continue
            colour = CELL_COLOURS[i % len(CELL_COLOURS)]
            ax.plot(curve["year"], curve["mean"], color=colour, lw=1.4, label=contrast)
            ax.fill_between(
                curve["year"], curve["low"], curve["high"], color=colour, alpha=0.2, lw=0
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(f"interaction: {outcome}", fontsize=10)
        ax.set_xlabel("year")
        ax.set_ylabel("self-organised − programme-funded effect")
    axes.flat[0].legend(fontsize=7, loc="best")
    return save(fig, out, stem)
