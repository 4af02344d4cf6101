"""The decorator for compiled kernels: Numba's `njit`, cached on disk.

Each mechanism keeps its compiled side next to its Python side (ties.py, recruiting.py,
work.py, cooperations.py, metrics.py), and kernels call kernels of other modules (every
mechanism reads tie strengths). Numba's cache notices a change only in the file that defines
a kernel, not in the kernels it calls; so the cache lives in a folder named after a digest of
all kernel modules' sources, and a change in any of them compiles every kernel afresh (once,
about a minute on two cores) instead of running stale machine code. A new folder clears out
those of older versions no process has used lately (`note_use`).

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
dispatcher (which compiles it if needed). Working the kinds out still took about 1 µs of a
call, so for each combination it compiled a kernel writes a small Python function that checks
each argument's kind in line and calls the compiled function for them (`_guarded`); a call
tries the guard of the kinds met last first, and with other kinds goes the general way.

Even so, handing a bundle over costs about 50 ns an array: Numba converts each one. So a
table also keeps its bundle's twin (`remember`): one Numba structure holding the same arrays,
handed over in one step. A kernel called with twins runs through its entry: a small compiled
function that rebuilds each bundle from its twin (`unpack`) and calls the kernel, which so
sees the bundle it always sees, in local variables inside its loops. Entries are written once
per cache folder as source files (Numba caches only functions with a source file).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

import numba
import numpy as np
from numba import njit, types
from numba.core.extending import overload
from numba.experimental import structref

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

KEEP_CACHES = 3
"""Cache folders of other versions of the kernels that are kept: the most lately used."""
IDLE_DAYS = 1
"""Only a cache folder unused for longer than this is removed (another process may use it)."""


def note_use(cache: Path) -> None:
    """Mark the cache folder `cache` as used now. When it is new (the kernels changed), the
    folders of older versions beside it go, but for the `KEEP_CACHES` used last and those
    used within `IDLE_DAYS`: each holds about 16 MB of machine code no version needs any
    more. A folder that cannot be written is left as it is."""
    try:
        new = not cache.exists()
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "used").touch()
        if new:
            prune_caches(cache.parent, keep=cache.name)
    except OSError:
        pass


def _last_used(folder: Path) -> float:
    marker = folder / "used"
    return (marker if marker.exists() else folder).stat().st_mtime


def prune_caches(base: Path, keep: str) -> list[Path]:
    """Remove the kernel cache folders in `base` (named `kernels-` and a digest) other than
    `keep`, the `KEEP_CACHES` used last and those used within `IDLE_DAYS`; returns those
    removed."""
    others = [
        folder
        for folder in base.iterdir()
        if folder.name != keep and re.fullmatch(r"kernels-[0-9a-f]{16}", folder.name)
    ]
    others.sort(key=_last_used, reverse=True)
    idle_since = time.time() - IDLE_DAYS * 86_400
    removed = [folder for folder in others[KEEP_CACHES:] if _last_used(folder) < idle_since]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


note_use(Path(CACHE_DIR))


LAYOUTS: set[type] = set()
"""The bundle classes of all tables (`columns.Table`); their arrays are made only by tables."""


@structref.register
class TwinType(types.StructRef):
    """The Numba type of a bundle's twin: a structure with the bundle's fields."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class Twin(structref.StructRefProxy):
    """A bundle's twin as Python holds it (kernels only hand it on)."""


structref.define_boxing(TwinType, Twin)


def twin_of(bundle: tuple) -> Twin:
    """A twin holding the arrays of `bundle` (compiled only)."""
    raise NotImplementedError


def unpack(value: object) -> object:
    """The bundle a twin holds, rebuilt; any other value as it is (compiled only)."""
    return value


def _compiled_source(name: str, body: str, **names: object) -> Callable:
    """The function `def name<body>`, written out for one bundle's fields, seeing `names`."""
    space = dict(names)
    exec(f"def {name}{body}", space)
    return space[name]


@overload(twin_of)
def _twin_of(bundle):
    twin = TwinType(list(zip(bundle.fields, bundle.types, strict=True)))
    fill = "".join(f"    twin.{name} = bundle.{name}\n" for name in bundle.fields)
    source = f"(bundle):\n    twin = new(kind)\n{fill}    return twin\n"
    return _compiled_source("impl", source, new=structref.new, kind=twin)


@overload(unpack, inline="always")
def _unpack(value):
    if not isinstance(value, TwinType):
        return lambda value: value
    names = tuple(value.field_dict)
    layout = next(layout for layout in LAYOUTS if layout._fields == names)
    fields = ", ".join(f"value.{name}" for name in names)
    return _compiled_source("impl", f"(value):\n    return layout({fields})\n", layout=layout)


TWINS: dict[int, tuple[tuple, Twin]] = {}
"""The twins of the bundles tables hold, by the bundle's identity, each with its bundle (kept
alive, so its id is not reused, until its table lets it go: `forget`)."""


TWIN_FROM = 8
"""Bundles of fewer arrays are handed over as they are: their twin would cost more."""


def remember(bundle: tuple) -> None:
    """Make and keep the twin of a table's new bundle (of at least `TWIN_FROM` arrays)."""
    if len(bundle) >= TWIN_FROM:
        TWINS[id(bundle)] = (bundle, _twin_maker(type(bundle))(bundle))


def forget(bundle: tuple | None) -> None:
    """A table lets `bundle` go: its twin goes too."""
    held = TWINS.get(id(bundle))
    if held is not None and held[0] is bundle:
        del TWINS[id(bundle)]


_held = TWINS.get


TYPED_FLAGS = 0x503
"""The flags of an array that its Numba type depends on: C and F contiguous, aligned,
writeable (not whether it owns its data)."""


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
        return value.dtype.num, value.ndim, value.flags.num & TYPED_FLAGS
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
    and from other kernels (Numba sees the dispatcher, `_numba_type_`).

    For each combination of argument kinds it has compiled, a kernel keeps a small Python
    function written for them (`_guarded`): it checks each argument's kind in line and calls
    the compiled function directly. A call goes first through the guard of the kinds met
    last; other kinds go the general way (`_general`), which works the kinds out and finds
    (or compiles) their guard, and after `REGUARD` calls that went that way the latest kinds'
    guard comes first."""

    REGUARD = 64

    def __init__(self, dispatcher: numba.core.registry.CPUDispatcher) -> None:
        self.dispatcher = dispatcher
        self._numba_type_ = types.Dispatcher(dispatcher)
        self._compiled: dict[tuple, Callable] = {}  # kinds -> their guard
        self._entries: dict[int, numba.core.registry.CPUDispatcher] = {}
        self._call: Callable = self._general
        self._unguarded = 0  # calls the general way since the first guard was chosen
        self.__doc__ = dispatcher.__doc__
        self.__name__ = dispatcher.__name__
        self.__wrapped__ = dispatcher.py_func

    __call__ = property(attrgetter("_call"))
    """Calling a kernel calls its current guard (or `_general`) directly: the property hands
    it over without a Python frame of its own."""

    def _general(self, *args: object) -> object:
        kinds = tuple(  # `_kind`, with the common cases inline (saves a call per argument)
            [
                _known(type(a))
                or (
                    (a.dtype.num, a.ndim, a.flags.num & TYPED_FLAGS)
                    if type(a) is np.ndarray
                    else _kind(a)
                )
                for a in args
            ]
        )
        guard = self._compiled.get(kinds)
        if guard is None:
            return self._first_call(kinds, args)
        self._unguarded += 1
        if self._unguarded >= self.REGUARD or self._call == self._general:
            self._call, self._unguarded = guard, 0
        return guard(*args)

    def _first_call(self, kinds: tuple, args: tuple) -> object:
        """Compile if needed, and keep the guard of these kinds (`_guarded`): it calls the
        entry, with the twins of the bundles that have one, if any has; else the kernel."""
        bundles = tuple(at for at, a in enumerate(args) if id(a) in TWINS)
        called = self._entry(len(args)) if bundles else self.dispatcher
        args = [TWINS[id(a)][1] if at in bundles else a for at, a in enumerate(args)]
        result = called(*args)
        signature = tuple(map(called.typeof_pyval, args))
        call = called.overloads[signature].entry_point
        self._compiled[kinds] = _guarded(kinds, call, bundles, self._general, self.dispatcher)
        return result

    def _entry(self, arity: int) -> numba.core.registry.CPUDispatcher:
        """The compiled function that takes `arity` arguments, twins among them, and calls
        this kernel with the bundles rebuilt; its source is written once per cache folder."""
        entry = self._entries.get(arity)
        if entry is None:
            name = f"{self.dispatcher.py_func.__module__}.{self.__name__}"
            names = [f"a{k}" for k in range(arity)]
            source = (
                f"# Calls {name} with the bundles rebuilt from their twins.\n"
                f"def entry({', '.join(names)}):\n"
                f"    return kernel({', '.join(f'unpack({n})' for n in names)})\n"
            )
            entry = _cached_from_source(
                f"{name}.{arity}", source, "entry", kernel=self, unpack=unpack
            )
            self._entries[arity] = entry
        return entry

    def __getattr__(self, name: str) -> object:  # py_func, signatures, overloads, ...
        return getattr(self.dispatcher, name)


def _guarded(
    kinds: tuple, call: Callable, bundles: tuple[int, ...], general: Callable, plain: Callable
) -> Callable:
    """A function of as many arguments as `kinds` that, if each argument is of its kind (as
    `_kind` says, checked in line), returns `call` of them with the twins of the bundles at
    the positions `bundles` in their place (`plain` of them, Numba's own dispatch, if one of
    those bundles has no twin: a copy no table holds); else `general` of them."""
    names: dict[str, object] = {"ndarray": np.ndarray, "_held": _held, "_kind": _kind}
    names |= {"call": call, "general": general, "plain": plain}
    params = ", ".join(f"a{k}" for k in range(len(kinds)))
    checks, passed, twins = [], [], []
    for k, kind in enumerate(kinds):
        names[f"kind{k}"] = kind
        if isinstance(kind, type):
            checks.append(f"type(a{k}) is kind{k}")
        elif isinstance(kind[0], int):  # an array's (dtype, ndim, flags)
            dtype, ndim, flags = kind
            checks.append(
                f"type(a{k}) is ndarray and a{k}.dtype.num == {dtype} and a{k}.ndim == {ndim}"
                f" and a{k}.flags.num & {TYPED_FLAGS} == {flags}"
            )
        else:  # a tuple, by the kinds of what it holds
            checks.append(f"_kind(a{k}) == kind{k}")
        if k in bundles:
            twins.append(f"    t{k} = _held(id(a{k}))\n    if t{k} is None:\n")
            twins.append(f"        return plain({params})\n")
            passed.append(f"t{k}[1]")
        else:
            passed.append(f"a{k}")
    source = (
        f"def guarded({params}):\n"
        f"    if not ({' and '.join(checks) or 'True'}):\n"
        f"        return general({params})\n"
        f"{''.join(twins)}"
        f"    return call({', '.join(passed)})\n"
    )
    exec(source, names)
    guarded = names["guarded"]
    guarded.bundles = bundles  # for inspection: where it hands over twins
    return guarded


def _njit_cached(function: Callable) -> numba.core.registry.CPUDispatcher:
    previous = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = CACHE_DIR  # read once, when the cache is set up
    try:
        return njit(cache=True)(function)
    finally:
        numba.config.CACHE_DIR = previous


def kernel(function: Callable) -> Kernel:
    """Compile `function` with Numba (nopython mode), cached in `CACHE_DIR`."""
    return Kernel(_njit_cached(function))


def _cached_from_source(
    name: str, source: str, function: str, **names: object
) -> numba.core.registry.CPUDispatcher:
    """The function called `function` that `source` defines, seeing `names`, compiled and
    cached. Numba caches only functions with a source file, so the source is written to the
    cache folder as `name`.py if missing (whole or not at all, so processes starting together
    never read half a file)."""
    path = Path(CACHE_DIR) / "entries" / f"{name}.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_text(source, encoding="utf-8")
        os.replace(part, path)
    space = {"__name__": __name__, **names}
    exec(compile(source, str(path), "exec"), space)
    return _njit_cached(space[function])


_TWIN_MAKERS: dict[type, numba.core.registry.CPUDispatcher] = {}


def _twin_maker(layout: type) -> numba.core.registry.CPUDispatcher:
    """The compiled function that makes twins of `layout`'s bundles. Each layout has its own,
    in its own source file: the cache of one function for all would name every layout, and a
    process that cannot import one of them (a test's) could load none."""
    maker = _TWIN_MAKERS.get(layout)
    if maker is None:
        name = f"{layout.__module__}.{layout.__qualname__}"
        source = f"# Twins of {name} bundles.\ndef make(bundle):\n    return twin_of(bundle)\n"
        maker = _cached_from_source(f"twin.{name}", source, "make", twin_of=twin_of)
        _TWIN_MAKERS[layout] = maker
    return maker
