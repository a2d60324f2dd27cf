"""Moments of the per-segment tallies over the runs, in one pass a column.

The ledger keeps each (segment, tally) column contiguous over the runs (its run table
is column-major), and most columns of a small-cascade ensemble are never written: a
pass down each column, with nothing copied first, is all the summary costs.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def segment_moments(x, num, den):
    """Sums and centred second moments of ``x`` (``(runs, segments, tallies)`` int64,
    any strides) over the runs.

    Returns ``(sums, m2, cross)``: ``sums[s, k]`` the exact integer sum of tally ``k``
    in segment ``s``; ``m2[s, k]`` its sum of squared deviations from the mean; and
    ``cross[s, i]`` the sum of the products of the deviations of tallies ``num[i]`` and
    ``den[i]`` (their covariance times ``runs - 1``). Deviations are taken from each
    column's first value, then corrected, so that large counts lose no precision.
    """
    n, n_seg, n_col = x.shape
    sums = np.zeros((n_seg, n_col), dtype=np.int64)
    m2 = np.zeros((n_seg, n_col), dtype=np.float64)
    cross = np.zeros((n_seg, num.shape[0]), dtype=np.float64)
    if n == 0:
        return sums, m2, cross
    for s in range(n_seg):
        for k in range(n_col):
            base = x[0, s, k]
            total = np.int64(0)
            sq = 0.0
            for r in range(n):
                d = x[r, s, k] - base
                total += d
                sq += float(d) * float(d)
            sums[s, k] = total + base * n
            m2[s, k] = sq - float(total) * float(total) / n
        for i in range(num.shape[0]):
            a, b = num[i], den[i]
            ba, bb = x[0, s, a], x[0, s, b]
            ta = np.int64(0)
            tb = np.int64(0)
            sp = 0.0
            for r in range(n):
                da = x[r, s, a] - ba
                db = x[r, s, b] - bb
                ta += da
                tb += db
                sp += float(da) * float(db)
            cross[s, i] = sp - float(ta) * float(tb) / n
    return sums, m2, cross
