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
``int32`` word, ``(replicate stamp << FLAG_BITS) | flags`` (the flags of
:mod:`smmsim._kernels.ledger`; here ``MODEL_FLAG_A`` means *queued*, an impression before
the horizon waits in the heap, and ``MODEL_FLAG_B`` *pending*, the earliest committed
impression lands after it), valid only where the stamp is the current replicate's, so a
workspace kept between calls needs no clearing. Every event is recorded through the
ledger at the step (bin) it falls in; the bins are not visited in order, and a
replicate's step rows are those up to its last busy bin.

References
----------
I. Z. Kiss, J. C. Miller and P. L. Simon, *Mathematics of Epidemics on Networks*,
Springer (2017), Appendix A.1 (``fast_SIR``).
D. T. Gillespie, "Exact stochastic simulation of coupled chemical reactions",
J. Phys. Chem. 81, 2340-2361 (1977).
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels import layout as K
from smmsim._kernels import ledger as L
from smmsim._kernels.driver import workspace
from smmsim._kernels.funnel import converts, structural_virality
from smmsim._kernels.ledger import FLAG_MASK_32 as FLAG_MASK
from smmsim._kernels.ledger import MAX_STAMP_32 as MAX_STAMP
from smmsim._kernels.rng import PURPOSE_CASCADE, PURPOSE_CONVERSION, stream_key, uniform

#: An impression before the horizon waits in the heap.
QUEUED = np.int32(K.MODEL_FLAG_A)
#: The earliest committed impression lands after the horizon.
PENDING = np.int32(K.MODEL_FLAG_B)
#: Indices of the parameter array of :func:`run_reps` (see :meth:`smmsim.models.SIR.kernel_args`).
P_BETA = 0
P_GAMMA = 1
P_DT = 2
P_CONVERSION = 3
P_CONVERSION_REFERRED = 4


# ------------------------------------------------------------------ indexed heap
# Entry i is (heap[2 i], heap[2 i + 1]) = (time, user id; exact in a float64), ordered
# by time then user id, so equal times pop in a fixed order.


@jit(inline="always")
def _before(k1, n1, k2, n2):
    """Whether the entry ``(k1, n1)`` comes before ``(k2, n2)``: an earlier time, or the
    same time and a smaller user id."""
    return k1 < k2 or (k1 == k2 and n1 < n2)


@jit(inline="always")
def _entry(heap, i):
    """The entry at position ``i``: ``(time, user id)``."""
    return heap[2 * i], heap[2 * i + 1]


@jit(inline="always")
def _put(heap, hpos, i, key, node):
    """Store the entry ``(key, node)`` at position ``i``."""
    heap[2 * i] = key
    heap[2 * i + 1] = node
    hpos[np.int64(node)] = i


@jit
def _sift_up(heap, hpos, i):
    key, node = _entry(heap, i)
    while i > 0:
        p = (i - 1) >> 1
        kp, up = _entry(heap, p)
        if _before(kp, up, key, node):
            break
        _put(heap, hpos, i, kp, up)
        i = p
    _put(heap, hpos, i, key, node)


@jit
def _sift_down(heap, hpos, size):
    i = 0
    key, node = _entry(heap, 0)
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        kc, nc = _entry(heap, c)
        if c + 1 < size:
            k2, n2 = _entry(heap, c + 1)
            if _before(k2, n2, kc, nc):
                c += 1
                kc = k2
                nc = n2
        if _before(key, node, kc, nc):
            break
        _put(heap, hpos, i, kc, nc)
        i = c
    _put(heap, hpos, i, key, node)


# ------------------------------------------------------------------ one replicate


@jit
def _queue(heap, hpos, hsize, v, tau):
    """Put user ``v``'s impression at time ``tau`` in the heap; returns its new size."""
    heap[2 * hsize] = tau
    heap[2 * hsize + 1] = v
    _sift_up(heap, hpos, hsize)
    return hsize + 1


# inlined where it is called: handing the ledger's books to a separate function for
# each sharer cost about 5% of a large outbreak's time
@jit(inline="always")
def _spread(
    u, t_u, pos_u, from_seed, s_c, indptr, indices, beta, gamma, dt, steps, mark, state,
    pred_parent, heap, hpos, hsize, books, segment_of, last, n_pending,
):  # fmt: skip
    """Draw ``u``'s interest span and one transmission per follower; queue infections.

    Impressions within the horizon go to the ledger's ``books`` at their bin (users'
    segments in ``segment_of``, for its per-segment tallies); ``last``
    is the last bin that received an event and ``n_pending`` the users whose earliest
    committed impression lands after the horizon. Returns ``(stream, heap size, last,
    n_pending)``.
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
                n_pending += 1
            continue
        bi = np.int64(b)
        L.impression(books, segment_of, bi, v, from_seed)
        if bi > last:
            last = bi
        if fresh:
            state[v] = mark | QUEUED
            pred_parent[v] = pos_u
            hsize = _queue(heap, hpos, hsize, v, tau)
        elif (f & QUEUED) != 0:
            i = hpos[v]
            if tau < heap[2 * i]:
                pred_parent[v] = pos_u
                heap[2 * i] = tau
                _sift_up(heap, hpos, i)
        elif (f & PENDING) != 0:
            n_pending -= 1
            state[v] = mark | QUEUED
            pred_parent[v] = pos_u
            hsize = _queue(heap, hpos, hsize, v, tau)
        # else v already shares: the impression changes nothing
    return s_c, hsize, last, n_pending


@jit
def _run_one(args, seeds, steps, s_c, s_v, mark, work, books, segment_of):
    """Simulate one replicate into the ledger's ``books``: ``args`` as in
    :func:`run_reps`, ``seeds`` its seed users, ``s_c`` and ``s_v`` its cascade and
    conversion streams, ``mark`` its stamp shifted above the flags.

    Returns the structural virality of the sharer tree, the number of leading bins that
    hold events (the last busy bin + 1) and the last bin with a new sharer.

    ``state`` (in ``work``) holds ``(stamp << FLAG_BITS) | flags`` per user and is valid
    only where the stamp is ``mark``'s. A queued user's earliest impression waits in
    ``heap`` (``heap[2 i]`` its time, ``heap[2 i + 1]`` the user) at slot ``hpos[user]``,
    and ``pred_parent[user]`` is the position in ``order`` of the sharer behind it; both
    are read only where the flags say the user is queued. On return ``order[:shares]``
    lists the sharers in the order they started (time order) and ``parent[i]`` is the
    position in ``order`` of the sharer who reached ``order[i]`` first (-1 for seeds).
    With a record (a trace), ``referrer`` and ``first_time`` receive each sharer's parent
    (user id, -1 for seeds) and start time.
    """
    indptr, indices, params = args
    beta, gamma, dt = params[P_BETA], params[P_GAMMA], params[P_DT]
    conversion, conversion_referred = params[P_CONVERSION], params[P_CONVERSION_REFERRED]
    state, _, pred_parent, heap, hpos, order, parent, size, referrer, first_time = work
    record = referrer.shape[0] > 0
    # --- seeds share at time 0 (all of them before any spreads: a seed is never queued)
    n_seeds = L.seed_run(
        books, segment_of, seeds, state, mark >> K.FLAG_BITS, K.FLAG_BITS, 0, order, parent, record,
        referrer, first_time,
    )  # fmt: skip
    tail = n_seeds
    L.shares(books, 0, n_seeds)
    L.sharers(books, segment_of, order, 0, n_seeds)
    hsize = 0
    last = np.int64(0)
    n_pending = np.int64(0)
    for i in range(n_seeds):
        s_c, hsize, last, n_pending = _spread(
            order[i], 0.0, i, True, s_c, indptr, indices, beta, gamma, dt, steps, mark,
            state, pred_parent, heap, hpos, hsize, books, segment_of, last, n_pending,
        )  # fmt: skip

    # --- infections in time order
    b = np.int64(0)
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
        f = np.int32(K.REACHED | K.ENGAGED | K.SHARER)
        if referred:
            f |= np.int32(K.REFERRED)
        b = np.int64(tau / dt)
        if b > last:
            last = b
        # every user reached starts sharing at once: first exposure, engagement, share
        L.reach(books, segment_of, b, v, referred)
        L.engagement(books, segment_of, b, v, True)
        L.shared(books, segment_of, b, v)
        s_v, converted = converts(s_v, referred, conversion, conversion_referred)
        if converted:
            f |= np.int32(K.CONVERTED)
            L.conversion(books, segment_of, b, v, referred)
        state[v] = mark | f
        if record:
            referrer[v] = order[p]
            first_time[v] = tau
        order[tail] = v
        parent[tail] = p
        tail += 1
        s_c, hsize, last, n_pending = _spread(
            v, tau, tail - 1, False, s_c, indptr, indices, beta, gamma, dt, steps, mark,
            state, pred_parent, heap, hpos, hsize, books, segment_of, last, n_pending,
        )  # fmt: skip

    L.pending(books, n_pending)
    # sharers start in time order: the last one's bin is the last with a new sharer
    return structural_virality(parent, tail, n_seeds, size), last + 1, b


def new_work(n, record):
    """A worker's workspace: user state words, the replicate stamp, the queue (each
    user's parent-to-be, the heap and each user's slot in it), the sharer order and
    tree, scratch space, and (with ``record``) each sharer's referrer and start time."""
    return workspace(
        n,
        record,
        np.int32,
        (np.int32, (np.float64, 2), np.int32, np.int32, np.int32, np.int32),
        (np.int32, np.float64),
    )


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch, in order (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, params)`` with ``params`` indexed by the ``P_*``
    constants. Replicate ``r`` is seeded by ``seed_sets[r]`` (or the one shared row) and
    draws from the streams keyed by ``(root, first_replicate + r)``. Its step rows are
    the bins up to its last busy one; its depth is the last bin with a new sharer and
    its peak step the first bin with the most impressions.

    ``work``'s state is not cleared between replicates: a word is valid only where its
    stamp is the current one (replicates take stamps ``cur + 1, cur + 2, ...``; the
    state is cleared when they would pass ``MAX_STAMP``).
    """
    state, stamp = work[0], work[1]
    shared_seeds = seed_sets.shape[0] == 1
    runs, virality_out, events, _ = ledger
    books = L.new_books(ledger, segment_of, steps)
    cur = stamp[0]
    for r in reps:
        cur = L.next_stamp(state, cur, MAX_STAMP)
        rep = first_replicate + r
        row = 0 if shared_seeds else r
        virality, used, depth = _run_one(
            args, seed_sets[row], steps, stream_key(root, rep, PURPOSE_CASCADE),
            stream_key(root, rep, PURPOSE_CONVERSION), np.int32(cur << K.FLAG_BITS), work,
            books, segment_of,
        )  # fmt: skip
        peak = L.peak_step(books, used, K.T_IMPRESSIONS)
        ev_pos = L.close_run(
            books, runs, virality_out, events, r, ev_pos, used, depth, peak, virality
        )
    stamp[0] = cur


@jit
def traced(work, n_shared):
    """The per-user record of the replicate just run on a recording ``work``: every
    sharer (seeds included) by user id, their flags, referrer (-1 for seeds) and start
    time (a float, not a step), and the sharers in the order they started with their
    parents' positions. ``n_shared`` is not needed: a user reached after the horizon is
    pending, not a sharer, and is left out."""
    state, stamp, order, parent = work[0], work[1], work[5], work[6]
    referrer, first_time = work[8], work[9]
    word = state >> K.FLAG_BITS
    nodes = np.nonzero((word == stamp[0]) & ((state & K.SHARER) != 0))[0].astype(np.int32)
    flags = (state[nodes] & FLAG_MASK).astype(np.uint8)
    return L.user_record(nodes, flags, referrer, first_time, order, parent, nodes.shape[0])


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
