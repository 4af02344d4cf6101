"""Actor maps as people write them: topic words, German sector names, own sector labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quartier.commands.scenarios import resolved_toml
from scenarios.loader import load
from simulation.config import SECTOR_ALIASES, SECTORS, canonical_sector

HEADER = "name,sector,time,money,material,rooms,topics\n"
OFFICE = (
    HEADER + "Nachbarschaftstreff,Sozialer Träger,10,50,3,10,nachbarschaft;spielplatz;feste\n"
    "Jugendhaus,Freier Träger,8,40,2,6,jugend;sport\n"
    "Bolzplatz-Initiative,Initiative,4,0,1,0,Spielplatz; Sport\n"
    "Kita Sonnenschein,Kita,2,10,1,2,Familie\n"
    "Mieterbeirat,Mieterbeirat,3,0,0,0,Nachbarschaft\n"
    "WBG Süd,Wohnungsbaugenossenschaft,2,100,2,4,FESTE\n"
    "Bäckerei,Gewerbetreibende,1,10,2,0,Feste\n"
    "Bezirksamt,Bezirksamt,2,80,1,0,Jugend | Kinder und Jugend\n"
)


def scenario(folder: Path, csv: str, extra: str = "", csv_name: str = "actors.csv") -> Path:
    (folder / csv_name).write_text(csv, encoding="utf-8")
    path = folder / "s.toml"
    path.write_text(
        f'extends = "self_organised"\n[actors]\nmap = "{csv_name}"\n{extra}', encoding="utf-8"
    )
    return path


def test_topic_words_are_numbered_in_order_of_first_appearance(tmp_path: Path) -> None:
    config = load(scenario(tmp_path, OFFICE))
    names = ["nachbarschaft", "spielplatz", "feste", "jugend", "sport", "Familie"]
    assert config.actors.topic_names == [*names, "Kinder und Jugend"]
    assert config.actors.topics == 7, "raised to cover the map's seven topics"
    topics = {actor.name: actor.topics for actor in config.actors.roster}
    assert topics["Nachbarschaftstreff"] == [0, 1, 2]
    assert topics["Bolzplatz-Initiative"] == [1, 4]
    assert topics["WBG Süd"] == topics["Bäckerei"] == [2]
    assert topics["Bezirksamt"] == [3, 6]


def test_a_few_topic_words_keep_the_default_topic_count(tmp_path: Path) -> None:
    config = load(scenario(tmp_path, HEADER + "A,Verein,1,1,1,1,Jugend;Sport\n"))
    assert config.actors.topic_names == ["Jugend", "Sport"]
    assert config.actors.topics == 6


def test_a_declared_vocabulary_fixes_the_numbers(tmp_path: Path) -> None:
    declared = 'topic_names = ["Grünflächen", "Jugend", "Feste", "Sport"]\n'
    csv = HEADER + "A,Verein,1,1,1,1,gruenflaechen;FESTE\nB,Verein,1,1,1,1,3\nC,Verein,1,1,1,1,\n"
    config = load(scenario(tmp_path, csv, declared))
    assert config.actors.topic_names == ["Grünflächen", "Jugend", "Feste", "Sport"]
    assert [actor.topics for actor in config.actors.roster] == [[0, 2], [3], []]
    assert config.actors.topics == 6


def test_topic_numbers_keep_working(tmp_path: Path) -> None:
    config = load(scenario(tmp_path, HEADER + "A,Verein,1,1,1,1,0;3\nB,Verein,1,1,1,1,5 1\n"))
    assert [actor.topics for actor in config.actors.roster] == [[0, 3], [5, 1]]
    assert config.actors.topic_names is None


def test_an_inline_roster_may_name_topics_too(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'extends = "self_organised"\n[[actors.roster]]\nname = "A"\nsector = "Verein"\n'
        'time = 1\nmoney = 1\nmaterial = 1\nrooms = 1\ntopics = ["Jugend", "Sport"]\n',
        encoding="utf-8",
    )
    config = load(path)
    assert config.actors.roster[0].topics == [0, 1]
    assert config.actors.topic_names == ["Jugend", "Sport"]


def test_shown_configuration_reads_back_unchanged(tmp_path: Path) -> None:
    extra = 'sector_names = { "Kita" = "civil_society" }\n'
    config = load(scenario(tmp_path, OFFICE, extra))
    shown = tmp_path / "shown.toml"
    shown.write_text(resolved_toml(config), encoding="utf-8")
    assert load(shown) == config


def test_tab_separated_map_with_decimal_commas(tmp_path: Path) -> None:
    header = "name\tsector\ttime\tmoney\tmaterial\trooms\ttopics\n"
    csv = header + "Kita Sonne\tKita\t2,5\t20\t1\t4\tSport, Jugend\n"
    roster = load(scenario(tmp_path, csv, csv_name="actors.tsv")).actors.roster
    assert (roster[0].sector, roster[0].time, roster[0].topics) == ("public", 2.5, [0, 1])


@pytest.mark.parametrize(
    ("name", "sector"),
    [
        ("Sozialer Träger", "civil_society"),
        ("sozialer traeger", "civil_society"),
        ("Sozialer-Trager", "civil_society"),
        ("Freier Träger", "civil_society"),
        ("Wohlfahrtsverband", "civil_society"),
        ("Kirchengemeinde", "civil_society"),
        ("Initiative", "civil_society"),
        ("Verein", "civil_society"),
        ("Stadtverwaltung", "public"),
        ("Bezirksamt", "public"),
        ("Jugendamt", "public"),
        ("Grundschule", "public"),
        ("KITA", "public"),
        ("Wohnungsbaugenossenschaft", "housing"),
        ("Wohnungsgesellschaft", "housing"),
        ("Gewerbetreibende", "business"),
        ("Einzelhandel", "business"),
        ("Quartiersmanagement", "qm"),
        ("Bewohner:innen", "residents"),
        ("Bewohner*innen", "residents"),
        ("BewohnerInnen", "residents"),
        ("residents_initiative", "residents"),
        ("Öffentlich", "public"),
    ],
)
def test_common_german_spellings_of_sectors(name: str, sector: str) -> None:
    assert canonical_sector(name) == sector


def test_a_scenario_maps_its_own_labels_onto_sectors(tmp_path: Path) -> None:
    labels = 'sector_names = { "Stadtteilladen" = "business", "kita" = "Zivilgesellschaft" }\n'
    csv = (
        HEADER
        + "Laden,Stadtteil-Laden,1,1,1,1,\nKita Arche,Kita,1,1,1,1,\nSchule,Schule,1,1,1,1,\n"
    )
    config = load(scenario(tmp_path, csv, labels))
    assert [actor.sector for actor in config.actors.roster] == [
        "business",
        "civil_society",  # the scenario's own label wins over the built-in name
        "public",
    ]
    assert config.actors.sector_names == {"Stadtteilladen": "business", "kita": "civil_society"}


def test_docs_list_every_sector_name() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "SCENARIOS.md").read_text(encoding="utf-8")
    lines = docs[docs.index("| sector | accepted names") :].splitlines()[2:]
    table = lines[: next(k for k, line in enumerate(lines) if not line.startswith("|"))]
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2] for line in table}
    assert set(rows) == set(SECTORS)
    for alias, sector in SECTOR_ALIASES.items():
        assert re.search(rf"`{re.escape(alias)}`", rows[sector]), alias
