"""The page's parts as Solara components: settings, the week bar, runs, charts, tables.

State lives in `PageState` (reactive values made once per page by `use_page_state`); the
components read it and change it. Everything that draws reads the runs under the
comparison's lock, so the play loop never steps a model while a view reads it.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import solara

import scenarios
from quartier.viz import export
from quartier.viz.controls import (
    AS_SCENARIO,
    CATALYST_MODES,
    REGIME_PRESETS,
    Controls,
    parse_seed,
    scenario_name,
    split_overrides,
)
from quartier.viz.figures import (
    Selection,
    chart_option,
    network_option,
    run_colour,
    timeline_option,
)
from quartier.viz.history import Frame
from quartier.viz.inspector import actor_view, cooperation_row, numbers
from quartier.viz.network import network_data
from quartier.viz.series import Measure, catalogue, default_measures
from quartier.viz.session import MAX_RUNS, Comparison, Run
from quartier.viz.widgets import EChart, Table
from scenarios.errors import InputError

MAX_REDRAW = 52  # weeks a Step (or a redraw while playing) covers, at most
PLAY_PAUSE_S = 0.05  # between redraws while playing: lets clicks in


@dataclass
class PageState:
    """The reactive state of one page (one browser tab)."""

    comparison: solara.Reactive[Comparison]
    version: solara.Reactive[int]  # bumped after every step
    shown: solara.Reactive[int | None]  # the week on screen; None: the last computed
    playing: solara.Reactive[bool]
    per_redraw: solara.Reactive[int]  # weeks a Step computes, and a redraw while playing
    picked: solara.Reactive[Selection]
    measures: solara.Reactive[list[str]]  # keys of the charted measures
    drafts: solara.Reactive[list[Controls]]  # the settings, applied on Reset
    seed_text: solara.Reactive[str]
    choices: solara.Reactive[list[str]]  # scenarios to choose from (presets, opened files)
    message: solara.Reactive[str]  # an input error, one line
    note: solara.Reactive[str]
    cache: dict  # what `page_view` built last

    @property
    def week(self) -> int:
        """The week on screen."""
        last = self.comparison.value.week
        shown = self.shown.value
        return last if shown is None else min(shown, last)

    def apply(self, drafts: list[Controls] | None = None, seed_text: str | None = None) -> bool:
        """Build the runs anew from the settings; an input error is shown, not raised."""
        drafts = list(drafts if drafts is not None else self.drafts.value)
        typed = self.seed_text.value if seed_text is None else seed_text
        seed = parse_seed(typed)
        if seed is None:
            self.message.set(f"Seed {typed!r}: must be a whole number ≥ 0")
            return False
        self.playing.set(False)
        try:
            comparison = Comparison(drafts, seed)
        except InputError as error:
            self.message.set(str(error))
            return False
        self.message.set("")
        self.drafts.set(drafts)
        self.comparison.set(comparison)
        self.shown.set(None)
        self.picked.set(Selection())
        self.version.set(self.version.value + 1)
        return True

    def step(self, weeks: int = 1) -> None:
        self.comparison.value.step(weeks)
        self.shown.set(None)
        self.version.set(self.version.value + 1)


def use_page_state(first: list[Controls], seed: int, choices: list[str]) -> PageState:
    comparison = solara.use_memo(lambda: Comparison(first, seed), [])
    return PageState(
        comparison=solara.use_reactive(comparison),
        version=solara.use_reactive(0),
        shown=solara.use_reactive(None),
        playing=solara.use_reactive(False),
        per_redraw=solara.use_reactive(1),
        picked=solara.use_reactive(Selection()),
        measures=solara.use_reactive(default_measures(comparison.runs)),
        drafts=solara.use_reactive(list(first)),
        seed_text=solara.use_reactive(str(seed)),
        choices=solara.use_reactive(choices),
        message=solara.use_reactive(""),
        note=solara.use_reactive(""),
        cache=solara.use_memo(dict, []),
    )


def use_play_loop(state: PageState) -> None:
    """While playing: step `per_redraw` weeks, redraw, repeat; stop at the end of the runs."""

    def loop(cancel: threading.Event) -> None:
        while state.playing.value and not cancel.is_set():
            comparison = state.comparison.value
            if comparison.finished:
                state.playing.set(False)
                return
            state.step(state.per_redraw.value)
            time.sleep(PLAY_PAUSE_S)

    solara.use_thread(
        loop,
        dependencies=[state.playing.value, state.comparison.value],
        intrusive_cancel=False,
    )


# -- settings ------------------------------------------------------------------------------


@solara.component
def Settings(state: PageState) -> None:
    drafts = state.drafts.value

    def change(k: int, **values) -> None:
        updated = list(state.drafts.value)
        updated[k] = dataclasses.replace(updated[k], **values)
        state.drafts.set(updated)

    def add() -> None:
        state.drafts.set([*state.drafts.value, state.drafts.value[-1]])

    def remove(k: int) -> None:
        state.drafts.set([d for j, d in enumerate(state.drafts.value) if j != k])

    with solara.Column(gap="8px", classes=["quartier-settings"]):
        OpenFile(state)
        for k, draft in enumerate(drafts):
            RunSettings(k, draft, state.choices.value, change, remove, len(drafts) > 1)
        with solara.Row():
            solara.Button(
                "Add a run",
                on_click=add,
                disabled=len(drafts) >= MAX_RUNS,
                text=True,
                color="primary",
            )
        solara.InputText(
            "Seed (integer)",
            value=state.seed_text.value,
            on_value=state.seed_text.set,
        )
        solara.Button("Reset", on_click=lambda: state.apply(), color="primary")
        solara.Text(
            "Settings take effect on Reset: every run starts again from week 0 with the seed.",
            classes=["quartier-hint"],
        )
        if state.message.value:
            solara.Error(state.message.value, classes=["quartier-error"])


@solara.component
def RunSettings(
    k: int,
    draft: Controls,
    choices: list[str],
    change: Callable[..., None],
    remove: Callable[[int], None],
    removable: bool,
) -> None:
    label = "ABCD"[k]
    with solara.Card(f"Run {label}", margin=0, classes=[f"quartier-run-{label}"]):
        solara.Select(
            f"Scenario {label}",
            values=choices if draft.scenario in choices else [draft.scenario, *choices],
            value=draft.scenario,
            on_value=lambda v: change(k, scenario=v),
        )
        solara.Select(
            f"Regime {label}",
            values=[AS_SCENARIO, *REGIME_PRESETS],
            value=draft.regime,
            on_value=lambda v: change(k, regime=v),
        )
        solara.Select(
            f"Catalyst {label}",
            values=[AS_SCENARIO, *CATALYST_MODES],
            value=draft.catalyst_mode,
            on_value=lambda v: change(k, catalyst_mode=v),
        )
        solara.SliderFloat(
            "Meeting interval (× scenario's)",
            value=draft.meeting_interval,
            min=0.25,
            max=4.0,
            step=0.25,
            on_value=lambda v: change(k, meeting_interval=v),
        )
        solara.SliderFloat(
            "Resource level (× scenario's)",
            value=draft.resource_level,
            min=0.0,
            max=3.0,
            step=0.1,
            on_value=lambda v: change(k, resource_level=v),
        )
        solara.SliderInt(
            "Number of actors (0 = scenario's)",
            value=draft.actors,
            min=0,
            max=600,
            step=10,
            on_value=lambda v: change(k, actors=v),
        )

        solara.InputTextArea(
            f"Overrides {label} (KEY=VALUE a line)",
            value="\n".join(draft.overrides),
            on_value=lambda text: change(k, overrides=split_overrides(text or "")),
            rows=2,
        )
        if removable:
            solara.Button(f"Remove run {label}", on_click=lambda: remove(k), text=True)


@solara.component
def OpenFile(state: PageState) -> None:
    """A scenario file on this computer (a preset name works too) into one of the runs."""
    path, set_path = solara.use_state("")
    into, set_into = solara.use_state("A")
    labels = ["ABCD"[k] for k in range(len(state.drafts.value))]

    def open_file() -> None:
        typed = path.strip()
        try:
            scenarios.load(typed)
        except InputError as error:
            state.message.set(str(error))
            return
        chosen = str(scenarios.resolve(typed)) if scenario_name(typed) != typed else typed
        if chosen not in state.choices.value:
            state.choices.set([chosen, *state.choices.value])
        k = labels.index(into) if into in labels else 0
        drafts = list(state.drafts.value)
        drafts[k] = dataclasses.replace(drafts[k], scenario=chosen)
        if state.apply(drafts):
            state.note.set(f"Opened {scenario_name(chosen)} as run {labels[k]}")

    with solara.Card("Open a scenario file", margin=0):
        solara.InputText(
            "Scenario file (path or preset)",
            value=path,
            on_value=lambda v: set_path(v or ""),
            continuous_update=True,
        )
        with solara.Row():
            solara.Select("into run", values=labels, value=into, on_value=set_into)
            solara.Button("Open", on_click=open_file, color="primary", outlined=True)
        if state.note.value:
            solara.Text(state.note.value, classes=["quartier-note"])


@solara.component
def Exports(state: PageState) -> None:
    """Files of the week on screen, made when asked for (the week is read then)."""
    comparison = state.comparison.value
    measures = chosen_measures(state)
    picked = state.picked.value

    def figure(kind: str) -> Callable[[], bytes]:
        def draw() -> bytes:
            with comparison.lock:
                shown = export.view_figure(comparison.runs, state.week, measures, picked)
                return export.image(shown, kind)

        return draw

    def table() -> str:
        with comparison.lock:
            return export.series_csv(comparison.runs, state.week, measures)

    def movie() -> bytes:
        with comparison.lock:
            first = measures[0] if measures else None
            return export.animation(comparison.runs, state.week, first)

    with solara.Row(gap="4px", style={"align-items": "center"}, classes=["quartier-exports"]):
        solara.Text("Export the week shown:")
        for kind, mime in export.FORMATS.items():
            name = f"quartier-view.{kind}"
            solara.FileDownload(figure(kind), name, label=kind.upper(), mime_type=mime)
        solara.FileDownload(table, "quartier-series.csv", label="CSV", mime_type="text/csv")
        solara.FileDownload(movie, "quartier-run.gif", label="GIF", mime_type="image/gif")


def chosen_measures(state: PageState) -> list[Measure]:
    known = catalogue(state.comparison.value.runs)
    return [known[key] for key in state.measures.value if key in known]


# -- the week bar -------------------------------------------------------------------------------


@solara.component
def WeekBar(state: PageState) -> None:
    _ = state.version.value  # redraw after every step
    comparison = state.comparison.value
    last, week, playing = comparison.week, state.week, state.playing.value

    def scrub(value: int) -> None:
        state.playing.set(False)  # looking back pauses; ▶ goes on from the end
        state.shown.set(None if value >= state.comparison.value.week else int(value))

    with solara.Row(gap="12px", style={"align-items": "center"}, classes=["quartier-weekbar"]):
        solara.Button(
            "Step",
            on_click=lambda: state.step(state.per_redraw.value),
            disabled=playing or comparison.finished,
            color="primary",
        )
        solara.Button(
            "❚❚" if playing else "▶",
            on_click=lambda: state.playing.set(not state.playing.value),
            disabled=comparison.finished and not playing,
            color="primary",
        )
        with solara.Column(style={"min-width": "200px"}):
            solara.SliderInt(
                "Weeks per step",
                value=state.per_redraw.value,
                min=1,
                max=MAX_REDRAW,
                on_value=state.per_redraw.set,
            )
        with solara.Column(style={"flex-grow": "1"}):
            solara.SliderInt("Week", value=week, min=0, max=max(last, 1), on_value=scrub)
        solara.Text(week_text(comparison, week), classes=["quartier-week"])


def week_text(comparison: Comparison, week: int) -> str:
    last, end = comparison.week, comparison.end
    if week < last:
        return f"Week {week} of {last} computed: Step and ▶ continue from week {last}"
    if comparison.finished:
        return f"Week {week}: the end of the runs"
    return f"Week {week} of {end}"


# -- the views ---------------------------------------------------------------------------------

_revisions = itertools.count(1)


def page_view(state: PageState) -> dict:
    """Everything drawn for the week on screen, built once per step, week, pick and charts
    (the parts of the page that show it share it)."""
    comparison = state.comparison.value
    week, picked = state.week, state.picked.value
    measures = chosen_measures(state)
    key = (id(comparison), state.version.value, week, picked, tuple(m.key for m in measures))
    if state.cache.get("key") != key:
        with comparison.lock:
            runs, last = comparison.runs, comparison.week
            frames = [run.frame(week) for run in runs]
            state.cache.clear()
            state.cache.update(
                key=key,
                revision=next(_revisions),
                frames=frames,
                timeline=timeline_option(runs, week, last),
                networks=[
                    network_option(run, f, network_data(f, run.model, run.layout), picked.of(run))
                    for run, f in zip(runs, frames, strict=True)
                ],
                charts=[chart_option(m, runs, week, last) for m in measures],
                numbers=numbers(runs, frames),
            )
    return state.cache


def show_week(state: PageState, week: int) -> None:
    """A click on a chart or the timeline: show that week (pausing play)."""
    state.playing.set(False)
    last = state.comparison.value.week
    state.shown.set(None if week >= last else max(int(week), 0))


@solara.component
def RunsView(state: PageState) -> None:
    """The timeline and the runs side by side."""
    comparison = state.comparison.value
    view = page_view(state)
    revision = view["revision"]
    EChart(
        view["timeline"],
        revision,
        mode="timeline",
        height=f"{46 + 26 * len(comparison.runs)}px",
        on_week=lambda week: show_week(state, week),
    )
    with solara.Columns([1] * len(comparison.runs), classes=["quartier-runs"]):
        for k, (run, frame, option) in enumerate(
            zip(comparison.runs, view["frames"], view["networks"], strict=True)
        ):
            RunView(state, k, run, frame, option, revision)


@solara.component
def ChartsView(state: PageState) -> None:
    view = page_view(state)
    with solara.Column(gap="0px", classes=["quartier-charts"]):
        charts = view["charts"]
        for first in range(0, len(charts), 2):
            with solara.Columns([1, 1]):
                for option in charts[first : first + 2]:
                    EChart(
                        option,
                        view["revision"],
                        mode="chart",
                        height="320px",
                        on_week=lambda week: show_week(state, week),
                    )


@solara.component
def NumbersView(state: PageState) -> None:
    view = page_view(state)
    with solara.Columns([2, 3]):
        with solara.Column(classes=["quartier-numbers"]):
            header, rows = view["numbers"]
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>Numbers in week {state.week}</b>")
            Table(header, rows, right=tuple(range(1, len(header))), kind="numbers")
        Inspector(state, view["frames"])


@solara.component
def Key() -> None:
    solara.HTML(tag="div", unsafe_innerHTML=KEY, classes=["quartier-key"])


@solara.component
def RunView(state: PageState, k: int, run: Run, frame: Frame, option: dict, revision: int) -> None:
    picked = state.picked.value.of(run)

    def pick(data: dict) -> None:
        actor = data.get("actor")
        if not isinstance(actor, int):
            state.picked.set(Selection())
            return
        keep = picked.cooperation if picked.run == run.label else -1
        state.picked.set(Selection(run.label, actor, keep))

    def pick_cooperation(key: object) -> None:
        chosen = int(key) if isinstance(key, int) else -1
        if chosen == picked.cooperation:
            chosen = -1
        state.picked.set(Selection(run.label, picked.actor, chosen))

    active = len(frame.actors)
    ties = len(frame.a)
    resilient = int((frame.strength >= run.config.ties.resilient_threshold).sum())
    ended = " · ended" if run.finished and frame.week >= run.end else ""
    with solara.Column(gap="4px", classes=[f"quartier-run quartier-run-view-{run.label}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<span class="quartier-run-label" style="background:{run_colour(k)}">'
                f"{run.label}</span> <b>{_escape(run.name)}</b> — week {frame.week}: "
                f"{active} actors, {ties} ties ({resilient} resilient){ended}"
            ),
            classes=["quartier-run-title"],
        )
        command = run.command
        if command:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Same run: <code>{_escape(command)}</code>",
                classes=["quartier-command"],
            )
        EChart(option, revision, mode="network", height="430px", on_pick=pick)
        rows = [cooperation_row(run, c) for c in frame.cooperations]
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{len(rows)} running cooperations</b> (click one to see its "
            "members)",
        )
        with solara.Column(classes=["quartier-cooperations"]):
            Table(
                ["#", "type", "topic", "progress", "members"],
                rows,
                keys=[c.id for c in frame.cooperations],
                selected=picked.cooperation if picked.cooperation >= 0 else None,
                right=(3,),
                kind="cooperations",
                on_pick=pick_cooperation,
            )


@solara.component
def ChartPicker(state: PageState) -> None:
    known = catalogue(state.comparison.value.runs)
    titles = {m.title: key for key, m in known.items()}
    chosen = [known[key].title for key in state.measures.value if key in known]

    def choose(values: list[str]) -> None:
        state.measures.set([titles[v] for v in values if v in titles])

    solara.SelectMultiple("Charts", values=chosen, all_values=list(titles), on_value=choose)


@solara.component
def Inspector(state: PageState, frames: list[Frame]) -> None:
    picked = state.picked.value
    comparison = state.comparison.value
    runs = {run.label: (run, frame) for run, frame in zip(comparison.runs, frames, strict=True)}
    with solara.Column(classes=["quartier-inspector"]):
        if picked.run not in runs or picked.actor < 0:
            solara.HTML(
                tag="div",
                unsafe_innerHTML="<b>Actor</b>: hover over an actor for a summary, click it "
                "for details here; click a cooperation to see its members.",
            )
            return
        run, frame = runs[picked.run]
        with comparison.lock:
            view = actor_view(run, frame, picked.actor)

        def pick_actor(key: object) -> None:
            if isinstance(key, int):
                state.picked.set(Selection(run.label, key, picked.cooperation))

        def pick_cooperation(key: object) -> None:
            if isinstance(key, int):
                state.picked.set(Selection(run.label, picked.actor, key))

        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{_escape(view.name)}</b> (run {run.label}, week {frame.week})",
            classes=["quartier-actor-name"],
        )
        Table(["", ""], [list(f) for f in view.facts], kind="facts")
        if view.present:
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>Ties</b>: {view.tie_count}")
            Table(
                ["name", "sector", "strength"],
                [[name, sector, w] for _, name, sector, w in view.ties],
                keys=[i for i, *_ in view.ties],
                right=(2,),
                kind="ties",
                on_pick=pick_actor,
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>Running cooperations</b>: {len(view.cooperations)}",
            )
            Table(
                ["#", "type", "topic", "progress"],
                view.cooperations,
                keys=view.cooperation_ids,
                selected=picked.cooperation if picked.cooperation >= 0 else None,
                right=(3,),
                kind="actor-cooperations",
                on_pick=pick_cooperation,
            )


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


KEY = (
    "Actors by sector, sized by their ties; <b>★</b> catalyst, <b>■</b> QM office, a black "
    "ring: in a running cooperation. Dark lines: resilient ties, grey: weaker ones. Hover an "
    "actor for a summary, click it for details below; click a cooperation to pick out its "
    "members. Charts: each run to the week shown (faint beyond it), below the difference "
    "from run A; dotted lines mark the programme and the catalyst, ticks the meetings. Click "
    "a chart or the timeline to show that week."
)
CSS = """
.quartier-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.quartier-table th, .quartier-table td { padding: 2px 8px; text-align: left; }
.quartier-table th { border-bottom: 1px solid #999; }
.quartier-table .right { text-align: right; }
.quartier-table tbody tr:nth-child(even) { background: #f5f5f5; }
.quartier-table tr.clickable { cursor: pointer; }
.quartier-table tr.clickable:hover { background: #e3ecf7; }
.quartier-table tr.selected { background: #ffe08a !important; }
.quartier-cooperations { max-height: 220px; overflow-y: auto; }
.quartier-run-label { color: white; padding: 0 6px; border-radius: 3px; font-weight: bold; }
.quartier-run-title { font-size: 14px; }
.quartier-week { font-size: 14px; min-width: 18em; }
.quartier-note { color: #2e7d32; }
.quartier-key { font-size: 12px; color: #555; }
.quartier-command { font-size: 11px; color: #555; }
.quartier-hint { font-size: 12px; color: #555; }
"""
