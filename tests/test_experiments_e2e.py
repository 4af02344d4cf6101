"""Each experiment end to end on a tiny world (few actors, few years, 2 replications, one
worker): sweeps stored, report.md and a self-contained report.html with figures written."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.research.compare import COMPARE
from experiments.research.experiment import Options, build_spec, run
from experiments.research.facts import ASSUMPTION_CHECKS, FACTS
from experiments.sweep.ensemble import write_ensemble
from experiments.sweep.spec import SPEC_DIR
from quartier.cli import main
from scenarios.toml_writer import dumps as toml_text

TINY = [
    "--replications",
    "2",
    "--workers",
    "1",
    "--quiet",
    "--set",
    "actors.counts.residents=10",
    "--set",
    "actors.counts.civil_society=5",
    "--set",
    "actors.counts.public=3",
    "--set",
    "actors.counts.business=3",
    "--set",
    "warmup_years=1",
]
CASES = {
    "compare": (["--years", "3"], ["primary/reps-000-001", "holders/reps-000-001"]),
    "funding-exit": (["--years", "4", "--set", "programme.funding_years=2"], ["sweep"]),
    "catalyst-removal": (["--years", "4", "--set", "disruption.remove_at_year=2"], ["sweep"]),
    "conditions": (["--years", "1"], ["sweep", "control"]),
    "sensitivity": (["--years", "1", "--samples", "4"], ["morris", "sobol"]),
    "docking": (["--years", "1"], ["docking", "neighbourhood"]),
    "discovery": (["--years", "1", "--samples", "3"], ["sweep"]),
    "trajectory": (["--years", "2"], ["sweep"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_experiment_writes_its_report(name, tmp_path, capsys):
    extra, sweeps = CASES[name]
    out = tmp_path / name
    assert main(["experiment", name, "--out", str(out), *TINY, *extra]) == 0
    printed = capsys.readouterr().out
    assert f"Report: {out / 'report.html'}" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and 'src="figures' not in page
    bears_on = "Stylised facts this experiment bears on" in markdown
    assert bears_on == (name != "discovery")  # discovery tests no fact
    assert bears_on == ("verdict rule: docs/FACTS.md" in markdown)
    assert "|  |" not in markdown  # no empty table
    assert f"quartier experiment {name}" in markdown
    figures = {p.name for p in (out / "figures").iterdir()}
    stems = {p.rsplit(".", 1)[0] for p in figures}
    assert stems and all(f"{s}.png" in figures and f"{s}.svg" in figures for s in stems)
    for folder in sweeps:
        manifest = json.loads((out / folder / "manifest.json").read_text())
        assert manifest["spec"]["experiment"]["replications"] == 2


def test_compare_resumes_and_reports_the_key_table(tmp_path, capsys):
    out = tmp_path / "compare"
    args = ["experiment", "compare", "--out", str(out), "--years", "2", *TINY]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0  # the stored sweeps are reused, only the analysis runs again
    second = capsys.readouterr().out
    assert first.splitlines()[:9] == second.splitlines()[:9]
    assert "self-organised / independent networker" in first
    assert "programme-funded / QM staff" in first
    assert "Primary interaction on cooperations completed (same holder: independent" in first
    for folder in ("primary", "holders"):
        manifest = json.loads((out / folder / "reps-000-001" / "manifest.json").read_text())
        assert manifest["sessions"][-1]["ran"] == 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.split("\n")[2].startswith(
        "**Does the catalyst matter more where there is no programme? "
    )


def test_compare_grows_in_batches_until_the_cap_and_says_so(tmp_path, capsys):
    """A target no design can reach: replicates grow batch by batch to the cap, each batch
    its own resumable sweep, and the report says the cap was hit."""
    path = _spec_with(
        tmp_path,
        "compare",
        {"analysis": {"batch": 2, "target_half_width": 1e-9}, "fixed": SMALL_WORLD},
    )
    sweeps = (replace(COMPARE.sweeps[0], spec=str(path)), *COMPARE.sweeps[1:])
    experiment = replace(COMPARE, sweeps=sweeps)
    options = Options(replications=4, years=1, out=tmp_path / "out", workers=1, quiet=True)
    outcome = run(experiment, options)
    for folder in ("primary", "holders"):
        assert sorted(p.name for p in (tmp_path / "out" / folder).iterdir()) == [
            "reps-000-001",
            "reps-002-003",
        ]
    markdown = outcome.markdown.read_text(encoding="utf-8")
    assert "**Not reached: the cap of 4 replicates was hit**" in markdown
    assert "n = 4 (cap reached)" in outcome.key_lines[8]
    reached = _spec_with(
        tmp_path,
        "compare",
        {"analysis": {"batch": 2, "target_half_width": 1e9}, "fixed": SMALL_WORLD},
    )
    sweeps = (replace(COMPARE.sweeps[0], spec=str(reached)), *COMPARE.sweeps[1:])
    out = tmp_path / "reached"
    outcome = run(replace(COMPARE, sweeps=sweeps), replace(options, out=out))
    assert sorted(p.name for p in (out / "primary").iterdir()) == ["reps-000-001"]
    assert "(target half-width reached)" in outcome.key_lines[8]


@pytest.mark.parametrize(
    "args",
    [
        ["--replications", "0"],
        ["--years", "-1"],
        ["--set", "novalue"],
        ["--set", "ties.no_such_key=1"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, tmp_path, capsys):
    code = main(["experiment", "compare", "--out", str(tmp_path / "x"), "--quiet", *args])
    assert code == 2
    assert capsys.readouterr().err.startswith("quartier: error:")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("catalyst-removal", "the actor is removed at year 10, but the runs of"),
        ("funding-exit", "the programme ends at year 10, but the runs of"),
    ],
)
def test_runs_too_short_for_the_question_are_refused_before_any_run(name, says, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["experiment", name, "--out", str(out), "--years", "3", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quartier: error: --years: ") and says in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


SMALL_WORLD = {
    "actors.counts.residents": 10,
    "actors.counts.civil_society": 5,
    "actors.counts.public": 3,
    "actors.counts.business": 3,
}


def _spec_with(tmp_path, name: str, changes: dict) -> Path:
    """A copy of a shipped spec with some sections replaced, written to tmp_path."""
    data = tomllib.loads((SPEC_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    for section, values in changes.items():
        data[section] = {**data.get(section, {}), **values}
    path = tmp_path / f"{name}.toml"
    path.write_text(toml_text(data), encoding="utf-8")
    return path


def test_the_spec_defines_the_primary_contrast(tmp_path):
    """Another holder in compare's spec gives another primary contrast, with no change to the
    experiment's code."""
    path = _spec_with(
        tmp_path,
        "compare",
        {"fixed": {**SMALL_WORLD, "catalyst.holder": "initiative"}},
    )
    sweeps = (replace(COMPARE.sweeps[0], spec=str(path)), *COMPARE.sweeps[1:])
    options = Options(replications=2, years=1, out=tmp_path / "out", workers=1, quiet=True)
    outcome = run(replace(COMPARE, sweeps=sweeps), options)
    assert "self-organised / initiative's lead" in "\n".join(outcome.key_lines)
    assert "independent networker" not in "\n".join(outcome.key_lines)
    primary = [line for line in outcome.key_lines if line.startswith("Primary interaction")]
    assert len(primary) == 1
    assert primary[0].startswith(
        "Primary interaction on cooperations completed (same holder: initiative's lead;"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--years", "20"], "--years: the programme's funding ends at year 15"),
        (["--streams", "0"], "--streams: must be at least 1"),
        (["--ensemble", "nowhere"], "nowhere: unknown ensemble; shipped ensembles"),
    ],
)
def test_compare_refuses_before_any_run(args, says, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["experiment", "compare", "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"quartier: error: {says}") and len(err.splitlines()) == 1
    assert not out.exists()


def _documented_example() -> dict:
    """The first Python block of 'Adding an experiment' in docs/EXPERIMENTS.md, executed."""
    text = (Path(__file__).parent.parent / "docs" / "EXPERIMENTS.md").read_text(encoding="utf-8")
    section = text.split("## Adding an experiment", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/EXPERIMENTS.md", "exec"), namespace)
    return namespace


def test_the_documented_example_experiment_runs(tmp_path):
    experiment = _documented_example()["TIE_DECAY"]
    options = Options(
        replications=2,
        years=2,
        out=tmp_path / "tie-decay",
        workers=1,
        quiet=True,
        fixed=SMALL_WORLD,
    )
    outcome = run(experiment, options)
    spec = build_spec("demo", options)
    expected = [
        f"{regime} / decay {level}"
        for regime in ("programme-funded", "self-organised")
        for level in spec.factors["ties.decay_per_month"]
    ]
    assert [line.split("  ")[0] for line in outcome.key_lines[1:]] == expected
    markdown = outcome.markdown.read_text(encoding="utf-8")
    for heading in ("Outcomes per cell", "How many replications", "Stylised facts"):
        assert f"## {heading}" in markdown
    assert "| 1. Light, informal cooperations" in markdown
    assert (tmp_path / "tie-decay" / "sweep" / "manifest.json").is_file()


def test_docs_facts_defines_every_fact_the_reports_name():
    """docs/FACTS.md has one section per fact, headed by the name the reports use, with a
    source, a measure and, for the assumption checks, that word."""
    text = (Path(__file__).parent.parent / "docs" / "FACTS.md").read_text(encoding="utf-8")
    *sections, verdicts = text.split("\n## ")[1:]
    assert [s.splitlines()[0] for s in sections] == [f"{n}. {name}" for n, name in FACTS.items()]
    assert verdicts.startswith("Verdicts of the latest runs")  # a row for every fact
    assert {
        int(row.split("|")[1]) for row in verdicts.splitlines() if row[:3].strip("| ").isdigit()
    } == set(FACTS)
    for number, section in enumerate(sections, start=1):
        assert "**Source" in section and "**Measured by**" in section
        assert ("*Assumption check.*" in section) == (number in ASSUMPTION_CHECKS)


def test_compare_runs_the_primary_design_over_a_calibrated_ensemble(tmp_path):
    """By default each regime's runs draw from its own calibrated ensemble (the two runs of a
    replicate in a regime draw one set); --ensemble: the primary design again, the four runs
    of a replicate drawing one set of the ensemble given."""
    folder = write_ensemble(
        tmp_path / "mine",
        pd.DataFrame({"ties.decay_per_month": [0.03, 0.08]}),
        np.array([1.0, 1.0]),
        {},
    )
    path = _spec_with(tmp_path, "compare", {"fixed": SMALL_WORLD})
    sweeps = (replace(COMPARE.sweeps[0], spec=str(path)), *COMPARE.sweeps[1:])
    options = Options(
        replications=2, years=1, out=tmp_path / "out", workers=1, quiet=True, ensemble=str(folder)
    )
    outcome = run(replace(COMPARE, sweeps=sweeps), options)
    runs = pd.read_parquet(next((tmp_path / "out").glob("ensemble*")) / "runs")
    assert set(runs["ties.decay_per_month"]) <= {0.03, 0.08}
    assert (runs.groupby("replicate")["ensemble_member"].nunique() == 1).all()
    primary = pd.read_parquet(next((tmp_path / "out" / "primary").glob("reps-*")) / "runs")
    shipped = {"programme_funded", "self_organised"}
    calibrated = pd.concat(
        pd.read_csv(f"calibration/ensembles/{name}/parameters.csv") for name in shipped
    )
    assert primary["ensemble_member"].notna().all()
    assert set(primary["cooperation.idea_rate"]) <= set(calibrated["cooperation.idea_rate"])
    members = primary.groupby(["replicate", "scenario_index"])["ensemble_member"].nunique()
    assert (members == 1).all()
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    heading = "Parameter uncertainty (calibrated ensembles)"
    section = report.split(heading, 1)[1].split("\n#", 1)[0]
    assert "Not run" not in section and "interaction" in section
    assert all(f"the calibrated ensemble `{name}`" in section for name in shipped)
    assert outcome.key_lines
