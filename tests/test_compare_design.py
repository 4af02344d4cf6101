"""compare's design pieces at small size: common random numbers and batches of replicates in
the sweep engine, paired contrasts, Holm, power, the stopping rule and the report's answer."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from experiments.research import compare, compare_design
from experiments.research.compare_design import NONE, PROGRAMME, SELF_ORGANISED, Settings
from experiments.sweep.plan import plan
from experiments.sweep.results import load
from experiments.sweep.runner import run_sweep
from experiments.sweep.spec import load_spec, spec_from_dict
from scenarios.errors import InputError

TINY_WORLD = {
    "actors.counts.residents": 8,
    "actors.counts.civil_society": 4,
    "actors.counts.public": 2,
    "actors.counts.business": 2,
    "warmup_years": 1,
}


def spec(crn: bool, first: int = 0, replications: int = 3, **design) -> dict:
    return {
        "experiment": {
            "name": "crn",
            "scenarios": ["programme_funded", "self_organised"],
            "years": 1,
            "replications": replications,
            "seed": 7,
            "first_replicate": first,
        },
        "design": {"kind": "grid", "common_random_numbers": crn, **design},
        "factors": {"catalyst.mode": ["absent", "present"]},
        "fixed": {"catalyst.holder": "independent", **TINY_WORLD},
    }


# ------------------------------------------------------------------ the sweep engine


def test_common_random_numbers_give_replicate_r_one_seed_in_every_cell():
    tasks = plan(spec_from_dict(spec(crn=True))).tasks
    by_replicate = {}
    for task in tasks:
        by_replicate.setdefault(task["replicate"], set()).add(task["seed"])
    assert all(len(seeds) == 1 for seeds in by_replicate.values())
    assert len({s for seeds in by_replicate.values() for s in seeds}) == 3
    without = plan(spec_from_dict(spec(crn=False))).tasks
    points = {t["point"]: t["seed"] for t in without if t["replicate"] == 0}
    assert points[0] != points[1]  # without the switch design points have their own seeds
    assert {t["seed"] for t in without if t["point"] == 0} == {
        t["seed"] for t in tasks if t["point"] == 0
    }


def test_batches_of_replicates_are_the_runs_of_one_sweep(tmp_path):
    whole = plan(spec_from_dict(spec(crn=True, replications=4))).tasks
    batches = [
        t
        for first in (0, 2)
        for t in plan(spec_from_dict(spec(crn=True, first=first, replications=2))).tasks
    ]
    key = lambda t: (t["run_id"], t["seed"])  # noqa: E731
    assert sorted(map(key, whole)) == sorted(map(key, batches))
    # and they run alike: the stored outputs of batch 2 equal those of the whole sweep
    run_sweep(
        spec_from_dict(spec(crn=True, replications=4)), tmp_path / "all", workers=1, quiet=True
    )
    run_sweep(
        spec_from_dict(spec(crn=True, first=2, replications=2)),
        tmp_path / "b2",
        workers=1,
        quiet=True,
    )
    columns = ["run_id", "seed", "completed", "success_rate", "giant_component_share"]
    every = load(tmp_path / "all").runs.set_index("run_id")
    second = load(tmp_path / "b2").runs.set_index("run_id")
    assert list(second.index) == [r for r in every.index if r.endswith(("r2", "r3"))]
    pd.testing.assert_frame_equal(second[columns[1:]], every.loc[second.index, columns[1:]])


def test_analysis_settings_and_new_defaults_leave_the_digest_alone():
    plain = spec(crn=False)
    del plain["experiment"]["first_replicate"]
    with_analysis = {**plain, "analysis": {"primary": "completed"}}
    explicit = spec(crn=False)
    assert (
        spec_from_dict(plain).digest()
        == spec_from_dict(with_analysis).digest()
        == spec_from_dict(explicit).digest()
    )
    assert spec_from_dict(spec(crn=True)).digest() != spec_from_dict(plain).digest()
    assert spec_from_dict(spec(crn=False, first=3)).digest() != spec_from_dict(plain).digest()


# ------------------------------------------------------------------ the shipped specs


def test_shipped_compare_specs_pair_and_stay_inside_the_funding_period():
    primary, holders = load_spec("compare"), load_spec("compare_holders")
    assert primary.design.common_random_numbers and holders.design.common_random_numbers
    compare_design.check_together(primary, holders)
    assert primary.experiment.years <= 15
    assert primary.fixed["catalyst.time"] == holders.fixed["catalyst.time"] == "paid"
    assert primary.fixed["catalyst.hours"] == holders.fixed["catalyst.hours"]
    rule = compare_design.settings(primary)
    assert rule.primary == "completed" and rule.primary not in rule.secondary


def test_the_holders_design_pairs_only_with_the_same_ensembles():
    primary, holders = load_spec("compare"), load_spec("compare_holders")
    assert primary.experiment.ensemble == {
        "programme_funded": "programme_funded",
        "self_organised": "self_organised",
    }
    data = holders.resolved()
    data["experiment"]["ensemble"] = {**data["experiment"]["ensemble"], "self_organised": "x"}
    other = spec_from_dict(data, source="holders.toml")
    with pytest.raises(InputError) as caught:
        compare_design.check_together(primary, other)
    text = str(caught.value)
    assert "holders.toml" in text and "self_organised" in text and "\n" not in text


def test_bad_analysis_settings_are_one_line():
    data = spec(crn=True) | {"analysis": {"primary": "completd", "target_half_width": 5}}
    with pytest.raises(InputError) as caught:
        compare_design.settings(spec_from_dict(data, source="my.toml"))
    text = str(caught.value)
    assert "my.toml" in text and "completd" in text and "\n" not in text


# ------------------------------------------------------------------ synthetic paired runs

CELLS = {
    (PROGRAMME, NONE): 0.0,
    (PROGRAMME, "independent networker"): 10.0,
    (PROGRAMME, "QM staff"): 12.0,
    (PROGRAMME, "initiative's lead"): 8.0,
    (SELF_ORGANISED, NONE): 0.0,
    (SELF_ORGANISED, "independent networker"): 10.0,
    (SELF_ORGANISED, "initiative's lead"): 10.0,
}


def synthetic_runs(shifts: dict, n: int = 40, noise: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Runs of every cell: a large replicate effect shared by all cells (as common random
    numbers give) plus small cell noise plus the cell's shift."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(100, 30, n)
    rows = []
    for (regime, holder), base in CELLS.items():
        shift = base + shifts.get((regime, holder), 0.0)
        for r in range(n):
            value = shared[r] + shift + rng.normal(0, noise)
            rows.append(
                {
                    "replicate": r,
                    "regime_label": regime,
                    "holder_label": holder,
                    "cell": f"{regime} / {holder}",
                    "completed": value,
                    "giant_component_share": 0.5 + rng.normal(0, 0.05),
                }
            )
    return pd.DataFrame(rows)


def test_paired_interaction_is_the_mean_of_per_replicate_differences_of_differences():
    runs = synthetic_runs({(SELF_ORGANISED, "independent networker"): 5.0})
    table = compare_design.wide(runs, "completed")
    contrast = compare_design.contrasts(runs, "independent networker")[0]
    assert contrast.primary and contrast.name == "same holder: independent networker"
    test = compare_design.interaction(table, contrast)
    d = (
        table["self-organised / independent networker"]
        - table["self-organised / no catalyst"]
        - table["programme-funded / independent networker"]
        + table["programme-funded / no catalyst"]
    )
    assert test.estimate.value == pytest.approx(d.mean())
    assert test.estimate.low < 5.0 < test.estimate.high
    assert test.estimate.half < 2.0  # the shared replicate effect (SD 30) cancels in pairs
    assert test.n == 40 and test.p < 1e-6
    names = [c.name for c in compare_design.contrasts(runs, "independent networker")]
    assert names == [
        "same holder: independent networker",
        "each regime's own holder",
        "same holder: initiative's lead",
    ]


def _study(runs: pd.DataFrame, streams=()) -> SimpleNamespace:
    rule = Settings(primary="completed", secondary=["giant_component_share"], target_half_width=2.0)
    found = {"rule": rule, "runs": runs, "holder": "independent networker", "streams": []}
    study = SimpleNamespace(found=found, main=SimpleNamespace(years=10.0))
    compare.analyse(study)
    study.found["streams_tests"] = list(streams)
    return study


def test_the_report_opens_with_yes_when_the_catalyst_matters_more_without_a_programme():
    study = _study(
        synthetic_runs(
            {
                (SELF_ORGANISED, "independent networker"): 6.0,
                (SELF_ORGANISED, "initiative's lead"): 6.0,
            }
        )
    )
    text = compare.answer_text(study)
    assert text.startswith("**Does the catalyst matter more where there is no programme? Yes.**")
    assert "the interaction, is **" in text and "80 % power" in text


def test_the_report_opens_with_no_when_nothing_differs():
    text = compare.answer_text(_study(synthetic_runs({(PROGRAMME, "QM staff"): -2.0})))
    assert text.startswith(
        "**Does the catalyst matter more where there is no programme? No: no difference"
    )
    assert "unlikely to have been missed" in text


def test_the_report_says_it_depends_when_the_holders_disagree():
    runs = synthetic_runs(
        {
            (SELF_ORGANISED, "independent networker"): 6.0,
            (SELF_ORGANISED, "initiative's lead"): -8.0,
        }
    )
    text = compare.answer_text(_study(runs))
    assert "It depends on who holds the role." in text


def test_the_answer_says_when_streams_disagree():
    runs = synthetic_runs(
        {(SELF_ORGANISED, "independent networker"): 6.0, (SELF_ORGANISED, "initiative's lead"): 6.0}
    )
    other = compare_design.interaction(
        compare_design.wide(synthetic_runs({}, seed=1), "completed"),
        compare_design.contrasts(runs, "independent networker")[0],
    )
    growth = compare_design.Growth(seed=2025, cap=40)
    text = compare.answer_text(_study(runs, [(growth, other)]))
    assert "Yes — but not in every random stream (1 of 2 agree)" in text


def test_holm_and_secondary_family():
    runs = synthetic_runs({(SELF_ORGANISED, "independent networker"): 6.0})
    study = _study(runs)
    tests = study.found["tests"]
    assert tests["primary"].sum() == 1 and np.isnan(tests.loc[tests["primary"], "holm"]).all()
    secondary = tests[~tests["primary"]]
    raw = np.array([t.p for t in secondary["test"]])
    assert (secondary["holm"].to_numpy() >= raw - 1e-15).all()
    assert secondary["holm"].max() <= 1.0
