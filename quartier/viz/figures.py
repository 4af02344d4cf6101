"""ECharts options for the page: a run's network, a chart of one measure, the timeline.

Plain data in, plain JSON-ready dicts out (no numpy types, no NaN), so an option can be
compared with the last one sent and tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from experiments.palette import SECTOR_COLOURS
from quartier.viz.history import Frame
from quartier.viz.network import EXTENT, SECTOR_LABELS, NetworkData
from quartier.viz.series import Measure, series
from quartier.viz.session import Run
from simulation.config import COOPERATION_TYPES, SECTORS

RUN_COLOURS = ("#2f4b7c", "#d45087", "#ff9f1c", "#2a9d8f")  # A, B, C, D
STAR = "path://M50,0 L61,35 L98,35 L68,57 L79,91 L50,70 L21,91 L32,57 L2,35 L39,35 Z"  # catalyst
EVENT_TEXT = {
    "programme_start": "programme starts",
    "programme_end": "programme ends",
    "catalyst": "catalyst takes up the role",
    "catalyst_ends": "catalyst role ends",
    "catalyst_leaves": "catalyst leaves",
    "disruption": "disruption",
}
SCALE = 1000.0  # layout units to drawing units: ECharts snaps lines to half units
MIN_WEEKS = 52  # the charts' week axis spans at least a year
MARKED = ("programme_start", "programme_end", "catalyst_ends", "catalyst_leaves", "disruption")
"""Happenings drawn as lines on every chart; all of them (meetings too) are on the timeline."""


@dataclass(frozen=True)
class Selection:
    """What the user picked: an actor and/or a cooperation of one run."""

    run: str = ""  # the run's label
    actor: int = -1
    cooperation: int = -1

    def of(self, run: Run) -> Selection:
        return self if self.run == run.label else Selection()


def run_colour(index: int) -> str:
    return RUN_COLOURS[index % len(RUN_COLOURS)]


# -- the network ------------------------------------------------------------------------------


def network_option(run: Run, frame: Frame, data: NetworkData, picked: Selection) -> dict:
    """The tie network of one week: actors by sector and size by ties, resilient ties dark;
    the catalyst a gold star, the QM office a square, members of running cooperations ringed.
    A picked actor is ringed and named, a picked cooperation's members stand out."""
    tips = actor_tips(run, frame, data)
    members = set()
    for cooperation in frame.cooperations:
        if cooperation.id == picked.cooperation:
            members = set(cooperation.members)
    nodes = [
        _node(run, data, k, tips[k], picked, members) for k in range(len(data.nodes))
    ] + _anchors()
    links = _links(data, members)
    sectors = [s for s in SECTORS if s in set(data.sectors)]
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "tip", "confine": True},
        "legend": {
            "data": [SECTOR_LABELS[s] for s in sectors],
            "bottom": 0,
            "itemWidth": 10,
            "itemHeight": 10,
            "textStyle": {"fontSize": 11},
        },
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": False,
                "left": "center",  # width from the height: the layout keeps its shape
                "top": 8,
                "bottom": 30,
                "data": nodes,
                "links": links,
                "categories": [
                    {"name": SECTOR_LABELS[s], "itemStyle": {"color": SECTOR_COLOURS[s]}}
                    for s in SECTORS
                ],
                "emphasis": {"focus": "adjacency", "lineStyle": {"width": 2.5}},
                "blur": {"itemStyle": {"opacity": 0.4}, "lineStyle": {"opacity": 0.08}},
                "lineStyle": WEAK | {"curveness": 0},
            }
        ],
    }


def _node(run: Run, data: NetworkData, k: int, tip: str, picked: Selection, members) -> dict:
    actor = int(data.nodes[k])
    x, y = (float(v) for v in data.xy[k])
    size = 6 + 1.5 * float(data.degree[k]) ** 0.5
    style: dict = {"borderColor": "#ffffff", "borderWidth": 0.5}
    if data.in_cooperation[k]:
        style = {"borderColor": "#000000", "borderWidth": 1.4}
    node = {
        "id": str(actor),  # names need not be unique; ECharts needs ids that are
        "name": data.names[k],
        "x": round(SCALE * x),
        "y": round(-SCALE * y),  # screen y grows downwards
        "symbolSize": round(size, 1),
        "category": SECTORS.index(data.sectors[k]) if data.sectors[k] in SECTORS else 0,
        "tip": tip,
        "pick": {"run": run.label, "actor": actor},
    }
    if data.qm[k]:
        node |= {"symbol": "rect", "symbolSize": round(size + 4, 1)}
        style = {"borderColor": "#000000", "borderWidth": 1.6}
    if data.catalyst[k]:
        node |= {"symbol": STAR, "symbolSize": 22}
        style = {"color": "#ffd700", "borderColor": "#000000", "borderWidth": 1.2}
    if members:
        if actor in members:
            style |= {"borderColor": "#000000", "borderWidth": 3}
            node["symbolSize"] = node["symbolSize"] + 4
        elif actor != picked.actor:
            style["opacity"] = 0.25
    if actor == picked.actor:
        style |= {"borderColor": "#e63946", "borderWidth": 3.5}
        node["symbolSize"] = node["symbolSize"] + 6
        node["label"] = {"show": True, "formatter": "{b}", "fontWeight": "bold"}
        node["z"] = 10
    node["itemStyle"] = style
    return node


def _anchors() -> list[dict]:
    """Two invisible corner nodes: the drawing always spans the same square, so actors
    stay where they are when the network grows or shrinks."""
    hidden = {"symbolSize": 0, "itemStyle": {"opacity": 0}, "tooltip": {"show": False}}
    return [
        {"id": "corner-1", "name": "", "x": -SCALE * EXTENT, "y": -SCALE * EXTENT, **hidden},
        {"id": "corner-2", "name": "", "x": SCALE * EXTENT, "y": SCALE * EXTENT, **hidden},
    ]


WEAK = {"color": "#aaaaaa", "width": 0.7, "opacity": 0.45}  # the series' own line style


def _links(data: NetworkData, members: set[int]) -> list[dict]:
    """Weak ties first, all in the series' light style (most ties are weak: no style of their
    own keeps the option small), then resilient ones, dark and as wide as they are strong."""
    links = []
    order = sorted(range(len(data.edges)), key=lambda e: (bool(data.resilient[e]), e))
    for e in order:
        p, q = (int(v) for v in data.edges[e])  # positions in the node list
        link: dict = {"source": p, "target": q}
        if data.resilient[e]:
            width = round(0.8 + 2.5 * float(data.strengths[e]), 1)
            link["lineStyle"] = {"color": "#333333", "width": width, "opacity": 0.85}
        if members:
            inside = int(data.nodes[p]) in members and int(data.nodes[q]) in members
            link["lineStyle"] = link.get("lineStyle", {}) | {"opacity": 0.9 if inside else 0.08}
        links.append(link)
    return links


def actor_tips(run: Run, frame: Frame, data: NetworkData) -> list[str]:
    """The hover text of each actor: name, sector, role, resources, ties, cooperations."""
    resilient = [0] * len(data.nodes)
    for e, (p, q) in enumerate(data.edges.tolist()):
        if data.resilient[e]:
            resilient[p] += 1
            resilient[q] += 1
    joined: dict[int, int] = {}
    for cooperation in frame.cooperations:
        for i in cooperation.members:
            joined[i] = joined.get(i, 0) + 1
    row = {int(a): k for k, a in enumerate(frame.actors.tolist())}
    tips = []
    for k, actor in enumerate(data.nodes.tolist()):
        role = frame.roles.get(actor, "")
        time, money = (float(v) for v in frame.stock[row[actor], :2])
        lines = [
            f"<b>{escape(data.names[k])}</b>",
            escape(SECTOR_LABELS.get(data.sectors[k], data.sectors[k]))
            + (f" · {escape(role)}" if role else ""),
            f"time {time:.1f} h · money {money:,.0f} EUR",
            f"{int(data.degree[k])} ties ({resilient[k]} resilient) · "
            f"{joined.get(actor, 0)} running cooperations",
        ]
        tips.append("<br>".join(lines))
    return tips


# -- charts -----------------------------------------------------------------------------------


def chart_option(measure: Measure, runs: list[Run], week: int, last: int) -> dict:
    """One measure for every run, drawn up to `week` and faint beyond it (the weeks already
    computed), the difference of each run from the first below, events as lines."""
    drawn = [series(run, measure) for run in runs]
    compare = len(runs) > 1
    grids = [{"left": 52, "right": 16, "top": 30, "bottom": 104 if compare else 40}]
    x_axes = [_x_axis(0, last, labels=not compare)]
    y_axes = [_y_axis(0, "")]
    if compare:
        grids.append({"left": 52, "right": 16, "height": 52, "bottom": 36})
        x_axes.append(_x_axis(1, last, labels=True))
        y_axes.append(_y_axis(1, "") | {"splitNumber": 2})
    out: list[dict] = []
    for k, (run, (weeks, values)) in enumerate(zip(runs, drawn, strict=True)):
        colour = run_colour(k)
        points = [[w, v] for w, v in zip(weeks, values, strict=True)]
        shown = [p for p in points if p[0] <= week]
        later = [p for p in points if p[0] >= (shown[-1][0] if shown else week)]
        style = {"color": colour, "width": 2}
        out.append(
            {
                "name": f"{run.label} {run.name}",
                "type": "line",
                "data": shown,
                "showSymbol": measure.network,
                "symbolSize": 4,
                "connectNulls": False,
                "lineStyle": style,
                "itemStyle": {"color": colour},
                "markLine": _event_lines(run, colour, week if k == 0 else None),
                "z": 3,
            }
        )
        if len(later) > 1:
            out.append(
                {
                    "name": f"·{run.label}",
                    "type": "line",
                    "data": later,
                    "showSymbol": False,
                    "silent": True,
                    "lineStyle": style | {"opacity": 0.25},
                    "itemStyle": {"color": colour, "opacity": 0.25},
                    "z": 2,
                }
            )
    y_axes.append(
        {"type": "value", "gridIndex": 0, "min": 0, "max": 1, "show": False}  # meeting ticks
    )
    for k, run in enumerate(runs):
        out.append(_meeting_ticks(run, run_colour(k), len(y_axes) - 1, 0.015 + 0.035 * k))
    for k in range(1, len(runs)):
        colour = run_colour(k)
        out.append(
            {
                "name": f"{runs[k].label} − {runs[0].label}",
                "type": "line",
                "xAxisIndex": 1,
                "yAxisIndex": 1,
                "data": _difference(drawn[0], drawn[k], week),
                "showSymbol": measure.network,
                "symbolSize": 3,
                "lineStyle": {"color": colour, "width": 1.5},
                "itemStyle": {"color": colour},
                "areaStyle": {"color": colour, "opacity": 0.12},
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "label": {"show": False},
                    "lineStyle": {"color": "#999999", "type": "solid", "width": 1},
                    "data": [{"yAxis": 0}],
                },
            }
        )
    return {
        "animation": False,
        "title": [
            {"text": measure.label, "left": 8, "top": 4, "textStyle": {"fontSize": 12}},
            *(
                [
                    {
                        "text": "difference from " + runs[0].label,
                        "left": 58,
                        "bottom": 78,
                        "textStyle": {"fontSize": 10, "fontWeight": "normal", "color": "#777"},
                    }
                ]
                if compare
                else []
            ),
        ],
        "tooltip": {"trigger": "axis", "formatter": "weeks", "confine": True},
        "axisPointer": {"link": [{"xAxisIndex": "all"}]},
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "series": out,
    }


def _meeting_ticks(run: Run, colour: str, axis: int, height: float) -> dict:
    """The run's meetings as short ticks along the bottom of the chart."""
    weeks = [m.week for m in happenings(run) if m.kind == "meeting"]
    return {
        "name": f"·{run.label} meetings",
        "type": "scatter",
        "yAxisIndex": axis,
        "silent": True,
        "symbol": "rect",
        "symbolSize": [1.5, 7],
        "itemStyle": {"color": colour, "opacity": 0.5},
        "data": [[w, height] for w in sorted(set(weeks))],
        "z": 1,
    }


def _x_axis(grid: int, last: int, labels: bool) -> dict:
    return {
        "type": "value",
        "gridIndex": grid,
        "min": 0,
        "max": max(last, MIN_WEEKS),
        "minInterval": 1,
        "name": "week" if labels else "",
        "nameLocation": "middle",
        "nameGap": 22,
        "axisLabel": {"show": labels, "fontSize": 10},
        "splitLine": {"show": False},
    }


def _y_axis(grid: int, name: str) -> dict:
    return {
        "type": "value",
        "gridIndex": grid,
        "scale": grid == 0,
        "name": name,
        "nameTextStyle": {"fontSize": 10, "align": "left"},
        "axisLabel": {"fontSize": 10},
    }


def _difference(first: tuple[list, list], other: tuple[list, list], week: int) -> list[list]:
    """other − first at the weeks both have, up to `week`."""
    base = {w: v for w, v in zip(*first, strict=True) if v is not None}
    return [
        [w, round(v - base[w], 10)]
        for w, v in zip(*other, strict=True)
        if w <= week and v is not None and w in base
    ]


def _event_lines(run: Run, colour: str, cursor: int | None) -> dict:
    """Lines at the run's structural happenings (and the shown week, on the first run)."""
    lines: list[dict] = []
    if cursor is not None:
        lines.append(
            {
                "xAxis": cursor,
                "lineStyle": {"color": "#555555", "type": "dashed", "width": 1},
                "label": {"show": False},
            }
        )
    for happening in happenings(run):
        if happening.kind in MARKED and happening.week > 0:  # week 0 is the axis itself
            lines.append(
                {
                    "xAxis": happening.week,
                    "lineStyle": {"color": colour, "type": "dotted", "width": 1.5},
                    "label": {
                        "show": True,
                        "formatter": f"{run.label}: {EVENT_TEXT.get(happening.kind)}",
                        "position": "insideEndBottom",
                        "fontSize": 9,
                        "color": colour,
                    },
                }
            )
    return {"silent": True, "symbol": "none", "animation": False, "data": lines}


# -- the timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    week: int
    kind: str
    text: str  # what happened, for people


def happenings(run: Run) -> list[Mark]:
    """The run's happenings (`model.happenings`) from week 0 on, described; the model only
    appends to its log, so what was described is kept and only new ones are read."""
    log = getattr(run.model, "happenings", [])
    if run.marks is None:
        run.marks = Marks()
    known = run.marks
    if len(log) > known.read:
        known.found += describe(run, log[known.read :])
        known.read = len(log)
    return known.found


@dataclass
class Marks:
    """A run's happenings described so far (see `happenings`)."""

    read: int = 0
    found: list[Mark] = field(default_factory=list)


def describe(run: Run, log: list) -> list[Mark]:
    names = run.model.state.names
    found = []
    for happening in log:
        week = int(getattr(happening, "week", -1))
        if week < 0:
            continue
        kind = str(getattr(happening, "kind", ""))
        actor = int(getattr(happening, "actor", -1))
        detail = str(getattr(happening, "detail", "") or "")
        text = detail if kind == "meeting" else EVENT_TEXT.get(kind, kind.replace("_", " "))
        if kind == "disruption" and detail:
            text = f"disruption: {detail}"
        if kind != "meeting" and 0 <= actor < len(names):
            text += f" ({names[actor]})"
        found.append(Mark(week, kind, text))
    return found


def timeline_option(runs: list[Run], week: int, last: int) -> dict:
    """A strip a row per run: meetings as ticks, the other happenings as diamonds, the shown
    week as a line; a click anywhere shows that week."""
    labels = [f"{run.label}" for run in runs][::-1]
    out = []
    for k, run in enumerate(runs):
        colour = run_colour(k)
        marks = happenings(run)
        meetings = [m for m in marks if m.kind == "meeting"]
        others = [m for m in marks if m.kind != "meeting"]
        out.append(
            {
                "name": f"{run.label} meetings",
                "type": "scatter",
                "symbol": "rect",
                "symbolSize": [2, 14],
                "itemStyle": {"color": colour, "opacity": 0.45},
                "data": [
                    {
                        "value": [m.week, run.label],
                        "tip": f"{run.label}, week {m.week}: {escape(m.text)}",
                    }
                    for m in meetings
                ],
            }
        )
        out.append(
            {
                "name": f"{run.label} events",
                "type": "scatter",
                "symbol": "diamond",
                "symbolSize": 13,
                "itemStyle": {"color": colour, "borderColor": "#000000", "borderWidth": 1},
                "z": 4,
                "data": [
                    {
                        "value": [m.week, run.label],
                        "tip": f"{run.label}, week {m.week}: {escape(m.text)}",
                    }
                    for m in others
                ],
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "label": {"show": False},
                    "lineStyle": {"color": "#555555", "type": "dashed", "width": 1.5},
                    "data": [{"xAxis": week}] if k == 0 else [],
                },
                "markArea": {
                    "silent": True,
                    "itemStyle": {"color": "rgba(0, 0, 0, 0.05)"},
                    "data": [[{"xAxis": week}, {"xAxis": max(last, week)}]] if k == 0 else [],
                },
            }
        )
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "tip", "confine": True},
        "grid": [{"left": 52, "right": 16, "top": 8, "bottom": 22}],
        "xAxis": [_x_axis(0, last, labels=True) | {"name": "", "axisLabel": {"fontSize": 10}}],
        "yAxis": [
            {
                "type": "category",
                "data": labels,
                "axisLabel": {"fontSize": 11, "fontWeight": "bold"},
                "axisTick": {"show": False},
            }
        ],
        "series": out,
    }


def cooperation_type(kind: int) -> str:
    return COOPERATION_TYPES[kind].replace("_", " ") if 0 <= kind < len(COOPERATION_TYPES) else "?"
