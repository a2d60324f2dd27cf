"""smmsim: electronic word-of-mouth simulation for social-media marketing.

Load or build a scenario, simulate it, read tidy tables::

    import smmsim
    results = smmsim.simulate(smmsim.default_scenario(), runs=500, rng=1)
    print(results.report())

The public names are imported on first use, so ``import smmsim`` (and the command
line's ``--help``) stays fast: numba, numpy and pandas load only when something that
needs them is touched.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from smmsim._version import __version__ as __version__

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "EWOM": "smmsim.models",
    "METRICS": "smmsim.metrics",
    "MODELS": "smmsim.models",
    "SIR": "smmsim.models",
    "BassDiffusion": "smmsim.models",
    "CSRGraph": "smmsim.graph",
    "ComplexContagion": "smmsim.models",
    "DegreeStats": "smmsim.graph",
    "Economics": "smmsim.metrics",
    "EdgeListError": "smmsim.io",
    "GraphError": "smmsim.graph",
    "OutputPathError": "smmsim.errors",
    "PercolationTheory": "smmsim.theory.bond_percolation",
    "Results": "smmsim.results",
    "RunOptions": "smmsim.run_options",
    "Scenario": "smmsim.scenario",
    "ScenarioError": "smmsim.scenario",
    "SimulationInterrupted": "smmsim.simulate",
    "SocialProof": "smmsim.models",
    "UserError": "smmsim.errors",
    "build_audience": "smmsim.audience",
    "compare": "smmsim.compare",
    "Comparison": "smmsim.compare",
    "choose_seeds": "smmsim.influence",
    "critical_transmissibility": "smmsim.theory.bond_percolation",
    "crisis": "smmsim.crisis",
    "Crisis": "smmsim.crisis",
    "default_scenario": "smmsim.scenario",
    "facebook": "smmsim.io",
    "load_scenario": "smmsim.scenario",
    "percolation": "smmsim.theory.bond_percolation",
    "read_edgelist": "smmsim.io",
    "scenario_from_dict": "smmsim.scenario",
    "seed_report": "smmsim.influence",
    "simulate": "smmsim.simulate",
    "summarize": "smmsim.metrics",
    "write_edgelist": "smmsim.io",
}
_SUBMODULES = ("generators",)

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"smmsim.{name}")
    else:
        raise AttributeError(f"module 'smmsim' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """``smmsim`` itself: the function :func:`simulate` keeps its name when the module
    ``smmsim.simulate`` is first imported (the import system then binds the module to
    the package's attribute of the same name)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and name in _EXPORTS
            and value.__name__ == _EXPORTS[name] == f"smmsim.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from smmsim import generators as generators
    from smmsim.audience import build_audience as build_audience
    from smmsim.compare import Comparison as Comparison
    from smmsim.compare import compare as compare
    from smmsim.economics import Economics as Economics
    from smmsim.errors import OutputPathError as OutputPathError
    from smmsim.errors import UserError as UserError
    from smmsim.graph import CSRGraph as CSRGraph
    from smmsim.graph import DegreeStats as DegreeStats
    from smmsim.graph import GraphError as GraphError
    from smmsim.influence import choose_seeds as choose_seeds
    from smmsim.influence import seed_report as seed_report
    from smmsim.io import EdgeListError as EdgeListError
    from smmsim.io import facebook as facebook
    from smmsim.io import read_edgelist as read_edgelist
    from smmsim.io import write_edgelist as write_edgelist
    from smmsim.metrics import METRICS as METRICS
    from smmsim.metrics import summarize as summarize
    from smmsim.models import EWOM as EWOM
    from smmsim.models import MODELS as MODELS
    from smmsim.models import SIR as SIR
    from smmsim.models import BassDiffusion as BassDiffusion
    from smmsim.models import ComplexContagion as ComplexContagion
    from smmsim.models import SocialProof as SocialProof
    from smmsim.results import Results as Results
    from smmsim.run_options import RunOptions as RunOptions
    from smmsim.scenario import Scenario as Scenario
    from smmsim.scenario import ScenarioError as ScenarioError
    from smmsim.scenario import default_scenario as default_scenario
    from smmsim.scenario import load_scenario as load_scenario
    from smmsim.scenario import scenario_from_dict as scenario_from_dict
    from smmsim.simulate import SimulationInterrupted as SimulationInterrupted
    from smmsim.simulate import simulate as simulate
    from smmsim.theory.bond_percolation import PercolationTheory as PercolationTheory
    from smmsim.theory.bond_percolation import (
        critical_transmissibility as critical_transmissibility,
    )
    from smmsim.theory.bond_percolation import percolation as percolation
