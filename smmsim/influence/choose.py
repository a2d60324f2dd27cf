"""Choose seeds for a scenario: candidates, method, objective, the choice and its story."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Unpack

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.influence.candidates import Candidates, SeedingError, candidates
from smmsim.influence.heuristics import HEURISTICS, heuristic_seeds
from smmsim.influence.objectives import OBJECTIVES, MonteCarlo
from smmsim.rng import root_key
from smmsim.run_options import RunOptions, check_options
from smmsim.segments import has_multipliers

__all__ = [
    "CHOOSING_RUNS",
    "METHODS",
    "POOL",
    "SeedChoice",
    "choose_seeds",
    "choosing_root",
    "scenario_candidates",
    "seeding_of",
]

#: Every way of choosing seeds: the optimisers, then the simple strategies.
METHODS = ("imm", "opim", "celf", *HEURISTICS)
#: The methods over reverse-reachable sets.
RR_METHODS = ("imm", "opim")
#: Monte Carlo runs that CELF measures each seed set on, unless told otherwise.
CHOOSING_RUNS = 200
#: Most candidates CELF measures on a large audience (the best by followers and by
#: followers per unit price, half each).
POOL = 300
#: The run options :func:`choose_seeds` takes (it shows no progress bar).
_TAKES = ("runs", "rng", "graph", "threads")


@dataclass
class SeedChoice:
    """Seeds chosen for a budget, and how.

    Attributes
    ----------
    nodes : ndarray of int64
        Every seed (committed ones first), as internal ids.
    labels : list
        The seeds' user ids as the audience names them.
    price, followers : ndarray
        Each seed's price and follower count.
    gain : ndarray of float64
        Each chosen seed's marginal gain in the objective, estimated on the choosing
        samples (NaN for committed seeds and for the simple strategies).
    committed : ndarray of bool
        Which seeds were committed in advance.
    method, objective : str
    budget : float or None
        The budget (``None``: a seed count, ``k``).
    spent : float
        What the seeds cost.
    estimate : float or None
        The objective of the choice on the choosing samples (not a fresh estimate).
    guarantee : str
        The approximation guarantee that applies, in words.
    samples : dict
        What the choice was computed from (RR sets, Monte Carlo runs and evaluations).
    seconds : float
    """

    nodes: np.ndarray
    labels: list
    price: np.ndarray
    followers: np.ndarray
    gain: np.ndarray
    committed: np.ndarray
    method: str
    objective: str
    budget: float | None
    spent: float
    estimate: float | None
    guarantee: str
    samples: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "method": self.method,
            "objective": self.objective,
            "budget": self.budget,
            "spent": self.spent,
            "estimate_on_choosing_samples": self.estimate,
            "guarantee": self.guarantee,
            "samples": self.samples,
            "seconds": self.seconds,
            "seeds": [
                {
                    "user": _plain(lab),
                    "price": float(p),
                    "followers": int(f),
                    "marginal_gain": None if np.isnan(g) else float(g),
                    "committed": bool(c),
                }
                for lab, p, f, g, c in zip(
                    self.labels,
                    self.price,
                    self.followers,
                    self.gain,
                    self.committed,
                    strict=True,
                )
            ],
        }


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def choosing_root(seed: int) -> np.uint64:
    """Root key of the samples that choose: never those of the runs that judge."""
    from smmsim._kernels.rng import PURPOSE_CHOOSING

    return root_key(seed, PURPOSE_CHOOSING)


def seeding_of(scenario) -> dict[str, Any]:
    """``scenario``'s seeding section with every optimiser key, defaults filled in (a
    scenario whose strategy is not ``optimize`` leaves out the keys it did not give)."""
    from smmsim.scenario.schema import SECTIONS

    defaults = {key: spec.default for key, spec in SECTIONS["seeding"].items()}
    return {**defaults, **scenario.seeding}


def scenario_candidates(
    scenario, graph: CSRGraph, budget: float | None = None, k: int | None = None
) -> Candidates:
    """The candidates of ``scenario``'s seeding section (``budget``/``k`` override it; a
    ``k`` without a ``budget`` asks for ``k`` seeds whatever the scenario's budget)."""
    from smmsim.economics import Economics

    s = seeding_of(scenario)
    if budget is None and k is None:
        budget = s["budget"]
    return candidates(
        graph,
        Economics.from_scenario(scenario),
        budget=budget,
        k=s["k"] if k is None else k,
        min_followers=s["min_followers"],
        segments=s["segments"],
        exclude=s["exclude"],
        committed=s["committed"],
    )


def _rr_form(scenario) -> tuple[float, float, tuple[float, float] | None] | None:
    """``(visibility, transmissibility, sir)`` when reach has RR sets, else ``None``:
    under the default model without decay (``sir`` is ``None``), and under SIR, whose
    sets are those of its final outbreak (``sir`` is ``(beta, gamma)``; the other two
    are its transmissibility, unused by the sets)."""
    model = scenario.data["model"]
    if model == "sir":
        own = scenario.data["sir"]
        t = own["beta"] / (own["beta"] + own["gamma"])
        return t, t, (float(own["beta"]), float(own["gamma"]))
    if model != "ewom":
        return None
    c = scenario.content
    if c["half_life"] is not None:
        return None
    if has_multipliers(scenario.data.get("segments")):
        return None  # a tie's transmissibility depends on the follower's segment
    return c["visibility"], c["visibility"] * c["stickiness"] * c["contagion"], None


def auto_method(scenario, objective: str) -> str:
    """``imm`` where the objective has RR sets (reach under the default model without
    decay, or SIR), else ``celf``. (``opim`` gives IMM's guarantee from fewer sets and
    proves the ratio it reached: the method for audiences where IMM's sets would not fit
    in memory.)"""
    return "imm" if objective == "reach" and _rr_form(scenario) is not None else "celf"


def _pool(graph: CSRGraph, cand: Candidates, size: int) -> np.ndarray:
    ok = np.flatnonzero(cand.affordable())
    if ok.size <= size:
        return ok
    f = graph.out_degree()[ok].astype(np.float64)
    by_followers = ok[np.argsort(-f, kind="stable")[: size // 2]]
    by_value = ok[np.argsort(-(f + 1) / np.maximum(cand.price[ok], 1e-300), kind="stable")]
    picked = list(dict.fromkeys([*by_followers.tolist(), *by_value.tolist()]))[:size]
    return np.asarray(sorted(picked), dtype=np.int64)


def choose_seeds(
    scenario,
    *,
    budget: float | None = None,
    k: int | None = None,
    objective: str | None = None,
    method: str | None = None,
    epsilon: float | None = None,
    pool: int = POOL,
    **options: Unpack[RunOptions],
) -> SeedChoice:
    """Choose the seeds to pay for ``scenario``'s campaign.

    Parameters
    ----------
    scenario : Scenario
        Prices come from ``economics``; candidates, committed seeds and the defaults of
        the arguments below from ``seeding``.
    budget : float, optional
        Money for seeds, committed ones included (default: ``seeding.budget`` unless ``k``
        is given; with neither, ``seeding.k`` seeds whatever they cost).
    k : int, optional
        Number of seeds, whatever they cost (used when there is no budget).
    objective : {"reach", "earned_reach", "conversions", "profit"}, optional
        Default ``seeding.objective``.
    method : str, optional
        ``auto``, ``imm``, ``celf``, ``degree_discount``, ``pagerank``, ``kcore``,
        ``top_degree`` or ``random``.
        Default ``seeding.method``; ``auto`` is IMM for reach under the default model
        without decay or SIR, CELF otherwise.
    epsilon : float, optional
        IMM's accuracy (default ``seeding.epsilon``).
    pool : int
        Most candidates CELF considers (the best by followers and by followers per
        unit price).

    Other Parameters
    ----------------
    **options : RunOptions
        rng, graph, threads, as in :func:`smmsim.simulate` (the choosing samples use a
        root derived from ``rng``, never the runs' own), and ``runs``, here the Monte Carlo
        runs CELF measures each seed set on (default :data:`CHOOSING_RUNS`).

    Returns
    -------
    SeedChoice

    Raises
    ------
    SeedingError
        Unknown objective or method, no candidates, or a budget below every price.
    """
    from smmsim.audience import run_inputs
    from smmsim.economics import Economics
    from smmsim.models import model_of

    check_options("choose_seeds", options, _TAKES)
    runs = options.get("runs")
    runs = CHOOSING_RUNS if runs is None else runs
    threads = options.get("threads")
    s = seeding_of(scenario)
    objective = s["objective"] if objective is None else objective
    method = s["method"] if method is None else method
    if objective not in OBJECTIVES:
        raise SeedingError(
            f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}"
        )
    if method not in ("auto", *METHODS):
        raise SeedingError(f"unknown method {method!r}; expected one of auto, {', '.join(METHODS)}")
    auto = method == "auto"
    if auto:
        method = auto_method(scenario, objective)
    if method in RR_METHODS and (objective != "reach" or _rr_form(scenario) is None):
        raise SeedingError(
            f"method {method} needs objective reach under model ewom without content.half_life "
            "and without per-segment multipliers, or model sir (reverse-reachable sets exist "
            "only there); use method celf"
        )
    eps = s["epsilon"] if epsilon is None else float(epsilon)
    if not 0 < eps < 1:
        raise SeedingError(f"epsilon must be in (0, 1), got {eps}")
    graph, seed = run_inputs(scenario, options.get("graph"), options.get("rng"))
    cand = scenario_candidates(scenario, graph, budget, k)
    root = choosing_root(seed)
    t0 = time.perf_counter()
    estimate: float | None = None
    gains: np.ndarray
    if method in RR_METHODS:
        from smmsim.influence.imm import IMMTooLarge, RRProblem, imm
        from smmsim.influence.opim import opim
        from smmsim.memory import default_memory_limit

        vis, trans, sir = _rr_form(scenario)  # type: ignore[misc]
        problem = RRProblem(graph, cand, vis, trans, eps, root=root, threads=threads, sir=sir)
        note = None
        got = None
        if method == "imm":
            try:
                got = imm(problem, max_bytes=default_memory_limit() // 2)
            except IMMTooLarge as big:
                size = f"about {big.needed / 2**30:.1f} GiB of RR sets"
                if not auto:
                    raise SeedingError(
                        f"method imm: its RR sets would need {size}, more than the "
                        f"{big.allowed / 2**30:.1f} GiB it may use on this machine; use method "
                        "opim (OPIM-C: the same guarantee from far fewer sets)"
                    ) from None
                note = f"IMM would need {size}, so OPIM-C chose"
                method = "opim"
        if got is None:
            got = opim(problem)
        chosen, gains, estimate = got.nodes, got.gains, got.estimate
        greedy = "cost-effective greedy or best single, (1-1/e)/2" if cand.priced else "1-1/e"
        what = "expected reach" if sir is None else "expected final outbreak, horizon aside,"
        if method == "imm":
            guarantee = (
                f"{got.guarantee:.3f} of the best {what} (seeds included) with "
                f"probability 1 - 1/n^{got.ell:.2f} (IMM, {greedy}, minus epsilon {eps:g})"
            )
        else:
            guarantee = (
                f"{got.guarantee:.3f} of the best {what} (seeds included) with "
                f"probability 1 - 1/n^{got.ell:.2f} (OPIM-C's certified ratio after "
                f"{got.extra['rounds']} rounds; asked for {greedy} minus epsilon {eps:g})"
            )
        samples = {
            "rr_sets": got.n_sets,
            ("rr_sets_sampling_phase" if method == "imm" else "rr_sets_both_collections"): (
                got.n_sets_sampling
            ),
            "rr_bytes": got.nbytes,
            "lower_bound": got.lower_bound,
            "single_fallback": got.single_fallback,
            **({"upper_bound": got.extra["upper_bound"]} if method == "opim" else {}),
            **({"note": note} if note else {}),
        }
    elif method == "celf":
        from smmsim.influence.celf import celf

        model = model_of(scenario)
        mc = MonteCarlo(
            model, graph, Economics.from_scenario(scenario), int(scenario.simulation["steps"]),
            int(runs), root, threads,
        )  # fmt: skip
        candidates_ = _pool(graph, cand, int(pool))
        got = celf(
            lambda nodes: mc.value(nodes, objective), cand, candidates_,
            profit=objective == "profit",
        )  # fmt: skip
        chosen, gains, estimate = got.nodes, got.gains, got.estimate
        guarantee = _celf_guarantee(objective, cand.priced, scenario)
        samples = {
            "runs_per_evaluation": int(runs),
            "evaluations": got.evaluations,
            "candidates_considered": got.pool,
            "candidates_eligible": int(cand.eligible.sum()),
            "single_fallback": got.single_fallback,
        }
    else:
        trans = _transmissibility(scenario)
        chosen = heuristic_seeds(graph, method, cand, p=trans, random_key=int(root))
        gains = np.full(chosen.size, np.nan)
        guarantee = "none (a ranking heuristic)"
        samples = {}
    seconds = time.perf_counter() - t0
    return _choice(graph, cand, Economics.from_scenario(scenario), chosen, gains, method,
                   objective, budget_of(cand), estimate, guarantee, samples, seconds)  # fmt: skip


def budget_of(cand: Candidates) -> float | None:
    """The budget as given, or ``None`` for a seed count."""
    return cand.total_budget if cand.priced else None


def _transmissibility(scenario) -> float:
    c = scenario.content
    return float(c["visibility"] * c["stickiness"] * c["contagion"])


def _celf_guarantee(objective: str, priced: bool, scenario) -> str:
    factor = "(1-1/e)/2 (cost-effective greedy or best single account)" if priced else "1-1/e"
    if objective == "profit":
        return (
            "none as a ratio (profit can be negative); on the choosing runs the choice is "
            "at least as profitable as no campaign and as the best single account"
        )
    if objective == "reach" and _rr_form(scenario) is not None:
        return f"{factor} of the best, up to Monte Carlo error (reach is submodular)"
    return (
        f"{factor} of the best if the objective is submodular, up to Monte Carlo error; "
        f"{objective.replace('_', ' ')} is not proven so under this model (a seed's own "
        "outcome is lost when it is seeded), so this is not a proven bound"
    )


def _choice(graph, cand, money, chosen, gains, method, objective, budget, estimate,
            guarantee, samples, seconds) -> SeedChoice:  # fmt: skip
    chosen = np.asarray(chosen, dtype=np.int64)
    nodes = np.concatenate([cand.committed, chosen]).astype(np.int64)
    followers = graph.out_degree()[nodes].astype(np.int64)
    price = money.prices(graph)[nodes]
    gain = np.concatenate([np.full(cand.committed.size, np.nan), np.asarray(gains, float)])
    return SeedChoice(
        nodes=nodes,
        labels=[graph.label_of(int(u)) for u in nodes],
        price=price,
        followers=followers,
        gain=gain,
        committed=np.arange(nodes.size) < cand.committed.size,
        method=method,
        objective=objective,
        budget=budget,
        spent=float(price.sum()),
        estimate=None if estimate is None else float(estimate),
        guarantee=guarantee,
        samples=samples,
        seconds=seconds,
    )
