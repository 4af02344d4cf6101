"""Parameter recovery: simulate with known parameters, calibrate on the outputs, and check
that the posterior covers the truths — over several truths — and narrows what it can."""

from __future__ import annotations

from pathlib import Path

from calibration.recovery import recover
from calibration.targets import load_targets
from tests.calibration_helpers import TINY, write_tiny


def test_the_posterior_covers_the_truths_and_narrows_the_informed_parameter(
    tmp_path: Path,
) -> None:
    text = TINY.replace("samples = 40", "samples = 160").replace(
        "replicates = 2", "replicates = 2\ntolerance = 1.5"
    )
    checked = load_targets(write_tiny(tmp_path, text))
    out = tmp_path / "recovery"
    result = recover(checked, truths=8, out=out, observed_runs=4, workers=2, quiet=True)
    table = result.by_parameter().set_index("parameter")
    assert len(result.table) == 16
    # the 90 % intervals cover the truths about as often as they claim (rejection with a
    # tolerance is conservative), over 8 truths × 2 parameters
    assert result.coverage >= 0.75, result.table
    # ... and not by staying as wide as the prior: tie decay is informed by the mean tie
    # strength, so its posterior is much narrower than its prior
    assert table.loc["ties.decay_per_month", "width_over_prior"] < 0.7, table
    assert table.loc["ties.decay_per_month", "mean_abs_error"] < 0.15, table
