"""Experiment files: which scenarios, which factors, which design, how many replications.

An experiment file is TOML with four sections, validated like a scenario file (unknown keys
are errors; a bad value is reported in one line naming the file, the key and what is allowed):

    [experiment]
    name = "demo"
    scenarios = ["programme_funded", "self_organised"]
    years = 20
    replications = 30
    seed = 42
    first_replicate = 0            # optional: replicates first_replicate … + replications − 1
    ensemble = "programme_funded"  # optional: runs draw calibrated parameter sets
    [design]
    kind = "grid"                  # grid | lhs | sobol | morris
    common_random_numbers = false  # optional: replicate r has one seed in every cell
    [factors]                      # dotted config keys
    "ties.decay_per_month" = [0.02, 0.05, 0.1]
    [fixed]                        # optional: overrides applied to every run
    "actors.counts.residents" = 20
    [outputs]
    timeseries_every = 4           # steps; 0 = summaries only
    [analysis]                     # optional: settings of the experiment that reads the file
    primary = "completed"
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

import scenarios
from scenarios import dotted
from scenarios.errors import InputError
from scenarios.explain import At, input_error
from scenarios.files import FileKind, find, read_toml
from simulation.config import ScenarioConfig

SPEC_DIR = Path(__file__).resolve().parents[1] / "specs"
EXPERIMENT = FileKind(
    noun="experiment",
    shipped=SPEC_DIR,
    shipped_label="shipped",
    name_hint="a shipped experiment's name",
    empty_hint="an experiment file needs an [experiment] table",
)

Scalar = bool | int | float | str


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentSection(_Section):
    """Who runs, for how long, how often."""

    name: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field(default="", max_length=2000)
    scenarios: list[str] = Field(min_length=1, max_length=100)
    years: float | None = Field(default=None, gt=0, le=200, description="default: scenario's")
    replications: int = Field(default=1, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    first_replicate: int = Field(
        default=0,
        ge=0,
        le=10_000_000,
        description="the first replicate's number: a later batch of the same design runs "
        "replicates first_replicate … first_replicate + replications − 1",
    )
    ensemble: str | dict[str, str] | None = Field(
        default=None,
        description="a calibrated ensemble each run draws its parameter set from (by its "
        "seed): a folder, a shipped name, or one per scenario {scenario = ensemble}",
    )

    @model_validator(mode="after")
    def _ensemble_scenarios(self) -> Self:
        if isinstance(self.ensemble, dict):
            for label in self.ensemble:
                if label not in self.scenarios:
                    raise ValueError(
                        f"ensemble names {label!r}, which is not one of its scenarios ("
                        + ", ".join(self.scenarios)
                        + ")"
                    )
        return self


class DesignSection(_Section):
    """How factor values are chosen: a full grid or a SALib sampler."""

    kind: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(default=None, ge=1, le=1_000_000, description="N for samplers")
    num_levels: int = Field(default=4, ge=2, le=100, description="morris grid levels")
    calc_second_order: bool = Field(default=False, description="sobol: second-order indices")
    common_random_numbers: bool = Field(
        default=False,
        description="replicate r uses the same seed at every design point (and, as always, "
        "in every scenario), so contrasts can be taken on pairs",
    )

    @model_validator(mode="after")
    def _samples_for_samplers(self) -> Self:
        if self.kind != "grid" and self.samples is None:
            raise ValueError(f"design kind {self.kind!r} needs samples = N")
        if self.kind == "grid" and self.samples is not None:
            raise ValueError("design kind 'grid' takes no samples (its size is the product)")
        return self


class OutputsSection(_Section):
    """What each run stores beyond its summary row."""

    timeseries_every: int = Field(default=0, ge=0, le=520, description="steps; 0 = none")


class Spec(_Section):
    """A whole experiment file."""

    experiment: ExperimentSection
    design: DesignSection = Field(default_factory=DesignSection)
    factors: dict[str, list[Scalar]] = Field(default_factory=dict, max_length=200)
    fixed: dict[str, Scalar] = Field(default_factory=dict, max_length=500)
    outputs: OutputsSection = Field(default_factory=OutputsSection)
    analysis: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        max_length=100,
        description="settings of the research experiment that reads this file (checked "
        "there); the sweep engine stores them but does not use them",
    )
    _base: Path | None = PrivateAttr(default=None)
    """The spec file's folder: scenario paths are relative to it (not part of the spec's data,
    so a sweep's digest is the same in any checkout)."""
    _source: str = PrivateAttr(default="<spec>")
    """Where the spec came from, for error messages."""

    @model_validator(mode="after")
    def _factor_values(self) -> Self:
        for key, values in self.factors.items():
            if not values:
                raise ValueError(f"factors.{key}: needs at least one value")
            if self.design.kind != "grid":
                _check_bounds(key, values)
        if self.design.kind != "grid" and not self.factors:
            raise ValueError(f"design kind {self.design.kind!r} needs at least one factor")
        return self

    @property
    def name(self) -> str:
        return self.experiment.name

    def resolved(self) -> dict:
        """The spec as plain data with every default filled in."""
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """SHA-256 of the resolved spec without [analysis]: two specs with equal digests run
        the same runs (a changed analysis setting never invalidates stored runs)."""
        runs = self.resolved()
        del runs["analysis"]
        for section, key, default in UNHASHED_DEFAULTS:
            if runs[section][key] == default:
                del runs[section][key]
        return config_hash(runs)


UNHASHED_DEFAULTS = (
    ("experiment", "first_replicate", 0),
    ("experiment", "ensemble", None),
    ("design", "common_random_numbers", False),
)
"""Keys left out of a spec's digest at their defaults, so that specs written before the keys
existed keep their digests (and their stored sweeps still resume)."""


def config_hash(data: dict) -> str:
    """SHA-256 of plain data written as sorted, compact JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_bounds(key: str, values: list[Scalar]) -> None:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if len(values) != 2 or not numeric or not values[0] < values[1]:
        raise ValueError(f"factors.{key}: samplers need bounds [low, high] with low < high")


def resolve_path(name_or_path: str | Path) -> Path:
    """A shipped spec name (experiments/specs/NAME.toml) or a path to a spec file."""
    return find(name_or_path, EXPERIMENT)


def load_spec(name_or_path: str | Path) -> Spec:
    """Read and validate an experiment file; bad input raises InputError (one line)."""
    path = resolve_path(name_or_path)
    return spec_from_dict(read_spec_data(path), source=str(path), base=path.parent)


def read_spec_data(path: Path) -> dict:
    """An experiment file's TOML as plain data; unreadable, empty or malformed files are
    InputErrors."""
    return read_toml(path, EXPERIMENT)


def spec_from_dict(data: dict, source: str = "<spec>", base: Path | None = None) -> Spec:
    """Validate plain data into a Spec; scenario paths are taken relative to `base`."""
    try:
        spec = Spec.model_validate(data)
    except ValidationError as error:
        raise input_error(error, Spec, At(source)) from None
    spec._base, spec._source = base, source
    return spec


def scenario_configs(spec: Spec) -> list[ScenarioConfig]:
    """Each scenario with the spec's fixed overrides applied, factor keys checked.

    A scenario path is relative to the spec file, a bare name is a preset. Fixed overrides
    are validated in full here. Factor keys are checked against the first scenario (an
    unknown key is an input error before any run starts); factor *values* are validated per
    run, so a value the config rejects fails that run only.
    """
    source = spec._source
    configs = []
    for k, name in enumerate(spec.experiment.scenarios):
        key = f"experiment.scenarios.{k}"
        path = scenarios.resolve(name, beside=spec._base, where=(source, key))
        try:
            config = scenarios.load(path)
        except InputError as error:
            raise error.via(source, key) from None
        try:
            config = scenarios.override(config, dict(spec.fixed), At(source, "fixed."))
        except InputError as error:
            raise InputError(error.source, f"{error.message} (scenario {name})") from None
        configs.append(config)
    for key, values in spec.factors.items():
        check_factor_key(configs[0], key, values[0], source)
    return configs


def check_factor_key(config: ScenarioConfig, key: str, example: Scalar, source: str) -> None:
    """Raise InputError when `key` names no setting of `config`."""
    current = dotted.get(config.model_dump(), key)
    value = example if current is None else current
    scenarios.override(config, {key: value}, At(source, "factors."))
