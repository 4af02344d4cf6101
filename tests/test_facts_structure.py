"""The network measures behind stylised facts 5 and 8, on graphs whose answer is known."""

from __future__ import annotations

import networkx as nx
import numpy as np

from experiments.research.structure import (
    STAGES,
    core_periphery,
    percolation,
    robustness,
    stage,
    wilson,
)


def _star(leaves: int, role: str) -> nx.Graph:
    graph = nx.star_graph(leaves)
    nx.set_node_attributes(graph, "", "role")
    graph.nodes[0]["role"] = role
    return graph


def test_a_star_is_hub_and_spoke_around_its_centre():
    assert stage(_star(12, "catalyst")) == (STAGES[1], "catalyst")
    assert stage(_star(12, "")) == (STAGES[1], "someone else")


def test_pairs_apart_are_scattered_clusters():
    graph = nx.Graph([(2 * i, 2 * i + 1) for i in range(10)])
    assert stage(graph)[0] == STAGES[0]


def test_a_dense_core_with_a_periphery_fits_core_periphery():
    graph = nx.complete_graph(6)
    for leaf in range(6, 30):
        graph.add_edge(leaf, leaf % 6)
    fit, size = core_periphery(graph)
    assert fit > 0.5 and size >= 3
    assert stage(graph)[0] == STAGES[3]
    ring = nx.cycle_graph(30)  # no core at all
    assert core_periphery(ring)[0] < 0.3  # far below the 0.5 a core needs


def test_an_attack_on_brokers_breaks_a_star_at_once_and_chance_does_not():
    graph = _star(30, "")
    rng = np.random.default_rng(1)
    targeted = percolation(graph, True, rng)
    random = np.mean([percolation(graph, False, rng) for _ in range(10)], axis=0)
    assert targeted[1] < 0.05  # the hub goes first
    assert robustness(random) > robustness(targeted) + 0.2


def test_wilson_interval_covers_the_share():
    share, low, high = wilson(30, 100)
    assert share == 0.3 and low < 0.3 < high and low > 0.2 and high < 0.4
