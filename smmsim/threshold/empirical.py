"""The virality threshold found by simulation: :func:`empirical_threshold`."""

from __future__ import annotations

import time
from typing import Unpack

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.rng import scenario_seed
from smmsim.run_options import RunOptions, check_options
from smmsim.scenario import Scenario
from smmsim.threshold._inputs import (
    ThresholdError,
    _check_bounds,
    _content,
    _label,
    _other_factor,
    _resolve,
)
from smmsim.threshold._search import _critical_t
from smmsim.threshold.result import EmpiricalThreshold
from smmsim.threshold.seeds import _seed_count

#: Simulations per seed count of the search for ``seeding.k`` unless ``runs`` says.
SEED_COUNT_RUNS = 200
#: The run options :func:`empirical_threshold` takes (no progress bar).
_TAKES = ("runs", "rng", "graph", "threads")


def empirical_threshold(
    audience: Scenario | CSRGraph,
    param: str = "content.stickiness",
    *,
    scenario: Scenario | None = None,
    bounds: tuple[float, float] | None = None,
    precision: float = 0.02,
    max_runs: int = 1_000_000,
    max_seconds: float = 30.0,
    target: float = 0.5,
    **options: Unpack[RunOptions],
) -> EmpiricalThreshold:
    """Find the virality threshold of one parameter by simulation.

    Parameters
    ----------
    audience, param, scenario
        What to search and where, as in :func:`analytic_threshold`.
    bounds : (float, float), optional
        Range of ``param`` that must contain the threshold (a :class:`ThresholdError`
        otherwise). For ``seeding.k``: the seed counts to search.
    precision : float
        Stop adding runs once the 95% interval is within this relative half-width.
    max_runs, max_seconds : int, float
        Budget of the search (the interval is reported as it stands when spent).
    target : float
        For ``seeding.k``: the probability of a viral cascade to reach.

    Other Parameters
    ----------------
    **options : RunOptions
        rng, graph, threads, as in :func:`smmsim.simulate` (``graph`` with a Scenario
        ``audience``, as in :func:`analytic_threshold`), and ``runs``, here for
        ``seeding.k`` the simulations per seed count (default :data:`SEED_COUNT_RUNS`).

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
    check_options("empirical_threshold", options, _TAKES)
    runs, threads = options.get("runs"), options.get("threads")
    runs = SEED_COUNT_RUNS if runs is None else runs
    sc, g, param = _resolve(audience, scenario, options.get("graph"), param)
    seed = scenario_seed(sc, options.get("rng"))
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
