"""Draw a threshold scan: :func:`plot_threshold_scan`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from smmsim.plots.labels import param_label

if TYPE_CHECKING:
    from smmsim.threshold.result import ThresholdResult

__all__ = ["CRITICAL_WINDOW", "Z95", "masked_theory_reach", "plot_threshold_scan"]

#: Normal quantile of a two-sided 95% interval.
Z95 = 1.959964

#: Theory's mean reach is masked where the viral coefficient K is this close to 1: the
#: mean size of a finite cascade diverges there (as 1 / |1 - K|), which a scan of a few
#: points draws as a spike.
CRITICAL_WINDOW = 0.1


def masked_theory_reach(scan) -> np.ndarray:
    """Theory's mean reach of a scan, NaN where it is not finite or K is near 1.

    Parameters
    ----------
    scan : pandas.DataFrame
        ``ThresholdResult.scan`` (columns ``theory_mean_reach`` and ``k_theory``).

    Returns
    -------
    numpy.ndarray
        The values to draw; NaN breaks the line.
    """
    reach = scan["theory_mean_reach"].to_numpy(dtype=float).copy()
    reach[~np.isfinite(reach)] = np.nan
    if "k_theory" in scan:
        k = scan["k_theory"].to_numpy(dtype=float)
        reach[~np.isfinite(k) | (np.abs(k - 1.0) < CRITICAL_WINDOW)] = np.nan
    return reach


def _num(value: float) -> str:
    """A legend number: three significant figures, whole numbers from 1,000 on."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _x_range(result: ThresholdResult) -> tuple[float, float]:
    """What the x-axis shows: the scan, the thresholds and the scenario's own value,
    with a margin; never below 0, nor above 1 for a probability."""
    xs = [result.analytic.current]
    if not result.scan.empty:
        xs += [float(result.scan["value"].min()), float(result.scan["value"].max())]
    if result.analytic.critical is not None and math.isfinite(result.analytic.critical):
        xs.append(result.analytic.critical)
    if result.empirical is not None and result.empirical.value is not None:
        xs.append(result.empirical.value)
    lo, hi = min(xs), max(xs)
    pad = 0.05 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1.0)
    left, right = max(lo - pad, 0.0), hi + pad
    if result.param.startswith("content."):
        right = min(right, 1.0)
    return left, right


def plot_threshold_scan(result: ThresholdResult, ax=None):
    """Probability of a large cascade and mean reach against the parameter.

    Points with 95% intervals are simulated (left axis: probability of a large
    cascade from one random seed; right axis: mean reach); dashed lines are theory.
    The analytic threshold is a vertical line, the simulated one a shaded band (its
    95% interval), and the scenario's own value a dotted line. Theory's mean reach
    diverges at the critical point; it is left out where the viral coefficient K is
    within :data:`CRITICAL_WINDOW` of 1, and a note on the plot says so.

    Parameters
    ----------
    result : ThresholdResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The left (probability) axes; the reach axes is its twin.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    df = result.scan
    a, e = result.analytic, result.empirical
    name = param_label(result.param)
    note = ""
    ax2 = ax.twinx()
    if not df.empty:
        x = df["value"].to_numpy()
        p = df["p_large"].to_numpy()
        yerr = np.clip(np.vstack([p - df["p_large_low"], df["p_large_high"] - p]), 0, None)
        event = "P(viral run)" if result.param == "seeding.k" else "P(large)"
        ax.errorbar(x, p, yerr=yerr, fmt="o", color="C0", capsize=3, label=f"{event}, simulated")
        ax.plot(x, df["theory_p_large"], "--", color="C0", alpha=0.7, label=f"{event}, theory")
        r = df["mean_reach"].to_numpy()
        ax2.errorbar(
            x,
            r,
            yerr=Z95 * df["mean_reach_se"].to_numpy(),
            fmt="s",
            color="C1",
            capsize=3,
            ms=4,
            label="mean reach, simulated",
        )
        if "theory_mean_reach" in df:
            theory = masked_theory_reach(df)
            ax2.plot(x, theory, "--", color="C1", alpha=0.7, label="mean reach, theory")
            hidden = np.isnan(theory) & np.isfinite(df["theory_mean_reach"].to_numpy(dtype=float))
            if hidden.any() or not np.isfinite(df["theory_mean_reach"]).all():
                note = (
                    f"\nTheory's mean reach diverges at K = 1: not drawn for "
                    f"{1 - CRITICAL_WINDOW:g} < K < {1 + CRITICAL_WINDOW:g}"
                )
    if a.critical is not None and math.isfinite(a.critical) and result.param != "seeding.k":
        ax.axvline(a.critical, color="k", lw=1.5, label=f"analytic threshold {_num(a.critical)}")
    if e is not None and e.value is not None:
        lo = e.ci_low if e.ci_low is not None else e.value
        hi = e.ci_high if e.ci_high is not None else e.value
        left, right = _x_range(result)
        label = f"simulated threshold {_num(e.value)}"
        if lo < left or hi > right:  # an interval wider than the scan: cut at its edges
            label += f" (95% CI {_num(lo)} to {_num(hi)}, cut)"
        ax.axvspan(max(lo, left), min(hi, right), color="C2", alpha=0.25, lw=0)
        ax.axvline(e.value, color="C2", lw=1.5, label=label)
    ax.axvline(a.current, color="C3", ls=":", lw=1.5, label=f"this scenario {_num(a.current)}")
    ax.set_xlabel(
        (name if result.param == "seeding.k" else f"{name} (other keys as in the scenario)") + note
    )
    ax.set_ylabel(
        "P(viral run)" if result.param == "seeding.k" else "P(large cascade from one seed)"
    )
    ax2.set_ylabel("mean reach (users)")
    top = 0.05
    if not df.empty:
        top = max(top, float(df["p_large_high"].max()), float(df["theory_p_large"].max()))
    ax.set_ylim(0, min(1.0, 1.15 * top))
    ax2.set_ylim(bottom=0)
    ax.set_title(f"{result.scenario}: virality threshold of {name.lower()}")
    ax.grid(alpha=0.3)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize="small")
    return ax
