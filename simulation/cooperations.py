"""Cooperations: idea, forming, running, completed or failed (M4, M5, M6).

A cooperation is a union of actors who work together to realise a concrete project or goal
(Gliszczynski 2017, p. 7). Its state lives in the arrays of `CooperationArrays`, one row per
cooperation, its members in a roster (the row's first `size` entries, in the order they
joined). This module keeps the book and a cooperation's life — idea, start, close, members
leaving, money and supporters it receives; recruiting partners is in `recruiting.py`, the
weekly work and the monthly joint work in `work.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation import recruiting, work
from simulation.columns import Table, column
from simulation.compiled import fixed_kind, kernel
from simulation.config import COOPERATION_TYPES, RESOURCES, TIME
from simulation.population import QM, involved, with_ideas
from simulation.streams import generator
from simulation.ties import NO_RATES, OWN, PROGRAMME, Contact, contact_pairs, reinforce_group

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

FORMING, RUNNING, COMPLETED, FAILED, ABANDONED = range(5)
STATES = ("forming", "running", "completed", "failed", "abandoned")
ENDINGS = (
    "",
    "done",
    "given up",
    "too few members",
    "no coordination",
    "distrust",
    "not enough partners",
)
"""How a cooperation ended (`ended_by`); set by `work.advance` and on abandoning."""
INTENSIVE_FORMAL = COOPERATION_TYPES.index("intensive_formal")
FORMAL = np.array(["formal" in t and "informal" not in t for t in COOPERATION_TYPES])
NOT_GIVEN = np.zeros(0, dtype=np.int64)
"""No topics or types given for new ideas (`propose`)."""


class CooperationArrays(NamedTuple):
    """One row per cooperation (fresh rows are zero: FORMING, with an empty roster)."""

    kind: np.ndarray = column(np.int8)  # index of COOPERATION_TYPES
    topic: np.ndarray = column(np.int16)
    initiator: np.ndarray = column(np.int64)
    state: np.ndarray = column(np.int8)  # FORMING ... ABANDONED
    idea_week: np.ndarray = column(np.float64)
    start_week: np.ndarray = column(np.float64)  # -1 until it starts
    end_week: np.ndarray = column(np.float64)  # -1 until it ends
    duration: np.ndarray = column(np.float64)  # nominal weeks of work
    progress: np.ndarray = column(np.float64)  # share of the project done, 1 = complete
    shortage: np.ndarray = column(np.int32)  # consecutive weeks below the start-up threshold
    target: np.ndarray = column(np.int32)  # partners it looks for
    coordinator: np.ndarray = column(np.int64)  # member who coordinates, or -1
    clear_goals: np.ndarray = column(np.bool_)  # negotiated at the start
    coordinated: np.ndarray = column(np.bool_)  # has a coordinator role (negotiated at start)
    rescoped: np.ndarray = column(np.bool_)  # cut down its remaining work once
    ended_by: np.ndarray = column(np.int8)  # how it ended: see ENDINGS
    fund_drawn: np.ndarray = column(np.float64)  # money from the neighbourhood fund
    seeded: np.ndarray = column(np.bool_)  # the catalyst's content impulse
    supporters: np.ndarray = column(np.int32)  # members the catalyst found
    newcomers: np.ndarray = column(np.int32)  # members in their first cooperation
    forming_left: np.ndarray = column(np.int32)  # weeks of recruiting left
    at_risk: np.ndarray = column(np.bool_)  # mean tie among members below trust
    rate: np.ndarray = column(np.float64)  # progress a week at full resources
    need: np.ndarray = column(np.float64, len(RESOURCES))  # a week, whole project
    pooled: np.ndarray = column(np.float64, len(RESOURCES))  # pooled so far
    roster: np.ndarray = column(np.int64, "members", fill=-1)  # members, initiator first
    n_members: np.ndarray = column(np.int64)  # members in the roster
    pair_slots: np.ndarray = column(np.int64, "pairs", fill=-1)  # member pairs' tie slots


class TypeRules(NamedTuple):
    """What the idea kernel needs of the cooperation types and goals (see `propose`)."""

    cumulative: np.ndarray  # cumulative type weights
    weeks: np.ndarray  # (type, min/max)
    partners: np.ndarray  # (type, min/max)
    needs: np.ndarray  # (type, resource): need a week per planned member
    forming_weeks: int


class StructureRules(NamedTuple):
    """What the start of a cooperation needs to negotiate its goals and coordination."""

    goals: float  # chance of clear goals before effects, the scenario's lever included
    coordination: float  # chance of a coordinator role, likewise
    experience: float
    facilitation: float
    formality: float
    formal_kinds: np.ndarray  # bool per type: formal or not
    facilitation_weeks: int
    unclear_efficiency: float


# -- compiled ---------------------------------------------------------------------------------


@kernel
def start_work(book, actors, ids, rules, catalyst, week, by_type, source, forming, running):
    """The cooperations `ids` start in `week`: marked running and counted by type (in
    `by_type`), `negotiate` with two uniforms each drawn from the model's stream, then
    `count_members`. Returns the `forming` ids without them and the `running` ids with them
    after the others."""
    for k in ids:
        book.state[k], book.start_week[k] = RUNNING, week
        by_type[book.kind[k]] += 1
    uniform = generator(source).random(2 * len(ids)).reshape((len(ids), 2))
    negotiate(book, actors, ids, uniform, rules, catalyst, week)
    count_members(book, ids, 0, actors.joined)
    return without(forming, ids), np.concatenate((running, ids))


@kernel
def negotiate(book, actors, ids, uniform, rules, catalyst, week):
    """Clear goals and a coordinator role for each starting cooperation: a chance each of
    `rules.goals` / `rules.coordination`, plus `experience` × the share of members with a
    cooperation behind them, `facilitation` if the catalyst (actor `catalyst`) or the QM office
    is a member or the initiator came from a formal meeting's goal-setting lately, and
    `formality` for a formal type. With a role, the member with the most weekly time
    coordinates. Unclear goals slow an intensive formal cooperation. Two uniforms each."""
    for x in range(len(ids)):
        k = ids[x]
        n = book.n_members[k]
        experienced = 0
        facilitated = actors.last_formal[book.initiator[k]] >= week - rules.facilitation_weeks
        for m in range(n):
            i = book.roster[k, m]
            experienced += actors.joined[i] > 0
            facilitated = facilitated or i == catalyst or actors.sector[i] == QM
        shift = (
            rules.experience * (experienced / n)
            + rules.facilitation * facilitated
            + rules.formality * rules.formal_kinds[book.kind[k]]
        )
        book.clear_goals[k] = uniform[x, 0] < rules.goals + shift
        book.coordinated[k] = uniform[x, 1] < rules.coordination + shift
        if book.coordinated[k]:
            book.coordinator[k] = most_time(book, actors, k)
        vague = book.kind[k] == INTENSIVE_FORMAL and not book.clear_goals[k]
        book.rate[k] = (rules.unclear_efficiency if vague else 1.0) / book.duration[k]


@fixed_kind
class IdeaRules(NamedTuple):
    """When an actor gets a project idea (`ideas_week`): the weekly idea rate and the spare
    hours it needs (`cooperation.idea_rate`, `cooperation.min_spare_hours`)."""

    rate: float
    min_spare: float


@kernel
def ideas_week(book, actors, size, first, rules, types, week, source, forming):
    """This week's ideas: the initiators (`with_ideas`, one uniform per actor of the first
    `size` from the model's stream) and, if the book has rows for them from `first` on,
    their cooperations (`draw_propose`: no topic or type given, not seeded). Returns the
    initiators, the roster width their cooperations need (0: not proposed yet, for want of
    rows) and the cooperations in formation: `forming`, followed by the new ones."""
    initiators = with_ideas(actors, generator(source).random(size), rules.rate, rules.min_spare)
    if len(initiators) == 0 or first + len(initiators) > len(book.n_members):
        return initiators, 0, forming
    none = np.empty(0, dtype=np.int64)
    room = draw_propose(book, actors, first, initiators, none, none, False, types, week, source)
    proposed = np.arange(first, first + len(initiators))
    return initiators, room, np.concatenate((forming, proposed))


@kernel
def draw_propose(book, actors, first, initiators, topics, kinds, seeded, types, week, source):
    """`propose` with four uniforms per idea drawn from the model's stream; returns the roster
    width the new cooperations need (their largest target, plus the initiator)."""
    uniform = generator(source).random(4 * len(initiators))
    propose(book, actors, first, initiators, topics, kinds, seeded, uniform, types, week)
    room = 0
    for k in range(first, first + len(initiators)):
        room = max(room, book.target[k] + 1)
    return room


@kernel
def propose(book, actors, first, initiators, topics, kinds, seeded, uniform, types, week):
    """Ideas of `initiators` become cooperations `first`, `first + 1`, ... in formation (new
    rows: their other fields are zero). A type (given where `kinds` >= 0, else by the
    cumulative type weights), a topic (given where `topics` >= 0, else one of the
    initiator's interests, else any; empty `kinds` or `topics`: none given), a duration and
    a target number of partners in the type's ranges; four uniforms per idea."""
    interests = actors.interests
    for x in range(len(initiators)):
        k, i = first + x, initiators[x]
        u = uniform[4 * x : 4 * x + 4]
        t = min(np.searchsorted(types.cumulative, u[0], side="right"), len(types.cumulative) - 1)
        if len(kinds) and kinds[x] >= 0:
            t = kinds[x]
        if len(topics) and topics[x] >= 0:
            chosen = topics[x]
        else:
            own = 0
            for c in range(interests.shape[1]):
                own += interests[i, c]
            pick = int(u[1] * (own if own else interests.shape[1]))
            chosen = pick
            if own:
                for c in range(interests.shape[1]):
                    if interests[i, c]:
                        if pick == 0:
                            chosen = c
                            break
                        pick -= 1
        book.kind[k], book.topic[k], book.initiator[k] = t, chosen, i
        weeks, partners = types.weeks, types.partners
        book.duration[k] = weeks[t, 0] + int(u[2] * (weeks[t, 1] - weeks[t, 0] + 1))
        book.target[k] = partners[t, 0] + int(u[3] * (partners[t, 1] - partners[t, 0] + 1))
        book.need[k] = types.needs[t] * (book.target[k] + 1)
        book.rate[k] = 1.0 / book.duration[k]  # until goals are negotiated at the start
        book.idea_week[k] = week
        book.forming_left[k] = types.forming_weeks
        book.start_week[k] = book.end_week[k] = -1
        book.coordinator[k] = -1
        book.seeded[k] = seeded
        book.roster[k, 0] = i
        book.n_members[k] = 1
        actors.load[i] += 1
        actors.last_active[i] = week


@kernel
def join_member(book, actors, ties, adj, k, actor, week, how):
    """`actor` joins `k` (its roster has room): it is busier and active in `week`, last on the
    roster, and counted at once if `k` runs (`count_members`); then it has contact with each
    earlier member (`contact_pairs`, batch `how`). Returns those pairs (new member, earlier
    member) and where their contacts stopped for want of room."""
    n = book.n_members[k]
    pairs_i = np.full(n, actor, dtype=np.int64)
    pairs_j = book.roster[k, :n].copy()
    actors.load[actor] += 1
    actors.last_active[actor] = week
    book.roster[k, n] = actor
    book.n_members[k] = n + 1
    if book.state[k] == RUNNING:
        count_members(book, np.array([k]), n, actors.joined)
    stopped = contact_pairs(ties, adj, pairs_i, pairs_j, np.zeros(0), 0, how)[1] if n else 0
    return pairs_i, pairs_j, stopped


@kernel
def join_cooperation(book, actors, ties, adj, k, actor, how, supporter):
    """`actor` joins `k` (`join_member`, its roster has room), counted as a supporter the
    catalyst found if `supporter`. Its contacts with the members (batch `how`, whose origin
    is `PROGRAMME` while a programme is funded) are the programme's only where `k` draws on
    the fund, else the actors' own. Returns the pairs, where their contacts stopped for want
    of room, and the origin they were made with."""
    origin = how.origin
    if origin == PROGRAMME and book.fund_drawn[k] <= 0:
        origin = OWN
        how = Contact(
            how.gain, how.new_strength, how.t, how.informed, origin, how.sector, how.rates
        )
    pairs_i, pairs_j, stopped = join_member(book, actors, ties, adj, k, actor, how.t, how)
    if supporter:
        book.supporters[k] += 1
    return pairs_i, pairs_j, stopped, origin


@kernel
def count_members(book, ids, since, joined):
    """Members of the cooperations `ids` from roster position `since` on start working: an
    actor's first cooperation counts it as a newcomer there, every one counts in `joined`
    (in this order, so an actor starting two at once is a newcomer in the first only)."""
    for k in ids:
        for m in range(since, book.n_members[k]):
            x = book.roster[k, m]
            if joined[x] == 0:
                book.newcomers[k] += 1
            joined[x] += 1


@kernel
def memberships(book, forming, running, actor):
    """The cooperations of `forming`, then those of `running`, that `actor` is a member of,
    each list in its order."""
    found = np.empty(len(forming) + len(running), dtype=np.int64)
    n = _member_of(book, forming, actor, found, 0)
    return found[: _member_of(book, running, actor, found, n)]


@kernel
def _member_of(book, ids, actor, found, n):
    """Append to `found` (from position `n`) those of `ids` that `actor` is a member of;
    returns the new end."""
    for k in ids:
        for m in range(book.n_members[k]):
            if book.roster[k, m] == actor:
                found[n] = k
                n += 1
                break
    return n


@kernel
def drop_out(book, actors, forming, running, actor):
    """`actor` drops out of the cooperations of `forming` and `running` it is a member of
    (`memberships`, `drop_member`), each taking one off its load; a running cooperation it
    coordinated gets the member with the most weekly time as coordinator (the first of
    equals), if it has that role. Returns, in order, the cooperations in formation it
    initiated: they are abandoned (by the caller)."""
    found = memberships(book, forming, running, actor)
    initiated = np.empty(len(found), dtype=np.int64)
    n = 0
    for k in found:
        drop_member(book, k, actor)
        actors.load[actor] -= 1
        if book.state[k] == RUNNING:
            if book.coordinator[k] == actor:
                book.coordinator[k] = most_time(book, actors, k) if book.coordinated[k] else -1
        elif book.initiator[k] == actor:
            initiated[n] = k
            n += 1
    return initiated[:n]


@kernel
def most_time(book, actors, k):
    """The member of `k` with the most weekly time (the first of equals; -1 without
    members): who coordinates where there is that role."""
    lead, most = -1, -1.0
    for m in range(book.n_members[k]):
        i = book.roster[k, m]
        if actors.income[i, TIME] > most:
            lead, most = i, actors.income[i, TIME]
    return lead


@kernel
def drop_member(book, k, actor):
    """Take `actor` out of the members of `k`, keeping the others' order; the cached pair
    slots of `k` go (positions moved)."""
    n = 0
    for m in range(book.n_members[k]):
        x = book.roster[k, m]
        if x != actor:
            book.roster[k, n] = x
            n += 1
    book.roster[k, n:] = -1
    book.n_members[k] = n
    book.pair_slots[k, :] = -1


@kernel
def without(ids, drop):
    """`ids` in their order, without those in `drop`."""
    kept = np.empty(len(ids), dtype=np.int64)
    n = 0
    for k in ids:
        gone = False
        for d in drop:
            gone |= k == d
        if not gone:
            kept[n] = k
            n += 1
    return kept[:n]


@kernel
def close(book, actors, ties, adj, ids, outcome, completed, gain, t, listed):
    """The cooperations `ids` end in week `t` with `outcome` (completed ones are counted by
    type in `completed`): their active members are freed (load drops); completed or failed,
    the ties among those members gain `gain` and count one more joint project. Returns the
    ids `listed` (those forming or those running) without them (`without`)."""
    feedback = outcome in (COMPLETED, FAILED)
    members = np.empty(book.roster.shape[1], dtype=np.int64)
    for k in ids:
        book.state[k], book.end_week[k] = outcome, t
        if outcome == COMPLETED:
            completed[book.kind[k]] += 1
        n = 0
        for m in range(book.n_members[k]):
            x = book.roster[k, m]
            if actors.active[x]:
                members[n] = x
                n += 1
                actors.load[x] -= 1
        if feedback and n > 1:
            reinforce_group(ties, adj, members[:n], gain, t)
    return without(listed, ids)


# -- the book ---------------------------------------------------------------------------------


class CooperationBook(Table[CooperationArrays]):
    """All cooperations of a run (`data`, a `CooperationArrays`; `count` of them), their
    members, and their life from idea to end. Reading a column by name reads it from `data`
    (`book.state`, `book.roster`)."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        super().__init__(CooperationArrays, rows=64, members=8, pairs=28)
        self.model = model
        self.config = c = model.config.cooperation
        # the forming and running cooperations, in the order they were proposed and started
        # (read-only arrays, replaced by `_proposed`, `start` and `_close`)
        self._forming, self._running = NO_IDS, NO_IDS
        self.totals = np.zeros(len(STATES), dtype=np.int64)
        self.completed_by_type = np.zeros(len(COOPERATION_TYPES), dtype=np.int64)
        self.started_by_type = np.zeros(len(COOPERATION_TYPES), dtype=np.int64)
        self.pooled_this_week = np.zeros(len(RESOURCES))
        params = [c.type_parameters(t) for t in COOPERATION_TYPES]
        weights = np.array([c.type_weights.get(t, 0.0) for t in COOPERATION_TYPES])
        self.types = TypeRules(
            cumulative=np.cumsum(weights / weights.sum()),
            weeks=np.array([(p.weeks_min, p.weeks_max) for p in params]),
            partners=np.array([(p.partners_min, p.partners_max) for p in params]),
            needs=np.array([p.need.as_tuple() for p in params], dtype=np.float64),
            forming_weeks=c.forming_weeks,
        )
        st = c.structure
        self.structure = StructureRules(
            goals=st.goals_base + st.support * c.clear_goals,
            coordination=st.coordinator_base + st.support * c.coordinator_role,
            experience=st.experience,
            facilitation=st.facilitation,
            formality=st.formality,
            formal_kinds=FORMAL,
            facilitation_weeks=st.facilitation_weeks,
            unclear_efficiency=c.unclear_goals_efficiency,
        )
        self.recruiting = recruiting.rules(c)
        self.work_rules = work.rules(c)
        self.idea_rules = IdeaRules(float(c.idea_rate), float(c.min_spare_hours))

    @property
    def count(self) -> int:
        return self.size

    # -- members -------------------------------------------------------------------------------
    def widen_roster(self) -> None:
        """Room for twice as many members per cooperation (the pair-slot cache starts afresh)."""
        width = self.widths["members"]
        self.widen("members")
        self.reset("pair_slots", width * (2 * width - 1))

    def group(self, k: int) -> np.ndarray:
        """The members of `k` in the order they joined (a view of its roster row)."""
        return self.data.roster[k, : self.data.n_members[k]]

    @property
    def members(self) -> _Members:
        """Every cooperation's members as lists: `members[k]`, `members[:n]`."""
        return _Members(self)

    @property
    def n_forming(self) -> int:
        return len(self._forming)

    @property
    def forming(self) -> dict[int, None]:
        """The cooperations in formation as an ordered set, in the order they were proposed
        (a copy; `forming_ids` is the array)."""
        return dict.fromkeys(self._forming.tolist())

    @property
    def n_running(self) -> int:
        return len(self._running)

    @property
    def running(self) -> dict[int, None]:
        """The running cooperations as an ordered set, in the order they started (a copy;
        `running_ids` is the array)."""
        return dict.fromkeys(self._running.tolist())

    # -- idea and formation (M4) -----------------------------------------------------------
    def propose(self, initiator: int, topic: int | None = None, seeded: bool = False) -> int:
        """An actor's idea becomes a cooperation in formation; it recruits in the weekly pass."""
        topics = np.array([-1 if topic is None else topic])
        return int(self.propose_many(np.array([initiator]), topics, seeded)[0])

    def ideas_arise(self) -> None:
        """This week's ideas of engaged actors with spare time and capacity become
        cooperations in formation, found and proposed in one compiled step while the book has
        rows for them (`ideas_week`; else `propose_many`)."""
        m = self.model
        initiators, room, forming = ideas_week(
            self.data,
            m.state.data,
            m.state.size,
            self.size,
            self.idea_rules,
            self.types,
            float(m.week),
            m.stream,
            self._forming,
        )
        if not len(initiators):
            return
        if not room:
            self.propose_many(initiators)
            return
        self.reserve(len(initiators))
        self._room_for(room)
        self._forming = _read_only(forming)

    def _room_for(self, room: int) -> None:
        """A roster of at least `room` members for every cooperation (the recruiting kernel
        cannot widen the roster)."""
        while self.data.roster.shape[1] < room:
            self.widen_roster()

    def _proposed(self, first: int, count: int, room: int) -> None:
        """Cooperations `first`, ..., `first + count - 1` were proposed, needing a roster of
        `room`: they are in formation."""
        self._room_for(room)
        proposed = np.arange(first, first + count)
        self._forming = _read_only(np.concatenate((self._forming, proposed)))

    def propose_many(
        self,
        initiators: np.ndarray,
        topics: np.ndarray | None = None,
        seeded: bool = False,
        kinds: np.ndarray | None = None,
    ) -> np.ndarray:
        """Ideas of several actors (distinct) become cooperations in formation; returns their
        ids. Each has a type (given, else drawn by `type_weights`), a topic (given, else one
        of the initiator's interests), a duration and a target number of partners in its
        type's ranges (compiled: `propose`)."""
        m = self.model
        count = len(initiators)
        first = self.reserve(count)
        room = draw_propose(
            self.data,
            m.state.data,
            first,
            np.asarray(initiators, dtype=np.int64),
            NOT_GIVEN if topics is None else topics,
            NOT_GIVEN if kinds is None else kinds,
            seeded,
            self.types,
            float(m.week),
            m.stream,
        )
        self._proposed(first, count, room)
        return np.arange(first, first + count)

    def recruit(self) -> None:
        """The weekly recruiting pass of every cooperation in formation (`recruiting.py`); a
        cooperation with its partners starts, one out of time starts with its type's minimum
        or is abandoned."""
        ids = self.forming_ids()
        if not len(ids):
            return
        starting, abandoned = recruiting.recruit(self, ids)
        self.start(starting)
        if len(abandoned):
            self.data.ended_by[abandoned] = work.NOT_STARTED
            self._close(abandoned, ABANDONED)

    def join(self, k: int, actor: int, supporter: bool = False) -> None:
        """`actor` becomes a member (a supporter the catalyst found, if `supporter`); working
        together makes the members acquainted (ties made where `k` draws on a programme's
        fund are the programme's; compiled: `join_cooperation`)."""
        m = self.model
        if self.data.n_members[k] == self.data.roster.shape[1]:
            self.widen_roster()
        joined = join_cooperation(
            self.data,
            m.state.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            k,
            actor,
            self.joining(),
            supporter,
        )
        self.contacts_left(*joined)

    def joining(self) -> Contact:
        """The batch of contacts a new member makes with the others (`join_cooperation`)."""
        m = self.model
        return m.ties.batch(0.0, m.week, origin=PROGRAMME if m.programme.funded else OWN)

    def contacts_left(
        self, pairs_i: np.ndarray, pairs_j: np.ndarray, stopped: int, origin: int
    ) -> None:
        """Make a new member's contacts that `join_cooperation` stopped for want of room."""
        if stopped < len(pairs_i):
            m = self.model
            how = m.ties.batch(0.0, m.week, origin=int(origin))
            m.ties.resume(pairs_i, pairs_j, how, NO_RATES, stopped)

    def revive(self, k: int) -> None:
        """A catalyst overcomes a lull: the shortage count starts again."""
        self.data.shortage[k] = 0

    def start(self, ids: np.ndarray | int) -> None:
        """Enough partners: the cooperations `ids` start their work (in this order). Each is
        marked running and counted; it has clear goals and a coordinator role or not, with
        chances from who is in it (`cooperation.structure`; seed conditions 5, 6); its members
        count as working in it (compiled: `start_work`)."""
        ids = _ids(ids)
        if not len(ids):
            return
        m = self.model
        catalyst = m.catalyst.holder if m.catalyst.active else -1
        forming, running = start_work(
            self.data,
            m.state.data,
            ids,
            self.structure,
            catalyst,
            float(m.week),
            self.started_by_type,
            m.stream,
            self._forming,
            self._running,
        )
        self._forming, self._running = _read_only(forming), _read_only(running)

    # -- running work (M5) -----------------------------------------------------------------
    def work(self) -> None:
        """One week of work for every running cooperation (`work.py`); the finished close."""
        if not len(self._running):
            self.pooled_this_week[:] = 0
            return
        done, failed = work.week(self, self.running_ids())
        self._close(done, COMPLETED)
        self._close(failed, FAILED)

    def joint_work(self) -> None:
        """Monthly: members' ties grow through working together; trust is checked (M2)."""
        if len(self._running):
            work.joint_work(self, self._running)

    # -- ending (M6) -------------------------------------------------------------------------
    def _close(self, ids: np.ndarray | int, outcome: int) -> None:
        """The cooperations `ids` end with `outcome`: members are freed; completion and failure
        feed back into the ties among the members still here (M6). Abandoned ones were in
        formation, completed and failed ones running."""
        ids = _ids(ids)
        if not len(ids):  # often: a week in which nothing ends
            return
        m = self.model
        abandoned = outcome == ABANDONED
        self.totals[outcome] += len(ids)
        ties = m.config.ties
        gain = ties.success_gain if outcome == COMPLETED else -ties.failure_loss
        left = close(
            self.data,
            m.state.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            ids,
            outcome,
            self.completed_by_type,
            gain,
            float(m.week),
            self._forming if abandoned else self._running,
        )
        if abandoned:
            self._forming = _read_only(left)
        else:
            self._running = _read_only(left)

    def leave(self, actor: int) -> None:
        """`actor` drops out of every open cooperation (it left the neighbourhood or stopped
        taking part)."""
        state = self.model.state
        if state.load[actor] == 0:  # in none
            return
        left = drop_out(self.data, state.data, self.forming_ids(), self._running, actor)
        for k in left.tolist():  # a cooperation in formation whose initiator left
            self.data.ended_by[k] = work.TOO_FEW
            self._close(k, ABANDONED)

    # -- reading -----------------------------------------------------------------------------
    def begin_observation(self) -> None:
        """Week 0: the counts of started, completed, failed and abandoned cooperations begin
        (those of a warm-up are not counted)."""
        self.totals[:] = 0
        self.started_by_type[:] = 0
        self.completed_by_type[:] = 0

    def observed(self) -> np.ndarray:
        """Ids of the cooperations whose idea arose from week 0 on."""
        return np.flatnonzero(self.view("idea_week") >= 0)

    def newcomer_share(self) -> float:
        """Share of the cooperations started from week 0 on with at least one newcomer
        (supporters included)."""
        n = self.count
        started = np.isin(self.data.state[:n], (RUNNING, COMPLETED, FAILED))
        started &= self.data.start_week[:n] >= 0
        if not started.any():
            return 0.0
        return float((self.data.newcomers[:n][started] > 0).mean())

    def forming_ids(self) -> np.ndarray:
        """The cooperations in formation as an array, in the order they were proposed
        (read-only)."""
        return self._forming

    def running_ids(self) -> np.ndarray:
        """The running cooperations as an array, in the order they started (read-only)."""
        return self._running

    def open_ids(self) -> list[int]:
        return [*self._forming.tolist(), *self._running.tolist()]

    def actors_involved(self) -> int:
        """Distinct actors in forming or running cooperations: those with a load."""
        state = self.model.state
        return int(involved(state.data, state.size))


def _ids(ids: np.ndarray | int) -> np.ndarray:
    """Cooperation ids as an int64 array (as the kernels give them: then as they are)."""
    if type(ids) is np.ndarray and ids.dtype == np.int64:
        return ids
    return np.atleast_1d(np.asarray(ids, dtype=np.int64))


def _read_only(ids: np.ndarray) -> np.ndarray:
    """`ids`, no longer writeable (the running ids are shared with every caller)."""
    ids.flags.writeable = False
    return ids


NO_IDS = _read_only(np.zeros(0, dtype=np.int64))
"""No cooperations: read-only, as the lists of forming and running ones are."""


class _Members(Sequence):
    """The member lists of all cooperations, read from the book's roster."""

    def __init__(self, book: CooperationBook) -> None:
        self._book = book

    def __len__(self) -> int:
        return self._book.count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        return self._book.group(range(len(self))[k]).tolist()
