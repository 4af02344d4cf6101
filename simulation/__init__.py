"""Quartier's model: actors, ties, meetings, cooperations, catalyst and programme."""

from simulation.config import ScenarioConfig, apply_overrides
from simulation.model import NeighbourhoodModel
from simulation.run import RunResult, result_of, run, simulate

__all__ = [
    "NeighbourhoodModel",
    "RunResult",
    "ScenarioConfig",
    "apply_overrides",
    "result_of",
    "run",
    "simulate",
]
