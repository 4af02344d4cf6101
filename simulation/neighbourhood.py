"""Building the neighbourhood at the start of a run (ODD §5, Initialisation).

`build`, before the warm-up: actors per sector from `actors.counts` (or the actors of an actor
map), each with its sector's income, full stocks for two weeks (capped), engagement, capacity
and random topics of interest; random acquaintances, dense within sectors and sparse across
them (homophily: McPherson et al. 2001), or the ties of a ties file.

`found`, at week 0 after the warm-up, among the actors present then: the residents' initiative
(engaged residents who know each other well) and the anchor, the civil-society actor with the
most rooms. Like meetings, catalyst and programme they are structures of the scenario, so they
are there when observation starts whoever left during the warm-up.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from simulation.config import RESOURCES, ROOMS, SECTORS, TIME, HoursClass, ScenarioConfig
from simulation.population import (
    CIVIL_SOCIETY,
    RESIDENTS,
    Newcomers,
    engaged_hours,
)

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

VOLUNTEERS = ("residents",)
"""Sectors whose actors give volunteer time (drawn per person) rather than paid hours."""
REGULAR_HOURS = 3.0
"""The initiative's members are regular volunteers: their hours are drawn from 3 h a week up."""
INITIATIVE_TIE_FACTOR = 1.5
"""The initiative's members know each other better than the typical first acquaintance:
their mean tie is this many times `ties.initial_strength` (at most 1)."""


def build(model: NeighbourhoodModel) -> None:
    """The starting actors and the first ties."""
    config = model.config
    state = model.state
    for sector, name, spec in planned_sectors(config):
        income = None
        if spec is not None:
            income = (spec["time"], spec["money"], spec["material"], spec["rooms"])
        i = model.add_actor(sector, name, income=income)
        if spec is not None:
            if spec["topics"]:
                state.interests[i] = False
                state.interests[i, [t % state.topics for t in spec["topics"]]] = True
            if spec["engagement"] is not None:
                state.engagement[i] = spec["engagement"]
    initial_ties(model)


def found(model: NeighbourhoodModel) -> None:
    """At week 0: the initiative and the anchor, among the actors present."""
    form_initiative(model)
    state = model.state
    civil = np.flatnonzero((state.view("sector") == CIVIL_SOCIETY) & state.view("active"))
    if len(civil):
        model.anchor = int(civil[np.argmax(state.income[civil, ROOMS])])


def planned_sectors(config: ScenarioConfig) -> list[tuple[str, str, dict | None]]:
    """(sector, name, actor spec or None) for every actor to create at the start."""
    if config.actors.roster is not None:
        return [(spec.sector, spec.name, spec.model_dump()) for spec in config.actors.roster]
    planned = []
    for sector in SECTORS:
        if sector == "qm":
            continue
        for k in range(config.actors.counts.get(sector, 0)):
            planned.append((sector, f"{sector}_{k + 1}", None))
    return planned


def newcomers(config: ScenarioConfig) -> Newcomers:
    """How the actors of this scenario are made (see `Newcomers`): each sector's income
    and traits, the volunteer hours' classes, the resource level and stock weeks."""
    traits = [config.actors.traits_of(sector) for sector in SECTORS]
    hours, cumulative = hours_classes(config.actors.volunteer_hours, 0.0)
    resources = config.resources
    weeks = np.full(len(RESOURCES), resources.stock_weeks)
    weeks[TIME] = resources.time_stock_weeks
    return Newcomers(
        income=np.array([resources.income_of(sector).as_tuple() for sector in SECTORS]),
        engaged_share=np.array([t.engaged_share for t in traits], dtype=np.float64),
        engagement=np.array([t.engagement for t in traits], dtype=np.float64),
        capacity=np.array([t.capacity for t in traits], dtype=np.int64),
        volunteers=np.array([sector in VOLUNTEERS for sector in SECTORS]),
        hours=hours,
        cumulative=cumulative,
        level=float(resources.level),
        weeks=weeks,
        topics=int(config.actors.topics),
        interests=int(config.actors.interests_per_actor),
    )


def hours_classes(classes: list[HoursClass], at_least: float) -> tuple[np.ndarray, np.ndarray]:
    """The classes of weekly volunteer hours an engaged person with at least `at_least` hours
    is drawn from (`population.hours_in_class`): their (low, high) and cumulative shares."""
    return _hours_classes(tuple((c.share, c.low, c.high) for c in classes), at_least)


@lru_cache(maxsize=64)
def _hours_classes(
    classes: tuple[tuple[float, float, float], ...], at_least: float
) -> tuple[np.ndarray, np.ndarray]:
    """The (low, high) of the classes (share, low, high) reaching `at_least` (the last class
    if none does) and their cumulative shares, normalised (read-only arrays)."""
    usable = [c for c in classes if c[2] >= at_least] or list(classes[-1:])
    shares = np.array([c[0] for c in usable])
    hours = np.array([(c[1], c[2]) for c in usable], dtype=np.float64).reshape(-1, 2)
    cumulative = np.cumsum(shares / shares.sum())
    hours.flags.writeable = cumulative.flags.writeable = False
    return hours, cumulative


def form_initiative(model: NeighbourhoodModel) -> None:
    """The residents' initiative: engaged residents who know each other well.

    From an actor map its members are the actors marked `initiative` or `lead` (the lead
    first) who are still present; otherwise `actors.initiative_size` present residents drawn
    at random, most engaged first. Ties among members are at least as strong as drawn.
    """
    config, state, rng = model.config, model.state, model.rng
    members = _mapped_initiative(config)
    if members is not None:
        members = members[state.view("active")[members]]
    else:
        size = config.actors.initiative_size
        residents = np.flatnonzero((state.view("sector") == RESIDENTS) & state.view("active"))
        if size == 0 or not len(residents):
            return
        members = rng.choice(residents, size=min(size, len(residents)), replace=False)
        members = members[np.argsort(-state.engagement[members], kind="stable")]
    if not len(members):
        return
    model.initiative_members = members.tolist()
    state.initiative[members] = True
    engaged = max(config.actors.initiative_engagement, 0.0)
    state.engagement[members] = np.maximum(state.engagement[members], engaged)
    if config.actors.roster is None:  # an actor map gives its members' hours itself
        hours, cumulative = hours_classes(config.actors.volunteer_hours, REGULAR_HOURS)
        for i in members.tolist():
            weekly = engaged_hours(
                model.newcomers, RESIDENTS, hours, cumulative, REGULAR_HOURS, model.stream
            )
            state.set_engaged(i, True, weekly, config.resources.time_stock_weeks)
    i, j = np.triu_indices(len(members), 1)
    mean = min(1.0, config.ties.initial_strength * INITIATIVE_TIE_FACTOR)
    strengths = initial_strengths(rng, mean, len(i))
    for a, b, w in zip(members[i].tolist(), members[j].tolist(), strengths.tolist(), strict=True):
        at_least(model, a, b, w)


def at_least(model: NeighbourhoodModel, a: int, b: int, w: float) -> None:
    """Make the tie (a, b) with strength `w` now, or raise an existing weaker one to `w`."""
    ties, t = model.ties, float(model.week)
    s = ties.slot(a, b)
    if s < 0:
        ties.create(a, b, w, t, ties.lam_same, informed=True)
        return
    now = float(ties.strength(s, t))
    if now < w:
        ties.meet(np.array([a]), np.array([b]), gain=w - now, t=t)


def _mapped_initiative(config: ScenarioConfig) -> np.ndarray | None:
    """Initiative members marked in the actor map, the lead first; None if none marked."""
    roster = config.actors.roster
    if not roster or not any(spec.role for spec in roster):
        return None
    order = {"lead": 0, "initiative": 1}
    marked = sorted((order[spec.role], k) for k, spec in enumerate(roster) if spec.role)
    return np.array([k for _, k in marked], dtype=np.int64)


def initial_ties(model: NeighbourhoodModel) -> None:
    """Random acquaintances (`initial_pairs`), or the ties of a ties file; all informed."""
    ties_config, state, ties = model.config.ties, model.state, model.ties
    if ties_config.initial is not None:
        index = {name: k for k, name in enumerate(state.names)}
        i = np.array([index[tie.a] for tie in ties_config.initial], dtype=np.int64)
        j = np.array([index[tie.b] for tie in ties_config.initial], dtype=np.int64)
        strengths = np.array([tie.strength for tie in ties_config.initial])
    else:
        i, j = initial_pairs(
            model.rng,
            state.view("sector"),
            ties_config.initial_within_degree,
            ties_config.initial_cross_degree,
        )
        strengths = initial_strengths(model.rng, ties_config.initial_strength, len(i))
    rates = ties.decay_rates(i, j)
    for a, b, w, lam in zip(
        i.tolist(), j.tolist(), strengths.tolist(), rates.tolist(), strict=True
    ):
        if a != b and ties.slot(a, b) < 0:
            ties.create(a, b, w, float(model.week), lam, informed=True)


def _distinct_pairs(
    rng: np.random.Generator,
    members: np.ndarray,
    count: int,
    n: int,
    sector: np.ndarray | None = None,
) -> np.ndarray:
    """Up to `count` distinct unordered pairs of `members`, as keys ``lo * n + hi``.

    With `sector` given, only pairs of different sectors are kept.
    """
    if count <= 0 or len(members) < 2:
        return np.zeros(0, dtype=np.int64)
    i = members[rng.integers(0, len(members), 4 * count + 8)]
    j = members[rng.integers(0, len(members), 4 * count + 8)]
    keep = i != j
    if sector is not None:
        keep &= sector[i] != sector[j]
    lo, hi = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    keys, first = np.unique(lo * n + hi, return_index=True)
    return keys[np.argsort(first)][:count]


def initial_pairs(
    rng: np.random.Generator, sector: np.ndarray, within_degree: float, cross_degree: float
) -> tuple[np.ndarray, np.ndarray]:
    """Random acquaintances: dense within sectors, sparse across them (homophily, M2).

    Each sector gets about ``size * within_degree / 2`` ties among its members, the whole
    neighbourhood about ``n * cross_degree / 2`` ties across sectors. Returns pairs (i, j).
    """
    n = len(sector)
    everyone = np.arange(n)
    keys = [np.zeros(0, dtype=np.int64)]
    for code in np.unique(sector):
        members = everyone[sector == code]
        possible = len(members) * (len(members) - 1) // 2
        count = min(possible, round(len(members) * within_degree / 2))
        keys.append(_distinct_pairs(rng, members, count, n))
    keys.append(_distinct_pairs(rng, everyone, round(n * cross_degree / 2), n, sector))
    pairs = np.concatenate(keys)
    return pairs // max(n, 1), pairs % max(n, 1)


def initial_strengths(rng: np.random.Generator, mean: float, count: int) -> np.ndarray:
    """Initial tie strengths spread evenly around `mean`, within (0, 1]."""
    low, high = 0.5 * mean, min(1.0, 1.5 * mean)
    return rng.uniform(low, high, count)
