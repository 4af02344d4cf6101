"""Network structure the stylised facts ask about, on networkx graphs of a re-run's ties:
hubs, a core–periphery fit, the stage of a network (fact 5), and percolation curves (fact 8).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

STAGES = ("scattered clusters", "hub-and-spoke", "several hubs", "core–periphery")
"""Fact 5's stages in the predicted order (Krebs & Holley); index = position in the order."""
NO_HUB = "connected, no hub"
"""A connected network with neither hubs nor a core: outside the predicted sequence."""
CONNECTED = 0.5
"""A network is 'connected' when its giant component holds at least this share of actors."""
CORE_FIT = 0.5
"""A core–periphery fit (correlation) at least this, with a core of at least `CORE_MIN`."""
CORE_MIN = 3
BROKERS = ("catalyst", "qm")


def resilient(graph: nx.Graph, threshold: float) -> nx.Graph:
    """The actors of `graph` and its ties of strength at least `threshold`."""
    kept = nx.Graph()
    kept.add_nodes_from(graph.nodes(data=True))
    kept.add_edges_from(
        (a, b, d) for a, b, d in graph.edges(data=True) if d["strength"] >= threshold
    )
    return kept


def giant_share(graph: nx.Graph, total: int | None = None) -> float:
    """Share of the actors (of `total`, default the graph's) in the largest component."""
    n = total if total is not None else graph.number_of_nodes()
    if n == 0 or graph.number_of_nodes() == 0:
        return 0.0
    return max(len(c) for c in nx.connected_components(graph)) / n


def hubs(graph: nx.Graph) -> list[int]:
    """Hubs as the model counts them (degree ≥ 3 and ≥ mean + 2 sd), by falling degree."""
    if graph.number_of_nodes() == 0:
        return []
    nodes = list(graph.nodes)
    degree = np.array([graph.degree(v) for v in nodes], dtype=float)
    chosen = (degree >= 3) & (degree >= degree.mean() + 2 * degree.std())
    order = np.argsort(-degree, kind="stable")
    return [nodes[i] for i in order if chosen[i]]


def core_periphery(graph: nx.Graph) -> tuple[float, int]:
    """Borgatti–Everett discrete core–periphery fit: the Pearson correlation between the
    adjacency matrix and the ideal pattern (core–core ties present, periphery–periphery ties
    absent, core–periphery pairs left out, as in their model with those ties 'missing'), for
    the best core among the k actors of highest degree, k = 2 … n/2. Returns (fit, core size);
    (0, 0) for networks too small or without ties."""
    n = graph.number_of_nodes()
    if n < 4 or graph.number_of_edges() == 0:
        return 0.0, 0
    nodes = sorted(graph.nodes, key=lambda v: -graph.degree(v))
    adjacency = nx.to_numpy_array(graph, nodelist=nodes)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    best = (0.0, 0)
    for k in range(2, n // 2 + 1):
        core = np.zeros(n, dtype=bool)
        core[:k] = True
        both = np.outer(core, core)
        neither = np.outer(~core, ~core)
        keep = upper & (both | neither)
        ideal, seen = both[keep].astype(float), adjacency[keep]
        if seen.std() == 0 or ideal.std() == 0:
            continue
        fit = float(np.corrcoef(ideal, seen)[0, 1])
        if fit > best[0]:
            best = (fit, k)
    return best


def stage(graph: nx.Graph) -> tuple[str, str]:
    """The stage of a resilient-tie network (fact 5) and who its top hub is ('catalyst', 'qm',
    'someone else', or '' without a hub).

    Rules, in order: the giant component holds less than `CONNECTED` of the actors →
    scattered clusters; a core–periphery fit of at least `CORE_FIT` with a core of at least
    `CORE_MIN` actors → core–periphery; two hubs or more → several hubs; one hub →
    hub-and-spoke; otherwise connected, no hub."""
    found = hubs(graph)
    top = ""
    if found:
        role = graph.nodes[found[0]].get("role", "")
        top = role if role in BROKERS else "someone else"
    if giant_share(graph) < CONNECTED:
        return STAGES[0], top
    fit, size = core_periphery(graph)
    if fit >= CORE_FIT and size >= CORE_MIN:
        return STAGES[3], top
    if len(found) >= 2:
        return STAGES[2], top
    if len(found) == 1:
        return STAGES[1], top
    return NO_HUB, top


# ------------------------------------------------------------------ percolation (fact 8)


def percolation(
    graph: nx.Graph, targeted: bool, rng: np.random.Generator, samples: int = 0
) -> np.ndarray:
    """The giant-component share (of the starting actors) after removing 0, 1, …, n actors:
    by highest betweenness, recomputed after each removal (an adaptive attack: Holme et al.
    2002), or in a random order. `samples` > 0 estimates betweenness from that many sources
    (networkx's sampling), for large networks."""
    g = graph.copy()
    n = g.number_of_nodes()
    curve = np.zeros(n + 1)
    curve[0] = giant_share(g, n)
    order = list(rng.permutation(list(g.nodes))) if not targeted else []
    for k in range(1, n + 1):
        if targeted:
            k_sources = samples if samples and g.number_of_nodes() > samples else None
            scores = nx.betweenness_centrality(g, k=k_sources, seed=int(rng.integers(1 << 31)))
            victim = max(scores, key=lambda v: (scores[v], g.degree(v), -v))
        else:
            victim = order[k - 1]
        g.remove_node(victim)
        curve[k] = giant_share(g, n)
    return curve


def robustness(curve: np.ndarray) -> float:
    """Schneider et al.'s (2011) robustness R: the mean giant-component share over the removal
    of the first actor to the last (0 ≤ R ≤ 1/2)."""
    return float(curve[1:].mean()) if len(curve) > 1 else 0.0


def wilson(successes: int, total: int, z: float = 1.959964) -> tuple[float, float, float]:
    """A proportion and its Wilson 95 % interval; NaN bounds without observations."""
    if total == 0:
        return float("nan"), float("nan"), float("nan")
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * np.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return p, float(centre - half), float(centre + half)
