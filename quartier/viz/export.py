"""Exports of the page: the view as PNG or SVG, the shown series as CSV, the run as a GIF.

The figure is drawn with matplotlib from the same data as the page (networks of the week
shown, the chosen measures up to that week with the differences from the first run and the
happenings), so a file shows what the screen showed, at print quality.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.palette import SECTOR_COLOURS
from quartier.viz.figures import EVENT_TEXT, MARKED, Selection, happenings, run_colour
from quartier.viz.network import EXTENT, SECTOR_LABELS, NetworkData, network_data
from quartier.viz.series import Measure, series
from quartier.viz.session import Run

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
MAX_FRAMES = 30  # frames of an animation


def view_figure(
    runs: list[Run], week: int, measures: list[Measure], picked: Selection | None = None
) -> Figure:
    """The networks of `week` side by side, and below them the measures' charts."""
    picked = picked or Selection()
    columns = max(len(runs), 2)
    rows_of_charts = (len(measures) + 1) // 2
    fig = Figure(figsize=(5.2 * columns, 4.6 + 3.4 * rows_of_charts), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[4.6, 3.4 * max(rows_of_charts, 1)])
    axes = np.atleast_1d(top.subplots(1, len(runs)))
    for ax, run in zip(axes, runs, strict=True):
        frame = run.frame(week)
        draw_network(network_data(frame, run.model, run.layout), ax, picked.of(run))
        ax.set_title(f"{run.label} · {run.name}\nweek {frame.week}", fontsize=10)
    top.legend(handles=_legend(), loc="outside lower center", ncol=6, fontsize=8, frameon=False)
    if measures:
        charts = bottom.subfigures(rows_of_charts, 2, squeeze=False).ravel()
        for sub, measure in zip(charts, measures, strict=False):
            draw_chart(sub, runs, measure, week)
    fig.suptitle(f"Quartier — week {week}, seed {runs[0].seed}", fontsize=12)
    return fig


def image(figure: Figure, kind: str) -> bytes:
    """The figure as PNG or SVG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, dpi=110)
    return buffer.getvalue()


def draw_network(data: NetworkData, ax: Axes, picked: Selection) -> None:
    """Ties by strength (resilient ones dark and thick), actors by sector, roles marked."""
    segments = data.segments()
    weak = ~data.resilient
    ax.add_collection(
        LineCollection(
            segments[weak], colors="#bbbbbb", linewidths=0.3 + 1.2 * data.strengths[weak]
        )
    )
    ax.add_collection(
        LineCollection(
            segments[data.resilient],
            colors="#333333",
            linewidths=0.8 + 2.5 * data.strengths[data.resilient],
        )
    )
    ax.scatter(
        data.xy[:, 0],
        data.xy[:, 1],
        s=data.sizes,
        c=data.colours,
        edgecolors=np.where(data.in_cooperation, "black", "white"),
        linewidths=np.where(data.in_cooperation, 1.4, 0.5),
        zorder=3,
    )
    for mask, marker, colour, size in (
        (data.qm, "s", "none", 170),
        (data.catalyst, "*", "gold", 280),
    ):
        if mask.any():
            ax.scatter(
                data.xy[mask, 0],
                data.xy[mask, 1],
                s=size,
                marker=marker,
                facecolors=colour,
                edgecolors="black",
                linewidths=1.4,
                zorder=4,
            )
    chosen = data.nodes == picked.actor
    if chosen.any():
        x, y = data.xy[chosen][0]
        ax.scatter(
            [x], [y], s=260, facecolors="none", edgecolors="#e63946", linewidths=2.5, zorder=5
        )
        ax.annotate(
            data.names[int(np.flatnonzero(chosen)[0])],
            (x, y),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            weight="bold",
            zorder=6,
        )
    ax.set_xlim(-EXTENT, EXTENT)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_aspect("equal")
    ax.axis("off")


def _legend() -> list[Line2D]:
    sectors = [
        Line2D([], [], marker="o", ls="", color=colour, label=SECTOR_LABELS.get(s, s))
        for s, colour in SECTOR_COLOURS.items()
        if s != "qm"  # marked by its own symbol
    ]
    return [
        *sectors,
        Line2D([], [], marker="*", ls="", color="gold", mec="black", ms=11, label="catalyst"),
        Line2D([], [], marker="s", ls="", mfc="none", mec="black", ms=8, label="QM office"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="black",
            mew=1.6,
            label="in a running cooperation",
        ),
        Line2D([], [], color="#333333", lw=2.5, label="resilient tie"),
        Line2D([], [], color="#bbbbbb", lw=1, label="weaker tie"),
    ]


def draw_chart(sub, runs: list[Run], measure: Measure, week: int) -> None:
    """A measure for every run up to `week`; below, each run's difference from the first."""
    compare = len(runs) > 1
    axes = sub.subplots(
        2 if compare else 1,
        1,
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 1] if compare else [1]},
    ).ravel()
    drawn = [series(run, measure) for run in runs]
    for k, (run, (weeks, values)) in enumerate(zip(runs, drawn, strict=True)):
        w, v = _upto(weeks, values, week)
        axes[0].plot(
            w,
            v,
            color=run_colour(k),
            lw=1.6,
            label=f"{run.label} {run.name}",
            marker="o" if measure.network else None,
            ms=2.5,
        )
        for mark in happenings(run):
            if mark.kind in MARKED and mark.week <= week:
                axes[0].axvline(mark.week, color=run_colour(k), ls=":", lw=1)
                axes[0].annotate(
                    f"{run.label}: {EVENT_TEXT[mark.kind]}",
                    (mark.week, 1),
                    xycoords=("data", "axes fraction"),
                    rotation=90,
                    va="top",
                    ha="right",
                    fontsize=6,
                    color=run_colour(k),
                )
    axes[0].set_title(measure.label, fontsize=9)
    axes[0].legend(fontsize=6, frameon=False)
    if compare:
        base = dict(zip(*_upto(*drawn[0], week), strict=True))
        for k in range(1, len(runs)):
            pairs = [
                (w, v - base[w]) for w, v in zip(*_upto(*drawn[k], week), strict=True) if w in base
            ]
            if pairs:
                w, d = zip(*pairs, strict=True)
                axes[1].plot(w, d, color=run_colour(k), lw=1.2)
                axes[1].fill_between(w, d, color=run_colour(k), alpha=0.15)
        axes[1].axhline(0, color="#999999", lw=0.8)
        axes[1].set_ylabel("difference", fontsize=7)
    axes[-1].set_xlabel("week", fontsize=8)
    for ax in axes:
        ax.tick_params(labelsize=7)


def _upto(weeks: list[int], values: list, week: int) -> tuple[list[int], list[float]]:
    pairs = [(w, v) for w, v in zip(weeks, values, strict=True) if w <= week and v is not None]
    return [w for w, _ in pairs], [v for _, v in pairs]


def series_csv(runs: list[Run], week: int, measures: list[Measure]) -> str:
    """The shown measures of every run up to `week`: a row a run and week (tidy), a column a
    measure; network measures are empty in the weeks they were not measured."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "scenario", "seed", "week", *(m.key for m in measures)])
    for run in runs:
        columns = [dict(zip(*series(run, m), strict=True)) for m in measures]
        weeks = sorted({w for column in columns for w in column if w <= week})
        for w in weeks:
            cells = [_cell(column.get(w)) for column in columns]
            writer.writerow([run.label, run.name, run.seed, w, *cells])
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def animation(runs: list[Run], week: int, measure: Measure | None) -> bytes:
    """The runs' networks from week 0 to `week` (at most MAX_FRAMES frames) as a GIF, with the
    first chosen measure growing below."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    weeks = sorted(set(np.linspace(0, week, min(MAX_FRAMES, week + 1)).round().astype(int)))
    fig = Figure(figsize=(4.2 * len(runs), 5.6 if measure else 4.2), layout="constrained")
    grid = fig.add_gridspec(
        2 if measure else 1, len(runs), height_ratios=[3, 1.2] if measure else [1]
    )
    network_axes = [fig.add_subplot(grid[0, k]) for k in range(len(runs))]
    chart = fig.add_subplot(grid[1, :]) if measure else None

    def draw(w: int) -> None:
        for ax, run in zip(network_axes, runs, strict=True):
            ax.clear()
            frame = run.frame(w)
            draw_network(network_data(frame, run.model, run.layout), ax, Selection())
            ax.set_title(f"{run.label} · {run.name}, week {frame.week}", fontsize=8)
        if chart is not None and measure is not None:
            chart.clear()
            for k, run in enumerate(runs):
                chart.plot(
                    *_upto(*series(run, measure), w), color=run_colour(k), lw=1.4, label=run.label
                )
            chart.set_xlim(0, max(week, 1))
            chart.set_title(measure.label, fontsize=8)
            chart.legend(fontsize=7, frameon=False, loc="upper left")
            chart.tick_params(labelsize=7)

    movie = FuncAnimation(fig, draw, frames=weeks)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.gif"
        movie.save(path, writer=PillowWriter(fps=3), dpi=72)
        return path.read_bytes()
