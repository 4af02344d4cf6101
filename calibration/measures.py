"""Measures: what a pattern compares with an observation, computed from one run's outputs.

A measure is an expression over terms ``TABLE.COLUMN`` joined by ``+ - * /`` (numbers and
parentheses allowed), e.g. ``summary.actors_involved_last_year`` or
``summary.completed_intensive_formal / summary.completed_light_informal``. The tables are the
outputs of `simulation.run.RunResult`:

    summary       one value per run (the end of the run)
    timeseries    weekly counters (column `week`)
    network       network measures every few weeks (column `week`)
    cooperations  counts from the cooperation table, as cumulative series: `started`,
                  `completed`, `failed`, `funded` (drew on a neighbourhood fund), `ideas`, each
                  also per type (`started_light_informal`, ...)

Series terms are read at a year (`at_year`: the last recorded week at or before it), over a
window of years (`window` with `statistic` mean | change | per_year | value), or, with
neither, at the end of the run. Column names are not listed here: they are whatever the
model's outputs hold (`available` reads them from a run), so a renamed output is caught
when a targets file is checked, with a did-you-mean.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.config import COOPERATION_TYPES, WEEKS_PER_YEAR
from simulation.run import RunResult

TABLES = ("summary", "timeseries", "network", "cooperations")
STATISTICS = ("value", "mean", "change", "per_year")
COOPERATION_EVENTS: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "ideas": ("idea_week", lambda t: t["idea_week"] >= 0),
    "started": ("start_week", lambda t: t["start_week"] >= 0),
    "completed": ("end_week", lambda t: t["state"] == "completed"),
    "failed": ("end_week", lambda t: t["state"] == "failed"),
    "funded": ("start_week", lambda t: (t["start_week"] >= 0) & (t["fund_drawn"] > 0)),
}
"""Cooperation counts: the week column that dates the event, and which rows count."""
_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: lambda a, b: a / b if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a)),
}


class MeasureError(ValueError):
    """A measure that cannot be read; the message says what is allowed."""


@dataclass(frozen=True)
class Measure:
    """A pattern's measure: an expression, and when its series terms are read."""

    expression: str
    at_year: float | None = None
    window: tuple[float, float] | None = None
    statistic: str = "mean"
    """Over a window: mean (default) | change | per_year | value; without one it is unused."""

    def terms(self) -> list[tuple[str, str]]:
        """The (table, column) terms of the expression, in order."""
        return [term for term in _walk(parse(self.expression)) if isinstance(term, tuple)]

    def __call__(self, result: RunResult) -> float:
        """The measure's value in one run (NaN or ±inf when it is undefined there)."""
        tree = parse(self.expression)
        cache: dict[tuple[str, str], float] = {}

        def term(table: str, column: str) -> float:
            if (table, column) not in cache:
                cache[table, column] = self._term(result, table, column)
            return cache[table, column]

        return float(_evaluate(tree, term))

    def _term(self, result: RunResult, table: str, column: str) -> float:
        if table == "summary":
            return float(result.summary[column])
        if table == "cooperations":
            weeks = cooperation_weeks(result.cooperations, column)
            return self._series(lambda week: float((weeks <= week).sum()), None)
        frame = result.timeseries if table == "timeseries" else result.network
        weeks, values = frame["week"].to_numpy(), frame[column].to_numpy()
        return self._series(lambda week: _at(weeks, values, week), (weeks, values))

    def _series(
        self, at: Callable[[float], float], recorded: tuple[np.ndarray, np.ndarray] | None
    ) -> float:
        if self.window is None:
            return at(self.at_year * WEEKS_PER_YEAR if self.at_year is not None else math.inf)
        start, end = (year * WEEKS_PER_YEAR for year in self.window)
        match self.statistic:
            case "mean" if recorded is not None:  # the recorded values inside the window
                weeks, values = recorded
                inside = values[(weeks >= start) & (weeks <= end)]
                return series_mean(inside) if len(inside) else math.nan
            case "mean":  # a cumulative count: its mean over the window's weeks
                return float(np.mean([at(w) for w in np.arange(math.ceil(start), end + 1)]))
            case "change":
                return at(end) - at(start)
            case "per_year":
                return (at(end) - at(start)) / (self.window[1] - self.window[0])
        return at(end)


def _at(weeks: np.ndarray, values: np.ndarray, week: float) -> float:
    """The value recorded at the last of `weeks` at or before `week` (NaN if none)."""
    k = int(np.searchsorted(weeks, week + 1e-9, side="right")) - 1
    return float(values[k]) if k >= 0 else math.nan


def series_mean(values: np.ndarray) -> float:
    """The mean of recorded values as pandas' `Series.mean` takes it (missing values
    skipped; integers summed as floats), computed on the array: the same sum over the same
    count, without building a series for each window."""
    if values.dtype.kind in "iu":
        return float(np.add.reduce(values, dtype=np.float64) / np.float64(len(values)))
    if values.dtype.kind != "f":
        return float(pd.Series(values).mean())
    missing = np.isnan(values)
    count = len(values) - missing.sum()
    if count == 0:
        return math.nan
    if count < len(values):
        values = np.where(missing, 0.0, values)
    return float(np.add.reduce(values) / values.dtype.type(count))


def cooperation_weeks(table: pd.DataFrame, column: str) -> np.ndarray:
    """The weeks of the events a cooperation count counts (e.g. `started_light_formal`)."""
    event, _, kind = column.partition("_")
    week_column, selects = COOPERATION_EVENTS[event]
    chosen = selects(table)
    if kind:
        chosen = chosen & (table["type"] == kind)
    return table.loc[chosen, week_column].to_numpy(dtype=float)


def cooperation_columns() -> list[str]:
    """The counts the `cooperations` table offers."""
    return [f"{event}{suffix}" for event in COOPERATION_EVENTS for suffix in _type_suffixes()]


def _type_suffixes() -> list[str]:
    return ["", *(f"_{kind}" for kind in COOPERATION_TYPES)]


def available(result: RunResult) -> dict[str, list[str]]:
    """The columns each table offers, read from a run (so they follow the model's outputs)."""
    numeric = [
        key
        for key, value in result.summary.items()
        if isinstance(value, int | float | bool | np.number)
    ]
    return {
        "summary": numeric,
        "timeseries": [c for c in result.timeseries.columns if c != "week"],
        "network": [c for c in result.network.columns if c != "week"],
        "cooperations": cooperation_columns(),
    }


def parse(expression: str) -> ast.expr:
    """The expression's syntax tree; MeasureError when it is not TABLE.COLUMN arithmetic."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise MeasureError(
            f"cannot read {expression!r}; write TABLE.COLUMN terms joined by + - * /"
        ) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise MeasureError(
                f"{ast.unparse(node)!r} is not allowed in a measure; "
                "write TABLE.COLUMN terms, numbers, + - * / and parentheses"
            )
        if isinstance(node, ast.Attribute) and not isinstance(node.value, ast.Name):
            raise MeasureError(f"{ast.unparse(node)!r}: a term is TABLE.COLUMN")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise MeasureError(f"{node.value!r} is not a number")
    if isinstance(tree, ast.Name):
        raise MeasureError(f"{tree.id!r}: a term is TABLE.COLUMN, e.g. summary.completed")
    return tree


_ALLOWED = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Attribute,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
)


def _walk(node: ast.expr):
    """Terms (table, column) and constants of a parsed measure, left to right."""
    if isinstance(node, ast.Attribute):
        yield (node.value.id, node.attr)
    elif isinstance(node, ast.BinOp):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, ast.UnaryOp):
        yield from _walk(node.operand)
    elif isinstance(node, ast.Name):
        raise MeasureError(f"{node.id!r}: a term is TABLE.COLUMN, e.g. summary.completed")


def _evaluate(node: ast.expr, term: Callable[[str, str], float]) -> float:
    if isinstance(node, ast.Attribute):
        return term(node.value.id, node.attr)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, term)
        return -value if isinstance(node.op, ast.USub) else value
    return _OPS[type(node.op)](_evaluate(node.left, term), _evaluate(node.right, term))


@dataclass(frozen=True)
class PatternMeasures:
    """Every pattern's measure as one picklable callable for the sweep engine's workers:
    RunResult -> {"measure.NAME": value}."""

    measures: tuple[tuple[str, Measure], ...]

    @property
    def tables(self) -> frozenset[str]:
        """The output tables the measures read (a run need not record the others)."""
        return frozenset(table for _, measure in self.measures for table, _ in measure.terms())

    def recording(self) -> dict[str, bool]:
        """The series over time a run must record and the tables it must collect for these
        measures (`run`'s `weekly`, `network` and `cooperations`)."""
        tables = self.tables
        return {
            "weekly": "timeseries" in tables,
            "network": "network" in tables,
            "cooperations": "cooperations" in tables,
        }

    def __call__(self, result: RunResult) -> dict[str, float]:
        return {column(name): measure(result) for name, measure in self.measures}


def column(name: str) -> str:
    """The stored column of a pattern's measure."""
    return f"measure.{name}"
