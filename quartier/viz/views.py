"""The app's views: network, charts, numbers and running cooperations.

Each view is a function of the model that returns a Solara element; SolaraViz redraws them
after every Step (or every render interval while playing). The tables are plain HTML, not
solara.Markdown: Markdown loads KaTeX in the browser, which no Solara package ships, so the
offline page would ask for files that are not there.
"""

from __future__ import annotations

from html import escape

import solara
from matplotlib.figure import Figure

from quartier.viz.network import draw_network, network_data
from simulation.config import COOPERATION_TYPES
from simulation.run import network_series

MAX_ROWS = 40
MAX_NAMES = 6
ROW_KEYS = ("id", "type", "topic", "progress", "members")


def network_figure(model) -> Figure:
    """The tie network on the model's stable layout."""
    fig = Figure(figsize=(6.8, 5.2))
    ax = fig.add_axes((0.0, 0.0, 0.72, 0.94))
    draw_network(network_data(model, model.layout), ax)
    ax.set_title(
        f"Ties among {model.state.view('active').sum()} active actors, week {model.week}",
        fontsize=10,
    )
    return fig


def charts_figure(model) -> Figure:
    """Cooperations over time, cross-sector resilient ties, tie strength, fund or actors."""
    weekly = model.datacollector.get_model_vars_dataframe()
    network = network_series(model)
    fig = Figure(figsize=(6.8, 5.2))
    ax = fig.subplots(
        2,
        2,
        gridspec_kw={
            "left": 0.1,
            "right": 0.98,
            "bottom": 0.08,
            "top": 0.95,
            "hspace": 0.42,
            "wspace": 0.3,
        },
    ).ravel()
    for column, colour in (("running", "#4e79a7"), ("completed", "#59a14f"), ("failed", "#e15759")):
        ax[0].plot(weekly["week"], weekly[column], color=colour, label=column)
    ax[0].legend(fontsize=7, frameon=False)
    _panel(ax[0], "Cooperations", "count")
    ax[1].plot(network["week"], network["cross_sector_share"], "o-", ms=3, color="#f28e2b")
    _panel(ax[1], "Cross-sector share of resilient ties", "share")
    ax[2].plot(network["week"], network["mean_tie_strength"], "o-", ms=3, color="#333333")
    _panel(ax[2], "Mean tie strength", "strength")
    if model.config.programme.enabled:
        ax[3].plot(weekly["week"], weekly["fund_balance"], color="#76b7b2")
        _panel(ax[3], "Fund balance", "EUR")
    else:
        ax[3].plot(weekly["week"], weekly["active_actors"], color="#b07aa1", label="active")
        ax[3].plot(
            weekly["week"], weekly["actors_involved"], color="#9c755f", label="ever involved"
        )
        ax[3].legend(fontsize=7, frameon=False)
        _panel(ax[3], "Actors (no programme, no fund)", "count")
    return fig


def _panel(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("week", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)


def numbers(model) -> dict[str, str]:
    """The counters shown on screen: the DataCollector's latest row, as `quartier run` has it."""
    collected = model.datacollector.model_vars
    if collected["week"]:
        row = {name: values[-1] for name, values in collected.items()}
    else:  # nothing collected before the first step
        row = {name: report(model) for name, report in model.datacollector.model_reporters.items()}
    shown = {
        "week": str(row["week"]),
        "active actors": str(row["active_actors"]),
        "forming": str(row["forming"]),
        "running": str(row["running"]),
        "completed": str(row["completed"]),
        "failed": str(row["failed"]),
        "abandoned": str(row["abandoned"]),
        "success rate": f"{row['success_rate']:.0%}",
        "resilient ties": f"{model.network.get('resilient_ties', 0):.0f}",
        "catalyst": "active" if model.catalyst.active else "none",
        "meetings held": str(row["meetings_held"]),
    }
    if model.config.programme.enabled:
        shown["fund balance"] = f"{row['fund_balance']:,.0f} EUR"
    return shown


def cooperation_rows(model) -> list[dict[str, str]]:
    """One row per running cooperation: type, topic, progress and members."""
    book, names = model.cooperations, model.state.names
    rows = []
    for k in list(book.running)[:MAX_ROWS]:
        members = [names[i] for i in book.members[k]]
        shown = ", ".join(members[:MAX_NAMES])
        if len(members) > MAX_NAMES:
            shown += f" +{len(members) - MAX_NAMES}"
        rows.append(
            {
                "id": str(k),
                "type": COOPERATION_TYPES[book.kind[k]].replace("_", " "),
                "topic": str(book.topic[k]),
                "progress": f"{book.progress[k]:.0%}",
                "members": shown,
            }
        )
    return rows


# Solara's own styles for rendered text (striped, right-aligned table cells).
TEXT_CLASSES = ["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"]


def html_table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """An HTML table of escaped text; the columns numbered in `right` are right-aligned."""

    def cells(tag: str, values: list[str]) -> str:
        return "".join(
            f"<{tag}{' style="text-align: right;"' if i in right else ''}>{escape(v)}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


def NetworkView(model):
    solara.FigureMatplotlib(network_figure(model), format="png", dpi=90)


def ChartsView(model):
    solara.FigureMatplotlib(charts_figure(model), format="png", dpi=90)


def NumbersView(model):
    """The counters as a two-column table, plus a note on an unusable seed."""
    head = (
        f"<p><strong>Seed {model.seed}</strong>, scenario "
        f"<code>{escape(model.controls.scenario)}</code></p>"
    )
    rows = [[name, value] for name, value in numbers(model).items()]
    with solara.Column(classes=["quartier-numbers"]):
        solara.HTML(
            unsafe_innerHTML=head + html_table(["measure", "value"], rows, right={1}),
            classes=TEXT_CLASSES,
        )
        if model.seed_note:
            solara.Warning(model.seed_note)


def CooperationsView(model):
    """The running cooperations with type, progress and members."""
    rows = cooperation_rows(model)
    title = f"<strong>{model.cooperations.n_running} running cooperations</strong>"
    if not rows:
        solara.HTML(unsafe_innerHTML=f"<p>{title} — none at the moment.</p>", classes=TEXT_CLASSES)
        return
    header = ["#", "type", "topic", "progress", "members"]
    table = html_table(header, [[row[key] for key in ROW_KEYS] for row in rows], right={3})
    with solara.Column(classes=["quartier-cooperations"]):
        solara.HTML(unsafe_innerHTML=f"<p>{title}</p>{table}", classes=TEXT_CLASSES)
