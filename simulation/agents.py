"""Actors: Mesa agents whose numbers live in the model's arrays (M1).

An actor is a resident, a residents' initiative member, an association, church or social
agency, an administration, school or day-care, a housing company, a local business, or the
programme's neighbourhood management office (QM). The model owns the arrays (sector codes,
the resources matrix, engagement, interests, capacity); an actor reads its row through
properties and acts when an event calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.config import RESOURCES, SECTORS

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel


class Actor(mesa.Agent):
    """One actor of the neighbourhood; `index` is its row in the model's arrays."""

    model: NeighbourhoodModel

    def __init__(self, model: NeighbourhoodModel, index: int, name: str) -> None:
        super().__init__(model)
        self.index = index
        self.name = name

    # -- state, read from the model's arrays --------------------------------------------------
    @property
    def sector(self) -> str:
        return SECTORS[self.model.state.sector[self.index]]

    @property
    def resources(self) -> dict[str, float]:
        row = self.model.state.stock[self.index]
        return {name: float(row[k]) for k, name in enumerate(RESOURCES)}

    @property
    def time(self) -> float:
        return float(self.model.state.stock[self.index, 0])

    @property
    def engagement(self) -> float:
        return float(self.model.state.engagement[self.index])

    @property
    def interests(self) -> list[int]:
        return np.flatnonzero(self.model.state.interests[self.index]).tolist()

    @property
    def active(self) -> bool:
        return bool(self.model.state.active[self.index])

    @property
    def contacts(self) -> set[int]:
        """Indices of the actors this one has a tie with."""
        return set(self.model.ties.contacts_of(self.index).tolist())

    @property
    def role(self) -> str:
        """'catalyst', 'qm', 'initiative', 'anchor' or '' (for exports and the viz)."""
        return self.model.role_of(self.index)

    # -- behaviour, called by events --------------------------------------------------------
    def propose_cooperation(self, topic: int | None = None, seeded: bool = False) -> int:
        """Turn an idea into a cooperation in formation; returns its id."""
        return self.model.cooperations.propose(self.index, topic, seeded)

    def leave(self) -> None:
        """Leave the neighbourhood: ties end, cooperations lose this member."""
        self.model.remove_actor(self.index)
