"""Targets files: what is observed, which scenario is calibrated, over which parameters, how.

A targets file is TOML, validated like scenario and experiment files (unknown keys are
errors; a bad value is reported in one line naming the file, the key and what is allowed):

    [calibration]
    name = "programme_funded"
    scenario = "programme_funded"     # preset name or scenario file (relative to this file)
    years = 20                        # optional; default: the scenario's
    seed = 2026
    [fixed]                           # optional: overrides for every run
    [priors]                          # dotted config keys: uniform [low, high]
    "ties.decay_per_month" = [0.02, 0.10]
    [method]
    kind = "rejection"                # rejection (pattern-oriented) | abc-smc
    replicates = 2                    # seeds per parameter set
    samples = 500                     # rejection: prior sample size (lhs; sobol: SALib's N)
    [checks]
    runs = 100                        # posterior predictive runs
    [patterns.engaged]
    measure = "summary.actors_involved_last_year"
    range = [0.25, 0.40]              # or observed = 0.33
    uncertainty = 0.05                # one standard uncertainty, in the measure's unit
    weight = 1.0
    source = "Simonson et al. 2021 (Freiwilligensurvey 2019)"
    note = "why this uncertainty"
    held_out = false                  # true: not fitted, checked afterwards (validation)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

import scenarios
from calibration.measures import TABLES, Measure, MeasureError, PatternMeasures, available, parse
from experiments.sweep.spec import Scalar, config_hash
from scenarios import dotted
from scenarios.errors import InputError
from scenarios.explain import At, input_error
from scenarios.files import FileKind, find, read_toml, suggest
from simulation.config import ScenarioConfig
from simulation.run import run

TARGETS_DIR = Path(__file__).resolve().parent / "targets"
TARGETS = FileKind(
    noun="targets",
    shipped=TARGETS_DIR,
    shipped_label="shipped targets",
    name_hint="a shipped targets file's name",
    empty_hint="a targets file needs [calibration], [priors] and [patterns.NAME] tables",
)
NAME = r"^[A-Za-z0-9_.-]+$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalibrationSection(_Section):
    """What is calibrated: a scenario, for how long, with which seed."""

    name: str = Field(min_length=1, max_length=120, pattern=NAME)
    description: str = Field(default="", max_length=2000)
    scenario: str = Field(min_length=1)
    years: float | None = Field(default=None, gt=0, le=200, description="default: scenario's")
    seed: int = Field(default=0, ge=0, le=2**63 - 1)


REJECTION_ONLY = ("design", "samples", "closest")
ABC_ONLY = ("population", "generations", "max_runs", "min_epsilon")


class MethodSection(_Section):
    """How the patterns are fitted, and the budget."""

    kind: Literal["rejection", "abc-smc"] = "rejection"
    replicates: int = Field(default=2, ge=1, le=1000, description="seeds per parameter set")
    tolerance: float = Field(
        default=2.0, gt=0, le=100, description="a pattern passes within this many uncertainties"
    )
    design: Literal["lhs", "sobol"] = "lhs"
    samples: int = Field(default=500, ge=2, le=10_000_000, description="prior sample (SALib N)")
    closest: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="if fewer than N sets pass: keep the N closest sets",
    )
    population: int = Field(default=100, ge=2, le=100_000, description="particles a generation")
    generations: int = Field(default=8, ge=1, le=200)
    max_runs: int = Field(default=20_000, ge=1, le=100_000_000, description="model runs at most")
    min_epsilon: float | None = Field(default=None, ge=0, description="default: tolerance")

    @property
    def epsilon(self) -> float:
        return self.tolerance if self.min_epsilon is None else self.min_epsilon


class ChecksSection(_Section):
    """The posterior predictive check: runs drawn from the calibrated ensemble."""

    runs: int = Field(default=100, ge=0, le=1_000_000)


class Pattern(_Section):
    """An observed pattern: a measure, the observation, its uncertainty, weight and source."""

    measure: str = Field(min_length=1, max_length=500)
    at_year: float | None = Field(default=None, ge=0, le=200)
    window: list[float] | None = Field(default=None, min_length=2, max_length=2)
    statistic: Literal["value", "mean", "change", "per_year"] | None = None
    observed: float | None = None
    range: list[float] | None = Field(default=None, min_length=2, max_length=2)
    uncertainty: float = Field(ge=0, description="one standard uncertainty, measure's unit")
    weight: float = Field(default=1.0, gt=0, le=100)
    source: str = Field(min_length=1, max_length=1000)
    note: str = Field(default="", max_length=2000)
    held_out: bool = False

    @property
    def interval(self) -> tuple[float, float]:
        """The observation as an interval (a value is an interval of width 0)."""
        if self.range is not None:
            return float(self.range[0]), float(self.range[1])
        return float(self.observed), float(self.observed)

    def as_measure(self) -> Measure:
        window = tuple(self.window) if self.window is not None else None
        return Measure(self.measure, self.at_year, window, self.statistic or "mean")

    def observed_text(self) -> str:
        low, high = self.interval
        shown = f"{low:g}" if low == high else f"[{low:g}, {high:g}]"
        return f"{shown} ± {self.uncertainty:g}"


class Targets(_Section):
    """A whole targets file."""

    calibration: CalibrationSection
    fixed: dict[str, Scalar] = Field(default_factory=dict, max_length=500)
    priors: dict[str, list[float]] = Field(min_length=1, max_length=100)
    method: MethodSection = Field(default_factory=MethodSection)
    checks: ChecksSection = Field(default_factory=ChecksSection)
    patterns: dict[str, Pattern] = Field(min_length=1, max_length=200)
    _source: str = PrivateAttr(default="<targets>")
    _base: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _shapes(self) -> Self:
        _check_method(self.method)
        for name, pattern in self.patterns.items():
            problem = _pattern_problem(pattern)
            if problem:
                raise ValueError(f"patterns.{name}.{problem}")
        for key, bounds in self.priors.items():
            if len(bounds) != 2 or not all(math.isfinite(b) for b in bounds):
                raise ValueError(f"priors.{key}: needs [low, high], two finite numbers")
            if not bounds[0] < bounds[1]:
                raise ValueError(f"priors.{key}: needs [low, high] with low < high")
        for name in self.patterns:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"patterns.{name}: a pattern's name has letters, digits, _ or -")
        if all(p.held_out for p in self.patterns.values()):
            raise ValueError("patterns: every pattern is held out; fit at least one")
        return self

    @property
    def name(self) -> str:
        return self.calibration.name

    @property
    def source(self) -> str:
        return self._source

    @property
    def base(self) -> Path | None:
        return self._base

    def fitted(self) -> dict[str, Pattern]:
        """The patterns the calibration fits (not held out)."""
        return {name: p for name, p in self.patterns.items() if not p.held_out}

    def held_out(self) -> dict[str, Pattern]:
        return {name: p for name, p in self.patterns.items() if p.held_out}

    def measures(self) -> PatternMeasures:
        """Every pattern's measure, for the workers."""
        return PatternMeasures(tuple((n, p.as_measure()) for n, p in self.patterns.items()))

    def resolved(self) -> dict:
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """SHA-256 of the resolved targets."""
        return config_hash(self.resolved())


def _check_method(method: MethodSection) -> None:
    other = ABC_ONLY if method.kind == "rejection" else REJECTION_ONLY
    for key in other:
        if key in method.model_fields_set:
            kind = "abc-smc" if method.kind == "rejection" else "rejection"
            raise ValueError(f"method.{key}: only for kind {kind!r} (this is {method.kind!r})")


def _pattern_problem(p: Pattern) -> str | None:
    """What is inconsistent in a pattern, as 'KEY: text' (None: nothing)."""
    if (p.observed is None) == (p.range is None):
        return "observed: give either observed = VALUE or range = [LOW, HIGH]"
    if p.observed is not None and not math.isfinite(p.observed):
        return "observed: must be a finite number"
    if p.range is not None and not p.range[0] <= p.range[1]:
        return "range: needs [low, high] with low <= high"
    if p.observed is not None and p.uncertainty == 0:
        return "uncertainty: an observed value needs an uncertainty > 0"
    if p.at_year is not None and p.window is not None:
        return "window: give at_year or window, not both"
    if p.window is not None and not 0 <= p.window[0] < p.window[1]:
        return "window: needs [start, end] in years with 0 <= start < end"
    if p.statistic is not None and p.window is None:
        return "statistic: only with window = [start, end]"
    return None


@dataclass
class Checked:
    """A targets file checked against its scenario: the scenario's config (fixed overrides
    applied), the years its runs last, and which prior keys hold integer settings."""

    targets: Targets
    config: ScenarioConfig
    scenario_path: Path
    years: float
    integer_keys: set[str] = field(default_factory=set)


def resolve_path(name_or_path: str | Path) -> Path:
    """A shipped targets file's name (calibration/targets/NAME.toml) or a path to one."""
    return find(name_or_path, TARGETS)


def load_targets(name_or_path: str | Path) -> Checked:
    """Read, validate and check a targets file against its scenario (InputError if bad)."""
    path = resolve_path(name_or_path)
    targets = targets_from_dict(read_toml(path, TARGETS), source=shown(path), base=path.parent)
    return check(targets)


def shown(path: Path) -> str:
    """A file as reports and messages show it: relative to the working directory, or a shipped
    file relative to the project, so no machine's folders appear in what is written."""
    full = Path(path).resolve()
    for root in (Path.cwd(), TARGETS_DIR.parents[1]):
        if full.is_relative_to(root):
            return str(full.relative_to(root))
    return str(path)


def targets_from_dict(data: dict, source: str = "<targets>", base: Path | None = None) -> Targets:
    """Validate plain data into Targets; a problem is one InputError line."""
    try:
        targets = Targets.model_validate(data)
    except ValidationError as error:
        raise input_error(error, Targets, At(source)) from None
    targets._source, targets._base = source, base
    return targets


def check(targets: Targets) -> Checked:
    """Check the scenario, fixed overrides, priors and measures; InputError naming the key."""
    source = targets.source
    where = (source, "calibration.scenario")
    path = scenarios.resolve(targets.calibration.scenario, beside=targets.base, where=where)
    try:
        config = scenarios.load(path)
    except InputError as error:
        raise error.via(*where) from None
    config = scenarios.override(config, dict(targets.fixed), At(source, "fixed."))
    years = float(targets.calibration.years or config.years)
    integer = _check_priors(targets, config)
    _check_patterns(targets, config, years)
    return Checked(targets, config, path, years, integer)


def _check_priors(targets: Targets, config: ScenarioConfig) -> set[str]:
    """Each prior key is a setting of the scenario and both its ends are valid values."""
    at = At(targets.source, "priors.")
    data = config.model_dump()
    integer = set()
    for key, (low, high) in targets.priors.items():
        current = dotted.get(data, key)
        if isinstance(current, bool) or (
            current is not None and not isinstance(current, int | float)
        ):
            raise at.error((key,), f"is not a number setting ({current!r}); priors need numbers")
        if isinstance(current, int):
            integer.add(key)
        for value in (low, high):
            value = round(value) if key in integer else value
            scenarios.override(config, {key: value}, at)
    return integer


def _check_patterns(targets: Targets, config: ScenarioConfig, years: float) -> None:
    """Each measure parses, names columns the model's outputs hold, and fits in the run."""
    probe: dict[str, list[str]] | None = None
    for name, pattern in targets.patterns.items():
        at = At(targets.source, f"patterns.{name}.")
        try:
            terms = pattern.as_measure().terms() if parse(pattern.measure) is not None else []
        except MeasureError as error:
            raise at.error(("measure",), str(error)) from None
        if probe is None:
            probe = available(run(config, seed=0, years=min(years, 0.1)))
        for table, column in terms:
            if table not in TABLES:
                raise at.error(
                    ("measure",),
                    f"unknown table {table!r}; " + suggest(table, list(TABLES), "tables"),
                )
            if column not in probe[table]:
                raise at.error(
                    ("measure",),
                    f"{table}.{column}: not an output; "
                    + suggest(column, probe[table], f"{table} columns"),
                )
        for key, year in (("at_year", pattern.at_year), ("window", _end(pattern.window))):
            if year is not None and year > years + 1e-9:
                raise at.error(
                    (key,),
                    f"year {year:g} is after the runs end (year {years:g}); allowed 0 to {years:g}",
                )


def _end(window: list[float] | None) -> float | None:
    return None if window is None else window[1]
