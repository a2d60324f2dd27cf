"""The competing-contents reference (tests/compete_reference.py) against exact values.

* On graphs of 5-6 users, the exact probability that each user ends with each stance is
  computed by exhaustive enumeration of the independent coins (one engage coin per content
  and edge, share and protect coins where their probability is below 1, a fair coin for the
  turn order of each step where two contents both share), each outcome run through a small
  deterministic simulator written here from the rules. The reference's frequencies over
  4000 seeded replicates must agree within 4 standard errors.
* A closed form for one user's brand conversion and reply under a claim (damage, ignore,
  customer service).
* Invariants replicate by replicate: a claim that cannot stick changes no brand count;
  contents on disjoint halves of an audience behave as if alone (the draws are keyed by
  content and edge, not by their order).
* Symmetry: two symmetric contents from symmetric seeds have share of voice 0.5.
* The response: a detect trigger fires when the claim's reach reaches the count, and the
  rebuttal's accounts are drawn from what they should be drawn from.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pytest
from compete_reference import (
    BELIEVER,
    BRAND,
    COMPETITOR,
    EV_CONVERT,
    EV_ENGAGE,
    EV_REACH,
    EV_REPLY,
    EV_STANCE,
    NEUTRAL,
    STANCES,
    compete_reference,
)

ROOT = 0x5EED_C0FFEE_0042
N_REPS = 4000


def csr(n, edges):
    """CSR arrays of a directed edge list, each row in the order listed."""
    rows = [[] for _ in range(n)]
    for u, v in edges:
        rows[u].append(v)
    indptr, indices = [0], []
    for row in rows:
        indices += row
        indptr.append(len(indices))
    return indptr, indices


def undirected(edges):
    return [e for u, v in edges for e in ((u, v), (v, u))]


# --- exact enumeration -------------------------------------------------------------------


class _Unknown(Exception):
    """The simulation asked a coin whose outcome the current branch has not fixed."""

    def __init__(self, key, p):
        self.key, self.p = key, p


def _coin(fixed, key, p):
    """``U_key < p`` for a uniform ``U_key`` known to lie in ``fixed[key]`` (default [0, 1))."""
    if p >= 1.0:
        return True
    if p <= 0.0:
        return False
    lo, hi = fixed.get(key, (0.0, 1.0))
    if hi <= p:
        return True
    if lo >= p:
        return False
    raise _Unknown(key, p)


def enumerate_outcomes(simulate):
    """Exact distribution of ``simulate(coin)`` over independent uniform coins.

    ``simulate`` asks ``coin(key, p)`` for the event ``U_key < p``; a key asked twice is the
    same uniform. Every branch splits a key's interval at the asked ``p``, so the leaves
    partition the coins' space and each weighs the product of its intervals' lengths.
    """
    dist = defaultdict(float)
    stack = [{}]
    while stack:
        fixed = stack.pop()
        try:
            result = simulate(lambda key, p, fixed=fixed: _coin(fixed, key, p))
        except _Unknown as need:
            lo, hi = fixed.get(need.key, (0.0, 1.0))
            stack.append({**fixed, need.key: (lo, need.p)})
            stack.append({**fixed, need.key: (need.p, hi)})
            continue
        weight = 1.0
        for lo, hi in fixed.values():
            weight *= hi - lo
        dist[result] += weight
    assert math.isclose(sum(dist.values()), 1.0, rel_tol=1e-12)
    return dict(dist)


def stance_simulator(n, edges, contents, steps, rebuttal_step=-1, rebuttal_accounts=()):
    """A deterministic run of the rules' stance logic given the coins.

    ``contents`` as for the reference (at most two posts, then an optional rebuttal whose
    launch step and accounts are given). Only what decides stances is simulated: customer
    service and conversions change no stance, and a believer engaging with a brand post
    stays a believer, so the ignore coin is never needed.
    Returns ``(stances, protected)`` as tuples.
    """
    out_edges = [[] for _ in range(n)]
    for j, (u, v) in enumerate(sorted(edges, key=lambda e: e[0])):  # CSR positions
        out_edges[u].append((j, v))
    reb = len(contents) - 1 if contents[-1].get("role") == "rebuttal" else -1
    posts = [c for c in range(len(contents)) if c != reb]
    assert len(posts) <= 2

    def simulate(coin):
        stance = [NEUTRAL] * n
        protected = [False] * n
        shared = set()
        pending = []

        def stick(c, t, launch):
            p = contents[c]
            if p.get("half_life", 0) > 0:
                return p["stickiness"] * 0.5 ** ((t - launch) / p["half_life"])
            return p["stickiness"]

        for t in range(steps):
            for c in posts:
                if contents[c].get("launch", 0) == t:
                    for s in contents[c]["seeds"]:
                        if (c, s) in shared:
                            continue
                        shared.add((c, s))
                        pending.append((c, s))
                        owner = contents[c]["owner"]
                        if stance[s] == NEUTRAL and owner != "claim":
                            stance[s] = BRAND if owner == "brand" else COMPETITOR
            if t == rebuttal_step:
                for s in rebuttal_accounts:
                    if (reb, s) in shared:
                        continue
                    shared.add((reb, s))
                    pending.append((reb, s))
                    if stance[s] in (BELIEVER, NEUTRAL):
                        stance[s] = NEUTRAL
                        protected[s] = True
            frontier, pending = pending, []
            active = {c for c, _ in frontier}
            order = list(posts)
            if len(posts) == 2 and set(posts) <= active and coin(("turn", t), 0.5):
                order.reverse()
            if reb >= 0:
                order.insert(0, reb)
            for c in order:
                p = contents[c]
                launch = rebuttal_step if c == reb else p.get("launch", 0)
                for rc, u in frontier:
                    if rc != c:
                        continue
                    for j, v in out_edges[u]:
                        if (c, v) in shared:
                            continue
                        if not coin((c, j, "vis"), p.get("visibility", 1.0)):
                            continue  # (never asked twice: one sharer per edge and content)
                        owner = p["owner"]
                        if c == reb:
                            if stance[v] == BELIEVER:
                                if coin((c, j, "protect"), p["correction"]):
                                    stance[v] = NEUTRAL
                                    protected[v] = True
                            elif stance[v] == NEUTRAL and not protected[v]:
                                if coin((c, j, "protect"), p["inoculation"]):
                                    protected[v] = True
                        elif owner == "brand":
                            if stance[v] in (COMPETITOR, BELIEVER):
                                continue  # a believer who engages stays one, shares nothing
                        elif owner == "competitor":
                            if stance[v] not in (NEUTRAL, COMPETITOR):
                                continue
                        elif not (
                            stance[v] == BELIEVER or (stance[v] == NEUTRAL and not protected[v])
                        ):
                            continue
                        if not coin((c, j, "engage"), stick(c, t, launch)):
                            continue
                        if stance[v] == NEUTRAL and c != reb:
                            stance[v] = {"brand": BRAND, "competitor": COMPETITOR}.get(
                                owner, BELIEVER
                            )
                        if coin((c, j, "share"), p["contagion"]):
                            shared.add((c, v))
                            pending.append((c, v))
        return tuple(stance), tuple(protected)

    return simulate


def reference_runs(n, edges, contents, steps, response=None, reps=N_REPS, **kw):
    indptr, indices = csr(n, edges)
    return [
        compete_reference(
            indptr, indices, contents, response, steps=steps, root=ROOT, replicate=r, n=n, **kw
        )
        for r in range(reps)
    ]


def assert_frequencies(exact, runs, n, protected=False):
    """Each user's stance (and protection) frequencies within 4 standard errors of exact."""
    reps = len(runs)
    checks = []
    for v in range(n):
        for s in range(4):
            p = sum(w for (stances, _), w in exact.items() if stances[v] == s)
            freq = sum(run["stance"][v] == s for run in runs) / reps
            checks.append((f"user {v} {STANCES[s]}", p, freq))
        if protected:
            p = sum(w for (_, prot), w in exact.items() if prot[v])
            freq = sum(run["protected"][v] for run in runs) / reps
            checks.append((f"user {v} protected", p, freq))
    for what, p, freq in checks:
        if p < 1e-12 or p > 1 - 1e-12:
            assert freq == round(p), (what, p, freq)
        else:
            se = math.sqrt(p * (1 - p) / reps)
            assert abs(freq - p) <= 4 * se, (what, p, freq, se)
    # the enumeration must have something to say: some stance is genuinely uncertain
    assert any(0.05 < p < 0.95 for _, p, _ in checks)


# A small directed audience where two contents meet in the middle (users 1, 2, 3).
EDGES5 = [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 1), (4, 2), (4, 3), (2, 1)]


def test_exact_brand_against_claim():
    contents = [
        dict(owner="brand", stickiness=0.6, contagion=1.0, half_life=2.0, seeds=[0]),
        dict(
            owner="claim",
            stickiness=0.9,
            contagion=1.0,
            half_life=1.0,
            launch=1,
            seeds=[4],
            damage=0.5,
            ignore=0.3,
        ),
    ]
    exact = enumerate_outcomes(stance_simulator(5, EDGES5, contents, steps=6))
    runs = reference_runs(5, EDGES5, contents, 6, funnel=dict(conversion=0.2))
    assert_frequencies(exact, runs, 5)


def test_exact_brand_against_competitor():
    contents = [
        dict(owner="brand", stickiness=0.5, contagion=1.0, seeds=[0]),
        dict(
            owner="competitor",
            stickiness=0.8,
            contagion=0.7,
            visibility=0.9,
            seeds=[4],
            conversion=0.3,
        ),
    ]
    exact = enumerate_outcomes(stance_simulator(5, EDGES5, contents, steps=5))
    runs = reference_runs(5, EDGES5, contents, 5)
    assert_frequencies(exact, runs, 5)


def test_exact_claim_with_rebuttal_after_a_delay():
    edges = [(0, 1), (1, 2), (2, 3), (1, 3), (5, 2), (5, 3), (3, 4), (2, 4), (0, 5)]
    contents = [
        dict(owner="brand", stickiness=0.5, contagion=1.0, seeds=[5], launch=1),
        dict(owner="claim", stickiness=0.8, contagion=1.0, seeds=[0]),
        dict(
            owner="brand",
            role="rebuttal",
            stickiness=0.7,
            contagion=1.0,
            correction=0.6,
            inoculation=0.4,
        ),
    ]
    response = dict(mode="delay", delay=1, accounts="influencers", nodes=[1])
    simulate = stance_simulator(6, edges, contents, steps=6, rebuttal_step=1, rebuttal_accounts=[1])
    exact = enumerate_outcomes(simulate)
    runs = reference_runs(6, edges, contents, 6, response)
    assert all(run["rebuttal_step"] == 1 for run in runs)
    assert_frequencies(exact, runs, 6, protected=True)


def check_probabilities(checks, freq, reps):
    for key, p in checks.items():
        se = math.sqrt(p * (1 - p) / reps)
        assert abs(freq[key] / reps - p) <= 4 * se, (key, p, freq[key] / reps)


def test_conversion_of_a_believer_closed_form():
    """User 2 may believe the claim (step 0) before the brand post reaches it from peer 3
    (step 1). With E = s [c (1 - i) s + (1 - c) s] (3 engages and shares, then 2 engages,
    ignoring the post with probability i if a believer): P(engage) = E, P(reply) = E r,
    P(convert) = s [c (1 - i) s (1 - d) + (1 - c) s] q (r g + 1 - r) (damage on a
    believer's conversion, uplift g when answered in time)."""
    s, c, i, d, q, r, g = 0.7, 0.9, 0.3, 0.5, 0.6, 0.5, 1.5
    edges = [(0, 2), (1, 3), (3, 2)]
    contents = [
        dict(owner="brand", stickiness=s, contagion=1.0, seeds=[1]),
        dict(owner="claim", stickiness=c, contagion=0.0, seeds=[0], damage=d, ignore=i),
    ]
    service = dict(rate=r, distribution="fixed", mean=1, patience=2, conversion_uplift=g)
    runs = reference_runs(
        4, edges, contents, 4, funnel=dict(conversion=0.0, conversion_referred=q), service=service
    )
    engage_believer = s * c * (1 - i) * s
    engage_neutral = s * (1 - c) * s
    checks = {
        "engage": engage_believer + engage_neutral,
        "convert": (engage_believer * (1 - d) + engage_neutral) * q * (r * g + 1 - r),
        "reply": (engage_believer + engage_neutral) * r,
        "believer": c,
    }

    def of_user_2(run, bit):
        return any(e[3] == 2 and e[4] & bit for e in run["events"] if e[1] == 0)

    freq = {
        "engage": sum(of_user_2(run, EV_ENGAGE) for run in runs),
        "convert": sum(of_user_2(run, EV_CONVERT) for run in runs),
        "reply": sum(of_user_2(run, EV_REPLY) for run in runs),
        "believer": sum(run["stance"][2] == BELIEVER for run in runs),
    }
    check_probabilities(checks, freq, len(runs))
    assert all(run["delay_sum"] == run["replies"] for run in runs)  # fixed delay 1
    assert all(run["replies_in_time"] == run["replies"] for run in runs)  # patience 2


def test_competitor_conversion_is_drawn_once():
    """User 2 engages with competitor post 1 (conversion 0.2) at step 0, then with post 2
    (conversion 0.8) at step 1: only the first engagement draws, so P(convert) = 0.2."""
    edges = [(0, 2), (1, 2)]
    contents = [
        dict(owner="brand", seeds=[]),
        dict(owner="competitor", stickiness=1.0, contagion=0.0, seeds=[0], conversion=0.2),
        dict(
            owner="competitor", stickiness=1.0, contagion=0.0, seeds=[1], launch=1, conversion=0.8
        ),
    ]
    runs = reference_runs(3, edges, contents, 3, reps=2000)
    assert all(run["engaged"] == [0, 1, 1] for run in runs)
    freq = {"convert": sum(sum(run["conversions"]) for run in runs)}
    check_probabilities({"convert": 0.2}, freq, len(runs))
    assert all(run["conversions"][2] == 0 for run in runs)


def test_geometric_reply_delays():
    """Everyone engages and is answered: D is geometric with mean m, and answered in time
    (D <= patience) with probability 1 - (1 - q) ** (patience + 1), q = 1 / (1 + m)."""
    m, patience, users = 1.5, 1, 60
    edges = [(0, v) for v in range(1, users)]
    contents = [dict(owner="brand", stickiness=1.0, contagion=0.0, seeds=[0])]
    service = dict(rate=1.0, distribution="geometric", mean=m, patience=patience)
    runs = reference_runs(users, edges, contents, 2, reps=60, service=service)
    replies = sum(run["replies"] for run in runs)
    assert replies == 60 * (users - 1)
    q = 1 / (1 + m)
    mean = sum(run["delay_sum"] for run in runs) / replies
    sd = math.sqrt(1 - q) / q  # of a geometric number of failures
    assert abs(mean - m) <= 4 * sd / math.sqrt(replies), mean
    in_time = {"in_time": sum(run["replies_in_time"] for run in runs)}
    check_probabilities({"in_time": 1 - (1 - q) ** (patience + 1)}, in_time, replies)


# --- invariants, replicate by replicate ---------------------------------------------------


def random_graph(n, m, seed, directed=True):
    import random

    rnd = random.Random(seed)
    edges = set()
    while len(edges) < m:
        u, v = rnd.randrange(n), rnd.randrange(n)
        if u != v:
            edges.add((u, v))
    edges = sorted(edges)
    return edges if directed else sorted(set(undirected(edges)))


BRAND_KEYS = (
    "brand_impressions",
    "brand_paid_impressions",
    "brand_reach",
    "brand_earned_reach",
    "brand_engaged",
    "brand_engagements",
    "brand_shares",
    "brand_conversions",
    "brand_referral_conversions",
    "replies",
    "replies_in_time",
    "delay_sum",
)
CONTENT_KEYS = ("impressions", "reach", "engaged", "sharers", "conversions", "seeds")
SERVICE = dict(
    rate=0.6,
    distribution="geometric",
    mean=1.5,
    patience=1,
    conversion_uplift=1.4,
    share_uplift=1.3,
)
FUNNEL = dict(conversion=0.1, conversion_referred=0.3)


def test_a_claim_that_cannot_stick_changes_no_brand_count():
    n = 40
    indptr, indices = csr(n, random_graph(n, 160, seed=3))
    brand = dict(owner="brand", stickiness=0.5, contagion=0.6, half_life=3.0, seeds=None, k=3)
    conversions = 0
    for r in range(150):
        alone = compete_reference(indptr, indices, [brand], None, SERVICE, FUNNEL, 12, ROOT, r)
        # the claim's seeds are the brand's, so they stand for the brand already
        claim = dict(
            owner="claim",
            stickiness=0.0,
            contagion=1.0,
            seeds=alone["seeds"][0],
            damage=0.8,
            ignore=0.5,
        )
        both = compete_reference(
            indptr, indices, [brand, claim], None, SERVICE, FUNNEL, 12, ROOT, r
        )
        for key in BRAND_KEYS:
            assert both[key] == alone[key], (r, key)
        for key in CONTENT_KEYS:
            assert both[key][0] == alone[key][0], (r, key)
        assert both["stance"] == alone["stance"]
        assert [e for e in both["events"] if e[1] == 0] == alone["events"]
        assert both["believers_ever"] == 0
        conversions += alone["brand_conversions"]
    assert conversions > 0


@pytest.mark.parametrize("other", ["competitor", "claim"])
def test_contents_on_disjoint_halves_behave_as_if_alone(other):
    half = 12
    a = random_graph(half, 40, seed=5)
    b = [(u + half, v + half) for u, v in random_graph(half, 40, seed=6)]
    n = 2 * half
    indptr, indices = csr(n, sorted(a + b))
    brand = dict(owner="brand", stickiness=0.6, contagion=0.7, visibility=0.9, seeds=[0, 5])
    rival = dict(
        owner=other,
        stickiness=0.7,
        contagion=0.6,
        half_life=2.0,
        seeds=[half + 1],
        conversion=0.4,
        damage=0.5,
        ignore=0.5,
    )
    silent = dict(seeds=[])
    args = (None, SERVICE, FUNNEL, 10, ROOT)
    for r in range(150):
        both = compete_reference(indptr, indices, [brand, rival], *args, r)
        first = compete_reference(indptr, indices, [brand, {**rival, **silent}], *args, r)
        second = compete_reference(indptr, indices, [{**brand, **silent}, rival], *args, r)
        for c, alone, users in ((0, first, range(half)), (1, second, range(half, n))):
            for key in CONTENT_KEYS:
                assert both[key][c] == alone[key][c], (r, c, key)
            assert [both["stance"][v] for v in users] == [alone["stance"][v] for v in users]
            assert [e for e in both["events"] if e[1] == c] == alone["events"]
        for key in BRAND_KEYS:
            assert both[key] == first[key], (r, key)
        for key in ("believers_end", "believers_ever", "last_believer_step"):
            assert both[key] == second[key], (r, key)


def test_symmetric_contents_share_the_voice_equally():
    n = 8  # a ring with chords i -> i + 3, invariant under the rotation by 4 that swaps seeds
    edges = sorted(
        set(undirected([(i, (i + 1) % n) for i in range(n)])) | {(i, (i + 3) % n) for i in range(n)}
    )
    indptr, indices = csr(n, edges)
    common = dict(stickiness=0.5, contagion=0.8, visibility=0.9, half_life=4.0)
    contents = [
        dict(owner="brand", seeds=[0], **common),
        dict(owner="competitor", seeds=[4], conversion=0.5, **common),
    ]
    shares = []
    for r in range(2000):
        run = compete_reference(indptr, indices, contents, None, None, FUNNEL, 8, ROOT, r)
        brand, rival = run["impressions"]
        shares.append(brand / (brand + rival))
    mean = sum(shares) / len(shares)
    sd = math.sqrt(sum((x - mean) ** 2 for x in shares) / (len(shares) - 1))
    assert sd > 0.05  # the contest is real
    assert abs(mean - 0.5) <= 4 * sd / math.sqrt(len(shares)), (mean, sd)


# --- the response ---------------------------------------------------------------------------


def crisis(accounts, mode="detect", delay=1, k=2, detect_count=4):
    n = 30
    indptr, indices = csr(n, random_graph(n, 120, seed=11))
    contents = [
        dict(owner="brand", stickiness=0.5, contagion=0.5, seeds=[0, 1]),
        dict(owner="claim", stickiness=0.35, contagion=0.7, seeds=[2], launch=1, damage=0.5),
        dict(
            owner="brand",
            role="rebuttal",
            stickiness=0.6,
            contagion=0.5,
            correction=0.5,
            inoculation=0.3,
        ),
    ]
    response = dict(
        mode=mode, delay=delay, detect_count=detect_count, accounts=accounts, k=k, nodes=[7, 8]
    )
    return [
        compete_reference(indptr, indices, contents, response, SERVICE, FUNNEL, 12, ROOT, r)
        for r in range(120)
    ]


def claim_reach_by_step(run):
    """Users counted in the claim's reach, in order, with the step of each."""
    return [(e[0], e[3]) for e in run["events"] if e[1] == 1 and e[4] & EV_REACH]


def test_detect_fires_the_step_after_the_claim_reaches_the_count():
    fired, count, delay = 0, 10, 1
    for run in crisis("influencers", delay=delay, detect_count=count):
        reached = claim_reach_by_step(run)
        launch = reached[count - 1][0] + 1 + delay if len(reached) >= count else 12
        if launch < 12:
            assert run["rebuttal_step"] == launch
            assert run["seeds"][2] == [7, 8]
            fired += 1
        else:
            assert run["rebuttal_step"] == -1
            assert run["seeds"][2] == []
        assert all(e[0] >= launch for e in run["events"] if e[1] == 2)
        # a believer is corrected at most once and never believes again
        assert run["believers_ever"] == run["believers_end"] + run["corrected"]
    assert 0 < fired < 120


@pytest.mark.parametrize("accounts", ["saw_claim", "top_spreaders", "random", "brand"])
def test_rebuttal_accounts(accounts):
    n_accounts = 0
    for run in crisis(accounts, mode="delay", delay=2):
        t = run["rebuttal_step"]
        assert t == 3
        chosen = run["seeds"][2]
        assert len(set(chosen)) == len(chosen) <= 2
        n_accounts += len(chosen)
        if accounts == "saw_claim":
            before = [v for step, v in claim_reach_by_step(run) if step < t]
            assert set(chosen) <= set(before) and len(chosen) == min(2, len(before))
        elif accounts == "top_spreaders":
            credit = defaultdict(int)  # new believers credited to each claim sharer before t
            for step, c, sharer, _, what in run["events"]:
                if c == 1 and step < t and what & EV_STANCE:
                    credit[sharer] += 1
            ranked = sorted(credit, key=lambda u: -credit[u])
            assert sorted(credit[u] for u in chosen) == sorted(credit[u] for u in ranked[:2])
        elif accounts == "brand":
            assert chosen == [0, 1]
    assert n_accounts > 0
