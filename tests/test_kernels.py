"""Kernels against the slow reference with the same random streams: exact agreement."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_helpers import REFERENCE_COUNTS, dense_of, traced
from reference import ewom_reference, random_seed_set

from smmsim._kernels import driver, ewom
from smmsim._kernels import ledger as L
from smmsim._kernels.layout import SEGMENT_COLUMNS
from smmsim._kernels.rng import visibility_table as gaps
from smmsim._kernels.seeding import random_seed_sets
from smmsim.graph import CSRGraph

ROOT = np.uint64(0x5EED_CAFE_F00D_1234)


def ewom_args(g, params, seg_mult=None):
    mult = np.zeros((0, 3)) if seg_mult is None else np.asarray(seg_mult, dtype=np.float64)
    return g.indptr, g.indices, np.array(params[:6], dtype=np.float64), mult, gaps(params[0])


def ewom_trace(g, seeds, *args):
    """One recorded replicate through the driver: ``(nodes, flags, referrer, first_step,
    order, parent, counts, series, virality)``; ``args`` are the six parameters, steps,
    root and replicate."""
    params, (steps, root, replicate) = args[:6], args[6:]
    return traced(ewom, ewom_args(g, params), seeds, steps, root, replicate, g.n)


def ewom_ensemble(g, seeds, *args):
    """``args``: the six parameters, steps, root, first replicate, replicates, workers."""
    params, (steps, root, first, n_reps, chunks) = args[:6], args[6:]
    return driver.ensemble(
        ewom, ewom_args(g, params), seeds, root, first, n_reps, steps, chunks, g.n
    )


def small_graph(n: int, m: int, directed: bool, seed: int) -> CSRGraph:
    rng = np.random.default_rng(seed)
    return CSRGraph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n, directed=directed)


PARAMS = [
    # visibility, stickiness, contagion, half_life, conversion, conversion_referred
    (0.3, 1.0, 1.0, 0.0, 0.1, 0.3),
    (1.0, 0.4, 1.0, 0.0, 0.0, 0.0),
    (0.6, 0.7, 0.8, 3.0, 0.2, 0.5),
    (1.0, 1.0, 0.35, 0.0, 1.0, 1.0),
    (0.0, 1.0, 1.0, 0.0, 0.5, 0.5),
    (0.9, 0.9, 0.9, 1.5, 0.05, 0.1),
    (0.8, 0.9, 0.9, 0.0, 0.5, 1.0),  # referred users always convert
    (0.8, 0.9, 0.9, 0.0, 0.0, 0.4),  # only referred users convert
]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("replicate", [0, 7])
def test_ewom_kernel_matches_reference(directed, params, replicate):
    g = small_graph(60, 150, directed, seed=replicate + 3)
    seeds = np.array([0, 5, 5, 17], dtype=np.int64)  # a repeated seed counts once
    steps = 6
    got = ewom_trace(g, seeds, *params, steps, ROOT, replicate)
    nodes, flags, referrer, first_step, order, _parent, counts, series, sv = got
    ref = ewom_reference(g.indptr, g.indices, seeds, *params, steps, int(ROOT), replicate)

    for name, col in REFERENCE_COUNTS.items():
        assert counts[col] == ref[name], name
    assert sv == pytest.approx(ref["structural_virality"], rel=1e-12)
    assert order[: counts[L.C_SHARES]].tolist() == ref["shared"]
    keys = ["impressions", "reach", "engagements", "shares", "conversions"]
    expect = np.array([[row[k] for k in keys] for row in ref["series"]]).reshape(-1, 5)
    np.testing.assert_array_equal(series[: len(expect)], expect)
    assert not series[len(expect) :].any()
    # who referred whom, and when each user first saw the content
    reached = {
        int(v): (int(s), int(r))
        for v, s, r, f in zip(nodes, first_step, referrer, flags, strict=True)
        if f & L.REACHED
    }
    assert reached == ref["first_exposure"]
    converted = {int(v) for v, f in zip(nodes, flags, strict=True) if f & L.CONVERTED}
    assert converted == ref["converted"]


MULTIPLIERS = [
    # one row per segment: stickiness, contagion, conversion multipliers
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
    [[2.0, 1.0, 0.5], [0.5, 1.5, 3.0], [1.0, 0.0, 0.0]],
    [[0.0, 1.0, 1.0], [10.0, 10.0, 10.0], [1.3, 0.7, 1.2]],
]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("params", PARAMS[:3] + PARAMS[5:])
@pytest.mark.parametrize("seg_mult", MULTIPLIERS)
def test_ewom_kernel_with_segment_multipliers_matches_reference(directed, params, seg_mult):
    """Per-segment multipliers (clipped at 1) agree event for event with the reference;
    all-ones multipliers give exactly the run without them."""
    g = small_graph(60, 150, directed, seed=5)
    segment_of = (np.arange(g.n) % 3).astype(np.int32)
    seeds = np.array([0, 5, 17], dtype=np.int64)
    steps, replicate = 6, 3
    args = ewom_args(g, params, seg_mult)
    got = traced(ewom, args, seeds, steps, ROOT, replicate, g.n, segment_of)
    nodes, flags, referrer, first_step, order, _parent, counts, series, sv = got
    ref = ewom_reference(
        g.indptr, g.indices, seeds, *params, steps, int(ROOT), replicate, segment_of, seg_mult
    )
    for name, col in REFERENCE_COUNTS.items():
        assert counts[col] == ref[name], name
    assert sv == pytest.approx(ref["structural_virality"], rel=1e-12)
    reached = {
        int(v): (int(s), int(r))
        for v, s, r, f in zip(nodes, first_step, referrer, flags, strict=True)
        if f & L.REACHED
    }
    assert reached == ref["first_exposure"]
    assert order[: counts[L.C_SHARES]].tolist() == ref["shared"]
    keys = ["impressions", "reach", "engagements", "shares", "conversions"]
    expect = np.array([[row[k] for k in keys] for row in ref["series"]]).reshape(-1, 5)
    np.testing.assert_array_equal(series[: len(expect)], expect)
    converted = {int(v) for v, f in zip(nodes, flags, strict=True) if f & L.CONVERTED}
    assert converted == ref["converted"]
    if np.all(np.asarray(seg_mult) == 1.0):
        plain = ewom_trace(g, seeds, *params, steps, ROOT, replicate)
        for a, b in zip(got, plain, strict=True):
            np.testing.assert_array_equal(a, b)


def test_ensemble_with_multipliers_matches_trace():
    """The ensemble (per-segment tallies on) gives each replicate's trace counts."""
    g = small_graph(300, 900, False, seed=11)
    segment_of = (np.arange(g.n) % 4).astype(np.int32)
    seg_mult = np.array([[1.5, 1.0, 2.0], [0.5, 2.0, 1.0], [1.0, 1.0, 1.0], [3.0, 0.2, 0.0]])
    params = (0.7, 0.4, 0.6, 0.0, 0.1, 0.2)
    seeds = random_seed_sets(g.n, 4, ROOT, 0, 10)
    args = ewom_args(g, params, seg_mult)
    out = driver.ensemble(ewom, args, seeds, ROOT, 0, 10, 15, 2, g.n, segment_of, 4)
    for r in range(10):
        one = traced(ewom, args, seeds[r], 15, ROOT, r, g.n, segment_of)
        np.testing.assert_array_equal(out.counts[r], one[6])
    reach = out.segment_counts[:, :, SEGMENT_COLUMNS.index("reach")].sum(axis=1)
    np.testing.assert_array_equal(reach, out.counts[:, L.C_REACH])


def dense(out, steps):
    """``ensemble``'s outputs with the packed series unpacked: counts, virality, the
    ``(runs, steps, 5)`` series and the profile (depth, peak step)."""
    return (
        out.counts,
        out.virality,
        dense_of(out, steps),
        out.profile[:, :2],
    )


def test_ensemble_matches_trace_and_is_thread_independent():
    g = small_graph(300, 900, False, seed=11)
    seeds = random_seed_sets(g.n, 4, ROOT, 0, 12)
    args = (0.7, 0.5, 0.8, 0.0, 0.1, 0.2, 20, ROOT, 0, 12)
    one = dense(ewom_ensemble(g, seeds, *args, 1), 20)
    for chunks in (2, 3, 12):
        other = dense(ewom_ensemble(g, seeds, *args, chunks), 20)
        for a, b in zip(one, other, strict=True):
            np.testing.assert_array_equal(a, b)
    for r in (0, 5, 11):
        t = ewom_trace(g, seeds[r], *args[:-3], ROOT, r)
        np.testing.assert_array_equal(t[6], one[0][r])
        np.testing.assert_array_equal(t[7], one[2][r])


def test_ensemble_batches_equal_one_call():
    """Replicate r's streams depend on r alone, so batching changes nothing."""
    g = small_graph(200, 700, True, seed=5)
    seeds = np.array([[1, 2, 3]])
    args = (0.8, 0.6, 0.9, 4.0, 0.1, 0.2, 15, ROOT)
    whole = dense(ewom_ensemble(g, seeds, *args, 0, 10, 2), 15)
    first = dense(ewom_ensemble(g, seeds, *args, 0, 4, 2), 15)
    rest = dense(ewom_ensemble(g, seeds, *args, 4, 6, 2), 15)
    np.testing.assert_array_equal(whole[0], np.vstack([first[0], rest[0]]))
    np.testing.assert_array_equal(whole[2], np.concatenate([first[2], rest[2]]))


def test_random_seed_sets_match_reference():
    sets = random_seed_sets(50, 7, ROOT, 3, 4)
    for r in range(4):
        assert sets[r].tolist() == random_seed_set(50, 7, int(ROOT), 3 + r)
        assert len(set(sets[r].tolist())) == 7


@pytest.mark.parametrize("p", [0.9, 0.5, 0.2, 0.05, 0.01, 1e-4])
def test_gap_table_gives_the_same_draws_as_the_logarithm(p):
    from numba import njit

    from smmsim._kernels.rng import fast_gap, gap_table, geometric_gap

    @njit
    def both(inv, tab, n):
        a = np.uint64(12345)
        b = np.uint64(12345)
        out = 0
        for _ in range(n):
            a, g1 = geometric_gap(a, inv)
            b, g2 = fast_gap(b, inv, tab)
            out += g1 != g2
        return out

    inv = 1.0 / np.log1p(-p)
    assert both(inv, gap_table(inv), 200_000) == 0


def test_kernel_column_constants_follow_the_raw_batch_columns():
    """Every kernel indexes its outputs with the one set of constants in the ledger."""
    from smmsim.models.base import COUNT_COLUMNS, SERIES_COLUMNS

    for i, name in enumerate(COUNT_COLUMNS):
        key = "C_" + ("pending" if name == "pending_shares" else name).upper()
        assert getattr(L, key) == i, key
    for i, name in enumerate(SERIES_COLUMNS):
        assert getattr(L, "T_" + name.upper()) == i
    assert (L.N_COUNTS, L.N_SERIES) == (len(COUNT_COLUMNS), len(SERIES_COLUMNS))


def test_packed_series_and_seed_only_shortcut_match_trace():
    """Many replicates over several blocks per worker, from one shared seed row at a low
    visibility (most replicates end at the seeds' posts and take the shortcut): every
    replicate's counts, packed-and-unpacked series, virality and depth equal the
    record-keeping replicate, which never takes the shortcut."""
    g = small_graph(400, 1200, False, seed=3)
    seeds = np.array([[5, 17, 5, 230]])  # a repeated seed counts once
    runs, steps = 200, 12
    args = (0.04, 0.9, 0.7, 0.0, 0.3, 0.5, steps, ROOT, 0, runs)
    outs = {c: dense(ewom_ensemble(g, seeds, *args, c), steps) for c in (1, 3)}
    counts, virality, series, profile = outs[1]
    for a, b in zip(outs[1], outs[3], strict=True):
        np.testing.assert_array_equal(a, b)
    quiet = 0
    for r in range(runs):
        t = ewom_trace(g, seeds[0], *args[:-3], ROOT, r)
        np.testing.assert_array_equal(t[6], counts[r])
        np.testing.assert_array_equal(t[7], series[r])
        assert t[8] == virality[r]
        active = np.nonzero(t[7][:, L.T_SHARES])[0]
        assert profile[r, 0] == active.max()
        quiet += counts[r, L.C_IMPRESSIONS] == 0
    assert 0 < quiet < runs  # both paths were exercised


def test_a_kept_workspace_changes_nothing():
    """The users' state words carry replicate stamps, so a workspace the driver keeps
    from call to call (and across worker counts, and past the largest stamp, where it
    is cleared) gives exactly the fresh workspace's results."""
    g = small_graph(300, 900, False, seed=8)
    seeds = np.array([[3, 40, 77]])
    args = (0.5, 0.7, 0.8, 0.0, 0.2, 0.4, 15, ROOT)
    fresh = dense(ewom_ensemble(g, seeds, *args, 0, 150, 1), 15)
    ewom_ensemble(g, seeds, *args, 0, 150, 3)  # the driver now keeps three workspaces
    kept = driver._WORKSPACES._free[(ewom.__name__, g.n)]
    assert len(kept) == 3
    for work in kept:
        work[1][:] = ewom.MAX_STAMP - 40  # every worker passes the largest stamp next
    for chunks in (3, 1, 2):
        for _ in range(2):  # twice in a row with the same workspaces
            again = ewom_ensemble(g, seeds, *args, 0, 150, chunks)
            for a, b in zip(fresh, dense(again, 15), strict=True):
                np.testing.assert_array_equal(a, b)
    stamps = [int(w[1][0]) for w in driver._WORKSPACES._free[(ewom.__name__, g.n)]]
    assert max(stamps) < ewom.MAX_STAMP and max(stamps) > 0
    # a kept workspace is never lent for another audience size
    other = small_graph(301, 900, False, seed=8)
    np.testing.assert_array_equal(
        ewom_ensemble(other, seeds, *args, 0, 20, 2).counts,
        ewom_ensemble(other, seeds, *args, 0, 20, 1).counts,
    )


def test_stream_purposes_are_one_registry_of_distinct_numbers():
    """Every random-stream purpose lives in ``_kernels.rng`` and no two share a number
    (two purposes on one number would draw the same stream)."""
    import smmsim._kernels.bass
    import smmsim._kernels.ewom
    import smmsim._kernels.generators
    import smmsim._kernels.social
    from smmsim._kernels import rng

    assert len(set(rng.PURPOSES.values())) == len(rng.PURPOSES)
    assert {"cascade", "conversion", "seeding", "impression", "ads", "parent"} <= set(rng.PURPOSES)
    for module in (
        smmsim._kernels.bass,
        smmsim._kernels.ewom,
        smmsim._kernels.generators,
        smmsim._kernels.social,
    ):
        for name, value in vars(module).items():
            if name.startswith("PURPOSE_"):
                assert getattr(rng, name) == value, f"{module.__name__}.{name}"
