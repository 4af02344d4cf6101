"""M1, M5: resources are the minimum condition; stocks never go negative."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.model import NeighbourhoodModel
from simulation.run import run
from tests.conftest import small_config


def _no_time(extra=None):
    income = {
        s: {"time": 0.0, "money": 50.0, "material": 2.0, "rooms": 2.0}
        for s in ("residents", "civil_society", "public", "housing", "business", "qm")
    }
    no_volunteering = [{"share": 1.0, "low": 0.0, "high": 0.0}]
    overrides = {"resources.income": income, "actors.volunteer_hours": no_volunteering}
    return small_config({**overrides, "years": 3, **(extra or {})})


def test_with_zero_time_no_cooperation_completes():
    result = run(_no_time(), seed=1)
    assert result.summary["completed"] == 0


def test_with_zero_time_ideas_that_start_still_cannot_complete():
    """Even when ideas need no spare time, work without time makes no progress."""
    config = _no_time({"cooperation.min_spare_hours": 0.0, "cooperation.idea_rate": 0.2})
    result = run(config, seed=2)
    assert result.summary["started"] > 0
    assert result.summary["completed"] == 0
    assert result.summary["failed"] > 0


def test_scarce_resources_lower_the_success_rate():
    rich = run(small_config({"years": 4}), seed=3).summary
    poor = run(small_config({"years": 4, "resources.level": 0.25}), seed=3).summary
    assert poor["success_rate"] < rich["success_rate"]


@settings(max_examples=15, deadline=None)
@given(level=st.floats(0.0, 3.0), seed=st.integers(0, 10_000), hours=st.floats(0.0, 8.0))
def test_stocks_never_go_negative_nor_exceed_their_cap(level, seed, hours):
    config = small_config(
        {"resources.level": level, "years": 0.5, "cooperation.coordinator_hours": hours}
    )
    model = NeighbourhoodModel(config, rng=seed)
    for _ in range(26):
        model.step()
        stock = model.state.view("stock")
        assert (stock >= 0).all()
        assert (stock <= model.state.view("cap") + 1e-9).all()
    assert np.isfinite(model.state.view("stock")).all()
