"""The network view: a stable layout, the data to draw, and the drawing.

The layout is computed once (a spring layout of the first network) and then only extended:
an actor who appears later is placed near the actors it already knows, and nobody who was
placed ever moves. The view never runs a fresh layout per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from experiments.palette import SECTOR_COLOURS
from simulation.config import SECTORS

SECTOR_LABELS = {sector: sector.replace("_", " ") for sector in SECTORS}
RING = 1.15  # where actors without ties are placed, just outside the spring layout


class StableLayout:
    """Positions that only grow: existing nodes keep theirs, new ones join near neighbours."""

    def __init__(self, seed: int = 0) -> None:
        self.positions: dict[int, tuple[float, float]] = {}
        self._rng = np.random.default_rng(seed)
        self._seed = seed

    def update(self, graph: nx.Graph) -> dict[int, tuple[float, float]]:
        """Place the graph's new nodes and return positions of all its nodes."""
        if not self.positions:
            self.positions = self._spring(graph)
        for node in sorted(set(graph) - set(self.positions)):
            self.positions[node] = self._place(graph, node)
        return {node: self.positions[node] for node in graph}

    def _spring(self, graph: nx.Graph) -> dict[int, tuple[float, float]]:
        """A spring layout of the actors with ties, scaled to the unit disc."""
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

    def _place(self, graph: nx.Graph, node: int) -> tuple[float, float]:
        placed = [self.positions[n] for n in graph[node] if n in self.positions]
        if placed:
            x, y = np.mean(placed, axis=0) + self._rng.normal(0.0, 0.05, 2)
        else:
            angle = self._rng.uniform(0.0, 2 * np.pi)
            x, y = RING * np.cos(angle), RING * np.sin(angle)
        return float(x), float(y)


@dataclass
class NetworkData:
    """Everything the network view draws, as plain arrays."""

    nodes: list[int]
    xy: np.ndarray  # (n, 2) positions
    colours: list[str]  # by sector
    sizes: np.ndarray  # marker areas, by degree
    in_cooperation: np.ndarray  # bool: member of a running cooperation
    catalyst: np.ndarray  # bool: holds the active catalyst role
    qm: np.ndarray  # bool: the QM office
    edges: np.ndarray  # (m, 2, 2) segment end points
    strengths: np.ndarray  # (m,) in [0, 1]
    resilient: np.ndarray  # (m,) bool


def network_data(model, layout: StableLayout) -> NetworkData:
    """The model's current tie network, placed by `layout`."""
    graph = model.tie_graph()
    positions = layout.update(graph)
    nodes = list(graph)
    running = {i for k in model.cooperations.running for i in model.cooperations.members[k]}
    degree = np.array([graph.degree(n) for n in nodes], dtype=float)
    pairs = list(graph.edges(data="strength"))
    strengths = np.array([w for _, _, w in pairs], dtype=float)
    return NetworkData(
        nodes=nodes,
        xy=np.array([positions[n] for n in nodes], dtype=float).reshape(-1, 2),
        colours=[SECTOR_COLOURS.get(graph.nodes[n]["sector"], "#999999") for n in nodes],
        sizes=18 + 6 * np.sqrt(degree),
        in_cooperation=np.array([n in running for n in nodes], dtype=bool),
        catalyst=np.array([graph.nodes[n]["role"] == "catalyst" for n in nodes], dtype=bool),
        qm=np.array([graph.nodes[n]["sector"] == "qm" for n in nodes], dtype=bool),
        edges=np.array([(positions[a], positions[b]) for a, b, _ in pairs], dtype=float).reshape(
            -1, 2, 2
        ),
        strengths=strengths,
        resilient=strengths >= model.config.ties.resilient_threshold,
    )


def draw_network(data: NetworkData, ax: Axes) -> None:
    """Ties by strength (resilient ones dark and thick), actors by sector, roles marked."""
    weak = ~data.resilient
    ax.add_collection(
        LineCollection(
            data.edges[weak],
            colors="#bbbbbb",
            linewidths=0.3 + 1.2 * data.strengths[weak],
            zorder=1,
        )
    )
    ax.add_collection(
        LineCollection(
            data.edges[data.resilient],
            colors="#333333",
            linewidths=0.8 + 2.5 * data.strengths[data.resilient],
            zorder=2,
        )
    )
    edge = np.where(data.in_cooperation, "black", "white")
    ax.scatter(
        data.xy[:, 0],
        data.xy[:, 1],
        s=data.sizes,
        c=data.colours,
        edgecolors=edge,
        linewidths=np.where(data.in_cooperation, 1.6, 0.5),
        zorder=3,
    )
    _mark_roles(data, ax)
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.legend(
        handles=_legend(data),
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
    )


def _mark_roles(data: NetworkData, ax: Axes) -> None:
    for mask, marker, colour, size in (
        (data.qm, "s", "none", 170),
        (data.catalyst, "*", "gold", 280),
    ):
        if mask.any():
            ax.scatter(
                data.xy[mask, 0],
                data.xy[mask, 1],
                s=size,
                marker=marker,
                facecolors=colour,
                edgecolors="black",
                linewidths=1.4,
                zorder=4,
            )


def _legend(data: NetworkData) -> list[Line2D]:
    shown = set(data.colours)
    handles = [
        Line2D([], [], marker="o", ls="", color=colour, label=SECTOR_LABELS.get(s, s))
        for s, colour in SECTOR_COLOURS.items()
        if colour in shown
    ]
    return [
        *handles,
        Line2D([], [], marker="*", ls="", color="gold", mec="black", ms=11, label="catalyst"),
        Line2D([], [], marker="s", ls="", mfc="none", mec="black", ms=8, label="QM office"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="black",
            mew=1.6,
            label="in a running cooperation",
        ),
        Line2D([], [], color="#333333", lw=2.5, label="resilient tie"),
        Line2D([], [], color="#bbbbbb", lw=1, label="weaker tie"),
    ]
