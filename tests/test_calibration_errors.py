"""Targets files report bad input like scenario files: the file, the key, what is allowed —
one line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartier.cli import main
from tests.calibration_helpers import TINY, TINY_FIXED
from tests.test_scenarios_errors import make_files, one_error_line

HEAD = '[calibration]\nname = "t"\nscenario = "self_organised"\nyears = 1\n' + TINY_FIXED
PRIOR = '[priors]\n"ties.decay_per_month" = [0.02, 0.1]\n'
PATTERN = (
    '[patterns.p]\nmeasure = "summary.started"\nobserved = 10\nuncertainty = 2\nsource = "s"\n'
)
GOOD = HEAD + PRIOR + PATTERN


def pattern(**changes: str) -> str:
    """The good file with the pattern's lines changed (a value of '' removes the line)."""
    lines = {"measure": '"summary.started"', "observed": "10", "uncertainty": "2", "source": '"s"'}
    lines.update(changes)
    body = "".join(f"{k} = {v}\n" for k, v in lines.items() if v)
    return HEAD + PRIOR + "[patterns.p]\n" + body


# id, files (the first one is the targets file), fragments the error line must contain
CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    ("toml_syntax", {"t.toml": "[calibration\n"}, ["t.toml: line 1", "invalid TOML"]),
    ("empty_file", {"t.toml": ""}, ["t.toml: empty file", "[calibration]"]),
    ("binary_file", {"t.toml": b"\x00\x01PK"}, ["t.toml: a binary file"]),
    (
        "misspelt_section",
        {"t.toml": GOOD + "[pattern.q]\nmeasure = 'x'\n"},
        ["t.toml: pattern: unknown key; did you mean 'patterns'?", "allowed keys: calibration"],
    ),
    (
        "misspelt_method_key",
        {"t.toml": GOOD + "[method]\nsampels = 30\n"},
        ["t.toml: method.sampels: unknown key; did you mean 'samples'?"],
    ),
    (
        "bad_method_kind",
        {"t.toml": GOOD + "[method]\nkind = 'abc'\n"},
        ["t.toml: method.kind", "'rejection' or 'abc-smc'", "did you mean 'abc-smc'?"],
    ),
    (
        "setting_of_the_other_method",
        {"t.toml": GOOD + "[method]\npopulation = 50\n"},
        ["t.toml: method.population: only for kind 'abc-smc' (this is 'rejection')"],
    ),
    (
        "replicates_out_of_range",
        {"t.toml": GOOD + "[method]\nreplicates = 0\n"},
        ["t.toml: method.replicates: 0 is out of range; allowed [1, 1000]"],
    ),
    (
        "missing_calibration",
        {"t.toml": PRIOR + PATTERN},
        ["t.toml: calibration: missing; this key is required"],
    ),
    ("missing_priors", {"t.toml": HEAD + PATTERN}, ["t.toml: priors: missing"]),
    (
        "unknown_scenario",
        {"t.toml": GOOD.replace('"self_organised"', '"self_organisd"')},
        ["t.toml: calibration.scenario: unknown scenario", "did you mean 'self_organised'?"],
    ),
    (
        "scenario_file_with_an_error",
        {
            "t.toml": GOOD.replace('"self_organised"', '"own/s.toml"'),
            "own/s.toml": 'extends = "self_organised"\n[ties]\ndecay_per_mont = 0.1\n',
        },
        ["t.toml: calibration.scenario → ", "own/s.toml: ties.decay_per_mont: unknown key"],
    ),
    (
        "fixed_unknown_key",
        {"t.toml": GOOD.replace("[fixed]\n", '[fixed]\n"ties.decay_per_mont" = 0.1\n')},
        ["t.toml: fixed.ties.decay_per_mont: unknown key; did you mean 'decay_per_month'?"],
    ),
    (
        "prior_unknown_key",
        {"t.toml": GOOD.replace("decay_per_month", "decay_per_mnth")},
        ["t.toml: priors.ties.decay_per_mnth: unknown key; did you mean 'decay_per_month'?"],
    ),
    (
        "prior_bounds_reversed",
        {"t.toml": GOOD.replace("[0.02, 0.1]", "[0.1, 0.02]")},
        ["t.toml: priors.ties.decay_per_month: needs [low, high] with low < high"],
    ),
    (
        "prior_outside_the_setting",
        {"t.toml": GOOD.replace("[0.02, 0.1]", "[0.02, 1.5]")},
        ["t.toml: priors.ties.decay_per_month: 1.5 is out of range; allowed [0, 1)"],
    ),
    (
        "prior_of_a_choice",
        {
            "t.toml": GOOD.replace(
                '"ties.decay_per_month" = [0.02, 0.1]', '"catalyst.mode" = [0, 1]'
            )
        },
        ["t.toml: priors.catalyst.mode: is not a number setting ('present')"],
    ),
    (
        "measure_unknown_table",
        {"t.toml": pattern(measure='"sumary.started"')},
        ["t.toml: patterns.p.measure: unknown table 'sumary'; did you mean 'summary'?"],
    ),
    (
        "measure_unknown_column",
        {"t.toml": pattern(measure='"summary.strated"')},
        ["t.toml: patterns.p.measure: summary.strated: not an output; did you mean 'started'?"],
    ),
    (
        "measure_unknown_cooperation_count",
        {"t.toml": pattern(measure='"cooperations.funds"')},
        ["patterns.p.measure: cooperations.funds: not an output; did you mean 'funded'?"],
    ),
    (
        "measure_syntax",
        {"t.toml": pattern(measure='"summary.started +"')},
        ["t.toml: patterns.p.measure: cannot read 'summary.started +'", "TABLE.COLUMN"],
    ),
    (
        "measure_code",
        {"t.toml": pattern(measure="\"__import__('os').system('x')\"")},
        ["t.toml: patterns.p.measure: ", "is not allowed in a measure"],
    ),
    ("pattern_without_source", {"t.toml": pattern(source="")}, ["patterns.p.source: missing"]),
    (
        "observed_and_range",
        {"t.toml": pattern(range="[1, 2]")},
        ["t.toml: patterns.p.observed: give either observed = VALUE or range = [LOW, HIGH]"],
    ),
    (
        "observed_without_uncertainty",
        {"t.toml": pattern(uncertainty="0")},
        ["patterns.p.uncertainty: an observed value needs an uncertainty > 0"],
    ),
    (
        "negative_uncertainty",
        {"t.toml": pattern(uncertainty="-1")},
        ["patterns.p.uncertainty: -1 is out of range; allowed >= 0"],
    ),
    (
        "window_after_the_run",
        {"t.toml": pattern(measure='"network.density_resilient"', window="[0, 5]")},
        ["t.toml: patterns.p.window: year 5 is after the runs end (year 1); allowed 0 to 1"],
    ),
    (
        "statistic_without_window",
        {"t.toml": pattern(statistic='"mean"')},
        ["t.toml: patterns.p.statistic: only with window = [start, end]"],
    ),
    (
        "bad_statistic",
        {"t.toml": pattern(window="[0, 1]", statistic='"avg"')},
        ["t.toml: patterns.p.statistic", "'value', 'mean', 'change' or 'per_year'"],
    ),
    (
        "all_held_out",
        {"t.toml": pattern(held_out="true")},
        ["t.toml: patterns: every pattern is held out; fit at least one"],
    ),
]


@pytest.mark.parametrize(
    ("files", "fragments"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_targets_give_one_clear_line(
    files: dict[str, str | bytes],
    fragments: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = make_files(tmp_path, files)
    out = tmp_path / "out"
    assert main(["calibrate", str(target), "--out", str(out), "--workers", "1"]) == 2
    line = one_error_line(capsys)
    for fragment in fragments:
        assert fragment in line
    assert not out.exists()  # nothing is written before the targets are checked


def test_the_good_file_of_this_table_is_good(tmp_path: Path) -> None:
    from calibration.targets import load_targets

    assert load_targets(make_files(tmp_path, {"t.toml": GOOD})).years == 1


def test_an_unknown_shipped_name_suggests_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "programme_fundet"]) == 2
    line = one_error_line(capsys)
    assert "programme_fundet: unknown targets; did you mean 'programme_funded'?" in line
    assert "shipped targets: example_neighbourhood, programme_funded, self_organised" in line


def test_a_stored_calibration_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "calibration.json").write_text("{}", encoding="utf-8")
    target = make_files(tmp_path, {"t.toml": TINY})
    assert main(["calibrate", str(target), "--out", str(out)]) == 2
    assert "already holds a calibration; add --resume" in one_error_line(capsys)
