"""Scenario files: presets shipped here, user files anywhere; loaded into a ScenarioConfig."""

from scenarios.errors import InputError
from scenarios.loader import PRESET_DIR, load, presets

__all__ = ["PRESET_DIR", "InputError", "load", "presets"]
