"""The actors' bulk state as arrays, and how the first actors and ties are made (M1, M2).

Rows are actors; a leaving actor is masked (`active`), never deleted, so indices stay valid
for the whole run. Arrays grow by doubling when newcomers arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.config import SECTORS, WEEKS_PER_YEAR, ScenarioConfig

SECTOR_CODE = {name: code for code, name in enumerate(SECTORS)}
QM = SECTOR_CODE["qm"]
RESIDENTS = SECTOR_CODE["residents"]


@dataclass
class Population:
    """Per-actor arrays. Resources are columns time, money, material, rooms."""

    topics: int
    size: int = 0
    sector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    engagement: np.ndarray = field(default_factory=lambda: np.zeros(0))
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    load: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    stock: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    income: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    cap: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    interests: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    inspiration: np.ndarray = field(default_factory=lambda: np.zeros(0))
    last_active: np.ndarray = field(default_factory=lambda: np.zeros(0))
    joined: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    initiative: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    names: list[str] = field(default_factory=list)

    _ARRAYS = (
        "sector",
        "active",
        "engagement",
        "capacity",
        "load",
        "stock",
        "income",
        "cap",
        "interests",
        "inspiration",
        "last_active",
        "joined",
        "initiative",
    )

    def _reserve(self, extra: int) -> None:
        needed = self.size + extra
        if needed <= len(self.sector):
            return
        rows = max(needed, 2 * len(self.sector), 16)
        for name in self._ARRAYS:
            old = getattr(self, name)
            shape = (rows, *old.shape[1:]) if name != "interests" else (rows, self.topics)
            new = np.zeros(shape, dtype=old.dtype)
            if self.size:
                new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def add(
        self,
        sector: int,
        income: np.ndarray,
        cap: np.ndarray,
        engagement: float,
        capacity: int,
        interests: np.ndarray,
        name: str,
        week: float,
    ) -> int:
        """Append one actor with full stocks; returns its index."""
        self._reserve(1)
        i = self.size
        self.size += 1
        self.sector[i], self.active[i], self.engagement[i] = sector, True, engagement
        self.capacity[i], self.load[i] = capacity, 0
        self.income[i], self.cap[i], self.stock[i] = income, cap, np.minimum(cap, income * 2)
        self.interests[i] = interests
        self.inspiration[i], self.last_active[i], self.joined[i] = 0.0, week, 0
        self.initiative[i] = False
        self.names.append(name)
        return i

    def view(self, name: str) -> np.ndarray:
        """The live part of one array (rows 0..size-1)."""
        return getattr(self, name)[: self.size]


def income_and_cap(
    config: ScenarioConfig, sector: str, income: tuple[float, float, float, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly income (scaled by the resource level) and stock cap of one actor."""
    base = np.array(income if income is not None else config.resources.income_of(sector).as_tuple())
    weekly = base * config.resources.level
    weeks = np.full(4, config.resources.stock_weeks)
    weeks[0] = config.resources.time_stock_weeks
    return weekly, weekly * weeks


def random_interests(rng: np.random.Generator, topics: int, count: int) -> np.ndarray:
    """A boolean row with `count` topics of interest drawn at random."""
    row = np.zeros(topics, dtype=bool)
    row[np.argsort(rng.random(topics))[:count]] = True  # a random subset of `count` topics
    return row


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


def weekly_decay(config: ScenarioConfig) -> tuple[float, float]:
    """Weekly decay rates (same sector, cross sector) from the monthly share lost (M2)."""
    months_per_week = 12 / WEEKS_PER_YEAR
    lam = -np.log(1.0 - config.ties.decay_per_month) * months_per_week
    return float(lam), float(lam * config.ties.cross_sector_decay_multiplier)
