"""What the page draws and lists, without a browser: network, charts, timeline, numbers,
the inspected actor, and the exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from quartier.viz import export
from quartier.viz.controls import Controls
from quartier.viz.figures import (
    EVENT_TEXT,
    MARKED,
    SCALE,
    Selection,
    chart_option,
    happenings,
    network_option,
    timeline_option,
)
from quartier.viz.inspector import MAX_NAMES, actor_view, cooperation_row, numbers
from quartier.viz.network import network_data
from quartier.viz.series import NETWORK, WEEKLY, catalogue, default_measures, series, value_at
from quartier.viz.session import Comparison


@pytest.fixture(scope="module")
def pair() -> Comparison:
    """The regime comparison after 60 weeks; A's programme starts in week 13, the catalyst
    of B leaves in week 30."""
    comparison = Comparison(
        [
            Controls("programme_funded", overrides=("programme.start_year=0.25",)),
            Controls(
                "self_organised", catalyst_mode="leaves", overrides=("catalyst.leave_year=0.58",)
            ),
        ],
        seed=2,
    )
    comparison.step(60)
    return comparison


NOTHING = Selection()


def option_of(run, week: int, picked: Selection = NOTHING) -> dict:
    frame = run.frame(week)
    return network_option(run, frame, network_data(frame, run.model, run.layout), picked)


def as_json(option: dict) -> dict:
    return json.loads(json.dumps(option, allow_nan=False))  # plain JSON, no NaN


def test_the_network_shows_every_actor_and_tie_of_the_week(pair):
    run = pair.runs[0]
    for week in (0, 30, 60):
        option = as_json(option_of(run, week))
        graph = option["series"][0]
        actors = [n for n in graph["data"] if "pick" in n]
        frame = run.frame(week)
        assert len(actors) == len(frame.actors) and len(graph["links"]) == len(frame.a)
        ids = [n["id"] for n in graph["data"]]
        assert len(set(ids)) == len(ids)  # ECharts needs unique ids; names may repeat
        names = {n["name"] for n in actors}
        assert names == {run.model.state.names[i] for i in frame.actors}
        first = actors[0]
        assert first["name"] in first["tip"] and "ties" in first["tip"]
        assert first["x"] == pytest.approx(
            SCALE * run.layout.positions[first["pick"]["actor"]][0], abs=0.5
        )


def test_a_picked_actor_and_cooperation_stand_out(pair):
    run = pair.runs[1]
    frame = run.frame(60)
    cooperation = frame.cooperations[0]
    actor = cooperation.members[0]
    graph = option_of(run, 60, Selection("B", actor, cooperation.id))["series"][0]
    nodes = {n["pick"]["actor"]: n for n in graph["data"] if "pick" in n}
    assert nodes[actor]["label"]["show"] and nodes[actor]["itemStyle"]["borderColor"] == "#e63946"
    others = [n for i, n in nodes.items() if i not in cooperation.members]
    assert all(n["itemStyle"]["opacity"] == 0.25 for n in others)
    outside = next(int(i) for i in frame.actors if i not in cooperation.members)
    graph = option_of(run, 60, Selection("B", outside, cooperation.id))["series"][0]
    picked = [n for n in graph["data"] if n.get("pick", {}).get("actor") == outside]
    assert "opacity" not in picked[0]["itemStyle"]  # the picked actor stays in view
    members = [n for i, n in nodes.items() if i in cooperation.members and i != actor]
    assert all(n["itemStyle"]["borderWidth"] == 3 for n in members)
    assert Selection("B", actor).of(pair.runs[0]) == Selection()


def test_charts_overlay_the_runs_and_show_their_difference(pair):
    measure = WEEKLY["running"]
    option = as_json(chart_option(measure, pair.runs, week=40, last=60))
    lines = {s["name"]: s for s in option["series"]}
    a = f"{pair.runs[0].label} {pair.runs[0].name}"
    assert [w for w, _ in lines[a]["data"]] == list(range(41))
    assert [w for w, _ in lines["·A"]["data"]] == list(range(40, 61))  # faint beyond
    first, second = (dict(zip(*series(run, measure), strict=True)) for run in pair.runs)
    difference = dict(map(tuple, lines["B − A"]["data"]))
    assert difference == {w: second[w] - first[w] for w in range(41)}
    assert {"xAxis": 40} | lines[a]["markLine"]["data"][0] == lines[a]["markLine"]["data"][0]


def test_charts_mark_the_happenings(pair):
    option = chart_option(NETWORK["cross_sector_share"], pair.runs, week=60, last=60)
    marks = [
        line["label"]["formatter"]
        for s in option["series"]
        for line in s.get("markLine", {}).get("data", [])
        if "label" in line and line["label"].get("show")
    ]
    drawn = {
        f"{run.label}: {EVENT_TEXT[m.kind]}"
        for run in pair.runs
        for m in happenings(run)
        if m.kind in MARKED and m.week <= 60
    }
    assert set(marks) == drawn and "A: programme starts" in drawn
    assert any(mark.startswith("B: catalyst") for mark in drawn)  # its role ends by week 30
    ticks = next(s for s in option["series"] if s["name"] == "·B meetings")["data"]
    meetings = {m.week for m in happenings(pair.runs[1]) if m.kind == "meeting"}
    assert {w for w, _ in ticks} == meetings


def test_the_timeline_lists_the_happenings(pair):
    option = as_json(timeline_option(pair.runs, week=20, last=60))
    counts = {s["name"]: len(s["data"]) for s in option["series"]}
    for run in pair.runs:
        marks = happenings(run)
        meetings = sum(m.kind == "meeting" for m in marks)
        assert counts[f"{run.label} meetings"] == meetings
        assert counts[f"{run.label} events"] == len(marks) - meetings
    ends = [m.text for m in happenings(pair.runs[1]) if m.kind.startswith("catalyst_")]
    assert ends and any(ends[0] in d["tip"] for s in option["series"] for d in s["data"])


def test_numbers_have_a_column_per_run_and_their_difference(pair):
    frames = [run.frame(45) for run in pair.runs]
    header, rows = numbers(pair.runs, frames)
    assert header == ["measure", "A", "B", "B − A"]
    table = {row[0]: row[1:] for row in rows}
    for run, column in zip(pair.runs, (0, 1), strict=True):
        row = run.model.datacollector.get_model_vars_dataframe().iloc[44]
        assert table["week"][column] == "45" == str(row["week"])
        assert table["running"][column] == str(row["running"])
        assert table["completed"][column] == str(row["completed"])
        resilient = value_at(*series(run, NETWORK["resilient_ties"]), 45)
        assert table["resilient ties"][column] == f"{resilient:,.0f}"
    assert table["catalyst"][1] == "none"  # B's catalyst left in week 30
    completed = [int(v) for v in table["completed"][:2]]
    assert table["completed"][2].lstrip("+−±") == str(abs(completed[1] - completed[0]))


def test_an_actor_as_it_was_in_a_week(pair):
    run = pair.runs[0]
    frame = run.frame(30)
    cooperation = frame.cooperations[0]
    actor = cooperation.members[-1]
    view = actor_view(run, frame, actor)
    facts = dict(view.facts)
    assert view.present and view.name == run.model.state.names[actor]
    assert facts["sector"] and facts["time"].endswith("h") and facts["money"].endswith("EUR")
    contacts = frame.contacts(actor)
    assert view.tie_count.startswith(f"{len(contacts)} ties")
    assert [i for i, *_ in view.ties] == [i for i, _ in contacts][: len(view.ties)]
    assert cooperation.id in view.cooperation_ids
    row = cooperation_row(run, cooperation)
    names = [run.model.state.names[i] for i in cooperation.members]
    assert row[0] == str(cooperation.id) and row[4].startswith(names[0])
    assert row[4].split(" +")[0].split(", ") == names[:MAX_NAMES]
    assert row[4].endswith(f"+{len(names) - MAX_NAMES}") == (len(names) > MAX_NAMES)


def test_an_actor_not_yet_there(pair):
    run = pair.runs[0]
    newcomer = int(run.history.actors.keys[-1])
    since = int(run.history.actors.start[-1])
    if since == 0:
        pytest.skip("nobody arrived in these weeks")
    view = actor_view(run, run.frame(since - 1), newcomer)
    assert not view.present and "not in the neighbourhood" in dict(view.facts)["in week"]


def test_the_catalogue_offers_known_and_new_measures(pair):
    known = catalogue(pair.runs)
    assert "running" in known and "cross_sector_share" in known and "week" not in known
    assert default_measures(pair.runs)[-1] == "fund_balance"  # a programme runs in A


def test_export_png_svg_csv_gif(pair):
    measures = [WEEKLY["running"], NETWORK["mean_tie_strength"]]
    figure = export.view_figure(pair.runs, 40, measures, Selection("A", 3))
    assert export.image(figure, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    svg = export.image(export.view_figure(pair.runs, 40, measures), "svg").decode()
    assert "<svg" in svg and "Cooperations running" in svg
    rows = list(csv.DictReader(io.StringIO(export.series_csv(pair.runs, 40, measures))))
    assert {r["run"] for r in rows} == {"A", "B"}
    a = [r for r in rows if r["run"] == "A"]
    assert [int(r["week"]) for r in a] == list(range(41))
    expected = pair.runs[0].model.datacollector.get_model_vars_dataframe()["running"]
    assert [float(r["running"]) for r in a[1:]] == expected.iloc[:40].astype(float).tolist()
    strength = dict(zip(*series(pair.runs[0], measures[1]), strict=True))
    assert float(a[26]["mean_tie_strength"]) == strength[26] and a[25]["mean_tie_strength"] == ""
    assert export.animation(pair.runs, 6, measures[0])[:6] == b"GIF89a"
