"""Every week of a run, stored compactly, so the app can show any week again.

The model only moves forward; the timeline needs the network, the cooperations and the
numbers of every week already computed. `History.record` is called after each step and
keeps:

- the counters: nothing extra, the model's DataCollector holds one row a week (and the
  network measures every `output.network_every_weeks`); only week 0, before the first step,
  is kept here;
- who was there and which ties existed, exactly, as *spans*: an actor or a tie (a pair of
  actors) gets a span when it appears and the span ends in the week it is gone, so a tie
  that lasts ten years costs one record, not 520;
- each week's tie strengths as one byte per live tie (rounded toward its side of the
  resilient threshold, so a tie drawn as resilient is one), the actors' resources as
  16-bit floats, their load and whether they are engaged;
- the running cooperations each week (id and progress), their members only when they
  change, and the roles only when they change.

`History.frame(week)` puts a week back together as a `Frame`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OPEN = np.iinfo(np.int32).max  # end week of a span still open
PAIR = np.int64(1) << 32  # tie key: smaller index * PAIR + larger index
LEVELS = 255  # tie strength in 1/255 steps


class Ragged:
    """Arrays of one dtype appended one a week into a single growing buffer."""

    def __init__(self, dtype: type, width: int = 1) -> None:
        self.values = np.zeros((256, width) if width > 1 else 256, dtype=dtype)
        self.offsets = np.zeros(64, dtype=np.int64)  # where week k starts and ends
        self.count = 0

    def append(self, values: np.ndarray) -> None:
        start = int(self.offsets[self.count])
        stop = start + len(values)
        self.values = _room(self.values, stop)
        self.offsets = _room(self.offsets, self.count + 2)
        self.values[start:stop] = values
        self.count += 1
        self.offsets[self.count] = stop

    def __getitem__(self, k: int) -> np.ndarray:
        return self.values[self.offsets[k] : self.offsets[k + 1]]

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        """Bytes held, the room for growth included."""
        return self.values.nbytes + self.offsets.nbytes


def _room(array: np.ndarray, rows: int) -> np.ndarray:
    """`array`, or a copy with room for at least `rows` rows (growing by half)."""
    if rows <= len(array):
        return array
    grown = np.zeros((max(rows, len(array) * 3 // 2), *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class Spans:
    """When each key (an actor index, a tie's pair key) was present: [start, end) in weeks."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int32)
        self.end = np.zeros(0, dtype=np.int32)
        self._open_keys = np.zeros(0, dtype=np.int64)  # sorted
        self._open_ids = np.zeros(0, dtype=np.int64)  # span of each open key

    def update(self, week: int, present: np.ndarray) -> np.ndarray:
        """Close the spans of keys no longer present, open spans for new ones; return, for
        each key of `present` (sorted, unique), its span id."""
        still = np.isin(self._open_keys, present, assume_unique=True)
        self.end[self._open_ids[~still]] = week
        fresh = present[~np.isin(present, self._open_keys, assume_unique=True)]
        ids = np.arange(len(self.keys), len(self.keys) + len(fresh))
        self.keys = np.concatenate([self.keys, fresh])
        self.start = np.concatenate([self.start, np.full(len(fresh), week, dtype=np.int32)])
        self.end = np.concatenate([self.end, np.full(len(fresh), OPEN, dtype=np.int32)])
        keys = np.concatenate([self._open_keys[still], fresh])
        spans = np.concatenate([self._open_ids[still], ids])
        order = np.argsort(keys, kind="stable")
        self._open_keys, self._open_ids = keys[order], spans[order]
        return self._open_ids[np.searchsorted(self._open_keys, present)]

    def at(self, week: int) -> np.ndarray:
        """Ids of the spans present in `week`, ascending (the order `record` stores in)."""
        return np.flatnonzero((self.start <= week) & (self.end > week))

    @property
    def nbytes(self) -> int:
        return (
            self.keys.nbytes
            + self.start.nbytes
            + self.end.nbytes
            + self._open_keys.nbytes
            + self._open_ids.nbytes
        )


@dataclass
class Cooperation:
    """A running cooperation as it was in one week."""

    id: int
    kind: int  # index of COOPERATION_TYPES
    topic: int
    progress: float  # share done, 0..1
    members: list[int]


@dataclass
class Frame:
    """One week of a run, put back together from the history."""

    week: int
    actors: np.ndarray  # indices of the active actors, ascending
    stock: np.ndarray  # (actors, resources): what each had
    load: np.ndarray  # open cooperations each held
    engaged: np.ndarray  # bool: takes part in neighbourhood work
    a: np.ndarray  # tie end points (actor indices), a < b
    b: np.ndarray
    strength: np.ndarray  # tie strength, 0..1 (to 1/255)
    roles: dict[int, str]
    cooperations: list[Cooperation]
    counters: dict[str, float] = field(default_factory=dict)  # the DataCollector's row

    def contacts(self, actor: int) -> list[tuple[int, float]]:
        """The actor's ties as (other actor, strength), strongest first."""
        mine = np.flatnonzero((self.a == actor) | (self.b == actor))
        others = np.where(self.a[mine] == actor, self.b[mine], self.a[mine])
        pairs = sorted(zip(others.tolist(), self.strength[mine].tolist(), strict=True), key=_by_w)
        return pairs

    def cooperations_of(self, actor: int) -> list[Cooperation]:
        return [c for c in self.cooperations if actor in c.members]


def _by_w(pair: tuple[int, float]) -> tuple[float, int]:
    return -pair[1], pair[0]


def quantise(strength: np.ndarray, threshold: float) -> np.ndarray:
    """Strengths as bytes (1/255 steps), rounded toward their side of `threshold`: a tie at
    or above it stays at or above it, a tie below stays below.

    >>> quantise(np.array([0.0, 0.5985, 0.6, 0.6013, 1.0]), 0.6).tolist()
    [0, 152, 153, 154, 255]
    """
    scaled = np.clip(strength, 0.0, 1.0) * LEVELS
    rounded = np.where(strength >= threshold, np.ceil(scaled - 1e-9), np.floor(scaled + 1e-9))
    limit = threshold * LEVELS
    rounded = np.where((strength >= threshold) & (rounded < limit), np.ceil(limit), rounded)
    rounded = np.where((strength < threshold) & (rounded >= limit), np.ceil(limit) - 1, rounded)
    return np.clip(rounded, 0, LEVELS).astype(np.uint8)


class History:
    """A run's weeks from the first recorded on; see the module docstring."""

    def __init__(self, model) -> None:
        self.threshold = float(model.config.ties.resilient_threshold)
        self.first = int(model.week)
        self.weeks = 0
        self.actors, self.ties = Spans(), Spans()
        self.strength = Ragged(np.uint8)
        self.stock = Ragged(np.float16, len(np.asarray(model.state.stock)[0]))
        self.load = Ragged(np.int8)
        self.engaged = Ragged(np.bool_)
        self.running = Ragged(np.int32)
        self.progress = Ragged(np.uint8)
        self.coop_kind: dict[int, int] = {}
        self.coop_topic: dict[int, int] = {}
        self.members: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
        self.roles: list[tuple[int, dict[int, str]]] = []
        self.start_row = current_counters(model)
        self.record(model)

    @property
    def last(self) -> int:
        """The last week recorded."""
        return self.first + self.weeks - 1

    def record(self, model) -> None:
        """Store the model's current week (call once after each step)."""
        week = int(model.week)
        if week != self.first + self.weeks:
            raise ValueError(f"expected week {self.first + self.weeks}, got week {week}")
        state = model.state
        n = len(state.names)
        active = np.flatnonzero(np.asarray(state.active)[:n])
        order = np.argsort(self.actors.update(week, active.astype(np.int64)), kind="stable")
        rows = active[order]
        self.stock.append(np.asarray(state.stock)[rows].astype(np.float16))
        self.load.append(np.clip(np.asarray(state.load)[rows], 0, 127).astype(np.int8))
        self.engaged.append(np.asarray(state.engaged)[rows].astype(np.bool_))
        self._record_ties(model, week, active)
        self._record_cooperations(model, week)
        roles = {int(i): str(r) for i, r in model.roles().items() if r}
        if not self.roles or self.roles[-1][1] != roles:
            self.roles.append((week, roles))
        self.weeks += 1

    def _record_ties(self, model, week: int, active: np.ndarray) -> None:
        ties = model.ties
        live = np.asarray(ties.live_slots())
        a, b = np.asarray(ties.a)[live].astype(np.int64), np.asarray(ties.b)[live].astype(np.int64)
        strength = np.asarray(ties.strength(live, float(model.week)), dtype=float)
        among = np.isin(a, active) & np.isin(b, active)
        low, high = np.minimum(a, b)[among], np.maximum(a, b)[among]
        keys, first = np.unique(low * PAIR + high, return_index=True)
        spans = self.ties.update(week, keys)
        order = np.argsort(spans, kind="stable")
        self.strength.append(quantise(strength[among][first][order], self.threshold))

    def _record_cooperations(self, model, week: int) -> None:
        book = model.cooperations
        running = np.fromiter(book.running, dtype=np.int64, count=len(book.running))
        progress = np.asarray(book.progress)[running] if len(running) else np.zeros(0)
        self.running.append(running)
        self.progress.append(np.round(np.clip(progress, 0, 1) * LEVELS).astype(np.uint8))
        for k in running.tolist():
            if k not in self.coop_kind:
                self.coop_kind[k] = int(book.kind[k])
                self.coop_topic[k] = int(book.topic[k])
            members = tuple(int(i) for i in book.members[k])
            versions = self.members.setdefault(k, [])
            if not versions or versions[-1][1] != members:
                versions.append((week, members))

    # -- reading --------------------------------------------------------------------------
    def frame(self, week: int, model=None) -> Frame:
        """The run as it was in `week` (clamped to the weeks recorded); with the model, the
        frame also carries that week's row of counters."""
        week = min(max(int(week), self.first), self.last)
        k = week - self.first
        actors = self.actors.keys[self.actors.at(week)]
        pairs = self.ties.keys[self.ties.at(week)]
        running = self.running[k]
        progress = self.progress[k] / LEVELS
        cooperations = [
            Cooperation(
                int(c),
                self.coop_kind[int(c)],
                self.coop_topic[int(c)],
                float(p),
                list(self._members(int(c), week)),
            )
            for c, p in zip(running.tolist(), progress.tolist(), strict=True)
        ]
        return Frame(
            week=week,
            actors=actors,
            stock=self.stock[k].astype(float),
            load=self.load[k].astype(int),
            engaged=self.engaged[k].copy(),
            a=pairs // PAIR,
            b=pairs % PAIR,
            strength=self.strength[k] / LEVELS,
            roles=self._roles(week),
            cooperations=cooperations,
            counters=self.counters(model, week) if model is not None else {},
        )

    def _members(self, k: int, week: int) -> tuple[int, ...]:
        found: tuple[int, ...] = ()
        for since, members in self.members.get(k, []):
            if since > week:
                break
            found = members
        return found

    def _roles(self, week: int) -> dict[int, str]:
        found: dict[int, str] = {}
        for since, roles in self.roles:
            if since > week:
                break
            found = roles
        return found

    def counters(self, model, week: int) -> dict[str, float]:
        """The DataCollector's row for `week` (week 0 as it was before the first step)."""
        week = min(max(int(week), self.first), self.last)
        if week == self.first:
            return dict(self.start_row)
        collected = model.datacollector.model_vars
        k = week - self.first - 1
        return {name: values[k] for name, values in collected.items() if k < len(values)}

    @property
    def nbytes(self) -> int:
        """Bytes this history holds (arrays, offsets, and the per-cooperation records at
        their size as numbers: ids, kind, topic, and members per change)."""
        arrays = sum(
            part.nbytes
            for part in (
                self.actors,
                self.ties,
                self.strength,
                self.stock,
                self.load,
                self.engaged,
                self.running,
                self.progress,
            )
        )
        cooperations = 16 * len(self.coop_kind) + sum(
            8 * (1 + len(members)) for versions in self.members.values() for _, members in versions
        )
        roles = sum(16 * (1 + len(r)) for _, r in self.roles)
        return arrays + cooperations + roles


def current_counters(model) -> dict[str, float]:
    """The model's counters now, computed by its own DataCollector reporters."""
    reporters = model.datacollector.model_reporters
    return {name: report(model) for name, report in reporters.items() if callable(report)}
