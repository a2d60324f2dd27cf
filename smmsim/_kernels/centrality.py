"""Kernels of the simple seeding heuristics: degree discount and k-core numbers."""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def degree_discount(indptr, rindptr, rindices, p, price, eligible, committed, budget):
    """Degree-discount heuristic (Chen, Wang and Yang 2009) under a budget.

    A user's score starts at their follower count ``d``; when one of their followers
    ``t`` times over becomes a seed it is discounted to ``d - 2t - (d - t) t p``. Each
    round adds the eligible user with the highest score that fits the budget left (ties
    to the lower id), until none fits. ``committed`` seeds are applied first. Returns
    the added users in order.
    """
    n = indptr.shape[0] - 1
    d = np.empty(n, dtype=np.float64)
    for u in range(n):
        d[u] = indptr[u + 1] - indptr[u]
    t = np.zeros(n, dtype=np.float64)
    dd = d.copy()
    taken = ~eligible
    for c in committed:
        taken[c] = True
        for j in range(rindptr[c], rindptr[c + 1]):
            v = rindices[j]
            t[v] += 1.0
            dd[v] = d[v] - 2.0 * t[v] - (d[v] - t[v]) * t[v] * p
    chosen = np.empty(n, dtype=np.int64)
    k = 0
    remaining = budget
    while True:
        best = -1
        for u in range(n):
            if taken[u] or price[u] > remaining:
                continue
            if best < 0 or dd[u] > dd[best]:
                best = u
        if best < 0:
            break
        chosen[k] = best
        k += 1
        taken[best] = True
        remaining -= price[best]
        for j in range(rindptr[best], rindptr[best + 1]):
            v = rindices[j]
            t[v] += 1.0
            dd[v] = d[v] - 2.0 * t[v] - (d[v] - t[v]) * t[v] * p
    return chosen[:k].copy()


@jit
def core_numbers(indptr, indices):
    """k-core number of every node of a symmetric CSR graph (Batagelj and Zaversnik
    2003): bucket sort by degree, then peel the lowest-degree node, one at a time."""
    n = indptr.shape[0] - 1
    deg = np.empty(n, dtype=np.int64)
    md = 0
    for u in range(n):
        deg[u] = indptr[u + 1] - indptr[u]
        md = max(md, deg[u])
    bin_ = np.zeros(md + 2, dtype=np.int64)
    for u in range(n):
        bin_[deg[u]] += 1
    start = 0
    for d in range(md + 1):
        num = bin_[d]
        bin_[d] = start
        start += num
    pos = np.empty(n, dtype=np.int64)
    vert = np.empty(n, dtype=np.int64)
    for u in range(n):
        pos[u] = bin_[deg[u]]
        vert[pos[u]] = u
        bin_[deg[u]] += 1
    for d in range(md, 0, -1):
        bin_[d] = bin_[d - 1]
    bin_[0] = 0
    for i in range(n):
        v = vert[i]
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            if deg[u] > deg[v]:
                du = deg[u]
                pu = pos[u]
                pw = bin_[du]
                w = vert[pw]
                if u != w:
                    pos[u] = pw
                    vert[pu] = w
                    pos[w] = pu
                    vert[pw] = u
                bin_[du] += 1
                deg[u] -= 1
    return deg
