"""Ensemble statistics of integer metric columns in one or two passes.

Counts of small cascades take few distinct values, so their order statistics are read
off a histogram instead of sorting or partitioning the column once per quantile.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def int_column_stats(x, ranks):
    """Mean, sum of squared deviations and order statistics of an integer column.

    ``ranks`` are ascending 0-based ranks; returns ``(mean, m2, values)`` where
    ``values[i]`` is the ``ranks[i]``-th smallest entry of ``x`` (``x`` non-empty).
    Non-negative columns with a range below ``4 n`` are histogrammed (two passes in
    all); others are sorted.
    """
    n = x.shape[0]
    lo = x[0]
    hi = x[0]
    total = np.int64(0)
    for i in range(n):
        v = x[i]
        total += v
        lo = min(lo, v)
        hi = max(hi, v)
    mean = total / n
    values = np.empty(ranks.shape[0], dtype=np.float64)
    m2 = 0.0
    if lo >= 0 and hi < 4 * n:
        counts = np.zeros(hi + 1, dtype=np.int64)
        for i in range(n):
            counts[x[i]] += 1
        j = 0
        seen = counts[0]
        for i in range(ranks.shape[0]):
            while seen <= ranks[i]:
                j += 1
                seen += counts[j]
            values[i] = j
        for v in range(hi + 1):
            if counts[v] > 0:
                d = v - mean
                m2 += counts[v] * d * d
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
        while seen <= ranks[i]:
            j += 1
            seen += counts[j]
        values[i] = x[first[j]]
    return True, values


BUCKETS = 4096


@jit
def float_column_stats(x, ranks):
    """Mean, sum of squared deviations and order statistics of a finite float column.

    The order statistics are exact: values are counted into ``BUCKETS`` equal-width
    buckets between the minimum and the maximum (a monotone map), and only the buckets
    holding a requested rank are gathered and sorted, unless all their values are equal
    (the common case for small cascades, where most runs share a value). Returns
    ``(mean, m2, values, ok)``; ``ok`` is false when those buckets hold more than a
    quarter of the column (a few far outliers crowd everything into one bucket), and the
    caller should then partition the column instead.
    """
    n = x.shape[0]
    values = np.empty(ranks.shape[0], dtype=np.float64)
    lo = x[0]
    hi = x[0]
    total = 0.0
    for i in range(n):
        v = x[i]
        total += v
        lo = min(lo, v)
        hi = max(hi, v)
    mean = total / n
    m2 = 0.0
    if lo == hi:
        for i in range(n):
            d = x[i] - mean
            m2 += d * d
        values[:] = lo
        return mean, m2, values, True
    width = (hi - lo) / BUCKETS
    counts = np.zeros(BUCKETS, dtype=np.int64)
    bmin = np.full(BUCKETS, np.inf)
    bmax = np.full(BUCKETS, -np.inf)
    for i in range(n):
        v = x[i]
        d = v - mean
        m2 += d * d
        b = min(int((v - lo) / width), BUCKETS - 1)
        counts[b] += 1
        bmin[b] = min(bmin[b], v)
        bmax[b] = max(bmax[b], v)
    # the bucket of each rank, and how many values lie in lower buckets
    where = np.empty(ranks.shape[0], dtype=np.int64)
    below = np.empty(ranks.shape[0], dtype=np.int64)
    b = 0
    seen = counts[0]
    for i in range(ranks.shape[0]):
        while seen <= ranks[i]:
            b += 1
            seen += counts[b]
        where[i] = b
        below[i] = seen - counts[b]
    slot = np.full(BUCKETS, -1, dtype=np.int64)
    start = np.zeros(ranks.shape[0] + 1, dtype=np.int64)
    k = 0
    for i in range(ranks.shape[0]):
        if bmin[where[i]] == bmax[where[i]]:
            continue  # every value in the bucket is the same: nothing to sort
        if slot[where[i]] < 0:
            slot[where[i]] = k
            start[k + 1] = start[k] + counts[where[i]]
            k += 1
    if start[k] > n // 4 + 64:
        return mean, m2, values, False
    buffer = np.empty(start[k], dtype=np.float64)
    fill = start[:k].copy()
    for i in range(n):
        v = x[i]
        s = slot[min(int((v - lo) / width), BUCKETS - 1)]
        if s >= 0:
            buffer[fill[s]] = v
            fill[s] += 1
    for s in range(k):
        buffer[start[s] : start[s + 1]] = np.sort(buffer[start[s] : start[s + 1]])
    for i in range(ranks.shape[0]):
        if bmin[where[i]] == bmax[where[i]]:
            values[i] = bmin[where[i]]
        else:
            values[i] = buffer[start[slot[where[i]]] + ranks[i] - below[i]]
    return mean, m2, values, True
