"""smmsim: electronic word-of-mouth simulation for social-media marketing."""

from smmsim.graph import CSRGraph, DegreeStats, GraphError

__version__ = "0.1.0"

__all__ = ["CSRGraph", "DegreeStats", "GraphError", "__version__"]
