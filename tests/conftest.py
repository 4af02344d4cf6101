"""Shared helpers: small worlds that run in milliseconds."""

from __future__ import annotations

import pytest

from scenarios.dotted import apply_overrides
from simulation.config import SECTORS, MeetingFormat, ScenarioConfig

SMALL_COUNTS = {"residents": 12, "civil_society": 6, "public": 4, "housing": 2, "business": 4}


def turnover_everywhere(
    leave: float, arrive: float, staff: float = 0.0, idle: bool = False
) -> dict:
    """Overrides giving every sector the same turnover rates."""
    rule = {
        "leave_rate_per_year": leave,
        "arrival_rate_per_year": arrive,
        "staff_change_per_year": staff,
        "drops_out_when_idle": idle,
    }
    return {"turnover.sectors": {sector: dict(rule) for sector in SECTORS}}


STATIC = turnover_everywhere(0.0, 0.0) | {"actors.engagement_ends_per_year": 0.0}
"""Nobody leaves, arrives, changes or stops taking part: for tests of other mechanisms."""


def small_config(overrides: dict | None = None, **sections) -> ScenarioConfig:
    """A 28-actor self-organised neighbourhood over two years, without a warm-up (tests of
    mechanisms start from the first ties), with dotted-key overrides."""
    base = ScenarioConfig(
        name="small",
        years=2,
        warmup_years=0,
        actors={"counts": dict(SMALL_COUNTS), "initiative_size": 4},
        meetings=[
            MeetingFormat(
                name="forum", host="initiative", interval_weeks=4, capacity=30, attendance=0.6
            )
        ],
        **sections,
    )
    return apply_overrides(base, overrides or {})


def small_programme(overrides: dict | None = None) -> ScenarioConfig:
    """The small world with a programme whose QM hosts the forum and holds the catalyst role."""
    config = small_config(
        {
            "regime": "programme",
            "programme.enabled": True,
            "programme.funding_years": 2,
            "programme.transition_years": 0.5,
            "catalyst.holder": "qm",
            "meetings.0.host": "qm",
            "meetings.0.programme": True,
        }
    )
    return apply_overrides(config, overrides or {})


@pytest.fixture
def small() -> ScenarioConfig:
    return small_config()
