"""``smmsim threshold``: how sticky must this content be to go viral in this audience?"""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import (
    make_output_parents,
    scenario_command,
    scenario_from_args,
    write_outputs,
)


@scenario_command("threshold", required=True)
@click.option(
    "--param",
    default="content.stickiness",
    show_default=True,
    metavar="KEY",
    help="Parameter to find the threshold of: content.stickiness, content.contagion, "
    "content.visibility or seeding.k.",
)
@click.option(
    "--range",
    "bounds",
    type=float,
    nargs=2,
    metavar="LOW HIGH",
    help="Values of the parameter that must bracket the threshold (also the plot's range).",
)
@options.overrides
@options.json_file("Write the result as JSON here (missing folders are created).")
@options.plot_file(
    "Write a plot of P(large cascade) and mean reach against the parameter (PNG, SVG, "
    "PDF, ...: any format matplotlib writes).",
)
@click.option(
    "--precision",
    type=click.FloatRange(min=0.001, max=0.5),
    default=0.02,
    show_default=True,
    help="Relative half-width of the 95% interval the search aims for.",
)
@click.option(
    "--target",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=0.5,
    show_default=True,
    help="For seeding.k: the chance of going viral the seeds must reach.",
)
@options.count(
    "--scan-runs",
    10,
    "Simulated cascades per scanned value (per seed count for seeding.k).",
    default=200,
)
@click.option(
    "--empirical/--no-empirical",
    default=True,
    help="Also find the threshold by simulation (default) or give theory only.",
)
@options.rng_seed()
@options.threads()
def threshold(
    scenario,
    param,
    bounds,
    overrides,
    json_path,
    plot_path,
    precision,
    target,
    scan_runs,
    empirical,
    rng_seed,
    threads,
) -> None:
    """Virality threshold of SCENARIO: the critical value of one parameter.

    Prints what theory (percolation on the audience's own degree sequence) and
    simulation say the parameter must reach for content to go viral, with the 95%
    interval of the simulated value, the scenario's own value and its K-factor.

    Example: smmsim threshold scenarios/facebook_real_audience.yaml --param content.stickiness
    """
    from smmsim.threshold import find_threshold, plot_threshold_scan

    sc = scenario_from_args(scenario, overrides)
    make_output_parents(json_path, plot_path)
    res = find_threshold(
        sc,
        param,
        bounds=bounds,
        empirical=empirical,
        scan=empirical or plot_path is not None,
        scan_runs=scan_runs,
        precision=precision,
        target=target,
        rng=rng_seed,
        threads=threads,
    )
    click.echo(res.report())
    write_outputs(json_path, res.to_dict, plot_path, lambda: plot_threshold_scan(res))
