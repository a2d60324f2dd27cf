"""Structural virality against its definition: the mean distance between two sharers.

Goel, Anderson, Hofman and Watts (2016) define a cascade's structural virality as the
mean shortest-path distance over all pairs of its nodes. Here the sharer forest hangs
from the brand (a virtual root joining the seeds and any later sharer with no parent),
which is not itself counted among the nodes.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from smmsim._kernels.funnel import _wiener_virality, structural_virality


def pairwise_mean(parent: np.ndarray, n_seeds: int) -> float:
    """Mean distance over all pairs, each pair's path found by walking up to the root."""
    nn = len(parent)

    def ancestors(v: int) -> list[int]:
        path = [v]
        while v >= n_seeds and parent[v] >= 0:
            v = int(parent[v])
            path.append(v)
        return [*path, -1]  # the brand

    total = 0
    for a, b in itertools.combinations(range(nn), 2):
        up_a, up_b = ancestors(a), ancestors(b)
        common = next(x for x in up_a if x in up_b)
        total += up_a.index(common) + up_b.index(common)
    return total / (0.5 * nn * (nn - 1))


def random_forest(rng: np.random.Generator, nn: int, n_seeds: int) -> np.ndarray:
    """Parents in activation order: seeds first, then sharers activated by an earlier
    sharer, or (one in ten) placed by the brand."""
    parent = np.full(nn, -1, dtype=np.int32)
    for pos in range(n_seeds, nn):
        if pos > 0 and rng.random() > 0.1:
            parent[pos] = rng.integers(0, pos)
    return parent


@pytest.mark.parametrize("trial", range(40))
def test_virality_is_the_mean_pairwise_distance(trial):
    rng = np.random.default_rng(trial)
    nn = int(rng.integers(2, 30))
    n_seeds = int(rng.integers(0, nn + 1))
    parent = random_forest(rng, nn, n_seeds)
    expected = pairwise_mean(parent, n_seeds)
    size = np.zeros(nn, dtype=np.int32)
    assert structural_virality(parent, nn, n_seeds, size) == pytest.approx(expected, rel=1e-15)
    # the float form, kept for trees too large for the integer sum, agrees exactly
    got_float = _wiener_virality(parent, nn, n_seeds, np.zeros(nn, dtype=np.int32))
    assert got_float == structural_virality(parent, nn, n_seeds, size)


def test_shapes_with_known_virality():
    size = np.zeros(8, dtype=np.int32)
    # a chain of four: distances 1, 2, 3, 1, 2, 1 -> 10 / 6
    chain = np.array([-1, 0, 1, 2], dtype=np.int32)
    assert structural_virality(chain, 4, 1, size) == pytest.approx(10 / 6)
    # a star (one seed, three children): every pair through the hub but the hub's own
    star = np.array([-1, 0, 0, 0], dtype=np.int32)
    assert structural_virality(star, 4, 1, size) == pytest.approx((3 * 1 + 3 * 2) / 6)
    # four seeds alone: every pair joined through the brand, two apart
    seeds = np.full(4, -1, dtype=np.int32)
    assert structural_virality(seeds, 4, 4, size) == 2.0
    # fewer than two sharers: no pair
    assert structural_virality(seeds, 1, 1, size) == 0.0
