"""Quartier's model: actors, ties, meetings, cooperations, catalyst and programme."""

from simulation.config import ScenarioConfig, apply_overrides
from simulation.model import NeighbourhoodModel
from simulation.run import RunResult, run, simulate

__all__ = ["NeighbourhoodModel", "RunResult", "ScenarioConfig", "apply_overrides", "run",
           "simulate"]
