"""Trace one run again, user by user: who saw it when, who referred whom, who bought.

A simulation keeps per-run totals; the node-level record of one run comes from running
that replicate again with the same random streams (:func:`trace_replicate`). The
classroom animation and the referral-tree picture draw that record
(:func:`one_cascade`, :func:`results_cascade`); the pictures themselves
(:mod:`smmsim.plots`) take a :class:`Cascade` and never simulate.

Examples
--------
>>> import smmsim
>>> from smmsim.trace import one_cascade
>>> sc = smmsim.load_scenario("scenarios/classroom.yaml")   # doctest: +SKIP
>>> one_cascade(sc, run=3).reach                            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from smmsim.audience import build_audience, run_inputs
from smmsim.graph import CSRGraph
from smmsim.models import model_of
from smmsim.rng import RandomLike, root_key
from smmsim.scenario import Scenario, check_seed_nodes
from smmsim.seeding import seed_sets

if TYPE_CHECKING:
    from smmsim.models import Model
    from smmsim.results import Results

__all__ = [
    "Cascade",
    "Traced",
    "one_cascade",
    "results_cascade",
    "trace_replicate",
    "trace_table",
    "typical_run",
]


class Traced(NamedTuple):
    """One replicate run again: what :func:`trace_replicate` returns."""

    graph: CSRGraph
    """The audience."""
    model: Model
    """The model built from the scenario."""
    seeds: np.ndarray
    """Seed users of this replicate."""
    trace: dict[str, Any]
    """The model's ``trace`` output (node-level record; see :func:`trace_table`)."""


@dataclass(frozen=True)
class Cascade:
    """One simulated run, node by node.

    Attributes
    ----------
    graph : CSRGraph
        The audience.
    nodes : pandas.DataFrame
        One row per user reached or seeded (see :func:`trace_table`).
    name : str
        Scenario name.
    run : int
        Monte Carlo run (replicate) index: the same run as row ``run`` of
        ``smmsim.simulate(scenario, rng=rng_seed).runs``.
    rng_seed : int
        Root seed of the random streams.
    steps : int
        Horizon of the simulation (steps).
    chosen : str
        Why this run was traced when none was asked for ("a typical viral run: median
        reach", ...); empty when the run was given.
    """

    graph: CSRGraph
    nodes: pd.DataFrame
    name: str
    run: int
    rng_seed: int
    steps: int
    chosen: str = ""

    @property
    def reach(self) -> int:
        """Users other than the seeds who saw the content."""
        return int((~self.nodes["seed"]).sum())

    @property
    def conversions(self) -> int:
        """Users who bought."""
        return int(self.nodes["converted"].sum())

    @property
    def last_step(self) -> int:
        """Last step at which anything happened (a first exposure or a share)."""
        nd = self.nodes
        shares = nd.loc[nd["shared"], "share_step"]
        return int(max(nd["first_step"].max(), shares.max() if len(shares) else 0))

    def counts(self) -> pd.DataFrame:
        """Cumulative reach, sharers and conversions at the end of each step.

        A conversion is counted at the step its user was first reached (the engagement
        that converts can come at a later exposure, which the record does not keep), so
        the totals are exact and the timing can be early by a few steps.
        """
        nd = self.nodes
        t = np.arange(self.last_step + 1)
        first = nd["first_step"].to_numpy()
        not_seed = ~nd["seed"].to_numpy()
        shared = nd["shared"].to_numpy()
        conv = nd["converted"].to_numpy()
        share_step = nd["share_step"].to_numpy()
        return pd.DataFrame(
            {
                "step": t,
                "reach": [int((not_seed & (first <= s)).sum()) for s in t],
                "sharers": [int((shared & (share_step <= s)).sum()) for s in t],
                "conversions": [int((conv & (first <= s)).sum()) for s in t],
            }
        )


def trace_table(trace: dict[str, np.ndarray], steps: int) -> pd.DataFrame:
    """Turn a model's ``trace`` output into one tidy row per user reached or seeded.

    Columns: ``node``, ``first_step`` (step of first exposure; 0 for seeds),
    ``referrer`` (the sharer whose post the user saw first; -1 for seeds and for
    users an ad reached), ``generation`` (referral hops from a seed or an ad),
    ``seed``, ``engaged``, ``shared``
    (shared within the horizon), ``share_step`` (step of the share; -1 if none),
    ``referred`` (first reached by a peer), ``converted``.

    A trace may give each sharer's share step (``sharer_step``, aligned with
    ``sharers``). Otherwise a sharer activated at step ``t`` shares at ``t + 1`` and
    seeds share at step 0, so a sharer's share step is its depth in the sharer tree
    (``sharers`` / ``sharer_parent``); sharers still waiting when the horizon ends did
    not share.
    """
    nodes = np.asarray(trace["node"], dtype=np.int64)
    sharers = np.asarray(trace["sharers"], dtype=np.int64)
    parent = np.asarray(trace["sharer_parent"], dtype=np.int64)
    depth = np.zeros(sharers.size, dtype=np.int64)
    has_parent = parent >= 0
    # parents come before their children in activation order, so depths settle after
    # as many passes as there are generations
    for _ in range(sharers.size):
        new = np.where(has_parent, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    if "sharer_step" in trace:
        depth = np.asarray(trace["sharer_step"], dtype=np.int64)
    share_step = np.full(nodes.size, -1, dtype=np.int64)
    pos = {int(v): i for i, v in enumerate(nodes)}
    idx = np.array([pos[int(v)] for v in sharers], dtype=np.int64)
    within = depth < steps
    share_step[idx[within]] = depth[within]

    referrer = np.asarray(trace["referrer"], dtype=np.int64)
    first = np.asarray(trace["first_step"], dtype=np.int64)
    seed = np.asarray(trace["seed"], dtype=bool)
    generation = np.full(nodes.size, -1, dtype=np.int64)
    ref_pos = np.array([pos.get(int(r), -1) for r in referrer], dtype=np.int64)
    # seeds, and users reached without a referrer (an ad of the Bass model), start a tree
    generation[seed | (referrer < 0)] = 0
    # a referrer is reached strictly before the users it refers (or is a seed)
    for _ in range(nodes.size):
        todo = (generation < 0) & (ref_pos >= 0)
        ready = todo & (generation[np.maximum(ref_pos, 0)] >= 0)
        if not ready.any():
            break
        generation[ready] = generation[ref_pos[ready]] + 1
    return pd.DataFrame(
        {
            "node": nodes,
            "first_step": first,
            "referrer": referrer,
            "generation": generation,
            "seed": seed,
            "engaged": np.asarray(trace["engaged"], dtype=bool),
            "shared": share_step >= 0,
            "share_step": share_step,
            "referred": np.asarray(trace["referred"], dtype=bool),
            "converted": np.asarray(trace["converted"], dtype=bool),
        }
    )


def one_cascade(
    scenario: Scenario,
    *,
    run: int | None = None,
    rng: RandomLike = None,
    graph: CSRGraph | None = None,
    candidates: int = 20,
) -> Cascade:
    """Simulate one run of ``scenario`` and keep its node-level record.

    Parameters
    ----------
    scenario : Scenario
    run : int, optional
        Which Monte Carlo run (replicate) to trace; the result matches row ``run`` of
        ``smmsim.simulate(scenario, rng=rng).runs``. Default: the run with the largest
        reach among the first ``candidates`` runs (a cascade worth watching).
    rng, graph
        As for :func:`smmsim.simulate`.
    candidates : int
        Runs to look through when ``run`` is not given.

    Returns
    -------
    Cascade
    """
    from smmsim.simulate import simulate

    graph, seed = run_inputs(scenario, graph, rng)
    chosen = ""
    if run is None:
        runs = simulate(scenario, runs=candidates, rng=seed, graph=graph).runs
        run = int(runs.loc[runs["reach"].idxmax(), "run"])
        chosen = f"the largest of the first {candidates} runs"
    traced = trace_replicate(scenario, run, rng=seed, graph=graph)
    steps = int(scenario.simulation["steps"])
    return Cascade(
        graph=traced.graph,
        nodes=trace_table(traced.trace, steps),
        name=scenario.name,
        run=int(run),
        rng_seed=seed,
        steps=steps,
        chosen=chosen,
    )


def trace_replicate(
    scenario: Scenario,
    replicate: int,
    *,
    rng: RandomLike = None,
    graph: CSRGraph | None = None,
) -> Traced:
    """Run replicate ``replicate`` of ``scenario`` again, keeping its node-level record.

    The audience, the seeds and the model are set up as :func:`smmsim.simulate` sets
    them up, from the same random streams, so the record is that of row ``replicate``
    of ``smmsim.simulate(scenario, rng=rng).runs``.

    Parameters
    ----------
    scenario : Scenario
    replicate : int
        Monte Carlo run index (>= 0).
    rng, graph
        As for :func:`smmsim.simulate`.

    Returns
    -------
    Traced
        ``(graph, model, seeds, trace)``: the audience, the model built from the
        scenario, the seed users of this replicate and the model's ``trace`` output.

    Raises
    ------
    ValueError
        ``replicate`` is negative.
    ScenarioError
        A seed user the scenario names is not in the audience.
    """
    if replicate < 0:
        raise ValueError(f"run must be >= 0, got {replicate}")
    graph, seed = run_inputs(scenario, graph, rng)
    check_seed_nodes(scenario, graph)
    root = root_key(seed)
    sd = scenario.seeding
    model = model_of(scenario)
    if hasattr(model, "seed_sets"):  # a calendar: every post's seeds of this replicate
        seeds = model.seed_sets(graph, root, replicate, 1)[0]
    elif sd["strategy"] == "optimize":  # the choice simulate() made for this seed
        from smmsim.influence import choose_seeds

        seeds = choose_seeds(scenario, rng=seed, graph=graph).nodes
    else:
        seeds = seed_sets(
            graph, sd["strategy"], k=sd["k"], nodes=sd["nodes"], root=root, first=replicate,
            n_reps=1,
        )[0]  # fmt: skip
    trace = model.trace(graph, seeds, int(scenario.simulation["steps"]), root, replicate)
    return Traced(graph, model, seeds, trace)


def typical_run(runs: pd.DataFrame, max_nodes: int) -> tuple[int, str]:
    """The run to draw as a tree, and why: the viral run of median reach, or the largest.

    Runs of more than ``max_nodes`` users are traced only when every run is larger (the
    smallest then).
    """
    size = runs["reach"] + runs["seeds"]
    fits = runs[size <= max_nodes]
    if fits.empty:
        return int(runs.loc[size.idxmin(), "run"]), "the smallest run"
    viral = fits[fits["viral"] == 1] if "viral" in fits else fits.iloc[:0]
    if len(viral):
        gap = (viral["reach"] - viral["reach"].median()).abs()
        return int(viral.loc[gap.idxmin(), "run"]), "a typical viral run: median reach"
    return int(fits.loc[fits["reach"].idxmax(), "run"]), "the largest run; none went viral"


def _same_audience(graph: CSRGraph, results: Results) -> bool:
    return {"name": graph.name, **graph.degree_stats().as_dict()} == results.audience


def results_audience(results: Results) -> CSRGraph | None:
    """The audience of ``results``, rebuilt from its resolved scenario, or ``None`` when
    it cannot be had again (drawn from fresh entropy, an edge list that is not there or
    not the same, whose size and degree moments differ from the ones recorded)."""
    from smmsim.scenario import scenario_from_dict

    try:
        scenario = scenario_from_dict(results.scenario)
        if scenario.audience.get("rng_seed") is None and (
            scenario.simulation["rng_seed"] is None and scenario.audience["generator"] != "edgelist"
        ):
            return None
        graph = build_audience(scenario)
    except (ValueError, KeyError, OSError):
        return None
    return graph if _same_audience(graph, results) else None


def results_cascade(
    results: Results, *, graph: CSRGraph | None = None, max_nodes: int = 50_000
) -> Cascade | None:
    """Trace one run of ``results`` again, or ``None`` when its audience cannot be had.

    The audience (``graph``, or else rebuilt from the resolved scenario) is used only
    if its size and degree moments match the ones recorded in the results (an edge list
    read from another folder, or an audience drawn from fresh entropy, does not match).
    The run traced is :func:`typical_run`'s choice, which the cascade's ``chosen``
    says.
    """
    from smmsim.scenario import scenario_from_dict

    graph = results_audience(results) if graph is None else graph
    if graph is None or not _same_audience(graph, results):
        # the tree is optional: without the audience the other pictures still come
        return None
    try:
        scenario = scenario_from_dict(results.scenario)
    except (ValueError, KeyError, OSError):
        return None
    run, why = typical_run(results.runs, max_nodes)
    cascade = one_cascade(scenario, run=run, rng=results.rng_seed, graph=graph)
    return replace(cascade, chosen=why)
