"""A/B comparison: several scenarios on one audience, with common random numbers.

Every variant runs on the same audience (built once, from the first scenario's
``audience`` section) with the same random seed, so run ``r`` of every variant starts
from the same random streams, and a scenario compared with itself differs by exactly
zero. How long two runs stay coupled depends on what differs: a change that acts after
the cascade (conversion rates, prices) leaves every cascade as it was, so the paired
difference carries no cascade noise at all; a change of the cascade itself (stickiness,
seeds) couples the runs only until their cascades first part, after which their draws
serve different events. The run-by-run difference (a paired difference) is an unbiased
estimate either way, and its interval is from the differences themselves.

References
----------
P. Glasserman and D. D. Yao, "Some guidelines and guarantees for common random
numbers", Management Science 38(6), 884-908 (1992).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import pandas as pd

from smmsim.errors import UserError
from smmsim.metrics import LOWER_IS_BETTER
from smmsim.params import first_difference
from smmsim.run_options import RunOptions, check_options, common_options

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.scenario import Scenario

__all__ = ["HEADLINE", "LOWER_IS_BETTER", "Comparison", "compare", "paired_differences"]

#: The metrics the printed comparison shows first (every metric is in the table).
HEADLINE = (
    "reach",
    "earned_reach",
    "shares",
    "conversions",
    "referral_conversions",
    "viral",
    "cost",
    "revenue",
    "roi",
    "pays_back",
)


class CompareError(UserError):
    """The scenarios cannot be compared (different audiences, too few of them)."""


@dataclass
class Comparison:
    """Variants of a campaign run on one audience with common random numbers.

    Attributes
    ----------
    names : list of str
        The variants' names, the first being the baseline.
    results : list of Results
        Each variant's results (same runs, same seed, same audience).
    table : DataFrame
        One row per (metric, variant), tidy: ``mean``, ``ci_low``, ``ci_high`` (the
        variant's own), and against the baseline, run by run: ``diff`` (mean paired
        difference), ``diff_ci_low``, ``diff_ci_high`` (normal approximation on the
        paired differences), ``p_beats`` (share of runs in which the variant did better
        than the baseline's same run: higher, or lower for :data:`LOWER_IS_BETTER`),
        ``p_ties`` and ``n`` (runs where both define the metric).
    """

    names: list[str]
    results: list[Results] = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    rng_seed: int = 0

    def diff(self, metric: str, variant: str) -> float:
        """Mean paired difference of ``metric``, ``variant`` minus the baseline."""
        return float(self.table.loc[(metric, variant), "diff"])

    def report(self, metrics: Sequence[str] = HEADLINE) -> str:
        """The comparison in words and a table (what ``smmsim compare`` prints)."""
        from smmsim.reporting.compare import format_comparison

        return format_comparison(self, metrics)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``compare.csv`` (the table), each variant's ``runs_<name>.csv`` and
        ``compare.png`` to ``out_dir``; return the paths written."""
        from smmsim.outputs import make_dir
        from smmsim.plots.compare import comparison_figure
        from smmsim.plots.runs import save

        out = make_dir(out_dir, "out_dir")
        paths = [out / "compare.csv"]
        self.table.reset_index().to_csv(paths[0], index=False)
        for name, res in zip(self.names, self.results, strict=True):
            path = out / f"runs_{_file_part(name)}.csv"
            res.runs.to_csv(path, index=False)
            paths.append(path)
        paths.append(save(comparison_figure(self), out / "compare.png"))
        return paths


def _file_part(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def compare(
    scenarios: Sequence[Scenario | str | Path],
    *,
    names: Sequence[str] | None = None,
    **options: Unpack[RunOptions],
) -> Comparison:
    """Run ``scenarios`` on one audience with common random numbers and compare them.

    Parameters
    ----------
    scenarios : sequence of Scenario or paths
        Two or more; the first is the baseline every other is compared with.
    names : sequence of str, optional
        The variants' names (default: the files' stems, or ``A``, ``B``, ...).

    Other Parameters
    ----------------
    **options : RunOptions
        runs, rng, graph, threads, progress, as in :func:`smmsim.simulate`: the same runs
        and seed for every variant (default: the baseline's), on the audience built from
        the baseline's ``audience`` section unless ``graph`` is given.

    Returns
    -------
    Comparison

    Raises
    ------
    CompareError
        Fewer than two scenarios, or a variant whose ``audience`` section differs from
        the baseline's (common random numbers need one audience).
    """
    from smmsim.scenario import Scenario, load_scenario
    from smmsim.simulate import simulate

    check_options("compare", options)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise CompareError("compare needs at least two scenarios")
    labels = list(names) if names is not None else default_names(scenarios)
    if len(labels) != len(loaded) or len(set(labels)) != len(labels):
        raise CompareError(f"compare needs one distinct name per scenario, got {labels}")
    base = loaded[0]
    for label, sc in zip(labels[1:], loaded[1:], strict=True):
        key = first_difference(base.data["audience"], sc.data["audience"], "audience")
        if key is not None:
            raise CompareError(
                f"{label}: {key[0]} is {key[2]!r} where {labels[0]} has {key[1]!r}; "
                "compare runs every variant on one audience (common random numbers), "
                "so their audience sections must be the same"
            )
    common = common_options(base, options)
    results = [simulate(sc, **common) for sc in loaded]
    return Comparison(labels, results, comparison_table(labels, results), common["rng"])


def default_names(sources: Sequence[Any]) -> list[str]:
    """Names for variants read from ``sources``: the files' stems (numbered ``1:stem``,
    ``2:stem`` when two share one), or ``A``, ``B``, ... for scenarios built in code."""
    stems = [Path(s).stem if isinstance(s, str | Path) else None for s in sources]
    if not all(stems):
        return [chr(ord("A") + i) if i < 26 else f"V{i}" for i in range(len(sources))]
    if len(set(stems)) < len(stems):
        return [f"{i + 1}:{s}" for i, s in enumerate(stems)]
    return [str(s) for s in stems]


def comparison_table(names: Sequence[str], results: Sequence[Results]) -> pd.DataFrame:
    """The tidy table of :class:`Comparison` from each variant's results (same runs,
    in the same order)."""
    z = NormalDist().inv_cdf(0.975)
    base = results[0].runs
    rows = []
    metrics = [m for m in results[0].summary.index if m in base.columns]
    for metric in metrics:
        a = base[metric].to_numpy(dtype=float)
        sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
        for name, res in zip(names, results, strict=True):
            if metric not in res.runs.columns:
                continue
            b = res.runs[metric].to_numpy(dtype=float)
            both = np.isfinite(a) & np.isfinite(b)
            d = b[both] - a[both]
            n = int(both.sum())
            mean_d = float(d.mean()) if n else np.nan
            half = z * float(d.std(ddof=1)) / np.sqrt(n) if n > 1 else np.nan
            better = sign * d
            s = res.summary.loc[metric]
            rows.append(
                {
                    "metric": metric,
                    "variant": name,
                    "mean": float(s["mean"]),
                    "ci_low": float(s["ci_low"]),
                    "ci_high": float(s["ci_high"]),
                    "diff": mean_d,
                    "diff_ci_low": mean_d - half,
                    "diff_ci_high": mean_d + half,
                    "p_beats": float((better > 0).mean()) if n else np.nan,
                    "p_ties": float((d == 0).mean()) if n else np.nan,
                    "n": n,
                }
            )
    return pd.DataFrame(rows).set_index(["metric", "variant"])


def paired_differences(a: Results, b: Results, metrics: Sequence[str] = HEADLINE) -> pd.DataFrame:
    """Run-by-run differences ``b - a`` of each metric of two results, with their 95%
    interval (the two-variant view of :func:`comparison_table`).

    Parameters
    ----------
    a, b : Results
        Two simulations of the same runs with the same ``rng_seed`` (common random numbers).
    metrics : sequence of str
        Columns of ``Results.runs`` to compare (those missing in either are left out).

    Returns
    -------
    pandas.DataFrame
        Indexed by metric: ``a_mean``, ``b_mean``, ``diff_mean`` (mean of ``b - a`` over
        runs, runs where either is undefined left out), ``diff_ci_low`` and
        ``diff_ci_high`` (normal 95% interval of that mean), ``b_higher`` and ``a_higher``
        (share of runs in which one variant's value is the larger) and ``n`` (runs
        compared).

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
    table = comparison_table(["a", "b"], [a, b])
    rows = {}
    for m in metrics:
        if (m, "b") not in table.index:
            continue
        ra, rb = table.loc[(m, "a")], table.loc[(m, "b")]
        sign = -1.0 if m in LOWER_IS_BETTER else 1.0
        wins, ties = float(rb["p_beats"]), float(rb["p_ties"])
        higher = wins if sign > 0 else 1.0 - wins - ties
        rows[m] = {
            "a_mean": float(ra["mean"]),
            "b_mean": float(rb["mean"]),
            "diff_mean": float(rb["diff"]),
            "diff_ci_low": float(rb["diff_ci_low"]),
            "diff_ci_high": float(rb["diff_ci_high"]),
            "b_higher": higher,
            "a_higher": 1.0 - higher - ties,
            "n": int(rb["n"]),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
