"""Each experiment end to end on a tiny world (few actors, few years, 2 replications, one
worker): sweeps stored, report.md and a self-contained report.html with figures written."""

from __future__ import annotations

import json

import pytest

from quartier.cli import main

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
]
CASES = {
    "compare": (["--years", "3"], ["sweep"]),
    "funding-exit": (["--years", "4", "--set", "programme.funding_years=2"], ["sweep"]),
    "catalyst-removal": (["--years", "4", "--set", "disruption.remove_at_year=2"], ["sweep"]),
    "conditions": (["--years", "1"], ["sweep", "control"]),
    "sensitivity": (["--years", "1", "--samples", "4"], ["morris", "sobol"]),
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
    assert "Stylised facts this experiment bears on" in markdown
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
    assert main(args) == 0  # the stored sweep is reused, only the analysis runs again
    second = capsys.readouterr().out
    assert first.splitlines()[:7] == second.splitlines()[:7]
    assert "self-organised / catalyst present" in first
    assert "Interaction on cooperations completed" in first
    sessions = json.loads((out / "sweep" / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["ran"] == 0


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
