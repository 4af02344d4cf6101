"""The neighbourhood model: one step is one week.

Each step runs fixed phases over arrays: resources replenish, ideas arise, cooperations in
formation recruit, running cooperations work, the catalyst acts, actors leave and arrive, and
cheap counters are collected. Meetings, the programme's years and end, the catalyst's
departure, monthly tie upkeep and the costlier network measures are Mesa events.
"""

from __future__ import annotations

import numpy as np
from mesa import DataCollector, Model
from mesa.time import Schedule

from simulation import reporters
from simulation.agents import Actor
from simulation.catalyst import Catalyst
from simulation.config import SECTORS, WEEKS_PER_YEAR, ScenarioConfig
from simulation.cooperations import CooperationBook
from simulation.meetings import MeetingStructure
from simulation.metrics import (
    betweenness,
    broker_betweenness,
    network_metrics,
    resilient_graph,
    tie_graph,
)
from simulation.population import (
    QM,
    RESIDENTS,
    SECTOR_CODE,
    Population,
    income_and_cap,
    initial_pairs,
    initial_strengths,
    planned_sectors,
    random_interests,
    weekly_decay,
)
from simulation.programme import Programme
from simulation.ties import TieStore

TIME = 0
MONTH_WEEKS = 4


class NeighbourhoodModel(Model):
    """Actors, ties, meetings, cooperations, catalyst and programme of one neighbourhood."""

    def __init__(self, config: ScenarioConfig | None = None, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.config = config = config if config is not None else ScenarioConfig()
        self.state = Population(topics=config.actors.topics)
        self.ties = TieStore()
        self._actors: list[Actor] = []
        self.lam_same, self.lam_cross = weekly_decay(config)
        self.initiative_members: list[int] = []
        self.anchor = -1
        self.coordinator_actor = -1
        self.removed: dict[str, object] = {}
        self._upkeep = np.zeros(0)
        self._inspiration_decay = 0.5 ** (1 / config.cooperation.inspiration_half_life_weeks)
        self._leave_weekly = 1 - (1 - config.turnover.leave_rate_per_year) ** (1 / WEEKS_PER_YEAR)

        self._populate()
        self.start_size = self.state.size
        self._arrival_cumulative = np.cumsum(self._arrival_mix())
        self.cooperations = CooperationBook(self)
        self.meetings = [MeetingStructure(self, spec) for spec in config.meetings]
        self.catalyst = Catalyst(self, -1)
        self.programme = Programme(self)
        self.programme.schedule()
        self.catalyst.hand_to(self._catalyst_holder())
        self._schedule_events()
        self.network: dict[str, float] = {}
        self._brokerage = {"catalyst_betweenness": 0.0, "qm_betweenness": 0.0}
        self._finished = False
        self.datacollector = DataCollector(model_reporters=reporters.WEEKLY)
        self.network_collector = DataCollector(model_reporters=reporters.NETWORK)
        self.measure_network()

    # -- building the neighbourhood (initialisation) ----------------------------------------
    def _populate(self) -> None:
        config = self.config
        topics = config.actors.topics
        for sector, name, spec in planned_sectors(config):
            income = None
            if spec is not None:
                income = (spec["time"], spec["money"], spec["material"], spec["rooms"])
            i = self.add_actor(sector, name, income=income)
            if spec is not None:
                if spec["topics"]:
                    self.state.interests[i] = False
                    self.state.interests[i, [t % topics for t in spec["topics"]]] = True
                if spec["engagement"] is not None:
                    self.state.engagement[i] = spec["engagement"]
        self._form_initiative()
        self._initial_ties()
        civil = np.flatnonzero(self.state.view("sector") == SECTOR_CODE["civil_society"])
        if len(civil):
            self.anchor = int(civil[np.argmax(self.state.income[civil, 3])])

    def add_actor(self, sector: str, name: str, income: tuple | None = None) -> int:
        """Create an actor with sector defaults (or given weekly income); returns its index."""
        config = self.config
        weekly, cap = income_and_cap(config, sector, income)
        traits = config.actors.traits_of(sector)
        interests = random_interests(
            self.rng, config.actors.topics, config.actors.interests_per_actor
        )
        i = self.state.add(
            SECTOR_CODE[sector],
            weekly,
            cap,
            traits.engagement,
            traits.capacity,
            interests,
            name,
            self.week,
        )
        self.ties.add_actors(1)
        self._actors.append(Actor(self, i, name))
        return i

    def _form_initiative(self) -> None:
        """The residents' initiative: engaged residents who know each other well.

        From an actor map its members are the actors marked `initiative` or `lead` (the lead
        first); otherwise `actors.initiative_size` residents drawn at random, most engaged first.
        """
        members = self._mapped_initiative()
        if members is None:
            size = self.config.actors.initiative_size
            residents = np.flatnonzero(self.state.view("sector") == RESIDENTS)
            if size == 0 or not len(residents):
                return
            members = self.rng.choice(residents, size=min(size, len(residents)), replace=False)
            members = members[np.argsort(-self.state.engagement[members], kind="stable")]
        if not len(members):
            return
        self.initiative_members = members.tolist()
        self.state.initiative[members] = True
        engaged = max(self.config.actors.initiative_engagement, 0.0)
        self.state.engagement[members] = np.maximum(self.state.engagement[members], engaged)
        i, j = np.triu_indices(len(members), 1)
        strengths = initial_strengths(
            self.rng, min(1.0, self.config.ties.initial_strength * 1.5), len(i)
        )
        for a, b, w in zip(
            members[i].tolist(), members[j].tolist(), strengths.tolist(), strict=True
        ):
            self.ties.create(a, b, w, 0.0, self.lam_same, informed=True)

    def _mapped_initiative(self) -> np.ndarray | None:
        """Initiative members marked in the actor map, the lead first; None if none marked."""
        roster = self.config.actors.roster
        if not roster or not any(spec.role for spec in roster):
            return None
        order = {"lead": 0, "initiative": 1}
        marked = sorted((order[spec.role], k) for k, spec in enumerate(roster) if spec.role)
        return np.array([k for _, k in marked], dtype=np.int64)

    def _initial_ties(self) -> None:
        ties_config = self.config.ties
        if ties_config.initial is not None:
            index = {name: k for k, name in enumerate(self.state.names)}
            i = np.array([index[tie.a] for tie in ties_config.initial], dtype=np.int64)
            j = np.array([index[tie.b] for tie in ties_config.initial], dtype=np.int64)
            strengths = np.array([tie.strength for tie in ties_config.initial])
        else:
            i, j = initial_pairs(
                self.rng,
                self.state.view("sector"),
                ties_config.initial_within_degree,
                ties_config.initial_cross_degree,
            )
            strengths = initial_strengths(self.rng, ties_config.initial_strength, len(i))
        rates = self._decay_rates(i, j)
        for a, b, w, lam in zip(
            i.tolist(), j.tolist(), strengths.tolist(), rates.tolist(), strict=True
        ):
            if a != b and self.ties.slot(a, b) < 0:
                self.ties.create(a, b, w, 0.0, lam, informed=True)

    def add_qm_office(self, staff: int) -> int:
        """The programme opens a QM office, introduced to a few public and civil actors."""
        i = self.add_actor("qm", "Quartiersmanagement")
        self.state.income[i] *= max(staff, 1)
        self.state.cap[i] *= max(staff, 1)
        self.state.stock[i] = self.state.income[i]
        partners = np.flatnonzero(
            self.state.view("active")
            & np.isin(
                self.state.view("sector"), [SECTOR_CODE["public"], SECTOR_CODE["civil_society"]]
            )
        )
        if len(partners):
            chosen = self.rng.choice(partners, size=min(3, len(partners)), replace=False)
            self.meet(np.full(len(chosen), i), chosen, gain=0.0, informed=True)
        if self.config.catalyst.holder == "qm" and self.config.catalyst.mode != "absent":
            self.catalyst.hand_to(i)
        return i

    def _catalyst_holder(self) -> int:
        c = self.config.catalyst
        if c.mode == "absent":
            return -1
        if c.holder == "qm":
            return self.programme.qm
        if c.holder == "independent" or not self.initiative_members:
            i = self.add_actor("civil_society", "catalyst")
            self.state.engagement[i] = 0.9
            others = np.flatnonzero(self.state.view("active"))
            others = others[others != i]
            if len(others):
                chosen = self.rng.choice(others, size=min(4, len(others)), replace=False)
                self.meet(np.full(len(chosen), i), chosen, gain=0.0, informed=True)
            return i
        return self.initiative_members[0]

    def _schedule_events(self) -> None:
        c = self.config
        for meeting in self.meetings:
            meeting.schedule()
        self.schedule_recurring(self.monthly_upkeep, Schedule(interval=MONTH_WEEKS, start=1.0))
        self.schedule_recurring(
            self.measure_network,
            Schedule(
                interval=c.output.network_every_weeks, start=float(c.output.network_every_weeks)
            ),
        )
        if c.catalyst.mode == "start_phase":
            self.schedule_event(
                self.catalyst.stop, at=max(1.0, c.catalyst.start_phase_years * WEEKS_PER_YEAR)
            )
        elif c.catalyst.mode == "leaves":
            self.schedule_event(
                self.catalyst_leaves, at=max(1.0, c.catalyst.leave_year * WEEKS_PER_YEAR)
            )
        if c.disruption.remove_at_year is not None:
            self.schedule_event(
                self.disrupt, at=max(1.0, c.disruption.remove_at_year * WEEKS_PER_YEAR)
            )

    # -- small services used by the submodels -------------------------------------------------
    @property
    def week(self) -> int:
        return self.steps

    def actor(self, index: int) -> Actor:
        return self._actors[index]

    def _decay_rates(self, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Weekly decay rate of each pair's tie: faster across sectors (M2)."""
        same = self.state.sector[pairs_i] == self.state.sector[pairs_j]
        return np.where(same, self.lam_same, self.lam_cross)

    def meet(self, pairs_i: np.ndarray, pairs_j: np.ndarray, gain: float, informed: bool) -> int:
        """Pairs have contact: ties reinforce or form. Returns the number of new ties."""
        pairs_i = np.asarray(pairs_i, dtype=np.int64)
        pairs_j = np.asarray(pairs_j, dtype=np.int64)
        return self.ties.contact(
            pairs_i,
            pairs_j,
            gain,
            self.config.ties.new_tie_strength,
            self.week,
            self._decay_rates(pairs_i, pairs_j),
            informed,
        )

    def host_of(self, role: str) -> int:
        """The active actor who hosts a meeting of the given host role, or -1."""
        if role == "qm":
            host = self.programme.qm
        elif role == "catalyst":
            host = self.catalyst.holder if self.catalyst.active else -1
        elif role == "anchor":
            host = self.anchor
        elif role == "coordinator":
            host = self.coordinator_actor
        else:
            members = [i for i in self.initiative_members if self.state.active[i]]
            host = members[0] if members else -1
        return host if host >= 0 and self.state.active[host] else -1

    def role_of(self, index: int) -> str:
        if self.catalyst.active and index == self.catalyst.holder:
            return "catalyst"
        if index == self.programme.qm or self.state.sector[index] == QM:
            return "qm"
        if index == self.anchor:
            return "anchor"
        if self.state.initiative[index]:
            return "initiative"
        return ""

    def roles(self) -> dict[int, str]:
        """Role of every actor that has one."""
        found = {i: self.role_of(i) for i in self.initiative_members}
        for i in (self.anchor, self.programme.qm, self.catalyst.holder, self.coordinator_actor):
            if i >= 0:
                found[i] = self.role_of(i)
        return {i: r for i, r in found.items() if r}

    def remove_actor(self, index: int) -> None:
        """An actor leaves: masked in the arrays, ties deleted, out of its cooperations."""
        if not self.state.active[index]:
            return
        self.state.active[index] = False
        self.ties.remove_actor(index)
        self.cooperations.leave(index)
        if index == self.catalyst.holder:
            self.catalyst.stop()
        self._actors[index].remove()

    def _strongest_contact(self, index: int, exclude_qm: bool = True) -> int:
        contacts = self.ties.contacts_of(index)
        if exclude_qm and len(contacts):
            contacts = contacts[self.state.sector[contacts] != QM]
        if not len(contacts):
            return -1
        strength = self.ties.strength(
            self.ties.slots_of(np.full(len(contacts), index), contacts), self.week
        )
        return int(contacts[np.argmax(strength)])

    def hand_over_coordination(self, qm: int) -> None:
        """Verstetigung: a local actor takes over the QM's coordinating (and catalyst) role."""
        local = self._strongest_contact(qm) if qm >= 0 else -1
        self.coordinator_actor = local
        if self.catalyst.active and self.catalyst.holder == qm:
            self.catalyst.hand_to(local)

    def catalyst_leaves(self) -> None:
        """The catalyst person leaves (the QM office stays); a successor may take over."""
        holder = self.catalyst.holder
        if holder < 0:
            return
        successor = self._strongest_contact(holder) if self.config.catalyst.successor else -1
        if self.state.sector[holder] == QM:
            self.catalyst.stop()
        else:
            self.remove_actor(holder)
        if successor >= 0:
            self.catalyst.hand_to(successor)

    def disrupt(self) -> None:
        """Remove one actor chosen by the disruption target (robustness experiments)."""
        target = self.config.disruption.target
        active = np.flatnonzero(self.state.view("active"))
        graph = resilient_graph(
            self.ties, self.state, self.week, self.config.ties.resilient_threshold
        )
        degree = dict(graph.degree())
        chosen = -1
        if target == "catalyst":
            chosen = self.catalyst.holder if self.catalyst.active else -1
        elif target == "qm":
            chosen = self.programme.qm
        elif target == "top_broker":
            scores = betweenness(graph, self.config.output.betweenness_samples, self._seed_int())
            chosen = max(scores, key=scores.get) if scores else -1
        else:
            pool = active[active != self.catalyst.holder]
            if target == "random_same_degree" and len(pool):
                reference = (
                    degree.get(self.catalyst.holder, 0)
                    if self.catalyst.active
                    else max(degree.values(), default=0)
                )
                gaps = np.abs(np.array([degree.get(int(i), 0) for i in pool]) - reference)
                pool = pool[gaps == gaps.min()]
            chosen = int(self.rng.choice(pool)) if len(pool) else -1
        threshold = self.config.ties.resilient_threshold
        before = network_metrics(self.ties, self.state, self.week, threshold)
        self.removed = {
            "target": target,
            "actor": chosen,
            "degree": degree.get(chosen, 0) if chosen >= 0 else 0,
            "role": self.role_of(chosen) if chosen >= 0 else "",
        }
        if chosen >= 0:
            self.remove_actor(chosen)
        after = network_metrics(self.ties, self.state, self.week, threshold)
        for key in ("giant_component_share", "components", "resilient_ties"):
            self.removed[f"{key}_before"] = before[key]
            self.removed[f"{key}_after"] = after[key]

    def _seed_int(self) -> int:
        return int(self.rng.integers(2**31 - 1))

    # -- the weekly step ---------------------------------------------------------------------
    def step(self) -> None:
        """One week: replenish, ideas, recruiting, work, catalyst, turnover, counters."""
        self.replenish()
        self.ideas_arise()
        self.recruit()
        self.cooperations.work()
        self.catalyst.act()
        self.turnover()
        self.datacollector.collect(self)

    def replenish(self) -> None:
        """Stocks refill by weekly income, minus the time kept ties cost, up to the cap (M1)."""
        s = self.state
        n = s.size
        stock = s.stock[:n]
        stock += s.income[:n] * s.active[:n, None]
        stock[: len(self._upkeep), TIME] -= self._upkeep  # newcomers since the last upkeep: none
        np.clip(stock, 0.0, s.cap[:n], out=stock)
        s.inspiration[:n] *= self._inspiration_decay

    def ideas_arise(self) -> None:
        """Engaged actors with spare time and capacity get project ideas (M4)."""
        s, c = self.state, self.config.cooperation
        n = s.size
        able = (
            s.active[:n] & (s.load[:n] < s.capacity[:n]) & (s.stock[:n, TIME] >= c.min_spare_hours)
        )
        chance = c.idea_rate * s.engagement[:n] * (1.0 + s.inspiration[:n])
        initiators = np.flatnonzero(able & (self.rng.random(n) < chance))
        if len(initiators):  # each proposes (`Actor.propose_cooperation`), in one batch
            self.cooperations.propose_many(initiators)

    def recruit(self) -> None:
        """Every cooperation in formation asks partners, in one pass (M4)."""
        self.cooperations.recruit()

    def turnover(self) -> None:
        """Some actors leave, newcomers arrive (M10)."""
        s, t = self.state, self.config.turnover
        n = s.size
        leaving = s.active[:n] & (self.rng.random(n) < self._leave_weekly)
        protected = [self.catalyst.holder, self.programme.qm]
        for i in np.flatnonzero(leaving).tolist():
            if i not in protected:
                self._actors[i].leave()
        arrivals = self.rng.poisson(t.arrival_rate_per_year * self.start_size / WEEKS_PER_YEAR)
        for _ in range(arrivals):
            sector = min(
                int(np.searchsorted(self._arrival_cumulative, self.rng.random(), side="right")),
                len(SECTORS) - 1,
            )
            self.add_actor(SECTORS[sector], f"newcomer_{s.size + 1}")

    def monthly_upkeep(self) -> None:
        """Monthly: joint work, weak ties pruned, tie upkeep costed, inactive actors drop out."""
        config = self.config
        s = self.state
        n = s.size
        self.cooperations.joint_work()
        live, strength = self.ties.prune(self.week, config.ties.prune_below, config.ties.max_ties)
        resilient = live[strength >= config.ties.resilient_threshold]
        ends = np.concatenate([self.ties.a[resilient], self.ties.b[resilient]])
        self._upkeep = np.bincount(ends, minlength=n)[:n] * config.ties.upkeep_hours
        idle = s.active[:n] & (self.week - s.last_active[:n] > config.turnover.max_inactive_weeks)
        idle &= s.load[:n] == 0
        for i in np.flatnonzero(idle).tolist():
            if i not in (self.catalyst.holder, self.programme.qm):
                self._actors[i].leave()

    def measure_network(self) -> None:
        """Every few weeks: whole-network measures; yearly and at the end: brokerage."""
        threshold = self.config.ties.resilient_threshold
        metrics = network_metrics(
            self.ties, self.state, self.week, threshold, self._programme_window()
        )
        if self.week % self.config.output.betweenness_every_weeks == 0 or self._finished:
            brokers = [i for i in (self.catalyst.holder, self.programme.qm) if i >= 0]
            scores = broker_betweenness(
                self.ties,
                self.state,
                self.week,
                threshold,
                brokers,
                self.config.output.betweenness_samples,
            )
            self._brokerage = {
                "catalyst_betweenness": scores.get(self.catalyst.holder, 0.0)
                if self.catalyst.active
                else 0.0,
                "qm_betweenness": scores.get(self.programme.qm, 0.0),
            }
        metrics.update(self._brokerage)
        self.network = metrics
        self.network_collector.collect(self)

    def _programme_window(self) -> tuple[float, float] | None:
        """Weeks (start, end] in which ties count as made during the programme."""
        c = self.config.programme
        if not c.enabled:
            return None
        return c.start_year * WEEKS_PER_YEAR, c.end_year * WEEKS_PER_YEAR

    def finish(self) -> None:
        """End of a run: measure the network once more, brokerage included."""
        self._finished = True
        self.measure_network()

    def _arrival_mix(self) -> np.ndarray:
        """Sector shares of newcomers: those of the starting actors, without QM."""
        counts = np.bincount(self.state.view("sector"), minlength=len(SECTORS)).astype(float)
        counts[QM] = 0
        return counts / counts.sum() if counts.sum() else np.eye(len(SECTORS))[RESIDENTS]

    # -- for exports and drawing --------------------------------------------------------------
    def tie_graph(self):
        """All active actors and live ties as a networkx graph with attributes."""
        return tie_graph(self.ties, self.state, self.week, self.roles())
