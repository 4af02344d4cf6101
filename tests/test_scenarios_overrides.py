"""Dotted keys and `--set KEY=VALUE`: one implementation for overrides, sweeps, diff and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import scenarios
from quartier.cli import main
from scenarios import dotted
from scenarios.errors import InputError
from scenarios.explain import At, Flag
from simulation.config import ScenarioConfig
from tests.test_scenarios_errors import one_error_line


def test_get_put_and_flatten_walk_tables_and_list_positions() -> None:
    data = {"ties": {"decay_per_month": 0.05}, "meetings": [{"name": "a"}, {"name": "b"}]}
    assert dotted.get(data, "meetings.1.name") == "b"
    assert dotted.get(data, "meetings.2.name") is None
    assert dotted.get(data, "ties.nothing", "absent") == "absent"
    dotted.put(data, "meetings.0.name", "c")
    dotted.put(data, "ties.new_key", 1)
    assert dotted.flatten(data) == {
        "ties.decay_per_month": 0.05,
        "ties.new_key": 1,
        "meetings.0.name": "c",
        "meetings.1.name": "b",
    }


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("meetings.3.interval_weeks", "no list position '3' (meetings has 2 entries)"),
        ("tise.decay_per_month", "unknown key 'tise'; did you mean 'ties'?"),
        ("years.x", "years is a value (20.0), not a table"),
    ],
)
def test_put_refuses_keys_that_lead_nowhere(key: str, fragment: str) -> None:
    data = scenarios.load("self_organised").model_dump()
    with pytest.raises(dotted.UnknownKey) as caught:
        dotted.put(data, key, 1)
    assert isinstance(caught.value, KeyError)
    assert caught.value.loc == tuple(key.split(".")) and fragment in caught.value.text


def test_apply_overrides_validates_the_whole_config() -> None:
    config = dotted.apply_overrides(ScenarioConfig(), {"actors.counts.business": 3})
    assert config.actors.counts["business"] == 3
    with pytest.raises(ValidationError):
        dotted.apply_overrides(ScenarioConfig(), {"ties.decay_per_month": 1.5})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("years=5", 5),
        ("ties.decay_per_month=0.1", 0.1),
        ("catalyst.successor=true", True),
        ("catalyst.mode=absent", "absent"),
        ("catalyst.mode = 'leaves'", "leaves"),
        ("meetings.0.invited=['residents', 'Kita']", ["residents", "Kita"]),
    ],
)
def test_assignments_read_values_as_toml(text: str, value: object) -> None:
    key = text.partition("=")[0].strip()
    assert dotted.parse_assignments([text]) == {key: value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ties.decay_per_month=2", "--set ties.decay_per_month: 2 is out of range; allowed [0, 1)"),
        ("years", "--set: expected KEY=VALUE, got 'years'"),
        ("=3", "--set: expected KEY=VALUE, got '=3'"),
        ("meetings.x.name=a", "--set meetings.x.name: 'x' is not a list position (0, 1, ...)"),
        ("catalyst.mode=leave", "--set catalyst.mode: input should be"),
    ],
)
def test_assignments_are_checked_against_the_schema(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        dotted.parse_assignments([text])
    assert str(caught.value).startswith(message)


def test_an_override_problem_names_the_override() -> None:
    config = scenarios.load("example_neighbourhood")
    with pytest.raises(InputError) as caught:
        scenarios.override(config, {"actors.topics": 3}, Flag("--set"))
    assert str(caught.value).startswith("--set actors.topics: topic_names has 6 names")
    with pytest.raises(InputError) as caught:
        scenarios.override(config, {"actors.counts.residents": -3}, At("spec.toml", "fixed."))
    assert str(caught.value).startswith("spec.toml: fixed.actors.counts.residents: ")


# -- quartier run --set -----------------------------------------------------------------------

RUN = ["run", "--years", "1", "--json"]


@pytest.mark.parametrize(
    ("sets", "line"),
    [
        (
            ["ties.decay_per_month=2"],
            "quartier: error: --set ties.decay_per_month: 2 is out of range; allowed [0, 1)",
        ),
        (
            ["years=1", "ties.decay=0.1"],
            "quartier: error: --set ties.decay: unknown key; did you mean 'decay_per_month'? "
            "allowed keys: initial_within_degree, ",
        ),
        (["tise.decay=0.1"], "quartier: error: --set tise.decay: unknown key 'tise'"),
        (["decay"], "quartier: error: --set: expected KEY=VALUE, got 'decay'"),
        (
            ["meetings.5.capacity=3"],
            "quartier: error: --set meetings.5.capacity: no list position '5' (meetings has 2 "
            "entries)",
        ),
        (
            ["actors.interests_per_actor=9"],
            "quartier: error: --set actors.interests_per_actor: interests_per_actor must not "
            "exceed topics",
        ),
    ],
)
def test_run_set_errors_are_one_line(
    sets: list[str], line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*RUN, "--out", str(tmp_path / "out")]
    for text in sets:
        argv += ["--set", text]
    assert main(argv) == 2
    assert one_error_line(capsys).startswith(line)
    assert not (tmp_path / "out").exists()


def test_experiment_set_errors_read_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(["experiment", "compare", "--out", str(out), "--set", "ties.decay_per_month=2"]) == 2
    )
    line = "quartier: error: --set ties.decay_per_month: 2 is out of range; allowed [0, 1)"
    assert one_error_line(capsys) == line
    assert not out.exists()


def test_run_set_equals_the_same_change_in_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Repeated --set options change the run exactly as a scenario file would."""
    path = tmp_path / "s.toml"
    path.write_text(
        'extends = "self_organised"\nname = "self_organised"\nwarmup_years = 0\n'
        "[ties]\ndecay_per_month = 0.1\n[actors.counts]\nresidents = 20\n",
        encoding="utf-8",
    )
    assert main([*RUN, "--scenario", str(path)]) == 0
    from_file = json.loads(capsys.readouterr().out)
    no_warmup = ["--set", "warmup_years=0"]  # actors at week 0 are then the counts
    sets = [*no_warmup, "--set", "ties.decay_per_month=0.1", "--set", "actors.counts.residents=20"]
    assert main([*RUN, *sets]) == 0
    from_sets = json.loads(capsys.readouterr().out)
    assert main([*RUN, *no_warmup]) == 0
    unchanged = json.loads(capsys.readouterr().out)
    assert from_sets == from_file != unchanged
    assert from_sets["actors_start"] == unchanged["actors_start"] - 20
