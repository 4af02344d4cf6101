"""The examples in the input toolkit's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "scenarios.actor_map",
    "scenarios.chain",
    "scenarios.dotted",
    "scenarios.errors",
    "scenarios.explain",
    "scenarios.files",
    "scenarios.scaling",
    "scenarios.toml_writer",
    "simulation.config",
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
