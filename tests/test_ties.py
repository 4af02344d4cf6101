"""M2: ties decay without contact by the documented law; contact reinforces; limits hold."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import ties as tie_kernels
from simulation.model import NeighbourhoodModel
from simulation.ties import OWN, TieStore, weekly_decay
from tests.conftest import small_config


def test_strength_decays_exponentially_without_contact():
    ties = TieStore()
    ties.add_actors(2)
    slot = ties.create(0, 1, strength=0.8, t=10, lam=0.05)
    for weeks in (0, 1, 13, 52):
        assert ties.strength(slot, 10 + weeks) == pytest.approx(0.8 * math.exp(-0.05 * weeks))


def test_monthly_decay_share_matches_config():
    config = small_config({"ties.decay_per_month": 0.05, "ties.cross_sector_decay_multiplier": 2})
    same, cross = weekly_decay(config.ties)
    weeks_per_month = 52 / 12
    assert 1 - math.exp(-same * weeks_per_month) == pytest.approx(0.05)
    assert cross == pytest.approx(2 * same)


def test_cross_sector_ties_decay_faster_in_the_model():
    model = NeighbourhoodModel(small_config(), rng=1)
    live = model.ties.live_slots()
    sector = model.state.sector
    cross = sector[model.ties.a[live]] != sector[model.ties.b[live]]
    assert cross.any() and (~cross).any()
    assert model.ties.lam[live[cross]].min() > model.ties.lam[live[~cross]].max()


def test_contact_reinforces_and_caps_at_one():
    ties = TieStore()
    ties.add_actors(3)
    ties.create(0, 1, strength=0.9, t=0, lam=0.0)
    how = ties._how(gain=0.3, new_strength=0.15, t=1, informed=True, origin=OWN)
    made = ties.contact(np.array([0, 1]), np.array([1, 2]), how, lam_of=np.zeros(2))
    assert made == 1
    assert ties.strength(ties.slot(0, 1), 1) == 1.0
    assert ties.strength(ties.slot(1, 2), 1) == pytest.approx(0.15)
    assert ties.informed[ties.slot(0, 1)] and ties.informed[ties.slot(1, 2)]


def test_prune_drops_weak_ties_and_keeps_the_strongest_within_the_cap():
    ties = TieStore()
    ties.add_actors(6)
    for j, w in zip(range(1, 6), (0.01, 0.2, 0.9, 0.5, 0.7), strict=True):
        ties.create(0, j, strength=w, t=0, lam=0.0)
    live, strength = ties.prune(t=0, below=0.05, max_ties=2)
    assert set(ties.contacts_of(0).tolist()) == {3, 5}
    assert len(ties) == 2
    assert live.tolist() == ties.live_slots().tolist()  # what prune returns is what is left
    assert strength.tolist() == [0.9, 0.7]


def _pruned_by_the_rule(ties: TieStore, below: float, max_ties: int) -> list[int]:
    """The slots `prune` deletes, in order, by its documented rule, written out plainly: the
    weak ties in slot order, then actor by actor its weakest beyond the cap (judged before
    any deletion; of equals, those where it is the lower end, each in slot order)."""
    live = ties.live_slots().tolist()
    now = {s: float(ties.strength(s, 0)) for s in live}
    kept = [s for s in live if now[s] >= below]
    gone = [s for s in live if now[s] < below]
    for x in range(ties.actors):
        mine = [s for s in kept if x in (ties.a[s], ties.b[s])]
        mine.sort(key=lambda s: (now[s], ties.a[s] != x, s))
        gone += mine[: max(len(mine) - max_ties, 0)]
    return list(dict.fromkeys(gone))  # a tie among the weakest of both ends goes once


@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from([0.01, 0.2, 0.5, 0.9])),
        max_size=40,
    ),
    st.integers(1, 4),
)
def test_prune_deletes_what_the_rule_says_in_its_order(ties_made, max_ties):
    ties = TieStore(width=4)
    ties.add_actors(8)
    for i, j, w in ties_made:
        if i != j and ties.slot(i, j) < 0:
            ties.create(i, j, strength=w, t=0, lam=0.0)
    expected = _pruned_by_the_rule(ties, below=0.05, max_ties=max_ties)
    ties.prune(t=0, below=0.05, max_ties=max_ties)
    freed = ties.slots.data.counters[tie_kernels.FREED]
    assert ties.free[:freed].tolist() == expected  # freed slots are stacked in deletion order
    _adjacency_matches_slots(ties)


def _adjacency_matches_slots(ties: TieStore) -> None:
    """Every live slot appears in both ends' adjacency rows, and nothing else does."""
    entries = set()
    for i in range(ties.actors):
        for j, slot in zip(
            ties.contacts_of(i).tolist(), ties.nslot[i, : ties.degree[i]].tolist(), strict=True
        ):
            assert ties.alive[slot] and {i, j} == {ties.a[slot], ties.b[slot]}
            entries.add((i, slot))
    live = ties.live_slots().tolist()
    assert entries == {(int(ties.a[s]), s) for s in live} | {(int(ties.b[s]), s) for s in live}


def test_freed_slots_are_reused_and_the_adjacency_stays_consistent():
    ties = TieStore(capacity=2, width=2)  # both grow on the way
    ties.add_actors(5)
    slots = [ties.create(0, j, 0.5, 0, 0.0) for j in range(1, 5)]
    ties.remove(np.array(slots[:2]))
    again = ties.create(2, 3, 0.5, 0, 0.0)
    assert again in slots[:2]
    assert len(ties) == 3
    _adjacency_matches_slots(ties)


def test_no_tie_outlives_the_cap_or_falls_below_the_prune_level_after_upkeep():
    config = small_config({"ties.max_ties": 5, "years": 1})
    model = NeighbourhoodModel(config, rng=3)
    for _ in range(52):
        model.step()
    model.monthly_upkeep()
    assert model.ties.degree.max() <= 5
    _adjacency_matches_slots(model.ties)
    live = model.ties.live_slots()
    assert model.ties.strength(live, model.week).min() >= config.ties.prune_below


def test_degrees_follow_creation_and_removal():
    ties = TieStore()
    ties.add_actors(4)
    ties.create(0, 1, 0.5, 0, 0.0)
    ties.create(0, 2, 0.5, 0, 0.0)
    ties.remove_actor(2)
    ties.create(3, 1, 0.5, 0, 0.0)
    assert ties.degree[:4].tolist() == [len(ties.contacts_of(i)) for i in range(4)] == [1, 2, 0, 1]


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=6),
)
def test_contact_leaves_the_ties_a_plain_dictionary_would(pairs, known):
    """Known pairs reinforce once per contact however often they appear, strangers get one
    new tie; checked against a dictionary of pairs (adjacency rows of width 2 must grow)."""
    ties = TieStore(capacity=2, width=2)
    ties.add_actors(6)
    expected: dict[tuple[int, int], list[float]] = {}
    for i, j in known:
        if i != j and ties.slot(i, j) < 0:
            ties.create(i, j, strength=0.3, t=0, lam=0.02)
            expected[min(i, j), max(i, j)] = [0.3 * math.exp(-0.02 * 4.0), False]
    made = 0
    for i, j in pairs:
        key = (min(i, j), max(i, j))
        if i == j or (key in expected and expected[key][1]):
            continue
        if key in expected:
            expected[key] = [min(expected[key][0] + 0.2, 1.0), True]
        else:
            expected[key] = [0.1, True]
            made += 1
    i, j = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    how = ties._how(gain=0.2, new_strength=0.1, t=4.0, informed=True, origin=OWN)
    assert ties.contact(i, j, how, np.full(len(pairs), 0.05)) == made
    assert len(ties) == len(expected)
    for (a, b), (strength, met) in expected.items():
        slot = ties.slot(b, a)
        assert ties.strength(slot, 4.0) == pytest.approx(strength)
        assert ties.informed[slot] == met
    _adjacency_matches_slots(ties)


def test_slot_minus_one_reads_as_no_tie_however_full_the_store_gets():
    ties = TieStore(capacity=4)
    ties.add_actors(40)
    for j in range(1, 40):
        ties.create(0, j, strength=0.9, t=0, lam=0.01, informed=True)
        ties.joint[ties.slot(0, j)] = 2
        assert ties.strength(-1, 5) == 0.0
        assert not ties.informed[-1] and ties.joint[-1] == 0
    assert ties.slots_of(np.array([1]), np.array([2])).tolist() == [-1]


def _triangle_world():
    """Actors 0-1-2 (a triangle) and 3 tied to 0 alone, all in one sector."""
    from simulation import neighbourhood, streams
    from simulation.population import Population

    config = small_config()
    population = Population(topics=config.actors.topics)
    rng = np.random.default_rng(0)
    for _ in range(4):
        population.add("x", 0, 0.0, neighbourhood.newcomers(config), streams.stream(rng))
    ties = TieStore(config.ties, population)
    ties.add_actors(4)
    for i, j in ((0, 1), (1, 2), (0, 2), (0, 3)):
        ties.meet(np.array([i]), np.array([j]), gain=0.5, t=0)
    return ties


def test_bridges_decay_faster_than_ties_with_a_common_third_party():
    ties = _triangle_world()
    ties.monthly_upkeep(0, 4)
    embedded, bridge = ties.slot(0, 1), ties.slot(0, 3)
    assert ties.lam[bridge] == pytest.approx(
        ties.lam[embedded] * ties.config.bridge_decay_multiplier
    )
    assert ties.bridges == 1
    assert ties.strength(bridge, 20) < ties.strength(embedded, 20)


def test_a_tie_that_gains_a_common_contact_slows_down_without_a_jump_in_strength():
    ties = _triangle_world()
    ties.monthly_upkeep(0, 4)
    slot = ties.slot(0, 3)
    before = ties.strength(slot, 10)
    ties.meet(np.array([3]), np.array([1]), gain=0.5, t=10)  # 1 now knows both 0 and 3
    ties.monthly_upkeep(10, 4)
    assert ties.lam[slot] == pytest.approx(ties.lam_same)
    assert ties.strength(slot, 10) == pytest.approx(before)
    assert ties.bridges == 0


def test_strengths_among_equals_the_strength_of_each_members_tie():
    """The matrix read from adjacency rows gives, for every pair of members, exactly the
    strength of their tie now (0 without one), symmetric, members in any order."""
    model = NeighbourhoodModel(small_config(), rng=3)
    for _ in range(30):
        model.step()
    ties, t = model.ties, float(model.week)
    members = model.rng.permutation(model.state.active_ids())[:25]
    matrix = ties.strengths_among(members, t)
    for x, i in enumerate(members.tolist()):
        for y, j in enumerate(members.tolist()):
            slot = ties.slot(i, j) if i != j else -1
            expected = tie_kernels.strength(ties.slots.data, slot, t) if slot >= 0 else 0.0
            assert matrix[x, y] == expected
    assert (matrix > 0).sum() > 0


def test_a_batchs_settings_have_the_same_types_whatever_callers_pass():
    """Kernel calls know a batch's settings by their class (`fixed_kind`), so they must be
    made with the declared types: an int gain or week, a 0/1 flag, a NumPy origin alike."""
    model = NeighbourhoodModel(small_config({"years": 1}), rng=2)
    ties = model.ties
    for how in (
        ties.batch(0, 3, informed=1, origin=np.int8(OWN)),
        ties.batch(0.25, 3.0, informed=False, new_strength=np.float32(0.5)),
    ):
        assert [type(v) for v in how[:5]] == [float, float, float, bool, int]
        assert how.sector.dtype == np.int8 and how.sector.flags.c_contiguous
        assert all(type(rate) is float for rate in how.rates)


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=40), st.integers(0, 9))
def test_second_neighbours_are_the_contacts_of_contacts_in_index_order(pairs, actor):
    ties = TieStore(capacity=4, width=2)
    ties.add_actors(10)
    for i, j in pairs:
        if i != j and ties.slot(i, j) < 0:
            ties.create(i, j, strength=0.5, t=0, lam=0.0)
    contacts = {x: set(ties.contacts_of(x).tolist()) for x in range(10)}
    two_steps = set().union(*(contacts[x] for x in contacts[actor])) - contacts[actor] - {actor}
    assert ties.second_neighbours(actor).tolist() == sorted(two_steps)


@settings(deadline=None)  # the first example may compile the kernels
@given(st.lists(st.tuples(st.integers(0, 69), st.integers(0, 69)), max_size=160))
def test_embedded_ties_have_a_common_contact_by_either_method(pairs):
    """A tie is embedded when its two ends share a contact: bitsets of contacts (up to
    `BITSET_MOST` actors with ties) and marking contacts give the same answer as the
    definition, for every live slot."""
    ties = TieStore(capacity=4, width=2)
    ties.add_actors(70)
    for i, j in pairs:
        if i != j and ties.slot(i, j) < 0:
            ties.create(i, j, strength=0.5, t=0, lam=0.0)
    slots, adjacency = ties.slots.data, ties.adjacency.data
    contacts = {x: set(ties.contacts_of(x).tolist()) for x in range(70)}
    expected = np.zeros(slots.counters[0], dtype=bool)
    for s in ties.live_slots().tolist():
        expected[s] = bool(contacts[slots.a[s]] & contacts[slots.b[s]])
    assert tie_kernels.embedded_ties(slots, adjacency).tolist() == expected.tolist()
    assert tie_kernels._embedded_by_bitsets(slots, adjacency).tolist() == expected.tolist()
    assert tie_kernels._embedded_by_marks(slots, adjacency).tolist() == expected.tolist()


def test_a_batchs_settings_are_one_object_while_the_actors_sectors_stay_put():
    """Kernels know a batch's settings by identity: the same settings give the same object,
    other settings their own, and once the actors' table has grown (a new sector array) the
    settings point to the new array."""
    model = NeighbourhoodModel(small_config(), rng=1)
    ties = model.ties
    how = ties.batch(0.1, 3.0, informed=False)
    assert ties.batch(0.1, 3.0, informed=False) is how
    assert ties.batch(0.1, 3.0) is not how and ties.batch(0.1, 3.0).informed
    for week in range(40):  # more settings than are kept: they are made afresh, the same
        assert ties.batch(0.0, float(week)).t == week
    assert ties.batch(0.1, 3.0, informed=False) == how
    while model.state.data.sector is how.sector:
        model.add_actor("residents", "newcomer")
    again = ties.batch(0.1, 3.0, informed=False)
    assert again.sector is model.state.data.sector and again[:5] == how[:5]
