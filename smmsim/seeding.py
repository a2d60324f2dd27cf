"""Who shares first: choosing the paid seeds (influencers, brand accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from smmsim.graph import CSRGraph

__all__ = ["STRATEGIES", "seed_sets"]

STRATEGIES = ("random", "top_degree", "nodes")


def top_degree(graph: CSRGraph, k: int) -> np.ndarray:
    """The ``k`` users with the most followers (ties broken by lower id)."""
    deg = graph.out_degree()
    k = min(k, graph.n)
    # stable sort on -degree keeps lower ids first among equals
    return np.argsort(-deg, kind="stable")[:k].astype(np.int64)


def seed_sets(
    graph: CSRGraph,
    strategy: str,
    *,
    k: int = 1,
    nodes: Sequence[Any] | None = None,
    root: int = 0,
    first: int = 0,
    n_reps: int = 1,
) -> np.ndarray:
    """Seed users for replicates ``first .. first + n_reps - 1``.

    Parameters
    ----------
    graph : CSRGraph
    strategy : {"random", "top_degree", "nodes"}
        ``random``: ``k`` distinct users drawn afresh for every replicate (from the
        replicate's own seeding stream); ``top_degree``: the ``k`` users with most
        followers; ``nodes``: the given user labels.
    k : int
        Number of seeds for ``random`` and ``top_degree``.
    nodes : sequence, optional
        Original user labels for ``nodes``.
    root : int
        Root key of the random streams.

    Returns
    -------
    ndarray of int64
        Shape ``(n_reps, k)`` for ``random``; ``(1, k)`` (shared by every replicate)
        otherwise.

    Raises
    ------
    KeyError
        A label in ``nodes`` is not a user of ``graph``.
    ValueError
        ``k`` is out of range or the strategy is unknown.
    """
    if strategy == "nodes":
        ids = graph.node_ids(list(nodes or []))
        return np.unique(ids)[None, :] if ids.size else ids.reshape(1, 0)
    if not 1 <= k <= graph.n:
        raise ValueError(f"k must be between 1 and the audience size {graph.n}, got {k}")
    if strategy == "top_degree":
        return top_degree(graph, k)[None, :]
    if strategy == "random":
        from smmsim._kernels.seeding import random_seed_sets

        return random_seed_sets(graph.n, int(k), np.uint64(root), int(first), int(n_reps))
    raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}")
