"""Filtering a prior sample: which sets pass, and how `closest` fills a thin ensemble."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from calibration.measures import column
from calibration.rejection import filter_sets
from calibration.targets import load_targets
from tests.calibration_helpers import TINY, write_tiny


def _sets(started: list[float]) -> pd.DataFrame:
    """Parameter sets whose `started` measure is given; the strength pattern always passes."""
    n = len(started)
    return pd.DataFrame(
        {
            "cooperation.idea_rate": np.linspace(0.01, 0.04, n),
            "ties.decay_per_month": np.full(n, 0.05),
            column("started"): started,
            column("strength"): np.full(n, 0.32),
            column("types"): np.full(n, 0.5),
        }
    )


def test_closest_fills_an_ensemble_that_too_few_sets_pass(tmp_path: Path) -> None:
    text = TINY.replace("samples = 40", "samples = 40\nclosest = 3")
    checked = load_targets(write_tiny(tmp_path, text))
    # observed 19 ± 2, tolerance 2: 19 passes, 24 and 28 do not; 30 and 40 are further away
    filtered = filter_sets(checked, _sets([40.0, 24.0, 19.0, 30.0, 28.0]))
    assert int(filtered.passes["all fitted patterns"]) == 1
    assert filtered.filled
    assert sorted(filtered.accepted[column("started")]) == [19.0, 24.0, 28.0]


def test_enough_passing_sets_are_the_ensemble_alone(tmp_path: Path) -> None:
    text = TINY.replace("samples = 40", "samples = 40\nclosest = 2")
    checked = load_targets(write_tiny(tmp_path, text))
    filtered = filter_sets(checked, _sets([19.0, 20.0, 18.0, 40.0]))
    assert not filtered.filled
    assert sorted(filtered.accepted[column("started")]) == [18.0, 19.0, 20.0]
