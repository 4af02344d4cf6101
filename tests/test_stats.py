"""The experiments' statistics against known values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from experiments import stats


def test_t_interval_of_a_known_sample():
    # mean 5, sd 1.5811 (n = 5): half-width t(0.975, 4) · sd / √5 = 2.776445 · 0.707107
    estimate = stats.t_interval([3.0, 4.0, 5.0, 6.0, 7.0])
    assert estimate.value == 5.0
    assert estimate.half == pytest.approx(1.963243, abs=1e-6)
    assert (estimate.low, estimate.high) == pytest.approx((3.036757, 6.963243), abs=1e-6)


def test_t_interval_edge_cases():
    assert np.isnan(stats.t_interval([2.0]).low)
    constant = stats.t_interval([1.0, 1.0, 1.0])
    assert (constant.low, constant.high) == (1.0, 1.0)


def test_interaction_of_a_synthetic_two_by_two_table():
    # cell means: a1 = 10, a0 = 4 (effect 6); b1 = 7, b0 = 5 (effect 2): interaction 4
    noise = np.array([-1.0, 0.0, 1.0, -0.5, 0.5])
    estimate = stats.interaction(10 + noise, 4 + noise, 7 + noise, 5 + noise)
    assert estimate.value == pytest.approx(4.0)
    assert estimate.low < 4.0 < estimate.high
    assert estimate.excludes_zero()


def test_no_interaction_when_effects_are_equal():
    rng = np.random.default_rng(3)
    groups = [rng.normal(mean, 1.0, 40) for mean in (3.0, 1.0, 12.0, 10.0)]
    estimate = stats.interaction(*groups)
    assert estimate.low < 0 < estimate.high


def test_bootstrap_ci_covers_a_known_difference():
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(40):
        a, b = rng.normal(2.0, 1.0, 30), rng.normal(0.5, 1.0, 30)
        estimate = stats.mean_difference(a, b)
        covered += estimate.low <= 1.5 <= estimate.high
    assert covered >= 34  # nominal 95 %: 38 of 40 expected


def test_hedges_g_of_a_known_pair():
    a, b = np.array([2.0, 4.0, 6.0]), np.array([1.0, 3.0, 5.0])
    # d = 1 / 2 (pooled sd 2); correction 1 − 3 / (4·6 − 9) = 0.8
    assert stats.hedges_g(a, b).value == pytest.approx(0.4)


def test_factorial_effects_recover_a_known_model():
    grid = pd.DataFrame(
        [(x, y) for x in (0, 1) for y in ("lo", "hi") for _ in range(3)], columns=["x", "y"]
    )
    sign_x = np.where(grid["x"] == 1, 1, -1)
    sign_y = np.where(grid["y"] == "hi", 1, -1)
    noise = np.tile([-0.1, 0.0, 0.1], 4)
    grid["out"] = 10 + 3 * sign_x + 1 * sign_y + 0.5 * sign_x * sign_y + noise
    table = stats.factorial_effects(grid, {"x": (0, 1), "y": ("lo", "hi")}, "out")
    effects = dict(zip(table["term"], table["effect"], strict=True))
    assert effects == pytest.approx({"x": 6.0, "y": 2.0, "x × y": 1.0})
    assert (table["low"] < table["effect"]).all() and (table["effect"] < table["high"]).all()


def test_convergence_and_settling():
    values = np.tile([9.0, 11.0], 20)
    table = stats.convergence(values)
    assert table["n"].tolist() == list(range(2, 41))
    assert table["half_width"].iloc[-1] < table["half_width"].iloc[0]
    assert stats.settled_at(table) <= 10


def test_spearman_of_a_monotone_relation():
    x = np.arange(30.0)
    estimate = stats.spearman(x, -(x**2))
    assert estimate.value == pytest.approx(-1.0)


def test_paired_interaction_equals_the_t_interval_of_differences_of_differences():
    rng = np.random.default_rng(3)
    shared = rng.normal(50, 20, 30)
    a1, a0, b1, b0 = (shared + shift + rng.normal(0, 1, 30) for shift in (9, 0, 4, 0))
    test = stats.paired_interaction(a1, a0, b1, b0)
    expected = stats.t_interval((a1 - a0) - (b1 - b0))
    assert test.estimate == expected
    assert test.estimate.low < 5 < test.estimate.high
    unpaired = stats.interaction(a1, a0, b1, b0)  # cells treated as independent groups
    assert test.estimate.half < unpaired.half / 5
    assert test.p == pytest.approx(scipy_stats.ttest_1samp((a1 - a0) - (b1 - b0), 0).pvalue)


def test_paired_test_edge_cases():
    assert np.isnan(stats.paired_test([1.0]).p)
    same = stats.paired_test([2.0, 2.0, 2.0])
    assert same.sd == 0 and same.p == 0.0 and same.estimate.half == 0


def test_holm_adjusts_step_down_and_keeps_order():
    p = [0.01, 0.04, 0.03, 0.005, float("nan")]
    adjusted = stats.holm(p)
    # sorted: 0.005×4, 0.01×3, 0.03×2, 0.04×1, made monotone
    assert adjusted[:4].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjusted[4])
    assert stats.holm([0.9, 0.8]).tolist() == [1.0, 1.0]  # 2 × 0.8 capped at 1
    assert stats.holm([0.2, 0.02]).tolist() == pytest.approx([0.2, 0.04])
    assert stats.holm([]).size == 0


def test_minimum_detectable_effect_has_the_stated_power():
    for sd, n in ((1.0, 30), (12.0, 60), (3.0, 5)):
        mde = stats.minimum_detectable_effect(sd, n)
        assert stats.power(mde, sd, n) == pytest.approx(0.8, abs=1e-6)
    assert stats.minimum_detectable_effect(1.0, 30) == pytest.approx(0.529, abs=1e-3)
    # simulated: paired t tests of n = 30 differences with mean = MDE reject ~80 % of the time
    rng = np.random.default_rng(5)
    mde = stats.minimum_detectable_effect(1.0, 30)
    samples = rng.normal(mde, 1.0, (4000, 30))
    rejected = scipy_stats.ttest_1samp(samples, 0.0, axis=1).pvalue < 0.05
    assert rejected.mean() == pytest.approx(0.8, abs=0.025)


def test_replications_for_a_target_half_width():
    n = stats.replications_for(10.0, 2.0)
    assert stats.t_interval(np.r_[np.full(n // 2, -10.0), np.full(n - n // 2, 10.0)]).half > 0
    assert scipy_stats.t.ppf(0.975, n - 1) * 10 / np.sqrt(n) <= 2.0
    assert scipy_stats.t.ppf(0.975, n - 2) * 10 / np.sqrt(n - 1) > 2.0
    assert stats.replications_for(0.0, 1.0) == 2
    assert stats.replications_for(1.0, 1e-9) is None  # more than anyone can run
