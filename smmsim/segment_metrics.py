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

from smmsim._kernels.layout import SEGMENT_COLUMNS

__all__ = [
    "RATIOS",
    "SEGMENT_METRICS",
    "by_segment_summary",
    "segment_labels",
    "segment_table",
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


def _mean_ci(x: np.ndarray) -> dict[str, float]:
    """Mean over the runs (axis 0) with its standard error and normal 95% interval."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    sem = x.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(mean.shape, np.nan)
    return {"mean": mean, "sem": sem, "ci_low": mean - Z95 * sem, "ci_high": mean + Z95 * sem}


def _ratio_ci(num: np.ndarray, den: np.ndarray) -> dict[str, np.ndarray]:
    """Ratio of the means over the runs (axis 0), with the delta method's standard
    error and 95% interval clipped to [0, 1]; NaN where the denominator's mean is 0."""
    n = num.shape[0]
    m_num, m_den = num.mean(axis=0), den.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(m_den > 0, m_num / m_den, np.nan)
        resid = num - np.nan_to_num(ratio) * den
        sem = (
            resid.std(axis=0, ddof=1) / (np.sqrt(n) * m_den)
            if n > 1
            else np.full(ratio.shape, np.nan)
        )
    sem = np.where(m_den > 0, sem, np.nan)
    return {
        "mean": ratio,
        "sem": sem,
        "ci_low": np.clip(ratio - Z95 * sem, 0.0, 1.0),
        "ci_high": np.clip(ratio + Z95 * sem, 0.0, 1.0),
    }


def by_segment_summary(
    segment_counts: np.ndarray | None,
    names: Sequence[str] | None,
    revenue_per_conversion: float,
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

    Returns
    -------
    dict or None
        segment -> metric -> ``{"mean", "sem", "ci_low", "ci_high"}``, for the metrics
        :data:`SEGMENT_METRICS` and :data:`RATIOS`; ``None`` without segments.
    """
    if segment_counts is None or segment_counts.size == 0:
        return None
    n_seg = segment_counts.shape[1]
    labels = segment_labels(names, n_seg)
    x = segment_counts.astype(np.float64)
    col = {name: x[:, :, k] for k, name in enumerate(SEGMENT_COLUMNS)}
    col["revenue"] = col["conversions"] * float(revenue_per_conversion)
    stats = {name: _mean_ci(col[name]) for name in SEGMENT_METRICS}
    for name, (num, den) in RATIOS.items():
        stats[name] = _ratio_ci(col[num], col[den])
    return {
        labels[i]: {name: {k: float(v[i]) for k, v in s.items()} for name, s in stats.items()}
        for i in range(n_seg)
    }
