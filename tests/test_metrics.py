"""Network measures agree with networkx on the same resilient-tie graph."""

import networkx as nx
import pytest

from simulation.metrics import broker_betweenness, network_metrics, resilient_graph
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
