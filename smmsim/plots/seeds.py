"""Pictures of a seeding choice: strategies side by side, and outcome against budget."""

from __future__ import annotations

from typing import Any

from smmsim.plots.labels import metric_label

__all__ = ["plot_frontier", "plot_strategies"]


def _axes(ax: Any):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, 4.2))
    return ax


def plot_strategies(report, objective: str | None = None, ax: Any = None):
    """Bars of each strategy's mean outcome on the fresh runs, with 95% CIs.

    Parameters
    ----------
    report : SeedReport
        From :func:`smmsim.influence.seed_report`.
    objective : str, optional
        Default: the objective the choice was made for.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    objective = report.choice.objective if objective is None else objective
    ax = _axes(ax)
    names = [r.method for r in report.rows]
    means = [r.values[objective][0] for r in report.rows]
    errs = [r.values[objective][1] for r in report.rows]
    colors = ["tab:red" if i == 0 else "tab:gray" for i in range(len(names))]
    ax.bar(names, means, yerr=errs, color=colors, capsize=4)
    ax.set_ylabel(_label(objective))
    budget = report.choice.budget
    where = f"budget {budget:,.0f} {report.currency}" if budget is not None else "same seed count"
    ax.set_title(f"{report.scenario}: {where}, {report.runs:,} fresh runs (95% CI)")
    ax.tick_params(axis="x", rotation=20)
    ax.figure.tight_layout()
    return ax


def plot_frontier(frame, objective: str, currency: str = "USD", ax: Any = None):
    """Mean outcome against budget, one line per method, with 95% CI bands.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`smmsim.influence.frontier`.
    objective : str
    currency : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    for method, part in frame.groupby("method", sort=False):
        part = part.sort_values("budget")
        ax.plot(part["budget"], part["mean"], marker="o", ms=3, label=method)
        ax.fill_between(
            part["budget"], part["mean"] - part["ci95"], part["mean"] + part["ci95"], alpha=0.2
        )
    ax.set_xlabel(f"Budget ({currency})")
    ax.set_ylabel(_label(objective))
    ax.legend(frameon=False)
    ax.set_title("Outcome against budget (fresh runs, 95% CI)")
    ax.figure.tight_layout()
    return ax


def _label(objective: str) -> str:
    if objective == "reach":
        return "Reach, seeds included (users)"
    return metric_label(objective)
