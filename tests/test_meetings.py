"""M3: meetings bring strangers together, cost time and inspire exchange."""

import numpy as np

from simulation.config import MeetingFormat
from simulation.model import NeighbourhoodModel
from tests.conftest import STATIC, small_config


def _no_ties_world(**meeting):
    spec = MeetingFormat(
        name="forum",
        host="initiative",
        interval_weeks=1,
        capacity=100,
        attendance=1.0,
        contacts_per_attendee=4,
        **meeting,
    )
    config = small_config(
        {
            "ties.initial_within_degree": 0,
            "ties.initial_cross_degree": 0,
            "actors.initiative_size": 1,
            "catalyst.mode": "absent",
            "cooperation.idea_rate": 0.0,
            "everyday.contacts_per_week": 0.0,
            **STATIC,
        }
    )
    return NeighbourhoodModel(config.model_copy(update={"meetings": [spec]}), rng=5)


def test_meetings_create_acquaintances_among_attendees():
    model = _no_ties_world()
    assert len(model.ties) == 0
    model.step()
    meeting = model.meetings[0]
    assert meeting.held == 1
    assert meeting.new_ties_total > 0
    assert len(model.ties) == meeting.new_ties_total
    assert model.ties.informed[model.ties.live_slots()].all(), "attendees learn resources"


def test_no_meeting_structures_means_no_new_acquaintances():
    model = _no_ties_world()
    model.meetings[0].stop()
    for _ in range(10):
        model.step()
    assert len(model.ties) == 0


def test_attending_costs_time_and_exchange_inspires():
    model = _no_ties_world(hours=1.5)
    model.replenish()
    before = model.state.view("stock")[:, 0].copy()
    model.meetings[0].hold()
    came = model.state.view("inspiration") > 0
    spent = before - model.state.view("stock")[:, 0]
    assert came.sum() >= 2
    assert np.allclose(spent[came], 1.5)
    assert np.allclose(spent[~came], 0.0)


def test_attendees_are_active_that_week_and_only_a_formal_meeting_is_noted_as_one():
    for kind, formal in (("forum", True), ("cafe", False)):
        model = _no_ties_world(kind=kind)
        model.meetings[0].hold()
        came = model.state.view("inspiration") > 0
        assert came.sum() >= 2
        assert (model.state.view("last_active")[came] == model.week).all()
        last_formal = model.state.view("last_formal")
        if formal:
            assert (last_formal[came] == model.week).all()
            assert np.isneginf(last_formal[~came]).all()
        else:
            assert np.isneginf(last_formal).all()


def test_without_exchange_attendees_are_not_inspired():
    model = _no_ties_world(exchange=False)
    model.meetings[0].hold()
    assert model.meetings[0].held == 1
    assert (model.state.view("inspiration") == 0).all()


def test_capacity_limits_attendance():
    model = _no_ties_world(hours=0.0)
    model.meetings[0].spec = model.meetings[0].spec.model_copy(update={"capacity": 5})
    attendees = model.meetings[0]._attendees(model.host_of("initiative"))
    assert len(attendees) <= 5
    assert model.host_of("initiative") in attendees


def test_those_close_to_the_host_come_more_often():
    """The chance to come grows with the tie to the host (× (0.5 + strength)): actors with a
    full-strength tie come about three times as often as strangers to the host."""
    model = _no_ties_world(hours=0.0)
    model.meetings[0].spec = model.meetings[0].spec.model_copy(update={"attendance": 0.2})
    host = model.host_of("initiative")
    invited = np.flatnonzero(model.state.view("active") & model.state.view("engaged"))
    invited = invited[invited != host]
    close, strangers = invited[: len(invited) // 2], invited[len(invited) // 2 :]
    for _ in range(2):  # a new tie, then full strength
        model.ties.meet(np.full(len(close), host), close, gain=1.0, t=model.week)
    counts = np.zeros(model.state.size)
    for _ in range(400):
        counts[model.meetings[0]._attendees(host)] += 1
    engagement = model.state.view("engagement")
    per_chance = counts / (0.2 * (0.5 + engagement))  # the share that comes, over (0.5 + w)
    ratio = per_chance[close].mean() / per_chance[strangers].mean()
    assert 2.5 < ratio < 3.5


def _world_with(meeting: MeetingFormat, rng: int = 6) -> NeighbourhoodModel:
    config = small_config(
        {
            "catalyst.mode": "absent",
            "cooperation.idea_rate": 0.0,
            "everyday.contacts_per_week": 0.0,
            **STATIC,
        }
    )
    return NeighbourhoodModel(config.model_copy(update={"meetings": [meeting]}), rng=rng)


def _pairs(model):
    live = model.ties.live_slots()
    return {
        (int(a), int(b)): int(s)
        for a, b, s in zip(model.ties.a[live], model.ties.b[live], live, strict=True)
    }


def _new_slots(model, before):
    return np.array([s for pair, s in _pairs(model).items() if pair not in before], dtype=int)


def test_a_formal_meeting_informs_and_introduces_strangers_across_sectors():
    spec = MeetingFormat(
        name="forum",
        kind="forum",
        host="initiative",
        capacity=100,
        attendance=1.0,
        contacts_per_attendee=0,
        introductions=3,
    )
    model = _world_with(spec)
    before = _pairs(model)
    model.meetings[0].hold()
    new = _new_slots(model, before)
    assert len(new) == 3
    assert model.ties.informed[new].all()
    sector = model.state.sector
    assert (sector[model.ties.a[new]] != sector[model.ties.b[new]]).all()
    attended = model.state.view("last_formal") == model.week
    assert attended.sum() >= 2


def test_an_informal_cafe_makes_acquaintances_without_telling_resources():
    spec = MeetingFormat(
        name="café",
        kind="cafe",
        host="initiative",
        capacity=100,
        attendance=1.0,
        contacts_per_attendee=4,
    )
    model = _world_with(spec)
    assert not spec.formal and not spec.informs and spec.tie_gain_factor > 1
    before = _pairs(model)
    model.meetings[0].hold()
    new = _new_slots(model, before)
    assert len(new) > 5 and not model.ties.informed[new].any()
    assert np.isinf(model.state.view("last_formal")).all()  # no goal-setting at a café


def test_attendees_talk_more_to_those_they_know():
    spec = MeetingFormat(
        name="café",
        kind="cafe",
        host="initiative",
        capacity=100,
        attendance=1.0,
        contacts_per_attendee=1,
        familiarity=20.0,
        homophily=0.0,
        tie_gain_factor=0.0,
    )
    model = _world_with(spec)
    m = model.meetings[0]
    attendees = np.arange(model.state.size)
    known = model.ties.strengths_among(attendees, model.week) > 0
    pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def record(i, j, gain, t, **how):
        pairs.append((np.asarray(i), np.asarray(j)))
        return 0

    model.ties.meet = record  # look at whom they talk to, without changing the ties
    for _ in range(200):
        m._conversations(attendees)
    shares = [known[i, j].mean() for i, j in pairs]
    # a fifth of the pairs or less would be acquaintances if partners were drawn uniformly
    assert known.mean() < 0.25 and np.mean(shares) > 0.5


def test_spontaneous_ideas_at_a_cafe_are_light_and_informal():
    from simulation.config import COOPERATION_TYPES

    spec = MeetingFormat(
        name="café",
        kind="cafe",
        host="initiative",
        capacity=100,
        attendance=1.0,
        spontaneous_ideas=1.0,
    )
    model = _world_with(spec)
    model.meetings[0].hold()
    book = model.cooperations
    assert book.count > 0
    assert (book.kind[: book.count] == COOPERATION_TYPES.index("light_informal")).all()


def test_introductions_and_spontaneous_ideas_are_drawn_as_defined():
    """The host introduces only strangers from different sectors (the pairs listed row by
    row, as NumPy lists the upper triangle), and a spontaneous idea comes to an attendee
    with room and time whose uniform is below the chance, one uniform per attendee."""
    from simulation.meetings import spontaneous_starters, strangers_across

    model = NeighbourhoodModel(small_config(STATIC), rng=8)
    s, ties, week = model.state, model.ties, float(model.week)
    attendees = np.flatnonzero(s.view("active"))[::2]
    i, j = strangers_across(ties.slots.data, ties.adjacency.data, attendees, s.sector, week)
    known = ties.strengths_among(attendees, week) > 0
    sector = s.sector[attendees]
    expected = np.nonzero(np.triu(~known & (sector[:, None] != sector[None, :]), 1))
    assert len(i) > 0 and known.any()
    assert i.tolist() == expected[0].tolist() and j.tolist() == expected[1].tolist()

    s.load[attendees[::3]] = s.capacity[attendees[::3]]  # no room
    theirs = np.random.default_rng(3)
    model.rng.bit_generator.state = theirs.bit_generator.state
    starters = spontaneous_starters(s.data, attendees, 2.0, 0.5, model.stream)
    able = (s.load[attendees] < s.capacity[attendees]) & (s.stock[attendees, 0] >= 2.0)
    expected = attendees[able & (theirs.random(len(attendees)) < 0.5)]
    assert 0 < len(starters) < able.sum() and starters.tolist() == expected.tolist()
