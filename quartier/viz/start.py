"""What the page starts with: the runs `quartier viz` asked for, passed in the environment.

`quartier viz` execs the Solara server; the scenarios to compare and the seed reach the app
module through these variables. Without them (`solara run quartier/viz/app.py`) the page
starts with the regime comparison.
"""

from __future__ import annotations

import os

import scenarios
from quartier.viz.controls import DEFAULT_SEED, Controls, parse_seed
from quartier.viz.session import MAX_RUNS

SCENARIOS_ENV = "QUARTIER_VIZ_SCENARIOS"  # one scenario a line
SEED_ENV = "QUARTIER_VIZ_SEED"
REGIME_COMPARISON = ("programme_funded", "self_organised")


def starting_scenarios() -> list[str]:
    """The scenarios of the first runs: `--compare` or `--scenario`, else the regimes."""
    named = [line for line in os.environ.get(SCENARIOS_ENV, "").splitlines() if line.strip()]
    return named[:MAX_RUNS] or list(REGIME_COMPARISON)


def starting_runs() -> list[Controls]:
    return [Controls(scenario) for scenario in starting_scenarios()]


def starting_seed() -> int:
    seed = parse_seed(os.environ.get(SEED_ENV, str(DEFAULT_SEED)))
    return DEFAULT_SEED if seed is None else seed


def scenario_choices() -> list[str]:
    """Scenario files given on the command line first, then the shipped presets."""
    presets = scenarios.presets()
    files = [s for s in starting_scenarios() if s not in presets]
    return [*dict.fromkeys(files), *presets]
