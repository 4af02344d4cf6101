"""The warm-up: years before week 0 that no output counts, the same in every regime."""

from __future__ import annotations

import numpy as np

from scenarios.dotted import apply_overrides
from simulation.config import WEEKS_PER_YEAR
from simulation.model import NeighbourhoodModel
from simulation.run import run
from tests.conftest import small_config, small_programme


def test_week_zero_follows_the_warm_up_and_outputs_start_there():
    config = small_config({"warmup_years": 1, "years": 1})
    model = NeighbourhoodModel(config, rng=3)
    assert model.week == 0 and model.steps == 0
    assert model.cooperations.count > 0  # the neighbourhood was busy before week 0
    assert model.cooperations.totals.sum() == 0  # ... but nothing is counted yet
    result = run(config, seed=3)
    assert result.timeseries["week"].iloc[0] == 1
    assert result.timeseries["week"].iloc[-1] == WEEKS_PER_YEAR
    assert (result.cooperations["idea_week"] >= 0).all()
    assert result.summary["started"] == int(
        result.cooperations["start_week"].between(0, WEEKS_PER_YEAR).sum()
    )


def test_warm_up_is_the_same_neighbourhood_in_both_regimes():
    """Meetings, catalyst and programme start at week 0: before it, two regimes with the same
    actors and seed run the same random numbers (common random numbers)."""
    warm = {"warmup_years": 2}
    first = NeighbourhoodModel(apply_overrides(small_config(), warm), rng=9)
    second = NeighbourhoodModel(apply_overrides(small_programme(), warm), rng=9)
    a, b = first.observed_from, second.observed_from
    assert a.size == b.size and a.active == b.active
    assert np.array_equal(a.present, b.present) and np.array_equal(a.joined, b.joined)
    assert second.programme.qm >= a.size  # the QM office opened after the warm-up


def test_ties_made_in_the_warm_up_count_as_existing_before_the_structures():
    config = small_config({"warmup_years": 1, "years": 0.5})
    result = run(config, seed=2)
    first = result.network.iloc[0]
    assert first["week"] == 0 and first["ties_from_start"] == first["ties"]


def test_structural_happenings_are_recorded_with_their_week():
    from tests.conftest import small_programme as programme

    config = apply_overrides(programme(), {"catalyst.mode": "leaves", "catalyst.leave_year": 1})
    model = NeighbourhoodModel(config, rng=4)
    for _ in range(2 * WEEKS_PER_YEAR + 1):
        model.step()
    kinds = [(h.week, h.kind) for h in model.happenings if h.kind != "meeting"]
    assert kinds[:2] == [(0, "programme_start"), (0, "catalyst")]
    assert (WEEKS_PER_YEAR, "catalyst_leaves") in kinds
    assert (2 * WEEKS_PER_YEAR, "programme_end") in kinds
    for meeting in model.meetings:
        held = [
            h for h in model.happenings if h.kind == "meeting" and h.detail == meeting.spec.name
        ]
        assert len(held) == meeting.held > 0


def test_ties_of_the_first_neighbourhood_decay_through_the_warm_up():
    """The starting ties are made when the warm-up begins: no tie's last contact lies after
    week 0 and none is stronger than 1, at its last contact or now."""
    config = small_config({"warmup_years": 1})
    model = NeighbourhoodModel(config, rng=5)
    live = model.ties.live_slots()
    assert len(live) and (model.ties.t0[live] <= model.week).all()
    assert (model.ties.w0[live] <= 1.0).all()
    assert (model.ties.strength(live, model.week) <= 1.0).all()


def test_the_initiative_and_the_anchor_are_present_at_week_zero():
    """Whoever left during the warm-up, the initiative (with its lead holding the catalyst
    role) and the anchor are founded among the actors present at week 0."""
    config = apply_overrides(
        small_config(), {"warmup_years": 3, "turnover.sectors.residents.leave_rate_per_year": 0.2}
    )
    for seed in range(4):
        model = NeighbourhoodModel(config, rng=seed)
        members = model.initiative_members
        assert members and model.state.active[members].all()
        assert model.state.initiative[members].all()
        assert model.catalyst.active and model.catalyst.holder == members[0]
        assert model.anchor >= 0 and model.state.active[model.anchor]
        model.step()
        assert model.catalyst.active
