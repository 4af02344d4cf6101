"""Recruiting partners: the weekly pass of every cooperation in formation (M4).

Candidates are the contacts of a cooperation's members who are active, free, have spare time
and are not members. Their weights are computed for all forming cooperations as the pass
begins: tie strength to the initiator, the share of members the candidate knows, whether it
fills a resource gap the initiator knows of, same sector and interest in the topic (Guimerà
et al. 2005; Gulati & Gargiulo 1999; Powell et al. 2005). The asks then run cooperation by
cooperation, up to `cooperation.candidates` each; an asked actor accepts or declines, and one
who became busy says no. The ties that joining creates are made in one batch at the end.

Each ask draws its pool as Guimerà's model does: incumbents with probability p (among them
previous partners of the initiator with probability q), newcomers otherwise, all candidates
when that pool is empty; it then picks one candidate of the pool with probability
proportional to its weight. Done exactly: candidates are split into three groups (repeat
incumbents, other incumbents, newcomers), each ordered by exponential keys E/weight,
E ~ Exp(1) (weighted sampling without replacement, Efraimidis & Spirakis 2006); an ask picks
a group in proportion to the weight it has left and takes that group's candidate with the
lowest key not yet taken (found by a scan, since a cooperation asks only a few).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation.compiled import kernel
from simulation.config import TIME, CooperationConfig
from simulation.streams import generator
from simulation.ties import NO_RATES, contact_pairs, strength

if TYPE_CHECKING:
    from simulation.cooperations import CooperationBook

REPEAT, INCUMBENT, NEWCOMER = range(3)
"""Candidate pools: previous partners of the initiator, other incumbents, newcomers."""


class RecruitRules(NamedTuple):
    """The recruiting settings of `cooperation.*`."""

    asks: int  # candidates asked per cooperation and week
    incumbent_share: float  # Guimerà's p
    repeat_bias: float  # Guimerà's q
    min_spare: float  # hours a candidate must have
    weights: np.ndarray  # tie, shared, complement, sector, topic
    anyone: bool  # candidates are all actors (the team-assembly model), not the members' contacts


class Candidates(NamedTuple):
    """This week's candidates of all forming cooperations, grouped by cooperation."""

    owner: np.ndarray  # position of its cooperation in the pass
    actor: np.ndarray
    weight: np.ndarray  # partner-choice weight
    accept: np.ndarray  # chance to accept when asked
    group: np.ndarray  # REPEAT, INCUMBENT or NEWCOMER


def rules(c: CooperationConfig) -> RecruitRules:
    weights = np.array(
        [c.weight_tie, c.weight_shared, c.weight_complement, c.weight_sector, c.weight_topic]
    )
    return RecruitRules(
        c.candidates,
        c.incumbent_share,
        c.repeat_bias,
        c.min_spare_hours,
        weights,
        c.partner_search == "anyone",
    )


def recruit(book: CooperationBook, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One pass of the cooperations `ids` (all in formation): ask, join, make the ties.
    Returns those that start and those abandoned (`formation_ends`)."""
    m = book.model
    how = m.ties.batch(0.0, m.week)
    pairs_i, pairs_j, stopped, starting, abandoned = recruiting_pass(
        book.data,
        m.state.data,
        m.ties.slots.data,
        m.ties.adjacency.data,
        ids,
        float(m.week),
        book.recruiting,
        book.types.partners,
        how,
        m.stream,
    )
    m.ties.resume(pairs_i, pairs_j, how, NO_RATES, stopped)
    return starting, abandoned


# -- compiled ---------------------------------------------------------------------------------


@kernel
def recruiting_pass(book, actors, ties, adj, ids, week, rules, partners, how, source):
    """The candidates (`pool`), the asks (`ask`), drawing from the model's stream one
    standard exponential per candidate and four uniforms per possible ask, the new members'
    contacts with the others (`contact_pairs`, batch `how`) and the end of formation
    (`formation_ends` with `partners`). Returns the pairs (new member, earlier member), where
    their contacts stopped for want of room, and the cooperations that start and those
    abandoned."""
    owner, actor, weight, accept, group = pool(book, actors, ties, adj, ids, week, rules)
    found = Candidates(owner, actor, weight, accept, group)
    draw = generator(source)
    exponential = draw.standard_exponential(len(actor))
    uniform = draw.random(4 * rules.asks * len(ids))
    pairs_i, pairs_j = ask(book, actors, ids, found, rules, week, exponential, uniform)
    stopped = len(pairs_i)
    if len(pairs_i):
        stopped = contact_pairs(ties, adj, pairs_i, pairs_j, np.zeros(0), 0, how)[1]
    starting, abandoned = formation_ends(book, ids, partners)
    return pairs_i, pairs_j, stopped, starting, abandoned


@kernel
def formation_ends(book, ids, partners):
    """After a recruiting pass of the forming cooperations `ids`: a week of formation less
    for those short of their target; returns (in the order of `ids`) those that start — with
    their target, or out of time with at least their type's minimum (`partners[kind, 0]`) —
    and those abandoned (out of time with fewer)."""
    starting = np.empty(len(ids), dtype=np.int64)
    abandoned = np.empty(len(ids), dtype=np.int64)
    n_starting = n_abandoned = 0
    for pos in range(len(ids)):
        k = ids[pos]
        found = book.n_members[k] - 1
        ready = found >= book.target[k]
        if not ready:
            book.forming_left[k] -= 1
        expired = not ready and book.forming_left[k] <= 0
        if ready or (expired and found >= partners[book.kind[k], 0]):
            starting[n_starting] = k
            n_starting += 1
        elif expired:
            abandoned[n_abandoned] = k
            n_abandoned += 1
    return starting[:n_starting], abandoned[:n_abandoned]


@kernel
def candidates(book, actors, adj, ids, min_spare):
    """Every forming cooperation's candidates: contacts of its members who are active,
    engaged, free, have spare time (all judged once, as the pass begins) and are not members,
    with how many members each knows. Returns (owner as a position in ids, actor, links),
    grouped by cooperation, each cooperation's in the order its members' rows meet them."""
    bound = 0
    for pos in range(len(ids)):
        k = ids[pos]
        for m in range(book.n_members[k]):
            bound += adj.degree[book.roster[k, m]]
    owner = np.empty(bound, dtype=np.int64)
    actor = np.empty(bound, dtype=np.int64)
    links = np.empty(bound, dtype=np.float64)
    able = np.empty(len(actors.active), dtype=np.bool_)
    for x in range(len(able)):
        free = actors.load[x] < actors.capacity[x]
        able[x] = actors.active[x] and actors.engaged[x] and free
        able[x] = able[x] and actors.stock[x, TIME] >= min_spare
    count = np.where(able, 0, -1)  # members met so far; -1: not a candidate
    n = 0
    for pos in range(len(ids)):
        k = ids[pos]
        first = n
        members = book.roster[k, : book.n_members[k]]
        for m in range(len(members)):
            count[members[m]] = -1
        for m in range(len(members)):
            member = members[m]
            for p in range(adj.degree[member]):
                x = adj.nbr[member, p]
                if count[x] < 0:
                    continue
                if count[x] == 0:
                    owner[n], actor[n] = pos, x
                    n += 1
                count[x] += 1
        for c in range(first, n):
            links[c] = count[actor[c]]
            count[actor[c]] = 0
        for m in range(len(members)):
            count[members[m]] = 0 if able[members[m]] else -1
    return owner[:n], actor[:n], links[:n]


@kernel
def anyone(book, actors, adj, ids, min_spare):
    """Like `candidates`, but every engaged, active, free actor with spare time who is not a
    member is a candidate, whether or not a member knows it (partner search among all actors,
    as in the team-assembly model)."""
    n = len(actors.active)
    owner = np.empty(n * len(ids), dtype=np.int64)
    actor = np.empty(n * len(ids), dtype=np.int64)
    links = np.empty(n * len(ids), dtype=np.float64)
    count = np.zeros(n, dtype=np.int64)
    c = 0
    for pos in range(len(ids)):
        k = ids[pos]
        for m in range(book.n_members[k]):
            count[book.roster[k, m]] = -1
        for m in range(book.n_members[k]):
            member = book.roster[k, m]
            for p in range(adj.degree[member]):
                if count[adj.nbr[member, p]] >= 0:
                    count[adj.nbr[member, p]] += 1
        for x in range(n):
            free = actors.load[x] < actors.capacity[x]
            able = actors.active[x] and actors.engaged[x] and free and count[x] >= 0
            if able and actors.stock[x, TIME] >= min_spare:
                owner[c], actor[c], links[c] = pos, x, count[x]
                c += 1
        count[:] = 0
    return owner[:c], actor[:c], links[:c]


@kernel
def pool(book, actors, ties, adj, ids, week, rules):
    """The candidates of all forming cooperations (see `candidates`) with their weights,
    chances to accept and pools (see `score`): the fields of `Candidates`."""
    if rules.anyone:
        owner, actor, links = anyone(book, actors, adj, ids, rules.min_spare)
    else:
        owner, actor, links = candidates(book, actors, adj, ids, rules.min_spare)
    weight, accept, group = score(
        book, actors, ties, adj, ids, owner, actor, links, week, rules.weights
    )
    return owner, actor, weight, accept, group


@kernel
def score(book, actors, ties, adj, ids, owner, actor, links, week, weights):
    """Each candidate's partner-choice weight, chance to accept, and pool."""
    n = len(actor)
    weight = np.empty(n)
    accept = np.empty(n)
    group = np.empty(n, dtype=np.int64)
    have = np.zeros(actors.income.shape[1])
    slot_of = np.full(len(actors.active), -1, dtype=np.int64)  # the lead's tie to each actor
    c = 0
    for pos in range(len(ids)):
        k = ids[pos]
        have[:] = 0.0
        for m in range(book.n_members[k]):
            have += actors.income[book.roster[k, m]]
        have /= book.n_members[k]
        n_needed = 0
        for r in range(book.need.shape[1]):
            n_needed += book.need[k, r] > 0
        lead = book.initiator[k]
        for p in range(adj.degree[lead]):
            slot_of[adj.nbr[lead, p]] = adj.nslot[lead, p]
        while c < n and owner[c] == pos:
            x = actor[c]
            s = slot_of[x]
            w = strength(ties, s, week) if s >= 0 else 0.0
            repeat = s >= 0 and ties.joint[s] > 0
            gaps = 0
            for r in range(book.need.shape[1]):
                gaps += book.need[k, r] > 0 and actors.income[x, r] > have[r]
            complement = gaps / max(n_needed, 1) if s >= 0 and ties.informed[s] else 0.0
            interested = actors.interests[x, book.topic[k]]
            weight[c] = (
                weights[0] * w
                + weights[1] * links[c] / book.n_members[k]
                + weights[2] * complement
                + weights[3] * (actors.sector[x] == actors.sector[lead])
                + weights[4] * interested
                + 1e-3
            )
            accept[c] = actors.engagement[x] * (0.5 + w) * (1.0 if interested else 0.5)
            group[c] = (REPEAT if repeat else INCUMBENT) if actors.joined[x] > 0 else NEWCOMER
            c += 1
        for p in range(adj.degree[lead]):
            slot_of[adj.nbr[lead, p]] = -1
    return weight, accept, group


@kernel
def ask(book, actors, ids, found, rules, week, exponential, uniform):
    """Up to `rules.asks` asks per cooperation, Guimerà's pools drawn exactly (see the module
    docstring). An accepting actor with free capacity joins in place; returns the pairs (new
    member, earlier member). Random numbers: one standard exponential per candidate, up to
    four uniforms per ask (used in turn)."""
    n = len(found.actor)
    key = exponential / found.weight
    blocks = 3 * len(ids)  # block owner * 3 + group: one pool of one cooperation
    bounds = np.zeros(blocks + 1, dtype=np.int64)
    rest = np.zeros(blocks)
    for c in range(n):
        bounds[found.owner[c] * 3 + found.group[c] + 1] += 1
        rest[found.owner[c] * 3 + found.group[c]] += found.weight[c]
    bounds = np.cumsum(bounds)
    order = np.empty(n, dtype=np.int64)
    filled = bounds[:blocks].copy()
    for c in range(n):  # by block, keeping candidate order within a block
        block = found.owner[c] * 3 + found.group[c]
        order[filled[block]] = c
        filled[block] += 1
    taken = np.zeros(n, dtype=np.bool_)
    roster, size = book.roster, book.n_members
    pairs_i = np.empty(len(ids) * rules.asks * roster.shape[1], dtype=np.int64)
    pairs_j = np.empty_like(pairs_i)
    made, u = 0, 0
    head = np.empty(3, dtype=np.int64)
    open_ = np.empty(3, dtype=np.int64)
    asked = np.empty(3, dtype=np.int64)
    for pos in range(len(ids)):
        k = ids[pos]
        base = 3 * pos
        head[:] = bounds[base : base + 3]
        for _ in range(rules.asks):
            if size[k] - 1 >= book.target[k]:
                break
            n_open = 0
            for g in range(3):
                if head[g] < bounds[base + g + 1]:
                    open_[n_open] = g
                    n_open += 1
            if n_open == 0:
                break
            if uniform[u] < rules.incumbent_share:  # a previous partner with probability q
                n_asked = _subset(open_, n_open, asked, REPEAT, INCUMBENT)
                if uniform[u + 1] < rules.repeat_bias:
                    n_asked = _subset(asked.copy(), n_asked, asked, REPEAT, REPEAT)
            else:
                n_asked = _subset(open_, n_open, asked, NEWCOMER, NEWCOMER)
            g = (
                asked[0]
                if n_asked == 1
                else _weighted_pick(asked, n_asked, rest, base, uniform[u + 2])
            )
            x = _lowest_key(order, bounds[base + g], bounds[base + g + 1], key, taken)
            head[g] += 1
            rest[base + g] -= found.weight[x]
            chosen = found.actor[x]
            joins = uniform[u + 3] < found.accept[x]
            u += 4
            if joins and actors.load[chosen] < actors.capacity[chosen]:
                for m in range(size[k]):
                    pairs_i[made], pairs_j[made] = chosen, roster[k, m]
                    made += 1
                actors.load[chosen] += 1
                actors.last_active[chosen] = week
                roster[k, size[k]] = chosen
                size[k] += 1
    return pairs_i[:made], pairs_j[:made]


@kernel
def _weighted_pick(asked, n_asked, rest, base, u):
    """The group among `asked` where `u` in [0, 1) falls on their cumulative weights left."""
    total = 0.0
    for a in range(n_asked):
        total += rest[base + asked[a]]
    target = u * total
    for a in range(n_asked):
        target -= rest[base + asked[a]]
        if target < 0:
            return asked[a]
    return asked[n_asked - 1]


@kernel
def _lowest_key(order, start, stop, key, taken):
    """Of the candidates `order[start:stop]` not yet taken, the one with the lowest `key`
    (of equal keys, the first): the next one a stable sort of the block by key would give.
    It is marked taken. A cooperation asks only a few, so this beats sorting each block."""
    best = -1
    for pos in range(start, stop):
        c = order[pos]
        if not taken[c] and (best < 0 or key[c] < key[best]):
            best = c
    taken[best] = True
    return best


@kernel
def _subset(groups, n_groups, out, low, high):
    """The groups in [low, high] among the first `n_groups` of `groups` into `out`; all of
    them when none is. Returns how many."""
    n = 0
    for a in range(n_groups):
        if low <= groups[a] <= high:
            out[n] = groups[a]
            n += 1
    if n == 0:
        for a in range(n_groups):
            out[a] = groups[a]
        n = n_groups
    return n
