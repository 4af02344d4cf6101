"""Runs side by side: each a scenario with its controls, all from one seed, stepped together.

A `Run` is one NeighbourhoodModel with its history and layout; `Comparison` holds the runs
of a page and steps them week by week under one lock (the page's play loop and its buttons
run in different threads). Every run of a comparison gets the same seed, so the models draw
the same random numbers where they do the same things (paired runs).

The app adds nothing to the simulation: a run is `NeighbourhoodModel(config, rng=seed)`
stepped to the scenario's end and finished there, exactly as `simulation.run.simulate` does,
so the app's numbers for a scenario and seed are those of `quartier run`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from quartier.viz.controls import Controls, build_config, describe, run_command
from quartier.viz.history import History
from quartier.viz.network import StableLayout
from simulation import NeighbourhoodModel, ScenarioConfig
from simulation.config import WEEKS_PER_YEAR

LABELS = "ABCD"  # runs on one page, at most four
MAX_RUNS = len(LABELS)


@dataclass
class Run:
    """One model of the comparison, with what the timeline and the network view need."""

    label: str
    controls: Controls
    seed: int
    config: ScenarioConfig
    model: NeighbourhoodModel
    history: History
    layout: StableLayout = field(default_factory=StableLayout)
    command: str | None = None  # the same run on the command line, where there is one
    marks: Any = None  # its happenings described, for the charts (see figures.happenings)

    @classmethod
    def start(cls, label: str, controls: Controls, seed: int) -> Run:
        """Build the model (an InputError if the scenario or an override is bad)."""
        config = build_config(controls)
        model = NeighbourhoodModel(config, rng=seed)
        run = cls(label, controls, seed, config, model, History(model))
        run.command = run_command(controls, seed)
        run._place()
        return run

    @property
    def name(self) -> str:
        """The scenario and what the controls changed."""
        return describe(self.controls)

    @property
    def end(self) -> int:
        """The last week: the scenario's years, as `quartier run` steps them."""
        return max(round(self.config.years * WEEKS_PER_YEAR), 0)

    @property
    def week(self) -> int:
        return int(self.model.week)

    @property
    def finished(self) -> bool:
        return self.week >= self.end

    def step(self) -> None:
        """One week (nothing once the run is at its end; the end measures the network once
        more, as `quartier run` does)."""
        if self.finished:
            return
        self.model.step()
        self.history.record(self.model)
        self._place()
        if self.finished:
            self.model.finish()

    def _place(self) -> None:
        frame = self.history.frame(self.history.last)
        self.layout.update(frame.actors, frame.a, frame.b)

    def frame(self, week: int):
        """The run in `week` (its last week if it ended before), counters included."""
        return self.history.frame(week, self.model)


class Comparison:
    """The runs of one page; `step` advances all that have not reached their end."""

    def __init__(self, sides: list[Controls], seed: int) -> None:
        if not 1 <= len(sides) <= MAX_RUNS:
            raise ValueError(f"between 1 and {MAX_RUNS} runs, got {len(sides)}")
        self.seed = seed
        self.runs = [Run.start(LABELS[k], c, seed) for k, c in enumerate(sides)]
        self.lock = threading.RLock()

    @property
    def sides(self) -> list[Controls]:
        return [run.controls for run in self.runs]

    @property
    def week(self) -> int:
        """The last week computed (of the longest run)."""
        return max(run.week for run in self.runs)

    @property
    def end(self) -> int:
        return max(run.end for run in self.runs)

    @property
    def finished(self) -> bool:
        return all(run.finished for run in self.runs)

    def step(self, weeks: int = 1) -> int:
        """Advance every run by up to `weeks`; returns the last week computed."""
        with self.lock:
            for _ in range(max(weeks, 0)):
                if self.finished:
                    break
                for run in self.runs:
                    run.step()
            return self.week

    @property
    def nbytes(self) -> int:
        """Bytes the runs' histories hold."""
        return sum(run.history.nbytes for run in self.runs)
