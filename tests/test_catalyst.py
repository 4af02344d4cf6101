"""M7: the catalyst's functions act, and only while the catalyst is there."""

import numpy as np

from simulation.model import NeighbourhoodModel
from simulation.run import run
from tests.conftest import STATIC, small_config


def _cross_sector_ties(model: NeighbourhoodModel) -> int:
    live = model.ties.live_slots()
    sector = model.state.sector
    return int((sector[model.ties.a[live]] != sector[model.ties.b[live]]).sum())


def _introductions_only(mode: str) -> NeighbourhoodModel:
    config = small_config(
        {
            "catalyst.mode": mode,
            "catalyst.impulses": False,
            "catalyst.lulls": False,
            "catalyst.supporters": False,
            "catalyst.introductions_per_month": 8,
            "catalyst.hours": 20,
            "cooperation.idea_rate": 0.0,
            "meetings": [],
            "everyday.contacts_per_week": 0.0,
            **STATIC,
        }
    )
    return NeighbourhoodModel(config, rng=21)


def test_catalyst_introductions_add_cross_sector_ties():
    with_catalyst, without = _introductions_only("present"), _introductions_only("absent")
    for model in (with_catalyst, without):
        for _ in range(26):
            model.step()
    acted = with_catalyst.catalyst.actions
    assert acted["introductions"] + acted["newcomers"] > 0
    assert _cross_sector_ties(with_catalyst) > _cross_sector_ties(without)


def test_impulses_seed_cooperations():
    config = small_config(
        {"catalyst.impulses_per_month": 6, "cooperation.idea_rate": 0.0, "catalyst.hours": 20}
    )
    result = run(config, seed=4)
    assert result.summary["catalyst_impulses"] > 0
    assert result.cooperations["seeded_by_catalyst"].sum() == result.summary["catalyst_impulses"]
    assert result.summary["started"] > 0


def test_a_catalyst_that_leaves_stops_acting():
    config = small_config({"catalyst.mode": "leaves", "catalyst.leave_year": 1, "years": 2})
    model = NeighbourhoodModel(config, rng=6)
    holder = model.catalyst.holder
    for _ in range(52):
        model.step()
    assert not model.catalyst.active
    assert not model.state.active[holder], "the person left the neighbourhood"
    frozen = dict(model.catalyst.actions)
    for _ in range(52):
        model.step()
    assert model.catalyst.actions == frozen


def test_a_successor_takes_the_role_over():
    config = small_config(
        {"catalyst.mode": "leaves", "catalyst.leave_year": 0.5, "catalyst.successor": True}
    )
    model = NeighbourhoodModel(config, rng=6)
    first = model.catalyst.holder
    for _ in range(27):
        model.step()
    assert model.catalyst.active
    assert model.catalyst.holder not in (first, -1)


def test_start_phase_catalyst_stops_but_stays_in_the_neighbourhood():
    config = small_config(
        {
            "catalyst.mode": "start_phase",
            "catalyst.start_phase_years": 0.5,
            **STATIC,
        }
    )  # nobody leaves by chance
    model = NeighbourhoodModel(config, rng=2)
    holder = model.catalyst.holder
    for _ in range(30):
        model.step()
    assert not model.catalyst.active
    assert model.state.active[holder]


def test_an_absent_catalyst_never_acts():
    result = run(small_config({"catalyst.mode": "absent"}), seed=3)
    actions = [
        v
        for k, v in result.summary.items()
        if k.startswith("catalyst_") and k != "catalyst_active_end"
    ]
    assert actions and not any(actions)


def test_supporters_join_stalled_cooperations_within_the_cap():
    config = small_config({"resources.level": 0.4, "catalyst.hours": 30, "years": 3})
    model = NeighbourhoodModel(config, rng=9)
    for _ in range(156):
        model.step()
    book = model.cooperations
    assert model.catalyst.actions["supporters"] > 0
    assert np.max(book.supporters[: book.count]) <= config.catalyst.supporters_per_cooperation
