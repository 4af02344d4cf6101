"""Relationship ties as arrays with lazy exponential decay (M2).

A tie between actors i < j lives in a slot of parallel arrays: its strength at last contact
``w0``, the week of that contact ``t0``, its weekly decay rate ``lam``, whether the two know
each other's resources (``informed``), how often they worked together (``joint``) and when it
was made (``born``). The strength now is ``w0 * exp(-lam * (t - t0))``: nothing is touched for
ties without contact. Free slots are reused, so a slot index stays valid while its tie lives.
"""

from __future__ import annotations

import numpy as np

_KEY_BASE = 1 << 32


def pair_key(i: int, j: int) -> int:
    """The dictionary key of the unordered pair (i, j)."""
    return (i * _KEY_BASE + j) if i < j else (j * _KEY_BASE + i)


class TieStore:
    """Sparse symmetric weighted ties with lazy decay, per-actor neighbour sets and degrees."""

    def __init__(self, capacity: int = 1024) -> None:
        self.a = np.zeros(capacity, dtype=np.int64)
        self.b = np.zeros(capacity, dtype=np.int64)
        self.w0 = np.zeros(capacity)
        self.t0 = np.zeros(capacity)
        self.lam = np.zeros(capacity)
        self.informed = np.zeros(capacity, dtype=bool)
        self.joint = np.zeros(capacity, dtype=np.int32)
        self.born = np.zeros(capacity)
        self.alive = np.zeros(capacity, dtype=bool)
        self.index: dict[int, int] = {}
        self.neighbours: list[set[int]] = []
        self.degree = np.zeros(0, dtype=np.int64)
        self._free: list[int] = []
        self._top = 0

    # -- bookkeeping -------------------------------------------------------------------------
    def add_actors(self, count: int) -> None:
        """Make room in the neighbour lists for `count` more actors."""
        self.neighbours.extend(set() for _ in range(count))
        if len(self.neighbours) > len(self.degree):
            grown = np.zeros(max(len(self.neighbours), 2 * len(self.degree)), dtype=np.int64)
            grown[: len(self.degree)] = self.degree
            self.degree = grown

    def __len__(self) -> int:
        return len(self.index)

    def _grow(self) -> None:
        size = 2 * len(self.w0)
        for name in ("a", "b", "w0", "t0", "lam", "informed", "joint", "born", "alive"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _new_slot(self) -> int:
        if self._free:
            return self._free.pop()
        if self._top == len(self.w0):
            self._grow()
        self._top += 1
        return self._top - 1

    def live_slots(self) -> np.ndarray:
        """Indices of the slots that hold a tie."""
        return np.flatnonzero(self.alive[: self._top])

    # -- reading -----------------------------------------------------------------------------
    def strength(self, slots: np.ndarray | int, t: float) -> np.ndarray | float:
        """Current strength of the ties in `slots` at week `t`."""
        return self.w0[slots] * np.exp(-self.lam[slots] * (t - self.t0[slots]))

    def slot(self, i: int, j: int) -> int:
        """The slot of tie (i, j), or -1 when they have none."""
        return self.index.get(pair_key(i, j), -1)

    def slots_of(self, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Slots of many pairs at once; -1 where there is no tie."""
        get = self.index.get
        keys = (np.minimum(pairs_i, pairs_j) * _KEY_BASE + np.maximum(pairs_i, pairs_j)).tolist()
        return np.array([get(k, -1) for k in keys], dtype=np.int64)

    def holds(self, slots: np.ndarray, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Whether each slot (-1 allowed) still holds the tie of its pair (i, j)."""
        safe = np.maximum(slots, 0)
        low, high = np.minimum(pairs_i, pairs_j), np.maximum(pairs_i, pairs_j)
        return (slots >= 0) & self.alive[safe] & (self.a[safe] == low) & (self.b[safe] == high)

    # -- writing -----------------------------------------------------------------------------
    def create(self, i: int, j: int, strength: float, t: float, lam: float,
               informed: bool = False) -> int:
        """Make a new tie (i, j) and return its slot; the pair must not have one."""
        s = self._new_slot()
        self.a[s], self.b[s] = min(i, j), max(i, j)
        self.w0[s], self.t0[s], self.lam[s] = strength, t, lam
        self.informed[s], self.joint[s], self.born[s], self.alive[s] = informed, 0, t, True
        self.index[pair_key(i, j)] = s
        self.neighbours[i].add(j)
        self.neighbours[j].add(i)
        self.degree[i] += 1
        self.degree[j] += 1
        return s

    def reinforce(self, slots: np.ndarray, gain: float | np.ndarray, t: float) -> None:
        """Contact: strength now plus `gain` (at most 1), decay clock restarted."""
        if len(slots) == 0:
            return
        now = self.strength(slots, t)
        self.w0[slots] = np.clip(now + gain, 0.0, 1.0)
        self.t0[slots] = t

    def contact(self, pairs_i: np.ndarray, pairs_j: np.ndarray, gain: float, new_strength: float,
                t: float, lam_of: np.ndarray, informed: bool) -> int:
        """Pairs meet: known pairs reinforce, strangers form a tie. Returns new ties made."""
        if len(pairs_i) == 0:
            return 0
        slots = self.slots_of(pairs_i, pairs_j)
        known = slots >= 0
        self.reinforce(slots[known], gain, t)  # a repeated pair gains once: same value written
        if informed:
            self.informed[slots[known]] = True
        made = 0
        for i, j, lam in zip(pairs_i[~known].tolist(), pairs_j[~known].tolist(),
                             lam_of[~known].tolist(), strict=True):
            if i != j and self.slot(i, j) < 0:
                self.create(i, j, new_strength, t, lam, informed)
                made += 1
        return made

    def remove(self, slots: np.ndarray) -> None:
        """Delete the ties in `slots`."""
        for s in slots.tolist():
            if not self.alive[s]:
                continue
            i, j = int(self.a[s]), int(self.b[s])
            del self.index[pair_key(i, j)]
            self.neighbours[i].discard(j)
            self.neighbours[j].discard(i)
            self.degree[i] -= 1
            self.degree[j] -= 1
            self.alive[s] = False
            self._free.append(s)

    def remove_actor(self, i: int) -> None:
        """Delete every tie of actor `i`."""
        slots = [self.index[pair_key(i, j)] for j in self.neighbours[i]]
        self.remove(np.asarray(slots, dtype=np.int64))

    def prune(self, t: float, below: float, max_ties: int) -> np.ndarray:
        """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties`.

        Returns the slots still alive.
        """
        live = self.live_slots()
        now = self.strength(live, t)
        self.remove(live[now < below])
        live = live[now >= below]
        over = np.flatnonzero(self.degree > max_ties)
        for i in over.tolist():
            slots = np.fromiter((self.index[pair_key(i, j)] for j in self.neighbours[i]),
                                dtype=np.int64)
            if len(slots) > max_ties:
                order = np.argsort(self.strength(slots, t), kind="stable")
                self.remove(slots[order[: len(slots) - max_ties]])
        return self.live_slots() if len(over) else live
