"""A content calendar: several posts of one brand on one audience, with audience fatigue.

Posts ``p = 0 .. P-1`` go out at their launch steps, each from its own seeds, and each
spreads as the default model's one content does (:mod:`smmsim._kernels.ewom`): a sharer's
follower sees the share with the post's ``visibility`` (an impression); a user who has not
shared that post engages at each impression with the post's stickiness, halving every
``half_life`` steps from the post's own launch; an engagement becomes a share of that
post at the next step with its ``contagion``. A user engages for the first time with and
shares each post at most once, and converts at most once in the campaign.

The rules, at an impression of post ``p`` on user ``v`` at step ``t`` (``docs/campaigns.md``
says them for users):

1. **Reach.** The impression reaches ``v`` for the campaign if it is their first
   impression of any post (earned when it came from a peer's share, not from a seed of
   ``p``), and reaches ``v`` for ``p`` if it is their first of ``p`` (earned likewise). A
   seed of ``p`` is not reached by ``p`` (their own post).
2. **Fatigue.** Stickiness is multiplied by ``(1 - fatigue) ** e``, ``e`` being the number
   of impressions (of any post) ``v`` received before this one.
3. **Engagement.** A user who has not shared ``p`` engages with probability
   ``min(1, stickiness_p(t) x (1 - fatigue) ** e x m_s)`` (``m_s``: the stickiness
   multiplier of ``v``'s segment, 1 without multipliers).
4. **Conversion.** At ``v``'s first engagement with ``p``, a user who has not converted
   converts with probability ``min(1, c x m_c)``, ``c`` being ``conversion``, or
   ``conversion x referral_multiplier`` when ``v``'s first exposure to ``p`` came from a
   peer; the conversion is credited to ``p`` (and to the peer who showed ``v`` the post
   first, in a trace).
5. **Sharing.** An engagement becomes a share of ``p`` with probability ``min(1,
   contagion_p x m_g)``; ``v`` then shares ``p`` at ``t + 1`` and never engages with ``p``
   again.

At step ``t``, the posts launching at ``t`` place their seeds first, in post order (a
user listed twice by one post counts once; an account seeded by two posts shares both);
then the step's sharers, in activation order, show their posts. The campaign's totals
go through the ledger as the default model's do (impressions, reach and earned reach by
users, engaged users, engagements, shares and seeds per user and post, conversions), and
each post's own totals to the ledger's ``tallies``
(:mod:`smmsim._kernels.posts_layout`).

Random numbers are counter-based, keyed by event: the engage and share draws of post
``p`` over the tie at CSR position ``j`` are ``U(j, 8 p + 1)`` and ``U(j, 8 p + 2)``, its
conversion draw for user ``v`` is ``U(v, 8 p + 3)``, and which followers see a sharer's
share of ``p`` comes from geometric gaps drawn from a stream of that sharer and post
(``U(a, b)``: position ``a`` of the SplitMix64 stream ``b`` of the replicate's key). Two
posts therefore spread independently: without fatigue, a user is reached by either with
probability ``1 - (1 - r1)(1 - r2)``. As in the default kernel, a step's impressions are
listed a batch at a time and then shown in order, the users' state words prefetched
ahead of the one being shown.

References
----------
D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
social network", KDD 2003 (the independent cascade).
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels import layout as K
from smmsim._kernels import ledger as L
from smmsim._kernels import prefetch as P
from smmsim._kernels.funnel import structural_virality
from smmsim._kernels.layout import P_CONTAGION, P_HALF_LIFE, P_STICKINESS, P_VISIBILITY
from smmsim._kernels.posts_layout import (
    MAX_POSTS,
    N_POST_COLUMNS,
    Q_CONVERSIONS,
    Q_EARNED_REACH,
    Q_ENGAGED,
    Q_IMPRESSIONS,
    Q_REACH,
    Q_REFERRAL_CONVERSIONS,
    Q_SHARERS,
)
from smmsim._kernels.rng import (
    GAP_BITS,
    GOLDEN,
    PURPOSE_CALENDAR,
    chance_at,
    first_tie,
    gap_table,
    next_tie,
    stream_key,
    substream,
)

#: Columns of the per-post parameters (``params[p, P_*]``): the spread parameters of
#: :mod:`smmsim._kernels.layout`.
N_PARAMS = 4
#: Columns of the per-post integers (``ints[p, I_*]``): launch step, and the post's seeds
#: as columns ``I_SEED_START .. I_SEED_END - 1`` of the replicate's seed row.
I_LAUNCH = 0
I_SEED_START = 1
I_SEED_END = 2
N_INTS = 3
#: The funnel (``funnel[F_*]``).
F_CONVERSION = 0
F_CONVERSION_REFERRED = 1
F_FATIGUE = 2
N_FUNNEL = 3
#: Columns of the per-segment multipliers (``seg_mult[g, M_*]``).
M_STICKINESS = 0
M_CONTAGION = 1
M_CONVERSION = 2

#: Slots of the draws of post ``p``: ``8 p + slot``.
D_ENGAGE = 1
D_SHARE = 2
D_CONVERT = 3
#: A sharer's impressions of a post: geometric gaps over its followers, from the stream
#: ``(user * MAX_POSTS + post) * GOLDEN + GAP_STREAM``.
GAP_STREAM = 4096

# a user's campaign word (int64): flags (the ledger's bits, for any post) in bits 0-7,
# the number of impressions received so far in bits 8-31, the replicate stamp above.
# A user's word for a post (int32): the flags for that post, the stamp above bit 8.
E_SHIFT = 8
E_MAX = (1 << 24) - 1
STAMP_SHIFT = 32
POST_STAMP_SHIFT = 8
FLAGS = 0xFF
#: Largest replicate stamp that fits in a post word; the state is cleared after it.
MAX_STAMP = (1 << (31 - POST_STAMP_SHIFT)) - 1


def new_work(n, record):
    """A worker's workspace: users' campaign words, the stamp, the sharer records (user,
    parent position, post), scratch, users' words per post, and a trace's record (each
    user's referrer, first step and first post, and the post and referrer credited with
    their conversion)."""
    n = int(n)
    m = n if record else 0
    return (
        np.zeros(n, dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.empty(n * MAX_POSTS, dtype=np.int32),
        np.empty(n * MAX_POSTS, dtype=np.int32),
        np.empty(n * MAX_POSTS, dtype=np.int8),
        np.empty(n * MAX_POSTS, dtype=np.int32),
        np.zeros(n * MAX_POSTS, dtype=np.int32),
        np.empty(m, dtype=np.int32),
        np.empty(m, dtype=np.int32),
        np.empty(m, dtype=np.int32),
        np.empty(m, dtype=np.int32),
        np.empty(m, dtype=np.int32),
    )


@jit(inline="always")
def _depth(parent, n_shared, gen):
    """Generations of sharing beyond the seeds among the first ``n_shared`` sharer
    records (those who shared within the horizon); ``gen`` is scratch space."""
    depth = 0
    for pos in range(n_shared):
        g = 0 if parent[pos] < 0 else gen[parent[pos]] + 1
        gen[pos] = g
        depth = max(depth, g)
    return depth


@jit(inline="always")
def _show(
    tv, tp, tj, nb, acc, books, segment_of, segmented, state, pws, order, parent, opost,
    tail, mark, pmark, cur, n, t, stick, params, keys, funnel, multiplied, seg_mult, tally,
    record, rec,
):  # fmt: skip
    """Show the impressions ``tv[:nb]`` (users) over the ties ``tj[:nb]``, of the shares
    of the records ``tp[:nb]``, in order, at step ``t`` (the rules of the module's
    docstring); ``keys[slot, p]`` are post ``p``'s draw slots, ``rec`` a trace's
    record (:func:`new_work`) and each user's referrer per post. Returns the new end of
    the sharer records."""
    referrer, first_step, first_post, buy_post, buy_ref, pref = rec
    conversion = funnel[F_CONVERSION]
    conversion_referred = funnel[F_CONVERSION_REFERRED]
    fatigue = funnel[F_FATIGUE]
    keep = 1.0 - fatigue
    for i in range(nb):
        if i + P.PREFETCH_STATE < nb:
            w = tv[i + P.PREFETCH_STATE]
            P.prefetch(state, w)
            P.prefetch(pws, np.int64(opost[tp[i + P.PREFETCH_STATE]]) * n + w)
        v = tv[i]
        pos = tp[i]
        j = tj[i]
        p = np.int64(opost[pos])
        from_seed = parent[pos] < 0
        col = p * N_POST_COLUMNS
        L.step_impression(acc, from_seed)
        if segmented:
            L.user_impressed(books, segment_of, v, 1)
        tally[col + Q_IMPRESSIONS] += 1
        at = p * n + v
        uw = state[v]
        fresh = (uw >> STAMP_SHIFT) != cur
        if fresh:
            uw = mark
        pw = pws[at]
        if (pw >> POST_STAMP_SHIFT) != cur:
            pw = pmark
        if (pw & K.SEED) == 0:
            if (uw & K.REACHED) == 0:
                L.step_reach(acc, not from_seed)
                uw |= K.REACHED
                if not from_seed:
                    uw |= K.REFERRED
                if segmented:
                    L.user_reached(books, segment_of, v, not from_seed)
            if (pw & K.REACHED) == 0:
                pw |= K.REACHED
                tally[col + Q_REACH] += 1
                if not from_seed:
                    pw |= K.REFERRED
                    tally[col + Q_EARNED_REACH] += 1
                if record:
                    pref[at] = order[pos]
        if record and fresh:
            referrer[v] = order[pos]
            first_step[v] = t
            first_post[v] = p
            buy_post[v] = -1
            buy_ref[v] = -1
        e = (uw >> E_SHIFT) & E_MAX
        if e < E_MAX:
            uw += np.int64(1) << E_SHIFT
        if (pw & K.SHARER) == 0:
            g = segment_of[v] if multiplied else 0
            s = stick[p]
            if fatigue > 0.0 and e > 0:
                s = s * keep ** float(e)
            if multiplied:
                s = min(1.0, s * seg_mult[g, M_STICKINESS])
            if chance_at(keys[D_ENGAGE, p], j, s):
                first = (uw & K.ENGAGED) == 0
                L.step_engagement(acc, first)
                if (pw & K.ENGAGED) == 0:
                    pw |= K.ENGAGED
                    tally[col + Q_ENGAGED] += 1
                    if first:
                        uw |= K.ENGAGED
                        if segmented:
                            L.user_engaged(books, segment_of, v)
                    if (uw & K.CONVERTED) == 0:
                        referred = (pw & K.REFERRED) != 0
                        c = conversion_referred if referred else conversion
                        if multiplied:
                            c = min(1.0, c * seg_mult[g, M_CONVERSION])
                        if chance_at(keys[D_CONVERT, p], v, c):
                            uw |= K.CONVERTED
                            L.step_conversion(acc, referred)
                            tally[col + Q_CONVERSIONS] += 1
                            if referred:
                                tally[col + Q_REFERRAL_CONVERSIONS] += 1
                            if segmented:
                                L.user_converted(books, segment_of, v, referred)
                            if record:
                                buy_post[v] = p
                                buy_ref[v] = pref[at]
                c = params[p, P_CONTAGION]
                if multiplied:
                    c = min(1.0, c * seg_mult[g, M_CONTAGION])
                if chance_at(keys[D_SHARE, p], j, c):
                    pw |= K.SHARER
                    uw |= K.SHARER
                    tally[col + Q_SHARERS] += 1
                    order[tail] = v
                    parent[tail] = pos
                    opost[tail] = p
                    tail += 1
        pws[at] = pw
        state[v] = uw
    return tail


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, params, ints, funnel, seg_mult)``: the per-post
    ``P_*`` parameters and ``I_*`` integers, the ``F_*`` funnel and the per-segment
    multipliers (``(segments, 3)``, columns ``M_*``, indexed by ``segment_of``; shape
    ``(0, 3)`` for none). Replicate ``r``'s row of ``seed_sets`` (or the one shared row)
    holds every post's seeds, post ``p``'s in its ``I_SEED_START .. I_SEED_END`` columns.
    """
    indptr, indices, params, ints, funnel, seg_mult = args
    state, stamp, order, parent, opost, size, pws, referrer, first_step, first_post = work[:10]
    buy_post = work[10]
    buy_ref = work[11]
    record = referrer.shape[0] > 0
    shared_seeds = seed_sets.shape[0] == 1
    runs, virality_out, events, tallies = ledger
    books, acc, segmented = L.open_books(ledger, segment_of, steps)
    n = np.int64(indptr.shape[0] - 1)
    n_posts = params.shape[0]
    multiplied = seg_mult.shape[0] > 0 and segment_of.shape[0] > 0
    # the per-post referrer of each user, for a trace's credited referrer
    pref = np.empty(n * n_posts if record else 0, dtype=np.int32)
    tv = np.empty(P.SHOW_BATCH, dtype=np.int32)
    tp = np.empty(P.SHOW_BATCH, dtype=np.int64)
    tj = np.empty(P.SHOW_BATCH, dtype=np.int64)
    # one gap table per distinct visibility
    tab_of = np.zeros(n_posts, dtype=np.int64)
    inv_log_q = np.zeros(n_posts, dtype=np.float64)
    tabs = np.zeros((n_posts, 1 << GAP_BITS), dtype=np.int64)
    last_launch = np.int64(-1)
    for p in range(n_posts):
        last_launch = max(last_launch, ints[p, I_LAUNCH])
        vis = params[p, P_VISIBILITY]
        tab_of[p] = p
        for q in range(p):
            if params[q, P_VISIBILITY] == vis:
                tab_of[p] = tab_of[q]
                break
        if 0.0 < vis < 1.0:
            inv_log_q[p] = 1.0 / np.log1p(-vis)
            if tab_of[p] == p:
                tabs[p] = gap_table(inv_log_q[p])
    keys = np.empty((4, n_posts), dtype=np.uint64)
    rec = (referrer, first_step, first_post, buy_post, buy_ref, pref)
    stick = np.empty(n_posts, dtype=np.float64)
    cur = stamp[0]
    for r in reps:
        cur += 1
        if cur > MAX_STAMP:
            state[:] = 0
            pws[:] = 0
            cur = 1
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        key = stream_key(root, rep, PURPOSE_CALENDAR)
        for p in range(n_posts):
            base = np.uint64(8 * p)
            for slot in (D_ENGAGE, D_SHARE, D_CONVERT):
                keys[slot, p] = substream(key, base + np.uint64(slot))
        mark = np.int64(cur) << STAMP_SHIFT
        pmark = np.int32(cur << POST_STAMP_SHIFT)
        tally = tallies[r]
        head = 0
        tail = 0
        t = 0
        while t < steps and (head < tail or t <= last_launch):
            # --- launches: each post's seeds, in post order
            for p in range(n_posts):
                if ints[p, I_LAUNCH] != t:
                    continue
                n_placed = 0
                for i in range(ints[p, I_SEED_START], ints[p, I_SEED_END]):
                    s = seed_sets[row, i]
                    at = p * n + s
                    pw = pws[at]
                    if (pw >> POST_STAMP_SHIFT) == cur:
                        continue  # listed twice by this post
                    pws[at] = pmark | np.int32(K.SHARER | K.SEED)
                    uw = state[s]
                    if (uw >> STAMP_SHIFT) != cur:
                        uw = mark
                        if record:
                            referrer[s] = -1
                            first_step[s] = t
                            first_post[s] = p
                            buy_post[s] = -1
                            buy_ref[s] = -1
                    state[s] = uw | (K.SHARER | K.SEED)
                    order[tail] = s
                    parent[tail] = -1
                    opost[tail] = p
                    tail += 1
                    n_placed += 1
                tally[p * N_POST_COLUMNS + Q_SHARERS] += n_placed
                L.seeded(books, n_placed)
            gen_end = tail
            for p in range(n_posts):
                stick[p] = params[p, P_STICKINESS]
                hl = params[p, P_HALF_LIFE]
                if hl > 0.0:
                    stick[p] = stick[p] * 0.5 ** ((t - ints[p, I_LAUNCH]) / hl)
            # sharers are counted (and tallied by segment) when they share, not when
            # they decide to: one about to share at the horizon is pending
            L.step_shares(books, segment_of, order, head, gen_end)
            prefetch = gen_end - head > P.PREFETCH_MIN
            nb = 0
            for pos in range(head, gen_end):
                if prefetch and pos + P.PREFETCH_BOUNDS < tail:
                    P.prefetch(indptr, order[pos + P.PREFETCH_BOUNDS])
                if prefetch and pos + P.PREFETCH_ROW < tail:
                    P.prefetch(indices, indptr[order[pos + P.PREFETCH_ROW]])
                u = order[pos]
                p = np.int64(opost[pos])
                a = indptr[u]
                b = indptr[u + 1]
                vis = params[p, P_VISIBILITY]
                if vis <= 0.0 or a == b:
                    continue
                draw_gaps = vis < 1.0
                s_g = substream(key, (np.uint64(u) * np.uint64(MAX_POSTS) + np.uint64(p)) * GOLDEN
                              + np.uint64(GAP_STREAM))  # fmt: skip
                tab = tabs[tab_of[p]]
                s_g, j = first_tie(s_g, a, draw_gaps, inv_log_q[p], tab)
                while j < b:
                    tv[nb] = indices[j]
                    tp[nb] = pos
                    tj[nb] = j
                    nb += 1
                    if nb == P.SHOW_BATCH:
                        tail = _show(
                            tv, tp, tj, nb, acc, books, segment_of, segmented, state, pws,
                            order, parent, opost, tail, mark, pmark, cur, n, t, stick, params,
                            keys, funnel, multiplied, seg_mult, tally, record, rec,
                        )  # fmt: skip
                        nb = 0
                    s_g, j = next_tie(s_g, j, draw_gaps, inv_log_q[p], tab)
            if nb > 0:
                tail = _show(
                    tv, tp, tj, nb, acc, books, segment_of, segmented, state, pws, order,
                    parent, opost, tail, mark, pmark, cur, n, t, stick, params, keys, funnel,
                    multiplied, seg_mult, tally, record, rec,
                )  # fmt: skip
            L.close_step(books, t)
            head = gen_end
            t += 1
        L.pending(books, tail - head)
        depth = _depth(parent, head, size)
        virality = structural_virality(parent, tail, 0, size)
        peak = L.peak_step(books, t, K.T_IMPRESSIONS)
        ev_pos = L.close_run(books, runs, virality_out, events, r, ev_pos, t, depth, peak, virality)
    stamp[0] = cur


@jit
def traced(work, n_shared):
    """The per-user record of the replicate just run on a recording ``work`` (see
    :func:`smmsim._kernels.ledger.user_record`), then each user's first post and the post
    and referrer credited with their conversion (-1: none), and each sharer record's post."""
    state, stamp, order, parent, opost = work[:5]
    referrer, first_step, first_post = work[7], work[8], work[9]
    buy_post, buy_ref = work[10], work[11]
    nodes, flags = L.stamped(state, stamp[0], STAMP_SHIFT, 0, FLAGS)
    base = L.user_record(nodes, flags, referrer, first_step, order, parent, n_shared)
    return (
        base,
        first_post[nodes],
        buy_post[nodes],
        buy_ref[nodes],
        opost[:n_shared].copy(),
    )
