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

from typing import TYPE_CHECKING

from smmsim._lazy import lazy_exports

#: module -> its public names
_MODULES: dict[str, tuple[str, ...]] = {
    "bond_percolation": (
        "PercolationTheory",
        "SeededCascades",
        "Seeding",
        "critical_transmissibility",
        "decaying_cascades",
        "fixed_point",
        "hub_share",
        "joint_degree_distribution",
        "percolation",
        "seeded_cascades",
        "seeded_theory",
        "transmissibility",
    ),
    "threshold_cascades": (
        "CascadeWindow",
        "Rule",
        "cascade_window",
        "expected_adopters",
    ),
    "bass": (
        "BassFit",
        "bass_curve",
        "fit_bass",
        "fit_results",
    ),
    "structure": (
        "Structure",
        "measure_structure",
    ),
    "sir": ("p_large_outbreak",),
    "virality": (
        "escape_probabilities",
        "large_reach_share",
        "mean_small_cascade",
        "small_cascade_reach",
    ),
}
_EXPORTS = {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from smmsim.theory.bass import BassFit as BassFit
    from smmsim.theory.bass import bass_curve as bass_curve
    from smmsim.theory.bass import fit_bass as fit_bass
    from smmsim.theory.bass import fit_results as fit_results
    from smmsim.theory.bond_percolation import PercolationTheory as PercolationTheory
    from smmsim.theory.bond_percolation import SeededCascades as SeededCascades
    from smmsim.theory.bond_percolation import Seeding as Seeding
    from smmsim.theory.bond_percolation import (
        critical_transmissibility as critical_transmissibility,
    )
    from smmsim.theory.bond_percolation import decaying_cascades as decaying_cascades
    from smmsim.theory.bond_percolation import fixed_point as fixed_point
    from smmsim.theory.bond_percolation import hub_share as hub_share
    from smmsim.theory.bond_percolation import (
        joint_degree_distribution as joint_degree_distribution,
    )
    from smmsim.theory.bond_percolation import percolation as percolation
    from smmsim.theory.bond_percolation import seeded_cascades as seeded_cascades
    from smmsim.theory.bond_percolation import seeded_theory as seeded_theory
    from smmsim.theory.bond_percolation import transmissibility as transmissibility
    from smmsim.theory.sir import p_large_outbreak as p_large_outbreak
    from smmsim.theory.structure import Structure as Structure
    from smmsim.theory.structure import measure_structure as measure_structure
    from smmsim.theory.threshold_cascades import CascadeWindow as CascadeWindow
    from smmsim.theory.threshold_cascades import Rule as Rule
    from smmsim.theory.threshold_cascades import cascade_window as cascade_window
    from smmsim.theory.threshold_cascades import expected_adopters as expected_adopters
    from smmsim.theory.virality import escape_probabilities as escape_probabilities
    from smmsim.theory.virality import large_reach_share as large_reach_share
    from smmsim.theory.virality import mean_small_cascade as mean_small_cascade
    from smmsim.theory.virality import small_cascade_reach as small_cascade_reach
