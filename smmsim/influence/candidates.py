"""Who may be chosen and at what price: the candidates of a seeding budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from smmsim.economics import Economics
from smmsim.errors import UserError
from smmsim.graph import CSRGraph
from smmsim.segments import in_segments

__all__ = ["Candidates", "GreedyChoice", "SeedingError", "candidates"]


class SeedingError(UserError):
    """A seeding request that cannot be met (no candidates, a budget too small, ...)."""


@dataclass
class GreedyChoice:
    """What a greedy choice of seeds gives, whatever estimates the objective.

    Attributes
    ----------
    nodes : ndarray of int64
        The chosen users (committed ones excluded), in the order chosen.
    gains : ndarray of float64
        Each one's marginal gain in the objective, as the choice estimated it.
    estimate : float
        The objective of the choice (committed seeds included), as the choice estimated it.
    """

    nodes: np.ndarray
    gains: np.ndarray
    estimate: float


@dataclass(frozen=True)
class Candidates:
    """The users that may be chosen, what each costs, and the seeds already committed.

    Attributes
    ----------
    price : ndarray of float64, shape (n,)
        What seeding each user costs (:meth:`smmsim.economics.Economics.price`); with a
        seed count instead of a budget, 1 for everyone.
    eligible : ndarray of bool, shape (n,)
        Users that may be chosen (filters applied, committed users excluded).
    committed : ndarray of int64
        Users seeded whatever is chosen (already paid for from the budget).
    budget : float
        Money left for the choice once the committed seeds are paid (or the number of
        seeds left to choose, with a seed count).
    total_budget : float
        The budget as given (or the seed count).
    priced : bool
        Whether the budget is money (``False``: a seed count, every seed costs 1).
    """

    price: np.ndarray
    eligible: np.ndarray
    committed: np.ndarray
    budget: float
    total_budget: float
    priced: bool

    @property
    def ids(self) -> np.ndarray:
        """The eligible users' ids."""
        return np.flatnonzero(self.eligible)

    def affordable(self) -> np.ndarray:
        """Eligible users whose price fits the budget left."""
        return self.eligible & (self.price <= self.budget * (1 + 1e-12))

    def max_seeds(self) -> int:
        """The most seeds the budget left can buy (at least 1)."""
        ok = self.affordable()
        if not ok.any():
            return 1
        prices = np.sort(self.price[ok])
        spent = np.cumsum(prices)
        return max(1, int(np.searchsorted(spent, self.budget * (1 + 1e-12), side="right")))

    def cost(self, nodes: np.ndarray) -> float:
        """What ``nodes`` cost together."""
        return float(self.price[np.asarray(nodes, dtype=np.int64)].sum())


def candidates(
    graph: CSRGraph,
    economics: Economics,
    *,
    budget: float | None,
    k: int | None = None,
    min_followers: int = 0,
    segments: Sequence[Any] | None = None,
    exclude: Sequence[Any] | None = None,
    committed: Sequence[Any] | None = None,
) -> Candidates:
    """The candidates and prices of a seeding budget.

    Parameters
    ----------
    graph : CSRGraph
    economics : Economics
        Prices: ``cost_per_seed + cost_per_follower x followers`` plus the follower
        tier's price.
    budget : float or None
        Money for seeds, committed ones included; ``None``: choose ``k`` seeds whatever
        they cost.
    k : int, optional
        Number of seeds (committed ones included) when ``budget`` is ``None``.
    min_followers : int
        Candidates have at least this many followers.
    segments : sequence of str or int, optional
        Candidates belong to one of these audience segments (names or ids).
    exclude, committed : sequence of user labels, optional
        Users that may not be chosen; users seeded whatever is chosen.

    Returns
    -------
    Candidates

    Raises
    ------
    SeedingError
        An unknown user id, no candidate left after the filters, committed seeds over
        the budget, or a budget below the cheapest candidate.
    """
    if budget is not None and not (np.isfinite(budget) and budget > 0):
        raise SeedingError(f"seeding.budget: must be a number > 0, got {budget!r}")
    if budget is None and k is not None and int(k) < 1:
        raise SeedingError(f"seeding.k: must be an integer >= 1, got {k!r}")
    n = graph.n
    followers = graph.out_degree()
    fixed = _ids(graph, committed, "seeding.committed")
    banned = _ids(graph, exclude, "seeding.exclude")
    eligible = followers >= int(min_followers)
    if segments:
        eligible &= in_segments(graph, segments, "seeding.segments", SeedingError)
    eligible[banned] = False
    eligible[fixed] = False
    if budget is None:
        count = 10 if k is None else int(k)
        price = np.ones(n)
        left = float(count - fixed.size)
        if left < 0:
            raise SeedingError(
                f"seeding.committed: lists {fixed.size} users but only {count} seeds are "
                "asked for (seeding.k)"
            )
        total, priced = float(count), False
    else:
        price = economics.prices(graph)
        left = float(budget) - float(price[fixed].sum())
        if left < -1e-9 * max(1.0, float(budget)):
            raise SeedingError(
                f"seeding.committed: the committed seeds cost {price[fixed].sum():,.2f}, "
                f"more than the budget {float(budget):,.2f}"
            )
        total, priced = float(budget), True
    if not eligible.any():
        raise SeedingError(f"no candidates left: {_why_none(graph, min_followers, banned, fixed)}")
    cheapest = float(price[eligible].min())
    if priced and cheapest > left * (1 + 1e-12) and fixed.size == 0:
        raise SeedingError(
            f"seeding.budget: {float(budget):,.2f} is below the cheapest candidate's "
            f"price {cheapest:,.2f}"
        )
    return Candidates(price, eligible, fixed, max(left, 0.0), total, priced)


def _ids(graph: CSRGraph, labels: Sequence[Any] | None, key: str) -> np.ndarray:
    if not labels:
        return np.zeros(0, dtype=np.int64)
    try:
        return np.unique(graph.node_ids(list(labels))).astype(np.int64)
    except KeyError as exc:
        label = exc.args[0] if exc.args else None
        raise SeedingError(f"{key}: {graph.unknown_id(label)}") from None


def _why_none(graph: CSRGraph, min_followers: int, banned: np.ndarray, fixed: np.ndarray) -> str:
    most = int(graph.out_degree().max(initial=0))
    parts = []
    if min_followers > most:
        parts.append(
            f"seeding.min_followers = {min_followers:,} but the most followed user has {most:,}"
        )
    if banned.size or fixed.size:
        parts.append(f"{banned.size:,} users excluded and {fixed.size:,} committed")
    return "; ".join(parts) or "the filters (seeding.segments, min_followers) leave nobody"
