"""The content-calendar kernel against its slow reference, replicate by replicate, and the
calendar's own laws.

* Every count the kernel records (the funnel's totals and per-step series, each post's
  tallies, structural virality) and every user's record in a trace (first contact, first
  post, the post and referrer credited with a conversion) equals the reference's
  (``tests/calendar_reference.py``), on small graphs with calendars, fatigue and
  segment multipliers, whatever the thread count.
* Two posts without fatigue are independent: a user is reached by either with
  probability ``1 - (1 - r1)(1 - r2)``.
* Fatigue lowers engagement as ``(1 - fatigue) ** e`` says.
* A user converts at most once; per-post tallies sum to the totals.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from calendar_reference import COUNTS, POST_COLUMNS, calendar_reference

from smmsim._kernels import driver
from smmsim._kernels import posts as K
from smmsim._kernels.layout import N_COUNTS, SERIES_COLUMNS
from smmsim._kernels.posts_layout import N_POST_COLUMNS, tally_width

ROOT = 0x5EED_CA1E_0021


def random_graph(n, m, seed, directed=True):
    rnd = random.Random(seed)
    edges = set()
    while len(edges) < m:
        u, v = rnd.randrange(n), rnd.randrange(n)
        if u != v:
            edges.add((u, v))
            if not directed:
                edges.add((v, u))
    rows = [[] for _ in range(n)]
    for u, v in sorted(edges):
        rows[u].append(v)
    indptr, indices = [0], []
    for row in rows:
        indices += row
        indptr.append(len(indices))
    return indptr, indices


def kernel_args(indptr, indices, posts, seeds, funnel, seg_mult):
    params = np.array(
        [[p["visibility"], p["stickiness"], p["contagion"], p["half_life"]] for p in posts],
        dtype=np.float64,
    )
    ints = np.zeros((len(posts), K.N_INTS), dtype=np.int64)
    at = 0
    for i, p in enumerate(posts):
        ints[i, K.I_LAUNCH] = p["launch"]
        ints[i, K.I_SEED_START] = at
        at += len(seeds[i])
        ints[i, K.I_SEED_END] = at
    sm = np.zeros((0, 3)) if seg_mult is None else np.asarray(seg_mult, dtype=np.float64)
    return (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int32),
        params,
        ints,
        np.asarray(funnel, dtype=np.float64),
        sm,
    )


def seed_row(seeds):
    return np.asarray([s for post in seeds for s in post], dtype=np.int64).reshape(1, -1)


CASES = {
    "two posts": dict(
        n=40, m=160, graph_seed=1,
        posts=[
            dict(visibility=0.7, stickiness=0.5, contagion=0.6, half_life=0.0, launch=0),
            dict(visibility=0.5, stickiness=0.4, contagion=0.7, half_life=3.0, launch=2),
        ],
        seeds=[[0, 1, 1], [1, 5]], funnel=(0.3, 0.6, 0.0), steps=12, seg=None,
    ),
    "calendar with fatigue and segments": dict(
        n=60, m=300, graph_seed=2,
        posts=[
            dict(visibility=0.6, stickiness=0.6, contagion=0.5, half_life=4.0, launch=0),
            dict(visibility=1.0, stickiness=0.3, contagion=0.8, half_life=0.0, launch=3),
            dict(visibility=0.6, stickiness=1.0, contagion=1.0, half_life=0.0, launch=5),
            dict(visibility=0.4, stickiness=0.5, contagion=0.4, half_life=2.0, launch=9),
        ],
        seeds=[[3, 4], [3], [10, 11, 12], [20]], funnel=(0.2, 0.5, 0.3), steps=14,
        seg=[[1.5, 0.8, 2.0], [0.5, 1.5, 1.0], [1.0, 1.0, 0.0]],
    ),
    "undirected, heavy fatigue, horizon cut": dict(
        n=50, m=120, graph_seed=3, directed=False,
        posts=[
            dict(visibility=0.8, stickiness=0.9, contagion=0.9, half_life=0.0, launch=1),
            dict(visibility=0.8, stickiness=0.9, contagion=0.9, half_life=0.0, launch=1),
        ],
        seeds=[[7], [8]], funnel=(0.5, 1.0, 0.6), steps=5, seg=None,
    ),
}  # fmt: skip


def run_case(case, reps, threads=1, first=0):
    indptr, indices = random_graph(
        case["n"], case["m"], case["graph_seed"], case.get("directed", True)
    )
    n = case["n"]
    segment_of = np.arange(n, dtype=np.int32) % 3 if case["seg"] is not None else None
    args = kernel_args(indptr, indices, case["posts"], case["seeds"], case["funnel"], case["seg"])
    ledger = driver.ensemble(
        K, args, seed_row(case["seeds"]), np.uint64(ROOT), first, reps, case["steps"],
        threads, n, segment_of=segment_of, n_segments=3 if segment_of is not None else 0,
        n_tallies=tally_width(len(case["posts"])),
    )  # fmt: skip
    return ledger, (indptr, indices, segment_of)


def reference(case, graph, r):
    indptr, indices, segment_of = graph
    conv, conv_ref, fatigue = case["funnel"]
    return calendar_reference(
        indptr, indices, case["posts"], case["seeds"], conv, conv_ref, fatigue, case["steps"],
        ROOT, r, segment_of=segment_of, seg_mult=case["seg"],
    )  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_kernel_matches_the_reference(name):
    case = CASES[name]
    reps = 150
    ledger, graph = run_case(case, reps)
    P = len(case["posts"])
    busy = 0
    for r in range(reps):
        ref = reference(case, graph, r)
        counts = ledger.counts[r]
        assert [int(x) for x in counts] == [ref["counts"][c] for c in COUNTS], r
        used = int(ledger.used[r])
        assert used == ref["steps_run"]
        assert int(ledger.profile[r, 0]) == ref["depth"]
        start = int(ledger.ev_start[r])
        got = ledger.events[start : start + used]
        want = [[row[c] for c in SERIES_COLUMNS] for row in ref["series"]]
        assert got.tolist() == want, r
        tallies = ledger.tallies[r].reshape(P, N_POST_COLUMNS)
        assert tallies.tolist() == [[t[c] for c in POST_COLUMNS] for t in ref["tallies"]]
        assert ledger.virality[r] == pytest.approx(ref["virality"], rel=1e-12, abs=1e-12)
        busy += ref["counts"]["conversions"] > 0
    assert busy > 0  # the cases must convert someone


@pytest.mark.parametrize("name", list(CASES))
def test_any_thread_count_and_batching_give_the_same_runs(name):
    case = CASES[name]
    one, _ = run_case(case, 200, threads=1)
    two, _ = run_case(case, 200, threads=3)
    assert np.array_equal(one.counts, two.counts)
    assert np.array_equal(one.tallies, two.tallies)
    assert np.array_equal(one.virality, two.virality)
    part, _ = run_case(case, 100, threads=2, first=100)
    assert np.array_equal(one.counts[100:], part.counts)
    assert np.array_equal(one.tallies[100:], part.tallies)


@pytest.mark.parametrize("name", list(CASES))
def test_trace_records_first_post_and_the_credited_referrer(name):
    case = CASES[name]
    indptr, indices = random_graph(
        case["n"], case["m"], case["graph_seed"], case.get("directed", True)
    )
    args = kernel_args(indptr, indices, case["posts"], case["seeds"], case["funnel"], None)
    free = dict(case, seg=None)
    checked = 0
    for r in range(20):
        ledger, record = driver.trace(
            K, args, seed_row(case["seeds"]), np.uint64(ROOT), r, case["steps"], case["n"],
            tally_width(len(case["posts"])),
        )  # fmt: skip
        base, first_post, buy_post, buy_ref, opost = record
        nodes, flags, referrer, first_step, order, parent = base
        ref = reference(free, (indptr, indices, None), r)
        assert sorted(nodes.tolist()) == sorted(ref["users"])
        for i, v in enumerate(nodes.tolist()):
            u = ref["users"][v]
            got = (int(flags[i]), int(referrer[i]), int(first_step[i]), int(first_post[i]))
            assert got == (u["flags"], u["referrer"], u["first_step"], u["first_post"]), v
            assert (int(buy_post[i]), int(buy_ref[i])) == (u["buy_post"], u["buy_ref"]), v
            checked += u["buy_post"] >= 0
        assert order.tolist() == [rec[0] for rec in ref["records"]]
        assert parent.tolist() == [rec[1] for rec in ref["records"]]
        assert opost.tolist() == [rec[2] for rec in ref["records"]]
        assert int(ledger.counts[0, 9]) == sum(u["buy_post"] >= 0 for u in ref["users"].values())
    assert checked > 0


def test_per_post_tallies_sum_to_the_totals_and_users_convert_once():
    case = CASES["calendar with fatigue and segments"]
    ledger, _ = run_case(case, 400)
    P = len(case["posts"])
    t = ledger.tallies.reshape(-1, P, N_POST_COLUMNS)
    c = ledger.counts
    col = {name: i for i, name in enumerate(COUNTS)}
    q = {name: i for i, name in enumerate(POST_COLUMNS)}
    assert np.array_equal(t[:, :, q["conversions"]].sum(1), c[:, col["conversions"]])
    assert np.array_equal(
        t[:, :, q["referral_conversions"]].sum(1), c[:, col["referral_conversions"]]
    )
    assert np.array_equal(t[:, :, q["impressions"]].sum(1), c[:, col["impressions"]])
    # sharers per (user, post): seeds and activated sharers of every post
    assert np.array_equal(
        t[:, :, q["sharers"]].sum(1), c[:, col["shares"]] + c[:, col["pending_shares"]]
    )
    reach = t[:, :, q["reach"]]
    assert np.all(reach.max(1) <= c[:, col["reach"]])
    assert np.all(reach.sum(1) >= c[:, col["reach"]])
    assert np.all(t[:, :, q["earned_reach"]] <= reach)
    assert np.all(t[:, :, q["engaged"]].max(1) <= c[:, col["engaged"]])
    assert np.all(t[:, :, q["engaged"]].sum(1) >= c[:, col["engaged"]])
    assert np.all(c[:, col["conversions"]] <= c[:, col["engaged"]])
    assert np.all(c[:, col["conversions"]] <= case["n"])
    assert c[:, col["conversions"]].sum() > 0
    assert N_COUNTS == len(COUNTS)


def _star(n_leaves):
    """User 0 followed by ``n_leaves`` users (each leaf a one-user audience of its own)."""
    indptr = [0, n_leaves] + [n_leaves] * n_leaves
    return indptr, list(range(1, n_leaves + 1))


def _ensemble(indptr, indices, posts, seeds, funnel, steps, reps):
    args = kernel_args(indptr, indices, posts, seeds, funnel, None)
    return driver.ensemble(
        K, args, seed_row(seeds), np.uint64(ROOT), 0, reps, steps, 2, len(indptr) - 1,
        n_tallies=tally_width(len(posts)),
    )  # fmt: skip


def test_two_posts_without_fatigue_reach_users_independently():
    # an undirected small graph; post 0 from user 0 at step 0, post 1 from user 1 at step 2
    indptr, indices = random_graph(30, 50, 7, directed=False)
    posts = [
        dict(visibility=0.6, stickiness=0.5, contagion=0.8, half_life=0.0, launch=0),
        dict(visibility=0.7, stickiness=0.4, contagion=0.9, half_life=0.0, launch=2),
    ]
    seeds = [[0], [1]]
    reps = 4000
    steps = 12

    def reached(which):
        out = np.zeros((reps, 30), dtype=bool)
        ps = [posts[i] for i in which]
        ss = [seeds[i] for i in which]
        args = kernel_args(indptr, indices, ps, ss, (0.0, 0.0, 0.0), None)
        for r in range(reps):
            _, record = driver.trace(
                K, args, seed_row(ss), np.uint64(ROOT ^ (which[-1] * 77)), r, steps, 30,
                tally_width(len(ps)),
            )  # fmt: skip
            nodes, flags = record[0][0], record[0][1]
            out[r, nodes[(flags & 1) != 0]] = True
        return out

    # the reach probability of each post alone (independent streams), and of both
    both = np.zeros((reps, 30), dtype=bool)
    args = kernel_args(indptr, indices, posts, seeds, (0.0, 0.0, 0.0), None)
    for r in range(reps):
        _, record = driver.trace(
            K, args, seed_row(seeds), np.uint64(ROOT), r, steps, 30, tally_width(2)
        )
        nodes, flags = record[0][0], record[0][1]
        both[r, nodes[(flags & 1) != 0]] = True
    r1 = reached([0]).mean(0)
    r2 = reached([1]).mean(0)
    # seeds are not reached by their own post: compare users 2..29
    users = np.arange(2, 30)
    expected = 1 - (1 - r1[users]) * (1 - r2[users])
    got = both.mean(0)[users]
    # SE of the difference: the joint frequency's plus the product's (delta method)
    se = np.sqrt(
        got * (1 - got) / reps
        + ((1 - r2[users]) ** 2 * r1[users] * (1 - r1[users])
           + (1 - r1[users]) ** 2 * r2[users] * (1 - r2[users])) / reps
    )  # fmt: skip
    tested = (expected > 0.02) & (expected < 0.98)
    assert tested.sum() >= 10
    assert np.all(np.abs(got - expected)[tested] <= 4 * se[tested] + 1e-9)


def test_fatigue_lowers_engagement_as_the_formula_says():
    # user 0 posts twice (two posts, visibility 1) to 400 followers who each see post 0 at
    # step 0 then post 1 at step 1: post 1's engagement rate is stickiness x (1 - f)
    leaves = 400
    indptr, indices = _star(leaves)
    f = 0.4
    posts = [
        dict(visibility=1.0, stickiness=0.5, contagion=0.0, half_life=0.0, launch=0),
        dict(visibility=1.0, stickiness=0.5, contagion=0.0, half_life=0.0, launch=1),
    ]
    reps = 50
    ledger = _ensemble(indptr, indices, posts, [[0], [0]], (0.0, 0.0, f), 3, reps)
    t = ledger.tallies.reshape(reps, 2, N_POST_COLUMNS)
    n = reps * leaves
    for p, rate in ((0, 0.5), (1, 0.5 * (1 - f))):
        freq = t[:, p, 3].sum() / n  # engaged with post p
        se = math.sqrt(rate * (1 - rate) / n)
        assert abs(freq - rate) <= 4 * se, (p, freq, rate)
    # without fatigue, both posts engage at the same rate
    ledger = _ensemble(indptr, indices, posts, [[0], [0]], (0.0, 0.0, 0.0), 3, reps)
    t = ledger.tallies.reshape(reps, 2, N_POST_COLUMNS)
    freq = t[:, 1, 3].sum() / n
    assert abs(freq - 0.5) <= 4 * math.sqrt(0.25 / n)


def test_a_user_converts_once_though_engaging_with_every_post():
    leaves = 50
    indptr, indices = _star(leaves)
    posts = [
        dict(visibility=1.0, stickiness=1.0, contagion=0.0, half_life=0.0, launch=t)
        for t in range(4)
    ]
    ledger = _ensemble(indptr, indices, posts, [[0]] * 4, (1.0, 1.0, 0.0), 5, 3)
    t = ledger.tallies.reshape(3, 4, N_POST_COLUMNS)
    assert ledger.counts[:, 9].tolist() == [leaves] * 3  # conversions
    assert t[:, 0, 5].tolist() == [leaves] * 3  # all credited to the first post
    assert t[:, 1:, 5].sum() == 0
    assert t[:, :, 3].sum(1).tolist() == [4 * leaves] * 3  # engaged with every post
    assert ledger.counts[:, 4].tolist() == [leaves] * 3  # engaged users
    assert ledger.counts[:, 7].tolist() == [4] * 3  # seeds per (user, post)
