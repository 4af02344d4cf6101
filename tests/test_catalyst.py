"""M7: the catalyst acts only through what it knows, spends real time, and lives the same
events in every regime."""

import numpy as np
import pytest

from simulation.config import COOPERATION_TYPES, TIME
from simulation.model import NeighbourhoodModel
from simulation.run import run
from tests.conftest import STATIC, small_config, small_programme

QUIET = {"cooperation.idea_rate": 0.0, "meetings": [], "everyday.contacts_per_week": 0.0}
ONLY = {
    f"catalyst.{f}": False
    for f in ("impulses", "introductions", "newcomers", "lulls", "supporters")
}


def _only(function: str, **extra) -> NeighbourhoodModel:
    config = small_config(
        QUIET
        | STATIC
        | ONLY
        | {f"catalyst.{function}": True, "catalyst.hours": 20, "catalyst.time": "paid"}
        | extra
    )
    return NeighbourhoodModel(config, rng=21)


def test_each_function_can_be_switched_on_alone():
    for function in ("impulses", "introductions", "newcomers"):
        model = _only(function, **{f"catalyst.{function}_per_month": 8.0})
        for _ in range(26):
            model.step()
        acted = {k for k, v in model.catalyst.actions.items() if v}
        assert acted == {function}, (function, model.catalyst.actions)


def test_an_introduction_strengthens_the_brokers_own_ties():
    model = _only("introductions")
    catalyst, ties = model.catalyst, model.ties
    contacts = ties.contacts_of(catalyst.holder)
    for _ in range(200):
        before = ties.strengths_among(np.append(contacts, catalyst.holder), model.week)
        catalyst.budget = 10.0
        catalyst.introduce()
        if catalyst.actions["introductions"]:
            break
    after = ties.strengths_among(np.append(contacts, catalyst.holder), model.week)
    made = np.argwhere(np.triu((before == 0) & (after > 0), 1))
    assert len(made) == 1  # two contacts who did not know each other
    a, b = made[0]
    gain = model.config.catalyst.broker_gain
    assert after[a, -1] == pytest.approx(min(before[a, -1] + gain, 1.0))
    assert after[b, -1] == pytest.approx(min(before[b, -1] + gain, 1.0))


def test_newcomers_come_from_the_contacts_of_its_contacts():
    model = _only("newcomers")
    catalyst, ties = model.catalyst, model.ties
    for _ in range(30):
        holder = catalyst.holder
        reached = {int(j) for c in ties.contacts_of(holder) for j in ties.contacts_of(c)}
        before = set(ties.contacts_of(holder).tolist())
        catalyst.budget = 10.0
        catalyst.bring_newcomer()
        drawn = set(ties.contacts_of(holder).tolist()) - before
        assert len(drawn) <= 1 and drawn <= reached
    assert catalyst.actions["newcomers"] > 0


def _cooperation_of(model: NeighbourhoodModel, members: list[int]) -> int:
    book = model.cooperations
    model.state.capacity[members] = 100
    k = int(
        book.propose_many(
            np.array([members[0]]), kinds=np.array([COOPERATION_TYPES.index("light_formal")])
        )[0]
    )
    for partner in members[1:]:
        book.join(k, partner)
    book.start(k)
    book.shortage[k] = 5  # stalled for a while
    return k


def test_supporters_only_for_cooperations_it_knows_of():
    model = _only("supporters")
    catalyst, ties = model.catalyst, model.ties
    reach = set(ties.contacts_of(catalyst.holder).tolist()) | {catalyst.holder}
    strangers = [i for i in range(model.state.size) if i not in reach][:3]
    unknown = _cooperation_of(model, strangers)
    for _ in range(20):
        catalyst.budget = 10.0
        catalyst.find_supporter()
    assert model.cooperations.supporters[unknown] == 0
    friend = int(ties.contacts_of(catalyst.holder)[0])
    others = [i for i in strangers if i != friend][:2]
    known = _cooperation_of(model, [friend, *others])
    for _ in range(20):
        catalyst.budget = 10.0
        catalyst.find_supporter()
    assert model.cooperations.supporters[known] > 0


def test_a_supporter_joins_a_cooperation_whose_roster_is_full():
    model = _only("supporters")
    catalyst, ties, book = model.catalyst, model.ties, model.cooperations
    contacts = ties.contacts_of(catalyst.holder).tolist()
    width = book.data.roster.shape[1]
    strangers = [i for i in range(model.state.size) if i not in [catalyst.holder, *contacts]]
    k = _cooperation_of(model, [contacts[0], *strangers[: width - 1]])
    assert book.n_members[k] == width  # no room left on the roster
    for _ in range(50):
        catalyst.budget = 10.0
        catalyst.find_supporter()
        if book.supporters[k]:
            break
    assert book.supporters[k] == 1 and catalyst.actions["supporters"] == 1
    assert book.n_members[k] == width + 1  # the roster grew
    supporter = book.group(k)[-1]
    assert supporter in contacts[1:]
    assert model.state.load[supporter] == 1


def test_a_lull_is_measured_against_the_neighbourhoods_own_recent_activity():
    model = _only("lulls")
    catalyst = model.catalyst
    catalyst._recent.extend([10] * 40)
    assert not catalyst.in_lull()
    catalyst._recent.append(6)  # below 0.7 of the recent mean
    assert catalyst.in_lull()
    catalyst._recent.clear()
    catalyst._recent.extend([1] * 40)
    assert not catalyst.in_lull()  # a quiet neighbourhood is not in a lull by being quiet


def test_a_revival_brings_a_real_partner():
    model = _only("lulls")
    catalyst, ties = model.catalyst, model.ties
    friend = int(ties.contacts_of(catalyst.holder)[0])
    k = _cooperation_of(model, [friend, catalyst.holder])
    catalyst._recent.extend([20] * 40)
    catalyst._recent.append(1)
    size = model.cooperations.n_members[k]
    for _ in range(20):
        catalyst.budget = 10.0
        catalyst.overcome_lull()
        if catalyst.actions["revivals"]:
            break
    assert catalyst.actions["revivals"] == 1
    assert model.cooperations.n_members[k] == size + 1 and model.cooperations.shortage[k] == 0


@pytest.mark.parametrize("time, spends", [("own", True), ("paid", False)])
def test_its_hours_come_out_of_the_holders_time_unless_paid(time, spends):
    config = small_config(QUIET | STATIC | {"catalyst.time": time, "catalyst.hours": 2.0})
    model = NeighbourhoodModel(config, rng=3)
    holder = model.catalyst.holder
    model.replenish()
    before = model.state.stock[holder, TIME]
    model.catalyst.act()
    used = before - model.state.stock[holder, TIME]
    assert used == pytest.approx(min(2.0, before) if spends else 0.0)


def test_impulses_seed_cooperations():
    config = small_config(
        {"catalyst.impulses_per_month": 6, "cooperation.idea_rate": 0.0, "catalyst.hours": 20}
    )
    result = run(config, seed=4)
    assert result.summary["catalyst_impulses"] > 0
    assert result.cooperations["seeded_by_catalyst"].sum() == result.summary["catalyst_impulses"]
    assert result.summary["started"] > 0


def test_when_the_lead_leaves_the_person_and_its_ties_go():
    config = small_config({"catalyst.mode": "leaves", "catalyst.leave_year": 1, "years": 2})
    model = NeighbourhoodModel(config, rng=6)
    holder = model.catalyst.holder
    for _ in range(52):
        model.step()
    assert not model.catalyst.active
    assert not model.state.active[holder] and model.ties.degree[holder] == 0
    frozen = dict(model.catalyst.actions)
    for _ in range(52):
        model.step()
    assert model.catalyst.actions == frozen


def test_when_the_qm_person_leaves_the_office_stays_and_loses_part_of_its_ties():
    config = small_programme(
        STATIC
        | {
            "catalyst.mode": "leaves",
            "catalyst.leave_year": 1,
            "turnover.ties_kept_on_staff_change": 0.0,
        }
    )
    model = NeighbourhoodModel(config, rng=6)
    holder = model.catalyst.holder
    assert holder == model.programme.qm
    for _ in range(52):
        model.step()
    assert not model.catalyst.active
    assert model.state.active[holder] and model.programme.qm == holder
    assert model.ties.degree[holder] == 0  # with no tie kept on a staff change
    assert model.turnover.staff_changes == 1


def test_a_successor_takes_the_role_over():
    config = small_config(
        {"catalyst.mode": "leaves", "catalyst.leave_year": 0.5, "catalyst.successor": True}
    )
    model = NeighbourhoodModel(config, rng=6)
    first = model.catalyst.holder
    for _ in range(27):
        model.step()
    assert model.catalyst.active
    assert model.catalyst.holder not in (first, -1)


def test_start_phase_catalyst_stops_but_stays_in_the_neighbourhood():
    config = small_config(
        {"catalyst.mode": "start_phase", "catalyst.start_phase_years": 0.5, **STATIC}
    )
    model = NeighbourhoodModel(config, rng=2)
    holder = model.catalyst.holder
    for _ in range(30):
        model.step()
    assert not model.catalyst.active
    assert model.state.active[holder]


def test_an_absent_catalyst_never_acts():
    result = run(small_config({"catalyst.mode": "absent"}), seed=3)
    actions = [
        v
        for k, v in result.summary.items()
        if k.startswith("catalyst_") and k not in ("catalyst_active_end", "catalyst_betweenness")
    ]
    assert actions and not any(actions)


def test_supporters_join_stalled_cooperations_within_the_cap():
    config = small_config({"resources.level": 0.4, "catalyst.hours": 30, "years": 3})
    model = NeighbourhoodModel(config, rng=9)
    for _ in range(156):
        model.step()
    book = model.cooperations
    assert model.catalyst.actions["supporters"] > 0
    assert np.max(book.supporters[: book.count]) <= config.catalyst.supporters_per_cooperation


def test_an_introduction_waits_for_room_and_then_the_three_meet():
    """A contact that finds an actor's adjacency row full is made once the row is widened."""
    model = _only("introductions")
    catalyst, ties, week = model.catalyst, model.ties, model.week
    holder = catalyst.holder
    width = ties.adjacency.data.nbr.shape[1]
    a, b, *others = [i for i in range(model.state.size) if i != holder][: width + 1]
    for actor in (holder, a, b):
        ties.remove_actor(actor)
    for actor in (a, b):
        ties.create(holder, actor, strength=0.5, t=week, lam=0.0)
    for other in others[: width - 1]:  # a's row is full
        ties.create(a, other, strength=0.5, t=week, lam=0.0)
    assert ties.degree[a] == width
    catalyst.budget = 10.0
    catalyst.introduce()
    assert catalyst.actions["introductions"] == 1
    assert ties.slot(a, b) >= 0 and ties.adjacency.data.nbr.shape[1] > width
    gain = model.config.catalyst.broker_gain
    assert ties.strength(ties.slot(holder, a), week) == pytest.approx(0.5 + gain)
    assert ties.strength(ties.slot(holder, b), week) == pytest.approx(0.5 + gain)


def test_a_newcomer_waits_for_room_in_the_catalysts_row_and_then_meets_it():
    model = _only("newcomers")
    catalyst, ties, week = model.catalyst, model.ties, model.week
    holder = catalyst.holder
    width = ties.adjacency.data.nbr.shape[1]
    *contacts, newcomer = [i for i in range(model.state.size) if i != holder][: width + 1]
    for actor in (holder, newcomer):
        ties.remove_actor(actor)
    for actor in contacts:  # the catalyst's row is full
        ties.create(holder, actor, strength=0.5, t=week, lam=0.0)
    ties.create(contacts[0], newcomer, strength=0.5, t=week, lam=0.0)
    model.state.engaged[newcomer] = False
    reach = set(ties.second_neighbours(holder).tolist())
    assert newcomer in reach and ties.degree[holder] == width
    catalyst.budget = 10.0
    while not catalyst.actions["newcomers"]:
        catalyst.bring_newcomer()
    met = set(ties.contacts_of(holder).tolist()) - set(contacts)
    assert len(met) == 1 and met <= reach
    assert ties.adjacency.data.nbr.shape[1] > width
