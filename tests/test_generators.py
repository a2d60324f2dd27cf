"""Synthetic audience generators: counts, distributions, reproducibility, validation.

Statistical checks are seeded and use tolerances of about four standard errors.
"""

from __future__ import annotations

import math
import re

import networkx as nx
import numpy as np
import pytest

from smmsim.generators import barabasi_albert, erdos_renyi, powerlaw, sbm, watts_strogatz
from smmsim.graph import CSRGraph
from smmsim.rng import root_key


def _edge_set(g: CSRGraph) -> set[tuple[int, int]]:
    src = np.repeat(np.arange(g.n), np.diff(g.indptr))
    pairs = zip(src.tolist(), g.indices.tolist(), strict=True)
    if g.directed:
        return set(pairs)
    return {(u, v) for u, v in pairs if u < v}


def _assert_simple(g: CSRGraph) -> None:
    """Valid CSR, sorted rows, no self-loops or duplicates, symmetric if undirected."""
    g.validate()
    src = np.repeat(np.arange(g.n), np.diff(g.indptr))
    assert not np.any(src == g.indices)
    # rows strictly increasing: no step down except where a new row starts
    steps = np.flatnonzero(np.diff(g.indices) <= 0) + 1
    assert np.all(np.isin(steps, g.indptr))
    if not g.directed:
        forward = src.astype(np.int64) * g.n + g.indices
        backward = g.indices.astype(np.int64) * g.n + src
        assert np.array_equal(np.sort(forward), np.sort(backward))


def _within_sigma(observed: float, expected: float, sd: float, k: float = 4.0) -> None:
    assert abs(observed - expected) <= k * sd, (observed, expected, sd)


# ---------------------------------------------------------------------- Erdős–Rényi
def test_erdos_renyi_edge_count_is_binomial():
    n, d = 5000, 12.0
    p = d / (n - 1)
    pairs = n * (n - 1) / 2
    g = erdos_renyi(n, d, rng=1)
    _assert_simple(g)
    assert g.n == n and not g.directed
    _within_sigma(g.n_edges, pairs * p, math.sqrt(pairs * p * (1 - p)))


def test_erdos_renyi_directed_edge_count_is_binomial():
    n, d = 4000, 6.0
    p = d / (n - 1)
    pairs = n * (n - 1)
    g = erdos_renyi(n, d, directed=True, rng=2)
    _assert_simple(g)
    assert g.directed
    _within_sigma(g.n_edges, pairs * p, math.sqrt(pairs * p * (1 - p)))
    # arcs are drawn independently, so reciprocated arcs are rare (about p per arc)
    arcs = _edge_set(g)
    mutual = sum((v, u) in arcs for u, v in arcs)
    assert mutual <= 0.01 * len(arcs)


@pytest.mark.parametrize("directed", [False, True])
def test_erdos_renyi_every_pair_equally_likely(directed):
    # the geometric skipping must reach every pair, first and last included, with prob. p
    n, p, reps = 12, 0.3, 600
    counts = np.zeros((n, n))
    for r in range(reps):
        g = erdos_renyi(n, p * (n - 1), directed=directed, rng=1000 + r)
        src = np.repeat(np.arange(n), np.diff(g.indptr))
        counts[src, g.indices] += 1
    freq = counts / reps
    off = ~np.eye(n, dtype=bool)
    assert np.all(np.diag(counts) == 0)
    sd = math.sqrt(p * (1 - p) / reps)
    # 132 pairs: allow a little more than 4 sd for the maximum over them
    assert np.abs(freq[off] - p).max() < 4.5 * sd
    _within_sigma(freq[off].mean(), p, sd / math.sqrt(off.sum() / (1 if directed else 2)))


def test_erdos_renyi_extremes():
    assert erdos_renyi(50, 0.0, rng=1).n_edges == 0
    assert erdos_renyi(10, 9.0, rng=1).n_edges == 45
    assert erdos_renyi(10, 9.0, directed=True, rng=1).n_edges == 90
    assert erdos_renyi(1, 0.0, rng=1).n == 1


def test_erdos_renyi_kernel_grows_full_arrays():
    from smmsim._kernels.generators import erdos_renyi_edges

    p = 8.0 / 999
    inv = 1.0 / math.log1p(-p)
    for directed in (False, True):
        big = erdos_renyi_edges(root_key(5), 1000, inv, directed, 100_000)
        small = erdos_renyi_edges(root_key(5), 1000, inv, directed, 1)
        assert np.array_equal(big[0], small[0]) and np.array_equal(big[1], small[1])


@pytest.mark.parametrize("directed", [False, True])
def test_erdos_renyi_direct_csr_matches_from_edges(directed):
    from smmsim._kernels.generators import erdos_renyi_edges, sorted_ties_csr

    n, p = 3000, 5.0 / 2999
    src, dst = erdos_renyi_edges(root_key(6), n, 1.0 / math.log1p(-p), directed, 10)
    indptr, indices = sorted_ties_csr(src, dst, n, directed)
    ref = CSRGraph.from_edges(src, dst, n, directed=directed)
    assert np.array_equal(indptr, ref.indptr) and np.array_equal(indices, ref.indices)
    assert indices.dtype == np.int32


# ---------------------------------------------------------------------- Barabási–Albert
def test_barabasi_albert_direct_csr_matches_from_edges():
    from smmsim._kernels.generators import barabasi_albert_csr, barabasi_albert_targets

    n, m = 3000, 4
    targets = barabasi_albert_targets(root_key(7), n, m)
    later = np.concatenate([np.arange(1, m + 1), np.repeat(np.arange(m + 1, n), m)])
    assert np.all(targets < later)
    # each joining user's targets are distinct
    blocks = targets[m:].reshape(-1, m)
    assert np.all(np.diff(blocks, axis=1) > 0)
    indptr, indices = barabasi_albert_csr(targets, n, m)
    ref = CSRGraph.from_edges(later, targets, n)
    assert np.array_equal(indptr, ref.indptr) and np.array_equal(indices, ref.indices)


def test_barabasi_albert_exact_counts_and_min_degree():
    for n, m in [(2, 1), (7, 6), (1000, 1), (5000, 4), (400, 40)]:  # m > 32 uses marks
        g = barabasi_albert(n, m, rng=3)
        _assert_simple(g)
        assert g.n_edges == m * (n - m - 1) + m
        if n > m + 1:
            assert int(g.out_degree().min()) == m


def test_barabasi_albert_heavy_tail_matches_theory():
    n, m = 20000, 3
    deg = barabasi_albert(n, m, rng=4).out_degree()
    assert deg.min() == m
    # P(k >= K) = m (m + 1) / (K (K + 1)) for the BA model (Bollobás et al. 2001)
    for big in (4 * m, 10 * m):
        law = m * (m + 1) / (big * (big + 1))
        _within_sigma(np.mean(deg >= big), law, math.sqrt(law * (1 - law) / n))
    # hubs: the largest degree grows like m sqrt(n); the oldest users hold it
    assert deg.max() > m * math.sqrt(n) / 4
    assert deg[:10].mean() > 20 * m


def test_barabasi_albert_matches_networkx_statistically():
    n, m = 20000, 3
    ours = barabasi_albert(n, m, rng=5).out_degree()
    theirs = np.array([d for _, d in sorted(nx.barabasi_albert_graph(n, m, seed=5).degree())])
    assert ours.sum() == theirs.sum()
    for stat in (lambda k: k == m, lambda k: k == m + 1, lambda k: k >= 4 * m):
        a, b = np.mean(stat(ours)), np.mean(stat(theirs))
        sd = math.sqrt(max(a * (1 - a), 1e-4) / n)
        _within_sigma(a - b, 0.0, math.sqrt(2) * sd)
    la, lb = np.log(ours), np.log(theirs)
    _within_sigma(la.mean() - lb.mean(), 0.0, math.sqrt(2 * la.var() / n))


# ---------------------------------------------------------------------- power law
def _law(exponent, kmin, kmax):
    k = np.arange(kmin, kmax + 1)
    w = k.astype(float) ** -exponent
    return k, w / w.sum()


def test_powerlaw_degree_sampler_follows_the_law():
    from smmsim.generators import _powerlaw_degrees

    n, gamma, kmin, kmax = 200_000, 2.5, 2, 1000
    deg = _powerlaw_degrees(root_key(6), n, gamma, kmin, kmax)
    assert deg.sum() % 2 == 0
    assert deg.min() >= kmin and deg.max() <= kmax
    k, pk = _law(gamma, kmin, kmax)
    for value in (2, 3, 5):
        q = pk[k == value][0]
        _within_sigma(np.mean(deg == value), q, math.sqrt(q * (1 - q) / n))
    for value in (10, 50, 200):
        q = pk[k >= value].sum()
        _within_sigma(np.mean(deg >= value), q, math.sqrt(q * (1 - q) / n))
    mean = (k * pk).sum()
    sd = math.sqrt(((k - mean) ** 2 * pk).sum() / n)
    _within_sigma(deg.mean(), mean, sd)


def test_powerlaw_sampler_fixes_odd_sum():
    from smmsim.generators import _powerlaw_degrees

    for key in range(20):
        deg = _powerlaw_degrees(root_key(key), 101, 2.2, 1, 50)
        assert deg.sum() % 2 == 0


def test_powerlaw_graph_mean_degree_and_tail():
    n, gamma, kmin = 50_000, 2.5, 2
    kmax = int(math.sqrt(n))  # structural cutoff: erasure removes almost nothing
    g = powerlaw(n, gamma, kmin, kmax, rng=7)
    _assert_simple(g)
    deg = g.out_degree()
    k, pk = _law(gamma, kmin, kmax)
    mean = (k * pk).sum()
    sd = math.sqrt(((k - mean) ** 2 * pk).sum() / n)
    _within_sigma(deg.mean(), mean, sd, k=5.0)
    q = pk[k >= 10].sum()
    _within_sigma(np.mean(deg >= 10), q, math.sqrt(q * (1 - q) / n), k=5.0)
    assert deg.max() <= kmax


def test_powerlaw_default_cutoff_and_regular_case():
    g = powerlaw(20_000, 2.2, rng=8)
    assert g.name.startswith("powerlaw(n=20000, exponent=2.2, min_degree=1, max_degree=19999")
    assert g.out_degree().max() > 100  # hubs of the untruncated law
    reg = powerlaw(1000, 3.0, 4, 4, rng=8)
    deg = reg.out_degree()
    assert deg.max() == 4 and np.mean(deg == 4) > 0.97


# ---------------------------------------------------------------------- Watts–Strogatz
def test_watts_strogatz_without_rewiring_is_the_ring_lattice():
    n, k = 1000, 10
    g = watts_strogatz(n, k, 0.0, rng=9)
    _assert_simple(g)
    assert _edge_set(g) == {tuple(sorted(e)) for e in nx.watts_strogatz_graph(n, k, 0).edges()}
    assert np.all(g.out_degree() == k)
    clustering = nx.average_clustering(g.to_networkx())
    assert clustering == pytest.approx(3 * (k - 2) / (4 * (k - 1)), abs=1e-12)


def test_watts_strogatz_rewiring():
    n, k, p = 5000, 10, 0.2
    g = watts_strogatz(n, k, p, rng=10)
    _assert_simple(g)
    ties = n * k // 2
    assert ties - 50 <= g.n_edges <= ties
    lattice = _edge_set(watts_strogatz(n, k, 0.0, rng=10))
    moved = len(_edge_set(g) - lattice)
    # each tie is rewired with prob. p; a new end lands on a lattice neighbour w.p. ~k/n
    _within_sigma(moved, ties * p * (1 - k / n), math.sqrt(ties * p * (1 - p)))
    # Barrat & Weigt (2000): C(p) ~ C(0) (1 - p)^3, up to O(k/n)
    clustering = nx.average_clustering(g.to_networkx())
    assert clustering == pytest.approx(3 * (k - 2) / (4 * (k - 1)) * (1 - p) ** 3, abs=0.01)
    full = watts_strogatz(2000, 6, 1.0, rng=11)
    assert nx.average_clustering(full.to_networkx()) < 0.02


# ---------------------------------------------------------------------- SBM
def test_sbm_homophily_and_mean_degree():
    n, d, h = 20000, 10.0, 0.7
    g = sbm(n, 4, d, h, rng=12)
    _assert_simple(g)
    assert g.segment_names == ("segment-0", "segment-1", "segment-2", "segment-3")
    assert g.segments.dtype == np.int32
    assert np.array_equal(np.bincount(g.segments), [5000] * 4)
    expected = n * d / 2
    _within_sigma(g.n_edges, expected, math.sqrt(expected))
    src = np.repeat(np.arange(n), np.diff(g.indptr))
    inside = np.mean(g.segments[src] == g.segments[g.indices])
    _within_sigma(inside, h, math.sqrt(h * (1 - h) / expected))


def test_sbm_unequal_sizes_follow_p_in_and_p_out():
    n, d, h = 10000, 8.0, 0.6
    g = sbm(n, [0.5, 0.3, 0.2], d, h, segment_names=["a", "b", "c"], rng=13)
    sizes = np.array([5000, 3000, 2000])
    assert np.array_equal(np.bincount(g.segments), sizes)
    assert g.segment_names == ("a", "b", "c")
    within = (sizes * (sizes - 1) / 2).sum()
    across = n * (n - 1) / 2 - within
    p_in, p_out = h * n * d / 2 / within, (1 - h) * n * d / 2 / across
    src = np.repeat(np.arange(n), np.diff(g.indptr))
    keep = src < g.indices
    a, b = g.segments[src[keep]], g.segments[g.indices[keep]]
    for s in range(3):
        pairs = sizes[s] * (sizes[s] - 1) / 2
        observed = np.sum((a == s) & (b == s))
        _within_sigma(observed, pairs * p_in, math.sqrt(pairs * p_in))
    for s, t in [(0, 1), (0, 2), (1, 2)]:
        pairs = sizes[s] * sizes[t]
        observed = np.sum(((a == s) & (b == t)) | ((a == t) & (b == s)))
        _within_sigma(observed, pairs * p_out, math.sqrt(pairs * p_out))


def test_sbm_extreme_homophily_and_sizes():
    g = sbm(3000, [1000, 2000], 6.0, 1.0, rng=14)
    src = np.repeat(np.arange(g.n), np.diff(g.indptr))
    assert np.all(g.segments[src] == g.segments[g.indices])
    g = sbm(3000, 3, 6.0, 0.0, rng=14)
    src = np.repeat(np.arange(g.n), np.diff(g.indptr))
    assert not np.any(g.segments[src] == g.segments[g.indices])
    odd = sbm(10, 3, 2.0, 0.5, rng=1)
    assert np.array_equal(np.bincount(odd.segments), [4, 3, 3])
    assert np.bincount(sbm(7, [0.5, 0.5], 1.0, 0.5, rng=1).segments).tolist() == [4, 3]


def test_sbm_kernel_grows_full_arrays():
    from smmsim._kernels.generators import sbm_edges

    sizes = np.array([300, 200, 500], dtype=np.int64)
    args = (1.0 / math.log1p(-0.02), 1.0 / math.log1p(-0.005), True, True)
    big = sbm_edges(root_key(15), sizes, *args, 100_000)
    small = sbm_edges(root_key(15), sizes, *args, 1)
    assert big[0].size > 0
    assert np.array_equal(big[0], small[0]) and np.array_equal(big[1], small[1])


# ---------------------------------------------------------------------- reproducibility
CASES = [
    (erdos_renyi, (3000, 8.0), {}),
    (erdos_renyi, (3000, 8.0), {"directed": True}),
    (barabasi_albert, (3000, 3), {}),
    (powerlaw, (3000, 2.5, 2), {}),
    (watts_strogatz, (3000, 6, 0.3), {}),
    (sbm, (3000, 3, 8.0, 0.8), {}),
]


@pytest.mark.parametrize(("make", "args", "kwargs"), CASES)
def test_same_rng_same_graph_and_different_rng_different_graph(make, args, kwargs):
    a = make(*args, rng=21, **kwargs)
    b = make(*args, rng=21, **kwargs)
    c = make(*args, rng=22, **kwargs)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not (a.indices.size == c.indices.size and np.array_equal(a.indices, c.indices))
    assert a.indices.dtype == np.int32 and a.indptr.dtype == np.int64
    # Generators and SeedSequences are resolved to an integer seed
    d = make(*args, rng=np.random.default_rng(3), **kwargs)
    e = make(*args, rng=np.random.default_rng(3), **kwargs)
    assert np.array_equal(d.indices, e.indices)
    f = make(*args, rng=np.random.SeedSequence(4), **kwargs)
    assert np.array_equal(f.indices, make(*args, rng=np.random.SeedSequence(4), **kwargs).indices)


def test_seed_recorded_in_name_replays_the_graph():
    g = barabasi_albert(500, 2)
    seed = int(re.search(r"rng=(\d+)\)$", g.name).group(1))
    again = barabasi_albert(500, 2, rng=seed)
    assert np.array_equal(g.indices, again.indices)


def test_generators_use_separate_streams():
    # one seed must not give correlated graphs across generators
    a = erdos_renyi(2000, 3.0, rng=1)
    b = sbm(2000, 1, 3.0, 1.0, rng=1)
    assert _edge_set(a) != _edge_set(b)


# ---------------------------------------------------------------------- validation
BAD = [
    (erdos_renyi, (0, 1.0), {}, "n must be >= 1"),
    (erdos_renyi, (10.0, 1.0), {}, "n must be an integer"),
    (erdos_renyi, (True, 1.0), {}, "n must be an integer"),
    (erdos_renyi, (10, -1.0), {}, "mean_degree must be a finite number >= 0 and <= 9, got -1"),
    (erdos_renyi, (10, 10.0), {}, "mean_degree must be .*>= 0 and <= 9"),
    (erdos_renyi, (10, float("nan")), {}, "mean_degree"),
    (erdos_renyi, (10, "3"), {}, "mean_degree must be a real number"),
    (barabasi_albert, (10, 0), {}, "m must be >= 1 and <= 9"),
    (barabasi_albert, (10, 10), {}, "m must be >= 1 and <= 9"),
    (barabasi_albert, (1, 1), {}, "n must be >= 2"),
    (barabasi_albert, (10, 2.0), {}, "m must be an integer"),
    (powerlaw, (100, 1.0), {}, "exponent must be a finite number > 1"),
    (powerlaw, (100, float("inf")), {}, "exponent must be a finite number > 1"),
    (powerlaw, (100, 2.5, 0), {}, "min_degree must be >= 1"),
    (powerlaw, (100, 2.5, 3, 2), {}, "max_degree must be >= 3 and <= 99"),
    (powerlaw, (100, 2.5, 3, 100), {}, "max_degree must be >= 3 and <= 99"),
    (powerlaw, (101, 2.5, 3, 3), {}, "must be even when n is odd"),
    (watts_strogatz, (100, 5, 0.1), {}, "mean_degree must be even"),
    (watts_strogatz, (100, 100, 0.1), {}, "mean_degree must be >= 0 and <= 99"),
    (watts_strogatz, (100, 4, 1.5), {}, "rewire must be a finite number >= 0 and <= 1"),
    (watts_strogatz, (100, 4, -0.1), {}, "rewire must be a finite number >= 0 and <= 1"),
    (sbm, (100, 0, 4.0, 0.5), {}, "segments must be >= 1 and <= 100"),
    (
        sbm,
        (100, [50, 40], 4.0, 0.5),
        {},
        "segments must be positive integer sizes summing to n=100",
    ),
    (sbm, (100, [100, 0], 4.0, 0.5), {}, "segments must be positive integer sizes"),
    (sbm, (100, [0.5, 0.4], 4.0, 0.5), {}, "segments must be fractions > 0 summing to 1"),
    (sbm, (1000, [0.9995, 0.0005], 2.0, 0.5), {}, "at least one user"),
    (sbm, (100, "ab", 4.0, 0.5), {}, "segments must be an int, a sequence"),
    (sbm, (100, [[50, 50]], 4.0, 0.5), {}, "segments must be an int, a sequence"),
    (sbm, (100, 2, 4.0, 1.5), {}, "homophily must be a finite number >= 0 and <= 1"),
    (sbm, (100, 2, -4.0, 0.5), {}, "mean_degree must be a finite number >= 0"),
    (sbm, (100, 1, 4.0, 0.5), {}, "homophily must be 1 when there is a single segment"),
    (sbm, (4, 4, 1.0, 0.5), {}, "homophily must be 0 when every segment"),
    (sbm, (100, 50, 20.0, 0.9), {}, "p_in=.*both must be <= 1"),
    (sbm, (100, 2, 4.0, 0.5), {"segment_names": ["a"]}, "segment_names must hold 2 distinct"),
    (sbm, (100, 2, 4.0, 0.5), {"segment_names": ["a", "a"]}, "segment_names must hold 2"),
    (sbm, (100, 2, 4.0, 0.5), {"segment_names": "ab"}, "segment_names must be a sequence"),
]


@pytest.mark.parametrize(("make", "args", "kwargs", "match"), BAD)
def test_bad_arguments_raise_value_error(make, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(*args, rng=0, **kwargs)


def test_bad_rng_raises():
    with pytest.raises(ValueError, match="rng"):
        barabasi_albert(10, 2, rng=-1)
    with pytest.raises(TypeError, match="rng"):
        barabasi_albert(10, 2, rng="seed")


def test_generator_registry_is_the_one_list_of_generators():
    """Schema, validation and building read one entry per generator; the registry sits
    below the scenario package."""
    import subprocess
    import sys

    from smmsim.audience import build_audience
    from smmsim.generator_registry import GENERATORS
    from smmsim.scenario import GENERATOR_SCHEMA, SCHEMA, default_scenario

    assert list(GENERATOR_SCHEMA) == list(GENERATORS)
    assert SCHEMA["audience"]["generator"].choices == tuple(GENERATORS)
    for name, gen in GENERATORS.items():
        assert gen.name == name and callable(gen.build) and callable(gen.check)
        assert dict(gen.params) == GENERATOR_SCHEMA[name]
    assert [g.name for g in GENERATORS.values() if g.reads_file] == ["edgelist"]
    sc = default_scenario().with_overrides({"audience.generator": "erdos_renyi", "audience.n": 50})
    assert build_audience(sc).n == 50
    code = (
        "import sys, smmsim.generator_registry; "
        "sys.exit(any(m.startswith('smmsim.scenario') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
