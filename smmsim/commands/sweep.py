"""``smmsim sweep``: run a grid or a sampled design of scenario variants.

A thin layer over :func:`smmsim.sweep.run_sweep`. It is the one place that creates a
Dask cluster (``--workers``) or connects to one (``--scheduler``); the library only
takes a client.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import click

from smmsim.commands import options
from smmsim.commands.common import (
    EXIT_INTERRUPTED,
    BadInput,
    memory_limit,
    one_line_error,
    scenario_command,
    scenario_from_args,
)

PREVIEW_ROWS = 20
PREVIEW_METRICS = ("reach", "earned_reach", "conversions", "viral", "roi")


@scenario_command("sweep", required=False)
@click.option(
    "--grid",
    "grids",
    multiple=True,
    metavar="KEY=VALUES",
    help="Values of a scenario key: START:STOP:COUNT (evenly spaced, ends included), "
    "log:START:STOP:COUNT (log spaced) or V1,V2,... (a list). Repeat for more keys; the "
    "grid is their Cartesian product.",
)
@click.option(
    "--sample",
    metavar="lhs:N|sobol:N|random:N",
    help="Instead of the grid, draw N variants over the ranges (Latin hypercube, scrambled "
    "Sobol or simple random); ranges may omit the count (START:STOP).",
)
@options.runs("Monte Carlo runs per variant.")
@options.rng_seed("Base random seed.")
@options.overrides
@options.out_dir(
    "Folder for manifest.json, results.parquet and part files (new, empty, or this "
    "sweep's with --resume).",
    required=True,
)
@click.option("--csv", is_flag=True, help="Also write results.csv.")
@options.count("--workers", 1, "Start a local Dask cluster with N worker processes.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Use the running Dask cluster at ADDRESS (e.g. tcp://host:8786).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish the sweep in --out: run only the variants not yet written. Without "
    "SCENARIO and --grid, the sweep is read from its manifest.",
)
@options.count("--batch-size", 1, "Variants per Dask task.")
@click.option(
    "--crn",
    "--common-random-numbers",
    "crn",
    is_flag=True,
    help="Give every variant the base seed (common random numbers) instead of a seed "
    "derived from its parameters.",
)
@click.option(
    "--plot",
    "plots",
    multiple=True,
    metavar="METRIC",
    help="Write METRIC.png (against the first swept key) and METRIC_heatmap.png (over "
    "the first two) into --out (repeatable).",
)
@options.threads("Numba threads per simulation (default: all).")
@options.progress
@options.max_memory
def sweep(
    scenario,
    grids,
    sample,
    runs,
    rng_seed,
    overrides,
    out,
    csv,
    workers,
    scheduler,
    resume,
    batch_size,
    crn,
    plots,
    threads,
    progress,
    max_memory,
) -> None:
    """Simulate every variant of SCENARIO over a grid (or a sample) of scenario keys.

    \b
    Examples:
      smmsim sweep scenarios/product_launch.yaml --grid content.stickiness=0.02:0.4:20 \\
          --grid seeding.k=1,5,20 --runs 1000 --out sweeps/launch
      smmsim sweep --grid content.stickiness=0.02:0.4 --grid content.half_life=log:1:100 \\
          --sample lhs:200 --out sweeps/lhs --workers 4
      smmsim sweep --resume --out sweeps/launch
    """
    from smmsim.metrics import METRICS
    from smmsim.sweep import Sweep, read_sweep, resume_sweep, run_sweep

    if workers is not None and scheduler is not None:
        raise BadInput("--workers and --scheduler cannot be used together; choose one")
    for metric in plots:
        if metric not in METRICS:
            raise BadInput(f"--plot: unknown metric {metric!r}; choose from {', '.join(METRICS)}")
    from_manifest = (
        resume
        and scenario is None
        and not (grids or sample or overrides)
        and (runs is None and rng_seed is None)
    )
    if not grids and not from_manifest:
        raise BadInput(
            "give at least one --grid KEY=VALUES, e.g. --grid content.stickiness=0.02:0.4:20"
        )
    options = dict(
        progress=progress,
        csv=csv,
        batch_size=batch_size,
        threads=threads,
        max_memory=memory_limit(max_memory),
    )
    try:
        if not from_manifest:
            base = scenario_from_args(scenario, overrides)
            if rng_seed is not None:
                base = base.with_overrides({"simulation.rng_seed": rng_seed})
            design = Sweep.from_specs(grids, sample)
            # Bad grids fail here, before any cluster starts (values do not depend on
            # the seed, which run_sweep resolves when the scenario leaves it null).
            check = base
            if base.simulation["rng_seed"] is None:
                check = base.with_overrides({"simulation.rng_seed": 0})
            design.variants(check)
        with _client(workers, scheduler) as client:
            if from_manifest:
                table = resume_sweep(out, client=client, **options)
            else:
                table = run_sweep(
                    base,
                    design,
                    out,
                    runs=runs,
                    client=client,
                    resume=resume,
                    common_random_numbers=crn,
                    **options,
                )
    except KeyboardInterrupt:
        kept = _count(read_sweep, out)
        click.echo(
            f"Interrupted: {kept} finished variants are kept in {out}; "
            "run the same command with --resume to finish.",
            err=True,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    except _cluster_errors() as exc:
        raise click.ClickException(
            f"the Dask cluster failed ({one_line_error(exc) or type(exc).__name__}); finished "
            f"variants are kept in {out}: rerun with --resume"
        ) from None

    info = table.attrs.get("sweep", {})
    ran, wall = info.get("ran", 0), info.get("wall_s", 0.0)
    rate = f": {ran / wall:.3g} variants/s" if ran and wall > 0 else ""
    before = info.get("done_before", 0)
    already = f" ({before} were already done)" if before else ""
    runs_used = sorted(set(table["runs"])) if len(table) else []
    each = f"; {runs_used[0]:,} runs each" if len(runs_used) == 1 else ""
    click.echo(
        f"Ran {ran:,} of {len(table):,} variants{already} ({info.get('design', '')}{each})"
        f"{_where(workers, scheduler)} in {wall:.1f} s{rate}."
    )
    click.echo(_preview(table))
    paths = [Path(p) for p in info.get("paths", [])]
    if plots:
        from smmsim.plots.sweep import write_sweep_plots

        for metric in plots:
            paths += write_sweep_plots(table, out, metric)
    click.echo(f"Wrote {', '.join(str(p) for p in paths)}")


def _where(workers, scheduler) -> str:
    if workers is not None:
        return f" on a local Dask cluster of {workers} workers"
    if scheduler is not None:
        return f" on the Dask cluster at {scheduler}"
    return " on this machine"


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None):
    """A Dask client for the chosen cluster, closed afterwards; ``None`` for local runs."""
    if workers is None and scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise BadInput(
                f"--scheduler: cannot connect to the Dask scheduler at {scheduler}: "
                f"{one_line_error(exc) or type(exc).__name__}"
            ) from None
        with client:
            yield client
        return
    # Share the cores between the workers' numba thread pools.
    per_worker = max(1, (os.cpu_count() or 1) // workers)
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with another cluster
            silence_logs=logging.ERROR,
            env={"NUMBA_NUM_THREADS": str(per_worker)},
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _cluster_errors() -> tuple[type[BaseException], ...]:
    try:
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - distributed is a dependency
        return ()
    return (KilledWorker, FutureCancelledError)


def _count(read, out) -> int:
    try:
        return len(read(out))
    except Exception:
        return 0


def _preview(table) -> str:
    from smmsim.sweep import parameter_columns

    cols = [*parameter_columns(table), "runs"]
    cols += [f"{m}_mean" for m in PREVIEW_METRICS if f"{m}_mean" in table.columns]
    view = table[cols].rename(columns=lambda c: c.removesuffix("_mean"))
    if "viral" in view.columns:
        view = view.rename(columns={"viral": "p_viral"})
    text = view.head(PREVIEW_ROWS).to_string(index=False, float_format=lambda x: f"{x:.4g}")
    if len(table) > PREVIEW_ROWS:
        text += f"\n... {len(table) - PREVIEW_ROWS:,} more rows (ensemble means; the file has all)"
    return text
