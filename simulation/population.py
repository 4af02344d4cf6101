"""The actors' bulk state as arrays (M1).

Rows are actors; a leaving actor is masked (`active`), never deleted, so indices stay valid
for the whole run. Submodels change an actor's numbers through the methods here (spending
time, being inspired, being active), not by writing the arrays themselves.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation.columns import Table, column
from simulation.compiled import fixed_kind, kernel
from simulation.config import RESOURCES, SECTORS, TIME
from simulation.streams import Stream, generator

SECTOR_CODE = {name: code for code, name in enumerate(SECTORS)}
QM = SECTOR_CODE["qm"]
RESIDENTS = SECTOR_CODE["residents"]
CIVIL_SOCIETY = SECTOR_CODE["civil_society"]
PUBLIC = SECTOR_CODE["public"]


class ActorArrays(NamedTuple):
    """One row per actor; resources are the columns of `RESOURCES` (time, money, ...)."""

    sector: np.ndarray = column(np.int8)  # code of `SECTORS`
    active: np.ndarray = column(np.bool_)  # still in the neighbourhood
    engaged: np.ndarray = column(np.bool_)  # takes part in neighbourhood work at all
    engagement: np.ndarray = column(np.float64)  # propensity to take up ideas and join
    capacity: np.ndarray = column(np.int16)  # concurrent cooperations allowed
    load: np.ndarray = column(np.int16)  # concurrent cooperations held
    stock: np.ndarray = column(np.float64, len(RESOURCES))  # what it has now
    income: np.ndarray = column(np.float64, len(RESOURCES))  # weekly replenishment
    cap: np.ndarray = column(np.float64, len(RESOURCES))  # most it can hold
    interests: np.ndarray = column(np.bool_, "topics")  # topics of interest
    inspiration: np.ndarray = column(np.float64)  # from exchange at meetings; decays
    last_active: np.ndarray = column(np.float64)  # week last at a meeting or in a project
    last_formal: np.ndarray = column(np.float64, fill=-np.inf)  # week of its last formal meeting
    joined: np.ndarray = column(np.int32)  # cooperations taken part in (0: a newcomer)
    initiative: np.ndarray = column(np.bool_)  # member of the residents' initiative


@fixed_kind
class Newcomers(NamedTuple):
    """How a new actor is made (`new_actor`), by sector code: its weekly income before the
    resource level (volunteer hours not counted), the share engaged, engagement, capacity and
    whether its time is volunteer hours; the classes of volunteer hours (low, high) and
    their cumulative shares; the resource level, the weeks of income a stock holds, the
    topics and how many are of interest to an actor. Made once per model
    (`neighbourhood.newcomers`)."""

    income: np.ndarray  # (sectors, resources)
    engaged_share: np.ndarray
    engagement: np.ndarray
    capacity: np.ndarray  # int64
    volunteers: np.ndarray  # bool
    hours: np.ndarray  # (classes, 2)
    cumulative: np.ndarray
    level: float
    weeks: np.ndarray  # (resources,)
    topics: int
    interests: int


NO_INCOME = np.zeros(0)
"""`new_actor`'s income when it is drawn from the sector's."""


class Population(Table[ActorArrays]):
    """The actors' arrays (`data`, an `ActorArrays`) and their names."""

    def __init__(self, topics: int) -> None:
        super().__init__(ActorArrays, rows=16, topics=topics)
        self.names: list[str] = []

    @property
    def topics(self) -> int:
        return self.widths["topics"]

    def add(
        self,
        name: str,
        sector: int,
        week: float,
        newcomers: Newcomers,
        source: Stream,
        income: np.ndarray = NO_INCOME,
    ) -> int:
        """Append one actor of `sector` made as `newcomers` says, drawing from `source`
        (its weekly `income` before the level given, or drawn); returns its index
        (compiled: `new_actor`)."""
        i = self.reserve(1)
        new_actor(self.data, i, sector, newcomers, income, float(week), source)
        self.names.append(name)
        return i

    # -- what submodels do to actors ----------------------------------------------------------
    def replenish(self, upkeep_hours: np.ndarray, inspiration_decay: float) -> None:
        """A week: stocks grow by income (active actors), minus the hours kept ties cost,
        within [0, cap]; inspiration fades (compiled: `replenish`)."""
        replenish(self.data, self.size, upkeep_hours, inspiration_decay)

    def spend_time(self, actor: int, hours: float) -> None:
        """`actor` spends `hours` of its time stock."""
        self.data.stock[actor, TIME] -= hours

    def mark_active(self, actors: np.ndarray | int, week: float) -> None:
        self.data.last_active[actors] = week

    def attend(
        self, actors: np.ndarray, hours: float, week: float, formal: bool, inspiration: float
    ) -> None:
        """`actors` (distinct) come to a meeting of `hours` in `week`: they spend the time and
        are active; a formal meeting (agenda, goal-setting) is noted as their last formal one;
        they gain `inspiration` (compiled: `attend`)."""
        attend(self.data, actors, float(hours), float(week), formal, float(inspiration))

    def inspire(self, actors: np.ndarray | int, gain: float) -> None:
        self.data.inspiration[actors] += gain

    def set_income(self, actor: int, income: np.ndarray) -> None:
        self.data.income[actor] = income

    def set_engaged(self, actor: int, engaged: bool, hours: float, stock_weeks: float) -> None:
        """`actor` starts or stops taking part, with `hours` a week for it (stock up to
        `stock_weeks` of them)."""
        d = self.data
        d.engaged[actor] = engaged
        d.income[actor, TIME] = hours
        d.cap[actor, TIME] = hours * stock_weeks
        d.stock[actor, TIME] = min(d.stock[actor, TIME], d.cap[actor, TIME])

    def leave(self, actor: int) -> None:
        self.data.active[actor] = False

    def sector_name(self, actor: int) -> str:
        return SECTORS[self.data.sector[actor]]

    def active_ids(self) -> np.ndarray:
        return np.flatnonzero(self.view("active"))


# -- compiled ---------------------------------------------------------------------------------


@kernel
def attend(actors, ids, hours, week, formal, inspiration):
    """See `Population.attend`."""
    for i in ids:
        actors.stock[i, TIME] -= hours
        actors.last_active[i] = week
        if formal:
            actors.last_formal[i] = week
        actors.inspiration[i] += inspiration


@kernel
def replenish(actors, n, upkeep_hours, inspiration_decay):
    """Stocks of the first `n` actors: plus income (active ones), minus the hours their kept
    ties cost (`upkeep_hours`: the actors known at the last upkeep; newcomers since: none),
    clipped to [0, cap]; inspiration times `inspiration_decay`."""
    stock, income, cap = actors.stock, actors.income, actors.cap
    for i in range(n):
        for r in range(stock.shape[1]):
            value = stock[i, r] + income[i, r] if actors.active[i] else stock[i, r] + 0.0
            if r == TIME and i < len(upkeep_hours):
                value -= upkeep_hours[i]
            stock[i, r] = min(max(value, 0.0), cap[i, r])
        actors.inspiration[i] *= inspiration_decay


@kernel
def with_ideas(actors, draws, idea_rate, min_spare):
    """Indices i < len(draws) of active, engaged actors with spare capacity and time whose
    draw is below idea_rate × engagement × (1 + inspiration)."""
    found = np.empty(len(draws), dtype=np.int64)
    n = 0
    for i in range(len(draws)):
        if not (actors.active[i] and actors.engaged[i] and actors.load[i] < actors.capacity[i]):
            continue
        if actors.stock[i, TIME] < min_spare:
            continue
        if draws[i] < idea_rate * actors.engagement[i] * (1.0 + actors.inspiration[i]):
            found[n] = i
            n += 1
    return found[:n]


@kernel
def involved(actors, size):
    """How many of the first `size` actors are active and in a cooperation (have a load)."""
    count = 0
    for i in range(size):
        if actors.active[i] and actors.load[i] > 0:
            count += 1
    return count


@kernel
def new_actor(actors, i, sector, newcomers, income, week, source):
    """Row `i` becomes a new active actor of `sector` (see `Newcomers`), drawing from the
    model's stream: its topics of interest (one uniform per topic; the lowest are its
    interests), then, unless its weekly `income` is given (engaged if it has time), whether
    it is engaged (a uniform below its sector's share) and its income (`weekly_income`).
    The income is scaled by the resource level, the cap holds `newcomers.weeks` of it, the
    stock two weeks of it (capped); it is active this `week`, in no cooperation yet."""
    n = newcomers
    draw = generator(source)
    order = np.argsort(draw.random(n.topics))
    actors.interests[i, :] = False
    for c in range(min(n.interests, len(order))):
        actors.interests[i, order[c]] = True
    if len(income):
        engaged = income[TIME] > 0
        weekly = income.copy()
    else:
        engaged = draw.random() < n.engaged_share[sector]
        weekly = weekly_income(n, sector, engaged, n.hours, n.cumulative, 0.0, draw)
    for r in range(len(weekly)):
        actors.income[i, r] = weekly[r] * n.level
        actors.cap[i, r] = actors.income[i, r] * n.weeks[r]
        actors.stock[i, r] = min(actors.cap[i, r], actors.income[i, r] * 2)
    actors.sector[i], actors.active[i], actors.engaged[i] = sector, True, engaged
    actors.engagement[i], actors.capacity[i] = n.engagement[sector], n.capacity[sector]
    actors.load[i], actors.inspiration[i], actors.joined[i] = 0, 0.0, 0
    actors.last_active[i], actors.last_formal[i] = week, -np.inf
    actors.initiative[i] = False


@kernel
def weekly_income(newcomers, sector, engaged, hours, cumulative, at_least, draw):
    """An actor's weekly income before the resource level: its sector's, plus volunteer
    hours for an engaged volunteer (`hours_in_class` of two uniforms from `draw`, among the
    classes `hours` with their `cumulative` shares, at least `at_least`); no time if not
    engaged."""
    weekly = newcomers.income[sector].copy()
    if newcomers.volunteers[sector] and engaged:
        u = draw.random()
        v = draw.random()
        weekly[TIME] += hours_in_class(u, v, hours, cumulative, at_least)
    if not engaged:
        weekly[TIME] = 0.0
    return weekly


@kernel
def engaged_hours(newcomers, sector, hours, cumulative, at_least, source):
    """The weekly hours for neighbourhood work of an actor of `sector` who starts taking
    part (`weekly_income`, scaled by the resource level), drawing from the model's stream."""
    weekly = weekly_income(newcomers, sector, True, hours, cumulative, at_least, generator(source))
    return weekly[TIME] * newcomers.level


@kernel
def hours_in_class(u, v, hours, cumulative, at_least):
    """Weekly volunteer hours from two uniforms: `u` picks a class by the `cumulative`
    shares, `v` the hours within it (`hours`: low, high; at least `at_least` within the
    class's range)."""
    c = min(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
    low, high = hours[c, 0], hours[c, 1]
    low = max(low, min(at_least, high))
    return low + v * (high - low)
