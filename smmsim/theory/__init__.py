"""Theory the simulations are checked against: what network science predicts.

One module per body of theory:

* :mod:`~smmsim.theory.bond_percolation`: the default model without novelty decay is
  bond percolation with transmissibility ``T``; the virality threshold, the chance of a
  large cascade and its size, for random or chosen seeds, with or without decay
  (Newman 2002).
* :mod:`~smmsim.theory.virality`: reach and sizes of cascades on either side of the
  threshold, at any ``T`` (used by :mod:`smmsim.threshold`).
* :mod:`~smmsim.theory.structure`: what tree-like theory leaves out of an audience
  (clustering, degree correlations), measured.
* :mod:`~smmsim.theory.threshold_cascades`: the social-proof (threshold) model's
  cascade window and expected adopters (Watts 2002).
* :mod:`~smmsim.theory.sir`: the chance that a seed starts a large SIR cascade
  (Kenah & Robins 2007).
* :mod:`~smmsim.theory.bass`: the Bass (1969) curve and its fit to any adoption curve.

Every public name of these modules is importable from here (``from smmsim.theory
import percolation``); each is imported on first use, so importing one module loads
none of the others.
"""

from __future__ import annotations

from smmsim._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {  # module -> its public names
        "bond_percolation": (
            "PercolationTheory SeededCascades Seeding critical_transmissibility "
            "decaying_cascades fixed_point hub_share joint_degree_distribution percolation "
            "seeded_cascades seeded_theory transmissibility"
        ),
        "threshold_cascades": "CascadeWindow Rule cascade_window expected_adopters",
        "bass": "BassFit bass_curve fit_bass fit_results",
        "structure": "Structure measure_structure",
        "sir": "p_large_outbreak",
        "virality": "escape_probabilities large_reach_share mean_small_cascade small_cascade_reach",
    },
)
