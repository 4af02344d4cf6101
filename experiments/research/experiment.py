"""An experiment as a declared object, and the one runner that walks every experiment.

An experiment is data: the sweeps it runs (each a spec file and how its runs form cells), the
report sections it writes, the stylised facts it measures and the lines it prints. `run`
walks each the same way:

    start → specs checked → sweeps (resumable, any engine) → cells → sections → facts → finish

Every spec is built from the command line, validated and checked by the experiment before
any sweep starts. Sections and facts are functions of the `Study`, the experiment in
progress: its sweeps' specs, results and labelled runs, its report, and what earlier sections
found. A standard section measures how many replications are enough
(`experiments.research.analysis.replications`); `finish` appends the table of stylised facts
(docs/FACTS.md) and the provenance and writes report.md and report.html.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.research.cells import Cells
from experiments.research.facts import fact_row, facts_table
from experiments.research.report import Report, manifest_excerpt
from experiments.sweep.ensemble import SHIPPED
from experiments.sweep.results import SweepResults, load
from experiments.sweep.runner import run_sweep
from experiments.sweep.spec import (
    Spec,
    read_spec_data,
    resolve_path,
    scenario_configs,
    spec_from_dict,
)
from simulation import ScenarioConfig


@dataclass
class Options:
    """What the command line may change; None keeps the spec's value."""

    replications: int | None = None
    years: float | None = None
    out: Path | None = None
    workers: int | None = None
    scheduler: str | None = None
    quiet: bool = False
    samples: int | None = None
    streams: int | None = None
    ensemble: str | None = None
    fixed: dict[str, object] = field(default_factory=dict)
    command: str = ""


@dataclass
class Outcome:
    """What an experiment wrote and the key lines it prints."""

    name: str
    out: Path
    markdown: Path
    html: Path
    key_lines: list[str]
    seconds: float


@dataclass(frozen=True)
class Sweep:
    """One sweep of an experiment: a spec file (a shipped name in experiments/specs/ or a
    path), the sub-folder of the output it runs into, how its runs form cells, per-run
    measures derived from the stored results (None: the stored outputs only), and a check
    that the spec (after the command line's changes) can answer the question: it raises
    InputError before any run starts."""

    spec: str
    folder: str = "sweep"
    cells: Cells | None = None
    measures: Callable[[Part], pd.DataFrame] | None = None
    check: Callable[[Spec, list[ScenarioConfig]], None] | None = None


Section = Callable[["Study"], None]
"""Writes a part of the report; may keep what it found in `study.found` for later steps."""
Fact = Callable[["Study"], None]
"""Measures a stylised fact and adds its rows with `study.fact`."""


@dataclass(frozen=True)
class Experiment:
    """A research question as data: what to run, what to report, which facts it measures."""

    name: str
    title: str
    sweeps: tuple[Sweep, ...]
    sections: tuple[Section, ...]
    facts: tuple[Fact, ...] = ()
    key_lines: Callable[[Study], list[str]] = lambda study: []
    collect: Callable[[Study, dict[str, Spec]], None] | None = None
    """How the sweeps are run into `study.parts` (given each sweep's prepared spec by
    folder); None runs each sweep once. An experiment that grows its sweeps in batches of
    replicates until a precision target is met supplies its own."""


@dataclass
class Part:
    """One sweep of a study: its spec, stored results, the runs that succeeded (with their
    cell columns and measures), and how long this call's sweep took."""

    sweep: Sweep
    spec: Spec
    results: SweepResults
    runs: pd.DataFrame
    seconds: float
    folders: list[str] = field(default_factory=list)
    """The sub-folders it was run into, when it is several batches of one design (empty: the
    sweep's own folder)."""

    @property
    def configs(self) -> list[ScenarioConfig]:
        """Each scenario's resolved config (the spec's fixed overrides applied), in order."""
        return [
            ScenarioConfig.model_validate(s["config"]) for s in self.results.manifest["scenarios"]
        ]

    @property
    def years(self) -> float:
        """The simulated years (the spec's, else the first scenario's)."""
        if self.spec.experiment.years is not None:
            return float(self.spec.experiment.years)
        return float(self.results.manifest["scenarios"][0]["config"]["years"])


@dataclass
class Study:
    """An experiment in progress: options, output folder, report, its sweeps, what its
    sections found, and the rows of its stylised-facts table."""

    experiment: Experiment
    options: Options
    out: Path
    report: Report
    parts: dict[str, Part] = field(default_factory=dict)
    found: dict[str, object] = field(default_factory=dict)
    facts: list[dict[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def main(self) -> Part:
        """The experiment's first sweep."""
        return self.parts[self.experiment.sweeps[0].folder]

    def fact(self, number: int, measured: str, estimate: str, verdict: str) -> None:
        """One row of the stylised-facts table."""
        self.facts.append(fact_row(number, measured, estimate, verdict))


def run(experiment: Experiment, options: Options) -> Outcome:
    """Run an experiment: its sweeps, cells, sections and facts; write its report."""
    specs = {sweep.folder: prepare(sweep, options) for sweep in experiment.sweeps}
    study = start(experiment, options)
    if experiment.collect is not None:
        experiment.collect(study, specs)
    else:
        for sweep in experiment.sweeps:
            study.parts[sweep.folder] = run_part(study, sweep, specs[sweep.folder])
    for section in experiment.sections:
        section(study)
    for fact in experiment.facts:
        fact(study)
    return finish(study, experiment.key_lines(study))


def start(experiment: Experiment, options: Options) -> Study:
    """A study whose output folder is --out or results/NAME."""
    out = Path(options.out) if options.out else Path("results") / experiment.name
    out.mkdir(parents=True, exist_ok=True)
    return Study(experiment, options, out, Report(experiment.title, out))


def build_spec(name: str, options: Options) -> Spec:
    """A spec file with the command line's replications, years, samples and overrides."""
    path = resolve_path(name)
    data = read_spec_data(path)
    experiment = data.setdefault("experiment", {})
    if options.replications is not None:
        experiment["replications"] = options.replications
    if options.years is not None:
        experiment["years"] = options.years
    if options.samples is not None and data.get("design", {}).get("kind", "grid") != "grid":
        data["design"]["samples"] = options.samples
    if options.fixed:
        data["fixed"] = {**data.get("fixed", {}), **options.fixed}
    return spec_from_dict(data, source=str(path), base=path.parent)


def prepare(sweep: Sweep, options: Options) -> Spec:
    """A sweep's spec with the command line's changes, validated against its scenarios and
    checked by the experiment, before any run of any sweep starts."""
    spec = build_spec(sweep.spec, options)
    configs = scenario_configs(spec)
    if sweep.check is not None:
        sweep.check(spec, configs)
    return spec


def run_years(spec: Spec, config: ScenarioConfig) -> float:
    """How long the runs of a scenario last: the spec's years, else the scenario's."""
    return float(spec.experiment.years if spec.experiment.years is not None else config.years)


def run_part(study: Study, sweep: Sweep, spec: Spec, folder: str | None = None) -> Part:
    """Run (or resume) a sweep into OUT/FOLDER (default: the sweep's), load its results,
    label its cells."""
    target = study.out / (folder or sweep.folder)
    stats = run_sweep(
        spec,
        target,
        workers=study.options.workers,
        scheduler=study.options.scheduler,
        resume=True,
        quiet=study.options.quiet,
        command=study.options.command or None,
    )
    if stats.interrupted:
        raise KeyboardInterrupt
    results = load(target)
    if stats.failed_total:
        print(
            f"quartier: warning: {stats.failed_total} runs failed in {target}; the report "
            "uses the others (tracebacks in failures/)"
        )
    part = Part(sweep, spec, results, ok_runs(results), stats.seconds)
    if sweep.cells is not None:
        part.runs = sweep.cells.label(part.runs, spec, part.configs)
    if sweep.measures is not None:
        part.runs = sweep.measures(part)
    return part


def ok_runs(results: SweepResults) -> pd.DataFrame:
    """The runs that succeeded."""
    runs = results.runs
    return runs[runs["status"] == "ok"].reset_index(drop=True)


def ensemble_name(described: dict) -> str:
    """How a report names an ensemble: a shipped one by its name, another by its folder."""
    path = Path(described["path"])
    if path.parent == SHIPPED:
        return path.name
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def _sources(part: Part) -> str:
    """Where one sweep's parameter values came from."""
    labels = part.spec.experiment.scenarios
    ensembles = part.results.manifest.get("ensembles") or [None] * len(labels)
    drawn: dict[str, list[str]] = {}
    for label, described in zip(labels, ensembles, strict=True):
        name = (
            "the scenario's own values"
            if described is None
            else f"the calibrated ensemble `{ensemble_name(described)}` "
            f"({described['members']} sets)"
        )
        drawn.setdefault(name, []).append(f"`{label}`")
    return "; ".join(f"{', '.join(labels)}: {name}" for name, labels in drawn.items())


def parameters_text(parts: dict[str, Part]) -> str:
    """Where the runs' parameter values came from, per sweep (sweeps alike said once)."""
    sweeps: dict[str, list[str]] = {}
    for folder, part in parts.items():
        sweeps.setdefault(_sources(part), []).append(f"`{folder}`")
    said = [
        (f"sweep {names[0]}" if len(names) == 1 else f"sweeps {', '.join(names)}") + f" — {sources}"
        for sources, names in sweeps.items()
    ]
    return (
        "Parameters: "
        + "; ".join(said)
        + ". A run draws its set from an ensemble by its seed (the runs of a replicate in one "
        "scenario share it); design factors win over the ensemble's values "
        "(calibration/ensembles, docs/CALIBRATION.md)."
    )


def finish(study: Study, key_lines: list[str]) -> Outcome:
    """Append the facts table and the provenance, write the report, return the outcome."""
    report = study.report
    facts_table(report, study.facts)
    report.heading("Reproduce")
    seconds = time.perf_counter() - study.started
    command = study.options.command or "quartier experiment"
    report.text(parameters_text(study.parts))
    report.text(
        f"Command (run from the repository root; it resumes the stored sweeps if they are "
        f"there and only redoes the analysis): `{command}`. Wall time of this call: "
        f"{seconds:.0f} s."
    )
    for folder, part in study.parts.items():
        if part.folders:
            report.text(
                f"Sweep `{folder}`: {len(part.results.runs)} runs in {len(part.folders)} "
                f"batches of replicates of one design ("
                + ", ".join(f"`{f}/`" for f in part.folders)
                + f"), each with its manifest.json (sweep time this call: {part.seconds:.1f} s). "
                "The manifest of the last batch:"
            )
        else:
            report.text(
                f"Sweep `{folder}/`: {len(part.results.runs)} runs, manifest "
                f"`{folder}/manifest.json` (sweep time this call: {part.seconds:.1f} s). The "
                f"same runs: `quartier sweep` on the spec below with `--out {study.out / folder}`."
            )
        report.code(manifest_excerpt(part.results.manifest))
    markdown, page = report.write()
    return Outcome(study.experiment.name, study.out, markdown, page, key_lines, seconds)
