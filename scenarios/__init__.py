"""Quartier's input toolkit: scenario files (presets shipped here, user files anywhere),
actor maps, dotted keys and one-line errors; loaded into a ScenarioConfig."""

from scenarios.errors import InputError
from scenarios.loader import PRESET_DIR, load, override, presets, resolve

__all__ = ["PRESET_DIR", "InputError", "load", "override", "presets", "resolve"]
