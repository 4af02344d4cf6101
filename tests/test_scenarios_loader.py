"""Presets, inheritance, actor maps, and the `quartier scenarios` commands."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from quartier.cli import main
from quartier.commands.scenarios import resolved_toml
from scenarios.dotted import flatten
from scenarios.errors import InputError
from scenarios.loader import PRESET_DIR, load, merge, presets

NEW_PRESETS = (
    "funding_exit_verstetigung",
    "funding_exit_abrupt",
    "catalyst_loss_self_organised",
    "catalyst_loss_programme",
    "no_meetings",
    "resource_scarce",
    "example_neighbourhood",
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_presets_are_shipped() -> None:
    assert set(NEW_PRESETS) | {"programme_funded", "self_organised"} <= set(presets())


@pytest.mark.parametrize("name", presets())
def test_every_preset_loads_and_round_trips_through_show(name: str, tmp_path: Path) -> None:
    config = load(name)
    assert config.name == name
    again = load(write(tmp_path, "shown.toml", resolved_toml(config)))
    assert again == config


def test_presets_say_what_they_represent_and_cite_their_sources() -> None:
    for path in [*PRESET_DIR.glob("*.toml"), *PRESET_DIR.glob("parts/*.toml")]:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#"), path.name
        comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
        assert "docs/ODD.md" in comments or "docs/SCENARIOS.md" in comments, path.name
        for internal in ("shared/", "MODEL-BACKGROUND", "issue", "§"):
            assert internal not in text, (path.name, internal)


def test_presets_cite_facts_by_number_in_docs_facts() -> None:
    for name in (
        "funding_exit_abrupt",
        "resource_scarce",
        "no_meetings",
        "catalyst_loss_programme",
    ):
        text = (PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8")
        assert "docs/FACTS.md (fact" in text, name


def test_presets_override_only_what_they_change() -> None:
    for name in NEW_PRESETS:
        raw = tomllib.loads((PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8"))
        assert "extends" in raw, name
        assert "meetings" not in raw or raw["meetings"] == [], name


def test_the_scenario_values_the_issue_asks_for() -> None:
    abrupt, kept = load("funding_exit_abrupt"), load("funding_exit_verstetigung")
    assert abrupt.programme.funding_years == kept.programme.funding_years == 10
    assert not abrupt.programme.verstetigung.anchor_place
    assert kept.programme.verstetigung.anchor_place
    assert kept.programme.verstetigung.coordination_handover
    for name, regime in (
        ("catalyst_loss_self_organised", "self_organised"),
        ("catalyst_loss_programme", "programme"),
    ):
        config = load(name)
        assert config.regime == regime
        assert (config.catalyst.mode, config.catalyst.leave_year) == ("leaves", 5)
        assert config.catalyst.successor is False
    assert load("no_meetings").meetings == []
    assert 0 < load("resource_scarce").resources.level < 1


def test_merge_is_deep_for_tables_and_replaces_arrays() -> None:
    base = {"ties": {"a": 1, "b": {"c": 2, "d": 3}}, "meetings": [{"x": 1}, {"x": 2}]}
    merged = merge(base, {"ties": {"b": {"d": 4}}, "meetings": [{"x": 9}]})
    assert merged == {"ties": {"a": 1, "b": {"c": 2, "d": 4}}, "meetings": [{"x": 9}]}
    assert base["ties"]["b"]["d"] == 3


def test_chains_resolve_and_name_is_not_inherited(tmp_path: Path) -> None:
    write(
        tmp_path,
        "mid.toml",
        'extends = "programme_funded"\ndescription = "middle"\n[ties]\ndecay_per_month = 0.08\n',
    )
    child = write(tmp_path, "child.toml", 'extends = "mid"\n[ties]\nfailure_loss = 0.02\n')
    config = load(child)
    assert config.name == "child" and config.description == ""
    assert config.ties.decay_per_month == 0.08 and config.ties.failure_loss == 0.02
    assert config.regime == "programme" and len(config.meetings) == 3


def test_extends_may_be_a_relative_path_or_a_list(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    write(parts, "slow.toml", "[ties]\ndecay_per_month = 0.02\n")
    path = write(tmp_path, "s.toml", 'extends = ["self_organised", "parts/slow.toml"]\n')
    config = load(path)
    assert config.ties.decay_per_month == 0.02 and config.regime == "self_organised"


def test_a_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a"\n')
    with pytest.raises(InputError, match=r"circular chain a\.toml -> b\.toml -> a\.toml"):
        load(tmp_path / "a.toml")


def test_actor_map_fills_the_roster_with_german_and_english_sectors() -> None:
    config = load("example_neighbourhood")
    roster = {actor.name: actor for actor in config.actors.roster}
    assert 20 <= len(roster) <= 30
    assert roster["Wohnungsbaugenossenschaft Nordstadt eG"].sector == "housing"
    assert roster["Städtische Wohnungsgesellschaft"].sector == "housing"
    assert roster["Ev. Kirchengemeinde St. Johannis"].sector == "civil_society"
    assert roster["Mieterinitiative Nordstadt"].topics == [0, 2]
    assert roster["Herr Schulte (Hausgemeinschaft Lindenhof)"].engagement is None
    names = set(roster)
    assert all(tie.a in names and tie.b in names for tie in config.ties.initial)


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    write(
        tmp_path,
        "actors.csv",
        "name;sector;time;money;material;rooms;topics\n"
        "Kita Sonne;Kita;2,5;20;1;4;1 3\nTafel;Träger;8;20;10;4;\n",
    )
    path = write(tmp_path, "s.toml", 'extends = "self_organised"\n[actors]\nmap = "actors.csv"\n')
    roster = load(path).actors.roster
    assert (roster[0].sector, roster[0].time, roster[0].topics) == ("public", 2.5, [1, 3])
    assert roster[1].topics == []


def test_the_model_starts_from_the_actor_map() -> None:
    from simulation import NeighbourhoodModel

    config = load("example_neighbourhood")
    model = NeighbourhoodModel(config, rng=1)
    graph = model.tie_graph()
    names = {data["name"] for _, data in graph.nodes(data=True)}
    assert names == {actor.name for actor in config.actors.roster}
    by_name = {data["name"]: node for node, data in graph.nodes(data=True)}
    assert graph.has_edge(by_name["Bäckerei Kaya"], by_name["Apotheke am Markt"])


def test_list_shows_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == presets()
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_show_prints_toml_that_the_loader_reads(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", "funding_exit_verstetigung"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    assert data["programme"]["verstetigung"]["small_fund_per_year"] == 2500
    assert data["name"] == "funding_exit_verstetigung"


def test_diff_lists_exactly_the_changed_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "diff", "funding_exit_abrupt", "funding_exit_verstetigung"]) == 0
    keys = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()]
    assert keys == [
        "description",
        "name",
        "programme.verstetigung.anchor_place",
        "programme.verstetigung.coordination_handover",
        "programme.verstetigung.small_fund_per_year",
    ]


def test_diff_of_a_scenario_with_itself_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "diff", "self_organised", "self_organised"]) == 0
    assert capsys.readouterr().out == ""


def test_flatten_numbers_list_positions() -> None:
    assert flatten({"a": {"b": [1, 2]}, "m": [{"x": 1}]}) == {"a.b": [1, 2], "m.0.x": 1}


def test_validate_checks_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.toml", 'extends = "self_organised"\nyears = 2\n')
    bad = write(tmp_path, "bad.toml", 'extends = "self_organised"\nyears = -2\n')
    assert main(["scenarios", "validate", str(good)]) == 0
    assert main(["scenarios", "validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "good.toml: ok" in captured.out
    assert captured.err.count("\n") == 1 and "bad.toml: years" in captured.err


def test_schema_is_json_schema_with_the_loader_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object" and "extends" in schema["properties"]
    assert "map" in schema["$defs"]["ActorsConfig"]["properties"]
    decay = schema["$defs"]["TiesConfig"]["properties"]["decay_per_month"]
    assert (decay["minimum"], decay["exclusiveMaximum"]) == (0, 1)


def test_actor_map_roles_form_the_initiative_with_its_lead_as_catalyst():
    from simulation import NeighbourhoodModel

    config = load("example_neighbourhood")
    marked = [a.name for a in config.actors.roster if a.role]
    lead = next(a.name for a in config.actors.roster if a.role == "lead")
    model = NeighbourhoodModel(config, rng=3)
    members = [model.state.names[i] for i in model.initiative_members]
    assert sorted(members) == sorted(marked)
    assert model.state.names[model.catalyst.holder] == lead
