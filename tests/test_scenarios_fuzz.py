"""Hypothesis: mutated presets and random bytes give exit 0 or 2, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quartier.cli import main
from scenarios.loader import PRESET_DIR, load, presets
from scenarios.toml_writer import dumps

FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
RESOLVED = {name: load(name).model_dump(exclude_none=True) for name in presets()}

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 0, 1, 2, 1e9, -1e-9, 0.5, 200, 20_001]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["residents", "Kita", "programme_funded", "all", "qm", "leaves", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            found += paths(value, (*prefix, k))
    return found


def mutate(data: dict[str, Any], path: tuple, action: str, value: Any) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = value
    elif action == "scale" and isinstance(parent[key], int | float):
        parent[key] = parent[key] * 1000 - 1 if not isinstance(parent[key], bool) else value
    elif action == "add" and isinstance(parent, dict):
        parent[f"{key}_x" if isinstance(value, str) else "unknown_key"] = value
    else:
        parent[key] = value


@st.composite
def mutated_presets(draw: st.DrawFn) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(RESOLVED[draw(st.sampled_from(sorted(RESOLVED)))])
    for _ in range(draw(st.integers(1, 3))):
        found = paths(data)
        if not found:
            break
        path = found[draw(st.integers(0, len(found) - 1))]
        action = draw(st.sampled_from(["delete", "replace", "scale", "add"]))
        mutate(data, path, action, draw(values))
    if draw(st.booleans()):
        data["extends"] = draw(st.one_of(st.sampled_from(presets()), values))
    return data


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 2)
    assert "Traceback" not in captured.err
    if code == 2:
        assert len(captured.err.splitlines()) == 1, captured.err
    return code


@FUZZ
@given(data=mutated_presets())
def test_mutated_presets_never_crash(
    data: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.toml"
        path.write_text(dumps(data), encoding="utf-8")
        code = run_cli(["scenarios", "validate", str(path)], capsys)
        event(f"exit {code}")
        if code == 0:
            assert run_cli(["scenarios", "show", str(path)], capsys) == 0


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))
    )
)
def test_random_files_never_crash(content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.toml"
        path.write_bytes(content)
        run_cli(["scenarios", "validate", str(path)], capsys)


ACTOR_LINES = (PRESET_DIR / "examples" / "nordstadt_actors.csv").read_text("utf-8").splitlines()


@FUZZ
@given(
    line=st.integers(0, len(ACTOR_LINES) - 1),
    cell=st.integers(0, 8),
    text=st.one_of(
        st.text(max_size=10), st.sampled_from(["", "-1", "1e9", "x", ",", '"', "¹", "٣"])
    ),
)
def test_mutated_actor_maps_never_crash(
    line: int, cell: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = list(ACTOR_LINES)
    cells = lines[line].split(",")
    cells[min(cell, len(cells) - 1)] = text
    lines[line] = ",".join(cells)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "actors.csv").write_text("\n".join(lines), encoding="utf-8")
        scenario = Path(folder) / "own.toml"
        scenario.write_text(
            'extends = "self_organised"\n[actors]\nmap = "actors.csv"\n', encoding="utf-8"
        )
        run_cli(["scenarios", "validate", str(scenario)], capsys)
