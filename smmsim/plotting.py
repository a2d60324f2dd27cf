"""Pictures of results: functions of tidy frames that take ``ax`` and return Axes.

They never call ``plt.show()``; save with :func:`save`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["adoption_curves", "save", "write_run_plots"]

CURVES = (
    ("reach", "Reach"),
    ("engagements", "Engagements"),
    ("shares", "Shares"),
    ("conversions", "Conversions"),
)


def adoption_curves(timeseries: pd.DataFrame, *, ax=None, band: float = 0.9):
    """Cumulative reach, engagements, shares and conversions over time.

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
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    steps = np.sort(timeseries["step"].unique())
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    for col, label in CURVES:
        wide = timeseries.pivot(index="run", columns="step", values=col).reindex(
            columns=steps, fill_value=0
        )
        cum = wide.to_numpy().cumsum(axis=1)
        (line,) = ax.plot(steps, cum.mean(axis=0), label=label, lw=2)
        ax.fill_between(
            steps,
            np.quantile(cum, lo_q, axis=0),
            np.quantile(cum, hi_q, axis=0),
            color=line.get_color(),
            alpha=0.15,
            lw=0,
        )
    ax.set_xlabel("Step (time since launch)")
    ax.set_ylabel("Cumulative count (users or events)")
    ax.set_title(f"Adoption curves: mean and central {band:.0%} of runs")
    ax.set_yscale("symlog", linthresh=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return ax


def save(fig, path: str | Path, dpi: int = 120) -> Path:
    """Save ``fig`` to ``path`` and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def write_run_plots(results, out_dir: str | Path) -> list[Path]:
    """Write the main pictures of a simulation's results as PNG files into ``out_dir``.

    Returns the paths written (``adoption.png``: cumulative adoption curves).
    """
    out = Path(out_dir)
    return [save(adoption_curves(results.timeseries).figure, out / "adoption.png")]
