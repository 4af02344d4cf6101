"""M4–M6: formation among known actors, pooled production, structures, outcome feedback."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import recruiting
from simulation.columns import Table
from simulation.config import COOPERATION_TYPES
from simulation.cooperations import (
    ABANDONED,
    COMPLETED,
    FAILED,
    FORMING,
    RUNNING,
    CooperationArrays,
    drop_member,
    memberships,
    without,
)
from simulation.model import NeighbourhoodModel
from simulation.recruiting import Candidates, ask
from simulation.run import run
from tests.conftest import STATIC, small_config, turnover_everywhere

PROJECTS_ONLY = {"cooperation.type_weights": {"intensive_formal": 1.0}}


def _total(config, key, seeds=range(4)):
    return sum(run(config, seed=s).summary[key] for s in seeds)


def test_partners_are_recruited_only_among_known_actors():
    model = NeighbourhoodModel(small_config({"cooperation.idea_rate": 0.05}), rng=2)
    for _ in range(30):
        model.step()
    book = model.cooperations
    checked = 0
    for k in range(book.count):
        members = book.members[k]
        for partner in members[1:]:
            # every partner knew someone in the group when it joined: a tie exists now or
            # it was created by joining; the candidate pool is the members' contacts
            assert partner != members[0]
            checked += 1
    assert checked > 0
    assert book.count > 0


def test_lifecycle_states_are_consistent():
    result = run(small_config({"years": 3}), seed=4)
    table = result.cooperations
    assert set(table["state"]) <= {"forming", "running", "completed", "failed", "abandoned"}
    ended = table[table["state"].isin(["completed", "failed"])]
    assert (ended["end_week"] >= ended["start_week"]).all()
    assert (ended["start_week"] >= ended["idea_week"]).all()
    assert (table.loc[table["state"] == "completed", "progress"] >= 1.0 - 1e-9).all()
    s = result.summary
    assert s["completed"] + s["failed"] + s["running_end"] == s["started"]


def _started(model: NeighbourhoodModel, count: int, kind: int, members: list[int]):
    """`count` cooperations of `kind` with `members`, started at once (structure negotiated)."""
    book = model.cooperations
    ids = book.propose_many(np.full(count, members[0]))
    book.kind[ids] = kind
    for k in ids.tolist():
        for partner in members[1:]:
            book.join(k, partner)
    book.start(ids)
    return ids


@pytest.mark.parametrize("experienced", [False, True])
@pytest.mark.parametrize("supported", [False, True])
def test_goals_and_coordination_are_negotiated_with_chances_from_who_is_in_it(
    experienced, supported
):
    config = small_config(
        {
            **STATIC,
            "cooperation.clear_goals": supported,
            "cooperation.coordinator_role": False,
            "catalyst.mode": "absent",
            "actors.counts.residents": 40,
        }
    )
    model = NeighbourhoodModel(config, rng=3)
    members = [0, 1, 2]
    model.state.joined[members] = 1 if experienced else 0
    model.state.capacity[members] = 10_000
    light = COOPERATION_TYPES.index("light_informal")
    ids = _started(model, 3000, light, members)
    s = config.cooperation.structure
    goals = s.goals_base + s.support * supported + s.experience * experienced
    coordination = s.coordinator_base + s.experience * experienced
    book = model.cooperations
    assert book.clear_goals[ids].mean() == pytest.approx(goals, abs=0.03)
    assert book.coordinated[ids].mean() == pytest.approx(coordination, abs=0.03)


def test_unclear_goals_slow_only_intensive_formal_cooperations():
    config = small_config({**STATIC, "cooperation.clear_goals": False})
    model = NeighbourhoodModel(config, rng=4)
    model.state.capacity[[0, 1, 2]] = 10_000
    book, efficiency = model.cooperations, config.cooperation.unclear_goals_efficiency
    for name in COOPERATION_TYPES:
        ids = _started(model, 200, COOPERATION_TYPES.index(name), [0, 1, 2])
        vague = ids[~book.clear_goals[ids]]
        clear = ids[book.clear_goals[ids]]
        assert len(vague) and len(clear)
        slowed = efficiency if name == "intensive_formal" else 1.0
        assert np.allclose(book.rate[vague] * book.duration[vague], slowed)
        assert np.allclose(book.rate[clear] * book.duration[clear], 1.0)


def test_only_cooperations_with_a_coordinator_role_name_a_coordinator():
    config = small_config(STATIC)
    model = NeighbourhoodModel(config, rng=5)
    model.state.capacity[[0, 1, 2]] = 10_000
    book = model.cooperations
    ids = _started(model, 300, COOPERATION_TYPES.index("intensive_formal"), [0, 1, 2])
    assert (book.coordinator[ids][book.coordinated[ids]] >= 0).all()
    assert (book.coordinator[ids][~book.coordinated[ids]] == -1).all()


def test_the_scenario_lever_raises_the_share_of_clear_goals():
    shares = [
        run(small_config({"years": 4, "cooperation.clear_goals": lever}), seed=s).summary[
            "clear_goals_share"
        ]
        for lever in (False, True)
        for s in (1, 2)
    ]
    assert min(shares[2:]) > max(shares[:2])


@pytest.mark.parametrize("outcome, sign", [(COMPLETED, 1), (FAILED, -1)])
def test_outcomes_feed_back_into_the_members_ties(outcome, sign):
    model = NeighbourhoodModel(small_config({"cooperation.idea_rate": 0.0}), rng=1)
    book = model.cooperations
    k = model.actor(0).propose_cooperation()
    for partner in (1, 2):
        if partner not in book.members[k]:
            book.join(k, partner)
    if book.state[k] == FORMING:
        book.start(k)
    assert book.state[k] == RUNNING
    members = np.asarray(book.members[k])
    slots = model.ties.slots_of(members[[0, 0, 1]], members[[1, 2, 2]])
    before = model.ties.strength(slots, model.week)
    book._close(k, outcome)
    after = model.ties.strength(slots, model.week)
    ties = model.config.ties
    change = ties.success_gain if outcome == COMPLETED else -ties.failure_loss
    assert np.allclose(after, np.clip(before + change, 0, 1))
    assert (model.ties.joint[slots] == 1).all()
    assert (model.state.load[members] == 0).all()


def test_light_informal_cooperations_outnumber_intensive_formal_ones_when_ideas_are_even():
    """Stylised fact 1 emerges from needs and durations; idea types are drawn evenly."""
    s = run(small_config({"years": 6}), seed=11).summary
    assert s["completed_light_informal"] > s["completed_intensive_formal"]


def test_a_member_who_leaves_drops_out_of_its_cooperations():
    model = NeighbourhoodModel(small_config({"cooperation.idea_rate": 0.1}), rng=8)
    for _ in range(10):
        model.step()
    book = model.cooperations
    k = next(iter(book.running))
    leaver = book.members[k][-1]
    before = {j: book.members[j] for j in book.open_ids()}
    model.remove_actor(leaver)
    assert all(leaver not in book.members[j] for j in book.open_ids())
    for j in book.open_ids():  # the others keep their order; the roster row is padded with -1
        assert book.members[j] == [i for i in before[j] if i != leaver]
        assert (book.roster[j, book.n_members[j] :] == -1).all()
    assert not model.state.active[leaver]
    assert model.ties.degree[leaver] == 0 and not len(model.ties.contacts_of(leaver))


def test_newcomer_share_agrees_with_the_cooperation_table():
    result = run(small_config({"years": 3}), seed=12)
    table = result.cooperations
    started = table[table["state"].isin(["running", "completed", "failed"])]
    assert result.summary["newcomer_share"] == pytest.approx((started["newcomers"] > 0).mean())


def test_actors_involved_are_the_members_of_open_cooperations():
    model = NeighbourhoodModel(small_config(turnover_everywhere(0.5, 0.0)), rng=6)
    book = model.cooperations
    for _ in range(52):
        model.step()
        members = set().union(*(book.members[k] for k in book.open_ids()))
        assert book.actors_involved() == len(members)


def test_the_running_ids_follow_starts_and_ends_in_the_order_they_started():
    """The arrays of forming and running cooperations are kept up to date as cooperations are
    proposed, start and end (not rebuilt): always those in formation in the order they were
    proposed, the running ones in the order they started (by week, then in the order they
    were proposed), and not writeable."""
    model = NeighbourhoodModel(small_config(turnover_everywhere(0.5, 0.0)), rng=6)
    book = model.cooperations
    changes = 0
    for _ in range(104):
        before = book.running_ids().tolist()
        model.step()
        ids = book.running_ids()
        running = np.flatnonzero(book.view("state") == RUNNING)
        expected = running[np.lexsort((running, book.view("start_week")[running]))]
        assert ids.tolist() == expected.tolist() == list(book.running)
        forming = book.forming_ids()
        assert forming.tolist() == np.flatnonzero(book.view("state") == FORMING).tolist()
        assert not ids.flags.writeable and not forming.flags.writeable
        changes += ids.tolist() != before
    assert changes > 10


def _asks(weights, joined, repeat, trials, partners=1, incumbent_share=0.6, repeat_bias=0.65):
    """The partners one cooperation of initiator 0 takes, in order, over `trials` fresh asks.

    Actors 1..n are the candidates with the given weights; every asked actor accepts."""
    config = small_config(
        {"cooperation.incumbent_share": incumbent_share, "cooperation.repeat_bias": repeat_bias}
    )
    model = NeighbourhoodModel(config, rng=5)
    book, state = model.cooperations, model.state
    k = book.propose(0)
    book.target[k] = partners
    n = len(weights)
    actors = np.arange(1, n + 1)
    state.joined[actors] = joined
    state.capacity[actors] = 1000
    owner = np.zeros(n, dtype=np.int64)
    weight = np.asarray(weights, dtype=float)
    group = np.where(state.joined[actors] > 0, np.where(repeat, 0, 1), 2)
    taken = []
    for _ in range(trials):
        accept = np.ones(n)  # every asked actor accepts
        asks = config.cooperation.candidates
        found = Candidates(owner, actors, weight, accept, group)
        ask(
            book.data,
            state.data,
            np.array([k]),
            found,
            book.recruiting,
            0.0,
            model.rng.standard_exponential(n),
            model.rng.random(4 * asks),
        )
        taken.append(tuple(book.members[k][1:]))
        for partner in taken[-1]:  # back to the initiator alone for the next trial
            state.load[partner] -= 1
            drop_member(book.data, k, partner)
    return taken


def test_asks_pick_candidates_in_proportion_to_their_weight():
    weights = [1.0, 2.0, 3.0, 4.0]
    first = [t[0] for t in _asks(weights, joined=0, repeat=[False] * 4, trials=4000)]
    shares = np.bincount(first, minlength=5)[1:] / len(first)
    assert shares == pytest.approx(np.array(weights) / sum(weights), abs=0.025)


@pytest.mark.parametrize(
    "joined, repeat, p",
    [
        (0, [False] * 3, 0.6),  # all newcomers
        (1, [True, False, False], 1.0),  # incumbents in two pools (repeat or not), q = 0 mixes them
    ],
)
def test_later_asks_are_weighted_among_those_not_yet_asked(joined, repeat, p):
    """Sampling without replacement: P(i then j) = w_i/W · w_j/(W − w_i), also when the
    candidates sit in different pools."""
    weights = np.array([3.0, 1.0, 2.0])
    taken = _asks(
        weights,
        joined=joined,
        repeat=repeat,
        trials=6000,
        partners=2,
        incumbent_share=p,
        repeat_bias=0.0,
    )
    total = weights.sum()
    for i in range(3):
        for j in range(3):
            if i != j:
                expected = weights[i] / total * weights[j] / (total - weights[i])
                observed = taken.count((i + 1, j + 1)) / len(taken)
                assert observed == pytest.approx(expected, abs=0.02)


def test_incumbents_newcomers_and_repeat_partners_follow_guimeras_p_and_q():
    """Actor 1 worked with the initiator before, actor 2 is another incumbent, 3 and 4 are
    newcomers: P(1) = pq + p(1 − q)/2, P(2) = p(1 − q)/2, P(newcomer) = 1 − p."""
    p, q = 0.6, 0.65
    first = [
        t[0]
        for t in _asks(
            [1.0] * 4,
            joined=[2, 1, 0, 0],
            repeat=[True, False, False, False],
            trials=5000,
            incumbent_share=p,
            repeat_bias=q,
        )
    ]
    shares = np.bincount(first, minlength=5)[1:] / len(first)
    assert shares[0] == pytest.approx(p * q + p * (1 - q) / 2, abs=0.025)
    assert shares[1] == pytest.approx(p * (1 - q) / 2, abs=0.02)
    assert shares[2] + shares[3] == pytest.approx(1 - p, abs=0.025)


def test_joint_work_finds_member_ties_again_when_their_cached_slot_was_reused():
    """Member pairs' tie slots are cached between months; a pruned tie whose slot now holds
    another pair must not be reinforced in its place: the members meet again instead."""
    model = NeighbourhoodModel(small_config(), rng=4)
    book, ties, week = model.cooperations, model.ties, model.week
    k = book.propose(0)
    for actor in (1, 2):
        book.join(k, actor)
    book.start(k)
    book.joint_work()
    first = ties.slot(0, 1)
    assert first >= 0 and ties.slot(0, 2) >= 0 and ties.slot(1, 2) >= 0
    ties.remove(np.array([first]))
    x, y = next((x, y) for x in range(3, 20) for y in range(x + 1, 20) if ties.slot(x, y) < 0)
    assert ties.create(x, y, strength=0.5, t=week, lam=0.0) == first  # the slot is reused
    book.joint_work()
    again = ties.slot(0, 1)
    assert again >= 0 and again != first
    assert ties.strength(first, week) == 0.5  # the other pair's tie is untouched
    gain, new = model.config.ties.joint_work_gain, model.config.ties.new_tie_strength
    assert ties.strength(again, week) == pytest.approx(min(new + gain, 1.0))
    member_ties = [ties.strength(ties.slot(i, j), week) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert book.at_risk[k] == (np.mean(member_ties) < book.config.trust_threshold)


def test_ideas_take_a_topic_of_their_initiator_and_stay_in_their_type_ranges():
    model = NeighbourhoodModel(small_config({"cooperation.idea_rate": 0.05, **STATIC}), rng=8)
    for _ in range(52):
        model.step()
    book, state = model.cooperations, model.state
    assert book.count > 20
    for k in range(book.count):
        params = book.config.type_parameters(book_type := COOPERATION_TYPES[book.kind[k]])
        assert state.interests[book.initiator[k], book.topic[k]], book_type
        assert params.weeks_min <= book.duration[k] <= params.weeks_max
        assert params.partners_min <= book.target[k] <= params.partners_max
        assert book.need[k].tolist() == pytest.approx(
            [x * (book.target[k] + 1) for x in params.need.as_tuple()]
        )
        if state.active[book.initiator[k]]:
            assert book.members[k][0] == book.initiator[k]


def test_a_stalled_cooperation_rescopes_once_then_gives_up():
    from simulation import work

    config = small_config(
        STATIC | {"cooperation.patience_weeks": 3, "cooperation.rescope_keep": 0.5}
    )
    model = NeighbourhoodModel(config, rng=6)
    model.state.capacity[[0, 1, 2]] = 10_000
    book = model.cooperations
    k = _started(model, 1, COOPERATION_TYPES.index("light_formal"), [0, 1, 2])
    book.progress[k] = 0.2
    nothing = np.zeros((1, 4))
    outcomes = []
    for _ in range(8):
        done, failed = work.advance(
            book.data, k, nothing, np.zeros(1, bool), book.work_rules, np.ones(1)
        )
        outcomes.append(len(done) - len(failed))
        if outcomes[-1]:
            break
    assert book.rescoped[k[0]]
    assert book.progress[k[0]] == pytest.approx(1 - 0.8 * 0.5)  # half the remaining work kept
    assert outcomes == [0, 0, 0, 0, 0, 0, 0, -1]  # 4 stalled weeks, re-scope, 4 more, give up
    assert book.ended_by[k[0]] == work.GIVEN_UP


def test_a_slow_week_counts_as_stalled_a_full_one_does_not():
    from simulation import work

    model = NeighbourhoodModel(small_config(STATIC), rng=7)
    model.state.capacity[[0, 1, 2]] = 10_000
    book = model.cooperations
    k = _started(model, 1, COOPERATION_TYPES.index("light_formal"), [0, 1, 2])
    full = book.need[k].copy()
    slow = full * 0.6  # 0.6² = 0.36 of the nominal progress: below stall_share 0.5
    for pooled, stalled in ((full, 0), (slow, 1), (slow, 2), (full, 0)):
        work.advance(book.data, k, pooled, np.zeros(1, bool), book.work_rules, np.ones(1))
        assert book.shortage[k[0]] == stalled


def test_partner_search_among_anyone_reaches_actors_nobody_in_the_group_knows():
    for search, strangers_join in (("contacts", False), ("anyone", True)):
        config = small_config(
            STATIC
            | {
                "cooperation.partner_search": search,
                "cooperation.idea_rate": 0.0,
                "ties.initial_within_degree": 0.0,
                "ties.initial_cross_degree": 0.0,
                "actors.initiative_size": 0,
                "meetings": [],
                "catalyst.mode": "absent",
                "everyday.contacts_per_week": 0.0,
            }
        )
        model = NeighbourhoodModel(config, rng=8)
        book = model.cooperations
        k = book.propose_many(
            np.array([0]), kinds=np.array([COOPERATION_TYPES.index("intensive_formal")])
        )[0]
        for _ in range(3):
            book.recruit()
        assert (book.n_members[k] > 1) == strangers_join, search


def test_who_joins_meets_every_earlier_member_and_a_running_cooperation_counts_it_at_once():
    model = NeighbourhoodModel(small_config({**STATIC, "actors.counts.residents": 40}), rng=5)
    book, ties, state = model.cooperations, model.ties, model.state
    state.capacity[:] = 100
    width = book.roster.shape[1]
    k = book.propose(0)
    joiners = list(range(1, width + 2))  # more than the roster holds at first
    book.join(k, joiners[0])
    assert state.joined[joiners[0]] == 0  # forming: counted when it starts
    book.start(k)
    assert state.joined[[0, joiners[0]]].tolist() == [1, 1]
    before = state.load[joiners[1:]].copy()
    for actor in joiners[1:]:
        book.join(k, actor)
    members = book.group(k).tolist()
    assert members == [0, *joiners]
    assert all(ties.slot(a, b) >= 0 for a in members for b in members if a < b)
    assert (state.load[joiners[1:]] == before + 1).all()
    assert (state.joined[joiners] == 1).all()
    assert (state.last_active[joiners] == model.week).all()
    assert book.newcomers[k] == len(members)  # none had joined a cooperation before


@settings(deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=40), st.randoms())
def test_asks_take_a_pools_candidates_in_the_order_of_a_stable_sort_by_key(keys, random):
    """Each ask takes the pool's candidate with the lowest key not yet taken, the first of
    equal keys: the order a stable sort of the pool by key gives (keys with many ties here)."""
    key = np.array(keys, dtype=float)
    order = np.arange(len(key))
    random.shuffle(order)
    taken = np.zeros(len(key), dtype=bool)
    picks = [recruiting._lowest_key(order, 0, len(order), key, taken) for _ in order]
    assert picks == sorted(order.tolist(), key=lambda c: key[c])


def test_a_leavers_memberships_are_its_forming_then_its_running_cooperations_in_their_order():
    """Leaving drops an actor from its forming cooperations (in the order they were proposed)
    and then its running ones (in the order they started); the running ids lose the ended
    ones and keep their order."""
    book = Table(CooperationArrays, rows=6, members=3, pairs=3)
    book.reserve(6)
    rosters = {0: [4, 7], 1: [7], 2: [5, 6], 3: [7, 5], 4: [1], 5: [2, 3, 7]}
    for k, members in rosters.items():
        book.data.roster[k, : len(members)] = members
        book.data.n_members[k] = len(members)
    forming, running = np.array([0, 2, 5]), np.array([3, 4, 1])
    running.flags.writeable = False  # as the book hands them out
    assert memberships(book.data, forming, running, 7).tolist() == [0, 5, 3, 1]
    assert memberships(book.data, forming, running, 9).tolist() == []
    assert without(running, np.array([4])).tolist() == [3, 1]
    assert without(running, np.array([1, 3])).tolist() == [4]


def test_a_new_members_ties_are_the_programmes_only_where_its_cooperation_draws_on_the_fund():
    from simulation.ties import OWN, PROGRAMME
    from tests.conftest import small_programme

    model = NeighbourhoodModel(small_programme(STATIC), rng=2)
    model.step()
    book, ties = model.cooperations, model.ties
    assert model.programme.funded
    drawn, not_drawn = book.propose(0), book.propose(1)
    book.data.fund_drawn[drawn] = 100.0
    for k in (drawn, not_drawn):
        stranger = next(
            x for x in range(2, model.state.size) if ties.slot(x, book.members[k][0]) < 0
        )
        book.join(k, stranger, supporter=k == drawn)
        origin = ties.origin[ties.slot(stranger, book.members[k][0])]
        assert origin == (PROGRAMME if k == drawn else OWN)
    assert book.data.supporters[drawn] == 1 and book.data.supporters[not_drawn] == 0


def test_a_weeks_ideas_are_the_same_whether_the_book_must_grow_for_them_or_not():
    """Ideas are proposed in the compiled step when the book has rows for them, else after
    it grows: the same cooperations either way, draw for draw."""
    config = small_config({"cooperation.idea_rate": 1.0})
    tight, roomy = NeighbourhoodModel(config, rng=12), NeighbourhoodModel(config, rng=12)
    roomy.cooperations.ensure(roomy.cooperations.rows + 4096)
    for _ in range(30):
        tight.step()
        roomy.step()
    a, b = tight.cooperations, roomy.cooperations
    assert a.count == b.count > 0 and a.rows < b.rows
    for name in ("state", "kind", "topic", "initiator", "target", "n_members", "duration"):
        assert np.array_equal(a.view(name), b.view(name)), name
    assert a.forming == b.forming and a.running == b.running


def test_a_leaver_is_replaced_as_coordinator_and_its_own_formation_is_abandoned():
    """Leaving takes an actor out of every open cooperation, keeping the others' order: a
    running one it coordinated gets the member with the most weekly time (the first of
    equals), one in formation it initiated is abandoned, one it only joined goes on."""
    model = NeighbourhoodModel(small_config(STATIC | {"cooperation.idea_rate": 0.0}), rng=3)
    book, state = model.cooperations, model.state
    leaver, *others = np.flatnonzero(state.view("active"))[:6].tolist()
    state.capacity[[leaver, *others]] = 10
    running = int(book.propose_many(np.array([others[0]]))[0])
    for actor in (leaver, others[1], others[2], others[3]):
        book.join(running, actor)
    book.start(running)
    book.coordinated[running], book.coordinator[running] = True, leaver
    state.income[[others[0], others[1], others[2], others[3]], 0] = [1.0, 5.0, 2.0, 5.0]
    own, joined = book.propose_many(np.array([leaver, others[4]]))
    book.join(int(joined), leaver)
    model.remove_actor(leaver)
    assert book.group(running).tolist() == others[:4]
    assert book.coordinator[running] == others[1]
    assert book.state[own] == ABANDONED and own not in book.forming
    assert book.group(joined).tolist() == [others[4]] and joined in book.forming
    assert state.load[leaver] == 0
