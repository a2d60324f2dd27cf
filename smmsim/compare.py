"""Two variants of a campaign, run with common random numbers: :func:`compare` and
:func:`paired_differences`.

Run ``r`` of a scenario draws only from the streams keyed by ``(rng_seed, r)``, so two
variants simulated with the same seed meet the same luck run by run: the same seed users
where the seeding agrees, the same coin flips on the same ties. The difference of a
metric is then taken run by run (a paired difference), and its interval is much
narrower than the gap between two independent means would be.

Examples
--------
>>> import smmsim
>>> from smmsim.compare import compare
>>> a = smmsim.default_scenario().with_overrides({"audience.n": 2000})
>>> b = a.with_overrides({"content.stickiness": 0.3})
>>> table = compare(a, b, runs=50, rng=1)
>>> float(table.loc["reach", "b_mean"]) >= float(table.loc["reach", "a_mean"])
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from smmsim.rng import RandomLike, resolve_seed

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.scenario import Scenario

__all__ = ["METRICS", "compare", "paired_differences"]

#: The metrics compared by default, as the run report names them.
METRICS: tuple[str, ...] = (
    "reach",
    "earned_reach",
    "shares",
    "conversions",
    "direct_conversions",
    "referral_conversions",
    "viral",
    "cost",
    "revenue",
    "roi",
    "pays_back",
)

#: Normal quantile of a two-sided 95% interval.
_Z95 = 1.959964


def paired_differences(a: Results, b: Results, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """Run-by-run differences ``b - a`` of each metric, with their 95% interval.

    Parameters
    ----------
    a, b : Results
        Two simulations of the same number of runs with the same ``rng_seed``.
    metrics : sequence of str
        Columns of ``Results.runs`` to compare (those missing in either are left out).

    Returns
    -------
    pandas.DataFrame
        Indexed by metric: ``a_mean``, ``b_mean``, ``diff_mean`` (mean of ``b - a`` over
        runs, NaN-valued runs left out), ``diff_ci_low`` and ``diff_ci_high`` (normal
        95% interval of that mean), ``b_higher`` and ``a_higher`` (share of runs in which
        one variant's value is the larger) and ``n`` (runs compared).

    Raises
    ------
    ValueError
        The two results have different run counts or seeds: their runs are not pairs.
    """
    if a.n_runs != b.n_runs or a.rng_seed != b.rng_seed:
        raise ValueError(
            f"paired differences need the same runs and seed, got {a.n_runs} runs with "
            f"rng_seed {a.rng_seed} against {b.n_runs} with rng_seed {b.rng_seed}"
        )
    ra = a.runs.set_index("run")
    rb = b.runs.set_index("run").reindex(ra.index)
    rows = {}
    for m in metrics:
        if m not in ra.columns or m not in rb.columns:
            continue
        x = ra[m].to_numpy(dtype=float)
        y = rb[m].to_numpy(dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        d = y[ok] - x[ok]
        n = int(d.size)
        mean = float(d.mean()) if n else math.nan
        half = _Z95 * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
        rows[m] = {
            "a_mean": float(np.nanmean(x)) if np.isfinite(x).any() else math.nan,
            "b_mean": float(np.nanmean(y)) if np.isfinite(y).any() else math.nan,
            "diff_mean": mean,
            "diff_ci_low": mean - half,
            "diff_ci_high": mean + half,
            "b_higher": float((d > 0).mean()) if n else math.nan,
            "a_higher": float((d < 0).mean()) if n else math.nan,
            "n": n,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def compare(
    a: Scenario,
    b: Scenario,
    *,
    runs: int | None = None,
    rng: RandomLike = None,
    metrics: Sequence[str] = METRICS,
    threads: int | None = None,
) -> pd.DataFrame:
    """Simulate two variants with the same random streams and compare them run by run.

    Parameters
    ----------
    a, b : Scenario
        The variants (B is usually A with a few keys changed).
    runs : int, optional
        Monte Carlo runs of each (default: ``a``'s ``simulation.runs``).
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state; default ``a``'s
        ``simulation.rng_seed``. Both variants get the same seed.
    metrics : sequence of str
        The metrics to compare.
    threads : int, optional
        Worker threads (results do not depend on it).

    Returns
    -------
    pandas.DataFrame
        :func:`paired_differences` of the two simulations.
    """
    from smmsim.simulate import simulate

    seed = resolve_seed(a.simulation["rng_seed"] if rng is None else rng)
    n = int(a.simulation["runs"] if runs is None else runs)
    res_a = simulate(a, runs=n, rng=seed, threads=threads)
    res_b = simulate(b, runs=n, rng=seed, threads=threads)
    return paired_differences(res_a, res_b, metrics)
