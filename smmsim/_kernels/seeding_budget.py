"""Buying seeds down a ranking within a budget."""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def buy_in_order(order, price, eligible, budget):
    """The eligible users of ``order`` bought in turn while each fits the budget left
    (one that does not fit is skipped; the walk goes on to cheaper ones)."""
    chosen = np.empty(order.shape[0], dtype=np.int64)
    k = 0
    remaining = budget
    for u in order:
        if eligible[u] and price[u] <= remaining:
            chosen[k] = u
            k += 1
            remaining -= price[u]
    return chosen[:k].copy()
