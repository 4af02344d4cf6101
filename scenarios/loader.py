"""Find, read and validate scenario files: `load` is the way in.

A scenario file is TOML (`scenarios.chain`: ``extends`` and how files merge); its actor map
and ties file become ``actors.roster`` and ``ties.initial`` (`scenarios.roster`). Every
problem is raised as one `InputError` naming the file the user gave, the chain of files and
keys that led to the problem, the key or line, and what is allowed (`scenarios.explain`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenarios import dotted, roster
from scenarios.chain import PRESET_DIR, SCENARIO, Origins, merge, read_chain
from scenarios.explain import At, ExtraKeys, Locator, input_error
from scenarios.files import find
from simulation.config import ScenarioConfig

__all__ = ["PRESET_DIR", "load", "merge", "override", "presets", "resolve", "validate"]

LOADER_KEYS: ExtraKeys = {"": ("extends",), "actors": ("map",), "ties": ("map",)}
"""Keys the loader consumes before validation, by section ("" is the top level)."""


def presets() -> list[str]:
    """Names of the scenario files shipped with Quartier."""
    return SCENARIO.shipped_names()


def resolve(
    name_or_path: str | Path, beside: Path | None = None, where: tuple[str, str] | None = None
) -> Path:
    """A preset name or a path to a scenario file (relative to `beside`, if given); `where`
    is the (file, key) that named it, for the error."""
    return find(name_or_path, SCENARIO, beside=beside, where=where)


def load(name_or_path: str | Path) -> ScenarioConfig:
    """Read a scenario (following `extends`, reading actor maps) and validate it."""
    data, origins = read_scenario(resolve(name_or_path))
    return validate(data, origins)


def read_scenario(path: Path) -> tuple[dict[str, Any], Origins]:
    """The merged, not yet validated data of a scenario file, and who wrote each value."""
    data, origins = read_chain(path)
    roster.read_maps(data, origins)
    roster.resolve_topics(data, origins)
    return data, origins


def validate(
    data: dict[str, Any], where: str | Locator, extra_keys: ExtraKeys | None = LOADER_KEYS
) -> ScenarioConfig:
    """A ScenarioConfig from plain data, or one InputError line saying where and what."""
    where = At(str(where)) if isinstance(where, str | Path) else where
    try:
        config = ScenarioConfig.model_validate(data)
    except ValidationError as error:
        raise input_error(error, ScenarioConfig, where, extra_keys) from None
    roster.check(config, where)
    return config


def override(
    config: ScenarioConfig, overrides: Mapping[str, object], where: Locator
) -> ScenarioConfig:
    """`config` with dotted keys replaced, checked like a scenario file; a problem is named
    after the override it comes from (``--set ties.decay_per_month: ...``)."""
    data = config.model_dump()
    try:
        for key, value in overrides.items():
            dotted.put(data, key, value)
    except dotted.UnknownKey as error:
        raise where.error(error.loc, error.text) from None
    return validate(data, dotted.Blame(where, overrides), extra_keys=None)
