"""Pictures: functions of results that draw on an ``ax`` (or a new figure) and return it.

One module per kind of picture:

* :mod:`~smmsim.plots.runs`: a simulation's runs (adoption curves, reach
  distribution, earned media, referral tree) and :func:`write_run_plots`;
* :mod:`~smmsim.plots.animation`: one traced run spreading, as a GIF or MP4;
* :mod:`~smmsim.plots.breakdown`: metrics by segment, two variants' paired differences;
* :mod:`~smmsim.plots.sweep`: a sweep's metric against one or two parameters;
* :mod:`~smmsim.plots.threshold`: a virality-threshold scan;
* :mod:`~smmsim.plots.seeds`: seeding strategies side by side, outcome against budget;
* :mod:`~smmsim.plots.crisis`: damage and a claim's reach against the response delay;
* :mod:`~smmsim.plots.compare`: variants of a campaign side by side;
* :mod:`~smmsim.plots.labels`: axis labels in words, with units.

Pictures never simulate: a run's node-level record comes from :mod:`smmsim.trace`.
Every public name of these modules is importable from here; each is imported on first
use (matplotlib loads only when something is drawn).
"""

from __future__ import annotations

from smmsim._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {  # module -> its public names
        "runs": (
            "adoption_curves adoption_figure compare_metric direct_vs_referral earned_media "
            "paid_vs_earned reach_ccdf reach_distribution reach_histogram referral_tree save "
            "write_run_plots"
        ),
        "animation": "MAX_USERS CascadeFrames animate_cascade has_mp4_encoder layout",
        "breakdown": "SEGMENT_PANELS paired_bars segment_bars segment_figure",
        "sweep": "plot_heatmap plot_metric write_sweep_plots",
        "threshold": "masked_theory_reach plot_threshold_scan",
        "seeds": "plot_frontier plot_strategies",
        "crisis": "crisis_figure",
        "compare": "comparison_figure",
        "labels": "METRIC_LABELS PARAM_LABELS metric_label param_label",
    },
)
