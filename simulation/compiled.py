"""The decorator for compiled kernels: Numba's `njit`, cached on disk.

Each mechanism keeps its compiled side next to its Python side (ties.py, recruiting.py,
work.py, cooperations.py, metrics.py), and kernels call kernels of other modules (every
mechanism reads tie strengths). Numba's cache notices a change only in the file that defines
a kernel, not in the kernels it calls; so the cache lives in a folder named after a digest of
all kernel modules' sources, and a change in any of them compiles every kernel afresh (once,
about 15 s) instead of running stale machine code.

A kernel is called thousands of times a run with bundles of up to 28 arrays, and Numba's
dispatcher works out the type of every array on every call (about 0.1 µs each). `Kernel`
remembers, for each combination of argument kinds it has seen, the compiled function Numba
chose, and calls it directly: a store's bundle (see `columns.Table`) is recognised by its
class alone, since its arrays are always made by the table with their declared dtypes, and so
is a tuple registered with `fixed_kind` (the model's random stream, a batch of contacts'
settings: always made of the same types); other arrays by dtype, dimensions and flags; another
tuple (the rules a kernel takes) by the kinds of what it holds, remembered by identity while
it is in use; anything else by its type. The types that are their own kind are looked up in
one dict, filled as they are met. A combination not seen before goes through Numba's
dispatcher (which compiles it if needed).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from numba import njit, types

from simulation.columns import LAYOUTS

KERNEL_MODULES = (
    "ties",
    "recruiting",
    "work",
    "cooperations",
    "metrics",
    "everyday",
    "catalyst",
    "population",
    "turnover",
    "engagement",
    "meetings",
    "programme",
)
"""The modules of this package that define kernels (a test checks that none is missing)."""
HERE = Path(__file__).resolve().parent


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for name in (*KERNEL_MODULES, "compiled", "streams"):
        digest.update((HERE / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    """NUMBA_CACHE_DIR if set, else __pycache__ beside the sources if writable, else the
    user's cache folder; in each, a folder for this digest of the kernel sources."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        base = Path(os.environ["NUMBA_CACHE_DIR"])
    elif os.access(HERE, os.W_OK):
        base = HERE / "__pycache__"
    else:
        base = Path.home() / ".cache" / "quartier"
    return str(base / f"kernels-{_sources_digest()}")


CACHE_DIR = _cache_dir()


_SEEN: dict[int, tuple[tuple, object]] = {}
"""The kinds of the tuples met lately, by identity: a tuple cannot change what it holds, and
each is kept here alive (so its id is not reused) until the memo is cleared."""
SEEN_MOST = 256


_BY_TYPE: dict[type, type] = {int: int, float: float, bool: bool}
"""The types whose kind is the type itself, each mapped to itself: Python scalars, the tuples
registered with `fixed_kind`, and, once met, the bundles and other values that are neither
arrays nor tuples."""
_known = _BY_TYPE.get


def fixed_kind(layout: type) -> type:
    """Class decorator: a NamedTuple whose fields are always made with the same types (so its
    Numba type does not depend on its values) is known to kernel calls by its class alone."""
    _BY_TYPE[layout] = layout
    return layout


def _kind(value: object) -> object:
    """What fixes the Numba type of an argument (see the module docstring)."""
    kind = type(value)
    if kind is np.ndarray:
        return value.dtype.num, value.ndim, value.flags.num
    if kind in _BY_TYPE:
        return kind
    if kind in LAYOUTS or not isinstance(value, tuple):
        _BY_TYPE[kind] = kind
        return kind
    seen = _SEEN.get(id(value))
    if seen is not None and seen[0] is value:
        return seen[1]
    found = (kind, *map(_kind, value))
    if len(_SEEN) >= SEEN_MOST:
        _SEEN.clear()
    _SEEN[id(value)] = (value, found)
    return found


class Kernel:
    """A compiled kernel: callable from Python (through the remembered compiled functions)
    and from other kernels (Numba sees the dispatcher, `_numba_type_`)."""

    def __init__(self, dispatcher: numba.core.registry.CPUDispatcher) -> None:
        self.dispatcher = dispatcher
        self._numba_type_ = types.Dispatcher(dispatcher)
        self._compiled: dict[tuple, Callable] = {}
        self.__doc__ = dispatcher.__doc__
        self.__name__ = dispatcher.__name__
        self.__wrapped__ = dispatcher.py_func

    def __call__(self, *args: object) -> object:
        kinds = tuple(  # `_kind`, with the common cases inline (saves a call per argument)
            [
                _known(type(a))
                or ((a.dtype.num, a.ndim, a.flags.num) if type(a) is np.ndarray else _kind(a))
                for a in args
            ]
        )
        compiled = self._compiled.get(kinds)
        if compiled is not None:
            return compiled(*args)
        result = self.dispatcher(*args)
        signature = tuple(map(self.dispatcher.typeof_pyval, args))
        self._compiled[kinds] = self.dispatcher.overloads[signature].entry_point
        return result

    def __getattr__(self, name: str) -> object:  # py_func, signatures, overloads, ...
        return getattr(self.dispatcher, name)


def kernel(function: Callable) -> Kernel:
    """Compile `function` with Numba (nopython mode), cached in `CACHE_DIR`."""
    previous = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = CACHE_DIR  # read once, when the cache is set up
    try:
        return Kernel(njit(cache=True)(function))
    finally:
        numba.config.CACHE_DIR = previous
