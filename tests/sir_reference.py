"""Slow, obvious continuous-time SIR: the oracle for the ``sir`` kernel.

The fast_SIR algorithm of Kiss, Miller & Simon (2017, Appendix A.1) written the plain
way: Python dicts and sets, and ``heapq`` with stale entries skipped when popped (no
decrease-key). It draws from the same SplitMix64 streams in the same order as the
kernel: for each sharer, in the order they start (seeds in list order, then by (time,
user id)), one uniform for the interest span ``D = -log(w) / gamma`` and one uniform per
follower; the follower sees the share when ``X = -log(w) / beta < D``, tested as ``w >
exp(-beta D)`` (the same event, written as the kernel writes it so that no rounding at
the boundary can split them).
"""

from __future__ import annotations

import heapq
import math

from reference import Stream, stream_key


def sir_reference(
    indptr,
    indices,
    seeds,
    beta,
    gamma,
    dt,
    conversion,
    conversion_referred,
    steps,
    root,
    replicate,
):
    """One replicate; returns a dict of plain Python values."""
    followers = [
        [int(v) for v in indices[indptr[u] : indptr[u + 1]]] for u in range(len(indptr) - 1)
    ]
    cascade = Stream(stream_key(root, replicate, 1))
    conv = Stream(stream_key(root, replicate, 2))
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    bins = [
        dict(impressions=0, reach=0, engagements=0, shares=0, conversions=0) for _ in range(steps)
    ]
    start = {}  # sharer -> time they started sharing
    parent = {s: None for s in seeds}
    earliest = {}  # user -> (time, sharer) of the earliest committed impression so far
    queue = []
    out = dict(impressions=0, paid_impressions=0, conversions=0, referral_conversions=0)
    shared, referred, converted = [], set(), set()

    def in_horizon(tau):
        return tau / dt < steps

    def spread(u, t_u):
        d = -math.log(cascade.uniform()) / gamma
        q = math.exp(-beta * d)
        for v in followers[u]:
            w = cascade.uniform()
            if not w > q:  # interest ended before this follower saw it
                continue
            tau = t_u + (-math.log(w) / beta)
            if in_horizon(tau):
                bins[int(tau / dt)]["impressions"] += 1
                out["impressions"] += 1
                out["paid_impressions"] += u in seeds
            if v in start:
                continue
            if v not in earliest or tau < earliest[v][0]:
                earliest[v] = (tau, u)
                if in_horizon(tau):
                    heapq.heappush(queue, (tau, v))

    for s in seeds:
        start[s] = 0.0
        shared.append(s)
    bins[0]["shares"] += len(seeds)
    for s in seeds:
        spread(s, 0.0)
    while queue:
        tau, v = heapq.heappop(queue)
        if v in start or earliest[v][0] != tau:
            continue  # already sharing, or a later impression since beaten
        u = earliest[v][1]
        start[v] = tau
        parent[v] = u
        shared.append(v)
        row = bins[int(tau / dt)]
        row["reach"] += 1
        row["engagements"] += 1
        row["shares"] += 1
        is_referred = u not in seeds
        if is_referred:
            referred.add(v)
        p = conversion_referred if is_referred else conversion
        buys = p >= 1 or (p > 0 and conv.uniform() < p)
        if buys:
            converted.add(v)
            row["conversions"] += 1
            out["conversions"] += 1
            out["referral_conversions"] += is_referred
        spread(v, tau)

    reach = len(shared) - len(seeds)
    out.update(
        reach=reach,
        earned_reach=len(referred),
        engaged=reach,
        engagements=reach,
        shares=len(shared),
        seeds=len(seeds),
        pending=sum(1 for v in earliest if v not in start),
        series=[
            [row[k] for k in ("impressions", "reach", "engagements", "shares", "conversions")]
            for row in bins
        ],
        shared=shared,
        parent=parent,
        start=start,
        converted=converted,
        referred=referred,
    )
    return out
