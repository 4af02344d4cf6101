"""The configuration: bounds, unknown keys, overrides, sector names."""

import pytest
from pydantic import ValidationError

from scenarios.dotted import apply_overrides
from simulation.config import ScenarioConfig, canonical_sector


def test_unknown_keys_are_errors():
    with pytest.raises(ValidationError, match="extra"):
        ScenarioConfig.model_validate({"ties": {"decay_per_mont": 0.1}})


@pytest.mark.parametrize(
    "key, value",
    [
        ("ties.decay_per_month", 1.5),
        ("cooperation.incumbent_share", -0.1),
        ("resources.level", -1),
        ("actors.counts.residents", -3),
        ("years", 0),
    ],
)
def test_values_out_of_range_are_errors(key, value):
    with pytest.raises(ValidationError):
        apply_overrides(ScenarioConfig(), {key: value})


def test_overrides_walk_sections_mappings_and_lists():
    config = ScenarioConfig.model_validate({"meetings": [{"name": "forum", "host": "initiative"}]})
    changed = apply_overrides(
        config,
        {"meetings.0.interval_weeks": 13, "actors.counts.business": 3, "catalyst.mode": "absent"},
    )
    assert changed.meetings[0].interval_weeks == 13
    assert changed.actors.counts["business"] == 3
    assert changed.catalyst.mode == "absent"
    assert config.meetings[0].interval_weeks == 4, "the original is untouched"


def test_unknown_override_paths_are_errors():
    with pytest.raises(KeyError):
        apply_overrides(ScenarioConfig(), {"meetings.3.interval_weeks": 2})
    with pytest.raises(ValidationError):
        apply_overrides(ScenarioConfig(), {"ties.nonsense": 2})


def test_programme_regime_must_match():
    with pytest.raises(ValidationError, match="regime"):
        ScenarioConfig.model_validate({"regime": "programme"})


@pytest.mark.parametrize(
    "name, sector",
    [
        ("Wohnungsunternehmen", "housing"),
        ("housing_company", "housing"),
        ("Kita", "public"),
        ("Verein", "civil_society"),
        ("Bewohner", "residents"),
        ("Quartiersmanagement", "qm"),
    ],
)
def test_sector_names_in_german_or_english(name, sector):
    assert canonical_sector(name) == sector


def test_unknown_sector_names_list_the_allowed_ones():
    with pytest.raises(ValueError, match="allowed: residents"):
        canonical_sector("bakery")
