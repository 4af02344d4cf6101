"""`quartier run --export-network`: tie networks at chosen years that networkx reads back."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from quartier.cli import main
from quartier.commands.run import network_file_stem
from quartier.commands.scenarios import resolved_toml
from simulation import result_of, run
from simulation.run import simulate_keeping_graphs
from tests.conftest import small_config


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(resolved_toml(small_config()), encoding="utf-8")
    return path


def test_summary_equals_simulation_run() -> None:
    config = small_config()
    model, graphs = simulate_keeping_graphs(config, seed=5, years=2, weeks=[0, 52, 104])
    exported = result_of(model, 5)
    plain = run(config, seed=5, years=2)
    assert exported.summary == plain.summary
    assert exported.timeseries.equals(plain.timeseries)
    assert exported.cooperations.equals(plain.cooperations)
    assert sorted(graphs) == [0, 52, 104]


@pytest.mark.parametrize(("fmt", "read"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_exported_networks_read_back(
    fmt: str, read, scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--scenario",
                str(scenario_file),
                "--seed",
                "3",
                "--out",
                str(out),
                "--export-network",
                fmt,
                "--export-at",
                "0,1,1.5,2",
            ]
        )
        == 0
    )
    files = sorted(path.name for path in out.glob(f"network_*.{fmt}"))
    assert files == [
        f"network_week0078.{fmt}",
        f"network_year00.{fmt}",
        f"network_year01.{fmt}",
        f"network_year02.{fmt}",
    ]
    graph = read(out / f"network_year02.{fmt}")
    assert graph.number_of_nodes() > 20 and graph.number_of_edges() > 0
    sectors = {data["sector"] for _, data in graph.nodes(data=True)}
    assert {"residents", "civil_society"} <= sectors
    node = next(iter(graph.nodes(data=True)))[1]
    assert {"sector", "role", "time", "money", "material", "rooms", "name"} <= set(node)
    assert any(data.get("role") for _, data in graph.nodes(data=True))
    strengths = [data["strength"] for _, _, data in graph.edges(data=True)]
    assert all(0 < float(w) <= 1 for w in strengths)
    summary = json.loads((out / "summary.json").read_text())
    assert summary == json.loads(json.dumps(run(small_config(), seed=3).summary))
    assert not list(out.glob(".*.tmp"))


def test_default_export_time_is_the_end(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--scenario",
                str(scenario_file),
                "--years",
                "1",
                "--out",
                str(out),
                "--export-network",
                "graphml",
            ]
        )
        == 0
    )
    assert [path.name for path in out.glob("network_*")] == ["network_year01.graphml"]


def test_file_stems() -> None:
    assert network_file_stem(104) == "network_year02"
    assert network_file_stem(130) == "network_week0130"
