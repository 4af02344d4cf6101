"""Same seed, same result; different seeds, different results."""

import pandas as pd

from simulation.run import result_of, run, simulate
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


def test_a_run_in_one_pass_equals_a_run_stepped_week_by_week():
    """Without an observer a run passes its weeks' events in one go (`run_for`); stepped
    week by week (an observer that only looks) it gives the same results, events of the
    programme, meetings and catalyst included."""
    config = small_programme({"years": 3, "catalyst.mode": "leaves", "catalyst.leave_year": 2})
    weeks: list[int] = []
    one_pass = result_of(simulate(config, seed=9), 9)
    stepped = result_of(simulate(config, seed=9, observe=lambda m: weeks.append(m.week)), 9)
    assert weeks == list(range(0, 3 * 52 + 1))
    assert one_pass.summary == stepped.summary
    pd.testing.assert_frame_equal(one_pass.timeseries, stepped.timeseries)
    pd.testing.assert_frame_equal(one_pass.network, stepped.network)
    pd.testing.assert_frame_equal(one_pass.cooperations, stepped.cooperations)
