"""Network measures agree with networkx on the same resilient-tie graph."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.metrics import _mean, _sd, broker_betweenness, network_metrics, resilient_graph
from simulation.model import NeighbourhoodModel
from tests.conftest import small_config


@pytest.fixture(scope="module")
def model():
    m = NeighbourhoodModel(small_config({"years": 2}), rng=13)
    for _ in range(60):
        m.step()
    return m


def test_metrics_match_networkx(model):
    threshold = model.config.ties.resilient_threshold
    ours = network_metrics(model.ties, model.state, model.week, threshold)
    graph = resilient_graph(model.ties, model.state, model.week, threshold)
    n = graph.number_of_nodes()
    assert ours["resilient_ties"] == graph.number_of_edges()
    assert ours["density_resilient"] == pytest.approx(nx.density(graph))
    assert ours["clustering"] == pytest.approx(nx.average_clustering(graph))
    giant = max(nx.connected_components(graph), key=len)
    assert ours["giant_component_share"] == pytest.approx(len(giant) / n)
    assert ours["components"] == nx.number_connected_components(graph)


def test_broker_betweenness_matches_networkx(model):
    threshold = model.config.ties.resilient_threshold
    graph = resilient_graph(model.ties, model.state, model.week, threshold)
    expected = nx.betweenness_centrality(graph)
    brokers = [*sorted(expected, key=expected.get)[-3:], model.catalyst.holder]
    ours = broker_betweenness(model.ties, model.state, model.week, threshold, brokers, 10_000)
    for broker in brokers:
        assert ours[broker] == pytest.approx(expected[broker], abs=1e-9)


def test_sampled_betweenness_is_close(model):
    threshold = model.config.ties.resilient_threshold
    graph = resilient_graph(model.ties, model.state, model.week, threshold)
    expected = nx.betweenness_centrality(graph)
    top = max(expected, key=expected.get)
    ours = broker_betweenness(model.ties, model.state, model.week, threshold, [top], 15)
    assert ours[top] == pytest.approx(expected[top], rel=0.5)


def test_hubs_core_share_and_centralisation_on_a_star():
    """A star of resilient ties among the active actors, the rest isolated: one hub, every
    tie touches the core, and centralisation, cross-sector ties and components as counted
    by hand."""
    import numpy as np

    model = NeighbourhoodModel(small_config({"years": 2}), rng=13)
    ties, state = model.ties, model.state
    active = np.flatnonzero(state.view("active"))
    for actor in active:
        ties.remove_actor(int(actor))
    centre, *leaves = active[:11].tolist()
    for leaf in leaves:
        ties.create(centre, leaf, strength=0.9, t=model.week, lam=0.0)
    out = network_metrics(ties, state, model.week, model.config.ties.resilient_threshold)
    n = len(active)
    degree = np.zeros(n)
    degree[0], degree[1:11] = 10, 1
    cross = sum(int(state.sector[leaf] != state.sector[centre]) for leaf in leaves)
    assert out["hubs"] == 1 and out["core_share"] == 1.0
    assert out["degree_centralisation"] == pytest.approx(
        (degree.max() - degree).sum() / ((n - 1) * (n - 2))
    )
    assert out["components"] == n - 10 and out["giant_component_share"] == 11 / n
    assert out["cross_sector_share"] == cross / 10 and out["clustering"] == 0.0
    assert out["cross_sector_acquaintances"] == cross and out["ties_from_start"] == 10


def test_tie_origins_count_where_ties_were_made():
    import numpy as np

    from simulation.metrics import tie_origins
    from simulation.ties import PROGRAMME, TieStore

    ties = TieStore()
    ties.add_actors(5)
    ties.create(0, 1, 0.9, t=0, lam=0.0)  # before week 0
    ties.create(1, 2, 0.2, t=10, lam=0.0)  # on their own
    ties.meet(np.array([2]), np.array([3]), gain=0.0, t=60, origin=PROGRAMME)
    ties.meet(np.array([3]), np.array([4]), gain=0.0, t=60, origin=PROGRAMME)
    ties.meet(np.array([3]), np.array([4]), gain=0.9, t=61, origin=PROGRAMME)
    out = tie_origins(ties, week=61, threshold=0.5)
    assert out == {
        "ties_from_start": 1,
        "resilient_from_start": 1,
        "ties_from_programme": 2,
        "resilient_from_programme": 1,
        "ties_own": 1,
        "resilient_own": 0,
    }
    assert np.isfinite(list(out.values())).all()


def test_a_disruption_records_the_network_before_and_after():
    from simulation.run import run

    summary = run(
        small_config(
            {"years": 1, "disruption.remove_at_year": 0.5, "disruption.target": "catalyst"}
        ),
        seed=2,
    ).summary
    assert summary["removed_role"] == "catalyst"
    assert summary["removed_resilient_ties_after"] <= summary["removed_resilient_ties_before"]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.floats(0.0, 1e3, allow_nan=False) | st.integers(0, 60).map(float),
        min_size=1,
        max_size=400,
    )
)
def test_the_network_means_and_spread_are_numpys_to_the_last_bit(values):
    """The shortcuts the network measures take (`_mean`, `_sd`) give NumPy's own numbers."""
    x = np.array(values)
    mean = _mean(x)
    assert mean == x.mean() and _sd(x, mean) == x.std()
