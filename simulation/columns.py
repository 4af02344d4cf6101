"""Growable columns: a store's arrays declared once, as the fields of a NamedTuple.

The population, the cooperation book and the tie store each keep their state as rows of
arrays (one row per actor, cooperation or tie slot). Each declares its arrays as a
`typing.NamedTuple` whose field defaults say how to make the column:

    class ActorArrays(NamedTuple):
        sector: np.ndarray = column(np.int8)
        stock: np.ndarray = column(np.float64, 4)        # a row of four resources
        interests: np.ndarray = column(np.bool_, "topics")  # width given at creation

A `Table` holds one such bundle (`table.data`), grows it by doubling when rows run out and
widens a column when its rows are full. Compiled kernels take the bundle as one argument
(Numba accepts NamedTuples of arrays) and read its fields by name; each new bundle's twin is
made for them (`compiled.remember`) and let go with the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from simulation.compiled import LAYOUTS, forget, remember


@dataclass(frozen=True)
class Column:
    """How one array of a bundle is made: dtype, trailing width (a number or the name of a
    width given when the table is made), the value of fresh cells, and for a column that is
    not one cell per row (a few counters), its fixed `length`."""

    dtype: type
    width: int | str | None = None
    fill: Any = 0
    length: int | None = None

    def shape(self, rows: int, widths: dict[str, int]) -> tuple[int, ...]:
        if self.length is not None:
            return (self.length,)
        if self.width is None:
            return (rows,)
        return (rows, widths[self.width] if isinstance(self.width, str) else self.width)


def column(
    dtype: type, width: int | str | None = None, fill: Any = 0, length: int | None = None
) -> Any:
    """A field default that declares an array of a bundle (see the module docstring)."""
    return Column(dtype, width, fill, length)


class Table[Bundle: NamedTuple]:
    """Rows of the arrays declared by `layout`; `data` is the current bundle of arrays.

    Rows 0..size-1 are in use. `reserve` makes room for more rows (doubling), `widen` doubles
    the width of named columns; both replace `data` with a new bundle, copying the contents.
    Reading a field by name on the table reads it from `data` (`table.stock` is
    `table.data.stock`).
    """

    def __init__(self, layout: type[Bundle], rows: int = 16, **widths: int) -> None:
        self.layout = layout
        LAYOUTS.add(layout)
        self.widths = dict(widths)
        self._row_field = next(
            k for k, name in enumerate(layout._fields) if self._spec(name).length is None
        )
        self.size = 0
        self._hold(layout(*(self._make(name, max(rows, 1)) for name in layout._fields)))

    def __getattr__(self, name: str) -> np.ndarray:
        # only called for names the table itself lacks: the bundle's fields
        if name in ("data", "layout"):
            raise AttributeError(name)
        return getattr(self.data, name)

    def _hold(self, bundle: Bundle) -> None:
        """Replace `data` by `bundle`, and the twin kernels take with it."""
        forget(self.__dict__.get("data"))
        self.data: Bundle = bundle
        remember(bundle)

    def __del__(self) -> None:
        forget(self.__dict__.get("data"))

    def _spec(self, name: str) -> Column:
        return self.layout._field_defaults[name]

    def _make(self, name: str, rows: int) -> np.ndarray:
        spec = self._spec(name)
        return np.full(spec.shape(rows, self.widths), spec.fill, dtype=spec.dtype)

    @property
    def rows(self) -> int:
        """Rows allocated (in use or not)."""
        return len(self.data[self._row_field])

    def reserve(self, extra: int) -> int:
        """Room for `extra` more rows; they are counted in `size`. Returns the first new row."""
        self.ensure(self.size + extra)
        self.size += extra
        return self.size - extra

    def ensure(self, rows: int) -> None:
        """At least `rows` rows allocated (doubling, so growing row by row stays cheap)."""
        if rows > self.rows:
            self._resize(max(rows, 2 * self.rows))

    def _resize(self, rows: int) -> None:
        arrays = []
        for name, old in zip(self.layout._fields, self.data, strict=True):
            new = self._make(name, rows)
            new[: len(old)] = old  # a fixed-length column is copied whole
            arrays.append(new)
        self._hold(self.layout(*arrays))

    def widen(self, width: str, at_least: int = 0) -> None:
        """Double the width called `width` (at least to `at_least`) in every column using it."""
        self.widths[width] = max(2 * self.widths[width], at_least)
        arrays = []
        for name, old in zip(self.layout._fields, self.data, strict=True):
            if self._spec(name).width != width:
                arrays.append(old)
                continue
            new = self._make(name, self.rows)
            new[:, : old.shape[1]] = old
            arrays.append(new)
        self._hold(self.layout(*arrays))

    def reset(self, name: str, width: int) -> None:
        """Replace column `name` by fresh cells, its width (a named one) set to `width`."""
        self.widths[self._spec(name).width] = width
        self._hold(self.data._replace(**{name: self._make(name, self.rows)}))

    def view(self, name: str) -> np.ndarray:
        """The rows in use of one column."""
        return getattr(self.data, name)[: self.size]
