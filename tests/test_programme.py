"""M8: the programme funds, degresses, and ends: fund closed, QM gone, meetings stop."""

import pytest

from simulation.model import NeighbourhoodModel
from tests.conftest import STATIC, small_programme


def _run_weeks(model, weeks):
    for _ in range(weeks):
        model.step()


def test_funding_end_stops_the_fund_and_the_programme_meetings():
    model = NeighbourhoodModel(small_programme({"years": 4}), rng=1)
    qm = model.programme.qm
    assert qm >= 0 and model.programme.funded
    _run_weeks(model, 2 * 52 + 1)
    assert model.programme.ended and not model.programme.funded
    assert model.programme.fund_balance == 0.0
    assert not model.state.active[qm], "the QM office left"
    spent, held = model.programme.fund_spent, model.meetings[0].held
    _run_weeks(model, 52)
    assert model.programme.fund_spent == spent, "no money after the end"
    assert model.meetings[0].held == held, "the programme's forum stopped"


def test_the_fund_pays_within_its_caps():
    model = NeighbourhoodModel(
        small_programme({"programme.fund_cap_per_project": 300, "resources.level": 0.3}), rng=2
    )
    _run_weeks(model, 52)
    book = model.cooperations
    assert model.programme.fund_spent > 0
    assert book.fund_drawn[: book.count].max() <= 300 + 1e-9
    assert model.programme.fund_spent <= model.config.programme.fund_per_year + 1e-6


def test_degression_falls_linearly_over_the_transition():
    model = NeighbourhoodModel(
        small_programme({"programme.funding_years": 10, "programme.transition_years": 2}), rng=1
    )
    degression = model.programme.degression
    assert degression(0) == 1.0
    assert degression(8 * 52) == 1.0
    assert degression(9 * 52) == pytest.approx(0.5)
    assert degression(10 * 52) == 0.0


def test_anchor_place_keeps_the_forum_going_after_the_end():
    model = NeighbourhoodModel(
        small_programme(
            {
                "years": 4,
                "programme.verstetigung.anchor_place": True,
                **STATIC,
            }
        ),
        rng=1,
    )  # no turnover: the anchor organisation stays
    _run_weeks(model, 2 * 52 + 1)
    held = model.meetings[0].held
    _run_weeks(model, 52)
    assert model.meetings[0].held > held
    assert model.meetings[0].host_role == "anchor"


def test_coordination_handover_passes_the_catalyst_role_to_a_local_actor():
    model = NeighbourhoodModel(
        small_programme({"years": 4, "programme.verstetigung.coordination_handover": True}), rng=1
    )
    qm = model.programme.qm
    assert model.catalyst.holder == qm
    _run_weeks(model, 2 * 52 + 1)
    assert model.catalyst.active
    assert model.catalyst.holder not in (qm, -1)
    assert model.state.sector[model.catalyst.holder] != model.state.sector[qm]


def test_small_fund_after_exit():
    model = NeighbourhoodModel(
        small_programme({"years": 4, "programme.verstetigung.small_fund_per_year": 2000}), rng=1
    )
    _run_weeks(model, 2 * 52 + 1)
    assert 0 < model.programme.fund_balance <= 2000


def test_an_absent_catalyst_stays_absent_when_a_later_programme_opens_its_qm_office():
    config = small_programme({"programme.start_year": 0.5, "catalyst.mode": "absent"})
    model = NeighbourhoodModel(config, rng=2)
    _run_weeks(model, 30)
    assert model.programme.qm >= 0
    assert not model.catalyst.active


def test_a_later_programme_hands_the_catalyst_role_to_its_qm_office():
    model = NeighbourhoodModel(small_programme({"programme.start_year": 0.5}), rng=2)
    assert not model.catalyst.active
    _run_weeks(model, 30)
    assert model.catalyst.active and model.catalyst.holder == model.programme.qm


def test_ties_made_at_programme_meetings_are_the_programmes_and_stop_being_made_at_its_end():
    from simulation.ties import OWN, PROGRAMME

    config = small_programme(
        {
            **STATIC,
            "years": 4,
            "programme.funding_years": 1,
            "programme.transition_years": 0,
            "everyday.contacts_per_week": 0.0,
            "cooperation.idea_rate": 0.0,
            "catalyst.mode": "absent",
            "programme.verstetigung.anchor_place": True,
        }
    )
    model = NeighbourhoodModel(config, rng=3)
    for _ in range(4 * 52):
        model.step()
    live = model.ties.live_slots()
    born, origin = model.ties.born[live], model.ties.origin[live]
    assert (origin[(born > 0) & (born <= 52)] == PROGRAMME).all()
    assert (origin[born > 52] == OWN).all()  # the anchor hosts on, no longer funded
    assert (born > 52).any() and ((born > 0) & (born <= 52)).any()


def test_funding_again_reopens_an_office_and_its_meetings():
    config = small_programme(
        {
            **STATIC,
            "years": 5,
            "programme.funding_years": 1,
            "programme.transition_years": 0,
            "programme.refunding_year": 3,
        }
    )
    model = NeighbourhoodModel(config, rng=4)
    first = model.programme.qm
    weeks = []
    for _ in range(5 * 52):
        model.step()
        weeks.append((model.programme.funded, model.meetings[0].running))
    assert weeks[60] == (False, False) and weeks[3 * 52 + 5] == (True, True)
    assert not weeks[-1][0]  # the second period ended at year 4
    second = [h.actor for h in model.happenings if h.kind == "programme_start"]
    assert second == [first, second[1]] and second[1] != first
    assert not model.state.active[first]
