"""compare's design: its settings, its cells, its paired contrasts, and how its replicates grow.

The cells are regime × who holds the catalyst role ("no catalyst", an independent networker,
the QM staff, the initiative's lead), read from each run's config. Every cell's replicate r
has the same seed (common random numbers), so a contrast is taken per replicate — cell A's run
r minus cell B's run r — and the interaction of a contrast is, per replicate,

    (self-organised with holder h_s − self-organised without catalyst)
  − (programme-funded with holder h_p − programme-funded without catalyst).

Replicates are added in batches (each an ordinary resumable sweep of replicates k … k + b − 1)
until the primary interaction's 95 % CI half-width reaches the target, or the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from experiments.research.analysis import OUTCOME_LABELS
from experiments.research.cells import REGIME_LABELS, regime
from experiments.research.experiment import Part, Study, Sweep, run_part
from experiments.stats import PairedTest, paired_test
from experiments.sweep.ensemble import ensemble_reference
from experiments.sweep.results import SweepResults
from experiments.sweep.spec import Spec, spec_from_dict
from scenarios.errors import InputError
from scenarios.explain import At, input_error
from simulation import ScenarioConfig

CATALYST = "catalyst.mode"
HOLDER = "catalyst.holder"
SELF_ORGANISED, PROGRAMME = REGIME_LABELS["self_organised"], REGIME_LABELS["programme"]
NONE = "no catalyst"
HOLDER_LABELS = {
    "independent": "independent networker",
    "qm": "QM staff",
    "initiative": "initiative's lead",
}
OWN_HOLDERS = {PROGRAMME: HOLDER_LABELS["qm"], SELF_ORGANISED: HOLDER_LABELS["initiative"]}
"""Who holds the role in each regime as the guide describes them (the presets' holders)."""
OWN_CONTRAST = "each regime's own holder"


class Settings(BaseModel):
    """compare's [analysis] table: what it measures and how far it replicates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    primary: str = Field(default="completed", description="the primary outcome")
    secondary: list[str] = Field(default_factory=list, description="the secondary outcomes")
    batch: int = Field(default=20, ge=2, le=10_000, description="replicates added at a time")
    target_half_width: float = Field(
        gt=0, description="stop when the primary interaction's 95 % CI half-width is this small"
    )
    streams: int = Field(default=1, ge=1, le=100, description="independent random streams")
    power: float = Field(default=0.8, gt=0, lt=1, description="for the minimum detectable effect")

    @model_validator(mode="after")
    def _known_outcomes(self) -> Self:
        for name in [self.primary, *self.secondary]:
            if name not in OUTCOME_LABELS:
                raise ValueError(
                    f"unknown outcome {name!r}; choose from {', '.join(OUTCOME_LABELS)}"
                )
        if self.primary in self.secondary:
            raise ValueError(f"{self.primary!r} is the primary outcome; not also secondary")
        return self

    @property
    def outcomes(self) -> list[str]:
        return [self.primary, *self.secondary]


def settings(spec: Spec) -> Settings:
    """The spec's [analysis] table, checked (one-line error naming the file and key)."""
    try:
        return Settings.model_validate(spec.analysis)
    except ValidationError as error:
        raise input_error(error, Settings, At(spec._source, "analysis.")) from None


# ------------------------------------------------------------------ checks before any run


def check_horizon(spec: Spec, configs: list[ScenarioConfig]) -> None:
    """Runs must end inside the programme's funding period: after it, a programme cell is
    no longer a programme (the funding-exit experiment asks what happens then)."""
    for config in configs:
        if not config.programme.enabled:
            continue
        end = config.programme.start_year + config.programme.funding_years
        years = spec.experiment.years if spec.experiment.years is not None else config.years
        if years > end + 1e-9:
            raise InputError(
                "--years",
                f"the programme's funding ends at year {end:g}, but the runs of {config.name} "
                f"end at year {years:g}: compare the regimes while both are what they claim "
                f"to be (years ≤ {end:g}); after funding is the funding-exit experiment",
            )


def check_primary(spec: Spec, configs: list[ScenarioConfig]) -> None:
    """The primary design: both regimes, catalyst absent and present, one holder for both."""
    check_horizon(spec, configs)
    settings(spec)
    levels = [str(level) for level in spec.factors.get(CATALYST, [])]
    if not {"absent", "present"} <= set(levels):
        raise InputError(spec._source, f"factors.{CATALYST}: needs the levels absent and present")
    if spec.factors.keys() - {CATALYST}:
        extra = ", ".join(sorted(spec.factors.keys() - {CATALYST}))
        raise InputError(
            spec._source, f"factors: the primary design varies only {CATALYST}, not {extra}"
        )
    _both_regimes(spec, configs)
    holders = {config.catalyst.holder for config in configs}
    if len(holders) != 1:
        raise InputError(
            spec._source,
            f"fixed.{HOLDER}: the primary contrast needs the same holder in both regimes",
        )
    _paired(spec)


def check_holders(spec: Spec, configs: list[ScenarioConfig]) -> None:
    """The holders design: catalyst present in every scenario, nothing varied."""
    check_horizon(spec, configs)
    if spec.factors:
        raise InputError(spec._source, "factors: the holders design varies its scenarios only")
    if any(config.catalyst.mode != "present" for config in configs):
        raise InputError(spec._source, f"fixed.{CATALYST}: must be present in every scenario")
    _paired(spec)


def _both_regimes(spec: Spec, configs: list[ScenarioConfig]) -> None:
    found = {regime(config) for config in configs}
    if found != {PROGRAMME, SELF_ORGANISED}:
        raise InputError(spec._source, "experiment.scenarios: needs both regimes")


def _paired(spec: Spec) -> None:
    if not spec.design.common_random_numbers:
        raise InputError(
            spec._source,
            "design.common_random_numbers: must be true (contrasts are taken on pairs)",
        )


def check_together(primary: Spec, holders: Spec) -> None:
    """The two designs pair only with the same seed, years and warm-up, and with the same
    ensemble for the scenarios they share."""
    for key in ("seed", "years"):
        a, b = getattr(primary.experiment, key), getattr(holders.experiment, key)
        if a != b:
            raise InputError(
                holders._source,
                f"experiment.{key}: must equal {primary._source}'s ({a}) so that its runs "
                f"pair with the primary design's, got {b}",
            )
    shared = set(primary.experiment.scenarios) & set(holders.experiment.scenarios)
    for label in sorted(shared):
        a, b = ensemble_reference(primary, label), ensemble_reference(holders, label)
        if a != b:
            raise InputError(
                holders._source,
                f"experiment.ensemble: `{label}` must draw from {primary._source}'s ensemble "
                f"({a}) so that its runs pair with the primary design's, got {b}",
            )


# ------------------------------------------------------------------ cells


def label(part: Part) -> pd.DataFrame:
    """The part's runs with regime, holder and cell columns (holder 'no catalyst' when
    the catalyst is absent)."""
    configs = part.configs
    runs = part.runs.copy()
    regimes, holders = [], []
    for _, row in runs.iterrows():
        config = configs[int(row["scenario_index"])]
        mode = row.get(CATALYST, config.catalyst.mode)
        holder = row.get(HOLDER, config.catalyst.holder)
        regimes.append(regime(config))
        holders.append(NONE if mode == "absent" else HOLDER_LABELS[str(holder)])
    runs["regime_label"], runs["holder_label"] = regimes, holders
    runs["cell"] = runs["regime_label"] + " / " + runs["holder_label"]
    return runs


def cell_order(runs: pd.DataFrame) -> list[str]:
    """Cells by regime (programme first), then no catalyst, then holders as listed."""
    order = [NONE, *HOLDER_LABELS.values()]
    present = runs[["regime_label", "holder_label", "cell"]].drop_duplicates()
    present = present.assign(
        _r=present["regime_label"].map({PROGRAMME: 0, SELF_ORGANISED: 1}),
        _h=present["holder_label"].map(order.index),
    )
    return list(present.sort_values(["_r", "_h"])["cell"])


def cell(regime_label: str, holder: str) -> str:
    return f"{regime_label} / {holder}"


# ------------------------------------------------------------------ contrasts on pairs


@dataclass(frozen=True)
class Contrast:
    """The catalyst's effect in each regime (holder h_s when self-organised, h_p under the
    programme), and its interaction."""

    name: str
    self_holder: str
    programme_holder: str
    primary: bool = False

    @property
    def cells(self) -> list[str]:
        return [
            cell(SELF_ORGANISED, self.self_holder),
            cell(SELF_ORGANISED, NONE),
            cell(PROGRAMME, self.programme_holder),
            cell(PROGRAMME, NONE),
        ]


def contrasts(runs: pd.DataFrame, primary_holder: str) -> list[Contrast]:
    """The primary contrast (the primary design's holder in both regimes), then each
    regime's own holder, then every other holder present in both regimes."""
    cells = set(runs["cell"])
    found = [Contrast(f"same holder: {primary_holder}", primary_holder, primary_holder, True)]
    own = Contrast(OWN_CONTRAST, OWN_HOLDERS[SELF_ORGANISED], OWN_HOLDERS[PROGRAMME])
    if set(own.cells) <= cells:
        found.append(own)
    for holder in HOLDER_LABELS.values():
        same = Contrast(f"same holder: {holder}", holder, holder)
        if holder != primary_holder and set(same.cells) <= cells:
            found.append(same)
    return found


def wide(runs: pd.DataFrame, output: str) -> pd.DataFrame:
    """One row per replicate, one column per cell: the paired table of an output."""
    return runs.pivot_table(index="replicate", columns="cell", values=output, aggfunc="first")


def effect(table: pd.DataFrame, regime_label: str, holder: str) -> PairedTest:
    """The catalyst's effect in a regime: per replicate, with holder − without catalyst."""
    pair = table[[cell(regime_label, holder), cell(regime_label, NONE)]].dropna()
    return paired_test(pair.iloc[:, 0] - pair.iloc[:, 1])


def interaction_differences(table: pd.DataFrame, contrast: Contrast) -> pd.Series:
    """Per replicate: the catalyst's effect self-organised − its effect programme-funded."""
    s1, s0, p1, p0 = (table[c] for c in contrast.cells)
    return ((s1 - s0) - (p1 - p0)).dropna()


def interaction(table: pd.DataFrame, contrast: Contrast) -> PairedTest:
    return paired_test(interaction_differences(table, contrast))


# ------------------------------------------------------------------ growing in batches


@dataclass
class Growth:
    """How one stream's replicates grew: per batch, n and the primary interaction."""

    seed: int
    steps: list[dict] = field(default_factory=list)
    reached: bool = False
    cap: int = 0

    @property
    def n(self) -> int:
        return self.steps[-1]["n"] if self.steps else 0


def batch_spec(spec: Spec, seed: int, first: int, size: int, **experiment: object) -> Spec:
    """The spec of one batch: replicates first … first + size − 1 with this seed."""
    data = spec.resolved()
    data["experiment"] |= {"seed": seed, "first_replicate": first, "replications": size}
    data["experiment"] |= experiment
    return spec_from_dict(data, source=spec._source, base=spec._base)


def keyed(part: Part, prefix: str = "") -> Part:
    """The part's runs labelled, and its run ids made unique across designs: run ids name a
    run within its sweep (s0-p0-r5), and the designs of compare share them."""
    key = f"{prefix}{part.sweep.folder}/"
    runs = label(part).assign(run_id=lambda f: key + f["run_id"])
    tables = {
        t: getattr(part.results, t).assign(run_id=lambda f: key + f["run_id"])
        for t in ("runs", "timeseries", "network")
        if not getattr(part.results, t).empty
    }
    part.results = part.results._replace(**tables)
    part.runs = runs
    return part


def merge(sweep: Sweep, parts: list[Part], folders: list[str]) -> Part:
    """Batches of one design as one part (runs, series, the last batch's manifest)."""
    last = parts[-1]
    results = SweepResults(
        *(
            pd.concat([getattr(p.results, t) for p in parts], ignore_index=True)
            for t in ("runs", "timeseries", "network")
        ),
        last.results.manifest,
    )
    runs = pd.concat([p.runs for p in parts], ignore_index=True)
    seconds = sum(p.seconds for p in parts)
    return Part(sweep, last.spec, results, runs, seconds, folders)


def grow(
    study: Study,
    designs: list[tuple[Sweep, Spec]],
    seed: int,
    prefix: str,
    rule: Settings,
    cap: int,
    primary_holder: str,
) -> tuple[dict[str, Part], Growth]:
    """Run batches of replicates of every design (each batch a resumable sweep into
    PREFIX/FOLDER/reps-FIRST-LAST) until the primary interaction's CI half-width reaches the
    target or `cap` replicates ran; return the merged parts (labelled) and the growth."""
    growth = Growth(seed, cap=cap)
    batches: dict[str, list[Part]] = {sweep.folder: [] for sweep, _ in designs}
    folders: dict[str, list[str]] = {sweep.folder: [] for sweep, _ in designs}
    n = 0
    while n < cap:
        size = min(rule.batch, cap - n)
        for sweep, spec in designs:
            folder = f"{prefix}{sweep.folder}/reps-{n:03d}-{n + size - 1:03d}"
            part = keyed(run_part(study, sweep, batch_spec(spec, seed, n, size), folder), prefix)
            batches[sweep.folder].append(part)
            folders[sweep.folder].append(folder)
        n += size
        runs = pd.concat([p.runs for parts in batches.values() for p in parts])
        test = interaction(wide(runs, rule.primary), contrasts(runs, primary_holder)[0])
        growth.steps.append({"n": n, "runs": len(runs), "estimate": test.estimate, "sd": test.sd})
        if test.estimate.half <= rule.target_half_width:
            growth.reached = True
            break
    merged = {
        f"{prefix}{sweep.folder}": merge(sweep, batches[sweep.folder], folders[sweep.folder])
        for sweep, _ in designs
    }
    return merged, growth
