"""Probability of a large cascade and mean reach across values of one parameter:
:func:`threshold_scan`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from smmsim.graph import CSRGraph
from smmsim.rng import RandomLike, root_key, scenario_seed
from smmsim.scenario import Scenario
from smmsim.theory.bond_percolation import percolation
from smmsim.theory.virality import large_reach_share, mean_small_cascade, small_cascade_reach
from smmsim.threshold._cascades import _large_cutoff, _model, _one_seed_cascades, _wilson
from smmsim.threshold._inputs import _SCAN_STREAM, _content, _resolve


def threshold_scan(
    audience: Scenario | CSRGraph,
    param: str,
    values: Sequence[float],
    *,
    scenario: Scenario | None = None,
    graph: CSRGraph | None = None,
    runs: int = 200,
    rng: RandomLike = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Probability of a large cascade and mean reach at each value of ``param``.

    Cascades start from one random seed without novelty decay and run to their end,
    with the scenario's other content parameters. A cascade is large when its sharers
    reach ``n^(2/3)`` (or half the theoretical large cascade, if smaller).

    Returns
    -------
    pandas.DataFrame
        One row per value: ``param``, ``value``, ``transmissibility``, ``k_theory``,
        ``runs``, ``cutoff``, ``p_large`` with its 95% Wilson interval
        (``p_large_low``, ``p_large_high``), ``mean_sharers``, ``mean_reach`` and
        ``mean_reach_se``, and theory's ``theory_p_large`` and ``theory_mean_reach``.
    """
    sc, g, param = _resolve(audience, scenario, graph, param, seeds=False)
    seed = scenario_seed(sc, rng)
    content = _content(sc)
    name = param.split(".", 1)[1] if param != "transmissibility" else None
    excess = g.degree_stats().excess
    rows = []
    for i, x in enumerate(values):
        x = float(x)
        c = dict(content)
        if name is None:
            c = {"visibility": x, "stickiness": 1.0, "contagion": 1.0}
        else:
            c[name] = x
        T = c["visibility"] * c["stickiness"] * c["contagion"]
        cutoff = _large_cutoff(g)
        model = _model(c["visibility"], c["stickiness"], c["contagion"])
        sizes, reach = _one_seed_cascades(
            g, model, runs, root_key(seed, _SCAN_STREAM, i), steps=1024, threads=threads
        )
        hits = int((sizes >= cutoff).sum())
        lo, hi = _wilson(hits, runs)
        th = percolation(g, T)
        small = small_cascade_reach(g, T, c["visibility"], mean_small_cascade(g, T))
        large = large_reach_share(g, T, c["visibility"]) * g.n
        th_reach = th.p_large * large + (1 - th.p_large) * small
        rows.append(
            {
                "param": param,
                "value": x,
                "transmissibility": T,
                "k_theory": T * excess,
                "runs": runs,
                "cutoff": cutoff,
                "p_large": hits / runs,
                "p_large_low": lo,
                "p_large_high": hi,
                "mean_sharers": float(sizes.mean()),
                "mean_reach": float(reach.mean()),
                "mean_reach_se": float(reach.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0,
                "theory_p_large": th.p_large,
                "theory_mean_reach": th_reach,
            }
        )
    return pd.DataFrame(rows)


def _scan_values(center: float, current: float, lo: float, hi: float, count: int = 11):
    """Values around ``center`` (0.5x to 2x, geometric), within [lo, hi], plus ``current``."""
    if not (np.isfinite(center) and center > 0):
        center = current
    vals = center * np.geomspace(0.5, 2.0, count)
    vals = vals[(vals >= lo) & (vals <= hi) & (vals > 0)]
    if vals.size < 4:
        vals = np.linspace(max(lo, hi / count), hi, count)
    if lo <= current <= hi and current > 0:
        vals = np.append(vals, current)
    return np.unique(np.round(vals, 12))
