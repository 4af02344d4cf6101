"""Fixed meeting structures: forum, café, round table (M3, M9).

Each meeting format is a recurring Mesa event. At a meeting, invited actors with time come
(more likely when engaged and close to the host), up to the capacity; each attendee talks to a
few others: strangers become acquainted (focal closure, Feld 1981), acquaintances grow closer,
and both learn each other's resources. Where the format has exchange on neighbourhood
development, attendees leave inspired, which raises their chance of a project idea.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.time import Schedule

from simulation.compiled import kernel
from simulation.config import COOPERATION_TYPES, TIME, WEEKS_PER_YEAR, MeetingFormat
from simulation.population import SECTOR_CODE
from simulation.streams import generator
from simulation.ties import OWN, PROGRAMME, strength, strengths_among

LIGHT_INFORMAL = COOPERATION_TYPES.index("light_informal")

if TYPE_CHECKING:
    from mesa.time import EventGenerator

    from simulation.model import NeighbourhoodModel


class MeetingStructure:
    """One meeting format of a scenario, scheduled as a recurring event."""

    def __init__(self, model: NeighbourhoodModel, spec: MeetingFormat) -> None:
        self.model = model
        self.spec = spec
        self.host_role = spec.host
        self.held = 0
        self.attendance_total = 0
        self.new_ties_total = 0
        invited = np.zeros(len(SECTOR_CODE), dtype=bool)
        if spec.invited == "all":
            invited[:] = True
        else:
            invited[[SECTOR_CODE[name] for name in spec.invited]] = True
        self.invited_sectors = invited
        self._events: EventGenerator | None = None

    def schedule(self) -> None:
        """Register the recurring event from start to end (in weeks)."""
        start = max(1.0, self.spec.start_year * WEEKS_PER_YEAR + 1)
        end = None if self.spec.end_year is None else self.spec.end_year * WEEKS_PER_YEAR
        if end is not None and end < start:
            return
        self._events = self.model.schedule_recurring(
            self.hold, Schedule(interval=self.spec.interval_weeks, start=start, end=end)
        )

    def resume(self, end_week: float) -> None:
        """Meetings of this format again, from next week to `end_week` (a programme that
        funds it again)."""
        if self._events is None:
            start = self.model.week + 1
            self._events = self.model.schedule_recurring(
                self.hold, Schedule(interval=self.spec.interval_weeks, start=start, end=end_week)
            )

    def stop(self) -> None:
        """No more meetings of this format (e.g. the programme that paid for it ended)."""
        if self._events is not None:
            self._events.stop()
            self._events = None

    def origin(self) -> int:
        """Where ties made here come from: the programme's, while it funds this meeting."""
        return PROGRAMME if self.spec.programme and self.model.programme.funded else OWN

    def hand_to(self, role: str) -> None:
        """Someone else hosts it from now on (`qm`, `initiative`, `catalyst`, `anchor` or
        `coordinator`)."""
        self.host_role = role

    @property
    def running(self) -> bool:
        return self._events is not None

    def hold(self) -> None:
        """One meeting: who comes, who meets whom, what they learn."""
        m, spec = self.model, self.spec
        host = m.host_of(self.host_role)
        if host < 0:
            return
        attendees = self._attendees(host)
        if len(attendees) < 2:
            return
        self.held += 1
        m.note("meeting", host, spec.name)
        self.attendance_total += len(attendees)
        gain = m.config.cooperation.inspiration_gain if spec.exchange else 0.0
        m.state.attend(attendees, spec.hours, m.week, spec.formal, gain)
        self.new_ties_total += self._conversations(attendees)
        if spec.formal:
            self.new_ties_total += self._introductions(attendees)
        if spec.spontaneous_ideas > 0:
            self._spontaneous_ideas(attendees)

    def _attendees(self, host: int) -> np.ndarray:
        """Invited actors with time who decide to come, at most `capacity`, host included."""
        m, spec = self.model, self.spec
        attendees, host_comes = attendance(
            m.state.data,
            m.ties.slots.data,
            m.ties.adjacency.data,
            m.state.size,
            float(m.week),
            self.invited_sectors,
            spec.hours,
            spec.attendance,
            host,
            m.stream,
        )
        if len(attendees) > spec.capacity:
            others = attendees[attendees != host]
            keep = m.rng.choice(others, size=spec.capacity - 1, replace=False)
            attendees = (
                np.sort(np.append(keep, host))
                if host_comes
                else np.sort(m.rng.choice(attendees, size=spec.capacity, replace=False))
            )
        return attendees

    def _conversations(self, attendees: np.ndarray) -> int:
        """Each attendee talks to a few others, more likely to those it knows (`familiarity`)
        and, at informal meetings, to its own sector (`homophily`); returns the number of new
        acquaintances."""
        m, spec = self.model, self.spec
        if spec.contacts_per_attendee == 0:
            return 0
        speaker, listener = conversations(
            m.ties.slots.data,
            m.ties.adjacency.data,
            attendees,
            m.state.data.sector,
            float(m.week),
            spec.familiarity,
            spec.homophily,
            spec.contacts_per_attendee,
            m.stream,
        )
        gain = m.config.ties.meeting_gain * spec.tie_gain_factor
        return m.ties.meet(
            speaker, listener, gain=gain, t=m.week, informed=spec.informs, origin=self.origin()
        )

    def _introductions(self, attendees: np.ndarray) -> int:
        """The host introduces up to `introductions` pairs of attendees from different sectors
        who do not know each other (formal meetings: cross-sector invitations, moderation;
        compiled: `strangers_across`)."""
        m = self.model
        count = self.spec.introductions
        if count == 0:
            return 0
        i, j = strangers_across(
            m.ties.slots.data,
            m.ties.adjacency.data,
            attendees,
            m.state.data.sector,
            float(m.week),
        )
        if not len(i):
            return 0
        chosen = m.rng.choice(len(i), size=min(count, len(i)), replace=False)
        return m.ties.meet(
            attendees[i[chosen]],
            attendees[j[chosen]],
            gain=m.config.ties.meeting_gain,
            t=m.week,
            informed=True,
            origin=self.origin(),
        )

    def _spontaneous_ideas(self, attendees: np.ndarray) -> None:
        """At an informal meeting some attendees with time and room start a light, informal
        project on the spot (a light informal idea; compiled: `spontaneous_starters`)."""
        m = self.model
        starters = spontaneous_starters(
            m.state.data,
            attendees,
            m.config.cooperation.min_spare_hours,
            self.spec.spontaneous_ideas,
            m.stream,
        )
        if len(starters):
            m.cooperations.propose_many(starters, kinds=np.full(len(starters), LIGHT_INFORMAL))


# -- compiled ---------------------------------------------------------------------------------


@kernel
def conversations(ties, adj, attendees, sector, t, familiarity, homophily, per_attendee, source):
    """Whom each attendee talks to: `per_attendee` others, each drawn (a uniform from the
    model's stream) with weight 1 + `familiarity` × tie strength now + `homophily` if of
    the same sector. Returns (speaker, listener), the speakers in attendance order."""
    n = len(attendees)
    weight = strengths_among(ties, adj, attendees, t)
    cumulative = np.empty((n, n))
    for x in range(n):
        total = 0.0  # a running sum, as numpy's cumsum (0 + w is w exactly)
        for y in range(n):
            w = 1.0 + familiarity * weight[x, y]
            w += homophily * (1.0 if sector[attendees[x]] == sector[attendees[y]] else 0.0)
            total += 0.0 if x == y else w
            cumulative[x, y] = total
    draws = generator(source).random(n * per_attendee)
    speaker = np.empty(n * per_attendee, dtype=np.int64)
    listener = np.empty(n * per_attendee, dtype=np.int64)
    for x in range(n):
        for c in range(per_attendee):
            draw = draws[x * per_attendee + c] * cumulative[x, n - 1]
            picked = 0
            for y in range(n):
                picked += cumulative[x, y] <= draw
            speaker[x * per_attendee + c] = attendees[x]
            listener[x * per_attendee + c] = attendees[picked]
    return speaker, listener


@kernel
def attendance(actors, ties, adj, n, t, invited_sectors, hours, rate, host, source):
    """Who comes, of the first `n` actors: invited (active, engaged, of an invited sector)
    with `hours` of time, and a uniform from the model's stream (one per actor) below `rate` ×
    (0.5 + engagement) × (0.5 + closeness to the host: the strength of their tie in week `t`,
    0 without one); the host comes if it has the time. Returns those who come, in index
    order, and whether the host does."""
    closeness = np.zeros(n)
    for p in range(adj.degree[host]):
        closeness[adj.nbr[host, p]] = strength(ties, adj.nslot[host, p], t)
    draws = generator(source).random(n)
    comes = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        invited = actors.active[i] and actors.engaged[i] and invited_sectors[actors.sector[i]]
        if invited and actors.stock[i, TIME] >= hours:
            comes[i] = draws[i] < rate * (0.5 + actors.engagement[i]) * (0.5 + closeness[i])
    comes[host] = actors.stock[host, TIME] >= hours
    return np.flatnonzero(comes), comes[host]


@kernel
def strangers_across(ties, adj, attendees, sector, t):
    """The pairs of attendees (positions x < y, row by row) from different sectors without a
    tie now (strength 0 in week `t`)."""
    known = strengths_among(ties, adj, attendees, t)
    n = len(attendees)
    pairs_i = np.empty(n * (n - 1) // 2, dtype=np.int64)
    pairs_j = np.empty_like(pairs_i)
    found = 0
    for x in range(n):
        for y in range(x + 1, n):
            if not known[x, y] > 0 and sector[attendees[x]] != sector[attendees[y]]:
                pairs_i[found], pairs_j[found] = x, y
                found += 1
    return pairs_i[:found], pairs_j[:found]


@kernel
def spontaneous_starters(actors, attendees, min_spare, chance, source):
    """The attendees with room for a cooperation and `min_spare` hours whose uniform (one
    per attendee, from the model's stream) is below `chance`, in attendance order."""
    draws = generator(source).random(len(attendees))
    starters = np.empty(len(attendees), dtype=np.int64)
    n = 0
    for x in range(len(attendees)):
        a = attendees[x]
        room = actors.load[a] < actors.capacity[a]
        if room and actors.stock[a, TIME] >= min_spare and draws[x] < chance:
            starters[n] = a
            n += 1
    return starters[:n]
