"""The default eWOM cascade kernel (independent-cascade family).

One replicate: seeds share at step 0; each follower of a sharer sees the share with
probability ``visibility`` (an impression); a user who is not yet a sharer engages at
each impression with probability ``stickiness(t)``; an engagement becomes a share at
step t+1 with probability ``contagion``; a user's first engagement converts with
probability ``conversion`` (``conversion_referred`` when the first exposure came from
a peer rather than a seed).

Impressions are found by geometric gap draws over the concatenated follower lists of
the step's sharers, so the work is proportional to impressions, not to ties examined.
Every (replicate, purpose) pair owns a SplitMix64 stream, so a replicate's outcome does
not depend on which thread runs it; the gaps have a stream of their own, so impressions
can be listed a batch at a time and then shown (engagement, sharing, conversion draws)
in the same order without changing any outcome.

A user's per-replicate state is one ``int32`` word, ``(replicate stamp << FLAG_BITS) |
flags``: an impression reads and writes one word, so a cascade on a large audience pays
one cache miss per impression rather than one per array, and those misses overlap
because the states of listed impressions are prefetched ahead of the one being shown.

References
----------
D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
social network", KDD 2003 (the independent cascade).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

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
    PURPOSE_CASCADE,
    PURPOSE_CONVERSION,
    PURPOSE_IMPRESSION,
    PURPOSE_SEEDING,
    fast_gap,
    randbelow,
    stream_key,
    uniform,
    visibility_table,
)

# user flags (the low FLAG_BITS bits of a user's state word; valid only where the word's
# stamp is the current replicate's)
REACHED = np.uint8(1)
ENGAGED = np.uint8(2)
SHARER = np.uint8(4)
SEED = np.uint8(8)
REFERRED = np.uint8(16)
CONVERTED = np.uint8(32)
FLAG_BITS = 6
FLAG_MASK = np.int32((1 << FLAG_BITS) - 1)
#: Largest replicate stamp that fits beside the flags; a workspace is cleared after it.
MAX_STAMP = (1 << (31 - FLAG_BITS)) - 1


#: Consecutive replicates a worker runs when several share a batch (see :func:`_chunk`).
RUN_BLOCK = 64
NO_GAP = np.int64(9_000_000_000_000_000_000)
# sharers ahead of the current one whose row bounds / first followers are prefetched
PREFETCH_BOUNDS = 8
PREFETCH_ROW = 4
PREFETCH_MIN = 16
#: Impressions listed before they are shown (see :func:`_show`), and how far ahead of
#: the one being shown its user's state is prefetched.
SHOW_BATCH = 256
PREFETCH_STATE = 12


@intrinsic
def _prefetch(typingctx, arr, idx):
    """Hint the CPU to load the cache line holding ``arr[idx]`` (no bounds check, no fault).

    A cascade visits its sharers' rows in an order the hardware prefetcher cannot
    guess; asking a few sharers ahead hides most of the memory latency on audiences
    larger than the caches.
    """
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty, idxty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        i = context.cast(builder, args[1], idxty, types.intp)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [i], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        # read access, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@jit
def _show(
    tv, tp, nb, acc, state, order, parent, tail, mark, n_seeds, stick, contagion,
    conversion, conversion_referred, s_c, s_v, keyed, root, rep, record, referrer,
    first_step, t,
):  # fmt: skip
    """Show the impressions ``tv[:nb]`` (users), of the shares of ``order[tp[:nb]]``, in
    order, at step ``t``.

    An impression reaches the user if it is their first, and a user who is not yet a
    sharer engages with probability ``stick`` (the cascade stream ``s_c``) and then
    shares with probability ``contagion``; a first engagement converts (the conversion
    stream ``s_v``, keyed at its first draw). Counts go to ``acc``: impressions, paid
    impressions, reach, earned reach, engagements, conversions, newly engaged users,
    referral conversions. Returns ``(s_c, s_v, keyed, tail)``.
    """
    for i in range(nb):
        if i + PREFETCH_STATE < nb:
            _prefetch(state, tv[i + PREFETCH_STATE])
        v = tv[i]
        pos = tp[i]
        from_seed = pos < n_seeds
        acc[0] += 1
        if from_seed:
            acc[1] += 1
        word = state[v]
        if (word & ~FLAG_MASK) != mark:
            acc[2] += 1
            if record:
                referrer[v] = order[pos]
                first_step[v] = t
            if from_seed:
                word = mark | np.int32(REACHED)
            else:
                word = mark | np.int32(REACHED | REFERRED)
                acc[3] += 1
            state[v] = word
        fv = word & FLAG_MASK
        if (fv & SHARER) == 0:
            engaged = True
            if stick < 1.0:
                s_c, x = uniform(s_c)
                engaged = x < stick
            if engaged:
                acc[4] += 1
                if (fv & ENGAGED) == 0:
                    fv |= ENGAGED
                    acc[6] += 1
                    referred = (fv & REFERRED) != 0
                    if not keyed:
                        s_v = stream_key(root, rep, PURPOSE_CONVERSION)
                        keyed = True
                    s_v, converted = converts(s_v, referred, conversion, conversion_referred)
                    if converted:
                        fv |= CONVERTED
                        acc[5] += 1
                        if referred:
                            acc[7] += 1
                shares = True
                if contagion < 1.0:
                    s_c, z = uniform(s_c)
                    shares = z < contagion
                if shares:
                    fv |= SHARER
                    order[tail] = v
                    parent[tail] = pos
                    tail += 1
                state[v] = mark | fv
    return s_c, s_v, keyed, tail


@jit
def run_block(
    indptr,
    indices,
    seed_sets,
    visibility,
    stickiness,
    contagion,
    half_life,
    conversion,
    conversion_referred,
    steps,
    gap_tab,
    root,
    first_replicate,
    start,
    stop,
    cur,
    state,
    order,
    parent,
    record,
    referrer,
    first_step,
    size,
    counts,
    virality,
    events,
    ev_start,
    ev_pos,
    profile,
):
    """Simulate replicates ``start .. stop - 1`` of a batch.

    Returns ``(cur, ev_pos)``: the last stamp used and the next free row of ``events``.

    Replicate ``r`` is seeded by ``seed_sets[r]`` (or the one shared row) and draws from
    the streams keyed by ``(root, first_replicate + r)``; it writes ``counts[r]``,
    ``virality[r]``, ``profile[r]`` (depth, peak step) and its per-step series: one row
    of ``events`` per step it was active in (steps ``0 .. depth``), from row
    ``ev_start[r]`` on, the rows of consecutive replicates packed from row ``ev_pos``.
    ``counts``, ``profile`` and ``events`` must arrive zeroed. The replicate
    loop lives here, not around a per-replicate call, so the arrays are handed over once
    per block rather than once per replicate (each hand-over costs reference counting).

    ``state`` holds one word per user, ``(stamp << FLAG_BITS) | flags``, and is not
    cleared between replicates: a word is valid only where its stamp is the current one
    (replicates take stamps ``cur + 1, cur + 2, ...``; the state is cleared when they
    would pass ``MAX_STAMP``). ``order[:shares + pending]`` lists a replicate's sharers
    in the order they were activated and ``parent[i]`` is the position in ``order`` of
    the sharer that activated ``order[i]``. With ``record`` true, ``referrer`` and
    ``first_step`` receive each reached user's first exposure (for :func:`trace`);
    otherwise they are not touched. ``size`` is scratch space of at least ``shares``
    entries.
    """
    shared_seeds = seed_sets.shape[0] == 1
    acc = np.zeros(8, dtype=np.int64)
    tv = np.empty(SHOW_BATCH, dtype=np.int32)
    tp = np.empty(SHOW_BATCH, dtype=np.int64)
    draw_gaps = 0.0 < visibility < 1.0
    inv_log_q = 1.0 / np.log1p(-visibility) if draw_gaps else 0.0
    # a shared seed row: how many users it seeds and how many followers they have, once
    # the first replicate has placed them. A replicate whose first gap passes all those
    # followers shows the posts to nobody, and is finished without touching the audience.
    quiet_seeds = -1
    quiet_followers = np.int64(0)
    for r in range(start, stop):
        cur += 1
        if cur > MAX_STAMP:
            state[:] = 0
            cur = 1
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        s_g = stream_key(root, rep, PURPOSE_IMPRESSION)
        if draw_gaps:
            s_g, skip = fast_gap(s_g, inv_log_q, gap_tab)
        elif visibility >= 1.0:
            skip = np.int64(0)
        else:
            skip = NO_GAP
        if quiet_seeds > 0 and skip >= quiet_followers and steps > 0:
            counts[r, C_SEEDS] = quiet_seeds
            counts[r, C_SHARES] = quiet_seeds
            ev_start[r] = ev_pos
            events[ev_pos, T_SHARES] = quiet_seeds
            ev_pos += 1
            virality[r] = 2.0 if quiet_seeds >= 2 else 0.0
            continue
        s_c = stream_key(root, rep, PURPOSE_CASCADE)
        # the conversion stream is keyed at its first draw: most users never convert
        s_v = np.uint64(0)
        keyed = False
        mark = np.int32(cur << FLAG_BITS)
        # --- seeds share at step 0
        tail = 0
        for i in range(seed_sets.shape[1]):
            s = seed_sets[row, i]
            if (state[s] & ~FLAG_MASK) == mark:
                continue  # the same seed listed twice
            state[s] = mark | np.int32(SHARER | SEED)
            if record:
                referrer[s] = -1
                first_step[s] = 0
            order[tail] = s
            parent[tail] = -1
            tail += 1
        n_seeds = tail
        counts[r, C_SEEDS] = n_seeds
        if shared_seeds and quiet_seeds < 0 and not record:
            quiet_seeds = n_seeds
            for i in range(n_seeds):
                quiet_followers += indptr[order[i] + 1] - indptr[order[i]]

        n_engaged = 0
        n_ref_conv = 0
        tot_imp = tot_paid = tot_reach = tot_earned = tot_eng = tot_conv = 0
        best_imp = -1
        peak = 0
        head = 0
        t = 0
        while head < tail and t < steps:
            gen_end = tail
            stick = stickiness
            if half_life > 0.0:
                stick = stickiness * 0.5 ** (t / half_life)
            n_imp = 0
            n_paid = 0
            n_reach = 0
            n_earned = 0
            n_eng = 0
            n_conv = 0
            # prefetching pays only when a generation has many sharers to look ahead to
            prefetch = gen_end - head > PREFETCH_MIN
            # impressions are listed a batch at a time, then shown in order: while one
            # is shown, the audience states of those behind it are already on their way
            # from memory
            acc[:] = 0
            nb = 0
            for pos in range(head, gen_end):
                if prefetch and pos + PREFETCH_BOUNDS < tail:
                    _prefetch(indptr, order[pos + PREFETCH_BOUNDS])
                if prefetch and pos + PREFETCH_ROW < tail:
                    _prefetch(indices, indptr[order[pos + PREFETCH_ROW]])
                u = order[pos]
                a = indptr[u]
                b = indptr[u + 1]
                if skip >= b - a:
                    skip -= b - a
                    continue
                j = a + skip
                while j < b:
                    tv[nb] = indices[j]
                    tp[nb] = pos
                    nb += 1
                    if nb == SHOW_BATCH:
                        s_c, s_v, keyed, tail = _show(
                            tv, tp, nb, acc, state, order, parent, tail, mark, n_seeds,
                            stick, contagion, conversion, conversion_referred, s_c, s_v,
                            keyed, root, rep, record, referrer, first_step, t,
                        )  # fmt: skip
                        nb = 0
                    if draw_gaps:
                        s_g, g = fast_gap(s_g, inv_log_q, gap_tab)
                        j += g + 1
                    else:
                        j += 1
                skip = j - b
            if nb > 0:
                s_c, s_v, keyed, tail = _show(
                    tv, tp, nb, acc, state, order, parent, tail, mark, n_seeds,
                    stick, contagion, conversion, conversion_referred, s_c, s_v,
                    keyed, root, rep, record, referrer, first_step, t,
                )  # fmt: skip
            n_imp = acc[0]
            n_paid = acc[1]
            n_reach = acc[2]
            n_earned = acc[3]
            n_eng = acc[4]
            n_conv = acc[5]
            n_engaged += acc[6]
            n_ref_conv += acc[7]
            if n_imp > best_imp:
                best_imp = n_imp
                peak = t
            at = ev_pos + t
            events[at, T_IMPRESSIONS] = n_imp
            events[at, T_REACH] = n_reach
            events[at, T_ENGAGEMENTS] = n_eng
            events[at, T_SHARES] = gen_end - head
            events[at, T_CONVERSIONS] = n_conv
            tot_imp += n_imp
            tot_paid += n_paid
            tot_reach += n_reach
            tot_earned += n_earned
            tot_eng += n_eng
            tot_conv += n_conv
            head = gen_end
            t += 1

        for col, value in (
            (C_IMPRESSIONS, tot_imp),
            (C_PAID_IMPRESSIONS, tot_paid),
            (C_REACH, tot_reach),
            (C_EARNED_REACH, tot_earned),
            (C_ENGAGEMENTS, tot_eng),
            (C_CONVERSIONS, tot_conv),
            (C_ENGAGED, n_engaged),
            (C_REFERRAL_CONVERSIONS, n_ref_conv),
            (C_SHARES, head),
            (C_PENDING, tail - head),
        ):
            if value:
                counts[r, col] = value
        if head == n_seeds and head >= 2:
            # seeds only: each hangs alone from the brand, every pair is 2 apart (this is
            # what the Wiener sum gives, exactly)
            virality[r] = 2.0
        else:
            virality[r] = structural_virality(parent, head, n_seeds, size)
        profile[r, 0] = max(t - 1, 0)
        profile[r, 1] = peak
        ev_start[r] = ev_pos
        ev_pos += t
    return cur, ev_pos


def ensemble(
    indptr,
    indices,
    seed_sets,
    visibility,
    stickiness,
    contagion,
    half_life,
    conversion,
    conversion_referred,
    steps,
    root,
    first_replicate,
    n_reps,
    n_chunks,
    workspace=None,
):
    """Run replicates ``first_replicate .. first_replicate + n_reps - 1``.

    ``seed_sets`` has one row per replicate, or a single row shared by all. Replicates
    are dealt round-robin to ``n_chunks`` workers, each with its own workspace; with one
    chunk they run on the calling thread, outside any parallel region (no thread-pool
    launch, no workers spinning while they wait).

    ``workspace`` is ``(state, stamps)`` from :func:`new_workspace` (at least
    ``n_chunks`` rows for this audience), kept by the caller between calls: the users'
    state words carry replicate stamps, so a workspace is never cleared, and a call on a
    large audience saves mapping and zeroing a fresh one. ``None``: a fresh one.

    Returns
    -------
    counts : int64 array (n_reps, N_COUNTS), a column-major view
    virality : float64 array (n_reps,)
    events : int64 array (rows, N_SERIES)
        The per-step series of every replicate, packed: replicate ``r`` was active in
        steps ``0 .. depth`` and its rows start at ``ev_start[r]`` (see
        :func:`dense_series` for the usual ``(n_reps, steps, N_SERIES)`` array).
    ev_start : int64 array (n_reps,)
    profile : int64 array (n_reps, 2)
        Cascade depth (last step with new sharers) and peak step (first step with the
        most impressions) of each replicate.

    Notes
    -----
    The outputs are allocated here by numpy, whose zeroed memory the operating system
    hands over lazily, rather than inside the compiled code, where ``np.zeros`` writes
    every byte first. Every page a run writes to for the first time costs a page fault,
    which on a virtual machine can cost more than simulating a small cascade; packing
    the series rows keeps the pages touched per run to what the run produced, where a
    dense ``(steps, N_SERIES, n_reps)`` block would fault in a page of every step that
    some rare deep run reached.
    """
    # column-major, so each metric is one contiguous column for the summaries
    counts = np.zeros((N_COUNTS, n_reps), dtype=np.int64).T
    virality = np.zeros(n_reps, dtype=np.float64)
    # room for every replicate to run every step; only the rows written are touched
    events = np.zeros((n_reps * steps, N_SERIES), dtype=np.int64)
    ev_start = np.zeros(n_reps, dtype=np.int64)
    profile = np.zeros((2, n_reps), dtype=np.int64).T
    if workspace is None:
        workspace = new_workspace(indptr.shape[0] - 1, n_chunks)
    state, stamps = workspace
    if state.shape[0] < max(1, n_chunks) or state.shape[1] != indptr.shape[0] - 1:
        raise ValueError("the workspace does not fit this audience and worker count")
    params = (
        float(visibility),
        float(stickiness),
        float(contagion),
        float(half_life),
        float(conversion),
        float(conversion_referred),
    )
    _ensemble_into(
        indptr,
        indices,
        seed_sets,
        params,
        int(steps),
        np.uint64(root),
        int(first_replicate),
        int(n_chunks),
        counts,
        virality,
        events,
        ev_start,
        profile,
        state,
        stamps,
    )
    return counts, virality, events, ev_start, profile


def new_workspace(n, n_chunks):
    """``(state, stamps)`` for :func:`ensemble`: one row of user state words and one
    replicate stamp per worker, for an audience of ``n`` users."""
    rows = max(1, int(n_chunks))
    return np.zeros((rows, int(n)), dtype=np.int32), np.zeros(rows, dtype=np.int64)


def dense_series(events, ev_start, counts, profile, steps):
    """The ``(n_reps, steps, N_SERIES)`` series of :func:`ensemble`'s packed rows.

    The array is a step-major view (of a ``(steps, N_SERIES, n_reps)`` block), so the
    steps are contiguous for the usual per-step summaries.
    """
    n_reps = counts.shape[0]
    out = np.zeros((steps, N_SERIES, n_reps), dtype=np.int64).transpose(2, 0, 1)
    _unpack(events, ev_start, counts, profile, out)
    return out


@jit
def _unpack(events, ev_start, counts, profile, out):
    steps = out.shape[1]
    for r in range(counts.shape[0]):
        if counts[r, C_SEEDS] == 0:
            continue  # no seeds: the replicate never ran a step
        for t in range(min(profile[r, 0] + 1, steps)):
            for k in range(N_SERIES):
                out[r, t, k] = events[ev_start[r] + t, k]


@jit
def _ensemble_into(
    indptr, indices, seed_sets, params, steps, root, first_replicate, n_chunks,
    counts, virality, events, ev_start, profile, state, stamps,
):  # fmt: skip
    """:func:`ensemble` into preallocated (zeroed) outputs."""
    gap_tab = visibility_table(params[0])
    if n_chunks <= 1:
        _chunk(
            indptr, indices, seed_sets, params, steps, gap_tab, root, first_replicate,
            0, 1, counts, virality, events, ev_start, profile, state, stamps,
        )  # fmt: skip
    else:
        _parallel_chunks(
            indptr, indices, seed_sets, params, steps, gap_tab, root, first_replicate,
            n_chunks, counts, virality, events, ev_start, profile, state, stamps,
        )  # fmt: skip


@jit(parallel=True)
def _parallel_chunks(
    indptr, indices, seed_sets, params, steps, gap_tab, root, first_replicate,
    n_chunks, counts, virality, events, ev_start, profile, state, stamps,
):  # fmt: skip
    for c in prange(n_chunks):
        _chunk(
            indptr, indices, seed_sets, params, steps, gap_tab, root, first_replicate,
            c, n_chunks, counts, virality, events, ev_start, profile, state, stamps,
        )  # fmt: skip


@jit
def _chunk(
    indptr, indices, seed_sets, params, steps, gap_tab, root, first_replicate,
    c, n_chunks, counts, virality, events, ev_start, profile, states, stamps,
):  # fmt: skip
    """Blocks ``c, c + n_chunks, ...`` of ``RUN_BLOCK`` replicates, in workspace row ``c``.

    Dealing blocks rather than single replicates keeps two threads from writing to
    the same cache lines of the outputs. Each worker packs its replicates' series rows
    into its own stretch of ``events``.
    """
    visibility, stickiness, contagion, half_life, conversion, conversion_referred = params
    n = indptr.shape[0] - 1
    n_reps = counts.shape[0]
    state = states[c]
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    unused = np.empty(0, dtype=np.int32)
    cur = stamps[c]
    step = RUN_BLOCK if n_chunks > 1 else n_reps  # one worker: one block
    # this worker's rows of events: room for every step of as many replicates as any
    # worker gets, packed from the start so that the pages touched are the rows written
    ev_pos = 0
    for other in range(c):  # the replicates of the workers before this one
        b = other * step
        while b < n_reps:
            ev_pos += min(step, n_reps - b) * steps
            b += n_chunks * step
    block = c * step
    while block < n_reps:
        cur, ev_pos = run_block(
            indptr, indices, seed_sets, visibility, stickiness, contagion, half_life,
            conversion, conversion_referred, steps, gap_tab, root, first_replicate,
            block, min(block + step, n_reps), cur, state, order, parent, False, unused,
            unused, size, counts, virality, events, ev_start, ev_pos, profile,
        )  # fmt: skip
        block += n_chunks * step
    stamps[c] = cur


@jit
def trace(
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
):
    """Run one replicate and return its node-level record.

    Returns
    -------
    nodes : int32 array of every user reached or seeded
    flags, referrer, first_step : per entry of ``nodes``
    order, parent : sharers in activation order and their parents' positions
    counts, series, virality : as in :func:`ensemble`
    """
    n = indptr.shape[0] - 1
    state = np.zeros(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    referrer = np.empty(n, dtype=np.int32)
    first_step = np.empty(n, dtype=np.int32)
    size = np.empty(n, dtype=np.int32)
    counts = np.zeros((1, N_COUNTS), dtype=np.int64)
    series = np.zeros((steps, N_SERIES), dtype=np.int64)  # one replicate: row t is step t
    ev_start = np.zeros(1, dtype=np.int64)
    seed_sets = np.empty((1, seeds.shape[0]), dtype=np.int64)
    seed_sets[0, :] = seeds
    virality = np.zeros(1, dtype=np.float64)
    profile = np.zeros((1, 2), dtype=np.int64)
    run_block(
        indptr, indices, seed_sets, visibility, stickiness, contagion, half_life,
        conversion, conversion_referred, steps, visibility_table(visibility), root,
        replicate, 0, 1, 0, state, order, parent, True, referrer, first_step, size,
        counts, virality, series, ev_start, 0, profile,
    )  # fmt: skip
    sv = virality[0]
    nodes = np.nonzero((state >> FLAG_BITS) == 1)[0].astype(np.int32)
    k = counts[0, C_SHARES] + counts[0, C_PENDING]
    return (
        nodes,
        (state[nodes] & FLAG_MASK).astype(np.uint8),
        referrer[nodes],
        first_step[nodes],
        order[:k].copy(),
        parent[:k].copy(),
        counts[0],
        series,
        sv,
    )


@jit
def random_seed_sets(n, k, root, first_replicate, n_reps):
    """``k`` distinct users drawn uniformly for each replicate (its own seeding stream)."""
    out = np.empty((n_reps, k), dtype=np.int64)
    mark = np.zeros(n, dtype=np.uint8)
    for r in range(n_reps):
        s = stream_key(root, first_replicate + r, PURPOSE_SEEDING)
        i = 0
        while i < k:
            s, v = randbelow(s, n)
            if mark[v] == 0:
                mark[v] = 1
                out[r, i] = v
                i += 1
        for i in range(k):
            mark[out[r, i]] = 0
    return out
