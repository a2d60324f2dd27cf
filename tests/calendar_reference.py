"""Slow, obvious Python version of one replicate of a content calendar (several posts of
one brand, with audience fatigue and per-segment multipliers).

It follows the rules of :mod:`smmsim._kernels.posts` literally, with the same
counter-based draws (``mix64``, ``stream_key``, ``Stream`` from ``reference``): every draw
is keyed by what it is for (post and tie, post and user), and which followers see a share
comes from a stream of that sharer and post, read the plain way (every tie visited, an
impression when the "trials to skip" counter reaches zero).

Returns plain Python values: the totals by the ledger's count columns, the per-step
series, each post's tallies, the sharer records and each user's record (first contact,
first post, conversion credited), and an event log with one tuple ``(step, post, sharer,
user, what)`` per impression, in the order they happen (``what``: a sum of ``EV_*``).
"""

from __future__ import annotations

import math

from reference import GOLDEN, MASK, Stream, mix64, stream_key

from smmsim._kernels.layout import COUNT_COLUMNS
from smmsim._kernels.posts_layout import POST_COLUMNS

PURPOSE_CALENDAR = 32
MAX_POSTS = 32
GAP_STREAM = 4096
ENGAGE, SHARE, CONVERT = 1, 2, 3

EV_REACH = 1  # the user's first impression of the campaign
EV_POST_REACH = 2  # the user's first impression of this post
EV_ENGAGE = 4
EV_FIRST_ENGAGE = 8  # first engagement with this post
EV_CONVERT = 16
EV_SHARE = 32

#: The count table and per-post tallies the reference fills, by the kernel's names.
COUNTS = COUNT_COLUMNS


def _stream(key: int, b: int) -> int:
    return mix64(key ^ mix64(b & MASK))


def _u(slot_key: int, a: int) -> float:
    z = mix64((slot_key + a * GOLDEN) & MASK)
    return ((z >> 11) + 0.5) * 2.0**-53


def _chance(slot_key: int, a: int, p: float) -> bool:
    if p >= 1.0:
        return True
    if p <= 0.0:
        return False
    return _u(slot_key, a) < p


def calendar_reference(
    indptr,
    indices,
    posts,
    seeds,
    conversion,
    conversion_referred,
    fatigue,
    steps,
    root,
    replicate,
    segment_of=None,
    seg_mult=None,
):
    """One replicate. ``posts`` is a list of dicts with ``visibility``, ``stickiness``,
    ``contagion``, ``half_life`` (0: none) and ``launch``; ``seeds[p]`` lists post ``p``'s
    seeds; ``seg_mult[g]`` is ``(stickiness, contagion, conversion)`` multipliers of
    segment ``g`` (``None``: none)."""
    key = stream_key(root, replicate, PURPOSE_CALENDAR)
    keys = [
        {slot: _stream(key, 8 * p + slot) for slot in (ENGAGE, SHARE, CONVERT)}
        for p in range(len(posts))
    ]
    multiplied = seg_mult is not None and len(seg_mult) > 0 and segment_of is not None
    counts = dict.fromkeys(COUNTS, 0)
    tallies = [dict.fromkeys(POST_COLUMNS, 0) for _ in posts]
    series = []
    log = []
    # campaign: users reached, referred (first exposure earned), engaged, converted;
    # exposures so far; per (user, post): reached, referred, engaged, shared, seeded
    reached, referred, engaged, converted = set(), set(), set(), set()
    exposures = {}
    p_reached, p_referred, p_engaged, p_shared, p_seed = set(), set(), set(), set(), set()
    p_referrer = {}
    user = {}  # v -> dict(referrer, first_step, first_post, buy_post, buy_ref)
    records = []  # (user, parent position, post)
    last_launch = max(p["launch"] for p in posts)
    head = 0
    t = 0
    while t < steps and (head < len(records) or t <= last_launch):
        row = dict(impressions=0, reach=0, engagements=0, shares=0, conversions=0)
        for p, post in enumerate(posts):
            if post["launch"] != t:
                continue
            for s in seeds[p]:
                if (s, p) in p_seed:
                    continue
                p_seed.add((s, p))
                p_shared.add((s, p))
                if s not in user:
                    user[s] = dict(referrer=-1, first_step=t, first_post=p, buy_post=-1, buy_ref=-1)
                records.append((s, -1, p))
                tallies[p]["sharers"] += 1
                counts["seeds"] += 1
        gen_end = len(records)
        row["shares"] += gen_end - head
        counts["shares"] += gen_end - head
        for pos in range(head, gen_end):
            u, par, p = records[pos]
            post = posts[p]
            vis = post["visibility"]
            if vis <= 0:
                continue
            shown = Stream(_stream(key, (u * MAX_POSTS + p) * GOLDEN + GAP_STREAM))
            skip = shown.gap(vis) if vis < 1 else 0
            for j in range(indptr[u], indptr[u + 1]):
                if skip > 0:
                    skip -= 1
                    continue
                if vis < 1:
                    skip = shown.gap(vis)
                v = indices[j]
                ev = dict(v=v, p=p, j=j, pos=pos, u=u, t=t, from_seed=par < 0)
                what = _impression(
                    ev, posts, keys, counts, tallies, row, reached, referred, engaged,
                    converted, exposures, p_reached, p_referred, p_engaged, p_shared, p_seed,
                    p_referrer, user, records, conversion, conversion_referred, fatigue,
                    multiplied, segment_of, seg_mult,
                )  # fmt: skip
                log.append((t, p, u, v, what))
        for k in ("impressions", "reach", "engagements", "conversions"):
            counts[k] += row[k]
        series.append(row)
        head = gen_end
        t += 1
    counts["pending_shares"] = len(records) - head
    users = {
        v: dict(rec, flags=_flags(v, reached, referred, engaged, converted, records, p_seed))
        for v, rec in user.items()
    }
    return dict(
        counts=counts,
        series=series,
        tallies=tallies,
        records=records,
        users=users,
        log=log,
        steps_run=t,
        depth=_depth([r[1] for r in records[:head]]),
        virality=_virality([r[1] for r in records]),
    )


def _flags(v, reached, referred, engaged, converted, records, p_seed):
    f = 0
    f |= 1 if v in reached else 0
    f |= 2 if v in engaged else 0
    f |= 4 if any(r[0] == v for r in records) else 0
    f |= 8 if any(s == v for s, _ in p_seed) else 0
    f |= 16 if v in referred else 0
    f |= 32 if v in converted else 0
    return f


def _impression(ev, posts, keys, counts, tallies, row, reached, referred, engaged, converted,
                exposures, p_reached, p_referred, p_engaged, p_shared, p_seed, p_referrer,
                user, records, conversion, conversion_referred, fatigue, multiplied,
                segment_of, seg_mult):  # fmt: skip
    """One impression (the rules of :mod:`smmsim._kernels.posts`); returns its ``EV_*``."""
    v, p, j, pos, u, t, from_seed = (ev[k] for k in ("v", "p", "j", "pos", "u", "t", "from_seed"))
    post = posts[p]
    what = 0
    row["impressions"] += 1
    counts["paid_impressions"] += 1 if from_seed else 0
    tallies[p]["impressions"] += 1
    if v not in user:
        user[v] = dict(referrer=u, first_step=t, first_post=p, buy_post=-1, buy_ref=-1)
    if (v, p) not in p_seed:
        if v not in reached:
            reached.add(v)
            row["reach"] += 1
            what |= EV_REACH
            if not from_seed:
                referred.add(v)
                counts["earned_reach"] += 1
        if (v, p) not in p_reached:
            p_reached.add((v, p))
            p_referrer[(v, p)] = u
            what |= EV_POST_REACH
            tallies[p]["reach"] += 1
            if not from_seed:
                p_referred.add((v, p))
                tallies[p]["earned_reach"] += 1
    e = exposures.get(v, 0)
    exposures[v] = e + 1
    if (v, p) in p_shared:
        return what
    stick = post["stickiness"]
    if post["half_life"] > 0:
        stick = stick * 0.5 ** ((t - post["launch"]) / post["half_life"])
    if fatigue > 0 and e > 0:
        stick = stick * math.pow(1.0 - fatigue, float(e))
    mult = seg_mult[segment_of[v]] if multiplied else (1.0, 1.0, 1.0)
    if multiplied:
        stick = min(1.0, stick * mult[0])
    if not _chance(keys[p][ENGAGE], j, stick):
        return what
    what |= EV_ENGAGE
    row["engagements"] += 1
    if (v, p) not in p_engaged:
        p_engaged.add((v, p))
        what |= EV_FIRST_ENGAGE
        tallies[p]["engaged"] += 1
        if v not in engaged:
            engaged.add(v)
            counts["engaged"] += 1
        if v not in converted:
            ref = (v, p) in p_referred
            c = conversion_referred if ref else conversion
            if multiplied:
                c = min(1.0, c * mult[2])
            if _chance(keys[p][CONVERT], v, c):
                converted.add(v)
                what |= EV_CONVERT
                row["conversions"] += 1
                tallies[p]["conversions"] += 1
                if ref:
                    counts["referral_conversions"] += 1
                    tallies[p]["referral_conversions"] += 1
                user[v]["buy_post"] = p
                user[v]["buy_ref"] = p_referrer.get((v, p), -1)
    c = post["contagion"]
    if multiplied:
        c = min(1.0, c * mult[1])
    if _chance(keys[p][SHARE], j, c):
        what |= EV_SHARE
        p_shared.add((v, p))
        records.append((v, pos, p))
        tallies[p]["sharers"] += 1
    return what


def _depth(parents):
    gen = []
    for par in parents:
        gen.append(0 if par < 0 else gen[par] + 1)
    return max(gen, default=0)


def _virality(parents):
    nn = len(parents)
    if nn < 2:
        return 0.0
    size = [1] * nn
    for pos in range(nn - 1, -1, -1):
        if parents[pos] >= 0:
            size[parents[pos]] += size[pos]
    return sum(s * (nn - s) for s in size) / (0.5 * nn * (nn - 1))
