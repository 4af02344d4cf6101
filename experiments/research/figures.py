"""Figures for the experiment reports (matplotlib, Agg backend), each saved as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from experiments.palette import SECTOR_COLOURS
from simulation.config import COOPERATION_TYPES, WEEKS_PER_YEAR

CELL_COLOURS = plt.get_cmap("tab10").colors


def save(fig: plt.Figure, out: Path, stem: str, tight: bool = True) -> str:
    """Write figures/STEM.png and .svg under `out`; close the figure; return the stem."""
    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    if tight:
        fig.tight_layout()
    fig.savefig(folder / f"{stem}.png", dpi=110)
    fig.savefig(folder / f"{stem}.svg")
    plt.close(fig)
    return stem


def band(series: pd.DataFrame, cell: str, x: str, y: str, level: float = 0.95) -> pd.DataFrame:
    """Per cell and x: mean and Student-t CI of y over runs."""
    grouped = series.groupby([cell, x], sort=False)[y].agg(["mean", "std", "count"]).reset_index()
    dof = (grouped["count"] - 1).clip(lower=1)
    half = stats.t.ppf(0.5 + level / 2, dof) * grouped["std"].fillna(0) / np.sqrt(grouped["count"])
    return grouped.assign(low=grouped["mean"] - half, high=grouped["mean"] + half)


def timeseries(
    series: pd.DataFrame, cell: str, metrics: list[str], out: Path, stem: str, title: str = ""
) -> str:
    """One panel per metric: mean over runs with a 95 % CI band, one line per cell."""
    columns = min(3, len(metrics))
    rows = -(-len(metrics) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.0 * rows), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        data = band(series, cell, "week", metric)
        for i, (name, group) in enumerate(data.groupby(cell, sort=False)):
            years = group["week"] / WEEKS_PER_YEAR
            colour = CELL_COLOURS[i % len(CELL_COLOURS)]
            ax.plot(years, group["mean"], color=colour, lw=1.3, label=str(name))
            ax.fill_between(years, group["low"], group["high"], color=colour, alpha=0.2, lw=0)
        ax.set_title(metric, fontsize=10)
        ax.set_xlabel("year")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=11)
    return save(fig, out, stem)


def network_snapshots(
    snapshots: dict[str, list[tuple[float, nx.Graph]]], out: Path, stem: str
) -> str:
    """Rows = runs (e.g. one per regime), columns = years; sector colours, width = strength."""
    rows = len(snapshots)
    columns = max(len(v) for v in snapshots.values())
    fig, axes = plt.subplots(rows, columns, figsize=(4.0 * columns, 4.0 * rows), squeeze=False)
    for r, (label, shots) in enumerate(snapshots.items()):
        for c, (year, graph) in enumerate(shots):
            _draw_network(axes[r][c], graph)
            axes[r][c].set_title(f"{label}, year {year:g}", fontsize=10)
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=colour, label=sector)
        for sector, colour in SECTOR_COLOURS.items()
    ] + [
        plt.Line2D([], [], marker="*", ls="", color="black", markersize=12, label="catalyst"),
        plt.Line2D([], [], marker="s", ls="", mfc="none", mec="black", label="QM office"),
    ]
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8)
    return save(fig, out, stem, tight=False)


def _draw_network(ax: plt.Axes, graph: nx.Graph) -> None:
    ax.axis("off")
    if graph.number_of_nodes() == 0:
        return
    layout = nx.spring_layout(graph, seed=1, weight="strength", k=0.6 / np.sqrt(len(graph)))
    widths = [2.5 * graph.edges[e].get("strength", 0.3) for e in graph.edges]
    nx.draw_networkx_edges(graph, layout, ax=ax, width=widths, edge_color="#777777", alpha=0.6)
    colours = [SECTOR_COLOURS.get(graph.nodes[n].get("sector"), "#999999") for n in graph]
    nx.draw_networkx_nodes(
        graph, layout, ax=ax, node_size=28, node_color=colours, linewidths=0.3, edgecolors="white"
    )
    for role, marker, size in (("catalyst", "*", 260), ("qm", "s", 120)):
        # the QM office is marked by its sector: it may hold the catalyst role as well
        key = "sector" if role == "qm" else "role"
        marked = [n for n in graph if graph.nodes[n].get(key) == role]
        if marked:
            nx.draw_networkx_nodes(
                graph,
                layout,
                nodelist=marked,
                ax=ax,
                node_shape=marker,
                node_size=size,
                node_color="none" if role == "qm" else "black",
                edgecolors="black",
                linewidths=1.4,
            )


def cooperation_types(cells: pd.DataFrame, label: str, out: Path, stem: str) -> str:
    """Completed cooperations by type (intensity × formality): mean and 95 % CI per cell."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / len(COOPERATION_TYPES)
    x = np.arange(len(cells))
    for i, kind in enumerate(COOPERATION_TYPES):
        column = f"completed_{kind}"
        mean = cells[column].to_numpy()
        error = np.vstack([mean - cells[f"{column}_low"], cells[f"{column}_high"] - mean])
        ax.bar(
            x + (i - 1.5) * width,
            mean,
            width,
            yerr=np.nan_to_num(error),
            capsize=2,
            label=kind.replace("_", " "),
            color=CELL_COLOURS[i],
        )
    ax.set_xticks(x, cells[label], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("completed cooperations")
    ax.legend(fontsize=8, ncol=2)
    return save(fig, out, stem)


def effects(
    table: pd.DataFrame, out: Path, stem: str, xlabel: str, group: str | None = None
) -> str:
    """A forest plot: one row per `label`, point and CI [low, high]; colour by `group`."""
    table = table[np.isfinite(table["value"].to_numpy(dtype=float))].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    groups = list(dict.fromkeys(table[group])) if group else [None]
    for i, name in enumerate(groups):
        mask = (table[group] == name).to_numpy() if group else np.ones(len(table), bool)
        part = table[mask]
        ax.errorbar(
            part["value"],
            y[mask],
            xerr=np.nan_to_num([part["value"] - part["low"], part["high"] - part["value"]]),
            fmt="o",
            color=CELL_COLOURS[i],
            capsize=3,
            label=name,
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, table["label"], fontsize=8)
    ax.set_xlabel(xlabel)
    if group:
        ax.legend(fontsize=8)
    return save(fig, out, stem)


def convergence(table: pd.DataFrame, outcome: str, out: Path, stem: str) -> str:
    """Relative CI half-width and CV of the main outcome against the number of replications."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for i, (cell, part) in enumerate(table.groupby("cell", sort=False)):
        colour = CELL_COLOURS[i % len(CELL_COLOURS)]
        ax.plot(part["n"], part["relative_half_width"], color=colour, label=f"{cell}")
        ax.plot(part["n"], part["cv"], color=colour, ls=":", lw=1)
    ax.set_xlabel("replications n")
    ax.set_ylabel("CI half-width / mean (solid), CV (dotted)")
    ax.set_title(outcome, fontsize=10)
    ax.legend(fontsize=7)
    return save(fig, out, stem)


def indices(
    table: pd.DataFrame, columns: list[tuple[str, str]], out: Path, stem: str, title: str
) -> str:
    """Grouped bars of sensitivity indices per parameter, with CI error bars where given.

    `columns` lists (value column, CI half-width column or '').
    """
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    width = 0.8 / len(columns)
    x = np.arange(len(table))
    for i, (value, conf) in enumerate(columns):
        error = np.nan_to_num(table[conf].to_numpy()) if conf else None
        ax.bar(
            x + (i - (len(columns) - 1) / 2) * width,
            table[value],
            width,
            yerr=error,
            capsize=2,
            label=value,
            color=CELL_COLOURS[i],
        )
    ax.set_xticks(x, table["parameter"], rotation=25, ha="right", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return save(fig, out, stem)
