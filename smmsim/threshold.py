"""Virality thresholds: how sticky (or contagious, or visible) must content be to go viral?

Two answers, side by side:

* **Analytic** (:func:`analytic_threshold`): percolation theory on the audience's own
  degree sequence. Without novelty decay the sharers of a cascade are a bond-percolation
  cluster with transmissibility ``T = visibility x stickiness x contagion``; large
  cascades become possible when ``T`` exceeds ``T_c = 1 / (mean excess degree)``
  (Newman 2002; the joint in/out-degree form for directed audiences, Newman, Strogatz &
  Watts 2001). With the other two factors fixed, the critical value of one parameter
  is ``T_c`` divided by their product.
* **Empirical** (:func:`empirical_threshold`): simulation on the very same audience,
  which also sees what theory leaves out: clustering (friends of a sharer are friends
  of each other, so many impressions are repeats), segments and degree correlations.

:func:`find_threshold` runs both, adds a scan of the probability of a large cascade and
the mean reach against the parameter (:func:`threshold_scan`), and returns a
:class:`ThresholdResult` whose :meth:`~ThresholdResult.verdict` says in plain words how
far the scenario is from the threshold. :func:`plot_threshold_scan` draws the scan.

References
----------
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with arbitrary degree
distributions and their applications", Phys. Rev. E 64, 026118 (2001).
M. E. J. Newman, "Properties of highly clustered networks", Phys. Rev. E 68, 026121 (2003).
B. Karrer, M. E. J. Newman and L. Zdeborová, "Percolation on sparse networks",
Phys. Rev. Lett. 113, 208702 (2014).
D. Stauffer and A. Aharony, *Introduction to Percolation Theory*, 2nd ed., Taylor &
Francis (1994).
D. Aldous, "Brownian excursions, critical random graphs and the multiplicative
coalescent", Ann. Probab. 25, 812-854 (1997).
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smmsim.graph import CSRGraph
from smmsim.models.base import COUNT_COLUMNS
from smmsim.models.ewom import EWOM
from smmsim.rng import RandomLike, resolve_seed, root_key
from smmsim.scenario import (
    GENERATOR_SCHEMA,
    SCHEMA,
    Scenario,
    ScenarioError,
    default_scenario,
)
from smmsim.seeding import seed_sets
from smmsim.theory import percolation

__all__ = [
    "PARAMS",
    "AnalyticThreshold",
    "EmpiricalThreshold",
    "ThresholdError",
    "ThresholdResult",
    "analytic_threshold",
    "empirical_threshold",
    "find_threshold",
    "plot_threshold_scan",
    "threshold_scan",
]

#: Parameters whose product is the transmissibility ``T``.
CONTENT_PARAMS = ("content.stickiness", "content.contagion", "content.visibility")
#: Every parameter a threshold can be found for.
PARAMS = (*CONTENT_PARAMS, "seeding.k")

_SHARES = COUNT_COLUMNS.index("shares")
_PENDING = COUNT_COLUMNS.index("pending_shares")
_REACH = COUNT_COLUMNS.index("reach")
_SEEDS = COUNT_COLUMNS.index("seeds")

_Z95 = 1.959964
#: Largest ``runs x steps`` of one kernel call (its per-step series is int64 x 5).
_MAX_CELLS = 1_000_000
#: Stream keys that keep the search, the scan and the seed-count runs apart.
_SEARCH_STREAM = 0x5EA6C4
_SCAN_STREAM = 0x5CA9
_SEEDS_STREAM = 0x5EED5


class ThresholdError(ValueError):
    """A threshold request cannot be answered as asked (one line)."""


# --------------------------------------------------------------------------- inputs
def _resolve(audience, scenario: Scenario | None) -> tuple[Scenario, CSRGraph | None]:
    """``(scenario, graph or None)`` from a Scenario or a CSRGraph argument."""
    if isinstance(audience, Scenario):
        return audience, None
    if isinstance(audience, CSRGraph):
        return (default_scenario() if scenario is None else scenario), audience
    raise TypeError(f"audience must be a Scenario or a CSRGraph, got {type(audience).__name__}")


def _check_param(scenario: Scenario, param: str) -> str:
    """Validate ``param``: a known dotted key, and one the threshold is defined for."""
    if not isinstance(param, str):
        raise ScenarioError(scenario.source, None, f"param must be a dotted key, got {param!r}")
    if param == "transmissibility":
        return param
    scenario.get(param)  # unknown keys: ScenarioError listing the valid ones
    if param in PARAMS:
        if param == "seeding.k" and scenario.seeding["strategy"] == "nodes":
            raise ScenarioError(
                scenario.source,
                param,
                "is fixed by seeding.nodes; use seeding.strategy random or top_degree "
                "to scan the number of seeds",
            )
        return param
    section, _, key = param.partition(".")
    spec = None
    if section == "audience":
        spec = GENERATOR_SCHEMA.get(scenario.audience["generator"], {}).get(key)
    if spec is None and isinstance(SCHEMA.get(section), dict):
        spec = SCHEMA[section].get(key)
    elif spec is None:
        spec = SCHEMA.get(section)
    allowed = ", ".join(PARAMS)
    if spec is not None and spec.is_probability:
        problem = (
            "is a probability but does not change how content spreads; "
            f"a virality threshold exists for {allowed}"
        )
    else:
        kind = spec.phrase() if spec is not None else "a section"
        problem = f"is not a probability ({kind}); a virality threshold exists for {allowed}"
    raise ScenarioError(scenario.source, param, problem)


def _content(scenario: Scenario) -> dict[str, float]:
    c = scenario.content
    return {k: float(c[k]) for k in ("visibility", "stickiness", "contagion")}


def _other_factor(content: Mapping[str, float], param: str) -> float:
    """Product of the two factors of ``T`` that ``param`` leaves fixed."""
    if param == "transmissibility":
        return 1.0
    name = param.split(".", 1)[1]
    return math.prod(v for k, v in content.items() if k != name)


def _current(content: Mapping[str, float], param: str, scenario: Scenario) -> float:
    if param == "transmissibility":
        return content["visibility"] * content["stickiness"] * content["contagion"]
    if param == "seeding.k":
        return float(scenario.seeding["k"])
    return content[param.split(".", 1)[1]]


def _label(param: str) -> str:
    return param.split(".")[-1]


# --------------------------------------------------------------------------- theory
def _smallest_fixed_point(f, tol: float = 1e-13, max_iter: int = 200_000) -> float:
    u = 0.0
    for _ in range(max_iter):
        nxt = f(u)
        if abs(nxt - u) < tol:
            return nxt
        u = nxt
    return u


#: Per-audience arrays that are costly to recompute (degree pairs, arc keys).
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _memo(graph: CSRGraph, key: str, make):
    store = _MEMO.setdefault(graph, {})
    if key not in store:
        store[key] = make()
    return store[key]


def _degree_pairs(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (in-degree, out-degree) pairs and their shares of the audience."""

    def make():
        kin = graph.in_degree().astype(np.int64)
        kout = graph.out_degree().astype(np.int64)
        pairs, counts = np.unique(np.stack([kin, kout]), axis=1, return_counts=True)
        return pairs[0].astype(float), pairs[1].astype(float), counts / max(graph.n, 1)

    return _memo(graph, "degree_pairs", make)


def _escape_probabilities(graph: CSRGraph, T: float) -> tuple[float, float]:
    """``(a, b)``: a tie followed forwards (``a``) or backwards (``b``) does not lead to
    a large cascade. ``1 - T + T a`` per tie is the chance a sharer's tie does not start
    one; ``1 - b`` is the chance that a followee is a sharer of the large cascade."""
    j, k, p = _degree_pairs(graph)
    mj, mk = float((p * j).sum()), float((p * k).sum())
    if mj == 0 or T <= 0:
        return 1.0, 1.0
    further = k if graph.directed else k - 1
    a = _smallest_fixed_point(lambda a: float((p * j / mj * (1 - T + T * a) ** further).sum()))
    if not graph.directed:
        return a, a
    b = _smallest_fixed_point(lambda b: float((p * k / mk * (1 - T + T * b) ** j).sum()))
    return a, b


def _large_reach_share(graph: CSRGraph, T: float, visibility: float) -> float:
    """Fraction of the audience that sees a large cascade (tree-like theory).

    A user is reached when one of the accounts they follow is a sharer of the large
    cascade (probability ``1 - b`` each) and that share shows in their feed
    (``visibility``): ``1 - sum_jk p_jk (1 - visibility (1 - b))^j``.
    """
    if T * graph.degree_stats().excess <= 1:
        return 0.0
    _, b = _escape_probabilities(graph, T)
    j, _, p = _degree_pairs(graph)
    return max(0.0, 1.0 - float((p * (1 - visibility * (1 - b)) ** j).sum()))


def _mean_finite(graph: CSRGraph, T: float) -> float:
    """Mean sharers of a cascade that stays small, from one random seed, at any ``T``.

    With ``x = 1 - T + T a`` (``a``: a tie leads to no large cascade), the finite
    clusters have generating functions ``H1(z) = 1 - T + T z G1(H1(z))`` and
    ``H0(z) = z G0(H1(z))``, so their mean size is
    ``1 + T G0'(x) G1(x) / (G0(x) (1 - T G1'(x)))`` (Newman 2002, Sec. IV); below the
    threshold ``x = 1`` and this is ``1 + T <k> / (1 - K)``.
    """
    j, k, p = _degree_pairs(graph)
    mj = float((p * j).sum())
    if mj == 0 or T <= 0:
        return 1.0
    a, _ = _escape_probabilities(graph, T)
    x = 1 - T + T * a
    further = k if graph.directed else k - 1
    g0 = float((p * x**k).sum())
    g0p = float((p * k * x ** np.maximum(k - 1, 0)).sum())
    g1 = float((p * j / mj * x**further).sum())
    g1p = float((p * j / mj * further * x ** np.maximum(further - 1, 0)).sum())
    denom = g0 * (1 - T * g1p)
    return 1.0 + T * g0p * g1 / denom if denom > 0 else math.inf


def _small_reach(graph: CSRGraph, T: float, visibility: float, mean_small: float) -> float:
    """Mean reach of a cascade that stays small (tree-like theory, approximate above the
    threshold): the seed's followers plus each further sharer's further followers,
    each seen with probability ``visibility``."""
    stats = graph.degree_stats()
    if not math.isfinite(mean_small):
        return math.nan
    return visibility * (stats.mean_out + (mean_small - 1.0) * stats.excess)


@dataclass(frozen=True)
class AnalyticThreshold:
    """What percolation theory says about one parameter of one scenario.

    Attributes
    ----------
    param : str
        The dotted parameter (``"content.stickiness"``), or ``"seeding.k"``.
    current : float
        The scenario's value of ``param``.
    critical : float or None
        Critical value of ``param`` with the other factors of ``T`` fixed,
        ``T_c / (product of the other two)``; it may exceed 1, see ``reachable``. For
        ``seeding.k``: the fewest random seeds whose chance of starting a large cascade
        reaches ``target``. ``None`` when no value works (no ties, or for
        ``seeding.k`` content below threshold).
    reachable : bool
        Whether a valid value (a probability <= 1, or a seed count <= n) reaches it.
    critical_transmissibility : float
        ``T_c``.
    transmissibility : float
        The scenario's ``T`` at launch.
    k_factor : float
        Viral coefficient ``K = T / T_c``.
    viral : bool
        ``K > 1``.
    p_large : float
        Probability that one random seed starts a large cascade.
    p_large_seeds : float
        The same for the scenario's seeds (``seeding.k`` random seeds, or the given or
        most-followed users).
    large_share, large_sharers, large_reach : float
        Fraction of the audience that shares in a large cascade, the number of sharers
        and the number of users who see it (expected final reach).
    mean_small : float
        Mean number of sharers (seed included) of a cascade from one random seed that
        stays small: below the threshold every cascade does; ``inf`` at the threshold.
    mean_small_reach : float
        Mean reach of such a cascade (tree-like estimate; approximate above the
        threshold, ``nan`` at it).
    target : float or None
        For ``seeding.k``: the probability of a large cascade asked for.
    """

    param: str
    current: float
    critical: float | None
    reachable: bool
    critical_transmissibility: float
    transmissibility: float
    k_factor: float
    viral: bool
    p_large: float
    p_large_seeds: float
    large_share: float
    large_sharers: float
    large_reach: float
    mean_small: float
    mean_small_reach: float
    target: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready; infinities and NaN become ``None``)."""
        return {k: _plain(v) for k, v in asdict(self).items()}


def _seed_escape(graph: CSRGraph, scenario: Scenario, T: float) -> float:
    """Probability that none of the scenario's seeds starts a large cascade."""
    s = scenario.seeding
    if T * graph.degree_stats().excess <= 1:
        return 1.0
    if s["strategy"] == "random":
        th = percolation(graph, T)
        return (1.0 - th.p_large) ** int(s["k"])
    a, _ = _escape_probabilities(graph, T)
    ids = seed_sets(graph, s["strategy"], k=int(s["k"]), nodes=s["nodes"])[0]
    kout = graph.out_degree()[ids].astype(float)
    return float(np.prod((1 - T + T * a) ** kout))


def analytic_threshold(
    audience: Scenario | CSRGraph,
    param: str = "content.stickiness",
    *,
    scenario: Scenario | None = None,
    graph: CSRGraph | None = None,
    target: float = 0.5,
) -> AnalyticThreshold:
    """Critical value of one parameter from percolation theory on the audience.

    Parameters
    ----------
    audience : Scenario or CSRGraph
        A scenario (its audience is built unless ``graph`` is given) or an audience.
    param : str
        ``"content.stickiness"``, ``"content.contagion"``, ``"content.visibility"``,
        ``"seeding.k"``, or ``"transmissibility"`` (``T`` itself).
    scenario : Scenario, optional
        With a CSRGraph ``audience``: the content and seeding (default: the built-in
        scenario's).
    graph : CSRGraph, optional
        With a Scenario ``audience``: the audience already built from it.
    target : float
        For ``seeding.k``: the probability of a large cascade to reach.

    Returns
    -------
    AnalyticThreshold

    Raises
    ------
    ScenarioError
        ``param`` is not a scenario key, or not one a threshold exists for.

    Notes
    -----
    With generating functions over the audience's own (joint in/out) degree sequence,
    ``T_c = <k>/(<k^2> - <k>)`` for mutual ties and ``<k_in>/<k_in k_out>`` for
    follower arcs (Newman 2002; Newman, Strogatz & Watts 2001). The critical value of
    ``param`` is ``T_c`` over the product of the other two factors of ``T``. For
    ``seeding.k`` the threshold is not moved by the number of seeds: each random seed
    independently starts a large cascade with probability ``p``, so ``k`` seeds do with
    ``1 - (1 - p)^k``, and the critical ``k`` is the fewest seeds for which this
    reaches ``target``.

    Examples
    --------
    >>> from smmsim import generators
    >>> g = generators.erdos_renyi(10_000, 5.0, rng=1)
    >>> th = analytic_threshold(g, "transmissibility")
    >>> round(th.critical * g.degree_stats().mean, 2)   # T_c = 1 / z
    1.0
    """
    sc, g = _resolve(audience, scenario)
    if g is None:
        g = graph
    param = _check_param(sc, param)
    if g is None:
        from smmsim.audience import build_audience

        g = build_audience(sc)
    content = _content(sc)
    T = content["visibility"] * content["stickiness"] * content["contagion"]
    th = percolation(g, T)
    Tc = th.critical
    current = _current(content, param, sc)
    if param == "seeding.k":
        if not 0 < target < 1:
            raise ThresholdError(f"seeding.k: target must be a probability in (0, 1), got {target}")
        p = th.p_large
        critical = None
        if p > 0:
            critical = float(max(1, math.ceil(math.log1p(-target) / math.log1p(-p))))
        reachable = critical is not None and critical <= g.n
    else:
        other = _other_factor(content, param)
        critical = Tc / other if other > 0 and math.isfinite(Tc) else None
        reachable = critical is not None and critical <= 1.0
    vis = content["visibility"]
    small = th.mean_small if not th.viral else _mean_finite(g, T)
    return AnalyticThreshold(
        param=param,
        current=float(current),
        critical=critical,
        reachable=bool(reachable),
        critical_transmissibility=Tc,
        transmissibility=T,
        k_factor=th.k_factor,
        viral=th.viral,
        p_large=th.p_large,
        p_large_seeds=1.0 - _seed_escape(g, sc, T),
        large_share=th.large_share,
        large_sharers=th.large_share * g.n,
        large_reach=_large_reach_share(g, T, vis) * g.n,
        mean_small=small,
        mean_small_reach=_small_reach(g, T, vis, small),
        target=target if param == "seeding.k" else None,
    )


# ---------------------------------------------------------------------- simulation
def _model(visibility: float, stickiness: float, contagion: float) -> EWOM:
    return EWOM(
        visibility=float(visibility),
        stickiness=float(stickiness),
        contagion=float(contagion),
        half_life=None,
        conversion=0.0,
        referral_multiplier=1.0,
    )


def _one_seed_cascades(
    graph: CSRGraph,
    model: EWOM,
    runs: int,
    root: np.uint64,
    *,
    first: int = 0,
    steps: int = 64,
    threads: int | None = None,
    max_steps: int = 1 << 16,
) -> tuple[np.ndarray, np.ndarray]:
    """Final sharers (seed included) and reach of ``runs`` one-seed cascades.

    Runs still spreading after ``steps`` are continued (the same replicate with a
    longer horizon draws the same numbers, so its cascade is extended, not redrawn)
    until they end or reach ``max_steps``.
    """
    sizes = np.empty(runs, dtype=np.int64)
    reach = np.empty(runs, dtype=np.int64)
    batch = max(1, min(runs, _MAX_CELLS // steps))
    unfinished: list[int] = []
    for start in range(0, runs, batch):
        nb = min(batch, runs - start)
        seeds = seed_sets(graph, "random", k=1, root=root, first=first + start, n_reps=nb)
        raw = model.run(graph, seeds, first + start, nb, steps, root, threads)
        c = raw.counts
        sizes[start : start + nb] = c[:, _SHARES] + c[:, _PENDING]
        reach[start : start + nb] = c[:, _REACH]
        unfinished.extend((start + np.flatnonzero(c[:, _PENDING] > 0)).tolist())
    for i in unfinished:
        horizon = steps
        while horizon < max_steps:
            horizon = min(max_steps, horizon * 8)
            seeds = seed_sets(graph, "random", k=1, root=root, first=first + i, n_reps=1)
            c = model.run(graph, seeds, first + i, 1, horizon, root, 1).counts[0]
            sizes[i] = c[_SHARES] + c[_PENDING]
            reach[i] = c[_REACH]
            if c[_PENDING] == 0:
                break
    return sizes, reach


def _large_cutoff(graph: CSRGraph) -> float:
    """Sharers that make a cascade "large": ``n^(2/3)``, the size of the largest
    clusters at the percolation threshold of a random graph (Aldous 1997). Bigger
    cascades need ``K > 1``; smaller ones occur on both sides of the threshold. (On
    heavy-tailed audiences large cascades just above the threshold can be smaller than
    this, so the simulated probability rises later than theory's there.)"""
    return max(graph.n ** (2 / 3), 2.0)


@dataclass(frozen=True)
class EmpiricalThreshold:
    """The threshold found by simulation.

    Attributes
    ----------
    param : str
    value : float or None
        Critical value of ``param`` (it may exceed 1: the parameter alone cannot reach
        the threshold). For ``seeding.k``: the fewest seeds whose simulated chance of
        a viral cascade reaches ``target``. ``None`` when not found.
    ci_low, ci_high : float or None
        95% confidence interval of ``value``.
    critical_transmissibility : float or None
        The simulated threshold as a transmissibility ``T`` (not for ``seeding.k``).
    t_ci_low, t_ci_high : float or None
        Its 95% confidence interval.
    method : str
        How it was found (one line).
    model : str
        ``"linear"`` or ``"quadratic"``: the fit that located the threshold.
    runs : int
        Simulated cascades used.
    seconds : float
        Wall time of the search.
    depletion : float or None
        Largest relative drop of ``K`` that the cascades of the points used could
        cause by using up the audience (finite size); the interval's lower end is
        widened by this much. ``None`` for ``seeding.k``.
    points : pandas.DataFrame
        The simulated points: one row per transmissibility (or seed count) with its
        runs, mean cascade size and whether the fit used it.
    """

    param: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    critical_transmissibility: float | None
    t_ci_low: float | None
    t_ci_high: float | None
    method: str
    model: str
    runs: int
    seconds: float
    depletion: float | None
    points: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready) without the points table."""
        return {
            k: _plain(getattr(self, k))
            for k in (
                "value",
                "ci_low",
                "ci_high",
                "critical_transmissibility",
                "t_ci_low",
                "t_ci_high",
                "method",
                "model",
                "runs",
                "seconds",
                "depletion",
            )
        }


def _wls(u: np.ndarray, y: np.ndarray, se: np.ndarray, degree: int):
    """Weighted least squares ``y ~ sum_i c_i u^i``; coefficients, covariance, chi2/dof.

    The covariance is inflated by the reduced chi-square when the points scatter more
    than their standard errors allow (a misfit of the model widens the interval)."""
    X = np.vander(u, degree + 1, increasing=True)
    w = 1.0 / se**2
    XtW = X.T * w
    cov = np.linalg.inv(XtW @ X)
    beta = cov @ (XtW @ y)
    resid = y - X @ beta
    dof = len(y) - degree - 1
    chi2 = float((w * resid**2).sum() / dof) if dof > 0 else 1.0
    return beta, cov * max(1.0, chi2), chi2


def _roots(B: np.ndarray, near: np.ndarray | float) -> np.ndarray:
    """Roots of ``c0 + c1 u (+ c2 u^2)`` for each row of coefficients ``B``, the one
    nearest ``near`` for quadratics (``nan`` where none is real)."""
    B = np.atleast_2d(B)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = -B[:, 0] / B[:, 1]
        if B.shape[1] == 2:
            return linear
        a, b, c = B[:, 2], B[:, 1], B[:, 0]
        sq = np.sqrt(b * b - 4 * a * c)
        r1, r2 = (-b - sq) / (2 * a), (-b + sq) / (2 * a)
        out = np.where(abs(r1 - near) <= abs(r2 - near), r1, r2)
        return np.where(abs(a) > 0, out, linear)


def _root_interval(beta, cov, near: float, rng: np.random.Generator, draws: int = 4000):
    """Point estimate and 95% interval of the root by drawing coefficients from their
    sampling distribution (a parametric bootstrap; the root is a nonlinear function)."""
    est = float(_roots(beta, near)[0])
    sims = rng.multivariate_normal(beta, cov, size=draws, method="svd")
    roots = _roots(sims, est)
    roots = roots[np.isfinite(roots) & (roots > 0)]
    if roots.size < draws / 2:
        return est, math.nan, math.nan
    lo, hi = np.quantile(roots, [0.025, 0.975])
    return est, float(lo), float(hi)


def _depletion_rate(graph: CSRGraph) -> float:
    """Relative drop of the branching factor per user a cascade uses up.

    A user reached along a tie is picked in proportion to their in-degree ``j``, and
    takes their ``j`` times ``f`` continuations (``f``: further followers) out of the
    audience's total, so each one lowers ``K`` by a fraction
    ``E[j^2 f] / (E[j] E[j f] n)`` (about ``1/n`` on Erdős–Rényi audiences, much more
    when hubs carry the cascades).
    """
    j = graph.in_degree().astype(float)
    k = graph.out_degree().astype(float)
    f = k if graph.directed else k - 1
    ej, ejf = float(j.mean()), float((j * f).mean())
    if ej <= 0 or ejf <= 0:
        return 0.0
    return float((j * j * f).mean()) / (ej * ejf * graph.n)


class _Search:
    """Mean one-seed cascade sizes at chosen transmissibilities (see
    :func:`empirical_threshold`)."""

    def __init__(self, graph: CSRGraph, seed: int, threads: int | None, tolerance: float):
        self.graph = graph
        self.seed = seed
        self.threads = threads
        self.rows: dict[float, dict[str, Any]] = {}
        self.cutoff = _large_cutoff(graph)
        self.rate = _depletion_rate(graph)
        self.tolerance = tolerance
        self.runs = 0

    def measure(self, T: float, runs: int) -> dict[str, Any]:
        T = float(min(1.0, T))
        row = self.rows.get(T)
        if row is None:
            row = self.rows[T] = {
                "T": T,
                "key": len(self.rows),
                "runs": 0,
                "s1": 0.0,
                "s2": 0.0,
                "largest": 0,
            }
        more = runs - row["runs"]
        if more > 0:
            root = root_key(self.seed, _SEARCH_STREAM, row["key"])
            sizes, _ = _one_seed_cascades(
                self.graph,
                _model(T, 1.0, 1.0),
                more,
                root,
                first=row["runs"],
                threads=self.threads,
            )
            x = sizes.astype(float)
            row["runs"] += more
            row["s1"] += float(x.sum())
            row["s2"] += float((x * x).sum())
            row["largest"] = max(row["largest"], int(sizes.max()))
            self.runs += more
        n = row["runs"]
        mean = row["s1"] / n
        var = max(row["s2"] / n - mean * mean, 0.0) * n / max(n - 1, 1)
        row["mean"] = mean
        row["se"] = math.sqrt(var / n)
        # the cascades that make up the mean (size-biased: E[s^2]/E[s]) would lower K by
        # this fraction through using up the audience: the bias of this point
        row["depletion"] = self.rate * row["s2"] / max(row["s1"], 1.0)
        return row

    def ok(self, row: dict[str, Any], depletion: bool = True) -> bool:
        """No large cascade, some spread, and (if asked) little depletion."""
        return bool(
            row["largest"] < self.cutoff
            and row["mean"] - 1.0 > 1e-9
            and row["se"] > 0
            and (not depletion or row["depletion"] <= self.tolerance)
        )

    def usable(self, depletion: bool = True) -> list[dict[str, Any]]:
        rows = (r for r in self.rows.values() if self.ok(r, depletion))
        return sorted(rows, key=lambda r: r["T"])

    def table(self) -> pd.DataFrame:
        rows = sorted(self.rows.values(), key=lambda r: r["T"])
        return pd.DataFrame(
            {
                "transmissibility": [r["T"] for r in rows],
                "runs": [r["runs"] for r in rows],
                "mean_sharers": [r["mean"] for r in rows],
                "mean_sharers_se": [r["se"] for r in rows],
                "largest": [r["largest"] for r in rows],
                "depletion": [r["depletion"] for r in rows],
                "used_in_fit": [bool(r.get("used", False)) for r in rows],
            }
        )


def _window(graph: CSRGraph, Tc: float) -> float:
    """Relative width of the finite-size window around the threshold ``Tc``.

    Exploring a cascade uses up the users it reaches; the drift this adds to the
    branching process competes with ``K - 1`` once ``|K - 1|`` is about
    ``(Tc^2 E[k_in f (f - 1)] / E[k_in] / n)^(1/3)`` (``f``: further followers;
    ``n^(-1/3)`` on Erdős–Rényi audiences, wider on heavy-tailed ones).
    """
    kin = graph.in_degree().astype(float)
    kout = graph.out_degree().astype(float)
    further = kout if graph.directed else kout - 1
    third = float((kin * further * (further - 1)).mean())
    mean_in = float(kin.mean())
    if mean_in <= 0 or graph.n == 0:
        return 0.1
    eps = (Tc * Tc * max(third, 0.0) / mean_in / graph.n) ** (1 / 3)
    return float(min(max(eps, graph.n ** (-1 / 3)), 0.1))


def _fit_points(rows: list[dict[str, Any]]):
    u = np.array([1.0 / r["T"] for r in rows])
    m = np.array([r["mean"] for r in rows])
    se_m = np.array([r["se"] for r in rows])
    y = 1.0 / (m - 1.0)
    se_y = se_m / (m - 1.0) ** 2
    return u, y, se_y


def _fit(rows, rng, allow_quadratic: bool = True):
    """Fit ``1/(mean - 1)`` against ``1/T``; return (T_c, T_low, T_high, model, chi2)."""
    u, y, se = _fit_points(rows)
    beta, cov, chi2 = _wls(u, y, se, 1)
    model = "linear"
    if allow_quadratic and len(rows) >= 4:
        b2, c2, chi2_2 = _wls(u, y, se, 2)
        # keep the curvature only when the data demand it (> 3 standard errors)
        if abs(b2[2]) > 3 * math.sqrt(c2[2, 2]):
            beta, cov, chi2, model = b2, c2, chi2_2, "quadratic"
    near = -beta[0] / beta[1] if beta[1] > 0 else float(u.min())
    est, lo, hi = _root_interval(beta, cov, near, rng)
    if not (np.isfinite(est) and est > 0):
        return math.nan, math.nan, math.nan, model, chi2
    # the root is in u = 1/T: a high u is a low T
    T_hi = 1.0 / lo if np.isfinite(lo) and lo > 0 else math.inf
    T_lo = 1.0 / hi if np.isfinite(hi) and hi > 0 else math.nan
    return 1.0 / est, T_lo, T_hi, model, chi2


def _critical_t(
    graph: CSRGraph,
    *,
    precision: float,
    max_runs: int,
    max_seconds: float,
    seed: int,
    threads: int | None,
    start_runs: int = 2000,
) -> _Found:
    """The simulated critical transmissibility with its 95% interval."""
    rng = np.random.default_rng([seed, _SEARCH_STREAM])
    search = _Search(graph, seed, threads, tolerance=precision / 4)
    t0 = time.perf_counter()
    Tc = percolation(graph, 0.0).critical
    guess = Tc if math.isfinite(Tc) and Tc < 1 else 0.5

    # 1. pilot: points well below the guess, moved down while cascades are large
    for _ in range(12):
        for f in (0.3, 0.55, 0.75):
            search.measure(f * guess, start_runs // 2)
        if len(search.usable(depletion=False)) >= 2:
            break
        if all(r["mean"] - 1.0 <= 1e-9 for r in search.rows.values()):
            if guess >= 1.0:
                break
            guess = min(1.0, guess * 3)  # nothing spreads at all: look higher
        else:
            guess *= 0.4
    usable = search.usable(depletion=False)
    if len(usable) < 2:
        return _Found(math.nan, math.nan, math.nan, "none", search.runs, math.nan, search)
    est = _fit(usable, rng, allow_quadratic=False)[0]
    est = est if np.isfinite(est) and est > 0 else 2 * usable[-1]["T"]
    est = min(est, 1.0)
    eps = _window(graph, est)

    def place(est: float, spread: float) -> list[float]:
        """Six transmissibilities from the edge of the finite-size window downwards."""
        rel = 1.0 - spread * eps * np.array([2.0, 3.0, 5.0, 8.0, 12.0, 18.0])
        rel = np.unique(np.clip(rel, 0.25, None))
        if rel.size < 3:
            rel = np.array([0.25, 0.35, 0.5])
        return sorted({float(min(1.0, est * f)) for f in rel})

    # 2. design: points from the finite-size window downwards, placed again while the
    #    fit moves the estimate. Points whose cascades would deplete the audience by
    #    more than the tolerance are left out; if fewer than three remain, the design
    #    moves down, and on audiences too small for their hubs the tolerance is
    #    relaxed (and reported). Then more runs until the interval is as narrow as
    #    asked or the budget is spent.
    spread = 1.0
    design = place(est, spread)
    runs = start_runs
    model = "linear"
    Tlo = Thi = math.nan
    fit_rows: list[dict[str, Any]] = []
    moves = 0
    for _round in range(40):
        rows = [search.measure(T, runs) for T in design]
        fit_rows = [r for r in rows if search.ok(r)]
        if len(fit_rows) < 3:
            if spread < 8:
                spread *= 2  # too close to the threshold: move the design down
                design = place(est, spread)
                continue
            if search.tolerance < 0.2:
                search.tolerance *= 2
                continue
        if len(fit_rows) < 2:
            break
        new, Tlo, Thi, model, _ = _fit(fit_rows, rng)
        if not np.isfinite(new):
            break
        moved = abs(new / est - 1.0)
        est = new
        if moves < 6 and moved > max(2 * precision, 0.03):
            moves += 1
            design = place(est, spread)
            continue
        half = max(Thi - est, est - Tlo) / est if np.isfinite(Thi + Tlo) else math.inf
        if half <= precision:
            break
        if time.perf_counter() - t0 >= max_seconds:
            break
        more = min(runs, (max_runs - search.runs) // len(design))
        if more <= 0:
            break
        runs += more
    for r in search.rows.values():
        r["used"] = any(r is f for f in fit_rows)
    if np.isfinite(est) and np.isfinite(Tlo):
        # depletion makes cascades smaller and the threshold look higher: the true
        # one may lie lower by up to the tolerance
        Tlo -= search.tolerance * est
    if not est <= 1.0:  # the line meets zero beyond T = 1: no threshold to reach
        est = Tlo = Thi = math.nan
    return _Found(est, Tlo, Thi, model, search.runs, search.tolerance, search)


@dataclass
class _Found:
    T: float
    low: float
    high: float
    model: str
    runs: int
    tolerance: float
    search: _Search


def empirical_threshold(
    audience: Scenario | CSRGraph,
    param: str = "content.stickiness",
    *,
    scenario: Scenario | None = None,
    graph: CSRGraph | None = None,
    bounds: tuple[float, float] | None = None,
    precision: float = 0.02,
    max_runs: int = 1_000_000,
    max_seconds: float = 30.0,
    target: float = 0.5,
    runs: int = 200,
    rng: RandomLike = None,
    threads: int | None = None,
) -> EmpiricalThreshold:
    """Find the virality threshold of one parameter by simulation.

    Parameters
    ----------
    audience : Scenario or CSRGraph
        A scenario (its audience is built unless ``graph`` is given) or an audience.
    param : str
        ``"content.stickiness"``, ``"content.contagion"``, ``"content.visibility"``,
        ``"seeding.k"`` or ``"transmissibility"``.
    scenario : Scenario, optional
        With a CSRGraph ``audience``: the content and seeding (default: built-in).
    graph : CSRGraph, optional
        With a Scenario ``audience``: its audience, already built.
    bounds : (float, float), optional
        Range of ``param`` that must contain the threshold (a :class:`ThresholdError`
        otherwise). For ``seeding.k``: the seed counts to search.
    precision : float
        Stop adding runs once the 95% interval is within this relative half-width.
    max_runs, max_seconds : int, float
        Budget of the search (the interval is reported as it stands when spent).
    target : float
        For ``seeding.k``: the probability of a viral cascade to reach.
    runs : int
        For ``seeding.k``: simulations per seed count.
    rng : int, SeedSequence, Generator or None
        Random state (default: the scenario's ``simulation.rng_seed``).
    threads : int, optional
        Worker threads (results do not depend on it).

    Returns
    -------
    EmpiricalThreshold

    Raises
    ------
    ScenarioError
        Unknown or unsupported ``param``.
    ThresholdError
        ``bounds`` are not valid values of ``param`` or do not bracket the threshold.

    Notes
    -----
    The search simulates cascades from one random seed without novelty decay, whose
    sharers are the seed's bond-percolation cluster at transmissibility ``T``; the
    threshold is found as a ``T`` and divided by the other two factors.

    *Estimator.* The probability of a large cascade becomes positive exactly where the
    mean size of the cascades that stay small diverges (Stauffer & Aharony 1994, ch. 2;
    Newman 2002 derives ``T_c`` this way). Below the threshold every cascade is small,
    so the mean size ``s(T)`` of one-seed cascades is measured there, where runs are
    cheap and not blurred by finite-size effects, and ``1/(s - 1)`` is extrapolated to
    zero against ``1/T``. On configuration-model audiences this is exact and linear:
    ``1/(s - 1) = (1/T - 1/T_c) / <k>`` (from Newman's ``s = 1 + T<k>/(1 - T/T_c)``),
    so a straight line removes the model bias that a line through ``P_large(T)`` above
    the threshold would have (that curve bends, strongly on heavy-tailed audiences).
    On clustered audiences the curve bends near the threshold; a quadratic term is
    kept when the points demand it at more than three standard errors.

    *Finite size.* Near the threshold a finite audience blurs everything: the window
    is about ``n^(-1/3)`` wide on Erdős–Rényi audiences (Aldous 1997) and wider on
    heavy-tailed ones. Points are placed from the edge of that window downwards and
    used only if (a) no cascade reached ``n^(2/3)`` sharers, the size of the largest
    clusters at the threshold, and (b) the cascades that make up the mean (weighted
    by size, ``E[s^2]/E[s]``) would lower ``K`` by less than ``precision / 4`` through
    using up the audience (each user reached along a tie removes a share
    ``E[j^2 f]/(E[j] E[j f] n)`` of the continuations; ``j`` in-degree, ``f`` further
    followers). Hub-heavy audiences therefore get points further from the threshold;
    where even those deplete the audience (small audiences with big hubs) the
    tolerance is doubled as needed and reported as ``depletion``.

    *Budget and interval.* A pilot at three transmissibilities well below the
    theoretical threshold gives a first line; six points are then placed below its
    root (again if the estimate moves), and their runs are doubled until the 95%
    interval of the root is within ``precision`` or the budget (``max_runs``,
    ``max_seconds``) is spent. Each point's standard error comes from the sample
    variance of its runs (independent random streams per point); the fit is weighted
    by them, its covariance inflated by the reduced chi-square if the points scatter
    more than that, and the interval of the root is taken from coefficients drawn
    from that covariance (a parametric bootstrap). Depletion can only make the
    threshold look higher, so the lower end is widened by ``depletion``. On a
    100,000-user Erdős–Rényi audience this takes about 15,000 cascades and a fraction
    of a second for an interval of about ±1.6%.

    For ``seeding.k`` the scenario is simulated as it is (its own seeding strategy and
    novelty decay): seed counts are doubled until the share of viral runs (the
    scenario's ``simulation.viral_fraction``) reaches ``target``, then bisected. The
    interval runs from the fewest seeds whose Wilson upper bound reaches ``target`` to
    the fewest whose lower bound does, among the counts simulated.
    """
    sc, g = _resolve(audience, scenario)
    if g is None:
        g = graph
    param = _check_param(sc, param)
    if g is None:
        from smmsim.audience import build_audience

        g = build_audience(sc)
    seed = resolve_seed(sc.simulation["rng_seed"] if rng is None else rng)
    if param == "seeding.k":
        return _seed_count(sc, g, bounds, target, runs, seed, threads)
    content = _content(sc)
    other = _other_factor(content, param)
    lo, hi = _check_bounds(param, bounds)
    t0 = time.perf_counter()
    if other <= 0:
        raise ThresholdError(
            f"{param}: the other factors of T are zero, so no value of it lets content spread"
        )
    found = _critical_t(
        g,
        precision=precision,
        max_runs=max_runs,
        max_seconds=max_seconds,
        seed=seed,
        threads=threads,
    )
    seconds = time.perf_counter() - t0
    points = found.search.table()
    points.insert(1, "value", points["transmissibility"] / other)
    points.insert(0, "param", param)
    Tc, Tlo, Thi = found.T, found.low, found.high
    method = (
        "divergence of the mean one-seed cascade size: 1/(mean sharers - 1) extrapolated "
        f"to zero against 1/T ({found.model} fit, {int(points['used_in_fit'].sum())} points)"
    )

    def val(t: float) -> float | None:
        return t if np.isfinite(t) else None

    ok = np.isfinite(Tc)
    result = EmpiricalThreshold(
        param=param,
        value=Tc / other if ok else None,
        ci_low=val(Tlo / other) if ok else None,
        ci_high=val(Thi / other) if ok else None,
        critical_transmissibility=Tc if ok else None,
        t_ci_low=val(Tlo) if ok else None,
        t_ci_high=val(Thi) if ok else None,
        method=method,
        model=found.model,
        runs=found.runs,
        seconds=seconds,
        depletion=val(found.tolerance),
        points=points,
    )
    if bounds is not None:
        _check_bracket(param, result, lo, hi)
    return result


def _check_bounds(param: str, bounds) -> tuple[float, float]:
    if bounds is None:
        return 0.0, 1.0
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ThresholdError(
            f"{param}: range must be two numbers LOW HIGH, got {bounds!r}"
        ) from None
    if param == "seeding.k":
        if not (1 <= lo < hi and lo == int(lo) and hi == int(hi)):
            raise ThresholdError(
                f"seeding.k: range must be two integers 1 <= LOW < HIGH, got {lo:g} {hi:g}"
            )
        return lo, hi
    if not (0 <= lo < hi <= 1):
        raise ThresholdError(
            f"{param}: range must be two probabilities 0 <= LOW < HIGH <= 1, got {lo:g} {hi:g}"
        )
    return lo, hi


def _check_bracket(param: str, res: EmpiricalThreshold, lo: float, hi: float) -> None:
    name = _label(param)
    if res.value is None:
        raise ThresholdError(
            f"{param}: range [{lo:g}, {hi:g}] does not bracket the virality threshold: "
            "no value of the parameter lets large cascades start on this audience"
        )
    high_end = res.ci_high if res.ci_high is not None else res.value
    low_end = res.ci_low if res.ci_low is not None else res.value
    if high_end < lo:
        raise ThresholdError(
            f"{param}: range [{lo:g}, {hi:g}] does not bracket the virality threshold: "
            f"large cascades already start at {name} {lo:g} (threshold about "
            f"{res.value:.3g}); lower LOW"
        )
    if low_end > hi:
        raise ThresholdError(
            f"{param}: range [{lo:g}, {hi:g}] does not bracket the virality threshold: "
            f"no large cascades up to {name} {hi:g} (threshold about {res.value:.3g}); "
            "raise HIGH"
        )


# ------------------------------------------------------------------- seed counts
def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    z = _Z95
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _simulate_seeds(sc: Scenario, g: CSRGraph, k: int, runs: int, seed: int, threads):
    from smmsim.simulate import simulate

    res = simulate(
        sc.with_overrides({"seeding.k": int(k)}),
        runs=runs,
        rng=int(root_key(seed, _SEEDS_STREAM, k)) % (2**63),
        graph=g,
        threads=threads,
    )
    r = res.runs
    hits = int(r["viral"].sum())
    lo, hi = _wilson(hits, runs)
    return {
        "param": "seeding.k",
        "value": float(k),
        "runs": runs,
        "p_large": hits / runs,
        "p_large_low": lo,
        "p_large_high": hi,
        "mean_sharers": float(r["shares"].mean()),
        "mean_reach": float(r["reach"].mean()),
        "mean_reach_se": float(r["reach"].std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0,
    }


def _seed_count(sc, g, bounds, target, runs, seed, threads) -> EmpiricalThreshold:
    if not 0 < target < 1:
        raise ThresholdError(f"seeding.k: target must be a probability in (0, 1), got {target}")
    lo, hi = _check_bounds("seeding.k", bounds) if bounds is not None else (1.0, min(g.n, 1024))
    lo, hi = int(lo), int(min(hi, g.n))
    t0 = time.perf_counter()
    rows: dict[int, dict[str, Any]] = {}

    def at(k: int) -> dict[str, Any]:
        if k not in rows:
            rows[k] = _simulate_seeds(sc, g, k, runs, seed, threads)
        return rows[k]

    k = lo
    found = None
    while True:
        if at(k)["p_large"] >= target:
            found = k
            break
        if k >= hi:
            break
        k = min(hi, k * 2)
    if found is not None:
        below = max((j for j in rows if rows[j]["p_large"] < target), default=None)
        a, b = (below, found) if below is not None else (found, found)
        while b - a > 1:
            mid = (a + b) // 2
            if at(mid)["p_large"] >= target:
                b = mid
            else:
                a = mid
        found = b
    ks = sorted(rows)
    seconds = time.perf_counter() - t0
    points = pd.DataFrame([rows[j] for j in ks])
    points["used_in_fit"] = True
    method = (
        f"share of viral runs (earned sharers >= {sc.simulation['viral_fraction']:g} of the "
        f"audience) at doubling, then bisected, seed counts; {runs} runs each"
    )
    n_runs = runs * len(ks)
    if bounds is not None and rows[ks[0]]["p_large"] >= target and lo > 1:
        raise ThresholdError(
            f"seeding.k: range [{lo}, {hi}] does not bracket the seed count needed: "
            f"{lo} seeds already go viral in {rows[ks[0]]['p_large']:.0%} of runs; lower LOW"
        )
    if found is None:
        if bounds is not None:
            raise ThresholdError(
                f"seeding.k: range [{lo}, {hi}] does not bracket the seed count needed: "
                f"{hi} seeds go viral in only {rows[hi]['p_large']:.0%} of runs; raise HIGH"
            )
        return EmpiricalThreshold(
            "seeding.k",
            None,
            None,
            None,
            None,
            None,
            None,
            method,
            "none",
            n_runs,
            seconds,
            None,
            points,
        )
    upper_ok = [j for j in ks if rows[j]["p_large_high"] >= target]
    lower_ok = [j for j in ks if rows[j]["p_large_low"] >= target]
    ci_low = float(min(upper_ok)) if upper_ok else float(found)
    ci_high = float(min(lower_ok)) if lower_ok else None
    return EmpiricalThreshold(
        param="seeding.k",
        value=float(found),
        ci_low=min(ci_low, float(found)),
        ci_high=ci_high,
        critical_transmissibility=None,
        t_ci_low=None,
        t_ci_high=None,
        method=method,
        model="bisection",
        runs=n_runs,
        seconds=seconds,
        depletion=None,
        points=points,
    )


# -------------------------------------------------------------------------- scan
def threshold_scan(
    audience: Scenario | CSRGraph,
    param: str,
    values: Sequence[float],
    *,
    scenario: Scenario | None = None,
    graph: CSRGraph | None = None,
    runs: int = 200,
    rng: RandomLike = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Probability of a large cascade and mean reach at each value of ``param``.

    Cascades start from one random seed without novelty decay and run to their end,
    with the scenario's other content parameters. A cascade is large when its sharers
    reach ``n^(2/3)`` (or half the theoretical large cascade, if smaller).

    Returns
    -------
    pandas.DataFrame
        One row per value: ``param``, ``value``, ``transmissibility``, ``k_theory``,
        ``runs``, ``cutoff``, ``p_large`` with its 95% Wilson interval
        (``p_large_low``, ``p_large_high``), ``mean_sharers``, ``mean_reach`` and
        ``mean_reach_se``, and theory's ``theory_p_large`` and ``theory_mean_reach``.
    """
    sc, g = _resolve(audience, scenario)
    if g is None:
        g = graph
    param = _check_param(sc, param)
    if param == "seeding.k":
        raise ThresholdError("seeding.k: use empirical_threshold for seed counts")
    if g is None:
        from smmsim.audience import build_audience

        g = build_audience(sc)
    seed = resolve_seed(sc.simulation["rng_seed"] if rng is None else rng)
    content = _content(sc)
    name = param.split(".", 1)[1] if param != "transmissibility" else None
    excess = g.degree_stats().excess
    rows = []
    for i, x in enumerate(values):
        x = float(x)
        c = dict(content)
        if name is None:
            c = {"visibility": x, "stickiness": 1.0, "contagion": 1.0}
        else:
            c[name] = x
        T = c["visibility"] * c["stickiness"] * c["contagion"]
        cutoff = _large_cutoff(g)
        model = _model(c["visibility"], c["stickiness"], c["contagion"])
        sizes, reach = _one_seed_cascades(
            g, model, runs, root_key(seed, _SCAN_STREAM, i), steps=1024, threads=threads
        )
        hits = int((sizes >= cutoff).sum())
        lo, hi = _wilson(hits, runs)
        th = percolation(g, T)
        small = _small_reach(g, T, c["visibility"], _mean_finite(g, T))
        large = _large_reach_share(g, T, c["visibility"]) * g.n
        th_reach = th.p_large * large + (1 - th.p_large) * small
        rows.append(
            {
                "param": param,
                "value": x,
                "transmissibility": T,
                "k_theory": T * excess,
                "runs": runs,
                "cutoff": cutoff,
                "p_large": hits / runs,
                "p_large_low": lo,
                "p_large_high": hi,
                "mean_sharers": float(sizes.mean()),
                "mean_reach": float(reach.mean()),
                "mean_reach_se": float(reach.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0,
                "theory_p_large": th.p_large,
                "theory_mean_reach": th_reach,
            }
        )
    return pd.DataFrame(rows)


def _scan_values(center: float, current: float, lo: float, hi: float, count: int = 11):
    """Values around ``center`` (0.5x to 2x, geometric), within [lo, hi], plus ``current``."""
    if not (np.isfinite(center) and center > 0):
        center = current
    vals = center * np.geomspace(0.5, 2.0, count)
    vals = vals[(vals >= lo) & (vals <= hi) & (vals > 0)]
    if vals.size < 4:
        vals = np.linspace(max(lo, hi / count), hi, count)
    if lo <= current <= hi and current > 0:
        vals = np.append(vals, current)
    return np.unique(np.round(vals, 12))


# ---------------------------------------------------------------- structure notes
def _transitivity(graph: CSRGraph, samples: int, rng: np.random.Generator) -> float:
    """Share of closed wedges (global clustering), estimated from random wedges."""
    deg = graph.out_degree().astype(np.int64)
    w = deg * (deg - 1)
    total = w.sum()
    if total <= 0:
        return 0.0
    centre = rng.choice(graph.n, size=samples, p=w / total)
    d = deg[centre]
    i = rng.integers(0, d)
    j = rng.integers(0, d - 1)
    j = j + (j >= i)
    a = graph.indices[graph.indptr[centre] + i].astype(np.int64)
    b = graph.indices[graph.indptr[centre] + j].astype(np.int64)
    keys = _arc_keys(graph)
    n = np.int64(graph.n)
    hit = _has(keys, a * n + b) | _has(keys, b * n + a)
    return float(hit.mean())


def _arc_keys(graph: CSRGraph) -> np.ndarray:
    """``u * n + v`` for every arc, sorted (rows are sorted in CSR order)."""

    def make():
        src = np.repeat(np.arange(graph.n, dtype=np.int64), np.diff(graph.indptr))
        return src * np.int64(graph.n) + graph.indices

    return _memo(graph, "arc_keys", make)


def _has(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(keys, q)
    pos = np.minimum(pos, keys.size - 1)
    return keys[pos] == q


def _message_passing_threshold(graph: CSRGraph, max_seconds: float = 3.0) -> float | None:
    """``1 / lambda`` with ``lambda`` the leading eigenvalue of the non-backtracking
    matrix (Karrer, Newman & Zdeborová 2014): the threshold of tree-like theory that
    knows who is tied to whom (segments, degree correlations) but not short loops.
    Power iteration on arcs; ``None`` if it has not converged in ``max_seconds``."""
    m = graph.indices.size
    if m == 0:
        return None
    n = np.int64(graph.n)
    keys = _arc_keys(graph)
    dst = graph.indices.astype(np.int64)
    src = keys // n
    rev_key = dst * n + src
    rev = np.minimum(np.searchsorted(keys, rev_key), m - 1)
    has_rev = keys[rev] == rev_key
    starts = graph.indptr[:-1]
    nonempty = np.diff(graph.indptr) > 0
    x = np.ones(m)
    lam = 0.0
    t0 = time.perf_counter()
    for it in range(5000):
        row_sum = np.zeros(graph.n)
        row_sum[nonempty] = np.add.reduceat(x, starts[nonempty])
        # arc u->v continues along v->w for every w != u
        y = row_sum[dst] - np.where(has_rev, x[rev], 0.0)
        y += x  # shift by the identity: no oscillation between +-lambda
        norm = np.linalg.norm(y)
        if norm == 0:
            return None
        new = norm / np.linalg.norm(x) - 1.0
        x = y / norm
        if it > 10 and abs(new - lam) < 1e-6 * max(new, 1e-12):
            return 1.0 / new if new > 0 else None
        lam = new
        if time.perf_counter() - t0 > max_seconds:
            return None
    return None


def _structure(graph: CSRGraph, seed: int) -> dict[str, Any]:
    stats = graph.degree_stats()
    rng = np.random.default_rng([seed, 0x57C])
    clustering = _transitivity(graph, 20_000, rng)
    k1, k2 = stats.mean, stats.second
    random_clustering = (k2 - k1) ** 2 / (graph.n * k1**3) if k1 > 0 else 0.0
    return {
        "clustering": clustering,
        "clustering_random": min(1.0, random_clustering),
        "message_passing_critical_transmissibility": _message_passing_threshold(graph),
    }


# ------------------------------------------------------------------------ result
def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@dataclass(frozen=True)
class ThresholdResult:
    """Analytic and simulated virality threshold of one parameter of one scenario.

    Attributes
    ----------
    param : str
    scenario : str
        The scenario's name.
    audience : dict
        Name, size, ties and degree moments of the audience.
    analytic : AnalyticThreshold
    empirical : EmpiricalThreshold or None
    scan : pandas.DataFrame
        Tidy scan (see :func:`threshold_scan`); empty if not asked for.
    structure : dict
        Clustering (measured, and expected in a random audience with these degrees)
        and the message-passing threshold.
    notes : tuple of str
        Plain-words explanations (why theory is off, what the scan shows).
    """

    param: str
    scenario: str
    audience: dict
    analytic: AnalyticThreshold
    empirical: EmpiricalThreshold | None
    scan: pd.DataFrame
    structure: dict
    notes: tuple[str, ...]

    @property
    def k_factor(self) -> float:
        """Theory's viral coefficient ``K`` of the scenario."""
        return self.analytic.k_factor

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``param``, ``analytic``, ``empirical`` (``value``,
        ``ci_low``, ``ci_high``, ...), ``k_factor``, ``current``, ``theory``, ``scan``."""
        a = self.analytic
        emp = self.empirical.as_dict() if self.empirical is not None else None
        return {
            "param": self.param,
            "scenario": self.scenario,
            "current": _plain(a.current),
            "analytic": _plain(a.critical),
            "analytic_reachable": a.reachable,
            "empirical": emp,
            "k_factor": _plain(a.k_factor),
            "above_threshold": bool(a.viral),
            "theory": a.as_dict(),
            "audience": {k: _plain(v) for k, v in self.audience.items()},
            "structure": {k: _plain(v) for k, v in self.structure.items()},
            "notes": list(self.notes),
            "verdict": self.verdict(),
            "scan": [
                {k: _plain(v) for k, v in row.items()} for row in self.scan.to_dict("records")
            ],
        }

    def verdict(self) -> str:
        """One paragraph in plain words: both thresholds, the interval, the scenario."""
        return _verdict(self)

    def report(self) -> str:
        """The text that ``smmsim threshold`` prints."""
        return _report(self)


def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.3g}"


def _verdict(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    name = _label(r.param)
    if r.param == "seeding.k":
        return _seed_verdict(r)
    side = "above" if a.viral else "below"
    cur = f"this scenario has {a.current:.3g}: {side} threshold, K = {a.k_factor:.2f}"
    if a.critical is None:
        head = "Theory: this audience has no ties to spread along; no content can go viral."
    elif a.reachable:
        head = f"Theory: needs {name} >= {a.critical:.3g}; {cur}."
    else:
        head = f"Theory: cannot go viral by {name} alone (would need {a.critical:.3g} > 1); {cur}."
    if e is None:
        return head
    if e.value is None:
        return head + " Simulation: no large cascades at any transmissibility up to 1."
    ci = f"95% CI {_fmt(e.ci_low)} - {_fmt(e.ci_high)}"
    if e.value <= 1 or r.param == "transmissibility":
        sim_side = "above" if a.current > e.value else "below"
        sim = (
            f"Simulation: needs {name} >= {e.value:.3g} ({ci}); the scenario is {sim_side} "
            "the simulated threshold."
        )
    else:
        sim = f"Simulation: cannot go viral by {name} alone (would need {e.value:.3g}, {ci})."
    if a.critical is not None and math.isfinite(a.critical) and a.critical > 0:
        off = e.value / a.critical - 1
        inside = e.ci_low is not None and e.ci_high is not None
        inside = inside and e.ci_low <= a.critical <= e.ci_high
        agree = "agrees with theory" if inside or abs(off) <= 0.05 else "differs from theory"
        sim += f" It {agree} ({off:+.1%})."
    return f"{head} {sim}"


def _seed_verdict(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    tgt = f"{a.target:.0%}"
    if not a.viral:
        head = (
            f"Theory: the content is below threshold (K = {a.k_factor:.2f}); no number of "
            f"random seeds starts a large cascade, only more small ones. "
            f"This scenario has {int(a.current)} seeds."
        )
    else:
        head = (
            f"Theory: K = {a.k_factor:.2f} (above threshold); each random seed starts a large "
            f"cascade with probability {a.p_large:.1%}, so a {tgt} chance needs "
            f"{_fmt(a.critical)} seeds; this scenario has {int(a.current)} "
            f"({a.p_large_seeds:.1%})."
        )
    if e is None:
        return head
    if e.value is None:
        return head + f" Simulation: no seed count tried reached a {tgt} chance of going viral."
    return (
        f"{head} Simulation (the scenario as it is): {int(e.value)} "
        f"seeds for a {tgt} chance of going viral (95% CI {_fmt(e.ci_low)} - "
        f"{_fmt(e.ci_high)})."
    )


def _report(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    au = r.audience
    lines = [
        f"Virality threshold of {r.param} | scenario {r.scenario}",
        f"Audience: {au['name']}: {au['n']:,} users, {au['n_edges']:,} ties, mean degree "
        f"{au['mean']:.2f}, mean excess degree {au['excess']:.2f}",
        "",
        r.verdict(),
        "",
        f"  critical transmissibility T_c   theory {_fmt(a.critical_transmissibility)}"
        + (
            f"   simulated {_fmt(e.critical_transmissibility)} "
            f"(95% CI {_fmt(e.t_ci_low)} - {_fmt(e.t_ci_high)})"
            if e is not None and e.critical_transmissibility is not None
            else ""
        ),
        f"  this content: T = {a.transmissibility:.4g}, K = {a.k_factor:.3f}",
    ]
    if a.viral:
        lines.append(
            f"  one random seed starts a large cascade with probability {a.p_large:.1%}; "
            f"the scenario's seeds: {a.p_large_seeds:.1%}"
        )
        lines.append(
            f"  a large cascade: {a.large_sharers:,.0f} sharers, final reach "
            f"{a.large_reach:,.0f} users ({a.large_reach / max(au['n'], 1):.1%} of the audience)"
        )
    else:
        lines.append(
            f"  below threshold a cascade from one seed stays small: {a.mean_small:.3g} "
            f"sharers and a reach of {_fmt(a.mean_small_reach)} users on average"
        )
    if e is not None:
        lines.append(f"  search: {e.runs:,} simulated cascades in {e.seconds:.2f} s; {e.method}")
    lines += [f"  {note}" for note in r.notes]
    return "\n".join(lines)


def _notes(r_an: AnalyticThreshold, emp: EmpiricalThreshold | None, structure, param, g) -> list:
    notes = []
    C, C0 = structure.get("clustering"), structure.get("clustering_random")
    mp = structure.get("message_passing_critical_transmissibility")
    Tc = r_an.critical_transmissibility
    Te = emp.critical_transmissibility if emp is not None else None
    if Te is not None and math.isfinite(Tc) and Tc > 0:
        off = Te / Tc - 1
        inside = emp.t_ci_low is not None and emp.t_ci_high is not None
        inside = inside and emp.t_ci_low <= Tc <= emp.t_ci_high
        if inside or abs(off) <= 0.05:
            notes.append(
                f"Theory and simulation agree within {abs(off):.1%}: the audience behaves "
                "like a random network with its degree sequence."
            )
        else:
            why = []
            if C is not None and C > max(0.05, 3 * C0):
                why.append(
                    f"it is clustered (clustering {C:.2f} against {C0:.4f} in a random "
                    "audience with these degrees): friends of a sharer are often friends of "
                    "each other, so many impressions are repeats and each sharer recruits "
                    "fewer new sharers than theory counts, which raises the threshold"
                )
            if mp is not None and abs(mp / Tc - 1) > 0.05:
                why.append(
                    f"who is tied to whom matters (segments or degree correlations): "
                    f"message-passing theory, which knows the actual ties but not short "
                    f"loops, puts T_c at {mp:.3g} ({mp / Tc - 1:+.0%}, "
                    f"{'lower' if mp < Tc else 'higher'} than the degrees alone say)"
                )
            window = _window(g, Tc)
            if window > 0.03:
                why.append(
                    f"the audience is small for its hubs ({g.n:,} users), so the onset of "
                    f"large cascades is blurred over a range of about {window:.0%}"
                )
            text = f"The simulated threshold is {off:+.0%} from the configuration-model value"
            text += ": " + "; ".join(why) + "." if why else "."
            notes.append(text)
    return notes


def find_threshold(
    scenario: Scenario,
    param: str = "content.stickiness",
    *,
    graph: CSRGraph | None = None,
    bounds: tuple[float, float] | None = None,
    empirical: bool = True,
    scan: bool = True,
    scan_runs: int = 200,
    precision: float = 0.02,
    max_runs: int = 1_000_000,
    max_seconds: float = 30.0,
    target: float = 0.5,
    rng: RandomLike = None,
    threads: int | None = None,
) -> ThresholdResult:
    """Analytic and simulated threshold of ``param``, a scan, and a verdict.

    Parameters
    ----------
    scenario : Scenario
    param : str
        ``"content.stickiness"`` (default), ``"content.contagion"``,
        ``"content.visibility"`` or ``"seeding.k"``.
    graph : CSRGraph, optional
        The scenario's audience, already built.
    bounds : (float, float), optional
        Range of ``param`` that must bracket the threshold; also the scan's range.
    empirical, scan : bool
        Whether to simulate the threshold, and the scan of ``p_large`` and reach.
    scan_runs : int
        Cascades per scanned value (and per seed count for ``seeding.k``).
    precision, max_runs, max_seconds, target, rng, threads
        See :func:`empirical_threshold`.

    Returns
    -------
    ThresholdResult

    Examples
    --------
    >>> import smmsim
    >>> from smmsim.threshold import find_threshold
    >>> sc = smmsim.default_scenario().with_overrides({"audience.n": 2000})
    >>> res = find_threshold(sc, "content.stickiness", empirical=False, scan=False)
    >>> res.to_dict()["analytic"] > 0
    True
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    param = _check_param(scenario, param)
    lo, hi = _check_bounds(param, bounds)
    if graph is None:
        from smmsim.audience import build_audience

        graph = build_audience(scenario)
    seed = resolve_seed(scenario.simulation["rng_seed"] if rng is None else rng)
    an = analytic_threshold(scenario, param, graph=graph, target=target)
    emp = None
    if empirical:
        emp = empirical_threshold(
            scenario,
            param,
            graph=graph,
            bounds=bounds,
            precision=precision,
            max_runs=max_runs,
            max_seconds=max_seconds,
            target=target,
            runs=scan_runs,
            rng=seed,
            threads=threads,
        )
    elif bounds is not None and param != "seeding.k" and an.critical is not None:
        if not lo <= an.critical <= hi:
            raise ThresholdError(
                f"{param}: range [{lo:g}, {hi:g}] does not bracket the analytic "
                f"virality threshold {an.critical:.3g}"
            )
    if param == "seeding.k":
        table = emp.points.drop(columns="used_in_fit") if emp is not None else pd.DataFrame()
        if not table.empty:
            p = an.p_large
            table["theory_p_large"] = 1 - (1 - p) ** table["value"]
        structure: dict[str, Any] = {}
        notes: list[str] = []
        if an.viral and scenario.content["half_life"] is not None:
            notes.append(
                "Novelty decay lowers T after launch, so the simulation may need more seeds "
                "than theory, which assumes the launch appeal lasts."
            )
        if scenario.seeding["strategy"] != "random":
            notes.append(
                f"Theory counts random seeds; the simulation seeds as the scenario does "
                f"({scenario.seeding['strategy']})."
            )
        notes.append(
            "Theory treats the audience as a random network with its degree sequence; "
            "clustering and segments change how many seeds a viral start takes (see "
            "the threshold of content.stickiness for how far theory is off here)."
        )
    else:
        structure = _structure(graph, seed)
        notes = _notes(an, emp, structure, param, graph)
        center = an.critical if an.critical is not None else an.current
        if emp is not None and emp.value is not None:
            center = emp.value
        table = pd.DataFrame()
        if scan:
            if bounds is not None:
                values = np.linspace(max(lo, hi / 20), hi, 11)
            else:
                top = math.inf if param == "transmissibility" else 1.0
                values = _scan_values(center, an.current, lo, top)
            table = threshold_scan(
                scenario,
                param,
                values,
                graph=graph,
                runs=scan_runs,
                rng=seed,
                threads=threads,
            )
        if scenario.content["half_life"] is not None:
            notes.append(
                "The threshold is for content without novelty decay (T at launch); this "
                "scenario's decay lowers T over time, so it needs more than this to spread."
            )
    stats = graph.degree_stats()
    audience = {"name": graph.name, **stats.as_dict()}
    return ThresholdResult(
        param=param,
        scenario=scenario.name,
        audience=audience,
        analytic=an,
        empirical=emp,
        scan=table,
        structure=structure,
        notes=tuple(notes),
    )


# -------------------------------------------------------------------------- plot
def plot_threshold_scan(result: ThresholdResult, ax=None):
    """Probability of a large cascade and mean reach against the parameter.

    Points with 95% intervals are simulated (left axis: probability of a large
    cascade from one random seed; right axis: mean reach); dashed lines are theory.
    The analytic threshold is a vertical line, the simulated one a shaded band (its
    95% interval), and the scenario's own value a dotted line.

    Parameters
    ----------
    result : ThresholdResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The left (probability) axes; the reach axes is its twin.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    df = result.scan
    a, e = result.analytic, result.empirical
    name = _label(result.param)
    ax2 = ax.twinx()
    if not df.empty:
        x = df["value"].to_numpy()
        p = df["p_large"].to_numpy()
        yerr = np.vstack([p - df["p_large_low"], df["p_large_high"] - p])
        ax.errorbar(x, p, yerr=yerr, fmt="o", color="C0", capsize=3, label="P(large), simulated")
        ax.plot(x, df["theory_p_large"], "--", color="C0", alpha=0.7, label="P(large), theory")
        r = df["mean_reach"].to_numpy()
        ax2.errorbar(
            x,
            r,
            yerr=_Z95 * df["mean_reach_se"].to_numpy(),
            fmt="s",
            color="C1",
            capsize=3,
            ms=4,
            label="mean reach, simulated",
        )
        if "theory_mean_reach" in df:
            ax2.plot(
                x, df["theory_mean_reach"], "--", color="C1", alpha=0.7, label="mean reach, theory"
            )
    if a.critical is not None and math.isfinite(a.critical) and result.param != "seeding.k":
        ax.axvline(a.critical, color="k", lw=1.5, label=f"analytic threshold {a.critical:.3g}")
    if e is not None and e.value is not None:
        lo = e.ci_low if e.ci_low is not None else e.value
        hi = e.ci_high if e.ci_high is not None else e.value
        ax.axvspan(lo, hi, color="C2", alpha=0.25, lw=0)
        ax.axvline(e.value, color="C2", lw=1.5, label=f"simulated threshold {e.value:.3g}")
    ax.axvline(a.current, color="C3", ls=":", lw=1.5, label=f"this scenario {a.current:.3g}")
    ax.set_xlabel(name if result.param == "seeding.k" else f"{name} (others as in the scenario)")
    ax.set_ylabel(
        "P(viral run)" if result.param == "seeding.k" else "P(large cascade from one seed)"
    )
    ax2.set_ylabel("mean reach (users)")
    top = 0.05
    if not df.empty:
        top = max(top, float(df["p_large_high"].max()), float(df["theory_p_large"].max()))
    ax.set_ylim(0, min(1.0, 1.15 * top))
    ax2.set_ylim(bottom=0)
    ax.set_title(f"Virality threshold of {result.param}: {result.scenario}")
    ax.grid(alpha=0.3)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize="small")
    return ax
