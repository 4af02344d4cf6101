"""Observers for re-runs (experiments.research.rerun): what the stylised facts need beyond the
stored outputs. Each reads the model only; `result` returns plain data."""

from __future__ import annotations

import contextlib

import networkx as nx
import numpy as np

from experiments.research.structure import (
    percolation,
    resilient,
    robustness,
    stage,
)
from simulation.config import WEEKS_PER_YEAR
from simulation.model import NeighbourhoodModel


def _pairs(model: NeighbourhoodModel) -> set[tuple[int, int]]:
    live = model.ties.live_slots()
    return set(zip(model.ties.a[live].tolist(), model.ties.b[live].tolist(), strict=True))


class Strangers:
    """Fact 3: who were strangers before the first meeting (no tie at week 0, when meetings,
    catalyst and programme begin), and what they did together by the end: ties between them,
    and cooperations begun from week 0 on with at least one pair of such strangers."""

    def __init__(self) -> None:
        self.known: set[tuple[int, int]] | None = None
        self.present = np.zeros(0, dtype=bool)

    def __call__(self, model: NeighbourhoodModel) -> None:
        if self.known is None:
            self.known = _pairs(model)
            s = model.state
            self.present = s.active[: s.size].copy()

    def _strangers(self, a: int, b: int) -> bool:
        n = len(self.present)
        pair = (min(a, b), max(a, b))
        return a < n and b < n and self.present[a] and self.present[b] and pair not in self.known

    def result(self, model: NeighbourhoodModel) -> dict[str, float]:
        ties = sum(self._strangers(a, b) for a, b in _pairs(model))
        book = model.cooperations
        k = book.count
        begun = np.flatnonzero(book.start_week[:k] >= 0)
        bridging = 0
        for c in begun.tolist():
            group = [int(i) for i in book.group(c)]
            if any(self._strangers(a, b) for x, a in enumerate(group) for b in group[x + 1 :]):
                bridging += 1
        return {
            "stranger_ties": float(ties),
            "stranger_cooperations": float(bridging),
            "stranger_cooperation_share": bridging / len(begun) if len(begun) else float("nan"),
        }


class Stages:
    """Fact 5: every `every` weeks from week 0 on (the warm-up is not observed), the stage of
    the resilient-tie network, who its top hub is, and whether the catalyst is active."""

    def __init__(self, every: int = 26) -> None:
        self.every = every
        self.rows: list[dict[str, object]] = []

    def __call__(self, model: NeighbourhoodModel) -> None:
        if model.week % self.every:
            return
        graph = resilient(model.tie_graph(), model.config.ties.resilient_threshold)
        found, hub = stage(graph)
        self.rows.append(
            {
                "year": model.week / WEEKS_PER_YEAR,
                "stage": found,
                "hub": hub,
                "catalyst_active": bool(model.catalyst.active),
            }
        )

    def result(self, model: NeighbourhoodModel) -> list[dict[str, object]]:
        return self.rows


class Percolation:
    """Fact 8: the resilient-tie network at the end of the (re-)run — run it to the week of the
    removal — taken apart actor by actor by betweenness and at random."""

    def __init__(self, orders: int = 10, seed: int = 8) -> None:
        self.orders, self.seed = orders, seed

    def __call__(self, model: NeighbourhoodModel) -> None:
        return None

    def result(self, model: NeighbourhoodModel) -> dict[str, object]:
        graph = resilient(model.tie_graph(), model.config.ties.resilient_threshold)
        rng = np.random.default_rng(self.seed)
        targeted = percolation(graph, True, rng, samples=100)
        random = np.mean([percolation(graph, False, rng) for _ in range(self.orders)], axis=0)
        null = rewired(graph, self.seed)
        null_gap = robustness(
            np.mean([percolation(null, False, rng) for _ in range(self.orders)], axis=0)
        ) - robustness(percolation(null, True, rng, samples=100))
        return {
            "targeted": targeted.tolist(),
            "random": random.tolist(),
            "robustness_targeted": robustness(targeted),
            "robustness_random": robustness(random),
            "gap_rewired": null_gap,
        }


def rewired(graph: nx.Graph, seed: int) -> nx.Graph:
    """The graph with its ties rewired at random, every actor keeping its degree (double edge
    swaps, 10 per tie): the null model of a network with the same degrees and no other
    structure."""
    null = nx.Graph(graph.edges())
    null.add_nodes_from(graph.nodes)
    ties = null.number_of_edges()
    if ties >= 2:
        with contextlib.suppress(nx.NetworkXException):  # too few swaps possible: keep those
            nx.double_edge_swap(null, nswap=10 * ties, max_tries=1000 * ties, seed=seed)
    return null


class TieSurvival:
    """Fact 7: the ties alive when funding ends (week `exit_week`) — their origin, strength and
    age then — and the week each is gone (checked every 4 weeks; -1: still there at the end)."""

    def __init__(self, exit_week: int, every: int = 4) -> None:
        self.exit_week, self.every = exit_week, every
        self.tracked: dict[str, np.ndarray] | None = None

    def __call__(self, model: NeighbourhoodModel) -> None:
        week = model.week
        if self.tracked is None:
            if week == self.exit_week:
                self._start(model)
            return
        if (week - self.exit_week) % self.every:
            return
        t, ties = self.tracked, model.ties
        slot = t["slot"]
        here = ties.alive[slot] & (ties.a[slot] == t["a"]) & (ties.b[slot] == t["b"])
        here &= ties.born[slot] == t["born"]
        gone = (t["gone"] < 0) & ~here
        t["gone"][gone] = week

    def _start(self, model: NeighbourhoodModel) -> None:
        ties = model.ties
        live = ties.live_slots()
        self.tracked = {
            "slot": live,
            "a": ties.a[live].copy(),
            "b": ties.b[live].copy(),
            "born": ties.born[live].copy(),
            "origin": ties.origin[live].astype(int),
            "strength": ties.strength(live, model.week),
            "age": model.week - ties.born[live],
            "gone": np.full(len(live), -1.0),
        }

    def result(self, model: NeighbourhoodModel) -> dict[str, list]:
        if self.tracked is None:
            return {"origin": [], "strength": [], "age": [], "gone": [], "end": model.week}
        t = self.tracked
        return {
            "origin": t["origin"].tolist(),
            "strength": t["strength"].tolist(),
            "age": t["age"].tolist(),
            "gone": t["gone"].tolist(),
            "end": int(model.week),
        }
