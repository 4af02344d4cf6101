"""Actors are Mesa agents whose state is a row of the model's arrays."""

import numpy as np

from simulation.config import RESOURCES
from simulation.model import NeighbourhoodModel
from tests.conftest import small_config


def test_an_actor_reads_its_row_and_leaving_removes_it_from_the_model():
    model = NeighbourhoodModel(small_config(), rng=4)
    actor = next(a for a in model.agents if a.contacts)
    row = model.state.stock[actor.index]
    assert actor.resources == dict(zip(RESOURCES, row.tolist(), strict=True))
    assert actor.time == row[0]
    assert actor.sector in ("residents", "civil_society", "public", "housing", "business")
    assert actor.interests == np.flatnonzero(model.state.interests[actor.index]).tolist()
    assert actor.engagement == model.state.engagement[actor.index]
    assert actor.role == model.role_of(actor.index)
    before = len(model.agents)
    actor.leave()
    assert not actor.active
    assert not actor.contacts
    assert len(model.agents) == before - 1
