"""Random-graph kernels: edge lists for the synthetic audiences in ``smmsim.generators``.

Every kernel takes a 64-bit ``root`` key and derives its own SplitMix64 streams with
``stream_key(root, replicate, purpose)``, so a given key always gives the same edges.
Most kernels return arc lists (``src``, ``dst`` as int64) and leave building the CSR
form, with the erasure of self-loops and duplicate ties, to ``CSRGraph.from_edges``.
Erdős–Rényi and Barabási–Albert ties come out distinct and already in row order, so
their CSR form is filled directly, in linear time and without sorting any row.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit

# one stream purpose per generator, so that one seed gives unrelated graphs
from smmsim._kernels.rng import (
    PURPOSE_BARABASI_ALBERT,
    PURPOSE_ERDOS_RENYI,
    PURPOSE_POWERLAW_DEGREES,
    PURPOSE_POWERLAW_PAIRING,
    PURPOSE_SBM,
    PURPOSE_WATTS_STROGATZ,
    geometric_gap,
    randbelow,
    stream_key,
    uniform,
)

_SCAN_MAX = 32  # Barabási–Albert: largest m for which repeats are found by scanning


@jit
def _grow(arr, size):
    """Copy ``arr`` into a new array of at least twice its length."""
    out = np.empty(max(2 * arr.shape[0], size, 16), dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@jit(inline="always")
def _push(src, dst, count, a, b):
    """Append the edge ``(a, b)`` at ``count``, growing the arrays when full. Returns
    ``(src, dst, count + 1)``."""
    if count == src.shape[0]:
        src = _grow(src, count + 1)
        dst = _grow(dst, count + 1)
    src[count] = a
    dst[count] = b
    return src, dst, count + 1


@jit(inline="always")
def _next_trial(state, inv_log_q, idx, total):
    """The first of the trials ``idx + 1 .. total - 1`` that succeeds, one geometric gap
    over the failures before it. Returns ``(state, idx, found)``; ``found`` is false, and
    ``idx`` as it was, when none does."""
    state, gap = geometric_gap(state, inv_log_q)
    if gap >= total - idx - 1:
        return state, idx, False
    return state, idx + 1 + gap, True


@jit(inline="always")
def _next_cell(state, inv_log_q, row, col, rows, width, triangle):
    """The first cell after ``(row, col)`` that succeeds, in a grid of ``rows`` rows read
    row by row, one geometric gap over the failures before it: every row has ``width``
    cells, or with ``triangle`` row ``v`` has the ``v`` cells ``(v, 0) .. (v, v - 1)``
    (the pairs ``w < v``). Returns ``(state, row, col)``; ``row`` is ``rows`` when no
    cell is left."""
    state, gap = geometric_gap(state, inv_log_q)
    col = col + 1 + gap
    length = row if triangle else width
    while col >= length and row < rows:
        col -= length
        row += 1
        if triangle:
            length = row
    return state, row, col


@jit
def _undirected_block(state, n, offset, inv_log_q, src, dst, count):
    """Append G(n, p) ties among nodes ``offset .. offset + n - 1``.

    Visits the pairs ``(v, w)``, ``w < v``, in lexicographic order, jumping over the
    failures with one geometric draw per tie (Batagelj & Brandes 2005, algorithm 1).
    Returns ``(state, src, dst, count)``; the arrays are reallocated when full.
    """
    v = np.int64(1)
    w = np.int64(-1)
    while v < n:
        state, v, w = _next_cell(state, inv_log_q, v, w, n, 0, True)
        if v < n:
            src, dst, count = _push(src, dst, count, offset + v, offset + w)
    return state, src, dst, count


@jit
def _bipartite_block(state, na, nb, offset_a, offset_b, inv_log_q, src, dst, count):
    """Append ties between two node sets, each of the ``na * nb`` pairs with prob. p."""
    total = na * nb
    idx = np.int64(-1)
    while True:
        state, idx, found = _next_trial(state, inv_log_q, idx, total)
        if not found:
            break
        src, dst, count = _push(src, dst, count, offset_a + idx // nb, offset_b + idx % nb)
    return state, src, dst, count


@jit
def erdos_renyi_edges(root, n, inv_log_q, directed, capacity):
    """Arc list of G(n, p) in O(n + m) time by geometric skipping.

    Parameters
    ----------
    root : uint64
        Stream key.
    n : int
        Number of nodes.
    inv_log_q : float
        ``1 / log(1 - p)``; 0 when ``p = 1``.
    directed : bool
        Draw each of the ``n (n - 1)`` ordered pairs; otherwise each unordered pair.
    capacity : int
        Initial length of the output arrays (grown if too small).

    Returns
    -------
    src, dst : int64 arrays
        Distinct arcs in increasing ``(src, dst)`` order; undirected ties have
        ``dst < src``, as ``sorted_ties_csr`` needs.
    """
    state = stream_key(root, 0, PURPOSE_ERDOS_RENYI)
    src = np.empty(capacity, dtype=np.int64)
    dst = np.empty(capacity, dtype=np.int64)
    count = 0
    if directed:
        # ordered pairs as rows u = 0 .. n-1 of n - 1 columns; column c is node c,
        # or c + 1 once past the diagonal, so self-loops are never drawn
        row_len = n - 1
        u = np.int64(0)
        c = np.int64(-1)
        while u < n and row_len > 0:
            state, u, c = _next_cell(state, inv_log_q, u, c, n, row_len, False)
            if u < n:
                src, dst, count = _push(src, dst, count, u, c + 1 if c >= u else c)
    else:
        state, src, dst, count = _undirected_block(state, n, 0, inv_log_q, src, dst, count)
    return src[:count].copy(), dst[:count].copy()


@jit
def _ba_tail(e, m):
    """Later endpoint of Barabási–Albert tie ``e`` (ties are numbered as they are made)."""
    if e < m:
        return e + 1  # star tie between leaf e + 1 and hub 0
    return m + 1 + (e - m) // m


@jit
def barabasi_albert_targets(root, n, m):
    """Earlier endpoint of every Barabási–Albert tie, with networkx's construction.

    Starts from a star on nodes ``0 .. m`` (hub 0): tie ``e < m`` joins ``e + 1`` and
    0. Node ``s = m + 1, ...`` then makes ties ``e = m + (s - m - 1) m, ...`` to ``m``
    distinct earlier nodes, each drawn uniformly from the tie ends made before ``s``
    (so with probability proportional to degree), repeats being redrawn. A tie end is
    drawn as a uniform index ``i`` into the ``2 E`` ends: tie ``i // 2``, its later
    end if ``i`` is even and its earlier end if odd. This is networkx's list of
    repeated nodes without storing it, since that list holds each tie's two ends.

    Returns
    -------
    targets : int32 array of length ``m * (n - m - 1) + m``
        Earlier endpoint of each tie; within each joining node's ``m`` ties the
        targets are sorted, so the ties are listed in increasing (later, earlier) order.
    """
    state = stream_key(root, 0, PURPOSE_BARABASI_ALBERT)
    n_edges = m * (n - m - 1) + m
    targets = np.zeros(n_edges, dtype=np.int32)
    # Repeats are found by scanning this node's targets when m is small (no cache
    # miss); otherwise marks[v] == s means v is already a target of node s.
    scan = m <= _SCAN_MAX
    marks = np.full(0 if scan else n, -1, dtype=np.int32)
    e = m
    for s in range(m + 1, n):
        # the ends list grows only after all m targets are drawn, as in networkx
        ends = 2 * e
        for j in range(m):
            while True:
                state, i = randbelow(state, ends)
                tie = i >> 1
                t = targets[tie] if i & 1 else _ba_tail(tie, m)
                repeat = False
                if scan:
                    for q in range(e, e + j):
                        if targets[q] == t:
                            repeat = True
                            break
                else:
                    repeat = marks[t] == s
                if not repeat:
                    break
            if not scan:
                marks[t] = s
            # insertion keeps this node's targets sorted
            k = e + j
            while k > e and targets[k - 1] > t:
                targets[k] = targets[k - 1]
                k -= 1
            targets[k] = t
        e += m
    return targets


@jit
def barabasi_albert_csr(targets, n, m):
    """Symmetric CSR of the ties from ``barabasi_albert_targets``, rows sorted."""
    n_edges = targets.shape[0]
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(n_edges):
        indptr[targets[e] + 1] += 1
    indptr[2 : m + 2] += 1  # star leaves 1 .. m
    indptr[m + 2 :] += m  # later nodes' own ties
    for u in range(n):
        indptr[u + 1] += indptr[u]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * n_edges, dtype=np.int32)
    # Ties come in increasing (later, earlier) order. Row u therefore first receives
    # its earlier neighbours in increasing order (its own ties), then its later
    # neighbours in increasing order: every row comes out sorted without a sort.
    e = 0
    for a in range(1, n):
        for _ in range(1 if a <= m else m):
            b = targets[e]
            e += 1
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    return indptr, indices


@jit
def sorted_ties_csr(src, dst, n, directed):
    """CSR of distinct arcs listed in increasing ``(src, dst)`` order, rows sorted.

    Undirected ties must also have ``dst < src``: row u then receives its smaller
    neighbours (ties listed under ``src = u``) in increasing order before its larger
    neighbours (listed later, under increasing ``src``), so no row needs sorting.
    """
    m = src.shape[0]
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(m):
        indptr[src[i] + 1] += 1
        if not directed:
            indptr[dst[i] + 1] += 1
    for u in range(n):
        indptr[u + 1] += indptr[u]
    indices = np.empty(indptr[n], dtype=np.int32)
    if directed:
        for i in range(m):
            indices[i] = dst[i]
    else:
        fill = indptr[:-1].copy()
        for i in range(m):
            a = src[i]
            b = dst[i]
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    return indptr, indices


@jit(inline="always")
def _first_at_least(cdf, top, u):
    """The smallest ``j <= top`` with ``cdf[j] >= u`` (``top`` when there is none)."""
    lo = 0
    hi = top
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def powerlaw_degrees(root, n, cdf, min_degree):
    """Draw ``n`` degrees from a tabulated law and make their sum even.

    ``cdf[j]`` is ``P(K <= min_degree + j)`` (last entry 1). When the sum is odd, one
    node chosen uniformly at random redraws its degree until the parity flips; the
    caller guarantees both parities have positive probability.
    """
    state = stream_key(root, 0, PURPOSE_POWERLAW_DEGREES)
    deg = np.empty(n, dtype=np.int64)
    top = cdf.shape[0] - 1
    total = np.int64(0)
    for i in range(n):
        state, u = uniform(state)
        deg[i] = min_degree + _first_at_least(cdf, top, u)
        total += deg[i]
    if total % 2 == 1:
        state, i = randbelow(state, n)
        old = deg[i]
        k = old
        while (k - old) % 2 == 0:
            state, u = uniform(state)
            k = min_degree + _first_at_least(cdf, top, u)
        deg[i] = k
    return deg


@jit
def configuration_pairs(root, degrees):
    """Shuffle the stubs of ``degrees`` (even sum) and pair them in order.

    The pairing is uniform over all matchings (Molloy & Reed 1995); self-loops and
    repeated pairs are kept here and erased when the CSR form is built.
    """
    state = stream_key(root, 0, PURPOSE_POWERLAW_PAIRING)
    n = degrees.shape[0]
    total = np.int64(0)
    for i in range(n):
        total += degrees[i]
    stubs = np.empty(total, dtype=np.int32)
    k = 0
    for i in range(n):
        for _ in range(degrees[i]):
            stubs[k] = i
            k += 1
    # Fisher-Yates
    for i in range(total - 1, 0, -1):
        state, j = randbelow(state, i + 1)
        tmp = stubs[i]
        stubs[i] = stubs[j]
        stubs[j] = tmp
    half = total // 2
    src = np.empty(half, dtype=np.int64)
    dst = np.empty(half, dtype=np.int64)
    for e in range(half):
        src[e] = stubs[2 * e]
        dst[e] = stubs[2 * e + 1]
    return src, dst


@jit
def watts_strogatz_edges(root, n, half_k, rewire_any, inv_log_q):
    """Arc list of a ring lattice with rewired far ends (Watts & Strogatz 1998).

    Tie ``e = u * half_k + (j - 1)`` joins ``u`` and ``(u + j) mod n``, j = 1..half_k.
    When ``rewire_any``, the ties to rewire are found by geometric skipping with
    ``inv_log_q`` (``1 / log(1 - rewire)``; 0 when rewire is 1); a rewired tie keeps
    ``u`` and gets a far end drawn uniformly from the other ``n - 1`` nodes.
    """
    state = stream_key(root, 0, PURPOSE_WATTS_STROGATZ)
    total = n * half_k
    src = np.empty(total, dtype=np.int64)
    dst = np.empty(total, dtype=np.int64)
    for u in range(n):
        for j in range(1, half_k + 1):
            e = u * half_k + j - 1
            src[e] = u
            v = u + j
            dst[e] = v - n if v >= n else v
    if rewire_any:
        e = np.int64(-1)
        while True:
            state, e, found = _next_trial(state, inv_log_q, e, total)
            if not found:
                break
            u = src[e]
            state, w = randbelow(state, n - 1)
            dst[e] = w + 1 if w >= u else w
    return src, dst


@jit
def sbm_edges(root, sizes, inv_log_q_in, inv_log_q_out, has_in, has_out, capacity):
    """Arc list of a stochastic block model with contiguous blocks.

    Block ``b`` holds nodes ``starts[b] .. starts[b] + sizes[b] - 1``. Within a block
    each pair is tied with ``p_in`` and across blocks with ``p_out``; every block and
    block pair is generated by geometric skipping from its own stream, so its ties do
    not depend on the order in which blocks are visited.
    """
    nb = sizes.shape[0]
    starts = np.zeros(nb, dtype=np.int64)
    for b in range(1, nb):
        starts[b] = starts[b - 1] + sizes[b - 1]
    src = np.empty(capacity, dtype=np.int64)
    dst = np.empty(capacity, dtype=np.int64)
    count = 0
    if has_in:
        for b in range(nb):
            state = stream_key(root, b, PURPOSE_SBM)
            state, src, dst, count = _undirected_block(
                state, sizes[b], starts[b], inv_log_q_in, src, dst, count
            )
    if has_out:
        for a in range(nb):
            for b in range(a + 1, nb):
                state = stream_key(root, nb + a * nb + b, PURPOSE_SBM)
                state, src, dst, count = _bipartite_block(
                    state, sizes[a], sizes[b], starts[a], starts[b], inv_log_q_out, src, dst, count
                )
    return src[:count].copy(), dst[:count].copy()
