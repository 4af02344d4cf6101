"""Everyday contact: neighbours, school gates, shops, shared foci — outside meetings and projects
(M2, M3).

Ties and acquaintance are not only made at meetings and in cooperations. Each week active
actors (engaged or not) start Poisson(`everyday.contacts_per_week`) contacts each. With chance
`everyday.closure_share` the partner is a friend of a friend — cyclic (triadic) closure — and
otherwise someone who shares a focus with the actor: the same sector (neighbours, colleagues)
or a topic of interest (Feld 1981: social foci; Kossinets & Watts 2006 and Kumpula et al. 2007
model both closures). A contact reinforces a tie by `everyday.gain` or makes a weak one
(`ties.new_tie_strength`); it costs no time (it is part of everyday life) and does not reveal
resources and potentials (`informed` stays false: that needs a meeting, an introduction or
joint work). The rates have no empirical source for neighbourhoods: parameters for
calibration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.compiled import kernel
from simulation.streams import generator, poisson
from simulation.ties import NO_RATES, contact_pairs

if TYPE_CHECKING:
    from simulation.model import NeighbourhoodModel

FOCUS_TRIES = 8
"""Random actors looked at to find one who shares a focus (no contact if none does)."""


def contacts(model: NeighbourhoodModel) -> int:
    """This week's everyday contacts; returns the number of new acquaintances."""
    c = model.config.everyday
    if c.contacts_per_week <= 0:
        return 0
    ties = model.ties
    how = ties.batch(c.gain, model.week, informed=False)
    pairs_i, pairs_j, made, stopped = everyday_week(
        ties.slots.data,
        ties.adjacency.data,
        model.state.data,
        model.state.size,
        c.contacts_per_week,
        c.closure_share,
        how,
        model.stream,
    )
    return made + ties.resume(pairs_i, pairs_j, how, NO_RATES, stopped)


@kernel
def everyday_week(ties, adj, actors, size, per_actor, closure_share, how, source):
    """The week's contacts, drawn from the model's stream: how many (Poisson, mean
    `per_actor` × the active actors among the first `size`), each initiator one of them drawn
    at random, their partners (`everyday_pairs`), and the contacts themselves
    (`contact_pairs`, batch `how`). Returns the pairs, the new ties and where the contacts
    stopped for want of room."""
    active = np.flatnonzero(actors.active[:size])
    draw = generator(source)
    count = poisson(draw, per_actor * len(active))
    if count == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), 0, 0
    initiators = active[draw.integers(0, len(active), count)]
    uniform = draw.random(count * (3 + FOCUS_TRIES)).reshape((count, 3 + FOCUS_TRIES))
    pairs_i, pairs_j = everyday_pairs(adj, actors, size, initiators, uniform, closure_share)
    if len(pairs_i) == 0:
        return pairs_i, pairs_j, 0, 0
    made, stopped = contact_pairs(ties, adj, pairs_i, pairs_j, np.zeros(0), 0, how)
    return pairs_i, pairs_j, made, stopped


@kernel
def everyday_pairs(adj, actors, size, initiators, uniform, closure_share):
    """A partner for each initiator: a friend of a friend (with `closure_share`, when there is
    one), else the first of a few random active actors who shares its sector or a topic."""
    pairs_i = np.empty(len(initiators), dtype=np.int64)
    pairs_j = np.empty(len(initiators), dtype=np.int64)
    made = 0
    for x in range(len(initiators)):
        i = initiators[x]
        u = uniform[x]
        partner = -1
        if u[0] < closure_share and adj.degree[i] > 0:
            j = adj.nbr[i, int(u[1] * adj.degree[i])]
            if adj.degree[j] > 0:
                k = adj.nbr[j, int(u[2] * adj.degree[j])]
                if k != i and actors.active[k]:
                    partner = k
        else:
            for t in range(3, len(u)):
                a = int(u[t] * size)
                if a == i or not actors.active[a]:
                    continue
                shared = actors.sector[a] == actors.sector[i]
                for topic in range(actors.interests.shape[1]):
                    shared = shared or (actors.interests[a, topic] and actors.interests[i, topic])
                if shared:
                    partner = a
                    break
        if partner >= 0:
            pairs_i[made], pairs_j[made] = i, partner
            made += 1
    return pairs_i[:made], pairs_j[:made]
