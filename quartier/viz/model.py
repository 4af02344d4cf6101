"""The model as the app builds it: controls in, NeighbourhoodModel out.

SolaraViz rebuilds a model on Reset by calling its class with the control values as keyword
arguments, so the factory is a thin subclass whose `__init__` takes the controls, turns them
into a ScenarioConfig and a seed, and hands only those to NeighbourhoodModel. It adds nothing
to the simulation; the stable layout for the network view lives here, not in the model.
"""

from __future__ import annotations

import os

from quartier.viz.controls import AS_SCENARIO, DEFAULT_SEED, Controls, build_config, parse_seed
from quartier.viz.network import StableLayout
from simulation import NeighbourhoodModel

SCENARIO_ENV = "QUARTIER_VIZ_SCENARIO"


def initial_scenario() -> str:
    """The scenario `quartier viz --scenario` asked for (default: self_organised)."""
    return os.environ.get(SCENARIO_ENV) or "self_organised"


class VizModel(NeighbourhoodModel):
    """A NeighbourhoodModel built from the app's controls; `rng` may be typed text.

    The scenario control is called `preset`: Mesa reserves a model's `scenario` argument
    for its own Scenario objects and fills it in on Reset.
    """

    def __init__(
        self,
        preset: str | None = None,
        regime: str = AS_SCENARIO,
        catalyst_mode: str = AS_SCENARIO,
        meeting_interval: float = 1.0,
        resource_level: float = 1.0,
        actors: int = 0,
        rng: int | str | None = DEFAULT_SEED,
    ) -> None:
        controls = Controls(
            preset or initial_scenario(),
            regime,
            catalyst_mode,
            float(meeting_interval),
            float(resource_level),
            int(actors),
        )
        parsed = parse_seed(rng)
        seed = DEFAULT_SEED if parsed is None else parsed
        super().__init__(build_config(controls), rng=seed)
        self.controls = controls
        self.seed = seed
        self.seed_note = (
            ""
            if parsed is not None
            else (f"Seed {rng!r} is not a whole number ≥ 0; using {DEFAULT_SEED}.")
        )
        self.layout = StableLayout()
