"""Calibrated ensembles: parameter sets a sweep's runs draw from, so that parameter
uncertainty flows into every result.

An ensemble is a folder with `parameters.csv` (one row per parameter set: `member`,
`weight`, then one column per dotted config key) and `ensemble.json` (where it came from:
scenario, method, targets, how it was made). `quartier calibrate` writes one; experiment
files name one with ``[experiment] ensemble = "..."`` and `quartier run` with ``--ensemble``.
Each run draws one set, with the set's weight, from its own run seed: the same run draws the
same set on every engine and in every order.

A reference is a folder path, a calibration's output folder (its `ensemble/` is used), or the
name of a shipped ensemble (``programme_funded`` → calibration/ensembles/programme_funded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import scenarios
from experiments.atomic import write_json, write_text
from scenarios.errors import InputError
from scenarios.explain import At
from scenarios.files import is_path, suggest
from simulation.config import ScenarioConfig

SHIPPED = Path(__file__).resolve().parents[2] / "calibration" / "ensembles"
PARAMETERS, META = "parameters.csv", "ensemble.json"
DRAW_STREAM = 0xE45E
"""Spawn key that separates a run's ensemble draw from the run's own random stream."""


@dataclass(frozen=True)
class Ensemble:
    """Parameter sets (rows) over dotted config keys, with weights summing to 1."""

    path: Path
    keys: list[str]
    values: pd.DataFrame
    weights: np.ndarray
    meta: dict

    def __len__(self) -> int:
        return len(self.values)

    def member(self, k: int) -> dict[str, object]:
        """Parameter set `k` as overrides (integers stay integers)."""
        row = self.values.iloc[k]
        return {key: _plain(row[key]) for key in self.keys}

    def pick(self, seed: int) -> int:
        """The member a run with this seed draws (by weight), the same on every engine."""
        sequence = np.random.SeedSequence(int(seed), spawn_key=(DRAW_STREAM,))
        return int(np.random.default_rng(sequence).choice(len(self), p=self.weights))

    def digest(self) -> str:
        """SHA-256 of the parameter table and weights: two ensembles alike draw alike."""
        text = self.values.to_csv(index=False) + ",".join(f"{w:.17g}" for w in self.weights)
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> dict:
        """Plain data for a manifest (the keys let a stored run be simulated again)."""
        return {
            "path": str(self.path),
            "members": len(self),
            "hash": self.digest(),
            "keys": list(self.keys),
        }


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def find_ensemble(ref: str | Path, beside: Path | None = None) -> Path:
    """The ensemble folder a name or path refers to (InputError when there is none)."""
    text = str(ref).strip()
    if is_path(text) or Path(text).is_dir():
        folder = Path(text) if beside is None or Path(text).is_absolute() else beside / text
        for candidate in (folder, folder / "ensemble"):
            if (candidate / PARAMETERS).is_file():
                return candidate
        raise InputError(text, f"not a calibrated ensemble (no {PARAMETERS} in it or in ensemble/)")
    shipped = SHIPPED / text
    if (shipped / PARAMETERS).is_file():
        return shipped
    names = sorted(p.name for p in SHIPPED.glob("*") if (p / PARAMETERS).is_file())
    raise InputError(text, "unknown ensemble; " + suggest(text, names, "shipped ensembles"))


def load_ensemble(ref: str | Path, beside: Path | None = None) -> Ensemble:
    """Read an ensemble; a missing or malformed one is an InputError naming the file."""
    folder = find_ensemble(ref, beside)
    path = folder / PARAMETERS
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise InputError(str(path), f"cannot read the ensemble ({error})") from None
    keys = [c for c in table.columns if c not in ("member", "weight")]
    if table.empty or "weight" not in table or not keys:
        raise InputError(str(path), "needs a weight column, a parameter column and a row")
    weights = table["weight"].to_numpy(dtype=float)
    if not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise InputError(str(path), "weight: must be non-negative numbers, not all 0")
    meta_path = folder / META
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    values = table[keys].reset_index(drop=True)
    return Ensemble(folder, keys, values, weights / weights.sum(), meta)


def write_ensemble(folder: Path, values: pd.DataFrame, weights: np.ndarray, meta: dict) -> Path:
    """Write parameters.csv and ensemble.json into `folder` (atomically, file by file)."""
    table = values.reset_index(drop=True).copy()
    table.insert(0, "weight", np.asarray(weights, dtype=float) / float(np.sum(weights)))
    table.insert(0, "member", range(len(table)))
    write_text(folder / PARAMETERS, table.to_csv(index=False, float_format="%.10g"))
    write_json(folder / META, meta)
    return folder


def check_keys(ensemble: Ensemble, config: ScenarioConfig) -> None:
    """Raise InputError (naming parameters.csv and the column) when a key of the ensemble is
    no setting of `config`, or its first set is not a valid value."""
    scenarios.override(config, ensemble.member(0), At(str(ensemble.path / PARAMETERS)))


def ensemble_reference(spec, label: str) -> str | None:
    """What an experiment file names as the ensemble of its scenario `label` (None: none)."""
    chosen = spec.experiment.ensemble
    return chosen.get(label) if isinstance(chosen, dict) else chosen


def scenario_ensembles(spec, configs: list[ScenarioConfig]) -> list[Ensemble | None]:
    """The ensemble each scenario of an experiment file draws from (None: none)."""
    chosen = spec.experiment.ensemble
    loaded: dict[str, Ensemble] = {}
    found: list[Ensemble | None] = []
    for label, config in zip(spec.experiment.scenarios, configs, strict=True):
        ref = ensemble_reference(spec, label)
        if ref is None:
            found.append(None)
            continue
        if ref not in loaded:
            try:
                loaded[ref] = load_ensemble(ref, spec._base)
            except InputError as error:
                key = "experiment.ensemble" + (f".{label}" if isinstance(chosen, dict) else "")
                raise error.via(spec._source, key) from None
        check_keys(loaded[ref], config)
        found.append(loaded[ref])
    return found


def draw(task: dict, ensemble: Ensemble | None) -> dict:
    """A planned run with its ensemble member's parameters under the design point's."""
    if ensemble is None:
        return task
    k = ensemble.pick(task["seed"])
    return task | {"overrides": {**ensemble.member(k), **task["overrides"]}, "member": k}
