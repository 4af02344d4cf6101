"""A real Dask scheduler and workers on 127.0.0.1, started as subprocesses and stopped by pid.

For tests and benchmarks of the Dask engine on one machine:

    with loopback_cluster(workers=2) as address:
        run_sweep(spec, out, scheduler=address)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


QUIET_WORKERS = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
    "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
    "DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "False",
}
"""Settings for the loopback processes, which share the cores with the runs. Dask's
statistical profiler samples every worker thread each 10 ms, which costs a run's thread the
GIL often enough to slow runs markedly; the event-loop tick, the system and memory monitors
wake less often, and the scheduler does not steal work (the tasks are uniform)."""


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **QUIET_WORKERS},
    )


def stop(process: subprocess.Popen) -> None:
    """Stop a process started here, with its own children (its process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def loopback_cluster(workers: int = 1, timeout: float = 60) -> Iterator[str]:
    """Yield the address of a scheduler with `workers` single-threaded workers on loopback.

    Each worker is its own process without a nanny, so that fewer processes share a small
    machine's cores with the runs (see docs/SWEEPS.md)."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = ["scheduler", "--host", "127.0.0.1", "--port", port]
    worker = ["worker", address, "--nthreads", "1", "--no-nanny"]
    processes = [_start([dask, *scheduler, "--dashboard-address", "127.0.0.1:0"])]
    try:
        for _ in range(workers):
            processes.append(_start([dask, *worker, "--host", "127.0.0.1", "--no-dashboard"]))
        with Client(address, timeout=f"{timeout}s") as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)
