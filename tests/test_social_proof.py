"""Threshold models (social_proof, complex_contagion): kernel, theory, scenarios, CLI.

* The kernel against the slow reference (tests/social_reference.py), exactly, with the
  same SplitMix64 streams: fixed and random thresholds, tie strengths, visibility < 1,
  absolute thresholds and per-segment rules, directed and undirected audiences.
* Theory on Erdős-Rényi and configuration-model audiences: Watts' (2002) cascade window
  for one random seed, and Gleeson & Cahalane's (2007) expected adopter fraction from a
  seed fraction, for fractional and absolute thresholds. Tolerances are 4 standard
  errors of the Monte Carlo estimate plus a stated finite-size allowance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from kernel_helpers import REFERENCE_COUNTS, dense_of
from social_reference import threshold, threshold_reference

from smmsim import generators
from smmsim._kernels import driver
from smmsim._kernels import ledger as L
from smmsim._kernels import social as kernel
from smmsim.cli import cli
from smmsim.graph import CSRGraph
from smmsim.models import MODELS
from smmsim.models.complex_contagion import ComplexContagion
from smmsim.models.social_proof import SocialProof
from smmsim.scenario import default_scenario, load_scenario
from smmsim.simulate import simulate
from smmsim.theory.threshold_cascades import Rule, cascade_window, expected_adopters

ROOT = np.uint64(0x5EED_CAFE_F00D_1234)
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
OWN_SCENARIOS = sorted(SCENARIOS.glob("social_proof_*.yaml")) + sorted(
    SCENARIOS.glob("complex_contagion_*.yaml")
)


def small_graph(n, m, directed, seed, weighted=False, segments=0):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.0, 2.0, m) if weighted else None
    attrs = {}
    if segments:
        attrs["segments"] = rng.integers(0, segments, n).astype(np.int32)
        attrs["segment_names"] = tuple(f"s{i}" for i in range(segments))
    return CSRGraph.from_edges(src, dst, n, directed=directed, weights=w, **attrs)


def model_of(rows, *, absolute=False, weighted=False, segment_rows=None, visibility=1.0,
             conversion=0.1, referral_multiplier=3.0):  # fmt: skip
    cls = ComplexContagion if absolute else SocialProof
    return cls(
        rows=rows,
        segment_rows=segment_rows,
        absolute=absolute,
        weighted=weighted,
        visibility=visibility,
        conversion=conversion,
        referral_multiplier=referral_multiplier,
    )


# name -> (model keyword arguments, graph keyword arguments)
KERNEL_CASES = {
    "fixed": (dict(rows=((kernel.FIXED, 0.25, 0.0),)), {}),
    "fixed_phi_zero": (dict(rows=((kernel.FIXED, 0.0, 0.0),), visibility=0.5), {}),
    "uniform": (dict(rows=((kernel.UNIFORM, 0.0, 0.6),)), {}),
    "normal_visibility": (dict(rows=((kernel.NORMAL, 0.2, 0.15),), visibility=0.7), {}),
    "beta": (dict(rows=((kernel.BETA, 0.7, 3.0),), conversion=0.5), {}),
    "weighted_uniform": (
        dict(rows=((kernel.UNIFORM, 0.0, 1.0),), weighted=True, visibility=0.8),
        dict(weighted=True),
    ),
    "weighted_fixed": (dict(rows=((kernel.FIXED, 0.3, 0.0),), weighted=True), dict(weighted=True)),
    "segments": (
        dict(
            rows=((kernel.FIXED, 0.2, 0.0),),
            segment_rows=(("s1", (kernel.BETA, 2.0, 5.0)), ("s2", (kernel.UNIFORM, 0.1, 0.4))),
            visibility=0.9,
        ),
        dict(segments=3),
    ),
    "absolute_m2": (dict(rows=((kernel.FIXED, 2.0, 0.0),), absolute=True), {}),
    "absolute_visibility": (
        dict(rows=((kernel.FIXED, 1.0, 0.0),), absolute=True, visibility=0.4, conversion=1.0),
        {},
    ),
    "absolute_segments": (
        dict(
            rows=((kernel.FIXED, 2.0, 0.0),),
            segment_rows=(("s0", (kernel.FIXED, 1.0, 0.0)),),
            absolute=True,
        ),
        dict(segments=2),
    ),
}


def funnel(model):
    """``(visibility, conversion, conversion_referred)`` of a threshold model."""
    ref = min(1.0, model.conversion * model.referral_multiplier)
    return model.visibility, model.conversion, ref


def kernel_trace(model, g, seeds, steps, replicate):
    """One recorded replicate through the driver: ``(nodes, flags, referrer, first_step,
    order, parent, counts, series, virality)``."""
    ledger, record = driver.trace(
        kernel, model.kernel_args(g, steps), np.asarray(seeds, dtype=np.int64), ROOT,
        replicate, steps, g.n,
    )  # fmt: skip
    return (*record, ledger.counts[0], dense_of(ledger, steps)[0], ledger.virality[0])


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("case", list(KERNEL_CASES))
@pytest.mark.parametrize("replicate", [0, 5])
def test_kernel_matches_reference(case, directed, replicate):
    kwargs, graph_kwargs = KERNEL_CASES[case]
    model = model_of(**kwargs)
    g = small_graph(70, 260, directed, seed=replicate + 11, **graph_kwargs)
    model.check_audience(g)
    seeds = [0, 5, 5, 17, 33]  # a repeated seed counts once
    steps = 7
    got = kernel_trace(model, g, seeds, steps, replicate)
    nodes, flags, referrer, first_step, order, parent, counts, series, sv = got
    seg, kinds, a, b = model.table(g)
    rows = list(zip(kinds.tolist(), a.tolist(), b.tolist(), strict=True))
    ref = threshold_reference(
        g.indptr, g.indices, g.weights, seg if seg.size else None, rows, model.absolute,
        model.weighted, seeds, *funnel(model), steps, int(ROOT), replicate,
    )  # fmt: skip
    for name, col in REFERENCE_COUNTS.items():
        assert counts[col] == ref[name], name
    assert sv == pytest.approx(ref["structural_virality"], rel=1e-12)
    assert order.tolist() == ref["shared"] + ref["pending_users"]
    # parent: the sharer whose share tipped each adopter
    for pos in range(len(order)):
        want = ref["parent"][int(order[pos])]
        assert (parent[pos] == -1) if want is None else (order[parent[pos]] == want)
    keys = ["impressions", "reach", "engagements", "shares", "conversions"]
    expect = np.array([[row[k] for k in keys] for row in ref["series"]]).reshape(-1, 5)
    np.testing.assert_array_equal(series[: len(expect)], expect)
    assert not series[len(expect) :].any()
    reached = {
        int(v): (int(s), int(r))
        for v, s, r, f in zip(nodes, first_step, referrer, flags, strict=True)
        if f & L.REACHED
    }
    assert reached == ref["first_exposure"]
    converted = {int(v) for v, f in zip(nodes, flags, strict=True) if f & L.CONVERTED}
    assert converted == ref["converted"]
    # a case that shows nothing would test nothing
    assert counts[L.C_IMPRESSIONS] > 0


def test_cases_exercise_adoption():
    """Across the kernel cases, users do adopt beyond the seeds (the checks bite)."""
    adopted = 0
    for kwargs, graph_kwargs in KERNEL_CASES.values():
        model = model_of(**kwargs)
        g = small_graph(70, 260, False, seed=11, **graph_kwargs)
        counts = kernel_trace(model, g, [0, 5, 17, 33], 7, 0)[6]
        adopted += counts[L.C_ENGAGED] > 0
    assert adopted >= len(KERNEL_CASES) - 2


@pytest.mark.parametrize(
    "kind, a, b",
    [(kernel.UNIFORM, 0.1, 0.5), (kernel.NORMAL, 0.2, 0.1), (kernel.BETA, 0.6, 2.5)],
)
def test_thresholds_match_reference_and_are_random_access(kind, a, b):
    users = np.array([3, 0, 999_999, 42, 3], dtype=np.int64)
    got = kernel.thresholds_of(users, ROOT, 7, kind, a, b)
    want = [threshold(int(kernel_key(7)), int(u), kind, a, b) for u in users]
    assert got.tolist() == want
    # a user's threshold depends on (replicate, user) only, not on who else is drawn
    assert got[0] == got[4] == kernel.thresholds_of(users[:1], ROOT, 7, kind, a, b)[0]
    assert got[0] != kernel.thresholds_of(users[:1], ROOT, 8, kind, a, b)[0]
    assert ((got >= 0) & (got <= 1)).all()


def kernel_key(replicate):
    from reference import stream_key

    return stream_key(int(ROOT), replicate, kernel.PURPOSE_THRESHOLD)


@pytest.mark.parametrize(
    "kind, a, b, mean",
    [
        (kernel.UNIFORM, 0.1, 0.5, 0.3),
        (kernel.BETA, 2.0, 8.0, 0.2),
        (kernel.BETA, 0.5, 0.5, 0.5),  # the alpha < 1 branch of the gamma sampler
        (kernel.NORMAL, 0.3, 0.05, 0.3),  # clipping is negligible 6 sd from the edges
    ],
)
def test_threshold_distributions_have_their_means(kind, a, b, mean):
    x = kernel.thresholds_of(np.arange(40_000, dtype=np.int64), ROOT, 1, kind, a, b)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert abs(x.mean() - mean) < 4 * se, (x.mean(), mean, se)
    # and the cdf the theory uses agrees with the sampler
    for q in (0.15, 0.3, 0.45):
        p = kernel.phi_cdf(kind, a, b, q)
        se_p = np.sqrt(max(p * (1 - p), 1e-12) / x.size)
        assert abs((x <= q).mean() - p) < 4 * se_p + 1e-9, (q, (x <= q).mean(), p)


def test_needed_is_the_fraction_rule():
    for k in range(1, 40):
        for phi in (0.0, 0.1, 0.18, 0.2, 0.25, 1 / 3, 0.5, 0.7, 0.99, 1.0):
            c = kernel.needed(phi, k)
            want = next((c for c in range(1, k + 1) if c / k >= phi), None)
            assert c == (kernel.NEVER if want is None else want), (phi, k)
    assert kernel.needed(0.3, 0) == kernel.NEVER


def test_ensemble_is_thread_and_batch_independent_and_matches_trace():
    g = small_graph(400, 1600, False, seed=3, weighted=True)
    model = model_of(rows=((kernel.UNIFORM, 0.0, 0.5),), weighted=True, visibility=0.8)
    seeds = np.array([[1, 2, 3, 4]])
    one = model.run(g, seeds, 0, 12, 20, ROOT, threads=1)
    two = model.run(g, seeds, 0, 12, 20, ROOT, threads=2)
    first = model.run(g, seeds, 0, 5, 20, ROOT, threads=3)
    rest = model.run(g, seeds, 5, 7, 20, ROOT, threads=2)
    for x, y in ((one, two),):
        np.testing.assert_array_equal(x.counts, y.counts)
        np.testing.assert_array_equal(x.series, y.series)
        np.testing.assert_array_equal(x.virality, y.virality)
    np.testing.assert_array_equal(one.counts, np.vstack([first.counts, rest.counts]))
    np.testing.assert_array_equal(one.series, np.concatenate([first.series, rest.series]))
    for r in (0, 6, 11):
        t = kernel_trace(model, g, seeds[0], 20, r)
        np.testing.assert_array_equal(t[6], one.counts[r])
        np.testing.assert_array_equal(t[7], one.series[r])
    assert one.counts[:, L.C_ENGAGED].sum() > 0
    # the depth and peak step the kernel tracks are those the engine would read off the
    # series, and no event falls after active_steps
    from smmsim._kernels.funnel import series_profile

    depth, peak = series_profile(np.asarray(one.series), one.series.shape[1])
    np.testing.assert_array_equal(one.profile[0], depth)
    np.testing.assert_array_equal(one.profile[1], peak)
    assert not one.series[:, one.active_steps :].any() and one.active_steps == depth.max() + 1


def test_kept_workspaces_do_not_change_results():
    """A workspace left by other rules, or about to run out of replicate stamps, gives
    the results of a fresh one."""
    g = small_graph(300, 1500, True, seed=8, weighted=True)
    seeds = np.arange(1, 21, dtype=np.int64).reshape(1, -1)
    weighted = model_of(rows=((kernel.UNIFORM, 0.0, 0.6),), weighted=True, visibility=0.9)
    friends = model_of(rows=((kernel.FIXED, 2.0, 0.0),), absolute=True, visibility=0.7)

    def run(model, work):
        ledger = driver.new_ledger(9, 15)
        reps = np.arange(9, dtype=np.int64)
        kernel.run_reps(model.kernel_args(g, 15), seeds, ROOT, 4, reps, 0, 15, work,
                        ledger.as_tuple(), np.empty(0, np.int32))  # fmt: skip
        return ledger.counts.copy(), dense_of(ledger, 15)

    for model, other in ((weighted, friends), (friends, weighted)):
        fresh = run(model, kernel.new_work(g.n, False))
        work = kernel.new_work(g.n, False)
        run(other, work)
        again = run(model, work)
        work[1][0] = kernel.MAX_STAMP - 4  # the stamps wrap within the next batch
        wrapped = run(model, work)
        for got in (again, wrapped):
            np.testing.assert_array_equal(got[0], fresh[0])
            np.testing.assert_array_equal(got[1], fresh[1])
        assert fresh[0][:, L.C_ENGAGED].sum() > 0


def test_lower_thresholds_never_adopt_fewer():
    """With common random numbers a lower threshold draws the same uniforms: monotone."""
    g = generators.erdos_renyi(3000, 6.0, rng=5)
    seeds = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
    sizes = []
    for low in (0.3, 0.2, 0.1):
        m = model_of(rows=((kernel.UNIFORM, low, low + 0.3),))
        sizes.append(m.run(g, seeds, 0, 20, 1000, ROOT, threads=1).counts[:, L.C_SHARES])
    assert (sizes[1] >= sizes[0]).all() and (sizes[2] >= sizes[1]).all()
    assert sizes[2].sum() > sizes[0].sum()


# --------------------------------------------------------------------------- theory


def cascades(graph, model, extra, k, runs, rng):
    sc = default_scenario().with_overrides(
        {
            "model": model,
            "content.visibility": 1.0,
            "seeding.k": k,
            "funnel.conversion": 0.0,
            "simulation.steps": 100_000,
            **extra,
        }
    )
    res = simulate(sc, graph=graph, runs=runs, rng=rng)
    assert (res.runs["pending_shares"] == 0).all()  # every cascade ran to its end
    return res.runs["shares"].to_numpy() / graph.n


@pytest.fixture(scope="module")
def er4():
    return generators.erdos_renyi(20_000, 4.0, rng=7)


WATTS_CASES = {
    # name: (graph, social_proof overrides, content overrides, inside the window?)
    "er_z4_fixed": (("er", 4.0, False), {"social_proof.threshold": 0.18}, {}, True),
    "er_z2_fixed": (("er", 2.0, False), {"social_proof.threshold": 0.18}, {}, True),
    "er_z4_uniform_visibility": (
        ("er", 4.0, False),
        {"social_proof.threshold": {"distribution": "uniform", "low": 0.05, "high": 0.35}},
        {"content.visibility": 0.8},
        True,
    ),
    "er_directed_z3": (("er", 3.0, True), {"social_proof.threshold": 0.2}, {}, True),
    "powerlaw_normal": (
        ("powerlaw", 2.7, False),
        {"social_proof.threshold": {"distribution": "normal", "mean": 0.2, "sd": 0.05}},
        {},
        True,
    ),
    "er_z8_outside": (("er", 8.0, False), {"social_proof.threshold": 0.18}, {}, False),
    "er_z07_outside": (("er", 0.7, False), {"social_proof.threshold": 0.18}, {}, False),
}


def make_graph(spec, n, rng):
    kind, x, directed = spec
    if kind == "er":
        return generators.erdos_renyi(n, x, directed=directed, rng=rng)
    return generators.powerlaw(n, x, min_degree=2, max_degree=140, rng=rng)


@pytest.mark.parametrize("case", list(WATTS_CASES))
def test_watts_cascade_window(case):
    """Probability and size of a global cascade from one random seed (Watts 2002).

    Tolerance: 4 standard errors, plus a finite-size allowance of 2/sqrt(n) on the size
    of a global cascade (its fluctuations between audiences of n users). Outside the
    window theory says 0: no run may reach 10% of the audience.
    """
    spec, extra, content, inside = WATTS_CASES[case]
    n = 20_000
    g = make_graph(spec, n, rng=7)
    model = SocialProof.from_scenario(
        default_scenario().with_overrides(
            {"model": "social_proof", "content.visibility": 1.0, **extra, **content}
        )
    )
    th = model.theory(g, 1)
    assert th["in_window"] is inside
    runs = 600
    frac = cascades(g, "social_proof", {**extra, **content}, 1, runs, rng=3)
    large = frac > 0.1
    if not inside:
        assert th["p_large"] == 0 and not large.any(), large.mean()
        return
    p = large.mean()
    se = np.sqrt(th["p_large"] * (1 - th["p_large"]) / runs)
    assert abs(p - th["p_large"]) < 4 * se, (p, th["p_large"], se)
    size = frac[large]
    se_size = size.std(ddof=1) / np.sqrt(size.size)
    tol = 4 * se_size + 2 / np.sqrt(n)
    assert abs(size.mean() - th["large_share"]) < tol, (size.mean(), th["large_share"], tol)


GC_CASES = {
    # name: (model, overrides, rule, graph spec, seed fractions)
    "fixed_phi_er10": (
        "social_proof",
        {"social_proof.threshold": 0.18},
        Rule.fixed(0.18),
        ("er", 10.0, False),
        (0.01, 0.05),
    ),
    "normal_phi_er6": (
        "social_proof",
        {"social_proof.threshold": {"distribution": "normal", "mean": 0.3, "sd": 0.1}},
        Rule((kernel.NORMAL,), (0.3,), (0.1,)),
        ("er", 6.0, False),
        (0.01, 0.05),
    ),
    "m2_er6": (
        "complex_contagion",
        {"complex_contagion.m": 2},
        Rule.friends(2),
        ("er", 6.0, False),
        (0.01, 0.05),
    ),
    "m3_powerlaw": (
        "complex_contagion",
        {"complex_contagion.m": 3},
        Rule.friends(3),
        ("powerlaw3", 2.5, False),
        (0.05, 0.15),
    ),
}


@pytest.mark.parametrize("case", list(GC_CASES))
def test_gleeson_cahalane_expected_adopters(case):
    """Mean final adopter fraction from a random seed fraction (Gleeson & Cahalane 2007).

    n = 50,000; tolerance 4 standard errors plus a finite-size allowance of 2/sqrt(n)
    (about 0.009) for the finite, not quite tree-like audience.
    """
    model, extra, rule, spec, fractions = GC_CASES[case]
    n = 50_000
    if spec[0] == "powerlaw3":
        g = generators.powerlaw(n, spec[1], min_degree=3, max_degree=200, rng=9)
    else:
        g = make_graph(spec, n, rng=7)
    for rho0 in fractions:
        th = expected_adopters(g, rho0, rule)
        frac = cascades(g, model, extra, int(rho0 * n), 16, rng=2)
        se = frac.std(ddof=1) / np.sqrt(frac.size)
        tol = 4 * se + 2 / np.sqrt(n)
        assert abs(frac.mean() - th) < tol, (rho0, frac.mean(), th, tol)


def test_theory_in_results_is_scalar_and_has_a_verdict(er4):
    sc = default_scenario().with_overrides(
        {"model": "complex_contagion", "content.visibility": 1.0, "seeding.k": 20}
    )
    res = simulate(sc, graph=er4, runs=4, rng=1)
    th = res.theory
    assert th["verdict"].endswith(".") and "Gleeson" in th["verdict"]
    for key, value in th.items():
        # counts of the seeding (seeding_k) are integers: still one JSON scalar each
        assert value is None or isinstance(value, bool | int | float | str), key
    assert th["in_window"] is False  # m = 2: nobody is vulnerable to one share
    assert th["expected_share"] == pytest.approx(
        expected_adopters(er4, 20 / er4.n, Rule.friends(2))
    )


def test_gleeson_cahalane_closed_form_for_m1():
    """With m = 1 and one seed fraction, adoption is the percolation reach: on ER,
    S = 1 - (1 - rho0) exp(-z S) (every tie transmits)."""
    g = generators.erdos_renyi(20_000, 3.0, rng=2)
    z = g.degree_stats().mean
    rho0 = 0.02
    s = expected_adopters(g, rho0, Rule.friends(1))
    assert s == pytest.approx(1 - (1 - rho0) * np.exp(-z * s), abs=0.01)
    win = cascade_window(g, Rule.friends(1))
    assert win.inside and win.condition == pytest.approx(g.degree_stats().excess, rel=1e-9)


# --------------------------------------------------------------------------- scenarios


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_error(result, *needles):
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    for needle in needles:
        assert needle in text, text


def test_models_are_registered():
    assert MODELS["social_proof"] is SocialProof
    assert MODELS["complex_contagion"] is ComplexContagion
    assert len(OWN_SCENARIOS) >= 2
    assert {load_scenario(p).data["model"] for p in OWN_SCENARIOS} == {
        "social_proof",
        "complex_contagion",
    }


@pytest.mark.parametrize("path", OWN_SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs_through_simulate_and_cli(path):
    sc = load_scenario(path).with_overrides({"audience.n": 3000})
    res = simulate(sc, runs=8)
    assert len(res.runs) == 8 and res.theory["verdict"]
    runs = res.runs
    # every adopter engages once and shares (now or, at the horizon, pending)
    assert (runs["engaged"] == runs["shares"] + runs["pending_shares"] - runs["seeds"]).all()
    assert (runs["engagements"] == runs["engaged"]).all()
    result = invoke("run", path, "--runs", 6, "--set", "audience.n=3000")
    assert result.exit_code == 0, result.output
    assert "Reach" in result.output


@pytest.mark.parametrize(
    "override, needle",
    [
        ("social_proof.threshold=1.5", "social_proof.threshold"),
        ("social_proof.threshold={distribution: gamma}", "social_proof.threshold.distribution"),
        ("social_proof.threshold={distribution: [1]}", "social_proof.threshold.distribution"),
        ("social_proof.threshold=[0.1, 0.2]", "social_proof.threshold"),
        ("social_proof.threshold={distribution: uniform, low: 0.5, high: 0.2}", "low"),
        ("social_proof.threshold={distribution: beta, a: 0, b: 2}", "social_proof.threshold.a"),
        ("social_proof.threshold={distribution: normal, mu: 0.2}", "social_proof.threshold.mu"),
        ("social_proof.segment_thresholds={nobody: 0.2}", "nobody"),
        ("social_proof.segment_thresholds={students: 2}", "social_proof.segment_thresholds"),
        ("social_proof.weighted=true", "social_proof.weighted"),
        ("complex_contagion.m=0", "complex_contagion.m"),
        ("complex_contagion.segment_m={students: 0}", "complex_contagion.segment_m.students"),
    ],
)
def test_bad_values_exit_2_with_one_line(override, needle):
    model = override.split(".", 1)[0]
    result = invoke(
        "run",
        SCENARIOS / "segmented_audience.yaml",
        "--runs",
        2,
        "--set",
        f"model={model}",
        "--set",
        "audience.n=600",
        "--set",
        override,
    )
    assert_clean_error(result, needle)


@pytest.mark.parametrize(
    "model, override, needle",
    [
        ("social_proof", "social_proof.segment_thresholds={students: 0.1}", "no named segments"),
        ("complex_contagion", "complex_contagion.segment_m={students: 3}", "no named segments"),
    ],
)
def test_segment_rules_need_a_segmented_audience(model, override, needle):
    result = invoke("run", "--runs", 2, "--set", f"model={model}", "--set", "audience.n=500",
                    "--set", override)  # fmt: skip
    assert_clean_error(result, needle)


def test_unknown_segment_of_complex_contagion_is_named():
    result = invoke(
        "run",
        SCENARIOS / "segmented_audience.yaml",
        "--runs",
        2,
        "--set",
        "model=complex_contagion",
        "--set",
        "audience.n=600",
        "--set",
        "complex_contagion.segment_m={retirees: 3}",
    )
    assert_clean_error(result, "complex_contagion.segment_m", "retirees", "students")


def test_trace_lists_adopters_with_their_parents():
    g = small_graph(300, 1200, False, seed=4, segments=2)
    model = model_of(
        rows=((kernel.UNIFORM, 0.0, 0.4),), segment_rows=(("s1", (kernel.FIXED, 0.1, 0.0)),)
    )
    tr = model.trace(g, np.array([1, 2, 3]), 30, ROOT, 2)
    sharers, parent = tr["sharers"], tr["sharer_parent"]
    assert sharers.size > 3 and (parent[:3] == -1).all()
    assert (parent[3:] < np.arange(3, sharers.size)).all()  # parents come first
    engaged = set(tr["node"][tr["engaged"]].tolist())
    assert engaged == set(sharers[3:].tolist())
