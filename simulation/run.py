"""Run one scenario with one seed: the interface every later stage uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from simulation.config import COOPERATION_TYPES, SECTORS, WEEKS_PER_YEAR, ScenarioConfig
from simulation.cooperations import ABANDONED, COMPLETED, FAILED, STATES
from simulation.model import NeighbourhoodModel


@dataclass
class RunResult:
    """What one run produced: a flat summary, weekly and network series, every cooperation."""

    summary: dict[str, float | int | str]
    timeseries: pd.DataFrame
    network: pd.DataFrame
    cooperations: pd.DataFrame


def simulate(
    config: ScenarioConfig,
    seed: int,
    years: float | None = None,
    observe: Callable[[NeighbourhoodModel], None] | None = None,
) -> NeighbourhoodModel:
    """Build the model and step it through `years` (default: the scenario's).

    `observe`, if given, is called with the model before each week and after the last; it
    must only read the model (exports, snapshots), so results do not depend on it.
    """
    model = NeighbourhoodModel(config, rng=seed)
    weeks = round((years if years is not None else config.years) * WEEKS_PER_YEAR)
    for _ in range(max(weeks, 0)):
        if observe is not None:
            observe(model)
        model.step()
    if observe is not None:
        observe(model)
    model.finish()
    return model


def warm_up() -> None:
    """Load the compiled kernels into this process (compiling them once per checkout, into
    Numba's on-disk cache) by running a tiny world for a quarter; processes that take runs
    call it before they are timed, so a sweep's runs do not pay for it."""
    small = ScenarioConfig.model_validate(
        {
            "actors": {"counts": {"residents": 8, "civil_society": 3, "public": 2, "business": 2}},
            "cooperation": {"idea_rate": 0.05},
        }
    )
    simulate(small, seed=0, years=0.25)


def simulate_keeping_graphs(
    config: ScenarioConfig, seed: int, years: float | None, weeks: list[int]
) -> tuple[NeighbourhoodModel, dict[int, nx.Graph]]:
    """`simulate`, keeping the tie graph (`model.tie_graph()`) at each of `weeks`, in the
    order they come; a read-only observer, so results are the same as without it."""
    graphs: dict[int, nx.Graph] = {}

    def keep(model: NeighbourhoodModel) -> None:
        week = round(model.week)
        if week in weeks and week not in graphs:
            graphs[week] = model.tie_graph()

    return simulate(config, seed, years, observe=keep), graphs


def result_of(model: NeighbourhoodModel, seed: int) -> RunResult:
    """Collect a finished model's outputs."""
    return RunResult(
        summary=summarise(model, seed),
        timeseries=model.datacollector.get_model_vars_dataframe().reset_index(drop=True),
        network=network_series(model).reset_index(drop=True),
        cooperations=cooperation_table(model),
    )


def network_series(model: NeighbourhoodModel) -> pd.DataFrame:
    """The network measures over time, one row a week measured (the end of a run measures
    again in its last week: that row counts)."""
    return model.network_collector.get_model_vars_dataframe().drop_duplicates("week", keep="last")


def run(config: ScenarioConfig, seed: int, years: float | None = None) -> RunResult:
    """Run `config` with `seed` for `years` and collect the results."""
    return result_of(simulate(config, seed, years), seed)


def summarise(model: NeighbourhoodModel, seed: int) -> dict[str, float | int | str]:
    """Totals and end values of one run, as a flat dict of plain numbers."""
    book = model.cooperations
    started = int(book.started_by_type.sum())
    ended = int(book.totals[COMPLETED] + book.totals[FAILED])
    ever = int((model.state.view("joined") > 0).sum())
    summary: dict[str, float | int | str] = {
        "scenario": model.config.name,
        "regime": model.config.regime,
        "seed": int(seed),
        "weeks": int(model.week),
        "actors_start": int(model.start_size),
        "actors_end": int(model.state.view("active").sum()),
        "ideas": int(book.count),
        "started": started,
        "completed": int(book.totals[COMPLETED]),
        "failed": int(book.totals[FAILED]),
        "abandoned": int(book.totals[ABANDONED]),
        "running_end": book.n_running,
        "success_rate": float(book.totals[COMPLETED] / ended) if ended else 0.0,
        "newcomer_share": book.newcomer_share(),
        "actors_involved_share": float(ever / model.state.size) if model.state.size else 0.0,
        "fund_spent": float(model.programme.fund_spent),
        "meetings_held": int(sum(meeting.held for meeting in model.meetings)),
        "catalyst_active_end": bool(model.catalyst.active),
    }
    for k, name in enumerate(COOPERATION_TYPES):
        summary[f"started_{name}"] = int(book.started_by_type[k])
        summary[f"completed_{name}"] = int(book.completed_by_type[k])
    for name, count in model.catalyst.actions.items():
        summary[f"catalyst_{name}"] = int(count)
    summary.update({key: float(value) for key, value in model.network.items()})
    if model.removed:
        for key, value in model.removed.items():
            if key != "actor":
                summary[f"removed_{key}"] = value if isinstance(value, str) else float(value)
    return summary


def cooperation_table(model: NeighbourhoodModel) -> pd.DataFrame:
    """One row per cooperation: type, members, start, end, outcome."""
    book = model.cooperations
    n = book.count
    names = model.state.names
    sector = model.state.sector
    members = book.members[:n]
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "type": [COOPERATION_TYPES[k] for k in book.kind[:n]],
            "topic": book.topic[:n].astype(int),
            "initiator": [names[i] for i in book.initiator[:n]],
            "initiator_sector": [SECTORS[sector[i]] for i in book.initiator[:n]],
            "members": [";".join(names[i] for i in group) for group in members],
            "n_members": [len(group) for group in members],
            "sectors": [len({int(sector[i]) for i in group}) for group in members],
            "newcomers": book.newcomers[:n].astype(int),
            "idea_week": book.idea_week[:n].astype(int),
            "start_week": book.start_week[:n].astype(int),
            "end_week": book.end_week[:n].astype(int),
            "state": [STATES[s] for s in book.state[:n]],
            "progress": np.minimum(book.progress[:n], 1.0),
            "fund_drawn": book.fund_drawn[:n],
            "seeded_by_catalyst": book.seeded[:n],
            "supporters_found": book.supporters[:n].astype(int),
        }
    )
