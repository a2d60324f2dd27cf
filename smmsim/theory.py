"""Percolation theory for the default model: thresholds and cascade sizes.

Without novelty decay the set of sharers in the default model is the cluster of the
seeds in bond percolation with transmissibility ``T = visibility x stickiness x
contagion``. Generating functions over the audience's own degree sequence then give the
virality threshold, the chance that one seed starts a large cascade and the size of
such a cascade (Newman 2002; for directed audiences the joint in/out-degree form of
Newman, Strogatz & Watts 2001 and Meyers, Newman & Pourbohloul 2006).

References
----------
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with arbitrary degree
distributions and their applications", Phys. Rev. E 64, 026118 (2001).
L. A. Meyers, M. E. J. Newman and B. Pourbohloul, "Predicting epidemics on directed
contact networks", J. Theor. Biol. 240, 400-418 (2006).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from smmsim.graph import CSRGraph

__all__ = [
    "PercolationTheory",
    "critical_transmissibility",
    "percolation",
    "transmissibility",
]


def transmissibility(visibility: float, stickiness: float, contagion: float) -> float:
    """Probability that a share along one tie makes the follower share: ``v * s * c``."""
    return float(visibility) * float(stickiness) * float(contagion)


def critical_transmissibility(graph: CSRGraph) -> float:
    """Virality threshold ``T_c``: the transmissibility at which ``K = T * excess = 1``.

    ``excess`` is the mean excess degree (``<k^2>/<k> - 1`` undirected,
    ``<k_in k_out>/<k_in>`` directed). Returns ``inf`` when the audience has no excess
    degree (no cascade can grow).
    """
    excess = graph.degree_stats().excess
    return 1.0 / excess if excess > 0 else float("inf")


@dataclass(frozen=True)
class PercolationTheory:
    """What theory predicts for one transmissibility on one audience.

    Attributes
    ----------
    transmissibility : float
        ``T``.
    critical : float
        ``T_c``.
    k_factor : float
        Viral coefficient ``K = T / T_c``: mean new sharers per sharer early on.
    viral : bool
        ``K > 1``.
    p_large : float
        Probability that one random seed starts a large cascade.
    large_share : float
        Fraction of the audience that shares in a large cascade.
    mean_small : float
        Mean number of sharers (seed included) of a cascade that stays small,
        from one random seed; ``inf`` at the threshold.
    """

    transmissibility: float
    critical: float
    k_factor: float
    viral: bool
    p_large: float
    large_share: float
    mean_small: float

    def p_large_from(self, k: int) -> float:
        """Probability that at least one of ``k`` random seeds starts a large cascade."""
        return 1.0 - (1.0 - self.p_large) ** k

    def as_dict(self) -> dict:
        """Plain dictionary (JSON-ready; infinities become ``None``)."""
        return {
            k: (None if isinstance(v, float) and not np.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _solve(f, tol: float = 1e-13, max_iter: int = 200_000) -> float:
    """Smallest fixed point of an increasing map ``f`` on [0, 1], iterating from 0."""
    u = 0.0
    for _ in range(max_iter):
        nxt = f(u)
        if abs(nxt - u) < tol:
            return nxt
        u = nxt
    return u


def _joint_degree_distribution(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (in, out) degree pairs and their frequencies, computed once per graph."""
    cache = graph._cache
    if "joint_degrees" not in cache:
        kin = graph.in_degree().astype(np.int64)
        kout = graph.out_degree().astype(np.int64)
        # one integer key per (in, out) pair: far faster than np.unique(..., axis=1)
        base = int(kout.max(initial=0)) + 1
        keys, counts = np.unique(kin * base + kout, return_counts=True)
        cache["joint_degrees"] = (
            (keys // base).astype(float),
            (keys % base).astype(float),
            counts / max(graph.n, 1),
        )
    return cache["joint_degrees"]


def percolation(graph: CSRGraph, T: float) -> PercolationTheory:
    """Generating-function predictions for bond percolation with probability ``T``.

    Parameters
    ----------
    graph : CSRGraph
        The audience; its own degree sequence is used (no assumed distribution).
    T : float
        Transmissibility in [0, 1].

    Returns
    -------
    PercolationTheory

    Notes
    -----
    Undirected: with ``G0(x) = sum_k p_k x^k`` and ``G1(x) = G0'(x)/G0'(1)``, the
    probability that a tie does not lead to the giant cluster solves
    ``u = G1(1 - T + T u)``; then ``p_large = large_share = 1 - G0(1 - T + T u)`` and,
    below threshold, ``mean_small = 1 + T G0'(1) / (1 - T G1'(1))`` (Newman 2002).
    Directed (an arc ``u -> v`` carries u's shares to v): the seed's out-cluster is large
    with probability ``1 - sum p_jk x^k`` where ``x = 1 - T + T a`` and
    ``a = sum (j p_jk / <j>) x^k``; a large cascade reaches the giant out-component,
    ``1 - sum p_jk y^j`` with ``y = 1 - T + T b``, ``b = sum (k p_jk / <k>) y^j``.
    """
    if not 0.0 <= T <= 1.0:
        raise ValueError(f"T must be a probability in [0, 1], got {T}")
    stats = graph.degree_stats()
    critical = 1.0 / stats.excess if stats.excess > 0 else float("inf")
    K = T * stats.excess
    j, k, p = _joint_degree_distribution(graph)
    mj, mk = float((p * j).sum()), float((p * k).sum())
    if mj == 0 or T == 0:
        return PercolationTheory(T, critical, K, False, 0.0, 0.0, 1.0)

    # a follower reached along a mutual tie has k - 1 further ties; along an arc, k
    # (users never reached along a tie, j = 0, carry no weight there: leave them out,
    # as 0 ** -1 would turn their zero weight into nan at T = 1)
    reached = j > 0
    wj, excess_k = (p * j / mj)[reached], (k if graph.directed else k - 1)[reached]
    a = _solve(lambda a: float((wj * (1 - T + T * a) ** excess_k).sum()))
    p_large = 1.0 - float((p * (1 - T + T * a) ** k).sum())
    if graph.directed:
        followed = k > 0
        wk, j_f = (p * k / mk)[followed], j[followed]
        b = _solve(lambda b: float((wk * (1 - T + T * b) ** j_f).sum()))
        large_share = 1.0 - float((p * (1 - T + T * b) ** j).sum())
    else:
        large_share = p_large
    mean_small = 1.0 + T * mk / (1.0 - K) if K < 1 else float("inf")
    if K <= 1:  # the iteration only approaches 0 from above at or below threshold
        p_large = large_share = 0.0
    return PercolationTheory(
        transmissibility=T,
        critical=critical,
        k_factor=K,
        viral=K > 1,
        p_large=max(p_large, 0.0),
        large_share=max(large_share, 0.0),
        mean_small=mean_small,
    )
