"""Calibration end to end on a tiny world: the rejection method, ABC-SMC, the ensemble they
write, resuming, and the ensemble flowing into sweeps and `quartier run`."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.loopback import loopback_cluster
from calibration import calibrate
from calibration.measures import column
from calibration.patterns import misfit
from calibration.targets import load_targets
from experiments.sweep import load, run_sweep, spec_from_dict
from experiments.sweep.ensemble import load_ensemble
from quartier.cli import main
from tests.calibration_helpers import TINY, TINY_FIXED, write_tiny
from tests.test_scenarios_errors import one_error_line

ABC = (
    TINY.replace("samples = 40", "population = 12\ngenerations = 2\nmax_runs = 400")
    .replace("runs = 10", "runs = 3")
    .replace("replicates = 2", 'kind = "abc-smc"\nreplicates = 1\ntolerance = 0.5')
)


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """The tiny targets calibrated by rejection through the command line, one worker."""
    folder = tmp_path_factory.mktemp("rejection")
    target = write_tiny(folder)
    out = folder / "out"
    assert main(["calibrate", str(target), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return target, out, sorted(p.name for p in out.iterdir())


def test_rejection_writes_ensemble_checks_and_report(rejected) -> None:
    _, out, files = rejected
    assert files == [
        "calibration.json", "checks", "ensemble", "figures", "prior", "report.html", "report.md"
    ]  # fmt: skip
    for stem in ("marginals", "pairs", "checks"):
        assert (out / "figures" / f"{stem}.png").stat().st_size > 1000
        assert (out / "figures" / f"{stem}.svg").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and 'src="figures/' not in page
    markdown = (out / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Patterns",
        "## Which parameter sets pass which pattern",
        "### Patterns the model cannot meet together",
        "### Which pattern informs which parameter",
        "## Posterior",
        "## Posterior predictive checks",
        "## Using the calibrated ensemble",
        "held out (validation)",
        "**Stochasticity.** Every parameter set is run with 2 seed(s)",
    ):
        assert heading in markdown


def test_the_ensemble_holds_exactly_the_sets_that_pass_every_fitted_pattern(rejected) -> None:
    target, out, _ = rejected
    targets = load_targets(target).targets
    runs = load(out / "prior").runs
    assert len(runs) == 80 and (runs["status"] == "ok").all()
    means = runs.groupby("point")[[column(n) for n in targets.patterns]].mean()
    passing = np.ones(len(means), dtype=bool)
    for name, pattern in targets.fitted().items():  # the held-out pattern does not filter
        passing &= misfit(means[column(name)].to_numpy(), pattern) <= targets.method.tolerance
    assert 0 < passing.sum() < len(means)  # the patterns do select
    values = runs.groupby("point")[list(targets.priors)].first()[passing].reset_index(drop=True)
    ensemble = load_ensemble(out)
    assert ensemble.keys == list(targets.priors)
    assert np.allclose(ensemble.values.to_numpy(), values.to_numpy())
    assert np.allclose(ensemble.weights, 1 / len(values))
    assert ensemble.meta["method"] == "rejection" and ensemble.meta["scenario"] == "self_organised"


def test_the_checks_draw_from_the_ensemble_and_check_held_out_patterns(rejected) -> None:
    _, out, _ = rejected
    checks = load(out / "checks").runs
    ensemble = load_ensemble(out)
    assert len(checks) == 10
    for row in checks.to_dict("records"):
        member = ensemble.member(int(row["ensemble_member"]))
        assert ensemble.pick(row["seed"]) == row["ensemble_member"]
        assert all(np.isclose(row[key], value) for key, value in member.items())
    assert column("types") in checks  # held out: measured in the checks


def test_resume_reuses_the_runs_and_refilters_new_observations(
    rejected, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, stored, _ = rejected
    out = tmp_path / "out"
    shutil.copytree(stored, out)
    before = load_ensemble(out).values
    target = write_tiny(tmp_path, TINY.replace("observed = 19", "observed = 17"))
    argv = ["calibrate", str(target), "--out", str(out), "--resume", "--workers", "1", "--quiet"]
    assert main(argv) in (0, 1)
    capsys.readouterr()
    prior = load(out / "prior").manifest["sessions"]
    assert prior[-1]["ran"] == 0  # the observations changed: no run again, only the filter
    after = load_ensemble(out).values if (out / "ensemble").exists() else pd.DataFrame()
    assert not after.equals(before)
    changed = write_tiny(tmp_path, TINY.replace("[0.005, 0.05]", "[0.005, 0.04]"))
    assert main(["calibrate", str(changed), "--out", str(out), "--resume"]) == 2
    assert "belongs to other targets" in one_error_line(capsys)


def test_abc_smc_gives_the_same_posterior_in_process_and_on_a_pool(tmp_path: Path) -> None:
    target = write_tiny(tmp_path, ABC, "abc.toml")
    one = calibrate(target, tmp_path / "one", workers=1, quiet=True, command="test")
    two = calibrate(target, tmp_path / "two", workers=2, quiet=True, command="test")
    first, second = load_ensemble(one.out), load_ensemble(two.out)
    assert len(first) == 12
    pd.testing.assert_frame_equal(first.values, second.values)
    assert np.allclose(first.weights, second.weights)
    assert (tmp_path / "one" / "abc.db").is_file()
    assert "## ABC-SMC generations" in one.markdown.read_text(encoding="utf-8")
    # resuming a finished calibration runs nothing and gives the same posterior
    again = calibrate(target, tmp_path / "one", workers=1, quiet=True, resume=True)
    pd.testing.assert_frame_equal(load_ensemble(again.out).values, first.values)


def test_a_sweep_draws_parameter_sets_from_an_ensemble_by_seed(rejected, tmp_path: Path) -> None:
    _, out, _ = rejected
    ensemble = load_ensemble(out)
    data = {
        "experiment": {
            "name": "e",
            "scenarios": ["self_organised"],
            "years": 0.25,
            "replications": 6,
            "ensemble": str(out),
        },
        "factors": {"ties.decay_per_month": [0.07]},  # a design point wins over the ensemble
        "fixed": tomllib.loads(TINY_FIXED)["fixed"],
    }
    run_sweep(spec_from_dict(data), tmp_path / "sweep", workers=1, quiet=True)
    runs = load(tmp_path / "sweep").runs
    assert (runs["ties.decay_per_month"] == 0.07).all()
    for row in runs.to_dict("records"):
        k = ensemble.pick(row["seed"])
        assert row["ensemble_member"] == k
        assert row["cooperation.idea_rate"] == ensemble.member(k)["cooperation.idea_rate"]
    manifest = load(tmp_path / "sweep").manifest
    assert manifest["ensembles"][0]["hash"] == ensemble.digest()


def test_quartier_run_takes_the_set_its_seed_draws(
    rejected, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = rejected
    ensemble = load_ensemble(out)
    argv = ["run", "--years", "0.25", "--seed", "5", "--ensemble", str(out), "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ensemble_member"] == ensemble.pick(5)
    assert main(["run", "--years", "0.25", "--ensemble", "nowhere_known"]) == 2
    assert "nowhere_known: unknown ensemble; " in one_error_line(capsys)
    assert main(["run", "--years", "0.25", "--ensemble", "some/folder"]) == 2
    assert "some/folder: not a calibrated ensemble" in one_error_line(capsys)


@pytest.mark.slow
def test_abc_smc_on_a_dask_cluster_gives_the_in_process_posterior(tmp_path: Path) -> None:
    target = write_tiny(tmp_path, ABC.replace("generations = 2", "generations = 1"), "abc.toml")
    here = calibrate(target, tmp_path / "here", workers=1, quiet=True, command="test")
    with loopback_cluster(workers=1) as address:
        there = calibrate(target, tmp_path / "there", scheduler=address, quiet=True)
    pd.testing.assert_frame_equal(load_ensemble(here.out).values, load_ensemble(there.out).values)


def test_measures_read_the_run_outputs_as_documented() -> None:
    import doctest

    import calibration.analysis
    from calibration.measures import Measure
    from simulation.run import run
    from tests.conftest import small_config

    assert doctest.testmod(calibration.analysis).failed == 0
    result = run(small_config(), seed=3, years=2)
    table, series, network = result.cooperations, result.timeseries, result.network
    started = table["start_week"].to_numpy()
    window = Measure("cooperations.started", window=(0.5, 2), statistic="change")
    assert window(result) == ((started > 26) & (started <= 104)).sum()
    per_year = Measure("cooperations.started_light_informal", window=(0, 2), statistic="per_year")
    light = table[(table["type"] == "light_informal") & (table["start_week"] > 0)]
    assert per_year(result) == len(light) / 2
    at = Measure("timeseries.completed", at_year=1)
    assert at(result) == series.loc[series["week"] == 52, "completed"].item()
    mean = Measure("network.density_resilient", window=(1, 2))
    inside = network[(network["week"] >= 52) & (network["week"] <= 104)]
    assert mean(result) == pytest.approx(inside["density_resilient"].mean())
    ratio = Measure("summary.completed / (summary.started + 0)")
    assert ratio(result) == pytest.approx(result.summary["completed"] / result.summary["started"])
    end = Measure("network.resilient_ties")
    assert end(result) == network["resilient_ties"].iloc[-1] == result.summary["resilient_ties"]


def test_runs_record_a_series_over_time_only_when_it_is_stored_or_a_measure_reads_it() -> None:
    from calibration.measures import Measure, PatternMeasures
    from experiments.sweep.worker import recording

    network = PatternMeasures((("a", Measure("network.density_resilient")),))
    weekly = PatternMeasures(
        (("a", Measure("summary.started")), ("b", Measure("timeseries.running / 2")))
    )
    table = PatternMeasures((("a", Measure("summary.started / cooperations.completed")),))
    summary = PatternMeasures((("a", Measure("summary.started")),))
    neither = {"weekly": False, "network": False, "cooperations": False}
    assert network.tables == {"network"} and weekly.tables == {"summary", "timeseries"}
    assert recording(0, network) == neither | {"network": True}
    assert recording(0, weekly) == neither | {"weekly": True}
    assert recording(0, table) == neither | {"cooperations": True}
    assert recording(0, summary) == neither == recording(0, None)
    assert recording(4, summary) == neither | {"weekly": True, "network": True}
    assert recording(4, table) == {"weekly": True, "network": True, "cooperations": True}
    assert recording(0, lambda result: {}) == recording(4, table)  # may read everything


def test_a_run_without_its_cooperation_table_has_the_same_results_and_the_tables_columns():
    import scenarios
    from simulation.run import run

    config = scenarios.load("self_organised")
    whole = run(config, seed=2, years=1)
    lean = run(config, seed=2, years=1, cooperations=False)
    assert lean.summary == whole.summary and len(whole.cooperations) > 0
    pd.testing.assert_frame_equal(lean.network, whole.network)
    assert lean.cooperations.empty
    assert list(lean.cooperations.columns) == list(whole.cooperations.columns)


@pytest.mark.parametrize("kind", ["float", "int", "missing", "all_missing", "bool"])
def test_a_windows_mean_is_pandas_mean_to_the_last_bit(kind: str) -> None:
    """Measures average a series' recorded values on arrays (`series_mean`); pandas' mean
    of the same values, missing ones skipped, is the number they were defined by."""
    from calibration.measures import series_mean

    rng = np.random.default_rng(len(kind))
    for n in rng.integers(1, 500, size=300):
        values = {
            "float": rng.random(n) * 10.0 ** rng.integers(-3, 4),
            "int": rng.integers(0, 400, n),
            "missing": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            "all_missing": np.full(n, np.nan),
            "bool": rng.random(n) < 0.5,
        }[kind]
        ours, pandas = series_mean(values), float(pd.Series(values).mean())
        assert ours == pandas or (np.isnan(ours) and np.isnan(pandas))
