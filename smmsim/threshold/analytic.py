"""Percolation theory on the audience's degree sequence: :func:`analytic_threshold`."""

from __future__ import annotations

import math

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.scenario import Scenario
from smmsim.seeding import seed_sets
from smmsim.theory import _solve, percolation
from smmsim.threshold._inputs import (
    ThresholdError,
    _content,
    _current,
    _memo,
    _other_factor,
    _resolve,
)
from smmsim.threshold.result import AnalyticThreshold


def _degree_pairs(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (in-degree, out-degree) pairs and their shares of the audience."""

    def make():
        kin = graph.in_degree().astype(np.int64)
        kout = graph.out_degree().astype(np.int64)
        pairs, counts = np.unique(np.stack([kin, kout]), axis=1, return_counts=True)
        return pairs[0].astype(float), pairs[1].astype(float), counts / max(graph.n, 1)

    return _memo(graph, "degree_pairs", make)


def _escape_probabilities(graph: CSRGraph, T: float) -> tuple[float, float]:
    """``(a, b)``: a tie followed forwards (``a``) or backwards (``b``) does not lead to
    a large cascade. ``1 - T + T a`` per tie is the chance a sharer's tie does not start
    one; ``1 - b`` is the chance that a followee is a sharer of the large cascade."""
    j, k, p = _degree_pairs(graph)
    mj, mk = float((p * j).sum()), float((p * k).sum())
    if mj == 0 or T <= 0:
        return 1.0, 1.0
    further = k if graph.directed else k - 1
    a = _solve(lambda a: float((p * j / mj * (1 - T + T * a) ** further).sum()))
    if not graph.directed:
        return a, a
    b = _solve(lambda b: float((p * k / mk * (1 - T + T * b) ** j).sum()))
    return a, b


def _large_reach_share(graph: CSRGraph, T: float, visibility: float) -> float:
    """Fraction of the audience that sees a large cascade (tree-like theory).

    A user is reached when one of the accounts they follow is a sharer of the large
    cascade (probability ``1 - b`` each) and that share shows in their feed
    (``visibility``): ``1 - sum_jk p_jk (1 - visibility (1 - b))^j``.
    """
    if T * graph.degree_stats().excess <= 1:
        return 0.0
    _, b = _escape_probabilities(graph, T)
    j, _, p = _degree_pairs(graph)
    return max(0.0, 1.0 - float((p * (1 - visibility * (1 - b)) ** j).sum()))


def _mean_finite(graph: CSRGraph, T: float) -> float:
    """Mean sharers of a cascade that stays small, from one random seed, at any ``T``.

    With ``x = 1 - T + T a`` (``a``: a tie leads to no large cascade), the finite
    clusters have generating functions ``H1(z) = 1 - T + T z G1(H1(z))`` and
    ``H0(z) = z G0(H1(z))``, so their mean size is
    ``1 + T G0'(x) G1(x) / (G0(x) (1 - T G1'(x)))`` (Newman 2002, Sec. IV); below the
    threshold ``x = 1`` and this is ``1 + T <k> / (1 - K)``.
    """
    j, k, p = _degree_pairs(graph)
    mj = float((p * j).sum())
    if mj == 0 or T <= 0:
        return 1.0
    a, _ = _escape_probabilities(graph, T)
    x = 1 - T + T * a
    further = k if graph.directed else k - 1
    g0 = float((p * x**k).sum())
    g0p = float((p * k * x ** np.maximum(k - 1, 0)).sum())
    g1 = float((p * j / mj * x**further).sum())
    g1p = float((p * j / mj * further * x ** np.maximum(further - 1, 0)).sum())
    denom = g0 * (1 - T * g1p)
    return 1.0 + T * g0p * g1 / denom if denom > 0 else math.inf


def _small_reach(graph: CSRGraph, T: float, visibility: float, mean_small: float) -> float:
    """Mean reach of a cascade that stays small (tree-like theory, approximate above the
    threshold): the seed's followers plus each further sharer's further followers,
    each seen with probability ``visibility``."""
    stats = graph.degree_stats()
    if not math.isfinite(mean_small):
        return math.nan
    return visibility * (stats.mean_out + (mean_small - 1.0) * stats.excess)


def _seed_escape(graph: CSRGraph, scenario: Scenario, T: float) -> float:
    """Probability that none of the scenario's seeds starts a large cascade."""
    s = scenario.seeding
    if T * graph.degree_stats().excess <= 1:
        return 1.0
    if s["strategy"] == "random":
        th = percolation(graph, T)
        return (1.0 - th.p_large) ** int(s["k"])
    a, _ = _escape_probabilities(graph, T)
    ids = seed_sets(graph, s["strategy"], k=int(s["k"]), nodes=s["nodes"])[0]
    kout = graph.out_degree()[ids].astype(float)
    return float(np.prod((1 - T + T * a) ** kout))


def analytic_threshold(
    audience: Scenario | CSRGraph,
    param: str = "content.stickiness",
    *,
    scenario: Scenario | None = None,
    graph: CSRGraph | None = None,
    target: float = 0.5,
) -> AnalyticThreshold:
    """Critical value of one parameter from percolation theory on the audience.

    Parameters
    ----------
    audience : Scenario or CSRGraph
        A scenario (its audience is built unless ``graph`` is given) or an audience.
    param : str
        ``"content.stickiness"``, ``"content.contagion"``, ``"content.visibility"``,
        ``"seeding.k"``, or ``"transmissibility"`` (``T`` itself).
    scenario : Scenario, optional
        With a CSRGraph ``audience``: the content and seeding (default: the built-in
        scenario's).
    graph : CSRGraph, optional
        With a Scenario ``audience``: the audience already built from it.
    target : float
        For ``seeding.k``: the probability of a large cascade to reach.

    Returns
    -------
    AnalyticThreshold

    Raises
    ------
    ScenarioError
        ``param`` is not a scenario key, or not one a threshold exists for.

    Notes
    -----
    With generating functions over the audience's own (joint in/out) degree sequence,
    ``T_c = <k>/(<k^2> - <k>)`` for mutual ties and ``<k_in>/<k_in k_out>`` for
    follower arcs (Newman 2002; Newman, Strogatz & Watts 2001). The critical value of
    ``param`` is ``T_c`` over the product of the other two factors of ``T``. For
    ``seeding.k`` the threshold is not moved by the number of seeds: each random seed
    independently starts a large cascade with probability ``p``, so ``k`` seeds do with
    ``1 - (1 - p)^k``, and the critical ``k`` is the fewest seeds for which this
    reaches ``target``.

    Examples
    --------
    >>> from smmsim import generators
    >>> g = generators.erdos_renyi(10_000, 5.0, rng=1)
    >>> th = analytic_threshold(g, "transmissibility")
    >>> round(th.critical * g.degree_stats().mean, 2)   # T_c = 1 / z
    1.0
    """
    sc, g, param = _resolve(audience, scenario, graph, param)
    content = _content(sc)
    T = content["visibility"] * content["stickiness"] * content["contagion"]
    th = percolation(g, T)
    Tc = th.critical
    current = _current(content, param, sc)
    if param == "seeding.k":
        if not 0 < target < 1:
            raise ThresholdError(f"seeding.k: target must be a probability in (0, 1), got {target}")
        p = th.p_large
        critical = None
        if p > 0:
            critical = float(max(1, math.ceil(math.log1p(-target) / math.log1p(-p))))
        reachable = critical is not None and critical <= g.n
    else:
        other = _other_factor(content, param)
        critical = Tc / other if other > 0 and math.isfinite(Tc) else None
        reachable = critical is not None and critical <= 1.0
    vis = content["visibility"]
    small = th.mean_small if not th.viral else _mean_finite(g, T)
    return AnalyticThreshold(
        param=param,
        current=float(current),
        critical=critical,
        reachable=bool(reachable),
        critical_transmissibility=Tc,
        transmissibility=T,
        k_factor=th.k_factor,
        viral=th.viral,
        p_large=th.p_large,
        p_large_seeds=1.0 - _seed_escape(g, sc, T),
        large_share=th.large_share,
        large_sharers=th.large_share * g.n,
        large_reach=_large_reach_share(g, T, vis) * g.n,
        mean_small=small,
        mean_small_reach=_small_reach(g, T, vis, small),
        target=target if param == "seeding.k" else None,
    )
