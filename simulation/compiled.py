"""The decorator for compiled kernels: Numba's `njit`, cached on disk.

Each mechanism keeps its compiled side next to its Python side (ties.py, recruiting.py,
work.py, cooperations.py, metrics.py), and kernels call kernels of other modules (every
mechanism reads tie strengths). Numba's cache notices a change only in the file that defines
a kernel, not in the kernels it calls; so the cache lives in a folder named after a digest of
all kernel modules' sources, and a change in any of them compiles every kernel afresh (once,
about 15 s) instead of running stale machine code.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numba
from numba import njit

KERNEL_MODULES = (
    "ties",
    "recruiting",
    "work",
    "cooperations",
    "metrics",
    "everyday",
    "catalyst",
)
"""The modules of this package that define kernels (a test checks that none is missing)."""
HERE = Path(__file__).resolve().parent


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for name in (*KERNEL_MODULES, "compiled"):
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


def kernel(function: Callable) -> Callable:
    """Compile `function` with Numba (nopython mode), cached in `CACHE_DIR`."""
    previous = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = CACHE_DIR  # read once, when the cache is set up
    try:
        return njit(cache=True)(function)
    finally:
        numba.config.CACHE_DIR = previous
