"""What every cascade model gives the engine: raw per-replicate counts and series.

A model validates its own parameters and calls its kernel; the funnel metrics,
economics and summaries are computed from the raw arrays by :mod:`smmsim.metrics`,
so they are written once for every model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["COUNT_COLUMNS", "SERIES_COLUMNS", "RawBatch"]

#: Columns of :attr:`RawBatch.counts`, in order.
COUNT_COLUMNS = (
    "impressions",
    "paid_impressions",
    "reach",
    "earned_reach",
    "engaged",
    "engagements",
    "shares",
    "seeds",
    "pending_shares",
    "conversions",
    "referral_conversions",
)

#: Columns of :attr:`RawBatch.series` (new events per step), in order.
SERIES_COLUMNS = ("impressions", "reach", "engagements", "shares", "conversions")


@dataclass
class RawBatch:
    """Raw output of a model for replicates ``first .. first + len - 1``.

    Attributes
    ----------
    first : int
        Index of the first replicate.
    counts : ndarray of int64, shape (R, len(COUNT_COLUMNS))
    virality : ndarray of float64, shape (R,)
        Structural virality of each replicate's sharer tree.
    series : ndarray of int64, shape (R, steps, len(SERIES_COLUMNS))
    seed_sets : ndarray of int64, shape (R, k) or (1, k)
        Seed users of each replicate (one shared row when fixed).
    """

    first: int
    counts: np.ndarray
    virality: np.ndarray
    series: np.ndarray
    seed_sets: np.ndarray

    def __len__(self) -> int:
        return int(self.counts.shape[0])
