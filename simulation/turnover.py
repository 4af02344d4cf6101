"""Turnover: actors leave and newcomers arrive (M10).

Weekly, each active actor (not the catalyst or the QM office) leaves with the weekly
probability of `turnover.leave_rate_per_year`; newcomers arrive as
Poisson(`arrival_rate_per_year` × starting actors / 52) a week, in the starting sector mix
(without QM), with no ties. Monthly, actors without a cooperation and inactive for more than
`turnover.max_inactive_weeks` drop out (Team Assembly's max-downtime).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.config import SECTORS, WEEKS_PER_YEAR
from simulation.population import QM, RESIDENTS

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel


class Turnover:
    """Leavers and newcomers; built after the starting actors, whose mix newcomers follow."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = model.config.turnover
        self.start_size = model.state.size
        self._leave_weekly = 1 - (1 - self.config.leave_rate_per_year) ** (1 / WEEKS_PER_YEAR)
        self._arrival_cumulative = np.cumsum(arrival_mix(model.state.view("sector")))

    def _protected(self) -> tuple[int, int]:
        m = self.model
        return m.catalyst.holder, m.programme.qm

    def week(self) -> None:
        """Some actors leave, newcomers arrive."""
        m = self.model
        n = m.state.size
        leaving = m.state.view("active") & (m.rng.random(n) < self._leave_weekly)
        protected = self._protected()
        for i in np.flatnonzero(leaving).tolist():
            if i not in protected:
                m.actor(i).leave()
        rate = self.config.arrival_rate_per_year * self.start_size / WEEKS_PER_YEAR
        for _ in range(m.rng.poisson(rate)):
            sector = np.searchsorted(self._arrival_cumulative, m.rng.random(), side="right")
            sector = min(int(sector), len(SECTORS) - 1)
            m.add_actor(SECTORS[sector], f"newcomer_{m.state.size + 1}")

    def drop_idle(self) -> None:
        """Monthly: actors in no cooperation and inactive too long drop out."""
        m, s = self.model, self.model.state
        idle = s.view("active") & (m.week - s.view("last_active") > self.config.max_inactive_weeks)
        idle &= s.view("load") == 0
        protected = self._protected()
        for i in np.flatnonzero(idle).tolist():
            if i not in protected:
                m.actor(i).leave()


def arrival_mix(sector: np.ndarray) -> np.ndarray:
    """Sector shares of newcomers: those of `sector` (the starting actors), without QM."""
    counts = np.bincount(sector, minlength=len(SECTORS)).astype(float)
    counts[QM] = 0
    return counts / counts.sum() if counts.sum() else np.eye(len(SECTORS))[RESIDENTS]
