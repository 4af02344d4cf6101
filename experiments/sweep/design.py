"""Designs: the list of factor settings (design points) an experiment runs, and their seeds.

A grid is the cartesian product of the value lists, in the order the factors are written.
LHS, Sobol' and Morris designs come from SALib's samplers; design point `i` is row `i` of
the sampler's matrix, so SALib's analysers can read the stored rows in point order. The
SALib problem and the raw matrix are kept in the manifest for that.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from SALib.sample import latin, morris, sobol

from experiments.sweep.spec import Scalar, Spec
from scenarios import dotted
from simulation.config import ScenarioConfig

DESIGN_STREAM = 0xD351
"""Spawn key that separates the sampler's random stream from the runs' seeds."""


@dataclass(frozen=True)
class Design:
    """Design points (factor name -> value), and for samplers the SALib problem and matrix."""

    kind: str
    factors: list[str]
    points: list[dict[str, Scalar]]
    problem: dict | None = None
    matrix: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.points)

    def to_manifest(self) -> dict:
        """Plain data for manifest.json."""
        return {
            "kind": self.kind,
            "factors": self.factors,
            "points": len(self.points),
            "problem": self.problem,
            "matrix": None if self.matrix is None else self.matrix.tolist(),
        }


def build_design(spec: Spec, config: ScenarioConfig) -> Design:
    """The design points of `spec`; values of integer settings of `config` are rounded."""
    names = list(spec.factors)
    if spec.design.kind == "grid":
        combos = itertools.product(*(spec.factors[name] for name in names))
        return Design("grid", names, [dict(zip(names, combo, strict=True)) for combo in combos])
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(v) for v in spec.factors[name]] for name in names],
    }
    matrix = sample(spec, problem)
    integer = [_is_int_setting(config, name) for name in names]
    points = [
        {
            name: round(x) if is_int else float(x)
            for name, x, is_int in zip(names, row, integer, strict=True)
        }
        for row in matrix
    ]
    return Design(spec.design.kind, names, points, problem, matrix)


def sample(spec: Spec, problem: dict) -> np.ndarray:
    """The SALib sample matrix for the spec's design (rows = design points)."""
    n = int(spec.design.samples or 1)
    stream = np.random.SeedSequence(spec.experiment.seed, spawn_key=(DESIGN_STREAM,))
    seed = int(stream.generate_state(1)[0])
    match spec.design.kind:
        case "lhs":
            return latin.sample(problem, n, seed=seed)
        case "sobol":
            return sobol.sample(
                problem, n, calc_second_order=spec.design.calc_second_order, seed=seed
            )
        case "morris":
            return morris.sample(problem, n, num_levels=spec.design.num_levels, seed=seed)
    raise ValueError(f"no sampler for design kind {spec.design.kind!r}")


def _is_int_setting(config: ScenarioConfig, key: str) -> bool:
    value = dotted.get(config.model_dump(), key)
    return isinstance(value, int) and not isinstance(value, bool)


def run_seed(experiment_seed: int, point: int, replicate: int) -> int:
    """The seed of one run, from numpy's SeedSequence; the same on every engine and order.

    It does not depend on the scenario: replicate r of point p uses the same seed in every
    scenario (common random numbers), which sharpens comparisons between scenarios. With
    `[design] common_random_numbers = true` the plan passes point 0 for every point, so
    replicate r has one seed in every cell of the sweep.

    >>> run_seed(42, 0, 0) == run_seed(42, 0, 0) != run_seed(42, 0, 1)
    True
    """
    sequence = np.random.SeedSequence(experiment_seed, spawn_key=(point, replicate))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
