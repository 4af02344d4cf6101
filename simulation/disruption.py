"""A disruption: one actor removed at a chosen year, for robustness experiments (M10).

`disruption.target` names whom: the catalyst (the person holding the role leaves, as in the
catalyst's own leaving event: a person leaves the neighbourhood, an organisation holding the
role loses its contact person), the QM office, the top broker (highest
betweenness on the resilient network), a random actor, or a random actor with the
catalyst's resilient degree (Borgatti 2006; Albert, Jeong & Barabási 2000). The giant
component, components and resilient ties are measured just before and just after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.config import WEEKS_PER_YEAR
from simulation.metrics import betweenness, network_metrics, resilient_graph

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

RECORDED = ("giant_component_share", "components", "resilient_ties")


class Disruption:
    """The removal event of `disruption.*` and what it recorded (`removed`)."""

    def __init__(self, model: NeighbourhoodModel) -> None:
        self.model = model
        self.config = model.config.disruption
        self.removed: dict[str, object] = {}

    def schedule(self) -> None:
        if self.config.remove_at_year is not None:
            at = max(1.0, self.config.remove_at_year * WEEKS_PER_YEAR)
            self.model.schedule_event(self.strike, at=at)

    def strike(self) -> None:
        """Remove the target actor, recording the network just before and after."""
        m = self.model
        threshold = m.config.ties.resilient_threshold
        graph = resilient_graph(m.ties, m.state, m.week, threshold)
        degree = dict(graph.degree())
        chosen = self._choose(graph, degree)
        before = network_metrics(m.ties, m.state, m.week, threshold)
        self.removed = {
            "target": self.config.target,
            "actor": chosen,
            "degree": degree.get(chosen, 0) if chosen >= 0 else 0,
            "role": m.role_of(chosen) if chosen >= 0 else "",
        }
        m.note("disruption", chosen, self.config.target)
        if self.config.target == "catalyst":
            m.catalyst.leave()  # the person leaves, as in the catalyst's own leaving event
        elif chosen >= 0:
            m.remove_actor(chosen)
        after = network_metrics(m.ties, m.state, m.week, threshold)
        for key in RECORDED:
            self.removed[f"{key}_before"] = before[key]
            self.removed[f"{key}_after"] = after[key]

    def _choose(self, graph, degree: dict[int, int]) -> int:
        m, target = self.model, self.config.target
        catalyst = m.catalyst
        if target == "catalyst":
            return catalyst.holder if catalyst.active else -1
        if target == "qm":
            return m.programme.qm
        if target == "top_broker":
            seed = int(m.rng.integers(2**31 - 1))
            scores = betweenness(graph, m.config.output.betweenness_samples, seed)
            return max(scores, key=scores.get) if scores else -1
        active = m.state.active_ids()
        pool = active[active != catalyst.holder]
        if target == "random_same_degree" and len(pool):
            reference = (
                degree.get(catalyst.holder, 0)
                if catalyst.active
                else max(degree.values(), default=0)
            )
            gaps = np.abs(np.array([degree.get(int(i), 0) for i in pool]) - reference)
            pool = pool[gaps == gaps.min()]
        return int(m.rng.choice(pool)) if len(pool) else -1
