"""The weekly collector stores what Mesa's DataCollector would, with less work a week."""

from mesa import DataCollector

from simulation import reporters
from simulation.model import NeighbourhoodModel
from tests.conftest import small_config


def _collected(collector_class, model_reporters):
    model = NeighbourhoodModel(small_config({"years": 1}), rng=3)
    shared = []  # a mutable value: each week's copy must keep that week's contents
    collector = collector_class(model_reporters=model_reporters | {"shared": lambda m: shared})
    for week in range(30):
        model.step()
        shared.append(week)
        collector.collect(model)
    return collector.get_model_vars_dataframe()


def test_collector_stores_what_mesas_collector_stores():
    ours = _collected(reporters.Collector, dict(reporters.WEEKLY))
    mesas = _collected(DataCollector, dict(reporters.WEEKLY))
    assert ours.equals(mesas)
    assert ours["shared"].iloc[0] == [0] and ours["shared"].iloc[-1] == list(range(30))


def test_collector_hands_other_reporters_to_mesa():
    ours = _collected(reporters.Collector, {"week": "week", "running": reporters.running})
    mesas = _collected(DataCollector, {"week": "week", "running": reporters.running})
    assert ours.equals(mesas) and ours["week"].is_monotonic_increasing


def test_a_run_without_its_series_over_time_has_the_same_results():
    from simulation.run import run

    config = small_config()
    kept = run(config, seed=5, years=2)
    no_weekly = run(config, seed=5, years=2, weekly=False)
    neither = run(config, seed=5, years=2, weekly=False, network=False)
    assert len(kept.timeseries) == 104 and len(kept.network) > 2
    for skipped in (no_weekly, neither):
        assert skipped.timeseries.empty
        assert list(skipped.timeseries.columns) == list(kept.timeseries.columns)
        assert skipped.summary == kept.summary
        assert skipped.cooperations.equals(kept.cooperations)
    assert no_weekly.network.equals(kept.network)
    assert neither.network.empty and list(neither.network.columns) == list(kept.network.columns)
