"""IMM: seeds from reverse-reachable sets, with the number of sets set by martingale
bounds (Tang, Shi and Xiao 2015), under a seed count or a budget.

Two phases, as in the paper's Algorithms 1-3: a sampling phase halves a guess ``x`` of
the optimum until the greedy choice on ``lambda' / x`` sets covers enough of them, which
gives a lower bound ``LB`` on the optimum with high probability; then ``lambda* / LB``
sets are drawn and the greedy choice on them is returned. The final sets are drawn
afresh, numbered past the sampling phase's, rather than reused: reusing them breaks the
martingale argument (Chen 2018).

Guarantee: with probability at least ``1 - 1/n^ell`` the expected number of users who
see the content or post it is at least ``(gamma - epsilon)`` times the best possible
within the constraint, where ``gamma`` is the greedy's own factor: ``1 - 1/e`` for a
seed count; ``(1 - 1/e) / 2`` for a budget with prices, where the greedy is the
cost-effective one that keeps the better of its choice and the best single affordable
account (Leskovec et al. 2007; Nguyen and Zheng 2013 show ``1 - 1/sqrt(e)`` for the
same rule). With prices, the union bound runs over all sets of at most as many seeds as
the budget can buy (Nguyen, Dinh and Thai 2016 take the same route).

References
----------
Y. Tang, Y. Shi and X. Xiao, "Influence maximization in near-linear time: a martingale
approach", SIGMOD 2015.
W. Chen, "An issue in the martingale analysis of the influence maximization algorithm
IMM", CSoNet 2018.
J. Leskovec, A. Krause, C. Guestrin, C. Faloutsos, J. VanBriesen and N. Glance,
"Cost-effective outbreak detection in networks", KDD 2007.
H. Nguyen and R. Zheng, "On budgeted influence maximization in social networks", IEEE
JSAC 31(6), 2013.
H. T. Nguyen, T. N. Dinh and M. T. Thai, "Cost-aware targeted viral marketing in
billion-scale networks", INFOCOM 2016.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.influence.candidates import Candidates, GreedyChoice
from smmsim.influence.rrsets import RRSets

__all__ = ["IMMChoice", "IMMTooLarge", "RRProblem", "greedy_factor", "imm"]

E_FACTOR = 1.0 - 1.0 / math.e


class IMMTooLarge(MemoryError):
    """IMM's final phase would need more memory for its RR sets than allowed.

    Attributes
    ----------
    needed : int
        Predicted bytes of the final sets and their index.
    allowed : int
        The limit.
    """

    def __init__(self, needed: int, allowed: int) -> None:
        super().__init__(f"IMM's RR sets would need about {needed / 2**30:.1f} GiB")
        self.needed = int(needed)
        self.allowed = int(allowed)


def greedy_factor(priced: bool) -> float:
    """The greedy's approximation factor: ``1 - 1/e`` for a seed count, ``(1 - 1/e)/2``
    under a budget with prices (cost-effective greedy or best single account)."""
    return E_FACTOR / 2 if priced else E_FACTOR


@dataclass
class IMMChoice(GreedyChoice):
    """What :func:`imm` chose and how: :class:`~smmsim.influence.candidates.GreedyChoice`'s
    ``nodes``, their ``gains`` in expected users reached (or seeded) and the ``estimate``
    of expected users who see the content or post it, as the final sets estimate them.

    Attributes
    ----------
    n_sets : int
        RR sets of the final phase.
    n_sets_sampling : int
        RR sets of the sampling phase.
    lower_bound : float
        The sampling phase's lower bound on the optimum.
    nbytes : int
        Peak memory of the RR sets (bytes).
    guarantee : float
        ``gamma - epsilon`` (see the module docstring), with probability
        ``1 - 1/n^ell``.
    """

    n_sets: int
    n_sets_sampling: int
    lower_bound: float
    nbytes: int
    guarantee: float
    epsilon: float
    ell: float
    seconds: float
    single_fallback: bool = False
    extra: dict = field(default_factory=dict)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _select(
    rr: RRSets, cand: Candidates, bound: bool = False
) -> tuple[np.ndarray, np.ndarray, int, bool, float]:
    """Greedy choice on ``rr``: ``(chosen, gains in sets, sets covered with the
    committed seeds, whether the best single account won, upper bound)``; the last is,
    with ``bound``, an upper bound on the sets the best affordable choice covers (see
    :func:`smmsim._kernels.rrsets.greedy_cover`), else 0."""
    from smmsim._kernels.rrsets import greedy_cover, sets_of_nodes

    n = rr.graph.n
    ptr, sets = sets_of_nodes(rr.offsets, rr.nodes, n)
    chosen, gains, single, single_gain, upper = greedy_cover(
        rr.offsets, rr.nodes, ptr, sets, cand.price, cand.eligible, cand.committed,
        float(cand.budget), bool(cand.priced), bool(bound),
    )  # fmt: skip
    base = rr.coverage(cand.committed) if cand.committed.size else 0
    fallback = False
    if cand.priced and single >= 0 and single_gain > gains.sum():
        chosen = np.array([single], dtype=np.int64)
        gains = np.array([single_gain], dtype=np.int64)
        fallback = True
    return chosen, gains, base + int(gains.sum()), fallback, float(upper)


@dataclass(frozen=True)
class RRProblem:
    """A seed choice by reverse-reachable sets, as :func:`imm` and
    :func:`smmsim.influence.opim.opim` take it: who may be chosen on which audience, the
    spread the sets sample, and the guarantee asked for.

    Attributes
    ----------
    graph : CSRGraph
    cand : Candidates
        Who may be chosen, prices and budget (or seed count), committed seeds.
    p_first : float
        Visibility: a share shows in a follower's feed.
    p : float
        Transmissibility: visibility x stickiness x contagion.
    epsilon : float
        Accuracy: the guarantee is ``gamma - epsilon``.
    ell : float
        Confidence: the guarantee holds with probability ``1 - 1/n^ell``.
    root : int
        Root key of the RR sets' streams.
    threads : int, optional
        Threads drawing RR sets; the choice does not depend on it.
    sir : tuple of two float, optional
        ``(beta, gamma)``: choose for the SIR model's final outbreak instead
        (``p_first`` and ``p`` unused; see :func:`smmsim._kernels.rrsets.rr_range_sir`).
    """

    graph: CSRGraph
    cand: Candidates
    p_first: float
    p: float
    epsilon: float = 0.1
    ell: float = 1.0
    root: np.uint64 | int = 0
    threads: int | None = None
    sir: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.cand.price.shape != (self.graph.n,):
            raise ValueError(
                f"candidates are for {self.cand.price.size} users, the audience has {self.graph.n}"
            )

    @property
    def max_chosen(self) -> int:
        """Most seeds a choice can hold, the committed ones included."""
        return min(self.graph.n, self.cand.max_seeds() + int(self.cand.committed.size))

    def sets(self, first: int) -> RRSets:
        """An empty collection of RR sets numbered from ``first``."""
        return RRSets(
            self.graph, self.p_first, self.p, np.uint64(self.root), first, self.threads, self.sir
        )


def imm(problem: RRProblem, *, max_bytes: int | None = None) -> IMMChoice:
    """Choose seeds by IMM for expected reach under the default model without decay.

    Parameters
    ----------
    problem : RRProblem
        The audience, candidates, spread and guarantee asked for.
    max_bytes : int, optional
        Most memory the final phase's RR sets and their index may take; when the sampling
        phase predicts more (from its mean set size), :class:`IMMTooLarge` is raised
        before they are drawn.

    Returns
    -------
    IMMChoice
    """
    t0 = time.perf_counter()
    cand = problem.cand
    n = problem.graph.n
    eps = float(problem.epsilon)
    ell = float(problem.ell) * (1 + math.log(2) / math.log(max(n, 3)))
    k = problem.max_chosen
    gamma = greedy_factor(cand.priced)
    log_cnk = _log_choose(n, k)
    log_n = math.log(max(n, 2))
    eps1 = math.sqrt(2) * eps
    lam1 = (
        (2 + 2 * eps1 / 3)
        * (log_cnk + ell * log_n + math.log(max(math.log2(max(n, 2)), 1.0)))
        * n
        / eps1**2
    )
    sample = problem.sets(0)
    lower = 1.0
    peak = 0
    for i in range(1, max(2, int(math.log2(max(n, 2))))):
        x = n / 2**i
        sample.extend_to(math.ceil(lam1 / x))
        peak = max(peak, sample.nbytes)
        _, _, covered, _, _ = _select(sample, cand)
        if n * covered / len(sample) >= (1 + eps1) * x:
            lower = n * covered / len(sample) / (1 + eps1)
            break
    n_sampling = len(sample)
    mean_size = sample.nodes.size / max(len(sample), 1)
    del sample
    alpha = math.sqrt(ell * log_n + math.log(2))
    beta = math.sqrt(gamma * (log_cnk + ell * log_n + math.log(2)))
    lam_star = 2 * n * (gamma * alpha + beta) ** 2 / eps**2
    n_final = max(1, math.ceil(lam_star / lower))
    # users (int32) and their inverted index (int32), offsets (int64)
    needed = n_final * (mean_size * 8 + 8)
    if max_bytes is not None and needed > max_bytes:
        raise IMMTooLarge(int(needed), int(max_bytes))
    final = problem.sets(n_sampling)
    final.extend_to(n_final)
    chosen, gains, covered, fallback, _ = _select(final, cand)
    peak = max(peak, final.nbytes)
    scale = n / len(final)
    return IMMChoice(
        nodes=chosen,
        gains=gains * scale,
        estimate=covered * scale,
        n_sets=len(final),
        n_sets_sampling=n_sampling,
        lower_bound=lower,
        nbytes=peak,
        guarantee=gamma - eps,
        epsilon=eps,
        ell=float(ell),
        seconds=time.perf_counter() - t0,
        single_fallback=fallback,
    )
