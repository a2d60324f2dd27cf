"""smmsim: electronic word-of-mouth simulation for social-media marketing.

Load or build a scenario, simulate it, read tidy tables::

    import smmsim
    results = smmsim.simulate(smmsim.default_scenario(), runs=500, rng=1)
    print(results.report())
"""

__version__ = "0.1.0"

import sys
import types

# Public names load on first use (PEP 562), so that ``import smmsim.scenario`` and
# ``smmsim validate`` do not import numba, pandas or matplotlib.
_LAZY = {
    "generators": "smmsim.generators",
    "build_audience": "smmsim.audience",
    "CSRGraph": "smmsim.graph",
    "DegreeStats": "smmsim.graph",
    "GraphError": "smmsim.graph",
    "EdgeListError": "smmsim.io",
    "facebook": "smmsim.io",
    "read_edgelist": "smmsim.io",
    "write_edgelist": "smmsim.io",
    "METRICS": "smmsim.metrics",
    "Economics": "smmsim.metrics",
    "summarize": "smmsim.metrics",
    "EWOM": "smmsim.models",
    "MODELS": "smmsim.models",
    "SIR": "smmsim.models",
    "BassDiffusion": "smmsim.models",
    "ComplexContagion": "smmsim.models",
    "SocialProof": "smmsim.models",
    "Results": "smmsim.results",
    "Scenario": "smmsim.scenario",
    "ScenarioError": "smmsim.scenario",
    "default_scenario": "smmsim.scenario",
    "load_scenario": "smmsim.scenario",
    "scenario_from_dict": "smmsim.scenario",
    "simulate": "smmsim.simulate",
    "PercolationTheory": "smmsim.theory",
    "critical_transmissibility": "smmsim.theory",
    "percolation": "smmsim.theory",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smmsim' has no attribute {name!r}")
    import importlib

    imported = importlib.import_module(module)
    value = imported if name == "generators" else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """Keeps ``smmsim.simulate`` the function once the submodule of that name loads
    (importing a submodule sets the package attribute of its name)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and name in _LAZY and name != "generators":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
