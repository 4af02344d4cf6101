"""The plan of a sweep: every run (scenario × design point × replicate) with its seed,
resolved before any run starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from experiments.sweep.design import Design, build_design, run_seed
from experiments.sweep.ensemble import draw, scenario_ensembles
from experiments.sweep.spec import Spec, load_spec, scenario_configs


@dataclass
class Plan:
    """Everything a sweep runs, resolved before any run starts."""

    spec: Spec
    source: str
    configs: list[dict]
    design: Design
    tasks: list[dict]
    ensembles: list[dict | None] | None = None
    """Per scenario, the calibrated ensemble its runs draw from (path, members, hash)."""

    @property
    def total(self) -> int:
        return len(self.tasks)


def plan(spec: Spec | str | Path) -> Plan:
    """Validate the spec against the scenarios, build the design, list every run."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    configs = scenario_configs(spec)
    design = build_design(spec, configs[0])
    crn = spec.design.common_random_numbers
    ensembles = scenario_ensembles(spec, configs)
    tasks = [
        draw(
            {
                "run_id": f"s{s}-p{p}-r{r}",
                "scenario": label,
                "scenario_index": s,
                "point": p,
                "replicate": r,
                "seed": run_seed(spec.experiment.seed, 0 if crn else p, r),
                "overrides": point,
            },
            ensembles[s],
        )
        for s, label in enumerate(spec.experiment.scenarios)
        for p, point in enumerate(design.points)
        for r in replicates(spec)
    ]
    described = [e.describe() if e is not None else None for e in ensembles]
    dumped = [c.model_dump(mode="json") for c in configs]
    return Plan(spec, spec._source, dumped, design, tasks, described if any(ensembles) else None)


def replicates(spec: Spec) -> range:
    """The replicate numbers a sweep runs: `replications` of them from `first_replicate`."""
    first = spec.experiment.first_replicate
    return range(first, first + spec.experiment.replications)
