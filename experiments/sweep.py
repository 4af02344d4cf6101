"""Run an experiment: every scenario × design point × replicate, on any Executor, resumable.

The runner knows only `concurrent.futures.Executor`: in-process (`workers=1`), a local
process pool, or a Dask cluster (`distributed.Client(address).get_executor()`) plug in alike.
Tasks are small batches of runs given as plain data to `run_batch`, a module-level function;
a bounded number of batches is in flight, and each finished batch is written to the store at
once, so memory stays flat and a crash loses at most the batches in flight.

The local pool uses the 'forkserver' start method where the platform has it ('spawn'
elsewhere): 'fork' is unsafe once the parent runs threads (tqdm's monitor, Dask's client),
and 'forkserver' forks each worker from a clean server that has already imported the model,
so workers start in milliseconds instead of re-importing everything as 'spawn' does.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from experiments import manifest as provenance
from experiments.design import Design, build_design, run_seed
from experiments.spec import Spec, load_spec, scenario_configs
from experiments.store import Store
from scenarios.dotted import apply_overrides
from scenarios.errors import InputError
from simulation import ScenarioConfig, run
from simulation.run import warm_up

TARGET_TASK_SECONDS = 0.5
"""Aim for tasks of about this length: long enough to hide the per-task overhead."""
MAX_BATCH = 64


# ---------------------------------------------------------------- worker side (plain data)


def run_batch(batch: dict) -> list[dict]:
    """Run a batch of runs of one scenario; each outcome is a row, series and a traceback.

    `batch` is plain data: {"config": resolved scenario config as a dict, "years": float or
    None, "timeseries_every": int, "runs": [{"run_id", "scenario", "scenario_index", "point",
    "replicate", "seed", "overrides"}, ...]}. A run that raises is returned as failed.
    """
    base = ScenarioConfig.model_validate(batch["config"])
    return [
        run_one(base, task, batch["years"], batch["timeseries_every"]) for task in batch["runs"]
    ]


def run_one(base: ScenarioConfig, task: dict, years: float | None, every: int) -> dict:
    """One run: its row (summary outputs, status, duration) and its stored series."""
    started = time.perf_counter()
    try:
        config = apply_overrides(base, task["overrides"])
        result = run(config, seed=task["seed"], years=years)
    except Exception as error:
        return _failed(task, error, traceback.format_exc(), time.perf_counter() - started)
    ids = {k: task[k] for k in ID_KEYS}
    row = _row(task)
    summary = dict(result.summary)
    summary["scenario_name"] = summary.pop("scenario")
    summary.pop("seed", None)
    row.update(summary, status="ok", error=None, duration=time.perf_counter() - started)
    return {"row": row, "traceback": None, **_series(result, ids, every)}


ID_KEYS = ("run_id", "scenario", "scenario_index", "point", "replicate")
"""What identifies a run in every stored table."""


def _row(task: dict) -> dict:
    """A run's row before it ran: its ids, seed and the design point's values."""
    return {**{k: task[k] for k in ID_KEYS}, "seed": task["seed"], **task["overrides"]}


def _failed(task: dict, error: BaseException, text: str, duration: float) -> dict:
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


# ------------------------------------------------------------------------- engines


class InlineExecutor(Executor):
    """Runs each task in this process when it is submitted: `--workers 1`, no pool."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


def _start_worker() -> None:
    """A pool worker leaves Ctrl-C to the parent, which stops the sweep cleanly, and loads
    the compiled kernels before it takes runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def _pool_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["experiments.sweep"])
        return context
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@dataclass
class Engine:
    """An executor, how many runs it runs at once, and how to let it go."""

    executor: Executor
    slots: int
    label: str
    close: list = field(default_factory=list)

    def shutdown(self, cancel: bool = False) -> None:
        if cancel and isinstance(self.executor, ProcessPoolExecutor | InlineExecutor):
            self.executor.shutdown(wait=False, cancel_futures=True)
        else:
            self.executor.shutdown(wait=not cancel)  # Dask's executor cancels on its own
        for close in self.close:
            close()


def make_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """In-process for one worker, a local process pool, or a Dask cluster's executor."""
    if scheduler:
        return _dask_engine(scheduler)
    workers = workers or default_workers()
    if workers == 1:
        warm_up()
        return Engine(InlineExecutor(), 1, "in-process")
    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker)
    wait([pool.submit(_ready) for _ in range(workers)])  # start the workers before the clock
    return Engine(pool, workers, f"process pool ({workers} workers)")


def _ready() -> None:
    """A no-op task: running it on a worker imports this module, and with it the model."""


def _dask_engine(address: str) -> Engine:
    from distributed import Client

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError("--scheduler", f"cannot connect to {address} ({error})") from None
    threads = sum(client.nthreads().values()) or 1
    client.run(warm_up)  # on every worker: load the compiled kernels
    executor = client.get_executor(pure=False)
    # Warm up before the clock, as the pool does: one real task per thread through the same
    # path the runs take (the first task on a fresh worker costs over a second).
    wait([executor.submit(_ready) for _ in range(2 * threads)])
    return Engine(executor, threads, f"dask {address} ({threads} threads)", [client.close])


# ------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """Everything a sweep runs, resolved before any run starts."""

    spec: Spec
    source: str
    configs: list[dict]
    design: Design
    tasks: list[dict]

    @property
    def total(self) -> int:
        return len(self.tasks)


def plan(spec: Spec | str | Path) -> Plan:
    """Validate the spec against the scenarios, build the design, list every run."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    configs = scenario_configs(spec)
    design = build_design(spec, configs[0])
    tasks = [
        {
            "run_id": f"s{s}-p{p}-r{r}",
            "scenario": label,
            "scenario_index": s,
            "point": p,
            "replicate": r,
            "seed": run_seed(spec.experiment.seed, p, r),
            "overrides": point,
        }
        for s, label in enumerate(spec.experiment.scenarios)
        for p, point in enumerate(design.points)
        for r in range(spec.experiment.replications)
    ]
    return Plan(spec, spec._source, [c.model_dump(mode="json") for c in configs], design, tasks)


# ------------------------------------------------------------------------- the runner


@dataclass
class SweepStats:
    """What one call of run_sweep did; `seconds` from the engine's start to the last result."""

    out: Path
    total: int
    skipped: int = 0
    ran: int = 0
    failed: int = 0
    failed_total: int = 0
    seconds: float = 0.0
    startup: float = 0.0
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
) -> SweepStats:
    """Run (or resume) a sweep into `out`; return what was done.

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
    engine = make_engine(workers, scheduler) if todo else Engine(InlineExecutor(), 1, "none")
    stats.engine, stats.startup = engine.label, time.perf_counter() - started
    started = time.perf_counter()
    try:
        _execute(the_plan, todo, engine, store, stats, quiet)
        engine.shutdown()
    except KeyboardInterrupt:
        stats.interrupted = True
        engine.shutdown(cancel=True)
    finally:
        stats.seconds = time.perf_counter() - started
        stats.failed_total = sum(s == "failed" for s in store.stored_status().values())
        provenance.close_manifest(store, manifest, stats)
    return stats


def _todo(store: Store, the_plan: Plan, retry_failed: bool) -> tuple[list[dict], int]:
    stored = store.stored_status()
    keep = {"ok"} if retry_failed else {"ok", "failed"}
    todo = [t for t in the_plan.tasks if stored.get(t["run_id"]) not in keep]
    return todo, the_plan.total - len(todo)


def _execute(
    the_plan: Plan, todo: list[dict], engine: Engine, store: Store, stats: SweepStats, quiet: bool
) -> None:
    pending = deque(todo)
    in_flight: dict[Future, list[dict]] = {}
    sizer = BatchSizer(engine.slots)
    with _progress(the_plan.total, stats.skipped, quiet) as bar:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * engine.slots:
                batch = _take(pending, sizer.size(len(pending)))
                in_flight[_submit(engine, the_plan, batch)] = batch
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


def _submit(engine: Engine, the_plan: Plan, batch: list[dict]) -> Future:
    payload = {
        "config": the_plan.configs[batch[0]["scenario_index"]],
        "years": the_plan.spec.experiment.years,
        "timeseries_every": the_plan.spec.outputs.timeseries_every,
        "runs": batch,
    }
    return engine.executor.submit(run_batch, payload)


def _outcomes(future: Future, batch: list[dict]) -> list[dict]:
    """The batch's outcomes; if the task itself died, every run of it failed."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception as error:
        text = "".join(traceback.format_exception(error))
        return [_failed(task, error, text, 0.0) for task in batch]


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
