"""The choice judged on fresh runs, beside the simple strategies at the same budget, and
the outcome against budget (the efficient frontier)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Unpack

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.influence.choose import CHOOSING_RUNS, SeedChoice, choose_seeds
from smmsim.influence.heuristics import HEURISTICS
from smmsim.influence.objectives import OBJECTIVES, MonteCarlo
from smmsim.rng import root_key
from smmsim.run_options import RunOptions, check_options

__all__ = [
    "SeedReport",
    "StrategyOutcome",
    "frontier",
    "judge",
    "parse_budgets",
    "seed_report",
]

#: The report's outcome columns (the cost is in the JSON: spent plus the fixed cost).
_COLUMNS = ("reach", "earned_reach", "conversions", "profit")
_HEADS = {"reach": "reach+seeds"}
#: The run options :func:`seed_report` and :func:`frontier` take (they show no progress bar).
_TAKES = ("runs", "rng", "graph", "threads")


@dataclass
class StrategyOutcome:
    """One strategy's seeds and their outcome on the fresh runs.

    Attributes
    ----------
    method : str
    choice : SeedChoice
    values : dict of str to (float, float)
        Mean and 95% CI half-width of each objective and of the cost, per campaign.
    """

    method: str
    choice: SeedChoice
    values: dict[str, tuple[float, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "method": self.method,
            "seeds": [c for c in self.choice.to_dict()["seeds"]],
            "spent": self.choice.spent,
            "outcome": {k: {"mean": m, "ci95": h} for k, (m, h) in self.values.items()},
        }


@dataclass
class SeedReport:
    """The choice, re-estimated on fresh runs, beside the simple strategies.

    Attributes
    ----------
    choice : SeedChoice
        The requested method's choice.
    rows : list of StrategyOutcome
        The requested method first, then the simple strategies.
    runs : int
        Fresh Monte Carlo runs each seed set was judged on.
    rng_seed : int
        Seed of those runs (the choosing samples use a root derived from it).
    currency : str
    """

    choice: SeedChoice
    rows: list[StrategyOutcome]
    runs: int
    rng_seed: int
    currency: str
    scenario: str
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "scenario": self.scenario,
            "currency": self.currency,
            "choice": self.choice.to_dict(),
            "fresh_runs": self.runs,
            "rng_seed": self.rng_seed,
            "strategies": [r.to_dict() for r in self.rows],
        }

    def text(self) -> str:
        """The report as plain text."""
        c = self.choice
        cur = self.currency
        head = f"budget {c.budget:,.2f} {cur}" if c.budget is not None else f"{c.nodes.size} seeds"
        lines = [
            f"Seeds for {self.scenario}: {head}, objective {c.objective}, method {c.method}",
            f"Chosen: {c.nodes.size} accounts, {c.spent:,.2f} {cur} spent",
            f"  {'user':>12} {'followers':>10} {'price':>12} {'marginal gain':>14}",
        ]
        for lab, f, p, g, fixed in zip(
            c.labels, c.followers, c.price, c.gain, c.committed, strict=True
        ):
            gain = "committed" if fixed else ("-" if np.isnan(g) else f"{g:,.2f}")
            lines.append(f"  {lab!s:>12} {f:>10,} {p:>12,.2f} {gain:>14}")
        lines.append(f"Guarantee: {c.guarantee}")
        if c.samples:
            said = ", ".join(f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in c.samples.items())
            lines.append(f"Chosen from: {said}; {c.seconds:.2f} s")
        if c.estimate is not None:
            lines.append(
                f"Its own estimate of {c.objective.replace('_', ' ')} (choosing samples): "
                f"{c.estimate:,.2f}"
            )
        lines.append(
            f"Judged on {self.runs:,} fresh Monte Carlo runs (rng seed {self.rng_seed}; "
            "never the choosing samples), mean and 95% CI:"
        )
        head = f"  {'strategy':<16} {'seeds':>5} {'spent':>12}"
        for col in _COLUMNS:
            head += f" {_HEADS.get(col, col.replace('_', ' ')):>17}"
        lines.append(head)
        for r in self.rows:
            row = f"  {r.method:<16} {r.choice.nodes.size:>5} {r.choice.spent:>12,.2f}"
            for col in _COLUMNS:
                m, h = r.values[col]
                row += f" {f'{m:,.1f} ± {h:,.1f}':>17}"
            lines.append(row)
        return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return str(v)


def judge(mc: MonteCarlo, nodes: np.ndarray) -> dict[str, tuple[float, float]]:
    """Mean and 95% CI of every objective and the cost for the seeds ``nodes``."""
    out = mc.outcome(nodes)
    return {k: out.summary(k) for k in (*OBJECTIVES, "cost")}


def _fresh(scenario, graph: CSRGraph, runs: int | None, seed: int, threads) -> MonteCarlo:
    from smmsim.economics import Economics
    from smmsim.models import model_of

    model = model_of(scenario)
    sim = scenario.simulation
    return MonteCarlo(
        model, graph, Economics.from_scenario(scenario), int(sim["steps"]),
        int(sim["runs"] if runs is None else runs), root_key(seed), threads,
    )  # fmt: skip


def seed_report(
    scenario,
    *,
    budget: float | None = None,
    k: int | None = None,
    objective: str | None = None,
    method: str | None = None,
    compare: tuple[str, ...] = HEURISTICS,
    epsilon: float | None = None,
    choosing_runs: int = CHOOSING_RUNS,
    **options: Unpack[RunOptions],
) -> SeedReport:
    """Choose seeds, then judge them and the simple strategies on fresh runs.

    Parameters
    ----------
    scenario : Scenario
    budget, k, objective, method, epsilon :
        As in :func:`smmsim.influence.choose_seeds`.
    compare : tuple of str
        Simple strategies to judge beside the choice at the same budget.
    choosing_runs : int
        Runs CELF measures each candidate set on.

    Other Parameters
    ----------------
    **options : RunOptions
        runs, rng, graph, threads, as in :func:`smmsim.simulate`: ``runs`` fresh Monte
        Carlo runs, whose streams are the scenario's own (``smmsim run`` of the chosen
        seeds gives the same numbers) and which the choice never saw.

    Returns
    -------
    SeedReport
    """
    from smmsim.audience import run_inputs

    check_options("seed_report", options, _TAKES)
    threads = options.get("threads")
    graph, seed = run_inputs(scenario, options.get("graph"), options.get("rng"))
    opts = dict(budget=budget, k=k, objective=objective, rng=seed, graph=graph, threads=threads)
    choice = choose_seeds(scenario, method=method, epsilon=epsilon, runs=choosing_runs, **opts)
    mc = _fresh(scenario, graph, options.get("runs"), seed, threads)
    rows = [StrategyOutcome(choice.method, choice, judge(mc, choice.nodes))]
    for name in compare:
        if name == choice.method:
            continue
        other = choose_seeds(scenario, method=name, **opts)
        rows.append(StrategyOutcome(name, other, judge(mc, other.nodes)))
    return SeedReport(choice, rows, mc.runs, seed, scenario.economics["currency"], scenario.name)


def frontier(
    scenario,
    budgets: np.ndarray,
    *,
    objective: str | None = None,
    methods: tuple[str, ...] = ("auto", *HEURISTICS),
    epsilon: float | None = None,
    choosing_runs: int = CHOOSING_RUNS,
    **options: Unpack[RunOptions],
):
    """The outcome against budget for each method (the efficient frontier).

    Parameters
    ----------
    scenario : Scenario
    budgets : ndarray
        Money for seeds at each point of the frontier.
    methods : tuple of str
        Methods that choose the seeds at every budget (as in
        :func:`smmsim.influence.choose_seeds`).
    objective, epsilon, choosing_runs
        As in :func:`seed_report`.

    Other Parameters
    ----------------
    **options : RunOptions
        runs, rng, graph, threads, as in :func:`smmsim.simulate` (``runs`` the fresh runs,
        as in :func:`seed_report`).

    Returns
    -------
    pandas.DataFrame
        One row per budget and method: ``budget``, ``method``, ``seeds``, ``spent``,
        ``mean`` and ``ci95`` of the objective on fresh runs.
    """
    import pandas as pd

    from smmsim.audience import run_inputs
    from smmsim.influence.candidates import SeedingError

    check_options("frontier", options, _TAKES)
    threads = options.get("threads")
    graph, seed = run_inputs(scenario, options.get("graph"), options.get("rng"))
    from smmsim.influence.choose import seeding_of

    objective = seeding_of(scenario)["objective"] if objective is None else objective
    mc = _fresh(scenario, graph, options.get("runs"), seed, threads)
    rows = []
    for b in budgets:
        for name in methods:
            try:
                ch = choose_seeds(
                    scenario, budget=float(b), objective=objective, method=name,
                    epsilon=epsilon, rng=seed, graph=graph, runs=choosing_runs,
                    threads=threads,
                )  # fmt: skip
            except SeedingError:
                continue  # a budget below every price buys nothing
            m, h = mc.outcome(ch.nodes).summary(objective)
            rows.append(
                {"budget": float(b), "method": ch.method, "seeds": int(ch.nodes.size),
                 "spent": ch.spent, "mean": m, "ci95": h}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["budget", "method", "seeds", "spent", "mean", "ci95"])


def parse_budgets(text: str) -> np.ndarray:
    """``"1000:20000:10"`` -> 10 budgets evenly spaced from 1,000 to 20,000.

    Raises
    ------
    SeedingError
        Not three numbers ``LOW:HIGH:N`` with ``0 < LOW <= HIGH`` and ``N >= 1``.
    """
    from smmsim.influence.candidates import SeedingError

    parts = str(text).split(":")
    try:
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
    except (ValueError, IndexError):
        raise SeedingError(
            f"--frontier: expected LOW:HIGH:N such as 1000:20000:10, got {text!r}"
        ) from None
    if not (0 < low <= high and count >= 1 and np.isfinite(high)):
        raise SeedingError(f"--frontier: needs 0 < LOW <= HIGH and N >= 1, got {text!r}")
    return np.linspace(low, high, count)
