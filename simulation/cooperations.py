"""Cooperations: idea, forming, running, completed or failed (M4, M5, M6).

A cooperation is a union of actors who work together to realise a concrete project or goal
(Gliszczynski 2017, p. 7). Its state lives in arrays indexed by cooperation id, its members in
a roster matrix (one row per cooperation). The cooperations in formation recruit in one pass a
week, the running ones work all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from simulation import kernels
from simulation.config import COOPERATION_TYPES

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

FORMING, RUNNING, COMPLETED, FAILED, ABANDONED = range(5)
STATES = ("forming", "running", "completed", "failed", "abandoned")
INTENSIVE_FORMAL = COOPERATION_TYPES.index("intensive_formal")
TIME, MONEY = 0, 1


class CooperationBook:
    """All cooperations of a run, their members, and the weekly work of the running ones."""

    _ARRAYS: ClassVar[dict[str, type]] = {
        "kind": np.int8,
        "topic": np.int16,
        "initiator": np.int64,
        "state": np.int8,
        "idea_week": np.float64,
        "start_week": np.float64,
        "end_week": np.float64,
        "duration": np.float64,
        "progress": np.float64,
        "shortage": np.int32,
        "target": np.int32,
        "coordinator": np.int64,
        "clear_goals": bool,
        "fund_drawn": np.float64,
        "seeded": bool,
        "supporters": np.int32,
        "newcomers": np.int32,
        "forming_left": np.int32,
        "at_risk": bool,
        "rate": np.float64,
    }

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = model.config.cooperation
        self.count = 0
        for name, dtype in self._ARRAYS.items():
            setattr(self, name, np.zeros(64, dtype=dtype))
        self.need = np.zeros((64, 4))
        self.pooled = np.zeros((64, 4))
        # forming and running cooperations as ordered sets: in the order they came, and
        # cheap to take one out of
        self.forming: dict[int, None] = {}
        self.running: dict[int, None] = {}
        self._running_ids: np.ndarray | None = None  # `running` as an array, until it changes
        self.totals = np.zeros(len(STATES), dtype=np.int64)
        self.completed_by_type = np.zeros(len(COOPERATION_TYPES), dtype=np.int64)
        self.started_by_type = np.zeros(len(COOPERATION_TYPES), dtype=np.int64)
        self.pooled_this_week = np.zeros(4)
        weights = np.array([self.config.type_weights.get(t, 0.0) for t in COOPERATION_TYPES])
        self._cumulative = np.cumsum(weights / weights.sum())
        self._params = [self.config.type_parameters(t) for t in COOPERATION_TYPES]
        self._needs = np.array([p.need.as_tuple() for p in self._params], dtype=np.float64)
        self._weeks = np.array([(p.weeks_min, p.weeks_max) for p in self._params])
        self._partners = np.array([(p.partners_min, p.partners_max) for p in self._params])
        c = self.config
        self._weights = np.array(
            [c.weight_tie, c.weight_shared, c.weight_complement, c.weight_sector, c.weight_topic]
        )
        self.roster = np.full((64, 8), -1, dtype=np.int64)
        self.size = np.zeros(64, dtype=np.int64)
        self.pair_slots = np.full((64, 28), -1, dtype=np.int64)

    # -- storage ---------------------------------------------------------------------------
    def _reserve(self, count: int = 1) -> int:
        """Rows for `count` new cooperations (fresh: zero, so FORMING; rosters empty); returns
        the first."""
        if self.count + count > len(self.state):
            size = max(2 * len(self.state), self.count + count)
            for name in (*self._ARRAYS, "need", "pooled", "roster", "size", "pair_slots"):
                old = getattr(self, name)
                new = np.zeros((size, *old.shape[1:]), dtype=old.dtype)
                if name in ("roster", "pair_slots"):
                    new[:] = -1
                new[: len(old)] = old
                setattr(self, name, new)
        self.count += count
        return self.count - count

    def _widen(self) -> None:
        """Room for one more member per cooperation (the pair-slot cache starts afresh)."""
        rows, width = self.roster.shape
        roster = np.full((rows, 2 * width), -1, dtype=np.int64)
        roster[:, :width] = self.roster
        self.roster = roster
        self.pair_slots = np.full((rows, width * (2 * width - 1)), -1, dtype=np.int64)

    def _enrol(self, k: int, actor: int) -> None:
        """Append `actor` to the members of `k`."""
        if self.size[k] == self.roster.shape[1]:
            self._widen()
        self.roster[k, self.size[k]] = actor
        self.size[k] += 1

    def _drop(self, k: int, actor: int) -> None:
        """Take `actor` out of the members of `k`, keeping the others' order; the cached pair
        slots of `k` go (positions moved)."""
        rest = self.group(k)
        rest = rest[rest != actor]
        self.roster[k] = -1
        self.roster[k, : len(rest)] = rest
        self.size[k] = len(rest)
        self.pair_slots[k] = -1

    def group(self, k: int) -> np.ndarray:
        """The members of `k` in the order they joined (a view of its roster row)."""
        return self.roster[k, : self.size[k]]

    @property
    def members(self) -> _Members:
        """Every cooperation's members as lists: `members[k]`, `members[:n]`."""
        return _Members(self)

    @property
    def n_forming(self) -> int:
        return len(self.forming)

    @property
    def n_running(self) -> int:
        return len(self.running)

    # -- idea and formation (M4) -----------------------------------------------------------
    def propose(self, initiator: int, topic: int | None = None, seeded: bool = False) -> int:
        """An actor's idea becomes a cooperation in formation; it recruits in the weekly pass."""
        return int(
            self.propose_many(
                np.array([initiator]), np.array([-1 if topic is None else topic]), seeded
            )[0]
        )

    def propose_many(
        self, initiators: np.ndarray, topics: np.ndarray | None = None, seeded: bool = False
    ) -> np.ndarray:
        """Ideas of several actors (distinct) become cooperations in formation; returns their
        ids. Each has a type drawn by `type_weights`, a topic (given, else one of the
        initiator's interests), a duration and a target number of partners in its type's
        ranges (compiled: `kernels.propose`)."""
        m, c = self.model, self.config
        count = len(initiators)
        first = self._reserve(count)
        kernels.propose(
            first,
            np.asarray(initiators, dtype=np.int64),
            np.full(count, -1) if topics is None else topics,
            seeded,
            m.rng.random(4 * count),
            self._cumulative,
            self._weeks,
            self._partners,
            self._needs,
            INTENSIVE_FORMAL,
            c.clear_goals,
            c.unclear_goals_efficiency,
            c.forming_weeks,
            float(m.week),
            m.state.interests,
            m.state.load,
            m.state.last_active,
            self.kind,
            self.topic,
            self.initiator,
            self.duration,
            self.target,
            self.need,
            self.rate,
            self.idea_week,
            self.forming_left,
            self.start_week,
            self.end_week,
            self.coordinator,
            self.seeded,
            self.clear_goals,
            self.roster,
            self.size,
        )
        ids = np.arange(first, first + count)
        while self.roster.shape[1] < int(self.target[ids].max()) + 1:  # room for every partner
            self._widen()  # the recruiting kernel cannot widen the roster
        self.forming.update(dict.fromkeys(ids.tolist()))
        return ids

    def recruit(self) -> None:
        """The weekly recruiting pass: every forming cooperation asks partners.

        Candidates are the contacts of a cooperation's members who are active, free, have
        spare time and are not members. Their weights are computed for all forming
        cooperations as the pass begins: tie strength to the initiator, the share of members
        the candidate knows, whether it fills a resource gap the initiator knows of, same
        sector and interest in the topic (M4: Guimerà 2005; Gulati & Gargiulo 1999; Powell
        2005). The asks then run cooperation by cooperation, up to `candidates` each; an asked
        actor accepts or declines, and one who became busy says no. The ties that joining
        creates are made in one batch at the end of the pass.

        Each ask draws its pool as Guimerà's model does: incumbents with probability p (among
        them previous partners of the initiator with probability q), newcomers otherwise, all
        candidates when that pool is empty; it then picks one candidate of the pool with
        probability proportional to its weight. Done exactly and in O(1) per ask: candidates
        are split into three groups (repeat incumbents, other incumbents, newcomers), each
        sorted once by exponential keys E/weight, E ~ Exp(1) (weighted sampling without
        replacement, Efraimidis & Spirakis 2006); an ask picks a group in proportion to the
        weight it has left and takes that group's next candidate. The pass runs compiled
        (`simulation.kernels.pool` and `ask`).
        """
        ids = np.fromiter(self.forming, dtype=np.int64, count=len(self.forming))
        if not len(ids):
            return
        m, c, s, ties = self.model, self.config, self.model.state, self.model.ties
        owner, actor, weight, accept, group = kernels.pool(
            ids,
            self.roster,
            self.size,
            self.initiator,
            self.need,
            self.topic,
            s.active,
            s.load,
            s.capacity,
            s.stock,
            s.income,
            s.interests,
            s.sector,
            s.joined,
            s.engagement,
            ties.nbr,
            ties.nslot,
            ties.degree,
            ties.w0,
            ties.t0,
            ties.lam,
            ties.joint,
            ties.informed,
            float(m.week),
            c.min_spare_hours,
            self._weights,
        )
        pairs_i, pairs_j = kernels.ask(
            ids,
            owner,
            actor,
            weight,
            accept,
            group,
            self.roster,
            self.size,
            self.target,
            s.load,
            s.capacity,
            s.last_active,
            float(m.week),
            c.candidates,
            c.incumbent_share,
            c.repeat_bias,
            m.rng.standard_exponential(len(actor)),
            m.rng.random(4 * c.candidates * len(ids)),
        )
        if len(pairs_i):
            m.meet(pairs_i, pairs_j, gain=0.0, informed=True)
        self._after_recruiting(ids)

    def _after_recruiting(self, ids: np.ndarray) -> None:
        """With `target` partners a cooperation starts; after `forming_weeks` it starts with
        at least its type's minimum of partners or is abandoned."""
        partners = self.size[ids] - 1
        ready = partners >= self.target[ids]
        self.forming_left[ids[~ready]] -= 1
        expired = ~ready & (self.forming_left[ids] <= 0)
        enough = partners >= self._partners[self.kind[ids], 0]
        self.start(ids[ready | (expired & enough)])
        if (expired & ~enough).any():
            self._close(ids[expired & ~enough], ABANDONED)

    def _admit(self, k: int, actor: int) -> None:
        """`actor` becomes a member (its ties to the others are made by the caller)."""
        m = self.model
        m.state.load[actor] += 1
        m.state.last_active[actor] = m.week
        self._enrol(k, actor)
        if self.state[k] == RUNNING:  # a running cooperation counts its new member now
            kernels.count_members(
                np.array([k]),
                self.roster,
                self.size,
                self.size[k] - 1,
                m.state.joined,
                self.newcomers,
            )

    def join(self, k: int, actor: int) -> None:
        """`actor` becomes a member; working together makes the members acquainted."""
        others = self.group(k).copy()
        self._admit(k, actor)
        self.model.meet(np.full(len(others), actor), others, gain=0.0, informed=True)

    def start(self, ids: np.ndarray | int) -> None:
        """Enough partners: the cooperations `ids` start their work (in this order)."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        if not len(ids):
            return
        m = self.model
        for k in ids.tolist():
            del self.forming[k]
        self.state[ids], self.start_week[ids] = RUNNING, m.week
        np.add.at(self.started_by_type, self.kind[ids], 1)
        kernels.count_members(ids, self.roster, self.size, 0, m.state.joined, self.newcomers)
        if self.config.coordinator_role:
            for k in ids[self.kind[ids] == INTENSIVE_FORMAL].tolist():
                self._appoint_coordinator(k)
        self.running.update(dict.fromkeys(ids.tolist()))
        self._running_ids = None

    def _appoint_coordinator(self, k: int) -> None:
        members = self.group(k)
        if len(members):
            self.coordinator[k] = members[np.argmax(self.model.state.income[members, TIME])]

    # -- running work (M5) -----------------------------------------------------------------
    def work(self) -> None:
        """One week of work for every running cooperation at once (compiled: members' shares
        in `kernels.contribute`, progress and endings in `kernels.advance`)."""
        if not self.running:
            self.pooled_this_week[:] = 0
            return
        m, c = self.model, self.config
        ids = self.running_ids()
        leaderless = (self.kind[ids] == INTENSIVE_FORMAL) & (self.coordinator[ids] < 0)
        pooled = kernels.contribute(
            ids,
            self.roster,
            self.size,
            self.need,
            self.coordinator,
            leaderless,
            m.state.stock,
            c.coordinator_hours,
            c.uncoordinated_overhead_hours,
        )
        m.programme.top_up(ids, pooled[:, MONEY], self.need[ids, MONEY], self)
        self.pooled[ids] += pooled
        self.pooled_this_week = pooled.sum(axis=0)
        outcome = kernels.advance(
            ids,
            pooled,
            self.need,
            self.rate,
            self.progress,
            self.shortage,
            self.size,
            self.at_risk,
            leaderless,
            c.startup_threshold,
            c.production_exponent,
            c.patience_weeks,
            c.uncoordinated_hazard,
            c.distrust_hazard,
            m.rng.random(len(ids)),
        )
        if outcome.any():
            self._close(ids[outcome > 0], COMPLETED)
            self._close(ids[outcome < 0], FAILED)

    def joint_work(self) -> None:
        """Monthly: members' ties grow through working together; trust is checked (M2).

        Member pairs without a tie (a tie pruned while they work together) meet first.
        """
        if not self.running:
            return
        m, ties = self.model, self.model.ties
        ids = self.running_ids()
        while True:
            missing_i, missing_j = kernels.joint_work(
                ids,
                self.roster,
                self.size,
                self.pair_slots,
                m.config.ties.joint_work_gain,
                float(m.week),
                self.config.trust_threshold,
                self.at_risk,
                ties.a,
                ties.b,
                ties.w0,
                ties.t0,
                ties.lam,
                ties.alive,
                ties.mark,
                ties.next_stamp(),
                ties.nbr,
                ties.nslot,
                ties.degree,
            )
            if not len(missing_i):
                return
            m.meet(missing_i, missing_j, gain=0.0, informed=True)

    # -- ending (M6) -------------------------------------------------------------------------
    def _close(self, ids: np.ndarray | int, outcome: int) -> None:
        """The cooperations `ids` end with `outcome`: members are freed; completion and failure
        feed back into the ties among the members still here (M6)."""
        m = self.model
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        if not len(ids):
            return
        state = self.state[ids]
        for k, was in zip(ids.tolist(), state.tolist(), strict=True):
            if was == FORMING:
                del self.forming[k]
            elif was == RUNNING:
                del self.running[k]
                self._running_ids = None
        self.state[ids], self.end_week[ids] = outcome, m.week
        self.totals[outcome] += len(ids)
        if outcome == COMPLETED:
            np.add.at(self.completed_by_type, self.kind[ids], 1)
        ties = m.config.ties
        gain = ties.success_gain if outcome == COMPLETED else -ties.failure_loss
        kernels.close(
            ids,
            self.roster,
            self.size,
            m.state.active,
            m.state.load,
            outcome in (COMPLETED, FAILED),
            gain,
            float(m.week),
            m.ties.nbr,
            m.ties.nslot,
            m.ties.degree,
            m.ties.w0,
            m.ties.t0,
            m.ties.lam,
            m.ties.joint,
        )

    def leave(self, actor: int) -> None:
        """`actor` left the neighbourhood: it drops out of every open cooperation."""
        if self.model.state.load[actor] == 0:  # in none
            return
        open_ = np.array([*self.forming, *self.running], dtype=np.int64)
        for k in open_[(self.roster[open_] == actor).any(axis=1)].tolist():
            self._drop(k, actor)
            if self.state[k] == RUNNING:
                if self.coordinator[k] == actor:
                    self.coordinator[k] = -1
                    if self.config.coordinator_role:
                        self._appoint_coordinator(k)
            elif self.initiator[k] == actor:
                self._close(k, ABANDONED)

    def revive(self, k: int) -> None:
        """A catalyst overcomes a lull: the shortage count starts again."""
        self.shortage[k] = 0

    def newcomer_share(self) -> float:
        """Share of started cooperations with at least one newcomer (supporters included)."""
        started = np.isin(self.state[: self.count], (RUNNING, COMPLETED, FAILED))
        if not started.any():
            return 0.0
        return float((self.newcomers[: self.count][started] > 0).mean())

    def running_ids(self) -> np.ndarray:
        """The running cooperations as an array, in the order they started."""
        if self._running_ids is None:
            self._running_ids = np.fromiter(self.running, dtype=np.int64, count=len(self.running))
            self._running_ids.flags.writeable = False
        return self._running_ids

    def open_ids(self) -> list[int]:
        return [*self.forming, *self.running]

    def actors_involved(self) -> int:
        """Distinct actors in forming or running cooperations: those with a load."""
        state = self.model.state
        return int((state.view("active") & (state.view("load") > 0)).sum())


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
