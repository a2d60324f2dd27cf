"""Slow, obvious Python version of the threshold models (social proof, complex contagion).

Same SplitMix64 streams as the kernel (``Stream``/``stream_key`` from ``reference``), but
written the plain way: every tie of every sharer is visited, a share shows when the
geometric "ties to skip" counter reaches zero, each user keeps a list of the sharers
they have seen, and the rule is tested literally (``len(seen) / k >= phi``, the summed
weight against ``phi`` times the in-weight, or ``len(seen) >= m``).
"""

from __future__ import annotations

import math

from reference import MASK, Stream, _mean_tree_distance, stream_key

PURPOSE_THRESHOLD = 13  # smmsim._kernels.rng.PURPOSE_THRESHOLD
FIXED, UNIFORM, NORMAL, BETA = 0, 1, 2, 3


def _normal(s: Stream) -> float:
    u1 = s.uniform()
    u2 = s.uniform()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _gamma(s: Stream, alpha: float) -> float:
    boost = 1.0
    if alpha < 1.0:
        boost = s.uniform() ** (1.0 / alpha)
        alpha += 1.0
    d = alpha - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        z = _normal(s)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u = s.uniform()
        if math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v):
            return d * v * boost


def threshold(key: int, user: int, kind: int, a: float, b: float) -> float:
    """The threshold of ``user``: its own stream starts at ``key ^ user``."""
    if kind == FIXED:
        return a
    s = Stream((int(key) ^ int(user)) & MASK)
    if kind == UNIFORM:
        return a + (b - a) * s.uniform()
    if kind == NORMAL:
        return min(max(a + b * _normal(s), 0.0), 1.0)
    x = _gamma(s, a)
    y = _gamma(s, b)
    return 0.5 if x + y <= 0.0 else x / (x + y)


def threshold_reference(
    indptr,
    indices,
    weights,
    segments,
    rows,
    absolute,
    weighted,
    seeds,
    visibility,
    conversion,
    conversion_referred,
    steps,
    root,
    replicate,
):
    """One replicate; returns a dict of plain Python values.

    ``rows`` is a list of ``(kind, a, b)``; ``segments`` the row of each user (or
    ``None`` for row 0 everywhere).
    """
    n = len(indptr) - 1
    followers = [list(indices[indptr[u] : indptr[u + 1]]) for u in range(n)]
    arc_weight = [list(weights[indptr[u] : indptr[u + 1]]) for u in range(n)] if weighted else None
    k_in = [0] * n
    w_in = [0.0] * n
    for u in range(n):
        for i, v in enumerate(followers[u]):
            k_in[v] += 1
            if weighted:
                w_in[v] += arc_weight[u][i]
    cascade = Stream(stream_key(root, replicate, 1))
    conv = Stream(stream_key(root, replicate, 2))
    key_phi = stream_key(root, replicate, PURPOSE_THRESHOLD)
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    sharer, engaged, referred, converted = set(seeds), set(), set(), set()
    first_exposure = {}
    parent = {s: None for s in seeds}
    phi = {}
    seen = {}  # user -> sharers seen
    seen_weight = {}
    out = dict(impressions=0, paid_impressions=0, reach=0, earned_reach=0, engagements=0)
    out.update(conversions=0, referral_conversions=0)
    series = []
    if 0 < visibility < 1:
        skip = cascade.gap(visibility)
    elif visibility >= 1:
        skip = 0
    else:
        skip = math.inf
    shared = []
    frontier = list(seeds)
    t = 0
    while frontier and t < steps:
        new_sharers = []
        row = dict(impressions=0, reach=0, engagements=0, shares=len(frontier), conversions=0)
        for u in frontier:
            shared.append(u)
            for i, v in enumerate(followers[u]):
                if skip > 0:
                    skip -= 1
                    continue
                row["impressions"] += 1
                out["impressions"] += 1
                out["paid_impressions"] += u in seeds
                if v not in first_exposure and v not in sharer:
                    first_exposure[v] = (t, u)
                    row["reach"] += 1
                    out["reach"] += 1
                    if u not in seeds:
                        referred.add(v)
                        out["earned_reach"] += 1
                    r = 0 if segments is None else int(segments[v])
                    phi[v] = threshold(key_phi, v, *rows[r])
                if v not in sharer:
                    seen.setdefault(v, []).append(u)
                    if absolute:
                        tipped = len(seen[v]) >= phi[v]
                    elif weighted:
                        seen_weight[v] = seen_weight.get(v, 0.0) + arc_weight[u][i]
                        tipped = seen_weight[v] >= phi[v] * w_in[v]
                    else:
                        tipped = len(seen[v]) / k_in[v] >= phi[v]
                    if tipped:
                        engaged.add(v)
                        row["engagements"] += 1
                        out["engagements"] += 1
                        p = conversion_referred if v in referred else conversion
                        if p >= 1 or (p > 0 and conv.uniform() < p):
                            converted.add(v)
                            row["conversions"] += 1
                            out["conversions"] += 1
                            out["referral_conversions"] += v in referred
                        sharer.add(v)
                        parent[v] = u
                        new_sharers.append(v)
                if 0 < visibility < 1:
                    skip = cascade.gap(visibility)
        series.append(row)
        frontier = new_sharers
        t += 1
    out.update(
        engaged=len(engaged),
        shares=len(shared),
        seeds=len(seeds),
        pending=len(frontier),
        series=series,
        shared=shared,
        pending_users=frontier,
        parent=parent,
        converted=converted,
        first_exposure=first_exposure,
        phi=phi,
    )
    out["structural_virality"] = _mean_tree_distance(shared, parent)
    return out
