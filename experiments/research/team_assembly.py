"""Team assembly (Guimerà, Uzzi, Spiro & Amaral 2005): a reference implementation of the
published rules, and observers that measure the same quantities in the neighbourhood model.

The reference follows the rules as the paper and the NetLogo Team Assembly model state them:
one team of m agents a step; each member is an incumbent with probability p, a newcomer
otherwise; an incumbent, if the team already has an incumbent, is with probability q a
collaborator of a randomly chosen incumbent of the team, otherwise a random incumbent; all
members of a team are linked; an agent in no new team for more than τ steps retires with its
links. S is the share of the active agents in the largest connected component.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from simulation.model import NeighbourhoodModel


def reference_giant(
    m: int, p: float, q: float, tau: int, steps: int, seed: int, every: int = 10
) -> float:
    """The mean share S of active agents in the giant component over the second half of
    `steps` steps of Guimerà et al.'s team assembly (measured every `every` steps)."""
    rng = np.random.default_rng(seed)
    partners: dict[int, set[int]] = {}
    last: dict[int, int] = {}
    pool: list[int] = []  # the incumbents, for uniform draws
    where: dict[int, int] = {}
    shares, newest = [], 0
    for t in range(steps):
        team: list[int] = []
        incumbents: list[int] = []
        for _ in range(m):
            chosen = _incumbent(rng, p, q, team, incumbents, partners, pool)
            if chosen is None:
                chosen, newest = newest, newest + 1
                partners[chosen] = set()
            else:
                incumbents.append(chosen)
            team.append(chosen)
        for a in team:
            partners[a].update(b for b in team if b != a)
            if a not in where:
                where[a] = len(pool)
                pool.append(a)
            last[a] = t
        for a in [a for a in pool if t - last[a] > tau]:
            _retire(a, pool, where, partners, last)
        if t >= steps // 2 and t % every == 0:
            shares.append(_largest(pool, partners) / len(pool))
    return float(np.mean(shares))


def _incumbent(rng, p, q, team, incumbents, partners, pool) -> int | None:
    """An incumbent for the team (None: a newcomer is drawn)."""
    if rng.random() >= p:
        return None
    if incumbents and rng.random() < q:
        source = incumbents[rng.integers(len(incumbents))]
        known = sorted(b for b in partners[source] if b not in team)
        if known:
            return known[rng.integers(len(known))]
    free = [a for a in pool if a not in team] if len(pool) <= len(team) + 1 else None
    if free is not None:
        return free[rng.integers(len(free))] if free else None
    while True:
        a = pool[rng.integers(len(pool))]
        if a not in team:
            return a


def _retire(a, pool, where, partners, last) -> None:
    i = where.pop(a)
    tail = pool.pop()
    if tail != a:
        pool[i] = tail
        where[tail] = i
    for b in partners.pop(a):
        partners[b].discard(a)
    del last[a]


def _largest(pool: list[int], partners: dict[int, set[int]]) -> int:
    seen: set[int] = set()
    largest = 0
    for a in pool:
        if a in seen:
            continue
        stack, size = [a], 0
        seen.add(a)
        while stack:
            u = stack.pop()
            size += 1
            for v in partners[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        largest = max(largest, size)
    return largest


# ------------------------------------------------------------------ the model's side


def incumbent_giant(model: NeighbourhoodModel) -> float:
    """Share of the active actors who have been in a team (incumbents) that are in the largest
    component of their ties — Guimerà's S; waiting newcomers are not yet in the network."""
    s, ties = model.state, model.ties
    n = s.size
    inside = s.active[:n] & (s.joined[:n] > 0)
    count = int(inside.sum())
    if count == 0:
        return 0.0
    position = np.full(n, -1)
    position[inside] = np.arange(count)
    live = ties.live_slots()
    a, b = position[ties.a[live]], position[ties.b[live]]
    keep = (a >= 0) & (b >= 0)
    graph = coo_matrix((np.ones(keep.sum()), (a[keep], b[keep])), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    return float(np.bincount(labels).max() / count)


class TeamAssemblyObserver:
    """In a run of the reduced model: S every `every` weeks from week 0 on, new teams a week,
    the share of team members who were incumbents (the effective p), and the share of teams
    whose initiator was an incumbent."""

    def __init__(self, every: int = 13) -> None:
        self.every = every
        self.shares: list[float] = []
        self.teams = 0
        self.first_incumbent = 0
        self._count: int | None = None
        self._joined = np.zeros(0)

    def __call__(self, model: NeighbourhoodModel) -> None:
        book, s = model.cooperations, model.state
        if self._count is not None:
            for k in range(self._count, book.count):
                initiator = int(book.initiator[k])
                self.teams += 1
                known = initiator < len(self._joined)
                self.first_incumbent += bool(known and self._joined[initiator] > 0)
        self._count = book.count
        self._joined = s.joined[: s.size].copy()
        if model.week % self.every == 0:
            self.shares.append(incumbent_giant(model))

    def result(self, model: NeighbourhoodModel) -> dict[str, float]:
        book = model.cooperations
        k = book.count
        started = (book.start_week[:k] >= 0) & (book.n_members[:k] > 0)
        members = book.n_members[:k][started].sum()
        weeks = max(int(model.week), 1)
        return {
            "S": float(np.mean(self.shares)) if self.shares else float("nan"),
            "teams_per_week": self.teams / weeks,
            "p_effective": float(1 - book.newcomers[:k][started].sum() / members)
            if members
            else float("nan"),
            "first_incumbent": self.first_incumbent / self.teams if self.teams else float("nan"),
        }


class RepeatPartners:
    """At the end of a run: of the member pairs of the cooperations that started from week 0
    on, the share who had been partners in an earlier cooperation (repeat collaboration)."""

    def __call__(self, model: NeighbourhoodModel) -> None:
        return None

    def result(self, model: NeighbourhoodModel) -> dict[str, float]:
        book = model.cooperations
        k = book.count
        begun = np.flatnonzero(book.start_week[:k] != -1)  # warm-up ones are history too
        order = begun[np.argsort(book.start_week[begun], kind="stable")]
        seen: set[tuple[int, int]] = set()
        repeat = total = 0
        for c in order.tolist():
            group = sorted(int(i) for i in book.group(c))
            pairs = [(a, b) for x, a in enumerate(group) for b in group[x + 1 :]]
            if book.start_week[c] >= 0:
                total += len(pairs)
                repeat += sum(pair in seen for pair in pairs)
            seen.update(pairs)
        return {"repeat_pair_share": repeat / total if total else float("nan")}
