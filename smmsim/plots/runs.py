"""Pictures of results: functions of tidy frames that take ``ax`` and return Axes.

Every function draws on the ``ax`` it is given (or on a new figure), gives the plot a
title, axis labels with units and a legend when it shows more than one series, and
returns the Axes (or the Figure, for the multi-panel pictures). None of them calls
``plt.show()``; save with :func:`save`. :func:`write_run_plots` writes the main
pictures of a simulation, as ``smmsim run --out DIR`` does.

The threshold scan and sweep heatmaps are in :mod:`smmsim.plots.threshold` and
:mod:`smmsim.plots.sweep`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from smmsim.plots.labels import METRIC_LABELS as _METRIC_LABELS

if TYPE_CHECKING:
    from smmsim.timeline import Timeline
    from smmsim.trace import Cascade

__all__ = [
    "adoption_curves",
    "adoption_figure",
    "compare_metric",
    "direct_vs_referral",
    "earned_media",
    "paid_vs_earned",
    "reach_ccdf",
    "reach_distribution",
    "reach_histogram",
    "referral_tree",
    "save",
    "write_run_plots",
]

CURVES = (
    ("impressions", "Impressions"),
    ("reach", "Reach (users)"),
    ("engagements", "Engagements (events)"),
    ("shares", "Sharers (users)"),
    ("conversions", "Conversions (purchases)"),
)
CURVES_ORDER = tuple(c for c, _ in CURVES)
CURVE_COLORS = ("tab:purple", "tab:blue", "tab:orange", "tab:red", "tab:green")
#: Curves :func:`adoption_curves` draws by default (impressions dwarf the others).
DEFAULT_CURVES = ("reach", "engagements", "shares", "conversions")

#: Axis labels (with units) of the run metrics drawn by :func:`compare_metric`.
METRIC_LABELS = _METRIC_LABELS

PAID, EARNED = "tab:blue", "tab:orange"
CONVERTED, NOT_CONVERTED = "tab:green", "#a0a0a0"
SHARED, SAW_ONLY, REFERRAL_EDGE, AD = "tab:orange", "#b4b4b4", "#c8c8c8", "tab:purple"
FIZZLE, VIRAL = "tab:blue", "tab:red"


def _plain_number(value: float, _pos=None) -> str:
    if abs(value) >= 1000 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _plain_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(_plain_number)


def _new_axes(ax, figsize=(7.5, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _metric_and_viral(runs: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """A run metric as floats, and which runs went viral (none if not recorded)."""
    x = runs[metric].to_numpy(dtype=float)
    viral = runs["viral"].to_numpy(dtype=bool) if "viral" in runs else np.zeros(x.size, bool)
    return x, viral


def _final_label(metric: str) -> str:
    """``"Final reach (users)"``: the metric's axis label after "Final"."""
    label = METRIC_LABELS.get(metric, metric)
    return f"Final {label[0].lower()}{label[1:]}"


def _finish(ax, title: str, **grid):
    """Title, a light grid (``axis``/``which`` as given) and a small legend; the axes."""
    ax.set_title(title)
    ax.grid(alpha=0.3, **grid)
    ax.legend(fontsize="small")
    return ax


def _activity(timeseries: pd.DataFrame) -> tuple[np.ndarray, int]:
    """The steps of the series and the last step at which any run recorded an event."""
    steps = np.sort(timeseries["step"].unique())
    cols = [c for c, _ in CURVES if c in timeseries]
    active = timeseries.loc[(timeseries[cols] != 0).any(axis=1), "step"]
    return steps, int(active.max()) if len(active) else int(steps.min(initial=0))


def _horizon_note(last: int, horizon: int | None, timeline: Timeline | None = None) -> str:
    """What the x-axis stops at: the horizon, or the last step anything happened (as
    dates, or in the unit, on a ``timeline`` with a calendar)."""
    if timeline is not None and timeline.calendar:
        from smmsim.timeline import moment_text

        if horizon is None:
            return f"Last activity in any run: {moment_text(timeline, last)}"
        if last >= horizon - 1:
            return f"Runs still active at the horizon, {moment_text(timeline, horizon - 1)}"
        return (
            f"Nothing happened after {moment_text(timeline, last)} in any run "
            f"(horizon: {timeline.span(horizon)})"
        )
    if horizon is None:
        return f"Last activity in any run: step {last}"
    if last >= horizon - 1:
        return f"Runs still active at the horizon (step {horizon - 1})"
    return f"Nothing happened after step {last} in any run (horizon: {horizon} steps)"


def _time_axis_name(timeline: Timeline | None, last: int = 0) -> str:
    """The x-axis of per-step curves: ``Step``, ``Day`` (a unit alone), ``Date`` (with
    the year, or the years, of steps ``0 .. last``) or, for hours, ``Time`` (with the
    days)."""
    if timeline is None or not timeline.calendar:
        return "Step"
    if not timeline.dated:
        return timeline.unit.capitalize()
    a, b = timeline.date_of(0), timeline.date_of(last)
    if timeline.unit == "hour":  # ticks are hours (a new day's midnight: its date)
        days = a.date().isoformat() + ("" if a.date() == b.date() else f" to {b.date()}")
        return f"Time ({days})"
    return f"Date ({a.year})" if a.year == b.year else f"Date ({a.year}-{b.year})"


def _dated_x(ax, x: np.ndarray, last: int, timeline: Timeline):
    """Set a date axis over steps ``0 .. last`` (readable ticks: the concise
    formatter names the month once, then days or hours) and return the steps ``x`` as
    dates. Panels sharing the axis all span the same steps (:func:`_activity` reads
    every curve)."""
    import matplotlib.dates as mdates

    dates = timeline.dates(max(int(last), int(x.max(initial=0))) + 1)
    one = (dates[1] - dates[0]) if dates.size > 1 else np.timedelta64(1, "D")
    margin = mdates.date2num(dates[0] + one) - mdates.date2num(dates[0])
    left = mdates.date2num(dates[0]) - 0.3 * margin
    right = mdates.date2num(dates[int(last)]) + 0.3 * margin
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    # "Mar 03" on every day tick, hours as 14:00 with the date at midnight; the year
    # is in the axis label (the offset text would sit on it)
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b", "%b %d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b %d", "%b %d", "%H:%M", "%H:%M"],
        show_offset=False,
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlim(left, right)
    return dates[x]


def adoption_curves(
    timeseries: pd.DataFrame,
    *,
    ax=None,
    band: float = 0.9,
    cumulative: bool = False,
    log: bool = False,
    metrics: tuple[str, ...] = DEFAULT_CURVES,
    horizon: int | None = None,
    name: str | None = None,
    timeline: Timeline | None = None,
):
    """Reach, engagements, shares and conversions over time: new each step or running totals.

    Lines are the ensemble mean; a shaded band, edged in the line's colour, covers the
    central ``band`` of runs. The x-axis runs to the last step at which any run
    recorded an event (the horizon when runs were still active then), and a note
    under the axis says which.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        ``Results.timeseries`` (one row per run and step, new events per step).
    ax : matplotlib Axes, optional
    band : float
        Central fraction of runs to shade.
    cumulative : bool
        Draw running totals (an S-curve for a spreading product) instead of the new
        events of each step.
    log : bool
        Logarithmic y-axis (a symmetric log, so zero stays on it); linear by default.
    metrics : tuple of str
        Columns of ``timeseries`` to draw, among ``impressions``, ``reach``,
        ``engagements``, ``shares`` and ``conversions``. Impressions (views, repeats
        included) are left out by default: they dwarf the user counts on a linear axis.
    horizon : int, optional
        Steps the simulation ran (``simulation.steps``), named in the note.
    name : str, optional
        Scenario name, put in the title.
    timeline : Timeline, optional
        The scenario's calendar (``Results.timeline``): on a dated one the x-axis is a
        date axis; with a unit alone it is labelled in that unit (``Day``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    steps, last = _activity(timeseries)
    shown = steps[steps <= last] if steps.size else steps
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    labels = dict(CURVES)
    unknown = [m for m in metrics if m not in labels]
    if unknown:
        raise ValueError(f"unknown curve {unknown[0]!r}; choose among {', '.join(labels)}")
    drawn = []
    for col in metrics:
        if col not in timeseries:
            continue
        wide = timeseries.pivot(index="run", columns="step", values=col).reindex(
            columns=shown, fill_value=0
        )
        values = wide.fillna(0).to_numpy(dtype=float)
        if cumulative:
            values = values.cumsum(axis=1)
        mean = values.mean(axis=0)
        drawn.append(
            (col, mean, np.quantile(values, lo_q, axis=0), np.quantile(values, hi_q, axis=0))
        )
    # the widest band first, so narrower ones stay on top of it
    drawn.sort(key=lambda d: -float(d[3].max(initial=0)))
    colors = dict(zip(CURVES_ORDER, CURVE_COLORS, strict=True))
    handles = {}
    # several bands on one axes: fainter fills, dashed edges, so each stays traceable
    alpha, edge = (0.13, "-") if len(drawn) == 1 else (0.06, "--")
    dated = timeline is not None and timeline.dated
    x = shown
    if dated:
        x = _dated_x(ax, np.asarray(shown, dtype=np.int64), max(last, 1), timeline)
    for z, (col, mean, lo, hi) in enumerate(drawn):
        color = colors[col]
        fill = ax.fill_between(x, lo, hi, color=color, alpha=alpha, lw=0, zorder=1 + z)
        ax.plot(x, lo, color=color, lw=0.8, ls=edge, alpha=0.8, zorder=1 + z)
        ax.plot(x, hi, color=color, lw=0.8, ls=edge, alpha=0.8, zorder=1 + z)
        (line,) = ax.plot(x, mean, color=color, lw=2.2, label=labels[col], zorder=10 + z)
        handles[col] = ((fill, line), labels[col])
    order = [c for c in CURVES_ORDER if c in handles]
    ax.legend(
        [handles[c][0] for c in order],
        [handles[c][1] for c in order],
        loc="best",
        fontsize="small",
        title=f"mean; band: central {band:.0%} of runs",
        title_fontsize="small",
    )
    axis = _time_axis_name(timeline, last)
    note = _horizon_note(last, horizon, timeline)
    ax.set_xlabel(f"{axis}{'' if dated else ' (time since launch)'}\n{note}")
    per = timeline.unit if timeline is not None and timeline.calendar else "step"
    if cumulative:
        ax.set_ylabel("Running total (users or events)")
        what = "running totals"
    else:
        ax.set_ylabel(f"New this {per} (users or events)")
        what = f"new each {per}"
    ax.set_title(f"{name + ': ' if name else ''}adoption over time, {what}")
    if log:
        ax.set_yscale("symlog", linthresh=1, linscale=0.5)
    top = max((float(max(d[1].max(initial=0), d[3].max(initial=0))) for d in drawn), default=1)
    right = max(last, 1) + 0.3
    # on axes shared with other panels the largest range wins
    if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
        top = max(top, ax.get_ylim()[1] / 1.05)
    if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
        right = max(right, ax.get_xlim()[1])
    ax.set_ylim(0, max(top, 1.0) * 1.05)
    ax.yaxis.set_major_formatter(_plain_formatter())
    if not dated:
        ax.set_xlim(-0.3, right)
        ax.xaxis.set_major_locator(_integer_locator())
    ax.grid(alpha=0.3)
    return ax


def adoption_figure(
    timeseries: pd.DataFrame,
    *,
    band: float = 0.9,
    horizon: int | None = None,
    name: str | None = None,
    metrics: tuple[str, ...] = DEFAULT_CURVES,
    timeline: Timeline | None = None,
):
    """One column per curve: new events per step above, running totals below.

    Every panel has its own linear y-axis and one band, so bands never overlap and a
    small count (conversions) reads as well as a large one (reach). Built from
    :func:`adoption_curves`.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        ``Results.timeseries``.
    band : float
        Central fraction of runs to shade.
    horizon : int, optional
        Steps the simulation ran, named in the note under the x-axes.
    name : str, optional
        Scenario name, put in the figure's title.
    metrics : tuple of str
        The curves, one column each.
    timeline : Timeline, optional
        The scenario's calendar: dates on the x-axes of a dated one (see
        :func:`adoption_curves`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    cols = [m for m in metrics if m in timeseries]
    if not cols:
        raise ValueError(
            f"the time series has none of the curves {', '.join(metrics)}; "
            f"its columns are {', '.join(map(str, timeseries.columns))}"
        )
    fig, axes = plt.subplots(
        2,
        len(cols),
        figsize=(1.5 + 3.3 * len(cols), 6.4),
        layout="constrained",
        sharex=True,
        squeeze=False,
    )
    labels = dict(CURVES)
    runs = timeseries["run"].nunique()
    for j, col in enumerate(cols):
        top, bottom = axes[0, j], axes[1, j]
        adoption_curves(
            timeseries, ax=top, band=band, metrics=(col,), horizon=horizon, timeline=timeline
        )
        adoption_curves(
            timeseries, ax=bottom, band=band, metrics=(col,), horizon=horizon, cumulative=True,
            timeline=timeline,
        )  # fmt: skip
        top.set_title(labels[col])
        bottom.set_title("")
        for ax in (top, bottom):
            ax.get_legend().remove()
            ax.set_xlabel("")
            if j:
                ax.set_ylabel("")
        bottom.set_xlabel(_time_axis_name(timeline, _activity(timeseries)[1]))
    per = timeline.unit if timeline is not None and timeline.calendar else "step"
    axes[0, 0].set_ylabel(f"New this {per}")
    axes[1, 0].set_ylabel("Running total")
    _, last = _activity(timeseries)
    note = _horizon_note(last, horizon, timeline)
    fig.supxlabel(f"Time since launch. {note}.", fontsize="medium")
    fig.suptitle(
        f"{name + ': ' if name else ''}adoption over time "
        f"(line: mean of {runs:,} runs; band: central {band:.0%} of runs)"
    )
    return fig


def _integer_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _bins(values: np.ndarray, n_bins: int = 30, log: bool | None = None) -> tuple[np.ndarray, bool]:
    """Histogram bins for non-negative counts: logarithmic when they span decades."""
    hi = float(values.max()) if values.size else 1.0
    positive = values[values > 0]
    lo = float(positive.min()) if positive.size else 1.0
    if log is None:
        log = bool(positive.size) and hi / lo >= 50
    if log and positive.size:
        return np.unique(np.geomspace(max(lo, 1.0), hi + 1, n_bins)), True
    return np.linspace(0, max(hi, 1.0) + 1, min(n_bins, int(hi) + 2)), False


def reach_histogram(runs: pd.DataFrame, *, ax=None, metric: str = "reach", log: bool | None = None):
    """Histogram of a run metric (final reach by default), viral runs apart.

    Runs that went viral (``runs.viral == 1``) are stacked in a second colour, so a
    two-humped picture (many fizzles, a few viral hits) reads at a glance. The x-axis
    turns logarithmic when the values span more than a factor of 50 (zeros are then
    left out and counted in the legend).

    Parameters
    ----------
    runs : pandas.DataFrame
        ``Results.runs``.
    ax : matplotlib Axes, optional
    metric : str
        Column of ``runs`` to show.
    log : bool, optional
        Force a logarithmic (``True``) or linear (``False``) x-axis, e.g. to compare
        two histograms; default: logarithmic when the values span a factor of 50.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    x, viral = _metric_and_viral(runs, metric)
    bins, log = _bins(x, log=log)
    shown = x > 0 if log else np.ones(x.size, bool)
    zeros = int((~shown).sum())
    ax.hist(
        [x[shown & ~viral], x[shown & viral]],
        bins=bins,
        stacked=True,
        color=[FIZZLE, VIRAL],
        label=[
            f"Fizzled ({int((~viral).sum())} runs{f', {zeros} at zero' if zeros else ''})",
            f"Went viral ({int(viral.sum())} runs)",
        ],
        edgecolor="white",
        linewidth=0.5,
    )
    if log:
        ax.set_xscale("log")
        _plain_log_ticks(ax.xaxis)
    ax.set_xlabel(_final_label(metric))
    ax.set_ylabel("Runs")
    return _finish(ax, f"Final {metric.replace('_', ' ')} across {x.size:,} runs", axis="y")


def reach_ccdf(runs: pd.DataFrame, *, ax=None, metric: str = "reach"):
    """Complementary CDF of a run metric on log-log axes: fizzles against viral hits.

    ``P(X >= x)``: the share of runs that reached at least ``x``. A straight stretch
    means a heavy tail; a shoulder at the far right is the viral hits. Viral runs are
    marked. Runs with zero are left out (logarithmic axis).

    Parameters
    ----------
    runs, ax, metric
        As in :func:`reach_histogram`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    x, viral = _metric_and_viral(runs, metric)
    order = np.argsort(x, kind="stable")
    xs, vs = x[order], viral[order]
    # P(X >= xs[i]) with ties: first position of each value in the sorted array
    first = np.searchsorted(xs, xs, side="left")
    ccdf = 1.0 - first / max(x.size, 1)
    pos = xs > 0
    ax.step(xs[pos], ccdf[pos], where="post", color=FIZZLE, lw=1.8, label="All runs")
    if (pos & vs).any():
        ax.plot(
            xs[pos & vs],
            ccdf[pos & vs],
            "o",
            ms=4,
            color=VIRAL,
            alpha=0.7,
            label=f"Viral runs ({int(vs.sum())})",
        )
    if pos.any():
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain_log_ticks(ax.xaxis)
    ax.set_xlabel(f"{_final_label(metric)}, x")
    ax.set_ylabel("Share of runs reaching at least x")
    title = f"Complementary CDF of final {metric.replace('_', ' ')} (log-log)"
    return _finish(ax, title, which="both")


def _plain_log_ticks(axis) -> None:
    """Label a logarithmic axis 1, 2, 5, 10, 20, ... instead of powers of ten."""
    from matplotlib.ticker import LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(_plain_formatter())
    axis.set_minor_formatter(NullFormatter())


def _fmt(value: float) -> str:
    """A bar label: three significant figures up to 100, whole numbers above."""
    if abs(value) < 10:
        return f"{value:,.2f}"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def reach_distribution(runs: pd.DataFrame, *, metric: str = "reach", name: str | None = None):
    """Histogram and log-log complementary CDF of final reach, side by side.

    Parameters
    ----------
    runs : pandas.DataFrame
        ``Results.runs``.
    metric : str
        Column of ``runs`` to show.
    name : str, optional
        Scenario name, put in the figure's title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    reach_histogram(runs, ax=left, metric=metric)
    reach_ccdf(runs, ax=right, metric=metric)
    if name:
        fig.suptitle(f"{name}: how far each run spread")
    return fig


def _as_groups(runs) -> dict[str, pd.DataFrame]:
    if isinstance(runs, pd.DataFrame):
        return {"": runs}
    if isinstance(runs, Mapping):
        return {str(k): v.runs if hasattr(v, "runs") else v for k, v in runs.items()}
    raise TypeError(f"runs must be a DataFrame or a mapping of labels to DataFrames, got {runs!r}")


def _ci(runs: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    """Mean of ``metric`` and the distances down and up to its 95% confidence bounds,
    as :func:`smmsim.summarize` reports them (Wilson score interval for ``viral``)."""
    from smmsim.metrics import summarize

    row = summarize(runs[[metric]]).loc[metric]
    mean = float(row["mean"])
    if not np.isfinite(mean):
        return np.nan, 0.0, 0.0
    return mean, max(mean - float(row["ci_low"]), 0.0), max(float(row["ci_high"]) - mean, 0.0)


def _label_bars(ax, bars, stats) -> None:
    """Write each bar's mean just beyond the end of its error bar."""
    for bar, (mean, lo, hi) in zip(bars, stats, strict=True):
        if not np.isfinite(mean):
            continue
        up = mean >= 0
        ax.annotate(
            _fmt(mean),
            (bar.get_x() + bar.get_width() / 2, mean + hi if up else mean - lo),
            xytext=(0, 3 if up else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize="small",
        )


def _split_bars(runs, columns, labels, colors, ax, ylabel, title):
    ax = _new_axes(ax, figsize=(6.5, 4.5))
    groups = _as_groups(runs)
    x = np.arange(len(groups))
    width = 0.8 / len(columns)
    top = 0.0
    for i, (col, label, color) in enumerate(zip(columns, labels, colors, strict=True)):
        stats = [_ci(df, col) for df in groups.values()]
        means = [m for m, _, _ in stats]
        bars = ax.bar(
            x + (i - (len(columns) - 1) / 2) * width,
            means,
            width,
            yerr=[[lo for _, lo, _ in stats], [hi for _, _, hi in stats]],
            capsize=4,
            color=color,
            label=label,
        )
        _label_bars(ax, bars, stats)
        top = max(top, max((m + hi for m, _, hi in stats), default=0.0))
    ax.set_xticks(x, list(groups) if len(groups) > 1 or "" not in groups else ["all runs"])
    ax.set_xlabel("Scenario")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.35 * top if top > 0 else 1.0)  # room for the legend above the bars
    return _finish(ax, title, axis="y")


def paid_vs_earned(runs, *, ax=None):
    """Mean paid against earned reach per run, with 95% confidence intervals.

    Parameters
    ----------
    runs : pandas.DataFrame or mapping of str to DataFrame (or Results)
        ``Results.runs``, or several labelled ones to compare side by side.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    return _split_bars(
        runs,
        ["paid_reach", "earned_reach"],
        ["Paid reach (first seen from a seed)", "Earned reach (first seen from a peer)"],
        [PAID, EARNED],
        ax,
        "Users reached per run (mean, 95% CI)",
        "Paid against earned reach",
    )


def direct_vs_referral(runs, *, ax=None):
    """Mean direct against referral-driven conversions per run, with 95% CIs.

    The arguments and the returned Axes are those of :func:`paid_vs_earned`.
    """
    return _split_bars(
        runs,
        ["direct_conversions", "referral_conversions"],
        ["Direct (reached by a seed)", "Referral-driven (reached by a peer)"],
        [PAID, EARNED],
        ax,
        "Conversions per run (purchases, mean, 95% CI)",
        "Direct against referral-driven conversions",
    )


def earned_media(runs, *, name: str | None = None):
    """Paid against earned reach and direct against referral conversions, side by side.

    Parameters
    ----------
    runs : pandas.DataFrame or mapping of str to DataFrame (or Results)
        As in :func:`paid_vs_earned`.
    name : str, optional
        Scenario name, put in the figure's title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = len(_as_groups(runs))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(max(11, 4 + 3.5 * n), 4.5), layout="constrained"
    )
    paid_vs_earned(runs, ax=left)
    direct_vs_referral(runs, ax=right)
    if name:
        fig.suptitle(f"{name}: what the campaign paid for and what word of mouth added")
    return fig


def compare_metric(runs, metric: str, *, ax=None, label: str | None = None):
    """One metric's mean with its 95% confidence interval, for each of several scenarios.

    Parameters
    ----------
    runs : mapping of str to DataFrame (or Results), or one DataFrame
        Labelled ``Results.runs`` frames.
    metric : str
        A column of ``Results.runs`` (``roi``, ``earned_reach``, ...).
    ax : matplotlib Axes, optional
    label : str, optional
        Y-axis label with its unit (default: a built-in label for known metrics).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax, figsize=(6.5, 4.5))
    groups = _as_groups(runs)
    names = list(groups) if len(groups) > 1 or "" not in groups else ["all runs"]
    stats = [_ci(df, metric) for df in groups.values()]
    means = [m for m, _, _ in stats]
    colors = [f"C{i}" for i in range(len(groups))]
    err = [[lo for _, lo, _ in stats], [hi for _, _, hi in stats]]
    bars = ax.bar(names, means, yerr=err, capsize=5, color=colors, width=0.6)
    _label_bars(ax, bars, stats)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel(label or METRIC_LABELS.get(metric, metric))
    ax.set_xlabel("Scenario")
    name = METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize()).split(" (")[0]
    ax.set_title(f"{name}: mean and 95% confidence interval")
    ax.grid(alpha=0.3, axis="y")
    return ax


def _tree_positions(nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """x (leaf order, parents centred over their children) and y (generation)."""
    ids = nodes["node"].to_numpy()
    where = {int(v): i for i, v in enumerate(ids)}
    ref = nodes["referrer"].to_numpy()
    parent = np.array([where.get(int(r), -1) for r in ref], dtype=np.int64)
    children: list[list[int]] = [[] for _ in range(len(ids))]
    order = np.lexsort((ids, nodes["first_step"].to_numpy()))
    for i in order:
        if parent[i] >= 0:
            children[parent[i]].append(int(i))
    x = np.zeros(len(ids))
    next_leaf = 0.0
    roots = [int(i) for i in order if parent[i] < 0]
    for root in roots:
        # iterative post-order walk: leaves take consecutive slots
        stack = [(root, False)]
        while stack:
            i, done = stack.pop()
            kids = children[i]
            if done:
                x[i] = 0.5 * (x[kids[0]] + x[kids[-1]])
            elif not kids:
                x[i] = next_leaf
                next_leaf += 1.0
            else:
                stack.append((i, True))
                stack.extend((k, False) for k in reversed(kids))
        next_leaf += 1.0  # a gap between seeds' trees
    return x, nodes["generation"].to_numpy(dtype=float)


@dataclass(frozen=True)
class _TreeSample:
    """Which users of a cascade a thinned referral tree draws, and how they were chosen."""

    keep: np.ndarray  # mask over the cascade's users
    how: str  # "all", "sampled", "trees" or "chains"
    others: int = 0  # users who only saw it
    others_shown: int = 0
    trees: int = 0  # trees (one per seed or ad-reached user) in the cascade
    trees_shown: int = 0
    buyers: tuple[int, int] = (0, 0)  # drawn and in the cascade ("chains")
    sharers: tuple[int, int] = (0, 0)  # who did not buy, drawn and in the cascade
    deepest: int = 0


def _roots(parent: np.ndarray) -> np.ndarray:
    """The index of the top of each user's tree (pointer jumping)."""
    root = np.arange(parent.size)
    up = np.where(parent >= 0, parent, root)
    while True:
        nxt = up[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


def _tree_sample(nodes: pd.DataFrame, max_nodes: int, rng) -> _TreeSample:
    """Which users of a cascade to draw, at most ``max_nodes`` of them.

    Seeds, sharers and buyers (with everyone above them) are kept first; the users who
    only saw the content fill what is left, drawn at random. When the kept users alone
    are too many, whole trees are drawn (every seed's first, then trees an ad started,
    at random) when there are many trees, else random buyers and sharers with the
    chains of users that referred them (:func:`_chains`).
    """
    from smmsim.rng import as_generator

    n = len(nodes)
    seed = nodes["seed"].to_numpy(dtype=bool)
    core = seed | nodes["shared"].to_numpy(dtype=bool) | nodes["converted"].to_numpy(dtype=bool)
    others = int((~core).sum())
    gen = nodes["generation"].to_numpy()
    deepest = int(gen.max(initial=0))
    if n <= max_nodes:
        return _TreeSample(np.ones(n, bool), "all", others, others, deepest=deepest)
    gen_rng = as_generator(rng)
    where = {int(v): i for i, v in enumerate(nodes["node"].to_numpy())}
    parent = np.array([where.get(int(r), -1) for r in nodes["referrer"]], dtype=np.int64)
    keep = core.copy()
    todo = np.flatnonzero(keep)
    while todo.size:  # everyone above a kept user is kept
        up = parent[todo]
        up = up[up >= 0]
        up = up[~keep[up]]
        keep[up] = True
        todo = up
    if keep.sum() <= max_nodes:
        pool = np.flatnonzero(~keep)
        picked = gen_rng.choice(
            pool, size=min(max_nodes - int(keep.sum()), pool.size), replace=False
        )
        keep[picked] = True
        return _TreeSample(keep, "sampled", others, int(picked.size), deepest=deepest)
    root = _roots(parent)
    sizes = np.bincount(root[keep], minlength=n)
    tops = np.flatnonzero((parent < 0) & keep)
    if tops.size > max(max_nodes // 8, 1):
        order = np.concatenate([tops[seed[tops]], gen_rng.permutation(tops[~seed[tops]])])
        fits = np.cumsum(sizes[order]) <= max_nodes
        chosen = order[: int(np.argmin(fits)) if not fits.all() else order.size]
        if chosen.size:
            keep &= np.isin(root, chosen)
            return _TreeSample(
                keep, "trees", trees=int(tops.size), trees_shown=int(chosen.size), deepest=deepest
            )
    return _chains(parent, seed, core, nodes, max_nodes, gen_rng, deepest)


def _chains(parent, seed, core, nodes, max_nodes, gen_rng, deepest) -> _TreeSample:
    """Random buyers, then random sharers, each with the chain of users that referred
    them up to a seed, while they fit in ``max_nodes``: the full depth of a cascade too
    large to draw, at a width that stays legible."""
    converted = nodes["converted"].to_numpy(dtype=bool)
    shared = nodes["shared"].to_numpy(dtype=bool)
    buyers = np.flatnonzero(converted & ~seed)
    sharers = np.flatnonzero(shared & ~converted & ~seed)
    order = np.concatenate(
        [np.flatnonzero(seed), gen_rng.permutation(buyers), gen_rng.permutation(sharers)]
    )
    keep = np.zeros(seed.size, bool)
    room = max_nodes
    for i in order:
        chain = []
        j = int(i)
        while j >= 0 and not keep[j] and len(chain) <= room:
            chain.append(j)
            j = int(parent[j])
        if chain and len(chain) <= room:
            keep[chain] = True
            room -= len(chain)
        if room == 0:
            break
    return _TreeSample(
        keep,
        "chains",
        buyers=(int(keep[buyers].sum()), int(buyers.size)),
        sharers=(int((keep & shared & ~converted & ~seed).sum()), int(sharers.size)),
        deepest=deepest,
    )


def _tree_note(sample: _TreeSample, shown: int, total: int) -> str:
    """What a thinned tree leaves out ('' when it shows everyone)."""
    if sample.how == "all":
        return ""
    if sample.how == "sampled":
        return (
            f"Shown: {shown:,} of {total:,} users: every seed, sharer and buyer,\n"
            f"and a random {sample.others_shown:,} of the {sample.others:,} who only saw it"
        )
    if sample.how == "trees":
        return (
            f"Shown: {sample.trees_shown:,} of {sample.trees:,} trees, whole "
            f"({shown:,} of {total:,} users, seeds included;\n"
            f"seeds' trees first, then a random sample; seeds, sharers and buyers only)"
        )
    (b, nb), (h, nh) = sample.buyers, sample.sharers
    return (
        f"Shown: {shown:,} of {total:,} users: buyers, then sharers, picked at random, each\n"
        f"with the sharers who referred them up to a seed ({b:,} of {nb:,} buyers, "
        f"{h:,} of {nh:,} other sharers)"
    )


def referral_tree(
    nodes: pd.DataFrame,
    *,
    ax=None,
    max_nodes: int = 400,
    title: str | None = None,
    name: str | None = None,
    rng=0,
):
    """One cascade drawn as its referral tree: who referred whom, by generation.

    Seeds (paid posts, stars) sit at generation 0; every other user hangs under the
    sharer whose post they saw first (their referrer), one generation further down.
    Buyers are green and drawn on top of everything, sharers orange, users who only
    saw the content small and grey. The legend is made from the marks drawn.

    A large cascade is thinned to stay legible: every seed, sharer and buyer is drawn,
    and a random sample of the users who only saw it fills the rest of ``max_nodes``;
    when the sharers and buyers alone are more, whole trees are drawn if the cascade
    has many (one per seed or ad-reached user), else random buyers, then random
    sharers, each with the chain of users that referred them up to a seed, so the
    full depth shows. A note on the plot says what is shown.

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per user of the cascade, as in ``smmsim.trace.Cascade.nodes``:
        ``node``, ``referrer`` (-1 for seeds), ``generation``, ``first_step``,
        ``seed``, ``shared``, ``converted``.
    ax : matplotlib Axes, optional
    max_nodes : int
        Draw at most this many users.
    title : str, optional
        Default: the users reached and the buyers, after ``name``.
    name : str, optional
        Scenario name, put in the default title.
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state (which users are sampled).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.collections import LineCollection

    total = len(nodes)
    order = nodes.sort_values(["first_step", "generation", "node"], kind="stable")
    sample = _tree_sample(order, max_nodes, rng)
    shown = order[sample.keep].reset_index(drop=True)
    x, y = _tree_positions(shown)
    leaves = float(x.max()) if x.size else 1.0
    width = max(10.0, min(16.0, 4.0 + 0.035 * leaves))
    ax = _new_axes(ax, figsize=(width, 6.0))
    where = {int(v): i for i, v in enumerate(shown["node"].to_numpy())}
    ref = shown["referrer"].to_numpy()
    segs = [
        ((x[where[int(r)]], y[where[int(r)]]), (x[i], y[i]))
        for i, r in enumerate(ref)
        if int(r) in where
    ]
    if segs:
        ax.add_collection(
            LineCollection(
                segs,
                colors=REFERRAL_EDGE,
                linewidths=0.6,
                zorder=1,
                label="Referral (saw it first from)",
            )
        )
    seed = shown["seed"].to_numpy(dtype=bool)
    ad = (shown["referrer"].to_numpy() < 0) & ~seed
    converted = shown["converted"].to_numpy(dtype=bool) & ~seed
    shared = shown["shared"].to_numpy(dtype=bool) & ~seed & ~converted
    saw = ~(seed | converted | shared)
    marks = [
        (saw, {"s": 10, "c": SAW_ONLY, "edgecolors": "none", "zorder": 2}, "Saw it only"),
        (shared, {"s": 30, "c": SHARED, "edgecolors": "none", "zorder": 3}, "Shared it"),
        (
            converted,
            {"s": 42, "c": CONVERTED, "edgecolors": "black", "linewidths": 0.5, "zorder": 4},
            "Bought",
        ),
        (
            seed,
            {"s": 170, "marker": "*", "c": SHARED, "edgecolors": "black", "linewidths": 0.8},
            "Paid seed",
        ),
        (
            ad,
            {"s": 60, "marker": "D", "facecolors": "none", "edgecolors": AD, "linewidths": 1.0},
            "Reached by an ad (top of a tree)",
        ),
    ]
    if seed.sum() > 10:  # many seeds side by side: smaller stars
        marks[3][1]["s"] = 80
    for mask, style, label in marks:
        if mask.any():
            ax.scatter(x[mask], y[mask], label=label, **{"zorder": 5, **style})
    ax.invert_yaxis()
    ax.yaxis.set_major_locator(_integer_locator())
    ax.set_xticks([])
    source = "a paid seed or an ad" if ad.any() else "a paid seed"
    ax.set_ylabel(f"Generation (referral hops from {source})")
    ax.set_xlabel("Users in the cascade, each under the user who referred them")
    bought = int(nodes["converted"].sum())
    reached = total - int(nodes["seed"].sum())
    default = f"{reached:,} users reached, {bought:,} bought"
    ax.set_title(title or f"{name + ': ' if name else ''}referral tree, {default}")
    note = _tree_note(sample, len(shown), total)
    if note:  # under the axes, where it hides no user
        ax.set_xlabel(f"{ax.get_xlabel()}\n{note}")
    # beside the tree, where it hides no user
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.005, 1.0), framealpha=0.9)
    ax.margins(x=0.02, y=0.08)
    return ax


def save(fig, path: str | Path, dpi: int = 120) -> Path:
    """Save ``fig`` to ``path`` and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def write_run_plots(results, out_dir: str | Path, *, tree: Cascade | None = None) -> list[Path]:
    """Write the main pictures of a simulation's results as PNG files into ``out_dir``.

    - ``adoption.png``: new events per step and running totals, with a band across
      runs (:func:`adoption_figure`);
    - ``reach_distribution.png``: histogram and log-log complementary CDF of reach;
    - ``earned_media.png``: paid against earned reach, direct against referral
      conversions;
    - ``referral_tree.png``: one run's referral tree, when ``tree`` is given
      (:func:`smmsim.trace.results_cascade` traces a typical run again);
    - ``segments.png``: reach, engaged users and conversions by segment, when the
      audience has segments (:func:`smmsim.plots.breakdown.segment_figure`).

    Every picture carries the scenario's name in its title. Nothing is simulated here:
    the tree is drawn from the cascade given.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = results.scenario.get("name")
    horizon = results.scenario.get("simulation", {}).get("steps")
    paths = [
        save(
            adoption_figure(
                results.timeseries, horizon=horizon, name=name, timeline=results.timeline
            ),
            out / "adoption.png",
        ),
        save(reach_distribution(results.runs, name=name), out / "reach_distribution.png"),
        save(earned_media(results.runs, name=name), out / "earned_media.png"),
    ]
    if tree is not None:
        why = f" ({tree.chosen})" if tree.chosen else ""
        ax = referral_tree(
            tree.nodes,
            title=(
                f"{name}: referral tree of run {tree.run}{why},\n"
                f"{tree.reach:,} users reached, {tree.conversions:,} bought"
            ),
        )
        paths.append(save(ax.figure, out / "referral_tree.png"))
    if results.extra.get("by_segment"):
        from smmsim.plots.breakdown import segment_figure

        paths.append(save(segment_figure(results), out / "segments.png"))
    return paths
