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
The flags are the ledger's (:mod:`smmsim._kernels.ledger`): every adopter is a
``SHARER`` (their adoption is visible to their followers); a seed is ``SEED``; an ad or
word-of-mouth adopter is ``REACHED | ENGAGED``, and an imitator also ``REFERRED``;
``CONVERTED`` marks a buyer. This kernel's own states: :data:`AD` (``MODEL_FLAG_A``,
adopted because of an ad) and :data:`AT_RISK` (``MODEL_FLAG_B``, in the word-of-mouth
frontier).

References
----------
F. M. Bass, "A new product growth for model consumer durables", Management Science
15(5), 215-227 (1969).
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels import layout as K
from smmsim._kernels import ledger as L
from smmsim._kernels.driver import workspace
from smmsim._kernels.funnel import converts, structural_virality
from smmsim._kernels.rng import (
    GOLDEN,
    PURPOSE_ADS,
    PURPOSE_CASCADE,
    PURPOSE_CONVERSION,
    PURPOSE_PARENT,
    S11,
    TWO_M53,
    first_tie,
    gap_table,
    mix64,
    next_tie,
    stream_key,
)

#: Adopted because of an ad (this kernel's ``MODEL_FLAG_A``).
AD = K.MODEL_FLAG_A
#: In the word-of-mouth frontier: not adopted, at least one adopted friend (``MODEL_FLAG_B``).
AT_RISK = K.MODEL_FLAG_B
# the flags a user takes on adopting, by route (an adopter is a sharer whatever the route)
AS_SEED = K.SHARER | K.SEED
BY_AD = K.REACHED | K.ENGAGED | K.SHARER | AD
BY_WOM = K.REACHED | K.ENGAGED | K.SHARER | K.REFERRED
FLAG_MASK = np.int64((1 << K.FLAG_BITS) - 1)
# bits FLAG_BITS .. STAMP_SHIFT - 1 of a state word count the user's adopted in-neighbours
STAMP_SHIFT = 40
LOW_MASK = np.int64((1 << STAMP_SHIFT) - 1)  # flags and counter
CNT_MASK = np.int64((1 << (STAMP_SHIFT - K.FLAG_BITS)) - 1)
CNT_ONE = np.int64(1 << K.FLAG_BITS)
#: Largest replicate stamp that fits above the counter; a workspace is cleared after it.
MAX_STAMP = (1 << (63 - STAMP_SHIFT)) - 1

S32 = np.uint64(32)
#: Default of ``dense_share``: 0 keeps the frontier a sorted list whatever its size. With
#: ``dense_share = k > 0`` a step where more than 1/k of the audience is at risk scans
#: every user in memory order instead (the switch of direction-optimizing BFS); the
#: outcome is identical, and on a 1M-user audience neither way was measurably faster.
DENSE_SHARE = 0

#: Indices of the float parameter array of :func:`run_reps` (see
#: :meth:`smmsim.models.BassDiffusion.kernel_args`).
P_P = 0  # innovation: adoption by an ad, per ad step
P_Q = 1  # imitation: adoption if every friend has adopted, per step
P_CONVERSION = 2
P_CONVERSION_REFERRED = 3  # an imitator's conversion probability
N_PARAMS = 4
#: Indices of the integer parameter array of :func:`run_reps`.
I_TARGET_ALL = 0  # 1: every user is targeted (the target arrays are empty)
I_SEEDED = 1  # 0: the seeds are ignored (a launch by ads alone)
I_DENSE_SHARE = 2  # see DENSE_SHARE
N_INTS = 3


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
        if (word & K.SHARER) != 0:
            continue
        word += CNT_ONE
        c = (word >> K.FLAG_BITS) & CNT_MASK
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


def new_work(n, record):
    """A worker's workspace: user state words, the replicate stamp, each user's parent
    candidate, the adopters in order and their parents, frontier buffers (two lists and
    their in-degrees), scratch space, and (with ``record``) each user's adoption step."""
    return workspace(n, record, np.int64, (np.int32,) * 8, (np.int64,))


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch, in order (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, in_deg, active, target_users, target_mask, params,
    ints, examined)``: ``in_deg`` is each user's in-degree (the number of accounts they
    see); ``active[t]`` is nonzero when the ads run at step ``t``; unless every user is
    targeted (``ints[I_TARGET_ALL]``), the targeted users are ``target_users`` (sorted)
    and ``target_mask`` flags them; ``params`` is indexed by the ``P_*`` constants and
    ``ints`` by the ``I_*`` constants. ``examined`` is ``(replicates in the batch, steps)`` to
    count the users examined at each step of each replicate (ad candidates, frontier
    users, followers updated: a measure of how far the kernel is from scanning the
    whole audience), or empty to count nothing.

    Replicate ``r`` is seeded by ``seed_sets[r]`` (or the one shared row) and draws from
    the streams keyed by ``(root, first_replicate + r)``. ``work``'s state words are valid
    only where their stamp is the current replicate's (replicates take stamps ``cur + 1,
    cur + 2, ...``; the state is cleared when they would pass ``MAX_STAMP``), so a kept
    workspace needs no clearing.
    """
    p = args[6][P_P]
    state, stamp = work[0], work[1]
    runs, virality_out, events, _ = ledger
    books = L.new_books(ledger, segment_of, steps)
    gap_tab = _ad_table(p)
    shared_seeds = seed_sets.shape[0] == 1
    n_seeds = seed_sets.shape[1] if args[7][I_SEEDED] != 0 else 0
    cur = stamp[0]
    for r in reps:
        cur = L.next_stamp(state, cur, MAX_STAMP)
        seeds = seed_sets[0 if shared_seeds else r, :n_seeds]
        virality, used, depth = _replicate(
            args, seeds, gap_tab, root, first_replicate + r, cur, steps, work, books, segment_of, r
        )
        peak = L.peak_step(books, used, K.T_ENGAGEMENTS)  # the peak of new adopters
        ev_pos = L.close_run(
            books, runs, virality_out, events, r, ev_pos, used, depth, peak, virality
        )
    stamp[0] = cur


@jit
def _replicate(args, seeds, gap_tab, root, rep, cur, steps, work, books, segment_of, r):
    """Replicate ``rep`` with stamp ``cur``, recorded in ``books``; returns its structural
    virality, the number of step rows it wrote (through its last event) and its depth
    (the last step with new adopters).

    ``cand[v]`` (the adoption position of a uniformly chosen adopted friend of ``v``) is
    valid only where ``v`` has one. On return ``order[:shares]`` lists the adopters in
    adoption order and ``parent[i]`` is the position in ``order`` of imitator
    ``order[i]``'s parent (-1 for seeds and ad adopters). The users examined at each
    step go to row ``r`` of ``args``'s ``examined`` (unless it is empty). With
    ``dense_share > 0`` the frontier is scanned rather than listed while more than
    ``1 / dense_share`` of the users are at risk (:data:`DENSE_SHARE`; 0: never); the
    outcome is the same either way.
    """
    indptr, indices, in_deg, active, target_users, target_mask, params, ints, examined = args
    p = params[P_P]
    q = params[P_Q]
    conversion = params[P_CONVERSION]
    conversion_referred = params[P_CONVERSION_REFERRED]
    target_all = ints[I_TARGET_ALL] != 0
    dense_share = ints[I_DENSE_SHARE]
    state, _, cand, order, parent, frontier, fdeg, frontier2, fdeg2, size, adopted_at = work
    record = adopted_at.shape[0] > 0
    measure = examined.shape[0] > 0
    key_wom = stream_key(root, rep, PURPOSE_CASCADE)
    key_parent = stream_key(root, rep, PURPOSE_PARENT)
    s_a = stream_key(root, rep, PURPOSE_ADS)
    s_v = stream_key(root, rep, PURPOSE_CONVERSION)
    n = indptr.shape[0] - 1
    n_target = n if target_all else target_users.shape[0]
    mark = np.int64(cur) << STAMP_SHIFT
    use_wom = q > 0.0

    # --- seeds: adopters at step 0
    tail = 0
    t_adopted = 0  # targeted users who have adopted
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if (state[s] & ~LOW_MASK) == mark:
            continue  # the same seed listed twice
        state[s] = mark | AS_SEED
        order[tail] = s
        parent[tail] = -1
        tail += 1
        if record:
            adopted_at[s] = 0
        if target_all or target_mask[s] != 0:
            t_adopted += 1
    n_seeds = tail
    L.seeded(books, n_seeds)
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
    segmented = L.segmented(books)
    # ad steps from the step under way to the horizon (for the per-segment impressions)
    ads_left = 0
    if segmented:
        for t in range(steps):
            if active[t] != 0:
                ads_left += 1
    draw_gaps = 0.0 < p < 1.0
    inv_log_q = 1.0 / np.log1p(-p) if draw_gaps else 0.0

    used = 0
    depth = 0
    for t in range(steps):
        step_start = tail
        examined_t = seed_work if t == 0 else 0
        ads_on = active[t] != 0
        n_imp = 0
        # ---- ads: geometric gaps over the targeted list
        if ads_on:
            n_imp = n_target - t_adopted
            if t == first_active and segmented:
                # the first ad's reach and the ad impressions are counted in closed
                # form; who they were, user by user, only for the per-segment tallies:
                # a user not adopted yet is credited with every ad step ahead, and an
                # adopter gives back those after their adoption (below)
                for j in range(n_target):
                    v = j if target_all else target_users[j]
                    if (state[v] & ~LOW_MASK) != mark or (state[v] & K.SHARER) == 0:
                        L.user_reached(books, segment_of, v, False)
                        L.user_impressed(books, segment_of, v, ads_left)
            if p > 0.0:
                s_a, j = first_tie(s_a, np.int64(0), draw_gaps, inv_log_q, gap_tab)
                while j < n_target:
                    v = j if target_all else target_users[j]
                    examined_t += 1
                    word = state[v]
                    if (word & ~LOW_MASK) != mark:
                        word = mark
                    if (word & K.SHARER) == 0:
                        state[v] = word | BY_AD
                        order[tail] = v
                        tail += 1
                        if (word & AT_RISK) != 0:
                            n_risk -= 1
                    s_a, j = next_tie(s_a, j, draw_gaps, inv_log_q, gap_tab)
        # ---- word of mouth over the at-risk frontier: a sorted list, or (dense_share >
        # 0) a scan of every user in memory order once it holds more than 1/dense_share
        # of them (the same draws in the same order either way)
        if use_wom and n_risk > 0 and n_risk * dense_share > n:
            listed = False
            examined_t += n
            for v in range(n):
                word = state[v]
                if (word & ~LOW_MASK) != mark or (word & (K.SHARER | AT_RISK)) != AT_RISK:
                    continue
                prob = q * float((word >> K.FLAG_BITS) & CNT_MASK) / float(in_deg[v])
                if ads_on and (target_all or target_mask[v] != 0):
                    prob = prob / (1.0 - p)
                if hashed_uniform(key_wom, t, v) < prob:
                    state[v] = word | BY_WOM
                    order[tail] = v
                    tail += 1
                    n_risk -= 1
        elif use_wom and n_risk > 0:
            if not listed:  # back from scanning: rebuild the sorted list in one pass
                examined_t += n
                nf = 0
                for v in range(n):
                    word = state[v]
                    if (word & ~LOW_MASK) == mark and (word & (K.SHARER | AT_RISK)) == AT_RISK:
                        frontier[nf] = v
                        fdeg[nf] = in_deg[v]
                        nf += 1
                listed = True
            keep = 0
            for i in range(nf):
                v = frontier[i]
                examined_t += 1
                word = state[v]
                if (word & K.SHARER) != 0:
                    continue  # adopted by an ad this step
                prob = q * float((word >> K.FLAG_BITS) & CNT_MASK) / float(fdeg[i])
                if ads_on and (target_all or target_mask[v] != 0):
                    prob = prob / (1.0 - p)  # given that the ad did not convert them
                if hashed_uniform(key_wom, t, v) < prob:
                    state[v] = word | BY_WOM
                    order[tail] = v
                    tail += 1
                    n_risk -= 1
                else:
                    frontier[keep] = v
                    fdeg[keep] = fdeg[i]
                    keep += 1
            nf = keep  # imitators are in id order: the frontier is sorted
        # ---- the step's adopters: parents, reach, funnel. Every targeted user who had
        # not adopted saw the first ad (in closed form); an imitator never shown the ad
        # was first reached by a friend, and every imitator is earned reach
        if ads_on:
            L.impressions(books, t, n_imp, n_imp)
            if t == first_active:
                L.reaches(books, t, n_imp, 0)
            ads_left -= 1  # the ad steps after this one
        for i in range(step_start, tail):
            v = order[i]
            word = state[v]
            targeted = target_all or target_mask[v] != 0
            if targeted:
                t_adopted += 1
                if segmented and 0 <= first_active <= t:
                    L.user_impressed(books, segment_of, v, -ads_left)
            imitated = (word & K.REFERRED) != 0
            parent[i] = -1
            if imitated:
                if targeted and 0 <= first_active <= t:
                    L.earned_after_paid(books, segment_of, v)
                else:
                    L.reach(books, segment_of, t, v, True)
                parent[i] = cand[v]  # a friend adopted before this step, uniformly
            if record:
                adopted_at[v] = t
            L.engagement(books, segment_of, t, v, True)
            s_v, converted = converts(s_v, imitated, conversion, conversion_referred)
            if converted:
                state[v] = word | K.CONVERTED
                L.conversion(books, segment_of, t, v, imitated)
        # ---- the step's adopters become visible to their followers
        if use_wom:
            keep = nf
            for i in range(step_start, tail):
                u = order[i]
                examined_t += indptr[u + 1] - indptr[u]
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
        n_shares = tail - step_start + (n_seeds if t == 0 else 0)
        if n_shares > 0:
            L.shares(books, t, n_shares)
            if t == 0:
                L.sharers(books, segment_of, order, 0, n_seeds)
            L.sharers(books, segment_of, order, step_start, tail)
            depth = t
        if n_shares > 0 or n_imp > 0:
            used = t + 1
        if measure:
            examined[r, t] = examined_t

    # ---- structural virality: seeds and ad adopters hang from the brand; the funnel's
    # function wants the roots first, so renumber (``frontier`` and ``fdeg`` are free now)
    n_roots = 0
    for i in range(tail):
        if parent[i] < 0:
            n_roots += 1
    root_pos = 0
    k = n_roots
    for i in range(tail):
        if parent[i] < 0:
            frontier[i] = root_pos
            root_pos += 1
        else:
            frontier[i] = k
            k += 1
    for i in range(tail):
        if parent[i] >= 0:
            fdeg[frontier[i]] = frontier[parent[i]]
    return structural_virality(fdeg, tail, n_roots, size), used, depth


@jit
def _ad_table(p):
    if 0.0 < p < 1.0:
        return gap_table(1.0 / np.log1p(-p))
    return np.empty(0, dtype=np.int64)


@jit
def traced(work, n_shared):
    """The per-user record of the replicate just run on a recording ``work``: its
    adopters in adoption order (users shown the ad who did not adopt are not listed),
    their flags, referrer (an imitator's parent; -1 for seeds and ad adopters) and
    adoption step (an ad adopter may have seen the ad earlier: the model, which knows
    the schedule, says when), then the adopters again with their parents' positions."""
    state, _, _, order, parent, _, _, _, _, _, adopted_at = work
    nodes = order[:n_shared].astype(np.int64)
    pos = parent[:n_shared].astype(np.int64)
    referrer = np.full(n_shared, -1, dtype=np.int64)
    for i in range(n_shared):
        if pos[i] >= 0:
            referrer[i] = nodes[pos[i]]
    return (
        nodes,
        (state[nodes] & FLAG_MASK).astype(np.uint8),
        referrer,
        adopted_at[nodes],
        nodes.copy(),
        pos,
    )
