"""Quartier in the browser: neighbourhoods side by side, week by week (a Solara app).

Start it with `quartier viz` (offline settings, 127.0.0.1) or `solara run quartier/viz/app.py`.
"""

from __future__ import annotations

import solara

from quartier.viz.offline import apply_offline_settings
from quartier.viz.start import scenario_choices, starting_runs, starting_seed
from quartier.viz.views import (
    CSS,
    ChartPicker,
    ChartsView,
    Exports,
    Key,
    NumbersView,
    RunsView,
    Settings,
    WeekBar,
    use_page_state,
    use_play_loop,
)

apply_offline_settings()

TITLE = "Quartier — cooperations in a neighbourhood"


@solara.component
def Page():
    """One comparison per browser tab, built from what `quartier viz` was asked for."""
    state = use_page_state(starting_runs(), starting_seed(), scenario_choices())
    use_play_loop(state)
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text(TITLE)
    with solara.Sidebar():
        Settings(state)
    with solara.Column(gap="8px", style={"padding": "8px 16px"}):
        WeekBar(state)  # each part redraws only when what it shows changes
        Exports(state)
        RunsView(state)
        Key()
        ChartPicker(state)
        ChartsView(state)
        NumbersView(state)
