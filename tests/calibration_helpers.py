"""A tiny targets file for the calibration tests: a 21-actor world, one year, two priors."""

from __future__ import annotations

from pathlib import Path

TINY_FIXED = """[fixed]
"warmup_years" = 0.0
"actors.counts.residents" = 10
"actors.counts.civil_society" = 5
"actors.counts.public" = 3
"actors.counts.housing" = 1
"actors.counts.business" = 2
"actors.initiative_size" = 3
"""

TINY = (
    """[calibration]
name = "tiny"
scenario = "self_organised"
years = 1
seed = 7
"""
    + TINY_FIXED
    + """[priors]
"cooperation.idea_rate" = [0.005, 0.05]
"ties.decay_per_month" = [0.02, 0.1]
[method]
replicates = 2
samples = 40
[checks]
runs = 10
[patterns.started]
measure = "summary.started"
observed = 19
uncertainty = 2
source = "made up for the tests"
[patterns.strength]
measure = "network.mean_tie_strength"
window = [0.5, 1]
observed = 0.32
uncertainty = 0.03
source = "made up for the tests"
[patterns.types]
measure = "summary.completed_intensive_formal / summary.completed_light_informal"
range = [0, 1]
uncertainty = 0.1
source = "made up for the tests"
held_out = true
"""
)


def write_tiny(folder: Path, text: str = TINY, name: str = "tiny.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
