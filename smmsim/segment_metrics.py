"""Every number by audience segment: the per-run-per-segment table and its summary.

The kernels' ledger tallies, for each run and each segment, the counts named in
:data:`SEGMENT_COLUMNS` (impressions, reach, earned reach, engaged users, sharers with
the seeds, conversions, referral conversions); every user is in one segment, so a run's
tallies over the segments add up to its own counts, exactly. Here they become

* :func:`segment_table`: one row per (run, segment), the tallies and the run's revenue
  from the segment (``Results.by_segment``, ``segments.csv``);
* :func:`by_segment_summary`: per segment, each tally's and the revenue's mean per run
  with its 95% interval, and two shares: the conversion rate of reached users
  (conversions / reach) and the earned share of reach (earned reach / reach), each
  the ratio of the means over the runs, with a delta-method interval
  (``summary.json`` ``by_segment``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from smmsim._kernels.layout import SEGMENT_COLUMNS, SEGMENT_OF_COUNT

__all__ = [
    "RATIOS",
    "SEGMENT_METRICS",
    "by_segment_summary",
    "segment_labels",
    "segment_table",
    "short_summary",
]

#: Columns of :func:`segment_table` after ``run`` and ``segment``.
SEGMENT_METRICS: tuple[str, ...] = (*SEGMENT_COLUMNS, "revenue")
#: Shares of :func:`by_segment_summary`: name -> (numerator, denominator).
RATIOS: dict[str, tuple[str, str]] = {
    "conversion_rate": ("conversions", "reach"),
    "earned_share": ("earned_reach", "reach"),
}
#: Normal quantile of a two-sided 95% interval (as the main summary's).
Z95 = 1.959964


def segment_labels(names: Sequence[str] | None, n_segments: int) -> list[str]:
    """The segments' names (``"0"``, ``"1"``, ... for those without one)."""
    labels = [str(x) for x in names] if names is not None else []
    return labels[:n_segments] + [str(i) for i in range(len(labels), n_segments)]


def segment_table(
    segment_counts: np.ndarray,
    names: Sequence[str] | None,
    revenue_per_conversion: float,
    first_run: int = 0,
) -> pd.DataFrame:
    """One row per (run, segment): the run's tallies in the segment and its revenue there.

    Parameters
    ----------
    segment_counts : ndarray of int64, shape (runs, segments, len(SEGMENT_COLUMNS))
        The ledger's per-segment tallies (``RawBatch.segment_counts``).
    names : sequence of str or None
        The segments' names (``CSRGraph.segment_names``).
    revenue_per_conversion : float
        The scenario's ``economics.revenue_per_conversion``.
    first_run : int
        Number of the first run (runs are numbered as in ``runs.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``run``, ``segment`` (categorical, in the audience's order) and
        :data:`SEGMENT_METRICS`; runs in order, each run's segments in order.
    """
    n_runs, n_seg, _ = segment_counts.shape
    labels = segment_labels(names, n_seg)
    flat = segment_counts.reshape(n_runs * n_seg, len(SEGMENT_COLUMNS))
    table = {
        "run": np.repeat(np.arange(first_run, first_run + n_runs, dtype=np.int64), n_seg),
        "segment": pd.Categorical.from_codes(np.tile(np.arange(n_seg), n_runs), labels),
    }
    for k, name in enumerate(SEGMENT_COLUMNS):
        table[name] = flat[:, k]
    conv = flat[:, SEGMENT_COLUMNS.index("conversions")]
    table["revenue"] = conv * float(revenue_per_conversion)
    return pd.DataFrame(table)


def _interval(mean: np.ndarray, sem: np.ndarray) -> dict[str, np.ndarray]:
    return {"mean": mean, "sem": sem, "ci_low": mean - Z95 * sem, "ci_high": mean + Z95 * sem}


def by_segment_summary(
    segment_counts: np.ndarray | None,
    names: Sequence[str] | None,
    revenue_per_conversion: float,
    counts: np.ndarray | None = None,
) -> dict[str, dict[str, dict[str, float]]] | None:
    """Per segment, each metric's mean per run with its 95% interval.

    Parameters
    ----------
    segment_counts : ndarray or None
        As in :func:`segment_table`; ``None`` (or empty) when the audience has no
        segments.
    names : sequence of str or None
        The segments' names.
    revenue_per_conversion : float
        The scenario's revenue per conversion.
    counts : ndarray of int64, shape (runs, len(COUNT_COLUMNS)), optional
        The runs' counts (``RawBatch.counts``): each tally is at most the count it
        breaks down, which tells the summary its sums of squares fit in integers
        without a pass to find out.

    Returns
    -------
    dict or None
        segment -> metric -> ``{"mean", "sem", "ci_low", "ci_high"}``, for the metrics
        :data:`SEGMENT_METRICS` and :data:`RATIOS`; ``None`` without segments.
    """
    if segment_counts is None or segment_counts.size == 0:
        return None
    from smmsim._kernels.segment_stats import segment_moments

    n, n_seg, _ = segment_counts.shape
    labels = segment_labels(names, n_seg)
    col = SEGMENT_COLUMNS.index
    num = np.array([col(a) for a, _ in RATIOS.values()], dtype=np.int64)
    den = np.array([col(b) for _, b in RATIOS.values()], dtype=np.int64)
    bound = None
    if counts is not None and len(counts):
        bound = counts[:, list(SEGMENT_OF_COUNT)].max(axis=0)
    sums, m2, cross = segment_moments(segment_counts, num, den, bound)
    mean = sums / n
    var = m2 / (n - 1) if n > 1 else np.full(m2.shape, np.nan)
    sem = np.sqrt(np.maximum(var, 0.0) / n)
    stats = {name: _interval(mean[:, k], sem[:, k]) for k, name in enumerate(SEGMENT_COLUMNS)}
    price = float(revenue_per_conversion)
    conv = stats["conversions"]
    stats["revenue"] = _interval(conv["mean"] * price, conv["sem"] * abs(price))
    for i, name in enumerate(RATIOS):
        a, b = num[i], den[i]
        m_a, m_b = mean[:, a], mean[:, b]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(m_b > 0, m_a / m_b, np.nan)
            r = np.nan_to_num(ratio)
            # delta method: the variance of num - ratio x den, over the runs
            v = (m2[:, a] + r * r * m2[:, b] - 2 * r * cross[:, i]) / (n - 1) if n > 1 else np.nan
            se = np.where(m_b > 0, np.sqrt(np.maximum(v, 0.0) / n) / m_b, np.nan)
        stats[name] = {
            "mean": ratio,
            "sem": se,
            "ci_low": np.clip(ratio - Z95 * se, 0.0, 1.0),
            "ci_high": np.clip(ratio + Z95 * se, 0.0, 1.0),
        }
    return {
        labels[i]: {name: {k: float(v[i]) for k, v in s.items()} for name, s in stats.items()}
        for i in range(n_seg)
    }


def short_summary(
    by_segment: dict[str, dict[str, dict[str, float]]] | None,
) -> dict[str, dict[str, dict[str, float]]] | None:
    """The short form of :func:`by_segment_summary` (``summary.json`` ``segments``, as
    earlier versions wrote it): each tally's mean per run and standard error."""
    if not by_segment:
        return None
    return {
        name: {col: {"mean": t[col]["mean"], "sem": t[col]["sem"]} for col in SEGMENT_COLUMNS}
        for name, t in by_segment.items()
    }
