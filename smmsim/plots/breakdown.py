"""Pictures of breakdowns: a metric by segment (:func:`segment_bars`), reach, engaged
users and conversions by segment side by side (:func:`segment_figure`) and two
variants' paired differences (:func:`paired_bars`).

They take plain tables (``Results.extra["segments"]`` or ``["by_segment"]``,
:func:`smmsim.compare.paired_differences`) or results and ``ax=None``, and return the
Axes (the Figure for :func:`segment_figure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smmsim.plots.labels import METRIC_LABELS

__all__ = ["SEGMENT_PANELS", "paired_bars", "segment_bars", "segment_figure"]

#: Normal quantile of a two-sided 95% interval.
Z95 = 1.959964
#: The metrics :func:`segment_figure` draws, one panel each.
SEGMENT_PANELS = ("reach", "engaged", "conversions")


def _axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def segment_bars(segments: dict, *, metric: str = "reach", name: str | None = None, ax=None):
    """Mean ``metric`` per run in each segment, with 95% intervals.

    Parameters
    ----------
    segments : dict
        ``Results.extra["by_segment"]`` (or ``["segments"]``): segment name -> metric ->
        ``{"mean", "sem", ...}``.
    metric : str
        A per-segment metric (``"reach"``, ``"conversions"``, ``"revenue"``, ...).
    name : str, optional
        Scenario name for the title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (6.5, 4.0))
    names = list(segments)
    means = np.array([segments[s][metric]["mean"] for s in names], dtype=float)
    sems = np.array([segments[s][metric]["sem"] for s in names], dtype=float)
    bars = ax.bar(
        names, means, yerr=Z95 * sems, capsize=5, color=[f"C{i}" for i in range(len(names))]
    )
    tops = means + Z95 * np.nan_to_num(sems)  # each label clears its interval
    for bar, m, top in zip(bars, means, tops, strict=True):
        ax.annotate(
            f"{m:,.0f}" if m >= 100 else f"{m:.3g}",
            (bar.get_x() + bar.get_width() / 2, top),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    label = METRIC_LABELS.get(metric, metric.replace("_", " "))
    ax.set_ylabel(f"{label}, mean per run")
    ax.set_xlabel("Segment")
    head = f"{name}: " if name else ""
    what = label.split(" (")[0].lower()
    ax.set_title(f"{head}{what} by segment (95% CI)" if head else f"{what.capitalize()} by segment")
    ax.margins(y=0.12)
    ax.grid(alpha=0.3, axis="y")
    return ax


def segment_figure(results, *, metrics: tuple[str, ...] = SEGMENT_PANELS):
    """Reach, engaged users and conversions (``metrics``) by segment, one panel each:
    each segment's mean per run with its 95% interval (:func:`segment_bars`).

    Parameters
    ----------
    results : smmsim.Results
        Results on an audience with segments (``results.extra["by_segment"]``).
    metrics : tuple of str
        The per-segment metrics to draw.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the audience has no segments.
    """
    import matplotlib.pyplot as plt

    by = results.extra.get("by_segment")
    if not by:
        raise ValueError("these results have no segments (the audience has none)")
    n = len(metrics)
    width = max(4.0, 0.9 * len(by) + 1.5)
    fig, axes = plt.subplots(1, n, figsize=(width * n, 4.2), layout="constrained", squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        segment_bars(by, metric=metric, ax=ax)
        if len(by) > 4 or max(len(str(s)) for s in by) > 10:  # long names would collide
            for tick in ax.get_xticklabels():
                tick.set_rotation(30)
                tick.set_horizontalalignment("right")
    name = results.scenario.get("name")
    fig.suptitle(f"{name}: by segment, mean per run (95% CI)" if name else "By segment")
    return fig


def paired_bars(table: pd.DataFrame, *, labels: tuple[str, str] = ("A", "B"), ax=None):
    """Each metric's mean paired difference ``B - A``, as a share of A's mean, with its
    95% interval (metrics whose mean in A is 0 are left out).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`smmsim.compare.paired_differences`.
    labels : (str, str)
        Names of the two variants.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.0, 4.2))
    t = table[(table["a_mean"].abs() > 0) & np.isfinite(table["diff_mean"])]
    base = t["a_mean"].abs().to_numpy()
    rel = t["diff_mean"].to_numpy() / base * 100
    lo = t["diff_ci_low"].to_numpy() / base * 100
    hi = t["diff_ci_high"].to_numpy() / base * 100
    y = np.arange(len(t))[::-1]
    colors = np.where(lo > 0, "tab:green", np.where(hi < 0, "tab:red", "tab:gray"))
    ax.barh(y, rel, color=colors, alpha=0.8)
    ax.errorbar(rel, y, xerr=[rel - lo, hi - rel], fmt="none", ecolor="black", capsize=4)
    names = {**METRIC_LABELS, "pays_back": "Pays back (share of runs)"}
    ax.set_yticks(y, [names.get(m, m).split(" (")[0] for m in t.index])
    ax.axvline(0, color="black", lw=0.8)
    a, b = labels
    ax.set_xlabel(f"{b} - {a}, % of {a}'s mean (paired runs, 95% CI)")
    ax.set_title(f"What {b} changes against {a} (same random numbers in both)")
    ax.grid(alpha=0.3, axis="x")
    return ax
