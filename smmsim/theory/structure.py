"""Audience structure that percolation theory assumes away: clustering and degree correlations.

Generating-function theory (Newman 2002) treats the audience as a random graph with its
degree sequence: locally tree-like (friends of a user are rarely friends of each other)
and without degree correlations. These figures say how far a real audience is from
that. Transitivity and assortativity are estimated from a fixed number of samples drawn
with a seeded stream, so they cost the same on a thousand users as on a million and
repeat exactly; the growth two ties out (``neighbour_excess``) is one pass over the ties.

References
----------
M. E. J. Newman, "Assortative mixing in networks", Phys. Rev. Lett. 89, 208701 (2002).
T. Schank and D. Wagner, "Approximating clustering coefficient and transitivity",
J. Graph Algorithms Appl. 9(2), 265-275 (2005).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from smmsim.graph import CSRGraph

__all__ = ["Structure", "measure_structure"]

#: Samples drawn for each estimate: standard errors of at most 0.0035.
SAMPLES = 20_000
STREAM = 0x57C7  # keys the measurement stream apart from every simulation stream


@dataclass(frozen=True)
class Structure:
    """Clustering and degree correlations of an audience, with their standard errors.

    Attributes
    ----------
    transitivity : float
        Share of wedges (two followers of one account) that are closed by a tie between
        the two followers: 3 x triangles / connected triples for a friendship graph.
    transitivity_se : float
        Standard error of the estimate (0 when every wedge was examined).
    random_transitivity : float
        Transitivity expected for a random audience with the same degree sequence,
        ``(<k^2> - <k>)^2 / (n <k>^3)`` (Newman 2003), capped at 1.
    assortativity : float
        Pearson correlation of the degrees at the two ends of a tie (out-degrees for a
        follower graph); ``nan`` when every tie joins users of one degree.
    assortativity_se : float
        Standard error of the estimate (0 when every tie was used).
    neighbour_excess : float
        Further ties of a user reached two ties away from a sharer, on average: the
        growth per generation that degree correlations leave, against the mean excess
        degree that theory uses (they are equal without correlations). For each tie
        ``u -> v``: ``sum e_in(u) e(v) / sum e_in(u)``, with ``e`` the ties onward
        (``k - 1`` for friendships, out-degree for follower graphs) and ``e_in`` the
        ties by which ``u`` is reached (``k - 1``, or in-degree).
    """

    transitivity: float
    transitivity_se: float
    random_transitivity: float
    assortativity: float
    assortativity_se: float
    neighbour_excess: float

    def as_dict(self) -> dict:
        """Plain dictionary (JSON-ready; ``nan`` becomes ``None``)."""
        return {k: (None if v != v else float(v)) for k, v in asdict(self).items()}


def measure_structure(graph: CSRGraph, samples: int = SAMPLES) -> Structure:
    """Estimate transitivity and degree assortativity of ``graph`` (cached on the graph).

    Parameters
    ----------
    graph : CSRGraph
        The audience.
    samples : int
        Wedges and ties sampled for each estimate.

    Returns
    -------
    Structure

    Notes
    -----
    Transitivity is estimated by wedge sampling (Schank & Wagner 2005): a centre drawn
    with probability proportional to ``k (k - 1)``, two distinct followers of it, and a
    check whether they are tied (either way round). Assortativity uses ties drawn
    uniformly (every tie once a graph has at most ``samples`` of them).
    """
    key = ("structure", int(samples))
    if key not in graph._cache:
        rng = np.random.default_rng(np.random.SeedSequence([STREAM, int(samples)]))
        graph._cache[key] = Structure(
            *_transitivity(graph, samples, rng),
            _random_transitivity(graph),
            *_assortativity(graph, samples, rng),
            _neighbour_excess(graph),
        )
    return graph._cache[key]


def _transitivity(graph: CSRGraph, samples: int, rng: np.random.Generator) -> tuple[float, float]:
    from smmsim._kernels.structure import tied

    k = graph.out_degree().astype(np.float64)
    wedges = k * (k - 1.0)
    total = float(wedges.sum())
    if total <= 0:
        return 0.0, 0.0
    centre = np.searchsorted(np.cumsum(wedges), rng.random(samples) * total, side="right")
    centre = np.minimum(centre, graph.n - 1)
    kc = graph.out_degree()[centre].astype(np.int64)
    i = (rng.random(samples) * kc).astype(np.int64)
    j = (rng.random(samples) * (kc - 1)).astype(np.int64)
    j += j >= i
    start = graph.indptr[centre]
    a = graph.indices[start + i].astype(np.int64)
    b = graph.indices[start + j].astype(np.int64)
    hit = tied(graph.indptr, graph.indices, a, b)
    p = float(hit.mean())
    return p, float(np.sqrt(p * (1 - p) / samples))


def _random_transitivity(graph: CSRGraph) -> float:
    s = graph.degree_stats()
    if graph.n == 0 or s.mean_out <= 0:
        return 0.0
    k1, k2 = s.mean_out, s.second_out
    return float(min(1.0, (k2 - k1) ** 2 / (graph.n * k1**3)))


def _assortativity(graph: CSRGraph, samples: int, rng: np.random.Generator) -> tuple[float, float]:
    arcs = graph.n_arcs
    if arcs == 0:
        return float("nan"), 0.0
    exact = arcs <= samples
    pos = np.arange(arcs) if exact else rng.integers(0, arcs, samples)
    src = np.searchsorted(graph.indptr, pos, side="right") - 1
    deg = graph.out_degree().astype(np.float64)
    x, y = deg[src], deg[graph.indices[pos]]
    if not graph.directed:  # each friendship read both ways round
        x, y = np.concatenate([x, y]), np.concatenate([y, x])
    if x.std() == 0 or y.std() == 0:
        return float("nan"), 0.0
    r = float(np.corrcoef(x, y)[0, 1])
    m = pos.size
    return r, 0.0 if exact else float((1 - r * r) / np.sqrt(max(m - 1, 1)))


def _neighbour_excess(graph: CSRGraph, chunk: int = 1 << 22) -> float:
    """Exact, over every tie, a chunk of ties at a time (bounded memory)."""
    out = graph.out_degree().astype(np.float64)
    if graph.directed:
        onward, into = out, graph.in_degree().astype(np.float64)
    else:
        onward = into = np.maximum(out - 1.0, 0.0)
    num = den = 0.0
    rows = np.repeat(np.arange(graph.n), np.diff(graph.indptr)) if graph.n_arcs <= chunk else None
    for a in range(0, graph.n_arcs, chunk):
        b = min(a + chunk, graph.n_arcs)
        src = (
            rows[a:b]
            if rows is not None
            else (np.searchsorted(graph.indptr, np.arange(a, b), side="right") - 1)
        )
        w = into[src]
        num += float((w * onward[graph.indices[a:b]]).sum())
        den += float(w.sum())
    return num / den if den > 0 else 0.0
