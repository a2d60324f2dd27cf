"""smmsim: electronic word-of-mouth simulation for social-media marketing.

Load or build a scenario, simulate it, read tidy tables::

    import smmsim
    results = smmsim.simulate(smmsim.default_scenario(), runs=500, rng=1)
    print(results.report())
"""

__version__ = "0.1.0"

from smmsim import generators
from smmsim.audience import build_audience
from smmsim.graph import CSRGraph, DegreeStats, GraphError
from smmsim.io import EdgeListError, facebook, read_edgelist, write_edgelist
from smmsim.metrics import METRICS, Economics, summarize
from smmsim.models import EWOM, MODELS, SIR, BassDiffusion, ComplexContagion, SocialProof
from smmsim.results import Results
from smmsim.scenario import (
    Scenario,
    ScenarioError,
    default_scenario,
    load_scenario,
    scenario_from_dict,
)
from smmsim.simulate import simulate
from smmsim.theory import PercolationTheory, critical_transmissibility, percolation

__all__ = [
    "EWOM",
    "METRICS",
    "MODELS",
    "SIR",
    "BassDiffusion",
    "CSRGraph",
    "ComplexContagion",
    "DegreeStats",
    "Economics",
    "EdgeListError",
    "GraphError",
    "PercolationTheory",
    "Results",
    "Scenario",
    "ScenarioError",
    "SocialProof",
    "__version__",
    "build_audience",
    "critical_transmissibility",
    "default_scenario",
    "facebook",
    "generators",
    "load_scenario",
    "percolation",
    "read_edgelist",
    "scenario_from_dict",
    "simulate",
    "summarize",
    "write_edgelist",
]
