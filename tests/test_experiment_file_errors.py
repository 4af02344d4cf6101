"""Experiment files report bad input like scenario files: the file, the key, what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartier.cli import main
from tests.test_scenarios_errors import make_files, one_error_line

HEAD = "[experiment]\nname = 'x'\nyears = 1\n"
ONE = HEAD + "scenarios = ['self_organised']\n"

# id, files (the first one is the experiment file), fragments the error line must contain
CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    (
        "unknown_scenario",
        {"spec.toml": HEAD + "scenarios = ['self_organised', 'programme_fundet']\n"},
        [
            "spec.toml: experiment.scenarios.1: unknown scenario 'programme_fundet'",
            "did you mean 'programme_funded'? presets: ",
        ],
    ),
    (
        "scenario_path_missing",
        {"spec.toml": HEAD + "scenarios = ['mine/missing.toml']\n"},
        ["spec.toml: experiment.scenarios.0: no such file 'mine/missing.toml'"],
    ),
    (
        "scenario_file_with_an_error",
        {
            "spec.toml": HEAD + "scenarios = ['own/s.toml']\n",
            "own/s.toml": 'extends = "self_organised"\n[ties]\ndecay_per_mont = 0.1\n',
        },
        [
            "spec.toml: experiment.scenarios.0 → ",
            "own/s.toml: ties.decay_per_mont: unknown key; did you mean 'decay_per_month'?",
        ],
    ),
    (
        "unknown_key",
        {"spec.toml": ONE + "[design]\nparameters = 3\n"},
        [
            "spec.toml: design.parameters: unknown key; allowed keys: kind, samples, num_levels, "
            "calc_second_order"
        ],
    ),
    (
        "misspelt_key",
        {"spec.toml": ONE + "[design]\nkind = 'lhs'\nsmaples = 3\n"},
        ["design.smaples: unknown key; did you mean 'samples'?"],
    ),
    (
        "misspelt_section",
        {"spec.toml": ONE + "[desing]\nkind = 'grid'\n"},
        ["spec.toml: desing: unknown key; did you mean 'design'? allowed keys: experiment,"],
    ),
    ("bad_choice", {"spec.toml": ONE + "[design]\nkind = 'grdi'\n"}, ["did you mean 'grid'?"]),
    (
        "out_of_range",
        {"spec.toml": ONE + "replications = 0\n"},
        ["spec.toml: experiment.replications: 0 is out of range; allowed [1, 100000]"],
    ),
    (
        "missing_table",
        {"spec.toml": "[design]\nkind = 'grid'\n"},
        ["spec.toml: experiment: missing; this key is required"],
    ),
    (
        "factor_bounds",
        {
            "spec.toml": ONE + "[design]\nkind='sobol'\nsamples=8\n"
            "[factors]\n'ties.decay_per_month'=[0.1, 0.01]\n"
        },
        ["spec.toml: factors.ties.decay_per_month: samplers need bounds [low, high]"],
    ),
    (
        "unknown_factor_key",
        {"spec.toml": ONE + "[factors]\n'ties.decay_per_mnth' = [0.1]\n"},
        ["spec.toml: factors.ties.decay_per_mnth: unknown key; did you mean 'decay_per_month'?"],
    ),
    (
        "fixed_out_of_range",
        {"spec.toml": ONE + "[fixed]\n'ties.decay_per_month' = 7\n"},
        ["spec.toml: fixed.ties.decay_per_month: 7 is out of range; allowed [0, 1)"],
    ),
    (
        "fixed_unknown_section",
        {"spec.toml": ONE + "[fixed]\n'tise.decay_per_month' = 0.1\n"},
        ["spec.toml: fixed.tise.decay_per_month: unknown key 'tise'; did you mean 'ties'?"],
    ),
    (
        "toml_syntax",
        {"spec.toml": "[experiment\n"},
        ["spec.toml: line 1, column 12: invalid TOML"],
    ),
    (
        "empty",
        {"spec.toml": ""},
        ["spec.toml: empty file; an experiment file needs an [experiment] table"],
    ),
]


@pytest.mark.parametrize(
    ("files", "fragments"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_experiment_file_gives_one_clear_line(
    files: dict[str, str | bytes],
    fragments: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = make_files(tmp_path, files)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    line = one_error_line(capsys)
    for fragment in fragments:
        assert fragment in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("demoo", "demoo: unknown experiment; did you mean 'demo'? shipped: "),
        ("/etc/passwd", "/etc/passwd: not an experiment file"),
        ("nowhere/spec.toml", "nowhere/spec.toml: no such experiment file"),
    ],
)
def test_experiment_names_and_paths(
    name: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", name, "--out", str(tmp_path / "out")]) == 2
    assert fragment in one_error_line(capsys)
