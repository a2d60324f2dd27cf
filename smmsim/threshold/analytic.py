"""The analytic virality threshold of a scenario's parameter: :func:`analytic_threshold`.

The theory itself (bond percolation on the audience's degree sequence) is in
:mod:`smmsim.theory`; this module reads the scenario and states the answer.
"""

from __future__ import annotations

import math

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.scenario import Scenario
from smmsim.seeding import seed_sets
from smmsim.theory.bond_percolation import percolation
from smmsim.theory.virality import (
    escape_probabilities,
    large_reach_share,
    mean_small_cascade,
    small_cascade_reach,
)
from smmsim.threshold._inputs import (
    ThresholdError,
    _content,
    _current,
    _other_factor,
    _resolve,
)
from smmsim.threshold.result import AnalyticThreshold


def _seed_escape(graph: CSRGraph, scenario: Scenario, T: float) -> float:
    """Probability that none of the scenario's seeds starts a large cascade."""
    s = scenario.seeding
    if T * graph.degree_stats().excess <= 1:
        return 1.0
    if s["strategy"] == "random":
        th = percolation(graph, T)
        return (1.0 - th.p_large) ** int(s["k"])
    a, _ = escape_probabilities(graph, T)
    if s["strategy"] == "optimize":
        from smmsim.influence import choose_seeds

        ids = choose_seeds(scenario, graph=graph).nodes
    else:
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
    small = th.mean_small if not th.viral else mean_small_cascade(g, T)
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
        large_reach=large_reach_share(g, T, vis) * g.n,
        mean_small=small,
        mean_small_reach=small_cascade_reach(g, T, vis, small),
        target=target if param == "seeding.k" else None,
    )
