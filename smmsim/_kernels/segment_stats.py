"""Moments of the per-segment tallies over the runs, in one pass a column.

The ledger keeps each (segment, tally) column contiguous over the runs (its run table
is column-major), and most columns of a small-cascade ensemble are never written: a
pass down each column (its sum and sum of squares) and one down each pair of columns a
ratio needs, with nothing copied first, are all the summary costs.

Sums of squares and of products are taken in integers whenever a bound on the tallies,
known before the pass, says they cannot overflow (the usual case: counts per run and
segment are small against 2**31): exact, and without the chain of dependent
floating-point additions that would make each entry wait for the one before it. Larger
columns fall back to floating point, in :data:`LANES` partial sums.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit

#: Partial sums of the floating-point fall-back.
LANES = 4
#: Sums of integer products stay below this bound (far from int64's end).
SAFE = np.int64(2) ** 62


@jit(inline="always")
def _fits(spread_a, spread_b, n):
    """Does a sum of ``n`` products of deviations at most ``spread_a`` and ``spread_b``
    stay below :data:`SAFE`?"""
    if spread_a == 0 or spread_b == 0:
        return True
    return spread_a < SAFE // spread_b and spread_a * spread_b < SAFE // n


@jit(inline="always")
def _column(col):
    """One pass down ``col``: the sum of its deviations from its first value and the
    integer sum of their squares (meaningful only when :func:`_fits` says so)."""
    base = col[0]
    total = np.int64(0)
    sq = np.int64(0)
    for v in col:
        d = v - base
        total += d
        sq += d * d
    return total, sq


@jit(inline="always")
def _products(a, b, spread_a, spread_b):
    """Sum of ``(a - a[0]) * (b - b[0])``, as a float: exact in integers when
    :func:`_fits`, else in :data:`LANES` floating-point partial sums."""
    n = a.shape[0]
    ba = a[0]
    bb = b[0]
    if spread_a == 0 or spread_b == 0:
        return 0.0
    if _fits(spread_a, spread_b, n):
        acc = np.int64(0)
        for r in range(n):
            acc += (a[r] - ba) * (b[r] - bb)
        return float(acc)
    lanes = np.zeros(LANES, dtype=np.float64)
    for r in range(n):
        lanes[r % LANES] += float(a[r] - ba) * float(b[r] - bb)
    return lanes.sum()


def segment_moments(
    x: np.ndarray, num: np.ndarray, den: np.ndarray, bound: np.ndarray | None = None
) -> tuple:
    """Sums and centred second moments of ``x`` (``(runs, segments, tallies)`` int64)
    over the runs (see :func:`tally_moments`; the ledger's tallies are read where they
    lie, a run table's columns, without a copy). ``bound``: for each tally, a bound on
    its entries' absolute values (the largest of the count it breaks down, which its
    non-negative tallies add up to; default: found here, one more pass)."""
    n, n_seg, n_col = x.shape
    columns = np.ascontiguousarray(x.reshape(n, n_seg * n_col).T)
    if bound is None:
        big = np.abs(x).max(axis=(0, 1)) if x.size else np.zeros(n_col, np.int64)
        bound = big.astype(np.int64)
    return tally_moments(columns, n_seg, num, den, np.asarray(bound, dtype=np.int64))


@jit
def tally_moments(columns, n_seg, num, den, bound):
    """Sums and centred second moments over the runs of per-segment tallies, given as
    ``columns`` (``(segments * tallies, runs)`` int64, C-contiguous: segment ``s``'s
    tally ``k`` is row ``s * tallies + k``), each tally ``k`` at most ``bound[k]`` in
    absolute value.

    Returns ``(sums, m2, cross)``: ``sums[s, k]`` the exact integer sum of tally ``k``
    in segment ``s``; ``m2[s, k]`` its sum of squared deviations from the mean; and
    ``cross[s, i]`` the sum of the products of the deviations of tallies ``num[i]`` and
    ``den[i]`` (their covariance times ``runs - 1``). Deviations are taken from each
    column's first value, then corrected, so that large counts lose no precision.
    """
    n = columns.shape[1]
    n_col = columns.shape[0] // max(n_seg, 1)
    sums = np.zeros((n_seg, n_col), dtype=np.int64)
    m2 = np.zeros((n_seg, n_col), dtype=np.float64)
    cross = np.zeros((n_seg, num.shape[0]), dtype=np.float64)
    if n == 0:
        return sums, m2, cross
    # deviations from a column's first value are at most twice the bound
    spread = 2 * bound
    total = np.zeros(n_col, dtype=np.int64)
    for s in range(n_seg):
        row = s * n_col
        for k in range(n_col):
            col = columns[row + k]
            total[k], exact = _column(col)
            sums[s, k] = total[k] + col[0] * n
            if _fits(spread[k], spread[k], n):
                sq = float(exact)
            else:  # large counts: their squares again, in floating point
                sq = _products(col, col, spread[k], spread[k])
            m2[s, k] = sq - float(total[k]) * float(total[k]) / n
        for i in range(num.shape[0]):
            a, b = num[i], den[i]
            sp = _products(columns[row + a], columns[row + b], spread[a], spread[b])
            cross[s, i] = sp - float(total[a]) * float(total[b]) / n
    return sums, m2, cross
