"""Pictures of results: functions of tidy frames that take ``ax`` and return Axes.

Every function draws on the ``ax`` it is given (or on a new figure), gives the plot a
title, axis labels with units and a legend when it shows more than one series, and
returns the Axes (or the Figure, for the two-panel pictures). None of them calls
``plt.show()``; save with :func:`save`. :func:`write_run_plots` writes the main
pictures of a simulation, as ``smmsim run --out DIR`` does.

The threshold scan and sweep heatmaps live beside the code that computes them
(:mod:`smmsim.threshold`, :mod:`smmsim.sweep_plots`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "adoption_curves",
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
    ("engagements", "Engagements"),
    ("shares", "Shares (users)"),
    ("conversions", "Conversions"),
)

#: Axis labels (with units) of the run metrics drawn by :func:`compare_metric`.
METRIC_LABELS = {
    "impressions": "Impressions (views, repeats included)",
    "reach": "Reach (users)",
    "paid_reach": "Paid reach (users)",
    "earned_reach": "Earned reach (users)",
    "engaged": "Engaged users",
    "shares": "Sharers (users)",
    "earned_shares": "Earned sharers (users)",
    "conversions": "Conversions (purchases)",
    "direct_conversions": "Direct conversions (purchases)",
    "referral_conversions": "Referral conversions (purchases)",
    "k_factor": "Viral coefficient K (sharers per sharer)",
    "depth": "Depth (generations of sharing)",
    "structural_virality": "Structural virality (mean hops between sharers)",
    "viral": "Probability of going viral",
    "roi": "ROI ((revenue - cost) / cost)",
}

PAID, EARNED = "tab:blue", "tab:orange"
CONVERTED, NOT_CONVERTED = "tab:green", "#a0a0a0"
FIZZLE, VIRAL = "tab:blue", "tab:red"


def _plain_number(value: float, _pos=None) -> str:
    return f"{value:,.0f}" if abs(value) >= 1 or value == 0 else f"{value:g}"


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


def adoption_curves(timeseries: pd.DataFrame, *, ax=None, band: float = 0.9):
    """Cumulative impressions, reach, engagements, shares and conversions over time.

    Lines are the ensemble mean; shaded bands cover the central ``band`` of runs.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        ``Results.timeseries`` (one row per run and step, new events per step).
    ax : matplotlib Axes, optional
    band : float
        Central fraction of runs to shade.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    steps = np.sort(timeseries["step"].unique())
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    top = 1.0
    for col, label in CURVES:
        if col not in timeseries:
            continue
        wide = timeseries.pivot(index="run", columns="step", values=col).reindex(
            columns=steps, fill_value=0
        )
        cum = wide.fillna(0).to_numpy().cumsum(axis=1)
        (line,) = ax.plot(steps, cum.mean(axis=0), label=label, lw=2)
        hi = np.quantile(cum, hi_q, axis=0)
        top = max(top, float(hi.max()), float(cum.mean(axis=0).max()))
        ax.fill_between(
            steps,
            np.quantile(cum, lo_q, axis=0),
            hi,
            color=line.get_color(),
            alpha=0.12,
            lw=0,
        )
    ax.set_xlabel("Step (time since launch)")
    ax.set_ylabel("Cumulative count (users or events)")
    ax.set_title(f"Adoption curves: mean and central {band:.0%} of runs")
    ax.set_yscale("symlog", linthresh=1, linscale=0.5)
    # explicit limits: on axes shared with other panels the largest top wins
    ax.set_ylim(0, max(ax.get_ylim()[1], top * 1.5))
    ax.yaxis.set_major_formatter(_plain_formatter())
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


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
    runs : pandas.DataFrame
        ``Results.runs``.
    ax : matplotlib Axes, optional
    metric : str
        Column of ``runs`` to show.

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


def reach_distribution(runs: pd.DataFrame, *, metric: str = "reach"):
    """Histogram and log-log complementary CDF of final reach, side by side.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    reach_histogram(runs, ax=left, metric=metric)
    reach_ccdf(runs, ax=right, metric=metric)
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
        ["direct_conversions", "referral_conversions"],
        ["Direct (reached by a seed)", "Referral-driven (reached by a peer)"],
        [PAID, EARNED],
        ax,
        "Conversions per run (purchases, mean, 95% CI)",
        "Direct against referral-driven conversions",
    )


def earned_media(runs):
    """Paid against earned reach and direct against referral conversions, side by side.

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


def referral_tree(nodes: pd.DataFrame, *, ax=None, max_nodes: int = 3000, title: str | None = None):
    """One cascade drawn as its referral tree: who referred whom, by generation.

    Seeds (paid posts) sit at generation 0; every other user hangs under the sharer
    whose post they saw first (their referrer), one generation further down. Dots are
    coloured by whether the user bought; users who shared are drawn larger.

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per user of the cascade, as in ``smmsim.animate.Cascade.nodes``:
        ``node``, ``referrer`` (-1 for seeds), ``generation``, ``first_step``,
        ``seed``, ``shared``, ``converted``.
    ax : matplotlib Axes, optional
    max_nodes : int
        Draw at most this many users: the earliest reached (a complete subtree, since
        referrers are always reached before the users they refer).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    total = len(nodes)
    shown = nodes.sort_values(["first_step", "generation", "node"], kind="stable")
    shown = shown.iloc[:max_nodes].reset_index(drop=True)
    x, y = _tree_positions(shown)
    width = max(6.0, min(14.0, 4.0 + 0.03 * len(shown)))
    ax = _new_axes(ax, figsize=(width, 5.5))
    where = {int(v): i for i, v in enumerate(shown["node"].to_numpy())}
    ref = shown["referrer"].to_numpy()
    segs = [
        ((x[where[int(r)]], y[where[int(r)]]), (x[i], y[i]))
        for i, r in enumerate(ref)
        if int(r) in where
    ]
    ax.add_collection(LineCollection(segs, colors="#808080", linewidths=0.6, alpha=0.6))
    converted = shown["converted"].to_numpy(dtype=bool)
    shared = shown["shared"].to_numpy(dtype=bool)
    seed = shown["seed"].to_numpy(dtype=bool)
    size = np.where(shared, 36.0, 12.0)
    color = np.where(converted, CONVERTED, NOT_CONVERTED)
    plain = ~seed
    ax.scatter(x[plain], y[plain], s=size[plain], c=color[plain], edgecolors="none", zorder=3)
    ax.scatter(
        x[seed], y[seed], s=110, c=color[seed], marker="*", edgecolors="black", lw=0.8, zorder=4
    )
    ax.invert_yaxis()
    gens = int(y.max()) if y.size else 0
    ax.set_yticks(range(gens + 1))
    ax.set_xticks([])
    ax.set_ylabel("Generation (referral hops from a paid seed)")
    ax.set_xlabel("Users in the cascade, each under the user who referred them")
    n_conv = int(converted.sum())
    suffix = f" (first {len(shown):,} of {total:,} users)" if len(shown) < total else ""
    ax.set_title(
        title
        or f"Referral tree: {total - int(seed.sum()):,} users reached, {n_conv:,} bought{suffix}"
    )
    handles = [
        Line2D([], [], ls="", marker="*", ms=12, mfc="white", mec="black", label="Paid seed"),
        Line2D([], [], ls="", marker="o", ms=6, color=CONVERTED, label="Bought (converted)"),
        Line2D([], [], ls="", marker="o", ms=6, color=NOT_CONVERTED, label="Did not buy"),
        Line2D([], [], ls="", marker="o", ms=9, mfc="white", mec="black", label="Shared (large)"),
        Line2D([], [], color="#808080", label="Referral (saw it first from)"),
    ]
    ax.legend(handles=handles, fontsize="small", loc="lower right", framealpha=0.9)
    ax.margins(x=0.02, y=0.08)
    return ax


def save(fig, path: str | Path, dpi: int = 120) -> Path:
    """Save ``fig`` to ``path`` and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _tree_of_results(results, max_nodes: int = 1500):
    """Trace one run of ``results`` again, or ``None`` when the audience cannot be rebuilt.

    The audience is rebuilt from the resolved scenario and kept only if its size and
    degree moments match the ones recorded in the results (an edge list read from
    another folder, or an audience drawn from fresh entropy, does not match). The run
    drawn is the one with the largest reach whose tree has at most ``max_nodes`` users
    (the smallest run when every run is larger).
    """
    from smmsim.animate import one_cascade
    from smmsim.audience import build_audience
    from smmsim.scenario import scenario_from_dict

    try:
        scenario = scenario_from_dict(results.scenario)
        if scenario.audience.get("rng_seed") is None and (
            scenario.simulation["rng_seed"] is None and scenario.audience["generator"] != "edgelist"
        ):
            return None
        graph = build_audience(scenario)
    except (ValueError, KeyError, OSError):
        # the tree is optional: without the audience the other pictures still come
        return None
    stats = {"name": graph.name, **graph.degree_stats().as_dict()}
    if stats != results.audience:
        return None
    size = results.runs["reach"] + results.runs["seeds"]
    fits = results.runs[size <= max_nodes]
    if len(fits):
        run = int(fits.loc[fits["reach"].idxmax(), "run"])
    else:
        run = int(results.runs.loc[results.runs["reach"].idxmin(), "run"])
    return one_cascade(scenario, run=run, rng=results.rng_seed, graph=graph)


def write_run_plots(results, out_dir: str | Path) -> list[Path]:
    """Write the main pictures of a simulation's results as PNG files into ``out_dir``.

    - ``adoption.png``: cumulative adoption curves with a band across runs;
    - ``reach_distribution.png``: histogram and log-log complementary CDF of reach;
    - ``earned_media.png``: paid against earned reach, direct against referral
      conversions;
    - ``referral_tree.png``: one run's referral tree (when the audience can be rebuilt
      from the resolved scenario, see :func:`_tree_of_results`).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        save(adoption_curves(results.timeseries).figure, out / "adoption.png"),
        save(reach_distribution(results.runs), out / "reach_distribution.png"),
        save(earned_media(results.runs), out / "earned_media.png"),
    ]
    cascade = _tree_of_results(results)
    if cascade is not None:
        ax = referral_tree(
            cascade.nodes,
            title=(
                f"Referral tree of run {cascade.run}: {cascade.reach:,} users reached, "
                f"{cascade.conversions:,} bought"
            ),
        )
        paths.append(save(ax.figure, out / "referral_tree.png"))
    return paths
