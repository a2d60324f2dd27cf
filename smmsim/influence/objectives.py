"""What a seed set is worth: the objectives, measured on Monte Carlo runs of the model.

* ``reach``: users who see the content or post it (the seeds included, so that adding a
  seed never lowers it: without decay this is the influence spread of Kempe, Kleinberg
  and Tardos, monotone and submodular);
* ``earned_reach``: users whose first exposure came from a peer's share;
* ``conversions``: purchases;
* ``profit``: revenue from conversions minus the campaign's cost (fixed cost, seeds'
  prices, paid media).

Every value is a mean over runs ``0 .. runs - 1`` of the streams keyed by ``root``: two
seed sets measured with the same ``root`` meet the same random numbers (common random
numbers), so their difference is much less noisy than either value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smmsim._kernels.layout import C_CONVERSIONS, C_EARNED_REACH, C_REACH, C_SEEDS
from smmsim.economics import Economics
from smmsim.graph import CSRGraph
from smmsim.models.base import Model

__all__ = ["OBJECTIVES", "MonteCarlo", "Outcome"]

#: The objectives, with what each counts.
OBJECTIVES = {
    "reach": "users who saw the content or posted it",
    "earned_reach": "users first reached by a peer's share",
    "conversions": "purchases",
    "profit": "revenue minus the campaign's cost",
}


@dataclass(frozen=True)
class Outcome:
    """Per-run values of every objective for one seed set (arrays of shape (runs,))."""

    reach: np.ndarray
    earned_reach: np.ndarray
    conversions: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    profit: np.ndarray

    def of(self, objective: str) -> np.ndarray:
        """The per-run values of ``objective``."""
        return getattr(self, objective)

    def summary(self, objective: str, z: float = 1.96) -> tuple[float, float]:
        """Mean of ``objective`` over the runs and the half-width of its ``z`` CI."""
        x = self.of(objective).astype(np.float64)
        half = z * x.std(ddof=1) / np.sqrt(x.size) if x.size > 1 else float("nan")
        return float(x.mean()), float(half)


@dataclass
class MonteCarlo:
    """Measures seed sets by running the scenario's model.

    Parameters
    ----------
    model : Model
    graph : CSRGraph
    economics : Economics
    steps : int
    runs : int
    root : numpy.uint64
        Root key of the runs' streams.
    threads : int, optional
    """

    model: Model
    graph: CSRGraph
    economics: Economics
    steps: int
    runs: int
    root: np.uint64
    threads: int | None = None
    calls: int = 0

    def outcome(self, nodes: np.ndarray) -> Outcome:
        """Every objective on each run, for the seeds ``nodes``."""
        # sorted: a set has one value, whatever order its seeds were listed in
        nodes = np.sort(np.asarray(nodes, dtype=np.int64)).reshape(1, -1)
        if nodes.size == 0:  # no campaign: nothing spreads, the fixed cost is paid
            zero = np.zeros(self.runs)
            cost = np.full(self.runs, float(self.economics.fixed_cost))
            return Outcome(zero, zero, zero, zero, cost, -cost)
        batch = self.model.run(
            self.graph, nodes, 0, self.runs, self.steps, np.uint64(self.root), self.threads
        )
        self.calls += 1
        c = batch.counts
        conversions = c[:, C_CONVERSIONS].astype(np.float64)
        revenue = conversions * self.economics.revenue_per_conversion
        cost = np.full(len(batch), float(self.economics.cost(self.graph, nodes)[0]))
        if batch.media_cost is not None:
            cost = cost + batch.media_cost
        return Outcome(
            reach=(c[:, C_REACH] + c[:, C_SEEDS]).astype(np.float64),
            earned_reach=c[:, C_EARNED_REACH].astype(np.float64),
            conversions=conversions,
            revenue=revenue,
            cost=cost,
            profit=revenue - cost,
        )

    def value(self, nodes: np.ndarray, objective: str) -> float:
        """Mean of ``objective`` over the runs, for the seeds ``nodes``."""
        return float(self.outcome(nodes).of(objective).mean())
