"""The worker side of a sweep: run a batch of runs given as plain data, return plain data.

`run_batch` is a module-level function, so a process pool and a Dask cluster can both call
it; it needs nothing from the parent but its argument.
"""

from __future__ import annotations

import gc
import time
import traceback
from collections.abc import Callable

from scenarios.dotted import apply_overrides
from simulation import ScenarioConfig, run
from simulation.run import RunResult, warm_up

ID_KEYS = ("run_id", "scenario", "scenario_index", "point", "replicate")
"""What identifies a run in every stored table."""

_READY = False
"""Whether `prepare` made this process ready for runs."""


def run_batch(batch: dict) -> list[dict]:
    """Run a batch of runs of one scenario; each outcome is a row, series and a traceback.

    `batch` is plain data: {"config": resolved scenario config as a dict, "years": float or
    None, "timeseries_every": int, "runs": [{"run_id", "scenario", "scenario_index", "point",
    "replicate", "seed", "overrides"}, ...]}. A run that raises is returned as failed.
    An optional "measures" is a picklable callable RunResult -> {column: value}, whose values
    join each run's row (calibration uses it for its patterns). A run records only the
    series over time that are stored or that the measures read (`recording`).
    """
    base = ScenarioConfig.model_validate(batch["config"])
    measures = batch.get("measures")
    outcomes = [
        run_one(base, task, batch["years"], batch["timeseries_every"], measures)
        for task in batch["runs"]
    ]
    if _READY:  # a process made ready by `prepare`: free the batch's models
        gc.collect()
    return outcomes


def prepare() -> None:
    """Make this process ready to take runs: load the compiled kernels, then set what is
    alive now aside from the cycle collector (`gc.freeze`).

    A finished model is held in reference cycles (actors and their model, events and their
    handlers), so only a full collection frees it and its arrays. In a process with the
    libraries loaded, Python runs one rarely (each costs about 0.15 s), and a worker's memory
    grew by about 0.2 MB a run; with the libraries set aside, `run_batch` frees its models
    for well under a millisecond a batch.
    """
    global _READY
    warm_up()
    gc.collect()
    gc.freeze()
    _READY = True


def run_one(
    base: ScenarioConfig,
    task: dict,
    years: float | None,
    every: int,
    measures: Callable[[RunResult], dict] | None = None,
) -> dict:
    """One run: its row (summary outputs, extra measures, status, duration) and its series."""
    started = time.perf_counter()
    try:
        config = apply_overrides(base, task["overrides"])
        result = run(config, seed=task["seed"], years=years, **recording(every, measures))
        extra = measures(result) if measures is not None else {}
    except Exception as error:
        return failed(task, error, traceback.format_exc(), time.perf_counter() - started)
    ids = {k: task[k] for k in ID_KEYS}
    row = _row(task)
    summary = dict(result.summary)
    summary["scenario_name"] = summary.pop("scenario")
    summary.pop("seed", None)
    row.update(summary, **extra, status="ok", error=None, duration=time.perf_counter() - started)
    return {"row": row, "traceback": None, **_series(result, ids, every)}


def recording(every: int, measures: Callable[[RunResult], dict] | None) -> dict[str, bool]:
    """What a run records (`run`'s `weekly`, `network` and `cooperations`): the series over
    time when they are stored (`every` > 0), and what the measures read. Measures say what
    with a method `recording()` returning that dict; measures that do not are taken to read
    everything. The cooperation table is not stored: only measures need it."""
    if measures is not None and not hasattr(measures, "recording"):
        return {"weekly": True, "network": True, "cooperations": True}
    read = {"weekly": False, "network": False, "cooperations": False}
    if measures is not None:
        read = measures.recording()
    if every > 0:
        read = read | {"weekly": True, "network": True}
    return read


def _row(task: dict) -> dict:
    """A run's row before it ran: its ids, seed, ensemble member (if any) and the values of
    the design point (and of the member)."""
    member = {"ensemble_member": task["member"]} if "member" in task else {}
    return {**{k: task[k] for k in ID_KEYS}, "seed": task["seed"], **member, **task["overrides"]}


def failed(task: dict, error: BaseException, text: str, duration: float) -> dict:
    """The outcome of a run that raised: its row marked failed, the traceback, no series."""
    message = f"{type(error).__name__}: {error}".splitlines()[0]
    row = _row(task) | {"status": "failed", "error": message, "duration": duration}
    return {"row": row, "traceback": text, "timeseries": None, "network": None}


def _series(result, ids: dict, every: int) -> dict:
    if every <= 0:
        return {"timeseries": None, "network": None}
    weekly = result.timeseries
    weekly = weekly[weekly["week"] % every == 0]
    return {
        "timeseries": weekly.assign(**ids)[[*ids, *weekly.columns]],
        "network": result.network.assign(**ids)[[*ids, *result.network.columns]],
    }
