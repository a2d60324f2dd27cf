"""The picture of an A/B comparison: each headline metric per variant, side by side."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from smmsim.plots.labels import metric_label

if TYPE_CHECKING:
    from smmsim.compare import Comparison

__all__ = ["PANELS", "comparison_figure"]

#: The metrics drawn, one panel each (those the variants define).
PANELS = ("reach", "earned_reach", "conversions", "referral_conversions", "roi", "viral")


def comparison_figure(comp: Comparison, metrics=PANELS):
    """One panel per metric: each variant's mean with its 95% interval (bars), and above
    each variant but the baseline its mean paired difference with the baseline and the
    share of runs it did better in.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    table = comp.table
    base = comp.names[0]
    shown = [
        m
        for m in metrics
        if (m, base) in table.index and math.isfinite(table.loc[(m, base), "mean"])
    ]
    cols = min(3, max(1, len(shown)))
    rows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.9 * rows), squeeze=False)
    colors = [f"C{i}" for i in range(len(comp.names))]
    for ax, metric in zip(axes.flat, shown, strict=False):
        sub = table.xs(metric, level="metric").reindex(comp.names)
        means = sub["mean"].to_numpy()
        err = np.vstack([means - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - means])
        bars = ax.bar(comp.names, means, yerr=err, capsize=5, color=colors, width=0.6)
        for bar, name in zip(bars, comp.names, strict=True):
            if name == base:
                continue
            row = sub.loc[name]
            pct = metric in ("viral", "pays_back", "roi")
            x = row["diff"]
            if pct:
                d = f"{100 * x:+.1f} pts"
            else:
                d = (f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+.3g}") + " a run"
            ax.annotate(
                f"{d} vs {base}\nbetter in {100 * row['p_beats']:.0f}% of runs",
                (bar.get_x() + bar.get_width() / 2, max(row["ci_high"], 0.0)),
                xytext=(0, 14),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize="small",
            )
        ax.axhline(0, color="black", lw=0.8)
        low, high = ax.get_ylim()
        if high <= 0:  # all below zero: room above the bars for the differences
            ax.set_ylim(low, 0.45 * (0 - low))
        ax.set_ylabel(metric_label(metric))
        ax.set_title(metric_label(metric).split(" (")[0])
        ax.margins(y=0.3)
        ax.grid(alpha=0.3, axis="y")
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    runs = comp.results[0].n_runs
    fig.suptitle(
        f"{' vs '.join(comp.names)}: mean per run and 95% interval, {runs:,} runs each, "
        "common random numbers"
    )
    fig.tight_layout()
    return fig
