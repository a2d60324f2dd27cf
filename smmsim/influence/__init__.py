"""Who to pay: choosing seeds (influencers) for a budget.

* :mod:`~smmsim.influence.candidates`: who may be chosen and at what price;
* :mod:`~smmsim.influence.heuristics`: top degree, degree discount, PageRank, k-core,
  random, buying down their ranking within the budget;
* :mod:`~smmsim.influence.imm`: IMM over reverse-reachable sets (reach, default model
  without decay);
* :mod:`~smmsim.influence.celf`: CELF lazy greedy over Monte Carlo runs (any objective,
  any model);
* :mod:`~smmsim.influence.objectives`: reach, earned reach, conversions, profit;
* :mod:`~smmsim.influence.choose`: :func:`choose_seeds` for a scenario;
* :mod:`~smmsim.influence.compare`: the choice and the simple strategies re-estimated
  on fresh runs, and the outcome against budget.
"""

from __future__ import annotations

from smmsim.influence.candidates import Candidates, SeedingError, candidates
from smmsim.influence.choose import METHODS, SeedChoice, choose_seeds
from smmsim.influence.compare import SeedReport, frontier, seed_report
from smmsim.influence.objectives import OBJECTIVES

__all__ = [
    "METHODS",
    "OBJECTIVES",
    "Candidates",
    "SeedChoice",
    "SeedReport",
    "SeedingError",
    "candidates",
    "choose_seeds",
    "frontier",
    "seed_report",
]
