"""The network view's data: a stable layout and what to draw for one week of a run.

The layout is computed once (a spring layout of the first network) and then only extended:
an actor who appears later is placed near the actors it already knows, and nobody who was
placed ever moves. A run places its newcomers every week as it steps, so where an actor
stands does not depend on which weeks were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from experiments.palette import SECTOR_COLOURS
from quartier.viz.history import Frame
from simulation.config import SECTORS

SECTOR_LABELS = {sector: sector.replace("_", " ") for sector in SECTORS} | {"qm": "QM office"}
RING = 1.15  # where actors without ties are placed, just outside the spring layout
EXTENT = 1.3  # the drawing covers [-EXTENT, EXTENT] on both axes


class StableLayout:
    """Positions that only grow: placed actors keep theirs, new ones join near their ties."""

    def __init__(self, seed: int = 0) -> None:
        self.positions: dict[int, tuple[float, float]] = {}
        self._rng = np.random.default_rng(seed)
        self._seed = seed

    def update(self, nodes: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Place the actors in `nodes` who have no position yet; (a, b) are the ties."""
        fresh = [int(n) for n in nodes if int(n) not in self.positions]
        if not fresh:
            return
        if not self.positions:
            self.positions = self._spring(nodes, a, b)
            fresh = [n for n in fresh if n not in self.positions]
        contacts: dict[int, list[int]] = {n: [] for n in fresh}
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            if i in contacts:
                contacts[i].append(j)
            if j in contacts:
                contacts[j].append(i)
        for node in sorted(fresh):
            self.positions[node] = self._place(contacts[node])

    def _spring(self, nodes: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict:
        """A spring layout of the actors with ties, scaled to the unit disc."""
        graph = nx.Graph()
        graph.add_nodes_from(int(n) for n in nodes)
        graph.add_edges_from(zip(a.tolist(), b.tolist(), strict=True))
        tied = graph.subgraph([n for n in graph if graph.degree(n)])
        if not tied.number_of_nodes():
            return {}
        spring = nx.spring_layout(
            tied, seed=self._seed, iterations=50, k=2.0 / np.sqrt(tied.number_of_nodes())
        )
        xy = np.array(list(spring.values()))
        xy -= np.median(xy, axis=0)
        xy /= max(float(np.quantile(np.linalg.norm(xy, axis=1), 0.95)), 1e-9)
        radius = np.maximum(np.linalg.norm(xy, axis=1), 1e-9)
        xy *= (np.minimum(radius, RING) / radius)[:, None]  # pull far outliers onto the ring
        return {n: (float(x), float(y)) for n, (x, y) in zip(spring, xy, strict=True)}

    def _place(self, contacts: list[int]) -> tuple[float, float]:
        placed = [self.positions[n] for n in contacts if n in self.positions]
        if placed:
            x, y = np.mean(placed, axis=0) + self._rng.normal(0.0, 0.05, 2)
        else:
            angle = self._rng.uniform(0.0, 2 * np.pi)
            x, y = RING * np.cos(angle), RING * np.sin(angle)
        return float(x), float(y)

    def xy(self, nodes: np.ndarray) -> np.ndarray:
        """Positions of `nodes` as an (n, 2) array (unplaced ones at the centre)."""
        return np.array(
            [self.positions.get(int(n), (0.0, 0.0)) for n in nodes], dtype=float
        ).reshape(-1, 2)


@dataclass
class NetworkData:
    """Everything a drawing of one week's network needs, as plain arrays."""

    nodes: np.ndarray  # actor indices
    names: list[str]
    sectors: list[str]
    xy: np.ndarray  # (n, 2) positions
    degree: np.ndarray  # ties each actor has
    in_cooperation: np.ndarray  # bool: member of a running cooperation
    catalyst: np.ndarray  # bool: holds the catalyst role
    qm: np.ndarray  # bool: the QM office
    edges: np.ndarray  # (m, 2) positions into `nodes`
    strengths: np.ndarray  # (m,) in [0, 1]
    resilient: np.ndarray  # (m,) bool

    @property
    def colours(self) -> list[str]:
        return [SECTOR_COLOURS.get(s, "#999999") for s in self.sectors]

    @property
    def sizes(self) -> np.ndarray:
        """Marker areas (points²), growing with the number of ties."""
        return 18 + 6 * np.sqrt(self.degree)

    def segments(self) -> np.ndarray:
        """(m, 2, 2) end points of the ties."""
        return self.xy[self.edges].reshape(-1, 2, 2)


def network_data(frame: Frame, model, layout: StableLayout) -> NetworkData:
    """One week's actors and ties, placed by `layout`; names and sectors from the model."""
    nodes = frame.actors  # ascending
    ends = [_positions(nodes, frame.a), _positions(nodes, frame.b)]
    keep = (ends[0] >= 0) & (ends[1] >= 0)
    edges = np.stack([ends[0][keep], ends[1][keep]], axis=1).reshape(-1, 2)
    strength = frame.strength[keep]
    degree = np.bincount(edges.ravel(), minlength=len(nodes)) if len(nodes) else np.zeros(0)
    members = {i for c in frame.cooperations for i in c.members}
    sector_codes = np.asarray(model.state.sector)
    sectors = [_sector(int(sector_codes[n])) for n in nodes]
    names = model.state.names
    return NetworkData(
        nodes=nodes,
        names=[str(names[n]) for n in nodes],
        sectors=sectors,
        xy=layout.xy(nodes),
        degree=degree,
        in_cooperation=np.array([int(n) in members for n in nodes], dtype=bool),
        catalyst=np.array([frame.roles.get(int(n)) == "catalyst" for n in nodes], dtype=bool),
        qm=np.array([s == "qm" for s in sectors], dtype=bool),
        edges=edges,
        strengths=strength,
        resilient=strength >= model.config.ties.resilient_threshold,
    )


def _positions(nodes: np.ndarray, actors: np.ndarray) -> np.ndarray:
    """Where each of `actors` stands in the sorted `nodes`, or -1."""
    at = np.searchsorted(nodes, actors)
    inside = at < len(nodes)
    found = np.zeros(len(actors), dtype=bool)
    found[inside] = nodes[at[inside]] == actors[inside]
    return np.where(found, at, -1)


def _sector(code: int) -> str:
    return SECTORS[code] if 0 <= code < len(SECTORS) else f"sector {code}"
