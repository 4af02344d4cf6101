"""Quartier's model: actors, ties, meetings, cooperations, catalyst and programme."""

from simulation.config import ScenarioConfig
from simulation.model import NeighbourhoodModel
from simulation.run import RunResult, result_of, run, simulate

__all__ = [
    "NeighbourhoodModel",
    "RunResult",
    "ScenarioConfig",
    "result_of",
    "run",
    "simulate",
]
