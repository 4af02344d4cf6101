"""How a sweep's runs form cells: from its spec and its scenarios, never restated in code.

A cell is a scenario description (columns computed from each scenario's resolved config, e.g.
its regime) crossed with the levels of some of the spec's factors. Cells come in the spec's
order: scenarios as listed, then factor levels as listed. So a spec with other levels or
other scenarios gives other cells, with no change to the experiment's code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from experiments.sweep.spec import Spec
from scenarios.errors import InputError
from simulation import ScenarioConfig

REGIME_LABELS = {"programme": "programme-funded", "self_organised": "self-organised"}
"""The model's regimes, as the reports name them."""


def regime(config: ScenarioConfig) -> str:
    """A scenario's regime, as the reports name it."""
    return REGIME_LABELS[config.regime]


@dataclass(frozen=True)
class Cells:
    """How runs form cells.

    `scenario`: column name -> a description of the scenario's resolved config (one value per
    scenario); `label`: the scenario columns that open the cell label, in order (default: all
    of them); `factors`: factor key -> the word before its level in the label (the spec's
    levels, in the spec's order). The label joins its parts with " / ", e.g.
    "self-organised / catalyst present".
    """

    scenario: Mapping[str, Callable[[ScenarioConfig], str]] = field(default_factory=dict)
    factors: Mapping[str, str] = field(default_factory=dict)
    label_columns: tuple[str, ...] | None = None

    def label(self, runs: pd.DataFrame, spec: Spec, configs: list[ScenarioConfig]) -> pd.DataFrame:
        """`runs` with the scenario columns and a `cell` column, in cell order (scenario,
        then factor levels, as the spec lists them; within a cell, the stored order)."""
        described = self._describe(configs)
        runs = runs.assign(
            **{
                column: runs["scenario_index"].map(lambda i, c=column: described[i][c])
                for column in self.scenario
            }
        )
        runs["cell"] = [
            self._label(described[int(row["scenario_index"])], row) for _, row in runs.iterrows()
        ]
        order = runs["scenario_index"].to_frame()
        for key in self.factors:
            position = {_plain(level): i for i, level in enumerate(self._levels(spec, key))}
            order[key] = runs[key].map(lambda v, p=position: p.get(_plain(v), len(p)))
        ranked = order.sort_values(list(order.columns), kind="stable").index
        return runs.loc[ranked].reset_index(drop=True)

    def names(self, spec: Spec, configs: list[ScenarioConfig]) -> list[str]:
        """The cell labels a sweep of `spec` gives, in order, before any run."""
        names: list[str] = []
        combos = [{}]
        for key in self.factors:
            combos = [c | {key: v} for c in combos for v in self._levels(spec, key)]
        for described in self._describe(configs):
            for combo in combos:
                name = self._label(described, combo)
                if name not in names:
                    names.append(name)
        return names

    def _describe(self, configs: list[ScenarioConfig]) -> list[dict[str, str]]:
        return [
            {c: describe(config) for c, describe in self.scenario.items()} for config in configs
        ]

    def _label(self, described: dict[str, str], levels: Mapping[str, object]) -> str:
        columns = self.scenario if self.label_columns is None else self.label_columns
        parts = [described[column] for column in columns]
        parts += [f"{word} {levels[key]}".strip() for key, word in self.factors.items()]
        return " / ".join(parts)

    @staticmethod
    def _levels(spec: Spec, key: str) -> list[object]:
        if key not in spec.factors:
            raise InputError(spec._source, f"factors: this experiment's cells need {key!r}")
        return list(spec.factors[key])


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value
