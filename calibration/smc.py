"""ABC-SMC with pyabc: a sequence of populations whose acceptance threshold shrinks until
every fitted pattern is met (or the budget is spent), stored in pyabc's SQL history so an
interrupted calibration resumes from its last finished generation.

Distance: the largest weighted misfit over the fitted patterns (calibration.patterns), so the
threshold ε ≤ tolerance means "passes every pattern", as in the rejection method. Each
particle's measures are the means over `replicates` runs with their own seeds.

Sampling runs on the sweep engine's executors (in-process, process pool, Dask) through
pyabc's MappingSampler, with one change: each mapped task gets its own seed from the
calibration's seed, the generation and its position, instead of fresh entropy. So the same
targets file gives the same posterior on every engine and after a resume. (pyabc's own Dask
sampler balances load dynamically, which makes results depend on timing.)
"""

from __future__ import annotations

import functools
import logging
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import MappingSampler
from pydantic import ValidationError

from calibration.measures import PatternMeasures
from calibration.patterns import distance
from calibration.targets import Checked, Pattern
from experiments.sweep.engines import Engine
from scenarios.dotted import apply_overrides
from simulation import ScenarioConfig, run

ABC_STREAM = 0xABC5


@dataclass(frozen=True)
class Simulator:
    """A particle's measures: the means over `replicates` runs of the calibrated scenario
    with the particle's parameters (picklable; built once, sent to every worker)."""

    config: dict
    years: float
    replicates: int
    measures: PatternMeasures
    keys: tuple[str, ...]
    integer: frozenset[str]

    def __call__(self, parameters: dict) -> dict[str, float]:
        overrides = {
            key: round(float(parameters[key])) if key in self.integer else float(parameters[key])
            for key in self.keys
        }
        seeds = np.random.randint(0, 2**62, size=self.replicates, dtype=np.int64)
        try:
            config = apply_overrides(ScenarioConfig.model_validate(self.config), overrides)
        except ValidationError:  # a combination the config refuses is a miss, not a crash
            return {name: float("nan") for name, _ in self.measures.measures}
        recording = self.measures.recording()
        rows = [
            self.measures(run(config, seed=int(seed), years=self.years, **recording))
            for seed in seeds
        ]
        return {k[len("measure.") :]: float(np.mean([r[k] for r in rows])) for k in rows[0]}


@dataclass(frozen=True)
class PatternDistance:
    """pyabc distance: the largest weighted misfit over the fitted patterns."""

    patterns: tuple[tuple[str, Pattern], ...]

    def __call__(self, x: dict, x_0: dict) -> float:
        return distance(x, dict(self.patterns))


class SeededMappingSampler(MappingSampler):
    """pyabc's MappingSampler with a seed per task: reproducible on any engine."""

    def __init__(self, map_, seed: int) -> None:
        super().__init__(map_=map_)
        self.seed = seed
        self.calls: dict[int, int] = defaultdict(int)

    def __getstate__(self):
        return (*super().__getstate__(), self.seed)

    def __setstate__(self, state):
        super().__setstate__(state[:-1])
        self.seed = state[-1]
        self.calls = defaultdict(int)

    def seeded_map_function(self, simulate_one, seed: int):
        """Sample until one particle is accepted, from this task's own seed."""
        simulate_one = self.unpickle(simulate_one)
        np.random.seed(seed)
        random.seed(seed)
        sample, evaluations = self._create_empty_sample(), 0
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        call = self.calls[t]
        self.calls[t] += 1
        stream = np.random.SeedSequence(self.seed, spawn_key=(ABC_STREAM, t + 2, call))
        seeds = [int(s) for s in stream.generate_state(n, dtype=np.uint32)]
        task = functools.partial(self.seeded_map_function, self.pickle(simulate_one))
        results = list(self.map_(task, seeds))
        self.nr_evaluations_ = sum(evaluations for _, evaluations in results)
        sample = self._create_empty_sample()
        for part, _ in results:
            sample += part
        return sample


def database(out: Path) -> str:
    return f"sqlite:///{(out / 'abc.db').resolve()}"


def make_abc(checked: Checked, engine: Engine) -> pyabc.ABCSMC:
    """The ABCSMC object: uniform priors, the patterns' distance, the seeded sampler."""
    targets = checked.targets
    method = targets.method
    priors = pyabc.Distribution(
        **{key: pyabc.RV("uniform", low, high - low) for key, (low, high) in targets.priors.items()}
    )
    simulator = Simulator(
        checked.config.model_dump(mode="json"),
        checked.years,
        method.replicates,
        targets.measures(),
        tuple(targets.priors),
        frozenset(checked.integer_keys),
    )
    sampler = SeededMappingSampler(engine.executor.map, targets.calibration.seed)
    return pyabc.ABCSMC(
        simulator,
        priors,
        PatternDistance(tuple(targets.fitted().items())),
        population_size=method.population,
        sampler=sampler,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )


def run_abc(
    checked: Checked, out: Path, engine: Engine, resume: bool, quiet: bool
) -> pyabc.History:
    """Run (or continue) ABC-SMC into OUT/abc.db until ε ≤ min_epsilon, the generations or
    the run budget is spent."""
    method = checked.targets.method
    np.random.seed(checked.targets.calibration.seed % 2**32)
    _log(quiet)
    abc = make_abc(checked, engine)
    db = database(out)
    if resume and (out / "abc.db").is_file():
        history = abc.load(db, 1)
        done = history.max_t + 1
    else:
        history = abc.new(db, {})
        done = 0
    remaining = method.generations - done
    evaluations = max(1, method.max_runs // method.replicates)
    if remaining > 0 and not _finished(history, method.epsilon, evaluations):
        history = abc.run(
            minimum_epsilon=method.epsilon,
            max_nr_populations=remaining,
            max_total_nr_simulations=evaluations,
        )
    return history


def _finished(history: pyabc.History, epsilon: float, evaluations: int) -> bool:
    if history.max_t < 0:
        return False
    populations = history.get_all_populations()
    last = populations[populations["t"] == history.max_t].iloc[0]
    return last["epsilon"] <= epsilon or history.total_nr_simulations >= evaluations


def _log(quiet: bool) -> None:
    logger = logging.getLogger("ABC")
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    if not quiet and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("abc-smc: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def open_history(out: Path) -> pyabc.History:
    return pyabc.History(database(out), _id=1)


def posterior(history: pyabc.History, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The last generation's particles (parameter values) and their weights."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    return frame[keys].reset_index(drop=True), np.asarray(weights, dtype=float)


def generations(history: pyabc.History, replicates: int) -> pd.DataFrame:
    """One row per generation: ε, evaluations, runs, acceptance rate."""
    table = history.get_all_populations()
    table = table[table["t"] >= 0]
    particles = history.get_nr_particles_per_population()
    rows = []
    for record in table.to_dict("records"):
        accepted = int(particles.get(record["t"], 0))
        rows.append(
            {
                "generation": int(record["t"]),
                "epsilon": float(record["epsilon"]),
                "evaluations": int(record["samples"]),
                "runs": int(record["samples"]) * replicates,
                "acceptance rate": accepted / record["samples"] if record["samples"] else 0.0,
            }
        )
    return pd.DataFrame(rows)
