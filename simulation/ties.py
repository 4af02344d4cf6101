"""Ties: weighted relationships that grow with contact and decay without it (M2, M6).

The whole rule in one place:

- **Decay rate.** A tie loses `ties.decay_per_month` of its strength per month without contact:
  weekly rate ``λ = −ln(1 − decay_per_month) / WEEKS_PER_MONTH``; times
  `ties.bridge_decay_multiplier` for a bridge — a tie whose two ends have no common third
  party (Burt 2002: bridges decay far faster than ties embedded in shared contacts) — and times
  `ties.cross_sector_decay_multiplier` for a tie across sectors (McPherson et al. 2001: ties
  between dissimilar people dissolve sooner). A new tie gets its rate when it is made; every
  month each live tie's rate is set again from its embeddedness then (`review_rates`), its
  strength carried over (``w0 ← w``, ``t0 ← t``) so the decay so far is kept.
- **Strength now.** ``w = w0 · exp(−λ (t − t0))`` with ``w0`` the strength at the last contact
  in week ``t0`` — evaluated lazily (`strength`), nothing is touched for ties without contact.
- **Reinforcement.** A contact sets ``w0 ← clip(w + gain, 0, 1)`` and ``t0 ← t``
  (`reinforce`); a pair in contact more than once in one batch gains once. Strangers in
  contact form a tie of `ties.new_tie_strength`.
- **Pruning and upkeep.** Monthly, ties weaker than `ties.prune_below` are deleted and each
  actor keeps its `ties.max_ties` strongest (Kumpula et al. 2007); each resilient tie
  (strength ≥ `ties.resilient_threshold`) then costs both ends `ties.upkeep_hours` a week
  ("without time, contacts cannot be maintained").

Storage: a tie between actors i < j lives in a slot of the arrays of `TieSlots` (ends, strength
at last contact, its week, decay rate, whether they know each other's resources
(`informed`), joint projects, week made, alive, a mark for once-per-batch reinforcement);
freed slots are reused from a stack, so a slot index stays valid while its tie lives. Each
actor has an adjacency row (`Adjacency`: neighbours and slots, the first `degree` entries);
a pair's slot is found by scanning the shorter row. The kernels below are compiled.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation.columns import Table, column
from simulation.compiled import fixed_kind, kernel
from simulation.config import WEEKS_PER_MONTH, TiesConfig

if TYPE_CHECKING:
    from simulation.population import Population

BEFORE, OWN, PROGRAMME = range(3)
ORIGINS = ("before", "own", "programme")
"""Where a tie was made (its provenance): before week 0 (at the start or in the warm-up); on
the actors' own (everyday contact, their own meetings and cooperations, a catalyst who is not
the QM); or by the programme's structures (its meetings, its office, the QM as catalyst, a
cooperation the fund is paying for)."""

NEXT, FREED, STAMP = range(3)
NO_RATES = np.zeros(0)
"""`lam_of` for `contact_pairs` when each new tie's rate follows from its embeddedness."""
"""Positions in `TieSlots.counters`: the next never-used slot, how many freed slots are
stacked in `free`, the mark of the latest batch of contacts."""


class TieSlots(NamedTuple):
    """One row per tie slot."""

    a: np.ndarray = column(np.int64)  # lower end
    b: np.ndarray = column(np.int64)  # higher end
    w0: np.ndarray = column(np.float64)  # strength at the last contact
    t0: np.ndarray = column(np.float64)  # week of the last contact
    lam: np.ndarray = column(np.float64)  # weekly decay rate
    informed: np.ndarray = column(np.bool_)  # they know each other's resources
    joint: np.ndarray = column(np.int32)  # cooperations done together
    born: np.ndarray = column(np.float64)  # week made
    alive: np.ndarray = column(np.bool_)
    mark: np.ndarray = column(np.int64)  # batch that last reinforced it
    origin: np.ndarray = column(np.int8)  # where it was made: BEFORE, OWN or PROGRAMME
    free: np.ndarray = column(np.int64)  # stack of freed slots
    counters: np.ndarray = column(np.int64, length=3)  # NEXT, FREED, STAMP


class Adjacency(NamedTuple):
    """One row per actor: its neighbours and the slots of those ties."""

    nbr: np.ndarray = column(np.int64, "width", fill=-1)
    nslot: np.ndarray = column(np.int64, "width", fill=-1)
    degree: np.ndarray = column(np.int64)


def weekly_decay(config: TiesConfig) -> tuple[float, float]:
    """Weekly decay rates of embedded ties (same sector, across sectors) from the monthly
    share lost."""
    months_per_week = 1 / WEEKS_PER_MONTH
    lam = -np.log(1.0 - config.decay_per_month) * months_per_week
    return float(lam), float(lam * config.cross_sector_decay_multiplier)


@fixed_kind
class DecayRates(NamedTuple):
    """Weekly decay rates: embedded ties within and across sectors, and the bridge factor
    (floats only, see `fixed_kind`)."""

    same: float
    cross: float
    bridge: float


@fixed_kind
class Contact(NamedTuple):
    """A batch of contacts: the strength it adds, a new tie's strength, its week, whether the
    pairs learn each other's resources, where new ties are made (`ORIGINS`), and what sets a
    new tie's decay rate (the actors' sectors, int8, and the rates). Made by `TieStore.batch`
    with these types only (a kernel call knows it by its class, see `fixed_kind`)."""

    gain: float
    new_strength: float
    t: float
    informed: bool
    origin: int
    sector: np.ndarray
    rates: DecayRates


# -- compiled: finding, strength, reinforcement --------------------------------------------


@kernel
def find(adj, i, j):
    """The slot of tie (i, j), or -1: a scan of the shorter adjacency row."""
    if adj.degree[i] > adj.degree[j]:
        i, j = j, i
    for p in range(adj.degree[i]):
        if adj.nbr[i, p] == j:
            return adj.nslot[i, p]
    return -1


@kernel
def slots_of(adj, pairs_i, pairs_j):
    """Slots of many pairs; -1 where there is no tie."""
    out = np.empty(len(pairs_i), dtype=np.int64)
    for x in range(len(pairs_i)):
        out[x] = find(adj, pairs_i[x], pairs_j[x])
    return out


@kernel
def strength(ties, s, t):
    """Strength of the tie in slot `s` at week `t` (lazy exponential decay)."""
    return ties.w0[s] * math.exp(-ties.lam[s] * (t - ties.t0[s]))


@kernel
def strengths_among(ties, adj, members, t):
    """The matrix of tie strengths now among `members` (distinct actors; 0 where there is no
    tie): each member's adjacency row is read once, its contacts among the members looked up
    by their position."""
    n = len(members)
    out = np.zeros((n, n))
    position = np.full(len(adj.degree), -1, dtype=np.int64)
    for x in range(n):
        position[members[x]] = x
    for x in range(n):
        i = members[x]
        for p in range(adj.degree[i]):
            y = position[adj.nbr[i, p]]
            if y > x:
                out[x, y] = out[y, x] = strength(ties, adj.nslot[i, p], t)
    return out


@kernel
def reinforce(ties, s, gain, t):
    """Contact: strength now plus `gain`, clipped to [0, 1]; the decay clock restarts."""
    ties.w0[s] = min(max(strength(ties, s, t) + gain, 0.0), 1.0)
    ties.t0[s] = t


@kernel
def common_neighbours(adj, i, j, mark):
    """How many actors both `i` and `j` have a tie with (`mark`: scratch, all -1, restored)."""
    for p in range(adj.degree[i]):
        mark[adj.nbr[i, p]] = i
    count = 0
    for p in range(adj.degree[j]):
        if mark[adj.nbr[j, p]] == i:
            count += 1
    for p in range(adj.degree[i]):
        mark[adj.nbr[i, p]] = -1
    return count


@kernel
def second_neighbours(adj, i):
    """The actors two steps from `i` (contacts of its contacts that are not its contacts, nor
    itself), each once, in index order."""
    mark = np.zeros(len(adj.degree), dtype=np.bool_)
    for p in range(adj.degree[i]):
        j = adj.nbr[i, p]
        for q in range(adj.degree[j]):
            mark[adj.nbr[j, q]] = True
    mark[i] = False
    for p in range(adj.degree[i]):
        mark[adj.nbr[i, p]] = False
    return np.flatnonzero(mark)


@kernel
def pair_rates(adj, sector, pairs_i, pairs_j, rates):
    """The decay rate a tie between each pair would have now (see the module docstring)."""
    out = np.empty(len(pairs_i))
    mark = np.full(len(adj.degree), -1, dtype=np.int64)
    for x in range(len(pairs_i)):
        i, j = pairs_i[x], pairs_j[x]
        out[x] = rates.same if sector[i] == sector[j] else rates.cross
        if common_neighbours(adj, i, j, mark) == 0:
            out[x] *= rates.bridge
    return out


@kernel
def review_rates(ties, adj, sector, t, rates, now):
    """Monthly: each live tie's rate is set from its embeddedness now, its strength so far
    carried over (`now`: each slot's strength at `t`, as `strength` gives it). Returns how
    many ties are bridges (no common contact of its two ends).

    Which ties are embedded is found first (`embedded_ties`); the rates are then set slot by
    slot."""
    embedded = embedded_ties(ties, adj)
    bridges = 0
    for s in range(len(embedded)):
        if not ties.alive[s]:
            continue
        lam = rates.same if sector[ties.a[s]] == sector[ties.b[s]] else rates.cross
        if not embedded[s]:
            lam *= rates.bridge
            bridges += 1
        if lam != ties.lam[s]:
            ties.w0[s] = now[s]
            ties.t0[s] = t
            ties.lam[s] = lam
    return bridges


BITSET_MOST = 4096
"""Up to this many actors with ties, `embedded_ties` compares bitsets of contacts."""


@kernel
def embedded_ties(ties, adj):
    """Whether each slot's tie has a common contact of its two ends (dead slots: False).

    Each tie is judged once, from its lower end `a`. With at most `BITSET_MOST` actors with
    ties, each actor's contacts are a bitset and a tie's ends share a contact when their
    bitsets overlap: no branch per contact, so faster than scanning, but a bitset grows with
    the number of actors. With more, `a`'s contacts are marked and its other end's row is
    scanned until a marked contact is met."""
    if np.count_nonzero(adj.degree) <= BITSET_MOST:
        return _embedded_by_bitsets(ties, adj)
    return _embedded_by_marks(ties, adj)


@kernel
def _embedded_by_bitsets(ties, adj):
    index = np.full(len(adj.degree), -1, dtype=np.int64)  # over the actors with ties
    n = 0
    for a in range(len(adj.degree)):
        if adj.degree[a] > 0:
            index[a] = n
            n += 1
    words = (n + 63) // 64
    bits = np.zeros((n, words), dtype=np.uint64)
    for a in range(len(adj.degree)):
        for p in range(adj.degree[a]):
            c = index[adj.nbr[a, p]]
            bits[index[a], c >> 6] |= np.uint64(1) << np.uint64(c & 63)
    embedded = np.zeros(ties.counters[NEXT], dtype=np.bool_)
    for a in range(len(adj.degree)):
        row = index[a]
        for p in range(adj.degree[a]):
            b = adj.nbr[a, p]
            if b < a:
                continue
            other = index[b]
            common = np.uint64(0)
            for w in range(words):
                common |= bits[row, w] & bits[other, w]
            embedded[adj.nslot[a, p]] = common != 0
    return embedded


@kernel
def _embedded_by_marks(ties, adj):
    embedded = np.zeros(ties.counters[NEXT], dtype=np.bool_)
    mark = np.full(len(adj.degree), -1, dtype=np.int64)
    for a in range(len(adj.degree)):
        for p in range(adj.degree[a]):
            mark[adj.nbr[a, p]] = a
        for p in range(adj.degree[a]):
            b = adj.nbr[a, p]
            if b < a:
                continue
            for q in range(adj.degree[b]):
                if mark[adj.nbr[b, q]] == a:
                    embedded[adj.nslot[a, p]] = True
                    break
    return embedded


@kernel
def reinforce_group(ties, adj, members, gain, t):
    """Every tie among `members` gains `gain` (clipped to [0, 1]) and counts one more joint
    project; pairs without a tie are skipped."""
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            s = find(adj, members[x], members[y])
            if s < 0:
                continue
            reinforce(ties, s, gain, t)
            ties.joint[s] += 1


# -- compiled: making and deleting ties -----------------------------------------------------


@kernel
def _attach(adj, i, j, s):
    p = adj.degree[i]
    adj.nbr[i, p] = j
    adj.nslot[i, p] = s
    adj.degree[i] = p + 1


@kernel
def _detach(adj, i, j):
    last = adj.degree[i] - 1
    for p in range(last + 1):
        if adj.nbr[i, p] == j:
            adj.nbr[i, p] = adj.nbr[i, last]
            adj.nslot[i, p] = adj.nslot[i, last]
            adj.nbr[i, last] = -1
            adj.degree[i] = last
            return


@kernel
def _new_slot(ties):
    if ties.counters[FREED] > 0:
        ties.counters[FREED] -= 1
        return ties.free[ties.counters[FREED]]
    ties.counters[NEXT] += 1
    return ties.counters[NEXT] - 1


@kernel
def contact_pairs(ties, adj, pairs_i, pairs_j, lam_of, start, how):
    """Pairs meet from position `start`: a tie reinforces once per batch (strength now plus
    `how.gain`, at most 1, clock restarted), strangers form a tie of `how.new_strength`, made in
    `how.origin`, decaying at `lam_of` (given per pair), or, when `lam_of` is empty, at the
    rate its embeddedness gives now (see the module docstring). A batch begins at `start` 0.
    Returns (new ties, where it stopped): it stops early when an actor's adjacency row is
    full or no slot is left (the last slot stays empty, see `TieStore.slots_of`), for the
    caller to make room and resume (`TieStore.resume`)."""
    gain, t, informed = how.gain, how.t, how.informed
    mark = np.full(len(adj.degree) if len(lam_of) == 0 else 0, -1, dtype=np.int64)
    if start == 0:
        ties.counters[STAMP] += 1
    stamp = ties.counters[STAMP]
    made = 0
    width = adj.nbr.shape[1]
    for x in range(start, len(pairs_i)):
        i, j = pairs_i[x], pairs_j[x]
        if i == j:
            continue
        s = find(adj, i, j)
        if s >= 0:
            if ties.mark[s] == stamp:
                continue
            ties.mark[s] = stamp
            reinforce(ties, s, gain, t)
            if informed:
                ties.informed[s] = True
            continue
        full = ties.counters[FREED] == 0 and ties.counters[NEXT] >= len(ties.a) - 1
        if full or adj.degree[i] == width or adj.degree[j] == width:
            return made, x
        s = _new_slot(ties)
        ties.a[s], ties.b[s] = min(i, j), max(i, j)
        if len(lam_of):
            lam = lam_of[x]
        else:
            same = how.sector[i] == how.sector[j]
            lam = how.rates.same if same else how.rates.cross
            if common_neighbours(adj, i, j, mark) == 0:
                lam *= how.rates.bridge
        ties.w0[s], ties.t0[s], ties.lam[s] = how.new_strength, t, lam
        ties.informed[s], ties.joint[s], ties.born[s] = informed, 0, t
        ties.origin[s] = how.origin
        ties.alive[s], ties.mark[s] = True, stamp
        _attach(adj, i, j, s)
        _attach(adj, j, i, s)
        made += 1
    return made, len(pairs_i)


@kernel
def remove_slots(ties, adj, slots):
    """Delete the ties in `slots` (dead or repeated slots are skipped)."""
    for s in slots:
        if not ties.alive[s]:
            continue
        ties.alive[s] = False
        _detach(adj, ties.a[s], ties.b[s])
        _detach(adj, ties.b[s], ties.a[s])
        ties.free[ties.counters[FREED]] = s
        ties.counters[FREED] += 1


@kernel
def remove_ties_of(ties, adj, i):
    """Delete every tie of actor `i`."""
    remove_slots(ties, adj, adj.nslot[i, : adj.degree[i]].copy())


@kernel
def prune_slots(ties, adj, t, below, max_ties, actors):
    """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties` (both judged
    on this moment's strengths, for all actors at once; of equally weak ties, those where the
    actor is the lower end go first, each in slot order). Returns each slot's strength before
    (0 for a dead slot) and whether its tie is still alive."""
    top = ties.counters[NEXT]
    now = np.zeros(top)
    keep = np.zeros(top, dtype=np.bool_)
    count = np.zeros(actors, dtype=np.int64)
    gone = np.empty(top, dtype=np.int64)
    g = 0
    for s in range(top):  # the weak ones first, in slot order
        if ties.alive[s]:
            now[s] = strength(ties, s, t)
            if now[s] >= below:
                keep[s] = True
                count[ties.a[s]] += 1
                count[ties.b[s]] += 1
            else:
                gone[g] = s
                g += 1
    weak, crowded = g, 0
    for x in range(actors):
        crowded += max(count[x] - max_ties, 0)
    gone = np.concatenate((gone[:weak], np.empty(crowded, dtype=np.int64)))
    mine = np.empty(adj.nbr.shape[1], dtype=np.int64)
    for x in range(actors):  # then each crowded actor's weakest
        if count[x] <= max_ties:
            continue
        n = 0
        for p in range(adj.degree[x]):
            s = adj.nslot[x, p]
            if keep[s]:
                mine[n] = s
                n += 1
        g = _weakest(mine[:n], x, now, ties.a, count[x] - max_ties, gone, g)
    for r in range(weak, g):  # the crowded actors' weakest
        keep[gone[r]] = False
    remove_slots(ties, adj, gone[:g])
    return now, keep


@kernel
def _weakest(slots, x, now, lower, r, gone, g):
    """Append to `gone` (from position `g`) the `r` weakest of actor `x`'s `slots` by their
    strength `now`, weakest first; of equals, those where `x` is the `lower` end first, each
    in slot order. Returns the new end of `gone`. (`slots` is reordered.)"""
    for q in range(r):
        best = q
        for c in range(q + 1, len(slots)):
            if _before(slots[c], slots[best], x, now, lower):
                best = c
        slots[q], slots[best] = slots[best], slots[q]
        gone[g] = slots[q]
        g += 1
    return g


@kernel
def _before(s, u, x, now, lower):
    """Whether slot `s` comes before slot `u` among actor `x`'s ties (see `_weakest`)."""
    if now[s] != now[u]:
        return now[s] < now[u]
    if (lower[s] == x) != (lower[u] == x):
        return lower[s] == x
    return s < u


@kernel
def upkeep(ties, adj, sector, t, below, max_ties, threshold, rates, rows, actors):
    """The monthly upkeep of the ties of the `rows` actors of the store: `prune_slots`, then
    `review_rates`; returns the number of bridges and, for each of the first `actors` actors,
    how many of its ties still alive were resilient (strength at least `threshold`) before
    the review."""
    now, keep = prune_slots(ties, adj, t, below, max_ties, rows)
    kept = np.zeros(actors, dtype=np.int64)
    for s in range(len(keep)):
        if keep[s] and now[s] >= threshold:
            for end in (ties.a[s], ties.b[s]):
                if end < actors:
                    kept[end] += 1
    return review_rates(ties, adj, sector, t, rates, now), kept


# -- the Python side ------------------------------------------------------------------------


KEPT_BATCHES = 16
"""The settings of contacts' batches a tie store keeps (`_how`): a week uses a few."""


class TieStore:
    """Sparse symmetric weighted ties with lazy decay, adjacency rows and degrees.

    `population` gives the actors' sectors (read when `meet` makes a tie, for its decay
    rate). Reading a slot array or adjacency array by name reads it from the bundles (`ties.w0`,
    `ties.degree`).
    """

    def __init__(
        self,
        config: TiesConfig | None = None,
        population: Population | None = None,
        capacity: int = 1024,
        width: int = 16,
    ) -> None:
        self.config = config if config is not None else TiesConfig()
        self.population = population
        self.lam_same, self.lam_cross = weekly_decay(self.config)
        self.rates = DecayRates(
            self.lam_same, self.lam_cross, float(self.config.bridge_decay_multiplier)
        )
        self.bridges = 0  # at the last monthly review
        self._hows: dict[tuple, Contact] = {}
        self.slots: Table[TieSlots] = Table(TieSlots, rows=max(capacity, 2))
        self.adjacency: Table[Adjacency] = Table(Adjacency, rows=0, width=width)

    def __getattr__(self, name: str) -> np.ndarray:
        if name in TieSlots._fields:
            return getattr(self.slots.data, name)
        if name in Adjacency._fields:
            return getattr(self.adjacency.data, name)
        raise AttributeError(name)

    # -- bookkeeping -------------------------------------------------------------------------
    @property
    def actors(self) -> int:
        return self.adjacency.size

    def add_actors(self, count: int) -> None:
        """Make room in the adjacency rows for `count` more actors."""
        self.adjacency.reserve(count)

    def __len__(self) -> int:
        counters = self.slots.data.counters
        return int(counters[NEXT] - counters[FREED])

    def _room_for(self, count: int) -> None:
        """Enough slots for `count` new ties; the last slot stays empty (see `slots_of`)."""
        self.slots.ensure(int(self.slots.data.counters[NEXT]) + count + 1)

    def live_slots(self) -> np.ndarray:
        """Indices of the slots that hold a tie."""
        return self.slots.data.alive[: self.slots.data.counters[NEXT]].nonzero()[0]

    def _sectors(self) -> np.ndarray:
        if self.population is not None:
            return self.population.data.sector
        return np.zeros(self.adjacency.rows, dtype=np.int8)  # without actors: one sector

    def _how(
        self, gain: float, new_strength: float, t: float, informed: bool, origin: int
    ) -> Contact:
        """The batch's settings; the same object for the same settings while the actors'
        sectors stay where they are (a kernel then knows it at once). Kept for the latest few
        settings."""
        sectors, key = self._sectors(), (gain, new_strength, t, informed, origin)
        how = self._hows.get(key)
        if how is None or how.sector is not sectors:
            if len(self._hows) >= KEPT_BATCHES:
                self._hows.clear()
            how = Contact(
                float(gain),
                float(new_strength),
                float(t),
                bool(informed),
                int(origin),
                sectors,
                self.rates,
            )
            self._hows[key] = how
        return how

    def decay_rates(self, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Weekly decay rate a tie between each pair would have now: faster across sectors
        and for bridges."""
        return pair_rates(
            self.adjacency.data,
            self._sectors(),
            np.asarray(pairs_i, dtype=np.int64),
            np.asarray(pairs_j, dtype=np.int64),
            self.rates,
        )

    # -- reading -----------------------------------------------------------------------------
    def strength(self, slots: np.ndarray | int, t: float) -> np.ndarray | float:
        """Current strength of the ties in `slots` at week `t` (see `strength` above)."""
        return self.w0[slots] * np.exp(-self.lam[slots] * (t - self.t0[slots]))

    def contacts_of(self, i: int) -> np.ndarray:
        """The actors `i` has a tie with (a copy, in adjacency order)."""
        adj = self.adjacency.data
        return adj.nbr[i, : adj.degree[i]].copy()

    def slot(self, i: int, j: int) -> int:
        """The slot of tie (i, j), or -1 when they have none."""
        return int(find(self.adjacency.data, i, j))

    def slots_of(self, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
        """Slots of many pairs at once; -1 where there is no tie.

        The last slot of the arrays is never used, so reading slot -1 gives an empty tie:
        strength 0, not informed, no joint work.
        """
        return slots_of(
            self.adjacency.data,
            np.asarray(pairs_i, dtype=np.int64),
            np.asarray(pairs_j, dtype=np.int64),
        )

    def second_neighbours(self, i: int) -> np.ndarray:
        """The contacts of `i`'s contacts that are not its own contacts (nor `i`)."""
        return second_neighbours(self.adjacency.data, int(i))

    def strengths_among(self, members: np.ndarray, t: float) -> np.ndarray:
        """Tie strengths now among `members`, as a symmetric matrix (0: no tie)."""
        return strengths_among(
            self.slots.data, self.adjacency.data, np.asarray(members, dtype=np.int64), float(t)
        )

    def strongest_contact(self, i: int, t: float, eligible: np.ndarray | None = None) -> int:
        """The contact of `i` with the strongest tie now, or -1; with `eligible` (a mask over
        actors) only among those. Of equally strong ties, the first in adjacency order."""
        contacts = self.contacts_of(i)
        if eligible is not None and len(contacts):
            contacts = contacts[eligible[contacts]]
        if not len(contacts):
            return -1
        now = self.strength(self.slots_of(np.full(len(contacts), i), contacts), t)
        return int(contacts[np.argmax(now)])

    # -- writing -----------------------------------------------------------------------------
    def meet(
        self,
        pairs_i: np.ndarray,
        pairs_j: np.ndarray,
        gain: float,
        t: float,
        informed: bool = True,
        origin: int = OWN,
    ) -> int:
        """Pairs have contact in week `t`: ties reinforce by `gain` or form (made in `origin`;
        before week 0 always BEFORE). Returns the number of new ties."""
        pairs_i = np.asarray(pairs_i, dtype=np.int64)
        pairs_j = np.asarray(pairs_j, dtype=np.int64)
        return self.contact(pairs_i, pairs_j, self.batch(gain, t, informed, origin), NO_RATES)

    def batch(
        self,
        gain: float,
        t: float,
        informed: bool = True,
        origin: int = OWN,
        new_strength: float | None = None,
    ) -> Contact:
        """The settings of a batch of contacts in week `t` (see `meet`; new ties of
        `ties.new_tie_strength` unless given), for `contact`, for a kernel that makes the
        contacts itself (`contact_pairs`) and `resume`."""
        strength = self.config.new_tie_strength if new_strength is None else new_strength
        return self._how(gain, strength, t, informed, BEFORE if t <= 0 else origin)

    def create(
        self, i: int, j: int, strength: float, t: float, lam: float, informed: bool = False
    ) -> int:
        """Make a new tie (i, j) and return its slot; the pair must not have one."""
        how = self.batch(0.0, t, informed, new_strength=strength)
        self.contact(np.array([i]), np.array([j]), how, np.array([lam]))
        return self.slot(i, j)

    def contact(
        self, pairs_i: np.ndarray, pairs_j: np.ndarray, how: Contact, lam_of: np.ndarray
    ) -> int:
        """Pairs meet: known pairs reinforce (once, however often they appear), strangers form
        a tie. Returns new ties made."""
        if len(pairs_i) == 0:
            return 0
        lam_of = np.asarray(lam_of, dtype=np.float64)
        made, start = contact_pairs(
            self.slots.data, self.adjacency.data, pairs_i, pairs_j, lam_of, 0, how
        )
        return made + self.resume(pairs_i, pairs_j, how, lam_of, start)

    def resume(
        self, pairs_i: np.ndarray, pairs_j: np.ndarray, how: Contact, lam_of: np.ndarray, at: int
    ) -> int:
        """Finish a batch of contacts that `contact_pairs` stopped at position `at` for want
        of room: more slots, wider adjacency rows. Returns the further new ties."""
        made = 0
        while at < len(pairs_i):
            self._room_for(len(pairs_i) - at)
            width = self.adjacency.data.nbr.shape[1]
            if width in (self.degree[pairs_i[at]], self.degree[pairs_j[at]]):
                self.adjacency.widen("width")
            new, at = contact_pairs(
                self.slots.data, self.adjacency.data, pairs_i, pairs_j, lam_of, at, how
            )
            made += new
        return made

    def remove(self, slots: np.ndarray) -> None:
        """Delete the ties in `slots`."""
        remove_slots(self.slots.data, self.adjacency.data, np.asarray(slots, dtype=np.int64))

    def remove_actor(self, i: int) -> None:
        """Delete every tie of actor `i`."""
        remove_ties_of(self.slots.data, self.adjacency.data, i)

    def prune(self, t: float, below: float, max_ties: int) -> tuple[np.ndarray, np.ndarray]:
        """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties`.

        Both are judged on this moment's strengths, for all actors at once (a tie that is
        among the weakest of either end goes). Returns the slots still alive and their
        strengths now (compiled: `prune_slots`).
        """
        now, keep = prune_slots(
            self.slots.data, self.adjacency.data, float(t), below, max_ties, self.actors
        )
        live = np.flatnonzero(keep)
        return live, now[live]

    def monthly_upkeep(self, t: float, actors: int) -> np.ndarray:
        """Prune (see `prune`), set each tie's decay rate from its embeddedness
        (`review_rates`), and return the weekly hours each of the first `actors` actors spends
        keeping its resilient ties."""
        c = self.config
        bridges, kept = upkeep(
            self.slots.data,
            self.adjacency.data,
            self.population.sector,
            float(t),
            c.prune_below,
            c.max_ties,
            c.resilient_threshold,
            self.rates,
            self.actors,
            actors,
        )
        self.bridges = int(bridges)
        return kept * c.upkeep_hours
