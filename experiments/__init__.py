"""Experiments: sweep specs, designs, the sweep runner and its results store."""

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
