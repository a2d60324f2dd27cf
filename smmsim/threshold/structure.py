"""What the degree sequence leaves out: clustering and the message-passing threshold."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.threshold._inputs import _memo


def _transitivity(graph: CSRGraph, samples: int, rng: np.random.Generator) -> float:
    """Share of closed wedges (global clustering), estimated from random wedges."""
    deg = graph.out_degree().astype(np.int64)
    w = deg * (deg - 1)
    total = w.sum()
    if total <= 0:
        return 0.0
    centre = rng.choice(graph.n, size=samples, p=w / total)
    d = deg[centre]
    i = rng.integers(0, d)
    j = rng.integers(0, d - 1)
    j = j + (j >= i)
    a = graph.indices[graph.indptr[centre] + i].astype(np.int64)
    b = graph.indices[graph.indptr[centre] + j].astype(np.int64)
    keys = _arc_keys(graph)
    n = np.int64(graph.n)
    hit = _has(keys, a * n + b) | _has(keys, b * n + a)
    return float(hit.mean())


def _arc_keys(graph: CSRGraph) -> np.ndarray:
    """``u * n + v`` for every arc, sorted (rows are sorted in CSR order)."""

    def make():
        src = np.repeat(np.arange(graph.n, dtype=np.int64), np.diff(graph.indptr))
        return src * np.int64(graph.n) + graph.indices

    return _memo(graph, "arc_keys", make)


def _has(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(keys, q)
    pos = np.minimum(pos, keys.size - 1)
    return keys[pos] == q


def _message_passing_threshold(graph: CSRGraph, max_seconds: float = 3.0) -> float | None:
    """``1 / lambda`` with ``lambda`` the leading eigenvalue of the non-backtracking
    matrix (Karrer, Newman & Zdeborová 2014): the threshold of tree-like theory that
    knows who is tied to whom (segments, degree correlations) but not short loops.
    Power iteration on arcs; ``None`` if it has not converged in ``max_seconds``."""
    m = graph.indices.size
    if m == 0:
        return None
    n = np.int64(graph.n)
    keys = _arc_keys(graph)
    dst = graph.indices.astype(np.int64)
    src = keys // n
    rev_key = dst * n + src
    rev = np.minimum(np.searchsorted(keys, rev_key), m - 1)
    has_rev = keys[rev] == rev_key
    starts = graph.indptr[:-1]
    nonempty = np.diff(graph.indptr) > 0
    x = np.ones(m)
    lam = 0.0
    t0 = time.perf_counter()
    for it in range(5000):
        row_sum = np.zeros(graph.n)
        row_sum[nonempty] = np.add.reduceat(x, starts[nonempty])
        # arc u->v continues along v->w for every w != u
        y = row_sum[dst] - np.where(has_rev, x[rev], 0.0)
        y += x  # shift by the identity: no oscillation between +-lambda
        norm = np.linalg.norm(y)
        if norm == 0:
            return None
        new = norm / np.linalg.norm(x) - 1.0
        x = y / norm
        if it > 10 and abs(new - lam) < 1e-6 * max(new, 1e-12):
            return 1.0 / new if new > 0 else None
        lam = new
        if time.perf_counter() - t0 > max_seconds:
            return None
    return None


def _structure(graph: CSRGraph, seed: int) -> dict[str, Any]:
    stats = graph.degree_stats()
    rng = np.random.default_rng([seed, 0x57C])
    clustering = _transitivity(graph, 20_000, rng)
    k1, k2 = stats.mean, stats.second
    random_clustering = (k2 - k1) ** 2 / (graph.n * k1**3) if k1 > 0 else 0.0
    return {
        "clustering": clustering,
        "clustering_random": min(1.0, random_clustering),
        "message_passing_critical_transmissibility": _message_passing_threshold(graph),
    }
