"""CELF: lazy greedy over Monte Carlo estimates, under a seed count or a budget.

Each candidate's marginal gain is measured once; afterwards only the candidate on top
of the queue is measured again, since (for a submodular objective) a gain can only have
fallen since it was last measured (Leskovec et al. 2007). Every measurement uses the
same runs (common random numbers), so differences between candidates are paired.

Under a budget with prices, candidates are ranked by gain per unit price
(cost-effective greedy), those that no longer fit are dropped, and the result is the
better of that choice and the best single affordable account: for a monotone
submodular objective this is within ``(1 - 1/e) / 2`` of the best choice (Leskovec et al.
2007; Nguyen and Zheng 2013 show ``1 - 1/sqrt(e)``); with a seed count, plain greedy is
within ``1 - 1/e`` (Nemhauser, Wolsey and Fisher 1978). These hold for the Monte Carlo
estimate up to its sampling error.

``profit`` is revenue minus the seeds' prices: it can be negative, so no approximation
ratio applies. The queue is then ranked by marginal profit (gain minus price), a seed is
added only while it raises the estimated profit, and the result is the best of that
choice, the best single account and no campaign at all: on the choosing runs, never
worse than any of them.

References
----------
J. Leskovec, A. Krause, C. Guestrin, C. Faloutsos, J. VanBriesen and N. Glance,
"Cost-effective outbreak detection in networks", KDD 2007.
H. Nguyen and R. Zheng, "On budgeted influence maximization in social networks", IEEE
JSAC 31(6), 2013.
G. L. Nemhauser, L. A. Wolsey and M. L. Fisher, "An analysis of approximations for
maximizing submodular set functions", Mathematical Programming 14, 1978.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from smmsim.influence.candidates import Candidates, GreedyChoice

__all__ = ["CELFChoice", "celf"]


@dataclass
class CELFChoice(GreedyChoice):
    """What :func:`celf` chose: :class:`~smmsim.influence.candidates.GreedyChoice`'s
    ``nodes``, and their ``gains`` and ``estimate`` on the choosing runs.

    Attributes
    ----------
    evaluations : int
        Seed sets measured.
    pool : int
        Candidates considered.
    single_fallback : bool
        The best single account beat the greedy choice.
    """

    evaluations: int
    pool: int
    seconds: float
    single_fallback: bool = False


def celf(
    value: Callable[[np.ndarray], float],
    cand: Candidates,
    pool: np.ndarray,
    *,
    profit: bool = False,
) -> CELFChoice:
    """Lazy greedy choice of seeds among ``pool``.

    Parameters
    ----------
    value : callable
        ``value(nodes) -> float``: the objective of a seed set (committed seeds
        included), on fixed runs.
    cand : Candidates
        Prices, budget (or seed count) and committed seeds.
    pool : ndarray of int64
        Eligible users to consider (all, or the best by a cheap score on a large
        audience).
    profit : bool
        The objective already subtracts the seeds' prices: rank by marginal value and
        stop when it is no longer positive (see the module docstring).

    Returns
    -------
    CELFChoice
    """
    t0 = time.perf_counter()
    fixed = [int(c) for c in cand.committed]
    base = value(np.asarray(fixed, dtype=np.int64))
    evaluations = 1
    price = cand.price
    budget = float(cand.budget)
    by_ratio = cand.priced and not profit

    def score(gain: float, u: int) -> float:
        return gain / max(price[u], 1e-300) if by_ratio else gain

    heap: list[tuple[float, int, float, int]] = []
    single, single_gain = -1, -np.inf
    for u in pool:
        u = int(u)
        if price[u] > budget:
            continue
        gain = value(np.asarray([*fixed, u], dtype=np.int64)) - base
        evaluations += 1
        if gain > single_gain:
            single, single_gain = u, gain
        heapq.heappush(heap, (-score(gain, u), u, gain, 0))

    chosen: list[int] = []
    gains: list[float] = []
    current = base
    remaining = budget
    while heap:
        _, u, gain, stamp = heapq.heappop(heap)
        if price[u] > remaining:
            continue  # the budget left only shrinks: it will never fit again
        if stamp != len(chosen):
            gain = value(np.asarray([*fixed, *chosen, u], dtype=np.int64)) - current
            evaluations += 1
            heapq.heappush(heap, (-score(gain, u), u, gain, len(chosen)))
            continue
        if profit and gain <= 0:
            break  # no account left raises the estimated profit
        # the other objectives do not fall as seeds are added (or barely: a seed's own
        # outcome): a gain estimated at or below zero is Monte Carlo noise, and the budget
        # is spent down the queue all the same
        chosen.append(u)
        gains.append(gain)
        current += gain
        remaining -= price[u]
    fallback = False
    if (cand.priced or profit) and single >= 0 and base + single_gain > current:
        chosen, gains, current, fallback = [single], [single_gain], base + single_gain, True
    return CELFChoice(
        nodes=np.asarray(chosen, dtype=np.int64),
        gains=np.asarray(gains, dtype=np.float64),
        estimate=float(current),
        evaluations=evaluations,
        pool=len(pool),
        seconds=time.perf_counter() - t0,
        single_fallback=fallback,
    )
