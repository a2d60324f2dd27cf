"""Reach and sizes of cascades on either side of the virality threshold (tree-like theory).

Bond percolation with transmissibility ``T`` on the audience's own joint (in, out)
degree sequence (:mod:`smmsim.theory.bond_percolation`) gives, besides the threshold,
how much of the audience a large cascade reaches (:func:`large_reach_share`) and how
large a cascade that stays small is, in sharers (:func:`mean_small_cascade`) and in
users reached (:func:`small_cascade_reach`), at any ``T``. The virality-threshold tools
(:mod:`smmsim.threshold`) set these beside what simulation finds.

References
----------
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with arbitrary degree
distributions and their applications", Phys. Rev. E 64, 026118 (2001).
"""

from __future__ import annotations

import math

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.theory.bond_percolation import fixed_point, joint_degree_distribution

__all__ = [
    "escape_probabilities",
    "large_reach_share",
    "mean_small_cascade",
    "small_cascade_reach",
]


def escape_probabilities(graph: CSRGraph, T: float) -> tuple[float, float]:
    """``(a, b)``: a tie followed forwards (``a``) or backwards (``b``) does not lead to
    a large cascade. ``1 - T + T a`` per tie is the chance a sharer's tie does not start
    one; ``1 - b`` is the chance that a followee is a sharer of the large cascade."""
    j, k, p = joint_degree_distribution(graph)
    mj, mk = float((p * j).sum()), float((p * k).sum())
    if mj == 0 or T <= 0:
        return 1.0, 1.0
    further = k if graph.directed else k - 1
    a = fixed_point(lambda a: float((p * j / mj * (1 - T + T * a) ** further).sum()))
    if not graph.directed:
        return a, a
    b = fixed_point(lambda b: float((p * k / mk * (1 - T + T * b) ** j).sum()))
    return a, b


def large_reach_share(graph: CSRGraph, T: float, visibility: float) -> float:
    """Fraction of the audience that sees a large cascade (tree-like theory).

    A user is reached when one of the accounts they follow is a sharer of the large
    cascade (probability ``1 - b`` each) and that share shows in their feed
    (``visibility``): ``1 - sum_jk p_jk (1 - visibility (1 - b))^j``.
    """
    if T * graph.degree_stats().excess <= 1:
        return 0.0
    _, b = escape_probabilities(graph, T)
    j, _, p = joint_degree_distribution(graph)
    return max(0.0, 1.0 - float((p * (1 - visibility * (1 - b)) ** j).sum()))


def mean_small_cascade(graph: CSRGraph, T: float) -> float:
    """Mean sharers of a cascade that stays small, from one random seed, at any ``T``.

    With ``x = 1 - T + T a`` (``a``: a tie leads to no large cascade), the finite
    clusters have generating functions ``H1(z) = 1 - T + T z G1(H1(z))`` and
    ``H0(z) = z G0(H1(z))``, so their mean size is
    ``1 + T G0'(x) G1(x) / (G0(x) (1 - T G1'(x)))`` (Newman 2002, Sec. IV); below the
    threshold ``x = 1`` and this is ``1 + T <k> / (1 - K)``.
    """
    j, k, p = joint_degree_distribution(graph)
    mj = float((p * j).sum())
    if mj == 0 or T <= 0:
        return 1.0
    a, _ = escape_probabilities(graph, T)
    x = 1 - T + T * a
    further = k if graph.directed else k - 1
    g0 = float((p * x**k).sum())
    g0p = float((p * k * x ** np.maximum(k - 1, 0)).sum())
    g1 = float((p * j / mj * x**further).sum())
    g1p = float((p * j / mj * further * x ** np.maximum(further - 1, 0)).sum())
    denom = g0 * (1 - T * g1p)
    return 1.0 + T * g0p * g1 / denom if denom > 0 else math.inf


def small_cascade_reach(graph: CSRGraph, T: float, visibility: float, mean_small: float) -> float:
    """Mean reach of a cascade that stays small (tree-like theory, approximate above the
    threshold): the seed's followers plus each further sharer's further followers,
    each seen with probability ``visibility``."""
    stats = graph.degree_stats()
    if not math.isfinite(mean_small):
        return math.nan
    return visibility * (stats.mean_out + (mean_small - 1.0) * stats.excess)
