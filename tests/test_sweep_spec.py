"""Experiment files, designs and seeds: validated up front, reproducible, SALib-compatible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from SALib.sample import morris, sobol

from experiments.sweep.design import build_design, run_seed
from experiments.sweep.plan import plan
from experiments.sweep.runner import BatchSizer
from experiments.sweep.spec import load_spec, scenario_configs, spec_from_dict
from quartier.cli import main
from scenarios.errors import InputError

BASE = {
    "experiment": {"name": "t", "scenarios": ["self_organised"], "years": 1, "seed": 3},
    "factors": {"ties.decay_per_month": [0.02, 0.05]},
}


def spec_with(**changes) -> dict:
    data = {key: dict(value) for key, value in BASE.items()}
    for section, value in changes.items():
        data[section] = value
    return data


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_specs_load_and_plan():
    for name in ("demo", "demo_lhs"):
        the_plan = plan(name)
        assert the_plan.total > 0
        assert len({t["run_id"] for t in the_plan.tasks}) == the_plan.total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[experiment]\nname='x'\nscenarios=['self_organised']\ncolour=1\n", "experiment.colour"),
        ("[experiment]\nname='x'\nscenarios=['self_organised']\nreplications=0\n", "replications"),
        ("[experiment]\nname='x'\nscenarios=[]\n", "experiment.scenarios"),
        ("[experiment]\nname='x'\nscenarios=['a']\n[design]\nkind='lhs'\n", "needs samples"),
        (
            "[experiment]\nname='x'\nscenarios=['a']\n[design]\nkind='sobol'\nsamples=8\n"
            "[factors]\n'ties.decay_per_month'=[0.1, 0.01]\n",
            "bounds [low, high]",
        ),
        ("[experiment\n", "line 1, column 12: invalid TOML"),
    ],
)
def test_bad_spec_is_one_line_exit_2(tmp_path, capsys, text, expected):
    path = write(tmp_path, text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quartier: error: ") and str(path) in err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unknown_factor_key_is_refused_before_any_run(tmp_path, capsys):
    path = write(
        tmp_path,
        "[experiment]\nname='x'\nscenarios=['self_organised']\n"
        "[factors]\n'ties.decay_per_mnth'=[0.1]\n",
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "factors.ties.decay_per_mnth: unknown key; did you mean 'decay_per_month'?" in err
    assert not (tmp_path / "out").exists()


def test_bad_fixed_value_is_refused(tmp_path):
    data = spec_with(fixed={"ties.decay_per_month": 7.0})
    with pytest.raises(InputError, match=r"fixed\.ties\.decay_per_month: 7\.0 is out of range"):
        scenario_configs(spec_from_dict(data))


def test_unknown_scenario_is_refused():
    data = spec_with(experiment={**BASE["experiment"], "scenarios": ["nowhere"]})
    with pytest.raises(InputError, match="unknown scenario"):
        scenario_configs(spec_from_dict(data))


def test_grid_is_the_cartesian_product_in_written_order():
    spec = spec_from_dict(
        spec_with(
            factors={"ties.decay_per_month": [0.02, 0.05], "actors.counts.residents": [10, 20, 30]}
        )
    )
    design = build_design(spec, scenario_configs(spec)[0])
    assert len(design) == 6
    assert design.points[0] == {"ties.decay_per_month": 0.02, "actors.counts.residents": 10}
    assert design.points[1] == {"ties.decay_per_month": 0.02, "actors.counts.residents": 20}


def test_samplers_round_integer_settings_and_keep_salib_order():
    factors = {"ties.decay_per_month": [0.01, 0.2], "actors.counts.residents": [10, 40]}
    spec = spec_from_dict(spec_with(design={"kind": "lhs", "samples": 12}, factors=factors))
    design = build_design(spec, scenario_configs(spec)[0])
    assert len(design) == 12 and design.problem["names"] == list(factors)
    for point, row in zip(design.points, design.matrix, strict=True):
        assert isinstance(point["actors.counts.residents"], int)
        assert point["actors.counts.residents"] == round(row[1])
        assert point["ties.decay_per_month"] == row[0]


def test_sobol_and_morris_match_salib_matrix_size():
    factors = {"ties.decay_per_month": [0.01, 0.2], "cooperation.repeat_bias": [0.1, 0.9]}
    sob = spec_from_dict(spec_with(design={"kind": "sobol", "samples": 8}, factors=factors))
    design = build_design(sob, scenario_configs(sob)[0])
    problem = design.problem
    assert design.matrix.shape == sobol.sample(problem, 8, calc_second_order=False).shape
    mor = spec_from_dict(spec_with(design={"kind": "morris", "samples": 5}, factors=factors))
    design = build_design(mor, scenario_configs(mor)[0])
    assert design.matrix.shape == morris.sample(problem, 5).shape
    again = build_design(mor, scenario_configs(mor)[0])
    assert np.array_equal(design.matrix, again.matrix)


def test_seeds_depend_on_seed_point_replicate_only():
    seeds = {run_seed(42, p, r) for p in range(20) for r in range(20)}
    assert len(seeds) == 400
    assert run_seed(42, 3, 1) == run_seed(42, 3, 1) != run_seed(43, 3, 1)
    assert all(0 <= s < 2**63 for s in seeds)
    the_plan = plan(
        spec_from_dict(
            spec_with(
                experiment={
                    **BASE["experiment"],
                    "scenarios": ["programme_funded", "self_organised"],
                }
            )
        )
    )
    by_scenario = [[t["seed"] for t in the_plan.tasks if t["scenario_index"] == s] for s in (0, 1)]
    assert by_scenario[0] == by_scenario[1]  # common random numbers across scenarios


def test_spec_hash_changes_with_content_only():
    a = spec_from_dict(spec_with())
    assert a.digest() == spec_from_dict(spec_with()).digest()
    b = spec_from_dict(spec_with(experiment={**BASE["experiment"], "replications": 2}))
    assert a.digest() != b.digest()


def test_batch_size_follows_run_time_and_leaves_a_fair_tail():
    sizer = BatchSizer(slots=2, target=0.5)
    assert sizer.size(100) == 1
    sizer.observe([0.01] * 10)
    assert sizer.size(1000) == 50
    assert sizer.size(8) == 2
    sizer.observe([10.0] * 10)
    assert sizer.size(1000) == 1


def test_shipped_spec_found_by_name():
    assert load_spec("demo").name == "demo"


def test_a_spec_with_scenario_files_has_the_same_digest_in_any_folder(tmp_path):
    """Scenario paths are read relative to the spec file but stored as written, so a sweep
    moved to another checkout still resumes (its spec digest does not change)."""
    specs = []
    for folder in ("a", "b"):
        root = tmp_path / folder
        (root / "scenarios").mkdir(parents=True)
        (root / "scenarios" / "mine.toml").write_text(
            'extends = "self_organised"\nname = "mine"\n', encoding="utf-8"
        )
        path = write(
            root, '[experiment]\nname = "moved"\nscenarios = ["scenarios/mine.toml"]\nyears = 1\n'
        )
        specs.append(load_spec(path))
    assert specs[0].experiment.scenarios == ["scenarios/mine.toml"]
    assert specs[0].digest() == specs[1].digest()
    assert [c.name for c in scenario_configs(specs[1])] == ["mine"]
