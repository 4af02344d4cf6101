"""The neighbourhood model: one step is one week.

The model builds the world and orders a week. Each step runs fixed phases over arrays:
resources replenish, ideas arise, cooperations in formation recruit, running cooperations
work, the catalyst acts, actors leave and arrive, and cheap counters are collected. Meetings,
the programme's years and end, the catalyst's events, a disruption, monthly upkeep and the
costlier network measures are Mesa events. Each submodel lives in its own module and owns
its events; the model is the hub that knows them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from mesa import Model
from mesa.time import Schedule

from simulation import everyday, neighbourhood, reporters, streams
from simulation.agents import Actor
from simulation.catalyst import Catalyst
from simulation.config import MONTH_STEPS, ScenarioConfig
from simulation.cooperations import CooperationBook
from simulation.disruption import Disruption
from simulation.engagement import Engagement
from simulation.meetings import MeetingStructure
from simulation.metrics import broker_betweenness, network_metrics, tie_graph
from simulation.population import NO_INCOME, QM, SECTOR_CODE, Population
from simulation.programme import Programme
from simulation.ties import TieStore
from simulation.turnover import Turnover


class Happening(NamedTuple):
    """Something that happened to the neighbourhood's structures, for timelines and charts."""

    week: int
    kind: str  # programme_start, programme_end, catalyst, catalyst_ends, catalyst_leaves,
    # meeting, disruption
    actor: int  # the actor concerned, or -1
    detail: str  # e.g. the meeting's name


@dataclass(frozen=True)
class ObservationStart:
    """The neighbourhood at week 0, when outputs begin: who was there, and how many
    cooperations each actor had joined (summaries count only what happens from here on)."""

    active: int  # active actors
    size: int  # actors ever created
    present: np.ndarray  # active, by actor index (< size)
    joined: np.ndarray  # cooperations joined, by actor index (< size)

    @classmethod
    def of(cls, model: NeighbourhoodModel) -> ObservationStart:
        state = model.state
        active = state.view("active").copy()
        return cls(int(active.sum()), state.size, active, state.view("joined").copy())


class NeighbourhoodModel(Model):
    """Actors, ties, meetings, cooperations, catalyst and programme of one neighbourhood."""

    def __init__(
        self,
        config: ScenarioConfig | None = None,
        rng: int | None = None,
        weekly: bool = True,
        network: bool = True,
    ) -> None:
        """`weekly`: record the weekly counters (`datacollector`); `network`: measure the
        network every `output.network_every_weeks` and record it (`network_collector`).
        Without them the results are the same, their series empty (the end of a run measures
        the network for its summary all the same)."""
        super().__init__(rng=rng)
        self.weekly, self.network_series = weekly, network
        self._stream = streams.stream(self.rng)
        self._stream_of = self.rng
        self.config = config = config if config is not None else ScenarioConfig()
        self.state = Population(topics=config.actors.topics)
        self.ties = TieStore(config.ties, self.state)
        self._actors: list[Actor] = []
        self.initiative_members: list[int] = []
        self.anchor = -1
        self.coordinator_actor = -1
        self._upkeep = np.zeros(0)
        self._warm = -config.warmup_weeks  # weeks of warm-up still to run (see `week`)
        self.happenings: list[Happening] = []
        self._inspiration_decay = 0.5 ** (1 / config.cooperation.inspiration_half_life_weeks)
        self.newcomers = neighbourhood.newcomers(config)

        neighbourhood.build(self)
        self.turnover = Turnover(self)
        self.engagement = Engagement(self)
        self.cooperations = CooperationBook(self)
        self.meetings = [MeetingStructure(self, spec) for spec in config.meetings]
        self.catalyst = Catalyst(self)
        self.programme = Programme(self)
        self.disruption = Disruption(self)
        self.network: dict[str, float] = {}
        self._brokerage = {"catalyst_betweenness": 0.0, "qm_betweenness": 0.0}
        self._finished = False
        self.datacollector = reporters.Collector(model_reporters=reporters.WEEKLY)
        self.network_collector = reporters.Collector(model_reporters=reporters.NETWORK)
        self._warm_up()
        neighbourhood.found(self)
        self.observed_from = ObservationStart.of(self)
        self.programme.schedule()
        self.catalyst.appoint()
        self._schedule_events()
        if network:
            self.measure_network()

    def _warm_up(self) -> None:
        """`warmup_years` of the neighbourhood before week 0: the weekly phases and the
        monthly upkeep, no meetings, catalyst or programme (they start at week 0), nothing
        recorded. Mesa's clock starts at week 0, after it; `week` counts up to 0 during it."""
        for done in range(self.config.warmup_weeks):
            self._warm += 1
            self._weekly_phases()
            if done % MONTH_STEPS == 0:
                self.monthly_upkeep()
        self.cooperations.begin_observation()

    def _schedule_events(self) -> None:
        every = self.config.output.network_every_weeks
        for meeting in self.meetings:
            meeting.schedule()
        self.schedule_recurring(self.monthly_upkeep, Schedule(interval=MONTH_STEPS, start=1.0))
        if self.network_series:
            self.schedule_recurring(
                self.measure_network, Schedule(interval=every, start=float(every))
            )
        self.catalyst.schedule()
        self.disruption.schedule()

    # -- services the submodels share ---------------------------------------------------------
    @property
    def week(self) -> int:
        """Weeks since the start (week 0); negative during the warm-up."""
        return self.steps + self._warm

    @property
    def start_size(self) -> int:
        """Active actors at week 0, before the structures began (the QM office and an
        independent catalyst not counted)."""
        return self.observed_from.active

    def note(self, kind: str, actor: int = -1, detail: str = "") -> None:
        """Record a happening (see `Happening`) in this week."""
        self.happenings.append(Happening(self.week, kind, actor, detail))

    def actor(self, index: int) -> Actor:
        return self._actors[index]

    def add_actor(self, sector: str, name: str, income: tuple | None = None) -> int:
        """Create an actor with its sector's traits and income (or the weekly income given,
        e.g. by an actor map: engaged if it has time); returns its index."""
        given = NO_INCOME if income is None else np.asarray(income, dtype=float)
        i = self.state.add(name, SECTOR_CODE[sector], self.week, self.newcomers, self.stream, given)
        self.ties.add_actors(1)
        self._actors.append(Actor(self, i, name))
        return i

    def remove_actor(self, index: int) -> None:
        """An actor leaves: masked in the arrays, ties deleted, out of its cooperations."""
        if not self.state.data.active[index]:
            return
        self.state.leave(index)
        self.ties.remove_actor(index)
        self.cooperations.leave(index)
        if index == self.catalyst.holder:
            self.catalyst.stop()
        self._actors[index].remove()

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
            active = self.state.data.active
            members = [i for i in self.initiative_members if active[i]]
            host = members[0] if members else -1
        return host if host >= 0 and self.state.data.active[host] else -1

    def role_of(self, index: int) -> str:
        if self.catalyst.holds(index):
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

    @property
    def removed(self) -> dict[str, object]:
        """What a disruption removed (empty without one)."""
        return self.disruption.removed

    @property
    def stream(self) -> streams.Stream:
        """Where kernels draw from `rng` (read again if `rng` was replaced, e.g. by
        `reset_rng`)."""
        if self._stream_of is not self.rng:
            self._stream, self._stream_of = streams.stream(self.rng), self.rng
        return self._stream

    # -- the weekly step ---------------------------------------------------------------------
    def step(self) -> None:
        """One week: replenish, ideas, recruiting, work, catalyst, turnover, counters."""
        self._weekly_phases()
        if self.weekly:
            self.datacollector.collect(self)

    def _weekly_phases(self) -> None:
        self.replenish()
        everyday.contacts(self)
        self.ideas_arise()
        self.cooperations.recruit()
        self.cooperations.work()
        self.catalyst.act()
        self.turnover.week()
        self.engagement.week()

    def replenish(self) -> None:
        """Stocks refill by weekly income, minus the time kept ties cost, up to the cap (M1)."""
        self.state.replenish(self._upkeep, self._inspiration_decay)

    def ideas_arise(self) -> None:
        """Engaged actors with spare time and capacity get project ideas (M4)."""
        self.cooperations.ideas_arise()

    def monthly_upkeep(self) -> None:
        """Monthly: joint work, weak ties pruned, tie upkeep costed, inactive actors drop out."""
        n = self.state.size
        self.cooperations.joint_work()
        self._upkeep = self.ties.monthly_upkeep(self.week, n)
        self.turnover.drop_idle()

    def measure_network(self) -> None:
        """Every few weeks: whole-network measures; yearly and at the end: brokerage."""
        threshold = self.config.ties.resilient_threshold
        metrics = network_metrics(self.ties, self.state, self.week, threshold)
        if self.week % self.config.output.betweenness_every_weeks == 0 or self._finished:
            catalyst, qm = self.catalyst, self.programme.qm
            brokers = [i for i in (catalyst.holder, qm) if i >= 0]
            scores = broker_betweenness(
                self.ties,
                self.state,
                self.week,
                threshold,
                brokers,
                self.config.output.betweenness_samples,
            )
            self._brokerage = {
                "catalyst_betweenness": scores.get(catalyst.holder, 0.0)
                if catalyst.active
                else 0.0,
                "qm_betweenness": scores.get(qm, 0.0),
            }
        metrics.update(self._brokerage)
        self.network = metrics
        if self.network_series:
            self.network_collector.collect(self)

    def finish(self) -> None:
        """End of a run: measure the network once more, brokerage included."""
        self._finished = True
        self.measure_network()

    # -- for exports and drawing --------------------------------------------------------------
    def tie_graph(self):
        """All active actors and live ties as a networkx graph with attributes."""
        return tie_graph(self.ties, self.state, self.week, self.roles())
