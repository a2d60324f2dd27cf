"""Continuous-time SIR cascade kernel (event-driven, the fast_SIR algorithm).

One replicate: seeds share at time 0. When a user starts sharing at time ``t_u`` they
draw how long they keep sharing, ``D_u ~ Exp(gamma)`` (then they lose interest), and for
each follower ``v`` a transmission delay ``X_uv ~ Exp(beta)``; the share reaches ``v``
(an impression at time ``t_u + X_uv``) when ``X_uv < D_u``. A user who has never shared
starts sharing at their earliest impression; the sharer behind it is their parent. This
is the Markovian SIR epidemic (transmission rate ``beta`` per tie, recovery rate
``gamma``) simulated event by event, as in the ``fast_SIR`` algorithm of Kiss, Miller &
Simon (2017, chapter A.1): every transmission is drawn when the transmitter starts
sharing, and future infections wait in a priority queue keyed by their time.

Draws, from the replicate's cascade stream in processing order (seeds in list order,
then sharers in order of (time, user id)): one uniform ``w`` for ``D_u = -log(w) /
gamma``, then one uniform ``w`` per follower in CSR order; the share reaches the
follower when ``w > exp(-beta D_u)`` (which is ``X_uv = -log(w) / beta < D_u``), at
``t_u - log(w) / beta``. Conversions use the replicate's conversion stream in the order
users start sharing.

Time is continuous; counts are binned on a grid of ``steps`` bins of width ``dt``: an
event at time ``tau`` falls in bin ``int(tau / dt)`` and is counted only when ``tau / dt
< steps`` (the horizon). A user whose earliest committed impression (from a sharer who
started before the horizon) lands after the horizon is a *pending* sharer.

The priority queue is an indexed binary min-heap over plain arrays (decrease-key, so it
never holds more than one entry per user); an entry's time and user id sit side by side
in one ``float64`` array, so a comparison reads one cache line. Per-user state is one
``int32`` word, ``(replicate stamp << FLAG_BITS) | flags``, valid only where the stamp is
the current replicate's, so nothing is cleared between replicates.

References
----------
I. Z. Kiss, J. C. Miller and P. L. Simon, *Mathematics of Epidemics on Networks*,
Springer (2017), Appendix A.1 (``fast_SIR``).
D. T. Gillespie, "Exact stochastic simulation of coupled chemical reactions",
J. Phys. Chem. 81, 2340-2361 (1977).
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
from smmsim._kernels.rng import PURPOSE_CASCADE, PURPOSE_CONVERSION, stream_key, uniform

# user flags (low FLAG_BITS bits of the state word; valid where the stamp is current)
REACHED = np.int32(1)  # a non-seed user who saw the content (first exposure = infection)
ENGAGED = np.int32(2)
SHARER = np.int32(4)  # started sharing before the horizon
SEED = np.int32(8)
REFERRED = np.int32(16)  # first exposure came from a peer, not a seed
CONVERTED = np.int32(32)
QUEUED = np.int32(64)  # an impression before the horizon is waiting in the heap
PENDING = np.int32(128)  # the earliest committed impression lands after the horizon
FLAG_BITS = 8
FLAG_MASK = np.int32((1 << FLAG_BITS) - 1)
#: Largest replicate stamp that fits beside the flags; a workspace is cleared after it.
MAX_STAMP = (1 << (31 - FLAG_BITS)) - 1


# ------------------------------------------------------------------ indexed heap
# Entry i is (heap[2 i], heap[2 i + 1]) = (time, user id; exact in a float64), ordered
# by time then user id, so equal times pop in a fixed order.


@jit
def _sift_up(heap, hpos, i):
    key = heap[2 * i]
    node = heap[2 * i + 1]
    while i > 0:
        p = (i - 1) >> 1
        kp = heap[2 * p]
        up = heap[2 * p + 1]
        if kp < key or (kp == key and up < node):
            break
        heap[2 * i] = kp
        heap[2 * i + 1] = up
        hpos[np.int64(up)] = i
        i = p
    heap[2 * i] = key
    heap[2 * i + 1] = node
    hpos[np.int64(node)] = i


@jit
def _sift_down(heap, hpos, size):
    i = 0
    key = heap[0]
    node = heap[1]
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        kc = heap[2 * c]
        nc = heap[2 * c + 1]
        if c + 1 < size:
            k2 = heap[2 * c + 2]
            n2 = heap[2 * c + 3]
            if k2 < kc or (k2 == kc and n2 < nc):
                c += 1
                kc = k2
                nc = n2
        if key < kc or (key == kc and node < nc):
            break
        heap[2 * i] = kc
        heap[2 * i + 1] = nc
        hpos[np.int64(nc)] = i
        i = c
    heap[2 * i] = key
    heap[2 * i + 1] = node
    hpos[np.int64(node)] = i


# ------------------------------------------------------------------ one replicate


@jit
def _spread(
    u,
    t_u,
    pos_u,
    from_seed,
    s_c,
    indptr,
    indices,
    beta,
    gamma,
    dt,
    steps,
    mark,
    state,
    pred_parent,
    heap,
    hpos,
    hsize,
    series,
    tallies,
):
    """Draw ``u``'s interest span and one transmission per follower; queue infections.

    ``tallies`` accumulates impressions, paid impressions and pending sharers, and keeps
    the last bin that received an impression. Returns
    ``(stream, heap size)``.
    """
    s_c, w = uniform(s_c)
    d = -np.log(w) / gamma
    q = np.exp(-beta * d)  # a follower's draw w transmits when w > q: X < D
    for j in range(indptr[u], indptr[u + 1]):
        s_c, w = uniform(s_c)
        if w <= q:
            continue
        v = indices[j]
        tau = t_u + (-np.log(w) / beta)
        b = tau / dt
        word = state[v]
        fresh = (word & ~FLAG_MASK) != mark
        f = word & FLAG_MASK
        if b >= steps:  # lands after the horizon: not counted, may leave v pending
            if fresh:
                state[v] = mark | PENDING
                tallies[2] += 1
            continue
        bi = np.int64(b)
        series[bi, T_IMPRESSIONS] += 1
        if bi > tallies[3]:
            tallies[3] = bi
        tallies[0] += 1
        if from_seed:
            tallies[1] += 1
        if fresh:
            state[v] = mark | QUEUED
            pred_parent[v] = pos_u
            heap[2 * hsize] = tau
            heap[2 * hsize + 1] = v
            _sift_up(heap, hpos, hsize)
            hsize += 1
        elif (f & QUEUED) != 0:
            i = hpos[v]
            if tau < heap[2 * i]:
                pred_parent[v] = pos_u
                heap[2 * i] = tau
                _sift_up(heap, hpos, i)
        elif (f & PENDING) != 0:
            tallies[2] -= 1
            state[v] = mark | QUEUED
            pred_parent[v] = pos_u
            heap[2 * hsize] = tau
            heap[2 * hsize + 1] = v
            _sift_up(heap, hpos, hsize)
            hsize += 1
        # else v already shares: the impression changes nothing
    return s_c, hsize


@jit
def run_one(
    indptr,
    indices,
    seeds,
    beta,
    gamma,
    dt,
    conversion,
    conversion_referred,
    steps,
    key_cascade,
    key_conversion,
    cur,
    state,
    pred_parent,
    heap,
    hpos,
    order,
    parent,
    record,
    referrer,
    first_time,
    size,
    counts,
    series,
):
    """Simulate one replicate into ``counts`` and ``series``.

    Returns the structural virality of the sharer tree and the number of leading bins
    that hold events (the last busy bin + 1).

    ``state`` holds ``(stamp << FLAG_BITS) | flags`` per user and is valid only where the
    stamp is ``cur`` (``1 <= cur <= MAX_STAMP``). A queued user's earliest impression
    waits in ``heap`` (``heap[2 i]`` its time, ``heap[2 i + 1]`` the user) at slot
    ``hpos[user]``, and ``pred_parent[user]`` is the position in ``order`` of the sharer
    behind it; both are read only where the flags say the user is queued. On return
    ``order[:shares]`` lists the sharers in the order they started (time order) and
    ``parent[i]`` is the position in ``order`` of the sharer who reached ``order[i]``
    first (-1 for seeds). With ``record`` true, ``referrer`` and ``first_time`` receive
    each sharer's parent (user id, -1 for seeds) and start time.
    """
    s_c = key_cascade
    s_v = key_conversion
    mark = np.int32(cur << FLAG_BITS)
    # impressions, paid impressions, pending sharers, last bin with an event
    tallies = np.zeros(4, dtype=np.int64)
    # --- seeds share at time 0 (all of them before any spreads: a seed is never queued)
    tail = 0
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if (state[s] & ~FLAG_MASK) == mark:
            continue  # the same seed listed twice
        state[s] = mark | SHARER | SEED
        if record:
            referrer[s] = -1
            first_time[s] = 0.0
        order[tail] = s
        parent[tail] = -1
        tail += 1
    n_seeds = tail
    counts[C_SEEDS] = n_seeds
    series[0, T_SHARES] += n_seeds
    hsize = 0
    for i in range(n_seeds):
        s_c, hsize = _spread(
            order[i], 0.0, i, True, s_c, indptr, indices, beta, gamma, dt, steps, mark,
            state, pred_parent, heap, hpos, hsize, series, tallies,
        )  # fmt: skip

    # --- infections in time order
    n_ref = 0
    n_conv = 0
    n_ref_conv = 0
    while hsize > 0:
        v = np.int64(heap[1])
        tau = heap[0]
        hsize -= 1
        if hsize > 0:
            heap[0] = heap[2 * hsize]
            heap[1] = heap[2 * hsize + 1]
            _sift_down(heap, hpos, hsize)
        p = pred_parent[v]
        referred = p >= n_seeds
        f = REACHED | ENGAGED | SHARER
        if referred:
            f |= REFERRED
            n_ref += 1
        b = np.int64(tau / dt)
        if b > tallies[3]:
            tallies[3] = b
        series[b, T_REACH] += 1
        series[b, T_ENGAGEMENTS] += 1
        series[b, T_SHARES] += 1
        s_v, converted = converts(s_v, referred, conversion, conversion_referred)
        if converted:
            f |= CONVERTED
            series[b, T_CONVERSIONS] += 1
            n_conv += 1
            if referred:
                n_ref_conv += 1
        state[v] = mark | f
        if record:
            referrer[v] = order[p]
            first_time[v] = tau
        order[tail] = v
        parent[tail] = p
        tail += 1
        s_c, hsize = _spread(
            v, tau, tail - 1, False, s_c, indptr, indices, beta, gamma, dt, steps, mark,
            state, pred_parent, heap, hpos, hsize, series, tallies,
        )  # fmt: skip

    reached = tail - n_seeds
    counts[C_IMPRESSIONS] = tallies[0]
    counts[C_PAID_IMPRESSIONS] = tallies[1]
    counts[C_REACH] = reached
    counts[C_EARNED_REACH] = n_ref
    counts[C_ENGAGED] = reached
    counts[C_ENGAGEMENTS] = reached
    counts[C_SHARES] = tail
    counts[C_PENDING] = tallies[2]
    counts[C_CONVERSIONS] = n_conv
    counts[C_REFERRAL_CONVERSIONS] = n_ref_conv
    return structural_virality(parent, tail, n_seeds, size), tallies[3] + 1


# ------------------------------------------------------------------ ensembles


def ensemble(
    indptr,
    indices,
    seed_sets,
    beta,
    gamma,
    dt,
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
    result does not depend on ``n_chunks``; outputs are allocated here by numpy.

    Returns
    -------
    counts : int64 array (n_reps, N_COUNTS)
    virality : float64 array (n_reps,)
    series : int64 array (n_reps, steps, N_SERIES)
    active : int64 array (n_reps,)
        Leading bins of each replicate's series that hold events.
    """
    counts = np.zeros((n_reps, N_COUNTS), dtype=np.int64)
    active = np.zeros(n_reps, dtype=np.int64)
    virality = np.zeros(n_reps, dtype=np.float64)
    series = np.zeros((n_reps, steps, N_SERIES), dtype=np.int64)
    params = (
        float(beta),
        float(gamma),
        float(dt),
        float(conversion),
        float(conversion_referred),
    )
    args = (
        indptr, indices, seed_sets, params, int(steps), np.uint64(root),
        int(first_replicate),
    )  # fmt: skip
    if n_chunks <= 1:
        _chunk(*args, 0, 1, counts, virality, series, active)
    else:
        _parallel_chunks(*args, int(n_chunks), counts, virality, series, active)
    return counts, virality, series, active


@jit(parallel=True)
def _parallel_chunks(
    indptr, indices, seed_sets, params, steps, root, first_replicate, n_chunks,
    counts, virality, series, active,
):  # fmt: skip
    for c in prange(n_chunks):
        _chunk(
            indptr, indices, seed_sets, params, steps, root, first_replicate, c, n_chunks,
            counts, virality, series, active,
        )  # fmt: skip


@jit
def _chunk(
    indptr, indices, seed_sets, params, steps, root, first_replicate, c, n_chunks,
    counts, virality, series, active,
):  # fmt: skip
    """Replicates ``c, c + n_chunks, ...`` of the batch, in one workspace."""
    beta, gamma, dt, conversion, conversion_referred = params
    n = indptr.shape[0] - 1
    n_reps = counts.shape[0]
    shared_seeds = seed_sets.shape[0] == 1
    state = np.zeros(n, dtype=np.int32)
    pred_parent = np.empty(n, dtype=np.int32)
    heap = np.empty(2 * n, dtype=np.float64)
    hpos = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    unused_i = np.empty(0, dtype=np.int32)
    unused_f = np.empty(0, dtype=np.float64)
    cur = 0
    for r in range(c, n_reps, n_chunks):
        cur += 1
        if cur > MAX_STAMP:
            state[:] = 0
            cur = 1
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        virality[r], active[r] = run_one(
            indptr, indices, seed_sets[row], beta, gamma, dt, conversion,
            conversion_referred, steps, stream_key(root, rep, PURPOSE_CASCADE),
            stream_key(root, rep, PURPOSE_CONVERSION), cur, state, pred_parent,
            heap, hpos, order, parent, False, unused_i, unused_f, size,
            counts[r], series[r],
        )  # fmt: skip


@jit
def trace(
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
    """Run one replicate and return its node-level record.

    Returns
    -------
    nodes : int32 array of every user who shared (seeds included), by user id
    flags, referrer, first_time : per entry of ``nodes``
    order, parent : sharers in the order they started and their parents' positions
    counts, series, virality : as in :func:`ensemble`
    """
    n = indptr.shape[0] - 1
    state = np.zeros(n, dtype=np.int32)
    pred_parent = np.empty(n, dtype=np.int32)
    heap = np.empty(2 * n, dtype=np.float64)
    hpos = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    referrer = np.empty(n, dtype=np.int32)
    first_time = np.empty(n, dtype=np.float64)
    size = np.empty(n, dtype=np.int32)
    counts = np.zeros(N_COUNTS, dtype=np.int64)
    series = np.zeros((steps, N_SERIES), dtype=np.int64)
    sv, _ = run_one(
        indptr, indices, seeds, beta, gamma, dt, conversion, conversion_referred, steps,
        stream_key(root, replicate, PURPOSE_CASCADE),
        stream_key(root, replicate, PURPOSE_CONVERSION), 1, state, pred_parent,
        heap, hpos, order, parent, True, referrer, first_time, size, counts, series,
    )  # fmt: skip
    k = counts[C_SHARES]
    nodes = np.sort(order[:k])
    return (
        nodes,
        (state[nodes] & FLAG_MASK).astype(np.uint8),
        referrer[nodes],
        first_time[nodes],
        order[:k].copy(),
        parent[:k].copy(),
        counts,
        series,
        sv,
    )


# ------------------------------------------------------------------ theory helper


@jit
def no_transmission_pgf(y, a, kmax, out):
    """``out[k] = E[(1 - p + p y)^k]`` for ``k = 0 .. kmax``, ``p = 1 - exp(-beta D)``.

    ``D ~ Exp(gamma)`` and ``a = gamma / beta``: the probability generating function of
    the number of transmissions from a sharer with ``k`` followers, at ``y``. Integrating
    ``a * int_0^1 z^(a-1) (y + (1-y) z)^k dz`` by parts gives the recursion
    ``I_k = (a + k y I_(k-1)) / (a + k)``, ``I_0 = 1``: each term is a weighted mean of 1
    and ``y I_(k-1)``, so it is stable for any ``k``. At ``y = 0`` it is
    ``gamma / (gamma + k beta)``, the chance that interest ends before any transmission.
    """
    out[0] = 1.0
    for k in range(1, kmax + 1):
        out[k] = (a + k * y * out[k - 1]) / (a + k)
    return out
