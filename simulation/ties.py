"""Relationship ties as arrays with lazy exponential decay (M2).

A tie between actors i < j lives in a slot of parallel arrays: its strength at last contact
``w0``, the week of that contact ``t0``, its weekly decay rate ``lam``, whether the two know
each other's resources (``informed``), how often they worked together (``joint``) and when it
was made (``born``). The strength now is ``w0 * exp(-lam * (t - t0))``: nothing is touched for
ties without contact. Free slots are reused, so a slot index stays valid while its tie lives.
"""

from __future__ import annotations

import math

import numpy as np

_KEY_BASE = 1 << 32
_FEW = 16  # contacts of at most this many pairs take the scalar path (it is faster there)


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
        if self._top == len(self.w0) - 1:  # the last slot stays empty (see `slots_of`)
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
        """Slots of many pairs at once; -1 where there is no tie.

        The last slot of the arrays is never used, so reading slot -1 gives an empty tie:
        strength 0, not informed, no joint work.
        """
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
        if len(pairs_i) <= _FEW:
            return self._contact_few(pairs_i.tolist(), pairs_j.tolist(), gain, new_strength, t,
                                     lam_of.tolist(), informed)
        low, high = np.minimum(pairs_i, pairs_j), np.maximum(pairs_i, pairs_j)
        keys = low * _KEY_BASE + high
        get = self.index.get
        slots = np.array([get(k, -1) for k in keys.tolist()], dtype=np.int64)
        known = slots >= 0
        met = slots[known]
        self.reinforce(met, gain, t)  # a repeated pair gains once: same value written
        if informed:
            self.informed[met] = True
        fresh = ~known & (low != high)
        if not fresh.any():
            return 0
        first = np.sort(np.unique(keys[fresh], return_index=True)[1])  # once, in meeting order
        self.create_many(low[fresh][first], high[fresh][first], new_strength, t,
                         lam_of[fresh][first], informed)
        return len(first)

    def _contact_few(self, pairs_i: list[int], pairs_j: list[int], gain: float,
                     new_strength: float, t: float, lam_of: list[float], informed: bool) -> int:
        """`contact` for a handful of pairs, one by one (same result, less overhead)."""
        made = 0
        seen: set[int] = set()
        for i, j, lam in zip(pairs_i, pairs_j, lam_of, strict=True):
            key = pair_key(i, j)
            if key in seen:  # as in the batch path: a repeated pair counts once
                continue
            seen.add(key)
            s = self.index.get(key, -1)
            if s >= 0:
                now = self.w0[s] * math.exp(-self.lam[s] * (t - self.t0[s]))
                self.w0[s], self.t0[s] = min(max(now + gain, 0.0), 1.0), t
                if informed:
                    self.informed[s] = True
            elif i != j:
                self.create(i, j, new_strength, t, lam, informed)
                made += 1
        return made

    def create_many(self, i: np.ndarray, j: np.ndarray, strength: float, t: float,
                    lam: np.ndarray, informed: bool) -> np.ndarray:
        """Make new ties (i, j), i < j, for pairs that have none; returns their slots."""
        count = len(i)
        reused = min(count, len(self._free))
        slots = np.empty(count, dtype=np.int64)
        if reused:
            slots[:reused] = self._free[len(self._free) - reused:][::-1]
            del self._free[len(self._free) - reused:]
        while self._top + count - reused > len(self.w0) - 1:
            self._grow()
        slots[reused:] = np.arange(self._top, self._top + count - reused)
        self._top += count - reused
        self.a[slots], self.b[slots] = i, j
        self.w0[slots], self.t0[slots], self.lam[slots] = strength, t, lam
        self.informed[slots], self.joint[slots], self.born[slots] = informed, 0, t
        self.alive[slots] = True
        np.add.at(self.degree, i, 1)
        np.add.at(self.degree, j, 1)
        index, neighbours = self.index, self.neighbours
        for key, slot, a, b in zip((i * _KEY_BASE + j).tolist(), slots.tolist(), i.tolist(),
                                   j.tolist(), strict=True):
            index[key] = slot
            neighbours[a].add(b)
            neighbours[b].add(a)
        return slots

    def remove(self, slots: np.ndarray) -> None:
        """Delete the ties in `slots`."""
        slots = np.unique(slots[self.alive[slots]])
        if not len(slots):
            return
        i, j = self.a[slots], self.b[slots]
        self.alive[slots] = False
        np.subtract.at(self.degree, i, 1)
        np.subtract.at(self.degree, j, 1)
        index, neighbours = self.index, self.neighbours
        for key, a, b in zip((i * _KEY_BASE + j).tolist(), i.tolist(), j.tolist(), strict=True):
            del index[key]
            neighbours[a].discard(b)
            neighbours[b].discard(a)
        self._free.extend(slots.tolist())

    def remove_actor(self, i: int) -> None:
        """Delete every tie of actor `i`."""
        slots = [self.index[pair_key(i, j)] for j in self.neighbours[i]]
        self.remove(np.asarray(slots, dtype=np.int64))

    def prune(self, t: float, below: float, max_ties: int) -> tuple[np.ndarray, np.ndarray]:
        """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties`.

        Both are judged on this moment's strengths, for all actors at once (a tie that is
        among the weakest of either end goes). Returns the slots still alive and their
        strengths now.
        """
        live = self.live_slots()
        now = self.strength(live, t)
        weak = now < below
        gone = live[weak]
        live, now = live[~weak], now[~weak]
        ends = np.concatenate([self.a[live], self.b[live]])
        degree = np.bincount(ends, minlength=len(self.degree))
        crowded = degree[ends] > max_ties
        if crowded.any():
            actor = ends[crowded]
            slot = np.concatenate([live, live])[crowded]
            order = np.lexsort((np.concatenate([now, now])[crowded], actor))
            actor, slot = actor[order], slot[order]
            rank = np.arange(len(actor)) - np.searchsorted(actor, actor)
            dropped = slot[rank < degree[actor] - max_ties]
            kept = ~np.isin(live, dropped)
            live, now = live[kept], now[kept]
            gone = np.concatenate([gone, dropped])
        self.remove(gone)
        return live, now
