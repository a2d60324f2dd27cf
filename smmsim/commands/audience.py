"""``smmsim audience``: an audience's size, degree moments and virality threshold."""

from __future__ import annotations

import json

import click

from smmsim.commands import options
from smmsim.commands.common import scenario_command, scenario_from_args


@scenario_command("audience", required=False)
@options.overrides
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def audience(scenario, overrides, as_json) -> None:
    """Describe SCENARIO's audience: size, degree moments and virality threshold."""
    from smmsim.audience import build_audience
    from smmsim.reporting.verdicts import threshold_verdict
    from smmsim.theory.bond_percolation import percolation, transmissibility

    sc = scenario_from_args(scenario, overrides)
    graph = build_audience(sc)
    c = sc.content
    th = percolation(graph, transmissibility(c["visibility"], c["stickiness"], c["contagion"]))
    stats = graph.degree_stats()
    vc = c["visibility"] * c["contagion"]
    info = {
        "name": graph.name,
        "directed": graph.directed,
        "degree": stats.as_dict(),
        "threshold": {
            **th.as_dict(),
            "critical_stickiness": th.critical / vc if vc > 0 else None,
        },
    }
    if as_json:
        click.echo(json.dumps(info, indent=2, default=str))
        return
    kind = "directed (follower)" if graph.directed else "undirected (friendship)"
    lines = [
        f"{graph.name}: {kind}, {graph.n:,} users, {graph.n_edges:,} ties",
        f"  mean degree <k> = {stats.mean:.3f}   <k^2> = {stats.second:.3f}   "
        f"mean excess degree = {stats.excess:.3f}   max degree = {stats.max_degree:,}",
    ]
    if graph.directed:
        lines.append(
            f"  <k_in> = {stats.mean_in:.3f}   <k_out> = {stats.mean_out:.3f}   "
            f"<k_in k_out> = {stats.mean_in_out:.3f}"
        )
    lines.append("  " + threshold_verdict({**th.as_dict(), "decay": False}, c))
    if th.viral:
        lines.append(
            f"  A large cascade would reach {th.large_share:.1%} of sharers' audience; "
            f"one random seed starts one with probability {th.p_large:.1%}."
        )
    click.echo("\n".join(lines))
