"""One sweep task: simulate a batch of variants and turn each result into a row.

A task is the unit a Dask worker runs; locally each variant is a task of its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim.simulate import simulate
from smmsim.sweep.audience_cache import cached_audience

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.scenario import Scenario
    from smmsim.sweep.plan import Variant

__all__ = ["STATS", "THEORY", "Timing", "run_batch"]

#: Ensemble statistics kept for every metric: column ``f"{metric}_{stat}"``.
STATS = ("mean", "std", "ci_low", "ci_high")
#: Percolation-theory predictions kept for every variant: column ``f"theory_{name}"``.
THEORY = ("transmissibility", "critical", "k_factor")

#: Seconds spent in the simulate call (``call_s``) and in its kernels (``simulate_s``).
Timing = dict[str, float]


def no_time() -> Timing:
    """Timing of nothing done yet."""
    return {"call_s": 0.0, "simulate_s": 0.0}


def add_time(a: Timing, b: Timing) -> Timing:
    """The sum of two timings (a new mapping)."""
    return {k: a[k] + b[k] for k in a}


def run_batch(
    base: Scenario,
    variants: Sequence[Variant],
    keys: Sequence[str],
    graph: Any = None,
    threads: int | None = None,
) -> tuple[list[dict[str, Any]], Timing]:
    """Simulate variants (one task); return their rows and timing.

    Parameters
    ----------
    base : Scenario
        The sweep's base scenario; each variant's overrides go on top of it.
    variants : sequence of Variant
    keys : sequence of str
        The swept keys: one column each.
    graph : CSRGraph, optional
        The audience of every variant (a scattered edge list); ``None`` builds each
        variant's audience through this process's cache.
    threads : int, optional
        Numba threads per simulation.
    """
    rows = []
    timing = no_time()
    for v in variants:
        sc = base.with_overrides(v.overrides)
        g = graph if graph is not None else cached_audience(sc)
        t0 = time.perf_counter()
        res = simulate(sc, rng=v.seed, graph=g, progress=False, threads=threads)
        timing["call_s"] += time.perf_counter() - t0
        timing["simulate_s"] += float(res.timing.get("simulate_s", 0.0))
        rows.append(_row(v, keys, res))
    return rows, timing


def _row(v: Variant, keys: Sequence[str], res: Results) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": v.index, "variant_id": v.id}
    for k in keys:
        row[k] = v.overrides.get(k)
    row["rng_seed"] = v.seed
    row["runs"] = res.n_runs
    summary = res.summary
    values = summary.to_numpy(dtype=float)[:, summary.columns.get_indexer(list(STATS))]
    for metric, stats in zip(res.summary.index, values.tolist(), strict=True):
        for stat, value in zip(STATS, stats, strict=True):
            row[f"{metric}_{stat}"] = value
    for name in THEORY:
        value = res.theory.get(name)
        row[f"theory_{name}"] = np.nan if value is None else float(value)
    return row
