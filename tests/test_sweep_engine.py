"""The sweep engine with real processes: crash and resume, engines agree, failures, Ctrl-C.

Small worlds (about 20 actors, one year) keep each run near 50 ms. The failing run is
injected honestly: a factor value the configuration rejects (a tie decay of 2 per month,
allowed range 0–1) makes those runs fail when their config is built, as a user's mistake would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments
from benchmarks.loopback import loopback_cluster
from experiments.research.rerun import rerun
from experiments.sweep.ensemble import write_ensemble
from experiments.sweep.results import load
from experiments.sweep.runner import run_sweep
from simulation.cooperations import COMPLETED

SMALL = """
[experiment]
name = "small"
scenarios = ["programme_funded", "self_organised"]
years = {years}
replications = {reps}
seed = 11

[design]
kind = "grid"

[factors]
"ties.decay_per_month" = {decays}

[fixed]
warmup_years = 0
"actors.counts.residents" = 8
"actors.counts.civil_society" = 4
"actors.counts.public" = 3
"actors.counts.housing" = 1
"actors.counts.business" = 3

[outputs]
timeseries_every = 4
"""


def write_spec(path: Path, reps: int = 2, decays: str = "[0.02, 0.08]", years: int = 1) -> Path:
    path.write_text(SMALL.format(reps=reps, decays=decays, years=years), encoding="utf-8")
    return path


def quartier(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def start_sweep(spec: Path, out: Path, **popen) -> subprocess.Popen:
    """A 2-worker sweep in its own process group, SIGINT at its default as at a terminal (a
    shell running the suite in the background, as CI does, starts it with SIGINT ignored,
    and an ignored signal stays ignored across exec)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quartier",
            "sweep",
            str(spec),
            "--out",
            str(out),
            "--workers",
            "2",
            "--quiet",
        ],
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **popen,
    )


def comparable(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs (without wall-clock durations) and time series of a sweep directory."""
    results = experiments.load(directory)
    return results.runs.drop(columns=["duration"]), results.timeseries


def assert_same(a: Path, b: Path) -> None:
    runs_a, series_a = comparable(a)
    runs_b, series_b = comparable(b)
    assert runs_a["run_id"].is_unique and runs_b["run_id"].is_unique
    pd.testing.assert_frame_equal(runs_a, runs_b)
    pd.testing.assert_frame_equal(series_a, series_b)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """A spec of 2 scenarios × 2 points × 6 replicates, swept in-process without interruption."""
    root = tmp_path_factory.mktemp("reference")
    spec = write_spec(root / "spec.toml", reps=6, years=10)  # long enough to kill midway
    stats = run_sweep(spec, root / "out", workers=1, quiet=True)
    assert stats.ran == 24 and stats.failed == 0
    return spec, root / "out"


@pytest.fixture(scope="module")
def dask_cluster():
    """A real Dask scheduler and one single-threaded worker on 127.0.0.1, stopped by pid."""
    with loopback_cluster(workers=1) as address:
        yield address


@pytest.mark.slow
def test_serial_pool_and_dask_give_identical_results(reference, dask_cluster, tmp_path):
    spec, serial = reference
    pool = run_sweep(spec, tmp_path / "pool", workers=2, quiet=True)
    dask = run_sweep(spec, tmp_path / "dask", scheduler=dask_cluster, quiet=True)
    assert pool.ran == dask.ran == 24
    assert "dask" in dask.engine and "pool" in pool.engine
    assert_same(serial, tmp_path / "pool")
    assert_same(serial, tmp_path / "dask")


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_sweep(reference, tmp_path):
    spec, serial = reference
    out = tmp_path / "out"
    sweep = start_sweep(spec, out)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "runs").glob("part-*.parquet"))) < 2:
            assert sweep.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(sweep.pid, signal.SIGKILL)
    finally:
        sweep.wait(timeout=30)
    stored = len(experiments.load(out).runs)
    assert 0 < stored < 24
    done = quartier("sweep", str(spec), "--out", str(out), "--resume", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert f"{stored} already stored" in done.stdout
    assert_same(serial, out)
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", reps=20, years=5)  # long enough to interrupt
    out = tmp_path / "out"
    sweep = start_sweep(spec, out, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((out / "runs").glob("part-*.parquet")):
        assert sweep.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(sweep.pid, signal.SIGINT)
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    interrupted = experiments.load(out)
    assert interrupted.manifest["sessions"][-1]["outcome"] == "interrupted"
    assert 0 < len(interrupted.runs) < 80
    done = quartier("sweep", str(spec), "--out", str(out), "--resume", "--quiet")
    assert done.returncode == 0, done.stderr
    runs = experiments.load(out).runs
    assert runs["run_id"].is_unique and len(runs) == 80 and (runs["status"] == "ok").all()


@pytest.mark.slow
def test_failing_runs_are_recorded_and_the_others_finish(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", reps=2, decays="[0.05, 2.0]")
    out = tmp_path / "out"
    done = quartier("sweep", str(spec), "--out", str(out), "--workers", "2")
    assert done.returncode == 1
    assert "4 of 8 runs failed" in done.stderr and "--retry-failed" in done.stderr
    runs = experiments.load(out).runs
    assert runs["status"].value_counts().to_dict() == {"ok": 4, "failed": 4}
    failed = runs[runs["status"] == "failed"]
    assert (failed["ties.decay_per_month"] == 2.0).all()
    assert failed["error"].str.startswith("ValidationError").all()
    tracebacks = sorted((out / "failures").glob("*.txt"))
    assert [p.stem for p in tracebacks] == sorted(failed["run_id"])
    assert "Traceback (most recent call last)" in tracebacks[0].read_text()
    summary = quartier("results", str(out), "--csv", str(tmp_path / "runs.csv"))
    assert summary.returncode == 0 and "4 failed, 4 ok" in summary.stdout
    assert len(pd.read_csv(tmp_path / "runs.csv")) == 8
    again = run_sweep(spec, out, workers=1, retry_failed=True, quiet=True)
    assert again.ran == 4 and again.skipped == 4 and again.failed_total == 4


def test_resume_refuses_a_changed_spec_and_an_existing_dir(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", reps=1, decays="[0.05]")
    out = tmp_path / "out"
    assert run_sweep(spec, out, workers=1, quiet=True).ran == 2
    again = quartier("sweep", str(spec), "--out", str(out))
    assert again.returncode == 2 and "add --resume" in again.stderr
    resumed = run_sweep(spec, out, workers=1, resume=True, quiet=True)
    assert resumed.ran == 0 and resumed.skipped == 2
    write_spec(spec, reps=2, decays="[0.05]")
    changed = quartier("sweep", str(spec), "--out", str(out), "--resume")
    assert changed.returncode == 2
    assert changed.stderr.count("\n") == 1 and "different spec" in changed.stderr
    assert "Traceback" not in changed.stderr


class _Completed:
    """An observer of re-runs: the cooperations completed by the end."""

    def __call__(self, model) -> None:
        pass

    def result(self, model) -> int:
        return int(model.cooperations.totals[COMPLETED])


def test_a_rerun_reproduces_a_stored_run_with_its_ensemble_set_and_factor_level(tmp_path):
    """Re-runs (for measures the stored outputs lack) use the parameter set the run drew
    from its ensemble as well as its factor level, so they are the stored run."""
    ensemble = write_ensemble(
        tmp_path / "sets",
        pd.DataFrame({"cooperation.idea_rate": [0.004, 0.06], "ties.decay_per_month": [0.5, 0.5]}),
        np.array([1.0, 1.0]),
        {},
    )
    text = write_spec(tmp_path / "s.toml", reps=3).read_text(encoding="utf-8")
    text = text.replace("seed = 11\n", f'seed = 11\nensemble = "{ensemble.as_posix()}"\n')
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    run_sweep(tmp_path / "s.toml", tmp_path / "out", workers=1, quiet=True)
    results = load(tmp_path / "out")
    runs = results.runs
    assert set(runs["ensemble_member"]) == {0, 1}
    assert set(runs["ties.decay_per_month"]) == {0.02, 0.08}  # the factor wins
    again = rerun(results, runs, 1.0, _Completed, workers=1)
    stored = dict(zip(runs["run_id"], runs["completed"], strict=True))
    assert again == stored and len(set(stored.values())) > 2


FREEING = """
import gc, sys
from experiments.sweep.worker import prepare, run_batch
from scenarios import load
from simulation.model import NeighbourhoodModel
from simulation.run import warm_up
ready = sys.argv[1] == "prepared"
prepare() if ready else warm_up()
gc.collect()
gc.disable()  # no collection of Python's own choosing: only the batch's may free a model
config = load("self_organised").model_copy(update={"warmup_years": 0}).model_dump(mode="json")
tasks = [
    {"run_id": i, "scenario": "s", "scenario_index": 0, "point": 0, "replicate": i, "seed": i,
     "overrides": {}}
    for i in range(3)
]
rows = run_batch({"config": config, "years": 0.25, "timeseries_every": 0, "runs": tasks})
assert all(r["row"]["status"] == "ok" for r in rows)
print(sum(isinstance(o, NeighbourhoodModel) for o in gc.get_objects()))
"""


@pytest.mark.parametrize(("how", "models_left"), [("prepared", 0), ("not prepared", 3)])
def test_a_worker_made_ready_frees_its_batches_models(how, models_left):
    """A finished model lives in reference cycles; a worker made ready (`prepare`) frees the
    models of each batch when it ends, where a plain process keeps them until a full
    collection, so a long sweep's workers would grow with every run."""
    done = subprocess.run(
        [sys.executable, "-c", FREEING, how], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) == models_left
