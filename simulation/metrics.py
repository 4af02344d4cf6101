"""Whole-network measures of the resilient-tie network.

The measures network studies of neighbourhoods and coalitions report (density, components,
clustering, cross-sector share and E-I index, centralisation, hubs; Wasserman & Faust 1994;
Krebs & Holley). Computed from the tie arrays every few weeks, never per step, with the
compiled graph kernels at the end of this module (adjacency, components, triangles,
shortest-path counts). A networkx graph is built only for betweenness of a disruption's
target (and for export and drawing).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from simulation.compiled import kernel
from simulation.config import SECTORS
from simulation.population import Population
from simulation.ties import BEFORE, OWN, PROGRAMME, TieStore

NETWORK_METRICS = (
    "ties",
    "resilient_ties",
    "density_resilient",
    "mean_tie_strength",
    "giant_component_share",
    "components",
    "clustering",
    "cross_sector_share",
    "ei_index",
    "degree_centralisation",
    "hubs",
    "core_share",
    "cross_sector_acquaintances",
)
ORIGIN_METRICS = (
    "ties_from_start",
    "resilient_from_start",
    "ties_from_programme",
    "resilient_from_programme",
    "ties_own",
    "resilient_own",
)
"""Live and resilient ties by where they were made (`simulation.ties.ORIGINS`): before week 0,
by the programme's structures, on the actors' own."""


def resilient_edges(ties: TieStore, week: float, threshold: float) -> tuple[np.ndarray, ...]:
    """(i, j, strength) of ties at or above `threshold` now."""
    live = ties.live_slots()
    strength = ties.strength(live, week)
    keep = strength >= threshold
    return ties.a[live[keep]], ties.b[live[keep]], strength[keep]


def network_metrics(
    ties: TieStore, pop: Population, week: float, threshold: float
) -> dict[str, float]:
    """Density, components, clustering, cross-sector share and centralisation, no NaN; and
    the ties by origin (see `tie_origins`), all from one reading of the ties (compiled:
    `network_counts`).

    Giant component and density refer to active actors and resilient ties; an isolated
    actor is a component of its own.
    """
    live = ties.live_slots()
    strength_all = ties.strength(live, week)
    counts, degree, local = network_counts(
        ties.slots.data, pop.data, pop.size, live, strength_all, threshold
    )
    (*origins, all_cross, n, e, components, largest, cross, spread, core) = counts.tolist()
    out = dict.fromkeys(NETWORK_METRICS, 0.0)
    out.update(zip(ORIGIN_METRICS, map(float, origins), strict=True))
    out["ties"] = float(len(live))
    out["resilient_ties"] = float(e)
    out["mean_tie_strength"] = _mean(strength_all) if len(live) else 0.0
    out["cross_sector_acquaintances"] = float(all_cross)
    if n == 0:
        return out
    out["density_resilient"] = 2 * e / (n * (n - 1)) if n > 1 else 0.0
    out["components"] = float(components)
    out["giant_component_share"] = largest / n
    out["clustering"] = _mean(local)
    if e:
        out["cross_sector_share"] = cross / e
        out["ei_index"] = (cross - (e - cross)) / e
    if n > 2:
        out["degree_centralisation"] = float(spread / ((n - 1) * (n - 2)))
    if e:
        mean = _mean(degree)
        hubs = (degree >= 3) & (degree >= mean + 2 * _sd(degree, mean))
        out["hubs"] = float(hubs.sum())
        out["core_share"] = core / e
    return out


def _mean(values: np.ndarray) -> float:
    """`values.mean()` of a float array: the same sum divided the same way, without the
    layers NumPy's method goes through (measured every few weeks)."""
    return float(np.add.reduce(values)) / len(values)


def _sd(values: np.ndarray, mean: float) -> float:
    """`values.std()` of a float array whose mean is `mean`, computed as NumPy does (the
    squared deviations summed, over their number, the root of it)."""
    deviation = values - mean
    return float(np.sqrt(np.add.reduce(deviation * deviation) / len(values)))


def _positions(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """The active actors, and each actor's position among them (-1 if it left)."""
    active = np.flatnonzero(pop.active[: pop.size])
    position = np.full(pop.size, -1, dtype=np.int64)
    position[active] = np.arange(len(active))
    return active, position


def _among_active(
    position: np.ndarray, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The edges (i, j) between active actors, renumbered to their positions."""
    i, j = position[i], position[j]
    keep = (i >= 0) & (j >= 0)
    return i[keep], j[keep]


def tie_origins(ties: TieStore, week: float, threshold: float) -> dict[str, float]:
    """Live and resilient ties by where they were made: before week 0, by the programme, on
    the actors' own (see `simulation.ties.ORIGINS`; compiled: `origin_counts`)."""
    live = ties.live_slots()
    counts = origin_counts(ties.slots.data, live, ties.strength(live, week), threshold)
    return dict(zip(ORIGIN_METRICS, map(float, counts.tolist()), strict=True))


def resilient_graph(
    ties: TieStore,
    pop: Population,
    week: float,
    threshold: float,
) -> nx.Graph:
    """The active actors and their resilient ties as a networkx graph (for betweenness)."""
    graph = nx.Graph()
    graph.add_nodes_from(np.flatnonzero(pop.active[: pop.size]).tolist())
    i, j, w = resilient_edges(ties, week, threshold)
    graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
    return graph


def betweenness(graph: nx.Graph, samples: int, seed: int) -> dict[int, float]:
    """Normalised betweenness; sampled from `samples` sources on larger graphs."""
    if graph.number_of_nodes() < 3:
        return dict.fromkeys(graph.nodes, 0.0)
    k = samples if graph.number_of_nodes() > samples else None
    return nx.betweenness_centrality(graph, k=k, seed=seed)


def tie_graph(ties: TieStore, pop: Population, week: float, roles: dict[int, str]) -> nx.Graph:
    """Every active actor and live tie, with attributes, for export and drawing."""
    graph = nx.Graph()
    for i in np.flatnonzero(pop.active[: pop.size]).tolist():
        graph.add_node(
            i,
            name=pop.names[i],
            sector=SECTORS[pop.sector[i]],
            role=roles.get(i, ""),
            time=float(pop.stock[i, 0]),
            money=float(pop.stock[i, 1]),
            material=float(pop.stock[i, 2]),
            rooms=float(pop.stock[i, 3]),
        )
    live = ties.live_slots()
    strength = ties.strength(live, week)
    for s, w in zip(live.tolist(), strength.tolist(), strict=True):
        a, b = int(ties.a[s]), int(ties.b[s])
        if a in graph and b in graph:
            graph.add_edge(a, b, strength=float(w), joint=int(ties.joint[s]))
    return graph


def broker_betweenness(
    ties: TieStore, pop: Population, week: float, threshold: float, brokers: list[int], samples: int
) -> dict[int, float]:
    """Normalised betweenness of a few `brokers` in the resilient-tie network.

    Breadth-first search from every active actor (or `samples` evenly spaced ones on larger
    networks) counts shortest paths (compiled, below); a broker's share of the
    shortest paths between others is summed as in Brandes (2001). Matches networkx's
    ``betweenness_centrality(normalized=True)`` when every source is used.
    """
    active, position = _positions(pop)
    n = len(active)
    brokers = [b for b in brokers if b >= 0 and pop.active[b]]
    if n < 3 or not brokers:
        return dict.fromkeys(brokers, 0.0)
    i, j, _ = resilient_edges(ties, week, threshold)
    i, j = _among_active(position, i, j)
    indptr, indices = csr_adjacency(i, j, n)
    sources = np.arange(n) if n <= samples else np.linspace(0, n - 1, samples).astype(np.int64)
    totals = paths_through(indptr, indices, sources, position[brokers]).tolist()
    return {
        broker: float(total * (n / len(sources)) / ((n - 1) * (n - 2)))
        for broker, total in zip(brokers, totals, strict=True)
    }


# -- compiled: graph measures on a CSR adjacency (indptr, indices) ---------------------------
@kernel
def network_counts(ties, actors, size, live, strength, threshold):
    """What `network_metrics` reports, counted from the `live` slots (with their `strength`
    now): live and resilient ties by origin (`origin_counts`), live ties across sectors,
    active actors n, resilient ties among them e, components and the largest, resilient
    ties across sectors, the degree centralisation's numerator
    (sum of max degree − degree), and resilient ties touching the core (the top tenth of
    actors by degree, the first of equals; Krebs & Holley); and per active actor its degree
    and local clustering (its triangles over the pairs of its contacts, 0 without pairs)."""
    counts = np.zeros(len(ORIGIN_METRICS) + 8, dtype=np.int64)
    counts[: len(ORIGIN_METRICS)] = origin_counts(ties, live, strength, threshold)
    position = np.full(size, -1, dtype=np.int64)
    n = 0
    for x in range(size):
        if actors.active[x]:
            position[x] = n
            n += 1
    i = np.empty(len(live), dtype=np.int64)
    j = np.empty(len(live), dtype=np.int64)
    all_cross = e = cross = 0
    for x in range(len(live)):
        s = live[x]
        a, b = ties.a[s], ties.b[s]
        all_cross += actors.sector[a] != actors.sector[b]
        if strength[x] >= threshold and position[a] >= 0 and position[b] >= 0:
            i[e], j[e] = position[a], position[b]
            cross += actors.sector[a] != actors.sector[b]
            e += 1
    indptr, indices = csr_adjacency(i[:e], j[:e], n)
    components, largest = count_components(indptr, indices)
    triangles = count_triangles(indptr, indices) / 2
    degree = np.empty(n)
    local = np.empty(n)
    for x in range(n):
        degree[x] = indptr[x + 1] - indptr[x]
        pairs = degree[x] * (degree[x] - 1) / 2
        local[x] = triangles[x] / max(pairs, 1.0) if pairs > 0 else 0.0
    spread, core = 0.0, 0
    if n > 0:
        most = degree.max()
        for x in range(n):
            spread += most - degree[x]
        top = max(1, int(np.ceil(0.1 * n)))
        in_core = np.zeros(n, dtype=np.bool_)
        in_core[np.argsort(-degree, kind="mergesort")[:top]] = True
        for x in range(e):
            core += in_core[i[x]] or in_core[j[x]]
    found = (all_cross, n, e, components, largest, cross, int(spread), core)
    for k in range(len(found)):
        counts[len(ORIGIN_METRICS) + k] = found[k]
    return counts, degree, local


@kernel
def origin_counts(ties, live, strength, threshold):
    """Of the `live` slots (with their `strength` now): the ties and the resilient ones made
    before week 0, by the programme and on the actors' own, in the order of
    `ORIGIN_METRICS`."""
    counts = np.zeros(len(ORIGIN_METRICS), dtype=np.int64)
    for x in range(len(live)):
        for code, origin in enumerate((BEFORE, PROGRAMME, OWN)):
            if ties.origin[live[x]] == origin:
                counts[2 * code] += 1
                counts[2 * code + 1] += strength[x] >= threshold
    return counts


@kernel
def csr_adjacency(i, j, n):
    """Symmetric adjacency of the edges (i, j) among n nodes as CSR (indptr, indices); the
    neighbours of each node are listed in edge order."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(i)):
        indptr[i[e] + 1] += 1
        indptr[j[e] + 1] += 1
    indptr = np.cumsum(indptr)
    indices = np.empty(2 * len(i), dtype=np.int64)
    filled = indptr[:n].copy()
    for e in range(len(i)):
        indices[filled[i[e]]] = j[e]
        filled[i[e]] += 1
        indices[filled[j[e]]] = i[e]
        filled[j[e]] += 1
    return indptr, indices


@kernel
def _bfs(indptr, indices, source, dist, sigma, queue):
    """Breadth-first search from `source` over the nodes not yet reached (`dist` -1): hop
    distances into `dist`, shortest-path counts into `sigma`; returns how many nodes it
    reached (they are listed in `queue`)."""
    dist[source] = 0
    sigma[source] = 1.0
    queue[0] = source
    head, tail = 0, 1
    while head < tail:
        u = queue[head]
        head += 1
        for p in range(indptr[u], indptr[u + 1]):
            w = indices[p]
            if dist[w] < 0:
                dist[w] = dist[u] + 1
                queue[tail] = w
                tail += 1
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
    return tail


@kernel
def count_components(indptr, indices):
    """The number of connected components and the size of the largest."""
    n = len(indptr) - 1
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    queue = np.empty(n, dtype=np.int64)
    count, largest = 0, 0
    for root in range(n):
        if dist[root] < 0:
            count += 1
            largest = max(largest, _bfs(indptr, indices, root, dist, sigma, queue))
    return count, largest


@kernel
def count_triangles(indptr, indices):
    """Twice the number of triangles through each node."""
    n = len(indptr) - 1
    out = np.zeros(n)
    mark = np.full(n, -1, dtype=np.int64)
    for u in range(n):
        for p in range(indptr[u], indptr[u + 1]):
            mark[indices[p]] = u
        closed = 0
        for p in range(indptr[u], indptr[u + 1]):
            w = indices[p]
            for r in range(indptr[w], indptr[w + 1]):
                if mark[indices[r]] == u:
                    closed += 1
        out[u] = closed
    return out


@kernel
def paths_through(indptr, indices, sources, brokers):
    """For each broker v (a node): the sum over sources s and targets t (both other than v,
    t != s) of the share of shortest s–t paths that pass through v (Brandes 2001). One
    breadth-first search from each broker, then one from each source, whose paths are
    counted for every broker before the next."""
    n = len(indptr) - 1
    queue = np.empty(n, dtype=np.int64)
    dist_v = np.full((len(brokers), n), -1, dtype=np.int64)
    sigma_v = np.zeros((len(brokers), n))
    for b in range(len(brokers)):
        _bfs(indptr, indices, brokers[b], dist_v[b], sigma_v[b], queue)
    dist = np.empty(n, dtype=np.int64)
    sigma = np.empty(n)
    totals = np.zeros(len(brokers))
    for row in range(len(sources)):
        s = sources[row]
        dist[:] = -1
        sigma[:] = 0.0
        _bfs(indptr, indices, s, dist, sigma, queue)
        for b in range(len(brokers)):
            v = brokers[b]
            if s == v or dist[v] < 0:
                continue
            total = totals[b]
            for t in range(n):
                if t in (v, s) or dist_v[b, t] < 0:
                    continue
                if dist[v] + dist_v[b, t] == dist[t]:
                    total += sigma[v] * sigma_v[b, t] / sigma[t]
            totals[b] = total
    return totals
