"""Pooled production: the weekly work of the running cooperations, and their monthly joint
work (M5, M2; seed conditions 1, 5, 6).

Each week every member of a running cooperation offers its share of the weekly need of each
resource, at most what it has split over the running cooperations it is in; structure costs
time first (the coordinator's hours, or everyone's where an intensive formal project has no
coordinator). Money short of the need is topped up from the programme's fund. Progress grows
by ``ratio^production_exponent × rate`` where ``ratio`` is the scarcest resource pooled
against need, when ``ratio`` reaches the start-up threshold (Oliver, Marwell & Teixeira 1985);
below it nothing advances. A week with less than `stall_share` of the nominal progress is
stalled. A cooperation completes at progress 1. After more than `patience_weeks` stalled weeks
in a row it re-scopes once — it keeps `rescope_keep` of its remaining work, as groups do when
they cut a project down to what they can do — and if it stalls again it gives up. It also
fails with fewer than two members, or by the weekly hazard of having no coordinator or of
distrust. No source gives the stall rule's values: parameters for calibration.

Monthly, working together reinforces every member pair's tie, and a cooperation whose
members' mean tie is below `trust_threshold` is at risk (of distrust).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation.compiled import kernel
from simulation.config import COOPERATION_TYPES, TIME, CooperationConfig
from simulation.programme import grants
from simulation.streams import generator
from simulation.ties import STAMP, find, reinforce

if TYPE_CHECKING:
    from simulation.cooperations import CooperationBook

INTENSIVE_FORMAL = COOPERATION_TYPES.index("intensive_formal")
DONE, GIVEN_UP, TOO_FEW, NO_COORDINATION, DISTRUST, NOT_STARTED = range(1, 7)
"""Values of `ended_by` (names in cooperations.ENDINGS)."""


class WorkRules(NamedTuple):
    """The production settings of `cooperation.*`."""

    coordinator_hours: float
    leaderless_hours: float  # uncoordinated_overhead_hours
    startup_threshold: float
    exponent: float  # production_exponent
    patience: int  # patience_weeks: stalled weeks in a row tolerated
    stall_share: float  # a week below this share of the nominal progress is stalled
    rescope: bool  # a stalled cooperation re-scopes once before it gives up
    rescope_keep: float  # share of the remaining work kept when it re-scopes
    leaderless_hazard: float  # uncoordinated_hazard
    distrust_hazard: float


def rules(c: CooperationConfig) -> WorkRules:
    return WorkRules(
        coordinator_hours=c.coordinator_hours,
        leaderless_hours=c.uncoordinated_overhead_hours,
        startup_threshold=c.startup_threshold,
        exponent=c.production_exponent,
        patience=c.patience_weeks,
        stall_share=c.stall_share,
        rescope=c.rescope,
        rescope_keep=c.rescope_keep,
        leaderless_hazard=c.uncoordinated_hazard,
        distrust_hazard=c.distrust_hazard,
    )


def week(book: CooperationBook, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One week of work of the running cooperations `ids`; returns those completed and those
    failed."""
    m = book.model
    fund = m.programme
    pooled, granted, done, failed = work_week(
        book.data,
        m.state.data,
        ids,
        book.work_rules,
        fund.fund_balance,
        fund.cap_per_project,
        m.stream,
    )
    fund.paid(granted)
    book.pooled_this_week = pooled
    return done, failed


def joint_work(book: CooperationBook, ids: np.ndarray) -> None:
    """Monthly joint work of the running cooperations `ids`. Member pairs without a tie (a tie
    pruned while they work together) meet first."""
    m = book.model
    gain, threshold = m.config.ties.joint_work_gain, book.config.trust_threshold
    while True:
        missing_i, missing_j = reinforce_members(
            book.data, m.ties.slots.data, m.ties.adjacency.data, ids, gain, float(m.week), threshold
        )
        if not len(missing_i):
            return
        m.ties.meet(missing_i, missing_j, gain=0.0, t=m.week)


# -- compiled ---------------------------------------------------------------------------------


@kernel
def work_week(book, actors, ids, rules, balance, cap, source):
    """A week's work of the running cooperations `ids`: `contribute`, the fund's `grants`
    (a fund of `balance`, `cap` per cooperation), then `advance` with one uniform per
    cooperation drawn from the model's stream. Returns what all pooled together of each
    resource (grants included; summed over the cooperations in order), the grants, and the
    cooperations completed and failed."""
    pooled, leaderless = contribute(book, actors, ids, rules)
    granted = grants(book, ids, pooled, balance, cap)
    uniform = generator(source).random(len(ids))
    done, failed = advance(book, ids, pooled, leaderless, rules, uniform)
    total = np.zeros(pooled.shape[1])
    for pos in range(len(ids)):
        for r in range(pooled.shape[1]):
            total[r] += pooled[pos, r]
    return total, granted, done, failed


@kernel
def contribute(book, actors, ids, rules):
    """Members give their share of each cooperation's weekly need, at most what they have
    split over the running cooperations they are in; structure costs time first (everyone's
    where an intensive formal cooperation has no coordinator: it is leaderless). Stocks go
    down in place; returns what each cooperation pooled, and which are leaderless."""
    leaderless = np.empty(len(ids), dtype=np.bool_)
    for pos in range(len(ids)):
        k = ids[pos]
        leaderless[pos] = book.kind[k] == INTENSIVE_FORMAL and book.coordinator[k] < 0
    stock = actors.stock
    count = np.zeros(len(stock), dtype=np.int64)
    for pos in range(len(ids)):
        k = ids[pos]
        for m in range(book.n_members[k]):
            count[book.roster[k, m]] += 1
    resources = stock.shape[1]
    pooled = np.zeros((len(ids), resources))
    rows = 0
    for pos in range(len(ids)):
        rows += book.n_members[ids[pos]]
    spend = np.empty((rows, resources))
    spender = np.empty(rows, dtype=np.int64)
    row = 0
    for pos in range(len(ids)):  # every share from the stocks as they were before anyone paid
        k = ids[pos]
        members = max(book.n_members[k], 1)
        for m in range(book.n_members[k]):
            x = book.roster[k, m]
            overhead = (rules.coordinator_hours if book.coordinator[k] == x else 0.0) + (
                rules.leaderless_hours if leaderless[pos] else 0.0
            )
            for r in range(resources):
                share = book.need[k, r] / members
                avail = stock[x, r] / count[x]
                if r == TIME:
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
    return pooled, leaderless


@kernel
def advance(book, ids, pooled, leaderless, rules, uniform):
    """What the cooperations `ids` pooled this week (with the fund's top-up) is added to their
    totals; progress by the scarcest resource pooled against need (none below the start-up
    threshold). A week below `stall_share` of the nominal progress is stalled; after more than
    `patience` stalled weeks in a row a cooperation re-scopes once (keeping `rescope_keep` of
    its remaining work) and otherwise gives up. Returns the ids completed and the ids failed
    (given up, too few members, or by the hazard of no coordination or of distrust);
    `ended_by` says why (see cooperations.ENDINGS)."""
    outcome = np.zeros(len(ids), dtype=np.int64)
    need = book.need
    for pos in range(len(ids)):
        k = ids[pos]
        for r in range(need.shape[1]):
            book.pooled[k, r] += pooled[pos, r]
        ratio = 1.0
        for r in range(need.shape[1]):
            if need[k, r] > 0:
                ratio = min(ratio, pooled[pos, r] / need[k, r])
        step = ratio**rules.exponent * book.rate[k] if ratio >= rules.startup_threshold else 0.0
        book.progress[k] += step
        if step < rules.stall_share * book.rate[k]:
            book.shortage[k] += 1
        else:
            book.shortage[k] = 0
    for pos in range(len(ids)):
        k = ids[pos]
        coordination = rules.leaderless_hazard if leaderless[pos] else 0.0
        distrust = rules.distrust_hazard if book.at_risk[k] else 0.0
        stalled = book.shortage[k] > rules.patience
        if book.progress[k] >= 1.0:
            outcome[pos], book.ended_by[k] = 1, DONE
        elif book.n_members[k] < 2:
            outcome[pos], book.ended_by[k] = -1, TOO_FEW
        elif stalled and rules.rescope and not book.rescoped[k]:
            book.progress[k] = 1.0 - (1.0 - book.progress[k]) * rules.rescope_keep
            book.rescoped[k] = True
            book.shortage[k] = 0
        elif stalled:
            outcome[pos], book.ended_by[k] = -1, GIVEN_UP
        elif uniform[pos] < coordination:
            outcome[pos], book.ended_by[k] = -1, NO_COORDINATION
        elif uniform[pos] < coordination + distrust:
            outcome[pos], book.ended_by[k] = -1, DISTRUST
    return ids[outcome > 0], ids[outcome < 0]


@kernel
def reinforce_members(book, ties, adj, ids, gain, t, threshold):
    """Monthly joint work of the running cooperations `ids`: every member pair's tie gains
    `gain` (once, if a pair works together in several), then a cooperation whose members' mean
    tie is below `threshold` is at risk. Member pairs' slots are cached in `book.pair_slots`
    (one row per cooperation, pairs in the order of `numpy.triu_indices`). If some member
    pairs have no tie, nothing is changed and those pairs are returned: the caller lets them
    meet and calls again."""
    roster, size, pair_slots = book.roster, book.n_members, book.pair_slots
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
                    same = s >= 0 and ties.alive[s] and ties.a[s] == min(i, j)
                    if not (same and ties.b[s] == max(i, j)):
                        s = find(adj, i, j)
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
    ties.counters[STAMP] += 1  # a new batch: each tie gains once
    stamp = ties.counters[STAMP]
    for pos in range(len(ids)):
        k = ids[pos]
        total, pairs = 0.0, 0
        for p in range(size[k]):
            for q in range(p + 1, size[k]):
                s = pair_slots[k, p * width - p * (p + 1) // 2 + q - p - 1]
                if ties.mark[s] != stamp:
                    ties.mark[s] = stamp
                    reinforce(ties, s, gain, t)
                total += ties.w0[s]
                pairs += 1
        book.at_risk[k] = pairs > 0 and total / pairs < threshold
    return missing_i, missing_j
