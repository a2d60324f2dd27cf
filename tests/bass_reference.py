"""Slow, obvious Python version of the Bass kernel: the oracle for exact tests.

Every step it looks at every user: a user who has not adopted counts their adopted
friends by scanning all arcs, and adopts by word of mouth with probability
``q * adopted friends / friends`` (``/ (1 - p)`` when the ad ran for them and did not
convert them). Ad adoptions walk the targeted users in id order with a "trials to skip"
countdown, which is how a Bernoulli(p) sequence looks when its gaps are drawn directly.
An imitator's parent is a uniformly chosen adopted friend, kept by reservoir sampling
as friends adopt (in adoption order, the c-th adopted friend replaces the candidate with
probability 1/c). It uses the same SplitMix64 streams as the kernel (:mod:`reference`).
"""

from __future__ import annotations

from reference import GOLDEN, MASK, Stream, _mean_tree_distance, mix64, stream_key

PURPOSE_CASCADE = 1
PURPOSE_CONVERSION = 2
PURPOSE_ADS = 11
PURPOSE_PARENT = 12


def hashed_uniform(key: int, t: int, v: int) -> float:
    """Output number ``(t << 32 | v) + 1`` of the SplitMix64 stream ``key``."""
    z = mix64((key + (((t << 32) | v) + 1) * GOLDEN) & MASK)
    return ((z >> 11) + 0.5) * 2.0**-53


def bass_reference(indptr, indices, seeds, p, q, active, targeted, conversion, conv_ref, root, rep):
    """One replicate; ``targeted`` is a set of users (``None``: everyone).

    Returns a dict of counts, ``series`` (rows of new impressions, reach, engagements,
    shares, conversions), ``order`` (adopters in adoption order), ``parent`` (adopter ->
    parent adopter or None), ``how`` (adopter -> "seed" / "ad" / "wom") and
    ``converted``.
    """
    n = len(indptr) - 1
    arcs = [(u, int(v)) for u in range(n) for v in indices[indptr[u] : indptr[u + 1]]]
    friends = {v: sorted(u for u, w in arcs if w == v) for v in range(n)}  # whom v sees
    wom_key = stream_key(root, rep, PURPOSE_CASCADE)
    parent_key = stream_key(root, rep, PURPOSE_PARENT)
    ads = Stream(stream_key(root, rep, PURPOSE_ADS))
    conv = Stream(stream_key(root, rep, PURPOSE_CONVERSION))
    is_targeted = (lambda v: True) if targeted is None else (lambda v: v in targeted)
    targets = [v for v in range(n) if is_targeted(v)]
    steps = len(active)
    first_active = next((t for t in range(steps) if active[t]), None)

    order = list(dict.fromkeys(int(s) for s in seeds))
    n_seeds = len(order)
    seen, candidate = {}, {}  # adopted friends so far, parent candidate (reservoir)

    def spread(new, adopted):
        for u in new:
            for w in indices[indptr[u] : indptr[u + 1]]:
                w = int(w)
                if w in adopted:
                    continue
                c = seen[w] = seen.get(w, 0) + 1
                if c == 1 or hashed_uniform(parent_key, c, w) * c < 1.0:
                    candidate[w] = u

    if q > 0:
        spread(order, set(order))
    how = {s: "seed" for s in order}
    parent = {s: None for s in order}
    converted = set()
    out = dict.fromkeys(
        ["impressions", "reach", "earned_reach", "engaged", "conversions", "referral_conversions"],
        0,
    )
    series = []
    for t in range(steps):
        before = set(order)  # adopters at the end of step t - 1
        row = dict(impressions=0, reach=0, engagements=0, shares=0, conversions=0)
        new_ad = []
        if active[t]:
            row["impressions"] = sum(1 for v in targets if v not in before)
            if t == first_active:
                row["reach"] += row["impressions"]
            if p > 0:
                skip = ads.gap(p) if p < 1 else 0
                for v in targets:
                    if skip > 0:
                        skip -= 1
                        continue
                    if v not in before:
                        new_ad.append(v)
                    skip = ads.gap(p) if p < 1 else 0
        new_wom = []
        if q > 0:
            for v in range(n):
                if v in before or v in new_ad:
                    continue
                a = sum(1 for u in friends[v] if u in before)
                if a == 0:
                    continue
                prob = q * a / len(friends[v])
                if active[t] and is_targeted(v):
                    prob = prob / (1.0 - p)
                if hashed_uniform(wom_key, t, v) < prob:
                    new_wom.append(v)
        for v in new_ad:
            how[v], parent[v] = "ad", None
        for v in new_wom:
            how[v] = "wom"
            assert seen[v] == sum(1 for u in friends[v] if u in before)
            parent[v] = candidate[v]
            out["earned_reach"] += 1
            if not (is_targeted(v) and first_active is not None and first_active <= t):
                row["reach"] += 1
        for v in new_ad + new_wom:
            referred = how[v] == "wom"
            pv = conv_ref if referred else conversion
            if pv >= 1 or (pv > 0 and conv.uniform() < pv):
                converted.add(v)
                row["conversions"] += 1
                out["referral_conversions"] += referred
        order += new_ad + new_wom
        if q > 0:
            spread(new_ad + new_wom, set(order))
        row["engagements"] = len(new_ad) + len(new_wom)
        row["shares"] = row["engagements"] + (n_seeds if t == 0 else 0)
        series.append(row)
    for row in series:
        out["impressions"] += row["impressions"]
        out["reach"] += row["reach"]
        out["engaged"] += row["engagements"]
        out["conversions"] += row["conversions"]
    out.update(
        paid_impressions=out["impressions"],
        engagements=out["engaged"],
        shares=len(order),
        seeds=n_seeds,
        pending=0,
        series=series,
        order=order,
        parent=parent,
        how=how,
        converted=converted,
        structural_virality=_mean_tree_distance(order, parent),
    )
    return out
