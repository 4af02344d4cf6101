"""compare's design pieces at small size: common random numbers and batches of replicates in
the sweep engine, paired contrasts, Holm, power, the stopping rule, the report's answer, and
the noise-corrected Sobol' indices of the interaction and of the sensitivity experiment's
outputs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from experiments.research import compare, compare_design, sensitivity, sobol
from experiments.research import compare_robustness as robust
from experiments.research.compare_design import NONE, PROGRAMME, SELF_ORGANISED, Settings
from experiments.stats import BOOT_SEED
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
    assert load_spec("compare_sensitivity").experiment.replications >= 2  # to measure noise


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


def test_the_answer_says_it_depends_on_the_parameters_when_the_ensemble_run_disagrees():
    """The primary design with other parameters (--ensemble) resolves what the primary does
    not: the answer names the parameters and gives that run's interaction."""
    study = _study(synthetic_runs({(PROGRAMME, "QM staff"): -2.0}))
    same = {(SELF_ORGANISED, "independent networker"): 6.0}
    study.found["ensemble"] = SimpleNamespace(runs=synthetic_runs(same, seed=4))
    study.options = SimpleNamespace(ensemble="programme_funded")
    text = compare.answer_text(study)
    assert "? It depends on the parameters.**" in text
    assert "drawing its parameters from the ensemble `programme_funded` the primary" in text
    assert "matters more when self-organised" in text
    study.found["ensemble"] = SimpleNamespace(runs=synthetic_runs({}, seed=4))
    assert "? No: no difference was found.**" in compare.answer_text(study)


def test_holm_and_secondary_family():
    runs = synthetic_runs({(SELF_ORGANISED, "independent networker"): 6.0})
    study = _study(runs)
    tests = study.found["tests"]
    assert tests["primary"].sum() == 1 and np.isnan(tests.loc[tests["primary"], "holm"]).all()
    secondary = tests[~tests["primary"]]
    raw = np.array([t.p for t in secondary["test"]])
    assert (secondary["holm"].to_numpy() >= raw - 1e-15).all()
    assert secondary["holm"].max() <= 1.0


# ------------------------------------------------------------------ Sobol' indices

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
SIX = {"num_vars": 6, "names": [f"p{i}" for i in range(6)], "bounds": [[0.0, 1.0]] * 6}


def ishigami(n: int) -> np.ndarray:
    """Ishigami (a = 7, b = 0.1) at the N(D + 2) points of a Saltelli design."""
    return Ishigami.evaluate(sobol_sample.sample(ISHIGAMI, n, calc_second_order=False, seed=1))


def ishigami_truth() -> tuple[np.ndarray, np.ndarray, float]:
    """Ishigami's analytic S1, ST and variance."""
    v1 = 0.5 * (1 + 0.1 * np.pi**4 / 5) ** 2
    v2 = 7.0**2 / 8
    v13 = 0.1**2 * np.pi**8 * 8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v, v


PAIRS = [("s1", "S1"), ("s1_ci", "S1_conf"), ("st", "ST"), ("st_ci", "ST_conf")]
"""Our fields and SALib's keys."""


def test_without_noise_the_indices_and_their_cis_are_salibs():
    y = ishigami(256)
    salib = sobol_analysis.analyze(
        ISHIGAMI, y, calc_second_order=False, num_resamples=sobol.RESAMPLES, seed=BOOT_SEED
    )
    for values in (y[:, None], np.repeat(y[:, None], 3, axis=1)):  # R = 1, and R = 3 alike
        found = sobol.noisy_sobol(values, 3)
        assert found.noise == pytest.approx(0.0, abs=1e-20)
        for ours, theirs in PAIRS:
            np.testing.assert_allclose(getattr(found, ours), salib[theirs], rtol=1e-9, atol=1e-12)


def test_noise_correction_recovers_the_indices_of_the_mean_where_plain_ones_drift_to_one():
    """Ishigami + Gaussian run-to-run noise (SD 8, R = 4: τ² = 16, more than Ishigami's own
    variance of 13.8). Over 40 noise seeds the corrected indices erred by SD ≤ 0.046 (ST ≤
    0.037, largest 0.12), the plain indices of the replicate means were ≥ 0.2 above ST."""
    s1, st, v = ishigami_truth()
    means = ishigami(4096)
    values = means[:, None] + np.random.default_rng(5).normal(0.0, 8.0, (len(means), 4))
    corrected = sobol.noisy_sobol(values, 3, resamples=200)
    plain = sobol.noisy_sobol(values.mean(axis=1, keepdims=True), 3, resamples=200)
    assert corrected.noise == pytest.approx(16.0, rel=0.05)
    assert corrected.noise_share == pytest.approx(16.0 / (v + 16.0), abs=0.03)
    assert corrected.signal == pytest.approx(v, rel=0.1) and corrected.distinguishable
    assert np.abs(corrected.st - st).max() < 0.12
    assert np.abs(corrected.s1 - s1).max() < 0.15
    assert (corrected.st_ci < 0.1).all()
    assert (plain.st > st + 0.15).all() and plain.noise == 0.0


def test_the_checks_tell_uncorrected_indistinguishable_and_measured_apart():
    """N = 64, D = 6, run-to-run SD 45, R = 4; a signal 100·p0 (variance 833) or none. Over 40
    noise seeds: η of pure noise 0.84–1.24, never distinguishable; the signal always, with V_m
    0.70–1.26 of 833 and p0's ST ≥ 0.55, the largest."""
    n, rng = 64, np.random.default_rng(3)
    x = sobol_sample.sample(SIX, n, calc_second_order=False, seed=2)
    noise = rng.normal(0.0, 45.0, (len(x), 4))
    _, single = sobol.indices_and_checks(SIX, n, noise[:, :1] + 100 * x[:, :1])
    assert not single["corrected"] and not single["converged"]
    assert np.isnan(single["noise_share"]) and single["replicates"] == 1
    _, flat = sobol.indices_and_checks(SIX, n, noise)
    assert flat["corrected"] and not flat["distinguishable"] and not flat["converged"]
    assert flat["noise_share"] == pytest.approx(1.0, abs=0.3)
    assert not flat["distinguishable_half"]  # the conclusion holds with half the design
    assert "With the first N/2 = 32 base samples" in compare._no_signal(flat)
    table, driven = sobol.indices_and_checks(SIX, n, noise + 100 * x[:, :1])
    assert driven["distinguishable"] and driven["distinguishable_half"]
    assert driven["replicates"] == 4
    assert driven["signal_variance"] == pytest.approx(100**2 / 12, rel=0.4)
    assert table["ST"].idxmax() == 0 and table.loc[0, "ST"] > 0.4


def test_replicate_interactions_are_a_points_by_replicates_grid():
    """Each design point's four runs per replicate pair into one interaction; a missing run
    leaves NaN."""
    configs = [SimpleNamespace(regime="programme"), SimpleNamespace(regime="self_organised")]
    effect = {("absent", 0): 0.0, ("absent", 1): 0.0, ("present", 0): 1.0, ("present", 1): 3.0}
    parts = {}
    for mode in ("absent", "present"):
        rows = [
            {"point": p, "replicate": r, "scenario_index": s, "completed": effect[mode, s] * p + r}
            for p in range(3)
            for r in range(2)
            for s in (0, 1)
            if (mode, p, r, s) != ("present", 2, 1, 0)
        ]
        parts[mode] = SimpleNamespace(
            runs=pd.DataFrame(rows),
            configs=configs,
            results=SimpleNamespace(manifest={"design": {"points": 3}}),
            spec=spec_from_dict(spec(crn=True, replications=2)),
        )
    values = robust.replicate_interactions(parts, "completed")
    np.testing.assert_array_equal(values, [[0.0, 0.0], [2.0, 2.0], [4.0, np.nan]])


def test_the_report_counts_replicates_in_the_runs_it_needs():
    check = {"n": 64, "names": SIX["names"], "widest": 0.2, "replicates": 4, "noise_share": 0.5}
    text = compare._samples_needed(check)
    assert "N ≈ 256 base samples with R = 4 replicates per point (32,768 runs)" in text


@pytest.mark.parametrize(
    ("replicates", "signal", "says", "tables"),
    [
        (1, 100.0, "uncorrected: run-to-run noise inflates every total index", 1),
        (4, 0.0, "not distinguishable from zero", 0),
        (4, 100.0, "noise share η = τ²/V = ", 1),
    ],
)
def test_the_report_reads_the_sobol_checks(monkeypatch, tmp_path, replicates, signal, says, tables):
    x = sobol_sample.sample(SIX, 64, calc_second_order=False, seed=2)
    values = np.random.default_rng(3).normal(0.0, 45.0, (len(x), replicates)) + signal * x[:, :1]
    monkeypatch.setattr(
        robust, "sobol_indices", lambda parts, output: sobol.indices_and_checks(SIX, 64, values)
    )
    texts, shown = [], []
    report = SimpleNamespace(
        heading=lambda *args: None,
        text=texts.append,
        table=lambda table, caption: shown.append(caption),
        figure=lambda stem, caption: None,
    )
    years = SimpleNamespace(experiment=SimpleNamespace(years=10.0))
    study = SimpleNamespace(
        found={
            "sensitivity": {"absent": SimpleNamespace(spec=years)},
            "rule": SimpleNamespace(primary="completed"),
        },
        report=report,
        out=tmp_path,
    )
    compare._sensitivity(study)
    text = " ".join(texts)
    assert says in text and len(shown) == tables
    assert f"× R = {replicates} replicate" in text and f"({512 * 4 * replicates:,} runs)" in text


def sensitivity_study(tmp_path, replicates: int, n: int = 1024) -> SimpleNamespace:
    """The sensitivity experiment's Sobol' part on a fake runs table: per Saltelli point of
    Ishigami and replicate, the main outcome Ishigami + noise (SD 6), the giant component pure
    noise, the cross-sector share constant; in shuffled order."""
    y = ishigami(n)
    rng = np.random.default_rng(7)
    runs = pd.DataFrame(
        {
            "point": np.repeat(np.arange(len(y)), replicates),
            "replicate": np.tile(np.arange(replicates), len(y)),
            "completed": np.repeat(y, replicates) + rng.normal(0.0, 6.0, len(y) * replicates),
            "giant_component_share": rng.normal(0.5, 0.1, len(y) * replicates),
            "cross_sector_share": 0.25,
        }
    ).sample(frac=1.0, random_state=1)
    part = SimpleNamespace(
        runs=runs,
        results=SimpleNamespace(manifest={"design": {"problem": ISHIGAMI, "points": len(y)}}),
        spec=SimpleNamespace(
            design=SimpleNamespace(samples=n),
            experiment=SimpleNamespace(first_replicate=0, replications=replicates),
        ),
    )
    texts, tables = [], {}
    report = SimpleNamespace(
        heading=lambda *args: None,
        text=texts.append,
        table=lambda table, caption: tables.__setitem__(caption, table),
        figure=lambda stem, caption: None,
    )
    return SimpleNamespace(
        parts={"sobol": part}, report=report, out=tmp_path, found={}, texts=texts, tables=tables
    )


def test_the_sensitivity_report_gives_noise_corrected_indices_and_the_noise_share(tmp_path):
    """R = 4 replicates with run-to-run SD 6: τ² = 9, η = 9 / (13.8 + 9) ≈ 0.39. Over 20 noise
    seeds the corrected indices erred by at most 0.11, η lay in 0.375–0.423."""
    study = sensitivity_study(tmp_path, 4)
    sensitivity.sobol_section(study)
    s1, st, v = ishigami_truth()
    noise = study.tables["Run-to-run noise and the parameters' share"].set_index("output")
    assert list(noise.index) == ["completed", "giant_component_share"]
    assert noise.loc["completed", "η = τ²/V"] == pytest.approx(9.0 / (v + 9.0), abs=0.05)
    assert noise.loc["completed", "V_m"] == pytest.approx(v, rel=0.15)
    assert noise["distinguishable"].tolist() == ["yes", "no"]
    table = study.tables["Sobol' indices (noise-corrected, of the mean output)"]
    assert set(table["output"]) == {"completed"}  # pure noise: no indices
    np.testing.assert_allclose(table["ST"], st, atol=0.15)
    np.testing.assert_allclose(table["S1"], s1, atol=0.15)
    pd.testing.assert_frame_equal(
        study.found["sobol"], table[["parameter", "S1", "ST"]].reset_index(drop=True)
    )
    text = " ".join(study.texts)
    assert "η = τ²/V" in text and "no indices)" in text and "cross_sector_share" in text
    convergence = study.tables["Convergence of the Sobol' indices"].set_index("output")
    assert convergence.loc["giant_component_share", "converged"] == "no"


def test_the_sensitivity_report_says_one_replicate_gives_uncorrected_indices(tmp_path):
    study = sensitivity_study(tmp_path, 1, n=256)
    sensitivity.sobol_section(study)
    text = " ".join(study.texts)
    assert "**uncorrected: run-to-run noise inflates every total index**" in text
    assert "Run-to-run noise and the parameters' share" not in study.tables
    table = study.tables["Sobol' indices (uncorrected, noise-inflated)"]
    assert set(table["output"]) == {"completed", "giant_component_share"}
    assert (study.tables["Convergence of the Sobol' indices"]["converged"] == "no").all()
