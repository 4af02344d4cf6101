"""Bad input: one line on stderr naming the file, the line or key, and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartier.cli import main

BASE = 'extends = "self_organised"\n'
ACTORS_HEADER = "name,sector,time,money,material,rooms\n"
TIES_HEADER = "a,b,strength\n"
GOOD_ACTORS = ACTORS_HEADER + "Initiative,Bewohnerinitiative,5,5,0,0\nKita,day_care,2,20,2,4\n"
WITH_MAP = BASE + '[actors]\nmap = "actors.csv"\n'
WITH_TIES = WITH_MAP + '[ties]\nmap = "ties.csv"\n'


def with_ties(rows: str) -> dict[str, str | bytes]:
    """A scenario with a good actor map and a ties file with these rows."""
    return {"s.toml": WITH_TIES, "actors.csv": GOOD_ACTORS, "ties.csv": TIES_HEADER + rows}


# id, files (the first one is validated), fragments the error line must contain
CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    ("toml_syntax", {"s.toml": "name = \n"}, ["s.toml", "line 1, column", "invalid TOML"]),
    ("toml_duplicate_table", {"s.toml": BASE + "[ties]\n[ties]\n"}, ["line 3", "invalid TOML"]),
    (
        "unknown_key",
        {"s.toml": BASE + "[ties]\ndecay_per_mont = 0.1\n"},
        ["ties.decay_per_mont", "unknown key", "did you mean 'decay_per_month'"],
    ),
    ("unknown_top_key", {"s.toml": BASE + "yeras = 3\n"}, ["yeras", "did you mean 'years'"]),
    (
        "unknown_section",
        {"s.toml": BASE + "[catalist]\nmode = 'absent'\n"},
        ["catalist", "did you mean 'catalyst'"],
    ),
    ("wrong_type", {"s.toml": BASE + 'years = "long"\n'}, ["years", "valid number", "'long'"]),
    ("wrong_type_table", {"s.toml": BASE + "ties = 3\n"}, ["ties", "valid dictionary"]),
    (
        "out_of_range",
        {"s.toml": BASE + "[ties]\ndecay_per_month = 1.5\n"},
        ["ties.decay_per_month", "1.5 is out of range", "allowed [0, 1)"],
    ),
    ("years_range", {"s.toml": BASE + "years = 0\n"}, ["years", "allowed (0, 200]"]),
    (
        "probability",
        {"s.toml": BASE + "[cooperation]\nrepeat_bias = 1.2\n"},
        ["cooperation.repeat_bias", "allowed [0, 1]"],
    ),
    (
        "probability_in_list",
        {"s.toml": BASE + "[[meetings]]\nname = 'x'\nattendance = -0.1\n"},
        ["meetings.0.attendance", "allowed [0, 1]"],
    ),
    (
        "negative_resource",
        {
            "s.toml": BASE
            + "[resources.income]\nresidents = {time=-1, money=1, material=0, rooms=0}\n"
        },
        ["resources.income.residents.time", "-1 is out of range", "allowed [0, 80]"],
    ),
    (
        "bad_literal",
        {"s.toml": BASE + "[catalyst]\nmode = 'gone'\n"},
        ["catalyst.mode", "'absent', 'present', 'start_phase' or 'leaves'"],
    ),
    (
        "inconsistent_regime",
        {"s.toml": BASE + "regime = 'programme'\n"},
        ["(top level)", "programme.enabled"],
    ),
    (
        "missing_extends",
        {"s.toml": 'extends = "programme_fundet"\n'},
        ["extends", "unknown scenario", "did you mean 'programme_funded'"],
    ),
    (
        "missing_extends_path",
        {"s.toml": 'extends = "../nowhere.toml"\n'},
        ["extends", "no such file", "nowhere.toml"],
    ),
    ("extends_wrong_type", {"s.toml": "extends = 3\n"}, ["extends", "preset name"]),
    (
        "circular_extends",
        {
            "a.toml": 'extends = "b"\n',
            "b.toml": 'extends = "c.toml"\n',
            "c.toml": 'extends = "a"\n',
        },
        ["extends", "circular chain a.toml -> b.toml -> c.toml -> a.toml"],
    ),
    (
        "unknown_sector_toml",
        {"s.toml": BASE + "[actors]\ncounts = {sonstige = 3}\n"},
        ["actors.counts", "unknown sector 'sonstige'", "residents, civil_society"],
    ),
    (
        "unknown_sector_invited",
        {"s.toml": BASE + "[[meetings]]\nname='x'\ninvited=['residentz']\n"},
        ["meetings.0.invited", "did you mean 'residents'"],
    ),
    ("empty_file", {"s.toml": ""}, ["s.toml", "empty file"]),
    ("blank_file", {"s.toml": "\n  \n"}, ["s.toml", "empty file"]),
    ("binary_file", {"s.toml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, ["s.toml", "binary"]),
    (
        "latin1_file",
        {"s.toml": "name = 'Bewohnercaf\xe9'\n".encode("latin-1")},
        ["s.toml", "not UTF-8"],
    ),
    ("map_not_a_string", {"s.toml": BASE + "[actors]\nmap = 3\n"}, ["actors.map", "CSV"]),
    (
        "map_missing_file",
        {"s.toml": BASE + '[actors]\nmap = "nobody.csv"\n'},
        ["s.toml", "actors.map", "no such file", "nobody.csv"],
    ),
    (
        "csv_missing_columns",
        {"s.toml": WITH_MAP, "actors.csv": "name,sector,time\nA,Kita,1\n"},
        ["actors.csv", "line 1", "missing column(s) money, material, rooms"],
    ),
    (
        "csv_unknown_column",
        {
            "s.toml": WITH_MAP,
            "actors.csv": ACTORS_HEADER.strip() + ",engagment\nA,Kita,1,1,1,1,0.5\n",
        },
        ["actors.csv", "line 1", "unknown column 'engagment'", "did you mean 'engagement'"],
    ),
    (
        "csv_bad_number",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,viel,1,1,1\n"},
        ["actors.csv", "line 2, column time", "'viel' is not a number"],
    ),
    (
        "csv_empty_number",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,,1,1,1\n"},
        ["line 2, column time", "write 0 for none"],
    ),
    (
        "csv_out_of_range",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,100,1,1,1\n"},
        ["actors.csv", "line 2, column time", "allowed [0, 80]"],
    ),
    (
        "csv_negative",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,1,-5,1,1\n"},
        ["line 2, column money", "allowed [0, 10000]"],
    ),
    (
        "csv_unknown_sector",
        {
            "s.toml": WITH_MAP,
            "actors.csv": ACTORS_HEADER + "# c\nA,Kita,1,1,1,1\nB,Sonstige,1,1,1,1\n",
        },
        ["actors.csv", "line 4, column sector", "unknown sector 'Sonstige'", "sector_names"],
    ),
    (
        "csv_duplicate_name",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,1,1,1,1\nA,Schule,1,1,1,1\n"},
        ["actors.csv", "line 3", "duplicate actor name 'A' (first on line 2)"],
    ),
    (
        "csv_field_count",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,1,1,1\n"},
        ["line 2", "5 fields, expected 6"],
    ),
    (
        "csv_bad_topics",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER.strip() + ",topics\nA,Kita,1,1,1,1,1;x\n"},
        ["line 2, column topics: 'x' is a topic word among topic numbers", "topic_names"],
    ),
    (
        "csv_topic_out_of_range",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER.strip() + ",topics\nA,Kita,1,1,1,1,9\n"},
        ["line 2, column topics", "topic 9 out of range", "allowed 0 to 5"],
    ),
    ("csv_empty", {"s.toml": WITH_MAP, "actors.csv": ""}, ["actors.csv", "empty file"]),
    (
        "csv_header_only",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER},
        ["actors.csv", "no actors"],
    ),
    (
        "csv_binary",
        {"s.toml": WITH_MAP, "actors.csv": b"\x00\x01\x02PK\x03\x04"},
        ["actors.csv", "binary"],
    ),
    (
        "ties_unknown_actor",
        with_ties("Kita,Initiatve,0.5\n"),
        ["ties.csv", "line 2, column b", "unknown actor 'Initiatve'", "did you mean 'Initiative'"],
    ),
    (
        "ties_strength_range",
        with_ties("Kita,Initiative,0\n"),
        ["ties.csv", "line 2, column strength", "allowed (0, 1]"],
    ),
    ("ties_self", with_ties("Kita,Kita,0.5\n"), ["ties.csv", "line 2", "two different actors"]),
    (
        "ties_duplicate",
        with_ties("Kita,Initiative,0.5\nInitiative,Kita,0.4\n"),
        ["ties.csv", "line 3", "duplicate tie"],
    ),
    (
        "ties_missing_column",
        {"s.toml": WITH_TIES, "actors.csv": GOOD_ACTORS, "ties.csv": "a,b\nKita,Initiative\n"},
        ["ties.csv", "missing column(s) strength"],
    ),
    (
        "ties_without_actor_map",
        {"s.toml": BASE + '[ties]\nmap = "ties.csv"\n', "ties.csv": "a,b,strength\nA,B,0.5\n"},
        ["s.toml", "ties.map", "actor map"],
    ),
    (
        "inline_tie_unknown_actor",
        {"s.toml": BASE + "[[ties.initial]]\na='x'\nb='y'\nstrength=0.5\n"},
        ["ties.initial.0.a", "unknown actor 'x'"],
    ),
    # -- the chain of files that led to a problem is named, from the file the user gave
    (
        "extends_outside_the_project",
        {"s.toml": 'extends = "../../../../../../etc/passwd"\n'},
        ["s.toml: extends: '../../../../../../etc/passwd' is not a scenario file", "preset name"],
    ),
    (
        "extends_a_csv",
        {"s.toml": 'extends = "actors.csv"\n', "actors.csv": GOOD_ACTORS},
        ["s.toml: extends: 'actors.csv' is not a scenario file"],
    ),
    (
        "error_in_a_parents_parent",
        {
            "my.toml": 'extends = "sub/mid.toml"\n',
            "sub/mid.toml": 'extends = "../base.toml"\n',
            "base.toml": BASE + "[ties]\ndecay_per_mont = 0.1\n",
        },
        [
            "my.toml: extends → ",
            "sub/mid.toml: extends → ",
            "base.toml: ties.decay_per_mont: unknown key; did you mean 'decay_per_month'",
        ],
    ),
    (
        "value_from_a_parent",
        {"my.toml": 'extends = "base"\n', "base.toml": BASE + "years = 500\n"},
        ["my.toml: extends → ", "base.toml: years: 500 is out of range; allowed (0, 200]"],
    ),
    (
        "parent_not_toml",
        {"my.toml": 'extends = "base.toml"\n', "base.toml": "years = \n"},
        ["my.toml: extends → ", "base.toml: line 1, column", "invalid TOML"],
    ),
    (
        "parent_extends_unknown",
        {"a.toml": 'extends = "b"\n', "b.toml": 'extends = "programme_fundet"\n'},
        ["a.toml: extends → ", "b.toml: extends: unknown scenario 'programme_fundet'"],
    ),
    (
        "extends_list_position",
        {"s.toml": 'extends = ["self_organised", "nope.toml"]\n'},
        ["s.toml: extends.1: no such file 'nope.toml' (relative to this file)"],
    ),
    (
        "map_not_csv",
        {"s.toml": BASE + '[actors]\nmap = "actors.xlsx"\n'},
        ["s.toml: actors.map: 'actors.xlsx' is not a CSV file", ".csv, .tsv or .txt"],
    ),
    (
        "csv_error_names_the_scenario",
        {"s.toml": WITH_MAP, "actors.csv": ACTORS_HEADER + "A,Kita,viel,1,1,1\n"},
        ["s.toml: actors.map → ", "actors.csv: line 2, column time: 'viel' is not a number"],
    ),
    (
        "csv_declared_in_a_parent",
        {
            "c.toml": 'extends = "p"\n',
            "p.toml": WITH_MAP,
            "actors.csv": ACTORS_HEADER + "A,Kita,100,1,1,1\n",
        },
        ["c.toml: extends → ", "p.toml: actors.map → ", "actors.csv: line 2, column time"],
    ),
    (
        "inline_duplicate_actor",
        {
            "s.toml": BASE
            + "[[actors.roster]]\nname='A'\nsector='Kita'\ntime=1\nmoney=1\nmaterial=1\nrooms=1\n"
            + "[[actors.roster]]\nname='A'\nsector='Kita'\ntime=1\nmoney=1\nmaterial=1\nrooms=1\n"
        },
        ["actors.roster.1: duplicate actor name 'A' (first at actors.roster.0)"],
    ),
    # -- topic words and sector labels
    (
        "topic_word_not_declared",
        {
            "s.toml": WITH_MAP + 'topic_names = ["Jugend", "Spielplatz"]\n',
            "actors.csv": ACTORS_HEADER.strip() + ",topics\nA,Kita,1,1,1,1,Jugend;Spielplats\n",
        },
        [
            "actors.csv: line 2, column topics: 'Spielplats' is not one of actors.topic_names",
            "did you mean 'Spielplatz'",
        ],
    ),
    (
        "too_many_topic_words",
        {
            "s.toml": WITH_MAP,
            "actors.csv": ACTORS_HEADER.strip()
            + ",topics\nA,Kita,1,1,1,1,"
            + ";".join(f"Thema {k}" for k in range(10))
            + "\nB,Kita,1,1,1,1,Thema 0;Sport;Kultur;Feste\n",
        },
        ["actors.csv: line 3, column topics: 'Feste' is topic 13", "at most 12 topics"],
    ),
    (
        "topic_words_beyond_actors_topics",
        {
            "s.toml": WITH_MAP + "topics = 2\ninterests_per_actor = 1\n",
            "actors.csv": ACTORS_HEADER.strip() + ",topics\nA,Kita,1,1,1,1,a;b\nB,Kita,1,1,1,1,c\n",
        },
        ["line 3, column topics: 'c' is topic 3, but actors.topics = 2", "raise actors.topics"],
    ),
    (
        "topic_words_and_numbers",
        {
            "s.toml": WITH_MAP,
            "actors.csv": ACTORS_HEADER.strip()
            + ",topics\nA,Kita,1,1,1,1,0;3\nB,Kita,1,1,1,1,Sport\n",
        },
        ["line 3, column topics: 'Sport' is a topic word", "but line 2, column topics has topic"],
    ),
    (
        "topic_names_twice",
        {"s.toml": BASE + '[actors]\ntopic_names = ["Jugend", "jugend"]\n'},
        ["actors.topic_names: 'jugend' and 'Jugend' are the same name"],
    ),
    (
        "own_sector_label_unknown_sector",
        {"s.toml": BASE + '[actors]\nsector_names = { "Stadtteilladen" = "laden" }\n'},
        ["actors.sector_names.Stadtteilladen: unknown sector 'laden'"],
    ),
]


def make_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder / next(iter(files))


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("quartier: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("files", "fragments"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_input_gives_one_clear_line(
    files: dict[str, str | bytes],
    fragments: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = make_files(tmp_path, files)
    assert main(["scenarios", "validate", str(target)]) == 2
    line = one_error_line(capsys)
    for fragment in fragments:
        assert fragment in line


@pytest.mark.parametrize("command", [["run", "--years", "1"], ["scenarios", "show"]])
def test_every_command_reports_bad_files_alike(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = make_files(tmp_path, {"s.toml": BASE + "[ties]\ndecay_per_month = 2\n"})
    argv = [*command, "--scenario", str(target)] if command[0] == "run" else [*command, str(target)]
    assert main(argv) == 2
    assert "ties.decay_per_month" in one_error_line(capsys)


def test_a_bad_scenario_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_map = ACTORS_HEADER + "A,X,1,1,1,1\n"
    target = make_files(tmp_path, {"s.toml": WITH_MAP, "actors.csv": bad_map})
    out = tmp_path / "out"
    assert (
        main(["run", "--scenario", str(target), "--out", str(out), "--export-network", "graphml"])
        == 2
    )
    one_error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--export-network", "graphml"], "needs --out"),
        (["--export-at", "2"], "needs --export-network"),
        (["--export-network", "gexf", "--export-at", "1,x"], "'x' is not a number"),
        (["--export-network", "gexf", "--export-at", "5"], "allowed 0 to 1"),
    ],
)
def test_bad_export_options_write_nothing(
    options: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    extra = ["--out", str(out)] if "needs --out" not in fragment else []
    assert main(["run", "--years", "1", *extra, *options]) == 2
    assert fragment in one_error_line(capsys)
    assert not out.exists()


def test_unknown_preset_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", "self_organized"]) == 2
    assert "did you mean 'self_organised'" in one_error_line(capsys)
