"""Turnover: actors leave and arrive; organisations stay, their contact persons change (M10).

Per sector (`turnover.sectors.<sector>`): each week an active actor leaves with the weekly
chance of `leave_rate_per_year`; newcomers arrive as Poisson(`arrival_rate_per_year` × the
sector's starting actors / 52) a week, with no ties. Residents (and residents' groups) may
also drop out: with `drops_out_when_idle`, an actor in no cooperation and without any activity
for more than `turnover.max_inactive_weeks` leaves (checked monthly; Team Assembly's
max-downtime). Organisations — schools, housing companies, associations — do not vanish for
being inactive: what changes is their contact person. With the weekly chance of
`staff_change_per_year` an organisation's contact person changes: each of its ties outlasts
the change with chance `turnover.ties_kept_on_staff_change` (the rest were the former
person's own), and whether the organisation takes part is drawn again (`engaged_share`).

The catalyst holder neither leaves nor changes its contact person by turnover while it holds
the role, in every regime alike: its leaving is the catalyst's own event (`catalyst.mode =
"leaves"`). No source gives these rates for neighbourhood actors: they are parameters for
calibration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.compiled import kernel
from simulation.config import SECTORS, WEEKS_PER_YEAR
from simulation.engagement import weekly_chance
from simulation.streams import generator
from simulation.ties import remove_slots

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel


class Turnover:
    """Leavers, newcomers, idle drop-outs and staff changes; built after the starting actors,
    whose numbers per sector set the arrival rates."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = c = model.config.turnover
        rules = [c.of(sector) for sector in SECTORS]
        starting = np.bincount(model.state.view("sector"), minlength=len(SECTORS))
        self.start_size = int(starting.sum())
        self._leave = np.array([weekly_chance(r.leave_rate_per_year) for r in rules])
        self._change = np.array([weekly_chance(r.staff_change_per_year) for r in rules])
        self._idle_out = np.array([r.drops_out_when_idle for r in rules])
        arrivals = np.array([r.arrival_rate_per_year for r in rules]) * starting
        self._arrivals = (arrivals / WEEKS_PER_YEAR).tolist()  # weekly, by sector code
        self.staff_changes = 0

    def week(self) -> None:
        """Some actors leave, contact persons change, newcomers arrive."""
        m = self.model
        s = m.state
        leaving, changing = draw_leavers(s.data, s.size, self._leave, self._change, m.stream)
        for i in leaving.tolist():
            if not m.catalyst.holds(i):
                m.actor(i).leave()
        for i in changing.tolist():
            if not m.catalyst.holds(i):
                self.change_staff(i)
        # all sectors' draws first (a rate of 0 draws nothing), as one Poisson draw per sector
        arrivals = [m.rng.poisson(rate) if rate > 0 else 0 for rate in self._arrivals]
        for code, count in enumerate(arrivals):
            for _ in range(count):
                m.add_actor(SECTORS[code], f"newcomer_{s.size + 1}")

    def change_staff(self, actor: int) -> None:
        """A new contact person: some ties go, engagement is drawn again (compiled:
        `staff_change`)."""
        m = self.model
        share = float(m.newcomers.engaged_share[m.state.sector[actor]])
        engaged = staff_change(
            m.ties.slots.data,
            m.ties.adjacency.data,
            actor,
            self.config.ties_kept_on_staff_change,
            share,
            m.stream,
        )
        if engaged != bool(m.state.engaged[actor]):
            if engaged:
                m.engagement.engage(actor)
            else:
                m.engagement.disengage(actor)
        self.staff_changes += 1

    def drop_idle(self) -> None:
        """Monthly: actors of sectors that drop out, in no cooperation and inactive too long,
        leave."""
        m, s = self.model, self.model.state
        week, most = float(m.week), self.config.max_inactive_weeks
        for i in idle_actors(s.data, s.size, self._idle_out, week, most).tolist():
            if not m.catalyst.holds(i):
                m.actor(i).leave()


@kernel
def idle_actors(actors, size, drops_out, week, most_weeks):
    """Active actors i < `size` of sectors that drop out when idle (`drops_out`, by sector
    code), in no cooperation and inactive for more than `most_weeks` weeks before `week`, in
    index order."""
    found = np.empty(size, dtype=np.int64)
    n = 0
    for i in range(size):
        idle = week - actors.last_active[i] > most_weeks and actors.load[i] == 0
        if actors.active[i] and drops_out[actors.sector[i]] and idle:
            found[n] = i
            n += 1
    return found[:n]


@kernel
def draw_leavers(actors, size, leave, change, source):
    """`leavers` with one uniform per actor drawn from the model's stream."""
    return leavers(actors, generator(source).random(size), leave, change)


@kernel
def leavers(actors, draws, leave, change):
    """Of the active actors i < len(draws): those who leave (draw below their sector's weekly
    chance `leave`) and, of the others, those whose contact person changes (draw above 1 −
    their sector's `change`)."""
    leaving = np.empty(len(draws), dtype=np.int64)
    changing = np.empty(len(draws), dtype=np.int64)
    n_leaving = n_changing = 0
    for i in range(len(draws)):
        if not actors.active[i]:
            continue
        sector = actors.sector[i]
        if draws[i] < leave[sector]:
            leaving[n_leaving] = i
            n_leaving += 1
        elif draws[i] > 1 - change[sector]:
            changing[n_changing] = i
            n_changing += 1
    return leaving[:n_leaving], changing[:n_changing]


@kernel
def staff_change(ties, adj, actor, kept, share, source):
    """A new contact person of `actor`: each of its ties outlasts the change with chance
    `kept` (one uniform per tie, in adjacency order, from the model's stream), the others are
    deleted; returns whether the organisation now takes part (one more uniform below
    `share`)."""
    draw = generator(source)
    n = adj.degree[actor]
    lost = np.empty(n, dtype=np.int64)
    u = draw.random(n)
    g = 0
    for p in range(n):
        if u[p] >= kept:
            lost[g] = adj.nslot[actor, p]
            g += 1
    remove_slots(ties, adj, lost[:g])
    return draw.random() < share
