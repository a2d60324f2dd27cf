"""Slow, obvious Python versions of the kernels: the oracle for exact tests.

They use the same SplitMix64 streams as the kernels but are written the plain way:
every tie of every sharer is visited, and an impression happens when the geometric
"trials to skip" counter reaches zero, which is how a Bernoulli sequence looks when its
gaps are drawn directly.
"""

from __future__ import annotations

import math

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def stream_key(root: int, replicate: int, purpose: int) -> int:
    z = mix64(int(root) ^ mix64((replicate * GOLDEN + purpose) & MASK))
    return mix64((z + GOLDEN) & MASK)


class Stream:
    """A SplitMix64 stream with Python integers."""

    def __init__(self, key: int):
        self.state = key

    def uniform(self) -> float:
        self.state = (self.state + GOLDEN) & MASK
        return ((mix64(self.state) >> 11) + 0.5) * 2.0**-53

    def below(self, n: int) -> int:
        return min(int(self.uniform() * n), n - 1)

    def gap(self, p: float) -> int:
        return int(math.log(self.uniform()) * (1.0 / math.log1p(-p)))


def ewom_reference(
    indptr,
    indices,
    seeds,
    visibility,
    stickiness,
    contagion,
    half_life,
    conversion,
    conversion_referred,
    steps,
    root,
    replicate,
    segment_of=None,
    seg_mult=None,
):
    """One replicate of the default eWOM model; returns a dict of plain Python values.

    With ``seg_mult`` (rows of stickiness, contagion and conversion multipliers, one per
    segment of ``segment_of``), a user's probabilities are the content's times their
    segment's row, at most 1."""

    def mult(v, column):
        if seg_mult is None or len(seg_mult) == 0:
            return 1.0
        return float(seg_mult[int(segment_of[v])][column])

    followers = [list(indices[indptr[u] : indptr[u + 1]]) for u in range(len(indptr) - 1)]
    cascade = Stream(stream_key(root, replicate, 1))  # engagement and sharing draws
    conv = Stream(stream_key(root, replicate, 2))
    shown = Stream(stream_key(root, replicate, 4))  # which ties' shares show (gaps)
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    sharer, engaged, referred, converted = set(seeds), set(), set(), set()
    first_exposure = {}  # user -> (step, referrer)
    parent = {s: None for s in seeds}
    out = dict(
        impressions=0,
        paid_impressions=0,
        reach=0,
        earned_reach=0,
        engagements=0,
        conversions=0,
        referral_conversions=0,
    )
    series = []
    if 0 < visibility < 1:
        skip = shown.gap(visibility)
    elif visibility >= 1:
        skip = 0
    else:
        skip = math.inf
    shared = []
    frontier = list(seeds)
    t = 0
    while frontier and t < steps:
        stick = stickiness * 0.5 ** (t / half_life) if half_life > 0 else stickiness
        new_sharers = []
        row = dict(impressions=0, reach=0, engagements=0, shares=len(frontier), conversions=0)
        for u in frontier:
            shared.append(u)
            for v in followers[u]:
                if skip > 0:  # this tie's share does not show in v's feed
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
                if v not in sharer:
                    p_stick = min(1.0, stick * mult(v, 0))
                    is_engaged = p_stick >= 1 or cascade.uniform() < p_stick
                    if is_engaged:
                        row["engagements"] += 1
                        out["engagements"] += 1
                        if v not in engaged:
                            engaged.add(v)
                            p = conversion_referred if v in referred else conversion
                            p = min(1.0, p * mult(v, 2))
                            # a certain outcome (p = 0 or 1) takes no draw
                            buys = p >= 1 or (p > 0 and conv.uniform() < p)
                            if buys:
                                converted.add(v)
                                row["conversions"] += 1
                                out["conversions"] += 1
                                out["referral_conversions"] += v in referred
                        p_share = min(1.0, contagion * mult(v, 1))
                        if p_share >= 1 or cascade.uniform() < p_share:
                            sharer.add(v)
                            parent[v] = u
                            new_sharers.append(v)
                if 0 < visibility < 1:
                    skip = shown.gap(visibility)
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
        parent=parent,
        converted=converted,
        first_exposure=first_exposure,
    )
    out["structural_virality"] = _mean_tree_distance(shared, parent)
    return out


def _mean_tree_distance(nodes, parent):
    """Mean distance over pairs of ``nodes`` in the forest joined by a virtual root."""
    if len(nodes) < 2:
        return 0.0

    def path_to_root(v):
        path = [v]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.append("root")
        return path

    paths = {v: path_to_root(v) for v in nodes}
    total = 0
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            pa, pb = paths[a], paths[b]
            depth_b = {x: d for d, x in enumerate(pb)}
            for d, x in enumerate(pa):
                if x in depth_b:
                    total += d + depth_b[x]
                    break
    return total / (len(nodes) * (len(nodes) - 1) / 2)


def random_seed_set(n, k, root, replicate):
    s = Stream(stream_key(root, replicate, 3))
    chosen = []
    while len(chosen) < k:
        v = s.below(n)
        if v not in chosen:
            chosen.append(v)
    return chosen
