"""The measures the charts can show, and their series for a run, read from its collectors.

Weekly measures come from the model's DataCollector (one row a week, week 0 from the
history), network measures from its network collector (every
`output.network_every_weeks` and at the end). A column the catalogue does not know yet still
shows, under its own name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from quartier.viz.session import Run


@dataclass(frozen=True)
class Measure:
    key: str  # the collector's column
    title: str
    unit: str
    network: bool = False  # measured every few weeks, not weekly

    @property
    def label(self) -> str:
        return f"{self.title} ({self.unit})" if self.unit else self.title


WEEKLY = {
    m.key: m
    for m in (
        Measure("running", "Cooperations running", "count"),
        Measure("forming", "Cooperations forming", "count"),
        Measure("completed", "Cooperations completed, cumulative", "count"),
        Measure("failed", "Cooperations failed, cumulative", "count"),
        Measure("abandoned", "Ideas abandoned, cumulative", "count"),
        Measure("success_rate", "Success rate (completed of ended)", "share"),
        Measure("active_actors", "Active actors", "count"),
        Measure("actors_involved", "Actors in open cooperations", "count"),
        Measure("pooled_time", "Time pooled this week", "hours"),
        Measure("pooled_money", "Money pooled this week", "EUR"),
        Measure("fund_balance", "Fund balance", "EUR"),
        Measure("fund_spent", "Fund spent, cumulative", "EUR"),
        Measure("meetings_held", "Meetings held, cumulative", "count"),
    )
}
NETWORK = {
    m.key: m
    for m in (
        Measure("cross_sector_share", "Cross-sector share of resilient ties", "share", True),
        Measure("mean_tie_strength", "Mean tie strength", "0–1", True),
        Measure("resilient_ties", "Resilient ties", "count", True),
        Measure("ties", "Ties", "count", True),
        Measure("density_resilient", "Density of resilient ties", "share", True),
        Measure("giant_component_share", "Largest component's share", "share", True),
        Measure("components", "Components", "count", True),
        Measure("clustering", "Clustering", "coefficient", True),
        Measure("ei_index", "E-I index", "−1…1", True),
        Measure("degree_centralisation", "Degree centralisation", "0–1", True),
        Measure("hubs", "Hubs", "count", True),
        Measure("core_share", "Core share", "share", True),
        Measure("cross_sector_acquaintances", "Cross-sector acquaintances", "count", True),
        Measure("catalyst_betweenness", "Catalyst's betweenness", "0–1", True),
        Measure("qm_betweenness", "QM office's betweenness", "0–1", True),
    )
}
SKIP = {"week", "catalyst_active"}  # not a series to chart
DEFAULT = ("running", "completed", "cross_sector_share", "actors_involved")


def catalogue(runs: list[Run]) -> dict[str, Measure]:
    """Every measure the runs collect: the known ones first, then any new column."""
    found = dict(WEEKLY)
    for run in runs:
        for key in run.model.datacollector.model_vars:
            if key not in found and key not in SKIP:
                found[key] = Measure(key, key.replace("_", " "), "")
    found |= NETWORK
    for run in runs:
        for key in run.model.network_collector.model_vars:
            if key not in found and key not in SKIP:
                found[key] = Measure(key, key.replace("_", " "), "", True)
    return found


def default_measures(runs: list[Run]) -> list[str]:
    """The charts shown first: cooperations, cross-sector ties, involvement, and the fund
    where a programme runs."""
    chosen = list(DEFAULT)
    if any(run.config.programme.enabled for run in runs):
        chosen[-1] = "fund_balance"
    return chosen


def series(run: Run, measure: Measure) -> tuple[list[int], list[float | None]]:
    """(weeks, values) of a measure for a run, up to its last computed week; a value the run
    does not collect is None."""
    if measure.network:
        collected = run.model.network_collector.model_vars
        weeks, values = collected.get("week", []), collected.get(measure.key)
        by_week: dict[int, float | None] = {}
        for k, week in enumerate(weeks):
            by_week[int(week)] = _number(values[k]) if values is not None else None
        return list(by_week), list(by_week.values())
    history, collected = run.history, run.model.datacollector.model_vars
    weeks = list(range(history.first, history.last + 1))  # one row collected a week
    values = collected.get(measure.key)
    if values is None:
        return weeks, [None] * len(weeks)
    first = _number(history.start_row.get(measure.key))
    return weeks, [first, *(_number(v) for v in values[: len(weeks) - 1])]


def value_at(weeks: list[int], values: list[float | None], week: int) -> float | None:
    """The last value measured at or before `week`."""
    found = None
    for w, v in zip(weeks, values, strict=True):
        if w > week:
            break
        found = v
    return found


def _number(value: object) -> float | None:
    """A plain float for the charts; None for a missing or non-finite value."""
    if value is None or isinstance(value, str):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
