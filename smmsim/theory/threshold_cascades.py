"""Theory for threshold models: the Watts cascade window and Gleeson-Cahalane cascade sizes.

Both are evaluated on the audience's own degree sequence (no assumed distribution), for
locally tree-like audiences such as configuration-model and Erdős-Rényi graphs.

A *rule* says how likely a user who follows ``k`` accounts is to adopt after seeing
shares from ``c`` of them: ``A(k, c) = P(phi <= c / k)`` for the fractional rule of
Watts (2002), ``1[c >= m]`` for the absolute rule of Centola & Macy (2007), and 0 for
``c = 0`` (a user adopts only on seeing a share). With ``visibility`` below 1 each
sharing friend's share is seen independently with that probability, so a friend counts
as "sharing and seen" with probability ``visibility x q``. Thresholds may differ by
audience segment: each degree class then mixes the rules of its users' segments.

* **Cascade window** (Watts 2002). A user is *vulnerable* when one seen share is enough,
  with probability ``rho_k = A(k, 1)``. One seed starts a global cascade when its share
  reaches the giant cluster of vulnerable users: with ``u`` the probability that a tie
  leaving an active user does *not* lead there,
  ``u = sum_k (k p_k / z) [1 - v rho_k + v rho_k u^(k-1)]`` and
  ``P(global) = 1 - sum_k p_k u^k``. Global cascades are possible when
  ``sum_k k (k - 1) p_k v rho_k / z > 1`` (the cascade condition). The size of a global
  cascade is the Gleeson-Cahalane fixed point reached from a vanishing seed fraction.
* **Expected adopters from a seed fraction** (Gleeson & Cahalane 2007). With ``rho0`` of
  the users seeded at random, ``q`` (the probability that a friend, reached along a
  tie, ends up adopting) is the smallest fixed point above ``rho0`` of
  ``q = rho0 + (1 - rho0) sum_k (k p_k / z) sum_c B(k - 1, v q; c) A(k, c)``, and the
  final adopter fraction is ``rho0 + (1 - rho0) sum_k p_k sum_c B(k, v q; c) A(k, c)``.

Directed audiences use the joint (in, out) degree distribution: a user's in-degree is
the number of accounts they follow (the rule's ``k``), and a user reached along an arc
has no tie back to the one who reached them (``j`` rather than ``k - 1`` trials, ``k``
out-arcs onward).

References
----------
D. J. Watts, "A simple model of global cascades on random networks", PNAS 99(9),
5766-5771 (2002).
J. P. Gleeson and D. J. Cahalane, "Seed size strongly affects cascades on random
networks", Phys. Rev. E 75, 056103 (2007).
D. Centola and M. Macy, "Complex contagions and the weakness of long ties", American
Journal of Sociology 113(3), 702-734 (2007).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from smmsim._config import jit
from smmsim._kernels.social import phi_cdf
from smmsim.graph import CSRGraph

__all__ = [
    "CascadeWindow",
    "Rule",
    "cascade_window",
    "expected_adopters",
]

TOL = 1e-12
MAX_ITER = 100_000


@dataclass(frozen=True)
class Rule:
    """A threshold rule: one row per audience segment (a single row for everyone).

    Attributes
    ----------
    kinds, a, b : tuple
        Distribution of each row (codes of :mod:`smmsim._kernels.social`: ``FIXED``,
        ``UNIFORM``, ``NORMAL``, ``BETA``) and its two parameters. With ``absolute``,
        ``a`` is the number of sharing friends needed.
    absolute : bool
        Centola-Macy rule (``c >= m``) instead of Watts' fraction (``c / k >= phi``).
    """

    kinds: tuple[int, ...]
    a: tuple[float, ...]
    b: tuple[float, ...]
    absolute: bool = False

    @classmethod
    def fixed(cls, phi: float) -> Rule:
        """Everyone has threshold ``phi`` (fractional rule)."""
        return cls((0,), (float(phi),), (0.0,))

    @classmethod
    def friends(cls, m: int) -> Rule:
        """Everyone needs ``m`` sharing friends (absolute rule)."""
        return cls((0,), (float(m),), (0.0,), absolute=True)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.asarray(self.kinds, dtype=np.int64),
            np.asarray(self.a, dtype=np.float64),
            np.asarray(self.b, dtype=np.float64),
        )


@dataclass(frozen=True)
class CascadeWindow:
    """What Watts' theory says about a cascade from one random seed.

    Attributes
    ----------
    condition : float
        ``sum_k k (k - 1) p_k v rho_k / z``; global cascades are possible above 1.
    inside : bool
        Inside the cascade window (``condition > 1``).
    vulnerable_share : float
        Fraction of users for whom one seen share is enough.
    p_large : float
        Probability that one random seed starts a global cascade.
    large_share : float
        Fraction of the audience that adopts in a global cascade (seed included).
    u : float
        Probability that a tie out of an active user does not lead to the giant cluster
        of vulnerable users (1 outside the window).
    vulnerable_tie : float
        Probability that a user reached along a tie is vulnerable and sees the share
        (``v rho`` averaged over tie-reached users).
    """

    condition: float
    inside: bool
    vulnerable_share: float
    p_large: float
    large_share: float
    u: float = 1.0
    vulnerable_tie: float = 0.0

    def p_large_from(self, k: int) -> float:
        """Probability that at least one of ``k`` random seeds starts a global cascade."""
        return 1.0 - (1.0 - self.p_large) ** int(k)

    def p_large_for(self, followers: np.ndarray) -> float:
        """Probability that at least one of the given seeds (their follower counts)
        starts a global cascade: ``1 - u^(sum k_i)`` (seeds far apart are independent)."""
        if not self.inside:
            return 0.0
        return max(0.0, 1.0 - float(self.u ** float(np.sum(followers))))

    def as_dict(self) -> dict:
        """Plain dictionary (JSON-ready)."""
        return asdict(self)


# --------------------------------------------------------------------------- degree classes


def _classes(
    graph: CSRGraph, segments: np.ndarray | None, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (in, out) degree classes, their frequencies and segment mixtures.

    Returns ``(j, k, p, mix)``: in-degree, out-degree, fraction of users and, for each
    class, the fraction of its users in each rule row (shape ``(classes, n_rows)``).
    """
    kin = graph.in_degree().astype(np.int64)
    kout = graph.out_degree().astype(np.int64)
    base = int(kout.max(initial=0)) + 1
    key = kin * base + kout
    rows = None
    if segments is not None and n_rows > 1:
        rows = np.asarray(segments, dtype=np.int64)
        key = key * n_rows + rows
    uniq, counts = np.unique(key, return_counts=True)
    if rows is None:
        j, k = uniq // base, uniq % base
        mix = np.ones((uniq.size, 1))
        return j, k, counts / graph.n, mix
    pair = uniq // n_rows
    row = uniq % n_rows
    classes, cls_of = np.unique(pair, return_inverse=True)
    mass = np.zeros(classes.size)
    np.add.at(mass, cls_of, counts)
    mix = np.zeros((classes.size, n_rows))
    np.add.at(mix, (cls_of, row), counts)
    mix /= mass[:, None]
    return classes // base, classes % base, mass / graph.n, mix


# --------------------------------------------------------------------------- numba pieces


@jit
def _adopt(k, c, kinds, pa, pb, mix_row, absolute):
    """``A(k, c)``: chance that a user with ``k`` followed accounts adopts at ``c`` seen."""
    if c <= 0 or k <= 0:
        return 0.0
    total = 0.0
    for r in range(kinds.shape[0]):
        w = mix_row[r]
        if w == 0.0:
            continue
        if absolute:
            p = 1.0 if c >= pa[r] else 0.0
        else:
            p = phi_cdf(kinds[r], pa[r], pb[r], float(c) / float(k))
        total += w * p
    return total


@jit
def _binom_expect(trials, q, k, kinds, pa, pb, mix_row, absolute):
    """``sum_c B(trials, q; c) A(k, c)``, summing outward from the mode until negligible."""
    if trials <= 0 or q <= 0.0:
        return _adopt(k, 0, kinds, pa, pb, mix_row, absolute)
    if q >= 1.0:
        return _adopt(k, trials, kinds, pa, pb, mix_row, absolute)
    mode = math.floor((trials + 1) * q)
    if mode > trials:
        mode = trials
    log_p = (
        math.lgamma(trials + 1.0)
        - math.lgamma(mode + 1.0)
        - math.lgamma(trials - mode + 1.0)
        + mode * math.log(q)
        + (trials - mode) * math.log1p(-q)
    )
    p_mode = math.exp(log_p)
    total = p_mode * _adopt(k, mode, kinds, pa, pb, mix_row, absolute)
    ratio = q / (1.0 - q)
    p = p_mode
    c = mode
    while c < trials:
        p *= (trials - c) / (c + 1.0) * ratio
        c += 1
        total += p * _adopt(k, c, kinds, pa, pb, mix_row, absolute)
        if p < 1e-18:
            break
    p = p_mode
    c = mode
    while c > 0:
        p *= c / (trials - c + 1.0) / ratio
        c -= 1
        total += p * _adopt(k, c, kinds, pa, pb, mix_row, absolute)
        if p < 1e-18:
            break
    return total


@jit
def _sums(q, j, k, p, mix, kinds, pa, pb, absolute, directed):
    """``(tie sum, user sum)`` of the Gleeson-Cahalane map at ``q`` (already times v)."""
    tie = 0.0
    user = 0.0
    weight = 0.0
    for i in range(j.shape[0]):
        # a user reached along a tie: chosen in proportion to its out-degree (the ties
        # that carry its shares onward); undirected, one of its j ties is the way back
        w = p[i] * k[i]
        trials = j[i] if directed else j[i] - 1
        if w > 0.0 and trials >= 0:
            tie += w * _binom_expect(trials, q, j[i], kinds, pa, pb, mix[i], absolute)
        weight += w
        user += p[i] * _binom_expect(j[i], q, j[i], kinds, pa, pb, mix[i], absolute)
    if weight > 0.0:
        tie /= weight
    return tie, user


@jit
def _fixed_point(rho0, q0, v, j, k, p, mix, kinds, pa, pb, absolute, directed):
    """Iterate the Gleeson-Cahalane map from ``q0``; return ``(q, final fraction)``."""
    q = q0
    for _ in range(MAX_ITER):
        tie, _user = _sums(v * q, j, k, p, mix, kinds, pa, pb, absolute, directed)
        nxt = rho0 + (1.0 - rho0) * tie
        if abs(nxt - q) < TOL:
            q = nxt
            break
        q = nxt
    _tie, user = _sums(v * q, j, k, p, mix, kinds, pa, pb, absolute, directed)
    return q, rho0 + (1.0 - rho0) * user


# --------------------------------------------------------------------------- public


def _inputs(graph: CSRGraph, rule: Rule, segments: np.ndarray | None):
    kinds, pa, pb = rule.arrays()
    j, k, p, mix = _classes(graph, segments, kinds.size)
    return kinds, pa, pb, j, k, p, np.ascontiguousarray(mix)


def expected_adopters(
    graph: CSRGraph,
    rho0: float,
    rule: Rule,
    *,
    visibility: float = 1.0,
    segments: np.ndarray | None = None,
) -> float:
    """Expected final fraction of adopters (seeds included) from a random seed fraction.

    Parameters
    ----------
    graph : CSRGraph
        The audience; its own degree sequence is used.
    rho0 : float
        Fraction of users seeded at random, in [0, 1].
    rule : Rule
        Threshold rule (one row, or one row per segment id of ``segments``).
    visibility : float
        Chance that a share shows in a follower's feed.
    segments : ndarray of int, optional
        Rule row of each user (``graph.segments`` with a per-segment rule).

    Returns
    -------
    float

    References
    ----------
    J. P. Gleeson and D. J. Cahalane, Phys. Rev. E 75, 056103 (2007), eqs. (1)-(2).
    """
    if not 0.0 <= rho0 <= 1.0:
        raise ValueError(f"rho0 must be a fraction in [0, 1], got {rho0}")
    kinds, pa, pb, j, k, p, mix = _inputs(graph, rule, segments)
    _q, rho = _fixed_point(
        float(rho0), float(rho0), float(visibility), j, k, p, mix, kinds, pa, pb,
        rule.absolute, graph.directed,
    )  # fmt: skip
    return float(rho)


def cascade_window(
    graph: CSRGraph,
    rule: Rule,
    *,
    visibility: float = 1.0,
    segments: np.ndarray | None = None,
) -> CascadeWindow:
    """Watts' cascade window for one random seed on ``graph``.

    Parameters
    ----------
    graph, rule, visibility, segments
        The audience, the threshold rule, the feed's visibility and each user's rule
        row, as in :func:`expected_adopters`.

    Returns
    -------
    CascadeWindow

    References
    ----------
    D. J. Watts, PNAS 99(9), 5766-5771 (2002), eqs. (3)-(6).
    """
    kinds, pa, pb, j, k, p, mix = _inputs(graph, rule, segments)
    v = float(visibility)
    rho = np.array(
        [_adopt(int(jj), 1, kinds, pa, pb, mix[i], rule.absolute) for i, jj in enumerate(j)]
    )
    excess = k if graph.directed else np.maximum(k - 1, 0)
    # a user reached along a tie is chosen in proportion to its in-degree (ties into it)
    tie_w = p * j
    z = tie_w.sum()
    if z <= 0:
        return CascadeWindow(0.0, False, 0.0, 0.0, 0.0)
    tie_w = tie_w / z
    condition = float((tie_w * v * rho * excess).sum())
    vulnerable = float((p * rho).sum())
    # smallest fixed point of u = sum tie_w (1 - v rho + v rho u^excess), from u = 0
    u = 0.0
    for _ in range(MAX_ITER):
        nxt = float((tie_w * (1.0 - v * rho + v * rho * u**excess)).sum())
        if abs(nxt - u) < TOL:
            u = nxt
            break
        u = nxt
    # the seed shares to its out-neighbours
    p_large = 1.0 - float((p * u**k).sum())
    inside = condition > 1.0
    if not inside:
        p_large = 0.0
        large = 0.0
        u = 1.0
    else:
        _q, large = _fixed_point(
            0.0, 1e-9, v, j, k, p, mix, kinds, pa, pb, rule.absolute, graph.directed
        )
    vulnerable_tie = float((tie_w * v * rho).sum())
    return CascadeWindow(
        condition, inside, vulnerable, max(p_large, 0.0), float(large), u, vulnerable_tie
    )
