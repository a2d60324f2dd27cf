"""Run a scenario: build the audience, choose seeds, simulate the Monte Carlo ensemble.

This is the only layer that builds kernel inputs. Replicates run in batches so a
progress bar can move and finished runs can be written out while the rest compute;
replicate ``r`` always draws from the streams keyed by ``(rng_seed, r)``, so batching
and thread count never change a result.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from smmsim import __version__
from smmsim.audience import build_audience
from smmsim.graph import CSRGraph
from smmsim.metrics import Economics, run_table, series_table, summarize
from smmsim.models import MODELS
from smmsim.results import Results
from smmsim.rng import RandomLike, resolve_seed, root_key
from smmsim.scenario import Scenario, check_seed_nodes
from smmsim.seeding import seed_sets
from smmsim.theory import percolation

__all__ = ["simulate"]

BatchCallback = Callable[[pd.DataFrame, pd.DataFrame], None]
TARGET_BATCH_SECONDS = 0.25


def simulate(
    scenario: Scenario,
    *,
    runs: int | None = None,
    rng: RandomLike = None,
    graph: CSRGraph | None = None,
    progress: bool | None = False,
    on_batch: BatchCallback | None = None,
    threads: int | None = None,
) -> Results:
    """Simulate a scenario's Monte Carlo ensemble.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`smmsim.load_scenario`).
    runs : int, optional
        Number of Monte Carlo runs (default: ``simulation.runs``).
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state; default ``simulation.rng_seed``
        (fresh entropy when that is null too). The seed used is kept in the results.
    graph : CSRGraph, optional
        An audience already built from ``scenario`` (skips building it again).
    progress : bool or None
        Show a progress bar on stderr; ``None`` shows it only on a terminal.
    on_batch : callable, optional
        Called with ``(runs, timeseries)`` frames of each finished batch, in order,
        so callers can write results as they arrive.
    threads : int, optional
        Worker threads (default: numba's thread count). Results do not depend on it.

    Returns
    -------
    Results
    """
    from tqdm.auto import tqdm

    sim = scenario.simulation
    n_runs = int(sim["runs"] if runs is None else runs)
    if n_runs < 1:
        raise ValueError(f"runs must be >= 1, got {n_runs}")
    seed = resolve_seed(sim["rng_seed"] if rng is None else rng)
    root = root_key(seed)
    timing = {}

    t0 = time.perf_counter()
    if graph is None:
        graph = build_audience(scenario)
    timing["audience_s"] = time.perf_counter() - t0
    check_seed_nodes(scenario, graph)

    model = MODELS[scenario.data["model"]].from_scenario(scenario)
    economics = Economics.from_scenario(scenario)
    seeding = scenario.seeding
    steps = int(sim["steps"])

    t0 = time.perf_counter()
    run_frames, series_frames = [], []
    done = 0
    batch = min(n_runs, 16)
    bar = tqdm(total=n_runs, unit="run", disable=None if progress is None else not progress)
    try:
        while done < n_runs:
            started = time.perf_counter()
            sets = seed_sets(
                graph,
                seeding["strategy"],
                k=seeding["k"],
                nodes=seeding["nodes"],
                root=root,
                first=done,
                n_reps=batch,
            )
            raw = model.run(graph, sets, done, batch, steps, root, threads)
            rt = run_table(raw, graph, economics, sim["viral_fraction"])
            st = series_table(raw, steps)
            run_frames.append(rt)
            series_frames.append(st)
            if on_batch is not None:
                on_batch(rt, st)
            done += batch
            bar.update(batch)
            elapsed = time.perf_counter() - started
            if elapsed < TARGET_BATCH_SECONDS / 2:
                batch *= 2
            batch = max(1, min(batch, n_runs - done))
    finally:
        bar.close()
    timing["simulate_s"] = time.perf_counter() - t0

    runs_df = pd.concat(run_frames, ignore_index=True)
    series_df = pd.concat(series_frames, ignore_index=True)
    last = series_df.loc[series_df.iloc[:, 2:].to_numpy().any(axis=1), "step"].max()
    series_df = series_df[series_df["step"] <= (0 if pd.isna(last) else last)]
    series_df = series_df.reset_index(drop=True)

    theory = percolation(graph, model.transmissibility)
    stats = graph.degree_stats()
    return Results(
        scenario=scenario.to_dict(),
        rng_seed=seed,
        runs=runs_df,
        timeseries=series_df,
        summary=summarize(runs_df),
        audience={"name": graph.name, **stats.as_dict()},
        theory={
            **theory.as_dict(),
            "decay": scenario.content["half_life"] is not None,
            "p_large_from_seeds": theory.p_large_from(int(runs_df["seeds"].median())),
        },
        timing=timing,
        version=__version__,
    )
