"""The browser app's model factory and network-view data, without a browser."""

from __future__ import annotations

import re
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

import scenarios
from quartier.commands.viz import handle, server_command
from quartier.viz.controls import Controls, build_config, parse_seed
from quartier.viz.model import VizModel
from quartier.viz.network import StableLayout, network_data
from quartier.viz.offline import SOLARA_PACKAGES, frontend_mismatch
from quartier.viz.views import (
    charts_figure,
    cooperation_rows,
    html_table,
    network_figure,
    numbers,
)
from scenarios.errors import InputError
from scenarios.scaling import scale_counts
from simulation import NeighbourhoodModel


def test_neutral_controls_keep_the_scenario():
    for name in ("self_organised", "programme_funded"):
        assert build_config(Controls(scenario=name)) == scenarios.load(name)


def test_controls_become_overrides():
    base = scenarios.load("self_organised")
    config = build_config(
        Controls(catalyst_mode="leaves", meeting_interval=2.0, resource_level=0.5, actors=300)
    )
    assert config.catalyst.mode == "leaves"
    assert [m.interval_weeks for m in config.meetings] == [
        2 * m.interval_weeks for m in base.meetings
    ]
    assert config.resources.level == pytest.approx(0.5 * base.resources.level)
    assert sum(config.actors.counts.values()) == 300


def test_regime_swaps_in_the_programme():
    config = build_config(Controls(scenario="self_organised", regime="programme_funded"))
    assert config.regime == "programme" and config.programme.enabled
    assert config.catalyst.holder == "qm"
    back = build_config(Controls(scenario="programme_funded", regime="self_organised"))
    assert back.regime == "self_organised" and not back.programme.enabled


def test_scale_counts_keeps_total_and_shares():
    counts = {"residents": 40, "civil_society": 20, "public": 12, "housing": 4, "business": 14}
    scaled = scale_counts(counts, 500)
    assert sum(scaled.values()) == 500
    assert scaled["residents"] == pytest.approx(500 * 40 / 90, abs=1)


@pytest.mark.parametrize(
    ("typed", "seed"),
    [("42", 42), (" 7 ", 7), (3, 3), ("", None), ("x", None), ("-1", None), ("1.5", None)],
)
def test_parse_seed(typed, seed):
    assert parse_seed(typed) == seed


def test_typed_seed_builds_the_same_run_as_the_model():
    viz, plain = VizModel(rng="7"), NeighbourhoodModel(build_config(Controls()), rng=7)
    for _ in range(60):
        viz.step()
        plain.step()
    ours = viz.datacollector.get_model_vars_dataframe()
    theirs = plain.datacollector.get_model_vars_dataframe()
    assert ours.equals(theirs)
    assert numbers(viz)["completed"] == str(theirs["completed"].iloc[-1])


def test_unusable_seed_falls_back_with_a_note():
    model = VizModel(rng="abc")
    assert model.seed == 1 and "abc" in model.seed_note


def test_layout_keeps_positions_of_existing_nodes():
    model = VizModel(actors=150, rng=3)
    network_data(model, model.layout)
    before = dict(model.layout.positions)
    for _ in range(40):
        model.step()
        network_data(model, model.layout)
    after = model.layout.positions
    assert all(after[node] == xy for node, xy in before.items())
    assert len(after) > len(before)  # newcomers arrived and were placed


def test_new_node_is_placed_near_its_neighbours():
    import networkx as nx

    layout = StableLayout()
    graph = nx.path_graph(5)
    layout.update(graph)
    graph.add_edge(4, 5)
    placed = layout.update(graph)
    assert np.linalg.norm(np.subtract(placed[5], placed[4])) < 0.3


def test_network_data_matches_the_tie_graph():
    model = VizModel(preset="programme_funded", rng=2)
    for _ in range(30):
        model.step()
    data, graph = network_data(model, model.layout), model.tie_graph()
    assert len(data.nodes) == graph.number_of_nodes() == len(data.xy)
    assert len(data.edges) == graph.number_of_edges() == len(data.strengths)
    threshold = model.config.ties.resilient_threshold
    assert data.resilient.sum() == sum(w >= threshold for *_, w in graph.edges(data="strength"))
    assert data.qm.sum() == 1
    running = {i for k in model.cooperations.running for i in model.cooperations.members[k]}
    assert data.in_cooperation.sum() == len(running & set(graph))


def test_views_draw():
    model = VizModel(preset="programme_funded")
    for _ in range(20):
        model.step()
    assert network_figure(model).axes and len(charts_figure(model).axes) == 4
    assert len(cooperation_rows(model)) == min(model.cooperations.n_running, 40)


def test_server_command_binds_what_was_asked():
    command = server_command("127.0.0.1", 8123)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert "--production" in command and "--no-check-version" in command


def test_viz_rejects_unknown_scenario_and_port():
    with pytest.raises(InputError):
        handle(Namespace(scenario="no_such_preset", host="127.0.0.1", port=8765))
    with pytest.raises(InputError, match="--port"):
        handle(Namespace(scenario="self_organised", host="127.0.0.1", port=0))


def test_tables_escape_text_and_align_columns():
    table = html_table(["name", "value"], [["a <b> & c", "1"]], right={1})
    assert "<td>a &lt;b&gt; &amp; c</td>" in table
    assert '<td style="text-align: right;">1</td>' in table
    assert table.count("<tr>") == 2


def test_solara_packages_are_one_release():
    """The page's files (solara-assets) were built for the Solara release that asks for them."""
    assert frontend_mismatch() is None, frontend_mismatch()


def test_a_mixed_solara_install_is_named():
    versions = dict.fromkeys(SOLARA_PACKAGES, "1.64.1") | {"solara-assets": "1.58.2"}
    message = frontend_mismatch(versions)
    assert message and "solara 1.64.1" in message and "solara-assets 1.58.2" in message


def test_the_page_template_files_are_installed():
    """Every frontend package (name@version) that Solara's page names lies in the installed
    assets, which the app serves instead of a CDN."""
    import solara.server
    import solara.server.settings

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    named = set(re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.+-]+)/", template.read_text()))
    assert named, "the page template names no frontend package"
    assets = solara.server.settings.assets.proxy_cache_dir
    assert not sorted(name for name in named if not (assets / name).is_dir())
