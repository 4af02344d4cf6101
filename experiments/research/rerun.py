"""Re-running stored runs with an observer, to measure what the stored outputs do not hold.

A stored run is reproduced exactly from its manifest entry (the scenario's resolved config),
the parameter set it drew from a calibrated ensemble, its factor levels and its seed; an
observer reads the model before each week and after the last (`simulation.run.simulate`'s
`observe`), so the re-run gives the same results as the stored one. Observers are plain
classes (picklable), built in the worker from their class and keyword arguments; `result()`
returns what they measured, as plain data. Runs are spread over a process pool (the sweep
engine's), or run in this process with one worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import as_completed
from typing import Any, Protocol

import numpy as np
import pandas as pd

from experiments.sweep.engines import make_engine
from experiments.sweep.ensemble import load_ensemble
from experiments.sweep.results import SweepResults
from scenarios.dotted import apply_overrides
from simulation import ScenarioConfig
from simulation.model import NeighbourhoodModel
from simulation.run import simulate


class Observer(Protocol):
    """Reads the model each week (`__call__`) and returns its measures (`result`)."""

    def __call__(self, model: NeighbourhoodModel) -> None: ...

    def result(self, model: NeighbourhoodModel) -> Any: ...


def run_config(results: SweepResults, run: pd.Series) -> ScenarioConfig:
    """The resolved config of a stored run: its scenario's, with the parameter set it drew
    from a calibrated ensemble (if any) and its factor levels applied."""
    index = int(run["scenario_index"])
    config = ScenarioConfig.model_validate(results.manifest["scenarios"][index]["config"])
    keys = [*member_keys(results.manifest, index, run), *results.manifest["design"]["factors"]]
    return apply_overrides(config, {key: _plain(run[key]) for key in keys})


def member_keys(manifest: dict, index: int, run: pd.Series) -> list[str]:
    """The keys of the ensemble set a stored run drew (none if it drew none); its row holds
    their values (a design factor's level where a factor sets the same key)."""
    ensembles = manifest.get("ensembles") or []
    described = ensembles[index] if index < len(ensembles) else None
    if described is None or pd.isna(run.get("ensemble_member", np.nan)):
        return []
    if "keys" in described:
        return list(described["keys"])
    return load_ensemble(described["path"]).keys  # a sweep stored before keys were recorded


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def observe_run(config: dict, seed: int, years: float, observer: type, kwargs: dict) -> Any:
    """One re-run in a worker: the model stepped with the observer; its result."""
    watcher = observer(**kwargs)
    model = simulate(ScenarioConfig.model_validate(config), seed, years, observe=watcher)
    return watcher.result(model)


def rerun(
    results: SweepResults,
    runs: pd.DataFrame,
    years: float,
    observer: type,
    kwargs: dict | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Re-run `runs` (rows of the stored runs table) for `years` with a fresh `observer(**kwargs)`
    each; returns run_id -> the observer's result."""
    tasks = [
        (str(run["run_id"]), run_config(results, run).model_dump(), int(run["seed"]))
        for _, run in runs.iterrows()
    ]
    return dict(_map(tasks, years, observer, kwargs or {}, workers))


def _map(
    tasks: list[tuple[str, dict, int]], years: float, observer: type, kwargs: dict, workers
) -> Iterable[tuple[str, Any]]:
    if not tasks:
        return []
    engine = make_engine(min(workers or 2, len(tasks)))
    try:
        futures = {
            engine.executor.submit(observe_run, config, seed, years, observer, kwargs): run_id
            for run_id, config, seed in tasks
        }
        return [(futures[f], f.result()) for f in as_completed(futures)]
    finally:
        engine.shutdown()
