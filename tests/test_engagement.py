"""Who is engaged, with how many hours; organisations stay, their contact persons change."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scenarios.dotted import apply_overrides
from simulation import neighbourhood
from simulation.columns import Table
from simulation.config import SECTORS, TIME
from simulation.model import NeighbourhoodModel
from simulation.population import PUBLIC, RESIDENTS, ActorArrays, hours_in_class
from simulation.turnover import idle_actors
from tests.conftest import STATIC, small_config, turnover_everywhere

MANY = {
    "actors.counts": {"residents": 2000, "civil_society": 10},
    "actors.initiative_size": 0,
    "meetings": [],
    "catalyst.mode": "absent",
    "ties.initial_within_degree": 0.0,
    "ties.initial_cross_degree": 0.0,
}


def _residents(model: NeighbourhoodModel) -> np.ndarray:
    s = model.state
    return np.flatnonzero((s.view("sector") == RESIDENTS) & s.view("active"))


def test_a_share_of_residents_is_engaged_with_survey_hours():
    config = small_config(MANY | {"actors.traits.residents.engaged_share": 0.3})
    model = NeighbourhoodModel(config, rng=1)
    residents = _residents(model)
    engaged = model.state.engaged[residents]
    low, high = stats.binom.interval(0.999, len(residents), 0.3)
    assert low <= engaged.sum() <= high
    hours = model.state.income[residents[engaged], TIME]
    assert (model.state.income[residents[~engaged], TIME] == 0).all()
    classes = [(hours <= 2).mean(), ((hours >= 3) & (hours <= 5)).mean(), (hours >= 6).mean()]
    assert classes == pytest.approx([0.600, 0.229, 0.171], abs=0.06)  # FWS 2019


def test_who_is_not_engaged_has_no_ideas_and_joins_nothing():
    config = small_config(
        STATIC
        | {
            "actors.traits.residents.engaged_share": 0.5,
            "cooperation.idea_rate": 0.3,
            "catalyst.mode": "absent",  # its newcomers function persuades outsiders to engage
        }
    )
    model = NeighbourhoodModel(config, rng=2)
    outsiders = set(np.flatnonzero(~model.state.view("engaged")).tolist())
    assert outsiders
    for _ in range(26):
        model.step()
    book = model.cooperations
    members = {int(i) for k in range(book.count) for i in book.members[k]}
    assert not members & outsiders


def test_the_engaged_share_stays_put_without_anyone_drawing_people_in():
    config = small_config(
        MANY
        | turnover_everywhere(0.0, 0.0)
        | {"actors.traits.residents.engaged_share": 0.3, "actors.engagement_ends_per_year": 0.5}
    )
    model = NeighbourhoodModel(config, rng=3)
    shares = []
    for _ in range(4 * 52):
        model.step()
        shares.append(model.state.engaged[_residents(model)].mean())
    assert model.engagement.started > 300 and model.engagement.ended > 300
    assert np.mean(shares[52:]) == pytest.approx(0.3, abs=0.03)


def test_organisations_stay_when_idle_residents_drop_out():
    config = small_config(
        {
            "meetings": [],
            "catalyst.mode": "absent",
            "cooperation.idea_rate": 0.0,
            "years": 4,
            "turnover.max_inactive_weeks": 52,
        }
        | turnover_everywhere(0.0, 0.0, idle=False)
    )
    config = apply_overrides(config, {"turnover.sectors.residents.drops_out_when_idle": True})
    model = NeighbourhoodModel(config, rng=4)
    for _ in range(3 * 52):
        model.step()
    s = model.state
    organisations = s.view("sector") != RESIDENTS
    assert s.view("active")[organisations].all()
    assert not s.view("active")[~organisations].any()  # nobody did anything for 3 years


def test_idle_means_a_dropping_sector_no_cooperation_and_inactive_for_more_than_the_limit():
    table = Table(ActorArrays, rows=6, topics=2)
    table.reserve(6)
    actors = table.data
    actors.sector[:] = [RESIDENTS, RESIDENTS, RESIDENTS, RESIDENTS, PUBLIC, RESIDENTS]
    actors.active[:] = [True, True, True, True, True, False]
    actors.last_active[:] = [0.0, 0.0, 52.0, 51.0, 0.0, 0.0]
    actors.load[:] = [0, 1, 0, 0, 0, 0]
    drops_out = np.array([sector == "residents" for sector in SECTORS])
    # busy, inactive exactly the limit, another sector and a leaver are not idle
    assert idle_actors(actors, 6, drops_out, 104.0, 52).tolist() == [0, 3]
    assert idle_actors(actors, 3, drops_out, 104.0, 52).tolist() == [0]


def test_a_new_contact_person_keeps_about_the_set_share_of_ties():
    config = small_config(STATIC | {"turnover.ties_kept_on_staff_change": 0.25})
    model = NeighbourhoodModel(config, rng=5)
    organisation = int(np.flatnonzero(model.state.view("sector") != RESIDENTS)[0])
    others = np.flatnonzero(np.arange(model.state.size) != organisation)
    model.ties.meet(np.full(len(others), organisation), others, gain=0.3, t=model.week)
    before = int(model.ties.degree[organisation])
    model.turnover.change_staff(organisation)
    kept = int(model.ties.degree[organisation])
    low, high = stats.binom.interval(0.999, before, 0.25)
    assert low <= kept <= high and model.turnover.staff_changes == 1


def _hours_by_definition(rng: np.random.Generator, classes, at_least: float) -> float:
    usable = [c for c in classes if c.high >= at_least] or classes[-1:]
    shares = np.array([c.share for c in usable])
    u = rng.random(2)
    cumulative = np.cumsum(shares / shares.sum())
    pick = usable[min(int(np.searchsorted(cumulative, u[0], "right")), len(usable) - 1)]
    low = max(pick.low, min(at_least, pick.high))
    return float(low + u[1] * (pick.high - low))


@pytest.mark.parametrize("at_least", [0.0, 4.0, 50.0])
def test_volunteer_hours_are_drawn_by_their_classes_shares(at_least):
    """A class by its share among those reaching `at_least` (the last if none does), then
    uniform within it: the same numbers as the definition written out with NumPy, draw for
    draw, from the same stream."""
    classes = small_config().actors.volunteer_hours
    ours, theirs = np.random.default_rng(5), np.random.default_rng(5)
    hours, cumulative = neighbourhood.hours_classes(classes, at_least)
    drawn = [
        float(hours_in_class(*ours.random(2).tolist(), hours, cumulative, at_least))
        for _ in range(2000)
    ]
    expected = [_hours_by_definition(theirs, classes, at_least) for _ in range(2000)]
    assert drawn == expected
    assert min(drawn) >= min(at_least, classes[-1].high)


def _newcomer_by_definition(rng: np.random.Generator, config, sector: str) -> dict:
    """A new actor of `sector` as the model defines it, written out with NumPy: its topics
    of interest (the lowest of one uniform per topic), whether it is engaged, its income
    (volunteer hours for an engaged resident, no time if not engaged) scaled by the level,
    its cap and its stock of two weeks (capped)."""
    topics = config.actors.topics
    interests = np.zeros(topics, dtype=bool)
    interests[np.argsort(rng.random(topics))[: config.actors.interests_per_actor]] = True
    traits = config.actors.traits_of(sector)
    engaged = bool(rng.random() < traits.engaged_share)
    income = np.array(config.resources.income_of(sector).as_tuple())
    if sector == "residents" and engaged:
        income[TIME] += _hours_by_definition(rng, config.actors.volunteer_hours, 0.0)
    if not engaged:
        income[TIME] = 0.0
    income = income * config.resources.level
    weeks = np.full(len(income), config.resources.stock_weeks)
    weeks[TIME] = config.resources.time_stock_weeks
    cap = income * weeks
    return {
        "interests": interests,
        "engaged": engaged,
        "engagement": traits.engagement,
        "capacity": traits.capacity,
        "income": income,
        "cap": cap,
        "stock": np.minimum(cap, 2 * income),
    }


def test_newcomers_are_made_as_defined_draw_for_draw():
    """Each newcomer's interests, engagement and income are the numbers the definition
    written out with NumPy draws from the same stream, newcomer after newcomer."""
    config = small_config(
        STATIC | {"resources.level": 0.8, "actors.counts": {"residents": 5, "public": 2}}
    )
    model = NeighbourhoodModel(config, rng=7)
    theirs = np.random.default_rng(11)
    model.rng.bit_generator.state = theirs.bit_generator.state
    sectors = ["residents", "public", "residents", "housing", "residents"] * 40
    made = [model.add_actor(sector, f"new_{k}") for k, sector in enumerate(sectors)]
    s = model.state
    for i, sector in zip(made, sectors, strict=True):
        expected = _newcomer_by_definition(theirs, config, sector)
        assert s.active[i] and s.sector[i] == SECTORS.index(sector) and s.load[i] == 0
        for name, value in expected.items():
            assert np.array_equal(getattr(s, name)[i], value), (sector, name)
    assert 0 < s.engaged[made].sum() < len(made)  # residents drawn both ways
