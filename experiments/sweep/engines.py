"""Where a sweep's runs go: this process, a local process pool, or a Dask cluster.

Each engine is a `concurrent.futures.Executor`, so the runner uses them alike. The local pool
uses the 'forkserver' start method where the platform has it ('spawn' elsewhere): 'fork' is
unsafe once the parent runs threads (tqdm's monitor, Dask's client), and 'forkserver' forks
each worker from a clean server that has already imported the model, so workers start in
milliseconds instead of re-importing everything as 'spawn' does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from experiments.sweep.worker import prepare
from scenarios.errors import InputError


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
    """A pool worker leaves Ctrl-C to the parent, which stops the sweep cleanly, and is made
    ready (`prepare`) before it takes runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare()


def _pool_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["experiments.sweep.worker"])
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
        prepare()
        return Engine(InlineExecutor(), 1, "in-process")
    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker)
    wait([pool.submit(_ready) for _ in range(workers)])  # start the workers before the clock
    return Engine(pool, workers, f"process pool ({workers} workers)")


def idle_engine() -> Engine:
    """The engine of a session with nothing left to run."""
    return Engine(InlineExecutor(), 1, "none")


def _ready() -> None:
    """A no-op task: running it on a worker imports this module, and with it the model."""


def _dask_engine(address: str) -> Engine:
    from distributed import Client

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError("--scheduler", f"cannot connect to {address} ({error})") from None
    threads = sum(client.nthreads().values()) or 1
    client.run(prepare)  # every worker ready: kernels loaded, libraries set aside (`prepare`)
    executor = client.get_executor(pure=False)
    # Warm up before the clock, as the pool does: one real task per thread through the same
    # path the runs take (the first task on a fresh worker costs over a second).
    wait([executor.submit(_ready) for _ in range(2 * threads)])
    return Engine(executor, threads, f"dask {address} ({threads} threads)", [client.close])
