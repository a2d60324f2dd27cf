"""The competing-contents kernel against its slow reference, replicate by replicate.

Random small audiences and random mixes of contents (the brand's post, a competitor, a
claim, a rebuttal by delay or detection from every kind of account, customer service):
every count the kernel records (the brand's funnel and per-step series, each content's
tallies, the claim and response totals, share of voice by step and owner, reply delays)
equals the reference's (``tests/compete_reference.py``), and so do who reached whom first
and each user's flags in the traced replicate.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from compete_reference import BELIEVER, COMPETITOR, compete_reference
from test_competition_exact import csr, random_graph

from smmsim._kernels import compete as K
from smmsim._kernels import driver
from smmsim._kernels.compete_layout import (
    DELAY_BINS,
    F_BELIEVERS,
    F_BELIEVERS_EVER,
    F_CORRECTED,
    F_DELAY_SUM,
    F_IN_TIME,
    F_INOCULATED,
    F_LAST_BELIEVER,
    F_REBUTTAL_STEP,
    F_REPLIES,
    L_FIXED,
    L_HIST,
    L_STEPS,
    N_CONTENT_COLUMNS,
    N_OWNERS,
    tally_layout,
)
from smmsim._kernels.layout import (
    C_CONVERSIONS,
    C_EARNED_REACH,
    C_ENGAGED,
    C_ENGAGEMENTS,
    C_IMPRESSIONS,
    C_PAID_IMPRESSIONS,
    C_REACH,
    C_REFERRAL_CONVERSIONS,
    C_SHARES,
    MODEL_FLAG_A,
    MODEL_FLAG_B,
)

OWNER = {"brand": 0, "competitor": 1, "claim": 2}
ACCOUNTS = {
    "brand": K.ACCOUNTS_BRAND,
    "influencers": K.ACCOUNTS_LIST,
    "saw_claim": K.ACCOUNTS_SAW_CLAIM,
    "top_spreaders": K.ACCOUNTS_TOP_SPREADERS,
    "random": K.ACCOUNTS_RANDOM,
}


def kernel_args(indptr, indices, contents, response, service, funnel, steps):
    """The kernel's ``args`` for the reference's description of a scenario."""
    n_c = len(contents)
    params = np.zeros((n_c, K.N_PARAMS))
    ints = np.zeros((n_c, K.N_INTS), dtype=np.int64)
    lists = []
    at = 0
    for c, d in enumerate(contents):
        params[c] = [
            d.get("visibility", 1.0), d.get("stickiness", 0.0), d.get("contagion", 0.0),
            d.get("half_life", 0.0), d.get("conversion", 0.0), d.get("damage", 0.0),
            d.get("ignore", 0.0), d.get("inoculation", 0.0), d.get("correction", 0.0),
        ]  # fmt: skip
        ints[c, K.I_OWNER] = OWNER[d.get("owner", "brand")]
        ints[c, K.I_ROLE] = K.ROLE_REBUTTAL if d.get("role") == "rebuttal" else 0
        ints[c, K.I_LAUNCH] = d.get("launch", 0)
        seeds = d.get("seeds")
        if d.get("role") == "rebuttal":
            seeds = list(response.get("nodes", ())) if response else []
        if c > 0 and seeds is None:
            ints[c, K.I_RANDOM_K] = d.get("k", 0)
        elif c > 0:
            ints[c, K.I_SEED_START] = at
            ints[c, K.I_SEED_END] = at + len(seeds)
            lists += list(seeds)
            at += len(seeds)
    resp = np.full(K.N_RESPONSE, -1, dtype=np.int64)
    resp[K.R_MODE] = K.MODE_NONE
    owners = [d.get("owner", "brand") for d in contents]
    resp[K.R_CLAIM] = owners.index("claim") if "claim" in owners else -1
    roles = [d.get("role", "post") for d in contents]
    resp[K.R_REBUTTAL] = roles.index("rebuttal") if "rebuttal" in roles else -1
    if response and response.get("mode"):
        resp[K.R_MODE] = K.MODE_DELAY if response["mode"] == "delay" else K.MODE_DETECT
        resp[K.R_DELAY] = response.get("delay", 0)
        resp[K.R_DETECT] = response.get("detect_count", 1)
        resp[K.R_ACCOUNTS] = ACCOUNTS[response.get("accounts", "brand")]
        resp[K.R_K] = response.get("k", 0)
    s = dict(rate=0.0, distribution="fixed", mean=0.0, patience=-1)
    s.update(conversion_uplift=1.0, share_uplift=1.0)
    s.update(service or {})
    serv = np.array(
        [s["rate"], s["mean"], float(s["patience"]), s["conversion_uplift"], s["share_uplift"],
         1.0 if s["distribution"] == "geometric" else 0.0]
    )  # fmt: skip
    f = funnel or {}
    fun = np.array([f.get("conversion", 0.0), f.get("conversion_referred", 0.0)])
    layout = np.asarray(tally_layout(n_c, steps, 0), dtype=np.int64)
    return (
        np.asarray(indptr, np.int64), np.asarray(indices, np.int32), params, ints,
        np.asarray(lists, np.int64), resp, serv, fun, layout,
    )  # fmt: skip


def random_case(seed):
    """A random audience and mix of contents."""
    rnd = random.Random(seed)
    n = rnd.randrange(12, 40)
    edges = random_graph(n, rnd.randrange(2 * n, 6 * n), seed=seed, directed=rnd.random() < 0.5)
    indptr, indices = csr(n, edges)
    steps = rnd.randrange(4, 14)

    def spread():
        return dict(
            visibility=rnd.choice([1.0, rnd.uniform(0.3, 1.0)]),
            stickiness=rnd.choice([1.0, rnd.uniform(0.1, 0.9)]),
            contagion=rnd.choice([1.0, rnd.uniform(0.2, 1.0)]),
            half_life=rnd.choice([0.0, rnd.uniform(1.0, 6.0)]),
        )

    contents = [dict(owner="brand", seeds=rnd.sample(range(n), rnd.randrange(1, 4)), **spread())]
    if rnd.random() < 0.6:
        seeds = None if rnd.random() < 0.5 else rnd.sample(range(n), rnd.randrange(1, 3))
        contents.append(
            dict(owner="competitor", seeds=seeds, k=rnd.randrange(1, 4),
                 launch=rnd.randrange(0, 3), conversion=rnd.uniform(0, 0.5), **spread())
        )  # fmt: skip
    has_claim = rnd.random() < 0.8
    if has_claim:
        seeds = None if rnd.random() < 0.5 else rnd.sample(range(n), rnd.randrange(1, 3))
        contents.append(
            dict(owner="claim", seeds=seeds, k=rnd.randrange(1, 4), launch=rnd.randrange(0, 3),
                 damage=rnd.uniform(0, 1), ignore=rnd.uniform(0, 0.8), **spread())
        )  # fmt: skip
    response = None
    if has_claim and rnd.random() < 0.7:
        contents.append(
            dict(owner="brand", role="rebuttal", inoculation=rnd.uniform(0, 1),
                 correction=rnd.uniform(0, 1), **spread())
        )  # fmt: skip
        response = dict(
            mode=rnd.choice(["delay", "detect"]),
            delay=rnd.randrange(0, 4),
            detect_count=rnd.randrange(1, 6),
            accounts=rnd.choice(list(ACCOUNTS)),
            k=rnd.randrange(1, 5),
            nodes=rnd.sample(range(n), 2),
        )
    service = None
    if rnd.random() < 0.6:
        service = dict(
            rate=rnd.uniform(0.2, 1.0),
            distribution=rnd.choice(["fixed", "geometric"]),
            mean=float(rnd.randrange(0, 4)),
            patience=rnd.choice([-1, 0, 1, 2]),
            conversion_uplift=rnd.uniform(1.0, 3.0),
            share_uplift=rnd.uniform(1.0, 2.0),
        )
    funnel = dict(conversion=rnd.uniform(0, 0.5), conversion_referred=rnd.uniform(0, 0.9))
    return n, indptr, indices, contents, response, service, funnel, steps


ROOT = 0x5EED
REPS = 12


def kernel_runs(n, indptr, indices, contents, response, service, funnel, steps):
    args = kernel_args(indptr, indices, contents, response, service, funnel, steps)
    seeds = np.asarray(contents[0]["seeds"], np.int64)[None, :]
    width = int(args[-1][-1])
    return driver.ensemble(
        K, args, seeds, np.uint64(ROOT), 0, REPS, steps, 2, n, None, 0, width
    ), args


def owner_steps(run, contents, steps):
    """Impressions and newly engaged users per step and owner, from the event log."""
    out = np.zeros((steps, N_OWNERS, 2), dtype=np.int64)
    engaged = set()
    for t, c, _, v, what in run["events"]:
        o = OWNER[contents[c].get("owner", "brand")]
        out[t, o, 0] += 1
        if what & 8 and (v, o) not in engaged:
            engaged.add((v, o))
            out[t, o, 1] += 1
    return out


@pytest.mark.parametrize("case", range(40))
def test_kernel_matches_the_reference(case):
    n, indptr, indices, contents, response, service, funnel, steps = random_case(case)
    ledger, args = kernel_runs(n, indptr, indices, contents, response, service, funnel, steps)
    lay = args[-1]
    for r in range(REPS):
        ref = compete_reference(
            indptr, indices, contents, response, service, funnel, steps, ROOT, r
        )
        counts = ledger.counts[r]
        got = {
            "brand_impressions": counts[C_IMPRESSIONS],
            "brand_paid_impressions": counts[C_PAID_IMPRESSIONS],
            "brand_reach": counts[C_REACH],
            "brand_earned_reach": counts[C_EARNED_REACH],
            "brand_engaged": counts[C_ENGAGED],
            "brand_engagements": counts[C_ENGAGEMENTS],
            "brand_shares": counts[C_SHARES],
            "brand_conversions": counts[C_CONVERSIONS],
            "brand_referral_conversions": counts[C_REFERRAL_CONVERSIONS],
        }
        tal = ledger.tallies[r]
        fx = lay[L_FIXED]
        got.update(
            believers_end=tal[fx + F_BELIEVERS],
            believers_ever=tal[fx + F_BELIEVERS_EVER],
            corrected=tal[fx + F_CORRECTED],
            inoculated=tal[fx + F_INOCULATED],
            last_believer_step=tal[fx + F_LAST_BELIEVER],
            rebuttal_step=tal[fx + F_REBUTTAL_STEP],
            replies=tal[fx + F_REPLIES],
            replies_in_time=tal[fx + F_IN_TIME],
            delay_sum=tal[fx + F_DELAY_SUM],
        )
        for k, name in enumerate(("impressions", "reach", "engaged", "sharers", "conversions")):
            got[name] = [tal[c * N_CONTENT_COLUMNS + k] for c in range(len(contents))]
        want = {key: ref[key] for key in got}
        assert {k: np.asarray(v).tolist() for k, v in got.items()} == want, (case, r)
        steps_tallies = tal[lay[L_STEPS] : lay[L_STEPS] + steps * N_OWNERS * 2]
        assert (
            steps_tallies.reshape(steps, N_OWNERS, 2) == owner_steps(ref, contents, steps)
        ).all()
        hist = tal[lay[L_HIST] : lay[L_HIST] + DELAY_BINS]
        assert hist.sum() == ref["replies"]
        used = int(ledger.used[r])
        assert used == ref["steps_run"], (case, r)


@pytest.mark.parametrize("case", range(12))
def test_traced_replicate_matches_the_reference(case):
    n, indptr, indices, contents, response, service, funnel, steps = random_case(100 + case)
    args = kernel_args(indptr, indices, contents, response, service, funnel, steps)
    width = int(args[-1][-1])
    for r in range(4):
        seeds = np.asarray(contents[0]["seeds"], np.int64)
        _, (nodes, flags, referrer, first_step, order, parent) = driver.trace(
            K, args, seeds, np.uint64(ROOT), r, steps, n, width
        )
        ref = compete_reference(
            indptr, indices, contents, response, service, funnel, steps, ROOT, r
        )
        first = {}
        for t, c, u, v, what in ref["events"]:
            if c == 0 and what & 2:
                first[v] = (u, t)
        for v, f, ref_u, t in zip(nodes, flags, referrer, first_step, strict=True):
            stance = ref["stance"][v]
            assert bool(f & MODEL_FLAG_A) == (stance == BELIEVER)
            assert bool(f & MODEL_FLAG_B) == (stance == COMPETITOR)
            if v in first:
                assert (ref_u, t) == first[v]
        at = {i: k for k, i in enumerate(i for i, rec in enumerate(ref["records"]) if rec[1] == 0)}
        brand = [rec for rec in ref["records"] if rec[1] == 0][: len(order)]
        assert order.tolist() == [rec[0] for rec in brand]
        assert parent.tolist() == [-1 if rec[2] < 0 else at[rec[2]] for rec in brand]
