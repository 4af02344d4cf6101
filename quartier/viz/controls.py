"""The app's controls and how they map onto a ScenarioConfig.

The model takes only a config and a seed; everything a user sets in the browser becomes a
dotted-key override of the chosen scenario (`apply_overrides`), so a run in the app and
`quartier run` with the same config and seed are the same run.
"""

from __future__ import annotations

from dataclasses import dataclass

import scenarios
from scenarios.dotted import apply_overrides
from scenarios.scaling import scale_counts
from simulation import ScenarioConfig

AS_SCENARIO = "as scenario"
REGIME_PRESETS = {"programme_funded": "programme", "self_organised": "self_organised"}
CATALYST_MODES = ("absent", "present", "start_phase", "leaves")
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Controls:
    """What the user set in the app; neutral values keep the scenario as it is."""

    scenario: str = "self_organised"
    regime: str = AS_SCENARIO
    catalyst_mode: str = AS_SCENARIO
    meeting_interval: float = 1.0
    resource_level: float = 1.0
    actors: int = 0


def build_config(controls: Controls) -> ScenarioConfig:
    """The chosen scenario with the controls applied as overrides.

    >>> build_config(Controls(actors=45)).actors.counts["residents"]
    20
    """
    config = scenarios.load(controls.scenario)
    config = apply_overrides(config, regime_overrides(config, controls.regime))
    return apply_overrides(config, control_overrides(config, controls))


def regime_overrides(config: ScenarioConfig, regime: str) -> dict[str, object]:
    """Swap in the regime's own sections (programme, meetings, catalyst holder) from its preset."""
    if regime == AS_SCENARIO or REGIME_PRESETS[regime] == config.regime:
        return {}
    preset = scenarios.load(regime)
    return {
        "regime": preset.regime,
        "programme": preset.programme.model_dump(),
        "meetings": [meeting.model_dump() for meeting in preset.meetings],
        "catalyst.holder": preset.catalyst.holder,
    }


def control_overrides(config: ScenarioConfig, controls: Controls) -> dict[str, object]:
    """Dotted-key overrides for catalyst mode, meeting interval, resource level and actors."""
    overrides: dict[str, object] = {}
    if controls.catalyst_mode != AS_SCENARIO:
        overrides["catalyst.mode"] = controls.catalyst_mode
    if controls.meeting_interval != 1.0:
        for k, meeting in enumerate(config.meetings):
            weeks = max(1, round(meeting.interval_weeks * controls.meeting_interval))
            overrides[f"meetings.{k}.interval_weeks"] = weeks
    if controls.resource_level != 1.0:
        overrides["resources.level"] = min(10.0, config.resources.level * controls.resource_level)
    if controls.actors > 0 and config.actors.roster is None:
        overrides["actors.counts"] = scale_counts(config.actors.counts, controls.actors)
    return overrides


def parse_seed(value: object) -> int | None:
    """An integer seed from a typed value ("42", " 7 ", 3); None when it is not one.

    Solara's text input hands over strings; numpy's generator takes only integers.

    >>> parse_seed(" 42 "), parse_seed("x"), parse_seed(-1)
    (42, None, None)
    """
    if isinstance(value, bool):
        return None
    try:
        seed = int(str(value).strip())
    except ValueError:
        return None
    return seed if seed >= 0 else None
