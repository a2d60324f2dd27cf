"""The simple seeding strategies at a budget: top degree, degree discount, PageRank,
k-core and random.

Each ranks the candidates and buys down the ranking, skipping accounts that no longer
fit the budget, until none fits (degree discount re-ranks after every purchase). They
are what a strategist would do by hand, and what the optimiser is measured against.

References
----------
W. Chen, Y. Wang and S. Yang, "Efficient influence maximization in social networks",
KDD 2009 (degree discount).
S. Brin and L. Page, "The anatomy of a large-scale hypertextual web search engine", 1998
(PageRank).
V. Batagelj and M. Zaversnik, "An O(m) algorithm for cores decomposition of networks",
2003; M. Kitsak et al., "Identification of influential spreaders in complex networks",
Nature Physics 2010 (k-core).
"""

from __future__ import annotations

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.influence.candidates import Candidates
from smmsim.influence.reverse import reverse_lists

__all__ = ["HEURISTICS", "buy_in_order", "heuristic_seeds", "kcore_scores", "pagerank_scores"]

#: The simple strategies, by name.
HEURISTICS = ("top_degree", "degree_discount", "pagerank", "kcore", "random")


def buy_in_order(order: np.ndarray, cand: Candidates) -> np.ndarray:
    """Walk ``order`` and buy each eligible user that still fits the budget."""
    from smmsim._kernels.seeding_budget import buy_in_order as kernel

    order = np.ascontiguousarray(order, dtype=np.int64)
    return kernel(order, cand.price, cand.eligible, float(cand.budget))


def pagerank_scores(graph: CSRGraph, alpha: float = 0.85, tol: float = 1e-10) -> np.ndarray:
    """PageRank with rank flowing from each user to the accounts they follow, so that
    accounts followed by well-followed accounts score high (power iteration over
    ``scipy.sparse``; dangling users spread their rank evenly)."""
    import scipy.sparse as sp

    n = graph.n
    a = sp.csr_matrix(
        (np.ones(graph.indices.size), graph.indices.astype(np.int64), graph.indptr), shape=(n, n)
    )
    follows = graph.in_degree().astype(np.float64)
    dangling = follows == 0
    inv = np.divide(1.0, follows, out=np.zeros(n), where=~dangling)
    x = np.full(n, 1.0 / n)
    for _ in range(200):
        spread = a @ (x * inv)
        new = alpha * (spread + x[dangling].sum() / n) + (1 - alpha) / n
        done = np.abs(new - x).sum() < tol
        x = new
        if done:
            break
    return x


def kcore_scores(graph: CSRGraph) -> np.ndarray:
    """Each user's k-core number in the audience taken as undirected, with the follower
    count breaking ties (as ``core + degree / (max degree + 1)``)."""
    from smmsim._kernels.centrality import core_numbers

    if graph.directed:
        import scipy.sparse as sp

        n = graph.n
        a = sp.csr_matrix(
            (np.ones(graph.indices.size), graph.indices.astype(np.int64), graph.indptr),
            shape=(n, n),
        )
        s = ((a + a.T) > 0).tocsr()
        s.sort_indices()
        indptr, indices = s.indptr.astype(np.int64), s.indices.astype(np.int32)
    else:
        indptr, indices = graph.indptr, graph.indices
    core = core_numbers(indptr, indices).astype(np.float64)
    deg = graph.out_degree().astype(np.float64)
    return core + deg / (deg.max(initial=0) + 1)


def _order(scores: np.ndarray) -> np.ndarray:
    """Highest score first, ties to the lower id."""
    return np.argsort(-scores, kind="stable")


def heuristic_seeds(
    graph: CSRGraph,
    method: str,
    cand: Candidates,
    *,
    p: float = 0.01,
    random_key: np.uint64 | int = 0,
) -> np.ndarray:
    """Seeds that ``method`` buys with the budget left in ``cand`` (committed ones
    excluded).

    Parameters
    ----------
    graph : CSRGraph
    method : {"top_degree", "degree_discount", "pagerank", "kcore", "random"}
    cand : Candidates
    p : float
        Transmissibility for degree discount's discount.
    random_key : int
        Key of the random order (its stream is ``PURPOSE_RANDOM_ORDER``).

    Returns
    -------
    ndarray of int64
        The users bought, in the order bought.
    """
    if method == "top_degree":
        return buy_in_order(_order(graph.out_degree().astype(np.float64)), cand)
    if method == "pagerank":
        return buy_in_order(_order(pagerank_scores(graph)), cand)
    if method == "kcore":
        return buy_in_order(_order(kcore_scores(graph)), cand)
    if method == "random":
        from smmsim._kernels.rng import PURPOSE_RANDOM_ORDER

        rng = np.random.default_rng([int(random_key), PURPOSE_RANDOM_ORDER])
        return buy_in_order(rng.permutation(graph.n), cand)
    if method == "degree_discount":
        from smmsim._kernels.centrality import degree_discount

        rindptr, rindices = reverse_lists(graph)
        return degree_discount(
            graph.indptr, rindptr, rindices, float(p), cand.price, cand.eligible.copy(),
            cand.committed, float(cand.budget),
        )  # fmt: skip
    raise ValueError(f"unknown heuristic {method!r}; expected one of {', '.join(HEURISTICS)}")
