"""The experiments' statistics against known values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
