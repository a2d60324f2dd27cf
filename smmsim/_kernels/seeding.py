"""Random seed sets: each replicate's seeds drawn from its own stream."""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.rng import PURPOSE_SEEDING, randbelow, stream_key


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
