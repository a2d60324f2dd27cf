"""OPIM-C: seeds from reverse-reachable sets, stopping as soon as the choice is proven
good enough (Tang, Tang, Xiao and Yuan 2018).

IMM sets the number of RR sets in advance from a worst-case bound; OPIM-C instead draws
two independent collections of equal size, chooses greedily on the first, and checks
the choice on both: the second gives a lower confidence bound ``sigma_l`` on the
choice's expected reach, and the greedy's own trace on the first an upper confidence
bound ``sigma_u`` on the best possible reach (the sets covered after any greedy step
plus the most the remaining budget could add, by submodularity). When ``sigma_l /
sigma_u`` reaches ``gamma - epsilon`` the choice is returned; otherwise both
collections double, up to the size at which IMM's worst-case bound holds anyway. On
audiences where a few accounts reach most users (large RR sets), it stops after a
small fraction of IMM's sets.

Guarantee: with probability at least ``1 - delta`` (``delta = 1/n^ell``) the expected
number of users who see the content or post it is at least ``sigma_l / sigma_u`` times
the best possible within the constraint, and that ratio is at least ``gamma - epsilon``
(``gamma`` as for :mod:`smmsim.influence.imm`): the loop stops when the ratio reaches it,
or at the last round, whose size is IMM's worst-case bound. The ratio reached is
reported.

References
----------
J. Tang, X. Tang, X. Xiao and J. Yuan, "Online processing algorithms for influence
maximization", SIGMOD 2018 (Algorithm 2, OPIM-C, and the bounds of its section 4).
"""

from __future__ import annotations

import math
import time

import numpy as np

from smmsim.influence.imm import IMMChoice, RRProblem, _log_choose, _select, greedy_factor

__all__ = ["SECOND_COLLECTION", "opim", "reach_bounds"]

#: Number of the second collection's first set: its streams never meet the first's.
SECOND_COLLECTION = 1 << 48


def reach_bounds(
    covered_check: float, upper_first: float, n_sets: int, n: int, a: float
) -> tuple[float, float]:
    """``(sigma_l, sigma_u)``: a lower confidence bound on the chosen seeds' expected
    reach from the sets they cover in the second collection, and an upper one on the
    optimum from the first collection's bound on its coverage, each failing with
    probability at most ``exp(-a)`` (Tang et al. 2018, Lemmas 4.2 and 4.3)."""
    low = (math.sqrt(covered_check + 2 * a / 9) - math.sqrt(a / 2)) ** 2 - a / 18
    high = (math.sqrt(upper_first + a / 2) + math.sqrt(a / 2)) ** 2
    return max(low, 0.0) * n / n_sets, high * n / n_sets


def opim(problem: RRProblem) -> IMMChoice:
    """Choose seeds by OPIM-C for expected reach under the default model without decay.

    Parameters
    ----------
    problem : RRProblem
        The audience, candidates, spread and guarantee asked for.

    Returns
    -------
    IMMChoice
        ``n_sets`` is the size of each collection, ``n_sets_sampling`` that of both
        together; ``estimate`` is the second collection's (which played no part in the
        choice), ``lower_bound`` is ``sigma_l`` and ``extra`` holds ``upper_bound``
        (``sigma_u``), ``certified`` (their ratio) and ``rounds``.
    """
    t0 = time.perf_counter()
    cand = problem.cand
    n = problem.graph.n
    eps = float(problem.epsilon)
    ell = float(problem.ell)
    delta = math.exp(-ell * math.log(max(n, 2)))
    k = problem.max_chosen
    gamma = greedy_factor(cand.priced)
    # the optimum reaches at least its seeds: k of them for a seed count, one otherwise
    opt_low = float(k if not cand.priced else 1 + cand.committed.size)
    log_cnk = _log_choose(n, k)
    log6 = math.log(6 / delta)
    theta_max = (2 * n * (gamma * math.sqrt(log6) + math.sqrt(gamma * (log_cnk + log6))) ** 2) / (
        eps**2 * opt_low
    )
    theta0 = max(1, math.ceil(theta_max * eps**2 * opt_low / n))
    rounds = max(1, math.ceil(math.log2(max(theta_max / theta0, 1.0))))
    a = math.log(3 * rounds / delta)
    first = problem.sets(0)
    check = problem.sets(SECOND_COLLECTION)
    size = theta0
    peak = 0
    for i in range(1, rounds + 1):
        first.extend_to(size)
        check.extend_to(size)
        peak = max(peak, first.nbytes + check.nbytes)
        chosen, gains, _, fallback, upper = _select(first, cand, bound=True)
        seeds = np.concatenate([cand.committed, chosen]).astype(np.int64)
        hits = check.coverage(seeds)
        low, high = reach_bounds(hits, upper, size, n, a)
        ratio = low / high if high > 0 else 0.0
        if ratio >= gamma - eps or i == rounds:
            break
        size *= 2
    scale = n / size
    return IMMChoice(
        nodes=chosen,
        gains=gains * scale,
        estimate=hits * scale,
        n_sets=size,
        n_sets_sampling=2 * size,
        lower_bound=low,
        nbytes=peak,
        guarantee=max(ratio, gamma - eps),
        epsilon=eps,
        ell=ell,
        seconds=time.perf_counter() - t0,
        single_fallback=fallback,
        extra={"upper_bound": high, "certified": ratio, "rounds": i},
    )
