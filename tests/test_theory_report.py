"""Theory in the run report: the scenario's own seeds, the same events, and named caveats.

Configuration-model audiences (Erdős-Rényi and a power law) have no clustering, so
percolation theory should hold there within Monte Carlo error; a clustered small world
should be named as such in the report. Tolerances are 4 standard errors.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from smmsim import generators
from smmsim.reporting.report import format_report
from smmsim.reporting.theory_lines import large_cascade_cut
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from smmsim.theory import Seeding, critical_transmissibility, seeded_cascades
from smmsim.theory.structure import measure_structure


@pytest.fixture(scope="module")
def er():
    return generators.erdos_renyi(20_000, 4.0, rng=7)


@pytest.fixture(scope="module")
def scale_free():
    return generators.powerlaw(20_000, 2.6, min_degree=2, max_degree=141, rng=9)


def run(graph, K, seeding, runs=800, rng=5, **extra):
    T = K * critical_transmissibility(graph)
    sc = default_scenario().with_overrides(
        {
            "content.visibility": T,
            "content.stickiness": 1.0,
            "content.contagion": 1.0,
            "simulation.steps": 10_000,
            "audience.n": graph.n,
            **seeding,
            **extra,
        }
    )
    return simulate(sc, graph=graph, runs=runs, rng=rng)


def large_fraction(res):
    th = res.theory
    cut = large_cascade_cut(th["expected_small"], th["large_size"])
    assert cut is not None
    return float((res.runs["shares"].to_numpy() >= cut).mean())


def low_degree_nodes(graph, degree, count):
    return np.flatnonzero(graph.out_degree() == degree)[:count].tolist()


@pytest.mark.parametrize(
    ("graph_name", "K", "kind"),
    [
        ("er", 1.3, "top_degree"),
        ("er", 1.3, "nodes"),
        ("scale_free", 1.6, "top_degree"),
        ("scale_free", 1.6, "nodes"),
    ],
)
def test_large_cascades_from_the_scenarios_seeds_match_theory(graph_name, K, kind, request):
    graph = request.getfixturevalue(graph_name)
    if kind == "top_degree":
        seeding = {"seeding.strategy": "top_degree", "seeding.k": 2 if graph_name == "er" else 1}
    else:
        seeding = {"seeding.strategy": "nodes", "seeding.nodes": low_degree_nodes(graph, 3, 4)}
    runs = 800
    res = run(graph, K, seeding, runs=runs)
    assert (res.runs["pending_shares"] == 0).all()  # every cascade ran to its end
    p = res.theory["p_large"]
    se = np.sqrt(p * (1 - p) / runs)
    assert abs(large_fraction(res) - p) < 4 * se, (large_fraction(res), p, se)
    text = format_report(res)
    assert f"theory {p:.1%} from " in text and "Large cascade (theory's event" in text


def test_small_cascades_from_listed_seeds_match_the_tree_approximation(scale_free):
    # below threshold every cascade is small: the mean number of sharers is theory's
    # (seeds far apart: the tree approximation ignores overlaps between their cascades)
    nodes = low_degree_nodes(scale_free, 5, 4)
    runs = 3000
    res = run(scale_free, 0.6, {"seeding.strategy": "nodes", "seeding.nodes": nodes}, runs)
    shares = res.runs["shares"].to_numpy()
    se = shares.std(ddof=1) / np.sqrt(runs)
    expected = res.theory["expected_small"]
    assert abs(shares.mean() - expected) < 4 * se, (shares.mean(), expected, se)
    assert res.theory["p_large"] == 0.0


def test_hub_seeds_change_the_large_cascade_probability(scale_free):
    T = 1.6 * critical_transmissibility(scale_free)
    hub = Seeding("top_degree", 1, np.argsort(-scale_free.out_degree(), kind="stable")[:1])
    seeded = seeded_cascades(scale_free, T, hub)
    random_one = seeded_cascades(scale_free, T, 1)
    assert random_one.p_large == pytest.approx(seeded.p_large_one_seed)
    assert seeded.p_large > 5 * random_one.p_large  # a hub is no random user
    res = run(scale_free, 1.6, {"seeding.strategy": "top_degree", "seeding.k": 1}, runs=4)
    assert res.theory["p_large"] == pytest.approx(seeded.p_large)
    assert res.theory["p_large_one_seed"] == pytest.approx(random_one.p_large)
    assert "the top-degree account" in res.theory["seeding_text"]


def test_decay_gives_an_expected_size_that_matches_simulation(er):
    # below threshold from launch, halving every 3 steps: tree approximation holds
    runs = 3000
    res = run(er, 0.9, {"seeding.k": 5}, runs=runs, **{"content.half_life": 3.0})
    th = res.theory
    assert th["decay"] and th["p_large"] == 0.0
    shares = res.runs["shares"].to_numpy()
    se = shares.std(ddof=1) / np.sqrt(runs)
    assert abs(shares.mean() - th["expected_sharers"]) < 4 * se, (shares.mean(), th, se)
    text = format_report(res)
    assert "by the edge-based compartmental model with T falling each step" in text
    assert "upper bound" not in text and "lower bound" not in text
    # above threshold at launch: the report says why there is no large-cascade figure
    above = run(er, 1.5, {"seeding.k": 5}, runs=20, **{"content.half_life": 3.0})
    assert above.theory["below_threshold_step"] == 2
    assert "Novelty decay halves T every 3 steps and K is at most 1 from step 2 on" in (
        format_report(above)
    )


def test_decay_above_threshold_at_launch_matches_the_compartmental_model(er):
    # K = 2.5 at launch, halving every 4 steps: cascades take off, then run out of
    # users and of novelty; the tree approximation would overshoot, this should not
    runs = 1000
    res = run(er, 2.5, {"seeding.k": 10}, runs=runs, rng=3, **{"content.half_life": 4.0})
    shares = res.runs["shares"].to_numpy()
    se = shares.std(ddof=1) / np.sqrt(runs)
    expected = res.theory["expected_sharers"]
    assert abs(shares.mean() - expected) < 4 * se, (shares.mean(), expected, se)
    assert res.theory["p_large"] == 0.0 and res.theory["below_threshold_step"] == 6


def test_caveats_name_a_clustered_small_world_and_not_a_configuration_model(er):
    small_world = default_scenario().with_overrides(
        {
            "audience.generator": "watts_strogatz",
            "audience.n": 2000,
            "audience.mean_degree": 6,
            "audience.rewire": 0.1,
            "audience.rng_seed": 3,
            "simulation.runs": 20,
        }
    )
    text = format_report(simulate(small_world, rng=1))
    assert "Where theory's assumptions do not hold here:" in text
    assert "The audience is clustered: transitivity 0.4" in text
    assert "The audience is small (2,000 users)" in text

    plain = format_report(run(er, 1.3, {"seeding.k": 3}, runs=20))
    assert "clustered" not in plain and "correlated" not in plain and "is small" not in plain
    assert "Went viral (earned sharers >= 200, 1% of 20,000 users)" in plain


def test_structure_estimates_match_exact_values():
    g = generators.watts_strogatz(3000, 8, 0.2, rng=4)
    st = measure_structure(g)
    G = g.to_networkx()
    assert abs(st.transitivity - nx.transitivity(G)) < 4 * st.transitivity_se
    ba = generators.barabasi_albert(3000, 3, rng=5)
    sa = measure_structure(ba)
    exact = nx.degree_assortativity_coefficient(ba.to_networkx())
    assert abs(sa.assortativity - exact) < 4 * max(sa.assortativity_se, 1e-9)
    assert measure_structure(ba) is sa  # cached on the graph
    # two ties out, by brute force over the friendships
    d = dict(ba.to_networkx().degree())
    pairs = [(d[u] - 1, d[v] - 1) for u, v in ba.to_networkx().edges()]
    pairs += [(b, a) for a, b in pairs]
    brute = sum(a * b for a, b in pairs) / sum(a for a, _ in pairs)
    assert sa.neighbour_excess == pytest.approx(brute, rel=1e-12)


def test_neighbour_excess_is_the_mean_excess_without_degree_correlations(er):
    st = measure_structure(er)
    assert st.neighbour_excess == pytest.approx(er.degree_stats().excess, rel=0.03)
