"""The funding programme 'Soziale Stadt' and its exit (M8).

While funded, a neighbourhood management office (QM) with paid time hosts the programme's
forum, and a neighbourhood fund (a budget a year, a cap per project) tops up cooperations
short of money. In the last `transition_years` QM time and the fund decline linearly
(degressive). At the end the fund closes, the QM office leaves and the programme's meetings
stop, unless Verstetigung measures keep an anchor place, hand coordination to a local actor,
or keep a small fund.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.time import Schedule

from simulation.compiled import kernel
from simulation.config import MONEY, WEEKS_PER_YEAR
from simulation.population import CIVIL_SOCIETY, PUBLIC, QM
from simulation.ties import PROGRAMME

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

OFFICE_CONTACTS = 3
"""Public or civil-society actors the QM office is introduced to when it opens."""


class Programme:
    """Funding, the QM office and the neighbourhood fund over the programme's life."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = model.config.programme
        self.enabled = self.config.enabled
        self.qm: int = -1
        self.funded = False
        self.ended = False  # a funding period has ended (the small fund may go on)
        self._period_end = 0.0
        self._paused: list = []  # meetings it paid for that stopped when funding ended
        self.fund_balance = 0.0
        self.fund_spent = 0.0
        self.cap_per_project = self.config.fund_cap_per_project
        self._qm_income = None

    # -- schedule -----------------------------------------------------------------------------
    def schedule(self) -> None:
        """Register the programme's periods (start and end) and its yearly budget as events."""
        if not self.enabled:
            return
        m, c = self.model, self.config
        for start_year, end_year in c.periods():
            start, end = start_year * WEEKS_PER_YEAR, end_year * WEEKS_PER_YEAR
            if start <= 0:
                self.begin()
            else:
                m.schedule_event(self.begin, at=start)
            m.schedule_event(self.end, at=max(end, 1.0))
        first = c.start_year * WEEKS_PER_YEAR
        m.schedule_recurring(
            self.new_budget_year, Schedule(interval=WEEKS_PER_YEAR, start=max(first, 1.0))
        )

    def begin(self) -> None:
        """Funding starts (or starts again): a QM office opens; meetings the programme paid
        for when it ended come back, hosted by it."""
        if self.funded:
            return
        m = self.model
        self.funded = True
        self._period_end = self._end_of_period(m.week)
        self.qm = self._open_office(self.config.qm_staff)
        m.note("programme_start", self.qm)
        self._qm_income = m.state.income[self.qm].copy()
        m.catalyst.office_opened(self.qm)
        for meeting in self._paused:
            meeting.hand_to(meeting.spec.host)
            meeting.resume(self._period_end)
        self._paused = []

    def _end_of_period(self, week: float) -> float:
        """The end (in weeks) of the funding period that begins at `week`."""
        ends = [
            end * WEEKS_PER_YEAR
            for start, end in self.config.periods()
            if start * WEEKS_PER_YEAR <= week + 1e-9
        ]
        return ends[-1]

    def _open_office(self, staff: int) -> int:
        """The QM office joins with paid time for `staff` people, introduced to a few public
        and civil-society actors."""
        m = self.model
        s = m.state
        i = m.add_actor("qm", "Quartiersmanagement")
        s.income[i] *= max(staff, 1)
        s.cap[i] *= max(staff, 1)
        s.stock[i] = s.income[i]
        sector = s.view("sector")
        partners = np.flatnonzero(s.view("active") & np.isin(sector, [PUBLIC, CIVIL_SOCIETY]))
        if len(partners):
            chosen = m.rng.choice(partners, size=min(OFFICE_CONTACTS, len(partners)), replace=False)
            m.ties.meet(np.full(len(chosen), i), chosen, gain=0.0, t=m.week, origin=PROGRAMME)
        return i

    def degression(self, week: float) -> float:
        """Share of full funding at `week`: 1, then falling linearly to 0 over the transition."""
        end = self._period_end
        transition = self.config.transition_years * WEEKS_PER_YEAR
        if week >= end:
            return 0.0
        if transition <= 0 or week < end - transition:
            return 1.0
        return float((end - week) / transition)

    def new_budget_year(self) -> None:
        """Yearly: the fund gets its budget; the QM's paid time follows the degression."""
        week = self.model.week
        if self.funded:
            share = self.degression(week)
            self.fund_balance = self.config.fund_per_year * share
            if self.qm >= 0 and self._qm_income is not None:
                self.model.state.set_income(self.qm, self._qm_income * max(share, 0.0))
        elif self.ended:
            self.fund_balance = self.config.verstetigung.small_fund_per_year

    def end(self) -> None:
        """Funding ends: the fund closes, QM leaves, programme meetings stop or are anchored."""
        if not self.funded:
            return
        m, v = self.model, self.config.verstetigung
        self.funded, self.ended = False, True
        m.note("programme_end", self.qm)
        self.fund_balance = v.small_fund_per_year  # 0 without a small fund
        for meeting in m.meetings:
            if meeting.spec.programme or meeting.host_role == "qm":
                if v.anchor_place:
                    meeting.hand_to("anchor")
                elif v.coordination_handover and meeting.host_role == "qm":
                    meeting.hand_to("coordinator")
                elif meeting.running:
                    meeting.stop()
                    self._paused.append(meeting)
        qm, self.qm = self.qm, -1
        if v.coordination_handover:
            local = -1
            if qm >= 0:
                local = m.ties.strongest_contact(qm, m.week, m.state.sector != QM)
            m.coordinator_actor = local
            m.catalyst.office_closing(qm, successor=local)
        if qm >= 0:
            m.remove_actor(qm)

    # -- the fund -------------------------------------------------------------------------------
    def paid(self, granted: np.ndarray) -> None:
        """The fund paid `granted` this week (to the running cooperations, by `grants`;
        nothing when the fund is empty)."""
        if self.fund_balance <= 0:  # `grants` gives nothing from an empty fund
            return
        total = float(granted.sum())
        self.fund_balance -= total
        self.fund_spent += total


# -- compiled ---------------------------------------------------------------------------------


@kernel
def grants(book, ids, pooled, balance, cap):
    """The fund tops up the money the cooperations `ids` pooled this week (`pooled`, one row
    each) where it falls short of their weekly need: oldest cooperations first, each up to
    `cap` in all, together up to the fund's `balance` (nothing when it is empty). The grants
    are added to `pooled` and to what each has drawn; returns them."""
    granted = np.zeros(len(ids))
    if balance <= 0 or len(ids) == 0:
        return granted
    total, before = 0.0, 0.0
    for x in range(len(ids)):
        k = ids[x]
        room = max(cap - book.fund_drawn[k], 0.0)
        total += min(max(book.need[k, MONEY] - pooled[x, MONEY], 0.0), room)
        upto = min(total, balance)
        granted[x] = upto - before
        before = upto
    for x in range(len(ids)):
        book.fund_drawn[ids[x]] += granted[x]
        pooled[x, MONEY] += granted[x]
    return granted
