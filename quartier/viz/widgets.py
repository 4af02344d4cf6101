"""The page's own widgets: an ECharts figure (`echart.vue`), a clickable table (`table.vue`).

Solara's own FigureEcharts draws an option that arrives before the library has loaded into
nothing and reports an error; this one waits, says which revision is drawn (`data-drawn`,
for tests and timing), has the tooltips the app needs, and sends clicks back as an actor
picked (network) or a week (charts, timeline).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import ipyvue
import reacton
import traitlets


class EChartWidget(ipyvue.VueTemplate):
    template_file = (__file__, "echart.vue")

    option = traitlets.Unicode("{}").tag(sync=True)  # JSON: no deep Vue reactivity
    revision = traitlets.Int(0).tag(sync=True)
    mode = traitlets.Unicode("chart").tag(sync=True)  # network, chart or timeline
    height = traitlets.Unicode("320px").tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)
    on_week = traitlets.Callable(None, allow_none=True)

    def vue_pick(self, data) -> None:
        if self.on_pick is not None:
            self.on_pick(data or {})

    def vue_week(self, week) -> None:
        if self.on_week is not None and isinstance(week, int | float):
            self.on_week(int(week))


def EChart(
    option: dict,
    revision: int = 0,
    mode: str = "chart",
    height: str = "320px",
    on_pick: Callable[[dict], None] | None = None,
    on_week: Callable[[int], None] | None = None,
) -> reacton.core.Element:
    return EChartWidget.element(
        option=json.dumps(option, separators=(",", ":"), allow_nan=False),
        revision=revision,
        mode=mode,
        height=height,
        on_pick=on_pick,
        on_week=on_week,
    )


class TableWidget(ipyvue.VueTemplate):
    template_file = (__file__, "table.vue")

    table = traitlets.Unicode("{}").tag(sync=True)  # JSON: header, rows, keys, right
    selected = traitlets.Any(None).tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)  # a CSS class
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick(self, key) -> None:
        if self.on_pick is not None:
            self.on_pick(key)


def Table(
    header: list[str],
    rows: list[list[str]],
    keys: list | None = None,
    selected: object = None,
    right: tuple[int, ...] = (),
    kind: str = "",
    on_pick: Callable[[object], None] | None = None,
) -> reacton.core.Element:
    """A table of text; a row whose key is not None is clickable and sends its key."""
    table = {"header": list(header), "rows": rows, "keys": keys or [], "right": list(right)}
    return TableWidget.element(
        table=json.dumps(table, separators=(",", ":")),  # one value: cheap to compare and send
        selected=selected,
        kind=kind,
        on_pick=on_pick,
    )
