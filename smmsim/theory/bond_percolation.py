"""Percolation theory for the default model: thresholds and cascade sizes.

Without novelty decay the set of sharers in the default model is the cluster of the
seeds in bond percolation with transmissibility ``T = visibility x stickiness x
contagion``. Generating functions over the audience's own degree sequence then give the
virality threshold, the chance that one seed starts a large cascade and the size of
such a cascade (Newman 2002; for directed audiences the joint in/out-degree form of
Newman, Strogatz & Watts 2001 and Meyers, Newman & Pourbohloul 2006).

References
----------
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with arbitrary degree
distributions and their applications", Phys. Rev. E 64, 026118 (2001).
L. A. Meyers, M. E. J. Newman and B. Pourbohloul, "Predicting epidemics on directed
contact networks", J. Theor. Biol. 240, 400-418 (2006).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import numpy as np

from smmsim.graph import CSRGraph

__all__ = [
    "PercolationTheory",
    "SeededCascades",
    "Seeding",
    "critical_transmissibility",
    "decaying_cascades",
    "fixed_point",
    "hub_share",
    "joint_degree_distribution",
    "percolation",
    "seeded_cascades",
    "seeded_theory",
    "transmissibility",
]


def transmissibility(visibility: float, stickiness: float, contagion: float) -> float:
    """Probability that a share along one tie makes the follower share: ``v * s * c``."""
    return float(visibility) * float(stickiness) * float(contagion)


def critical_transmissibility(graph: CSRGraph) -> float:
    """Virality threshold ``T_c``: the transmissibility at which ``K = T * excess = 1``.

    ``excess`` is the mean excess degree (``<k^2>/<k> - 1`` undirected,
    ``<k_in k_out>/<k_in>`` directed). Returns ``inf`` when the audience has no excess
    degree (no cascade can grow).
    """
    excess = graph.degree_stats().excess
    return 1.0 / excess if excess > 0 else float("inf")


@dataclass(frozen=True)
class PercolationTheory:
    """What theory predicts for one transmissibility on one audience.

    Attributes
    ----------
    transmissibility : float
        ``T``.
    critical : float
        ``T_c``.
    k_factor : float
        Viral coefficient ``K = T / T_c``: mean new sharers per sharer early on.
    viral : bool
        ``K > 1``.
    p_large : float
        Probability that one random seed starts a large cascade.
    large_share : float
        Fraction of the audience that shares in a large cascade.
    mean_small : float
        Mean number of sharers (seed included) of a cascade that stays small,
        from one random seed; ``inf`` at the threshold.
    """

    transmissibility: float
    critical: float
    k_factor: float
    viral: bool
    p_large: float
    large_share: float
    mean_small: float

    def p_large_from(self, k: int) -> float:
        """Probability that at least one of ``k`` random seeds starts a large cascade."""
        return 1.0 - (1.0 - self.p_large) ** k

    def as_dict(self) -> dict:
        """Plain dictionary (JSON-ready; infinities become ``None``)."""
        return {
            k: (None if isinstance(v, float) and not np.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def fixed_point(f, tol: float = 1e-13, max_iter: int = 200_000) -> float:
    """Smallest fixed point of an increasing map ``f`` on [0, 1], iterating from 0."""
    u = 0.0
    for _ in range(max_iter):
        nxt = f(u)
        if abs(nxt - u) < tol:
            return nxt
        u = nxt
    return u


def joint_degree_distribution(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (in, out) degree pairs and their frequencies, computed once per graph."""
    cache = graph._cache
    if "joint_degrees" not in cache:
        kin = graph.in_degree().astype(np.int64)
        kout = graph.out_degree().astype(np.int64)
        # one integer key per (in, out) pair: far faster than np.unique(..., axis=1)
        base = int(kout.max(initial=0)) + 1
        keys, counts = np.unique(kin * base + kout, return_counts=True)
        cache["joint_degrees"] = (
            (keys // base).astype(float),
            (keys % base).astype(float),
            counts / max(graph.n, 1),
        )
    return cache["joint_degrees"]


def percolation(graph: CSRGraph, T: float) -> PercolationTheory:
    """Generating-function predictions for bond percolation with probability ``T``.

    Parameters
    ----------
    graph : CSRGraph
        The audience; its own degree sequence is used (no assumed distribution).
    T : float
        Transmissibility in [0, 1].

    Returns
    -------
    PercolationTheory

    Notes
    -----
    Undirected: with ``G0(x) = sum_k p_k x^k`` and ``G1(x) = G0'(x)/G0'(1)``, the
    probability that a tie does not lead to the giant cluster solves
    ``u = G1(1 - T + T u)``; then ``p_large = large_share = 1 - G0(1 - T + T u)`` and,
    below threshold, ``mean_small = 1 + T G0'(1) / (1 - T G1'(1))`` (Newman 2002).
    Directed (an arc ``u -> v`` carries u's shares to v): the seed's out-cluster is large
    with probability ``1 - sum p_jk x^k`` where ``x = 1 - T + T a`` and
    ``a = sum (j p_jk / <j>) x^k``; a large cascade reaches the giant out-component,
    ``1 - sum p_jk y^j`` with ``y = 1 - T + T b``, ``b = sum (k p_jk / <k>) y^j``.
    """
    if not 0.0 <= T <= 1.0:
        raise ValueError(f"T must be a probability in [0, 1], got {T}")
    stats = graph.degree_stats()
    critical = 1.0 / stats.excess if stats.excess > 0 else float("inf")
    K = T * stats.excess
    j, k, p = joint_degree_distribution(graph)
    mj, mk = float((p * j).sum()), float((p * k).sum())
    if mj == 0 or T == 0:
        return PercolationTheory(T, critical, K, False, 0.0, 0.0, 1.0)

    # a follower reached along a mutual tie has k - 1 further ties; along an arc, k
    # (users never reached along a tie, j = 0, carry no weight there: leave them out,
    # as 0 ** -1 would turn their zero weight into nan at T = 1)
    reached = j > 0
    wj, excess_k = (p * j / mj)[reached], (k if graph.directed else k - 1)[reached]
    a = fixed_point(lambda a: float((wj * (1 - T + T * a) ** excess_k).sum()))
    p_large = 1.0 - float((p * (1 - T + T * a) ** k).sum())
    if graph.directed:
        followed = k > 0
        wk, j_f = (p * k / mk)[followed], j[followed]
        b = fixed_point(lambda b: float((wk * (1 - T + T * b) ** j_f).sum()))
        large_share = 1.0 - float((p * (1 - T + T * b) ** j).sum())
    else:
        large_share = p_large
    mean_small = 1.0 + T * mk / (1.0 - K) if K < 1 else float("inf")
    if K <= 1:  # the iteration only approaches 0 from above at or below threshold
        p_large = large_share = 0.0
    return PercolationTheory(
        transmissibility=T,
        critical=critical,
        k_factor=K,
        viral=K > 1,
        p_large=max(p_large, 0.0),
        large_share=max(large_share, 0.0),
        mean_small=mean_small,
    )


# --------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Seeding:
    """Who starts the cascades, as theory needs to know it.

    Attributes
    ----------
    strategy : {"random", "top_degree", "nodes", "optimize"}
        ``random``: ``k`` users drawn afresh for every run; otherwise the same users in
        every run.
    k : int
        Number of seeds.
    nodes : ndarray of int64 or None
        Internal ids of the seeds when they are the same in every run.
    """

    strategy: str
    k: int
    nodes: np.ndarray | None = None

    @classmethod
    def of(cls, seeds: Seeding | int) -> Seeding:
        """``seeds`` itself, or ``seeds`` random users when it is a number."""
        if isinstance(seeds, Seeding):
            return seeds
        return cls("random", max(int(seeds), 0))

    @classmethod
    def from_sets(cls, strategy: str, seed_sets: np.ndarray) -> Seeding:
        """From a strategy and the seed sets it produced (one shared row when fixed)."""
        sets = np.asarray(seed_sets, dtype=np.int64)
        if strategy == "random":
            return cls("random", int(sets.shape[1]))
        nodes = np.unique(sets[0])
        return cls(strategy, int(nodes.size), nodes)

    @property
    def fixed(self) -> bool:
        """The same seeds in every run."""
        return self.nodes is not None

    def followers(self, graph: CSRGraph) -> np.ndarray:
        """Followers (out-degree) of each fixed seed."""
        return graph.out_degree()[self.nodes].astype(np.int64)

    def describe(self, graph: CSRGraph) -> str:
        """Plain words: ``3 random users``, ``the top-degree account (812 followers)``."""
        if not self.fixed:
            return f"{self.k:,} random user{'s' if self.k != 1 else ''}"
        f = self.followers(graph)
        total = int(f.sum())
        if self.strategy == "top_degree":
            if self.k == 1:
                return f"the top-degree account ({total:,} followers)"
            return f"the {self.k:,} top-degree accounts ({total:,} followers in all)"
        if self.strategy == "optimize":
            n = f"{self.k:,} account{'s' if self.k != 1 else ''}"
            return f"{n} chosen by the optimiser ({total:,} followers in all)"
        if self.k == 1:
            return f"the listed user ({total:,} followers)"
        return f"{self.k:,} listed users ({total:,} followers in all)"

    def as_dict(self, graph: CSRGraph) -> dict:
        """JSON-ready summary (strategy, number of seeds, their followers)."""
        out = {"strategy": self.strategy, "k": int(self.k)}
        if self.fixed:
            out["followers"] = int(self.followers(graph).sum())
        return out


@dataclass(frozen=True)
class SeededCascades:
    """What percolation theory predicts for the cascades of one seeding.

    Attributes
    ----------
    p_large : float
        Probability that at least one seed starts a large cascade.
    p_large_one_seed : float
        The same for one seed drawn at random (the seeding-free figure).
    large_size : float
        Sharers in a large cascade (``large_share x n``); 0 when none can occur.
    mean_small : float
        Expected sharers (seeds included) when no seed starts a large cascade, from the
        tree approximation; ``inf`` at the threshold.
    """

    p_large: float
    p_large_one_seed: float
    large_size: float
    mean_small: float


def _edge_solution(graph: CSRGraph, T: float) -> tuple[float, float]:
    """``(w, h1)`` of bond percolation at ``T``: ``w`` is the probability that a tie out of
    a sharer does not lead to a large cascade (``w = 1 - T + T G1(w)``) and ``h1`` the
    expected sharers behind such a tie when it does not (times ``w``)."""
    j, k, p = joint_degree_distribution(graph)
    mj = float((p * j).sum())
    if mj == 0 or T == 0:
        return 1.0, 0.0
    reached = j > 0
    wj, excess = (p * j / mj)[reached], (k if graph.directed else k - 1)[reached]
    K = T * graph.degree_stats().excess
    if K <= 1:
        w = 1.0
    else:
        a = fixed_point(lambda a: float((wj * (1 - T + T * a) ** excess).sum()))
        w = 1 - T + T * a
    g1 = float((wj * w**excess).sum())
    # G1'(w); the users with no further ties contribute nothing
    more = excess > 0
    dg1 = float((wj[more] * excess[more] * w ** (excess[more] - 1)).sum())
    slope = 1.0 - T * dg1
    h1 = T * g1 / slope if slope > 1e-12 else float("inf")
    return w, h1


def _user_terms(
    graph: CSRGraph, users: np.ndarray, T: float, w: float, per_tie: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(log P(stays small), expected sharers when small)`` of the cascade from each of
    ``users`` reached along a tie, read from their own ties onward and, beyond them,
    from the degree distribution (``w``, ``per_tie``)."""
    deg = (graph.indptr[users + 1] - graph.indptr[users]).astype(np.float64)
    e = deg if graph.directed else np.maximum(deg - 1.0, 0.0)  # ties onward
    reach0 = w**e
    s0 = 1.0 - T + T * reach0
    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = np.where(s0 > 0, T * reach0 * (1.0 + e * per_tie) / s0, 0.0)
        return np.log(s0), r0


def _row_terms(
    graph: CSRGraph, rows: np.ndarray, T: float, w: float, per_tie: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_user_terms` summed over the followers of each of ``rows``: computed only
    at those followers, or for everyone in one pass over every tie when the rows hold
    more ties than the audience (hubs' followers)."""
    lengths = (graph.indptr[rows + 1] - graph.indptr[rows]).astype(np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(rows.size), np.zeros(rows.size)
    if total > graph.n_arcs:
        ls0, r0 = _user_terms(graph, np.arange(graph.n), T, w, per_tie)
        full = np.diff(graph.indptr) > 0
        sums = []
        for values in (ls0, r0):
            per_user = np.zeros(graph.n)
            per_user[full] = np.add.reduceat(values[graph.indices], graph.indptr[:-1][full])
            sums.append(per_user[rows])
        return sums[0], sums[1]
    seg = np.repeat(np.arange(rows.size), lengths)
    offsets = np.repeat(graph.indptr[rows] - np.cumsum(lengths) + lengths, lengths)
    ls0, r0 = _user_terms(graph, graph.indices[offsets + np.arange(total)], T, w, per_tie)
    return (
        np.bincount(seg, weights=ls0, minlength=rows.size),
        np.bincount(seg, weights=r0, minlength=rows.size),
    )


def _fixed_seeds(
    graph: CSRGraph, T: float, nodes: np.ndarray, w: float, per_tie: float
) -> tuple[float, float]:
    """``(P(no large cascade), expected sharers without one)`` for known seeds.

    The seeds' followers and their followers are read from the audience (two levels of
    the actual graph); beyond them, the degree distribution (``w``, ``per_tie``). Only
    the users two ties from a seed are visited, so a small seed set costs little on a
    large audience.
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    # level 1: the seeds' followers, each with its own followers (level 2: any user
    # reached along a tie, who stays small with some probability and brings some
    # sharers on average when it does)
    lengths = (graph.indptr[nodes + 1] - graph.indptr[nodes]).astype(np.int64)
    if int(lengths.sum()) == 0:
        return 1.0, float(nodes.size)
    parent = np.repeat(nodes, lengths)
    pos = np.repeat(graph.indptr[nodes] - np.cumsum(lengths) + lengths, lengths)
    pos = pos + np.arange(int(lengths.sum()))
    follower = graph.indices[pos].astype(np.int64)
    log_small, rest = _row_terms(graph, follower, T, w, per_tie)
    if not graph.directed:  # the tie back to the seed leads nowhere new
        ls_back, r_back = _user_terms(graph, parent, T, w, per_tie)
        log_small -= ls_back
        rest -= r_back
    inner = np.exp(log_small)
    s1 = 1.0 - T + T * inner
    with np.errstate(divide="ignore", invalid="ignore"):
        branch = np.where(s1 > 0, T * inner * (1.0 + rest) / s1, 0.0)
    return float(np.prod(s1)), float(nodes.size + branch.sum())


def seeded_cascades(graph: CSRGraph, T: float, seeds: Seeding | int) -> SeededCascades:
    """Large-cascade probability and small-cascade size for a scenario's own seeds.

    Parameters
    ----------
    graph : CSRGraph
        The audience (configuration-model approximation over its own degrees).
    T : float
        Transmissibility in [0, 1].
    seeds : Seeding or int
        The seeding (a number means that many random users).

    Returns
    -------
    SeededCascades

    Notes
    -----
    With ``w`` the probability that a tie out of a sharer does not lead to a large
    cascade, a random seed starts none with probability ``G0(w)``, and seeds far apart
    in a large audience are independent, so for ``k`` random seeds ``P(large) = 1 -
    G0(w)^k`` (Newman 2002). Fixed seeds are known users, so theory reads their
    followers from the audience: a follower with ``e`` further ties keeps the cascade
    small with probability ``s = 1 - T + T w^e``; one level further in, a follower of
    the seed keeps it small with probability ``1 - T + T prod s`` over its own
    followers, and ``P(large) = 1 - prod`` of those over every follower of every seed.
    Given that no large cascade starts, the sharers behind one tie out of a user
    reached along a tie number ``h'(1) / w`` on average, ``h'(1) = T G1(w) / (1 - T
    G1'(w))``, and the seeds' branches add up the same way (tree approximation,
    overlaps between seeds' cascades ignored).
    """
    seeds = Seeding.of(seeds)
    th = percolation(graph, T)
    w, h1 = _edge_solution(graph, T)
    per_tie = h1 / w if w > 0 else 0.0
    if seeds.fixed:
        p_none, mean_small = _fixed_seeds(graph, T, seeds.nodes, w, per_tie)
    else:
        _j, k, p = joint_degree_distribution(graph)
        q = p * w**k
        p0 = float(q.sum())
        p_none = p0**seeds.k
        one = 1.0 + per_tie * float((q * k).sum()) / p0 if p0 > 0 else float("inf")
        mean_small = seeds.k * one
    if not np.isfinite(per_tie):
        mean_small = float("inf")
    p_large = max(0.0, 1.0 - p_none) if th.viral else 0.0
    return SeededCascades(
        p_large=p_large,
        p_large_one_seed=th.p_large,
        large_size=th.large_share * graph.n if th.viral else 0.0,
        mean_small=mean_small,
    )


def decaying_cascades(
    graph: CSRGraph, T_of_step: np.ndarray, seeds: Seeding | int
) -> tuple[float, int | None]:
    """Expected sharers when transmissibility falls with time.

    Parameters
    ----------
    graph : CSRGraph
        The audience (configuration-model approximation over its own degrees).
    T_of_step : ndarray of float
        Transmissibility of a share made at step ``t`` (one value per step of the
        horizon; seeds share at step 0).
    seeds : Seeding or int
        The seeding.

    Returns
    -------
    expected : float
        Expected sharers, seeds included, within the horizon.
    below_from : int or None
        First step at which ``K = T x excess`` is at most 1 (``None`` if never).

    Notes
    -----
    The edge-based compartmental model of Miller, Slim & Volz (2012), in discrete
    steps. ``theta_t`` is the probability that a tie into a user has carried no share
    that made them share by step ``t``; a user is still not a sharer with probability
    ``G0(theta_t)``, and the user at the other end of a tie (not counting that tie) with
    probability ``G1(theta_t)``, so ``theta_(t+1) = theta_t - T_t (G1(theta_(t-1)) -
    G1(theta_t))``; the seeds' shares start it, ``theta_1 = 1 - T_0 x (seeds' ties) /
    (all ties)``. With few sharers it is the tree approximation (each step ``K_t = T_t
    x excess`` times the last); unlike the tree, it runs out of users, hubs first.
    Whenever ``T_t`` falls to zero no cascade grows without bound: theory gives an
    expected size, not a probability of a large cascade.

    References
    ----------
    J. C. Miller, A. C. Slim and E. M. Volz, "Edge-based compartmental modelling for
    infectious disease spread", J. R. Soc. Interface 9, 890-906 (2012).
    """
    seeds = Seeding.of(seeds)
    T = np.asarray(T_of_step, dtype=float)
    stats = graph.degree_stats()
    below = np.flatnonzero(T * stats.excess <= 1)
    below_from = int(below[0]) if below.size else None
    j, k, p = joint_degree_distribution(graph)
    ties = float((p * k).sum())
    if T.size == 0 or ties == 0 or graph.n == 0:
        return float(seeds.k), below_from
    # a user's own chances come along the ties into them (j); the user at the far end
    # of a tie is reached in proportion to its out-degree and is exposed along its
    # other ties: j of them when ties are arcs, k - 1 when they are mutual
    wk = p * k / ties
    other = j if graph.directed else np.maximum(k - 1, 0)

    def g0(x: float) -> float:
        return float((p * x**j).sum())

    def g1(x: float) -> float:
        return float((wk * x**other).sum())

    seed_ties = float(seeds.followers(graph).sum()) if seeds.fixed else seeds.k * ties
    theta = 1.0 - T[0] * min(1.0, seed_ties / (ties * graph.n))
    partner = 1.0
    for t in range(1, T.size):
        now = g1(theta)
        theta -= T[t] * (partner - now)
        partner = now
        if T[t] < 1e-15:
            break
    return float(seeds.k + (graph.n - seeds.k) * (1.0 - g0(theta))), below_from


def seeded_theory(
    graph: CSRGraph, T: float, seeds: Seeding | int, half_life: float | None = None
) -> dict:
    """Everything the run report needs from percolation theory for one scenario.

    Parameters
    ----------
    graph : CSRGraph
        The audience.
    T : float
        Transmissibility at launch.
    seeds : Seeding or int
        The scenario's seeding.
    half_life : float, optional
        Steps after which ``T`` has halved (novelty decay); ``None`` for none.

    Returns
    -------
    dict
        The fields of :class:`PercolationTheory` (``p_large`` replaced by the value for
        this seeding, the one-random-seed value kept as ``p_large_one_seed``), plus
        ``seeding_strategy``, ``seeding_k`` (and ``seeding_followers`` for fixed seeds),
        ``seeding_text``, the fields of :class:`smmsim.theory.structure.Structure`, ``hubs``,
        ``large_size`` (sharers in a large cascade),
        ``expected_small`` (expected sharers from these seeds when no large cascade
        starts) and ``decay``. The threshold fields are for ``T`` at launch. With novelty
        decay no cascade grows without bound: ``p_large`` and ``p_large_one_seed`` are 0
        (``p_large_without_decay`` keeps the launch-``T`` value), ``expected_sharers``
        is the tree-approximation mean and ``below_threshold_step`` the first step at
        which ``K`` is at most 1.
    """
    seeds = Seeding.of(seeds)
    nodes = None if seeds.nodes is None else seeds.nodes.tobytes()
    key = ("seeded_theory", float(T), seeds.strategy, seeds.k, nodes, half_life)
    if key not in graph._cache:
        # one audience is often run many times with one content and seeding (a sweep's
        # replicates, a comparison's variants, a goal's baseline)
        graph._cache[key] = _seeded_theory(graph, T, seeds, half_life)
    return copy.deepcopy(graph._cache[key])


def _seeded_theory(graph: CSRGraph, T: float, seeds: Seeding, half_life: float | None) -> dict:
    """:func:`seeded_theory`, computed."""
    from smmsim.theory.structure import measure_structure

    base = percolation(graph, T)
    sc = seeded_cascades(graph, T, seeds)
    out = {
        **base.as_dict(),
        "p_large": sc.p_large,
        "p_large_one_seed": sc.p_large_one_seed,
        "large_size": sc.large_size,
        "expected_small": sc.mean_small if np.isfinite(sc.mean_small) else None,
        **{f"seeding_{k}": v for k, v in seeds.as_dict(graph).items()},
        "seeding_text": seeds.describe(graph),
        "decay": half_life is not None,
        **measure_structure(graph).as_dict(),
        "hubs": hub_share(graph),
    }
    if half_life is not None:
        # T falls by half every half_life steps; past ~60 half-lives it is below 1e-18
        steps = np.arange(int(min(60 * float(half_life), 100_000)) + 1)
        expected, below = decaying_cascades(graph, T * 0.5 ** (steps / half_life), seeds)
        out.update(
            half_life=float(half_life),
            p_large=0.0,
            p_large_one_seed=0.0,
            p_large_without_decay=sc.p_large,
            large_size=0.0,
            expected_small=None,
            expected_sharers=expected,
            expected_text="edge-based compartmental model with T falling each step",
            below_threshold_step=below,
        )
    return out


def hub_share(graph: CSRGraph, top: float = 0.01) -> float:
    """Share of the excess-degree mass ``sum k (k - 1)`` carried by the ``top`` fraction
    of best-connected users: near 1, the mean excess degree rests on a few hubs that a
    cascade can reach only once."""
    key = ("hub_share", float(top))
    if key not in graph._cache:
        k = graph.out_degree().astype(np.float64)
        mass = k * (k - 1.0)
        total = float(mass.sum())
        m = min(max(1, int(np.ceil(top * graph.n))), graph.n)
        if total <= 0 or graph.n == 0:
            graph._cache[key] = 0.0
        else:
            heaviest = np.partition(mass, graph.n - m)[graph.n - m :]
            graph._cache[key] = float(heaviest.sum() / total)
    return graph._cache[key]
