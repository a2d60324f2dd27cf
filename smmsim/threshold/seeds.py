"""The fewest seeds for a given chance of going viral, by simulating the scenario
as it is (``seeding.k``)."""

from __future__ import annotations

import math
import time
from typing import Any

import pandas as pd

from smmsim.graph import CSRGraph
from smmsim.rng import root_key
from smmsim.scenario import Scenario
from smmsim.threshold._cascades import _wilson
from smmsim.threshold._inputs import _SEEDS_STREAM, ThresholdError, _check_bounds
from smmsim.threshold.result import EmpiricalThreshold


def _simulate_seeds(sc: Scenario, g: CSRGraph, k: int, runs: int, seed: int, threads):
    from smmsim.simulate import simulate

    res = simulate(
        sc.with_overrides({"seeding.k": int(k)}),
        runs=runs,
        rng=int(root_key(seed, _SEEDS_STREAM, k)) % (2**63),
        graph=g,
        threads=threads,
    )
    r = res.runs
    hits = int(r["viral"].sum())
    lo, hi = _wilson(hits, runs)
    return {
        "param": "seeding.k",
        "value": float(k),
        "runs": runs,
        "p_large": hits / runs,
        "p_large_low": lo,
        "p_large_high": hi,
        "mean_sharers": float(r["shares"].mean()),
        "mean_reach": float(r["reach"].mean()),
        "mean_reach_se": float(r["reach"].std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0,
    }


def _seed_count(sc, g, bounds, target, runs, seed, threads) -> EmpiricalThreshold:
    if not 0 < target < 1:
        raise ThresholdError(f"seeding.k: target must be a probability in (0, 1), got {target}")
    lo, hi = _check_bounds("seeding.k", bounds) if bounds is not None else (1.0, min(g.n, 1024))
    lo, hi = int(lo), int(min(hi, g.n))
    t0 = time.perf_counter()
    rows: dict[int, dict[str, Any]] = {}

    def at(k: int) -> dict[str, Any]:
        if k not in rows:
            rows[k] = _simulate_seeds(sc, g, k, runs, seed, threads)
        return rows[k]

    k = lo
    found = None
    while True:
        if at(k)["p_large"] >= target:
            found = k
            break
        if k >= hi:
            break
        k = min(hi, k * 2)
    if found is not None:
        below = max((j for j in rows if rows[j]["p_large"] < target), default=None)
        a, b = (below, found) if below is not None else (found, found)
        while b - a > 1:
            mid = (a + b) // 2
            if at(mid)["p_large"] >= target:
                b = mid
            else:
                a = mid
        found = b
    ks = sorted(rows)
    seconds = time.perf_counter() - t0
    points = pd.DataFrame([rows[j] for j in ks])
    points["used_in_fit"] = True
    method = (
        f"share of viral runs (earned sharers >= {sc.simulation['viral_fraction']:g} of the "
        f"audience) at doubling, then bisected, seed counts; {runs} runs each"
    )
    n_runs = runs * len(ks)
    if bounds is not None and rows[ks[0]]["p_large"] >= target and lo > 1:
        raise ThresholdError(
            f"seeding.k: range [{lo}, {hi}] does not bracket the seed count needed: "
            f"{lo} seeds already go viral in {rows[ks[0]]['p_large']:.0%} of runs; lower LOW"
        )
    if found is None:
        if bounds is not None:
            raise ThresholdError(
                f"seeding.k: range [{lo}, {hi}] does not bracket the seed count needed: "
                f"{hi} seeds go viral in only {rows[hi]['p_large']:.0%} of runs; raise HIGH"
            )
        return EmpiricalThreshold(
            "seeding.k",
            None,
            None,
            None,
            None,
            None,
            None,
            method,
            "none",
            n_runs,
            seconds,
            None,
            points,
        )
    upper_ok = [j for j in ks if rows[j]["p_large_high"] >= target]
    lower_ok = [j for j in ks if rows[j]["p_large_low"] >= target]
    ci_low = float(min(upper_ok)) if upper_ok else float(found)
    ci_high = float(min(lower_ok)) if lower_ok else None
    return EmpiricalThreshold(
        param="seeding.k",
        value=float(found),
        ci_low=min(ci_low, float(found)),
        ci_high=ci_high,
        critical_transmissibility=None,
        t_ci_low=None,
        t_ci_high=None,
        method=method,
        model="bisection",
        runs=n_runs,
        seconds=seconds,
        depletion=None,
        points=points,
    )
