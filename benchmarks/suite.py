"""Quartier's performance benchmarks, each measured side by side in one run.

Run on demand (`make bench`, `python -m benchmarks [--json] [--quick]`), never in the test
suite: timings depend on the machine and its load. Ratios compare measurements taken in the
same run, so they travel between machines better than seconds do.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import scenarios
from scenarios.dotted import apply_overrides
from scenarios.scaling import scale_counts
from simulation import NeighbourhoodModel, ScenarioConfig, run
from simulation.config import WEEKS_PER_YEAR

REFERENCE = Path(__file__).with_name("reference_summary.json")
DEFAULT_SCENARIO = "self_organised"


@dataclass
class Settings:
    """How much to measure: `quick` for a smoke run, the default for the recorded table."""

    quick: bool = False

    @property
    def repeats(self) -> int:
        return 2 if self.quick else 5

    @property
    def timing_repeats(self) -> int:
        """Fresh models per stepping and scaling measurement (their median is reported)."""
        return 1 if self.quick else 5

    @property
    def stepping_weeks(self) -> int:
        return 52 if self.quick else 260

    @property
    def scaling_sizes(self) -> tuple[int, ...]:
        return (500, 1000) if self.quick else (500, 1000, 2000, 5000)

    @property
    def memory_years(self) -> float:
        return 1 if self.quick else 20

    @property
    def sweep_runs(self) -> int:
        return 8 if self.quick else 40


def scaled(actors: int, name: str = DEFAULT_SCENARIO) -> ScenarioConfig:
    """The default scenario with `actors` actors in the same sector mix and per-actor densities.

    Initial ties per actor stay as they are and meeting capacity grows with size, so each actor
    meets as many others as before. The residents' initiative keeps its size: it is one group
    whose members all know each other, and scaling it would make a clique of quadratic size.
    """
    base = scenarios.load(name)
    factor = actors / sum(base.actors.counts.values())
    overrides: dict[str, object] = {"actors.counts": scale_counts(base.actors.counts, actors)}
    for k, meeting in enumerate(base.meetings):
        overrides[f"meetings.{k}.capacity"] = max(2, round(meeting.capacity * factor))
    return apply_overrides(base, overrides)


def _time_steps(model, weeks: int) -> float:
    started = time.perf_counter()
    for _ in range(weeks):
        model.step()
    return time.perf_counter() - started


def agent_steps(settings: Settings, actors: int = 1000) -> dict[str, float]:
    """Agent-steps per second of our model (stepping only, data collection on) and of Mesa's
    VirusOnNetwork example at the same size, measured the same way: `timing_repeats` fresh
    models of each, in alternation, so that a slower or faster spell of the machine falls on
    both. The medians and their ratio."""
    from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

    weeks = settings.stepping_weeks
    ours, virus = [], []
    for seed in range(1, settings.timing_repeats + 1):
        ours.append(
            actors * weeks / _time_steps(NeighbourhoodModel(scaled(actors), rng=seed), weeks)
        )
        model = VirusOnNetwork(num_nodes=actors, rng=seed)
        virus.append(actors * weeks / _time_steps(model, weeks))
    return {
        "ours": statistics.median(ours),
        "virus": statistics.median(virus),
        "ratio": statistics.median(ours) / statistics.median(virus),
    }


def seconds_per_year(actors: int, repeats: int = 1) -> float:
    """Seconds to simulate the second year (after a year's burn-in) at `actors` actors; the
    median over `repeats` fresh models."""
    times = []
    for seed in range(1, repeats + 1):
        model = NeighbourhoodModel(scaled(actors), rng=seed)
        _time_steps(model, WEEKS_PER_YEAR)
        times.append(_time_steps(model, WEEKS_PER_YEAR))
    return statistics.median(times)


def default_run_seconds(settings: Settings) -> float:
    """Median wall time of one whole run of the default scenario, build included."""
    config = scenarios.load(DEFAULT_SCENARIO)
    times = []
    for seed in range(settings.repeats):
        started = time.perf_counter()
        run(config, seed=seed)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_memory_mb(actors: int, years: float) -> float:
    """Peak resident memory of a fresh process running `years` at `actors` actors."""
    code = (
        "import resource\n"
        "from benchmarks.suite import scaled\n"
        "from simulation import run\n"
        f"run(scaled({actors}), seed=1, years={years})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return int(out.stdout.split()[-1]) / 1024


def sweep_throughput(settings: Settings) -> dict[str, float]:
    """The sweep engine's figures from benchmarks.throughput: 1 vs 2 workers, Dask vs pool."""
    from benchmarks.throughput import sweep_figures

    return sweep_figures(settings.sweep_runs, years=5)


def reference_summary() -> dict:
    """The summary of a fixed short run, to check that optimisations change no result."""
    return run(scenarios.load(DEFAULT_SCENARIO), seed=11, years=3).summary


def results_unchanged() -> bool | None:
    """True when the fixed run still gives the recorded summary (None: nothing recorded)."""
    if not REFERENCE.exists():
        return None
    recorded = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return recorded == json.loads(json.dumps(reference_summary()))


def record_reference() -> None:
    """Store the fixed run's summary after an intended change of the model."""
    REFERENCE.write_text(
        json.dumps(reference_summary(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def measure(settings: Settings) -> dict[str, object]:
    """Every benchmark; the headline measures (those with a target in TARGETS) at the top
    level."""
    steps = agent_steps(settings)
    per_year = {n: seconds_per_year(n, settings.timing_repeats) for n in settings.scaling_sizes}
    sweeps = sweep_throughput(settings)
    largest = max(settings.scaling_sizes)
    return {
        "ratio_vs_mesa_virus": steps["ratio"],
        "scaling_5000_over_500": per_year[largest] / per_year[500],
        "default_run_seconds": default_run_seconds(settings),
        "speedup_2_workers": sweeps["speedup_2_workers"],
        "dask_overhead_ratio": sweeps["dask_overhead_ratio"],
        "agent_steps_per_second": steps["ours"],
        "virus_agent_steps_per_second": steps["virus"],
        "seconds_per_year": {str(n): t for n, t in per_year.items()},
        "scaling_largest": largest,
        "peak_memory_mb_20y_5000": peak_memory_mb(largest, settings.memory_years),
        "sweeps": sweeps,
        "results_unchanged": results_unchanged(),
        "quick": settings.quick,
        "python": sys.version.split()[0],
    }


TARGETS = {
    "ratio_vs_mesa_virus": (">=", 1.0),
    "scaling_5000_over_500": ("<=", 12.0),
    "default_run_seconds": ("<=", 0.5),
    "speedup_2_workers": (">=", 1.8),
    "dask_overhead_ratio": ("<=", 1.10),
}


def table(results: dict[str, object]) -> str:
    """The measurements as a plain-text table with the targets."""
    lines = [f"{'measure':28s} {'value':>12s}  target"]
    for key, (op, goal) in TARGETS.items():
        value = float(results[key])
        met = value >= goal if op == ">=" else value <= goal
        lines.append(f"{key:28s} {value:12.3f}  {op} {goal:g}  {'met' if met else 'NOT met'}")
    lines.append(f"{'agent-steps/s, ours (1,000)':28s} {results['agent_steps_per_second']:12,.0f}")
    lines.append(
        f"{'agent-steps/s, VirusOnNetwork':28s} {results['virus_agent_steps_per_second']:12,.0f}"
    )
    for n, seconds in results["seconds_per_year"].items():
        lines.append(f"{'s per simulated year, ' + n:28s} {seconds:12.3f}")
    lines.append(
        f"{'peak memory, MB':28s} {results['peak_memory_mb_20y_5000']:12.0f}  "
        f"({results['scaling_largest']} actors)"
    )
    for label, value in results["sweeps"].items():
        lines.append(f"{label:28s} {value:12.2f}")
    lines.append(f"{'results unchanged':28s} {results['results_unchanged']!s:>12s}")
    return "\n".join(lines)
