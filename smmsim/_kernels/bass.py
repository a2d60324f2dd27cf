"""The Bass diffusion kernel on a network (Bass 1969).

One replicate. Seeds (when seeded) are adopters at step 0. At every step ``t`` each user
who has not adopted yet adopts

* by advertising with probability ``p``, if the ads run at step ``t`` and the user is in
  the targeted audience (innovation), or otherwise
* by word of mouth with probability ``q * a / d``, where ``d`` is the user's in-degree
  (accounts they see) and ``a`` how many of those had adopted by the end of step
  ``t - 1`` (imitation).

The two are exclusive: a targeted user adopts by the ad with probability ``p`` and, if
not, by word of mouth with probability ``q f / (1 - p)``, so the adoption hazard is
exactly Bass's ``p + q f`` (``p + q <= 1`` is required).

Work per step is proportional to the users who can adopt, not to the audience:

* ad adoptions are found by geometric gap draws over the list of targeted users
  (users who have adopted already are passed over), so an ad step costs about
  ``p x targeted`` operations; the ad impressions (every targeted user who has not
  adopted sees the ad once per ad step) are counted in closed form;
* word of mouth is drawn only for the at-risk frontier, the users with at least one
  adopted friend, whose adopted-friend counters are kept in stamped per-user words
  (nothing is cleared between replicates).

An imitator's parent is a uniformly chosen friend who had adopted before, kept by
reservoir sampling as the friends adopt (the c-th adopted friend replaces the candidate
with probability 1/c), so choosing it costs nothing at adoption time.

Random numbers: ad gaps come from the replicate's ads stream in the order of the
targeted list; a word-of-mouth draw is a counter-based draw keyed by ``(stream, step,
user)``, so it does not depend on the order in which the frontier is visited, and a
reservoir draw is keyed by ``(stream, friends so far, user)``; conversions are drawn
from the replicate's conversion stream in the order of adoption (within a step: ad
adopters in the order of the targeted list, then imitators by user id). A replicate's
outcome therefore does not depend on which thread runs it.

A user's per-replicate state is one ``int64`` word, ``(stamp << STAMP_SHIFT) | (adopted
friends << FLAG_BITS) | flags``, so a word-of-mouth draw or a follower update touches one
word; the frontier keeps each member's in-degree beside it, read once when they join.

References
----------
F. M. Bass, "A new product growth for model consumer durables", Management Science
15(5), 215-227 (1969).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from smmsim._config import jit
from smmsim._kernels.funnel import (
    C_CONVERSIONS,
    C_EARNED_REACH,
    C_ENGAGED,
    C_ENGAGEMENTS,
    C_IMPRESSIONS,
    C_PAID_IMPRESSIONS,
    C_PENDING,
    C_REACH,
    C_REFERRAL_CONVERSIONS,
    C_SEEDS,
    C_SHARES,
    N_COUNTS,
    N_SERIES,
    T_CONVERSIONS,
    T_ENGAGEMENTS,
    T_IMPRESSIONS,
    T_REACH,
    T_SHARES,
    converts,
    structural_virality,
)
from smmsim._kernels.rng import (
    GOLDEN,
    PURPOSE_ADS,
    PURPOSE_CASCADE,
    PURPOSE_CONVERSION,
    PURPOSE_PARENT,
    S11,
    TWO_M53,
    fast_gap,
    gap_table,
    mix64,
    stream_key,
)

# user flags (the low FLAG_BITS bits of a user's state word, valid only where the word's
# stamp is the current replicate's); bits FLAG_BITS .. STAMP_SHIFT - 1 count the user's
# adopted in-neighbours
ADOPTED = np.int64(1)
SEED = np.int64(2)
AT_RISK = np.int64(4)  # in the word-of-mouth frontier
IMITATED = np.int64(8)  # adopted by word of mouth (a referred user)
CONVERTED = np.int64(16)
AD = np.int64(32)  # adopted because of an ad
FLAG_BITS = 6
FLAG_MASK = np.int64((1 << FLAG_BITS) - 1)
STAMP_SHIFT = 40
LOW_MASK = np.int64((1 << STAMP_SHIFT) - 1)  # flags and counter
CNT_MASK = np.int64((1 << (STAMP_SHIFT - FLAG_BITS)) - 1)
CNT_ONE = np.int64(1 << FLAG_BITS)
#: Largest replicate stamp that fits above the counter; a workspace is cleared after it.
MAX_STAMP = (1 << (63 - STAMP_SHIFT)) - 1


S32 = np.uint64(32)
#: Default of ``dense_share``: 0 keeps the frontier a sorted list whatever its size. With
#: ``dense_share = k > 0`` a step where more than 1/k of the audience is at risk scans
#: every user in memory order instead (the switch of direction-optimizing BFS); the
#: outcome is identical, and on a 1M-user audience neither way was measurably faster.
DENSE_SHARE = 0


@jit
def hashed_uniform(key, t, v):
    """Uniform on (0, 1) for user ``v`` at step ``t`` of stream ``key``.

    Output number ``(t << 32 | v) + 1`` of the SplitMix64 stream ``key``, reached
    directly (the stream's state is ``key + i * GOLDEN``), so draws do not depend on
    the order in which users are visited.
    """
    ctr = ((np.uint64(t) << S32) | np.uint64(v)) + np.uint64(1)
    z = mix64(key + ctr * GOLDEN)
    return (float(z >> S11) + 0.5) * TWO_M53


@jit
def _spread(indptr, indices, u, u_pos, mark, state, cand, key_parent, frontier, nf, listed):
    """Adopter ``u`` (position ``u_pos`` in adoption order) becomes visible to its
    followers: count it, keep it as a follower's parent candidate with probability
    1 / (adopted friends so far) (reservoir sampling, so the candidate is uniform over
    the adopted friends), and grow the frontier (its list only when ``listed``).

    Returns the list's new length and the number of users newly at risk.
    """
    added = 0
    for j in range(indptr[u], indptr[u + 1]):
        w = indices[j]
        word = state[w]
        if (word & ~LOW_MASK) != mark:
            word = mark
        if (word & ADOPTED) != 0:
            continue
        word += CNT_ONE
        c = (word >> FLAG_BITS) & CNT_MASK
        if c == 1 or hashed_uniform(key_parent, c, w) * float(c) < 1.0:
            cand[w] = u_pos
        if (word & AT_RISK) == 0:
            word |= AT_RISK
            added += 1
            if listed:
                frontier[nf] = w
                nf += 1
        state[w] = word
    return nf, added


@jit
def _merge_new(in_deg, frontier, fdeg, keep, nf, out, out_deg):
    """Sort the frontier's new members ``frontier[keep:nf]`` by id and merge them into
    the sorted survivors ``frontier[:keep]``, with their in-degrees.

    Returns ``True`` when the result is in ``out`` / ``out_deg`` (swap the buffers),
    ``False`` when it stayed in ``frontier`` / ``fdeg``. A sorted frontier is visited in
    memory order and yields its imitators already sorted.
    """
    frontier[keep:nf].sort()
    if keep == 0:
        for i in range(nf):
            fdeg[i] = in_deg[frontier[i]]
        return False
    i = 0
    j = keep
    o = 0
    while i < keep and j < nf:
        if frontier[i] < frontier[j]:
            out[o] = frontier[i]
            out_deg[o] = fdeg[i]
            i += 1
        else:
            w = frontier[j]
            out[o] = w
            out_deg[o] = in_deg[w]
            j += 1
        o += 1
    while i < keep:
        out[o] = frontier[i]
        out_deg[o] = fdeg[i]
        i += 1
        o += 1
    while j < nf:
        w = frontier[j]
        out[o] = w
        out_deg[o] = in_deg[w]
        j += 1
        o += 1
    return True


@jit
def run_one(
    indptr,
    indices,
    in_deg,
    seeds,
    p,
    q,
    active,
    target_all,
    target_users,
    target_mask,
    conversion,
    conversion_referred,
    steps,
    dense_share,
    gap_tab,
    key_wom,
    key_ads,
    key_parent,
    key_conv,
    cur,
    state,
    cand,
    order,
    parent,
    frontier,
    fdeg,
    frontier2,
    fdeg2,
    size,
    counts,
    series,
    work,
):
    """Simulate one replicate into ``counts``, ``series`` and ``work``; return virality.

    ``in_deg`` is each user's in-degree (the number of accounts they see).
    ``active[t]`` is nonzero when the ads run at step ``t``; with ``target_all`` every
    user is targeted, otherwise the targeted users are ``target_users`` (sorted) and
    ``target_mask`` flags them. ``state`` holds one word per user, ``(stamp <<
    STAMP_SHIFT) | (adopted in-neighbours << FLAG_BITS) | flags``, valid only where its
    stamp is ``cur``; ``cand[v]`` (the adoption position of a uniformly chosen adopted
    friend of ``v``) is valid only where ``v`` has one. ``frontier``, ``fdeg`` (members'
    in-degrees), ``frontier2`` and ``fdeg2`` are scratch. On return ``order[:shares]``
    lists the adopters in adoption order and ``parent[i]`` is the position in ``order``
    of imitator ``order[i]``'s parent (-1 for seeds and ad adopters). ``work[t]`` counts
    users examined at step ``t`` (ad candidates, frontier users, followers updated).
    With ``dense_share > 0`` the frontier is scanned rather than listed while more than
    ``1 / dense_share`` of the users are at risk (:data:`DENSE_SHARE`; 0: never); the
    outcome is the same either way.
    """
    n = indptr.shape[0] - 1
    n_target = n if target_all else target_users.shape[0]
    mark = np.int64(cur) << STAMP_SHIFT
    s_a = key_ads
    s_v = key_conv
    use_wom = q > 0.0

    # --- seeds: adopters at step 0
    tail = 0
    t_adopted = 0  # targeted users who have adopted
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if (state[s] & ~LOW_MASK) == mark:
            continue  # the same seed listed twice
        state[s] = mark | ADOPTED | SEED
        order[tail] = s
        parent[tail] = -1
        tail += 1
        if target_all or target_mask[s] != 0:
            t_adopted += 1
    n_seeds = tail
    counts[C_SEEDS] = n_seeds
    nf = 0  # length of the frontier list (valid while ``listed``)
    n_risk = 0  # users at risk of word of mouth: not adopted, an adopted friend
    listed = True
    seed_work = 0
    if use_wom:
        for i in range(n_seeds):
            u = order[i]
            seed_work += indptr[u + 1] - indptr[u]
            nf, added = _spread(
                indptr, indices, u, i, mark, state, cand, key_parent, frontier, nf, listed
            )
            n_risk += added
        if n_risk * dense_share > n:
            listed = False
        else:
            _merge_new(in_deg, frontier, fdeg, 0, nf, frontier2, fdeg2)

    first_active = -1
    for t in range(steps):
        if active[t] != 0:
            first_active = t
            break
    draw_gaps = 0.0 < p < 1.0
    inv_log_q = 1.0 / np.log1p(-p) if draw_gaps else 0.0

    n_ref_conv = 0
    for t in range(steps):
        step_start = tail
        examined = seed_work if t == 0 else 0
        ads_on = active[t] != 0
        n_imp = 0
        # ---- ads: geometric gaps over the targeted list
        if ads_on:
            n_imp = n_target - t_adopted
            if p > 0.0:
                j = 0
                if draw_gaps:
                    s_a, j = fast_gap(s_a, inv_log_q, gap_tab)
                while j < n_target:
                    v = j if target_all else target_users[j]
                    examined += 1
                    word = state[v]
                    if (word & ~LOW_MASK) != mark:
                        word = mark
                    if (word & ADOPTED) == 0:
                        state[v] = word | ADOPTED | AD
                        order[tail] = v
                        tail += 1
                        if (word & AT_RISK) != 0:
                            n_risk -= 1
                    if draw_gaps:
                        s_a, g = fast_gap(s_a, inv_log_q, gap_tab)
                        j += g + 1
                    else:
                        j += 1
        # ---- word of mouth over the at-risk frontier: a sorted list, or (dense_share >
        # 0) a scan of every user in memory order once it holds more than 1/dense_share
        # of them (the same draws in the same order either way)
        if use_wom and n_risk > 0 and n_risk * dense_share > n:
            listed = False
            examined += n
            for v in range(n):
                word = state[v]
                if (word & ~LOW_MASK) != mark or (word & (ADOPTED | AT_RISK)) != AT_RISK:
                    continue
                prob = q * float((word >> FLAG_BITS) & CNT_MASK) / float(in_deg[v])
                if ads_on and (target_all or target_mask[v] != 0):
                    prob = prob / (1.0 - p)
                if hashed_uniform(key_wom, t, v) < prob:
                    state[v] = word | ADOPTED | IMITATED
                    order[tail] = v
                    tail += 1
                    n_risk -= 1
        elif use_wom and n_risk > 0:
            if not listed:  # back from scanning: rebuild the sorted list in one pass
                examined += n
                nf = 0
                for v in range(n):
                    word = state[v]
                    if (word & ~LOW_MASK) == mark and (word & (ADOPTED | AT_RISK)) == AT_RISK:
                        frontier[nf] = v
                        fdeg[nf] = in_deg[v]
                        nf += 1
                listed = True
            keep = 0
            for i in range(nf):
                v = frontier[i]
                examined += 1
                word = state[v]
                if (word & ADOPTED) != 0:
                    continue  # adopted by an ad this step
                prob = q * float((word >> FLAG_BITS) & CNT_MASK) / float(fdeg[i])
                if ads_on and (target_all or target_mask[v] != 0):
                    prob = prob / (1.0 - p)  # given that the ad did not convert them
                if hashed_uniform(key_wom, t, v) < prob:
                    state[v] = word | ADOPTED | IMITATED
                    order[tail] = v
                    tail += 1
                    n_risk -= 1
                else:
                    frontier[keep] = v
                    fdeg[keep] = fdeg[i]
                    keep += 1
            nf = keep  # imitators are in id order: the frontier is sorted
        # ---- the step's adopters: parents, reach, funnel
        n_reach = n_imp if t == first_active else 0
        n_imitated = 0
        n_conv = 0
        for i in range(step_start, tail):
            v = order[i]
            word = state[v]
            targeted = target_all or target_mask[v] != 0
            if targeted:
                t_adopted += 1
            imitated = (word & IMITATED) != 0
            parent[i] = -1
            if imitated:
                n_imitated += 1
                if not (targeted and 0 <= first_active <= t):
                    n_reach += 1  # first reached by a friend, never shown the ad
                parent[i] = cand[v]  # a friend adopted before this step, uniformly
            s_v, converted = converts(s_v, imitated, conversion, conversion_referred)
            if converted:
                state[v] = word | CONVERTED
                n_conv += 1
                if imitated:
                    n_ref_conv += 1
        # ---- the step's adopters become visible to their followers
        if use_wom:
            keep = nf
            for i in range(step_start, tail):
                u = order[i]
                examined += indptr[u + 1] - indptr[u]
                nf, added = _spread(
                    indptr, indices, u, i, mark, state, cand, key_parent, frontier, nf, listed
                )
                n_risk += added
            if listed:
                if n_risk * dense_share > n:
                    listed = False  # next step scans
                elif nf > keep and _merge_new(in_deg, frontier, fdeg, keep, nf, frontier2, fdeg2):
                    frontier, frontier2 = frontier2, frontier
                    fdeg, fdeg2 = fdeg2, fdeg
        n_new = tail - step_start
        series[t, T_IMPRESSIONS] = n_imp
        series[t, T_REACH] = n_reach
        series[t, T_ENGAGEMENTS] = n_new
        series[t, T_SHARES] = n_new + (n_seeds if t == 0 else 0)
        series[t, T_CONVERSIONS] = n_conv
        counts[C_IMPRESSIONS] += n_imp
        counts[C_PAID_IMPRESSIONS] += n_imp
        counts[C_REACH] += n_reach
        counts[C_EARNED_REACH] += n_imitated
        counts[C_ENGAGED] += n_new
        counts[C_ENGAGEMENTS] += n_new
        counts[C_CONVERSIONS] += n_conv
        work[t] = examined

    counts[C_SHARES] = tail
    counts[C_PENDING] = 0
    counts[C_REFERRAL_CONVERSIONS] = n_ref_conv
    # ---- structural virality: seeds and ad adopters hang from the brand; the funnel's
    # function wants the roots first, so renumber (``frontier`` and ``fdeg`` are free now)
    n_roots = 0
    for i in range(tail):
        if parent[i] < 0:
            n_roots += 1
    r = 0
    k = n_roots
    for i in range(tail):
        if parent[i] < 0:
            frontier[i] = r
            r += 1
        else:
            frontier[i] = k
            k += 1
    for i in range(tail):
        if parent[i] >= 0:
            fdeg[frontier[i]] = frontier[parent[i]]
    return structural_virality(fdeg, tail, n_roots, size)


def ensemble(
    indptr,
    indices,
    in_deg,
    seed_sets,
    p,
    q,
    active,
    target_all,
    target_users,
    target_mask,
    conversion,
    conversion_referred,
    root,
    first_replicate,
    n_reps,
    n_chunks,
    dense_share=DENSE_SHARE,
):
    """Run replicates ``first_replicate .. first_replicate + n_reps - 1``.

    ``seed_sets`` has one row per replicate, or a single row shared by all (it may have
    no columns: an unseeded launch). ``active`` has one entry per step (its length is
    the horizon). Replicates are dealt round-robin to ``n_chunks`` workers, each with
    its own workspace, so the result does not depend on ``n_chunks`` (nor on
    ``dense_share``, which only chooses how the frontier is visited; see :func:`run_one`).

    Returns
    -------
    counts : int64 array (n_reps, N_COUNTS)
    virality : float64 array (n_reps,)
    series : int64 array (n_reps, steps, N_SERIES)
    work : int64 array (n_reps, steps)
        Users examined at each step (see :func:`run_one`).
    """
    steps = int(active.shape[0])
    counts = np.zeros((n_reps, N_COUNTS), dtype=np.int64)
    virality = np.zeros(n_reps, dtype=np.float64)
    series = np.zeros((n_reps, steps, N_SERIES), dtype=np.int64)
    work = np.zeros((n_reps, steps), dtype=np.int64)
    params = (
        float(p),
        float(q),
        float(conversion),
        float(conversion_referred),
        float(dense_share),
    )
    _ensemble_into(
        indptr,
        indices,
        np.ascontiguousarray(in_deg, dtype=np.int64),
        np.ascontiguousarray(seed_sets, dtype=np.int64),
        params,
        np.ascontiguousarray(active, dtype=np.uint8),
        bool(target_all),
        np.ascontiguousarray(target_users, dtype=np.int32),
        np.ascontiguousarray(target_mask, dtype=np.uint8),
        np.uint64(root),
        int(first_replicate),
        int(n_chunks),
        counts,
        virality,
        series,
        work,
    )
    return counts, virality, series, work


@jit
def _ensemble_into(
    indptr, indices, in_deg, seed_sets, params, active, target_all,
    target_users, target_mask, root, first_replicate, n_chunks, counts, virality, series,
    work,
):  # fmt: skip
    """:func:`ensemble` into preallocated (zeroed) outputs."""
    gap_tab = _ad_table(params[0])
    if n_chunks <= 1:
        _chunk(
            indptr, indices, in_deg, seed_sets, params, active,
            target_all, target_users, target_mask, gap_tab, root, first_replicate, 0, 1,
            counts, virality, series, work,
        )  # fmt: skip
    else:
        _parallel_chunks(
            indptr, indices, in_deg, seed_sets, params, active,
            target_all, target_users, target_mask, gap_tab, root, first_replicate,
            n_chunks, counts, virality, series, work,
        )  # fmt: skip


@jit(parallel=True)
def _parallel_chunks(
    indptr, indices, in_deg, seed_sets, params, active, target_all,
    target_users, target_mask, gap_tab, root, first_replicate, n_chunks, counts,
    virality, series, work,
):  # fmt: skip
    for c in prange(n_chunks):
        _chunk(
            indptr, indices, in_deg, seed_sets, params, active,
            target_all, target_users, target_mask, gap_tab, root, first_replicate, c,
            n_chunks, counts, virality, series, work,
        )  # fmt: skip


@jit
def _chunk(
    indptr, indices, in_deg, seed_sets, params, active, target_all,
    target_users, target_mask, gap_tab, root, first_replicate, c, n_chunks, counts,
    virality, series, work,
):  # fmt: skip
    """Replicates ``c, c + n_chunks, ...`` of the batch, in one workspace."""
    p, q, conversion, conversion_referred, dense = params
    dense_share = np.int64(dense)
    n = indptr.shape[0] - 1
    n_reps = counts.shape[0]
    steps = active.shape[0]
    shared_seeds = seed_sets.shape[0] == 1
    state = np.zeros(n, dtype=np.int64)
    cand = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    frontier = np.empty(n, dtype=np.int32)
    fdeg = np.empty(n, dtype=np.int32)
    frontier2 = np.empty(n, dtype=np.int32)
    fdeg2 = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    cur = 0
    for r in range(c, n_reps, n_chunks):
        cur += 1
        if cur > MAX_STAMP:
            state[:] = 0
            cur = 1
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        virality[r] = run_one(
            indptr,
            indices,
            in_deg,
            seed_sets[row],
            p,
            q,
            active,
            target_all,
            target_users,
            target_mask,
            conversion,
            conversion_referred,
            steps,
            dense_share,
            gap_tab,
            stream_key(root, rep, PURPOSE_CASCADE),
            stream_key(root, rep, PURPOSE_ADS),
            stream_key(root, rep, PURPOSE_PARENT),
            stream_key(root, rep, PURPOSE_CONVERSION),
            cur,
            state,
            cand,
            order,
            parent,
            frontier,
            fdeg,
            frontier2,
            fdeg2,
            size,
            counts[r],
            series[r],
            work[r],
        )


@jit
def _ad_table(p):
    if 0.0 < p < 1.0:
        return gap_table(1.0 / np.log1p(-p))
    return np.empty(0, dtype=np.int64)


def trace(
    indptr,
    indices,
    in_deg,
    seeds,
    p,
    q,
    active,
    target_all,
    target_users,
    target_mask,
    conversion,
    conversion_referred,
    root,
    replicate,
    dense_share=DENSE_SHARE,
):
    """Run one replicate and return its adopters.

    Returns
    -------
    order : int32 array of adopters in adoption order
    parent : int32 array, position in ``order`` of each adopter's parent (-1: a root)
    flags : int32 array of each adopter's flags (``ADOPTED``, ``SEED``, ``IMITATED``,
        ``AD``, ``CONVERTED``)
    counts, series, work, virality : as in :func:`ensemble` for one replicate
    """
    return _trace_one(
        indptr,
        indices,
        np.ascontiguousarray(in_deg, dtype=np.int64),
        np.ascontiguousarray(seeds, dtype=np.int64),
        float(p),
        float(q),
        np.ascontiguousarray(active, dtype=np.uint8),
        bool(target_all),
        np.ascontiguousarray(target_users, dtype=np.int32),
        np.ascontiguousarray(target_mask, dtype=np.uint8),
        float(conversion),
        float(conversion_referred),
        np.uint64(root),
        int(replicate),
        np.int64(dense_share),
    )


@jit
def _trace_one(
    indptr, indices, in_deg, seeds, p, q, active, target_all,
    target_users, target_mask, conversion, conversion_referred, root, replicate, dense_share,
):  # fmt: skip
    n = indptr.shape[0] - 1
    steps = active.shape[0]
    state = np.zeros(n, dtype=np.int64)
    cand = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    frontier = np.empty(n, dtype=np.int32)
    fdeg = np.empty(n, dtype=np.int32)
    frontier2 = np.empty(n, dtype=np.int32)
    fdeg2 = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    counts = np.zeros(N_COUNTS, dtype=np.int64)
    series = np.zeros((steps, N_SERIES), dtype=np.int64)
    work = np.zeros(steps, dtype=np.int64)
    sv = run_one(
        indptr, indices, in_deg, seeds, p, q, active, target_all,
        target_users, target_mask, conversion, conversion_referred, steps, dense_share,
        _ad_table(p),
        stream_key(root, replicate, PURPOSE_CASCADE),
        stream_key(root, replicate, PURPOSE_ADS),
        stream_key(root, replicate, PURPOSE_PARENT),
        stream_key(root, replicate, PURPOSE_CONVERSION),
        1, state, cand, order, parent, frontier, fdeg, frontier2, fdeg2, size, counts, series,
        work,
    )  # fmt: skip
    k = counts[C_SHARES]
    out = order[:k].copy()
    flags = np.empty(k, dtype=np.int32)
    for i in range(k):
        flags[i] = np.int32(state[out[i]] & FLAG_MASK)
    return out, parent[:k].copy(), flags, counts, series, work, sv
