"""Growable columns and the compiled kernels' house rules."""

from __future__ import annotations

import gc
import importlib
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from simulation.columns import Table, column
from simulation.compiled import (
    KERNEL_MODULES,
    TWIN_FROM,
    TWINS,
    Kernel,
    kernel,
    note_use,
    prune_caches,
)

SIMULATION = Path(__file__).resolve().parent.parent / "simulation"


class Example(NamedTuple):
    count: np.ndarray = column(np.int32)
    row: np.ndarray = column(np.float64, 3)
    members: np.ndarray = column(np.int64, "width", fill=-1)
    counters: np.ndarray = column(np.int64, length=2)


def test_rows_grow_by_doubling_and_keep_their_contents():
    table = Table(Example, rows=2, width=2)
    first = table.reserve(2)
    table.count[:2] = [5, 6]
    table.members[1] = [7, 8]
    table.counters[:] = [3, 4]
    assert first == 0 and table.rows == 2
    assert table.reserve(1) == 2 and table.size == 3 and table.rows == 4
    assert table.count[:3].tolist() == [5, 6, 0]
    assert table.members[1].tolist() == [7, 8] and table.members[3].tolist() == [-1, -1]
    assert table.row.shape == (4, 3)
    assert table.counters.tolist() == [3, 4]  # a fixed-length column is not one cell per row


def test_widening_doubles_the_named_width_and_fills_fresh_cells():
    table = Table(Example, rows=3, width=2)
    table.reserve(3)
    table.members[2] = [1, 2]
    table.widen("width")
    assert table.members.shape == (3, 4)
    assert table.members[2].tolist() == [1, 2, -1, -1]
    assert table.row.shape == (3, 3)  # other columns keep their width
    table.reset("members", 3)
    assert table.members.shape == (3, 3) and (table.members == -1).all()


def test_view_is_the_rows_in_use():
    table = Table(Example, rows=8, width=1)
    table.reserve(3)
    assert len(table.view("count")) == 3 and table.rows == 8


def _kernels():
    for name in KERNEL_MODULES:
        module = importlib.import_module(f"simulation.{name}")
        for attr, value in vars(module).items():
            if isinstance(value, Kernel) and value.py_func.__module__ == module.__name__:
                yield f"{name}.{attr}", value.py_func


def test_every_module_with_kernels_is_listed_for_the_cache_digest():
    """A kernel module missing from KERNEL_MODULES would not invalidate the cache when it
    changes, and kernels calling into it would run stale code."""
    using = {
        path.stem
        for path in SIMULATION.glob("*.py")
        if "@kernel" in path.read_text(encoding="utf-8")
    }
    assert using == set(KERNEL_MODULES)


def test_kernels_take_named_bundles_not_long_lists_of_arrays():
    found = dict(_kernels())
    assert len(found) > 20
    long = {
        name: len(inspect.signature(f).parameters)
        for name, f in found.items()
        if len(inspect.signature(f).parameters) > 10
    }
    assert not long, long


class Pair(NamedTuple):
    left: np.ndarray
    right: np.ndarray


@kernel
def _total(pair, scale):
    return (pair.left.sum() + pair.right.sum()) * scale


@kernel
def _twice_total(pair, scale):
    return 2 * _total(pair, scale)  # a kernel calling a kernel


def test_a_kernel_remembers_what_it_compiled_and_never_mixes_argument_kinds():
    """The fast path calls the compiled function Numba chose for these kinds of arguments;
    arrays of another dtype, layout or dimension, or other scalar types, get their own."""
    ints = Pair(np.arange(4), np.ones(4, dtype=np.int64))
    floats = Pair(np.arange(4) + 0.5, np.full(4, 0.25))
    assert _total(ints, 2) == 2 * 10
    assert _total(floats, 2) == 2 * (8.0 + 1.0)
    assert _total(ints, 0.5) == 5.0
    assert _total(Pair(np.arange(8)[::2], np.ones(4, dtype=np.int64)), 1) == 12 + 4
    assert _total(ints, 2) == 20  # the first combination again, from the fast path
    assert _twice_total(floats, 1) == 18.0
    readonly = np.arange(4)
    readonly.flags.writeable = False
    assert _total(Pair(readonly, readonly), 1) == 12
    assert len(_total.signatures) == len(_total._compiled) == 5


@kernel
def _scaled_sum(pair, scale):
    return (pair.left.sum() + pair.right.sum()) * scale


def test_the_guarded_way_in_never_mixes_argument_kinds_either():
    """After its first calls a kernel is called through a guard written for the kinds met
    last; other kinds go the general way, also when they alternate for longer than a guard is
    kept. A wrong compiled function would show in the value or in its type."""
    ints = Pair(np.arange(4), np.ones(4, dtype=np.int64))
    floats = Pair(np.arange(4) + 0.5, np.full(4, 0.25))
    strided = Pair(np.arange(8)[::2], np.ones(4, dtype=np.int64))
    cases = [(ints, 2, 20), (floats, 2, 18.0), (ints, 0.5, 5.0), (strided, 1, 16), (ints, True, 10)]
    for turn in range(3 * Kernel.REGUARD):
        for pair, scale, expected in cases[: 1 + turn % len(cases)]:
            result = _scaled_sum(pair, scale)
            assert result == expected and type(result) is type(expected), (pair, scale)
    assert len(_scaled_sum._compiled) == len(cases)
    view = Pair(np.arange(8)[:4], np.ones(4, dtype=np.int64))  # owns no data: same kind
    assert _scaled_sum(view, 2) == 20
    assert len(_scaled_sum._compiled) == len(cases)


@kernel
def _array_sum(values, scale):
    return values.sum() * scale


def test_the_guard_checks_an_arrays_dtype_dimensions_and_layout():
    """Arrays handed over as they are (not in a bundle): each dtype, number of dimensions and
    layout reaches its own compiled function through the guards, turn by turn."""
    cases = [
        (np.arange(4), 12),  # int64, 1-D, contiguous
        (np.arange(4) + 0.5, 16.0),  # float64
        (np.arange(8)[::2], 24),  # strided
        (np.arange(4).reshape(2, 2), 12),  # 2-D
        (np.arange(4, dtype=np.int32), 12),  # int32
    ]
    for turn in range(3 * Kernel.REGUARD):
        for values, expected in cases[: 1 + turn % len(cases)]:
            result = _array_sum(values, 2)
            assert result == expected and type(result) is type(expected), values
    assert len(_array_sum._compiled) == len(cases)


def test_a_tables_bundle_is_known_by_its_class():
    table = Table(Example, rows=2, width=2)
    before = table.data
    table.reserve(40)
    table.widen("width")
    assert type(table.data) is type(before)
    for name, old in zip(Example._fields, before, strict=True):
        new = getattr(table.data, name)
        assert (new.dtype, new.ndim, new.flags.c_contiguous) == (old.dtype, old.ndim, True)


class Wide(NamedTuple):
    """A bundle large enough to be handed over as its twin."""

    a: np.ndarray = column(np.float64)
    b: np.ndarray = column(np.int64)
    c: np.ndarray = column(np.bool_)
    d: np.ndarray = column(np.float64, 2)
    e: np.ndarray = column(np.int64, "width", fill=-1)
    f: np.ndarray = column(np.int8)
    g: np.ndarray = column(np.float64)
    h: np.ndarray = column(np.int64, length=3)


@kernel
def _bump(wide, row, by):
    """Add `by` to a row's cells (through the bundle the kernel sees); its old value of `a`."""
    old = wide.a[row]
    wide.a[row] += by
    wide.d[row, 1] += by
    wide.e[row, wide.e.shape[1] - 1] = row
    wide.h[0] += 1
    return old


def test_a_tables_twin_hands_over_the_same_arrays_and_follows_growth():
    """Kernels take a large bundle through its twin: they write into the very arrays Python
    reads, and after the table grows or widens, into the new ones; a bundle no table holds
    (a copy) still works, through Numba's own dispatch."""
    assert len(Wide._fields) >= TWIN_FROM
    table = Table(Wide, rows=2, width=1)
    table.reserve(2)
    assert _bump(table.data, 1, 2.5) == 0.0
    assert _bump(table.data, 1, 1.0) == 2.5
    bundles = next(iter(_bump._compiled.values())).bundles
    assert bundles == (0,)  # the twin path was taken
    assert table.a[1] == 3.5 and table.d[1, 1] == 3.5 and table.e[1, 0] == 1
    table.reserve(5)
    table.widen("width")
    assert _bump(table.data, 6, 1.0) == 0.0
    assert table.a[1] == 3.5 and table.a[6] == 1.0 and table.e[6].tolist() == [-1, 6]
    assert table.h[0] == 3  # a fixed-length column is carried over whole
    copy = Wide(*(column.copy() for column in table.data))
    assert _bump(copy, 6, 1.0) == 1.0 and copy.a[6] == 2.0 and table.a[6] == 1.0


def test_a_twin_goes_with_its_bundle_and_its_table():
    table = Table(Wide, rows=2, width=1)
    first = id(table.data)
    assert first in TWINS
    table.reserve(10)
    assert first not in TWINS
    current = id(table.data)
    assert TWINS[current][0] is table.data
    del table
    gc.collect()
    assert current not in TWINS


def test_a_small_bundle_is_handed_over_as_it_is():
    table = Table(Example, rows=2, width=2)
    assert len(Example._fields) < TWIN_FROM and id(table.data) not in TWINS


def test_a_process_that_cannot_import_a_tests_layout_still_loads_the_models_twins(tmp_path):
    """Twins of a layout defined here are compiled and cached beside the model's; a process
    that cannot import this module (a Dask worker started elsewhere) must still load and run
    the model's kernels from the same cache."""
    Table(Wide, rows=2, width=1)
    script = (
        "import importlib.util\n"
        "assert importlib.util.find_spec('tests') is None\n"
        "from simulation.run import warm_up\n"
        "warm_up()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def _cache_folder(base: Path, digest: str, days_ago: float, marker: bool = True) -> Path:
    folder = base / f"kernels-{digest}"
    (folder / "entries").mkdir(parents=True)
    when = time.time() - days_ago * 86_400
    if marker:
        (folder / "used").touch()
        os.utime(folder / "used", (when, when))
    os.utime(folder, (when, when))
    return folder


def test_a_new_kernel_cache_clears_out_old_versions_not_used_lately(tmp_path):
    old = [_cache_folder(tmp_path, f"{k:016x}", days_ago=10 + k) for k in range(5)]
    recent = _cache_folder(tmp_path, "f" * 16, days_ago=0.1, marker=False)
    other = tmp_path / "kernels-notadigest"
    other.mkdir()
    note_use(tmp_path / f"kernels-{'e' * 16}")  # a new version's first use
    left = sorted(folder.name for folder in tmp_path.iterdir())
    # the new one, the three used last (one of them today), a folder not named by a digest
    assert left == sorted(
        [f"kernels-{'e' * 16}", recent.name, old[0].name, old[1].name, other.name]
    )
    assert (tmp_path / f"kernels-{'e' * 16}" / "used").exists()
    note_use(tmp_path / f"kernels-{'e' * 16}")  # a folder in use clears out nothing
    assert len(list(tmp_path.iterdir())) == 5


def test_an_old_cache_used_within_a_day_stays(tmp_path):
    folders = [_cache_folder(tmp_path, f"{k:016x}", days_ago=0.5) for k in range(6)]
    assert prune_caches(tmp_path, keep="kernels-" + "e" * 16) == []
    assert all(folder.exists() for folder in folders)
