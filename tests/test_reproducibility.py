"""Same seed, same result; different seeds, different results."""

import pandas as pd

from simulation.run import run
from tests.conftest import small_config, small_programme


def test_same_seed_gives_identical_outputs():
    config = small_programme({"years": 3})
    a, b = run(config, seed=123), run(config, seed=123)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.network, b.network)
    pd.testing.assert_frame_equal(a.cooperations, b.cooperations)


def test_different_seeds_give_different_outputs():
    config = small_config({"years": 3})
    a, b = run(config, seed=1), run(config, seed=2)
    assert not a.cooperations.equals(b.cooperations)
    assert a.summary != b.summary


def test_the_seed_is_recorded_in_the_summary():
    assert run(small_config({"years": 0.5}), seed=77).summary["seed"] == 77
