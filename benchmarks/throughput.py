"""Measure the sweep engine: speed-up of 2 workers over 1, Dask over the local pool, memory.

    python -m benchmarks.throughput [--runs 40] [--years 2] [--memory-runs 1000]

prints one JSON object. The benchmark suite calls `speedup_2_workers()` and
`dask_overhead_ratio()` directly; each builds its spec in code and sweeps into a temporary
directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.loopback import loopback_cluster
from experiments.sweep.runner import SweepStats, run_sweep
from experiments.sweep.spec import Spec, spec_from_dict

SMALL_WORLD = {
    "actors.counts.residents": 8,
    "actors.counts.civil_society": 4,
    "actors.counts.public": 3,
    "actors.counts.housing": 1,
    "actors.counts.business": 3,
}


def throughput_spec(runs: int = 40, years: float = 2, small: bool = False) -> Spec:
    """`runs` runs of the self-organised preset (full size, or a 19-actor world)."""
    return spec_from_dict({
        "experiment": {"name": "throughput", "scenarios": ["self_organised"], "years": years,
                       "replications": runs, "seed": 1},
        "fixed": SMALL_WORLD if small else {},
        "outputs": {"timeseries_every": 4},
    })  # fmt: skip


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_ceiling(tasks: int = 8, n: int = 2_000_000) -> float:
    """Speed-up of 2 processes over 1 on pure-Python busy work: what the machine allows now.

    On an idle 2-core machine it is ~2; when other programs load the cores it drops, and
    the sweep's speed-up cannot beat it.
    """
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    for _ in range(tasks):
        _burn(n)
    one = time.perf_counter() - started
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [1, 1]))
        started = time.perf_counter()
        list(pool.map(_burn, [n] * tasks))
        two = time.perf_counter() - started
    return one / two


def timed_sweep(spec: Spec, **engine) -> SweepStats:
    """Sweep `spec` into a fresh temporary directory on the given engine."""
    with tempfile.TemporaryDirectory() as tmp:
        return run_sweep(spec, Path(tmp) / "out", quiet=True, **engine)


def speedup_2_workers(runs: int = 40, years: float = 2) -> dict[str, float]:
    """Runs per second with 1 worker (in-process) and with a pool of 2, and their ratio."""
    spec = throughput_spec(runs, years)
    one = timed_sweep(spec, workers=1)
    two = timed_sweep(spec, workers=2)
    return {
        "runs_per_second_1_worker": one.runs_per_second,
        "runs_per_second_2_workers": two.runs_per_second,
        "speedup_2_workers": two.runs_per_second / one.runs_per_second,
        "pool_startup_seconds": two.startup,
    }


def dask_overhead_ratio(runs: int = 40, years: float = 2, workers: int = 2) -> dict[str, float]:
    """Seconds of the same sweep on a loopback Dask cluster over the local pool."""
    spec = throughput_spec(runs, years)
    pool = timed_sweep(spec, workers=workers)
    with loopback_cluster(workers=workers) as address:
        dask = timed_sweep(spec, scheduler=address)
    return {
        "pool_seconds": pool.seconds,
        "dask_seconds": dask.seconds,
        "dask_overhead_ratio": dask.seconds / pool.seconds,
    }


def peak_memory(runs: int = 1000, years: float = 1, workers: int = 2) -> dict[str, float]:
    """Peak memory of this process plus its children while sweeping `runs` short runs: the
    sum of resident set sizes (RSS, counting pages that forked processes share once per
    process) and of proportional set sizes (PSS, each shared page split among its sharers:
    the memory the sweep really takes)."""
    import psutil

    me = psutil.Process()
    peak, done = {"rss": 0, "pss": 0}, threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = {"rss": 0, "pss": 0}
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    info = process.memory_full_info()
                    total["rss"] += info.rss
                    total["pss"] += getattr(info, "pss", info.rss)  # PSS: Linux only
            for key in peak:
                peak[key] = max(peak[key], total[key])
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stats = timed_sweep(throughput_spec(runs, years, small=True), workers=workers)
    done.set()
    sampler.join()
    return {"memory_runs": stats.ran, "memory_seconds": stats.seconds,
            "peak_rss_mb": peak["rss"] / 2**20, "peak_pss_mb": peak["pss"] / 2**20}  # fmt: skip


def sweep_figures(runs: int, years: float) -> dict[str, float]:
    """The machine's two-process ceiling, the 2-worker speed-up and the Dask ratio."""
    return {"cpu_ceiling_2_processes": cpu_ceiling(),
            **speedup_2_workers(runs, years), **dask_overhead_ratio(runs, years)}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument("--memory-runs", type=int, default=1000)
    args = parser.parse_args(argv)
    figures = sweep_figures(args.runs, args.years)
    if args.memory_runs:
        figures.update(peak_memory(args.memory_runs))
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}, indent=2))


if __name__ == "__main__":
    main()
