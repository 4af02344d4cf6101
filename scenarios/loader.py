"""Find, read and validate scenario files."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from scenarios.errors import InputError
from simulation.config import ScenarioConfig

PRESET_DIR = Path(__file__).resolve().parent


def presets() -> list[str]:
    """Names of the scenario files shipped with Quartier."""
    return sorted(path.stem for path in PRESET_DIR.glob("*.toml"))


def resolve(name_or_path: str | Path) -> Path:
    """A preset name or a path to a scenario file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise InputError(str(path), "no such scenario file")
        return path
    preset = PRESET_DIR / f"{name_or_path}.toml"
    if not preset.is_file():
        raise InputError(str(name_or_path), "unknown scenario; presets: " + ", ".join(presets()))
    return preset


def load(name_or_path: str | Path) -> ScenarioConfig:
    """Read and validate one scenario file into a ScenarioConfig."""
    path = resolve(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(str(path), f"not a valid TOML file ({error})") from None
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(str(path), f"{key}: {first['msg']}") from None
