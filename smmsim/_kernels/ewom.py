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
flags`` (the flags of :mod:`smmsim._kernels.ledger`): an impression reads and writes one
word, so a cascade on a large audience pays one cache miss per impression rather than
one per array, and those misses overlap because the states of listed impressions are
prefetched ahead of the one being shown.

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
from smmsim._kernels import rng as R
from smmsim._kernels.driver import workspace
from smmsim._kernels.funnel import converts
from smmsim._kernels.layout import P_CONTAGION, P_HALF_LIFE, P_STICKINESS, P_VISIBILITY
from smmsim._kernels.ledger import FLAG_MASK_32 as FLAG_MASK
from smmsim._kernels.ledger import MAX_STAMP_32 as MAX_STAMP

#: Indices of the parameter array of :func:`run_reps` after the spread parameters of
#: :mod:`smmsim._kernels.layout` (see :meth:`smmsim.models.EWOM.kernel_args`).
P_CONVERSION = 4
P_CONVERSION_REFERRED = 5
#: Columns of ``seg_mult``, the per-segment multipliers of :func:`run_reps`'s ``args``
#: (see :data:`smmsim.segments.MULTIPLIERS`).
M_STICKINESS = 0
M_CONTAGION = 1
M_CONVERSION = 2


@jit(inline="always")
def _show(
    indptr, tv, tp, nb, acc, books, segment_of, segmented, state, order, parent, tail, mark,
    n_seeds, stick, contagion, conversion, conversion_referred, s_c, s_v, keyed, root,
    rep, record, referrer, first_step, t, seg_mult, multiplied,
):  # fmt: skip
    """Show the impressions ``tv[:nb]`` (users), of the shares of ``order[tp[:nb]]``, in
    order, at step ``t`` (``indptr``: the audience's row bounds, fetched ahead for those
    who decide to share).

    An impression reaches the user if it is their first, and a user who is not yet a
    sharer engages with probability ``stick`` (the cascade stream ``s_c``) and then
    shares with probability ``contagion``; a first engagement converts (the conversion
    stream ``s_v``, keyed at its first draw). Events are counted into the step's counts
    ``acc`` (the ledger's :func:`~smmsim._kernels.ledger.step_counts` of ``books``,
    by column) and, with ``segmented``, told to the ledger's per-user hooks (users'
    segments in ``segment_of``). With ``multiplied``, a user's stickiness, contagion and
    conversion probabilities are multiplied by their segment's row of ``seg_mult``
    (clipped to 1). Returns ``(s_c, s_v, keyed, tail)``.
    """
    for i in range(nb):
        if i + P.PREFETCH_STATE < nb:
            P.prefetch(state, tv[i + P.PREFETCH_STATE])
            if segmented:
                P.prefetch(segment_of, tv[i + P.PREFETCH_STATE])
        v = tv[i]
        pos = tp[i]
        from_seed = pos < n_seeds
        L.step_impression(acc, from_seed)
        row = np.int64(0)
        if segmented:
            row = L.segment_row(books, segment_of, v)
            L.row_impressed(books, row, 1)
        word = state[v]
        if (word & ~FLAG_MASK) != mark:
            L.step_reach(acc, not from_seed)
            if segmented:
                L.row_reached(books, row, not from_seed)
            if record:
                referrer[v] = order[pos]
                first_step[v] = t
            if from_seed:
                word = mark | np.int32(K.REACHED)
            else:
                word = mark | np.int32(K.REACHED | K.REFERRED)
            state[v] = word
        fv = word & FLAG_MASK
        if (fv & K.SHARER) == 0:
            p_stick = stick
            if multiplied:
                p_stick = min(1.0, stick * seg_mult[segment_of[v], M_STICKINESS])
            engaged = True
            if p_stick < 1.0:
                s_c, x = R.uniform(s_c)
                engaged = x < p_stick
            if engaged:
                first = (fv & K.ENGAGED) == 0
                L.step_engagement(acc, first)
                if first:
                    fv |= K.ENGAGED
                    if segmented:
                        L.row_engaged(books, row)
                    referred = (fv & K.REFERRED) != 0
                    p_buy = conversion_referred if referred else conversion
                    if multiplied:
                        p_buy = min(1.0, p_buy * seg_mult[segment_of[v], M_CONVERSION])
                    if not keyed and 0.0 < p_buy < 1.0:
                        # only a probability strictly between 0 and 1 takes a draw
                        s_v = R.stream_key(root, rep, R.PURPOSE_CONVERSION)
                        keyed = True
                    s_v, converted = converts(s_v, referred, p_buy, p_buy)
                    if converted:
                        fv |= K.CONVERTED
                        L.step_conversion(acc, referred)
                        if segmented:
                            L.row_converted(books, row, referred)
                shares = True
                p_share = contagion
                if multiplied:
                    p_share = min(1.0, contagion * seg_mult[segment_of[v], M_CONTAGION])
                if p_share < 1.0:
                    s_c, z = R.uniform(s_c)
                    shares = z < p_share
                if shares:
                    # the row bounds a sharer needs at the next step, on their way now
                    P.prefetch(indptr, v)
                    fv |= K.SHARER
                    if segmented:
                        # tallied now, while the user's segment is at hand (taken
                        # back if the horizon ends before they share)
                        L.row_shared(books, row)
                    order[tail] = v
                    parent[tail] = pos
                    tail += 1
                state[v] = mark | fv
    return s_c, s_v, keyed, tail


def new_work(n, record):
    """A worker's workspace: user state words, the replicate stamp, the sharer order and
    tree, scratch space, and (with ``record``) each user's referrer and first step."""
    return workspace(n, record, np.int32, (np.int32, np.int32, np.int32), (np.int32, np.int32))


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch, in order (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, params, seg_mult, gap_tab)`` with ``params`` indexed
    by the ``P_*`` constants, ``seg_mult`` the per-segment multipliers of stickiness,
    contagion and conversion (one row per segment of ``segment_of``, columns ``M_*``;
    shape ``(0, 3)`` for none, which leaves every probability as it is) and ``gap_tab``
    the visibility's :func:`~smmsim._kernels.rng.visibility_table` (built once for an
    ensemble: a worker runs it block by block). Replicate
    ``r`` is seeded by ``seed_sets[r]`` (or the one shared row) and draws from the
    streams keyed by ``(root, first_replicate + r)``.

    ``work``'s state holds one word per user, ``(stamp << FLAG_BITS) | flags``, and is
    not cleared between replicates: a word is valid only where its stamp is the current
    one (replicates take stamps ``cur + 1, cur + 2, ...``; the state is cleared when they
    would pass ``MAX_STAMP``). ``order[:shares + pending]`` lists a replicate's sharers in
    the order they were activated and ``parent[i]`` is the position in ``order`` of the
    sharer that activated ``order[i]``. With a record (a trace), ``referrer`` and
    ``first_step`` receive each reached user's first exposure.

    The replicates run in one call of :func:`_replicates` (not a call each, so the arrays
    are handed over once a block), compiled without numba's reference counting (see
    :func:`smmsim._config.jit`); this function allocates what they need.
    """
    indptr, indices, _, _, _ = args
    referrer = work[5]
    # a shared seed row's followers are listed once (see _replicates): room for them
    room = 0
    if seed_sets.shape[0] == 1 and referrer.shape[0] == 0:
        for s in seed_sets[0]:
            room += indptr[s + 1] - indptr[s]
    show = max(P.SHOW_BATCH, room)
    scratch = (
        L.new_books(ledger, segment_of, steps),
        np.empty(show, dtype=np.int32),
        np.empty(show, dtype=np.int64),
        np.empty(room, dtype=indices.dtype),
        np.empty(room, dtype=np.int64),
    )
    _replicates(
        args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of,
        scratch,
    )  # fmt: skip


@jit(counted=False)
def _replicates(
    args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of, scratch
):
    """:func:`run_reps`'s replicates, with its ``scratch``: the ledger's books, room for
    a batch of impressions (users, and their sharers' positions in ``order``) and for a
    shared seed row's followers (the same)."""
    indptr, indices, params, seg_mult, gap_tab = args
    multiplied = seg_mult.shape[0] > 0
    visibility = params[P_VISIBILITY]
    stickiness = params[P_STICKINESS]
    contagion = params[P_CONTAGION]
    half_life = params[P_HALF_LIFE]
    conversion = params[P_CONVERSION]
    conversion_referred = params[P_CONVERSION_REFERRED]
    state, stamp, order, parent, size, referrer, first_step = work
    record = referrer.shape[0] > 0
    shared_seeds = seed_sets.shape[0] == 1
    runs, virality_out, events, _ = ledger
    books, tv, tp, seed_tie, seed_pos = scratch
    acc = L.step_counts(books)
    segmented = L.segmented(books)
    draw_gaps = 0.0 < visibility < 1.0
    inv_log_q = 1.0 / np.log1p(-visibility) if draw_gaps else 0.0
    # a shared seed row: how many users it seeds and how many followers they have, once
    # the first replicate has placed them. A replicate whose first gap passes all those
    # followers shows the posts to nobody, and is finished without touching the audience.
    quiet_seeds = -1
    quiet_followers = np.int64(0)
    # ... and their followers in one list (``seed_tie``, with the position in ``order`` of
    # the seed each follows in ``seed_pos``): step 0 walks it without the seeds' rows
    cur = stamp[0]
    for r in reps:
        cur = L.next_stamp(state, cur, MAX_STAMP)
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        s_g = R.stream_key(root, rep, R.PURPOSE_IMPRESSION)
        s_g, skip = R.first_skip(s_g, visibility, draw_gaps, inv_log_q, gap_tab)
        if quiet_seeds > 0 and skip >= quiet_followers and steps > 0:
            sv = 2.0 if quiet_seeds >= 2 else 0.0
            ev_pos = L.seeds_only(
                runs, virality_out, events, r, ev_pos, quiet_seeds, sv, books, segment_of, order
            )
            continue
        s_c = R.stream_key(root, rep, R.PURPOSE_CASCADE)
        # the conversion stream is keyed at its first draw: most users never convert
        s_v = np.uint64(0)
        keyed = False
        mark = np.int32(cur << K.FLAG_BITS)
        # --- seeds share at step 0
        if quiet_seeds > 0:
            n_seeds = L.seed_again(books, order, quiet_seeds, state, cur, K.FLAG_BITS, 0)
        else:
            n_seeds = L.seed_run(
                books, segment_of, seed_sets[row], state, cur, K.FLAG_BITS, 0, order, parent,
                record, referrer, first_step,
            )  # fmt: skip
        tail = n_seeds
        if shared_seeds and quiet_seeds < 0 and not record:
            quiet_seeds = n_seeds
            for i in range(n_seeds):
                quiet_followers += indptr[order[i] + 1] - indptr[order[i]]
            k = 0
            for i in range(n_seeds):
                for e in range(indptr[order[i]], indptr[order[i] + 1]):
                    seed_tie[k] = indices[e]
                    seed_pos[k] = i
                    k += 1

        head = 0
        t = 0
        while head < tail and t < steps:
            gen_end = tail
            stick = stickiness
            if half_life > 0.0:
                stick = stickiness * 0.5 ** (t / half_life)
            if t == 0:
                L.step_shares(books, segment_of, order, head, gen_end)
            else:
                L.step_shares_tallied(books, gen_end - head)
            # prefetching pays only when a generation has many sharers to look ahead to
            prefetch = gen_end - head > P.PREFETCH_MIN
            # impressions are listed a batch at a time, then shown in order: while one
            # is shown, the audience states of those behind it are already on their way
            # from memory
            nb = 0
            first_row = head
            if t == 0 and quiet_seeds > 0:
                # the shared seeds' followers, listed once: the same ties, in the same
                # order, as the seeds' rows below would give (``tv`` has room for all)
                j = skip
                while j < quiet_followers:
                    tv[nb] = seed_tie[j]
                    tp[nb] = seed_pos[j]
                    nb += 1
                    s_g, j = R.next_tie(s_g, j, draw_gaps, inv_log_q, gap_tab)
                skip = j - quiet_followers
                first_row = gen_end
            for pos in range(first_row, gen_end):
                if prefetch and pos + P.PREFETCH_BOUNDS < tail:
                    P.prefetch(indptr, order[pos + P.PREFETCH_BOUNDS])
                if prefetch and pos + P.PREFETCH_ROW < tail:
                    P.prefetch(indices, indptr[order[pos + P.PREFETCH_ROW]])
                # the walk's next tie is ``skip`` past the row's start (a row it passes
                # whole is left with the rest of the gap)
                u = order[pos]
                j = indptr[u] + skip
                b = indptr[u + 1]
                while j < b:
                    tv[nb] = indices[j]
                    tp[nb] = pos
                    nb += 1
                    if nb == P.SHOW_BATCH:
                        s_c, s_v, keyed, tail = _show(
                            indptr, tv, tp, nb, acc, books, segment_of, segmented, state, order,
                            parent, tail, mark, n_seeds, stick, contagion, conversion,
                            conversion_referred, s_c, s_v, keyed, root, rep, record,
                            referrer, first_step, t, seg_mult, multiplied,
                        )  # fmt: skip
                        nb = 0
                    s_g, j = R.next_tie(s_g, j, draw_gaps, inv_log_q, gap_tab)
                skip = j - b
            if nb > 0:
                s_c, s_v, keyed, tail = _show(
                    indptr, tv, tp, nb, acc, books, segment_of, segmented, state, order, parent,
                    tail, mark, n_seeds, stick, contagion, conversion, conversion_referred,
                    s_c, s_v, keyed, root, rep, record, referrer, first_step, t, seg_mult,
                    multiplied,
                )  # fmt: skip
            L.close_step(books, t)
            head = gen_end
            t += 1

        L.unshared(books, segment_of, order, head, tail)
        ev_pos = L.close_generations(
            books, runs, virality_out, events, r, ev_pos, t, head, tail, parent, n_seeds, size
        )
    stamp[0] = cur


@jit
def traced(work, n_shared):
    """The per-user record of the replicate just run on a recording ``work``: every
    user reached or seeded, their flags, referrer (-1 for seeds) and first step, and
    the sharers in activation order with their parents' positions."""
    state, stamp, order, parent, _, referrer, first_step = work
    nodes, flags = L.stamped(state, stamp[0], K.FLAG_BITS, 0, FLAG_MASK)
    return L.user_record(nodes, flags, referrer, first_step, order, parent, n_shared)
