"""Run a sweep: every scenario × design point × replicate, on any Executor, resumable.

The runner knows only `concurrent.futures.Executor` (experiments.sweep.engines): in-process,
a local process pool, or a Dask cluster plug in alike. Tasks are small batches of runs given
as plain data to `experiments.sweep.worker.run_batch`; a bounded number of batches is in
flight, and each finished batch is written to the store at once, so memory stays flat and a
crash loses at most the batches in flight.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from experiments.sweep import manifest as provenance
from experiments.sweep.engines import Engine, idle_engine, make_engine
from experiments.sweep.plan import Plan, plan
from experiments.sweep.spec import Spec
from experiments.sweep.store import Store
from experiments.sweep.worker import failed, run_batch
from simulation.run import RunResult

TARGET_TASK_SECONDS = 0.5
"""Aim for tasks of about this length: long enough to hide the per-task overhead."""
MAX_BATCH = 64


@dataclass
class SweepStats:
    """What one call of run_sweep did; `seconds` from the engine's start to the last result
    (the merge of the stored parts afterwards takes `merge_seconds`)."""

    out: Path
    total: int
    skipped: int = 0
    ran: int = 0
    failed: int = 0
    failed_total: int = 0
    seconds: float = 0.0
    startup: float = 0.0
    merge_seconds: float = 0.0
    engine: str = ""
    interrupted: bool = False

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else 0.0


class BatchSizer:
    """Choose how many runs go into a task from the mean run time measured so far."""

    def __init__(self, slots: int, target: float = TARGET_TASK_SECONDS) -> None:
        self.slots = slots
        self.target = target
        self.seconds = 0.0
        self.runs = 0

    def observe(self, durations: list[float]) -> None:
        self.seconds += sum(durations)
        self.runs += len(durations)

    def size(self, remaining: int) -> int:
        """1 until a run time is known; then ~target seconds, at most a fair tail share."""
        if self.runs == 0:
            return 1
        mean = max(self.seconds / self.runs, 1e-4)
        fair = math.ceil(remaining / (2 * self.slots))
        return max(1, min(round(self.target / mean), MAX_BATCH, fair))


def run_sweep(
    spec: Spec | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    quiet: bool = False,
    command: str | None = None,
    measures: Callable[[RunResult], dict] | None = None,
) -> SweepStats:
    """Run (or resume) a sweep into `out`; return what was done.

    `measures`, if given, is a picklable callable whose values (computed from each run's
    RunResult on the worker) join the run's row; the caller keeps it the same on resume.

    Raises InputError for a bad spec, an unusable `out`, or a spec that differs from the one
    stored in `out`; KeyboardInterrupt is caught: finished runs stay stored and the returned
    stats say `interrupted`.
    """
    the_plan = plan(spec)
    store = Store(out)
    manifest = provenance.open_manifest(store, the_plan, resume or retry_failed, command)
    todo, skipped = _todo(store, the_plan, retry_failed)
    stats = SweepStats(Path(out), the_plan.total, skipped=skipped)
    started = time.perf_counter()
    engine = make_engine(workers, scheduler) if todo else idle_engine()
    stats.engine, stats.startup = engine.label, time.perf_counter() - started
    started, finished = time.perf_counter(), None
    try:
        _execute(the_plan, todo, engine, store, stats, quiet, measures)
        engine.shutdown()
        finished = time.perf_counter()
        store.compact()
        stats.merge_seconds = time.perf_counter() - finished
    except KeyboardInterrupt:
        stats.interrupted = True
        engine.shutdown(cancel=True)
    finally:
        stats.seconds = (finished or time.perf_counter()) - started
        stats.failed_total = sum(s == "failed" for s in store.stored_status().values())
        provenance.close_manifest(store, manifest, stats)
    return stats


def _todo(store: Store, the_plan: Plan, retry_failed: bool) -> tuple[list[dict], int]:
    stored = store.stored_status()
    keep = {"ok"} if retry_failed else {"ok", "failed"}
    todo = [t for t in the_plan.tasks if stored.get(t["run_id"]) not in keep]
    return todo, the_plan.total - len(todo)


def _execute(
    the_plan: Plan,
    todo: list[dict],
    engine: Engine,
    store: Store,
    stats: SweepStats,
    quiet: bool,
    measures: Callable[[RunResult], dict] | None = None,
) -> None:
    pending = deque(todo)
    in_flight: dict[Future, list[dict]] = {}
    sizer = BatchSizer(engine.slots)
    with _progress(the_plan.total, stats.skipped, quiet) as bar:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * engine.slots:
                batch = _take(pending, sizer.size(len(pending)))
                in_flight[_submit(engine, the_plan, batch, measures)] = batch
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                outcomes = _outcomes(future, in_flight.pop(future))
                _record(store, outcomes, stats)
                sizer.observe([o["row"]["duration"] for o in outcomes])
                bar.update(len(outcomes))
                bar.set_postfix(failed=stats.failed, refresh=False)


def _take(pending: deque, size: int) -> list[dict]:
    """Up to `size` runs of the same scenario from the front of the queue."""
    batch = [pending.popleft()]
    while (
        pending and len(batch) < size and pending[0]["scenario_index"] == batch[0]["scenario_index"]
    ):
        batch.append(pending.popleft())
    return batch


def _submit(
    engine: Engine, the_plan: Plan, batch: list[dict], measures: Callable | None = None
) -> Future:
    payload = {
        "config": the_plan.configs[batch[0]["scenario_index"]],
        "years": the_plan.spec.experiment.years,
        "timeseries_every": the_plan.spec.outputs.timeseries_every,
        "runs": batch,
    }
    if measures is not None:
        payload["measures"] = measures
    return engine.executor.submit(run_batch, payload)


def _outcomes(future: Future, batch: list[dict]) -> list[dict]:
    """The batch's outcomes; if the task itself died, every run of it failed."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception as error:
        text = "".join(traceback.format_exception(error))
        return [failed(task, error, text, 0.0) for task in batch]


def _record(store: Store, outcomes: list[dict], stats: SweepStats) -> None:
    for outcome in outcomes:
        run_id = outcome["row"]["run_id"]
        if outcome["traceback"]:
            store.write_failure(run_id, outcome["traceback"])
        else:
            store.clear_failure(run_id)
    store.write_batch(
        [o["row"] for o in outcomes],
        {t: [o[t] for o in outcomes] for t in ("timeseries", "network")},
    )
    stats.ran += len(outcomes)
    stats.failed += sum(o["traceback"] is not None for o in outcomes)


@contextmanager
def _progress(total: int, initial: int, quiet: bool) -> Iterator[tqdm]:
    bar = tqdm(
        total=total,
        initial=initial,
        unit="run",
        disable=quiet,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
    )
    try:
        yield bar
    finally:
        bar.close()
