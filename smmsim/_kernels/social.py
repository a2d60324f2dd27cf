"""Threshold kernels: social proof (fractional threshold) and complex contagion (absolute).

One replicate: seeds share at step 0. When a user shares at step t, each follower sees
the share with probability ``visibility`` (an impression, found by geometric gap draws
as in the default model). A user who has not shared counts the shares they have seen;
the share that brings them to their threshold is their activation: they engage at step
t (one engagement, their first and only, drawn through the shared conversion funnel)
and share at step t+1. The sharer whose share tipped them is their parent.

The threshold of a user is decided the first time they are exposed, never before:

* fractional rule (Watts 2002): with ``c`` seen shares out of ``k`` accounts followed,
  the user adopts once ``c / k >= phi``; ``phi`` is fixed or drawn from a distribution
  on a counter-based stream keyed by ``(replicate, user)``. The kernel turns it into the
  smallest whole number of seen shares that satisfies the rule (at least one).
* weighted rule (linear threshold, Kempe, Kleinberg & Tardos 2003): the summed weight of
  the arcs that carried seen shares must reach ``phi x`` the user's total in-weight.
* absolute rule (Centola & Macy 2007): at least ``m`` seen shares from distinct friends.

A user's per-replicate state is one ``int64`` word: ``stamp << STAMP_SHIFT | flags <<
FLAG_SHIFT | remaining``, where the flags are those of :mod:`smmsim._kernels.ledger`
and ``remaining`` counts the seen shares still needed. An impression reads and writes
one word, and a replicate touches only the users it reaches: nothing is O(n) per
replicate. Every event is recorded through the ledger; :mod:`smmsim._kernels.driver`
runs the replicates on its workers.
"""

from __future__ import annotations

import math

import numpy as np

from smmsim._config import jit
from smmsim._kernels import layout as K
from smmsim._kernels import ledger as L
from smmsim._kernels import prefetch as P
from smmsim._kernels.driver import workspace
from smmsim._kernels.funnel import converts
from smmsim._kernels.rng import (
    PURPOSE_CASCADE,
    PURPOSE_CONVERSION,
    PURPOSE_THRESHOLD,
    first_skip,
    next_tie,
    stream_key,
    uniform,
    visibility_table,
)

# threshold distributions (one row of the per-segment table each)
FIXED = 0  # a = phi (fractional) or m (absolute)
UNIFORM = 1  # a = low, b = high
NORMAL = 2  # a = mean, b = sd, clipped to [0, 1]
BETA = 3  # a, b shape parameters

# the state word: stamp | ledger flags | seen shares still needed
FLAG_SHIFT = np.int64(32)
STAMP_SHIFT = np.int64(32 + K.FLAG_BITS)
REM_MASK = np.int64(0xFFFFFFFF)
#: Largest replicate stamp; a workspace is cleared after it.
MAX_STAMP = (1 << (63 - 32 - K.FLAG_BITS)) - 1
#: ``remaining`` of a user who can never adopt (threshold above what they can see).
NEVER = np.int64(0xFFFFFFFF)
#: Indices of the parameter array of :func:`run_reps` (see
#: :meth:`smmsim.models.social_proof.ThresholdModel.kernel_args`).
P_VISIBILITY = 0
P_CONVERSION = 1
P_CONVERSION_REFERRED = 2
#: Indices of the switch array of :func:`run_reps`: count seen shares rather than their
#: fraction (Centola & Macy), and sum tie strengths (linear threshold); 0 or 1.
I_ABSOLUTE = 0
I_WEIGHTED = 1

TWO_PI = 2.0 * math.pi


# --------------------------------------------------------------------------- thresholds


@jit
def normal(s):
    """Standard normal by Box-Muller (the cosine branch); returns ``(stream, z)``."""
    s, u1 = uniform(s)
    s, u2 = uniform(s)
    return s, math.sqrt(-2.0 * math.log(u1)) * math.cos(TWO_PI * u2)


@jit
def gamma(s, alpha):
    """Gamma(alpha, 1) by Marsaglia & Tsang (2000), boosted for ``alpha < 1``."""
    boost = 1.0
    if alpha < 1.0:
        s, u = uniform(s)
        boost = u ** (1.0 / alpha)
        alpha = alpha + 1.0
    d = alpha - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        s, z = normal(s)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        s, u = uniform(s)
        if math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v):
            return s, d * v * boost


@jit
def draw_phi(key, user, kind, a, b):
    """Threshold of ``user`` from the stream ``key ^ user`` (random access, no state)."""
    if kind == FIXED:
        return a
    s = key ^ np.uint64(user)
    if kind == UNIFORM:
        s, u = uniform(s)
        return a + (b - a) * u
    if kind == NORMAL:
        s, z = normal(s)
        x = a + b * z
        return min(max(x, 0.0), 1.0)
    s, x = gamma(s, a)
    s, y = gamma(s, b)
    if x + y <= 0.0:  # both underflowed (shapes far below 1): no information, take 0.5
        return 0.5
    return x / (x + y)


@jit
def needed(phi, k):
    """Fewest seen shares ``c >= 1`` with ``c / k >= phi``; ``NEVER`` if above ``k``."""
    if k <= 0:
        return NEVER
    kf = float(k)
    c = np.int64(math.ceil(phi * kf))
    if c < 1:
        c = np.int64(1)
    # phi * k rounds; the rule is the division, so settle the boundary with it
    while c > 1 and float(c - 1) / kf >= phi:
        c -= 1
    while c <= k and float(c) / kf < phi:
        c += 1
    if c > k:
        return NEVER
    return c


@jit
def phi_cdf(kind, a, b, x):
    """``P(phi <= x)`` for a threshold distribution (fractional rule)."""
    if kind == FIXED:
        return 1.0 if x >= a else 0.0
    if kind == UNIFORM:
        if x >= b:
            return 1.0
        if x < a:
            return 0.0
        return (x - a) / (b - a) if b > a else 1.0
    if kind == NORMAL:
        if x >= 1.0:
            return 1.0
        if x < 0.0:
            return 0.0
        if b <= 0.0:
            return 1.0 if x >= a else 0.0
        return 0.5 * math.erfc(-(x - a) / (b * math.sqrt(2.0)))
    if x >= 1.0:
        return 1.0
    if x <= 0.0:
        return 0.0
    return betainc(a, b, x)


@jit
def _lentz(aa, c, d, tiny):
    """One term of the modified Lentz evaluation of a continued fraction: ``(c, d,
    factor)`` after the partial numerator ``aa``."""
    d = 1.0 + aa * d
    if abs(d) < tiny:
        d = tiny
    c = 1.0 + aa / c
    if abs(c) < tiny:
        c = tiny
    d = 1.0 / d
    return c, d, d * c


@jit
def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        c, d, factor = _lentz(m * (b - m) * x / ((qam + m2) * (a + m2)), c, d, tiny)
        h *= factor
        c, d, delta = _lentz(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), c, d, tiny)
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


@jit
def betainc(a, b, x):
    """Regularised incomplete beta function ``I_x(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(ln)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


# --------------------------------------------------------------------------- cascade


def new_work(n, record):
    """A worker's workspace: user state words, the replicate stamp, the weighted rule's
    seen and needed weights, the sharer order and tree, scratch space, and (with
    ``record``) each user's referrer and first step.

    The weights are left unmapped (``np.empty``) and touched only by a weighted rule,
    only at the users a replicate reaches.
    """
    return workspace(
        n,
        record,
        np.int64,
        ((np.float64, (2,)), np.int32, np.int32, np.int32),
        (np.int32, np.int32),
    )


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch, in order (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, weights, in_degree, in_weight, rule_of, kinds, pa,
    pb, params, switches)``: the audience (``weights`` and ``in_weight`` are empty
    unless the rule is weighted), each user's row of the threshold table (``rule_of``,
    empty when every user follows row 0) and the table's rows (``kinds``, ``pa``,
    ``pb``), the ``P_*`` parameters and the ``I_*`` switches. Replicate ``r`` is seeded
    by ``seed_sets[r]`` (or the one shared row) and draws from the streams keyed by
    ``(root, first_replicate + r)``.

    ``work``'s state holds one word per user, ``stamp << STAMP_SHIFT | flags <<
    FLAG_SHIFT | remaining``, and is not cleared between replicates: a word is valid
    only where its stamp is the current one (replicates take stamps ``cur + 1, cur + 2,
    ...``; the state is cleared when they would pass ``MAX_STAMP``). With the weighted
    rule, ``wstate[v]`` holds the seen weight and the weight needed, set at the user's
    first exposure and valid under the same stamp. ``order[:shares + pending]`` lists a
    replicate's sharers in activation order and ``parent[i]`` is the position of the
    sharer that tipped ``order[i]``. With a record (a trace), ``referrer`` and
    ``first_step`` receive each reached user's first exposure.
    """
    indptr, indices, weights, in_degree, in_weight, rule_of, kinds, pa, pb, params, switches = args
    visibility = params[P_VISIBILITY]
    conversion = params[P_CONVERSION]
    conversion_referred = params[P_CONVERSION_REFERRED]
    absolute = switches[I_ABSOLUTE] != 0
    weighted = switches[I_WEIGHTED] != 0
    state, stamp, wstate, order, parent, size, referrer, first_step = work
    record = referrer.shape[0] > 0
    shared_seeds = seed_sets.shape[0] == 1
    one_row = rule_of.shape[0] == 0
    runs, virality_out, events, _ = ledger
    # ``step``: the step's counts, by ledger column
    books, step, segmented = L.open_books(ledger, segment_of, steps)
    gap_tab = visibility_table(visibility)
    draw_gaps = 0.0 < visibility < 1.0
    inv_log_q = 1.0 / np.log1p(-visibility) if draw_gaps else 0.0
    cur = stamp[0]
    for r in reps:
        cur = L.next_stamp(state, cur, MAX_STAMP)
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        s_c = stream_key(root, rep, PURPOSE_CASCADE)
        s_v = stream_key(root, rep, PURPOSE_CONVERSION)
        key_threshold = stream_key(root, rep, PURPOSE_THRESHOLD)
        mark = np.int64(cur) << STAMP_SHIFT
        # --- seeds share at step 0
        n_seeds = L.seed_run(
            books, segment_of, seed_sets[row], state, cur, STAMP_SHIFT, FLAG_SHIFT, order, parent,
            record, referrer, first_step,
        )  # fmt: skip
        tail = n_seeds

        s_c, skip = first_skip(s_c, visibility, draw_gaps, inv_log_q, gap_tab)

        head = 0
        t = 0
        while head < tail and t < steps:
            gen_end = tail
            # impressions are counted here and recorded once per step; every other event
            # is recorded as it happens
            n_imp = 0
            n_paid = 0
            for pos in range(head, gen_end):
                if pos + P.PREFETCH_BOUNDS < tail:
                    P.prefetch(indptr, order[pos + P.PREFETCH_BOUNDS])
                if pos + P.PREFETCH_ROW < tail:
                    P.prefetch(indices, indptr[order[pos + P.PREFETCH_ROW]])
                u = order[pos]
                a = indptr[u]
                b = indptr[u + 1]
                # a row the gap passes whole is left before anything else is done for it
                # (walking it anyway, as the default kernel does, measured 4-6% slower here)
                if skip >= b - a:
                    skip -= b - a
                    continue
                from_seed = pos < n_seeds
                j = a + skip
                while j < b:
                    v = indices[j]
                    n_imp += 1
                    if from_seed:
                        n_paid += 1
                    if segmented:
                        L.user_impressed(books, segment_of, v, 1)
                    word = state[v]
                    if (word >> STAMP_SHIFT) != cur:
                        # first exposure: reach, and the user's threshold is decided now
                        L.step_reach(step, not from_seed)
                        if segmented:
                            L.user_reached(books, segment_of, v, not from_seed)
                        if record:
                            referrer[v] = u
                            first_step[v] = t
                        fl = np.int64(K.REACHED)
                        if not from_seed:
                            fl |= K.REFERRED
                        k = 0 if one_row else rule_of[v]
                        if absolute:
                            rem = np.int64(pa[k])
                            if rem > in_degree[v]:
                                rem = NEVER
                        else:
                            phi = draw_phi(key_threshold, v, kinds[k], pa[k], pb[k])
                            if weighted:
                                wstate[v, 0] = 0.0
                                wstate[v, 1] = phi * in_weight[v]
                                rem = np.int64(1)
                            else:
                                rem = needed(phi, in_degree[v])
                        word = mark | (fl << FLAG_SHIFT) | rem
                    fv = (word >> FLAG_SHIFT) & K.FLAG_MASK
                    if (fv & K.SHARER) == 0:
                        rem = word & REM_MASK
                        if weighted:
                            acc = wstate[v, 0] + weights[j]
                            wstate[v, 0] = acc
                            tipped = acc >= wstate[v, 1]
                        else:
                            rem -= 1
                            tipped = rem == 0
                        if tipped:
                            # activation: engage now, share at the next step
                            fv |= K.ENGAGED | K.SHARER
                            L.step_engagement(step, True)
                            if segmented:
                                L.user_engaged(books, segment_of, v)
                            referred = (fv & K.REFERRED) != 0
                            s_v, converted = converts(
                                s_v, referred, conversion, conversion_referred
                            )
                            if converted:
                                fv |= K.CONVERTED
                                L.step_conversion(step, referred)
                                if segmented:
                                    L.user_converted(books, segment_of, v, referred)
                            order[tail] = v
                            parent[tail] = pos
                            tail += 1
                            rem = 0
                        word = mark | (fv << FLAG_SHIFT) | rem
                    state[v] = word
                    s_c, j = next_tie(s_c, j, draw_gaps, inv_log_q, gap_tab)
                skip = j - b
            L.impressions(books, t, n_imp, n_paid)
            L.step_shares(books, segment_of, order, head, gen_end)
            L.close_step(books, t)
            head = gen_end
            t += 1

        ev_pos = L.close_generations(
            books, runs, virality_out, events, r, ev_pos, t, head, tail, parent, n_seeds, size
        )
    stamp[0] = cur


@jit
def traced(work, n_shared):
    """Who the recorded replicate just run on ``work`` reached or seeded, with their
    ledger flags (see :func:`smmsim._kernels.ledger.user_record`)."""
    state, stamp, _, order, parent, _, referrer, first_step = work
    nodes, flags = L.stamped(state, stamp[0], STAMP_SHIFT, FLAG_SHIFT, K.FLAG_MASK)
    return L.user_record(nodes, flags, referrer, first_step, order, parent, n_shared)


@jit
def thresholds_of(users, root, replicate, kind, a, b):
    """Thresholds the kernel would draw for ``users`` in replicate ``replicate``."""
    key = stream_key(root, replicate, PURPOSE_THRESHOLD)
    out = np.empty(users.shape[0], dtype=np.float64)
    for i in range(users.shape[0]):
        out[i] = draw_phi(key, users[i], kind, a, b)
    return out
