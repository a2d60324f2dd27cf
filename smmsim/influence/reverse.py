"""The audience read backwards: for each user, the accounts they follow."""

from __future__ import annotations

import numpy as np

from smmsim.graph import CSRGraph

__all__ = ["reverse_lists"]


def reverse_lists(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray]:
    """``(rindptr, rindices)``: ``rindices[rindptr[v]:rindptr[v + 1]]`` are the users
    whose posts ``v`` sees (the transposed CSR), computed once per graph."""
    if "reverse_lists" not in graph._cache:
        if graph.directed:
            from smmsim._kernels.rrsets import transpose

            graph._cache["reverse_lists"] = transpose(graph.indptr, graph.indices, graph.n)
        else:  # mutual ties: the lists are their own transpose
            graph._cache["reverse_lists"] = (graph.indptr, graph.indices)
    return graph._cache["reverse_lists"]
