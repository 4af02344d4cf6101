"""DataCollector reporters: small named functions, one quantity each.

The weekly ones read counters the model already keeps; the network ones read the measures
the model computed at its last network event.
"""

from __future__ import annotations

from copy import deepcopy
from types import FunctionType
from typing import TYPE_CHECKING

import numpy as np
from mesa import DataCollector

from simulation.cooperations import ABANDONED, COMPLETED, FAILED
from simulation.metrics import NETWORK_METRICS, ORIGIN_METRICS

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel


def week(model: NeighbourhoodModel) -> int:
    return model.week


def forming(model: NeighbourhoodModel) -> int:
    return model.cooperations.n_forming


def running(model: NeighbourhoodModel) -> int:
    return model.cooperations.n_running


def completed(model: NeighbourhoodModel) -> int:
    return int(model.cooperations.totals[COMPLETED])


def failed(model: NeighbourhoodModel) -> int:
    return int(model.cooperations.totals[FAILED])


def abandoned(model: NeighbourhoodModel) -> int:
    return int(model.cooperations.totals[ABANDONED])


def success_rate(model: NeighbourhoodModel) -> float:
    """Completed over ended (completed + failed) so far; 0 before any ended."""
    done = model.cooperations.totals[COMPLETED]
    ended = done + model.cooperations.totals[FAILED]
    return float(done / ended) if ended else 0.0


def actors_involved(model: NeighbourhoodModel) -> int:
    return model.cooperations.actors_involved()


def active_actors(model: NeighbourhoodModel) -> int:
    return int(np.count_nonzero(model.state.view("active")))


def pooled_time(model: NeighbourhoodModel) -> float:
    return float(model.cooperations.pooled_this_week[0])


def pooled_money(model: NeighbourhoodModel) -> float:
    return float(model.cooperations.pooled_this_week[1])


def fund_balance(model: NeighbourhoodModel) -> float:
    return float(model.programme.fund_balance)


def fund_spent(model: NeighbourhoodModel) -> float:
    return float(model.programme.fund_spent)


def catalyst_active(model: NeighbourhoodModel) -> bool:
    return bool(model.catalyst.active)


def meetings_held(model: NeighbourhoodModel) -> int:
    return sum(meeting.held for meeting in model.meetings)


WEEKLY = {
    f.__name__: f
    for f in (
        week,
        forming,
        running,
        completed,
        failed,
        abandoned,
        success_rate,
        actors_involved,
        active_actors,
        pooled_time,
        pooled_money,
        fund_balance,
        fund_spent,
        catalyst_active,
        meetings_held,
    )
}


def _network_reporter(name: str):
    def reporter(model: NeighbourhoodModel) -> float:
        return model.network.get(name, 0.0)

    reporter.__name__ = name
    return reporter


NETWORK = {"week": week} | {
    name: _network_reporter(name)
    for name in (*NETWORK_METRICS, *ORIGIN_METRICS, "catalyst_betweenness", "qm_betweenness")
}


IMMUTABLE = frozenset((int, float, bool, str))
"""Values Mesa's DataCollector stores as they are (it deep-copies the rest)."""


class Collector(DataCollector):
    """Mesa's DataCollector for model reporters that are functions of the model, collecting
    what it does with less work a call: each reporter is called and its value stored, copied
    unless a Python scalar. The first call (which validates the reporters) and anything but
    model reporters go through Mesa's own `collect`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._plain = not (self.agent_reporters or self.agenttype_reporters) and all(
            type(r) is FunctionType for r in self.model_reporters.values()
        )

    def collect(self, model: NeighbourhoodModel) -> None:
        if not (self._plain and self._validated):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            value = reporter(model)
            self.model_vars[var].append(value if type(value) in IMMUTABLE else deepcopy(value))
