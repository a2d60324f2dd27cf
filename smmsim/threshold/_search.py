"""The search for the simulated critical transmissibility (see
:func:`~smmsim.threshold.empirical_threshold`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smmsim.graph import CSRGraph
from smmsim.rng import root_key
from smmsim.theory.bond_percolation import percolation
from smmsim.threshold._cascades import _large_cutoff, _model, _one_seed_cascades
from smmsim.threshold._fitting import _fit
from smmsim.threshold._inputs import _SEARCH_STREAM


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
