"""Everyday contact: triadic closure and shared foci, outside meetings and projects."""

from __future__ import annotations

import numpy as np

from simulation.everyday import FOCUS_TRIES, everyday_pairs
from simulation.model import NeighbourhoodModel
from tests.conftest import STATIC, small_config

QUIET = STATIC | {"meetings": [], "catalyst.mode": "absent", "cooperation.idea_rate": 0.0}


def _pairs(model: NeighbourhoodModel, closure: float, count: int = 400):
    active = model.state.active_ids()
    initiators = active[model.rng.integers(0, len(active), count)]
    uniform = model.rng.random((count, 3 + FOCUS_TRIES))
    return everyday_pairs(
        model.ties.adjacency.data, model.state.data, model.state.size, initiators, uniform, closure
    )


def test_closure_contacts_are_friends_of_friends():
    model = NeighbourhoodModel(small_config(QUIET), rng=1)
    pairs_i, pairs_j = _pairs(model, closure=1.0)
    assert len(pairs_i) > 200
    for i, k in zip(pairs_i.tolist(), pairs_j.tolist(), strict=True):
        common = set(model.ties.contacts_of(i)) & set(model.ties.contacts_of(k))
        assert common, (i, k)


def test_focus_contacts_share_a_sector_or_a_topic():
    model = NeighbourhoodModel(small_config(QUIET), rng=2)
    s = model.state
    pairs_i, pairs_j = _pairs(model, closure=0.0)
    assert len(pairs_i) > 300
    same_sector = s.sector[pairs_i] == s.sector[pairs_j]
    same_topic = (s.interests[pairs_i] & s.interests[pairs_j]).any(axis=1)
    assert (same_sector | same_topic).all()
    assert (pairs_i != pairs_j).all()


def test_everyday_contact_keeps_ties_alive_without_meetings_or_projects():
    """Same world and seed with and without everyday contact: with it, ties form that nobody
    was introduced to (not informed), and more ties survive two years."""
    counts = []
    for rate in (0.0, 1.0):
        config = small_config(QUIET | {"everyday.contacts_per_week": rate})
        model = NeighbourhoodModel(config, rng=3)
        start = set(model.ties.live_slots().tolist())
        for _ in range(104):
            model.step()
        live = model.ties.live_slots()
        new = live[~np.isin(live, list(start)) | (model.ties.born[live] > 0)]
        counts.append(len(live))
        if rate:
            assert len(new) > 20 and not model.ties.informed[new].any()
    assert counts[1] > counts[0]
