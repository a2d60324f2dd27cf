"""Ensemble statistics of metric columns in one or two passes.

Counts of small cascades take few distinct values, so their order statistics are read
off a histogram instead of sorting or partitioning the column once per quantile.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit

#: Histogram copies filled round-robin (see :func:`_lane_counts`); the float pass of
#: :func:`float_column_stats` keeps four partial sums by hand.
LANES = 4


@jit
def _lane_counts(x, lo, width):
    """Histogram of ``x - lo`` over ``0 .. width - 1``.

    Small cascades give long runs of one value, and a single histogram would then
    increment one counter over and over, each increment waiting for the one before it
    (store-to-load latency). Consecutive entries go to ``LANES`` separate copies
    instead, which are summed at the end.
    """
    n = x.shape[0]
    lanes = np.zeros((LANES, width), dtype=np.int64)
    n_main = n - n % LANES
    for i in range(0, n_main, LANES):
        for k in range(LANES):
            lanes[k, x[i + k] - lo] += 1
    for i in range(n_main, n):
        lanes[0, x[i] - lo] += 1
    counts = lanes[0].copy()
    for k in range(1, LANES):
        counts += lanes[k]
    return counts


@jit(inline="always")
def _bin_of_rank(counts, j, seen, rank):
    """The histogram bin holding the ``rank``-th smallest entry (0-based), searched
    upwards from bin ``j``, with ``seen`` the entries in bins ``0 .. j``. Returns ``(bin,
    seen)`` for the next, larger rank."""
    while seen <= rank:
        j += 1
        seen += counts[j]
    return j, seen


#: Values the one-pass histogram of :func:`int_column_stats` spans.
WINDOW = 4096


@jit
def _window_counts(x):
    """Histogram of ``x`` over ``WINDOW`` values from a base chosen by ``x[0]`` (0 for a
    count near zero), in ``LANES`` copies as :func:`_lane_counts` does; ``(False, ...)``
    as soon as a value falls outside. Returns ``(ok, base, counts)``."""
    n = x.shape[0]
    base = x[0] - WINDOW // 2
    if 0 <= x[0] < WINDOW // 2:
        base = 0
    lanes = np.zeros((LANES, WINDOW), dtype=np.int64)
    n_main = n - n % LANES
    for i in range(0, n_main, LANES):
        for k in range(LANES):
            d = x[i + k] - base
            if d < 0 or d >= WINDOW:
                return False, base, lanes[0]
            lanes[k, d] += 1
    for i in range(n_main, n):
        d = x[i] - base
        if d < 0 or d >= WINDOW:
            return False, base, lanes[0]
        lanes[0, d] += 1
    counts = lanes[0].copy()
    for k in range(1, LANES):
        counts += lanes[k]
    return True, base, counts


@jit
def _stats_of_counts(counts, lo, n, ranks, values):
    """Mean, sum of squared deviations and the order statistics of ``ranks`` (into
    ``values``) of ``n`` entries counted in ``counts``, bin ``j`` holding ``lo + j``
    (bins 0 and last not empty)."""
    total = np.int64(0)
    for j in range(counts.shape[0]):
        total += (lo + j) * counts[j]
    mean = total / n
    j = 0
    seen = counts[0]
    for i in range(ranks.shape[0]):
        j, seen = _bin_of_rank(counts, j, seen, ranks[i])
        values[i] = lo + j
    m2 = 0.0
    for j in range(counts.shape[0]):
        if counts[j] > 0:
            d = (lo + j) - mean
            m2 += counts[j] * d * d
    return mean, m2


@jit
def int_column_stats(x, ranks):
    """Mean, sum of squared deviations and order statistics of an integer column.

    ``ranks`` are ascending 0-based ranks; returns ``(mean, m2, values)`` where
    ``values[i]`` is the ``ranks[i]``-th smallest entry of ``x`` (``x`` non-empty).
    A column of at least ``WINDOW / 4`` entries within ``WINDOW`` values of each other
    (the counts of small cascades) takes one pass, a histogram; otherwise a constant
    column takes one pass, columns with a range below ``4 n`` are histogrammed (two
    passes in all) and others are sorted. The histogram gives the same numbers either
    way.
    """
    n = x.shape[0]
    values = np.empty(ranks.shape[0], dtype=np.float64)
    if n >= WINDOW // 4:
        ok, base, counts = _window_counts(x)
        if ok:
            first = 0
            while counts[first] == 0:
                first += 1
            last = WINDOW - 1
            while counts[last] == 0:
                last -= 1
            if first == last:
                values[:] = base + first
                return float(base + first), 0.0, values
            mean, m2 = _stats_of_counts(counts[first : last + 1], base + first, n, ranks, values)
            return mean, m2, values
    lo = x[0]
    hi = x[0]
    total = np.int64(0)
    for i in range(n):
        v = x[i]
        total += v
        lo = min(lo, v)
        hi = max(hi, v)
    mean = total / n
    m2 = 0.0
    if lo == hi:
        values[:] = lo
        return float(lo), m2, values
    if hi - lo < 4 * n:
        mean, m2 = _stats_of_counts(_lane_counts(x, lo, hi - lo + 1), lo, n, ranks, values)
    else:
        for i in range(n):
            d = x[i] - mean
            m2 += d * d
        ordered = np.sort(x)
        for i in range(ranks.shape[0]):
            values[i] = ordered[ranks[i]]
    return mean, m2, values


@jit
def order_stats_through(key, x, ranks):
    """Order statistics of ``x`` read through an integer column ``key``, if they can be.

    When ``x[i]`` is a non-decreasing function of ``key[i]`` alone (revenue of
    conversions, say), the ``k``-th smallest ``x`` is ``x`` at a run holding the
    ``k``-th smallest ``key``. Both conditions are checked in one pass; returns
    ``(ok, values)`` and ``ok`` false when either fails (or ``key`` is out of the
    histogram's range), in which case ``values`` is meaningless.
    """
    n = key.shape[0]
    values = np.empty(ranks.shape[0], dtype=np.float64)
    lo = key[0]
    hi = key[0]
    for i in range(n):
        v = key[i]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    if lo < 0 or hi >= 4 * n:
        return False, values
    first = np.full(hi + 1, -1, dtype=np.int64)
    counts = np.zeros(hi + 1, dtype=np.int64)
    for i in range(n):
        v = key[i]
        if first[v] < 0:
            first[v] = i
        elif not (x[i] == x[first[v]]):
            return False, values
        counts[v] += 1
    last = -np.inf
    for v in range(hi + 1):
        if first[v] >= 0:
            y = x[first[v]]
            if not (y >= last):
                return False, values
            last = y
    j = 0
    seen = counts[0]
    for i in range(ranks.shape[0]):
        j, seen = _bin_of_rank(counts, j, seen, ranks[i])
        values[i] = x[first[j]]
    return True, values


BUCKETS = 4096
# float_column_stats status
OK = 0
CROWDED = 1
NOT_FINITE = 2


@jit
def _bucket(v, lo, scale, width, nb):
    """Bucket of ``v`` (a monotone map of ``[lo, hi]`` onto ``0 .. nb - 1``)."""
    if scale > 0.0:
        b = int((v - lo) * scale)
    else:
        b = int((v - lo) / width)
    return min(b, nb - 1)


@jit
def float_column_stats(x, ranks):
    """Mean, sum of squared deviations and order statistics of a finite float column.

    The order statistics are exact: values are counted into equal-width buckets
    (``BUCKETS``, fewer for short columns) between the minimum and the maximum (a
    monotone map), and only the buckets holding a requested rank are gathered and
    sorted, unless all their values are equal (the common case for small cascades,
    where most runs share a value). Returns
    ``(mean, m2, values, status)``: ``status`` is ``OK``, ``CROWDED`` when those buckets
    hold more than a quarter of the column (a few far outliers crowd everything into one
    bucket: the caller should partition the column instead) or ``NOT_FINITE`` when the
    column holds a NaN or an infinity (or its sum overflows). A constant column takes
    one pass.
    """
    n = x.shape[0]
    values = np.empty(ranks.shape[0], dtype=np.float64)
    # four partial sums and extremes, so that consecutive entries do not wait on each
    # other's additions
    t0 = t1 = t2 = t3 = 0.0
    lo0 = lo1 = hi0 = hi1 = x[0]
    n_main = n - n % 4
    for i in range(0, n_main, 4):
        a = x[i]
        b = x[i + 1]
        c = x[i + 2]
        d = x[i + 3]
        t0 += a
        t1 += b
        t2 += c
        t3 += d
        lo0 = min(lo0, min(a, b))
        lo1 = min(lo1, min(c, d))
        hi0 = max(hi0, max(a, b))
        hi1 = max(hi1, max(c, d))
    for i in range(n_main, n):
        t0 += x[i]
        lo0 = min(lo0, x[i])
        hi0 = max(hi0, x[i])
    total = (t0 + t1) + (t2 + t3)
    if not np.isfinite(total):
        return np.nan, np.nan, values, NOT_FINITE
    lo = min(lo0, lo1)
    hi = max(hi0, hi1)
    if lo == hi:
        values[:] = lo
        return lo, 0.0, values, OK
    mean = total / n
    nb = min(BUCKETS, max(64, n // 8))
    width = (hi - lo) / nb
    scale = nb / (hi - lo)
    if not scale < 1e300:
        scale = 0.0  # a range so narrow that its inverse overflows: divide instead
    # LANES copies of the bucket tallies, filled round-robin (see _lane_counts)
    counts = np.zeros((LANES, nb), dtype=np.int64)
    bmin = np.full((LANES, nb), np.inf)
    bmax = np.full((LANES, nb), -np.inf)
    m0 = m1 = m2 = m3 = 0.0
    for i in range(0, n_main, 4):
        m0 += (x[i] - mean) ** 2
        m1 += (x[i + 1] - mean) ** 2
        m2 += (x[i + 2] - mean) ** 2
        m3 += (x[i + 3] - mean) ** 2
        for k in range(LANES):
            v = x[i + k]
            b = _bucket(v, lo, scale, width, nb)
            counts[k, b] += 1
            bmin[k, b] = min(bmin[k, b], v)
            bmax[k, b] = max(bmax[k, b], v)
    for i in range(n_main, n):
        v = x[i]
        m0 += (v - mean) ** 2
        b = _bucket(v, lo, scale, width, nb)
        counts[0, b] += 1
        bmin[0, b] = min(bmin[0, b], v)
        bmax[0, b] = max(bmax[0, b], v)
    m2 = (m0 + m1) + (m2 + m3)
    for k in range(1, LANES):
        for b in range(nb):
            counts[0, b] += counts[k, b]
            bmin[0, b] = min(bmin[0, b], bmin[k, b])
            bmax[0, b] = max(bmax[0, b], bmax[k, b])
    # the bucket of each rank, and how many values lie in lower buckets
    where = np.empty(ranks.shape[0], dtype=np.int64)
    below = np.empty(ranks.shape[0], dtype=np.int64)
    b = 0
    seen = counts[0, 0]
    for i in range(ranks.shape[0]):
        while seen <= ranks[i]:
            b += 1
            seen += counts[0, b]
        where[i] = b
        below[i] = seen - counts[0, b]
    slot = np.full(nb, -1, dtype=np.int64)
    start = np.zeros(ranks.shape[0] + 1, dtype=np.int64)
    k = 0
    for i in range(ranks.shape[0]):
        w = where[i]
        if bmin[0, w] == bmax[0, w]:
            continue  # every value in the bucket is the same: nothing to sort
        if slot[w] < 0:
            slot[w] = k
            start[k + 1] = start[k] + counts[0, w]
            k += 1
    if start[k] > n // 4 + 64:
        return mean, m2, values, CROWDED
    buffer = np.empty(start[k], dtype=np.float64)
    if k > 0:
        fill = start[:k].copy()
        for i in range(n):
            v = x[i]
            s = slot[_bucket(v, lo, scale, width, nb)]
            if s >= 0:
                buffer[fill[s]] = v
                fill[s] += 1
        for s in range(k):
            buffer[start[s] : start[s + 1]] = np.sort(buffer[start[s] : start[s + 1]])
    for i in range(ranks.shape[0]):
        w = where[i]
        if bmin[0, w] == bmax[0, w]:
            values[i] = bmin[0, w]
        else:
            values[i] = buffer[start[slot[w]] + ranks[i] - below[i]]
    return mean, m2, values, OK


@jit
def binary_counts(x):
    """Entries of ``x`` that are not NaN, how many of them are 1.0, and whether all of
    them are 0.0 or 1.0: ``(n, ones, binary)``, in one pass."""
    n = 0
    ones = 0
    binary = True
    for i in range(x.shape[0]):
        v = x[i]
        if v == 1.0:
            ones += 1
            n += 1
        elif v == 0.0:
            n += 1
        elif not np.isnan(v):
            n += 1
            binary = False
    return n, ones, binary
