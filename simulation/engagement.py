"""Who is engaged: residents start and stop taking part in neighbourhood work (M1).

Engagement is a share of people, not a multiplier: of the residents, `engaged_share` take part
(drawn at the start), each with weekly volunteer hours drawn from the Freiwilligensurvey 2019
distribution (`actors.volunteer_hours`); the others have no time for neighbourhood work, no
project ideas, and are not asked to join. Each year an engaged resident stops with chance
`actors.engagement_ends_per_year` (dropping out of its open cooperations) and a resident who is
not engaged starts with the chance that keeps the engaged share where it is (weekly
``start = end × share / (1 − share)``): without anyone drawing people in, the share stays
put; the catalyst's "bringing new actors in" can raise it (`engage`). The catalyst holder does
not stop while it holds the role. No source gives the yearly rate at which volunteers stop:
it is a parameter for calibration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.compiled import kernel
from simulation.config import WEEKS_PER_YEAR
from simulation.population import RESIDENTS, engaged_hours
from simulation.streams import generator

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel


def weekly_chance(per_year: float) -> float:
    """The weekly chance that gives `per_year` over a year."""
    return 1 - (1 - per_year) ** (1 / WEEKS_PER_YEAR)


class Engagement:
    """Residents' engagement over time; `started` and `ended` count the changes."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        actors = model.config.actors
        share = actors.traits_of("residents").engaged_share
        self._end = weekly_chance(actors.engagement_ends_per_year)
        self._start = min(self._end * share / (1 - share), 1.0) if share < 1 else 0.0
        self.started = 0
        self.ended = 0

    def week(self) -> None:
        """Some engaged residents stop, some others start."""
        m = self.model
        s = m.state
        ending, starting = draw_changes(s.data, s.size, self._end, self._start, m.stream)
        for i in ending.tolist():
            if not m.catalyst.holds(i):
                self.disengage(i)
        for i in starting.tolist():
            self.engage(i)

    def engage(self, actor: int) -> None:
        """`actor` starts taking part, with volunteer hours drawn for it."""
        m, n = self.model, self.model.newcomers
        sector = int(m.state.sector[actor])
        hours = engaged_hours(n, sector, n.hours, n.cumulative, 0.0, m.stream)
        m.state.set_engaged(actor, True, hours, m.config.resources.time_stock_weeks)
        self.started += 1

    def disengage(self, actor: int) -> None:
        """`actor` stops: no more time for neighbourhood work, out of its open cooperations."""
        m = self.model
        m.state.set_engaged(actor, False, 0.0, m.config.resources.time_stock_weeks)
        m.cooperations.leave(actor)
        self.ended += 1


@kernel
def draw_changes(actors, size, end, start, source):
    """`changes` with one uniform per actor drawn from the model's stream."""
    return changes(actors, generator(source).random(size), end, start)


@kernel
def changes(actors, draws, end, start):
    """Of the active residents i < len(draws): the engaged whose draw is below `end` (they
    stop) and the others whose draw is below `start` (they start), each in index order."""
    ending = np.empty(len(draws), dtype=np.int64)
    starting = np.empty(len(draws), dtype=np.int64)
    n_ending = n_starting = 0
    for i in range(len(draws)):
        if not (actors.active[i] and actors.sector[i] == RESIDENTS):
            continue
        if actors.engaged[i]:
            if draws[i] < end:
                ending[n_ending] = i
                n_ending += 1
        elif draws[i] < start:
            starting[n_starting] = i
            n_starting += 1
    return ending[:n_ending], starting[:n_starting]
