"""Theory of the continuous-time SIR model: the chance that a seed starts a large cascade.

Along one tie the share gets through before the sharer loses interest with probability
``T = beta / (beta + gamma)``; the threshold and the sizes are those of bond percolation
at ``T`` (:mod:`smmsim.theory.bond_percolation`). The probability that one seed starts a
large cascade is not: the ties out of one sharer share that sharer's interest span, so
their transmissions are positively correlated (Kenah & Robins 2007; Miller 2007), and
:func:`p_large_outbreak` computes it.

References
----------
E. Kenah and J. M. Robins, "Second look at the spread of epidemics on networks",
Phys. Rev. E 76, 036113 (2007).
J. C. Miller, "Epidemic size and probability in populations with heterogeneous
infectivity and susceptibility", Phys. Rev. E 76, 010101(R) (2007).
"""

from __future__ import annotations

import numpy as np

from smmsim._lazy import lazy_module
from smmsim.graph import CSRGraph
from smmsim.theory.bond_percolation import fixed_point, joint_degree_distribution

kernel = lazy_module("smmsim._kernels.sir")  # numba loads on first use

__all__ = ["p_large_outbreak"]


def p_large_outbreak(
    graph: CSRGraph, beta: float, gamma: float, followers: np.ndarray | None = None
) -> float:
    """Probability that one random seed (or the given seeds) starts a large SIR cascade.

    Parameters
    ----------
    graph : CSRGraph
        The audience (configuration-model approximation over its own degree sequence).
    beta, gamma : float
        Transmission rate per tie and rate of losing interest (> 0).
    followers : ndarray of int, optional
        Followers of each seed, for fixed seeds: the answer is then ``1 - prod_i
        h_(k_i)(x)`` (seeds far apart start independent cascades).

    Returns
    -------
    float
        0 at or below the threshold ``T x excess <= 1``.

    Notes
    -----
    A sharer with interest span ``D ~ Exp(gamma)`` reaches each of its ``k`` followers
    independently given ``D``, with probability ``p(D) = 1 - exp(-beta D)``. The number
    it reaches therefore has the generating function ``h_k(y) = E[(1 - p(D) + p(D) y)^k]``
    (see :func:`smmsim._kernels.sir.no_transmission_pgf`; ``h_k(0) = gamma / (gamma + k
    beta)``), not the binomial ``(1 - T + T y)^k`` of bond percolation. With ``x`` the
    probability that a user reached along a tie does not start a large cascade, the
    smallest root of ``x = sum_k q_k h_(k-1)(x)`` (``q_k = k p_k / <k>``; directed: ``x =
    sum p_jk (j / <j>) h_k(x)``), the answer is ``1 - sum_k p_k h_k(x)`` (directed: ``1 -
    sum p_jk h_k(x)``). This is the probability that the seed's out-component in the
    epidemic percolation network is large (Kenah & Robins 2007, section IV; Miller 2007).
    """
    beta, gamma = float(beta), float(gamma)
    if not (beta > 0 and gamma > 0 and np.isfinite(beta) and np.isfinite(gamma)):
        raise ValueError(f"beta and gamma must be finite rates > 0, got {beta}, {gamma}")
    T = beta / (beta + gamma)
    if T * graph.degree_stats().excess <= 1:
        return 0.0
    j, k, p = joint_degree_distribution(graph)
    a = gamma / beta
    kout = k.astype(np.int64)
    kmax = int(kout.max(initial=0))
    if followers is not None:
        kmax = max(kmax, int(np.max(followers, initial=0)))
    tab = np.empty(kmax + 1)
    if graph.directed:
        weight = p * j / float((p * j).sum())
        offspring = kout
    else:
        weight = p * k / float((p * k).sum())
        offspring = np.maximum(kout - 1, 0)  # the tie it was reached along leads back

    def f(x: float) -> float:
        kernel.no_transmission_pgf(x, a, kmax, tab)
        return float((weight * tab[offspring]).sum())

    x = fixed_point(f)
    kernel.no_transmission_pgf(x, a, kmax, tab)
    if followers is not None:  # the given seeds, independent in a large audience
        return max(0.0, 1.0 - float(np.prod(tab[np.asarray(followers, dtype=np.int64)])))
    return max(0.0, 1.0 - float((p * tab[kout]).sum()))
