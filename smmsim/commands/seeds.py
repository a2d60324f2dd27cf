"""``smmsim seeds``: which accounts to pay for a budget, judged on fresh runs."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import (
    make_output_parents,
    scenario_command,
    scenario_from_args,
    write_outputs,
)


@scenario_command("seeds", required=True)
@click.option("--budget", type=float, help="Money for seeds (default: seeding.budget).")
@click.option("--k", "k", type=int, help="Number of seeds when there is no budget.")
@click.option(
    "--objective",
    help="reach, earned_reach, conversions or profit (default: seeding.objective).",
)
@click.option(
    "--method",
    help="auto, imm, opim, celf, degree_discount, pagerank, kcore, top_degree or random "
    "(default: seeding.method).",
)
@click.option(
    "--epsilon", type=float, help="IMM's and OPIM-C's accuracy (default: seeding.epsilon)."
)
@options.runs("Fresh Monte Carlo runs that judge each choice (default: scenario).")
@options.count(
    "--choosing-runs",
    2,
    "Runs CELF measures each candidate set on (never the judging runs).",
    default=200,
)
@click.option(
    "--frontier",
    metavar="LOW:HIGH:N",
    help="Also judge every strategy at N budgets from LOW to HIGH (the efficient frontier).",
)
@options.overrides
@options.json_file("Write the report as JSON here.")
@options.plot_file("Write the strategies side by side (with --frontier: outcome against budget).")
@options.rng_seed()
@options.threads()
def seeds(
    scenario, budget, k, objective, method, epsilon, runs, choosing_runs, frontier, overrides,
    json_path, plot_path, rng_seed, threads,
) -> None:  # fmt: skip
    """Which accounts to pay in SCENARIO for a budget, and what they bring.

    Prints the chosen accounts with price, followers and marginal gain, the guarantee
    and sample counts, and the outcome of the choice and of the simple strategies at
    the same budget on fresh Monte Carlo runs (never those that chose), with 95% CIs.

    Example: smmsim seeds scenarios/influencer_budget.yaml --budget 5000 --objective conversions
    """
    from smmsim.influence import seed_report
    from smmsim.influence.compare import frontier as run_frontier
    from smmsim.influence.compare import parse_budgets

    sc = scenario_from_args(scenario, overrides)
    budgets = parse_budgets(frontier) if frontier is not None else None
    make_output_parents(json_path, plot_path)
    rep = seed_report(
        sc, budget=budget, k=k, objective=objective, method=method, epsilon=epsilon,
        runs=runs, choosing_runs=choosing_runs, rng=rng_seed, threads=threads,
    )  # fmt: skip
    click.echo(rep.text())
    curve = None
    if budgets is not None:
        curve = run_frontier(
            sc, budgets, objective=rep.choice.objective, epsilon=epsilon, runs=runs,
            choosing_runs=choosing_runs, rng=rep.rng_seed, threads=threads,
        )  # fmt: skip
        click.echo("\nOutcome against budget (fresh runs, mean ± 95% CI):")
        click.echo(curve.to_string(index=False, float_format=lambda x: f"{x:,.1f}"))

    def to_json() -> dict:
        out = rep.to_dict()
        if curve is not None:
            out["frontier"] = curve.to_dict(orient="records")
        return out

    def draw():
        from smmsim.plots.seeds import plot_frontier, plot_strategies

        if curve is not None:
            return plot_frontier(curve, rep.choice.objective, rep.currency)
        return plot_strategies(rep)

    write_outputs(json_path, to_json, plot_path, draw)
