"""``smmsim compare``: campaign variants on one audience, with common random numbers."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import scenario_from_args


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@options.runs("Monte Carlo runs of every variant (default: the first scenario's).")
@options.rng_seed("Random seed of every variant (default: the first scenario's).")
@options.out_dir("Write compare.csv, runs_<variant>.csv and compare.png here.")
@options.threads()
def compare(scenarios, runs, rng_seed, out, threads) -> None:
    """Compare SCENARIOS (two or more YAML files; the first is the baseline).

    Every variant runs on the first scenario's audience with the same random seed, so
    run r of each draws the same random numbers; the report gives each metric per
    variant and, against the baseline, the mean run-by-run difference with its 95%
    interval and the share of runs each variant did better in.

    Example: smmsim compare scenarios/macro_vs_micro_macro.yaml
    scenarios/macro_vs_micro_micro.yaml --runs 2000
    """
    from smmsim.commands.common import BadInput
    from smmsim.compare import compare as run_compare
    from smmsim.compare import default_names
    from smmsim.outputs import check_dir

    if len(scenarios) < 2:
        raise BadInput("compare needs at least two scenario files")
    if out is not None:
        check_dir(out, "--out")
    loaded = [scenario_from_args(path) for path in scenarios]
    comp = run_compare(
        loaded,
        names=default_names(scenarios),
        runs=runs,
        rng=rng_seed,
        threads=threads,
        progress=None,
    )
    click.echo(comp.report())
    if out is not None:
        paths = comp.write(out)
        click.echo(f"Wrote {', '.join(str(p) for p in paths)}")
