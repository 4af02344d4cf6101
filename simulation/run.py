"""Run one scenario with one seed: the interface every later stage uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from simulation.config import COOPERATION_TYPES, SECTORS, WEEKS_PER_YEAR, ScenarioConfig
from simulation.cooperations import (
    ABANDONED,
    COMPLETED,
    ENDINGS,
    FAILED,
    FORMING,
    RUNNING,
    STATES,
)
from simulation.model import NeighbourhoodModel
from simulation.work import GIVEN_UP


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
    weekly: bool = True,
    network: bool = True,
) -> NeighbourhoodModel:
    """Build the model and step it through `years` (default: the scenario's).

    `observe`, if given, is called with the model before each week and after the last; it
    must only read the model (exports, snapshots), so results do not depend on it. Without
    `weekly` the weekly counters are not recorded, without `network` the network measures
    over time (see `NeighbourhoodModel`): the same results, empty series, a little faster.
    """
    model = NeighbourhoodModel(config, rng=seed, weekly=weekly, network=network)
    weeks = round((years if years is not None else config.years) * WEEKS_PER_YEAR)
    if observe is None and weeks > 0:
        model.run_for(weeks)  # the weeks' events in one pass: as many steps, less overhead
    elif observe is not None:
        for _ in range(max(weeks, 0)):
            observe(model)
            model.step()
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


def result_of(model: NeighbourhoodModel, seed: int, cooperations: bool = True) -> RunResult:
    """Collect a finished model's outputs; without `cooperations`, the cooperation table is
    left empty (its columns only)."""
    return RunResult(
        summary=summarise(model, seed),
        timeseries=model.datacollector.get_model_vars_dataframe().reset_index(drop=True),
        network=network_series(model).reset_index(drop=True),
        cooperations=cooperation_table(model, rows=cooperations),
    )


def network_series(model: NeighbourhoodModel) -> pd.DataFrame:
    """The network measures over time, one row a week measured (the end of a run measures
    again in its last week: that row counts)."""
    return model.network_collector.get_model_vars_dataframe().drop_duplicates("week", keep="last")


def run(
    config: ScenarioConfig,
    seed: int,
    years: float | None = None,
    weekly: bool = True,
    network: bool = True,
    cooperations: bool = True,
) -> RunResult:
    """Run `config` with `seed` for `years` and collect the results; without `weekly`,
    `network` or `cooperations`, the same results with an empty `timeseries`, `network` or
    `cooperations` table (for callers that do not read them)."""
    model = simulate(config, seed, years, weekly=weekly, network=network)
    return result_of(model, seed, cooperations)


def summarise(model: NeighbourhoodModel, seed: int) -> dict[str, float | int | str]:
    """Totals and end values of one run, as a flat dict of plain numbers."""
    book = model.cooperations
    started = int(book.started_by_type.sum())
    ended = int(book.totals[COMPLETED] + book.totals[FAILED])
    summary: dict[str, float | int | str] = {
        "scenario": model.config.name,
        "regime": model.config.regime,
        "seed": int(seed),
        "weeks": int(model.week),
        "actors_start": int(model.start_size),
        "actors_end": int(model.state.view("active").sum()),
        "ideas": len(book.observed()),
        "started": started,
        "completed": int(book.totals[COMPLETED]),
        "failed": int(book.totals[FAILED]),
        "abandoned": int(book.totals[ABANDONED]),
        "running_end": book.n_running,
        "success_rate": float(book.totals[COMPLETED] / ended) if ended else 0.0,
        "newcomer_share": book.newcomer_share(),
        "actors_involved_share": involved_share(model),
        "actors_involved_last_year": involved_last_year(model),
        "fund_spent": float(model.programme.fund_spent),
        "meetings_held": int(sum(meeting.held for meeting in model.meetings)),
        "catalyst_active_end": bool(model.catalyst.active),
    }
    for k, name in enumerate(COOPERATION_TYPES):
        summary[f"started_{name}"] = int(book.started_by_type[k])
        summary[f"completed_{name}"] = int(book.completed_by_type[k])
    summary.update(structure_and_durations(model))
    for name, count in model.catalyst.actions.items():
        summary[f"catalyst_{name}"] = int(count)
    summary.update({key: float(value) for key, value in model.network.items()})
    if model.removed:
        for key, value in model.removed.items():
            if key != "actor":
                summary[f"removed_{key}"] = value if isinstance(value, str) else float(value)
    return summary


def involved_share(model: NeighbourhoodModel) -> float:
    """Of the actors present from week 0 on (there at week 0 or arriving later), the share who
    took part in a cooperation that started from week 0 on."""
    start, state = model.observed_from, model.state
    present = np.ones(state.size, dtype=bool)
    present[: start.size] = start.present
    joined = state.view("joined").copy()
    joined[: start.size] -= start.joined
    return float((present & (joined > 0)).sum() / present.sum()) if present.any() else 0.0


def structure_and_durations(model: NeighbourhoodModel) -> dict[str, float]:
    """Of the cooperations started from week 0 on: the shares with clear goals and with a
    coordinator role, how many re-scoped and gave up, and per type the median weeks from
    start to completion (0 when none completed)."""
    book = model.cooperations
    n = book.count
    started = (book.start_week[:n] >= 0) & (book.state[:n] != FORMING)
    out = {
        "clear_goals_share": float(book.clear_goals[:n][started].mean()) if started.any() else 0.0,
        "coordinated_share": float(book.coordinated[:n][started].mean()) if started.any() else 0.0,
        "rescoped": int((book.rescoped[:n] & started).sum()),
        "given_up": int((book.ended_by[:n][started] == GIVEN_UP).sum()),
    }
    done = started & (book.state[:n] == COMPLETED)
    weeks = book.end_week[:n] - book.start_week[:n]
    for k, name in enumerate(COOPERATION_TYPES):
        chosen = done & (book.kind[:n] == k)
        out[f"weeks_to_complete_{name}"] = float(np.median(weeks[chosen])) if chosen.any() else 0.0
    return out


def involved_last_year(model: NeighbourhoodModel) -> float:
    """Share of the active actors who were members of a cooperation open at some time in the
    last 52 weeks (comparable with surveys asking about the last twelve months)."""
    book, state = model.cooperations, model.state
    n = book.count
    recent = (book.end_week[:n] >= model.week - WEEKS_PER_YEAR) | np.isin(
        book.state[:n], (FORMING, RUNNING)
    )
    members = {int(i) for k in np.flatnonzero(recent).tolist() for i in book.group(k)}
    active = state.active_ids()
    return float(np.isin(active, list(members)).mean()) if len(active) else 0.0


def cooperation_table(model: NeighbourhoodModel, rows: bool = True) -> pd.DataFrame:
    """One row per cooperation whose idea arose from week 0 on: type, members, start, end,
    outcome (weeks -1: not started or not ended); without `rows`, its columns only."""
    book = model.cooperations
    ids = book.observed() if rows else np.zeros(0, dtype=np.int64)
    names = model.state.names
    sector = model.state.sector
    members = [book.members[k] for k in ids.tolist()]
    return pd.DataFrame(
        {
            "id": ids,
            "type": [COOPERATION_TYPES[k] for k in book.kind[ids]],
            "topic": book.topic[ids].astype(int),
            "initiator": [names[i] for i in book.initiator[ids]],
            "initiator_sector": [SECTORS[sector[i]] for i in book.initiator[ids]],
            "members": [";".join(names[i] for i in group) for group in members],
            "n_members": [len(group) for group in members],
            "sectors": [len({int(sector[i]) for i in group}) for group in members],
            "newcomers": book.newcomers[ids].astype(int),
            "idea_week": book.idea_week[ids].astype(int),
            "start_week": book.start_week[ids].astype(int),
            "end_week": book.end_week[ids].astype(int),
            "state": [STATES[s] for s in book.state[ids]],
            "progress": np.minimum(book.progress[ids], 1.0),
            "fund_drawn": book.fund_drawn[ids],
            "seeded_by_catalyst": book.seeded[ids],
            "supporters_found": book.supporters[ids].astype(int),
            "clear_goals": book.clear_goals[ids],
            "coordinated": book.coordinated[ids],
            "rescoped": book.rescoped[ids],
            "ended_by": [ENDINGS[e] for e in book.ended_by[ids]],
        }
    )
