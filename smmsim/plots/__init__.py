"""Pictures: functions of results that draw on an ``ax`` (or a new figure) and return it.

One module per kind of picture:

* :mod:`~smmsim.plots.runs`: a simulation's runs (adoption curves, reach
  distribution, earned media, referral tree) and :func:`write_run_plots`;
* :mod:`~smmsim.plots.animation`: one traced run spreading, as a GIF or MP4;
* :mod:`~smmsim.plots.sweep`: a sweep's metric against one or two parameters;
* :mod:`~smmsim.plots.threshold`: a virality-threshold scan;
* :mod:`~smmsim.plots.labels`: axis labels in words, with units.

Pictures never simulate: a run's node-level record comes from :mod:`smmsim.trace`.
Every public name of these modules is importable from here; each is imported on first
use (matplotlib loads only when something is drawn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim._lazy import lazy_exports

#: module -> its public names
_MODULES: dict[str, tuple[str, ...]] = {
    "runs": (
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
    ),
    "animation": (
        "MAX_USERS",
        "animate_cascade",
        "has_mp4_encoder",
        "layout",
    ),
    "sweep": (
        "plot_heatmap",
        "plot_metric",
        "write_sweep_plots",
    ),
    "threshold": (
        "masked_theory_reach",
        "plot_threshold_scan",
    ),
    "labels": (
        "METRIC_LABELS",
        "PARAM_LABELS",
        "metric_label",
        "param_label",
    ),
}
_EXPORTS = {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from smmsim.plots.animation import MAX_USERS as MAX_USERS
    from smmsim.plots.animation import animate_cascade as animate_cascade
    from smmsim.plots.animation import has_mp4_encoder as has_mp4_encoder
    from smmsim.plots.animation import layout as layout
    from smmsim.plots.labels import METRIC_LABELS as METRIC_LABELS
    from smmsim.plots.labels import PARAM_LABELS as PARAM_LABELS
    from smmsim.plots.labels import metric_label as metric_label
    from smmsim.plots.labels import param_label as param_label
    from smmsim.plots.runs import adoption_curves as adoption_curves
    from smmsim.plots.runs import adoption_figure as adoption_figure
    from smmsim.plots.runs import compare_metric as compare_metric
    from smmsim.plots.runs import direct_vs_referral as direct_vs_referral
    from smmsim.plots.runs import earned_media as earned_media
    from smmsim.plots.runs import paid_vs_earned as paid_vs_earned
    from smmsim.plots.runs import reach_ccdf as reach_ccdf
    from smmsim.plots.runs import reach_distribution as reach_distribution
    from smmsim.plots.runs import reach_histogram as reach_histogram
    from smmsim.plots.runs import referral_tree as referral_tree
    from smmsim.plots.runs import save as save
    from smmsim.plots.runs import write_run_plots as write_run_plots
    from smmsim.plots.sweep import plot_heatmap as plot_heatmap
    from smmsim.plots.sweep import plot_metric as plot_metric
    from smmsim.plots.sweep import write_sweep_plots as write_sweep_plots
    from smmsim.plots.threshold import masked_theory_reach as masked_theory_reach
    from smmsim.plots.threshold import plot_threshold_scan as plot_threshold_scan
