"""Running a sweep: :func:`run_sweep` and :func:`resume_sweep`, here or on Dask.

Without a Dask client the variants run one after another in this process; each
simulation already uses every core through numba's threads. With a client
(``distributed.Client``) variants are batched into tasks and run on the cluster's
workers. This module never starts a cluster: callers (the ``smmsim sweep`` command, a
notebook) create the client and pass it in. Edge-list audiences are read once by the
caller and scattered to every worker, so the file need not exist where the workers
run.

Both ways of running take one :class:`RunContext` and return what they did
(:class:`Done`); neither changes its inputs.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smmsim.audience import build_audience
from smmsim.generator_registry import GENERATORS
from smmsim.scenario import Scenario, scenario_from_dict
from smmsim.sweep.audience_cache import audience_key
from smmsim.sweep.design import Sweep
from smmsim.sweep.plan import Plan, Variant, check_variant_memory, make_plan
from smmsim.sweep.store import Store, read_manifest, sweep_table
from smmsim.sweep.task import Timing, add_time, no_time, run_batch

__all__ = ["Done", "ResultCallback", "RunContext", "resume_sweep", "run_sweep"]

FLUSH_SECONDS = 1.0  # local runs: write a part at least this often

#: Called with a DataFrame of newly finished rows, after they are written.
ResultCallback = Callable[[pd.DataFrame], None]


def run_sweep(
    scenario: Scenario,
    design: Sweep,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    runs: int | None = None,
    client: Any = None,
    resume: bool = False,
    progress: bool | None = None,
    csv: bool = False,
    batch_size: int | None = None,
    common_random_numbers: bool = False,
    on_result: ResultCallback | None = None,
    threads: int | None = None,
    max_memory: int | None = None,
) -> pd.DataFrame:
    """Simulate every variant of ``design`` on top of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The base scenario. A null ``simulation.rng_seed`` gets fresh entropy once,
        recorded in the manifest (and reused on resume).
    design : Sweep
        The variants (see :class:`Sweep`).
    out_dir : path-like, optional
        Folder for ``manifest.json``, the part files and ``results.parquet``. Without
        it nothing is written and an interruption loses the sweep.
    runs : int, optional
        Monte Carlo runs per variant (default: each variant's ``simulation.runs``).
    client : distributed.Client, optional
        Run on this Dask cluster; ``None`` runs here, one variant at a time (each
        simulation uses every core).
    resume : bool
        Continue the sweep in ``out_dir``: run only the variants not yet stored.
    progress : bool or None
        Progress bar over variants on stderr, with an estimate of the time left;
        ``None`` shows it only on a terminal.
    csv : bool
        Also write ``results.csv``.
    batch_size : int, optional
        Variants per Dask task (default: about eight tasks per worker thread, at most
        64 variants each).
    common_random_numbers : bool
        Give every variant the base seed instead of one derived from its parameters.
    on_result : callable, optional
        Called with a DataFrame of newly finished rows, after they are written.
    threads : int, optional
        Numba threads per simulation (default: all). Results do not depend on it.
    max_memory : int, optional
        Bytes a variant may be estimated to need (default:
        :func:`smmsim.memory.default_memory_limit`); checked for every variant before
        the first one runs.

    Returns
    -------
    pandas.DataFrame
        One row per variant in design order: ``variant`` (position), ``variant_id``,
        one column per swept key, ``rng_seed``, ``runs``, then ``{metric}_{stat}``
        for every metric and ``stat`` in :data:`STATS`, and ``theory_transmissibility``,
        ``theory_critical``, ``theory_k_factor``. ``DataFrame.attrs["sweep"]`` holds
        counts and timing.

    Raises
    ------
    ScenarioError
        A design value that the scenario does not allow.
    SweepError
        ``out_dir`` holds another sweep, or this one without ``resume``, or another
        sweep is running in it.
    """
    started = time.perf_counter()
    store = Store(out_dir) if out_dir is not None else None
    seed = None
    if store is not None and scenario.simulation["rng_seed"] is None:
        old = store.manifest()
        if old is not None:
            seed = old["base"]["simulation"]["rng_seed"]
    plan = make_plan(scenario, design, runs, common_random_numbers, seed)
    check_variant_memory(plan, max_memory, threads)
    options = _Options(progress, csv, batch_size, on_result, threads)
    if store is None:
        return _run_plan(plan, None, (), started, client, options)
    store.lock()
    try:
        done_rows = store.open(plan.manifest, resume)
        return _run_plan(plan, store, tuple(done_rows), started, client, options)
    finally:
        store.unlock()


@dataclass(frozen=True)
class _Options:
    """How :func:`run_sweep` was asked to run, passed on unchanged."""

    progress: bool | None
    csv: bool
    batch_size: int | None
    on_result: ResultCallback | None
    threads: int | None


@dataclass(frozen=True)
class RunContext:
    """What a local or Dask run of a plan needs, fixed for the run.

    Attributes
    ----------
    plan : Plan
        The sweep's variants and base scenario.
    store : Store or None
        Where finished rows are written; ``None`` writes nothing.
    progress : tqdm-like
        Progress bar: its ``update(n)`` is called as variants finish.
    on_result : callable or None
        Called with a DataFrame of newly finished rows, after they are written.
    threads : int or None
        Numba threads per simulation.
    batch_size : int or None
        Variants per Dask task (``None``: about eight tasks per worker thread, at
        most 64 variants each).
    """

    plan: Plan
    store: Store | None
    progress: Any
    on_result: ResultCallback | None = None
    threads: int | None = None
    batch_size: int | None = None

    def finished(self, rows: list[dict[str, Any]]) -> None:
        """Report rows just finished (and written) to the bar and the callback."""
        self.progress.update(len(rows))
        if self.on_result is not None:
            self.on_result(pd.DataFrame.from_records(rows))


@dataclass(frozen=True)
class Done:
    """What a run did: the rows of the variants it ran and the time they took."""

    rows: tuple[dict[str, Any], ...]
    timing: Timing


def _run_plan(
    plan: Plan,
    store: Store | None,
    done_rows: tuple[dict[str, Any], ...],
    started: float,
    client: Any,
    options: _Options,
) -> pd.DataFrame:
    """Run the variants of ``plan`` not in ``done_rows``; write them to ``store``."""
    done = {r["variant_id"] for r in done_rows}
    todo = [v for v in plan.variants if v.id not in done]

    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(plan.variants),
        initial=len(done),
        unit="variant",
        desc="sweep",
        disable=None if options.progress is None else not options.progress,
        smoothing=0.1,
    )
    ctx = RunContext(plan, store, bar, options.on_result, options.threads, options.batch_size)
    try:
        if not todo:
            ran = Done((), no_time())
        elif client is None:
            ran = run_local(ctx, todo)
        else:
            ran = run_dask(client, ctx, todo)
    finally:
        bar.close()

    table = sweep_table([*done_rows, *ran.rows], plan.keys)
    paths = store.finish(table, options.csv) if store is not None else []
    table.attrs["sweep"] = {
        "variants": len(plan.variants),
        "done_before": len(done),
        "ran": len(todo),
        "wall_s": time.perf_counter() - started,
        **ran.timing,
        "paths": [str(p) for p in paths],
        "design": plan.design.describe(),
    }
    return table


def run_local(ctx: RunContext, todo: Sequence[Variant]) -> Done:
    """Run ``todo`` here, one variant at a time; write a part at least every
    :data:`FLUSH_SECONDS` (and whatever is pending when stopped)."""
    rows: list[dict[str, Any]] = []
    timing = no_time()
    pending: list[dict[str, Any]] = []
    last = time.perf_counter()
    try:
        for v in todo:
            new, t = run_batch(ctx.plan.base, [v], ctx.plan.keys, threads=ctx.threads)
            timing = add_time(timing, t)
            pending += new
            rows += new
            if ctx.store is not None and time.perf_counter() - last >= FLUSH_SECONDS:
                ctx.store.write_part(pending)
                pending, last = [], time.perf_counter()
            ctx.finished(new)
    finally:
        if ctx.store is not None and pending:
            ctx.store.write_part(pending)
    return Done(tuple(rows), timing)


def run_dask(client: Any, ctx: RunContext, todo: Sequence[Variant]) -> Done:
    """Run ``todo`` on the Dask cluster of ``client``, in batches grouped by audience;
    write each finished batch as one part."""
    from distributed import as_completed

    plan = ctx.plan
    groups: dict[str, list[Variant]] = {}
    scenarios: dict[str, Scenario] = {}
    for v in todo:
        sc = plan.base.with_overrides(v.overrides)
        key = audience_key(sc)
        groups.setdefault(key, []).append(v)
        scenarios.setdefault(key, sc)
    batch_size = ctx.batch_size
    if batch_size is None:
        slots = sum(client.nthreads().values()) or 1
        batch_size = max(1, min(64, math.ceil(len(todo) / (8 * slots))))
    futures = []
    for key, variants in groups.items():
        graph = None
        if GENERATORS[scenarios[key].audience["generator"]].reads_file:
            graph = client.scatter(build_audience(scenarios[key]), broadcast=True, hash=False)
        for i in range(0, len(variants), batch_size):
            futures.append(
                client.submit(
                    run_batch,
                    plan.base,
                    variants[i : i + batch_size],
                    plan.keys,
                    graph,
                    ctx.threads,
                    pure=False,
                )
            )
    rows: list[dict[str, Any]] = []
    timing = no_time()
    try:
        for fut in as_completed(futures):
            new, t = fut.result()
            fut.release()
            if ctx.store is not None:
                ctx.store.write_part(new)
            rows += new
            timing = add_time(timing, t)
            ctx.finished(new)
    except BaseException:
        client.cancel(futures)
        raise
    return Done(tuple(rows), timing)


def resume_sweep(
    out_dir: str | os.PathLike[str], *, client: Any = None, **kwargs: Any
) -> pd.DataFrame:
    """Finish the sweep stored in ``out_dir`` from its manifest alone.

    Keyword arguments go to :func:`run_sweep` (``progress``, ``csv``, ...).
    """
    manifest = read_manifest(out_dir)
    base = scenario_from_dict(
        manifest["base"], source=manifest.get("source"), base_dir=manifest.get("base_dir")
    )
    design = Sweep.from_dict(manifest["design"])
    return run_sweep(
        base,
        design,
        out_dir,
        client=client,
        resume=True,
        common_random_numbers=manifest.get("common_random_numbers", False),
        **kwargs,
    )
