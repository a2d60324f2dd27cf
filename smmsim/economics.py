"""Campaign prices: what a seed, its followers and paid media cost, and what a conversion
earns (a scenario's ``economics`` section), for the metrics and the seed optimisers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smmsim.graph import CSRGraph

__all__ = ["Economics", "attribute_prices"]


@dataclass(frozen=True)
class Economics:
    """Campaign prices (all in ``currency``).

    Parameters
    ----------
    cost_per_seed : float
        Flat fee per seed account.
    cost_per_follower : float
        Fee per follower of each seed (influencer pricing by audience size).
    fixed_cost : float
        Campaign cost independent of seeds (creative, agency).
    revenue_per_conversion : float
        Margin earned per purchase.
    cpm : float
        Value of 1,000 earned impressions (what the same exposure would cost as ads).
    tier_followers, tier_prices : list, optional
        Follower counts where price tiers start (increasing) and the price of a seed in
        each tier, added to the fees above.
    price_column : str, optional
        An attribute of the users (a column of ``audience.attributes``) holding what
        seeding each account costs; when given it replaces the fees above.
    """

    cost_per_seed: float = 0.0
    cost_per_follower: float = 0.0
    fixed_cost: float = 0.0
    revenue_per_conversion: float = 0.0
    cpm: float = 0.0
    currency: str = "USD"
    tier_followers: list[int] | None = None
    tier_prices: list[float] | None = None
    price_column: str | None = None

    @classmethod
    def from_scenario(cls, scenario) -> Economics:
        """Build from a scenario's ``economics`` section."""
        return cls(**scenario.economics)

    def tier_price(self, followers: np.ndarray) -> np.ndarray:
        """The tier price of seeds with ``followers`` followers (0 below the first tier)."""
        f = np.asarray(followers)
        if not self.tier_followers:
            return np.zeros(f.shape)
        floors = np.asarray(self.tier_followers, dtype=np.int64)
        prices = np.asarray(self.tier_prices, dtype=np.float64)
        tier = np.searchsorted(floors, f, side="right") - 1
        return np.where(tier >= 0, prices[np.maximum(tier, 0)], 0.0)

    def price(self, followers: np.ndarray) -> np.ndarray:
        """What one seed with ``followers`` followers costs: the fee per seed, the fee per
        follower, and its tier's price."""
        f = np.asarray(followers, dtype=np.float64)
        return self.cost_per_seed + self.cost_per_follower * f + self.tier_price(followers)

    def prices(self, graph: CSRGraph) -> np.ndarray:
        """What seeding each user of ``graph`` costs: their ``price_column`` value, or
        :meth:`price` of their followers."""
        if self.price_column is None:
            return self.price(graph.out_degree())
        return attribute_prices(graph, self.price_column)

    def cost(self, graph: CSRGraph, seed_sets: np.ndarray) -> np.ndarray:
        """Cost of each seed set (one value per row of ``seed_sets``)."""
        if self.price_column is not None:
            return self.fixed_cost + self.prices(graph)[seed_sets].sum(axis=1)
        degree = graph.out_degree()[seed_sets]
        followers = degree.sum(axis=1).astype(float)
        cost = (
            self.fixed_cost
            + self.cost_per_seed * seed_sets.shape[1]
            + self.cost_per_follower * followers
        )
        if self.tier_followers:
            cost = cost + self.tier_price(degree).sum(axis=1)
        return cost


def attribute_prices(graph: CSRGraph, column: str) -> np.ndarray:
    """Each user's price from their attribute ``column`` (``economics.price_column``);
    raise :class:`~smmsim.errors.AudienceError` in one line when the users have no such
    attribute or a value is not a price."""
    from smmsim.errors import AudienceError

    key = "economics.price_column"
    attributes = getattr(graph, "attributes", None) or {}
    if column not in attributes:
        known = ", ".join(sorted(attributes)) or "none"
        raise AudienceError(
            f"{key}: the users have no attribute {column!r} (their attributes: {known}); "
            "give the prices as a column of audience.attributes"
        )
    codes, values = attributes[column]
    table = np.empty(len(values), dtype=np.float64)
    for i, text in enumerate(values):
        try:
            table[i] = float(text)
        except ValueError:
            table[i] = np.nan
        if not (np.isfinite(table[i]) and table[i] >= 0):
            raise AudienceError(
                f"{key}: attribute {column!r} holds {text!r}, not a price (a number >= 0)"
            )
    return table[codes]
