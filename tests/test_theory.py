"""The default model against percolation theory (Newman 2002) on the engine's own audiences.

Without novelty decay the sharers of a one-seed cascade are the seed's cluster in bond
percolation with T = visibility x stickiness x contagion. Tolerances are 4 standard
errors of the Monte Carlo estimate.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from smmsim import generators
from smmsim.graph import CSRGraph
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from smmsim.theory import critical_transmissibility, percolation


def one_seed_cascades(graph, T, runs, rng=1):
    sc = default_scenario().with_overrides(
        {
            "content.visibility": T,
            "content.stickiness": 1.0,
            "content.contagion": 1.0,
            "seeding.k": 1,
            "simulation.steps": 10_000,
        }
    )
    res = simulate(sc, graph=graph, runs=runs, rng=rng)
    assert (res.runs["pending_shares"] == 0).all()  # every cascade ran to its end
    return res.runs["shares"].to_numpy()


@pytest.fixture(scope="module")
def er():
    return generators.erdos_renyi(20_000, 4.0, rng=7)


@pytest.fixture(scope="module")
def er_directed():
    return generators.erdos_renyi(20_000, 4.0, directed=True, rng=8)


@pytest.fixture(scope="module")
def scale_free():
    return generators.powerlaw(20_000, 2.6, min_degree=2, max_degree=141, rng=9)


def test_closed_forms_on_erdos_renyi(er):
    z = er.degree_stats().mean
    assert critical_transmissibility(er) == pytest.approx(1 / z, rel=0.02)
    th = percolation(er, 0.4)
    # S = 1 - exp(-z T S) for Poisson degrees
    S = th.large_share
    assert S == pytest.approx(1 - np.exp(-z * 0.4 * S), abs=0.01)


@pytest.mark.parametrize("graph_name", ["er", "er_directed", "scale_free"])
def test_large_cascades_match_percolation(graph_name, request):
    graph = request.getfixturevalue(graph_name)
    T = 1.6 * critical_transmissibility(graph)  # K = 1.6: clearly viral
    th = percolation(graph, T)
    runs = 800
    size = one_seed_cascades(graph, T, runs)
    large = size > 0.2 * th.large_share * graph.n
    # probability that one seed starts a large cascade
    p = large.mean()
    se = np.sqrt(th.p_large * (1 - th.p_large) / runs)
    assert abs(p - th.p_large) < 4 * se, (p, th.p_large, se)
    # size of a large cascade: fraction of the audience that shares
    frac = size[large] / graph.n
    se_frac = frac.std(ddof=1) / np.sqrt(large.sum())
    # finite-size fluctuations of the giant cluster are O(1/sqrt(n)): allow them too
    tol = 4 * se_frac + 2 / np.sqrt(graph.n)
    assert abs(frac.mean() - th.large_share) < tol, (frac.mean(), th.large_share, tol)


@pytest.mark.parametrize("graph_name", ["er", "scale_free"])
def test_small_cascades_below_threshold_match_mean_cluster_size(graph_name, request):
    graph = request.getfixturevalue(graph_name)
    T = 0.5 * critical_transmissibility(graph)  # K = 0.5
    th = percolation(graph, T)
    runs = 4000
    size = one_seed_cascades(graph, T, runs, rng=3)
    se = size.std(ddof=1) / np.sqrt(runs)
    assert abs(size.mean() - th.mean_small) < 4 * se, (size.mean(), th.mean_small, se)
    assert not th.viral and th.p_large == 0


def test_theory_is_monotone_in_transmissibility(scale_free):
    Tc = critical_transmissibility(scale_free)
    values = [percolation(scale_free, f * Tc).large_share for f in (0.9, 1.2, 1.5, 2.0, 3.0)]
    assert values[0] == 0
    assert all(b > a for a, b in pairwise(values[1:]))


@pytest.mark.parametrize("directed", [False, True])
def test_percolation_at_t_one_with_isolated_users_is_the_limit(directed):
    """Users with no ties carry no weight in the generating functions, even at T = 1."""
    g = CSRGraph.from_edges(
        np.array([0, 1, 2, 0, 3]), np.array([1, 2, 0, 3, 4]), n=8, directed=directed
    )
    at_one = percolation(g, 1.0)
    near = percolation(g, 1.0 - 1e-9)
    assert np.isfinite(at_one.p_large) and np.isfinite(at_one.large_share)
    assert at_one.p_large == pytest.approx(near.p_large, abs=1e-6)
    assert at_one.large_share == pytest.approx(near.large_share, abs=1e-6)
