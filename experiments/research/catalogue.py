"""Every experiment `quartier experiment NAME` runs, by name."""

from __future__ import annotations

from experiments.research.catalyst_removal import CATALYST_REMOVAL
from experiments.research.compare import COMPARE
from experiments.research.conditions import CONDITIONS
from experiments.research.discovery import DISCOVERY
from experiments.research.docking import DOCKING
from experiments.research.experiment import Experiment, Options, Outcome, run
from experiments.research.funding_exit import FUNDING_EXIT
from experiments.research.sensitivity import SENSITIVITY
from experiments.research.trajectory import TRAJECTORY
from scenarios.errors import InputError

EXPERIMENTS: dict[str, Experiment] = {
    experiment.name: experiment
    for experiment in (
        COMPARE,
        FUNDING_EXIT,
        CATALYST_REMOVAL,
        CONDITIONS,
        SENSITIVITY,
        DOCKING,
        DISCOVERY,
        TRAJECTORY,
    )
}


def run_experiment(name: str, options: Options) -> Outcome:
    """Run the named experiment (sweeps, analysis, figures, report)."""
    if name not in EXPERIMENTS:
        raise InputError(name, f"unknown experiment; choose one of {', '.join(EXPERIMENTS)}")
    return run(EXPERIMENTS[name], options)
