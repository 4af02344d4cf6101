"""Calibration at scale: a prior sample of many 20-year runs of a shipped targets file, on a
local process pool or a loopback Dask cluster; wall time, runs/s, peak memory and a digest of
the accepted sets (equal digests: the same calibration on both engines).

    python -m benchmarks.calibration --samples 5000 --replicates 2          # 10,000 runs, pool
    python -m benchmarks.calibration --samples 5000 --replicates 2 --dask 2 # loopback Dask
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.loopback import loopback_cluster
from calibration.calibrate import calibrate
from calibration.rejection import read_prior
from calibration.targets import TARGETS, check, resolve_path, shown, targets_from_dict
from scenarios.files import read_toml

SAMPLE_SECONDS = 1.0
"""How often `peak_memory` samples. Reading a process's PSS walks its page tables: at five
samples a second of five processes the sampler took about a tenth of a core from the runs it
measures; the memory of a calibration changes over minutes, not within a second."""


@contextlib.contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """Sample the summed RSS and PSS of this process and its children every
    `SAMPLE_SECONDS`."""
    import psutil

    me, peak, done = psutil.Process(), {"rss": 0.0, "pss": 0.0}, threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = {"rss": 0.0, "pss": 0.0}
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    info = process.memory_full_info()
                    total["rss"] += info.rss
                    total["pss"] += getattr(info, "pss", info.rss)
            for key in peak:
                peak[key] = max(peak[key], total[key] / 2**20)
            done.wait(SAMPLE_SECONDS)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def checked_targets(name: str, samples: int, replicates: int, years: float | None):
    """A shipped targets file with the benchmark's budget and no predictive checks; with
    shorter runs, the patterns measured after their end are left out."""
    path = resolve_path(name)
    data = read_toml(path, TARGETS)
    data["method"].update(samples=samples, replicates=replicates)
    data["checks"] = {"runs": 0}
    if years is not None:
        data["calibration"]["years"] = years
        data["patterns"] = {
            name: p
            for name, p in data["patterns"].items()
            if max(p.get("window", [0, 0])[1], p.get("at_year", 0)) <= years
        }
    return check(targets_from_dict(data, source=shown(path), base=path.parent))


def measure(args: argparse.Namespace, out: Path) -> dict[str, object]:
    checked = checked_targets(args.targets, args.samples, args.replicates, args.years)
    with peak_memory() as peak, contextlib.ExitStack() as stack:
        engine = {"workers": args.workers}
        if args.dask:
            engine = {"scheduler": stack.enter_context(loopback_cluster(args.dask))}
        started = time.perf_counter()
        outcome = calibrate(checked, out, quiet=True, command="benchmark", **engine)
        seconds = time.perf_counter() - started
    runs, sets = read_prior(checked, out / "prior")
    accepted = sets[[c for c in sets.columns if not c.endswith(".sd")]]
    digest = hashlib.sha256(accepted.to_csv(index=False).encode()).hexdigest()
    durations = runs["duration"]
    return {
        "engine": f"dask loopback ({args.dask} workers)" if args.dask else f"pool ({args.workers})",
        "runs": len(runs),
        "seconds": round(seconds, 1),
        "runs_per_second": round(len(runs) / seconds, 2),
        "mean_run_seconds": round(float(durations.mean()), 3),
        "cpu_seconds_in_runs": round(float(durations.sum()), 1),
        "peak_rss_mb": round(peak["rss"]),
        "peak_pss_mb": round(peak["pss"]),
        "sets_accepted": int(outcome.lines[0].split(": ")[1].split()[0]),
        "sets_digest": digest[:16],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="self_organised")
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--replicates", type=int, default=2)
    parser.add_argument("--years", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", type=int, default=0, help="loopback Dask workers (0: pool)")
    parser.add_argument("--out", type=Path, default=None, help="keep the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "calibration"
        print(json.dumps(measure(args, out), indent=2))


if __name__ == "__main__":
    main()
