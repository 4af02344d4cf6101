"""Extreme settings neither crash nor produce NaN."""

import numpy as np
import pytest

from simulation.run import run
from tests.conftest import small_config, turnover_everywhere

ALL_ZERO = {s: 0 for s in ("residents", "civil_society", "public", "housing", "business")}

EXTREMES = {
    "no residents": {"actors.counts.residents": 0},
    "only one actor": {"actors.counts": {**ALL_ZERO, "business": 1}},
    "nobody at all": {"actors.counts": ALL_ZERO, "catalyst.mode": "absent"},
    "no meetings": {"meetings": []},
    "no initial ties": {"ties.initial_within_degree": 0, "ties.initial_cross_degree": 0},
    "no resources": {"resources.level": 0.0},
    "everyone engaged": {
        "actors.traits": {s: {"engagement": 1.0, "capacity": 10} for s in ALL_ZERO}
    },
    "ideas every week": {"cooperation.idea_rate": 1.0},
    "no decay": {"ties.decay_per_month": 0.0},
    "fast decay": {"ties.decay_per_month": 0.99},
    "heavy turnover": turnover_everywhere(1.0, 1.0, staff=1.0, idle=True),
    "independent catalyst, no initiative": {
        "catalyst.holder": "independent",
        "actors.initiative_size": 0,
    },
    "removal of the top broker": {
        "disruption.remove_at_year": 0.5,
        "disruption.target": "top_broker",
    },
    "removal of a same-degree actor": {
        "disruption.remove_at_year": 0.5,
        "disruption.target": "random_same_degree",
    },
}


def _finite(frame):
    numbers = frame.select_dtypes("number")
    return np.isfinite(numbers.to_numpy(dtype=float)).all()


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extreme_settings_run_cleanly(name):
    result = run(small_config({"years": 1, **EXTREMES[name]}), seed=5)
    numbers = [v for v in result.summary.values() if isinstance(v, int | float)]
    assert np.isfinite(numbers).all()
    assert _finite(result.timeseries) and _finite(result.network)
    assert len(result.timeseries) == 52
