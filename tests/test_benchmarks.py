"""The benchmark suite's building blocks (timings themselves run on demand, not here)."""

from benchmarks.suite import TARGETS, scaled, table


def test_scaled_worlds_keep_the_sector_mix_and_densities():
    small, large = scaled(500), scaled(2000)
    assert abs(sum(small.actors.counts.values()) - 500) <= 5
    assert abs(sum(large.actors.counts.values()) - 2000) <= 5
    ratio = large.actors.counts["residents"] / small.actors.counts["residents"]
    assert 3.9 < ratio < 4.1
    assert large.meetings[0].capacity > small.meetings[0].capacity
    assert large.ties.initial_within_degree == small.ties.initial_within_degree


def test_table_names_every_target_and_whether_it_is_met():
    results = {key: 1.0 for key in TARGETS} | {
        "agent_steps_per_second": 1e6,
        "virus_agent_steps_per_second": 1e6,
        "seconds_per_year": {"500": 0.1},
        "peak_memory_mb_20y_5000": 100.0,
        "scaling_largest": 5000,
        "sweeps": {"runs_per_second_1_worker": 1.0},
        "results_unchanged": True,
    }
    text = table(results)
    for key in TARGETS:
        assert key in text
    assert "NOT met" in text and " met" in text
