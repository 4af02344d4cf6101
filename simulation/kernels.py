"""Compiled kernels for the per-week hot paths (Numba, cached on disk after the first run).

They work on the arrays of `TieStore` and `CooperationBook` in place. Random numbers are
drawn by the caller from the model's own generator and passed in as arrays, so a run draws one
stream whatever runs it. Kernels never allocate the stores' arrays: the Python side makes room
first, and a kernel that runs out of adjacency width returns where it stopped so the caller
can widen and resume.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# -- ties: adjacency rows (neighbour and slot per actor), slots with a free stack ------------
# counters[0]: the next never-used slot; counters[1]: how many freed slots are stacked in free.


@njit(cache=True)
def find(nbr, nslot, degree, i, j):
    """The slot of tie (i, j), or -1: a scan of the shorter adjacency row."""
    if degree[i] > degree[j]:
        i, j = j, i
    for p in range(degree[i]):
        if nbr[i, p] == j:
            return nslot[i, p]
    return -1


@njit(cache=True)
def slots_of(nbr, nslot, degree, pairs_i, pairs_j):
    """Slots of many pairs; -1 where there is no tie."""
    out = np.empty(len(pairs_i), dtype=np.int64)
    for x in range(len(pairs_i)):
        out[x] = find(nbr, nslot, degree, pairs_i[x], pairs_j[x])
    return out


@njit(cache=True)
def _attach(nbr, nslot, degree, i, j, s):
    p = degree[i]
    nbr[i, p] = j
    nslot[i, p] = s
    degree[i] = p + 1


@njit(cache=True)
def _detach(nbr, nslot, degree, i, j):
    last = degree[i] - 1
    for p in range(last + 1):
        if nbr[i, p] == j:
            nbr[i, p] = nbr[i, last]
            nslot[i, p] = nslot[i, last]
            nbr[i, last] = -1
            degree[i] = last
            return


@njit(cache=True)
def _new_slot(free, counters):
    if counters[1] > 0:
        counters[1] -= 1
        return free[counters[1]]
    counters[0] += 1
    return counters[0] - 1


@njit(cache=True)
def _strength(s, t, w0, t0, lam):
    """Strength of the tie in slot `s` at week `t` (lazy exponential decay)."""
    return w0[s] * math.exp(-lam[s] * (t - t0[s]))


@njit(cache=True)
def _reinforce(s, gain, t, w0, t0, lam):
    """Contact: strength now plus `gain`, clipped to [0, 1]; the decay clock restarts."""
    w0[s] = min(max(_strength(s, t, w0, t0, lam) + gain, 0.0), 1.0)
    t0[s] = t


@njit(cache=True)
def contact(
    pairs_i,
    pairs_j,
    lam_of,
    start,
    gain,
    new_strength,
    t,
    informed,
    stamp,
    a,
    b,
    w0,
    t0,
    lam,
    known,
    joint,
    born,
    alive,
    mark,
    nbr,
    nslot,
    degree,
    free,
    counters,
):
    """Pairs meet from position `start`: a tie reinforces once per call (strength now plus
    `gain`, at most 1, clock restarted), strangers form a tie. Returns (new ties, where it
    stopped): it stops early when an actor's adjacency row is full."""
    made = 0
    width = nbr.shape[1]
    for x in range(start, len(pairs_i)):
        i, j = pairs_i[x], pairs_j[x]
        if i == j:
            continue
        s = find(nbr, nslot, degree, i, j)
        if s >= 0:
            if mark[s] == stamp:
                continue
            mark[s] = stamp
            _reinforce(s, gain, t, w0, t0, lam)
            if informed:
                known[s] = True
            continue
        if degree[i] == width or degree[j] == width:
            return made, x
        s = _new_slot(free, counters)
        a[s], b[s] = min(i, j), max(i, j)
        w0[s], t0[s], lam[s] = new_strength, t, lam_of[x]
        known[s], joint[s], born[s], alive[s] = informed, 0, t, True
        mark[s] = stamp
        _attach(nbr, nslot, degree, i, j, s)
        _attach(nbr, nslot, degree, j, i, s)
        made += 1
    return made, len(pairs_i)


@njit(cache=True)
def remove(slots, a, b, alive, nbr, nslot, degree, free, counters):
    """Delete the ties in `slots` (dead or repeated slots are skipped)."""
    for s in slots:
        if not alive[s]:
            continue
        alive[s] = False
        _detach(nbr, nslot, degree, a[s], b[s])
        _detach(nbr, nslot, degree, b[s], a[s])
        free[counters[1]] = s
        counters[1] += 1


@njit(cache=True)
def _reinforce_group(members, gain, t, nbr, nslot, degree, w0, t0, lam, joint):
    """Every tie among `members` gains `gain` (clipped to [0, 1]) and counts one more joint
    project; pairs without a tie are skipped."""
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            s = find(nbr, nslot, degree, members[x], members[y])
            if s < 0:
                continue
            _reinforce(s, gain, t, w0, t0, lam)
            joint[s] += 1


@njit(cache=True)
def close(
    ids, roster, size, active, load, feedback, gain, t, nbr, nslot, degree, w0, t0, lam, joint
):
    """The cooperations `ids` end: their active members are freed (load drops); with
    `feedback` (completed or failed), the ties among those members gain `gain` and count one
    more joint project."""
    members = np.empty(roster.shape[1], dtype=np.int64)
    for k in ids:
        n = 0
        for m in range(size[k]):
            x = roster[k, m]
            if active[x]:
                members[n] = x
                n += 1
                load[x] -= 1
        if feedback and n > 1:
            _reinforce_group(members[:n], gain, t, nbr, nslot, degree, w0, t0, lam, joint)


@njit(cache=True)
def joint_work(
    ids,
    roster,
    size,
    pair_slots,
    gain,
    t,
    threshold,
    at_risk,
    a,
    b,
    w0,
    t0,
    lam,
    alive,
    mark,
    stamp,
    nbr,
    nslot,
    degree,
):
    """Monthly joint work of the running cooperations `ids`: every member pair's tie gains
    `gain` (once, if a pair works together in several), then a cooperation whose members' mean
    tie is below `threshold` is at risk. Member pairs' slots are cached in `pair_slots` (one
    row per cooperation, pairs in the order of `numpy.triu_indices`). If some member pairs
    have no tie, nothing is changed and those pairs are returned: the caller lets them meet
    and calls again."""
    width = roster.shape[1]
    missing_i = np.empty(0, dtype=np.int64)
    missing_j = np.empty(0, dtype=np.int64)
    lacking = 0
    for run in range(2):  # first count the pairs without a tie, then list them
        for pos in range(len(ids)):
            k = ids[pos]
            for p in range(size[k]):
                for q in range(p + 1, size[k]):
                    i, j = roster[k, p], roster[k, q]
                    cell = p * width - p * (p + 1) // 2 + q - p - 1
                    s = pair_slots[k, cell]
                    if not (s >= 0 and alive[s] and a[s] == min(i, j) and b[s] == max(i, j)):
                        s = find(nbr, nslot, degree, i, j)
                        pair_slots[k, cell] = s
                    if s < 0:
                        if run == 1:
                            missing_i[lacking], missing_j[lacking] = i, j
                        lacking += 1
        if lacking == 0:
            break
        if run == 0:
            missing_i = np.empty(lacking, dtype=np.int64)
            missing_j = np.empty(lacking, dtype=np.int64)
            lacking = 0
    if lacking:
        return missing_i, missing_j
    for pos in range(len(ids)):
        k = ids[pos]
        total, pairs = 0.0, 0
        for p in range(size[k]):
            for q in range(p + 1, size[k]):
                s = pair_slots[k, p * width - p * (p + 1) // 2 + q - p - 1]
                if mark[s] != stamp:
                    mark[s] = stamp
                    _reinforce(s, gain, t, w0, t0, lam)
                total += w0[s]
                pairs += 1
        at_risk[k] = pairs > 0 and total / pairs < threshold
    return missing_i, missing_j


@njit(cache=True)
def prune(
    t, below, max_ties, actors, a, b, w0, t0, lam, alive, top, nbr, nslot, degree, free, counters
):
    """Drop ties weaker than `below`, then each actor's weakest beyond `max_ties` (both judged
    on this moment's strengths, for all actors at once; of equally weak ties, those where the
    actor is the lower end go first, each in slot order). Returns the slots still alive and
    their strengths, in slot order."""
    now = np.zeros(top)
    keep = np.zeros(top, dtype=np.bool_)
    count = np.zeros(actors, dtype=np.int64)
    for s in range(top):
        if alive[s]:
            now[s] = _strength(s, t, w0, t0, lam)
            if now[s] >= below:
                keep[s] = True
                count[a[s]] += 1
                count[b[s]] += 1
    start = np.zeros(actors + 1, dtype=np.int64)
    for x in range(actors):
        start[x + 1] = start[x] + (count[x] if count[x] > max_ties else 0)
    bucket = np.empty(start[actors], dtype=np.int64)
    filled = start[:actors].copy()
    for side in range(2):  # each actor's ties: those where it is a, then those where it is b
        ends = a if side == 0 else b
        for s in range(top):
            if keep[s] and count[ends[s]] > max_ties:
                x = ends[s]
                bucket[filled[x]] = s
                filled[x] += 1
    gone = np.empty(top + len(bucket), dtype=np.int64)
    g = 0
    for s in range(top):  # the weak ones first, then each crowded actor's weakest
        if alive[s] and not keep[s]:
            gone[g] = s
            g += 1
    for x in range(actors):
        if count[x] <= max_ties:
            continue
        mine = bucket[start[x] : start[x + 1]]
        order = np.argsort(now[mine], kind="mergesort")
        for r in range(count[x] - max_ties):
            keep[mine[order[r]]] = False
            gone[g] = mine[order[r]]
            g += 1
    remove(gone[:g], a, b, alive, nbr, nslot, degree, free, counters)
    live = np.flatnonzero(keep)
    return live, now[live]


# -- cooperations: ideas ----------------------------------------------------------------------
@njit(cache=True)
def propose(
    first,
    initiators,
    topics,
    seeded,
    uniform,
    cumulative,
    weeks,
    partners,
    needs,
    vague_kind,
    clear_goals,
    unclear_efficiency,
    forming_weeks,
    week,
    interests,
    load,
    last_active,
    kind,
    topic,
    initiator,
    duration,
    target,
    need,
    rate,
    idea_week,
    forming_left,
    start_week,
    end_week,
    coordinator,
    seeded_by,
    has_clear_goals,
    roster,
    size,
):
    """Ideas of `initiators` become cooperations `first`, `first + 1`, ... in formation (new
    rows: their other fields are zero). A type by the cumulative type weights, a topic (given
    where `topics` >= 0, else one of the initiator's interests, else any), a duration and
    a target number of partners in the type's ranges; four uniforms per idea."""
    for x in range(len(initiators)):
        k, i = first + x, initiators[x]
        u = uniform[4 * x : 4 * x + 4]
        t = min(np.searchsorted(cumulative, u[0], side="right"), len(cumulative) - 1)
        if topics[x] >= 0:
            chosen = topics[x]
        else:
            own = 0
            for c in range(interests.shape[1]):
                own += interests[i, c]
            pick = int(u[1] * (own if own else interests.shape[1]))
            chosen = pick
            if own:
                for c in range(interests.shape[1]):
                    if interests[i, c]:
                        if pick == 0:
                            chosen = c
                            break
                        pick -= 1
        kind[k], topic[k], initiator[k] = t, chosen, i
        duration[k] = weeks[t, 0] + int(u[2] * (weeks[t, 1] - weeks[t, 0] + 1))
        target[k] = partners[t, 0] + int(u[3] * (partners[t, 1] - partners[t, 0] + 1))
        need[k] = needs[t] * (target[k] + 1)
        vague = t == vague_kind and not clear_goals
        rate[k] = (unclear_efficiency if vague else 1.0) / duration[k]
        idea_week[k] = week
        forming_left[k] = forming_weeks
        start_week[k] = end_week[k] = -1
        coordinator[k] = -1
        seeded_by[k], has_clear_goals[k] = seeded, clear_goals
        roster[k, 0] = i
        size[k] = 1
        load[i] += 1
        last_active[i] = week


# -- cooperations: the weekly recruiting pass ------------------------------------------------
@njit(cache=True)
def candidates(ids, roster, size, nbr, degree, active, load, capacity, stock, min_spare):
    """Every forming cooperation's candidates: contacts of its members who are active, free,
    have spare time and are not members, with how many members each knows. Returns (owner as
    a position in ids, actor, links), grouped by cooperation."""
    bound = 0
    for pos in range(len(ids)):
        k = ids[pos]
        for m in range(size[k]):
            bound += degree[roster[k, m]]
    owner = np.empty(bound, dtype=np.int64)
    actor = np.empty(bound, dtype=np.int64)
    links = np.empty(bound, dtype=np.float64)
    count = np.zeros(len(active), dtype=np.int64)
    n = 0
    for pos in range(len(ids)):
        k = ids[pos]
        first = n
        for m in range(size[k]):
            count[roster[k, m]] = -1
        for m in range(size[k]):
            member = roster[k, m]
            for p in range(degree[member]):
                x = nbr[member, p]
                if count[x] < 0:
                    continue
                if count[x] == 0:
                    actor[n] = x
                    n += 1
                count[x] += 1
        kept = first
        for c in range(first, n):
            x = actor[c]
            links_x = count[x]
            count[x] = 0
            if active[x] and load[x] < capacity[x] and stock[x, 0] >= min_spare:
                owner[kept], actor[kept], links[kept] = pos, x, links_x
                kept += 1
        n = kept
        for m in range(size[k]):
            count[roster[k, m]] = 0
    return owner[:n], actor[:n], links[:n]


@njit(cache=True)
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


@njit(cache=True)
def pool(
    ids,
    roster,
    size,
    initiator,
    need,
    topic,
    active,
    load,
    capacity,
    stock,
    income,
    interests,
    sector,
    joined,
    engagement,
    nbr,
    nslot,
    degree,
    w0,
    t0,
    lam,
    joint,
    informed,
    week,
    min_spare,
    weights,
):
    """The candidates of all forming cooperations (see `candidates`) with their weights,
    chances to accept and pools (see `score`)."""
    owner, actor, links = candidates(
        ids, roster, size, nbr, degree, active, load, capacity, stock, min_spare
    )
    weight, accept, group = score(
        ids,
        owner,
        actor,
        links,
        roster,
        size,
        initiator,
        need,
        topic,
        income,
        interests,
        sector,
        joined,
        engagement,
        nbr,
        nslot,
        degree,
        w0,
        t0,
        lam,
        joint,
        informed,
        week,
        weights,
    )
    return owner, actor, weight, accept, group


@njit(cache=True)
def score(
    ids,
    owner,
    actor,
    links,
    roster,
    size,
    initiator,
    need,
    topic,
    income,
    interests,
    sector,
    joined,
    engagement,
    nbr,
    nslot,
    degree,
    w0,
    t0,
    lam,
    joint,
    informed,
    week,
    weights,
):
    """Each candidate's partner-choice weight, chance to accept, and pool: 0 a previous
    partner of the initiator, 1 another incumbent, 2 a newcomer."""
    n = len(actor)
    weight = np.empty(n)
    accept = np.empty(n)
    group = np.empty(n, dtype=np.int64)
    have = np.zeros(income.shape[1])
    c = 0
    for pos in range(len(ids)):
        k = ids[pos]
        have[:] = 0.0
        for m in range(size[k]):
            have += income[roster[k, m]]
        have /= size[k]
        n_needed = 0
        for r in range(need.shape[1]):
            n_needed += need[k, r] > 0
        lead = initiator[k]
        while c < n and owner[c] == pos:
            x = actor[c]
            s = find(nbr, nslot, degree, lead, x)
            strength = _strength(s, week, w0, t0, lam) if s >= 0 else 0.0
            repeat = s >= 0 and joint[s] > 0
            gaps = 0
            for r in range(need.shape[1]):
                gaps += need[k, r] > 0 and income[x, r] > have[r]
            complement = gaps / max(n_needed, 1) if s >= 0 and informed[s] else 0.0
            interested = interests[x, topic[k]]
            weight[c] = (
                weights[0] * strength
                + weights[1] * links[c] / size[k]
                + weights[2] * complement
                + weights[3] * (sector[x] == sector[lead])
                + weights[4] * interested
                + 1e-3
            )
            accept[c] = engagement[x] * (0.5 + strength) * (1.0 if interested else 0.5)
            group[c] = (0 if repeat else 1) if joined[x] > 0 else 2
            c += 1
    return weight, accept, group


@njit(cache=True)
def ask(
    ids,
    owner,
    actor,
    weight,
    accept,
    group,
    roster,
    size,
    target,
    load,
    capacity,
    last_active,
    week,
    asks,
    p,
    q,
    exponential,
    uniform,
):
    """Up to `asks` asks per cooperation, Guimerà's pools drawn exactly (see
    `CooperationBook.recruit`). An accepting actor with free capacity joins in place; returns
    the pairs (new member, earlier member). Random numbers: one standard exponential per
    candidate, up to four uniforms per ask (used in turn)."""
    n = len(actor)
    key = exponential / weight
    blocks = 3 * len(ids)  # block owner * 3 + group: one pool of one cooperation
    bounds = np.zeros(blocks + 1, dtype=np.int64)
    rest = np.zeros(blocks)
    for c in range(n):
        bounds[owner[c] * 3 + group[c] + 1] += 1
        rest[owner[c] * 3 + group[c]] += weight[c]
    bounds = np.cumsum(bounds)
    order = np.empty(n, dtype=np.int64)
    filled = bounds[:blocks].copy()
    for c in range(n):  # by block, keeping candidate order within a block
        block = owner[c] * 3 + group[c]
        order[filled[block]] = c
        filled[block] += 1
    for block in range(blocks):  # then by key within each block
        _sort_by_key(order[bounds[block] : bounds[block + 1]], key)
    pairs_i = np.empty(len(ids) * asks * roster.shape[1], dtype=np.int64)
    pairs_j = np.empty_like(pairs_i)
    made, u = 0, 0
    head = np.empty(3, dtype=np.int64)
    open_ = np.empty(3, dtype=np.int64)
    asked = np.empty(3, dtype=np.int64)
    for pos in range(len(ids)):
        k = ids[pos]
        base = 3 * pos
        head[:] = bounds[base : base + 3]
        for _ in range(asks):
            if size[k] - 1 >= target[k]:
                break
            n_open = 0
            for g in range(3):
                if head[g] < bounds[base + g + 1]:
                    open_[n_open] = g
                    n_open += 1
            if n_open == 0:
                break
            if uniform[u] < p:  # an incumbent; a previous partner with probability q
                n_asked = _subset(open_, n_open, asked, 0, 1)
                if uniform[u + 1] < q:
                    n_asked = _subset(asked.copy(), n_asked, asked, 0, 0)
            else:
                n_asked = _subset(open_, n_open, asked, 2, 2)
            g = (
                asked[0]
                if n_asked == 1
                else _weighted_pick(asked, n_asked, rest, base, uniform[u + 2])
            )
            x = order[head[g]]
            head[g] += 1
            rest[base + g] -= weight[x]
            chosen = actor[x]
            joins = uniform[u + 3] < accept[x]
            u += 4
            if joins and load[chosen] < capacity[chosen]:
                for m in range(size[k]):
                    pairs_i[made], pairs_j[made] = chosen, roster[k, m]
                    made += 1
                load[chosen] += 1
                last_active[chosen] = week
                roster[k, size[k]] = chosen
                size[k] += 1
    return pairs_i[:made], pairs_j[:made]


@njit(cache=True)
def _sort_by_key(items, key):
    """Sort `items` in place by `key[item]`, stably (insertion sort for the usual few)."""
    if len(items) > 32:
        items[:] = items[np.argsort(key[items], kind="mergesort")]
        return
    for x in range(1, len(items)):
        item = items[x]
        y = x
        while y > 0 and key[items[y - 1]] > key[item]:
            items[y] = items[y - 1]
            y -= 1
        items[y] = item


@njit(cache=True)
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


@njit(cache=True)
def count_members(ids, roster, size, since, joined, newcomers):
    """Members of the cooperations `ids` from roster position `since` on start working: an
    actor's first cooperation counts it as a newcomer there, every one counts in `joined`
    (in this order, so an actor starting two at once is a newcomer in the first only)."""
    for k in ids:
        for m in range(since, size[k]):
            x = roster[k, m]
            if joined[x] == 0:
                newcomers[k] += 1
            joined[x] += 1


# -- cooperations: the weekly work of the running ones ---------------------------------------
@njit(cache=True)
def contribute(
    ids, roster, size, need, coordinator, leaderless, stock, coordinator_hours, leaderless_hours
):
    """Members give their share of each cooperation's weekly need, at most what they have
    split over the running cooperations they are in; structure costs time first (the
    coordinator's hours, or everyone's where an intensive project has no coordinator).
    Stocks go down in place; returns what each cooperation pooled."""
    count = np.zeros(len(stock), dtype=np.int64)
    for pos in range(len(ids)):
        k = ids[pos]
        for m in range(size[k]):
            count[roster[k, m]] += 1
    resources = stock.shape[1]
    pooled = np.zeros((len(ids), resources))
    rows = 0
    for pos in range(len(ids)):
        rows += size[ids[pos]]
    spend = np.empty((rows, resources))
    spender = np.empty(rows, dtype=np.int64)
    row = 0
    for pos in range(len(ids)):  # every share from the stocks as they were before anyone paid
        k = ids[pos]
        members = max(size[k], 1)
        for m in range(size[k]):
            x = roster[k, m]
            overhead = (coordinator_hours if coordinator[k] == x else 0.0) + (
                leaderless_hours if leaderless[pos] else 0.0
            )
            for r in range(resources):
                share = need[k, r] / members
                avail = stock[x, r] / count[x]
                if r == 0:
                    paid = min(overhead, avail)
                    give = min(share, avail - paid)
                    spend[row, r] = give + paid
                else:
                    give = min(share, avail)
                    spend[row, r] = give
                pooled[pos, r] += give
            spender[row] = x
            row += 1
    for row in range(rows):
        for r in range(resources):
            stock[spender[row], r] -= spend[row, r]
    for row in range(rows):  # no stock below zero (only rounding could take it there)
        for r in range(resources):
            stock[spender[row], r] = max(stock[spender[row], r], 0.0)
    return pooled


@njit(cache=True)
def advance(
    ids,
    pooled,
    need,
    rate,
    progress,
    shortage,
    size,
    at_risk,
    leaderless,
    startup_threshold,
    exponent,
    patience,
    leaderless_hazard,
    distrust_hazard,
    uniform,
):
    """Progress by the scarcest resource pooled against need (none below the start-up
    threshold: a shortage week). Returns per cooperation 1 completed, -1 failed (too long
    short, alone, or by the hazard of no coordinator or of distrust), 0 going on."""
    outcome = np.zeros(len(ids), dtype=np.int64)
    for pos in range(len(ids)):
        k = ids[pos]
        ratio = 1.0
        for r in range(need.shape[1]):
            if need[k, r] > 0:
                ratio = min(ratio, pooled[pos, r] / need[k, r])
        if ratio >= startup_threshold:
            progress[k] += ratio**exponent * rate[k]
            shortage[k] = 0
        else:
            shortage[k] += 1
    for pos in range(len(ids)):
        k = ids[pos]
        hazard = (leaderless_hazard if leaderless[pos] else 0.0) + (
            distrust_hazard if at_risk[k] else 0.0
        )
        failed = shortage[k] > patience or size[k] < 2
        failed = uniform[pos] < hazard or failed
        if progress[k] >= 1.0:
            outcome[pos] = 1
        elif failed:
            outcome[pos] = -1
    return outcome


# -- network measures on a CSR adjacency (indptr, indices) -----------------------------------
@njit(cache=True)
def adjacency(i, j, n):
    """Symmetric adjacency of the edges (i, j) among n nodes as CSR (indptr, indices); the
    neighbours of each node are listed in edge order."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(i)):
        indptr[i[e] + 1] += 1
        indptr[j[e] + 1] += 1
    indptr = np.cumsum(indptr)
    indices = np.empty(2 * len(i), dtype=np.int64)
    filled = indptr[:n].copy()
    for e in range(len(i)):
        indices[filled[i[e]]] = j[e]
        filled[i[e]] += 1
        indices[filled[j[e]]] = i[e]
        filled[j[e]] += 1
    return indptr, indices


@njit(cache=True)
def _bfs(indptr, indices, source, dist, sigma, queue):
    """Breadth-first search from `source` over the nodes not yet reached (`dist` -1): hop
    distances into `dist`, shortest-path counts into `sigma`; returns how many nodes it
    reached (they are listed in `queue`)."""
    dist[source] = 0
    sigma[source] = 1.0
    queue[0] = source
    head, tail = 0, 1
    while head < tail:
        u = queue[head]
        head += 1
        for p in range(indptr[u], indptr[u + 1]):
            w = indices[p]
            if dist[w] < 0:
                dist[w] = dist[u] + 1
                queue[tail] = w
                tail += 1
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
    return tail


@njit(cache=True)
def components(indptr, indices):
    """The number of connected components and the size of the largest."""
    n = len(indptr) - 1
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    queue = np.empty(n, dtype=np.int64)
    count, largest = 0, 0
    for root in range(n):
        if dist[root] < 0:
            count += 1
            largest = max(largest, _bfs(indptr, indices, root, dist, sigma, queue))
    return count, largest


@njit(cache=True)
def triangles(indptr, indices):
    """Twice the number of triangles through each node."""
    n = len(indptr) - 1
    out = np.zeros(n)
    mark = np.full(n, -1, dtype=np.int64)
    for u in range(n):
        for p in range(indptr[u], indptr[u + 1]):
            mark[indices[p]] = u
        closed = 0
        for p in range(indptr[u], indptr[u + 1]):
            w = indices[p]
            for r in range(indptr[w], indptr[w + 1]):
                if mark[indices[r]] == u:
                    closed += 1
        out[u] = closed
    return out


@njit(cache=True)
def path_counts(indptr, indices, sources):
    """Hop distances (-1 if unreachable) and shortest-path counts from each source."""
    n = len(indptr) - 1
    dist = np.full((len(sources), n), -1, dtype=np.int64)
    sigma = np.zeros((len(sources), n))
    queue = np.empty(n, dtype=np.int64)
    for row in range(len(sources)):
        _bfs(indptr, indices, sources[row], dist[row], sigma[row], queue)
    return dist, sigma


@njit(cache=True)
def paths_through(dist, sigma, sources, v, dist_v, sigma_v):
    """Sum over sources s and targets t (both other than v, t != s) of the share of shortest
    s–t paths that pass through v (Brandes 2001)."""
    total = 0.0
    for row in range(len(sources)):
        s = sources[row]
        if s == v or dist[row, v] < 0:
            continue
        for t in range(dist.shape[1]):
            if t in (v, s) or dist_v[t] < 0:
                continue
            if dist[row, v] + dist_v[t] == dist[row, t]:
                total += sigma[row, v] * sigma_v[t] / sigma[row, t]
    return total
