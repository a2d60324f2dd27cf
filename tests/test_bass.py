"""The Bass model: kernel against the slow reference, theory on a complete graph, the fit.

Theory checks use 4 standard errors of the Monte Carlo estimate plus, where stated, a
finite-size allowance computed from the run's own variance (see
:func:`finite_size_allowance`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bass_reference import bass_reference
from click.testing import CliRunner
from kernel_helpers import dense_of

from smmsim._kernels import bass as K
from smmsim._kernels import driver
from smmsim._kernels import ledger as L
from smmsim.cli import cli
from smmsim.generators import barabasi_albert
from smmsim.graph import CSRGraph
from smmsim.models.base import COUNT_COLUMNS
from smmsim.models.bass import BassDiffusion, mean_field_curve
from smmsim.scenario import ScenarioError, default_scenario, load_scenario
from smmsim.simulate import simulate
from smmsim.theory.bass import bass_curve, fit_bass, fit_results

ROOT = np.uint64(0x5EED_CAFE_F00D_1234)
REPO = Path(__file__).resolve().parents[1]
BASS_SCENARIOS = sorted((REPO / "scenarios").glob("bass_*.yaml"))
NO_USERS = np.empty(0, dtype=np.int32)
NO_MASK = np.empty(0, dtype=np.uint8)


def small_graph(n: int, m: int, directed: bool, seed: int) -> CSRGraph:
    rng = np.random.default_rng(seed)
    return CSRGraph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n, directed=directed)


def complete_graph(n: int, segments: np.ndarray | None = None) -> CSRGraph:
    """Everyone sees everyone else (CSR built directly: n (n - 1) arcs)."""
    idx = np.broadcast_to(np.arange(n, dtype=np.int32), (n, n))[~np.eye(n, dtype=bool)]
    names = None if segments is None else tuple(f"s{i}" for i in range(segments.max() + 1))
    return CSRGraph(
        np.arange(n + 1, dtype=np.int64) * (n - 1),
        np.ascontiguousarray(idx),
        segments=segments,
        segment_names=names,
        name=f"complete graph ({n} users)",
    )


def targeting(n: int, targeted: set | None) -> tuple:
    if targeted is None:
        return True, NO_USERS, NO_MASK
    mask = np.zeros(n, dtype=np.uint8)
    mask[sorted(targeted)] = 1
    return False, np.flatnonzero(mask).astype(np.int32), mask


def bass_args(g, p, q, active, targeted, conversion, conv_ref, dense_share=K.DENSE_SHARE):
    """The kernel's ``args`` for these parameters (every seed adopts; nothing examined)."""
    target_all, users, mask = targeting(g.n, targeted)
    params = np.zeros(K.N_PARAMS)
    params[[K.P_P, K.P_Q, K.P_CONVERSION, K.P_CONVERSION_REFERRED]] = p, q, conversion, conv_ref
    ints = np.zeros(K.N_INTS, dtype=np.int64)
    ints[[K.I_TARGET_ALL, K.I_SEEDED, K.I_DENSE_SHARE]] = target_all, 1, dense_share
    active = np.asarray(active, dtype=np.uint8)
    in_deg = g.in_degree().astype(np.int64)
    return (
        g.indptr,
        g.indices,
        in_deg,
        active,
        users,
        mask,
        params,
        ints,
        np.zeros((0, 0), np.int64),
    )


def bass_trace(g, seeds, args, replicate):
    """One recorded replicate through the driver: ``(order, parent, flags, counts,
    series, virality)``."""
    steps = args[3].size
    ledger, record = driver.trace(K, args, seeds, ROOT, replicate, steps, g.n)
    _nodes, flags, _referrer, _step, order, parent = record
    return order, parent, flags, ledger.counts[0], dense_of(ledger, steps)[0], ledger.virality[0]


def bass_ensemble(g, seed_sets, args, first, n_reps, workers):
    """Replicates ``first .. first + n_reps - 1`` through the driver: ``(counts, virality,
    series, work)``, ``work[r, t]`` the users examined at step ``t`` of replicate ``r``."""
    steps = args[3].size
    work = np.zeros((n_reps, steps), dtype=np.int64)
    args = (*args[:-1], work)
    ledger = driver.ensemble(K, args, seed_sets, ROOT, first, n_reps, steps, workers, g.n)
    return ledger.counts, ledger.virality, dense_of(ledger, steps), work


def model_raw(model, g, seed_sets, first, n_reps, steps, workers=2):
    """A model's kernel alone (no metrics): ``(counts, virality, series, work)``."""
    args = model.kernel_args(g, steps)
    return bass_ensemble(g, seed_sets, args, first, n_reps, workers)


# --------------------------------------------------------------------------- exactness
STEPS = 8
CASES = [
    # p, q, targeted users (None: all), ad schedule, conversion, referred conversion
    (0.1, 0.5, None, [1] * STEPS, 0.3, 0.6),
    (0.0, 0.9, None, [0] * STEPS, 1.0, 1.0),
    (0.3, 0.6, {1, 2, 3, 10, 20, 30, 40}, [0, 1, 1, 0, 1, 0, 0, 1], 0.2, 0.5),
    (1.0, 0.0, {5, 6, 7, 50}, [0, 0, 1, 1, 0, 0, 0, 0], 0.5, 0.5),
    (0.05, 0.95, None, [1] * STEPS, 0.0, 0.4),
    (0.4, 0.0, None, [1, 0, 0, 1, 0, 0, 0, 0], 0.1, 0.1),
    (0.02, 0.3, set(range(0, 60, 3)), [1] * STEPS, 0.05, 0.1),
]


def check_against_reference(g, seeds, case, replicate, dense_share=K.DENSE_SHARE):
    p, q, targeted, active, conversion, conv_ref = case
    active = np.array(active, dtype=np.uint8)
    args = bass_args(g, p, q, active, targeted, conversion, conv_ref, dense_share)
    order, parent, flags, counts, series, sv = bass_trace(g, seeds, args, replicate)
    ref = bass_reference(
        g.indptr, g.indices, seeds, p, q, active, targeted, conversion, conv_ref, int(ROOT),
        replicate,
    )  # fmt: skip
    assert order.tolist() == ref["order"]
    names = [
        "impressions", "paid_impressions", "reach", "earned_reach", "engaged", "engagements",
        "shares", "seeds", "pending", "conversions", "referral_conversions",
    ]  # fmt: skip
    assert dict(zip(names, counts.tolist(), strict=True)) == {k: ref[k] for k in names}
    keys = ["impressions", "reach", "engagements", "shares", "conversions"]
    expect = np.array([[row[k] for k in keys] for row in ref["series"]])
    np.testing.assert_array_equal(series, expect)
    parents = {
        int(order[i]): int(order[parent[i]]) if parent[i] >= 0 else None for i in range(len(order))
    }
    assert parents == ref["parent"]
    how = {
        int(v): ("seed" if f & L.SEED else "ad" if f & K.AD else "wom")
        for v, f in zip(order, flags, strict=True)
    }
    assert how == ref["how"]
    converted = {int(v) for v, f in zip(order, flags, strict=True) if f & L.CONVERTED}
    assert converted == ref["converted"]
    assert sv == pytest.approx(ref["structural_virality"], rel=1e-12, abs=1e-12)
    return counts


# the frontier as a list only (0, the default), a scan beyond 1/8 of the users at risk,
# a scan whenever anyone is at risk
DENSE = [0, 8, 10**9]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("replicate", [0, 5])
@pytest.mark.parametrize("dense_share", DENSE)
def test_kernel_matches_reference(directed, case, replicate, dense_share):
    g = small_graph(60, 150, directed, seed=replicate + 3)
    seeds = np.array([0, 5, 5, 17], dtype=np.int64)  # a repeated seed counts once
    check_against_reference(g, seeds, case, replicate, dense_share)


@pytest.mark.parametrize("case", [CASES[0], CASES[6]])
def test_list_and_scan_frontiers_agree_on_a_larger_graph(case):
    """Switching between the frontier list and the scan (and back, as ads stop and
    the frontier shrinks) changes no draw: every setting gives the same run."""
    g = barabasi_albert(3000, 2, rng=4)
    p, q, targeted, _, conversion, conv_ref = case
    active = np.array([1] * 3 + [0] * 27, dtype=np.uint8)
    seeds = np.array([[5, 70, 900]])
    runs = [
        bass_ensemble(
            g, seeds, bass_args(g, p, q, active, targeted, conversion, conv_ref, d), 0, 6, 1
        )
        for d in (0, 4, 8, 64, 10**9)
    ]
    for other in runs[1:]:
        for a, b in zip(runs[0][:3], other[:3], strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("replicate", [1, 2])
def test_unseeded_launch_matches_reference(replicate):
    g = small_graph(80, 300, False, seed=replicate)
    counts = check_against_reference(
        g, np.empty(0, dtype=np.int64), (0.08, 0.6, None, [1] * 10, 0.3, 0.6), replicate
    )
    assert counts[L.C_SEEDS] == 0 and counts[L.C_SHARES] > 0


def test_ensemble_is_thread_and_batch_independent():
    g = small_graph(400, 1500, True, seed=11)
    seeds = np.random.default_rng(0).integers(0, 400, (12, 3))
    targeted = set(range(0, 400, 7))
    args = bass_args(g, 0.05, 0.5, [1] * 5 + [0] * 15, targeted, 0.2, 0.4)
    one = bass_ensemble(g, seeds, args, 0, 12, 1)
    for chunks in (2, 3, 12):
        for a, b in zip(one, bass_ensemble(g, seeds, args, 0, 12, chunks), strict=True):
            np.testing.assert_array_equal(a, b)
    first = bass_ensemble(g, seeds[:4], args, 0, 4, 2)
    rest = bass_ensemble(g, seeds[4:], args, 4, 8, 2)
    for i in range(4):
        np.testing.assert_array_equal(one[i], np.concatenate([first[i], rest[i]]))


def test_kept_workspaces_do_not_change_results():
    """A workspace kept from earlier calls (and one whose stamp is about to pass
    ``MAX_STAMP``, when its state is cleared) gives exactly the fresh workspace's runs."""
    g = small_graph(300, 900, False, seed=8)
    seeds = np.array([[3, 40, 77]])
    args = bass_args(g, 0.05, 0.5, [1] * 4 + [0] * 11, None, 0.2, 0.4)
    fresh = bass_ensemble(g, seeds, args, 0, 150, 1)
    bass_ensemble(g, seeds, args, 0, 150, 3)  # the driver now keeps three workspaces
    for work in driver._WORKSPACES._free[(K.__name__, g.n)]:
        work[1][:] = K.MAX_STAMP - 40
    for chunks in (3, 1, 2):
        for a, b in zip(fresh, bass_ensemble(g, seeds, args, 0, 150, chunks), strict=True):
            np.testing.assert_array_equal(a, b)


def test_model_run_is_thread_independent():
    model = BassDiffusion(p=0.02, q=0.4, ad_stop=6)
    g = barabasi_albert(3000, 3, rng=1)
    seeds = np.array([[1, 2, 3]])
    a = model.run(g, seeds, 0, 9, 25, ROOT, threads=1)
    b = model.run(g, seeds, 0, 9, 25, ROOT, threads=2)
    for x, y in [(a.counts, b.counts), (a.series, b.series), (a.virality, b.virality)]:
        np.testing.assert_array_equal(x, y)
    np.testing.assert_allclose(a.media_cost, a.counts[:, L.C_PAID_IMPRESSIONS] * 5.0 / 1000)


def test_work_follows_the_frontier_not_the_audience():
    """Without ads, a step examines the frontier and the new adopters' ties; with ads
    aimed at a small segment and no word of mouth, at most that segment."""
    n = 50_000
    g = barabasi_albert(n, 5, rng=3)
    model = BassDiffusion(p=0.0, q=0.2)
    seeds = np.array([[n - 1, n - 2, n - 3]])  # ordinary users (the hubs are the oldest)
    counts, _, _, work = model_raw(model, g, seeds, 0, 4, 12)
    assert counts[:, L.C_SHARES].sum() > 4 * 3  # word of mouth spread
    assert work.max() < n / 20, work.max(axis=0)
    niche = np.zeros(n, dtype=np.int32)
    niche[::100] = 1  # 1% of the audience
    g2 = CSRGraph(g.indptr, g.indices, segments=niche, segment_names=("all", "niche"))
    ads = BassDiffusion(p=0.3, q=0.0, target_segments=("niche",), seeded=False)
    counts, _, series, work = model_raw(ads, g2, np.empty((1, 0)), 0, 3, 10)
    assert work.max() <= n // 100
    assert series[:, 0, L.T_IMPRESSIONS].tolist() == [n // 100] * 3


# --------------------------------------------------------------------------- theory
def finite_size_allowance(p, q, active, F, n):
    """Bound on |E F(t) - Bass F(t)| on a complete graph of ``n`` users, per step.

    Two O(1/n) effects separate the mean of the simulation from the Bass recursion
    ``F' = g(F) = F + (p a + q F)(1 - F)``: (i) the fraction of friends excludes the user
    (a non-adopter sees ``A`` adopters among ``n - 1`` others), which adds
    ``q F (1 - F) / (n - 1)`` to the expected new adopters; (ii) ``g`` is quadratic, so
    ``E g(F) = g(E F) - q Var F``. Each step's error is propagated by ``|g'|`` to later
    steps. ``Var F`` is the runs' sample variance of the adopted share (``F`` is
    ``(runs, steps)``); the adopted share before step 0 is exact.
    """
    m, v = F.mean(axis=0), F.var(axis=0, ddof=1)
    out = np.zeros(F.shape[1])
    acc = 0.0
    prev_m, prev_v = None, 0.0
    for t in range(F.shape[1]):
        if prev_m is not None:
            pa = p * active[t]
            slope = abs(1 - pa + q - 2 * q * prev_m)
            acc = slope * acc + q * (prev_v + prev_m * (1 - prev_m) / (n - 1))
        out[t] = acc
        prev_m, prev_v = m[t], v[t]
    return out


def adopted_share(series, seeds, n):
    return (seeds + np.cumsum(series[:, :, L.T_ENGAGEMENTS], axis=1)) / n


@pytest.mark.parametrize(
    "p, q, k, active",
    [
        (0.03, 0.38, 0, [1] * 30),  # Sultan, Farley & Lehmann's averages, ads only
        (0.01, 0.6, 10, [1] * 4 + [0] * 21),  # 10 seeds and a 4-step ad burst
    ],
)
def test_complete_graph_follows_the_bass_solution(p, q, k, active):
    n, runs = 1000, 600
    g = complete_graph(n)
    active = np.array(active, dtype=np.uint8)
    seeds = np.argsort(np.random.default_rng(5).random((runs, n)), axis=1)[:, : max(k, 1)]
    model = BassDiffusion(p=p, q=q, ad_steps=tuple(np.flatnonzero(active)), seeded=k > 0)
    _, _, series, _ = model_raw(model, g, seeds, 0, runs, active.size)
    F = adopted_share(series, k, n)
    bass = mean_field_curve(p, q, active.size, active=active, initial=k / n)
    se = F.std(axis=0, ddof=1) / np.sqrt(runs)
    allowance = finite_size_allowance(p, q, active, F, n)
    assert allowance.max() < 0.01  # under 1% of the audience: the check stays sharp
    # where every run agrees (all adopted) the sample variance is 0, yet an expected
    # count of non-adopters under about 1/runs users goes unseen: allow 4 / (runs n)
    resolution = 4 / (runs * n)
    gap = np.abs(F.mean(axis=0) - bass)
    assert (gap <= 4 * se + allowance + resolution).all(), np.round(gap / (se + 1e-12), 2)
    # the curve really moves: from the seeds to most of the audience
    assert bass[-1] > 0.9 and F.mean(axis=0)[-1] > 0.9


def test_ads_only_closed_forms_with_targeting():
    """Without word of mouth a targeted user adopts at each ad step with probability p,
    so after a ad steps the targeted adopted share is 1 - (1 - p)^a, nobody else adopts,
    and the impressions of ad step j are |T| (1 - p)^j (exact expectations)."""
    n, runs, p = 600, 400, 0.15
    segments = (np.arange(n) % 3 == 0).astype(np.int32)
    g = complete_graph(n, segments)
    model = BassDiffusion(p=p, q=0.0, target_segments=("s1",), ad_steps=(1, 2, 5), seeded=False)
    counts, _, series, _ = model_raw(model, g, np.empty((1, 0)), 0, runs, 8)
    size = int(segments.sum())
    adopted = np.cumsum(series[:, :, L.T_ENGAGEMENTS], axis=1)
    a = np.cumsum([0, 1, 1, 0, 0, 1, 0, 0])
    expect = size * (1 - (1 - p) ** a)
    se = adopted.std(axis=0, ddof=1) / np.sqrt(runs)
    assert (np.abs(adopted.mean(axis=0) - expect) <= 4 * se + 1e-12).all()
    imp = series[:, :, L.T_IMPRESSIONS].astype(float)
    j = np.array([0, 0, 1, 0, 0, 2, 0, 0])
    on = np.array([0, 1, 1, 0, 0, 1, 0, 0], dtype=bool)
    expect_imp = np.where(on, size * (1 - p) ** j, 0.0)
    se = imp.std(axis=0, ddof=1) / np.sqrt(runs)
    assert (np.abs(imp.mean(axis=0) - expect_imp) <= 4 * se + 1e-12).all()
    assert (counts[:, L.C_EARNED_REACH] == 0).all()
    assert (counts[:, L.C_REACH] == size).all()  # everyone targeted saw the first ad


# --------------------------------------------------------------------------- the fit
@pytest.mark.parametrize("method", ["ols", "nls"])
@pytest.mark.parametrize("market", [5000.0, None])
@pytest.mark.parametrize("p, q", [(0.03, 0.38), (0.01, 0.5), (0.1, 0.2)])
def test_fit_recovers_the_exact_curve(method, market, p, q):
    curve = bass_curve(p, q, 30, m=5000.0, initial=20.0)
    fit = fit_bass(curve, market=market, initial=20.0, method=method)
    assert fit.p == pytest.approx(p, rel=1e-6)
    assert fit.q == pytest.approx(q, rel=1e-6)
    assert fit.m == pytest.approx(5000.0, rel=1e-6)
    new = np.diff(np.concatenate([[20.0], curve]))
    again = fit_bass(new, cumulative=False, market=market, initial=20.0, method=method)
    assert again.p == pytest.approx(p, rel=1e-6) and again.q == pytest.approx(q, rel=1e-6)


def test_fit_recovers_p_q_from_complete_graph_runs():
    """Pooled Bass OLS on simulated runs estimates the expected hazard, which on a
    complete graph is exactly p + q A / (n - 1): the fitted q is q n / (n - 1) (the
    fraction of friends excludes the user), within 4 cluster-robust standard errors."""
    n, runs, p, q = 800, 300, 0.03, 0.38
    g = complete_graph(n)
    sc = default_scenario().with_overrides(
        {
            "model": "bass",
            "audience.n": n,
            "bass.p": p,
            "bass.q": q,
            "bass.seeded": False,
            "simulation.steps": 25,
        }
    )
    res = simulate(sc, graph=g, runs=runs, rng=11)
    fit = fit_results(res)
    assert fit.m == n
    assert abs(fit.p - p) <= 4 * fit.p_se
    assert abs(fit.q - q * n / (n - 1)) <= 4 * fit.q_se
    assert fit.q_se < 0.03 and fit.p_se < 0.003  # tight enough to mean something
    free = fit_bass(
        np.cumsum(res.timeseries.pivot(index="run", columns="step", values="shares"), axis=1),
        initial=0,
    )
    assert abs(free.m - n) <= 4 * free.m_se


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="method"):
        fit_bass([1, 2, 3], method="bayes")
    with pytest.raises(ValueError, match="market"):
        fit_bass([1, 2, 3], market=-1)
    with pytest.raises(ValueError, match="2 points"):
        fit_bass([1])


# --------------------------------------------------------------------------- theory dict
def test_theory_reports_the_mean_field_peak():
    g = barabasi_albert(2000, 3, rng=2)
    th = BassDiffusion(p=0.03, q=0.38).theory(g, 0)
    f = mean_field_curve(0.03, 0.38, 100)
    assert th["mean_field_peak_step"] == int(np.argmax(np.diff(np.concatenate([[0], f]))))
    assert th["mean_field_half_step"] == int(np.flatnonzero(f >= 0.5)[0])
    assert "Bass mean field" in th["verdict"]
    fit = fit_bass(f * 2000, market=2000, initial=0)
    assert fit.peak_step() == th["mean_field_peak_step"]


# --------------------------------------------------------------------------- scenarios, CLI
@pytest.mark.parametrize("path", BASS_SCENARIOS, ids=lambda p: p.name)
def test_bass_scenario_runs(path):
    sc = load_scenario(path).with_overrides({"audience.n": 3000})
    res = simulate(sc, runs=12)
    r = res.runs
    assert (r["shares"] == r["seeds"] + r["engaged"]).all()
    assert (r["earned_reach"] <= r["engaged"]).all()
    assert (r["pending_shares"] == 0).all()
    econ = sc.economics
    ads = r["paid_impressions"] * sc.get("bass.ad_cpm") / 1000
    seeds = econ["cost_per_seed"] * sc.get("seeding.k") + econ["fixed_cost"]
    np.testing.assert_allclose(r["cost"], seeds + ads)
    assert r["impressions"].mean() > 0 and r["earned_reach"].mean() > 0
    assert "Bass mean field" in res.theory["verdict"]
    fit = fit_results(res)
    assert np.isfinite(fit.p) and np.isfinite(fit.q)


@pytest.mark.parametrize("path", BASS_SCENARIOS, ids=lambda p: p.name)
def test_bass_scenario_through_cli(path):
    result = CliRunner().invoke(cli, ["run", str(path), "--runs", "10", "--set", "audience.n=2000"])
    assert result.exit_code == 0, result.output
    assert "Bass mean field" in result.output and "ROI" in result.output


@pytest.mark.parametrize(
    "override, needle",
    [
        ("bass.p=1.5", "bass.p"),
        ("bass.q=0.995", "p + q must be at most 1"),
        ("bass.target_segments=[nobody]", "unknown segment 'nobody'"),
        ("bass.ad_stop=0", "bass.ad_stop"),
        ("bass.ad_cpm=-2", "bass.ad_cpm"),
        ("bass.ad_steps=[-1, 3]", "bass.ad_steps"),
        ("bass.seeded=maybe", "bass.seeded"),
        ("bass.wom=1", "wom"),
    ],
)
def test_bad_values_give_one_line_errors(override, needle):
    path = REPO / "scenarios" / "bass_launch.yaml"
    result = CliRunner().invoke(
        cli, ["run", str(path), "--runs", "5", "--set", "audience.n=1000", "--set", override]
    )
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    assert needle in text, text


def test_cross_key_checks():
    base = default_scenario().with_overrides({"model": "bass"})
    with pytest.raises(ScenarioError, match="not both"):
        base.with_overrides({"bass.ad_steps": [1, 2], "bass.ad_stop": 5})
    with pytest.raises(ScenarioError, match="ad_stop"):
        base.with_overrides({"bass.ad_start": 5, "bass.ad_stop": 5})
    with pytest.raises(ScenarioError, match="only start from ads"):
        base.with_overrides({"bass.seeded": False, "bass.p": 0.0})
    with pytest.raises(ScenarioError, match="only start from ads"):
        base.with_overrides({"bass.seeded": False, "bass.ad_start": 500})
    g = barabasi_albert(500, 2, rng=1)
    with pytest.raises(ValueError, match="no segments"):
        BassDiffusion(target_segments=("a",)).check_audience(g)


def test_ads_buy_adoption_and_cost_money():
    """A longer ad burst (same streams) never lowers mean adoption and costs more."""
    sc = default_scenario().with_overrides(
        {"model": "bass", "audience.n": 3000, "bass.p": 0.02, "bass.q": 0.3,
         "simulation.steps": 30, "seeding.k": 3}
    )  # fmt: skip
    short = simulate(sc.with_overrides({"bass.ad_stop": 3}), runs=60, rng=4)
    long = simulate(sc.with_overrides({"bass.ad_stop": 15}), runs=60, rng=4)
    assert long.mean("shares") >= short.mean("shares")
    assert long.mean("cost") > short.mean("cost")
    assert long.mean("paid_impressions") > short.mean("paid_impressions")


def test_trace_matches_the_run_and_animates(tmp_path):
    g = barabasi_albert(800, 3, rng=6)
    model = BassDiffusion(p=0.02, q=0.4, ad_stop=4, conversion=0.5, referral_multiplier=1.5)
    seeds = np.array([3, 50, 400])
    tr = model.trace(g, seeds, 20, ROOT, 5)
    raw = model.run(g, seeds[None, :], 5, 1, 20, ROOT)
    c = dict(zip(COUNT_COLUMNS, raw.counts[0].tolist(), strict=True))
    assert tr["sharers"].size == c["shares"] and tr["seed"].sum() == c["seeds"]
    assert tr["referred"].sum() == c["earned_reach"] and tr["converted"].sum() == c["conversions"]
    steps = np.bincount(tr["sharer_step"], minlength=20)
    np.testing.assert_array_equal(steps, raw.series[0, :, L.T_SHARES])
    imitators = tr["referrer"] >= 0
    assert (imitators == tr["referred"]).all()
    for v, u in zip(tr["node"][imitators], tr["referrer"][imitators], strict=True):
        assert v in g.indices[g.indptr[u] : g.indptr[u + 1]]  # the parent is a friend
    path = REPO / "scenarios" / "bass_launch.yaml"
    result = CliRunner().invoke(
        cli,
        ["animate", str(path), "--set", "audience.n=300", "--set", "simulation.steps=12",
         "--out", tmp_path / "a.gif"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.gif").stat().st_size > 0


def test_registered_and_sweepable(tmp_path):
    from smmsim.models import MODELS
    from smmsim.sweep import Sweep, run_sweep

    assert MODELS["bass"] is BassDiffusion
    path = REPO / "scenarios" / "bass_launch.yaml"
    sc = load_scenario(path).with_overrides({"audience.n": 1500})
    table = run_sweep(sc, Sweep.grid({"bass.ad_stop": [5, 20]}), tmp_path / "sw", runs=8)
    assert len(table) == 2
    assert (table["paid_impressions_mean"].diff().dropna() > 0).all()  # longer burst
