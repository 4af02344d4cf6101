"""Relationship ties as arrays with lazy exponential decay (M2).

A tie between actors i < j lives in a slot of parallel arrays: its strength at last contact
``w0``, the week of that contact ``t0``, its weekly decay rate ``lam``, whether the two know
each other's resources (``informed``), how often they worked together (``joint``) and when it
was made (``born``). The strength now is ``w0 * exp(-lam * (t - t0))``: nothing is touched for
ties without contact. Free slots are reused, so a slot index stays valid while its tie lives.

Each actor has an adjacency row: its neighbours and the slots of those ties (``nbr``,
``nslot``, the first ``degree`` entries). A pair's slot is found by scanning the shorter row,
in compiled code (`simulation.kernels`); there is no per-pair dictionary.
"""

from __future__ import annotations

import numpy as np

from simulation import kernels


class TieStore:
    """Sparse symmetric weighted ties with lazy decay, adjacency rows and degrees."""

    _SLOT_ARRAYS = (
        ("a", np.int64),
        ("b", np.int64),
        ("w0", np.float64),
        ("t0", np.float64),
        ("lam", np.float64),
        ("informed", bool),
        ("joint", np.int32),
        ("born", np.float64),
        ("alive", bool),
        ("mark", np.int64),
        ("free", np.int64),
    )

    def __init__(self, capacity: int = 1024, width: int = 16) -> None:
        for name, dtype in self._SLOT_ARRAYS:
            setattr(self, name, np.zeros(max(capacity, 2), dtype=dtype))
        self.nbr = np.full((0, width), -1, dtype=np.int64)
        self.nslot = np.full((0, width), -1, dtype=np.int64)
        self.degree = np.zeros(0, dtype=np.int64)
        self.actors = 0
        self._counters = np.zeros(2, dtype=np.int64)  # next new slot, freed slots stacked
        self._stamp = 0

    # -- bookkeeping -------------------------------------------------------------------------
    def add_actors(self, count: int) -> None:
        """Make room in the adjacency rows for `count` more actors."""
        self.actors += count
        if self.actors > len(self.degree):
            rows = max(self.actors, 2 * len(self.degree))
            self.nbr = self._resized(self.nbr, rows, self.nbr.shape[1])
            self.nslot = self._resized(self.nslot, rows, self.nslot.shape[1])
            degree = np.zeros(rows, dtype=np.int64)
            degree[: len(self.degree)] = self.degree
            self.degree = degree

    @staticmethod
    def _resized(old: np.ndarray, rows: int, width: int) -> np.ndarray:
        new = np.full((rows, width), -1, dtype=old.dtype)
        new[: old.shape[0], : old.shape[1]] = old
        return new

    def _widen(self) -> None:
        rows, width = self.nbr.shape
        self.nbr = self._resized(self.nbr, rows, 2 * width)
        self.nslot = self._resized(self.nslot, rows, 2 * width)

    def __len__(self) -> int:
        return int(self._counters[0] - self._counters[1])

    def _room_for(self, count: int) -> None:
        """Enough slots for `count` new ties; the last slot stays empty (see `slots_of`)."""
        size = len(self.w0)
        while self._counters[0] + count > size - 1:
            size *= 2
        if size == len(self.w0):
            return
        for name, dtype in self._SLOT_ARRAYS:
            new = np.zeros(size, dtype=dtype)
            old = getattr(self, name)
            new[: len(old)] = old
            setattr(self, name, new)

    def next_stamp(self) -> int:
        """A fresh mark for one batch of contacts (a tie is reinforced once per batch)."""
        self._stamp += 1
        return self._stamp

    def live_slots(self) -> np.ndarray:
        """Indices of the slots that hold a tie."""
        return np.flatnonzero(self.alive[: self._counters[0]])

    # -- reading -----------------------------------------------------------------------------
    def strength(self, slots: np.ndarray | int, t: float) -> np.ndarray | float:
        """Current strength of the ties in `slots` at week `t`."""
        return self.w0[slots] * np.exp(-self.lam[slots] * (t - self.t0[slots]))

    def contacts_of(self, i: int) -> np.ndarray:
        """The actors `i` has a tie with (a copy, in adjacency order)."""
        return self.nbr[i, : self.degree[i]].copy()

    def slot(self, i: int, j: int) -> int:
        """The slot of tie (i, j), or -1 when they have none."""
        return int(kernels.find(self.nbr, self.nslot, self.degree, i, j))

    def slots_of(self, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Slots of many pairs at once; -1 where there is no tie.

        The last slot of the arrays is never used, so reading slot -1 gives an empty tie:
        strength 0, not informed, no joint work.
        """
        return kernels.slots_of(
            self.nbr,
            self.nslot,
            self.degree,
            np.asarray(pairs_i, dtype=np.int64),
            np.asarray(pairs_j, dtype=np.int64),
        )

    # -- writing -----------------------------------------------------------------------------
    def create(
        self, i: int, j: int, strength: float, t: float, lam: float, informed: bool = False
    ) -> int:
        """Make a new tie (i, j) and return its slot; the pair must not have one."""
        self.contact(np.array([i]), np.array([j]), 0.0, strength, t, np.array([lam]), informed)
        return self.slot(i, j)

    def contact(
        self,
        pairs_i: np.ndarray,
        pairs_j: np.ndarray,
        gain: float,
        new_strength: float,
        t: float,
        lam_of: np.ndarray,
        informed: bool,
    ) -> int:
        """Pairs meet: known pairs reinforce (once, however often they appear), strangers form
        a tie. Returns new ties made."""
        if len(pairs_i) == 0:
            return 0
        self._room_for(len(pairs_i))
        stamp = self.next_stamp()
        made, start = 0, 0
        while True:
            new, start = kernels.contact(
                pairs_i,
                pairs_j,
                np.asarray(lam_of, dtype=np.float64),
                start,
                gain,
                new_strength,
                float(t),
                informed,
                stamp,
                self.a,
                self.b,
                self.w0,
                self.t0,
                self.lam,
                self.informed,
                self.joint,
                self.born,
                self.alive,
                self.mark,
                self.nbr,
                self.nslot,
                self.degree,
                self.free,
                self._counters,
            )
            made += new
            if start == len(pairs_i):
                return made
            self._widen()

    def remove(self, slots: np.ndarray) -> None:
        """Delete the ties in `slots`."""
        kernels.remove(
            np.asarray(slots, dtype=np.int64),
            self.a,
            self.b,
            self.alive,
            self.nbr,
            self.nslot,
            self.degree,
            self.free,
            self._counters,
        )

    def remove_actor(self, i: int) -> None:
        """Delete every tie of actor `i`."""
        self.remove(self.nslot[i, : self.degree[i]].copy())

    def prune(self, t: float, below: float, max_ties: int) -> tuple[np.ndarray, np.ndarray]:
        """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties`.

        Both are judged on this moment's strengths, for all actors at once (a tie that is
        among the weakest of either end goes). Returns the slots still alive and their
        strengths now.
        """
        return kernels.prune(
            float(t),
            below,
            max_ties,
            self.actors,
            self.a,
            self.b,
            self.w0,
            self.t0,
            self.lam,
            self.alive,
            int(self._counters[0]),
            self.nbr,
            self.nslot,
            self.degree,
            self.free,
            self._counters,
        )
