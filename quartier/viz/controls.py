"""The app's controls and how they map onto a ScenarioConfig.

The model takes only a config and a seed; everything a user sets in the browser becomes a
dotted-key override of the chosen scenario (`apply_overrides`), so a run in the app and
`quartier run` with the same config and seed are the same run.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

import scenarios
from scenarios.dotted import apply_overrides, parse_assignments
from scenarios.explain import Flag
from scenarios.files import is_path
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
    overrides: tuple[str, ...] = ()  # KEY=VALUE texts, as `quartier run --set` takes them


def build_config(controls: Controls) -> ScenarioConfig:
    """The chosen scenario with the controls applied as overrides, then the typed ones.

    A bad scenario or override raises the InputError `quartier run` would print.

    >>> build_config(Controls(actors=45)).actors.counts["residents"]
    20
    >>> build_config(Controls(overrides=("ties.decay_per_month=0.1",))).ties.decay_per_month
    0.1
    """
    config = scenarios.load(controls.scenario)
    config = apply_overrides(config, regime_overrides(config, controls.regime))
    config = apply_overrides(config, control_overrides(config, controls))
    if controls.overrides:
        typed = parse_assignments(controls.overrides)
        config = scenarios.override(config, typed, Flag("--set"))
    return config


def split_overrides(text: str) -> tuple[str, ...]:
    """Typed overrides, one KEY=VALUE a line (or separated by semicolons).

    >>> split_overrides("catalyst.mode=absent; years=5\\n\\n")
    ('catalyst.mode=absent', 'years=5')
    """
    parts = (part.strip() for line in text.splitlines() for part in line.split(";"))
    return tuple(part for part in parts if part)


def scenario_name(scenario: str) -> str:
    """A preset's name, or a scenario file's name without its folder.

    >>> scenario_name("programme_funded"), scenario_name("/data/my_area.toml")
    ('programme_funded', 'my_area.toml')
    """
    return Path(scenario).name if is_path(scenario) else scenario


def describe(controls: Controls) -> str:
    """A short name for the run: the scenario and what the controls changed.

    >>> describe(Controls("self_organised", catalyst_mode="absent", meeting_interval=2.0))
    'self_organised · catalyst absent · meetings every 2× as long'
    """
    parts = [scenario_name(controls.scenario)]
    if controls.regime != AS_SCENARIO:
        parts.append(f"{controls.regime} regime")
    if controls.catalyst_mode != AS_SCENARIO:
        parts.append(f"catalyst {controls.catalyst_mode.replace('_', ' ')}")
    if controls.meeting_interval != 1.0:
        parts.append(f"meetings every {controls.meeting_interval:g}× as long")
    if controls.resource_level != 1.0:
        parts.append(f"resources ×{controls.resource_level:g}")
    if controls.actors:
        parts.append(f"{controls.actors} actors")
    parts += list(controls.overrides)
    return " · ".join(parts)


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


def run_command(controls: Controls, seed: int) -> str | None:
    """The `quartier run` command that makes the same run, or None where the regime control
    swaps in whole sections of another preset.

    >>> run_command(Controls("self_organised", catalyst_mode="absent"), 3)
    'quartier run --scenario self_organised --seed 3 --set catalyst.mode=absent'
    """
    config = scenarios.load(controls.scenario)
    if regime_overrides(config, controls.regime):
        return None
    parts = ["quartier", "run", "--scenario", controls.scenario, "--seed", str(seed)]
    for key, value in control_overrides(config, controls).items():
        parts += ["--set", f"{key}={toml_value(value)}"]
    for text in controls.overrides:
        parts += ["--set", text]
    return shlex.join(parts)


def toml_value(value: object) -> str:
    """A control's value as `--set` reads it (TOML): numbers, text, a table of counts.

    >>> toml_value({"residents": 20, "public": 6}), toml_value(0.5), toml_value("absent")
    ('{residents = 20, public = 6}', '0.5', 'absent')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return text if text.replace("_", "").isalnum() else json.dumps(text)


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
