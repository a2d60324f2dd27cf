"""Compressed-sparse-row construction and degree kernels."""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def build_csr(src, dst, w, n, symmetric, has_weights):
    """Build CSR adjacency from an arc list, dropping self-loops and duplicate arcs.

    Parameters
    ----------
    src, dst : int arrays
        Arc ``src[i] -> dst[i]``. With ``symmetric`` each pair is stored both ways.
    w : float64 array
        Weights (ignored unless ``has_weights``); a duplicate keeps its first weight.
    n : int
        Number of nodes.

    Returns
    -------
    indptr : int64 array, indices : int32 array (sorted within each row), weights
    """
    m = src.shape[0]
    counts = np.zeros(n + 1, dtype=np.int64)
    for i in range(m):
        u = src[i]
        v = dst[i]
        if u == v:
            continue
        counts[u + 1] += 1
        if symmetric:
            counts[v + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    total = counts[n]
    fill = counts[:-1].copy()
    idx = np.empty(total, dtype=np.int32)
    wt = np.empty(total if has_weights else 0, dtype=np.float64)
    for i in range(m):
        u = src[i]
        v = dst[i]
        if u == v:
            continue
        idx[fill[u]] = v
        if has_weights:
            wt[fill[u]] = w[i]
        fill[u] += 1
        if symmetric:
            idx[fill[v]] = u
            if has_weights:
                wt[fill[v]] = w[i]
            fill[v] += 1
    # sort each row and drop duplicates, compacting in place
    indptr = np.zeros(n + 1, dtype=np.int64)
    out = 0
    for u in range(n):
        a = counts[u]
        b = counts[u + 1]
        if b - a > 1:
            if has_weights:
                order = np.argsort(idx[a:b], kind="mergesort")
                row = idx[a:b][order]
                roww = wt[a:b][order]
            else:
                row = np.sort(idx[a:b])
                roww = wt[0:0]
        else:
            row = idx[a:b].copy()
            roww = wt[a:b].copy() if has_weights else wt[0:0]
        last = -1
        for j in range(row.shape[0]):
            v = row[j]
            if v != last:
                idx[out] = v
                if has_weights:
                    wt[out] = roww[j]
                out += 1
                last = v
        indptr[u + 1] = out
    return indptr, idx[:out].copy(), wt[:out].copy() if has_weights else wt


@jit
def in_degrees(indices, n):
    """In-degree of every node (number of times it appears as an arc head)."""
    deg = np.zeros(n, dtype=np.int64)
    for i in range(indices.shape[0]):
        deg[indices[i]] += 1
    return deg
