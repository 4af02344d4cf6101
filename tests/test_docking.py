"""Docking: the reference implementation of Guimerà et al.'s team assembly shows the published
phase transition, and the model reduced to team assembly shows it too (small sizes)."""

from __future__ import annotations

import numpy as np

import scenarios
from experiments.research.docking import crossing
from experiments.research.team_assembly import TeamAssemblyObserver, reference_giant
from scenarios.dotted import apply_overrides
from simulation.run import simulate

SCENARIO = "experiments/specs/scenarios/team_assembly.toml"


def test_the_published_rules_give_a_giant_component_only_above_a_transition():
    p = np.linspace(0.0, 1.0, 6)
    s = np.array([reference_giant(4, x, 0.0, 40, 1500, seed=1) for x in p])
    assert s[0] < 0.15  # many small clusters of newcomers
    assert s[-1] > 0.95  # one connected community
    assert np.diff(s).max() > 0.3  # a sharp rise, not a straight line (0.2 a step)


def test_repeat_collaboration_moves_the_transition_to_larger_p():
    p = np.linspace(0.0, 1.0, 11)
    low = [reference_giant(4, x, 0.0, 40, 1500, seed=2) for x in p]
    high = [reference_giant(4, x, 1.0, 40, 1500, seed=2) for x in p]
    assert crossing(p, np.array(high)) > crossing(p, np.array(low)) + 0.2


def test_the_model_reduced_to_team_assembly_has_the_transition():
    config = scenarios.load(SCENARIO)
    small = {"actors.counts.residents": 80, "warmup_years": 2.0}
    found = {}
    for p in (0.0, 0.9):
        run = apply_overrides(config, {**small, "cooperation.incumbent_share": p})
        observer = TeamAssemblyObserver()
        model = simulate(run, seed=3, years=2.0, observe=observer)
        found[p] = observer.result(model)
    assert found[0.0]["S"] < 0.4
    assert found[0.9]["S"] > 0.85
    assert found[0.9]["p_effective"] > found[0.0]["p_effective"] + 0.4
    assert 0.3 < found[0.9]["teams_per_week"] < 3.0
