"""The picture of a crisis: damage and the claim's reach against the response delay."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from smmsim.crisis import Crisis

__all__ = ["crisis_figure"]


def crisis_figure(c: Crisis):
    """Two panels against the response delay (steps, or the scenario's
    ``simulation.time_unit``): the brand's conversions lost to the
    claim, and the claim's reach, each a mean with its 95% band; the level with no
    response at all is the dashed line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    t = c.table
    answered = t[np.isfinite(t["delay"].to_numpy(float))]
    none = t.loc["no response"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    panels = (
        ("damage", "Conversions lost to the claim", "tab:red"),
        ("claim_reach", "Users the claim reached", "tab:purple"),
    )
    x = answered["delay"].to_numpy(float)
    unit = c.scenario.simulation.get("time_unit", "step")
    for ax, (col, title, color) in zip(axes, panels, strict=True):
        y = answered[col].to_numpy(float)
        ax.fill_between(
            x,
            answered[f"{col}_low"].to_numpy(float),
            answered[f"{col}_high"].to_numpy(float),
            color=color,
            alpha=0.2,
            label="95% interval",
        )
        ax.plot(x, y, "o-", color=color, label="answered after the delay")
        ax.axhline(float(none[col]), color="0.3", ls="--", lw=1, label="no response")
        ax.set_xlabel(f"Response delay ({unit}s after the claim)")
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8)
    sentences = c.sentences()
    title = c.scenario.name + ": how fast to answer the claim"
    if len(sentences) > 1:
        title += "\n" + sentences[1]
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig
