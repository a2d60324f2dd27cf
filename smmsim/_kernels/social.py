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
FLAG_SHIFT | remaining``, where ``remaining`` counts the seen shares still needed. An
impression reads and writes one word, and a replicate touches only the users it
reaches: nothing is O(n) per replicate.
"""

from __future__ import annotations

import math

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
    converts,
    structural_virality,
)
from smmsim._kernels.prefetch import prefetch as _prefetch
from smmsim._kernels.rng import (
    PURPOSE_CASCADE,
    PURPOSE_CONVERSION,
    PURPOSE_THRESHOLD,
    fast_gap,
    stream_key,
    uniform,
    visibility_table,
)

# threshold distributions (one row of the per-segment table each)
FIXED = 0  # a = phi (fractional) or m (absolute)
UNIFORM = 1  # a = low, b = high
NORMAL = 2  # a = mean, b = sd, clipped to [0, 1]
BETA = 3  # a, b shape parameters

# user flags
REACHED = np.int64(1)
ENGAGED = np.int64(2)
SHARER = np.int64(4)
SEED = np.int64(8)
REFERRED = np.int64(16)
CONVERTED = np.int64(32)
FLAG_BITS = 6
FLAG_SHIFT = np.int64(32)
STAMP_SHIFT = np.int64(32 + FLAG_BITS)
REM_MASK = np.int64(0xFFFFFFFF)
FLAG_MASK = np.int64((1 << FLAG_BITS) - 1)
#: Largest replicate stamp; a workspace is cleared after it.
MAX_STAMP = (1 << (63 - 32 - FLAG_BITS)) - 1
#: ``remaining`` of a user who can never adopt (threshold above what they can see).
NEVER = np.int64(0xFFFFFFFF)

NO_GAP = np.int64(9_000_000_000_000_000_000)
PREFETCH_BOUNDS = 8
PREFETCH_ROW = 4
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
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
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


@jit
def run_one(
    indptr,
    indices,
    weights,
    in_degree,
    in_weight,
    segments,
    kinds,
    pa,
    pb,
    absolute,
    weighted,
    seeds,
    visibility,
    conversion,
    conversion_referred,
    steps,
    gap_tab,
    key_cascade,
    key_conversion,
    key_threshold,
    cur,
    state,
    wstate,
    order,
    parent,
    record,
    referrer,
    first_step,
    size,
    counts,
    series,
):
    """Simulate one replicate into ``counts`` and ``series``.

    Returns ``(structural virality, steps run, peak step)``: events fall in
    ``series[:steps run]``; the peak step is the first with the most impressions.

    ``state`` holds one word per user and is not cleared between replicates: a word is
    valid only where its stamp is ``cur``. With ``weighted``, ``wstate[v]`` holds the
    seen weight and the weight needed (valid under the same stamp). ``segments`` is
    empty when every user follows row 0 of the threshold table (``kinds``, ``pa``,
    ``pb``). ``order[:shares + pending]`` lists sharers in activation order and
    ``parent[i]`` is the position of the sharer that tipped ``order[i]``. With
    ``record``, ``referrer`` and ``first_step`` receive each reached user's first
    exposure.
    """
    s_c = key_cascade
    s_v = key_conversion
    mark = np.int64(cur) << STAMP_SHIFT
    one_row = segments.shape[0] == 0
    tail = 0
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if (state[s] >> STAMP_SHIFT) == cur:
            continue  # the same seed listed twice
        state[s] = mark | ((SHARER | SEED) << FLAG_SHIFT)
        if record:
            referrer[s] = -1
            first_step[s] = 0
        order[tail] = s
        parent[tail] = -1
        tail += 1
    n_seeds = tail
    counts[C_SEEDS] = n_seeds

    if visibility <= 0.0:
        inv_log_q = 0.0
        skip = NO_GAP
    elif visibility >= 1.0:
        inv_log_q = 0.0
        skip = np.int64(0)
    else:
        inv_log_q = 1.0 / np.log1p(-visibility)
        s_c, skip = fast_gap(s_c, inv_log_q, gap_tab)
    draw_gaps = 0.0 < visibility < 1.0

    n_engaged = 0
    n_ref_conv = 0
    best_imp = -1
    peak = 0
    head = 0
    t = 0
    while head < tail and t < steps:
        gen_end = tail
        n_imp = 0
        n_paid = 0
        n_reach = 0
        n_earned = 0
        n_eng = 0
        n_conv = 0
        for pos in range(head, gen_end):
            if pos + PREFETCH_BOUNDS < tail:
                _prefetch(indptr, order[pos + PREFETCH_BOUNDS])
            if pos + PREFETCH_ROW < tail:
                _prefetch(indices, indptr[order[pos + PREFETCH_ROW]])
            u = order[pos]
            a = indptr[u]
            b = indptr[u + 1]
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
                word = state[v]
                if (word >> STAMP_SHIFT) != cur:
                    # first exposure: reach, and the user's threshold is decided now
                    n_reach += 1
                    if record:
                        referrer[v] = u
                        first_step[v] = t
                    fl = REACHED
                    if not from_seed:
                        fl |= REFERRED
                        n_earned += 1
                    row = 0 if one_row else segments[v]
                    kind = kinds[row]
                    if absolute:
                        rem = np.int64(pa[row])
                        if rem > in_degree[v]:
                            rem = NEVER
                    else:
                        phi = draw_phi(key_threshold, v, kind, pa[row], pb[row])
                        if weighted:
                            wstate[v, 0] = 0.0
                            wstate[v, 1] = phi * in_weight[v]
                            rem = np.int64(1)
                        else:
                            rem = needed(phi, in_degree[v])
                    word = mark | (fl << FLAG_SHIFT) | rem
                fv = (word >> FLAG_SHIFT) & FLAG_MASK
                if (fv & SHARER) == 0:
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
                        fv |= ENGAGED | SHARER
                        n_eng += 1
                        n_engaged += 1
                        referred = (fv & REFERRED) != 0
                        s_v, converted = converts(s_v, referred, conversion, conversion_referred)
                        if converted:
                            fv |= CONVERTED
                            n_conv += 1
                            if referred:
                                n_ref_conv += 1
                        order[tail] = v
                        parent[tail] = pos
                        tail += 1
                        rem = 0
                    word = mark | (fv << FLAG_SHIFT) | rem
                state[v] = word
                if draw_gaps:
                    s_c, g = fast_gap(s_c, inv_log_q, gap_tab)
                    j += g + 1
                else:
                    j += 1
            skip = j - b
        series[t, 0] = n_imp
        if n_imp > best_imp:
            best_imp = n_imp
            peak = t
        series[t, 1] = n_reach
        series[t, 2] = n_eng
        series[t, 3] = gen_end - head
        series[t, 4] = n_conv
        counts[C_IMPRESSIONS] += n_imp
        counts[C_PAID_IMPRESSIONS] += n_paid
        counts[C_REACH] += n_reach
        counts[C_EARNED_REACH] += n_earned
        counts[C_ENGAGEMENTS] += n_eng
        counts[C_CONVERSIONS] += n_conv
        head = gen_end
        t += 1

    counts[C_ENGAGED] = n_engaged
    counts[C_REFERRAL_CONVERSIONS] = n_ref_conv
    counts[C_SHARES] = head
    counts[C_PENDING] = tail - head
    return structural_virality(parent, head, n_seeds, size), t, peak


def ensemble(
    indptr,
    indices,
    weights,
    in_degree,
    in_weight,
    segments,
    kinds,
    pa,
    pb,
    absolute,
    weighted,
    seed_sets,
    visibility,
    conversion,
    conversion_referred,
    steps,
    root,
    first_replicate,
    n_reps,
    n_chunks,
):
    """Run replicates ``first_replicate .. first_replicate + n_reps - 1``.

    ``seed_sets`` has one row per replicate, or a single row shared by all. Replicates
    are dealt round-robin to ``n_chunks`` workers, each with its own workspace, so the
    result is the same for any number of chunks. Outputs are allocated here by numpy
    (see :func:`smmsim._kernels.ewom.ensemble` for why).

    Returns
    -------
    counts : int64 array (n_reps, N_COUNTS)
    virality : float64 array (n_reps,)
    series : int64 array (n_reps, steps, N_SERIES)
    profile : int64 array (n_reps, 2)
        Cascade depth (last step with new sharers) and peak step (first step with the
        most impressions) of each replicate: its events fall in ``series[r, :depth + 1]``.
    """
    counts = np.zeros((n_reps, N_COUNTS), dtype=np.int64)
    profile = np.zeros((n_reps, 2), dtype=np.int64)
    virality = np.zeros(n_reps, dtype=np.float64)
    series = np.zeros((n_reps, steps, N_SERIES), dtype=np.int64)
    graph = (indptr, indices, weights, in_degree, in_weight, segments)
    table = (kinds, pa, pb)
    params = (
        bool(absolute),
        bool(weighted),
        float(visibility),
        float(conversion),
        float(conversion_referred),
    )
    _ensemble_into(
        graph,
        table,
        seed_sets,
        params,
        int(steps),
        np.uint64(root),
        int(first_replicate),
        int(n_chunks),
        counts,
        virality,
        series,
        profile,
    )
    return counts, virality, series, profile


@jit
def _ensemble_into(
    graph, table, seed_sets, params, steps, root, first_replicate, n_chunks,
    counts, virality, series, profile,
):  # fmt: skip
    """:func:`ensemble` into preallocated (zeroed) outputs."""
    gap_tab = visibility_table(params[2])
    if n_chunks <= 1:
        _chunk(
            graph, table, seed_sets, params, steps, gap_tab, root, first_replicate,
            0, 1, counts, virality, series, profile,
        )  # fmt: skip
    else:
        _parallel_chunks(
            graph, table, seed_sets, params, steps, gap_tab, root, first_replicate,
            n_chunks, counts, virality, series, profile,
        )  # fmt: skip


@jit(parallel=True)
def _parallel_chunks(
    graph, table, seed_sets, params, steps, gap_tab, root, first_replicate,
    n_chunks, counts, virality, series, profile,
):  # fmt: skip
    for c in prange(n_chunks):
        _chunk(
            graph, table, seed_sets, params, steps, gap_tab, root, first_replicate,
            c, n_chunks, counts, virality, series, profile,
        )  # fmt: skip


@jit
def _chunk(
    graph, table, seed_sets, params, steps, gap_tab, root, first_replicate,
    c, n_chunks, counts, virality, series, profile,
):  # fmt: skip
    """Replicates ``c, c + n_chunks, ...`` of the batch, in one workspace."""
    indptr, indices, weights, in_degree, in_weight, segments = graph
    kinds, pa, pb = table
    absolute, weighted, visibility, conversion, conversion_referred = params
    n = indptr.shape[0] - 1
    n_reps = counts.shape[0]
    shared_seeds = seed_sets.shape[0] == 1
    state = np.zeros(n, dtype=np.int64)
    wstate = np.empty((n if weighted else 0, 2), dtype=np.float64)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    unused = np.empty(0, dtype=np.int32)
    cur = 0
    for r in range(c, n_reps, n_chunks):
        cur += 1
        if cur > MAX_STAMP:
            state[:] = 0
            cur = 1
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        virality[r], t, peak = run_one(
            indptr,
            indices,
            weights,
            in_degree,
            in_weight,
            segments,
            kinds,
            pa,
            pb,
            absolute,
            weighted,
            seed_sets[row],
            visibility,
            conversion,
            conversion_referred,
            steps,
            gap_tab,
            stream_key(root, rep, PURPOSE_CASCADE),
            stream_key(root, rep, PURPOSE_CONVERSION),
            stream_key(root, rep, PURPOSE_THRESHOLD),
            cur,
            state,
            wstate,
            order,
            parent,
            False,
            unused,
            unused,
            size,
            counts[r],
            series[r],
        )
        profile[r, 0] = max(t - 1, 0)
        profile[r, 1] = peak


def trace(
    indptr,
    indices,
    weights,
    in_degree,
    in_weight,
    segments,
    kinds,
    pa,
    pb,
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
    """Run one replicate and return its node-level record.

    Returns
    -------
    nodes : int32 array of every user reached or seeded
    flags, referrer, first_step : per entry of ``nodes``
    order, parent : sharers in activation order and their parents' positions
    counts, series, virality : as in :func:`ensemble`
    """
    return _trace(
        indptr,
        indices,
        weights,
        in_degree,
        in_weight,
        segments,
        kinds,
        pa,
        pb,
        bool(absolute),
        bool(weighted),
        seeds,
        float(visibility),
        float(conversion),
        float(conversion_referred),
        int(steps),
        np.uint64(root),
        int(replicate),
    )


@jit
def _trace(
    indptr, indices, weights, in_degree, in_weight, segments, kinds, pa, pb, absolute,
    weighted, seeds, visibility, conversion, conversion_referred, steps, root, replicate,
):  # fmt: skip
    n = indptr.shape[0] - 1
    state = np.zeros(n, dtype=np.int64)
    wstate = np.empty((n if weighted else 0, 2), dtype=np.float64)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    referrer = np.empty(n, dtype=np.int32)
    first_step = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    counts = np.zeros(N_COUNTS, dtype=np.int64)
    series = np.zeros((steps, N_SERIES), dtype=np.int64)
    sv, _t, _peak = run_one(
        indptr,
        indices,
        weights,
        in_degree,
        in_weight,
        segments,
        kinds,
        pa,
        pb,
        absolute,
        weighted,
        seeds,
        visibility,
        conversion,
        conversion_referred,
        steps,
        visibility_table(visibility),
        stream_key(root, replicate, PURPOSE_CASCADE),
        stream_key(root, replicate, PURPOSE_CONVERSION),
        stream_key(root, replicate, PURPOSE_THRESHOLD),
        1,
        state,
        wstate,
        order,
        parent,
        True,
        referrer,
        first_step,
        size,
        counts,
        series,
    )
    nodes = np.nonzero((state >> STAMP_SHIFT) == 1)[0].astype(np.int32)
    k = counts[C_SHARES] + counts[C_PENDING]
    return (
        nodes,
        ((state[nodes] >> FLAG_SHIFT) & FLAG_MASK).astype(np.uint8),
        referrer[nodes],
        first_step[nodes],
        order[:k].copy(),
        parent[:k].copy(),
        counts,
        series,
        sv,
    )


@jit
def thresholds_of(users, root, replicate, kind, a, b):
    """Thresholds the kernel would draw for ``users`` in replicate ``replicate``."""
    key = stream_key(root, replicate, PURPOSE_THRESHOLD)
    out = np.empty(users.shape[0], dtype=np.float64)
    for i in range(users.shape[0]):
        out[i] = draw_phi(key, users[i], kind, a, b)
    return out
