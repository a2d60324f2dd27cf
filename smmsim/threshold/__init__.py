"""Virality thresholds: how sticky (or contagious, or visible) must content be to go viral?

Two answers, side by side:

* **Analytic** (:func:`analytic_threshold`): percolation theory on the audience's own
  degree sequence. Without novelty decay the sharers of a cascade are a bond-percolation
  cluster with transmissibility ``T = visibility x stickiness x contagion``; large
  cascades become possible when ``T`` exceeds ``T_c = 1 / (mean excess degree)``
  (Newman 2002; the joint in/out-degree form for directed audiences, Newman, Strogatz &
  Watts 2001). With the other two factors fixed, the critical value of one parameter
  is ``T_c`` divided by their product.
* **Empirical** (:func:`empirical_threshold`): simulation on the very same audience,
  which also sees what theory leaves out: clustering (friends of a sharer are friends
  of each other, so many impressions are repeats), segments and degree correlations.

:func:`find_threshold` runs both, adds a scan of the probability of a large cascade and
the mean reach against the parameter (:func:`threshold_scan`), and returns a
:class:`ThresholdResult` whose :meth:`~ThresholdResult.verdict` says in plain words how
far the scenario is from the threshold. :func:`plot_threshold_scan` draws the scan.

The package is split by concern: ``_inputs`` (parameters, checks), ``analytic``
(percolation theory), ``empirical`` with ``_search`` and ``_fitting`` (the simulated
threshold), ``_cascades`` (one-seed cascades), ``seeds`` (seed counts), ``scan``,
``structure`` (clustering, message passing), ``result`` (what is returned; its words
come from :mod:`smmsim.reporting`), and ``find`` (:func:`find_threshold`); the scan is drawn by
:mod:`smmsim.plots.threshold`.

References
----------
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with arbitrary degree
distributions and their applications", Phys. Rev. E 64, 026118 (2001).
M. E. J. Newman, "Properties of highly clustered networks", Phys. Rev. E 68, 026121 (2003).
B. Karrer, M. E. J. Newman and L. Zdeborová, "Percolation on sparse networks",
Phys. Rev. Lett. 113, 208702 (2014).
D. Stauffer and A. Aharony, *Introduction to Percolation Theory*, 2nd ed., Taylor &
Francis (1994).
D. Aldous, "Brownian excursions, critical random graphs and the multiplicative
coalescent", Ann. Probab. 25, 812-854 (1997).
"""

from smmsim.plots.threshold import plot_threshold_scan
from smmsim.threshold._inputs import CONTENT_PARAMS as CONTENT_PARAMS
from smmsim.threshold._inputs import PARAMS, ThresholdError
from smmsim.threshold.analytic import analytic_threshold
from smmsim.threshold.empirical import empirical_threshold
from smmsim.threshold.find import find_threshold
from smmsim.threshold.result import AnalyticThreshold, EmpiricalThreshold, ThresholdResult
from smmsim.threshold.scan import threshold_scan

__all__ = [
    "PARAMS",
    "AnalyticThreshold",
    "EmpiricalThreshold",
    "ThresholdError",
    "ThresholdResult",
    "analytic_threshold",
    "empirical_threshold",
    "find_threshold",
    "plot_threshold_scan",
    "threshold_scan",
]
