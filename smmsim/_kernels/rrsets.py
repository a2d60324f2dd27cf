"""Reverse-reachable (RR) sets for the default model without decay, and coverage greedy.

An RR set is drawn for a uniformly random target user ``v``: ``v`` itself, every user
``u`` that ``v`` follows whose share would show in ``v``'s feed (probability ``p_first``,
the visibility), and everyone who would make one of those a sharer, found by a
breadth-first search backwards along arcs kept with probability ``p`` (the
transmissibility, visibility x stickiness x contagion). A seed set ``S`` makes ``v``
see the content (or post it) exactly when it meets the RR set, so ``n`` times the
fraction of RR sets that ``S`` meets estimates the expected number of users who saw it
or posted it (Borgs, Brautbar, Chayes and Lucier 2014; Tang, Shi and Xiao 2015).

Set ``i`` draws only from the stream keyed by ``(root, i, PURPOSE_RRSET)``: its target,
then geometric gaps over the in-lists it scans (one gap chain for the first hop, one
for the rest, each carried from one user's list to the next), so a set's contents do
not depend on which thread draws it or how the sets are split between threads.

References
----------
C. Borgs, M. Brautbar, J. Chayes and B. Lucier, "Maximizing social influence in nearly
optimal time", SODA 2014.
Y. Tang, Y. Shi and X. Xiao, "Influence maximization in near-linear time: a martingale
approach", SIGMOD 2015.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.rng import (
    PURPOSE_RRSET,
    first_tie,
    next_tie,
    randbelow,
    stream_key,
    uniform,
    visibility_table,
)


@jit
def transpose(indptr, indices, n):
    """The in-lists: ``rindices[rindptr[v]:rindptr[v + 1]]`` are the users ``v`` follows
    (the sources of the arcs into ``v``), sorted.

    Any lists of ids below ``n`` turn round the same way: row ``r``'s entries
    ``indices[indptr[r]:indptr[r + 1]]`` become, for each id, the rows holding it, in row
    order (:func:`sets_of_nodes`)."""
    rindptr = np.zeros(n + 1, dtype=np.int64)
    for j in range(indices.shape[0]):
        rindptr[indices[j] + 1] += 1
    for v in range(n):
        rindptr[v + 1] += rindptr[v]
    fill = rindptr[:-1].copy()
    rindices = np.empty(indices.shape[0], dtype=np.int32)
    for u in range(indptr.shape[0] - 1):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            rindices[fill[v]] = u
            fill[v] += 1
    return rindptr, rindices


@jit
def _grow(nodes, pos):
    """``nodes`` with room for one more entry at ``pos`` (doubled when full)."""
    if pos < nodes.shape[0]:
        return nodes
    bigger = np.empty(2 * nodes.shape[0], dtype=nodes.dtype)
    bigger[:pos] = nodes[:pos]
    return bigger


@jit(inline="always")
def _add(nodes, pos, mark, u, stamp):
    """Put ``u`` at ``nodes[pos]`` and mark it with ``stamp``. Returns ``(nodes, pos + 1)``."""
    mark[u] = stamp
    nodes = _grow(nodes, pos)
    nodes[pos] = u
    return nodes, pos + 1


@jit(inline="always")
def _space(n, count):
    """Room for ``count`` RR sets on ``n`` users: the users' marks, the sets' nodes (grown
    by :func:`_grow`) and their offsets. Returns ``(mark, nodes, offsets)``."""
    mark = np.zeros(n, dtype=np.int64)
    nodes = np.empty(max(1024, 4 * count), dtype=np.int32)
    offsets = np.empty(count + 1, dtype=np.int64)
    offsets[0] = 0
    return mark, nodes, offsets


@jit(inline="always")
def _target(root, idx, n, nodes, pos, mark):
    """Set ``idx``'s stream, stamp (``idx + 1``) and target: a uniformly random user, put
    at ``nodes[pos]`` and marked with the stamp. Returns ``(stream, stamp, target,
    nodes)``."""
    stamp = idx + 1
    s = stream_key(root, idx, PURPOSE_RRSET)
    s, v = randbelow(s, n)
    nodes, _ = _add(nodes, pos, mark, v, stamp)
    return s, stamp, v, nodes


@jit
def rr_range(rindptr, rindices, p_first, p, root, first, count):
    """RR sets ``first .. first + count - 1``.

    Returns ``(offsets, nodes)``: set ``first + i`` is
    ``nodes[offsets[i]:offsets[i + 1]]``, its target first, then users in the order the
    search found them.
    """
    n = rindptr.shape[0] - 1
    mark, nodes, offsets = _space(n, count)
    tab1 = visibility_table(p_first)
    tab = visibility_table(p)
    gaps1 = 0.0 < p_first < 1.0
    gaps = 0.0 < p < 1.0
    inv1 = 1.0 / np.log1p(-p_first) if gaps1 else 0.0
    inv = 1.0 / np.log1p(-p) if gaps else 0.0
    pos = 0
    for i in range(count):
        s, stamp, v, nodes = _target(root, first + i, n, nodes, pos, mark)
        start = pos
        pos += 1
        # first hop: the users whose share would show in v's feed
        if p_first > 0.0:
            b = rindptr[v + 1]
            s, j = first_tie(s, rindptr[v], gaps1, inv1, tab1)
            while j < b:
                u = rindices[j]
                if mark[u] != stamp:
                    nodes, pos = _add(nodes, pos, mark, u, stamp)
                s, j = next_tie(s, j, gaps1, inv1, tab1)
        # further hops: the users who would make them sharers
        head = start + 1
        if p > 0.0 and head < pos:
            s, skip = first_tie(s, np.int64(0), gaps, inv, tab)
            while head < pos:
                w = nodes[head]
                head += 1
                j = rindptr[w] + skip  # a row passed whole leaves the rest of the gap
                b = rindptr[w + 1]
                while j < b:
                    u = rindices[j]
                    if mark[u] != stamp:
                        nodes, pos = _add(nodes, pos, mark, u, stamp)
                    s, j = next_tie(s, j, gaps, inv, tab)
                skip = j - b
        offsets[i + 1] = pos
    return offsets, nodes[:pos].copy()


@jit
def rr_range_sir(rindptr, rindices, beta, gamma, root, first, count):
    """RR sets ``first .. first + count - 1`` of the SIR model (see :func:`rr_range` for
    the layout).

    A user ``u`` shares for a span drawn once per set, exponential with rate ``gamma``,
    and a tie ``u -> w`` carries the post before the span ends with probability ``1 -
    exp(-beta x span)``: the epidemic percolation network of Kenah and Robins (2007),
    whose reachability is the SIR's final outbreak. The set of ``v`` is everyone from
    whom ``v`` can be reached in it, found backwards from ``v``; a user's span is drawn
    when the search first meets them, each tie's chance when it is looked at.
    """
    n = rindptr.shape[0] - 1
    mark, nodes, offsets = _space(n, count)
    drawn = np.zeros(n, dtype=np.int64)
    span = np.zeros(n, dtype=np.float64)
    pos = 0
    for i in range(count):
        s, stamp, _, nodes = _target(root, first + i, n, nodes, pos, mark)
        head = pos
        pos += 1
        while head < pos:
            w = nodes[head]
            head += 1
            for j in range(rindptr[w], rindptr[w + 1]):
                u = rindices[j]
                if mark[u] == stamp:
                    continue
                if drawn[u] != stamp:
                    drawn[u] = stamp
                    s, x = uniform(s)
                    span[u] = -np.log1p(-x) / gamma
                s, y = uniform(s)
                if y < -np.expm1(-beta * span[u]):
                    nodes, pos = _add(nodes, pos, mark, u, stamp)
        offsets[i + 1] = pos
    return offsets, nodes[:pos].copy()


@jit
def sets_of_nodes(offsets, nodes, n):
    """The inverted index: ``sets[ptr[u]:ptr[u + 1]]`` are the RR sets holding ``u``."""
    return transpose(offsets, nodes, n)


@jit
def _cover(u, ptr, sets, offsets, nodes, covered, deg):
    """Mark the RR sets holding ``u`` covered; returns how many were not yet."""
    got = 0
    for j in range(ptr[u], ptr[u + 1]):
        i = sets[j]
        if covered[i]:
            continue
        covered[i] = True
        got += 1
        for q in range(offsets[i], offsets[i + 1]):
            deg[nodes[q]] -= 1
    return got


@jit
def knapsack_bound(deg, out, price, capacity, unit):
    """The most new sets that users not in ``out`` can add within ``capacity``, each
    adding at most its ``deg`` (its new sets alone): the fractional knapsack of those
    gains by gain per unit price, or with ``unit`` prices the sum of the
    ``floor(capacity)`` largest. By submodularity no affordable set of users adds more,
    so this plus the sets already covered bounds the optimum (Tang et al. 2018)."""
    n = deg.shape[0]
    gain = np.empty(n, dtype=np.float64)
    cost = np.empty(n, dtype=np.float64)
    c = 0
    for u in range(n):
        if not out[u] and deg[u] > 0 and price[u] <= capacity:
            gain[c] = deg[u]
            cost[c] = price[u]
            c += 1
    if unit:
        m = int(capacity + 1e-9)
        if c <= m:
            return gain[:c].sum()
        return np.partition(gain[:c], c - m)[c - m :].sum()
    ratio = np.empty(c, dtype=np.float64)
    for i in range(c):
        ratio[i] = -gain[i] / max(cost[i], 1e-300)
    left = capacity
    total = 0.0
    for i in np.argsort(ratio):
        if cost[i] <= left:
            total += gain[i]
            left -= cost[i]
        else:
            total += gain[i] * left / cost[i]
            break
    return total


@jit
def greedy_cover(offsets, nodes, ptr, sets, price, eligible, committed, budget, by_ratio, bound):
    """Greedy maximum coverage of the RR sets under a budget.

    ``committed`` users are taken first (their sets covered, their prices not charged
    here); then, while some eligible user that fits the remaining ``budget`` covers a new
    set, the one with the most new sets per unit price (``by_ratio``) or the most new
    sets is added; ties go to the lower id. Returns ``(chosen, gains, best_single,
    best_single_gain, upper)``: the added users in order, the new sets each covered, the
    eligible user covering most new sets alone within the budget (-1 if none), and, with
    ``bound``, an upper bound on the sets any affordable choice covers with the
    committed users (the least over the greedy's steps of the sets covered so far plus
    :func:`knapsack_bound`; 0 without ``bound``).
    """
    n = ptr.shape[0] - 1
    n_sets = offsets.shape[0] - 1
    covered = np.zeros(n_sets, dtype=np.bool_)
    deg = np.empty(n, dtype=np.int64)
    for u in range(n):
        deg[u] = ptr[u + 1] - ptr[u]
    have = 0
    for c in committed:
        have += _cover(c, ptr, sets, offsets, nodes, covered, deg)
    taken = ~eligible
    for c in committed:
        taken[c] = True
    upper = np.inf if bound else 0.0
    single = -1
    single_gain = np.int64(0)
    for u in range(n):
        if not taken[u] and price[u] <= budget and deg[u] > single_gain:
            single = u
            single_gain = deg[u]
    chosen = np.empty(n, dtype=np.int64)
    gains = np.empty(n, dtype=np.int64)
    k = 0
    remaining = budget
    while True:
        if bound:
            upper = min(upper, have + knapsack_bound(deg, taken, price, budget, not by_ratio))
        best = -1
        best_score = 0.0
        for u in range(n):
            if taken[u] or deg[u] <= 0 or price[u] > remaining:
                continue
            score = float(deg[u])
            if by_ratio:
                score = score / max(price[u], 1e-300)
            if best < 0 or score > best_score:
                best = u
                best_score = score
        if best < 0:
            break
        gains[k] = _cover(best, ptr, sets, offsets, nodes, covered, deg)
        have += gains[k]
        chosen[k] = best
        k += 1
        taken[best] = True
        remaining -= price[best]
    return chosen[:k].copy(), gains[:k].copy(), single, single_gain, upper


@jit
def coverage(offsets, nodes, seeds, n):
    """Number of RR sets that ``seeds`` meet."""
    is_seed = np.zeros(n, dtype=np.bool_)
    for s in seeds:
        is_seed[s] = True
    hit = 0
    for i in range(offsets.shape[0] - 1):
        for j in range(offsets[i], offsets[i + 1]):
            if is_seed[nodes[j]]:
                hit += 1
                break
    return hit
