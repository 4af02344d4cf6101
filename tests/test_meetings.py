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
