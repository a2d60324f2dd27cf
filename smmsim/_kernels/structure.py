"""Adjacency look-ups for audience structure measurements."""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.search import lower_bound


@jit
def tied(indptr, indices, a, b):
    """``out[i]`` is 1 when ``a[i] -> b[i]`` or ``b[i] -> a[i]`` is a tie, else 0.

    Rows of ``indices`` are sorted, so each look-up is a binary search in the shorter
    of the two rows.
    """
    out = np.zeros(a.shape[0], dtype=np.int8)
    for i in range(a.shape[0]):
        u = a[i]
        v = b[i]
        for _ in range(2):
            lo = lower_bound(indices, indptr[u], indptr[u + 1], v)
            if lo < indptr[u + 1] and indices[lo] == v:
                out[i] = 1
                break
            u, v = v, u
    return out
