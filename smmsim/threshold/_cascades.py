"""One-seed cascades without novelty decay, the size that makes one large, and
the Wilson interval of a share of runs."""

from __future__ import annotations

import math

import numpy as np

from smmsim._kernel_thread import call_interruptibly
from smmsim.graph import CSRGraph
from smmsim.models.ewom import EWOM
from smmsim.seeding import seed_sets
from smmsim.threshold._inputs import _MAX_CELLS, _PENDING, _REACH, _SHARES, _Z95


def _model(visibility: float, stickiness: float, contagion: float) -> EWOM:
    return EWOM(
        visibility=float(visibility),
        stickiness=float(stickiness),
        contagion=float(contagion),
        half_life=None,
        conversion=0.0,
        referral_multiplier=1.0,
    )


def _one_seed_cascades(
    graph: CSRGraph,
    model: EWOM,
    runs: int,
    root: np.uint64,
    *,
    first: int = 0,
    steps: int = 64,
    threads: int | None = None,
    max_steps: int = 1 << 16,
) -> tuple[np.ndarray, np.ndarray]:
    """Final sharers (seed included) and reach of ``runs`` one-seed cascades.

    Runs still spreading after ``steps`` are continued (the same replicate with a
    longer horizon draws the same numbers, so its cascade is extended, not redrawn)
    until they end or reach ``max_steps``.
    """
    sizes = np.empty(runs, dtype=np.int64)
    reach = np.empty(runs, dtype=np.int64)
    batch = max(1, min(runs, _MAX_CELLS // steps))
    unfinished: list[int] = []
    for start in range(0, runs, batch):
        nb = min(batch, runs - start)
        seeds = seed_sets(graph, "random", k=1, root=root, first=first + start, n_reps=nb)
        raw = call_interruptibly(model.run, graph, seeds, first + start, nb, steps, root, threads)
        c = raw.counts
        sizes[start : start + nb] = c[:, _SHARES] + c[:, _PENDING]
        reach[start : start + nb] = c[:, _REACH]
        unfinished.extend((start + np.flatnonzero(c[:, _PENDING] > 0)).tolist())
    for i in unfinished:
        horizon = steps
        while horizon < max_steps:
            horizon = min(max_steps, horizon * 8)
            seeds = seed_sets(graph, "random", k=1, root=root, first=first + i, n_reps=1)
            raw = call_interruptibly(model.run, graph, seeds, first + i, 1, horizon, root, 1)
            c = raw.counts[0]
            sizes[i] = c[_SHARES] + c[_PENDING]
            reach[i] = c[_REACH]
            if c[_PENDING] == 0:
                break
    return sizes, reach


def _large_cutoff(graph: CSRGraph) -> float:
    """Sharers that make a cascade "large": ``n^(2/3)``, the size of the largest
    clusters at the percolation threshold of a random graph (Aldous 1997). Bigger
    cascades need ``K > 1``; smaller ones occur on both sides of the threshold. (On
    heavy-tailed audiences large cascades just above the threshold can be smaller than
    this, so the simulated probability rises later than theory's there.)"""
    return max(graph.n ** (2 / 3), 2.0)


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    z = _Z95
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
