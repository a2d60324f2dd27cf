"""``smmsim run``: simulate a scenario, print the report, write the results."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import (
    EXIT_INTERRUPTED,
    memory_limit,
    scenario_command,
    scenario_from_args,
)


@scenario_command("run", required=False)
@options.runs("Monte Carlo runs (default: scenario).")
@options.rng_seed()
@options.overrides
@options.out_dir(
    "Write summary.json, runs.csv, timeseries.csv and the PNG plots here (created if "
    "missing; an older run's files there are replaced)."
)
@options.threads()
@options.progress
@options.max_memory
def run(scenario, runs, rng_seed, overrides, out, threads, progress, max_memory) -> None:
    """Simulate SCENARIO (a YAML file; the built-in product launch if omitted).

    Example: smmsim run scenarios/product_launch.yaml --runs 2000 --out results/
    """
    from smmsim.memory import check_memory
    from smmsim.outputs import make_dir
    from smmsim.results import RunWriter
    from smmsim.simulate import SimulationInterrupted, simulate
    from smmsim.timeline import Timeline

    sc = scenario_from_args(scenario, overrides)
    check_memory(sc, runs=runs, limit=memory_limit(max_memory), threads=threads)
    writer = None
    if out is not None:
        line = Timeline.of(sc.simulation)
        dates = line.labels(sc.simulation["steps"]) if line.dated else None
        writer = RunWriter(make_dir(out, "--out"), dates=dates)
    try:
        res = simulate(
            sc, runs=runs, rng=rng_seed, progress=progress, on_batch=writer, threads=threads
        )
    except SimulationInterrupted as stop:
        _keep_interrupted(stop, writer)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    graph = None
    if writer is not None:
        from smmsim.trace import results_audience

        # the referral tree and the customer referral value trace runs again, on the
        # audience rebuilt once (when it can be: not one drawn from fresh entropy)
        graph = results_audience(res)
        if graph is not None:
            from smmsim.referral_value import referral_value
            from smmsim.scenario import scenario_from_dict

            res.extra["referral_value"] = referral_value(
                scenario_from_dict(res.scenario), runs=res.n_runs, rng=res.rng_seed, graph=graph
            )
    click.echo(res.report())
    if writer is not None:
        from smmsim.trace import results_cascade

        tree = None if graph is None else results_cascade(res, graph=graph)
        paths = writer.finish(res, tree=tree)
        _say_removed(writer)
        click.echo(f"Wrote {', '.join(str(p) for p in paths)}")


def _say_removed(writer) -> None:
    if writer.removed:
        names = ", ".join(p.name for p in writer.removed)
        click.echo(f"Replaced an older run's files in {writer.out}: {names}", err=True)


def _keep_interrupted(stop, writer) -> None:
    """After Ctrl-C: print and write what the finished runs give, say what was kept."""
    import signal

    res = stop.results
    if res is None:
        click.echo("Interrupted before any run finished; nothing was written.", err=True)
        return
    # a second Ctrl-C must not leave half-written files: the summary takes a moment
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        click.echo(res.report())
        done = f"{res.n_runs:,} of {stop.requested:,} runs"
        if writer is None:
            click.echo(f"Interrupted: the report above covers the {done} that finished.", err=True)
            return
        paths = writer.finish(res, plots=False)
        _say_removed(writer)
        click.echo(
            f"Interrupted: kept the {done} that finished in "
            f"{', '.join(str(p) for p in paths)} (summary marked interrupted; no plots).",
            err=True,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
