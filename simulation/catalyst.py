"""The network catalyst (Netzwerk-Katalysator): its life and its five functions (M7).

A role held by one actor: the initiative's lead, the QM office, or an independent person who
joins the neighbourhood for it (`catalyst.holder`). Its life: whether it is there
(`catalyst.mode`: absent, present, a start phase after which the role ends, or leaving at a
year), and who takes over when its holder leaves or the QM office closes. The same events
mean the same in every regime: "the role ends" (the holder stays, with its ties), "the person
leaves" (its own ties go: a resident or independent person leaves the neighbourhood; an
organisation holding the role stays, but its contact person changes and part of its ties go),
"the office closes" (the programme's end).

Its time: `catalyst.hours` a week, taken from the holder's own time (a volunteer lead's hours,
a QM's paid hours) or, with `catalyst.time = "paid"`, paid on top, so that exposure can be
made equal across regimes. Its functions, each switchable, act only through what it knows —
its contacts and the cooperations its contacts are in: content impulses (a contact takes up a
project idea), introductions (two of its contacts meet; as tertius iungens it keeps both ties
warm: Obstfeld 2005; network weaving: Krebs & Holley), bringing newcomers in (a peripheral
or not yet engaged contact of a contact is drawn in and may start taking part), finding
supporters (a contact with the lacking resources joins a stalled cooperation), and overcoming
lulls (when activity falls below the neighbourhood's own recent level, it revives stalled
cooperations with real partners and calls an extra open meeting). The seed; Zimmer 2017.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation.compiled import fixed_kind, kernel
from simulation.config import TIME, WEEKS_PER_MONTH, WEEKS_PER_YEAR, MeetingFormat
from simulation.cooperations import join_cooperation
from simulation.meetings import MeetingStructure
from simulation.population import QM, RESIDENTS
from simulation.streams import generator
from simulation.ties import NO_RATES, OWN, PROGRAMME, contact_pairs, find, second_neighbours

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

INDEPENDENT_ENGAGEMENT = 0.9
"""Engagement of an independent catalyst who joins the neighbourhood for the role."""
INDEPENDENT_CONTACTS = 4
"""Actors an independent catalyst knows when it arrives."""
YES_ABOVE_ENGAGEMENT = 0.3
"""A partner the catalyst asks to join says yes with chance engagement + this."""


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
        self._recent: deque[int] = deque(maxlen=self.config.lull_window_weeks)
        self._independent = -1  # an independent person who joined for the role
        c = self.config
        self._per_week = {  # the mean number of each function's actions a week
            f: getattr(c, f"{f}_per_month") / WEEKS_PER_MONTH
            for f in ("impulses", "introductions", "newcomers")
        }
        self._revival_ask = AskRules(float(c.action_hours), False)
        self._support_rules = SupportRules(
            int(c.stall_weeks),
            int(c.supporters_per_cooperation),
            AskRules(float(c.action_hours), True),
        )

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
            self._independent = self._independent_person()
            self.hand_to(self._independent)
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
        """The person holding the role leaves, with its own ties: a resident or independent
        person leaves the neighbourhood; an organisation holding the role (the QM office)
        stays, but its contact person changes (part of its ties go, `turnover.change_staff`)
        and the role ends. With `catalyst.successor` its strongest contact outside the QM
        takes over."""
        m, holder = self.model, self.holder
        if holder < 0:
            return
        m.note("catalyst_leaves", holder)
        successor = -1
        if self.config.successor:
            successor = m.ties.strongest_contact(holder, m.week, m.state.sector != QM)
        if self.is_person(holder):
            m.remove_actor(holder)
        else:
            self.stop()
            m.turnover.change_staff(holder)
        if successor >= 0:
            self.hand_to(successor)

    def is_person(self, actor: int) -> bool:
        """A resident or the independent catalyst is a person; the rest are organisations."""
        return actor == self._independent or self.model.state.sector[actor] == RESIDENTS

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
        if not m.state.data.active[self.holder]:
            self.stop()
            return
        self.budget = min(self.budget + self._hours_this_week(), 4 * c.hours)
        self._recent.append(m.cooperations.n_running)
        rng, per_week = m.rng, self._per_week
        if c.lulls:
            self.overcome_lull()
        if c.supporters:
            self.find_supporter()
        if c.impulses:
            for _ in range(rng.poisson(per_week["impulses"])):
                self.set_impulse()
        if c.introductions:
            for _ in range(rng.poisson(per_week["introductions"])):
                self.introduce()
        if c.newcomers:
            for _ in range(rng.poisson(per_week["newcomers"])):
                self.bring_newcomer()

    def _hours_this_week(self) -> float:
        """`hours`, paid on top or taken from the holder's own time (as far as it has any)."""
        c, m = self.config, self.model
        if c.time == "paid":
            return c.hours
        taken = min(c.hours, float(m.state.data.stock[self.holder, TIME]))
        m.state.spend_time(self.holder, taken)
        return taken

    def _can_spend(self) -> bool:
        """Whether this week's budget still holds an action's hours."""
        return self.budget >= self.config.action_hours

    def _spend(self) -> bool:
        if not self._can_spend():
            return False
        self.budget -= self.config.action_hours
        return True

    def _origin(self) -> int:
        """Ties it makes are the programme's while the QM office holds the role."""
        return PROGRAMME if self.model.state.data.sector[self.holder] == QM else OWN

    def _known_stalled(self) -> np.ndarray:
        """The stalled running cooperations it knows of (compiled: `known_stalled`)."""
        m = self.model
        return known_stalled(
            m.cooperations.data,
            m.ties.adjacency.data,
            self.holder,
            m.cooperations.running_ids(),
            self.config.stall_weeks,
        )

    def _ask(self, k: int) -> bool:
        """Ask the best partner for `k` to join as a partner that revives it, asked and
        answered in one compiled step (`ask_to_join`); True if it joined."""
        m, book = self.model, self.model.cooperations
        partner, outcome, self.budget, *joined = ask_to_join(
            book.data,
            m.state.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            self.holder,
            k,
            self._revival_ask,
            float(self.budget),
            book.joining(),
            m.stream,
        )
        self._settle(k, partner, outcome, joined, supporter=False)
        return outcome != DECLINED

    def _settle(self, k: int, partner: int, outcome: int, joined: list, supporter: bool) -> None:
        """After an ask: the new member's contacts that waited for room are made; or, if the
        cooperation's roster was full, the partner joins the Python way (widening it)."""
        book = self.model.cooperations
        if outcome == JOINED:
            book.contacts_left(*joined)
        elif outcome == ACCEPTED:
            book.join(int(k), int(partner), supporter)

    # -- the five functions ---------------------------------------------------------------
    def set_impulse(self) -> None:
        """Content impulse: a contact with spare capacity takes up a project idea (compiled:
        `impulse_taken`)."""
        m = self.model
        free, actor = impulse_taken(
            m.state.data,
            m.ties.adjacency.data,
            self.holder,
            m.config.cooperation.min_spare_hours,
            self._can_spend(),
            m.stream,
        )
        if not free or not self._spend():
            return
        if actor >= 0:
            m.actor(int(actor)).propose_cooperation(seeded=True)
            self.actions["impulses"] += 1

    def introduce(self) -> None:
        """Tertius iungens: two of its contacts who do not know each other meet; its own ties
        to both gain `broker_gain` (it stays in the middle of what it wove; compiled:
        `introduction`)."""
        m = self.model
        ties = m.ties
        origin = self._origin()
        meeting = ties.batch(0.0, m.week, origin=origin)
        broker = ties.batch(self.config.broker_gain, m.week, origin=origin)
        pair, stopped, ends, stopped_broker = introduction(
            ties.slots.data,
            ties.adjacency.data,
            self.holder,
            self._can_spend(),
            meeting,
            broker,
            m.stream,
        )
        if stopped < 0 or not self._spend():  # no pair of strangers, or no time
            return
        ties.resume(pair[:1], pair[1:], meeting, NO_RATES, stopped)
        if stopped_broker < 0:  # not begun: the pair's contact had to wait for room
            ties.contact(ends, pair, broker, NO_RATES)
        else:
            ties.resume(ends, pair, broker, NO_RATES, stopped_broker)
        self.actions["introductions"] += 1

    def bring_newcomer(self) -> None:
        """Draw in someone a contact knows who is at the edge (at most one tie) or not yet
        engaged: it meets the catalyst, and starts taking part with chance `persuasion`
        (compiled: `newcomer_drawn_in`)."""
        m = self.model
        s = m.state
        how = m.ties.batch(0.0, m.week, origin=self._origin())
        reach, newcomer, stopped, persuaded = newcomer_drawn_in(
            s.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            self.holder,
            self._can_spend(),
            self.config.persuasion,
            how,
            m.stream,
        )
        if not reach or not self._spend():
            return
        newcomer = int(newcomer)
        m.ties.resume(np.array([newcomer]), np.array([self.holder]), how, NO_RATES, stopped)
        if persuaded:
            m.engagement.engage(newcomer)
        if s.engaged[newcomer]:
            s.inspire(newcomer, m.config.cooperation.inspiration_gain)
            s.mark_active(newcomer, m.week)
        self.actions["newcomers"] += 1

    def in_lull(self) -> bool:
        """Fewer cooperations run than `lull_share` of the mean over the recent weeks."""
        recent = self._recent
        if len(recent) < recent.maxlen // 2:
            return False
        return recent[-1] < self.config.lull_share * (sum(recent) / len(recent))

    def overcome_lull(self) -> None:
        """In a lull: revive the stalled cooperations it knows of with a partner who has what
        they lack, and call an extra open meeting (once a quarter)."""
        m = self.model
        if not self.in_lull():
            return
        for k in self._known_stalled().tolist():
            if self._ask(k):
                m.cooperations.revive(k)
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
        """For the known cooperation stalled longest (with fewer than
        `supporters_per_cooperation` supporters), ask a contact with what it lacks; asked
        and answered in one compiled step (`support`), joining too unless the cooperation's
        roster must first grow."""
        m, book = self.model, self.model.cooperations
        k, partner, outcome, self.budget, *joined = support(
            book.data,
            m.state.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            self.holder,
            book.running_ids(),
            self._support_rules,
            float(self.budget),
            book.joining(),
            m.stream,
        )
        self._settle(k, partner, outcome, joined, supporter=True)
        if outcome != DECLINED:
            self.actions["supporters"] += 1


# -- compiled ---------------------------------------------------------------------------------


@kernel
def best_partner(book, actors, ties, adj, holder, k):
    """The holder's informed contact, engaged, free and not a member of `k`, with the most of
    what `k` needs (its stocks over the need, summed); the first of equals; -1 if none."""
    best, most = -1, -np.inf
    for p in range(adj.degree[holder]):
        x = adj.nbr[holder, p]
        if not ties.informed[adj.nslot[holder, p]]:
            continue
        if not (actors.load[x] < actors.capacity[x] and actors.active[x] and actors.engaged[x]):
            continue
        member = False
        for q in range(book.n_members[k]):
            member |= book.roster[k, q] == x
        if member:
            continue
        wealth = 0.0
        for r in range(book.need.shape[1]):
            if book.need[k, r] > 0:
                wealth += actors.stock[x, r] / max(book.need[k, r], 1e-9)
        if wealth > most:
            best, most = x, wealth
    return best


@kernel
def known_stalled(book, adj, holder, running, stall_weeks):
    """Of the `running` cooperations (in their order), those stalled at least `stall_weeks`
    that the holder knows of: it or one of its contacts is a member."""
    known = np.zeros(len(adj.degree), dtype=np.bool_)
    known[holder] = True
    for p in range(adj.degree[holder]):
        known[adj.nbr[holder, p]] = True
    found = np.empty(len(running), dtype=np.int64)
    n = 0
    for r in range(len(running)):
        k = running[r]
        if book.shortage[k] < stall_weeks:
            continue
        for q in range(book.n_members[k]):
            if known[book.roster[k, q]]:
                found[n] = k
                n += 1
                break
    return found[:n]


@fixed_kind
class AskRules(NamedTuple):
    """How the catalyst asks a partner to join (`ask_to_join`): an action's hours, and
    whether the partner joins as a supporter (or as a partner that revives a cooperation)."""

    action_hours: float
    supporter: bool


@fixed_kind
class SupportRules(NamedTuple):
    """What `support` needs of `catalyst.*`: how long a cooperation must have lacked
    something to count as stalled, the most supporters one gets, and how it asks."""

    stall_weeks: int
    most_supporters: int
    ask: AskRules


DECLINED, JOINED, ACCEPTED = 0, 1, 2
"""How an ask (`ask_to_join`) ended: nobody joined (none wanted or found, no time, or the
partner said no), the partner joined, or it said yes but the roster has no room (the caller
widens it)."""


@kernel
def support(book, actors, ties, adj, holder, running, rules, budget, how, source):
    """Finding a supporter, compiled: the cooperation that needs one most (`most_stalled`),
    whose best partner the holder asks to join as a supporter (`ask_to_join`). Returns the
    cooperation (-1: none) and what `ask_to_join` returns."""
    k = most_stalled(book, adj, holder, running, rules.stall_weeks, rules.most_supporters)
    if k < 0:
        none = np.empty(0, dtype=np.int64)
        return k, -1, DECLINED, budget, none, none, 0, how.origin
    asked = ask_to_join(book, actors, ties, adj, holder, k, rules.ask, budget, how, source)
    partner, outcome, left, pairs_i, pairs_j, stopped, origin = asked
    return k, partner, outcome, left, pairs_i, pairs_j, stopped, origin


@kernel
def ask_to_join(book, actors, ties, adj, holder, k, ask, budget, how, source):
    """The holder asks the partner with the most of what `k` needs (`best_partner`): if there
    is one and the `budget` holds an action (`ask.action_hours`), it is spent, the partner
    says yes with chance engagement + `YES_ABOVE_ENGAGEMENT` (a uniform from the model's
    stream) and, if yes, joins (`join_cooperation`, batch `how`; as a supporter if
    `ask.supporter`). Returns the
    partner, the outcome (`DECLINED`, `JOINED`, `ACCEPTED`: it said yes but the roster has
    no room, the caller widens it), the budget left, the new member's pairs, where their
    contacts stopped and their origin."""
    none, origin = np.empty(0, dtype=np.int64), how.origin
    partner = best_partner(book, actors, ties, adj, holder, k)
    if partner < 0 or budget < ask.action_hours:
        return partner, DECLINED, budget, none, none, 0, origin
    budget -= ask.action_hours
    if generator(source).random() >= actors.engagement[partner] + YES_ABOVE_ENGAGEMENT:
        return partner, DECLINED, budget, none, none, 0, origin
    if book.n_members[k] == book.roster.shape[1]:
        return partner, ACCEPTED, budget, none, none, 0, origin
    joined = join_cooperation(book, actors, ties, adj, k, partner, how, ask.supporter)
    pairs_i, pairs_j, stopped, origin = joined
    return partner, JOINED, budget, pairs_i, pairs_j, stopped, origin


@kernel
def most_stalled(book, adj, holder, running, stall_weeks, most_supporters):
    """Of the stalled cooperations the holder knows of (see `known_stalled`) with fewer than
    `most_supporters` supporters, the one stalled longest (the first of equals); -1 if none."""
    best, longest = -1, -1
    for k in known_stalled(book, adj, holder, running, stall_weeks):
        if book.supporters[k] < most_supporters and book.shortage[k] > longest:
            best, longest = k, book.shortage[k]
    return best


@kernel
def impulse_taken(actors, adj, holder, min_spare, can_spend, source):
    """A content impulse: of the holder's contacts (in adjacency order) those engaged, with
    room for a cooperation and `min_spare` hours; if there are any and it `can_spend` the
    time, one drawn at random (from the model's stream) takes the idea up with chance
    engagement + inspiration (a uniform). Returns how many were free and who takes the idea
    up (-1: nobody)."""
    free = np.empty(adj.degree[holder], dtype=np.int64)
    n = 0
    for p in range(adj.degree[holder]):
        x = adj.nbr[holder, p]
        room = actors.load[x] < actors.capacity[x]
        if actors.engaged[x] and room and actors.stock[x, TIME] >= min_spare:
            free[n] = x
            n += 1
    if n == 0 or not can_spend:
        return n, -1
    draw = generator(source)
    actor = free[draw.integers(0, n)]
    if draw.random() < actors.engagement[actor] + actors.inspiration[actor]:
        return n, actor
    return n, -1


@kernel
def introduction(ties, adj, holder, can_spend, meeting, broker, source):
    """Tertius iungens: two of the holder's contacts drawn at random (two integers from the
    model's stream); if they do not know each other and it `can_spend` the time, they meet
    (batch `meeting`), then the holder meets both (batch `broker`). Returns the pair, where
    their contact stopped for want of room (-1: no introduction), the holder twice, and
    where its contacts stopped (-1: not begun, the pair's contact is waiting for room)."""
    pair = np.empty(2, dtype=np.int64)
    ends = np.full(2, holder, dtype=np.int64)
    degree = adj.degree[holder]
    if degree < 2:
        return pair, -1, ends, -1
    draw = generator(source)
    first, second = draw.integers(0, degree), draw.integers(0, degree - 1)
    pair[0] = adj.nbr[holder, first]
    pair[1] = adj.nbr[holder, second + (second >= first)]
    if find(adj, pair[0], pair[1]) >= 0 or not can_spend:
        return pair, -1, ends, -1
    stopped = contact_pairs(ties, adj, pair[:1], pair[1:], np.zeros(0), 0, meeting)[1]
    if stopped < 1:
        return pair, stopped, ends, -1
    return pair, stopped, ends, contact_pairs(ties, adj, ends, pair, np.zeros(0), 0, broker)[1]


@kernel
def newcomer_drawn_in(actors, ties, adj, holder, can_spend, persuasion, how, source):
    """Someone at the edge drawn in: of the actors two steps from the holder
    (`second_neighbours`), those active with at most one tie or not engaged; if there are
    any and it `can_spend` the time, one drawn at random (from the model's stream) meets
    the holder (batch `how`) and, if not engaged, is persuaded to take part with chance
    `persuasion` (a uniform). Returns how many were in reach, the newcomer, where its contact
    stopped for want of room, and whether it was persuaded."""
    if adj.degree[holder] == 0:
        return 0, -1, 0, False
    reach = second_neighbours(adj, holder)
    n = 0
    for x in reach:
        if actors.active[x] and (adj.degree[x] <= 1 or not actors.engaged[x]):
            reach[n] = x
            n += 1
    if n == 0 or not can_spend:
        return n, -1, 0, False
    draw = generator(source)
    newcomer = reach[draw.integers(0, n)]
    pair_i = np.full(1, newcomer, dtype=np.int64)
    pair_j = np.full(1, holder, dtype=np.int64)
    stopped = contact_pairs(ties, adj, pair_i, pair_j, np.zeros(0), 0, how)[1]
    persuaded = not actors.engaged[newcomer] and draw.random() < persuasion
    return n, newcomer, stopped, persuaded
