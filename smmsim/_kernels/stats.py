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
