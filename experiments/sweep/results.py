"""Read a sweep directory back: runs, time series and network series as DataFrames."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from experiments.stats import t_interval
from experiments.sweep.store import Store
from scenarios.errors import InputError

MAIN_OUTPUTS = (
    "completed",
    "success_rate",
    "actors_involved_share",
    "cross_sector_share",
    "giant_component_share",
)
"""The outcomes `quartier results` summarises per cell."""


class SweepResults(NamedTuple):
    """A sweep's stored results; `runs` has one row per run, sorted by scenario, point, rep."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    network: pd.DataFrame
    manifest: dict


def load(directory: str | Path) -> SweepResults:
    """Load a sweep directory written by `quartier sweep` (complete or not).

    >>> runs, timeseries, network, manifest = load("results/demo")  # doctest: +SKIP
    """
    store = Store(directory)
    if not store.exists():
        raise InputError(str(directory), "is not a sweep directory (no manifest.json)")
    runs = store.read_table("runs")
    ok = set(runs.loc[runs["status"] == "ok", "run_id"]) if not runs.empty else set()
    return SweepResults(
        runs,
        store.read_table("timeseries", ok),
        store.read_table("network", ok),
        store.read_manifest(),
    )


def summarise(runs: pd.DataFrame, outputs: tuple[str, ...] = MAIN_OUTPUTS) -> pd.DataFrame:
    """Per scenario and design point: runs ok, and mean ± 95 % CI of each output."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for (scenario, point), group in ok.groupby(["scenario", "point"], sort=False):
        row: dict[str, object] = {"scenario": scenario, "point": point, "n": len(group)}
        for name in outputs:
            if name in group:
                estimate = t_interval(group[name])
                row[name], row[f"{name}_ci"] = estimate.value, estimate.half
        rows.append(row)
    return pd.DataFrame(rows)


def format_summary(results: SweepResults, directory: str | Path) -> str:
    """A few lines for the terminal: counts by status, then mean ± CI per cell."""
    runs, manifest = results.runs, results.manifest
    counts = runs["status"].value_counts().to_dict() if not runs.empty else {}
    head = (
        f"Sweep {manifest['name']} in {directory}: {len(runs)} of {manifest['runs_total']} "
        f"runs stored (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")"
    )
    lines = [head]
    if manifest["runs_total"] > len(runs):
        lines.append(
            f"  incomplete: {manifest['runs_total'] - len(runs)} runs missing; "
            "`quartier sweep SPEC --out DIR --resume` runs them"
        )
    table = summarise(runs) if counts.get("ok") else pd.DataFrame()
    factors = manifest["design"]["factors"]
    for record in table.to_dict("records"):
        lines.append(_cell_line(record, runs, factors))
    return "\n".join(lines)


def _cell_line(record: dict, runs: pd.DataFrame, factors: list[str]) -> str:
    cell = runs[(runs["scenario"] == record["scenario"]) & (runs["point"] == record["point"])]
    setting = ", ".join(
        f"{f}={cell[f].iloc[0]:.4g}"
        if isinstance(cell[f].iloc[0], float)
        else f"{f}={cell[f].iloc[0]}"
        for f in factors
        if f in cell
    )
    label = f"  {record['scenario']} p{record['point']}" + (f" [{setting}]" if setting else "")
    values = "; ".join(
        f"{name} {record[name]:.3g}"
        + ("" if np.isnan(record[f"{name}_ci"]) else f" ± {record[f'{name}_ci']:.2g}")
        for name in MAIN_OUTPUTS
        if name in record
    )
    return f"{label} (n={record['n']}): {values}"
