"""The network catalyst (Netzwerk-Katalysator): its life and its four functions (M7).

A role held by one actor with its own weekly time budget. Its life: who holds it
(`catalyst.holder`: the initiative's lead, the QM office, or an independent person who joins
the neighbourhood for it), whether it is there (`catalyst.mode`: absent, present, a start
phase, or leaving at a year), and who takes over when its holder leaves or the QM office
closes. Each week it spends its budget on the functions the seed names, each switchable:
content impulses (it seeds a project idea at a contact), bringing new actors in (tertius
iungens: it introduces two of its contacts who do not know each other, or draws a peripheral
actor in), overcoming lulls (when few cooperations run it revives stalled ones and calls an
extra meeting), finding supporters (it links a cooperation short of resources with a
resource-rich actor it knows). Obstfeld 2005; Krebs & Holley; Zimmer 2017; the seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.config import TIME, WEEKS_PER_MONTH, WEEKS_PER_YEAR, MeetingFormat
from simulation.meetings import MeetingStructure
from simulation.population import QM

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

INDEPENDENT_ENGAGEMENT = 0.9
"""Engagement of an independent catalyst who joins the neighbourhood for the role."""
INDEPENDENT_CONTACTS = 4
"""Actors an independent catalyst knows when it arrives."""


class Catalyst:
    """The catalyst role: who holds it, its budget, its events, and what it did."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = model.config.catalyst
        self.holder = -1
        self.active = False
        self.budget = 0.0
        self.actions = {
            "impulses": 0,
            "introductions": 0,
            "newcomers": 0,
            "revivals": 0,
            "extra_meetings": 0,
            "supporters": 0,
        }
        self._last_extra_meeting = -np.inf
        self._extra: MeetingStructure | None = None

    # -- its life -----------------------------------------------------------------------------
    def appoint(self) -> None:
        """At the start: the role goes to its holder (unless the catalyst is absent). A QM
        holder takes it when the office opens (`office_opened`)."""
        c, m = self.config, self.model
        if c.mode == "absent":
            self.hand_to(-1)
        elif c.holder == "qm":
            self.hand_to(m.programme.qm)
        elif c.holder == "independent" or not m.initiative_members:
            self.hand_to(self._independent_person())
        else:
            self.hand_to(m.initiative_members[0])

    def _independent_person(self) -> int:
        """An engaged person who joins the neighbourhood for the role, knowing a few actors."""
        m = self.model
        i = m.add_actor("civil_society", "catalyst")
        m.state.engagement[i] = INDEPENDENT_ENGAGEMENT
        others = m.state.active_ids()
        others = others[others != i]
        if len(others):
            chosen = m.rng.choice(
                others, size=min(INDEPENDENT_CONTACTS, len(others)), replace=False
            )
            m.ties.meet(np.full(len(chosen), i), chosen, gain=0.0, t=m.week)
        return i

    def schedule(self) -> None:
        """Its events: the end of the start phase, or the holder's leaving."""
        c, m = self.config, self.model
        if c.mode == "start_phase":
            m.schedule_event(self.stop, at=max(1.0, c.start_phase_years * WEEKS_PER_YEAR))
        elif c.mode == "leaves":
            m.schedule_event(self.leave, at=max(1.0, c.leave_year * WEEKS_PER_YEAR))

    def office_opened(self, qm: int) -> None:
        """The programme's QM office opened: a QM holder takes the role."""
        if self.config.holder == "qm" and self.config.mode != "absent":
            self.hand_to(qm)

    def office_closing(self, qm: int, successor: int) -> None:
        """The QM office closes; if it held the role, `successor` (or nobody, -1) takes it."""
        if self.active and self.holder == qm:
            self.hand_to(successor)

    def leave(self) -> None:
        """The catalyst person leaves (a QM holder only gives up the role; the office stays);
        with `catalyst.successor`, its strongest contact outside the QM takes over."""
        m, holder = self.model, self.holder
        if holder < 0:
            return
        m.note("catalyst_leaves", holder)
        successor = -1
        if self.config.successor:
            successor = m.ties.strongest_contact(holder, m.week, m.state.sector != QM)
        if m.state.sector[holder] == QM:
            self.stop()
        else:
            m.remove_actor(holder)
        if successor >= 0:
            self.hand_to(successor)

    def stop(self) -> None:
        """The role ends: the catalyst no longer acts."""
        if self.active:
            self.model.note("catalyst_ends", self.holder)
        self.active = False
        self.holder = -1

    def hand_to(self, actor: int) -> None:
        """`actor` takes the role over (-1: nobody)."""
        changed = actor != self.holder or not self.active
        self.holder = actor
        self.active = actor >= 0
        if self.active and changed:
            self.model.note("catalyst", actor)

    def holds(self, actor: int) -> bool:
        return self.active and actor == self.holder

    # -- a week's work ------------------------------------------------------------------------
    def act(self) -> None:
        """One week of catalyst work within its time budget."""
        if not self.active:
            return
        m, c = self.model, self.config
        if not m.state.active[self.holder]:
            self.stop()
            return
        self.budget = min(self.budget + c.hours, 4 * c.hours)
        rng = m.rng
        if c.lulls and m.cooperations.n_running < c.lull_threshold:
            self.overcome_lull()
        if c.supporters:
            self.find_supporter()
        if c.impulses:
            for _ in range(rng.poisson(c.impulses_per_month / WEEKS_PER_MONTH)):
                self.set_impulse()
        if c.bring_in:
            for _ in range(rng.poisson(c.introductions_per_month / WEEKS_PER_MONTH)):
                self.bring_in()

    def _spend(self) -> bool:
        if self.budget < self.config.action_hours:
            return False
        self.budget -= self.config.action_hours
        return True

    def _contacts(self) -> np.ndarray:
        return self.model.ties.contacts_of(self.holder)

    # -- the four functions -----------------------------------------------------------------
    def set_impulse(self) -> None:
        """Content impulse: a contact with spare capacity takes up a project idea."""
        m = self.model
        s = m.state
        contacts = self._contacts()
        if not len(contacts):
            return
        free = contacts[
            s.engaged[contacts]
            & (s.load[contacts] < s.capacity[contacts])
            & (s.stock[contacts, TIME] >= m.config.cooperation.min_spare_hours)
        ]
        if not len(free) or not self._spend():
            return
        actor = int(free[m.rng.integers(len(free))])
        if m.rng.random() < s.engagement[actor] + s.inspiration[actor]:
            m.actor(actor).propose_cooperation(seeded=True)
            self.actions["impulses"] += 1

    def bring_in(self) -> None:
        """Tertius iungens: introduce two unacquainted contacts, or draw in a peripheral actor."""
        m = self.model
        contacts = self._contacts()
        if len(contacts) >= 2 and m.rng.random() < 0.5:
            first, second = m.rng.integers(len(contacts)), m.rng.integers(len(contacts) - 1)
            a, b = int(contacts[first]), int(contacts[second + (second >= first)])
            if m.ties.slot(a, b) < 0 and self._spend():
                m.ties.meet(np.array([a]), np.array([b]), gain=0.0, t=m.week)
                self.actions["introductions"] += 1
            return
        s = m.state
        n = s.size
        peripheral = np.flatnonzero(s.active[:n] & (m.ties.degree[:n] <= 1))
        peripheral = peripheral[peripheral != self.holder]
        if not len(peripheral) or not self._spend():
            return
        newcomer = int(peripheral[m.rng.integers(len(peripheral))])
        partners = [self.holder] + (
            [int(contacts[m.rng.integers(len(contacts))])] if len(contacts) else []
        )
        m.ties.meet(np.full(len(partners), newcomer), np.array(partners), gain=0.0, t=m.week)
        if not s.engaged[newcomer]:
            m.engagement.engage(newcomer)
        s.inspire(newcomer, m.config.cooperation.inspiration_gain)
        s.mark_active(newcomer, m.week)
        self.actions["newcomers"] += 1

    def overcome_lull(self) -> None:
        """In a lull: revive stalled cooperations and call an extra meeting (once a quarter)."""
        m = self.model
        book = m.cooperations
        for k in book.running:
            if book.shortage[k] > 0 and self._spend():
                book.revive(k)
                self.actions["revivals"] += 1
        if m.week - self._last_extra_meeting >= 13 and self.budget >= 2 * self.config.action_hours:
            self.budget -= 2 * self.config.action_hours
            self._last_extra_meeting = m.week
            self.extra_meeting().hold()
            self.actions["extra_meetings"] += 1

    def extra_meeting(self) -> MeetingStructure:
        """A one-off open meeting hosted by the catalyst."""
        if self._extra is None:
            spec = MeetingFormat(
                name="catalyst meeting",
                kind="round_table",
                host="catalyst",
                interval_weeks=13,
                capacity=40,
                attendance=0.5,
            )
            self._extra = MeetingStructure(self.model, spec)
        return self._extra

    def find_supporter(self) -> None:
        """Link the cooperation most short of resources with a resource-rich actor it knows."""
        m = self.model
        book, s = m.cooperations, m.state
        running = book.running_ids()
        shortage = np.where(
            book.supporters[running] < self.config.supporters_per_cooperation,
            book.shortage[running],
            0,
        )
        if not len(running) or shortage.max() <= 0:
            return
        k = int(running[np.argmax(shortage)])
        contacts = self._contacts()
        if not len(contacts):
            return
        slots = m.ties.slots_of(np.full(len(contacts), self.holder), contacts)
        known = contacts[m.ties.informed[slots]]
        outside = (known[:, None] != book.group(k)).all(axis=1)  # not already a member
        known = known[outside & (s.load[known] < s.capacity[known]) & s.active[known]]
        known = known[s.engaged[known]]
        if not len(known) or not self._spend():
            return
        need = book.need[k] > 0
        wealth = (s.stock[known][:, need] / np.maximum(book.need[k][need], 1e-9)).sum(axis=1)
        supporter = int(known[np.argmax(wealth)])
        if m.rng.random() < s.engagement[supporter] + 0.3:
            book.add_supporter(k, supporter)
            self.actions["supporters"] += 1
