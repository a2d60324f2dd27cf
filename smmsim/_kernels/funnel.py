"""Kernel pieces every model shares: the conversion draw and the sharer-tree shape.

The funnel is the same whatever spreads the content: a user's first engagement
converts with probability ``conversion`` (``conversion_referred`` when their first
exposure came from a peer rather than from the brand), drawn from the replicate's
conversion stream, and the cascade's shape is summarised by the structural virality
of its sharer tree.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.rng import uniform


@jit
def converts(s_v, referred, conversion, conversion_referred):
    """Does a user's first engagement convert? Returns ``(stream, outcome)``.

    A probability of 0 or 1 takes no draw: the conversion stream feeds nothing else,
    so leaving those draws out changes no outcome.
    """
    p = conversion_referred if referred else conversion
    if p <= 0.0:
        return s_v, False
    if p >= 1.0:
        return s_v, True
    s_v, y = uniform(s_v)
    return s_v, y < p


#: Sharers below which the Wiener sum is taken in integers: ``n**3 / 4 < 2**53``, so
#: every partial sum of the float sum is exact and both give the same float.
EXACT_SHARERS = 2**18


@jit(inline="always")
def structural_virality(parent, n_shared, n_seeds, size):
    """Mean pairwise distance in the sharer tree (Goel, Anderson, Hofman & Watts 2016).

    ``parent[i]`` is the position (in activation order) of the sharer that activated
    sharer ``i``; the first ``n_seeds`` are roots, and so is any later sharer whose
    parent is negative (a post's seeds, placed at its launch). Seeds hang from one
    virtual root (the brand), so with several seeds a pair in different seed trees is
    joined through it. The virtual root is not itself a node of the average. Computed
    from the Wiener index: each tie separates ``size * (N - size)`` pairs, and a sharer
    with no child (size 1) ``N - 1`` of them, so the work is proportional to the sharers
    after the seeds (most seeds of a small cascade have no child). ``size`` is scratch
    space of at least ``n_shared`` entries.

    References
    ----------
    S. Goel, A. Anderson, J. Hofman and D. J. Watts, "The structural virality of online
    diffusion", Management Science 62(1), 180-196 (2016).
    """
    nn = n_shared
    if nn < 2:
        return 0.0
    if nn >= EXACT_SHARERS:
        return _wiener_virality(parent, nn, n_seeds, size)
    # subtree sizes of the sharers after the seeds, and of the seeds with a child
    for pos in range(n_seeds, nn):
        size[pos] = 1
    for pos in range(n_seeds, nn):
        q = parent[pos]
        if 0 <= q < n_seeds:
            size[q] = 1
    for pos in range(nn - 1, n_seeds - 1, -1):
        q = parent[pos]
        if q >= 0:
            size[q] += size[pos]
    # every seed counted as childless, then each seed with a child corrected once (its
    # size cleared when counted)
    whole = np.int64(n_seeds) * (nn - 1)
    for pos in range(n_seeds, nn):
        s = np.int64(size[pos])
        whole += s * (nn - s)
    for pos in range(n_seeds, nn):
        q = parent[pos]
        if 0 <= q < n_seeds and size[q] > 0:
            s = np.int64(size[q])
            whole += s * (nn - s) - (nn - 1)
            size[q] = 0
    return float(whole) / (0.5 * float(nn) * float(nn - 1))


@jit
def _wiener_virality(parent, nn, n_seeds, size):
    """:func:`structural_virality` of a tree of ``nn >= EXACT_SHARERS`` sharers, in
    floats."""
    for pos in range(nn):
        size[pos] = 1
    for pos in range(nn - 1, n_seeds - 1, -1):
        if parent[pos] >= 0:
            size[parent[pos]] += size[pos]
    wiener = 0.0
    for pos in range(nn):
        s = size[pos]
        wiener += float(s) * float(nn - s)
    return wiener / (0.5 * float(nn) * float(nn - 1))


@jit
def series_profile(series, cut, peak_column=0):
    """Cascade depth and peak step of each replicate from its per-step series.

    ``series`` is ``(replicates, steps, 5)`` (new impressions, reach, engagements,
    shares, conversions); only the first ``cut`` steps are read (events never fall
    later). Depth is the last step with new sharers (0 when there is none); the peak
    step is the first step with the most new events of ``peak_column`` (default: new
    impressions; see :attr:`smmsim.models.base.Model.peak_of`).
    """
    n = series.shape[0]
    depth = np.zeros(n, dtype=np.int64)
    peak = np.zeros(n, dtype=np.int64)
    best = np.full(n, -1, dtype=np.int64)
    for r in range(n):
        for t in range(cut):
            x = series[r, t, peak_column]
            if x > best[r]:
                best[r] = x
                peak[r] = t
            if series[r, t, 3] > 0:
                depth[r] = t
    return depth, peak
