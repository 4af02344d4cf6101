"""Quartier in the browser: a Mesa SolaraViz page.

Start it with `quartier viz` (offline settings, 127.0.0.1) or `solara run quartier/viz/app.py`.
"""

from __future__ import annotations

import mesa.visualization.solara_viz as solara_viz
import solara
from mesa.visualization import Slider, SolaraViz

import scenarios
from quartier.viz.controls import AS_SCENARIO, CATALYST_MODES, DEFAULT_SEED, REGIME_PRESETS
from quartier.viz.model import VizModel, initial_scenario
from quartier.viz.offline import apply_offline_settings
from quartier.viz.views import ChartsView, CooperationsView, NetworkView, NumbersView

apply_offline_settings()


def scenario_choices(first: str) -> list[str]:
    """The shipped presets, with a scenario file given on the command line first."""
    presets = scenarios.presets()
    return presets if first in presets else [first, *presets]


def model_params(scenario: str) -> dict[str, object]:
    """The controls SolaraViz shows; their names are VizModel's keyword arguments."""
    return {
        "preset": {
            "type": "Select",
            "value": scenario,
            "label": "Scenario",
            "values": scenario_choices(scenario),
        },
        "regime": {
            "type": "Select",
            "value": AS_SCENARIO,
            "label": "Regime",
            "values": [AS_SCENARIO, *REGIME_PRESETS],
        },
        "catalyst_mode": {
            "type": "Select",
            "value": AS_SCENARIO,
            "label": "Catalyst",
            "values": [AS_SCENARIO, *CATALYST_MODES],
        },
        "meeting_interval": Slider("Meeting interval (× scenario's)", 1.0, 0.25, 4.0, 0.25),
        "resource_level": Slider("Resource level (× scenario's)", 1.0, 0.0, 3.0, 0.1),
        "actors": Slider("Number of actors (0 = scenario's)", 0, 0, 600, 10),
        "rng": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Seed (integer)"},
    }


COMPONENTS = [(NetworkView, 0), (ChartsView, 0), (NumbersView, 0), (CooperationsView, 0)]
# Grid cells (12 columns, 30 px rows): network and charts side by side, the tables below.
GRID = [
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 14},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 14},
    {"i": 2, "x": 0, "y": 14, "w": 3, "h": 12},
    {"i": 3, "x": 3, "y": 14, "w": 9, "h": 12},
]
_mesa_grid = solara_viz.make_initial_grid_layout


def grid_layout(count: int) -> list[dict]:
    """Our cell sizes for our four views (Mesa's default cells are too small for figures)."""
    if count != len(GRID):
        return _mesa_grid(count)
    return [{**cell, "moved": False} for cell in GRID]


solara_viz.make_initial_grid_layout = grid_layout  # ComponentsView looks it up at render


@solara.component
def Page():
    """One model per browser session, built from the controls' starting values."""
    scenario = initial_scenario()
    model = solara.use_memo(lambda: VizModel(preset=scenario), [])
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(scenario),
        name="Quartier — cooperations in a neighbourhood",
    )
