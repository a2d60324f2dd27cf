"""Continuous-time SIR (``model: sir``): exact against a slow reference, against theory,
reproducible for any thread count and batching, and distributed like EoN's fast_SIR.

Theory tolerances are 4 standard errors of the Monte Carlo estimate, plus, for the size
of a large cascade, 2 / sqrt(n) for the finite-size fluctuation of the giant cluster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from kernel_helpers import dense_of, traced
from reference import _mean_tree_distance
from sir_reference import sir_reference

from smmsim import generators
from smmsim._kernels import driver
from smmsim._kernels import ledger as L
from smmsim._kernels import sir as kernel
from smmsim.cli import cli
from smmsim.graph import CSRGraph
from smmsim.models import MODELS
from smmsim.models.base import COUNT_COLUMNS, SERIES_COLUMNS
from smmsim.models.sir import SIR
from smmsim.scenario import ScenarioError, default_scenario, load_scenario
from smmsim.simulate import simulate
from smmsim.theory import critical_transmissibility, percolation
from smmsim.theory.sir import p_large_outbreak

ROOT = np.uint64(0x5EED_CAFE_F00D_1234)
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def small_graph(n: int, m: int, directed: bool, seed: int) -> CSRGraph:
    rng = np.random.default_rng(seed)
    return CSRGraph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n, directed=directed)


def sir_args(g, params):
    return g.indptr, g.indices, np.array(params[:5], dtype=np.float64)


def kernel_trace(g, seeds, *args):
    """One recorded replicate through the driver: ``(nodes, flags, referrer, first_time,
    order, parent, counts, series, virality)``; ``args`` are the five parameters, steps,
    root and replicate."""
    params, (steps, root, replicate) = args[:5], args[5:]
    return traced(kernel, sir_args(g, params), seeds, steps, root, replicate, g.n)


def kernel_ensemble(g, seeds, *args):
    """``(counts, virality, series, active)`` through the driver; ``args`` are the five
    parameters, steps, root, first replicate, replicates and workers."""
    params, (steps, root, first, n_reps, chunks) = args[:5], args[5:]
    ledger = driver.ensemble(
        kernel, sir_args(g, params), seeds, root, first, n_reps, steps, chunks, g.n
    )
    return (
        ledger.counts,
        ledger.virality,
        dense_of(ledger, steps),
        ledger.used,
    )


# ---------------------------------------------------------------- exact: kernel == reference

PARAMS = [
    # beta, gamma, dt, conversion, conversion_referred, steps
    (0.8, 0.5, 0.7, 0.2, 0.5, 8),  # cut by the horizon: pending sharers
    (2.0, 1.0, 0.25, 0.0, 0.0, 60),  # runs to its end
    (0.3, 2.0, 1.0, 1.0, 1.0, 5),  # below threshold; everyone reached buys
    (5.0, 0.1, 0.05, 0.5, 1.0, 3),  # a short horizon: most sharers pending
    (1.0, 1.0, 100.0, 0.1, 0.3, 1),  # one bin
    (1.5, 0.4, 0.3, 0.0, 0.4, 12),  # only referred users convert
]


def sir_trace(g, seeds, params, replicate):
    beta, gamma, dt, conv, conv_ref, steps = params
    got = kernel_trace(g, seeds, beta, gamma, dt, conv, conv_ref, steps, ROOT, replicate)
    ref = sir_reference(
        g.indptr, g.indices, seeds, beta, gamma, dt, conv, conv_ref, steps, int(ROOT), replicate
    )
    return got, ref


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("replicate", [0, 7])
def test_kernel_matches_reference(directed, params, replicate):
    g = small_graph(60, 150, directed, seed=replicate + 3)
    seeds = np.array([0, 5, 5, 17], dtype=np.int64)  # a repeated seed counts once
    got, ref = sir_trace(g, seeds, params, replicate)
    nodes, flags, referrer, first_time, order, parent, counts, series, sv = got

    names = dict(zip(COUNT_COLUMNS, range(len(COUNT_COLUMNS)), strict=True))
    names["pending"] = names.pop("pending_shares")
    for name, col in names.items():
        assert counts[col] == ref[name], name
    # the grid: every event in the bin of its time, nothing after the horizon
    np.testing.assert_array_equal(series, np.array(ref["series"]))
    assert order.tolist() == ref["shared"]
    assert sv == pytest.approx(_mean_tree_distance(ref["shared"], ref["parent"]), rel=1e-12)
    # who started sharing when, and because of whom
    by_pos = [None if p < 0 else int(order[p]) for p in parent]
    assert dict(zip(order.tolist(), by_pos, strict=True)) == ref["parent"]
    assert dict(zip(nodes.tolist(), first_time.tolist(), strict=True)) == ref["start"]
    expect_ref = [-1 if ref["parent"][v] is None else ref["parent"][v] for v in nodes.tolist()]
    assert referrer.tolist() == expect_ref
    assert {int(v) for v, f in zip(nodes, flags, strict=True) if f & L.CONVERTED} == ref[
        "converted"
    ]
    assert {int(v) for v, f in zip(nodes, flags, strict=True) if f & L.REFERRED} == ref["referred"]


@pytest.mark.parametrize("directed", [False, True])
def test_kernel_matches_reference_on_a_deep_queue(directed):
    """Thousands of users waiting at once: the heap's ordering over many levels."""
    g = small_graph(3000, 12_000, directed, seed=21)
    seeds = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=np.int64)
    params = (1.2, 1.0, 0.2, 0.05, 0.1, 40)
    got, ref = sir_trace(g, seeds, params, 4)
    _nodes, _flags, _referrer, _first, order, _parent, counts, series, _sv = got
    assert counts[L.C_SHARES] > 1000  # a large outbreak
    assert order.tolist() == ref["shared"]
    np.testing.assert_array_equal(series, np.array(ref["series"]))
    assert counts[L.C_IMPRESSIONS] == ref["impressions"]
    assert counts[L.C_PENDING] == ref["pending"]


def test_reference_cases_cover_horizon_and_conversions():
    """The parameter sets above exercise pending sharers, conversions and several bins."""
    g = small_graph(60, 150, True, seed=3)
    seeds = np.array([0, 5, 17], dtype=np.int64)
    pending = conversions = busy_bins = 0
    for params in PARAMS:
        _, ref = sir_trace(g, seeds, params, 0)
        pending += ref["pending"]
        conversions += ref["conversions"]
        busy_bins = max(busy_bins, sum(1 for row in ref["series"] if any(row)))
    assert pending > 0 and conversions > 0 and busy_bins > 3


def test_series_add_up_to_counts():
    g = small_graph(400, 1600, False, seed=5)
    seeds = np.array([[1, 2, 3]], dtype=np.int64)
    counts, _, series, active = kernel_ensemble(
        g, seeds, 0.6, 1.0, 0.5, 0.3, 0.6, 30, ROOT, 0, 20, 1
    )
    c = {name: counts[:, i] for i, name in enumerate(COUNT_COLUMNS)}
    s = {name: series[:, :, i].sum(axis=1) for i, name in enumerate(SERIES_COLUMNS)}
    for name in SERIES_COLUMNS:
        assert (s[name] == c[name]).all(), name
    assert (c["reach"] == c["shares"] - c["seeds"]).all()
    assert (c["earned_reach"] <= c["reach"]).all()
    assert (c["paid_impressions"] <= c["impressions"]).all()
    # the engine reads only the leading bins that hold events
    for r in range(len(active)):
        assert series[r, active[r] - 1].any() and not series[r, active[r] :].any()


# ---------------------------------------------------------------- reproducibility


def test_ensemble_matches_trace_for_any_threads_and_batches():
    g = small_graph(500, 2000, True, seed=11)
    seeds = np.array([[3, 9]], dtype=np.int64)
    args = (1.2, 1.0, 0.5, 0.1, 0.2, 25, ROOT)
    one = kernel_ensemble(g, seeds, *args, 0, 12, 1)
    for chunks in (2, 3, 12):
        other = kernel_ensemble(g, seeds, *args, 0, 12, chunks)
        for a, b in zip(one, other, strict=True):
            np.testing.assert_array_equal(a, b)
    first = kernel_ensemble(g, seeds, *args, 0, 5, 2)
    rest = kernel_ensemble(g, seeds, *args, 5, 7, 1)
    for a, b, c in zip(one, first, rest, strict=True):
        np.testing.assert_array_equal(a, np.concatenate([b, c]))
    for r in (0, 6, 11):
        t = kernel_trace(g, seeds[0], *args[:6], ROOT, r)
        np.testing.assert_array_equal(t[6], one[0][r])
        np.testing.assert_array_equal(t[7], one[2][r])
        assert t[8] == one[1][r]


def test_model_run_and_trace_agree():
    g = small_graph(400, 1600, False, seed=5)
    m = SIR(beta=0.6, gamma=1.0, dt=0.5, conversion=0.3, referral_multiplier=2.0)
    seeds = np.array([[1, 2, 3]], dtype=np.int64)
    raw = m.run(g, seeds, 0, 6, 30, ROOT, threads=1)
    assert raw.active_steps == max(
        int(np.nonzero(raw.series[r].any(axis=1))[0].max()) + 1 for r in range(6)
    )
    col = COUNT_COLUMNS.index
    tr = m.trace(g, seeds[0], 30, ROOT, 4)
    assert tr["shared"].sum() == raw.counts[4, col("shares")]
    assert tr["converted"].sum() == raw.counts[4, col("conversions")]
    assert tr["seed"].sum() == 3 and (tr["referrer"][tr["seed"]] == -1).all()
    np.testing.assert_array_equal(tr["first_step"], np.floor(tr["first_time"] / 0.5))
    # parents start sharing before their children
    assert (tr["sharer_parent"] < np.arange(len(tr["sharers"]))).all()


def sir_scenario(beta, gamma, k=1, dt=10.0, steps=200, **extra):
    """One random seed (``k``), a horizon long enough for every cascade to end."""
    return default_scenario().with_overrides(
        {
            "model": "sir",
            "sir.beta": beta,
            "sir.gamma": gamma,
            "sir.dt": dt,
            "seeding.k": k,
            "simulation.steps": steps,
            **extra,
        }
    )


def test_simulate_is_thread_independent():
    g = generators.barabasi_albert(3000, 3, rng=2)
    sc = sir_scenario(0.2, 1.0, k=3, dt=0.5, steps=40)
    a = simulate(sc, graph=g, runs=40, rng=9, threads=1, progress=False)
    b = simulate(sc, graph=g, runs=40, rng=9, threads=2, progress=False)
    assert a.runs.equals(b.runs)
    assert a.timeseries.equals(b.timeseries)


# ---------------------------------------------------------------- theory


def rates_for(graph, K, gamma=1.0):
    """``beta`` giving ``K = T x excess`` with ``T = beta / (beta + gamma)``."""
    T = K * critical_transmissibility(graph)
    return T * gamma / (1 - T), gamma


@pytest.fixture(scope="module")
def er():
    return generators.erdos_renyi(20_000, 4.0, rng=7)


@pytest.fixture(scope="module")
def er_directed():
    return generators.erdos_renyi(20_000, 4.0, directed=True, rng=8)


@pytest.fixture(scope="module")
def scale_free():
    return generators.powerlaw(20_000, 2.6, min_degree=2, max_degree=141, rng=9)


def test_no_transmission_pgf_against_quadrature():
    """``E[(1 - p(D) + p(D) y)^k]`` with ``D ~ Exp(gamma)``, by the midpoint rule in u."""
    beta, gamma = 0.7, 1.3
    u = (np.arange(200_000) + 0.5) / 200_000  # D = -log(u) / gamma
    p = 1 - u ** (beta / gamma)
    out = np.empty(41)
    for y in (0.0, 0.3, 0.9):
        kernel.no_transmission_pgf(y, gamma / beta, 40, out)
        for k in (0, 1, 5, 40):
            assert out[k] == pytest.approx(np.mean((1 - p + p * y) ** k), rel=1e-6)
    kernel.no_transmission_pgf(0.0, gamma / beta, 40, out)
    assert out[7] == pytest.approx(gamma / (gamma + 7 * beta), rel=1e-12)


def test_theory_keys_and_correlated_outbreak_probability(er):
    beta, gamma = rates_for(er, 1.8)
    th = SIR(beta, gamma, 1.0, 0.02, 2.0).theory(er, 3)
    bond = percolation(er, beta / (beta + gamma))
    assert th["transmissibility"] == pytest.approx(beta / (beta + gamma))
    assert th["k_factor"] == pytest.approx(1.8)
    assert th["large_share"] == bond.large_share
    assert th["p_large_bond_one_seed"] == bond.p_large
    # one sharer's ties share its interest span: fewer large outbreaks than bond percolation
    assert 0 < th["p_large_one_seed"] < bond.p_large
    # p_large answers for the seeding: here 3 random seeds
    assert th["p_large"] == pytest.approx(1 - (1 - th["p_large_one_seed"]) ** 3)
    assert "T = beta/(beta+gamma)" in th["verdict"]
    # below threshold: no large outbreak
    below = SIR(*rates_for(er, 0.8), 1.0, 0.02, 2.0).theory(er, 1)
    assert below["p_large"] == 0.0 and "below threshold" in below["verdict"]
    # spreading much faster than interest fades: nearly every tie transmits whatever the
    # span, so the correlation between one sharer's ties vanishes (bond percolation)
    T = 1e3 / (1e3 + 1.0)
    assert p_large_outbreak(er, 1e3, 1.0) == pytest.approx(percolation(er, T).p_large, abs=2e-3)


@pytest.mark.parametrize(
    ("graph_name", "K", "runs"),
    [("er", 1.8, 800), ("er_directed", 1.8, 800), ("scale_free", 3.5, 1200)],
)
def test_large_outbreaks_match_theory(graph_name, K, runs, request):
    """Single seed: outbreak probability (EPN) and size (bond percolation).

    On the scale-free audience a large outbreak is rarer, so K and the run count are
    higher: enough that 4 standard errors separate the SIR and bond-percolation values.
    """
    graph = request.getfixturevalue(graph_name)
    beta, gamma = rates_for(graph, K)
    th = percolation(graph, beta / (beta + gamma))
    p_sir = p_large_outbreak(graph, beta, gamma)
    res = simulate(sir_scenario(beta, gamma), graph=graph, runs=runs, rng=1, progress=False)
    assert (res.runs["pending_shares"] == 0).all()  # every cascade ran to its end
    size = res.runs["shares"].to_numpy()
    large = size > 0.2 * th.large_share * graph.n
    p = large.mean()
    se = np.sqrt(p_sir * (1 - p_sir) / runs)
    assert abs(p - p_sir) < 4 * se, (p, p_sir, se)
    # the test can tell the SIR value from the bond-percolation one
    assert abs(th.p_large - p_sir) > 4 * se
    frac = size[large] / graph.n
    tol = 4 * frac.std(ddof=1) / np.sqrt(large.sum()) + 2 / np.sqrt(graph.n)
    assert abs(frac.mean() - th.large_share) < tol, (frac.mean(), th.large_share, tol)


@pytest.mark.parametrize("graph_name", ["er", "scale_free"])
def test_small_outbreaks_below_threshold(graph_name, request):
    """K = 0.6: the mean number of sharers is ``1 + T <k> / (1 - K)`` (linear in T)."""
    graph = request.getfixturevalue(graph_name)
    beta, gamma = rates_for(graph, 0.6)
    th = percolation(graph, beta / (beta + gamma))
    runs = 4000
    res = simulate(sir_scenario(beta, gamma), graph=graph, runs=runs, rng=2, progress=False)
    size = res.runs["shares"].to_numpy()
    assert (res.runs["pending_shares"] == 0).all()
    assert size.max() < 0.05 * graph.n
    se = size.std(ddof=1) / np.sqrt(runs)
    assert abs(size.mean() - th.mean_small) < 4 * se, (size.mean(), th.mean_small, se)


# ---------------------------------------------------------------- against EoN


def test_final_size_distribution_matches_eon():
    """Same graph, rates and seeds as EoN.fast_SIR: two-sample KS test and means."""
    EoN = pytest.importorskip("EoN")
    stats = pytest.importorskip("scipy.stats")
    g = generators.erdos_renyi(800, 5.0, rng=3)
    beta, gamma = 0.5, 1.0  # T = 1/3, K about 1.7
    seeds = [4, 500]
    runs = 400
    sc = sir_scenario(beta, gamma, k=2, **{"seeding.strategy": "nodes", "seeding.nodes": seeds})
    ours = simulate(sc, graph=g, runs=runs, rng=5, progress=False).runs
    assert (ours["pending_shares"] == 0).all()
    ours = ours["shares"].to_numpy()
    G = g.to_networkx()
    rng = np.random.default_rng(5)
    theirs = np.empty(runs)
    for r in range(runs):
        _t, _S, infected, recovered = EoN.fast_SIR(G, beta, gamma, initial_infecteds=seeds, rng=rng)
        theirs[r] = infected[-1] + recovered[-1]
    # p < 6.3e-5 is a 4-sigma event
    assert stats.ks_2samp(ours, theirs).pvalue > 6.3e-5
    se = np.hypot(ours.std(ddof=1), theirs.std(ddof=1)) / np.sqrt(runs)
    assert abs(ours.mean() - theirs.mean()) < 4 * se, (ours.mean(), theirs.mean(), se)


# ---------------------------------------------------------------- scenarios, validation, CLI


def test_registered_with_its_section():
    assert MODELS["sir"] is SIR
    sc = default_scenario().with_overrides({"model": "sir"})
    assert sc.data["sir"] == {name: p.default for name, p in SIR.params.items()}
    m = SIR.from_scenario(sc)
    assert m.transmissibility == pytest.approx(m.beta / (m.beta + m.gamma))


def test_shipped_scenario_runs():
    sc = load_scenario(SCENARIOS / "sir_breaking_news.yaml")
    assert sc.data["model"] == "sir"
    res = simulate(sc, runs=40, progress=False)
    assert len(res.runs) == 40
    assert (res.runs["shares"] >= res.runs["seeds"]).all()
    assert res.theory["transmissibility"] == pytest.approx(0.008 / 0.508)
    assert res.timeseries["step"].max() < sc.simulation["steps"]
    result = CliRunner().invoke(
        cli, ["run", str(SCENARIOS / "sir_breaking_news.yaml"), "--runs", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "Reach" in result.output and "Went viral" in result.output


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("sir: {beta: 0}\n", "sir.beta"),
        ("sir: {gamma: -1}\n", "sir.gamma"),
        ("sir: {dt: fast}\n", "sir.dt"),
        ("sir: {bta: 0.2}\n", "sir.bta"),
        ("sir: {beta: .inf}\n", "sir.beta"),
    ],
)
def test_bad_values_exit_2_with_one_line(tmp_path, text, needle):
    path = tmp_path / "s.yaml"
    path.write_text("model: sir\n" + text)
    with pytest.raises(ScenarioError, match=needle):
        load_scenario(path)
    result = CliRunner().invoke(cli, ["run", str(path)])
    assert result.exit_code == 2, result.output
    text_out = result.output.strip()
    assert "Traceback" not in text_out and len(text_out.splitlines()) == 1
    assert needle in text_out
