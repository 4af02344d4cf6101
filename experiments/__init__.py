"""Experiments, in two layers: the sweep engine (experiments.sweep: experiment files, designs,
engines, the resumable runner, the results store) and the research questions on top of it
(experiments.research: each experiment a declared object, one runner, reports and facts).

`experiments.load(DIR)` reads a sweep's results back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from experiments.sweep.results import SweepResults


def load(directory: str | Path) -> SweepResults:
    """Runs, time series, network series and manifest of a sweep directory."""
    from experiments.sweep.results import load as load_results

    return load_results(directory)


__all__ = ["load"]
